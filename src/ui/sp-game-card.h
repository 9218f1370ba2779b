/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/sp-game.h"

G_BEGIN_DECLS

/* A game in the grid: its icon (or a tile with its initials), name, last
 * played, play time, checkpoint count and current checkpoint. While the game
 * runs it shows a spinner, the elapsed time and a Stop button.
 * Its menu (the ⋮ button, right-click, a long press, the Menu key and
 * Shift+F10: action card.menu) offers Play, Checkpoints, Game Settings…
 * and Remove Game… (actions card.play, card.open, card.settings,
 * card.remove), each emitting the signal of its name; the title opens the
 * game's page too. Clicking the card itself is the flow box's activation
 * (the window plays the game). Signals: "play", "open" (show the game's
 * page), "settings", "remove", "stop". */

#define SP_TYPE_GAME_CARD (sp_game_card_get_type ())

G_DECLARE_FINAL_TYPE (SpGameCard, sp_game_card, SP, GAME_CARD, GtkWidget)

GtkWidget   *sp_game_card_new          (SpGame      *game);
SpGame      *sp_game_card_get_game     (SpGameCard  *self);
void         sp_game_card_set_game     (SpGameCard  *self,
                                        SpGame      *game);
/* NULL when idle; else what is happening ("Running", "Saving…") */
const char  *sp_game_card_get_status   (SpGameCard  *self);
void         sp_game_card_set_status   (SpGameCard  *self,
                                        const char  *status);
/* Seconds shown beside the spinner; < 0 hides the clock. */
void         sp_game_card_set_elapsed  (SpGameCard  *self,
                                        gint64       seconds);
/* Whether the spinner turns (FALSE while a run waits for a decision). */
void         sp_game_card_set_spinning (SpGameCard  *self,
                                        gboolean     spinning);
/* Whether the Stop button is offered (only while the game runs). */
void         sp_game_card_set_can_stop (SpGameCard  *self,
                                        gboolean     can_stop);
/* A run of the game waits for a decision: "Not yet kept" with Keep and
 * Discard (actions card.keep, card.discard: signals "keep", "discard")
 * instead of the status. */
void         sp_game_card_set_pending  (SpGameCard  *self,
                                        gboolean     pending);
gboolean     sp_game_card_get_pending  (SpGameCard  *self);
/* The card's menu (a GtkPopoverMenu). */
GtkPopover  *sp_game_card_get_menu     (SpGameCard  *self);
/* The texts shown, for tests and accessibility. */
const char  *sp_game_card_get_summary  (SpGameCard  *self);

/* Checkpoints to count and show as gone (their delete is pending). */
void         sp_game_card_set_hidden_checkpoints (SpGameCard         *self,
                                                  const char * const *ids);
/* The banner's colour, tinted from the game's icon; FALSE while the card
 * shows the initials tile. */
gboolean     sp_game_card_get_tint     (SpGameCard  *self,
                                        GdkRGBA     *tint);
/* The average colour of @texture's visible pixels (weighted by their
 * opacity); FALSE when all are transparent or the texture is larger
 * than 2048 px. */
gboolean     sp_game_card_average_color (GdkTexture *texture,
                                         GdkRGBA    *color);

G_END_DECLS
