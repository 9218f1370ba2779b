/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-task-private.h"

typedef struct
{
  gpointer          data;
  GDestroyNotify    data_free;
  SpTaskThreadFunc  thread_func;
  GDestroyNotify    value_free;
  SpTaskFinishFunc  finish_func;
  GDestroyNotify    result_free;
} ThreadTask;

static void
thread_task_free (ThreadTask *tt)
{
  if (tt->data_free != NULL)
    tt->data_free (tt->data);
  g_free (tt);
}

static void
thread_cb (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  ThreadTask *tt = task_data;
  GError *error = NULL;
  gpointer value;

  value = tt->thread_func (tt->data, cancellable, &error);
  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, tt->value_free);
}

static void
thread_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  ThreadTask *tt = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  gpointer value;

  value = g_task_propagate_pointer (G_TASK (result), &error);
  value = tt->finish_func (source, tt->data, value, &error);
  if (value == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, value, tt->result_free);
}

/*
 * _sp_task_new_unless_error:
 * @error: (transfer full) (nullable): why the call cannot start, or NULL
 *
 * The task of an async call, with @source_tag set; or, when @error is set,
 * NULL, and @error has gone to @callback through a task of its own.
 */
GTask *
_sp_task_new_unless_error (gpointer             source_object,
                           gpointer             source_tag,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data,
                           GError              *error)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  return g_steal_pointer (&task);
}

/*
 * _sp_task_run_in_thread:
 * @task: the caller's task, with its source tag set; this takes it over
 *
 * Runs @thread_func on @task_data in a worker thread, then @finish_func in
 * the main context @task was created in, and returns what @finish_func
 * returns through @task. Once the thread has run, its work is done: the
 * result is reported even if the cancellable fires after that point.
 */
void
_sp_task_run_in_thread (GTask            *task,
                        gpointer          task_data,
                        GDestroyNotify    task_data_free,
                        SpTaskThreadFunc  thread_func,
                        GDestroyNotify    value_free,
                        SpTaskFinishFunc  finish_func,
                        GDestroyNotify    result_free)
{
  g_autoptr(GTask) inner = NULL;
  ThreadTask *tt;

  g_assert (G_IS_TASK (task));
  g_assert (thread_func != NULL);
  g_assert (finish_func != NULL);

  tt = g_new0 (ThreadTask, 1);
  tt->data = task_data;
  tt->data_free = task_data_free;
  tt->thread_func = thread_func;
  tt->value_free = value_free;
  tt->finish_func = finish_func;
  tt->result_free = result_free;

  inner = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task),
                      thread_done_cb, task);
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, tt, (GDestroyNotify) thread_task_free);
  g_task_run_in_thread (inner, thread_cb);
}
