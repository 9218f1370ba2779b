/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-task-private.h"

#include <string.h>

#include "archive/sp-archive.h"

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

/* Progress ------------------------------------------------------------- */

struct _SpProgressRelay
{
  SpProgressRelayFunc  deliver;
  GCallback            func;
  gpointer             func_data;
  GDestroyNotify       func_data_free;
  GMainContext        *context;

  GMutex               lock;
  guint64              values[4];
  gboolean             pending;    /* pushed, not delivered yet */
  GSource             *idle;       /* the delivery scheduled, or NULL */
  gboolean             finished;
};

SpProgressRelay *
_sp_progress_relay_new (SpProgressRelayFunc deliver,
                        GCallback           func,
                        gpointer            func_data,
                        GDestroyNotify      func_data_free)
{
  SpProgressRelay *relay;

  g_assert (deliver != NULL);

  if (func == NULL)
    {
      if (func_data_free != NULL)
        func_data_free (func_data);
      return NULL;
    }
  relay = g_atomic_rc_box_new0 (SpProgressRelay);
  relay->deliver = deliver;
  relay->func = func;
  relay->func_data = func_data;
  relay->func_data_free = func_data_free;
  relay->context = g_main_context_ref_thread_default ();
  g_mutex_init (&relay->lock);
  return relay;
}

static void
relay_clear (gpointer data)
{
  SpProgressRelay *relay = data;

  if (relay->func_data_free != NULL)
    relay->func_data_free (relay->func_data);
  g_main_context_unref (relay->context);
  g_mutex_clear (&relay->lock);
}

void
_sp_progress_relay_unref (SpProgressRelay *relay)
{
  g_atomic_rc_box_release_full (relay, relay_clear);
}

/* Main context. */
static void
relay_deliver (SpProgressRelay *relay)
{
  guint64 values[4];
  gboolean deliver;

  g_mutex_lock (&relay->lock);
  deliver = relay->pending && !relay->finished;
  relay->pending = FALSE;
  memcpy (values, relay->values, sizeof values);
  g_mutex_unlock (&relay->lock);

  if (deliver)
    relay->deliver (values, relay->func, relay->func_data);
}

static gboolean
relay_idle_cb (gpointer data)
{
  SpProgressRelay *relay = data;
  GSource *idle;

  g_mutex_lock (&relay->lock);
  idle = g_steal_pointer (&relay->idle);
  g_mutex_unlock (&relay->lock);
  g_clear_pointer (&idle, g_source_unref);
  relay_deliver (relay);
  return G_SOURCE_REMOVE;
}

void
_sp_progress_relay_push (SpProgressRelay *relay,
                         guint            n_values,
                         const guint64   *values)
{
  GSource *idle = NULL;

  g_assert (n_values <= G_N_ELEMENTS (relay->values));

  g_mutex_lock (&relay->lock);
  memcpy (relay->values, values, n_values * sizeof *values);
  relay->pending = TRUE;
  if (relay->idle == NULL && !relay->finished)
    {
      idle = g_idle_source_new ();
      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (idle, relay_idle_cb, g_atomic_rc_box_acquire (relay),
                             (GDestroyNotify) _sp_progress_relay_unref);
      g_source_set_static_name (idle, "[savepoint] progress");
      relay->idle = g_source_ref (idle);
    }
  g_mutex_unlock (&relay->lock);

  if (idle != NULL)
    {
      g_source_attach (idle, relay->context);
      g_source_unref (idle);
    }
}

void
_sp_progress_relay_finish (SpProgressRelay *relay)
{
  GSource *idle;

  if (relay == NULL)
    return;
  g_assert (g_main_context_is_owner (relay->context));
  relay_deliver (relay);
  g_mutex_lock (&relay->lock);
  relay->finished = TRUE;
  idle = g_steal_pointer (&relay->idle);
  g_mutex_unlock (&relay->lock);
  if (idle != NULL)
    {
      g_source_destroy (idle);
      g_source_unref (idle);
    }
}

void
_sp_progress_relay_push2 (guint64  done,
                          guint64  total,
                          gpointer relay)
{
  const guint64 values[] = { done, total };

  if (relay != NULL)
    _sp_progress_relay_push (relay, G_N_ELEMENTS (values), values);
}

void
_sp_progress_relay_deliver2 (const guint64 *values,
                             GCallback      func,
                             gpointer       func_data)
{
  SpProgressFunc progress = (SpProgressFunc) func;

  progress (values[0], values[1], func_data);
}
