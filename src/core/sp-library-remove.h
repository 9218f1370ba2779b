/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-library.h"

G_BEGIN_DECLS

/* Removing a game from a library but keeping its files: games/<slug>/ is
 * moved by one rename into the drive's trash (sp-drive-trash.h), as
 *
 *   trash/<slug>.removed[.<n>]/savepoint-removed-game.ini
 *                                 [RemovedGame] Version=1, Game=<slug>,
 *                                 Name=<name>, Removed=<ISO 8601 UTC>:
 *                                 the marker, written first
 *   trash/<slug>.removed[.<n>]/game/   the game's folder, as it was
 *
 * Nothing is copied. The checkpoint entries of the trash carry another
 * marker, so emptying the trash never touches a removed game: its files
 * stay on the drive until sp_library_restore_game() brings it back or the
 * user deletes them. These calls do not check whether the game is being
 * played: that is sp_game_remove() (src/play/sp-game-remove.h). */

#define SP_REMOVED_GAME_MARKER "savepoint-removed-game.ini"
#define SP_REMOVED_GAME_DIR    "game"

/* Checks that games/<slug> of @game is a real folder (not a link) on the
 * library's file system. */
gboolean  sp_library_check_game_folder (SpLibrary  *self,
                                        SpGame     *game,
                                        GError    **error);
/* Moves @game's folder into the trash and drops it from the games list.
 * Returns the trash entry's name (for sp_library_restore_game()). */
char     *sp_library_trash_game        (SpLibrary  *self,
                                        SpGame     *game,
                                        GError    **error);
/* Moves the removed game of trash entry @entry_name back to games/<slug>
 * (refused when that name is taken meanwhile) and returns it, listed
 * again. */
SpGame   *sp_library_restore_game      (SpLibrary  *self,
                                        const char *entry_name,
                                        GError    **error);

/* Deletes the removed game of trash entry @entry_name of the library at
 * @library_path for good: its game/ folder, the marker, then the entry
 * (refused when it holds anything else). Checks the marker on the opened
 * folder; touches no SpLibrary, so it may run in a worker thread. */
gboolean  sp_library_delete_removed_game (const char    *library_path,
                                          const char    *entry_name,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
