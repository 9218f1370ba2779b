/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "core/sp-core.h"
#include "sp-test-common.h"

static const char *rich_ini =
  "# Written by hand\n"
  "[Game]\n"
  "Name=Ōkami HD\n"
  "Name[ja]=大神\n"
  "Kind=wine\n"
  "# the launcher\n"
  "Executable=drive_c/Okami/okami.exe\n"
  "Arguments=-windowed;with\\;semicolon;\n"
  "WorkingDirectory=drive_c/Okami\n"
  "Environment=DXVK_HUD=1;WINEDEBUG=-all;\n"
  "Runner=wine-staging\n"
  "Icon=okami.png\n"
  "FutureKey=future value\n"
  "\n"
  "[State]\n"
  "Head=\n"
  "\n"
  "[Future Group]\n"
  "Something=else\n";

static char *
make_game_dir (const char *root,
               const char *slug,
               const char *ini)
{
  char *dir = g_build_filename (root, slug, NULL);

  tc_write (dir, "game.ini", ini);
  tc_write (dir, "base/file", "x");
  return dir;
}

/* SpGameInfo is the one record of the launch settings: what is added is
 * what the game holds, copies own their strings, equal compares them. */
static void
test_game_info (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (root, "src");
  const char *arguments[] = { "-windowed", "with;semicolon", NULL };
  const char *environment[] = { "DXVK_HUD=1", NULL };
  SpGameInfo info = {
    .name = "Info Game",
    .kind = SP_GAME_KIND_WINE,
    .executable = "game.exe",
    .arguments = arguments,
    .working_directory = "data",
    .environment = environment,
    .runner = "wine-staging",
    .icon = "icon.png",
  };
  g_autoptr(SpGameInfo) copy = sp_game_info_copy (&info);
  g_autoptr(SpGameInfo) before = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpGame) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  SpGameInfo empty = { 0 };
  g_autoptr(SpGameInfo) empty_copy = sp_game_info_copy (&empty);

  g_assert_true (copy->name != info.name);
  g_assert_true (sp_game_info_equal (copy, &info));
  /* NULL lists equal empty ones; a copy's lists are never NULL. */
  g_assert_nonnull (empty_copy->arguments);
  g_assert_nonnull (empty_copy->environment);
  g_assert_true (sp_game_info_equal (empty_copy, &empty));
  g_assert_false (sp_game_info_equal (empty_copy, &info));

  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_true (sp_game_info_equal (sp_game_get_info (game), &info));
  g_assert_cmpstr (sp_game_get_info (game)->runner, ==, sp_game_get_runner (game));

  /* The setters change the record; game.ini keeps it. */
  before = sp_game_info_copy (sp_game_get_info (game));
  sp_game_set_home (game, "home");
  g_assert_false (sp_game_info_equal (sp_game_get_info (game), before));
  g_assert_cmpstr (sp_game_get_info (game)->home, ==, "home");
  g_assert_true (sp_game_save_sync (game, &error));
  g_assert_no_error (error);
  reloaded = sp_game_load (sp_game_get_path (game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (sp_game_info_equal (sp_game_get_info (reloaded), sp_game_get_info (game)));

  tc_rmtree (drive);
  tc_rmtree (root);
}

static void
test_game_load_save (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *dir = make_game_dir (root, "okami-hd", rich_ini);
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpGame) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *args[] = { "-windowed", "with;semicolon", NULL };
  const char *env[] = { "DXVK_HUD=1", "WINEDEBUG=-all", NULL };
  const char *new_args[] = { "--one", NULL };
  guint name_notifies = 0;
  guint any_notifies = 0;
  SpGameKind kind;

  game = sp_game_load (dir, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_slug (game), ==, "okami-hd");
  g_assert_cmpstr (sp_game_get_path (game), ==, dir);
  g_assert_true (g_str_has_suffix (sp_game_get_base_path (game), "/okami-hd/base"));
  g_assert_true (g_str_has_suffix (sp_game_get_ini_path (game), "/okami-hd/game.ini"));
  g_assert_cmpstr (sp_game_get_name (game), ==, "Ōkami HD");
  g_assert_cmpint (sp_game_get_kind (game), ==, SP_GAME_KIND_WINE);
  g_assert_cmpstr (sp_game_get_executable (game), ==, "drive_c/Okami/okami.exe");
  g_assert_cmpstrv (sp_game_get_arguments (game), args);
  g_assert_cmpstrv (sp_game_get_environment (game), env);
  g_assert_cmpstr (sp_game_get_working_directory (game), ==, "drive_c/Okami");
  g_assert_cmpstr (sp_game_get_runner (game), ==, "wine-staging");
  g_assert_cmpstr (sp_game_get_icon (game), ==, "okami.png");
  g_assert_null (sp_game_get_home (game));
  g_assert_null (sp_game_get_head (game));
  g_assert_null (sp_game_get_head_checkpoint (game));
  g_assert_cmpint (sp_game_get_play_time (game), ==, 0);
  g_assert_null (sp_game_get_last_played (game));
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 0);
  g_assert_null (sp_game_get_problems (game)[0]);

  /* Setters notify once per real change; properties work too. */
  g_signal_connect (game, "notify::name", G_CALLBACK (tc_count_notify_cb), &name_notifies);
  g_signal_connect (game, "notify", G_CALLBACK (tc_count_notify_cb), &any_notifies);
  sp_game_set_name (game, "Okami");
  sp_game_set_name (game, "Okami");
  g_assert_cmpuint (name_notifies, ==, 1);
  g_object_set (game, "kind", SP_GAME_KIND_NATIVE, "home", "home", NULL);
  g_object_get (game, "kind", &kind, NULL);
  g_assert_cmpint (kind, ==, SP_GAME_KIND_NATIVE);
  sp_game_set_arguments (game, new_args);
  sp_game_set_environment (game, NULL);
  sp_game_set_runner (game, NULL);
  sp_game_set_icon (game, "");
  g_assert_null (sp_game_get_icon (game));
  g_assert_cmpuint (any_notifies, ==, 7);

  g_assert_true (sp_game_save_sync (game, &error));
  g_assert_no_error (error);
  text = tc_read (dir, "game.ini");
  g_assert_nonnull (strstr (text, "# Written by hand"));
  g_assert_nonnull (strstr (text, "# the launcher"));
  g_assert_nonnull (strstr (text, "Name[ja]=大神"));
  g_assert_nonnull (strstr (text, "FutureKey=future value"));
  g_assert_nonnull (strstr (text, "[Future Group]"));
  g_assert_nonnull (strstr (text, "Something=else"));
  g_assert_null (strstr (text, "Runner="));
  g_assert_null (strstr (text, "Environment="));
  g_assert_cmpuint (tc_count_entries (dir), ==, 2);

  again = sp_game_load (dir, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_name (again), ==, "Okami");
  g_assert_cmpint (sp_game_get_kind (again), ==, SP_GAME_KIND_NATIVE);
  g_assert_cmpstr (sp_game_get_home (again), ==, "home");
  g_assert_cmpstrv (sp_game_get_arguments (again), new_args);
  g_assert_cmpuint (g_strv_length ((char **) sp_game_get_environment (again)), ==, 0);
  g_assert_null (sp_game_get_runner (again));

  /* Values that would not load again are refused, and nothing is written. */
  {
    const char *bad_env[] = { "NOEQUALS", NULL };
    g_autofree char *before = tc_read (dir, "game.ini");
    g_autofree char *after = NULL;

    sp_game_set_name (game, "");
    g_assert_false (sp_game_save_sync (game, &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
    g_clear_error (&error);
    sp_game_set_name (game, "Okami");
    sp_game_set_environment (game, bad_env);
    g_assert_false (sp_game_save_sync (game, &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
    g_clear_error (&error);
    sp_game_set_environment (game, NULL);
    after = tc_read (dir, "game.ini");
    g_assert_cmpstr (before, ==, after);
  }

  /* Reload picks up a change made by someone else. */
  tc_write (dir, "game.ini", rich_ini);
  g_assert_true (sp_game_reload (game, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_name (game), ==, "Ōkami HD");

  tc_rmtree (root);
}

static void
assert_load_fails (const char *root,
                   const char *ini,
                   guint       line)
{
  g_autofree char *dir = make_game_dir (root, "bad", ini);
  g_autofree char *path = g_build_filename (dir, "game.ini", NULL);
  g_autofree char *prefix = line ? g_strdup_printf ("%s:%u: ", path, line) : g_strdup (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = sp_game_load (dir, FALSE, &error);

  g_assert_null (game);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected “%s…”, got “%s”", prefix, error->message);
}

static void
test_game_malformed (void)
{
  g_autofree char *root = tc_tmpdir ();

  assert_load_fails (root, "[Game]\nName=x\nKind=wine\nExecutable\n", 4);
  assert_load_fails (root, "[Game]\nName=x\nKind=dos\n", 3);
  assert_load_fails (root, "[Game]\nKind=wine\n", 1);
  assert_load_fails (root, "[Game]\nName=x\nEnvironment=NOEQUALS;\n", 3);
  assert_load_fails (root, "[Game]\nName=x\n[State]\nHead=../../etc\n", 4);
  assert_load_fails (root, "[State]\nHead=\n", 0);
  tc_rmtree (root);
}

static void
test_game_kind_strings (void)
{
  SpGameKind k = SP_GAME_KIND_NATIVE;

  g_assert_cmpstr (sp_game_kind_to_string (SP_GAME_KIND_WINE), ==, "wine");
  g_assert_cmpstr (sp_game_kind_to_string (SP_GAME_KIND_NATIVE), ==, "native");
  g_assert_true (sp_game_kind_from_string ("wine", &k));
  g_assert_cmpint (k, ==, SP_GAME_KIND_WINE);
  g_assert_true (sp_game_kind_from_string ("native", &k));
  g_assert_cmpint (k, ==, SP_GAME_KIND_NATIVE);
  g_assert_false (sp_game_kind_from_string ("Wine", &k));
  g_assert_false (sp_game_kind_from_string (NULL, &k));
}

static void
test_game_dangling_head (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *dir = make_game_dir (root, "g",
                                        "[Game]\nName=G\n[State]\nHead=20260101T000000-abcdef\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = sp_game_load (dir, FALSE, &error);

  /* A Head naming a missing checkpoint loads, is kept, and is reported. */
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (game), ==, "20260101T000000-abcdef");
  g_assert_null (sp_game_get_head_checkpoint (game));
  g_assert_nonnull (sp_game_get_problems (game)[0]);
  g_assert_nonnull (strstr (sp_game_get_problems (game)[0], "20260101T000000-abcdef"));
  tc_rmtree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/game/info", test_game_info);
  g_test_add_func ("/game/load-save", test_game_load_save);
  g_test_add_func ("/game/malformed", test_game_malformed);
  g_test_add_func ("/game/kind-strings", test_game_kind_strings);
  g_test_add_func ("/game/dangling-head", test_game_dangling_head);
  return g_test_run ();
}
