/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <dirent.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

G_DEFINE_QUARK (sp-io-error-quark, sp_io_error)

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  sp_set_io_error (error, saved_errno, _("%s “%s” failed"), what, path);
}

static void G_GNUC_PRINTF (7, 0)
set_io_error_valist (GError     **error,
                     GQuark       domain,
                     int          code,
                     GQuark       no_space_domain,
                     int          no_space_code,
                     int          saved_errno,
                     const char  *format,
                     va_list      args)
{
  g_autofree char *what = g_strdup_vprintf (format, args);

  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, no_space_domain, no_space_code,
                 _("%s: the disk is full. Free some space and try again."), what);
  else
    g_set_error (error, domain, code, "%s: %s", what, g_strerror (saved_errno));
}

/**
 * sp_set_io_error:
 * @format: what failed, e.g. _("Cannot write “%s”"), for printf
 *
 * Sets @error for @saved_errno: a full disk (ENOSPC, EDQUOT) is
 * SP_IO_ERROR_NO_SPACE, “<what>: the disk is full. Free some space and try
 * again.”; any other errno is its G_IO_ERROR code, “<what>: <strerror>”.
 * This and sp_set_io_error_in() are the one place that words a full disk.
 *
 * Returns: %FALSE, for callers to return
 */
gboolean
sp_set_io_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  set_io_error_valist (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), SP_IO_ERROR,
                       SP_IO_ERROR_NO_SPACE, saved_errno, format, args);
  va_end (args);
  return FALSE;
}

/**
 * sp_set_io_error_in:
 * @domain: the error domain of the caller (e.g. SP_ARCHIVE_ERROR)
 * @code: the code in @domain for any errno but a full disk
 * @no_space_code: the code in @domain for a full disk
 *
 * sp_set_io_error() with the codes of another domain; the messages are the
 * same.
 *
 * Returns: %FALSE
 */
gboolean
sp_set_io_error_in (GError     **error,
                    GQuark       domain,
                    int          code,
                    int          no_space_code,
                    int          saved_errno,
                    const char  *format,
                    ...)
{
  va_list args;

  va_start (args, format);
  set_io_error_valist (error, domain, code, domain, no_space_code, saved_errno, format, args);
  va_end (args);
  return FALSE;
}

/**
 * sp_write_all:
 *
 * Writes all @length bytes of @data to @fd, retrying after EINTR and short
 * writes. Returns %FALSE with errno set on error.
 */
gboolean
sp_write_all (int          fd,
              const void  *data,
              gsize        length)
{
  return sp_pwrite_all (fd, data, length, -1);
}

/**
 * sp_pwrite_all:
 * @offset: where to write (pwrite(2)); -1 writes at the file position
 *
 * Like sp_write_all(), at @offset.
 */
gboolean
sp_pwrite_all (int          fd,
               const void  *data,
               gsize        length,
               goffset      offset)
{
  const char *p = data;
  gsize done = 0;

  while (done < length)
    {
      ssize_t n;

      if (offset < 0)
        n = write (fd, p + done, length - done);
      else
        n = pwrite (fd, p + done, length - done, offset + (goffset) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          errno = EIO;
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/**
 * sp_read_full:
 *
 * Reads from @fd into @buffer until @length bytes are read or the end of
 * the file, retrying after EINTR and short reads. Returns the number of
 * bytes read (less than @length only at the end of the file), or -1 with
 * errno set.
 */
gssize
sp_read_full (int    fd,
              void  *buffer,
              gsize  length)
{
  char *p = buffer;
  gsize done = 0;

  g_return_val_if_fail (length <= G_MAXSSIZE, -1);

  while (done < length)
    {
      ssize_t n = read (fd, p + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
}

/**
 * sp_write_file_atomic:
 *
 * Writes @contents to a temporary file beside @path, fsyncs it, renames it
 * over @path and fsyncs the directory, so that a crash leaves either the old
 * or the new file, never a mix.
 */
gboolean
sp_write_file_atomic (const char  *path,
                      const char  *contents,
                      gssize       length,
                      GError     **error)
{
  g_autofree char *tmp = NULL;
  int fd;
  size_t len;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  len = length < 0 ? strlen (contents) : (size_t) length;
  tmp = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      set_errno_error (error, errno, _("Creating"), tmp);
      return FALSE;
    }

  if (!sp_write_all (fd, contents, len))
    {
      int saved = errno;
      close (fd);
      g_unlink (tmp);
      set_errno_error (error, saved, _("Writing"), path);
      return FALSE;
    }

  if (fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      g_unlink (tmp);
      set_errno_error (error, saved, _("Writing"), path);
      return FALSE;
    }
  if (close (fd) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      set_errno_error (error, saved, _("Writing"), path);
      return FALSE;
    }

  if (!sp_rename_durable (tmp, path, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_fsync_directory (const char  *path,
                    GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      set_errno_error (error, errno, _("Opening folder"), path);
      return FALSE;
    }
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int saved = errno;
      close (fd);
      set_errno_error (error, saved, _("Syncing folder"), path);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* rename(2) then fsync of the target's directory, so the rename survives a
 * power loss or a drive pulled right after we report success. */
gboolean
sp_rename_durable (const char  *from,
                   const char  *to,
                   GError     **error)
{
  g_autofree char *dir = NULL;

  if (rename (from, to) != 0)
    {
      set_errno_error (error, errno, _("Renaming to"), to);
      return FALSE;
    }
  dir = g_path_get_dirname (to);
  return sp_fsync_directory (dir, error);
}

/* ------------------------------------------------------------------------ */
/* Renaming without replacing */

static gboolean
errno_refuses_flag (int err)
{
  /* EINVAL: FUSE file systems (exfat-fuse, ntfs-3g) and older kernels' file
   * systems that do not know the flag; ENOSYS/EOPNOTSUPP: no renameat2 at
   * all (some seccomp filters, old kernels). */
  return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP || err == ENOTSUP;
}

static gboolean
errno_no_hard_links (int err)
{
  /* exFAT and FAT have no hard links: FUSE gives ENOSYS or EPERM. */
  return err == EPERM || err == ENOSYS || err == EOPNOTSUPP || err == ENOTSUP || err == EMLINK;
}

/* Takes the name @to for a folder: an empty folder of ours there, made with
 * mkdir(2), which fails when anything has that name. rename(2) of a folder
 * replaces an empty folder atomically and fails (ENOTEMPTY, EEXIST) on one
 * with anything in it, so nothing another program puts there meanwhile can
 * be lost: a folder it fills stays, a file or symbolic link in its place
 * makes the rename fail (ENOTDIR), and only an empty folder (nothing to
 * lose) can be replaced. */
static int
rename_dir_over_placeholder (const char   *from,
                             const char   *to,
                             SpRenameHook  between,
                             gpointer      user_data)
{
  int saved;

  if (mkdir (to, 0700) != 0)
    return -1;
  if (between != NULL)
    between (to, user_data);
  if (rename (from, to) == 0)
    return 0;
  saved = errno;
  /* Removes only our placeholder: rmdir(2) keeps a folder with anything in
   * it, and never removes a file. */
  rmdir (to);
  errno = (saved == ENOTEMPTY || saved == ENOTDIR || saved == EISDIR) ? EEXIST : saved;
  return -1;
}

/* The same for a file where the file system has no hard links (exFAT):
 * an empty file created with O_EXCL takes the name, and the file is renamed
 * over it. A file rename replaces whatever file has the name, so this one
 * cannot be made safe by rename(2) alone: right before it, the name must
 * still be our empty file (same inode, size 0). Another program could only
 * slip its file in between that check and the rename by deleting a file it
 * did not create, within microseconds; a file or folder that was there
 * before, or is made in its place without deleting ours, is never touched. */
static int
rename_file_over_placeholder (const char   *from,
                              const char   *to,
                              SpRenameHook  between,
                              gpointer      user_data)
{
  struct stat ours, now;
  int fd, saved;

  fd = open (to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return -1;
  if (fstat (fd, &ours) != 0)
    {
      saved = errno;
      close (fd);
      unlink (to);
      errno = saved;
      return -1;
    }
  close (fd);
  if (between != NULL)
    between (to, user_data);
  if (lstat (to, &now) != 0 || !S_ISREG (now.st_mode) || now.st_size != 0 ||
      now.st_dev != ours.st_dev || now.st_ino != ours.st_ino)
    {
      /* Not ours any more: leave it alone. */
      errno = EEXIST;
      return -1;
    }
  if (rename (from, to) == 0)
    return 0;
  saved = errno;
  if (lstat (to, &now) == 0 && now.st_ino == ours.st_ino && now.st_size == 0)
    unlink (to);
  errno = saved;
  return -1;
}

int
_sp_rename_noreplace_fallback (const char   *from,
                               const char   *to,
                               gboolean      use_link,
                               SpRenameHook  between,
                               gpointer      user_data)
{
  struct stat st;

  g_return_val_if_fail (from != NULL && to != NULL, -1);

  if (lstat (from, &st) != 0)
    return -1;
  if (S_ISDIR (st.st_mode))
    return rename_dir_over_placeholder (from, to, between, user_data);

  /* A file: link(2) fails with EEXIST when the name is taken, atomically,
   * as RENAME_NOREPLACE would (ntfs-3g has hard links). */
  if (use_link)
    {
      if (link (from, to) == 0)
        {
          if (unlink (from) != 0)
            g_debug ("Renamed %s to %s, but the old name stays: %s", from, to,
                     g_strerror (errno));
          return 0;
        }
      if (!errno_no_hard_links (errno))
        return -1;
    }
  return rename_file_over_placeholder (from, to, between, user_data);
}

int
sp_rename_noreplace (const char *from,
                     const char *to)
{
  g_return_val_if_fail (from != NULL && to != NULL, -1);

  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (!errno_refuses_flag (errno))
    return -1;
  g_debug ("RENAME_NOREPLACE refused for %s (%s): checked plain rename", to,
           g_strerror (errno));
  return _sp_rename_noreplace_fallback (from, to, TRUE, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Removing trees by descriptor */

/* TRUE if @fd (a directory) is the root of a mount: a bind mount of the
 * same file system has the same st_dev, so st_dev alone does not tell. */
static gboolean
fd_is_mount_root (int          fd,
                  const struct stat *st,
                  const struct stat *parent_st)
{
  struct statx stx;

  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
      (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  return parent_st != NULL && st->st_dev != parent_st->st_dev;
}

static gboolean
set_mount_error (GError     **error,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("Not removing “%s”: something is mounted there (another file system or a "
                 "bind mount). Unmount it first (fusermount3 -u or umount), then try again."),
               path);
  return FALSE;
}

/* Opens the directory @name of @parent_fd for removal, without following a
 * symlink, opening it up (u+rwx) when its mode keeps us out. Checks that it
 * is the directory @expected describes and that it is no mount point. */
static int
open_dir_for_removal (int                parent_fd,
                      const char        *name,
                      const struct stat *expected,
                      const struct stat *parent_st,
                      const char        *display,
                      GError           **error)
{
  struct stat st;
  int fd;

  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 && errno == EACCES)
    {
      int path_fd = openat (parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (path_fd >= 0)
        {
          g_autofree char *proc = g_strdup_printf ("/proc/self/fd/%d", path_fd);

          if (fstat (path_fd, &st) == 0 && st.st_dev == expected->st_dev &&
              st.st_ino == expected->st_ino)
            chmod (proc, (st.st_mode & 07777) | S_IRWXU);
          fd = openat (path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          close (path_fd);
        }
    }
  if (fd < 0)
    {
      set_errno_error (error, errno, _("Removing"), display);
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, _("Removing"), display);
      close (fd);
      return -1;
    }
  if (st.st_dev != expected->st_dev || st.st_ino != expected->st_ino)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Not removing “%s”: it changed while it was being removed. Try again."),
                   display);
      close (fd);
      return -1;
    }
  if (fd_is_mount_root (fd, &st, parent_st))
    {
      set_mount_error (error, display);
      close (fd);
      return -1;
    }
  if ((st.st_mode & S_IRWXU) != S_IRWXU)
    fchmod (fd, (st.st_mode & 07777) | S_IRWXU);
  return fd;
}

/* One walk for removing and for measuring a tree, by descriptor, never
 * following a symlink or entering a mount point. With @removing, every
 * entry is removed after its contents (an error stops the walk); otherwise
 * the sizes of regular files are added to @bytes, and what cannot be read
 * is left out. */
static gboolean
walk_dir (int                dir_fd,
          const struct stat *dir_st,
          const char        *display,
          gboolean           removing,
          guint64           *bytes,
          GCancellable      *cancellable,
          GError           **error)
{
  DIR *dir;
  struct dirent *de;
  int list_fd;
  gboolean ok = TRUE;

  list_fd = dup (dir_fd);
  if (list_fd < 0 || (dir = fdopendir (list_fd)) == NULL)
    {
      set_errno_error (error, errno, _("Reading folder"), display);
      if (list_fd >= 0)
        close (list_fd);
      return FALSE;
    }

  while (ok && (errno = 0, de = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      child = g_build_filename (display, de->d_name, NULL);
      if (fstatat (dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          if (errno == ENOENT || !removing)
            continue;
          set_errno_error (error, errno, _("Removing"), child);
          ok = FALSE;
          break;
        }
      if (bytes != NULL && S_ISREG (st.st_mode))
        *bytes += (guint64) st.st_size;
      if (S_ISDIR (st.st_mode))
        {
          int child_fd;

          if (st.st_dev != dir_st->st_dev)
            {
              ok = set_mount_error (error, child);
              break;
            }
          if (removing)
            child_fd = open_dir_for_removal (dir_fd, de->d_name, &st, dir_st, child, error);
          else
            {
              child_fd = openat (dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
              if (child_fd < 0)
                continue;   /* unreadable: its size is unknown, it cannot hold a mount we could enter */
              if (fd_is_mount_root (child_fd, &st, dir_st))
                {
                  close (child_fd);
                  ok = set_mount_error (error, child);
                  break;
                }
            }
          if (child_fd < 0)
            {
              ok = FALSE;
              break;
            }
          ok = walk_dir (child_fd, &st, child, removing, bytes, cancellable, error);
          close (child_fd);
          if (ok && removing && unlinkat (dir_fd, de->d_name, AT_REMOVEDIR) != 0 && errno != ENOENT)
            {
              set_errno_error (error, errno, _("Removing"), child);
              ok = FALSE;
            }
        }
      else if (removing && unlinkat (dir_fd, de->d_name, 0) != 0 && errno != ENOENT)
        {
          set_errno_error (error, errno, _("Removing"), child);
          ok = FALSE;
        }
    }
  if (ok && removing && errno != 0)
    {
      set_errno_error (error, errno, _("Reading folder"), display);
      ok = FALSE;
    }
  closedir (dir);
  return ok;
}

/**
 * sp_remove_tree_at:
 * @parent_fd: an open directory
 * @name: one entry of it (no “/”, not “.” or “..”)
 * @display: the path to name in messages
 *
 * Removes @name in @parent_fd and everything below it, by descriptor:
 * symlinks are removed, never followed, and a mount point anywhere in the
 * tree (also @name itself) stops the removal with an error instead of
 * deleting another file system's files. A missing @name is success.
 */
gboolean
sp_remove_tree_at (int            parent_fd,
                   const char    *name,
                   const char    *display,
                   GCancellable  *cancellable,
                   GError       **error)
{
  struct stat st, parent_st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (name != NULL, FALSE);

  if (display == NULL)
    display = name;
  if (!sp_path_component_is_valid (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("Not removing “%s”: “%s” is not a single folder name."), display, name);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_errno_error (error, errno, _("Removing"), display);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent_fd, name, 0) != 0 && errno != ENOENT)
        {
          set_errno_error (error, errno, _("Removing"), display);
          return FALSE;
        }
      return TRUE;
    }
  if (fstat (parent_fd, &parent_st) != 0)
    {
      set_errno_error (error, errno, _("Removing"), display);
      return FALSE;
    }
  if (st.st_dev != parent_st.st_dev)
    return set_mount_error (error, display);
  fd = open_dir_for_removal (parent_fd, name, &st, &parent_st, display, error);
  if (fd < 0)
    return FALSE;
  ok = walk_dir (fd, &st, display, TRUE, NULL, cancellable, error);
  close (fd);
  if (ok && unlinkat (parent_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    {
      set_errno_error (error, errno, _("Removing"), display);
      ok = FALSE;
    }
  return ok;
}

/**
 * sp_remove_tree:
 *
 * Removes @path and everything below it with sp_remove_tree_at() on its
 * parent folder: without following symlinks or crossing into other file
 * systems or bind mounts (a mount point inside is an error, not a way to
 * delete someone else's files). A missing @path is success.
 */
gboolean
sp_remove_tree (const char    *path,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  gboolean ok;
  int parent_fd;

  g_return_val_if_fail (path != NULL, FALSE);

  parent = g_path_get_dirname (path);
  name = g_path_get_basename (path);
  parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_errno_error (error, errno, _("Removing"), path);
      return FALSE;
    }
  ok = sp_remove_tree_at (parent_fd, name, path, cancellable, error);
  close (parent_fd);
  return ok;
}

/**
 * sp_list_dir_names:
 *
 * The names in the open folder @dir_fd (but "." and ".."), read at once,
 * from its start, so that what the caller then changes in it does not
 * change the list. NULL with an error naming @display when it cannot be
 * read.
 */
GPtrArray *
sp_list_dir_names (int          dir_fd,
                   const char  *display,
                   GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int fd = dup (dir_fd);
  struct dirent *entry;
  DIR *dir;
  int saved;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      set_errno_error (error, saved, _("Reading folder"), display);
      return NULL;
    }
  /* (A duplicate shares the position of @dir_fd, which may have been read.) */
  rewinddir (dir);
  while ((errno = 0, entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (entry->d_name));
  saved = errno;
  closedir (dir);
  if (saved != 0)
    {
      set_errno_error (error, saved, _("Reading folder"), display);
      return NULL;
    }
  return g_steal_pointer (&names);
}

/**
 * sp_measure_tree_at:
 *
 * Adds up the sizes of the regular files in the folder @name of @parent_fd,
 * by descriptor and without following symlinks, and fails (with the error
 * sp_remove_tree_at() gives) when a mount point lies anywhere in it: a
 * folder that is to be moved and removed later must not carry another file
 * system along.
 */
gboolean
sp_measure_tree_at (int            parent_fd,
                    const char    *name,
                    const char    *display,
                    guint64       *out_bytes,
                    GCancellable  *cancellable,
                    GError       **error)
{
  struct stat st, parent_st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (sp_path_component_is_valid (name), FALSE);

  *out_bytes = 0;
  if (display == NULL)
    display = name;
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, _("Reading folder"), display);
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || fstat (parent_fd, &parent_st) != 0)
    {
      set_errno_error (error, errno, _("Reading folder"), display);
      close (fd);
      return FALSE;
    }
  if (fd_is_mount_root (fd, &st, &parent_st))
    ok = set_mount_error (error, display);
  else
    ok = walk_dir (fd, &st, display, FALSE, out_bytes, cancellable, error);
  close (fd);
  return ok;
}

/**
 * sp_remove_empty_dir:
 *
 * Removes @path if it is an empty folder that is not a mount point and not
 * a symlink. Anything else is left alone and reported.
 */
gboolean
sp_remove_empty_dir (const char  *path,
                     GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  struct stat st, parent_st;
  gboolean ok = FALSE;
  int parent_fd, fd;

  parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    return errno == ENOENT ? TRUE : (set_errno_error (error, errno, _("Removing"), path), FALSE);
  if (fstat (parent_fd, &parent_st) != 0 ||
      fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      int saved = errno;

      close (parent_fd);
      if (saved == ENOENT)
        return TRUE;
      set_errno_error (error, saved, _("Removing"), path);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      close (parent_fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("Not removing “%s”: it is not a folder."), path);
      return FALSE;
    }
  if (st.st_dev != parent_st.st_dev)
    {
      close (parent_fd);
      return set_mount_error (error, path);
    }
  fd = openat (parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    set_errno_error (error, errno, _("Removing"), path);
  else if (fd_is_mount_root (fd, &st, &parent_st))
    set_mount_error (error, path);
  else if (unlinkat (parent_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    set_errno_error (error, errno, _("Removing"), path);
  else
    ok = TRUE;
  if (fd >= 0)
    close (fd);
  close (parent_fd);
  return ok;
}

/**
 * sp_path_component_is_valid:
 *
 * TRUE if @name is one non-empty file name: no “/”, not “.” or “..”.
 */
gboolean
sp_path_component_is_valid (const char *name)
{
  return name != NULL && name[0] != '\0' && strchr (name, '/') == NULL &&
         strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

/**
 * sp_open_dir_nofollow_at:
 *
 * Opens the folder @name of @dir_fd (AT_FDCWD: of the current folder)
 * without following a symlink; @name must be one component
 * (sp_path_component_is_valid()). Returns the descriptor or -1 with @error
 * naming @display.
 */
int
sp_open_dir_nofollow_at (int          dir_fd,
                         const char  *name,
                         const char  *display,
                         GError     **error)
{
  int fd;

  if (!sp_path_component_is_valid (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("“%s” is not a single folder name (in “%s”)."), name ? name : "",
                   display ? display : "");
      return -1;
    }
  fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP || saved == ENOTDIR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                     _("“%s” is not a folder (a symlink or a file is in its place). "
                       "Savepoint does not follow it."), display ? display : name);
      else
        set_errno_error (error, saved, _("Opening folder"), display ? display : name);
    }
  return fd;
}

gboolean
sp_is_dir_empty (const char  *path,
                 GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);

  if (dir == NULL)
    return FALSE;
  if (g_dir_read_name (dir) != NULL)
    return FALSE;
  return TRUE;
}

gboolean
sp_free_space (const char  *path,
               guint64     *out_bytes,
               GError     **error)
{
  struct statvfs sv;

  if (statvfs (path, &sv) != 0)
    {
      set_errno_error (error, errno, _("Checking free space on"), path);
      return FALSE;
    }
  *out_bytes = (guint64) sv.f_bavail * (guint64) sv.f_frsize;
  return TRUE;
}

char *
sp_format_duration (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds", seconds),
                            (int) seconds);
  if (seconds < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", seconds / 60),
                            (int) (seconds / 60));
  return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) ((seconds / 60) % 60));
}

const char *
sp_untitled_checkpoint_name (void)
{
  return _("Untitled Checkpoint");
}

static int
refuse_type (GError     **error,
             const char  *path,
             mode_t       mode)
{
  const char *format;
  GIOErrorEnum code = G_IO_ERROR_NOT_REGULAR_FILE;

  errno = EINVAL;
  if (S_ISLNK (mode))
    {
      format = _("“%s” is a symbolic link: Savepoint does not follow links where it "
                 "expects a plain file. Replace the link with the file itself.");
      code = G_IO_ERROR_TOO_MANY_LINKS;
      errno = ELOOP;
    }
  else if (S_ISDIR (mode))
    {
      format = _("“%s” is a folder, not a regular file. Move the folder away and put the "
                 "file back from a backup.");
      errno = EISDIR;
    }
  else if (S_ISFIFO (mode))
    format = _("“%s” is a named pipe (FIFO), not a regular file: Savepoint does not read "
               "it. Remove it and put the real file back from a backup.");
  else if (S_ISCHR (mode) || S_ISBLK (mode))
    format = _("“%s” is a device, not a regular file: Savepoint does not read it. Remove "
               "it and put the real file back from a backup.");
  else if (S_ISSOCK (mode))
    format = _("“%s” is a socket, not a regular file: Savepoint does not read it. Remove "
               "it and put the real file back from a backup.");
  else
    format = _("“%s” is not a regular file: Savepoint does not read it. Remove it and put "
               "the real file back from a backup.");
  {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, code, format, path);
    errno = saved;
  }
  return -1;
}

/**
 * sp_open_regular_file:
 *
 * Opens a file that comes from a drive. A symbolic link could point it
 * anywhere (/dev/zero, another user's file), a FIFO would block the
 * reader forever and a device could be anything, so all of them are refused
 * before any data is read: lstat() first, so that a device is never even
 * opened in the usual case, then open(O_NOFOLLOW | O_NONBLOCK) and fstat()
 * of what was opened, which must be a regular file too.
 */
int
sp_open_regular_file_at (int           dir_fd,
                         const char   *name,
                         const char   *display,
                         struct stat  *out_stat,
                         GError      **error)
{
  struct stat before, st;
  int fd;
  int flags;

  g_return_val_if_fail (name != NULL, -1);

  if (display == NULL)
    display = name;
  /* Its type first: opening a device at all may already do something. */
  if (fstatat (dir_fd, name, &before, AT_SYMLINK_NOFOLLOW) != 0)
    {
      int saved = errno;

      sp_set_error_from_errno (error, saved, _("Cannot open “%s”"), display);
      errno = saved;
      return -1;
    }
  if (!S_ISREG (before.st_mode))
    return refuse_type (error, display, before.st_mode);

  fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      /* Replaced by a link between fstatat() and openat(). */
      if (saved == ELOOP)
        return refuse_type (error, display, S_IFLNK);
      sp_set_error_from_errno (error, saved, _("Cannot open “%s”"), display);
      errno = saved;
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      sp_set_error_from_errno (error, saved, _("Cannot read “%s”"), display);
      errno = saved;
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      return refuse_type (error, display, st.st_mode);
    }
  /* Reads of a regular file never block anyway; drop the flag so that the
   * descriptor behaves like any other. */
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  if (out_stat != NULL)
    *out_stat = st;
  return fd;
}

int
sp_open_regular_file (const char   *path,
                      struct stat  *out_stat,
                      GError      **error)
{
  g_return_val_if_fail (path != NULL, -1);

  return sp_open_regular_file_at (AT_FDCWD, path, path, out_stat, error);
}

/**
 * sp_read_fd_bounded:
 *
 * Reads @fd to its end if that is at most @max_size bytes; the data is
 * NUL-terminated. @size_hint (the file's st_size) only sizes the first
 * buffer. A larger file (also one that grows while it is read) is
 * G_IO_ERROR_MESSAGE_TOO_LARGE: at most @max_size + 1 bytes are ever read.
 * Errors name @display. Does not close @fd.
 */
gboolean
sp_read_fd_bounded (int           fd,
                    const char   *display,
                    goffset       size_hint,
                    gsize         max_size,
                    char        **out_data,
                    gsize        *out_length,
                    GError      **error)
{
  g_autofree char *data = NULL;
  gsize capacity;
  gsize len = 0;

  g_return_val_if_fail (out_data != NULL && out_length != NULL, FALSE);

  capacity = (gsize) CLAMP (size_hint, 0, (goffset) max_size) + 1;
  data = g_malloc (capacity + 1);
  while (len <= max_size)
    {
      ssize_t n;

      if (len == capacity)
        {
          capacity = MIN (capacity * 2, max_size + 1);
          data = g_realloc (data, capacity + 1);
        }
      n = sp_read_full (fd, data + len, capacity - len);
      if (n < 0)
        return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), display);
      if (n == 0)
        break;
      len += (gsize) n;
    }
  if (len > max_size)
    {
      g_autofree char *limit = g_format_size (max_size);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("“%s” is larger than %s; it is not read."), display, limit);
      return FALSE;
    }
  data[len] = '\0';
  *out_data = g_steal_pointer (&data);
  *out_length = len;
  return TRUE;
}

/**
 * sp_read_regular_file_at:
 *
 * Reads the whole of @name (relative to @dir_fd, or a path with
 * AT_FDCWD), opened with sp_open_regular_file_at(), with
 * sp_read_fd_bounded().
 */
gboolean
sp_read_regular_file_at (int           dir_fd,
                         const char   *name,
                         const char   *display,
                         gsize         max_size,
                         char        **out_data,
                         gsize        *out_length,
                         GError      **error)
{
  struct stat st;
  gboolean ok;
  int fd;

  if (display == NULL)
    display = name;
  fd = sp_open_regular_file_at (dir_fd, name, display, &st, error);
  if (fd < 0)
    return FALSE;
  ok = sp_read_fd_bounded (fd, display, st.st_size, max_size, out_data, out_length, error);
  close (fd);
  return ok;
}

/**
 * sp_set_error_from_errno:
 * @format: a message with one “%s”, for @path
 *
 * Sets @error to the #G_IO_ERROR for @saved_errno, with @format applied to
 * @path, then ": " and the system's message as its text.
 *
 * Returns: %FALSE, for callers to return
 */
gboolean
sp_set_error_from_errno (GError     **error,
                         int          saved_errno,
                         const char  *format,
                         const char  *path)
{
  g_autofree char *what = g_strdup_printf (format, path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s",
               what, g_strerror (saved_errno));
  return FALSE;
}
