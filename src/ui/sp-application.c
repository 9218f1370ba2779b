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
  /* SpSession (no ref) -> its notification's id: ended with no window
   * showing it, awaiting the question. */
  GHashTable       *ended_unseen;
  gboolean          holding;
  gboolean          background_requested;
};

enum {
  SIGNAL_NOTIFICATION_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpApplication, sp_application, ADW_TYPE_APPLICATION)

/* Background ------------------------------------------------------------ */

static gboolean
has_main_window (SpApplication *self)
{
  for (GList *it = gtk_application_get_windows (GTK_APPLICATION (self)); it != NULL; it = it->next)
    if (SP_IS_WINDOW (it->data))
      return TRUE;
  return FALSE;
}

static void
background_reply_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* The answer comes as a Response signal on the request; without the
   * permission the game still runs, and the desktop may end us. */
  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_message ("Could not ask to run in the background: %s", error->message);
}

/* Under Flatpak, the desktop may end a sandboxed app that has no window
 * unless the Background portal allowed it. */
static void
request_background (SpApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));
  GVariantBuilder options;

  if (self->background_requested || bus == NULL ||
      !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return;
  self->background_requested = TRUE;
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("A game is running; Savepoint asks whether to "
                                                 "keep the run when it ends.")));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, background_reply_cb, NULL);
}

/* Holds the application while a game runs or ended unseen. */
static void
update_hold (SpApplication *self)
{
  g_autoptr(GPtrArray) active = sp_player_list_active (self->player);
  gboolean want = active->len > 0 || g_hash_table_size (self->ended_unseen) > 0;

  if (want && !has_main_window (self))
    request_background (self);
  if (want == self->holding)
    return;
  self->holding = want;
  if (want)
    g_application_hold (G_APPLICATION (self));
  else
    g_application_release (G_APPLICATION (self));
}

static void
session_changed_cb (SpPlayer      *player,
                    SpSession     *session,
                    SpApplication *self)
{
  /* Decided (or gone): nothing left to tell. */
  if (sp_player_get_session (player, sp_session_get_game (session)) != session)
    g_hash_table_remove (self->ended_unseen, session);
  update_hold (self);
}

static void
session_finished_cb (SpPlayer      *player,
                     SpSession     *session,
                     SpApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  SpGame *game = sp_session_get_game (session);

  /* A window shows the question itself. */
  if (has_main_window (self) || sp_session_get_run (session) == NULL)
    return;

  id = g_strdup_printf ("game-ended-%s", sp_game_get_slug (game));
  g_hash_table_insert (self->ended_unseen, session, g_strdup (id));
  /* Translators: %s is a game's name */
  title = g_strdup_printf (_("“%s” has ended"), sp_game_get_name (game));
  notification = g_notification_new (title);
  g_notification_set_body (notification, _("Keep this run?"));
  g_notification_set_default_action (notification, "app.show-finished");
  g_application_send_notification (G_APPLICATION (self), id, notification);
  g_signal_emit (self, signals[SIGNAL_NOTIFICATION_SENT], 0, id, title, notification);
  update_hold (self);
}

static void
window_removed_cb (GtkApplication *app,
                   GtkWindow      *window,
                   SpApplication  *self)
{
  /* Now in the background, when a game runs. */
  if (self->player != NULL)
    update_hold (self);
}

gboolean
sp_application_get_holding (SpApplication *self)
{
  g_return_val_if_fail (SP_IS_APPLICATION (self), FALSE);
  return self->holding;
}

/* Actions ---------------------------------------------------------------- */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SpApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));
  g_autoptr(GPtrArray) active = sp_player_list_active (self->player);

  /* Close windows properly so they save their state and commit deletes. */
  g_autoptr(GList) copy = g_list_copy (windows);

  /* A game runs: the main window asks (background or stop); the
   * application then lives as long as it must. */
  if (active->len > 0 && has_main_window (self))
    {
      for (GList *it = copy; it != NULL; it = it->next)
        if (SP_IS_WINDOW (it->data))
          gtk_window_close (it->data);
      return;
    }
  for (GList *it = copy; it != NULL; it = it->next)
    gtk_window_close (it->data);
  g_application_quit (G_APPLICATION (self));
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

static void
show_finished_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static const GActionEntry app_entries[] = {
  { "quit", quit_action },
  { "show-finished", show_finished_action },
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
  /* Games that ended while no window showed them: the window asks now. */
  if (SP_IS_WINDOW (window) && g_hash_table_size (self->ended_unseen) > 0)
    {
      GHashTableIter iter;
      gpointer id;

      g_hash_table_iter_init (&iter, self->ended_unseen);
      while (g_hash_table_iter_next (&iter, NULL, &id))
        g_application_withdraw_notification (app, id);
      g_hash_table_remove_all (self->ended_unseen);
      sp_window_ask_finished (SP_WINDOW (window));
      update_hold (self);
    }
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
  g_signal_connect (self->player, "session-changed", G_CALLBACK (session_changed_cb), self);
  g_signal_connect (self->player, "session-finished", G_CALLBACK (session_finished_cb), self);
  g_signal_connect_after (app, "window-removed", G_CALLBACK (window_removed_cb), self);
}

static void
sp_application_shutdown (GApplication *app)
{
  SpApplication *self = SP_APPLICATION (app);

  G_APPLICATION_CLASS (sp_application_parent_class)->shutdown (app);

  /* Sessions still running are left to run (see SpPlayer). */
  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  g_hash_table_remove_all (self->ended_unseen);
  g_clear_object (&self->player);
  g_clear_object (&self->monitor);
  g_clear_object (&self->settings);
}

static void
sp_application_finalize (GObject *object)
{
  SpApplication *self = SP_APPLICATION (object);

  g_clear_pointer (&self->ended_unseen, g_hash_table_unref);

  G_OBJECT_CLASS (sp_application_parent_class)->finalize (object);
}

static void
sp_application_class_init (SpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = sp_application_activate;
  app_class->startup = sp_application_startup;
  app_class->shutdown = sp_application_shutdown;
  object_class->finalize = sp_application_finalize;

  signals[SIGNAL_NOTIFICATION_SENT] =
    g_signal_new ("notification-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_NOTIFICATION);
}

static void
sp_application_init (SpApplication *self)
{
  self->ended_unseen = g_hash_table_new_full (NULL, NULL, NULL, g_free);
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
