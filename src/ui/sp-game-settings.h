/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-game.h"

G_BEGIN_DECLS

/* A game's settings form (the "Game Settings" group of its page): name,
 * executable, arguments, Wine runner and environment, each saved to the
 * drive when applied (Enter or the row's check button). What the user types
 * as a runner or a loader variable is approved on this computer
 * (sp_player_approve()). Read-only games show their settings greyed out. */

#define SP_TYPE_GAME_SETTINGS (sp_game_settings_get_type ())

G_DECLARE_FINAL_TYPE (SpGameSettings, sp_game_settings, SP, GAME_SETTINGS, AdwPreferencesGroup)

GtkWidget *sp_game_settings_new        (void);
SpGame    *sp_game_settings_get_game   (SpGameSettings *self);
void       sp_game_settings_set_game   (SpGameSettings *self,
                                        SpGame         *game);
/* TRUE while a change is being written to the drive (property "saving"). */
gboolean   sp_game_settings_get_saving (SpGameSettings *self);

/* How a list of arguments (or KEY=VALUE entries) is shown in one text row
 * and read back: words without blanks, quotes, backslashes, $ or ` are
 * shown as they are, others shell-quoted (g_shell_quote()); the text is read
 * with g_shell_parse_argv(), an empty or blank text giving an empty list. */
char      *sp_game_settings_join_words  (const char * const *words);
gboolean   sp_game_settings_split_words (const char          *text,
                                         GStrv               *out_words,
                                         GError             **error);

/* The files of the folder @root a game could start with: ".exe" files
 * (any case) for a Wine prefix (@wine, "drive_c/windows" left out), files
 * with an execute bit otherwise. Relative paths, sorted; at most
 * @max_entries directory entries are looked at and no link is followed (a
 * link that leads out of the game is never listed). In a worker thread. */
#define SP_GAME_SETTINGS_SCAN_MAX_ENTRIES 2000

void      sp_game_settings_find_executables_async  (const char          *root,
                                                    gboolean             wine,
                                                    guint                max_entries,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GStrv     sp_game_settings_find_executables_finish (GAsyncResult        *result,
                                                    GError             **error);

/* The executables listed in the Executable row (for tests). */
GListModel *sp_game_settings_get_candidates (SpGameSettings *self);

G_END_DECLS
