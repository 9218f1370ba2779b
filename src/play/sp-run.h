/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-game.h"
#include "sp-mounts.h"

G_BEGIN_DECLS

/* The local side of a play session: the run directory
 * $XDG_STATE_HOME/savepoint/runs/<library-id>/<slug>/ with upper/, work/,
 * game.log and run.ini ([Run] Library, LibraryPath, Game, GameName, Head,
 * Started, Status, Pid, OwnerPid, OwnerStart, Host, LastSeen, LastAlive,
 * GameEnded, Ended, ExitStatus, PlayTime, Error). LastAlive and GameEnded
 * come from savepoint-run (the game's processes were alive / all ended);
 * it writes them itself when the session that owns the run is gone. A run directory that exists is a run that
 * has not been kept or discarded yet ("undecided"). See design.md. */

#define SP_RUN_ERROR (sp_run_error_quark ())

typedef enum
{
  SP_RUN_ERROR_FAILED,
  SP_RUN_ERROR_EXISTS,      /* an undecided run of this game is in the way */
  SP_RUN_ERROR_NOT_FOUND,
  SP_RUN_ERROR_MALFORMED,
  SP_RUN_ERROR_IN_USE,      /* its owner is still running it */
  SP_RUN_ERROR_UNSAFE,      /* a folder is not provably ours */
} SpRunError;

typedef enum
{
  SP_RUN_STATUS_PREPARING,
  SP_RUN_STATUS_RUNNING,
  SP_RUN_STATUS_FINISHED,
  SP_RUN_STATUS_FAILED,
} SpRunStatus;

/* What a run changed, counted by walking its upper dir. Directories are not
 * counted; a whiteout counts as a deleted file. */
typedef struct
{
  guint64 files_added;     /* in upper, not in base */
  guint64 files_changed;   /* in upper and in base */
  guint64 files_deleted;   /* whiteouts */
  guint64 bytes;           /* size of the regular files in upper */
} SpRunChanges;

#define SP_TYPE_RUN (sp_run_get_type ())

G_DECLARE_FINAL_TYPE (SpRun, sp_run, SP, RUN, GObject)

GQuark       sp_run_error_quark      (void);

const char  *sp_run_status_to_string (SpRunStatus status);

/* Where runs live: the folder given to sp_runs_set_dir() (the app's "Runs
 * Folder" preference), else $XDG_STATE_HOME/savepoint/runs. NULL or ""
 * restores the default. Runs already in another folder stay there and are
 * not listed until the folder is set back. */
void         sp_runs_set_dir         (const char  *dir);
char        *sp_runs_dir             (void);
/* $XDG_STATE_HOME/savepoint/runs/<library-id>/<slug> */
char        *sp_run_dir_for          (const char  *library_id,
                                      const char  *slug);

/* Creates the run directory (upper/, work/, run.ini with Status=preparing,
 * owned by this process). Fails with SP_RUN_ERROR_EXISTS when an undecided
 * run of this game is there. */
SpRun       *sp_run_create           (const char  *library_id,
                                      const char  *library_path,
                                      const char  *slug,
                                      const char  *game_name,
                                      const char  *head,
                                      GError     **error);
/* Loads <path>/run.ini. */
SpRun       *sp_run_load             (const char  *path,
                                      GError     **error);
/* Writes run.ini atomically, keeping unknown keys. */
gboolean     sp_run_save             (SpRun       *self,
                                      GError     **error);
/* The same for the save when the game has ended: when the disk is full
 * (the game filled it), the run's space reserve (made with the run) is
 * given back and the save tried again. */
gboolean     sp_run_save_final       (SpRun       *self,
                                      GError     **error);
void         _sp_run_make_reserve    (SpRun       *self);

const char  *sp_run_get_path         (SpRun       *self);
const char  *sp_run_get_upper_path   (SpRun       *self);
const char  *sp_run_get_work_path    (SpRun       *self);
const char  *sp_run_get_log_path     (SpRun       *self);
const char  *sp_run_get_id           (SpRun       *self);   /* a UUID; NULL for older runs */
const char  *sp_run_get_library_id   (SpRun       *self);
const char  *sp_run_get_library_path (SpRun       *self);
const char  *sp_run_get_slug         (SpRun       *self);
const char  *sp_run_get_game_name    (SpRun       *self);
const char  *sp_run_get_head         (SpRun       *self);   /* NULL = clean */
GDateTime   *sp_run_get_started      (SpRun       *self);
GDateTime   *sp_run_get_ended        (SpRun       *self);   /* NULL while running */
SpRunStatus  sp_run_get_status       (SpRun       *self);
const char  *sp_run_get_error        (SpRun       *self);
gint64       sp_run_get_owner_pid    (SpRun       *self);
gint         sp_run_get_exit_status  (SpRun       *self);   /* -1 = unknown */
/* PlayTime when known, else GameEnded, or the later of LastAlive and
 * LastSeen (else Ended), minus Started: a run whose owner was killed
 * still knows how long the game ran. */
gint64       sp_run_get_play_time    (SpRun       *self);

void         sp_run_set_status       (SpRun       *self,
                                      SpRunStatus  status);
void         sp_run_set_pid          (SpRun       *self,
                                      gint64       pid);
void         sp_run_set_error        (SpRun       *self,
                                      const char  *message);
/* Sets Ended = now, ExitStatus and PlayTime. */
void         sp_run_set_ended        (SpRun       *self,
                                      gint         exit_status,
                                      gint64       play_time);
void         sp_run_touch            (SpRun       *self);    /* LastSeen = now */
void         sp_run_set_last_alive   (SpRun       *self,
                                      GDateTime   *when);
void         sp_run_set_game_ended   (SpRun       *self,
                                      GDateTime   *when);

/* TRUE while the process that owns the run (OwnerPid on this host) lives. */
gboolean     sp_run_get_owner_alive  (SpRun       *self);
/* TRUE when the run waits for a keep/discard decision: its owner is gone,
 * or the game has finished. */
gboolean     sp_run_is_pending       (SpRun       *self);

/* Every run directory (of @library_id, or all when NULL), oldest first.
 * Unreadable ones are skipped with a warning. */
GPtrArray   *sp_run_list             (const char  *library_id,
                                      GError     **error);
/* The runs of sp_run_list() that are pending. */
GPtrArray   *sp_run_list_pending     (const char  *library_id,
                                      GError     **error);

/* Counts what the run's upper dir changes relative to @base_path
 * (sp-run-changes.c). */
gboolean     sp_run_count_changes    (SpRun        *self,
                                      const char   *base_path,
                                      SpRunChanges *out_changes,
                                      GError      **error);

/* Sentences for the keep summary about saves the run may not hold
 * (sp-run-changes.c): for a Wine game (@kind) whose clean install
 * @base_path still links its user folders outside the prefix (those saves
 * are not captured; sp-wine-prefix.h), and for any game, the links in the
 * run's upper folder that point outside the game. Translated; empty when
 * all is well, never NULL. Blocking. */
GStrv        sp_run_describe_outside (SpRun        *self,
                                      SpGameKind    kind,
                                      const char   *base_path);

/* Packs upper/ into a new checkpoint of @game (Parent = the head the run
 * started from, PlayTime of the run), moves Head to it, then removes the run dir. Takes
 * the game lock unless @lock_held. Blocking. */
SpCheckpoint *sp_run_keep_sync       (SpRun         *self,
                                      SpGame        *game,
                                      const char    *label,
                                      gboolean       lock_held,
                                      SpProgressFunc progress,
                                      gpointer       progress_data,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* The same for the main thread of a UI: the lock is taken in the calling
 * thread, the checkpoint made with sp_game_create_checkpoint_async() (so
 * @game's models change in the caller's main context), and the run dir
 * removed in a worker thread. @progress is called in the caller's main
 * context (core/sp-task-private.h). */
void          sp_run_keep_async      (SpRun              *self,
                                      SpGame             *game,
                                      const char         *label,
                                      SpProgressFunc      progress,
                                      gpointer            progress_data,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
SpCheckpoint *sp_run_keep_finish     (SpRun              *self,
                                      GAsyncResult       *result,
                                      GError            **error);
/* Removes the run folder by descriptor once it is proven ours (see
 * sp-run.c); SP_RUN_ERROR_UNSAFE otherwise. Does not check the owner. */
gboolean     sp_run_remove_dir       (SpRun        *self,
                                      GCancellable *cancellable,
                                      GError      **error);
/* Discards the run: moves its folder to the trash (sp-run-trash.h), then
 * expires the trash. Refuses while its owner still runs it or something is
 * mounted in it. */
gboolean     sp_run_discard_sync     (SpRun        *self,
                                      GCancellable *cancellable,
                                      GError      **error);

void         sp_run_discard_async    (SpRun              *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean     sp_run_discard_finish   (SpRun              *self,
                                      GAsyncResult       *result,
                                      GError            **error);
/* The trash id (sp-run-trash.h) the last discard of @self moved it to, or
 * NULL. */
const char  *sp_run_get_trash_id     (SpRun              *self);

G_END_DECLS
