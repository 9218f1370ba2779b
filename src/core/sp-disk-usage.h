/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-game.h"

G_BEGIN_DECLS

/* How much of a drive a game takes, and whether a keep fits. Sizes are
 * the bytes of regular files (each hard-linked file once), as `du -b`
 * counts them; links are not followed and no other file system is
 * entered. */

/* The free space a keep must leave: 5 % of the drive, at most 1 GiB. */
#define SP_DISK_MARGIN_MAX    (G_GUINT64_CONSTANT (1) << 30)
#define SP_DISK_MARGIN_PERCENT 5
/* The largest file FAT32 can hold. */
#define SP_DISK_FAT32_MAX_FILE (G_GUINT64_CONSTANT (4294967295))

typedef struct
{
  guint64 base_bytes;         /* the clean install */
  guint64 checkpoint_bytes;   /* checkpoints/: archives and their .ini */
  guint   checkpoints;        /* checkpoints in the timeline */
  guint64 trash_bytes;        /* the game's entries in the drive's trash */
  guint   trash_entries;
} SpGameUsage;

/* The bytes of regular files under @path (a missing @path is 0). */
gboolean  sp_disk_usage_tree_size    (const char    *path,
                                      guint64       *out_bytes,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* Measures @game (blocking: walks its base/). */
gboolean  sp_disk_usage_measure_game (SpGame        *game,
                                      SpGameUsage   *out_usage,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* The same in a worker thread, with the drive's free and total space
 * (sp_disk_usage_drive_space()) too. */
void      sp_disk_usage_measure_game_async  (SpGame              *game,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean  sp_disk_usage_measure_game_finish (SpGame              *game,
                                             GAsyncResult        *result,
                                             SpGameUsage         *out_usage,
                                             guint64             *out_free,
                                             guint64             *out_total,
                                             GError             **error);

/* The free (for unprivileged users) and total bytes of the file system of
 * @path (statvfs). */
gboolean  sp_disk_usage_drive_space  (const char    *path,
                                      guint64       *out_free,
                                      guint64       *out_total,
                                      GError       **error);
/* TRUE when @path lies on a FAT32 (vfat/msdos) file system, also one
 * mounted through FUSE (its type in /proc/self/mountinfo). */
gboolean  sp_disk_usage_is_fat       (const char    *path);
/* NULL, or why the driver @path is mounted with cannot hold a library: a
 * sentence for messages. fusefat (FUSE) loses the files of a folder that
 * is renamed, and a library renames folders (adding a game, the trash). */
const char *sp_disk_usage_unsafe_driver (const char  *path);

/* Fails with SP_IO_ERROR_NO_SPACE (saying nothing was written) when
 * writing @bytes into @dir could leave less than the margin free, or
 * could be a file over 4 GiB on FAT32. A file system that reports no
 * blocks at all (fusefat) is not refused for its free space. */
gboolean  sp_disk_usage_check_write  (const char    *dir,
                                      guint64        bytes,
                                      GError       **error);
/* Before a keep writes anything: sp_disk_usage_check_write() for the
 * size of @upper_path (the most its archive can take: zstd does not grow
 * data by more than a few bytes per block) on @game's drive. */
gboolean  sp_disk_usage_check_keep   (SpGame        *game,
                                      const char    *upper_path,
                                      GError       **error);

G_END_DECLS
