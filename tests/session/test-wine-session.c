/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A Windows "game" under real Wine: a fresh prefix made by wineboot is the
 * clean install; the first run writes a save under the user's AppData and a
 * registry value (wine cmd /c … && reg add …); it is kept; a second run sees
 * both. Skipped only when Wine is not installed. */
#include "config.h"

#include <glib/gstdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "play/sp-play.h"
#include "play/sp-run.h"
#include "play/sp-session.h"
#include "sp-test-common.h"

#define WINE_OVERRIDES "mscoree,mshtml="

/* Runs a Wine tool on @prefix as the user name @user (NULL: ours). */
static void
run_tool_as (const char         *prefix,
             const char         *user,
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
  if (user != NULL)
    {
      envp = g_environ_setenv (envp, "USER", user, TRUE);
      envp = g_environ_setenv (envp, "LOGNAME", user, TRUE);
    }
  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("%s failed: %s %s", argv[0], out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Skips the test when Wine is not installed. */
static gboolean
wine_missing (void)
{
  g_autofree char *wine = g_find_program_in_path ("wine");

  if (wine == NULL)
    g_test_skip ("Wine is not installed (apt-get install wine wine64)");
  return wine == NULL;
}

/* A new library on a temporary drive, and a fresh prefix on that drive
 * made by wineboot as the user name @user (NULL: ours). */
static SpLibrary *
new_library_with_prefix (const char  *user,
                         char       **out_drive,
                         char       **out_prefix)
{
  const char *wineboot[] = { "wineboot", "-i", NULL };
  const char *wineserver_wait[] = { "wineserver", "-w", NULL };
  g_autoptr(GError) error = NULL;
  SpLibrary *library;

  *out_drive = g_dir_make_tmp ("sp-test-wine-XXXXXX", &error);
  g_assert_no_error (error);
  library = sp_library_create_sync (*out_drive, "Wine Drive", &error);
  g_assert_no_error (error);
  *out_prefix = g_build_filename (*out_drive, "prefix", NULL);
  run_tool_as (*out_prefix, user, wineboot);
  run_tool_as (*out_prefix, user, wineserver_wait);
  return library;
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

/* Finds the AppData\Roaming folder of the prefix's user in @root. */
static char *
find_roaming (const char *root)
{
  g_autofree char *users = g_build_filename (root, "drive_c", "users", NULL);
  g_autoptr(GDir) dir = g_dir_open (users, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *roaming = g_build_filename (users, name, "AppData", "Roaming", NULL);

      if (g_strcmp0 (name, "Public") != 0 && g_file_test (roaming, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&roaming);
    }
  return NULL;
}

static gint64 finishing_since;

static void
state_cb (SpSession  *session,
          GParamSpec *pspec,
          gpointer    user_data)
{
  if (sp_session_get_state (session) == SP_SESSION_STATE_FINISHING)
    finishing_since = g_get_monotonic_time ();
}

static SpSession *
play (SpLibrary *library,
      SpGame    *game,
      gint64    *out_total_usec)
{
  g_autoptr(SpSession) session = sp_session_new (library, game);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  g_signal_connect (session, "notify::state", G_CALLBACK (state_cb), NULL);
  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_start_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  while (sp_session_get_summary (session) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (sp_session_get_error (session));
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FINISHED);
  if (sp_session_get_summary (session)->exit_status != 0)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (sp_session_get_log_path (session), &log, NULL, NULL);
      g_test_message ("the run exited with %d; its log: %s",
                      sp_session_get_summary (session)->exit_status, log);
    }
  if (out_total_usec)
    *out_total_usec = g_get_monotonic_time () - t0;
  return g_steal_pointer (&session);
}

static void
test_wine_save_and_registry (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *drive = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) first = NULL;
  g_autoptr(SpSession) second = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *roaming = NULL;
  g_autofree char *save = NULL;
  g_autofree char *save_path = NULL;
  g_autofree char *user_reg = NULL;
  g_autofree char *log = NULL;
  const char *write_args[] = { "/c", "echo", "saved>%APPDATA%\\savepoint-save.txt", "&&",
                               "reg", "add", "HKCU\\Software\\Savepoint", "/v", "Counter",
                               "/d", "1", "/f", NULL };
  const char *read_args[] = { "/c", "type", "%APPDATA%\\savepoint-save.txt", "&&",
                              "reg", "query", "HKCU\\Software\\Savepoint", "/v", "Counter", NULL };
  const char *env[] = { "WINEDEBUG=-all", "WINEDLLOVERRIDES=" WINE_OVERRIDES, NULL };
  SpGameInfo info = {
    .name = "Wine Test",
    .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c/windows/system32/cmd.exe",
    .arguments = write_args,
    .environment = env,
  };
  gint64 t0, total;
  GStatBuf st;
  const SpSessionSummary *summary;

  if (wine_missing ())
    return;

  /* The clean install: a fresh prefix, adopted into the library. */
  t0 = g_get_monotonic_time ();
  library = new_library_with_prefix (NULL, &drive, &prefix);
  g_test_message ("wineboot -i: %.1f s", (g_get_monotonic_time () - t0) / 1e6);

  game = sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_ADOPT, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Run 1: save file under AppData and a registry value. */
  {
    gint64 wall0 = g_get_real_time ();

    first = play (library, game, &total);
    summary = sp_session_get_summary (first);
    g_assert_cmpint (summary->exit_status, ==, 0);

    roaming = find_roaming (sp_run_get_upper_path (sp_session_get_run (first)));
    g_assert_nonnull (roaming);
    save_path = g_build_filename (roaming, "savepoint-save.txt", NULL);
    g_assert_true (g_file_get_contents (save_path, &save, NULL, NULL));
    g_assert_nonnull (strstr (save, "saved"));
    g_assert_cmpint (g_stat (save_path, &st), ==, 0);

    /* wineserver writes the registry when it exits, after the game: the
     * session waited for it. */
    {
      g_autofree char *reg_path = g_build_filename (sp_run_get_upper_path (sp_session_get_run (first)),
                                                    "user.reg", NULL);
      g_assert_true (g_file_get_contents (reg_path, &user_reg, NULL, NULL));
      g_assert_nonnull (strstr (user_reg, "Savepoint"));
      g_assert_nonnull (strstr (user_reg, "\"Counter\"=\"1\""));
    }

    g_test_message ("wine: play to exec of wine %.2f s; play to the game's first write %.2f s; "
                    "whole session (incl. wineserver linger) %.2f s; %" G_GUINT64_FORMAT " files, %"
                    G_GUINT64_FORMAT " bytes changed",
                    summary->launch_usec / 1e6,
                    ((gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 - wall0) / 1e6,
                    total / 1e6, summary->files_added + summary->files_changed, summary->bytes);
  }

  t0 = g_get_monotonic_time ();
  sp_session_keep_async (first, "after run 1", NULL, NULL, NULL, tc_store_result_cb, &result);
  checkpoint = sp_session_keep_finish (first, tc_wait_for (&result), &error);
  g_assert_no_error (error);
  g_test_message ("wine: last process exit to checkpoint saved %.2f s (unmount and count %.2f s, "
                  "pack and save %.2f s); checkpoint %" G_GUINT64_FORMAT
                  " bytes (%" G_GUINT64_FORMAT " files, %" G_GUINT64_FORMAT " bytes unpacked)",
                  (g_get_monotonic_time () - finishing_since) / 1e6,
                  (t0 - finishing_since) / 1e6,
                  (g_get_monotonic_time () - t0) / 1e6,
                  sp_checkpoint_get_archive_size (checkpoint),
                  sp_checkpoint_get_files (checkpoint), sp_checkpoint_get_bytes (checkpoint));
  g_assert_cmpstr (sp_game_get_head (game), ==, sp_checkpoint_get_id (checkpoint));

  /* Run 2 sees both. */
  sp_game_set_arguments (game, read_args);
  second = play (library, game, NULL);
  g_assert_cmpint (sp_session_get_summary (second)->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (sp_session_get_log_path (second), &log, NULL, NULL));
  g_test_message ("second run log: %s", log);
  g_assert_nonnull (strstr (log, "saved"));
  g_assert_nonnull (strstr (log, "Counter"));
  g_assert_nonnull (strstr (log, "REG_SZ"));
  discard (second);

  /* The prefix's own dosdevices/z: → / link: an executable through it is
   * refused beneath the mount (openat2 RESOLVE_BENEATH; RESOLVE_IN_ROOT
   * would re-root it and check another file than Wine runs). */
  {
    g_autofree char *z = g_build_filename (sp_game_get_base_path (game), "dosdevices", "z:", NULL);
    g_autoptr(SpSession) refused = sp_session_new (library, game);
    g_autoptr(GAsyncResult) refused_result = NULL;

    g_assert_true (g_file_test (z, G_FILE_TEST_IS_SYMLINK));
    sp_game_set_executable (game, "dosdevices/z:/bin/sh");
    sp_session_start_async (refused, NULL, tc_store_result_cb, &refused_result);
    g_assert_false (sp_session_start_finish (refused, tc_wait_for (&refused_result), &error));
    g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_CANNOT_START);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "outside the game"));
    g_clear_error (&error);
  }

  g_clear_object (&game);
  g_clear_object (&library);
  sp_remove_tree (drive, NULL, NULL);
}

/* A prefix made by "alice" is played by "bob" (and then by "carol"): Wine
 * keeps using alice's profile, so the save lands there and the next player
 * finds it. */
static void
test_wine_profile_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *drive = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *alice = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) first = NULL;
  g_autoptr(SpSession) second = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *save = NULL;
  g_autofree char *log = NULL;
  g_autofree char *bob_profile = NULL;
  g_autofree char *old_user = g_strdup (g_getenv ("USER"));
  g_autofree char *old_logname = g_strdup (g_getenv ("LOGNAME"));
  const char *write_args[] = { "/c", "echo", "%USERPROFILE%>%APPDATA%\\who-saved.txt", NULL };
  const char *read_args[] = { "/c", "type", "%APPDATA%\\who-saved.txt", NULL };
  const char *env[] = { "WINEDEBUG=-all", "WINEDLLOVERRIDES=" WINE_OVERRIDES, NULL };
  SpGameInfo info = {
    .name = "Wine Profile",
    .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c/windows/system32/cmd.exe",
    .arguments = write_args,
    .environment = env,
  };

  if (wine_missing ())
    return;

  library = new_library_with_prefix ("alice", &drive, &prefix);
  alice = g_build_filename (prefix, "drive_c", "users", "alice", NULL);
  g_assert_true (g_file_test (alice, G_FILE_TEST_IS_DIR));

  game = sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_ADOPT, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_user (game), ==, "alice");

  /* bob plays: the save is in alice's profile of the run. */
  g_setenv ("USER", "bob", TRUE);
  g_setenv ("LOGNAME", "bob", TRUE);
  first = play (library, game, NULL);
  g_assert_cmpint (sp_session_get_summary (first)->exit_status, ==, 0);
  {
    const char *upper = sp_run_get_upper_path (sp_session_get_run (first));
    g_autofree char *save_path = g_build_filename (upper, "drive_c", "users", "alice", "AppData",
                                                   "Roaming", "who-saved.txt", NULL);

    bob_profile = g_build_filename (upper, "drive_c", "users", "bob", NULL);
    g_assert_true (g_file_get_contents (save_path, &save, NULL, NULL));
    g_test_message ("%%USERPROFILE%% as bob: %s", save);
    g_assert_nonnull (strstr (save, "C:\\users\\alice"));
    g_assert_false (g_file_test (bob_profile, G_FILE_TEST_EXISTS));
  }
  sp_session_keep_async (first, "bob's save", NULL, NULL, NULL, tc_store_result_cb, &result);
  checkpoint = sp_session_keep_finish (first, tc_wait_for (&result), &error);
  g_assert_no_error (error);

  /* carol plays next and finds bob's save. */
  g_setenv ("USER", "carol", TRUE);
  g_setenv ("LOGNAME", "carol", TRUE);
  sp_game_set_arguments (game, read_args);
  second = play (library, game, NULL);
  g_assert_cmpint (sp_session_get_summary (second)->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (sp_session_get_log_path (second), &log, NULL, NULL));
  g_test_message ("second run log: %s", log);
  g_assert_nonnull (strstr (log, "C:\\users\\alice"));
  discard (second);

  if (old_user != NULL)
    g_setenv ("USER", old_user, TRUE);
  else
    g_unsetenv ("USER");
  if (old_logname != NULL)
    g_setenv ("LOGNAME", old_logname, TRUE);
  else
    g_unsetenv ("LOGNAME");
  g_clear_object (&game);
  g_clear_object (&library);
  sp_remove_tree (drive, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("sp-test-wine-state-XXXXXX", &error);
  g_autofree char *state = g_build_filename (root, "state", NULL);
  g_autofree char *runtime = g_build_filename (root, "runtime", NULL);
  int ret;

  g_mkdir (runtime, 0700);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");

  g_test_init (&argc, &argv, NULL);
  /* Where we may, keep our mounts in a mount namespace of our own. */
  tc_private_mount_namespace ();
  g_test_add_func ("/session/wine/save-and-registry", test_wine_save_and_registry);
  g_test_add_func ("/session/wine/profile-name", test_wine_profile_name);
  ret = g_test_run ();
  sp_remove_tree (root, NULL, NULL);
  return ret;
}
