/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ownership follows the player (SpOverlayOptions.squash_*, the standalone
 * helper's -o squash_to_uid=,squash_to_gid=): lower layers written by
 * another uid (1000, as on the machine that filled a drive) are shown as
 * the player's (1500) with their modes, so the player may write where the
 * modes let the owner write; new files and copy-ups are the player's.
 * And the standalone helper run by root lets other users in by the
 * files' permissions, as fuse-overlayfs does (unionmount-testsuite's
 * "impermissible" test). Real mounts; needs root and /dev/fuse. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "overlay/sp-overlay.h"
#include "overlay-fixture.h"

#define WRITER_ID 1000   /* who wrote the drive */
#define PLAYER_ID 1500   /* who plays it */

static char *
put_owned (const char *dir,
           const char *name,
           const char *contents,
           mode_t      mode,
           uid_t       owner)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (path, mode), ==, 0);
  g_assert_cmpint (lchown (path, owner, owner), ==, 0);
  return path;
}

static char *
mkdir_owned (const char *dir,
             const char *name,
             mode_t      mode,
             uid_t       owner)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, mode), ==, 0);
  g_assert_cmpint (chmod (path, mode), ==, 0);
  g_assert_cmpint (lchown (path, owner, owner), ==, 0);
  return path;
}

/* A lower layer as machine A left it: everything owned by WRITER_ID. */
static void
fill_lower (Fixture *f)
{
  g_autofree char *saves = mkdir_owned (f->l1, "saves", 0755, WRITER_ID);
  g_autofree char *keep = put_owned (saves, "keep.txt", "old save", 0644, WRITER_ID);
  g_autofree char *ro = put_owned (f->l1, "readonly.txt", "r", 0444, WRITER_ID);
  g_autofree char *priv = put_owned (f->l2, "private.txt", "p", 0600, WRITER_ID);

  /* The test's folder is traversable by the player. */
  g_assert_cmpint (chmod (f->dir, 0755), ==, 0);
  g_assert_cmpint (lchown (f->l1, WRITER_ID, WRITER_ID), ==, 0);
}

static void
mount_squashed (Fixture *f,
                gboolean squash)
{
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;

  options.allow_other = 1;
  if (squash)
    {
      options.squash_uid_set = options.squash_gid_set = 1;
      options.squash_uid = PLAYER_ID;
      options.squash_gid = PLAYER_ID;
    }
  fixture_mount_with (f, &options);
}

static void
assert_owner (const char *dir,
              const char *name,
              uid_t       uid,
              gid_t       gid,
              mode_t      mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, uid);
  g_assert_cmpuint (st.st_gid, ==, gid);
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
}

/* Runs @fn as PLAYER_ID in a child; returns its exit code (0 = all good). */
static int
as_player (int (*fn) (const char *mnt), const char *mnt)
{
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (setgroups (0, NULL) < 0 || setgid (PLAYER_ID) < 0 || setuid (PLAYER_ID) < 0)
        _exit (100);
      _exit (fn (mnt));
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* Every entry of the lower layers (and of the upper) shows as the
 * player's, with its own mode; without the option, as the writer's. */
static void
test_lower_shown_as_player (Fixture *f, gconstpointer data)
{
  gboolean squash = GPOINTER_TO_INT (data);
  uid_t id = squash ? PLAYER_ID : WRITER_ID;
  g_autofree char *up = NULL;

  NEED_MOUNT (f);
  fill_lower (f);
  /* An upper entry left by an earlier run, owned by root. */
  up = put_owned (f->upper, "from-checkpoint.txt", "c", 0640, 0);
  mount_squashed (f, squash);

  assert_owner (f->mnt, "saves", id, id, 0755);
  assert_owner (f->mnt, "saves/keep.txt", id, id, 0644);
  assert_owner (f->mnt, "readonly.txt", id, id, 0444);
  assert_owner (f->mnt, "private.txt", id, id, 0600);
  assert_owner (f->mnt, "from-checkpoint.txt", squash ? PLAYER_ID : 0, squash ? PLAYER_ID : 0,
                0640);
  /* A listing with attributes (readdirplus) says the same. */
  {
    g_autoptr(GDir) d = g_dir_open (f->mnt, 0, NULL);
    const char *name;

    g_assert_nonnull (d);
    while ((name = g_dir_read_name (d)) != NULL)
      if (strcmp (name, "from-checkpoint.txt") != 0)
        assert_owner (f->mnt, name, id, id, strcmp (name, "saves") == 0 ? 0755
                                           : strcmp (name, "readonly.txt") == 0 ? 0444 : 0600);
  }
}

static int
player_writes (const char *mnt)
{
  g_autofree char *created = g_build_filename (mnt, "saves", "new.sav", NULL);
  g_autofree char *subdir = g_build_filename (mnt, "saves", "slot1", NULL);
  g_autofree char *keep = g_build_filename (mnt, "saves", "keep.txt", NULL);
  g_autofree char *priv = g_build_filename (mnt, "private.txt", NULL);
  int fd;

  /* A new file in a 0755 folder of the clean install. */
  fd = open (created, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    return 1;
  if (write (fd, "progress", 8) != 8 || close (fd) < 0)
    return 2;
  if (mkdir (subdir, 0755) < 0)
    return 3;
  /* An existing 0644 file: copied up and written. */
  fd = open (keep, O_WRONLY | O_APPEND);
  if (fd < 0)
    return 4;
  if (write (fd, "+", 1) != 1 || close (fd) < 0)
    return 5;
  /* The player's own files by their mode: a 0600 file is readable to its
   * owner, the player (the daemon here is root, so it can serve it). */
  fd = open (priv, O_RDONLY);
  if (fd < 0)
    return 6;
  close (fd);
  return 0;
}

/* The player writes into folders of the clean install that another uid
 * made; what it makes and copies up is its own in the upper layer. */
static void
test_player_writes (Fixture *f, gconstpointer data)
{
  int code;

  NEED_MOUNT (f);
  fill_lower (f);
  mount_squashed (f, TRUE);
  code = as_player (player_writes, f->mnt);
  g_assert_cmpint (code, ==, 0);

  assert_owner (f->upper, "saves", PLAYER_ID, PLAYER_ID, 0755);
  assert_owner (f->upper, "saves/new.sav", PLAYER_ID, PLAYER_ID, 0644);
  assert_owner (f->upper, "saves/slot1", PLAYER_ID, PLAYER_ID, 0755);
  assert_owner (f->upper, "saves/keep.txt", PLAYER_ID, PLAYER_ID, 0644);
  /* The lower is untouched. */
  assert_owner (f->l1, "saves", WRITER_ID, WRITER_ID, 0755);
  assert_owner (f->l1, "saves/keep.txt", WRITER_ID, WRITER_ID, 0644);
}

/* Without the option the same player is refused (the folder is not its
 * own): the option is what makes the difference. */
static void
test_player_refused_unsquashed (Fixture *f, gconstpointer data)
{
  NEED_MOUNT (f);
  fill_lower (f);
  mount_squashed (f, FALSE);
  g_assert_cmpint (as_player (player_writes, f->mnt), ==, 1);
}

/* A copy-up made by anyone (here root, in this process) belongs to the
 * player; a chown to other ids is refused, to the player's changes nothing. */
static void
test_copy_up_owner_and_chown (Fixture *f, gconstpointer data)
{
  g_autofree char *ro = NULL;
  g_autofree char *keep = NULL;
  g_autofree char *saves = NULL;
  g_autofree char *upper_saves = NULL;

  NEED_MOUNT (f);
  fill_lower (f);
  mount_squashed (f, TRUE);
  upper_saves = g_build_filename (f->upper, "saves", NULL);
  ro = g_build_filename (f->mnt, "readonly.txt", NULL);
  keep = g_build_filename (f->mnt, "saves", "keep.txt", NULL);
  saves = g_build_filename (f->mnt, "saves", NULL);

  g_assert_cmpint (chmod (ro, 0440), ==, 0);
  assert_owner (f->upper, "readonly.txt", PLAYER_ID, PLAYER_ID, 0440);
  g_assert_cmpint (chown (keep, WRITER_ID, -1), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (chown (keep, -1, 0), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  /* Nothing was copied up by the refused chowns. */
  g_assert_false (g_file_test (upper_saves, G_FILE_TEST_EXISTS));
  g_assert_cmpint (chown (saves, PLAYER_ID, PLAYER_ID), ==, 0);
  g_assert_false (g_file_test (upper_saves, G_FILE_TEST_EXISTS));
  assert_owner (f->mnt, "saves/keep.txt", PLAYER_ID, PLAYER_ID, 0644);
}

/* ---- the standalone helper ----------------------------------------- */

static gboolean
helper_mount (Fixture    *f,
              const char *extra,
              char      **err)
{
  const char *helper = g_getenv ("SP_OVERLAYFS");
  g_autofree char *opts = g_strdup_printf ("lowerdir=%s:%s,upperdir=%s,workdir=%s%s%s", f->l1,
                                           f->l2, f->upper, f->work, extra ? "," : "",
                                           extra ? extra : "");
  const char *argv[] = { helper, "-o", opts, f->mnt, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, err, &status, &error);
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL);
}

static void
helper_unmount (Fixture *f)
{
  const char *argv[] = { "fusermount3", "-u", f->mnt, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

#define NEED_HELPER() \
  G_STMT_START { \
    if (g_getenv ("SP_OVERLAYFS") == NULL) \
      { \
        g_test_skip ("needs SP_OVERLAYFS"); \
        return; \
      } \
  } G_STMT_END

static void
test_standalone_squash (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;

  NEED_MOUNT (f);
  NEED_HELPER ();
  fill_lower (f);

  /* Bad values are refused with the option named. */
  g_assert_false (helper_mount (f, "squash_to_uid=12ab", &err));
  g_assert_nonnull (strstr (err, "squash_to_uid=12ab"));
  g_clear_pointer (&err, g_free);
  g_assert_false (helper_mount (f, "squash_to_gid=-1", &err));
  g_assert_nonnull (strstr (err, "squash_to_gid=-1"));
  g_clear_pointer (&err, g_free);

  /* Without the option: the owners of the layers, as before. */
  g_assert_true (helper_mount (f, NULL, NULL));
  assert_owner (f->mnt, "saves/keep.txt", WRITER_ID, WRITER_ID, 0644);
  helper_unmount (f);

  g_assert_true (helper_mount (f, "squash_to_uid=" G_STRINGIFY (PLAYER_ID)
                                  ",squash_to_gid=" G_STRINGIFY (PLAYER_ID), NULL));
  assert_owner (f->mnt, "saves/keep.txt", PLAYER_ID, PLAYER_ID, 0644);
  assert_owner (f->mnt, "private.txt", PLAYER_ID, PLAYER_ID, 0600);
  g_assert_cmpint (as_player (player_writes, f->mnt), ==, 0);
  helper_unmount (f);
  assert_owner (f->upper, "saves/new.sav", PLAYER_ID, PLAYER_ID, 0644);
  assert_owner (f->upper, "saves/keep.txt", PLAYER_ID, PLAYER_ID, 0644);

  /* One of the two alone squashes only that one. */
  g_assert_true (helper_mount (f, "squash_to_gid=" G_STRINGIFY (PLAYER_ID), NULL));
  assert_owner (f->mnt, "readonly.txt", WRITER_ID, PLAYER_ID, 0444);
  helper_unmount (f);
}

/* As unionmount-testsuite's impermissible test: root's files through a
 * mount root made, used by a normal user. */
static int
impermissible (const char *mnt)
{
  g_autofree char *secret = g_build_filename (mnt, "secret", NULL);
  g_autofree char *open_file = g_build_filename (mnt, "public", NULL);
  g_autofree char *fresh = g_build_filename (mnt, "nope", NULL);
  char buf[32];
  ssize_t n;
  int fd;

  fd = open (secret, O_RDONLY);
  if (fd >= 0 || errno != EACCES)
    return 1;
  fd = open (open_file, O_WRONLY | O_TRUNC);
  if (fd >= 0 || errno != EACCES)
    return 2;
  fd = open (open_file, O_WRONLY | O_APPEND);
  if (fd >= 0 || errno != EACCES)
    return 3;
  if (truncate (open_file, 4) == 0 || errno != EACCES)
    return 4;
  if (utimensat (AT_FDCWD, open_file, NULL, 0) == 0 || errno != EACCES)
    return 5;
  /* The root folder is 0755 root's: nothing new in it. */
  fd = open (fresh, O_WRONLY | O_CREAT, 0644);
  if (fd >= 0 || errno != EACCES)
    return 6;
  fd = open (open_file, O_RDONLY);
  if (fd < 0)
    return 7;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n != 12 || memcmp (buf, ":xxx:yyy:zzz", 12) != 0)
    return 8;
  return 0;
}

static void
test_standalone_impermissible (Fixture *f, gconstpointer data)
{
  g_autofree char *secret = NULL, *pub = NULL;
  g_autofree char *upper_pub = NULL;
  g_autofree char *seen = NULL;

  NEED_MOUNT (f);
  NEED_HELPER ();
  g_assert_cmpint (chmod (f->dir, 0755), ==, 0);
  secret = put_owned (f->l1, "secret", "root only", 0600, 0);
  pub = put_owned (f->l2, "public", ":xxx:yyy:zzz", 0644, 0);

  g_assert_true (helper_mount (f, NULL, NULL));
  g_assert_cmpint (as_player (impermissible, f->mnt), ==, 0);
  /* Root still may. */
  {
    g_autofree char *p = g_build_filename (f->mnt, "public", NULL);

    g_assert_true (g_file_set_contents (p, "shark", -1, NULL));
  }
  helper_unmount (f);
  upper_pub = g_build_filename (f->upper, "public", NULL);
  g_assert_true (g_file_get_contents (upper_pub, &seen, NULL, NULL));
  g_assert_cmpstr (seen, ==, "shark");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, data, fn) g_test_add (path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("/overlay-squash/shown-as-player", GINT_TO_POINTER (TRUE), test_lower_shown_as_player);
  ADD ("/overlay-squash/shown-as-writer-without", GINT_TO_POINTER (FALSE),
       test_lower_shown_as_player);
  ADD ("/overlay-squash/player-writes", NULL, test_player_writes);
  ADD ("/overlay-squash/player-refused-without", NULL, test_player_refused_unsquashed);
  ADD ("/overlay-squash/copy-up-owner-and-chown", NULL, test_copy_up_owner_and_chown);
  ADD ("/overlay-squash/standalone-options", NULL, test_standalone_squash);
  ADD ("/overlay-squash/standalone-impermissible", NULL, test_standalone_impermissible);
#undef ADD
  return g_test_run ();
}
