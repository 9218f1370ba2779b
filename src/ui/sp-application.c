/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-application.h"
#include "play/sp-play.h"
#include "sp-preferences-window.h"
#include "sp-ui-util.h"
#include "sp-trash-ui.h"
#include "sp-window.h"

struct _SpApplication
{
  AdwApplication    parent_instance;

  GSettings        *settings;
  SpLibraryMonitor *monitor;
  SpPlayer         *player;
};

G_DEFINE_FINAL_TYPE (SpApplication, sp_application, ADW_TYPE_APPLICATION)

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Close windows properly so they save their state and commit deletes. */
  g_autoptr(GList) copy = g_list_copy (windows);

  for (GList *it = copy; it != NULL; it = it->next)
    gtk_window_close (it->data);
  g_application_quit (app);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The Savepoint developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Savepoint"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Savepoint developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Keep games clean on an external drive and their progress in checkpoints."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: replace with your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SpApplication *self = user_data;
  GtkWidget *window;

  window = sp_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                      self->settings);
  gtk_window_present (GTK_WINDOW (window));
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  /* The window's help overlay (SpWindow attaches it): attached, it shows
   * the keys the application set for each action. */
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

char *
sp_application_get_help_uri (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *index = NULL;

  /* Run from its build folder (tests, `meson devenv`), the program shows
   * that build's pages; installed (and in the Flatpak), the installed
   * ones. Plain HTML, so that any browser opens it, through the OpenURI
   * portal in a sandbox. */
  if (exe != NULL && g_str_has_prefix (exe, SP_BUILD_ROOT G_DIR_SEPARATOR_S))
    index = g_build_filename (SP_BUILD_ROOT, "help", "html", "index.html", NULL);
  else
    index = g_build_filename (PKGDATADIR, "help", "C", "html", "index.html", NULL);
  return g_filename_to_uri (index, NULL, NULL);
}

static void
help_shown_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *uri = sp_application_get_help_uri ();
      /* Translators: %s is where the help is, %s an error message */
      g_autofree char *message = g_strdup_printf (_("No program could show “%s”: %s"),
                                                  uri, error->message);

      sp_ui_show_error (GTK_WIDGET (object), _("Could Not Open the Help"), message);
    }
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  g_autofree char *uri = sp_application_get_help_uri ();

  if (window == NULL)
    return;
  gtk_show_uri_full (window, uri, GDK_CURRENT_TIME, NULL, help_shown_cb, NULL);
}

static const GActionEntry app_entries[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "shortcuts", shortcuts_action },
  { "help", help_action },
};

static void
sp_application_activate (GApplication *app)
{
  SpApplication *self = SP_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (sp_window_new (GTK_APPLICATION (app), self->settings, self->monitor,
                                        self->player));
  gtk_window_present (window);
}

/* Preferences that the core reads process-wide. */
static void
core_setting_changed_cb (GSettings  *settings,
                         const char *key,
                         gpointer    user_data)
{
  if (g_str_equal (key, "compression-level"))
    sp_archive_set_default_compression_level (g_settings_get_int (settings, key));
  else if (g_str_equal (key, "runs-folder"))
    {
      g_autofree char *folder = g_settings_get_string (settings, key);
      sp_runs_set_dir (folder);
    }
  else if (g_str_has_prefix (key, "trash-"))
    sp_trash_ui_expire (settings);
}

static void
sp_application_startup (GApplication *app)
{
  SpApplication *self = SP_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *add_accels[] = { "<Control>n", NULL };

  G_APPLICATION_CLASS (sp_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.add-game", add_accels);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::compression-level",
                    G_CALLBACK (core_setting_changed_cb), NULL);
  g_signal_connect (self->settings, "changed::runs-folder",
                    G_CALLBACK (core_setting_changed_cb), NULL);
  core_setting_changed_cb (self->settings, "compression-level", NULL);
  core_setting_changed_cb (self->settings, "runs-folder", NULL);
  /* Expiry of discarded runs at start (and when its limits change). */
  g_signal_connect (self->settings, "changed::trash-max-age-days",
                    G_CALLBACK (core_setting_changed_cb), NULL);
  g_signal_connect (self->settings, "changed::trash-max-size-gb",
                    G_CALLBACK (core_setting_changed_cb), NULL);
  core_setting_changed_cb (self->settings, "trash-max-age-days", NULL);
  self->monitor = sp_library_monitor_new (self->settings);
  self->player = sp_player_new (self->settings);
}

static void
sp_application_shutdown (GApplication *app)
{
  SpApplication *self = SP_APPLICATION (app);

  G_APPLICATION_CLASS (sp_application_parent_class)->shutdown (app);

  /* Sessions still running are left to run (see SpPlayer). */
  g_clear_object (&self->player);
  g_clear_object (&self->monitor);
  g_clear_object (&self->settings);
}

static void
sp_application_class_init (SpApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = sp_application_activate;
  app_class->startup = sp_application_startup;
  app_class->shutdown = sp_application_shutdown;
}

static void
sp_application_init (SpApplication *self)
{
}

SpApplication *
sp_application_new (void)
{
  return g_object_new (SP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", RESOURCE_PREFIX,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

GSettings *
sp_application_get_settings (SpApplication *self)
{
  g_return_val_if_fail (SP_IS_APPLICATION (self), NULL);
  return self->settings;
}

SpLibraryMonitor *
sp_application_get_monitor (SpApplication *self)
{
  g_return_val_if_fail (SP_IS_APPLICATION (self), NULL);
  return self->monitor;
}

SpPlayer *
sp_application_get_player (SpApplication *self)
{
  g_return_val_if_fail (SP_IS_APPLICATION (self), NULL);
  return self->player;
}
