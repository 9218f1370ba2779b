/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pin toggle of a checkpoint row and the retention rows of Game
 * Settings, over a real library in a temporary folder. */
#include "config.h"

#include "core/sp-drive-trash.h"
#include "core/sp-retention.h"
#include "sp-checkpoint-row.h"
#include "sp-free-space-window.h"
#include "sp-game-page.h"
#include "sp-game-settings.h"
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

  f->dir = ui_test_tmpdir ("retention");
  f->library = sp_library_create_sync (f->dir, "Test Library", &error);
  g_assert_no_error (error);
  f->game = ui_test_add_game (f->library, "Pin Quest");
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

static gboolean
page_idle (gpointer data)
{
  return !sp_game_page_get_writing (data);
}

static gboolean
settings_saved (gpointer data)
{
  return !sp_game_settings_get_saving (data);
}

/* The label of the row's menu item for "checkpoint.pin", or NULL. */
static char *
pin_item_label (SpCheckpointRow *row)
{
  GMenuModel *menu = sp_checkpoint_row_get_menu (row);

  for (int s = 0; s < g_menu_model_get_n_items (menu); s++)
    {
      GMenuModel *section = g_menu_model_get_item_link (menu, s, G_MENU_LINK_SECTION);

      for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *action = NULL;
          g_autofree char *label = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
          if (g_strcmp0 (action, "checkpoint.pin") == 0)
            {
              g_object_unref (section);
              return g_steal_pointer (&label);
            }
        }
      g_clear_object (&section);
    }
  return NULL;
}

static GtkWidget *
find_pin_image (GtkWidget *widget)
{
  if (GTK_IS_IMAGE (widget) && g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)),
                                           "view-pin-symbolic") == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_pin_image (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Pin from the row's menu: written to the drive, the row shows a pin and
 * offers Unpin; Unpin undoes both. */
static void
test_pin_toggle (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SpCheckpoint) checkpoint = ui_test_add_checkpoint (f->game, "Pin me", "1\n");
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = sp_game_page_new ();
  SpCheckpointRow *row;
  GtkWidget *pin;
  g_autofree char *label = NULL;

  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  row = SP_CHECKPOINT_ROW (gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 0));
  g_assert_true (sp_checkpoint_row_get_checkpoint (row) == checkpoint);
  pin = find_pin_image (GTK_WIDGET (row));
  g_assert_nonnull (pin);
  g_assert_false (gtk_widget_get_visible (pin));
  label = pin_item_label (row);
  g_assert_cmpstr (label, ==, "_Pin");
  /* The clean install row offers no pin. */
  {
    SpCheckpointRow *clean = SP_CHECKPOINT_ROW (gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 1));
    g_autofree char *none = pin_item_label (clean);
    g_assert_null (none);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "checkpoint.pin", "s",
                                             sp_checkpoint_get_id (checkpoint)));
  g_assert_true (sp_game_page_get_writing (SP_GAME_PAGE (page)));
  ui_test_wait (page_idle, page, 60, "the pin to be written");
  {
    g_autoptr(SpCheckpoint) fresh = sp_checkpoint_load (sp_checkpoint_get_ini_path (checkpoint), &error);
    g_assert_no_error (error);
    g_assert_true (sp_checkpoint_get_pinned (fresh));
  }
  g_assert_true (gtk_widget_get_visible (pin));
  g_clear_pointer (&label, g_free);
  label = pin_item_label (row);
  g_assert_cmpstr (label, ==, "_Unpin");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "checkpoint.pin", "s",
                                             sp_checkpoint_get_id (checkpoint)));
  ui_test_wait (page_idle, page, 60, "the pin to be removed");
  {
    g_autoptr(SpCheckpoint) fresh = sp_checkpoint_load (sp_checkpoint_get_ini_path (checkpoint), &error);
    g_assert_no_error (error);
    g_assert_false (sp_checkpoint_get_pinned (fresh));
  }
  g_assert_false (gtk_widget_get_visible (pin));

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

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

/* The three rows write game.ini's [Retention]; a bad value is refused and
 * nothing is written. */
static void
test_retention_rows (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *settings = sp_game_settings_new ();
  GtkWidget *keep_last, *keep_daily, *max_size;
  g_autoptr(GError) error = NULL;
  SpRetention r;

  sp_game_settings_set_game (SP_GAME_SETTINGS (settings), f->game);
  gtk_window_set_child (GTK_WINDOW (window), settings);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  keep_last = find_entry_row (settings, "Keep the Newest (Checkpoints)");
  keep_daily = find_entry_row (settings, "Keep One a Day (Days)");
  max_size = find_entry_row (settings, "Largest Total Size (GB)");
  g_assert_nonnull (keep_last);
  g_assert_nonnull (keep_daily);
  g_assert_nonnull (max_size);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (keep_last)), ==, "");

  gtk_editable_set_text (GTK_EDITABLE (keep_last), "5");
  g_signal_emit_by_name (keep_last, "apply");
  g_assert_true (sp_game_settings_get_saving (SP_GAME_SETTINGS (settings)));
  ui_test_wait (settings_saved, settings, 30, "the settings to be saved");
  gtk_editable_set_text (GTK_EDITABLE (max_size), "2.5");
  g_signal_emit_by_name (max_size, "apply");
  ui_test_wait (settings_saved, settings, 30, "the settings to be saved");

  /* A bad value: an error dialog, nothing saved, the row shows the value
   * that is on the drive. */
  gtk_editable_set_text (GTK_EDITABLE (keep_daily), "-3");
  g_signal_emit_by_name (keep_daily, "apply");
  g_assert_false (sp_game_settings_get_saving (SP_GAME_SETTINGS (settings)));
  {
    AdwMessageDialog *dialog = ui_test_find_message_dialog (NULL);

    g_assert_nonnull (dialog);
    ui_test_answer (dialog, "close");
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (keep_daily)), ==, "");

  g_assert_true (sp_game_reload (f->game, &error));
  g_assert_no_error (error);
  g_assert_true (sp_retention_load (f->game, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.has_keep_last && r.keep_last == 5);
  g_assert_false (r.has_keep_daily);
  g_assert_true (r.has_max_size && r.max_size == 2500000000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (max_size)), ==, "2.5");

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

static gboolean
window_idle (gpointer data)
{
  return !sp_free_space_window_get_busy (data);
}

/* Free Up Space: sizes measured from the drive, the biggest checkpoints
 * with their pins, and Empty Trash removing the game's trash entries. */
static void
test_free_space (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SpCheckpoint) a = ui_test_add_checkpoint (f->game, "Small", "1\n");
  g_autoptr(SpCheckpoint) b = ui_test_add_checkpoint (f->game, "Pinned one", "22\n");
  g_autoptr(SpCheckpoint) c = ui_test_add_checkpoint (f->game, "Newest", "333\n");
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *trash = NULL;
  GtkWidget *window;
  AdwMessageDialog *dialog;

  g_assert_true (sp_game_set_checkpoint_pinned_sync (f->game, sp_checkpoint_get_id (b), TRUE, &error));
  g_assert_true (sp_retention_set_game_value (f->game, "KeepLast", "1", &error));
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 1);

  window = sp_free_space_window_new (NULL, f->game);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (window_idle, window, 60, "the drive to be measured");
  text = sp_free_space_window_describe (SP_FREE_SPACE_WINDOW (window));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Checkpoints\n"));
  g_assert_nonnull (strstr (text, "in 2 checkpoints\n"));
  g_assert_nonnull (strstr (text, "in 1 checkpoint removed by retention\n"));
  g_assert_nonnull (strstr (text, "Pinned one\n"));
  g_assert_nonnull (strstr (text, "Newest\n"));
  g_assert_null (strstr (text, "Small\n"));

  g_assert_true (gtk_widget_activate_action (window, "free-space.empty-trash", NULL));
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  ui_test_answer (dialog, "empty");
  ui_test_wait (window_idle, window, 60, "the trash to be emptied and measured");
  g_clear_pointer (&text, g_free);
  text = sp_free_space_window_describe (SP_FREE_SPACE_WINDOW (window));
  g_assert_nonnull (strstr (text, "Drive Trash\nEmpty\n"));
  trash = g_build_filename (sp_library_get_path (f->library), "trash", NULL);
  {
    g_autoptr(GPtrArray) left = sp_drive_trash_list (sp_library_get_path (f->library), NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (left->len, ==, 0);
  }

  {
    gpointer weak = window;

    g_object_add_weak_pointer (G_OBJECT (window), &weak);
    gtk_window_destroy (GTK_WINDOW (window));
    ui_test_flush ();
    g_assert_null (weak);
  }
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/retention/pin-toggle", Fixture, NULL, fixture_setup, test_pin_toggle, fixture_teardown);
  g_test_add ("/ui/retention/rows", Fixture, NULL, fixture_setup, test_retention_rows, fixture_teardown);
  g_test_add ("/ui/retention/free-space", Fixture, NULL, fixture_setup, test_free_space, fixture_teardown);

  return ui_test_run ();
}
