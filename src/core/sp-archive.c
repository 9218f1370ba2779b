/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-archive.h"
#include "sp-util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Format notes
 *
 * - Full pax, not "restricted" pax: restricted pax writes an extended header
 *   only when an entry needs one, and nanosecond mtimes alone do not count,
 *   so they would be lost. hdrcharset=BINARY stores names as the raw bytes
 *   they are on disk, whatever the locale of the packing or unpacking
 *   process.
 * - Deterministic: entries sorted by name (byte order) in a depth-first
 *   walk, only mtime/uid/gid/mode/xattrs recorded (no atime, ctime, user
 *   names, pids), the metadata entry with a fixed time. The same upper dir
 *   and metadata give the same bytes, hence the same SHA-256.
 * - Unpacking does not use archive_write_disk: every entry is checked here and
 *   written through directory fds opened with O_NOFOLLOW, starting from the
 *   temporary root, so there is no path-string resolution to get wrong.
 */

G_DEFINE_QUARK (sp-archive-error-quark, sp_archive_error)

typedef struct archive_entry SpArchiveEntry;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpArchiveEntry, archive_entry_free)

#define BUFFER_SIZE        (256 * 1024)
#define MAX_METADATA_SIZE  (1024 * 1024)
#define WHITEOUT_PREFIX    ".wh."
#define OPAQUE_MARKER      ".wh..wh..opq"
#define OPAQUE_XATTR       "user.overlay.opaque"
#define TRUSTED_OPAQUE     "trusted.overlay.opaque"

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path,
                 const char  *what)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NO_SPACE,
                 _("%s “%s” failed: the disk is full. Free some space and try again."),
                 what, path);
  else
    g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                 _("%s “%s” failed: %s"), what, path, g_strerror (saved_errno));
}

/* ------------------------------------------------------------------------ */
/* Archive I/O through our own callbacks, so real I/O errors (a drive pulled
 * out) can be told apart from damaged data, and the archive bytes can be
 * hashed as they are written. */

typedef struct
{
  int        fd;
  int        io_errno;
  guint64    size;
  GChecksum *checksum;
  guchar    *buffer;
} ArchiveIo;

static la_ssize_t
io_write_cb (struct archive *a,
             void           *user_data,
             const void     *buffer,
             size_t          length)
{
  ArchiveIo *io = user_data;
  const guchar *p = buffer;
  size_t done = 0;

  while (done < length)
    {
      ssize_t n = write (io->fd, p + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          io->io_errno = errno;
          archive_set_error (a, errno, "%s", g_strerror (errno));
          return -1;
        }
      done += (size_t) n;
    }
  g_checksum_update (io->checksum, buffer, length);
  io->size += length;
  return (la_ssize_t) length;
}

static la_ssize_t
io_read_cb (struct archive  *a,
            void            *user_data,
            const void     **buffer)
{
  ArchiveIo *io = user_data;

  for (;;)
    {
      ssize_t n = read (io->fd, io->buffer, BUFFER_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          io->io_errno = errno;
          archive_set_error (a, errno, "%s", g_strerror (errno));
          return -1;
        }
      *buffer = io->buffer;
      io->size += (guint64) n;
      if (io->checksum != NULL)
        g_checksum_update (io->checksum, io->buffer, n);
      return n;
    }
}

static void
archive_io_clear (ArchiveIo *io)
{
  if (io->fd >= 0)
    close (io->fd);
  io->fd = -1;
  g_clear_pointer (&io->checksum, g_checksum_free);
  g_clear_pointer (&io->buffer, g_free);
}

static void
set_corrupt_error (GError     **error,
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
static void
set_read_error (GError         **error,
                struct archive  *a,
                ArchiveIo       *io,
                const char      *archive_path)
{
  if (io->io_errno != 0)
    {
      set_errno_error (error, io->io_errno, archive_path, _("Reading"));
      return;
    }
  {
    g_autofree char *detail = g_strdup (archive_error_string (a) ? archive_error_string (a)
                                                                 : _("unreadable data"));

    /* libarchive's messages start with a capital; ours go mid-sentence. */
    if (g_ascii_isupper (detail[0]) && !g_ascii_isupper (detail[1]))
      detail[0] = g_ascii_tolower (detail[0]);
    set_corrupt_error (error, archive_path, detail);
  }
}

/* Opens @archive_path for reading as a zstd-compressed tar, and nothing
 * else: no other compression and no uncompressed tar. */
static struct archive *
open_reader (const char  *archive_path,
             ArchiveIo   *io,
             GError     **error)
{
  struct archive *a;

  io->fd = open (archive_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (io->fd < 0)
    {
      set_errno_error (error, errno, archive_path, _("Opening"));
      return NULL;
    }
  io->buffer = g_malloc (BUFFER_SIZE);

  {
    static const guchar zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    guchar magic[4];
    ssize_t n = pread (io->fd, magic, sizeof magic, 0);

    if (n < 0)
      {
        set_errno_error (error, errno, archive_path, _("Reading"));
        return NULL;
      }
    if (n < (ssize_t) sizeof magic || memcmp (magic, zstd_magic, sizeof magic) != 0)
      {
        set_corrupt_error (error, archive_path, _("not a zstd-compressed tar archive"));
        return NULL;
      }
  }

  a = archive_read_new ();
  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  if (archive_read_open (a, io, NULL, io_read_cb, NULL) != ARCHIVE_OK)
    {
      set_read_error (error, a, io, archive_path);
      archive_read_free (a);
      return NULL;
    }
  return a;
}

/* Reads the first header, which must be the metadata entry of a zstd
 * tar. */
static gboolean
read_metadata_header (struct archive        *a,
                      ArchiveIo             *io,
                      const char            *archive_path,
                      struct archive_entry **out_entry,
                      GError               **error)
{
  int r = archive_read_next_header (a, out_entry);
  const char *name;

  if (r == ARCHIVE_EOF)
    {
      set_corrupt_error (error, archive_path, _("the archive is empty"));
      return FALSE;
    }
  if (r < ARCHIVE_WARN)
    {
      set_read_error (error, a, io, archive_path);
      return FALSE;
    }
  if (archive_filter_count (a) != 2 || archive_filter_code (a, 0) != ARCHIVE_FILTER_ZSTD)
    {
      set_corrupt_error (error, archive_path, _("not a zstd-compressed tar archive"));
      return FALSE;
    }
  name = archive_entry_pathname (*out_entry);
  if (name == NULL || strcmp (name, SP_ARCHIVE_METADATA_ENTRY) != 0 ||
      archive_entry_filetype (*out_entry) != AE_IFREG ||
      archive_entry_hardlink (*out_entry) != NULL)
    {
      set_corrupt_error (error, archive_path, _("the first entry is not the checkpoint metadata"));
      return FALSE;
    }
  if (archive_entry_size (*out_entry) < 0 || archive_entry_size (*out_entry) > MAX_METADATA_SIZE)
    {
      set_corrupt_error (error, archive_path, _("the checkpoint metadata is too large"));
      return FALSE;
    }
  return TRUE;
}

static char *
read_metadata_data (struct archive        *a,
                    ArchiveIo             *io,
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
          set_read_error (error, a, io, archive_path);
          return NULL;
        }
      if (n == 0)
        {
          set_corrupt_error (error, archive_path, _("the checkpoint metadata is truncated"));
          return NULL;
        }
      done += (gsize) n;
    }
  text[size] = '\0';
  if (memchr (text, '\0', size) != NULL || !g_utf8_validate (text, size, NULL))
    {
      set_corrupt_error (error, archive_path, _("the checkpoint metadata is not text"));
      return NULL;
    }
  return g_steal_pointer (&text);
}

char *
sp_archive_read_metadata (const char  *archive_path,
                          GError     **error)
{
  ArchiveIo io = { .fd = -1 };
  struct archive *a;
  struct archive_entry *entry = NULL;
  char *text = NULL;

  g_return_val_if_fail (archive_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  a = open_reader (archive_path, &io, error);
  if (a != NULL)
    {
      if (read_metadata_header (a, &io, archive_path, &entry, error))
        text = read_metadata_data (a, &io, entry, archive_path, error);
      archive_read_free (a);
    }
  archive_io_clear (&io);
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
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree guchar *buffer = NULL;
  guint64 size = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, path, _("Opening"));
      return NULL;
    }
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  buffer = g_malloc (BUFFER_SIZE);
  for (;;)
    {
      ssize_t n = read (fd, buffer, BUFFER_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, path, _("Reading"));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
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
  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
sp_archive_verify (const char    *archive_path,
                   guint64        expected_size,
                   const char    *expected_sha256,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *actual = NULL;
  struct stat st;
  guint64 size = 0;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (expected_sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stat (archive_path, &st) != 0)
    {
      set_errno_error (error, errno, archive_path, _("Checking"));
      return FALSE;
    }
  if ((guint64) st.st_size != expected_size)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM,
                   _("The checkpoint archive “%s” has the wrong size "
                     "(expected %" G_GUINT64_FORMAT " bytes, found %" G_GUINT64_FORMAT "). "
                     "It is incomplete or damaged: delete it or restore from an exported copy."),
                   archive_path, expected_size, (guint64) st.st_size);
      return FALSE;
    }
  actual = sp_file_sha256 (archive_path, &size, cancellable, error);
  if (actual == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (actual, expected_sha256) != 0 || size != expected_size)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM,
                   _("The checkpoint archive “%s” is damaged: its SHA-256 is %s, "
                     "expected %s. Delete it or restore from an exported copy."),
                   archive_path, actual, expected_sha256);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Packing */

typedef enum
{
  PACK_DIR,
  PACK_FILE,
  PACK_HARDLINK,
  PACK_SYMLINK,
  PACK_FIFO,
  PACK_WHITEOUT,        /* empty ".wh.<name>" file */
  PACK_OPAQUE,          /* empty ".wh..wh..opq" file */
} PackKind;

typedef struct
{
  PackKind    kind;
  char       *name;       /* name in the archive, relative */
  char       *disk_path;  /* path on disk relative to the upper dir, NULL for
                             synthesised markers */
  char       *link;       /* hard link target (archive name) */
  struct stat st;
} PackEntry;

static void
pack_entry_free (gpointer data)
{
  PackEntry *e = data;

  g_free (e->name);
  g_free (e->disk_path);
  g_free (e->link);
  g_free (e);
}

typedef struct
{
  const char   *upper_dir;
  GPtrArray    *entries;
  GHashTable   *inodes;     /* "dev:ino" -> archive name of first link */
  guint64       total;
  GCancellable *cancellable;
} PackWalk;

typedef struct
{
  char        *disk_name;
  char        *arch_name;
  struct stat  st;
} Child;

static void
child_free (gpointer data)
{
  Child *c = data;

  g_free (c->disk_name);
  g_free (c->arch_name);
  g_free (c);
}

static int
child_compare (gconstpointer a,
               gconstpointer b)
{
  const Child *ca = *(Child * const *) a;
  const Child *cb = *(Child * const *) b;

  return strcmp (ca->arch_name, cb->arch_name);
}

static gboolean
is_whiteout_device (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && major (st->st_rdev) == 0 && minor (st->st_rdev) == 0;
}

static gboolean
xattr_is_y (int         fd,
            const char *name)
{
  char value[8];
  ssize_t n = fgetxattr (fd, name, value, sizeof value);

  return n == 1 && value[0] == 'y';
}

static char *
join_rel (const char *dir,
          const char *name)
{
  if (dir[0] == '\0')
    return g_strdup (name);
  return g_strconcat (dir, "/", name, NULL);
}

static gboolean
pack_walk_dir (PackWalk    *w,
               int          dir_fd,
               const char  *rel,
               GError     **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (child_free);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean opaque = FALSE;
  struct dirent *de;
  DIR *dir;
  int fd;

  if (g_cancellable_set_error_if_cancelled (w->cancellable, error))
    return FALSE;

  opaque = xattr_is_y (dir_fd, OPAQUE_XATTR) || xattr_is_y (dir_fd, TRUSTED_OPAQUE);

  fd = dup (dir_fd);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      g_autofree char *path = g_build_filename (w->upper_dir, rel, NULL);
      int saved = errno;

      if (fd >= 0)
        close (fd);
      set_errno_error (error, saved, path, _("Reading folder"));
      return FALSE;
    }

  errno = 0;
  while ((de = readdir (dir)) != NULL)
    {
      Child *c;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      c = g_new0 (Child, 1);
      c->disk_name = g_strdup (de->d_name);
      g_ptr_array_add (children, c);
      if (fstatat (dir_fd, de->d_name, &c->st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          g_autofree char *r = join_rel (rel, de->d_name);
          g_autofree char *path = g_build_filename (w->upper_dir, r, NULL);

          set_errno_error (error, errno, path, _("Reading"));
          closedir (dir);
          return FALSE;
        }
      errno = 0;
    }
  if (errno != 0)
    {
      g_autofree char *path = g_build_filename (w->upper_dir, rel, NULL);

      set_errno_error (error, errno, path, _("Reading folder"));
      closedir (dir);
      return FALSE;
    }
  closedir (dir);

  /* Names as they go into the archive; a whiteout device "x" becomes ".wh.x". */
  for (guint i = 0; i < children->len; i++)
    {
      Child *c = g_ptr_array_index (children, i);

      if (is_whiteout_device (&c->st))
        c->arch_name = g_strconcat (WHITEOUT_PREFIX, c->disk_name, NULL);
      else
        c->arch_name = g_strdup (c->disk_name);
      if (!is_whiteout_device (&c->st))
        g_hash_table_add (names, c->disk_name);
      if (strcmp (c->disk_name, OPAQUE_MARKER) == 0)
        opaque = TRUE;
    }
  g_ptr_array_sort (children, child_compare);

  if (opaque)
    {
      PackEntry *e = g_new0 (PackEntry, 1);

      e->kind = PACK_OPAQUE;
      e->name = join_rel (rel, OPAQUE_MARKER);
      if (fstat (dir_fd, &e->st) != 0)
        memset (&e->st, 0, sizeof e->st);
      g_ptr_array_add (w->entries, e);
    }

  for (guint i = 0; i < children->len; i++)
    {
      Child *c = g_ptr_array_index (children, i);
      g_autofree char *disk_rel = join_rel (rel, c->disk_name);
      PackEntry *e;

      if (strcmp (c->disk_name, OPAQUE_MARKER) == 0)
        continue;

      /* A whiteout for a name that also exists here (or a device whiteout
       * and a ".wh." file for the same name) is written once, or not at
       * all when the real entry exists. */
      if (g_str_has_prefix (c->arch_name, WHITEOUT_PREFIX) &&
          (is_whiteout_device (&c->st) || S_ISREG (c->st.st_mode)))
        {
          const char *target = c->arch_name + strlen (WHITEOUT_PREFIX);

          if (target[0] == '\0' || g_str_has_prefix (target, WHITEOUT_PREFIX) ||
              g_hash_table_contains (names, target))
            continue;
          if (i > 0 && strcmp (c->arch_name,
                               ((Child *) g_ptr_array_index (children, i - 1))->arch_name) == 0)
            continue;
          e = g_new0 (PackEntry, 1);
          e->kind = PACK_WHITEOUT;
          e->name = join_rel (rel, c->arch_name);
          e->st = c->st;
          g_ptr_array_add (w->entries, e);
          continue;
        }

      /* Anything else named ".wh.*" (a folder, a link, a device) is
       * hidden by the overlay and never visible in the game's files; the
       * archive's whiteout convention has no room for it. */
      if (is_whiteout_device (&c->st) || g_str_has_prefix (c->disk_name, WHITEOUT_PREFIX))
        {
          g_debug ("Skipping hidden overlay entry “%s/%s”", w->upper_dir, disk_rel);
          continue;
        }

      if (S_ISCHR (c->st.st_mode) || S_ISBLK (c->st.st_mode) || S_ISSOCK (c->st.st_mode))
        {
          g_autofree char *path = g_build_filename (w->upper_dir, disk_rel, NULL);

          g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE,
                       _("Cannot save “%s”: it is a device node or socket, which a "
                         "checkpoint cannot hold. Remove it and try again."), path);
          return FALSE;
        }

      if (rel[0] == '\0' && strcmp (c->disk_name, ".savepoint") == 0 && S_ISDIR (c->st.st_mode) &&
          faccessat (dir_fd, ".savepoint/checkpoint.ini", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        {
          g_autofree char *path = g_build_filename (w->upper_dir, SP_ARCHIVE_METADATA_ENTRY, NULL);

          g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                       _("Cannot save “%s”: the name is reserved for checkpoint metadata. "
                         "Rename or remove it and try again."), path);
          return FALSE;
        }

      e = g_new0 (PackEntry, 1);
      e->name = join_rel (rel, c->arch_name);
      e->disk_path = g_strdup (disk_rel);
      e->st = c->st;
      g_ptr_array_add (w->entries, e);

      if (S_ISDIR (c->st.st_mode))
        {
          int sub;

          e->kind = PACK_DIR;
          sub = openat (dir_fd, c->disk_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            {
              g_autofree char *path = g_build_filename (w->upper_dir, disk_rel, NULL);

              set_errno_error (error, errno, path, _("Opening folder"));
              return FALSE;
            }
          if (!pack_walk_dir (w, sub, disk_rel, error))
            {
              close (sub);
              return FALSE;
            }
          close (sub);
        }
      else if (S_ISLNK (c->st.st_mode))
        e->kind = PACK_SYMLINK;
      else if (S_ISFIFO (c->st.st_mode))
        e->kind = PACK_FIFO;
      else if (S_ISREG (c->st.st_mode))
        {
          e->kind = PACK_FILE;
          if (c->st.st_nlink > 1)
            {
              g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                                                      (guint64) c->st.st_dev,
                                                      (guint64) c->st.st_ino);
              const char *first = g_hash_table_lookup (w->inodes, key);

              if (first != NULL)
                {
                  e->kind = PACK_HARDLINK;
                  e->link = g_strdup (first);
                }
              else
                g_hash_table_insert (w->inodes, g_steal_pointer (&key), g_strdup (e->name));
            }
          if (e->kind == PACK_FILE)
            w->total += (guint64) c->st.st_size;
        }
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Copies the user.* xattrs (but not user.overlay.*, which are the upper
 * layer's own bookkeeping) of @fd into @entry, in a stable order. */
static gboolean
pack_xattrs (int                    fd,
             struct archive_entry  *entry,
             const char            *path,
             GError               **error)
{
  g_autofree char *list = NULL;
  g_autoptr(GPtrArray) names = NULL;
  ssize_t len;

  len = flistxattr (fd, NULL, 0);
  if (len < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
    return TRUE;
  if (len <= 0)
    {
      if (len < 0)
        set_errno_error (error, errno, path, _("Reading attributes of"));
      return len == 0;
    }
  list = g_malloc (len);
  len = flistxattr (fd, list, len);
  if (len < 0)
    {
      set_errno_error (error, errno, path, _("Reading attributes of"));
      return FALSE;
    }

  names = g_ptr_array_new ();
  for (char *p = list; p < list + len; p += strlen (p) + 1)
    if (g_str_has_prefix (p, "user.") && !g_str_has_prefix (p, "user.overlay."))
      g_ptr_array_add (names, p);
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *value = NULL;
      ssize_t vlen = fgetxattr (fd, name, NULL, 0);

      if (vlen < 0)
        {
          set_errno_error (error, errno, path, _("Reading attributes of"));
          return FALSE;
        }
      value = g_malloc (vlen + 1);
      vlen = fgetxattr (fd, name, value, vlen);
      if (vlen < 0)
        {
          set_errno_error (error, errno, path, _("Reading attributes of"));
          return FALSE;
        }
      archive_entry_xattr_add_entry (entry, name, value, (size_t) vlen);
    }
  return TRUE;
}

typedef struct
{
  struct archive *a;
  ArchiveIo      *io;
  const char     *dest_path;
  const char     *partial;
} PackWriter;

static gboolean
set_write_error (GError     **error,
                 PackWriter  *pw)
{
  if (pw->io->io_errno != 0)
    set_errno_error (error, pw->io->io_errno, pw->partial, _("Writing"));
  else
    g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                 _("Writing the checkpoint archive “%s” failed: %s"),
                 pw->dest_path, archive_error_string (pw->a) ? archive_error_string (pw->a) : "?");
  return FALSE;
}

static void
entry_set_times (struct archive_entry *entry,
                 const struct stat    *st)
{
  archive_entry_set_mtime (entry, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

static gboolean
pack_one (PackWriter     *pw,
          PackWalk       *w,
          int             root_fd,
          PackEntry      *e,
          guchar         *buffer,
          guint64        *done,
          SpProgressFunc  progress,
          gpointer        progress_data,
          GError        **error)
{
  g_autoptr(SpArchiveEntry) entry = archive_entry_new ();
  g_autofree char *path = e->disk_path ? g_build_filename (w->upper_dir, e->disk_path, NULL)
                                       : g_build_filename (w->upper_dir, e->name, NULL);
  int fd = -1;
  guint64 left;
  gboolean ok = FALSE;

  archive_entry_copy_pathname (entry, e->name);
  entry_set_times (entry, &e->st);
  archive_entry_set_uid (entry, e->st.st_uid);
  archive_entry_set_gid (entry, e->st.st_gid);

  switch (e->kind)
    {
    case PACK_WHITEOUT:
    case PACK_OPAQUE:
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, 0);
      if (archive_write_header (pw->a, entry) < ARCHIVE_WARN)
        return set_write_error (error, pw);
      return TRUE;

    case PACK_HARDLINK:
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, e->st.st_mode & 07777);
      archive_entry_copy_hardlink (entry, e->link);
      archive_entry_set_size (entry, 0);
      if (archive_write_header (pw->a, entry) < ARCHIVE_WARN)
        return set_write_error (error, pw);
      return TRUE;

    case PACK_SYMLINK:
      {
        g_autofree char *target = g_malloc ((gsize) MAX (e->st.st_size, 0) + 2);
        ssize_t n = readlinkat (root_fd, e->disk_path, target, e->st.st_size + 1);

        if (n < 0 || n > e->st.st_size)
          {
            if (n >= 0)
              g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                           _("“%s” changed while it was being saved. Try again."), path);
            else
              set_errno_error (error, errno, path, _("Reading link"));
            return FALSE;
          }
        target[n] = '\0';
        archive_entry_set_filetype (entry, AE_IFLNK);
        archive_entry_set_perm (entry, 0777);
        archive_entry_copy_symlink (entry, target);
        if (archive_write_header (pw->a, entry) < ARCHIVE_WARN)
          return set_write_error (error, pw);
        return TRUE;
      }

    case PACK_FIFO:
      archive_entry_set_filetype (entry, AE_IFIFO);
      archive_entry_set_perm (entry, e->st.st_mode & 07777);
      if (archive_write_header (pw->a, entry) < ARCHIVE_WARN)
        return set_write_error (error, pw);
      return TRUE;

    case PACK_DIR:
    case PACK_FILE:
      break;

    default:
      g_assert_not_reached ();
    }

  fd = openat (root_fd, e->disk_path,
               O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
               (e->kind == PACK_DIR ? O_DIRECTORY : 0));
  if (fd < 0)
    {
      set_errno_error (error, errno, path, _("Opening"));
      return FALSE;
    }
  {
    struct stat st;

    if (fstat (fd, &st) != 0 || st.st_ino != e->st.st_ino || st.st_dev != e->st.st_dev)
      {
        g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                     _("“%s” changed while it was being saved. Try again."), path);
        goto out;
      }
  }

  archive_entry_set_filetype (entry, e->kind == PACK_DIR ? AE_IFDIR : AE_IFREG);
  archive_entry_set_perm (entry, e->st.st_mode & 07777);
  archive_entry_set_size (entry, e->kind == PACK_DIR ? 0 : e->st.st_size);
  if (!pack_xattrs (fd, entry, path, error))
    goto out;
  if (archive_write_header (pw->a, entry) < ARCHIVE_WARN)
    {
      set_write_error (error, pw);
      goto out;
    }
  if (e->kind == PACK_DIR)
    {
      ok = TRUE;
      goto out;
    }

  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  left = (guint64) e->st.st_size;
  while (left > 0)
    {
      ssize_t n = read (fd, buffer, MIN (left, BUFFER_SIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, path, _("Reading"));
          goto out;
        }
      if (n == 0)
        {
          g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                       _("“%s” changed while it was being saved. Try again."), path);
          goto out;
        }
      if (archive_write_data (pw->a, buffer, n) != n)
        {
          set_write_error (error, pw);
          goto out;
        }
      left -= (guint64) n;
      *done += (guint64) n;
      if (progress != NULL)
        progress (*done, w->total, progress_data);
      if (g_cancellable_set_error_if_cancelled (w->cancellable, error))
        goto out;
    }
  ok = TRUE;

out:
  close (fd);
  return ok;
}

static gboolean
pack_metadata (PackWriter  *pw,
               const char  *metadata,
               GError     **error)
{
  g_autoptr(SpArchiveEntry) entry = archive_entry_new ();
  gsize len = metadata ? strlen (metadata) : 0;

  /* Fixed times and owner so that the same upper dir and metadata always
   * give the same archive bytes. */
  archive_entry_copy_pathname (entry, SP_ARCHIVE_METADATA_ENTRY);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, (la_int64_t) len);
  archive_entry_set_mtime (entry, 0, 0);
  if (archive_write_header (pw->a, entry) < ARCHIVE_WARN)
    return set_write_error (error, pw);
  if (len > 0 && archive_write_data (pw->a, metadata, len) != (la_ssize_t) len)
    return set_write_error (error, pw);
  return TRUE;
}

gboolean
sp_archive_pack (const char      *upper_dir,
                 const char      *metadata,
                 const char      *dest_path,
                 int              compression_level,
                 SpProgressFunc   progress,
                 gpointer         progress_data,
                 GCancellable    *cancellable,
                 SpArchiveStats  *out_stats,
                 GError         **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (pack_entry_free);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *partial = NULL;
  g_autofree guchar *buffer = NULL;
  g_autofree char *level = NULL;
  PackWalk w = { 0 };
  ArchiveIo io = { .fd = -1 };
  PackWriter pw = { 0 };
  struct archive *a = NULL;
  guint64 done = 0;
  gboolean ok = FALSE;
  int root_fd;

  g_return_val_if_fail (upper_dir != NULL, FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);
  g_return_val_if_fail (compression_level >= 0 && compression_level <= 19, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (metadata != NULL && strlen (metadata) > MAX_METADATA_SIZE)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                   _("The checkpoint metadata for “%s” is too large."), dest_path);
      return FALSE;
    }

  root_fd = open (upper_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      set_errno_error (error, errno, upper_dir, _("Opening folder"));
      return FALSE;
    }

  /* First walk: the sorted list of entries and the total content size. */
  w.upper_dir = upper_dir;
  w.entries = entries;
  w.inodes = inodes;
  w.cancellable = cancellable;
  if (!pack_walk_dir (&w, root_fd, "", error))
    {
      close (root_fd);
      return FALSE;
    }

  partial = g_strconcat (dest_path, ".partial", NULL);
  io.fd = open (partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
  if (io.fd < 0)
    {
      set_errno_error (error, errno, partial, _("Creating"));
      close (root_fd);
      return FALSE;
    }
  io.checksum = g_checksum_new (G_CHECKSUM_SHA256);

  a = archive_write_new ();
  pw.a = a;
  pw.io = &io;
  pw.dest_path = dest_path;
  pw.partial = partial;
  level = g_strdup_printf ("%d", compression_level > 0 ? compression_level : 3);
  if (archive_write_set_format_pax (a) != ARCHIVE_OK ||
      archive_write_add_filter_zstd (a) != ARCHIVE_OK ||
      archive_write_set_filter_option (a, "zstd", "compression-level", level) != ARCHIVE_OK ||
      archive_write_set_format_option (a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK ||
      archive_write_set_bytes_per_block (a, 64 * 1024) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block (a, 1) != ARCHIVE_OK ||
      archive_write_open (a, &io, NULL, io_write_cb, NULL) != ARCHIVE_OK)
    {
      set_write_error (error, &pw);
      goto out;
    }

  if (!pack_metadata (&pw, metadata, error))
    goto out;

  buffer = g_malloc (BUFFER_SIZE);
  if (progress != NULL)
    progress (0, w.total, progress_data);
  for (guint i = 0; i < entries->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!pack_one (&pw, &w, root_fd, g_ptr_array_index (entries, i), buffer,
                     &done, progress, progress_data, error))
        goto out;
    }

  if (archive_write_close (a) != ARCHIVE_OK)
    {
      set_write_error (error, &pw);
      goto out;
    }
  if (fsync (io.fd) != 0)
    {
      set_errno_error (error, errno, partial, _("Writing"));
      goto out;
    }
  if (close (io.fd) != 0)
    {
      io.fd = -1;
      set_errno_error (error, errno, partial, _("Writing"));
      goto out;
    }
  io.fd = -1;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;
  if (!sp_rename_durable (partial, dest_path, error))
    goto out;

  if (out_stats != NULL)
    {
      out_stats->files = entries->len;
      out_stats->bytes = done;
      out_stats->archive_size = io.size;
      g_strlcpy (out_stats->sha256, g_checksum_get_string (io.checksum), sizeof out_stats->sha256);
    }
  ok = TRUE;

out:
  /* Not archive_write_fail(): libarchive 3.6 then leaks the zstd filter's
   * buffers. Closing flushes into the partial file, which goes anyway. */
  if (a != NULL)
    archive_write_free (a);
  archive_io_clear (&io);
  close (root_fd);
  if (!ok)
    g_unlink (partial);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Unpacking. The archive is treated as hostile: every name is checked by
 * us, every write goes through directory fds opened with O_NOFOLLOW from
 * the temporary root, so no entry can land outside it or through a
 * symlink that an earlier entry created. */

typedef struct
{
  char            *path;
  mode_t           mode;
  struct timespec  mtime;
  uid_t            uid;
  gid_t            gid;
} DirFix;

static void
dir_fix_free (gpointer data)
{
  DirFix *d = data;

  g_free (d->path);
  g_free (d);
}

typedef struct
{
  const char     *archive_path;
  const char     *dest_dir;
  struct archive *a;
  ArchiveIo       io;
  int             root_fd;
  char           *cached_parent;
  int             cached_fd;
  GPtrArray      *dirs;
  guint64         free_at_start;
  guint64         written;
  guint64         archive_size;
  gboolean        is_root;
  gboolean        mknod_refused;
  GCancellable   *cancellable;
  SpProgressFunc  progress;
  gpointer        progress_data;
} Unpack;

static gboolean
set_hostile (GError     **error,
             Unpack      *u,
             const char  *name,
             const char  *reason)
{
  g_autofree char *shown = g_utf8_make_valid (name ? name : "", -1);

  g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE,
               _("The checkpoint archive “%s” was refused: its entry “%s” %s. "
                 "It is damaged or was tampered with; do not restore it."),
               u->archive_path, shown, reason);
  return FALSE;
}

static gboolean
set_entry_corrupt (GError     **error,
                   Unpack      *u,
                   const char  *name,
                   const char  *reason)
{
  g_autofree char *shown = g_utf8_make_valid (name ? name : "", -1);
  g_autofree char *detail = g_strdup_printf (_("entry “%s” %s"), shown, reason);

  set_corrupt_error (error, u->archive_path, detail);
  return FALSE;
}

static gboolean
set_unpack_errno (GError     **error,
                  Unpack      *u,
                  int          saved_errno,
                  const char  *name)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NO_SPACE,
                 _("There is not enough free space to unpack “%s” into “%s” "
                   "(the disk filled up at “%s”). Free some space and try again."),
                 u->archive_path, u->dest_dir, name);
  else
    g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                 _("Unpacking “%s” from “%s” into “%s” failed: %s"),
                 name, u->archive_path, u->dest_dir, g_strerror (saved_errno));
  return FALSE;
}

/* Checks an entry name: relative, no "." or ".." or empty components, no
 * over-long names. Returns NULL (with @reason) when it is refused. */
static char *
check_name (const char  *name,
            gboolean     is_dir,
            const char **reason)
{
  g_autofree char *clean = NULL;
  gsize len;
  const char *p;

  if (name == NULL || name[0] == '\0')
    {
      *reason = _("has an empty or unreadable name");
      return NULL;
    }
  len = strlen (name);
  if (len >= PATH_MAX)
    {
      *reason = _("has a name that is too long");
      return NULL;
    }
  if (name[0] == '/')
    {
      *reason = _("has an absolute path");
      return NULL;
    }
  clean = g_strdup (name);
  if (is_dir && len > 1 && clean[len - 1] == '/')
    clean[--len] = '\0';

  p = clean;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      gsize clen = slash ? (gsize) (slash - p) : strlen (p);

      if (clen == 0)
        {
          *reason = _("has an empty path component");
          return NULL;
        }
      if ((clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.'))
        {
          *reason = _("has a “.” or “..” path component");
          return NULL;
        }
      if (clen > NAME_MAX)
        {
          *reason = _("has a name that is too long");
          return NULL;
        }
      if (slash == NULL)
        break;
      p = slash + 1;
    }
  return g_steal_pointer (&clean);
}

static const char *
base_name (const char *rel)
{
  const char *slash = strrchr (rel, '/');

  return slash ? slash + 1 : rel;
}

/* Returns a new fd for the folder that holds @rel, walking from the root
 * without following symlinks, creating missing folders when @create. */
static int
open_parent (Unpack      *u,
             const char  *rel,
             const char  *entry_name,
             gboolean     create,
             GError     **error)
{
  const char *slash = strrchr (rel, '/');
  g_autofree char *dir = NULL;
  g_auto(GStrv) parts = NULL;
  int cur;

  if (slash == NULL)
    return dup (u->root_fd);

  dir = g_strndup (rel, slash - rel);
  if (u->cached_parent != NULL && strcmp (u->cached_parent, dir) == 0)
    return dup (u->cached_fd);

  parts = g_strsplit (dir, "/", -1);
  cur = dup (u->root_fd);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int next = openat (cur, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, parts[i], 0755) != 0 && errno != EEXIST)
            {
              set_unpack_errno (error, u, errno, entry_name);
              close (cur);
              return -1;
            }
          next = openat (cur, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        {
          int saved = errno;
          struct stat st;

          if (fstatat (cur, parts[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            set_hostile (error, u, entry_name, _("would be written through a symbolic link"));
          else if (saved == ENOENT)
            set_entry_corrupt (error, u, entry_name, _("refers to a missing folder"));
          else if (saved == ENOTDIR)
            set_entry_corrupt (error, u, entry_name, _("is inside something that is not a folder"));
          else
            set_unpack_errno (error, u, saved, entry_name);
          close (cur);
          return -1;
        }
      close (cur);
      cur = next;
    }

  if (u->cached_fd >= 0)
    close (u->cached_fd);
  g_free (u->cached_parent);
  u->cached_parent = g_steal_pointer (&dir);
  u->cached_fd = dup (cur);
  return cur;
}

static gboolean
restore_xattrs (Unpack                *u,
                int                    fd,
                struct archive_entry  *entry,
                const char            *name,
                GError               **error)
{
  const char *xname;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (entry);
  while (archive_entry_xattr_next (entry, &xname, &value, &size) == ARCHIVE_OK)
    {
      /* Only plain user attributes; user.overlay.* would steer the
       * overlay, and the opaque marker has its own entry. */
      if (xname == NULL || !g_str_has_prefix (xname, "user.") ||
          g_str_has_prefix (xname, "user.overlay."))
        continue;
      if (fsetxattr (fd, xname, value, size, 0) != 0)
        {
          if (errno == ENOTSUP || errno == EOPNOTSUPP)
            {
              g_debug ("“%s” does not support extended attributes; dropping %s of %s",
                       u->dest_dir, xname, name);
              continue;
            }
          return set_unpack_errno (error, u, errno, name);
        }
    }
  return TRUE;
}

static gboolean
set_opaque (Unpack      *u,
            int          dir_fd,
            const char  *name,
            GError     **error)
{
  int fd;

  if (fsetxattr (dir_fd, OPAQUE_XATTR, "y", 1, 0) == 0)
    return TRUE;
  if (errno != ENOTSUP && errno != EOPNOTSUPP && errno != EPERM)
    return set_unpack_errno (error, u, errno, name);

  fd = openat (dir_fd, OPAQUE_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST)
    return set_unpack_errno (error, u, errno, name);
  if (fd >= 0)
    close (fd);
  return TRUE;
}

static void
entry_mtime (struct archive_entry *entry,
             struct timespec       times[2])
{
  times[1].tv_sec = archive_entry_mtime (entry);
  times[1].tv_nsec = archive_entry_mtime_nsec (entry);
  times[0] = times[1];
  if (!archive_entry_mtime_is_set (entry))
    times[0].tv_nsec = times[1].tv_nsec = UTIME_OMIT;
}

static gboolean
exists_error (Unpack      *u,
              int          parent_fd,
              const char  *base,
              const char  *name,
              GError     **error)
{
  struct stat st;

  if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
    return set_hostile (error, u, name, _("would be written through a symbolic link"));
  return set_entry_corrupt (error, u, name, _("appears twice"));
}

static gboolean
check_space (Unpack      *u,
             guint64      size,
             const char  *name,
             GError     **error)
{
  struct statvfs sv;
  guint64 avail;

  if (size == 0)
    return TRUE;
  if (fstatvfs (u->root_fd, &sv) != 0)
    return set_unpack_errno (error, u, errno, name);
  avail = (guint64) sv.f_bavail * (guint64) sv.f_frsize;
  if (size > avail || u->written + size > u->free_at_start)
    {
      g_autofree char *need = g_format_size (u->written + size);
      g_autofree char *have = g_format_size (u->free_at_start);

      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NO_SPACE,
                   _("There is not enough free space to unpack “%s” into “%s”: "
                     "at least %s are needed, %s are free. Free some space and try again."),
                   u->archive_path, u->dest_dir, need, have);
      return FALSE;
    }
  return TRUE;
}

static gboolean
unpack_file (Unpack                *u,
             struct archive_entry  *entry,
             int                    parent_fd,
             const char            *base,
             const char            *name,
             GError               **error)
{
  struct timespec times[2];
  la_int64_t size = archive_entry_size (entry);
  gboolean ok = FALSE;
  int fd;

  if (!archive_entry_size_is_set (entry) || size < 0)
    return set_entry_corrupt (error, u, name, _("has no valid size"));
  if (!check_space (u, (guint64) size, name, error))
    return FALSE;

  fd = openat (parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno == EEXIST)
        return exists_error (u, parent_fd, base, name, error);
      return set_unpack_errno (error, u, errno, name);
    }

  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (u->a, &buf, &len, &offset);
      size_t done = 0;

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          set_read_error (error, u->a, &u->io, u->archive_path);
          goto out;
        }
      if (offset < 0 || (guint64) offset + len > (guint64) size)
        {
          set_entry_corrupt (error, u, name, _("has more data than its size"));
          goto out;
        }
      while (done < len)
        {
          ssize_t n = pwrite (fd, (const char *) buf + done, len - done, offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              set_unpack_errno (error, u, errno, name);
              goto out;
            }
          done += (size_t) n;
        }
      if (u->progress != NULL)
        u->progress (u->io.size, u->archive_size, u->progress_data);
      if (g_cancellable_set_error_if_cancelled (u->cancellable, error))
        goto out;
    }

  if (ftruncate (fd, size) != 0)
    {
      set_unpack_errno (error, u, errno, name);
      goto out;
    }
  u->written += (guint64) size;
  if (u->is_root && fchown (fd, archive_entry_uid (entry), archive_entry_gid (entry)) != 0)
    {
      set_unpack_errno (error, u, errno, name);
      goto out;
    }
  if (fchmod (fd, archive_entry_perm (entry) & 0777) != 0 ||
      !restore_xattrs (u, fd, entry, name, error))
    {
      if (error == NULL || *error == NULL)
        set_unpack_errno (error, u, errno, name);
      goto out;
    }
  entry_mtime (entry, times);
  if (futimens (fd, times) != 0)
    {
      set_unpack_errno (error, u, errno, name);
      goto out;
    }
  ok = TRUE;

out:
  if (close (fd) != 0 && ok)
    ok = set_unpack_errno (error, u, errno, name);
  return ok;
}

static gboolean
unpack_whiteout (Unpack                *u,
                 struct archive_entry  *entry,
                 int                    parent_fd,
                 const char            *base,
                 const char            *name,
                 GError               **error)
{
  const char *target = base + strlen (WHITEOUT_PREFIX);
  struct timespec times[2];
  const char *made = target;

  if (archive_entry_filetype (entry) != AE_IFREG || archive_entry_hardlink (entry) != NULL)
    return set_hostile (error, u, name, _("is a whiteout that is not an empty file"));
  if (archive_entry_size (entry) != 0)
    return set_entry_corrupt (error, u, name, _("is a whiteout with contents"));

  if (strcmp (base, OPAQUE_MARKER) == 0)
    return set_opaque (u, parent_fd, name, error);
  if (g_str_has_prefix (base, WHITEOUT_PREFIX WHITEOUT_PREFIX))
    return set_hostile (error, u, name, _("uses a reserved whiteout name"));
  if (target[0] == '\0' || strcmp (target, ".") == 0 || strcmp (target, "..") == 0)
    return set_hostile (error, u, name, _("is a whiteout for an invalid name"));

  if (!u->mknod_refused &&
      mknodat (parent_fd, target, S_IFCHR | 0600, makedev (0, 0)) != 0)
    {
      if (errno == EEXIST)
        return exists_error (u, parent_fd, target, name, error);
      if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOTSUP)
        return set_unpack_errno (error, u, errno, name);
      u->mknod_refused = TRUE;
    }
  if (u->mknod_refused)
    {
      int fd = openat (parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          if (errno == EEXIST)
            return exists_error (u, parent_fd, base, name, error);
          return set_unpack_errno (error, u, errno, name);
        }
      close (fd);
      made = base;
    }
  if (u->is_root)
    fchownat (parent_fd, made, archive_entry_uid (entry), archive_entry_gid (entry),
              AT_SYMLINK_NOFOLLOW);
  entry_mtime (entry, times);
  utimensat (parent_fd, made, times, AT_SYMLINK_NOFOLLOW);
  return TRUE;
}

static gboolean
unpack_hardlink (Unpack                *u,
                 struct archive_entry  *entry,
                 int                    parent_fd,
                 const char            *base,
                 const char            *name,
                 GError               **error)
{
  const char *reason = NULL;
  g_autofree char *target = check_name (archive_entry_hardlink (entry), FALSE, &reason);
  struct stat st;
  int tparent;

  if (target == NULL)
    return set_hostile (error, u, name, _("is a hard link to a forbidden path"));
  if (strcmp (target, SP_ARCHIVE_METADATA_ENTRY) == 0)
    return set_hostile (error, u, name, _("is a hard link to the metadata"));

  tparent = open_parent (u, target, name, FALSE, error);
  if (tparent < 0)
    return FALSE;
  if (fstatat (tparent, base_name (target), &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      close (tparent);
      return set_entry_corrupt (error, u, name, _("is a hard link to a missing file"));
    }
  if (!S_ISREG (st.st_mode))
    {
      close (tparent);
      return set_hostile (error, u, name, _("is a hard link to something that is not a file"));
    }
  if (linkat (tparent, base_name (target), parent_fd, base, 0) != 0)
    {
      int saved = errno;

      close (tparent);
      if (saved == EEXIST)
        return exists_error (u, parent_fd, base, name, error);
      return set_unpack_errno (error, u, saved, name);
    }
  close (tparent);
  return TRUE;
}

static gboolean
unpack_dir (Unpack                *u,
            struct archive_entry  *entry,
            int                    parent_fd,
            const char            *base,
            const char            *name,
            const char            *rel,
            GError               **error)
{
  DirFix *fix;
  int fd;

  if (mkdirat (parent_fd, base, 0700) != 0)
    {
      struct stat st;

      if (errno != EEXIST)
        return set_unpack_errno (error, u, errno, name);
      if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR (st.st_mode))
        return exists_error (u, parent_fd, base, name, error);
    }
  fd = openat (parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return set_unpack_errno (error, u, errno, name);
  if (!restore_xattrs (u, fd, entry, name, error))
    {
      close (fd);
      return FALSE;
    }
  close (fd);

  fix = g_new0 (DirFix, 1);
  fix->path = g_strdup (rel);
  fix->mode = archive_entry_perm (entry) & 01777;
  fix->mtime.tv_sec = archive_entry_mtime (entry);
  fix->mtime.tv_nsec = archive_entry_mtime_is_set (entry) ? archive_entry_mtime_nsec (entry)
                                                          : UTIME_OMIT;
  fix->uid = archive_entry_uid (entry);
  fix->gid = archive_entry_gid (entry);
  g_ptr_array_add (u->dirs, fix);
  return TRUE;
}

static gboolean
unpack_entry (Unpack                *u,
              struct archive_entry  *entry,
              GError               **error)
{
  const char *name = archive_entry_pathname (entry);
  const char *reason = NULL;
  g_autofree char *rel = NULL;
  mode_t type = archive_entry_filetype (entry);
  gboolean is_link = archive_entry_hardlink (entry) != NULL;
  struct timespec times[2];
  const char *base;
  gboolean ok = FALSE;
  int parent;

  if (name != NULL && strcmp (name, SP_ARCHIVE_METADATA_ENTRY) == 0)
    return set_hostile (error, u, name, _("duplicates the checkpoint metadata"));
  rel = check_name (name, type == AE_IFDIR, &reason);
  if (rel == NULL)
    return set_hostile (error, u, name, reason);
  if (!is_link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO)
    return set_hostile (error, u, name, _("is a device node or socket"));
  if (!is_link && (archive_entry_perm (entry) & (S_ISUID | S_ISGID)) != 0)
    return set_hostile (error, u, name, _("has the setuid or setgid bit"));

  parent = open_parent (u, rel, name, TRUE, error);
  if (parent < 0)
    return FALSE;
  base = base_name (rel);

  if (g_str_has_prefix (base, WHITEOUT_PREFIX))
    ok = unpack_whiteout (u, entry, parent, base, name, error);
  else if (is_link)
    ok = unpack_hardlink (u, entry, parent, base, name, error);
  else if (type == AE_IFDIR)
    ok = unpack_dir (u, entry, parent, base, name, rel, error);
  else if (type == AE_IFREG)
    ok = unpack_file (u, entry, parent, base, name, error);
  else if (type == AE_IFLNK)
    {
      const char *target = archive_entry_symlink (entry);

      if (target == NULL || target[0] == '\0' || strlen (target) >= PATH_MAX)
        ok = set_entry_corrupt (error, u, name, _("is a symbolic link without a valid target"));
      else if (symlinkat (target, parent, base) != 0)
        ok = errno == EEXIST ? exists_error (u, parent, base, name, error)
                             : set_unpack_errno (error, u, errno, name);
      else
        {
          if (u->is_root)
            fchownat (parent, base, archive_entry_uid (entry), archive_entry_gid (entry),
                      AT_SYMLINK_NOFOLLOW);
          entry_mtime (entry, times);
          utimensat (parent, base, times, AT_SYMLINK_NOFOLLOW);
          ok = TRUE;
        }
    }
  else /* FIFO */
    {
      if (mkfifoat (parent, base, 0600) != 0)
        ok = errno == EEXIST ? exists_error (u, parent, base, name, error)
                             : set_unpack_errno (error, u, errno, name);
      else
        {
          if (u->is_root)
            fchownat (parent, base, archive_entry_uid (entry), archive_entry_gid (entry),
                      AT_SYMLINK_NOFOLLOW);
          /* Just created by mknod: a FIFO, not a symlink, so fchmodat's
           * following cannot lead elsewhere. */
          fchmodat (parent, base, archive_entry_perm (entry) & 0777, 0);
          entry_mtime (entry, times);
          utimensat (parent, base, times, AT_SYMLINK_NOFOLLOW);
          ok = TRUE;
        }
    }

  close (parent);
  return ok;
}

/* Modes, owners and times of folders are applied last, deepest first, so
 * that read-only folders can be filled and their mtimes are not disturbed
 * by their own contents. */
static gboolean
fix_dirs (Unpack  *u,
          GError **error)
{
  for (guint i = u->dirs->len; i > 0; i--)
    {
      DirFix *d = g_ptr_array_index (u->dirs, i - 1);
      struct timespec times[2] = { d->mtime, d->mtime };
      int parent = open_parent (u, d->path, d->path, FALSE, error);
      int fd;

      if (parent < 0)
        return FALSE;
      fd = openat (parent, base_name (d->path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (parent);
      if (fd < 0)
        return set_unpack_errno (error, u, errno, d->path);
      if ((u->is_root && fchown (fd, d->uid, d->gid) != 0) ||
          fchmod (fd, d->mode) != 0 ||
          futimens (fd, times) != 0)
        {
          int saved = errno;

          close (fd);
          return set_unpack_errno (error, u, saved, d->path);
        }
      close (fd);
    }
  return TRUE;
}

/* Reads what libarchive left unread (the tar end padding) into the
 * checksum and compares size and SHA-256. */
static gboolean
finish_checksum (Unpack      *u,
                 guint64      expected_size,
                 const char  *expected_sha256,
                 GError     **error)
{
  const char *actual;

  for (;;)
    {
      ssize_t n = read (u->io.fd, u->io.buffer, BUFFER_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, u->archive_path, _("Reading"));
          return FALSE;
        }
      if (n == 0)
        break;
      g_checksum_update (u->io.checksum, u->io.buffer, n);
      u->io.size += (guint64) n;
    }
  actual = g_checksum_get_string (u->io.checksum);
  if (u->io.size != expected_size)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM,
                   _("The checkpoint archive “%s” has the wrong size "
                     "(expected %" G_GUINT64_FORMAT " bytes, found %" G_GUINT64_FORMAT "). "
                     "It is incomplete or damaged: delete it or restore from an exported copy."),
                   u->archive_path, expected_size, u->io.size);
      return FALSE;
    }
  if (g_ascii_strcasecmp (actual, expected_sha256) != 0)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM,
                   _("The checkpoint archive “%s” is damaged: its SHA-256 is %s, "
                     "expected %s. Delete it or restore from an exported copy."),
                   u->archive_path, actual, expected_sha256);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_archive_unpack (const char      *archive_path,
                   const char      *dest_dir,
                   SpProgressFunc   progress,
                   gpointer         progress_data,
                   GCancellable    *cancellable,
                   GError         **error)
{
  return sp_archive_unpack_verified (archive_path, 0, NULL, dest_dir,
                                     progress, progress_data, cancellable, error);
}

gboolean
sp_archive_unpack_verified (const char      *archive_path,
                            guint64          expected_size,
                            const char      *expected_sha256,
                            const char      *dest_dir,
                            SpProgressFunc   progress,
                            gpointer         progress_data,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (dir_fix_free);
  g_autofree char *tmp = NULL;
  struct archive_entry *entry = NULL;
  struct statvfs sv;
  struct stat st;
  Unpack u = { 0 };
  mode_t root_mode = 0755;
  gboolean dest_exists = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (dest_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (lstat (dest_dir, &st) == 0)
    {
      g_autoptr(GError) local = NULL;

      if (!S_ISDIR (st.st_mode) || !sp_is_dir_empty (dest_dir, &local))
        {
          g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NOT_EMPTY,
                       _("Cannot unpack into “%s”: it is not an empty folder. "
                         "Choose an empty or new folder."), dest_dir);
          return FALSE;
        }
      dest_exists = TRUE;
      root_mode = st.st_mode & 07777;
    }
  else if (errno != ENOENT)
    {
      set_errno_error (error, errno, dest_dir, _("Checking"));
      return FALSE;
    }

  u.archive_path = archive_path;
  u.dest_dir = dest_dir;
  u.io.fd = -1;
  u.root_fd = -1;
  u.cached_fd = -1;
  u.dirs = dirs;
  u.is_root = geteuid () == 0;
  u.cancellable = cancellable;
  u.progress = progress;
  u.progress_data = progress_data;

  if (expected_sha256 != NULL)
    u.io.checksum = g_checksum_new (G_CHECKSUM_SHA256);
  u.a = open_reader (archive_path, &u.io, error);
  if (u.a == NULL)
    goto out;
  if (fstat (u.io.fd, &st) == 0)
    u.archive_size = (guint64) st.st_size;

  tmp = g_strdup_printf ("%s.partial-XXXXXX", dest_dir);
  if (g_mkdtemp_full (tmp, 0700) == NULL)
    {
      set_errno_error (error, errno, dest_dir, _("Creating a temporary folder beside"));
      g_clear_pointer (&tmp, g_free);
      goto out;
    }
  u.root_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (u.root_fd < 0 || fstatvfs (u.root_fd, &sv) != 0)
    {
      set_errno_error (error, errno, tmp, _("Opening"));
      goto out;
    }
  u.free_at_start = (guint64) sv.f_bavail * (guint64) sv.f_frsize;

  if (!read_metadata_header (u.a, &u.io, archive_path, &entry, error))
    goto out;

  for (;;)
    {
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      r = archive_read_next_header (u.a, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          set_read_error (error, u.a, &u.io, archive_path);
          goto out;
        }
      if (!unpack_entry (&u, entry, error))
        goto out;
      if (progress != NULL)
        progress (u.io.size, u.archive_size, progress_data);
    }

  if (expected_sha256 != NULL &&
      !finish_checksum (&u, expected_size, expected_sha256, error))
    goto out;
  if (!fix_dirs (&u, error))
    goto out;
  if (fchmod (u.root_fd, root_mode) != 0 || syncfs (u.root_fd) != 0)
    {
      set_unpack_errno (error, &u, errno, dest_dir);
      goto out;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  if (dest_exists && rmdir (dest_dir) != 0)
    {
      if (errno == ENOTEMPTY || errno == EEXIST)
        g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NOT_EMPTY,
                     _("Cannot unpack into “%s”: it is not an empty folder. "
                       "Choose an empty or new folder."), dest_dir);
      else
        set_errno_error (error, errno, dest_dir, _("Replacing"));
      goto out;
    }
  if (rename (tmp, dest_dir) != 0)
    {
      int saved = errno;

      /* Put the empty folder back so the caller finds what it left. */
      if (dest_exists && mkdir (dest_dir, root_mode) == 0)
        chmod (dest_dir, root_mode);
      set_errno_error (error, saved, dest_dir, _("Moving the unpacked files to"));
      goto out;
    }
  {
    g_autofree char *parent = g_path_get_dirname (dest_dir);

    /* The files are on disk (syncfs above); this makes the rename durable.
     * A failure here cannot be undone any more and is not fatal. */
    sp_fsync_directory (parent, NULL);
  }
  g_clear_pointer (&tmp, g_free);
  ok = TRUE;

out:
  if (u.a != NULL)
    archive_read_free (u.a);
  archive_io_clear (&u.io);
  if (u.cached_fd >= 0)
    close (u.cached_fd);
  g_free (u.cached_parent);
  if (u.root_fd >= 0)
    close (u.root_fd);
  if (tmp != NULL)
    sp_remove_tree (tmp, NULL, NULL);
  return ok;
}

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
      set_errno_error (error, errno, dir, _("Reading folder"));
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gsize plen = strlen (partial);
      g_autofree char *full = NULL;

      if (strncmp (name, partial, plen) != 0)
        continue;
      if (name[plen] != '\0' && !(name[plen] == '-' && strlen (name + plen + 1) == 6))
        continue;
      full = g_build_filename (dir, name, NULL);
      if (!sp_remove_tree (full, cancellable, error))
        return FALSE;
    }
  return TRUE;
}
