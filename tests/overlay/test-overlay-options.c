/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mount options and process hygiene of the overlay, checked on real
 * mounts: the writeback switch reaches the kernel, no descriptor of the
 * overlay leaks into processes started while it is mounted, files open
 * through symlinks and hard links, and savepoint-overlayfs takes escaped
 * commas in its -o options. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "overlay/sp-overlay.h"
#include "overlay-fixture.h"


/* Without the writeback cache a write() is in the upper file when it
 * returns: nothing is left for a kill -9 of the serving process to lose. */
static void
test_no_writeback (Fixture *f, gconstpointer data)
{
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
  g_autofree char *path = NULL;
  g_autofree char *upper_path = NULL;
  g_autofree char *seen1 = NULL;
  g_autofree char *seen2 = NULL;
  g_autofree char *seen3 = NULL;
  g_autoptr(GError) error = NULL;
  gssize n1, n2;
  static const char data1[] = "saved at checkpoint 1";
  static const char data2[] = " and more";
  int fd;

  NEED_MOUNT (f);
  path = g_build_filename (f->l1, "old", NULL);
  g_file_set_contents (path, "lower data", -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);

  options.no_writeback = 1;
  fixture_mount_with (f, &options);

  /* A new file and a copied-up lower one, still open.  What the upper
   * files hold is read first and checked after closing: a failed check
   * must not end the process while it holds a file of its own mount. */
  path = g_build_filename (f->mnt, "new", NULL);
  upper_path = g_build_filename (f->upper, "new", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  n1 = write (fd, data1, strlen (data1));
  g_file_get_contents (upper_path, &seen1, NULL, NULL);
  n2 = write (fd, data2, strlen (data2));
  g_file_get_contents (upper_path, &seen2, NULL, NULL);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpint (n1, ==, (gssize) strlen (data1));
  g_assert_cmpint (n2, ==, (gssize) strlen (data2));
  g_assert_cmpstr (seen1, ==, data1);
  g_assert_cmpstr (seen2, ==, "saved at checkpoint 1 and more");

  g_clear_pointer (&path, g_free);
  g_clear_pointer (&upper_path, g_free);
  path = g_build_filename (f->mnt, "old", NULL);
  upper_path = g_build_filename (f->upper, "old", NULL);
  fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  n1 = write (fd, "+", 1);
  g_file_get_contents (upper_path, &seen3, NULL, NULL);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpint (n1, ==, 1);
  g_assert_cmpstr (seen3, ==, "lower data+");
}

/* Runs `ls -l /proc/self/fd` as a plain fork+exec that inherits every
 * descriptor not marked close-on-exec (as fusermount3, or a game started
 * without closing descriptors, would) and returns its output. */
static char *
child_fds (void)
{
  GString *out = g_string_new (NULL);
  int p[2];
  pid_t pid;
  char buf[4096];
  ssize_t n;
  int status;

  g_assert_cmpint (pipe2 (p, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* dup2 clears close-on-exec on the copy: stdout stays open. */
      dup2 (p[1], STDOUT_FILENO);
      execlp ("ls", "ls", "-l", "/proc/self/fd", (char *) NULL);
      _exit (127);
    }
  close (p[1]);
  while ((n = read (p[0], buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  close (p[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return g_string_free (out, FALSE);
}

/* The descriptors a child sees, "N -> target" each, leaving out the one
 * ls reads /proc/self/fd with and its standard output. */
static GPtrArray *
child_fd_set (void)
{
  g_autofree char *listing = child_fds ();
  g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);
  GPtrArray *set = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *arrow = strstr (lines[i], " -> ");
      const char *start;

      if (arrow == NULL || g_str_has_prefix (arrow + 4, "/proc/"))
        continue;
      start = arrow;
      while (start > lines[i] && start[-1] != ' ')
        start--;
      /* Standard output is the pipe we read, a new one each time. */
      if (g_str_has_prefix (start, "1 -> "))
        continue;
      g_ptr_array_add (set, g_strdup (start));
    }
  return set;
}

static gboolean
set_has (GPtrArray *set, const char *entry)
{
  for (guint i = 0; i < set->len; i++)
    if (strcmp (g_ptr_array_index (set, i), entry) == 0)
      return TRUE;
  return FALSE;
}

/* Every descriptor of the overlay (layers, nodes, open files, the FUSE
 * device) is close-on-exec: none reaches fusermount3 or the game. */
static void
test_no_leaked_descriptors (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autofree char *link_path = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  int fd;

  NEED_MOUNT (f);
  path = g_build_filename (f->l1, "dir", NULL);
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  g_clear_pointer (&path, g_free);
  {
    g_autofree char *bytes = g_strnfill (65536, 'd');
    g_autoptr(GError) error = NULL;

    path = g_build_filename (f->l1, "dir", "data", NULL);
    g_file_set_contents (path, bytes, -1, &error);
    g_assert_no_error (error);
    g_clear_pointer (&path, g_free);
  }

  /* What the test process itself passes on (its own standard streams and
   * whatever its parent left open). */
  before = child_fd_set ();
  g_assert_cmpuint (before->len, >=, 2);

  fixture_mount_with (f, NULL);
  /* Make the overlay hold node descriptors of each kind: merged
   * directories, an open file, a hard-linked upper file. */
  path = g_build_filename (f->mnt, "dir", "file", NULL);
  link_path = g_build_filename (f->mnt, "dir", "link", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (link (path, link_path), ==, 0);
  /* Reads are served by splicing through pipes. */
  {
    g_autofree char *read_path = g_build_filename (f->mnt, "dir", "data", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;

    g_file_get_contents (read_path, &contents, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (strlen (contents), ==, 65536);
  }

  after = child_fd_set ();
  close (fd);
  for (guint i = 0; i < after->len; i++)
    if (!set_has (before, g_ptr_array_index (after, i)))
      g_error ("a descriptor of the overlay leaked into a child process: %s",
               (char *) g_ptr_array_index (after, i));
}

/* Opening files the ways programs do: through symlinks inside the mount
 * (Wine's dosdevices/z: -> /, relative links to lower and upper targets)
 * and with O_NOFOLLOW on a file hard-linked in the upper layer (reached
 * through a /proc magic link inside the overlay). */
static void
test_open_through_links (Fixture *f, gconstpointer data)
{
  g_autofree char *lower_file = g_build_filename (f->l1, "drive_c", "game.ini", NULL);
  g_autofree char *lower_dir = g_build_filename (f->l1, "drive_c", NULL);
  g_autofree char *devices = g_build_filename (f->l1, "dosdevices", NULL);
  g_autofree char *c_link = g_build_filename (f->l1, "dosdevices", "c:", NULL);
  g_autofree char *z_link = g_build_filename (f->l1, "dosdevices", "z:", NULL);
  g_autoptr(GError) error = NULL;
  static const char *const paths[] = {
    "dosdevices/c:/game.ini",           /* relative symlink to a lower dir */
    "dosdevices/z:%s/drive_c/game.ini", /* absolute symlink to /, back into the mount */
    "hard",                             /* upper hard link, O_NOFOLLOW */
    "hard2",
  };
  int fd;

  NEED_MOUNT (f);
  g_assert_cmpint (g_mkdir (lower_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (devices, 0755), ==, 0);
  g_file_set_contents (lower_file, "[game]", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (symlink ("../drive_c", c_link), ==, 0);
  g_assert_cmpint (symlink ("/", z_link), ==, 0);
  fixture_mount_with (f, NULL);

  {
    g_autofree char *hard = g_build_filename (f->mnt, "hard", NULL);
    g_autofree char *hard2 = g_build_filename (f->mnt, "hard2", NULL);

    g_file_set_contents (hard, "[game]", -1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (link (hard, hard2), ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *rel = g_strdup_printf (paths[i], f->mnt);
      g_autofree char *path = g_build_filename (f->mnt, rel, NULL);
      char buf[16] = { 0 };
      gssize n;

      fd = open (path, O_RDONLY | O_CLOEXEC | (g_str_has_prefix (rel, "hard") ? O_NOFOLLOW : 0));
      if (fd < 0)
        g_error ("open %s: %s", path, g_strerror (errno));
      n = read (fd, buf, sizeof buf - 1);
      g_assert_cmpint (close (fd), ==, 0);
      /* The previous iteration appended to the same file. */
      g_assert_cmpint (n, ==, 6 + i % 2);
      g_assert_true (g_str_has_prefix (buf, "[game]"));

      /* Writing through the same path copies the target up. */
      fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      n = write (fd, "!", 1);
      g_assert_cmpint (close (fd), ==, 0);
      g_assert_cmpint (n, ==, 1);
    }
  {
    g_autofree char *upper_file = g_build_filename (f->upper, "drive_c", "game.ini", NULL);
    g_autofree char *contents = NULL;

    g_file_get_contents (upper_file, &contents, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (contents, ==, "[game]!!");
  }
}

/* savepoint-overlayfs splits -o at commas but not at escaped ones, as
 * mount(8) options are written: a lower dir whose path holds a comma is
 * given as "\," and mounted. */
static void
test_escaped_comma (Fixture *f, gconstpointer data)
{
  const char *helper = g_getenv ("SP_OVERLAYFS");
  g_autofree char *comma_dir = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *opts = NULL;
  g_autofree char *err = NULL;
  g_autofree char *top = NULL;
  g_autofree char *bottom = NULL;
  g_autofree char *upper_copy = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  gboolean mounted, written;
  int status;

  NEED_MOUNT (f);
  if (helper == NULL)
    {
      g_test_skip ("needs SP_OVERLAYFS");
      return;
    }
  comma_dir = fixture_mkdir (f, "saves, old");
  {
    g_autofree char *p1 = g_build_filename (comma_dir, "top", NULL);
    g_autofree char *p2 = g_build_filename (f->l2, "bottom", NULL);

    g_file_set_contents (p1, "from the lower with a comma", -1, &error);
    g_assert_no_error (error);
    g_file_set_contents (p2, "from the second lower", -1, &error);
    g_assert_no_error (error);
  }
  parts = g_strsplit (comma_dir, ",", -1);
  escaped = g_strjoinv ("\\,", parts);
  opts = g_strdup_printf ("rw,lowerdir=%s:%s,upperdir=%s,workdir=%s",
                          escaped, f->l2, f->upper, f->work);
  {
    const char *argv[] = { helper, "savepoint", f->mnt, "-o", opts, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    mounted = g_spawn_check_wait_status (status, NULL);
  }
  if (!mounted)
    g_error ("savepoint-overlayfs -o %s failed: %s", opts, err);

  /* Read everything first and unmount before checking: a failed check
   * must not leave the mount behind. */
  {
    g_autofree char *p1 = g_build_filename (f->mnt, "top", NULL);
    g_autofree char *p2 = g_build_filename (f->mnt, "bottom", NULL);
    g_autofree char *p3 = g_build_filename (f->mnt, "top", NULL);

    g_file_get_contents (p1, &top, NULL, NULL);
    g_file_get_contents (p2, &bottom, NULL, NULL);
    written = g_file_set_contents (p3, "changed", -1, NULL);
  }
  {
    const char *argv[] = { "fusermount3", "-u", f->mnt, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_cmpstr (top, ==, "from the lower with a comma");
  g_assert_cmpstr (bottom, ==, "from the second lower");
  g_assert_true (written);
  {
    g_autofree char *p = g_build_filename (f->upper, "top", NULL);

    g_file_get_contents (p, &upper_copy, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (upper_copy, ==, "changed");
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/overlay-options/no-writeback", test_no_writeback);
  ADD ("/overlay-options/no-leaked-descriptors", test_no_leaked_descriptors);
  ADD ("/overlay-options/open-through-links", test_open_through_links);
  ADD ("/overlay-options/escaped-comma", test_escaped_comma);
#undef ADD

  return g_test_run ();
}
