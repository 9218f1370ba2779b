/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sp-archive-private.h"

/* A copy of an archive with another metadata entry: what an export writes
 * when the checkpoint's .ini (authoritative for label and note) says
 * something else than the metadata packed into the archive. */

static gboolean
set_copy_write_error (GError         **error,
                      struct archive  *a,
                      SpArchiveIo     *io,
                      const char      *dest_name)
{
  if (io->io_errno != 0)
    _sp_archive_set_errno_error (error, io->io_errno, dest_name, _("Writing"));
  else
    g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                 _("Writing the checkpoint archive “%s” failed: %s"),
                 dest_name, archive_error_string (a) ? archive_error_string (a) : "?");
  return FALSE;
}

/* The data of a regular entry, block by block; holes (sparse entries of
 * other tar writers) become zeros, the end is padded by libarchive. */
static gboolean
copy_entry_data (struct archive        *in,
                 SpArchiveIo           *in_io,
                 const char            *archive_path,
                 struct archive        *out,
                 SpArchiveIo           *out_io,
                 const char            *dest_name,
                 SpArchiveRules        *rules,
                 struct archive_entry  *entry,
                 GCancellable          *cancellable,
                 GError               **error)
{
  static const char zeros[4096];
  la_int64_t written = 0;

  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (in, &buf, &len, &offset);

      if (r == ARCHIVE_EOF)
        return TRUE;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (error, in, in_io, archive_path);
          return FALSE;
        }
      if (!_sp_archive_rules_check_block (rules, archive_entry_pathname (entry),
                                          archive_entry_size (entry), offset, len, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (offset < written)
        return _sp_archive_set_entry_corrupt_error (error, archive_path,
                                                    archive_entry_pathname (entry),
                                                    _("has overlapping data blocks"));
      while (written < offset)
        {
          size_t n = (size_t) MIN ((la_int64_t) sizeof zeros, offset - written);

          if (archive_write_data (out, zeros, n) != (la_ssize_t) n)
            return set_copy_write_error (error, out, out_io, dest_name);
          written += (la_int64_t) n;
        }
      if (len > 0 && archive_write_data (out, buf, len) != (la_ssize_t) len)
        return set_copy_write_error (error, out, out_io, dest_name);
      written += (la_int64_t) len;
    }
}

gboolean
sp_archive_copy_with_metadata (const char      *archive_path,
                               guint64          expected_size,
                               const char      *expected_sha256,
                               const char      *metadata,
                               int              dest_fd,
                               const char      *dest_name,
                               GCancellable    *cancellable,
                               SpArchiveStats  *out_stats,
                               GError         **error)
{
  g_auto(SpArchiveLocale) locale = _sp_archive_locale_enter ();
  g_autoptr(SpArchiveRules) rules = NULL;
  g_autofree char *level = NULL;
  SpArchiveIo in_io = { .fd = -1 };
  SpArchiveIo out_io = { .fd = -1 };
  SpArchiveStats stats = { 0 };
  struct archive *in = NULL;
  struct archive *out = NULL;
  struct archive_entry *entry = NULL;
  gsize metadata_len;
  gboolean ok = FALSE;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (metadata != NULL, FALSE);
  g_return_val_if_fail (dest_fd >= 0, FALSE);
  g_return_val_if_fail (dest_name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  metadata_len = strlen (metadata);
  if (metadata_len > MAX_METADATA_SIZE)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                   _("The checkpoint metadata for “%s” is too large."), dest_name);
      return FALSE;
    }

  in_io.checksum = sp_sha256_new ();
  rules = _sp_archive_rules_new (archive_path);
  in = _sp_archive_open_reader (archive_path, &in_io, error);
  if (in == NULL)
    goto out;
  if (!_sp_archive_read_metadata_header (in, &in_io, archive_path, &entry, error))
    goto out;

  out_io.fd = dest_fd;
  out_io.checksum = sp_sha256_new ();
  out = archive_write_new ();
  level = g_strdup_printf ("%d", sp_archive_get_default_compression_level ());
  if (archive_write_set_format_pax (out) != ARCHIVE_OK ||
      archive_write_add_filter_zstd (out) != ARCHIVE_OK ||
      archive_write_set_filter_option (out, "zstd", "compression-level", level) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block (out, 64 * 1024) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block (out, 1) != ARCHIVE_OK ||
      archive_write_open (out, &out_io, NULL, _sp_archive_io_write_cb, NULL) != ARCHIVE_OK)
    {
      set_copy_write_error (error, out, &out_io, dest_name);
      goto out;
    }

  /* The new metadata, with the fixed owner and time packing gives it. */
  {
    g_autoptr(SpArchiveEntry) meta = archive_entry_new ();

    archive_entry_copy_pathname (meta, SP_ARCHIVE_METADATA_ENTRY);
    archive_entry_set_filetype (meta, AE_IFREG);
    archive_entry_set_perm (meta, 0644);
    archive_entry_set_size (meta, (la_int64_t) metadata_len);
    archive_entry_set_mtime (meta, 0, 0);
    if (archive_write_header (out, meta) < ARCHIVE_WARN ||
        (metadata_len > 0 &&
         archive_write_data (out, metadata, metadata_len) != (la_ssize_t) metadata_len))
      {
        set_copy_write_error (error, out, &out_io, dest_name);
        goto out;
      }
  }

  for (;;)
    {
      g_auto(SpEntryPlan) plan = { 0 };
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      r = archive_read_next_header (in, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (error, in, &in_io, archive_path);
          goto out;
        }
      if (!_sp_archive_rules_check_entry (rules, entry, &plan, error))
        goto out;
      stats.files++;
      /* Owners as packing writes them (archives of earlier releases kept
       * the packer's uid and user name). */
      archive_entry_set_uid (entry, 0);
      archive_entry_set_gid (entry, 0);
      archive_entry_copy_uname (entry, NULL);
      archive_entry_copy_gname (entry, NULL);
      if (archive_write_header (out, entry) < ARCHIVE_WARN)
        {
          set_copy_write_error (error, out, &out_io, dest_name);
          goto out;
        }
      if (plan.kind != SP_ENTRY_FILE)
        continue;
      stats.bytes += (guint64) archive_entry_size (entry);
      if (!copy_entry_data (in, &in_io, archive_path, out, &out_io, dest_name, rules, entry,
                            cancellable, error))
        goto out;
    }

  if (expected_sha256 != NULL &&
      !_sp_archive_finish_checksum (&in_io, archive_path, expected_size, expected_sha256, error))
    goto out;
  if (archive_write_close (out) != ARCHIVE_OK)
    {
      set_copy_write_error (error, out, &out_io, dest_name);
      goto out;
    }
  ok = TRUE;

out:
  if (in != NULL)
    archive_read_free (in);
  if (out != NULL)
    archive_write_free (out);
  if (ok && out_stats != NULL)
    {
      stats.archive_size = out_io.size;
      g_strlcpy (stats.sha256, sp_sha256_get_string (out_io.checksum), sizeof stats.sha256);
      *out_stats = stats;
    }
  out_io.fd = -1;   /* the caller's */
  _sp_archive_io_clear (&out_io);
  _sp_archive_io_clear (&in_io);
  return ok;
}
