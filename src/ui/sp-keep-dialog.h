/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* "Keep this run?": asked when a game exits. Shows what the run did
 * (duration, files added/changed/deleted, size) and takes a label.
 * Responses: "keep" (suggested, default), "discard" (destructive), "later"
 * (also on close). */

#define SP_TYPE_KEEP_DIALOG (sp_keep_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpKeepDialog, sp_keep_dialog, SP, KEEP_DIALOG, AdwMessageDialog)

GtkWidget   *sp_keep_dialog_new         (GtkWindow    *parent,
                                         const char   *game_name);
void         sp_keep_dialog_set_summary (SpKeepDialog *self,
                                         gint64        play_time,
                                         guint64       files_added,
                                         guint64       files_changed,
                                         guint64       files_deleted,
                                         guint64       bytes);
/* Shown when the run did not end well (the game failed to start…). */
void         sp_keep_dialog_set_problem (SpKeepDialog *self,
                                         const char   *problem);
const char  *sp_keep_dialog_get_label   (SpKeepDialog *self);
void         sp_keep_dialog_set_label   (SpKeepDialog *self,
                                         const char   *label);
const char  *sp_keep_dialog_get_game_name (SpKeepDialog *self);

G_END_DECLS
