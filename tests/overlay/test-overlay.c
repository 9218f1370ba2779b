/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The overlay mounted for real: operations through the mount, checked in
 * the merged view and in the upper directory. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "overlay/sp-overlay.h"
#include "overlay-fixture.h"

static char *
path_in (const char *dir, const char *rel)
{
  return g_build_filename (dir, rel, NULL);
}

static void
put (const char *dir, const char *rel, const char *contents)
{
  g_autofree char *path = path_in (dir, rel);
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
get (const char *dir, const char *rel)
{
  g_autofree char *path = path_in (dir, rel);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
mkdir_in (const char *dir, const char *rel)
{
  g_autofree char *path = path_in (dir, rel);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

/* Writes through a plain open/write/close, not a rename. */
static void
write_in_place (const char *dir, const char *rel, const char *contents, int flags)
{
  g_autofree char *path = path_in (dir, rel);
  int fd = open (path, O_WRONLY | O_CREAT | flags, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, strlen (contents)), ==, (gssize) strlen (contents));
  g_assert_cmpint (close (fd), ==, 0);
}

static gboolean
exists (const char *dir, const char *rel)
{
  g_autofree char *path = path_in (dir, rel);
  struct stat st;

  return lstat (path, &st) == 0;
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static GPtrArray *
list_dir (const char *dir, const char *rel)
{
  g_autofree char *path = path_in (dir, rel);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  DIR *d = opendir (path);
  struct dirent *de;

  g_assert_nonnull (d);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (de->d_name));
  closedir (d);
  g_ptr_array_sort (names, cmp_names);
  return names;
}

static char *
listing (const char *dir, const char *rel)
{
  g_autoptr(GPtrArray) names = list_dir (dir, rel);

  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
fixture_mount (Fixture *f)
{
  fixture_mount_with (f, NULL);
}

static void
test_mount_errors (Fixture *f, gconstpointer data)
{
  const char *lowers[] = { "/nonexistent-sp-lower", NULL };
  char *error = NULL;
  SpOverlay *ov;

  NEED_MOUNT (f);
  ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, NULL, &error);
  g_assert_null (ov);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "/nonexistent-sp-lower"));
  g_assert_nonnull (strstr (error, "No such file"));
  free (error);
  error = NULL;

  lowers[0] = f->l1;
  ov = sp_overlay_mount (lowers, "/nonexistent-sp-upper", f->work, f->mnt, NULL, &error);
  g_assert_null (ov);
  g_assert_nonnull (strstr (error, "upper dir /nonexistent-sp-upper"));
  free (error);
}

static void
test_lookup_merge (Fixture *f, gconstpointer data)
{
  g_autofree char *s = NULL;
  struct stat st;
  g_autofree char *p = NULL;

  NEED_MOUNT (f);
  put (f->l2, "only2", "two");
  put (f->l2, "both", "from l2");
  put (f->l1, "both", "from l1");
  put (f->l1, "d/a", "l1 a");
  put (f->l2, "d/b", "l2 b");
  put (f->l2, "d/gone", "hidden by a whiteout");
  put (f->l2, "opq/old", "hidden by an opaque dir");
  put (f->upper, "up", "upper");
  mkdir_in (f->upper, "d");
  mkdir_in (f->upper, "opq");
  p = path_in (f->upper, "d/gone");
  g_assert_cmpint (mknod (p, S_IFCHR, makedev (0, 0)), ==, 0);
  g_free (p);
  p = path_in (f->upper, "opq");
  g_assert_cmpint (setxattr (p, "user.overlay.opaque", "y", 1, 0), ==, 0);
  put (f->upper, "opq/new", "new");
  fixture_mount (f);

  s = listing (f->mnt, "");
  g_assert_cmpstr (s, ==, "both d only2 opq up");
  g_free (s);
  s = listing (f->mnt, "d");
  g_assert_cmpstr (s, ==, "a b");
  g_free (s);
  s = listing (f->mnt, "opq");
  g_assert_cmpstr (s, ==, "new");
  g_free (s);
  s = get (f->mnt, "both");
  g_assert_cmpstr (s, ==, "from l1");
  g_free (s);
  s = get (f->mnt, "d/b");
  g_assert_cmpstr (s, ==, "l2 b");
  g_assert_false (exists (f->mnt, "d/gone"));
  g_assert_false (exists (f->mnt, "opq/old"));

  /* "." and ".." are listed, and inode numbers stay the same. */
  g_free (p);
  p = path_in (f->mnt, "d/a");
  g_assert_cmpint (stat (p, &st), ==, 0);
  {
    struct stat again;
    DIR *d;
    struct dirent *de;
    gboolean dot = FALSE, dotdot = FALSE;

    g_assert_cmpint (stat (p, &again), ==, 0);
    g_assert_cmpuint (st.st_ino, ==, again.st_ino);
    g_assert_cmpuint (st.st_dev, ==, again.st_dev);
    d = opendir (f->mnt);
    while ((de = readdir (d)) != NULL)
      {
        dot |= strcmp (de->d_name, ".") == 0;
        dotdot |= strcmp (de->d_name, "..") == 0;
      }
    closedir (d);
    g_assert_true (dot && dotdot);
  }
}

static void
test_readdir_offsets (Fixture *f, gconstpointer data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DIR *d;
  struct dirent *de;
  long pos = -1;
  char *at_pos = NULL;
  int n = 0;

  NEED_MOUNT (f);
  for (int i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("d/f%03d", i);

      put (i % 2 ? f->l1 : f->l2, name, "x");
    }
  put (f->upper, "d/f000", "upper copy");
  fixture_mount (f);

  d = opendir (f->mnt);
  g_assert_nonnull (d);
  closedir (d);
  {
    g_autofree char *p = path_in (f->mnt, "d");

    d = opendir (p);
  }
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      g_assert_false (g_hash_table_contains (seen, de->d_name));
      g_hash_table_add (seen, g_strdup (de->d_name));
      if (++n == 150)
        {
          pos = telldir (d);
          de = readdir (d);
          at_pos = g_strdup (de->d_name);
          g_hash_table_add (seen, g_strdup (de->d_name));
        }
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 300);
  /* Creating entries does not move what a saved position points to. */
  write_in_place (f->mnt, "d/zz-new", "n", 0);
  seekdir (d, pos);
  de = readdir (d);
  g_assert_nonnull (de);
  g_assert_cmpstr (de->d_name, ==, at_pos);
  closedir (d);
  g_free (at_pos);
}

static void
test_copy_up_preserves (Fixture *f, gconstpointer data)
{
  g_autofree char *lp = path_in (f->l2, "dir/file");
  g_autofree char *mp = NULL;
  g_autofree char *up = NULL;
  g_autofree char *s = NULL;
  struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
  struct stat st, lst;
  char value[16];
  ssize_t n;

  NEED_MOUNT (f);
  mp = path_in (f->mnt, "dir/file");
  up = path_in (f->upper, "dir/file");
  put (f->l2, "dir/file", "lower data");
  g_assert_cmpint (chmod (lp, 0640), ==, 0);
  g_assert_cmpint (lsetxattr (lp, "user.test", "v1", 2, 0), ==, 0);
  g_assert_cmpint (utimensat (AT_FDCWD, lp, times, 0), ==, 0);
  {
    g_autofree char *ld = path_in (f->l2, "dir");

    g_assert_cmpint (chmod (ld, 0750), ==, 0);
    g_assert_cmpint (lsetxattr (ld, "user.dir", "dv", 2, 0), ==, 0);
  }
  g_assert_cmpint (stat (lp, &lst), ==, 0);
  put (f->l2, "dir/other", "other");
  put (f->l2, "appended", "abc");
  put (f->l2, "truncated", "old contents");
  fixture_mount (f);

  /* Reading copies nothing. */
  s = get (f->mnt, "dir/file");
  g_assert_cmpstr (s, ==, "lower data");
  g_assert_false (exists (f->upper, "dir"));

  /* A metadata change copies up with data, mode, times and xattrs. */
  g_assert_cmpint (stat (mp, &st), ==, 0);
  g_assert_cmpint (lsetxattr (mp, "user.other", "v2", 2, 0), ==, 0);
  g_assert_cmpint (stat (up, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, 1000000000);
  n = lgetxattr (up, "user.test", value, sizeof value);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpmem (value, 2, "v1", 2);
  g_free (s);
  s = get (f->upper, "dir/file");
  g_assert_cmpstr (s, ==, "lower data");
  {
    g_autofree char *ud = path_in (f->upper, "dir");

    g_assert_cmpint (stat (ud, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0750);
    g_assert_cmpint (lgetxattr (ud, "user.dir", value, sizeof value), ==, 2);
  }

  /* The inode number does not change with the copy-up. */
  g_assert_cmpint (stat (mp, &st), ==, 0);
  {
    struct stat before;
    g_autofree char *mp2 = path_in (f->mnt, "dir/other");

    g_assert_cmpint (stat (mp2, &before), ==, 0);
    g_assert_cmpint (chmod (mp2, 0600), ==, 0);
    g_assert_cmpint (stat (mp2, &st), ==, 0);
    g_assert_cmpuint (before.st_ino, ==, st.st_ino);
    g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  }

  /* Writes copy up; O_TRUNC skips the old data. */
  write_in_place (f->mnt, "appended", "def", O_APPEND);
  write_in_place (f->mnt, "truncated", "new", O_TRUNC);
  g_free (s);
  s = get (f->mnt, "appended");
  g_assert_cmpstr (s, ==, "abcdef");
  g_free (s);
  s = get (f->mnt, "truncated");
  g_assert_cmpstr (s, ==, "new");
  g_free (s);
  s = get (f->l2, "truncated");
  g_assert_cmpstr (s, ==, "old contents");

  /* Internal xattrs are never shown; a user's xattrs in that namespace
   * are stored escaped, as the kernel overlay does. */
  g_assert_cmpint (lsetxattr (up, "user.overlay.origin", "o", 1, 0), ==, 0);
  g_assert_cmpint (lsetxattr (mp, "user.overlay.mine", "m", 1, 0), ==, 0);
  g_assert_cmpint (lgetxattr (up, "user.overlay.overlay.mine", value, sizeof value), ==, 1);
  g_assert_cmpint (lgetxattr (mp, "user.overlay.mine", value, sizeof value), ==, 1);
  g_assert_cmpint (lgetxattr (mp, "user.overlay.origin", value, sizeof value), ==, -1);
  g_assert_cmpint (errno, ==, ENODATA);
  {
    char list[256];
    ssize_t len = llistxattr (mp, list, sizeof list);
    gboolean mine = FALSE;

    g_assert_cmpint (len, >, 0);
    for (ssize_t o = 0; o < len; o += strlen (list + o) + 1)
      {
        g_assert_cmpstr (list + o, !=, "user.overlay.origin");
        g_assert_false (g_str_has_prefix (list + o, "user.overlay.overlay."));
        mine |= strcmp (list + o, "user.overlay.mine") == 0;
      }
    g_assert_true (mine);
  }

  /* Nothing half-copied is left in the work dir. */
  {
    g_autofree char *w = listing (f->work, "");

    g_assert_cmpstr (w, ==, "");
  }
}

static void
test_whiteout_and_opaque (Fixture *f, gconstpointer data)
{
  g_autofree char *wh = NULL;
  g_autofree char *s = NULL;
  struct stat st;
  char value[4];

  NEED_MOUNT (f);
  put (f->l1, "victim", "v");
  put (f->l2, "dir/a", "a");
  put (f->l1, "dir/b", "b");
  fixture_mount (f);

  wh = path_in (f->mnt, "victim");
  g_assert_cmpint (unlink (wh), ==, 0);
  g_free (wh);
  wh = path_in (f->upper, "victim");
  g_assert_cmpint (lstat (wh, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (st.st_rdev, ==, makedev (0, 0));
  g_assert_false (exists (f->mnt, "victim"));
  s = listing (f->mnt, "");
  g_assert_cmpstr (s, ==, "dir");

  /* The name can be created again. */
  write_in_place (f->mnt, "victim", "reborn", 0);
  g_free (s);
  s = get (f->mnt, "victim");
  g_assert_cmpstr (s, ==, "reborn");
  g_assert_cmpint (lstat (wh, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));

  /* rmdir checks emptiness across layers. */
  {
    g_autofree char *d = path_in (f->mnt, "dir");
    g_autofree char *a = path_in (f->mnt, "dir/a");
    g_autofree char *b = path_in (f->mnt, "dir/b");

    g_assert_cmpint (rmdir (d), ==, -1);
    g_assert_cmpint (errno, ==, ENOTEMPTY);
    g_assert_cmpint (unlink (a), ==, 0);
    g_assert_cmpint (rmdir (d), ==, -1);
    g_assert_cmpint (errno, ==, ENOTEMPTY);
    g_assert_cmpint (unlink (b), ==, 0);
    g_assert_cmpint (rmdir (d), ==, 0);
    g_assert_false (exists (f->mnt, "dir"));

    /* mkdir over the whiteout makes an opaque directory. */
    g_assert_cmpint (mkdir (d, 0700), ==, 0);
    g_free (s);
    s = listing (f->mnt, "dir");
    g_assert_cmpstr (s, ==, "");
    g_free (wh);
    wh = path_in (f->upper, "dir");
    g_assert_cmpint (lstat (wh, &st), ==, 0);
    g_assert_true (S_ISDIR (st.st_mode));
    g_assert_cmpint (st.st_mode & 07777, ==, 0700);
    g_assert_cmpint (lgetxattr (wh, "user.overlay.opaque", value, sizeof value), ==, 1);
    g_assert_cmpint (value[0], ==, 'y');
    g_assert_cmpint (lgetxattr (d, "user.overlay.opaque", value, sizeof value), ==, -1);
    g_assert_cmpint (errno, ==, ENODATA);
  }
}

static void
test_rename (Fixture *f, gconstpointer data)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *u = NULL, *s = NULL;
  struct stat st;

  NEED_MOUNT (f);
  put (f->l2, "lowerdir/x", "x");
  put (f->l2, "a", "A");
  put (f->l1, "b", "B");
  put (f->l1, "c", "C");
  fixture_mount (f);
  a = path_in (f->mnt, "a");
  b = path_in (f->mnt, "b");
  c = path_in (f->mnt, "c");
  d = path_in (f->mnt, "lowerdir");

  /* A directory from a lower layer cannot be renamed. */
  u = path_in (f->mnt, "moved");
  g_assert_cmpint (rename (d, u), ==, -1);
  g_assert_cmpint (errno, ==, EXDEV);

  /* A lower file over another: the source leaves a whiteout. */
  g_assert_cmpint (rename (a, b), ==, 0);
  s = get (f->mnt, "b");
  g_assert_cmpstr (s, ==, "A");
  g_assert_false (exists (f->mnt, "a"));
  g_free (u);
  u = path_in (f->upper, "a");
  g_assert_cmpint (lstat (u, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));

  /* RENAME_NOREPLACE and RENAME_EXCHANGE. */
  g_assert_cmpint (renameat2 (AT_FDCWD, b, AT_FDCWD, c, RENAME_NOREPLACE), ==, -1);
  g_assert_cmpint (errno, ==, EEXIST);
  g_assert_cmpint (renameat2 (AT_FDCWD, b, AT_FDCWD, c, RENAME_EXCHANGE), ==, 0);
  g_free (s);
  s = get (f->mnt, "b");
  g_assert_cmpstr (s, ==, "C");
  g_free (s);
  s = get (f->mnt, "c");
  g_assert_cmpstr (s, ==, "A");
  g_assert_cmpint (renameat2 (AT_FDCWD, c, AT_FDCWD, a, RENAME_NOREPLACE), ==, 0);
  g_free (s);
  s = get (f->mnt, "a");
  g_assert_cmpstr (s, ==, "A");

  /* A new directory can be renamed, with its contents. */
  {
    g_autofree char *nd = path_in (f->mnt, "newdir");
    g_autofree char *nd2 = path_in (f->mnt, "newdir2");

    g_assert_cmpint (mkdir (nd, 0755), ==, 0);
    write_in_place (f->mnt, "newdir/in", "in", 0);
    g_assert_cmpint (rename (nd, nd2), ==, 0);
    g_free (s);
    s = get (f->mnt, "newdir2/in");
    g_assert_cmpstr (s, ==, "in");
    g_assert_false (exists (f->mnt, "newdir"));
  }
}

static void
test_links_and_specials (Fixture *f, gconstpointer data)
{
  g_autofree char *a = NULL, *b = NULL, *s = NULL, *l = NULL, *p = NULL;
  struct stat sa, sb, before;
  char target[64];
  ssize_t n;

  NEED_MOUNT (f);
  put (f->l1, "orig", "data");
  put (f->l2, "h1", "lower link");
  {
    g_autofree char *h1 = path_in (f->l2, "h1");
    g_autofree char *h2 = path_in (f->l2, "h2");

    g_assert_cmpint (link (h1, h2), ==, 0);
  }
  fixture_mount (f);

  /* Hard links inside a lower layer: one number while untouched; writing
   * one copies it up alone (as the kernel overlay without index does). */
  {
    g_autofree char *h1 = path_in (f->mnt, "h1");
    g_autofree char *h2 = path_in (f->mnt, "h2");
    g_autofree char *c2 = NULL;

    g_assert_cmpint (stat (h1, &sa), ==, 0);
    g_assert_cmpint (stat (h2, &sb), ==, 0);
    g_assert_cmpuint (sa.st_ino, ==, sb.st_ino);
    g_assert_cmpuint (sa.st_nlink, ==, 2);
    write_in_place (f->mnt, "h1", "changed", O_TRUNC);
    c2 = get (f->mnt, "h2");
    g_assert_cmpstr (c2, ==, "lower link");
  }
  a = path_in (f->mnt, "orig");
  b = path_in (f->mnt, "link");
  g_assert_cmpint (stat (a, &before), ==, 0);
  g_assert_cmpint (link (a, b), ==, 0);
  g_assert_cmpint (stat (a, &sa), ==, 0);
  g_assert_cmpint (stat (b, &sb), ==, 0);
  g_assert_cmpuint (sa.st_ino, ==, sb.st_ino);
  g_assert_cmpuint (sa.st_ino, ==, before.st_ino);
  g_assert_cmpuint (sa.st_nlink, ==, 2);
  g_assert_cmpuint (sb.st_nlink, ==, 2);
  write_in_place (f->mnt, "link", "DATA", 0);
  s = get (f->mnt, "orig");
  g_assert_cmpstr (s, ==, "DATA");
  g_assert_cmpint (unlink (a), ==, 0);
  g_assert_cmpint (stat (b, &sb), ==, 0);
  g_assert_cmpuint (sb.st_nlink, ==, 1);
  write_in_place (f->mnt, "link", "again", O_TRUNC);
  g_free (s);
  s = get (f->mnt, "link");
  g_assert_cmpstr (s, ==, "again");

  /* Symlinks, relative and absolute. */
  l = path_in (f->mnt, "rel");
  g_assert_cmpint (symlink ("link", l), ==, 0);
  n = readlink (l, target, sizeof target);
  g_assert_cmpint (n, ==, 4);
  g_assert_cmpmem (target, 4, "link", 4);
  g_free (s);
  s = get (f->mnt, "rel");
  g_assert_cmpstr (s, ==, "again");
  g_free (l);
  l = path_in (f->mnt, "abs");
  g_assert_cmpint (symlink ("/etc/hostname-sp-none", l), ==, 0);
  n = readlink (l, target, sizeof target);
  g_assert_cmpint (n, ==, 21);

  /* FIFOs. */
  p = path_in (f->mnt, "fifo");
  g_assert_cmpint (mkfifo (p, 0600), ==, 0);
  g_assert_cmpint (lstat (p, &sa), ==, 0);
  g_assert_true (S_ISFIFO (sa.st_mode));
}

static void
test_mmap_and_data (Fixture *f, gconstpointer data)
{
  g_autofree char *p = NULL, *s = NULL;
  char *map;
  int fd;
  off_t off;
  struct statvfs sv;

  NEED_MOUNT (f);
  put (f->l2, "mapped", "0123456789");
  put (f->l1, "priv", "private!");
  fixture_mount (f);
  p = path_in (f->mnt, "mapped");

  fd = open (p, O_RDWR);
  g_assert_cmpint (fd, >=, 0);
  map = mmap (NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  memcpy (map, "ABC", 3);
  g_assert_cmpint (msync (map, 10, MS_SYNC), ==, 0);
  munmap (map, 10);
  g_assert_cmpint (fsync (fd), ==, 0);
  close (fd);
  s = get (f->mnt, "mapped");
  g_assert_cmpstr (s, ==, "ABC3456789");

  /* Private maps of lower files work too (and change nothing). */
  {
    g_autofree char *lp = path_in (f->mnt, "priv");

    fd = open (lp, O_RDONLY);
    map = mmap (NULL, 8, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    g_assert_true (map != MAP_FAILED);
    map[0] = 'P';
    g_assert_cmpint (map[1], ==, 'r');
    munmap (map, 8);
    close (fd);
    g_assert_false (exists (f->upper, "priv"));
  }

  /* fallocate and SEEK_DATA/SEEK_HOLE. */
  fd = open (p, O_RDWR);
  g_assert_cmpint (fallocate (fd, 0, 0, 1 << 20), ==, 0);
  off = lseek (fd, 0, SEEK_DATA);
  g_assert_cmpint (off, ==, 0);
  off = lseek (fd, 0, SEEK_HOLE);
  g_assert_cmpint (off, >=, 10);
  close (fd);

  g_assert_cmpint (statvfs (f->mnt, &sv), ==, 0);
  g_assert_cmpuint (sv.f_bsize, >, 0);

  /* Locks. */
  fd = open (p, O_RDWR);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
  {
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

    g_assert_cmpint (fcntl (fd, F_SETLK, &fl), ==, 0);
  }
  close (fd);

  {
    g_autofree char *up = path_in (f->upper, "mapped");
    struct stat st;

    fixture_unmount (f);
    g_assert_cmpint (stat (up, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, 1 << 20);
  }
}

static void
test_stats (Fixture *f, gconstpointer data)
{
  SpOverlayStats st0, st1;
  g_autofree char *s = NULL, *p = NULL;

  NEED_MOUNT (f);
  put (f->l1, "r", "some bytes to read");
  put (f->l1, "w", "lower");
  put (f->l1, "del", "x");
  fixture_mount (f);
  sp_overlay_get_stats (f->ov, &st0);
  s = get (f->mnt, "r");
  write_in_place (f->mnt, "w", "more", O_APPEND);
  write_in_place (f->mnt, "new", "n", 0);
  p = path_in (f->mnt, "del");
  g_assert_cmpint (unlink (p), ==, 0);
  {
    int fd;
    g_autofree char *wp = path_in (f->mnt, "w");

    /* Data reaches the daemon on fsync at the latest (writeback cache). */
    fd = open (wp, O_RDWR);
    fsync (fd);
    close (fd);
  }
  sp_overlay_get_stats (f->ov, &st1);
  g_assert_cmpuint (st1.bytes_read, >, st0.bytes_read);
  g_assert_cmpuint (st1.bytes_written, >, st0.bytes_written);
  g_assert_cmpuint (st1.copy_ups, ==, st0.copy_ups + 1);
  g_assert_cmpuint (st1.files_created, ==, st0.files_created + 1);
  g_assert_cmpuint (st1.files_deleted, ==, st0.files_deleted + 1);
}

static void
test_unmount_killed_holder (Fixture *f, gconstpointer data)
{
  g_autofree char *p = NULL;
  int ready[2];
  pid_t pid;
  char c;
  int status;

  NEED_MOUNT (f);
  put (f->l1, "held", "held");
  fixture_mount (f);
  p = path_in (f->mnt, "held");
  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = open (p, O_RDWR);
      int fd2;
      g_autofree char *cwd = path_in (f->mnt, "");

      fd2 = open (cwd, O_RDONLY | O_DIRECTORY);
      if (fd < 0 || fd2 < 0 || chdir (cwd) < 0 || write (ready[1], "r", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  close (ready[0]);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  fixture_unmount (f);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  {
    FILE *m = fopen ("/proc/self/mountinfo", "re");
    char line[4096];

    while (fgets (line, sizeof line, m) != NULL)
      g_assert_null (strstr (line, f->mnt));
    fclose (m);
  }
}

typedef struct
{
  const char *mnt;
  int         id;
  gint64      until;
} StressArgs;

static gpointer
stress_thread (gpointer data)
{
  StressArgs *a = data;
  guint iter = 0;

  while (g_get_monotonic_time () < a->until)
    {
      g_autofree char *name = g_strdup_printf ("stress/t%d-%u", a->id, iter % 20);
      g_autofree char *other = g_strdup_printf ("stress/t%d-%u-r", a->id, iter % 20);
      g_autofree char *p = path_in (a->mnt, name);
      g_autofree char *q = path_in (a->mnt, other);
      g_autofree char *shared = g_strdup_printf ("stress/shared%u", iter % 7);
      g_autofree char *sp = path_in (a->mnt, shared);
      g_autofree char *sd = g_strdup_printf ("%s/stress/dir%d", a->mnt, a->id);
      int fd;

      fd = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0)
        {
          if (write (fd, name, strlen (name)) < 0)
            g_error ("write %s: %s", p, g_strerror (errno));
          close (fd);
        }
      if (rename (p, q) < 0 && errno != ENOENT)
        g_error ("rename %s: %s", p, g_strerror (errno));
      if (iter % 3 == 0)
        unlink (q);
      /* All threads race on the shared names, which start in the lower. */
      fd = open (sp, O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0)
        {
          if (write (fd, "x", 1) < 0)
            g_error ("append %s: %s", sp, g_strerror (errno));
          close (fd);
        }
      if (iter % 5 == 0 && unlink (sp) < 0 && errno != ENOENT)
        g_error ("unlink %s: %s", sp, g_strerror (errno));
      if (mkdir (sd, 0755) == 0)
        {
          g_autofree char *in = g_strdup_printf ("%s/f", sd);

          fd = open (in, O_WRONLY | O_CREAT, 0644);
          if (fd >= 0)
            close (fd);
          unlink (in);
          if (rmdir (sd) < 0)
            g_error ("rmdir %s: %s", sd, g_strerror (errno));
        }
      iter++;
    }
  return GUINT_TO_POINTER (iter);
}

static void
test_stress (Fixture *f, gconstpointer data)
{
  StressArgs args[4];
  GThread *threads[4];
  g_autoptr(GPtrArray) merged = NULL;

  NEED_MOUNT (f);
  for (int i = 0; i < 7; i++)
    {
      g_autofree char *name = g_strdup_printf ("stress/shared%d", i);

      put (f->l1, name, "lower");
    }
  fixture_mount (f);
  for (int i = 0; i < 4; i++)
    {
      args[i].mnt = f->mnt;
      args[i].id = i;
      args[i].until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
      threads[i] = g_thread_new ("stress", stress_thread, &args[i]);
    }
  for (int i = 0; i < 4; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), >, 0);

  /* The merged view, the upper dir and the lower agree. */
  merged = list_dir (f->mnt, "stress");
  for (guint i = 0; i < merged->len; i++)
    {
      const char *name = merged->pdata[i];
      g_autofree char *rel = g_build_filename ("stress", name, NULL);
      g_autofree char *in_mnt = get (f->mnt, rel);
      g_autofree char *in_upper = get (f->upper, rel);
      g_autofree char *in_lower = get (f->l1, rel);

      g_assert_false (g_str_has_prefix (name, ".wh."));
      g_assert_nonnull (in_mnt);
      g_assert_cmpstr (in_mnt, ==, in_upper ? in_upper : in_lower);
    }
  fixture_unmount (f);
  {
    g_autofree char *w = listing (f->work, "");
    g_autoptr(GPtrArray) up = list_dir (f->upper, "stress");

    g_assert_cmpstr (w, ==, "");
    for (guint i = 0; i < up->len; i++)
      {
        g_autofree char *rel = g_build_filename ("stress", (char *) up->pdata[i], NULL);
        g_autofree char *p = path_in (f->upper, rel);
        struct stat st;

        g_assert_cmpint (lstat (p, &st), ==, 0);
        if (S_ISCHR (st.st_mode))
          {
            g_autofree char *lp = path_in (f->l1, rel);

            /* A whiteout only where a lower entry is hidden. */
            g_assert_cmpuint (st.st_rdev, ==, makedev (0, 0));
            g_assert_true (g_file_test (lp, G_FILE_TEST_EXISTS));
          }
      }
  }
  /* Remounting gives the same view. */
  fixture_mount (f);
  {
    g_autoptr(GPtrArray) again = list_dir (f->mnt, "stress");

    g_assert_cmpuint (again->len, ==, merged->len);
    for (guint i = 0; i < again->len; i++)
      g_assert_cmpstr (again->pdata[i], ==, merged->pdata[i]);
  }
}

static void
test_standalone_mount (Fixture *f, gconstpointer data)
{
  const char *helper = g_getenv ("SP_OVERLAYFS");
  g_autofree char *opts = NULL, *bindir = NULL, *path = NULL, *s = NULL;
  g_autofree char *out = NULL, *err = NULL, *type = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  int status;

  NEED_MOUNT (f);
  if (helper == NULL || !g_file_test ("/usr/sbin/mount.fuse3", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs SP_OVERLAYFS and mount.fuse3");
      return;
    }
  put (f->l2, "hello", "from the lower");
  put (f->l1, "gone", "x");
  bindir = g_path_get_dirname (helper);
  path = g_strdup_printf ("%s:%s", bindir, g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin");
  env = g_environ_setenv (g_get_environ (), "PATH", path, TRUE);
  opts = g_strdup_printf ("lowerdir=%s:%s,upperdir=%s,workdir=%s", f->l1, f->l2, f->upper, f->work);
  /* mount(8) runs helpers with a fixed PATH, so the built helper is named
   * by its absolute path: fuse.PATH makes mount.fuse3 run PATH, just as
   * fuse.savepoint-overlayfs runs the installed one. */
  type = g_strdup_printf ("fuse.%s", helper);
  {
    const char *argv[] = { "mount", "-t", type, "none", f->mnt, "-o", opts, NULL };

    g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH_FROM_ENVP, NULL, NULL,
                  &out, &err, &status, &error);
    g_assert_no_error (error);
    g_test_message ("mount: %s%s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  /* Live as soon as mount returned. */
  s = get (f->mnt, "hello");
  g_assert_cmpstr (s, ==, "from the lower");
  {
    g_autofree char *p = path_in (f->mnt, "gone");

    g_assert_cmpint (unlink (p), ==, 0);
  }
  write_in_place (f->mnt, "new", "new", 0);
  {
    const char *argv[] = { "umount", f->mnt, NULL };

    g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH_FROM_ENVP, NULL, NULL,
                  NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_free (s);
  s = get (f->upper, "new");
  g_assert_cmpstr (s, ==, "new");
  {
    g_autofree char *p = path_in (f->upper, "gone");
    struct stat st;

    g_assert_cmpint (lstat (p, &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode));
  }

  /* fuse-overlayfs syntax with just a mount point, foreground-less, then
   * fusermount3 -u; and a bad upper dir fails with a message. */
  {
    const char *argv[] = { helper, "-o", opts, f->mnt, NULL };
    const char *uargv[] = { "fusermount3", "-u", f->mnt, NULL };

    g_spawn_sync (NULL, (char **) argv, env, 0, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_free (s);
    s = get (f->mnt, "new");
    g_assert_cmpstr (s, ==, "new");
    g_spawn_sync (NULL, (char **) uargv, env, G_SPAWN_SEARCH_PATH_FROM_ENVP, NULL, NULL,
                  NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_false (exists (f->mnt, "new"));
  }
  {
    g_autofree char *bad = g_strdup_printf ("lowerdir=%s,upperdir=/nonexistent-sp,workdir=%s", f->l1, f->work);
    const char *argv[] = { helper, "none", f->mnt, "-o", bad, NULL };

    g_free (err);
    err = NULL;
    g_spawn_sync (NULL, (char **) argv, env, 0, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "/nonexistent-sp"));
  }
}

/* Objects created by another user belong to that user, and permissions
 * are checked by the kernel (default_permissions). */
static void
test_owner_and_permissions (Fixture *f, gconstpointer data)
{
  g_autofree char *shared = NULL, *up = NULL;
  struct stat st;
  pid_t pid;
  int status;

  NEED_MOUNT (f);
  mkdir_in (f->l1, "shared");
  put (f->l1, "private", "secret");
  {
    g_autofree char *l = path_in (f->l1, "shared");
    g_autofree char *p = path_in (f->l1, "private");

    g_assert_cmpint (chmod (l, 01777), ==, 0);
    g_assert_cmpint (chmod (p, 0600), ==, 0);
  }
  g_assert_cmpint (chmod (f->dir, 0755), ==, 0);
  {
    SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
    const char *lowers[] = { f->l1, f->l2, NULL };
    char *error = NULL;

    options.allow_other = 1;
    f->ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, &options, &error);
    g_assert_null (error);
  }
  shared = path_in (f->mnt, "shared/mine");
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *priv = path_in (f->mnt, "private");
      int fd;

      if (setgid (12345) < 0 || setuid (12345) < 0)
        _exit (10);
      /* The mount is reachable, but a file not readable by others is
       * refused by the kernel. */
      if (access (f->mnt, X_OK) < 0)
        _exit (13);
      if (open (priv, O_RDONLY) >= 0 || errno != EACCES)
        _exit (11);
      fd = open (shared, O_WRONLY | O_CREAT | O_EXCL, 0640);
      if (fd < 0 || write (fd, "x", 1) != 1 || close (fd) < 0)
        _exit (12);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  up = path_in (f->upper, "shared/mine");
  g_assert_cmpint (lstat (up, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 12345);
  g_assert_cmpuint (st.st_gid, ==, 12345);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  {
    g_autofree char *ud = path_in (f->upper, "shared");

    /* The copied-up parent kept its sticky bit. */
    g_assert_cmpint (lstat (ud, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 01777);
  }
}

/* The Flatpak way: someone else mounts (fusermount3 on the host) and hands
 * us the /dev/fuse descriptor. */
static void
test_fuse_fd (Fixture *f, gconstpointer data)
{
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
  const char *lowers[] = { f->l1, f->l2, NULL };
  g_autofree char *opts = NULL, *s = NULL;
  char *error = NULL;
  int fd;

  NEED_MOUNT (f);
  put (f->l2, "file", "via fd");
  fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  opts = g_strdup_printf ("fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions", fd);
  g_assert_cmpint (mount ("savepoint", f->mnt, "fuse.savepoint-overlayfs", MS_NOSUID | MS_NODEV, opts), ==, 0);
  options.fuse_fd = fd;
  f->ov = sp_overlay_mount (lowers, f->upper, f->work, f->mnt, &options, &error);
  g_assert_null (error);
  g_assert_nonnull (f->ov);
  s = get (f->mnt, "file");
  g_assert_cmpstr (s, ==, "via fd");
  write_in_place (f->mnt, "file", " and back", O_APPEND);
  fixture_unmount (f);
  g_free (s);
  s = get (f->upper, "file");
  g_assert_cmpstr (s, ==, "via fd and back");
  g_assert_false (exists (f->mnt, "file"));
}

static int
fd_table_size (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nFDSize:");
  g_assert_nonnull (line);
  return atoi (line + strlen ("\nFDSize:"));
}

/* Mounting grows the descriptor table once, to room for 8,192 descriptors
 * (or the limit), before the loop threads start: growing it later, one
 * doubling at a time, makes every growth wait for an RCU grace period, and
 * that was half of a cold walk of a Wine prefix. Programs call
 * sp_overlay_reserve_fd_table() early in main() (@data "direct"), the mount
 * does it too (@data "mount"). Checked in a fresh process, whose table has
 * not grown yet. */
static void
test_fd_table_reserved (Fixture *f, gconstpointer data)
{
  gboolean direct = g_str_equal (data, "direct");
  g_autofree char *a = NULL;
  struct rlimit rl;
  int want = 8192;

  if (!direct)
    NEED_MOUNT (f);
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t) want)
    want = (int) rl.rlim_max;
  if (fd_table_size () >= want)
    {
      g_test_skip ("this process's descriptor table is already large");
      return;
    }
  if (direct)
    {
      sp_overlay_reserve_fd_table ();
      g_assert_cmpint (fd_table_size (), >=, want);
      return;
    }
  fixture_mount_with (f, NULL);
  g_assert_cmpint (fd_table_size (), >=, want);
  /* Still a working mount. */
  put (f->l2, "a", "lower");
  a = get (f->mnt, "a");
  g_assert_cmpstr (a, ==, "lower");
  fixture_unmount (f);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/overlay/mount-errors", test_mount_errors);
  ADD ("/overlay/lookup-merge", test_lookup_merge);
  ADD ("/overlay/readdir-offsets", test_readdir_offsets);
  ADD ("/overlay/copy-up", test_copy_up_preserves);
  ADD ("/overlay/whiteout-opaque", test_whiteout_and_opaque);
  ADD ("/overlay/rename", test_rename);
  ADD ("/overlay/links-specials", test_links_and_specials);
  ADD ("/overlay/mmap-data", test_mmap_and_data);
  ADD ("/overlay/stats", test_stats);
  ADD ("/overlay/unmount-killed-holder", test_unmount_killed_holder);
  ADD ("/overlay/stress", test_stress);
  ADD ("/overlay/standalone", test_standalone_mount);
  ADD ("/overlay/fuse-fd", test_fuse_fd);
  ADD ("/overlay/owner-permissions", test_owner_and_permissions);
#undef ADD
  g_test_add ("/overlay/fd-table-reserved/mount", Fixture, "mount", fixture_setup,
              test_fd_table_reserved, fixture_teardown);
  g_test_add ("/overlay/fd-table-reserved/direct", Fixture, "direct", fixture_setup,
              test_fd_table_reserved, fixture_teardown);

  return g_test_run ();
}
