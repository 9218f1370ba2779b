/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* New Wine prefixes before they are added (Add Game's "New Wine Prefix"):
 * made in a staging folder Savepoint owns, never in the user's folders,
 * and removed once the game is added (copied onto the drive) or the window
 * closes without adding it.
 *
 * $XDG_CACHE_HOME/savepoint/new-prefixes/ (the root: ours, mode 0700)
 * holds a staging folder "prefix-XXXXXX" (g_mkdtemp, mode 0700) per prefix:
 *   owner   a key file [NewPrefix] Host, BootId (sp_boot_id_short()), Pid
 *           and PidStart (sp_pid_start_time()): the process that made it;
 *   prefix  the Wine prefix itself (WINEPREFIX), what is added.
 *
 * A staging folder whose owner is gone (this host, and another boot or a
 * process no longer alive) is stale: it is removed when the next prefix is
 * made. Anything else in the root is left alone: a folder without our
 * marker, with a live owner or another host's, not ours or not 0700, a
 * symlink, a file. Every folder is opened without following a symlink and
 * checked by descriptor (owner, mode) before its marker is read or it is
 * removed, with sp_remove_tree_at(). */

#define SP_NEW_PREFIX_MARKER        "owner"
#define SP_NEW_PREFIX_MARKER_GROUP  "NewPrefix"
#define SP_NEW_PREFIX_WINEPREFIX    "prefix"

/* $XDG_CACHE_HOME/savepoint/new-prefixes */
char      *sp_new_prefix_get_root      (void);

/* Removes the stale staging folders of @root (a missing root has none);
 * one that cannot be removed is logged and left. Returns how many went,
 * or -1 with @error when @root cannot be opened or is not ours. Blocking. */
int        sp_new_prefix_remove_stale  (const char    *root,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* Makes @root when missing, removes its stale staging folders, then makes
 * a new staging folder in it with its marker and an empty prefix folder.
 * Returns the staging folder's path (the prefix is its
 * SP_NEW_PREFIX_WINEPREFIX child). Blocking. */
char      *sp_new_prefix_create        (const char    *root,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* Removes the staging folder @staging that this process made (its marker
 * names this process); refuses anything else. A missing one is success.
 * Blocking. */
gboolean   sp_new_prefix_remove        (const char    *staging,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* sp_new_prefix_create() in sp_new_prefix_get_root(), in a worker thread. */
void       sp_new_prefix_create_async  (GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
char      *sp_new_prefix_create_finish (GAsyncResult         *result,
                                        GError              **error);

/* sp_new_prefix_remove() in a worker thread. */
void       sp_new_prefix_remove_async  (const char           *staging,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean   sp_new_prefix_remove_finish (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
