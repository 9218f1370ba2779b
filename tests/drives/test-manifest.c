/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A clean install holding what an exFAT drive cannot store: symbolic
 * links (a Wine prefix's dosdevices/c: -> ../drive_c and z: -> /, a link
 * inside the game), names with ':' and '?', an executable script (0755)
 * and a private file (0600). Added with the real savepoint-cli to an exFAT
 * image (exfat-fuse on a loop device, uid=/gid= of the player), played by
 * a game that lists what it sees: the listing (find -printf '%y %m %l %P')
 * is the source's; kept, remounted, played again: the same, and the save
 * is there. As root and as a normal user (uid 1500, created by the test).
 *
 * Needs root (to make and mount the images), /dev/fuse, truncate, losetup,
 * mkfs.exfat and mount.exfat-fuse; skips with the reason when one is
 * missing. */
#include "config.h"

#include "drive-case.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The game: a shell script that lists what it sees and counts the runs in
 * its save; beside it what exFAT cannot store (fill_source()). */
static const char GAME_SCRIPT[] =
  "#!/bin/sh\n"
  "cd \"$(dirname \"$0\")\" || exit 1\n"
  "find . -mindepth 1 ! -name save.txt \\( -type f -printf '%y %m %s %P\\n' -o "
  "-printf '%y %m %l %P\\n' \\) | LC_ALL=C sort > \"$1/seen\"\n"
  "if [ -f save.txt ]; then wc -l < save.txt > \"$1/count\"; "
  "else echo 0 > \"$1/count\"; fi\n"
  "echo run >> save.txt\n";

static void
put (const char *dir,
     const char *rel,
     const char *contents,
     mode_t      mode)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
link_at (const char *dir,
         const char *rel,
         const char *target)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* What exFAT cannot store, as a Wine prefix and a native game have it
 * (links, names, modes, a hard link, names that differ only by case). */
static void
fill_source (Case *c)
{
  const char *source = c->source;
  const char *dirs[] = { "dosdevices", "drive_c", "drive_c/data", "drive_c/odd:name",
                         "drive_c/Saves", "drive_c/saves", NULL };

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (source, dirs[i], NULL);

      g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
      g_assert_cmpint (g_chmod (path, 0755), ==, 0);
    }
  link_at (source, "dosdevices/c:", "../drive_c");
  link_at (source, "dosdevices/z:", "/");
  link_at (source, "drive_c/latest", "data/level?1.dat");
  put (source, "drive_c/data/level?1.dat", "level one", 0644);
  put (source, "drive_c/odd:name/inside.txt", "inside", 0644);
  put (source, "drive_c/run.sh", "#!/bin/sh\necho run\n", 0755);
  put (source, "drive_c/private.cfg", "secret", 0600);
  /* Names exFAT takes as one (it folds case). */
  put (source, "drive_c/Saves/upper.sav", "upper", 0644);
  put (source, "drive_c/saves/lower.sav", "lower", 0644);
  put (source, "drive_c/README.txt", "big", 0644);
  put (source, "drive_c/readme.txt", "small", 0644);
  /* exFAT has no hard links either: the copy holds two files. */
  {
    g_autofree char *first = g_build_filename (source, "drive_c/data/level?1.dat", NULL);
    g_autofree char *second = g_build_filename (source, "drive_c/data/level-again.dat", NULL);

    g_assert_cmpint (link (first, second), ==, 0);
  }
  /* Owned by the player, as a folder of theirs. */
  {
    const char *chown_argv[] = { "chown", "-R", "-h", NULL, source, NULL };
    g_autofree char *ids = g_strdup_printf ("%u:%u", (guint) c->spec->uid, (guint) c->spec->uid);

    chown_argv[3] = ids;
    g_assert_true (run (chown_argv, NULL));
  }
}

/* What `find -printf '%y %m %l %P'` says of @dir (with the size for files,
 * so swapped contents show), sorted, save left out. */
static char *
listing (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *cmd = g_strdup_printf ("cd %s && find . -mindepth 1 ! -name save.txt "
                                          "\\( -type f -printf '%%y %%m %%s %%P\\n' -o "
                                          "-printf '%%y %%m %%l %%P\\n' \\) | LC_ALL=C sort",
                                          quoted);
  const char *argv[] = { "sh", "-c", cmd, NULL };
  char *out = NULL;

  g_assert_true (run (argv, &out));
  return out;
}

static void
play_and_check (Case       *c,
                const char *label,
                const char *expect_count,
                const char *expect_seen)
{
  g_auto(Result) r = { 0 };
  g_autofree char *seen_path = g_build_filename (c->proof, "seen", NULL);
  g_autofree char *count_path = g_build_filename (c->proof, "count", NULL);
  g_autofree char *seen = NULL;
  g_autofree char *count = NULL;

  g_unlink (seen_path);
  g_unlink (count_path);
  cli (&r, c, "--library", c->drive, "play", "demo", "--keep", label, NULL);
  if (!ok (&r))
    return;
  g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL));
  g_assert_true (g_file_get_contents (count_path, &count, NULL, NULL));
  g_assert_cmpstr (seen, ==, expect_seen);
  g_assert_cmpstr (g_strstrip (count), ==, expect_count);
}

static void
test_cycle (gconstpointer data)
{
  const CaseSpec *spec = data;
  g_autoptr(Case) c = case_new (spec, GAME_SCRIPT, fill_source);
  g_auto(Result) r = { 0 };
  g_autofree char *expected = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *placeholder = NULL;
  g_autofree char *escaped = NULL;
  struct stat st;

  if (c == NULL || g_test_failed () || c->loop == NULL)
    return;
  expected = listing (c->source);
  g_test_message ("source:\n%s", expected);
  manifest = g_build_filename (c->drive, "Savepoint", "games", "demo", "base.manifest", NULL);
  placeholder = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "dosdevices",
                                  "c%3A", NULL);
  escaped = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "drive_c",
                              "odd%3Aname", "inside.txt", NULL);

  STEP (cli (&r, c, "init", c->drive, NULL); ok (&r));
  /* Before: "Cannot create the symbolic link …: Function not implemented". */
  STEP (cli (&r, c, "--library", c->drive, "add", "Demo", c->source, "--exec", "game.sh",
             "--kind", "native", "--arg", c->proof, NULL); ok (&r));
  /* The drive holds placeholders and the manifest the truth. */
  g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (lstat (placeholder, &st), ==, 0);
  STEP (g_assert_true (S_ISREG (st.st_mode)));
  g_assert_true (g_file_test (escaped, G_FILE_TEST_IS_REGULAR));

  STEP (play_and_check (c, "first", "0", expected));

  /* After a remount, the same view, and the save. */
  STEP (unmount_drive (c));
  STEP (g_assert_true (mount_drive (c)));
  STEP (cli (&r, c, "--library", c->drive, "verify", NULL); ok (&r));
  STEP (play_and_check (c, "second", "1", expected));

  /* The manifest comes from the drive: a hostile one is refused, nothing
   * is played. */
  {
    g_autofree char *proof_seen = g_build_filename (c->proof, "seen", NULL);

    g_unlink (proof_seen);
    g_assert_true (g_file_set_contents (manifest, "savepoint-manifest 1\n"
                                        "path=../../../../etc/passwd mode=777\n", -1, NULL));
    cli (&r, c, "--library", c->drive, "play", "demo", "--keep", "hostile", NULL);
    g_assert_cmpint (r.status, !=, 0);
    g_assert_nonnull (strstr (r.err, "manifest"));
    g_assert_false (g_file_test (proof_seen, G_FILE_TEST_EXISTS));
  }
}

/* Runs @argv as the case's player with Wine's environment for @prefix. */
static gboolean
wine_as_player (Case               *c,
                const char         *prefix,
                const char * const *argv)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func (g_free);
  const char *head[] = { "timeout", "--kill-after=5", "240", "setpriv", NULL };

  for (guint i = 0; head[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (head[i]));
  g_ptr_array_add (full, g_strdup_printf ("--reuid=%u", (guint) c->spec->uid));
  g_ptr_array_add (full, g_strdup_printf ("--regid=%u", (guint) c->spec->uid));
  g_ptr_array_add (full, g_strdup ("--init-groups"));
  g_ptr_array_add (full, g_strdup ("env"));
  g_ptr_array_add (full, g_strdup ("-i"));
  g_ptr_array_add (full, g_strdup ("PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
  g_ptr_array_add (full, g_strdup_printf ("HOME=%s", c->home));
  g_ptr_array_add (full, g_strdup_printf ("WINEPREFIX=%s", prefix));
  g_ptr_array_add (full, g_strdup ("USER=gamer"));
  g_ptr_array_add (full, g_strdup ("LOGNAME=gamer"));
  g_ptr_array_add (full, g_strdup ("WINEDEBUG=-all"));
  g_ptr_array_add (full, g_strdup ("WINEDLLOVERRIDES=mscoree,mshtml="));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (argv[i]));
  g_ptr_array_add (full, NULL);
  {
    /* Not through pipes: Wine's services.exe and winedevice.exe outlive
     * wineboot and would hold a pipe open, so that waiting for its end
     * waits for them. */
    g_autoptr(GError) error = NULL;
    int status = -1;

    if (!g_spawn_sync (NULL, (char **) full->pdata, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, &error))
      {
        g_test_message ("%s: %s", argv[0], error->message);
        return FALSE;
      }
    if (!g_spawn_check_wait_status (status, &error))
      {
        g_test_message ("%s: %s", argv[0], error->message);
        return FALSE;
      }
    return TRUE;
  }
}

/* A real Wine prefix (wineboot) on exFAT, added and played by a normal
 * user: Wine finds C: and Z: (dosdevices links kept by the manifest), the
 * Documents link to the home became a folder, so a save in
 * Documents\My Games lands in the checkpoint and nothing in the home;
 * after a remount the next run finds it. */
static void
test_wine (gconstpointer data)
{
  const CaseSpec *spec = data;
  g_autofree char *wineboot = g_find_program_in_path ("wineboot");
  g_autoptr(Case) c = NULL;
  g_auto(Result) r = { 0 };
  g_autofree char *prefix = NULL;
  g_autofree char *documents = NULL;
  g_autofree char *home_games = NULL;
  g_autofree char *bat = NULL;
  g_autofree char *bat_text = NULL;
  g_autofree char *proof_win = NULL;
  g_autofree char *seen_path = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *stored_c = NULL;

  if (wineboot == NULL)
    {
      g_test_skip ("Wine is not installed (apt-get install wine wine64)");
      return;
    }
  c = case_new (spec, GAME_SCRIPT, fill_source);
  if (c == NULL || g_test_failed () || c->loop == NULL)
    return;
  /* wineboot links Documents to the home's when the home has one. */
  documents = g_build_filename (c->home, "Documents", NULL);
  mkdir_for (documents, spec->uid);
  home_games = g_build_filename (documents, "My Games", NULL);
  prefix = g_build_filename (c->dir, "wine-game", NULL);
  mkdir_for (prefix, spec->uid);
  {
    const char *boot[] = { "wineboot", "-i", NULL };
    const char *wait[] = { "wineserver", "-w", NULL };

    STEP (g_assert_true (wine_as_player (c, prefix, boot)));
    STEP (g_assert_true (wine_as_player (c, prefix, wait)));
  }
  {
    /* What the test is about: wineboot linked Documents to the home. */
    g_autofree char *linked = g_build_filename (prefix, "drive_c", "users", "gamer", "Documents",
                                                NULL);

    STEP (g_assert_true (g_file_test (linked, G_FILE_TEST_IS_SYMLINK)));
  }
  /* Z: is the host's root: the batch file reports there what it saw. */
  proof_win = g_strdelimit (g_strdup_printf ("Z:%s", c->proof), "/", '\\');
  bat = g_build_filename (prefix, "drive_c", "game.bat", NULL);
  bat_text = g_strdup_printf ("@echo off\r\n"
                              "if not exist \"%%USERPROFILE%%\\Documents\\My Games\" "
                              "mkdir \"%%USERPROFILE%%\\Documents\\My Games\"\r\n"
                              "echo run>>\"%%USERPROFILE%%\\Documents\\My Games\\save.txt\"\r\n"
                              "copy /y \"%%USERPROFILE%%\\Documents\\My Games\\save.txt\" "
                              "%s\\seen.txt >nul\r\n", proof_win);
  g_assert_true (g_file_set_contents (bat, bat_text, -1, NULL));
  g_assert_cmpint (chown (bat, spec->uid, spec->uid), ==, 0);
  seen_path = g_build_filename (c->proof, "seen.txt", NULL);
  stored_c = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "dosdevices",
                               "c%3A", NULL);

  STEP (cli (&r, c, "init", c->drive, NULL); ok (&r));
  STEP (cli (&r, c, "--library", c->drive, "add", "Demo", prefix, "--kind", "wine",
             "--exec", "drive_c/windows/system32/cmd.exe", "--arg", "/c", "--arg", "C:\\game.bat",
             "--env", "WINEDEBUG=-all", "--env", "WINEDLLOVERRIDES=mscoree,mshtml=", NULL);
        ok (&r));
  STEP (g_assert_true (g_file_test (stored_c, G_FILE_TEST_IS_REGULAR)));

  STEP (cli (&r, c, "--library", c->drive, "play", "demo", "--keep", "first", NULL); ok (&r));
  STEP (g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL)));
  g_assert_cmpstr (seen, ==, "run\r\n");
  g_assert_false (g_file_test (home_games, G_FILE_TEST_EXISTS));
  g_clear_pointer (&seen, g_free);
  g_assert_cmpint (g_unlink (seen_path), ==, 0);

  STEP (unmount_drive (c));
  STEP (g_assert_true (mount_drive (c)));
  STEP (cli (&r, c, "--library", c->drive, "play", "demo", "--keep", "second", NULL); ok (&r));
  STEP (g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL)));
  g_assert_cmpstr (seen, ==, "run\r\nrun\r\n");
  g_assert_false (g_file_test (home_games, G_FILE_TEST_EXISTS));
  {
    /* wineboot's own Wine processes (not a session's) go before the case's
     * drive is unmounted. */
    const char *kill_server[] = { "wineserver", "-k", NULL };

    wine_as_player (c, prefix, kill_server);
  }
}

int
main (int    argc,
      char **argv)
{
  static const CaseSpec exfat_root = { DRIVE_EXFAT, 0 };
  static const CaseSpec exfat_player = { DRIVE_EXFAT, PLAYER_UID };
  /* A Wine prefix is some hundred megabytes. */
  static const CaseSpec exfat_wine = { DRIVE_EXFAT, PLAYER_UID, "2G" };

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_data_func ("/drives/manifest/exfat/root", &exfat_root, test_cycle);
  g_test_add_data_func ("/drives/manifest/exfat/player", &exfat_player, test_cycle);
  g_test_add_data_func ("/drives/manifest/exfat/wine-player", &exfat_wine, test_wine);
  return g_test_run ();
}
