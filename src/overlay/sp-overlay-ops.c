/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FUSE low-level operations of the overlay. */
#include "sp-overlay-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <linux/limits.h>
#include <sys/xattr.h>
#include <unistd.h>

static void
reply_entry (fuse_req_t req, SpOverlay *ov, SpNode *node, const struct stat *st)
{
  struct fuse_entry_param e;

  memset (&e, 0, sizeof e);
  e.ino = node_id (ov, node);
  e.generation = node->generation;
  e.attr = *st;
  e.attr_timeout = ov->timeout;
  e.entry_timeout = ov->timeout;
  if (fuse_reply_entry (req, &e) != 0)
    _sp_node_unref (ov, node, 1);
}

/* Asks for CAPABILITY when the kernel offers it; returns whether it does. */
static bool
want_capability (struct fuse_conn_info *conn, unsigned capability)
{
  if ((conn->capable & capability) == 0)
    return false;
  conn->want |= capability;
  return true;
}

static void
op_init (void *userdata, struct fuse_conn_info *conn)
{
  /* Splice for data; adaptive readdirplus: for the first batch and while
   * the reader also looks entries up (a walk), plain readdir for a bare
   * listing, which then costs no lookup of its own per entry. */
  static const unsigned wanted[] = {
    FUSE_CAP_SPLICE_READ,
    FUSE_CAP_SPLICE_WRITE,
    FUSE_CAP_READDIRPLUS,
    FUSE_CAP_READDIRPLUS_AUTO,
    FUSE_CAP_PARALLEL_DIROPS,
    FUSE_CAP_ATOMIC_O_TRUNC,
    FUSE_CAP_CACHE_SYMLINKS,
    FUSE_CAP_ASYNC_READ,
  };
  SpOverlay *ov = userdata;

  if (!ov->no_writeback && want_capability (conn, FUSE_CAP_WRITEBACK_CACHE))
    ov->writeback = true;
  else
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
    want_capability (conn, wanted[i]);
  /* Locks are kept by the kernel for the mount: every user of the merged
   * files goes through it. */
  conn->want &= ~(FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);

  /* The kernel has been answered: sp_overlay_mount() can return. */
  pthread_mutex_lock (&ov->done_lock);
  ov->initialized = true;
  pthread_cond_broadcast (&ov->done_cond);
  pthread_mutex_unlock (&ov->done_lock);
}

static void
op_lookup (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  SpOverlay *ov = OV (req);
  SpNode *dir = _sp_node_get (ov, parent);
  SpNode *node;
  struct stat st;
  int err;

  rdlock (ov);
  err = _sp_node_resolve (ov, dir, name, &node, &st);
  unlock (ov);
  if (err == -ENOENT)
    {
      struct fuse_entry_param e;

      /* The layers change only through us: absence can be cached. */
      memset (&e, 0, sizeof e);
      e.entry_timeout = ov->timeout;
      fuse_reply_entry (req, &e);
      return;
    }
  if (err < 0)
    {
      fuse_reply_err (req, -err);
      return;
    }
  reply_entry (req, ov, node, &st);
}

static void
op_forget (fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
  SpOverlay *ov = OV (req);

  _sp_node_unref (ov, _sp_node_get (ov, ino), nlookup);
  fuse_reply_none (req);
}

static void
op_forget_multi (fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
  SpOverlay *ov = OV (req);

  for (size_t i = 0; i < count; i++)
    _sp_node_unref (ov, _sp_node_get (ov, forgets[i].ino), forgets[i].nlookup);
  fuse_reply_none (req);
}

static void
op_getattr (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpNode *node = _sp_node_get (ov, ino);
  struct stat st;
  int err;

  rdlock (ov);
  if (fi != NULL && node->fds == NULL && fstat (file_fd (fi), &st) == 0)
    {
      /* Works for open files whose name is gone. */
      if (atomic_load (&((SpFile *) (uintptr_t) fi->fh)->lower) && node->layer == 1)
        _sp_lower_manifest_apply (node->man, &st);
      st.st_ino = node->ino;
      _sp_squash_owner (ov, &st);
      err = 0;
    }
  else
    err = _sp_node_stat (ov, node, &st);
  unlock (ov);
  if (err < 0)
    fuse_reply_err (req, -err);
  else
    fuse_reply_attr (req, &st, ov->timeout);
}

static bool
times_only (int valid)
{
  return (valid & ~(FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_CTIME
                    | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)) == 0;
}

static bool
same_times (const struct stat *st, const struct stat *attr, int valid)
{
  /* The kernel's write-back of times sends mtime (and ctime) only; a
   * utimensat() that names an atime is the user's and copies up, as in
   * the kernel overlay. */
  if (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW))
    return false;
  if ((valid & FUSE_SET_ATTR_MTIME)
      && (st->st_mtim.tv_sec != attr->st_mtim.tv_sec || st->st_mtim.tv_nsec != attr->st_mtim.tv_nsec))
    return false;
  return true;
}

static void
op_setattr (fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
            struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpNode *node = _sp_node_get (ov, ino);
  char path[PATH_MAX];
  bool follow;
  struct stat st;
  int err = 0, fd = -1;

  /* Squashed ownership is the mount's, not the files': giving an entry the
   * ids it already shows changes nothing, other ids are refused as exFAT
   * does. */
  if ((valid & FUSE_SET_ATTR_UID) && ov->squash_uid_set)
    {
      if (attr->st_uid != ov->squash_uid)
        {
          fuse_reply_err (req, EPERM);
          return;
        }
      valid &= ~FUSE_SET_ATTR_UID;
    }
  if ((valid & FUSE_SET_ATTR_GID) && ov->squash_gid_set)
    {
      if (attr->st_gid != ov->squash_gid)
        {
          fuse_reply_err (req, EPERM);
          return;
        }
      valid &= ~FUSE_SET_ATTR_GID;
    }

  rdlock (ov);
  if (node->layer != 0 && times_only (valid))
    {
      /* With the writeback cache the kernel writes back the times it keeps
       * for inodes it marked dirty, such as the target of a rename or an
       * unlink that a process still holds open.  A lower object whose name
       * is gone cannot be copied up, and times that do not change are no
       * change: neither is an error (it would surface as EIO at close). */
      err = _sp_node_stat (ov, node, &st);
      if (err == 0 && (node->unlinked || same_times (&st, attr, valid)))
        {
          unlock (ov);
          fuse_reply_attr (req, &st, ov->timeout);
          return;
        }
      err = 0;
    }
  if (node->layer != 0
      && (valid & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | FUSE_SET_ATTR_SIZE
                   | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW
                   | FUSE_SET_ATTR_MTIME_NOW)))
    {
      bool keep_data = !((valid & FUSE_SET_ATTR_SIZE) && attr->st_size == 0);

      unlock (ov);
      wrlock (ov);
      err = _sp_copy_up (ov, node, keep_data);
    }
  if (fi != NULL && node->fds == NULL && (fcntl (file_fd (fi), F_GETFL) & O_ACCMODE) != O_RDONLY)
    fd = file_fd (fi);       /* an upper file, even if its name is gone */
  else if (err == 0)
    err = _sp_node_path (ov, node, path, sizeof path, &follow);

  if (err == 0 && (valid & FUSE_SET_ATTR_MODE)
      && (fd >= 0 ? fchmod (fd, attr->st_mode & 07777)
                  : fchmodat (AT_FDCWD, path, attr->st_mode & 07777, 0)) < 0)
    err = -errno;
  if (err == 0 && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
    {
      uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t) -1;
      gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t) -1;

      if ((fd >= 0 ? fchown (fd, uid, gid)
                   : fchownat (AT_FDCWD, path, uid, gid, follow ? 0 : AT_SYMLINK_NOFOLLOW)) < 0)
        err = -errno;
    }
  if (err == 0 && (valid & FUSE_SET_ATTR_SIZE))
    {
      int res;

      if (fd >= 0)
        res = ftruncate (fd, attr->st_size);
      else
        res = truncate (path, attr->st_size);
      if (res < 0)
        err = -errno;
      /* A truncate marks the file changed even when its size stays (the
       * kernel overlay shows it so); truncate(2) on the layer does not. */
      if (err == 0 && !(valid & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)))
        {
          struct timespec now[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };

          if ((fd >= 0 ? futimens (fd, now) : utimensat (AT_FDCWD, path, now, 0)) < 0)
            err = -errno;
        }
    }
  if (err == 0 && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)))
    {
      struct timespec ts[2];

      ts[0].tv_sec = 0;
      ts[1].tv_sec = 0;
      ts[0].tv_nsec = UTIME_OMIT;
      ts[1].tv_nsec = UTIME_OMIT;
      if (valid & FUSE_SET_ATTR_ATIME_NOW)
        ts[0].tv_nsec = UTIME_NOW;
      else if (valid & FUSE_SET_ATTR_ATIME)
        ts[0] = attr->st_atim;
      if (valid & FUSE_SET_ATTR_MTIME_NOW)
        ts[1].tv_nsec = UTIME_NOW;
      else if (valid & FUSE_SET_ATTR_MTIME)
        ts[1] = attr->st_mtim;
      if ((fd >= 0 ? futimens (fd, ts)
                   : utimensat (AT_FDCWD, path, ts, follow ? 0 : AT_SYMLINK_NOFOLLOW)) < 0)
        err = -errno;
    }
  if (err == 0 && fd >= 0)
    {
      err = fstat (fd, &st) < 0 ? -errno : 0;
      st.st_ino = node->ino;
      _sp_squash_owner (ov, &st);
    }
  else if (err == 0)
    err = _sp_node_stat (ov, node, &st);
  unlock (ov);

  if (err < 0)
    fuse_reply_err (req, -err);
  else
    fuse_reply_attr (req, &st, ov->timeout);
}

static void
op_readlink (fuse_req_t req, fuse_ino_t ino)
{
  SpOverlay *ov = OV (req);
  char target[PATH_MAX];
  const char *name;
  int dirfd;
  ssize_t n;

  SpNode *node = _sp_node_get (ov, ino);

  rdlock (ov);
  if (node->layer == 1 && node->man != NULL && node->man->target != NULL)
    {
      /* A link the drive keeps as an empty file (manifest). */
      n = (ssize_t) strlen (node->man->target);
      memcpy (target, node->man->target, (size_t) n);
    }
  else
    {
      _sp_node_at (ov, node, &dirfd, &name);
      n = readlinkat (dirfd, name, target, sizeof target - 1);
      if (n < 0)
        n = -errno;
    }
  unlock (ov);
  if (n < 0)
    {
      fuse_reply_err (req, (int) -n);
      return;
    }
  target[n] = '\0';
  fuse_reply_readlink (req, target);
}

/* Creates NAME in PARENT (a new object of MODE, or a hard link to
 * LINK_SRC) in the upper layer, over a whiteout if there is one.  Called
 * with ns_lock held for writing. */
static int
do_create (fuse_req_t req, SpOverlay *ov, SpNode *parent, const char *name,
           mode_t mode, dev_t rdev, const char *target, SpNode *link_src,
           int open_flags, int *fd_out, SpNode **out, struct stat *st)
{
  const struct fuse_ctx *ctx = fuse_req_ctx (req);
  SpNode *existing;
  char tmp[64];
  const char *cname;
  int err, kind, updir, dirfd, fd = -1, res;

  *out = NULL;
  if (_sp_name_is_reserved (name))
    return -EPERM;
  err = _sp_node_resolve (ov, parent, name, &existing, NULL);
  if (err == 0)
    {
      _sp_node_unref (ov, existing, 1);
      return -EEXIST;
    }
  if (err != -ENOENT)
    return err;
  /* The drive would take the name as one of its entries (sp-overlay-case.c). */
  if (_sp_name_clashes_by_case (ov, parent, name))
    return -EEXIST;
  err = _sp_copy_up (ov, parent, true);
  if (err == 0 && link_src != NULL)
    err = _sp_copy_up (ov, link_src, true);
  if (err < 0)
    return err;

  updir = parent->fds[0];
  kind = _sp_upper_whiteout_kind (ov, updir, name);
  if (kind < 0)
    return kind;
  if (kind == SP_WHITEOUT_CHR)
    {
      _sp_tmp_name (ov, tmp, sizeof tmp);
      dirfd = ov->work_fd;
      cname = tmp;
    }
  else
    {
      dirfd = updir;
      cname = name;
    }

  if (link_src != NULL)
    {
      const char *lname;
      int ldir;

      if (_sp_node_at (ov, link_src, &ldir, &lname) == AT_EMPTY_PATH)
        {
          char path[64];

          snprintf (path, sizeof path, "/proc/self/fd/%d", ldir);
          res = linkat (AT_FDCWD, path, dirfd, cname, AT_SYMLINK_FOLLOW);
        }
      else
        res = linkat (ldir, lname, dirfd, cname, 0);
    }
  else
    switch (mode & S_IFMT)
      {
      case S_IFREG:
        fd = openat (dirfd, cname, O_CREAT | O_EXCL | O_CLOEXEC | open_flags, mode & 07777);
        if (fd < 0 && errno == EACCES && (open_flags & O_ACCMODE) == O_RDWR)
          fd = openat (dirfd, cname, O_CREAT | O_EXCL | O_CLOEXEC | (open_flags & ~O_ACCMODE) | O_WRONLY,
                       mode & 07777);
        res = fd < 0 ? -1 : 0;
        break;
      case S_IFDIR:
        res = mkdirat (dirfd, cname, mode & 07777);
        break;
      case S_IFLNK:
        res = symlinkat (target, dirfd, cname);
        break;
      default:
        res = mknodat (dirfd, cname, mode, rdev);
        break;
      }
  if (res < 0)
    return -errno;

  if (link_src == NULL)
    {
      /* Owned by the caller, as the kernel would do it (a setgid parent
       * passes its group on), or by the player the mount squashes to;
       * nothing to do when that is us. */
      uid_t uid = ov->squash_uid_set ? ov->squash_uid : ctx->uid;
      gid_t gid = ov->squash_gid_set ? ov->squash_gid : ctx->gid;

      if (ov->is_root && !ov->squash_gid_set)
        {
          struct stat pst;

          if (fstat (updir, &pst) == 0 && (pst.st_mode & S_ISGID))
            gid = pst.st_gid;
        }
      if (ov->is_root && (uid != 0 || gid != getegid ())
          && fchownat (dirfd, cname, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        err = -errno;
      if (err == 0 && !S_ISLNK (mode) && (mode & ov->umask & 07777) != 0
          && fchmodat (dirfd, cname, mode & 07777, 0) < 0)
        err = -errno;
      if (err == 0 && S_ISDIR (mode) && kind != SP_WHITEOUT_NONE)
        err = _sp_set_opaque (ov, dirfd, cname);
    }

  if (err == 0 && kind == SP_WHITEOUT_CHR)
    {
      if (S_ISDIR (mode))
        {
          if (renameat2 (ov->work_fd, tmp, updir, name, RENAME_EXCHANGE) == 0)
            unlinkat (ov->work_fd, tmp, 0);
          else if (unlinkat (updir, name, 0) < 0
                   || renameat (ov->work_fd, tmp, updir, name) < 0)
            err = -errno;
        }
      else if (renameat (ov->work_fd, tmp, updir, name) < 0)
        err = -errno;
    }
  else if (err == 0 && kind == SP_WHITEOUT_FILE)
    {
      char wh[NAME_MAX + 8];

      snprintf (wh, sizeof wh, SP_UPPER_WHITEOUT_PREFIX "%s", name);
      unlinkat (updir, wh, 0);
    }

  if (err < 0)
    {
      unlinkat (dirfd, cname, S_ISDIR (mode) && link_src == NULL ? AT_REMOVEDIR : 0);
      if (fd >= 0)
        close (fd);
      return err;
    }

  err = _sp_node_resolve (ov, parent, name, out, st);
  if (err < 0)
    {
      if (fd >= 0)
        close (fd);
      return err;
    }
  if (link_src == NULL)
    atomic_fetch_add (&ov->files_created, 1);
  if (fd_out != NULL)
    *fd_out = fd;
  else if (fd >= 0)
    close (fd);
  return 0;
}

static void
create_reply (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
              dev_t rdev, const char *target)
{
  SpOverlay *ov = OV (req);
  SpNode *node;
  struct stat st;
  int err;

  wrlock (ov);
  err = do_create (req, ov, _sp_node_get (ov, parent), name, mode, rdev, target,
                   NULL, 0, NULL, &node, &st);
  unlock (ov);
  if (err < 0)
    fuse_reply_err (req, -err);
  else
    reply_entry (req, ov, node, &st);
}

static void
op_mknod (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
  /* As in the kernel overlay: a character device 0/0 is a whiteout, which
   * nobody may make through the mount (nothing is changed). */
  if (S_ISCHR (mode) && rdev == makedev (0, 0))
    {
      fuse_reply_err (req, EPERM);
      return;
    }
  create_reply (req, parent, name, mode, rdev, NULL);
}

static void
op_mkdir (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
  create_reply (req, parent, name, S_IFDIR | (mode & 07777), 0, NULL);
}

static void
op_symlink (fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
  create_reply (req, parent, name, S_IFLNK | 0777, 0, link);
}

static void
op_link (fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
  SpOverlay *ov = OV (req);
  SpNode *src = _sp_node_get (ov, ino);
  SpNode *node;
  struct stat st;
  int err;

  if (src->fds != NULL)
    {
      fuse_reply_err (req, EPERM);
      return;
    }
  wrlock (ov);
  err = do_create (req, ov, _sp_node_get (ov, newparent), newname, src->type, 0,
                   NULL, src, 0, NULL, &node, &st);
  unlock (ov);
  if (err < 0)
    fuse_reply_err (req, -err);
  else
    reply_entry (req, ov, node, &st);
}

static void
op_create (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
           struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpNode *node;
  struct stat st;
  int flags = fix_open_flags (ov, fi->flags);
  int err, fd = -1;

  wrlock (ov);
  err = do_create (req, ov, _sp_node_get (ov, parent), name, S_IFREG | (mode & 07777),
                   0, NULL, NULL, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW),
                   &fd, &node, &st);
  if (err == -EEXIST && !(fi->flags & O_EXCL))
    {
      /* Raced with another creator: open what is there. (Nothing is there
       * under this spelling when the name clashed by case with a lower
       * entry: then it stays EEXIST, sp-overlay-case.c.) */
      err = _sp_node_resolve (ov, _sp_node_get (ov, parent), name, &node, &st);
      if (err == -ENOENT)
        err = -EEXIST;
      if (err == 0 && ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)))
        err = _sp_copy_up (ov, node, !(fi->flags & O_TRUNC));
      if (err == 0)
        {
          fd = _sp_node_open (ov, node, flags);
          if (fd < 0)
            {
              err = fd;
              _sp_node_unref (ov, node, 1);
            }
          else
            err = _sp_node_stat (ov, node, &st);
        }
    }
  unlock (ov);
  if (err < 0)
    {
      fuse_reply_err (req, -err);
      return;
    }
  {
    struct fuse_entry_param e;

    memset (&e, 0, sizeof e);
    e.ino = node_id (ov, node);
    e.generation = node->generation;
    e.attr = st;
    e.attr_timeout = ov->timeout;
    e.entry_timeout = ov->timeout;
    SpFile *file = _sp_file_new (ov, node, fd);

    if (file == NULL)
      {
        close (fd);
        _sp_node_unref (ov, node, 1);
        fuse_reply_err (req, ENOMEM);
        return;
      }
    fi->fh = (uint64_t) (uintptr_t) file;
    fi->keep_cache = 1;
    if (fuse_reply_create (req, &e, fi) != 0)
      {
        _sp_file_free (ov, node, file);
        _sp_node_unref (ov, node, 1);
      }
  }
}

/* Before NAME (NODE, in the upper directory UPDIR) goes away: a file still
 * open through the mount must stay reachable for getattr and setattr,
 * which the kernel sends by node, not by descriptor. */
void
_sp_keep_open_file (SpOverlay *ov, SpNode *node, int updir, const char *name)
{
  if (node->layer == 0 && node->fds == NULL && node->hfd < 0
      && atomic_load (&node->nopen) > 0)
    node->hfd = openat (updir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static void
op_unlink (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  SpOverlay *ov = OV (req);
  SpNode *dir = _sp_node_get (ov, parent);
  SpNode *node = NULL;
  int err, updir;
  bool in_lower;

  wrlock (ov);
  err = _sp_node_resolve (ov, dir, name, &node, NULL);
  if (err == 0 && node->fds != NULL)
    err = -EISDIR;
  if (err == 0)
    err = _sp_copy_up (ov, dir, true);
  if (err < 0)
    goto out;

  updir = dir->fds[0];
  in_lower = _sp_name_in_lowers (ov, dir, name);
  _sp_keep_open_file (ov, node, updir, name);
  if (node->layer == 0)
    {
      struct stat ust;

      /* Its number may be reused by a new upper file: forget the mapping. */
      if (fstatat (updir, name, &ust, AT_SYMLINK_NOFOLLOW) == 0 && ust.st_nlink <= 1)
        _sp_inomap_remove (ov, ust.st_ino);
      if (in_lower)
        {
          char tmp[64];

          _sp_tmp_name (ov, tmp, sizeof tmp);
          if (mknodat (ov->work_fd, tmp, S_IFCHR | 0000, 0) == 0)
            {
              if (renameat (ov->work_fd, tmp, updir, name) < 0)
                {
                  err = -errno;
                  unlinkat (ov->work_fd, tmp, 0);
                }
            }
          else if (unlinkat (updir, name, 0) < 0)
            err = -errno;
          else
            err = _sp_make_whiteout (ov, updir, name);
        }
      else if (unlinkat (updir, name, 0) < 0)
        err = -errno;
    }
  else
    err = _sp_make_whiteout (ov, updir, name);

  if (err == 0)
    {
      struct stat st;

      atomic_fetch_add (&ov->files_deleted, 1);
      /* Still reachable by another name only if hard-linked in upper. */
      if (node->hfd < 0 || fstat (node->hfd, &st) < 0 || st.st_nlink == 0)
        _sp_node_unhash (ov, node);
    }

out:
  unlock (ov);
  if (node != NULL)
    _sp_node_unref (ov, node, 1);
  fuse_reply_err (req, -err);
}

int
_sp_check_empty (SpOverlay *ov, SpNode *node)
{
  SpDirList list = { 0 };
  int err = _sp_dir_list (ov, node, &list, true);

  if (err == 0 && list.n > 0)
    err = -ENOTEMPTY;
  _sp_dir_list_clear (&list);
  return err;
}

/* Removes the directory NODE at NAME in DIR, leaving a whiteout when a lower
 * layer has the name.  ns_lock held for writing. */
static int
remove_dir (SpOverlay *ov, SpNode *dir, const char *name, SpNode *node)
{
  int err = _sp_check_empty (ov, node);
  int updir;

  if (err == 0)
    err = _sp_copy_up (ov, dir, true);
  if (err < 0)
    return err;
  updir = dir->fds[0];
  if (node->fds[0] >= 0)
    {
      err = _sp_clear_upper_dir (ov, node->fds[0]);
      if (err == 0 && unlinkat (updir, name, AT_REMOVEDIR) < 0)
        err = -errno;
    }
  if (err == 0 && _sp_name_in_lowers (ov, dir, name))
    err = _sp_make_whiteout (ov, updir, name);
  return err;
}

static void
op_rmdir (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  SpOverlay *ov = OV (req);
  SpNode *dir = _sp_node_get (ov, parent);
  SpNode *node = NULL;
  int err;

  wrlock (ov);
  err = _sp_node_resolve (ov, dir, name, &node, NULL);
  if (err == 0 && node->fds == NULL)
    err = -ENOTDIR;
  if (err == 0)
    err = remove_dir (ov, dir, name, node);
  if (err == 0)
    {
      atomic_fetch_add (&ov->files_deleted, 1);
      _sp_node_unhash (ov, node);
    }
  unlock (ov);
  if (node != NULL)
    _sp_node_unref (ov, node, 1);
  fuse_reply_err (req, -err);
}

const struct fuse_lowlevel_ops _sp_overlay_ops = {
  .init = op_init,
  .lookup = op_lookup,
  .forget = op_forget,
  .forget_multi = op_forget_multi,
  .getattr = op_getattr,
  .setattr = op_setattr,
  .readlink = op_readlink,
  .mknod = op_mknod,
  .mkdir = op_mkdir,
  .unlink = op_unlink,
  .rmdir = op_rmdir,
  .symlink = op_symlink,
  .rename = op_rename,
  .link = op_link,
  .open = op_open,
  .read = op_read,
  .write_buf = op_write_buf,
  .flush = op_flush,
  .release = op_release,
  .fsync = op_fsync,
  .opendir = op_opendir,
  .readdir = op_readdir,
  .readdirplus = op_readdirplus,
  .releasedir = op_releasedir,
  .fsyncdir = op_fsyncdir,
  .statfs = op_statfs,
  .setxattr = op_setxattr,
  .getxattr = op_getxattr,
  .listxattr = op_listxattr,
  .removexattr = op_removexattr,
  .create = op_create,
  .fallocate = op_fallocate,
  .lseek = op_lseek,
};
