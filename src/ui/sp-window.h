/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "play/sp-session.h"
#include "sp-game-card.h"
#include "sp-game-page.h"
#include "sp-library-monitor.h"
#include "sp-player.h"

G_BEGIN_DECLS

/* The main window: the games of every library found, as cards grouped by
 * drive, and a game's page (AdwLeaflet). Clicking a card plays the game in
 * an SpSession, which @player keeps (it outlives the window); when it ends,
 * "Keep this run?" (SpKeepDialog) is asked.
 * Actions: win.add-game, win.create-library, win.add-library-folder,
 * win.show-games. */

#define SP_TYPE_WINDOW (sp_window_get_type ())

G_DECLARE_FINAL_TYPE (SpWindow, sp_window, SP, WINDOW, AdwApplicationWindow)

SpWindow        *sp_window_new              (GtkApplication   *application,
                                             GSettings        *settings,
                                             SpLibraryMonitor *monitor,
                                             SpPlayer         *player);
SpLibraryMonitor *sp_window_get_monitor     (SpWindow         *self);
/* "loading", "empty", "no-games" or "games" */
const char      *sp_window_get_view         (SpWindow         *self);
/* The errors shown in the rows of refused libraries, in order. */
GStrv            sp_window_get_refused_messages (SpWindow       *self);
/* The problems shown in @library's section (what it left out). */
GStrv            sp_window_get_library_problems (SpWindow       *self,
                                                 SpLibrary      *library);
/* The card showing @game, or NULL. */
SpGameCard      *sp_window_find_card        (SpWindow         *self,
                                             SpGame           *game);
void             sp_window_open_game        (SpWindow         *self,
                                             SpGame           *game);
void             sp_window_show_games       (SpWindow         *self);
SpGamePage      *sp_window_get_game_page    (SpWindow         *self);
/* TRUE when the game page is shown. */
gboolean         sp_window_get_game_shown   (SpWindow         *self);
/* Plays @game from its current checkpoint (or offers its undecided run). */
void             sp_window_play_game        (SpWindow         *self,
                                             SpGame           *game);
/* The session of @game (running, or waiting for keep/discard), or NULL. */
SpSession       *sp_window_get_session      (SpWindow         *self,
                                             SpGame           *game);
/* The "Keep this run?" dialog on screen, or NULL. */
GtkWidget       *sp_window_get_keep_dialog  (SpWindow         *self);
/* The question asked when the window is closed while a game runs, or NULL. */
GtkWidget       *sp_window_get_quit_dialog  (SpWindow         *self);
/* Asks about the sessions that ended while no window showed them. */
void             sp_window_ask_finished     (SpWindow         *self);
/* The library @game belongs to, or NULL. */
SpLibrary       *sp_window_find_library     (SpWindow         *self,
                                             SpGame           *game);

G_END_DECLS
