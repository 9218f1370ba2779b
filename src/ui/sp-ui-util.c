/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-ui-util.h"

GtkWindow *
sp_ui_get_window (GtkWidget *widget)
{
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  root = gtk_widget_get_root (widget);
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

gboolean
sp_ui_add_toast (GtkWidget *widget,
                 AdwToast  *toast)
{
  GtkWidget *overlay;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (ADW_IS_TOAST (toast), FALSE);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    {
      GtkWindow *window = sp_ui_get_window (widget);
      GtkWindow *parent = window ? gtk_window_get_transient_for (window) : NULL;

      /* A dialog: toast in the window it belongs to. */
      if (parent != NULL && GTK_WIDGET (parent) != widget)
        return sp_ui_add_toast (GTK_WIDGET (parent), toast);
      g_object_ref_sink (toast);
      g_object_unref (toast);
      return FALSE;
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  return TRUE;
}

void
sp_ui_show_error (GtkWidget  *widget,
                  const char *heading,
                  const char *message)
{
  AdwMessageDialog *dialog;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (sp_ui_get_window (widget), heading, message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

void
sp_ui_show_error_unless_cancelled (GtkWidget    *widget,
                                   const char   *heading,
                                   const GError *error)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (error != NULL);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    sp_ui_show_error (widget, heading, error->message);
}
