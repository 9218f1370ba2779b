/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Applying the upper layer of a clean install's update onto base/
 * (sp-wine-update-private.h). */
#include "config.h"

#include "sp-wine-update-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/sp-upper-dir.h"
#include "common/sp-util.h"

/* As deep as sp-wine-prefix.c walks a prefix. */
#define MAX_DEPTH 256

static int
open_dir_at (int         dir_fd,
             const char *name)
{
  return openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
}

static gboolean
xattr_says_opaque (int         fd,
                   const char *name)
{
  char value[2];

  return fgetxattr (fd, name, value, sizeof value) == 1 && value[0] == 'y';
}

/* Whether the upper folder @fd hides everything of the lower one. */
static gboolean
is_opaque (int fd)
{
  struct stat st;

  return xattr_says_opaque (fd, SP_UPPER_OPAQUE_XATTR) ||
         xattr_says_opaque (fd, SP_UPPER_TRUSTED_OPAQUE) ||
         fstatat (fd, SP_UPPER_OPAQUE_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The names in the folder @fd at @depth of the walk, or NULL (cancelled,
 * too deep, unreadable). */
static GPtrArray *
list_level (int            fd,
            const char    *display,
            guint          depth,
            GCancellable  *cancellable,
            GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (depth > MAX_DEPTH)
    {
      sp_set_error_from_errno (error, ELOOP, _("Cannot apply “%s”"), display);
      return NULL;
    }
  return sp_list_dir_names (fd, display, error);
}

/* Makes the upper folder @fd a plain folder, to be renamed into base/ as a
 * whole: its whiteouts (nothing is below it there) and opaque marks go. */
static gboolean
strip_overlay_marks (int           fd,
                     const char   *display,
                     guint         depth,
                     GCancellable *cancellable,
                     GError      **error)
{
  g_autoptr(GPtrArray) names = list_level (fd, display, depth, cancellable, error);

  if (names == NULL)
    return FALSE;
  fremovexattr (fd, SP_UPPER_OPAQUE_XATTR);
  fremovexattr (fd, SP_UPPER_TRUSTED_OPAQUE);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child = g_build_filename (display, name, NULL);
      struct stat st;
      int child_fd;
      gboolean ok;

      if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), child);
      if (sp_upper_is_whiteout (name, &st) || sp_upper_is_opaque_marker (name))
        {
          if (unlinkat (fd, name, 0) != 0)
            return sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), child);
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        continue;
      child_fd = open_dir_at (fd, name);
      if (child_fd < 0)
        return sp_set_error_from_errno (error, errno, _("Cannot open the folder “%s”"), child);
      ok = strip_overlay_marks (child_fd, child, depth + 1, cancellable, error);
      close (child_fd);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Moves everything of the upper folder @upper_fd into the base folder
 * @base_fd. Each entry leaves the upper once it is in base/, so an apply
 * cut short is finished by applying again. */
static gboolean
apply_dir (int            upper_fd,
           int            base_fd,
           const char    *display,
           guint          depth,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GPtrArray) names = list_level (upper_fd, display, depth, cancellable, error);

  if (names == NULL)
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child = g_build_filename (display, name, NULL);
      struct stat st, base_st;
      gboolean in_base;

      if (fstatat (upper_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), child);
      if (sp_upper_is_opaque_marker (name))
        continue;   /* said by its folder, removed with it */
      if (sp_upper_is_whiteout (name, &st))
        {
          const char *hidden = sp_upper_is_whiteout_device (&st)
                               ? name : name + SP_UPPER_WHITEOUT_PREFIX_LEN;
          g_autofree char *hidden_display = g_build_filename (display, hidden, NULL);

          if (sp_path_component_is_valid (hidden) &&
              !sp_remove_tree_at (base_fd, hidden, hidden_display, cancellable, error))
            return FALSE;
          if (unlinkat (upper_fd, name, 0) != 0)
            return sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), child);
          continue;
        }

      in_base = fstatat (base_fd, name, &base_st, AT_SYMLINK_NOFOLLOW) == 0;
      if (!in_base && errno != ENOENT)
        return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), child);
      if (S_ISDIR (st.st_mode))
        {
          int child_fd = open_dir_at (upper_fd, name);
          gboolean merge, ok;

          if (child_fd < 0)
            return sp_set_error_from_errno (error, errno, _("Cannot open the folder “%s”"),
                                            child);
          merge = in_base && S_ISDIR (base_st.st_mode) && !is_opaque (child_fd);
          if (merge)
            {
              int base_child_fd = open_dir_at (base_fd, name);

              if (base_child_fd < 0)
                {
                  close (child_fd);
                  return sp_set_error_from_errno (error, errno,
                                                  _("Cannot open the folder “%s”"), child);
                }
              ok = apply_dir (child_fd, base_child_fd, child, depth + 1, cancellable, error);
              /* The folder's own mode, as Wine left it. */
              if (ok && (st.st_mode & 07777) != (base_st.st_mode & 07777))
                fchmod (base_child_fd, st.st_mode & 07777);
              close (base_child_fd);
              close (child_fd);
              if (!ok)
                return FALSE;
              if (unlinkat (upper_fd, name, AT_REMOVEDIR) != 0)
                return sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), child);
              continue;
            }
          ok = strip_overlay_marks (child_fd, child, depth + 1, cancellable, error);
          close (child_fd);
          if (!ok)
            return FALSE;
        }
      /* A new entry, or one replacing what base/ has there: a folder of
       * base/ goes first (rename does not replace a folder with a file). */
      if (in_base && (S_ISDIR (base_st.st_mode) || S_ISDIR (st.st_mode)) &&
          !sp_remove_tree_at (base_fd, name, child, cancellable, error))
        return FALSE;
      if (renameat (upper_fd, name, base_fd, name) != 0)
        return sp_set_error_from_errno (error, errno, _("Cannot move “%s” into the clean install"),
                                        child);
    }
  if (fsync (base_fd) != 0 && errno != EINVAL)
    return sp_set_error_from_errno (error, errno, _("Cannot write the folder “%s”"), display);
  return TRUE;
}

gboolean
_sp_wine_update_apply (int            upper_fd,
                       int            base_fd,
                       const char    *display,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return apply_dir (upper_fd, base_fd, display, 0, cancellable, error);
}
