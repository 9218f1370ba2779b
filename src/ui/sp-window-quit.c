/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Closing the window while a game runs (issue 14, item 5): the question
 * "Keep Playing in the Background" or "Stop Game". The sessions belong to
 * the application (SpPlayer), which stays alive without a window while a
 * game runs and tells when it has ended (sp-application.c). */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-window-private.h"

static gboolean
close_idle_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
quit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  SpWindow         *self)
{
  if (self->quit_dialog == GTK_WIDGET (dialog))
    g_clear_weak_pointer (&self->quit_dialog);
  if (g_str_equal (response, "background"))
    {
      self->close_confirmed = TRUE;
      /* Once the dialog (transient for the window) has gone. */
      g_idle_add_full (G_PRIORITY_DEFAULT, close_idle_cb, g_object_ref (self), g_object_unref);
    }
  else if (g_str_equal (response, "stop"))
    /* The window stays: the keep question follows when the game ends. */
    sp_player_stop_all (self->player);
}

gboolean
_sp_window_confirm_close (SpWindow *self)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (self->close_confirmed || self->player == NULL)
    return FALSE;
  active = sp_player_list_active (self->player);
  if (active->len == 0)
    return FALSE;

  if (self->quit_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->quit_dialog));
      return TRUE;
    }
  if (active->len == 1)
    /* Translators: %s is a game's name */
    heading = g_strdup_printf (_("Savepoint is running “%s”"),
                               sp_game_get_name (sp_session_get_game (active->pdata[0])));
  else
    /* Translators: %u is a number of games (2 or more) */
    heading = g_strdup_printf (ngettext ("Savepoint is running %u game",
                                         "Savepoint is running %u games", active->len),
                               active->len);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
  adw_message_dialog_set_body (dialog,
                               ngettext ("Keep playing in the background: when the game ends, "
                                         "Savepoint asks whether to keep the run. Stopping the "
                                         "game ends it now, as if it were closed.",
                                         "Keep playing in the background: when a game ends, "
                                         "Savepoint asks whether to keep the run. Stopping the "
                                         "games ends them now, as if they were closed.",
                                         active->len));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "stop", ngettext ("_Stop Game", "_Stop Games", active->len),
                                    "background", _("_Keep Playing in the Background"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "background");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_response_cb), self, 0);
  g_set_weak_pointer (&self->quit_dialog, GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

GtkWidget *
sp_window_get_quit_dialog (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->quit_dialog;
}
