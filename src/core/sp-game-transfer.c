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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-keyfile.h"
#include "sp-library.h"
#include "archive/sp-sha256.h"
#include "sp-task-private.h"
#include "common/sp-util.h"

/* Exporting a checkpoint's archive to a file, and importing one. */

static gboolean
set_exists_error (GError     **error,
                  const char  *path)
{
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS,
               _("“%s” already exists; nothing was written. Choose another file name, or "
                 "replace it."), path);
  return FALSE;
}

/* Renames @tmp to @to unless @to exists, atomically (also on drives that
 * refuse RENAME_NOREPLACE, see sp_rename_noreplace()). */
static gboolean
rename_no_replace (const char  *tmp,
                   const char  *to,
                   GError     **error)
{
  if (sp_rename_noreplace (tmp, to) == 0)
    return TRUE;
  if (errno == EEXIST)
    return set_exists_error (error, to);
  return sp_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
}

static gboolean
set_damaged_error (GError     **error,
                   const char  *from,
                   const char  *to)
{
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
               _("“%s” is damaged: its size or SHA-256 does not match the checkpoint’s "
                 "record. Nothing was written to “%s”."), from, to);
  return FALSE;
}

/* Puts the finished temporary file @tmp in place as @to: over an existing
 * @to only when @replace. On failure @tmp is removed. */
static gboolean
put_in_place (const char  *tmp,
              const char  *to,
              gboolean     replace,
              GError     **error)
{
  gboolean ok;

  if (replace)
    ok = sp_rename_durable (tmp, to, error);
  else
    {
      g_autofree char *dir = g_path_get_dirname (to);

      ok = rename_no_replace (tmp, to, error);
      if (ok)
        sp_fsync_directory (dir, NULL);
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}

/* Copies @from to a temporary file beside @to while hashing it, fsyncs and
 * renames it to @to: over an existing @to only when @replace. If
 * @expected_sha256 is set, a mismatch is an error and @to is not touched. */
static gboolean
copy_file_hashed (const char    *from,
                  const char    *to,
                  gboolean       replace,
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

  in_fd = open (from, O_RDONLY | O_CLOEXEC | O_NOCTTY);
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
      ssize_t n = sp_read_full (in_fd, buf, 1024 * 1024);

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
      if (!sp_write_all (out_fd, buf, n))
        {
          sp_set_io_error (error, errno, _("Cannot write “%s”"), to);
          goto out;
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
      set_damaged_error (error, from, to);
      goto out;
    }
  ok = TRUE;

out:
  close (in_fd);
  if (close (out_fd) != 0 && ok)
    ok = sp_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
  if (!ok)
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (!put_in_place (tmp, to, replace, error))
    return FALSE;
  if (out_sha256)
    *out_sha256 = g_strdup (sp_sha256_get_string (sum));
  if (out_size)
    *out_size = total;
  return TRUE;
}

/* TRUE if @path is @library_dir or inside it, compared by device and inode
 * of each folder above @path (so symbolic links, bind mounts and case
 * folding on the drive lead to the same answer). */
static gboolean
is_inside (const char *path,
           const char *library_dir)
{
  g_autofree char *abs = NULL;
  g_autofree char *dir = NULL;
  struct stat lib;

  if (stat (library_dir, &lib) != 0)
    return FALSE;
  abs = g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (abs);
  {
    char *real = realpath (dir, NULL);

    if (real != NULL)
      {
        g_free (dir);
        dir = g_strdup (real);
        free (real);
      }
  }
  for (;;)
    {
      struct stat st;
      char *up;

      if (stat (dir, &st) == 0 && st.st_dev == lib.st_dev && st.st_ino == lib.st_ino)
        return TRUE;
      up = g_path_get_dirname (dir);
      if (strcmp (up, dir) == 0)
        {
          g_free (up);
          return FALSE;
        }
      g_free (dir);
      dir = up;
    }
}

/* The metadata entry of @archive_path, parsed; @out_text gets its text and
 * @out_display the name messages give it ("<archive>:<entry>"). */
static GKeyFile *
load_archive_metadata (const char  *archive_path,
                       char       **out_text,
                       char       **out_display,
                       GError     **error)
{
  *out_text = sp_archive_read_metadata (archive_path, error);
  if (*out_text == NULL)
    return NULL;
  *out_display = g_strdup_printf ("%s:%s", archive_path, SP_ARCHIVE_METADATA_ENTRY);
  return sp_key_file_load_from_data (*out_text, -1, *out_display, error);
}

/* The archive's metadata with @label and @note (NULL = none) as the .ini
 * has them, or NULL with no error when the archive already says so. */
static char *
metadata_with_current_text (const char  *archive_path,
                            const char  *label,
                            const char  *note,
                            GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *display = NULL;
  g_autofree char *packed_label = NULL;
  g_autofree char *packed_note = NULL;
  g_autoptr(GKeyFile) meta = load_archive_metadata (archive_path, &text, &display, error);

  if (meta == NULL)
    return NULL;
  packed_label = g_key_file_get_string (meta, CHECKPOINT_GROUP, "Label", NULL);
  packed_note = sp_key_file_get_string_or_null (meta, CHECKPOINT_GROUP, "Note");
  if (g_strcmp0 (packed_label ? packed_label : "", label) == 0 &&
      g_strcmp0 (packed_note, note) == 0)
    return NULL;
  g_key_file_set_string (meta, CHECKPOINT_GROUP, "Label", label);
  sp_key_file_set_string_or_remove (meta, CHECKPOINT_GROUP, "Note", note);
  return g_key_file_to_data (meta, NULL, NULL);
}

/* Writes a copy of @archive_path with @metadata beside @to, then puts it in
 * place. */
static gboolean
copy_with_metadata (const char    *archive_path,
                    guint64        archive_size,
                    const char    *sha256,
                    const char    *metadata,
                    const char    *to,
                    gboolean       replace,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", to);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  gboolean ok;

  if (fd < 0)
    return sp_set_error_from_errno (error, errno, _("Cannot create a file beside “%s”"), to);
  ok = sp_archive_copy_with_metadata (archive_path, archive_size, sha256, metadata, fd, to,
                                      cancellable, NULL, error);
  if (ok && fsync (fd) != 0)
    ok = sp_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
  if (close (fd) != 0 && ok)
    ok = sp_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
  if (!ok)
    {
      g_unlink (tmp);
      return FALSE;
    }
  return put_in_place (tmp, to, replace, error);
}

static gboolean
export_files (const char     *archive_path,
              guint64         archive_size,
              const char     *sha256,
              const char     *label,
              const char     *note,
              const char     *library_dir,
              const char     *dest_path,
              SpExportFlags   flags,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *metadata = NULL;
  struct stat st;

  if (is_inside (dest_path, library_dir))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("Cannot export to “%s”: it is inside the library “%s”, whose files "
                     "Savepoint manages. Choose a file outside it."), dest_path, library_dir);
      return FALSE;
    }
  if (lstat (dest_path, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("“%s” is a folder. Give a file name to export to, such as "
                         "“%s/checkpoint.tar.zst”."), dest_path, dest_path);
          return FALSE;
        }
      if (!(flags & SP_EXPORT_FLAGS_REPLACE))
        return set_exists_error (error, dest_path);
    }

  /* The .ini is authoritative for label and note. */
  metadata = metadata_with_current_text (archive_path, label, note, &local_error);
  if (local_error == NULL && metadata != NULL)
    copy_with_metadata (archive_path, archive_size, sha256, metadata, dest_path,
                        (flags & SP_EXPORT_FLAGS_REPLACE) != 0, cancellable, &local_error);
  if (local_error != NULL)
    {
      /* Damage explains unreadable or hostile data better than the entry
       * where reading went wrong does: one message, as for a plain copy. */
      guint64 size = 0;
      g_autofree char *actual = NULL;

      if (local_error->domain == SP_ARCHIVE_ERROR || local_error->domain == SP_LIBRARY_ERROR)
        actual = sp_file_sha256 (archive_path, &size, cancellable, NULL);
      if (actual != NULL && (size != archive_size || g_strcmp0 (actual, sha256) != 0))
        return set_damaged_error (error, archive_path, dest_path);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (metadata != NULL)
    return TRUE;
  return copy_file_hashed (archive_path, dest_path, (flags & SP_EXPORT_FLAGS_REPLACE) != 0,
                           archive_size, sha256, NULL, NULL, cancellable, error);
}

/* games/<slug> -> the library folder. */
static char *
library_dir_of (SpGame *self)
{
  g_autofree char *games = g_path_get_dirname (self->path);

  return g_path_get_dirname (games);
}

static const char *
note_or_null (SpCheckpoint *c)
{
  const char *note = sp_checkpoint_get_note (c);

  return *note != '\0' ? note : NULL;
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
                                SpExportFlags  flags,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autofree char *library_dir = NULL;
  SpCheckpoint *c;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  c = lookup_present_checkpoint (self, checkpoint_id, error);
  if (c == NULL)
    return FALSE;
  library_dir = library_dir_of (self);
  return export_files (sp_checkpoint_get_archive_path (c), sp_checkpoint_get_archive_size (c),
                       sp_checkpoint_get_sha256 (c), sp_checkpoint_get_label (c),
                       note_or_null (c), library_dir, dest_path, flags, cancellable, error);
}

typedef struct
{
  char          *archive_path;
  guint64        archive_size;
  char          *sha256;
  char          *label;
  char          *note;
  char          *library_dir;
  char          *dest_path;
  SpExportFlags  flags;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->archive_path);
  g_free (data->sha256);
  g_free (data->label);
  g_free (data->note);
  g_free (data->library_dir);
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

  if (export_files (data->archive_path, data->archive_size, data->sha256, data->label,
                    data->note, data->library_dir, data->dest_path, data->flags,
                    cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_game_export_checkpoint_async (SpGame              *self,
                                 const char          *checkpoint_id,
                                 const char          *dest_path,
                                 SpExportFlags        flags,
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
  data->label = g_strdup (sp_checkpoint_get_label (c));
  data->note = g_strdup (note_or_null (c));
  data->library_dir = library_dir_of (self);
  data->dest_path = g_strdup (dest_path);
  data->flags = flags;
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

/* Checks an id of the archive's metadata when present: @key of
 * [Checkpoint] must be a checkpoint id. */
static gboolean
check_metadata_id (GKeyFile    *meta,
                   const char  *display,
                   const char  *text,
                   const char  *key,
                   GError     **error)
{
  g_autofree char *value = sp_key_file_get_string_or_null (meta, CHECKPOINT_GROUP, key);

  if (value == NULL || sp_checkpoint_id_is_valid (g_strstrip (value)))
    return TRUE;
  sp_key_file_set_error (error, display, text, CHECKPOINT_GROUP, key,
                         _("“%s” is not a checkpoint id: the archive is damaged or was not "
                           "made by Savepoint."), value);
  return FALSE;
}

/* Reads and checks the archive's metadata: a [Checkpoint] group, valid
 * ids, a note the .ini can hold, and (unless @flags allows another game)
 * the game it was made for. Archives of releases that did not record the
 * game are accepted. */
static GKeyFile *
read_import_metadata (const char      *source,
                      const char      *game_uuid,
                      SpImportFlags    flags,
                      GError         **error)
{
  g_autofree char *text = NULL;
  g_autofree char *display = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GKeyFile) meta = load_archive_metadata (source, &text, &display, error);

  if (meta == NULL)
    return NULL;
  if (!g_key_file_has_group (meta, CHECKPOINT_GROUP))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                   _("%s: there is no [Checkpoint] group: “%s” is not a Savepoint checkpoint."),
                   display, source);
      return NULL;
    }
  if (!check_metadata_id (meta, display, text, "Id", error) ||
      !check_metadata_id (meta, display, text, "Parent", error))
    return NULL;

  if (g_key_file_has_key (meta, CHECKPOINT_GROUP, "Note", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *note = g_key_file_get_string (meta, CHECKPOINT_GROUP, "Note",
                                                     &local_error);

      if (note == NULL || local_error != NULL || !sp_checkpoint_note_is_valid (note, &local_error))
        {
          sp_key_file_set_error (error, display, text, CHECKPOINT_GROUP, "Note",
                                 _("%s Nothing was imported."), local_error->message);
          return NULL;
        }
    }

  uuid = sp_key_file_get_string_or_null (meta, CHECKPOINT_GROUP, "GameUuid");
  if (uuid != NULL && !g_uuid_string_is_valid (g_strstrip (uuid)))
    {
      sp_key_file_set_error (error, display, text, CHECKPOINT_GROUP, "GameUuid",
                             _("“%s” is not a UUID: the archive is damaged or was not made by "
                               "Savepoint."), uuid);
      return NULL;
    }
  if (uuid != NULL && !(flags & SP_IMPORT_FLAGS_OTHER_GAME) &&
      (game_uuid == NULL || g_ascii_strcasecmp (uuid, game_uuid) != 0))
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_OTHER_GAME,
                   _("“%s” is a checkpoint of another game (%s), not of this one (%s): its "
                     "files may not fit this game. Nothing was imported."),
                   source, uuid, game_uuid ? game_uuid : _("none recorded"));
      return NULL;
    }
  return g_steal_pointer (&meta);
}

static SpCheckpoint *
import_files (const char     *checkpoints_path,
              const char     *game_uuid,
              const char     *source,
              SpImportFlags   flags,
              char          **out_warning,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autofree char *created = NULL;
  g_autofree char *id = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *copied_sha = NULL;
  g_autofree char *label = NULL;
  g_autofree char *note = NULL;
  g_autofree char *warning = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) local_error = NULL;
  SpArchiveStats stats = { 0 };
  guint64 copied_size = 0;
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

  meta = read_import_metadata (source, game_uuid, flags, error);
  if (meta == NULL)
    return NULL;
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
  {
    g_autofree char *display = g_strdup_printf ("%s:%s", source, SP_ARCHIVE_METADATA_ENTRY);

    if (!sp_key_file_get_int64 (meta, display, CHECKPOINT_GROUP, "PlayTime", 0, &play_time,
                                error))
      return NULL;
  }
  label = g_key_file_get_string (meta, CHECKPOINT_GROUP, "Label", NULL);
  note = sp_key_file_get_string_or_null (meta, CHECKPOINT_GROUP, "Note");

  /* Every entry under the rules that unpacking applies, so that playing
   * from it is not refused later; this also gives its size and SHA-256. */
  if (!sp_archive_check (source, 0, NULL, &stats, &warning, cancellable, error))
    return NULL;

  if (!_sp_game_ensure_checkpoints_dir (checkpoints_path, error))
    return NULL;
  if (sp_free_space (checkpoints_path, &free_space, NULL) && free_space < stats.archive_size)
    {
      g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                   _("Not enough free space in “%s” to import “%s” (%" PRIu64
                     " bytes needed). Free some space and try again."),
                   checkpoints_path, source, stats.archive_size);
      return NULL;
    }

  id = _sp_game_unused_checkpoint_id (checkpoints_path);
  archive = g_strdup_printf ("%s/%s.tar.zst", checkpoints_path, id);
  partial = g_strdup_printf ("%s.partial", archive);
  ini = g_strdup_printf ("%s/%s.ini", checkpoints_path, id);

  /* The copy must be what was checked (the source may have changed
   * meanwhile), and what landed on the drive is read back. */
  if (!copy_file_hashed (source, partial, TRUE, stats.archive_size, stats.sha256, NULL, NULL,
                         cancellable, error))
    return NULL;
  copied_sha = sp_file_sha256 (partial, &copied_size, cancellable, &local_error);
  if (copied_sha == NULL || copied_size != stats.archive_size ||
      strcmp (copied_sha, stats.sha256) != 0)
    {
      g_unlink (partial);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                     _("The copy of “%s” in “%s” does not read back as written: the drive "
                       "may be failing. Nothing was imported."), source, partial);
      return NULL;
    }

  if (!sp_rename_durable (partial, archive, error))
    {
      g_unlink (partial);
      return NULL;
    }

  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Created", created);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  sp_key_file_set_string_or_remove (kf, CHECKPOINT_GROUP, "Note", note);
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
      return NULL;
    }
  if (out_warning != NULL)
    *out_warning = g_steal_pointer (&warning);
  return checkpoint;
}

SpCheckpoint *
sp_game_import_checkpoint_sync (SpGame         *self,
                                const char     *archive_path,
                                SpImportFlags   flags,
                                char          **out_warning,
                                GCancellable   *cancellable,
                                GError        **error)
{
  SpCheckpoint *checkpoint;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (archive_path != NULL, NULL);
  g_return_val_if_fail (out_warning == NULL || *out_warning == NULL, NULL);

  if (!_sp_game_check_writable (self, error))
    return NULL;
  checkpoint = import_files (self->checkpoints_path, sp_game_get_uuid (self), archive_path,
                             flags, out_warning, cancellable, error);
  if (checkpoint != NULL)
    _sp_game_insert_checkpoint (self, checkpoint);
  return checkpoint;
}

/* The worker's data of sp_game_import_checkpoint_async(). */
typedef struct
{
  char            *checkpoints_path;
  char            *game_uuid;
  char            *path;
  SpImportFlags    flags;
  char            *warning;
  char           **result_warning;  /* the outer task's data, for _finish() */
} ImportData;

static void
free_warning_slot (char **slot)
{
  g_free (*slot);
  g_free (slot);
}

static void
import_data_free (ImportData *d)
{
  g_free (d->checkpoints_path);
  g_free (d->game_uuid);
  g_free (d->path);
  g_free (d->warning);
  g_free (d);
}

static gpointer
import_thread (gpointer       task_data,
               GCancellable  *cancellable,
               GError       **error)
{
  ImportData *d = task_data;

  return import_files (d->checkpoints_path, d->game_uuid, d->path, d->flags,
                       &d->warning, cancellable, error);
}

static gpointer
import_finish (gpointer       source_object,
               gpointer       task_data,
               gpointer       value,
               GError       **error)
{
  ImportData *d = task_data;
  SpCheckpoint *checkpoint = value;

  if (checkpoint != NULL)
    {
      _sp_game_insert_checkpoint (SP_GAME (source_object), checkpoint);
      *d->result_warning = g_steal_pointer (&d->warning);
    }
  return checkpoint;
}

void
sp_game_import_checkpoint_async (SpGame              *self,
                                 const char          *archive_path,
                                 SpImportFlags        flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *outer;
  ImportData *d;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (archive_path != NULL);

  outer = _sp_game_writable_task_new (self, sp_game_import_checkpoint_async,
                                      cancellable, callback, user_data);
  if (outer == NULL)
    return;
  d = g_new0 (ImportData, 1);
  d->checkpoints_path = g_strdup (self->checkpoints_path);
  d->game_uuid = g_strdup (sp_game_get_uuid (self));
  d->path = g_strdup (archive_path);
  d->flags = flags;
  d->result_warning = g_new0 (char *, 1);
  g_task_set_task_data (outer, d->result_warning, (GDestroyNotify) free_warning_slot);
  _sp_task_run_in_thread (outer, d, (GDestroyNotify) import_data_free,
                          import_thread, g_object_unref, import_finish, g_object_unref);
}

SpCheckpoint *
sp_game_import_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  char         **out_warning,
                                  GError       **error)
{
  SpCheckpoint *checkpoint;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (out_warning == NULL || *out_warning == NULL, NULL);

  checkpoint = g_task_propagate_pointer (G_TASK (result), error);
  if (checkpoint != NULL && out_warning != NULL)
    {
      char **slot = g_task_get_task_data (G_TASK (result));

      *out_warning = g_steal_pointer (slot);
    }
  return checkpoint;
}
