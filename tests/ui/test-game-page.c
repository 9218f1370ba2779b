/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The game page's states and words: the timeline drawn as a tree, the one
 * name of an unnamed checkpoint, dates in the locale's format. */
#include "config.h"

#include <locale.h>

#include "common/sp-util.h"
#include "play/sp-play.h"

#include "sp-checkpoint-row.h"
#include "sp-format.h"
#include "sp-game-page.h"
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

  f->dir = ui_test_tmpdir ("game-page");
  f->library = sp_library_create_sync (f->dir, "Test Library", &error);
  g_assert_no_error (error);
  f->game = ui_test_add_game (f->library, "Page Quest");
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

static SpCheckpointRow *
find_row (SpGamePage   *page,
          SpCheckpoint *checkpoint)
{
  GtkListBox *timeline = sp_game_page_get_timeline (page);
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (timeline, i)) != NULL; i++)
    if (sp_checkpoint_row_get_checkpoint (SP_CHECKPOINT_ROW (row)) == checkpoint)
      return SP_CHECKPOINT_ROW (row);
  g_assert_not_reached ();
}

/* Where the row's marker is drawn, from the row's left edge. */
static float
marker_x (SpCheckpointRow *row)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (sp_checkpoint_row_get_marker (row), GTK_WIDGET (row), &bounds));
  return bounds.origin.x;
}

static gboolean
branch_indented (gpointer data)
{
  SpCheckpointRow **rows = data;

  return marker_x (rows[1]) > marker_x (rows[0]);
}

/* A played A, B after it, then A restored and C played from it: C goes on
 * A's line (it leads to the current checkpoint), B is a branch off A, drawn
 * indented under it and not dimmed. */
static void
test_tree (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SpCheckpoint) a = ui_test_add_checkpoint (f->game, "A", "a\n");
  g_autoptr(SpCheckpoint) b = ui_test_add_checkpoint (f->game, "B", "b\n");
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = sp_game_page_new ();
  SpCheckpointRow *row_a, *row_b, *row_c;

  g_assert_true (sp_game_restore_sync (f->game, sp_checkpoint_get_id (a), &error));
  g_assert_no_error (error);
  c = ui_test_add_checkpoint (f->game, "C", "c\n");
  g_assert_cmpstr (sp_checkpoint_get_parent (b), ==, sp_checkpoint_get_id (a));
  g_assert_cmpstr (sp_checkpoint_get_parent (c), ==, sp_checkpoint_get_id (a));

  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 900);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();

  row_a = find_row (SP_GAME_PAGE (page), a);
  row_b = find_row (SP_GAME_PAGE (page), b);
  row_c = find_row (SP_GAME_PAGE (page), c);
  g_assert_cmpuint (sp_checkpoint_row_get_depth (row_a), ==, 0);
  g_assert_cmpuint (sp_checkpoint_row_get_depth (row_c), ==, 0);
  g_assert_cmpuint (sp_checkpoint_row_get_depth (row_b), ==, 1);
  /* Drawn so (once laid out): the branch's marker right of its parent's,
   * the line's not. */
  ui_test_wait (branch_indented, (SpCheckpointRow *[]) { row_a, row_b }, 10,
                "the branch's marker right of its parent's");
  g_assert_cmpfloat (marker_x (row_c), ==, marker_x (row_a));
  /* Not dimmed: a branch is as usable as the line. */
  g_assert_cmpfloat (gtk_widget_get_opacity (GTK_WIDGET (row_b)), ==, 1.0);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row_b), "off-path"));

  /* Restoring B makes B's line the main one: now C is the branch. */
  g_assert_true (sp_game_restore_sync (f->game, sp_checkpoint_get_id (b), &error));
  g_assert_no_error (error);
  ui_test_flush ();
  g_assert_cmpuint (sp_checkpoint_row_get_depth (row_b), ==, 0);
  g_assert_cmpuint (sp_checkpoint_row_get_depth (row_c), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

/* A drive whose checkpoints name each other as parents (A's parent B, B's
 * parent A): the timeline is still drawn, each row once, nothing loops. */
static void
test_tree_parent_loop (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SpCheckpoint) a = ui_test_add_checkpoint (f->game, "A", "a\n");
  g_autoptr(SpCheckpoint) b = ui_test_add_checkpoint (f->game, "B", "b\n");
  g_autofree char *ini = g_strdup_printf ("%s/checkpoints/%s.ini", sp_game_get_path (f->game),
                                          sp_checkpoint_get_id (a));
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = sp_game_page_new ();
  SpGame *game;
  GtkListBox *timeline;

  g_assert_true (g_key_file_load_from_file (key_file, ini, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string (key_file, "Checkpoint", "Parent", sp_checkpoint_get_id (b));
  g_assert_true (g_key_file_save_to_file (key_file, ini, &error));
  g_assert_no_error (error);

  reopened = sp_library_open (f->dir, &error);
  g_assert_no_error (error);
  game = sp_library_find_game (reopened, sp_game_get_slug (f->game));
  g_assert_nonnull (game);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 2);
  g_assert_cmpstr (sp_checkpoint_get_parent (sp_game_find_checkpoint (game, sp_checkpoint_get_id (a))),
                   ==, sp_checkpoint_get_id (b));

  sp_game_page_set_game (SP_GAME_PAGE (page), game);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();
  timeline = sp_game_page_get_timeline (SP_GAME_PAGE (page));
  /* Two checkpoints and the clean install, each at a level the row can show. */
  g_assert_nonnull (gtk_list_box_get_row_at_index (timeline, 2));
  g_assert_null (gtk_list_box_get_row_at_index (timeline, 3));
  for (int i = 0; i < 3; i++)
    g_assert_cmpuint (sp_checkpoint_row_get_depth (SP_CHECKPOINT_ROW (gtk_list_box_get_row_at_index (timeline, i))),
                      <=, SP_CHECKPOINT_ROW_MAX_DEPTH);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

/* An unnamed checkpoint is "Untitled Checkpoint" in its row and in the
 * "Branched from" line of its children; the CLI uses the same name
 * (tests/cli/test-cli.c, /cli/untitled-checkpoint). */
static void
test_untitled (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SpCheckpoint) a = ui_test_add_checkpoint (f->game, "", "a\n");
  g_autoptr(SpCheckpoint) b = ui_test_add_checkpoint (f->game, "B", "b\n");
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = sp_ui_format_checkpoint_title (a);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = sp_game_page_new ();
  SpCheckpointRow *row;

  g_assert_cmpstr (title, ==, "Untitled Checkpoint");
  g_assert_cmpstr (title, ==, sp_untitled_checkpoint_name ());

  g_assert_true (sp_game_restore_sync (f->game, sp_checkpoint_get_id (a), &error));
  g_assert_no_error (error);
  c = ui_test_add_checkpoint (f->game, "C", "c\n");

  sp_game_page_set_game (SP_GAME_PAGE (page), f->game);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();

  row = find_row (SP_GAME_PAGE (page), a);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Untitled Checkpoint");
  /* C was played from it after B: the timeline says where C came from. */
  row = find_row (SP_GAME_PAGE (page), c);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "Branched from “Untitled Checkpoint”"));

  /* Restore and Play from Here say what each does. */
  {
    GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (sp_game_page_get_timeline (SP_GAME_PAGE (page))),
                                                ADW_TYPE_PREFERENCES_GROUP);

    g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                              "Restore makes a checkpoint current: the next Play starts from it."));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

/* Dates older than yesterday in the locale's own format (never ctime's
 * "Sat Feb  3 12:00:00 2001"), recent ones relative. */
static void
test_date_format (void)
{
  g_autoptr(GDateTime) old = g_date_time_new_local (2001, 2, 3, 12, 0, 0);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *expected = g_date_time_format (old, "%x");
  g_autofree char *text = sp_ui_format_date (old);
  g_autofree char *today_text = sp_ui_format_date (now);
  g_autofree char *yesterday_text = sp_ui_format_date (yesterday);

  g_assert_cmpstr (text, ==, expected);
  g_assert_null (strstr (text, "Sat"));
  g_assert_true (g_str_has_prefix (today_text, "Today at "));
  g_assert_true (g_str_has_prefix (yesterday_text, "Yesterday at "));
}

static void
test_date_format_german (void)
{
  g_autofree char *saved = g_strdup (setlocale (LC_TIME, NULL));
  g_autoptr(GDateTime) old = g_date_time_new_local (2001, 2, 3, 12, 0, 0);
  g_autofree char *text = NULL;

  if (setlocale (LC_TIME, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("the de_DE.UTF-8 locale is not installed");
      return;
    }
  text = sp_ui_format_date (old);
  setlocale (LC_TIME, saved);
  g_assert_cmpstr (text, ==, "03.02.2001");
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/game-page/tree", Fixture, NULL, fixture_setup, test_tree, fixture_teardown);
  g_test_add ("/ui/game-page/tree-parent-loop", Fixture, NULL, fixture_setup, test_tree_parent_loop,
              fixture_teardown);
  g_test_add ("/ui/game-page/untitled", Fixture, NULL, fixture_setup, test_untitled, fixture_teardown);
  g_test_add_func ("/ui/game-page/date-format", test_date_format);
  g_test_add_func ("/ui/game-page/date-format-german", test_date_format_german);

  return ui_test_run ();
}
