/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staging folders for new Wine prefixes, made, proven ours and removed by
 * descriptor (sp-new-prefix.h). */
#include "config.h"

#include "sp-new-prefix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-process.h"
#include "common/sp-util.h"

#define STAGING_PREFIX    "prefix-"
#define MAX_MARKER_SIZE   4096

typedef enum
{
  OWNER_UNKNOWN,   /* no marker we can read, or another host's */
  OWNER_GONE,      /* stale */
  OWNER_LIVE,      /* another process that still runs */
  OWNER_SELF,      /* this process */
} Owner;

char *
sp_new_prefix_get_root (void)
{
  return g_build_filename (g_get_user_cache_dir (), "savepoint", "new-prefixes", NULL);
}

/* "prefix-XXXXXX", what g_mkdtemp() makes of the template. */
static gboolean
is_staging_name (const char *name)
{
  return g_str_has_prefix (name, STAGING_PREFIX) &&
         strlen (name) == strlen (STAGING_PREFIX) + 6 &&
         strchr (name, '/') == NULL;
}

/* Opens @root (making it, 0700, with @create) without following a symlink
 * in its last part, and checks that it is a folder of ours that no one
 * else can write to. */
static int
open_root (const char  *root,
           gboolean     create,
           GError     **error)
{
  struct stat st;
  int fd;

  if (create && g_mkdir_with_parents (root, 0700) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Could not make the folder “%s”"), root);
      return -1;
    }
  fd = open (root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      sp_set_error_from_errno (error, errno, _("Could not open the folder “%s”"), root);
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Could not open the folder “%s”"), root);
      close (fd);
      return -1;
    }
  if (st.st_uid != geteuid () || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   /* Translators: %s is a folder */
                   _("“%s” is not a private folder of yours: Savepoint makes new Wine "
                     "prefixes only where no one else can change them. Remove it and try again."),
                   root);
      close (fd);
      return -1;
    }
  return fd;
}

/* Opens the staging folder @name of @root_fd when it can be one Savepoint
 * made: a folder (not a symlink), ours, mode 0700. */
static int
open_staging (int           root_fd,
              const char   *name,
              const char   *display,
              struct stat  *out_st,
              GError      **error)
{
  int fd = sp_open_dir_nofollow_at (root_fd, name, display, error);

  if (fd < 0)
    return -1;
  if (fstat (fd, out_st) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Could not open the folder “%s”"), display);
      close (fd);
      return -1;
    }
  if (out_st->st_uid != geteuid () || (out_st->st_mode & 07777) != 0700)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   /* Translators: %s is a folder */
                   _("Not touching “%s”: it is not a private folder of yours, so Savepoint "
                     "did not make it."), display);
      close (fd);
      return -1;
    }
  return fd;
}

/* Who made the staging folder open as @staging_fd, from its marker. */
static Owner
read_owner (int         staging_fd,
            const char *display)
{
  g_autoptr(GKeyFile) marker = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *host = NULL;
  g_autofree char *boot = NULL;
  gsize length = 0;
  guint64 start;
  gint64 pid;

  if (!sp_read_regular_file_at (staging_fd, SP_NEW_PREFIX_MARKER, display, MAX_MARKER_SIZE,
                                &data, &length, NULL) ||
      !g_key_file_load_from_data (marker, data, length, G_KEY_FILE_NONE, NULL))
    return OWNER_UNKNOWN;
  host = g_key_file_get_string (marker, SP_NEW_PREFIX_MARKER_GROUP, "Host", NULL);
  boot = g_key_file_get_string (marker, SP_NEW_PREFIX_MARKER_GROUP, "BootId", NULL);
  pid = g_key_file_get_int64 (marker, SP_NEW_PREFIX_MARKER_GROUP, "Pid", &error);
  start = g_key_file_get_uint64 (marker, SP_NEW_PREFIX_MARKER_GROUP, "PidStart", NULL);
  if (host == NULL || boot == NULL || error != NULL || pid <= 0 || pid > G_MAXINT32)
    return OWNER_UNKNOWN;
  /* A home folder shared between computers: not ours to judge. */
  if (strcmp (host, sp_host_name ()) != 0)
    return OWNER_UNKNOWN;
  if (strcmp (boot, sp_boot_id_short ()) != 0)
    return OWNER_GONE;
  if (pid == (gint64) getpid () && start == sp_pid_start_time (pid))
    return OWNER_SELF;
  return sp_pid_is_alive (pid, start) ? OWNER_LIVE : OWNER_GONE;
}

/* Removes @name of @root_fd if it is still the folder @st describes. */
static gboolean
remove_staging_at (int                root_fd,
                   const char        *name,
                   const char        *display,
                   const struct stat *st,
                   GCancellable      *cancellable,
                   GError           **error)
{
  struct stat now;

  if (fstatat (root_fd, name, &now, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return sp_set_error_from_errno (error, errno, _("Could not remove “%s”"), display);
    }
  if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Not removing “%s”: it changed while it was being removed. Try again."),
                   display);
      return FALSE;
    }
  return sp_remove_tree_at (root_fd, name, display, cancellable, error);
}

static int
remove_stale_at (int            root_fd,
                 const char    *root,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *entry;
  int removed = 0;
  int list_fd;
  DIR *dir;

  list_fd = dup (root_fd);
  if (list_fd < 0 || (dir = fdopendir (list_fd)) == NULL)
    {
      sp_set_error_from_errno (error, errno, _("Could not read the folder “%s”"), root);
      if (list_fd >= 0)
        close (list_fd);
      return -1;
    }
  while ((entry = readdir (dir)) != NULL)
    if (is_staging_name (entry->d_name))
      g_ptr_array_add (names, g_strdup (entry->d_name));
  closedir (dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *display = g_build_filename (root, name, NULL);
      g_autoptr(GError) local_error = NULL;
      struct stat st;
      Owner owner;
      int fd;

      if (fstatat (root_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR (st.st_mode))
        continue;
      fd = open_staging (root_fd, name, display, &st, NULL);
      if (fd < 0)
        continue;
      owner = read_owner (fd, display);
      close (fd);
      if (owner != OWNER_GONE)
        continue;
      if (!remove_staging_at (root_fd, name, display, &st, cancellable, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return -1;
            }
          /* What is left is tried again the next time. */
          g_message ("Could not remove the stale new Wine prefix %s: %s", display,
                     local_error->message);
          continue;
        }
      removed++;
    }
  return removed;
}

int
sp_new_prefix_remove_stale (const char    *root,
                            GCancellable  *cancellable,
                            GError       **error)
{
  struct stat st;
  int root_fd;
  int removed;

  g_return_val_if_fail (root != NULL, -1);

  if (lstat (root, &st) != 0 && errno == ENOENT)
    return 0;
  root_fd = open_root (root, FALSE, error);
  if (root_fd < 0)
    return -1;
  removed = remove_stale_at (root_fd, root, cancellable, error);
  close (root_fd);
  return removed;
}

static gboolean
write_marker (int          staging_fd,
              const char  *display,
              GError     **error)
{
  g_autoptr(GKeyFile) marker = g_key_file_new ();
  g_autofree char *path = g_build_filename (display, SP_NEW_PREFIX_MARKER, NULL);
  g_autofree char *data = NULL;
  gsize length;
  gboolean ok;
  int fd;

  g_key_file_set_string (marker, SP_NEW_PREFIX_MARKER_GROUP, "Host", sp_host_name ());
  g_key_file_set_string (marker, SP_NEW_PREFIX_MARKER_GROUP, "BootId", sp_boot_id_short ());
  g_key_file_set_int64 (marker, SP_NEW_PREFIX_MARKER_GROUP, "Pid", getpid ());
  g_key_file_set_uint64 (marker, SP_NEW_PREFIX_MARKER_GROUP, "PidStart", sp_pid_start_time (getpid ()));
  data = g_key_file_to_data (marker, &length, NULL);

  fd = openat (staging_fd, SP_NEW_PREFIX_MARKER,
               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return sp_set_error_from_errno (error, errno, _("Could not write “%s”"), path);
  ok = sp_write_all (fd, data, length);
  if (!ok)
    sp_set_error_from_errno (error, errno, _("Could not write “%s”"), path);
  close (fd);
  return ok;
}

char *
sp_new_prefix_create (const char    *root,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *staging = NULL;
  g_autofree char *name = NULL;
  g_autofree char *prefix = NULL;
  struct stat st;
  gboolean ok;
  int root_fd;
  int fd;

  g_return_val_if_fail (root != NULL, NULL);

  root_fd = open_root (root, TRUE, error);
  if (root_fd < 0)
    return NULL;
  if (remove_stale_at (root_fd, root, cancellable, error) < 0)
    {
      close (root_fd);
      return NULL;
    }

  staging = g_build_filename (root, STAGING_PREFIX "XXXXXX", NULL);
  if (g_mkdtemp_full (staging, 0700) == NULL)
    {
      sp_set_error_from_errno (error, errno, _("Could not make a folder in “%s”"), root);
      close (root_fd);
      return NULL;
    }
  /* The folder made is the one in the root opened and checked above. */
  name = g_path_get_basename (staging);
  fd = open_staging (root_fd, name, staging, &st, error);
  if (fd < 0)
    {
      close (root_fd);
      return NULL;
    }
  prefix = g_build_filename (staging, SP_NEW_PREFIX_WINEPREFIX, NULL);
  ok = write_marker (fd, staging, error);
  if (ok && mkdirat (fd, SP_NEW_PREFIX_WINEPREFIX, 0755) != 0)
    ok = sp_set_error_from_errno (error, errno, _("Could not make the folder “%s”"), prefix);
  close (fd);
  if (!ok)
    {
      g_autoptr(GError) remove_error = NULL;

      if (!remove_staging_at (root_fd, name, staging, &st, NULL, &remove_error))
        g_message ("Could not remove %s: %s", staging, remove_error->message);
      close (root_fd);
      return NULL;
    }
  close (root_fd);
  return g_steal_pointer (&staging);
}

gboolean
sp_new_prefix_remove (const char    *staging,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *root = NULL;
  g_autofree char *name = NULL;
  struct stat st;
  gboolean ok;
  int root_fd;
  int fd;

  g_return_val_if_fail (staging != NULL, FALSE);

  root = g_path_get_dirname (staging);
  name = g_path_get_basename (staging);
  if (!is_staging_name (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("Not removing “%s”: it is not a folder for a new Wine prefix."), staging);
      return FALSE;
    }
  if (lstat (staging, &st) != 0 && errno == ENOENT)
    return TRUE;
  root_fd = open_root (root, FALSE, error);
  if (root_fd < 0)
    return FALSE;
  fd = open_staging (root_fd, name, staging, &st, error);
  if (fd < 0)
    {
      close (root_fd);
      return FALSE;
    }
  if (read_owner (fd, staging) != OWNER_SELF)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Not removing “%s”: this Savepoint did not make it."), staging);
      close (fd);
      close (root_fd);
      return FALSE;
    }
  close (fd);
  ok = remove_staging_at (root_fd, name, staging, &st, cancellable, error);
  close (root_fd);
  return ok;
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_autofree char *root = sp_new_prefix_get_root ();
  GError *error = NULL;
  char *staging = sp_new_prefix_create (root, cancellable, &error);

  if (staging == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, staging, g_free);
}

void
sp_new_prefix_create_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, sp_new_prefix_create_async);
  g_task_run_in_thread (task, create_thread);
}

char *
sp_new_prefix_create_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
remove_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (sp_new_prefix_remove (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_new_prefix_remove_async (const char          *staging,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (staging != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_new_prefix_remove_async);
  g_task_set_task_data (task, g_strdup (staging), g_free);
  g_task_run_in_thread (task, remove_thread);
}

gboolean
sp_new_prefix_remove_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
