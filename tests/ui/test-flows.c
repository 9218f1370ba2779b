/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Flow tests: the real SpWindow over real libraries in temporary folders,
 * driven in-process through the actions its buttons and menus use. */
#include "config.h"

#include <glib/gstdio.h>

#include "play/sp-run-logs.h"
#include "play/sp-session.h"
#include "sp-add-game-window.h"
#include "sp-checkpoint-row.h"
#include "sp-keep-dialog.h"
#include "sp-trash-ui.h"
#include "sp-window.h"
#include "ui-test-util.h"
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  char             *dir;
  GSettings        *settings;
  SpLibraryMonitor *monitor;
  SpPlayer         *player;    /* the application's: outlives the window */
  SpWindow         *window;
  SpLibrary        *library;   /* the window's (the monitor's) instance */
  SpGame           *game;
} Fixture;

static gboolean
view_is (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  const char *view = ((gpointer *) data)[1];

  return g_strcmp0 (sp_window_get_view (f->window), view) == 0 &&
         !sp_library_monitor_get_scanning (f->monitor);
}

static void
wait_view (Fixture    *f,
           const char *view)
{
  gpointer data[2] = { f, (gpointer) view };
  ui_test_wait (view_is, data, 30, view);
}

static void
open_window (Fixture *f)
{
  f->monitor = sp_library_monitor_new (f->settings);
  f->player = sp_player_new (f->settings);
  f->window = sp_window_new (NULL, f->settings, f->monitor, f->player);
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;

  f->dir = ui_test_tmpdir ("flows");
  library = sp_library_create_sync (f->dir, "Flow Library", &error);
  g_assert_no_error (error);
  game = ui_test_add_game (library, "Flow Quest");

  f->settings = g_settings_new (APP_ID);
  g_settings_set_boolean (f->settings, "show-demo-library", FALSE);
  g_settings_set_strv (f->settings, "library-folders", NULL);
  g_setenv ("SAVEPOINT_LIBRARY", f->dir, TRUE);

  open_window (f);
  wait_view (f, "games");

  g_assert_cmpuint (g_list_model_get_n_items (sp_library_monitor_get_libraries (f->monitor)), ==, 1);
  f->library = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 0);
  f->game = g_object_ref (sp_library_find_game (f->library, "Flow Quest"));
  g_assert_nonnull (f->game);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  if (f->window != NULL)
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

static SpCheckpointRow *
timeline_row (Fixture *f,
              int      index)
{
  GtkListBox *timeline = sp_game_page_get_timeline (sp_window_get_game_page (f->window));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (timeline, index);

  return row ? SP_CHECKPOINT_ROW (row) : NULL;
}

static guint
timeline_length (Fixture *f)
{
  guint n = 0;

  while (timeline_row (f, n) != NULL)
    n++;
  return n;
}

static SpCheckpointRow *
row_for (Fixture    *f,
         const char *id)
{
  SpCheckpointRow *row;

  for (int i = 0; (row = timeline_row (f, i)) != NULL; i++)
    if (g_strcmp0 (sp_checkpoint_row_get_target (row), id) == 0)
      return row;
  return NULL;
}

static gboolean
page_idle (gpointer data)
{
  Fixture *f = data;

  return !sp_game_page_get_writing (sp_window_get_game_page (f->window));
}

/* Restore, rename, delete and settings are written in a worker thread: the
 * page says so until the write is done and shown. */
static void
wait_for_writes (Fixture *f)
{
  g_assert_true (sp_game_page_get_writing (sp_window_get_game_page (f->window)));
  ui_test_wait (page_idle, f, 60, "the game page's write to the drive");
}

static char *
head_on_disk (SpGame *game)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) fresh = sp_game_load (sp_game_get_path (game), FALSE, &error);

  g_assert_no_error (error);
  return g_strdup (sp_game_get_head (fresh));
}

static void
test_grid_and_timeline (Fixture       *f,
                        gconstpointer  data)
{
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  g_autoptr(SpCheckpoint) first = NULL;
  g_autoptr(SpCheckpoint) second = NULL;
  g_autofree char *head = NULL;
  GListModel *checkpoints = sp_game_get_checkpoints (f->game);
  SpCheckpointRow *row;
  GtkWidget *child;
  gboolean popped = FALSE;

  /* The grid shows the game. */
  g_assert_nonnull (card);
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "Flow Quest"));
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "Never played"));
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "clean install"));

  /* Checkpoints made by the core show up on the card. */
  first = ui_test_add_checkpoint (f->game, "First", "1\n");
  second = ui_test_add_checkpoint (f->game, "Second", "2\n");
  ui_test_flush ();
  card = sp_window_find_card (f->window, f->game);
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "2 checkpoints"));
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "Current: Second"));

  /* The game's page (the card's secondary action, as its button, a
   * right-click and the Menu key do): newest first, the clean install
   * last, one current. */
  g_assert_false (sp_window_get_game_shown (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.open", NULL));
  g_assert_true (sp_window_get_game_shown (f->window));
  g_assert_true (sp_game_page_get_game (sp_window_get_game_page (f->window)) == f->game);
  g_assert_cmpuint (timeline_length (f), ==, 3);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SpCheckpoint) cp = g_list_model_get_item (checkpoints, i);
      g_assert_true (sp_checkpoint_row_get_checkpoint (timeline_row (f, i)) == cp);
    }
  {
    g_autoptr(SpCheckpoint) newer = g_list_model_get_item (checkpoints, 0);
    g_autoptr(SpCheckpoint) older = g_list_model_get_item (checkpoints, 1);
    g_assert_cmpint (g_date_time_compare (sp_checkpoint_get_created (newer),
                                          sp_checkpoint_get_created (older)), >=, 0);
  }
  g_assert_null (sp_checkpoint_row_get_checkpoint (timeline_row (f, 2)));
  g_assert_true (sp_checkpoint_row_get_current (row_for (f, sp_checkpoint_get_id (second))));
  g_assert_false (sp_checkpoint_row_get_current (row_for (f, sp_checkpoint_get_id (first))));
  g_assert_false (sp_checkpoint_row_get_current (row_for (f, "")));

  /* The context menu opens (as on right-click, long-press, Menu key). */
  row = row_for (f, sp_checkpoint_get_id (first));
  sp_checkpoint_row_popup_menu (row);
  for (child = gtk_widget_get_first_child (GTK_WIDGET (row)); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER_MENU (child))
      {
        popped = gtk_widget_get_visible (child);
        gtk_popover_popdown (GTK_POPOVER (child));
      }
  g_assert_true (popped);

  /* Restore, via the action the menu's item activates. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "checkpoint.restore", "s",
                                             sp_checkpoint_get_id (first)));
  /* Nothing changes before the main loop has run the write's callback. */
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (second));
  wait_for_writes (f);
  ui_test_flush ();
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (first));
  head = head_on_disk (f->game);
  g_assert_cmpstr (head, ==, sp_checkpoint_get_id (first));
  g_assert_true (sp_checkpoint_row_get_current (row_for (f, sp_checkpoint_get_id (first))));
  g_assert_false (sp_checkpoint_row_get_current (row_for (f, sp_checkpoint_get_id (second))));
  /* "Second" is after the current checkpoint, on its line of the tree (no
   * branch yet), and not dimmed. */
  g_assert_cmpuint (sp_checkpoint_row_get_depth (row_for (f, sp_checkpoint_get_id (second))), ==, 0);
  g_assert_cmpfloat (gtk_widget_get_opacity (GTK_WIDGET (row_for (f, sp_checkpoint_get_id (second)))), ==, 1.0);

  /* Rename: the dialog is answered like a user would. */
  {
    AdwMessageDialog *dialog;
    GtkWidget *entry;
    g_autoptr(GError) error = NULL;
    g_autoptr(SpCheckpoint) fresh = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "checkpoint.rename", "s",
                                               sp_checkpoint_get_id (first)));
    dialog = ui_test_find_message_dialog (NULL);
    g_assert_nonnull (dialog);
    entry = adw_message_dialog_get_extra_child (dialog);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "First");
    gtk_editable_set_text (GTK_EDITABLE (entry), "Before the boss");
    ui_test_answer (dialog, "rename");
    /* While the rename is written, the checkpoint actions are off. */
    g_assert_true (sp_game_page_get_writing (sp_window_get_game_page (f->window)));
    gtk_widget_activate_action (GTK_WIDGET (row_for (f, sp_checkpoint_get_id (second))),
                                "checkpoint.delete", "s", sp_checkpoint_get_id (second));
    g_assert_null (sp_game_page_get_delete_toast (sp_window_get_game_page (f->window)));
    g_assert_nonnull (row_for (f, sp_checkpoint_get_id (second)));
    wait_for_writes (f);
    ui_test_flush ();

    fresh = sp_checkpoint_load (sp_checkpoint_get_ini_path (first), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sp_checkpoint_get_label (fresh), ==, "Before the boss");
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_for (f, sp_checkpoint_get_id (first)))),
                     ==, "Before the boss");
  }

  /* Delete, then Undo: nothing is deleted. */
  {
    AdwToast *toast;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, sp_checkpoint_get_id (second))),
                                               "checkpoint.delete", "s", sp_checkpoint_get_id (second)));
    ui_test_flush ();
    g_assert_cmpuint (timeline_length (f), ==, 2);
    g_assert_null (row_for (f, sp_checkpoint_get_id (second)));
    g_assert_true (g_file_test (sp_checkpoint_get_ini_path (second), G_FILE_TEST_EXISTS));
    toast = sp_game_page_get_delete_toast (sp_window_get_game_page (f->window));
    g_assert_nonnull (toast);
    g_signal_emit_by_name (toast, "button-clicked");
    ui_test_flush ();
    g_assert_cmpuint (timeline_length (f), ==, 3);
    g_assert_nonnull (row_for (f, sp_checkpoint_get_id (second)));
    g_assert_true (g_file_test (sp_checkpoint_get_ini_path (second), G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (sp_checkpoint_get_archive_path (second), G_FILE_TEST_EXISTS));
  }

  /* Delete, and the toast goes away: now it is deleted from the drive. */
  {
    AdwToast *toast;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, sp_checkpoint_get_id (second))),
                                               "checkpoint.delete", "s", sp_checkpoint_get_id (second)));
    toast = sp_game_page_get_delete_toast (sp_window_get_game_page (f->window));
    g_assert_nonnull (toast);
    g_assert_true (g_file_test (sp_checkpoint_get_ini_path (second), G_FILE_TEST_EXISTS));
    adw_toast_dismiss (toast);
    /* Hidden while the delete is being written. */
    g_assert_null (row_for (f, sp_checkpoint_get_id (second)));
    wait_for_writes (f);
    ui_test_flush ();
    g_assert_false (g_file_test (sp_checkpoint_get_ini_path (second), G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (sp_checkpoint_get_archive_path (second), G_FILE_TEST_EXISTS));
    g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 1);
    g_assert_cmpuint (timeline_length (f), ==, 2);
  }

  /* The clean install can be restored too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, "")), "checkpoint.restore", "s", ""));
  wait_for_writes (f);
  g_assert_null (sp_game_get_head (f->game));
  g_assert_true (sp_checkpoint_row_get_current (row_for (f, "")));

  /* Back to the grid. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_get_game_page (f->window)), "game.back", NULL));
  g_assert_false (sp_window_get_game_shown (f->window));
}

/* ---- The grid: as many columns as fit, cards of one fixed size ---- */

typedef struct
{
  Fixture   *f;
  GPtrArray *games;
  int        width;
} GridWait;

static gboolean
grid_laid_out (gpointer data)
{
  GridWait *w = data;

  /* (less a few pixels: the screen is no wider) */
  if (gtk_widget_get_width (GTK_WIDGET (w->f->window)) < w->width - 40)
    return FALSE;
  for (guint i = 0; i < w->games->len; i++)
    {
      SpGameCard *card = sp_window_find_card (w->f->window, w->games->pdata[i]);

      if (card == NULL || !gtk_widget_get_mapped (GTK_WIDGET (card)) ||
          gtk_widget_get_width (GTK_WIDGET (card)) <= 0)
        return FALSE;
    }
  return TRUE;
}

/* The card's place in the window. */
static graphene_rect_t
card_bounds (Fixture *f,
             SpGame  *game)
{
  SpGameCard *card = sp_window_find_card (f->window, game);
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (card), GTK_WIDGET (f->window), &bounds));
  return bounds;
}

/* Runs the frame clock until the layout is done (allocations are made at
 * the next frame, not when a property changes). */
static void
wait_frames (Fixture *f,
             guint    n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gint64 start = gdk_frame_clock_get_frame_counter (clock);

  while (gdk_frame_clock_get_frame_counter (clock) < start + n)
    {
      gtk_widget_queue_draw (GTK_WIDGET (f->window));
      g_main_context_iteration (NULL, TRUE);
    }
}

/* A new window of @width × @height on the same libraries (a window on
 * Xvfb, without a window manager, keeps the size it was mapped with). */
static void
resize_window (Fixture *f,
               int      width,
               int      height)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_settings_set_int (f->settings, "window-width", width);
  g_settings_set_int (f->settings, "window-height", height);
  f->window = sp_window_new (NULL, f->settings, f->monitor, f->player);
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
  g_settings_reset (f->settings, "window-width");
  g_settings_reset (f->settings, "window-height");
}

static void
test_grid_columns (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) games = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) columns = g_hash_table_new (NULL, NULL);
  GridWait wait = { f, games, 1280 };
  float width = -1, height = -1;

  /* Eight games with long names; one with a long "Current: …" line, as
   * the one label that used to set every card's width. */
  g_ptr_array_add (games, g_object_ref (f->game));
  for (guint i = 1; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("The Extraordinarily Long Name of Adventure Number %u", i);
      g_ptr_array_add (games, ui_test_add_game (f->library, name));
    }
  {
    g_autoptr(SpCheckpoint) cp =
      ui_test_add_checkpoint (f->game, "Right before the final boss of the third island, with every key", "1\n");
  }
  resize_window (f, 1280, 800);
  ui_test_wait (grid_laid_out, &wait, 30, "the grid at 1280 px");
  wait_frames (f, 3);

  for (guint i = 0; i < games->len; i++)
    {
      graphene_rect_t bounds = card_bounds (f, games->pdata[i]);

      g_hash_table_add (columns, GINT_TO_POINTER ((int) bounds.origin.x));
      /* One size for every card, not the width of the longest label. */
      if (width < 0)
        {
          width = bounds.size.width;
          height = bounds.size.height;
        }
      g_assert_cmpfloat_with_epsilon (bounds.size.width, width, 1.5);   /* (the spare pixel of a line) */
      g_assert_cmpfloat_with_epsilon (bounds.size.height, height, 0.5);
    }
  g_assert_cmpfloat (width, <=, 320);
  g_assert_cmpuint (g_hash_table_size (columns), >=, 4);

  /* A running game shows its state in the same height: no card changes
   * size. */
  sp_game_card_set_status (sp_window_find_card (f->window, f->game), "Running");
  sp_game_card_set_elapsed (sp_window_find_card (f->window, f->game), 3725);
  sp_game_card_set_can_stop (sp_window_find_card (f->window, f->game), TRUE);
  wait_frames (f, 3);
  for (guint i = 0; i < games->len; i++)
    {
      graphene_rect_t bounds = card_bounds (f, games->pdata[i]);

      g_assert_cmpfloat_with_epsilon (bounds.size.height, height, 0.5);
      g_assert_cmpfloat_with_epsilon (bounds.size.width, width, 1.5);   /* (the spare pixel of a line) */
    }
  sp_game_card_set_status (sp_window_find_card (f->window, f->game), NULL);

  /* The full name is one hover away. */
  {
    SpGameCard *card = sp_window_find_card (f->window, games->pdata[3]);
    g_autofree char *tooltip = NULL;
    gboolean found = FALSE;

    for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (card)); w != NULL && !found;)
      {
        if (GTK_IS_LABEL (w) &&
            g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), sp_game_get_name (games->pdata[3])) == 0)
          {
            g_assert_cmpstr (gtk_widget_get_tooltip_text (w), ==, sp_game_get_name (games->pdata[3]));
            g_assert_true (gtk_label_get_ellipsize (GTK_LABEL (w)) != PANGO_ELLIPSIZE_NONE);
            found = TRUE;
          }
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
    g_assert_true (found);
  }
}

/* ---- Undo for delete: pending until its toast goes, shown as gone ---- */

static void
test_delete_undo (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SpCheckpoint) first = ui_test_add_checkpoint (f->game, "First", "1\n");
  g_autoptr(SpCheckpoint) second = ui_test_add_checkpoint (f->game, "Second", "2\n");
  SpGamePage *page = sp_window_get_game_page (f->window);
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  AdwToast *toast;
  const char *subtitle;
  g_autofree char *summary = NULL;

  g_assert_cmpstr (sp_checkpoint_get_parent (second), ==, sp_checkpoint_get_id (first));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.open", NULL));
  ui_test_flush ();
  /* The first focus on the page is Play, not the Name field's text. */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (f->window));

    g_assert_nonnull (focus);
    g_assert_true (GTK_IS_BUTTON (focus));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (focus)), ==, "game.play");
  }

  /* Delete "First": "Second" no longer says it branched from it, and the
   * page counts one checkpoint. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, sp_checkpoint_get_id (first))),
                                             "checkpoint.delete", "s", sp_checkpoint_get_id (first)));
  ui_test_flush ();
  toast = sp_game_page_get_delete_toast (page);
  g_assert_nonnull (toast);
  g_assert_null (row_for (f, sp_checkpoint_get_id (first)));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row_for (f, sp_checkpoint_get_id (second))));
  g_assert_null (strstr (subtitle, "First"));
  g_assert_nonnull (strstr (subtitle, "deleted"));
  {
    GtkWidget *label = NULL;

    /* the summary label under the name */
    for (GtkWidget *w = GTK_WIDGET (page); w != NULL;)
      {
        if (GTK_IS_LABEL (w) && strstr (gtk_label_get_label (GTK_LABEL (w)), "played ·") != NULL)
          {
            label = w;
            break;
          }
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && w != GTK_WIDGET (page) && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = (w == NULL || w == GTK_WIDGET (page)) ? NULL : gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (label);
    summary = g_strdup (gtk_label_get_label (GTK_LABEL (label)));
  }
  g_assert_nonnull (strstr (summary, "1 checkpoint"));
  g_assert_null (strstr (summary, "2 checkpoints"));

  /* Other toasts and going back to the games leave it pending: nothing is
   * deleted, Undo still works. */
  {
    GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_TOAST_OVERLAY);

    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new ("Another toast"));
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new ("And one more"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "game.back", NULL));
  g_assert_false (sp_window_get_game_shown (f->window));
  ui_test_flush ();
  g_assert_true (sp_game_page_get_delete_toast (page) == toast);
  /* The card counts it as gone too. */
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "1 checkpoint"));
  g_assert_null (strstr (sp_game_card_get_summary (card), "2 checkpoints"));
  g_assert_false (sp_game_page_get_writing (page));
  g_assert_true (g_file_test (sp_checkpoint_get_ini_path (first), G_FILE_TEST_EXISTS));
  /* Undo, as the toast's button does: the signal, then the toast goes. */
  g_signal_emit_by_name (toast, "button-clicked");
  adw_toast_dismiss (toast);
  ui_test_flush ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.open", NULL));
  g_assert_nonnull (row_for (f, sp_checkpoint_get_id (first)));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row_for (f, sp_checkpoint_get_id (second))));
  g_assert_null (strstr (subtitle, "deleted"));
  g_assert_true (g_file_test (sp_checkpoint_get_archive_path (first), G_FILE_TEST_EXISTS));

  /* Deleting the current checkpoint: its parent is shown as current. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, sp_checkpoint_get_id (second))),
                                             "checkpoint.delete", "s", sp_checkpoint_get_id (second)));
  ui_test_flush ();
  g_assert_true (sp_checkpoint_row_get_current (row_for (f, sp_checkpoint_get_id (first))));
  g_assert_nonnull (strstr (sp_game_card_get_summary (card), "Current: First"));

  /* The toast times out (or is closed): now it is deleted. */
  toast = sp_game_page_get_delete_toast (page);
  adw_toast_dismiss (toast);
  wait_for_writes (f);
  ui_test_flush ();
  g_assert_false (g_file_test (sp_checkpoint_get_ini_path (second), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sp_checkpoint_get_ini_path (first), G_FILE_TEST_EXISTS));
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (first));
}

static gboolean
n_libraries_is (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return g_list_model_get_n_items (sp_library_monitor_get_libraries (f->monitor)) == n &&
         !sp_library_monitor_get_scanning (f->monitor);
}

static void
wait_libraries (Fixture *f,
                guint    n)
{
  gpointer data[2] = { f, GUINT_TO_POINTER (n) };
  ui_test_wait (n_libraries_is, data, 30, "the number of libraries");
}

static void
test_folder_library (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *dir = ui_test_tmpdir ("folder");
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) created = sp_library_create_sync (dir, "Folder Library", &error);
  g_autoptr(SpGame) created_game = NULL;
  g_autoptr(SpLibrary) shown = NULL;
  SpGame *game;

  g_assert_no_error (error);
  created_game = ui_test_add_game (created, "Folder Game");

  /* Registered at run time: it appears with its game. */
  sp_library_monitor_add_folder (f->monitor, dir);
  wait_libraries (f, 2);
  shown = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 1);
  g_assert_cmpstr (sp_library_get_name (shown), ==, "Folder Library");
  game = sp_library_find_game (shown, "Folder Game");
  g_assert_nonnull (game);
  g_assert_nonnull (sp_window_find_card (f->window, game));
  g_assert_cmpstr (sp_window_get_view (f->window), ==, "games");

  /* Gone from the settings (like a drive pulled out): it disappears. */
  sp_library_monitor_remove_folder (f->monitor, dir);
  wait_libraries (f, 1);
  ui_test_flush ();
  g_assert_null (sp_window_find_card (f->window, game));
  g_assert_nonnull (sp_window_find_card (f->window, f->game));

  g_clear_object (&created_game);
  g_clear_object (&created);
  ui_test_remove_tree (dir);
}

static gboolean
run_quiet (const char * const *argv)
{
  int status = 0;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

static void
test_drive (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *mount_point = g_build_filename (g_get_home_dir (), "Games Drive", NULL);
  g_autofree char *tmp = ui_test_tmpdir ("drive");
  g_autofree char *image = g_build_filename (tmp, "drive.img", NULL);
  const char *mkfs_argv[] = { "mkfs.ext2", "-q", "-F", image, NULL };
  const char *mount_argv[] = { "mount", "-o", "loop", image, mount_point, NULL };
  const char *umount_argv[] = { "umount", mount_point, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) shown = NULL;

  /* The "drive": a small ext2 image, loop-mounted in the home folder where
   * GIO's volume monitor shows mounts. */
  g_assert_cmpint (g_mkdir_with_parents (mount_point, 0755), ==, 0);
  {
    g_autoptr(GFile) file = g_file_new_for_path (image);
    g_autoptr(GFileOutputStream) out = g_file_create (file, G_FILE_CREATE_NONE, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_seekable_truncate (G_SEEKABLE (out), 32 * 1024 * 1024, NULL, &error));
    g_assert_no_error (error);
  }
  if (!run_quiet (mkfs_argv) || !run_quiet (mount_argv))
    {
      g_test_skip ("loop-mounting an ext2 image needs root and mkfs.ext2");
      ui_test_remove_tree (tmp);
      return;
    }
  {
    g_autoptr(SpLibrary) created = sp_library_create_sync (mount_point, "Drive Library", &error);
    g_autoptr(SpGame) game = NULL;

    g_assert_no_error (error);
    game = ui_test_add_game (created, "Drive Game");
  }
  g_assert_true (run_quiet (umount_argv));
  wait_libraries (f, 1);

  /* Plugged in: the volume monitor reports it and the grid shows it. */
  g_assert_true (run_quiet (mount_argv));
  wait_libraries (f, 2);
  shown = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 1);
  g_assert_cmpstr (sp_library_get_name (shown), ==, "Drive Library");
  g_assert_cmpstr (sp_library_monitor_get_location (f->monitor, shown), ==, "Games Drive");
  g_assert_nonnull (sp_window_find_card (f->window, sp_library_find_game (shown, "Drive Game")));
  g_clear_object (&shown);

  /* Pulled out: it goes away by itself. */
  g_assert_true (run_quiet (umount_argv));
  wait_libraries (f, 1);
  g_assert_nonnull (sp_window_find_card (f->window, f->game));
  ui_test_remove_tree (tmp);
}

static SpAddGameWindow *find_add_game_window (void);

static void
count_cb (guint *count)
{
  (*count)++;
}

/* Closes the folder chooser a flow opened (GtkFileChooserNative shows a
 * GtkFileChooserDialog where there is no portal, as here). */
static void
close_file_choosers (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i - 1);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window))
        gtk_dialog_response (GTK_DIALOG (window), GTK_RESPONSE_CANCEL);
    }
  ui_test_flush ();
}

static void
test_empty_and_demo (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SpLibrary) demo = NULL;
  g_autofree char *empty_dir = ui_test_tmpdir ("empty");

  /* A library without games: its own empty state. */
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SpLibrary) empty = sp_library_create_sync (empty_dir, "Empty Library", &error);
    g_assert_no_error (error);
  }
  g_setenv ("SAVEPOINT_LIBRARY", empty_dir, TRUE);
  sp_library_monitor_refresh (f->monitor);
  wait_view (f, "no-games");
  g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (f->window), "add-game"));

  /* No library anywhere: the empty state with its next step. */
  g_unsetenv ("SAVEPOINT_LIBRARY");
  sp_library_monitor_refresh (f->monitor);
  wait_libraries (f, 0);
  wait_view (f, "empty");
  g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (f->window), "create-library"));

  /* With the demo allowed, it is made and shown. */
  g_settings_set_boolean (f->settings, "show-demo-library", TRUE);
  wait_libraries (f, 1);
  wait_view (f, "games");
  demo = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 0);
  g_assert_true (sp_library_monitor_is_demo (f->monitor, demo));
  g_assert_nonnull (sp_library_find_game (demo, "Counter Quest"));
  g_assert_nonnull (sp_window_find_card (f->window, sp_library_find_game (demo, "Counter Quest")));

  /* Add Game does not add to the demo (it goes away when a real library
   * appears): it offers to create a library first, with the flow the
   * menu's "Create a Library on a Drive…" starts. */
  {
    GAction *create = g_action_map_lookup_action (G_ACTION_MAP (f->window), "create-library");
    guint created = 0;
    AdwMessageDialog *dialog;

    g_signal_connect_swapped (create, "activate", G_CALLBACK (count_cb), &created);
    g_action_group_activate_action (G_ACTION_GROUP (f->window), "add-game", NULL);
    g_assert_null (find_add_game_window ());
    dialog = ui_test_find_message_dialog (NULL);
    g_assert_nonnull (dialog);
    g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "create");
    ui_test_answer (dialog, "create");
    g_assert_cmpuint (created, ==, 1);
    g_signal_handlers_disconnect_by_data (create, &created);
    close_file_choosers ();
  }
  ui_test_remove_tree (empty_dir);
}

static SpAddGameWindow *
find_add_game_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);
      if (SP_IS_ADD_GAME_WINDOW (window))
        return SP_ADD_GAME_WINDOW (window);
    }
  return NULL;
}

static gboolean
game_added (gpointer data)
{
  Fixture *f = data;

  return sp_library_find_game (f->library, "Added Game") != NULL && find_add_game_window () == NULL;
}

static void
test_add_game (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *tmp = ui_test_tmpdir ("add");
  g_autofree char *source = ui_test_make_game_source (tmp);
  SpAddGameWindow *add;
  SpGame *game;

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "add-game", NULL);
  add = find_add_game_window ();
  g_assert_nonnull (add);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (add), "add-game.add", NULL) &&
                  sp_add_game_window_get_busy (add));

  sp_add_game_window_set_folder (add, source);
  sp_add_game_window_set_executable (add, "game.sh");
  sp_add_game_window_set_name (add, "Added Game");
  sp_add_game_window_set_kind (add, SP_GAME_KIND_NATIVE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (add), "add-game.add", NULL));
  g_assert_true (sp_add_game_window_get_busy (add));
  ui_test_wait (game_added, f, 60, "the game to be added");

  game = sp_library_find_game (f->library, "Added Game");
  g_assert_cmpstr (sp_game_get_executable (game), ==, "game.sh");
  ui_test_flush ();
  g_assert_nonnull (sp_window_find_card (f->window, game));
  /* The source is untouched; the library has its own copy. */
  g_assert_true (g_file_test (source, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *copied = g_build_filename (sp_game_get_base_path (game), "game.sh", NULL);
    g_assert_true (g_file_test (copied, G_FILE_TEST_IS_EXECUTABLE));
  }
  ui_test_remove_tree (tmp);
}

/* A Wine prefix (without Wine: the folders wineboot makes) whose
 * drive_c/users holds @users and Public. */
static char *
make_prefix (const char         *parent,
             const char         *name,
             const char * const *users)
{
  g_autofree char *prefix = g_build_filename (parent, name, NULL);
  g_autofree char *exe = g_build_filename (prefix, "drive_c", "windows", "system32", NULL);
  g_autofree char *exe_file = g_build_filename (exe, "cmd.exe", NULL);
  g_autofree char *public = g_build_filename (prefix, "drive_c", "users", "Public", NULL);

  g_assert_cmpint (g_mkdir_with_parents (exe, 0755), ==, 0);
  g_assert_true (g_file_set_contents (exe_file, "MZ", -1, NULL));
  g_assert_cmpint (g_mkdir_with_parents (public, 0755), ==, 0);
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autofree char *profile = g_build_filename (prefix, "drive_c", "users", users[i],
                                                   "AppData", NULL);
      g_assert_cmpint (g_mkdir_with_parents (profile, 0755), ==, 0);
    }
  return g_steal_pointer (&prefix);
}

static gboolean
widget_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
widget_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static gboolean
wine_game_added (gpointer data)
{
  Fixture *f = data;

  return sp_library_find_game (f->library, "Two Profiles") != NULL &&
         find_add_game_window () == NULL;
}

/* A prefix with two profiles: the window asks which one (and only then),
 * and the game records the one chosen. */
static void
test_add_wine_profile (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *tmp = ui_test_tmpdir ("add-wine");
  const char *two[] = { "alice", "bob", NULL };
  const char *one[] = { "carol", NULL };
  g_autofree char *two_prefix = make_prefix (tmp, "two", two);
  g_autofree char *one_prefix = make_prefix (tmp, "one", one);
  SpAddGameWindow *add;
  GtkWidget *row;
  GListModel *users;
  SpGame *game;

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "add-game", NULL);
  add = find_add_game_window ();
  g_assert_nonnull (add);
  row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (add), SP_TYPE_ADD_GAME_WINDOW,
                                                   "wine_user_row"));
  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_visible (row));

  sp_add_game_window_set_kind (add, SP_GAME_KIND_WINE);
  sp_add_game_window_set_folder (add, two_prefix);
  ui_test_wait (widget_shown, row, 30, "the profile row to be shown");
  users = adw_combo_row_get_model (ADW_COMBO_ROW (row));
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (users), 0), ==, "alice");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (users), 1), ==, "bob");

  /* A native game has no profile to choose. */
  sp_add_game_window_set_kind (add, SP_GAME_KIND_NATIVE);
  g_assert_false (gtk_widget_get_visible (row));
  sp_add_game_window_set_kind (add, SP_GAME_KIND_WINE);
  g_assert_true (gtk_widget_get_visible (row));

  /* One profile: nothing to ask. */
  sp_add_game_window_set_folder (add, one_prefix);
  ui_test_wait (widget_hidden, row, 30, "the profile row to be hidden");

  sp_add_game_window_set_folder (add, two_prefix);
  ui_test_wait (widget_shown, row, 30, "the profile row to be shown again");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 1);
  sp_add_game_window_set_executable (add, "drive_c/windows/system32/cmd.exe");
  sp_add_game_window_set_name (add, "Two Profiles");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (add), "add-game.add", NULL));
  ui_test_wait (wine_game_added, f, 60, "the Wine game to be added");

  game = sp_library_find_game (f->library, "Two Profiles");
  g_assert_cmpint (sp_game_get_kind (game), ==, SP_GAME_KIND_WINE);
  g_assert_cmpstr (sp_game_get_wine_user (game), ==, "bob");
  ui_test_remove_tree (tmp);
}

static gboolean
keep_dialog_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *dialog = sp_window_get_keep_dialog (f->window);

  return dialog != NULL && SP_IS_KEEP_DIALOG (dialog);
}

static gboolean
session_gone (gpointer data)
{
  Fixture *f = data;

  return sp_window_get_session (f->window, f->game) == NULL;
}

static gboolean
has_session (gpointer data)
{
  Fixture *f = data;

  return sp_window_get_session (f->window, f->game) != NULL;
}

static gboolean
head_is_clean (gpointer data)
{
  Fixture *f = data;

  return sp_game_get_head (f->game) == NULL &&
         !sp_game_page_get_writing (sp_window_get_game_page (f->window));
}

static guint
count_trashed (Fixture *f)
{
  g_autoptr(GPtrArray) trashed = sp_run_trash_list (sp_library_get_id (f->library),
                                                    sp_game_get_slug (f->game), NULL);

  g_assert_nonnull (trashed);
  return trashed->len;
}

/* The restored run kept: its checkpoint made and its run folder gone. */
static gboolean
restored_run_kept (gpointer data)
{
  Fixture *f = data;
  g_autofree char *run_dir = sp_run_dir_for (sp_library_get_id (f->library),
                                             sp_game_get_slug (f->game));

  return g_list_model_get_n_items (sp_game_get_checkpoints (f->game)) == 2 &&
         !g_file_test (run_dir, G_FILE_TEST_EXISTS);
}

static SpKeepDialog *
play_until_asked (Fixture *f)
{
  SpSession *session;

  sp_window_play_game (f->window, f->game);
  session = sp_window_get_session (f->window, f->game);
  g_assert_nonnull (session);
  g_test_message ("play_until_asked: state %d, recovered %d", sp_session_get_state (session),
                  sp_session_get_recovered (session));
  ui_test_wait (keep_dialog_shown, f, 120, "the game to end and Keep this run? to be asked");
  if (sp_session_get_error (session) != NULL)
    g_printerr ("# session error: %s\n", sp_session_get_error (session)->message);
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FINISHED);
  g_assert_cmpstr (sp_game_card_get_status (sp_window_find_card (f->window, f->game)), !=, NULL);
  return SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
}

static void
test_play_keep_discard (Fixture       *f,
                        gconstpointer  data)
{
  guint trashed_before;
  GListModel *checkpoints = sp_game_get_checkpoints (f->game);
  SpKeepDialog *dialog;
  g_autoptr(SpCheckpoint) kept = NULL;
  g_autofree char *head = NULL;

  /* Play, keep with a label: a new checkpoint, current, at the top. */
  dialog = play_until_asked (f);
  g_assert_cmpstr (sp_keep_dialog_get_game_name (dialog), ==, "Flow Quest");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "1 file added"));
  sp_keep_dialog_set_label (dialog, "After the first run");
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "keep");
  ui_test_wait (session_gone, f, 120, "the run to be kept");
  g_assert_null (sp_game_card_get_status (sp_window_find_card (f->window, f->game)));

  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 1);
  kept = g_list_model_get_item (checkpoints, 0);
  g_assert_cmpstr (sp_checkpoint_get_label (kept), ==, "After the first run");
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (kept));
  head = head_on_disk (f->game);
  g_assert_cmpstr (head, ==, sp_checkpoint_get_id (kept));
  sp_window_open_game (f->window, f->game);
  g_assert_true (sp_checkpoint_row_get_checkpoint (timeline_row (f, 0)) == kept);
  g_assert_true (sp_checkpoint_row_get_current (timeline_row (f, 0)));
  sp_window_show_games (f->window);

  /* Play, discard (no confirmation asked): nothing new. The summary
   * counts against the clean install, where save.txt is not. */
  dialog = play_until_asked (f);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "1 file added"));
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "discard");
  ui_test_wait (session_gone, f, 120, "the run to be discarded");
  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 1);

  /* Play, decide later: the run waits; playing again asks again; then
   * discard, in one step, with an Undo toast: Undo brings the run back from
   * the trash and asks again; kept, it is a checkpoint. */
  trashed_before = count_trashed (f);
  dialog = play_until_asked (f);
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "later");
  ui_test_flush ();
  g_assert_nonnull (sp_window_get_session (f->window, f->game));
  g_assert_null (sp_window_get_keep_dialog (f->window));
  sp_window_play_game (f->window, f->game);
  dialog = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  g_assert_nonnull (dialog);
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "discard");
  g_assert_null (sp_window_get_keep_dialog (f->window));
  ui_test_wait (session_gone, f, 120, "the run to be moved to the trash");
  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 1);
  {
    AdwToast *undo = sp_trash_ui_get_undo_toast ();

    g_assert_cmpuint (count_trashed (f), ==, trashed_before + 1);
    g_assert_nonnull (undo);
    g_assert_cmpstr (adw_toast_get_button_label (undo), ==, "_Undo");
    g_signal_emit_by_name (undo, "button-clicked");
    g_assert_cmpuint (count_trashed (f), ==, trashed_before);
  }
  /* Back as it was before the discard: not yet kept, on its card. */
  ui_test_wait (has_session, f, 60, "the restored run to be shown");
  g_assert_cmpstr (sp_game_card_get_status (sp_window_find_card (f->window, f->game)), ==, "Not yet kept");
  sp_window_open_game (f->window, f->game);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_get_game_page (f->window)),
                                             "game.keep", NULL));
  g_assert_true (keep_dialog_shown (f));
  dialog = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  sp_keep_dialog_set_label (dialog, "Undone discard");
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "keep");
  ui_test_wait (restored_run_kept, f, 120, "the restored run to be kept");
  ui_test_wait (session_gone, f, 60, "the restored run's session to end");
  g_assert_cmpstr (sp_checkpoint_get_label (sp_game_get_head_checkpoint (f->game)), ==,
                   "Undone discard");

  /* "Play from Here" while a run waits asks Keep It / Move to Trash /
   * Cancel: Cancel changes nothing; Move to Trash discards it (Undo-able)
   * and goes on. */
  dialog = play_until_asked (f);
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "later");
  ui_test_flush ();
  sp_window_open_game (f->window, f->game);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, "")), "checkpoint.play", "s", ""));
  {
    AdwMessageDialog *question = ui_test_find_message_dialog (NULL);

    g_assert_nonnull (question);
    g_assert_true (adw_message_dialog_has_response (question, "keep"));
    ui_test_answer (question, "cancel");
    ui_test_flush ();
    g_assert_nonnull (sp_game_get_head (f->game));
    g_assert_nonnull (sp_window_get_session (f->window, f->game));
    g_assert_false (sp_game_page_get_writing (sp_window_get_game_page (f->window)));
  }

  /* "Play from Here" on the clean install: it becomes current and the game
   * runs from it; this run is kept as a second root of the timeline. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, "")), "checkpoint.play", "s", ""));
  {
    AdwMessageDialog *question = ui_test_find_message_dialog (NULL);

    g_assert_nonnull (question);
    ui_test_answer (question, "trash");
    ui_test_wait (head_is_clean, f, 60, "the run to go to the trash and the clean install to be restored");
    g_assert_cmpuint (count_trashed (f), ==, trashed_before + 1);
  }
  g_assert_null (sp_game_get_head (f->game));
  g_assert_nonnull (sp_window_get_session (f->window, f->game));
  ui_test_wait (keep_dialog_shown, f, 120, "the run from the clean install to end");
  dialog = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  sp_keep_dialog_set_label (dialog, "Fresh start");
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "keep");
  ui_test_wait (session_gone, f, 120, "the run from the clean install to be kept");
  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 3);
  {
    g_autoptr(SpCheckpoint) fresh = g_list_model_get_item (checkpoints, 0);
    g_assert_cmpstr (sp_checkpoint_get_label (fresh), ==, "Fresh start");
    g_assert_null (sp_checkpoint_get_parent (fresh));
    g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (fresh));
    g_assert_true (sp_checkpoint_row_get_current (timeline_row (f, 0)));
  }

  /* Restore with a run waiting, answered Keep It: the run becomes a
   * checkpoint first, then the clean install is restored. */
  sp_window_show_games (f->window);
  dialog = play_until_asked (f);
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "later");
  ui_test_flush ();
  sp_window_open_game (f->window, f->game);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (f, "")), "checkpoint.restore", "s", ""));
  {
    AdwMessageDialog *question = ui_test_find_message_dialog (NULL);

    g_assert_nonnull (question);
    ui_test_answer (question, "keep");
  }
  ui_test_wait (head_is_clean, f, 120, "the run to be kept and the clean install restored");
  ui_test_wait (session_gone, f, 60, "the kept run's session to go");
  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 4);
}

static gboolean
game_running (gpointer data)
{
  Fixture *f = data;
  SpSession *session = sp_window_get_session (f->window, f->game);

  return session != NULL && sp_session_get_state (session) == SP_SESSION_STATE_RUNNING;
}

/* A game that would run for ten minutes. */
static void
make_game_long (Fixture *f)
{
  const char *env[] = { "SP_TEST_PLAY_SECONDS=600", NULL };
  g_autoptr(GError) error = NULL;

  sp_game_set_environment (f->game, env);
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);
}

/* Stop on the card: the whole game ends, then the run is offered; it is
 * discarded. */
static void
stop_on_card_and_discard (Fixture    *f,
                          SpGameCard *card)
{
  SpSession *session;

  g_signal_emit_by_name (card, "stop");
  ui_test_wait (keep_dialog_shown, f, 120, "the stopped game to end");
  session = sp_window_get_session (f->window, f->game);
  g_assert_true (sp_session_get_summary (session)->stopped);
  ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window)), "discard");
  ui_test_wait (session_gone, f, 120, "the run to be discarded");
}

static void
test_play_stop (Fixture       *f,
                gconstpointer  data)
{
  SpGameCard *card;

  /* A long game, its environment set while its page is shown. */
  sp_window_open_game (f->window, f->game);
  make_game_long (f);
  sp_window_show_games (f->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_get_game_page (f->window)), "game.play", NULL));
  ui_test_wait (game_running, f, 60, "the game to run");
  card = sp_window_find_card (f->window, f->game);
  g_assert_nonnull (strstr (sp_game_card_get_status (card), "Running"));

  /* Restoring while it runs is refused with a message; nothing moves. */
  {
    g_autoptr(SpCheckpoint) other = ui_test_add_checkpoint (f->game, "Other", "x\n");
    g_autofree char *head = g_strdup (sp_game_get_head (f->game));
    const char *target = head != NULL ? "" : sp_checkpoint_get_id (other);
    AdwMessageDialog *refusal;

    sp_window_open_game (f->window, f->game);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_get_game_page (f->window)),
                                               "checkpoint.restore", "s", target));
    refusal = ui_test_find_message_dialog (NULL);
    g_assert_nonnull (refusal);
    g_assert_cmpstr (adw_message_dialog_get_heading (refusal), ==, "The Game Is Running");
    ui_test_answer (refusal, "close");
    ui_test_flush ();
    g_assert_false (sp_game_page_get_writing (sp_window_get_game_page (f->window)));
    g_assert_cmpstr (sp_game_get_head (f->game), ==, head);
    sp_window_show_games (f->window);
  }

  stop_on_card_and_discard (f, card);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 1);
}

/* The first widget of type @type under @root whose label (a button's) or
 * title (a row's) is @text, or NULL. */
static GtkWidget *
find_labelled (GtkWidget  *root,
               GType       type,
               const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          const char *label = GTK_IS_BUTTON (child) ? gtk_button_get_label (GTK_BUTTON (child))
            : ADW_IS_PREFERENCES_ROW (child) ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child))
            : NULL;

          if (g_strcmp0 (label, text) == 0)
            return child;
        }
      if ((found = find_labelled (child, type, text)) != NULL)
        return found;
    }
  return NULL;
}

/* Shown to the user: visible, and so are its ancestors. */
static gboolean
shown (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return TRUE;
}

static gboolean
page_says_playing (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = find_labelled (GTK_WIDGET (sp_window_get_game_page (f->window)),
                                  ADW_TYPE_ACTION_ROW, "Running");

  return row != NULL && shown (row) &&
         g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Playing for 00:");
}

static gboolean
page_says_not_kept (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = find_labelled (GTK_WIDGET (sp_window_get_game_page (f->window)),
                                  ADW_TYPE_ACTION_ROW, "Not yet kept");

  return row != NULL && shown (row);
}

/* The game page shows its game's session: running (elapsed time, Stop
 * instead of Play), then, left undecided, "Not yet kept" with Keep… and
 * Discard (one step, to the trash); then Play again. */
static void
test_page_session (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (sp_window_get_game_page (f->window));
  GtkWidget *play, *stop, *keep, *discard;

  sp_window_open_game (f->window, f->game);
  make_game_long (f);
  play = find_labelled (page, GTK_TYPE_BUTTON, "_Play");
  stop = find_labelled (page, GTK_TYPE_BUTTON, "_Stop");
  keep = find_labelled (page, GTK_TYPE_BUTTON, "_Keep…");
  discard = find_labelled (page, GTK_TYPE_BUTTON, "_Discard");
  g_assert_nonnull (play);
  g_assert_nonnull (stop);
  g_assert_nonnull (keep);
  g_assert_nonnull (discard);
  g_assert_true (shown (play));
  g_assert_false (shown (stop));
  g_assert_false (shown (keep));

  g_assert_true (gtk_widget_activate_action (page, "game.play", NULL));
  ui_test_wait (game_running, f, 60, "the game to run");
  /* The clock ticks on the page (each second: the second tick is waited
   * for, not timed). */
  ui_test_wait (page_says_playing, f, 30, "the page to show the running game");
  g_assert_true (shown (stop));
  g_assert_false (shown (play));
  g_assert_false (shown (discard));

  /* Stop on the page; the run is left undecided ("Decide Later"). */
  g_assert_true (gtk_widget_activate_action (page, "game.stop", NULL));
  ui_test_wait (keep_dialog_shown, f, 120, "the stopped game to end");
  ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window)), "later");
  ui_test_flush ();
  ui_test_wait (page_says_not_kept, f, 30, "the page to show the run not yet kept");
  g_assert_true (shown (keep));
  g_assert_true (shown (discard));
  g_assert_false (shown (stop));
  g_assert_false (shown (play));
  /* Calm, not an error. */
  g_assert_false (gtk_widget_has_css_class (find_labelled (page, ADW_TYPE_ACTION_ROW, "Not yet kept"),
                                            "error"));

  /* Keep… asks for a label (the keep dialog); left undecided again. */
  g_assert_true (gtk_widget_activate_action (page, "game.keep", NULL));
  g_assert_true (keep_dialog_shown (f));
  ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window)), "later");
  ui_test_flush ();

  /* Discard: one step, no question. */
  g_assert_true (gtk_widget_activate_action (page, "game.discard", NULL));
  g_assert_null (ui_test_find_message_dialog (NULL));
  ui_test_wait (session_gone, f, 120, "the run to be discarded");
  ui_test_flush ();
  g_assert_true (shown (play));
  g_assert_false (shown (keep));
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 0);
}

static gboolean
failed_dialog_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *dialog = sp_window_get_keep_dialog (f->window);

  return dialog != NULL && ADW_IS_MESSAGE_DIALOG (dialog) && !SP_IS_KEEP_DIALOG (dialog);
}

/* The text of the GtkTextView in @widget's tree, or NULL. */
static char *
find_text_view_text (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      char *text = find_text_view_text (child);

      if (text != NULL)
        return text;
    }
  return NULL;
}

/* A game that fails (sleep refuses its argument, exit 1) after saving:
 * "The Game Quit Unexpectedly" with the status, Show Log brings the log's
 * last lines, and the run can still be kept or discarded. */
static void
test_game_failed (Fixture       *f,
                  gconstpointer  data)
{
  const char *env[] = { "SP_TEST_PLAY_SECONDS=soon", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  AdwMessageDialog *dialog;

  sp_game_set_environment (f->game, env);
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  sp_window_play_game (f->window, f->game);
  ui_test_wait (failed_dialog_shown, f, 120, "the game to fail and be reported");
  dialog = ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Game Quit Unexpectedly");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "exited with status 1"));
  g_assert_true (adw_message_dialog_has_response (dialog, "log"));
  g_assert_true (adw_message_dialog_has_response (dialog, "keep"));
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  g_assert_null (adw_message_dialog_get_extra_child (dialog));

  ui_test_answer (dialog, "log");
  g_assert_true (failed_dialog_shown (f));
  dialog = ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window));
  g_assert_false (adw_message_dialog_has_response (dialog, "log"));
  log = find_text_view_text (adw_message_dialog_get_extra_child (dialog));
  g_assert_nonnull (log);
  g_assert_nonnull (strstr (log, "invalid time interval"));

  /* Clicking the card asks again, the same way. */
  gtk_window_destroy (GTK_WINDOW (dialog));
  sp_window_play_game (f->window, f->game);
  g_assert_true (failed_dialog_shown (f));
  ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window)), "discard");
  ui_test_wait (session_gone, f, 120, "the failed run to be discarded");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 0);
}

/* A game of @f's library that runs @script (no Home: it writes nothing
 * unless the script does). */
static SpGame *
add_script_game (Fixture    *f,
                 const char *name,
                 const char *script)
{
  g_autofree char *tmp = ui_test_tmpdir ("script-source");
  g_autofree char *path = g_build_filename (tmp, "run.sh", NULL);
  g_autoptr(GError) error = NULL;
  SpGameInfo info = { 0 };
  SpGame *game;

  g_assert_true (g_file_set_contents (path, script, -1, &error));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  info.name = name;
  info.kind = SP_GAME_KIND_NATIVE;
  info.executable = "run.sh";
  game = sp_library_add_game_sync (f->library, &info, tmp, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  ui_test_remove_tree (tmp);
  return game;
}

typedef struct
{
  Fixture *f;
  SpGame  *game;
} GameWait;

static gboolean
game_session_gone (gpointer data)
{
  GameWait *w = data;

  return sp_window_get_session (w->f->window, w->game) == NULL;
}

/* A run that changed nothing is not offered: a failed game still says how
 * it ended, with Show Log and Close only; a game that ended well is not
 * asked about at all. Both runs are gone. */
static void
test_game_changed_nothing (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SpGame) failing = add_script_game (f, "Broken Start",
                                               "#!/bin/sh\necho 'wine: the prefix is not owned by you' >&2\nexit 127\n");
  g_autoptr(SpGame) idle = add_script_game (f, "Idle Visit", "#!/bin/sh\nexit 0\n");
  g_autoptr(GPtrArray) runs = NULL;
  GameWait wait = { f, failing };
  AdwMessageDialog *dialog;

  sp_window_play_game (f->window, failing);
  ui_test_wait (failed_dialog_shown, f, 120, "the game to fail and be reported");
  dialog = ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "exited with status 127"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "nothing to keep"));
  g_assert_true (adw_message_dialog_has_response (dialog, "log"));
  g_assert_true (adw_message_dialog_has_response (dialog, "close"));
  g_assert_false (adw_message_dialog_has_response (dialog, "keep"));
  g_assert_false (adw_message_dialog_has_response (dialog, "discard"));
  ui_test_wait (game_session_gone, &wait, 120, "the run that changed nothing to be discarded");
  ui_test_answer (dialog, "log");
  dialog = ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (f->window));
  {
    g_autofree char *log = find_text_view_text (adw_message_dialog_get_extra_child (dialog));

    g_assert_nonnull (strstr (log, "is not owned by you"));
  }
  ui_test_answer (dialog, "close");

  wait.game = idle;
  sp_window_play_game (f->window, idle);
  ui_test_wait (game_session_gone, &wait, 120, "the idle run to end and be discarded");
  g_assert_null (sp_window_get_keep_dialog (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (idle)), ==, 0);
  {
    /* It did run to its end: its log is kept. */
    g_autoptr(GPtrArray) logs = sp_run_logs_list (sp_library_get_id (f->library),
                                                  sp_game_get_slug (idle), NULL);

    g_assert_cmpuint (logs->len, ==, 1);
  }

  runs = sp_run_list (sp_library_get_id (f->library), NULL);
  g_assert_cmpuint (runs->len, ==, 0);
}

static gboolean
checkpoint_count_is_one (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (sp_game_get_checkpoints (f->game)) == 1 &&
         sp_window_get_keep_dialog (f->window) == NULL;
}

/* A shown label styled as an error under @root. */
static gboolean
has_shown_error_label (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child) &&
          gtk_widget_has_css_class (child, "error"))
        return TRUE;
      if (gtk_widget_get_visible (child) && has_shown_error_label (child))
        return TRUE;
    }
  return FALSE;
}

static void
test_recover_later (Fixture       *f,
                    gconstpointer  data)
{
  SpKeepDialog *dialog;
  g_autoptr(SpCheckpoint) kept = NULL;

  /* "Decide Later", then the app goes away. */
  dialog = play_until_asked (f);
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "later");
  ui_test_flush ();
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->player);
  g_clear_object (&f->monitor);
  ui_test_flush ();

  /* The next start shows the run on its card and page, calmly: "Not yet
   * kept", with its date as the locale writes it (never ctime's "Wed Dec
   * 2 …"), no dialog, no red error text. Keep… asks for a label. */
  open_window (f);
  wait_view (f, "games");
  f->library = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 0);
  f->game = g_object_ref (sp_library_find_game (f->library, "Flow Quest"));
  ui_test_wait (has_session, f, 60, "the undecided run to be shown");
  ui_test_flush ();
  g_assert_null (sp_window_get_keep_dialog (f->window));
  g_assert_null (ui_test_find_message_dialog (NULL));
  g_assert_cmpstr (sp_game_card_get_status (sp_window_find_card (f->window, f->game)), ==, "Not yet kept");
  sp_window_open_game (f->window, f->game);
  ui_test_wait (page_says_not_kept, f, 30, "the page to show the run not yet kept");
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *weekday = g_date_time_format (now, "%a ");
    GtkWidget *row = find_labelled (GTK_WIDGET (sp_window_get_game_page (f->window)),
                                    ADW_TYPE_ACTION_ROW, "Not yet kept");
    const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

    g_test_message ("page: %s", subtitle);
    g_assert_true (g_str_has_prefix (subtitle, "A run from "));
    g_assert_null (strstr (subtitle, weekday));
    g_assert_false (gtk_widget_has_css_class (row, "error"));
    g_assert_false (has_shown_error_label (GTK_WIDGET (f->window)));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sp_window_get_game_page (f->window)),
                                             "game.keep", NULL));
  g_assert_true (keep_dialog_shown (f));
  dialog = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  g_assert_cmpstr (sp_keep_dialog_get_game_name (dialog), ==, "Flow Quest");
  sp_keep_dialog_set_label (dialog, "Recovered");
  ui_test_answer (ADW_MESSAGE_DIALOG (dialog), "keep");
  ui_test_wait (checkpoint_count_is_one, f, 120, "the recovered run to be kept");
  kept = g_list_model_get_item (sp_game_get_checkpoints (f->game), 0);
  g_assert_cmpstr (sp_checkpoint_get_label (kept), ==, "Recovered");
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (kept));
}

/* The sessions belong to the application's SpPlayer, not to the window:
 * closed while the game runs, the next window shows the game running, stops
 * it and asks "Keep this run?". */
static void
test_session_outlives_window (Fixture       *f,
                              gconstpointer  data)
{
  SpSession *session;
  SpGameCard *card;

  make_game_long (f);
  sp_window_play_game (f->window, f->game);
  ui_test_wait (game_running, f, 60, "the game to run");
  session = sp_player_get_session (f->player, f->game);
  g_assert_nonnull (session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->player)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  ui_test_flush ();
  g_assert_true (sp_player_get_session (f->player, f->game) == session);
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_RUNNING);

  f->window = sp_window_new (NULL, f->settings, f->monitor, f->player);
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_view (f, "games");
  g_assert_true (sp_window_get_session (f->window, f->game) == session);
  card = sp_window_find_card (f->window, f->game);
  g_assert_nonnull (strstr (sp_game_card_get_status (card), "Running"));

  stop_on_card_and_discard (f, card);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->player)), ==, 0);
  g_assert_null (sp_game_card_get_status (card));
}

/* ---- A drive's loader variables are asked for ---- */

static gboolean
message_dialog_shown (gpointer data)
{
  return ui_test_find_message_dialog (NULL) != NULL;
}

/* Before the fix the game's LD_LIBRARY_PATH was used without a word. Now:
 * asked; Cancel starts nothing; Play Without Them plays; Always Allow
 * remembers it in approved-environment, and the next Play asks no more. */
static void
test_play_asks_for_loader_variables (Fixture       *f,
                                     gconstpointer  data)
{
  const char *environment[] = { "LD_LIBRARY_PATH=/from-drive", NULL };
  g_auto(GStrv) approved = NULL;
  AdwMessageDialog *dialog;
  SpKeepDialog *keep;

  g_settings_set_strv (f->settings, "approved-environment", NULL);
  sp_game_set_environment (f->game, environment);

  sp_window_play_game (f->window, f->game);
  ui_test_wait (message_dialog_shown, NULL, 10, "the loader variables to be asked for");
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "LD_LIBRARY_PATH=/from-drive"));
  ui_test_answer (dialog, "cancel");
  ui_test_flush ();
  g_assert_null (sp_window_get_session (f->window, f->game));

  sp_window_play_game (f->window, f->game);
  ui_test_wait (message_dialog_shown, NULL, 10, "the loader variables to be asked for again");
  ui_test_answer (ui_test_find_message_dialog (NULL), "default");
  g_assert_nonnull (sp_window_get_session (f->window, f->game));
  ui_test_wait (keep_dialog_shown, f, 120, "the game to end");
  keep = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  ui_test_answer (ADW_MESSAGE_DIALOG (keep), "discard");
  ui_test_wait (session_gone, f, 120, "the run to be discarded");
  approved = g_settings_get_strv (f->settings, "approved-environment");
  g_assert_cmpuint (g_strv_length (approved), ==, 0);
  g_clear_pointer (&approved, g_strfreev);

  sp_window_play_game (f->window, f->game);
  ui_test_wait (message_dialog_shown, NULL, 10, "the loader variables to be asked for a third time");
  ui_test_answer (ui_test_find_message_dialog (NULL), "always");
  approved = g_settings_get_strv (f->settings, "approved-environment");
  g_assert_true (g_strv_contains ((const char * const *) approved, "LD_LIBRARY_PATH=/from-drive"));
  ui_test_wait (keep_dialog_shown, f, 120, "the game to end");
  keep = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  ui_test_answer (ADW_MESSAGE_DIALOG (keep), "discard");
  ui_test_wait (session_gone, f, 120, "the run to be discarded");

  /* Approved: played without a question. */
  sp_window_play_game (f->window, f->game);
  g_assert_nonnull (sp_window_get_session (f->window, f->game));
  ui_test_wait (keep_dialog_shown, f, 120, "the approved game to end");
  keep = SP_KEEP_DIALOG (sp_window_get_keep_dialog (f->window));
  ui_test_answer (ADW_MESSAGE_DIALOG (keep), "discard");
  ui_test_wait (session_gone, f, 120, "the run to be discarded");
  g_settings_reset (f->settings, "approved-environment");
}

/* ---- Verify's findings on the game page ---- */

static gboolean
has_problems (gpointer data)
{
  Fixture *f = data;

  return sp_game_page_get_n_problems (sp_window_get_game_page (f->window)) > 0;
}

static void
test_verify_findings (Fixture       *f,
                      gconstpointer  data)
{
  SpGameCard *card = sp_window_find_card (f->window, f->game);
  SpGamePage *page = sp_window_get_game_page (f->window);
  g_autofree char *dir = g_build_filename (sp_game_get_path (f->game), "checkpoints", NULL);
  g_autofree char *orphan = g_build_filename (dir, "20200101T000000-abcdef.tar.zst", NULL);
  g_autofree char *partial = g_build_filename (dir, "20200101T000000-fedcba.tar.zst.partial",
                                               NULL);
  gboolean saw_orphan = FALSE, saw_partial = FALSE;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (card), "card.open", NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (orphan, "not really an archive", -1, NULL));
  g_assert_true (g_file_set_contents (partial, "half", -1, NULL));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "game.verify", NULL));
  ui_test_wait (has_problems, f, 60, "verify's findings on the game page");
  g_assert_cmpuint (sp_game_page_get_n_problems (page), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = sp_game_page_dup_problem (page, i);

      saw_orphan |= strstr (text, orphan) != NULL;
      saw_partial |= strstr (text, partial) != NULL;
    }
  g_assert_true (saw_orphan);
  g_assert_true (saw_partial);
}

static gboolean
n_refused_is (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return g_list_model_get_n_items (sp_library_monitor_get_refused (f->monitor)) == n &&
         !sp_library_monitor_get_scanning (f->monitor);
}

/* A library that is refused (bad Id, a FIFO library.ini) still shows, as a
 * row with its error; once it is fixed, the next scan opens it. */
static void
test_refused_library (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *evil = ui_test_tmpdir ("evil");
  g_autofree char *fifo = ui_test_tmpdir ("fifo");
  g_autofree char *evil_ini = g_build_filename (evil, "Savepoint", "library.ini", NULL);
  g_autofree char *fifo_dir = g_build_filename (fifo, "Savepoint", NULL);
  g_autofree char *fifo_ini = g_build_filename (fifo_dir, "library.ini", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s:3:", evil_ini);
  g_auto(GStrv) messages = NULL;
  gpointer wait_two[2] = { f, GUINT_TO_POINTER (2) };
  gpointer wait_one[2] = { f, GUINT_TO_POINTER (1) };

  alarm (120);   /* a FIFO library.ini must not block the scan */
  g_assert_cmpint (g_mkdir_with_parents (fifo_dir, 0755), ==, 0);
  g_assert_cmpint (mkfifo (fifo_ini, 0644), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (evil, 0755), ==, 0);
  {
    g_autofree char *dir = g_path_get_dirname (evil_ini);
    g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
    g_assert_true (g_file_set_contents (evil_ini, "[Library]\nVersion=1\nId=../../../..\n", -1, NULL));
  }
  sp_library_monitor_add_folder (f->monitor, evil);
  sp_library_monitor_add_folder (f->monitor, fifo);
  ui_test_wait (n_refused_is, wait_two, 30, "two refused libraries");
  ui_test_flush ();

  /* The good library is still there; the two refused ones are rows. */
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_monitor_get_libraries (f->monitor)), ==, 1);
  g_assert_cmpstr (sp_window_get_view (f->window), ==, "games");
  messages = sp_window_get_refused_messages (f->window);
  g_assert_cmpuint (g_strv_length (messages), ==, 2);
  if (!g_str_has_prefix (messages[0], prefix))
    g_error ("expected “%s…”, got “%s”", prefix, messages[0]);
  g_assert_nonnull (strstr (messages[1], fifo_ini));
  g_assert_nonnull (strstr (messages[1], "FIFO"));
  g_clear_pointer (&messages, g_strfreev);

  /* Fixed: the row goes, the library opens. */
  g_assert_true (g_file_set_contents (evil_ini, "[Library]\nVersion=1\n"
                                      "Id=3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13\nName=Fixed\n",
                                      -1, NULL));
  sp_library_monitor_refresh (f->monitor);
  ui_test_wait (n_refused_is, wait_one, 30, "one refused library");
  ui_test_flush ();
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_monitor_get_libraries (f->monitor)), ==, 2);
  messages = sp_window_get_refused_messages (f->window);
  g_assert_cmpuint (g_strv_length (messages), ==, 1);
  g_assert_nonnull (strstr (messages[0], "FIFO"));
  alarm (0);

  sp_library_monitor_remove_folder (f->monitor, evil);
  sp_library_monitor_remove_folder (f->monitor, fifo);
  ui_test_wait (n_refused_is, (gpointer[]) { f, GUINT_TO_POINTER (0) }, 30, "no refused library");
  ui_test_remove_tree (evil);
  ui_test_remove_tree (fifo);
}

/* What a library leaves out (here a game folder not named like a slug,
 * which made the run folder's path) is shown in its section. */
static void
test_library_problems (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *dir = ui_test_tmpdir ("problems");
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) created = sp_library_create_sync (dir, "Problem Library", &error);
  g_autoptr(SpLibrary) shown = NULL;
  g_autofree char *bad = NULL;
  g_auto(GStrv) problems = NULL;

  g_assert_no_error (error);
  bad = g_build_filename (sp_library_get_games_path (created), "Documents", NULL);
  g_assert_cmpint (g_mkdir_with_parents (bad, 0755), ==, 0);
  {
    g_autofree char *ini = g_build_filename (bad, "game.ini", NULL);
    g_assert_true (g_file_set_contents (ini, "[Game]\nName=Documents\n", -1, NULL));
  }

  sp_library_monitor_add_folder (f->monitor, dir);
  wait_libraries (f, 2);
  ui_test_flush ();
  shown = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 1);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (shown)), ==, 0);
  problems = sp_window_get_library_problems (f->window, shown);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_nonnull (strstr (problems[0], bad));
  g_clear_pointer (&problems, g_strfreev);
  problems = sp_window_get_library_problems (f->window, f->library);
  g_assert_cmpuint (g_strv_length (problems), ==, 0);

  sp_library_monitor_remove_folder (f->monitor, dir);
  wait_libraries (f, 1);
  g_clear_object (&shown);
  g_clear_object (&created);
  ui_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/flows/grid-and-timeline", Fixture, NULL, fixture_setup, test_grid_and_timeline, fixture_teardown);
  g_test_add ("/ui/flows/grid-columns", Fixture, NULL, fixture_setup, test_grid_columns, fixture_teardown);
  g_test_add ("/ui/flows/delete-undo", Fixture, NULL, fixture_setup, test_delete_undo, fixture_teardown);
  g_test_add ("/ui/flows/folder-library", Fixture, NULL, fixture_setup, test_folder_library, fixture_teardown);
  g_test_add ("/ui/flows/drive", Fixture, NULL, fixture_setup, test_drive, fixture_teardown);
  g_test_add ("/ui/flows/empty-and-demo", Fixture, NULL, fixture_setup, test_empty_and_demo, fixture_teardown);
  g_test_add ("/ui/flows/add-game", Fixture, NULL, fixture_setup, test_add_game, fixture_teardown);
  g_test_add ("/ui/flows/add-wine-profile", Fixture, NULL, fixture_setup, test_add_wine_profile,
              fixture_teardown);
  g_test_add ("/ui/flows/play-keep-discard", Fixture, NULL, fixture_setup, test_play_keep_discard, fixture_teardown);

  g_test_add ("/ui/flows/play-stop", Fixture, NULL, fixture_setup, test_play_stop, fixture_teardown);
  g_test_add ("/ui/flows/page-session", Fixture, NULL, fixture_setup, test_page_session, fixture_teardown);
  g_test_add ("/ui/flows/game-failed", Fixture, NULL, fixture_setup, test_game_failed, fixture_teardown);
  g_test_add ("/ui/flows/game-changed-nothing", Fixture, NULL, fixture_setup, test_game_changed_nothing,
              fixture_teardown);
  g_test_add ("/ui/flows/recover-later", Fixture, NULL, fixture_setup, test_recover_later, fixture_teardown);
  g_test_add ("/ui/flows/session-outlives-window", Fixture, NULL, fixture_setup,
              test_session_outlives_window, fixture_teardown);
  g_test_add ("/ui/flows/play-asks-for-loader-variables", Fixture, NULL, fixture_setup,
              test_play_asks_for_loader_variables, fixture_teardown);

  g_test_add ("/ui/flows/verify-findings", Fixture, NULL, fixture_setup, test_verify_findings, fixture_teardown);

  g_test_add ("/ui/flows/refused-library", Fixture, NULL, fixture_setup, test_refused_library, fixture_teardown);
  g_test_add ("/ui/flows/library-problems", Fixture, NULL, fixture_setup, test_library_problems, fixture_teardown);
  return ui_test_run ();
}
