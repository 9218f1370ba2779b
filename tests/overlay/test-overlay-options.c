/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mount options and process hygiene of the overlay, checked on real
 * mounts: the writeback switch reaches the kernel. */
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

typedef struct
{
  char      *dir;
  char      *lower;
  char      *upper;
  char      *work;
  char      *mnt;
  SpOverlay *ov;
} Fixture;

static int
rm_cb (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  int fd;

  if (geteuid () != 0 || (fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0)
    return;
  close (fd);
  f->dir = g_dir_make_tmp ("sp-test-overlay-options-XXXXXX", &error);
  g_assert_no_error (error);
  f->lower = g_build_filename (f->dir, "lower", NULL);
  f->upper = g_build_filename (f->dir, "upper", NULL);
  f->work = g_build_filename (f->dir, "work", NULL);
  f->mnt = g_build_filename (f->dir, "mnt", NULL);
  g_assert_cmpint (g_mkdir (f->lower, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->upper, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->work, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->mnt, 0755), ==, 0);
}

static void
fixture_mount (Fixture *f, const SpOverlayOptions *options)
{
  const char *lowers[] = { f->lower, NULL };
  char *error = NULL;

  f->ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, options, &error);
  g_assert_null (error);
  g_assert_nonnull (f->ov);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  char *error = NULL;

  if (f->dir == NULL)
    return;
  if (f->ov != NULL)
    {
      g_assert_cmpint (sp_overlay_unmount (f->ov, &error), ==, 0);
      g_assert_null (error);
    }
  nftw (f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
  g_free (f->dir);
  g_free (f->lower);
  g_free (f->upper);
  g_free (f->work);
  g_free (f->mnt);
}

#define NEED_MOUNT(f) \
  G_STMT_START { \
    if ((f)->dir == NULL) \
      { \
        g_test_skip ("needs root and /dev/fuse"); \
        return; \
      } \
  } G_STMT_END

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
  path = g_build_filename (f->lower, "old", NULL);
  g_file_set_contents (path, "lower data", -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);

  options.no_writeback = 1;
  fixture_mount (f, &options);

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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/overlay-options/no-writeback", test_no_writeback);
#undef ADD

  return g_test_run ();
}
