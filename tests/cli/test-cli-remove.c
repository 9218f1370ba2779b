/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Removing a game: into the drive's trash and back (sp_library_trash_game(),
 * sp_library_restore_game()), deleting its files, and `savepoint-cli
 * remove`; refused while the game runs, while it has a pending run, for a
 * game folder that is a link, and for a forged trash entry. */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sp-library-remove.h"
#include "play/sp-play.h"
#include "play/sp-game-remove.h"
#include "sp-test-common.h"

typedef struct
{
  char *out;
  char *err;
  int   status;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

/* savepoint-cli --library @drive ARGS… with the runs in $XDG_STATE_HOME of
 * this test. */
static void
run_cli (Result     *result,
         const char *drive,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "SAVEPOINT_LIBRARY");
  const char *arg;
  va_list args;
  int wait_status;

  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  g_ptr_array_add (argv, (char *) "--library");
  g_ptr_array_add (argv, (char *) drive);
  va_start (args, drive);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  result_clear (result);
  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                &result->out, &result->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
  if (g_test_verbose ())
    g_printerr ("# exit %d\n# out: %s\n# err: %s\n", result->status, result->out, result->err);
}

static void
test_trash_and_restore (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Quest");
  g_autoptr(SpGame) other = tc_add_game (library, source, "Other");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (sp_game_get_path (game));
  g_autofree char *entry = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *marker = NULL;
  g_autoptr(SpGame) back = NULL;
  g_autoptr(GPtrArray) trash = NULL;

  entry = sp_game_remove (library, game, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry, ==, "quest.removed");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 1);
  moved = g_build_filename (sp_library_get_path (library), "trash", entry, "game", NULL);
  marker = g_build_filename (sp_library_get_path (library), "trash", entry,
                             SP_REMOVED_GAME_MARKER, NULL);
  g_assert_true (g_file_test (marker, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *exe = g_build_filename (moved, "base", "game.exe", NULL);
    g_autofree char *lock = g_build_filename (moved, "session.lock", NULL);

    g_assert_true (g_file_test (exe, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }
  /* Emptying the checkpoint trash never touches a removed game. */
  g_assert_true (sp_drive_trash_expire (sp_library_get_path (library), NULL, NULL, 0, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (moved, G_FILE_TEST_IS_DIR));
  trash = sp_drive_trash_list (sp_library_get_path (library), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 0);

  /* Reopening the library does not list it. */
  {
    g_autoptr(SpLibrary) reopened = sp_library_open (drive, &error);

    g_assert_no_error (error);
    g_assert_null (sp_library_find_game (reopened, "quest"));
  }

  back = sp_library_restore_game (library, entry, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_slug (back), ==, "quest");
  g_assert_cmpstr (sp_game_get_name (back), ==, "Quest");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 2);
  {
    g_autofree char *dir = g_build_filename (sp_library_get_path (library), "trash", entry, NULL);
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  }
  /* Twice is refused (the entry is gone). */
  g_assert_null (sp_library_restore_game (library, entry, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A second removal while an entry of the same game waits gets another
   * name; restoring onto a taken name is refused and keeps the entry. */
  g_free (entry);
  entry = sp_game_remove (library, back, FALSE, &error);
  g_assert_no_error (error);
  {
    g_autofree char *again = NULL;
    g_autoptr(SpGame) taken = tc_add_game (library, source, "Quest");

    g_assert_cmpstr (sp_game_get_slug (taken), ==, "quest");
    g_assert_null (sp_library_restore_game (library, entry, &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
    g_clear_error (&error);
    g_assert_true (g_file_test (moved, G_FILE_TEST_IS_DIR));
    again = sp_game_remove (library, taken, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, "quest.removed.2");
  }

  tc_rmtree (drive);
}

static void
test_delete_files (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Quest");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (sp_game_get_path (game));
  g_autofree char *entry = NULL;
  g_autofree char *trash = g_build_filename (sp_library_get_path (library), "trash", NULL);

  entry = sp_game_remove (library, game, TRUE, &error);
  g_assert_no_error (error);
  g_assert_null (entry);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tc_count_entries (trash), ==, 0);
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 0);
  /* The source is untouched. */
  {
    g_autofree char *exe = g_build_filename (source, "game.exe", NULL);
    g_assert_true (g_file_test (exe, G_FILE_TEST_IS_REGULAR));
  }
  tc_rmtree (drive);
}

/* The game folder swapped for a link to a folder elsewhere after the
 * library was read: nothing is moved or deleted, the outside untouched. */
static void
test_symlink_refused (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Quest");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (sp_game_get_path (game));
  g_autofree char *aside = g_strconcat (path, "-aside", NULL);
  g_autofree char *entry = NULL;
  g_autofree char *trash = g_build_filename (sp_library_get_path (library), "trash", NULL);
  g_autofree char *victim = g_build_filename (drive, "victim", NULL);

  tc_write (victim, "base/precious", "do not delete");
  g_assert_cmpint (g_rename (path, aside), ==, 0);
  g_assert_cmpint (symlink (victim, path), ==, 0);

  for (int delete_files = 0; delete_files <= 1; delete_files++)
    {
      entry = sp_game_remove (library, game, delete_files, &error);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
      g_assert_null (entry);
      g_clear_error (&error);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
      {
        g_autofree char *precious = tc_read (victim, "base/precious");
        g_assert_cmpstr (precious, ==, "do not delete");
      }
      g_assert_cmpuint (tc_count_entries (trash), ==, 0);
    }

  /* A trash entry whose game folder is a link is not restored. */
  {
    g_autofree char *forged = g_build_filename (trash, "forged.removed", NULL);
    g_autofree char *link = g_build_filename (forged, "game", NULL);
    g_autofree char *target = g_build_filename (sp_library_get_games_path (library), "forged", NULL);

    tc_write (forged, SP_REMOVED_GAME_MARKER,
              "[RemovedGame]\nVersion=1\nGame=forged\nName=F\nRemoved=2026-01-01T00:00:00Z\n");
    g_assert_cmpint (symlink (victim, link), ==, 0);
    g_assert_null (sp_library_restore_game (library, "forged.removed", &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
    /* A marker naming a path instead of a slug, and an entry name with a
     * path in it, are refused too. */
    g_assert_cmpint (g_unlink (link), ==, 0);
    g_assert_cmpint (g_mkdir (link, 0755), ==, 0);
    tc_write (forged, SP_REMOVED_GAME_MARKER,
              "[RemovedGame]\nVersion=1\nGame=../../x\nName=F\nRemoved=2026-01-01T00:00:00Z\n");
    g_assert_null (sp_library_restore_game (library, "forged.removed", &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_null (sp_library_restore_game (library, "../trash/forged.removed", &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_true (g_file_test (link, G_FILE_TEST_IS_DIR));
  }
  tc_rmtree (drive);
}

/* A game being played (its lock held by a live process: this one) and a
 * game with a pending run are refused, by the API and by the CLI. */
static void
test_running_and_pending_refused (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Quest");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (sp_game_get_path (game));
  g_autofree char *lock_path = sp_game_lock_path (game);
  Result result = { 0 };

  {
    g_autoptr(SpLock) lock = sp_lock_acquire (lock_path, "Quest", &error);

    g_assert_no_error (error);
    g_assert_null (sp_game_remove (library, game, FALSE, &error));
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE);
    g_clear_error (&error);
    run_cli (&result, drive, "remove", "Quest", NULL);
    g_assert_cmpint (result.status, !=, 0);
    g_assert_nonnull (strstr (result.err, "is being played"));
    run_cli (&result, drive, "remove", "Quest", "--delete-files", NULL);
    g_assert_cmpint (result.status, !=, 0);
    g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  }

  {
    g_autoptr(SpRun) run = sp_run_create (sp_library_get_id (library), sp_library_get_path (library),
                                          "quest", "Quest", NULL, &error);

    g_assert_no_error (error);
    /* The run's owner (this process) is alive: "running". Once it is
     * not (the app quit with the run undecided) it is a pending run. */
    g_assert_null (sp_game_remove (library, game, TRUE, &error));
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE);
    g_clear_error (&error);
    run_cli (&result, drive, "remove", "Quest", "--delete-files", NULL);
    g_assert_cmpint (result.status, !=, 0);
    g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
    tc_rmtree (sp_run_get_path (run));
  }

  run_cli (&result, drive, "remove", "Quest", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "quest.removed"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  run_cli (&result, drive, "remove", "Quest", NULL);
  g_assert_cmpint (result.status, ==, 3);
  result_clear (&result);
  tc_rmtree (drive);
}

static void
test_cli_delete (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Quest");
  g_autofree char *path = g_strdup (sp_game_get_path (game));
  Result result = { 0 };

  run_cli (&result, drive, "--json", "remove", "Quest", "--delete-files", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "\"trash_entry\" : null"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  result_clear (&result);
  tc_rmtree (drive);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *state = NULL;

  g_test_init (&argc, &argv, NULL);
  /* The runs of this test in a folder of its own (before GLib caches the
   * user dirs). */
  state = tc_tmpdir ();
  g_setenv ("XDG_STATE_HOME", state, TRUE);

  g_test_add_func ("/remove/trash-and-restore", test_trash_and_restore);
  g_test_add_func ("/remove/delete-files", test_delete_files);
  g_test_add_func ("/remove/symlink-refused", test_symlink_refused);
  g_test_add_func ("/remove/running-and-pending-refused", test_running_and_pending_refused);
  g_test_add_func ("/remove/cli-delete", test_cli_delete);
  {
    int ret = g_test_run ();

    tc_rmtree (state);
    return ret;
  }
}
