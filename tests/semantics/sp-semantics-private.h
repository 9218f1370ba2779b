/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include "sp-semantics.h"

G_BEGIN_DECLS

#define SP_N_SLOTS 8

/* Lower layers get this mtime (and atime) on every entry, the operations use
 * other old times; anything at or after SP_RECENT_TIME was set by the file
 * system itself ("now"). Times before it must match between the mounts. */
#define SP_FIXED_TIME  1000000000   /* 2001-09-09 */
#define SP_RECENT_TIME 1500000000   /* 2017-07-14 */

/* One of the two mounts of a scenario. */
typedef struct
{
  const char *label;                 /* "kernel" or "tested" */
  gboolean    is_fuse;
  char       *root;
  char       *lowers[SP_MAX_LOWERS + 1];   /* NULL-terminated for g_strjoinv */
  guint       n_lowers;
  char       *upper;
  char       *work;
  char       *mnt;
  gboolean    mounted;
  int         fds[SP_N_SLOTS];
  ino_t       inos[SP_N_SLOTS];
} SpSide;

/* One entry of a snapshot of a tree (merged or upper). */
typedef struct
{
  char     *path;          /* relative to the tree root, "." for the root */
  char      type;          /* d f l p c b s, or w (whiteout, upper trees only) */
  guint     mode;          /* permission bits */
  guint     uid;
  guint     gid;
  guint     nlink;
  gint64    size;
  guint64   rdev;
  guint64   ino;
  char     *content;       /* sha256 of a file, target of a symlink */
  char     *xattrs;        /* name="value" pairs, sorted, without internal names */
  char     *internal;      /* the same for user.overlay.* and trusted.overlay.* */
  gint64    mtime_sec;
  gint64    mtime_nsec;
  gboolean  opaque;        /* upper trees: an opaque directory */
  gboolean  dev_same;      /* st_dev equals the root's */
  char     *link_group;    /* the first path (sorted) sharing this st_ino */
} SpNode;

char        *_sp_side_run_op          (SpSide      *side,
                                       const SpOp  *op);
char        *_sp_op_describe          (const SpOp  *op);
void         _sp_side_close_fds       (SpSide      *side);
const char  *_sp_errno_name           (int          err);
gboolean     _sp_drop_caches          (void);
gboolean     _sp_op_results_match     (const SpOp  *op,
                                       const char  *kernel,
                                       const char  *tested);

/* path → SpNode; NULL with @report filled when the tree cannot be read. */
GHashTable  *_sp_tree_snapshot        (const char  *root,
                                       gboolean     upper,
                                       GString     *report);
/* @kernel_again: the kernel's tree after dropping its caches, or NULL;
 * @writeback_mtime: paths whose merged-tree mtime the tested side may leave
 * old (see SpScenario), or NULL. */
void         _sp_tree_compare         (GHashTable         *kernel,
                                       GHashTable         *kernel_again,
                                       GHashTable         *tested,
                                       const char *const  *writeback_mtime,
                                       const char         *what,
                                       GString            *report);
GHashTable  *_sp_tree_unstable_inos   (GHashTable  *before,
                                       GHashTable  *after);
gboolean     _sp_xattr_is_internal    (const char  *name);

G_END_DECLS
