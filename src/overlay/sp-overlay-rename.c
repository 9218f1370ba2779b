/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rename(2) across layers, as the kernel overlay does it. */
#include "sp-overlay-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void
move_node (SpOverlay *ov, SpNode *node, SpNode *newparent, const char *newname)
{
  char *name = strdup (newname);
  SpNode *old = node->parent;

  if (name == NULL)
    return;
  free (node->name);
  node->name = name;
  if (old != newparent)
    {
      _sp_node_ref (ov, newparent, 1);
      node->parent = newparent;
      _sp_node_unref (ov, old, 1);
    }
}

static int
do_rename (SpOverlay *ov, SpNode *sdir, const char *sname, SpNode *ddir,
           const char *dname, unsigned int flags)
{
  SpNode *src = NULL, *dst = NULL;
  int err, kind, sup, dup_;
  bool src_in_lower, dst_in_lower;

  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
    return -EINVAL;
  if (_sp_name_is_reserved (dname))
    return -EPERM;
  err = _sp_node_resolve (ov, sdir, sname, &src, NULL);
  if (err < 0)
    return err;
  err = _sp_node_resolve (ov, ddir, dname, &dst, NULL);
  if (err < 0 && err != -ENOENT)
    goto out;
  /* A new name that the drive would take as another of its entries
   * (sp-overlay-case.c): as on the drive, not a second spelling. */
  if (err == -ENOENT && !(sdir == ddir && strcasecmp (sname, dname) == 0)
      && _sp_name_clashes_by_case (ov, ddir, dname))
    {
      err = -EEXIST;
      goto out;
    }
  err = 0;

  if (src->fds != NULL && _sp_node_has_lower (ov, src))
    {
      err = -EXDEV;
      goto out;
    }
  if (dst != NULL && (flags & RENAME_NOREPLACE))
    {
      err = -EEXIST;
      goto out;
    }
  if (dst == NULL && (flags & RENAME_EXCHANGE))
    {
      err = -ENOENT;
      goto out;
    }
  if (dst == src)
    goto out;
  if (dst != NULL && (flags & RENAME_EXCHANGE))
    {
      if (dst->fds != NULL && _sp_node_has_lower (ov, dst))
        {
          err = -EXDEV;
          goto out;
        }
    }
  else if (dst != NULL)
    {
      if (src->fds != NULL && dst->fds == NULL)
        err = -ENOTDIR;
      else if (src->fds == NULL && dst->fds != NULL)
        err = -EISDIR;
      else if (dst->fds != NULL && _sp_node_has_lower (ov, dst))
        err = _sp_check_empty (ov, dst);
      if (err < 0)
        goto out;
    }

  err = _sp_copy_up (ov, sdir, true);
  if (err == 0)
    err = _sp_copy_up (ov, ddir, true);
  if (err == 0)
    err = _sp_copy_up (ov, src, true);
  if (err == 0 && dst != NULL && (flags & RENAME_EXCHANGE))
    err = _sp_copy_up (ov, dst, true);
  if (err < 0)
    goto out;

  sup = sdir->fds[0];
  dup_ = ddir->fds[0];
  src_in_lower = _sp_name_in_lowers (ov, sdir, sname);
  dst_in_lower = _sp_name_in_lowers (ov, ddir, dname);

  /* As the kernel overlay: a directory going into a merged directory is
   * made opaque first (so it never picks up lower entries there), and a
   * directory that exists in upper only is checked for emptiness only
   * then, so a failed rename leaves the source opaque as the kernel's
   * does. */
  if (!(flags & RENAME_EXCHANGE) && src->fds != NULL && _sp_node_has_lower (ov, ddir))
    _sp_set_opaque (ov, sup, sname);
  if (!(flags & RENAME_EXCHANGE) && dst != NULL && dst->fds != NULL
      && !_sp_node_has_lower (ov, dst))
    {
      err = _sp_check_empty (ov, dst);
      if (err < 0)
        goto out;
    }

  if (flags & RENAME_EXCHANGE)
    {
      if (renameat2 (sup, sname, dup_, dname, RENAME_EXCHANGE) < 0)
        {
          err = -errno;
          goto out;
        }
      if (src->fds != NULL && dst_in_lower)
        _sp_set_opaque (ov, dup_, dname);
      if (dst->fds != NULL && src_in_lower)
        _sp_set_opaque (ov, sup, sname);
      move_node (ov, src, ddir, dname);
      move_node (ov, dst, sdir, sname);
      goto out;
    }

  kind = _sp_upper_whiteout_kind (ov, dup_, dname);
  if (kind == -EEXIST)
    kind = SP_WHITEOUT_NONE;     /* a visible upper entry: replaced */
  if (dst != NULL && dst->fds != NULL && dst->fds[0] >= 0)
    {
      err = _sp_clear_upper_dir (ov, dst->fds[0]);
      if (err < 0)
        goto out;
    }
  if (kind == SP_WHITEOUT_CHR && src->fds != NULL)
    unlinkat (dup_, dname, 0);
  if (dst != NULL)
    _sp_keep_open_file (ov, dst, dup_, dname);

  if (src_in_lower)
    {
      if (renameat2 (sup, sname, dup_, dname, RENAME_WHITEOUT) < 0)
        {
          if (renameat (sup, sname, dup_, dname) < 0)
            {
              err = -errno;
              goto out;
            }
          err = _sp_make_whiteout (ov, sup, sname);
        }
    }
  else if (renameat (sup, sname, dup_, dname) < 0)
    {
      err = -errno;
      goto out;
    }
  if (kind == SP_WHITEOUT_FILE)
    {
      char wh[NAME_MAX + 8];

      snprintf (wh, sizeof wh, SP_UPPER_WHITEOUT_PREFIX "%s", dname);
      unlinkat (dup_, wh, 0);
    }
  /* As the kernel overlay: a directory moved into a merged directory (or
   * over a hidden name) must not pick up lower entries. */
  if (src->fds != NULL
      && (dst_in_lower || kind != SP_WHITEOUT_NONE || _sp_node_has_lower (ov, ddir)))
    _sp_set_opaque (ov, dup_, dname);

  move_node (ov, src, ddir, dname);
  if (dst != NULL)
    {
      struct stat st;

      if (dst->hfd < 0 || fstat (dst->hfd, &st) < 0 || st.st_nlink == 0)
        _sp_node_unhash (ov, dst);
    }

out:
  if (src != NULL)
    _sp_node_unref (ov, src, 1);
  if (dst != NULL)
    _sp_node_unref (ov, dst, 1);
  return err;
}

void
op_rename (fuse_req_t req, fuse_ino_t parent, const char *name,
           fuse_ino_t newparent, const char *newname, unsigned int flags)
{
  SpOverlay *ov = OV (req);
  int err;

  wrlock (ov);
  err = do_rename (ov, _sp_node_get (ov, parent), name,
                   _sp_node_get (ov, newparent), newname, flags);
  unlock (ov);
  fuse_reply_err (req, -err);
}
