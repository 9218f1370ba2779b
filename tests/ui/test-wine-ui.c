/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window and Wine prefixes (sp-wine-ui.c): the game page offers to
 * repair a clean install whose user folders lead out of the prefix (and
 * the repair refuses while the game is played), and Play asks before
 * another Wine than the one that made the clean install runs the game.
 * "Update Clean Install" updates the clean install first. The runners are
 * scripts that answer --version as wine does. */
#include "config.h"

#include <unistd.h>

#include "play/sp-play.h"

#include "sp-game-page.h"
#include "sp-keep-dialog.h"
#include "sp-library-monitor.h"
#include "sp-player.h"
#include "sp-window.h"
#include "sp-wine-ui.h"
#include "sp-test-common.h"
#include "ui-test-util.h"

typedef struct
{
  char             *dir;
  char             *old_wine;   /* says wine-7.0 (Test) */
  char             *new_wine;   /* says wine-9.0 (Test) */
  GSettings        *settings;
  SpLibraryMonitor *monitor;
  SpPlayer         *player;
  SpWindow         *window;
  SpLibrary        *library;    /* the window's */
  SpGame           *game;
} Fixture;

static char *
write_runner (const char *dir,
              const char *name,
              const char *version)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n[ \"$1\" = --version ] && echo '%s'\n"
                                             "exit 0\n", version);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, script, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return g_steal_pointer (&path);
}

static gboolean
libraries_loaded (gpointer data)
{
  Fixture *f = data;

  return !sp_library_monitor_get_scanning (f->monitor) &&
         g_list_model_get_n_items (sp_library_monitor_get_libraries (f->monitor)) == 1;
}

/* A library with a Wine game made by "old wine" whose clean install still
 * links Documents out of the prefix, as an older Savepoint left it. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *documents = NULL;
  SpGameInfo info = { .name = "Wine Quest", .kind = SP_GAME_KIND_WINE,
                      .executable = "drive_c/game.exe" };

  f->dir = ui_test_tmpdir ("wine-ui");
  f->old_wine = write_runner (f->dir, "old-wine", "wine-7.0 (Test)");
  f->new_wine = write_runner (f->dir, "new-wine", "wine-9.0 (Test)");
  prefix = g_build_filename (f->dir, "prefix", NULL);
  documents = g_build_filename (prefix, "drive_c", "users", "alice", "Documents", NULL);
  g_assert_cmpint (g_mkdir_with_parents (documents, 0755), ==, 0);
  exe = g_build_filename (prefix, "drive_c", "game.exe", NULL);
  g_assert_true (g_file_set_contents (exe, "MZ", -1, &error));

  library = sp_library_create_sync (f->dir, "Wine Library", &error);
  g_assert_no_error (error);
  info.runner = f->old_wine;
  game = sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_version (game), ==, "wine-7.0 (Test)");
  /* The player's runner plays it (no question about the drive's). */
  sp_game_set_runner (game, NULL);
  g_assert_true (sp_game_save_sync (game, &error));
  g_clear_pointer (&documents, g_free);
  documents = g_build_filename (sp_game_get_base_path (game), "drive_c", "users", "alice",
                                "Documents", NULL);
  g_assert_cmpint (g_rmdir (documents), ==, 0);
  g_assert_cmpint (symlink (g_get_home_dir (), documents), ==, 0);

  f->settings = g_settings_new (APP_ID);
  g_settings_set_boolean (f->settings, "show-demo-library", FALSE);
  g_settings_set_strv (f->settings, "library-folders", NULL);
  g_settings_set_string (f->settings, "default-wine-runner", f->old_wine);
  g_setenv ("SAVEPOINT_LIBRARY", f->dir, TRUE);

  f->monitor = sp_library_monitor_new (f->settings);
  f->player = sp_player_new (f->settings);
  f->window = sp_window_new (NULL, f->settings, f->monitor, f->player);
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
  ui_test_wait (libraries_loaded, f, 30, "the library to load");
  f->library = g_list_model_get_item (sp_library_monitor_get_libraries (f->monitor), 0);
  f->game = g_object_ref (sp_library_find_game (f->library, "Wine Quest"));
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
  g_settings_reset (f->settings, "default-wine-runner");
  g_clear_object (&f->settings);
  g_unsetenv ("SAVEPOINT_LIBRARY");
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->old_wine);
  g_free (f->new_wine);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
widget_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static gboolean
message_dialog_shown (gpointer data)
{
  return ui_test_find_message_dialog (NULL) != NULL;
}

static gboolean
is_real_dir (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static void
test_repair_row (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *documents = g_build_filename (sp_game_get_base_path (f->game), "drive_c",
                                                 "users", "alice", "Documents", NULL);
  g_autofree char *lock_path = sp_game_lock_path (f->game);
  g_autoptr(GError) error = NULL;
  GtkWidget *group;
  GtkWidget *button;

  sp_window_open_game (f->window, f->game);
  group = find_descendant (GTK_WIDGET (sp_window_get_game_page (f->window)),
                           SP_TYPE_WINE_REPAIR_GROUP);
  g_assert_nonnull (group);
  ui_test_wait (widget_visible, group, 30, "the repair row to show");
  button = find_descendant (group, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);

  /* While the game is played (its lock held), the repair fails, saying so. */
  {
    g_autoptr(SpLock) lock = sp_lock_acquire (lock_path, "Wine Quest", &error);
    AdwMessageDialog *dialog;

    g_assert_no_error (error);
    g_signal_emit_by_name (button, "clicked");
    ui_test_wait (message_dialog_shown, NULL, 30, "the repair error");
    dialog = ui_test_find_message_dialog (NULL);
    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "played"));
    ui_test_answer (dialog, adw_message_dialog_get_close_response (dialog));
    g_assert_true (gtk_widget_get_visible (group));
    g_assert_false (is_real_dir (documents));
  }

  g_signal_emit_by_name (button, "clicked");
  ui_test_wait (widget_hidden, group, 30, "the repair to finish");
  g_assert_true (is_real_dir (documents));
  g_assert_false (sp_wine_repair_is_needed (f->game));
}

static gboolean
session_gone (gpointer data)
{
  Fixture *f = data;
  GtkWidget *keep = sp_window_get_keep_dialog (f->window);

  if (keep != NULL && SP_IS_KEEP_DIALOG (keep))
    ui_test_answer (ADW_MESSAGE_DIALOG (keep), "discard");
  return sp_window_get_session (f->window, f->game) == NULL;
}

/* The question about an update that did not finish, or NULL. */
static AdwMessageDialog *
find_unfinished_question (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)),
                     "Update Did Not Finish") == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
session_started_or_unfinished_asked (gpointer data)
{
  Fixture *f = data;

  return sp_window_get_session (f->window, f->game) != NULL || find_unfinished_question () != NULL;
}

static gboolean
session_started_or_asked (gpointer data)
{
  Fixture *f = data;

  return sp_window_get_session (f->window, f->game) != NULL || message_dialog_shown (NULL);
}

static void
test_version_question (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *no_fuse = tc_fuse_unusable_reason ();
  AdwMessageDialog *dialog;

  if (no_fuse != NULL)
    {
      g_test_skip (no_fuse);
      return;
    }

  /* Another Wine: asked; Cancel starts nothing. */
  g_settings_set_string (f->settings, "default-wine-runner", f->new_wine);
  sp_window_play_game (f->window, f->game);
  ui_test_wait (session_started_or_asked, f, 30, "the Wine question");
  g_assert_null (sp_window_get_session (f->window, f->game));
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "wine-9.0 (Test)"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "every checkpoint"));
  ui_test_answer (dialog, "cancel");
  ui_test_flush ();
  g_assert_null (sp_window_get_session (f->window, f->game));

  /* Play Anyway plays. */
  sp_window_play_game (f->window, f->game);
  ui_test_wait (session_started_or_asked, f, 30, "the Wine question");
  ui_test_answer (ui_test_find_message_dialog (NULL), "play");
  g_assert_nonnull (sp_window_get_session (f->window, f->game));
  ui_test_wait (session_gone, f, 120, "the run to end");

  /* The same Wine: no question. */
  g_settings_set_string (f->settings, "default-wine-runner", f->old_wine);
  sp_window_play_game (f->window, f->game);
  ui_test_wait (session_started_or_asked, f, 30, "the game to start");
  g_assert_null (ui_test_find_message_dialog (NULL));
  ui_test_wait (session_gone, f, 120, "the run to end");
}

static gboolean
session_started (gpointer data)
{
  Fixture *f = data;

  return sp_window_get_session (f->window, f->game) != NULL;
}

/* "Update Clean Install" updates base/ with the new Wine (a script: its
 * wineboot does nothing), records its version, then plays; an update that
 * did not finish is offered to be finished before playing. */
static void
test_update_clean_install (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *no_fuse = tc_fuse_unusable_reason ();
  g_autofree char *marker = NULL;
  g_autofree char *upper_file = NULL;
  g_autofree char *applied = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  if (no_fuse != NULL)
    {
      g_test_skip (no_fuse);
      return;
    }

  g_settings_set_string (f->settings, "default-wine-runner", f->new_wine);
  sp_window_play_game (f->window, f->game);
  ui_test_wait (session_started_or_asked, f, 30, "the Wine question");
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "wine-9.0 (Test)"));
  g_assert_true (adw_message_dialog_has_response (dialog, "update"));
  ui_test_answer (dialog, "update");
  ui_test_wait (session_started, f, 120, "the update, then the game");
  g_assert_cmpstr (sp_game_get_wine_version (f->game), ==, "wine-9.0 (Test)");
  ui_test_wait (session_gone, f, 120, "the run to end");
  g_assert_null (sp_wine_update_get_pending (f->game));
  {
    AdwMessageDialog *left = ui_test_find_message_dialog (NULL);

    if (left != NULL)
      g_test_message ("still shown after the run: %s", adw_message_dialog_get_heading (left));
  }

  /* An update cut short while applying: asked before playing. */
  marker = g_build_filename (sp_game_get_path (f->game), "wine-update.ini", NULL);
  g_assert_true (g_file_set_contents (marker, "[WineUpdate]\nVersion=wine-9.0 (Test)\n"
                                      "Stage=apply\n", -1, &error));
  g_assert_no_error (error);
  upper_file = g_build_filename (sp_game_get_path (f->game), "wine-update", "upper",
                                 "applied.txt", NULL);
  tc_write (sp_game_get_path (f->game), "wine-update/upper/applied.txt", "yes");
  sp_window_play_game (f->window, f->game);
  /* (Waiting for that question: another dialog of the first part may not
   * be gone yet.) */
  ui_test_wait (session_started_or_unfinished_asked, f, 30, "the unfinished update question");
  dialog = find_unfinished_question ();
  g_assert_nonnull (dialog);
  g_assert_null (sp_window_get_session (f->window, f->game));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "did not finish"));
  ui_test_answer (dialog, "update");
  ui_test_wait (session_started, f, 120, "the update, then the game");
  applied = tc_read (sp_game_get_base_path (f->game), "applied.txt");
  g_assert_cmpstr (applied, ==, "yes");
  g_assert_false (g_file_test (upper_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  ui_test_wait (session_gone, f, 120, "the run to end");
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/wine/repair-row", Fixture, NULL, fixture_setup, test_repair_row,
              fixture_teardown);
  g_test_add ("/ui/wine/version-question", Fixture, NULL, fixture_setup, test_version_question,
              fixture_teardown);
  g_test_add ("/ui/wine/update-clean-install", Fixture, NULL, fixture_setup,
              test_update_clean_install, fixture_teardown);
  return ui_test_run ();
}
