/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Updating the clean install of a Wine game with another Wine, through the
 * game's own overlay (sp-wine-update.h). */
#include "config.h"

#include "sp-wine-update.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-manifest-format.h"
#include "common/sp-util.h"
#include "core/sp-library-error.h"
#include "core/sp-wine-prefix.h"
#include "overlay/sp-overlay.h"
#include "sp-game-guard.h"
#include "sp-mounts.h"
#include "sp-run.h"
#include "sp-wine-update-private.h"

#define MARKER_NAME    "wine-update.ini"
#define WORK_NAME      "wine-update"
#define MARKER_GROUP   "WineUpdate"
#define STAGE_BOOT     "boot"
#define STAGE_APPLY    "apply"
#define WINE_OVERRIDES "mscoree,mshtml="

typedef struct
{
  char    *name;
  char    *slug;
  char    *game_path;
  char    *base_path;
  char    *library_id;
  char    *runner;
  char    *wine_user;
  char    *recorded;     /* WineVersion= when the update started */
  SpLock  *lock;
  char    *version;      /* the version to record */
  gboolean finished;     /* an interrupted update was finished */
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_free (data->name);
  g_free (data->slug);
  g_free (data->game_path);
  g_free (data->base_path);
  g_free (data->library_id);
  g_free (data->runner);
  g_free (data->wine_user);
  g_free (data->recorded);
  g_clear_pointer (&data->lock, sp_lock_release);
  g_free (data->version);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UpdateData, update_data_free)

/* ---- The marker ---- */

/* Reads the marker of @game_path: FALSE with @error when it is there but
 * cannot be read; else TRUE with *@out_version NULL when there is none. */
static gboolean
read_marker (const char  *game_path,
             char       **out_version,
             char       **out_stage,
             GError     **error)
{
  g_autofree char *path = g_build_filename (game_path, MARKER_NAME, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autofree char *version = NULL;
  gsize length;

  *out_version = NULL;
  *out_stage = NULL;
  if (!sp_read_regular_file_at (AT_FDCWD, path, NULL, 4096, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* A marker that does not parse still says an update was started. */
  if (g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, NULL))
    {
      version = g_key_file_get_string (key_file, MARKER_GROUP, "Version", NULL);
      *out_stage = g_key_file_get_string (key_file, MARKER_GROUP, "Stage", NULL);
    }
  if (!sp_wine_version_is_valid (version))
    g_clear_pointer (&version, g_free);
  *out_version = version != NULL ? g_steal_pointer (&version) : g_strdup ("");
  return TRUE;
}

static gboolean
write_marker (UpdateData  *data,
              const char  *version,
              const char  *stage,
              GError     **error)
{
  g_autofree char *path = g_build_filename (data->game_path, MARKER_NAME, NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *contents = NULL;
  gsize length;

  g_key_file_set_string (key_file, MARKER_GROUP, "Version", version);
  g_key_file_set_string (key_file, MARKER_GROUP, "Stage", stage);
  contents = g_key_file_to_data (key_file, &length, NULL);
  return sp_write_file_atomic (path, contents, (gssize) length, error);
}

char *
sp_wine_update_get_pending (SpGame *game)
{
  char *version = NULL;
  g_autofree char *stage = NULL;

  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  if (!read_marker (sp_game_get_path (game), &version, &stage, NULL))
    return g_strdup ("");
  return version;
}

gboolean
sp_wine_update_check_not_pending (const char  *game_path,
                                  const char  *name,
                                  const char  *slug,
                                  GError     **error)
{
  g_autofree char *version = NULL;
  g_autofree char *stage = NULL;

  g_return_val_if_fail (game_path != NULL && name != NULL && slug != NULL, FALSE);

  /* None, or one cut short while Wine ran: base/ is as it was. A marker
   * that cannot be read is taken for one past that. */
  if (read_marker (game_path, &version, &stage, NULL) &&
      (version == NULL || g_strcmp0 (stage, STAGE_BOOT) == 0))
    return TRUE;
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY,
               _("An update of the clean install of “%s” with another Wine did not finish, so "
                 "it is not played. Finish the update with “Update Clean Install” when "
                 "playing it in Savepoint, or with “savepoint-cli update-wine %s”."),
               name, slug);
  return FALSE;
}

/* ---- Applying the upper onto base/ ---- */

static gboolean
apply_upper (UpdateData    *data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *upper = g_build_filename (data->game_path, WORK_NAME, "upper", NULL);
  int upper_fd, base_fd;
  gboolean ok;

  upper_fd = open (upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (upper_fd < 0 && errno == ENOENT)
    return TRUE;   /* applied, its folder already removed */
  if (upper_fd < 0)
    return sp_set_error_from_errno (error, errno, _("Cannot open the folder “%s”"), upper);
  base_fd = open (data->base_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (base_fd < 0)
    {
      int saved = errno;

      close (upper_fd);
      return sp_set_error_from_errno (error, saved, _("Cannot open the clean install “%s”"),
                                      data->base_path);
    }
  ok = _sp_wine_update_apply (upper_fd, base_fd, data->base_path, cancellable, error);
  close (base_fd);
  close (upper_fd);
  return ok;
}

/* Removes the work folder, then the marker: the update is over. */
static gboolean
remove_work (UpdateData  *data,
             GError     **error)
{
  g_autofree char *marker = g_build_filename (data->game_path, MARKER_NAME, NULL);
  g_autofree char *work = g_build_filename (data->game_path, WORK_NAME, NULL);
  int game_fd = open (data->game_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  gboolean ok;

  if (game_fd < 0)
    return sp_set_error_from_errno (error, errno, _("Cannot open the folder “%s”"),
                                    data->game_path);
  ok = sp_remove_tree_at (game_fd, WORK_NAME, work, NULL, error);
  if (ok && unlinkat (game_fd, MARKER_NAME, 0) != 0 && errno != ENOENT)
    ok = sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), marker);
  if (ok && fsync (game_fd) != 0 && errno != EINVAL)
    ok = sp_set_error_from_errno (error, errno, _("Cannot write the folder “%s”"),
                                  data->game_path);
  close (game_fd);
  return ok;
}

/* ---- Running Wine in the game's overlay ---- */

/* The last lines Wine wrote to @log_path, for a message. */
static char *
log_tail (const char *log_path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (log_path, &contents, &length, NULL) || length == 0)
    return g_strdup ("");
  if (length > 600)
    return g_strdup (g_strstrip (contents + length - 600));
  return g_strdup (g_strstrip (contents));
}

static gboolean
run_wine_tool (GSubprocessLauncher  *launcher,
               GPtrArray            *argv,
               const char           *log_path,
               GError              **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *command = NULL;

  g_ptr_array_add (argv, NULL);
  command = g_strjoinv (" ", (char **) argv->pdata);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL || !g_subprocess_wait (process, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_autofree char *tail = log_tail (log_path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("“%s” failed (exit status %d): %s"), command,
                   g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : -1, tail);
      return FALSE;
    }
  return TRUE;
}

/* `wineboot -u` and `wineserver -w` with WINEPREFIX=@prefix, as a session
 * runs the game: the runner, WineUser= as the user name. Wine's output goes
 * to @log_path (a pipe would stay open as long as wineserver lives). */
static gboolean
boot_prefix (UpdateData  *data,
             const char  *prefix,
             const char  *log_path,
             GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) boot = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) wait = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) parse_error = NULL;
  g_auto(GStrv) runner_argv = NULL;
  g_autofree char *runner_path = NULL;
  g_autofree char *runner_dir = NULL;
  g_autofree char *wineserver = NULL;
  int log_fd;

  if (!g_shell_parse_argv (data->runner, NULL, &runner_argv, &parse_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The Wine runner “%s” cannot be read: %s"), data->runner,
                   parse_error->message);
      return FALSE;
    }
  runner_path = g_find_program_in_path (runner_argv[0]);
  if (runner_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The Wine runner “%s” is not installed (not found in PATH). "
                     "Install Wine, or choose another runner for “%s”."),
                   runner_argv[0], data->name);
      return FALSE;
    }
  /* The wineserver of that Wine: beside it, else the one in PATH. */
  runner_dir = g_path_get_dirname (runner_path);
  wineserver = g_build_filename (runner_dir, "wineserver", NULL);
  if (!g_file_test (wineserver, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (wineserver);
      wineserver = g_find_program_in_path ("wineserver");
    }
  if (wineserver == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The wineserver of the Wine runner “%s” is not installed."),
                   data->runner);
      return FALSE;
    }

  g_ptr_array_add (boot, g_steal_pointer (&runner_path));
  for (guint i = 1; runner_argv[i] != NULL; i++)
    g_ptr_array_add (boot, g_strdup (runner_argv[i]));
  g_ptr_array_add (boot, g_strdup ("wineboot"));
  g_ptr_array_add (boot, g_strdup ("-u"));
  g_ptr_array_add (wait, g_steal_pointer (&wineserver));
  g_ptr_array_add (wait, g_strdup ("-w"));

  log_fd = open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (log_fd < 0)
    return sp_set_error_from_errno (error, errno, _("Cannot create “%s”"), log_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_take_stdout_fd (launcher, log_fd);
  g_subprocess_launcher_setenv (launcher, "WINEPREFIX", prefix, TRUE);
  g_subprocess_launcher_setenv (launcher, "WINEDEBUG", "-all", TRUE);
  g_subprocess_launcher_setenv (launcher, "WINEDLLOVERRIDES", WINE_OVERRIDES, TRUE);
  if (data->wine_user != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "USER", data->wine_user, TRUE);
      g_subprocess_launcher_setenv (launcher, "LOGNAME", data->wine_user, TRUE);
    }
  return run_wine_tool (launcher, boot, log_path, error) &&
         run_wine_tool (launcher, wait, log_path, error);
}

/* Mounts the game's overlay (base/ below @upper), boots the prefix in it
 * with the runner, unmounts. */
static gboolean
boot_in_overlay (UpdateData  *data,
                 const char  *upper,
                 const char  *work,
                 const char  *log_path,
                 gboolean    *out_mounted,
                 GError     **error)
{
  g_autofree char *mounts_dir = NULL;
  g_autofree char *mount_point = NULL;
  const char *lowers[2] = { data->base_path, NULL };
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
  char *message = NULL;
  SpOverlay *overlay;
  gboolean ok;

  mounts_dir = sp_mounts_dir_ensure (error);
  if (mounts_dir == NULL)
    return FALSE;
  mount_point = sp_mount_point_for (data->library_id, data->slug);
  if (mount_point == NULL)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” has no valid mount point."), data->name);
      return FALSE;
    }
  if (g_mkdir (mount_point, 0700) != 0 && errno != EEXIST)
    return sp_set_error_from_errno (error, errno, _("Cannot create the mount point “%s”"),
                                    mount_point);
  /* Left over from a crash? Only we mount here, and we hold the game lock. */
  if (sp_is_mount_point (mount_point))
    sp_run_cleanup_stale_mounts ();
  if (sp_is_mount_point (mount_point))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY,
                   _("Something is already mounted at “%s”. Finish the game using it first."),
                   mount_point);
      return FALSE;
    }

  /* As a session mounts it (sp-session.c): owned by the player, every
   * write in the upper when it returns, no mount left if we die. */
  options.no_writeback = 1;
  options.squash_uid_set = options.squash_gid_set = 1;
  options.squash_uid = getuid ();
  options.squash_gid = getgid ();
  options.auto_unmount = 1;
  overlay = sp_overlay_mount (lowers, upper, work, mount_point, &options, &message);
  if (overlay == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not mount the game’s folder at “%s”: %s"),
                   mount_point, message ? message : _("unknown error"));
      free (message);
      return FALSE;
    }
  ok = boot_prefix (data, mount_point, log_path, error);
  if (sp_overlay_unmount (overlay, &message) != 0)
    {
      *out_mounted = TRUE;
      if (ok)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     _("Could not unmount “%s”: %s"), mount_point,
                     message ? message : _("unknown error"));
      free (message);
      return FALSE;
    }
  g_rmdir (mount_point);
  return ok;
}

static void
set_no_links_error (UpdateData  *data,
                    GError     **error)
{
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
               _("The clean install of “%s” is on a drive that cannot store links (exFAT, "
                 "NTFS, FAT); Savepoint cannot update it there yet. Play it with the Wine "
                 "that made it, or move the game to a Linux drive (ext4, Btrfs)."),
               data->name);
}

/* Whether the drive of @dir_fd stores symbolic links (exFAT, NTFS and FAT
 * do not: their clean installs keep links in base.manifest). */
static gboolean
stores_links (int dir_fd)
{
  const char *probe = ".savepoint-link-probe";

  unlinkat (dir_fd, probe, 0);
  if (symlinkat ("probe", dir_fd, probe) != 0)
    return FALSE;
  unlinkat (dir_fd, probe, 0);
  return TRUE;
}

/* A new update with the runner's Wine @version: the marker, the work
 * folder, Wine in the overlay, the apply. */
static gboolean
update_with (UpdateData    *data,
             const char    *version,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *work_dir = g_build_filename (data->game_path, WORK_NAME, NULL);
  g_autofree char *upper = g_build_filename (work_dir, "upper", NULL);
  g_autofree char *work = g_build_filename (work_dir, "work", NULL);
  g_autofree char *log_path = g_build_filename (work_dir, "wine.log", NULL);
  g_autofree char *manifest = g_build_filename (data->game_path, SP_MANIFEST_FILE_NAME, NULL);
  gboolean mounted = FALSE;
  gboolean links;
  int work_fd;

  if (g_file_test (manifest, G_FILE_TEST_EXISTS))
    {
      set_no_links_error (data, error);
      return FALSE;
    }
  if (!write_marker (data, version, STAGE_BOOT, error))
    return FALSE;
  if (g_mkdir (work_dir, 0700) != 0 || g_mkdir (upper, 0755) != 0 || g_mkdir (work, 0700) != 0)
    {
      int saved = errno;

      sp_set_error_from_errno (error, saved, _("Cannot create the folder “%s”"), work_dir);
      remove_work (data, NULL);
      return FALSE;
    }
  work_fd = open (work_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  links = work_fd >= 0 && stores_links (work_fd);
  if (work_fd >= 0)
    close (work_fd);
  if (!links)
    {
      set_no_links_error (data, error);
      remove_work (data, NULL);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !boot_in_overlay (data, upper, work, log_path, &mounted, error))
    {
      /* base/ is untouched: nothing to finish. An overlay that could not
       * be unmounted keeps its folder and the marker (Stage=boot), thrown
       * away by the next update. */
      if (!mounted)
        remove_work (data, NULL);
      return FALSE;
    }
  /* What Wine wrote is on the drive before base/ starts to change. */
  work_fd = open (upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (work_fd >= 0)
    {
      syncfs (work_fd);
      close (work_fd);
    }
  if (!write_marker (data, version, STAGE_APPLY, error))
    return FALSE;
  return apply_upper (data, cancellable, error);
}

/* The files' part of an update, under the game lock held in @data: finishes
 * an interrupted update, or makes a new one. Sets @data->version. */
static gboolean
update_files (UpdateData    *data,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *pending = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *version = NULL;

  if (!read_marker (data->game_path, &pending, &stage, error))
    return FALSE;
  if (pending != NULL && g_strcmp0 (stage, STAGE_APPLY) == 0)
    {
      g_autofree char *marker = g_build_filename (data->game_path, MARKER_NAME, NULL);

      if (pending[0] == '\0')
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                       _("“%s” does not say which Wine updated the clean install of “%s”; the "
                         "update cannot be finished."), marker, data->name);
          return FALSE;
        }
      if (!apply_upper (data, cancellable, error))
        return FALSE;
      data->version = g_steal_pointer (&pending);
      data->finished = TRUE;
      return TRUE;
    }
  /* Cut short while Wine ran, before base/ changed: start again. */
  if (pending != NULL && !remove_work (data, error))
    return FALSE;

  version = sp_wine_runner_get_version (data->runner, cancellable, error);
  if (version == NULL)
    return FALSE;
  if (g_strcmp0 (version, data->recorded) != 0 &&
      !update_with (data, version, cancellable, error))
    return FALSE;
  data->version = g_steal_pointer (&version);
  return TRUE;
}

/* ---- The operation ---- */

static UpdateData *
start_update (SpLibrary   *library,
              SpGame      *game,
              const char  *runner,
              GError     **error)
{
  g_autoptr(UpdateData) data = NULL;
  g_autoptr(GError) guard_error = NULL;

  if (sp_game_get_read_only (game))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY,
                   _("“%s” is in a library of a newer Savepoint: its clean install is not "
                     "changed."), sp_game_get_name (game));
      return NULL;
    }
  if (sp_game_get_kind (game) != SP_GAME_KIND_WINE)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a Wine game: there is no Wine prefix to update."),
                   sp_game_get_name (game));
      return NULL;
    }
  data = g_new0 (UpdateData, 1);
  data->lock = sp_game_guard_acquire (library, game, &guard_error);
  if (data->lock == NULL &&
      g_error_matches (guard_error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE))
    {
      /* Its lock is held: played, or being updated already. */
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                   _("“%s” is being played, or its clean install is being updated: update it "
                     "once that has ended."), sp_game_get_name (game));
      return NULL;
    }
  if (data->lock == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&guard_error));
      return NULL;
    }
  data->name = g_strdup (sp_game_get_name (game));
  data->slug = g_strdup (sp_game_get_slug (game));
  data->game_path = g_strdup (sp_game_get_path (game));
  data->base_path = g_strdup (sp_game_get_base_path (game));
  data->library_id = g_strdup (sp_library_get_id (library));
  data->runner = g_strdup (runner);
  data->wine_user = g_strdup (sp_game_get_wine_user (game));
  data->recorded = g_strdup (sp_game_get_wine_version (game));
  if (g_file_test (data->base_path, G_FILE_TEST_IS_SYMLINK) ||
      !g_file_test (data->base_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The clean install of “%s” (“%s”) is not a folder on the drive."),
                   data->name, data->base_path);
      return NULL;
    }
  return g_steal_pointer (&data);
}

/* Writes the version to game.ini (on @game's thread; the async update
 * uses sp_game_save_async() instead). */
static gboolean
record_version (SpGame      *game,
                UpdateData  *data,
                GError     **error)
{
  if (g_strcmp0 (sp_game_get_wine_version (game), data->version) == 0)
    return TRUE;
  sp_game_set_wine_version (game, data->version);
  return sp_game_save_sync (game, error);
}

char *
sp_wine_update_sync (SpLibrary     *library,
                     SpGame        *game,
                     const char    *runner,
                     gboolean      *out_finished,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(UpdateData) data = NULL;

  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);
  g_return_val_if_fail (runner != NULL, NULL);

  if (out_finished != NULL)
    *out_finished = FALSE;
  data = start_update (library, game, runner, error);
  if (data == NULL || !update_files (data, cancellable, error) ||
      !record_version (game, data, error) || !remove_work (data, error))
    return NULL;
  if (out_finished != NULL)
    *out_finished = data->finished;
  return g_steal_pointer (&data->version);
}

static void
files_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (!update_files (task_data, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
cleanup_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  UpdateData *data = task_data;
  GError *error = NULL;

  if (!remove_work (data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (data->version), g_free);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* Not saved: the marker stays, and the next update records it. */
  if (!sp_game_save_finish (SP_GAME (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_run_in_thread (task, cleanup_thread);
}

static void
files_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  SpGame *game = SP_GAME (object);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_strcmp0 (sp_game_get_wine_version (game), data->version) == 0)
    {
      g_task_run_in_thread (task, cleanup_thread);
      return;
    }
  /* In the order of the game's other writes (sp_game_save_async()). */
  sp_game_set_wine_version (game, data->version);
  sp_game_save_async (game, NULL, save_done_cb, g_steal_pointer (&task));
}

void
sp_wine_update_async (SpLibrary           *library,
                      SpGame              *game,
                      const char          *runner,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) files_task = NULL;
  UpdateData *data;
  GError *error = NULL;

  g_return_if_fail (SP_IS_LIBRARY (library));
  g_return_if_fail (SP_IS_GAME (game));
  g_return_if_fail (runner != NULL);

  task = g_task_new (game, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_wine_update_async);
  /* The lock and checks here: a short read of the drive. */
  data = start_update (library, game, runner, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);
  files_task = g_task_new (game, cancellable, files_done_cb, g_object_ref (task));
  g_task_set_task_data (files_task, data, NULL);
  g_task_run_in_thread (files_task, files_thread);
}

char *
sp_wine_update_finish (SpGame        *game,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, game), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
