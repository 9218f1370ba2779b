/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The game page's repair group for Wine user folders, and the question
 * before playing with another Wine: play anyway, or update the clean
 * install first (sp-wine-ui.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-player.h"
#include "sp-ui-util.h"
#include "sp-window-private.h"
#include "sp-wine-ui.h"

struct _SpWineRepairGroup
{
  AdwPreferencesGroup  parent_instance;

  SpGame              *game;
  GCancellable        *cancellable;   /* the check or repair of @game */
  GtkWidget           *button;
};

G_DEFINE_FINAL_TYPE (SpWineRepairGroup, sp_wine_repair_group, ADW_TYPE_PREFERENCES_GROUP)

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_auto(GStrv) outside = sp_wine_prefix_find_outside_links (task_data, TRUE, cancellable, NULL);

  g_task_return_boolean (task, outside != NULL && outside[0] != NULL);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SpWineRepairGroup *self = SP_WINE_REPAIR_GROUP (object);
  g_autoptr(GError) error = NULL;
  gboolean needed = g_task_propagate_boolean (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self), needed);
}

static void
repair_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpWineRepairGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) replaced = sp_wine_repair_finish (SP_GAME (object), result, &error);
  g_autofree char *text = NULL;
  guint n;

  gtk_widget_set_sensitive (self->button, TRUE);
  if (replaced == NULL)
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Repair the Game"),
                                         error);
      return;
    }
  if (SP_GAME (object) != self->game)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  n = g_strv_length (replaced);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u user folder now stays inside the game",
                                       "%u user folders now stay inside the game", n), n);
  sp_ui_add_toast (GTK_WIDGET (self), adw_toast_new (text));
}

static void
repair_clicked_cb (SpWineRepairGroup *self)
{
  if (self->game == NULL)
    return;
  gtk_widget_set_sensitive (self->button, FALSE);
  sp_wine_repair_async (self->game, self->cancellable, repair_done_cb, g_object_ref (self));
}

static void
sp_wine_repair_group_dispose (GObject *object)
{
  SpWineRepairGroup *self = SP_WINE_REPAIR_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->game);

  G_OBJECT_CLASS (sp_wine_repair_group_parent_class)->dispose (object);
}

static void
sp_wine_repair_group_class_init (SpWineRepairGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_wine_repair_group_dispose;
}

static void
sp_wine_repair_group_init (SpWineRepairGroup *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_add_css_class (icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 _("User Folders Outside the Game"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Saves in Documents, Desktop and the other user folders of "
                                 "this Wine game go to this computer’s home folder, not into "
                                 "checkpoints. Repair the clean install once to keep them in "
                                 "the game."));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  self->button = gtk_button_new_with_mnemonic (_("_Repair"));
  gtk_widget_set_valign (self->button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->button, "suggested-action");
  g_signal_connect_swapped (self->button, "clicked", G_CALLBACK (repair_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
sp_wine_repair_group_new (void)
{
  return g_object_new (SP_TYPE_WINE_REPAIR_GROUP, NULL);
}

void
sp_wine_repair_group_set_game (SpWineRepairGroup *self,
                               SpGame            *game)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SP_IS_WINE_REPAIR_GROUP (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->game, game);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_widget_set_sensitive (self->button, TRUE);
  if (game == NULL || sp_game_get_kind (game) != SP_GAME_KIND_WINE ||
      sp_game_get_read_only (game))
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, check_done_cb, NULL);
  g_task_set_task_data (task, g_strdup (sp_game_get_base_path (game)), g_free);
  g_task_run_in_thread (task, check_thread);
}

/* ---- Playing with another Wine ---- */

static void
start_unless_running (SpWindow  *self,
                      SpSession *session)
{
  if (self->player != NULL &&
      sp_player_get_session (self->player, sp_session_get_game (session)) == NULL)
    sp_player_start (self->player, session);
}

typedef struct
{
  SpWindow  *window;    /* weak */
  SpSession *session;
  AdwToast  *toast;     /* "Updating…", dismissed when done */
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_clear_weak_pointer (&data->window);
  g_clear_object (&data->session);
  g_clear_object (&data->toast);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UpdateData, update_data_free)

static void
update_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(UpdateData) data = user_data;
  SpGame *game = SP_GAME (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = sp_wine_update_finish (game, result, &error);
  g_autofree char *text = NULL;

  adw_toast_dismiss (data->toast);
  if (data->window == NULL)
    return;
  if (version == NULL)
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (data->window),
                                         _("Could Not Update the Clean Install"), error);
      return;
    }
  /* Translators: the first %s is a game, the second a Wine version */
  text = g_strdup_printf (_("The clean install of “%s” is now updated for %s"),
                          sp_game_get_name (game), version);
  adw_toast_overlay_add_toast (data->window->toast_overlay, adw_toast_new (text));
  start_unless_running (data->window, data->session);
}

/* Updates the clean install with the session's Wine (sp-wine-update.h),
 * then plays. */
static void
update_clean_install (SpWindow  *self,
                      SpSession *session)
{
  SpGame *game = sp_session_get_game (session);
  g_autofree char *runner = sp_session_get_runner (session);
  g_autofree char *text = NULL;
  UpdateData *data = g_new0 (UpdateData, 1);

  text = g_strdup_printf (_("Updating the clean install of “%s”…"), sp_game_get_name (game));
  data->toast = g_object_ref_sink (adw_toast_new (text));
  adw_toast_set_timeout (data->toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (data->toast));
  g_set_weak_pointer (&data->window, self);
  data->session = g_object_ref (session);
  /* Not cancelled with the window: an apply cut short would keep the game
   * from playing until it is finished. */
  sp_wine_update_async (sp_session_get_library (session), game, runner, NULL,
                        update_done_cb, data);
}

static void
wine_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  g_autoptr(SpSession) session = user_data;
  SpWindow *self = SP_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));

  if (self == NULL)
    return;
  if (g_str_equal (response, "play"))
    start_unless_running (self, session);
  else if (g_str_equal (response, "update"))
    update_clean_install (self, session);
}

static void
version_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  /* Read on the main thread: neither the game nor the session is used here. */
  const char *recorded = g_object_get_data (G_OBJECT (task), "sp-recorded");
  const char *runner = g_object_get_data (G_OBJECT (task), "sp-runner");
  const char *game_path = g_object_get_data (G_OBJECT (task), "sp-game-path");
  const char *name = g_object_get_data (G_OBJECT (task), "sp-name");
  const char *slug = g_object_get_data (G_OBJECT (task), "sp-slug");
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* An update of the clean install that did not finish comes first. */
  if (!sp_wine_update_check_not_pending (game_path, name, slug, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, sp_wine_runner_differs (recorded, runner, cancellable), g_free);
}

static void
ask_to_finish_update (SpWindow     *self,
                      SpSession    *session,
                      const GError *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Update Did Not Finish"),
                                   error->message);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "update", _("_Update Clean Install"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "update",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "update");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (wine_response_cb), g_object_ref (session));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
version_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SpWindow *self = SP_WINDOW (object);
  SpSession *session = g_task_get_task_data (G_TASK (result));
  SpGame *game = sp_session_get_game (session);
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY))
    {
      ask_to_finish_update (self, session, error);
      return;
    }
  if (other == NULL)
    {
      start_unless_running (self, session);
      return;
    }
  /* Translators: %s is a Wine version such as "wine-9.0" */
  heading = g_strdup_printf (_("%s Will Update This Game"), other);
  body = g_strdup_printf (_("%s will update the prefix of “%s” (its clean install was made "
                            "with %s). Played as it is, the update will be saved in every "
                            "checkpoint; updating the clean install makes it once, there."),
                          other, sp_game_get_name (game), sp_game_get_wine_version (game));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "play", _("_Play Anyway"),
                                    "update", _("_Update Clean Install"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "update",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (wine_response_cb), g_object_ref (session));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_sp_window_play_checking_wine (SpWindow  *self,
                               SpSession *session)
{
  g_autoptr(GTask) task = NULL;
  SpGame *game = sp_session_get_game (session);

  if (sp_game_get_kind (game) != SP_GAME_KIND_WINE || sp_game_get_read_only (game))
    {
      start_unless_running (self, session);
      return;
    }
  task = g_task_new (self, self->cancellable, version_done_cb, NULL);
  g_task_set_task_data (task, g_object_ref (session), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "sp-recorded",
                          g_strdup (sp_game_get_wine_version (game)), g_free);
  g_object_set_data_full (G_OBJECT (task), "sp-runner", sp_session_get_runner (session), g_free);
  g_object_set_data_full (G_OBJECT (task), "sp-game-path", g_strdup (sp_game_get_path (game)),
                          g_free);
  g_object_set_data_full (G_OBJECT (task), "sp-name", g_strdup (sp_game_get_name (game)), g_free);
  g_object_set_data_full (G_OBJECT (task), "sp-slug", g_strdup (sp_game_get_slug (game)), g_free);
  g_task_run_in_thread (task, version_thread);
}
