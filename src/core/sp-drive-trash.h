/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The drive's trash: <library>/trash/ (that is <drive>/Savepoint/trash/).
 * Retention moves a pruned checkpoint there by rename, so nothing is copied
 * off the drive. Each entry is a folder "<slug>.<id>" (".<n>" appended when
 * taken) holding:
 *
 *   savepoint-trash.ini   [Trash] Version=1, Game=<slug>, Checkpoint=<id>,
 *                         Trashed=<ISO 8601 UTC>: the marker, written first
 *   <id>.ini, <id>.tar.zst  the checkpoint's files, moved in by rename
 *
 * The marker is what proves an entry ours: listing and emptying skip
 * folders without a valid one, and emptying removes only the three files
 * the marker names, inside a real folder (no link, same file system as the
 * trash), then the empty folder; anything else put there is left alone. */

#define SP_DRIVE_TRASH_DIR             "trash"
#define SP_DRIVE_TRASH_MARKER          "savepoint-trash.ini"
/* The rules the trash is emptied by, unless set (sp_drive_trash_set_limits()):
 * entries older than this go, then the oldest while it holds more than
 * SP_DRIVE_TRASH_MAX_SIZE bytes. */
#define SP_DRIVE_TRASH_MAX_AGE_DAYS    14
#define SP_DRIVE_TRASH_MAX_SIZE        (G_GUINT64_CONSTANT (10) * 1000 * 1000 * 1000)

typedef struct
{
  char      *name;            /* the folder's name in trash/ */
  char      *path;
  char      *game;            /* the slug of the game it came from */
  char      *checkpoint_id;
  GDateTime *trashed;         /* UTC */
  guint64    size;            /* bytes of its files */
} SpDriveTrashEntry;

void        sp_drive_trash_entry_free     (SpDriveTrashEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpDriveTrashEntry, sp_drive_trash_entry_free)

/* <library_path>/trash */
char       *sp_drive_trash_get_path        (const char  *library_path);

/* Moves checkpoint @checkpoint_id of game @slug (its @ini_path, then its
 * @archive_path, which may be missing) into a new trash entry: the entry's
 * folder and marker first, the .ini second (the checkpoint is gone from the
 * timeline then: *@out_ini_moved is set), the archive last, under a
 * leftover marker in the checkpoints folder so that an archive left behind
 * by a crash is removed at the next start. Nothing is copied. */
gboolean    sp_drive_trash_move_checkpoint (const char  *library_path,
                                            const char  *slug,
                                            const char  *checkpoint_id,
                                            const char  *ini_path,
                                            const char  *archive_path,
                                            gboolean    *out_ini_moved,
                                            GError     **error);

/* The trash entries (of game @slug, or all when NULL) that carry a valid
 * marker, oldest first (Trashed, then name). A missing trash is empty. */
GPtrArray  *sp_drive_trash_list            (const char  *library_path,
                                            const char  *slug,
                                            GError     **error);

/* Removes one entry listed by sp_drive_trash_list(), checking its marker
 * again on the opened folder. */
gboolean    sp_drive_trash_remove          (const char         *library_path,
                                            SpDriveTrashEntry  *entry,
                                            GError            **error);

/* Empties by the rules: entries trashed more than @max_age_days before
 * @now (NULL: now) go, then the oldest while the trash holds more than
 * @max_size bytes. With @max_age_days 0 and @max_size 0 everything of
 * @slug (or all when NULL) goes. @out_removed (may be NULL) gets the
 * removed entries (SpDriveTrashEntry). An entry that cannot be removed is
 * skipped; the first such error is returned once the others are done. */
gboolean    sp_drive_trash_expire          (const char  *library_path,
                                            const char  *slug,
                                            GDateTime   *now,
                                            guint        max_age_days,
                                            guint64      max_size,
                                            GPtrArray  **out_removed,
                                            GError     **error);

/* sp_drive_trash_expire() of everything of @slug (or all when NULL), in a
 * worker thread; _finish returns how many entries went. */
void        sp_drive_trash_empty_async     (const char           *library_path,
                                            const char           *slug,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    sp_drive_trash_empty_finish    (GAsyncResult         *result,
                                            guint                *out_removed,
                                            GError              **error);

/* The limits a keep's and prune's emptying of the trash applies (the app's
 * trash-max-age-days and trash-max-size-gb settings, the same as for the
 * discarded runs: play/sp-run-trash.h); 0 restores a default. Any thread. */
void       sp_drive_trash_set_limits (guint    max_age_days,
                                      guint64  max_bytes);
void       sp_drive_trash_get_limits (guint   *out_max_age_days,
                                      guint64 *out_max_bytes);

G_END_DECLS
