/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "archive/sp-archive.h"

G_BEGIN_DECLS

/* One checkpoint: games/<slug>/checkpoints/<id>.ini describing
 * <id>.tar.zst. Immutable apart from the label, the note, the pin and the parent; SpGame does the
 * writing. The .ini keys ([Checkpoint] group): Parent, Created (ISO 8601 UTC
 * with microseconds), Label, Note (free text, GKeyFile escapes: "\n" for a
 * new line; absent = no note), PlayTime (seconds), Files, Bytes, ArchiveSize,
 * SHA256, Pinned ("true": retention never removes it; absent or "false":
 * not pinned; anything else is malformed); imported checkpoints also carry
 * ImportedFrom (the file name). Unknown keys are kept when the label, note,
 * pin or parent is rewritten. The .ini is
 * authoritative for label and note: editing them never rewrites the archive,
 * whose embedded checkpoint.ini holds Parent, Created, Label, Note and
 * PlayTime as they were when it was packed (an export writes the current
 * label and note into the exported copy). */

#define SP_TYPE_CHECKPOINT (sp_checkpoint_get_type ())

/* The longest note, in characters. */
#define SP_CHECKPOINT_NOTE_MAX_CHARS 4000

G_DECLARE_FINAL_TYPE (SpCheckpoint, sp_checkpoint, SP, CHECKPOINT, GObject)

/* Loads <dir>/<id>.ini; the id is the file name without ".ini". A malformed
 * file fails with SP_LIBRARY_ERROR_MALFORMED naming file and line. A missing
 * archive is not an error: see sp_checkpoint_get_missing(). */
SpCheckpoint *sp_checkpoint_load          (const char   *ini_path,
                                           GError      **error);

/* TRUE if @note (may be NULL = no note) can be a checkpoint's note: UTF-8,
 * at most SP_CHECKPOINT_NOTE_MAX_CHARS characters, no control characters
 * other than new line and tab. Else FALSE with SP_LIBRARY_ERROR_INVALID
 * saying what is wrong. */
gboolean     sp_checkpoint_note_is_valid  (const char   *note,
                                           GError      **error);

/* TRUE if @id is a well-formed checkpoint id ([0-9A-Za-z-], 1..64 chars). */
gboolean     sp_checkpoint_id_is_valid    (const char   *id);
/* A new id: UTC time then random, e.g. "20261123T184512-ab12cd", so ids sort
 * by creation time. */
char        *sp_checkpoint_new_id         (void);

const char  *sp_checkpoint_get_id         (SpCheckpoint *self);
/* Parent checkpoint id, or NULL for a root (started from clean). */
const char  *sp_checkpoint_get_parent     (SpCheckpoint *self);
GDateTime   *sp_checkpoint_get_created    (SpCheckpoint *self);   /* UTC, transfer none */
/* Never NULL; may be empty. */
const char  *sp_checkpoint_get_label      (SpCheckpoint *self);
/* The free-text note; never NULL, may be empty. */
const char  *sp_checkpoint_get_note       (SpCheckpoint *self);
/* TRUE when retention never removes it (Pinned=true). */
gboolean     sp_checkpoint_get_pinned     (SpCheckpoint *self);
gint64       sp_checkpoint_get_play_time  (SpCheckpoint *self);   /* seconds */
guint64      sp_checkpoint_get_files      (SpCheckpoint *self);
guint64      sp_checkpoint_get_bytes      (SpCheckpoint *self);
/* What the game's exclusions left out when it was kept (ExcludedFiles=,
 * ExcludedBytes=; 0 when nothing was, or for checkpoints made before). */
guint64      sp_checkpoint_get_excluded_files (SpCheckpoint *self);
guint64      sp_checkpoint_get_excluded_bytes (SpCheckpoint *self);
guint64      sp_checkpoint_get_archive_size (SpCheckpoint *self);
const char  *sp_checkpoint_get_sha256     (SpCheckpoint *self);
const char  *sp_checkpoint_get_archive_path (SpCheckpoint *self);
const char  *sp_checkpoint_get_ini_path   (SpCheckpoint *self);
/* TRUE when the archive file does not exist (damaged checkpoint: listed,
 * cannot be restored or exported). Checked at load time. */
gboolean     sp_checkpoint_get_missing    (SpCheckpoint *self);

/* Checks the archive's size and SHA-256 against the .ini, and its entries
 * against the rules unpacking applies (sp_archive_check()). */
gboolean     sp_checkpoint_verify    (SpCheckpoint *self,
                                           GCancellable *cancellable,
                                           GError      **error);
/* The same; @out_warning (may be NULL) gets what restoring it changes
 * without refusing (setuid/setgid bits cleared), or NULL. */
gboolean     sp_checkpoint_verify_full    (SpCheckpoint *self,
                                           char        **out_warning,
                                           GCancellable *cancellable,
                                           GError      **error);

/* Unpacks the archive into @dest_dir (see sp_archive_unpack()), checking its
 * size and SHA-256 against the .ini in the same pass. */
gboolean     sp_checkpoint_unpack_to      (SpCheckpoint   *self,
                                           const char     *dest_dir,
                                           SpProgressFunc  progress,
                                           gpointer        progress_data,
                                           GCancellable   *cancellable,
                                           GError        **error);

/* Timeline order for g_list_store_insert_sorted() and friends: newest
 * first (Created, then id). */
int          sp_checkpoint_compare        (gconstpointer a,
                                           gconstpointer b,
                                           gpointer      user_data);

/* < private > for SpGame */
void         _sp_checkpoint_set_label     (SpCheckpoint *self,
                                           const char   *label);
void         _sp_checkpoint_set_note      (SpCheckpoint *self,
                                           const char   *note);
void         _sp_checkpoint_set_pinned    (SpCheckpoint *self,
                                           gboolean      pinned);
/* Retention re-links the children of a pruned checkpoint to its parent. */
void         _sp_checkpoint_set_parent    (SpCheckpoint *self,
                                           const char   *parent);

G_END_DECLS
