/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-game.h"

G_BEGIN_DECLS

/* "Free Up Space" for one game: the drive's free space, what the clean
 * install, the checkpoints and the drive's trash take (measured in a worker
 * thread, core/sp-disk-usage.h), the biggest checkpoints (pinned ones
 * marked), and Empty Trash for the game's checkpoints in the drive's trash
 * (core/sp-drive-trash.h). */

#define SP_TYPE_FREE_SPACE_WINDOW (sp_free_space_window_get_type ())

G_DECLARE_FINAL_TYPE (SpFreeSpaceWindow, sp_free_space_window, SP, FREE_SPACE_WINDOW, AdwWindow)

/* How many of the biggest checkpoints are listed. */
#define SP_FREE_SPACE_BIGGEST 10

GtkWidget   *sp_free_space_window_new          (GtkWindow         *parent,
                                                SpGame            *game);
/* TRUE while measuring or emptying the trash. */
gboolean     sp_free_space_window_get_busy     (SpFreeSpaceWindow *self);
/* The rows' texts, for tests: "Title\nSubtitle" per row of the usage
 * group, then of the biggest checkpoints. */
char        *sp_free_space_window_describe     (SpFreeSpaceWindow *self);

G_END_DECLS
