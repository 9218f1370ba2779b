/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A clean install holding what an exFAT drive cannot store: symbolic
 * links (a Wine prefix's dosdevices/c: -> ../drive_c and z: -> /, a link
 * inside the game), names with ':' and '?', an executable script (0755)
 * and a private file (0600). Added with the real savepoint-cli to an exFAT
 * image (exfat-fuse on a loop device, uid=/gid= of the player), played by
 * a game that lists what it sees: the listing (find -printf '%y %m %l %P')
 * is the source's; kept, remounted, played again: the same, and the save
 * is there. As root and as a normal user (uid 1500, created by the test).
 *
 * Needs root (to make and mount the images), /dev/fuse, truncate, losetup,
 * mkfs.exfat and mount.exfat-fuse; skips with the reason when one is
 * missing. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAYER_UID 1500

typedef enum
{
  DRIVE_EXFAT,
  DRIVE_NTFS,   /* not used here: ntfs-3g keeps links, names and modes */
} DriveKind;

typedef struct
{
  DriveKind   kind;
  uid_t       uid;
  const char *size;   /* of the image; NULL: 64M */
} CaseSpec;

typedef struct
{
  const CaseSpec *spec;
  char *dir;      /* the case's folder, traversable by the player */
  char *image;
  char *loop;     /* exFAT: the loop device of the image */
  char *drive;    /* where the image is mounted */
  char *source;   /* the game's install before `add` */
  char *proof;    /* where the game writes what it saw */
  char *home;
  char *runtime;
  char *cli;      /* copies the player can run */
  char *run;
} Case;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs @argv as root; TRUE when it exits 0. @out gets its output. */
static gboolean
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

static void
put (const char *dir,
     const char *rel,
     const char *contents,
     mode_t      mode)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
link_at (const char *dir,
         const char *rel,
         const char *target)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* What exFAT cannot store, as a Wine prefix and a native game have it
 * (links, names, modes, a hard link). */
static void
fill_source (const char *source)
{
  const char *dirs[] = { "dosdevices", "drive_c", "drive_c/data", "drive_c/odd:name", NULL };

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (source, dirs[i], NULL);

      g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
      g_assert_cmpint (g_chmod (path, 0755), ==, 0);
    }
  link_at (source, "dosdevices/c:", "../drive_c");
  link_at (source, "dosdevices/z:", "/");
  link_at (source, "drive_c/latest", "data/level?1.dat");
  put (source, "drive_c/data/level?1.dat", "level one", 0644);
  put (source, "drive_c/odd:name/inside.txt", "inside", 0644);
  put (source, "drive_c/run.sh", "#!/bin/sh\necho run\n", 0755);
  put (source, "drive_c/private.cfg", "secret", 0600);
  /* exFAT has no hard links either: the copy holds two files. */
  {
    g_autofree char *first = g_build_filename (source, "drive_c/data/level?1.dat", NULL);
    g_autofree char *second = g_build_filename (source, "drive_c/data/level-again.dat", NULL);

    g_assert_cmpint (link (first, second), ==, 0);
  }
}

static void
mkdir_for (const char *path,
           uid_t       uid)
{
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_cmpint (chown (path, uid, uid), ==, 0);
}

static gboolean
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

static void
unmount_drive (Case *c)
{
  const char *argv[] = { "umount", c->drive, NULL };

  g_assert_true (run (argv, NULL));
}

/* The image made, mounted and owned by the case's player, or NULL with
 * the test skipped. */
static Case *
case_new (const CaseSpec *spec)
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

  /* The game: a shell script that lists what it sees and counts the runs
   * in its save; beside it what exFAT cannot store. */
  g_assert_cmpint (g_mkdir (c->source, 0755), ==, 0);
  game = g_build_filename (c->source, "game.sh", NULL);
  g_assert_true (g_file_set_contents (game,
                                      "#!/bin/sh\n"
                                      "cd \"$(dirname \"$0\")\" || exit 1\n"
                                      "find . -mindepth 1 ! -name save.txt "
                                      "-printf '%y %m %l %P\\n' | LC_ALL=C sort > \"$1/seen\"\n"
                                      "if [ -f save.txt ]; then wc -l < save.txt > \"$1/count\"; "
                                      "else echo 0 > \"$1/count\"; fi\n"
                                      "echo run >> save.txt\n", -1, NULL));
  g_assert_cmpint (g_chmod (game, 0755), ==, 0);
  fill_source (c->source);
  {
    const char *chown_argv[] = { "chown", "-R", "-h", NULL, c->source, NULL };
    g_autofree char *ids = g_strdup_printf ("%u:%u", (guint) spec->uid, (guint) spec->uid);

    chown_argv[3] = ids;
    g_assert_true (run (chown_argv, NULL));
  }

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

static void
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
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Case, case_free)

/* Runs savepoint-cli ARGS… as the case's player, with HOME and the XDG
 * folders of the case, bounded in time. */
static void
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
static gboolean
ok (Result *r)
{
  g_assert_cmpint (r->status, ==, 0);
  return r->status == 0;
}

#define STEP(call) G_STMT_START { call; if (g_test_failed ()) return; } G_STMT_END

/* What `find -printf '%y %m %l %P'` says of @dir, sorted, save left out. */
static char *
listing (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *cmd = g_strdup_printf ("cd %s && find . -mindepth 1 ! -name save.txt "
                                          "-printf '%%y %%m %%l %%P\\n' | LC_ALL=C sort",
                                          quoted);
  const char *argv[] = { "sh", "-c", cmd, NULL };
  char *out = NULL;

  g_assert_true (run (argv, &out));
  return out;
}

static void
play_and_check (Case       *c,
                const char *label,
                const char *expect_count,
                const char *expect_seen)
{
  g_auto(Result) r = { 0 };
  g_autofree char *seen_path = g_build_filename (c->proof, "seen", NULL);
  g_autofree char *count_path = g_build_filename (c->proof, "count", NULL);
  g_autofree char *seen = NULL;
  g_autofree char *count = NULL;

  g_unlink (seen_path);
  g_unlink (count_path);
  cli (&r, c, "--library", c->drive, "play", "demo", "--keep", label, NULL);
  if (!ok (&r))
    return;
  g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL));
  g_assert_true (g_file_get_contents (count_path, &count, NULL, NULL));
  g_assert_cmpstr (seen, ==, expect_seen);
  g_assert_cmpstr (g_strstrip (count), ==, expect_count);
}

static void
test_cycle (gconstpointer data)
{
  const CaseSpec *spec = data;
  g_autoptr(Case) c = case_new (spec);
  g_auto(Result) r = { 0 };
  g_autofree char *expected = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *placeholder = NULL;
  g_autofree char *escaped = NULL;
  struct stat st;

  if (c == NULL || g_test_failed () || c->loop == NULL)
    return;
  expected = listing (c->source);
  g_test_message ("source:\n%s", expected);
  manifest = g_build_filename (c->drive, "Savepoint", "games", "demo", "base.manifest", NULL);
  placeholder = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "dosdevices",
                                  "c%3A", NULL);
  escaped = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "drive_c",
                              "odd%3Aname", "inside.txt", NULL);

  STEP (cli (&r, c, "init", c->drive, NULL); ok (&r));
  /* Before: "Cannot create the symbolic link …: Function not implemented". */
  STEP (cli (&r, c, "--library", c->drive, "add", "Demo", c->source, "--exec", "game.sh",
             "--kind", "native", "--arg", c->proof, NULL); ok (&r));
  /* The drive holds placeholders and the manifest the truth. */
  g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (lstat (placeholder, &st), ==, 0);
  STEP (g_assert_true (S_ISREG (st.st_mode)));
  g_assert_true (g_file_test (escaped, G_FILE_TEST_IS_REGULAR));

  STEP (play_and_check (c, "first", "0", expected));

  /* After a remount, the same view, and the save. */
  STEP (unmount_drive (c));
  STEP (g_assert_true (mount_drive (c)));
  STEP (cli (&r, c, "--library", c->drive, "verify", NULL); ok (&r));
  STEP (play_and_check (c, "second", "1", expected));

  /* The manifest comes from the drive: a hostile one is refused, nothing
   * is played. */
  {
    g_autofree char *proof_seen = g_build_filename (c->proof, "seen", NULL);

    g_unlink (proof_seen);
    g_assert_true (g_file_set_contents (manifest, "savepoint-manifest 1\n"
                                        "path=../../../../etc/passwd mode=777\n", -1, NULL));
    cli (&r, c, "--library", c->drive, "play", "demo", "--keep", "hostile", NULL);
    g_assert_cmpint (r.status, !=, 0);
    g_assert_nonnull (strstr (r.err, "manifest"));
    g_assert_false (g_file_test (proof_seen, G_FILE_TEST_EXISTS));
  }
}

/* Runs @argv as the case's player with Wine's environment for @prefix. */
static gboolean
wine_as_player (Case               *c,
                const char         *prefix,
                const char * const *argv)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func (g_free);
  const char *head[] = { "timeout", "--kill-after=5", "240", "setpriv", NULL };

  for (guint i = 0; head[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (head[i]));
  g_ptr_array_add (full, g_strdup_printf ("--reuid=%u", (guint) c->spec->uid));
  g_ptr_array_add (full, g_strdup_printf ("--regid=%u", (guint) c->spec->uid));
  g_ptr_array_add (full, g_strdup ("--init-groups"));
  g_ptr_array_add (full, g_strdup ("env"));
  g_ptr_array_add (full, g_strdup ("-i"));
  g_ptr_array_add (full, g_strdup ("PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
  g_ptr_array_add (full, g_strdup_printf ("HOME=%s", c->home));
  g_ptr_array_add (full, g_strdup_printf ("WINEPREFIX=%s", prefix));
  g_ptr_array_add (full, g_strdup ("USER=gamer"));
  g_ptr_array_add (full, g_strdup ("LOGNAME=gamer"));
  g_ptr_array_add (full, g_strdup ("WINEDEBUG=-all"));
  g_ptr_array_add (full, g_strdup ("WINEDLLOVERRIDES=mscoree,mshtml="));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (argv[i]));
  g_ptr_array_add (full, NULL);
  {
    /* Not through pipes: Wine's services.exe and winedevice.exe outlive
     * wineboot and would hold a pipe open, so that waiting for its end
     * waits for them. */
    g_autoptr(GError) error = NULL;
    int status = -1;

    if (!g_spawn_sync (NULL, (char **) full->pdata, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, &error))
      {
        g_test_message ("%s: %s", argv[0], error->message);
        return FALSE;
      }
    if (!g_spawn_check_wait_status (status, &error))
      {
        g_test_message ("%s: %s", argv[0], error->message);
        return FALSE;
      }
    return TRUE;
  }
}

/* A real Wine prefix (wineboot) on exFAT, added and played by a normal
 * user: Wine finds C: and Z: (dosdevices links kept by the manifest), the
 * Documents link to the home became a folder, so a save in
 * Documents\My Games lands in the checkpoint and nothing in the home;
 * after a remount the next run finds it. */
static void
test_wine (gconstpointer data)
{
  const CaseSpec *spec = data;
  g_autofree char *wineboot = g_find_program_in_path ("wineboot");
  g_autoptr(Case) c = NULL;
  g_auto(Result) r = { 0 };
  g_autofree char *prefix = NULL;
  g_autofree char *documents = NULL;
  g_autofree char *home_games = NULL;
  g_autofree char *bat = NULL;
  g_autofree char *bat_text = NULL;
  g_autofree char *proof_win = NULL;
  g_autofree char *seen_path = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *stored_c = NULL;

  if (wineboot == NULL)
    {
      g_test_skip ("Wine is not installed (apt-get install wine wine64)");
      return;
    }
  c = case_new (spec);
  if (c == NULL || g_test_failed () || c->loop == NULL)
    return;
  /* wineboot links Documents to the home's when the home has one. */
  documents = g_build_filename (c->home, "Documents", NULL);
  mkdir_for (documents, spec->uid);
  home_games = g_build_filename (documents, "My Games", NULL);
  prefix = g_build_filename (c->dir, "wine-game", NULL);
  mkdir_for (prefix, spec->uid);
  {
    const char *boot[] = { "wineboot", "-i", NULL };
    const char *wait[] = { "wineserver", "-w", NULL };

    STEP (g_assert_true (wine_as_player (c, prefix, boot)));
    STEP (g_assert_true (wine_as_player (c, prefix, wait)));
  }
  {
    /* What the test is about: wineboot linked Documents to the home. */
    g_autofree char *linked = g_build_filename (prefix, "drive_c", "users", "gamer", "Documents",
                                                NULL);

    STEP (g_assert_true (g_file_test (linked, G_FILE_TEST_IS_SYMLINK)));
  }
  /* Z: is the host's root: the batch file reports there what it saw. */
  proof_win = g_strdelimit (g_strdup_printf ("Z:%s", c->proof), "/", '\\');
  bat = g_build_filename (prefix, "drive_c", "game.bat", NULL);
  bat_text = g_strdup_printf ("@echo off\r\n"
                              "if not exist \"%%USERPROFILE%%\\Documents\\My Games\" "
                              "mkdir \"%%USERPROFILE%%\\Documents\\My Games\"\r\n"
                              "echo run>>\"%%USERPROFILE%%\\Documents\\My Games\\save.txt\"\r\n"
                              "copy /y \"%%USERPROFILE%%\\Documents\\My Games\\save.txt\" "
                              "%s\\seen.txt >nul\r\n", proof_win);
  g_assert_true (g_file_set_contents (bat, bat_text, -1, NULL));
  g_assert_cmpint (chown (bat, spec->uid, spec->uid), ==, 0);
  seen_path = g_build_filename (c->proof, "seen.txt", NULL);
  stored_c = g_build_filename (c->drive, "Savepoint", "games", "demo", "base", "dosdevices",
                               "c%3A", NULL);

  STEP (cli (&r, c, "init", c->drive, NULL); ok (&r));
  STEP (cli (&r, c, "--library", c->drive, "add", "Demo", prefix, "--kind", "wine",
             "--exec", "drive_c/windows/system32/cmd.exe", "--arg", "/c", "--arg", "C:\\game.bat",
             "--env", "WINEDEBUG=-all", "--env", "WINEDLLOVERRIDES=mscoree,mshtml=", NULL);
        ok (&r));
  STEP (g_assert_true (g_file_test (stored_c, G_FILE_TEST_IS_REGULAR)));

  STEP (cli (&r, c, "--library", c->drive, "play", "demo", "--keep", "first", NULL); ok (&r));
  STEP (g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL)));
  g_assert_cmpstr (seen, ==, "run\r\n");
  g_assert_false (g_file_test (home_games, G_FILE_TEST_EXISTS));
  g_clear_pointer (&seen, g_free);
  g_assert_cmpint (g_unlink (seen_path), ==, 0);

  STEP (unmount_drive (c));
  STEP (g_assert_true (mount_drive (c)));
  STEP (cli (&r, c, "--library", c->drive, "play", "demo", "--keep", "second", NULL); ok (&r));
  STEP (g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL)));
  g_assert_cmpstr (seen, ==, "run\r\nrun\r\n");
  g_assert_false (g_file_test (home_games, G_FILE_TEST_EXISTS));
  {
    /* wineboot's own Wine processes (not a session's) go before the case's
     * drive is unmounted. */
    const char *kill_server[] = { "wineserver", "-k", NULL };

    wine_as_player (c, prefix, kill_server);
  }
}

int
main (int    argc,
      char **argv)
{
  static const CaseSpec exfat_root = { DRIVE_EXFAT, 0 };
  static const CaseSpec exfat_player = { DRIVE_EXFAT, PLAYER_UID };
  /* A Wine prefix is some hundred megabytes. */
  static const CaseSpec exfat_wine = { DRIVE_EXFAT, PLAYER_UID, "2G" };

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_data_func ("/drives/manifest/exfat/root", &exfat_root, test_cycle);
  g_test_add_data_func ("/drives/manifest/exfat/player", &exfat_player, test_cycle);
  g_test_add_data_func ("/drives/manifest/exfat/wine-player", &exfat_wine, test_wine);
  return g_test_run ();
}
