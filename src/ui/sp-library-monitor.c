/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/sp-library-finder.h"

#include "sp-demo.h"
#include "sp-library-monitor.h"

struct _SpRefusedLibrary
{
  GObject  parent_instance;
  char    *path;
  char    *location;
  char    *message;
};

G_DEFINE_FINAL_TYPE (SpRefusedLibrary, sp_refused_library, G_TYPE_OBJECT)

static void
sp_refused_library_finalize (GObject *object)
{
  SpRefusedLibrary *self = SP_REFUSED_LIBRARY (object);

  g_free (self->path);
  g_free (self->location);
  g_free (self->message);
  G_OBJECT_CLASS (sp_refused_library_parent_class)->finalize (object);
}

static void
sp_refused_library_class_init (SpRefusedLibraryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_refused_library_finalize;
}

static void
sp_refused_library_init (SpRefusedLibrary *self)
{
}

static SpRefusedLibrary *
sp_refused_library_new (const char *path,
                        const char *location,
                        const char *message)
{
  SpRefusedLibrary *self = g_object_new (SP_TYPE_REFUSED_LIBRARY, NULL);

  self->path = g_strdup (path);
  self->location = g_strdup (location);
  self->message = g_strdup (message);
  return self;
}

const char *
sp_refused_library_get_path (SpRefusedLibrary *self)
{
  g_return_val_if_fail (SP_IS_REFUSED_LIBRARY (self), NULL);
  return self->path;
}

const char *
sp_refused_library_get_location (SpRefusedLibrary *self)
{
  g_return_val_if_fail (SP_IS_REFUSED_LIBRARY (self), NULL);
  return self->location;
}

const char *
sp_refused_library_get_message (SpRefusedLibrary *self)
{
  g_return_val_if_fail (SP_IS_REFUSED_LIBRARY (self), NULL);
  return self->message;
}

struct _SpLibraryMonitor
{
  GObject          parent_instance;

  GSettings       *settings;
  GVolumeMonitor  *volume_monitor;
  GListStore      *libraries;
  GListStore      *refused;     /* SpRefusedLibrary */
  /* candidate path -> SpLibrary (transfer none: held by ->libraries) */
  GHashTable      *by_candidate;
  /* SpLibrary -> location text */
  GHashTable      *locations;
  SpLibrary       *demo;
  GStrv            problems;
  GCancellable    *cancellable;
  guint            scanning : 1;
  guint            rescan : 1;
  guint            first_done : 1;
};

enum {
  PROP_0,
  PROP_SCANNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SpLibraryMonitor, sp_library_monitor, G_TYPE_OBJECT)

typedef struct
{
  GPtrArray  *candidates;   /* SpLibraryCandidate */
  GHashTable *known;        /* candidate paths already open */
  gboolean    want_demo;
  char       *demo_dir;
  /* results */
  GHashTable *present;      /* path -> TRUE for candidates that have a library */
  GPtrArray  *opened;       /* SpLibrary, with "sp-candidate" set */
  GPtrArray  *problems;     /* char* */
  GPtrArray  *refused;      /* SpRefusedLibrary */
  SpLibrary  *demo;
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_clear_pointer (&data->candidates, g_ptr_array_unref);
  g_clear_pointer (&data->known, g_hash_table_unref);
  g_clear_pointer (&data->present, g_hash_table_unref);
  g_clear_pointer (&data->opened, g_ptr_array_unref);
  g_clear_pointer (&data->problems, g_ptr_array_unref);
  g_clear_pointer (&data->refused, g_ptr_array_unref);
  g_clear_object (&data->demo);
  g_free (data->demo_dir);
  g_free (data);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanData *data = task_data;

  for (guint i = 0; i < data->candidates->len; i++)
    {
      SpLibraryCandidate *c = g_ptr_array_index (data->candidates, i);
      g_autoptr(GError) error = NULL;
      SpLibrary *library;

      if (g_hash_table_contains (data->present, c->path) ||
          !sp_library_candidate_has_library (c->path))
        continue;
      {
        gboolean refused_already = FALSE;

        for (guint j = 0; j < data->refused->len; j++)
          if (g_strcmp0 (c->path, SP_REFUSED_LIBRARY (g_ptr_array_index (data->refused, j))->path) == 0)
            refused_already = TRUE;
        if (refused_already)
          continue;
      }

      g_hash_table_add (data->present, g_strdup (c->path));
      if (g_hash_table_contains (data->known, c->path))
        continue;

      library = sp_library_open (c->path, &error);
      if (library == NULL)
        {
          g_ptr_array_add (data->problems, g_strdup (error->message));
          g_ptr_array_add (data->refused,
                           sp_refused_library_new (c->path, c->location, error->message));
          g_hash_table_remove (data->present, c->path);
          continue;
        }
      g_object_set_data_full (G_OBJECT (library), "sp-candidate", g_strdup (c->path), g_free);
      g_object_set_data_full (G_OBJECT (library), "sp-location", g_strdup (c->location), g_free);
      g_ptr_array_add (data->opened, library);
    }

  if (data->want_demo && g_hash_table_size (data->present) == 0)
    {
      g_autoptr(GError) error = NULL;

      if (!sp_demo_ensure (data->demo_dir, &error) ||
          (data->demo = sp_library_open (data->demo_dir, &error)) == NULL)
        g_ptr_array_add (data->problems,
                         g_strdup_printf (_("The demo library could not be made: %s"),
                                          error->message));
    }

  g_task_return_boolean (task, TRUE);
}

static void start_scan (SpLibraryMonitor *self);

static void
remove_library (SpLibraryMonitor *self,
                SpLibrary        *library)
{
  guint pos;

  if (g_list_store_find (self->libraries, library, &pos))
    g_list_store_remove (self->libraries, pos);
}

/* Replaces the refused libraries, unless the scan found the same ones
 * (each scan tries them again; the window rebuilds on a change). */
static void
update_refused (SpLibraryMonitor *self,
                GPtrArray        *refused)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->refused));
  gboolean same = n == refused->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(SpRefusedLibrary) old = g_list_model_get_item (G_LIST_MODEL (self->refused), i);
      SpRefusedLibrary *new = g_ptr_array_index (refused, i);

      same = g_strcmp0 (old->path, new->path) == 0 && g_strcmp0 (old->message, new->message) == 0;
    }
  if (!same)
    g_list_store_splice (self->refused, 0, n, refused->pdata, refused->len);
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpLibraryMonitor) self = user_data;
  ScanData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;   /* cancelled: disposed */

  /* Libraries whose drive or folder went away. */
  g_hash_table_iter_init (&iter, self->by_candidate);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (data->present, key))
      {
        remove_library (self, value);
        g_hash_table_iter_remove (&iter);
      }

  for (guint i = 0; i < data->opened->len; i++)
    {
      SpLibrary *library = g_ptr_array_index (data->opened, i);
      const char *candidate = g_object_get_data (G_OBJECT (library), "sp-candidate");
      gboolean duplicate = FALSE;

      /* The same library reached twice (a mount and a configured folder). */
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (self->libraries)); j++)
        {
          g_autoptr(SpLibrary) other = g_list_model_get_item (G_LIST_MODEL (self->libraries), j);
          if (g_strcmp0 (sp_library_get_path (other), sp_library_get_path (library)) == 0)
            duplicate = TRUE;
        }
      if (duplicate)
        continue;

      g_hash_table_insert (self->locations, library,
                           g_strdup (g_object_get_data (G_OBJECT (library), "sp-location")));
      g_hash_table_insert (self->by_candidate, g_strdup (candidate), library);
      g_list_store_append (self->libraries, library);
    }

  /* The demo stands in only while there is nothing else. */
  if (g_hash_table_size (self->by_candidate) > 0 && self->demo != NULL)
    {
      remove_library (self, self->demo);
      g_clear_object (&self->demo);
    }
  else if (g_hash_table_size (self->by_candidate) == 0 && self->demo == NULL && data->demo != NULL)
    {
      self->demo = g_steal_pointer (&data->demo);
      g_hash_table_insert (self->locations, self->demo, g_strdup (_("Built-in Demo")));
      g_list_store_append (self->libraries, self->demo);
    }
  else if (!data->want_demo && self->demo != NULL)
    {
      remove_library (self, self->demo);
      g_clear_object (&self->demo);
    }

  update_refused (self, data->refused);

  g_strfreev (self->problems);
  g_ptr_array_add (data->problems, NULL);
  self->problems = (GStrv) g_ptr_array_steal (data->problems, NULL);
  for (guint i = 0; self->problems[i] != NULL; i++)
    g_message ("%s", self->problems[i]);

  self->scanning = FALSE;
  self->first_done = TRUE;
  if (self->rescan)
    {
      self->rescan = FALSE;
      start_scan (self);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);
}

static void
start_scan (SpLibraryMonitor *self)
{
  g_autoptr(GTask) task = NULL;
  ScanData *data;

  if (self->scanning)
    {
      self->rescan = TRUE;
      return;
    }
  self->scanning = TRUE;

  data = g_new0 (ScanData, 1);
  data->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->opened = g_ptr_array_new_with_free_func (g_object_unref);
  data->problems = g_ptr_array_new_with_free_func (g_free);
  data->refused = g_ptr_array_new_with_free_func (g_object_unref);
  data->want_demo = g_settings_get_boolean (self->settings, "show-demo-library");
  data->demo_dir = sp_demo_get_dir ();

  data->candidates = sp_library_find_candidates (self->volume_monitor, self->settings);

  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->by_candidate);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_hash_table_add (data->known, g_strdup (key));
  }

  if (!self->first_done)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);

  task = g_task_new (NULL, self->cancellable, scan_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_scan);
  g_task_set_task_data (task, data, (GDestroyNotify) scan_data_free);
  g_task_run_in_thread (task, scan_thread);
}

static void
mounts_changed_cb (SpLibraryMonitor *self)
{
  start_scan (self);
}

static void
sp_library_monitor_dispose (GObject *object)
{
  SpLibraryMonitor *self = SP_LIBRARY_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->volume_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->volume_monitor, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->volume_monitor);
  g_clear_object (&self->settings);
  g_clear_object (&self->demo);
  g_clear_object (&self->cancellable);
  if (self->libraries != NULL)
    g_list_store_remove_all (self->libraries);
  if (self->refused != NULL)
    g_list_store_remove_all (self->refused);

  G_OBJECT_CLASS (sp_library_monitor_parent_class)->dispose (object);
}

static void
sp_library_monitor_finalize (GObject *object)
{
  SpLibraryMonitor *self = SP_LIBRARY_MONITOR (object);

  g_clear_object (&self->libraries);
  g_clear_object (&self->refused);
  g_clear_pointer (&self->by_candidate, g_hash_table_unref);
  g_clear_pointer (&self->locations, g_hash_table_unref);
  g_clear_pointer (&self->problems, g_strfreev);

  G_OBJECT_CLASS (sp_library_monitor_parent_class)->finalize (object);
}

static void
sp_library_monitor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SpLibraryMonitor *self = SP_LIBRARY_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SCANNING:
      g_value_set_boolean (value, sp_library_monitor_get_scanning (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_library_monitor_class_init (SpLibraryMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_library_monitor_dispose;
  object_class->finalize = sp_library_monitor_finalize;
  object_class->get_property = sp_library_monitor_get_property;

  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_library_monitor_init (SpLibraryMonitor *self)
{
  self->libraries = g_list_store_new (SP_TYPE_LIBRARY);
  self->refused = g_list_store_new (SP_TYPE_REFUSED_LIBRARY);
  self->by_candidate = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->locations = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->problems = g_new0 (char *, 1);
  self->cancellable = g_cancellable_new ();
}

SpLibraryMonitor *
sp_library_monitor_new (GSettings *settings)
{
  SpLibraryMonitor *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_LIBRARY_MONITOR, NULL);
  self->settings = g_object_ref (settings);
  self->volume_monitor = g_volume_monitor_get ();

  g_signal_connect_swapped (self->volume_monitor, "mount-added", G_CALLBACK (mounts_changed_cb), self);
  g_signal_connect_swapped (self->volume_monitor, "mount-removed", G_CALLBACK (mounts_changed_cb), self);
  g_signal_connect_swapped (self->volume_monitor, "mount-changed", G_CALLBACK (mounts_changed_cb), self);
  g_signal_connect_swapped (self->settings, "changed::library-folders", G_CALLBACK (mounts_changed_cb), self);
  g_signal_connect_swapped (self->settings, "changed::show-demo-library", G_CALLBACK (mounts_changed_cb), self);

  start_scan (self);
  return self;
}

GListModel *
sp_library_monitor_get_libraries (SpLibraryMonitor *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (self), NULL);
  return G_LIST_MODEL (self->libraries);
}

gboolean
sp_library_monitor_get_scanning (SpLibraryMonitor *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (self), FALSE);
  return self->scanning || !self->first_done;
}

const char *
sp_library_monitor_get_location (SpLibraryMonitor *self,
                                 SpLibrary        *library)
{
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (self), NULL);
  return g_hash_table_lookup (self->locations, library);
}

gboolean
sp_library_monitor_is_demo (SpLibraryMonitor *self,
                            SpLibrary        *library)
{
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (self), FALSE);
  return library != NULL && library == self->demo;
}

void
sp_library_monitor_refresh (SpLibraryMonitor *self)
{
  g_return_if_fail (SP_IS_LIBRARY_MONITOR (self));
  start_scan (self);
}

void
sp_library_monitor_add_folder (SpLibraryMonitor *self,
                               const char       *folder)
{
  g_auto(GStrv) folders = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  g_return_if_fail (SP_IS_LIBRARY_MONITOR (self));
  g_return_if_fail (folder != NULL);

  folders = g_settings_get_strv (self->settings, "library-folders");
  if (g_strv_contains ((const char * const *) folders, folder))
    {
      start_scan (self);
      return;
    }
  g_strv_builder_addv (builder, (const char **) folders);
  g_strv_builder_add (builder, folder);
  result = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "library-folders", (const char * const *) result);
}

void
sp_library_monitor_remove_folder (SpLibraryMonitor *self,
                                  const char       *folder)
{
  g_auto(GStrv) folders = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  g_return_if_fail (SP_IS_LIBRARY_MONITOR (self));
  g_return_if_fail (folder != NULL);

  folders = g_settings_get_strv (self->settings, "library-folders");
  for (guint i = 0; folders[i] != NULL; i++)
    if (g_strcmp0 (folders[i], folder) != 0)
      g_strv_builder_add (builder, folders[i]);
  result = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "library-folders", (const char * const *) result);
}

const char * const *
sp_library_monitor_get_problems (SpLibraryMonitor *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (self), NULL);
  return (const char * const *) self->problems;
}

GListModel *
sp_library_monitor_get_refused (SpLibraryMonitor *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (self), NULL);
  return G_LIST_MODEL (self->refused);
}
