/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mount table helpers against real mounts, in a mount namespace of the
 * test: names that /proc/self/mountinfo escapes (space, tab, newline,
 * backslash), symlinks to mount points, and the clean-up of stale FUSE
 * mounts (real savepoint-overlayfs mounts) in the mounts folder. The
 * mounts folder's own checks are in tests/core/test-util.c. Needs root
 * (mounts); skips otherwise. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

#define LIB_ID "0d6f7a52-3c55-4c8e-a0f4-6b1f0b0e7a11"

static gboolean can_mount;

/* The overlay servers still running: stopped when a test fails, so no
 * server outlives the test (their mounts go with our namespace). */
static volatile pid_t servers[8];

static void
stop_servers_on_abort (int sig)
{
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (servers[i] > 0)
      kill (servers[i], SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

typedef struct
{
  char *root;
  char *source;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  f->root = tc_tmpdir ();
  f->source = g_build_filename (f->root, "source", NULL);
  tc_write (f->source, "file.txt", "mounted");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  tc_rmtree (f->root);
  g_free (f->root);
  g_free (f->source);
}

static gboolean
skip_without_mounts (void)
{
  if (!can_mount)
    g_test_skip ("needs root in a mount namespace of its own");
  return !can_mount;
}

static char *
bind_mount (Fixture    *f,
            const char *parent,
            const char *name)
{
  char *point = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (point, 0700), ==, 0);
  g_assert_cmpint (mount (f->source, point, NULL, MS_BIND, NULL), ==, 0);
  return point;
}

/* Mount points whose names mountinfo escapes are found under their real
 * name and detached; their look-alikes (the name cut at the space, the
 * escaped spelling) are no mount points. */
static void
test_escaped_names (Fixture       *f,
                    gconstpointer  user_data)
{
  static const struct
  {
    const char *name;
    const char *not_mounted[2];
  } cases[] = {
    { "with space", { "with", "with\\040space" } },
    { "tab\there", { "tab", "tab\\011here" } },
    { "new\nline", { "new", "new\\012line" } },
    /* A real backslash: mountinfo writes \134, then "040". */
    { "back\\040slash", { "back slash", "back\\134040slash" } },
    { "ends with \\", { "ends with ", "ends with \\134" } },
  };
  g_autofree char *parent = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_mounts ())
    return;
  /* The parent's name needs escaping too. */
  parent = g_build_filename (f->root, "a parent\twith\nall", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *point = bind_mount (f, parent, cases[i].name);

      g_assert_true (sp_is_mount_point (point));
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].not_mounted); j++)
        {
          g_autofree char *other = g_build_filename (parent, cases[i].not_mounted[j], NULL);

          g_assert_false (sp_is_mount_point (other));
        }
      g_assert_false (sp_is_mount_point (parent));

      g_assert_true (sp_detach_mount (point, &error));
      g_assert_no_error (error);
      g_assert_false (sp_is_mount_point (point));
    }
}

/* A symlink to a mount point is no mount point, and detaching it does not
 * detach what it points to. */
static void
test_symlinks (Fixture       *f,
               gconstpointer  user_data)
{
  g_autofree char *point = NULL;
  g_autofree char *link = g_build_filename (f->root, "link", NULL);
  g_autofree char *parent_link = g_build_filename (f->root, "parent-link", NULL);
  g_autofree char *through = g_build_filename (parent_link, "point", NULL);
  g_autoptr(GError) error = NULL;

  if (skip_without_mounts ())
    return;
  point = bind_mount (f, f->root, "point");
  g_assert_cmpint (symlink (point, link), ==, 0);
  g_assert_cmpint (symlink (f->root, parent_link), ==, 0);

  g_assert_false (sp_is_mount_point (link));
  g_assert_false (sp_is_mount_point (through));
  g_assert_false (sp_detach_mount (link, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, link));
  g_clear_error (&error);
  g_assert_true (sp_is_mount_point (point));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  g_assert_true (sp_detach_mount (point, &error));
  g_assert_no_error (error);
  g_assert_false (sp_is_mount_point (point));
}

/* The pid of the savepoint-overlayfs server whose mount point is @point:
 * a child of ours (we are a subreaper) with @point in its command line. */
static pid_t
find_server (const char *point)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize len;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &len, NULL))
        continue;
      for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
        if (strcmp (cmdline + at, point) == 0)
          return (pid_t) atoi (name);
    }
  g_assert_not_reached ();
}

/* Mounts a savepoint-overlayfs of @f->source on @point, using @scratch for
 * its upper and work folders; returns the server's pid. The helper returns
 * once the mount is live. */
static pid_t
overlay_mount (Fixture    *f,
               const char *scratch,
               const char *point)
{
  g_autofree char *upper = g_build_filename (scratch, "upper", NULL);
  g_autofree char *work = g_build_filename (scratch, "work", NULL);
  g_autofree char *options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s",
                                              f->source, upper, work);
  const char *argv[] = { g_getenv ("SP_OVERLAYFS"), "-o", options, point, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  pid_t pid;

  g_assert_cmpint (g_mkdir_with_parents (upper, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (work, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (point, 0700), ==, 0);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("savepoint-overlayfs failed: %s", err);
  g_assert_true (sp_is_mount_point (point));
  pid = find_server (point);
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (servers[i] == 0)
      {
        servers[i] = pid;
        break;
      }
  return pid;
}

/* Sends @sig to the server @pid and waits for its end. */
static void
stop_server (pid_t pid,
             int   sig)
{
  int status;

  g_assert_cmpint (kill (pid, sig), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (servers[i] == pid)
      servers[i] = 0;
}

/* The clean-up of the mounts folder: a FUSE mount whose server died (even
 * of a live run) and one no run owns are detached and their folders
 * removed, whatever their names; the mount of a live run of ours and a
 * mount that is no FUSE mount stay. */
static void
test_cleanup_stale (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autofree char *mounts = NULL;
  g_autofree char *runs = g_build_filename (f->root, "runs", NULL);
  g_autofree char *scratch = g_build_filename (f->root, "scratch", NULL);
  g_autofree char *dead = NULL;
  g_autofree char *unowned = NULL;
  g_autofree char *owned = NULL;
  g_autofree char *bound = NULL;
  g_autofree char *dead_scratch = g_build_filename (scratch, "dead", NULL);
  g_autofree char *unowned_scratch = g_build_filename (scratch, "unowned", NULL);
  g_autofree char *owned_scratch = g_build_filename (scratch, "owned", NULL);
  g_autoptr(SpRun) run = NULL;
  g_autoptr(SpRun) dead_run = NULL;
  g_autoptr(GError) error = NULL;
  pid_t dead_pid, unowned_pid, owned_pid;

  if (skip_without_mounts ())
    return;
  if (g_getenv ("SP_OVERLAYFS") == NULL || access ("/dev/fuse", R_OK | W_OK) != 0)
    {
      g_test_skip ("needs SP_OVERLAYFS and /dev/fuse");
      return;
    }
  mounts = sp_mounts_dir_ensure (&error);
  g_assert_no_error (error);
  dead = sp_mount_point_for (LIB_ID, "dead-game");
  unowned = g_build_filename (mounts, "no run\there,\nat \\ all", NULL);
  owned = sp_mount_point_for (LIB_ID, "game");
  sp_runs_set_dir (runs);
  run = sp_run_create (LIB_ID, NULL, "game", "Game", NULL, &error);
  g_assert_no_error (error);
  dead_run = sp_run_create (LIB_ID, NULL, "dead-game", "Dead Game", NULL, &error);
  g_assert_no_error (error);

  dead_pid = overlay_mount (f, dead_scratch, dead);
  unowned_pid = overlay_mount (f, unowned_scratch, unowned);
  owned_pid = overlay_mount (f, owned_scratch, owned);
  bound = bind_mount (f, mounts, "bind mount");

  /* The server dies: its mount answers ENOTCONN. */
  stop_server (dead_pid, SIGKILL);
  {
    struct stat st;

    g_assert_cmpint (stat (dead, &st), !=, 0);
    g_assert_cmpint (errno, ==, ENOTCONN);
  }

  g_assert_cmpuint (sp_run_cleanup_stale_mounts (), ==, 2);
  g_assert_false (sp_is_mount_point (dead));
  g_assert_false (g_file_test (dead, G_FILE_TEST_EXISTS));
  g_assert_false (sp_is_mount_point (unowned));
  g_assert_false (g_file_test (unowned, G_FILE_TEST_EXISTS));
  g_assert_true (sp_is_mount_point (owned));
  g_assert_true (sp_is_mount_point (bound));
  stop_server (unowned_pid, SIGTERM);

  /* The run is over: its mount is stale too. */
  sp_run_set_status (run, SP_RUN_STATUS_FINISHED);
  g_assert_true (sp_run_save (run, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sp_run_cleanup_stale_mounts (), ==, 1);
  g_assert_false (sp_is_mount_point (owned));
  g_assert_true (sp_is_mount_point (bound));
  stop_server (owned_pid, SIGTERM);

  g_assert_true (sp_detach_mount (bound, &error));
  g_assert_no_error (error);
  g_assert_true (sp_run_discard_sync (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sp_run_discard_sync (dead_run, NULL, &error));
  g_assert_no_error (error);
  sp_runs_set_dir (NULL);
  tc_rmtree (mounts);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *runtime = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  /* The mounts folder below a runtime folder of the test whose name
   * mountinfo escapes; set before GLib caches it. */
  runtime = g_dir_make_tmp ("sp test mounts XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  g_test_init (&argc, &argv, NULL);

  /* Every mount stays in a namespace of our own; the servers that
   * savepoint-overlayfs leaves in the background are our children. */
  can_mount = geteuid () == 0 && tc_private_mount_namespace ();
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1), ==, 0);
  signal (SIGABRT, stop_servers_on_abort);

#define ADD(name, func) \
  g_test_add ("/mounts/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("escaped-names", test_escaped_names);
  ADD ("symlinks", test_symlinks);
  ADD ("cleanup-stale", test_cleanup_stale);
#undef ADD

  ret = g_test_run ();
  sp_remove_tree (runtime, NULL, NULL);
  return ret;
}
