/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-archive-private.h"
#include "core/sp-leftovers.h"
#include "common/sp-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Format notes
 *
 * - Full pax, not "restricted" pax: restricted pax writes an extended header
 *   only when an entry needs one, and nanosecond mtimes alone do not count,
 *   so they would be lost.
 * - Names are stored as UTF-8 (the pax default), as they are on disk: the
 *   work runs under a UTF-8 LC_CTYPE whatever the locale of the process
 *   (_sp_archive_locale_enter()), so GNU tar reads the archives without
 *   warnings. A name that is not valid UTF-8 gets libarchive's
 *   hdrcharset=BINARY for its entry and keeps its bytes. Archives written
 *   with hdrcharset=BINARY on every entry (earlier releases) read the same.
 * - Deterministic: entries sorted by name (byte order) in a depth-first
 *   walk, only mtime/mode/xattrs recorded (no atime, ctime, user names,
 *   pids; owner 0/0 on every entry: host uids mean nothing on another
 *   machine), the metadata entry with a fixed time. The same upper dir
 *   and metadata give the same bytes, hence the same SHA-256.
 * - Unpacking does not use archive_write_disk: every entry is checked here and
 *   written through directory fds opened with O_NOFOLLOW, starting from the
 *   temporary root, so there is no path-string resolution to get wrong.
 */

G_DEFINE_QUARK (sp-archive-error-quark, sp_archive_error)

/* zstd's own default; the app's preference replaces it. */
static int default_compression_level = 3;

/**
 * sp_archive_set_default_compression_level:
 *
 * Sets the zstd level sp_archive_pack() uses when given 0 (the app's
 * "Compression Level" preference). Any thread may pack meanwhile.
 */
void
sp_archive_set_default_compression_level (int level)
{
  g_return_if_fail (level >= 1 && level <= 19);
  g_atomic_int_set (&default_compression_level, level);
}

int
sp_archive_get_default_compression_level (void)
{
  return g_atomic_int_get (&default_compression_level);
}

SpArchiveLocale
_sp_archive_locale_enter (void)
{
  SpArchiveLocale l = { (locale_t) 0, (locale_t) 0 };
  locale_t base = duplocale (uselocale ((locale_t) 0));

  if (base == (locale_t) 0)
    return l;
  l.utf8 = newlocale (LC_CTYPE_MASK, "C.UTF-8", base);
  if (l.utf8 == (locale_t) 0)
    {
      /* No C.UTF-8 here: names then depend on the process locale, as
       * libarchive does it. */
      g_debug ("Cannot load the C.UTF-8 locale: %s", g_strerror (errno));
      freelocale (base);
      return l;
    }
  l.previous = uselocale (l.utf8);
  return l;
}

void
_sp_archive_locale_leave (SpArchiveLocale *locale)
{
  if (locale->utf8 == (locale_t) 0)
    return;
  uselocale (locale->previous);
  freelocale (locale->utf8);
  locale->utf8 = (locale_t) 0;
}

bool
_sp_archive_xattr_is_kept (const char *name)
{
  return sp_xattr_is_user (name) && !g_str_has_prefix (name, SP_UPPER_XATTR_PREFIX);
}

void
_sp_archive_set_errno_error (GError     **error,
                             int          saved_errno,
                             const char  *path,
                             const char  *what)
{
  sp_set_io_error_in (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED, SP_ARCHIVE_ERROR_NO_SPACE,
                      saved_errno, _("%s “%s” failed"), what, path);
}

/* ------------------------------------------------------------------------ */
/* Archive I/O (SpArchiveIo, see sp-archive-private.h) */

la_ssize_t
_sp_archive_io_write_cb (struct archive *a,
                         void           *user_data,
                         const void     *buffer,
                         size_t          length)
{
  SpArchiveIo *io = user_data;

  if (!sp_write_all (io->fd, buffer, length))
    {
      io->io_errno = errno;
      archive_set_error (a, errno, "%s", g_strerror (errno));
      return -1;
    }
  sp_sha256_update (io->checksum, buffer, length);
  io->size += length;
  return (la_ssize_t) length;
}

static la_ssize_t
io_read_cb (struct archive  *a,
            void            *user_data,
            const void     **buffer)
{
  SpArchiveIo *io = user_data;

  ssize_t n = sp_read_full (io->fd, io->buffer, BUFFER_SIZE);

  if (n < 0)
    {
      io->io_errno = errno;
      archive_set_error (a, errno, "%s", g_strerror (errno));
      return -1;
    }
  *buffer = io->buffer;
  io->size += (guint64) n;
  if (io->checksum != NULL)
    sp_sha256_update (io->checksum, io->buffer, n);
  return n;
}

void
_sp_archive_io_clear (SpArchiveIo *io)
{
  if (io->fd >= 0)
    close (io->fd);
  io->fd = -1;
  g_clear_pointer (&io->checksum, sp_sha256_free);
  g_clear_pointer (&io->buffer, g_free);
}

void
_sp_archive_set_corrupt_error (GError     **error,
                               const char  *archive_path,
                               const char  *detail)
{
  g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT,
               _("The checkpoint archive “%s” is damaged (%s). "
                 "Delete it or restore from an exported copy."),
               archive_path, detail);
}

/* Turns a failed libarchive read into the right error: a real I/O error
 * stays an I/O error, everything else means the data is bad. */
void
_sp_archive_set_read_error (GError         **error,
                            struct archive  *a,
                            SpArchiveIo     *io,
                            const char      *archive_path)
{
  if (io->io_errno != 0)
    {
      _sp_archive_set_errno_error (error, io->io_errno, archive_path, _("Reading"));
      return;
    }
  {
    g_autofree char *detail = g_strdup (archive_error_string (a) ? archive_error_string (a)
                                                                 : _("unreadable data"));

    /* libarchive's messages start with a capital; ours go mid-sentence. */
    if (g_ascii_isupper (detail[0]) && !g_ascii_isupper (detail[1]))
      detail[0] = g_ascii_tolower (detail[0]);
    _sp_archive_set_corrupt_error (error, archive_path, detail);
  }
}

/* Opens an archive for reading: a regular file, never through a symbolic
 * link, never blocking on a FIFO (see sp_open_regular_file()). */
static int
open_archive_file (const char  *path,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd = sp_open_regular_file (path, NULL, &local_error);
  int saved = errno;

  if (fd >= 0)
    return fd;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE))
    g_set_error_literal (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE, local_error->message);
  else
    _sp_archive_set_errno_error (error, saved, path, _("Opening"));
  return -1;
}

/* Opens @archive_path for reading as a zstd-compressed tar, and nothing
 * else: no other compression and no uncompressed tar. */
struct archive *
_sp_archive_open_reader (const char   *archive_path,
                         SpArchiveIo  *io,
                         GError      **error)
{
  struct archive *a;

  io->fd = open_archive_file (archive_path, error);
  if (io->fd < 0)
    return NULL;
  io->buffer = g_malloc (BUFFER_SIZE);

  {
    static const guchar zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    guchar magic[4];
    ssize_t n = pread (io->fd, magic, sizeof magic, 0);

    if (n < 0)
      {
        _sp_archive_set_errno_error (error, errno, archive_path, _("Reading"));
        return NULL;
      }
    if (n < (ssize_t) sizeof magic || memcmp (magic, zstd_magic, sizeof magic) != 0)
      {
        _sp_archive_set_corrupt_error (error, archive_path, _("not a zstd-compressed tar archive"));
        return NULL;
      }
  }

  a = archive_read_new ();
  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  if (archive_read_open (a, io, NULL, io_read_cb, NULL) != ARCHIVE_OK)
    {
      _sp_archive_set_read_error (error, a, io, archive_path);
      archive_read_free (a);
      return NULL;
    }
  return a;
}

/* Reads the first header, which must be the metadata entry of a zstd
 * tar. */
gboolean
_sp_archive_read_metadata_header (struct archive        *a,
                                  SpArchiveIo           *io,
                                  const char            *archive_path,
                                  struct archive_entry **out_entry,
                                  GError               **error)
{
  int r = archive_read_next_header (a, out_entry);
  const char *name;

  if (r == ARCHIVE_EOF)
    {
      _sp_archive_set_corrupt_error (error, archive_path, _("the archive is empty"));
      return FALSE;
    }
  if (r < ARCHIVE_WARN)
    {
      _sp_archive_set_read_error (error, a, io, archive_path);
      return FALSE;
    }
  if (archive_filter_count (a) != 2 || archive_filter_code (a, 0) != ARCHIVE_FILTER_ZSTD)
    {
      _sp_archive_set_corrupt_error (error, archive_path, _("not a zstd-compressed tar archive"));
      return FALSE;
    }
  name = archive_entry_pathname (*out_entry);
  if (name == NULL || strcmp (name, SP_ARCHIVE_METADATA_ENTRY) != 0 ||
      archive_entry_filetype (*out_entry) != AE_IFREG ||
      archive_entry_hardlink (*out_entry) != NULL)
    {
      _sp_archive_set_corrupt_error (error, archive_path,
                                     _("the first entry is not the checkpoint metadata"));
      return FALSE;
    }
  if (archive_entry_size (*out_entry) < 0 || archive_entry_size (*out_entry) > MAX_METADATA_SIZE)
    {
      _sp_archive_set_corrupt_error (error, archive_path,
                                     _("the checkpoint metadata is too large"));
      return FALSE;
    }
  return TRUE;
}

static char *
read_metadata_data (struct archive        *a,
                    SpArchiveIo           *io,
                    struct archive_entry  *entry,
                    const char            *archive_path,
                    GError               **error)
{
  gsize size = (gsize) archive_entry_size (entry);
  g_autofree char *text = g_malloc (size + 1);
  gsize done = 0;

  while (done < size)
    {
      la_ssize_t n = archive_read_data (a, text + done, size - done);

      if (n < 0)
        {
          _sp_archive_set_read_error (error, a, io, archive_path);
          return NULL;
        }
      if (n == 0)
        {
          _sp_archive_set_corrupt_error (error, archive_path,
                                         _("the checkpoint metadata is truncated"));
          return NULL;
        }
      done += (gsize) n;
    }
  text[size] = '\0';
  if (memchr (text, '\0', size) != NULL || !g_utf8_validate (text, size, NULL))
    {
      _sp_archive_set_corrupt_error (error, archive_path, _("the checkpoint metadata is not text"));
      return NULL;
    }
  return g_steal_pointer (&text);
}

char *
sp_archive_read_metadata (const char  *archive_path,
                          GError     **error)
{
  g_auto(SpArchiveLocale) locale = _sp_archive_locale_enter ();
  SpArchiveIo io = { .fd = -1 };
  struct archive *a;
  struct archive_entry *entry = NULL;
  char *text = NULL;

  g_return_val_if_fail (archive_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  a = _sp_archive_open_reader (archive_path, &io, error);
  if (a != NULL)
    {
      if (_sp_archive_read_metadata_header (a, &io, archive_path, &entry, error))
        text = read_metadata_data (a, &io, entry, archive_path, error);
      archive_read_free (a);
    }
  _sp_archive_io_clear (&io);
  return text;
}

/* ------------------------------------------------------------------------ */
/* Checksums */

char *
sp_file_sha256 (const char    *path,
                guint64       *out_size,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(SpSha256) checksum = NULL;
  g_autofree guchar *buffer = NULL;
  guint64 size = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = open_archive_file (path, error);
  if (fd < 0)
    return NULL;
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  checksum = sp_sha256_new ();
  buffer = g_malloc (BUFFER_SIZE);
  for (;;)
    {
      ssize_t n = sp_read_full (fd, buffer, BUFFER_SIZE);

      if (n < 0)
        {
          _sp_archive_set_errno_error (error, errno, path, _("Reading"));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      sp_sha256_update (checksum, buffer, n);
      size += (guint64) n;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }
    }
  close (fd);
  if (out_size != NULL)
    *out_size = size;
  return g_strdup (sp_sha256_get_string (checksum));
}

static void
set_size_error (GError     **error,
                const char  *archive_path,
                guint64      expected_size,
                guint64      size)
{
  g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM,
               _("The checkpoint archive “%s” has the wrong size "
                 "(expected %" PRIu64 " bytes, found %" PRIu64 "). "
                 "It is incomplete or damaged: delete it or restore from an exported copy."),
               archive_path, expected_size, size);
}

static void
set_sha256_error (GError     **error,
                  const char  *archive_path,
                  const char  *actual,
                  const char  *expected_sha256)
{
  g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM,
               _("The checkpoint archive “%s” is damaged: its SHA-256 is %s, "
                 "expected %s. Delete it or restore from an exported copy."),
               archive_path, actual, expected_sha256);
}

static gboolean drain_checksum (SpArchiveIo  *io,
                                const char   *archive_path,
                                GError      **error);

gboolean
sp_archive_check (const char      *archive_path,
                  guint64          expected_size,
                  const char      *expected_sha256,
                  SpArchiveStats  *out_stats,
                  char           **out_warning,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_auto(SpArchiveLocale) locale = _sp_archive_locale_enter ();
  g_autoptr(SpArchiveRules) rules = NULL;
  g_autoptr(GError) local_error = NULL;
  SpArchiveIo io = { .fd = -1 };
  SpArchiveStats stats = { 0 };
  struct archive *a;
  struct archive_entry *entry = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  io.checksum = sp_sha256_new ();
  rules = _sp_archive_rules_new (archive_path);
  a = _sp_archive_open_reader (archive_path, &io, &local_error);
  if (a == NULL)
    goto out;

  if (!_sp_archive_read_metadata_header (a, &io, archive_path, &entry, &local_error))
    goto out;
  for (;;)
    {
      g_auto(SpEntryPlan) plan = { 0 };
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        goto out;
      r = archive_read_next_header (a, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (&local_error, a, &io, archive_path);
          goto out;
        }
      if (!_sp_archive_rules_check_entry (rules, entry, &plan, &local_error))
        goto out;
      stats.files++;
      if (plan.kind != SP_ENTRY_FILE)
        continue;

      /* The data is read too: the zstd stream must decode to the end, and
       * every block must lie inside the entry's size. */
      stats.bytes += (guint64) archive_entry_size (entry);
      for (;;)
        {
          const void *buf;
          size_t len;
          la_int64_t offset;

          r = archive_read_data_block (a, &buf, &len, &offset);
          if (r == ARCHIVE_EOF)
            break;
          if (r < ARCHIVE_WARN)
            {
              _sp_archive_set_read_error (&local_error, a, &io, archive_path);
              goto out;
            }
          if (!_sp_archive_rules_check_block (rules, archive_entry_pathname (entry),
                                              archive_entry_size (entry), offset, len,
                                              &local_error) ||
              g_cancellable_set_error_if_cancelled (cancellable, &local_error))
            goto out;
        }
    }

  if (expected_sha256 != NULL
      ? !_sp_archive_finish_checksum (&io, archive_path, expected_size, expected_sha256,
                                      &local_error)
      : !drain_checksum (&io, archive_path, &local_error))
    goto out;
  ok = TRUE;

out:
  if (a != NULL)
    archive_read_free (a);
  if (!ok)
    {
      /* A damaged file explains a bad entry better than the entry does:
       * read the rest and compare, unless reading itself failed. */
      g_autoptr(GError) checksum_error = NULL;

      if (expected_sha256 != NULL &&
          io.fd >= 0 && io.buffer != NULL &&
          (g_error_matches (local_error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT) ||
           g_error_matches (local_error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE)) &&
          !_sp_archive_finish_checksum (&io, archive_path, expected_size, expected_sha256,
                                        &checksum_error) &&
          g_error_matches (checksum_error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM))
        g_propagate_error (error, g_steal_pointer (&checksum_error));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  else
    {
      if (out_stats != NULL)
        {
          stats.archive_size = io.size;
          g_strlcpy (stats.sha256, sp_sha256_get_string (io.checksum), sizeof stats.sha256);
          *out_stats = stats;
        }
      if (out_warning != NULL)
        *out_warning = _sp_archive_rules_get_warning (rules);
    }
  _sp_archive_io_clear (&io);
  return ok;
}

gboolean
sp_archive_verify (const char    *archive_path,
                   guint64        expected_size,
                   const char    *expected_sha256,
                   GCancellable  *cancellable,
                   GError       **error)
{
  struct stat st;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (expected_sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stat (archive_path, &st) != 0)
    {
      _sp_archive_set_errno_error (error, errno, archive_path, _("Checking"));
      return FALSE;
    }
  if ((guint64) st.st_size != expected_size)
    {
      set_size_error (error, archive_path, expected_size, (guint64) st.st_size);
      return FALSE;
    }
  return sp_archive_check (archive_path, expected_size, expected_sha256, NULL, NULL,
                           cancellable, error);
}

/* Reads what libarchive left unread (the tar end padding) into the
 * checksum. */
static gboolean
drain_checksum (SpArchiveIo  *io,
                const char   *archive_path,
                GError      **error)
{
  for (;;)
    {
      ssize_t n = sp_read_full (io->fd, io->buffer, BUFFER_SIZE);

      if (n < 0)
        {
          _sp_archive_set_errno_error (error, errno, archive_path, _("Reading"));
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      sp_sha256_update (io->checksum, io->buffer, n);
      io->size += (guint64) n;
    }
}

/* Drains the rest of the file into the checksum and compares size and
 * SHA-256. */
gboolean
_sp_archive_finish_checksum (SpArchiveIo  *io,
                             const char   *archive_path,
                             guint64       expected_size,
                             const char   *expected_sha256,
                             GError      **error)
{
  const char *actual;

  if (!drain_checksum (io, archive_path, error))
    return FALSE;
  actual = sp_sha256_get_string (io->checksum);
  if (io->size != expected_size)
    {
      set_size_error (error, archive_path, expected_size, io->size);
      return FALSE;
    }
  if (g_ascii_strcasecmp (actual, expected_sha256) != 0)
    {
      set_sha256_error (error, archive_path, actual, expected_sha256);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Leftovers */

gboolean
sp_archive_remove_leftovers (const char    *path,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *partial = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  partial = g_strconcat (base, ".partial", NULL);
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    {
      _sp_archive_set_errno_error (error, errno, dir, _("Reading folder"));
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gsize plen = strlen (partial);
      g_autofree char *full = NULL;

      if (strncmp (name, partial, plen) != 0)
        continue;
      if (name[plen] != '\0' && !(name[plen] == '-' && strlen (name + plen + 1) == 6))
        {
          g_autofree char *boot = NULL;
          gint64 pid;

          /* "<path>.partial-<boot>-<pid>" and its marker (sp-leftovers.h) */
          if (name[plen] != '-' || !sp_leftover_parse_owner (name + plen - strlen (".partial"),
                                                              &boot, &pid))
            continue;
        }
      full = g_build_filename (dir, name, NULL);
      if (!sp_remove_tree (full, cancellable, error))
        return FALSE;
    }
  return TRUE;
}
