/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-library.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sp-keyfile.h"
#include "sp-slug.h"
#include "sp-util.h"

#define LIBRARY_GROUP "Library"
#define GAME_GROUP "Game"
#define STATE_GROUP "State"

G_DEFINE_QUARK (sp-library-error-quark, sp_library_error)

struct _SpLibrary
{
  GObject     parent_instance;

  char       *path;
  char       *games_path;
  char       *ini_path;
  char       *id;
  char       *name;
  guint       version;
  gboolean    read_only;
  char       *warning;
  GKeyFile   *key_file;

  GListStore *games;
  GPtrArray  *problems;     /* NULL-terminated */

  GMutex      reserved_lock;
  GHashTable *reserved;     /* slugs of games being added */
};

G_DEFINE_FINAL_TYPE (SpLibrary, sp_library, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_ID,
  PROP_NAME,
  PROP_VERSION,
  PROP_READ_ONLY,
  PROP_WARNING,
  PROP_GAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sp_library_finalize (GObject *object)
{
  SpLibrary *self = (SpLibrary *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->games_path, g_free);
  g_clear_pointer (&self->ini_path, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->warning, g_free);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_object (&self->games);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->reserved, g_hash_table_unref);
  g_mutex_clear (&self->reserved_lock);

  G_OBJECT_CLASS (sp_library_parent_class)->finalize (object);
}

static void
sp_library_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpLibrary *self = SP_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_VERSION:
      g_value_set_uint (value, self->version);
      break;
    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;
    case PROP_WARNING:
      g_value_set_string (value, self->warning);
      break;
    case PROP_GAMES:
      g_value_set_object (value, self->games);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_library_class_init (SpLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = sp_library_finalize;
  object_class->get_property = sp_library_get_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_VERSION] = g_param_spec_uint ("version", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, ro);
  properties[PROP_WARNING] = g_param_spec_string ("warning", NULL, NULL, NULL, ro);
  properties[PROP_GAMES] = g_param_spec_object ("games", NULL, NULL, G_TYPE_LIST_MODEL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_library_init (SpLibrary *self)
{
  self->games = g_list_store_new (SP_TYPE_GAME);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->problems, NULL);
  g_mutex_init (&self->reserved_lock);
  self->reserved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
add_problem (SpLibrary  *self,
             const char *message)
{
  g_ptr_array_insert (self->problems, self->problems->len - 1, g_strdup (message));
}

static gboolean
check_writable (SpLibrary  *self,
                GError    **error)
{
  if (!self->read_only)
    return TRUE;
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY,
               _("The library “%s” is open read-only: it was written by a newer Savepoint "
                 "(library version %u; this one understands %u). Nothing was changed. "
                 "Update Savepoint to change it."),
               self->path, self->version, SP_LIBRARY_VERSION);
  return FALSE;
}

static int
compare_games (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SpGame *ga = (SpGame *)a;
  SpGame *gb = (SpGame *)b;
  g_autofree char *na = g_utf8_casefold (sp_game_get_name (ga), -1);
  g_autofree char *nb = g_utf8_casefold (sp_game_get_name (gb), -1);
  int r = g_utf8_collate (na, nb);

  if (r != 0)
    return r;
  return strcmp (sp_game_get_slug (ga), sp_game_get_slug (gb));
}

static int
compare_games_ptr (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  return compare_games (*(gpointer *)a, *(gpointer *)b, user_data);
}

/* Keeps the list sorted when a game is renamed. */
static void
game_name_changed_cb (SpGame     *game,
                      GParamSpec *pspec,
                      SpLibrary  *self)
{
  guint pos;

  if (!g_list_store_find (self->games, game, &pos))
    return;
  g_object_ref (game);
  g_list_store_remove (self->games, pos);
  g_list_store_insert_sorted (self->games, game, compare_games, NULL);
  g_object_unref (game);
}

static void
watch_game (SpLibrary *self,
            SpGame    *game)
{
  g_signal_connect_object (game, "notify::name", G_CALLBACK (game_name_changed_cb), self, 0);
}

static gboolean
load_ini (SpLibrary  *self,
          GError    **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *id = NULL;
  gint64 version = 0;

  kf = sp_key_file_load (self->ini_path, error);
  if (kf == NULL)
    return FALSE;
  if (!g_key_file_has_key (kf, LIBRARY_GROUP, "Version", NULL))
    {
      sp_key_file_set_error (error, self->ini_path, NULL, LIBRARY_GROUP, NULL,
                             _("the key “Version” in [Library] is missing. Add "
                               "“Version=1” with a text editor."));
      return FALSE;
    }
  if (!sp_key_file_get_int64 (kf, self->ini_path, LIBRARY_GROUP, "Version", 0, &version, error))
    return FALSE;
  if (version < 1 || version > G_MAXINT)
    {
      sp_key_file_set_error (error, self->ini_path, NULL, LIBRARY_GROUP, "Version",
                             _("Version %" G_GINT64_FORMAT " is not a library version. "
                               "Set it to 1 with a text editor."), version);
      return FALSE;
    }
  id = sp_key_file_get_string_required (kf, self->ini_path, LIBRARY_GROUP, "Id", error);
  if (id == NULL)
    return FALSE;

  g_free (self->id);
  self->id = g_strdup (g_strstrip (id));
  g_free (self->name);
  self->name = sp_key_file_get_string_or_null (kf, LIBRARY_GROUP, "Name");
  if (self->name == NULL)
    self->name = g_strdup (_("Savepoint Library"));
  self->version = (guint) version;
  self->read_only = version > SP_LIBRARY_VERSION;
  g_clear_pointer (&self->warning, g_free);
  if (self->read_only)
    self->warning = g_strdup_printf (_("The library “%s” was written by a newer Savepoint "
                                       "(library version %u; this one understands %u). It is "
                                       "open read-only: you can look but not change anything. "
                                       "Update Savepoint to use it fully."),
                                     self->path, self->version, SP_LIBRARY_VERSION);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  self->key_file = g_steal_pointer (&kf);
  return TRUE;
}

/* TRUE if @name is the temporary folder of an add running in this process. */
static gboolean
is_being_added (SpLibrary  *self,
                const char *name)
{
  g_autofree char *slug = g_strdup (name + 1);
  char *end = strstr (slug, ".partial-");
  gboolean found;

  if (end == NULL)
    return FALSE;
  *end = '\0';
  g_mutex_lock (&self->reserved_lock);
  found = g_hash_table_contains (self->reserved, slug);
  g_mutex_unlock (&self->reserved_lock);
  return found;
}

static void
load_games (SpLibrary *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  const char *name;

  g_ptr_array_set_size (self->problems, 0);
  g_ptr_array_add (self->problems, NULL);

  dir = g_dir_open (self->games_path, 0, &error);
  if (dir == NULL)
    add_problem (self, error->message);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->games_path, name, NULL);
      g_autofree char *ini = g_build_filename (path, "game.ini", NULL);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(SpGame) game = NULL;

      if (name[0] == '.')
        {
          if (strstr (name, ".partial-") != NULL && !is_being_added (self, name))
            {
              g_autofree char *msg =
                g_strdup_printf (_("“%s” was left by an interrupted “add game”. If no "
                                   "game is being added right now, remove it (an adopted "
                                   "folder is inside it, in base/)."), path);
              add_problem (self, msg);
            }
          continue;
        }
      if (!g_file_test (ini, G_FILE_TEST_IS_REGULAR))
        continue;
      game = sp_game_load (path, self->read_only, &local_error);
      if (game == NULL)
        {
          add_problem (self, local_error->message);
          continue;
        }
      for (const char * const *p = sp_game_get_problems (game); *p; p++)
        add_problem (self, *p);
      watch_game (self, game);
      g_ptr_array_add (items, g_steal_pointer (&game));
    }

  g_ptr_array_sort_with_data (items, compare_games_ptr, NULL);
  g_list_store_splice (self->games, 0, g_list_model_get_n_items (G_LIST_MODEL (self->games)),
                       items->pdata, items->len);
}

gboolean
sp_library_reload (SpLibrary  *self,
                   GError    **error)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), FALSE);

  if (!load_ini (self, error))
    return FALSE;
  load_games (self);

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_ID; i <= PROP_WARNING; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

SpLibrary *
sp_library_open (const char  *path,
                 GError     **error)
{
  g_autoptr(SpLibrary) self = NULL;
  g_autofree char *direct = NULL;
  g_autofree char *nested = NULL;
  g_autofree char *abs = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  abs = g_canonicalize_filename (path, NULL);
  direct = g_build_filename (abs, "library.ini", NULL);
  nested = g_build_filename (abs, "Savepoint", "library.ini", NULL);

  self = g_object_new (SP_TYPE_LIBRARY, NULL);
  if (g_file_test (direct, G_FILE_TEST_EXISTS))
    self->path = g_strdup (abs);
  else if (g_file_test (nested, G_FILE_TEST_EXISTS))
    self->path = g_build_filename (abs, "Savepoint", NULL);
  else
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                   _("There is no Savepoint library in “%s” (no library.ini there or in "
                     "Savepoint/). Create one with “savepoint-cli init %s”."), abs, abs);
      return NULL;
    }
  self->games_path = g_build_filename (self->path, "games", NULL);
  self->ini_path = g_build_filename (self->path, "library.ini", NULL);

  if (!load_ini (self, error))
    return NULL;
  load_games (self);
  return g_steal_pointer (&self);
}

SpLibrary *
sp_library_create (const char  *drive_dir,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *abs = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *games = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  g_return_val_if_fail (drive_dir != NULL, NULL);

  abs = g_canonicalize_filename (drive_dir, NULL);
  if (!g_file_test (abs, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                   _("“%s” is not a folder. Give the folder of a mounted drive."), abs);
      return NULL;
    }
  dir = g_build_filename (abs, "Savepoint", NULL);
  games = g_build_filename (dir, "games", NULL);
  ini = g_build_filename (dir, "library.ini", NULL);
  if (g_file_test (ini, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS,
                   _("There is already a Savepoint library in “%s”. Open it instead."), dir);
      return NULL;
    }
  for (const char *d = dir; d != NULL; d = (d == dir ? games : NULL))
    if (g_mkdir (d, 0755) != 0 && errno != EEXIST)
      {
        int saved = errno;
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Cannot create the folder “%s”: %s"), d, g_strerror (saved));
        return NULL;
      }

  uuid = g_uuid_string_random ();
  g_key_file_set_integer (kf, LIBRARY_GROUP, "Version", SP_LIBRARY_VERSION);
  g_key_file_set_string (kf, LIBRARY_GROUP, "Id", uuid);
  g_key_file_set_string (kf, LIBRARY_GROUP, "Name",
                         name && *name ? name : _("Savepoint Library"));
  if (!sp_fsync_directory (dir, error) || !sp_key_file_save (kf, ini, error))
    return NULL;
  return sp_library_open (dir, error);
}

const char *
sp_library_get_path (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return self->path;
}

const char *
sp_library_get_games_path (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return self->games_path;
}

const char *
sp_library_get_id (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return self->id;
}

const char *
sp_library_get_name (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return self->name;
}

guint
sp_library_get_version (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), 0);
  return self->version;
}

gboolean
sp_library_get_read_only (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), TRUE);
  return self->read_only;
}

const char *
sp_library_get_warning (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return self->warning;
}

const char * const *
sp_library_get_problems (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return (const char * const *) self->problems->pdata;
}

GListModel *
sp_library_get_games (SpLibrary *self)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  return G_LIST_MODEL (self->games);
}

gboolean
sp_library_set_name (SpLibrary   *self,
                     const char  *name,
                     GError     **error)
{
  g_return_val_if_fail (SP_IS_LIBRARY (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("A library needs a non-empty name."));
      return FALSE;
    }
  g_key_file_set_string (self->key_file, LIBRARY_GROUP, "Name", name);
  if (!sp_key_file_save (self->key_file, self->ini_path, error))
    {
      g_key_file_set_string (self->key_file, LIBRARY_GROUP, "Name", self->name);
      return FALSE;
    }
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  return TRUE;
}

SpGame *
sp_library_find_game (SpLibrary  *self,
                      const char *slug_or_name)
{
  g_autofree char *folded = NULL;
  guint n;

  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);

  if (slug_or_name == NULL)
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->games));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpGame) game = g_list_model_get_item (G_LIST_MODEL (self->games), i);
      if (g_strcmp0 (sp_game_get_slug (game), slug_or_name) == 0)
        return game;
    }
  folded = g_utf8_casefold (slug_or_name, -1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpGame) game = g_list_model_get_item (G_LIST_MODEL (self->games), i);
      g_autofree char *name = g_utf8_casefold (sp_game_get_name (game), -1);
      if (g_strcmp0 (name, folded) == 0)
        return game;
    }
  return NULL;
}

/* Called with reserved_lock held. */
static gboolean
slug_taken_cb (const char *slug,
               gpointer    user_data)
{
  SpLibrary *self = user_data;
  g_autofree char *path = g_build_filename (self->games_path, slug, NULL);
  struct stat st;

  return g_hash_table_contains (self->reserved, slug) || lstat (path, &st) == 0;
}

char *
sp_library_suggest_slug (SpLibrary  *self,
                         const char *name)
{
  char *slug;

  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);

  g_mutex_lock (&self->reserved_lock);
  slug = sp_slug_make_unique (name, slug_taken_cb, self);
  g_mutex_unlock (&self->reserved_lock);
  return slug;
}

static char *
reserve_slug (SpLibrary  *self,
              const char *name)
{
  char *slug;

  g_mutex_lock (&self->reserved_lock);
  slug = sp_slug_make_unique (name, slug_taken_cb, self);
  g_hash_table_add (self->reserved, g_strdup (slug));
  g_mutex_unlock (&self->reserved_lock);
  return slug;
}

static void
release_slug (SpLibrary  *self,
              const char *slug)
{
  g_mutex_lock (&self->reserved_lock);
  g_hash_table_remove (self->reserved, slug);
  g_mutex_unlock (&self->reserved_lock);
}

/* Adding a game */

typedef struct
{
  SpLibrary          *library;
  char               *games_path;
  char               *library_path;

  char               *name;
  SpGameKind          kind;
  char               *executable;
  GStrv               arguments;
  char               *working_directory;
  GStrv               environment;
  char               *runner;
  char               *home;
  char               *icon;

  char               *source_dir;
  SpAddMode           mode;
  char               *slug;

  SpCopyProgressFunc  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_data_destroy;

  /* async progress, handed from the worker to the caller's context */
  GMutex              lock;
  GMainContext       *context;
  gboolean            idle_pending;
  guint64             values[4];
  guint64             delivered[4];
  gboolean            have_values;
} AddData;

static void
add_data_clear (AddData *data)
{
  if (data->slug != NULL)
    release_slug (data->library, data->slug);
  g_clear_object (&data->library);
  g_free (data->games_path);
  g_free (data->library_path);
  g_free (data->name);
  g_free (data->executable);
  g_strfreev (data->arguments);
  g_free (data->working_directory);
  g_strfreev (data->environment);
  g_free (data->runner);
  g_free (data->home);
  g_free (data->icon);
  g_free (data->source_dir);
  g_free (data->slug);
  if (data->progress_data_destroy)
    data->progress_data_destroy (data->progress_data);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_mutex_clear (&data->lock);
}

static void
add_data_unref (AddData *data)
{
  g_rc_box_release_full (data, (GDestroyNotify) add_data_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AddData, add_data_unref)

static gboolean
validate_info (const SpGameInfo  *info,
               GError           **error)
{
  if (info->name == NULL || *info->name == '\0' || !g_utf8_validate (info->name, -1, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("A game needs a name (non-empty text)."));
      return FALSE;
    }
  if (info->executable == NULL || *info->executable == '\0')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The game “%s” needs an executable: give the program to start, relative "
                     "to its folder (or to the Wine prefix)."), info->name);
      return FALSE;
    }
  if (info->executable[0] == '/' && info->kind == SP_GAME_KIND_NATIVE)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The executable “%s” must be relative to the game’s folder, not an "
                     "absolute path."), info->executable);
      return FALSE;
    }
  for (const char * const *e = info->environment; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq == NULL || eq == *e)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The environment entry “%s” is not of the form KEY=VALUE."), *e);
          return FALSE;
        }
    }
  return TRUE;
}

static AddData *
add_data_new (SpLibrary          *self,
              const SpGameInfo   *info,
              const char         *source_dir,
              SpAddMode           mode,
              SpCopyProgressFunc  progress,
              gpointer            progress_data,
              GDestroyNotify      progress_data_destroy)
{
  AddData *data = g_rc_box_new0 (AddData);

  g_mutex_init (&data->lock);
  data->library = g_object_ref (self);
  data->games_path = g_strdup (self->games_path);
  data->library_path = g_strdup (self->path);
  data->name = g_strdup (info->name);
  data->kind = info->kind;
  data->executable = g_strdup (info->executable);
  data->arguments = g_strdupv ((char **) info->arguments);
  data->working_directory = g_strdup (info->working_directory);
  data->environment = g_strdupv ((char **) info->environment);
  data->runner = g_strdup (info->runner);
  data->home = g_strdup (info->home);
  data->icon = g_strdup (info->icon);
  data->source_dir = g_canonicalize_filename (source_dir, NULL);
  data->mode = mode;
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_data_destroy = progress_data_destroy;
  return data;
}

typedef struct
{
  GHashTable         *links;        /* "dev:ino" → destination path */
  guint64             bytes_done;
  guint64             bytes_total;
  guint64             files_done;
  guint64             files_total;
  SpCopyProgressFunc  progress;
  gpointer            progress_data;
  GCancellable       *cancellable;
  guint8             *buf;
} CopyContext;

#define COPY_CHUNK (4 * 1024 * 1024)

static gboolean
errno_error (GError     **error,
             int          saved,
             const char  *format,
             const char  *path)
{
  if (saved == ENOSPC || saved == EDQUOT)
    g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                 _("Copying to “%s” failed: the drive is full. Free some space and try "
                   "again."), path);
  else
    {
      g_autofree char *what = g_strdup_printf (format, path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s",
                   what, g_strerror (saved));
    }
  return FALSE;
}

static void
report (CopyContext *ctx)
{
  if (ctx->progress)
    ctx->progress (ctx->bytes_done, ctx->bytes_total, ctx->files_done, ctx->files_total,
                   ctx->progress_data);
}

static gboolean
count_tree (const char    *path,
            CopyContext   *ctx,
            GHashTable    *seen,
            GError       **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;

      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      if (lstat (child, &st) != 0)
        return errno_error (error, errno, _("Cannot read “%s”"), child);
      ctx->files_total++;
      if (S_ISREG (st.st_mode))
        {
          if (st.st_nlink > 1)
            {
              char *key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
              if (!g_hash_table_add (seen, key))
                continue;
            }
          ctx->bytes_total += st.st_size;
        }
      else if (S_ISDIR (st.st_mode) && !count_tree (child, ctx, seen, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
copy_xattrs (const char  *from,
             const char  *to,
             GError     **error)
{
  g_autofree char *names = NULL;
  ssize_t len = llistxattr (from, NULL, 0);

  if (len <= 0)
    return TRUE;
  names = g_malloc (len);
  len = llistxattr (from, names, len);
  for (ssize_t off = 0; len > 0 && off < len; off += strlen (names + off) + 1)
    {
      const char *n = names + off;
      g_autofree char *value = NULL;
      ssize_t vlen;

      if (!g_str_has_prefix (n, "user."))
        continue;
      vlen = lgetxattr (from, n, NULL, 0);
      if (vlen < 0)
        continue;
      value = g_malloc (vlen + 1);
      vlen = lgetxattr (from, n, value, vlen);
      if (vlen < 0)
        continue;
      if (lsetxattr (to, n, value, vlen, 0) != 0 && errno != ENOTSUP && errno != EPERM)
        return errno_error (error, errno, _("Cannot copy extended attributes to “%s”"), to);
    }
  return TRUE;
}

static gboolean
copy_file_data (int           in_fd,
                int           out_fd,
                const char   *to,
                CopyContext  *ctx,
                GError      **error)
{
  gboolean use_cfr = TRUE;

  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      if (use_cfr)
        {
          n = copy_file_range (in_fd, NULL, out_fd, NULL, COPY_CHUNK, 0);
          if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                        errno == EOPNOTSUPP || errno == EBADF))
            {
              use_cfr = FALSE;
              continue;
            }
        }
      else
        {
          n = read (in_fd, ctx->buf, COPY_CHUNK);
          if (n > 0)
            {
              ssize_t done = 0;
              while (done < n)
                {
                  ssize_t w = write (out_fd, ctx->buf + done, n - done);
                  if (w < 0 && errno == EINTR)
                    continue;
                  if (w < 0)
                    return errno_error (error, errno, _("Cannot write “%s”"), to);
                  done += w;
                }
            }
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno_error (error, errno, _("Cannot copy to “%s”"), to);
      if (n == 0)
        return TRUE;
      ctx->bytes_done += n;
      report (ctx);
    }
}

static gboolean copy_tree (const char *from, const char *to, CopyContext *ctx, GError **error);

static gboolean
copy_entry (const char   *from,
            const char   *to,
            struct stat  *st,
            CopyContext  *ctx,
            GError      **error)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (S_ISDIR (st->st_mode))
    {
      if (g_mkdir (to, 0700) != 0)
        return errno_error (error, errno, _("Cannot create the folder “%s”"), to);
      if (!copy_tree (from, to, ctx, error))
        return FALSE;
      if (!copy_xattrs (from, to, error))
        return FALSE;
      if (geteuid () == 0)
        (void) lchown (to, st->st_uid, st->st_gid);
      if (chmod (to, st->st_mode & 07777) != 0)
        return errno_error (error, errno, _("Cannot set the permissions of “%s”"), to);
      if (utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW) != 0)
        return errno_error (error, errno, _("Cannot set the times of “%s”"), to);
    }
  else if (S_ISREG (st->st_mode))
    {
      g_autofree char *key = NULL;
      int in_fd, out_fd;
      gboolean ok;

      if (st->st_nlink > 1)
        {
          const char *first;

          key = g_strdup_printf ("%ju:%ju", (uintmax_t) st->st_dev, (uintmax_t) st->st_ino);
          first = g_hash_table_lookup (ctx->links, key);
          if (first != NULL)
            {
              if (link (first, to) != 0)
                return errno_error (error, errno, _("Cannot create the hard link “%s”"), to);
              return TRUE;
            }
        }
      in_fd = open (from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (in_fd < 0)
        return errno_error (error, errno, _("Cannot read “%s”"), from);
      out_fd = open (to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (out_fd < 0)
        {
          int saved = errno;
          close (in_fd);
          return errno_error (error, saved, _("Cannot create “%s”"), to);
        }
      ok = copy_file_data (in_fd, out_fd, to, ctx, error);
      close (in_fd);
      if (ok && geteuid () == 0)
        (void) fchown (out_fd, st->st_uid, st->st_gid);
      if (ok && fchmod (out_fd, st->st_mode & 07777) != 0)
        ok = errno_error (error, errno, _("Cannot set the permissions of “%s”"), to);
      if (ok && futimens (out_fd, times) != 0)
        ok = errno_error (error, errno, _("Cannot set the times of “%s”"), to);
      if (close (out_fd) != 0 && ok)
        ok = errno_error (error, errno, _("Cannot write “%s”"), to);
      if (ok)
        ok = copy_xattrs (from, to, error);
      if (ok && key != NULL)
        g_hash_table_insert (ctx->links, g_steal_pointer (&key), g_strdup (to));
      if (!ok)
        return FALSE;
    }
  else if (S_ISLNK (st->st_mode))
    {
      g_autofree char *target = g_file_read_link (from, error);

      if (target == NULL)
        return FALSE;
      if (symlink (target, to) != 0)
        {
          if (errno == EPERM || errno == EOPNOTSUPP)
            {
              g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("Cannot create the symbolic link “%s”: the drive’s file system "
                             "does not support symbolic links (FAT or exFAT?). Use a drive "
                             "formatted as ext4, btrfs or XFS."), to);
              return FALSE;
            }
          return errno_error (error, errno, _("Cannot create the symbolic link “%s”"), to);
        }
      if (geteuid () == 0)
        (void) lchown (to, st->st_uid, st->st_gid);
      utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW);
    }
  else if (S_ISFIFO (st->st_mode))
    {
      if (mkfifo (to, st->st_mode & 07777) != 0)
        return errno_error (error, errno, _("Cannot create “%s”"), to);
      utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW);
    }
  else if (S_ISSOCK (st->st_mode))
    {
      /* A socket is a leftover of a running program, not part of an install. */
      return TRUE;
    }
  else
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is a device node, which cannot be part of a game. Remove it from "
                     "the folder and try again."), from);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_tree (const char   *from,
           const char   *to,
           CopyContext  *ctx,
           GError      **error)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      struct stat st;

      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      if (lstat (src, &st) != 0)
        return errno_error (error, errno, _("Cannot read “%s”"), src);
      if (!copy_entry (src, dst, &st, ctx, error))
        return FALSE;
      ctx->files_done++;
      report (ctx);
    }
  return TRUE;
}

static gboolean
is_inside (const char *path,
           const char *dir)
{
  gsize len = strlen (dir);

  return strcmp (path, dir) == 0 ||
         (strncmp (path, dir, len) == 0 && (path[len] == '/' || dir[len - 1] == '/'));
}

static gboolean
write_game_ini (AddData     *data,
                const char  *path,
                GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  g_key_file_set_string (kf, GAME_GROUP, "Name", data->name);
  g_key_file_set_string (kf, GAME_GROUP, "Kind", sp_game_kind_to_string (data->kind));
  g_key_file_set_string (kf, GAME_GROUP, "Executable", data->executable);
  if (data->arguments && data->arguments[0])
    g_key_file_set_string_list (kf, GAME_GROUP, "Arguments",
                                (const char * const *) data->arguments,
                                g_strv_length (data->arguments));
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "WorkingDirectory", data->working_directory);
  if (data->environment && data->environment[0])
    g_key_file_set_string_list (kf, GAME_GROUP, "Environment",
                                (const char * const *) data->environment,
                                g_strv_length (data->environment));
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Runner", data->runner);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Home", data->home);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Icon", data->icon);
  g_key_file_set_string (kf, STATE_GROUP, "Head", "");
  return sp_key_file_save (kf, path, error);
}

static gboolean
sync_file_system (const char  *path,
                  GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return errno_error (error, errno, _("Cannot open “%s”"), path);
  if (syncfs (fd) != 0)
    {
      int saved = errno;
      close (fd);
      return errno_error (error, saved, _("Cannot write the copy to “%s”"), path);
    }
  close (fd);
  return TRUE;
}

/* The file work of adding a game; runs in any thread. Returns the game's
 * folder. */
static char *
add_game_files (AddData             *data,
                SpCopyProgressFunc   progress,
                gpointer             progress_data,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autofree char *real_source = NULL;
  g_autofree char *real_library = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *base = NULL;
  g_autofree char *checkpoints = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *dest = NULL;
  struct stat st, games_st;
  gboolean moved = FALSE;
  GError *local_error = NULL;

  if (lstat (data->source_dir, &st) != 0 ||
      !(S_ISDIR (st.st_mode) || (data->mode == SP_ADD_MODE_COPY && S_ISLNK (st.st_mode) &&
                                 g_file_test (data->source_dir, G_FILE_TEST_IS_DIR))))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder. Give the folder that holds the game’s clean "
                     "install."), data->source_dir);
      return NULL;
    }
  real_source = realpath (data->source_dir, NULL);
  real_library = realpath (data->library_path, NULL);
  if (real_source == NULL || real_library == NULL)
    {
      errno_error (error, errno, _("Cannot resolve “%s”"), data->source_dir);
      return NULL;
    }
  if (is_inside (real_source, real_library) || is_inside (real_library, real_source))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” overlaps the library folder “%s”. Give a folder outside the "
                     "Savepoint folder."), data->source_dir, data->library_path);
      return NULL;
    }
  if (stat (data->games_path, &games_st) != 0)
    {
      errno_error (error, errno, _("Cannot open the games folder “%s”"), data->games_path);
      return NULL;
    }
  if (data->mode == SP_ADD_MODE_ADOPT && games_st.st_dev != st.st_dev)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not on the same drive (file system) as the library “%s”, so it "
                     "cannot be adopted in place. Copy it instead."),
                   data->source_dir, data->library_path);
      return NULL;
    }

  {
    g_autofree char *tmpl = g_strdup_printf (".%s.partial-XXXXXX", data->slug);
    tmp = g_build_filename (data->games_path, tmpl, NULL);
  }
  if (g_mkdtemp_full (tmp, 0755) == NULL)
    {
      errno_error (error, errno, _("Cannot create a folder in “%s”"), data->games_path);
      return NULL;
    }
  base = g_build_filename (tmp, "base", NULL);
  checkpoints = g_build_filename (tmp, "checkpoints", NULL);
  ini = g_build_filename (tmp, "game.ini", NULL);
  dest = g_build_filename (data->games_path, data->slug, NULL);

  if (data->mode == SP_ADD_MODE_COPY)
    {
      CopyContext ctx = { 0 };
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      gboolean ok;

      ctx.links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      ctx.progress = progress;
      ctx.progress_data = progress_data;
      ctx.cancellable = cancellable;
      ctx.buf = g_malloc (COPY_CHUNK);

      ok = count_tree (real_source, &ctx, seen, &local_error);
      if (ok)
        {
          report (&ctx);
          stat (real_source, &st);
          ok = copy_entry (real_source, base, &st, &ctx, &local_error);
        }
      if (ok)
        report (&ctx);
      g_hash_table_unref (ctx.links);
      g_free (ctx.buf);
      if (!ok)
        goto fail;
    }
  else
    {
      if (rename (data->source_dir, base) != 0)
        {
          errno_error (&local_error, errno, _("Cannot move the folder into “%s”"), base);
          goto fail;
        }
      moved = TRUE;
    }

  if (g_mkdir (checkpoints, 0755) != 0)
    {
      errno_error (&local_error, errno, _("Cannot create the folder “%s”"), checkpoints);
      goto fail;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto fail;
  /* The copied files must be on the drive before game.ini says they are. */
  if (!sync_file_system (tmp, &local_error) ||
      !write_game_ini (data, ini, &local_error) ||
      !sp_fsync_directory (tmp, &local_error))
    goto fail;

  if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) != 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY)
        g_set_error (&local_error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS,
                     _("“%s” appeared while the game was being added. Try again."), dest);
      else
        errno_error (&local_error, errno, _("Cannot rename the new game to “%s”"), dest);
      goto fail;
    }
  if (!sp_fsync_directory (data->games_path, &local_error))
    {
      /* The game is in place; report the sync failure but keep it. */
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&dest);

fail:
  if (moved && rename (base, data->source_dir) != 0)
    {
      g_prefix_error (&local_error,
                      _("The folder could not be moved back; it is now “%s”. "), base);
      g_propagate_error (error, local_error);
      return NULL;
    }
  sp_remove_tree (tmp, NULL, NULL);
  g_propagate_error (error, local_error);
  return NULL;
}

static SpGame *
finish_add (SpLibrary   *self,
            const char  *path,
            GError     **error)
{
  g_autoptr(SpGame) game = sp_game_load (path, self->read_only, error);

  if (game == NULL)
    return NULL;
  g_list_store_insert_sorted (self->games, game, compare_games, NULL);
  watch_game (self, game);
  return g_steal_pointer (&game);
}

SpGame *
sp_library_add_game_sync (SpLibrary           *self,
                          const SpGameInfo    *info,
                          const char          *source_dir,
                          SpAddMode            mode,
                          SpCopyProgressFunc   progress,
                          gpointer             progress_data,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(AddData) data = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (source_dir != NULL, NULL);

  if (!check_writable (self, error) || !validate_info (info, error))
    return NULL;
  data = add_data_new (self, info, source_dir, mode, NULL, NULL, NULL);
  data->slug = reserve_slug (self, info->name);
  path = add_game_files (data, progress, progress_data, cancellable, error);
  if (path == NULL)
    return NULL;
  return finish_add (self, path, error);
}

static gboolean
deliver_progress (AddData *data)
{
  guint64 v[4];
  gboolean changed;

  g_mutex_lock (&data->lock);
  data->idle_pending = FALSE;
  memcpy (v, data->values, sizeof v);
  changed = data->have_values && memcmp (v, data->delivered, sizeof v) != 0;
  memcpy (data->delivered, v, sizeof v);
  g_mutex_unlock (&data->lock);

  if (changed && data->progress)
    data->progress (v[0], v[1], v[2], v[3], data->progress_data);
  return G_SOURCE_REMOVE;
}

static void
thread_progress_cb (guint64  bytes_done,
                    guint64  bytes_total,
                    guint64  files_done,
                    guint64  files_total,
                    gpointer user_data)
{
  AddData *data = user_data;
  gboolean schedule;

  g_mutex_lock (&data->lock);
  data->values[0] = bytes_done;
  data->values[1] = bytes_total;
  data->values[2] = files_done;
  data->values[3] = files_total;
  data->have_values = TRUE;
  schedule = !data->idle_pending;
  data->idle_pending = TRUE;
  g_mutex_unlock (&data->lock);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, (GSourceFunc) deliver_progress,
                             g_rc_box_acquire (data), (GDestroyNotify) add_data_unref);
      g_source_attach (source, data->context);
    }
}

static void
add_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  AddData *data = task_data;
  GError *error = NULL;
  char *path;

  path = add_game_files (data, data->progress ? thread_progress_cb : NULL, data,
                         cancellable, &error);
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

static void
add_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SpLibrary *self = SP_LIBRARY (source);
  g_autoptr(GTask) outer = user_data;
  AddData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *path = NULL;
  GError *error = NULL;
  SpGame *game;

  /* The last progress values reach the caller before the result. */
  deliver_progress (data);

  path = g_task_propagate_pointer (G_TASK (result), &error);
  if (path == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  game = finish_add (self, path, &error);
  if (game == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, game, g_object_unref);
}

void
sp_library_add_game_async (SpLibrary           *self,
                           const SpGameInfo    *info,
                           const char          *source_dir,
                           SpAddMode            mode,
                           SpCopyProgressFunc   progress,
                           gpointer             progress_data,
                           GDestroyNotify       progress_data_destroy,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  GError *error = NULL;
  AddData *data;

  g_return_if_fail (SP_IS_LIBRARY (self));
  g_return_if_fail (info != NULL);
  g_return_if_fail (source_dir != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, sp_library_add_game_async);
  if (!check_writable (self, &error) || !validate_info (info, &error))
    {
      if (progress_data_destroy)
        progress_data_destroy (progress_data);
      g_task_return_error (outer, error);
      return;
    }

  data = add_data_new (self, info, source_dir, mode, progress, progress_data,
                       progress_data_destroy);
  data->slug = reserve_slug (self, info->name);
  data->context = g_main_context_ref_thread_default ();

  inner = g_task_new (self, cancellable, add_done_cb, g_steal_pointer (&outer));
  /* Once the game is in place it exists: report it even if the cancellable
   * fires after that point. */
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, data, (GDestroyNotify) add_data_unref);
  g_task_run_in_thread (inner, add_thread);
}

SpGame *
sp_library_add_game_finish (SpLibrary     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sp_library_remove_game_sync (SpLibrary     *self,
                             SpGame        *game,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *tmpl = NULL;
  g_autofree char *trash = NULL;
  guint pos;

  g_return_val_if_fail (SP_IS_LIBRARY (self), FALSE);
  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  if (!g_list_store_find (self->games, game, &pos))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                   _("The game “%s” is not in the library “%s”."),
                   sp_game_get_name (game), self->path);
      return FALSE;
    }

  /* One rename makes the game disappear (and frees its slug); the slow
   * removal happens afterwards. */
  tmpl = g_strdup_printf ("%s/.%s.deleted-%08x", self->games_path, sp_game_get_slug (game),
                          g_random_int ());
  trash = g_steal_pointer (&tmpl);
  if (!sp_rename_durable (sp_game_get_path (game), trash, error))
    return FALSE;
  g_list_store_remove (self->games, pos);
  return sp_remove_tree (trash, cancellable, error);
}
