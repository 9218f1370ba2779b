/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The progress rule (core/sp-task-private.h): the progress callbacks of
 * long _async calls run in the caller's thread and thread-default main
 * context, never in a worker thread, and none after the call's callback.
 * Each test runs once in the main thread and once in a thread of its own
 * with its own main context. */
#include "config.h"

#include "core/sp-core.h"
#include "sp-test-common.h"

static void
test_add (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = tc_make_big_source (root);
  SpGameInfo info = { .name = "Progress Game", .executable = "file0.bin" };
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;
  TcProgress progress;

  tc_progress_init (&progress);
  sp_library_add_game_async (library, &info, source, SP_ADD_MODE_COPY, tc_copy_progress_cb,
                             &progress, NULL, NULL, tc_progress_result_cb, &progress);
  game = sp_library_add_game_finish (library, tc_progress_wait (&progress), &error);
  g_assert_no_error (error);
  g_assert_nonnull (game);
  /* The last values came before the result. */
  g_assert_cmpuint (progress.total, ==, 4 * 6 * 1024 * 1024);
  g_assert_cmpuint (progress.done, ==, progress.total);

  tc_progress_clear (&progress);
  tc_rmtree (drive);
  tc_rmtree (root);
}

static void
test_pack (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (root, "game");
  g_autofree char *upper = tc_make_big_source (root);
  g_autoptr(SpGame) game = tc_add_game (library, source, "Pack Game");
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  TcProgress progress;

  tc_progress_init (&progress);
  sp_game_create_checkpoint_async (game, upper, "Packed", 5, TRUE, tc_progress_cb, &progress,
                                   NULL, tc_progress_result_cb, &progress);
  checkpoint = sp_game_create_checkpoint_finish (game, tc_progress_wait (&progress), &error);
  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  g_assert_cmpstr (sp_game_get_head (game), ==, sp_checkpoint_get_id (checkpoint));
  g_assert_cmpuint (progress.total, >, 0);
  g_assert_cmpuint (progress.done, ==, progress.total);

  tc_progress_clear (&progress);
  tc_rmtree (drive);
  tc_rmtree (root);
}

static gpointer
caller_thread (gpointer data)
{
  GTestFunc func = (GTestFunc) data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  func ();
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* Runs @data (a GTestFunc) in a new thread whose thread-default main
 * context is not the global default one. */
static void
in_own_thread (gconstpointer data)
{
  GThread *thread = g_thread_new ("caller", caller_thread, (gpointer) data);

  g_thread_join (thread);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/progress/add", test_add);
  g_test_add_data_func ("/progress/add/own-thread", (gconstpointer) test_add, in_own_thread);
  g_test_add_func ("/progress/pack", test_pack);
  g_test_add_data_func ("/progress/pack/own-thread", (gconstpointer) test_pack, in_own_thread);

  return g_test_run ();
}
