/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "core/sp-game.h"
#include "sp-test-common.h"

char *
tc_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sp-test-core-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
tc_rmtree (const char *dir)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_remove_tree (dir, NULL, &error));
  g_assert_no_error (error);
}

void
tc_write (const char *dir,
          const char *name,
          const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

char *
tc_read (const char *dir,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

guint
tc_count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  if (d == NULL)
    return 0;
  while (g_dir_read_name (d))
    n++;
  return n;
}

SpLibrary *
tc_new_library (char **out_drive)
{
  g_autofree char *drive = tc_tmpdir ();
  g_autoptr(GError) error = NULL;
  SpLibrary *library = sp_library_create_sync (drive, "Test Drive", &error);

  g_assert_no_error (error);
  g_assert_nonnull (library);
  *out_drive = g_steal_pointer (&drive);
  return library;
}

char *
tc_make_source (const char *root,
                const char *name)
{
  char *dir = g_build_filename (root, name, NULL);

  tc_write (dir, "game.exe", "MZ fake executable");
  tc_write (dir, "data/level1.dat", "level one data");
  return dir;
}

SpGame *
tc_add_game (SpLibrary  *library,
             const char *source,
             const char *name)
{
  SpGameInfo info = { .name = name, .kind = SP_GAME_KIND_NATIVE, .executable = "game.exe" };
  g_autoptr(GError) error = NULL;
  SpGame *game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY,
                                           NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (game);
  return game;
}

void
tc_store_result_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
tc_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

void
tc_count_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    guint      *count)
{
  (*count)++;
}

static void
skip_test (gconstpointer reason)
{
  g_test_skip (reason);
}

void
tc_add_skipped (const char *path,
                const char *reason)
{
  g_test_add_data_func_full (path, g_strdup (reason), skip_test, g_free);
}

char *
tc_fuse_unusable_reason (void)
{
  if (access ("/dev/fuse", R_OK | W_OK) != 0)
    return g_strdup_printf ("/dev/fuse is not usable here: %s", g_strerror (errno));
  return NULL;
}

char *
tc_no_player_reason (void)
{
  g_autofree char *setpriv = NULL;

  if (getuid () != 0)
    return g_strdup ("running as another user (uid 1500) needs root");
  setpriv = g_find_program_in_path ("setpriv");
  if (setpriv == NULL)
    return g_strdup ("running as another user needs setpriv (util-linux), which is not installed");
  return NULL;
}

#define PLAYER_UID 1500

char *
tc_player_mount_unusable_reason (void)
{
  g_autofree char *fusermount = g_find_program_in_path ("fusermount3");
  char *reason = tc_no_player_reason ();
  struct stat st;

  if (reason != NULL)
    return reason;
  if (fusermount == NULL || stat (fusermount, &st) != 0 || !(st.st_mode & S_ISUID) || st.st_uid != 0)
    return g_strdup ("fusermount3 is missing or not setuid root: a normal user cannot mount");
  /* fusermount3 needs the player's user name. */
  if (getpwuid (PLAYER_UID) == NULL)
    {
      const char *useradd[] = { "useradd", "--uid", G_STRINGIFY (PLAYER_UID), "--no-create-home",
                                "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                                "sp-player", NULL };
      int status = -1;

      if (!g_spawn_sync (NULL, (char **) useradd, NULL,
                         G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, NULL, NULL, &status, NULL) ||
          !g_spawn_check_wait_status (status, NULL) || getpwuid (PLAYER_UID) == NULL)
        return g_strdup ("could not create the user sp-player (uid 1500) with useradd");
    }
  /* As desktops have it (udev's "uaccess"/0666 rule): normal users open it. */
  if (g_chmod ("/dev/fuse", 0666) != 0)
    return g_strdup_printf ("cannot make /dev/fuse usable by a normal user: %s", g_strerror (errno));
  return NULL;
}

void
tc_chown_tree (const char *path,
               uid_t       uid)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  g_assert_cmpint (lchown (path, uid, uid), ==, 0);
  if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode))
    return;
  dir = g_dir_open (path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      tc_chown_tree (child, uid);
    }
}

char *
tc_make_big_source (const char *root)
{
  g_autofree char *dir = g_build_filename (root, "big", NULL);
  g_autofree char *chunk = g_malloc0 (6 * 1024 * 1024);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/file%u.bin", dir, i);
      memset (chunk, 'a' + i, 6 * 1024 * 1024);
      g_assert_true (g_file_set_contents (name, chunk, 6 * 1024 * 1024, NULL));
    }
  return g_steal_pointer (&dir);
}

void
tc_progress_init (TcProgress *p)
{
  memset (p, 0, sizeof *p);
  p->thread = g_thread_self ();
  p->context = g_main_context_ref_thread_default ();
}

void
tc_progress_clear (TcProgress *p)
{
  g_clear_pointer (&p->context, g_main_context_unref);
  g_clear_object (&p->result);
}

void
tc_progress_cb (guint64  done,
                guint64  total,
                gpointer user_data)
{
  TcProgress *p = user_data;
  g_autoptr(GMainContext) current = g_main_context_ref_thread_default ();

  g_assert_true (g_thread_self () == p->thread);
  g_assert_true (current == p->context);
  g_assert_true (g_main_context_is_owner (p->context));
  g_assert_null (p->result);
  g_assert_cmpuint (done, >=, p->done);
  p->done = done;
  p->total = total;
  p->calls++;
}

void
tc_copy_progress_cb (guint64  bytes_done,
                     guint64  bytes_total,
                     guint64  files_done,
                     guint64  files_total,
                     gpointer user_data)
{
  g_assert_cmpuint (files_done, <=, files_total);
  tc_progress_cb (bytes_done, bytes_total, user_data);
}

void
tc_progress_result_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  TcProgress *p = user_data;

  g_assert_true (g_thread_self () == p->thread);
  g_assert_null (p->result);
  p->result = g_object_ref (result);
}

GAsyncResult *
tc_progress_wait (TcProgress *p)
{
  while (p->result == NULL)
    g_main_context_iteration (p->context, TRUE);
  while (g_main_context_iteration (p->context, FALSE))
    ;
  g_assert_cmpuint (p->calls, >, 0);
  return p->result;
}

/* A mount point from mountinfo: octal escapes (\040 for a space) undone. */
static char *
unescape_mount_point (const char *field)
{
  GString *out = g_string_new (NULL);

  for (const char *p = field; *p != '\0'; p++)
    {
      if (p[0] == '\\' && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) && g_ascii_isdigit (p[3]))
        {
          g_string_append_c (out, (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
          p += 3;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

gboolean
tc_private_mount_namespace (void)
{
  g_autofree char *mountinfo = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) fuse_mounts = g_ptr_array_new_with_free_func (g_free);

  if (unshare (CLONE_NEWNS) != 0)
    {
      g_test_message ("no mount namespace of our own: %s", g_strerror (errno));
      return FALSE;
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      g_test_message ("could not make the mount namespace private: %s", g_strerror (errno));
      return FALSE;
    }
  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    return TRUE;
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      const char *sep = strstr (lines[i], " - ");
      guint n = g_strv_length (fields);

      if (sep == NULL || n < 5)
        continue;
      /* "… - TYPE SOURCE OPTIONS": every FUSE file system (overlays, and
       * drives mounted through exfat-fuse or ntfs-3g by another test). */
      if (g_str_has_prefix (sep + 3, "fuse ") || g_str_has_prefix (sep + 3, "fuse.") ||
          g_str_has_prefix (sep + 3, "fuseblk "))
        g_ptr_array_add (fuse_mounts, unescape_mount_point (fields[4]));
    }
  /* Innermost first. */
  for (guint i = fuse_mounts->len; i > 0; i--)
    if (umount2 (fuse_mounts->pdata[i - 1], MNT_DETACH) != 0)
      g_test_message ("could not detach the copy of %s: %s", (char *) fuse_mounts->pdata[i - 1],
                      g_strerror (errno));
  return TRUE;
}
