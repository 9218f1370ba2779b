/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-game.h"

G_BEGIN_DECLS

/* Repairing the clean install of a Wine game added before Savepoint kept
 * user folders inside the prefix (core/sp-wine-prefix.h): the one time
 * base/ is written after adding. Only while no session runs: the game lock
 * is held throughout (SP_LOCK_ERROR_BUSY otherwise), and each link becomes
 * a folder in one step. */

/* Whether @game is a Wine game whose clean install links its user folders
 * outside the prefix (the quick check of drive_c/users). Blocking. */
gboolean  sp_wine_repair_is_needed      (SpGame               *game);

/* Takes the game lock, replaces every link of base/ that leaves the prefix
 * with an empty folder, releases the lock. @out_replaced (optional): the
 * prefix-relative paths replaced (also those done before an error). Fails
 * with SP_LIBRARY_ERROR_READ_ONLY for a read-only game and
 * SP_LIBRARY_ERROR_INVALID for a game that is not a Wine game. Blocking. */
gboolean  sp_wine_repair_sync           (SpGame               *game,
                                         GStrv                *out_replaced,
                                         GCancellable         *cancellable,
                                         GError              **error);
/* The same in a worker thread. */
void      sp_wine_repair_async          (SpGame               *game,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* The replaced paths (possibly empty), or NULL with @error. */
GStrv     sp_wine_repair_finish         (SpGame               *game,
                                         GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
