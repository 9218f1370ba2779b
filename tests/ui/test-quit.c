/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quitting with a game running (issue 14, item 5), through the real
 * SpApplication on the test's session bus: closing the window asks; "Keep
 * Playing in the Background" leaves the application without a window,
 * holding itself, the game running; when the game ends a notification is
 * sent and its action shows the window with the keep question; "Stop
 * Game" stops it and the keep question follows. */
#include "config.h"

#include "play/sp-session.h"
#include "sp-application.h"
#include "sp-keep-dialog.h"
#include "sp-window.h"
#include "ui-test-util.h"

typedef struct
{
  SpApplication *app;
  SpGame        *game;
  char          *notified_id;
  char          *notified_title;
} Test;

static char *library_dir;

/* The desktop's notification server, on the test's own session bus (run by
 * xvfb-test.sh): records what reaches it. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "</interface></node>";

static char *shown_summary;
static char *shown_body;

static void
notifications_call_cb (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *interface,
                       const char            *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      g_free (shown_summary);
      g_free (shown_body);
      g_variant_get_child (parameters, 3, "s", &shown_summary);
      g_variant_get_child (parameters, 4, "s", &shown_body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 1));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
notification_shown (gpointer data)
{
  return shown_summary != NULL;
}

static void
serve_notifications (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_call_cb, NULL, NULL, { NULL } };
  /* Kept: the name goes with the last reference to the connection. */
  static GDBusConnection *bus;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result = 0;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_assert_nonnull (bus);
  g_assert_nonnull (info);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);   /* primary owner */
}

static SpWindow *
main_window (Test *t)
{
  for (GList *it = gtk_application_get_windows (GTK_APPLICATION (t->app)); it != NULL; it = it->next)
    if (SP_IS_WINDOW (it->data))
      return it->data;
  return NULL;
}

static gboolean
games_shown (gpointer data)
{
  Test *t = data;
  SpWindow *window = main_window (t);

  return window != NULL && g_strcmp0 (sp_window_get_view (window), "games") == 0 &&
         !sp_library_monitor_get_scanning (sp_application_get_monitor (t->app));
}

static gboolean
game_running (gpointer data)
{
  Test *t = data;
  SpSession *session = sp_player_get_session (sp_application_get_player (t->app), t->game);

  return session != NULL && sp_session_get_state (session) == SP_SESSION_STATE_RUNNING;
}

static gboolean
notified (gpointer data)
{
  return ((Test *) data)->notified_id != NULL;
}

static gboolean
keep_dialog_shown (gpointer data)
{
  SpWindow *window = main_window (data);

  return window != NULL && sp_window_get_keep_dialog (window) != NULL &&
         SP_IS_KEEP_DIALOG (sp_window_get_keep_dialog (window));
}

static gboolean
session_gone (gpointer data)
{
  Test *t = data;

  return sp_player_get_session (sp_application_get_player (t->app), t->game) == NULL;
}

static void
notification_sent_cb (SpApplication *app,
                      const char    *id,
                      const char    *title,
                      GNotification *notification,
                      Test          *t)
{
  g_free (t->notified_id);
  t->notified_id = g_strdup (id);
  g_free (t->notified_title);
  t->notified_title = g_strdup (title);
}

/* Plays the game (ten minutes long) and closes the window (or quits, as
 * Ctrl+Q does): the question. */
static AdwMessageDialog *
play_and_close (Test     *t,
                gboolean  quit)
{
  SpWindow *window = main_window (t);
  GtkWidget *dialog;

  sp_window_play_game (window, t->game);
  ui_test_wait (game_running, t, 60, "the game to run");
  if (quit)
    g_action_group_activate_action (G_ACTION_GROUP (t->app), "quit", NULL);
  else
    gtk_window_close (GTK_WINDOW (window));
  ui_test_flush ();
  /* Not closed: asked. */
  g_assert_true (main_window (t) == window);
  dialog = sp_window_get_quit_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Savepoint is running “Quit Quest”");
  return ADW_MESSAGE_DIALOG (dialog);
}

static void
run_flows (Test *t)
{
  SpPlayer *player = sp_application_get_player (t->app);
  g_autoptr(SpLibrary) library = NULL;
  SpSession *session;
  AdwMessageDialog *question;
  const char *env[] = { "SP_TEST_PLAY_SECONDS=600", NULL };
  g_autoptr(GError) error = NULL;

  ui_test_wait (games_shown, t, 60, "the games");
  library = g_list_model_get_item (sp_library_monitor_get_libraries (sp_application_get_monitor (t->app)), 0);
  t->game = sp_library_find_game (library, "quit-quest");
  g_assert_nonnull (t->game);
  sp_game_set_environment (t->game, env);
  g_assert_true (sp_game_save_sync (t->game, &error));
  g_assert_no_error (error);
  g_assert_false (sp_application_get_holding (t->app));

  /* Ctrl+Q asks too; Cancel (Escape): nothing happens. */
  question = play_and_close (t, TRUE);
  ui_test_answer (question, "cancel");
  ui_test_flush ();
  g_assert_nonnull (main_window (t));
  g_assert_true (game_running (t));

  /* Keep Playing in the Background: no window, the application holds,
   * the game runs on. */
  gtk_window_close (GTK_WINDOW (main_window (t)));
  ui_test_flush ();
  question = ADW_MESSAGE_DIALOG (sp_window_get_quit_dialog (main_window (t)));
  ui_test_answer (question, "background");
  ui_test_flush ();
  g_assert_null (main_window (t));
  g_assert_true (sp_application_get_holding (t->app));
  session = sp_player_get_session (player, t->game);
  g_assert_nonnull (session);
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_RUNNING);
  g_assert_null (t->notified_id);

  /* The game ends (stopped, as its own end would): the notification, and
   * still held until the question is asked. */
  sp_player_stop (player, t->game);
  ui_test_wait (notified, t, 120, "the notification that the game ended");
  g_assert_cmpstr (t->notified_id, ==, "game-ended-quit-quest");
  g_assert_cmpstr (t->notified_title, ==, "“Quit Quest” has ended");
  /* It reached the desktop. */
  ui_test_wait (notification_shown, NULL, 60, "the notification on the bus");
  g_assert_cmpstr (shown_summary, ==, "“Quit Quest” has ended");
  g_assert_cmpstr (shown_body, ==, "Keep this run?");
  g_assert_null (main_window (t));
  g_assert_true (sp_application_get_holding (t->app));

  /* Its default action: the window, asking "Keep this run?". */
  g_action_group_activate_action (G_ACTION_GROUP (t->app), "show-finished", NULL);
  ui_test_wait (keep_dialog_shown, t, 60, "the keep question in a new window");
  g_assert_false (sp_application_get_holding (t->app));
  ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (main_window (t))), "discard");
  ui_test_wait (session_gone, t, 120, "the run to be discarded");

  /* Stop Game: the window stays and the keep question follows. */
  ui_test_wait (games_shown, t, 60, "the games");
  question = play_and_close (t, FALSE);
  ui_test_answer (question, "stop");
  ui_test_wait (keep_dialog_shown, t, 120, "the stopped game's keep question");
  g_assert_nonnull (main_window (t));
  g_assert_true (sp_session_get_summary (sp_player_get_session (player, t->game))->stopped);
  ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (main_window (t))), "discard");
  ui_test_wait (session_gone, t, 120, "the run to be discarded");
  g_assert_false (sp_application_get_holding (t->app));

  /* No game: closing the window ends the application. */
  gtk_window_close (GTK_WINDOW (main_window (t)));
}

static void
activate_cb (GApplication *app,
             Test         *t)
{
  static gboolean ran;

  /* show-finished activates the application again. */
  if (ran)
    return;
  ran = TRUE;
  run_flows (t);
}

static void
test_quit_with_game (void)
{
  Test t = { NULL };

  serve_notifications ();
  t.app = sp_application_new ();
  g_signal_connect (t.app, "notification-sent", G_CALLBACK (notification_sent_cb), &t);
  g_signal_connect_after (t.app, "activate", G_CALLBACK (activate_cb), &t);
  g_assert_cmpint (g_application_run (G_APPLICATION (t.app), 0, NULL), ==, 0);
  ui_test_flush ();
  g_free (t.notified_id);
  g_free (t.notified_title);
  g_clear_object (&t.app);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  ui_test_init (&argc, &argv);
  library_dir = ui_test_tmpdir ("quit");
  library = sp_library_create_sync (library_dir, "Quit Library", &error);
  g_assert_no_error (error);
  game = ui_test_add_game (library, "Quit Quest");
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "show-demo-library", FALSE);
  g_settings_set_strv (settings, "library-folders", NULL);
  g_setenv ("SAVEPOINT_LIBRARY", library_dir, TRUE);

  g_test_add_func ("/quit/game-running", test_quit_with_game);
  ret = ui_test_run ();
  g_free (library_dir);
  return ret;
}
