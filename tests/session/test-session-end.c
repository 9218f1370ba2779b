/* SPDX-License-Identifier: GPL-3.0-or-later */
/* When a session is over (README, "When does a session end?"), with real
 * processes through real sessions: what savepoint-run waits for, what it
 * stops after the grace period, the play time that follows, and the end
 * of a game whose owner was killed. */
#include "config.h"

#include <errno.h>
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
#include "play/sp-session.h"
#include "play/sp-session-private.h"
#include "sp-test-common.h"

static char *test_root;
static char *runtime_dir;

typedef struct
{
  char      *drive;
  SpLibrary *library;
  SpGame    *game;
  guint      background_signals;
} Fixture;

static void
write_script (Fixture    *f,
              const char *name,
              const char *contents)
{
  g_autofree char *bin = g_build_filename (sp_game_get_base_path (f->game), "bin", NULL);
  g_autofree char *path = g_build_filename (bin, name, NULL);

  tc_write (bin, name, contents);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

/* A drive with a native game: bin/fake-game (fake-game.c) and scripts the
 * tests add beside it. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *game_binary = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  SpGameInfo info = {
    .name = "Ending Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/fake-game",
    .working_directory = ".",
  };

  f->drive = g_build_filename (test_root, "drive-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->drive));
  f->library = sp_library_create_sync (f->drive, "End Drive", &error);
  g_assert_no_error (error);

  source = g_build_filename (f->drive, "source", NULL);
  tc_write (source, "data/asset.txt", "an asset\n");
  game_binary = g_test_build_filename (G_TEST_BUILT, "fake-game", NULL);
  g_file_get_contents (game_binary, &contents, &len, &error);
  g_assert_no_error (error);
  exe = g_build_filename (source, "bin", "fake-game", NULL);
  tc_write (source, "bin/fake-game", "");
  g_file_set_contents (exe, contents, (gssize) len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (exe, 0755), ==, 0);

  f->game = sp_library_add_game_sync (f->library, &info, source, SP_ADD_MODE_COPY,
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = sp_run_list (sp_library_get_id (f->library), NULL);

  for (guint i = 0; runs && i < runs->len; i++)
    sp_run_discard_sync (runs->pdata[i], NULL, NULL);
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  if (!sp_remove_tree (f->drive, NULL, &error))
    g_test_message ("could not clean %s: %s", f->drive, error->message);
  g_free (f->drive);
}

static void
background_cb (SpSession *session,
               Fixture   *f)
{
  f->background_signals++;
}

/* Plays @executable (with @args) to its end, background processes getting
 * @background_grace seconds. */
static SpSession *
play (Fixture            *f,
      const char         *executable,
      const char * const *args,
      gint                background_grace)
{
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_game_set_executable (f->game, executable);
  sp_game_set_arguments (f->game, args);
  session = sp_session_new (f->library, f->game);
  sp_session_set_grace_period (session, 1);
  sp_session_set_background_grace (session, background_grace);
  f->background_signals = 0;
  g_signal_connect (session, "background", G_CALLBACK (background_cb), f);
  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_start_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  while (sp_session_get_summary (session) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (sp_session_get_error (session));
  g_assert_cmpint (sp_session_get_state (session), ==, SP_SESSION_STATE_FINISHED);
  return g_steal_pointer (&session);
}

static char *
upper_file (SpSession  *session,
            const char *name)
{
  g_autofree char *path = g_build_filename (sp_run_get_upper_path (sp_session_get_run (session)),
                                            name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

static char *
run_file_at (const char *run_dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (run_dir, name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

static char *
run_file (SpSession  *session,
          const char *name)
{
  return run_file_at (sp_run_get_path (sp_session_get_run (session)), name);
}

static void
assert_no_background (Fixture   *f,
                      SpSession *session)
{
  guint count = 99;

  if (sp_session_get_background (session, &count, NULL) != NULL)
    {
      g_autofree char *log = run_file (session, "game.log");

      g_test_message ("game.log: %s", log);
    }
  g_assert_null (sp_session_get_background (session, &count, NULL));
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpuint (f->background_signals, ==, 0);
  g_assert_null (sp_session_describe_background (session));
}

/* A child of the game that is still working (in the game's session) is
 * the game's: waited for, and its time is play time. With no grace for
 * background processes, a child taken for one would be stopped at once. */
static void
test_child_finishes_later (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(SpSession) s = NULL;
  g_autofree char *child = NULL;
  g_autofree char *run_ini = NULL;

  write_script (f, "child-later.sh",
                "#!/bin/sh\n"
                "mkdir -p save\n"
                "(sleep 2; echo 'the child finished' > save/child.txt) &\n"
                "exit 0\n");
  s = play (f, "bin/child-later.sh", NULL, 0);
  child = upper_file (s, "save/child.txt");
  g_assert_cmpstr (child, ==, "the child finished\n");
  g_assert_cmpint (sp_session_get_summary (s)->duration, >=, 2);
  assert_no_background (f, s);
  run_ini = run_file (s, "run.ini");
  g_assert_nonnull (strstr (run_ini, "GameEnded="));
}

/* A native game that leaves a detached daemon (setsid sleep 600): the
 * daemon is stopped after the grace period, named, and the session ends;
 * play time stops at the game's end. */
static void
test_setsid_daemon (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(SpSession) s = NULL;
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;
  const char * const *names;
  guint count = 0;
  gboolean stopped = FALSE;

  write_script (f, "daemon.sh",
                "#!/bin/sh\n"
                "setsid sleep 600 &\n"
                "exit 0\n");
  s = play (f, "bin/daemon.sh", NULL, 1);
  names = sp_session_get_background (s, &count, &stopped);
  g_assert_nonnull (names);
  g_assert_cmpuint (count, ==, 1);
  g_assert_true (stopped);
  g_assert_cmpstr (names[0], ==, "sleep");
  g_assert_null (names[1]);
  g_assert_cmpuint (f->background_signals, ==, 1);
  text = sp_session_describe_background (s);
  g_assert_cmpstr (text, ==, "1 background process was stopped: sleep");
  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 0);
  log = run_file (s, "game.log");
  g_assert_nonnull (strstr (log, "still running after 1 s: sleep"));
  /* The grace period is not play: the game ended (GameEnded, whole
   * seconds) at least the grace period before the session did (Ended). */
  {
    g_autoptr(SpRun) run = sp_run_load (sp_run_get_path (sp_session_get_run (s)), NULL);
    g_autofree char *run_ini = run_file (s, "run.ini");
    g_autofree char *game_ended = NULL;
    g_autoptr(GDateTime) game_end = NULL;
    const char *p = strstr (run_ini, "GameEnded=");

    g_assert_nonnull (p);
    game_ended = g_strndup (p + strlen ("GameEnded="), strcspn (p + strlen ("GameEnded="), "\n"));
    game_end = g_date_time_new_from_iso8601 (game_ended, NULL);
    g_assert_nonnull (game_end);
    g_assert_cmpint (g_date_time_difference (sp_run_get_ended (run), game_end), >=, G_USEC_PER_SEC);
    g_assert_cmpint (sp_run_get_play_time (run), ==, sp_session_get_summary (s)->duration);
  }
}

/* savepoint-cli play says what it stopped, on stderr; with
 * --wait-for-background it waits for it instead (a daemon that ends by
 * itself 2 s after the grace period). */
static void
test_cli_background (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autoptr(GError) error = NULL;
  struct {
    const char *extra;
    const char *expect;
  } cases[] = {
    { "--discard", "savepoint-cli play: 1 background process was stopped: sleep\n" },
    { "--wait-for-background", "savepoint-cli play: 1 background process is still running: sleep\n" },
  };

  write_script (f, "daemon3.sh",
                "#!/bin/sh\n"
                "mkdir -p save\n"
                "setsid sh -c 'exec sleep 3' &\n"
                "exit 0\n");
  sp_game_set_executable (f->game, "bin/daemon3.sh");
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { helper, "play", "ending-game", "--library", f->drive, "--discard",
                             "--background-grace", "1", cases[i].extra, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status;

      if (g_str_equal (cases[i].extra, "--discard"))
        argv[8] = NULL;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                    &out, &err, &status, &error);
      g_assert_no_error (error);
      g_test_message ("stdout: %s\nstderr: %s", out, err);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (err, cases[i].expect));
      g_assert_nonnull (strstr (out, "Discarded the run."));
    }
}

/* A launcher that starts the real game and exits at once: the real game is
 * waited for, in the game's session or detached from it (it runs from the
 * game's folder), also when the detached process takes a while before it
 * runs the game (a shell outside the game's folder and session meanwhile).
 * No grace for background processes, as above. */
static void
test_launcher (Fixture       *f,
               gconstpointer  user_data)
{
  const char *ways[] = {
    "\"$(dirname \"$0\")/fake-game\" linger &",
    "setsid \"$(dirname \"$0\")/fake-game\" linger &",
    "setsid sh -c 'sleep 0.3; exec \"$0\" linger' \"$(dirname \"$0\")/fake-game\" &",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ways); i++)
    {
      g_autoptr(SpSession) s = NULL;
      g_autofree char *lingered = NULL;
      g_autofree char *script = g_strdup_printf ("#!/bin/sh\n%s\nexit 0\n", ways[i]);

      write_script (f, "launcher.sh", script);
      s = play (f, "bin/launcher.sh", NULL, 0);
      lingered = upper_file (s, "save/lingered.txt");
      if (lingered == NULL)
        {
          g_autofree char *log = run_file (s, "game.log");

          g_test_message ("%s\ngame.log: %s", script, log);
        }
      g_assert_cmpstr (lingered, ==, "the real game ran\n");
      g_assert_cmpint (sp_session_get_summary (s)->duration, >=, 2);
      assert_no_background (f, s);
      g_assert_true (sp_run_discard_sync (sp_session_get_run (s), NULL, NULL));
    }
}

/* The game gets the desktop's session bus (the systemd user bus socket)
 * when the environment names none: no private dbus-daemon is needed. */
static void
test_session_bus (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autofree char *bus = g_build_filename (runtime_dir, "bus", NULL);
  g_autofree char *expect = g_strdup_printf ("[unix:path=%s]\n", bus);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (bus);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  write_script (f, "bus.sh",
                "#!/bin/sh\n"
                "mkdir -p save\n"
                "echo \"[$DBUS_SESSION_BUS_ADDRESS]\" > save/bus.txt\n");

  /* No bus anywhere: none is made up. */
  {
    g_autoptr(SpSession) s = play (f, "bin/bus.sh", NULL, 0);
    g_autofree char *seen = upper_file (s, "save/bus.txt");

    g_assert_cmpstr (seen, ==, "[]\n");
    g_assert_true (sp_run_discard_sync (sp_session_get_run (s), NULL, NULL));
  }

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SpSession) s = play (f, "bin/bus.sh", NULL, 0);
    g_autofree char *seen = upper_file (s, "save/bus.txt");

    g_assert_cmpstr (seen, ==, expect);
    g_assert_true (sp_run_discard_sync (sp_session_get_run (s), NULL, NULL));
  }
  /* One that is set is left alone. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/the/desktop/bus", TRUE);
  {
    g_autoptr(SpSession) s = play (f, "bin/bus.sh", NULL, 0);
    g_autofree char *seen = upper_file (s, "save/bus.txt");

    g_assert_cmpstr (seen, ==, "[unix:path=/the/desktop/bus]\n");
    g_assert_true (sp_run_discard_sync (sp_session_get_run (s), NULL, NULL));
  }
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_socket_close (socket, NULL);
  g_unlink (bus);
}

/* An X server of our own for dbus-launch --autolaunch (it keeps the bus
 * address on the display). Returns its pid, or 0 with @reason. */
static GPid
start_xvfb (char **display,
            char **reason)
{
  g_autofree char *xvfb = g_find_program_in_path ("Xvfb");
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *socket_path = NULL;
  gint64 end;
  GPid pid;

  if (xvfb == NULL)
    {
      *reason = g_strdup ("Xvfb is not installed (apt-get install xvfb)");
      return 0;
    }
  number = g_strdup_printf ("%d", 400 + (int) (getpid () % 400));
  *display = g_strconcat (":", number, NULL);
  {
    const char *argv[] = { xvfb, *display, "-nolisten", "tcp", NULL };

    if (!g_spawn_async (NULL, (char **) argv, NULL,
                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, &pid, &error))
      {
        *reason = g_strdup_printf ("Xvfb cannot be started: %s", error->message);
        return 0;
      }
  }
  socket_path = g_strconcat ("/tmp/.X11-unix/X", number, NULL);
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_file_test (socket_path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
    g_usleep (20000);
  if (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      kill (pid, SIGTERM);
      waitpid (pid, NULL, 0);
      *reason = g_strdup_printf ("Xvfb did not open %s", socket_path);
      return 0;
    }
  return pid;
}

/* A real dbus-launch --autolaunch, as Wine's libraries start it without a
 * session bus: the dbus-daemon and dbus-launch's watcher it leaves are
 * background processes, stopped after the grace period and named. */
static void
test_dbus_autolaunch (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autofree char *dbus_launch = g_find_program_in_path ("dbus-launch");
  g_autofree char *machine_id = NULL;
  g_autofree char *display = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;
  g_autoptr(SpSession) s = NULL;
  const char * const *names;
  guint count = 0;
  gboolean stopped = FALSE;
  GPid xvfb;

  if (dbus_launch == NULL)
    {
      g_test_skip ("dbus-launch is not installed (apt-get install dbus-x11)");
      return;
    }
  if (!g_file_get_contents ("/etc/machine-id", &machine_id, NULL, NULL) &&
      !g_file_get_contents ("/var/lib/dbus/machine-id", &machine_id, NULL, NULL))
    {
      g_test_skip ("this system has no D-Bus machine id (/etc/machine-id)");
      return;
    }
  xvfb = start_xvfb (&display, &reason);
  if (xvfb == 0)
    {
      g_test_skip (reason);
      return;
    }

  g_setenv ("DISPLAY", display, TRUE);
  write_script (f, "dbus.sh",
                "#!/bin/sh\n"
                "dbus-launch --autolaunch=\"$(cat /etc/machine-id 2>/dev/null || cat /var/lib/dbus/machine-id)\" "
                "--binary-syntax --close-stderr < /dev/null > /dev/null\n"
                "exit 0\n");
  s = play (f, "bin/dbus.sh", NULL, 1);
  g_unsetenv ("DISPLAY");
  kill (xvfb, SIGTERM);
  waitpid (xvfb, NULL, 0);
  g_spawn_close_pid (xvfb);

  names = sp_session_get_background (s, &count, &stopped);
  text = sp_session_describe_background (s);
  g_test_message ("%s", text ? text : "no background processes");
  g_assert_nonnull (names);
  g_assert_true (stopped);
  g_assert_true (g_strv_contains (names, "dbus-daemon"));
  g_assert_true (g_strv_contains (names, "dbus-launch"));
  g_assert_cmpuint (count, ==, 2);
  g_assert_nonnull (strstr (text, "2 background processes were stopped: "));
}

/* A Wine game: wineserver outlives the game's program by its persistence
 * delay and is the game's (it writes the prefix's registry): waited for,
 * never stopped, even with no grace for background processes. */
static void
test_wine (Fixture       *f,
           gconstpointer  user_data)
{
  g_autofree char *wine = g_find_program_in_path ("wine");
  g_autofree char *prefix = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) s = NULL;
  g_autofree char *log = NULL;
  const char *args[] = { "/c", "echo", "hello", NULL };
  const char *environment[] = { "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", NULL };
  SpGameInfo info = {
    .name = "Wine Ending",
    .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c/windows/system32/cmd.exe",
    .environment = environment,
  };

  if (wine == NULL)
    {
      g_test_skip ("Wine is not installed (apt-get install wine wine64)");
      return;
    }
  prefix = g_build_filename (f->drive, "prefix", NULL);
  {
    const char *wineboot[] = { "wineboot", "-i", NULL };
    const char *wait[] = { "wineserver", "-w", NULL };
    const char * const *tools[] = { wineboot, wait };

    for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
      {
        g_auto(GStrv) envp = g_get_environ ();
        int status;

        envp = g_environ_setenv (envp, "WINEPREFIX", prefix, TRUE);
        envp = g_environ_setenv (envp, "WINEDEBUG", "-all", TRUE);
        envp = g_environ_setenv (envp, "WINEDLLOVERRIDES", "mscoree,mshtml=", TRUE);
        g_spawn_sync (NULL, (char **) tools[i], envp,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
        g_assert_no_error (error);
        g_assert_true (g_spawn_check_wait_status (status, NULL));
      }
  }
  game = sp_library_add_game_sync (f->library, &info, prefix, SP_ADD_MODE_ADOPT, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_set_object (&f->game, game);

  s = sp_session_new (f->library, f->game);
  sp_game_set_arguments (f->game, args);
  {
    g_autoptr(GAsyncResult) result = NULL;

    sp_session_set_grace_period (s, 1);
    sp_session_set_background_grace (s, 0);
    f->background_signals = 0;
    g_signal_connect (s, "background", G_CALLBACK (background_cb), f);
    sp_session_start_async (s, NULL, tc_store_result_cb, &result);
    g_assert_true (sp_session_start_finish (s, tc_wait_for (&result), &error));
    g_assert_no_error (error);
    while (sp_session_get_summary (s) == NULL)
      g_main_context_iteration (NULL, TRUE);
  }
  log = run_file (s, "game.log");
  g_test_message ("game.log: %s", log);
  g_assert_no_error (sp_session_get_error (s));
  g_assert_cmpint (sp_session_get_summary (s)->exit_status, ==, 0);
  g_assert_nonnull (strstr (log, "hello"));
  assert_no_background (f, s);
  /* wineserver saved the registry into the run, as it does when it exits. */
  {
    g_autofree char *reg = upper_file (s, "system.reg");

    g_assert_nonnull (reg);
  }
}

/* The owner (savepoint-cli) is killed while the game runs: savepoint-run
 * stops the game, which takes 2 s (it ignores SIGTERM; --grace 2), and
 * writes GameEnded into run.ini itself; the recovered run and the kept
 * checkpoint get that play time, not 0 s. The game reads nothing from its
 * folder once it is ready (the killed owner takes the mount with it): its
 * script is replaced by sh -c at once. */
static void
test_recover_after_kill (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autofree char *helper = g_strdup (g_getenv ("SP_CLI"));
  g_autofree char *run_dir = sp_run_dir_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
  g_autofree char *ready = g_build_filename (run_dir, "upper", "save", "ready", NULL);
  g_autofree char *run_ini = g_build_filename (run_dir, "run.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpRun) run = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  const char *argv[] = { helper, "play", "ending-game", "--library", f->drive, "--keep", "never",
                         "--grace", "2", NULL };
  gint64 end;
  GPid pid;
  int status;

  write_script (f, "stubborn.sh",
                "#!/bin/sh\n"
                "exec sh -c \"trap '' TERM; mkdir -p save && touch save/ready; exec sleep 120\"\n");
  sp_game_set_executable (f->game, "bin/stubborn.sh");
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!g_file_test (ready, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
    g_usleep (20000);
  g_assert_true (g_file_test (ready, G_FILE_TEST_EXISTS));
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);

  /* savepoint-run records the end once the game is gone. */
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (run_ini, &contents, NULL, NULL) && strstr (contents, "GameEnded=") != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (20000);
    }

  run = sp_run_load (run_dir, &error);
  g_assert_no_error (error);
  {
    g_autofree char *contents = NULL;

    g_autofree char *log = run_file_at (run_dir, "game.log");

    g_file_get_contents (run_ini, &contents, NULL, NULL);
    g_test_message ("run.ini: %s", contents);
    g_test_message ("game.log: %s", log);
  }
  /* (Status may still say "preparing": the owner can be killed before it
   * has read savepoint-run's "started".) */
  g_assert_cmpint (sp_run_get_status (run), !=, SP_RUN_STATUS_FINISHED);
  g_assert_cmpint (sp_run_get_play_time (run), >=, 2);

  {
    const char *recover[] = { helper, "recover", "--keep", "after kill", "ending-game", NULL };

    g_spawn_sync (NULL, (char **) recover, NULL, G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  {
    SpGame *game = sp_library_find_game (reopened, "ending-game");
    SpCheckpoint *checkpoint = sp_game_get_head_checkpoint (game);

    g_assert_nonnull (checkpoint);
    g_assert_cmpint (sp_checkpoint_get_play_time (checkpoint), >=, 2);
  }
}

/* savepoint-run's lines are parsed defensively: whatever a line says, the
 * session keeps bounded, valid UTF-8 names and sane times. */
static void
test_status_lines (void)
{
  SpSessionEnd end = { .background_grace = -1 };
  g_autofree char *long_name = g_strnfill (500, 'x');
  g_autofree char *many = NULL;
  g_autofree char *line = NULL;
  GString *names = g_string_new ("stopped 100");

  g_assert_cmpint (_sp_session_end_parse (&end, "alive"), ==, SP_SESSION_EVENT_ALIVE);
  g_assert_cmpint (_sp_session_end_parse (&end, "alive now"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (_sp_session_end_parse (&end, "game-ended"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (_sp_session_end_parse (&end, "game-ended -5 10"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (_sp_session_end_parse (&end, "game-ended 5 x"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (_sp_session_end_parse (&end, "game-ended 5 10 15"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (end.game_ended_mono, ==, 0);
  /* A time after now is now. */
  g_assert_cmpint (_sp_session_end_parse (&end, "game-ended 9223372036854775807 1796206882"), ==,
                   SP_SESSION_EVENT_GAME_ENDED);
  g_assert_cmpint (end.game_ended_mono, <=, g_get_monotonic_time ());
  g_assert_cmpint (end.game_ended_real, ==, 1796206882);
  g_assert_cmpint (_sp_session_end_play_usec (&end, end.game_ended_mono - 3 * G_USEC_PER_SEC, 0), ==,
                   3 * G_USEC_PER_SEC);

  g_assert_cmpint (_sp_session_end_parse (&end, "stopped"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (_sp_session_end_parse (&end, "stopped 0\tsleep"), ==, SP_SESSION_EVENT_NONE);
  g_assert_cmpint (_sp_session_end_parse (&end, "stopped x\tsleep"), ==, SP_SESSION_EVENT_NONE);
  g_assert_null (end.background);

  line = g_strdup_printf ("background 3\t%s\t\xff\xfe bad\t", long_name);
  g_assert_cmpint (_sp_session_end_parse (&end, line), ==, SP_SESSION_EVENT_BACKGROUND);
  g_assert_false (end.background_stopped);
  g_assert_cmpuint (end.background_count, ==, 3);
  g_assert_cmpuint (g_strv_length (end.background), ==, 2);
  g_assert_cmpuint (strlen (end.background[0]), ==, 64);
  g_assert_true (g_utf8_validate (end.background[1], -1, NULL));

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (names, "\tname-%u", i);
  many = g_string_free (names, FALSE);
  g_assert_cmpint (_sp_session_end_parse (&end, many), ==, SP_SESSION_EVENT_BACKGROUND);
  g_assert_true (end.background_stopped);
  g_assert_cmpuint (end.background_count, ==, 100);
  g_assert_cmpuint (g_strv_length (end.background), ==, 32);
  _sp_session_end_clear (&end);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *no_fuse = NULL;
  int ret;

  test_root = g_dir_make_tmp ("sp-test-session-end-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (test_root, "state", NULL);
  runtime_dir = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (runtime_dir, 0700);
  /* Before any GLib call caches them. */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_unsetenv ("SAVEPOINT_LIBRARY");
  g_unsetenv ("SAVEPOINT_WINE_RUNNER");
  g_unsetenv ("SAVEPOINT_BACKGROUND_GRACE");
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv ("DISPLAY");

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

  g_test_add_func ("/session-end/status-lines", test_status_lines);
  ADD ("/session-end/child-finishes-later", test_child_finishes_later);
  ADD ("/session-end/setsid-daemon", test_setsid_daemon);
  ADD ("/session-end/launcher", test_launcher);
  ADD ("/session-end/cli-background", test_cli_background);
  ADD ("/session-end/session-bus", test_session_bus);
  ADD ("/session-end/dbus-autolaunch", test_dbus_autolaunch);
  ADD ("/session-end/recover-after-kill", test_recover_after_kill);
  ADD ("/session-end/wine", test_wine);
#undef ADD

  ret = g_test_run ();

  sp_remove_tree (test_root, NULL, NULL);
  g_free (test_root);
  g_free (runtime_dir);
  return ret;
}
