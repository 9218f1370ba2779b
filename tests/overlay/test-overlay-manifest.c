/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The manifest of the first lower layer (SpOverlayOptions.manifest, the
 * standalone helper's -o manifest=): a drive that cannot store symlinks,
 * some names or mode bits keeps placeholders (an empty file for a link, an
 * escaped name such as "c%3A" for "c:") and the truth in base.manifest; the
 * merged view shows the truth, and copy-ups make the real thing in the
 * upper layer. A manifest comes from a drive: hostile ones are refused.
 * Real mounts; needs root and /dev/fuse. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "overlay/sp-overlay.h"
#include "overlay-fixture.h"

#define MANIFEST_HEAD "savepoint-manifest 1\n"

static void
put (const char *dir,
     const char *name,
     const char *contents,
     mode_t      mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (path, mode), ==, 0);
}

static char *
write_manifest (Fixture    *f,
                const char *text)
{
  char *path = g_build_filename (f->dir, "base.manifest", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A Wine prefix as an exFAT drive keeps it: dosdevices/c: and z: are empty
 * files with escaped names, a script lost its exec bit, a private file its
 * 0600. */
static void
fill_drive_like (Fixture *f)
{
  g_autofree char *dosdevices = g_build_filename (f->l1, "dosdevices", NULL);
  g_autofree char *drive_c = g_build_filename (f->l1, "drive_c", NULL);

  g_assert_cmpint (g_mkdir (dosdevices, 0777), ==, 0);
  g_assert_cmpint (g_mkdir (drive_c, 0777), ==, 0);
  put (dosdevices, "c%3A", "", 0777);
  put (dosdevices, "z%3A", "", 0777);
  put (drive_c, "start.sh", "#!/bin/sh\necho hi\n", 0644);
  put (f->l1, "secret.txt", "private", 0644);
  put (f->l1, "what%3F", "a question", 0644);
}

static const char good_manifest[] =
  MANIFEST_HEAD
  "path=dosdevices/c%253A name=c: link=../drive_c\n"
  "path=dosdevices/z%253A name=z: link=/\n"
  "path=drive_c/start.sh mode=755\n"
  "path=secret.txt mode=600\n"
  "path=what%253F name=what? mode=640\n";

static void
mount_with_manifest (Fixture    *f,
                     const char *manifest)
{
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;

  options.manifest = manifest;
  fixture_mount_with (f, &options);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* "NAME:TYPE" of every entry of PATH, sorted, space separated (TYPE: l, d
 * or f as readdir says). */
static char *
list_dir (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *de;
  DIR *d = opendir (path);

  g_assert_nonnull (d);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup_printf ("%s:%c", de->d_name,
                                               de->d_type == DT_LNK ? 'l'
                                               : de->d_type == DT_DIR ? 'd' : 'f'));
  closedir (d);
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static char *
at (const char *dir,
    const char *rel)
{
  return g_build_filename (dir, rel, NULL);
}

static mode_t
lmode (const char *dir,
       const char *rel)
{
  g_autofree char *path = at (dir, rel);
  struct stat st;

  if (lstat (path, &st) != 0)
    return 0;
  return st.st_mode;
}

static char *
link_of (const char *dir,
         const char *rel)
{
  g_autofree char *path = at (dir, rel);

  return g_file_read_link (path, NULL);
}

/* Placeholders are shown as links, escaped names as their real names,
 * recorded modes as the modes; the stored names are not there. */
static void
test_view (Fixture *f, gconstpointer data)
{
  g_autofree char *manifest = NULL;
  g_autofree char *dos = NULL, *root = NULL, *c = NULL, *z = NULL, *question = NULL;
  g_autofree char *through = NULL;
  struct stat st;
  mode_t c_mode, stored_mode, script_mode, secret_mode, question_mode;
  off_t c_size = -1;

  NEED_MOUNT (f);
  fill_drive_like (f);
  manifest = write_manifest (f, good_manifest);
  mount_with_manifest (f, manifest);

  {
    g_autofree char *dos_path = at (f->mnt, "dosdevices");

    dos = list_dir (dos_path);
    root = list_dir (f->mnt);
  }
  c = link_of (f->mnt, "dosdevices/c:");
  z = link_of (f->mnt, "dosdevices/z:");
  c_mode = lmode (f->mnt, "dosdevices/c:");
  {
    g_autofree char *p = at (f->mnt, "dosdevices/c:");

    if (lstat (p, &st) == 0)
      c_size = st.st_size;
  }
  stored_mode = lmode (f->mnt, "dosdevices/c%3A");
  script_mode = lmode (f->mnt, "drive_c/start.sh");
  secret_mode = lmode (f->mnt, "secret.txt");
  question_mode = lmode (f->mnt, "what?");
  {
    g_autofree char *p = at (f->mnt, "what?");

    g_file_get_contents (p, &question, NULL, NULL);
  }
  {
    /* The kernel follows the link inside the mount. */
    g_autofree char *p = at (f->mnt, "dosdevices/c:/start.sh");

    g_file_get_contents (p, &through, NULL, NULL);
  }
  fixture_unmount (f);

  g_assert_cmpstr (dos, ==, "c::l z::l");
  g_assert_cmpstr (root, ==, "dosdevices:d drive_c:d secret.txt:f what?:f");
  g_assert_true (S_ISLNK (c_mode));
  g_assert_cmpint (c_size, ==, strlen ("../drive_c"));
  g_assert_cmpstr (c, ==, "../drive_c");
  g_assert_cmpstr (z, ==, "/");
  g_assert_cmpuint (stored_mode, ==, 0);
  g_assert_cmpuint (script_mode, ==, S_IFREG | 0755);
  g_assert_cmpuint (secret_mode, ==, S_IFREG | 0600);
  g_assert_cmpuint (question_mode, ==, S_IFREG | 0640);
  g_assert_cmpstr (question, ==, "a question");
  g_assert_cmpstr (through, ==, "#!/bin/sh\necho hi\n");
}

/* Copy-ups make the real thing in the upper layer: a renamed placeholder
 * is a symlink, a written script keeps its recorded mode, a deleted
 * escaped name is whited out under its real name. */
static void
test_copy_up (Fixture *f, gconstpointer data)
{
  g_autofree char *manifest = NULL;
  g_autofree char *moved = NULL, *upper_link = NULL, *after = NULL;
  g_autofree char *from = NULL, *to = NULL, *script = NULL, *question = NULL;
  mode_t upper_script, old_name;
  int fd, renamed, removed;

  NEED_MOUNT (f);
  fill_drive_like (f);
  manifest = write_manifest (f, good_manifest);
  mount_with_manifest (f, manifest);

  from = at (f->mnt, "dosdevices/c:");
  to = at (f->mnt, "dosdevices/d:");
  renamed = rename (from, to);
  moved = link_of (f->mnt, "dosdevices/d:");
  old_name = lmode (f->mnt, "dosdevices/c:");
  script = at (f->mnt, "drive_c/start.sh");
  fd = open (script, O_WRONLY | O_APPEND);
  if (fd >= 0)
    {
      g_assert_cmpint (write (fd, "echo more\n", 10), ==, 10);
      close (fd);
    }
  question = at (f->mnt, "what?");
  removed = unlink (question);
  {
    g_autofree char *d = at (f->mnt, "dosdevices");
    g_autofree char *r = list_dir (f->mnt);

    g_autofree char *l = list_dir (d);

    after = g_strdup_printf ("%s | %s", r, l);
  }
  fixture_unmount (f);

  g_assert_cmpint (renamed, ==, 0);
  g_assert_cmpstr (moved, ==, "../drive_c");
  g_assert_cmpuint (old_name, ==, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (removed, ==, 0);
  g_assert_cmpstr (after, ==, "dosdevices:d drive_c:d secret.txt:f | d::l z::l");
  upper_link = link_of (f->upper, "dosdevices/d:");
  g_assert_cmpstr (upper_link, ==, "../drive_c");
  upper_script = lmode (f->upper, "drive_c/start.sh");
  g_assert_cmpuint (upper_script, ==, S_IFREG | 0755);
  /* The deletion is a whiteout for the real name, not the stored one. */
  g_assert_cmpuint (lmode (f->upper, "what?"), !=, 0);
  g_assert_cmpuint (lmode (f->upper, "what%3F"), ==, 0);
}

/* A manifest is data from a drive: anything but valid records makes the
 * mount fail, and nothing is mounted. */
static void
test_hostile (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "",
    "savepoint-manifest 2\npath=a mode=644\n",
    MANIFEST_HEAD "path=/etc/passwd mode=644\n",
    MANIFEST_HEAD "path=../outside mode=644\n",
    MANIFEST_HEAD "path=a/../../b mode=644\n",
    MANIFEST_HEAD "path=a/./b mode=644\n",
    MANIFEST_HEAD "path=a//b mode=644\n",
    MANIFEST_HEAD "path=a/ mode=644\n",
    MANIFEST_HEAD "path=.wh.secret mode=644\n",
    MANIFEST_HEAD "path=a name=b%2Fc\n",
    MANIFEST_HEAD "path=a name=..\n",
    MANIFEST_HEAD "path=a name=.wh.a\n",
    MANIFEST_HEAD "path=a mode=4755\n",
    MANIFEST_HEAD "path=a mode=7777\n",
    MANIFEST_HEAD "path=a mode=9\n",
    MANIFEST_HEAD "path=a mode=\n",
    MANIFEST_HEAD "path=a mode=-1\n",
    MANIFEST_HEAD "path=a owner=0\n",
    MANIFEST_HEAD "path=a%zz mode=644\n",
    MANIFEST_HEAD "path=a%00b mode=644\n",
    MANIFEST_HEAD "path=a%2 mode=644\n",
    MANIFEST_HEAD "path=a\tb mode=644\n",
    MANIFEST_HEAD "path=a mode=644\npath=a mode=600\n",
    MANIFEST_HEAD "path=x name=same\npath=y name=same\n",
    MANIFEST_HEAD "path=a\n",
    MANIFEST_HEAD "path=a name=\n",
    MANIFEST_HEAD "path=a link=/ mode=644\n",
    MANIFEST_HEAD "path=a mode=644 mode=600\n",
    MANIFEST_HEAD "path=a mode=644 \n",
    MANIFEST_HEAD "path=a  mode=644\n",
    MANIFEST_HEAD "mode=644\n",
    MANIFEST_HEAD "path=a mode=644",
    MANIFEST_HEAD "\n",
  };
  g_autofree char *manifest = NULL;

  NEED_MOUNT (f);
  fill_drive_like (f);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *lowers[] = { f->l1, f->l2, NULL };
      SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
      char *error = NULL;
      SpOverlay *ov;

      g_free (manifest);
      manifest = write_manifest (f, bad[i]);
      options.manifest = manifest;
      ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, &options, &error);
      if (ov != NULL)
        {
          sp_overlay_unmount (ov, NULL);
          g_error ("manifest %" G_GSIZE_FORMAT " was accepted: %s", i, bad[i]);
        }
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error, "manifest"));
      free (error);
    }

  /* Not a regular file, too large, missing. */
  {
    const char *lowers[] = { f->l1, f->l2, NULL };
    g_autofree char *big = at (f->dir, "big.manifest");
    g_autofree char *link = at (f->dir, "link.manifest");
    g_autofree char *missing = at (f->dir, "missing.manifest");
    const char *paths[] = { f->l1, big, link, missing };
    int fd;

    fd = open (big, O_WRONLY | O_CREAT | O_EXCL, 0644);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, MANIFEST_HEAD, strlen (MANIFEST_HEAD)), >, 0);
    g_assert_cmpint (ftruncate (fd, 64 * 1024 * 1024), ==, 0);
    close (fd);
    g_assert_cmpint (symlink (manifest, link), ==, 0);
    for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
        char *error = NULL;
        SpOverlay *ov;

        options.manifest = paths[i];
        ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, &options, &error);
        if (ov != NULL)
          {
            sp_overlay_unmount (ov, NULL);
            g_error ("manifest %s was accepted", paths[i]);
          }
        g_assert_nonnull (error);
        free (error);
      }
  }
}

/* The standalone helper takes -o manifest=FILE for its first lower dir. */
static void
test_helper (Fixture *f, gconstpointer data)
{
  const char *helper = g_getenv ("SP_OVERLAYFS");
  g_autofree char *manifest = NULL, *opts = NULL, *err = NULL, *c = NULL;
  g_autoptr(GError) error = NULL;
  mode_t script_mode;
  int status;

  NEED_MOUNT (f);
  if (helper == NULL)
    {
      g_test_skip ("needs SP_OVERLAYFS");
      return;
    }
  fill_drive_like (f);
  manifest = write_manifest (f, good_manifest);
  opts = g_strdup_printf ("lowerdir=%s:%s,upperdir=%s,workdir=%s,manifest=%s",
                          f->l1, f->l2, f->upper, f->work, manifest);
  {
    const char *argv[] = { helper, "savepoint", f->mnt, "-o", opts, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("savepoint-overlayfs -o %s failed: %s", opts, err);
  }
  c = link_of (f->mnt, "dosdevices/c:");
  script_mode = lmode (f->mnt, "drive_c/start.sh");
  {
    const char *argv[] = { "fusermount3", "-u", f->mnt, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_cmpstr (c, ==, "../drive_c");
  g_assert_cmpuint (script_mode, ==, S_IFREG | 0755);

  /* A bad manifest: the helper fails and says why. */
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *bad = write_manifest (f, MANIFEST_HEAD "path=../x mode=644\n");
    const char *argv[] = { helper, "savepoint", f->mnt, "-o", opts, NULL };

    (void) bad;
    g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "manifest"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/overlay/manifest/view", Fixture, NULL, fixture_setup, test_view, fixture_teardown);
  g_test_add ("/overlay/manifest/copy-up", Fixture, NULL, fixture_setup, test_copy_up,
              fixture_teardown);
  g_test_add ("/overlay/manifest/hostile", Fixture, NULL, fixture_setup, test_hostile,
              fixture_teardown);
  g_test_add ("/overlay/manifest/helper", Fixture, NULL, fixture_setup, test_helper,
              fixture_teardown);
  return g_test_run ();
}
