/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mounting, serving and unmounting the overlay. */
#include "sp-overlay-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define ENTRY_TIMEOUT   86400.0
#define UNMOUNT_TRIES   60
#define UNMOUNT_WAIT_NS (50 * 1000 * 1000)
/* How long the session may take to end once the mount is gone. */
#define UNMOUNT_END_SECONDS 20

static void
set_error (char **error_message, const char *format, ...)
{
  va_list ap;
  char *msg = NULL;

  if (error_message == NULL)
    return;
  va_start (ap, format);
  if (vasprintf (&msg, format, ap) < 0)
    msg = NULL;
  va_end (ap);
  *error_message = msg;
}

static mode_t
read_umask (void)
{
  FILE *f = fopen ("/proc/self/status", "re");
  char line[256];
  unsigned int mask = 022;

  if (f == NULL)
    return 022;
  while (fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "Umask: %o", &mask) == 1)
      break;
  fclose (f);
  return (mode_t) mask;
}

static void
raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

/* The kernel grows a process's descriptor table by doubling it, and once the
 * process has several threads every growth waits for an RCU grace period
 * (about 10 ms on a 2-vCPU VM). The overlay keeps a descriptor for every
 * directory the kernel knows, so a cold walk of a Wine prefix (107
 * directories) paid for two growths, half its time, and one of 2,632
 * directories for six. One growth, up front, to room for FD_TABLE_RESERVE
 * descriptors (64 KiB of table): free while the process has one thread,
 * one wait after. */
#define FD_TABLE_RESERVE 8192

void
sp_overlay_reserve_fd_table (void)
{
  struct rlimit rl;
  int last = FD_TABLE_RESERVE - 1;
  int any, fd;

  raise_fd_limit ();
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
      && rl.rlim_cur < (rlim_t) FD_TABLE_RESERVE)
    last = (int) rl.rlim_cur - 1;
  any = open ("/", O_PATH | O_CLOEXEC);
  if (any < 0)
    return;
  /* The lowest free descriptor from @last on: when the table is already
   * that large this grows nothing. */
  fd = fcntl (any, F_DUPFD_CLOEXEC, last);
  if (fd >= 0)
    close (fd);
  close (any);
}

/* Temporary files left in the work dir by a crash are never part of the
 * upper layer: remove them. */
static void
clean_work_dir (SpOverlay *ov)
{
  int fd = openat (ov->work_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;
  DIR *d;

  if (fd < 0)
    return;
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return;
    }
  while ((de = readdir (d)) != NULL)
    if (strncmp (de->d_name, ".sp-tmp-", 8) == 0
        && unlinkat (fd, de->d_name, 0) < 0 && errno == EISDIR)
      {
        int sub = openat (fd, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (sub >= 0)
          {
            _sp_clear_upper_dir (ov, sub);
            close (sub);
          }
        unlinkat (fd, de->d_name, AT_REMOVEDIR);
      }
  closedir (d);
}

/* auto_unmount (SpOverlayOptions).  libfuse's own auto_unmount option
 * does not serve: its fusermount3 (3.14, Debian 12) checks that the mount
 * is dead by opening it as root, which a FUSE mount without allow_other
 * refuses with EACCES, so it never unmounts a normal user's mount (fixed
 * in libfuse 3.15).  Instead a tiny watcher in its own session holds the
 * read end of a pipe whose write end only this process has (FD_CLOEXEC):
 * at EOF (we unmounted and closed it, or we died) it leaves a plain folder
 * or a mount that still answers alone and detaches a mount whose
 * connection is gone ("Transport endpoint is not connected", ENOTCONN, as
 * fusermount3 checks) with fusermount3 -u -z, which unmounts the player's
 * own FUSE mounts (and any as root). */
static const char watcher_script[] =
  "while read -r line; do :; done; cd / || exit; "
  /* Listing sends a request (a cached stat or chdir may not): ENOTCONN
   * tells a dead connection from a plain folder or a live mount; a request
   * made while the dead process's descriptors are being closed ends with
   * ECONNABORTED instead. */
  "if LC_ALL=C ls -a -- \"$1\" 2>&1 >/dev/null | grep -q -e 'not connected' -e 'connection abort'; then "
  "exec fusermount3 -u -q -z -- \"$1\"; fi";

static void
start_watcher (SpOverlay *ov)
{
  const char *argv[] = { "sh", "-c", watcher_script, "savepoint-unmount-watcher", ov->mountpoint, NULL };
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, all;
  int fds[2];
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return;
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, fds[0], 0);
  posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np (&actions, 3);
  posix_spawnattr_init (&attr);
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &all);
  /* Its own session: a terminal's ^C or hang-up to our group spares it. */
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
  if (posix_spawnp (&pid, "sh", &actions, &attr, (char **) argv, environ) == 0)
    {
      ov->watch_fd = fds[1];
      ov->watch_pid = pid;
    }
  else
    close (fds[1]);
  close (fds[0]);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
}

/* Called once the mount is gone: the watcher finds the mount point plain
 * and leaves at once. */
static void
end_watcher (SpOverlay *ov)
{
  if (ov->watch_fd >= 0)
    close (ov->watch_fd);
  ov->watch_fd = -1;
  if (ov->watch_pid > 0)
    while (waitpid (ov->watch_pid, NULL, 0) < 0 && errno == EINTR)
      ;
  ov->watch_pid = 0;
}

static void
overlay_free (SpOverlay *ov)
{
  _sp_handles_clear (ov);
  _sp_node_table_clear (ov);
  for (int k = 0; k < ov->nlayers; k++)
    {
      if (ov->layer_fds != NULL && ov->layer_fds[k] >= 0)
        close (ov->layer_fds[k]);
      if (ov->layer_paths != NULL)
        free (ov->layer_paths[k]);
    }
  free (ov->layer_fds);
  free (ov->layer_paths);
  free (ov->layer_devidx);
  free (ov->layer_casefold);
  _sp_lower_manifest_free (ov->manifest);
  free (ov->inomap);
  if (ov->work_fd >= 0)
    close (ov->work_fd);
  free (ov->work_path);
  free (ov->mountpoint);
  end_watcher (ov);
  pthread_mutex_destroy (&ov->table_lock);
  pthread_mutex_destroy (&ov->handles_lock);
  pthread_mutex_destroy (&ov->case_lock);
  pthread_rwlock_destroy (&ov->ns_lock);
  pthread_mutex_destroy (&ov->done_lock);
  pthread_cond_destroy (&ov->done_cond);
  free (ov);
}

static int
open_layer (const char *what, const char *path, char **real, int *fd,
            char **error_message)
{
  struct stat st;

  *real = realpath (path, NULL);
  if (*real == NULL)
    {
      set_error (error_message, "%s %s: %s", what, path, strerror (errno));
      return -1;
    }
  *fd = open (*real, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0 || fstat (*fd, &st) < 0)
    {
      set_error (error_message, "%s %s: %s", what, path, strerror (errno));
      return -1;
    }
  return 0;
}

/* The device number of the filesystem mounted at PATH, from mountinfo
 * (a stat would be a request to ourselves). */
static dev_t
mount_dev (const char *path)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[8192];
  dev_t dev = 0;

  if (f == NULL)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    {
      unsigned int maj, min;
      char mnt[4096];

      if (sscanf (line, "%*d %*d %u:%u %*s %4095s", &maj, &min, mnt) != 3)
        continue;
      /* Spaces and the like are written as octal escapes (\040). */
      for (char *r = mnt, *w = mnt;; r++, w++)
        {
          if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7'
              && r[3] >= '0' && r[3] <= '7')
            {
              *w = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
              r += 3;
            }
          else
            *w = *r;
          if (*r == '\0')
            break;
        }
      if (strcmp (mnt, path) == 0)
        dev = makedev (maj, min);    /* the last one is on top */
    }
  fclose (f);
  return dev;
}

static void *
worker_thread (void *data)
{
  SpOverlay *ov = data;
  struct fuse_loop_config *cfg = fuse_loop_cfg_create ();
  int res;

  fuse_loop_cfg_set_clone_fd (cfg, 1);
  fuse_loop_cfg_set_idle_threads (cfg, 4);
  fuse_loop_cfg_set_max_threads (cfg, ov->max_threads ? ov->max_threads : 16);
  res = fuse_session_loop_mt (ov->se, cfg);
  fuse_loop_cfg_destroy (cfg);

  pthread_mutex_lock (&ov->done_lock);
  ov->done = true;
  ov->loop_result = res;
  pthread_cond_broadcast (&ov->done_cond);
  pthread_mutex_unlock (&ov->done_lock);
  return NULL;
}

SpOverlay *
sp_overlay_mount (const char *const      *lowers,
                  const char             *upper,
                  const char             *work,
                  const char             *mountpoint,
                  const SpOverlayOptions *options,
                  char                  **error_message)
{
  SpOverlayOptions defaults = SP_OVERLAY_OPTIONS_INIT;
  SpOverlay *ov;
  struct stat st, ust;
  int nlowers = 0;
  char fsopts[PATH_MAX + 128];
  char fdpath[32];
  const char *argv[5];
  int argc = 0;
  struct fuse_args args;
  sigset_t all, old;
  int res;

  if (error_message != NULL)
    *error_message = NULL;
  if (options == NULL)
    options = &defaults;
  if (upper == NULL || work == NULL || mountpoint == NULL)
    {
      set_error (error_message, "an upper dir, a work dir and a mount point are required");
      return NULL;
    }
  while (lowers != NULL && lowers[nlowers] != NULL)
    nlowers++;

  ov = calloc (1, sizeof *ov);
  if (ov == NULL)
    {
      set_error (error_message, "out of memory");
      return NULL;
    }
  pthread_mutex_init (&ov->table_lock, NULL);
  pthread_mutex_init (&ov->handles_lock, NULL);
  pthread_mutex_init (&ov->case_lock, NULL);
  {
    pthread_rwlockattr_t attr;

    /* Lookups never nest the lock, so writers can be preferred: a stream of
     * lookups cannot starve a rename. */
    pthread_rwlockattr_init (&attr);
    pthread_rwlockattr_setkind_np (&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init (&ov->ns_lock, &attr);
    pthread_rwlockattr_destroy (&attr);
  }
  pthread_mutex_init (&ov->done_lock, NULL);
  pthread_cond_init (&ov->done_cond, NULL);
  ov->work_fd = -1;
  ov->watch_fd = -1;
  ov->fuse_fd = options->fuse_fd;
  ov->nlayers = nlowers + 1;
  ov->layer_paths = calloc (ov->nlayers, sizeof (char *));
  ov->layer_fds = malloc (ov->nlayers * sizeof (int));
  ov->layer_devidx = calloc (ov->nlayers, sizeof (unsigned));
  ov->layer_casefold = calloc (ov->nlayers, sizeof (bool));
  ov->nbuckets = 1024;
  ov->buckets = calloc (ov->nbuckets, sizeof (SpNode *));
  ov->timeout = ENTRY_TIMEOUT;
  ov->is_root = geteuid () == 0;
  ov->umask = read_umask ();
  ov->max_threads = options->max_threads;
  ov->debug = options->debug;
  ov->no_writeback = options->no_writeback;
  ov->squash_uid_set = options->squash_uid_set;
  ov->squash_gid_set = options->squash_gid_set;
  ov->squash_uid = options->squash_uid;
  ov->squash_gid = options->squash_gid;
  if (ov->layer_paths == NULL || ov->layer_fds == NULL || ov->layer_devidx == NULL
      || ov->layer_casefold == NULL || ov->buckets == NULL)
    {
      set_error (error_message, "out of memory");
      goto fail_early;
    }
  for (int k = 0; k < ov->nlayers; k++)
    ov->layer_fds[k] = -1;

  if (open_layer ("upper dir", upper, &ov->layer_paths[0], &ov->layer_fds[0], error_message) < 0)
    goto fail_early;
  for (int k = 1; k < ov->nlayers; k++)
    if (open_layer ("lower dir", lowers[k - 1], &ov->layer_paths[k], &ov->layer_fds[k],
                    error_message) < 0)
      goto fail_early;
  if (open_layer ("work dir", work, &ov->work_path, &ov->work_fd, error_message) < 0)
    goto fail_early;
  if (options->manifest != NULL && ov->nlayers > 1)
    {
      char *problem = NULL;

      ov->manifest = _sp_lower_manifest_load (options->manifest, &problem);
      if (ov->manifest == NULL)
        {
          set_error (error_message, "manifest %s: %s", options->manifest,
                     problem != NULL ? problem : "out of memory");
          free (problem);
          goto fail_early;
        }
    }
  fstat (ov->layer_fds[0], &ust);
  fstat (ov->work_fd, &st);
  if (st.st_dev != ust.st_dev)
    {
      set_error (error_message, "work dir %s: not on the same filesystem as the upper dir %s",
                 work, upper);
      goto fail_early;
    }
  if (faccessat (ov->work_fd, ".", W_OK, AT_EACCESS) < 0
      || faccessat (ov->layer_fds[0], ".", W_OK, AT_EACCESS) < 0)
    {
      set_error (error_message, "%s: %s", faccessat (ov->work_fd, ".", W_OK, AT_EACCESS) < 0 ? work : upper,
                 strerror (errno));
      goto fail_early;
    }
  {
    dev_t devs[64];
    unsigned ndevs = 1;

    devs[0] = ust.st_dev;
    for (int k = 1; k < ov->nlayers; k++)
      {
        unsigned i;

        fstat (ov->layer_fds[k], &st);
        for (i = 0; i < ndevs && devs[i] != st.st_dev; i++)
          ;
        if (i == ndevs && ndevs < 64)
          devs[ndevs++] = st.st_dev;
        ov->layer_devidx[k] = i;
      }
  }
  _sp_overlay_detect_casefold (ov);
  /* With a descriptor from someone else the mount point is already our
   * mount: looking at it would wait for ourselves. */
  if (ov->fuse_fd >= 0)
    ov->mountpoint = strdup (mountpoint);
  else
    ov->mountpoint = realpath (mountpoint, NULL);
  if (ov->mountpoint == NULL || (ov->fuse_fd < 0 && stat (ov->mountpoint, &st) < 0))
    {
      set_error (error_message, "mount point %s: %s", mountpoint, strerror (errno));
      goto fail_early;
    }
  if (ov->fuse_fd < 0 && !S_ISDIR (st.st_mode))
    {
      set_error (error_message, "mount point %s: %s", mountpoint, strerror (ENOTDIR));
      goto fail_early;
    }
  if (ov->fuse_fd < 0)
    {
      int fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);

      if (fd < 0)
        {
          set_error (error_message, "/dev/fuse: %s; is the fuse module loaded and /dev/fuse accessible?",
                     strerror (errno));
          goto fail_early;
        }
      close (fd);
    }

  sp_overlay_reserve_fd_table ();
  clean_work_dir (ov);
  ov->root = _sp_node_new_root (ov, error_message);
  if (ov->root == NULL)
    {
      set_error (error_message, "out of memory");
      goto fail_early;
    }

  snprintf (fsopts, sizeof fsopts, "default_permissions,fsname=%s,subtype=savepoint-overlayfs%s",
            options->fsname ? options->fsname : "savepoint",
            options->allow_other ? ",allow_other" : "");
  for (char *p = fsopts; *p; p++)
    if (*p == ' ' || *p == '\t')
      *p = '_';
  argv[argc++] = "savepoint-overlayfs";
  argv[argc++] = "-o";
  argv[argc++] = fsopts;
  if (options->debug)
    argv[argc++] = "-d";
  argv[argc] = NULL;
  args.argc = argc;
  args.argv = (char **) argv;
  args.allocated = 0;
  ov->se = fuse_session_new (&args, &_sp_overlay_ops, sizeof _sp_overlay_ops, ov);
  fuse_opt_free_args (&args);
  if (ov->se == NULL)
    {
      set_error (error_message, "mount point %s: cannot create the FUSE session", mountpoint);
      goto fail_early;
    }
  if (ov->fuse_fd >= 0)
    snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", ov->fuse_fd);
  errno = 0;
  if (fuse_session_mount (ov->se, ov->fuse_fd >= 0 ? fdpath : ov->mountpoint) != 0)
    {
      int e = errno;

      set_error (error_message, "mount point %s: cannot mount the overlay%s%s", mountpoint,
                 e ? ": " : " (see the messages above)", e ? strerror (e) : "");
      fuse_session_destroy (ov->se);
      ov->se = NULL;
      goto fail_early;
    }
  ov->own_mount = ov->fuse_fd < 0;
  /* Whatever opened the FUSE device (libfuse, fusermount3 passing it back,
   * or our caller), it must not reach fusermount3 or the game. */
  {
    int sfd = fuse_session_fd (ov->se);

    if (sfd >= 0)
      fcntl (sfd, F_SETFD, fcntl (sfd, F_GETFD) | FD_CLOEXEC);
  }

  /* The loop threads never take the caller's signals. */
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, &old);
  res = pthread_create (&ov->thread, NULL, worker_thread, ov);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (res != 0)
    {
      set_error (error_message, "mount point %s: cannot start the worker thread: %s",
                 mountpoint, strerror (res));
      fuse_session_unmount (ov->se);
      fuse_session_destroy (ov->se);
      ov->se = NULL;
      goto fail_early;
    }
  ov->thread_started = true;

  /* Returns once the session is initialised: the mount is live.  No
   * request is sent from this thread (that would deadlock under tools
   * that serialise threads, such as valgrind). */
  pthread_mutex_lock (&ov->done_lock);
  while (!ov->initialized && !ov->done)
    pthread_cond_wait (&ov->done_cond, &ov->done_lock);
  pthread_mutex_unlock (&ov->done_lock);
  if (!ov->initialized)
    {
      set_error (error_message, "mount point %s: the FUSE session ended before it started",
                 mountpoint);
      pthread_join (ov->thread, NULL);
      fuse_session_unmount (ov->se);
      fuse_session_destroy (ov->se);
      ov->se = NULL;
      goto fail_early;
    }
  if (ov->own_mount)
    ov->conn_dev = mount_dev (ov->mountpoint);
  if (ov->own_mount && options->auto_unmount)
    start_watcher (ov);
  return ov;

fail_early:
  overlay_free (ov);
  return NULL;
}

static bool
is_done (SpOverlay *ov)
{
  bool done;

  pthread_mutex_lock (&ov->done_lock);
  done = ov->done;
  pthread_mutex_unlock (&ov->done_lock);
  return done;
}

static int
run_fusermount (const char *mountpoint, bool lazy)
{
  const char *argv[] = { "fusermount3", lazy ? "-uqz" : "-uq", "--", mountpoint, NULL };
  posix_spawnattr_t attr;
  sigset_t none;
  pid_t pid;
  int status;

  posix_spawnattr_init (&attr);
  sigemptyset (&none);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK);
  if (posix_spawnp (&pid, "fusermount3", NULL, &attr, (char **) argv, environ) != 0)
    {
      posix_spawnattr_destroy (&attr);
      return -1;
    }
  posix_spawnattr_destroy (&attr);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

/* Waits up to @seconds (< 0: without limit) for the session loop to end. */
static bool
wait_done (SpOverlay *ov, int seconds)
{
  struct timespec deadline;
  bool done;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  pthread_mutex_lock (&ov->done_lock);
  while (!ov->done)
    if (seconds < 0)
      pthread_cond_wait (&ov->done_cond, &ov->done_lock);
    else if (pthread_cond_timedwait (&ov->done_cond, &ov->done_lock, &deadline) == ETIMEDOUT)
      break;
  done = ov->done;
  pthread_mutex_unlock (&ov->done_lock);
  return done;
}

static void
short_sleep (void)
{
  struct timespec ts = { 0, UNMOUNT_WAIT_NS };

  nanosleep (&ts, NULL);
}

static void
abort_connection (dev_t dev)
{
  char path[64];
  int fd;

  snprintf (path, sizeof path, "/sys/fs/fuse/connections/%u/abort", minor (dev));
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, "1", 1) < 0)
        {
          /* Nothing more to do: the connection ends with its last file. */
        }
      close (fd);
    }
}

int
sp_overlay_unmount (SpOverlay *overlay, char **error_message)
{
  SpOverlay *ov = overlay;
  int result = 0;

  if (error_message != NULL)
    *error_message = NULL;
  if (ov == NULL)
    return 0;

  if (ov->thread_started && !is_done (ov))
    {
      bool unmounted = false;
      /* umount2() ourselves when we mounted as root; fusermount3 otherwise.
       * Being uid 0 is not always the privilege to unmount: in a Flatpak
       * sandbox (or any user namespace) libfuse mounted through fusermount3
       * and umount2() fails with EPERM, so fusermount3 it is then too. */
      bool privileged = ov->own_mount && ov->is_root;
      dev_t dev = ov->conn_dev;

      for (int i = 0; i < UNMOUNT_TRIES && !unmounted && !is_done (ov); i++)
        {
          if (privileged)
            {
              if (umount2 (ov->mountpoint, UMOUNT_NOFOLLOW) == 0)
                unmounted = true;
              else if (errno == EPERM)
                {
                  privileged = false;
                  i--;
                  continue;
                }
              else if (errno != EBUSY)
                break;
            }
          else if (run_fusermount (ov->mountpoint, false) == 0)
            unmounted = true;
          if (!unmounted)
            short_sleep ();
        }
      /* Unmounted here, but a copy of the mount in another mount namespace
       * (a process that unshared while we were mounted) keeps the
       * connection: end it, where we may (root), after a short wait. */
      if (unmounted && !wait_done (ov, 3) && dev != 0)
        {
          fuse_session_exit (ov->se);
          abort_connection (dev);
        }
      if (!unmounted && !is_done (ov))
        {
          /* Still busy (files open by a process that is going away):
           * detach the mount, then end the connection so the session
           * stops. */
          if (privileged)
            umount2 (ov->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW);
          else
            run_fusermount (ov->mountpoint, true);
          fuse_session_exit (ov->se);
          if (dev != 0)
            abort_connection (dev);
        }
    }

  if (ov->thread_started && !wait_done (ov, UNMOUNT_END_SECONDS))
    {
      /* The kernel still holds the connection and nothing we may do ends
       * it. Better an error than waiting forever: the threads keep @ov,
       * so it is left allocated. */
      set_error (error_message, "mount point %s: could not unmount it, the FUSE session is still "
                 "connected", ov->mountpoint);
      return -1;
    }
  if (ov->thread_started)
    {
      pthread_join (ov->thread, NULL);
      if (ov->loop_result < 0)
        {
          set_error (error_message, "mount point %s: the FUSE session ended with an error: %s",
                     ov->mountpoint, strerror (-ov->loop_result));
          result = -1;
        }
    }
  if (ov->se != NULL)
    {
      if (ov->own_mount)
        fuse_session_unmount (ov->se);
      fuse_session_destroy (ov->se);
    }
  overlay_free (ov);
  return result;
}

void
sp_overlay_wait (SpOverlay *overlay)
{
  wait_done (overlay, -1);
}

int
sp_overlay_is_alive (SpOverlay *overlay)
{
  return !is_done (overlay);
}

void
sp_overlay_get_stats (SpOverlay *overlay, SpOverlayStats *out)
{
  out->bytes_read = atomic_load (&overlay->bytes_read);
  out->bytes_written = atomic_load (&overlay->bytes_written);
  out->copy_ups = atomic_load (&overlay->copy_ups);
  out->files_created = atomic_load (&overlay->files_created);
  out->files_deleted = atomic_load (&overlay->files_deleted);
}
