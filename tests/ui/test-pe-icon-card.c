/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A Wine game added without an icon shows the one taken from its
 * executable (sp-pe-icon.h) on its card. */
#include "config.h"

#include "core/sp-pe-icon.h"
#include "sp-game-card.h"
#include "ui-test-util.h"

#define WINEMINE "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/winemine.exe"

static gboolean
card_tinted (gpointer data)
{
  return sp_game_card_get_tint (data, NULL);
}

static GtkWidget *
find_image (GtkWidget *widget)
{
  if (GTK_IS_IMAGE (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_image (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_card_extracted_icon (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *source = NULL;
  g_autofree char *exe_dir = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;
  SpGameInfo info = { .name = "Mines", .kind = SP_GAME_KIND_WINE,
                      .executable = "drive_c/Games/winemine.exe" };
  GtkWidget *window;
  GtkWidget *card;
  GtkWidget *image;
  gsize len;

  if (!g_file_get_contents (WINEMINE, &contents, &len, NULL))
    {
      g_test_skip (WINEMINE " is missing (the wine64 package)");
      return;
    }
  dir = ui_test_tmpdir ("pe-icon");
  library = sp_library_create_sync (dir, "Test Library", &error);
  g_assert_no_error (error);
  source = g_build_filename (dir, "prefix", NULL);
  exe_dir = g_build_filename (source, "drive_c", "Games", NULL);
  g_assert_cmpint (g_mkdir_with_parents (exe_dir, 0755), ==, 0);
  {
    g_autofree char *exe = g_build_filename (exe_dir, "winemine.exe", NULL);
    g_assert_true (g_file_set_contents (exe, contents, len, NULL));
  }
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_ADOPT,
                                   NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (sp_game_get_icon (game));

  window = gtk_window_new ();
  card = sp_game_card_new (game);
  gtk_window_set_child (GTK_WINDOW (window), card);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (card_tinted, card, 30, "the extracted icon");
  image = find_image (card);
  g_assert_nonnull (image);
  g_assert_cmpint (gtk_image_get_storage_type (GTK_IMAGE (image)), ==, GTK_IMAGE_PAINTABLE);
  g_assert_true (gtk_widget_is_drawable (image));
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
  g_clear_object (&game);
  g_clear_object (&library);
  ui_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/pe-icon/card", test_card_extracted_icon);
  return ui_test_run ();
}
