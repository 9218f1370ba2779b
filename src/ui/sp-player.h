/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "play/sp-session.h"

G_BEGIN_DECLS

/* The play sessions of the application: at most one per game, from its
 * start until its run is kept or discarded (or, when it could not start or
 * ended without a run, until then). Owned by the application, so a session
 * outlives the window that started it: a window shows them and asks the
 * questions (runner policy, "Keep this run?"). When the application quits,
 * a game still running keeps running and its run is offered on the next
 * start, as any undecided run.
 *
 * A GListModel of SpSession. Signals, all in the main context:
 *   "session-changed" (SpSession): its state, elapsed time or saving
 *       changed, or it was removed;
 *   "session-finished" (SpSession): the game ended; a session without a run
 *       (it failed) is removed right after;
 *   "start-failed" (SpSession, GError): it could not start (not emitted
 *       when cancelled); it is removed already.
 *
 * The runner policy (design.md, "Trust") comes from @settings:
 * default-wine-runner, approved-runners, approved-environment. */

#define SP_TYPE_PLAYER (sp_player_get_type ())

G_DECLARE_FINAL_TYPE (SpPlayer, sp_player, SP, PLAYER, GObject)

/* @settings: the application's (APP_ID schema), or NULL: nothing approved. */
SpPlayer     *sp_player_new            (GSettings          *settings);

/* A new session of @game set up with the default runner and what is
 * approved on this computer; not started (see sp_player_start()). What the
 * policy refuses: sp_session_get_refused_runner() and _environment(). */
SpSession    *sp_player_new_session    (SpPlayer           *self,
                                        SpLibrary          *library,
                                        SpGame             *game);
/* The user allowed what @session's game asks for: once (this session), or
 * always (approved on this computer, see sp_player_approve()). */
void          sp_player_allow_once     (SpPlayer           *self,
                                        SpSession          *session);
void          sp_player_allow_always   (SpPlayer           *self,
                                        SpSession          *session);
/* Approves @runner (or NULL) and the KEY=VALUE entries @environment (or
 * NULL) on this computer. */
void          sp_player_approve        (SpPlayer           *self,
                                        const char         *runner,
                                        const char * const *environment);

/* Adds @session (from sp_player_new_session(), its game without a session)
 * and starts it. */
void          sp_player_start          (SpPlayer           *self,
                                        SpSession          *session);
/* Adds @session, a run left undecided (sp_session_new_for_run(), its game
 * without a session): shown as "Not yet kept" until it is kept or
 * discarded. No "session-finished": nothing asks. */
void          sp_player_add_undecided  (SpPlayer           *self,
                                        SpSession          *session);
/* SIGTERM to @game's session when it runs. */
void          sp_player_stop           (SpPlayer           *self,
                                        SpGame             *game);
/* The session of @game (running, or waiting for keep/discard), or NULL. */
SpSession    *sp_player_get_session    (SpPlayer           *self,
                                        SpGame             *game);
/* The sessions whose game is being started, runs or is ending (not yet
 * finished), in the order they started: what quitting would leave
 * running. A new array of references. */
GPtrArray    *sp_player_list_active    (SpPlayer           *self);
/* SIGTERM to every session's game that runs. */
void          sp_player_stop_all       (SpPlayer           *self);
/* TRUE while @session's run is being kept (packed into a checkpoint). */
gboolean      sp_player_get_saving     (SpPlayer           *self,
                                        SpSession          *session);

/* Keeps @session's run (sp_session_keep_async()); once kept, the session is
 * removed. @progress is called in the caller's main context, never after
 * @callback (core/sp-task-private.h); @progress_data_free
 * (or NULL) is called on @progress_data once the keep has ended. */
void          sp_player_keep_async     (SpPlayer            *self,
                                        SpSession           *session,
                                        const char          *label,
                                        SpProgressFunc       progress,
                                        gpointer             progress_data,
                                        GDestroyNotify       progress_data_free,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
SpCheckpoint *sp_player_keep_finish    (SpPlayer            *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* Discards @session's run; once discarded, the session is removed. */
void          sp_player_discard_async  (SpPlayer            *self,
                                        SpSession           *session,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean      sp_player_discard_finish (SpPlayer            *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
