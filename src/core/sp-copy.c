/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-copy.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "common/sp-xattr.h"
#include "sp-manifest.h"

typedef struct
{
  GHashTable         *links;        /* "dev:ino" → destination path */
  guint64             bytes_done;
  guint64             bytes_total;
  guint64             files_done;
  guint64             files_total;
  SpCopyProgressFunc  progress;
  gpointer            progress_data;
  GCancellable       *cancellable;
  guint8             *buf;
  SpManifest         *manifest;     /* NULL: what the drive refuses is an error */
  const char         *root;         /* the destination folder */
  gboolean            name_refused; /* the last entry's own name was refused */
  gboolean            name_clashed; /* … because an entry made before has it (case) */
} CopyContext;

#define COPY_CHUNK (4 * 1024 * 1024)

gboolean
_sp_copy_set_error_from_errno (GError     **error,
                               int          saved,
                               const char  *format,
                               const char  *path)
{
  return sp_set_io_error (error, saved, format, path);
}

static void
report (CopyContext *ctx)
{
  if (ctx->progress)
    ctx->progress (ctx->bytes_done, ctx->bytes_total, ctx->files_done, ctx->files_total,
                   ctx->progress_data);
}

static gboolean
count_tree (const char    *path,
            CopyContext   *ctx,
            GHashTable    *seen,
            GError       **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;

      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      if (lstat (child, &st) != 0)
        return _sp_copy_set_error_from_errno (error, errno, _("Cannot read “%s”"), child);
      ctx->files_total++;
      if (S_ISREG (st.st_mode))
        {
          if (st.st_nlink > 1)
            {
              char *key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
              if (!g_hash_table_add (seen, key))
                continue;
            }
          ctx->bytes_total += st.st_size;
        }
      else if (S_ISDIR (st.st_mode) && !count_tree (child, ctx, seen, error))
        return FALSE;
    }
  return TRUE;
}

/* Copies the user.* xattrs, leaving out those that cannot be read and
 * those the destination refuses. */
static gboolean
copy_xattrs (const char  *from,
             const char  *to,
             GError     **error)
{
  int err = sp_xattr_copy (from, to, SP_XATTR_SKIP_UNREADABLE, sp_xattr_is_user);

  if (err < 0)
    return _sp_copy_set_error_from_errno (error, -err,
                                          _("Cannot copy extended attributes to “%s”"), to);
  return TRUE;
}

static gboolean
copy_file_data (int           in_fd,
                int           out_fd,
                const char   *to,
                CopyContext  *ctx,
                GError      **error)
{
  gboolean use_cfr = TRUE;

  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      if (use_cfr)
        {
          n = copy_file_range (in_fd, NULL, out_fd, NULL, COPY_CHUNK, 0);
          if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                        errno == EOPNOTSUPP || errno == EBADF))
            {
              use_cfr = FALSE;
              continue;
            }
        }
      else
        {
          n = sp_read_full (in_fd, ctx->buf, COPY_CHUNK);
          if (n > 0 && !sp_write_all (out_fd, ctx->buf, n))
            return _sp_copy_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return _sp_copy_set_error_from_errno (error, errno, _("Cannot copy to “%s”"), to);
      if (n == 0)
        return TRUE;
      ctx->bytes_done += n;
      report (ctx);
    }
}

static gboolean copy_tree (const char *from, const char *to, CopyContext *ctx, GError **error);

/* @to relative to the destination folder: the manifest's key. */
static const char *
stored_path (CopyContext *ctx,
             const char  *to)
{
  size_t len = strlen (ctx->root);

  g_assert (strncmp (to, ctx->root, len) == 0 && to[len] == '/');
  return to + len + 1;
}

/* The drive refused the name of the entry being created (FAT and exFAT
 * refuse ':', '?', '*'…; the kernel's drivers say EINVAL, exfat-fuse
 * ENOENT and fusefat EPERM, which can mean nothing else here: the parent
 * folder was just made, by us): copy_tree() stores it under an escaped
 * name. */
static gboolean
refused_name (CopyContext  *ctx,
              int           saved,
              GError      **error,
              const char   *format,
              const char   *to)
{
  ctx->name_refused = (saved == EINVAL || saved == ENOENT || saved == EPERM || saved == EEXIST) &&
                      ctx->manifest != NULL;
  ctx->name_clashed = ctx->name_refused && saved == EEXIST;
  return _sp_copy_set_error_from_errno (error, saved, format, to);
}

/* Whether @err from chmod(2) or link(2) says that the drive keeps no modes
 * or no hard links at all (fusefat: ENOSYS; exFAT, FAT: EPERM). */
static gboolean
errno_unsupported (int err)
{
  return err == EPERM || err == ENOSYS || err == EOPNOTSUPP || err == ENOTSUP;
}

/* chmod(2) of what was just made; a drive that keeps no modes is no error
 * when the manifest records them (check_mode()). */
static gboolean
set_mode (CopyContext  *ctx,
          int           fd,
          const char   *to,
          mode_t        mode,
          GError      **error)
{
  if ((fd >= 0 ? fchmod (fd, mode & 07777) : chmod (to, mode & 07777)) == 0)
    return TRUE;
  if (ctx->manifest != NULL && errno_unsupported (errno))
    return TRUE;
  return _sp_copy_set_error_from_errno (error, errno, _("Cannot set the permissions of “%s”"), to);
}

/* Records the mode of @to when the drive did not keep @mode (FAT, exFAT). */
static gboolean
check_mode (CopyContext  *ctx,
            int           fd,
            const char   *to,
            mode_t        mode,
            GError      **error)
{
  struct stat st;

  if (ctx->manifest == NULL || strcmp (to, ctx->root) == 0)
    return TRUE;
  if ((fd >= 0 ? fstat (fd, &st) : lstat (to, &st)) != 0)
    return _sp_copy_set_error_from_errno (error, errno, _("Cannot read “%s”"), to);
  if ((st.st_mode & 0777) != (mode & 0777))
    _sp_manifest_set_mode (ctx->manifest, stored_path (ctx, to), mode & 0777);
  return TRUE;
}

static gboolean
copy_entry (const char   *from,
            const char   *to,
            struct stat  *st,
            CopyContext  *ctx,
            GError      **error)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (S_ISDIR (st->st_mode))
    {
      if (g_mkdir (to, 0700) != 0)
        return refused_name (ctx, errno, error, _("Cannot create the folder “%s”"), to);
      if (!copy_tree (from, to, ctx, error))
        return FALSE;
      if (!copy_xattrs (from, to, error))
        return FALSE;
      if (geteuid () == 0)
        (void) lchown (to, st->st_uid, st->st_gid);
      if (!set_mode (ctx, -1, to, st->st_mode, error))
        return FALSE;
      if (!check_mode (ctx, -1, to, st->st_mode, error))
        return FALSE;
      if (utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW) != 0)
        return _sp_copy_set_error_from_errno (error, errno,
                                              _("Cannot set the times of “%s”"), to);
    }
  else if (S_ISREG (st->st_mode))
    {
      g_autofree char *key = NULL;
      int in_fd, out_fd;
      gboolean ok;

      if (st->st_nlink > 1)
        {
          const char *first;

          key = g_strdup_printf ("%ju:%ju", (uintmax_t) st->st_dev, (uintmax_t) st->st_ino);
          first = g_hash_table_lookup (ctx->links, key);
          /* A drive without hard links (exFAT, FAT) gets a copy. */
          if (first != NULL)
            {
              if (link (first, to) == 0)
                return TRUE;
              if (ctx->manifest == NULL || !errno_unsupported (errno))
                return _sp_copy_set_error_from_errno (error, errno,
                                                      _("Cannot create the hard link “%s”"), to);
              g_clear_pointer (&key, g_free);
            }
        }
      in_fd = open (from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (in_fd < 0)
        return _sp_copy_set_error_from_errno (error, errno, _("Cannot read “%s”"), from);
      out_fd = open (to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (out_fd < 0)
        {
          int saved = errno;
          close (in_fd);
          return refused_name (ctx, saved, error, _("Cannot create “%s”"), to);
        }
      ok = copy_file_data (in_fd, out_fd, to, ctx, error);
      close (in_fd);
      if (ok && geteuid () == 0)
        (void) fchown (out_fd, st->st_uid, st->st_gid);
      if (ok)
        ok = set_mode (ctx, out_fd, to, st->st_mode, error);
      if (ok)
        ok = check_mode (ctx, out_fd, to, st->st_mode, error);
      if (ok && futimens (out_fd, times) != 0)
        ok = _sp_copy_set_error_from_errno (error, errno,
                                            _("Cannot set the times of “%s”"), to);
      if (close (out_fd) != 0 && ok)
        ok = _sp_copy_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
      if (ok)
        ok = copy_xattrs (from, to, error);
      if (ok && key != NULL)
        g_hash_table_insert (ctx->links, g_steal_pointer (&key), g_strdup (to));
      if (!ok)
        return FALSE;
    }
  else if (S_ISLNK (st->st_mode))
    {
      g_autofree char *target = g_file_read_link (from, error);

      if (target == NULL)
        return FALSE;
      if (symlink (target, to) != 0)
        {
          int saved = errno;

          if ((saved == EPERM || saved == EOPNOTSUPP || saved == ENOSYS) && ctx->manifest != NULL)
            {
              /* The drive keeps no links (FAT, exFAT): an empty file holds
               * its place, the manifest its target. */
              int fd = open (to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

              if (fd < 0)
                return refused_name (ctx, errno, error, _("Cannot create “%s”"), to);
              if (close (fd) != 0)
                return _sp_copy_set_error_from_errno (error, errno, _("Cannot write “%s”"), to);
              _sp_manifest_set_link (ctx->manifest, stored_path (ctx, to), target);
              utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW);
              return TRUE;
            }
          if ((saved == EINVAL || saved == ENOENT) && ctx->manifest != NULL)
            return refused_name (ctx, saved, error, _("Cannot create the symbolic link “%s”"), to);
          errno = saved;
          if (errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS)
            {
              g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("Cannot create the symbolic link “%s”: the drive’s file system "
                             "does not support symbolic links (FAT or exFAT?). Use a drive "
                             "formatted as ext4, btrfs or XFS."), to);
              return FALSE;
            }
          return _sp_copy_set_error_from_errno (error, errno,
                                                _("Cannot create the symbolic link “%s”"), to);
        }
      if (geteuid () == 0)
        (void) lchown (to, st->st_uid, st->st_gid);
      utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW);
    }
  else if (S_ISFIFO (st->st_mode))
    {
      if (mkfifo (to, st->st_mode & 07777) != 0)
        return refused_name (ctx, errno, error, _("Cannot create “%s”"), to);
      utimensat (AT_FDCWD, to, times, AT_SYMLINK_NOFOLLOW);
    }
  else if (S_ISSOCK (st->st_mode))
    {
      /* A socket is a leftover of a running program, not part of an install. */
      return TRUE;
    }
  else
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is a device node, which cannot be part of a game. Remove it from "
                     "the folder and try again."), from);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_tree (const char   *from,
           const char   *to,
           CopyContext  *ctx,
           GError      **error)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      struct stat st;

      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      if (lstat (src, &st) != 0)
        return _sp_copy_set_error_from_errno (error, errno, _("Cannot read “%s”"), src);
      ctx->name_refused = FALSE;
      ctx->name_clashed = FALSE;
      if (!copy_entry (src, dst, &st, ctx, error))
        {
          g_autofree char *stored = NULL;

          if (!ctx->name_refused)
            return FALSE;
          /* Stored under an escaped name; the manifest has the real one. A
           * name that is still refused, or taken, is an error. */
          ctx->name_refused = FALSE;
          g_clear_error (error);
          stored = ctx->name_clashed ? _sp_manifest_escape_name_apart (name)
                                     : _sp_manifest_escape_name (name);
          ctx->name_clashed = FALSE;
          g_free (dst);
          dst = g_build_filename (to, stored, NULL);
          if (strcmp (stored, name) == 0 || !copy_entry (src, dst, &st, ctx, error))
            {
              ctx->name_refused = FALSE;
              if (error != NULL && *error == NULL)
                g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                             _("The drive cannot store the name “%s”."), src);
              return FALSE;
            }
          _sp_manifest_set_name (ctx->manifest, stored_path (ctx, dst), name);
        }
      ctx->files_done++;
      report (ctx);
    }
  return TRUE;
}

gboolean
_sp_copy_tree (const char          *src,
               const char          *dest,
               SpManifest          *manifest,
               SpCopyProgressFunc   progress,
               gpointer             progress_data,
               GCancellable        *cancellable,
               GError             **error)
{
  CopyContext ctx = { 0 };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct stat st;
  gboolean ok;

  ctx.links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx.progress = progress;
  ctx.progress_data = progress_data;
  ctx.cancellable = cancellable;
  ctx.buf = g_malloc (COPY_CHUNK);
  ctx.manifest = manifest;
  ctx.root = dest;

  ok = count_tree (src, &ctx, seen, error);
  if (ok)
    {
      report (&ctx);
      stat (src, &st);
      ok = copy_entry (src, dest, &st, &ctx, error);
    }
  if (ok)
    report (&ctx);
  g_hash_table_unref (ctx.links);
  g_free (ctx.buf);
  return ok;
}
