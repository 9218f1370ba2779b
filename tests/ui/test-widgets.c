/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Create-and-destroy tests for every templated widget: a bad .ui template,
 * a missing template child or a leaked reference fails here. */
#include "config.h"

#include "play/sp-play.h"

#include "sp-add-game-window.h"
#include "sp-application.h"
#include "sp-checkpoint-row.h"
#include "sp-game-card.h"
#include "sp-game-page.h"
#include "sp-game-settings.h"
#include "sp-keep-dialog.h"
#include "sp-library-monitor.h"
#include "sp-preferences-window.h"
#include "sp-trash-ui.h"
#include "sp-window.h"
#include "ui-test-util.h"

typedef struct
{
  char      *dir;
  SpLibrary *library;
  SpGame    *game;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = ui_test_tmpdir ("widgets");
  f->library = sp_library_create_sync (f->dir, "Test Library", &error);
  g_assert_no_error (error);
  f->game = ui_test_add_game (f->library, "Widget Quest");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Sinks, shows inside a window, destroys, and checks the widget is gone. */
static void
check_widget (GtkWidget *widget)
{
  GtkWidget *window = gtk_window_new ();
  gpointer weak = widget;

  g_object_add_weak_pointer (G_OBJECT (widget), &weak);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
  g_assert_null (weak);
}

static void
check_window (GtkWidget *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
  g_assert_null (weak);
}

static void
test_game_card (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *card = sp_game_card_new (f->game);

  g_assert_true (sp_game_card_get_game (SP_GAME_CARD (card)) == f->game);
  g_assert_nonnull (strstr (sp_game_card_get_summary (SP_GAME_CARD (card)), "Widget Quest"));
  g_assert_nonnull (strstr (sp_game_card_get_summary (SP_GAME_CARD (card)), "Never played"));
  /* Not "0 s played · No checkpoints" under "Never played". */
  g_assert_nonnull (strstr (sp_game_card_get_summary (SP_GAME_CARD (card)), "\nNo checkpoints\n"));
  g_assert_null (strstr (sp_game_card_get_summary (SP_GAME_CARD (card)), "played ·"));
  sp_game_card_set_status (SP_GAME_CARD (card), "Running");
  sp_game_card_set_elapsed (SP_GAME_CARD (card), 65);
  sp_game_card_set_can_stop (SP_GAME_CARD (card), TRUE);
  g_assert_cmpstr (sp_game_card_get_status (SP_GAME_CARD (card)), ==, "Running");
  check_widget (card);
}

static void
test_checkpoint_row (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SpCheckpoint) checkpoint = ui_test_add_checkpoint (f->game, "Before the boss", "1\n");
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = sp_checkpoint_row_new (checkpoint);
  GtkWidget *clean = sp_checkpoint_row_new (NULL);

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Before the boss");
  g_assert_cmpstr (sp_checkpoint_row_get_target (SP_CHECKPOINT_ROW (row)), ==,
                   sp_checkpoint_get_id (checkpoint));
  g_assert_cmpstr (sp_checkpoint_row_get_target (SP_CHECKPOINT_ROW (clean)), ==, "");
  /* Restore, Play from Here, Rename, Edit Note, Export, Delete for a checkpoint; only
   * Restore and Play from Here for the clean install. */
  g_assert_cmpint (g_menu_model_get_n_items (sp_checkpoint_row_get_menu (SP_CHECKPOINT_ROW (row))), ==, 3);
  g_assert_cmpint (g_menu_model_get_n_items (sp_checkpoint_row_get_menu (SP_CHECKPOINT_ROW (clean))), ==, 1);
  sp_checkpoint_row_set_current (SP_CHECKPOINT_ROW (row), TRUE);
  g_assert_true (sp_checkpoint_row_get_current (SP_CHECKPOINT_ROW (row)));
  sp_checkpoint_row_set_note (SP_CHECKPOINT_ROW (row), "Branched");
  g_assert_null (gtk_widget_get_tooltip_text (row));

  /* The note: its first line last in the subtitle, the whole as tooltip;
   * the row follows when it is set, and shows text as it is (no markup). */
  {
    g_autoptr(GError) error = NULL;
    const char *subtitle;

    g_assert_true (sp_game_set_checkpoint_note_sync (f->game, sp_checkpoint_get_id (checkpoint),
                                                     "Potions <3 & keys\nSecond line", &error));
    g_assert_no_error (error);
    subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
    g_assert_true (g_str_has_suffix (subtitle, "\nBranched\nPotions <3 & keys …"));
    g_assert_null (strstr (subtitle, "Second line"));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Potions <3 & keys\nSecond line");
    g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));

    g_assert_true (sp_game_set_checkpoint_note_sync (f->game, sp_checkpoint_get_id (checkpoint),
                                                     "", &error));
    g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Potions"));
    g_assert_null (gtk_widget_get_tooltip_text (row));
  }
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_list_box_append (GTK_LIST_BOX (list), clean);
  check_widget (list);
}

static void
test_game_page (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SpCheckpoint) checkpoint = ui_test_add_checkpoint (f->game, "One", "1\n");
  GtkWidget *page = sp_game_page_new ();

  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  /* One checkpoint and the clean install. */
  g_assert_nonnull (gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 1));
  g_assert_null (gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 2));
  check_widget (page);
}

static gboolean
page_idle (gpointer data)
{
  return !sp_game_page_get_writing (data);
}

/* Edit Note… opens a dialog with the note in a text view; Save writes it
 * through the core, and the row shows it. */
static void
test_note_dialog (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SpCheckpoint) checkpoint = ui_test_add_checkpoint (f->game, "Noted", "1\n");
  g_autoptr(SpCheckpoint) fresh = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = sp_game_page_new ();
  GtkListBoxRow *row;
  AdwMessageDialog *dialog;
  GtkWidget *scrolled;
  GtkWidget *view;
  GtkTextBuffer *buffer;
  const char *note = "Two keys left.\n\tThe red door is open.";

  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, sp_checkpoint_get_id (checkpoint),
                                                   "Old note", &error));
  g_assert_no_error (error);
  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  row = gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 0);
  g_assert_true (sp_checkpoint_row_get_checkpoint (SP_CHECKPOINT_ROW (row)) == checkpoint);

  /* Cancel changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "checkpoint.note", "s",
                                             sp_checkpoint_get_id (checkpoint)));
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  ui_test_answer (dialog, "cancel");
  ui_test_flush ();
  g_assert_false (sp_game_page_get_writing (SP_GAME_PAGE (page)));
  g_assert_cmpstr (sp_checkpoint_get_note (checkpoint), ==, "Old note");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "checkpoint.note", "s",
                                             sp_checkpoint_get_id (checkpoint)));
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  scrolled = adw_message_dialog_get_extra_child (dialog);
  g_assert_true (GTK_IS_SCROLLED_WINDOW (scrolled));
  view = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  if (GTK_IS_VIEWPORT (view))
    view = gtk_viewport_get_child (GTK_VIEWPORT (view));
  g_assert_true (GTK_IS_TEXT_VIEW (view));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  {
    GtkTextIter start, end;
    g_autofree char *shown = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (shown, ==, "Old note");
  }
  gtk_text_buffer_set_text (buffer, note, -1);
  ui_test_answer (dialog, "save");
  g_assert_true (sp_game_page_get_writing (SP_GAME_PAGE (page)));
  ui_test_wait (page_idle, page, 60, "the note to be written");

  fresh = sp_checkpoint_load (sp_checkpoint_get_ini_path (checkpoint), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_note (fresh), ==, note);
  g_assert_cmpstr (sp_checkpoint_get_label (fresh), ==, "Noted");
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "\nTwo keys left. …"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row)), ==, note);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

static void
test_keep_dialog (void)
{
  GtkWidget *parent = gtk_window_new ();
  GtkWidget *dialog = sp_keep_dialog_new (GTK_WINDOW (parent), "Widget Quest");

  sp_keep_dialog_set_summary (SP_KEEP_DIALOG (dialog), 125, 2, 3, 1, 4096);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "Widget Quest"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "2 files added, 3 files changed, 1 file deleted ("));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "keep"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "discard"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "later"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "keep"), ==,
                   ADW_RESPONSE_SUGGESTED);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  sp_keep_dialog_set_label (SP_KEEP_DIALOG (dialog), "Level 2");
  g_assert_cmpstr (sp_keep_dialog_get_label (SP_KEEP_DIALOG (dialog)), ==, "Level 2");
  sp_keep_dialog_set_problem (SP_KEEP_DIALOG (dialog), "Something happened");
  gtk_window_present (GTK_WINDOW (parent));
  check_window (dialog);
  gtk_window_destroy (GTK_WINDOW (parent));
}

static void
test_add_game_window (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GListStore) libraries = g_list_store_new (SP_TYPE_LIBRARY);
  GtkWidget *window;

  g_list_store_append (libraries, f->library);
  window = sp_add_game_window_new (NULL, G_LIST_MODEL (libraries), f->library);
  sp_add_game_window_set_folder (SP_ADD_GAME_WINDOW (window), f->dir);
  g_assert_cmpstr (sp_add_game_window_get_folder (SP_ADD_GAME_WINDOW (window)), ==, f->dir);
  g_assert_false (sp_add_game_window_get_busy (SP_ADD_GAME_WINDOW (window)));
  check_window (window);
}

static void
test_preferences_window (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  check_window (sp_preferences_window_new (NULL, settings));
}

/* Recently Discarded of a game with nothing in the trash: its empty state. */
static void
test_discarded_window (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *parent = gtk_window_new ();

  check_window (sp_trash_ui_discarded_window_new (parent, f->game));
  gtk_window_destroy (GTK_WINDOW (parent));
}

static void
test_main_window (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(SpLibraryMonitor) monitor = NULL;
  g_autoptr(SpPlayer) player = NULL;

  g_settings_set_boolean (settings, "show-demo-library", FALSE);
  monitor = sp_library_monitor_new (settings);
  player = sp_player_new (settings);
  check_window (GTK_WIDGET (sp_window_new (NULL, settings, monitor, player)));
}

static void
test_shortcuts_window (void)
{
  GtkBuilder *builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/sp-shortcuts-window.ui");
  GtkWidget *window = GTK_WIDGET (gtk_builder_get_object (builder, "shortcuts_window"));

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (window));
  /* GTK's list of toplevels keeps the window once the builder is gone. */
  g_object_unref (builder);
  check_window (window);
}

static int
count_toplevels (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  int n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        n++;
    }
  return n;
}

static gboolean
app_checks_cb (gpointer data)
{
  GApplication *app = data;

  /* activate made the main window; the menu's actions open their windows. */
  g_assert_cmpint (count_toplevels (SP_TYPE_WINDOW), ==, 1);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_cmpint (count_toplevels (SP_TYPE_PREFERENCES_WINDOW), ==, 1);
  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  g_assert_cmpint (count_toplevels (GTK_TYPE_SHORTCUTS_WINDOW), ==, 1);
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_cmpint (count_toplevels (ADW_TYPE_ABOUT_WINDOW), ==, 1);
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "help"));
  g_assert_nonnull (sp_application_get_monitor (SP_APPLICATION (app)));
  g_assert_nonnull (sp_application_get_player (SP_APPLICATION (app)));

  /* The preferences the core reads take effect at once. */
  {
    GSettings *settings = sp_application_get_settings (SP_APPLICATION (app));
    g_autofree char *runs = NULL;

    g_settings_set_int (settings, "compression-level", 12);
    g_assert_cmpint (sp_archive_get_default_compression_level (), ==, 12);
    g_settings_set_string (settings, "runs-folder", "/var/tmp/sp-test-runs");
    runs = sp_runs_dir ();
    g_assert_cmpstr (runs, ==, "/var/tmp/sp-test-runs");
    g_settings_reset (settings, "runs-folder");
    g_clear_pointer (&runs, g_free);
    runs = sp_runs_dir ();
    g_assert_cmpstr (runs, !=, "/var/tmp/sp-test-runs");
    g_settings_reset (settings, "compression-level");
    g_assert_cmpint (sp_archive_get_default_compression_level (), ==, 3);
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
app_activate_cb (GApplication *app)
{
  g_idle_add (app_checks_cb, app);
}

static void
test_application (void)
{
  g_autoptr(SpApplication) app = sp_application_new ();

  g_signal_connect_after (app, "activate", G_CALLBACK (app_activate_cb), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  /* Quit closed every window. */
  ui_test_flush ();
  g_assert_cmpint (count_toplevels (SP_TYPE_WINDOW), ==, 0);
}

/* ---- The settings form shows a path that leaves the game ---- */

static GtkWidget *
find_entry_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* An Executable that climbs out (as a drive's game.ini may say) is marked
 * as an error on its row, with the reason. Before, it was shown as fine. */
static void
test_game_page_bad_executable (Fixture       *f,
                               gconstpointer  data)
{
  GtkWidget *page = sp_game_page_new ();
  GtkWidget *row;

  g_object_ref_sink (page);
  sp_game_set_executable (f->game, "../../../../bin/sh");
  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  row = find_entry_row (page, "Executable");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), ".."));

  sp_game_set_executable (f->game, "game.sh");
  sp_game_page_set_game (SP_GAME_PAGE (page), NULL);
  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (row));
  sp_game_page_set_game (SP_GAME_PAGE (page), NULL);
  g_object_unref (page);
}

/* ---- The settings form: arguments and environment in one text row ---- */

/* Words shown as typed when they can be, shell-quoted otherwise, and read
 * back to the same list: spaces, quotes, backslashes, empty words, shell
 * characters, newlines and non-ASCII text. */
static void
test_game_settings_words (void)
{
  const char *words[] = { "plain", "two words", "", "it's", "say \"hi\"", "back\\slash",
                          "$HOME", "`id`", "tab\there", "new\nline", "Ünïcødé", "日本語 ゲーム",
                          "--x=1", NULL };
  g_autofree char *text = sp_game_settings_join_words (words);
  g_auto(GStrv) back = NULL;
  g_autoptr(GError) error = NULL;

  /* What the user sees (as before the form was its own widget). */
  g_assert_cmpstr (text, ==,
                   "plain 'two words' '' 'it'\\''s' 'say \"hi\"' 'back\\slash' '$HOME' '`id`' "
                   "'tab\there' 'new\nline' Ünïcødé '日本語 ゲーム' --x=1");
  g_assert_true (sp_game_settings_split_words (text, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (back, words);
  g_clear_pointer (&back, g_strfreev);

  /* Typed by hand: double quotes and backslashes as a shell reads them. */
  g_assert_true (sp_game_settings_split_words ("-a \"b c\" d\\ e \"\" f\\\\g", &back, &error));
  g_assert_no_error (error);
  {
    const char *expected[] = { "-a", "b c", "d e", "", "f\\g", NULL };
    g_assert_cmpstrv (back, expected);
  }
  g_clear_pointer (&back, g_strfreev);

  /* Nothing (or only blanks) is no arguments; an empty list shows as "". */
  g_assert_true (sp_game_settings_split_words ("", &back, &error));
  g_assert_cmpuint (g_strv_length (back), ==, 0);
  g_clear_pointer (&back, g_strfreev);
  g_assert_true (sp_game_settings_split_words (" \t ", &back, &error));
  g_assert_cmpuint (g_strv_length (back), ==, 0);
  g_clear_pointer (&back, g_strfreev);
  g_clear_pointer (&text, g_free);
  text = sp_game_settings_join_words (NULL);
  g_assert_cmpstr (text, ==, "");

  /* An unclosed quote is an error, and nothing is returned. */
  g_assert_false (sp_game_settings_split_words ("'open", &back, &error));
  g_assert_error (error, G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING);
  g_assert_null (back);
}

static gboolean
settings_saved (gpointer data)
{
  return !sp_game_settings_get_saving (data);
}

/* The form shows the game's arguments and saves what is typed: the same
 * list comes back from the drive. */
static void
test_game_settings (Fixture       *f,
                    gconstpointer  data)
{
  const char *arguments[] = { "--data", "My Saves/slot 1", "", "quote'd", "Ünïcødé", NULL };
  g_autofree char *shown = sp_game_settings_join_words (arguments);
  GtkWidget *settings = sp_game_settings_new ();
  GtkWidget *row;
  g_autoptr(GError) error = NULL;

  sp_game_settings_set_game (SP_GAME_SETTINGS (settings), f->game);
  g_assert_true (sp_game_settings_get_game (SP_GAME_SETTINGS (settings)) == f->game);
  row = find_entry_row (settings, "Arguments");
  g_assert_nonnull (row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");

  gtk_editable_set_text (GTK_EDITABLE (row), shown);
  g_signal_emit_by_name (row, "apply");
  g_assert_true (sp_game_settings_get_saving (SP_GAME_SETTINGS (settings)));
  ui_test_wait (settings_saved, settings, 30, "the settings to be saved");
  g_assert_cmpstrv (sp_game_get_arguments (f->game), arguments);
  g_assert_true (sp_game_reload (f->game, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (sp_game_get_arguments (f->game), arguments);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, shown);

  check_widget (settings);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/widgets/game-card", Fixture, NULL, fixture_setup, test_game_card, fixture_teardown);
  g_test_add ("/ui/widgets/checkpoint-row", Fixture, NULL, fixture_setup, test_checkpoint_row, fixture_teardown);
  g_test_add ("/ui/widgets/game-page", Fixture, NULL, fixture_setup, test_game_page, fixture_teardown);
  g_test_add ("/ui/widgets/game-page-bad-executable", Fixture, NULL, fixture_setup,
              test_game_page_bad_executable, fixture_teardown);
  g_test_add_func ("/ui/widgets/game-settings-words", test_game_settings_words);
  g_test_add ("/ui/widgets/game-settings", Fixture, NULL, fixture_setup, test_game_settings, fixture_teardown);
  g_test_add_func ("/ui/widgets/keep-dialog", test_keep_dialog);
  g_test_add ("/ui/widgets/note-dialog", Fixture, NULL, fixture_setup, test_note_dialog, fixture_teardown);
  g_test_add ("/ui/widgets/add-game-window", Fixture, NULL, fixture_setup, test_add_game_window, fixture_teardown);
  g_test_add_func ("/ui/widgets/preferences-window", test_preferences_window);
  g_test_add_func ("/ui/widgets/main-window", test_main_window);
  g_test_add ("/ui/widgets/discarded-window", Fixture, NULL, fixture_setup, test_discarded_window,
              fixture_teardown);
  g_test_add_func ("/ui/widgets/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/ui/widgets/application", test_application);

  return ui_test_run ();
}
