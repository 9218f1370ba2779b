/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-run resolves the game's paths beneath the mount:
 * --exec-beneath, --check-beneath, --cwd-beneath, --home-beneath
 * with openat2(RESOLVE_BENEATH). Run directly on a plain folder standing
 * in for the mount (the session tests use a real one), as root and, when
 * the test runs as root, as a normal user (uid 1500) as players run it. */
#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

#define PLAYER_UID 1500

typedef struct
{
  char *tmp;       /* everything of the test */
  char *root;      /* the stand-in for the mount */
  char *outside;   /* a folder next to it that must stay untouched */
  char *supervisor;
  gboolean as_player;
} Fixture;

typedef struct
{
  int   exit_status;
  char *status;    /* the status-fd line */
  char *out;       /* stdout + stderr */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_free (o->status);
  g_free (o->out);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
copy_file (const char *from,
           const char *to,
           int         mode)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autofree char *parent = g_path_get_dirname (to);

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (to, contents, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (to, mode), ==, 0);
}

/* A game folder: bin/env (a real ELF), bin/run.sh (a #! script), data/,
 * drive_c/game.exe, and links: bin-link → /bin, out → the outside folder,
 * up → ../.. (relative, leaving), z: → /, inside → bin/env. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *env = g_find_program_in_path ("env");

  f->as_player = GPOINTER_TO_INT (user_data);
  f->tmp = g_dir_make_tmp ("sp-test-supervisor-XXXXXX", &error);
  g_assert_no_error (error);
  f->root = g_build_filename (f->tmp, "mount", NULL);
  f->outside = g_build_filename (f->tmp, "outside", NULL);
  g_assert_cmpint (g_mkdir (f->root, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->outside, 0755), ==, 0);

  g_assert_nonnull (env);
  path = g_build_filename (f->root, "bin", "env", NULL);
  copy_file (env, path, 0755);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (f->root, "bin", "run.sh", NULL);
  write_file (path, "#!/bin/sh\necho \"script-ok $1 pwd=$PWD home=$HOME zero=$0\"\n", 0755);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (f->root, "drive_c", "game.exe", NULL);
  write_file (path, "MZ not really\n", 0644);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (f->root, "data", NULL);
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  g_clear_pointer (&path, g_free);

#define LINK(target, name) \
  G_STMT_START { \
    g_autofree char *link_path = g_build_filename (f->root, name, NULL); \
    g_assert_cmpint (symlink (target, link_path), ==, 0); \
  } G_STMT_END
  LINK ("/bin", "bin-link");
  LINK (f->outside, "out");
  LINK ("../..", "up");
  LINK ("/", "z:");
  LINK ("bin/env", "inside");
#undef LINK

  /* A copy the player can reach whatever the build folder's modes. */
  f->supervisor = g_build_filename (f->tmp, "savepoint-run", NULL);
  copy_file (g_getenv ("SAVEPOINT_RUN"), f->supervisor, 0755);

  if (f->as_player)
    {
      g_assert_cmpint (g_chmod (f->tmp, 0755), ==, 0);
      tc_chown_tree (f->root, PLAYER_UID);
      tc_chown_tree (f->outside, PLAYER_UID);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  tc_rmtree (f->tmp);
  g_free (f->tmp);
  g_free (f->root);
  g_free (f->outside);
  g_free (f->supervisor);
}

/* Runs savepoint-run --root ROOT @options -- @program… and collects the
 * status line, the output and the exit status. */
static void
run (Fixture            *f,
     Outcome            *o,
     const char * const *options,
     const char * const *program)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) status_in = NULL;
  g_autoptr(GBytes) status = NULL;
  g_autofree char *uid = g_strdup_printf ("%d", PLAYER_UID);
  int fds[2];

  if (f->as_player)
    {
      g_ptr_array_add (argv, (char *) "setpriv");
      g_ptr_array_add (argv, (char *) "--reuid");
      g_ptr_array_add (argv, uid);
      g_ptr_array_add (argv, (char *) "--regid");
      g_ptr_array_add (argv, uid);
      g_ptr_array_add (argv, (char *) "--clear-groups");
      g_ptr_array_add (argv, (char *) "--");
    }
  g_ptr_array_add (argv, f->supervisor);
  g_ptr_array_add (argv, (char *) "--grace");
  g_ptr_array_add (argv, (char *) "1");
  g_ptr_array_add (argv, (char *) "--status-fd");
  g_ptr_array_add (argv, (char *) "3");
  g_ptr_array_add (argv, (char *) "--root");
  g_ptr_array_add (argv, f->root);
  for (guint i = 0; options[i]; i++)
    g_ptr_array_add (argv, (char *) options[i]);
  g_ptr_array_add (argv, (char *) "--");
  for (guint i = 0; program[i]; i++)
    g_ptr_array_add (argv, (char *) program[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "HOME", "/nonexistent-home", TRUE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);   /* closes our write end */

  status_in = g_unix_input_stream_new (fds[0], TRUE);
  status = g_input_stream_read_bytes (status_in, 4096, NULL, &error);
  g_assert_no_error (error);
  o->status = g_strndup (g_bytes_get_data (status, NULL), g_bytes_get_size (status));
  g_subprocess_communicate_utf8 (process, NULL, NULL, &o->out, NULL, &error);
  g_assert_no_error (error);
  o->exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("%s → %d, status: %s, out: %s", options[0], o->exit_status, o->status, o->out);
}

static void
assert_refused (Fixture            *f,
                const char * const *options,
                const char         *needle)
{
  g_auto(Outcome) o = { 0 };
  const char *program[] = { "/bin/echo", "ESCAPED", NULL };

  run (f, &o, options, program);
  g_assert_cmpint (o.exit_status, ==, 127);
  g_assert_true (g_str_has_prefix (o.status, "error "));
  g_assert_nonnull (strstr (o.status, needle));
  g_assert_null (strstr (o.out, "ESCAPED"));
}

static void
test_refused (Fixture       *f,
              gconstpointer  user_data)
{
  g_autofree char *outside_x = g_build_filename (f->outside, "x", NULL);

  /* The lexical rule, again, in the supervisor. */
  assert_refused (f, (const char *[]) { "--exec-beneath", "../../bin/sh", NULL }, "not allowed");
  assert_refused (f, (const char *[]) { "--exec-beneath", "/bin/sh", NULL }, "absolute");
  assert_refused (f, (const char *[]) { "--check-beneath", "drive_c\\..\\..\\x.exe", NULL }, "not allowed");
  assert_refused (f, (const char *[]) { "--home-beneath", "../../x", NULL }, "not allowed");
  assert_refused (f, (const char *[]) { "--cwd-beneath", "data/../..", NULL }, "not allowed");

  /* Links that lead out: absolute, relative, the Wine prefix's z:. */
  assert_refused (f, (const char *[]) { "--exec-beneath", "bin-link/sh", NULL }, "outside the game");
  assert_refused (f, (const char *[]) { "--exec-beneath", "up/bin/sh", NULL }, "outside the game");
  assert_refused (f, (const char *[]) { "--check-beneath", "z:/bin/sh", NULL }, "outside the game");
  assert_refused (f, (const char *[]) { "--cwd-beneath", "out", NULL }, "outside the game");
  assert_refused (f, (const char *[]) { "--home-beneath", "out/x", NULL }, "outside the game");
  g_assert_false (g_file_test (outside_x, G_FILE_TEST_EXISTS));

  /* Not a regular file, or missing. */
  assert_refused (f, (const char *[]) { "--exec-beneath", "data", NULL }, "not a regular file");
  assert_refused (f, (const char *[]) { "--check-beneath", "drive_c/missing.exe", NULL }, "does not exist");
}

static void
test_allowed (Fixture       *f,
              gconstpointer  user_data)
{
  g_autofree char *home = g_build_filename (f->root, "save", "home", NULL);
  g_autofree char *data = g_build_filename (f->root, "data", NULL);

  /* A native ELF from its descriptor, with a home made beneath the root. */
  {
    g_auto(Outcome) o = { 0 };
    g_autofree char *expect_home = g_strdup_printf ("HOME=%s\n", home);
    g_autofree char *expect_config = g_strdup_printf ("XDG_CONFIG_HOME=%s/.config\n", home);

    run (f, &o, (const char *[]) { "--exec-beneath", "bin/env", "--home-beneath", "save/home/", "--cwd-beneath", ".", NULL },
         (const char *[]) { "env", NULL });
    g_assert_cmpint (o.exit_status, ==, 0);
    g_assert_true (g_str_has_prefix (o.status, "started "));
    g_assert_nonnull (strstr (o.out, expect_home));
    g_assert_nonnull (strstr (o.out, expect_config));
    g_assert_true (g_file_test (home, G_FILE_TEST_IS_DIR));
  }

  /* A link that stays inside. */
  {
    g_auto(Outcome) o = { 0 };

    run (f, &o, (const char *[]) { "--exec-beneath", "inside", NULL }, (const char *[]) { "env", NULL });
    g_assert_cmpint (o.exit_status, ==, 0);
    g_assert_true (g_str_has_prefix (o.status, "started "));
  }

  /* A #! script, in its working folder. */
  {
    g_auto(Outcome) o = { 0 };
    /* $0 is the script's real path beneath the root (launch scripts cd to
     * its folder), not /dev/fd/N. */
    g_autofree char *expect = g_strdup_printf ("script-ok arg pwd=%s home=/nonexistent-home "
                                               "zero=%s/bin/run.sh\n", data, f->root);

    run (f, &o, (const char *[]) { "--exec-beneath", "bin/run.sh", "--cwd-beneath", "data", NULL },
         (const char *[]) { "run.sh", "arg", NULL });
    g_assert_cmpint (o.exit_status, ==, 0);
    g_assert_true (g_str_has_prefix (o.status, "started "));
    g_assert_cmpstr (o.out, ==, expect);
  }

  /* Wine: the exe is checked, then the runner runs with its path. */
  {
    g_auto(Outcome) o = { 0 };
    g_autofree char *exe = g_build_filename (f->root, "drive_c", "game.exe", NULL);
    g_autofree char *expect = g_strdup_printf ("runner %s\n", exe);

    run (f, &o, (const char *[]) { "--check-beneath", "drive_c/game.exe", "--cwd-beneath", "drive_c", NULL },
         (const char *[]) { "/bin/echo", "runner", exe, NULL });
    g_assert_cmpint (o.exit_status, ==, 0);
    g_assert_cmpstr (o.out, ==, expect);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *no_player = tc_no_player_reason ();

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/supervisor-paths/refused", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/supervisor-paths/allowed", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_allowed, fixture_tear_down);
  if (no_player != NULL)
    {
      tc_add_skipped ("/supervisor-paths/player/refused", no_player);
      tc_add_skipped ("/supervisor-paths/player/allowed", no_player);
    }
  else
    {
      g_test_add ("/supervisor-paths/player/refused", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_refused, fixture_tear_down);
      g_test_add ("/supervisor-paths/player/allowed", Fixture, GINT_TO_POINTER (TRUE),
                  fixture_set_up, test_allowed, fixture_tear_down);
    }
  return g_test_run ();
}
