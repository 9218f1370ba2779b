/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-checkpoint.h"
#include "core/sp-game.h"
#include "core/sp-library.h"
#include "sp-run.h"

G_BEGIN_DECLS

/* One play session of a game, see design.md ("One play session"):
 * lock → run dir → unpack the start checkpoint into upper/ → mount the
 * overlay at sp_mount_point_for(library id, slug) → run the game under savepoint-run →
 * when every process of the game is gone: unmount, count the changes →
 * keep (new checkpoint, Head moves) or discard, or leave it undecided.
 *
 * Lives in the main context it was created in; its signals and property
 * notifications are emitted there. */

#define SP_SESSION_ERROR (sp_session_error_quark ())

typedef enum
{
  SP_SESSION_ERROR_FAILED,
  SP_SESSION_ERROR_BUSY,          /* not in a state for this call */
  SP_SESSION_ERROR_NOT_FOUND,     /* executable, runner, checkpoint or base missing */
  SP_SESSION_ERROR_CANNOT_START,  /* exec of the game failed */
  SP_SESSION_ERROR_DRIVE_LOST,    /* the library's drive went away during the run */
  SP_SESSION_ERROR_UNMOUNT,       /* the overlay could not be unmounted */
  SP_SESSION_ERROR_INVALID,       /* a setting of the game is not allowed (a path leading out) */
} SpSessionError;

typedef enum
{
  SP_SESSION_STATE_IDLE,
  SP_SESSION_STATE_PREPARING,     /* locking, unpacking, mounting, launching */
  SP_SESSION_STATE_RUNNING,       /* the game (or something it started) runs */
  SP_SESSION_STATE_FINISHING,     /* all gone; unmounting and counting changes */
  SP_SESSION_STATE_FINISHED,      /* ended: keep, discard or leave undecided */
  SP_SESSION_STATE_FAILED,        /* could not start, or ended with an error (see :error) */
} SpSessionState;

GType sp_session_state_get_type (void) G_GNUC_CONST;
#define SP_TYPE_SESSION_STATE (sp_session_state_get_type ())

/* Handed out when the session has finished. */
typedef struct
{
  gint64   duration;        /* seconds from launch until the game's last process exited
                             * (not counting background processes, see
                             * sp_session_set_background_grace()) */
  gint     exit_status;     /* the game's: 0..255, 128+N when killed by signal N; -1 unknown */
  gboolean stopped;         /* sp_session_stop() was called */
  guint64  files_added;
  guint64  files_changed;
  guint64  files_deleted;
  guint64  bytes;           /* size of the files in upper/ */
  guint64  bytes_read;      /* through the overlay */
  guint64  bytes_written;
  gint64   launch_usec;     /* from sp_session_start_async() to the game's exec */
  char   **warnings;        /* for the keep summary: saves the run may not hold
                               (sp_run_describe_outside()); never NULL */
} SpSessionSummary;

typedef struct
{
  guint64 bytes_read;
  guint64 bytes_written;
  guint64 copy_ups;
  guint64 files_created;
  guint64 files_deleted;
} SpSessionStats;

#define SP_TYPE_SESSION (sp_session_get_type ())

G_DECLARE_FINAL_TYPE (SpSession, sp_session, SP, SESSION, GObject)

GQuark          sp_session_error_quark    (void);

/* Call first thing in main(), while the process has one thread: prepares it
 * to serve play sessions' overlays (see sp_overlay_reserve_fd_table()). */
void            sp_session_prepare_process (void);

SpSession      *sp_session_new            (SpLibrary    *library,
                                           SpGame       *game);
/* A FINISHED session for @run, a run of @game that an earlier session left
 * undecided (the app quit or was killed; or recovered from the trash): its
 * summary holds the run's play time and @changes, and keep or discard act
 * on @run as for any finished session. */
SpSession      *sp_session_new_for_run    (SpLibrary          *library,
                                           SpGame             *game,
                                           SpRun              *run,
                                           const SpRunChanges *changes);
/* Whether the session came from sp_session_new_for_run(). */
gboolean        sp_session_get_recovered  (SpSession          *self);

/* Where the run starts: the head (default), checkpoint @id, or clean. Only
 * while IDLE. */
void            sp_session_set_checkpoint (SpSession    *self,
                                           const char   *checkpoint_id);
void            sp_session_set_clean      (SpSession    *self,
                                           gboolean      clean);
/* The global Wine runner setting (a command line, e.g. "wine" or
 * "/opt/wine/bin/wine"); the game's Runner wins over it when the runner
 * policy allows it (sp_session_set_runner_policy()); without either,
 * $SAVEPOINT_WINE_RUNNER, else "wine". */
void            sp_session_set_default_runner (SpSession *self,
                                               const char *runner);
/* What a drive may choose (design.md, "Trust"): a drive cannot choose the
 * command line. The game's Runner (wine kind) is used only when it is the
 * default runner (above) or one of @approved_runners — the runners the user
 * configured or approved on this computer (the front-ends keep them, e.g. in
 * GSettings; core reads no settings). An Environment entry that sets a
 * loader or runner variable (sp_environment_name_is_sensitive()) is used
 * only when it is one of @approved_environment ("KEY=VALUE", exactly).
 * With @trust_game (a one-time confirmation: "Run Once", --allow-runner)
 * both are used as the drive says. What is refused is left out — the
 * default runner runs, the entries are dropped — and the front-end tells
 * the user: see sp_session_get_refused_runner() and
 * sp_session_get_refused_environment(). Without a call nothing is approved.
 * Only while IDLE. */
void            sp_session_set_runner_policy (SpSession          *self,
                                              const char * const *approved_runners,
                                              const char * const *approved_environment,
                                              gboolean            trust_game);
/* The game's Runner when the policy refuses it (then the default runner is
 * used), else NULL. */
char           *sp_session_get_refused_runner (SpSession *self);
/* The Wine runner the session runs (a command line): the game's Runner
 * when the policy allows it, else the default runner. */
char           *sp_session_get_runner     (SpSession *self);
/* The game's Environment entries the policy drops; empty, never NULL. */
GStrv           sp_session_get_refused_environment (SpSession *self);
/* Whether a variable named @name chooses code or places (loader, runner,
 * interpreter, plugin and search-path variables, HOME, XDG_*, …; any name
 * that is not a plain identifier): see the list in sp-session.c. */
gboolean        sp_environment_name_is_sensitive (const char *name);

/* Seconds between SIGTERM and SIGKILL on stop (default 10). */
void            sp_session_set_grace_period (SpSession  *self,
                                             guint       seconds);

/* When the game has ended (README, "When does a session end?"), background
 * processes it left get @seconds to exit by themselves (-1: the default,
 * $SAVEPOINT_BACKGROUND_GRACE or 10 s); those still running are then
 * stopped, or waited for with @wait. Only before the start. */
void            sp_session_set_background_grace    (SpSession *self,
                                                    gint       seconds);
void            sp_session_set_wait_for_background (SpSession *self,
                                                    gboolean   wait);
gboolean        sp_session_get_wait_for_background (SpSession *self);
/* A console game (README, "Console games"): the game inherits the caller's
 * standard input, output and error and stays in its process group, so it
 * has the terminal; the log records the session's events only. Ignored
 * under Flatpak (the game runs on the host, outside our terminal session).
 * Only before the start. */
void            sp_session_set_console             (SpSession *self,
                                                    gboolean   console);
gboolean        sp_session_get_console             (SpSession *self);
/* The names (each once) of the background processes that outlived the
 * game by the grace period, or NULL; @out_count gets how many processes,
 * @out_stopped whether they were stopped (else waited for). Set when
 * ::background is emitted. */
const char * const *sp_session_get_background   (SpSession *self,
                                                 guint     *out_count,
                                                 gboolean  *out_stopped);

/* "2 background processes were stopped: dbus-daemon, dbus-launch" (or
 * "are still running"), translated; NULL when there were none. */
char           *sp_session_describe_background (SpSession *self);

/* Prepares and launches. Completes once the game runs (state RUNNING), or
 * fails — then nothing is left mounted or locked and the run dir is gone
 * (except SP_RUN_ERROR_EXISTS: an earlier undecided run is in the way). */
void            sp_session_start_async    (SpSession           *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean        sp_session_start_finish   (SpSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* SIGTERM to the whole game, SIGKILL after the grace period. */
void            sp_session_stop           (SpSession    *self);

SpSessionState  sp_session_get_state      (SpSession    *self);
SpGame         *sp_session_get_game       (SpSession    *self);
SpLibrary      *sp_session_get_library    (SpSession    *self);
/* Seconds the game has been running (or ran). */
gint64          sp_session_get_elapsed    (SpSession    *self);
/* Overlay counters, live while RUNNING, final afterwards. */
void            sp_session_get_stats      (SpSession      *self,
                                           SpSessionStats *out_stats);
/* NULL until FINISHED/FAILED after running. */
const SpSessionSummary *sp_session_get_summary (SpSession *self);
/* Why the session FAILED, or NULL. */
const GError   *sp_session_get_error      (SpSession    *self);
/* The run (dir, log, run.ini); NULL before preparing and after keep/discard. */
SpRun          *sp_session_get_run        (SpSession    *self);
const char     *sp_session_get_mount_point (SpSession   *self);
const char     *sp_session_get_log_path   (SpSession    *self);

/* After FINISHED (or FAILED with a run kept for recovery): packs upper/
 * into a checkpoint (Parent = head, Head moves to it) and removes the run
 * dir. @progress is called in the caller's main context, the last values
 * before @callback and none after (core/sp-task-private.h). */
void            sp_session_keep_async     (SpSession           *self,
                                           const char          *label,
                                           SpProgressFunc       progress,
                                           gpointer             progress_data,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
SpCheckpoint   *sp_session_keep_finish    (SpSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void            sp_session_discard_async  (SpSession           *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean        sp_session_discard_finish (SpSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* How the game ended (once the summary is set; see sp-run-logs.h). The game
 * failed: it exited with a status other than 0, or was killed by a signal,
 * without a stop (sp_session_stop(), the user's or the session's own). */
gboolean        sp_session_get_game_failed     (SpSession *self);
/* The run changed nothing (its upper layer is empty): nothing to keep. */
gboolean        sp_session_get_changed_nothing (SpSession *self);
/* The last lines of the game's log (sanitized), or NULL. */
const char     *sp_session_get_log_tail        (SpSession *self);
/* The copy of the log kept among the game's last logs, or NULL. */
const char     *sp_session_get_kept_log_path   (SpSession *self);

/* Locates savepoint-run: $SAVEPOINT_RUN, else PATH, else LIBEXECDIR. */
char           *sp_session_find_supervisor (GError **error);

G_END_DECLS
