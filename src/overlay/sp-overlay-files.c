/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FUSE operations on open files and directories, and xattrs. */
#include "sp-overlay-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

typedef struct
{
  SpHandle        link;
  pthread_mutex_t lock;
  SpDirList       list;
  bool            built;
} SpDirHandle;

static void
handle_add (SpOverlay *ov, SpHandle *h, bool is_dir)
{
  h->is_dir = is_dir;
  h->prev = NULL;
  pthread_mutex_lock (&ov->handles_lock);
  h->next = ov->handles;
  if (h->next != NULL)
    h->next->prev = h;
  ov->handles = h;
  pthread_mutex_unlock (&ov->handles_lock);
}

static void
handle_remove (SpOverlay *ov, SpHandle *h)
{
  pthread_mutex_lock (&ov->handles_lock);
  if (h->prev != NULL)
    h->prev->next = h->next;
  else
    ov->handles = h->next;
  if (h->next != NULL)
    h->next->prev = h->prev;
  pthread_mutex_unlock (&ov->handles_lock);
}

SpFile *
_sp_file_new (SpOverlay *ov, SpNode *node, int fd)
{
  SpFile *file = malloc (sizeof *file);

  if (file == NULL)
    return NULL;
  file->fd = fd;
  atomic_init (&file->lower, node->layer != 0);
  atomic_fetch_add (&node->nopen, 1);
  handle_add (ov, &file->link, false);
  return file;
}

void
_sp_file_free (SpOverlay *ov, SpNode *node, SpFile *file)
{
  handle_remove (ov, &file->link);
  atomic_fetch_sub (&node->nopen, 1);
  close (file->fd);
  free (file);
}

static void
dir_handle_free (SpDirHandle *h)
{
  _sp_dir_list_clear (&h->list);
  pthread_mutex_destroy (&h->lock);
  free (h);
}

/* Only at teardown, once the session loop has stopped. */
void
_sp_handles_clear (SpOverlay *ov)
{
  SpHandle *h = ov->handles;

  while (h != NULL)
    {
      SpHandle *next = h->next;

      if (h->is_dir)
        dir_handle_free ((SpDirHandle *) h);
      else
        {
          close (((SpFile *) h)->fd);
          free (h);
        }
      h = next;
    }
  ov->handles = NULL;
}

/* A file opened read-only before someone else's write copied it up still
 * reads the lower file: from then on it reads the upper one, as in the
 * kernel overlay.  The descriptor number stays, so concurrent users of it
 * see one file or the other, never a closed one. */
static void
follow_copy_up (SpOverlay *ov, SpNode *node, SpFile *file)
{
  int fd;

  if (!atomic_load (&file->lower) || node->layer != 0)
    return;
  rdlock (ov);
  if (node->layer == 0 && atomic_exchange (&file->lower, false))
    {
      fd = _sp_node_open (ov, node, O_RDONLY);
      if (fd >= 0)
        {
          dup3 (fd, file->fd, O_CLOEXEC);
          close (fd);
        }
    }
  unlock (ov);
}

void
op_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpNode *node = _sp_node_get (ov, ino);
  int flags = fix_open_flags (ov, fi->flags);
  SpFile *file;
  int fd, err = 0;

  rdlock (ov);
  if (node->layer != 0 && ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)))
    {
      unlock (ov);
      wrlock (ov);
      err = _sp_copy_up (ov, node, !(fi->flags & O_TRUNC));
    }
  fd = err < 0 ? err : _sp_node_open (ov, node, flags);
  if (fd == -EACCES && flags != fi->flags)
    fd = _sp_node_open (ov, node, fi->flags & ~O_APPEND);
  unlock (ov);
  if (fd < 0)
    {
      fuse_reply_err (req, -fd);
      return;
    }
  file = _sp_file_new (ov, node, fd);
  if (file == NULL)
    {
      close (fd);
      fuse_reply_err (req, ENOMEM);
      return;
    }
  fi->fh = (uint64_t) (uintptr_t) file;
  fi->keep_cache = 1;
  if (fuse_reply_open (req, fi) != 0)
    _sp_file_free (ov, node, file);
}

void
op_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
         struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpFile *file = (SpFile *) (uintptr_t) fi->fh;
  struct fuse_bufvec buf = FUSE_BUFVEC_INIT (size);

  follow_copy_up (ov, _sp_node_get (ov, ino), file);
  buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
  buf.buf[0].fd = file->fd;
  buf.buf[0].pos = off;
  atomic_fetch_add (&ov->bytes_read, size);
  fuse_reply_data (req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void
op_write_buf (fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf,
              off_t off, struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  struct fuse_bufvec out = FUSE_BUFVEC_INIT (fuse_buf_size (in_buf));
  ssize_t res;

  out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
  out.buf[0].fd = file_fd (fi);
  out.buf[0].pos = off;
  res = fuse_buf_copy (&out, in_buf, 0);
  if (res < 0)
    fuse_reply_err (req, (int) -res);
  else
    {
      atomic_fetch_add (&ov->bytes_written, (uint64_t) res);
      fuse_reply_write (req, (size_t) res);
    }
}

void
op_flush (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  /* Nothing to do at close: we buffer nothing, and locks are the kernel's
   * (see op_init).  ENOSYS makes the kernel stop sending FLUSH for the
   * rest of the mount; it still writes the dirty pages of the writeback
   * cache back on close and reports their errors there. */
  fuse_reply_err (req, ENOSYS);
}

void
op_release (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);

  _sp_file_free (ov, _sp_node_get (ov, ino), (SpFile *) (uintptr_t) fi->fh);
  fuse_reply_err (req, 0);
}

void
op_fsync (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
  int res = datasync ? fdatasync (file_fd (fi)) : fsync (file_fd (fi));

  fuse_reply_err (req, res < 0 ? errno : 0);
}

void
op_fallocate (fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
              off_t length, struct fuse_file_info *fi)
{
  int res = fallocate (file_fd (fi), mode, offset, length);

  fuse_reply_err (req, res < 0 ? errno : 0);
}

void
op_lseek (fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
          struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpFile *file = (SpFile *) (uintptr_t) fi->fh;
  off_t res;

  follow_copy_up (ov, _sp_node_get (ov, ino), file);
  res = lseek (file->fd, off, whence);

  if (res < 0)
    fuse_reply_err (req, errno);
  else
    fuse_reply_lseek (req, res);
}

void
op_opendir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  SpDirHandle *h = calloc (1, sizeof *h);

  if (h == NULL)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  pthread_mutex_init (&h->lock, NULL);
  handle_add (OV (req), &h->link, true);
  fi->fh = (uint64_t) (uintptr_t) h;
  /* Directories change only through us, and the kernel drops its cached
   * listing when they do. */
  fi->cache_readdir = 1;
  fi->keep_cache = 1;
  if (fuse_reply_open (req, fi) != 0)
    {
      handle_remove (OV (req), &h->link);
      dir_handle_free (h);
    }
}

static void
do_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
            struct fuse_file_info *fi, bool plus)
{
  SpOverlay *ov = OV (req);
  SpNode *dir = _sp_node_get (ov, ino);
  SpDirHandle *h = (SpDirHandle *) (uintptr_t) fi->fh;
  char *buf = malloc (size);
  size_t pos = 0;
  int err = 0;

  if (buf == NULL)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  pthread_mutex_lock (&h->lock);
  rdlock (ov);
  if (!h->built || off == 0)
    {
      _sp_dir_list_clear (&h->list);
      err = _sp_dir_list (ov, dir, &h->list, false);
      h->built = err == 0;
    }

  for (size_t i = (size_t) off; err == 0 && i < h->list.n + 2; i++)
    {
      struct fuse_entry_param e;
      const char *name;
      SpNode *node = NULL;
      size_t entsize;

      memset (&e, 0, sizeof e);
      if (i < 2)
        {
          name = i == 0 ? "." : "..";
          e.attr.st_ino = (i == 0 || dir->parent == NULL) ? dir->ino : dir->parent->ino;
          e.attr.st_mode = S_IFDIR;
        }
      else
        {
          SpDirEntry *de = &h->list.entries[i - 2];

          name = de->name;
          e.attr.st_ino = de->ino;
          e.attr.st_mode = (mode_t) de->type << 12;
          if (plus)
            {
              if (_sp_node_resolve (ov, dir, name, &node, &e.attr) < 0)
                continue;
              e.ino = node_id (ov, node);
              e.generation = node->generation;
              e.attr_timeout = ov->timeout;
              e.entry_timeout = ov->timeout;
            }
        }
      if (plus)
        entsize = fuse_add_direntry_plus (req, buf + pos, size - pos, name, &e, (off_t) i + 1);
      else
        entsize = fuse_add_direntry (req, buf + pos, size - pos, name, &e.attr, (off_t) i + 1);
      if (entsize > size - pos)
        {
          if (node != NULL)
            _sp_node_unref (ov, node, 1);
          break;
        }
      pos += entsize;
    }
  unlock (ov);
  pthread_mutex_unlock (&h->lock);

  if (err < 0)
    fuse_reply_err (req, -err);
  else
    fuse_reply_buf (req, buf, pos);
  free (buf);
}

void
op_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
            struct fuse_file_info *fi)
{
  do_readdir (req, ino, size, off, fi, false);
}

void
op_readdirplus (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                struct fuse_file_info *fi)
{
  do_readdir (req, ino, size, off, fi, true);
}

void
op_releasedir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  SpDirHandle *h = (SpDirHandle *) (uintptr_t) fi->fh;

  handle_remove (OV (req), &h->link);
  dir_handle_free (h);
  fuse_reply_err (req, 0);
}

void
op_fsyncdir (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
  SpOverlay *ov = OV (req);
  SpNode *node = _sp_node_get (ov, ino);
  int err = 0, fd = -1;

  rdlock (ov);
  if (node->fds[0] >= 0)
    fd = openat (node->fds[0], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  unlock (ov);
  if (fd >= 0)
    {
      if (fsync (fd) < 0)
        err = errno;
      close (fd);
    }
  fuse_reply_err (req, err);
}

void
op_statfs (fuse_req_t req, fuse_ino_t ino)
{
  SpOverlay *ov = OV (req);
  struct statvfs sv;

  if (fstatvfs (ov->layer_fds[0], &sv) < 0)
    fuse_reply_err (req, errno);
  else
    fuse_reply_statfs (req, &sv);
}

void
op_getxattr (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
  SpOverlay *ov = OV (req);
  char path[PATH_MAX];
  char *value = NULL;
  bool follow;
  ssize_t n;

  char escaped[XATTR_NAME_MAX + 16];

  name = _sp_xattr_escape (name, escaped, sizeof escaped);
  if (name == NULL)
    {
      fuse_reply_err (req, ERANGE);
      return;
    }
  if (size > 0 && (value = malloc (size)) == NULL)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  rdlock (ov);
  n = _sp_node_path (ov, _sp_node_get (ov, ino), path, sizeof path, &follow);
  if (n == 0)
    {
      n = follow ? getxattr (path, name, value, size) : lgetxattr (path, name, value, size);
      if (n < 0)
        n = -errno;
    }
  unlock (ov);
  if (n < 0)
    fuse_reply_err (req, (int) -n);
  else if (size == 0)
    fuse_reply_xattr (req, (size_t) n);
  else
    fuse_reply_buf (req, value, (size_t) n);
  free (value);
}

void
op_listxattr (fuse_req_t req, fuse_ino_t ino, size_t size)
{
  SpOverlay *ov = OV (req);
  char path[PATH_MAX];
  char *list = NULL;
  bool follow;
  ssize_t n, out = 0;

  rdlock (ov);
  n = _sp_node_path (ov, _sp_node_get (ov, ino), path, sizeof path, &follow);
  if (n == 0)
    {
      for (;;)
        {
          n = follow ? listxattr (path, NULL, 0) : llistxattr (path, NULL, 0);
          if (n <= 0)
            break;
          free (list);
          list = malloc (n);
          if (list == NULL)
            {
              n = -ENOMEM;
              break;
            }
          n = follow ? listxattr (path, list, n) : llistxattr (path, list, n);
          if (n >= 0 || errno != ERANGE)
            break;
        }
      if (n < 0 && n != -ENOMEM)
        n = -errno;
    }
  unlock (ov);
  if (n < 0)
    {
      free (list);
      fuse_reply_err (req, (int) -n);
      return;
    }
  for (ssize_t off = 0; off < n;)
    {
      size_t len = strlen (list + off) + 1;

      if (!_sp_xattr_hidden (list + off))
        {
          char shown[XATTR_NAME_MAX + 16];
          size_t slen;

          /* Unescaping only shortens: it fits where the name was. */
          _sp_xattr_unescape (list + off, shown, sizeof shown);
          slen = strlen (shown) + 1;
          memmove (list + out, shown, slen);
          out += slen;
        }
      off += len;
    }
  if (size == 0)
    fuse_reply_xattr (req, (size_t) out);
  else if ((size_t) out > size)
    fuse_reply_err (req, ERANGE);
  else
    fuse_reply_buf (req, list, (size_t) out);
  free (list);
}

static void
change_xattr (fuse_req_t req, fuse_ino_t ino, const char *name,
              const char *value, size_t size, int flags, bool remove)
{
  SpOverlay *ov = OV (req);
  SpNode *node = _sp_node_get (ov, ino);
  char path[PATH_MAX];
  bool follow;
  int err;

  char escaped[XATTR_NAME_MAX + 16];

  name = _sp_xattr_escape (name, escaped, sizeof escaped);
  if (name == NULL)
    {
      fuse_reply_err (req, ERANGE);
      return;
    }
  wrlock (ov);
  err = 0;
  if (remove && node->layer != 0)
    {
      /* Removing a name the lower object does not have changes nothing:
       * ENODATA, without a copy-up (as the kernel overlay). */
      err = _sp_node_path (ov, node, path, sizeof path, &follow);
      if (err == 0 && (follow ? getxattr (path, name, NULL, 0)
                              : lgetxattr (path, name, NULL, 0)) < 0)
        err = -errno;
    }
  if (err == 0)
    err = _sp_copy_up (ov, node, true);
  if (err == 0)
    err = _sp_node_path (ov, node, path, sizeof path, &follow);
  if (err == 0)
    {
      int res;

      if (remove)
        res = follow ? removexattr (path, name) : lremovexattr (path, name);
      else
        res = follow ? setxattr (path, name, value, size, flags)
                     : lsetxattr (path, name, value, size, flags);
      if (res < 0)
        err = -errno;
    }
  unlock (ov);
  fuse_reply_err (req, -err);
}

void
op_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name,
             const char *value, size_t size, int flags)
{
  change_xattr (req, ino, name, value, size, flags, false);
}

void
op_removexattr (fuse_req_t req, fuse_ino_t ino, const char *name)
{
  change_xattr (req, ino, name, NULL, 0, 0, true);
}
