/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A killed app cannot clean up (issue 14, item 5): the process that owns a
 * play session (here savepoint-cli play, the same SpSession and overlay
 * code as the app) is killed with SIGKILL while the game runs. Its mount
 * goes by itself (libfuse's auto_unmount: no dead "Transport endpoint is
 * not connected" mount is left), and the next start offers the run with
 * the time the game really ran, then removes the stale session.lock when
 * the run is recovered. As root and as a normal user (uid 1500, through
 * setpriv, with /dev/fuse made 0666 as desktops have it). */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "play/sp-run.h"
#include "sp-test-common.h"

#define PLAYER_UID 1500

static char *test_root;

typedef struct
{
  uid_t      uid;
  char      *drive;
  char      *state;     /* the owner's XDG_STATE_HOME */
  char      *runtime;   /* the owner's XDG_RUNTIME_DIR */
  char      *home;
  char      *cli;       /* the savepoint-cli and savepoint-run the owner runs */
  char      *run;
  SpLibrary *library;
  SpGame    *game;
} Fixture;

/* A drive with a native game that runs 2 s, then says it is ready (a
 * file in its folder) and keeps running. The script is replaced by sh -c
 * at once: it reads nothing from the mount once the owner is killed. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *exe = NULL;
  SpGameInfo info = {
    .name = "Killed Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/game.sh",
    .working_directory = ".",
  };

  f->uid = GPOINTER_TO_UINT (user_data);
  f->drive = g_build_filename (test_root, "drive-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->drive));
  f->library = sp_library_create_sync (f->drive, "Kill Drive", &error);
  g_assert_no_error (error);
  source = g_build_filename (f->drive, "source", NULL);
  tc_write (source, "bin/game.sh",
            "#!/bin/sh\n"
            "exec sh -c 'mkdir -p save && sleep 2 && touch save/ready && exec sleep 120'\n");
  exe = g_build_filename (source, "bin", "game.sh", NULL);
  g_assert_cmpint (g_chmod (exe, 0755), ==, 0);
  f->game = sp_library_add_game_sync (f->library, &info, source, SP_ADD_MODE_COPY,
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  if (f->uid == 0)
    {
      f->state = g_strdup (g_getenv ("XDG_STATE_HOME"));
      f->runtime = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
      f->home = g_strdup (g_get_home_dir ());
    }
  else
    {
      g_autofree char *player = g_build_filename (test_root, "player-XXXXXX", NULL);

      g_assert_nonnull (g_mkdtemp (player));
      f->state = g_build_filename (player, "state", NULL);
      f->runtime = g_build_filename (player, "runtime", NULL);
      f->home = g_build_filename (player, "home", NULL);
      g_assert_cmpint (g_mkdir (f->state, 0700), ==, 0);
      g_assert_cmpint (g_mkdir (f->runtime, 0700), ==, 0);
      g_assert_cmpint (g_mkdir (f->home, 0700), ==, 0);
      tc_chown_tree (player, f->uid);
      tc_chown_tree (f->drive, f->uid);
      {
        /* Copies of the built programs where the player can run them: the
         * build may be in a folder only root enters (/root/…). */
        g_autofree char *bin = g_build_filename (player, "bin", NULL);
        g_autofree char *cli_name = g_path_get_basename (g_getenv ("SP_CLI"));
        g_autofree char *run_name = g_path_get_basename (g_getenv ("SAVEPOINT_RUN"));
        const char *install[] = { "install", "-m", "0755", "-D", "-t", bin, g_getenv ("SP_CLI"),
                                  g_getenv ("SAVEPOINT_RUN"), NULL };
        int status = -1;

        g_assert_true (g_spawn_sync (NULL, (char **) install, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                     NULL, NULL, &status, &error));
        g_assert_no_error (error);
        g_assert_true (g_spawn_check_wait_status (status, NULL));
        f->cli = g_build_filename (bin, cli_name, NULL);
        f->run = g_build_filename (bin, run_name, NULL);
      }
    }
  if (f->cli == NULL)
    {
      f->cli = g_strdup (g_getenv ("SP_CLI"));
      f->run = g_strdup (g_getenv ("SAVEPOINT_RUN"));
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->game);
  g_clear_object (&f->library);
  if (!sp_remove_tree (f->drive, NULL, &error))
    g_test_message ("could not clean %s: %s", f->drive, error->message);
  g_free (f->drive);
  g_free (f->state);
  g_free (f->runtime);
  g_free (f->home);
  g_free (f->cli);
  g_free (f->run);
}

/* savepoint-cli @args… as the fixture's owner. */
static GPtrArray *
owner_argv (Fixture *f,
            ...)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;
  va_list args;

  if (f->uid != 0)
    {
      g_ptr_array_add (argv, g_strdup ("setpriv"));
      g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", f->uid));
      g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", f->uid));
      g_ptr_array_add (argv, g_strdup ("--clear-groups"));
    }
  g_ptr_array_add (argv, g_strdup ("env"));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("PATH=/usr/local/bin:/usr/bin:/bin"));
  g_ptr_array_add (argv, g_strdup ("LC_ALL=C.UTF-8"));
  g_ptr_array_add (argv, g_strdup_printf ("HOME=%s", f->home));
  g_ptr_array_add (argv, g_strdup_printf ("XDG_STATE_HOME=%s", f->state));
  g_ptr_array_add (argv, g_strdup_printf ("XDG_RUNTIME_DIR=%s", f->runtime));
  g_ptr_array_add (argv, g_strdup_printf ("SAVEPOINT_RUN=%s", f->run));
  for (const char * const *name = (const char * const[]) { "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                                            "LSAN_OPTIONS", NULL };
       *name != NULL; name++)
    if (g_getenv (*name))
      g_ptr_array_add (argv, g_strdup_printf ("%s=%s", *name, g_getenv (*name)));
  g_ptr_array_add (argv, g_strdup (f->cli));
  g_ptr_array_add (argv, g_strdup ("--library"));
  g_ptr_array_add (argv, g_strdup (f->drive));
  va_start (args, f);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* FUSE mounts of ours under @runtime in this mount namespace. */
static guint
count_mounts_under (const char *runtime)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (runtime, "/", NULL);
  guint count = 0;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (fields) > 4 && g_str_has_prefix (fields[4], prefix))
        count++;
    }
  return count;
}

static void
test_killed_owner (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *run_ini = NULL;
  g_autofree char *lock = sp_game_lock_path (f->game);
  g_autoptr(GPtrArray) play = owner_argv (f, "play", "killed-game", "--keep", "never", NULL);
  g_autoptr(GPtrArray) recover = owner_argv (f, "recover", "--keep", "after kill", "killed-game", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  gint64 end;
  GPid pid;
  int status;

  run_dir = g_build_filename (f->state, "savepoint", "runs", sp_library_get_id (f->library),
                              "killed-game", NULL);
  ready = g_build_filename (run_dir, "upper", "save", "ready", NULL);
  run_ini = g_build_filename (run_dir, "run.ini", NULL);
  if (f->uid == 0)
    {
      /* The test reads the runs where it plays them. */
      g_autofree char *ours = sp_run_dir_for (sp_library_get_id (f->library), "killed-game");

      g_assert_cmpstr (ours, ==, run_dir);
    }

  g_assert_cmpuint (count_mounts_under (f->runtime), ==, 0);
  g_spawn_async (NULL, (char **) play->pdata, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
                 G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!g_file_test (ready, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
    g_usleep (20000);
  g_assert_true (g_file_test (ready, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_mounts_under (f->runtime), ==, 1);

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);

  /* The mount goes by itself, at once (the bound only allows for a busy
   * machine). */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (count_mounts_under (f->runtime) > 0 && g_get_monotonic_time () < end)
    g_usleep (10000);
  g_assert_cmpuint (count_mounts_under (f->runtime), ==, 0);

  /* savepoint-run records the game's end once it has stopped it. */
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (run_ini, &contents, NULL, NULL) && strstr (contents, "GameEnded=") != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (20000);
    }
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));

  if (f->uid == 0)
    {
      /* What the next start offers (the app's and the CLI's recovery). */
      g_autoptr(GPtrArray) pending = sp_run_list_pending (sp_library_get_id (f->library), &error);
      SpRun *run;

      g_assert_no_error (error);
      g_assert_cmpuint (pending->len, ==, 1);
      run = g_ptr_array_index (pending, 0);
      g_assert_cmpstr (sp_run_get_path (run), ==, run_dir);
      g_assert_false (sp_run_get_owner_alive (run));
      g_assert_cmpint (sp_run_get_play_time (run), >=, 2);
    }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_spawn_sync (NULL, (char **) recover->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                  NULL, NULL, &out, &err, &status, &error);
    g_assert_no_error (error);
    g_test_message ("recover: %s%s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  {
    SpGame *game = sp_library_find_game (reopened, "killed-game");
    SpCheckpoint *checkpoint = sp_game_get_head_checkpoint (game);

    g_assert_nonnull (checkpoint);
    g_assert_cmpint (sp_checkpoint_get_play_time (checkpoint), >=, 2);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *no_fuse = NULL;
  g_autofree char *no_player = NULL;
  int ret;

  /* Traversable by the player; not under /tmp, which may be private. */
  test_root = g_build_filename ("/var/tmp", "sp-test-app-killed-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (test_root));
  g_assert_cmpint (g_chmod (test_root, 0755), ==, 0);
  state = g_build_filename (test_root, "state", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (runtime, 0700);
  /* Before any GLib call caches them. */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_LIBRARY");

  g_test_init (&argc, &argv, NULL);

  /* Whatever a failure leaves mounted goes with this namespace. */
  tc_private_mount_namespace ();

  no_fuse = tc_fuse_unusable_reason ();
  no_player = no_fuse ? g_strdup (no_fuse) : tc_player_mount_unusable_reason ();
  if (no_fuse != NULL)
    tc_add_skipped ("/app-killed/as-owner", no_fuse);
  else
    g_test_add ("/app-killed/as-owner", Fixture, GUINT_TO_POINTER (0),
                fixture_set_up, test_killed_owner, fixture_tear_down);
  if (no_player != NULL)
    tc_add_skipped ("/app-killed/as-player", no_player);
  else
    g_test_add ("/app-killed/as-player", Fixture, GUINT_TO_POINTER (PLAYER_UID),
                fixture_set_up, test_killed_owner, fixture_tear_down);

  ret = g_test_run ();

  sp_remove_tree (test_root, NULL, NULL);
  g_free (test_root);
  return ret;
}
