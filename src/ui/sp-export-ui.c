/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-export-ui.h"
#include "sp-ui-util.h"

#define MAX_NAME_BYTES 200
#define SUFFIX ".savepoint.tar.zst"

static void
append_sanitized (GString    *out,
                  const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || strchr ("/\\:*?\"<>|", (int) c) != NULL)
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
}

char *
sp_export_ui_file_name (const char *game_name,
                        const char *label,
                        GDateTime  *created)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autofree char *base = NULL;
  const char *start;
  const char *end;

  g_return_val_if_fail (game_name != NULL, NULL);

  name = g_strstrip (g_strdup (game_name));
  text = g_strstrip (g_strdup (label ? label : ""));
  if (text[0] == '\0' && created != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (created);

      /* No ":" (refused by FAT and NTFS drives). */
      g_free (text);
      text = g_date_time_format (local, "%Y-%m-%d %H.%M");
    }

  append_sanitized (out, name[0] != '\0' ? name : _("Game"));
  if (text != NULL && text[0] != '\0')
    {
      g_string_append (out, " – ");
      append_sanitized (out, text);
    }

  /* No hidden file, no leading or trailing blanks, a bounded length. */
  start = out->str;
  while (*start == '.' || *start == ' ')
    start++;
  end = start + strlen (start);
  if (end - start > MAX_NAME_BYTES)
    {
      end = start + MAX_NAME_BYTES;
      while (end > start && ((guchar) *end & 0xc0) == 0x80)
        end--;
    }
  while (end > start && end[-1] == ' ')
    end--;
  base = end > start ? g_strndup (start, end - start) : g_strdup ("Savepoint");
  return g_strconcat (base, SUFFIX, NULL);
}

/* Show in Files ------------------------------------------------------------ */

typedef struct
{
  GtkWindow *parent;
  char      *folder_uri;
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_clear_object (&data->parent);
  g_free (data->folder_uri);
  g_free (data);
}

static void
show_uri_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ShowData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) && data->parent != NULL)
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (data->parent), _("Could Not Show the File"), error);
  show_data_free (data);
}

/* The folder, in whatever opens folders (the file manager). */
static void
open_folder (ShowData *data)
{
  gtk_show_uri_full (data->parent, data->folder_uri, GDK_CURRENT_TIME, NULL, show_uri_done_cb, data);
}

static void
show_items_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ShowData *data = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_debug ("FileManager1.ShowItems: %s; opening the folder", error->message);
      open_folder (data);
      return;
    }
  show_data_free (data);
}

void
sp_export_ui_show_in_files (GtkWidget  *widget,
                            const char *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *uri = NULL;
  GDBusConnection *bus;   /* a reference */
  GtkWindow *parent;
  ShowData *data;
  const char *uris[2] = { NULL, NULL };

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (path != NULL);

  file = g_file_new_for_path (path);
  folder = g_file_get_parent (file);
  uri = g_file_get_uri (file);
  parent = sp_ui_get_window (widget);
  data = g_new0 (ShowData, 1);
  data->parent = parent ? g_object_ref (parent) : NULL;
  data->folder_uri = g_file_get_uri (folder ? folder : file);

  bus = g_application_get_default ()
    ? g_application_get_dbus_connection (g_application_get_default ())
    : NULL;
  if (bus == NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  else
    g_object_ref (bus);
  if (bus == NULL)
    {
      open_folder (data);
      return;
    }
  uris[0] = uri;
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, show_items_done_cb, data);
  g_object_unref (bus);
}

static void
show_clicked_cb (AdwToast  *toast,
                 GtkWidget *widget)
{
  sp_export_ui_show_in_files (widget, g_object_get_data (G_OBJECT (toast), "sp-path"));
}

AdwToast *
sp_export_ui_new_toast (GtkWidget  *widget,
                        const char *path)
{
  AdwToast *toast = adw_toast_new (_("Checkpoint exported"));

  g_return_val_if_fail (GTK_IS_WIDGET (widget), toast);
  g_return_val_if_fail (path != NULL, toast);

  adw_toast_set_button_label (toast, _("Show in Files"));
  g_object_set_data_full (G_OBJECT (toast), "sp-path", g_strdup (path), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (show_clicked_cb), widget, 0);
  return toast;
}
