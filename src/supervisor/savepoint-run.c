/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * savepoint-run: the process-tree supervisor of one play session.
 *
 *   savepoint-run [--grace SECONDS] [--background-grace SECONDS]
 *                 [--wait-for-background] [--run-dir DIR] [--console]
 *                 [--log FILE] [--cwd DIR] [--status-fd FD]
 *                 [--root MOUNT [--exec-beneath REL | --check-beneath REL]
 *                  [--cwd-beneath REL] [--home-beneath REL]]
 *                 -- PROGRAM [ARGS…]
 *
 * Becomes a child subreaper, starts PROGRAM (searched in PATH when it has no
 * slash) and waits for the game: PROGRAM and every descendant that belongs
 * to the game (everything that is left behind is reparented to us). Exits
 * with PROGRAM's exit status, or 128 + the signal that killed it.
 *
 * When the session ends (README, "When does a session end?"). A descendant
 * belongs to the game when
 *   1. it is in the game's session (getsid(): it did not detach with
 *      setsid(); PROGRAM starts in our session), or in a session PROGRAM
 *      made, and has not detached the way daemon(3) leaves a process
 *      (working directory "/", standard input, output and error /dev/null
 *      or closed: dbus-launch's watcher); or
 *   2. it runs a program under the game's mount (MOUNT; /proc/PID/exe) or
 *      maps a file of it (by device number in /proc/PID/maps, so only when
 *      MOUNT is a mount point); or
 *   3. it is a Wine program (its executable's name starts with "wine":
 *      wineserver, the Wine loader) whose environment (/proc/PID/environ,
 *      as it started) has WINEPREFIX=MOUNT; or
 *   4. it started less than a second ago: it may be between fork(),
 *      setsid() and exec() (a launcher's `setsid game &`), so it is
 *      examined again once it is older.
 * Everything else is a background process (a detached daemon: dbus-daemon,
 * an updater, a crash handler). A process we cannot examine (gone, or
 * undumpable) counts by rules 1 and 4 only. Once PROGRAM has exited and nothing of
 * the game's is left, the game has ended; background processes then get the
 * background grace period (default 10 s, $SAVEPOINT_BACKGROUND_GRACE) to exit
 * by themselves. Those still running after it are reported and get SIGTERM,
 * then SIGKILL after the --grace period; with --wait-for-background they are
 * reported and waited for. We exit when every descendant has exited.
 *
 * On SIGTERM, SIGINT or SIGHUP (and when our parent dies: PR_SET_PDEATHSIG,
 * with SIGUSR1) every descendant gets SIGTERM; whatever is still alive after
 * the grace period gets SIGKILL. A second SIGTERM, SIGINT or SIGHUP kills at
 * once; the parent-death signal never does (it comes once per thread of a
 * dying parent).
 *
 * With --console (a console game, README "Console games") the game keeps
 * our standard input, output and error (the terminal) while our own
 * messages still go to the --log FILE, which then records the session's
 * events only. The game stays in our session and process group: the
 * terminal's foreground job, with the caller (savepoint-cli), so ^Z and
 * "fg" stop and continue all of us, and rule 1 below still finds its
 * processes by session. SIGINT and SIGQUIT then come from the terminal's
 * ^C and ^\ to the whole job: they are the game's, not stop requests (the
 * caller stops the session with SIGTERM).
 *
 * When PROGRAM cannot be started (not found, not executable, bad working
 * directory) we print "savepoint-run: cannot start …: REASON" on stderr (the
 * log) and exit with 127, or 126 when the file exists but cannot be executed.
 *
 * With --status-fd FD, one line is written to FD once PROGRAM has been
 * exec'd ("started PID") or could not be ("error MESSAGE", then FD is
 * closed). After a start FD stays open until we exit, for these lines:
 *   alive                      every minute while the game runs
 *   game-ended USEC SECONDS    the game has ended (CLOCK_MONOTONIC in µs,
 *                              and the wall clock in s since the epoch)
 *   stopped N\tNAME\t…         N background processes were left after the
 *   background N\tNAME\t…      grace period: stopped, or (with
 *                              --wait-for-background) waited for; NAME is a
 *                              process name (comm, control characters
 *                              replaced by "?"), each once, at most 32
 * "game-ended" may come again if a background process starts something of
 * the game's. FD is not inherited by the game. When FD has no reader any
 * more (the app died), the heartbeat and the game's end are written into
 * DIR/run.ini instead (--run-dir: LastAlive=, GameEnded=, ISO 8601 UTC), so
 * a recovered run knows how long the game ran.
 *
 * Paths from a drive (design.md, "Trust") are resolved here, on the host,
 * where the game's mount is visible (a Flatpak'ed app cannot see it). Each
 * REL must be relative without a ".." component, and is opened beneath
 * MOUNT with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): a symbolic
 * link that leads out of MOUNT (absolute, or up through "..") is refused.
 * Not RESOLVE_IN_ROOT: that would re-root a Wine prefix's absolute links
 * (dosdevices/z: → /) and check another file than the one used.
 *   --exec-beneath REL   the native game: REL is opened once and started
 *                        from that descriptor with execveat(AT_EMPTY_PATH);
 *                        PROGRAM is only its argv[0]. A "#!" script cannot
 *                        start from a close-on-exec descriptor (ENOENT):
 *                        it is started by its path MOUNT/REL once that path
 *                        is seen to name the very file opened beneath MOUNT
 *                        (same device and inode), so that its $0 is a real
 *                        path (launch scripts do cd "$(dirname "$0")");
 *                        otherwise from the descriptor kept open across exec
 *                        ($0 is then /dev/fd/N).
 *   --check-beneath REL  the Wine game: REL must be a regular file beneath
 *                        MOUNT; PROGRAM (the runner) is then run as usual
 *                        with MOUNT/REL among its arguments.
 *   --cwd-beneath REL    the working directory, entered with fchdir().
 *   --home-beneath REL   created beneath MOUNT one folder at a time
 *                        (mkdirat on descriptors opened beneath MOUNT),
 *                        then HOME and XDG_{DATA,CONFIG,CACHE,STATE}_HOME
 *                        point into it.
 * A refused path is reported like any other failed start ("error …" on the
 * status fd, exit 127).
 *
 * Plain C and single-threaded on purpose: it must be small, and waitpid(-1)
 * here cannot steal a status from anyone. /proc is read in
 * savepoint-run-procs.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "savepoint-run-procs.h"

#define EXIT_CANNOT_START   127
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_USAGE          125

/* Sent to us when our parent dies (PR_SET_PDEATHSIG): a stop request that
 * may come several times. */
#define SIGNAL_PARENT_DIED  SIGUSR1

/* Where the child writes why it could not start: stderr (the log), or in
 * console mode a copy of the log's descriptor (stderr is the terminal). */
static int child_msg_fd = STDERR_FILENO;
/* Console mode: the terminal's stdout and stderr, given back to the game. */
static int console_out = -1;
static int console_err = -1;

static void
usage (void)
{
  fprintf (stderr,
           "Usage: savepoint-run [--grace SECONDS] [--background-grace SECONDS] [--wait-for-background]\n"
           "                     [--run-dir DIR] [--console] [--log FILE] [--cwd DIR] [--status-fd FD]\n"
           "                     [--root MOUNT [--exec-beneath REL | --check-beneath REL]\n"
           "                      [--cwd-beneath REL] [--home-beneath REL]] -- PROGRAM [ARGS…]\n");
  exit (EXIT_USAGE);
}

/* Reports that the game cannot start: on stderr (the log) and as
 * "error MESSAGE" on the status fd, then exits. Before fork only. */
static void fail_start (int status_fd, const char *format, ...) __attribute__ ((format (printf, 2, 3), noreturn));

static void
fail_start (int         status_fd,
            const char *format,
            ...)
{
  char msg[4096];
  char line[4200];
  va_list args;

  va_start (args, format);
  vsnprintf (msg, sizeof msg, format, args);
  va_end (args);

  fprintf (stderr, "savepoint-run: %s\n", msg);
  fflush (stderr);
  if (status_fd >= 0)
    {
      snprintf (line, sizeof line, "error %s\n", msg);
      sp_run_write_all (status_fd, line, strlen (line));
      close (status_fd);
    }
  exit (EXIT_CANNOT_START);
}

/* The lexical rule for a path from a drive (the same as core's
 * sp_game_path_is_valid()): relative, no ".." component (split at "/" and,
 * for Wine, "\"). Returns NULL when fine, else why not. */
static const char *
relative_path_problem (const char *rel)
{
  const char *component = rel;
  const char *p;

  if (rel[0] == '\0')
    return "it is empty";
  if (rel[0] == '/' || rel[0] == '\\')
    return "it is an absolute path; it must be relative to the game's folder";
  for (p = rel;; p++)
    {
      if (*p == '/' || *p == '\\' || *p == '\0')
        {
          if (p - component == 2 && component[0] == '.' && component[1] == '.')
            return "it goes up with \"..\"; it must stay inside the game's folder";
          if (*p == '\0')
            break;
          component = p + 1;
        }
      else if ((unsigned char) *p < 0x20 || *p == 0x7f)
        return "it holds a control character";
    }
  return NULL;
}

/* openat2(@dirfd, @rel, @flags | O_CLOEXEC) without leaving @dirfd: no "..",
 * absolute or magic link may lead out. */
static int
open_beneath (int         dirfd,
              const char *rel,
              int         flags)
{
  struct open_how how;
  int fd;
  int tries = 0;

  memset (&how, 0, sizeof how);
  how.flags = (unsigned long long) (flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  do
    fd = (int) syscall (SYS_openat2, dirfd, rel, &how, sizeof how);
  /* EAGAIN: a concurrent rename somewhere; the kernel asks us to retry. */
  while (fd < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < 100);
  return fd;
}

/* Why open_beneath() failed, for a person. */
static const char *
beneath_error (int err)
{
  switch (err)
    {
    case EXDEV:
      return "it leads outside the game's folder (through a symbolic link or \"..\")";
    case ELOOP:
      return "it goes through a symbolic link that leads outside the game's folder, or too many links";
    case ENOENT:
      return "it does not exist in the game's folder";
    case ENOTDIR:
      return "a part of it is not a folder";
    case ENOSYS:
      return "this system's kernel cannot check paths safely (openat2 needs Linux 5.6 or later)";
    default:
      return strerror (err);
    }
}

/* Opens @rel beneath @root_fd as a regular file (O_PATH: no read
 * permission needed), or fails the start naming @what. */
static int
open_file_beneath (int         status_fd,
                   int         root_fd,
                   const char *root,
                   const char *rel,
                   const char *what)
{
  const char *problem = relative_path_problem (rel);
  struct stat st;
  int fd;

  if (problem != NULL)
    fail_start (status_fd, "the %s “%s” is not allowed: %s",
                what, rel, problem);
  fd = open_beneath (root_fd, rel, O_PATH);
  if (fd < 0)
    fail_start (status_fd, "the %s “%s” cannot be used in “%s”: %s",
                what, rel, root, beneath_error (errno));
  if (fstat (fd, &st) != 0)
    fail_start (status_fd, "the %s “%s” cannot be examined: %s",
                what, rel, strerror (errno));
  if (!S_ISREG (st.st_mode))
    fail_start (status_fd, "the %s “%s” is not a regular file",
                what, rel);
  return fd;
}

/* Creates the folder @rel beneath @root_fd one component at a time, each
 * parent opened beneath the root with openat2, so neither ".." nor a
 * symbolic link can make us create anything outside. */
static void
make_home_beneath (int         status_fd,
                   int         root_fd,
                   const char *root,
                   const char *rel)
{
  const char *problem = relative_path_problem (rel);
  char prefix[4096];
  size_t len = 0;
  const char *p = rel;
  int parent_fd;

  if (problem != NULL)
    fail_start (status_fd, "the home folder “%s” is not allowed: %s",
                rel, problem);
  if (strlen (rel) >= sizeof prefix)
    fail_start (status_fd, "the home folder “%s” is too long", rel);

  parent_fd = dup (root_fd);
  while (*p)
    {
      const char *end = strchr (p, '/');
      size_t clen = end ? (size_t) (end - p) : strlen (p);
      char name[4096];
      int fd;

      if (clen == 0 || (clen == 1 && p[0] == '.'))
        {
          p += clen + (end ? 1 : 0);
          continue;
        }
      memcpy (name, p, clen);
      name[clen] = '\0';
      if (len > 0)
        prefix[len++] = '/';
      memcpy (prefix + len, p, clen);
      len += clen;
      prefix[len] = '\0';

      fd = open_beneath (root_fd, prefix, O_PATH | O_DIRECTORY);
      if (fd < 0 && errno == ENOENT)
        {
          if (mkdirat (parent_fd, name, 0755) != 0 && errno != EEXIST)
            fail_start (status_fd, "the home folder “%s” cannot be created in “%s”: %s",
                        rel, root, strerror (errno));
          fd = open_beneath (root_fd, prefix, O_PATH | O_DIRECTORY);
        }
      if (fd < 0)
        fail_start (status_fd, "the home folder “%s” cannot be used: %s",
                    rel, beneath_error (errno));
      close (parent_fd);
      parent_fd = fd;
      p += clen + (end ? 1 : 0);
    }
  close (parent_fd);
}

/* Sets HOME and the XDG base folders to @root/@rel (after make_home_beneath()). */
static void
set_home_env (const char *root,
              const char *rel)
{
  char home[8192];
  char path[8300];
  size_t n;

  snprintf (home, sizeof home, "%s/%s", root, rel);
  n = strlen (home);
  while (n > 1 && home[n - 1] == '/')
    home[--n] = '\0';
  setenv ("HOME", home, 1);
  snprintf (path, sizeof path, "%s/.local/share", home);
  setenv ("XDG_DATA_HOME", path, 1);
  snprintf (path, sizeof path, "%s/.config", home);
  setenv ("XDG_CONFIG_HOME", path, 1);
  snprintf (path, sizeof path, "%s/.cache", home);
  setenv ("XDG_CACHE_HOME", path, 1);
  snprintf (path, sizeof path, "%s/.local/state", home);
  setenv ("XDG_STATE_HOME", path, 1);
}

/* In the child: says why the game cannot start, in the log and on
 * @exec_fd (read by the parent), and exits with @code. */
static void child_fail (int exec_fd, int code, const char *format, ...) __attribute__ ((format (printf, 3, 4), noreturn));

static void
child_fail (int         exec_fd,
            int         code,
            const char *format,
            ...)
{
  char msg[4096];
  va_list args;

  va_start (args, format);
  vsnprintf (msg, sizeof msg, format, args);
  va_end (args);
  sp_run_write_all (child_msg_fd, msg, strlen (msg));
  sp_run_write_all (exec_fd, msg, strlen (msg));
  _exit (code);
}

/* In the child, after fork: set up and exec. Never returns. */
static void
run_child (char **argv,
           const char *cwd,
           int cwd_fd,
           int program_fd,
           const char *program_path,
           const sigset_t *orig_mask,
           int exec_fd)
{
  extern char **environ;
  int saved;

  /* The game is not ours to keep alive: no parent-death signal for it, and
   * the default dispositions and mask. */
  signal (SIGPIPE, SIG_DFL);
  sigprocmask (SIG_SETMASK, orig_mask, NULL);

  /* A console game writes to the terminal, not to the log. */
  if (console_out >= 0 && dup2 (console_out, STDOUT_FILENO) < 0)
    _exit (EXIT_CANNOT_START);
  if (console_err >= 0 && dup2 (console_err, STDERR_FILENO) < 0)
    _exit (EXIT_CANNOT_START);

  if (cwd != NULL && chdir (cwd) != 0)
    child_fail (exec_fd, EXIT_CANNOT_START,
                "savepoint-run: cannot start “%s”: the working directory “%s” cannot be entered: %s\n",
                argv[0], cwd, strerror (errno));
  if (cwd_fd >= 0 && fchdir (cwd_fd) != 0)
    child_fail (exec_fd, EXIT_CANNOT_START,
                "savepoint-run: cannot start “%s”: the working directory cannot be entered: %s\n",
                argv[0], strerror (errno));

  if (program_fd >= 0)
    {
      struct stat opened, named;

      /* The file checked beneath the root, not whatever the path names now.
       * A "#!" script fails with ENOENT while the descriptor is
       * close-on-exec (the interpreter could not open /dev/fd/N): it is
       * then run by its path if that is still the same file, else from the
       * descriptor left open for the interpreter. */
      syscall (SYS_execveat, program_fd, "", argv, environ, AT_EMPTY_PATH);
      if (errno == ENOENT && program_path != NULL &&
          fstat (program_fd, &opened) == 0 && stat (program_path, &named) == 0 &&
          opened.st_dev == named.st_dev && opened.st_ino == named.st_ino)
        execve (program_path, argv, environ);
      if (errno == ENOENT && fcntl (program_fd, F_SETFD, 0) == 0)
        syscall (SYS_execveat, program_fd, "", argv, environ, AT_EMPTY_PATH);
      saved = errno;
      child_fail (exec_fd, saved == ENOENT || saved == ENOTDIR ? EXIT_CANNOT_START : EXIT_CANNOT_EXECUTE,
                  "savepoint-run: cannot start “%s”: %s\n", argv[0], strerror (saved));
    }

  /* A path is run as is (no shell fallback for a bad binary); a bare name is
   * looked up in PATH. */
  if (strchr (argv[0], '/') != NULL)
    execv (argv[0], argv);
  else
    execvp (argv[0], argv);
  saved = errno;
  child_fail (exec_fd, saved == ENOENT || saved == ENOTDIR ? EXIT_CANNOT_START : EXIT_CANNOT_EXECUTE,
              "savepoint-run: cannot start “%s”: %s\n", argv[0], strerror (saved));
}

/* ------------------------------------------------------------------------ */
/* Waiting for the game                                                     */

#define HEARTBEAT_SECONDS   60     /* "alive" while the game's processes run */
#define POLL_MS             1000   /* re-examine the descendants once the game's process is gone */
#define POLL_SOON_MS        200    /* … in the first seconds after that (a child between fork and setsid) */
#define SOON_MS             2000
#define MAX_LISTED          256    /* descendants listed (for their names) in one scan */
#define MAX_NAMES           32     /* names in one status line */

typedef enum
{
  BACKGROUND_NONE,       /* the game runs, or nothing is left */
  BACKGROUND_GRACE,      /* the game ended; background processes get the grace period */
  BACKGROUND_WAITING,    /* reported; waited for (--wait-for-background) */
  BACKGROUND_STOPPING,   /* reported and sent SIGTERM; SIGKILL at the deadline */
  BACKGROUND_KILLED,
} BackgroundPhase;

typedef struct
{
  SpGameRule       rule;
  pid_t            game;
  int              status_fd;
  int              run_dir_fd;
  long             grace;
  long             background_grace;
  int              wait_for_background;
  int              console;          /* --console: SIGINT is the game's */

  int              game_status;
  int              game_reaped;
  char             game_ended_iso[64];   /* when game_ended() last ran (UTC) */
  long long        reaped_at;
  int              game_ended;
  BackgroundPhase  phase;
  long long        phase_deadline;
  int              stopping;
  int              killed;
  long long        stop_deadline;
  long long        next_heartbeat;
} Supervisor;

static long long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes a line to the session; 0 when it was written. A reader that is
 * gone (EPIPE: the app died) closes the fd for good. */
static int
report (Supervisor *sv,
        const char *line)
{
  if (sv->status_fd < 0)
    return -1;
  if (sp_run_write_all (sv->status_fd, line, strlen (line)) == 0)
    return 0;
  close (sv->status_fd);
  sv->status_fd = -1;
  return -1;
}

static void
iso8601_now (char  *buf,
             size_t size)
{
  struct timespec ts;
  struct tm tm;
  size_t len;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  len = strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + len, size - len, ".%06ldZ", ts.tv_nsec / 1000);
}

/* Nobody reads the status fd any more: the keys go into run.ini directly
 * (its writer, the session, is gone). */
static void
record_in_run_info (Supervisor *sv,
                    int         ended)
{
  char now[64];
  const char *keys[] = { "LastAlive", ended ? "GameEnded" : NULL, NULL };
  const char *values[] = { now, sv->game_ended_iso, NULL };

  if (sv->run_dir_fd < 0)
    return;
  iso8601_now (now, sizeof now);
  if (sp_run_info_set (sv->run_dir_fd, keys, values) != 0)
    fprintf (stderr, "savepoint-run: cannot record the game's end in run.ini: %s\n", strerror (errno));
}

static void
heartbeat (Supervisor *sv)
{
  if (report (sv, "alive\n") != 0)
    record_in_run_info (sv, 0);
}

static void
game_ended (Supervisor *sv)
{
  struct timespec mono;
  char line[128];

  clock_gettime (CLOCK_MONOTONIC, &mono);
  sv->game_ended = 1;
  iso8601_now (sv->game_ended_iso, sizeof sv->game_ended_iso);
  snprintf (line, sizeof line, "game-ended %lld %lld\n",
            (long long) mono.tv_sec * 1000000 + mono.tv_nsec / 1000, (long long) time (NULL));
  if (report (sv, line) != 0)
    record_in_run_info (sv, 1);
}

/* "WHAT N\tNAME\tNAME…": how many background processes, and their names
 * (each once). */
static void
report_background (Supervisor         *sv,
                   const char         *what,
                   const SpDescendant *list,
                   int                 n)
{
  char line[MAX_NAMES * 34 + 64];
  size_t len;
  int names = 0;

  len = (size_t) snprintf (line, sizeof line, "%s %d", what, n);
  for (int i = 0; i < n && i < MAX_LISTED && names < MAX_NAMES; i++)
    {
      int seen = 0;

      for (int j = 0; j < i && !seen; j++)
        seen = strcmp (list[j].comm, list[i].comm) == 0;
      if (seen)
        continue;
      len += (size_t) snprintf (line + len, sizeof line - len, "\t%s", list[i].comm);
      names++;
    }
  snprintf (line + len, sizeof line - len, "\n");
  /* The log says it too, with ", " between the names. */
  {
    char names_text[sizeof line];
    const char *tab = strchr (line, '\t');
    size_t k = 0;

    for (const char *c = tab ? tab + 1 : ""; *c && *c != '\n' && k + 3 < sizeof names_text; c++)
      {
        if (*c == '\t')
          {
            names_text[k++] = ',';
            names_text[k++] = ' ';
          }
        else
          names_text[k++] = *c;
      }
    names_text[k] = '\0';
    fprintf (stderr, "savepoint-run: the game has ended; %d background process(es) still running "
             "after %ld s: %s (%s)\n", n, sv->background_grace, names_text,
             sv->wait_for_background ? "waiting for them" : "stopping them");
  }
  report (sv, line);
}

static void
request_stop (Supervisor *sv,
              int         sig)
{
  if (!sv->stopping)
    {
      fprintf (stderr, "savepoint-run: stopping the game (signal %d)\n", sig);
      sv->stopping = 1;
      sv->stop_deadline = now_ms () + sv->grace * 1000;
      sp_signal_descendants (&sv->rule, SIGTERM, 0);
    }
  else if (!sv->killed && sig != SIGNAL_PARENT_DIED)
    {
      /* A second request: do not wait any longer. (Not for our parent's
       * death: PR_SET_PDEATHSIG fires again as we are passed from one of
       * its dying threads to the next, and getppid() cannot tell, since
       * it names the dying process until its last thread is gone.) */
      sp_signal_descendants (&sv->rule, SIGKILL, 0);
      sv->killed = 1;
    }
}

/* Looks at who is left once the game's own process is gone, and moves
 * through the background phases. */
static void
examine (Supervisor *sv)
{
  static SpDescendant list[MAX_LISTED];
  long long now = now_ms ();
  int any_game = 1;
  int n = 0;

  if (sv->game_reaped)
    {
      int n_game;

      n = sp_scan_descendants (&sv->rule, list, MAX_LISTED, &n_game);
      any_game = n < 0 || n_game > 0;   /* /proc unreadable: cannot tell, keep waiting */
    }

  if (!any_game && !sv->game_ended)
    {
      game_ended (sv);
      if (!sv->stopping && sv->phase == BACKGROUND_NONE)
        {
          sv->phase = BACKGROUND_GRACE;
          sv->phase_deadline = now + sv->background_grace * 1000;
        }
    }
  else if (any_game && sv->game_ended)
    {
      /* Something of the game's came back (a background process started
       * it again): the game runs. */
      sv->game_ended = 0;
      if (sv->phase == BACKGROUND_GRACE)
        sv->phase = BACKGROUND_NONE;
      sv->next_heartbeat = now + HEARTBEAT_SECONDS * 1000;
    }

  if (sv->phase == BACKGROUND_GRACE && now >= sv->phase_deadline && n > 0 && !any_game)
    {
      if (sv->wait_for_background)
        {
          report_background (sv, "background", list, n);
          sv->phase = BACKGROUND_WAITING;
        }
      else
        {
          report_background (sv, "stopped", list, n);
          sp_signal_descendants (&sv->rule, SIGTERM, 1);
          sv->phase = BACKGROUND_STOPPING;
          sv->phase_deadline = now + sv->grace * 1000;
        }
    }
  else if (sv->phase == BACKGROUND_STOPPING && now >= sv->phase_deadline)
    {
      fprintf (stderr, "savepoint-run: background processes did not stop within %ld s; killing them\n",
               sv->grace);
      sp_signal_descendants (&sv->rule, SIGKILL, 1);
      sv->phase = BACKGROUND_KILLED;
    }

  if (sv->stopping && !sv->killed && now >= sv->stop_deadline)
    {
      fprintf (stderr, "savepoint-run: the game did not stop within %ld s; killing it\n", sv->grace);
      sp_signal_descendants (&sv->rule, SIGKILL, 0);
      sv->killed = 1;
    }
}

/* How long to sleep: until the next deadline, at most a few seconds (a
 * guard against a lost SIGCHLD), a second while descendants are watched
 * without the game's process (less in the first seconds: the game's end is
 * known to within that). */
static long long
next_wait_ms (const Supervisor *sv)
{
  long long now = now_ms ();
  long long wait = !sv->game_reaped ? 5000 : now - sv->reaped_at < SOON_MS ? POLL_SOON_MS : POLL_MS;

  if (!sv->game_ended && sv->next_heartbeat - now < wait)
    wait = sv->next_heartbeat - now;
  if ((sv->phase == BACKGROUND_GRACE || sv->phase == BACKGROUND_STOPPING) &&
      sv->phase_deadline - now < wait)
    wait = sv->phase_deadline - now;
  if (sv->stopping && !sv->killed && sv->stop_deadline - now < wait)
    wait = sv->stop_deadline - now;
  return wait < 0 ? 0 : wait;
}

static int
supervise (Supervisor     *sv,
           const sigset_t *mask)
{
  sv->game_status = -1;
  sv->next_heartbeat = now_ms () + HEARTBEAT_SECONDS * 1000;

  for (;;)
    {
      siginfo_t info;
      struct timespec timeout;
      long long wait;
      int status;
      int sig;
      pid_t pid;

      /* Reap everything that has exited. */
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        if (pid == sv->game)
          {
            sv->game_status = status;
            sv->game_reaped = 1;
            sv->reaped_at = now_ms ();
          }
      if (pid < 0 && errno == ECHILD)
        break;   /* every descendant is gone */

      examine (sv);

      wait = next_wait_ms (sv);
      timeout.tv_sec = wait / 1000;
      timeout.tv_nsec = (wait % 1000) * 1000000;
      sig = sigtimedwait (mask, &info, &timeout);

      /* In console mode ^C is the game's (see the top of this file). */
      if (sig == SIGTERM || sig == SIGHUP || sig == SIGNAL_PARENT_DIED || (sig == SIGINT && !sv->console))
        request_stop (sv, sig);
      if (!sv->game_ended && now_ms () >= sv->next_heartbeat)
        {
          heartbeat (sv);
          sv->next_heartbeat += HEARTBEAT_SECONDS * 1000;
        }
    }

  if (!sv->game_ended)
    game_ended (sv);
  /* The game's end, final now (an end seen while the game ran on could be
   * undone), goes into run.ini too, whether or not the status line was
   * written: a session that is being killed can still hold the status fd
   * open while its threads die, so a written line proves nothing. A live
   * session saves run.ini after we exit, with the same keys. */
  record_in_run_info (sv, 1);
  if (sv->status_fd >= 0)
    close (sv->status_fd);

  if (sv->game_status < 0)
    return EXIT_CANNOT_START;
  if (WIFEXITED (sv->game_status))
    return WEXITSTATUS (sv->game_status);
  if (WIFSIGNALED (sv->game_status))
    return 128 + WTERMSIG (sv->game_status);
  return EXIT_CANNOT_START;
}

int
main (int argc,
      char **argv)
{
  const char *log_path = NULL;
  const char *cwd = NULL;
  const char *root = NULL;
  const char *exec_beneath = NULL;
  const char *check_beneath = NULL;
  const char *cwd_beneath = NULL;
  const char *home_beneath = NULL;
  int root_fd = -1;
  int cwd_fd = -1;
  int program_fd = -1;
  char *program_path = NULL;
  long grace = 10;
  long background_grace = 10;
  int wait_for_background = 0;
  int console = 0;
  const char *run_dir = NULL;
  int run_dir_fd = -1;
  int status_fd = -1;
  int exec_pipe[2];
  sigset_t mask;
  sigset_t orig_mask;
  pid_t parent;
  pid_t game;
  const char *env_grace = getenv ("SAVEPOINT_BACKGROUND_GRACE");
  int i;

  if (env_grace != NULL && env_grace[0] != '\0')
    {
      char *end;
      long value = strtol (env_grace, &end, 10);

      if (*end == '\0' && value >= 0 && value <= 24 * 3600)
        background_grace = value;
    }

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
      else if (strcmp (argv[i], "--background-grace") == 0 && i + 1 < argc)
        {
          char *end;
          background_grace = strtol (argv[++i], &end, 10);
          if (*end != '\0' || background_grace < 0 || background_grace > 24 * 3600)
            usage ();
        }
      else if (strcmp (argv[i], "--wait-for-background") == 0)
        wait_for_background = 1;
      else if (strcmp (argv[i], "--console") == 0)
        console = 1;
      else if (strcmp (argv[i], "--run-dir") == 0 && i + 1 < argc)
        run_dir = argv[++i];
      else if (strcmp (argv[i], "--log") == 0 && i + 1 < argc)
        log_path = argv[++i];
      else if (strcmp (argv[i], "--cwd") == 0 && i + 1 < argc)
        cwd = argv[++i];
      else if (strcmp (argv[i], "--root") == 0 && i + 1 < argc)
        root = argv[++i];
      else if (strcmp (argv[i], "--exec-beneath") == 0 && i + 1 < argc)
        exec_beneath = argv[++i];
      else if (strcmp (argv[i], "--check-beneath") == 0 && i + 1 < argc)
        check_beneath = argv[++i];
      else if (strcmp (argv[i], "--cwd-beneath") == 0 && i + 1 < argc)
        cwd_beneath = argv[++i];
      else if (strcmp (argv[i], "--home-beneath") == 0 && i + 1 < argc)
        home_beneath = argv[++i];
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
  if ((exec_beneath || check_beneath || cwd_beneath || home_beneath) && root == NULL)
    usage ();
  if ((exec_beneath && check_beneath) || (cwd && cwd_beneath))
    usage ();

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
      if (console)
        {
          /* Kept for the game; the log gets our messages only. */
          console_out = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
          console_err = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
          child_msg_fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
          if (console_out < 0 || console_err < 0 || child_msg_fd < 0)
            {
              fprintf (stderr, "savepoint-run: cannot keep the terminal for the game: %s\n",
                       strerror (errno));
              return EXIT_CANNOT_START;
            }
        }
      dup2 (fd, STDOUT_FILENO);
      dup2 (fd, STDERR_FILENO);
      close (fd);
      if (console)
        {
          fprintf (stderr, "savepoint-run: a console game: its input and output are the terminal's; "
                   "this log records the session's events only\n");
          fflush (stderr);
        }
    }

  /* The run folder, held by descriptor: if it is removed (kept or
   * discarded) and made again for another run, we never write there. */
  if (run_dir != NULL)
    {
      run_dir_fd = open (run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (run_dir_fd < 0)
        fprintf (stderr, "savepoint-run: cannot open the run folder “%s”: %s\n",
                 run_dir, strerror (errno));
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
  sigaddset (&mask, SIGNAL_PARENT_DIED);
  if (console)
    sigaddset (&mask, SIGQUIT);   /* ^\ is the game's, as ^C is */
  sigprocmask (SIG_BLOCK, &mask, &orig_mask);

  /* If the app dies (even kill -9), stop the game: its file system is gone. */
  prctl (PR_SET_PDEATHSIG, SIGNAL_PARENT_DIED, 0, 0, 0);
  if (getppid () != parent)
    raise (SIGNAL_PARENT_DIED);   /* blocked: handled below as a stop request */

  /* Paths from the drive: resolved beneath the mount, here, once. */
  if (root != NULL)
    {
      root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (root_fd < 0)
        fail_start (status_fd, "the game's folder “%s” cannot be opened: %s",
                    root, strerror (errno));
      if (home_beneath != NULL)
        {
          make_home_beneath (status_fd, root_fd, root, home_beneath);
          set_home_env (root, home_beneath);
        }
      if (cwd_beneath != NULL)
        {
          const char *problem = relative_path_problem (cwd_beneath);

          if (problem != NULL)
            fail_start (status_fd, "the working directory “%s” is not allowed: %s",
                        cwd_beneath, problem);
          cwd_fd = open_beneath (root_fd, cwd_beneath, O_PATH | O_DIRECTORY);
          if (cwd_fd < 0)
            fail_start (status_fd, "the working directory “%s” cannot be entered: %s",
                        cwd_beneath, beneath_error (errno));
        }
      if (exec_beneath != NULL)
        {
          program_fd = open_file_beneath (status_fd, root_fd, root, exec_beneath, "executable");
          if (asprintf (&program_path, "%s/%s", root, exec_beneath) < 0)
            program_path = NULL;
        }
      if (check_beneath != NULL)
        close (open_file_beneath (status_fd, root_fd, root, check_beneath, "executable"));
      close (root_fd);
    }

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
      run_child (argv + i, cwd, cwd_fd, program_fd, program_path, &orig_mask, exec_pipe[1]);
    }
  if (cwd_fd >= 0)
    close (cwd_fd);
  if (program_fd >= 0)
    close (program_fd);
  free (program_path);

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
        sp_run_write_all (status_fd, line, strlen (line));
        /* After a start, the fd stays open for the session's events. */
        if (len > 0)
          {
            close (status_fd);
            status_fd = -1;
          }
      }
  }

  {
    Supervisor sv = {
      .game = game,
      .status_fd = status_fd,
      .run_dir_fd = run_dir_fd,
      .grace = grace,
      .background_grace = background_grace,
      .wait_for_background = wait_for_background,
      .console = console,
    };

    sp_game_rule_init (&sv.rule, game, root);
    return supervise (&sv, &mask);
  }
}
