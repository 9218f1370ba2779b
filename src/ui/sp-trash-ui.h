/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "play/sp-play.h"

G_BEGIN_DECLS

/* The trash of discarded runs in the app (play/sp-run-trash.h): the Undo
 * toast of a discard, "Recently Discarded" per game, and the question
 * before a restore would leave a pending run behind. @widget is any widget
 * of the main window. */

/* Applies the trash-max-age-days and trash-max-size-gb settings and
 * expires the trash in a worker thread. */
void       sp_trash_ui_expire            (GSettings   *settings);

/* "Run moved to the trash" with Undo: Undo makes it the game's pending
 * run again, which the window then offers. */
void       sp_trash_ui_toast_discarded   (GtkWidget   *widget,
                                          SpRun       *run,
                                          SpGame      *game);

/* The newest Undo toast of a discard while it lives, or NULL (for tests). */
AdwToast  *sp_trash_ui_get_undo_toast    (void);

typedef void (*SpTrashUiProceed) (gpointer user_data);

/* Nothing unkept is overwritten: before @game's head moves to @id (NULL =
 * clean), refuses while the game is played and asks Keep It / Move to
 * Trash / Cancel when it has a pending run. Calls @proceed when the head
 * may move; @destroy frees @user_data in every case. */
void       sp_trash_ui_guard_head_change (GtkWidget       *widget,
                                          SpGame          *game,
                                          const char      *id,
                                          SpTrashUiProceed proceed,
                                          gpointer         user_data,
                                          GDestroyNotify   destroy);

/* The "Recently Discarded" window of @game: its runs in the trash, newest
 * first, each with Restore (to a pending run). */
GtkWidget *sp_trash_ui_discarded_window_new (GtkWidget *widget,
                                             SpGame    *game);

G_END_DECLS
