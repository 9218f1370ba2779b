/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where the overlays of play sessions are mounted, and the mount table:
 * <sp_mounts_dir>/<slug>@<library-id> is the mount point of a game's
 * session (two drives may hold games of the same slug, and both can run).
 * Errors are in the SP_RUN_ERROR domain (sp-run.h). */

/* $XDG_RUNTIME_DIR/savepoint (or /tmp/savepoint-<uid> without one) */
char        *sp_mounts_dir           (void);
/* sp_mounts_dir(), created if missing (mode 0700) and checked on the opened
 * folder: a folder, not a symlink, owned by us, no access for others.
 * Fails with SP_RUN_ERROR_UNSAFE naming the folder otherwise. */
char        *sp_mounts_dir_ensure    (GError     **error);
/* <sp_mounts_dir>/<slug>@<library-id>; NULL for an id or slug that is
 * not valid. */
char        *sp_mount_point_for      (const char  *library_id,
                                      const char  *slug);

/* TRUE if @path is a mount point in /proc/self/mountinfo. */
gboolean     sp_is_mount_point       (const char  *path);
/* Detaches the mount on @path (umount2 MNT_DETACH, else fusermount3 -uz);
 * a symlink at @path is not followed. */
gboolean     sp_detach_mount         (const char  *path,
                                      GError     **error);
/* Unmounts FUSE mounts under sp_mounts_dir() that no live session of ours
 * owns (dead ones answer ENOTCONN). Returns how many were removed. */
guint        sp_run_cleanup_stale_mounts (void);

G_END_DECLS
