/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pin, unpin, prune and du through the built savepoint-cli, against real
 * libraries and archives in temp folders. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-cli.h"
#include "cli-test.h"

static char *
checkpoint_ini (Fixture    *fixture,
                const char *id)
{
  return g_strdup_printf ("%s/Savepoint/games/test-game/checkpoints/%s.ini", fixture->drive, id);
}

static void
add_retention (Fixture    *fixture,
               const char *keys)
{
  g_autofree char *ini = g_build_filename (fixture->drive, "Savepoint", "games", "test-game",
                                           "game.ini", NULL);
  g_autofree char *text = NULL;
  g_autofree char *more = NULL;

  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  more = g_strconcat (text, "\n[Retention]\n", keys, NULL);
  g_assert_true (g_file_set_contents (ini, more, -1, NULL));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Names and sizes of every file under @dir, sorted: a snapshot to compare. */
static void
snapshot_into (GString    *out,
               const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      g_string_append_printf (out, "%s %" G_GINT64_FORMAT " %ld\n", path, (gint64) st.st_size,
                              (long) st.st_mtime);
      if (S_ISDIR (st.st_mode))
        snapshot_into (out, path);
    }
}

static char *
snapshot (const char *dir)
{
  GString *out = g_string_new (NULL);

  snapshot_into (out, dir);
  return g_string_free (out, FALSE);
}

static guint64
tree_bytes (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 total = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      if (S_ISREG (st.st_mode))
        total += st.st_size;
      else if (S_ISDIR (st.st_mode))
        total += tree_bytes (path);
    }
  return total;
}

static void
test_pin_unpin (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) json = NULL;

  init_and_add (fixture);
  id = make_checkpoint (fixture, "first", "one");
  ini = checkpoint_ini (fixture, id);
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "pin", "Test Game", id, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "pinned"));
  }
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "Pinned=true\n"));
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "checkpoints", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "first  [pinned]\n"));
  }
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "--json", "checkpoints", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 0);
    json = parse_json (r.out);
    g_assert_true (json_node_get_object (json_array_get_element (json_node_get_array (json), 0)) != NULL);
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_node_get_array (json), 0),
                                                   "pinned"));
  }
  {
    g_auto(Result) r = { 0 };
    g_autoptr(JsonNode) done = NULL;

    run_cli (&r, fixture->drive, "--json", "unpin", "test-game", id, NULL);
    g_assert_cmpint (r.status, ==, 0);
    done = parse_json (r.out);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (done), "pinned"));
  }
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  g_assert_null (strstr (text, "Pinned"));
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "pin", "test-game", "20010101T000000-nothere", NULL);
    g_assert_cmpint (r.status, ==, 3);
  }
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "pin", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
}

static void
test_prune (Fixture       *fixture,
            gconstpointer  data)
{
  char *ids[4] = { NULL };
  g_autofree char *games = NULL;
  g_autofree char *trash = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  init_and_add (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *label = g_strdup_printf ("save %u", i);
      ids[i] = make_checkpoint (fixture, label, label);
    }
  games = g_build_filename (fixture->drive, "Savepoint", "games", NULL);
  trash = g_build_filename (fixture->drive, "Savepoint", "trash", NULL);

  /* No rules: nothing. */
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "prune", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "nothing is pruned"));
  }
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "pin", "test-game", ids[0], NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  add_retention (fixture, "KeepLast=1\n");

  /* --dry-run names what would go and changes nothing. */
  before = snapshot (fixture->drive);
  {
    g_auto(Result) r = { 0 };
    g_autoptr(JsonNode) json = NULL;
    JsonArray *removed;

    run_cli (&r, fixture->drive, "--json", "prune", "test-game", "--dry-run", NULL);
    g_assert_cmpint (r.status, ==, 0);
    json = parse_json (r.out);
    removed = json_object_get_array_member (json_node_get_object (json), "removed");
    g_assert_cmpuint (json_array_get_length (removed), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (removed, 0), "id"),
                     ==, ids[1]);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (removed, 1), "id"),
                     ==, ids[2]);
  }
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "prune", "test-game", "-n", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "would be moved"));
    g_assert_nonnull (strstr (r.out, ids[1]));
  }
  after = snapshot (fixture->drive);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (trash, G_FILE_TEST_EXISTS));

  /* The real thing. */
  {
    g_auto(Result) r = { 0 };
    g_autofree char *gone = NULL;

    run_cli (&r, fixture->drive, "prune", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, ids[1]));
    g_assert_nonnull (strstr (r.out, ids[2]));
    gone = checkpoint_ini (fixture, ids[1]);
    g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Result) r = { 0 };
    g_autoptr(JsonNode) json = NULL;
    JsonArray *list;

    run_cli (&r, fixture->drive, "--json", "checkpoints", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 0);
    json = parse_json (r.out);
    list = json_node_get_array (json);
    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    /* The head hangs from the pinned one now. */
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "id"),
                     ==, ids[3]);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "parent"),
                     ==, ids[0]);
  }
  {
    g_autoptr(GDir) d = g_dir_open (trash, 0, NULL);
    guint n = 0;

    g_assert_nonnull (d);
    while (g_dir_read_name (d) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 2);
  }

  /* The library is sound after it: nothing for verify to report. */
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "verify", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }

  /* du counts what is really there. */
  {
    g_auto(Result) r = { 0 };
    g_autoptr(JsonNode) json = NULL;
    JsonObject *root, *game;
    g_autofree char *base = g_build_filename (games, "test-game", "base", NULL);
    g_autofree char *checkpoints = g_build_filename (games, "test-game", "checkpoints", NULL);

    run_cli (&r, fixture->drive, "--json", "du", NULL);
    g_assert_cmpint (r.status, ==, 0);
    json = parse_json (r.out);
    root = json_node_get_object (json);
    game = json_array_get_object_element (json_object_get_array_member (root, "games"), 0);
    g_assert_cmpint (json_object_get_int_member (game, "base_bytes"), ==, tree_bytes (base));
    g_assert_cmpint (json_object_get_int_member (game, "checkpoint_bytes"), ==, tree_bytes (checkpoints));
    g_assert_cmpint (json_object_get_int_member (game, "checkpoints"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (game, "trash_entries"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (game, "trash_bytes"), ==, tree_bytes (trash));
    g_assert_cmpint (json_object_get_int_member (root, "trash_bytes"), ==, tree_bytes (trash));
    g_assert_cmpint (json_object_get_int_member (root, "free_bytes"), >, 0);
    g_assert_cmpint (json_object_get_int_member (root, "total_bytes"), >=,
                     json_object_get_int_member (root, "free_bytes"));
  }
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "du", "Test Game", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "clean install"));
    g_assert_nonnull (strstr (r.out, "Free:"));
  }

  /* --empty-trash removes this game's entries for good. */
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "prune", "test-game", "--empty-trash", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "2 checkpoints were removed from the drive’s trash"));
    g_assert_cmpuint (tree_bytes (trash), ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

static void
test_prune_hostile (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *library_ini = NULL;

  init_and_add (fixture);
  g_free (make_checkpoint (fixture, "a", "a"));
  g_free (make_checkpoint (fixture, "b", "b"));
  add_retention (fixture, "KeepLast=1\nMaxSize=-3\n");
  before = snapshot (fixture->drive);
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "prune", "test-game", NULL);
    g_assert_cmpint (r.status, ==, 4);
    g_assert_nonnull (strstr (r.err, "game.ini:"));
    g_assert_nonnull (strstr (r.err, "“-3”"));
  }
  after = snapshot (fixture->drive);
  g_assert_cmpstr (before, ==, after);

  /* The library's defaults are checked the same way. */
  library_ini = g_build_filename (fixture->drive, "Savepoint", "library.ini", NULL);
  {
    g_autofree char *text = NULL;
    g_autofree char *more = NULL;

    g_assert_true (g_file_get_contents (library_ini, &text, NULL, NULL));
    more = g_strconcat (text, "\n[Retention]\nKeepDaily=1e9\n", NULL);
    g_assert_true (g_file_set_contents (library_ini, more, -1, NULL));
  }
  {
    g_auto(Result) r = { 0 };
    run_cli (&r, fixture->drive, "prune", "test-game", "--dry-run", NULL);
    g_assert_cmpint (r.status, ==, 4);
    g_assert_nonnull (strstr (r.err, "library.ini:"));
  }
}

void
cli_storage_add_tests (void)
{
  g_test_add ("/cli-storage/pin-unpin", Fixture, NULL, fixture_set_up, test_pin_unpin,
              fixture_tear_down);
  g_test_add ("/cli-storage/prune-du", Fixture, NULL, fixture_set_up, test_prune,
              fixture_tear_down);
  g_test_add ("/cli-storage/prune-hostile", Fixture, NULL, fixture_set_up, test_prune_hostile,
              fixture_tear_down);
}
