/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Concurrent core tasks on one library and one game, as the app runs them:
 * several adds of a folder of many files (two with the same name, one
 * cancelled midway) while checkpoints of another game are created, renamed,
 * annotated, restored, exported, imported, deleted and verified, and while
 * the library is reloaded from the drive (sp_library_reload() may be
 * called at any time; here on every idle). Everything runs
 * through the real _async calls in one main context, round after round.
 * Afterwards the drive and the objects must agree: no leftover in games/,
 * one folder per game that was added, every checkpoint on disk listed and
 * sound. Issue 15 saw a crash here once (in libglib, while adding a
 * 30,000-file folder right after other work); this test keeps that shape
 * of load in the suite, where it also runs under ASan and UBSan. */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "core/sp-library.h"
#include "sp-test-common.h"

#define N_ROUNDS        4
#define N_SOURCE_DIRS   20
#define N_SOURCE_FILES  75   /* per folder: 1,500 files in all */

typedef struct
{
  SpLibrary    *library;
  SpGame       *game;             /* the game whose timeline is worked on */
  GCancellable *cancel_add;
  guint         pending;
  guint         adds_ok;
  guint         adds_cancelled;
  guint         reloads;
  GPtrArray    *created;          /* ids of checkpoints made this round */
  char         *imported_id;
  char         *export_path;
} Stress;

static void
op_done (Stress *s)
{
  g_assert_cmpuint (s->pending, >, 0);
  s->pending--;
}

static void
add_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Stress *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = sp_library_add_game_finish (SP_LIBRARY (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    s->adds_cancelled++;
  else
    {
      g_assert_no_error (error);
      g_assert_nonnull (game);
      s->adds_ok++;
    }
  op_done (s);
}

/* Cancels the add it belongs to at its first progress report, so the
 * cancellation lands in the middle of the copy. */
static void
cancel_progress_cb (guint64  bytes_done,
                    guint64  bytes_total,
                    guint64  files_done,
                    guint64  files_total,
                    gpointer user_data)
{
  Stress *s = user_data;

  g_cancellable_cancel (s->cancel_add);
}

static void
checkpoint_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Stress *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) checkpoint = sp_game_create_checkpoint_finish (SP_GAME (object), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  g_ptr_array_add (s->created, g_strdup (sp_checkpoint_get_id (checkpoint)));
  op_done (s);
}

static void
rename_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_game_rename_checkpoint_finish (SP_GAME (object), result, &error));
  g_assert_no_error (error);
  op_done (user_data);
}

static void
note_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_game_set_checkpoint_note_finish (SP_GAME (object), result, &error));
  g_assert_no_error (error);
  op_done (user_data);
}

static void
restore_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_game_restore_finish (SP_GAME (object), result, &error));
  g_assert_no_error (error);
  op_done (user_data);
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_game_delete_checkpoint_finish (SP_GAME (object), result, &error));
  g_assert_no_error (error);
  op_done (user_data);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_game_save_finish (SP_GAME (object), result, &error));
  g_assert_no_error (error);
  op_done (user_data);
}

static void
verify_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = sp_game_verify_finish (SP_GAME (object), result, &error);

  /* While other tasks write, verify may meet a checkpoint being made: it
   * must still answer (a list, maybe with in-progress leftovers), never
   * fail or crash. */
  g_assert_no_error (error);
  g_assert_nonnull (problems);
  op_done (user_data);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Stress *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) checkpoint = sp_game_import_checkpoint_finish (SP_GAME (object), result,
                                                                         NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  g_free (s->imported_id);
  s->imported_id = g_strdup (sp_checkpoint_get_id (checkpoint));
  op_done (s);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Stress *s = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_game_export_checkpoint_finish (SP_GAME (object), result, &error));
  g_assert_no_error (error);
  /* Import what was just exported while the rest of the round still runs. */
  s->pending++;
  sp_game_import_checkpoint_async (s->game, s->export_path, SP_IMPORT_FLAGS_NONE, NULL,
                                   import_done_cb, s);
  op_done (s);
}

/* A reload from the drive in the middle of the round's work. */
static gboolean
reload_cb (gpointer user_data)
{
  Stress *s = user_data;
  g_autoptr(GError) error = NULL;

  if (s->pending == 0)
    return G_SOURCE_REMOVE;
  g_assert_true (sp_library_reload (s->library, &error));
  g_assert_no_error (error);
  s->reloads++;
  return G_SOURCE_CONTINUE;
}

static char *
make_many_files_source (const char *root)
{
  char *dir = g_build_filename (root, "Many Files Game", NULL);

  tc_write (dir, "game.exe", "MZ fake executable");
  for (guint d = 0; d < N_SOURCE_DIRS; d++)
    for (guint f = 0; f < N_SOURCE_FILES; f++)
      {
        g_autofree char *name = g_strdup_printf ("data/dir%02u/file%03u.dat", d, f);
        g_autofree char *contents = g_strdup_printf ("dir %u file %u", d, f);

        tc_write (dir, name, contents);
      }
  return dir;
}

/* A run's upper layer with a save that differs per round. */
static char *
make_upper (const char *root,
            guint       round,
            guint       which)
{
  g_autofree char *name = g_strdup_printf ("upper-%u-%u", round, which);
  char *dir = g_build_filename (root, name, NULL);
  g_autofree char *save = g_strdup_printf ("round %u, run %u", round, which);

  tc_write (dir, "saves/slot1.sav", save);
  tc_write (dir, "data/level1.dat", "changed level");
  return dir;
}

/* The entries of games/ that are not games: names starting with '.' are
 * Savepoint's temporary folders (.<slug>.partial-…). */
static guint
count_hidden (const char *games_path)
{
  g_autoptr(GDir) dir = g_dir_open (games_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      {
        g_test_message ("leftover in games/: %s", name);
        n++;
      }
  return n;
}

/* The checkpoint ids that have an .ini in the game's checkpoints folder. */
static GHashTable *
ids_on_disk (SpGame *game)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open (sp_game_get_checkpoints_path (game), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".ini"))
      g_hash_table_add (ids, g_strndup (name, strlen (name) - strlen (".ini")));
  return ids;
}

static void
test_stress_concurrent_tasks (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *many = make_many_files_source (root);
  g_autofree char *small = tc_make_source (root, "Timeline Game");
  g_autoptr(SpGame) game = tc_add_game (library, small, "Timeline Game");
  g_autofree char *game_slug = g_strdup (sp_game_get_slug (game));
  SpGameInfo info = { .name = "Many Files Game", .kind = SP_GAME_KIND_NATIVE, .executable = "game.exe" };
  Stress s = { .library = library, .created = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GError) error = NULL;
  g_autofree char *first_id = NULL;
  guint expected_checkpoints;

  /* A first checkpoint so that the round has one to rename and restore. */
  {
    g_autofree char *upper = make_upper (root, 0, 0);
    g_autoptr(SpCheckpoint) first = sp_game_create_checkpoint_sync (game, upper, "First", 60, TRUE,
                                                                    NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    first_id = g_strdup (sp_checkpoint_get_id (first));
  }
  expected_checkpoints = 1;

  for (guint round = 1; round <= N_ROUNDS; round++)
    {
      g_autofree char *upper1 = make_upper (root, round, 1);
      g_autofree char *upper2 = make_upper (root, round, 2);
      g_autofree char *label = g_strdup_printf ("Round %u", round);
      g_autofree char *note = g_strdup_printf ("Renamed while round %u ran\nsecond line", round);
      g_autofree char *name = g_strdup_printf ("Timeline Game %u", round);
      g_autofree char *export_name = g_strdup_printf ("export-%u.tar.zst", round);
      const char *to_delete = NULL;

      /* The library may have been reloaded: work on its current object. */
      s.game = sp_library_find_game (library, game_slug);
      g_assert_nonnull (s.game);
      g_ptr_array_set_size (s.created, 0);
      g_clear_object (&s.cancel_add);
      s.cancel_add = g_cancellable_new ();
      g_free (s.export_path);
      s.export_path = g_build_filename (root, export_name, NULL);

      /* The checkpoint of the last round that is not the head goes. */
      if (round > 1)
        to_delete = s.imported_id;

      s.pending = 0;
      /* Two adds of the same name at once, and a third that is cancelled. */
      for (guint i = 0; i < 2; i++)
        {
          s.pending++;
          sp_library_add_game_async (library, &info, many, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                     NULL, add_done_cb, &s);
        }
      s.pending++;
      sp_library_add_game_async (library, &info, many, SP_ADD_MODE_COPY, cancel_progress_cb, &s,
                                 NULL, s.cancel_add, add_done_cb, &s);

      s.pending += 2;
      sp_game_create_checkpoint_async (s.game, upper1, label, 30, FALSE, NULL, NULL, NULL,
                                       checkpoint_done_cb, &s);
      sp_game_create_checkpoint_async (s.game, upper2, NULL, 45, FALSE, NULL, NULL, NULL,
                                       checkpoint_done_cb, &s);
      s.pending += 4;
      sp_game_rename_checkpoint_async (s.game, first_id, label, NULL, rename_done_cb, &s);
      sp_game_set_checkpoint_note_async (s.game, first_id, note, NULL, note_done_cb, &s);
      sp_game_restore_async (s.game, first_id, NULL, restore_done_cb, &s);
      sp_game_verify_async (s.game, NULL, NULL, verify_done_cb, &s);
      sp_game_set_name (s.game, name);
      s.pending++;
      sp_game_save_async (s.game, NULL, save_done_cb, &s);
      s.pending++;
      sp_game_export_checkpoint_async (s.game, first_id, s.export_path, SP_EXPORT_FLAGS_NONE,
                                       NULL, export_done_cb, &s);
      if (to_delete != NULL)
        {
          s.pending++;
          sp_game_delete_checkpoint_async (s.game, to_delete, NULL, delete_done_cb, &s);
        }

      g_idle_add (reload_cb, &s);
      while (s.pending > 0)
        g_main_context_iteration (NULL, TRUE);
      /* Let the last reload see that the round is over. */
      while (g_main_context_iteration (NULL, FALSE))
        ;

      expected_checkpoints += 2 + 1 - (to_delete != NULL ? 1 : 0);
      g_assert_cmpuint (s.created->len, ==, 2);
    }

  g_test_message ("%u adds, %u cancelled, %u reloads while tasks ran",
                  s.adds_ok, s.adds_cancelled, s.reloads);
  g_assert_cmpuint (s.adds_ok + s.adds_cancelled, ==, 3 * N_ROUNDS);
  g_assert_cmpuint (s.adds_ok, >=, 2 * N_ROUNDS);

  /* The drive: no temporary folder left, one folder per game added. */
  g_assert_cmpuint (count_hidden (sp_library_get_games_path (library)), ==, 0);
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 1 + s.adds_ok);

  /* The objects agree with the drive, before and after a fresh reload. */
  for (guint pass = 0; pass < 2; pass++)
    {
      GListModel *games = sp_library_get_games (library);
      SpGame *timeline;
      g_autoptr(GHashTable) on_disk = NULL;
      GListModel *checkpoints;
      g_autoptr(GPtrArray) problems = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (games); i++)
        {
          g_autoptr(SpGame) listed = g_list_model_get_item (games, i);
          g_test_message ("pass %u: game %s", pass, sp_game_get_slug (listed));
        }
      g_assert_cmpuint (g_list_model_get_n_items (games), ==, 1 + s.adds_ok);
      timeline = sp_library_find_game (library, game_slug);
      g_assert_nonnull (timeline);
      g_assert_cmpstr (sp_game_get_name (timeline), ==, "Timeline Game " G_STRINGIFY (N_ROUNDS));
      g_assert_cmpstr (sp_game_get_head (timeline), ==, first_id);

      on_disk = ids_on_disk (timeline);
      checkpoints = sp_game_get_checkpoints (timeline);
      g_assert_cmpuint (g_hash_table_size (on_disk), ==, expected_checkpoints);
      g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, expected_checkpoints);
      for (guint i = 0; i < g_list_model_get_n_items (checkpoints); i++)
        {
          g_autoptr(SpCheckpoint) c = g_list_model_get_item (checkpoints, i);

          g_assert_true (g_hash_table_contains (on_disk, sp_checkpoint_get_id (c)));
          if (g_strcmp0 (sp_checkpoint_get_id (c), first_id) == 0)
            {
              g_assert_cmpstr (sp_checkpoint_get_label (c), ==, "Round " G_STRINGIFY (N_ROUNDS));
              g_assert_true (g_str_has_prefix (sp_checkpoint_get_note (c),
                                               "Renamed while round " G_STRINGIFY (N_ROUNDS)));
            }
        }

      problems = sp_game_verify_sync (timeline, NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < problems->len; i++)
        {
          SpVerifyProblem *problem = problems->pdata[i];
          g_test_message ("verify: %s", problem->error->message);
        }
      g_assert_cmpuint (problems->len, ==, 0);

      g_assert_true (sp_library_reload (library, &error));
      g_assert_no_error (error);
    }

  g_clear_object (&s.cancel_add);
  g_ptr_array_unref (s.created);
  g_free (s.imported_id);
  g_free (s.export_path);
  tc_rmtree (drive);
  tc_rmtree (root);
}

/* The same race made certain: the library is reloaded after the add has
 * renamed the new game into games/ but before its callback has run (the
 * main context is not iterated until then). The game must be listed once. */
static void
test_stress_reload_before_add_finishes (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (root, "Raced Game");
  g_autofree char *ini = g_build_filename (sp_library_get_games_path (library), "raced-game",
                                           "game.ini", NULL);
  SpGameInfo info = { .name = "Raced Game", .kind = SP_GAME_KIND_NATIVE, .executable = "game.exe" };
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  GListModel *games = sp_library_get_games (library);

  sp_library_add_game_async (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, NULL,
                             tc_store_result_cb, &result);
  /* Wait for the worker's final rename without running the callback. */
  while (!g_file_test (ini, G_FILE_TEST_EXISTS))
    g_usleep (1000);
  g_assert_true (sp_library_reload (library, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (games), ==, 1);

  game = sp_library_add_game_finish (library, tc_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (game);
  g_assert_cmpuint (g_list_model_get_n_items (games), ==, 1);
  {
    g_autoptr(SpGame) listed = g_list_model_get_item (games, 0);
    g_assert_true (listed == game);
  }

  g_object_unref (result);
  tc_rmtree (drive);
  tc_rmtree (root);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stress/concurrent-tasks", test_stress_concurrent_tasks);
  g_test_add_func ("/stress/reload-before-add-finishes", test_stress_reload_before_add_finishes);
  return g_test_run ();
}
