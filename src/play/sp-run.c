/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-run.h"
#include "core/sp-keyfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sp-checkpoint.h"
#include "core/sp-disk-usage.h"
#include "core/sp-library.h"
#include "core/sp-retention.h"
#include "sp-lock.h"
#include "sp-run-private.h"
#include "sp-run-trash.h"
#include "common/sp-process.h"
#include "core/sp-slug.h"
#include "common/sp-util.h"

G_DEFINE_QUARK (sp-run-error-quark, sp_run_error)

#define GROUP "Run"

struct _SpRun
{
  GObject     parent_instance;

  char       *path;
  char       *ini_path;
  char       *upper_path;
  char       *work_path;
  char       *log_path;
  GKeyFile   *keyfile;
  GHashTable *strings;    /* key → value handed out by the getters */

  GDateTime  *started;
  GDateTime  *ended;
  char       *trash_id;   /* where the last discard put it */
};

G_DEFINE_FINAL_TYPE (SpRun, sp_run, G_TYPE_OBJECT)

static const char *status_names[] = { "preparing", "running", "finished", "failed" };

static void
sp_run_finalize (GObject *object)
{
  SpRun *self = SP_RUN (object);

  g_free (self->path);
  g_free (self->ini_path);
  g_free (self->upper_path);
  g_free (self->work_path);
  g_free (self->log_path);
  g_free (self->trash_id);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_clear_pointer (&self->strings, g_hash_table_unref);
  g_clear_pointer (&self->started, g_date_time_unref);
  g_clear_pointer (&self->ended, g_date_time_unref);

  G_OBJECT_CLASS (sp_run_parent_class)->finalize (object);
}

static void
sp_run_class_init (SpRunClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_run_finalize;
}

static void
sp_run_init (SpRun *self)
{
  self->strings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

const char *
sp_run_status_to_string (SpRunStatus status)
{
  g_return_val_if_fail (status <= SP_RUN_STATUS_FAILED, "failed");
  return status_names[status];
}

G_LOCK_DEFINE_STATIC (runs_dir);
static char *runs_dir_override;

void
sp_runs_set_dir (const char *dir)
{
  G_LOCK (runs_dir);
  g_free (runs_dir_override);
  runs_dir_override = (dir != NULL && *dir != '\0') ? g_strdup (dir) : NULL;
  G_UNLOCK (runs_dir);
}

char *
sp_runs_dir (void)
{
  char *dir = NULL;

  G_LOCK (runs_dir);
  if (runs_dir_override != NULL)
    dir = g_strdup (runs_dir_override);
  G_UNLOCK (runs_dir);
  if (dir != NULL)
    return dir;
  return g_build_filename (g_get_user_state_dir (), "savepoint", "runs", NULL);
}

char *
sp_run_dir_for (const char *library_id,
                const char *slug)
{
  g_autofree char *root = NULL;

  /* Both come from a drive: only ids that were checked may build a path. */
  g_return_val_if_fail (library_id != NULL && g_uuid_string_is_valid (library_id), NULL);
  g_return_val_if_fail (sp_slug_is_valid (slug), NULL);
  root = sp_runs_dir ();
  return g_build_filename (root, library_id, slug, NULL);
}

static void
set_paths (SpRun      *self,
           const char *path)
{
  self->path = g_strdup (path);
  self->ini_path = g_build_filename (path, "run.ini", NULL);
  self->upper_path = g_build_filename (path, "upper", NULL);
  self->work_path = g_build_filename (path, "work", NULL);
  self->log_path = g_build_filename (path, "game.log", NULL);
}

static GDateTime *
parse_time (GKeyFile   *kf,
            const char *key)
{
  g_autofree char *s = g_key_file_get_string (kf, GROUP, key, NULL);

  if (s == NULL || s[0] == '\0')
    return NULL;
  return g_date_time_new_from_iso8601 (s, NULL);
}

static void
set_time (GKeyFile   *kf,
          const char *key,
          GDateTime  *dt)
{
  g_autofree char *s = g_date_time_format_iso8601 (dt);

  g_key_file_set_string (kf, GROUP, key, s);
}

/* Opens runs/<library-id> by descriptor: the runs root as configured, then
 * the library's folder without following a symlink. */
static int
open_run_parent (const char  *library_id,
                 const char  *display,
                 GError     **error)
{
  g_autofree char *root = sp_runs_dir ();
  int root_fd, lib_fd;

  root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot open the runs folder “%s”"), root);
      return -1;
    }
  lib_fd = sp_open_dir_nofollow_at (root_fd, library_id, display, error);
  close (root_fd);
  return lib_fd;
}

static gboolean
set_not_ours_error (GError     **error,
                    const char  *path,
                    const char  *why)
{
  g_autofree char *root = sp_runs_dir ();

  g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE,
               _("Not removing “%s”: %s. Savepoint removes only run folders it made, in "
                 "“%s”. Look at the folder yourself and remove it if you are sure."),
               path, why, root);
  return FALSE;
}

/* Reads run.ini of the opened run folder @run_fd without following a
 * symlink; refuses anything but a small regular file. */
static GKeyFile *
read_run_ini_at (int          run_fd,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize done = 0;

  if (!sp_read_regular_file_at (run_fd, "run.ini", path, 1024 * 1024, &data, &done,
                                &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        set_not_ours_error (error, path, _("it has no run.ini"));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS) ||
               g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE) ||
               g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        set_not_ours_error (error, path, _("its run.ini is not a small plain file"));
      else
        set_not_ours_error (error, path, _("its run.ini cannot be opened"));
      return NULL;
    }
  if (!g_key_file_load_from_data (kf, data, done, G_KEY_FILE_NONE, &local_error))
    {
      set_not_ours_error (error, path, _("its run.ini cannot be read"));
      return NULL;
    }
  return g_steal_pointer (&kf);
}

/* Proves that the run's folder is ours: the folder runs/<Library>/<Game>
 * of run.ini, reached from the runs folder by descriptor without following
 * symlinks, is the folder at the run's path (same device and inode), and
 * holds a run.ini (a plain file) whose Id, Library and Game are this run's.
 * Returns the descriptor of runs/<Library> (the slug is the run's), or -1:
 * with *out_gone TRUE when the folder is already gone, else with @error. */
int
_sp_run_open_proven_parent (SpRun     *self,
                            gboolean  *out_gone,
                            GError   **error)
{
  const char *library_id;
  const char *slug;
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *disk_id = NULL;
  g_autofree char *disk_library = NULL;
  g_autofree char *disk_game = NULL;
  g_autofree char *own_id = NULL;
  struct stat run_st, path_st;
  gboolean ok = FALSE;
  int lib_fd, run_fd = -1, path_fd = -1;

  *out_gone = FALSE;
  /* Already gone (removed by another discard): nothing to prove. */
  if (lstat (self->path, &path_st) != 0 && errno == ENOENT)
    {
      *out_gone = TRUE;
      return -1;
    }

  library_id = sp_run_get_library_id (self);
  slug = sp_run_get_slug (self);
  if (!sp_path_component_is_valid (library_id) || !sp_path_component_is_valid (slug))
    {
      set_not_ours_error (error, self->path, _("its run.ini names no valid library and game"));
      return -1;
    }

  lib_fd = open_run_parent (library_id, self->path, error);
  if (lib_fd < 0)
    return -1;
  run_fd = sp_open_dir_nofollow_at (lib_fd, slug, self->path, error);
  if (run_fd < 0)
    goto out;
  path_fd = open (self->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (path_fd < 0)
    {
      if (errno == ENOENT)
        *out_gone = TRUE;
      else
        set_not_ours_error (error, self->path, _("it is not a folder (or it is a symlink)"));
      goto out;
    }
  if (fstat (run_fd, &run_st) != 0 || fstat (path_fd, &path_st) != 0 ||
      run_st.st_dev != path_st.st_dev || run_st.st_ino != path_st.st_ino)
    {
      g_autofree char *why = g_strdup_printf (_("it is not the run folder %s/%s of the runs "
                                                "folder"), library_id, slug);
      set_not_ours_error (error, self->path, why);
      goto out;
    }
  kf = read_run_ini_at (run_fd, self->path, error);
  if (kf == NULL)
    goto out;
  disk_id = g_key_file_get_string (kf, GROUP, "Id", NULL);
  disk_library = g_key_file_get_string (kf, GROUP, "Library", NULL);
  disk_game = g_key_file_get_string (kf, GROUP, "Game", NULL);
  own_id = g_key_file_get_string (self->keyfile, GROUP, "Id", NULL);
  if (g_strcmp0 (disk_id, own_id) != 0 || g_strcmp0 (disk_library, library_id) != 0 ||
      g_strcmp0 (disk_game, slug) != 0)
    {
      set_not_ours_error (error, self->path, _("its run.ini is not the one of this run"));
      goto out;
    }
  ok = TRUE;

out:
  if (path_fd >= 0)
    close (path_fd);
  if (run_fd >= 0)
    close (run_fd);
  if (!ok)
    {
      close (lib_fd);
      return -1;
    }
  return lib_fd;
}

/**
 * sp_run_remove_dir:
 *
 * Removes the run's folder after proving that it is ours
 * (_sp_run_open_proven_parent()). Removal is by descriptor too
 * (sp_remove_tree_at()): no symlink is followed, no mount point crossed.
 */
gboolean
sp_run_remove_dir (SpRun         *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean gone = FALSE;
  gboolean ok;
  int lib_fd;

  g_return_val_if_fail (SP_IS_RUN (self), FALSE);

  lib_fd = _sp_run_open_proven_parent (self, &gone, error);
  if (lib_fd < 0)
    return gone;
  ok = sp_remove_tree_at (lib_fd, sp_run_get_slug (self), self->path, cancellable, error);
  close (lib_fd);
  return ok;
}

/* Removes runs/<library-id>/<slug> only if it holds nothing but empty
 * upper/ and work/ folders and temporary files of run.ini: what a crash
 * between its mkdir and the first save of run.ini leaves. */
static void
remove_unsaved_run_dir (const char *library_id,
                        const char *slug,
                        const char *path)
{
  g_autoptr(GError) error = NULL;
  int lib_fd, run_fd;
  DIR *dir;
  struct dirent *de;

  lib_fd = open_run_parent (library_id, path, &error);
  if (lib_fd < 0)
    return;
  run_fd = sp_open_dir_nofollow_at (lib_fd, slug, path, NULL);
  if (run_fd >= 0 && (dir = fdopendir (dup (run_fd))) != NULL)
    {
      while ((de = readdir (dir)) != NULL)
        if (g_str_has_prefix (de->d_name, "run.ini.") && strlen (de->d_name) == 14)
          unlinkat (run_fd, de->d_name, 0);
      closedir (dir);
    }
  if (run_fd >= 0)
    {
      unlinkat (run_fd, "work", AT_REMOVEDIR);
      unlinkat (run_fd, "upper", AT_REMOVEDIR);
      close (run_fd);
      unlinkat (lib_fd, slug, AT_REMOVEDIR);
    }
  close (lib_fd);
}

/* The run folder of @library_path's game is taken. When the run there was
 * made from a library in another folder with the same Id, the two are
 * copies of one drive (cloned with dd or a sync tool): say so, rather
 * than call it an earlier run of this game. */
static void
set_exists_error (const char  *path,
                  const char  *library_path,
                  const char  *game_name,
                  GError     **error)
{
  g_autoptr(SpRun) other = sp_run_load (path, NULL);
  const char *other_path = other != NULL ? sp_run_get_library_path (other) : NULL;

  if (library_path != NULL && other_path != NULL && g_strcmp0 (other_path, library_path) != 0)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS,
                   _("The library in “%s” has the same Id as the one in “%s”: one drive is a "
                     "copy of the other, and Savepoint cannot tell their runs apart. A run of "
                     "“%s” from “%s” is not kept or discarded yet (%s): keep or discard it "
                     "first (savepoint-cli recover), and play each game from one of the "
                     "copies only."),
                   library_path, other_path, game_name, other_path, path);
      return;
    }
  g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS,
               _("An earlier run of “%s” has not been kept or discarded yet (%s). "
                 "Keep or discard it first (savepoint-cli recover)."),
               game_name, path);
}

SpRun *
sp_run_create (const char  *library_id,
               const char  *library_path,
               const char  *slug,
               const char  *game_name,
               const char  *head,
               GError     **error)
{
  g_autoptr(SpRun) self = NULL;
  g_autofree char *path = NULL;
  g_autofree char *parent = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_return_val_if_fail (library_id != NULL, NULL);
  g_return_val_if_fail (slug != NULL, NULL);

  path = sp_run_dir_for (library_id, slug);
  parent = g_path_get_dirname (path);

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("Could not create the runs folder “%s”: %s"), parent, g_strerror (saved));
      return NULL;
    }

  /* A run folder without run.ini is what a crash between its mkdir and
   * the first save leaves (upper/ is only filled after that): nothing to
   * recover, so it is cleared away if it holds nothing else. */
  {
    g_autofree char *ini = g_build_filename (path, "run.ini", NULL);

    if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (ini, G_FILE_TEST_EXISTS))
      remove_unsaved_run_dir (library_id, slug, path);
  }

  if (g_mkdir (path, 0700) != 0)
    {
      int saved = errno;

      if (saved == EEXIST)
        set_exists_error (path, library_path, game_name ? game_name : slug, error);
      else
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                     _("Could not create the run folder “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (SP_TYPE_RUN, NULL);
  set_paths (self, path);
  self->keyfile = g_key_file_new ();
  self->started = g_date_time_ref (now);

  {
    g_autofree char *id = g_uuid_string_random ();

    g_key_file_set_string (self->keyfile, GROUP, "Id", id);
  }
  g_key_file_set_string (self->keyfile, GROUP, "Library", library_id);
  if (library_path != NULL)
    g_key_file_set_string (self->keyfile, GROUP, "LibraryPath", library_path);
  g_key_file_set_string (self->keyfile, GROUP, "Game", slug);
  g_key_file_set_string (self->keyfile, GROUP, "GameName", game_name ? game_name : slug);
  g_key_file_set_string (self->keyfile, GROUP, "Head", head ? head : "");
  set_time (self->keyfile, "Started", now);
  g_key_file_set_string (self->keyfile, GROUP, "Status", "preparing");
  g_key_file_set_int64 (self->keyfile, GROUP, "OwnerPid", getpid ());
  g_key_file_set_uint64 (self->keyfile, GROUP, "OwnerStart", sp_pid_start_time (getpid ()));
  g_key_file_set_string (self->keyfile, GROUP, "Host", sp_host_name ());

  /* upper/ is created by unpacking (or empty); work/ always. */
  if (g_mkdir (self->work_path, 0700) != 0 || !sp_run_save (self, error))
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                     _("Could not prepare the run folder “%s”: %s"), path, g_strerror (errno));
      g_unlink (self->ini_path);
      remove_unsaved_run_dir (library_id, slug, path);
      return NULL;
    }
  _sp_run_make_reserve (self);

  return g_steal_pointer (&self);
}

/* Library, Game and Head name folders (the run's, the mount point) and are
 * matched with a library's games: they must match the patterns of where
 * they come from. Id is a UUID Savepoint wrote (runs of older releases have
 * none). Sets a "run.ini:<line>: …" error. */
static gboolean
check_ids (SpRun   *self,
           GError **error)
{
  g_autofree char *library = g_key_file_get_string (self->keyfile, GROUP, "Library", NULL);
  g_autofree char *slug = g_key_file_get_string (self->keyfile, GROUP, "Game", NULL);
  g_autofree char *head = g_key_file_get_string (self->keyfile, GROUP, "Head", NULL);
  g_autofree char *id = g_key_file_get_string (self->keyfile, GROUP, "Id", NULL);

  if (library == NULL || !g_uuid_string_is_valid (library))
    sp_key_file_set_error (error, self->ini_path, NULL, GROUP, "Library",
                           _("Library is not a library Id (a UUID): Savepoint did not make "
                             "this run folder and leaves it alone."));
  else if (slug == NULL || !sp_slug_is_valid (slug))
    sp_key_file_set_error (error, self->ini_path, NULL, GROUP, "Game",
                           _("Game is not a game folder name: Savepoint did not make this "
                             "run folder and leaves it alone."));
  else if (head != NULL && *head != '\0' && !sp_checkpoint_id_is_valid (head))
    sp_key_file_set_error (error, self->ini_path, NULL, GROUP, "Head",
                           _("Head is not a checkpoint id: Savepoint did not make this run "
                             "folder and leaves it alone."));
  else if (id != NULL && !g_uuid_string_is_valid (id))
    sp_key_file_set_error (error, self->ini_path, NULL, GROUP, "Id",
                           _("Id is not a run Id (a UUID): Savepoint did not make this run "
                             "folder and leaves it alone."));
  else
    return TRUE;
  return FALSE;
}

SpRun *
sp_run_load (const char  *path,
             GError     **error)
{
  g_autoptr(SpRun) self = g_object_new (SP_TYPE_RUN, NULL);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  set_paths (self, path);
  /* The key-file rules of the drive's files (size cap, file:line errors,
   * values GLib cannot read): a run folder may be another user's leftover. */
  self->keyfile = sp_key_file_load (self->ini_path, &local_error);
  if (self->keyfile == NULL)
    {
      if (g_error_matches (local_error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND))
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                     _("“%s” is not a run folder (no run.ini)."), path);
      else
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED,
                     _("Could not read “%s”: %s"), self->ini_path, local_error->message);
      return NULL;
    }

  if (!g_key_file_has_key (self->keyfile, GROUP, "Library", NULL) ||
      !g_key_file_has_key (self->keyfile, GROUP, "Game", NULL))
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED,
                   _("“%s” lacks the Library or Game key."), self->ini_path);
      return NULL;
    }

  if (!check_ids (self, &local_error))
    {
      g_set_error_literal (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED, local_error->message);
      return NULL;
    }

  self->started = parse_time (self->keyfile, "Started");
  self->ended = parse_time (self->keyfile, "Ended");
  if (self->started == NULL)
    self->started = g_date_time_new_now_utc ();

  return g_steal_pointer (&self);
}

gboolean
sp_run_save (SpRun   *self,
             GError **error)
{
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (SP_IS_RUN (self), FALSE);

  data = g_key_file_to_data (self->keyfile, &len, NULL);
  return sp_write_file_atomic (self->ini_path, data, (gssize) len, error);
}

/* Room for the last save of a run when the game has filled the disk (the
 * state folder holds upper/): a file of zeros, given back by
 * sp_run_save_final(). Without it, run.ini kept saying "running". */
#define RESERVE_NAME  "space-reserve"
#define RESERVE_BYTES (64 * 1024)

void
_sp_run_make_reserve (SpRun *self)
{
  g_autofree char *path = g_build_filename (self->path, RESERVE_NAME, NULL);
  g_autofree char *zeros = g_malloc0 (RESERVE_BYTES);
  g_autoptr(GError) error = NULL;

  if (!sp_write_file_atomic (path, zeros, RESERVE_BYTES, &error))
    g_debug ("No space reserve for the run: %s", error->message);
}

gboolean
sp_run_save_final (SpRun   *self,
                   GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reserve = NULL;

  g_return_val_if_fail (SP_IS_RUN (self), FALSE);

  if (sp_run_save (self, &local_error))
    return TRUE;
  reserve = g_build_filename (self->path, RESERVE_NAME, NULL);
  if (!g_error_matches (local_error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE) ||
      g_unlink (reserve) != 0)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return sp_run_save (self, error);
}

const char *
sp_run_get_path (SpRun *self)
{
  return self->path;
}

const char *
sp_run_get_upper_path (SpRun *self)
{
  return self->upper_path;
}

const char *
sp_run_get_work_path (SpRun *self)
{
  return self->work_path;
}

const char *
sp_run_get_log_path (SpRun *self)
{
  return self->log_path;
}

/* The getters hand out strings kept in self->strings (keys are static
 * strings), replaced only when the value changes. */
static const char *
get_str (SpRun      *self,
         const char *key)
{
  g_autofree char *s = g_key_file_get_string (self->keyfile, GROUP, key, NULL);
  const char *cached;

  if (s == NULL || s[0] == '\0')
    return NULL;
  cached = g_hash_table_lookup (self->strings, key);
  if (g_strcmp0 (cached, s) == 0)
    return cached;
  g_hash_table_replace (self->strings, (gpointer) key, s);
  return g_steal_pointer (&s);
}

const char *
sp_run_get_id (SpRun *self)
{
  return get_str (self, "Id");
}

const char *
sp_run_get_library_id (SpRun *self)
{
  return get_str (self, "Library");
}

const char *
sp_run_get_library_path (SpRun *self)
{
  return get_str (self, "LibraryPath");
}

const char *
sp_run_get_slug (SpRun *self)
{
  return get_str (self, "Game");
}

const char *
sp_run_get_game_name (SpRun *self)
{
  const char *name = get_str (self, "GameName");

  return name ? name : sp_run_get_slug (self);
}

const char *
sp_run_get_head (SpRun *self)
{
  return get_str (self, "Head");
}

const char *
sp_run_get_error (SpRun *self)
{
  return get_str (self, "Error");
}

GDateTime *
sp_run_get_started (SpRun *self)
{
  return self->started;
}

GDateTime *
sp_run_get_ended (SpRun *self)
{
  return self->ended;
}

SpRunStatus
sp_run_get_status (SpRun *self)
{
  g_autofree char *s = g_key_file_get_string (self->keyfile, GROUP, "Status", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (s, status_names[i]) == 0)
      return (SpRunStatus) i;
  return SP_RUN_STATUS_RUNNING;
}

gint64
sp_run_get_owner_pid (SpRun *self)
{
  return g_key_file_get_int64 (self->keyfile, GROUP, "OwnerPid", NULL);
}

gint
sp_run_get_exit_status (SpRun *self)
{
  if (!g_key_file_has_key (self->keyfile, GROUP, "ExitStatus", NULL))
    return -1;
  return g_key_file_get_integer (self->keyfile, GROUP, "ExitStatus", NULL);
}

static GDateTime *last_game_time (SpRun *self);

gint64
sp_run_get_play_time (SpRun *self)
{
  g_autoptr(GDateTime) last = NULL;

  if (g_key_file_has_key (self->keyfile, GROUP, "PlayTime", NULL))
    return g_key_file_get_int64 (self->keyfile, GROUP, "PlayTime", NULL);

  last = last_game_time (self);
  if (last == NULL && self->ended != NULL)
    last = g_date_time_ref (self->ended);
  if (last == NULL || self->started == NULL)
    return 0;
  return MAX (0, g_date_time_difference (last, self->started) / G_USEC_PER_SEC);
}

void
sp_run_set_status (SpRun       *self,
                   SpRunStatus  status)
{
  g_key_file_set_string (self->keyfile, GROUP, "Status", sp_run_status_to_string (status));
}

void
sp_run_set_pid (SpRun  *self,
                gint64  pid)
{
  g_key_file_set_int64 (self->keyfile, GROUP, "Pid", pid);
}

void
sp_run_set_error (SpRun      *self,
                  const char *message)
{
  if (message)
    g_key_file_set_string (self->keyfile, GROUP, "Error", message);
  else
    g_key_file_remove_key (self->keyfile, GROUP, "Error", NULL);
}

void
sp_run_set_ended (SpRun  *self,
                  gint    exit_status,
                  gint64  play_time)
{
  g_clear_pointer (&self->ended, g_date_time_unref);
  self->ended = g_date_time_new_now_utc ();
  set_time (self->keyfile, "Ended", self->ended);
  if (exit_status >= 0)
    g_key_file_set_integer (self->keyfile, GROUP, "ExitStatus", exit_status);
  g_key_file_set_int64 (self->keyfile, GROUP, "PlayTime", play_time);
}

void
sp_run_set_last_alive (SpRun     *self,
                       GDateTime *when)
{
  set_time (self->keyfile, "LastAlive", when);
}

void
sp_run_set_game_ended (SpRun     *self,
                       GDateTime *when)
{
  set_time (self->keyfile, "GameEnded", when);
}

/* When the game was last known to run: GameEnded when known, else the
 * later of LastAlive (savepoint-run's heartbeat) and LastSeen (the
 * session's). NULL when neither is there. */
static GDateTime *
last_game_time (SpRun *self)
{
  g_autoptr(GDateTime) alive = NULL;
  g_autoptr(GDateTime) seen = NULL;
  GDateTime *ended = parse_time (self->keyfile, "GameEnded");

  if (ended != NULL)
    return ended;
  alive = parse_time (self->keyfile, "LastAlive");
  seen = parse_time (self->keyfile, "LastSeen");
  if (alive == NULL || (seen != NULL && g_date_time_compare (seen, alive) > 0))
    return g_steal_pointer (&seen);
  return g_steal_pointer (&alive);
}

void
sp_run_touch (SpRun *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  set_time (self->keyfile, "LastSeen", now);
}

gboolean
sp_run_get_owner_alive (SpRun *self)
{
  g_autofree char *host = g_key_file_get_string (self->keyfile, GROUP, "Host", NULL);

  if (g_strcmp0 (host, sp_host_name ()) != 0)
    return FALSE;
  return sp_pid_is_alive (sp_run_get_owner_pid (self),
                          g_key_file_get_uint64 (self->keyfile, GROUP, "OwnerStart", NULL));
}

gboolean
sp_run_is_pending (SpRun *self)
{
  SpRunStatus status = sp_run_get_status (self);

  if (status == SP_RUN_STATUS_FINISHED || status == SP_RUN_STATUS_FAILED)
    return TRUE;
  return !sp_run_get_owner_alive (self);
}

static gint
compare_runs (gconstpointer a,
              gconstpointer b)
{
  SpRun *ra = *(SpRun **) a;
  SpRun *rb = *(SpRun **) b;

  return g_date_time_compare (ra->started, rb->started);
}

GPtrArray *
sp_run_list (const char  *library_id,
             GError     **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *root = sp_runs_dir ();
  g_autoptr(GDir) libs = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *lib;

  libs = g_dir_open (root, 0, &local_error);
  if (libs == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&runs);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  while ((lib = g_dir_read_name (libs)))
    {
      g_autofree char *lib_path = NULL;
      g_autoptr(GDir) games = NULL;
      const char *slug;

      if (library_id != NULL && g_strcmp0 (lib, library_id) != 0)
        continue;
      /* Library ids are UUIDs: anything else (the trash of a chosen runs
       * folder, ".trash") holds no runs. */
      if (!g_uuid_string_is_valid (lib))
        continue;
      lib_path = g_build_filename (root, lib, NULL);
      games = g_dir_open (lib_path, 0, NULL);
      if (games == NULL)
        continue;

      while ((slug = g_dir_read_name (games)))
        {
          g_autofree char *path = g_build_filename (lib_path, slug, NULL);
          g_autoptr(GError) load_error = NULL;
          SpRun *run;

          if (!g_file_test (path, G_FILE_TEST_IS_DIR))
            continue;
          run = sp_run_load (path, &load_error);
          if (run == NULL)
            {
              g_warning ("Skipping the run folder %s: %s", path, load_error->message);
              continue;
            }
          g_ptr_array_add (runs, run);
        }
    }

  g_ptr_array_sort (runs, compare_runs);
  return g_steal_pointer (&runs);
}

GPtrArray *
sp_run_list_pending (const char  *library_id,
                     GError     **error)
{
  g_autoptr(GPtrArray) all = sp_run_list (library_id, error);
  GPtrArray *pending;

  if (all == NULL)
    return NULL;
  pending = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < all->len; i++)
    if (sp_run_is_pending (all->pdata[i]))
      g_ptr_array_add (pending, g_object_ref (all->pdata[i]));
  return pending;
}

/* Checks that @game is the run's, takes the game lock (unless @lock_held),
 * detaches a dead mount of the run and makes sure upper/ exists. */
static gboolean
keep_prepare (SpRun    *self,
              SpGame   *game,
              gboolean  lock_held,
              SpLock  **out_lock,
              GError  **error)
{
  g_autofree char *mount_point = NULL;

  if (g_strcmp0 (sp_game_get_slug (game), sp_run_get_slug (self)) != 0)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("The run “%s” belongs to the game “%s”, not “%s”."),
                   self->path, sp_run_get_slug (self), sp_game_get_slug (game));
      return FALSE;
    }
  if (!sp_disk_usage_check_keep (game, self->upper_path, error))
    return FALSE;

  if (!lock_held)
    {
      g_autofree char *lock_path = NULL;
      g_autofree char *what = NULL;

      if (sp_run_get_status (self) <= SP_RUN_STATUS_RUNNING && sp_run_get_owner_alive (self) &&
          sp_run_get_owner_pid (self) != getpid ())
        {
          g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                       _("The run “%s” is still being played by process %" PRId64 "."),
                       self->path, sp_run_get_owner_pid (self));
          return FALSE;
        }
      lock_path = sp_game_lock_path (game);
      what = g_strdup_printf (_("The game “%s”"), sp_game_get_name (game));
      *out_lock = sp_lock_acquire (lock_path, what, error);
      if (*out_lock == NULL)
        return FALSE;
    }

  mount_point = sp_mount_point_for (sp_run_get_library_id (self), sp_run_get_slug (self));
  if (sp_is_mount_point (mount_point) && !sp_run_get_owner_alive (self))
    sp_detach_mount (mount_point, NULL);

  if (!g_file_test (self->upper_path, G_FILE_TEST_IS_DIR) && g_mkdir (self->upper_path, 0700) != 0)
    {
      int saved = errno;

      g_clear_pointer (out_lock, sp_lock_release);
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("Could not create “%s”: %s"), self->upper_path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The checkpoint is safe on the drive: the run has served its purpose. A
 * run left behind costs only space, so failing here is no error. */
static void
remove_kept_run (SpRun *self)
{
  g_autoptr(GError) error = NULL;

  if (!sp_run_remove_dir (self, NULL, &error))
    g_warning ("Could not remove the kept run %s: %s", self->path, error->message);
}

SpCheckpoint *
sp_run_keep_sync (SpRun          *self,
                  SpGame         *game,
                  const char     *label,
                  gboolean        lock_held,
                  SpProgressFunc  progress,
                  gpointer        progress_data,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autoptr(SpLock) lock = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;

  g_return_val_if_fail (SP_IS_RUN (self), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  if (!keep_prepare (self, game, lock_held, &lock, error))
    return NULL;

  checkpoint = sp_game_create_checkpoint_with_parent_sync (game, self->upper_path,
                                                           sp_run_get_head (self),
                                                           label ? label : "",
                                                           sp_run_get_play_time (self), TRUE,
                                                           progress, progress_data,
                                                           cancellable, error);
  if (checkpoint == NULL)
    return NULL;
  sp_retention_apply_after_keep (game, checkpoint);
  sp_retention_expire_trash_after_keep (checkpoint);

  remove_kept_run (self);
  return g_steal_pointer (&checkpoint);
}

typedef struct
{
  SpLock       *lock;
  SpCheckpoint *checkpoint;
} KeepData;

static void
keep_data_free (KeepData *data)
{
  g_clear_pointer (&data->lock, sp_lock_release);
  g_clear_object (&data->checkpoint);
  g_free (data);
}

static void
remove_kept_run_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  KeepData *data = task_data;

  remove_kept_run (source_object);
  sp_retention_expire_trash_after_keep (data->checkpoint);
  g_clear_pointer (&data->lock, sp_lock_release);
  g_task_return_pointer (task, g_object_ref (data->checkpoint), g_object_unref);
}

static void
checkpoint_created_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KeepData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->checkpoint = sp_game_create_checkpoint_finish (SP_GAME (object), result, &error);
  if (data->checkpoint == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The checkpoint exists now: report it even if cancelled meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  sp_retention_apply_after_keep (SP_GAME (object), data->checkpoint);
  g_task_run_in_thread (task, remove_kept_run_thread);
}

void
sp_run_keep_async (SpRun               *self,
                   SpGame              *game,
                   const char          *label,
                   SpProgressFunc       progress,
                   gpointer             progress_data,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  KeepData *data;

  g_return_if_fail (SP_IS_RUN (self));
  g_return_if_fail (SP_IS_GAME (game));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_run_keep_async);
  data = g_new0 (KeepData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) keep_data_free);

  /* The lock is one small file on the drive. */
  if (!keep_prepare (self, game, FALSE, &data->lock, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  sp_game_create_checkpoint_with_parent_async (game, self->upper_path, sp_run_get_head (self),
                                               label ? label : "",
                                               sp_run_get_play_time (self), TRUE,
                                               progress, progress_data, cancellable,
                                               checkpoint_created_cb, g_steal_pointer (&task));
}

SpCheckpoint *
sp_run_keep_finish (SpRun         *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
discard_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  if (!sp_run_discard_sync (source_object, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_run_discard_async (SpRun               *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SP_IS_RUN (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_run_discard_async);
  g_task_run_in_thread (task, discard_thread);
}

gboolean
sp_run_discard_finish (SpRun         *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sp_run_discard_sync (SpRun         *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *mount_point = NULL;

  g_return_val_if_fail (SP_IS_RUN (self), FALSE);

  if (sp_run_get_status (self) == SP_RUN_STATUS_RUNNING && sp_run_get_owner_alive (self) &&
      sp_run_get_owner_pid (self) != getpid ())
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                   _("The run “%s” is still being played by process %" PRId64 "."),
                   self->path, sp_run_get_owner_pid (self));
      return FALSE;
    }

  mount_point = sp_mount_point_for (sp_run_get_library_id (self), sp_run_get_slug (self));
  if (sp_is_mount_point (mount_point) && !sp_run_get_owner_alive (self))
    sp_detach_mount (mount_point, NULL);

  /* Discarding moves the run to the trash (sp-run-trash.c), then the
   * trash's age and size limits apply, sparing the run just discarded. */
  g_clear_pointer (&self->trash_id, g_free);
  if (!sp_run_trash_move (self, &self->trash_id, cancellable, error))
    return FALSE;
  sp_run_trash_expire (self->trash_id, NULL);
  return TRUE;
}

const char *
sp_run_get_trash_id (SpRun *self)
{
  g_return_val_if_fail (SP_IS_RUN (self), NULL);
  return self->trash_id;
}
