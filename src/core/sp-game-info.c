/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SpGameInfo: the one record of a game's launch settings. */
#include "config.h"

#include "sp-game-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-keyfile.h"
#include "sp-library-error.h"

static const char * const empty_strv[] = { NULL };

static const char * const *
strv_or_empty (const char * const *strv)
{
  return strv != NULL ? strv : empty_strv;
}

SpGameInfo *
sp_game_info_copy (const SpGameInfo *info)
{
  SpGameInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (SpGameInfo, 1);
  copy->name = g_strdup (info->name);
  copy->kind = info->kind;
  copy->executable = g_strdup (info->executable);
  copy->arguments = (const char * const *) g_strdupv ((char **) strv_or_empty (info->arguments));
  copy->working_directory = g_strdup (info->working_directory);
  copy->environment = (const char * const *) g_strdupv ((char **) strv_or_empty (info->environment));
  copy->runner = g_strdup (info->runner);
  copy->home = g_strdup (info->home);
  copy->icon = g_strdup (info->icon);
  copy->wine_user = g_strdup (info->wine_user);
  copy->wine_version = g_strdup (info->wine_version);
  return copy;
}

void
sp_game_info_free (SpGameInfo *info)
{
  if (info == NULL)
    return;
  g_free ((char *) info->name);
  g_free ((char *) info->executable);
  g_strfreev ((char **) info->arguments);
  g_free ((char *) info->working_directory);
  g_strfreev ((char **) info->environment);
  g_free ((char *) info->runner);
  g_free ((char *) info->home);
  g_free ((char *) info->icon);
  g_free ((char *) info->wine_user);
  g_free ((char *) info->wine_version);
  g_free (info);
}

gboolean
sp_game_info_equal (const SpGameInfo *a,
                    const SpGameInfo *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->name, b->name) == 0 &&
         a->kind == b->kind &&
         g_strcmp0 (a->executable, b->executable) == 0 &&
         g_strv_equal (strv_or_empty (a->arguments), strv_or_empty (b->arguments)) &&
         g_strcmp0 (a->working_directory, b->working_directory) == 0 &&
         g_strv_equal (strv_or_empty (a->environment), strv_or_empty (b->environment)) &&
         g_strcmp0 (a->runner, b->runner) == 0 &&
         g_strcmp0 (a->home, b->home) == 0 &&
         g_strcmp0 (a->icon, b->icon) == 0 &&
         g_strcmp0 (a->wine_user, b->wine_user) == 0 &&
         g_strcmp0 (a->wine_version, b->wine_version) == 0;
}

/* Sets the [Game] keys of game.ini that @info holds (Name to "" when
 * unset); empty lists and unset values remove their key. Other keys and
 * groups are left as they are. */
void
_sp_game_info_to_key_file (const SpGameInfo *info,
                           GKeyFile         *kf)
{
  const char * const *arguments = strv_or_empty (info->arguments);
  const char * const *environment = strv_or_empty (info->environment);

  g_key_file_set_string (kf, GAME_GROUP, "Name", info->name ? info->name : "");
  g_key_file_set_string (kf, GAME_GROUP, "Kind", sp_game_kind_to_string (info->kind));
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Executable", info->executable);
  if (arguments[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Arguments", arguments,
                                g_strv_length ((char **) arguments));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Arguments", NULL);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "WorkingDirectory",
                                    info->working_directory);
  if (environment[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Environment", environment,
                                g_strv_length ((char **) environment));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Environment", NULL);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Runner", info->runner);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Home", info->home);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Icon", info->icon);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "WineUser", info->wine_user);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "WineVersion", info->wine_version);
}

gboolean
sp_wine_user_is_valid (const char  *name,
                       GError     **error)
{
  gsize len;

  g_return_val_if_fail (name != NULL, FALSE);

  len = strlen (name);
  if (len == 0)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The Wine profile name is empty."));
      return FALSE;
    }
  if (len > SP_WINE_USER_MAX_LENGTH || !g_utf8_validate (name, len, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The Wine profile name is longer than %d bytes or not valid UTF-8."),
                   SP_WINE_USER_MAX_LENGTH);
      return FALSE;
    }
  for (const char *p = name; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                     _("The Wine profile name holds a control character."));
        return FALSE;
      }
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0 || strpbrk (name, "/\\<>:\"|?*") != NULL ||
      name[0] == ' ' || name[len - 1] == ' ' || name[len - 1] == '.')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder name Wine can use as a profile: it must not be "
                     "“.” or “..”, hold / \\ < > : \" | ? * or end in a space or a dot."),
                   name);
      return FALSE;
    }
  if (g_ascii_strcasecmp (name, "Public") == 0)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is the folder Wine shares between profiles, not a profile."), name);
      return FALSE;
    }
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Opens @name beneath @dir_fd as a folder, never through a link. */
static int
open_folder_at (int         dir_fd,
                const char *name)
{
  return openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

GStrv
sp_wine_prefix_list_users (const char  *prefix,
                           GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *users_path = NULL;
  int prefix_fd, drive_fd = -1, users_fd = -1;
  DIR *dir;
  struct dirent *entry;
  int saved;

  g_return_val_if_fail (prefix != NULL, NULL);

  users_path = g_build_filename (prefix, "drive_c", "users", NULL);
  prefix_fd = open (prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (prefix_fd >= 0)
    drive_fd = open_folder_at (prefix_fd, "drive_c");
  if (drive_fd >= 0)
    users_fd = open_folder_at (drive_fd, "users");
  saved = errno;
  if (prefix_fd >= 0)
    close (prefix_fd);
  if (drive_fd >= 0)
    close (drive_fd);
  if (users_fd < 0)
    {
      /* No profiles yet (or drive_c/users is not a real folder: none). */
      if (saved == ENOENT || saved == ENOTDIR || saved == ELOOP)
        {
          g_ptr_array_add (names, NULL);
          return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
        }
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot read the Wine profiles in “%s”: %s"), users_path,
                   g_strerror (saved));
      return NULL;
    }
  dir = fdopendir (users_fd);
  if (dir == NULL)
    {
      saved = errno;
      close (users_fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot read the Wine profiles in “%s”: %s"), users_path,
                   g_strerror (saved));
      return NULL;
    }
  while ((errno = 0, entry = readdir (dir)) != NULL)
    {
      struct stat st;

      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0 ||
          !sp_wine_user_is_valid (entry->d_name, NULL))
        continue;
      if (fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISDIR (st.st_mode))
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  saved = errno;
  closedir (dir);
  if (saved != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot read the Wine profiles in “%s”: %s"), users_path,
                   g_strerror (saved));
      return NULL;
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
