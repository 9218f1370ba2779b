/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Play sessions with real processes and real mounts: a small native game
 * (fake-game.c) runs inside the overlay under savepoint-run. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "play/sp-lock.h"
#include "play/sp-run.h"
#include "play/sp-session.h"
#include "sp-test-common.h"

static char *test_root;

/* The runner policy start() gives each session. */
static const char * const *policy_runners;
static const char * const *policy_environment;
static gboolean policy_trust;

typedef struct
{
  char      *stamp;
  char      *drive;
  SpLibrary *library;
  SpGame    *game;
} Fixture;

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents,
            int         mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  tc_write (dir, name, contents);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* A drive with a library and the fake game (native, Home=home). */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  const char *drive_parent = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *game_binary = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  g_autofree char *stamp_env = NULL;
  const char *environment[2] = { NULL, NULL };
  SpGameInfo info = {
    .name = "Fake Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/fake-game",
    .working_directory = ".",
    .home = "home",
    .environment = environment,
  };

  f->drive = g_build_filename (drive_parent ? drive_parent : test_root, "drive-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->drive));
  /* Per-game environment: the game writes the time of its first
   * instruction there. */
  f->stamp = g_strconcat (f->drive, ".stamp", NULL);
  stamp_env = g_strconcat ("FAKE_GAME_STAMP=", f->stamp, NULL);
  environment[0] = stamp_env;
  f->library = sp_library_create_sync (f->drive, "Test Drive", &error);
  g_assert_no_error (error);

  source = g_build_filename (f->drive, "source", NULL);
  write_file (source, "delete-me.txt", "the game deletes this\n", 0644);
  write_file (source, "data/asset.txt", "an asset\n", 0644);
  write_file (source, "bin/broken-game", "\177ELF this is not a program\n", 0755);

  game_binary = g_test_build_filename (G_TEST_BUILT, "fake-game", NULL);
  g_file_get_contents (game_binary, &contents, &len, &error);
  g_assert_no_error (error);
  exe = g_build_filename (source, "bin", "fake-game", NULL);
  g_file_set_contents (exe, contents, (gssize) len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (exe, 0755), ==, 0);

  f->game = sp_library_add_game_sync (f->library, &info, source, SP_ADD_MODE_COPY,
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->game);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = sp_run_list (sp_library_get_id (f->library), NULL);

  for (guint i = 0; runs && i < runs->len; i++)
    sp_run_discard_sync (runs->pdata[i], NULL, NULL);
  policy_runners = NULL;
  policy_environment = NULL;
  policy_trust = FALSE;
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  if (!sp_remove_tree (f->drive, NULL, &error))
    g_test_message ("could not clean %s: %s", f->drive, error->message);
  g_free (f->drive);
  g_unlink (f->stamp);
  g_free (f->stamp);
}

static void
set_arguments (Fixture    *f,
               const char *mode)
{
  const char *args[] = { mode, NULL };

  sp_game_set_arguments (f->game, args);
}

static gboolean
session_ended (SpSession *session)
{
  SpSessionState state = sp_session_get_state (session);

  return (state == SP_SESSION_STATE_FINISHED || state == SP_SESSION_STATE_FAILED) &&
         sp_session_get_summary (session) != NULL;
}

/* Starts a session; returns it once started (or FAILED: then @error). */
static SpSession *
start (Fixture     *f,
       const char  *from,
       gboolean     clean,
       GError     **error)
{
  g_autoptr(SpSession) session = sp_session_new (f->library, f->game);
  g_autoptr(GAsyncResult) result = NULL;

  if (from)
    sp_session_set_checkpoint (session, from);
  if (clean)
    sp_session_set_clean (session, TRUE);
  sp_session_set_grace_period (session, 1);
  sp_session_set_runner_policy (session, policy_runners, policy_environment, policy_trust);
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_IDLE);

  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  /* FAILED at once: a setting refused before anything is prepared. */
  g_assert_true (sp_session_get_state (session) == SP_SESSION_STATE_PREPARING ||
                 sp_session_get_state (session) == SP_SESSION_STATE_FAILED);
  if (!sp_session_start_finish (session, tc_wait_for (&result), error))
    {
      g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FAILED);
      return NULL;
    }
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_RUNNING);
  g_assert_true (sp_is_mount_point (sp_session_get_mount_point (session)));
  return g_steal_pointer (&session);
}

static void
wait_ended (SpSession *session)
{
  while (!session_ended (session))
    g_main_context_iteration (NULL, TRUE);
}

/* Plays one whole session that must finish. */
static SpSession *
play (Fixture    *f,
      const char *mode,
      const char *from,
      gboolean    clean)
{
  g_autoptr(GError) error = NULL;
  SpSession *session;

  set_arguments (f, mode);
  session = start (f, from, clean, &error);
  g_assert_no_error (error);
  wait_ended (session);
  g_assert_no_error (sp_session_get_error (session));
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FINISHED);
  return session;
}

static SpCheckpoint *
keep (SpSession  *session,
      const char *label)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_path = g_strdup (sp_run_get_path (sp_session_get_run (session)));
  SpCheckpoint *checkpoint;

  sp_session_keep_async (session, label, NULL, NULL, NULL, tc_store_result_cb, &result);
  checkpoint = sp_session_keep_finish (session, tc_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  g_assert_false (g_file_test (run_path, G_FILE_TEST_EXISTS));
  g_assert_null (sp_session_get_run (session));
  return checkpoint;
}

static void
discard (SpSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_path = g_strdup (sp_run_get_path (sp_session_get_run (session)));

  sp_session_discard_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_discard_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (run_path, G_FILE_TEST_EXISTS));
}

static char *
upper_file (SpSession  *session,
            const char *name)
{
  return read_file (sp_run_get_upper_path (sp_session_get_run (session)), name);
}

/* Nothing left behind: no mount, no lock. */
static void
assert_clean_after (Fixture *f)
{
  g_autofree char *mount_point = sp_mount_point_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *lock = sp_game_lock_path (f->game);

  g_assert_false (sp_is_mount_point (mount_point));
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
}

/* The progress rule (core/sp-task-private.h): keeping reports packing
 * progress in this thread and main context, the last values before the
 * result and none after. */
static void
test_keep_progress (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(SpSession) session = play (f, "play", NULL, FALSE);
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  TcProgress progress;

  tc_progress_init (&progress);
  sp_session_keep_async (session, "with progress", tc_progress_cb, &progress, NULL,
                         tc_progress_result_cb, &progress);
  checkpoint = sp_session_keep_finish (session, tc_progress_wait (&progress), &error);
  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (checkpoint));
  g_assert_cmpuint (progress.total, >, 0);
  g_assert_cmpuint (progress.done, ==, progress.total);
  tc_progress_clear (&progress);
  assert_clean_after (f);
}

static void
test_keep_and_resume (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autoptr(SpSession) first = NULL;
  g_autoptr(SpSession) second = NULL;
  g_autoptr(SpCheckpoint) cp1 = NULL;
  g_autoptr(SpCheckpoint) cp2 = NULL;
  g_autofree char *counter = NULL;
  g_autofree char *child = NULL;
  g_autofree char *settings = NULL;
  g_autofree char *log = NULL;
  g_autofree char *base_file = NULL;
  g_autofree char *run_ini = NULL;
  g_autofree char *stamp = NULL;
  const SpSessionSummary *summary;
  gint64 wall0 = g_get_real_time ();
  GStatBuf st;

  first = play (f, "play", NULL, FALSE);
  assert_clean_after (f);
  summary = sp_session_get_summary (first);
  g_assert_cmpint (summary->exit_status, ==, 0);
  g_assert_false (summary->stopped);
  /* counter.txt, run-1.txt, child-1.txt, settings.ini */
  g_assert_cmpuint (summary->files_added, ==, 4);
  g_assert_cmpuint (summary->files_changed, ==, 0);
  g_assert_cmpuint (summary->files_deleted, ==, 1);
  g_assert_cmpuint (summary->bytes, >, 0);
  g_assert_cmpuint (summary->bytes_written, >, 0);
  /* The per-game environment reached the game. */
  g_assert_true (g_file_get_contents (f->stamp, &stamp, NULL, NULL));
  g_test_message ("native game: play to exec %.3f s, to the game's first instruction %.3f s",
                  summary->launch_usec / 1e6, (g_ascii_strtoll (stamp, NULL, 10) - wall0) / 1e6);

  counter = upper_file (first, "save/counter.txt");
  g_assert_cmpstr (counter, ==, "1\n");
  /* The child that outlived the game was waited for. */
  child = upper_file (first, "save/child-1.txt");
  g_assert_cmpstr (child, ==, "the child was waited for\n");
  /* HOME and XDG dirs point into the prefix. */
  settings = upper_file (first, "home/.config/fake-game/settings.ini");
  g_assert_cmpstr (settings, ==, "[Settings]\nVolume=7\n");
  /* The deletion is a whiteout; the clean install is untouched. */
  {
    g_autofree char *wh = g_build_filename (sp_run_get_upper_path (sp_session_get_run (first)),
                                            "delete-me.txt", NULL);
    g_autofree char *wh_file = g_build_filename (sp_run_get_upper_path (sp_session_get_run (first)),
                                                 ".wh.delete-me.txt", NULL);
    g_assert_true ((g_lstat (wh, &st) == 0 && S_ISCHR (st.st_mode)) ||
                   g_file_test (wh_file, G_FILE_TEST_EXISTS));
  }
  base_file = read_file (sp_game_get_base_path (f->game), "delete-me.txt");
  g_assert_cmpstr (base_file, ==, "the game deletes this\n");
  log = read_file (sp_run_get_path (sp_session_get_run (first)), "game.log");
  g_assert_nonnull (strstr (log, "fake-game: counter 1"));
  run_ini = read_file (sp_run_get_path (sp_session_get_run (first)), "run.ini");
  g_assert_nonnull (strstr (run_ini, "Status=finished"));
  g_assert_nonnull (strstr (run_ini, "ExitStatus=0"));

  cp1 = keep (first, "first");
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (cp1));
  g_assert_null (sp_checkpoint_get_parent (cp1));
  g_assert_cmpstr (sp_checkpoint_get_label (cp1), ==, "first");

  /* Resume from it: the game sees its save. */
  second = play (f, "play", NULL, FALSE);
  g_clear_pointer (&counter, g_free);
  counter = upper_file (second, "save/counter.txt");
  g_assert_cmpstr (counter, ==, "2\n");
  g_clear_pointer (&child, g_free);
  child = upper_file (second, "save/child-2.txt");
  g_assert_nonnull (child);
  summary = sp_session_get_summary (second);
  /* The delete-me whiteout came with the checkpoint: the file stays deleted. */
  g_assert_cmpuint (summary->files_deleted, ==, 1);
  cp2 = keep (second, "second");
  g_assert_cmpstr (sp_checkpoint_get_parent (cp2), ==, sp_checkpoint_get_id (cp1));
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (cp2));
  assert_clean_after (f);
}

static void
test_discard_and_restore (Fixture       *f,
                          gconstpointer  user_data)
{
  g_autoptr(SpCheckpoint) cp1 = NULL;
  g_autoptr(SpCheckpoint) cp2 = NULL;
  g_autofree char *head = NULL;
  struct { const char *from; gboolean clean; const char *expect; } cases[4];

  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    cp1 = keep (s, "one");
  }
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    cp2 = keep (s, "two");
  }
  head = g_strdup (sp_game_get_head (f->game));

  /* Discard: the head and the checkpoints stay as they were. */
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *counter = upper_file (s, "save/counter.txt");

    g_assert_cmpstr (counter, ==, "3\n");
    discard (s);
    g_assert_cmpstr (sp_game_get_head (f->game), ==, head);
    g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 2);
  }

  cases[0].from = NULL; cases[0].clean = FALSE; cases[0].expect = "3\n";            /* head = two */
  cases[1].from = sp_checkpoint_get_id (cp1); cases[1].clean = FALSE; cases[1].expect = "2\n";
  cases[2].from = NULL; cases[2].clean = TRUE; cases[2].expect = "1\n";
  cases[3].from = NULL; cases[3].clean = FALSE; cases[3].expect = NULL;            /* after restore */

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SpSession) s = play (f, "play", cases[i].from, cases[i].clean);
      g_autofree char *counter = upper_file (s, "save/counter.txt");

      g_assert_cmpstr (counter, ==, cases[i].expect);
      discard (s);
    }

  /* Restore the older checkpoint: the next run starts from its state. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SpSession) s = NULL;
    g_autofree char *counter = NULL;
    g_autofree char *child2 = NULL;

    g_assert_true (sp_game_restore_sync (f->game, sp_checkpoint_get_id (cp1), &error));
    g_assert_no_error (error);
    s = play (f, "play", NULL, FALSE);
    counter = upper_file (s, "save/counter.txt");
    g_assert_cmpstr (counter, ==, "2\n");
    /* run-2 of checkpoint two is not there: this is checkpoint one's state. */
    g_clear_pointer (&child2, g_free);
    child2 = upper_file (s, "save/run-1.txt");
    g_assert_nonnull (child2);
    g_clear_pointer (&child2, g_free);
    child2 = upper_file (s, "save/child-2.txt");
    g_assert_nonnull (child2);
    discard (s);
  }
  assert_clean_after (f);
}

static void
test_exit_error (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(SpSession) s = play (f, "fail", NULL, FALSE);
  g_autofree char *counter = upper_file (s, "save/counter.txt");

  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 3);
  /* What it wrote before failing is there to keep. */
  g_assert_cmpstr (counter, ==, "1\n");
  assert_clean_after (f);
  discard (s);
}

static void
assert_start_fails (Fixture    *f,
                    int         code,
                    const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) s = NULL;
  g_autofree char *run_dir = sp_run_dir_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));

  set_arguments (f, "play");
  s = start (f, NULL, FALSE, &error);
  g_assert_null (s);
  g_assert_error (error, SP_SESSION_ERROR, code);
  g_test_message ("start error: %s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  assert_clean_after (f);
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}

/* A game that is over before the app reads savepoint-run's "started" line:
 * by then GLib has reaped the helper, so its pid can no longer be asked of
 * the GSubprocess. This crashed the app (atoll (NULL)). */
static void
test_exits_before_started_read (Fixture       *f,
                                gconstpointer  user_data)
{
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_arguments (f, "quick");
  session = sp_session_new (f->library, f->game);
  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  /* Let the preparation run until the game has started … */
  while (!g_file_test (f->stamp, G_FILE_TEST_EXISTS) && result == NULL)
    g_main_context_iteration (NULL, FALSE);
  /* … then keep the main loop busy while the game and helper exit. */
  g_usleep (1500 * 1000);

  g_assert_true (sp_session_start_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  wait_ended (session);
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FINISHED);
  g_assert_cmpint (sp_session_get_summary (session)->exit_status, ==, 0);
  assert_clean_after (f);
  discard (session);
}

/* A run kept after Head was moved (restore while the run waited for a
 * decision) still names the checkpoint it started from as its parent. */
static void
test_keep_after_restore (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autoptr(SpSession) first = play (f, "play", NULL, FALSE);
  g_autoptr(SpCheckpoint) cp1 = keep (first, "first");
  g_autoptr(SpSession) second = play (f, "play", NULL, FALSE);
  g_autoptr(SpCheckpoint) cp2 = NULL;
  g_autoptr(GError) error = NULL;

  /* While the second run waits, the player goes back to the clean install. */
  g_assert_true (sp_game_restore_sync (f->game, NULL, &error));
  g_assert_no_error (error);

  cp2 = keep (second, "second");
  g_assert_cmpstr (sp_checkpoint_get_parent (cp2), ==, sp_checkpoint_get_id (cp1));
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (cp2));
}

static void
test_cannot_start (Fixture       *f,
                   gconstpointer  user_data)
{
  /* Missing executable. */
  sp_game_set_executable (f->game, "bin/no-such-game");
  assert_start_fails (f, SP_SESSION_ERROR_NOT_FOUND, "bin/no-such-game");

  /* A file that cannot be executed: savepoint-run reports the exec error. */
  sp_game_set_executable (f->game, "bin/broken-game");
  assert_start_fails (f, SP_SESSION_ERROR_CANNOT_START, "Exec format error");

  /* A Wine game whose runner is not installed. */
  sp_game_set_executable (f->game, "bin/fake-game");
  sp_game_set_kind (f->game, SP_GAME_KIND_WINE);
  sp_game_set_runner (f->game, "no-such-wine-runner --flag");
  policy_trust = TRUE;
  assert_start_fails (f, SP_SESSION_ERROR_NOT_FOUND, "no-such-wine-runner");
  policy_trust = FALSE;

  /* And it works again once fixed. */
  sp_game_set_kind (f->game, SP_GAME_KIND_NATIVE);
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    discard (s);
  }
}

static gboolean
wait_for_file (const char *path,
               guint       seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  return TRUE;
}

static void
test_stop_ignoring_term (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) s = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *counter = NULL;

  set_arguments (f, "ignore-term");
  s = start (f, NULL, FALSE, &error);
  g_assert_no_error (error);
  ready = g_build_filename (sp_session_get_mount_point (s), "save", "ready", NULL);
  g_assert_true (wait_for_file (ready, 60));

  /* The overlay's counters are live while the game runs. */
  {
    SpSessionStats stats;

    sp_session_get_stats (s, &stats);
    g_assert_cmpuint (stats.bytes_written, >=, 2);     /* "1\n" */
    g_assert_cmpuint (stats.files_created, >=, 3);     /* counter.tmp, run-1.txt, ready */
    g_assert_cmpuint (stats.files_deleted, >=, 1);     /* delete-me.txt */
  }

  /* A second start of the same game is refused while it runs. */
  {
    g_autoptr(GError) busy = NULL;
    g_autoptr(SpSession) other = start (f, NULL, FALSE, &busy);

    g_assert_null (other);
    g_assert_error (busy, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
  }

  sp_session_stop (s);
  wait_ended (s);
  g_assert_cmpint (sp_session_get_state (s), ==, SP_SESSION_STATE_FINISHED);
  g_assert_true (sp_session_get_summary (s)->stopped);
  /* SIGTERM was ignored: killed after the grace period. */
  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 128 + SIGKILL);
  counter = upper_file (s, "save/counter.txt");
  g_assert_cmpstr (counter, ==, "1\n");
  assert_clean_after (f);
  discard (s);
}

static void
test_stop_while_preparing (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(SpSession) s = sp_session_new (f->library, f->game);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_arguments (f, "wait");
  sp_session_start_async (s, NULL, tc_store_result_cb, &result);
  g_assert_cmpint (sp_session_get_state (s), ==, SP_SESSION_STATE_PREPARING);
  sp_session_stop (s);
  g_assert_true (sp_session_start_finish (s, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  wait_ended (s);
  g_assert_cmpint (sp_session_get_state (s), ==, SP_SESSION_STATE_FINISHED);
  g_assert_true (sp_session_get_summary (s)->stopped);
  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 128 + SIGTERM);
  assert_clean_after (f);
  discard (s);
}

static void
test_undecided_run (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
  g_autoptr(SpSession) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;

  /* Left undecided: the next play is refused, clearly. */
  again = start (f, NULL, FALSE, &error);
  g_assert_null (again);
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "Fake Game"));
  assert_clean_after (f);
  g_assert_true (g_file_test (sp_run_get_path (sp_session_get_run (s)), G_FILE_TEST_IS_DIR));
  g_clear_error (&error);

  /* It is listed for a decision and can be kept from the list. */
  pending = sp_run_list_pending (sp_library_get_id (f->library), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (sp_run_get_status (pending->pdata[0]), ==, SP_RUN_STATUS_FINISHED);
  g_assert_cmpint (sp_run_get_exit_status (pending->pdata[0]), ==, 0);
  checkpoint = sp_run_keep_sync (pending->pdata[0], f->game, "later", FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (checkpoint));
  g_assert_false (g_file_test (sp_run_get_path (pending->pdata[0]), G_FILE_TEST_EXISTS));
}

/* A run folder a crash left before its run.ini was written does not block
 * the game forever. */
static void
test_leftover_run_folder (Fixture       *f,
                          gconstpointer  user_data)
{
  g_autofree char *run_dir = sp_run_dir_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *work = g_build_filename (run_dir, "work", NULL);

  g_assert_cmpint (g_mkdir_with_parents (work, 0700), ==, 0);
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *counter = upper_file (s, "save/counter.txt");

    g_assert_cmpstr (counter, ==, "1\n");
    discard (s);
  }
}

/* The Wine kind's launch without Wine: a shell "runner" that reports
 * WINEPREFIX and then runs the executable it is given. The game's Runner
 * wins over $SAVEPOINT_WINE_RUNNER. */
static void
test_wine_kind_runner (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autofree char *mount_point = sp_mount_point_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *expect = g_strdup_printf ("env-runner WINEPREFIX=%s\n", mount_point);
  g_autofree char *expect_game = g_strdup_printf ("game-runner WINEPREFIX=%s\n", mount_point);

  sp_game_set_kind (f->game, SP_GAME_KIND_WINE);
  sp_game_set_runner (f->game, NULL);
  g_setenv ("SAVEPOINT_WINE_RUNNER", "sh -c 'echo env-runner WINEPREFIX=$WINEPREFIX; exec \"$0\" \"$@\"'", TRUE);
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *log = read_file (sp_run_get_path (sp_session_get_run (s)), "game.log");
    g_autofree char *counter = upper_file (s, "save/counter.txt");

    g_assert_nonnull (strstr (log, expect));
    g_assert_nonnull (strstr (log, "fake-game: counter 1"));
    g_assert_cmpstr (counter, ==, "1\n");
    discard (s);
  }

  sp_game_set_runner (f->game, "sh -c 'echo game-runner WINEPREFIX=$WINEPREFIX; exec \"$0\" \"$@\"'");
  policy_trust = TRUE;   /* see test_runner_policy() */
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *log = read_file (sp_run_get_path (sp_session_get_run (s)), "game.log");

    g_assert_nonnull (strstr (log, expect_game));
    g_assert_null (strstr (log, "env-runner"));
    discard (s);
  }
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");
}

static void
test_stale_lock (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autofree char *lock_path = sp_game_lock_path (f->game);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLock) lock = NULL;
  pid_t child;
  int status;

  /* A lock of a process that is gone is taken over. */
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      SpLock *l = sp_lock_acquire (lock_path, "test", NULL);
      _exit (l != NULL ? 0 : 1);   /* dies holding it */
    }
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_true (g_file_test (lock_path, G_FILE_TEST_EXISTS));

  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    discard (s);
  }

  /* A live one (ours) is an error naming it; another host's too. */
  lock = sp_lock_acquire (lock_path, "Fake Game", &error);
  g_assert_no_error (error);
  g_assert_null (sp_lock_acquire (lock_path, "Fake Game", &error));
  g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
  g_clear_pointer (&lock, sp_lock_release);
  g_clear_error (&error);

  /* One naming this very process that it does not hold (left on a drive
   * that was pulled and plugged in again) is stale too. */
  {
    g_autofree char *ours = g_strdup_printf ("[Lock]\nHost=%s\nPid=%d\nPidStart=%" G_GUINT64_FORMAT "\n",
                                             sp_host_name (), (int) getpid (), sp_pid_start_time (getpid ()));
    g_assert_true (g_file_set_contents (lock_path, ours, -1, NULL));
    lock = sp_lock_acquire (lock_path, "Fake Game", &error);
    g_assert_no_error (error);
    g_clear_pointer (&lock, sp_lock_release);
    g_assert_false (g_file_test (lock_path, G_FILE_TEST_EXISTS));
  }

  g_assert_true (g_file_set_contents (lock_path, "[Lock]\nHost=elsewhere\nPid=1\n", -1, NULL));
  g_assert_null (sp_lock_acquire (lock_path, "Fake Game", &error));
  g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "elsewhere"));
  g_unlink (lock_path);
}

static int
run_cli (const char * const *args,
         char              **out_stdout)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  g_ptr_array_add (argv, helper);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                out_stdout, &err, &status, &error);
  g_assert_no_error (error);
  if (err && err[0])
    g_test_message ("cli stderr: %s", err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_kill_owner (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autofree char *run_dir = sp_run_dir_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *ready = g_build_filename (run_dir, "upper", "save", "ready", NULL);
  g_autofree char *mount_point = sp_mount_point_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { helper, "play", "Fake Game", "--library", f->drive, "--keep", "never", NULL };
  const char *runs_args[] = { "runs", NULL };
  const char *recover_args[] = { "recover", "--keep", "after crash", "fake-game", NULL };
  SpGame *game;
  GPid pid;
  int status;

  set_arguments (f, "wait");
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  /* The game wrote its save and waits: the app dies without warning. */
  g_assert_true (wait_for_file (ready, 60));
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);

  /* Recovery lists the run … */
  pending = sp_run_list_pending (sp_library_get_id (f->library), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (sp_run_get_status (pending->pdata[0]), ==, SP_RUN_STATUS_RUNNING);
  g_assert_false (sp_run_get_owner_alive (pending->pdata[0]));
  g_assert_cmpint (run_cli (runs_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "fake-game"));
  g_assert_nonnull (strstr (out, "interrupted"));

  /* … and keeping it through the CLI loses nothing the game wrote; the dead
   * mount is cleaned up. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (recover_args, &out), ==, 0);
  g_test_message ("recover: %s", out);
  g_assert_false (sp_is_mount_point (mount_point));
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));

  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  game = sp_library_find_game (reopened, "fake-game");
  g_assert_nonnull (game);
  g_assert_nonnull (sp_game_get_head (game));
  g_assert_cmpstr (sp_checkpoint_get_label (sp_game_get_head_checkpoint (game)), ==, "after crash");

  /* The next run resumes from what the game wrote before the kill. */
  g_clear_object (&f->game);
  f->game = g_object_ref (game);
  g_clear_object (&f->library);
  f->library = g_steal_pointer (&reopened);
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *counter = upper_file (s, "save/counter.txt");
    g_autofree char *run1 = upper_file (s, "save/run-1.txt");

    g_assert_cmpstr (counter, ==, "2\n");
    /* Written (not fsynced) and closed before the kill: kept too. */
    g_assert_cmpstr (run1, ==, "a run\n");
    discard (s);
  }
  assert_clean_after (f);
}

/* ------------------------------------------------------------------------ */
/* SIGHUP                                                                   */

/* TRUE when /proc/self/mountinfo (this test's mount namespace, shared with
 * the CLI it starts) lists a mount at @path. */
static gboolean
mountinfo_has (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);

      /* 36 35 98:0 /root /mnt/point rw,… : field 5 is the mount point
       * (our paths have no characters mountinfo escapes). */
      if (g_strv_length (fields) >= 5 && g_str_equal (fields[4], path))
        return TRUE;
    }
  return FALSE;
}

/* Closing the terminal of `savepoint-cli play` sends it SIGHUP: the game
 * is stopped, the mount removed and the run left pending (not kept, even
 * with --keep: nobody is there to see it), and the CLI exits on its own. */
static void
test_cli_hangup (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autofree char *run_dir = sp_run_dir_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *ready = g_build_filename (run_dir, "upper", "save", "ready", NULL);
  g_autofree char *mount_point = sp_mount_point_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { helper, "play", "fake-game", "--library", f->drive, "--keep", "after hangup", NULL };
  const char *runs_args[] = { "runs", NULL };
  GPid pid;
  int status;

  set_arguments (f, "wait");
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for_file (ready, 60));
  g_assert_true (mountinfo_has (mount_point));

  g_assert_cmpint (kill (pid, SIGHUP), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  /* It ended by itself, after its clean-up, not by the signal's default
   * action; and it says it was ended by SIGHUP. */
  g_assert_false (WIFSIGNALED (status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 128 + SIGHUP);

  /* No mount, stale or not, at the mount point. */
  g_assert_false (mountinfo_has (mount_point));

  /* The run is pending, finished and undecided, with the game's save. */
  pending = sp_run_list_pending (sp_library_get_id (f->library), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (sp_run_get_status (pending->pdata[0]), ==, SP_RUN_STATUS_FINISHED);
  g_assert_true (g_file_test (ready, G_FILE_TEST_EXISTS));
  g_assert_cmpint (run_cli (runs_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "fake-game"));
  g_assert_nonnull (strstr (out, "undecided"));

  /* Not kept. */
  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  g_assert_null (sp_game_get_head (sp_library_find_game (reopened, "fake-game")));
  {
    g_autofree char *lock = sp_game_lock_path (f->game);

    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }
}

static void
test_cli_play (Fixture       *f,
               gconstpointer  user_data)
{
  g_autofree char *out = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autoptr(GError) error = NULL;
  const char *play_args[] = { "play", "fake-game", "--library", f->drive, NULL };
  const char *discard_args[] = { "play", "fake-game", "--library", f->drive, "--discard", NULL };
  const char *missing_args[] = { "play", "no-such-game", "--library", f->drive, NULL };
  SpGame *game;

  set_arguments (f, "play");
  g_assert_true (sp_game_save_sync (f->game, &error));

  /* No decision flag and no terminal: kept. */
  g_assert_cmpint (run_cli (play_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "exited with status 0"));
  g_assert_nonnull (strstr (out, "Kept as checkpoint"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (discard_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "Discarded"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (missing_args, &out), ==, 1);

  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  game = sp_library_find_game (reopened, "fake-game");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 1);
  assert_clean_after (f);
}

/* The game's exclusions (issue 16, item 5): a keep through the CLI leaves
 * out what they match, says how much, and keeps the rest of the run. */
static void
test_cli_play_excluded (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autofree char *out = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *restored = NULL;
  const char *play_args[] = { "play", "fake-game", "--library", f->drive, "--keep", "x", NULL };
  const char * const exclude[] = { "save/run-*.txt", NULL };
  SpGame *game;

  set_arguments (f, "play");
  g_assert_true (sp_game_set_exclude (f->game, exclude, &error));
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_cli (play_args, &out), ==, 0);
  g_assert_nonnull (strstr (out, "Kept as checkpoint"));
  g_assert_nonnull (strstr (out, "Left out "));
  g_assert_nonnull (strstr (out, "savepoint-cli exclude fake-game"));

  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  game = sp_library_find_game (reopened, "fake-game");
  g_assert_cmpuint (sp_checkpoint_get_excluded_files (sp_game_get_head_checkpoint (game)), ==, 1);

  /* What was kept: the counter, not the excluded file. */
  restored = g_build_filename (f->drive, "restored", NULL);
  g_assert_true (sp_archive_unpack (sp_checkpoint_get_archive_path (sp_game_get_head_checkpoint (game)),
                                    restored, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *counter = g_build_filename (restored, "save", "counter.txt", NULL);
    g_autofree char *run = g_build_filename (restored, "save", "run-1.txt", NULL);

    g_assert_true (g_file_test (counter, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
  }
  assert_clean_after (f);
}

/* play --ask reads the answer from the terminal (here a pipe). */
static void
test_cli_ask (Fixture       *f,
              gconstpointer  user_data)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autofree char *out = NULL;
  SpGame *game;

  set_arguments (f, "play");
  g_assert_true (sp_game_save_sync (f->game, &error));

  /* A label keeps it under that label. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              helper, "play", "fake-game", "--library", f->drive, "--ask", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, "Boss beaten\n", NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (out, "Keep this run"));
  g_assert_nonnull (strstr (out, "Kept as checkpoint"));
  g_clear_object (&process);
  g_clear_pointer (&out, g_free);

  /* "l" leaves it undecided. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              helper, "play", "fake-game", "--library", f->drive, "--ask", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, "l\n", NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (out, "recover"));

  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  game = sp_library_find_game (reopened, "fake-game");
  g_assert_cmpstr (sp_checkpoint_get_label (sp_game_get_head_checkpoint (game)), ==, "Boss beaten");
  {
    g_autoptr(GPtrArray) pending = sp_run_list_pending (sp_library_get_id (f->library), &error);

    g_assert_cmpuint (pending->len, ==, 1);
    g_assert_cmpint (sp_run_get_status (pending->pdata[0]), ==, SP_RUN_STATUS_FINISHED);
  }
  /* The discard of recover. */
  {
    const char *args[] = { "recover", "--discard", NULL };
    g_autofree char *recover_out = NULL;

    g_assert_cmpint (run_cli (args, &recover_out), ==, 0);
    g_assert_nonnull (strstr (recover_out, "Discarded"));
  }
  assert_clean_after (f);
}

static void
test_drive_lost (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) s = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *counter = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  const char *tmpfs = user_data;

  set_arguments (f, "wait");
  s = start (f, NULL, FALSE, &error);
  g_assert_no_error (error);
  ready = g_build_filename (sp_session_get_mount_point (s), "save", "ready", NULL);
  g_assert_true (wait_for_file (ready, 60));

  /* Pull the drive. */
  g_assert_cmpint (umount2 (tmpfs, MNT_DETACH), ==, 0);

  wait_ended (s);
  g_assert_cmpint (sp_session_get_state (s), ==, SP_SESSION_STATE_FAILED);
  g_assert_error ((GError *) sp_session_get_error (s), SP_SESSION_ERROR, SP_SESSION_ERROR_DRIVE_LOST);
  g_test_message ("drive lost: %s", sp_session_get_error (s)->message);
  /* The progress is kept for recovery. */
  counter = upper_file (s, "save/counter.txt");
  g_assert_cmpstr (counter, ==, "1\n");
  pending = sp_run_list_pending (sp_library_get_id (f->library), &error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (sp_run_get_status (pending->pdata[0]), ==, SP_RUN_STATUS_FAILED);
  g_assert_false (sp_is_mount_point (sp_session_get_mount_point (s)));
  discard (s);
}

/* ---- Paths, runner and environment from the drive ---- */

static void
base_symlink (Fixture    *f,
              const char *target,
              const char *name)
{
  g_autofree char *path = g_build_filename (sp_game_get_base_path (f->game), name, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* A clean install that is a link (here to a copy of itself, in the same
 * game folder) is refused before anything is mounted: the drive does not
 * choose which folder of this computer becomes the lower layer. */
static void
test_base_symlink (Fixture       *f,
                   gconstpointer  user_data)
{
  const char *base = sp_game_get_base_path (f->game);
  g_autofree char *real = g_strconcat (base, "-real", NULL);

  g_assert_cmpint (rename (base, real), ==, 0);
  g_assert_cmpint (symlink ("base-real", base), ==, 0);
  assert_start_fails (f, SP_SESSION_ERROR_INVALID, "symbolic link");
  g_assert_cmpint (unlink (base), ==, 0);
  g_assert_cmpint (rename (real, base), ==, 0);
}

/* game.ini's paths are relative without "..": refused before anything is
 * mounted. Before the fix Executable=../../../../bin/sh ran a shell and
 * Home=../../x created a folder outside the mount. */
static void
test_path_lexical (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autofree char *mount_point = sp_mount_point_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *outside = g_build_filename (mount_point, "..", "..", "sp-escaped-home", NULL);

  sp_game_set_executable (f->game, "../../../../bin/sh");
  assert_start_fails (f, SP_SESSION_ERROR_INVALID, "Executable");
  sp_game_set_executable (f->game, "/bin/sh");
  assert_start_fails (f, SP_SESSION_ERROR_INVALID, "absolute");
  sp_game_set_executable (f->game, "bin\\..\\..\\x.exe");
  assert_start_fails (f, SP_SESSION_ERROR_INVALID, "..");
  sp_game_set_executable (f->game, "bin/fake-game");

  sp_game_set_home (f->game, "../../sp-escaped-home");
  assert_start_fails (f, SP_SESSION_ERROR_INVALID, "Home");
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
  sp_game_set_home (f->game, "home");

  sp_game_set_working_directory (f->game, "bin/../..");
  assert_start_fails (f, SP_SESSION_ERROR_INVALID, "WorkingDirectory");
  sp_game_set_working_directory (f->game, ".");

  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    discard (s);
  }
}

/* Symbolic links in the clean install that lead out are refused by
 * savepoint-run (openat2 RESOLVE_BENEATH on the host), reported through the
 * status fd as a failed start; links that stay inside still work. */
static void
test_path_symlinks (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autofree char *outside = g_build_filename (f->drive, "outside", NULL);
  g_autofree char *outside_x = g_build_filename (outside, "x", NULL);
  g_autofree char *escaped_marker = g_build_filename (f->drive, "escaped", NULL);

  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  base_symlink (f, "/bin", "bin-link");
  base_symlink (f, outside, "link");
  base_symlink (f, "../../../../../../../../..", "up");
  base_symlink (f, "bin/fake-game", "game-link");
  base_symlink (f, "/", "z:");

  /* A native executable through a link out of the game. */
  sp_game_set_executable (f->game, "bin-link/sh");
  assert_start_fails (f, SP_SESSION_ERROR_CANNOT_START, "outside the game");
  sp_game_set_executable (f->game, "up/bin/sh");
  assert_start_fails (f, SP_SESSION_ERROR_CANNOT_START, "outside the game");
  sp_game_set_executable (f->game, "bin/fake-game");

  /* A home folder through a link out: refused, nothing created there. */
  sp_game_set_home (f->game, "link/x");
  assert_start_fails (f, SP_SESSION_ERROR_CANNOT_START, "home folder");
  g_assert_false (g_file_test (outside_x, G_FILE_TEST_EXISTS));
  sp_game_set_home (f->game, "home");

  /* A working folder out. */
  sp_game_set_working_directory (f->game, "link");
  assert_start_fails (f, SP_SESSION_ERROR_CANNOT_START, "working directory");
  sp_game_set_working_directory (f->game, ".");

  /* A Wine game's executable through the prefix's z: → / link: the runner
   * must not be started with a file outside the game. */
  sp_game_set_kind (f->game, SP_GAME_KIND_WINE);
  g_setenv ("SAVEPOINT_WINE_RUNNER", "sh -c 'echo escaped > \"$1\"' runner", TRUE);
  sp_game_set_arguments (f->game, (const char *[]) { escaped_marker, NULL });
  sp_game_set_executable (f->game, "z:/bin/sh");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SpSession) s = start (f, NULL, FALSE, &error);

    g_assert_null (s);
    g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_CANNOT_START);
    g_assert_nonnull (strstr (error->message, "outside the game"));
  }
  g_assert_false (g_file_test (escaped_marker, G_FILE_TEST_EXISTS));
  sp_game_set_kind (f->game, SP_GAME_KIND_NATIVE);
  sp_game_set_executable (f->game, "game-link");

  /* A link that stays inside is fine. */
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *counter = upper_file (s, "save/counter.txt");

    g_assert_cmpstr (counter, ==, "1\n");
    discard (s);
  }
  assert_clean_after (f);
}

/* A "#!" script game starts, checked beneath the mount like any game, and
 * sees its real path as $0: launch scripts cd "$(dirname "$0")" (with the
 * descriptor as $0, that was /dev/fd). */
static void
test_script_game (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autofree char *bin = g_build_filename (sp_game_get_base_path (f->game), "bin", NULL);

  write_file (bin, "start.sh",
              "#!/bin/sh\n"
              "cd \"$(dirname \"$0\")\"/..\n"
              "mkdir -p save\n"
              "echo \"script $1 home=${HOME##*/} dir=$(basename \"$(dirname \"$0\")\")\" > save/script.txt\n",
              0755);
  sp_game_set_executable (f->game, "bin/start.sh");
  {
    g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
    g_autofree char *out = upper_file (s, "save/script.txt");

    g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 0);
    g_assert_cmpstr (out, ==, "script play home=home dir=bin\n");
    discard (s);
  }
}

/* The runner and loader variables a drive names are used only when
 * approved. Older releases always used the game's Runner and
 * LD_LIBRARY_PATH. */
static void
test_runner_policy (Fixture       *f,
                    gconstpointer  user_data)
{
  const char *game_runner = "sh -c 'echo game-runner LD=[$LD_LIBRARY_PATH] DBG=[$WINEDEBUG]; exec \"$0\" \"$@\"'";
  const char *approved[] = { game_runner, NULL };
  const char *approved_env[] = { "LD_LIBRARY_PATH=/from-drive", NULL };
  const char *environment[] = { "LD_LIBRARY_PATH=/from-drive", "WINEDEBUG=-all", NULL };
  struct {
    const char * const *runners;
    const char * const *env;
    gboolean trust;
    const char *expect;
  } cases[] = {
    { NULL, NULL, FALSE, "default-runner LD=[] DBG=[-all]" },
    { approved, NULL, FALSE, "game-runner LD=[] DBG=[-all]" },
    { NULL, approved_env, FALSE, "default-runner LD=[/from-drive] DBG=[-all]" },
    { NULL, NULL, TRUE, "game-runner LD=[/from-drive] DBG=[-all]" },
  };

  g_unsetenv ("LD_LIBRARY_PATH");
  g_setenv ("SAVEPOINT_WINE_RUNNER",
            "sh -c 'echo default-runner LD=[$LD_LIBRARY_PATH] DBG=[$WINEDEBUG]; exec \"$0\" \"$@\"'", TRUE);
  sp_game_set_kind (f->game, SP_GAME_KIND_WINE);
  sp_game_set_runner (f->game, game_runner);
  sp_game_set_environment (f->game, environment);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpSession) probe = sp_session_new (f->library, f->game);
      g_autofree char *refused_runner = NULL;
      g_auto(GStrv) refused_env = NULL;

      sp_session_set_runner_policy (probe, cases[i].runners, cases[i].env, cases[i].trust);
      refused_runner = sp_session_get_refused_runner (probe);
      refused_env = sp_session_get_refused_environment (probe);
      g_assert_cmpstr (refused_runner, ==, cases[i].trust || cases[i].runners ? NULL : game_runner);
      g_assert_cmpuint (g_strv_length (refused_env), ==, cases[i].trust || cases[i].env ? 0 : 1);

      policy_runners = cases[i].runners;
      policy_environment = cases[i].env;
      policy_trust = cases[i].trust;
      {
        g_autoptr(SpSession) s = play (f, "play", NULL, FALSE);
        g_autofree char *log = read_file (sp_run_get_path (sp_session_get_run (s)), "game.log");

        g_test_message ("case %u: %s", i, log);
        g_assert_nonnull (strstr (log, cases[i].expect));
        discard (s);
      }
    }
}

static void
test_environment_names (void)
{
  const char *sensitive[] = { "LD_PRELOAD", "LD_LIBRARY_PATH", "WINELOADER", "WINESERVER",
                              "WINEDLLPATH", "WINEPREFIX", "PATH", "GCONV_PATH", "GIO_EXTRA_MODULES",
                              "GTK3_MODULES", "GTK_MODULES", "PYTHONPATH", "PYTHONSTARTUP", "PERL5LIB",
                              "PERL5OPT", "HOME", "XDG_CONFIG_HOME", "BASH_FUNC_x%%", "VK_LAYER_PATH",
                              "A B", "", "1X", NULL };
  const char *plain[] = { "WINEDEBUG", "WINEDLLOVERRIDES", "WINEESYNC", "DXVK_HUD", "SDL_VIDEODRIVER",
                          "__GL_THREADED_OPTIMIZATIONS", "LANG", "LC_ALL", "MESA_GL_VERSION_OVERRIDE",
                          "FAKE_GAME_STAMP", "WINEUSERNAME", "WINEARCH", NULL };

  for (guint i = 0; sensitive[i]; i++)
    g_assert_true (sp_environment_name_is_sensitive (sensitive[i]));
  for (guint i = 0; plain[i]; i++)
    g_assert_false (sp_environment_name_is_sensitive (plain[i]));
}

/* savepoint-cli play: the game's runner only with --allow-runner; without,
 * the default runs and stderr says so. */
static void
test_cli_allow_runner (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autofree char *marker = g_build_filename (f->drive, "..", "runner-marker", NULL);
  g_autofree char *game_runner = g_strdup_printf ("sh -c 'echo game-runner > %s; exec \"$0\" \"$@\"'", marker);
  g_autofree char *default_runner = g_strdup_printf ("sh -c 'echo default-runner > %s; exec \"$0\" \"$@\"'", marker);
  g_autoptr(GError) error = NULL;

  sp_game_set_kind (f->game, SP_GAME_KIND_WINE);
  sp_game_set_runner (f->game, game_runner);
  set_arguments (f, "play");
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  for (guint allow = 0; allow < 2; allow++)
    {
      const char *argv[] = { helper, "play", "fake-game", "--library", f->drive, "--discard",
                             "--runner", default_runner, allow ? "--allow-runner" : NULL, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *ran = NULL;
      int status = -1;

      g_unlink (marker);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                    &out, &err, &status, &error);
      g_assert_no_error (error);
      g_test_message ("cli stderr: %s", err);
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      g_assert_true (g_file_get_contents (marker, &ran, NULL, NULL));
      g_assert_cmpstr (ran, ==, allow ? "game-runner\n" : "default-runner\n");
      g_assert_true ((strstr (err, "--allow-runner") != NULL) == !allow);
    }

  /* Approved in the app's settings (what "Always Allow" stores): the CLI
   * honours it without --allow-runner. */
  {
    g_autofree char *schemas = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "..", "data", NULL);
    g_autofree char *config = g_build_filename (f->drive, "..", "config", NULL);
    const char *runners[] = { game_runner, NULL };
    g_autoptr(GVariant) variant = g_variant_ref_sink (g_variant_new_strv (runners, -1));
    g_autofree char *value = g_variant_print (variant, FALSE);
    g_auto(GStrv) envp = g_get_environ ();
    const char *set_argv[] = { "gsettings", "set", APP_ID, "approved-runners", value, NULL };
    const char *argv[] = { helper, "play", "fake-game", "--library", f->drive, "--discard",
                           "--runner", default_runner, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *ran = NULL;
    int status = -1;

    envp = g_environ_setenv (envp, "GSETTINGS_SCHEMA_DIR", schemas, TRUE);
    envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "keyfile", TRUE);
    envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", config, TRUE);
    g_spawn_sync (NULL, (char **) set_argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_test_message ("gsettings: %s", err);
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    g_clear_pointer (&err, g_free);

    g_unlink (marker);
    /* Its stdout is captured: inherited, it would break this test's TAP. */
    g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                  &out, &err, &status, &error);
    g_assert_no_error (error);
    g_test_message ("cli stderr: %s", err);
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    g_assert_true (g_file_get_contents (marker, &ran, NULL, NULL));
    g_assert_cmpstr (ran, ==, "game-runner\n");
    g_assert_null (strstr (err, "--allow-runner"));
    sp_remove_tree (config, NULL, NULL);
  }

  g_unlink (marker);
  assert_clean_after (f);
}

/* ---- The mounts folder must be ours ---- */

/* $XDG_RUNTIME_DIR/savepoint as a symlink (to a folder of ours, 0700) or
 * owned by another user: the session refuses to start, names the folder,
 * mounts nothing and leaves no run behind; once it is ours again, it plays. */
static void
test_unsafe_mounts_dir (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autofree char *mounts = sp_mounts_dir ();
  g_autofree char *aside = g_strconcat (mounts, "-aside", NULL);
  g_autofree char *target = g_strconcat (mounts, "-target", NULL);
  g_autofree char *mount_point = sp_mount_point_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *redirected = g_build_filename (target, sp_game_get_slug (f->game), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  gboolean had = g_file_test (mounts, G_FILE_TEST_EXISTS);

  if (had)
    g_assert_cmpint (rename (mounts, aside), ==, 0);
  g_assert_cmpint (g_mkdir (target, 0700), ==, 0);
  g_assert_cmpint (symlink (target, mounts), ==, 0);

  session = start (f, NULL, TRUE, &error);
  g_assert_null (session);
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, mounts));
  g_clear_error (&error);
  g_assert_false (sp_is_mount_point (redirected));
  g_assert_false (g_file_test (redirected, G_FILE_TEST_EXISTS));
  runs = sp_run_list (sp_library_get_id (f->library), NULL);
  g_assert_cmpuint (runs->len, ==, 0);
  g_assert_cmpint (unlink (mounts), ==, 0);

  if (geteuid () == 0)
    {
      g_assert_cmpint (g_mkdir (mounts, 0700), ==, 0);
      g_assert_cmpint (chown (mounts, 1500, 1500), ==, 0);
      session = start (f, NULL, TRUE, &error);
      g_assert_null (session);
      g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
      g_assert_nonnull (strstr (error->message, "1500"));
      g_clear_error (&error);
      g_assert_false (sp_is_mount_point (mount_point));
      g_assert_cmpint (rmdir (mounts), ==, 0);
    }

  g_assert_cmpint (rmdir (target), ==, 0);
  if (had)
    g_assert_cmpint (rename (aside, mounts), ==, 0);

  /* Ours again: it plays. */
  session = play (f, "play", NULL, TRUE);
  g_assert_cmpint (sp_session_get_summary (session)->exit_status, ==, 0);
  assert_clean_after (f);
  discard (session);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *tmpfs = NULL;
  g_autofree char *no_fuse = NULL;
  gboolean have_tmpfs;
  int ret;

  test_root = g_dir_make_tmp ("sp-test-session-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (test_root, "state", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  tmpfs = g_build_filename (test_root, "removable", NULL);
  g_mkdir (runtime, 0700);
  g_mkdir (tmpfs, 0755);
  /* Before any GLib call caches them. */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_LIBRARY");
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");

  g_test_init (&argc, &argv, NULL);

  /* Where we may, keep our mounts in a mount namespace of our own, so even
   * a test that aborts leaves none behind on the machine. */
  tc_private_mount_namespace ();

  /* Without FUSE every test is listed as skipped, with the reason. */
  no_fuse = tc_fuse_unusable_reason ();
#define ADD(path, data, func) \
  G_STMT_START { \
    if (no_fuse != NULL) \
      tc_add_skipped (path, no_fuse); \
    else \
      g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down); \
  } G_STMT_END

  ADD ("/session/keep-and-resume", NULL, test_keep_and_resume);
  ADD ("/session/keep-progress", NULL, test_keep_progress);
  ADD ("/session/discard-and-restore", NULL, test_discard_and_restore);
  ADD ("/session/exit-error", NULL, test_exit_error);
  ADD ("/session/exits-before-started-read", NULL, test_exits_before_started_read);
  ADD ("/session/keep-after-restore", NULL, test_keep_after_restore);
  ADD ("/session/cannot-start", NULL, test_cannot_start);
  ADD ("/session/stop-ignoring-term", NULL, test_stop_ignoring_term);
  ADD ("/session/stop-while-preparing", NULL, test_stop_while_preparing);
  ADD ("/session/cli-ask", NULL, test_cli_ask);
  ADD ("/session/undecided-run", NULL, test_undecided_run);
  ADD ("/session/leftover-run-folder", NULL, test_leftover_run_folder);
  ADD ("/session/wine-kind-runner", NULL, test_wine_kind_runner);
  ADD ("/session/stale-lock", NULL, test_stale_lock);
  ADD ("/session/kill-owner", NULL, test_kill_owner);
  ADD ("/session/cli-play", NULL, test_cli_play);
  ADD ("/session/cli-play-excluded", NULL, test_cli_play_excluded);
  ADD ("/session/base-symlink", NULL, test_base_symlink);
  ADD ("/session/path-lexical", NULL, test_path_lexical);
  ADD ("/session/path-symlinks", NULL, test_path_symlinks);
  ADD ("/session/script-game", NULL, test_script_game);
  ADD ("/session/runner-policy", NULL, test_runner_policy);
  g_test_add_func ("/session/environment-names", test_environment_names);
  ADD ("/session/cli-allow-runner", NULL, test_cli_allow_runner);

  ADD ("/session/unsafe-mounts-dir", NULL, test_unsafe_mounts_dir);

  ADD ("/session/cli-hangup", NULL, test_cli_hangup);

  /* A "removable drive": a tmpfs we can pull with a lazy unmount. */
  have_tmpfs = no_fuse == NULL && mount ("savepoint-test", tmpfs, "tmpfs", 0, "size=64m") == 0;
  if (have_tmpfs || no_fuse != NULL)
    ADD ("/session/drive-lost", tmpfs, test_drive_lost);
  else
    {
      g_autofree char *reason = g_strdup_printf ("cannot mount a tmpfs as a removable drive: %s",
                                                 g_strerror (errno));

      tc_add_skipped ("/session/drive-lost", reason);
    }
#undef ADD

  ret = g_test_run ();

  if (have_tmpfs && sp_is_mount_point (tmpfs))
    umount2 (tmpfs, MNT_DETACH);
  sp_remove_tree (test_root, NULL, NULL);
  g_free (test_root);
  return ret;
}
