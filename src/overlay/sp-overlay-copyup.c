/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Copy-up: a lower object into the upper layer, atomically through the work dir. */
#include "sp-overlay-private.h"
#include "common/sp-xattr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Copies LEN bytes at OFF from SRC to DST (same offset): copy_file_range
 * where the file systems allow it, read/write otherwise. */
static int
copy_range (int src, int dst, off_t off, off_t len)
{
  off_t end = off + len;
  char *buf = NULL;

  while (off < end)
    {
      off_t in = off, out = off;
      ssize_t n = copy_file_range (src, &in, dst, &out, (size_t) (end - off), 0);

      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS
                    || errno == EOPNOTSUPP || errno == EBADF))
        break;
      if (n < 0)
        return -errno;
      if (n == 0)
        return 0;
      off += n;
    }

  while (off < end)
    {
      size_t want = end - off < (1 << 17) ? (size_t) (end - off) : (1 << 17);
      ssize_t n, w = 0;

      if (buf == NULL && (buf = malloc (1 << 17)) == NULL)
        return -ENOMEM;
      n = pread (src, buf, want, off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int err = n < 0 ? -errno : 0;

          free (buf);
          return err;
        }
      while (w < n)
        {
          ssize_t r = pwrite (dst, buf + w, n - w, off + w);

          if (r < 0 && errno == EINTR)
            continue;
          if (r < 0)
            {
              int err = -errno;

              free (buf);
              return err;
            }
          w += r;
        }
      off += n;
    }
  free (buf);
  return 0;
}

/* Copies the data of SRC (SIZE bytes) into the empty DST: a clone where
 * the file system shares extents, otherwise the data segments only, so
 * that holes stay holes (SEEK_DATA/SEEK_HOLE answer as before the copy-up,
 * and a sparse file does not grow on disk). */
static int
copy_data (int src, int dst, off_t size)
{
  off_t pos = 0;
  int err;

  if (size == 0)
    return 0;
  if (ioctl (dst, FICLONE, src) == 0)
    return 0;

  while (pos < size)
    {
      off_t data = lseek (src, pos, SEEK_DATA);
      off_t hole;

      if (data < 0 && errno == ENXIO)
        break;                       /* only a hole is left */
      if (data < 0)
        {
          /* No SEEK_DATA here: one segment. */
          data = pos;
          hole = size;
        }
      else
        {
          hole = lseek (src, data, SEEK_HOLE);
          if (hole < 0 || hole > size)
            hole = size;
        }
      if (data >= size)
        break;
      err = copy_range (src, dst, data, hole - data);
      if (err < 0)
        return err;
      pos = hole;
    }
  if (ftruncate (dst, size) < 0)
    return -errno;
  return 0;
}

/* The attributes a copy-up takes along: all but the overlay's own. */
static bool
xattr_visible (const char *name)
{
  return !_sp_xattr_hidden (name);
}

/* Copies NODE (and its parents first) into the upper layer.  Called with
 * ns_lock held for writing.
 *
 * The copy is built in the work dir and renamed into place, so the merged
 * view never shows a half-copied file, and a crash of the process leaves
 * at most a stray temporary in work/ (cleared at the next mount).  It is
 * deliberately not fsync()ed before the rename: unlike the kernel overlay,
 * whose upper layer is meant to live on, ours is a scratch directory
 * until the session ends and is packed into a checkpoint (written with
 * fsync and rename) only after unmounting; a host crash mid-session loses
 * the unsynced data of every file the game wrote anyway, copied up or
 * not.  An fsync per copy-up would cost milliseconds on every first write
 * to a lower file, under the namespace lock, which Wine does by the
 * thousand; programs that need durability fsync() through the mount,
 * which reaches the upper file. */
int
_sp_copy_up (SpOverlay *ov, SpNode *node, bool with_data)
{
  char tmp[64], src_path[PATH_MAX], dst_path[PATH_MAX];
  const char *lname;
  bool placeholder;
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
  /* Its name in the lower layer (the manifest may give another). */
  lname = node->layer == 1 && node->man != NULL ? node->man->stored : node->name;
  if (fstatat (lowerdir, lname, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  if (node->layer == 1)
    _sp_lower_manifest_apply (node->man, &st);
  placeholder = node->layer == 1 && node->man != NULL && node->man->target != NULL;

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
            int src = openat (lowerdir, lname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

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
        ssize_t n;

        if (placeholder)
          n = snprintf (target, sizeof target, "%s", node->man->target);
        else
          n = readlinkat (lowerdir, lname, target, sizeof target - 1);
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

  snprintf (src_path, sizeof src_path, "/proc/self/fd/%d/%s", lowerdir, lname);
  snprintf (dst_path, sizeof dst_path, "/proc/self/fd/%d/%s", ov->work_fd, tmp);
  /* A placeholder's attributes are not the link's. */
  if (err == 0 && !placeholder)
    err = sp_xattr_copy (src_path, dst_path, SP_XATTR_SKIP_UNREADABLE, xattr_visible);
  /* The lower's owner, or the player the mount squashes to (not being
   * root, the copy is ours, which is then the player). */
  if (err == 0 && fchownat (ov->work_fd, tmp,
                            ov->squash_uid_set ? ov->squash_uid : st.st_uid,
                            ov->squash_gid_set ? ov->squash_gid : st.st_gid,
                            AT_SYMLINK_NOFOLLOW) < 0
      && (ov->is_root || errno != EPERM))
    err = -errno;
  if (err == 0 && !S_ISLNK (st.st_mode)
      && fchmodat (ov->work_fd, tmp, st.st_mode & 07777, 0) < 0)
    err = -errno;
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  if (err == 0 && utimensat (ov->work_fd, tmp, times, AT_SYMLINK_NOFOLLOW) < 0)
    err = -errno;
  if (err == 0)
    {
      char parent_path[64];
      struct stat pst;
      bool restore;

      /* The copy-up is not a change of the parent: as the kernel overlay
       * does, give it back the times it had before the entry appeared. */
      snprintf (parent_path, sizeof parent_path, "/proc/self/fd/%d", updir);
      restore = fstat (updir, &pst) == 0;
      if (renameat (ov->work_fd, tmp, updir, node->name) < 0)
        err = -errno;
      else if (restore)
        {
          struct timespec ptimes[2] = { pst.st_atim, pst.st_mtim };

          utimensat (AT_FDCWD, parent_path, ptimes, 0);
        }
    }
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

      if (fstatat (updir, node->name, &ust, AT_SYMLINK_NOFOLLOW) < 0)
        ;
      else if (st.st_nlink > 1)
        {
          /* As in the kernel overlay without index: the copy-up breaks a
           * lower hard link, and the copy is a new file with a number of
           * its own (the other names still show the lower one). */
          _sp_node_renumber (ov, node, _sp_make_ino (ov, 0, ust.st_ino));
        }
      else
        _sp_inomap_set (ov, ust.st_ino, node->ino);
    }
  node->layer = 0;
  atomic_fetch_add (&ov->copy_ups, 1);
  return 0;
}
