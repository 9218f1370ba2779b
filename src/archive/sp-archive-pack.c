/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-archive-private.h"
#include "core/sp-leftovers.h"
#include "common/sp-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Packing an overlay upper dir into a checkpoint archive; see the format
 * notes in sp-archive.c. */

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
  const char         *upper_dir;
  GPtrArray          *entries;
  GHashTable         *inodes;     /* "dev:ino" -> archive name of first link */
  guint64             total;
  GCancellable       *cancellable;
  const char * const *exclude;
  SpPackExcludeFlags  exclude_flags;
  guint64             excluded_files;
  guint64             excluded_bytes;
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

gboolean
sp_archive_path_is_excluded (const char * const *patterns,
                             SpPackExcludeFlags  flags,
                             const char         *rel_path)
{
  int fnm_flags = FNM_PATHNAME | ((flags & SP_PACK_EXCLUDE_CASEFOLD) ? FNM_CASEFOLD : 0);
  const char *name = strrchr (rel_path, '/');

  name = name != NULL ? name + 1 : rel_path;
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    {
      const char *subject = strchr (patterns[i], '/') != NULL ? rel_path : name;

      if (fnmatch (patterns[i], subject, fnm_flags) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Walks the folder @rel of the upper dir (open as @dir_fd) into
 * w->entries. In a folder left out by the exclusions (@excluded), only
 * whiteouts and opaque markers are kept, with the folders that hold them:
 * a deletion always reaches the checkpoint; everything else is counted as
 * left out. */
static gboolean
pack_walk_dir (PackWalk    *w,
               int          dir_fd,
               const char  *rel,
               gboolean     excluded,
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

  opaque = xattr_is_y (dir_fd, SP_UPPER_OPAQUE_XATTR) || xattr_is_y (dir_fd, SP_UPPER_TRUSTED_OPAQUE);

  fd = dup (dir_fd);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      g_autofree char *path = g_build_filename (w->upper_dir, rel, NULL);
      int saved = errno;

      if (fd >= 0)
        close (fd);
      _sp_archive_set_errno_error (error, saved, path, _("Reading folder"));
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

          _sp_archive_set_errno_error (error, errno, path, _("Reading"));
          closedir (dir);
          return FALSE;
        }
      errno = 0;
    }
  if (errno != 0)
    {
      g_autofree char *path = g_build_filename (w->upper_dir, rel, NULL);

      _sp_archive_set_errno_error (error, errno, path, _("Reading folder"));
      closedir (dir);
      return FALSE;
    }
  closedir (dir);

  /* Names as they go into the archive; a whiteout device "x" becomes ".wh.x". */
  for (guint i = 0; i < children->len; i++)
    {
      Child *c = g_ptr_array_index (children, i);

      if (is_whiteout_device (&c->st))
        c->arch_name = g_strconcat (SP_UPPER_WHITEOUT_PREFIX, c->disk_name, NULL);
      else
        c->arch_name = g_strdup (c->disk_name);
      if (!is_whiteout_device (&c->st))
        g_hash_table_add (names, c->disk_name);
      if (strcmp (c->disk_name, SP_UPPER_OPAQUE_MARKER) == 0)
        opaque = TRUE;
    }
  g_ptr_array_sort (children, child_compare);

  if (opaque)
    {
      PackEntry *e = g_new0 (PackEntry, 1);

      e->kind = PACK_OPAQUE;
      e->name = join_rel (rel, SP_UPPER_OPAQUE_MARKER);
      if (fstat (dir_fd, &e->st) != 0)
        memset (&e->st, 0, sizeof e->st);
      g_ptr_array_add (w->entries, e);
    }

  for (guint i = 0; i < children->len; i++)
    {
      Child *c = g_ptr_array_index (children, i);
      g_autofree char *disk_rel = join_rel (rel, c->disk_name);
      gboolean child_excluded;
      PackEntry *e;

      if (strcmp (c->disk_name, SP_UPPER_OPAQUE_MARKER) == 0)
        continue;

      /* A whiteout for a name that also exists here (or a device whiteout
       * and a ".wh." file for the same name) is written once, or not at
       * all when the real entry exists. */
      if (g_str_has_prefix (c->arch_name, SP_UPPER_WHITEOUT_PREFIX) &&
          (is_whiteout_device (&c->st) || S_ISREG (c->st.st_mode)))
        {
          const char *target = c->arch_name + strlen (SP_UPPER_WHITEOUT_PREFIX);

          if (target[0] == '\0' || g_str_has_prefix (target, SP_UPPER_WHITEOUT_PREFIX) ||
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
      if (is_whiteout_device (&c->st) || g_str_has_prefix (c->disk_name, SP_UPPER_WHITEOUT_PREFIX))
        {
          g_debug ("Skipping hidden overlay entry “%s/%s”", w->upper_dir, disk_rel);
          continue;
        }

      /* Left out by the player's exclusions (a socket in a cache folder
       * included: it does not stop the keep). A folder is still walked for
       * its whiteouts. */
      child_excluded = excluded ||
                       (w->exclude != NULL &&
                        sp_archive_path_is_excluded (w->exclude, w->exclude_flags, disk_rel));
      if (child_excluded && !S_ISDIR (c->st.st_mode))
        {
          w->excluded_files++;
          if (S_ISREG (c->st.st_mode))
            w->excluded_bytes += (guint64) c->st.st_size;
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

              _sp_archive_set_errno_error (error, errno, path, _("Opening folder"));
              return FALSE;
            }
          if (!pack_walk_dir (w, sub, disk_rel, child_excluded, error))
            {
              close (sub);
              return FALSE;
            }
          close (sub);
          /* A left-out folder with no whiteout in it goes entirely. */
          if (child_excluded && g_ptr_array_index (w->entries, w->entries->len - 1) == e)
            {
              g_ptr_array_remove_index (w->entries, w->entries->len - 1);
              w->excluded_files++;
            }
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
              g_autofree char *key = g_strdup_printf ("%" PRIu64 ":%" PRIu64,
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
add_xattr_cb (const char *name,
              const void *value,
              size_t      size,
              void       *user_data)
{
  archive_entry_xattr_add_entry (user_data, name, value, size);
  return 0;
}

/* Copies the xattrs a checkpoint keeps of @fd into @entry, in a stable
 * order. */
static gboolean
pack_xattrs (int                    fd,
             struct archive_entry  *entry,
             const char            *path,
             GError               **error)
{
  int err = sp_xattr_foreach (fd, NULL, SP_XATTR_SORTED, _sp_archive_xattr_is_kept,
                              add_xattr_cb, entry);

  if (err < 0)
    {
      _sp_archive_set_errno_error (error, -err, path, _("Reading attributes of"));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  struct archive *a;
  SpArchiveIo    *io;
  const char     *dest_path;
  const char     *partial;
} PackWriter;

static gboolean
set_write_error (GError     **error,
                 PackWriter  *pw)
{
  if (pw->io->io_errno != 0)
    _sp_archive_set_errno_error (error, pw->io->io_errno, pw->partial, _("Writing"));
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

/* The permission bits an entry is saved with: never setuid or setgid (a
 * game may set them, and copy-up keeps a setgid folder of the clean
 * install; a checkpoint must not carry privilege, and unpacking clears them
 * anyway). The sticky bit is kept on folders, where it only restricts who
 * may remove entries; on files Linux ignores it. The same bits unpacking
 * restores (sp-archive-rules.c). */
static mode_t
entry_perm (const PackEntry *e)
{
  return e->st.st_mode & (e->kind == PACK_DIR ? 01777 : 0777);
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
  /* Owner 0/0 and no names: uids are the host's, not the game's, and
   * unpacking gives every file to whoever unpacks (design.md). */
  archive_entry_set_uid (entry, 0);
  archive_entry_set_gid (entry, 0);

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
      archive_entry_set_perm (entry, entry_perm (e));
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
              _sp_archive_set_errno_error (error, errno, path, _("Reading link"));
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
      archive_entry_set_perm (entry, entry_perm (e));
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
      _sp_archive_set_errno_error (error, errno, path, _("Opening"));
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
  archive_entry_set_perm (entry, entry_perm (e));
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
      ssize_t n = sp_read_full (fd, buffer, MIN (left, BUFFER_SIZE));

      if (n < 0)
        {
          _sp_archive_set_errno_error (error, errno, path, _("Reading"));
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
  return sp_archive_pack_excluding (upper_dir, metadata, dest_path, compression_level, NULL,
                                    SP_PACK_EXCLUDE_NONE, progress, progress_data, cancellable,
                                    out_stats, error);
}

gboolean
sp_archive_pack_excluding (const char         *upper_dir,
                           const char         *metadata,
                           const char         *dest_path,
                           int                 compression_level,
                           const char * const *exclude,
                           SpPackExcludeFlags  exclude_flags,
                           SpProgressFunc      progress,
                           gpointer            progress_data,
                           GCancellable       *cancellable,
                           SpArchiveStats     *out_stats,
                           GError            **error)
{
  g_auto(SpArchiveLocale) locale = _sp_archive_locale_enter ();
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (pack_entry_free);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *partial = NULL;
  g_autofree guchar *buffer = NULL;
  g_autofree char *level = NULL;
  PackWalk w = { 0 };
  SpArchiveIo io = { .fd = -1 };
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
      _sp_archive_set_errno_error (error, errno, upper_dir, _("Opening folder"));
      return FALSE;
    }

  /* First walk: the sorted list of entries and the total content size. */
  w.upper_dir = upper_dir;
  w.entries = entries;
  w.inodes = inodes;
  w.cancellable = cancellable;
  w.exclude = exclude;
  w.exclude_flags = exclude_flags;
  if (!pack_walk_dir (&w, root_fd, "", FALSE, error))
    {
      close (root_fd);
      return FALSE;
    }

  /* Owner in the name, and a marker beside it before it exists, so that a
   * later start can tell a dead writer's file from a live one's. */
  partial = sp_leftover_file_path (dest_path);
  if (!sp_leftover_write_marker (partial, FALSE, SP_LEFTOVER_KIND_ARCHIVE, NULL, error))
    {
      close (root_fd);
      return FALSE;
    }
  io.fd = open (partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
  if (io.fd < 0)
    {
      _sp_archive_set_errno_error (error, errno, partial, _("Creating"));
      sp_leftover_remove_marker (partial, FALSE);
      close (root_fd);
      return FALSE;
    }
  io.checksum = sp_sha256_new ();

  a = archive_write_new ();
  pw.a = a;
  pw.io = &io;
  pw.dest_path = dest_path;
  pw.partial = partial;
  level = g_strdup_printf ("%d", compression_level > 0 ? compression_level
                                                      : sp_archive_get_default_compression_level ());
  if (archive_write_set_format_pax (a) != ARCHIVE_OK ||
      archive_write_add_filter_zstd (a) != ARCHIVE_OK ||
      archive_write_set_filter_option (a, "zstd", "compression-level", level) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block (a, 64 * 1024) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block (a, 1) != ARCHIVE_OK ||
      archive_write_open (a, &io, NULL, _sp_archive_io_write_cb, NULL) != ARCHIVE_OK)
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
      _sp_archive_set_errno_error (error, errno, partial, _("Writing"));
      goto out;
    }
  if (close (io.fd) != 0)
    {
      io.fd = -1;
      _sp_archive_set_errno_error (error, errno, partial, _("Writing"));
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
      g_strlcpy (out_stats->sha256, sp_sha256_get_string (io.checksum), sizeof out_stats->sha256);
      out_stats->excluded_files = w.excluded_files;
      out_stats->excluded_bytes = w.excluded_bytes;
    }
  ok = TRUE;

out:
  /* Not archive_write_fail(): libarchive 3.6 then leaks the zstd filter's
   * buffers. Closing flushes into the partial file, which goes anyway. */
  if (a != NULL)
    archive_write_free (a);
  _sp_archive_io_clear (&io);
  close (root_fd);
  if (!ok)
    g_unlink (partial);
  sp_leftover_remove_marker (partial, FALSE);
  return ok;
}
