/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-library.h"

G_BEGIN_DECLS

/* Adds a game to a library: the folder with its clean install, the
 * executable inside it, a name and a kind; then copies the folder into the
 * library with a progress bar and Cancel. Emits "game-added" (SpGame) and
 * closes when done.
 * Instead of a folder, the window can make a new Wine prefix
 * (add-game.create-prefix: wineboot in a staging folder of Savepoint's,
 * sp-new-prefix.h) and run the game's installers in it
 * (add-game.run-installer); that prefix is the folder added, and its
 * staging folder goes once the game is added or the window closes.
 * Actions: add-game.choose-folder, add-game.choose-executable,
 * add-game.create-prefix, add-game.run-installer, add-game.add,
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
/* TRUE while the copy runs, or Wine works on the new prefix. */
gboolean     sp_add_game_window_get_busy        (SpAddGameWindow *self);
/* Runs the setup program @installer (an absolute path: .exe, .msi or
 * .bat) in the new prefix this window made, with `wine start /wait /unix`,
 * then waits for wineserver; afterwards the executable it installed is
 * chosen when it is the only new one. Returns FALSE (and does nothing)
 * without such a prefix, while busy, or when Wine cannot be started (said
 * in a dialog). What the file chooser of add-game.run-installer calls. */
gboolean     sp_add_game_window_run_installer   (SpAddGameWindow *self,
                                                 const char      *installer);
/* The staging folder of the new prefix this window made (the prefix is
 * its "prefix" folder), or NULL. */
const char  *sp_add_game_window_get_staging_folder (SpAddGameWindow *self);

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
