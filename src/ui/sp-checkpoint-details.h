/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-game.h"

G_BEGIN_DECLS

/* A checkpoint's details: what it changed against the clean install
 * (sp_game_diff(), computed in a worker thread when the window is made),
 * as a list of added, changed and deleted files with a search filter and
 * the total size, and for Wine games the registry keys that differ. Opened
 * by activating a checkpoint's row in the timeline. */

#define SP_TYPE_CHECKPOINT_DETAILS (sp_checkpoint_details_get_type ())

G_DECLARE_FINAL_TYPE (SpCheckpointDetails, sp_checkpoint_details, SP, CHECKPOINT_DETAILS, AdwWindow)

/* @parent may be NULL. */
GtkWidget *sp_checkpoint_details_new         (GtkWindow           *parent,
                                              SpGame              *game,
                                              SpCheckpoint        *checkpoint);
/* Opens the details of @checkpoint of the game of the SpGamePage that
 * holds @from (a row of its timeline), over @from's window. */
void       sp_checkpoint_details_open        (GtkWidget           *from,
                                              SpCheckpoint        *checkpoint);
/* TRUE until the comparison has finished (or failed). */
gboolean   sp_checkpoint_details_get_loading (SpCheckpointDetails *self);
/* The text of the search entry. */
void       sp_checkpoint_details_set_filter  (SpCheckpointDetails *self,
                                              const char          *text);
/* What the window shows: "loading", "error", "empty" (nothing changed)
 * or "changes". */
const char *sp_checkpoint_details_get_state  (SpCheckpointDetails *self);
/* Shows the "files" or the "registry" page. */
void       sp_checkpoint_details_set_page    (SpCheckpointDetails *self,
                                              const char          *name);
/* The rows the filter shows: files, and registry keys. For tests. */
guint      sp_checkpoint_details_get_n_files (SpCheckpointDetails *self);
guint      sp_checkpoint_details_get_n_keys  (SpCheckpointDetails *self);
/* The summary line under the list (counts and total size). */
const char *sp_checkpoint_details_get_summary (SpCheckpointDetails *self);
/* Compares with @other, another checkpoint of the game (what changed from
 * it to this one), or with the clean install (NULL), as the "Compared with"
 * dropdown does. */
void       sp_checkpoint_details_compare_with (SpCheckpointDetails *self,
                                               SpCheckpoint        *other);

G_END_DECLS
