/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dialogs of issue 15's flows: the Game Settings window (executable
 * candidates, exclusions), over real libraries in temporary folders. */
#include "config.h"

#include <glib/gstdio.h>

#include "sp-game-settings.h"
#include "sp-game-settings-window.h"
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

  f->dir = ui_test_tmpdir ("dialogs");
  f->library = sp_library_create_sync (f->dir, "Test Library", &error);
  g_assert_no_error (error);
  f->game = ui_test_add_game (f->library, "Dialog Quest");
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

static void
write_file (const char *path,
            int         mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, "x", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static SpGameSettings *
find_settings (GtkWidget *widget)
{
  if (SP_IS_GAME_SETTINGS (widget))
    return SP_GAME_SETTINGS (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      SpGameSettings *found = find_settings (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_candidates (gpointer data)
{
  return g_list_model_get_n_items (data) >= 3;
}

static char *
candidates_text (GListModel *model)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_string_append_printf (out, "%s|", gtk_string_list_get_string (GTK_STRING_LIST (model), i));
  return g_string_free (out, FALSE);
}

/* The window lists the executables of the folder, not its other files,
 * nor what a link leads to (inside or out of the game). */
static void
test_settings_candidates (Fixture       *f,
                          gconstpointer  data)
{
  const char *base = sp_game_get_base_path (f->game);
  g_autofree char *tool = g_build_filename (base, "bin", "tool", NULL);
  g_autofree char *readme = g_build_filename (base, "README", NULL);
  g_autofree char *link_out = g_build_filename (base, "outside", NULL);
  g_autofree char *link_in = g_build_filename (base, "same-tool", NULL);
  GtkWidget *window;
  SpGameSettings *settings;
  GListModel *candidates;
  g_autofree char *text = NULL;

  write_file (tool, 0755);
  write_file (readme, 0644);
  g_assert_cmpint (symlink ("/usr/bin", link_out), ==, 0);
  g_assert_cmpint (symlink ("bin/tool", link_in), ==, 0);

  window = sp_game_settings_window_new (NULL, f->game);
  gtk_window_present (GTK_WINDOW (window));
  settings = find_settings (window);
  g_assert_nonnull (settings);
  candidates = sp_game_settings_get_candidates (settings);
  ui_test_wait (has_candidates, candidates, 30, "the executable scan");
  text = candidates_text (candidates);
  g_assert_cmpstr (text, ==, "bin/tool|game.sh|Other…|");
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_scan_cap (void)
{
  g_autofree char *dir = ui_test_tmpdir ("scan-cap");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = NULL;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/f%02u.EXE", dir, i);
      write_file (name, 0644);
    }
  {
    g_autofree char *windows = g_build_filename (dir, "drive_c", "windows", "notepad.exe", NULL);
    g_autofree char *game = g_build_filename (dir, "drive_c", "Game", "Game.exe", NULL);
    write_file (windows, 0644);
    write_file (game, 0644);
  }

  /* All of them, Windows' own left out, when the cap allows. */
  sp_game_settings_find_executables_async (dir, TRUE, 2000, NULL, scan_done_cb, &result);
  ui_test_wait (have_result, &result, 30, "the scan");
  found = sp_game_settings_find_executables_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (found), ==, 51);
  g_assert_true (g_strv_contains ((const char * const *) found, "drive_c/Game/Game.exe"));
  g_clear_pointer (&found, g_strfreev);
  g_clear_object (&result);

  /* No more than the cap of entries is looked at. */
  sp_game_settings_find_executables_async (dir, TRUE, 10, NULL, scan_done_cb, &result);
  ui_test_wait (have_result, &result, 30, "the scan");
  found = sp_game_settings_find_executables_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (found), <=, 10);
  ui_test_remove_tree (dir);
}

typedef struct
{
  const char *path;
  const char *needle;
  gboolean    present;
} IniCheck;

static gboolean
ini_matches (gpointer data)
{
  IniCheck *check = data;
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (check->path, &contents, NULL, NULL))
    return FALSE;
  return (strstr (contents, check->needle) != NULL) == check->present;
}

static GtkWidget *
find_visible_error_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error") &&
      gtk_widget_get_visible (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_visible_error_label (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Patterns are added, refused with the reason shown inline, removed, and
 * each change lands in game.ini. */
static void
test_settings_exclusions (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *window = sp_game_settings_window_new (NULL, f->game);
  SpGameSettingsWindow *self = SP_GAME_SETTINGS_WINDOW (window);
  IniCheck check = { sp_game_get_ini_path (f->game), NULL, TRUE };
  g_autoptr(GError) error = NULL;
  GtkWidget *label;

  gtk_window_present (GTK_WINDOW (window));
  ui_test_flush ();

  g_assert_true (sp_game_settings_window_add_exclusion (self, "*.log", &error));
  g_assert_no_error (error);
  g_assert_true (sp_game_settings_window_add_exclusion (self, "cache/*", &error));
  g_assert_no_error (error);
  check.needle = "Exclude=*.log;cache/*";
  ui_test_wait (ini_matches, &check, 30, "Exclude= in game.ini");
  g_assert_null (find_visible_error_label (window));

  /* Refused: everything, a path out of the game, a duplicate. */
  g_assert_false (sp_game_settings_window_add_exclusion (self, "*", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  label = find_visible_error_label (window);
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), !=, "");
  g_assert_false (sp_game_settings_window_add_exclusion (self, "../saves", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (sp_game_settings_window_add_exclusion (self, "*.log", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpuint (g_strv_length ((GStrv) sp_game_get_exclude (f->game)), ==, 2);

  sp_game_settings_window_remove_exclusion (self, "*.log");
  g_assert_null (find_visible_error_label (window));
  check.needle = "Exclude=cache/*";
  ui_test_wait (ini_matches, &check, 30, "Exclude= without *.log");

  /* Reloaded from the drive: what the window wrote. */
  {
    g_autoptr(SpGame) again = NULL;
    g_autoptr(SpLibrary) library = sp_library_open (f->dir, &error);

    g_assert_no_error (error);
    again = g_object_ref (sp_library_find_game (library, sp_game_get_slug (f->game)));
    g_assert_cmpstrv (sp_game_get_exclude (again), ((const char *[]) { "cache/*", NULL }));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/dialogs/settings-candidates", Fixture, NULL, fixture_setup, test_settings_candidates, fixture_teardown);
  g_test_add_func ("/ui/dialogs/scan-cap", test_scan_cap);
  g_test_add ("/ui/dialogs/settings-exclusions", Fixture, NULL, fixture_setup, test_settings_exclusions, fixture_teardown);

  return ui_test_run ();
}
