/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Removing a game but keeping its files in the drive's trash
 * (sp-library-remove.h). */
#include "config.h"

#include "sp-library-remove.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-drive-trash.h"
#include "sp-keyfile.h"
#include "sp-library-error.h"
#include "sp-library-private.h"
#include "sp-slug.h"
#include "common/sp-util.h"

typedef int SpFd;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (SpFd, close, -1)

#define GROUP "RemovedGame"
#define MARKER_MAX_SIZE (64 * 1024)

gboolean
sp_library_check_game_folder (SpLibrary  *self,
                              SpGame     *game,
                              GError    **error)
{
  g_autofree char *expected = NULL;
  GStatBuf st, games_st;

  g_return_val_if_fail (SP_IS_LIBRARY (self), FALSE);
  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  expected = g_build_filename (self->games_path, sp_game_get_slug (game), NULL);
  if (!sp_slug_is_valid (sp_game_get_slug (game)) ||
      g_strcmp0 (expected, sp_game_get_path (game)) != 0)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a game folder of the library “%s”."),
                   sp_game_get_path (game), self->path);
      return FALSE;
    }
  if (g_lstat (expected, &st) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), expected);
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder (a link or a file is in its place); Savepoint "
                     "leaves it alone."), expected);
      return FALSE;
    }
  if (g_lstat (self->games_path, &games_st) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), self->games_path);
  if (games_st.st_dev != st.st_dev)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is on another file system; Savepoint leaves it alone."), expected);
      return FALSE;
    }
  return TRUE;
}

static gboolean
find_game (SpLibrary  *self,
           SpGame     *game,
           guint      *out_pos,
           GError    **error)
{
  if (g_list_store_find (self->games, game, out_pos))
    return TRUE;
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
               _("The game “%s” is not in the library “%s”."),
               sp_game_get_name (game), self->path);
  return FALSE;
}

char *
sp_library_trash_game (SpLibrary  *self,
                       SpGame     *game,
                       GError    **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *name = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *dest = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *contents = NULL;
  const char *slug;
  guint pos;

  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  if (!_sp_library_check_writable (self, error) ||
      !find_game (self, game, &pos, error) ||
      !sp_library_check_game_folder (self, game, error))
    return NULL;

  slug = sp_game_get_slug (game);
  trash = sp_drive_trash_get_path (self->path);
  if (g_mkdir (trash, 0755) != 0 && errno != EEXIST)
    {
      sp_set_error_from_errno (error, errno, _("Cannot create “%s”"), trash);
      return NULL;
    }
  {
    g_auto(SpFd) trash_fd = open (self->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    g_auto(SpFd) check_fd = -1;

    if (trash_fd < 0)
      {
        sp_set_error_from_errno (error, errno, _("Cannot open “%s”"), self->path);
        return NULL;
      }
    /* The trash itself must be a real folder: no link may send the game
     * elsewhere. */
    check_fd = sp_open_dir_nofollow_at (trash_fd, SP_DRIVE_TRASH_DIR, trash, error);
    if (check_fd < 0)
      return NULL;
  }

  name = g_strdup_printf ("%s.removed", slug);
  entry = g_build_filename (trash, name, NULL);
  for (guint n = 2; g_mkdir (entry, 0755) != 0; n++)
    {
      if (errno != EEXIST || n > 1000)
        {
          sp_set_error_from_errno (error, errno, _("Cannot create “%s”"), entry);
          return NULL;
        }
      g_free (name);
      g_free (entry);
      name = g_strdup_printf ("%s.removed.%u", slug, n);
      entry = g_build_filename (trash, name, NULL);
    }

  now = g_date_time_new_now_utc ();
  removed = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  kf = g_key_file_new ();
  g_key_file_set_integer (kf, GROUP, "Version", 1);
  g_key_file_set_string (kf, GROUP, "Game", slug);
  g_key_file_set_string (kf, GROUP, "Name", sp_game_get_name (game));
  g_key_file_set_string (kf, GROUP, "Removed", removed);
  contents = g_key_file_to_data (kf, NULL, NULL);
  marker = g_build_filename (entry, SP_REMOVED_GAME_MARKER, NULL);
  if (!sp_write_file_atomic (marker, contents, -1, error))
    {
      g_rmdir (entry);
      return NULL;
    }

  dest = g_build_filename (entry, SP_REMOVED_GAME_DIR, NULL);
  if (sp_rename_noreplace (sp_game_get_path (game), dest) != 0)
    {
      int saved = errno;

      g_unlink (marker);
      g_rmdir (entry);
      sp_set_error_from_errno (error, saved, _("Cannot move “%s” to the drive’s trash"),
                               sp_game_get_path (game));
      return NULL;
    }
  sp_fsync_directory (self->games_path, NULL);
  sp_fsync_directory (entry, NULL);
  g_list_store_remove (self->games, pos);
  return g_steal_pointer (&name);
}

/* Opens trash entry @entry_name without following links and reads its
 * marker; returns the entry's descriptor and the slug it names, or -1. */
static int
open_entry (const char  *library_path,
            const char  *entry_name,
            int         *out_trash_fd,
            char       **out_slug,
            GError     **error)
{
  g_autofree char *trash = sp_drive_trash_get_path (library_path);
  g_autofree char *entry = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *data = NULL;
  g_autofree char *slug = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_auto(SpFd) lib_fd = -1;
  g_auto(SpFd) trash_fd = -1;
  g_auto(SpFd) entry_fd = -1;
  gsize length = 0;
  gint64 version = 0;

  if (!sp_path_component_is_valid (entry_name) || entry_name[0] == '.')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not an entry of the drive’s trash."), entry_name);
      return -1;
    }
  entry = g_build_filename (trash, entry_name, NULL);
  /* Every step without following links: the trash is on an untrusted
   * drive. */
  lib_fd = open (library_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lib_fd < 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot open “%s”"), library_path);
      return -1;
    }
  trash_fd = sp_open_dir_nofollow_at (lib_fd, SP_DRIVE_TRASH_DIR, trash, error);
  if (trash_fd < 0)
    return -1;
  entry_fd = sp_open_dir_nofollow_at (trash_fd, entry_name, entry, error);
  if (entry_fd < 0)
    return -1;
  marker = g_build_filename (entry, SP_REMOVED_GAME_MARKER, NULL);
  if (!sp_read_regular_file_at (entry_fd, SP_REMOVED_GAME_MARKER, marker, MARKER_MAX_SIZE,
                                &data, &length, error))
    return -1;
  kf = sp_key_file_load_from_data (data, length, marker, error);
  if (kf == NULL ||
      !sp_key_file_get_int64 (kf, marker, GROUP, "Version", 0, &version, error))
    return -1;
  if (version != 1)
    {
      sp_key_file_set_error (error, marker, data, GROUP, "Version",
                             _("this trash entry is of another version; it is left alone."));
      return -1;
    }
  slug = sp_key_file_get_string_required (kf, marker, GROUP, "Game", error);
  if (slug == NULL)
    return -1;
  if (!sp_slug_is_valid (slug))
    {
      sp_key_file_set_error (error, marker, data, GROUP, "Game",
                             _("“%s” is not a game’s folder name."), slug);
      return -1;
    }
  *out_slug = g_steal_pointer (&slug);
  *out_trash_fd = g_steal_fd (&trash_fd);
  return g_steal_fd (&entry_fd);
}

SpGame *
sp_library_restore_game (SpLibrary  *self,
                         const char *entry_name,
                         GError    **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *slug = NULL;
  g_autofree char *target = NULL;
  g_autofree char *source = NULL;
  g_auto(SpFd) trash_fd = -1;
  g_auto(SpFd) entry_fd = -1;
  g_auto(SpFd) game_fd = -1;

  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (entry_name != NULL, NULL);

  if (!_sp_library_check_writable (self, error))
    return NULL;
  entry_fd = open_entry (self->path, entry_name, &trash_fd, &slug, error);
  if (entry_fd < 0)
    return NULL;
  trash = sp_drive_trash_get_path (self->path);
  source = g_build_filename (trash, entry_name, SP_REMOVED_GAME_DIR, NULL);
  game_fd = sp_open_dir_nofollow_at (entry_fd, SP_REMOVED_GAME_DIR, source, error);
  if (game_fd < 0)
    return NULL;

  target = g_build_filename (self->games_path, slug, NULL);
  if (sp_rename_noreplace (source, target) != 0)
    {
      int saved = errno;

      if (saved == EEXIST)
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS,
                     _("Cannot bring the game back: “%s” exists. Rename or remove it first."),
                     target);
      else
        sp_set_error_from_errno (error, saved, _("Cannot move “%s” back into the library"), source);
      return NULL;
    }
  sp_fsync_directory (self->games_path, NULL);
  /* The emptied entry goes; anything else someone put there stays. */
  if (unlinkat (entry_fd, SP_REMOVED_GAME_MARKER, 0) == 0)
    unlinkat (trash_fd, entry_name, AT_REMOVEDIR);
  sp_fsync_directory (trash, NULL);

  return _sp_library_finish_add (self, target, error);
}

gboolean
sp_library_delete_removed_game (const char    *library_path,
                                const char    *entry_name,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *source = NULL;
  g_autofree char *slug = NULL;
  g_auto(SpFd) trash_fd = -1;
  g_auto(SpFd) entry_fd = -1;
  struct stat trash_st, st;

  g_return_val_if_fail (library_path != NULL, FALSE);
  g_return_val_if_fail (entry_name != NULL, FALSE);

  entry_fd = open_entry (library_path, entry_name, &trash_fd, &slug, error);
  if (entry_fd < 0)
    return FALSE;
  trash = sp_drive_trash_get_path (library_path);
  entry = g_build_filename (trash, entry_name, NULL);
  source = g_build_filename (entry, SP_REMOVED_GAME_DIR, NULL);
  if (fstat (trash_fd, &trash_st) != 0 || fstat (entry_fd, &st) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), entry);
  if (st.st_dev != trash_st.st_dev)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is on another file system; Savepoint does not remove it."), entry);
      return FALSE;
    }
  /* sp_remove_tree_at() does not follow a link in the tree's place. */
  if (!sp_remove_tree_at (entry_fd, SP_REMOVED_GAME_DIR, source, cancellable, error))
    return FALSE;
  if (unlinkat (entry_fd, SP_REMOVED_GAME_MARKER, 0) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), entry);
  if (unlinkat (trash_fd, entry_name, AT_REMOVEDIR) != 0)
    {
      if (errno == ENOTEMPTY || errno == EEXIST)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("“%s” holds files Savepoint did not put there; they are left alone."),
                       entry);
          return FALSE;
        }
      return sp_set_error_from_errno (error, errno, _("Cannot remove “%s”"), entry);
    }
  sp_fsync_directory (trash, NULL);
  return TRUE;
}
