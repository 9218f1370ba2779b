/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Nodes, lookup across layers, whiteouts, opaque directories, merged
 * listings and copy-up. */
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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static size_t
hash_ino (uint64_t ino, size_t nbuckets)
{
  ino ^= ino >> 33;
  ino *= 0xff51afd7ed558ccdULL;
  ino ^= ino >> 33;
  return (size_t) (ino & (nbuckets - 1));
}

/* The overlay's own xattrs (user.overlay.*) are hidden; as in the kernel
 * overlay mounted with userxattr (the upper-dir format of the design), a
 * user's xattr in that namespace is stored escaped as
 * user.overlay.overlay.*, and trusted.overlay.* is an ordinary name. */
static size_t
internal_prefix_len (const char *name)
{
  if (strncmp (name, SP_UPPER_XATTR_PREFIX, strlen (SP_UPPER_XATTR_PREFIX)) == 0)
    return strlen (SP_UPPER_XATTR_PREFIX);
  return 0;
}

bool
_sp_xattr_hidden (const char *real_name)
{
  size_t len = internal_prefix_len (real_name);

  return len > 0 && strncmp (real_name + len, "overlay.", 8) != 0;
}

/* The name stored in the layers for NAME seen through the mount. */
const char *
_sp_xattr_escape (const char *name, char *buf, size_t size)
{
  size_t len = internal_prefix_len (name);

  if (len == 0)
    return name;
  if (snprintf (buf, size, "%.*soverlay.%s", (int) len, name, name + len) >= (int) size)
    return NULL;
  return buf;
}

/* The name shown through the mount for REAL_NAME (which is not hidden). */
void
_sp_xattr_unescape (const char *real_name, char *buf, size_t size)
{
  size_t len = internal_prefix_len (real_name);

  if (len == 0)
    snprintf (buf, size, "%s", real_name);
  else
    snprintf (buf, size, "%.*s%s", (int) len, real_name, real_name + len + 8);
}

void
_sp_tmp_name (SpOverlay *ov, char *buf, size_t size)
{
  snprintf (buf, size, ".sp-tmp-%d-%llu", (int) getpid (),
            (unsigned long long) atomic_fetch_add (&ov->tmp_counter, 1));
}

/* ---- the node table --------------------------------------------------- */

static void
table_insert_locked (SpOverlay *ov, SpNode *node)
{
  size_t b;

  if (ov->nnodes + 1 > ov->nbuckets)
    {
      size_t nb = ov->nbuckets * 2;
      SpNode **buckets = calloc (nb, sizeof *buckets);

      if (buckets != NULL)
        {
          for (size_t i = 0; i < ov->nbuckets; i++)
            for (SpNode *n = ov->buckets[i], *next; n != NULL; n = next)
              {
                next = n->hash_next;
                b = hash_ino (n->ino, nb);
                n->hash_next = buckets[b];
                buckets[b] = n;
              }
          free (ov->buckets);
          ov->buckets = buckets;
          ov->nbuckets = nb;
        }
    }

  b = hash_ino (node->ino, ov->nbuckets);
  node->hash_next = ov->buckets[b];
  ov->buckets[b] = node;
  node->hashed = true;
  ov->nnodes++;
}

static SpNode *
table_find_locked (SpOverlay *ov, uint64_t ino)
{
  for (SpNode *n = ov->buckets[hash_ino (ino, ov->nbuckets)]; n != NULL; n = n->hash_next)
    if (n->ino == ino && n->findable)
      return n;
  return NULL;
}

static void
table_remove_locked (SpOverlay *ov, SpNode *node)
{
  SpNode **p;

  if (!node->hashed)
    return;
  for (p = &ov->buckets[hash_ino (node->ino, ov->nbuckets)]; *p != NULL; p = &(*p)->hash_next)
    if (*p == node)
      {
        *p = node->hash_next;
        node->hashed = false;
        ov->nnodes--;
        return;
      }
}

/* Gives NODE a new number (a lower hard link broken by its copy-up). */
void
_sp_node_renumber (SpOverlay *ov, SpNode *node, uint64_t ino)
{
  pthread_mutex_lock (&ov->table_lock);
  table_remove_locked (ov, node);
  node->ino = ino;
  node->findable = true;
  table_insert_locked (ov, node);
  pthread_mutex_unlock (&ov->table_lock);
}

void
_sp_node_unhash (SpOverlay *ov, SpNode *node)
{
  pthread_mutex_lock (&ov->table_lock);
  node->findable = false;
  node->unlinked = true;
  pthread_mutex_unlock (&ov->table_lock);
}

static void
node_free (SpOverlay *ov, SpNode *node)
{
  if (node->fds != NULL)
    {
      for (int i = 0; i < ov->nlayers; i++)
        if (node->fds[i] >= 0)
          close (node->fds[i]);
      free (node->fds);
    }
  if (node->hfd >= 0)
    close (node->hfd);
  _sp_node_free_names (ov, node);
  free (node->name);
  free (node);
}

SpNode *
_sp_node_get (SpOverlay *ov, fuse_ino_t ino)
{
  if (ino == FUSE_ROOT_ID)
    return ov->root;
  return (SpNode *) (uintptr_t) ino;
}

void
_sp_node_ref (SpOverlay *ov, SpNode *node, uint64_t n)
{
  pthread_mutex_lock (&ov->table_lock);
  node->refs += n;
  pthread_mutex_unlock (&ov->table_lock);
}

void
_sp_node_unref (SpOverlay *ov, SpNode *node, uint64_t n)
{
  pthread_mutex_lock (&ov->table_lock);
  while (node != NULL)
    {
      SpNode *parent;

      node->refs -= n;
      if (node->refs > 0 || node == ov->root)
        break;
      table_remove_locked (ov, node);
      parent = node->parent;
      node_free (ov, node);
      node = parent;
      n = 1;
    }
  pthread_mutex_unlock (&ov->table_lock);
}

void
_sp_node_table_clear (SpOverlay *ov)
{
  /* Only at teardown: free every node still known to the table. */
  pthread_mutex_lock (&ov->table_lock);
  for (size_t i = 0; i < ov->nbuckets; i++)
    for (SpNode *n = ov->buckets[i], *next; n != NULL; n = next)
      {
        next = n->hash_next;
        if (n != ov->root)
          node_free (ov, n);
      }
  free (ov->buckets);
  ov->buckets = NULL;
  ov->nbuckets = 0;
  pthread_mutex_unlock (&ov->table_lock);
  if (ov->root != NULL)
    node_free (ov, ov->root);
  ov->root = NULL;
}

void
_sp_inomap_set (SpOverlay *ov, uint64_t upper_ino, uint64_t ino)
{
  size_t i;

  pthread_mutex_lock (&ov->table_lock);
  if ((ov->inomap_used + 1) * 2 > ov->inomap_size)
    {
      size_t ns = ov->inomap_size ? ov->inomap_size * 2 : 256;
      SpInoMapEntry *m = calloc (ns, sizeof *m);

      if (m == NULL)
        {
          pthread_mutex_unlock (&ov->table_lock);
          return;
        }
      for (size_t j = 0; j < ov->inomap_size; j++)
        if (ov->inomap[j].key != 0)
          {
            for (i = hash_ino (ov->inomap[j].key, ns); m[i].key != 0; i = (i + 1) & (ns - 1))
              ;
            m[i] = ov->inomap[j];
          }
      free (ov->inomap);
      ov->inomap = m;
      ov->inomap_size = ns;
    }
  for (i = hash_ino (upper_ino, ov->inomap_size);
       ov->inomap[i].key != 0 && ov->inomap[i].key != upper_ino;
       i = (i + 1) & (ov->inomap_size - 1))
    ;
  if (ov->inomap[i].key == 0)
    ov->inomap_used++;
  ov->inomap[i].key = upper_ino;
  ov->inomap[i].value = ino;
  pthread_mutex_unlock (&ov->table_lock);
}

void
_sp_inomap_remove (SpOverlay *ov, uint64_t upper_ino)
{
  size_t i, j;

  pthread_mutex_lock (&ov->table_lock);
  if (ov->inomap_size == 0)
    goto out;
  for (i = hash_ino (upper_ino, ov->inomap_size);
       ov->inomap[i].key != 0 && ov->inomap[i].key != upper_ino;
       i = (i + 1) & (ov->inomap_size - 1))
    ;
  if (ov->inomap[i].key == 0)
    goto out;
  /* Backward-shift deletion keeps the probe sequences intact. */
  ov->inomap[i].key = 0;
  ov->inomap_used--;
  for (j = (i + 1) & (ov->inomap_size - 1); ov->inomap[j].key != 0; j = (j + 1) & (ov->inomap_size - 1))
    {
      size_t home = hash_ino (ov->inomap[j].key, ov->inomap_size);

      if (((j - home) & (ov->inomap_size - 1)) >= ((j - i) & (ov->inomap_size - 1)))
        {
          ov->inomap[i] = ov->inomap[j];
          ov->inomap[j].key = 0;
          i = j;
        }
    }
out:
  pthread_mutex_unlock (&ov->table_lock);
}

static uint64_t
inomap_get_locked (SpOverlay *ov, uint64_t upper_ino)
{
  if (ov->inomap_size == 0)
    return 0;
  for (size_t i = hash_ino (upper_ino, ov->inomap_size);
       ov->inomap[i].key != 0;
       i = (i + 1) & (ov->inomap_size - 1))
    if (ov->inomap[i].key == upper_ino)
      return ov->inomap[i].value;
  return 0;
}

/* ---- opaque directories and whiteouts --------------------------------- */

static bool
fd_is_opaque (int fd)
{
  char path[64];
  char v[4];
  ssize_t n;

  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  n = getxattr (path, SP_UPPER_OPAQUE_XATTR, v, sizeof v);
  if (n == 1 && v[0] == 'y')
    return true;
  return faccessat (fd, SP_UPPER_OPAQUE_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
_sp_set_opaque (SpOverlay *ov, int dirfd, const char *name)
{
  char path[PATH_MAX];
  int fd;

  snprintf (path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name);
  if (lsetxattr (path, SP_UPPER_OPAQUE_XATTR, "y", 1, 0) == 0)
    return 0;
  fd = openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  {
    int mfd = openat (fd, SP_UPPER_OPAQUE_MARKER, O_CREAT | O_WRONLY | O_CLOEXEC, 0000);
    int err = mfd < 0 ? -errno : 0;

    if (mfd >= 0)
      close (mfd);
    close (fd);
    return err;
  }
}

/* What marks NAME as deleted in the upper directory DIRFD. */
int
_sp_upper_whiteout_kind (SpOverlay *ov, int dirfd, const char *name)
{
  struct stat st;
  char wh[NAME_MAX + SP_UPPER_WHITEOUT_PREFIX_LEN + 2];

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return sp_upper_is_whiteout_device (&st) ? SP_WHITEOUT_CHR : -EEXIST;
  snprintf (wh, sizeof wh, SP_UPPER_WHITEOUT_PREFIX "%s", name);
  if (strlen (name) + SP_UPPER_WHITEOUT_PREFIX_LEN <= NAME_MAX
      && faccessat (dirfd, wh, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return SP_WHITEOUT_FILE;
  return SP_WHITEOUT_NONE;
}

/* Creates a whiteout for NAME in DIRFD (where NAME does not exist). */
int
_sp_make_whiteout (SpOverlay *ov, int dirfd, const char *name)
{
  char wh[NAME_MAX + SP_UPPER_WHITEOUT_PREFIX_LEN + 2];
  int fd;

  if (mknodat (dirfd, name, S_IFCHR | 0000, makedev (0, 0)) == 0)
    return 0;
  if (errno != EPERM && errno != EINVAL && errno != EOPNOTSUPP)
    return -errno;
  if (strlen (name) + SP_UPPER_WHITEOUT_PREFIX_LEN > NAME_MAX)
    return -ENAMETOOLONG;
  snprintf (wh, sizeof wh, SP_UPPER_WHITEOUT_PREFIX "%s", name);
  fd = openat (dirfd, wh, O_CREAT | O_WRONLY | O_CLOEXEC, 0000);
  if (fd < 0)
    return -errno;
  close (fd);
  return 0;
}

/* Whether NAME is visible in the lower layers of DIR (so removing it from
 * the merged view needs a whiteout). */
bool
_sp_name_in_lowers (SpOverlay *ov, SpNode *dir, const char *name)
{
  struct stat st;

  for (int k = 1; k < ov->nlayers; k++)
    {
      const char *lname;

      if (dir->fds[k] < 0 || (lname = _sp_lower_name (ov, dir, k, name, NULL)) == NULL)
        continue;
      if (fstatat (dir->fds[k], lname, &st, AT_SYMLINK_NOFOLLOW) == 0
          && _sp_lower_name_exact (ov, dir, k, lname))
        return !sp_upper_is_whiteout_device (&st);
    }
  return false;
}

bool
_sp_node_has_lower (SpOverlay *ov, SpNode *node)
{
  if (node->fds == NULL)
    return node->layer > 0;
  for (int k = 1; k < ov->nlayers; k++)
    if (node->fds[k] >= 0)
      return true;
  return false;
}

/* ---- lookup ----------------------------------------------------------- */

static int
fill_dir_fds (SpOverlay *ov, SpNode *dir, const char *name, int first,
              int *fds)
{
  struct stat st;
  int fd;

  for (int k = 0; k < ov->nlayers; k++)
    fds[k] = -1;

  for (int k = first; k < ov->nlayers; k++)
    {
      const SpManEntry *entry;
      const char *lname;
      bool deeper = false;

      if (dir->fds[k] < 0)
        continue;
      lname = _sp_lower_name (ov, dir, k, name, &entry);
      if (lname == NULL)
        continue;
      if (k > first)
        {
          if (fstatat (dir->fds[k], lname, &st, AT_SYMLINK_NOFOLLOW) < 0)
            {
              if (errno == ENOENT)
                continue;
              break;
            }
          if (!_sp_lower_name_exact (ov, dir, k, lname))
            continue;
          _sp_lower_manifest_apply (entry, &st);
          if (sp_upper_is_whiteout_device (&st) || !S_ISDIR (st.st_mode))
            break;
        }
      fd = openat (dir->fds[k], lname, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if (k == first)
            return -errno;
          break;
        }
      fds[k] = fd;
      for (int j = k + 1; j < ov->nlayers; j++)
        if (dir->fds[j] >= 0)
          deeper = true;
      if (deeper && fd_is_opaque (fd))
        break;
    }
  return 0;
}

int
_sp_node_resolve (SpOverlay *ov, SpNode *dir, const char *name,
                  SpNode **out, struct stat *st_out)
{
  const SpManEntry *man = NULL;
  struct stat st;
  int found = -1;
  int *fds = NULL;
  uint64_t ino;
  SpNode *node;
  int err;

  *out = NULL;
  if (dir->fds == NULL)
    return -ENOTDIR;
  if (strlen (name) > NAME_MAX)
    return -ENAMETOOLONG;
  if (_sp_name_is_reserved (name))
    return -ENOENT;

  for (int k = 0; k < ov->nlayers; k++)
    {
      const SpManEntry *entry;
      const char *lname;

      if (dir->fds[k] < 0)
        continue;
      lname = _sp_lower_name (ov, dir, k, name, &entry);
      if (lname == NULL)
        continue;
      if (fstatat (dir->fds[k], lname, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT && errno != ENOTDIR)
            return -errno;
          continue;
        }
      /* A case-folding lower found another spelling: not this name. */
      if (!_sp_lower_name_exact (ov, dir, k, lname))
        continue;
      if (sp_upper_is_whiteout_device (&st))
        return -ENOENT;
      _sp_lower_manifest_apply (entry, &st);
      found = k;
      break;
    }
  if (found < 0)
    return -ENOENT;
  if (found > 0 && dir->fds[0] >= 0
      && _sp_upper_whiteout_kind (ov, dir->fds[0], name) == SP_WHITEOUT_FILE)
    return -ENOENT;

  if (S_ISDIR (st.st_mode))
    {
      fds = malloc (sizeof (int) * ov->nlayers);
      if (fds == NULL)
        return -ENOMEM;
      err = fill_dir_fds (ov, dir, name, found, fds);
      if (err < 0)
        {
          free (fds);
          return err;
        }
      /* A directory keeps the number of its topmost lower part, so that it
       * does not change when the directory is copied up. */
      ino = 0;
      for (int k = 1; k < ov->nlayers && ino == 0; k++)
        if (fds[k] >= 0)
          {
            struct stat lst;

            if (k == found)
              ino = _sp_make_ino (ov, k, st.st_ino);
            else if (fstat (fds[k], &lst) == 0)
              ino = _sp_make_ino (ov, k, lst.st_ino);
          }
      if (ino == 0)
        ino = _sp_make_ino (ov, found, st.st_ino);
      if (ov->nlayers > 1 && fds[1] >= 0)
        _sp_lower_name (ov, dir, 1, name, &man);
    }
  else
    {
      ino = _sp_make_ino (ov, found, st.st_ino);
      if (found == 1)
        _sp_lower_name (ov, dir, 1, name, &man);
    }

  pthread_mutex_lock (&ov->table_lock);
  if (found == 0)
    {
      uint64_t mapped = inomap_get_locked (ov, st.st_ino);

      if (mapped != 0)
        ino = mapped;
    }
  node = NULL;
  /* Hard links in a lower layer are separate objects (as in the kernel
   * overlay without index): they are not shared through the table. */
  if (found == 0 || S_ISDIR (st.st_mode) || st.st_nlink == 1)
    node = table_find_locked (ov, ino);
  if (node != NULL && (node->type != (st.st_mode & S_IFMT)))
    node = NULL;
  if (node != NULL)
    {
      node->refs++;
      if (found == 0 && node->fds == NULL && node->hfd < 0 && st.st_nlink > 1
          && S_ISREG (st.st_mode))
        node->hfd = openat (dir->fds[0], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      pthread_mutex_unlock (&ov->table_lock);
      if (fds != NULL)
        {
          for (int k = 0; k < ov->nlayers; k++)
            if (fds[k] >= 0)
              close (fds[k]);
          free (fds);
        }
    }
  else
    {
      node = calloc (1, sizeof *node);
      if (node == NULL || (node->name = strdup (name)) == NULL)
        {
          pthread_mutex_unlock (&ov->table_lock);
          free (node);
          if (fds != NULL)
            {
              for (int k = 0; k < ov->nlayers; k++)
                if (fds[k] >= 0)
                  close (fds[k]);
              free (fds);
            }
          return -ENOMEM;
        }
      node->parent = dir;
      dir->refs++;
      node->ino = ino;
      node->generation = ++ov->next_generation;
      node->refs = 1;
      node->type = st.st_mode & S_IFMT;
      node->layer = found;
      node->man = man;
      node->fds = fds;
      node->hfd = -1;
      if (found == 0 && st.st_nlink > 1 && S_ISREG (st.st_mode))
        node->hfd = openat (dir->fds[0], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      /* Every node is in the table (so that none is lost at teardown);
       * only those that are the one object of their number are found. */
      node->findable = found == 0 || S_ISDIR (st.st_mode) || st.st_nlink == 1;
      table_insert_locked (ov, node);
      pthread_mutex_unlock (&ov->table_lock);
    }

  if (st_out != NULL)
    {
      *st_out = st;
      st_out->st_ino = node->ino;
      _sp_squash_owner (ov, st_out);
      if (node->fds != NULL)
        {
          int parts = 0;

          for (int k = 0; k < ov->nlayers; k++)
            parts += node->fds[k] >= 0;
          if (parts > 1)
            st_out->st_nlink = 1;
        }
    }
  *out = node;
  return 0;
}

SpNode *
_sp_node_new_root (SpOverlay *ov, char **error_message)
{
  SpNode *root = calloc (1, sizeof *root);
  struct stat st;

  if (root == NULL)
    return NULL;
  root->fds = malloc (sizeof (int) * ov->nlayers);
  root->name = strdup ("");
  root->hfd = -1;
  root->type = S_IFDIR;
  root->refs = 1;
  root->layer = 0;
  root->generation = 0;
  for (int k = 0; k < ov->nlayers; k++)
    root->fds[k] = -1;
  root->fds[0] = fcntl (ov->layer_fds[0], F_DUPFD_CLOEXEC, 0);
  for (int k = 1; k < ov->nlayers; k++)
    {
      root->fds[k] = fcntl (ov->layer_fds[k], F_DUPFD_CLOEXEC, 0);
      if (k + 1 < ov->nlayers && fd_is_opaque (root->fds[k]))
        break;
    }
  if (ov->nlayers > 1 && !fd_is_opaque (root->fds[0]))
    {
      fstat (root->fds[1], &st);
      root->ino = _sp_make_ino (ov, 1, st.st_ino);
    }
  else
    {
      for (int k = 1; k < ov->nlayers; k++)
        if (root->fds[k] >= 0)
          {
            close (root->fds[k]);
            root->fds[k] = -1;
          }
      fstat (root->fds[0], &st);
      root->ino = st.st_ino;
    }
  pthread_mutex_lock (&ov->table_lock);
  root->findable = true;
  table_insert_locked (ov, root);
  pthread_mutex_unlock (&ov->table_lock);
  return root;
}

/* Where the object is: a directory descriptor and a name (""
 * with AT_EMPTY_PATH for directories and hard-linked files). */
int
_sp_node_at (SpOverlay *ov, SpNode *node, int *dirfd, const char **name)
{
  if (node->fds != NULL)
    {
      *dirfd = node->fds[node->layer];
      *name = "";
      return AT_EMPTY_PATH;
    }
  if (node->layer == 0 && node->hfd >= 0)
    {
      *dirfd = node->hfd;
      *name = "";
      return AT_EMPTY_PATH;
    }
  *dirfd = node->parent->fds[node->layer];
  *name = node->layer == 1 && node->man != NULL ? node->man->stored : node->name;
  return 0;
}

int
_sp_node_path (SpOverlay *ov, SpNode *node, char *buf, size_t size, bool *follow)
{
  int dirfd;
  const char *name;

  if (_sp_node_at (ov, node, &dirfd, &name) == AT_EMPTY_PATH)
    {
      *follow = true;
      snprintf (buf, size, "/proc/self/fd/%d", dirfd);
    }
  else
    {
      *follow = false;
      snprintf (buf, size, "/proc/self/fd/%d/%s", dirfd, name);
    }
  if (dirfd < 0)
    return -ESTALE;
  return 0;
}

int
_sp_node_stat (SpOverlay *ov, SpNode *node, struct stat *st)
{
  int dirfd;
  const char *name;
  int flags = _sp_node_at (ov, node, &dirfd, &name);

  if (fstatat (dirfd, name, st, flags | AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  if (node->layer == 1)
    _sp_lower_manifest_apply (node->man, st);
  st->st_ino = node->ino;
  _sp_squash_owner (ov, st);
  if (node->fds != NULL)
    {
      int parts = 0;

      for (int k = 0; k < ov->nlayers; k++)
        parts += node->fds[k] >= 0;
      if (parts > 1)
        st->st_nlink = 1;
    }
  return 0;
}

int
_sp_node_open (SpOverlay *ov, SpNode *node, int flags)
{
  int dirfd;
  const char *name;
  int fd;

  flags |= O_CLOEXEC;
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
  if (_sp_node_at (ov, node, &dirfd, &name) == AT_EMPTY_PATH)
    {
      char path[64];

      /* The descriptor is a directory or a regular file, never a symlink
       * (the kernel resolves those itself), but its /proc entry is a magic
       * link: O_NOFOLLOW from the caller would make every open fail with
       * ELOOP. */
      snprintf (path, sizeof path, "/proc/self/fd/%d", dirfd);
      fd = open (path, flags & ~O_NOFOLLOW);
    }
  else
    fd = openat (dirfd, name, flags | O_NOFOLLOW);
  return fd < 0 ? -errno : fd;
}
