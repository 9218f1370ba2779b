/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-library-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-disk-usage.h"
#include "sp-keyfile.h"
#include "sp-leftovers.h"
#include "sp-slug.h"
#include "sp-task-private.h"
#include "common/sp-util.h"

#define LIBRARY_GROUP "Library"

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

gboolean
_sp_library_check_writable (SpLibrary  *self,
                            GError    **error)
{
  if (!self->read_only)
    return TRUE;
  if (self->unsafe_driver != NULL)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY,
                   _("The library “%s” is open read-only. %s Nothing was changed."),
                   self->path, self->unsafe_driver);
      return FALSE;
    }
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
                             _("Version %" PRId64 " is not a library version. "
                               "Set it to 1 with a text editor."), version);
      return FALSE;
    }
  id = sp_key_file_get_string_required (kf, self->ini_path, LIBRARY_GROUP, "Id", error);
  if (id == NULL)
    return FALSE;
  /* The Id names this library's run folders on this computer: anything but
   * a UUID could lead a path out of them. */
  g_strstrip (id);
  if (!g_uuid_string_is_valid (id))
    {
      g_autofree char *shown = g_strescape (id, NULL);

      sp_key_file_set_error (error, self->ini_path, NULL, LIBRARY_GROUP, "Id",
                             _("the library Id “%s” is not a UUID (such as "
                               "3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13), so the library is not "
                               "opened. Restore library.ini from a backup, or ask whoever "
                               "made this drive."), shown);
      return FALSE;
    }

  g_free (self->id);
  self->id = g_steal_pointer (&id);
  g_free (self->name);
  self->name = sp_key_file_get_string_or_null (kf, LIBRARY_GROUP, "Name");
  if (self->name == NULL)
    self->name = g_strdup (_("Savepoint Library"));
  self->version = (guint) version;
  self->unsafe_driver = sp_disk_usage_unsafe_driver (self->path);
  self->read_only = version > SP_LIBRARY_VERSION || self->unsafe_driver != NULL;
  g_clear_pointer (&self->warning, g_free);
  if (self->unsafe_driver != NULL && version <= SP_LIBRARY_VERSION)
    self->warning = g_strdup_printf (_("The library “%s” is open read-only: you can look but "
                                       "not change anything. %s"),
                                     self->path, self->unsafe_driver);
  else if (self->read_only)
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

/* @name for a message: valid UTF-8 without control characters. */
static char *
printable_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* TRUE if the entry @name of games/ is a folder that may hold a game: a
 * real folder (not a link) named like a slug. A link, a special file or a
 * badly named folder is reported as a problem of the library and left out;
 * a plain file is not a game and is ignored. */
static gboolean
check_game_folder (SpLibrary  *self,
                   const char *name,
                   const char *path)
{
  g_autofree char *shown = printable_name (name);
  g_autofree char *shown_path = g_build_filename (self->games_path, shown, NULL);
  g_autofree char *msg = NULL;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return FALSE;   /* gone since it was listed */
  if (S_ISLNK (st.st_mode))
    msg = g_strdup_printf (_("“%s” is a symbolic link, not a game folder; it is not loaded. "
                             "Replace the link with the folder itself."), shown_path);
  else if (S_ISREG (st.st_mode))
    return FALSE;
  else if (!S_ISDIR (st.st_mode))
    msg = g_strdup_printf (_("“%s” is a special file (FIFO, device or socket), not a game "
                             "folder; it is not loaded. Remove it."), shown_path);
  else if (!sp_slug_is_valid (name))
    msg = g_strdup_printf (_("“%s” is not a valid game folder name (lower-case letters a–z, "
                             "digits and single dashes, at most %d characters); it is not "
                             "loaded. Rename the folder to load it."),
                           shown_path, SP_SLUG_MAX_LENGTH);
  if (msg != NULL)
    {
      add_problem (self, msg);
      return FALSE;
    }
  return TRUE;
}

/* games/, unless it is a link (then no game is loaded) or cannot be read;
 * both are reported as problems. */
static GDir *
open_games_dir (SpLibrary *self)
{
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  GDir *dir;

  if (g_lstat (self->games_path, &st) == 0 && S_ISLNK (st.st_mode))
    {
      g_autofree char *msg =
        g_strdup_printf (_("“%s” is a symbolic link: the games of a library must be in a "
                           "real folder on the drive, so none are loaded. Replace the "
                           "link with the folder."), self->games_path);
      add_problem (self, msg);
      return NULL;
    }
  dir = g_dir_open (self->games_path, 0, &error);
  if (dir == NULL)
    add_problem (self, error->message);
  return dir;
}

static void
load_games (SpLibrary *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  const char *name;

  g_ptr_array_set_size (self->problems, 0);
  g_ptr_array_add (self->problems, NULL);

  dir = open_games_dir (self);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->games_path, name, NULL);
      g_autofree char *ini = g_build_filename (path, "game.ini", NULL);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(SpGame) game = NULL;
      GStatBuf st;

      if (name[0] == '.')
        {
          if (strstr (name, ".partial-") != NULL && !is_being_added (self, name))
            {
              g_autoptr(SpLeftover) leftover = sp_leftover_inspect (path);

              /* What recovery (sp_leftovers_recover_library()) left: another
               * computer's, an unmarked one, or one it could not handle. */
              if (leftover->owner != SP_LEFTOVER_OWNER_LIVE)
                {
                  g_autofree char *msg = sp_leftover_describe (leftover);
                  add_problem (self, msg);
                }
            }
          continue;
        }
      if (!check_game_folder (self, name, path))
        continue;
      /* A folder without game.ini is not a game (yet); any game.ini, even a
       * link or a FIFO, is loaded so that it is refused with a message. */
      if (g_lstat (ini, &st) != 0)
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
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  abs = g_canonicalize_filename (path, NULL);
  direct = g_build_filename (abs, "library.ini", NULL);
  nested = g_build_filename (abs, "Savepoint", "library.ini", NULL);

  /* lstat(): a library.ini that is a link (even a dangling one) or a FIFO
   * is found here and refused with its reason by load_ini(). */
  self = g_object_new (SP_TYPE_LIBRARY, NULL);
  if (g_lstat (direct, &st) == 0)
    self->path = g_strdup (abs);
  else if (g_lstat (nested, &st) == 0)
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
  /* What a killed add or keep left behind (sp-leftovers.h). */
  if (!self->read_only)
    sp_leftovers_recover_library (self->path, FALSE, NULL);
  load_games (self);
  return g_steal_pointer (&self);
}

/* The file work of creating a library; runs in any thread. Returns the
 * Savepoint folder. */
static char *
create_library_files (const char  *drive_dir,
                      const char  *name,
                      GError     **error)
{
  g_autofree char *abs = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *games = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();

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
  if (sp_disk_usage_unsafe_driver (abs) != NULL)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("Cannot create a library in “%s”. %s"), abs, sp_disk_usage_unsafe_driver (abs));
      return NULL;
    }
  for (const char *d = dir; d != NULL; d = (d == dir ? games : NULL))
    if (g_mkdir (d, 0755) != 0 && errno != EEXIST)
      {
        sp_set_error_from_errno (error, errno, _("Cannot create the folder “%s”"), d);
        return NULL;
      }

  uuid = g_uuid_string_random ();
  g_key_file_set_integer (kf, LIBRARY_GROUP, "Version", SP_LIBRARY_VERSION);
  g_key_file_set_string (kf, LIBRARY_GROUP, "Id", uuid);
  g_key_file_set_string (kf, LIBRARY_GROUP, "Name",
                         name && *name ? name : _("Savepoint Library"));
  if (!sp_fsync_directory (dir, error) || !sp_key_file_save (kf, ini, error))
    return NULL;
  return g_steal_pointer (&dir);
}

SpLibrary *
sp_library_create_sync (const char  *drive_dir,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (drive_dir != NULL, NULL);

  dir = create_library_files (drive_dir, name, error);
  if (dir == NULL)
    return NULL;
  return sp_library_open (dir, error);
}

typedef struct
{
  char *drive_dir;
  char *name;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->drive_dir);
  g_free (data->name);
  g_free (data);
}

static gpointer
create_thread (gpointer       task_data,
               GCancellable  *cancellable,
               GError       **error)
{
  CreateData *data = task_data;

  return create_library_files (data->drive_dir, data->name, error);
}

/* Main context: the new library is opened (it has no games yet) where its
 * object will live. */
static gpointer
create_finish (gpointer       source_object,
               gpointer       task_data,
               gpointer       value,
               GError       **error)
{
  g_autofree char *dir = value;

  if (dir == NULL)
    return NULL;
  return sp_library_open (dir, error);
}

void
sp_library_create_async (const char          *drive_dir,
                         const char          *name,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  CreateData *data;

  g_return_if_fail (drive_dir != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_library_create_async);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (CreateData, 1);
  data->drive_dir = g_strdup (drive_dir);
  data->name = g_strdup (name);
  _sp_task_run_in_thread (task, data, (GDestroyNotify) create_data_free, create_thread,
                          g_free, create_finish, g_object_unref);
}

SpLibrary *
sp_library_create_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sp_library_create_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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

  if (!_sp_library_check_writable (self, error))
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

char *
_sp_library_reserve_slug (SpLibrary  *self,
                          const char *name)
{
  char *slug;

  g_mutex_lock (&self->reserved_lock);
  slug = sp_slug_make_unique (name, slug_taken_cb, self);
  g_hash_table_add (self->reserved, g_strdup (slug));
  g_mutex_unlock (&self->reserved_lock);
  return slug;
}

void
_sp_library_release_slug (SpLibrary  *self,
                          const char *slug)
{
  g_mutex_lock (&self->reserved_lock);
  g_hash_table_remove (self->reserved, slug);
  g_mutex_unlock (&self->reserved_lock);
}

/* Loads the game just added at @path and puts it in the list. A reload
 * that ran between the final rename and this call has already listed the
 * game: then that object is returned, so the list never holds one folder
 * twice. */
SpGame *
_sp_library_finish_add (SpLibrary   *self,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(SpGame) game = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->games));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpGame) listed = g_list_model_get_item (G_LIST_MODEL (self->games), i);

      if (g_strcmp0 (sp_game_get_path (listed), path) == 0)
        return g_steal_pointer (&listed);
    }

  game = sp_game_load (path, self->read_only, error);
  if (game == NULL)
    return NULL;
  g_list_store_insert_sorted (self->games, game, compare_games, NULL);
  watch_game (self, game);
  return g_steal_pointer (&game);
}

gboolean
sp_library_remove_game (SpLibrary     *self,
                             SpGame        *game,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *tmpl = NULL;
  g_autofree char *trash = NULL;
  guint pos;

  g_return_val_if_fail (SP_IS_LIBRARY (self), FALSE);
  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  if (!_sp_library_check_writable (self, error))
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
