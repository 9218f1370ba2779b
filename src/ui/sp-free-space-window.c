/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-format.h"
#include "sp-free-space-window.h"
#include "sp-ui-util.h"
#include "core/sp-disk-usage.h"
#include "core/sp-drive-trash.h"

struct _SpFreeSpaceWindow
{
  AdwWindow             parent_instance;

  SpGame               *game;
  GCancellable         *cancellable;
  guint                 busy;
  GPtrArray            *biggest_rows;   /* rows added to biggest_group */

  AdwPreferencesGroup  *usage_group;
  AdwPreferencesGroup  *biggest_group;
  AdwActionRow         *free_row;
  AdwActionRow         *base_row;
  AdwActionRow         *checkpoints_row;
  AdwActionRow         *trash_row;
  GtkWidget            *empty_button;
};

G_DEFINE_FINAL_TYPE (SpFreeSpaceWindow, sp_free_space_window, ADW_TYPE_WINDOW)

static void measure (SpFreeSpaceWindow *self);

static void
set_busy (SpFreeSpaceWindow *self,
          gboolean           busy)
{
  if (busy)
    self->busy++;
  else
    self->busy--;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "free-space.empty-trash", self->busy == 0);
}

static int
compare_size (gconstpointer a,
              gconstpointer b)
{
  guint64 sa = sp_checkpoint_get_archive_size (*(SpCheckpoint * const *) a);
  guint64 sb = sp_checkpoint_get_archive_size (*(SpCheckpoint * const *) b);

  return sa < sb ? 1 : sa > sb ? -1 : 0;
}

/* The biggest checkpoints, from the game's timeline (no I/O). */
static void
fill_biggest (SpFreeSpaceWindow *self)
{
  GListModel *model = sp_game_get_checkpoints (self->game);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->biggest_rows->len; i++)
    adw_preferences_group_remove (self->biggest_group, g_ptr_array_index (self->biggest_rows, i));
  g_ptr_array_set_size (self->biggest_rows, 0);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (all, g_list_model_get_item (model, i));
  g_ptr_array_sort (all, compare_size);
  for (guint i = 0; i < all->len && i < SP_FREE_SPACE_BIGGEST; i++)
    {
      SpCheckpoint *c = g_ptr_array_index (all, i);
      g_autofree char *title = sp_ui_format_checkpoint_title (c);
      g_autofree char *size = g_format_size (sp_checkpoint_get_archive_size (c));
      g_autofree char *date = sp_ui_format_date (sp_checkpoint_get_created (c));
      /* Translators: "<size> · <date>" of a checkpoint */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %s"), size, date);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (sp_checkpoint_get_pinned (c))
        {
          GtkWidget *pin = gtk_image_new_from_icon_name ("view-pin-symbolic");

          gtk_widget_set_tooltip_text (pin, _("Pinned: never removed by the retention rules"));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), pin);
        }
      adw_preferences_group_add (self->biggest_group, row);
      g_ptr_array_add (self->biggest_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->biggest_group), all->len > 0);
}

static void
measured_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpFreeSpaceWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  SpGameUsage usage;
  guint64 free_bytes = 0, total = 0;

  set_busy (self, FALSE);
  if (!sp_disk_usage_measure_game_finish (SP_GAME (object), result, &usage, &free_bytes, &total,
                                          &error))
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Measure the Drive"),
                                         error);
      return;
    }
  {
    g_autofree char *free_text = g_format_size (free_bytes);
    g_autofree char *total_text = g_format_size (total);
    g_autofree char *base = g_format_size (usage.base_bytes);
    g_autofree char *checkpoints = g_format_size (usage.checkpoint_bytes);
    g_autofree char *trash = g_format_size (usage.trash_bytes);
    /* Translators: "<free> of <total>" on the drive */
    g_autofree char *free_line = g_strdup_printf (_("%s of %s"), free_text, total_text);
    g_autofree char *checkpoints_line =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s in %u checkpoint",
                                    "%s in %u checkpoints", usage.checkpoints),
                       checkpoints, usage.checkpoints);
    g_autofree char *trash_line =
      usage.trash_entries == 0
      /* Translators: the drive's trash holds nothing of this game */
      ? g_strdup (_("Empty"))
      : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%s in %u checkpoint removed by retention",
                                      "%s in %u checkpoints removed by retention",
                                      usage.trash_entries),
                         trash, usage.trash_entries);

    adw_action_row_set_subtitle (self->free_row, free_line);
    adw_action_row_set_subtitle (self->base_row, base);
    adw_action_row_set_subtitle (self->checkpoints_row, checkpoints_line);
    adw_action_row_set_subtitle (self->trash_row, trash_line);
    gtk_widget_set_sensitive (self->empty_button, usage.trash_entries > 0);
  }
}

static void
measure (SpFreeSpaceWindow *self)
{
  set_busy (self, TRUE);
  fill_biggest (self);
  sp_disk_usage_measure_game_async (self->game, self->cancellable, measured_cb,
                                    g_object_ref (self));
}

static void
emptied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SpFreeSpaceWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (!sp_drive_trash_empty_finish (result, NULL, &error))
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Empty the Trash"), error);
  measure (self);
}

static void
empty_response_cb (AdwMessageDialog  *dialog,
                   const char        *response,
                   SpFreeSpaceWindow *self)
{
  g_autofree char *games = NULL;
  g_autofree char *library = NULL;

  if (g_strcmp0 (response, "empty") != 0 || self->game == NULL)
    return;
  games = g_path_get_dirname (sp_game_get_path (self->game));
  library = g_path_get_dirname (games);
  set_busy (self, TRUE);
  sp_drive_trash_empty_async (library, sp_game_get_slug (self->game), self->cancellable,
                              emptied_cb, g_object_ref (self));
}

static void
empty_trash_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpFreeSpaceWindow *self = SP_FREE_SPACE_WINDOW (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Empty the Drive Trash?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The checkpoints of “%s” that the retention rules removed "
                                    "are deleted for good."),
                                  sp_game_get_name (self->game));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "empty", _("_Empty Trash"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "empty",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (empty_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sp_free_space_window_dispose (GObject *object)
{
  SpFreeSpaceWindow *self = SP_FREE_SPACE_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->game);
  g_clear_pointer (&self->biggest_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_FREE_SPACE_WINDOW);

  G_OBJECT_CLASS (sp_free_space_window_parent_class)->dispose (object);
}

static void
sp_free_space_window_class_init (SpFreeSpaceWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_free_space_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/sp-free-space-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, usage_group);
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, biggest_group);
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, free_row);
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, base_row);
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, checkpoints_row);
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, trash_row);
  gtk_widget_class_bind_template_child (widget_class, SpFreeSpaceWindow, empty_button);
  gtk_widget_class_install_action (widget_class, "free-space.empty-trash", NULL, empty_trash_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sp_free_space_window_init (SpFreeSpaceWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->biggest_rows = g_ptr_array_new ();
  gtk_widget_set_sensitive (self->empty_button, FALSE);
}

GtkWidget *
sp_free_space_window_new (GtkWindow *parent,
                          SpGame    *game)
{
  SpFreeSpaceWindow *self;

  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  self = g_object_new (SP_TYPE_FREE_SPACE_WINDOW, "transient-for", parent, NULL);
  self->game = g_object_ref (game);
  measure (self);
  return GTK_WIDGET (self);
}

gboolean
sp_free_space_window_get_busy (SpFreeSpaceWindow *self)
{
  g_return_val_if_fail (SP_IS_FREE_SPACE_WINDOW (self), FALSE);
  return self->busy > 0;
}

char *
sp_free_space_window_describe (SpFreeSpaceWindow *self)
{
  AdwActionRow *rows[] = { self->free_row, self->base_row, self->checkpoints_row, self->trash_row };
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (SP_IS_FREE_SPACE_WINDOW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_string_append_printf (out, "%s\n%s\n",
                            adw_preferences_row_get_title (ADW_PREFERENCES_ROW (rows[i])),
                            adw_action_row_get_subtitle (rows[i]) ?: "");
  for (guint i = 0; i < self->biggest_rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (self->biggest_rows, i);

      g_string_append_printf (out, "%s\n%s\n",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              adw_action_row_get_subtitle (row) ?: "");
    }
  return g_string_free (out, FALSE);
}
