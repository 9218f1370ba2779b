/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-game.h"
#include "sp-player.h"

G_BEGIN_DECLS

/* A game's page: its checkpoint timeline (newest first, the clean install at
 * the bottom, the current checkpoint marked, branches noted), Play, and the
 * game's settings (SpGameSettings).
 *
 * Actions (also what the checkpoint context menu uses; "s" = checkpoint id,
 * "" = the clean install):
 *   game.back, game.play, game.import, game.verify, game.discarded (the
 *   Recently Discarded window),
 *   checkpoint.play(s), checkpoint.restore(s), checkpoint.rename(s),
 *   checkpoint.export(s), checkpoint.delete(s)
 * Deleting hides the checkpoint and shows a toast with Undo; the checkpoint
 * is deleted from the drive when the toast is dismissed (or the page goes
 * away or shows another game).
 * Signals: "play" (play the game from its current checkpoint), "back",
 * "stop" (Stop while the game runs), "keep" / "discard" (the buttons of the
 * "Not yet kept" state of a run that ended undecided).
 * With a player (sp_game_page_set_player()), the page shows the game's
 * session as its card does: running (elapsed time, Stop instead of Play) or
 * ended and not yet kept (Keep… / Discard). */

#define SP_TYPE_GAME_PAGE (sp_game_page_get_type ())

G_DECLARE_FINAL_TYPE (SpGamePage, sp_game_page, SP, GAME_PAGE, GtkWidget)

GtkWidget   *sp_game_page_new              (void);
SpGame      *sp_game_page_get_game         (SpGamePage *self);
void         sp_game_page_set_game         (SpGamePage *self,
                                            SpGame     *game);
/* The timeline's list box; its rows are SpCheckpointRow. */
GtkListBox  *sp_game_page_get_timeline     (SpGamePage *self);
/* The sessions the page follows. */
void         sp_game_page_set_player       (SpGamePage *self,
                                            SpPlayer   *player);
/* The session of the page's game (running or undecided), or NULL. */
SpSession   *sp_game_page_get_session      (SpGamePage *self);
/* The toast of the newest pending delete, or NULL. Transfer none. */
AdwToast    *sp_game_page_get_delete_toast (SpGamePage *self);
/* Deletes now what is waiting for its toast to go (async: see
 * sp_game_page_get_writing()). */
void         sp_game_page_commit_deletes   (SpGamePage *self);
/* The checkpoints (of any game) whose delete is pending or under way,
 * shown as gone (property "hidden-checkpoints", notified on change). */
GStrv        sp_game_page_dup_hidden_checkpoints (SpGamePage *self);
/* TRUE while a restore, rename, delete or settings save is being written
 * to the drive; the checkpoint actions and Play are off meanwhile. */
gboolean     sp_game_page_get_writing      (SpGamePage *self);

/* How many findings the last verify (game.verify) shows on the page, and
 * the text of finding @i ("Title: message"). */
guint        sp_game_page_get_n_problems   (SpGamePage *self);
char        *sp_game_page_dup_problem      (SpGamePage *self,
                                            guint       i);

G_END_DECLS
