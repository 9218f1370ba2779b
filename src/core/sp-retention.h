/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-game.h"

G_BEGIN_DECLS

/* Retention: which checkpoints of a game are kept.
 *
 * The rules come from the [Retention] group of game.ini, each key falling
 * back to the same key in library.ini (the library's defaults):
 *
 *   KeepLast=N   the N newest checkpoints           (0..SP_RETENTION_KEEP_LAST_MAX)
 *   KeepDaily=D  the newest checkpoint of each of the last D days on which
 *                checkpoints were made (local time)  (0..SP_RETENTION_KEEP_DAILY_MAX)
 *   MaxSize=G    at most G gigabytes (10^9 bytes; up to three decimals,
 *                0.001..SP_RETENTION_MAX_SIZE_GB) of archives
 *
 * Kept = pinned ∪ head ∪ the newest KeepLast ∪ the daily ones (when neither
 * KeepLast nor KeepDaily is set: every checkpoint); MaxSize then drops the
 * oldest of those until the rest fits, never a pinned one or the head. No
 * keys: nothing is pruned. An empty value is no value. A bad value fails
 * with SP_LIBRARY_ERROR_MALFORMED "file:line: …" and nothing is pruned.
 *
 * Pruning a checkpoint re-links its children to its parent (each
 * checkpoint is a full difference from base, so nothing else changes) and
 * moves its files to the drive's trash (sp-drive-trash.h). */

#define SP_RETENTION_GROUP           "Retention"
#define SP_RETENTION_KEEP_LAST_MAX   10000
#define SP_RETENTION_KEEP_DAILY_MAX  3650
#define SP_RETENTION_MAX_SIZE_GB     1000000

typedef struct
{
  gboolean has_keep_last;
  guint    keep_last;
  gboolean has_keep_daily;
  guint    keep_daily;
  gboolean has_max_size;
  guint64  max_size;      /* bytes */
} SpRetention;

/* Reads the [Retention] keys of @key_file into @retention, overriding only
 * the keys it sets. @path (and @data, the file's text, or NULL to read
 * @path) name it in errors. */
gboolean    sp_retention_parse          (GKeyFile          *key_file,
                                         const char        *path,
                                         const char        *data,
                                         SpRetention       *retention,
                                         GError           **error);
/* Parses one MaxSize= value ("2", "0.5", "12.125") into bytes. */
gboolean    sp_retention_parse_size     (const char        *text,
                                         guint64           *out_bytes,
                                         GError           **error);
/* The rules of @game: library.ini's keys, then game.ini's (both read from
 * the drive). */
gboolean    sp_retention_load           (SpGame            *game,
                                         SpRetention       *out_retention,
                                         GError           **error);
/* The value of @key ("KeepLast", "KeepDaily" or "MaxSize") in @game's own
 * game.ini as loaded, or NULL when it has none (the library's default
 * applies then). */
char       *sp_retention_get_game_value (SpGame            *game,
                                         const char        *key);
/* Checks @text (NULL or blank removes the key) by the rules above, then
 * sets it in @game's game.ini as held in memory: sp_game_save_async()
 * writes it. Fails with SP_LIBRARY_ERROR_INVALID saying what is wrong. */
gboolean    sp_retention_set_game_value (SpGame            *game,
                                         const char        *key,
                                         const char        *text,
                                         GError           **error);
/* TRUE when any key is set. */
gboolean    sp_retention_is_set         (const SpRetention *retention);

/* The checkpoints of @game that @retention does not keep (SpCheckpoint,
 * transfer full), oldest first. */
GPtrArray  *sp_retention_plan           (SpGame            *game,
                                         const SpRetention *retention);

/* Applies the rules of @game (sp_retention_load()): with @dry_run nothing
 * changes. @out_removed (may be NULL) gets the checkpoints pruned (or that
 * would be), oldest first. Each is re-linked out of the timeline and then
 * moved to the drive's trash; a failure stops there (what was done stays
 * done and is in @out_removed). The caller holds the game lock. */
gboolean    sp_retention_prune_sync     (SpGame            *game,
                                         gboolean           dry_run,
                                         GPtrArray        **out_removed,
                                         GError           **error);

/* What keeping a run pruned (the hook of sp_run_keep_sync() and
 * sp_run_keep_async()). */
typedef struct
{
  GPtrArray *removed;   /* SpCheckpoint, oldest first; never NULL */
  GError    *error;     /* why pruning stopped or did not run, or NULL */
} SpRetentionReport;

/* Applies retention after @kept was made (main thread: the game's
 * timeline changes); the result is attached to @kept. Never fails the
 * keep: a problem is in the report. */
void        sp_retention_apply_after_keep (SpGame          *game,
                                           SpCheckpoint    *kept);
/* Then the drive trash's age and size rules (any thread: it only removes
 * files of the trash); a problem goes into the same report. */
void        sp_retention_expire_trash_after_keep (SpCheckpoint *kept);
/* The report attached to @kept by sp_retention_apply_after_keep(), or
 * NULL when it did not run. */
const SpRetentionReport *sp_retention_get_keep_report (SpCheckpoint *kept);
/* One sentence for the user about that report ("3 old checkpoints were
 * moved to the drive’s trash.", or why pruning stopped), or NULL when
 * there is nothing to say. */
char       *sp_retention_describe_keep   (SpCheckpoint    *kept);

G_END_DECLS
