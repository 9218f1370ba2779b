/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Paths from game.ini stay inside the game: the lexical
 * rule, and where core applies it (loading, saving, adding). Resolution
 * beneath the mount is tested with real sessions in test-session.c. */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

static void
test_lexical_rule (void)
{
  const char *valid[] = { "bin/game", "./game.sh", "save/", "drive_c/Program Files/Game/game.exe",
                          "..hidden", "game..", "a/.../b", ".", "a/./b", "dosdevices/c:/x.exe", NULL };
  const char *invalid[] = { "/bin/sh", "\\windows\\x.exe", "..", "../x", "a/../b", "a/..",
                            "a\\..\\b", "..\\x", "a//b", "a/\\b", "a\nb", "a\tb", "x\x7fy", "\xff", NULL };
  g_autofree char *too_long = g_strnfill (SP_GAME_PATH_MAX_LENGTH + 1, 'a');

  for (guint i = 0; valid[i]; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sp_game_path_is_valid (valid[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; invalid[i]; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sp_game_path_is_valid (invalid[i], &error));
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
      g_test_message ("%s", error->message);
    }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sp_game_path_is_valid ("", &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sp_game_path_is_valid (too_long, &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  }
}

/* A game.ini from a drive with paths that leave the game still loads (so
 * the user sees and can correct it), each listed as a problem naming the
 * file, line and key; saving it unchanged is refused. */
static void
test_game_ini (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "source");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Paths");
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;
  g_autoptr(GString) bad = NULL;
  const char * const *problems;
  const char *keys[] = { "Executable", "WorkingDirectory", "Home", "Icon" };

  g_assert_true (g_file_get_contents (sp_game_get_ini_path (game), &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, "Executable=game.exe\n"));
  bad = g_string_new (ini);
  g_string_replace (bad, "Executable=game.exe\n",
                    "Executable=../../../../bin/sh\nWorkingDirectory=/etc\n"
                    "Home=..\\\\..\\\\x\nIcon=/etc/passwd\n", 1);
  g_assert_true (g_file_set_contents (sp_game_get_ini_path (game), bad->str, -1, NULL));

  g_assert_true (sp_game_reload (game, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_executable (game), ==, "../../../../bin/sh");
  problems = sp_game_get_problems (game);
  g_assert_cmpuint (g_strv_length ((char **) problems), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *where = g_strdup_printf (": %s is not allowed", keys[i]);
      const char *line = strstr (problems[i], "game.ini:");

      g_test_message ("%s", problems[i]);
      g_assert_nonnull (line);
      g_assert_true (g_ascii_isdigit (line[strlen ("game.ini:")]));
      g_assert_nonnull (strstr (problems[i], where));
    }

  /* Loading from scratch lists them too. */
  {
    g_autoptr(SpGame) again = sp_game_load (sp_game_get_path (game), FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length ((char **) sp_game_get_problems (again)), ==, G_N_ELEMENTS (keys));
  }

  /* Saving keeps the rule. */
  g_assert_false (sp_game_save_sync (game, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Executable"));
  g_clear_error (&error);

  sp_game_set_executable (game, "game.exe");
  sp_game_set_working_directory (game, "data");
  sp_game_set_home (game, "../x");
  sp_game_set_icon (game, NULL);
  g_assert_false (sp_game_save_sync (game, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Home"));
  g_clear_error (&error);

  sp_game_set_home (game, "save");
  g_assert_true (sp_game_save_sync (game, &error));
  g_assert_no_error (error);
  g_assert_true (sp_game_reload (game, &error));
  g_assert_cmpuint (g_strv_length ((char **) sp_game_get_problems (game)), ==, 0);

  tc_rmtree (drive);
}

/* Adding refuses the same (the app's add dialog and the CLI use it). */
static void
test_add (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "source");
  SpGameInfo infos[] = {
    { .name = "A", .kind = SP_GAME_KIND_NATIVE, .executable = "../game.exe" },
    { .name = "B", .kind = SP_GAME_KIND_WINE, .executable = "/bin/sh" },
    { .name = "C", .kind = SP_GAME_KIND_NATIVE, .executable = "game.exe", .home = "../../x" },
    { .name = "D", .kind = SP_GAME_KIND_NATIVE, .executable = "game.exe", .working_directory = "/" },
    { .name = "E", .kind = SP_GAME_KIND_NATIVE, .executable = "game.exe", .icon = "../icon.png" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (infos); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpGame) game = sp_library_add_game_sync (library, &infos[i], source, SP_ADD_MODE_COPY,
                                                         NULL, NULL, NULL, &error);

      g_assert_null (game);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "not allowed"));
    }
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 0);
  tc_rmtree (drive);
}

/* The icon is read beneath the clean install: a link out, a FIFO or a huge
 * file is refused. Before the fix the card loaded Icon=/etc/passwd or a
 * link out as it was. */
static void
test_read_beneath (void)
{
  g_autofree char *tmp = tc_tmpdir ();
  g_autofree char *base = g_build_filename (tmp, "base", NULL);
  g_autofree char *fifo = g_build_filename (base, "fifo.png", NULL);
  g_autofree char *link = g_build_filename (base, "link.png", NULL);
  g_autofree char *inside = g_build_filename (base, "inside.png", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *refused[] = { "link.png", "fifo.png", "/etc/passwd", "../secret.png", "big.png", "missing.png", NULL };

  tc_write (base, "icons/icon.png", "PNG data");
  tc_write (base, "big.png", "0123456789");
  tc_write (tmp, "secret.png", "outside");
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", link), ==, 0);
  g_assert_cmpint (symlink ("icons/icon.png", inside), ==, 0);

  bytes = sp_game_path_read_beneath_sync (base, "icons/icon.png", 9, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "PNG data", 8);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = sp_game_path_read_beneath_sync (base, "inside.png", 9, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 8);
  g_clear_pointer (&bytes, g_bytes_unref);

  for (guint i = 0; refused[i]; i++)
    {
      bytes = sp_game_path_read_beneath_sync (base, refused[i], 9, &error);
      g_assert_null (bytes);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", refused[i], error->message);
      g_clear_error (&error);
    }

  /* The async form, as the game card uses it. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    sp_game_path_read_beneath_async (base, "link.png", 1024, NULL, tc_store_result_cb, &result);
    bytes = sp_game_path_read_beneath_finish (tc_wait_for (&result), &error);
    g_assert_null (bytes);
    g_assert_nonnull (strstr (error->message, "outside"));
  }
  tc_rmtree (tmp);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/game-path/lexical-rule", test_lexical_rule);
  g_test_add_func ("/game-path/game-ini", test_game_ini);
  g_test_add_func ("/game-path/add", test_add);
  g_test_add_func ("/game-path/read-beneath", test_read_beneath);
  return g_test_run ();
}
