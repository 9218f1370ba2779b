/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "common/sp-util.h"
#include "sp-semantics-private.h"

#define KERNEL_OPTIONS   "userxattr,index=off,metacopy=off,xino=off"

const char *
sp_semantics_overlayfs (void)
{
  const char *fs = g_getenv ("SP_OVERLAYFS");

  if (fs != NULL && *fs != '\0')
    return fs;
  fs = g_getenv ("SP_OVERLAYFS_BUILT");
  if (fs != NULL && *fs != '\0')
    return fs;
  return "savepoint-overlayfs";
}

static char *
find_overlayfs (GString *report)
{
  const char *fs = sp_semantics_overlayfs ();
  char *path;

  if (strchr (fs, '/') != NULL)
    path = g_file_test (fs, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (fs) : NULL;
  else
    path = g_find_program_in_path (fs);
  if (path == NULL)
    g_string_append_printf (report,
                            "The file system under test, '%s', does not exist or is not "
                            "executable. Build savepoint-overlayfs (src/overlay) or point "
                            "SP_OVERLAYFS at an overlay helper with fuse-overlayfs's syntax, "
                            "e.g. SP_OVERLAYFS=/usr/bin/fuse-overlayfs.", fs);
  return path;
}

/* Layers */

static gboolean
set_fixed_times (const char *path,
                 GString    *report)
{
  struct timespec ts[2] = { { SP_FIXED_TIME, 0 }, { SP_FIXED_TIME, 0 } };
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      g_string_append_printf (report, "lstat %s: %s\n", path, g_strerror (errno));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (!set_fixed_times (child, report))
            return FALSE;
        }
    }
  if (utimensat (AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0)
    {
      g_string_append_printf (report, "utimensat %s: %s\n", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
build_entry (const char    *dir,
             const SpEntry *e,
             gboolean       fallback,
             GString       *report)
{
  g_autofree char *path = g_build_filename (dir, e->path, NULL);
  int r = 0;

  switch (e->kind)
    {
    case SP_E_DIR:
      r = mkdir (path, 0700);
      if (r == 0)
        r = chmod (path, e->mode ? e->mode : 0755);
      break;
    case SP_E_FILE:
    case SP_E_SPARSE:
      {
        int fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        const char *data = e->data ? e->data : "";
        gint64 offset = e->kind == SP_E_SPARSE ? e->num : 0;

        if (fd < 0)
          {
            r = -1;
            break;
          }
        if (*data && pwrite (fd, data, strlen (data), offset) != (ssize_t) strlen (data))
          r = -1;
        if (r == 0 && e->kind == SP_E_SPARSE && ftruncate (fd, e->num2) != 0)
          r = -1;
        close (fd);
        if (r == 0)
          r = chmod (path, e->mode ? e->mode : 0644);
      }
      break;
    case SP_E_SYMLINK:
      r = symlink (e->data, path);
      break;
    case SP_E_HARDLINK:
      {
        g_autofree char *target = g_build_filename (dir, e->data, NULL);
        r = link (target, path);
      }
      break;
    case SP_E_FIFO:
      r = mkfifo (path, e->mode ? e->mode : 0644);
      break;
    case SP_E_WHITEOUT:
      if (fallback)
        {
          g_autofree char *dirname = g_path_get_dirname (path);
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *wh_name = g_strconcat (".wh.", base, NULL);
          g_autofree char *wh = g_build_filename (dirname, wh_name, NULL);

          r = g_file_set_contents (wh, "", 0, NULL) ? 0 : -1;
        }
      else
        r = mknod (path, S_IFCHR | 0000, makedev (0, 0));
      break;
    case SP_E_OPAQUE:
      if (fallback)
        {
          g_autofree char *marker = g_build_filename (path, ".wh..wh..opq", NULL);
          r = g_file_set_contents (marker, "", 0, NULL) ? 0 : -1;
        }
      else
        r = lsetxattr (path, "user.overlay.opaque", "y", 1, 0);
      break;
    case SP_E_XATTR:
      {
        const char *eq = strchr (e->data, '=');
        g_autofree char *name = g_strndup (e->data, eq - e->data);
        r = lsetxattr (path, name, eq + 1, strlen (eq + 1), 0);
      }
      break;
    case SP_E_OWNER:
      r = lchown (path, e->num, e->num2);
      break;
    case SP_E_MANY:
      for (gint64 i = 0; r == 0 && i < e->num; i++)
        {
          g_autofree char *name = g_strdup_printf ("%s%03" G_GINT64_FORMAT, path, i);
          g_autofree char *base = g_path_get_basename (name);

          r = g_file_set_contents (name, base, -1, NULL) ? 0 : -1;
        }
      break;
    case SP_E_END:
    default:
      g_assert_not_reached ();
    }
  if (r != 0)
    {
      g_string_append_printf (report, "building layer entry %s: %s\n", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
build_layer (const char    *dir,
             const SpEntry *entries,
             gboolean       fallback,
             GString       *report)
{
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_string_append_printf (report, "mkdir %s: %s\n", dir, g_strerror (errno));
      return FALSE;
    }
  for (const SpEntry *e = entries; e != NULL && e->kind != SP_E_END; e++)
    if (!build_entry (dir, e, fallback, report))
      return FALSE;
  return set_fixed_times (dir, report);
}

static gboolean
side_setup (SpSide           *side,
            const char       *root,
            const char       *label,
            const SpScenario *scenario,
            GString          *report)
{
  side->label = label;
  side->is_fuse = g_str_equal (label, "tested");
  side->root = g_build_filename (root, label, NULL);
  side->upper = g_build_filename (side->root, "upper", NULL);
  side->work = g_build_filename (side->root, "work", NULL);
  side->mnt = g_build_filename (side->root, "mnt", NULL);
  for (guint i = 0; i < SP_N_SLOTS; i++)
    side->fds[i] = -1;

  for (side->n_lowers = 0; scenario->lowers[side->n_lowers] != NULL; side->n_lowers++)
    {
      g_autofree char *name = g_strdup_printf ("lower%u", side->n_lowers);

      g_assert (side->n_lowers < SP_MAX_LOWERS);
      side->lowers[side->n_lowers] = g_build_filename (side->root, name, NULL);
      if (!build_layer (side->lowers[side->n_lowers], scenario->lowers[side->n_lowers],
                        FALSE, report))
        return FALSE;
    }
  if (!build_layer (side->upper, scenario->upper,
                    side->is_fuse && (scenario->flags & SP_SCENARIO_FALLBACK_FORMS), report))
    return FALSE;
  if (g_mkdir_with_parents (side->work, 0755) != 0 || g_mkdir_with_parents (side->mnt, 0755) != 0)
    {
      g_string_append_printf (report, "mkdir in %s: %s\n", side->root, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static char *
side_layer_options (SpSide *side)
{
  g_autofree char *lowers = NULL;

  side->lowers[side->n_lowers] = NULL;
  lowers = g_strjoinv (":", side->lowers);
  return g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lowers, side->upper, side->work);
}

static gboolean
mount_kernel (SpSide  *side,
              GString *report)
{
  g_autofree char *layers = side_layer_options (side);
  g_autofree char *options = g_strdup_printf ("%s," KERNEL_OPTIONS, layers);

  if (mount ("overlay", side->mnt, "overlay", 0, options) != 0)
    {
      g_string_append_printf (report, "mount -t overlay -o %s %s: %s\n",
                              options, side->mnt, g_strerror (errno));
      return FALSE;
    }
  side->mounted = TRUE;
  return TRUE;
}

/* A watchdog, so that a tested file system that stops answering makes the
 * scenario fail with a message instead of hanging the suite: when the time
 * is up it kills a helper that has not returned and aborts the FUSE
 * connection (through fusectl, mounted if need be), so every pending and
 * later request fails with ENOTCONN and the scenario ends and unmounts as
 * usual. It finds the connection in /proc/self/mountinfo, because stat()
 * on a hung mount would hang the watchdog too. */
#define WATCHDOG_SECONDS 60

typedef struct
{
  GMutex      lock;
  GCond       cond;
  gboolean    done;
  gboolean    fired;
  const char *mnt;
  GPid        helper;
  GThread    *thread;
} Watchdog;

/* SP_SEMANTICS_WATCHDOG overrides the time, e.g. for runs under valgrind. */
static int
watchdog_seconds (void)
{
  const char *env = g_getenv ("SP_SEMANTICS_WATCHDOG");
  int seconds = env ? atoi (env) : 0;

  return seconds > 0 ? seconds : WATCHDOG_SECONDS;
}

static void
abort_fuse_connection (const char *mnt)
{
  g_autofree char *mountinfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    return;
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "36 35 0:52 / /mnt/point rw,… - fuse.x …": ids, major:minor, root, mount point */
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);
      g_autofree char *path = NULL;
      guint major, minor;
      int fd;

      if (g_strv_length (fields) < 5 || !g_str_equal (fields[4], mnt) ||
          sscanf (fields[2], "%u:%u", &major, &minor) != 2 || major != 0)
        continue;
      path = g_strdup_printf ("/sys/fs/fuse/connections/%u/abort", minor);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        mount ("fusectl", "/sys/fs/fuse/connections", "fusectl", 0, NULL);
      fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          if (write (fd, "1", 1) != 1)
            g_printerr ("aborting FUSE connection %u: %s\n", minor, g_strerror (errno));
          close (fd);
        }
    }
}

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + watchdog_seconds () * G_TIME_SPAN_SECOND;

  g_mutex_lock (&dog->lock);
  while (!dog->done)
    if (!g_cond_wait_until (&dog->cond, &dog->lock, deadline))
      {
        dog->fired = TRUE;
        if (dog->helper > 0)
          kill (dog->helper, SIGKILL);
        abort_fuse_connection (dog->mnt);
        break;
      }
  g_mutex_unlock (&dog->lock);
  return NULL;
}

static void
watchdog_start (Watchdog   *dog,
                const char *mnt)
{
  g_mutex_init (&dog->lock);
  g_cond_init (&dog->cond);
  dog->mnt = mnt;
  dog->thread = g_thread_new ("sp-semantics-watchdog", watchdog_thread, dog);
}

/* The helper process being waited for, or 0. */
static void
watchdog_set_helper (Watchdog *dog,
                     GPid      helper)
{
  g_mutex_lock (&dog->lock);
  dog->helper = helper;
  g_mutex_unlock (&dog->lock);
}

static gboolean
watchdog_stop (Watchdog *dog)
{
  if (dog->thread == NULL)
    return FALSE;
  g_mutex_lock (&dog->lock);
  dog->done = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->lock);
  g_thread_join (g_steal_pointer (&dog->thread));
  g_mutex_clear (&dog->lock);
  g_cond_clear (&dog->cond);
  return dog->fired;
}

static gboolean
mount_tested (SpSide           *side,
              const char       *fs,
              const SpScenario *scenario,
              Watchdog         *dog,
              GString          *report)
{
  g_autofree char *layers = side_layer_options (side);
  g_autofree char *options = NULL;
  g_autofree char *log_path = g_build_filename (side->root, "helper.log", NULL);
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[6];
  struct stat st, parent;
  GPid pid;
  int status;
  int log_fd;
  int null_fd;

  options = g_strdup_printf ("%s%s", layers,
                             scenario->flags & SP_SCENARIO_ALLOW_OTHER ? ",allow_other" : "");
  argv[0] = fs;
  argv[1] = "overlay";
  argv[2] = side->mnt;
  argv[3] = "-o";
  argv[4] = options;
  argv[5] = NULL;

  /* The helper daemonizes: its output goes to a file, not to a pipe that a
   * daemon keeping stderr open would hold forever. */
  log_fd = open (log_path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (log_fd, >=, 0);
  g_assert_cmpint (null_fd, >=, 0);
  if (!g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                               NULL, NULL, &pid, null_fd, log_fd, log_fd, &error))
    {
      g_string_append_printf (report, "starting %s: %s\n", fs, error->message);
      close (log_fd);
      close (null_fd);
      return FALSE;
    }
  close (log_fd);
  close (null_fd);
  watchdog_set_helper (dog, pid);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  watchdog_set_helper (dog, 0);
  g_spawn_close_pid (pid);
  g_file_get_contents (log_path, &log, NULL, NULL);

  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_string_append_printf (report, "%s overlay %s -o %s failed (status %d): %s\n",
                              fs, side->mnt, options, status, log ? log : "");
      return FALSE;
    }
  /* The helper returns only once the mount is live. */
  if (stat (side->mnt, &st) != 0 || stat (side->root, &parent) != 0 ||
      st.st_dev == parent.st_dev)
    {
      g_string_append_printf (report, "%s returned but %s is not mounted yet: %s\n",
                              fs, side->mnt, log ? log : "");
      return FALSE;
    }
  side->mounted = TRUE;
  return TRUE;
}

static gboolean
side_unmount (SpSide  *side,
              GString *report)
{
  if (!side->mounted)
    return TRUE;
  _sp_side_close_fds (side);
  if (umount2 (side->mnt, 0) != 0)
    {
      g_string_append_printf (report, "  unmounting the %s mount %s: %s\n",
                              side->label, side->mnt, g_strerror (errno));
      umount2 (side->mnt, MNT_DETACH);
      side->mounted = FALSE;
      return FALSE;
    }
  side->mounted = FALSE;
  return TRUE;
}

static void
side_teardown (SpSide *side)
{
  g_autoptr(GError) error = NULL;

  _sp_side_close_fds (side);
  /* Lazily, so a failed test never leaves a mount behind, also when a
   * helper that failed mounted anyway. */
  if (side->mnt != NULL)
    umount2 (side->mnt, MNT_DETACH);
  side->mounted = FALSE;
  if (side->root != NULL && !sp_remove_tree (side->root, NULL, &error))
    g_test_message ("cleaning up %s: %s", side->root, error->message);
  g_free (side->root);
  for (guint i = 0; i < side->n_lowers; i++)
    g_free (side->lowers[i]);
  g_free (side->upper);
  g_free (side->work);
  g_free (side->mnt);
  memset (side, 0, sizeof *side);
}

static void
compare_ops (const SpScenario *scenario,
             SpSide           *sides,
             GString          *report)
{
  g_autoptr(GPtrArray) kernel = g_ptr_array_new_with_free_func (g_free);
  gboolean verbose = g_strcmp0 (g_getenv ("SP_SEMANTICS_VERBOSE"), "1") == 0;
  guint n = 0;

  for (const SpOp *op = scenario->ops; op && op->kind != SP_OP_END; op++, n++)
    g_ptr_array_add (kernel, _sp_side_run_op (&sides[0], op));
  _sp_side_close_fds (&sides[0]);

  for (guint i = 0; i < n; i++)
    {
      const SpOp *op = &scenario->ops[i];
      g_autofree char *tested = _sp_side_run_op (&sides[1], op);

      if (verbose)
        {
          g_autofree char *desc = _sp_op_describe (op);
          g_test_message ("[%s] op %u %s: kernel=%s tested=%s", scenario->name, i + 1, desc,
                          (char *) kernel->pdata[i], tested);
        }
      if (!_sp_op_results_match (op, kernel->pdata[i], tested))
        {
          g_autofree char *desc = _sp_op_describe (op);
          g_string_append_printf (report, "  op %u %s: kernel=%s tested=%s\n",
                                  i + 1, desc, (char *) kernel->pdata[i], tested);
        }
    }
  _sp_side_close_fds (&sides[1]);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Inode numbers are stable for the life of the mount, even where
 * the kernel overlay itself is not (it shows the upper inode of a copied-up
 * symlink or fifo once its cached inode is gone). Only the self-check, which
 * compares the kernel with itself, lets the kernel's own changes pass. */
static void
compare_inode_stability (const SpScenario *scenario,
                         GHashTable      **merged,
                         GHashTable      **again,
                         GString          *report)
{
  g_autoptr(GHashTable) kernel = _sp_tree_unstable_inos (merged[0], again[0]);
  g_autoptr(GHashTable) tested = _sp_tree_unstable_inos (merged[1], again[1]);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  gboolean self_check = g_strcmp0 (g_getenv ("SP_SEMANTICS_SELF_CHECK"), "1") == 0;

  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, tested);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (paths, key);
  g_ptr_array_sort (paths, compare_strings);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      gboolean kernel_too = g_hash_table_contains (kernel, path);
      const SpNode *node = g_hash_table_lookup (merged[1], path);
      gboolean kernel_kind = node && node->type != 'f' && node->type != 'd';

      /* When the kernel drops a cached inode is up to memory pressure, so in
       * the self-check its known case (copied-up symlinks, fifos, devices)
       * passes even when only one of the two mounts showed it. */
      if (self_check && (kernel_too || kernel_kind))
        g_test_message ("[%s] note: %s: %s on both mounts", scenario->name, path,
                        (char *) g_hash_table_lookup (tested, path));
      else
        g_string_append_printf (report, "  inode numbers not stable: %s: %s%s\n", path,
                                (char *) g_hash_table_lookup (tested, path),
                                kernel_too ? " (the kernel overlay changes it too)"
                                           : " (the kernel overlay keeps it)");
    }
}

gboolean
sp_semantics_run_scenario (const SpScenario *scenario,
                           GString          *report)
{
  g_autofree char *fs = find_overlayfs (report);
  g_autofree char *root = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *merged[2] = { NULL, NULL };
  GHashTable *again[2] = { NULL, NULL };
  GHashTable *upper[2] = { NULL, NULL };
  SpSide sides[2] = { { 0 }, { 0 } };
  Watchdog dog = { 0 };
  gboolean ran = FALSE;

  if (fs == NULL)
    return FALSE;
  root = g_dir_make_tmp ("sp-semantics-XXXXXX", &error);
  if (root == NULL)
    {
      g_string_append_printf (report, "%s\n", error->message);
      return FALSE;
    }
  /* Other users must reach the mounts (the permission area). */
  if (chmod (root, 0755) != 0)
    {
      g_string_append_printf (report, "chmod %s: %s\n", root, g_strerror (errno));
      sp_remove_tree (root, NULL, NULL);
      return FALSE;
    }

  if (!side_setup (&sides[0], root, "kernel", scenario, report) ||
      !side_setup (&sides[1], root, "tested", scenario, report) ||
      !mount_kernel (&sides[0], report))
    goto out;
  watchdog_start (&dog, sides[1].mnt);
  if (!mount_tested (&sides[1], fs, scenario, &dog, report))
    goto out;
  ran = TRUE;

  compare_ops (scenario, sides, report);

  for (guint i = 0; i < 2; i++)
    merged[i] = _sp_tree_snapshot (sides[i].mnt, FALSE, report);
  if (!_sp_drop_caches ())
    g_string_append_printf (report, "  dropping caches: %s\n", g_strerror (errno));
  for (guint i = 0; i < 2; i++)
    again[i] = _sp_tree_snapshot (sides[i].mnt, FALSE, report);
  if (merged[0] && merged[1])
    _sp_tree_compare (merged[0], again[0], merged[1], scenario->writeback_mtime,
                      "merged tree", report);
  if (merged[0] && again[0] && merged[1] && again[1])
    compare_inode_stability (scenario, merged, again, report);

  for (guint i = 0; i < 2; i++)
    side_unmount (&sides[i], report);
  if (watchdog_stop (&dog))
    g_string_append_printf (report, "  the tested file system did not answer within %d s: "
                            "its FUSE connection was aborted, results above are partial\n",
                            watchdog_seconds ());
  for (guint i = 0; i < 2; i++)
    upper[i] = _sp_tree_snapshot (sides[i].upper, TRUE, report);
  if (upper[0] && upper[1])
    _sp_tree_compare (upper[0], NULL, upper[1], NULL, "upper dir after unmount", report);

out:
  watchdog_stop (&dog);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&merged[i], g_hash_table_unref);
      g_clear_pointer (&again[i], g_hash_table_unref);
      g_clear_pointer (&upper[i], g_hash_table_unref);
    }
  side_teardown (&sides[1]);
  side_teardown (&sides[0]);
  if (!sp_remove_tree (root, NULL, &error))
    g_test_message ("cleaning up %s: %s", root, error->message);
  return ran;
}

void
sp_semantics_run_area (const SpScenario *scenarios,
                       gsize             n_scenarios)
{
  g_autoptr(GString) all = g_string_new (NULL);
  guint failed = 0;

  {
    g_autoptr(GString) report = g_string_new (NULL);
    g_autofree char *fs = find_overlayfs (report);

    if (fs == NULL)
      {
        /* Not a skip: in CI the real one exists, and a missing one is a bug. */
        g_test_fail_printf ("%s", report->str);
        return;
      }
  }
  if (geteuid () != 0)
    {
      g_test_skip ("the kernel overlay reference mount needs root");
      return;
    }
  if (access ("/dev/fuse", R_OK | W_OK) != 0)
    {
      g_test_fail_printf ("/dev/fuse is not usable: %s", g_strerror (errno));
      return;
    }


  for (gsize i = 0; i < n_scenarios; i++)
    {
      g_autoptr(GString) report = g_string_new (NULL);
      gboolean ran;

      /* The kernel cannot read the fallback forms, so its self-check cannot
       * either; the real overlay must. */
      if ((scenarios[i].flags & SP_SCENARIO_FALLBACK_FORMS) &&
          g_strcmp0 (g_getenv ("SP_SEMANTICS_SELF_CHECK"), "1") == 0)
        {
          g_test_message ("[%s] not part of the self-check", scenarios[i].name);
          continue;
        }
      ran = sp_semantics_run_scenario (&scenarios[i], report);

      if (!ran)
        g_string_append_printf (all, "[%s] could not run:\n%s", scenarios[i].name, report->str);
      else if (report->len > 0)
        g_string_append_printf (all, "[%s] differs from the kernel overlay:\n%s",
                                scenarios[i].name, report->str);
      if (!ran || report->len > 0)
        failed++;
    }

  if (failed > 0)
    {
      g_auto(GStrv) lines = g_strsplit (all->str, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
          g_test_message ("%s", lines[i]);
      g_test_fail_printf ("%u of %" G_GSIZE_FORMAT " scenarios differ from the kernel overlay "
                          "(tested: %s); the differences are listed above", failed, n_scenarios,
                          sp_semantics_overlayfs ());
    }
}
