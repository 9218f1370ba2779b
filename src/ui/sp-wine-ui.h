/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "play/sp-play.h"
#include "sp-window.h"

G_BEGIN_DECLS

/* What the window says about Wine prefixes (sp-wine-ui.c): the game page's
 * "User folders outside the prefix" group with its Repair button, and the
 * question before playing with another Wine than the one that made the
 * clean install. */

#define SP_TYPE_WINE_REPAIR_GROUP (sp_wine_repair_group_get_type ())

G_DECLARE_FINAL_TYPE (SpWineRepairGroup, sp_wine_repair_group, SP, WINE_REPAIR_GROUP,
                      AdwPreferencesGroup)

GtkWidget   *sp_wine_repair_group_new      (void);
/* Shows the group when @game (or NULL) is a Wine game whose clean install
 * links user folders outside the prefix (checked in a worker thread). */
void         sp_wine_repair_group_set_game (SpWineRepairGroup *self,
                                            SpGame            *game);

/* Starts @session with sp_player_start() once the Wine it runs is known to
 * be the one that made the game's clean install, or the player chose "Play
 * Anyway" (the update Wine makes to the prefix lands in every checkpoint)
 * or "Update Clean Install" (sp_wine_update_async(), then it plays). An
 * update of the clean install that did not finish is offered to be
 * finished first. */
void         _sp_window_play_checking_wine (SpWindow          *self,
                                            SpSession         *session);

G_END_DECLS
