/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-game.h"
#include "sp-wine-registry.h"

G_BEGIN_DECLS

/* What a checkpoint changed: the paths added, changed and deleted against
 * the clean install, or between two checkpoints, and for Wine games the
 * registry keys that differ (sp-wine-registry.h).
 *
 * A checkpoint's archive holds the run's upper layer, so a state of the
 * game is "base + upper": a path's state is the archive's entry if it has
 * one, absent under a whiteout, under an opaque folder or under a
 * non-folder entry, and otherwise base's. Two states are compared path by
 * path: files by size and SHA-256 of their content (a file rewritten with
 * the same bytes is not a change), symbolic links by target, folders only
 * by being there. Archives are read, never unpacked; their size and
 * SHA-256 are checked against the .ini in the same pass, and every entry is
 * held to the rules unpacking applies. */

#define SP_DIFF_MAX_PATHS 2000000

typedef enum
{
  SP_DIFF_ADDED,
  SP_DIFF_CHANGED,
  SP_DIFF_DELETED,
} SpDiffKind;

typedef enum
{
  SP_DIFF_TYPE_FILE,
  SP_DIFF_TYPE_DIR,
  SP_DIFF_TYPE_SYMLINK,
  SP_DIFF_TYPE_OTHER,       /* a FIFO */
} SpDiffType;

typedef struct
{
  SpDiffKind  kind;
  SpDiffType  type;         /* the new type; the old one for a deleted path */
  char       *path;         /* relative to the game's folder, "/"-separated */
  guint64     old_size;     /* file content bytes before (0 when added or not a file) */
  guint64     new_size;     /* after (0 when deleted or not a file) */
} SpDiffEntry;

typedef struct
{
  GPtrArray *entries;       /* SpDiffEntry, sorted by path */
  GPtrArray *registry;      /* SpRegistryKeyChange, by file then key; empty unless Wine */
  gboolean   is_wine;       /* the registry was compared */
  guint      n_added;
  guint      n_changed;
  guint      n_deleted;
  guint64    added_bytes;   /* content of the added files */
  guint64    changed_bytes; /* new content of the changed files */
  guint64    deleted_bytes; /* content of the deleted files */
} SpDiff;

void         sp_diff_free        (SpDiff *diff);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpDiff, sp_diff_free)

/* The bytes of content the newer state has that the older has not:
 * added_bytes + changed_bytes. */
guint64      sp_diff_get_total_size (const SpDiff *diff);

/* Compares checkpoint @id of @self with the clean install (@id2 NULL), or
 * checkpoint @id with checkpoint @id2 (what changed from @id to @id2).
 * An id that is not listed fails with SP_LIBRARY_ERROR_NOT_FOUND; a
 * damaged archive with an SP_ARCHIVE_ERROR or SP_LIBRARY_ERROR_DAMAGED; a
 * malformed .reg file with SP_LIBRARY_ERROR_MALFORMED. Blocking: run it in
 * a worker thread. */
SpDiff      *sp_game_diff        (SpGame        *self,
                                  const char    *id,
                                  const char    *id2,
                                  GCancellable  *cancellable,
                                  GError       **error);

/* The same for checkpoints taken from a game beforehand (on the thread
 * that owns it), with @base_path its sp_game_get_base_path() and @is_wine
 * whether it is a Wine game: reads no SpGame, so it suits a worker thread.
 * @checkpoint2 may be NULL (compare @checkpoint with the clean install). */
SpDiff      *sp_diff_checkpoints (const char    *base_path,
                                  gboolean       is_wine,
                                  SpCheckpoint  *checkpoint,
                                  SpCheckpoint  *checkpoint2,
                                  GCancellable  *cancellable,
                                  GError       **error);

G_END_DECLS
