/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the window shows of the play sessions (SpPlayer keeps them): the
 * cards' status, the runner question, "Keep this run?", keep with progress,
 * discard (to the trash, with Undo), decide later, and runs left from a
 * crash or "Decide Later" offered again. */
#include "config.h"

#include <glib/gi18n.h>

#include "play/sp-run-logs.h"
#include "core/sp-retention.h"
#include "play/sp-run-owner.h"
#include "sp-game-settings-window.h"
#include "sp-format.h"
#include "sp-keep-dialog.h"
#include "sp-trash-ui.h"
#include "sp-ui-util.h"
#include "sp-window-private.h"
#include "sp-wine-ui.h"

static void show_keep_dialog (SpWindow  *self,
                              SpSession *session);
static void show_end_dialog  (SpWindow  *self,
                              SpSession *session);

/* The dialog on screen; a weak pointer, as the user may close it any time. */
static void
set_keep_dialog (SpWindow  *self,
                 GtkWidget *dialog)
{
  g_clear_weak_pointer (&self->keep_dialog);
  g_set_weak_pointer (&self->keep_dialog, dialog);
}

void
_sp_window_update_card (SpWindow *self,
                        SpGame   *game)
{
  SpGameCard *card = g_hash_table_lookup (self->cards, game);
  SpSession *session;
  const char *status = NULL;
  gboolean clock = FALSE;
  gboolean spinning = TRUE;
  gboolean pending = FALSE;

  if (card == NULL)
    return;
  session = sp_player_get_session (self->player, game);

  if (session != NULL)
    {
      if (sp_player_get_saving (self->player, session))
        status = _("Saving checkpoint…");
      else
        switch (sp_session_get_state (session))
          {
          case SP_SESSION_STATE_IDLE:
          case SP_SESSION_STATE_PREPARING:
            status = _("Starting…");
            break;
          case SP_SESSION_STATE_RUNNING:
            status = _("Running");
            clock = TRUE;
            break;
          case SP_SESSION_STATE_FINISHING:
            status = _("Finishing…");
            break;
          case SP_SESSION_STATE_FINISHED:
          case SP_SESSION_STATE_FAILED:
            status = _("Not yet kept");
            pending = TRUE;   /* with Keep and Discard on the card */
            spinning = FALSE;
            break;
          }
    }

  sp_game_card_set_pending (card, pending);

  sp_game_card_set_spinning (card, spinning);
  sp_game_card_set_status (card, status);
  sp_game_card_set_elapsed (card, clock ? sp_session_get_elapsed (session) : -1);
  sp_game_card_set_can_stop (card, session != NULL &&
                             sp_session_get_state (session) == SP_SESSION_STATE_RUNNING);
}

static void
session_changed_cb (SpPlayer  *player,
                    SpSession *session,
                    SpWindow  *self)
{
  _sp_window_update_card (self, sp_session_get_game (session));
}

/* Keep, discard ---------------------------------------------------------- */

/* Which card shows a keep's packing progress. Core calls the progress in
 * the main context and never after the keep's callback (sp-task-private.h),
 * so the window only displays it. */
typedef struct
{
  SpWindow *window;   /* kept alive by keep_done_cb()'s reference */
  SpGame   *game;
} KeepCard;

static void
keep_card_free (KeepCard *keep_card)
{
  g_clear_object (&keep_card->game);
  g_free (keep_card);
}

static void
keep_progress_cb (guint64  done,
                  guint64  total,
                  gpointer data)
{
  KeepCard *keep_card = data;
  SpWindow *self = keep_card->window;
  SpGameCard *card = g_hash_table_lookup (self->cards, keep_card->game);

  if (card != NULL && total > 0 && sp_window_get_session (self, keep_card->game) != NULL)
    {
      /* Translators: %d is a percentage */
      g_autofree char *text = g_strdup_printf (_("Saving checkpoint… %d %%"),
                                               (int) (MIN (done, total) * 100 / total));
      sp_game_card_set_status (card, text);
    }
}

static void
keep_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpWindow) self = user_data;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;

  checkpoint = sp_player_keep_finish (SP_PLAYER (object), result, &error);
  if (checkpoint == NULL)
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self),
                                         _("Could Not Save the Checkpoint"), error);
      /* The run is still there: the card offers it again. */
      return;
    }

  {
    const char *label = sp_checkpoint_get_label (checkpoint);
    g_autofree char *text = label[0] != '\0'
      /* Translators: %s is a checkpoint's label */
      ? g_strdup_printf (_("Checkpoint “%s” saved"), label)
      : g_strdup (_("Checkpoint saved"));
    g_autofree char *excluded = sp_game_settings_describe_excluded (checkpoint);

    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    if (excluded != NULL)
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (excluded));
  }
  {
    /* What the game's retention rules removed (core/sp-retention.h). */
    g_autofree char *pruned = sp_retention_describe_keep (checkpoint);

    if (pruned != NULL)
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (pruned));
  }
}

static void
discard_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SpSession) session = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpWindow) self = g_object_steal_data (G_OBJECT (session), "sp-discarding-window");
  g_autoptr(SpRun) run = g_object_steal_data (G_OBJECT (session), "sp-discarding-run");

  if (!sp_player_discard_finish (SP_PLAYER (object), result, &error))
    {
      if (self != NULL)
        sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Discard the Run"), error);
      return;
    }
  /* Discarding moved the run to the trash: one step, with Undo. */
  if (self != NULL && run != NULL)
    sp_trash_ui_toast_discarded (GTK_WIDGET (self), run, sp_session_get_game (session));
}

static void
discard (SpWindow  *self,
         SpSession *session)
{
  g_object_set_data_full (G_OBJECT (session), "sp-discarding-window", g_object_ref (self),
                          g_object_unref);
  /* The session lets go of its run once discarded. */
  if (sp_session_get_run (session) != NULL)
    g_object_set_data_full (G_OBJECT (session), "sp-discarding-run",
                            g_object_ref (sp_session_get_run (session)), g_object_unref);
  sp_player_discard_async (self->player, session, self->cancellable, discard_done_cb,
                           g_object_ref (session));
}

static void
decide (SpWindow   *self,
        SpSession  *session,
        const char *response,
        const char *label)
{
  if (g_strcmp0 (response, "keep") == 0)
    {
      KeepCard *keep_card = g_new0 (KeepCard, 1);

      keep_card->window = self;
      keep_card->game = g_object_ref (sp_session_get_game (session));
      sp_player_keep_async (self->player, session, label,
                            keep_progress_cb, keep_card, (GDestroyNotify) keep_card_free,
                            self->cancellable, keep_done_cb, g_object_ref (self));
    }
  else if (g_strcmp0 (response, "discard") == 0)
    discard (self, session);
  else
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("The run is kept on this computer: click the game to decide")));
    }
}

void
_sp_window_decide (SpWindow   *self,
                   SpGame     *game,
                   const char *response)
{
  SpSession *session = sp_player_get_session (self->player, game);

  if (session == NULL || sp_player_get_saving (self->player, session))
    return;
  if (sp_session_get_state (session) != SP_SESSION_STATE_FINISHED &&
      sp_session_get_state (session) != SP_SESSION_STATE_FAILED)
    return;
  if (self->keep_dialog != NULL &&
      g_object_get_data (G_OBJECT (self->keep_dialog), "sp-session") == (gpointer) session)
    gtk_window_destroy (GTK_WINDOW (self->keep_dialog));
  decide (self, session, response, "");
}

static void
keep_response_cb (SpKeepDialog *dialog,
                  const char   *response,
                  SpWindow     *self)
{
  SpSession *session = g_object_get_data (G_OBJECT (dialog), "sp-session");

  if (self->keep_dialog == GTK_WIDGET (dialog))
    g_clear_weak_pointer (&self->keep_dialog);
  decide (self, session, response, sp_keep_dialog_get_label (dialog));
}

static void
show_keep_dialog (SpWindow  *self,
                  SpSession *session)
{
  const SpSessionSummary *summary = sp_session_get_summary (session);
  const GError *error = sp_session_get_error (session);
  GtkWidget *dialog;

  if (self->keep_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->keep_dialog));

  dialog = sp_keep_dialog_new (GTK_WINDOW (self), sp_game_get_name (sp_session_get_game (session)));
  if (summary != NULL)
    sp_keep_dialog_set_summary (SP_KEEP_DIALOG (dialog), summary->duration,
                                summary->files_added, summary->files_changed,
                                summary->files_deleted, summary->bytes);
  {
    /* The run's own problem, then what it may not hold (saves outside). */
    g_autoptr(GString) problem = g_string_new (error != NULL ? error->message : NULL);

    for (char **w = summary != NULL ? summary->warnings : NULL; w != NULL && *w != NULL; w++)
      g_string_append_printf (problem, "%s%s", problem->len > 0 ? "\n\n" : "", *w);
    if (problem->len > 0)
      sp_keep_dialog_set_problem (SP_KEEP_DIALOG (dialog), problem->str);
  }
  g_object_set_data_full (G_OBJECT (dialog), "sp-session", g_object_ref (session), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (keep_response_cb), self, 0);
  set_keep_dialog (self, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The game failed (sp_session_get_game_failed()) -------------------------- */

static void show_failed_dialog (SpWindow  *self,
                                SpSession *session,
                                gboolean   with_log);

static void
nothing_discarded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SpWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_player_discard_finish (SP_PLAYER (object), result, &error))
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Discard the Run"), error);
}

static void
failed_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SpWindow         *self)
{
  SpSession *session = g_object_get_data (G_OBJECT (dialog), "sp-session");

  if (self->keep_dialog == GTK_WIDGET (dialog))
    g_clear_weak_pointer (&self->keep_dialog);

  if (g_strcmp0 (response, "log") == 0)
    show_failed_dialog (self, session, TRUE);
  else if (g_strcmp0 (response, "close") != 0)
    decide (self, session, response, "");   /* keep, discard (with Undo), later */
}

/* "The Game Quit Unexpectedly": how it ended, Show Log (the dialog comes
 * back with the log's last lines), and Keep/Discard only when the run
 * changed something (a run that changed nothing is discarded already). */
static void
show_failed_dialog (SpWindow  *self,
                    SpSession *session,
                    gboolean   with_log)
{
  const SpSessionSummary *summary = sp_session_get_summary (session);
  g_autofree char *status = sp_exit_status_describe (summary->exit_status);
  g_autofree char *duration = sp_ui_format_duration (summary->duration);
  gboolean can_keep = !sp_session_get_changed_nothing (session) && sp_session_get_run (session) != NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  AdwMessageDialog *dialog;

  if (self->keep_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->keep_dialog));

  /* Translators: the first %s is a game's name, the second how it ended
   * (“exited with status 127”), the third a duration */
  g_string_append_printf (body, _("“%s” %s after %s."),
                          sp_game_get_name (sp_session_get_game (session)), status, duration);
  g_string_append (body, "\n\n");
  g_string_append (body, can_keep
                   ? _("Keep what it changed as a checkpoint, or discard the run?")
                   : _("The game changed nothing; there is nothing to keep."));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("The Game Quit Unexpectedly"),
                                                       body->str));
  if (!with_log)
    adw_message_dialog_add_response (dialog, "log", _("_Show Log"));
  if (can_keep)
    {
      adw_message_dialog_add_responses (dialog,
                                        "discard", _("_Discard Run"),
                                        "keep", _("_Keep Run"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
      /* Escape leaves the run undecided, as in "Keep This Run?". */
      adw_message_dialog_add_response (dialog, "later", _("Decide _Later"));
      adw_message_dialog_set_close_response (dialog, "later");
      adw_message_dialog_set_default_response (dialog, "keep");
    }
  else
    {
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      adw_message_dialog_set_close_response (dialog, "close");
      adw_message_dialog_set_default_response (dialog, "close");
    }

  if (with_log)
    {
      const char *tail = sp_session_get_log_tail (session);
      const char *kept = sp_session_get_kept_log_path (session);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *scrolled = gtk_scrolled_window_new ();
      GtkWidget *view = gtk_text_view_new ();
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

      gtk_text_buffer_set_text (buffer, tail != NULL && tail[0] != '\0' ? tail : _("The log is empty."), -1);
      gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
      gtk_widget_set_name (view, "log-view");
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 200);
      gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 420);
      gtk_widget_add_css_class (scrolled, "card");
      gtk_box_append (GTK_BOX (box), scrolled);
      if (kept != NULL)
        {
          /* Translators: %s is the path of a log file */
          g_autofree char *where = g_strdup_printf (_("The whole log: %s"), kept);
          GtkWidget *label = gtk_label_new (where);

          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "caption");
          gtk_widget_add_css_class (label, "dim-label");
          gtk_box_append (GTK_BOX (box), label);
        }
      adw_message_dialog_set_extra_child (dialog, box);
    }

  g_object_set_data_full (G_OBJECT (dialog), "sp-session", g_object_ref (session), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (failed_response_cb), self, 0);
  set_keep_dialog (self, GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The question at a session's end, whichever fits. */
static void
show_end_dialog (SpWindow  *self,
                 SpSession *session)
{
  if (sp_session_get_game_failed (session))
    show_failed_dialog (self, session, FALSE);
  else
    show_keep_dialog (self, session);
}

static void
session_finished_cb (SpPlayer  *player,
                     SpSession *session,
                     SpWindow  *self)
{
  g_autofree char *background = sp_session_describe_background (session);

  /* What outlived the game and was stopped (README, "When does a session end?"). */
  if (background != NULL)
    {
      g_autofree char *markup = g_markup_escape_text (background, -1);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (markup));
    }
  if (sp_session_get_run (session) == NULL)
    {
      const GError *error = sp_session_get_error (session);
      sp_ui_show_error (GTK_WIDGET (self), _("The Game Ended With an Error"),
                        error ? error->message : _("Nothing was kept."));
      return;
    }
  if (sp_session_get_changed_nothing (session) && sp_session_get_error (session) == NULL)
    {
      /* Nothing to keep: not even a question, unless the game failed. */
      sp_player_discard_async (self->player, session, self->cancellable,
                               nothing_discarded_cb, g_object_ref (self));
      if (!sp_session_get_game_failed (session))
        {
          g_autofree char *text =
            /* Translators: %s is a game's name */
            g_strdup_printf (_("“%s” changed nothing; there was nothing to keep"),
                             sp_game_get_name (sp_session_get_game (session)));
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
          return;
        }
    }
  show_end_dialog (self, session);
}

/* Play and stop ---------------------------------------------------------- */

static void
start_failed_cb (SpPlayer     *player,
                 SpSession    *session,
                 const GError *error,
                 SpWindow     *self)
{
  if (g_error_matches (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS))
    {
      /* An undecided run from before is in the way: offer it. */
      g_hash_table_remove_all (self->offered_runs);
      _sp_window_check_pending_runs (self, sp_session_get_library (session));
      return;
    }

  sp_ui_show_error (GTK_WIDGET (self), _("Could Not Start the Game"), error->message);
}

static void
tell_left_out (SpWindow  *self,
               SpSession *session)
{
  g_autofree char *refused_runner = sp_session_get_refused_runner (session);
  g_auto(GStrv) refused_environment = sp_session_get_refused_environment (session);
  const char *text = NULL;

  if (refused_runner != NULL && refused_environment[0] != NULL)
    text = _("Playing with the default Wine runner, without the game’s loader settings");
  else if (refused_runner != NULL)
    text = _("Playing with the default Wine runner");
  else if (refused_environment[0] != NULL)
    text = _("Playing without the game’s loader settings");
  if (text != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
runner_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  SpSession *session = user_data;   /* owned until started or dropped */
  SpWindow *self = SP_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));

  if (g_str_equal (response, "cancel") || self == NULL)
    {
      g_object_unref (session);
      return;
    }
  if (g_str_equal (response, "always") && self->settings != NULL)
    sp_player_allow_always (self->player, session);
  else if (g_str_equal (response, "once"))
    sp_player_allow_once (self->player, session);
  else
    tell_left_out (self, session);

  _sp_window_play_checking_wine (self, session);
  g_object_unref (session);
}

/* "This game wants to run with …": Cancel, Use Default Wine (or Play
 * Without Them), Run Once, Always Allow. */
static void
ask_runner_policy (SpWindow  *self,
                   SpSession *session)
{
  SpGame *game = sp_session_get_game (session);
  g_autofree char *refused_runner = sp_session_get_refused_runner (session);
  g_auto(GStrv) refused_environment = sp_session_get_refused_environment (session);
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  if (refused_runner != NULL)
    /* Translators: the first %s is a game's name, the second a command line */
    g_string_append_printf (body, _("“%s” wants to run with “%s”, which you have not approved on this computer."),
                            sp_game_get_name (game), refused_runner);
  if (refused_environment[0] != NULL)
    {
      g_autofree char *list = g_strjoinv ("\n", refused_environment);

      if (body->len > 0)
        g_string_append (body, "\n\n");
      g_string_append_printf (body,
                              /* Translators: %s is a game's name; a list of KEY=VALUE lines follows */
                              _("“%s” wants to set variables that choose which programs and libraries are loaded:\n%s"),
                              sp_game_get_name (game), list);
    }
  g_string_append (body, "\n\n");
  g_string_append (body, _("A game’s settings come from its drive. Allow this only if you trust "
                           "where the drive comes from."));

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   refused_runner != NULL ? _("Run With Another Wine Runner?")
                                                          : _("Allow the Game’s Loader Settings?"),
                                   body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "default", refused_runner != NULL ? _("Use _Default Wine")
                                                                      : _("Play _Without Them"),
                                    "once", _("Run _Once"),
                                    "always", _("_Always Allow"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "default",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "default");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (runner_response_cb), g_object_ref (session));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
sp_window_play_game (SpWindow *self,
                     SpGame   *game)
{
  g_autoptr(SpSession) session = NULL;
  SpSession *running;
  SpLibrary *library;
  g_autofree char *refused_runner = NULL;
  g_auto(GStrv) refused_environment = NULL;

  g_return_if_fail (SP_IS_WINDOW (self));
  g_return_if_fail (SP_IS_GAME (game));

  running = sp_player_get_session (self->player, game);
  if (running != NULL)
    {
      SpSessionState state = sp_session_get_state (running);

      if ((state == SP_SESSION_STATE_FINISHED || state == SP_SESSION_STATE_FAILED) &&
          !sp_player_get_saving (self->player, running))
        show_end_dialog (self, running);
      else
        {
          g_autofree char *text =
            /* Translators: %s is a game's name */
            g_strdup_printf (_("“%s” is already running"), sp_game_get_name (game));
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
        }
      return;
    }

  library = sp_window_find_library (self, game);
  if (library == NULL)
    return;

  session = sp_player_new_session (self->player, library, game);
  refused_runner = sp_session_get_refused_runner (session);
  refused_environment = sp_session_get_refused_environment (session);
  if (refused_runner != NULL || refused_environment[0] != NULL)
    {
      ask_runner_policy (self, session);
      return;
    }
  _sp_window_play_checking_wine (self, session);
}

SpSession *
sp_window_get_session (SpWindow *self,
                       SpGame   *game)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->player != NULL ? sp_player_get_session (self->player, game) : NULL;
}

/* Runs left undecided (crash, quit, "Decide Later" in an earlier start, a
 * run back from the trash) ------------------------------------------------ */

typedef struct
{
  SpRun        *run;
  SpGame       *game;
  SpRunChanges  changes;
} Pending;

static void
pending_free (Pending *pending)
{
  if (pending == NULL)
    return;
  g_clear_object (&pending->run);
  g_clear_object (&pending->game);
  g_free (pending);
}

typedef struct
{
  SpLibrary  *library;
  char       *library_id;
  GPtrArray  *games;     /* SpGame, in the main thread's hands; only paths read */
  GPtrArray  *found;     /* Pending */
} PendingScan;

static void
pending_scan_free (PendingScan *scan)
{
  g_object_unref (scan->library);
  g_free (scan->library_id);
  g_ptr_array_unref (scan->games);
  g_ptr_array_unref (scan->found);
  g_free (scan);
}

static void
pending_scan_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PendingScan *scan = task_data;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;

  runs = sp_run_list_pending (scan->library_id, &error);
  if (runs == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < runs->len; i++)
    {
      SpRun *run = g_ptr_array_index (runs, i);
      SpGame *game = sp_run_owner_match (run, scan->library_id, scan->games);
      Pending *pending;

      if (game == NULL)
        continue;
      pending = g_new0 (Pending, 1);
      pending->run = g_object_ref (run);
      pending->game = g_object_ref (game);
      sp_run_count_changes (run, sp_game_get_base_path (game), &pending->changes, NULL);
      g_ptr_array_add (scan->found, pending);
    }
  g_task_return_boolean (task, TRUE);
}

/* Each undecided run becomes a session of the player, FINISHED: its card
 * and page say "Not yet kept" with Keep and Discard, as for a run left
 * undecided in this start. Nothing asks; a toast says so, calmly. */
static void
pending_scan_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  SpWindow *self = SP_WINDOW (object);
  PendingScan *scan = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *name = NULL;
  guint added = 0;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not list the undecided runs: %s", error->message);
      return;
    }

  for (guint i = 0; i < scan->found->len; i++)
    {
      Pending *pending = g_ptr_array_index (scan->found, i);
      g_autoptr(SpSession) session = NULL;

      if (sp_player_get_session (self->player, pending->game) != NULL ||
          g_hash_table_contains (self->offered_runs, sp_run_get_path (pending->run)))
        continue;
      g_hash_table_add (self->offered_runs, g_strdup (sp_run_get_path (pending->run)));
      session = sp_session_new_for_run (scan->library, pending->game, pending->run, &pending->changes);
      sp_player_add_undecided (self->player, session);
      name = sp_game_get_name (pending->game);
      added++;
    }
  if (added == 1)
    /* Translators: %s is a game's name */
    text = g_strdup_printf (_("A run of “%s” is not yet kept"), name);
  else if (added > 1)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u run is not yet kept",
                                         "%u runs are not yet kept", added), added);
  if (text != NULL)
    {
      g_autofree char *markup = g_markup_escape_text (text, -1);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (markup));
    }
}

void
_sp_window_check_pending_runs (SpWindow  *self,
                               SpLibrary *library)
{
  g_autoptr(GTask) task = NULL;
  PendingScan *scan;
  GListModel *games = sp_library_get_games (library);

  scan = g_new0 (PendingScan, 1);
  scan->library = g_object_ref (library);
  scan->library_id = g_strdup (sp_library_get_id (library));
  scan->games = g_ptr_array_new_with_free_func (g_object_unref);
  scan->found = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  for (guint i = 0; i < g_list_model_get_n_items (games); i++)
    g_ptr_array_add (scan->games, g_list_model_get_item (games, i));

  task = g_task_new (self, self->cancellable, pending_scan_done_cb, NULL);
  g_task_set_task_data (task, scan, (GDestroyNotify) pending_scan_free);
  g_task_run_in_thread (task, pending_scan_thread);
}

/* The game page's Stop, Keep… and Discard act on its game's session, as
 * the card's do. */
static void
page_stop_cb (SpGamePage *page,
              SpWindow   *self)
{
  SpGame *game = sp_game_page_get_game (page);

  if (game != NULL)
    sp_player_stop (self->player, game);
}

static void
page_keep_cb (SpGamePage *page,
              SpWindow   *self)
{
  SpSession *session = sp_game_page_get_session (page);

  if (session != NULL && sp_session_get_run (session) != NULL)
    show_keep_dialog (self, session);
}

static void
page_discard_cb (SpGamePage *page,
                 SpWindow   *self)
{
  SpSession *session = sp_game_page_get_session (page);

  if (session != NULL && sp_session_get_run (session) != NULL &&
      !sp_player_get_saving (self->player, session))
    discard (self, session);
}

void
sp_window_ask_finished (SpWindow *self)
{
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (SP_IS_WINDOW (self));

  /* (Deciding may remove sessions: a copy of the list.) */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->player)); i++)
    {
      g_autoptr(SpSession) session = g_list_model_get_item (G_LIST_MODEL (self->player), i);

      /* (Not the runs of an earlier start: they wait on their cards.) */
      if (sp_session_get_state (session) == SP_SESSION_STATE_FINISHED &&
          sp_session_get_run (session) != NULL && !sp_session_get_recovered (session) &&
          !sp_player_get_saving (self->player, session))
        g_ptr_array_add (finished, g_steal_pointer (&session));
    }
  for (guint i = 0; i < finished->len; i++)
    session_finished_cb (self->player, finished->pdata[i], self);
}

/* Follows the player's sessions (set before the cards are made). */
void
_sp_window_play_init (SpWindow *self)
{
  sp_game_page_set_player (self->game_page, self->player);
  g_signal_connect_object (self->game_page, "stop", G_CALLBACK (page_stop_cb), self, 0);
  g_signal_connect_object (self->game_page, "keep", G_CALLBACK (page_keep_cb), self, 0);
  g_signal_connect_object (self->game_page, "discard", G_CALLBACK (page_discard_cb), self, 0);
  g_signal_connect (self->player, "session-changed", G_CALLBACK (session_changed_cb), self);
  g_signal_connect (self->player, "session-finished", G_CALLBACK (session_finished_cb), self);
  g_signal_connect (self->player, "start-failed", G_CALLBACK (start_failed_cb), self);
}

void
_sp_window_play_dispose (SpWindow *self)
{
  if (self->keep_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->keep_dialog));
  g_clear_weak_pointer (&self->keep_dialog);

  /* The sessions stay with the player: a game keeps running, and its run
   * is offered by the next window (or on the next start). */
  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  if (self->game_page != NULL)
    sp_game_page_set_player (self->game_page, NULL);
  g_clear_object (&self->player);
}
