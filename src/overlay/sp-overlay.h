/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The overlay filesystem: N read-only lower directories (top to bottom) and
 * one upper directory merged at a mount point by a libfuse3 low-level
 * session served by a worker thread.  The upper directory uses the kernel
 * overlayfs conventions (whiteout = character device 0/0 or `.wh.NAME`,
 * opaque directory = xattr user.overlay.opaque="y" or `.wh..wh..opq`).
 * Plain C and pthreads: no GLib here.
 *
 * Semantics follow the kernel overlay (without index, redirect_dir, metacopy
 * or xino), with these deliberate differences:
 * - no user.overlay.origin/impure xattrs are written: inode numbers are kept
 *   stable for the life of the mount in memory instead;
 * - names starting with ".wh." are reserved (hidden, creating them fails
 *   with EPERM): they are whiteouts in the checkpoint format;
 * - statfs reports the upper filesystem with FUSE's f_type;
 * - byte-range and flock locks are kept by the kernel for the mount (every
 *   user goes through it), not passed to the layers;
 * - bytes_read counts the bytes requested by reads served, not cached ones;
 * - with the FUSE writeback cache (the default; see no_writeback) the FUSE
 *   kernel module keeps regular files' mtime itself: a truncate to the same
 *   size shows no new mtime in the merged view (the upper file has it);
 * - a copy-up is renamed into place atomically but not fsync()ed: the upper
 *   dir is scratch space until the session packs it (see _sp_copy_up()). */

typedef struct _SpOverlay SpOverlay;

typedef struct
{
  uint64_t bytes_read;
  uint64_t bytes_written;
  uint64_t copy_ups;
  uint64_t files_created;
  uint64_t files_deleted;
} SpOverlayStats;

typedef struct
{
  /* Let other users than the mounter use the mount (needs user_allow_other
   * in /etc/fuse.conf when not root). */
  unsigned allow_other : 1;
  /* Print every FUSE request on stderr. */
  unsigned debug : 1;
  /* -1: mount ourselves.  >= 0: an already-opened /dev/fuse file descriptor
   * that someone else mounted (e.g. a fusermount3 wrapper on the host); the
   * overlay takes ownership of it. */
  int fuse_fd;
  /* Name shown as the mount source in /proc/mounts; NULL = "savepoint". */
  const char *fsname;
  /* Worker threads of the session loop; 0 = default. */
  unsigned max_threads;
  /* Turn the FUSE writeback cache off.  With it (the default, faster for
   * small writes) the kernel keeps written pages and hands them to the
   * overlay later, at the latest on close() or fsync(): if the process
   * serving the mount dies (kill -9), writes the kernel had not yet sent
   * are lost.  Without it every write() reaches the upper file before it
   * returns. */
  unsigned no_writeback : 1;
  /* Ownership follows the player, as exFAT's uid=/gid= mount options or
   * fuse-overlayfs's squash_to_uid/squash_to_gid: every entry is shown as
   * owned by squash_uid (when squash_uid_set) and squash_gid (when
   * squash_gid_set), keeping its mode bits, so permission checks work as
   * if the player had made the files, whoever wrote the lower layers.
   * New files and copy-ups are given these ids in the upper layer (the
   * overlay can give them only when it runs as root; otherwise they are
   * the mounter's, who is then the player).  A chown through the mount to
   * other ids fails with EPERM, as on exFAT. */
  unsigned squash_uid_set : 1;
  unsigned squash_gid_set : 1;
  uid_t    squash_uid;
  gid_t    squash_gid;
  /* The mount goes by itself when the process serving it dies (kill -9):
   * a watcher process (sh and fusermount3, see sp-overlay.c) detaches it
   * once its connection is gone, as libfuse's auto_unmount would if its
   * libfuse 3.14 fusermount3 worked without allow_other.  Ignored with
   * fuse_fd >= 0 (who mounted it watches it). */
  unsigned auto_unmount : 1;
  /* The manifest of the first lower layer (see common/sp-manifest-format.h),
   * or NULL: what the drive holding it could not store (symbolic links
   * kept as empty files, names it refused, permission bits it does not
   * keep) is shown as recorded, and copied up as recorded. A manifest that
   * cannot be read or is not valid makes the mount fail. */
  const char *manifest;
} SpOverlayOptions;

#define SP_OVERLAY_OPTIONS_INIT { .fuse_fd = -1 }

/* Mounts and returns once the mount is live, or NULL with a malloc'd message
 * that names the path and the cause in *error_message (when not NULL). */
SpOverlay *sp_overlay_mount     (const char *const      *lowers,
                                 const char             *upper,
                                 const char             *work,
                                 const char             *mountpoint,
                                 const SpOverlayOptions *options,
                                 char                  **error_message);

/* Unmounts (retrying while busy, then detaching lazily and aborting the
 * connection), stops the session, joins the worker thread and frees the
 * overlay.  Returns 0, or -1 with a malloc'd message; the overlay is freed
 * either way. */
int        sp_overlay_unmount   (SpOverlay              *overlay,
                                 char                  **error_message);

/* Blocks until the session ends on its own (someone unmounted it). */
void       sp_overlay_wait      (SpOverlay              *overlay);

/* Nonzero while the session loop still serves the mount; 0 once it has
 * ended (someone unmounted it, e.g. fusermount3 -u, or the connection was
 * aborted). */
int        sp_overlay_is_alive  (SpOverlay              *overlay);

/* Raises the soft limit on descriptors to the hard one and grows this
 * process's descriptor table to its working size in one step. The overlay
 * keeps a descriptor per directory; growing the table later, one doubling
 * at a time, makes each growth wait for an RCU grace period once the
 * process has threads. sp_overlay_mount() calls it; a program that mounts
 * calls it first thing in main(), while it has one thread and it costs
 * nothing. */
void       sp_overlay_reserve_fd_table (void);

/* Counters, readable from any thread while mounted. */
void       sp_overlay_get_stats (SpOverlay              *overlay,
                                 SpOverlayStats         *out);

#ifdef __cplusplus
}
#endif
