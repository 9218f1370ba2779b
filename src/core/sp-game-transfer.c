/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-game-private.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-keyfile.h"
#include "sp-library.h"
#include "sp-sha256.h"
#include "sp-task-private.h"
#include "sp-util.h"

/* Exporting a checkpoint's archive to a file, and importing one. */

/* Copies @from to a temporary file beside @to while hashing it, fsyncs and
 * renames it to @to. If @expected_sha256 is set, a mismatch is an error and
 * @to is not touched. */
static gboolean
copy_file_hashed (const char    *from,
                  const char    *to,
                  guint64        expected_size,
                  const char    *expected_sha256,
                  char         **out_sha256,
                  guint64       *out_size,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SpSha256) sum = sp_sha256_new ();
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", to);
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  guint64 total = 0;
  int in_fd, out_fd;
  gboolean ok = FALSE;

  in_fd = open (from, O_RDONLY | O_CLOEXEC);
  if (in_fd < 0)
    return sp_set_error_from_errno (error, errno, _("Cannot open “%s”"), from);
  out_fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (out_fd < 0)
    {
      int saved = errno;
      close (in_fd);
      return sp_set_error_from_errno (error, saved, _("Cannot create a file beside “%s”"), to);
    }

  for (;;)
    {
      ssize_t n = read (in_fd, buf, 1024 * 1024);
      ssize_t done = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), from);
          goto out;
        }
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      sp_sha256_update (sum, buf, n);
      total += n;
      while (done < n)
        {
          ssize_t w = write (out_fd, buf + done, n - done);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            {
              int saved = errno;
              if (saved == ENOSPC || saved == EDQUOT)
                g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                             _("Writing “%s” failed: the disk is full. Free some space and "
                               "try again."), to);
              else
                sp_set_error_from_errno (error, saved, _("Cannot write “%s”"), to);
              goto out;
            }
          done += w;
        }
    }

  if (fsync (out_fd) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
      goto out;
    }

  if (expected_sha256 != NULL &&
      (total != expected_size || g_strcmp0 (sp_sha256_get_string (sum), expected_sha256) != 0))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("“%s” is damaged: its size or SHA-256 does not match the checkpoint’s "
                     "record. Nothing was written to “%s”."), from, to);
      goto out;
    }
  ok = TRUE;

out:
  close (in_fd);
  if (close (out_fd) != 0 && ok)
    ok = sp_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
  if (ok && !sp_rename_durable (tmp, to, error))
    ok = FALSE;
  if (!ok)
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (out_sha256)
    *out_sha256 = g_strdup (sp_sha256_get_string (sum));
  if (out_size)
    *out_size = total;
  return TRUE;
}

static gboolean
export_files (const char    *archive_path,
              guint64        archive_size,
              const char    *sha256,
              const char    *dest_path,
              GCancellable  *cancellable,
              GError       **error)
{
  if (g_file_test (dest_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is a folder. Give a file name to export to, such as "
                     "“%s/checkpoint.tar.zst”."), dest_path, dest_path);
      return FALSE;
    }
  return copy_file_hashed (archive_path, dest_path, archive_size, sha256, NULL, NULL,
                           cancellable, error);
}

static SpCheckpoint *
lookup_present_checkpoint (SpGame      *self,
                           const char  *checkpoint_id,
                           GError     **error)
{
  SpCheckpoint *c = _sp_game_lookup_checkpoint (self, checkpoint_id, error);

  if (c != NULL && !g_file_test (sp_checkpoint_get_archive_path (c), G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("The archive “%s” of checkpoint %s is missing. Delete the checkpoint, "
                     "or put the archive back from a backup or an export."),
                   sp_checkpoint_get_archive_path (c), checkpoint_id);
      return NULL;
    }
  return c;
}

gboolean
sp_game_export_checkpoint_sync (SpGame        *self,
                                const char    *checkpoint_id,
                                const char    *dest_path,
                                GCancellable  *cancellable,
                                GError       **error)
{
  SpCheckpoint *c;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  c = lookup_present_checkpoint (self, checkpoint_id, error);
  if (c == NULL)
    return FALSE;
  return export_files (sp_checkpoint_get_archive_path (c), sp_checkpoint_get_archive_size (c),
                       sp_checkpoint_get_sha256 (c), dest_path, cancellable, error);
}

typedef struct
{
  char    *archive_path;
  guint64  archive_size;
  char    *sha256;
  char    *dest_path;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->archive_path);
  g_free (data->sha256);
  g_free (data->dest_path);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;

  if (export_files (data->archive_path, data->archive_size, data->sha256, data->dest_path,
                    cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_game_export_checkpoint_async (SpGame              *self,
                                 const char          *checkpoint_id,
                                 const char          *dest_path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ExportData *data;
  SpCheckpoint *c;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (dest_path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_game_export_checkpoint_async);
  c = lookup_present_checkpoint (self, checkpoint_id, &error);
  if (c == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (ExportData, 1);
  data->archive_path = g_strdup (sp_checkpoint_get_archive_path (c));
  data->archive_size = sp_checkpoint_get_archive_size (c);
  data->sha256 = g_strdup (sp_checkpoint_get_sha256 (c));
  data->dest_path = g_strdup (dest_path);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
sp_game_export_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reads the whole archive through libarchive: proves the zstd stream and
 * the tar structure are intact and counts entries and content bytes. */
static gboolean
scan_archive (const char    *path,
              const char    *display_name,
              guint64       *out_files,
              guint64       *out_bytes,
              GCancellable  *cancellable,
              GError       **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  guint64 files = 0, bytes = 0;
  gboolean ok = FALSE;
  int r;

  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 256 * 1024) != ARCHIVE_OK)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT,
                   _("“%s” is not a checkpoint archive: %s"), display_name,
                   archive_error_string (a));
      goto out;
    }
  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (name == NULL || !g_str_has_prefix (name, ".savepoint/"))
        {
          files++;
          if (archive_entry_filetype (entry) == AE_IFREG)
            bytes += archive_entry_size (entry);
        }
      if (archive_read_data_skip (a) != ARCHIVE_OK)
        {
          r = ARCHIVE_FATAL;
          break;
        }
    }
  if (r != ARCHIVE_EOF)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT,
                   _("“%s” is damaged (truncated or corrupt): %s"), display_name,
                   archive_error_string (a) ? archive_error_string (a) : "");
      goto out;
    }
  *out_files = files;
  *out_bytes = bytes;
  ok = TRUE;

out:
  archive_read_free (a);
  return ok;
}

static SpCheckpoint *
import_files (const char    *checkpoints_path,
              const char    *source,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *text = NULL;
  g_autofree char *display = NULL;
  g_autofree char *created = NULL;
  g_autofree char *id = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *copied_sha = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) local_error = NULL;
  SpArchiveStats stats = { 0 };
  struct stat st;
  guint64 free_space = 0;
  gint64 play_time = 0;
  SpCheckpoint *checkpoint;

  if (stat (source, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                   _("“%s” is not a file. Give the path of an exported checkpoint (.tar.zst)."),
                   source);
      return NULL;
    }

  text = sp_archive_read_metadata (source, error);
  if (text == NULL)
    return NULL;
  display = g_strdup_printf ("%s:%s", source, SP_ARCHIVE_METADATA_ENTRY);
  meta = sp_key_file_load_from_data (text, -1, display, error);
  if (meta == NULL)
    return NULL;
  if (!g_key_file_has_group (meta, CHECKPOINT_GROUP))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                   _("%s: there is no [Checkpoint] group: “%s” is not a Savepoint checkpoint."),
                   display, source);
      return NULL;
    }
  created = sp_key_file_get_string_or_null (meta, CHECKPOINT_GROUP, "Created");
  if (created != NULL)
    when = g_date_time_new_from_iso8601 (g_strstrip (created), NULL);
  if (when == NULL)
    when = g_date_time_new_now_utc ();
  g_clear_pointer (&created, g_free);
  {
    g_autoptr(GDateTime) utc = g_date_time_to_utc (when);
    created = _sp_game_format_created (utc);
  }
  if (!sp_key_file_get_int64 (meta, display, CHECKPOINT_GROUP, "PlayTime", 0, &play_time, error))
    return NULL;
  label = g_key_file_get_string (meta, CHECKPOINT_GROUP, "Label", NULL);

  if (!_sp_game_ensure_checkpoints_dir (checkpoints_path, error))
    return NULL;
  if (sp_free_space (checkpoints_path, &free_space, NULL) && free_space < (guint64) st.st_size)
    {
      g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                   _("Not enough free space in “%s” to import “%s” (%" PRIu64
                     " bytes needed). Free some space and try again."),
                   checkpoints_path, source, (guint64) st.st_size);
      return NULL;
    }

  id = _sp_game_unused_checkpoint_id (checkpoints_path);
  archive = g_strdup_printf ("%s/%s.tar.zst", checkpoints_path, id);
  partial = g_strdup_printf ("%s.partial", archive);
  ini = g_strdup_printf ("%s/%s.ini", checkpoints_path, id);

  if (!copy_file_hashed (source, partial, 0, NULL, &copied_sha, &stats.archive_size,
                         cancellable, error))
    return NULL;

  /* Read back what landed on the drive: the hash proves the copy, the scan
   * proves the archive is whole. */
  if (!sp_archive_verify (partial, stats.archive_size, copied_sha, cancellable, &local_error) ||
      !scan_archive (partial, source, &stats.files, &stats.bytes, cancellable, &local_error))
    {
      g_unlink (partial);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_strlcpy (stats.sha256, copied_sha, sizeof stats.sha256);

  if (!sp_rename_durable (partial, archive, error))
    {
      g_unlink (partial);
      return NULL;
    }

  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Created", created);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  g_key_file_set_int64 (kf, CHECKPOINT_GROUP, "PlayTime", MAX (play_time, 0));
  {
    g_autofree char *base = g_path_get_basename (source);
    g_key_file_set_string (kf, CHECKPOINT_GROUP, "ImportedFrom", base);
  }
  if (!_sp_game_write_checkpoint_ini (ini, kf, &stats, error))
    {
      g_unlink (archive);
      return NULL;
    }
  checkpoint = sp_checkpoint_load (ini, error);
  if (checkpoint == NULL)
    {
      g_unlink (ini);
      g_unlink (archive);
    }
  return checkpoint;
}

SpCheckpoint *
sp_game_import_checkpoint_sync (SpGame        *self,
                                const char    *archive_path,
                                GCancellable  *cancellable,
                                GError       **error)
{
  SpCheckpoint *checkpoint;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (archive_path != NULL, NULL);

  if (!_sp_game_check_writable (self, error))
    return NULL;
  checkpoint = import_files (self->checkpoints_path, archive_path, cancellable, error);
  if (checkpoint != NULL)
    _sp_game_insert_checkpoint (self, checkpoint);
  return checkpoint;
}

static gpointer
import_thread (gpointer       task_data,
               GCancellable  *cancellable,
               GError       **error)
{
  SpGameTaskData *data = task_data;

  return import_files (data->checkpoints_path, data->path, cancellable, error);
}

static gpointer
import_finish (gpointer       source_object,
               gpointer       task_data,
               gpointer       value,
               GError       **error)
{
  SpCheckpoint *checkpoint = value;

  if (checkpoint != NULL)
    _sp_game_insert_checkpoint (SP_GAME (source_object), checkpoint);
  return checkpoint;
}

void
sp_game_import_checkpoint_async (SpGame              *self,
                                 const char          *archive_path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *outer;
  SpGameTaskData *data;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (archive_path != NULL);

  outer = _sp_game_writable_task_new (self, sp_game_import_checkpoint_async,
                                      cancellable, callback, user_data);
  if (outer == NULL)
    return;
  data = g_new0 (SpGameTaskData, 1);
  data->checkpoints_path = g_strdup (self->checkpoints_path);
  data->path = g_strdup (archive_path);
  _sp_task_run_in_thread (outer, data, (GDestroyNotify) _sp_game_task_data_free,
                          import_thread, g_object_unref, import_finish, g_object_unref);
}

SpCheckpoint *
sp_game_import_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
