/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trash of discarded runs in the app: the Undo toast, "Recently
 * Discarded", and Keep It / Move to Trash / Cancel before a restore. */
#include "config.h"

#include <glib/gi18n.h>

#include "common/sp-util.h"
#include "sp-player.h"
#include "sp-trash-ui.h"
#include "sp-ui-util.h"
#include "sp-window-private.h"

/* Expiry ---------------------------------------------------------------- */

static void
expire_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  sp_run_trash_expire (NULL, cancellable);
  g_task_return_boolean (task, TRUE);
}

void
sp_trash_ui_expire (GSettings *settings)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_return_if_fail (G_IS_SETTINGS (settings));

  sp_run_trash_set_limits (g_settings_get_uint (settings, "trash-max-age-days"),
                           (guint64) g_settings_get_uint (settings, "trash-max-size-gb") *
                           1000 * 1000 * 1000);
  g_task_run_in_thread (task, expire_thread);
}

/* Recovering ------------------------------------------------------------ */

static SpWindow *
main_window (GtkWidget *widget)
{
  GtkWindow *window = sp_ui_get_window (widget);

  while (window != NULL && !SP_IS_WINDOW (window))
    window = gtk_window_get_transient_for (window);
  return window != NULL ? SP_WINDOW (window) : NULL;
}

/* Makes the trashed run @id of @game pending again and lets the window
 * offer it. */
static gboolean
recover (SpWindow   *window,
         GtkWidget  *error_parent,
         SpGame     *game,
         const char *id)
{
  SpLibrary *library = sp_window_find_library (window, game);
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GError) error = NULL;

  if (library == NULL)
    {
      sp_ui_show_error (error_parent, _("Could Not Restore the Run"),
                        _("The game’s library is no longer connected."));
      return FALSE;
    }
  run = sp_run_trash_recover (id, sp_library_get_id (library), game, &error);
  if (run == NULL)
    {
      sp_ui_show_error (error_parent, _("Could Not Restore the Run"), error->message);
      return FALSE;
    }
  g_hash_table_remove (window->offered_runs, sp_run_get_path (run));
  _sp_window_check_pending_runs (window, library);
  return TRUE;
}

static void
undo_discard_cb (AdwToast *toast,
                 SpWindow *window)
{
  SpGame *game = g_object_get_data (G_OBJECT (toast), "sp-game");
  const char *id = g_object_get_data (G_OBJECT (toast), "sp-trash-id");

  recover (window, GTK_WIDGET (window), game, id);
}

/* The last Undo toast while it lives, for tests. */
static AdwToast *undo_toast;

AdwToast *
sp_trash_ui_get_undo_toast (void)
{
  return undo_toast;
}

void
sp_trash_ui_toast_discarded (GtkWidget *widget,
                             SpRun     *run,
                             SpGame    *game)
{
  SpWindow *window = main_window (widget);
  AdwToast *toast;

  g_return_if_fail (SP_IS_RUN (run));
  g_return_if_fail (SP_IS_GAME (game));

  toast = adw_toast_new (_("Run moved to the trash"));
  if (window != NULL && sp_run_get_trash_id (run) != NULL)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "sp-game", g_object_ref (game), g_object_unref);
      g_object_set_data_full (G_OBJECT (toast), "sp-trash-id",
                              g_strdup (sp_run_get_trash_id (run)), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_discard_cb), window, 0);
      g_clear_weak_pointer (&undo_toast);
      g_set_weak_pointer (&undo_toast, toast);
    }
  /* The main window's own overlay (the window is not inside it). */
  if (window != NULL)
    adw_toast_overlay_add_toast (window->toast_overlay, toast);
  else
    sp_ui_add_toast (widget, toast);
}

/* Before a restore ------------------------------------------------------ */

typedef struct
{
  GtkWidget        *widget;
  SpGame           *game;
  SpRun            *pending;    /* a run without session */
  SpSession        *session;    /* or a session waiting for its decision */
  SpTrashUiProceed  proceed;
  gpointer          user_data;
  GDestroyNotify    destroy;
} Guard;

static void
guard_free (Guard *guard)
{
  if (guard->destroy != NULL)
    guard->destroy (guard->user_data);
  g_clear_object (&guard->widget);
  g_clear_object (&guard->game);
  g_clear_object (&guard->pending);
  g_clear_object (&guard->session);
  g_free (guard);
}

static void
guard_proceed (Guard *guard)
{
  guard->proceed (guard->user_data);
  guard_free (guard);
}

static void
guard_kept_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Guard *guard = user_data;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;

  if (SP_IS_PLAYER (object))
    checkpoint = sp_player_keep_finish (SP_PLAYER (object), result, &error);
  else
    checkpoint = sp_run_keep_finish (SP_RUN (object), result, &error);
  if (checkpoint == NULL)
    {
      sp_ui_show_error_unless_cancelled (guard->widget, _("Could Not Save the Checkpoint"), error);
      guard_free (guard);
      return;
    }
  sp_ui_add_toast (guard->widget, adw_toast_new (_("Checkpoint saved")));
  guard_proceed (guard);
}

static void
guard_discarded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Guard *guard = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  SpRun *run;

  if (SP_IS_PLAYER (object))
    ok = sp_player_discard_finish (SP_PLAYER (object), result, &error);
  else
    ok = sp_run_discard_finish (SP_RUN (object), result, &error);
  run = guard->pending;
  if (!ok)
    {
      sp_ui_show_error_unless_cancelled (guard->widget, _("Could Not Discard the Run"), error);
      guard_free (guard);
      return;
    }
  if (run != NULL)
    sp_trash_ui_toast_discarded (guard->widget, run, guard->game);
  guard_proceed (guard);
}

static void
guard_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   Guard            *guard)
{
  SpWindow *window = main_window (guard->widget);

  if (window == NULL || g_strcmp0 (response, "cancel") == 0)
    {
      guard_free (guard);
      return;
    }
  if (g_strcmp0 (response, "keep") == 0)
    {
      if (guard->session != NULL)
        sp_player_keep_async (window->player, guard->session, "", NULL, NULL, NULL, NULL,
                              guard_kept_cb, guard);
      else
        sp_run_keep_async (guard->pending, guard->game, "", NULL, NULL, NULL,
                           guard_kept_cb, guard);
    }
  else if (guard->session != NULL)
    sp_player_discard_async (window->player, guard->session, NULL, guard_discarded_cb, guard);
  else
    sp_run_discard_async (guard->pending, NULL, guard_discarded_cb, guard);
}

void
sp_trash_ui_guard_head_change (GtkWidget       *widget,
                               SpGame          *game,
                               const char      *id,
                               SpTrashUiProceed proceed,
                               gpointer         user_data,
                               GDestroyNotify   destroy)
{
  SpWindow *window = main_window (widget);
  SpLibrary *library = window ? sp_window_find_library (window, game) : NULL;
  g_autoptr(GError) error = NULL;
  SpSession *session = window ? sp_window_get_session (window, game) : NULL;
  Guard *guard;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  guard = g_new0 (Guard, 1);
  guard->widget = g_object_ref (widget);
  guard->game = g_object_ref (game);
  guard->proceed = proceed;
  guard->user_data = user_data;
  guard->destroy = destroy;

  /* The head it already has: nothing moves. */
  if (g_strcmp0 (id, sp_game_get_head (game)) == 0 || library == NULL)
    {
      guard_proceed (guard);
      return;
    }
  if (session != NULL)
    {
      SpSessionState state = sp_session_get_state (session);

      if (state != SP_SESSION_STATE_FINISHED && state != SP_SESSION_STATE_FAILED)
        {
          sp_ui_show_error (widget, _("The Game Is Running"),
                            _("The checkpoint the game starts from cannot change while it runs. "
                              "Try again once it has ended."));
          guard_free (guard);
          return;
        }
      guard->session = g_object_ref (session);
      /* The session lets go of its run once discarded: the toast needs it. */
      if (sp_session_get_run (session) != NULL)
        guard->pending = g_object_ref (sp_session_get_run (session));
    }
  else if (!sp_run_check_head_change (sp_library_get_id (library), game, &guard->pending,
                                      &error))
    {
      if (!g_error_matches (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS) || guard->pending == NULL)
        {
          sp_ui_show_error (widget, _("The Game Is Running"), error->message);
          guard_free (guard);
          return;
        }
    }
  else
    {
      guard_proceed (guard);
      return;
    }

  body = g_strdup_printf (_("The last run of “%s” is not kept yet. Keep it as a checkpoint "
                            "first, or move it to the trash, where it stays for a while."),
                          sp_game_get_name (game));
  dialog = adw_message_dialog_new (sp_ui_get_window (widget), _("Keep the Last Run?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "trash", _("_Move to Trash"),
                                    "keep", _("_Keep It"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "keep",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (guard_response_cb), guard);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Recently Discarded ---------------------------------------------------- */

static void
restore_clicked_cb (GtkButton *button,
                    AdwWindow *dialog)
{
  SpGame *game = g_object_get_data (G_OBJECT (dialog), "sp-game");
  const char *id = g_object_get_data (G_OBJECT (button), "sp-trash-id");
  SpWindow *window = main_window (GTK_WIDGET (dialog));

  if (window != NULL && recover (window, GTK_WIDGET (dialog), game, id))
    {
      adw_toast_overlay_add_toast (window->toast_overlay,
                                   adw_toast_new (_("Run restored: keep it or discard it again")));
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static GtkWidget *
trashed_row (SpTrashedRun *trashed,
             AdwWindow    *dialog)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (trashed->discarded);
  /* Translators: the date and time a run was discarded, strftime format */
  g_autofree char *date = g_date_time_format (local, _("%Y-%m-%d %H:%M"));
  g_autofree char *duration = sp_format_duration (trashed->play_time);
  g_autofree char *size = g_format_size (trashed->size);
  /* Translators: a discarded run: "played 5 minutes · 2.1 MB" */
  g_autofree char *subtitle = g_strdup_printf (_("Played %s · %s"), duration, size);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Restore"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), date);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Make it the game’s run waiting to be kept"));
  g_object_set_data_full (G_OBJECT (button), "sp-trash-id", g_strdup (trashed->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (restore_clicked_cb), dialog);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

GtkWidget *
sp_trash_ui_discarded_window_new (GtkWidget *widget,
                                  SpGame    *game)
{
  SpWindow *window = main_window (widget);
  SpLibrary *library = window ? sp_window_find_library (window, game) : NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *limits_text = NULL;
  g_autofree char *max_size = NULL;
  GtkWidget *dialog, *box, *header, *title, *content;
  guint days;
  guint64 bytes;

  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  dialog = adw_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (dialog), sp_ui_get_window (widget));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 480, 460);
  gtk_window_set_title (GTK_WINDOW (dialog), _("Recently Discarded"));
  g_object_set_data_full (G_OBJECT (dialog), "sp-game", g_object_ref (game), g_object_unref);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = adw_window_title_new (_("Recently Discarded"), sp_game_get_name (game));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);

  if (library != NULL)
    list = sp_run_trash_list (sp_library_get_id (library), sp_game_get_slug (game), &error);
  sp_run_trash_get_limits (&days, &bytes);
  max_size = g_format_size (bytes);
  limits_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Discarded runs stay for %u day, or until the "
                                              "trash holds more than %s.",
                                              "Discarded runs stay for %u days, or until the "
                                              "trash holds more than %s.", days),
                                 days, max_size);

  if (list == NULL || list->len == 0)
    {
      content = adw_status_page_new ();
      adw_status_page_set_icon_name (ADW_STATUS_PAGE (content), "user-trash-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (content), _("No Discarded Runs"));
      adw_status_page_set_description (ADW_STATUS_PAGE (content),
                                       error != NULL ? error->message : limits_text);
      gtk_widget_set_vexpand (content, TRUE);
    }
  else
    {
      GtkWidget *page = adw_preferences_page_new ();
      GtkWidget *group = adw_preferences_group_new ();

      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), limits_text);
      for (guint i = 0; i < list->len; i++)
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                   trashed_row (list->pdata[i], ADW_WINDOW (dialog)));
      adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
      gtk_widget_set_vexpand (page, TRUE);
      content = page;
    }
  gtk_box_append (GTK_BOX (box), content);
  adw_window_set_content (ADW_WINDOW (dialog), box);

  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Escape"),
                                                            gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (dialog, shortcuts);
  }
  return dialog;
}
