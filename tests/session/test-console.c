/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Console games (issue 14, item 3): the real savepoint-cli play under a real
 * pseudo-terminal. A small shell stand-in (a session leader with the pty as
 * its controlling terminal) starts the CLI as a job in its own process
 * group in the foreground, reports when it stops and puts it back in the
 * foreground for "fg", as an interactive shell does. The test types on the
 * pty's master side: a line for the game, ^C (\x03), ^Z (\x1a), the answer
 * to the keep question. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

#define HANG_GUARD_MS (120 * 1000)

static char *test_root;

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
  g_autofree char *bin = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  SpGameInfo info = {
    .name = "Console Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/console-game",
    .working_directory = ".",
  };

  f->drive = g_build_filename (test_root, "drive-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->drive));
  f->library = sp_library_create_sync (f->drive, "Test Drive", &error);
  g_assert_no_error (error);
  source = g_build_filename (f->drive, "source", NULL);
  bin = g_build_filename (source, "bin", NULL);
  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  g_assert_true (g_file_get_contents (g_getenv ("CONSOLE_GAME"), &contents, &length, &error));
  g_assert_no_error (error);
  exe = g_build_filename (bin, "console-game", NULL);
  g_assert_true (g_file_set_contents (exe, contents, length, &error));
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
set_mode (Fixture    *f,
          const char *mode)
{
  const char *args[] = { mode, NULL };
  g_autoptr(GError) error = NULL;

  sp_game_set_arguments (f->game, args);
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* The terminal and the shell stand-in                                      */

typedef struct
{
  int      master;
  pid_t    shell;
  pid_t    job;        /* the CLI: its pid is the job's process group */
  int      report;     /* from the shell: 'S' stopped, 'F' in the foreground again, 'X' + status */
  int      command;    /* to the shell: 'F' = fg */
  GString *output;     /* everything the terminal showed */
  gsize    seen;       /* how far expect() has read */
  int      status;     /* the CLI's wait status, once 'X' came */
} Terminal;

/* The shell stand-in, in the child: never returns. Only async-signal-safe
 * calls (the test process may have threads). */
static void
shell_main (int                 slave,
            int                 report,
            int                 command,
            const char * const *argv,
            char * const       *envp)
{
  sigset_t ttou, old;
  int go[2];
  pid_t job;
  int status;
  char c;

  /* A killed test takes the shell with it; the job then gets SIGHUP from
   * the terminal, as when a terminal window is closed. */
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (setsid () < 0 || ioctl (slave, TIOCSCTTY, 0) != 0 || pipe (go) != 0)
    _exit (120);
  /* A shell changes the terminal's foreground job from the background. */
  sigemptyset (&ttou);
  sigaddset (&ttou, SIGTTOU);
  sigprocmask (SIG_BLOCK, &ttou, &old);

  job = fork ();
  if (job < 0)
    _exit (121);
  if (job == 0)
    {
      close (go[1]);
      setpgid (0, 0);
      /* Wait until the shell has given us the terminal. */
      if (read (go[0], &c, 1) != 1)
        _exit (122);
      sigprocmask (SIG_SETMASK, &old, NULL);
      dup2 (slave, STDIN_FILENO);
      dup2 (slave, STDOUT_FILENO);
      dup2 (slave, STDERR_FILENO);
      if (slave > STDERR_FILENO)
        close (slave);
      execve (argv[0], (char * const *) argv, envp);
      _exit (127);
    }
  setpgid (job, job);
  if (tcsetpgrp (slave, job) != 0 || write (go[1], "g", 1) != 1)
    _exit (123);
  close (go[0]);
  close (go[1]);

  for (;;)
    {
      pid_t pid = waitpid (job, &status, WUNTRACED);

      if (pid < 0 && errno == EINTR)
        continue;
      if (pid < 0)
        _exit (124);
      if (WIFSTOPPED (status))
        {
          /* The job stopped: the shell takes the terminal, and on "fg"
           * gives it back (the test then sends SIGCONT). */
          tcsetpgrp (slave, getpgrp ());
          if (write (report, "S", 1) != 1 || read (command, &c, 1) != 1)
            _exit (125);
          tcsetpgrp (slave, job);
          if (write (report, "F", 1) != 1)
            _exit (125);
          continue;
        }
      if (write (report, "X", 1) != 1 || write (report, &status, sizeof status) != sizeof status)
        _exit (125);
      _exit (0);
    }
}

static void
terminal_start (Terminal           *t,
                const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  struct winsize size = { .ws_row = 24, .ws_col = 80 };
  int report[2], command[2];
  int slave;

  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "TERM", "xterm", TRUE);

  g_assert_cmpint (openpty (&t->master, &slave, NULL, NULL, &size), ==, 0);
  g_assert_true (g_unix_open_pipe (report, FD_CLOEXEC, NULL));
  g_assert_true (g_unix_open_pipe (command, FD_CLOEXEC, NULL));
  g_assert_cmpint (fcntl (t->master, F_SETFD, FD_CLOEXEC), ==, 0);

  t->shell = fork ();
  g_assert_cmpint (t->shell, >=, 0);
  if (t->shell == 0)
    shell_main (slave, report[1], command[0], (const char * const *) argv->pdata, envp);
  close (slave);
  close (report[1]);
  close (command[0]);
  t->report = report[0];
  t->command = command[1];
  t->output = g_string_new (NULL);
  t->seen = 0;
  t->status = -1;
}

/* Reads what the terminal shows until @until_report has a byte (returned)
 * or, with @until_report < 0, once. */
static char
terminal_pump (Terminal *t,
               gboolean  until_report)
{
  for (;;)
    {
      struct pollfd fds[2] = {
        { .fd = t->master, .events = POLLIN },
        { .fd = t->report, .events = POLLIN },
      };
      char buf[4096];
      ssize_t n;
      int ready = poll (fds, 2, HANG_GUARD_MS);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0)
        g_error ("nothing happened on the terminal for %d s; it showed:\n%s",
                 HANG_GUARD_MS / 1000, t->output->str);
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (t->master, buf, sizeof buf);
          if (n > 0)
            g_string_append_len (t->output, buf, n);
          else if (!until_report)
            g_error ("the terminal closed (%s); it showed:\n%s",
                     n < 0 ? g_strerror (errno) : "end", t->output->str);
          else
            fds[0].fd = -1;
          if (!until_report)
            return 0;
        }
      if (!until_report && (fds[1].revents & (POLLIN | POLLHUP)))
        g_error ("the job stopped or ended while the test waited for the terminal; it showed:\n%s",
                 t->output->str);
      if (until_report && (fds[1].revents & (POLLIN | POLLHUP)))
        {
          char c;

          g_assert_cmpint (read (t->report, &c, 1), ==, 1);
          if (c == 'X')
            g_assert_cmpint (read (t->report, &t->status, sizeof t->status), ==, sizeof t->status);
          return c;
        }
      if (until_report && fds[0].fd < 0)
        {
          /* The terminal is closed: only the report is left to wait for. */
          char c;

          g_assert_cmpint (read (t->report, &c, 1), ==, 1);
          if (c == 'X')
            g_assert_cmpint (read (t->report, &t->status, sizeof t->status), ==, sizeof t->status);
          return c;
        }
    }
}

/* Waits until the terminal shows @text after what was expected before. */
static void
expect (Terminal   *t,
        const char *text)
{
  for (;;)
    {
      const char *found = strstr (t->output->str + t->seen, text);

      if (found != NULL)
        {
          t->seen = (found - t->output->str) + strlen (text);
          return;
        }
      terminal_pump (t, FALSE);
    }
}

static void
type (Terminal   *t,
      const char *text)
{
  g_assert_cmpint (write (t->master, text, strlen (text)), ==, (gssize) strlen (text));
}

/* Waits for the CLI to end; returns its exit code. */
static int
terminal_finish (Terminal *t)
{
  int flags;
  char buf[4096];
  ssize_t n;
  int status;

  g_assert_cmpint (terminal_pump (t, TRUE), ==, 'X');
  g_assert_cmpint (waitpid (t->shell, &status, 0), ==, t->shell);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  /* The rest of what it showed. */
  flags = fcntl (t->master, F_GETFL);
  fcntl (t->master, F_SETFL, flags | O_NONBLOCK);
  while ((n = read (t->master, buf, sizeof buf)) > 0)
    g_string_append_len (t->output, buf, n);
  g_test_message ("the terminal showed:\n%s", t->output->str);
  g_assert_true (WIFEXITED (t->status));
  return WEXITSTATUS (t->status);
}

static void
terminal_clear (Terminal *t)
{
  int *fds[] = { &t->master, &t->report, &t->command };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
  if (t->output)
    g_string_free (g_steal_pointer (&t->output), TRUE);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Terminal, terminal_clear)

/* The latest run's log, as "savepoint-cli log" prints it. */
static char *
latest_log (Fixture *f)
{
  const char *argv[] = { g_getenv ("SP_CLI"), "log", "console-game", "--library", f->drive, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("the log:\n%s", out);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return out;
}

static guint
count_checkpoints (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = sp_library_open (f->drive, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (sp_game_get_checkpoints (sp_library_find_game (reopened, "console-game")));
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

/* The game reads the line typed on the terminal and answers on it; its
 * log has the session's events only. */
static void
test_echo (Fixture       *f,
           gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--keep", "", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };
  g_autofree char *log = NULL;

  set_mode (f, "echo");
  terminal_start (&t, args);
  expect (&t, "console-game: terminal yes");
  type (&t, "hello from the pty\n");
  expect (&t, "echo: hello from the pty");
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_cmpuint (count_checkpoints (f), ==, 1);

  log = latest_log (f);
  g_assert_nonnull (strstr (log, "this log records the session's events only"));
  g_assert_null (strstr (log, "console-game: terminal"));
  g_assert_null (strstr (log, "hello from the pty"));
}

/* Colours and cursor moves reach the terminal byte for byte, not the log;
 * the modes the game changed and left are given back. */
static void
test_colours (Fixture       *f,
              gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--keep", "", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };
  g_autofree char *log = NULL;
  struct termios modes;

  set_mode (f, "colours");
  terminal_start (&t, args);
  expect (&t, "\033[2J\033[H\033[1;31mRED\033[0m \033[32mGREEN\033[0m\033[5;10Hmoved");
  expect (&t, "raw now");
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);

  g_assert_cmpint (tcgetattr (t.master, &modes), ==, 0);
  g_assert_true (modes.c_lflag & ECHO);
  g_assert_true (modes.c_lflag & ICANON);

  log = latest_log (f);
  g_assert_null (strstr (log, "RED"));
  g_assert_null (strstr (log, "\033["));
}

/* One ^C is the game's: it handles it and goes on; the session goes on to
 * the keep question. */
static void
test_interrupt_once (Fixture       *f,
                     gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--ask", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };

  set_mode (f, "sigint");
  terminal_start (&t, args);
  expect (&t, "ready");
  type (&t, "\003");
  expect (&t, "caught ^C");
  type (&t, "more\n");
  expect (&t, "bye more");
  expect (&t, "Keep this run");
  type (&t, "y\n");
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_null (strstr (t.output->str, "Stopping the game"));
  g_assert_null (strstr (t.output->str, "(stopped)"));
  g_assert_cmpuint (count_checkpoints (f), ==, 1);
}

/* A game that does not handle ^C ends by it: that is the player's way to
 * quit a console game, not a failure; the run is offered as usual. */
static void
test_interrupt_ends_game (Fixture       *f,
                          gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--ask", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };

  set_mode (f, "lines");
  terminal_start (&t, args);
  expect (&t, "ready");
  type (&t, "\003");
  expect (&t, "Keep this run");
  type (&t, "y\n");
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_null (strstr (t.output->str, "The game failed"));
  g_assert_null (strstr (t.output->str, "(stopped)"));
  g_assert_cmpuint (count_checkpoints (f), ==, 1);
}

/* A second ^C soon after the first stops the session; the run is then
 * decided as usual (here discarded at the question). */
static void
test_interrupt_twice (Fixture       *f,
                      gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--ask", "--grace", "5", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };

  set_mode (f, "sigint");
  terminal_start (&t, args);
  expect (&t, "ready");
  type (&t, "\003");
  {
    /* The game's answer and the CLI's hint, in either order. */
    gsize from = t.seen, after_game;

    expect (&t, "caught ^C");
    after_game = t.seen;
    t.seen = from;
    expect (&t, "Ctrl+C again");
    t.seen = MAX (t.seen, after_game);
  }
  type (&t, "\003");
  expect (&t, "Stopping the game");
  expect (&t, "(stopped)");
  expect (&t, "Keep this run");
  type (&t, "n\n");
  expect (&t, "Discarded the run");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_null (strstr (t.output->str, "bye"));
  g_assert_cmpuint (count_checkpoints (f), ==, 0);
}

/* Every process of the job @pgrp (at least @min of them) is stopped. */
static gboolean
job_stopped (pid_t pgrp,
             guint min)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint stopped = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *end;
      char state;
      int ppid, group;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL) ||
          (end = strrchr (stat, ')')) == NULL ||
          sscanf (end + 1, " %c %d %d", &state, &ppid, &group) != 3 ||
          group != pgrp)
        continue;
      if (state != 'T')
        return FALSE;
      stopped++;
    }
  return stopped >= min;
}

/* ^Z suspends the whole job (savepoint-cli, savepoint-run, the game), "fg"
 * resumes it; the keep question works afterwards. */
static void
test_suspend (Fixture       *f,
              gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--ask", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };
  gint64 deadline;
  pid_t foreground;

  set_mode (f, "lines");
  terminal_start (&t, args);
  expect (&t, "ready");
  type (&t, "\032");
  g_assert_cmpint (terminal_pump (&t, TRUE), ==, 'S');

  /* The job is the CLI's process group: every process in it stops (not at
   * the same instant as the CLI). */
  deadline = g_get_monotonic_time () + HANG_GUARD_MS * 1000;
  {
    g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", t.shell, t.shell);
    g_autofree char *children = NULL;
    int job;

    /* The shell's only child is the job leader. */
    g_assert_true (g_file_get_contents (path, &children, NULL, NULL));
    job = atoi (children);
    g_assert_cmpint (job, >, 0);
    while (!job_stopped (job, 3))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (10 * 1000);
      }
    t.job = job;
  }

  /* fg: the shell gives the job the terminal back and continues it. */
  g_assert_cmpint (write (t.command, "F", 1), ==, 1);
  g_assert_cmpint (terminal_pump (&t, TRUE), ==, 'F');
  foreground = tcgetpgrp (t.master);
  g_assert_cmpint (foreground, ==, t.job);
  g_assert_cmpint (kill (-foreground, SIGCONT), ==, 0);

  type (&t, "after the pause\n");
  expect (&t, "got after the pause");
  expect (&t, "Keep this run");
  type (&t, "y\n");
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_cmpuint (count_checkpoints (f), ==, 1);
}

/* A game that made its own process group the terminal's foreground and
 * ended: the CLI takes the terminal back (else reading the answer would
 * stop it with SIGTTIN) and gives back the modes. */
static void
test_terminal_taken_back (Fixture       *f,
                          gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--ask", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };
  struct termios modes;

  set_mode (f, "own-group");
  terminal_start (&t, args);
  expect (&t, "own group");
  expect (&t, "Keep this run");
  type (&t, "y\n");
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_cmpint (tcgetattr (t.master, &modes), ==, 0);
  g_assert_true (modes.c_lflag & ECHO);
  g_assert_cmpuint (count_checkpoints (f), ==, 1);
}

/* --log-output: today's behaviour on a terminal, the game's output in the
 * log. */
static void
test_log_output (Fixture       *f,
                 gconstpointer  user_data)
{
  const char *args[] = { "play", "console-game", "--library", f->drive, "--keep", "", "--log-output", NULL };
  g_auto(Terminal) t = { -1, 0, 0, -1, -1, NULL, 0, -1 };
  g_autofree char *log = NULL;

  set_mode (f, "colours");
  terminal_start (&t, args);
  expect (&t, "Kept as checkpoint");
  g_assert_cmpint (terminal_finish (&t), ==, 0);
  g_assert_null (strstr (t.output->str, "RED"));

  log = latest_log (f);
  g_assert_nonnull (strstr (log, "console-game: terminal no"));
  g_assert_nonnull (strstr (log, "RED"));
  g_assert_null (strstr (log, "events only"));
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

  test_root = g_dir_make_tmp ("sp-test-console-XXXXXX", &error);
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

  ADD ("/console/echo", test_echo);
  ADD ("/console/colours", test_colours);
  ADD ("/console/interrupt-once", test_interrupt_once);
  ADD ("/console/interrupt-twice", test_interrupt_twice);
  ADD ("/console/interrupt-ends-game", test_interrupt_ends_game);
  ADD ("/console/suspend", test_suspend);
  ADD ("/console/terminal-taken-back", test_terminal_taken_back);
  ADD ("/console/log-output", test_log_output);
#undef ADD

  ret = g_test_run ();
  sp_remove_tree (test_root, NULL, NULL);
  g_free (test_root);
  return ret;
}
