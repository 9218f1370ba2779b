/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exclusions (issue 16, item 5): game.ini Exclude= and the built-in list
 * for Wine prefixes leave caches out of checkpoints, never a deletion;
 * patterns from a drive are checked like paths. With real upper dirs,
 * real archives and real unpacking. */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "archive/sp-archive.h"
#include "core/sp-exclude.h"
#include "core/sp-library.h"
#include "sp-test-common.h"

static void
test_match (void)
{
  const char * const names[] = { "cache", "*.log", "data/*/tmp", NULL };

  g_assert_true (sp_archive_path_is_excluded (names, 0, "cache"));
  g_assert_true (sp_archive_path_is_excluded (names, 0, "a/b/cache"));
  g_assert_true (sp_archive_path_is_excluded (names, 0, "x/run.log"));
  g_assert_true (sp_archive_path_is_excluded (names, 0, "data/level/tmp"));
  /* "*" does not cross "/". */
  g_assert_false (sp_archive_path_is_excluded (names, 0, "data/a/b/tmp"));
  g_assert_false (sp_archive_path_is_excluded (names, 0, "cache.bin"));
  g_assert_false (sp_archive_path_is_excluded (names, 0, "saves/slot1.sav"));
  /* Case: only when asked (Wine games). */
  g_assert_false (sp_archive_path_is_excluded (names, 0, "Cache"));
  g_assert_true (sp_archive_path_is_excluded (names, SP_PACK_EXCLUDE_CASEFOLD, "Cache"));
  g_assert_true (sp_archive_path_is_excluded (names, SP_PACK_EXCLUDE_CASEFOLD, "DATA/Level/TMP"));
  g_assert_false (sp_archive_path_is_excluded (NULL, 0, "cache"));

  /* The built-in list finds what Wine, DXVK and the drivers write. */
  g_assert_true (sp_archive_path_is_excluded (sp_exclude_wine_defaults (), SP_PACK_EXCLUDE_CASEFOLD,
                                              "drive_c/users/steamuser/AppData/Local/Temp"));
  g_assert_true (sp_archive_path_is_excluded (sp_exclude_wine_defaults (), SP_PACK_EXCLUDE_CASEFOLD,
                                              "drive_c/users/alice/AppData/Local/MyGame/ShaderCache"));
  g_assert_true (sp_archive_path_is_excluded (sp_exclude_wine_defaults (), SP_PACK_EXCLUDE_CASEFOLD,
                                              "drive_c/Game/game.dxvk-cache"));
  g_assert_false (sp_archive_path_is_excluded (sp_exclude_wine_defaults (), SP_PACK_EXCLUDE_CASEFOLD,
                                               "drive_c/users/alice/Documents/My Games/Game/save.dat"));
  g_assert_false (sp_archive_path_is_excluded (sp_exclude_wine_defaults (), SP_PACK_EXCLUDE_CASEFOLD,
                                               "user.reg"));
}

static void
test_pattern_valid (void)
{
  const char *good[] = { "cache", "*.log", "drive_c/users/*/AppData/Local/Game/Logs", "a b/[0-9]*" };
  const char *bad[] = { "", "/etc", "../x", "a/../b", "*", "*/*", "**", "?", "a\x1b" "b", "\\\\x" };
  g_autofree char *long_pattern = g_strnfill (5000, 'a');

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sp_exclude_pattern_is_valid (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("refused: “%s”", bad[i]);
      g_assert_false (sp_exclude_pattern_is_valid (bad[i], &error));
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
    }
  g_assert_false (sp_exclude_pattern_is_valid (long_pattern, NULL));
}

/* A whiteout as the overlay writes it: a 0/0 device as root, else the
 * ".wh." file that an unprivileged overlay makes. */
static void
make_whiteout (const char *dir,
               const char *name)
{
  g_autofree char *device = g_build_filename (dir, name, NULL);
  g_autofree char *wh_name = g_strconcat (".wh.", name, NULL);

  if (mknod (device, S_IFCHR | 0000, makedev (0, 0)) != 0)
    tc_write (dir, wh_name, "");
}

static void
make_socket (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  close (fd);
}

static gboolean
exists (const char *dir,
        const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  return lstat (path, &st) == 0;
}

static void
test_pack (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *upper = g_build_filename (root, "upper", NULL);
  g_autofree char *cache = g_build_filename (upper, "cache", NULL);
  g_autofree char *logs = g_build_filename (upper, "logs", NULL);
  g_autofree char *sock = g_build_filename (cache, "daemon.sock", NULL);
  g_autofree char *archive = g_build_filename (root, "out.tar.zst", NULL);
  g_autofree char *plain = g_build_filename (root, "plain.tar.zst", NULL);
  g_autofree char *dest = g_build_filename (root, "unpacked", NULL);
  g_autofree char *big = g_strnfill (100000, 'c');
  const char * const exclude[] = { "cache", "*.log", NULL };
  SpArchiveStats stats = { 0 };
  g_autoptr(GError) error = NULL;

  tc_write (upper, "saves/slot1.sav", "progress");
  tc_write (upper, "cache/shader.bin", big);
  tc_write (upper, "cache/sub/more.bin", "12345");
  tc_write (upper, "logs/run.log", "log line");
  tc_write (upper, "logs/keep.txt", "kept");
  /* The game deleted a base file inside the cache folder and one beside. */
  make_whiteout (cache, "old-shader.bin");
  make_whiteout (upper, "removed.dat");
  /* A socket in a left-out folder does not stop the keep… */
  make_socket (sock);

  g_assert_true (sp_archive_pack_excluding (upper, NULL, archive, 0, exclude, 0, NULL, NULL, NULL,
                                            &stats, &error));
  g_assert_no_error (error);
  /* shader.bin, sub/ with more.bin, daemon.sock, run.log */
  g_assert_cmpuint (stats.excluded_files, ==, 5);
  g_assert_cmpuint (stats.excluded_bytes, ==, 100000 + 5 + strlen ("log line"));

  g_assert_true (sp_archive_unpack (archive, dest, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (exists (dest, "saves/slot1.sav"));
  g_assert_true (exists (dest, "logs/keep.txt"));
  g_assert_false (exists (dest, "logs/run.log"));
  g_assert_false (exists (dest, "cache/shader.bin"));
  g_assert_false (exists (dest, "cache/sub"));
  g_assert_false (exists (dest, "cache/daemon.sock"));
  /* …and the deletions reach the checkpoint, the one in the left-out
   * folder too (with the folder that holds it). */
  g_assert_true (exists (dest, "cache/old-shader.bin") || exists (dest, "cache/.wh.old-shader.bin"));
  g_assert_true (exists (dest, "removed.dat") || exists (dest, ".wh.removed.dat"));

  /* …but without exclusions it is refused as before. */
  g_assert_false (sp_archive_pack (upper, NULL, plain, 0, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE);
  g_clear_error (&error);

  /* A left-out folder with no deletion in it goes entirely. */
  {
    g_autofree char *upper2 = g_build_filename (root, "upper2", NULL);
    g_autofree char *archive2 = g_build_filename (root, "out2.tar.zst", NULL);
    g_autofree char *dest2 = g_build_filename (root, "unpacked2", NULL);

    tc_write (upper2, "saves/slot1.sav", "progress");
    tc_write (upper2, "cache/a/b/c.bin", "abc");
    memset (&stats, 0, sizeof stats);
    g_assert_true (sp_archive_pack_excluding (upper2, NULL, archive2, 0, exclude, 0, NULL, NULL,
                                              NULL, &stats, &error));
    g_assert_no_error (error);
    g_assert_true (sp_archive_unpack (archive2, dest2, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (exists (dest2, "cache"));
    g_assert_true (exists (dest2, "saves/slot1.sav"));
    /* c.bin, b/, a/, cache/ */
    g_assert_cmpuint (stats.excluded_files, ==, 4);
    g_assert_cmpuint (stats.excluded_bytes, ==, 3);
  }

  tc_rmtree (root);
}

static void
write_game_ini_line (SpGame     *game,
                     const char *line)
{
  g_autofree char *contents = NULL;
  g_autofree char *changed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (sp_game_get_ini_path (game), &contents, NULL, &error));
  changed = g_strdup_printf ("%s\n[Game]\n%s\n", contents, line);
  /* A second [Game] group merges into the first in GKeyFile. */
  g_assert_true (g_file_set_contents (sp_game_get_ini_path (game), changed, -1, &error));
  g_assert_no_error (error);
}

static void
test_game_ini (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (root, "Game");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Game");
  const char * const patterns[] = { "cache", "logs/*.log", NULL };
  const char * const hostile[] = { "saves", "../../home", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) loaded = NULL;
  g_autoptr(GString) many = g_string_new ("Exclude=");
  const char *bad_lines[] = { "Exclude=../outside", "Exclude=/etc", "Exclude=*",
                              "ExcludeDefaults=maybe", NULL };

  g_assert_cmpuint (g_strv_length ((char **) sp_game_get_exclude (game)), ==, 0);
  g_assert_true (sp_game_get_exclude_defaults (game));

  g_assert_true (sp_game_set_exclude (game, patterns, &error));
  sp_game_set_exclude_defaults (game, FALSE);
  g_assert_true (sp_game_save_sync (game, &error));
  g_assert_no_error (error);
  loaded = sp_game_load (sp_game_get_path (game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal (sp_game_get_exclude (loaded), patterns));
  g_assert_false (sp_game_get_exclude_defaults (loaded));

  /* The setter refuses a bad pattern and changes nothing. */
  g_assert_false (sp_game_set_exclude (game, hostile, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (g_strv_equal (sp_game_get_exclude (game), patterns));

  /* From a drive: refused with its file and line. */
  for (guint i = 0; bad_lines[i] != NULL; i++)
    {
      g_autoptr(SpGame) refused = NULL;

      g_assert_true (sp_game_save_sync (game, &error));
      write_game_ini_line (game, bad_lines[i]);
      refused = sp_game_load (sp_game_get_path (game), FALSE, &error);
      g_assert_null (refused);
      g_assert_nonnull (error);
      g_test_message ("%s → %s", bad_lines[i], error->message);
      g_assert_nonnull (strstr (error->message, "game.ini:"));
      g_clear_error (&error);
    }
  for (guint i = 0; i <= SP_EXCLUDE_MAX_PATTERNS; i++)
    g_string_append_printf (many, "cache%u;", i);
  g_assert_true (sp_game_save_sync (game, &error));
  write_game_ini_line (game, many->str);
  g_assert_null (sp_game_load (sp_game_get_path (game), FALSE, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);

  tc_rmtree (drive);
  tc_rmtree (root);
}

static void
write_random (const char *dir,
              const char *name,
              gsize       size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree guint32 *data = g_new (guint32, size / 4);
  g_autoptr(GRand) rand = g_rand_new_with_seed (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size / 4; i++)
    data[i] = g_rand_int (rand);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, (const char *) data, size, &error));
  g_assert_no_error (error);
}

/* A Wine game's run with 50 MB of caches (a shader cache, DXVK's, temp
 * files) and a 1 KB save: the checkpoint holds the save, and says what it
 * left out. */
static void
test_wine_checkpoint (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = g_build_filename (root, "Prefix", NULL);
  g_autofree char *upper = g_build_filename (root, "upper", NULL);
  g_autofree char *save = g_strnfill (1024, 's');
  SpGameInfo info = { .name = "Wine Game", .kind = SP_GAME_KIND_WINE,
                      .executable = "drive_c/Game/game.exe" };
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpCheckpoint) with_defaults = NULL;
  g_autoptr(SpCheckpoint) without = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size_with = NULL;
  g_autofree char *size_without = NULL;

  tc_write (source, "drive_c/Game/game.exe", "MZ");
  tc_write (source, "system.reg", "WINE REGISTRY Version 2\n");
  tc_write (source, "drive_c/users/alice/Documents/.keep", "");
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  write_random (upper, "drive_c/users/alice/AppData/Local/Game/ShaderCache/pipeline.bin", 30 << 20);
  write_random (upper, "drive_c/Game/game.dxvk-cache", 10 << 20);
  /* Wine games write names in any case: the list matches regardless. */
  write_random (upper, "drive_c/users/alice/AppData/Local/TEMP/setup.tmp", 10 << 20);
  tc_write (upper, "drive_c/users/alice/Documents/My Games/Game/save.dat", save);

  with_defaults = sp_game_create_checkpoint_sync (game, upper, "Defaults", 60, FALSE, NULL, NULL,
                                                  NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_checkpoint_get_bytes (with_defaults), ==, 1024);
  g_assert_cmpuint (sp_checkpoint_get_excluded_bytes (with_defaults), ==, 50 << 20);
  g_assert_cmpuint (sp_checkpoint_get_excluded_files (with_defaults), >=, 3);

  sp_game_set_exclude_defaults (game, FALSE);
  without = sp_game_create_checkpoint_sync (game, upper, "No defaults", 60, FALSE, NULL, NULL,
                                            NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_checkpoint_get_bytes (without), ==, 1024 + (50 << 20));
  g_assert_cmpuint (sp_checkpoint_get_excluded_files (without), ==, 0);

  size_with = g_format_size (sp_checkpoint_get_archive_size (with_defaults));
  size_without = g_format_size (sp_checkpoint_get_archive_size (without));
  g_test_message ("checkpoint of a run with 50 MB of caches and a 1 KB save: %s with the "
                  "built-in exclusions, %s without", size_with, size_without);
  g_assert_cmpuint (sp_checkpoint_get_archive_size (with_defaults) * 1000, <,
                    sp_checkpoint_get_archive_size (without));

  /* What was left out survives a reload (it is in the .ini). */
  g_assert_true (sp_game_reload (game, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sp_checkpoint_get_excluded_bytes (
                      sp_game_find_checkpoint (game, sp_checkpoint_get_id (with_defaults))),
                    ==, 50 << 20);

  tc_rmtree (drive);
  tc_rmtree (root);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/exclude/match", test_match);
  g_test_add_func ("/exclude/pattern-valid", test_pattern_valid);
  g_test_add_func ("/exclude/pack", test_pack);
  g_test_add_func ("/exclude/game-ini", test_game_ini);
  g_test_add_func ("/exclude/wine-checkpoint", test_wine_checkpoint);
  return g_test_run ();
}
