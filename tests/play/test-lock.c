/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SpLock on its own: the lock file it writes, who may take it over, what
 * it removes. tests/session/test-session.c (stale-lock) already covers a
 * holder that died, our own live lock, one naming our pid that we do not
 * hold, and another computer's lock; these are the other cases. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sp-process.h"
#include "play/sp-play.h"
#include "sp-test-common.h"

typedef struct
{
  char *root;
  char *dir;
  char *path;
} Fixture;

/* The lock's folder has a name with a space, a newline and a backslash,
 * as a game folder on a drive may. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  f->root = tc_tmpdir ();
  f->dir = g_build_filename (f->root, "a game\nwith \\040 names", NULL);
  g_assert_cmpint (g_mkdir (f->dir, 0755), ==, 0);
  f->path = g_build_filename (f->dir, "session.lock", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  tc_rmtree (f->root);
  g_free (f->root);
  g_free (f->dir);
  g_free (f->path);
}

/* The contents of a lock as sp_lock_acquire() writes them. */
static char *
lock_text (const char *host,
           gint64      pid,
           guint64     pid_start,
           const char *boot_id)
{
  return g_strdup_printf ("[Lock]\nHost=%s\nPid=%" G_GINT64_FORMAT "\nPidStart=%" G_GUINT64_FORMAT
                          "\nBootId=%s\nSince=2026-01-01T00:00:00Z\n"
                          "Token=5a0d8f0e-8c1e-4f63-9d51-0c6a4f1f2b7e\n",
                          host, pid, pid_start, boot_id);
}

static void
write_lock (Fixture    *f,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Takes the lock at @f->path, which must succeed, and releases it. */
static void
assert_taken_over (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  SpLock *lock = sp_lock_acquire (f->path, "The game “Test”", &error);

  g_assert_no_error (error);
  g_assert_nonnull (lock);
  sp_lock_release (lock);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* A fresh lock: created, a key file naming this host, process (with its
 * start time), boot and a token; released, it is gone. */
static void
test_acquire_writes_owner (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autofree char *host = NULL;
  g_autofree char *boot = NULL;
  g_autofree char *token = NULL;
  SpLock *lock;
  struct stat st;

  lock = sp_lock_acquire (f->path, "The game “Test”", &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
  g_assert_cmpstr (sp_lock_get_path (lock), ==, f->path);

  g_assert_cmpint (lstat (f->path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  contents = tc_read (f->dir, "session.lock");
  g_assert_true (g_key_file_load_from_data (kf, contents, -1, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  host = g_key_file_get_string (kf, "Lock", "Host", NULL);
  boot = g_key_file_get_string (kf, "Lock", "BootId", NULL);
  token = g_key_file_get_string (kf, "Lock", "Token", NULL);
  g_assert_cmpstr (host, ==, sp_host_name ());
  g_assert_cmpint (g_key_file_get_int64 (kf, "Lock", "Pid", NULL), ==, getpid ());
  g_assert_cmpuint (g_key_file_get_uint64 (kf, "Lock", "PidStart", NULL), ==,
                    sp_pid_start_time (getpid ()));
  g_assert_cmpuint (g_key_file_get_uint64 (kf, "Lock", "PidStart", NULL), !=, 0);
  g_assert_cmpstr (boot, ==, sp_boot_id ());
  g_assert_true (g_uuid_string_is_valid (token));

  sp_lock_release (lock);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* The lock is made with O_EXCL: a dangling symlink at its path is not
 * followed to create the file it points to, and no lock is given. */
static void
test_acquire_dangling_symlink (Fixture       *f,
                               gconstpointer  user_data)
{
  g_autofree char *target = g_build_filename (f->dir, "elsewhere", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (symlink (target, f->path), ==, 0);
  g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_SYMLINK));
}

/* A lock path that is no plain file (a FIFO, a link to a device or to a
 * plain file) is not read through: a drive could otherwise hang or fill
 * the memory of every program that plays its game. It is refused with a
 * message naming it and left alone. */
static void
test_acquire_not_a_file (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autofree char *plain = g_build_filename (f->dir, "plain", NULL);
  const char *targets[] = { "/dev/zero", plain };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mkfifo (f->path, 0600), ==, 0);
  g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
  g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  g_assert_cmpint (unlink (f->path), ==, 0);

  /* garbage: stale if it were read through the link */
  tc_write (f->dir, "plain", "not a lock");
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_assert_cmpint (symlink (targets[i], f->path), ==, 0);
      g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
      g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, f->path));
      g_clear_error (&error);
      g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_SYMLINK));
      g_assert_cmpint (unlink (f->path), ==, 0);
    }
  {
    g_autofree char *still = tc_read (f->dir, "plain");
    g_assert_cmpstr (still, ==, "not a lock");
  }
}

/* A child process that takes the lock and holds it until @hold_fd closes. */
static pid_t
spawn_holder (const char *path,
              int        *out_hold_fd)
{
  int ready[2], hold[2];
  char c = 0;
  pid_t child;

  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (hold), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      SpLock *lock = sp_lock_acquire (path, "test", NULL);

      close (ready[0]);
      close (hold[1]);
      if (lock == NULL || write (ready[1], "y", 1) != 1)
        _exit (1);
      (void) read (hold[0], &c, 1);
      _exit (0);   /* dies holding it */
    }
  close (ready[1]);
  close (hold[0]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  close (ready[0]);
  *out_hold_fd = hold[1];
  return child;
}

/* Another live process of this computer holds the lock: a clear error
 * naming the thing and the holder's pid, and the file stays. The same
 * holder's pid with another start time (the pid was reused) or from
 * another boot is stale. Once the holder has died, its lock is taken over. */
static void
test_live_holder (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *held = NULL;
  g_autofree char *pid_text = NULL;
  guint64 start;
  int hold_fd, status;
  pid_t child;

  child = spawn_holder (f->path, &hold_fd);
  start = sp_pid_start_time (child);
  g_assert_cmpuint (start, !=, 0);
  held = tc_read (f->dir, "session.lock");
  pid_text = g_strdup_printf ("process %d ", (int) child);

  g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
  g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "The game “Test”"));
  g_assert_nonnull (strstr (error->message, pid_text));
  g_clear_error (&error);
  {
    g_autofree char *still = tc_read (f->dir, "session.lock");
    g_assert_cmpstr (still, ==, held);
  }

  /* The same fields by hand: still busy (the control of the next two). */
  {
    g_autofree char *same = lock_text (sp_host_name (), child, start, sp_boot_id ());

    write_lock (f, same);
    g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
    g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
    g_clear_error (&error);
  }
  /* The pid now belongs to another process. */
  {
    g_autofree char *reused = lock_text (sp_host_name (), child, start + 1, sp_boot_id ());

    write_lock (f, reused);
    assert_taken_over (f);
  }
  /* Left from before a reboot. */
  {
    g_autofree char *other_boot = lock_text (sp_host_name (), child, start,
                                             "00000000-1111-4222-8333-444444444444");

    g_assert_cmpstr (sp_boot_id (), !=, "00000000-1111-4222-8333-444444444444");
    write_lock (f, other_boot);
    assert_taken_over (f);
  }

  /* The holder dies: its lock is stale. */
  write_lock (f, held);
  close (hold_fd);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_taken_over (f);
}

/* An empty lock file is one whose writer is between create and write:
 * busy while fresh, stale once older than the grace time. */
static void
test_empty_lock (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  struct timespec old[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT }, { 0 } };

  write_lock (f, "");
  g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
  g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "being started"));
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));

  /* An hour old. */
  old[1].tv_sec = g_get_real_time () / G_USEC_PER_SEC - 3600;
  g_assert_cmpint (utimensat (AT_FDCWD, f->path, old, 0), ==, 0);
  assert_taken_over (f);

  /* Not a key file at all: nobody can hold it meaningfully. */
  write_lock (f, "\x01garbage without a group\n");
  assert_taken_over (f);
}

/* Release removes the lock only while it is still ours: not one that was
 * removed and taken by someone else meanwhile. */
static void
test_release_only_ours (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = lock_text ("elsewhere", 42, 7, "");
  SpLock *lock;

  lock = sp_lock_acquire (f->path, "The game “Test”", &error);
  g_assert_no_error (error);
  g_assert_cmpint (unlink (f->path), ==, 0);
  write_lock (f, other);
  sp_lock_release (lock);
  {
    g_autofree char *still = tc_read (f->dir, "session.lock");
    g_assert_cmpstr (still, ==, other);
  }
  g_assert_cmpint (unlink (f->path), ==, 0);

  /* Gone meanwhile: release is quiet and creates nothing. */
  lock = sp_lock_acquire (f->path, "The game “Test”", &error);
  g_assert_no_error (error);
  g_assert_cmpint (unlink (f->path), ==, 0);
  sp_lock_release (lock);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  /* Two locks of this process on two paths: each release removes its own. */
  {
    g_autofree char *second_path = g_build_filename (f->dir, "second.lock", NULL);
    SpLock *second;

    lock = sp_lock_acquire (f->path, "The game “Test”", &error);
    g_assert_no_error (error);
    second = sp_lock_acquire (second_path, "The game “Other”", &error);
    g_assert_no_error (error);
    sp_lock_release (lock);
    g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (second_path, G_FILE_TEST_IS_REGULAR));
    sp_lock_release (second);
    g_assert_false (g_file_test (second_path, G_FILE_TEST_EXISTS));
  }
}

/* Makes @dir read-only: a read-only bind mount of itself for root (who
 * ignores modes), the mode otherwise. FALSE if that is not possible here. */
static gboolean
make_read_only (const char *dir)
{
  if (geteuid () != 0)
    return chmod (dir, 0555) == 0;
  if (mount (dir, dir, NULL, MS_BIND, NULL) != 0)
    return FALSE;
  if (mount (NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
    {
      umount2 (dir, MNT_DETACH);
      return FALSE;
    }
  return TRUE;
}

static void
undo_read_only (const char *dir)
{
  if (geteuid () != 0)
    g_assert_cmpint (chmod (dir, 0755), ==, 0);
  else
    g_assert_cmpint (umount2 (dir, MNT_DETACH), ==, 0);
}

/* On a read-only drive no lock can be made: a clear error naming the lock
 * and what to check; a stale lock there is reported, not pretended away. */
static void
test_read_only (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stale = lock_text (sp_host_name (), 0, 0, sp_boot_id ());

  if (!make_read_only (f->dir))
    {
      g_test_skip ("cannot make a read-only folder here");
      return;
    }
  g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
  g_assert_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "writable"));
  g_clear_error (&error);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  undo_read_only (f->dir);

  /* A stale lock (pid 0: no process) that cannot be removed. */
  write_lock (f, stale);
  g_assert_true (make_read_only (f->dir));
  g_assert_null (sp_lock_acquire (f->path, "The game “Test”", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  undo_read_only (f->dir);
  {
    g_autofree char *still = tc_read (f->dir, "session.lock");
    g_assert_cmpstr (still, ==, stale);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* The read-only bind mounts stay in a mount namespace of our own. */
  if (geteuid () == 0)
    tc_private_mount_namespace ();

#define ADD(name, func) \
  g_test_add ("/lock/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("acquire-writes-owner", test_acquire_writes_owner);
  ADD ("acquire-dangling-symlink", test_acquire_dangling_symlink);
  ADD ("acquire-not-a-file", test_acquire_not_a_file);
  ADD ("live-holder", test_live_holder);
  ADD ("empty-lock", test_empty_lock);
  ADD ("release-only-ours", test_release_only_ours);
  ADD ("read-only", test_read_only);
#undef ADD

  return g_test_run ();
}
