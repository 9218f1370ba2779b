/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * savepoint-run: the process-tree supervisor of one play session.
 *
 *   savepoint-run [--grace SECONDS] [--log FILE] [--cwd DIR] [--status-fd FD]
 *                 -- PROGRAM [ARGS…]
 *
 * Becomes a child subreaper, starts PROGRAM (searched in PATH when it has no
 * slash) and waits until every descendant has exited — not just PROGRAM:
 * Wine's wineserver, and any child the game leaves behind, is reparented to
 * us and waited for. Exits with PROGRAM's exit status, or 128 + the signal
 * that killed it.
 *
 * On SIGTERM, SIGINT or SIGHUP (and when our parent dies: PR_SET_PDEATHSIG)
 * every descendant gets SIGTERM; whatever is still alive after the grace
 * period gets SIGKILL.
 *
 * When PROGRAM cannot be started (not found, not executable, bad working
 * directory) we print "savepoint-run: cannot start …: REASON" on stderr (the
 * log) and exit with 127, or 126 when the file exists but cannot be executed.
 *
 * With --status-fd FD, one line is written to FD once PROGRAM has been
 * exec'd ("started PID") or could not be ("error MESSAGE"), then FD is
 * closed: the app learns about a failed start without guessing from exit
 * codes. FD is not inherited by the game.
 *
 * Plain C and single-threaded on purpose: it must be small, and waitpid(-1)
 * here cannot steal a status from anyone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_CANNOT_START   127
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_USAGE          125

static pid_t self_pid;

static void
usage (void)
{
  fprintf (stderr,
           "Usage: savepoint-run [--grace SECONDS] [--log FILE] [--cwd DIR] [--status-fd FD] -- PROGRAM [ARGS…]\n");
  exit (EXIT_USAGE);
}

/* Parent pid of @pid from /proc/PID/stat, or -1. */
static pid_t
read_ppid (pid_t pid)
{
  char path[64];
  char buf[1024];
  ssize_t n;
  int fd;
  char *p;
  int ppid;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* The command name may hold spaces and parentheses: skip to the last ')'. */
  p = strrchr (buf, ')');
  if (p == NULL || sscanf (p + 1, " %*c %d", &ppid) != 1)
    return -1;
  return ppid;
}

/* Sends @sig to every descendant of ours. Returns how many were signalled. */
static int
signal_descendants (int sig)
{
  DIR *dir;
  struct dirent *de;
  int count = 0;

  dir = opendir ("/proc");
  if (dir == NULL)
    return 0;

  while ((de = readdir (dir)) != NULL)
    {
      pid_t pid;
      pid_t p;
      int depth;
      char *end;

      pid = (pid_t) strtol (de->d_name, &end, 10);
      if (*end != '\0' || pid <= 1 || pid == self_pid)
        continue;

      /* Walk the parent chain up to us (or init). */
      for (p = pid, depth = 0; p > 1 && depth < 4096; depth++)
        {
          p = read_ppid (p);
          if (p == self_pid)
            break;
        }
      if (p == self_pid)
        {
          if (kill (pid, sig) == 0)
            count++;
        }
    }

  closedir (dir);
  return count;
}

static void
write_all (int fd, const char *s)
{
  size_t len = strlen (s);

  while (len > 0)
    {
      ssize_t n = write (fd, s, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      s += n;
      len -= (size_t) n;
    }
}

/* In the child, after fork: set up and exec. Never returns. */
static void
run_child (char **argv,
           const char *cwd,
           const sigset_t *orig_mask,
           int exec_fd)
{
  char msg[4096];
  int saved;

  /* The game is not ours to keep alive: no parent-death signal for it, and
   * the default dispositions and mask. */
  signal (SIGPIPE, SIG_DFL);
  sigprocmask (SIG_SETMASK, orig_mask, NULL);

  if (cwd != NULL && chdir (cwd) != 0)
    {
      saved = errno;
      snprintf (msg, sizeof msg,
                "savepoint-run: cannot start “%s”: the working directory “%s” cannot be entered: %s\n",
                argv[0], cwd, strerror (saved));
      write_all (STDERR_FILENO, msg);
      write_all (exec_fd, msg);
      _exit (EXIT_CANNOT_START);
    }

  /* A path is run as is (no shell fallback for a bad binary); a bare name is
   * looked up in PATH. */
  if (strchr (argv[0], '/') != NULL)
    execv (argv[0], argv);
  else
    execvp (argv[0], argv);
  saved = errno;
  snprintf (msg, sizeof msg, "savepoint-run: cannot start “%s”: %s\n",
            argv[0], strerror (saved));
  write_all (STDERR_FILENO, msg);
  write_all (exec_fd, msg);
  _exit (saved == ENOENT || saved == ENOTDIR ? EXIT_CANNOT_START : EXIT_CANNOT_EXECUTE);
}

int
main (int argc,
      char **argv)
{
  const char *log_path = NULL;
  const char *cwd = NULL;
  long grace = 10;
  int status_fd = -1;
  int exec_pipe[2];
  sigset_t mask;
  sigset_t orig_mask;
  pid_t parent;
  pid_t game;
  int game_status = -1;
  int stopping = 0;
  int killed = 0;
  struct timespec deadline = { 0, 0 };
  int i;

  for (i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        {
          i++;
          break;
        }
      else if (strcmp (argv[i], "--grace") == 0 && i + 1 < argc)
        {
          char *end;
          grace = strtol (argv[++i], &end, 10);
          if (*end != '\0' || grace < 0)
            usage ();
        }
      else if (strcmp (argv[i], "--log") == 0 && i + 1 < argc)
        log_path = argv[++i];
      else if (strcmp (argv[i], "--cwd") == 0 && i + 1 < argc)
        cwd = argv[++i];
      else if (strcmp (argv[i], "--status-fd") == 0 && i + 1 < argc)
        {
          char *end;
          status_fd = (int) strtol (argv[++i], &end, 10);
          if (*end != '\0' || status_fd < 0 || fcntl (status_fd, F_SETFD, FD_CLOEXEC) != 0)
            usage ();
        }
      else
        usage ();
    }
  if (i >= argc)
    usage ();

  self_pid = getpid ();
  parent = getppid ();
  /* A status reader that went away must not kill us (the game is reset to
   * the default in run_child()). */
  signal (SIGPIPE, SIG_IGN);

  if (log_path != NULL)
    {
      int fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0)
        {
          fprintf (stderr, "savepoint-run: cannot open the log “%s”: %s\n",
                   log_path, strerror (errno));
          return EXIT_CANNOT_START;
        }
      dup2 (fd, STDOUT_FILENO);
      dup2 (fd, STDERR_FILENO);
      close (fd);
    }

  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    {
      fprintf (stderr, "savepoint-run: cannot become a child subreaper: %s\n", strerror (errno));
      return EXIT_CANNOT_START;
    }

  /* Block the signals we handle synchronously with sigtimedwait(). */
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  sigprocmask (SIG_BLOCK, &mask, &orig_mask);

  /* If the app dies (even kill -9), stop the game: its file system is gone. */
  prctl (PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
  if (getppid () != parent)
    raise (SIGTERM);   /* blocked: handled below as a stop request */

  if (pipe2 (exec_pipe, O_CLOEXEC) != 0)
    {
      fprintf (stderr, "savepoint-run: cannot create a pipe: %s\n", strerror (errno));
      return EXIT_CANNOT_START;
    }

  game = fork ();
  if (game < 0)
    {
      fprintf (stderr, "savepoint-run: cannot start “%s”: fork failed: %s\n",
               argv[i], strerror (errno));
      return EXIT_CANNOT_START;
    }
  if (game == 0)
    {
      close (exec_pipe[0]);
      run_child (argv + i, cwd, &orig_mask, exec_pipe[1]);
    }

  /* The exec pipe closes without data when exec succeeded. */
  close (exec_pipe[1]);
  {
    char msg[4096];
    size_t len = 0;
    ssize_t n;

    while (len < sizeof msg - 1 &&
           ((n = read (exec_pipe[0], msg + len, sizeof msg - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
      if (n > 0)
        len += (size_t) n;
    msg[len] = '\0';
    close (exec_pipe[0]);

    if (status_fd >= 0)
      {
        char line[4200];

        if (len > 0)
          {
            char *nl = strchr (msg, '\n');
            if (nl)
              *nl = '\0';
            snprintf (line, sizeof line, "error %s\n", msg + strlen ("savepoint-run: "));
          }
        else
          snprintf (line, sizeof line, "started %d\n", (int) game);
        write_all (status_fd, line);
        close (status_fd);
      }
  }

  for (;;)
    {
      siginfo_t info;
      int sig;
      int status;
      pid_t pid;

      /* Reap everything that has exited. */
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        {
          if (pid == game)
            game_status = status;
        }
      if (pid < 0 && errno == ECHILD)
        break;   /* every descendant is gone */

      if (stopping && !killed)
        {
          struct timespec now;
          struct timespec left;

          clock_gettime (CLOCK_MONOTONIC, &now);
          left.tv_sec = deadline.tv_sec - now.tv_sec;
          left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
          if (left.tv_nsec < 0)
            {
              left.tv_sec--;
              left.tv_nsec += 1000000000L;
            }
          if (left.tv_sec < 0)
            {
              fprintf (stderr, "savepoint-run: the game did not stop within %ld s; killing it\n", grace);
              signal_descendants (SIGKILL);
              killed = 1;
              continue;
            }
          sig = sigtimedwait (&mask, &info, &left);
        }
      else
        {
          /* A periodic wake-up guards against a lost SIGCHLD. */
          struct timespec tick = { 5, 0 };
          sig = sigtimedwait (&mask, &info, &tick);
        }

      if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
        {
          if (!stopping)
            {
              fprintf (stderr, "savepoint-run: stopping the game (signal %d)\n", sig);
              stopping = 1;
              clock_gettime (CLOCK_MONOTONIC, &deadline);
              deadline.tv_sec += grace;
              signal_descendants (SIGTERM);
            }
          else if (!killed)
            {
              /* A second request: do not wait any longer. */
              signal_descendants (SIGKILL);
              killed = 1;
            }
        }
    }

  if (game_status < 0)
    return EXIT_CANNOT_START;
  if (WIFEXITED (game_status))
    return WEXITSTATUS (game_status);
  if (WIFSIGNALED (game_status))
    return 128 + WTERMSIG (game_status);
  return EXIT_CANNOT_START;
}
