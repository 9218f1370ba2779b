/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-lock.h"

#include "common/sp-process.h"
#include "common/sp-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (sp-lock-error-quark, sp_lock_error)

struct _SpLock
{
  char *path;
  char *contents;
};

/* The contents of the locks this process holds: a lock file naming our own
 * pid that is not among them was left behind (e.g. on a drive that was
 * pulled and plugged in again while we ran). */
static GMutex held_mutex;
static GHashTable *held;

static void
held_add (const char *contents)
{
  g_mutex_lock (&held_mutex);
  if (held == NULL)
    held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (held, g_strdup (contents));
  g_mutex_unlock (&held_mutex);
}

static void
held_remove (const char *contents)
{
  g_mutex_lock (&held_mutex);
  if (held)
    g_hash_table_remove (held, contents);
  if (held && g_hash_table_size (held) == 0)
    g_clear_pointer (&held, g_hash_table_unref);
  g_mutex_unlock (&held_mutex);
}

static gboolean
held_contains (const char *contents)
{
  gboolean found;

  g_mutex_lock (&held_mutex);
  found = held != NULL && g_hash_table_contains (held, contents);
  g_mutex_unlock (&held_mutex);
  return found;
}

/* A lock file that is still empty (its writer died between create and
 * write) is considered stale after this many seconds. */
#define EMPTY_LOCK_GRACE 10

static char *
lock_contents (void)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  g_autofree char *token = g_uuid_string_random ();

  g_key_file_set_string (kf, "Lock", "Host", sp_host_name ());
  g_key_file_set_int64 (kf, "Lock", "Pid", getpid ());
  g_key_file_set_uint64 (kf, "Lock", "PidStart", sp_pid_start_time (getpid ()));
  g_key_file_set_string (kf, "Lock", "BootId", sp_boot_id ());
  g_key_file_set_string (kf, "Lock", "Since", started);
  g_key_file_set_string (kf, "Lock", "Token", token);
  return g_key_file_to_data (kf, NULL, NULL);
}

/* Returns TRUE if the lock described by @contents is stale. Otherwise sets
 * @error to a BUSY error naming its holder. */
static gboolean
lock_is_stale (const char  *path,
               const char  *what,
               const char  *contents,
               GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *host = NULL;
  g_autofree char *holder_boot = NULL;
  g_autofree char *since = NULL;
  gint64 pid;
  guint64 start;

  if (contents[0] == '\0')
    {
      GStatBuf st;

      if (g_stat (path, &st) == 0 && g_get_real_time () / G_USEC_PER_SEC - st.st_mtime < EMPTY_LOCK_GRACE)
        {
          g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
                       _("%s is being started by another program (lock “%s”). Try again in a moment."),
                       what, path);
          return FALSE;
        }
      return TRUE;
    }

  if (!g_key_file_load_from_data (kf, contents, -1, G_KEY_FILE_NONE, NULL))
    return TRUE;   /* garbage: nobody can be holding it meaningfully */

  host = g_key_file_get_string (kf, "Lock", "Host", NULL);
  holder_boot = g_key_file_get_string (kf, "Lock", "BootId", NULL);
  since = g_key_file_get_string (kf, "Lock", "Since", NULL);
  pid = g_key_file_get_int64 (kf, "Lock", "Pid", NULL);
  start = g_key_file_get_uint64 (kf, "Lock", "PidStart", NULL);

  if (host == NULL || g_strcmp0 (host, sp_host_name ()) != 0)
    {
      g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
                   _("%s is in use on the computer “%s” (process %" PRId64 ", since %s). "
                     "If that computer is no longer using this drive, remove the lock file “%s”."),
                   what, host ? host : "?", pid, since ? since : "?", path);
      return FALSE;
    }

  if (holder_boot != NULL && holder_boot[0] != '\0' && g_strcmp0 (holder_boot, sp_boot_id ()) != 0)
    return TRUE;   /* left from before a reboot */

  if (pid == getpid () && !held_contains (contents))
    return TRUE;

  if (sp_pid_is_alive (pid, start))
    {
      g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
                   _("%s is already being played (process %" PRId64 " on this computer, since %s). "
                     "Finish or stop that session first."),
                   what, pid, since ? since : "?");
      return FALSE;
    }

  return TRUE;
}

/* A lock file is a few hundred bytes. */
#define LOCK_MAX_SIZE (64 * 1024)

/* Reads the lock file @path without following a symlink or opening a FIFO
 * or a device: the lock is on the drive, and a crafted one must not hang
 * or fill the memory of whoever plays its game. */
static gboolean
read_lock (const char  *path,
           char       **out_contents,
           GError     **error)
{
  gsize len;

  return sp_read_regular_file_at (AT_FDCWD, path, NULL, LOCK_MAX_SIZE, out_contents, &len, error);
}

SpLock *
sp_lock_acquire (const char  *path,
                 const char  *what,
                 GError     **error)
{
  g_autofree char *contents = lock_contents ();
  guint attempt;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (what != NULL, NULL);

  for (attempt = 0; attempt < 3; attempt++)
    {
      g_autofree char *old = NULL;
      g_autoptr(GError) local_error = NULL;
      int fd;

      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0)
        {
          SpLock *lock;

          if (!sp_write_all (fd, contents, strlen (contents)) || fsync (fd) != 0)
            {
              int saved = errno;

              close (fd);
              g_unlink (path);
              g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_FAILED,
                           _("Could not write the lock “%s”: %s"), path, g_strerror (saved));
              return NULL;
            }
          close (fd);

          lock = g_new0 (SpLock, 1);
          lock->path = g_strdup (path);
          lock->contents = g_steal_pointer (&contents);
          held_add (lock->contents);
          return lock;
        }

      if (errno != EEXIST)
        {
          int saved = errno;

          g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_FAILED,
                       _("Could not create the lock “%s”: %s. Check that the drive is connected and writable."),
                       path, g_strerror (saved));
          return NULL;
        }

      if (!read_lock (path, &old, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            continue;   /* released meanwhile */
          g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_FAILED,
                       _("Could not read the lock “%s”: %s"), path, local_error->message);
          return NULL;
        }

      if (!lock_is_stale (path, what, old, error))
        return NULL;

      /* Take over: remove the stale file only if it still is the one we read. */
      {
        g_autofree char *again = NULL;

        if (read_lock (path, &again, NULL) && g_strcmp0 (again, old) == 0)
          {
            g_debug ("Taking over the stale lock %s", path);
            g_unlink (path);
          }
      }
    }

  g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
               _("%s is being locked by another program at the same time (lock “%s”). Try again."),
               what, path);
  return NULL;
}

const char *
sp_lock_get_path (SpLock *lock)
{
  g_return_val_if_fail (lock != NULL, NULL);
  return lock->path;
}

void
sp_lock_release (SpLock *lock)
{
  g_autofree char *current = NULL;

  if (lock == NULL)
    return;

  /* Only remove it if it is still ours (a drive swapped meanwhile, or
   * someone removed it by hand and another program took it). */
  if (read_lock (lock->path, &current, NULL) &&
      g_strcmp0 (current, lock->contents) == 0)
    g_unlink (lock->path);

  held_remove (lock->contents);
  g_free (lock->path);
  g_free (lock->contents);
  g_free (lock);
}
