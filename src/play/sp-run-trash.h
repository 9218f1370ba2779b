/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-game.h"
#include "sp-run.h"

G_BEGIN_DECLS

/* The trash of discarded runs, on this computer beside the runs:
 * $XDG_STATE_HOME/savepoint/trash (".trash" inside a chosen runs folder),
 * so a discard is a rename. Each discarded run is a folder
 * trash/<trash id>/ holding run/ (the run folder as it was) and trash.ini,
 * the marker written before the run is moved in: [Trash] Version=1, Id (the
 * folder's name), Library, Game, GameName, RunId, Head, Started, Discarded,
 * PlayTime (seconds), Size (bytes). Only folders whose marker names them
 * are ever listed, recovered or deleted. A trashed run stays until it is
 * older than the age limit or, oldest first, until the trash is back under
 * its size limit (the run discarded last always stays). */

#define SP_RUN_TRASH_DEFAULT_MAX_AGE_DAYS 14
#define SP_RUN_TRASH_DEFAULT_MAX_SIZE_GB  10

typedef struct
{
  char      *id;          /* the trash id: YYYYMMDDTHHMMSS-xxxxxx */
  char      *path;        /* trash/<id> */
  char      *run_path;    /* trash/<id>/run */
  char      *library_id;
  char      *slug;
  char      *game_name;
  char      *head;        /* the checkpoint the run started from; NULL = clean */
  GDateTime *started;     /* may be NULL */
  GDateTime *discarded;
  gint64     play_time;   /* seconds */
  guint64    size;        /* bytes */
} SpTrashedRun;

void           sp_trashed_run_free       (SpTrashedRun *trashed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTrashedRun, sp_trashed_run_free)

/* Where the trash is (see above); follows sp_runs_set_dir(). */
char          *sp_run_trash_dir          (void);
/* TRUE when @id has the strict form of a trash id. */
gboolean       sp_run_trash_id_is_valid  (const char    *id);

/* The limits expiry applies (the app's trash-max-age-days and
 * trash-max-size-gb settings); 0 restores a default. They are the drive
 * trash's too (sp_drive_trash_set_limits()). */
void           sp_run_trash_set_limits   (guint          max_age_days,
                                          guint64        max_bytes);
void           sp_run_trash_get_limits   (guint         *out_max_age_days,
                                          guint64       *out_max_bytes);

/* Moves the run's folder, proven ours (as discard requires), into the
 * trash. Refuses a folder with something mounted in it. *out_id gets the
 * trash id (NULL when the folder was already gone: nothing to move). Used
 * by sp_run_discard_sync(). */
gboolean       sp_run_trash_move         (SpRun         *run,
                                          char         **out_id,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* The trashed runs (of @library_id and @slug when not NULL), newest first.
 * Folders without a valid marker are skipped. */
GPtrArray     *sp_run_trash_list         (const char    *library_id,
                                          const char    *slug,
                                          GError       **error);
/* One trashed run, by id; SP_RUN_ERROR_NOT_FOUND when there is none. */
SpTrashedRun  *sp_run_trash_lookup       (const char    *id,
                                          GError       **error);

/* Deletes trashed runs past the limits, sparing @keep_id (may be NULL).
 * Returns how many it deleted; failures are logged. */
guint          sp_run_trash_expire       (const char    *keep_id,
                                          GCancellable  *cancellable);
/* The same with explicit limits (age in seconds, size in bytes). */
guint          sp_run_trash_expire_full  (gint64         max_age_seconds,
                                          guint64        max_bytes,
                                          const char    *keep_id,
                                          GCancellable  *cancellable);
/* Deletes every trashed run (@library_id and @slug as for the list).
 * Returns FALSE at the first failure; *out_removed counts the deleted. */
gboolean       sp_run_trash_empty        (const char    *library_id,
                                          const char    *slug,
                                          guint         *out_removed,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* Turns the trashed run @id of @game back into the game's pending run.
 * SP_RUN_ERROR_NOT_FOUND when it is not in the trash or is another game's;
 * SP_RUN_ERROR_EXISTS / SP_RUN_ERROR_IN_USE when the game already has a
 * run (pending or being played). Returns the run. */
SpRun         *sp_run_trash_recover      (const char    *id,
                                          const char    *library_id,
                                          SpGame        *game,
                                          GError       **error);

/* Nothing unkept is overwritten: TRUE when @game (of @library_id) has no
 * run on this computer and is not being played anywhere, so its head may
 * move. Else SP_RUN_ERROR_IN_USE (being played: its run's owner lives, or
 * its lock on the drive is held) or SP_RUN_ERROR_EXISTS (a pending run,
 * returned in @out_pending when not NULL). */
gboolean       sp_run_check_head_change  (const char    *library_id,
                                          SpGame        *game,
                                          SpRun        **out_pending,
                                          GError       **error);

G_END_DECLS
