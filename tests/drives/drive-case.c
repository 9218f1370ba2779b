/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One case of the drive tests: see drive-case.h. */
#include "config.h"

#include "drive-case.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

/* Runs @argv as root; TRUE when it exits 0. @out gets its output. */
gboolean
run (const char * const *argv,
     char              **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ignored = NULL;
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
  int status = -1;

  /* Its output kept off ours: that is TAP. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out ? out : &ignored, &err, &status, &error))
    {
      g_test_message ("%s: %s", cmd, error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("%s failed: %s", cmd, err);
      return FALSE;
    }
  return TRUE;
}

static char *
missing_tool (const char * const *tools)
{
  for (; *tools != NULL; tools++)
    {
      g_autofree char *path = g_find_program_in_path (*tools);

      if (path == NULL)
        return g_strdup_printf ("%s is not installed", *tools);
    }
  return NULL;
}

/* Why the case cannot run here, or NULL. */
static char *
skip_reason (const CaseSpec *spec)
{
  const char *exfat[] = { "truncate", "losetup", "mkfs.exfat", "mount.exfat-fuse", "umount",
                          "setpriv", "install", NULL };
  const char *ntfs[] = { "truncate", "mkntfs", "ntfs-3g", "umount", "setpriv", "install", NULL };
  char *missing;

  if (geteuid () != 0)
    return g_strdup ("needs root: makes and mounts file system images");
  if (access ("/dev/fuse", R_OK | W_OK) != 0)
    return g_strdup_printf ("/dev/fuse cannot be opened: %s", g_strerror (errno));
  missing = missing_tool (spec->kind == DRIVE_EXFAT ? exfat : ntfs);
  if (missing != NULL)
    return missing;
  if (spec->uid != 0)
    {
      const char *useradd[] = { "useradd", "--uid", G_STRINGIFY (PLAYER_UID), "--no-create-home",
                                "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                                "sp-player", NULL };

      if (getpwuid (spec->uid) == NULL && !run (useradd, NULL))
        return g_strdup ("could not create the user sp-player (uid 1500) with useradd");
      g_autofree char *fusermount = g_find_program_in_path ("fusermount3");
      struct stat st;

      if (fusermount == NULL || stat (fusermount, &st) != 0 || !(st.st_mode & S_ISUID))
        return g_strdup ("fusermount3 is missing or not setuid root: a normal user cannot mount");
      /* As desktops have it: normal users open /dev/fuse. */
      if (g_chmod ("/dev/fuse", 0666) != 0)
        return g_strdup_printf ("cannot make /dev/fuse usable by a normal user: %s",
                                g_strerror (errno));
    }
  return NULL;
}

void
mkdir_for (const char *path,
           uid_t       uid)
{
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_cmpint (chown (path, uid, uid), ==, 0);
}

gboolean
mount_drive (Case *c)
{
  g_autofree char *options = g_strdup_printf ("uid=%u,gid=%u", (guint) c->spec->uid,
                                              (guint) c->spec->uid);

  if (c->spec->kind == DRIVE_EXFAT)
    {
      const char *argv[] = { "mount.exfat-fuse", "-o", options, c->loop, c->drive, NULL };

      return run (argv, NULL);
    }
  else
    {
      const char *argv[] = { "ntfs-3g", "-o", options, c->image, c->drive, NULL };

      return run (argv, NULL);
    }
}

void
unmount_drive (Case *c)
{
  const char *argv[] = { "umount", c->drive, NULL };

  g_assert_true (run (argv, NULL));
}

/* The image made, mounted and owned by the case's player, or NULL with
 * the test skipped. */
Case *
case_new (const CaseSpec *spec,
          const char     *game_script,
          CaseFill        fill)
{
  g_autofree char *reason = skip_reason (spec);
  g_autofree char *game = NULL;
  Case *c;

  if (reason != NULL)
    {
      g_test_skip (reason);
      return NULL;
    }
  c = g_new0 (Case, 1);
  c->spec = spec;
  /* Not under /root or a private /tmp: the player must reach it. */
  c->dir = g_build_filename ("/var/tmp", "sp-drives-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (c->dir));
  g_assert_cmpint (g_chmod (c->dir, 0755), ==, 0);
  c->image = g_build_filename (c->dir, "drive.img", NULL);
  c->drive = g_build_filename (c->dir, "drive", NULL);
  c->source = g_build_filename (c->dir, "source", NULL);
  c->proof = g_build_filename (c->dir, "proof", NULL);
  c->home = g_build_filename (c->dir, "home", NULL);
  c->runtime = g_build_filename (c->dir, "runtime", NULL);
  g_assert_cmpint (g_mkdir (c->drive, 0755), ==, 0);
  mkdir_for (c->proof, spec->uid);
  mkdir_for (c->home, spec->uid);
  mkdir_for (c->runtime, spec->uid);

  g_assert_cmpint (g_mkdir (c->source, 0755), ==, 0);
  game = g_build_filename (c->source, "game.sh", NULL);
  g_assert_true (g_file_set_contents (game, game_script, -1, NULL));
  g_assert_cmpint (g_chmod (game, 0755), ==, 0);
  if (fill != NULL)
    fill (c);

  /* The built programs, where the player can run them. */
  {
    g_autofree char *bin = g_build_filename (c->dir, "bin", NULL);
    const char *argv[] = { "install", "-m", "0755", "-D", "-t", bin, g_getenv ("SP_CLI"),
                           g_getenv ("SAVEPOINT_RUN"), NULL };
    g_autofree char *cli_name = g_path_get_basename (g_getenv ("SP_CLI"));
    g_autofree char *run_name = g_path_get_basename (g_getenv ("SAVEPOINT_RUN"));

    g_assert_true (run (argv, NULL));
    c->cli = g_build_filename (bin, cli_name, NULL);
    c->run = g_build_filename (bin, run_name, NULL);
  }

  {
    const char *truncate[] = { "truncate", "-s", spec->size ? spec->size : "64M", c->image, NULL };
    const char *mkfs_exfat[] = { "mkfs.exfat", c->image, NULL };
    const char *mkfs_ntfs[] = { "mkntfs", "-F", "-f", "-q", c->image, NULL };
    const char *losetup[] = { "losetup", "-f", "--show", c->image, NULL };

    g_assert_true (run (truncate, NULL));
    g_assert_true (run (spec->kind == DRIVE_EXFAT ? mkfs_exfat : mkfs_ntfs, NULL));
    if (spec->kind == DRIVE_EXFAT)
      {
        if (!run (losetup, &c->loop))
          {
            g_test_skip ("no loop device here: exfat-fuse needs one");
            return c;
          }
        g_strstrip (c->loop);
      }
  }
  g_assert_true (mount_drive (c));
  return c;
}

void
case_free (Case *c)
{
  if (c->loop != NULL)
    {
      const char *umount[] = { "umount", c->drive, NULL };
      const char *detach[] = { "losetup", "-d", c->loop, NULL };

      run (umount, NULL);
      run (detach, NULL);
    }
  else
    {
      const char *umount[] = { "umount", c->drive, NULL };

      run (umount, NULL);
    }
  {
    const char *rm[] = { "rm", "-rf", "--one-file-system", c->dir, NULL };

    run (rm, NULL);
  }
  g_free (c->dir);
  g_free (c->image);
  g_free (c->loop);
  g_free (c->drive);
  g_free (c->source);
  g_free (c->proof);
  g_free (c->home);
  g_free (c->runtime);
  g_free (c->cli);
  g_free (c->run);
  g_free (c);
}

/* Runs savepoint-cli ARGS… as the case's player, with HOME and the XDG
 * folders of the case, bounded in time. */
void
cli (Result *r,
     Case   *c,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status;
  va_list args;

  result_clear (r);
  g_ptr_array_add (argv, g_strdup ("timeout"));
  g_ptr_array_add (argv, g_strdup ("--kill-after=5"));
  g_ptr_array_add (argv, g_strdup ("120"));
  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", (guint) c->spec->uid));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", (guint) c->spec->uid));
  g_ptr_array_add (argv, g_strdup ("--init-groups"));
  g_ptr_array_add (argv, g_strdup ("env"));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
  g_ptr_array_add (argv, g_strdup ("LC_ALL=C.UTF-8"));
  g_ptr_array_add (argv, g_strdup_printf ("HOME=%s", c->home));
  g_ptr_array_add (argv, g_strdup_printf ("XDG_RUNTIME_DIR=%s", c->runtime));
  g_ptr_array_add (argv, g_strdup_printf ("SAVEPOINT_RUN=%s", c->run));
  for (const char * const *name = (const char * const[]) { "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                                            "LSAN_OPTIONS", NULL };
       *name != NULL; name++)
    if (g_getenv (*name))
      g_ptr_array_add (argv, g_strdup_printf ("%s=%s", *name, g_getenv (*name)));
  g_ptr_array_add (argv, g_strdup (c->cli));
  va_start (args, c);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (c->dir, (char **) argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, &r->out, &r->err, &status, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

/* Assertions do not abort (main): a failed step ends the case, whose
 * clean-up unmounts the drive. */
gboolean
ok (Result *r)
{
  g_assert_cmpint (r->status, ==, 0);
  return r->status == 0;
}
