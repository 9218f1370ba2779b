/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dialogs of issue 15's flows: the Game Settings window (executable
 * candidates, exclusions), over real libraries in temporary folders. */
#include "config.h"

#include <glib/gstdio.h>

#include "sp-add-game-window.h"
#include "sp-create-library-dialog.h"
#include "sp-export-ui.h"
#include "sp-game-settings.h"
#include "sp-preferences-window.h"
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

static AdwComboRow *
find_combo (GtkWidget *widget)
{
  if (ADW_IS_COMBO_ROW (widget))
    return ADW_COMBO_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
settings_idle (gpointer data)
{
  return !sp_game_settings_get_saving (data);
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

  /* Choosing one saves it; "Other…" shows the row to type a path. */
  {
    IniCheck check = { sp_game_get_ini_path (f->game), "Executable=bin/tool\n", TRUE };
    AdwComboRow *combo = find_combo (window);

    g_assert_nonnull (combo);
    g_assert_cmpuint (adw_combo_row_get_selected (combo), ==, 1);
    adw_combo_row_set_selected (combo, 0);
    ui_test_wait (ini_matches, &check, 30, "Executable= in game.ini");
    g_assert_cmpstr (sp_game_get_executable (f->game), ==, "bin/tool");
    ui_test_wait (settings_idle, settings, 30, "the save");
  }
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
  /* The focus is not in a text field, with its text selected. */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

    g_assert_nonnull (focus);
    g_assert_false (GTK_IS_EDITABLE (focus));
    g_assert_null (gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW));
  }

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

/* The keep toast's line on exclusions: what a real checkpoint of a game
 * with Exclude=*.log left out, and nothing when nothing was. */
static void
test_describe_excluded (Fixture       *f,
                        gconstpointer  data)
{
  const char * const patterns[] = { "*.log", NULL };
  g_autoptr(SpCheckpoint) plain = ui_test_add_checkpoint (f->game, "Plain", "save");
  g_autoptr(SpCheckpoint) excluded = NULL;
  g_autofree char *upper = ui_test_tmpdir ("upper-excluded");
  g_autofree char *save = g_build_filename (upper, "home", "save.txt", NULL);
  g_autofree char *log = g_build_filename (upper, "home", "debug.log", NULL);
  g_autofree char *big = g_malloc0 (5000);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (sp_game_settings_describe_excluded (plain));

  g_assert_true (sp_game_set_exclude (f->game, patterns, &error));
  g_assert_no_error (error);
  write_file (save, 0644);
  g_assert_true (g_file_set_contents (log, big, 5000, NULL));
  excluded = sp_game_create_checkpoint_sync (f->game, upper, "With Log", 60, TRUE,
                                             NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  text = sp_game_settings_describe_excluded (excluded);
  g_assert_nonnull (text);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "5.0"));
  g_assert_nonnull (strstr (text, "1 file"));
  ui_test_remove_tree (upper);
}

static void
test_export_file_name (void)
{
  g_autoptr(GDateTime) created = g_date_time_new_local (2026, 3, 4, 5, 6, 0);
  struct { const char *game, *label, *expected; } cases[] = {
    { "Portal", "Chapter 3", "Portal – Chapter 3.savepoint.tar.zst" },
    { "  Half/Life: 2 ", "a\\b*c?", "Half_Life_ 2 – a_b_c_.savepoint.tar.zst" },
    { "..hidden", "", "hidden – 2026-03-04 05.06.savepoint.tar.zst" },
    { "Tab\tGame", "line\nbreak", "Tab_Game – line_break.savepoint.tar.zst" },
    { "", "  ", "Game – 2026-03-04 05.06.savepoint.tar.zst" },
    { "Ünïcödé", "セーブ", "Ünïcödé – セーブ.savepoint.tar.zst" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = sp_export_ui_file_name (cases[i].game, cases[i].label, created);
      g_assert_cmpstr (name, ==, cases[i].expected);
    }
  {
    /* Bounded, cut at a character, never a hidden or absolute name. */
    g_autoptr(GString) long_name = g_string_new (NULL);
    g_autofree char *name = NULL;

    for (guint i = 0; i < 150; i++)
      g_string_append (long_name, "é");
    name = sp_export_ui_file_name (long_name->str, "x", created);
    g_assert_true (g_utf8_validate (name, -1, NULL));
    g_assert_cmpuint (strlen (name), <=, 200 + strlen (".savepoint.tar.zst"));
    g_assert_true (g_str_has_suffix (name, ".savepoint.tar.zst"));
    g_assert_null (strchr (name, '/'));
  }
  {
    GtkWidget *window = gtk_window_new ();
    g_autoptr(AdwToast) toast = sp_export_ui_new_toast (window, "/tmp/Portal – Chapter 3.savepoint.tar.zst");

    g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "Show in Files");
    gtk_window_destroy (GTK_WINDOW (window));
  }
}

static void
test_compression_mapping (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *window;
  AdwComboRow *row = NULL;

  g_assert_cmpint (sp_preferences_compression_level_for_choice (SP_COMPRESSION_FAST), ==, 1);
  g_assert_cmpint (sp_preferences_compression_level_for_choice (SP_COMPRESSION_BALANCED), ==, 3);
  g_assert_cmpint (sp_preferences_compression_level_for_choice (SP_COMPRESSION_SMALL), ==, 12);
  g_assert_cmpint (sp_preferences_compression_choice_for_level (1), ==, SP_COMPRESSION_FAST);
  g_assert_cmpint (sp_preferences_compression_choice_for_level (2), ==, SP_COMPRESSION_FAST);
  g_assert_cmpint (sp_preferences_compression_choice_for_level (3), ==, SP_COMPRESSION_BALANCED);
  g_assert_cmpint (sp_preferences_compression_choice_for_level (7), ==, SP_COMPRESSION_BALANCED);
  g_assert_cmpint (sp_preferences_compression_choice_for_level (8), ==, SP_COMPRESSION_SMALL);
  g_assert_cmpint (sp_preferences_compression_choice_for_level (19), ==, SP_COMPRESSION_SMALL);

  /* The window over the int key: an old level shows as its nearest
   * choice and stays; choosing writes the choice's level. */
  g_settings_set_int (settings, "compression-level", 19);
  window = sp_preferences_window_new (NULL, settings);
  for (GtkWidget *w = window; w != NULL && row == NULL; )
    {
      /* depth-first search for the combo row */
      GtkWidget *next = gtk_widget_get_first_child (w);
      if (ADW_IS_COMBO_ROW (w))
        row = ADW_COMBO_ROW (w);
      while (next == NULL && w != NULL && w != window)
        {
          next = gtk_widget_get_next_sibling (w);
          if (next == NULL)
            w = gtk_widget_get_parent (w);
        }
      w = next;
    }
  g_assert_nonnull (row);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, SP_COMPRESSION_SMALL);
  g_assert_cmpint (g_settings_get_int (settings, "compression-level"), ==, 19);
  adw_combo_row_set_selected (row, SP_COMPRESSION_FAST);
  g_assert_cmpint (g_settings_get_int (settings, "compression-level"), ==, 1);
  g_settings_set_int (settings, "compression-level", 12);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, SP_COMPRESSION_SMALL);
  g_settings_reset (settings, "compression-level");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, SP_COMPRESSION_BALANCED);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();
}

static void
test_fat32_decision (void)
{
  const char *limited[] = { "msdos", "vfat", "fat", "fat32", "fat16" };
  const char *fine[] = { "ext4", "exfat", "ntfs", "ntfs3", "fuseblk", "btrfs", "tmpfs", "xfs", "", "MSDOSX" };

  for (guint i = 0; i < G_N_ELEMENTS (limited); i++)
    g_assert_true (sp_create_library_fs_has_4gb_limit (limited[i]));
  for (guint i = 0; i < G_N_ELEMENTS (fine); i++)
    g_assert_false (sp_create_library_fs_has_4gb_limit (fine[i]));
  g_assert_false (sp_create_library_fs_has_4gb_limit (NULL));
}

static gboolean
details_known (gpointer data)
{
  SpCreateLibraryDialog *dialog = data;

  return sp_create_library_dialog_get_details (dialog, g_object_get_data (data, "test-path")) != NULL;
}

static void
location_chosen_cb (SpCreateLibraryDialog *dialog,
                    const char            *path,
                    char                 **out)
{
  g_free (*out);
  *out = g_strdup (path);
}

/* The test's folder as a location: its free space and file system shown
 * (what a drive's row shows), selected, and chosen with Create. The drives
 * of GVolumeMonitor are listed too, when the session has any. */
static void
test_create_library_dialog (void)
{
  g_autofree char *dir = ui_test_tmpdir ("create-library");
  GtkWidget *window = sp_create_library_dialog_new (NULL);
  SpCreateLibraryDialog *dialog = SP_CREATE_LIBRARY_DIALOG (window);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autofree char *chosen = NULL;
  guint before;
  const char *details;
  const char *fs_type;

  gtk_window_present (GTK_WINDOW (window));
  before = sp_create_library_dialog_get_n_locations (dialog);
  g_test_message ("%u drives listed by the volume monitor", before);
  g_assert_null (sp_create_library_dialog_get_selected (dialog));

  sp_create_library_dialog_add_location (dialog, dir);
  g_assert_cmpuint (sp_create_library_dialog_get_n_locations (dialog), ==, before + 1);
  g_assert_cmpstr (sp_create_library_dialog_get_selected (dialog), ==, dir);
  g_object_set_data_full (G_OBJECT (dialog), "test-path", g_strdup (dir), g_free);
  ui_test_wait (details_known, dialog, 30, "the folder's file system");
  details = sp_create_library_dialog_get_details (dialog, dir);
  g_test_message ("%s", details);
  info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_TYPE, NULL, NULL);
  fs_type = info ? g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_FILESYSTEM_TYPE) : NULL;
  g_assert_nonnull (strstr (details, "free"));
  if (fs_type != NULL)
    g_assert_nonnull (strstr (details, fs_type));
  if (sp_create_library_fs_has_4gb_limit (fs_type))
    g_assert_nonnull (sp_create_library_dialog_get_warning (dialog));
  else
    g_assert_null (sp_create_library_dialog_get_warning (dialog));

  /* Added twice: one row. */
  sp_create_library_dialog_add_location (dialog, dir);
  g_assert_cmpuint (sp_create_library_dialog_get_n_locations (dialog), ==, before + 1);

  g_signal_connect (dialog, "location-chosen", G_CALLBACK (location_chosen_cb), &chosen);
  gtk_window_close (GTK_WINDOW (window));
  ui_test_flush ();
  g_assert_null (chosen);
  ui_test_remove_tree (dir);
}

static void
test_create_library_choose (void)
{
  g_autofree char *dir = ui_test_tmpdir ("create-library-choose");
  GtkWidget *window = sp_create_library_dialog_new (NULL);
  g_autofree char *chosen = NULL;
  GtkWidget *button;

  gtk_window_present (GTK_WINDOW (window));
  sp_create_library_dialog_add_location (SP_CREATE_LIBRARY_DIALOG (window), dir);
  g_signal_connect (window, "location-chosen", G_CALLBACK (location_chosen_cb), &chosen);
  button = find_button (window, "C_reate");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (chosen, ==, dir);
  ui_test_flush ();
  ui_test_remove_tree (dir);
}

static void
test_title_from_folder (void)
{
  struct { const char *folder, *title; } cases[] = {
    { "the_witcher-3", "The Witcher 3" },
    { "HollowKnight", "HollowKnight" },
    { "  stardew   valley ", "Stardew Valley" },
    { "élan.vital", "Élan Vital" },
    { "___", "" },
    { "DOOM", "DOOM" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *title = sp_add_game_title_from_folder (cases[i].folder);
      g_assert_cmpstr (title, ==, cases[i].title);
    }
}

static gboolean
search_done (gpointer data)
{
  return !sp_add_game_window_get_searching (data);
}

static gboolean
executable_filled (gpointer data)
{
  return sp_add_game_window_get_executable (data)[0] != '\0';
}

/* Name first, from the folder in title case; the one executable of the
 * folder filled in; a name already in the library warned about. */
static void
test_add_game_window (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GListStore) libraries = g_list_store_new (SP_TYPE_LIBRARY);
  g_autofree char *parent = ui_test_tmpdir ("add-game");
  g_autofree char *folder = g_build_filename (parent, "dialog_quest", NULL);
  g_autofree char *exe = g_build_filename (folder, "bin", "run-me", NULL);
  g_autofree char *data_file = g_build_filename (folder, "data.pak", NULL);
  GtkWidget *window;
  SpAddGameWindow *self;

  write_file (exe, 0755);
  write_file (data_file, 0644);
  g_list_store_append (libraries, f->library);
  window = sp_add_game_window_new (NULL, G_LIST_MODEL (libraries), f->library);
  self = SP_ADD_GAME_WINDOW (window);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_null (sp_add_game_window_get_warning (self));

  sp_add_game_window_set_folder (self, folder);
  g_assert_cmpstr (sp_add_game_window_get_name (self), ==, "Dialog Quest");
  ui_test_wait (executable_filled, self, 30, "the executable");
  g_assert_cmpstr (sp_add_game_window_get_executable (self), ==, "bin/run-me");

  /* "Dialog Quest" is the fixture's game (any case). */
  g_assert_nonnull (sp_add_game_window_get_warning (self));
  g_assert_nonnull (strstr (sp_add_game_window_get_warning (self), "Dialog Quest"));
  sp_add_game_window_set_name (self, "Another Quest");
  g_assert_null (sp_add_game_window_get_warning (self));
  sp_add_game_window_set_name (self, "dialog QUEST ");
  g_assert_nonnull (sp_add_game_window_get_warning (self));

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_flush ();

  /* Two candidates: nothing is guessed. */
  {
    g_autofree char *second = g_build_filename (folder, "run-too", NULL);
    write_file (second, 0755);
    window = sp_add_game_window_new (NULL, G_LIST_MODEL (libraries), f->library);
    self = SP_ADD_GAME_WINDOW (window);
    sp_add_game_window_set_folder (self, folder);
    g_assert_true (sp_add_game_window_get_searching (self));
    ui_test_wait (search_done, self, 30, "the search for the executable");
    g_assert_cmpstr (sp_add_game_window_get_executable (self), ==, "");
    gtk_window_destroy (GTK_WINDOW (window));
    ui_test_flush ();
  }
  ui_test_remove_tree (parent);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/dialogs/settings-candidates", Fixture, NULL, fixture_setup, test_settings_candidates, fixture_teardown);
  g_test_add_func ("/ui/dialogs/scan-cap", test_scan_cap);
  g_test_add ("/ui/dialogs/settings-exclusions", Fixture, NULL, fixture_setup, test_settings_exclusions, fixture_teardown);

  g_test_add ("/ui/dialogs/describe-excluded", Fixture, NULL, fixture_setup, test_describe_excluded, fixture_teardown);
  g_test_add_func ("/ui/dialogs/export-file-name", test_export_file_name);
  g_test_add_func ("/ui/dialogs/compression-mapping", test_compression_mapping);
  g_test_add_func ("/ui/dialogs/fat32-decision", test_fat32_decision);
  g_test_add_func ("/ui/dialogs/title-from-folder", test_title_from_folder);
  g_test_add ("/ui/dialogs/add-game", Fixture, NULL, fixture_setup, test_add_game_window, fixture_teardown);
  g_test_add_func ("/ui/dialogs/create-library", test_create_library_dialog);
  g_test_add_func ("/ui/dialogs/create-library-choose", test_create_library_choose);

  return ui_test_run ();
}
