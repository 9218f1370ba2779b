/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The semantic harness: builds the same layers twice, mounts one copy with
 * the kernel overlay and one with the file system under test ($SP_OVERLAYFS),
 * runs the same operations on both and compares what each operation
 * returned, the merged trees and, after unmounting, the upper dirs. */

#include <glib.h>

G_BEGIN_DECLS

/* One entry of a layer, built before mounting. */
typedef enum
{
  SP_E_END = 0,
  SP_E_DIR,        /* path, mode */
  SP_E_FILE,       /* path, mode, data (NUL-terminated text) */
  SP_E_SPARSE,     /* path, mode, data written at offset num (a hole before it), size num2 */
  SP_E_SYMLINK,    /* path, data = target */
  SP_E_HARDLINK,   /* path, data = existing path in the same layer */
  SP_E_FIFO,       /* path, mode */
  SP_E_WHITEOUT,   /* path: a char device 0/0 */
  SP_E_OPAQUE,     /* path: an existing dir gets user.overlay.opaque="y" */
  SP_E_XATTR,      /* path, data = "name=value" */
  SP_E_OWNER,      /* path, num = uid, num2 = gid */
  SP_E_MANY,       /* path = name prefix, num = count: files <prefix>000…, content = name */
} SpEntryKind;

typedef struct
{
  SpEntryKind  kind;
  const char  *path;
  guint        mode;
  const char  *data;
  gint64       num;
  gint64       num2;
} SpEntry;

/* One operation, run on both mounts; paths are relative to the mount. */
typedef enum
{
  SP_OP_END = 0,
  SP_OP_CREATE,         /* path, data, a = mode: O_CREAT|O_EXCL, write data */
  SP_OP_OPEN_CREAT,     /* path, data, a = mode: O_CREAT without O_EXCL, pwrite at 0 */
  SP_OP_WRITE,          /* path, data, a = offset: O_WRONLY, pwrite */
  SP_OP_APPEND,         /* path, data: O_APPEND */
  SP_OP_OPEN_TRUNC,     /* path, data: O_WRONLY|O_TRUNC, write */
  SP_OP_TRUNCATE,       /* path, a = size */
  SP_OP_READ,           /* path → content */
  SP_OP_STAT,           /* path → type, mode, nlink, size, owner (lstat) */
  SP_OP_CHMOD,          /* path, a = mode */
  SP_OP_CHOWN,          /* path, a = uid, b = gid (lchown) */
  SP_OP_UTIMES,         /* path, a = seconds, b = nanoseconds (no follow) */
  SP_OP_SETXATTR,       /* path, data = "name=value", a = flags */
  SP_OP_GETXATTR,       /* path, data = name → value */
  SP_OP_LISTXATTR,      /* path → sorted names */
  SP_OP_REMOVEXATTR,    /* path, data = name */
  SP_OP_UNLINK,         /* path */
  SP_OP_RMDIR,          /* path */
  SP_OP_MKDIR,          /* path, a = mode */
  SP_OP_RENAME,         /* path → data, a = renameat2 flags */
  SP_OP_LINK,           /* path → new name data */
  SP_OP_SYMLINK,        /* path = the link, data = target */
  SP_OP_READLINK,       /* path → target */
  SP_OP_MKFIFO,         /* path, a = mode */
  SP_OP_MKNOD,          /* path, a = mode with the file type, b = rdev (major << 8 | minor) */
  SP_OP_OPEN_FLAGS,     /* path, a = open flags (mode 0644): just open and close */
  SP_OP_MMAP_SHARED,    /* path, data written through MAP_SHARED at offset a */
  SP_OP_MMAP_PRIVATE,   /* path, data written to a MAP_PRIVATE mapping → what the mapping reads */
  SP_OP_MMAP_READ,      /* path → content read through a mapping */
  SP_OP_MMAP_EXEC,      /* path → content read through a PROT_EXEC mapping (Wine maps DLLs) */
  SP_OP_WRITE_PATTERN,  /* path, a = offset, b = length: write a deterministic pattern */
  SP_OP_FALLOCATE,      /* path, a = offset, b = length, c = mode */
  SP_OP_SEEK,           /* path, a = whence (SEEK_DATA/SEEK_HOLE), b = offset → result */
  SP_OP_STATFS,         /* path → sanity checks against the upper file system */
  SP_OP_FLOCK,          /* path → two opens, flock(LOCK_EX|LOCK_NB) on each */
  SP_OP_OFD_LOCK,       /* path → two opens, F_OFD_SETLK write lock on each, F_OFD_GETLK */
  SP_OP_FSYNC,          /* path: open O_RDWR (O_RDONLY for dirs), fsync, fdatasync */
  SP_OP_OPEN,           /* path, a = slot, b = open flags */
  SP_OP_FD_WRITE,       /* a = slot, data, b = offset */
  SP_OP_FD_READ,        /* a = slot → content from offset 0 */
  SP_OP_FD_FSTAT,       /* a = slot → type, mode, nlink, size */
  SP_OP_CLOSE,          /* a = slot */
  SP_OP_READDIR,        /* path → sorted names with d_type, duplicates flagged */
  SP_OP_READDIR_SEEK,   /* path, a = entries read before telldir, data = changes
                         * ("+name" creates, "-name" unlinks, comma separated) */
  SP_OP_INO_SAVE,       /* path, a = slot: remember st_ino */
  SP_OP_INO_SAME,       /* path, a = slot → "same" or "changed" */
  SP_OP_INO_EQ,         /* path, data = other path → "equal" or "different" */
  SP_OP_DEV_SAME,       /* path, data = other path → "equal" or "different" st_dev */
  SP_OP_DROP_CACHES,    /* forget dentries and inodes so the next access looks up again */
  SP_OP_OPEN_AS,        /* path, a = uid (also gid), b = open flags (mode 0644) */
  SP_OP_MKDIR_AS,       /* path, a = uid (also gid) */
  SP_OP_UNLINK_AS,      /* path, a = uid (also gid) */
} SpOpKind;

typedef struct
{
  SpOpKind     kind;
  const char  *path;
  const char  *data;
  gint64       a;
  gint64       b;
  gint64       c;
} SpOp;

#define SP_MAX_LOWERS 3

typedef enum
{
  SP_SCENARIO_NONE          = 0,
  /* Pass allow_other to the tested mount: another uid must reach it. */
  SP_SCENARIO_ALLOW_OTHER   = 1 << 0,
  /* Build the tested side's upper with the fallback forms: `.wh.<name>`
   * files for whiteouts and `.wh..wh..opq` files for opaque dirs (the
   * kernel side keeps the device and xattr forms, which it understands). */
  SP_SCENARIO_FALLBACK_FORMS = 1 << 1,
} SpScenarioFlags;

typedef struct
{
  const char      *name;
  const SpEntry   *lowers[SP_MAX_LOWERS + 1];   /* top to bottom, NULL-terminated */
  const SpEntry   *upper;                       /* initial upper (a resumed checkpoint) or NULL */
  const SpOp      *ops;
  SpScenarioFlags  flags;
  /* Regular files whose mtime a FUSE file system with the writeback cache
   * cannot show as the kernel overlay does in the merged view (a truncate
   * to the same size: the FUSE kernel module keeps such files' mtime itself
   * and moves it only when the size changes).  Their mtime in the upper dir
   * after unmount is still compared.  NULL-terminated, or NULL. */
  const char *const *writeback_mtime;
} SpScenario;

/* Runs one scenario and adds every difference to @report (one line each).
 * Returns FALSE when the scenario could not run at all (setup failure,
 * missing binary); @report then says why. */
gboolean     sp_semantics_run_scenario    (const SpScenario *scenario,
                                           GString          *report);

/* Runs the scenarios of one semantic area and fails the current test with
 * every difference found. */
void         sp_semantics_run_area        (const SpScenario *scenarios,
                                           gsize             n_scenarios);

/* The command under test: $SP_OVERLAYFS, else $SP_OVERLAYFS_BUILT. */
const char  *sp_semantics_overlayfs       (void);

G_END_DECLS
