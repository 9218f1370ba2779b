/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-disk-usage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sp-drive-trash.h"
#include "common/sp-util.h"

#define MSDOS_MAGIC 0x4d44
#define FUSE_MAGIC  0x65735546

typedef struct
{
  GHashTable   *seen;       /* "dev:ino" of files with several links */
  guint64       bytes;
  dev_t         dev;
  GCancellable *cancellable;
} Walk;

/* Takes @fd. */
static gboolean
walk_dir (Walk        *walk,
          int          fd,
          const char  *display,
          guint        depth,
          GError     **error)
{
  DIR *dir;
  struct dirent *de;

  if (depth > 256)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("“%s” is nested too deeply to be measured."), display);
      return FALSE;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int saved = errno;

      close (fd);
      return sp_set_error_from_errno (error, saved, _("Cannot read “%s”"), display);
    }
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (walk->cancellable, error))
        {
          closedir (dir);
          return FALSE;
        }
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;   /* gone meanwhile */
      if (S_ISREG (st.st_mode))
        {
          if (st.st_nlink > 1)
            {
              char *key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);

              if (!g_hash_table_add (walk->seen, key))
                continue;
            }
          walk->bytes += (guint64) st.st_size;
        }
      else if (S_ISDIR (st.st_mode) && st.st_dev == walk->dev)
        {
          g_autofree char *child_display = g_build_filename (display, de->d_name, NULL);
          int child = openat (dirfd (dir), de->d_name,
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          if (child < 0)
            {
              int saved = errno;

              closedir (dir);
              return sp_set_error_from_errno (error, saved, _("Cannot read “%s”"), child_display);
            }
          if (!walk_dir (walk, child, child_display, depth + 1, error))
            {
              closedir (dir);
              return FALSE;
            }
        }
    }
  closedir (dir);
  return TRUE;
}

gboolean
sp_disk_usage_tree_size (const char    *path,
                         guint64       *out_bytes,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Walk walk = { seen, 0, 0, cancellable };
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_bytes != NULL, FALSE);

  *out_bytes = 0;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), path);
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      return sp_set_error_from_errno (error, saved, _("Cannot read “%s”"), path);
    }
  walk.dev = st.st_dev;
  if (!walk_dir (&walk, fd, path, 0, error))
    return FALSE;
  *out_bytes = walk.bytes;
  return TRUE;
}

/* What the measuring needs, copied on the calling thread. */
typedef struct
{
  char        *base;
  char        *checkpoints;
  char        *library;
  char        *slug;
  guint        n_checkpoints;
  SpGameUsage  usage;
  guint64      free_bytes;
  guint64      total;
} Measure;

static void
measure_free (Measure *m)
{
  g_free (m->base);
  g_free (m->checkpoints);
  g_free (m->library);
  g_free (m->slug);
  g_free (m);
}

static Measure *
measure_new (SpGame *game)
{
  Measure *m = g_new0 (Measure, 1);
  g_autofree char *games = g_path_get_dirname (sp_game_get_path (game));

  m->base = g_strdup (sp_game_get_base_path (game));
  m->checkpoints = g_strdup (sp_game_get_checkpoints_path (game));
  m->library = g_path_get_dirname (games);
  m->slug = g_strdup (sp_game_get_slug (game));
  m->n_checkpoints = g_list_model_get_n_items (sp_game_get_checkpoints (game));
  return m;
}

static gboolean
measure_run (Measure       *m,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) trash = NULL;

  if (!sp_disk_usage_tree_size (m->base, &m->usage.base_bytes, cancellable, error) ||
      !sp_disk_usage_tree_size (m->checkpoints, &m->usage.checkpoint_bytes, cancellable, error))
    return FALSE;
  m->usage.checkpoints = m->n_checkpoints;
  trash = sp_drive_trash_list (m->library, m->slug, error);
  if (trash == NULL)
    return FALSE;
  for (guint i = 0; i < trash->len; i++)
    m->usage.trash_bytes += ((SpDriveTrashEntry *) g_ptr_array_index (trash, i))->size;
  m->usage.trash_entries = trash->len;
  return sp_disk_usage_drive_space (m->library, &m->free_bytes, &m->total, error);
}

static void
measure_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  if (!measure_run (task_data, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_disk_usage_measure_game_async (SpGame              *game,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SP_IS_GAME (game));

  task = g_task_new (game, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_disk_usage_measure_game_async);
  g_task_set_task_data (task, measure_new (game), (GDestroyNotify) measure_free);
  g_task_run_in_thread (task, measure_thread);
}

gboolean
sp_disk_usage_measure_game_finish (SpGame        *game,
                                   GAsyncResult  *result,
                                   SpGameUsage   *out_usage,
                                   guint64       *out_free,
                                   guint64       *out_total,
                                   GError       **error)
{
  Measure *m;

  g_return_val_if_fail (g_task_is_valid (result, game), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  m = g_task_get_task_data (G_TASK (result));
  if (out_usage != NULL)
    *out_usage = m->usage;
  if (out_free != NULL)
    *out_free = m->free_bytes;
  if (out_total != NULL)
    *out_total = m->total;
  return TRUE;
}

gboolean
sp_disk_usage_measure_game (SpGame        *game,
                            SpGameUsage   *out_usage,
                            GCancellable  *cancellable,
                            GError       **error)
{
  Measure *m;
  gboolean ok;

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);
  g_return_val_if_fail (out_usage != NULL, FALSE);

  m = measure_new (game);
  ok = measure_run (m, cancellable, error);
  if (ok)
    *out_usage = m->usage;
  measure_free (m);
  return ok;
}

gboolean
sp_disk_usage_drive_space (const char  *path,
                           guint64     *out_free,
                           guint64     *out_total,
                           GError     **error)
{
  struct statvfs sv;

  g_return_val_if_fail (path != NULL, FALSE);

  if (statvfs (path, &sv) != 0)
    return sp_set_error_from_errno (error, errno, _("Cannot check the free space of “%s”"), path);
  if (out_free != NULL)
    *out_free = (guint64) sv.f_bavail * (guint64) sv.f_frsize;
  if (out_total != NULL)
    *out_total = (guint64) sv.f_blocks * (guint64) sv.f_frsize;
  return TRUE;
}

/* The file system type /proc/self/mountinfo gives the mount of device
 * @dev ("fuse.fusefat", "vfat", …), or NULL. */
static char *
mount_type_of (dev_t dev)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *wanted = g_strdup_printf ("%u:%u", major (dev), minor (dev));
  char *found = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && found == NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (fields);

      if (n < 3 || !g_str_equal (fields[2], wanted))
        continue;
      /* ID PARENT DEV ROOT MOUNT OPTIONS [OPTIONAL…] - TYPE SOURCE SUPER */
      for (guint j = 6; j + 1 < n; j++)
        if (g_str_equal (fields[j], "-"))
          {
            found = g_strdup (fields[j + 1]);
            break;
          }
    }
  return found;
}

gboolean
sp_disk_usage_is_fat (const char *path)
{
  struct statfs sf;
  struct stat st;
  g_autofree char *type = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (statfs (path, &sf) != 0)
    return FALSE;
  if (sf.f_type == MSDOS_MAGIC)
    return TRUE;
  if (sf.f_type != FUSE_MAGIC || stat (path, &st) != 0)
    return FALSE;
  type = mount_type_of (st.st_dev);
  return type != NULL && (g_str_equal (type, "fuse.fusefat") || g_str_equal (type, "fuse.vfat") ||
                          g_str_equal (type, "fuseblk.fusefat") || g_str_equal (type, "vfat"));
}

const char *
sp_disk_usage_unsafe_driver (const char *path)
{
  struct statfs sf;
  struct stat st;
  g_autofree char *type = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (statfs (path, &sf) != 0 || sf.f_type != FUSE_MAGIC || stat (path, &st) != 0)
    return NULL;
  type = mount_type_of (st.st_dev);
  if (type != NULL && (g_str_equal (type, "fuse.fusefat") || g_str_equal (type, "fuseblk.fusefat")))
    return _("The drive is mounted with fusefat, which loses the files inside a folder when "
             "the folder is renamed. Mount it with the kernel’s vfat driver instead (as the "
             "desktop does when you plug it in).");
  return NULL;
}

gboolean
sp_disk_usage_check_write (const char  *dir,
                           guint64      bytes,
                           GError     **error)
{
  guint64 free_bytes = 0;
  guint64 total = 0;
  guint64 margin;

  g_return_val_if_fail (dir != NULL, FALSE);

  if (!sp_disk_usage_drive_space (dir, &free_bytes, &total, error))
    return FALSE;

  if (bytes > SP_DISK_FAT32_MAX_FILE && sp_disk_usage_is_fat (dir))
    {
      g_autofree char *size = g_format_size (bytes);

      g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                   _("The run holds %s of changes; its checkpoint could be larger than 4 GiB, "
                     "the largest file the FAT32 drive of “%s” can hold. Nothing was written: "
                     "the run is still there. Move the library to an exFAT or ext4 drive, or "
                     "discard the run."), size, dir);
      return FALSE;
    }

  /* Some FUSE file systems (fusefat) report no blocks at all: their free
   * space is unknown, not zero. */
  if (total == 0)
    return TRUE;
  margin = MIN (SP_DISK_MARGIN_MAX, total / 100 * SP_DISK_MARGIN_PERCENT);
  if (free_bytes < margin || free_bytes - margin < bytes)
    {
      g_autofree char *size = g_format_size (bytes);
      g_autofree char *free_text = g_format_size (free_bytes);
      g_autofree char *margin_text = g_format_size (margin);

      g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                   _("The run holds %s of changes and the drive of “%s” has %s free: keeping "
                     "it could leave less than %s free. Nothing was written: the run is still "
                     "there. Free some space (“savepoint-cli du”, “savepoint-cli prune”) and "
                     "keep it again."), size, dir, free_text, margin_text);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_disk_usage_check_keep (SpGame      *game,
                          const char  *upper_path,
                          GError     **error)
{
  guint64 upper = 0;

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);
  g_return_val_if_fail (upper_path != NULL, FALSE);

  if (!sp_disk_usage_tree_size (upper_path, &upper, NULL, error))
    return FALSE;
  return sp_disk_usage_check_write (sp_game_get_path (game), upper, error);
}
