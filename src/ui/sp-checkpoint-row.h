/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-checkpoint.h"

G_BEGIN_DECLS

/* One row of a game's timeline: a checkpoint (label, date, play time, size,
 * the first line of its note, the whole note as tooltip; kept up to date
 * when the label, note or pin change; a pin icon on pinned ones) or, with no
 * checkpoint, the clean install. Marks the current checkpoint
 * and where the timeline branches. Right-click, long-press, the Menu key and
 * its menu button open the context menu, whose items activate the
 * "checkpoint.*" actions (parameter: the checkpoint id, "" = clean install)
 * of an ancestor (SpGamePage). */

#define SP_TYPE_CHECKPOINT_ROW (sp_checkpoint_row_get_type ())

G_DECLARE_FINAL_TYPE (SpCheckpointRow, sp_checkpoint_row, SP, CHECKPOINT_ROW, AdwActionRow)

GtkWidget    *sp_checkpoint_row_new            (SpCheckpoint    *checkpoint);
/* NULL for the clean install row. */
SpCheckpoint *sp_checkpoint_row_get_checkpoint (SpCheckpointRow *self);
/* The id the actions get: the checkpoint's id or "" for the clean install. */
const char   *sp_checkpoint_row_get_target     (SpCheckpointRow *self);
gboolean      sp_checkpoint_row_get_current    (SpCheckpointRow *self);
void          sp_checkpoint_row_set_current    (SpCheckpointRow *self,
                                                gboolean         current);
/* The row's level in the timeline's tree: 0 for the line of the current
 * checkpoint (or the first line played), one more for each branch off it.
 * Drawn as an indent with a connector line; capped at
 * SP_CHECKPOINT_ROW_MAX_DEPTH so narrow windows keep room for the label. */
#define SP_CHECKPOINT_ROW_MAX_DEPTH 4
void          sp_checkpoint_row_set_depth      (SpCheckpointRow *self,
                                                guint            depth);
guint         sp_checkpoint_row_get_depth      (SpCheckpointRow *self);
/* Whether the row is the first of its branch (drawn with an elbow from its
 * parent's level; later rows of the branch with a straight line). */
void          sp_checkpoint_row_set_branch_start (SpCheckpointRow *self,
                                                  gboolean         branch_start);
/* The marker icon (its position shows the indent), for tests. */
GtkWidget    *sp_checkpoint_row_get_marker     (SpCheckpointRow *self);
/* A line about the row's place in the timeline, such as "Branched from
 * “Before the boss”", or NULL (not the checkpoint's own note). */
void          sp_checkpoint_row_set_note       (SpCheckpointRow *self,
                                                const char      *note);
/* Re-reads the checkpoint's label and details. */
void          sp_checkpoint_row_refresh        (SpCheckpointRow *self);
/* Opens the context menu (as right-click does). */
void          sp_checkpoint_row_popup_menu     (SpCheckpointRow *self);
/* The menu the row offers, for tests. Transfer none. */
GMenuModel   *sp_checkpoint_row_get_menu       (SpCheckpointRow *self);

G_END_DECLS
