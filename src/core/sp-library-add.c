/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-library-private.h"
#include "sp-game-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-copy.h"
#include "common/sp-manifest-format.h"
#include "sp-game-path.h"
#include "sp-keyfile.h"
#include "sp-leftovers.h"
#include "sp-pe-icon.h"
#include "sp-task-private.h"
#include "sp-wine-prefix.h"
#include "common/sp-util.h"

/* Adding a game: sp_library_add_game_sync() and _async(). */

typedef struct
{
  SpLibrary          *library;
  char               *games_path;
  char               *library_path;

  SpGameInfo         *info;       /* the caller's, copied */

  char               *source_dir;
  SpAddMode           mode;
  char               *slug;

  SpProgressRelay    *progress;   /* _async: to the caller's main context */
  char              **replaced;   /* links replaced with folders (sp-wine-prefix.h) */
} AddData;

static void
add_data_clear (AddData *data)
{
  if (data->slug != NULL)
    _sp_library_release_slug (data->library, data->slug);
  g_clear_object (&data->library);
  g_free (data->games_path);
  g_free (data->library_path);
  g_clear_pointer (&data->info, sp_game_info_free);
  g_free (data->source_dir);
  g_free (data->slug);
  g_clear_pointer (&data->progress, _sp_progress_relay_unref);
  g_strfreev (data->replaced);
}

static void
add_data_unref (AddData *data)
{
  g_rc_box_release_full (data, (GDestroyNotify) add_data_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AddData, add_data_unref)

static gboolean
validate_info (const SpGameInfo  *info,
               GError           **error)
{
  if (info->name == NULL || *info->name == '\0' || !g_utf8_validate (info->name, -1, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("A game needs a name (non-empty text)."));
      return FALSE;
    }
  if (info->executable == NULL || *info->executable == '\0')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The game “%s” needs an executable: give the program to start, relative "
                     "to its folder (or to the Wine prefix)."), info->name);
      return FALSE;
    }
  {
    /* Paths inside the game (design.md, "Trust"), see sp_game_path_is_valid(). */
    const struct { const char *what; const char *value; } paths[] = {
      { N_("executable"), info->executable },
      { N_("working folder"), info->working_directory },
      { N_("home folder"), info->home },
      { N_("icon"), info->icon },
    };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(GError) path_error = NULL;

        if (paths[i].value == NULL || paths[i].value[0] == '\0' ||
            sp_game_path_is_valid (paths[i].value, &path_error))
          continue;
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                     _("The %s of “%s” is not allowed: %s"),
                     _(paths[i].what), info->name, path_error->message);
        return FALSE;
      }
  }
  for (const char * const *e = info->environment; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq == NULL || eq == *e)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The environment entry “%s” is not of the form KEY=VALUE."), *e);
          return FALSE;
        }
    }
  if (info->wine_user != NULL)
    {
      g_autoptr(GError) user_error = NULL;

      if (info->kind != SP_GAME_KIND_WINE)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("“%s” is not a Wine game: only a Wine prefix has a profile to "
                         "choose."), info->name);
          return FALSE;
        }
      if (!sp_wine_user_is_valid (info->wine_user, &user_error))
        {
          g_propagate_error (error, g_steal_pointer (&user_error));
          return FALSE;
        }
    }
  return TRUE;
}

/* Records in @data the profile of the Wine prefix @prefix that the game
 * uses: the caller's choice, which must exist, or the only one there is.
 * A prefix without a profile yet records none (Wine makes the player's). */
static gboolean
resolve_wine_user (AddData     *data,
                   const char  *prefix,
                   GError     **error)
{
  g_auto(GStrv) users = NULL;
  g_autofree char *list = NULL;

  if (data->info->kind != SP_GAME_KIND_WINE)
    return TRUE;
  users = sp_wine_prefix_list_users (prefix, error);
  if (users == NULL)
    return FALSE;
  if (data->info->wine_user != NULL && g_strv_contains ((const char * const *) users,
                                                        data->info->wine_user))
    return TRUE;
  if (data->info->wine_user == NULL && users[0] == NULL)
    return TRUE;
  if (data->info->wine_user == NULL && users[1] == NULL)
    {
      data->info->wine_user = g_strdup (users[0]);
      return TRUE;
    }
  list = g_strjoinv (", ", users);
  if (data->info->wine_user != NULL)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                 _("The Wine prefix “%s” has no profile “%s” (drive_c/users/%s). Its profiles: "
                   "%s."), prefix, data->info->wine_user, data->info->wine_user,
                 users[0] != NULL ? list : _("none"));
  else
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                 _("The Wine prefix “%s” has several profiles (%s). Choose the one the game "
                   "keeps its saves in."), prefix, list);
  return FALSE;
}

static AddData *
add_data_new (SpLibrary          *self,
              const SpGameInfo   *info,
              const char         *source_dir,
              SpAddMode           mode)
{
  AddData *data = g_rc_box_new0 (AddData);

  data->library = g_object_ref (self);
  data->games_path = g_strdup (self->games_path);
  data->library_path = g_strdup (self->path);
  data->info = sp_game_info_copy (info);
  data->source_dir = g_canonicalize_filename (source_dir, NULL);
  data->mode = mode;
  return data;
}


static gboolean
is_inside (const char *path,
           const char *dir)
{
  gsize len = strlen (dir);

  return strcmp (path, dir) == 0 ||
         (strncmp (path, dir, len) == 0 && (path[len] == '/' || dir[len - 1] == '/'));
}

static gboolean
write_game_ini (AddData     *data,
                const char  *path,
                GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  _sp_game_info_to_key_file (data->info, kf);
  {
    /* Recorded in each checkpoint's archive, so import knows its game. */
    g_autofree char *uuid = g_uuid_string_random ();
    g_key_file_set_string (kf, GAME_GROUP, "Uuid", uuid);
  }
  g_key_file_set_string (kf, STATE_GROUP, "Head", "");
  return sp_key_file_save (kf, path, error);
}

static gboolean
sync_file_system (const char  *path,
                  GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return _sp_copy_set_error_from_errno (error, errno, _("Cannot open “%s”"), path);
  if (syncfs (fd) != 0)
    {
      int saved = errno;
      close (fd);
      return _sp_copy_set_error_from_errno (error, saved,
                                            _("Cannot write the copy to “%s”"), path);
    }
  close (fd);
  return TRUE;
}

/* The mode @mode with chmod's a+rX applied: readable by all, and
 * searchable (executable) by all where it is a folder or executable by
 * anyone. */
static mode_t
mode_readable_for_all (mode_t mode)
{
  mode_t perm = mode & 07777;

  perm |= 0444;
  if (S_ISDIR (mode) || (perm & 0111) != 0)
    perm |= 0111;
  return perm;
}

/* chmod a+rX of @name in @dir_fd (not a symlink): EPERM (a file someone
 * else owns, in an adopted folder) and file systems without modes are
 * left as they are; verify reports what the player still cannot read. */
static gboolean
chmod_readable_at (int                dir_fd,
                   const char        *name,
                   const struct stat *st,
                   const char        *path,
                   GError           **error)
{
  mode_t want = mode_readable_for_all (st->st_mode);

  if ((st->st_mode & 07777) == want || S_ISLNK (st->st_mode))
    return TRUE;
  if (fchmodat (dir_fd, name, want, 0) == 0 || errno == EPERM || errno == EOPNOTSUPP ||
      errno == ENOTSUP || errno == ENOSYS)
    return TRUE;
  return _sp_copy_set_error_from_errno (error, errno, _("Cannot make “%s” readable"), path);
}

static gboolean
make_readable_dir (int            fd,
                   const char    *path,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *d;
  struct dirent *de;
  int dup_fd = dup (fd);

  if (dup_fd < 0 || (d = fdopendir (dup_fd)) == NULL)
    {
      int saved = errno;

      if (dup_fd >= 0)
        close (dup_fd);
      return _sp_copy_set_error_from_errno (error, saved, _("Cannot open “%s”"), path);
    }
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (de->d_name));
  closedir (d);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;
      int sub;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return _sp_copy_set_error_from_errno (error, errno, _("Cannot read “%s”"), child);
      if (!chmod_readable_at (fd, name, &st, child, error))
        return FALSE;
      if (!S_ISDIR (st.st_mode))
        continue;
      sub = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        {
          /* Someone else's folder we could not open: verify says so. */
          if (errno == EACCES)
            continue;
          return _sp_copy_set_error_from_errno (error, errno, _("Cannot open “%s”"), child);
        }
      ok = make_readable_dir (sub, child, cancellable, error);
      close (sub);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* chmod -R a+rX of the clean install at @base: the session's overlay reads
 * it with the rights of whoever plays, who may not be who added it (another
 * account, or the same drive on another computer). Only ever the copy on
 * the drive, or the folder being adopted into it. */
static gboolean
make_readable_for_all (const char    *base,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *parent = g_path_get_dirname (base);
  g_autofree char *name = g_path_get_basename (base);
  struct stat st;
  int parent_fd, fd;
  gboolean ok;

  parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    return _sp_copy_set_error_from_errno (error, errno, _("Cannot open “%s”"), parent);
  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR (st.st_mode))
    {
      int saved = ENOTDIR;

      if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        saved = errno;
      close (parent_fd);
      return _sp_copy_set_error_from_errno (error, saved, _("Cannot open “%s”"), base);
    }
  if (!chmod_readable_at (parent_fd, name, &st, base, error))
    {
      close (parent_fd);
      return FALSE;
    }
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close (parent_fd);
  if (fd < 0)
    return _sp_copy_set_error_from_errno (error, errno, _("Cannot open “%s”"), base);
  ok = make_readable_dir (fd, base, cancellable, error);
  close (fd);
  return ok;
}

/* The file work of adding a game; runs in any thread. Returns the game's
 * folder. */
static char *
add_game_files (AddData             *data,
                SpCopyProgressFunc   progress,
                gpointer             progress_data,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autofree char *real_source = NULL;
  g_autofree char *real_library = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *base = NULL;
  g_autofree char *checkpoints = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *manifest_path = NULL;
  g_autoptr(SpManifest) manifest = _sp_manifest_new ();
  struct stat st, games_st;
  gboolean moved = FALSE;
  GError *local_error = NULL;

  if (lstat (data->source_dir, &st) != 0 ||
      !(S_ISDIR (st.st_mode) || (data->mode == SP_ADD_MODE_COPY && S_ISLNK (st.st_mode) &&
                                 g_file_test (data->source_dir, G_FILE_TEST_IS_DIR))))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder. Give the folder that holds the game’s clean "
                     "install."), data->source_dir);
      return NULL;
    }
  real_source = realpath (data->source_dir, NULL);
  real_library = realpath (data->library_path, NULL);
  if (real_source == NULL || real_library == NULL)
    {
      _sp_copy_set_error_from_errno (error, errno, _("Cannot resolve “%s”"), data->source_dir);
      return NULL;
    }
  if (is_inside (real_source, real_library) || is_inside (real_library, real_source))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” overlaps the library folder “%s”. Give a folder outside the "
                     "Savepoint folder."), data->source_dir, data->library_path);
      return NULL;
    }
  if (!resolve_wine_user (data, real_source, error))
    return NULL;
  if (stat (data->games_path, &games_st) != 0)
    {
      _sp_copy_set_error_from_errno (error, errno,
                                     _("Cannot open the games folder “%s”"), data->games_path);
      return NULL;
    }
  if (data->mode == SP_ADD_MODE_ADOPT && games_st.st_dev != st.st_dev)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not on the same drive (file system) as the library “%s”, so it "
                     "cannot be adopted in place. Copy it instead."),
                   data->source_dir, data->library_path);
      return NULL;
    }

  /* The folder carries its owner in its name and a marker saying what it
   * holds, written before anything else: a later start recovers it (see
   * sp-leftovers.h), moving an adopted folder back where it was. */
  tmp = sp_leftover_dir_template (data->games_path, data->slug);
  if (g_mkdtemp_full (tmp, 0755) == NULL)
    {
      _sp_copy_set_error_from_errno (error, errno,
                                     _("Cannot create a folder in “%s”"), data->games_path);
      return NULL;
    }
  if (!sp_leftover_write_marker (tmp, TRUE,
                                 data->mode == SP_ADD_MODE_ADOPT ? SP_LEFTOVER_KIND_ADOPT
                                                                 : SP_LEFTOVER_KIND_COPY,
                                 data->mode == SP_ADD_MODE_ADOPT ? data->source_dir : NULL,
                                 &local_error))
    goto fail;
  base = g_build_filename (tmp, "base", NULL);
  checkpoints = g_build_filename (tmp, "checkpoints", NULL);
  ini = g_build_filename (tmp, "game.ini", NULL);
  dest = g_build_filename (data->games_path, data->slug, NULL);

  if (data->mode == SP_ADD_MODE_COPY)
    {
      if (!_sp_copy_tree (real_source, base, manifest, progress, progress_data, cancellable,
                          &local_error))
        goto fail;
    }
  else
    {
      if (rename (data->source_dir, base) != 0)
        {
          _sp_copy_set_error_from_errno (&local_error, errno,
                                         _("Cannot move the folder into “%s”"), base);
          goto fail;
        }
      moved = TRUE;
    }
  /* Saves land in the overlay, not in the player's home (in the copy, or
   * in the adopted folder itself). */
  if (!_sp_wine_prefix_prepare_clean_install (data->info, base, manifest, &data->replaced,
                                              cancellable, &local_error))
    goto fail;
  /* What the drive could not store, for the session's overlay. */
  manifest_path = g_build_filename (tmp, SP_MANIFEST_FILE_NAME, NULL);
  if (!_sp_manifest_is_empty (manifest) &&
      !_sp_manifest_write (manifest, manifest_path, &local_error))
    goto fail;

  if (!make_readable_for_all (base, cancellable, &local_error))
    goto fail;

  if (g_mkdir (checkpoints, 0755) != 0)
    {
      _sp_copy_set_error_from_errno (&local_error, errno,
                                     _("Cannot create the folder “%s”"), checkpoints);
      goto fail;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto fail;
  /* A Wine game without an icon shows its executable's (sp-pe-icon.h); a
   * program without a usable one is added all the same. */
  sp_pe_icon_save_for_game (data->info, tmp, base, NULL);
  /* The copied files must be on the drive before game.ini says they are. */
  if (!sync_file_system (tmp, &local_error) ||
      !write_game_ini (data, ini, &local_error) ||
      !sp_fsync_directory (tmp, &local_error))
    goto fail;

  if (sp_rename_noreplace (tmp, dest) != 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY)
        g_set_error (&local_error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS,
                     _("“%s” appeared while the game was being added. Try again."), dest);
      else
        _sp_copy_set_error_from_errno (&local_error, errno,
                                       _("Cannot rename the new game to “%s”"), dest);
      goto fail;
    }
  /* The game is complete: its marker has served. */
  sp_leftover_remove_marker (dest, TRUE);
  if (!sp_fsync_directory (data->games_path, &local_error))
    {
      /* The game is in place; report the sync failure but keep it. */
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&dest);

fail:
  if (moved && rename (base, data->source_dir) != 0)
    {
      g_prefix_error (&local_error,
                      _("The folder could not be moved back; it is now “%s”. "), base);
      g_propagate_error (error, local_error);
      return NULL;
    }
  sp_remove_tree (tmp, NULL, NULL);
  g_propagate_error (error, local_error);
  return NULL;
}

SpGame *
sp_library_add_game_sync (SpLibrary           *self,
                          const SpGameInfo    *info,
                          const char          *source_dir,
                          SpAddMode            mode,
                          SpCopyProgressFunc   progress,
                          gpointer             progress_data,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(AddData) data = NULL;
  g_autofree char *path = NULL;
  SpGame *game;

  g_return_val_if_fail (SP_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (source_dir != NULL, NULL);

  if (!_sp_library_check_writable (self, error) || !validate_info (info, error))
    return NULL;
  data = add_data_new (self, info, source_dir, mode);
  data->slug = _sp_library_reserve_slug (self, info->name);
  path = add_game_files (data, progress, progress_data, cancellable, error);
  if (path == NULL)
    return NULL;
  game = _sp_library_finish_add (self, path, error);
  if (game != NULL)
    _sp_game_set_replaced_links (game, (const char * const *) data->replaced);
  return game;
}

/* SpCopyProgressFunc's signature, with the relay (or NULL) as user data. */
static void
thread_progress_cb (guint64  bytes_done,
                    guint64  bytes_total,
                    guint64  files_done,
                    guint64  files_total,
                    gpointer relay)
{
  const guint64 values[] = { bytes_done, bytes_total, files_done, files_total };

  if (relay != NULL)
    _sp_progress_relay_push (relay, G_N_ELEMENTS (values), values);
}

static void
deliver_copy_progress (const guint64 *values,
                       GCallback      func,
                       gpointer       func_data)
{
  ((SpCopyProgressFunc) func) (values[0], values[1], values[2], values[3], func_data);
}

static gpointer
add_thread (gpointer       task_data,
            GCancellable  *cancellable,
            GError       **error)
{
  AddData *data = task_data;

  return add_game_files (data, data->progress ? thread_progress_cb : NULL, data->progress,
                         cancellable, error);
}

static gpointer
add_finish (gpointer       source_object,
            gpointer       task_data,
            gpointer       value,
            GError       **error)
{
  g_autofree char *path = value;
  SpGame *game;

  /* The last progress values reach the caller before the result. */
  _sp_progress_relay_finish (((AddData *) task_data)->progress);

  if (path == NULL)
    return NULL;
  game = _sp_library_finish_add (SP_LIBRARY (source_object), path, error);
  if (game != NULL)
    _sp_game_set_replaced_links (game, (const char * const *) ((AddData *) task_data)->replaced);
  return game;
}

void
sp_library_add_game_async (SpLibrary           *self,
                           const SpGameInfo    *info,
                           const char          *source_dir,
                           SpAddMode            mode,
                           SpCopyProgressFunc   progress,
                           gpointer             progress_data,
                           GDestroyNotify       progress_data_destroy,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  GError *error = NULL;
  AddData *data;

  g_return_if_fail (SP_IS_LIBRARY (self));
  g_return_if_fail (info != NULL);
  g_return_if_fail (source_dir != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, sp_library_add_game_async);
  if (!_sp_library_check_writable (self, &error) || !validate_info (info, &error))
    {
      if (progress_data_destroy)
        progress_data_destroy (progress_data);
      g_task_return_error (outer, error);
      return;
    }

  data = add_data_new (self, info, source_dir, mode);
  data->slug = _sp_library_reserve_slug (self, info->name);
  data->progress = _sp_progress_relay_new (deliver_copy_progress, G_CALLBACK (progress),
                                           progress_data, progress_data_destroy);

  /* Once the game is in place it exists: it is reported even if the
   * cancellable fires after that point. */
  _sp_task_run_in_thread (g_steal_pointer (&outer), data, (GDestroyNotify) add_data_unref,
                          add_thread, g_free, add_finish, g_object_unref);
}

SpGame *
sp_library_add_game_finish (SpLibrary     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
