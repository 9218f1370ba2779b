/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The profile name of a Wine game (WineUser= in game.ini): which folders of
 * drive_c/users count as profiles, how adding a prefix records one, and
 * that a hostile value in game.ini is refused at load with its line. Wine
 * itself is not needed here: test-wine-session plays one. */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

/* A prefix as wineboot leaves it (without Wine): system.reg, the profiles
 * @users, Public, a link to a folder, a plain file and a folder whose name
 * no profile may have. */
static char *
make_prefix (const char         *root,
             const char         *name,
             const char * const *users)
{
  g_autofree char *prefix = g_build_filename (root, name, NULL);
  g_autofree char *link = NULL;

  tc_write (prefix, "system.reg", "WINE REGISTRY Version 2\n");
  tc_write (prefix, "drive_c/windows/system32/cmd.exe", "MZ");
  tc_write (prefix, "drive_c/users/Public/Desktop/readme.txt", "shared");
  tc_write (prefix, "drive_c/users/notes.txt", "not a profile");
  tc_write (prefix, "drive_c/users/a:b/AppData/x.txt", "bad name");
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autofree char *file = g_build_filename ("drive_c", "users", users[i], "AppData",
                                                "Roaming", "save.txt", NULL);
      tc_write (prefix, file, users[i]);
    }
  link = g_build_filename (prefix, "drive_c", "users", "linked", NULL);
  g_assert_cmpint (symlink (root, link), ==, 0);
  return g_steal_pointer (&prefix);
}

static void
test_list_users (void)
{
  g_autofree char *root = tc_tmpdir ();
  const char *users[] = { "bob", "alice", "Zoë Wine", NULL };
  g_autofree char *prefix = make_prefix (root, "prefix", users);
  g_autofree char *bare = g_build_filename (root, "bare", NULL);
  g_autofree char *linked = g_build_filename (root, "linked-users", NULL);
  g_autofree char *target = g_build_filename (prefix, "drive_c", "users", NULL);
  g_autofree char *linked_drive = g_build_filename (linked, "drive_c", NULL);
  g_autofree char *linked_users = g_build_filename (linked_drive, "users", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = NULL;
  g_auto(GStrv) none = NULL;
  g_auto(GStrv) through_link = NULL;
  const char *expected[] = { "Zoë Wine", "alice", "bob", NULL };

  found = sp_wine_prefix_list_users (prefix, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (found, expected);

  /* Not booted yet: no profile, no error. */
  g_assert_cmpint (g_mkdir (bare, 0755), ==, 0);
  none = sp_wine_prefix_list_users (bare, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  /* drive_c/users as a link leads elsewhere: no profile is read through it. */
  g_assert_cmpint (g_mkdir_with_parents (linked_drive, 0755), ==, 0);
  g_assert_cmpint (symlink (target, linked_users), ==, 0);
  through_link = sp_wine_prefix_list_users (linked, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (through_link), ==, 0);

  tc_rmtree (root);
}

static void
test_name_rule (void)
{
  g_autofree char *long_name = g_strnfill (SP_WINE_USER_MAX_LENGTH + 1, 'a');
  g_autofree char *longest = g_strnfill (SP_WINE_USER_MAX_LENGTH, 'a');
  const char *good[] = { "alice", "steamuser", "Zoë Wine", "user.name", longest };
  const char *bad[] = { "", ".", "..", "../../x", "a/b", "a\\b", "a:b", "a*b", "a\"b", "a|b",
                        "a\tb", "a\x01" "b", "a\x7f", " alice", "alice ", "alice.", "Public",
                        "public", "\xff\xfe", long_name };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sp_wine_user_is_valid (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sp_wine_user_is_valid (bad[i], &error));
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
    }
}

static SpGame *
add_wine (SpLibrary   *library,
          const char  *prefix,
          const char  *name,
          SpGameKind   kind,
          const char  *wine_user,
          GError     **error)
{
  SpGameInfo info = {
    .name = name,
    .kind = kind,
    .executable = "drive_c/windows/system32/cmd.exe",
    .wine_user = wine_user,
  };

  return sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                   error);
}

static void
test_add_records (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  const char *two[] = { "alice", "bob", NULL };
  const char *one[] = { "carol", NULL };
  const char *none[] = { NULL };
  g_autofree char *two_prefix = make_prefix (root, "two", two);
  g_autofree char *one_prefix = make_prefix (root, "one", one);
  g_autofree char *empty_prefix = make_prefix (root, "empty", none);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) ambiguous = NULL;
  g_autoptr(SpGame) missing = NULL;
  g_autoptr(SpGame) native = NULL;
  g_autoptr(SpGame) chosen = NULL;
  g_autoptr(SpGame) only = NULL;
  g_autoptr(SpGame) unbooted = NULL;
  g_autoptr(SpGame) reloaded = NULL;
  g_autofree char *ini = NULL;

  ambiguous = add_wine (library, two_prefix, "Two", SP_GAME_KIND_WINE, NULL, &error);
  g_assert_null (ambiguous);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "(alice, bob)"));
  g_clear_error (&error);

  missing = add_wine (library, two_prefix, "Two", SP_GAME_KIND_WINE, "linked", &error);
  g_assert_null (missing);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "alice, bob."));
  g_clear_error (&error);

  native = add_wine (library, two_prefix, "Two", SP_GAME_KIND_NATIVE, "alice", &error);
  g_assert_null (native);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 0);

  chosen = add_wine (library, two_prefix, "Two", SP_GAME_KIND_WINE, "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_user (chosen), ==, "bob");
  ini = tc_read (sp_game_get_path (chosen), "game.ini");
  g_assert_nonnull (strstr (ini, "\nWineUser=bob\n"));

  only = add_wine (library, one_prefix, "One", SP_GAME_KIND_WINE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_user (only), ==, "carol");

  /* No profile yet: none recorded, the player's name as before. */
  unbooted = add_wine (library, empty_prefix, "Empty", SP_GAME_KIND_WINE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (sp_game_get_wine_user (unbooted));

  /* A later write of game.ini keeps it. */
  sp_game_set_name (chosen, "Two Renamed");
  g_assert_true (sp_game_save_sync (chosen, &error));
  g_assert_no_error (error);
  reloaded = sp_game_load (sp_game_get_path (chosen), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_user (reloaded), ==, "bob");

  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

/* game.ini from a hostile drive: each bad WineUser= refuses the game, with
 * the file and line of the key. */
static void
test_hostile_ini (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  const char *one[] = { "carol", NULL };
  g_autofree char *prefix = make_prefix (root, "one", one);
  g_autofree char *long_name = g_strnfill (SP_WINE_USER_MAX_LENGTH + 1, 'x');
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *original = NULL;
  const char *bad[] = { "../../x", "a/b", "", "a\\tb", "a\x01" "b", "a\\\\b", "Public", "..",
                        long_name };

  game = add_wine (library, prefix, "Hostile", SP_GAME_KIND_WINE, NULL, &error);
  g_assert_no_error (error);
  ini_path = g_strdup (sp_game_get_ini_path (game));
  original = tc_read (sp_game_get_path (game), "game.ini");
  g_assert_nonnull (strstr (original, "\nWineUser=carol\n"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GString) text = g_string_new (original);
      g_autofree char *line = g_strdup_printf ("WineUser=%s", bad[i]);
      g_autofree char *where = NULL;
      g_autoptr(SpGame) loaded = NULL;
      g_auto(GStrv) lines = NULL;
      guint line_no = 0;

      g_string_replace (text, "WineUser=carol", line, 1);
      g_assert_true (g_file_set_contents (ini_path, text->str, -1, NULL));
      lines = g_strsplit (text->str, "\n", -1);
      for (guint l = 0; lines[l] != NULL; l++)
        if (g_str_has_prefix (lines[l], "WineUser="))
          line_no = l + 1;
      g_assert_cmpuint (line_no, >, 0);

      loaded = sp_game_load (sp_game_get_path (game), FALSE, &error);
      g_assert_null (loaded);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
      where = g_strdup_printf ("game.ini:%u:", line_no);
      g_test_message ("WineUser=%s: %s", bad[i], error->message);
      g_assert_nonnull (strstr (error->message, where));
      g_assert_nonnull (strstr (error->message, "WineUser"));
      g_clear_error (&error);
    }

  /* The good value loads again. */
  g_assert_true (g_file_set_contents (ini_path, original, -1, NULL));
  g_assert_true (sp_game_reload (game, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_wine_user (game), ==, "carol");

  g_clear_object (&game);
  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wine-user/name-rule", test_name_rule);
  g_test_add_func ("/wine-user/list-users", test_list_users);
  g_test_add_func ("/wine-user/add-records", test_add_records);
  g_test_add_func ("/wine-user/hostile-ini", test_hostile_ini);
  return g_test_run ();
}
