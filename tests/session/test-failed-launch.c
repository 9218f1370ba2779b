/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Failed launches (issue 14, item 4) with real sessions and processes: a
 * game that prints an error and exits 127, one killed by SIGSEGV, a stop
 * the user asked for, a run that changed nothing, and the logs kept of the
 * last runs (savepoint-cli play and log). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

static char *test_root;

/* The game: a shell script whose first argument picks what it does. */
static const char game_script[] =
  "#!/bin/sh\n"
  "ulimit -c 0\n"
  "case \"$1\" in\n"
  "  fail) echo 'starting the game'; echo 'error: the prefix is not owned by you' >&2; exit 127 ;;\n"
  "  segv) echo 'about to crash'; kill -SEGV $$ ;;\n"
  "  write-fail) echo saved > save.txt; echo 'error after saving' >&2; exit 3 ;;\n"
  "  nothing) echo 'nothing to do'; exit 0 ;;\n"
  "  write) echo saved > save.txt; exit 0 ;;\n"
  "  say) cat \"$2\"; exit 1 ;;\n"
  "  many) i=0; while [ $i -lt 100 ]; do echo \"line $i\"; i=$((i+1)); done; exit 2 ;;\n"
  "  wait) touch \"$2\"; exec sleep 120 ;;\n"
  "  fill) dd if=/dev/zero of=fill.bin bs=64k 2>/dev/null; echo filled; exit 0 ;;\n"
  "esac\n"
  "exit 99\n";

typedef struct
{
  char      *drive;
  SpLibrary *library;
  SpGame    *game;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *exe = NULL;
  SpGameInfo info = {
    .name = "Broken Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/game.sh",
    .working_directory = ".",
  };

  f->drive = g_build_filename (test_root, "drive-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->drive));
  f->library = sp_library_create_sync (f->drive, "Test Drive", &error);
  g_assert_no_error (error);
  source = g_build_filename (f->drive, "source", NULL);
  tc_write (source, "bin/game.sh", game_script);
  exe = g_build_filename (source, "bin", "game.sh", NULL);
  g_assert_cmpint (g_chmod (exe, 0755), ==, 0);
  f->game = sp_library_add_game_sync (f->library, &info, source, SP_ADD_MODE_COPY,
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GPtrArray) runs = sp_run_list (sp_library_get_id (f->library), NULL);
  g_autofree char *logs = sp_run_logs_dir (sp_library_get_id (f->library), sp_game_get_slug (f->game));

  for (guint i = 0; runs && i < runs->len; i++)
    sp_run_discard_sync (runs->pdata[i], NULL, NULL);
  sp_remove_tree (logs, NULL, NULL);
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  sp_remove_tree (f->drive, NULL, NULL);
  g_free (f->drive);
}

static void
set_arguments (Fixture    *f,
               const char *first,
               const char *second)
{
  const char *args[] = { first, second, NULL };
  g_autoptr(GError) error = NULL;

  sp_game_set_arguments (f->game, args);
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);
}

static gboolean
session_ended (SpSession *session)
{
  SpSessionState state = sp_session_get_state (session);

  return (state == SP_SESSION_STATE_FINISHED || state == SP_SESSION_STATE_FAILED) &&
         sp_session_get_summary (session) != NULL;
}

static SpSession *
start (Fixture *f)
{
  g_autoptr(SpSession) session = sp_session_new (f->library, f->game);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_session_set_grace_period (session, 2);
  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_start_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

static SpSession *
play (Fixture *f)
{
  SpSession *session = start (f);

  while (!session_ended (session))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FINISHED);
  return session;
}

static void
discard (SpSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_session_discard_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_discard_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
}

/* savepoint-cli ARGS…; returns its exit status, its output in *out and
 * *err. */
static int
run_cli_env (const char * const *args,
             char              **envp,
             char              **out,
             char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                out, err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("savepoint-cli %s: status %d\nstdout: %s\nstderr: %s", args[0], status,
                  *out, *err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  return run_cli_env (args, NULL, out, err);
}

static guint
count_logs (Fixture *f)
{
  g_autoptr(GPtrArray) logs = sp_run_logs_list (sp_library_get_id (f->library),
                                                sp_game_get_slug (f->game), NULL);

  g_assert_nonnull (logs);
  return logs->len;
}

static guint
count_checkpoints (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = sp_library_open (f->drive, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (sp_game_get_checkpoints (sp_library_find_game (reopened, "broken-game")));
}

/* A game that prints an error and exits 127: exit code 6, the status and
 * the error line on stderr; the log outlives --discard and `log` prints it. */
static void
test_exit_127_cli (Fixture       *f,
                   gconstpointer  user_data)
{
  const char *play_args[] = { "play", "broken-game", "--library", f->drive, "--discard", NULL };
  const char *json_args[] = { "--json", "play", "broken-game", "--library", f->drive, "--keep", "", NULL };
  const char *log_args[] = { "log", "broken-game", "--library", f->drive, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  /* No run yet, no log. */
  g_assert_cmpint (run_cli (log_args, &out, &err), ==, 3);
  g_assert_nonnull (strstr (err, "no log of “Broken Game” is kept"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  set_arguments (f, "fail", NULL);
  g_assert_cmpint (run_cli (play_args, &out, &err), ==, 6);
  g_assert_nonnull (strstr (err, "The game failed: exited with status 127"));
  g_assert_nonnull (strstr (err, "error: the prefix is not owned by you"));
  g_assert_nonnull (strstr (err, "starting the game"));
  g_assert_cmpuint (count_logs (f), ==, 1);
  {
    g_autoptr(GPtrArray) runs = sp_run_list (sp_library_get_id (f->library), NULL);

    g_assert_cmpuint (runs->len, ==, 0);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* `log` prints the latest, whole. */
  g_assert_cmpint (run_cli (log_args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "starting the game\nerror: the prefix is not owned by you\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --json says the status; even --keep keeps nothing (nothing changed). */
  g_assert_cmpint (run_cli (json_args, &out, &err), ==, 6);
  g_assert_nonnull (strstr (err, "there is nothing to keep"));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (object, "exit_code"), ==, 127);
  g_assert_true (json_object_get_null_member (object, "signal"));
  g_assert_true (json_object_get_boolean_member (object, "failed"));
  g_assert_true (json_object_get_boolean_member (object, "changed_nothing"));
  g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, "nothing");
  g_assert_true (g_file_test (json_object_get_string_member (object, "log"), G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_logs (f), ==, 2);
  g_assert_cmpuint (count_checkpoints (f), ==, 0);
}

/* Killed by SIGSEGV: a failure, with the signal named. */
static void
test_sigsegv (Fixture       *f,
              gconstpointer  user_data)
{
  g_autoptr(SpSession) s = NULL;
  g_autofree char *description = NULL;
  const char *json_args[] = { "--json", "play", "broken-game", "--library", f->drive, "--discard", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  set_arguments (f, "segv", NULL);
  s = play (f);
  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 128 + SIGSEGV);
  g_assert_false (sp_session_get_summary (s)->stopped);
  g_assert_true (sp_session_get_game_failed (s));
  g_assert_true (sp_session_get_changed_nothing (s));
  g_assert_nonnull (strstr (sp_session_get_log_tail (s), "about to crash"));
  description = sp_exit_status_describe (sp_session_get_summary (s)->exit_status);
  g_assert_nonnull (strstr (description, "signal 11"));
  g_assert_nonnull (strstr (description, "SIGSEGV"));
  discard (s);

  g_assert_cmpint (run_cli (json_args, &out, &err), ==, 6);
  g_assert_nonnull (strstr (err, "was killed by signal 11 (SIGSEGV"));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (object, "signal"), ==, SIGSEGV);
  g_assert_true (json_object_get_null_member (object, "exit_code"));
}

static gboolean
wait_for_file (const char *path)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  return TRUE;
}

/* A stop the user asked for is not a failure: Stop in the session, ^C to
 * the CLI. */
static void
test_user_stop (Fixture       *f,
                gconstpointer  user_data)
{
  g_autofree char *ready = g_build_filename (f->drive, "ready", NULL);
  g_autoptr(SpSession) s = NULL;
  const char *argv[] = { g_getenv ("SP_CLI"), "play", "broken-game", "--library", f->drive, "--discard", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int status;

  set_arguments (f, "wait", ready);
  s = start (f);
  g_assert_true (wait_for_file (ready));
  sp_session_stop (s);
  while (!session_ended (s))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (sp_session_get_summary (s)->stopped);
  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 128 + SIGTERM);
  g_assert_false (sp_session_get_game_failed (s));
  discard (s);
  g_unlink (ready);

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for_file (ready));
  g_assert_cmpint (kill (pid, SIGINT), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* A run that changed nothing is not kept, even with --keep; one that
 * changed something is, failed or not. */
static void
test_nothing_to_keep (Fixture       *f,
                      gconstpointer  user_data)
{
  const char *keep_args[] = { "play", "broken-game", "--library", f->drive, "--keep", "mine", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  set_arguments (f, "nothing", NULL);
  g_assert_cmpint (run_cli (keep_args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "The game changed nothing; there is nothing to keep."));
  g_assert_null (strstr (out, "Kept as checkpoint"));
  g_assert_null (strstr (err, "failed"));
  g_assert_cmpuint (count_checkpoints (f), ==, 0);
  {
    g_autoptr(GPtrArray) runs = sp_run_list (sp_library_get_id (f->library), NULL);

    g_assert_cmpuint (runs->len, ==, 0);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  set_arguments (f, "write-fail", NULL);
  g_assert_cmpint (run_cli (keep_args, &out, &err), ==, 6);
  g_assert_nonnull (strstr (err, "exited with status 3"));
  g_assert_nonnull (strstr (err, "error after saving"));
  g_assert_nonnull (strstr (out, "Kept as checkpoint"));
  g_assert_cmpuint (count_checkpoints (f), ==, 1);
}

/* The last five logs are kept, the latest is printed; only our own files
 * are ever removed. */
static void
test_five_logs (Fixture       *f,
                gconstpointer  user_data)
{
  g_autofree char *message = g_build_filename (f->drive, "message", NULL);
  g_autofree char *logs_dir = sp_run_logs_dir (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *outside = g_build_filename (f->drive, "outside.log", NULL);
  g_autofree char *link = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *foreign = NULL;
  const char *play_args[] = { "play", "broken-game", "--library", f->drive, "--discard", NULL };
  const char *log_args[] = { "log", "broken-game", "--library", f->drive, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Things in the logs folder that Savepoint did not make: a link and a
   * folder with a log's name, another file. */
  g_assert_cmpint (g_mkdir_with_parents (logs_dir, 0700), ==, 0);
  tc_write (f->drive, "outside.log", "not a log of ours\n");
  link = g_build_filename (logs_dir, "19990101-000000-000000-00000000.log", NULL);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  folder = g_build_filename (logs_dir, "19990101-000000-000001-00000000.log", NULL);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  foreign = g_build_filename (logs_dir, "notes.txt", NULL);
  tc_write (logs_dir, "notes.txt", "mine\n");

  set_arguments (f, "say", message);
  for (int i = 1; i <= 7; i++)
    {
      g_autofree char *text = g_strdup_printf ("run %d\n", i);

      tc_write (f->drive, "message", text);
      g_assert_cmpint (run_cli (play_args, &out, &err), ==, 6);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpuint (count_logs (f), ==, MIN (i, 5));
    }
  g_assert_cmpint (run_cli (log_args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "run 7\n");
  {
    g_autoptr(GPtrArray) logs = sp_run_logs_list (sp_library_get_id (f->library),
                                                  sp_game_get_slug (f->game), NULL);
    g_autofree char *oldest = NULL;

    g_file_get_contents (logs->pdata[4], &oldest, NULL, NULL);
    g_assert_cmpstr (oldest, ==, "run 3\n");
  }
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_IS_REGULAR));
}

/* A link in the logs folder's place is not written through; the run still
 * ends and is reported. */
static void
test_logs_folder_link (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autofree char *logs_dir = sp_run_logs_dir (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *parent = g_path_get_dirname (logs_dir);
  g_autofree char *elsewhere = g_build_filename (f->drive, "elsewhere", NULL);
  const char *play_args[] = { "play", "broken-game", "--library", f->drive, "--discard", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  g_assert_cmpint (symlink (elsewhere, logs_dir), ==, 0);

  set_arguments (f, "fail", NULL);
  g_assert_cmpint (run_cli (play_args, &out, &err), ==, 6);
  g_assert_nonnull (strstr (err, "error: the prefix is not owned by you"));
  g_assert_cmpuint (tc_count_entries (elsewhere), ==, 0);
  g_assert_cmpint (g_unlink (logs_dir), ==, 0);
}

/* The tail: the last 20 lines, control characters replaced; the kept copy
 * is capped. */
static void
test_tail_and_cap (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(SpSession) s = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *big = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gsize length;

  set_arguments (f, "many", NULL);
  s = play (f);
  g_assert_true (sp_session_get_game_failed (s));
  lines = g_strsplit (sp_session_get_log_tail (s), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, SP_RUN_LOG_TAIL_LINES);
  g_assert_cmpstr (lines[0], ==, "line 80");
  g_assert_cmpstr (lines[19], ==, "line 99");
  discard (s);

  /* A terminal escape and a bad byte do not come through. */
  tc_write (f->drive, "escape.log", "one\n\033]0;owned\007two\377\n");
  big = g_build_filename (f->drive, "escape.log", NULL);
  tail = sp_run_log_read_tail (big, 5, &error);
  g_assert_no_error (error);
  g_assert_null (strchr (tail, '\033'));
  g_assert_null (strchr (tail, '\007'));
  g_assert_true (g_utf8_validate (tail, -1, NULL));
  g_assert_nonnull (strstr (tail, "one\n"));
  g_clear_pointer (&big, g_free);

  /* 3 MiB of log: 1 MiB (whole lines) and a note are kept. */
  for (int i = 0; text->len < 3 * 1024 * 1024; i++)
    g_string_append_printf (text, "a long line of the game's output, number %d\n", i);
  tc_write (f->drive, "big.log", text->str);
  big = g_build_filename (f->drive, "big.log", NULL);
  kept = sp_run_logs_save (sp_library_get_id (f->library), sp_game_get_slug (f->game), big, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (kept, &contents, &length, NULL));
  g_assert_cmpuint (length, <=, SP_RUN_LOG_MAX_BYTES + 200);
  g_assert_cmpuint (length, >=, SP_RUN_LOG_MAX_BYTES - 200);
  g_assert_true (g_str_has_prefix (contents, "[Savepoint:"));
  g_assert_true (g_str_has_suffix (contents, text->str + text->len - 60));
  {
    /* The line after the note is whole. */
    const char *second = strchr (contents, '\n') + 1;

    g_assert_true (g_str_has_prefix (second, "a long line"));
  }
}

/* Issue 14, item 6: a game that fills the state folder (where upper/ is)
 * still ends as "finished": the run's space reserve takes the last save,
 * without a GLib warning, and `runs` tells the truth. */
static void
test_state_folder_full (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autofree char *state = g_build_filename (f->drive, "small-state", NULL);
  g_auto(GStrv) envp = g_get_environ ();
  const char *play_args[] = { "play", "broken-game", "--library", f->drive, "--leave", NULL };
  const char *runs_args[] = { "runs", NULL };
  const char *discard_args[] = { "recover", "--discard", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir (state, 0700), ==, 0);
  if (mount ("savepoint-full", state, "tmpfs", 0, "size=4m") != 0)
    {
      g_test_skip_printf ("cannot mount a small tmpfs as the state folder: %s", g_strerror (errno));
      return;
    }
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", state, TRUE);

  set_arguments (f, "fill", NULL);
  g_assert_cmpint (run_cli_env (play_args, envp, &out, &err), ==, 0);
  g_assert_null (strstr (err, "WARNING"));
  g_assert_nonnull (strstr (out, "exited with status 0"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli_env (runs_args, envp, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "finished, undecided"));
  g_assert_null (strstr (out, "interrupted"));
  g_assert_null (strstr (err, "WARNING"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli_env (discard_args, envp, &out, &err), ==, 0);
  g_assert_cmpint (umount2 (state, MNT_DETACH), ==, 0);
}

static char *
head_on_disk (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = sp_library_open (f->drive, &error);

  g_assert_no_error (error);
  return g_strdup (sp_game_get_head (sp_library_find_game (reopened, "broken-game")));
}

/* Issue 14, item 6: `restore` during the game's session (while it runs,
 * and while its run waits to be kept or discarded) is refused instead of
 * being undone by the keep. */
static void
test_restore_during_session (Fixture       *f,
                             gconstpointer  user_data)
{
  g_autofree char *ready = g_build_filename (f->drive, "ready", NULL);
  const char *restore_args[] = { "--library", f->drive, "restore", "broken-game", "clean", NULL };
  g_autoptr(SpSession) s = NULL;
  g_autofree char *head = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* A checkpoint to restore away from, kept in this process (so that
   * f->game knows its head). */
  set_arguments (f, "write", NULL);
  s = play (f);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SpCheckpoint) kept = NULL;

    sp_session_keep_async (s, "saved", NULL, NULL, NULL, tc_store_result_cb, &result);
    kept = sp_session_keep_finish (s, tc_wait_for (&result), &error);
    g_assert_no_error (error);
  }
  g_clear_object (&s);
  head = head_on_disk (f);
  g_assert_nonnull (head);

  /* While the game runs. */
  set_arguments (f, "wait", ready);
  s = start (f);
  g_assert_true (wait_for_file (ready));
  g_assert_cmpint (run_cli (restore_args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "“Broken Game” is being played"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* While its run waits for keep or discard. */
  sp_session_stop (s);
  while (!session_ended (s))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (sp_session_get_run (s));
  g_assert_cmpint (run_cli (restore_args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "not kept or discarded yet"));
  g_assert_nonnull (strstr (err, "savepoint-cli recover broken-game"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  after = head_on_disk (f);
  g_assert_cmpstr (after, ==, head);
  g_clear_pointer (&after, g_free);

  /* Once it is decided, restore works. */
  discard (s);
  g_assert_cmpint (run_cli (restore_args, &out, &err), ==, 0);
  after = head_on_disk (f);
  g_assert_null (after);
}

/* Issue 14, item 6: two drives with a game of the same slug: each
 * session mounts at its own point (the library's id is in it), so both
 * run at once. */
static void
test_same_slug_two_drives (Fixture       *f,
                           gconstpointer  user_data)
{
  Fixture other = { 0 };
  g_autofree char *ready = g_build_filename (f->drive, "ready", NULL);
  g_autofree char *other_ready = NULL;
  g_autoptr(SpSession) s = NULL;
  g_autoptr(SpSession) t = NULL;

  fixture_set_up (&other, NULL);
  g_assert_cmpstr (sp_game_get_slug (other.game), ==, sp_game_get_slug (f->game));
  g_assert_cmpstr (sp_library_get_id (other.library), !=, sp_library_get_id (f->library));
  other_ready = g_build_filename (other.drive, "ready", NULL);

  set_arguments (f, "wait", ready);
  set_arguments (&other, "wait", other_ready);
  s = start (f);
  t = start (&other);
  g_assert_true (wait_for_file (ready));
  g_assert_true (wait_for_file (other_ready));
  g_assert_cmpstr (sp_session_get_mount_point (s), !=, sp_session_get_mount_point (t));
  g_assert_nonnull (strstr (sp_session_get_mount_point (s), sp_library_get_id (f->library)));
  g_assert_true (sp_is_mount_point (sp_session_get_mount_point (s)));
  g_assert_true (sp_is_mount_point (sp_session_get_mount_point (t)));
  g_assert_cmpint (sp_session_get_state (s), ==, SP_SESSION_STATE_RUNNING);
  g_assert_cmpint (sp_session_get_state (t), ==, SP_SESSION_STATE_RUNNING);

  sp_session_stop (s);
  sp_session_stop (t);
  while (!session_ended (s) || !session_ended (t))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (sp_is_mount_point (sp_session_get_mount_point (s)));
  g_assert_false (sp_is_mount_point (sp_session_get_mount_point (t)));
  discard (s);
  discard (t);
  fixture_tear_down (&other, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *no_fuse = NULL;
  int ret;

  test_root = g_dir_make_tmp ("sp-test-failed-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (test_root, "state", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (runtime, 0700);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_LIBRARY");

  g_test_init (&argc, &argv, NULL);

  tc_private_mount_namespace ();

  no_fuse = tc_fuse_unusable_reason ();
#define ADD(path, func) \
  G_STMT_START { \
    if (no_fuse != NULL) \
      tc_add_skipped (path, no_fuse); \
    else \
      g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down); \
  } G_STMT_END

  ADD ("/failed-launch/exit-127-cli", test_exit_127_cli);
  ADD ("/failed-launch/sigsegv", test_sigsegv);
  ADD ("/failed-launch/user-stop", test_user_stop);
  ADD ("/failed-launch/nothing-to-keep", test_nothing_to_keep);
  ADD ("/failed-launch/five-logs", test_five_logs);
  ADD ("/failed-launch/tail-and-cap", test_tail_and_cap);
  ADD ("/failed-launch/logs-folder-link", test_logs_folder_link);
  ADD ("/session-small/state-folder-full", test_state_folder_full);
  ADD ("/session-small/restore-during-session", test_restore_during_session);
  ADD ("/session-small/same-slug-two-drives", test_same_slug_two_drives);
#undef ADD

  ret = g_test_run ();
  sp_remove_tree (test_root, NULL, NULL);
  g_free (test_root);
  return ret;
}
