/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sp-util.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/write-atomic/replaces", test_write_atomic_replaces);
  g_test_add_func ("/util/write-atomic/missing-dir", test_write_atomic_missing_dir);
  g_test_add_func ("/util/write-atomic/full-disk", test_write_atomic_full_disk);
  g_test_add_func ("/util/remove-tree/read-only", test_remove_tree_readonly);
  g_test_add_func ("/util/format-duration", test_format_duration);
  g_test_add_func ("/util/open-regular-file", test_open_regular_file);
  return g_test_run ();
}
