/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "play/sp-run.h"
#include "common/sp-util.h"
#include <string.h>

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sp-test-util-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_write_atomic_replaces (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "a.ini", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint count = 0;

  g_assert_true (sp_write_file_atomic (path, "one", -1, &error));
  g_assert_no_error (error);
  g_assert_true (sp_write_file_atomic (path, "two\n", -1, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "two\n");

  /* No temporary file is left beside it. */
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)))
    count++;
  g_assert_cmpuint (count, ==, 1);

  g_assert_true (sp_remove_tree (dir, NULL, &error));
  g_assert_no_error (error);
}

static void
test_write_atomic_missing_dir (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sp_write_file_atomic ("/nonexistent-sp/dir/x.ini", "x", -1, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent-sp/dir/x.ini"));
}

static void
test_write_atomic_full_disk (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      return;
    }
  /* /dev/full's directory is /dev, where a temp file is fine but the
   * device itself cannot be replaced by us in a test; write through a
   * tmpfs with a tiny size limit instead when we are root. */
  if (geteuid () != 0)
    {
      g_test_skip ("needs root for a size-limited tmpfs");
      return;
    }
  {
    g_autofree char *dir = make_tmpdir ();
    g_autofree char *cmd = g_strdup_printf ("mount -t tmpfs -o size=64k tmpfs %s", dir);
    g_autofree char *path = g_build_filename (dir, "big", NULL);
    g_autofree char *umount = g_strdup_printf ("umount %s", dir);
    g_autofree char *big = g_malloc0 (1024 * 1024);
    int status;

    g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
    if (status != 0)
      {
        g_test_skip ("cannot mount tmpfs");
        return;
      }
    g_assert_true (sp_write_file_atomic (path, "small", -1, &error));
    g_assert_no_error (error);
    g_assert_false (sp_write_file_atomic (path, big, 1024 * 1024, &error));
    g_assert_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE);
    g_assert_nonnull (strstr (error->message, path));
    g_assert_nonnull (strstr (error->message, "the disk is full. Free some space"));
    {
      /* The old contents survive and no temp file is left. */
      g_autofree char *contents = NULL;
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      guint count = 0;
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "small");
      while (g_dir_read_name (d))
        count++;
      g_assert_cmpuint (count, ==, 1);
    }
    {
      /* sp_write_all() stops at the full disk with errno ENOSPC. */
      g_autofree char *other = g_build_filename (dir, "other", NULL);
      int fd = open (other, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

      g_assert_cmpint (fd, >=, 0);
      errno = 0;
      g_assert_false (sp_write_all (fd, big, 1024 * 1024));
      g_assert_cmpint (errno, ==, ENOSPC);
      close (fd);
    }
    g_assert_true (g_spawn_command_line_sync (umount, NULL, NULL, &status, NULL));
    g_rmdir (dir);
  }
}

static void
test_remove_tree_readonly (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *sub = g_build_filename (dir, "ro", "deep", NULL);
  g_autofree char *file = g_build_filename (sub, "f", NULL);
  g_autofree char *ro = g_build_filename (dir, "ro", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *outside = make_tmpdir ();
  g_autofree char *keep = g_build_filename (outside, "keep", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_true (g_file_set_contents (keep, "x", -1, NULL));
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_assert_cmpint (chmod (sub, 0555), ==, 0);
  g_assert_cmpint (chmod (ro, 0555), ==, 0);

  g_assert_true (sp_remove_tree (dir, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  /* The symlink was removed, not followed. */
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  g_assert_true (sp_remove_tree (outside, NULL, &error));
  /* Missing is fine. */
  g_assert_true (sp_remove_tree (outside, NULL, &error));
}

static void
test_format_duration (void)
{
  g_autofree char *a = sp_format_duration (5);
  g_autofree char *b = sp_format_duration (125);
  g_autofree char *c = sp_format_duration (3 * 3600 + 7 * 60);

  g_assert_cmpstr (a, ==, "5 seconds");
  g_assert_cmpstr (b, ==, "2 minutes");
  g_assert_cmpstr (c, ==, "3 h 07 min");
}

/* ---- Removal by descriptor, the mounts folder ---- */

static void
put (const char *dir,
     const char *name,
     const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Symlinks inside (to a folder, to a file, dangling, to "..") are removed,
 * never followed; a folder without permissions is opened up and removed. */
static void
test_remove_tree_symlinks (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *tree = g_build_filename (dir, "tree", NULL);
  g_autofree char *outside = g_build_filename (dir, "outside", NULL);
  g_autofree char *keep = g_build_filename (outside, "keep.txt", NULL);
  g_autofree char *locked = g_build_filename (tree, "locked", NULL);
  g_autoptr(GError) error = NULL;
  const char *links[][2] = { { "to-dir", NULL }, { "to-file", NULL }, { "dangling", "/nonexistent" },
                             { "up", ".." } };

  put (outside, "keep.txt", "keep");
  put (tree, "a/b/c.txt", "c");
  put (tree, "locked/inner.txt", "i");
  links[0][1] = outside;
  links[1][1] = keep;
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *l = g_build_filename (tree, "a", links[i][0], NULL);
      g_assert_cmpint (symlink (links[i][1], l), ==, 0);
    }
  g_assert_cmpint (chmod (locked, 0), ==, 0);

  g_assert_true (sp_remove_tree (tree, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (keep, G_FILE_TEST_IS_REGULAR));

  /* The path itself a symlink: only the link goes. */
  {
    g_autofree char *link = g_build_filename (dir, "link", NULL);
    g_assert_cmpint (symlink (outside, link), ==, 0);
    g_assert_true (sp_remove_tree (link, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (keep, G_FILE_TEST_IS_REGULAR));
  }

  /* One component only. */
  {
    int fd = open (dir, O_RDONLY | O_DIRECTORY);
    g_assert_false (sp_remove_tree_at (fd, "../x", "x", NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
    g_clear_error (&error);
    g_assert_false (sp_remove_tree_at (fd, "..", "..", NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
    g_clear_error (&error);
    close (fd);
  }

  g_assert_true (sp_remove_tree (dir, NULL, &error));
  g_assert_no_error (error);
}

/* A bind mount inside the tree or on the tree itself (same file system,
 * same st_dev) stops the removal: nothing of the mounted folder goes. An
 * empty mount point is not removed by sp_remove_empty_dir() either. */
static void
test_remove_tree_mounts (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *tree = g_build_filename (dir, "tree", NULL);
  g_autofree char *point = g_build_filename (tree, "sub", "point", NULL);
  g_autofree char *outside = g_build_filename (dir, "outside", NULL);
  g_autofree char *keep = g_build_filename (outside, "keep.txt", NULL);
  g_autoptr(GError) error = NULL;

  put (outside, "keep.txt", "keep");
  put (tree, "sub/point/.placeholder", "");
  put (tree, "z-after.txt", "z");
  if (mount (outside, point, NULL, MS_BIND, NULL) != 0)
    {
      g_test_skip ("bind mounts are not permitted here");
      sp_remove_tree (dir, NULL, NULL);
      return;
    }
  g_assert_false (sp_remove_tree (tree, NULL, &error));
  g_assert_true (g_file_test (keep, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, point));
  g_clear_error (&error);

  g_assert_false (sp_remove_tree (point, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (sp_remove_empty_dir (point, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (g_file_test (keep, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (umount2 (point, MNT_DETACH), ==, 0);
  {
    g_autofree char *empty = g_build_filename (dir, "empty", NULL);
    g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
    g_assert_true (sp_remove_empty_dir (empty, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (empty, G_FILE_TEST_EXISTS));
  }
  g_assert_true (sp_remove_tree (tree, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (keep, G_FILE_TEST_IS_REGULAR));
  g_assert_true (sp_remove_tree (dir, NULL, &error));
  g_assert_no_error (error);
}

/* Without XDG_RUNTIME_DIR the mounts folder is $TMPDIR/savepoint-<uid>:
 * created 0700 by us, and refused when someone else made it, when it is a
 * symlink or when others have access. $XDG_RUNTIME_DIR/savepoint alike. */
static void
test_mounts_dir (void)
{
  g_autofree char *tmp = g_strdup (g_get_tmp_dir ());
  g_autofree char *name = g_strdup_printf ("savepoint-%u", (guint) getuid ());
  g_autofree char *expected = g_build_filename (tmp, name, NULL);
  g_autofree char *elsewhere = g_build_filename (tmp, "elsewhere", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_true (g_str_has_prefix (tmp, g_getenv ("SP_TEST_UTIL_TMP")));
  g_unsetenv ("XDG_RUNTIME_DIR");

  /* Normal: made by us, 0700. */
  path = sp_mounts_dir_ensure (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_uid, ==, geteuid ());
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_clear_pointer (&path, g_free);
  /* Twice is fine. */
  path = sp_mounts_dir_ensure (&error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);

  /* Pre-created by another user (uid 1500). */
  if (geteuid () == 0)
    {
      g_assert_cmpint (chown (expected, 1500, 1500), ==, 0);
      g_assert_null (sp_mounts_dir_ensure (&error));
      g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
      g_assert_nonnull (strstr (error->message, expected));
      g_assert_nonnull (strstr (error->message, "1500"));
      g_clear_error (&error);
      g_assert_cmpint (chown (expected, 0, 0), ==, 0);
    }
  else
    g_test_message ("not root: the other-owner case is not tried");

  /* Writable by others: refused. */
  g_assert_cmpint (chmod (expected, 0775), ==, 0);
  g_assert_null (sp_mounts_dir_ensure (&error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "0775"));
  g_clear_error (&error);

  /* Ours, only readable by others (as earlier releases made it): made
   * private, and used. */
  g_assert_cmpint (chmod (expected, 0755), ==, 0);
  path = sp_mounts_dir_ensure (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected);
  g_clear_pointer (&path, g_free);
  g_assert_cmpint (lstat (expected, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (rmdir (expected), ==, 0);

  /* A symlink to a folder of ours, 0700: still refused. */
  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  g_assert_cmpint (symlink (elsewhere, expected), ==, 0);
  g_assert_null (sp_mounts_dir_ensure (&error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);
  g_assert_cmpint (unlink (expected), ==, 0);

  /* $XDG_RUNTIME_DIR/savepoint is checked the same way. */
  {
    g_autofree char *runtime = g_build_filename (tmp, "runtime", NULL);
    g_autofree char *sp = g_build_filename (runtime, "savepoint", NULL);

    g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
    g_assert_cmpint (symlink (elsewhere, sp), ==, 0);
    g_assert_null (sp_mounts_dir_ensure (&error));
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
    g_clear_error (&error);
    g_assert_cmpint (unlink (sp), ==, 0);
    path = sp_mounts_dir_ensure (&error);
    g_assert_no_error (error);
    g_assert_cmpstr (path, ==, sp);
    g_unsetenv ("XDG_RUNTIME_DIR");
  }
}

/* sp_open_regular_file() opens a plain file, and refuses a link (even to a
 * plain file), a FIFO (without blocking), a folder and a device, each with
 * its own code and the path in the message. */
static void
test_open_regular_file (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *plain = g_build_filename (dir, "plain", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GError) error = NULL;
  struct stat st;
  char buf[8] = { 0 };
  int fd;

  alarm (60);
  g_assert_true (g_file_set_contents (plain, "hello", -1, NULL));
  g_assert_cmpint (symlink (plain, link), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);

  fd = sp_open_regular_file (plain, &st, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (st.st_size, ==, 5);
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_NONBLOCK, ==, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  g_assert_cmpint (read (fd, buf, sizeof buf), ==, 5);
  g_assert_cmpstr (buf, ==, "hello");
  close (fd);

  g_assert_cmpint (sp_open_regular_file (link, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS);
  g_assert_nonnull (strstr (error->message, link));
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);

  g_assert_cmpint (sp_open_regular_file (fifo, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_assert_nonnull (strstr (error->message, fifo));
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_clear_error (&error);

  g_assert_cmpint (sp_open_regular_file (dir, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);

  g_assert_cmpint (sp_open_regular_file ("/dev/null", NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_assert_nonnull (strstr (error->message, "device"));
  g_clear_error (&error);

  g_assert_cmpint (sp_open_regular_file (missing, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  alarm (0);
  g_assert_true (sp_remove_tree (dir, NULL, NULL));
}

/* ---- EINTR-safe reads and writes, the full-disk message ---- */

static volatile sig_atomic_t signals_caught;

static void
count_signal (int signum)
{
  signals_caught++;
}

typedef struct
{
  gboolean    write;
  int         fd;
  gsize       length;
  char       *data;
  gint        tid;
  gssize      result;
} PipeJob;

/* Waits (without sleeping: the thread's state is in /proc) until the
 * thread @job->tid is blocked in the system call @nr. FALSE if the thread
 * has ended. */
static gboolean
wait_blocked_in (PipeJob *job,
                 long     nr)
{
  g_autofree char *prefix = g_strdup_printf ("%ld ", nr);
  g_autofree char *path = NULL;

  while (g_atomic_int_get (&job->tid) == 0)
    g_thread_yield ();
  path = g_strdup_printf ("/proc/self/task/%d/syscall", g_atomic_int_get (&job->tid));
  for (;;)
    {
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        return FALSE;
      if (g_str_has_prefix (contents, prefix))
        return TRUE;
      g_thread_yield ();
    }
}

/* The tests below need /proc/self/task/<tid>/syscall. */
static gboolean
can_see_syscalls (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/syscall", (int) gettid ());
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL);
}

/* Sends SIGUSR1 to the thread of @job and waits until it was handled. */
static void
interrupt (PipeJob *job)
{
  sig_atomic_t before = signals_caught;

  g_assert_cmpint (syscall (SYS_tgkill, getpid (), g_atomic_int_get (&job->tid), SIGUSR1), ==, 0);
  while (signals_caught == before)
    g_thread_yield ();
}

/* A pipe, and SIGUSR1 counted by a handler installed without SA_RESTART,
 * so that a blocked read or write returns EINTR or a short count. FALSE
 * (the test skipped) without /proc/self/task/<tid>/syscall. */
static gboolean
set_up_interruptible_pipe (int               pipe_fds[2],
                           struct sigaction *old_sa)
{
  struct sigaction sa = { 0 };

  if (!can_see_syscalls ())
    {
      g_test_skip ("/proc/self/task/*/syscall is not readable");
      return FALSE;
    }
  sa.sa_handler = count_signal;
  sigemptyset (&sa.sa_mask);
  g_assert_cmpint (sigaction (SIGUSR1, &sa, old_sa), ==, 0);
  g_assert_cmpint (pipe2 (pipe_fds, O_CLOEXEC), ==, 0);
  return TRUE;
}

/* The thread of a PipeJob: sp_write_all() of its data, then closing the
 * write end so that the reader sees the end of the file even when the
 * write failed; or sp_read_full() into it. */
static gpointer
pipe_job (gpointer user_data)
{
  PipeJob *job = user_data;

  g_atomic_int_set (&job->tid, (gint) gettid ());
  if (job->write)
    {
      job->result = sp_write_all (job->fd, job->data, job->length);
      close (job->fd);
    }
  else
    job->result = sp_read_full (job->fd, job->data, job->length);
  return NULL;
}

static void
test_write_all_interrupted (void)
{
  struct sigaction old_sa;
  PipeJob job = { 0 };
  g_autofree char *got = NULL;
  GThread *thread;
  int pipe_fds[2];
  gssize n;

  if (!set_up_interruptible_pipe (pipe_fds, &old_sa))
    return;

  /* Four times the pipe's buffer: the writer blocks on a full pipe. */
  job.write = TRUE;
  job.fd = pipe_fds[1];
  job.length = 4 * (gsize) fcntl (pipe_fds[0], F_GETPIPE_SZ);
  job.data = g_malloc (job.length);
  for (gsize i = 0; i < job.length; i++)
    job.data[i] = (char) (i * 7 + i / 251);
  thread = g_thread_new ("writer", pipe_job, &job);

  /* The first signal cuts the write that filled the pipe short; the
   * second reaches a write that started on the full pipe: EINTR. */
  for (int i = 0; i < 2; i++)
    {
      g_assert_true (wait_blocked_in (&job, SYS_write));
      interrupt (&job);
    }

  got = g_malloc (job.length);
  n = sp_read_full (pipe_fds[0], got, job.length);
  g_thread_join (thread);
  g_assert_cmpint (job.result, ==, TRUE);
  g_assert_cmpint (n, ==, (gssize) job.length);
  g_assert_cmpmem (got, job.length, job.data, job.length);
  g_assert_cmpint (signals_caught, >=, 2);

  /* At the end of the file: 0 bytes, not an error. */
  g_assert_cmpint (sp_read_full (pipe_fds[0], got, job.length), ==, 0);
  close (pipe_fds[0]);
  g_free (job.data);
  sigaction (SIGUSR1, &old_sa, NULL);
}

static void
test_read_full_interrupted (void)
{
  struct sigaction old_sa;
  PipeJob job = { 0 };
  char data[8] = { 0 };
  GThread *thread;
  int pipe_fds[2];

  if (!set_up_interruptible_pipe (pipe_fds, &old_sa))
    return;

  job.fd = pipe_fds[0];
  job.length = sizeof data;
  job.data = data;
  thread = g_thread_new ("reader", pipe_job, &job);

  /* On the empty pipe: interrupted before any byte (EINTR). */
  g_assert_true (wait_blocked_in (&job, SYS_read));
  interrupt (&job);
  /* Half of it: the read returns short and must go on. */
  g_assert_true (wait_blocked_in (&job, SYS_read));
  g_assert_true (sp_write_all (pipe_fds[1], "save", 4));
  g_assert_true (wait_blocked_in (&job, SYS_read));
  g_assert_true (sp_write_all (pipe_fds[1], "game", 4));
  g_thread_join (thread);
  g_assert_cmpint (job.result, ==, 8);
  g_assert_cmpmem (data, 8, "savegame", 8);
  g_assert_cmpint (signals_caught, >=, 1);

  /* A short file: what there is, then the end. */
  g_assert_true (sp_write_all (pipe_fds[1], "xyz", 3));
  close (pipe_fds[1]);
  g_assert_cmpint (sp_read_full (pipe_fds[0], data, sizeof data), ==, 3);
  g_assert_cmpmem (data, 3, "xyz", 3);
  close (pipe_fds[0]);
  sigaction (SIGUSR1, &old_sa, NULL);
}

static void
test_write_all_errors (void)
{
  char buf[4];

  /* Errors come back as FALSE / -1 with errno, never as a short count. */
  errno = 0;
  g_assert_false (sp_write_all (-1, "x", 1));
  g_assert_cmpint (errno, ==, EBADF);
  errno = 0;
  g_assert_cmpint (sp_read_full (-1, buf, sizeof buf), ==, -1);
  g_assert_cmpint (errno, ==, EBADF);
}

static void
test_io_error_messages (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sp_set_io_error (&error, ENOSPC, "Cannot write “%s”", "/d/a"));
  g_assert_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE);
  g_assert_cmpstr (error->message, ==,
                   "Cannot write “/d/a”: the disk is full. Free some space and try again.");
  g_clear_error (&error);

  /* A quota is as full as a disk. */
  sp_set_io_error (&error, EDQUOT, "Cannot write “%s”", "/d/a");
  g_assert_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE);
  g_clear_error (&error);

  sp_set_io_error (&error, EACCES, "%s “%s” failed", "Writing", "/d/a");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "Writing “/d/a” failed: Permission denied");
  g_clear_error (&error);

  /* Another domain: its own codes, the same words. */
  g_assert_false (sp_set_io_error_in (&error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                                      G_FILE_ERROR_NOSPC, ENOSPC, "Unpacking “%s”", "x"));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_assert_cmpstr (error->message, ==,
                   "Unpacking “x”: the disk is full. Free some space and try again.");
  g_clear_error (&error);
  sp_set_io_error_in (&error, G_FILE_ERROR, G_FILE_ERROR_FAILED, G_FILE_ERROR_NOSPC, ENOENT,
                      "Unpacking “%s”", "x");
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Unpacking “x”: No such file or directory");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  int status;

  /* g_get_tmp_dir() reads $TMPDIR once: a private one for the mounts
   * folder tests, set before anything asks. */
  tmp = g_strdup ("/tmp/sp-test-util-tmp-XXXXXX");
  g_assert_nonnull (g_mkdtemp (tmp));
  g_setenv ("TMPDIR", tmp, TRUE);
  g_setenv ("SP_TEST_UTIL_TMP", tmp, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/write-atomic/replaces", test_write_atomic_replaces);
  g_test_add_func ("/util/write-atomic/missing-dir", test_write_atomic_missing_dir);
  g_test_add_func ("/util/write-atomic/full-disk", test_write_atomic_full_disk);
  g_test_add_func ("/util/remove-tree/read-only", test_remove_tree_readonly);
  g_test_add_func ("/util/format-duration", test_format_duration);
  g_test_add_func ("/util/remove-tree/symlinks", test_remove_tree_symlinks);
  g_test_add_func ("/util/remove-tree/mounts", test_remove_tree_mounts);
  g_test_add_func ("/util/mounts-dir", test_mounts_dir);
  g_test_add_func ("/util/open-regular-file", test_open_regular_file);
  g_test_add_func ("/util/io/write-all-interrupted", test_write_all_interrupted);
  g_test_add_func ("/util/io/read-full-interrupted", test_read_full_interrupted);
  g_test_add_func ("/util/io/errors", test_write_all_errors);
  g_test_add_func ("/util/io/error-messages", test_io_error_messages);
  status = g_test_run ();
  sp_remove_tree (tmp, NULL, NULL);
  return status;
}
