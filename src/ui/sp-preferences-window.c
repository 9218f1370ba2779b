/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-preferences-window.h"

struct _SpPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *runner_row;
  GtkSwitch            *background_switch;
  AdwComboRow          *compression_row;
  GtkAdjustment        *trash_days_adjustment;
  GtkAdjustment        *trash_size_adjustment;
  AdwActionRow         *runs_row;
};

G_DEFINE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const int compression_levels[] = { 1, 3, 12 };

SpCompressionChoice
sp_preferences_compression_choice_for_level (int level)
{
  SpCompressionChoice best = SP_COMPRESSION_FAST;

  for (guint i = 1; i < G_N_ELEMENTS (compression_levels); i++)
    if (ABS (level - compression_levels[i]) < ABS (level - compression_levels[best]))
      best = i;
  return best;
}

int
sp_preferences_compression_level_for_choice (SpCompressionChoice choice)
{
  g_return_val_if_fail ((guint) choice < G_N_ELEMENTS (compression_levels), 3);
  return compression_levels[choice];
}

static gboolean
compression_get_mapping (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  g_value_set_uint (value, sp_preferences_compression_choice_for_level (g_variant_get_int32 (variant)));
  return TRUE;
}

static GVariant *
compression_set_mapping (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  guint choice = g_value_get_uint (value);

  if (choice >= G_N_ELEMENTS (compression_levels))
    return NULL;
  return g_variant_new_int32 (compression_levels[choice]);
}

static void
update_runs_row (SpPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "runs-folder");
  g_autofree char *fallback = NULL;

  if (folder[0] == '\0')
    {
      g_autofree char *path = g_build_filename (g_get_user_state_dir (), "savepoint", "runs", NULL);
      /* Translators: %s is a folder */
      fallback = g_strdup_printf (_("%s (default)"), path);
    }
  adw_action_row_set_subtitle (self->runs_row, fallback ? fallback : folder);
}

static void
runs_chosen_cb (GtkNativeDialog     *chooser,
                int                  response,
                SpPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        g_settings_set_string (self->settings, "runs-folder", path);
    }
  g_object_unref (chooser);
}

static void
runs_choose_cb (SpPreferencesWindow *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Runs Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (runs_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
runs_reset_cb (SpPreferencesWindow *self)
{
  g_settings_reset (self->settings, "runs-folder");
}

static void
sp_preferences_window_dispose (GObject *object)
{
  SpPreferencesWindow *self = SP_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (sp_preferences_window_parent_class)->dispose (object);
}

static void
sp_preferences_window_class_init (SpPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, runner_row);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, compression_row);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, trash_days_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, trash_size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, runs_row);
  gtk_widget_class_bind_template_callback (widget_class, runs_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, runs_reset_cb);
}

static void
sp_preferences_window_init (SpPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The first row that is not a text field, depth first under @widget. */
static GtkWidget *
find_first_plain_row (GtkWidget *widget)
{
  if (ADW_IS_PREFERENCES_ROW (widget) && !ADW_IS_ENTRY_ROW (widget) &&
      gtk_widget_get_focusable (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_first_plain_row (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
sp_preferences_window_new (GtkWindow *parent,
                           GSettings *settings)
{
  SpPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind (settings, "default-wine-runner", self->runner_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "wait-for-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "compression-level", self->compression_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, compression_get_mapping, compression_set_mapping,
                                NULL, NULL);
  g_settings_bind (settings, "trash-max-age-days", self->trash_days_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "trash-max-size-gb", self->trash_size_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (settings, "changed::runs-folder", G_CALLBACK (update_runs_row), self);
  update_runs_row (self);

  /* Not into the Wine runner's text, selected whole (a typed key would
   * replace it): the first other row. */
  gtk_window_set_focus (GTK_WINDOW (self), find_first_plain_row (GTK_WIDGET (self)));

  return GTK_WIDGET (self);
}
