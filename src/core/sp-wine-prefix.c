/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The user folders of a Wine prefix: links that leave it, found and
 * replaced with folders without following any link (sp-wine-prefix.h). */
#include "config.h"

#include "sp-wine-prefix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "sp-manifest.h"

/* Deeper folders than this are not walked (a drive's tree is untrusted;
 * each level holds a descriptor). */
#define MAX_DEPTH 256

gboolean
sp_wine_prefix_is_device_link (const char *rel)
{
  const char *name;
  gsize len;

  g_return_val_if_fail (rel != NULL, FALSE);

  if (!g_str_has_prefix (rel, "dosdevices/"))
    return FALSE;
  name = rel + strlen ("dosdevices/");
  len = strlen (name);
  if (strchr (name, '/') != NULL || len == 0)
    return FALSE;
  /* "c:", "z:", and "d::" (the raw device of a drive). */
  if (g_ascii_isalpha (name[0]) && (strcmp (name + 1, ":") == 0 || strcmp (name + 1, "::") == 0))
    return TRUE;
  /* Serial and parallel ports ("com1" → /dev/ttyS0). */
  if ((g_ascii_strncasecmp (name, "com", 3) == 0 || g_ascii_strncasecmp (name, "lpt", 3) == 0) &&
      len > 3 && len <= 6)
    {
      for (const char *p = name + 3; *p; p++)
        if (!g_ascii_isdigit (*p))
          return FALSE;
      return TRUE;
    }
  return FALSE;
}

gboolean
sp_wine_prefix_target_leaves (const char *parent_rel,
                              const char *target)
{
  g_autofree char *joined = g_build_filename (parent_rel, target, NULL);
  g_auto(GStrv) parts = g_strsplit (joined, "/", -1);
  int depth = 0;

  g_return_val_if_fail (parent_rel != NULL && target != NULL, TRUE);

  if (target[0] == '/' || target[0] == '\0')
    return TRUE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          if (--depth < 0)
            return TRUE;
        }
      else
        depth++;
    }
  return FALSE;
}

/* Whether the link in the prefix folder @parent_rel pointing at @target
 * leaves the prefix @prefix_fd: absolute, above it in words, or above it
 * when the kernel resolves it beneath the prefix (through other links). */
static gboolean
link_leaves (int         prefix_fd,
             const char *parent_rel,
             const char *target)
{
  g_autofree char *path = NULL;
  struct open_how how = { 0 };
  int fd;

  if (sp_wine_prefix_target_leaves (parent_rel, target))
    return TRUE;
  path = parent_rel[0] != '\0' ? g_build_filename (parent_rel, target, NULL) : g_strdup (target);
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  fd = (int) syscall (SYS_openat2, prefix_fd, path, &how, sizeof how);
  if (fd >= 0)
    {
      close (fd);
      return FALSE;
    }
  /* EXDEV: it went above the prefix or to an absolute path. Anything else
   * (a target that does not exist, a loop, a kernel without openat2) is
   * judged by the words alone, above. */
  return errno == EXDEV;
}

typedef struct
{
  const char   *prefix;       /* for messages */
  int           prefix_fd;
  gboolean      replace;
  GPtrArray    *found;        /* prefix-relative paths */
  GCancellable *cancellable;
  SpManifest   *manifest;     /* links a drive keeps as empty files, or NULL */
} Walk;

/* Puts an empty folder where the link @name of @dir_fd is: a new folder
 * exchanged with the link in one step, then the link (now under the new
 * folder's temporary name) removed. */
static gboolean
replace_link (int          dir_fd,
              const char  *name,
              const char  *display,
              GError     **error)
{
  g_autofree char *tmp = NULL;
  struct stat st;

  for (guint attempt = 0; ; attempt++)
    {
      g_free (tmp);
      tmp = g_strdup_printf (".savepoint-folder-%08x", g_random_int ());
      if (mkdirat (dir_fd, tmp, 0755) == 0)
        break;
      if (errno != EEXIST || attempt > 16)
        return sp_set_error_from_errno (error, errno, _("Cannot create a folder for “%s”"),
                                        display);
    }
  if (renameat2 (dir_fd, tmp, dir_fd, name, RENAME_EXCHANGE) == 0)
    {
      errno = 0;
      if (fstatat (dir_fd, tmp, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK (st.st_mode) ||
          unlinkat (dir_fd, tmp, 0) != 0)
        return sp_set_error_from_errno (error, errno ? errno : EIO,
                                        _("Cannot remove the link “%s”"), display);
      return TRUE;
    }
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    {
      int saved = errno;

      unlinkat (dir_fd, tmp, AT_REMOVEDIR);
      return sp_set_error_from_errno (error, saved, _("Cannot replace the link “%s”"), display);
    }
  /* The file system cannot exchange names: remove, then make. */
  unlinkat (dir_fd, tmp, AT_REMOVEDIR);
  errno = 0;
  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK (st.st_mode))
    return sp_set_error_from_errno (error, errno ? errno : EEXIST,
                                    _("Cannot replace the link “%s”"), display);
  if (unlinkat (dir_fd, name, 0) != 0 || mkdirat (dir_fd, name, 0755) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot replace the link “%s”"), display);
  return TRUE;
}

static gboolean
walk_dir (Walk        *walk,
          int          dir_fd,
          const char  *rel,
          guint        depth,
          GError     **error)
{
  g_autofree char *display = g_build_filename (walk->prefix, rel, NULL);
  g_autoptr(GPtrArray) names = NULL;
  gboolean changed = FALSE;

  if (g_cancellable_set_error_if_cancelled (walk->cancellable, error))
    return FALSE;
  if (depth > MAX_DEPTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("“%s” is nested more than %d folders deep; Savepoint does not look "
                     "further."), display, MAX_DEPTH);
      return FALSE;
    }
  names = sp_list_dir_names (dir_fd, display, error);
  if (names == NULL)
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child_rel = rel[0] != '\0' ? g_build_filename (rel, name, NULL)
                                                  : g_strdup (name);
      g_autofree char *child_display = g_build_filename (walk->prefix, child_rel, NULL);
      struct stat st;

      if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          if (errno == ENOENT)
            continue;
          return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), child_display);
        }
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_malloc0 ((gsize) PATH_MAX + 1);
          gssize len;

          if (sp_wine_prefix_is_device_link (child_rel))
            continue;
          len = readlinkat (dir_fd, name, target, PATH_MAX);
          if (len < 0)
            return sp_set_error_from_errno (error, errno, _("Cannot read the link “%s”"),
                                            child_display);
          if (!link_leaves (walk->prefix_fd, rel, target))
            continue;
          if (walk->replace && !replace_link (dir_fd, name, child_display, error))
            return FALSE;
          changed = changed || walk->replace;
          g_ptr_array_add (walk->found, g_steal_pointer (&child_rel));
        }
      else if (S_ISREG (st.st_mode) && st.st_size == 0 && walk->manifest != NULL
               && _sp_manifest_get_link (walk->manifest, child_rel) != NULL)
        {
          /* A link the drive keeps as an empty file (sp-manifest.h). */
          const char *target = _sp_manifest_get_link (walk->manifest, child_rel);
          const char *real = _sp_manifest_get_name (walk->manifest, child_rel);
          g_autofree char *real_rel = rel[0] != '\0' ? g_build_filename (rel, real ? real : name, NULL)
                                                     : g_strdup (real ? real : name);

          if (sp_wine_prefix_is_device_link (real_rel) || !link_leaves (walk->prefix_fd, rel, target))
            continue;
          if (walk->replace)
            {
              if (unlinkat (dir_fd, name, 0) != 0 || mkdirat (dir_fd, name, 0755) != 0)
                return sp_set_error_from_errno (error, errno, _("Cannot replace the link “%s”"),
                                                child_display);
              _sp_manifest_drop_link (walk->manifest, child_rel);
            }
          changed = changed || walk->replace;
          g_ptr_array_add (walk->found, g_steal_pointer (&real_rel));
        }
      else if (S_ISDIR (st.st_mode))
        {
          int child_fd = openat (dir_fd, name,
                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
          gboolean ok;

          if (child_fd < 0)
            return sp_set_error_from_errno (error, errno, _("Cannot open the folder “%s”"),
                                            child_display);
          ok = walk_dir (walk, child_fd, child_rel, depth + 1, error);
          close (child_fd);
          if (!ok)
            return FALSE;
        }
    }
  /* The new folders are on the drive before anyone is told so. */
  if (changed && fsync (dir_fd) != 0 && errno != EINVAL)
    return sp_set_error_from_errno (error, errno, _("Cannot write the folder “%s”"), display);
  return TRUE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
take_sorted (GPtrArray *found)
{
  g_ptr_array_sort (found, compare_paths);
  g_ptr_array_add (found, NULL);
  return (GStrv) g_ptr_array_free (found, FALSE);
}

/* Walks @prefix (or only drive_c/users with @profiles_only). */
static gboolean
walk_prefix (const char    *prefix,
             gboolean       profiles_only,
             gboolean       replace,
             GPtrArray     *found,
             SpManifest    *manifest,
             GCancellable  *cancellable,
             GError       **error)
{
  Walk walk = { prefix, -1, replace, found, cancellable, manifest };
  gboolean ok;

  walk.prefix_fd = open (prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
  if (walk.prefix_fd < 0)
    return sp_set_error_from_errno (error, errno, _("Cannot open the Wine prefix “%s”"), prefix);
  if (!profiles_only)
    ok = walk_dir (&walk, walk.prefix_fd, "", 0, error);
  else
    {
      int drive_fd = openat (walk.prefix_fd, "drive_c",
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
      struct stat st;

      ok = TRUE;
      if (drive_fd >= 0 && fstatat (drive_fd, "users", &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          if (S_ISLNK (st.st_mode))
            {
              g_autofree char *target = g_malloc0 ((gsize) PATH_MAX + 1);

              if (readlinkat (drive_fd, "users", target, PATH_MAX) < 0 ||
                  link_leaves (walk.prefix_fd, "drive_c", target))
                g_ptr_array_add (found, g_strdup ("drive_c/users"));
            }
          else if (S_ISDIR (st.st_mode))
            {
              int users_fd = openat (drive_fd, "users",
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

              if (users_fd < 0)
                ok = sp_set_error_from_errno (error, errno, _("Cannot open “%s/drive_c/users”"),
                                              prefix);
              else
                {
                  ok = walk_dir (&walk, users_fd, "drive_c/users", 1, error);
                  close (users_fd);
                }
            }
        }
      if (drive_fd >= 0)
        close (drive_fd);
    }
  close (walk.prefix_fd);
  return ok;
}

GStrv
sp_wine_prefix_find_outside_links (const char    *prefix,
                                   gboolean       profiles_only,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (prefix != NULL, NULL);

  if (!walk_prefix (prefix, profiles_only, FALSE, found, NULL, cancellable, error))
    return NULL;
  return take_sorted (g_steal_pointer (&found));
}

gboolean
sp_wine_prefix_keep_folders_inside (const char    *prefix,
                                    GStrv         *out_replaced,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  gboolean ok;

  g_return_val_if_fail (prefix != NULL, FALSE);

  ok = walk_prefix (prefix, FALSE, TRUE, found, NULL, cancellable, error);
  if (out_replaced != NULL)
    *out_replaced = take_sorted (g_steal_pointer (&found));
  return ok;
}

gboolean
sp_wine_version_is_valid (const char *version)
{
  gsize len;

  if (version == NULL)
    return FALSE;
  len = strlen (version);
  if (len == 0 || len > SP_WINE_VERSION_MAX_LENGTH || !g_utf8_validate (version, len, NULL) ||
      g_ascii_isspace (version[0]) || g_ascii_isspace (version[len - 1]))
    return FALSE;
  for (const char *p = version; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

char *
sp_wine_runner_get_version (const char    *runner,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) runner_argv = NULL;
  g_autofree char *out = NULL;
  char *newline;

  g_return_val_if_fail (runner != NULL, NULL);

  if (!g_shell_parse_argv (runner, NULL, &runner_argv, error))
    return NULL;
  for (guint i = 0; runner_argv[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (runner_argv[i]));
  g_ptr_array_add (argv, g_strdup ("--version"));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "WINEDEBUG", "-all", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, NULL, error) ||
      !g_subprocess_wait_check (process, cancellable, error))
    return NULL;
  newline = out != NULL ? strchr (out, '\n') : NULL;
  if (newline != NULL)
    *newline = '\0';
  /* Wine says "wine-8.0 (…)"; a wrapper answering for itself is no Wine. */
  if (out == NULL || !sp_wine_version_is_valid (g_strstrip (out)) ||
      g_ascii_strncasecmp (out, "wine", 4) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s --version” did not print a Wine version."), runner);
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
_sp_wine_prefix_prepare_clean_install (SpGameInfo    *info,
                                       const char    *base,
                                       SpManifest    *manifest,
                                       GStrv         *out_replaced,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_autoptr(GError) version_error = NULL;
  const char *runner = info->runner;
  char *version;

  if (info->kind != SP_GAME_KIND_WINE)
    return TRUE;
  {
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
    gboolean ok = walk_prefix (base, FALSE, TRUE, found, manifest, cancellable, error);

    if (out_replaced != NULL)
      *out_replaced = take_sorted (g_steal_pointer (&found));
    if (!ok)
      return FALSE;
  }
  if (runner == NULL || runner[0] == '\0')
    runner = g_getenv ("SAVEPOINT_WINE_RUNNER");
  if (runner == NULL || runner[0] == '\0')
    runner = "wine";
  version = sp_wine_runner_get_version (runner, cancellable, &version_error);
  if (version == NULL)
    {
      /* Not knowing only means no warning when another Wine plays it. */
      g_debug ("No Wine version for %s: %s", base, version_error->message);
      if (info->wine_version != NULL && !sp_wine_version_is_valid (info->wine_version))
        g_clear_pointer ((char **) &info->wine_version, g_free);
      return TRUE;
    }
  g_free ((char *) info->wine_version);
  info->wine_version = version;
  return TRUE;
}

char *
sp_wine_runner_differs (const char   *recorded,
                        const char   *runner,
                        GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  g_return_val_if_fail (runner != NULL, NULL);

  if (recorded == NULL)
    return NULL;
  version = sp_wine_runner_get_version (runner, cancellable, &error);
  if (version == NULL)
    {
      g_debug ("No Wine version from %s: %s", runner, error->message);
      return NULL;
    }
  return strcmp (version, recorded) != 0 ? g_steal_pointer (&version) : NULL;
}
