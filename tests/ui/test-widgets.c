/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Create-and-destroy tests for every templated widget: a bad .ui template,
 * a missing template child or a leaked reference fails here. */
#include "config.h"

#include "play/sp-play.h"

#include "sp-add-game-window.h"
#include "sp-application.h"
#include "sp-checkpoint-details.h"
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

static gboolean
card_tinted (gpointer data)
{
  return sp_game_card_get_tint (data, NULL);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The icon is shown whole (not cropped to fill), on a banner of its own
 * average colour: here a red square on a transparent ground. */
static void
test_game_card_icon (Fixture       *f,
                     gconstpointer  data)
{
  const int size = 96;
  g_autofree guchar *pixels = g_malloc0 (size * size * 4);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (sp_game_get_base_path (f->game), "icon.png", NULL);
  GtkWidget *card;
  GtkWidget *window = gtk_window_new ();
  GdkRGBA tint;

  /* R8G8B8A8: the middle third opaque red, the rest transparent. */
  for (int y = size / 3; y < 2 * size / 3; y++)
    for (int x = size / 3; x < 2 * size / 3; x++)
      {
        guchar *p = pixels + (y * size + x) * 4;
        p[0] = 0xe0; p[1] = 0x1b; p[2] = 0x24; p[3] = 0xff;
      }
  bytes = g_bytes_new (pixels, size * size * 4);
  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8A8, bytes, size * 4);
  g_assert_true (gdk_texture_save_to_png (texture, path));

  g_assert_true (sp_game_card_average_color (texture, &tint));
  g_assert_cmpfloat_with_epsilon (tint.red, 0xe0 / 255.0, 0.01);
  g_assert_cmpfloat_with_epsilon (tint.green, 0x1b / 255.0, 0.01);
  g_assert_cmpfloat_with_epsilon (tint.blue, 0x24 / 255.0, 0.01);

  /* Nothing visible, or too large to copy for a colour: no tint. */
  {
    g_autoptr(GBytes) clear = g_bytes_new_take (g_malloc0 (16 * 16 * 4), 16 * 16 * 4);
    g_autoptr(GBytes) wide = g_bytes_new_take (g_malloc0 (4096 * 4), 4096 * 4);
    g_autoptr(GdkTexture) clear_texture = gdk_memory_texture_new (16, 16, GDK_MEMORY_R8G8B8A8, clear, 16 * 4);
    g_autoptr(GdkTexture) wide_texture = gdk_memory_texture_new (4096, 1, GDK_MEMORY_R8G8B8A8, wide, 4096 * 4);
    GdkRGBA unused;

    g_assert_false (sp_game_card_average_color (clear_texture, &unused));
    g_assert_false (sp_game_card_average_color (wide_texture, &unused));
  }

  sp_game_set_icon (f->game, "icon.png");
  card = sp_game_card_new (f->game);
  gtk_window_set_child (GTK_WINDOW (window), card);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (card_tinted, card, 30, "the card's icon");
  g_assert_true (sp_game_card_get_tint (SP_GAME_CARD (card), &tint));
  g_assert_cmpfloat_with_epsilon (tint.red, 0xe0 / 255.0, 0.01);
  /* Whole: an image of the icon (aspect kept), made to fit the banner. */
  {
    /* (the first image: the banner comes before the buttons) */
    GtkWidget *image = find_widget (card, GTK_TYPE_IMAGE);

    g_assert_nonnull (image);
    g_assert_cmpint (gtk_image_get_storage_type (GTK_IMAGE (image)), ==, GTK_IMAGE_PAINTABLE);
    g_assert_cmpint (gtk_image_get_pixel_size (GTK_IMAGE (image)), ==, 88);
    g_assert_null (find_widget (card, GTK_TYPE_PICTURE));
  }

  /* Without an icon: the initials tile, no tint. */
  sp_game_set_icon (f->game, NULL);
  g_assert_false (sp_game_card_get_tint (SP_GAME_CARD (card), NULL));
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
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

static gboolean
has_label_containing (GtkWidget  *widget,
                      const char *text)
{
  if (GTK_IS_LABEL (widget))
    {
      g_autofree char *folded = g_utf8_casefold (gtk_label_get_text (GTK_LABEL (widget)), -1);

      if (strstr (folded, text) != NULL)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label_containing (child, text))
      return TRUE;
  return FALSE;
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
  /* No instructions about right-clicking (the menus are found without). */
  g_assert_false (has_label_containing (page, "right-click"));
  check_widget (page);
}

static gboolean
details_loaded (gpointer data)
{
  return !sp_checkpoint_details_get_loading (data);
}

static SpCheckpointDetails *
find_details (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (SP_IS_CHECKPOINT_DETAILS (window))
        return SP_CHECKPOINT_DETAILS (window);
    }
  return NULL;
}

/* Clicking a checkpoint's row opens its details: what it changed (the
 * checkpoint adds home/save.txt to a base that has home/), with a filter; then it is destroyed. */
static void
test_checkpoint_details (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SpCheckpoint) checkpoint = ui_test_add_checkpoint (f->game, "Saved", "1\n");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = sp_game_page_new ();
  SpCheckpointDetails *details;
  gpointer weak;

  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  g_assert_null (find_details ());
  g_signal_emit_by_name (gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 0),
                         "activated");
  details = find_details ();
  g_assert_nonnull (details);
  weak = details;
  g_object_add_weak_pointer (G_OBJECT (details), &weak);
  ui_test_wait (details_loaded, details, 30, "the comparison");

  g_assert_cmpstr (sp_checkpoint_details_get_state (details), ==, "changes");
  g_assert_cmpuint (sp_checkpoint_details_get_n_files (details), ==, 1);   /* home/save.txt */
  g_assert_cmpuint (sp_checkpoint_details_get_n_keys (details), ==, 0);
  g_assert_nonnull (strstr (sp_checkpoint_details_get_summary (details), "1 added, 0 changed, 0 deleted"));
  sp_checkpoint_details_set_filter (details, "SAVE.txt");
  g_assert_cmpuint (sp_checkpoint_details_get_n_files (details), ==, 1);
  sp_checkpoint_details_set_filter (details, "nothing like it");
  g_assert_cmpuint (sp_checkpoint_details_get_n_files (details), ==, 0);
  sp_checkpoint_details_set_filter (details, "");
  g_assert_cmpuint (sp_checkpoint_details_get_n_files (details), ==, 1);

  /* The clean install's row opens nothing. */
  gtk_window_destroy (GTK_WINDOW (details));
  ui_test_flush ();
  g_assert_null (weak);
  g_signal_emit_by_name (gtk_list_box_get_row_at_index (sp_game_page_get_timeline (SP_GAME_PAGE (page)), 1),
                         "activated");
  g_assert_null (find_details ());

  /* A checkpoint that changed nothing says so. */
  {
    g_autofree char *upper = ui_test_tmpdir ("same-upper");
    g_autofree char *home = g_build_filename (upper, "home", NULL);
    g_autoptr(SpCheckpoint) same = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_mkdir_with_parents (home, 0755), ==, 0);
    same = sp_game_create_checkpoint_sync (f->game, upper, "Same", 1, FALSE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    details = SP_CHECKPOINT_DETAILS (sp_checkpoint_details_new (GTK_WINDOW (window), f->game, same));
    gtk_window_present (GTK_WINDOW (details));
    ui_test_wait (details_loaded, details, 30, "the comparison");
    g_assert_cmpstr (sp_checkpoint_details_get_state (details), ==, "empty");
    g_assert_cmpuint (sp_checkpoint_details_get_n_files (details), ==, 0);
    gtk_window_destroy (GTK_WINDOW (details));
    ui_test_remove_tree (upper);
  }

  /* Compared with another checkpoint: what changed since it. */
  {
    g_autoptr(SpCheckpoint) later = ui_test_add_checkpoint (f->game, "Later", "22\n");
    SpCheckpointDetails *since;

    since = SP_CHECKPOINT_DETAILS (sp_checkpoint_details_new (GTK_WINDOW (window), f->game, later));
    gtk_window_present (GTK_WINDOW (since));
    ui_test_wait (details_loaded, since, 30, "the comparison with the clean install");
    g_assert_nonnull (strstr (sp_checkpoint_details_get_summary (since), "1 added, 0 changed, 0 deleted"));
    sp_checkpoint_details_compare_with (since, checkpoint);
    g_assert_true (sp_checkpoint_details_get_loading (since));
    ui_test_wait (details_loaded, since, 30, "the comparison with the earlier checkpoint");
    g_assert_cmpstr (sp_checkpoint_details_get_state (since), ==, "changes");
    g_assert_cmpuint (sp_checkpoint_details_get_n_files (since), ==, 1);
    g_assert_nonnull (strstr (sp_checkpoint_details_get_summary (since), "0 added, 1 changed, 0 deleted"));
    sp_checkpoint_details_compare_with (since, NULL);
    ui_test_wait (details_loaded, since, 30, "the comparison with the clean install again");
    g_assert_nonnull (strstr (sp_checkpoint_details_get_summary (since), "1 added, 0 changed, 0 deleted"));
    g_assert_cmpuint (sp_checkpoint_details_get_n_files (since), ==, 1);
    gtk_window_destroy (GTK_WINDOW (since));
  }

  /* Closed while it is still comparing: nothing is left behind. */
  check_window (sp_checkpoint_details_new (GTK_WINDOW (window), f->game, checkpoint));
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
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
  GtkWidget *window = sp_preferences_window_new (NULL, settings);
  GtkWidget *focus;

  /* The first focus is a row, not the Wine runner's text (selected whole,
   * so that the first key typed would replace it). */
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  focus = gtk_window_get_focus (GTK_WINDOW (window));
  g_assert_nonnull (focus);
  g_assert_false (GTK_IS_EDITABLE (focus));
  g_assert_null (gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW));
  g_assert_true (ADW_IS_PREFERENCES_ROW (focus));
  /* The one switch is "Wait for Background Programs", bound to its key. */
  {
    GtkWidget *toggle = find_widget (window, GTK_TYPE_SWITCH);

    g_assert_nonnull (toggle);
    g_assert_false (g_settings_get_boolean (settings, "wait-for-background"));
    gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
    g_assert_true (g_settings_get_boolean (settings, "wait-for-background"));
    g_settings_reset (settings, "wait-for-background");
  }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();

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

/* Every shortcut of @widget's shortcuts window shows keys (a window that
 * is not attached to the application shows none for its actions). */
static guint
check_shortcut_keys (GtkWidget *widget)
{
  guint n = 0;

  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *title = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (widget, "title", &title, "accelerator", &accelerator, NULL);
      if (accelerator == NULL || accelerator[0] == '\0')
        g_error ("The shortcut “%s” shows no keys", title);
      return 1;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n += check_shortcut_keys (child);
  return n;
}

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
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
  {
    GtkWidget *shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);

    g_assert_true (gtk_widget_get_visible (shortcuts));
    g_assert_cmpuint (check_shortcut_keys (shortcuts), >=, 8);
    gtk_widget_set_visible (shortcuts, FALSE);
  }
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_cmpint (count_toplevels (ADW_TYPE_ABOUT_WINDOW), ==, 1);
  /* About finds the app's icon (from the resources, as nothing here is
   * installed), not the missing-image one. */
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                          APP_ID));
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
  /* "Wait for Background Programs" reaches the next session. */
  {
    GSettings *settings = sp_application_get_settings (SP_APPLICATION (app));
    SpPlayer *player = sp_application_get_player (SP_APPLICATION (app));
    g_autoptr(SpLibrary) library = NULL;
    g_autoptr(SpSession) waiting = NULL;
    g_autoptr(SpSession) stopping = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *root = ui_test_tmpdir ("wait-background");
    g_autofree char *source = ui_test_make_game_source (root);
    g_autoptr(SpGame) game = NULL;
    SpGameInfo info = { .name = "Waiter", .executable = "game.sh", .kind = SP_GAME_KIND_NATIVE };

    library = sp_library_create_sync (root, "Wait", &error);
    g_assert_no_error (error);
    game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    stopping = sp_player_new_session (player, library, game);
    g_assert_false (sp_session_get_wait_for_background (stopping));
    g_settings_set_boolean (settings, "wait-for-background", TRUE);
    waiting = sp_player_new_session (player, library, game);
    g_assert_true (sp_session_get_wait_for_background (waiting));
    g_settings_reset (settings, "wait-for-background");
    ui_test_remove_tree (root);
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
app_activate_cb (GApplication *app)
{
  g_idle_add (app_checks_cb, app);
}

/* F1 opens the help as HTML with the browser (OpenURI portal in the
 * Flatpak): from this build folder, this build's pages. */
static void
test_help_uri (void)
{
  g_autofree char *uri = sp_application_get_help_uri ();
  g_autofree char *path = g_filename_from_uri (uri, NULL, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *page = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (uri, "file:///"));
  g_assert_nonnull (path);
  g_assert_true (g_str_has_suffix (path, "/help/html/index.html"));
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "Savepoint"));
  /* Its links lead to pages that were built too. */
  g_assert_nonnull (strstr (contents, "getting-started.html"));
  dir = g_path_get_dirname (path);
  page = g_build_filename (dir, "getting-started.html", NULL);
  g_assert_true (g_file_test (page, G_FILE_TEST_IS_REGULAR));
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
  GtkWidget *settings = sp_game_settings_new ();
  GtkWidget *row;

  g_object_ref_sink (settings);
  sp_game_set_executable (f->game, "../../../../bin/sh");
  sp_game_settings_set_game (SP_GAME_SETTINGS (settings), f->game);
  row = find_entry_row (settings, "Executable Path");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), ".."));

  sp_game_set_executable (f->game, "game.sh");
  sp_game_settings_set_game (SP_GAME_SETTINGS (settings), NULL);
  sp_game_settings_set_game (SP_GAME_SETTINGS (settings), f->game);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (row));
  /* Showing a new value in the list of candidates is not a choice. */
  g_assert_cmpstr (sp_game_get_executable (f->game), ==, "game.sh");
  g_assert_false (sp_game_settings_get_saving (SP_GAME_SETTINGS (settings)));
  sp_game_settings_set_game (SP_GAME_SETTINGS (settings), NULL);
  g_object_unref (settings);
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

  /* An executable that is not in the game's folder is refused here, with
   * the reason, not saved to fail at Play. */
  row = find_entry_row (settings, "Executable Path");
  gtk_editable_set_text (GTK_EDITABLE (row), "bin/missing.sh");
  g_signal_emit_by_name (row, "apply");
  g_assert_false (sp_game_settings_get_saving (SP_GAME_SETTINGS (settings)));
  g_assert_cmpstr (sp_game_get_executable (f->game), ==, "game.sh");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "game.sh");
  {
    AdwMessageDialog *dialog = ui_test_find_message_dialog (NULL);

    g_assert_nonnull (dialog);
    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Executable Not Found");
    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "bin/missing.sh"));
    ui_test_answer (dialog, "close");
  }
  /* One that is there is saved. */
  {
    g_autofree char *other = g_build_filename (sp_game_get_base_path (f->game), "other.sh", NULL);

    g_assert_true (g_file_set_contents (other, "#!/bin/sh\n", -1, NULL));
    gtk_editable_set_text (GTK_EDITABLE (row), "other.sh");
    g_signal_emit_by_name (row, "apply");
    g_assert_true (sp_game_settings_get_saving (SP_GAME_SETTINGS (settings)));
    ui_test_wait (settings_saved, settings, 30, "the settings to be saved");
    g_assert_cmpstr (sp_game_get_executable (f->game), ==, "other.sh");
  }

  check_widget (settings);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/widgets/game-card", Fixture, NULL, fixture_setup, test_game_card, fixture_teardown);
  g_test_add ("/ui/widgets/game-card-icon", Fixture, NULL, fixture_setup, test_game_card_icon, fixture_teardown);
  g_test_add ("/ui/widgets/checkpoint-row", Fixture, NULL, fixture_setup, test_checkpoint_row, fixture_teardown);
  g_test_add ("/ui/widgets/checkpoint-details", Fixture, NULL, fixture_setup, test_checkpoint_details, fixture_teardown);
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
  g_test_add_func ("/ui/widgets/help-uri", test_help_uri);

  return ui_test_run ();
}
