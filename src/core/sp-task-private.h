/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

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
