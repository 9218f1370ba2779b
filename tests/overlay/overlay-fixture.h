/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fixture of the overlay tests: a temporary dir with two lower layers
 * (l1 above l2), upper/, work/ and mnt/, and the overlay mounted on mnt/.
 * Tests that need a mount begin with NEED_MOUNT (f): without root and
 * /dev/fuse the fixture is empty and the test is skipped. */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "overlay/sp-overlay.h"

typedef struct
{
  char      *dir;
  char      *l1;
  char      *l2;
  char      *upper;
  char      *work;
  char      *mnt;
  SpOverlay *ov;
} Fixture;

static gboolean
can_mount (void)
{
  int fd;

  if (geteuid () != 0)
    return FALSE;
  fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static char *
fixture_mkdir (Fixture *f, const char *name)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  return path;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!can_mount ())
    return;
  f->dir = g_dir_make_tmp ("sp-test-overlay-XXXXXX", &error);
  g_assert_no_error (error);
  f->l1 = fixture_mkdir (f, "l1");
  f->l2 = fixture_mkdir (f, "l2");
  f->upper = fixture_mkdir (f, "upper");
  f->work = fixture_mkdir (f, "work");
  f->mnt = fixture_mkdir (f, "mnt");
}

/* Mounts l1 over l2 with @options (NULL: the defaults). */
static void
fixture_mount_with (Fixture *f, const SpOverlayOptions *options)
{
  const char *lowers[] = { f->l1, f->l2, NULL };
  char *error = NULL;

  f->ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, options, &error);
  g_assert_null (error);
  g_assert_nonnull (f->ov);
}

static void
fixture_unmount (Fixture *f)
{
  char *error = NULL;

  g_assert_cmpint (sp_overlay_unmount (f->ov, &error), ==, 0);
  g_assert_null (error);
  f->ov = NULL;
}

static int
fixture_rm_cb (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->dir == NULL)
    return;
  if (f->ov != NULL)
    fixture_unmount (f);
  nftw (f->dir, fixture_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
  g_free (f->dir);
  g_free (f->l1);
  g_free (f->l2);
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
