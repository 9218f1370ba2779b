/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The game card's menu (⋮, right-click, the Menu key) and Remove Game…:
 * the real SpWindow over a real library in a temporary folder. */
#include "config.h"

#include <glib/gstdio.h>

#include "core/sp-library-remove.h"
#include "play/sp-play.h"
#include "sp-window.h"
#include "sp-game-settings-window.h"
#include "sp-window-private.h"
#include "ui-test-util.h"

typedef struct
{
  char             *dir;
  GSettings        *settings;
  SpLibraryMonitor *monitor;
  SpPlayer         *player;
  SpWindow         *window;
  SpLibrary        *library;
  SpGame           *game;
} Fixture;

static gboolean
games_shown (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (sp_window_get_view (f->window), "games") == 0 &&
         !sp_library_monitor_get_scanning (f->monitor);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;

  f->dir = ui_test_tmpdir ("cards");
  library = sp_library_create_sync (f->dir, "Card Library", &error);
  g_assert_no_error (error);
  g_object_unref (ui_test_add_game (library, "Card Quest"));
  g_object_unref (ui_test_add_game (library, "Other Game"));

  f->settings = g_settings_new (APP_ID);
  g_settings_set_boolean (f->settings, "show-demo-library", FALSE);
  g_settings_set_strv (f->settings, "library-folders", NULL);
  g_setenv ("SAVEPOINT_LIBRARY", f->dir, TRUE);

  f->monitor = sp_library_monitor_new (f->settings);
  f->player = sp_player_new (f->settings);
  f->window = g_object_ref_sink (sp_window_new (NULL, f->settings, f->monitor, f->player));
  gtk_window_present (GTK_WINDOW (f->window));
  ui_test_wait (games_shown, f, 30, "the games");

  f->library = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 0);
  f->game = g_object_ref (sp_library_find_game (f->library, "Card Quest"));
  g_assert_nonnull (f->game);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->player);
  g_clear_object (&f->monitor);
  ui_test_flush ();
  g_settings_reset (f->settings, "show-demo-library");
  g_settings_reset (f->settings, "library-folders");
  g_clear_object (&f->settings);
  g_unsetenv ("SAVEPOINT_LIBRARY");
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
count_cb (gpointer instance,
          gpointer user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* The menu has Play, Checkpoints, Game Settings… and Remove Game…, each an
 * action of the card that does what it says. */
static void
test_menu_items (Fixture       *f,
                 gconstpointer  data)
{
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  GMenuModel *menu = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (sp_game_card_get_menu (card)));
  const char *expected[][2] = {
    { "_Play", "card.play" },
    { "_Checkpoints", "card.open" },
    { "Game _Settings…", "card.settings" },
    { "_Remove Game…", "card.remove" },
  };
  guint n = 0;
  guint played = 0;
  AdwMessageDialog *dialog;

  for (int s = 0; s < g_menu_model_get_n_items (menu); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, s, G_MENU_LINK_SECTION);

      for (int i = 0; i < g_menu_model_get_n_items (section); i++, n++)
        {
          g_autofree char *label = NULL;
          g_autofree char *action = NULL;

          g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
          g_assert_true (g_menu_model_get_item_attribute (section, i, "label", "s", &label));
          g_assert_true (g_menu_model_get_item_attribute (section, i, "action", "s", &action));
          g_assert_cmpstr (label, ==, expected[n][0]);
          g_assert_cmpstr (action, ==, expected[n][1]);
        }
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));

  /* Play asks the window to play (the handler counts; the window's own
   * play is checked in test-flows). */
  {
    g_autoptr(SpGame) game = g_object_ref (f->game);
    GtkWidget *lone = g_object_ref_sink (sp_game_card_new (game));

    g_signal_connect (lone, "play", G_CALLBACK (count_cb), &played);
    g_assert_true (gtk_widget_activate_action (lone, "card.play", NULL));
    g_assert_cmpuint (played, ==, 1);
    g_object_unref (lone);
  }

  /* Checkpoints opens the game's page; Game Settings… its settings window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.open", NULL));
  g_assert_true (sp_window_get_game_shown (f->window));
  g_assert_true (sp_game_page_get_game (sp_window_get_game_page (f->window)) == f->game);
  sp_window_show_games (f->window);
  g_assert_false (sp_window_get_game_shown (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.settings", NULL));
  {
    GtkWidget *settings = NULL;
    GListModel *tops = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (tops) && settings == NULL; i++)
      {
        g_autoptr(GObject) top = g_list_model_get_item (tops, i);

        if (SP_IS_GAME_SETTINGS_WINDOW (top))
          settings = GTK_WIDGET (top);
      }
    g_assert_nonnull (settings);
    g_assert_true (sp_game_settings_window_get_game (SP_GAME_SETTINGS_WINDOW (settings)) == f->game);
    gtk_window_destroy (GTK_WINDOW (settings));
  }
  g_assert_false (sp_window_get_game_shown (f->window));

  /* Remove Game… asks; Cancel keeps everything. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.remove", NULL));
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove “Card Quest”?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "delete"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  ui_test_answer (dialog, "cancel");
  g_assert_true (g_file_test (sp_game_get_path (f->game), G_FILE_TEST_IS_DIR));
  g_assert_nonnull (sp_library_find_game (f->library, "Card Quest"));
}

/* Right-click, the ⋮ button's action (the Menu key and Shift+F10 on the
 * focused card) open the menu. */
static void
test_menu_opens (Fixture       *f,
                 gconstpointer  data)
{
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  GtkWidget *child = gtk_widget_get_parent (GTK_WIDGET (card));
  GtkPopover *context = sp_game_card_get_menu (card);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (card));
  gboolean clicked = FALSE;
  gboolean keyed = FALSE;

  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (context)));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c) &&
          gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (c)) == GDK_BUTTON_SECONDARY)
        {
          g_signal_emit_by_name (c, "pressed", 1, 20.0, 30.0);
          clicked = TRUE;
        }
    }
  g_assert_true (clicked);
  ui_test_wait (popover_shown, context, 10, "the right-click menu");
  gtk_popover_popdown (context);
  ui_test_flush ();

  /* The flow box child has the focus: its Menu key shortcut. */
  g_clear_object (&controllers);
  controllers = gtk_widget_observe_controllers (child);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (c))
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (c), 0);
          GtkShortcutTrigger *menu_key = gtk_keyval_trigger_new (GDK_KEY_Menu, 0);

          g_assert_true (gtk_shortcut_trigger_equal (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (gtk_shortcut_get_trigger (shortcut))),
                                                     menu_key));
          g_object_unref (menu_key);
          g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, child, NULL));
          keyed = TRUE;
        }
    }
  g_assert_true (keyed);
  ui_test_wait (popover_shown, context, 10, "the menu from the Menu key");
  gtk_popover_popdown (context);
  ui_test_flush ();
  /* The ⋮ button. */
  {
    GtkWidget *w;

    for (w = gtk_widget_get_first_child (GTK_WIDGET (card)); w != NULL; )
      {
        if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), "card.menu") == 0)
          break;
        /* depth-first walk */
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w) == GTK_WIDGET (card) ? NULL : gtk_widget_get_parent (w);
            if (w != NULL)
              w = gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (w);
    g_signal_emit_by_name (w, "clicked");
    ui_test_wait (popover_shown, context, 10, "the ⋮ menu");
  }
  g_assert_false (sp_window_get_game_shown (f->window));
}

static gboolean
removed_from_list (gpointer data)
{
  Fixture *f = data;

  return sp_library_find_game (f->library, "Card Quest") == NULL;
}

static char *
entry_path (Fixture    *f,
            const char *name)
{
  return g_build_filename (sp_library_get_path (f->library), "trash", "card-quest.removed", name, NULL);
}

/* Keep Files: the folder goes into the drive's trash, the card goes;
 * Undo brings both back. */
static void
test_remove_keep_undo (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_strdup (sp_game_get_path (f->game));
  g_autofree char *moved = entry_path (f, "game");
  AdwToast *toast;
  SpGame *back;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_find_card (f->window, f->game)),
                                             "card.remove", NULL));
  ui_test_answer (ui_test_find_message_dialog (NULL), "keep");
  ui_test_wait (removed_from_list, f, 10, "the game to leave the list");
  ui_test_flush ();
  g_assert_null (sp_window_find_card (f->window, f->game));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (moved, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *exe = g_build_filename (moved, "base", "game.sh", NULL);
    g_assert_true (g_file_test (exe, G_FILE_TEST_IS_REGULAR));
  }

  toast = g_object_get_data (G_OBJECT (f->window), "sp-remove-toast");
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "“Card Quest” removed");
  g_signal_emit_by_name (toast, "button-clicked");
  ui_test_flush ();
  back = sp_library_find_game (f->library, "Card Quest");
  g_assert_nonnull (back);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (moved, G_FILE_TEST_EXISTS));
  g_assert_nonnull (sp_window_find_card (f->window, back));
}

static gboolean
trash_empty (gpointer data)
{
  Fixture *f = data;
  g_autofree char *entry = entry_path (f, NULL);

  return !g_file_test (entry, G_FILE_TEST_EXISTS);
}

/* Delete Files: gone from the list and from the drive; the other game
 * stays. */
static void
test_remove_delete (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_strdup (sp_game_get_path (f->game));
  SpGame *other = sp_library_find_game (f->library, "Other Game");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_find_card (f->window, f->game)),
                                             "card.remove", NULL));
  ui_test_answer (ui_test_find_message_dialog (NULL), "delete");
  ui_test_wait (removed_from_list, f, 10, "the game to leave the list");
  ui_test_wait (trash_empty, f, 30, "the files to be deleted");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (other);
  g_assert_true (g_file_test (sp_game_get_path (other), G_FILE_TEST_IS_DIR));
}

/* While the game is being played (its lock held) nothing is removed. */
static void
test_remove_running_refused (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *lock_path = sp_game_lock_path (f->game);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLock) lock = sp_lock_acquire (lock_path, "Card Quest", &error);

  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_find_card (f->window, f->game)),
                                                 "card.remove", NULL));
      ui_test_answer (ui_test_find_message_dialog (NULL), i == 0 ? "keep" : "delete");
      ui_test_flush ();
      g_assert_nonnull (sp_library_find_game (f->library, "Card Quest"));
      g_assert_true (g_file_test (sp_game_get_path (f->game), G_FILE_TEST_IS_DIR));
      g_assert_nonnull (sp_window_find_card (f->window, f->game));
    }
}

static const char *
first_game (Fixture *f)
{
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  GtkWidget *flow = gtk_widget_get_ancestor (GTK_WIDGET (card), GTK_TYPE_FLOW_BOX);
  GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), 0);

  return sp_game_get_name (sp_game_card_get_game (SP_GAME_CARD (gtk_flow_box_child_get_child (child))));
}

static gboolean
other_first (gpointer data)
{
  return g_strcmp0 (first_game (data), "Other Game") == 0;
}

/* Last played first by default (a game just played moves to the front),
 * by name when chosen in the sort menu (win.sort-games, saved in
 * GSettings). */
static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  SpGame *other = sp_library_find_game (f->library, "Other Game");
  g_autoptr(SpCheckpoint) cp = NULL;
  g_autofree char *sort = g_settings_get_string (f->settings, "sort-games");
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (f->window), "sort-games");

  g_assert_cmpstr (sort, ==, "last-played");
  g_assert_nonnull (action);
  /* Neither played: by name. */
  g_assert_cmpstr (first_game (f), ==, "Card Quest");
  cp = ui_test_add_checkpoint (other, "Played", "1\n");
  ui_test_wait (other_first, f, 10, "the game just played to come first");

  g_action_activate (action, g_variant_new_string ("name"));
  g_free (sort);
  sort = g_settings_get_string (f->settings, "sort-games");
  g_assert_cmpstr (sort, ==, "name");
  ui_test_flush ();
  g_assert_cmpstr (first_game (f), ==, "Card Quest");
  g_settings_reset (f->settings, "sort-games");
  ui_test_flush ();
  g_assert_cmpstr (first_game (f), ==, "Other Game");
}

static gboolean
only_other_shown (gpointer data)
{
  Fixture *f = data;
  SpGame *other = sp_library_find_game (f->library, "Other Game");

  return sp_window_find_card (f->window, f->game) == NULL && sp_window_find_card (f->window, other) != NULL;
}

static gboolean
view_is_no_results (gpointer data)
{
  return g_strcmp0 (sp_window_get_view (data), "no-results") == 0;
}

static gboolean
both_shown (gpointer data)
{
  Fixture *f = data;
  SpGame *other = sp_library_find_game (f->library, "Other Game");

  return sp_window_find_card (f->window, f->game) != NULL && sp_window_find_card (f->window, other) != NULL &&
         g_strcmp0 (sp_window_get_view (f->window), "games") == 0;
}

/* Ctrl+F (win.search) opens the search bar; typing filters the cards by
 * name, case-insensitively; nothing found says so; Escape's stop-search
 * shows all again. Typing on the grid goes to the entry. */
static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  GtkSearchBar *bar = GTK_SEARCH_BAR (gtk_widget_get_ancestor (GTK_WIDGET (f->window->search_entry),
                                                               GTK_TYPE_SEARCH_BAR));
  GtkEditable *entry = GTK_EDITABLE (f->window->search_entry);

  g_assert_false (gtk_search_bar_get_search_mode (bar));
  g_assert_true (gtk_search_entry_get_key_capture_widget (f->window->search_entry) == f->window->games_page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (bar));

  gtk_editable_set_text (entry, "OTHER");
  ui_test_wait (only_other_shown, f, 10, "the search to filter the cards");
  gtk_editable_set_text (entry, "no such game");
  ui_test_wait (view_is_no_results, f->window, 10, "No Results Found");
  g_signal_emit_by_name (entry, "stop-search");
  ui_test_wait (both_shown, f, 10, "all games again");
  g_assert_false (gtk_search_bar_get_search_mode (bar));
}

static gboolean
both_pending (gpointer data)
{
  Fixture *f = data;
  SpGame *other = sp_library_find_game (f->library, "Other Game");

  return sp_game_card_get_pending (sp_window_find_card (f->window, f->game)) &&
         sp_game_card_get_pending (sp_window_find_card (f->window, other));
}

static gboolean
session_gone (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  SpGame *game = ((gpointer *) data)[1];

  return sp_window_get_session (f->window, game) == NULL;
}

/* Two games played at once (real overlays, real processes): once both
 * have ended, both cards say "Not yet kept" (calm: no outline, no spinner),
 * and each card's Keep or Discard decides its own run. */
static void
test_pending (Fixture       *f,
              gconstpointer  data)
{
  SpGame *other = sp_library_find_game (f->library, "Other Game");
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  SpGameCard *other_card = sp_window_find_card (f->window, other);
  gpointer args[2] = { f, NULL };

  g_assert_false (sp_game_card_get_pending (card));
  {
    guint kept = 0;
    gulong id = g_signal_connect (card, "keep", G_CALLBACK (count_cb), &kept);

    /* Nothing to keep yet: the action is off. */
    gtk_widget_activate_action (GTK_WIDGET (card), "card.keep", NULL);
    g_assert_cmpuint (kept, ==, 0);
    g_signal_handler_disconnect (card, id);
  }
  sp_window_play_game (f->window, f->game);
  sp_window_play_game (f->window, other);
  g_assert_nonnull (sp_window_get_session (f->window, f->game));
  g_assert_nonnull (sp_window_get_session (f->window, other));
  ui_test_wait (both_pending, f, 120, "both games to end");
  g_assert_cmpstr (sp_game_card_get_status (card), ==, "Not yet kept");
  g_assert_cmpstr (sp_game_card_get_status (other_card), ==, "Not yet kept");
  g_assert_false (gtk_widget_has_css_class (gtk_widget_get_first_child (GTK_WIDGET (card)), "running"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.keep", NULL));
  args[1] = f->game;
  ui_test_wait (session_gone, args, 120, "the run to be kept");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 1);
  card = sp_window_find_card (f->window, f->game);
  g_assert_false (sp_game_card_get_pending (card));
  /* The other still waits, untouched. */
  g_assert_true (sp_game_card_get_pending (sp_window_find_card (f->window, other)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_find_card (f->window, other)),
                                             "card.discard", NULL));
  args[1] = other;
  ui_test_wait (session_gone, args, 120, "the run to be discarded");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (other)), ==, 0);
  g_assert_false (sp_game_card_get_pending (sp_window_find_card (f->window, other)));
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/cards/menu-items", Fixture, NULL, fixture_setup, test_menu_items, fixture_teardown);
  g_test_add ("/ui/cards/menu-opens", Fixture, NULL, fixture_setup, test_menu_opens, fixture_teardown);
  g_test_add ("/ui/cards/remove-keep-undo", Fixture, NULL, fixture_setup, test_remove_keep_undo,
              fixture_teardown);
  g_test_add ("/ui/cards/remove-delete", Fixture, NULL, fixture_setup, test_remove_delete, fixture_teardown);
  g_test_add ("/ui/cards/remove-running-refused", Fixture, NULL, fixture_setup, test_remove_running_refused,
              fixture_teardown);
  g_test_add ("/ui/cards/sort", Fixture, NULL, fixture_setup, test_sort, fixture_teardown);
  g_test_add ("/ui/cards/search", Fixture, NULL, fixture_setup, test_search, fixture_teardown);
  g_test_add ("/ui/cards/pending", Fixture, NULL, fixture_setup, test_pending, fixture_teardown);
  return ui_test_run ();
}
