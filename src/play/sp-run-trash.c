/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trash of discarded runs (see sp-run-trash.h): a discard renames the
 * run folder into trash/<id>/run after writing trash/<id>/trash.ini; expiry,
 * emptying and recovery touch only folders whose marker names them, by
 * descriptor, without following symlinks or crossing mounts. */
#include "config.h"

#include "sp-run-trash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "core/sp-checkpoint.h"
#include "core/sp-drive-trash.h"
#include "core/sp-keyfile.h"
#include "core/sp-slug.h"
#include "sp-lock.h"
#include "sp-run-private.h"

#define GROUP        "Trash"
#define MARKER       "trash.ini"
#define RUN_ENTRY    "run"
#define MARKER_MAX   (64 * 1024)

G_LOCK_DEFINE_STATIC (limits);
static guint limit_days = SP_RUN_TRASH_DEFAULT_MAX_AGE_DAYS;
static guint64 limit_bytes = (guint64) SP_RUN_TRASH_DEFAULT_MAX_SIZE_GB * 1000 * 1000 * 1000;

void
sp_trashed_run_free (SpTrashedRun *trashed)
{
  if (trashed == NULL)
    return;
  g_free (trashed->id);
  g_free (trashed->path);
  g_free (trashed->run_path);
  g_free (trashed->library_id);
  g_free (trashed->slug);
  g_free (trashed->game_name);
  g_free (trashed->head);
  g_clear_pointer (&trashed->started, g_date_time_unref);
  g_clear_pointer (&trashed->discarded, g_date_time_unref);
  g_free (trashed);
}

void
sp_run_trash_set_limits (guint   max_age_days,
                         guint64 max_bytes)
{
  G_LOCK (limits);
  limit_days = max_age_days > 0 ? max_age_days : SP_RUN_TRASH_DEFAULT_MAX_AGE_DAYS;
  limit_bytes = max_bytes > 0 ? max_bytes
                              : (guint64) SP_RUN_TRASH_DEFAULT_MAX_SIZE_GB * 1000 * 1000 * 1000;
  G_UNLOCK (limits);
  /* The drive's trash of pruned checkpoints is emptied by the same rules. */
  sp_drive_trash_set_limits (max_age_days, max_bytes);
}

void
sp_run_trash_get_limits (guint   *out_max_age_days,
                         guint64 *out_max_bytes)
{
  G_LOCK (limits);
  if (out_max_age_days != NULL)
    *out_max_age_days = limit_days;
  if (out_max_bytes != NULL)
    *out_max_bytes = limit_bytes;
  G_UNLOCK (limits);
}

char *
sp_run_trash_dir (void)
{
  g_autofree char *runs = sp_runs_dir ();
  g_autofree char *default_runs = g_build_filename (g_get_user_state_dir (), "savepoint", "runs",
                                                    NULL);

  /* Beside the runs, on the same file system: a discard is a rename. */
  if (g_strcmp0 (runs, default_runs) == 0)
    return g_build_filename (g_get_user_state_dir (), "savepoint", "trash", NULL);
  return g_build_filename (runs, ".trash", NULL);
}

/* YYYYMMDDTHHMMSS-xxxxxx (lower-case hex) and nothing else. */
gboolean
sp_run_trash_id_is_valid (const char *id)
{
  if (id == NULL || strlen (id) != 22)
    return FALSE;
  for (guint i = 0; i < 22; i++)
    {
      char c = id[i];

      if (i == 8 ? c != 'T' : i == 15 ? c != '-' :
          i < 15 ? !g_ascii_isdigit (c) : !(g_ascii_isdigit (c) || (c >= 'a' && c <= 'f')))
        return FALSE;
    }
  return TRUE;
}

static char *
new_trash_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");

  return g_strdup_printf ("%s-%06x", stamp, g_random_int_range (0, 0x1000000));
}

/* Opens the trash folder (made when @create), not through a symlink. -1
 * with errno ENOENT when it does not exist (and !@create). */
static int
open_trash_dir (gboolean   create,
                GError   **error)
{
  g_autofree char *dir = sp_run_trash_dir ();
  int fd;

  if (create && g_mkdir_with_parents (dir, 0700) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Could not create the trash folder “%s”"), dir);
      return -1;
    }
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      if (saved != ENOENT || create)
        sp_set_error_from_errno (error, saved, _("Could not open the trash folder “%s”"), dir);
      errno = saved;
    }
  return fd;
}

static GDateTime *
get_time (GKeyFile   *kf,
          const char *key)
{
  g_autofree char *s = g_key_file_get_string (kf, GROUP, key, NULL);

  return s != NULL && *s != '\0' ? g_date_time_new_from_iso8601 (s, NULL) : NULL;
}

static gboolean
marker_error (GError     **error,
              const char  *path,
              const char  *why)
{
  g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE,
               _("“%s” is not a run Savepoint put in the trash (%s); it is left alone."),
               path, why);
  return FALSE;
}

/* Reads and checks the marker of trash/<id> (opened as @entry_fd). The
 * marker is ours when it names this folder: Id = @id; its ids match their
 * patterns, its numbers are numbers. */
static SpTrashedRun *
read_marker_at (int          entry_fd,
                const char  *trash_dir,
                const char  *id,
                GError     **error)
{
  g_autoptr(SpTrashedRun) trashed = g_new0 (SpTrashedRun, 1);
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = g_build_filename (trash_dir, id, NULL);
  g_autofree char *display = g_build_filename (path, MARKER, NULL);
  g_autofree char *data = NULL;
  g_autofree char *marker_id = NULL;
  gsize length = 0;
  gint64 play_time, size;

  if (!sp_read_regular_file_at (entry_fd, MARKER, display, MARKER_MAX, &data, &length,
                                &local_error))
    {
      marker_error (error, path, local_error->message);
      return NULL;
    }
  kf = sp_key_file_load_from_data (data, (gssize) length, display, &local_error);
  if (kf == NULL)
    {
      marker_error (error, path, local_error->message);
      return NULL;
    }
  marker_id = g_key_file_get_string (kf, GROUP, "Id", NULL);
  trashed->library_id = g_key_file_get_string (kf, GROUP, "Library", NULL);
  trashed->slug = g_key_file_get_string (kf, GROUP, "Game", NULL);
  trashed->game_name = g_key_file_get_string (kf, GROUP, "GameName", NULL);
  trashed->head = g_key_file_get_string (kf, GROUP, "Head", NULL);
  trashed->started = get_time (kf, "Started");
  trashed->discarded = get_time (kf, "Discarded");
  play_time = g_key_file_get_int64 (kf, GROUP, "PlayTime", NULL);
  size = g_key_file_get_int64 (kf, GROUP, "Size", NULL);

  if (g_key_file_get_integer (kf, GROUP, "Version", NULL) != 1)
    return marker_error (error, path, _("its marker has another Version")), NULL;
  if (g_strcmp0 (marker_id, id) != 0)
    return marker_error (error, path, _("its marker names another folder")), NULL;
  if (trashed->library_id == NULL || !g_uuid_string_is_valid (trashed->library_id) ||
      !sp_slug_is_valid (trashed->slug))
    return marker_error (error, path, _("its marker names no valid library and game")), NULL;
  if (trashed->head != NULL && *trashed->head != '\0' &&
      !sp_checkpoint_id_is_valid (trashed->head))
    return marker_error (error, path, _("its marker names no valid checkpoint")), NULL;
  if (trashed->discarded == NULL || play_time < 0 || size < 0)
    return marker_error (error, path, _("its marker has no valid time or size")), NULL;

  if (trashed->head != NULL && *trashed->head == '\0')
    g_clear_pointer (&trashed->head, g_free);
  if (trashed->game_name == NULL || *trashed->game_name == '\0')
    {
      g_free (trashed->game_name);
      trashed->game_name = g_strdup (trashed->slug);
    }
  trashed->play_time = play_time;
  trashed->size = (guint64) size;
  trashed->id = g_strdup (id);
  trashed->run_path = g_build_filename (path, RUN_ENTRY, NULL);
  trashed->path = g_steal_pointer (&path);
  return g_steal_pointer (&trashed);
}

/* Opens trash/<id> (no symlink) and reads its marker. */
static SpTrashedRun *
open_entry (int          trash_fd,
            const char  *id,
            int         *out_entry_fd,
            GError     **error)
{
  g_autofree char *trash_dir = sp_run_trash_dir ();
  g_autofree char *display = NULL;
  SpTrashedRun *trashed;
  int entry_fd;

  if (!sp_run_trash_id_is_valid (id))
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                   _("“%s” is not a trash id (“savepoint-cli trash” lists them)."), id);
      return NULL;
    }
  display = g_build_filename (trash_dir, id, NULL);
  entry_fd = sp_open_dir_nofollow_at (trash_fd, id, display, error);
  if (entry_fd < 0)
    return NULL;
  trashed = read_marker_at (entry_fd, trash_dir, id, error);
  if (trashed == NULL || out_entry_fd == NULL)
    close (entry_fd);
  else
    *out_entry_fd = entry_fd;
  return trashed;
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const SpTrashedRun *ta = *(SpTrashedRun **) a;
  const SpTrashedRun *tb = *(SpTrashedRun **) b;
  int by_time = g_date_time_compare (tb->discarded, ta->discarded);

  return by_time != 0 ? by_time : g_strcmp0 (tb->id, ta->id);
}

static GPtrArray *
list_at (int          trash_fd,
         const char  *library_id,
         const char  *slug)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_trashed_run_free);
  DIR *dir;
  struct dirent *de;
  int list_fd = dup (trash_fd);

  if (list_fd < 0 || (dir = fdopendir (list_fd)) == NULL)
    {
      if (list_fd >= 0)
        close (list_fd);
      return list;
    }
  while ((de = readdir (dir)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      SpTrashedRun *trashed;

      if (!sp_run_trash_id_is_valid (de->d_name))
        continue;
      trashed = open_entry (trash_fd, de->d_name, NULL, &error);
      if (trashed == NULL)
        {
          g_debug ("Trash: %s", error->message);
          continue;
        }
      if ((library_id != NULL && g_strcmp0 (trashed->library_id, library_id) != 0) ||
          (slug != NULL && g_strcmp0 (trashed->slug, slug) != 0))
        {
          sp_trashed_run_free (trashed);
          continue;
        }
      g_ptr_array_add (list, trashed);
    }
  closedir (dir);
  g_ptr_array_sort (list, compare_newest_first);
  return list;
}

GPtrArray *
sp_run_trash_list (const char  *library_id,
                   const char  *slug,
                   GError     **error)
{
  GPtrArray *list;
  int trash_fd = open_trash_dir (FALSE, error);

  if (trash_fd < 0)
    {
      if (errno == ENOENT)
        return g_ptr_array_new_with_free_func ((GDestroyNotify) sp_trashed_run_free);
      return NULL;
    }
  list = list_at (trash_fd, library_id, slug);
  close (trash_fd);
  return list;
}

SpTrashedRun *
sp_run_trash_lookup (const char  *id,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  SpTrashedRun *trashed;
  int trash_fd = open_trash_dir (FALSE, &local_error);

  if (trash_fd < 0 && errno != ENOENT)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  trashed = trash_fd >= 0 ? open_entry (trash_fd, id, NULL, &local_error) : NULL;
  if (trash_fd >= 0)
    close (trash_fd);
  if (trashed == NULL)
    {
      if (local_error != NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                     _("There is no discarded run “%s” in the trash (“savepoint-cli trash” "
                       "lists them)."), id);
    }
  return trashed;
}

/* Deletes trash/<id> once its marker (read again, on the opened folder)
 * names it: first the run, then the marker, then the folder, so that an
 * interrupted delete leaves the marker as long as anything else is left. */
static gboolean
remove_entry (int            trash_fd,
              const char    *id,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(SpTrashedRun) trashed = NULL;
  int entry_fd = -1;
  gboolean ok;

  trashed = open_entry (trash_fd, id, &entry_fd, error);
  if (trashed == NULL)
    return FALSE;
  ok = sp_remove_tree_at (entry_fd, RUN_ENTRY, trashed->run_path, cancellable, error);
  if (ok && unlinkat (entry_fd, MARKER, 0) != 0 && errno != ENOENT)
    ok = sp_set_error_from_errno (error, errno, _("Could not remove “%s”"), trashed->path);
  close (entry_fd);
  if (ok && unlinkat (trash_fd, id, AT_REMOVEDIR) != 0 && errno != ENOENT)
    ok = sp_set_error_from_errno (error, errno, _("Could not remove “%s”"), trashed->path);
  return ok;
}

guint
sp_run_trash_expire_full (gint64         max_age_seconds,
                          guint64        max_bytes,
                          const char    *keep_id,
                          GCancellable  *cancellable)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint64 total = 0;
  guint removed = 0;
  int trash_fd = open_trash_dir (FALSE, NULL);

  if (trash_fd < 0)
    return 0;
  list = list_at (trash_fd, NULL, NULL);

  /* By age; then, oldest first, by size, sparing the newest. */
  for (guint i = 0; i < list->len; i++)
    {
      SpTrashedRun *t = list->pdata[i];
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (t->id, keep_id) == 0 ||
          g_date_time_difference (now, t->discarded) / G_USEC_PER_SEC <= max_age_seconds)
        {
          total += t->size;
          continue;
        }
      if (remove_entry (trash_fd, t->id, cancellable, &error))
        removed++;
      else
        g_warning ("Could not expire the discarded run %s: %s", t->path, error->message);
      g_clear_pointer (&list->pdata[i], sp_trashed_run_free);
    }
  for (guint i = list->len; i > 1 && total > max_bytes; i--)
    {
      SpTrashedRun *t = list->pdata[i - 1];
      g_autoptr(GError) error = NULL;

      if (t == NULL || g_strcmp0 (t->id, keep_id) == 0)
        continue;
      if (remove_entry (trash_fd, t->id, cancellable, &error))
        {
          removed++;
          total -= t->size;
        }
      else
        g_warning ("Could not expire the discarded run %s: %s", t->path, error->message);
    }
  close (trash_fd);
  return removed;
}

guint
sp_run_trash_expire (const char   *keep_id,
                     GCancellable *cancellable)
{
  guint days;
  guint64 bytes;

  sp_run_trash_get_limits (&days, &bytes);
  return sp_run_trash_expire_full ((gint64) days * 24 * 3600, bytes, keep_id, cancellable);
}

gboolean
sp_run_trash_empty (const char    *library_id,
                    const char    *slug,
                    guint         *out_removed,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  guint removed = 0;
  gboolean ok = TRUE;
  int trash_fd = open_trash_dir (FALSE, error);

  if (out_removed != NULL)
    *out_removed = 0;
  if (trash_fd < 0)
    {
      if (errno != ENOENT)
        return FALSE;
      g_clear_error (error);
      return TRUE;
    }
  list = list_at (trash_fd, library_id, slug);
  for (guint i = 0; i < list->len && ok; i++)
    {
      SpTrashedRun *t = list->pdata[i];

      ok = remove_entry (trash_fd, t->id, cancellable, error);
      if (ok)
        removed++;
    }
  close (trash_fd);
  if (out_removed != NULL)
    *out_removed = removed;
  return ok;
}

static char *
marker_data (SpRun      *run,
             const char *id,
             guint64     size,
             gsize      *out_length)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *discarded = g_date_time_format_iso8601 (now);
  g_autofree char *started = g_date_time_format_iso8601 (sp_run_get_started (run));
  const char *head = sp_run_get_head (run);

  g_key_file_set_integer (kf, GROUP, "Version", 1);
  g_key_file_set_string (kf, GROUP, "Id", id);
  g_key_file_set_string (kf, GROUP, "Library", sp_run_get_library_id (run));
  g_key_file_set_string (kf, GROUP, "Game", sp_run_get_slug (run));
  g_key_file_set_string (kf, GROUP, "GameName", sp_run_get_game_name (run));
  if (sp_run_get_id (run) != NULL)
    g_key_file_set_string (kf, GROUP, "RunId", sp_run_get_id (run));
  g_key_file_set_string (kf, GROUP, "Head", head != NULL ? head : "");
  g_key_file_set_string (kf, GROUP, "Started", started);
  g_key_file_set_string (kf, GROUP, "Discarded", discarded);
  g_key_file_set_int64 (kf, GROUP, "PlayTime", sp_run_get_play_time (run));
  g_key_file_set_uint64 (kf, GROUP, "Size", size);
  return g_key_file_to_data (kf, out_length, NULL);
}

gboolean
sp_run_trash_move (SpRun         *run,
                   char         **out_id,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *trash_dir = NULL;
  g_autofree char *id = NULL;
  g_autofree char *entry_path = NULL;
  g_autofree char *marker_path = NULL;
  g_autofree char *data = NULL;
  struct stat lib_st, trash_st;
  const char *slug;
  gboolean gone = FALSE;
  gboolean ok = FALSE;
  guint64 size = 0;
  gsize length = 0;
  int lib_fd, trash_fd = -1, entry_fd = -1;

  g_return_val_if_fail (SP_IS_RUN (run), FALSE);
  g_return_val_if_fail (out_id != NULL, FALSE);

  *out_id = NULL;
  lib_fd = _sp_run_open_proven_parent (run, &gone, error);
  if (lib_fd < 0)
    return gone;
  slug = sp_run_get_slug (run);

  /* Its size for the marker; and nothing mounted in it may go along. */
  if (!sp_measure_tree_at (lib_fd, slug, sp_run_get_path (run), &size, cancellable, error))
    goto out;

  trash_dir = sp_run_trash_dir ();
  trash_fd = open_trash_dir (TRUE, error);
  if (trash_fd < 0)
    goto out;
  if (fstat (lib_fd, &lib_st) != 0 || fstat (trash_fd, &trash_st) != 0 ||
      lib_st.st_dev != trash_st.st_dev)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("Could not move the run “%s” to the trash “%s”: they are not on the same "
                     "file system. Nothing was discarded."),
                   sp_run_get_path (run), trash_dir);
      goto out;
    }

  for (guint attempt = 0; attempt < 16; attempt++)
    {
      g_clear_pointer (&id, g_free);
      id = new_trash_id ();
      if (mkdirat (trash_fd, id, 0700) == 0)
        break;
      if (errno != EEXIST)
        {
          sp_set_error_from_errno (error, errno, _("Could not create a folder in the trash “%s”"),
                                   trash_dir);
          goto out;
        }
      g_clear_pointer (&id, g_free);
    }
  if (id == NULL)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("Could not find a free name in the trash “%s”."), trash_dir);
      goto out;
    }
  entry_path = g_build_filename (trash_dir, id, NULL);
  marker_path = g_build_filename (entry_path, MARKER, NULL);
  entry_fd = sp_open_dir_nofollow_at (trash_fd, id, entry_path, error);
  if (entry_fd < 0)
    goto out;

  /* The marker first: whatever is in the trash carries it. */
  data = marker_data (run, id, size, &length);
  if (!sp_write_file_atomic (marker_path, data, (gssize) length, error))
    {
      unlinkat (trash_fd, id, AT_REMOVEDIR);
      goto out;
    }
  if (renameat (lib_fd, slug, entry_fd, RUN_ENTRY) != 0)
    {
      int saved = errno;

      unlinkat (entry_fd, MARKER, 0);
      unlinkat (trash_fd, id, AT_REMOVEDIR);
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("Could not move the run “%s” to the trash “%s”: %s. Nothing was "
                     "discarded."), sp_run_get_path (run), entry_path, g_strerror (saved));
      goto out;
    }
  fsync (entry_fd);
  fsync (lib_fd);
  *out_id = g_steal_pointer (&id);
  ok = TRUE;

out:
  if (entry_fd >= 0)
    close (entry_fd);
  if (trash_fd >= 0)
    close (trash_fd);
  close (lib_fd);
  return ok;
}

gboolean
sp_run_check_head_change (const char  *library_id,
                          SpGame      *game,
                          SpRun      **out_pending,
                          GError     **error)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *what = NULL;
  g_autoptr(GError) lock_error = NULL;
  SpLock *lock;

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  if (out_pending != NULL)
    *out_pending = NULL;
  if (library_id != NULL && g_uuid_string_is_valid (library_id))
    run_dir = sp_run_dir_for (library_id, sp_game_get_slug (game));
  if (run_dir != NULL && g_file_test (run_dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(SpRun) run = sp_run_load (run_dir, NULL);

      if (run != NULL && !sp_run_is_pending (run))
        {
          g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                       _("“%s” is being played: the checkpoint it starts from cannot change "
                         "until the game has ended."), sp_game_get_name (game));
          return FALSE;
        }
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS,
                   _("“%s” has a run on this computer that is not kept or discarded yet (%s)."),
                   sp_game_get_name (game), run_dir);
      if (out_pending != NULL)
        *out_pending = g_steal_pointer (&run);
      return FALSE;
    }

  /* Played here by a session that has no run folder yet, or elsewhere. */
  lock_path = sp_game_lock_path (game);
  what = g_strdup_printf (_("The game “%s”"), sp_game_get_name (game));
  lock = sp_lock_acquire (lock_path, what, &lock_error);
  if (lock == NULL && g_error_matches (lock_error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY))
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                   _("“%s” is being played: the checkpoint it starts from cannot change until "
                     "the game has ended. %s"), sp_game_get_name (game), lock_error->message);
      return FALSE;
    }
  g_clear_pointer (&lock, sp_lock_release);
  return TRUE;
}

SpRun *
sp_run_trash_recover (const char  *id,
                      const char  *library_id,
                      SpGame      *game,
                      GError     **error)
{
  g_autoptr(SpTrashedRun) trashed = NULL;
  g_autoptr(SpRun) trashed_run = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *runs_parent = NULL;
  int trash_fd, entry_fd = -1;

  g_return_val_if_fail (SP_IS_GAME (game), NULL);
  g_return_val_if_fail (library_id != NULL && g_uuid_string_is_valid (library_id), NULL);

  trashed = sp_run_trash_lookup (id, error);
  if (trashed == NULL)
    return NULL;
  if (g_strcmp0 (trashed->library_id, library_id) != 0 ||
      g_strcmp0 (trashed->slug, sp_game_get_slug (game)) != 0)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                   _("The discarded run %s is a run of “%s”, not of “%s”."),
                   id, trashed->game_name, sp_game_get_name (game));
      return NULL;
    }
  {
    struct stat st;

    /* The run itself, not a link to some other folder. */
    if (lstat (trashed->run_path, &st) != 0 || !S_ISDIR (st.st_mode))
      {
        marker_error (error, trashed->path, _("its run is not a folder"));
        return NULL;
      }
  }
  trashed_run = sp_run_load (trashed->run_path, error);
  if (trashed_run == NULL)
    return NULL;
  if (g_strcmp0 (sp_run_get_library_id (trashed_run), library_id) != 0 ||
      g_strcmp0 (sp_run_get_slug (trashed_run), sp_game_get_slug (game)) != 0)
    {
      marker_error (error, trashed->path, _("its run is another game’s"));
      return NULL;
    }

  /* Nothing unkept is overwritten: a pending or running run stays. */
  run_dir = sp_run_dir_for (library_id, sp_game_get_slug (game));
  if (g_file_test (run_dir, G_FILE_TEST_EXISTS))
    {
      g_autoptr(SpRun) current = sp_run_load (run_dir, NULL);

      if (current != NULL && !sp_run_is_pending (current))
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                     _("“%s” is being played; recover the discarded run once the game has "
                       "ended and its run is kept or discarded."), sp_game_get_name (game));
      else
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS,
                     _("“%s” already has a run that is not kept or discarded yet (%s). Keep "
                       "or discard that one first (savepoint-cli recover)."),
                     sp_game_get_name (game), run_dir);
      return NULL;
    }
  runs_parent = g_path_get_dirname (run_dir);
  if (g_mkdir_with_parents (runs_parent, 0700) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Could not create the runs folder “%s”"),
                               runs_parent);
      return NULL;
    }
  if (sp_rename_noreplace (trashed->run_path, run_dir) != 0)
    {
      int saved = errno;

      if (saved == EEXIST)
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS,
                     _("“%s” already has a run that is not kept or discarded yet (%s). Keep "
                       "or discard that one first (savepoint-cli recover)."),
                     sp_game_get_name (game), run_dir);
      else
        g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                     _("Could not move “%s” back to “%s”: %s"),
                     trashed->run_path, run_dir, g_strerror (saved));
      return NULL;
    }

  /* The run is back: its trash folder (marker only) goes. */
  trash_fd = open_trash_dir (FALSE, &local_error);
  if (trash_fd >= 0)
    {
      entry_fd = sp_open_dir_nofollow_at (trash_fd, id, trashed->path, NULL);
      if (entry_fd >= 0)
        {
          unlinkat (entry_fd, MARKER, 0);
          close (entry_fd);
        }
      unlinkat (trash_fd, id, AT_REMOVEDIR);
      fsync (trash_fd);
      close (trash_fd);
    }
  return sp_run_load (run_dir, error);
}
