/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The user folders of a Wine prefix live inside it (core/sp-wine-prefix.h):
 * adding a prefix replaces the links that leave it with empty folders in
 * the copy (never in the source), hostile links included; a batch file
 * that saves to Documents\My Games keeps the save in the checkpoint and
 * writes nothing into $HOME; an old-style clean install warns in the keep
 * summary until `savepoint-cli repair` fixes it, which it refuses while the
 * game is played; wineboot -u leaves the folders folders; the Wine version
 * that made the clean install is recorded and a different one is announced
 * before playing. Real Wine where installed (the rest runs without it). */
#include "config.h"

#include <glib/gstdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

#define WINE_OVERRIDES "mscoree,mshtml="

static char *fake_home;     /* $HOME of this test: wineboot links into it */
static char *wine_source;   /* a prefix made by wineboot -i, or NULL */
static char *wine_user;     /* its profile */

static const char *wine_env[] = { "WINEDEBUG=-all", "WINEDLLOVERRIDES=" WINE_OVERRIDES, NULL };

/* ---- helpers ---- */

static void
run_wine_tool (const char         *prefix,
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
  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("%s failed: %s %s", argv[0], out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* The shared wineboot prefix (made once), or NULL with the test skipped. */
static const char *
need_wine (void)
{
  g_autofree char *wine = g_find_program_in_path ("wine");
  const char *wineboot[] = { "wineboot", "-i", NULL };
  const char *wait[] = { "wineserver", "-w", NULL };
  g_auto(GStrv) users = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;

  if (wine == NULL)
    {
      g_test_skip ("Wine is not installed (apt-get install wine wine64)");
      return NULL;
    }
  if (wine_source != NULL)
    return wine_source;
  root = tc_tmpdir ();
  wine_source = g_build_filename (root, "prefix", NULL);
  run_wine_tool (wine_source, wineboot);
  run_wine_tool (wine_source, wait);
  users = sp_wine_prefix_list_users (wine_source, &error);
  g_assert_no_error (error);
  g_assert_nonnull (users[0]);
  wine_user = g_strdup (users[0]);
  /* The "game": a batch file that saves where many games do. */
  tc_write (wine_source, "drive_c/savegame.bat",
            "@echo off\r\n"
            "mkdir \"%USERPROFILE%\\Documents\\My Games\\Test\"\r\n"
            "echo saved> \"%USERPROFILE%\\Documents\\My Games\\Test\\save.txt\"\r\n");
  return wine_source;
}

/* Every path below @dir with its type, sorted: what a run may not change
 * in $HOME. */
static char *
describe_tree (const char *dir)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "sh", "-c", "cd \"$1\" && find . -printf '%y %p\\n' | LC_ALL=C sort",
                         "sh", dir, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static gboolean
is_real_dir (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static gboolean
is_link (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISLNK (st.st_mode);
}

static SpGame *
add_prefix (SpLibrary   *library,
            const char  *prefix,
            const char  *name,
            SpAddMode    mode,
            const char  *executable,
            const char * const *arguments)
{
  g_autoptr(GError) error = NULL;
  SpGameInfo info = {
    .name = name,
    .kind = SP_GAME_KIND_WINE,
    .executable = executable,
    .arguments = arguments,
    .environment = wine_env,
  };
  SpGame *game = sp_library_add_game_sync (library, &info, prefix, mode, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return game;
}

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
  if (sp_session_get_summary (session)->exit_status != 0)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (sp_session_get_log_path (session), &log, NULL, NULL);
      g_test_message ("the run exited with %d; its log: %s",
                      sp_session_get_summary (session)->exit_status, log);
    }
  g_assert_cmpint (sp_session_get_summary (session)->exit_status, ==, 0);
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

/* Runs savepoint-cli with @args (and @env added); its exit status. */
static int
run_cli (const char * const *args,
         const char * const *env,
         char              **out_stdout,
         char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                out_stdout, out_stderr, &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* ---- without Wine ---- */

static void
test_rules (void)
{
  const char *devices[] = { "dosdevices/c:", "dosdevices/z:", "dosdevices/d::", "dosdevices/com1",
                            "dosdevices/lpt12" };
  const char *not_devices[] = { "dosdevices/zz:", "dosdevices/c:/x", "drive_c/z:", "dosdevices/",
                                "dosdevices/com", "dosdevices/comx", "dosdevices/foo" };

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    g_assert_true (sp_wine_prefix_is_device_link (devices[i]));
  for (guint i = 0; i < G_N_ELEMENTS (not_devices); i++)
    g_assert_false (sp_wine_prefix_is_device_link (not_devices[i]));

  g_assert_true (sp_wine_prefix_target_leaves ("drive_c/users/a", "/home/a"));
  g_assert_true (sp_wine_prefix_target_leaves ("drive_c/users/a", ""));
  g_assert_true (sp_wine_prefix_target_leaves ("drive_c/users/a", "../../../.."));
  g_assert_true (sp_wine_prefix_target_leaves ("", ".."));
  g_assert_true (sp_wine_prefix_target_leaves ("a", "b/../../../c"));
  g_assert_false (sp_wine_prefix_target_leaves ("drive_c/users/a", "../../.."));
  g_assert_false (sp_wine_prefix_target_leaves ("dosdevices", "../drive_c"));
  g_assert_false (sp_wine_prefix_target_leaves ("a", "./b/./c"));

  g_assert_true (sp_wine_version_is_valid ("wine-8.0 (Debian 8.0~repack-4)"));
  g_assert_false (sp_wine_version_is_valid (""));
  g_assert_false (sp_wine_version_is_valid (" wine-8.0"));
  g_assert_false (sp_wine_version_is_valid ("wine-8.0\nX=1"));
  g_assert_false (sp_wine_version_is_valid ("\xff"));
}

/* A prefix with links that leave it in every way we know, and links that
 * do not; @outside is a folder outside it with a file. */
static char *
make_hostile_prefix (const char *root,
                     const char *name,
                     const char *outside)
{
  g_autofree char *prefix = g_build_filename (root, name, NULL);
  const struct { const char *path; const char *target; } links[] = {
    { "drive_c/users/alice/Documents", "/etc" },
    { "drive_c/users/alice/Music", "../../../.." },
    { "drive_c/users/alice/AppData/Roaming/Microsoft/Windows/Templates", "/" },
    { "drive_c/users/alice/Saves", "../alice/AppData" },
    { "drive_c/users/intruder", outside },
    { "drive_c/game/through-z", "../../dosdevices/z:/etc" },
    { "drive_c/game/dangling", "nothing-here" },
    { "dosdevices/z:", "/" },
    { "dosdevices/c:", "../drive_c" },
  };

  tc_write (prefix, "system.reg", "WINE REGISTRY Version 2\n");
  tc_write (prefix, "drive_c/game/game.exe", "MZ");
  tc_write (prefix, "drive_c/users/alice/AppData/Roaming/Microsoft/Windows/keep.txt", "keep");
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *path = g_build_filename (prefix, links[i].path, NULL);
      g_autofree char *parent = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      g_assert_cmpint (symlink (links[i].target, path), ==, 0);
    }
  return g_steal_pointer (&prefix);
}

static const char *hostile_leaving[] = {
  "drive_c/game/through-z",
  "drive_c/users/alice/AppData/Roaming/Microsoft/Windows/Templates",
  "drive_c/users/alice/Documents",
  "drive_c/users/alice/Music",
  "drive_c/users/intruder",
  NULL
};

static void
check_hostile_result (const char  *prefix,
                      const char  *outside,
                      const char  *outside_before)
{
  g_autofree char *outside_after = describe_tree (outside);

  for (guint i = 0; hostile_leaving[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (prefix, hostile_leaving[i], NULL);

      g_assert_true (is_real_dir (path));
      g_assert_cmpuint (tc_count_entries (path), ==, 0);
    }
  /* What stays inside stays a link; what the links pointed at is as it was. */
  {
    const char *kept[] = { "drive_c/users/alice/Saves", "drive_c/game/dangling", "dosdevices/z:",
                           "dosdevices/c:" };

    for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
      {
        g_autofree char *path = g_build_filename (prefix, kept[i], NULL);
        g_assert_true (is_link (path));
      }
  }
  g_assert_cmpstr (outside_after, ==, outside_before);
  g_assert_true (g_file_test ("/etc/passwd", G_FILE_TEST_IS_REGULAR));
}

static void
test_hostile_add (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *outside = g_build_filename (root, "outside", NULL);
  g_autofree char *source = NULL;
  g_autofree char *adopt_source = NULL;
  g_autofree char *outside_before = NULL;
  g_autofree char *source_before = NULL;
  g_autofree char *source_after = NULL;
  g_auto(GStrv) found = NULL;
  g_auto(GStrv) in_profiles = NULL;
  g_autoptr(SpGame) copied = NULL;
  g_autoptr(SpGame) adopted = NULL;
  g_autoptr(GError) error = NULL;
  const char *profile_links[] = { "drive_c/users/alice/AppData/Roaming/Microsoft/Windows/Templates",
                                  "drive_c/users/alice/Documents", "drive_c/users/alice/Music",
                                  "drive_c/users/intruder", NULL };

  tc_write (outside, "secret.txt", "not the game's");
  source = make_hostile_prefix (root, "source", outside);
  outside_before = describe_tree (outside);
  source_before = describe_tree (source);

  found = sp_wine_prefix_find_outside_links (source, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (found, hostile_leaving);
  in_profiles = sp_wine_prefix_find_outside_links (source, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (in_profiles, profile_links);

  /* Copy: the copy gets folders, the source keeps its links. */
  copied = add_prefix (library, source, "Hostile", SP_ADD_MODE_COPY, "drive_c/game/game.exe", NULL);
  g_assert_cmpstrv (sp_game_get_replaced_links (copied), hostile_leaving);
  check_hostile_result (sp_game_get_base_path (copied), outside, outside_before);
  source_after = describe_tree (source);
  g_assert_cmpstr (source_after, ==, source_before);
  g_assert_false (sp_wine_repair_is_needed (copied));

  /* Adopt: the adopted folder itself is changed. */
  adopt_source = make_hostile_prefix (drive, "adopt-me", outside);
  adopted = add_prefix (library, adopt_source, "Adopted", SP_ADD_MODE_ADOPT,
                        "drive_c/game/game.exe", NULL);
  g_assert_cmpstrv (sp_game_get_replaced_links (adopted), hostile_leaving);
  check_hostile_result (sp_game_get_base_path (adopted), outside, outside_before);

  /* A game loaded from the drive reports nothing replaced. */
  {
    g_autoptr(SpGame) loaded = sp_game_load (sp_game_get_path (copied), FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length ((char **) sp_game_get_replaced_links (loaded)), ==, 0);
  }

  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

/* drive_c/users itself a link out of the prefix: replaced by an empty
 * folder, the folder it pointed at untouched. */
static void
test_users_link (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *outside = g_build_filename (root, "elsewhere", NULL);
  g_autofree char *source = g_build_filename (root, "source", NULL);
  g_autofree char *users = g_build_filename (source, "drive_c", "users", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *base_users = NULL;
  g_autoptr(SpGame) game = NULL;
  g_auto(GStrv) found = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "drive_c/users", NULL };

  tc_write (outside, "bob/Documents/save.txt", "someone else's");
  tc_write (source, "system.reg", "WINE REGISTRY Version 2\n");
  tc_write (source, "drive_c/game.exe", "MZ");
  g_assert_cmpint (symlink (outside, users), ==, 0);
  before = describe_tree (outside);

  found = sp_wine_prefix_find_outside_links (source, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (found, expected);

  game = add_prefix (library, source, "Users Link", SP_ADD_MODE_COPY, "drive_c/game.exe", NULL);
  g_assert_cmpstrv (sp_game_get_replaced_links (game), expected);
  base_users = g_build_filename (sp_game_get_base_path (game), "drive_c", "users", NULL);
  g_assert_true (is_real_dir (base_users));
  g_assert_cmpuint (tc_count_entries (base_users), ==, 0);
  g_assert_true (is_link (users));
  after = describe_tree (outside);
  g_assert_cmpstr (after, ==, before);

  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

/* A run that leaves a link pointing outside the game: the keep summary
 * names it; a link inside the game is not named. (A native game: a shell
 * script.) */
static void
test_run_link_outside (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = g_build_filename (root, "game", NULL);
  g_autofree char *script = g_build_filename (source, "run.sh", NULL);
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *warnings;
  SpGameInfo info = { .name = "Linker", .kind = SP_GAME_KIND_NATIVE, .executable = "run.sh" };

  tc_write (source, "run.sh",
            "#!/bin/sh\n"
            "ln -s /etc/passwd outside-link && ln -s run.sh inside-link\n");
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);

  session = play (library, game);
  warnings = (const char * const *) sp_session_get_summary (session)->warnings;
  g_assert_nonnull (warnings);
  g_assert_cmpuint (g_strv_length ((char **) warnings), ==, 1);
  g_test_message ("%s", warnings[0]);
  g_assert_nonnull (strstr (warnings[0], "outside-link → /etc/passwd"));
  g_assert_null (strstr (warnings[0], "inside-link"));
  discard (session);

  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

/* The Wine version: recorded at add from the game's runner (a script that
 * answers like wine), a bad one in game.ini ignored, and `play` says so when
 * another version will run the game (the player's default runner, which
 * wins over the drive's unapproved Runner). */
static void
test_wine_version (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = NULL;
  g_autofree char *old_wine = g_build_filename (root, "old-wine", NULL);
  g_autofree char *new_wine = g_build_filename (root, "new-wine", NULL);
  g_autofree char *runner_env_old = g_strdup_printf ("SAVEPOINT_WINE_RUNNER=%s", old_wine);
  g_autofree char *runner_env_new = g_strdup_printf ("SAVEPOINT_WINE_RUNNER=%s", new_wine);
  g_autofree char *ini = NULL;
  g_autofree char *ini_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;
  const char *play_args[] = { "play", "Versioned", "--library", drive, "--discard", NULL };
  const char *same_env[] = { runner_env_old, NULL };
  const char *other_env[] = { runner_env_new, NULL };

  /* The runners run nothing but answer --version. */
  tc_write (root, "old-wine",
            "#!/bin/sh\n[ \"$1\" = --version ] && echo 'wine-7.0 (Test)'\nexit 0\n");
  tc_write (root, "new-wine",
            "#!/bin/sh\n[ \"$1\" = --version ] && echo 'wine-9.0 (Test)'\nexit 0\n");
  g_assert_cmpint (g_chmod (old_wine, 0755), ==, 0);
  g_assert_cmpint (g_chmod (new_wine, 0755), ==, 0);
  source = make_hostile_prefix (root, "prefix", root);

  {
    SpGameInfo info = {
      .name = "Versioned",
      .kind = SP_GAME_KIND_WINE,
      .executable = "drive_c/game/game.exe",
      .runner = old_wine,
    };

    game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                     &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (sp_game_get_wine_version (game), ==, "wine-7.0 (Test)");
  ini_text = tc_read (sp_game_get_path (game), "game.ini");
  g_assert_nonnull (strstr (ini_text, "\nWineVersion=wine-7.0 (Test)\n"));

  if (tc_fuse_unusable_reason () == NULL)
    {
      /* The same Wine: no word. Another one: a warning before playing. */
      g_assert_cmpint (run_cli (play_args, same_env, &out, &err), ==, 0);
      g_assert_null (strstr (err, "will update"));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_cli (play_args, other_env, &out, &err), ==, 0);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, "wine-9.0 (Test) will update the prefix of “Versioned”"));
      g_assert_nonnull (strstr (err, "made with wine-7.0 (Test)"));
    }

  /* A hostile value is not a version: unknown, no warning, dropped. */
  ini = g_build_filename (sp_game_get_path (game), "game.ini", NULL);
  {
    g_autoptr(GKeyFile) kf = g_key_file_new ();
    g_autoptr(SpGame) reloaded = NULL;

    g_assert_true (g_key_file_load_from_file (kf, ini, G_KEY_FILE_KEEP_COMMENTS, &error));
    g_key_file_set_string (kf, "Game", "WineVersion", "wine-1\x01\x1b[31m");
    g_assert_true (g_key_file_save_to_file (kf, ini, &error));
    reloaded = sp_game_load (sp_game_get_path (game), FALSE, &error);
    g_assert_no_error (error);
    g_assert_null (sp_game_get_wine_version (reloaded));
  }

  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

/* ---- with real Wine ---- */

static const char * const profile_folders[] = {
  "Desktop", "Documents", "Downloads", "Music", "Pictures", "Videos",
  "AppData/Roaming/Microsoft/Windows/Templates",
};

/* wineboot's links become folders in base/, the source keeps them, the
 * version of wine is recorded, and wineboot -u leaves the folders alone. */
static void
test_wineboot_prefix (void)
{
  const char *source = need_wine ();
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  const char *update[] = { "wineboot", "-u", NULL };
  const char *wait[] = { "wineserver", "-w", NULL };

  if (source == NULL)
    return;
  library = tc_new_library (&drive);
  game = add_prefix (library, source, "Booted", SP_ADD_MODE_COPY,
                     "drive_c/windows/system32/cmd.exe", NULL);
  version = sp_wine_runner_get_version ("wine", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_version (game), ==, version);

  for (guint i = 0; i < G_N_ELEMENTS (profile_folders); i++)
    {
      g_autofree char *in_source = g_build_filename (source, "drive_c", "users", wine_user,
                                                     profile_folders[i], NULL);
      g_autofree char *in_base = g_build_filename (sp_game_get_base_path (game), "drive_c",
                                                   "users", wine_user, profile_folders[i], NULL);
      g_autofree char *rel = g_build_filename ("drive_c", "users", wine_user, profile_folders[i],
                                               NULL);

      g_assert_true (is_link (in_source));
      g_assert_true (is_real_dir (in_base));
      g_assert_true (g_strv_contains (sp_game_get_replaced_links (game), rel));
    }

  /* Wine's own update keeps folders folders (as winetricks' sandbox
   * relies on). */
  run_wine_tool (sp_game_get_base_path (game), update);
  run_wine_tool (sp_game_get_base_path (game), wait);
  for (guint i = 0; i < G_N_ELEMENTS (profile_folders); i++)
    {
      g_autofree char *in_base = g_build_filename (sp_game_get_base_path (game), "drive_c",
                                                   "users", wine_user, profile_folders[i], NULL);
      g_assert_true (is_real_dir (in_base));
    }

  g_clear_object (&game);
  g_clear_object (&library);
  tc_rmtree (drive);
}

static char *
save_in (const char *root)
{
  return g_build_filename (root, "drive_c", "users", wine_user, "Documents", "My Games", "Test",
                           "save.txt", NULL);
}

/* A batch file saving to Documents\My Games: the save is in the checkpoint
 * (a second run reads it back) and $HOME is left as it was. */
static void
test_save_in_documents (void)
{
  const char *source = need_wine ();
  const char *save_args[] = { "/c", "C:\\savegame.bat", NULL };
  const char *read_args[] = { "/c", "type", "%USERPROFILE%\\Documents\\My Games\\Test\\save.txt",
                              NULL };
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) first = NULL;
  g_autoptr(SpSession) second = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home_before = NULL;
  g_autofree char *home_after = NULL;
  g_autofree char *save = NULL;
  g_autofree char *save_text = NULL;
  g_autofree char *log = NULL;

  if (source == NULL)
    return;
  library = tc_new_library (&drive);
  game = add_prefix (library, source, "Saver", SP_ADD_MODE_COPY,
                     "drive_c/windows/system32/cmd.exe", save_args);
  home_before = describe_tree (fake_home);

  first = play (library, game);
  g_assert_cmpuint (g_strv_length (sp_session_get_summary (first)->warnings), ==, 0);
  save = save_in (sp_run_get_upper_path (sp_session_get_run (first)));
  g_assert_true (g_file_get_contents (save, &save_text, NULL, NULL));
  g_assert_nonnull (strstr (save_text, "saved"));
  home_after = describe_tree (fake_home);
  g_assert_cmpstr (home_after, ==, home_before);

  sp_session_keep_async (first, "saved", NULL, NULL, NULL, tc_store_result_cb, &result);
  checkpoint = sp_session_keep_finish (first, tc_wait_for (&result), &error);
  g_assert_no_error (error);

  sp_game_set_arguments (game, read_args);
  second = play (library, game);
  g_assert_true (g_file_get_contents (sp_session_get_log_path (second), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "saved"));
  discard (second);

  g_clear_object (&game);
  g_clear_object (&library);
  tc_rmtree (drive);
}

/* A clean install added before Savepoint kept folders inside (its
 * Documents still a link into $HOME): the save escapes the run and the keep
 * summary says so; repair refuses while the game is played, then makes the
 * folder, and the warning is gone. */
static void
test_old_style_repair (void)
{
  const char *source = need_wine ();
  const char *save_args[] = { "/c", "C:\\savegame.bat", NULL };
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) old_style = NULL;
  g_autoptr(SpSession) repaired = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *documents = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *home_before = NULL;
  g_autofree char *home_after = NULL;
  const char * const *warnings;
  const char *repair_args[] = { "--library", NULL, "repair", "Old Style", NULL };

  if (source == NULL)
    return;
  library = tc_new_library (&drive);
  repair_args[1] = drive;
  game = add_prefix (library, source, "Old Style", SP_ADD_MODE_COPY,
                     "drive_c/windows/system32/cmd.exe", save_args);
  /* As an older Savepoint left it. */
  documents = g_build_filename (sp_game_get_base_path (game), "drive_c", "users", wine_user,
                                "Documents", NULL);
  g_assert_cmpint (g_rmdir (documents), ==, 0);
  g_assert_cmpint (symlink (fake_home, documents), ==, 0);
  g_assert_true (sp_wine_repair_is_needed (game));

  old_style = play (library, game);
  warnings = (const char * const *) sp_session_get_summary (old_style)->warnings;
  g_assert_cmpuint (g_strv_length ((char **) warnings), ==, 1);
  g_test_message ("%s", warnings[0]);
  g_assert_nonnull (strstr (warnings[0], "Saves outside the prefix are not captured"));
  g_assert_nonnull (strstr (warnings[0], "/Documents"));
  escaped = g_build_filename (fake_home, "My Games", NULL);
  g_assert_true (g_file_test (escaped, G_FILE_TEST_IS_DIR));
  discard (old_style);
  tc_rmtree (escaped);
  home_before = describe_tree (fake_home);

  /* While the game is played (its lock held), repair refuses. */
  lock_path = sp_game_lock_path (game);
  {
    g_autoptr(SpLock) lock = sp_lock_acquire (lock_path, "Old Style", &error);
    g_auto(GStrv) replaced = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (run_cli (repair_args, NULL, &out, &err), ==, 1);
    g_test_message ("%s", err);
    g_assert_nonnull (strstr (err, "savepoint-cli"));
    g_assert_true (is_link (documents));
    g_assert_false (sp_wine_repair_sync (game, &replaced, NULL, &error));
    g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
    g_clear_error (&error);
    g_assert_true (is_link (documents));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (repair_args, NULL, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "/Documents"));
  g_assert_true (is_real_dir (documents));
  g_assert_false (sp_wine_repair_is_needed (game));
  home_after = describe_tree (fake_home);
  g_assert_cmpstr (home_after, ==, home_before);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* Once is enough. */
  g_assert_cmpint (run_cli (repair_args, NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Nothing to repair"));

  repaired = play (library, game);
  g_assert_cmpuint (g_strv_length (sp_session_get_summary (repaired)->warnings), ==, 0);
  {
    g_autofree char *save = save_in (sp_run_get_upper_path (sp_session_get_run (repaired)));
    g_assert_true (g_file_test (save, G_FILE_TEST_IS_REGULAR));
  }
  discard (repaired);

  g_clear_object (&game);
  g_clear_object (&library);
  tc_rmtree (drive);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("sp-test-wine-folders-XXXXXX", &error);
  g_autofree char *state = g_build_filename (root, "state", NULL);
  g_autofree char *runtime = g_build_filename (root, "runtime", NULL);
  g_autofree char *no_fuse = NULL;
  int ret;

  g_assert_no_error (error);
  fake_home = g_build_filename (root, "home", NULL);
  g_mkdir (runtime, 0700);
  g_mkdir (fake_home, 0755);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  /* wineboot links the profile's folders to $HOME (no XDG user dirs). */
  g_setenv ("HOME", fake_home, TRUE);
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");

  g_test_init (&argc, &argv, NULL);
  tc_private_mount_namespace ();
  no_fuse = tc_fuse_unusable_reason ();

  g_test_add_func ("/wine-folders/rules", test_rules);
  g_test_add_func ("/wine-folders/hostile-add", test_hostile_add);
  g_test_add_func ("/wine-folders/users-link", test_users_link);
  g_test_add_func ("/wine-folders/wine-version", test_wine_version);
  g_test_add_func ("/wine-folders/wineboot-prefix", test_wineboot_prefix);
  if (no_fuse == NULL)
    {
      g_test_add_func ("/wine-folders/run-link-outside", test_run_link_outside);
      g_test_add_func ("/wine-folders/save-in-documents", test_save_in_documents);
      g_test_add_func ("/wine-folders/old-style-repair", test_old_style_repair);
    }
  else
    {
      tc_add_skipped ("/wine-folders/run-link-outside", no_fuse);
      tc_add_skipped ("/wine-folders/save-in-documents", no_fuse);
      tc_add_skipped ("/wine-folders/old-style-repair", no_fuse);
    }
  ret = g_test_run ();
  if (wine_source != NULL)
    {
      g_autofree char *wine_root = g_path_get_dirname (wine_source);
      sp_remove_tree (wine_root, NULL, NULL);
    }
  sp_remove_tree (root, NULL, NULL);
  return ret;
}
