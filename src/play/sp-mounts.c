/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mounts folder and the mount table: where sessions mount their
 * overlays, whether something is mounted there, and detaching what is. */
#include "config.h"

#include "sp-mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "core/sp-slug.h"
#include "sp-run.h"
#include "sp-sandbox.h"

char *
sp_mounts_dir (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  char *sandboxed = sp_sandbox_get_mounts_dir ();

  /* In a Flatpak sandbox: where the host sees the same path. */
  if (sandboxed != NULL)
    return sandboxed;

  /* g_get_user_runtime_dir() falls back to the cache dir, which may be on
   * a slow or network home; prefer /tmp then. */
  if (runtime == NULL || runtime[0] == '\0')
    {
      g_autofree char *name = g_strdup_printf ("savepoint-%u", (guint) getuid ());
      return g_build_filename (g_get_tmp_dir (), name, NULL);
    }
  return g_build_filename (g_get_user_runtime_dir (), "savepoint", NULL);
}

static gboolean
set_unsafe_mounts_dir_error (GError     **error,
                             const char  *path,
                             const char  *why)
{
  g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE,
               _("The folder “%s”, where Savepoint mounts games, is not safe to use: %s. "
                 "Savepoint will not play from it, since whoever controls it could run "
                 "programs as you. Remove it (ask an administrator if it is not yours), or "
                 "set XDG_RUNTIME_DIR to a private folder of yours, then try again."),
               path, why);
  return FALSE;
}

/* Checks the opened folder @fd: a folder, ours, no access for others. */
static gboolean
check_private_dir (int          fd,
                   const char  *path,
                   GError     **error)
{
  struct stat st;

  if (fstat (fd, &st) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot check the folder “%s”"), path);
  if (!S_ISDIR (st.st_mode))
    return set_unsafe_mounts_dir_error (error, path, _("it is not a folder"));
  if (st.st_uid != geteuid ())
    {
      g_autofree char *why = g_strdup_printf (_("it belongs to user %u, not to you (%u)"),
                                              (guint) st.st_uid, (guint) geteuid ());
      return set_unsafe_mounts_dir_error (error, path, why);
    }
  /* Writable by others: they may already have put links or mounts in it. */
  if ((st.st_mode & 022) != 0)
    {
      g_autofree char *why = g_strdup_printf (_("other users have access to it (mode %04o, "
                                                "it must be 0700)"),
                                              (guint) (st.st_mode & 07777));
      return set_unsafe_mounts_dir_error (error, path, why);
    }
  /* Ours and only readable by others (earlier releases made it 0755):
   * nobody else could have written in it, so it is made private. */
  if ((st.st_mode & 077) != 0 && fchmod (fd, 0700) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot make the folder “%s” private"),
                                    path);
  return TRUE;
}

char *
sp_mounts_dir_ensure (GError **error)
{
  g_autofree char *path = sp_mounts_dir ();
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  int parent_fd, fd;

  /* The fallback's parent is the shared /tmp: never create it, and never
   * create folders on the way. The runtime dir is the user's. */
  if (runtime != NULL && runtime[0] != '\0' && g_mkdir_with_parents (parent, 0700) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot create the folder “%s”"), parent);
      return NULL;
    }
  parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot open the folder “%s”"), parent);
      return NULL;
    }
  if (mkdirat (parent_fd, name, 0700) != 0 && errno != EEXIST)
    {
      sp_set_error_from_errno (error, errno, _("Cannot create the folder “%s”"), path);
      close (parent_fd);
      return NULL;
    }
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      close (parent_fd);
      if (saved == ELOOP || saved == ENOTDIR)
        set_unsafe_mounts_dir_error (error, path, _("it is a symlink or a file, not a folder"));
      else
        sp_set_error_from_errno (error, saved, _("Cannot open the folder “%s”"), path);
      return NULL;
    }
  close (parent_fd);
  if (!check_private_dir (fd, path, error))
    {
      close (fd);
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&path);
}

char *
sp_mount_point_for (const char *library_id,
                    const char *slug)
{
  g_autofree char *root = NULL;
  g_autofree char *name = NULL;

  /* Both come from a drive: only checked ids name a folder. */
  g_return_val_if_fail (library_id != NULL && g_uuid_string_is_valid (library_id), NULL);
  g_return_val_if_fail (sp_slug_is_valid (slug), NULL);
  root = sp_mounts_dir ();
  name = g_strdup_printf ("%s@%s", slug, library_id);
  return g_build_filename (root, name, NULL);
}

/* Unescapes the octal escapes (\040 …) of /proc/self/mountinfo. */
static char *
unescape_mount_path (const char *s)
{
  GString *out = g_string_new (NULL);

  while (*s)
    {
      if (s[0] == '\\' && g_ascii_isdigit (s[1]) && g_ascii_isdigit (s[2]) && g_ascii_isdigit (s[3]))
        {
          g_string_append_c (out, (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0')));
          s += 4;
        }
      else
        g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

/* Mount points (and their fs types) from /proc/self/mountinfo. */
static GPtrArray *
read_mounts (GPtrArray **out_types)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *points = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *types = g_ptr_array_new_with_free_func (g_free);

  if (g_file_get_contents ("/proc/self/mountinfo", &contents, NULL, NULL))
    {
      lines = g_strsplit (contents, "\n", 0);
      for (guint i = 0; lines[i]; i++)
        {
          g_auto(GStrv) fields = g_strsplit (lines[i], " ", 0);
          guint n = g_strv_length (fields);
          guint sep;

          if (n < 5)
            continue;
          for (sep = 5; sep < n && g_strcmp0 (fields[sep], "-") != 0; sep++)
            ;
          g_ptr_array_add (points, unescape_mount_path (fields[4]));
          g_ptr_array_add (types, g_strdup (sep + 1 < n ? fields[sep + 1] : ""));
        }
    }

  if (out_types)
    *out_types = types;
  else
    g_ptr_array_unref (types);
  return points;
}

gboolean
sp_is_mount_point (const char *path)
{
  g_autoptr(GPtrArray) points = read_mounts (NULL);

  for (guint i = 0; i < points->len; i++)
    if (g_strcmp0 (points->pdata[i], path) == 0)
      return TRUE;
  return FALSE;
}

gboolean
sp_detach_mount (const char  *path,
                 GError     **error)
{
  const char *argv[] = { "fusermount3", "-u", "-z", path, NULL };
  g_autofree char *err_out = NULL;
  int status = 0;

  /* A symlink at @path is not followed: it is no mount point of ours
   * (fusermount3 does not follow one either). */
  if (umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
    return TRUE;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err_out, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_FAILED,
                   _("Could not unmount “%s”: %s"), path,
                   err_out && err_out[0] ? g_strstrip (err_out) : g_strerror (EBUSY));
      return FALSE;
    }
  return TRUE;
}

guint
sp_run_cleanup_stale_mounts (void)
{
  g_autofree char *root = sp_mounts_dir ();
  g_autoptr(GPtrArray) types = NULL;
  g_autoptr(GPtrArray) points = read_mounts (&types);
  g_autoptr(GPtrArray) runs = sp_run_list (NULL, NULL);
  guint removed = 0;

  for (guint i = 0; i < points->len; i++)
    {
      const char *point = points->pdata[i];
      g_autofree char *dir = g_path_get_dirname (point);
      gboolean owned = FALSE;
      GStatBuf st;

      if (g_strcmp0 (dir, root) != 0 || !g_str_has_prefix (types->pdata[i], "fuse"))
        continue;

      /* A mount whose server died answers ENOTCONN: always stale. */
      if (g_stat (point, &st) != 0 && errno == ENOTCONN)
        owned = FALSE;
      else
        for (guint j = 0; runs && j < runs->len; j++)
          {
            SpRun *run = runs->pdata[j];
            g_autofree char *run_point = sp_mount_point_for (sp_run_get_library_id (run),
                                                             sp_run_get_slug (run));

            if (g_strcmp0 (run_point, point) == 0 &&
                sp_run_get_status (run) <= SP_RUN_STATUS_RUNNING &&
                sp_run_get_owner_alive (run))
              owned = TRUE;
          }

      if (!owned)
        {
          g_autoptr(GError) error = NULL;

          if (sp_detach_mount (point, &error))
            {
              g_debug ("Unmounted the stale mount %s", point);
              /* Only an empty folder that is no mount point any more. */
              sp_remove_empty_dir (point, NULL);
              removed++;
            }
          else
            g_warning ("%s", error->message);
        }
    }

  return removed;
}
