/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs the built savepoint-cli against real libraries in temp folders. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "play/sp-run-owner.h"
#include "core/sp-library-finder.h"
#include "sp-cli.h"
#include "cli-test.h"
#include <sys/stat.h>

void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Runs @argv (NULL-terminated) in C.UTF-8 with $SAVEPOINT_LIBRARY set to
 * @library_env (unset when NULL) and the runs in @state_home (when not
 * NULL). */
void
spawn_in (Result     *result,
          GPtrArray  *argv,
          const char *library_env,
          const char *state_home)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  int wait_status;

  if (library_env != NULL)
    envp = g_environ_setenv (envp, "SAVEPOINT_LIBRARY", library_env, TRUE);
  else
    envp = g_environ_unsetenv (envp, "SAVEPOINT_LIBRARY");
  if (state_home != NULL)
    envp = g_environ_setenv (envp, "XDG_STATE_HOME", state_home, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &result->out, &result->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
  if (g_test_verbose ())
    g_printerr ("# exit %d\n# out: %s\n# err: %s\n", result->status, result->out, result->err);
}

/* Runs @argv (NULL-terminated) with no $SAVEPOINT_LIBRARY, in C.UTF-8. */
void
spawn (Result    *result,
       GPtrArray *argv)
{
  spawn_in (result, argv, NULL, NULL);
}

/* Runs savepoint-cli with --library @drive (unless NULL) and the
 * NULL-terminated arguments. */
void
run_cli (Result     *result,
         const char *drive,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("SP_CLI");
  const char *arg;
  va_list args;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  if (drive != NULL)
    {
      g_ptr_array_add (argv, (char *) "--library");
      g_ptr_array_add (argv, (char *) drive);
    }
  va_start (args, drive);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  spawn (result, argv);
}

/* run_cli() without --library, with $SAVEPOINT_LIBRARY set to @library_env
 * and the runs in @state_home. */
void
run_cli_env (Result     *result,
             const char *library_env,
             const char *state_home,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_assert_nonnull (g_getenv ("SP_CLI"));
  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  va_start (args, state_home);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  spawn_in (result, argv, library_env, state_home);
}

JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmp = g_dir_make_tmp ("sp-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->drive = g_build_filename (fixture->tmp, "drive", NULL);
  fixture->source = g_build_filename (fixture->tmp, "install", NULL);
  g_assert_cmpint (g_mkdir (fixture->drive, 0755), ==, 0);
  write_file (fixture->source, "game.sh", "#!/bin/sh\necho playing\n");
  write_file (fixture->source, "data/level1.dat", "level one");
  g_assert_cmpint (g_chmod (fixture->source, 0755), ==, 0);
}

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  sp_remove_tree (fixture->tmp, NULL, &error);
  g_assert_no_error (error);
  g_free (fixture->tmp);
  g_free (fixture->drive);
  g_free (fixture->source);
}

/* A library with the game "Test Game" added through the CLI. */
void
init_and_add (Fixture *fixture)
{
  g_auto(Result) init = { 0 };
  g_auto(Result) add = { 0 };

  run_cli (&init, NULL, "init", fixture->drive, "--name", "My Drive", NULL);
  g_assert_cmpint (init.status, ==, 0);
  g_assert_nonnull (strstr (init.out, "My Drive"));
  run_cli (&add, fixture->drive, "add", "Test Game", fixture->source, "--exec", "game.sh",
           "--arg", "--windowed", "--env", "SPEED=2", NULL);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_nonnull (strstr (add.out, "test-game"));
}

/* Creates a checkpoint through the core, from an upper dir holding @save. */
char *
make_checkpoint (Fixture    *fixture,
                 const char *label,
                 const char *save)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = sp_library_open (fixture->drive, &error);
  g_autofree char *upper = g_build_filename (fixture->tmp, "upper", NULL);
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *ini = NULL;
  g_autofree char *created = NULL;
  SpGame *game;

  g_assert_no_error (error);
  game = sp_library_find_game (library, "test-game");
  g_assert_nonnull (game);
  sp_remove_tree (upper, NULL, NULL);
  write_file (upper, "save.txt", save);
  checkpoint = sp_game_create_checkpoint_sync (game, upper, label, 60, TRUE, NULL, NULL, NULL,
                                               &error);
  g_assert_no_error (error);

  /* Created one hour apart, in the order they were made, so the timeline
   * order does not depend on the clock. */
  ini = g_strdup_printf ("%s/checkpoints/%s.ini", sp_game_get_path (game),
                         sp_checkpoint_get_id (checkpoint));
  g_key_file_load_from_file (key_file, ini, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  created = g_strdup_printf ("2001-01-01T%02u:00:00.000000Z", fixture->n_checkpoints++);
  g_key_file_set_string (key_file, "Checkpoint", "Created", created);
  g_key_file_save_to_file (key_file, ini, &error);
  g_assert_no_error (error);
  return g_strdup (sp_checkpoint_get_id (checkpoint));
}

static void
test_init_twice (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Result) first = { 0 };
  g_auto(Result) second = { 0 };

  run_cli (&first, NULL, "init", fixture->drive, NULL);
  g_assert_cmpint (first.status, ==, 0);
  run_cli (&second, NULL, "init", fixture->drive, NULL);
  g_assert_cmpint (second.status, ==, 1);
  g_assert_nonnull (strstr (second.err, fixture->drive));
}

static void
test_add_errors (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Result) init = { 0 };
  g_auto(Result) no_exec = { 0 };
  g_auto(Result) bad_exec = { 0 };
  g_auto(Result) bad_kind = { 0 };
  g_auto(Result) list = { 0 };
  g_autoptr(JsonNode) root = NULL;

  run_cli (&init, NULL, "init", fixture->drive, NULL);
  g_assert_cmpint (init.status, ==, 0);

  run_cli (&no_exec, fixture->drive, "add", "X", fixture->source, NULL);
  g_assert_cmpint (no_exec.status, ==, 2);
  g_assert_nonnull (strstr (no_exec.err, "--exec"));

  run_cli (&bad_exec, fixture->drive, "add", "X", fixture->source, "--exec", "missing.exe", NULL);
  g_assert_cmpint (bad_exec.status, ==, 3);
  g_assert_nonnull (strstr (bad_exec.err, "missing.exe"));

  run_cli (&bad_kind, fixture->drive, "add", "X", fixture->source, "--exec", "game.sh",
           "--kind", "dos", NULL);
  g_assert_cmpint (bad_kind.status, ==, 2);

  /* Nothing was added by the failed attempts. */
  run_cli (&list, fixture->drive, "--json", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  root = parse_json (list.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root),
                                                                         "games")), ==, 0);
}

/* A Wine prefix as wineboot leaves it, without Wine: system.reg and the
 * profile folders @users of drive_c/users, plus Public and a link. */
static char *
make_fake_prefix (Fixture            *fixture,
                  const char         *name,
                  const char * const *users)
{
  g_autofree char *prefix = g_build_filename (fixture->tmp, name, NULL);
  g_autofree char *link = g_build_filename (prefix, "drive_c", "users", "linked", NULL);

  write_file (prefix, "system.reg", "WINE REGISTRY Version 2\n");
  write_file (prefix, "drive_c/windows/system32/cmd.exe", "MZ");
  write_file (prefix, "drive_c/users/Public/Documents/readme.txt", "shared");
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autofree char *file = g_build_filename ("drive_c", "users", users[i], "AppData",
                                                "save.txt", NULL);
      write_file (prefix, file, users[i]);
    }
  /* A link is not a profile, even to a folder. */
  g_assert_cmpint (symlink (fixture->tmp, link), ==, 0);
  return g_steal_pointer (&prefix);
}

static void
test_add_wine_user (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *two[] = { "alice", "bob", NULL };
  const char *one[] = { "carol", NULL };
  g_autofree char *prefix = make_fake_prefix (fixture, "two-profiles", two);
  g_autofree char *single = make_fake_prefix (fixture, "one-profile", one);
  g_auto(Result) init = { 0 };
  g_auto(Result) ambiguous = { 0 };
  g_auto(Result) missing = { 0 };
  g_auto(Result) hostile = { 0 };
  g_auto(Result) native = { 0 };
  g_auto(Result) chosen = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) show_json = { 0 };
  g_auto(Result) only = { 0 };
  g_auto(Result) only_json = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) only_root = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *ini_path = NULL;

  run_cli (&init, NULL, "init", fixture->drive, NULL);
  g_assert_cmpint (init.status, ==, 0);

  /* Two profiles and no choice: refused, naming both, not Public or the link. */
  run_cli (&ambiguous, fixture->drive, "add", "Two", prefix,
           "--exec", "drive_c/windows/system32/cmd.exe", NULL);
  g_assert_cmpint (ambiguous.status, ==, 2);
  g_assert_nonnull (strstr (ambiguous.err, "alice, bob"));
  g_assert_nonnull (strstr (ambiguous.err, "--wine-user"));
  g_assert_null (strstr (ambiguous.err, "Public"));
  g_assert_null (strstr (ambiguous.err, "linked"));

  run_cli (&missing, fixture->drive, "add", "Two", prefix,
           "--exec", "drive_c/windows/system32/cmd.exe", "--wine-user", "linked", NULL);
  g_assert_cmpint (missing.status, ==, 2);
  g_assert_nonnull (strstr (missing.err, "“linked”"));
  g_assert_nonnull (strstr (missing.err, "alice, bob"));

  run_cli (&hostile, fixture->drive, "add", "Two", prefix,
           "--exec", "drive_c/windows/system32/cmd.exe", "--wine-user", "../alice", NULL);
  g_assert_cmpint (hostile.status, ==, 2);

  run_cli (&native, fixture->drive, "add", "Two", prefix, "--kind", "native",
           "--exec", "drive_c/windows/system32/cmd.exe", "--wine-user", "alice", NULL);
  g_assert_cmpint (native.status, ==, 2);
  g_assert_nonnull (strstr (native.err, "--wine-user"));

  run_cli (&chosen, fixture->drive, "add", "Two", prefix,
           "--exec", "drive_c/windows/system32/cmd.exe", "--wine-user", "bob", NULL);
  g_assert_cmpint (chosen.status, ==, 0);
  run_cli (&show, fixture->drive, "show", "two", NULL);
  g_assert_cmpint (show.status, ==, 0);
  g_assert_nonnull (strstr (show.out, "Wine profile:  bob"));
  run_cli (&show_json, fixture->drive, "--json", "show", "two", NULL);
  g_assert_cmpint (show_json.status, ==, 0);
  root = parse_json (show_json.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "wine_user"),
                   ==, "bob");
  ini_path = g_build_filename (json_object_get_string_member (json_node_get_object (root), "path"),
                               "game.ini", NULL);
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, "\nWineUser=bob\n"));

  /* One profile: recorded without asking. */
  run_cli (&only, fixture->drive, "add", "One", single,
           "--exec", "drive_c/windows/system32/cmd.exe", NULL);
  g_assert_cmpint (only.status, ==, 0);
  run_cli (&only_json, fixture->drive, "--json", "show", "one", NULL);
  g_assert_cmpint (only_json.status, ==, 0);
  only_root = parse_json (only_json.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (only_root), "wine_user"),
                   ==, "carol");
}

static void
test_list_show (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Result) list = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) show_json = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *base_file = NULL;
  JsonObject *game;

  init_and_add (fixture);

  run_cli (&list, fixture->drive, "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "Test Game"));
  g_assert_nonnull (strstr (list.out, "clean install"));

  run_cli (&show, fixture->drive, "show", "Test Game", NULL);
  g_assert_cmpint (show.status, ==, 0);
  g_assert_nonnull (strstr (show.out, "game.sh"));
  g_assert_nonnull (strstr (show.out, "--windowed"));

  run_cli (&show_json, fixture->drive, "--json", "show", "test-game", NULL);
  g_assert_cmpint (show_json.status, ==, 0);
  root = parse_json (show_json.out);
  game = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (game, "slug"), ==, "test-game");
  g_assert_cmpstr (json_object_get_string_member (game, "kind"), ==, "native");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (game, "environment"), 0),
                   ==, "SPEED=2");
  g_assert_true (json_object_get_null_member (game, "head"));

  /* The clean install was copied into the library, the source untouched. */
  base_file = g_build_filename (json_object_get_string_member (game, "path"), "base", "data",
                                "level1.dat", NULL);
  g_assert_true (g_file_test (base_file, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (fixture->source, G_FILE_TEST_IS_DIR));
}

/* A checkpoint without a label has the app's one name for it, in the
 * timeline and as the current checkpoint of the list. */
static void
test_untitled_checkpoint (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(Result) timeline = { 0 };
  g_auto(Result) list = { 0 };
  g_autofree char *id = NULL;

  init_and_add (fixture);
  id = make_checkpoint (fixture, "", "1\n");

  run_cli (&timeline, fixture->drive, "checkpoints", "test-game", NULL);
  g_assert_cmpint (timeline.status, ==, 0);
  g_assert_nonnull (strstr (timeline.out, id));
  g_assert_nonnull (strstr (timeline.out, sp_untitled_checkpoint_name ()));
  g_assert_cmpstr (sp_untitled_checkpoint_name (), ==, "Untitled Checkpoint");

  run_cli (&list, fixture->drive, "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "Untitled Checkpoint"));
}

static JsonArray *
get_checkpoints (Fixture   *fixture,
                 JsonNode **out_root)
{
  g_auto(Result) result = { 0 };

  run_cli (&result, fixture->drive, "--json", "checkpoints", "test-game", NULL);
  g_assert_cmpint (result.status, ==, 0);
  *out_root = parse_json (result.out);
  return json_node_get_array (*out_root);
}

static void
test_checkpoint_commands (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *exported = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *list;

  init_and_add (fixture);
  first = make_checkpoint (fixture, "Chapter 1", "level=1");
  second = make_checkpoint (fixture, "Chapter 2", "level=2");

  /* Newest first, the head marked. */
  list = get_checkpoints (fixture, &root);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "id"),
                   ==, second);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "parent"),
                   ==, first);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (list, 0), "current"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (list, 1), "current"));
  g_clear_pointer (&root, json_node_unref);

  {
    g_auto(Result) restore = { 0 };
    g_auto(Result) human = { 0 };

    run_cli (&restore, fixture->drive, "restore", "test-game", first, NULL);
    g_assert_cmpint (restore.status, ==, 0);
    list = get_checkpoints (fixture, &root);
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (list, 1), "current"));
    g_clear_pointer (&root, json_node_unref);

    run_cli (&human, fixture->drive, "checkpoints", "test-game", NULL);
    g_assert_nonnull (strstr (human.out, "Chapter 1"));
    g_assert_nonnull (strstr (human.out, "clean install"));
  }

  {
    g_auto(Result) rename = { 0 };

    run_cli (&rename, fixture->drive, "rename", "test-game", first, "Before the boss", NULL);
    g_assert_cmpint (rename.status, ==, 0);
    list = get_checkpoints (fixture, &root);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1), "label"),
                     ==, "Before the boss");
    g_clear_pointer (&root, json_node_unref);
  }

  {
    g_auto(Result) export = { 0 };
    g_auto(Result) import = { 0 };
    g_autoptr(JsonNode) imported = NULL;

    exported = g_build_filename (fixture->tmp, "exported.tar.zst", NULL);
    run_cli (&export, fixture->drive, "export", "test-game", second, exported, NULL);
    g_assert_cmpint (export.status, ==, 0);
    g_assert_true (g_file_test (exported, G_FILE_TEST_IS_REGULAR));

    run_cli (&import, fixture->drive, "--json", "import", "test-game", exported, NULL);
    g_assert_cmpint (import.status, ==, 0);
    imported = parse_json (import.out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (imported), "label"),
                     ==, "Chapter 2");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (imported), "id"),
                     !=, second);
    list = get_checkpoints (fixture, &root);
    g_assert_cmpuint (json_array_get_length (list), ==, 3);
    g_clear_pointer (&root, json_node_unref);
  }

  {
    g_auto(Result) good = { 0 };
    g_auto(Result) bad = { 0 };
    g_autofree char *archive = NULL;
    g_autofree char *contents = NULL;
    gsize length;

    run_cli (&good, fixture->drive, "verify", NULL);
    g_assert_cmpint (good.status, ==, 0);
    g_assert_nonnull (strstr (good.out, "3 checkpoints checked"));

    /* Flip one byte in the middle of the first checkpoint's archive. */
    archive = g_build_filename (fixture->drive, "Savepoint", "games", "test-game", "checkpoints",
                                first, NULL);
    {
      g_autofree char *with_ext = g_strconcat (archive, ".tar.zst", NULL);
      g_assert_true (g_file_get_contents (with_ext, &contents, &length, NULL));
      contents[length / 2] ^= 0x55;
      g_assert_true (g_file_set_contents (with_ext, contents, length, NULL));
    }
    run_cli (&bad, fixture->drive, "verify", "test-game", NULL);
    g_assert_cmpint (bad.status, ==, 4);
    g_assert_nonnull (strstr (bad.err, first));
  }

  {
    g_auto(Result) delete = { 0 };
    g_auto(Result) again = { 0 };

    run_cli (&delete, fixture->drive, "delete", "test-game", first, NULL);
    g_assert_cmpint (delete.status, ==, 0);
    list = get_checkpoints (fixture, &root);
    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    for (guint i = 0; i < json_array_get_length (list); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, i), "id"),
                       !=, first);
    g_clear_pointer (&root, json_node_unref);

    run_cli (&again, fixture->drive, "delete", "test-game", first, NULL);
    g_assert_cmpint (again.status, ==, 3);
  }
}

static void
test_bad_libraries (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Result) none = { 0 };
  g_auto(Result) malformed = { 0 };
  g_auto(Result) newer_list = { 0 };
  g_auto(Result) newer_restore = { 0 };
  g_auto(Result) usage = { 0 };
  g_autofree char *ini = g_build_filename (fixture->drive, "Savepoint", "library.ini", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  run_cli (&none, fixture->drive, "list", NULL);
  g_assert_cmpint (none.status, ==, 3);
  g_assert_nonnull (strstr (none.err, fixture->drive));

  init_and_add (fixture);
  g_assert_true (g_file_set_contents (ini, "[Library]\nVersion=1\nthis is not a key file\n", -1,
                                      NULL));
  run_cli (&malformed, fixture->drive, "list", NULL);
  g_assert_cmpint (malformed.status, ==, 4);
  g_assert_nonnull (strstr (malformed.err, "library.ini:3"));

  g_assert_true (g_file_set_contents (ini, "[Library]\nVersion=99\nId=7d9d3bd4-5b8a-4b7e-9c55-3e8f2f0f6a21\nName=Future\nNewKey=kept\n",
                                      -1, NULL));
  run_cli (&newer_list, fixture->drive, "list", NULL);
  g_assert_cmpint (newer_list.status, ==, 0);
  g_assert_nonnull (strstr (newer_list.out, "Test Game"));
  run_cli (&newer_restore, fixture->drive, "restore", "test-game", "clean", NULL);
  g_assert_cmpint (newer_restore.status, ==, 5);
  /* The newer library's metadata was not touched. */
  g_assert_true (g_file_get_contents (ini, &after, NULL, NULL));
  g_assert_nonnull (strstr (after, "NewKey=kept"));
  g_assert_nonnull (strstr (after, "Version=99"));

  run_cli (&usage, fixture->drive, "restore", "test-game", NULL);
  g_assert_cmpint (usage.status, ==, 2);
}

/* play --ask understands translated answers: matching ignores case outside
 * ASCII too, and an empty choice never matches. */
/* ------------------------------------------------------------------------ */
/* Export never overwrites, import checks the
 * archive and its game, verify warns about setuid/setgid entries. */

/* A zstd tar with the metadata first, then one regular file @name. */
static void
write_one_entry_archive (const char *path,
                         const char *name)
{
  struct archive *a = archive_write_new ();
  const char *names[] = { SP_ARCHIVE_METADATA_ENTRY, name };
  const char *data[] = { "[Checkpoint]\nLabel=Evil\n", "x" };

  archive_write_set_format_pax_restricted (a);
  archive_write_add_filter_zstd (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      struct archive_entry *e = archive_entry_new ();

      archive_entry_copy_pathname (e, names[i]);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, strlen (data[i]));
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, data[i], strlen (data[i])), ==,
                       (la_ssize_t) strlen (data[i]));
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static void
test_transfer_guards (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *out = g_build_filename (fixture->tmp, "out.tar.zst", NULL);
  g_autofree char *games = g_build_filename (fixture->drive, "Savepoint", "games", NULL);
  g_autofree char *library_ini = g_build_filename (fixture->drive, "Savepoint", "library.ini",
                                                   NULL);
  g_autofree char *own_archive = NULL;
  g_autofree char *release = g_test_build_filename (G_TEST_DIST, "archive", "data",
                                                    "release-setuid.tar.zst", NULL);

  init_and_add (fixture);
  first = make_checkpoint (fixture, "Chapter 1", "level=1");
  own_archive = g_strdup_printf ("%s/test-game/checkpoints/%s.tar.zst", games, first);

  {
    g_auto(Result) export = { 0 };
    g_auto(Result) again = { 0 };
    g_auto(Result) forced = { 0 };
    g_autofree char *contents = NULL;

    write_file (fixture->tmp, "out.tar.zst", "my own file");
    run_cli (&export, fixture->drive, "export", "test-game", first, out, NULL);
    g_assert_cmpint (export.status, ==, 1);
    g_assert_nonnull (strstr (export.err, out));
    g_assert_nonnull (strstr (export.err, "--force"));
    g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "my own file");

    run_cli (&forced, fixture->drive, "export", "--force", "test-game", first, out, NULL);
    g_assert_cmpint (forced.status, ==, 0);
    g_unlink (out);
    run_cli (&again, fixture->drive, "export", "test-game", first, out, NULL);
    g_assert_cmpint (again.status, ==, 0);
  }

  /* Never onto the library's own files, even with --force. */
  {
    const char *targets[] = { own_archive, library_ini };

    for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
      {
        g_auto(Result) export = { 0 };
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        g_assert_true (g_file_get_contents (targets[i], &before, NULL, NULL));
        run_cli (&export, fixture->drive, "export", "--force", "test-game", first, targets[i],
                 NULL);
        g_assert_cmpint (export.status, ==, 2);
        g_assert_nonnull (strstr (export.err, "inside the library"));
        g_assert_true (g_file_get_contents (targets[i], &after, NULL, NULL));
        g_assert_cmpstr (before, ==, after);
      }
  }

  /* An archive that play would refuse is not imported. */
  {
    g_auto(Result) import = { 0 };
    g_autofree char *evil = g_build_filename (fixture->tmp, "evil.tar.zst", NULL);
    g_autofree char *evil_abs = g_build_filename (fixture->tmp, "escaped", NULL);

    write_one_entry_archive (evil, evil_abs);
    run_cli (&import, fixture->drive, "import", "test-game", evil, NULL);
    g_assert_cmpint (import.status, ==, 4);
    g_assert_nonnull (strstr (import.err, "absolute path"));
  }

  /* Not into another game, unless --force. */
  {
    g_auto(Result) add = { 0 };
    g_auto(Result) import = { 0 };
    g_auto(Result) forced = { 0 };

    run_cli (&add, fixture->drive, "add", "Other Game", fixture->source, "--exec", "game.sh",
             NULL);
    g_assert_cmpint (add.status, ==, 0);
    run_cli (&import, fixture->drive, "import", "other-game", out, NULL);
    g_assert_cmpint (import.status, ==, 1);
    g_assert_nonnull (strstr (import.err, "another game"));
    run_cli (&forced, fixture->drive, "import", "--force", "other-game", out, NULL);
    g_assert_cmpint (forced.status, ==, 0);
  }

  /* An archive of the released code (setuid/setgid entries, no game):
   * imported with a warning; verify warns and calls it good. */
  {
    g_auto(Result) import = { 0 };
    g_auto(Result) verify = { 0 };
    g_auto(Result) json = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_cli (&import, fixture->drive, "import", "test-game", release, NULL);
    g_assert_cmpint (import.status, ==, 0);
    g_assert_nonnull (strstr (import.err, "warning"));
    g_assert_nonnull (strstr (import.err, "setuid"));
    run_cli (&verify, fixture->drive, "verify", "test-game", NULL);
    g_assert_cmpint (verify.status, ==, 0);
    g_assert_nonnull (strstr (verify.err, "warning"));
    g_assert_nonnull (strstr (verify.out, "all good"));
    run_cli (&json, fixture->drive, "--json", "verify", "test-game", NULL);
    g_assert_cmpint (json.status, ==, 0);
    root = parse_json (json.out);
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (json_node_get_object (root),
                                                                          "warnings")), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "damaged"), ==, 0);
  }

  /* A checkpoint on the drive whose archive play would refuse (its .ini
   * matching it) is damaged for verify too. */
  {
    g_auto(Result) verify = { 0 };
    g_autoptr(GError) error = NULL;
    const char *id = "20260101T000000-evil00";
    g_autofree char *arch = g_strdup_printf ("%s/test-game/checkpoints/%s.tar.zst", games, id);
    g_autofree char *ini = g_strdup_printf ("%s/test-game/checkpoints/%s.ini", games, id);
    g_autofree char *ini_text = NULL;
    g_autofree char *sha = NULL;
    guint64 size = 0;

    write_one_entry_archive (arch, "/etc/evil");
    sha = sp_file_sha256 (arch, &size, NULL, &error);
    g_assert_no_error (error);
    ini_text = g_strdup_printf ("[Checkpoint]\nCreated=2026-01-01T00:00:00.000000Z\nLabel=Evil\n"
                                "PlayTime=1\nFiles=1\nBytes=1\nArchiveSize=%" G_GUINT64_FORMAT
                                "\nSHA256=%s\n", size, sha);
    g_assert_true (g_file_set_contents (ini, ini_text, -1, NULL));
    run_cli (&verify, fixture->drive, "verify", "test-game", NULL);
    g_assert_cmpint (verify.status, ==, 4);
    g_assert_nonnull (strstr (verify.err, id));
    g_assert_nonnull (strstr (verify.err, "absolute path"));
  }
}

static void
test_answers (void)
{
  g_assert_true (sp_cli_answer_is ("y", "y|yes"));
  g_assert_true (sp_cli_answer_is ("YES", "y|yes"));
  g_assert_true (sp_cli_answer_is ("Ja", "j|ja"));
  g_assert_true (sp_cli_answer_is ("SPÄTER", "s|später"));
  g_assert_true (sp_cli_answer_is ("Plus tard", "p|plus tard"));
  g_assert_false (sp_cli_answer_is ("nein", "n|no"));
  g_assert_false (sp_cli_answer_is ("", "y||yes"));
  g_assert_false (sp_cli_answer_is ("Chapter 1", "y|yes"));
}

/* Help needs no library: `play --help` on a machine with no drive
 * connected printed "no Savepoint library found" and failed. The drive
 * folders are hidden under empty tmpfs mounts in a mount namespace of the
 * command's own. */
static void
test_help_without_drive (void)
{
  const char *script =
    "for d in /media /run/media /mnt; do"
    "  if [ -d \"$d\" ]; then mount -t tmpfs none \"$d\" || exit 99; fi; "
    "done; exec \"$@\"";
  const char *commands[] = { "play", "runs", "recover", "list", NULL };

  if (geteuid () != 0)
    {
      g_test_skip ("hiding the drive folders needs root (a mount namespace)");
      return;
    }
  for (guint i = 0; commands[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_auto(Result) help = { 0 };
      g_autofree char *usage = NULL;

      g_ptr_array_add (argv, (char *) "unshare");
      g_ptr_array_add (argv, (char *) "--mount");
      g_ptr_array_add (argv, (char *) "--propagation=private");
      g_ptr_array_add (argv, (char *) "sh");
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, (char *) script);
      g_ptr_array_add (argv, (char *) "sh");
      g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
      g_ptr_array_add (argv, (char *) commands[i]);
      g_ptr_array_add (argv, (char *) "--help");
      g_ptr_array_add (argv, NULL);
      spawn (&help, argv);
      g_assert_cmpstr (help.err, ==, "");
      g_assert_cmpint (help.status, ==, 0);
      g_assert_nonnull (strstr (help.out, "Usage:"));
    }
}

/* ---- Add refuses paths that leave the game ---- */

/* Before the fix, add accepted --home ../x and --workdir /etc, and an
 * executable that climbed out with "..". */
static void
test_add_paths_outside (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *cases[][2] = {
    { "--exec", "../install/game.sh" },
    { "--exec", "data/../../install/game.sh" },
    { "--home", "../x" },
    { "--home", "save\\..\\..\\x" },
    { "--workdir", "/etc" },
    { "--workdir", "data//x" },
    { "--icon", "/etc/passwd" },
  };
  g_auto(Result) init = { 0 };
  g_auto(Result) list = { 0 };
  g_auto(Result) good = { 0 };
  g_autoptr(JsonNode) root = NULL;

  run_cli (&init, NULL, "init", fixture->drive, NULL);
  g_assert_cmpint (init.status, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Result) add = { 0 };
      gboolean is_exec = g_str_equal (cases[i][0], "--exec");

      run_cli (&add, fixture->drive, "add", "X", fixture->source,
               "--exec", is_exec ? cases[i][1] : "game.sh",
               is_exec ? "--kind" : cases[i][0], is_exec ? "native" : cases[i][1], NULL);
      g_test_message ("%s %s: %s", cases[i][0], cases[i][1], add.err);
      g_assert_cmpint (add.status, ==, 2);
      g_assert_nonnull (strstr (add.err, cases[i][0]));
      g_assert_nonnull (strstr (add.err, "not allowed"));
    }

  /* Nothing was added; paths inside are fine. */
  run_cli (&list, fixture->drive, "--json", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  root = parse_json (list.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root),
                                                                         "games")), ==, 0);
  run_cli (&good, fixture->drive, "add", "X", fixture->source, "--exec", "./game.sh",
           "--home", "save/", "--workdir", "data", NULL);
  g_assert_cmpint (good.status, ==, 0);
}

/* ---- Verify is honest ---- */

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
}

static guint
count_kind (JsonArray  *problems,
            const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (problems); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (problems, i),
                                                  "kind"), kind) == 0)
      n++;
  return n;
}

/* verify reports (and exits 4 for) a checkpoint .ini that does not parse,
 * one with impossible values, an orphan archive, a leftover .partial with
 * its size and a game.ini that does not load; --repair removes the
 * leftover and nothing else; a library.ini that does not parse fails too. */
static void
test_verify_honest (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Result) good = { 0 };
  g_auto(Result) bad = { 0 };
  g_auto(Result) repair = { 0 };
  g_auto(Result) broken_library = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *id = NULL;
  g_autofree char *games = g_build_filename (fixture->drive, "Savepoint", "games", NULL);
  g_autofree char *dir = g_build_filename (games, "test-game", "checkpoints", NULL);
  g_autofree char *ini = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *partial = g_build_filename (dir, "20200101T000000-aaaaaa.tar.zst.partial", NULL);
  g_autofree char *orphan = g_build_filename (dir, "20200101T000000-bbbbbb.tar.zst", NULL);
  g_autofree char *unparsable = g_build_filename (dir, "20200101T000000-cccccc.ini", NULL);
  g_autofree char *impossible = g_build_filename (dir, "20200101T000000-dddddd.ini", NULL);
  g_autofree char *impossible_archive = g_build_filename (dir, "20200101T000000-dddddd.tar.zst",
                                                          NULL);
  g_autofree char *partial_add = g_build_filename (games, ".other.partial-XYZXYZ", NULL);
  JsonArray *problems;

  init_and_add (fixture);
  id = make_checkpoint (fixture, "One", "one");
  run_cli (&good, fixture->drive, "verify", NULL);
  g_assert_cmpint (good.status, ==, 0);

  ini = g_strdup_printf ("%s/%s.ini", dir, id);
  archive = g_strdup_printf ("%s/%s.tar.zst", dir, id);
  {
    g_autofree char *filler = g_strnfill (1234, 'p');
    g_assert_true (g_file_set_contents (partial, filler, -1, NULL));
  }
  copy_file (archive, orphan);
  g_assert_true (g_file_set_contents (unparsable, "this is not a key file\n", -1, NULL));
  g_assert_true (g_file_get_contents (ini, &contents, NULL, NULL));
  {
    GString *changed = g_string_new (contents);

    g_assert_cmpint (g_string_replace (changed, "PlayTime=60", "PlayTime=-5", 1), ==, 1);
    g_assert_true (g_file_set_contents (impossible, changed->str, -1, NULL));
    g_string_free (changed, TRUE);
  }
  copy_file (archive, impossible_archive);
  write_file (games, "broken/game.ini", "[Game]\nName=Broken\nKind=dos\n");
  g_assert_cmpint (g_mkdir (partial_add, 0755), ==, 0);
  write_file (partial_add, "game.ini", "half");

  run_cli (&bad, fixture->drive, "--json", "verify", NULL);
  g_assert_cmpint (bad.status, ==, 4);
  root = parse_json (bad.out);
  problems = json_object_get_array_member (json_node_get_object (root), "problems");
  g_assert_cmpuint (count_kind (problems, "bad-metadata"), ==, 2);
  g_assert_cmpuint (count_kind (problems, "orphan"), ==, 1);
  g_assert_cmpuint (count_kind (problems, "leftover"), ==, 2);
  g_assert_cmpuint (count_kind (problems, "game-ini"), ==, 1);
  g_assert_cmpuint (count_kind (problems, "damaged"), ==, 0);
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *p = json_array_get_object_element (problems, i);

      if (g_strcmp0 (json_object_get_string_member (p, "path"), partial) == 0)
        g_assert_cmpint (json_object_get_int_member (p, "size"), ==, 1234);
      if (g_strcmp0 (json_object_get_string_member (p, "kind"), "bad-metadata") == 0 &&
          g_strcmp0 (json_object_get_string_member (p, "path"), impossible) == 0)
        g_assert_nonnull (strstr (json_object_get_string_member (p, "error"), "PlayTime"));
    }

  /* Text mode names the files on stderr. */
  {
    g_auto(Result) text = { 0 };

    run_cli (&text, fixture->drive, "verify", NULL);
    g_assert_cmpint (text.status, ==, 4);
    g_assert_nonnull (strstr (text.err, partial));
    g_assert_nonnull (strstr (text.err, orphan));
    g_assert_nonnull (strstr (text.err, unparsable));
    g_assert_nonnull (strstr (text.err, "broken/game.ini"));
  }

  /* --repair removes the leftovers no live process owns, nothing else. */
  run_cli (&repair, fixture->drive, "--json", "verify", "--repair", NULL);
  g_assert_cmpint (repair.status, ==, 4);
  after = parse_json (repair.out);
  problems = json_object_get_array_member (json_node_get_object (after), "problems");
  g_assert_cmpuint (count_kind (problems, "leftover"), ==, 0);
  g_assert_cmpuint (count_kind (problems, "orphan"), ==, 1);
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial_add, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (unparsable, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (impossible, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (archive, G_FILE_TEST_EXISTS));

  /* A library.ini that does not parse. */
  {
    g_autofree char *lib_ini = g_build_filename (fixture->drive, "Savepoint", "library.ini", NULL);

    g_assert_true (g_file_set_contents (lib_ini, "[Library\nbroken", -1, NULL));
    run_cli (&broken_library, fixture->drive, "verify", NULL);
    g_assert_cmpint (broken_library.status, ==, 4);
    g_assert_nonnull (strstr (broken_library.err, "library.ini"));
  }
}

/* A refused library is shown with its error, never passed over or waited
 * on: `list --library` on a FIFO library.ini fails at once naming it, and
 * `list` finding drives by itself reports the refused ones (a FIFO
 * library.ini, a bad Id) on stderr and lists the good one. The drive
 * folders are private tmpfs mounts in a mount namespace of the command's
 * own. */
static void
test_refused_libraries (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(Result) fifo = { 0 };
  g_auto(Result) found = { 0 };
  g_autofree char *dir = g_build_filename (fixture->drive, "Savepoint", NULL);
  g_autofree char *ini = g_build_filename (dir, "library.ini", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *script =
    "set -e; for d in /media /run/media /mnt; do"
    "  if [ -d \"$d\" ]; then mount -t tmpfs none \"$d\"; fi; "
    "done; "
    "mkdir -p /media/good /media/fifo/Savepoint /media/evil/Savepoint; "
    "\"$1\" init /media/good --name 'Good Drive' >/dev/null; "
    "mkfifo /media/fifo/Savepoint/library.ini; "
    "printf '[Library]\\nVersion=1\\nId=../../../..\\n' > /media/evil/Savepoint/library.ini; "
    "exec \"$1\" list";

  alarm (120);   /* a regression waits on the FIFO forever: fail instead */
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_cmpint (mkfifo (ini, 0644), ==, 0);
  run_cli (&fifo, fixture->drive, "list", NULL);
  g_assert_cmpint (fifo.status, ==, 4);
  g_assert_nonnull (strstr (fifo.err, ini));
  g_assert_nonnull (strstr (fifo.err, "FIFO"));

  if (geteuid () != 0)
    {
      alarm (0);
      g_test_skip ("private drive folders need root (a mount namespace)");
      return;
    }
  g_ptr_array_add (argv, (char *) "unshare");
  g_ptr_array_add (argv, (char *) "--mount");
  g_ptr_array_add (argv, (char *) "--propagation=private");
  g_ptr_array_add (argv, (char *) "sh");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) script);
  g_ptr_array_add (argv, (char *) "sh");
  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  g_ptr_array_add (argv, NULL);
  spawn (&found, argv);
  g_assert_cmpint (found.status, ==, 0);
  g_assert_nonnull (strstr (found.out, "Good Drive"));
  g_assert_nonnull (strstr (found.err, "/media/fifo/Savepoint/library.ini"));
  g_assert_nonnull (strstr (found.err, "FIFO"));
  g_assert_nonnull (strstr (found.err, "/media/evil/Savepoint/library.ini:3:"));
  alarm (0);
}

/* $SAVEPOINT_LIBRARY is a list of folders separated by colons, as the app
 * reads it. One folder is the library (and what is wrong there is told);
 * of several, the one that holds a library is used, and none or several
 * are errors that name the variable or the folders. recover reads it the
 * same way. */
static void
test_library_environment (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *empty = g_build_filename (fixture->tmp, "empty", NULL);
  g_autofree char *other = g_build_filename (fixture->tmp, "other", NULL);
  g_autofree char *missing = g_build_filename (fixture->tmp, "missing", NULL);
  g_autofree char *state = g_build_filename (fixture->tmp, "state", NULL);
  g_autofree char *one_of_two = NULL;
  g_autofree char *both = NULL;
  g_autofree char *neither = NULL;
  g_autofree char *same_twice = NULL;
  g_auto(Result) init = { 0 };

  init_and_add (fixture);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0755), ==, 0);
  run_cli (&init, NULL, "init", other, "--name", "Other Drive", NULL);
  g_assert_cmpint (init.status, ==, 0);
  /* An empty entry is skipped. */
  one_of_two = g_strdup_printf ("%s::%s", empty, fixture->drive);
  both = g_strdup_printf ("%s:%s", fixture->drive, other);
  neither = g_strdup_printf ("%s:%s", empty, missing);
  /* The same library as a drive and as its Savepoint folder. */
  same_twice = g_strdup_printf ("%s:%s/Savepoint", fixture->drive, fixture->drive);

  {
    /* The variable, what list and recover exit with, what list says. */
    struct { const char *env; int status; const char *says[3]; } cases[] = {
      { one_of_two, 0, { "Test Game", NULL } },
      { same_twice, 0, { "Test Game", NULL } },
      { both, 2, { "SAVEPOINT_LIBRARY", fixture->drive, other } },
      { neither, 3, { "SAVEPOINT_LIBRARY", NULL } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(Result) list = { 0 };
        g_auto(Result) recover = { 0 };

        run_cli_env (&list, cases[i].env, NULL, "list", NULL);
        g_assert_cmpint (list.status, ==, cases[i].status);
        for (guint j = 0; j < G_N_ELEMENTS (cases[i].says) && cases[i].says[j] != NULL; j++)
          g_assert_nonnull (strstr (cases[i].status == 0 ? list.out : list.err,
                                    cases[i].says[j]));
        run_cli_env (&recover, cases[i].env, state, "recover", "--discard", NULL);
        g_assert_cmpint (recover.status, ==, cases[i].status);
        if (cases[i].status == 0)
          g_assert_nonnull (strstr (recover.out, "No pending runs"));
      }
  }
  {
    g_auto(Result) list = { 0 };
    g_auto(Result) explicit = { 0 };

    run_cli_env (&list, empty, NULL, "list", NULL);
    g_assert_cmpint (list.status, ==, 3);
    g_assert_nonnull (strstr (list.err, empty));
    /* --library wins over the variable. */
    run_cli_env (&explicit, both, NULL, "--library", other, "--json", "list", NULL);
    g_assert_cmpint (explicit.status, ==, 0);
    g_assert_nonnull (strstr (explicit.out, "Other Drive"));
  }
}

/* Where the app and the CLI look for libraries: the folders of
 * $SAVEPOINT_LIBRARY (a colon-separated list, made absolute, empty entries
 * skipped), then the configured folders, then the drives; each path once,
 * from the first source that names it. */
static void
test_library_finder (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *a = g_build_filename (fixture->tmp, "a", NULL);
  g_autofree char *b = g_build_filename (fixture->tmp, "b", NULL);
  g_autofree char *c = g_build_filename (fixture->tmp, "c", NULL);
  g_autofree char *savepoint = g_build_filename (fixture->drive, "Savepoint", NULL);
  g_autofree char *env = g_strdup_printf ("%s::%s/../b:%s", a, a, a);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) candidates = NULL;
  g_auto(GStrv) folders = NULL;
  const char *configured[] = { b, c, "", NULL };
  const char *expected[] = { a, b, c };
  g_auto(Result) init = { 0 };

  g_setenv ("SAVEPOINT_LIBRARY", env, TRUE);
  folders = sp_library_environment_folders ();
  g_assert_cmpuint (g_strv_length (folders), ==, 2);
  g_assert_cmpstr (folders[0], ==, a);
  g_assert_cmpstr (folders[1], ==, b);

  g_settings_set_strv (settings, "library-folders", configured);
  candidates = sp_library_find_candidates (NULL, settings);
  g_unsetenv ("SAVEPOINT_LIBRARY");
  g_settings_reset (settings, "library-folders");
  g_assert_cmpuint (candidates->len, >=, G_N_ELEMENTS (expected));
  for (guint i = 0; i < candidates->len; i++)
    {
      SpLibraryCandidate *candidate = g_ptr_array_index (candidates, i);
      SpLibrarySource source = i < 2 ? SP_LIBRARY_SOURCE_ENVIRONMENT
                               : i < 3 ? SP_LIBRARY_SOURCE_FOLDER : SP_LIBRARY_SOURCE_DRIVE;

      g_assert_cmpint (candidate->source, ==, source);
      if (i < G_N_ELEMENTS (expected))
        {
          g_assert_cmpstr (candidate->path, ==, expected[i]);
          g_assert_cmpstr (candidate->location, ==, expected[i]);
        }
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (candidate->path, !=,
                         ((SpLibraryCandidate *) g_ptr_array_index (candidates, j))->path);
    }

  /* A library is a drive with Savepoint/library.ini, or that folder. */
  g_assert_false (sp_library_candidate_has_library (fixture->drive));
  run_cli (&init, NULL, "init", fixture->drive, NULL);
  g_assert_cmpint (init.status, ==, 0);
  g_assert_true (sp_library_candidate_has_library (fixture->drive));
  g_assert_true (sp_library_candidate_has_library (savepoint));
  g_assert_false (sp_library_candidate_has_library (fixture->source));
}

/* Which library and game a run belongs to, as recover and the app ask it:
 * its own library whether given, found through LibraryPath, or another one
 * given; a game that is gone, a LibraryPath holding another library or none
 * are errors that say so. */
static void
test_run_owner (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *runs = g_build_filename (fixture->tmp, "runs", NULL);
  g_autofree char *other_dir = g_build_filename (fixture->tmp, "other", NULL);
  g_autofree char *nowhere = g_build_filename (fixture->tmp, "nowhere", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpLibrary) other = NULL;
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GPtrArray) games = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;
  const char *id;

  init_and_add (fixture);
  g_assert_cmpint (g_mkdir (other_dir, 0755), ==, 0);
  other = sp_library_create_sync (other_dir, "Other", &error);
  g_assert_no_error (error);
  library = sp_library_open (fixture->drive, &error);
  g_assert_no_error (error);
  id = sp_library_get_id (library);
  sp_runs_set_dir (runs);

  run = sp_run_create (id, sp_library_get_path (library), "test-game", "Test Game", NULL, &error);
  g_assert_no_error (error);
  {
    SpLibrary *given[] = { library, NULL, other };

    for (guint i = 0; i < G_N_ELEMENTS (given); i++)
      {
        g_autoptr(SpLibrary) owner = NULL;
        g_autoptr(SpGame) game = sp_run_owner_find (run, given[i], &owner, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (sp_game_get_slug (game), ==, "test-game");
        g_assert_cmpstr (sp_library_get_id (owner), ==, id);
        g_assert_true ((owner == library) == (given[i] == library));
      }
  }

  model = sp_library_get_games (library);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (games, g_list_model_get_item (model, i));
  g_assert_true (sp_run_owner_match (run, id, games) == g_ptr_array_index (games, 0));
  g_assert_null (sp_run_owner_match (run, sp_library_get_id (other), games));

  {
    g_autoptr(SpRun) gone = sp_run_create (id, sp_library_get_path (library), "gone", "Gone",
                                           NULL, &error);
    g_autoptr(SpRun) moved = NULL;
    g_autoptr(SpRun) lost = NULL;
    g_autoptr(SpLibrary) owner = NULL;

    g_assert_no_error (error);
    g_assert_null (sp_run_owner_match (gone, id, games));
    g_assert_null (sp_run_owner_find (gone, library, &owner, &error));
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "“gone”"));
    g_assert_null (owner);
    g_clear_error (&error);

    moved = sp_run_create (id, sp_library_get_path (other), "moved", "Moved", NULL, &error);
    g_assert_no_error (error);
    g_assert_null (sp_run_owner_find (moved, NULL, &owner, &error));
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, sp_library_get_path (other)));
    g_clear_error (&error);

    lost = sp_run_create (id, nowhere, "lost", "Lost", NULL, &error);
    g_assert_no_error (error);
    g_assert_null (sp_run_owner_find (lost, other, &owner, &error));
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "is not available"));
    g_assert_nonnull (strstr (error->message, nowhere));
  }
  sp_runs_set_dir (NULL);
}

static void
test_note_command (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *exported = g_build_filename (fixture->tmp, "noted.tar.zst", NULL);
  g_autoptr(JsonNode) root = NULL;
  const char *note = "Three potions left.\n\tTake the right door.";
  JsonArray *list;

  init_and_add (fixture);
  first = make_checkpoint (fixture, "Chapter 1", "level=1");
  second = make_checkpoint (fixture, "Chapter 2", "level=2");

  /* No note: an empty "note" in --json. */
  list = get_checkpoints (fixture, &root);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1), "note"),
                   ==, "");
  g_clear_pointer (&root, json_node_unref);

  {
    g_auto(Result) set = { 0 };
    g_auto(Result) set_json = { 0 };
    g_auto(Result) human = { 0 };
    g_autoptr(JsonNode) done = NULL;

    run_cli (&set, fixture->drive, "note", "test-game", first, note, NULL);
    g_assert_cmpint (set.status, ==, 0);
    g_assert_nonnull (strstr (set.out, first));
    list = get_checkpoints (fixture, &root);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1), "note"),
                     ==, note);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1), "label"),
                     ==, "Chapter 1");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "note"),
                     ==, "");
    g_clear_pointer (&root, json_node_unref);

    /* The timeline shows each line of the note under its checkpoint. */
    run_cli (&human, fixture->drive, "show", "test-game", NULL);
    g_assert_cmpint (human.status, ==, 0);
    g_assert_nonnull (strstr (human.out, "Chapter 1"));
    g_assert_nonnull (strstr (human.out, "\n      Three potions left.\n      \tTake the right door.\n"));

    run_cli (&set_json, fixture->drive, "--json", "note", "test-game", second, "Boss next", NULL);
    g_assert_cmpint (set_json.status, ==, 0);
    done = parse_json (set_json.out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (done), "action"), ==, "note");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (done), "checkpoint"),
                     ==, second);
  }

  /* Export carries the note, import reads it back. */
  {
    g_auto(Result) export = { 0 };
    g_auto(Result) import = { 0 };
    g_autoptr(JsonNode) imported = NULL;

    run_cli (&export, fixture->drive, "export", "test-game", first, exported, NULL);
    g_assert_cmpint (export.status, ==, 0);
    run_cli (&import, fixture->drive, "--json", "import", "test-game", exported, NULL);
    g_assert_cmpint (import.status, ==, 0);
    imported = parse_json (import.out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (imported), "note"),
                     ==, note);
  }

  /* Refused: control characters, the clean install, bad usage. Nothing changes. */
  {
    g_auto(Result) bell = { 0 };
    g_auto(Result) clean = { 0 };
    g_auto(Result) both = { 0 };
    g_auto(Result) neither = { 0 };
    g_auto(Result) unknown = { 0 };

    run_cli (&bell, fixture->drive, "note", "test-game", first, "ding\007", NULL);
    g_assert_cmpint (bell.status, !=, 0);
    g_assert_nonnull (strstr (bell.err, "U+0007"));
    run_cli (&clean, fixture->drive, "note", "test-game", "clean", "x", NULL);
    g_assert_cmpint (clean.status, !=, 0);
    run_cli (&both, fixture->drive, "note", "--clear", "test-game", first, "x", NULL);
    g_assert_cmpint (both.status, !=, 0);
    g_assert_nonnull (strstr (both.err, "usage"));
    run_cli (&neither, fixture->drive, "note", "test-game", first, NULL);
    g_assert_cmpint (neither.status, !=, 0);
    run_cli (&unknown, fixture->drive, "note", "test-game", "20000101T000000-000000", "x", NULL);
    g_assert_cmpint (unknown.status, !=, 0);
    list = get_checkpoints (fixture, &root);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 2), "note"),
                     ==, note);
    g_clear_pointer (&root, json_node_unref);
  }

  /* --clear and empty text both remove it. */
  {
    g_auto(Result) clear = { 0 };
    g_auto(Result) empty = { 0 };

    run_cli (&clear, fixture->drive, "note", "--clear", "test-game", first, NULL);
    g_assert_cmpint (clear.status, ==, 0);
    run_cli (&empty, fixture->drive, "note", "test-game", second, "", NULL);
    g_assert_cmpint (empty.status, ==, 0);
    list = get_checkpoints (fixture, &root);
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *o = json_array_get_object_element (list, i);

        if (g_strcmp0 (json_object_get_string_member (o, "id"), first) == 0 ||
            g_strcmp0 (json_object_get_string_member (o, "id"), second) == 0)
          g_assert_cmpstr (json_object_get_string_member (o, "note"), ==, "");
      }
  }
}

/* exclude: lists, adds, removes; patterns are checked; --json. */
static void
test_exclude_command (Fixture       *fixture,
                      gconstpointer  data)
{
  init_and_add (fixture);

  {
    g_auto(Result) list = { 0 };

    run_cli (&list, fixture->drive, "exclude", "test-game", NULL);
    g_assert_cmpint (list.status, ==, 0);
    g_assert_nonnull (strstr (list.out, "(none)"));
    /* A native game has no built-in list. */
    g_assert_null (strstr (list.out, "built in"));
  }
  {
    g_auto(Result) add = { 0 };
    g_auto(Result) again = { 0 };
    g_auto(Result) json = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *patterns;

    run_cli (&add, fixture->drive, "exclude", "test-game", "cache", "*.log", NULL);
    g_assert_cmpint (add.status, ==, 0);
    g_assert_nonnull (strstr (add.out, "  cache\n  *.log\n"));
    /* Adding one that is there changes nothing. */
    run_cli (&again, fixture->drive, "exclude", "test-game", "cache", NULL);
    g_assert_cmpint (again.status, ==, 0);
    run_cli (&json, fixture->drive, "--json", "exclude", "test-game", NULL);
    g_assert_cmpint (json.status, ==, 0);
    root = parse_json (json.out);
    patterns = json_object_get_array_member (json_node_get_object (root), "exclude");
    g_assert_cmpuint (json_array_get_length (patterns), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (patterns, 1), ==, "*.log");
    g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "case_sensitive"));
  }
  {
    g_auto(Result) outside = { 0 };
    g_auto(Result) everything = { 0 };
    g_auto(Result) defaults = { 0 };
    g_auto(Result) missing = { 0 };
    g_auto(Result) removed = { 0 };

    run_cli (&outside, fixture->drive, "exclude", "test-game", "../../home", NULL);
    g_assert_cmpint (outside.status, ==, 2);
    g_assert_nonnull (strstr (outside.err, "not allowed"));
    run_cli (&everything, fixture->drive, "exclude", "test-game", "*", NULL);
    g_assert_cmpint (everything.status, ==, 2);
    g_assert_nonnull (strstr (everything.err, "every file"));
    run_cli (&defaults, fixture->drive, "exclude", "test-game", "--no-defaults", NULL);
    g_assert_cmpint (defaults.status, ==, 2);
    run_cli (&missing, fixture->drive, "exclude", "test-game", "--remove", "nothing", NULL);
    g_assert_cmpint (missing.status, ==, 3);
    run_cli (&removed, fixture->drive, "exclude", "test-game", "--remove", "cache", NULL);
    g_assert_cmpint (removed.status, ==, 0);
    g_assert_null (strstr (removed.out, "  cache\n"));
    g_assert_nonnull (strstr (removed.out, "  *.log\n"));
  }
}

int
main (int   argc,
      char *argv[])
{
  /* Dates in the output (the storage tests compare them) in one zone. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/answers", test_answers);
  g_test_add_func ("/cli/help-without-drive", test_help_without_drive);
  g_test_add ("/cli/init-twice", Fixture, NULL, fixture_set_up, test_init_twice, fixture_tear_down);
  g_test_add ("/cli/untitled-checkpoint", Fixture, NULL, fixture_set_up, test_untitled_checkpoint,
              fixture_tear_down);
  g_test_add ("/cli/add-errors", Fixture, NULL, fixture_set_up, test_add_errors, fixture_tear_down);
  g_test_add ("/cli/add-paths-outside", Fixture, NULL, fixture_set_up, test_add_paths_outside,
              fixture_tear_down);
  g_test_add ("/cli/add-wine-user", Fixture, NULL, fixture_set_up, test_add_wine_user,
              fixture_tear_down);
  g_test_add ("/cli/list-show", Fixture, NULL, fixture_set_up, test_list_show, fixture_tear_down);
  g_test_add ("/cli/checkpoints", Fixture, NULL, fixture_set_up, test_checkpoint_commands,
              fixture_tear_down);
  g_test_add ("/cli/note", Fixture, NULL, fixture_set_up, test_note_command, fixture_tear_down);
  g_test_add ("/cli/exclude", Fixture, NULL, fixture_set_up, test_exclude_command, fixture_tear_down);
  g_test_add ("/cli/transfer-guards", Fixture, NULL, fixture_set_up, test_transfer_guards,
              fixture_tear_down);
  g_test_add ("/cli/bad-libraries", Fixture, NULL, fixture_set_up, test_bad_libraries,
              fixture_tear_down);
  g_test_add ("/cli/verify-honest", Fixture, NULL, fixture_set_up, test_verify_honest,
              fixture_tear_down);
  g_test_add ("/cli/refused-libraries", Fixture, NULL, fixture_set_up, test_refused_libraries,
              fixture_tear_down);
  g_test_add ("/cli/library-environment", Fixture, NULL, fixture_set_up,
              test_library_environment, fixture_tear_down);
  g_test_add ("/cli/library-finder", Fixture, NULL, fixture_set_up, test_library_finder,
              fixture_tear_down);
  g_test_add ("/cli/run-owner", Fixture, NULL, fixture_set_up, test_run_owner,
              fixture_tear_down);
  cli_storage_add_tests ();
  return g_test_run ();
}
