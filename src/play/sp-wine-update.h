/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-game.h"
#include "core/sp-library.h"

G_BEGIN_DECLS

/* Updating the clean install of a Wine game with another Wine (issue 13):
 * a Wine other than the one of the game's WineVersion= updates the prefix
 * when it starts it (wineboot), and that update would land in every
 * checkpoint. Instead the update is made once, into base/:
 *
 * 1. under the game's lock, with no run of the game pending or running
 *    (sp_game_guard_acquire()), the marker games/<slug>/wine-update.ini
 *    ([WineUpdate] Version=, Stage=boot) is written;
 * 2. the game's overlay is mounted at its own mount point with base/ as the
 *    only lower and games/<slug>/wine-update/upper as the upper (the same
 *    drive, so applying is renaming), and `wineboot -u`, then
 *    `wineserver -w`, run in it as a session runs Wine (the runner, the
 *    game's WineUser= as USER);
 * 3. once unmounted, the marker says Stage=apply and the upper is applied
 *    onto base/: entries renamed into place, whiteouts removing what they
 *    hide, each step harmless to do again;
 * 4. WineVersion= is written to game.ini, then the work folder and the
 *    marker are removed.
 *
 * An update interrupted in step 2 left base/ untouched and is thrown away;
 * one interrupted in step 3 or 4 is finished from its upper by the next
 * update, and until then no session starts
 * (sp_wine_update_check_not_pending()).
 * Drives that cannot store links (exFAT, NTFS, FAT: base.manifest) are
 * refused for now: what they cannot store would have to go through the
 * game's manifest. */

/* The version an update of @game's clean install was making when it did
 * not finish (its marker is on the drive; "" when the marker does not say),
 * else NULL. Blocking (a small read). */
char     *sp_wine_update_get_pending       (SpGame               *game);

/* For a session about to mount the game in @game_path (named @name, slug
 * @slug, for the message): fails with SP_LIBRARY_ERROR_BUSY while an
 * update of its clean install that got as far as changing base/ has not
 * finished, saying how to finish it. (One cut short while Wine ran left
 * base/ as it was.) Blocking (a small read). */
gboolean  sp_wine_update_check_not_pending (const char           *game_path,
                                            const char           *name,
                                            const char           *slug,
                                            GError              **error);

/* Finishes an update of @game's clean install that did not finish; else
 * updates it with the Wine @runner (a command line, as
 * sp_session_get_runner() gives it) unless that Wine made it. Records the
 * version in game.ini (sp_game_save_sync(): call it on @game's thread).
 * Returns the version now recorded, or NULL with @error:
 * SP_LIBRARY_ERROR_READ_ONLY, SP_LIBRARY_ERROR_INVALID (not a Wine game, a
 * drive without links), SP_RUN_ERROR_IN_USE or SP_RUN_ERROR_EXISTS (being
 * played, or a run waits to be kept or discarded), or an I/O or Wine
 * error. @out_finished (optional): TRUE when an interrupted update was
 * finished. Blocking, for a minute or two. */
char     *sp_wine_update_sync              (SpLibrary            *library,
                                            SpGame               *game,
                                            const char           *runner,
                                            gboolean             *out_finished,
                                            GCancellable         *cancellable,
                                            GError              **error);
/* The same with the files changed in a worker thread and game.ini written
 * in the caller's main context. */
void      sp_wine_update_async             (SpLibrary            *library,
                                            SpGame               *game,
                                            const char           *runner,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char     *sp_wine_update_finish            (SpGame               *game,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
