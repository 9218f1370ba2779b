/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Screenshots of the flow dialogs (Game Settings, Create a Library, Add
 * Game) at 360 px and 1280 × 800, light and dark:
 *   tests/ui/dialog-shots.sh BUILDDIR [OUTDIR]  (runs this on Xvfb) */
#include "config.h"

#include "sp-add-game-window.h"
#include "sp-create-library-dialog.h"
#include "sp-game-settings-window.h"
#include "ui-test-util.h"

#include <glib/gstdio.h>

static const char *outdir;
static int failures;

static gboolean
quit_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
shoot (const char *name,
       int         width,
       int         height)
{
  g_autofree char *file = g_strdup_printf ("%s/%s.png", outdir, name);
  g_autofree char *crop = g_strdup_printf ("%dx%d+0+0", width, height);
  const char *argv[] = { "import", "-window", "root", "-crop", crop, "+repage", file, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  settle (700);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("Could not take %s: %s\n", file, error->message);
      failures++;
      return;
    }
  g_print ("%s\n", file);
}

static GtkWidget *
make_dialog (guint      which,
             SpLibrary *library,
             SpGame    *game,
             const char *folder)
{
  switch (which)
    {
    case 0:
      {
        const char * const patterns[] = { "*.log", "Cache/*", NULL };

        sp_game_set_exclude (game, patterns, NULL);
        return sp_game_settings_window_new (NULL, game);
      }
    case 1:
      {
        GtkWidget *dialog = sp_create_library_dialog_new (NULL);

        sp_create_library_dialog_add_location (SP_CREATE_LIBRARY_DIALOG (dialog), folder);
        return dialog;
      }
    default:
      {
        g_autoptr(GListStore) libraries = g_list_store_new (SP_TYPE_LIBRARY);
        GtkWidget *window;

        g_list_store_append (libraries, library);
        window = sp_add_game_window_new (NULL, G_LIST_MODEL (libraries), library);
        sp_add_game_window_set_folder (SP_ADD_GAME_WINDOW (window), folder);
        return window;
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *names[] = { "game-settings", "create-library", "add-game" };
  const struct { int width, height; } sizes[] = { { 360, 720 }, { 1280, 800 } };
  g_autofree char *dir = NULL;
  g_autofree char *folder = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;

  ui_test_init (&argc, &argv);
  if (argc < 2)
    {
      g_printerr ("Usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[1];

  dir = ui_test_tmpdir ("dialog-shots");
  library = sp_library_create_sync (dir, "Games", &error);
  g_assert_no_error (error);
  game = ui_test_add_game (library, "Harbor Lights");
  {
    g_autofree char *tool = g_build_filename (sp_game_get_base_path (game), "bin", "launcher", NULL);
    g_autofree char *tool_dir = g_path_get_dirname (tool);

    g_mkdir_with_parents (tool_dir, 0755);
    g_file_set_contents (tool, "#!/bin/sh\n", -1, NULL);
    g_chmod (tool, 0755);
  }
  folder = g_build_filename (dir, "harbor_lights-2", NULL);
  {
    g_autofree char *exe = g_build_filename (folder, "harbor.sh", NULL);

    g_mkdir_with_parents (folder, 0755);
    g_file_set_contents (exe, "#!/bin/sh\n", -1, NULL);
    g_chmod (exe, 0755);
  }

  for (guint dark = 0; dark < 2; dark++)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (guint which = 0; which < G_N_ELEMENTS (names); which++)
        for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
          {
            GtkWidget *window = make_dialog (which, library, game, folder);
            g_autofree char *name = g_strdup_printf ("%s-%d-%s", names[which], sizes[i].width,
                                                     dark ? "dark" : "light");

            gtk_window_set_default_size (GTK_WINDOW (window), sizes[i].width, sizes[i].height);
            gtk_window_present (GTK_WINDOW (window));
            shoot (name, sizes[i].width, sizes[i].height);
            gtk_window_destroy (GTK_WINDOW (window));
            settle (100);
          }
    }
  ui_test_remove_tree (dir);
  ui_test_remove_dirs ();
  return failures > 0 ? 1 : 0;
}
