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
