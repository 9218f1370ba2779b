/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-drive-trash.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-checkpoint.h"
#include "sp-keyfile.h"
#include "sp-leftovers.h"
#include "sp-library-error.h"
#include "sp-slug.h"
#include "common/sp-util.h"

G_LOCK_DEFINE_STATIC (limits);
static guint limit_days = SP_DRIVE_TRASH_MAX_AGE_DAYS;
static guint64 limit_bytes = SP_DRIVE_TRASH_MAX_SIZE;

void
sp_drive_trash_set_limits (guint   max_age_days,
                           guint64 max_bytes)
{
  G_LOCK (limits);
  limit_days = max_age_days > 0 ? max_age_days : SP_DRIVE_TRASH_MAX_AGE_DAYS;
  limit_bytes = max_bytes > 0 ? max_bytes : SP_DRIVE_TRASH_MAX_SIZE;
  G_UNLOCK (limits);
}

void
sp_drive_trash_get_limits (guint   *out_max_age_days,
                           guint64 *out_max_bytes)
{
  G_LOCK (limits);
  if (out_max_age_days != NULL)
    *out_max_age_days = limit_days;
  if (out_max_bytes != NULL)
    *out_max_bytes = limit_bytes;
  G_UNLOCK (limits);
}

#define GROUP "Trash"
#define MARKER_MAX_SIZE (64 * 1024)

/* A descriptor closed at the end of its scope. */
typedef int SpFd;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (SpFd, close, -1)

void
sp_drive_trash_entry_free (SpDriveTrashEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry->path);
  g_free (entry->game);
  g_free (entry->checkpoint_id);
  g_clear_pointer (&entry->trashed, g_date_time_unref);
  g_free (entry);
}

char *
sp_drive_trash_get_path (const char *library_path)
{
  g_return_val_if_fail (library_path != NULL, NULL);
  return g_build_filename (library_path, SP_DRIVE_TRASH_DIR, NULL);
}

/* Opens <library>/trash without following links; with @create, makes it
 * first. -1 with errno ENOENT (and no @error) when it is missing. */
static int
open_trash (const char  *library_path,
            gboolean     create,
            GError     **error)
{
  g_autofree char *trash = sp_drive_trash_get_path (library_path);
  g_auto(SpFd) lib_fd = open (library_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd;

  if (lib_fd < 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot open “%s”"), library_path);
      return -1;
    }
  if (create && mkdirat (lib_fd, SP_DRIVE_TRASH_DIR, 0755) != 0 && errno != EEXIST)
    {
      sp_set_error_from_errno (error, errno, _("Cannot create “%s”"), trash);
      return -1;
    }
  fd = openat (lib_fd, SP_DRIVE_TRASH_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && !create)
    return -1;
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP || saved == ENOTDIR)
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                     _("“%s” is not a folder (a link or a file is in its place); Savepoint "
                       "does not use it as its trash. Move it away."), trash);
      else
        sp_set_error_from_errno (error, saved, _("Cannot open “%s”"), trash);
      errno = saved;
      return -1;
    }
  return fd;
}

static char *
format_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

gboolean
sp_drive_trash_move_checkpoint (const char  *library_path,
                                const char  *slug,
                                const char  *checkpoint_id,
                                const char  *ini_path,
                                const char  *archive_path,
                                gboolean    *out_ini_moved,
                                GError     **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *name = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *trashed = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *checkpoints = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *transition = NULL;
  g_autofree char *ini_name = NULL;
  g_autofree char *archive_name = NULL;
  g_autofree char *ini_dest = NULL;
  g_autofree char *archive_dest = NULL;
  g_auto(SpFd) trash_fd = -1;

  g_return_val_if_fail (library_path != NULL, FALSE);
  g_return_val_if_fail (sp_slug_is_valid (slug), FALSE);
  g_return_val_if_fail (sp_checkpoint_id_is_valid (checkpoint_id), FALSE);
  g_return_val_if_fail (out_ini_moved != NULL, FALSE);

  *out_ini_moved = FALSE;
  trash = sp_drive_trash_get_path (library_path);
  trash_fd = open_trash (library_path, TRUE, error);
  if (trash_fd < 0)
    return FALSE;

  name = g_strdup_printf ("%s.%s", slug, checkpoint_id);
  for (guint n = 2; mkdirat (trash_fd, name, 0755) != 0; n++)
    {
      if (errno != EEXIST || n > 1000)
        {
          g_autofree char *path = g_build_filename (trash, name, NULL);
          return sp_set_error_from_errno (error, errno, _("Cannot create “%s”"), path);
        }
      g_free (name);
      name = g_strdup_printf ("%s.%s.%u", slug, checkpoint_id, n);
    }
  entry = g_build_filename (trash, name, NULL);

  trashed = format_now ();
  contents = g_strdup_printf ("[" GROUP "]\nVersion=1\nGame=%s\nCheckpoint=%s\nTrashed=%s\n",
                              slug, checkpoint_id, trashed);
  marker = g_build_filename (entry, SP_DRIVE_TRASH_MARKER, NULL);
  if (!sp_write_file_atomic (marker, contents, -1, error))
    {
      g_rmdir (entry);
      return FALSE;
    }

  /* As a delete does: once the .ini is gone the archive is an orphan, which
   * this marker lets the next start remove if we are killed in between. */
  checkpoints = g_path_get_dirname (ini_path);
  stem = g_build_filename (checkpoints, checkpoint_id, NULL);
  transition = sp_leftover_file_path (stem);
  if (!sp_leftover_write_marker (transition, FALSE, SP_LEFTOVER_KIND_CHECKPOINT, NULL, error))
    return FALSE;

  ini_name = g_strconcat (checkpoint_id, ".ini", NULL);
  ini_dest = g_build_filename (entry, ini_name, NULL);
  if (sp_rename_noreplace (ini_path, ini_dest) != 0)
    {
      int saved = errno;

      sp_leftover_remove_marker (transition, FALSE);
      return sp_set_error_from_errno (error, saved, _("Cannot move “%s” to the drive’s trash"),
                                      ini_path);
    }
  *out_ini_moved = TRUE;
  sp_fsync_directory (checkpoints, NULL);

  archive_name = g_strconcat (checkpoint_id, ".tar.zst", NULL);
  archive_dest = g_build_filename (entry, archive_name, NULL);
  if (sp_rename_noreplace (archive_path, archive_dest) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Checkpoint %s was moved to the drive’s trash but its archive “%s” could "
                     "not follow (%s); it is removed the next time the library is opened."),
                   checkpoint_id, archive_path, g_strerror (saved));
      return FALSE;
    }
  sp_fsync_directory (entry, NULL);
  sp_fsync_directory (checkpoints, NULL);
  sp_leftover_remove_marker (transition, FALSE);
  return TRUE;
}

/* Reads and checks the marker of the entry folder @entry_fd; NULL (and
 * @error) when it is not one of ours. */
static SpDriveTrashEntry *
read_entry (int          entry_fd,
            const char  *trash,
            const char  *name,
            GError     **error)
{
  g_autoptr(SpDriveTrashEntry) entry = g_new0 (SpDriveTrashEntry, 1);
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *data = NULL;
  g_autofree char *trashed = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  gsize length = 0;
  gint64 version = 0;
  const char *files[3];

  entry->name = g_strdup (name);
  entry->path = g_build_filename (trash, name, NULL);
  marker = g_build_filename (entry->path, SP_DRIVE_TRASH_MARKER, NULL);
  if (!sp_read_regular_file_at (entry_fd, SP_DRIVE_TRASH_MARKER, marker, MARKER_MAX_SIZE,
                                &data, &length, error))
    return NULL;
  kf = sp_key_file_load_from_data (data, length, marker, error);
  if (kf == NULL)
    return NULL;
  if (!sp_key_file_get_int64 (kf, marker, GROUP, "Version", 0, &version, error))
    return NULL;
  if (version != 1)
    {
      sp_key_file_set_error (error, marker, data, GROUP, "Version",
                             _("this trash entry is of another version; it is left alone."));
      return NULL;
    }
  entry->game = sp_key_file_get_string_required (kf, marker, GROUP, "Game", error);
  if (entry->game == NULL)
    return NULL;
  if (!sp_slug_is_valid (entry->game))
    {
      sp_key_file_set_error (error, marker, data, GROUP, "Game",
                             _("“%s” is not a game’s folder name."), entry->game);
      return NULL;
    }
  entry->checkpoint_id = sp_key_file_get_string_required (kf, marker, GROUP, "Checkpoint", error);
  if (entry->checkpoint_id == NULL)
    return NULL;
  if (!sp_checkpoint_id_is_valid (entry->checkpoint_id))
    {
      sp_key_file_set_error (error, marker, data, GROUP, "Checkpoint",
                             _("“%s” is not a checkpoint id."), entry->checkpoint_id);
      return NULL;
    }
  trashed = sp_key_file_get_string_required (kf, marker, GROUP, "Trashed", error);
  if (trashed == NULL)
    return NULL;
  parsed = g_date_time_new_from_iso8601 (g_strstrip (trashed), NULL);
  if (parsed == NULL)
    {
      sp_key_file_set_error (error, marker, data, GROUP, "Trashed",
                             _("“%s” is not an ISO 8601 date and time with a time zone."),
                             trashed);
      return NULL;
    }
  entry->trashed = g_date_time_to_utc (parsed);

  files[0] = SP_DRIVE_TRASH_MARKER;
  files[1] = g_strconcat (entry->checkpoint_id, ".ini", NULL);
  files[2] = g_strconcat (entry->checkpoint_id, ".tar.zst", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      struct stat st;

      if (fstatat (entry_fd, files[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        entry->size += (guint64) st.st_size;
    }
  g_free ((char *) files[1]);
  g_free ((char *) files[2]);
  return g_steal_pointer (&entry);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const SpDriveTrashEntry *ea = *(SpDriveTrashEntry * const *) a;
  const SpDriveTrashEntry *eb = *(SpDriveTrashEntry * const *) b;
  int r = g_date_time_compare (ea->trashed, eb->trashed);

  return r != 0 ? r : strcmp (ea->name, eb->name);
}

GPtrArray *
sp_drive_trash_list (const char  *library_path,
                     const char  *slug,
                     GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_drive_trash_entry_free);
  g_autofree char *trash = NULL;
  g_auto(SpFd) trash_fd = -1;
  g_auto(SpFd) list_fd = -1;
  g_autoptr(GError) local_error = NULL;
  struct stat trash_st;
  DIR *dir;
  struct dirent *de;

  g_return_val_if_fail (library_path != NULL, NULL);

  trash = sp_drive_trash_get_path (library_path);
  trash_fd = open_trash (library_path, FALSE, &local_error);
  if (trash_fd < 0)
    {
      if (local_error == NULL)
        return g_steal_pointer (&entries);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (fstat (trash_fd, &trash_st) != 0 || (list_fd = dup (trash_fd)) < 0 ||
      (dir = fdopendir (list_fd)) == NULL)
    {
      sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), trash);
      return NULL;
    }
  list_fd = -1;   /* the DIR owns it */
  while ((de = readdir (dir)) != NULL)
    {
      g_auto(SpFd) entry_fd = -1;
      SpDriveTrashEntry *entry;
      struct stat st;

      if (de->d_name[0] == '.')
        continue;
      entry_fd = openat (trash_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (entry_fd < 0 || fstat (entry_fd, &st) != 0 || st.st_dev != trash_st.st_dev)
        continue;
      entry = read_entry (entry_fd, trash, de->d_name, NULL);
      if (entry == NULL)
        continue;
      if (slug != NULL && !g_str_equal (entry->game, slug))
        {
          sp_drive_trash_entry_free (entry);
          continue;
        }
      g_ptr_array_add (entries, entry);
    }
  closedir (dir);
  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

static gboolean
unlink_in_entry (int          entry_fd,
                 const char  *entry_path,
                 const char  *name,
                 GError     **error)
{
  struct stat st;

  if (fstatat (entry_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
    }
  else if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s/%s” is a folder Savepoint did not put there; the trash entry is left "
                     "alone."), entry_path, name);
      return FALSE;
    }
  if (unlinkat (entry_fd, name, 0) != 0 && errno != ENOENT)
    {
      g_autofree char *path = g_build_filename (entry_path, name, NULL);
      return sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), path);
    }
  return TRUE;
}

gboolean
sp_drive_trash_remove (const char         *library_path,
                       SpDriveTrashEntry  *entry,
                       GError            **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *ini_name = NULL;
  g_autofree char *archive_name = NULL;
  g_autoptr(SpDriveTrashEntry) again = NULL;
  g_auto(SpFd) trash_fd = -1;
  g_auto(SpFd) entry_fd = -1;
  g_autoptr(GError) local_error = NULL;
  struct stat trash_st, st;

  g_return_val_if_fail (library_path != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  trash = sp_drive_trash_get_path (library_path);
  trash_fd = open_trash (library_path, FALSE, &local_error);
  if (trash_fd < 0)
    {
      if (local_error == NULL)
        return TRUE;   /* the whole trash is gone */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  entry_fd = sp_open_dir_nofollow_at (trash_fd, entry->name, entry->path, error);
  if (entry_fd < 0)
    return FALSE;
  if (fstat (trash_fd, &trash_st) != 0 || fstat (entry_fd, &st) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), entry->path);
  if (st.st_dev != trash_st.st_dev)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is on another file system; Savepoint does not remove it."),
                   entry->path);
      return FALSE;
    }
  /* What was listed may have been swapped meanwhile: the marker of the
   * folder actually opened decides. */
  again = read_entry (entry_fd, trash, entry->name, error);
  if (again == NULL)
    return FALSE;

  ini_name = g_strconcat (again->checkpoint_id, ".ini", NULL);
  archive_name = g_strconcat (again->checkpoint_id, ".tar.zst", NULL);
  if (!unlink_in_entry (entry_fd, entry->path, archive_name, error) ||
      !unlink_in_entry (entry_fd, entry->path, ini_name, error) ||
      !unlink_in_entry (entry_fd, entry->path, SP_DRIVE_TRASH_MARKER, error))
    return FALSE;
  if (unlinkat (trash_fd, entry->name, AT_REMOVEDIR) != 0)
    {
      int saved = errno;

      if (saved == ENOTEMPTY || saved == EEXIST)
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                     _("“%s” holds files Savepoint did not put there; they are left alone."),
                     entry->path);
      else
        sp_set_error_from_errno (error, saved, _("Cannot remove “%s”"), entry->path);
      return FALSE;
    }
  sp_fsync_directory (trash, NULL);
  return TRUE;
}

gboolean
sp_drive_trash_expire (const char  *library_path,
                       const char  *slug,
                       GDateTime   *now,
                       guint        max_age_days,
                       guint64      max_size,
                       GPtrArray  **out_removed,
                       GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) limit = NULL;
  g_autoptr(GError) first_error = NULL;
  guint64 total = 0;

  g_return_val_if_fail (library_path != NULL, FALSE);

  entries = sp_drive_trash_list (library_path, slug, error);
  if (entries == NULL)
    return FALSE;
  removed = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_drive_trash_entry_free);
  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();
  limit = g_date_time_add_days (now, -(gint) MIN (max_age_days, 100000));

  for (guint i = 0; i < entries->len; i++)
    {
      SpDriveTrashEntry *e = g_ptr_array_index (entries, i);

      total += e->size;
    }
  /* Oldest first: by age, then by size. An entry that cannot go is
   * reported (the first one) and the next is tried. */
  for (guint i = 0; i < entries->len; i++)
    {
      SpDriveTrashEntry *e = g_ptr_array_index (entries, i);
      gboolean too_old = max_age_days == 0 || g_date_time_compare (e->trashed, limit) < 0;
      g_autoptr(GError) local_error = NULL;

      if (!too_old && total <= max_size)
        break;
      if (!sp_drive_trash_remove (library_path, e, &local_error))
        {
          if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
          continue;
        }
      total -= MIN (total, e->size);
      g_ptr_array_add (removed, g_steal_pointer (&entries->pdata[i]));
    }
  if (out_removed != NULL)
    *out_removed = g_steal_pointer (&removed);
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char  *library_path;
  char  *slug;
  guint  removed;
} EmptyData;

static void
empty_data_free (EmptyData *data)
{
  g_free (data->library_path);
  g_free (data->slug);
  g_free (data);
}

static void
empty_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EmptyData *data = task_data;
  g_autoptr(GPtrArray) removed = NULL;
  GError *error = NULL;
  gboolean ok;

  ok = sp_drive_trash_expire (data->library_path, data->slug, NULL, 0, 0, &removed, &error);
  data->removed = removed != NULL ? removed->len : 0;
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_drive_trash_empty_async (const char          *library_path,
                            const char          *slug,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EmptyData *data;

  g_return_if_fail (library_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_drive_trash_empty_async);
  data = g_new0 (EmptyData, 1);
  data->library_path = g_strdup (library_path);
  data->slug = g_strdup (slug);
  g_task_set_task_data (task, data, (GDestroyNotify) empty_data_free);
  /* Once started it is done: removing files is not undone. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, empty_thread);
}

gboolean
sp_drive_trash_empty_finish (GAsyncResult  *result,
                             guint         *out_removed,
                             GError       **error)
{
  EmptyData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_removed != NULL)
    *out_removed = data->removed;
  return g_task_propagate_boolean (G_TASK (result), error);
}
