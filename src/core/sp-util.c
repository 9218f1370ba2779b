/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <unistd.h>

G_DEFINE_QUARK (sp-io-error-quark, sp_io_error)

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                 _("%s “%s” failed: the disk is full. Free some space and try again."),
                 what, path);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 _("%s “%s” failed: %s"), what, path, g_strerror (saved_errno));
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
  size_t done = 0;

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

  while (done < len)
    {
      ssize_t n = write (fd, contents + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_unlink (tmp);
          set_errno_error (error, saved, _("Writing"), path);
          return FALSE;
        }
      done += (size_t) n;
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

static int
remove_cb (const char        *path,
           const struct stat *st,
           int                flag,
           struct FTW        *ftw)
{
  if (flag == FTW_DP)
    return (rmdir (path) != 0 && errno != ENOENT) ? -1 : 0;
  if (unlink (path) != 0 && errno != ENOENT)
    return -1;
  return 0;
}

static int
make_removable_cb (const char        *path,
                   const struct stat *st,
                   int                flag,
                   struct FTW        *ftw)
{
  if (flag == FTW_D || flag == FTW_DNR)
    chmod (path, (st->st_mode & 07777) | S_IRWXU);
  return 0;
}

/**
 * sp_remove_tree:
 *
 * Removes @path and everything below it, without following symlinks or
 * crossing into other file systems (a mount point inside is an error, not a
 * way to delete someone else's files). A missing @path is success.
 */
gboolean
sp_remove_tree (const char    *path,
                GCancellable  *cancellable,
                GError       **error)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_errno_error (error, errno, _("Removing"), path);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!S_ISDIR (st.st_mode))
    {
      if (unlink (path) != 0 && errno != ENOENT)
        {
          set_errno_error (error, errno, _("Removing"), path);
          return FALSE;
        }
      return TRUE;
    }

  /* Read-only directories (a game's install may have them) are opened up
   * first so that their entries can be removed. */
  nftw (path, make_removable_cb, 64, FTW_PHYS | FTW_MOUNT);
  if (nftw (path, remove_cb, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
    {
      set_errno_error (error, errno, _("Removing"), path);
      return FALSE;
    }
  return TRUE;
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
sp_open_regular_file (const char   *path,
                      struct stat  *out_stat,
                      GError      **error)
{
  struct stat before, st;
  int fd;
  int flags;

  g_return_val_if_fail (path != NULL, -1);

  if (lstat (path, &before) != 0)
    {
      int saved = errno;

      sp_set_error_from_errno (error, saved, _("Cannot open “%s”"), path);
      errno = saved;
      return -1;
    }
  if (!S_ISREG (before.st_mode))
    return refuse_type (error, path, before.st_mode);

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      /* Replaced by a link between lstat() and open(). */
      if (saved == ELOOP)
        return refuse_type (error, path, S_IFLNK);
      sp_set_error_from_errno (error, saved, _("Cannot open “%s”"), path);
      errno = saved;
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      sp_set_error_from_errno (error, saved, _("Cannot read “%s”"), path);
      errno = saved;
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      return refuse_type (error, path, st.st_mode);
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
