/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A case-insensitive lower layer (issue 13, item 4): the clean install on
 * an exFAT drive (a real image, mounted with exfat-fuse on a loop device,
 * as desktops mount such drives). Through the overlay the view is
 * exact-case, as on ext4: another spelling of a lower name is not found, a
 * write under the lower's own spelling copies up that entry (no second
 * spelling in the upper layer), a name that the drive would take as one of
 * its entries cannot be created beside it, and once the entry is deleted
 * the other spelling can be created. A case-sensitive lower is unchanged.
 *
 * Needs root, /dev/fuse, truncate, losetup, mkfs.exfat and
 * mount.exfat-fuse; skips with the reason otherwise. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "overlay-fixture.h"

typedef struct
{
  Fixture  f;
  char    *image;
  char    *loop;
  char    *drive;    /* the exFAT image, mounted */
} CaseFixture;

static gboolean
run (const char * const *argv,
     char              **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ignored = NULL;
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out ? out : &ignored, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("%s failed: %s", argv[0], error ? error->message : err);
      return FALSE;
    }
  return TRUE;
}

static char *
skip_reason (void)
{
  const char *tools[] = { "truncate", "losetup", "mkfs.exfat", "mount.exfat-fuse", "umount", NULL };

  if (!can_mount ())
    return g_strdup ("needs root and /dev/fuse");
  for (guint i = 0; tools[i] != NULL; i++)
    {
      g_autofree char *path = g_find_program_in_path (tools[i]);

      if (path == NULL)
        return g_strdup_printf ("%s is not installed", tools[i]);
    }
  return NULL;
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static int
stat_errno (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  return lstat (path, &st) == 0 ? 0 : errno;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in @dir/@name, sorted and joined with ",". */
static char *
listing (const char *dir,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
case_setup (CaseFixture   *cf,
            gconstpointer  data)
{
  g_autofree char *reason = skip_reason ();

  memset (cf, 0, sizeof *cf);
  if (reason != NULL)
    {
      g_test_skip (reason);
      return;
    }
  fixture_setup (&cf->f, data);
  cf->image = g_build_filename (cf->f.dir, "drive.img", NULL);
  cf->drive = fixture_mkdir (&cf->f, "drive");
  {
    const char *truncate[] = { "truncate", "-s", "32M", cf->image, NULL };
    const char *mkfs[] = { "mkfs.exfat", cf->image, NULL };
    const char *losetup[] = { "losetup", "-f", "--show", cf->image, NULL };

    g_assert_true (run (truncate, NULL));
    g_assert_true (run (mkfs, NULL));
    if (!run (losetup, &cf->loop))
      {
        g_clear_pointer (&cf->loop, g_free);
        g_test_skip ("no loop device here: exfat-fuse needs one");
        return;
      }
    g_strstrip (cf->loop);
  }
  {
    const char *mount[] = { "mount.exfat-fuse", cf->loop, cf->drive, NULL };

    g_assert_true (run (mount, NULL));
  }
}

static void
case_teardown (CaseFixture   *cf,
               gconstpointer  data)
{
  if (cf->f.ov != NULL)
    fixture_unmount (&cf->f);
  if (cf->loop != NULL)
    {
      const char *umount[] = { "umount", cf->drive, NULL };
      const char *detach[] = { "losetup", "-d", cf->loop, NULL };

      g_assert_true (run (umount, NULL));
      g_assert_true (run (detach, NULL));
    }
  fixture_teardown (&cf->f, data);
  g_free (cf->image);
  g_free (cf->loop);
  g_free (cf->drive);
}

static void
mount_over (CaseFixture *cf,
            const char  *lower)
{
  const char *lowers[] = { lower, NULL };
  char *error = NULL;

  cf->f.ov = sp_overlay_mount (lowers, cf->f.upper, cf->f.work, cf->f.mnt, NULL, &error);
  g_assert_null (error);
  g_assert_nonnull (cf->f.ov);
}

static void
test_exfat_lower (CaseFixture   *cf,
                  gconstpointer  data)
{
  const char *mnt;
  g_autofree char *contents = NULL;
  g_autofree char *names = NULL;

  if (cf->loop == NULL)
    return;
  mnt = cf->f.mnt;
  write_file (cf->drive, "data/keep.txt", "old");
  write_file (cf->drive, "Saves/slot1.sav", "one");
  /* The drive itself folds case: this is what the overlay must not pass on. */
  g_assert_cmpint (stat_errno (cf->drive, "DATA/KEEP.TXT"), ==, 0);

  mount_over (cf, cf->drive);

  /* Lookups are exact-case. */
  g_assert_cmpint (stat_errno (mnt, "data/keep.txt"), ==, 0);
  g_assert_cmpint (stat_errno (mnt, "DATA"), ==, ENOENT);
  g_assert_cmpint (stat_errno (mnt, "data/KEEP.TXT"), ==, ENOENT);
  g_assert_cmpint (stat_errno (mnt, "saves/slot1.sav"), ==, ENOENT);

  /* Writing through another spelling finds no folder, as on ext4. */
  {
    g_autofree char *path = g_build_filename (mnt, "DATA", "KEEP.TXT", NULL);

    g_assert_cmpint (open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), ==, -1);
    g_assert_cmpint (errno, ==, ENOENT);
  }
  /* A name the drive takes as its own entry cannot be made beside it. */
  {
    g_autofree char *dir = g_build_filename (mnt, "DATA", NULL);
    g_autofree char *file = g_build_filename (mnt, "data", "Keep.txt", NULL);
    g_autofree char *from = g_build_filename (mnt, "data", "new.txt", NULL);

    g_assert_cmpint (mkdir (dir, 0755), ==, -1);
    g_assert_cmpint (errno, ==, EEXIST);
    g_assert_cmpint (open (file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), ==, -1);
    g_assert_cmpint (errno, ==, EEXIST);
    write_file (mnt, "data/new.txt", "new");
    g_assert_cmpint (rename (from, file), ==, -1);
    g_assert_cmpint (errno, ==, EEXIST);
  }

  /* Writing under the drive's spelling copies that entry up: the view
   * shows the new content and one entry per name. */
  write_file (mnt, "data/keep.txt", "changed");
  contents = read_file (mnt, "data/keep.txt");
  g_assert_cmpstr (contents, ==, "changed");
  names = listing (mnt, "");
  g_assert_cmpstr (names, ==, "Saves,data");
  g_clear_pointer (&names, g_free);
  names = listing (mnt, "data");
  g_assert_cmpstr (names, ==, "keep.txt,new.txt");
  g_clear_pointer (&names, g_free);
  names = listing (cf->f.upper, "data");
  g_assert_cmpstr (names, ==, "keep.txt,new.txt");
  g_clear_pointer (&names, g_free);

  /* Once the drive's entry is deleted, another spelling is a new name. */
  {
    g_autofree char *old = g_build_filename (mnt, "Saves", "slot1.sav", NULL);

    g_assert_cmpint (unlink (old), ==, 0);
    write_file (mnt, "Saves/SLOT1.SAV", "two");
    names = listing (mnt, "Saves");
    g_assert_cmpstr (names, ==, "SLOT1.SAV");
  }

  /* The clean install on the drive is untouched. */
  g_clear_pointer (&contents, g_free);
  contents = read_file (cf->drive, "data/keep.txt");
  g_assert_cmpstr (contents, ==, "old");
}

/* A case-sensitive lower keeps ext4's rules: two spellings are two names. */
static void
test_case_sensitive_lower (CaseFixture   *cf,
                           gconstpointer  data)
{
  g_autofree char *names = NULL;
  g_autofree char *dir = NULL;

  if (cf->f.dir == NULL)
    return;
  write_file (cf->f.l1, "data/keep.txt", "old");
  fixture_mount_with (&cf->f, NULL);
  g_assert_cmpint (stat_errno (cf->f.mnt, "DATA"), ==, ENOENT);
  dir = g_build_filename (cf->f.mnt, "DATA", NULL);
  g_assert_cmpint (mkdir (dir, 0755), ==, 0);
  names = listing (cf->f.mnt, "");
  g_assert_cmpstr (names, ==, "DATA,data");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/overlay-case/exfat-lower", CaseFixture, NULL, case_setup, test_exfat_lower,
              case_teardown);
  g_test_add ("/overlay-case/case-sensitive-lower", CaseFixture, NULL, case_setup,
              test_case_sensitive_lower, case_teardown);
  return g_test_run ();
}
