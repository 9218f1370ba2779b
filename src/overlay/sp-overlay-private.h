/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "sp-overlay.h"
#include "common/sp-upper-dir.h"

/* One node per visible object, keyed by its reported inode number.  The
 * FUSE node id is the node's address (the root is FUSE_ROOT_ID).
 *
 * Directories keep an O_PATH descriptor for every layer they are merged
 * from (fds[0] = upper, fds[k] = lower k, -1 where absent); other objects
 * are reached through their parent's descriptor of their layer and their
 * name, or through hfd (an O_PATH descriptor) once they are hard-linked in
 * the upper layer and the name alone no longer identifies them. */
typedef struct _SpNode SpNode;
typedef struct _SpNameSet SpNameSet;
typedef struct _SpLowerManifest SpLowerManifest;

/* One record of the first lower layer's manifest (sp-overlay-manifest.c). */
typedef struct
{
  char       *stored_key;  /* its path in the lower layer */
  const char *stored;      /* its last component */
  char       *real_key;    /* the parent's stored path + '/' + real, or NULL */
  char       *real;        /* the name it really has, or NULL: stored */
  char       *target;      /* a symlink stored as an empty file: its target */
  int         mode;        /* permission bits, or -1: the lower's */
} SpManEntry;

struct _SpNode
{
  SpNode   *parent;
  char     *name;
  SpNode   *hash_next;
  uint64_t  ino;
  uint64_t  generation;
  uint64_t  refs;         /* kernel lookups + children + pins; table_lock */
  mode_t    type;
  int       layer;        /* topmost layer holding it: 0 = upper */
  int       hfd;
  int      *fds;          /* directories only: nlayers descriptors */
  atomic_int nopen;       /* open files: an unlinked one keeps hfd */
  bool      hashed;
  bool      findable;     /* lookups may return it */
  bool      unlinked;     /* its name was removed: never copied up */
  const SpManEntry *man;  /* the manifest's record of its object in the
                             first lower layer, or NULL */
  SpNameSet **lower_names; /* directories: listings of case-folding lower
                              layers, read on first use (sp-overlay-case.c) */
};

typedef struct
{
  uint64_t key;
  uint64_t value;
} SpInoMapEntry;

struct _SpOverlay
{
  int               nlayers;      /* 1 + number of lowers */
  char            **layer_paths;
  int              *layer_fds;
  unsigned         *layer_devidx;
  bool             *layer_casefold; /* lower layers that fold case (exFAT, NTFS…) */
  pthread_mutex_t   case_lock;      /* SpNode.lower_names */
  SpLowerManifest       *manifest;       /* of lower 1, or NULL */
  int               work_fd;
  char             *work_path;
  char             *mountpoint;

  SpNode           *root;

  pthread_mutex_t   table_lock;
  SpNode          **buckets;
  size_t            nbuckets;
  size_t            nnodes;
  SpInoMapEntry    *inomap;       /* copied-up upper ino -> reported ino */
  size_t            inomap_size;
  size_t            inomap_used;
  uint64_t          next_generation;

  pthread_rwlock_t  ns_lock;      /* namespace: taken for writing by changes */

  /* Open files and directories, freed at teardown when the kernel never
   * released them (a connection aborted with files still open). */
  pthread_mutex_t   handles_lock;
  struct _SpHandle *handles;

  struct fuse_session *se;
  pthread_t         thread;
  bool              thread_started;
  int               fuse_fd;
  bool              own_mount;
  dev_t             conn_dev;     /* st_dev of the mount, for aborting */
  int               watch_fd;     /* auto_unmount: the pipe the watcher reads, or -1 */
  pid_t             watch_pid;    /* auto_unmount: the watcher, or 0 */
  bool              is_root;
  mode_t            umask;
  double            timeout;
  bool              writeback;    /* in use (asked for and offered) */
  bool              no_writeback; /* not asked for */
  bool              debug;
  unsigned          max_threads;
  bool              squash_uid_set;
  bool              squash_gid_set;
  uid_t             squash_uid;
  gid_t             squash_gid;

  pthread_mutex_t   done_lock;
  pthread_cond_t    done_cond;
  bool              done;
  bool              initialized;
  int               loop_result;

  atomic_uint_fast64_t tmp_counter;
  atomic_uint_fast64_t bytes_read;
  atomic_uint_fast64_t bytes_written;
  atomic_uint_fast64_t copy_ups;
  atomic_uint_fast64_t files_created;
  atomic_uint_fast64_t files_deleted;
};

typedef struct _SpHandle SpHandle;

struct _SpHandle
{
  SpHandle *prev;
  SpHandle *next;
  bool      is_dir;
};

/* An open file: fi->fh points to it. */
typedef struct
{
  SpHandle    link;
  int         fd;
  atomic_bool lower;      /* fd is a lower file (opened read-only) */
} SpFile;

static inline int
file_fd (struct fuse_file_info *fi)
{
  return ((SpFile *) (uintptr_t) fi->fh)->fd;
}

SpFile *_sp_file_new      (SpOverlay *ov, SpNode *node, int fd);
void    _sp_file_free     (SpOverlay *ov, SpNode *node, SpFile *file);
void    _sp_handles_clear (SpOverlay *ov);

typedef struct
{
  char          *name;
  uint64_t       ino;
  unsigned char  type;
} SpDirEntry;

typedef struct
{
  SpDirEntry *entries;
  size_t      n;
  size_t      alloc;
} SpDirList;

/* Names with the whiteout prefix are the upper layer's own: never shown
 * through the mount, and creating one fails with EPERM. */
static inline bool
_sp_name_is_reserved (const char *name)
{
  return strncmp (name, SP_UPPER_WHITEOUT_PREFIX, SP_UPPER_WHITEOUT_PREFIX_LEN) == 0;
}

/* The inode number shown for REAL in LAYER: layers on other filesystems
 * than the upper one get their index in the top bits, so numbers from
 * different filesystems do not collide. */
static inline uint64_t
_sp_make_ino (SpOverlay *ov, int layer, ino_t real)
{
  unsigned idx = ov->layer_devidx[layer];

  if (idx == 0)
    return real;
  return (uint64_t) real ^ ((uint64_t) idx << 56);
}

/* What the mount shows as the owner of an entry (SpOverlayOptions.squash_*). */
static inline void
_sp_squash_owner (SpOverlay *ov, struct stat *st)
{
  if (ov->squash_uid_set)
    st->st_uid = ov->squash_uid;
  if (ov->squash_gid_set)
    st->st_gid = ov->squash_gid;
}

#define SP_WHITEOUT_NONE 0
#define SP_WHITEOUT_CHR  1
#define SP_WHITEOUT_FILE 2

/* sp-overlay-node.c */
SpNode *_sp_node_get            (SpOverlay *ov, fuse_ino_t ino);
void    _sp_node_ref            (SpOverlay *ov, SpNode *node, uint64_t n);
void    _sp_node_unref          (SpOverlay *ov, SpNode *node, uint64_t n);
void    _sp_node_unhash         (SpOverlay *ov, SpNode *node);
void    _sp_node_renumber       (SpOverlay *ov, SpNode *node, uint64_t ino);
SpNode *_sp_node_new_root       (SpOverlay *ov, char **error_message);
void    _sp_node_table_clear    (SpOverlay *ov);
int     _sp_node_resolve        (SpOverlay *ov, SpNode *dir, const char *name,
                                 SpNode **out, struct stat *st);
int     _sp_node_stat           (SpOverlay *ov, SpNode *node, struct stat *st);
int     _sp_node_at             (SpOverlay *ov, SpNode *node, int *dirfd,
                                 const char **name);
int     _sp_node_path           (SpOverlay *ov, SpNode *node, char *buf,
                                 size_t size, bool *follow);
int     _sp_node_open           (SpOverlay *ov, SpNode *node, int flags);
bool    _sp_node_has_lower      (SpOverlay *ov, SpNode *node);
int     _sp_copy_up             (SpOverlay *ov, SpNode *node, bool with_data);
bool    _sp_name_in_lowers      (SpOverlay *ov, SpNode *dir, const char *name);
int     _sp_upper_whiteout_kind (SpOverlay *ov, int dirfd, const char *name);
int     _sp_make_whiteout       (SpOverlay *ov, int dirfd, const char *name);
int     _sp_set_opaque          (SpOverlay *ov, int dirfd, const char *name);
bool    _sp_xattr_hidden        (const char *real_name);
const char *_sp_xattr_escape    (const char *name, char *buf, size_t size);
void    _sp_xattr_unescape      (const char *real_name, char *buf, size_t size);
void    _sp_tmp_name            (SpOverlay *ov, char *buf, size_t size);
int     _sp_dir_list            (SpOverlay *ov, SpNode *dir, SpDirList *list,
                                 bool stop_at_first);
void    _sp_dir_list_clear      (SpDirList *list);
int     _sp_clear_upper_dir     (SpOverlay *ov, int fd);
void    _sp_inomap_set          (SpOverlay *ov, uint64_t upper_ino, uint64_t ino);
void    _sp_inomap_remove       (SpOverlay *ov, uint64_t upper_ino);

/* sp-overlay-case.c */
void    _sp_overlay_detect_casefold (SpOverlay *ov);
bool    _sp_lower_name_exact     (SpOverlay *ov, SpNode *dir, int k, const char *name);
bool    _sp_name_clashes_by_case (SpOverlay *ov, SpNode *dir, const char *name);
void    _sp_node_free_names      (SpOverlay *ov, SpNode *node);

/* sp-overlay-manifest.c */
SpLowerManifest *_sp_lower_manifest_parse (const char *text, size_t size, char **problem);
SpLowerManifest *_sp_lower_manifest_load  (const char *path, char **problem);
void        _sp_lower_manifest_free  (SpLowerManifest *manifest);
/* The name under which lower layer K of DIR holds the merged NAME: NAME,
 * the stored name the manifest gives for it, or NULL when the lower's NAME
 * is a stored name shown under another name. *ENTRY (may be NULL) is the
 * manifest's record of it, or NULL. */
const char *_sp_lower_name     (SpOverlay *ov, SpNode *dir, int k, const char *name,
                                const SpManEntry **entry);
/* The record of the entry STORED of DIR's first lower layer, or NULL. */
const SpManEntry *_sp_lower_manifest_for_stored (SpOverlay *ov, SpNode *dir, const char *stored);
/* Shows ENTRY's symlink or mode in ST, a stat of its stored object. */
void        _sp_lower_manifest_apply (const SpManEntry *entry, struct stat *st);

/* Helpers shared by the operations. */
#define OV(req) ((SpOverlay *) fuse_req_userdata (req))


static inline void
rdlock (SpOverlay *ov)
{
  pthread_rwlock_rdlock (&ov->ns_lock);
}

static inline void
wrlock (SpOverlay *ov)
{
  pthread_rwlock_wrlock (&ov->ns_lock);
}

static inline void
unlock (SpOverlay *ov)
{
  pthread_rwlock_unlock (&ov->ns_lock);
}

static inline fuse_ino_t
node_id (SpOverlay *ov, SpNode *node)
{
  return node == ov->root ? FUSE_ROOT_ID : (fuse_ino_t) (uintptr_t) node;
}

static inline int
fix_open_flags (SpOverlay *ov, int flags)
{
  if (ov->writeback)
    {
      /* The kernel may read pages of a file open for writing only, and it
       * handles O_APPEND itself. */
      if ((flags & O_ACCMODE) == O_WRONLY)
        flags = (flags & ~O_ACCMODE) | O_RDWR;
      flags &= ~O_APPEND;
    }
  return flags;
}

/* sp-overlay-files.c */
void op_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void op_write_buf (fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off, struct fuse_file_info *fi);
void op_flush (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_release (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_fsync (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void op_fallocate (fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, struct fuse_file_info *fi);
void op_lseek (fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);
void op_opendir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void op_readdirplus (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void op_releasedir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_fsyncdir (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void op_statfs (fuse_req_t req, fuse_ino_t ino);
void op_getxattr (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void op_listxattr (fuse_req_t req, fuse_ino_t ino, size_t size);
void op_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags);
void op_removexattr (fuse_req_t req, fuse_ino_t ino, const char *name);

/* sp-overlay-ops.c */
extern const struct fuse_lowlevel_ops _sp_overlay_ops;
int  _sp_check_empty     (SpOverlay *ov, SpNode *node);
void _sp_keep_open_file  (SpOverlay *ov, SpNode *node, int updir, const char *name);

/* sp-overlay-rename.c */
void op_rename (fuse_req_t req, fuse_ino_t parent, const char *name,
                    fuse_ino_t newparent, const char *newname, unsigned int flags);
