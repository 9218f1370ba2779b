/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * savepoint-run: the process-tree supervisor of one play session.
 *
 *   savepoint-run [--grace SECONDS] [--log FILE] [--cwd DIR] [--status-fd FD]
 *                 [--root MOUNT [--exec-beneath REL | --check-beneath REL]
 *                  [--cwd-beneath REL] [--home-beneath REL]]
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
 * here cannot steal a status from anyone.
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

#define EXIT_CANNOT_START   127
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_USAGE          125

static pid_t self_pid;

static void
usage (void)
{
  fprintf (stderr,
           "Usage: savepoint-run [--grace SECONDS] [--log FILE] [--cwd DIR] [--status-fd FD]\n"
           "                     [--root MOUNT [--exec-beneath REL | --check-beneath REL]\n"
           "                      [--cwd-beneath REL] [--home-beneath REL]] -- PROGRAM [ARGS…]\n");
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
      write_all (status_fd, line);
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
  if (cwd_fd >= 0 && fchdir (cwd_fd) != 0)
    {
      saved = errno;
      snprintf (msg, sizeof msg,
                "savepoint-run: cannot start “%s”: the working directory cannot be entered: %s\n",
                argv[0], strerror (saved));
      write_all (STDERR_FILENO, msg);
      write_all (exec_fd, msg);
      _exit (EXIT_CANNOT_START);
    }

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
      snprintf (msg, sizeof msg, "savepoint-run: cannot start “%s”: %s\n",
                argv[0], strerror (saved));
      write_all (STDERR_FILENO, msg);
      write_all (exec_fd, msg);
      _exit (saved == ENOENT || saved == ENOTDIR ? EXIT_CANNOT_START : EXIT_CANNOT_EXECUTE);
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
