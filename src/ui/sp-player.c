/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-player.h"

struct _SpPlayer
{
  GObject       parent_instance;

  GSettings    *settings;
  GPtrArray    *sessions;   /* SpSession, in the order they started */
  GHashTable   *by_game;    /* SpGame -> SpSession (no refs) */
  GHashTable   *saving;     /* SpSession being kept (no refs) */
  GCancellable *cancellable;
};

enum {
  SIGNAL_SESSION_CHANGED,
  SIGNAL_SESSION_FINISHED,
  SIGNAL_START_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void sp_player_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpPlayer, sp_player, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, sp_player_list_model_init))

/* GListModel ------------------------------------------------------------- */

static GType
sp_player_get_item_type (GListModel *model)
{
  return SP_TYPE_SESSION;
}

static guint
sp_player_get_n_items (GListModel *model)
{
  return SP_PLAYER (model)->sessions->len;
}

static gpointer
sp_player_get_item (GListModel *model,
                    guint       position)
{
  SpPlayer *self = SP_PLAYER (model);

  if (position >= self->sessions->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->sessions, position));
}

static void
sp_player_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sp_player_get_item_type;
  iface->get_n_items = sp_player_get_n_items;
  iface->get_item = sp_player_get_item;
}

/* Sessions --------------------------------------------------------------- */

static void
emit_changed (SpPlayer  *self,
              SpSession *session)
{
  g_signal_emit (self, signals[SIGNAL_SESSION_CHANGED], 0, session);
}

static void
session_notify_cb (SpSession  *session,
                   GParamSpec *pspec,
                   SpPlayer   *self)
{
  emit_changed (self, session);
}

static void
remove_session (SpPlayer  *self,
                SpSession *session)
{
  g_autoptr(SpSession) kept = g_object_ref (session);
  guint position;

  if (!g_ptr_array_find (self->sessions, session, &position))
    return;
  g_signal_handlers_disconnect_by_data (session, self);
  g_hash_table_remove (self->by_game, sp_session_get_game (session));
  g_hash_table_remove (self->saving, session);
  g_ptr_array_remove_index (self->sessions, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  emit_changed (self, session);
}

static void
session_finished_cb (SpSession *session,
                     SpPlayer  *self)
{
  g_autoptr(SpSession) kept = g_object_ref (session);

  g_signal_emit (self, signals[SIGNAL_SESSION_FINISHED], 0, session);
  /* Ended without a run (it failed): nothing left to decide. */
  if (sp_session_get_run (session) == NULL)
    remove_session (self, session);
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SpPlayer) self = user_data;
  SpSession *session = SP_SESSION (object);
  g_autoptr(GError) error = NULL;

  if (sp_session_start_finish (session, result, &error))
    return;

  remove_session (self, session);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[SIGNAL_START_FAILED], 0, session, error);
}

static gboolean
add_session (SpPlayer  *self,
             SpSession *session)
{
  SpGame *game = sp_session_get_game (session);

  g_return_val_if_fail (!g_hash_table_contains (self->by_game, game), FALSE);

  g_ptr_array_add (self->sessions, g_object_ref (session));
  g_hash_table_insert (self->by_game, game, session);
  g_signal_connect (session, "notify::state", G_CALLBACK (session_notify_cb), self);
  g_signal_connect (session, "notify::elapsed", G_CALLBACK (session_notify_cb), self);
  g_signal_connect (session, "finished", G_CALLBACK (session_finished_cb), self);
  g_list_model_items_changed (G_LIST_MODEL (self), self->sessions->len - 1, 0, 1);
  emit_changed (self, session);
  return TRUE;
}

void
sp_player_start (SpPlayer  *self,
                 SpSession *session)
{
  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_SESSION (session));

  if (add_session (self, session))
    sp_session_start_async (session, self->cancellable, start_done_cb, g_object_ref (self));
}

void
sp_player_add_undecided (SpPlayer  *self,
                         SpSession *session)
{
  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_SESSION (session));
  g_return_if_fail (sp_session_get_state (session) == SP_SESSION_STATE_FINISHED);

  add_session (self, session);
}

void
sp_player_stop (SpPlayer *self,
                SpGame   *game)
{
  SpSession *session;

  g_return_if_fail (SP_IS_PLAYER (self));

  session = g_hash_table_lookup (self->by_game, game);
  if (session != NULL && sp_session_get_state (session) == SP_SESSION_STATE_RUNNING)
    sp_session_stop (session);
}

static gboolean
session_is_active (SpSession *session)
{
  switch (sp_session_get_state (session))
    {
    case SP_SESSION_STATE_PREPARING:
    case SP_SESSION_STATE_RUNNING:
    case SP_SESSION_STATE_FINISHING:
      return TRUE;
    case SP_SESSION_STATE_IDLE:
    case SP_SESSION_STATE_FINISHED:
    case SP_SESSION_STATE_FAILED:
    default:
      return FALSE;
    }
}

GPtrArray *
sp_player_list_active (SpPlayer *self)
{
  GPtrArray *active;

  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);

  active = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->sessions->len; i++)
    {
      SpSession *session = g_ptr_array_index (self->sessions, i);

      if (session_is_active (session))
        g_ptr_array_add (active, g_object_ref (session));
    }
  return active;
}

void
sp_player_stop_all (SpPlayer *self)
{
  g_return_if_fail (SP_IS_PLAYER (self));

  for (guint i = 0; i < self->sessions->len; i++)
    {
      SpSession *session = g_ptr_array_index (self->sessions, i);

      if (sp_session_get_state (session) == SP_SESSION_STATE_RUNNING)
        sp_session_stop (session);
    }
}

SpSession *
sp_player_get_session (SpPlayer *self,
                       SpGame   *game)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);
  return g_hash_table_lookup (self->by_game, game);
}

gboolean
sp_player_get_saving (SpPlayer  *self,
                      SpSession *session)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), FALSE);
  return g_hash_table_contains (self->saving, session);
}

/* Runner policy ---------------------------------------------------------- */

static void
apply_policy (SpPlayer  *self,
              SpSession *session,
              gboolean   trust_game)
{
  g_auto(GStrv) runners = NULL;
  g_auto(GStrv) environment = NULL;

  if (self->settings != NULL)
    {
      runners = g_settings_get_strv (self->settings, "approved-runners");
      environment = g_settings_get_strv (self->settings, "approved-environment");
    }
  sp_session_set_runner_policy (session, (const char * const *) runners,
                                (const char * const *) environment, trust_game);
}

SpSession *
sp_player_new_session (SpPlayer  *self,
                       SpLibrary *library,
                       SpGame    *game)
{
  SpSession *session;

  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);
  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  session = sp_session_new (library, game);
  if (self->settings != NULL)
    {
      g_autofree char *runner = g_settings_get_string (self->settings, "default-wine-runner");

      if (runner[0] != '\0')
        sp_session_set_default_runner (session, runner);
      sp_session_set_background_grace (session, g_settings_get_int (self->settings, "background-grace"));
      sp_session_set_wait_for_background (session,
                                          g_settings_get_boolean (self->settings, "wait-for-background"));
    }
  apply_policy (self, session, FALSE);
  return session;
}

void
sp_player_allow_once (SpPlayer  *self,
                      SpSession *session)
{
  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_SESSION (session));

  apply_policy (self, session, TRUE);
}

void
sp_player_allow_always (SpPlayer  *self,
                        SpSession *session)
{
  g_autofree char *refused_runner = NULL;
  g_auto(GStrv) refused_environment = NULL;

  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_SESSION (session));

  if (self->settings == NULL)
    return;
  refused_runner = sp_session_get_refused_runner (session);
  refused_environment = sp_session_get_refused_environment (session);
  sp_player_approve (self, refused_runner, (const char * const *) refused_environment);
  apply_policy (self, session, FALSE);
}

/* Adds @values missing from the string list @key. */
static void
settings_add_strings (GSettings          *settings,
                      const char         *key,
                      const char * const *values)
{
  g_auto(GStrv) current = g_settings_get_strv (settings, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  gboolean changed = FALSE;

  g_strv_builder_addv (builder, (const char **) current);
  for (guint i = 0; values && values[i]; i++)
    if (!g_strv_contains ((const char * const *) current, values[i]))
      {
        g_strv_builder_add (builder, values[i]);
        changed = TRUE;
      }
  updated = g_strv_builder_end (builder);
  if (changed)
    g_settings_set_strv (settings, key, (const char * const *) updated);
}

void
sp_player_approve (SpPlayer           *self,
                   const char         *runner,
                   const char * const *environment)
{
  const char *runners[] = { runner, NULL };

  g_return_if_fail (SP_IS_PLAYER (self));

  if (self->settings == NULL)
    return;
  if (runner != NULL)
    settings_add_strings (self->settings, "approved-runners", runners);
  if (environment != NULL)
    settings_add_strings (self->settings, "approved-environment", environment);
}

/* Keep, discard ---------------------------------------------------------- */

typedef struct
{
  gpointer       progress_data;
  GDestroyNotify progress_data_free;
} KeepData;

static void
keep_data_free (KeepData *data)
{
  if (data->progress_data_free != NULL)
    data->progress_data_free (data->progress_data);
  g_free (data);
}

static void
keep_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPlayer *self = g_task_get_source_object (task);
  SpSession *session = SP_SESSION (object);
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  GError *error = NULL;

  checkpoint = sp_session_keep_finish (session, result, &error);
  /* The worker is done with the progress data. */
  g_task_set_task_data (task, NULL, NULL);
  g_hash_table_remove (self->saving, session);
  if (checkpoint == NULL)
    {
      /* The run is still there: it can be kept or discarded again. */
      emit_changed (self, session);
      g_task_return_error (task, error);
      return;
    }
  remove_session (self, session);
  g_task_return_pointer (task, g_steal_pointer (&checkpoint), g_object_unref);
}

void
sp_player_keep_async (SpPlayer            *self,
                      SpSession           *session,
                      const char          *label,
                      SpProgressFunc       progress,
                      gpointer             progress_data,
                      GDestroyNotify       progress_data_free,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  KeepData *data;

  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_SESSION (session));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_player_keep_async);
  data = g_new0 (KeepData, 1);
  data->progress_data = progress_data;
  data->progress_data_free = progress_data_free;
  g_task_set_task_data (task, data, (GDestroyNotify) keep_data_free);
  g_hash_table_add (self->saving, session);
  emit_changed (self, session);
  sp_session_keep_async (session, label, progress, progress_data, cancellable, keep_done_cb, task);
}

SpCheckpoint *
sp_player_keep_finish (SpPlayer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
discard_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpSession *session = SP_SESSION (object);
  GError *error = NULL;

  if (!sp_session_discard_finish (session, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  remove_session (g_task_get_source_object (task), session);
  g_task_return_boolean (task, TRUE);
}

void
sp_player_discard_async (SpPlayer            *self,
                         SpSession           *session,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_SESSION (session));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_player_discard_async);
  sp_session_discard_async (session, cancellable, discard_done_cb, task);
}

gboolean
sp_player_discard_finish (SpPlayer      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject ---------------------------------------------------------------- */

static void
sp_player_dispose (GObject *object)
{
  SpPlayer *self = SP_PLAYER (object);

  g_cancellable_cancel (self->cancellable);
  /* A running game keeps running; its run is offered on the next start. */
  for (guint i = 0; i < self->sessions->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->sessions, i), self);
  g_hash_table_remove_all (self->by_game);
  g_hash_table_remove_all (self->saving);
  g_ptr_array_set_size (self->sessions, 0);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_player_parent_class)->dispose (object);
}

static void
sp_player_finalize (GObject *object)
{
  SpPlayer *self = SP_PLAYER (object);

  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->by_game, g_hash_table_unref);
  g_clear_pointer (&self->saving, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sp_player_parent_class)->finalize (object);
}

static void
sp_player_class_init (SpPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_player_dispose;
  object_class->finalize = sp_player_finalize;

  signals[SIGNAL_SESSION_CHANGED] =
    g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_SESSION);
  signals[SIGNAL_SESSION_FINISHED] =
    g_signal_new ("session-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_SESSION);
  signals[SIGNAL_START_FAILED] =
    g_signal_new ("start-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, SP_TYPE_SESSION, G_TYPE_ERROR);
}

static void
sp_player_init (SpPlayer *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_game = g_hash_table_new (NULL, NULL);
  self->saving = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
}

SpPlayer *
sp_player_new (GSettings *settings)
{
  SpPlayer *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_PLAYER, NULL);
  if (settings != NULL)
    self->settings = g_object_ref (settings);
  return self;
}
