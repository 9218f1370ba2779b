/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A library on drives formatted as most external drives are, mounted
 * through FUSE as desktops mount them (exFAT with exfat-fuse, NTFS with
 * ntfs-3g), owned (uid=, gid=) by the user who plays: the whole cycle with
 * the real savepoint-cli, as root and as a normal user (uid 1500, created by
 * the test): init, add a native game by copy (and one by adopting a folder
 * on the drive), play and keep (the game
 * writes a save), play again (it sees the save), export a checkpoint (and
 * not over an existing file), import it, delete one, verify, and after a
 * remount verify again.
 *
 * Needs root (to make and mount the images), /dev/fuse, truncate, losetup,
 * and per file system mkfs.exfat + mount.exfat-fuse or mkntfs + ntfs-3g;
 * skips with the reason when one is missing. */
#include "config.h"

#include "drive-case.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The game: a shell script that counts the runs it finds in its save. */
static const char GAME_SCRIPT[] =
  "#!/bin/sh\n"
  "cd \"$(dirname \"$0\")\" || exit 1\n"
  "if [ -f save.txt ]; then wc -l < save.txt > \"$1/seen\"; "
  "else echo 0 > \"$1/seen\"; fi\n"
  "echo run >> save.txt\n";

/* The game's checkpoints, newest first. */
static JsonArray *
checkpoints (Case *c)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  cli (&r, c, "--library", c->drive, "--json", "checkpoints", "demo", NULL);
  if (!ok (&r))
    return json_array_new ();
  json_parser_load_from_data (parser, r.out, -1, &error);
  g_assert_no_error (error);
  if (error != NULL || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return json_array_new ();
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static char *
checkpoint_id (JsonArray *list,
               guint      index)
{
  return g_strdup (json_object_get_string_member (json_array_get_object_element (list, index),
                                                  "id"));
}

static void
play_and_keep (Case       *c,
               const char *label,
               const char *expect_seen)
{
  g_auto(Result) r = { 0 };
  g_autofree char *seen_path = g_build_filename (c->proof, "seen", NULL);
  g_autofree char *seen = NULL;

  g_unlink (seen_path);
  cli (&r, c, "--library", c->drive, "play", "demo", "--keep", label, NULL);
  if (!ok (&r))
    return;
  g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL));
  g_assert_cmpstr (g_strstrip (seen), ==, expect_seen);
}

static void
test_cycle (gconstpointer data)
{
  const CaseSpec *spec = data;
  g_autoptr(Case) c = case_new (spec, GAME_SCRIPT, NULL);
  g_auto(Result) r = { 0 };
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *newest = NULL;
  g_autofree char *oldest = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *game_dir = NULL;

  if (c == NULL || g_test_failed () || (spec->kind == DRIVE_EXFAT && c->loop == NULL))
    return;
  exported = g_build_filename (c->drive, "exported.tar.zst", NULL);
  game_dir = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "game.sh", NULL);

  STEP (cli (&r, c, "init", c->drive, NULL); ok (&r));
  /* Before: "Cannot rename the new game …: Invalid argument". */
  STEP (cli (&r, c, "--library", c->drive, "add", "Demo", c->source, "--exec", "game.sh",
             "--kind", "native", "--arg", c->proof, NULL); ok (&r));
  g_assert_true (g_file_test (game_dir, G_FILE_TEST_IS_REGULAR));
  /* Copied, not moved. */
  g_assert_true (g_file_test (c->source, G_FILE_TEST_IS_DIR));

  /* A folder already on the drive, adopted: moved, not copied. */
  {
    g_autofree char *folder = g_build_filename (c->drive, "Adopt Me", NULL);
    g_autofree char *script = g_build_filename (folder, "game.sh", NULL);
    g_autofree char *adopted = g_build_filename (c->drive, "Savepoint", "games", "adopted",
                                                 "base", "game.sh", NULL);

    g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
    g_assert_true (g_file_set_contents (script, "#!/bin/sh\n", -1, NULL));
    STEP (cli (&r, c, "--library", c->drive, "add", "Adopted", folder, "--adopt",
               "--exec", "game.sh", "--kind", "native", NULL); ok (&r));
    g_assert_true (g_file_test (adopted, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  }

  STEP (play_and_keep (c, "first", "0"));
  STEP (play_and_keep (c, "second", "1"));
  list = checkpoints (c);
  STEP (g_assert_cmpuint (json_array_get_length (list), ==, 2));
  newest = checkpoint_id (list, 0);
  oldest = checkpoint_id (list, 1);

  STEP (cli (&r, c, "--library", c->drive, "export", "demo", newest, exported, NULL); ok (&r));
  g_assert_true (g_file_get_contents (exported, &before, NULL, NULL));
  /* Never over an existing file, there too. */
  cli (&r, c, "--library", c->drive, "export", "demo", oldest, exported, NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "already exists"));
  g_assert_true (g_file_get_contents (exported, &after, NULL, NULL));
  STEP (g_assert_cmpstr (before, ==, after));

  STEP (cli (&r, c, "--library", c->drive, "import", "demo", exported, NULL); ok (&r));
  g_clear_pointer (&list, json_array_unref);
  list = checkpoints (c);
  STEP (g_assert_cmpuint (json_array_get_length (list), ==, 3));

  STEP (cli (&r, c, "--library", c->drive, "delete", "demo", oldest, NULL); ok (&r));
  STEP (cli (&r, c, "--library", c->drive, "verify", NULL); ok (&r));

  /* What the drive holds after a remount. */
  STEP (unmount_drive (c));
  STEP (g_assert_true (mount_drive (c)));
  g_clear_pointer (&list, json_array_unref);
  list = checkpoints (c);
  STEP (g_assert_cmpuint (json_array_get_length (list), ==, 2));
  STEP (cli (&r, c, "--library", c->drive, "verify", NULL); ok (&r));
  /* The second run is the current checkpoint: the next run sees both. */
  play_and_keep (c, "third", "2");
}

int
main (int    argc,
      char **argv)
{
  static const CaseSpec exfat_root = { DRIVE_EXFAT, 0 };
  static const CaseSpec exfat_player = { DRIVE_EXFAT, PLAYER_UID };
  static const CaseSpec ntfs_root = { DRIVE_NTFS, 0 };
  static const CaseSpec ntfs_player = { DRIVE_NTFS, PLAYER_UID };

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_data_func ("/drives/exfat/root", &exfat_root, test_cycle);
  g_test_add_data_func ("/drives/exfat/player", &exfat_player, test_cycle);
  g_test_add_data_func ("/drives/ntfs/root", &ntfs_root, test_cycle);
  g_test_add_data_func ("/drives/ntfs/player", &ntfs_player, test_cycle);
  return g_test_run ();
}
