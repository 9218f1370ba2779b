/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Updating a Wine game's clean install with another Wine (issue 13, item
 * 3) under real Wine and a real FUSE overlay: a prefix made by wineboot,
 * made to look older (an old .update-timestamp, WineVersion=wine-7.0), is
 * updated once in base/; a session afterwards updates nothing; the update
 * is refused while a run waits; an apply cut short is finished, and no
 * session starts until it is; refused on exFAT; savepoint-cli update-wine as
 * uid 1500.
 * Skipped when Wine or FUSE is missing. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "common/sp-upper-dir.h"
#include "common/sp-util.h"
#include "core/sp-wine-prefix.h"
#include "play/sp-play.h"
#include "sp-test-common.h"

#define WINE_OVERRIDES "mscoree,mshtml="
/* What an older Wine leaves: the time of another wine.inf. */
#define OLD_TIMESTAMP  "1000000000\n"

static void
run_tool (const char         *prefix,
          const char * const *argv)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  envp = g_environ_setenv (envp, "WINEPREFIX", prefix, TRUE);
  envp = g_environ_setenv (envp, "WINEDLLOVERRIDES", WINE_OVERRIDES, TRUE);
  envp = g_environ_setenv (envp, "WINEDEBUG", "-all", TRUE);
  /* Wine's own processes outlive the tool: they get no pipe of ours. */
  g_spawn_sync (NULL, (char **) argv, envp,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL |
                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Runs savepoint-cli with @args; its exit status. */
static int
run_cli (const char * const *args,
         char              **out_stdout,
         char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                out_stdout, out_stderr, &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static gboolean
cannot_run (void)
{
  g_autofree char *wine = g_find_program_in_path ("wine");
  g_autofree char *fuse = tc_fuse_unusable_reason ();

  if (wine == NULL)
    g_test_skip ("Wine is not installed (apt-get install wine wine64)");
  else if (fuse != NULL)
    g_test_skip (fuse);
  return wine == NULL || fuse != NULL;
}

/* A session of @game running cmd /c exit, finished: the caller discards. */
static SpSession *
play (SpLibrary *library,
      SpGame    *game)
{
  g_autoptr(SpSession) session = sp_session_new (library, game);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_start_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  while (sp_session_get_summary (session) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (sp_session_get_error (session));
  return g_steal_pointer (&session);
}

static void
discard (SpSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_session_discard_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_discard_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
}

/* WineVersion= as game.ini on the drive says it now. */
static char *
version_on_drive (SpGame *game)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) again = sp_game_load (sp_game_get_path (game), FALSE, &error);

  g_assert_no_error (error);
  return g_strdup (sp_game_get_wine_version (again));
}

static void
assert_no_update_left (SpGame *game)
{
  g_autofree char *marker = g_build_filename (sp_game_get_path (game), "wine-update.ini", NULL);
  g_autofree char *work = g_build_filename (sp_game_get_path (game), "wine-update", NULL);

  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (work, G_FILE_TEST_EXISTS));
}

/* A library on @drive with a Wine game whose clean install, made by this
 * Wine (`wineboot -i`), looks like an older Wine's: an old
 * .update-timestamp and WineVersion=wine-7.0. @out_fresh_stamp: the stamp
 * this Wine wrote. */
static SpGame *
add_old_wine_game (const char  *drive,
                   SpLibrary  **out_library,
                   char       **out_fresh_stamp)
{
  static const char *exit_args[] = { "/c", "exit", NULL };
  static const char *env[] = { "WINEDEBUG=-all", "WINEDLLOVERRIDES=" WINE_OVERRIDES, NULL };
  const char *wineboot[] = { "wineboot", "-i", NULL };
  const char *wineserver_wait[] = { "wineserver", "-w", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = g_build_filename (drive, "prefix", NULL);
  g_autofree char *current = sp_wine_runner_get_version ("wine", NULL, NULL);
  g_autofree char *recorded = NULL;
  g_autoptr(SpGame) game = NULL;
  SpGameInfo info = {
    .name = "Old Wine",
    .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c/windows/system32/cmd.exe",
    .arguments = exit_args,
    .environment = env,
  };

  *out_library = sp_library_create_sync (drive, "Wine Drive", &error);
  g_assert_no_error (error);
  run_tool (prefix, wineboot);
  run_tool (prefix, wineserver_wait);
  *out_fresh_stamp = tc_read (prefix, ".update-timestamp");
  game = sp_library_add_game_sync (*out_library, &info, prefix, SP_ADD_MODE_ADOPT, NULL, NULL,
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_version (game), ==, current);
  tc_write (sp_game_get_base_path (game), ".update-timestamp", OLD_TIMESTAMP);
  sp_game_set_wine_version (game, "wine-7.0");
  g_assert_true (sp_game_save_sync (game, &error));
  g_assert_no_error (error);
  recorded = version_on_drive (game);
  g_assert_cmpstr (recorded, ==, "wine-7.0");
  return g_steal_pointer (&game);
}

static void
test_update (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *drive = NULL;
  g_autofree char *fresh_stamp = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *current = NULL;
  g_autofree char *version = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) session = NULL;
  const char *base;
  gboolean finished = TRUE;

  if (cannot_run ())
    return;

  current = sp_wine_runner_get_version ("wine", NULL, &error);
  g_assert_no_error (error);
  drive = g_dir_make_tmp ("sp-test-wine-update-XXXXXX", &error);
  g_assert_no_error (error);
  game = add_old_wine_game (drive, &library, &fresh_stamp);
  base = sp_game_get_base_path (game);

  /* Played as it is, this Wine updates the prefix in the run. */
  {
    g_autofree char *upper_text = NULL;
    g_autofree char *upper_windows = NULL;

    session = play (library, game);
    upper_text = tc_read (sp_run_get_upper_path (sp_session_get_run (session)),
                          ".update-timestamp");
    g_assert_cmpstr (upper_text, ==, fresh_stamp);
    upper_windows = g_build_filename (sp_run_get_upper_path (sp_session_get_run (session)),
                                      "drive_c", "windows", NULL);
    g_assert_true (g_file_test (upper_windows, G_FILE_TEST_EXISTS));
    discard (session);
    g_clear_object (&session);
  }

  /* Refused while a run of the game waits to be kept or discarded. */
  {
    g_autoptr(SpRun) pending = sp_run_create (sp_library_get_id (library),
                                              sp_library_get_path (library),
                                              sp_game_get_slug (game), sp_game_get_name (game),
                                              NULL, &error);

    g_assert_no_error (error);
    /* Its game has finished: it waits for a decision. */
    sp_run_set_ended (pending, 0, 1);
    sp_run_set_status (pending, SP_RUN_STATUS_FINISHED);
    g_assert_true (sp_run_save (pending, &error));
    g_assert_no_error (error);
    version = sp_wine_update_sync (library, game, "wine", NULL, NULL, &error);
    g_assert_null (version);
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS);
    g_test_message ("refused: %s", error->message);
    g_clear_error (&error);
    stamp = tc_read (base, ".update-timestamp");
    g_assert_cmpstr (stamp, ==, OLD_TIMESTAMP);
    g_clear_pointer (&stamp, g_free);
    assert_no_update_left (game);
    g_assert_true (sp_run_remove_dir (pending, NULL, &error));
    g_assert_no_error (error);
  }

  /* Refused while the game is played (its lock is held). */
  {
    g_autofree char *lock_path = sp_game_lock_path (game);
    g_autoptr(SpLock) lock = sp_lock_acquire (lock_path, "test", &error);

    g_assert_no_error (error);
    version = sp_wine_update_sync (library, game, "wine", NULL, NULL, &error);
    g_assert_null (version);
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE);
    g_clear_error (&error);
    assert_no_update_left (game);
  }

  /* The update: base/ gets this Wine's update, game.ini its version. */
  version = sp_wine_update_sync (library, game, "wine", &finished, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, current);
  g_assert_false (finished);
  g_assert_cmpstr (sp_game_get_wine_version (game), ==, current);
  recorded = version_on_drive (game);
  g_assert_cmpstr (recorded, ==, current);
  stamp = tc_read (base, ".update-timestamp");
  g_assert_cmpstr (stamp, ==, fresh_stamp);
  g_assert_true (g_file_test (base, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *system_reg = g_build_filename (base, "system.reg", NULL);
    g_autofree char *cmd = g_build_filename (base, "drive_c", "windows", "system32", "cmd.exe",
                                             NULL);

    g_assert_true (g_file_test (system_reg, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (cmd, G_FILE_TEST_IS_REGULAR));
  }
  assert_no_update_left (game);

  /* The versions agree now: a session of this Wine updates nothing. */
  {
    g_autofree char *other = sp_wine_runner_differs (sp_game_get_wine_version (game), "wine",
                                                     NULL);
    g_autofree char *upper_stamp = NULL;
    g_autofree char *upper_windows = NULL;

    g_assert_null (other);
    session = play (library, game);
    upper_stamp = g_build_filename (sp_run_get_upper_path (sp_session_get_run (session)),
                                    ".update-timestamp", NULL);
    /* Wine opens the stamp for writing at every start (a copy-up), but
     * it finds nothing to update: the stamp as in base/, no new files. */
    if (g_file_test (upper_stamp, G_FILE_TEST_EXISTS))
      {
        g_autofree char *upper_text = NULL;

        g_assert_true (g_file_get_contents (upper_stamp, &upper_text, NULL, NULL));
        g_assert_cmpstr (upper_text, ==, fresh_stamp);
      }
    upper_windows = g_build_filename (sp_run_get_upper_path (sp_session_get_run (session)),
                                      "drive_c", "windows", NULL);
    g_assert_false (g_file_test (upper_windows, G_FILE_TEST_EXISTS));
    discard (session);
  }

  /* The CLI: nothing left to update. */
  {
    const char *args[] = { "--library", drive, "update-wine", "Old Wine", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_test_message ("%s%s", out, err);
    g_assert_nonnull (strstr (out, "Nothing to update"));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "--help", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "update-wine"));
  }

  sp_remove_tree (drive, NULL, NULL);
}

/* An apply cut short: the marker at Stage=apply and what is left of the
 * upper. No session starts; the next update finishes it. */
static void
test_interrupted (void)
{
  const char *exit_args[] = { "/c", "exit", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *drive = NULL;
  g_autofree char *source = NULL;
  g_autofree char *version = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  gboolean finished = FALSE;
  const char *base;
  char value[4] = { 0 };
  SpGameInfo info = {
    .name = "Cut Short",
    .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c/windows/system32/cmd.exe",
    .arguments = exit_args,
  };

  if (cannot_run ())
    return;

  /* A small stand-in for a prefix: the apply does not need Wine. */
  drive = g_dir_make_tmp ("sp-test-wine-update-XXXXXX", &error);
  g_assert_no_error (error);
  library = sp_library_create_sync (drive, "Wine Drive", &error);
  g_assert_no_error (error);
  source = g_build_filename (drive, "prefix", NULL);
  tc_write (source, "drive_c/windows/system32/cmd.exe", "MZ");
  tc_write (source, "drive_c/doomed.txt", "old");
  tc_write (source, "drive_c/kept.txt", "kept");
  tc_write (source, "olddir/a", "a");
  tc_write (source, "system.reg", "old registry");
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_ADOPT, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  base = sp_game_get_base_path (game);

  /* Wine had written the upper, and the apply had begun: system.reg is in
   * base/ already, the rest is still in the upper. */
  tc_write (sp_game_get_path (game), "wine-update.ini",
            "[WineUpdate]\nVersion=wine-99.0 (Test)\nStage=apply\n");
  upper = g_build_filename (sp_game_get_path (game), "wine-update", "upper", NULL);
  tc_write (base, "system.reg", "new registry");
  tc_write (upper, "drive_c/new.txt", "new");
  tc_write (upper, "drive_c/kept.txt", "replaced");
  tc_write (upper, "drive_c/.wh.doomed.txt", "");
  tc_write (upper, "olddir/b", "b");
  path = g_build_filename (upper, "olddir", NULL);
  g_assert_cmpint (lsetxattr (path, SP_UPPER_OPAQUE_XATTR, "y", 1, 0), ==, 0);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (upper, ".update-timestamp", NULL);
  g_assert_cmpint (mknod (path, S_IFCHR | 0600, makedev (0, 0)), ==, 0);
  g_clear_pointer (&path, g_free);
  tc_write (base, ".update-timestamp", OLD_TIMESTAMP);

  pending = sp_wine_update_get_pending (game);
  g_assert_cmpstr (pending, ==, "wine-99.0 (Test)");

  /* No session while the clean install is half updated. */
  {
    g_autoptr(SpSession) session = sp_session_new (library, game);
    g_autoptr(GAsyncResult) result = NULL;

    sp_session_start_async (session, NULL, tc_store_result_cb, &result);
    g_assert_false (sp_session_start_finish (session, tc_wait_for (&result), &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY);
    g_test_message ("refused: %s", error->message);
    g_assert_nonnull (strstr (error->message, "savepoint-cli update-wine cut-short"));
    g_clear_error (&error);
  }

  /* The next update finishes it with the Wine that started it. */
  version = sp_wine_update_sync (library, game, "wine", &finished, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, "wine-99.0 (Test)");
  g_assert_true (finished);
  recorded = version_on_drive (game);
  g_assert_cmpstr (recorded, ==, "wine-99.0 (Test)");
  assert_no_update_left (game);
  g_assert_null (sp_wine_update_get_pending (game));
  {
    g_autofree char *text = NULL;

    text = tc_read (base, "system.reg");
    g_assert_cmpstr (text, ==, "new registry");
    g_free (text);
    text = tc_read (base, "drive_c/new.txt");
    g_assert_cmpstr (text, ==, "new");
    g_free (text);
    text = tc_read (base, "drive_c/kept.txt");
    g_assert_cmpstr (text, ==, "replaced");
    g_free (text);
    text = tc_read (base, "olddir/b");
    g_assert_cmpstr (text, ==, "b");
  }
  path = g_build_filename (base, "drive_c", "doomed.txt", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&path, g_free);
  path = g_build_filename (base, "drive_c", ".wh.doomed.txt", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&path, g_free);
  path = g_build_filename (base, ".update-timestamp", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&path, g_free);
  /* The opaque folder replaced the old one whole, without its mark. */
  path = g_build_filename (base, "olddir", NULL);
  g_assert_cmpuint (tc_count_entries (path), ==, 1);
  g_assert_cmpint (lgetxattr (path, SP_UPPER_OPAQUE_XATTR, value, sizeof value), <, 0);
  g_clear_pointer (&path, g_free);

  /* Cut short while Wine ran: base/ was untouched, the leftover is thrown
   * away. (A Wine of the recorded version has nothing more to do.) */
  tc_write (sp_game_get_path (game), "wine-update.ini",
            "[WineUpdate]\nVersion=wine-98.0 (Test)\nStage=boot\n");
  tc_write (upper, "junk.txt", "half");
  /* base/ is as it was: playing is not refused. */
  g_assert_true (sp_wine_update_check_not_pending (sp_game_get_path (game), "Cut Short",
                                                   "cut-short", &error));
  g_assert_no_error (error);
  tc_write (drive, "fake-wine",
            "#!/bin/sh\n[ \"$1\" = --version ] && echo 'wine-99.0 (Test)'\nexit 0\n");
  g_clear_pointer (&path, g_free);
  path = g_build_filename (drive, "fake-wine", NULL);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  g_clear_pointer (&version, g_free);
  version = sp_wine_update_sync (library, game, path, &finished, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, "wine-99.0 (Test)");
  g_assert_false (finished);
  assert_no_update_left (game);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (base, "junk.txt", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&path, g_free);
  path = g_build_filename (upper, "junk.txt", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  sp_remove_tree (drive, NULL, NULL);
}

/* ---- On a drive without links ---- */

static gboolean
run_quiet (const char * const *argv,
           char              **out_stdout)
{
  int status = -1;

  return g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL |
                       (out_stdout == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0),
                       NULL, NULL, out_stdout, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* An exFAT image (exfat-fuse on a loop device, as tests/drives does): its
 * clean install keeps links in base.manifest, and the update is refused
 * with a clear message, changing nothing, also when the manifest is
 * missing (the drive is tried). */
static void
test_refused_on_exfat (void)
{
  const char *tools[] = { "truncate", "losetup", "mkfs.exfat", "mount.exfat-fuse", "umount",
                          NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autofree char *root = NULL;
  g_autofree char *image = NULL;
  g_autofree char *drive = NULL;
  g_autofree char *source = NULL;
  g_autofree char *runner = NULL;
  g_autofree char *loop = NULL;
  g_autofree char *dosdevices = NULL;
  g_autofree char *link = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *version = NULL;
  g_autofree char *recorded = NULL;
  SpGameInfo info = {
    .name = "On exFAT",
    .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c/game.exe",
  };

  if (cannot_run ())
    return;
  if (geteuid () != 0)
    {
      g_test_skip ("needs root: makes and mounts a file system image");
      return;
    }
  for (guint i = 0; tools[i] != NULL; i++)
    {
      g_autofree char *path = g_find_program_in_path (tools[i]);

      if (path == NULL)
        {
          g_autofree char *reason = g_strdup_printf ("%s is not installed", tools[i]);

          g_test_skip (reason);
          return;
        }
    }

  root = g_build_filename ("/var/tmp", "sp-test-wine-update-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (root));
  image = g_build_filename (root, "drive.img", NULL);
  drive = g_build_filename (root, "drive", NULL);
  g_assert_cmpint (g_mkdir (drive, 0755), ==, 0);
  {
    const char *truncate[] = { "truncate", "-s", "64M", image, NULL };
    const char *mkfs[] = { "mkfs.exfat", image, NULL };
    const char *losetup[] = { "losetup", "-f", "--show", image, NULL };

    g_assert_true (run_quiet (truncate, NULL));
    g_assert_true (run_quiet (mkfs, NULL));
    if (!run_quiet (losetup, &loop))
      {
        g_test_skip ("no loop device here: exfat-fuse needs one");
        sp_remove_tree (root, NULL, NULL);
        return;
      }
    g_strstrip (loop);
  }
  {
    const char *mount[] = { "mount.exfat-fuse", "-o", "uid=0,gid=0", loop, drive, NULL };

    g_assert_true (run_quiet (mount, NULL));
  }

  /* A stand-in prefix with a link only the manifest keeps there. */
  source = g_build_filename (root, "prefix", NULL);
  tc_write (source, "drive_c/game.exe", "MZ");
  dosdevices = g_build_filename (source, "dosdevices", NULL);
  g_assert_cmpint (g_mkdir (dosdevices, 0755), ==, 0);
  link = g_build_filename (dosdevices, "c:", NULL);
  g_assert_cmpint (symlink ("../drive_c", link), ==, 0);
  tc_write (root, "other-wine", "#!/bin/sh\n[ \"$1\" = --version ] && echo 'wine-99.0 (Test)'\n"
                                "exit 0\n");
  runner = g_build_filename (root, "other-wine", NULL);
  g_assert_cmpint (g_chmod (runner, 0755), ==, 0);
  info.runner = runner;
  library = sp_library_create_sync (drive, "exFAT Drive", &error);
  g_assert_no_error (error);
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  manifest = g_build_filename (sp_game_get_path (game), "base.manifest", NULL);
  g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
  sp_game_set_wine_version (game, "wine-7.0");
  g_assert_true (sp_game_save_sync (game, &error));
  g_assert_no_error (error);

  version = sp_wine_update_sync (library, game, runner, NULL, NULL, &error);
  g_assert_null (version);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "cannot store links"));
  g_clear_error (&error);
  assert_no_update_left (game);

  /* Without its manifest, the drive itself says so. */
  g_assert_cmpint (g_unlink (manifest), ==, 0);
  version = sp_wine_update_sync (library, game, runner, NULL, NULL, &error);
  g_assert_null (version);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  assert_no_update_left (game);
  recorded = version_on_drive (game);
  g_assert_cmpstr (recorded, ==, "wine-7.0");

  g_clear_object (&game);
  g_clear_object (&library);
  {
    const char *umount[] = { "umount", drive, NULL };
    const char *detach[] = { "losetup", "-d", loop, NULL };

    g_assert_true (run_quiet (umount, NULL));
    g_assert_true (run_quiet (detach, NULL));
  }
  sp_remove_tree (root, NULL, NULL);
}

/* ---- As a normal user ---- */

#define PLAYER_UID 1500

/* savepoint-cli update-wine as uid 1500 on a drive the player owns: the
 * overlay is mounted through fusermount3, Wine runs as the player. */
static void
test_update_as_player (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *root = NULL;
  g_autofree char *drive = NULL;
  g_autofree char *player = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *cli = NULL;
  g_autofree char *cli_name = NULL;
  g_autofree char *fresh_stamp = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *current = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *env_home = NULL;
  g_autofree char *env_state = NULL;
  g_autofree char *env_runtime = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  struct stat st;
  int status = -1;

  if (cannot_run ())
    return;
  reason = tc_player_mount_unusable_reason ();
  if (reason != NULL)
    {
      g_test_skip (reason);
      return;
    }

  /* Traversable by the player; not under /tmp, which may be private. */
  root = g_build_filename ("/var/tmp", "sp-test-wine-update-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (root));
  g_assert_cmpint (g_chmod (root, 0755), ==, 0);
  drive = g_build_filename (root, "drive", NULL);
  player = g_build_filename (root, "player", NULL);
  g_assert_cmpint (g_mkdir (drive, 0755), ==, 0);
  current = sp_wine_runner_get_version ("wine", NULL, &error);
  g_assert_no_error (error);
  game = add_old_wine_game (drive, &library, &fresh_stamp);

  env_home = g_strdup_printf ("HOME=%s/home", player);
  env_state = g_strdup_printf ("XDG_STATE_HOME=%s/state", player);
  env_runtime = g_strdup_printf ("XDG_RUNTIME_DIR=%s/runtime", player);
  for (const char * const *sub = (const char * const[]) { "home", "state", "runtime", NULL };
       *sub != NULL; sub++)
    {
      g_autofree char *dir = g_build_filename (player, *sub, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  /* A copy of the CLI where the player can run it. */
  bin = g_build_filename (player, "bin", NULL);
  cli_name = g_path_get_basename (g_getenv ("SP_CLI"));
  {
    const char *install[] = { "install", "-m", "0755", "-D", "-t", bin, g_getenv ("SP_CLI"),
                              NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) install, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  cli = g_build_filename (bin, cli_name, NULL);
  tc_chown_tree (player, PLAYER_UID);
  tc_chown_tree (drive, PLAYER_UID);

  {
    const char *argv[] = { "setpriv", "--reuid=" G_STRINGIFY (PLAYER_UID),
                           "--regid=" G_STRINGIFY (PLAYER_UID), "--clear-groups",
                           "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C.UTF-8",
                           env_home, env_state, env_runtime,
                           cli, "--library", drive, "update-wine", "Old Wine", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    g_test_message ("%s%s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "Updated the clean install"));
  }

  recorded = version_on_drive (game);
  g_assert_cmpstr (recorded, ==, current);
  stamp = tc_read (sp_game_get_base_path (game), ".update-timestamp");
  g_assert_cmpstr (stamp, ==, fresh_stamp);
  g_assert_cmpint (g_lstat (sp_game_get_base_path (game), &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, PLAYER_UID);
  assert_no_update_left (game);

  sp_remove_tree (root, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("sp-test-wine-update-state-XXXXXX", &error);
  g_autofree char *state = g_build_filename (root, "state", NULL);
  g_autofree char *runtime = g_build_filename (root, "runtime", NULL);
  int ret;

  g_mkdir (runtime, 0700);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");

  g_test_init (&argc, &argv, NULL);
  tc_private_mount_namespace ();
  g_test_add_func ("/session/wine-update/update", test_update);
  g_test_add_func ("/session/wine-update/interrupted", test_interrupted);
  g_test_add_func ("/session/wine-update/refused-on-exfat", test_refused_on_exfat);
  g_test_add_func ("/session/wine-update/as-player", test_update_as_player);
  ret = g_test_run ();
  sp_remove_tree (root, NULL, NULL);
  return ret;
}
