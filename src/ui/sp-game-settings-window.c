/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-game-settings.h"
#include "sp-game-settings-window.h"
#include "sp-ui-util.h"
#include "core/sp-exclude.h"

struct _SpGameSettingsWindow
{
  AdwPreferencesWindow  parent_instance;

  SpGame               *game;

  SpGameSettings       *settings;
  AdwPreferencesGroup  *exclude_group;
  AdwActionRow         *defaults_row;
  GtkSwitch            *defaults_switch;
  GtkListBox           *pattern_list;
  GtkLabel             *exclude_error;
  AdwEntryRow          *add_row;
  gboolean              updating;
};

G_DEFINE_FINAL_TYPE (SpGameSettingsWindow, sp_game_settings_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Saving ----------------------------------------------------------------- */

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpGameSettingsWindow) self = user_data;
  GApplication *app = g_application_get_default ();
  g_autoptr(GError) error = NULL;

  if (app != NULL)
    g_application_release (app);
  if (!sp_game_save_finish (SP_GAME (object), result, &error))
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Save the Game’s Settings"), error);
      sp_game_reload (SP_GAME (object), NULL);
    }
}

/* As SpGameSettings does: the application is held until the write is done,
 * so that closing the window does not end the process halfway. */
static void
save_game (SpGameSettingsWindow *self)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_hold (app);
  sp_game_save_async (self->game, NULL, save_done_cb, g_object_ref (self));
}

/* Exclusions --------------------------------------------------------------- */

static void update_exclusions (SpGameSettingsWindow *self);

static void
show_exclude_error (SpGameSettingsWindow *self,
                    const char           *message)
{
  gtk_label_set_text (self->exclude_error, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->exclude_error), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->add_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->add_row), "error");
}

static void
remove_clicked_cb (GtkButton            *button,
                   SpGameSettingsWindow *self)
{
  const char *pattern = g_object_get_data (G_OBJECT (button), "pattern");

  sp_game_settings_window_remove_exclusion (self, pattern);
}

static void
add_apply_cb (AdwEntryRow          *row,
              SpGameSettingsWindow *self)
{
  g_autofree char *pattern = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (sp_game_settings_window_add_exclusion (self, pattern, NULL))
    gtk_editable_set_text (GTK_EDITABLE (row), "");
}

static void
add_changed_cb (SpGameSettingsWindow *self)
{
  if (!self->updating)
    show_exclude_error (self, NULL);
}

static void
defaults_switch_cb (SpGameSettingsWindow *self)
{
  gboolean active = gtk_switch_get_active (self->defaults_switch);

  if (self->updating || self->game == NULL ||
      active == sp_game_get_exclude_defaults (self->game))
    return;
  sp_game_set_exclude_defaults (self->game, active);
  save_game (self);
}

static void
update_exclusions (SpGameSettingsWindow *self)
{
  const char * const *patterns;
  gboolean read_only;
  GtkWidget *child;

  if (self->game == NULL)
    return;

  self->updating = TRUE;
  read_only = sp_game_get_read_only (self->game);
  patterns = sp_game_get_exclude (self->game);

  gtk_widget_set_visible (GTK_WIDGET (self->defaults_row),
                          sp_game_get_kind (self->game) == SP_GAME_KIND_WINE);
  gtk_switch_set_active (self->defaults_switch, sp_game_get_exclude_defaults (self->game));
  gtk_widget_set_sensitive (GTK_WIDGET (self->defaults_row), !read_only);

  /* One row per pattern, then the row to add one (kept, with its text). */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pattern_list))) != NULL &&
         child != GTK_WIDGET (self->add_row))
    gtk_list_box_remove (self->pattern_list, child);
  for (guint i = 0; patterns[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *label = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), patterns[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove Pattern"));
      /* Translators: %s is a file pattern such as “*.log” */
      label = g_strdup_printf (_("Remove “%s”"), patterns[i]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_set_sensitive (remove, !read_only);
      g_object_set_data_full (G_OBJECT (remove), "pattern", g_strdup (patterns[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_insert (self->pattern_list, row, (int) i);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_row), !read_only &&
                            g_strv_length ((GStrv) patterns) < SP_EXCLUDE_MAX_PATTERNS);
  self->updating = FALSE;
}

gboolean
sp_game_settings_window_add_exclusion (SpGameSettingsWindow  *self,
                                       const char            *pattern,
                                       GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) patterns = NULL;
  const char * const *before;

  g_return_val_if_fail (SP_IS_GAME_SETTINGS_WINDOW (self), FALSE);
  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (self->game != NULL, FALSE);

  before = sp_game_get_exclude (self->game);
  if (sp_game_get_read_only (self->game))
    {
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
                           _("This game’s library is read-only."));
      goto refused;
    }
  if (!sp_exclude_pattern_is_valid (pattern, &local_error))
    goto refused;
  if (g_strv_contains (before, pattern))
    {
      /* Translators: %s is a file pattern such as “*.log” */
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("“%s” is already in the list."), pattern);
      goto refused;
    }
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) before);
  g_strv_builder_add (builder, pattern);
  patterns = g_strv_builder_end (builder);
  if (!sp_game_set_exclude (self->game, (const char * const *) patterns, &local_error))
    goto refused;

  show_exclude_error (self, NULL);
  update_exclusions (self);
  save_game (self);
  return TRUE;

refused:
  show_exclude_error (self, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

void
sp_game_settings_window_remove_exclusion (SpGameSettingsWindow *self,
                                          const char           *pattern)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) patterns = NULL;
  const char * const *before;

  g_return_if_fail (SP_IS_GAME_SETTINGS_WINDOW (self));
  g_return_if_fail (pattern != NULL);
  g_return_if_fail (self->game != NULL);

  before = sp_game_get_exclude (self->game);
  for (guint i = 0; before[i] != NULL; i++)
    if (g_strcmp0 (before[i], pattern) != 0)
      g_strv_builder_add (builder, before[i]);
  patterns = g_strv_builder_end (builder);
  /* The others were valid when they were set: this cannot be refused. */
  if (!sp_game_set_exclude (self->game, (const char * const *) patterns, NULL))
    g_return_if_reached ();
  show_exclude_error (self, NULL);
  update_exclusions (self);
  save_game (self);
}

char *
sp_game_settings_describe_excluded (SpCheckpoint *checkpoint)
{
  guint64 files, bytes;
  g_autofree char *size = NULL;

  g_return_val_if_fail (SP_IS_CHECKPOINT (checkpoint), NULL);

  files = sp_checkpoint_get_excluded_files (checkpoint);
  bytes = sp_checkpoint_get_excluded_bytes (checkpoint);
  if (files == 0 && bytes == 0)
    return NULL;
  size = g_format_size (bytes);
  /* Translators: %s is a size such as “50.0 MB”, %u a number of files */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Left out as excluded: %s in %u file",
                                       "Left out as excluded: %s in %u files",
                                       (gulong) MIN (files, G_MAXUINT)),
                          size, (guint) MIN (files, G_MAXUINT));
}

static void
game_notify_cb (SpGameSettingsWindow *self,
                GParamSpec           *pspec)
{
  if (g_strcmp0 (pspec->name, "head") != 0)
    update_exclusions (self);
}

/* GObject ---------------------------------------------------------------- */

static void
sp_game_settings_window_dispose (GObject *object)
{
  SpGameSettingsWindow *self = SP_GAME_SETTINGS_WINDOW (object);

  if (self->game != NULL)
    g_signal_handlers_disconnect_by_data (self->game, self);
  g_clear_object (&self->game);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_GAME_SETTINGS_WINDOW);

  G_OBJECT_CLASS (sp_game_settings_window_parent_class)->dispose (object);
}

static void
sp_game_settings_window_class_init (SpGameSettingsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_game_settings_window_dispose;

  g_type_ensure (SP_TYPE_GAME_SETTINGS);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-game-settings-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpGameSettingsWindow, settings);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettingsWindow, exclude_group);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettingsWindow, defaults_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettingsWindow, defaults_switch);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettingsWindow, pattern_list);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettingsWindow, exclude_error);
  gtk_widget_class_bind_template_callback (widget_class, defaults_switch_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sp_game_settings_window_init (SpGameSettingsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->add_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->add_row), _("Add a Pattern"));
  adw_entry_row_set_show_apply_button (self->add_row, TRUE);
  g_signal_connect (self->add_row, "apply", G_CALLBACK (add_apply_cb), self);
  g_signal_connect_swapped (self->add_row, "changed", G_CALLBACK (add_changed_cb), self);
  gtk_list_box_append (self->pattern_list, GTK_WIDGET (self->add_row));
}

/* The executable's row: not a text field, whose text would be selected
 * and replaced by a typed key. */
static GtkWidget *
find_combo_row (GtkWidget *widget)
{
  if (ADW_IS_COMBO_ROW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_combo_row (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
sp_game_settings_window_new (GtkWindow *parent,
                             SpGame    *game)
{
  SpGameSettingsWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  self = g_object_new (SP_TYPE_GAME_SETTINGS_WINDOW,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->game = g_object_ref (game);
  g_signal_connect_swapped (game, "notify", G_CALLBACK (game_notify_cb), self);
  sp_game_settings_set_game (self->settings, game);
  update_exclusions (self);
  /* The window has the title already. */
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->settings), _("General"));
  gtk_window_set_focus (GTK_WINDOW (self), find_combo_row (GTK_WIDGET (self->settings)));
  return GTK_WIDGET (self);
}

SpGame *
sp_game_settings_window_get_game (SpGameSettingsWindow *self)
{
  g_return_val_if_fail (SP_IS_GAME_SETTINGS_WINDOW (self), NULL);
  return self->game;
}
