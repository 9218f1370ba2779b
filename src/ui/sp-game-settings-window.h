/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-game.h"

G_BEGIN_DECLS

/* The "Game Settings" window of one game: the settings form
 * (SpGameSettings: name, executable picked from the folder's candidates,
 * arguments, runner, environment, retention) and what its checkpoints leave
 * out (game.ini Exclude= and ExcludeDefaults=, sp-exclude.h). Opened from
 * the game page's menu and from the window action "win.game-settings"
 * (parameter "(ss)": library id, game slug). */

#define SP_TYPE_GAME_SETTINGS_WINDOW (sp_game_settings_window_get_type ())

G_DECLARE_FINAL_TYPE (SpGameSettingsWindow, sp_game_settings_window, SP, GAME_SETTINGS_WINDOW, AdwPreferencesWindow)

GtkWidget *sp_game_settings_window_new      (GtkWindow *parent,
                                             SpGame    *game);
SpGame    *sp_game_settings_window_get_game (SpGameSettingsWindow *self);

/* Adds @pattern to the game's exclusions and saves game.ini; FALSE with
 * the reason shown inline (and in @error) when it is refused. What the
 * "Add" row does, for tests and keyboard users alike. */
gboolean   sp_game_settings_window_add_exclusion    (SpGameSettingsWindow  *self,
                                                     const char            *pattern,
                                                     GError               **error);
void       sp_game_settings_window_remove_exclusion (SpGameSettingsWindow  *self,
                                                     const char            *pattern);

/* What a new checkpoint's exclusions left out, for the keep's toast
 * ("12 MB in 40 files left out (caches and excluded files)"), or NULL when
 * nothing was. */
char      *sp_game_settings_describe_excluded (SpCheckpoint *checkpoint);

G_END_DECLS
