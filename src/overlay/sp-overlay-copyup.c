/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Copy-up: a lower object into the upper layer, atomically through the work dir. */
#include "sp-overlay-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

static int
copy_data (int src, int dst, off_t size)
{
  off_t done = 0;

  if (size == 0)
    return 0;
  if (ioctl (dst, FICLONE, src) == 0)
    return 0;

  while (done < size)
    {
      ssize_t n = copy_file_range (src, NULL, dst, NULL, size - done, 0);

      if (n < 0)
        {
          if (done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS
                            || errno == EOPNOTSUPP || errno == EBADF))
            break;
          return -errno;
        }
      if (n == 0)
        return 0;
      done += n;
    }
  if (done >= size)
    return 0;

  {
    char *buf = malloc (1 << 17);

    if (buf == NULL)
      return -ENOMEM;
    for (;;)
      {
        ssize_t n = read (src, buf, 1 << 17);
        ssize_t w = 0;

        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0)
          {
            free (buf);
            return -errno;
          }
        if (n == 0)
          break;
        while (w < n)
          {
            ssize_t r = write (dst, buf + w, n - w);

            if (r < 0 && errno == EINTR)
              continue;
            if (r < 0)
              {
                free (buf);
                return -errno;
              }
            w += r;
          }
      }
    free (buf);
  }
  return 0;
}

static int
copy_xattrs (const char *src, const char *dst)
{
  char *list, *value = NULL;
  ssize_t size = llistxattr (src, NULL, 0);
  int err = 0;

  if (size <= 0)
    return 0;
  list = malloc (size);
  if (list == NULL)
    return -ENOMEM;
  size = llistxattr (src, list, size);
  for (ssize_t off = 0; size > 0 && off < size; off += strlen (list + off) + 1)
    {
      const char *name = list + off;
      ssize_t vs;

      if (_sp_xattr_hidden (name))
        continue;
      vs = lgetxattr (src, name, NULL, 0);
      if (vs < 0)
        continue;
      free (value);
      value = malloc (vs + 1);
      vs = lgetxattr (src, name, value, vs);
      if (vs < 0)
        continue;
      if (lsetxattr (dst, name, value, vs, 0) < 0
          && errno != EPERM && errno != ENOTSUP)
        {
          err = -errno;
          break;
        }
    }
  free (value);
  free (list);
  return err;
}

/* Copies NODE (and its parents first) into the upper layer.  Called with
 * ns_lock held for writing. */
int
_sp_copy_up (SpOverlay *ov, SpNode *node, bool with_data)
{
  char tmp[64], src_path[PATH_MAX], dst_path[PATH_MAX];
  struct stat st;
  int lowerdir, updir, err;
  struct timespec times[2];

  if (node->layer == 0)
    return 0;
  if (node->unlinked)
    return -ESTALE;
  err = _sp_copy_up (ov, node->parent, true);
  if (err < 0)
    return err;

  lowerdir = node->parent->fds[node->layer];
  updir = node->parent->fds[0];
  if (lowerdir < 0 || updir < 0)
    return -ESTALE;
  if (fstatat (lowerdir, node->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;

  _sp_tmp_name (ov, tmp, sizeof tmp);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFREG:
      {
        int dst = openat (ov->work_fd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);

        if (dst < 0)
          return -errno;
        if (with_data && st.st_size > 0)
          {
            int src = openat (lowerdir, node->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

            err = src < 0 ? -errno : copy_data (src, dst, st.st_size);
            if (src >= 0)
              close (src);
          }
        close (dst);
      }
      break;

    case S_IFDIR:
      if (mkdirat (ov->work_fd, tmp, 0700) < 0)
        return -errno;
      break;

    case S_IFLNK:
      {
        char target[PATH_MAX];
        ssize_t n = readlinkat (lowerdir, node->name, target, sizeof target - 1);

        if (n < 0)
          return -errno;
        target[n] = '\0';
        if (symlinkat (target, ov->work_fd, tmp) < 0)
          return -errno;
      }
      break;

    default:
      if (mknodat (ov->work_fd, tmp, st.st_mode, st.st_rdev) < 0)
        return -errno;
      break;
    }

  snprintf (src_path, sizeof src_path, "/proc/self/fd/%d/%s", lowerdir, node->name);
  snprintf (dst_path, sizeof dst_path, "/proc/self/fd/%d/%s", ov->work_fd, tmp);
  if (err == 0)
    err = copy_xattrs (src_path, dst_path);
  if (err == 0 && fchownat (ov->work_fd, tmp, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0
      && (ov->is_root || errno != EPERM))
    err = -errno;
  if (err == 0 && !S_ISLNK (st.st_mode)
      && fchmodat (ov->work_fd, tmp, st.st_mode & 07777, 0) < 0)
    err = -errno;
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  if (err == 0 && utimensat (ov->work_fd, tmp, times, AT_SYMLINK_NOFOLLOW) < 0)
    err = -errno;
  if (err == 0 && renameat (ov->work_fd, tmp, updir, node->name) < 0)
    err = -errno;
  if (err < 0)
    {
      unlinkat (ov->work_fd, tmp, S_ISDIR (st.st_mode) ? AT_REMOVEDIR : 0);
      return err;
    }

  if (node->fds != NULL)
    {
      int fd = openat (updir, node->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (fd < 0)
        return -errno;
      node->fds[0] = fd;
    }
  else
    {
      struct stat ust;

      if (fstatat (updir, node->name, &ust, AT_SYMLINK_NOFOLLOW) == 0)
        _sp_inomap_set (ov, ust.st_ino, node->ino);
    }
  node->layer = 0;
  atomic_fetch_add (&ov->copy_ups, 1);
  return 0;
}
