/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sp-game-path.h"
#include "sp-library-error.h"
#include "common/sp-util.h"

gboolean
sp_game_path_is_valid (const char  *path,
                       GError     **error)
{
  const char *p;
  const char *component;

  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] == '\0')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The path is empty. Name a file or folder inside the game, e.g. “bin/game”."));
      return FALSE;
    }
  if (strlen (path) > SP_GAME_PATH_MAX_LENGTH || !g_utf8_validate (path, -1, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The path is too long or not valid UTF-8."));
      return FALSE;
    }
  if (path[0] == '/' || path[0] == '\\')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is an absolute path; it must be relative to the game’s folder, "
                     "e.g. “bin/game”."), path);
      return FALSE;
    }
  for (p = path; *p; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The path “%s” holds a control character."), path);
          return FALSE;
        }
    }

  /* Components, split at "/" and, for Wine, at "\". */
  component = path;
  for (p = path;; p++)
    {
      if (*p == '/' || *p == '\\' || *p == '\0')
        {
          gsize len = (gsize) (p - component);

          if (len == 2 && component[0] == '.' && component[1] == '.')
            {
              g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("“%s” goes up with “..”; it must stay inside the game’s folder."),
                           path);
              return FALSE;
            }
          /* An empty component: "a//b" or "a/\b" is a typo at best; one
           * trailing "/" on a folder is fine. */
          if (len == 0 && !(*p == '\0' && p[-1] == '/'))
            {
              g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("“%s” has an empty component (“//”); write each folder name once."),
                           path);
              return FALSE;
            }
          if (*p == '\0')
            break;
          component = p + 1;
        }
    }
  return TRUE;
}

int
sp_game_path_open_beneath (const char  *root,
                           const char  *rel,
                           gsize        max_size,
                           guint64     *size,
                           GError     **error)
{
  struct open_how how = { 0 };
  struct stat st;
  int root_fd;
  int fd;
  int saved;

  g_return_val_if_fail (root != NULL && rel != NULL, -1);

  if (!sp_game_path_is_valid (rel, error))
    return -1;

  root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open the folder “%s”: %s"), root, g_strerror (saved));
      return -1;
    }
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  do
    fd = (int) syscall (SYS_openat2, root_fd, rel, &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  saved = errno;
  close (root_fd);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   saved == EXDEV || saved == ELOOP
                   ? _("“%s” in “%s” leads outside that folder (through a symbolic link).")
                   : _("Could not open “%s” in “%s”: %s"),
                   rel, root, g_strerror (saved));
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size > max_size)
    {
      g_autofree char *max = g_format_size (max_size);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” in “%s” is not a regular file of at most %s."),
                   rel, root, max);
      close (fd);
      return -1;
    }
  if (size != NULL)
    *size = (guint64) st.st_size;
  return fd;
}

GBytes *
sp_game_path_read_beneath_sync (const char  *root,
                           const char  *rel,
                           gsize        max_size,
                           GError     **error)
{
  g_autofree char *buffer = NULL;
  g_autofree char *display = NULL;
  gboolean ok;
  guint64 size;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (root != NULL && rel != NULL, NULL);

  fd = sp_game_path_open_beneath (root, rel, max_size, &size, error);
  if (fd < 0)
    return NULL;
  display = g_build_filename (root, rel, NULL);
  ok = sp_read_fd_bounded (fd, display, size, max_size, &buffer, &done, error);
  close (fd);
  if (!ok)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&buffer), done);
}

typedef struct
{
  char  *root;
  char  *rel;
  gsize  max_size;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_free (data->root);
  g_free (data->rel);
  g_free (data);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *data = task_data;
  GError *error = NULL;
  GBytes *bytes = sp_game_path_read_beneath_sync (data->root, data->rel, data->max_size, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
sp_game_path_read_beneath_async (const char          *root,
                                 const char          *rel,
                                 gsize                max_size,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, sp_game_path_read_beneath_async);
  data->root = g_strdup (root);
  data->rel = g_strdup (rel);
  data->max_size = max_size;
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, read_thread);
}

GBytes *
sp_game_path_read_beneath_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
