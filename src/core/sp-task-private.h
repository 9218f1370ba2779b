/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The progress rule, the same in every class (SpLibrary, SpGame, SpRun,
 * SpSession): the progress callback of an _async call (adding a game,
 * packing a checkpoint, keeping a run, …) is called in the thread-default
 * main context of the _async call, never from a worker thread. Values are
 * coalesced (intermediate ones may be skipped), the last one is delivered
 * before the call's own callback, and none after it. The _sync calls call
 * it in the calling thread. A worker reports through an SpProgressRelay. */
typedef struct _SpProgressRelay SpProgressRelay;

/* What the relay calls in the main context with the latest @values (as
 * many as the worker gave). */
typedef void (*SpProgressRelayFunc) (const guint64 *values,
                                     GCallback      func,
                                     gpointer       func_data);

/* A relay to @func (with @func_data) in the current thread-default main
 * context, through @deliver; NULL when @func is NULL. @func_data_free is
 * called when the relay goes. Main context. */
SpProgressRelay *_sp_progress_relay_new     (SpProgressRelayFunc  deliver,
                                             GCallback            func,
                                             gpointer             func_data,
                                             GDestroyNotify       func_data_free);
void             _sp_progress_relay_unref   (SpProgressRelay     *relay);
/* Any thread: records @n_values (at most 4) and schedules one delivery
 * unless one is pending. */
void             _sp_progress_relay_push    (SpProgressRelay     *relay,
                                             guint                n_values,
                                             const guint64       *values);
/* Main context, when the worker is done: delivers what is not delivered
 * yet, then nothing more. NULL is allowed. */
void             _sp_progress_relay_finish  (SpProgressRelay     *relay);

/* For the workers: SpProgressFunc's signature (done, total), with the
 * relay (or NULL) as user data. */
void             _sp_progress_relay_push2   (guint64              done,
                                             guint64              total,
                                             gpointer             relay);
/* Delivers to an SpProgressFunc. */
void             _sp_progress_relay_deliver2 (const guint64      *values,
                                              GCallback           func,
                                              gpointer            func_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpProgressRelay, _sp_progress_relay_unref)

/* Runs in a worker thread with the task data; returns a value, or NULL with
 * @error set. */
typedef gpointer (*SpTaskThreadFunc) (gpointer       task_data,
                                      GCancellable  *cancellable,
                                      GError       **error);

/* Runs in the caller's main context once the thread is done. Owns @value,
 * which is NULL when the thread failed; then *@error is already set.
 * Returns what the caller's task returns, or NULL with *@error set. */
typedef gpointer (*SpTaskFinishFunc) (gpointer       source_object,
                                      gpointer       task_data,
                                      gpointer       value,
                                      GError       **error);

GTask *_sp_task_new_unless_error (gpointer             source_object,
                                  gpointer             source_tag,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data,
                                  GError              *error);

void _sp_task_run_in_thread (GTask            *task,
                             gpointer          task_data,
                             GDestroyNotify    task_data_free,
                             SpTaskThreadFunc  thread_func,
                             GDestroyNotify    value_free,
                             SpTaskFinishFunc  finish_func,
                             GDestroyNotify    result_free);

G_END_DECLS
