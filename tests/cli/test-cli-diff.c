/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-cli diff: text and --json output for checkpoints packed by the
 * real packer, between two checkpoints, a Wine game's registry section,
 * and unknown ids. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "core/sp-core.h"
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

/* Runs savepoint-cli --library @drive with the NULL-terminated arguments;
 * the exit code in @result->status. */
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

  g_assert_nonnull (g_getenv ("SP_CLI"));
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
}

static char *
keep (SpGame     *game,
      const char *upper)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) c = sp_game_create_checkpoint_sync (game, upper, NULL, 0, TRUE,
                                                              NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return g_strdup (sp_checkpoint_get_id (c));
}

static SpGame *
add_game (SpLibrary  *library,
          const char *root,
          SpGameKind  kind)
{
  g_autofree char *source = g_build_filename (root, "src", NULL);
  SpGameInfo info = { .name = "Diff Game", .executable = "game.exe", .kind = kind };
  g_autoptr(GError) error = NULL;
  SpGame *game;

  tc_write (source, "game.exe", "MZ fake executable");
  tc_write (source, "data/level1.dat", "level one data");
  tc_write (source, "data/level2.dat", "level two data, longer");
  if (kind == SP_GAME_KIND_WINE)
    tc_write (source, "user.reg", "WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\n\n"
                                  "#arch=win64\n\n"
                                  "[Software\\\\Game] 1700000000\n#time=1da00000000000\n"
                                  "\"Volume\"=dword:00000010\n\"Blob\"=hex:00,01,\\\n  02,03\n\n"
                                  "[Software\\\\Gone] 1700000000\n@=\"bye\"\n");
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return game;
}

static JsonObject *
parse_object (const char *text,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_diff_native (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *drive = NULL;
  g_autofree char *upper = g_build_filename (root, "upper", NULL);
  g_autofree char *wh = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autoptr(SpGame) game = add_game (library, root, SP_GAME_KIND_NATIVE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = { 0 };
  JsonObject *object;
  JsonArray *entries;
  JsonObject *e;

  tc_write (upper, "save/slot1.sav", "progress one");
  tc_write (upper, "data/level1.dat", "LEVEL ONE DATA");
  tc_write (upper, "game.exe", "MZ fake executable");        /* same bytes: not a change */
  tc_write (upper, "data/.wh.level2.dat", "");
  id1 = keep (game, upper);
  tc_write (upper, "save/slot1.sav", "progress one and two");
  wh = g_build_filename (upper, "data", ".wh.level2.dat", NULL);
  g_assert_cmpint (g_unlink (wh), ==, 0);
  id2 = keep (game, upper);

  run_cli (&r, drive, "diff", "diff-game", id1, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==,
                   "M data/level1.dat (14 bytes → 14 bytes)\n"
                   "D data/level2.dat\n"
                   "A save/\n"
                   "A save/slot1.sav (12 bytes)\n"
                   "\n"
                   "Total: 2 added, 1 changed, 1 deleted; 26 bytes added or changed.\n");

  run_cli (&r, drive, "--json", "diff", "diff-game", id1, id2, NULL);
  g_assert_cmpint (r.status, ==, 0);
  object = parse_object (r.out, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "game"), ==, "diff-game");
  g_assert_cmpstr (json_object_get_string_member (object, "from"), ==, id1);
  g_assert_cmpstr (json_object_get_string_member (object, "to"), ==, id2);
  g_assert_true (json_object_get_null_member (object, "registry"));
  entries = json_object_get_array_member (object, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  e = json_array_get_object_element (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (e, "change"), ==, "added");
  g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, "data/level2.dat");
  g_assert_cmpstr (json_object_get_string_member (e, "type"), ==, "file");
  g_assert_cmpint (json_object_get_int_member (e, "size"), ==, 22);
  e = json_array_get_object_element (entries, 1);
  g_assert_cmpstr (json_object_get_string_member (e, "change"), ==, "changed");
  g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, "save/slot1.sav");
  g_assert_cmpint (json_object_get_int_member (e, "old_size"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (e, "size"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (object, "added"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "changed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "deleted"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "total_size"), ==, 42);

  /* Unknown ids: a clear error naming "checkpoints", exit 3. */
  run_cli (&r, drive, "diff", "diff-game", "20990101T000000-nothere", NULL);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "20990101T000000-nothere"));
  g_assert_nonnull (strstr (r.err, "savepoint-cli checkpoints diff-game"));
  run_cli (&r, drive, "diff", "diff-game", id1, "nothere", NULL);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "nothere"));
  run_cli (&r, drive, "diff", "diff-game", NULL);
  g_assert_cmpint (r.status, ==, 2);

  result_clear (&r);
  g_clear_object (&game);
  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

static void
test_diff_wine (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *drive = NULL;
  g_autofree char *upper = g_build_filename (root, "upper", NULL);
  g_autofree char *id = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autoptr(SpGame) game = add_game (library, root, SP_GAME_KIND_WINE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = { 0 };
  JsonObject *object;
  JsonArray *registry;
  JsonObject *c;

  tc_write (upper, "user.reg", "WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\n\n"
                               "#arch=win64\n\n"
                               "[Software\\\\Game] 1800000000\n#time=1db00000000000\n"
                               "\"Volume\"=dword:00000020\n\"Blob\"=hex:00,01,\\\n  02,04\n\n"
                               "[Software\\\\New] 1800000000\n\"Name\"=\"Player\"\n");
  tc_write (upper, "drive_c/users/player/Saved Games/slot.sav", "save");
  id = keep (game, upper);

  run_cli (&r, drive, "diff", "Diff Game", id, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "M user.reg ("));
  g_assert_nonnull (strstr (r.out, "A drive_c/users/player/Saved Games/slot.sav (4 bytes)\n"));
  g_assert_nonnull (strstr (r.out,
                            "\nRegistry (user.reg):\n"
                            "M Software\\Game (Blob, Volume)\n"
                            "D Software\\Gone (@)\n"
                            "A Software\\New (Name)\n"));
  g_assert_nonnull (strstr (r.out, "\n3 registry keys differ.\n"));

  run_cli (&r, drive, "--json", "diff", "diff-game", id, NULL);
  g_assert_cmpint (r.status, ==, 0);
  object = parse_object (r.out, parser);
  g_assert_true (json_object_get_null_member (object, "from"));
  g_assert_cmpstr (json_object_get_string_member (object, "to"), ==, id);
  registry = json_object_get_array_member (object, "registry");
  g_assert_cmpuint (json_array_get_length (registry), ==, 3);
  c = json_array_get_object_element (registry, 1);
  g_assert_cmpstr (json_object_get_string_member (c, "change"), ==, "removed");
  g_assert_cmpstr (json_object_get_string_member (c, "file"), ==, "user.reg");
  g_assert_cmpstr (json_object_get_string_member (c, "key"), ==, "Software\\Gone");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (c, "values"), 0), ==, "");

  /* A hostile user.reg in a checkpoint: exit 4 with the file named. */
  tc_write (upper, "user.reg", "WINE REGISTRY Version 2\n[Never closed\n");
  g_free (id);
  id = keep (game, upper);
  run_cli (&r, drive, "diff", "diff-game", id, NULL);
  g_assert_cmpint (r.status, ==, 4);
  g_assert_nonnull (strstr (r.err, "user.reg"));
  g_assert_nonnull (strstr (r.err, "no closing"));

  result_clear (&r);
  g_clear_object (&game);
  g_clear_object (&library);
  tc_rmtree (drive);
  tc_rmtree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/diff/native", test_diff_native);
  g_test_add_func ("/cli/diff/wine", test_diff_wine);
  return g_test_run ();
}
