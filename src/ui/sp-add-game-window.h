/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-library.h"

G_BEGIN_DECLS

/* Adds a game to a library: the folder with its clean install, the
 * executable inside it, a name and a kind; then copies the folder into the
 * library with a progress bar and Cancel. Emits "game-added" (SpGame) and
 * closes when done.
 * Actions: add-game.choose-folder, add-game.choose-executable, add-game.add,
 * add-game.cancel. */

#define SP_TYPE_ADD_GAME_WINDOW (sp_add_game_window_get_type ())

G_DECLARE_FINAL_TYPE (SpAddGameWindow, sp_add_game_window, SP, ADD_GAME_WINDOW, AdwWindow)

/* @libraries: a GListModel of SpLibrary to choose from (the first is
 * selected, or @library when given). */
GtkWidget   *sp_add_game_window_new             (GtkWindow       *parent,
                                                 GListModel      *libraries,
                                                 SpLibrary       *library);
void         sp_add_game_window_set_folder      (SpAddGameWindow *self,
                                                 const char      *folder);
const char  *sp_add_game_window_get_folder      (SpAddGameWindow *self);
/* @executable: relative to the folder, or an absolute path inside it. */
void         sp_add_game_window_set_executable  (SpAddGameWindow *self,
                                                 const char      *executable);
void         sp_add_game_window_set_name        (SpAddGameWindow *self,
                                                 const char      *name);
void         sp_add_game_window_set_kind        (SpAddGameWindow *self,
                                                 SpGameKind       kind);
/* TRUE while the copy runs. */
gboolean     sp_add_game_window_get_busy        (SpAddGameWindow *self);

/* The name offered for a game in @folder_name: words split at "_", "-",
 * "." and blanks, each starting with a capital ("the_witcher-3" → "The
 * Witcher 3"). */
char        *sp_add_game_title_from_folder      (const char      *folder_name);
const char  *sp_add_game_window_get_name        (SpAddGameWindow *self);
const char  *sp_add_game_window_get_executable  (SpAddGameWindow *self);
/* TRUE while the folder is searched for its executable. */
gboolean     sp_add_game_window_get_searching   (SpAddGameWindow *self);
/* The warning shown under the form (a game of that name is already in the
 * library), or NULL. */
const char  *sp_add_game_window_get_warning     (SpAddGameWindow *self);

G_END_DECLS
