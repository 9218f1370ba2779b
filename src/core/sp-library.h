/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "archive/sp-archive.h"
#include "sp-library-error.h"
#include "sp-game.h"

G_BEGIN_DECLS

/* The library on a drive: <drive>/Savepoint/ with library.ini and games/,
 * see design.md ("The library on a drive").
 *
 * Threading: an SpLibrary, its games and their checkpoints belong to the
 * thread (main context) that opened it. The _async calls do their long work
 * in a GTask thread and update the list models back in the caller's
 * thread-default main context; the _sync calls do everything in the calling
 * thread (the CLI, tests). */

/* The library.ini Version this code understands. */
#define SP_LIBRARY_VERSION 1

/* How sp_library_add_game_*() brings the clean install in. */
typedef enum
{
  SP_ADD_MODE_COPY,   /* copy the folder into games/<slug>/base/ (source untouched) */
  SP_ADD_MODE_ADOPT,  /* move the folder (already on the library's drive, same
                         file system) to games/<slug>/base/ by renaming it */
} SpAddMode;

/* Copy progress of sp_library_add_game_*(). Totals are known before the copy
 * starts (a stat walk of the source). For the _sync variant it is called in
 * the calling thread; for the _async variant in the caller's main context
 * (coalesced: intermediate values may be skipped, the last one is always
 * delivered before the result; the progress rule of every class, see
 * sp-task-private.h). Calling g_cancellable_cancel() from it is allowed. */
typedef void (*SpCopyProgressFunc) (guint64  bytes_done,
                                    guint64  bytes_total,
                                    guint64  files_done,
                                    guint64  files_total,
                                    gpointer user_data);

#define SP_TYPE_LIBRARY (sp_library_get_type ())

G_DECLARE_FINAL_TYPE (SpLibrary, sp_library, SP, LIBRARY, GObject)

/* Creates <drive_dir>/Savepoint/ with games/ and library.ini (Version=1, a
 * new random Id, Name=@name; library.ini is written last and atomically).
 * @drive_dir must exist. Fails with SP_LIBRARY_ERROR_EXISTS when a
 * library.ini is already there. */
SpLibrary   *sp_library_create_sync        (const char   *drive_dir,
                                       const char   *name,
                                       GError      **error);
/* The same with the folders and library.ini written in a worker thread;
 * the library object is made in the caller's main context. Once the worker
 * has started, the library is created even if @cancellable fires. */
void         sp_library_create_async  (const char          *drive_dir,
                                       const char          *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
SpLibrary   *sp_library_create_finish (GAsyncResult        *result,
                                       GError             **error);

/* Opens the library at @path: either the Savepoint folder itself or the
 * folder (drive) containing "Savepoint/". A library.ini with a Version newer
 * than SP_LIBRARY_VERSION opens read-only (see :read-only and
 * sp_library_get_warning()); a malformed one, one whose Id is not a UUID, and
 * a library.ini that is a link, a FIFO or another non-regular file fail with
 * SP_LIBRARY_ERROR_MALFORMED naming the file (and line). Games whose game.ini
 * cannot be read, and entries of games/ that are links, special files or
 * folders not named like a slug, are left out of the list and reported by
 * sp_library_get_problems(). */
SpLibrary   *sp_library_open          (const char   *path,
                                       GError      **error);

/* Re-reads library.ini, the games and their checkpoints from the drive. */
gboolean     sp_library_reload        (SpLibrary    *self,
                                       GError      **error);

/* The Savepoint folder (…/Savepoint). */
const char  *sp_library_get_path      (SpLibrary    *self);
/* The games folder (…/Savepoint/games). */
const char  *sp_library_get_games_path (SpLibrary   *self);
const char  *sp_library_get_id        (SpLibrary    *self);
const char  *sp_library_get_name      (SpLibrary    *self);
guint        sp_library_get_version   (SpLibrary    *self);
gboolean     sp_library_get_read_only (SpLibrary    *self);
/* A sentence for the user when the library opened read-only, else NULL. */
const char  *sp_library_get_warning   (SpLibrary    *self);
/* Messages ("path:line: …") about games or checkpoints that were skipped
 * while loading; NULL-terminated, never NULL. */
const char * const *sp_library_get_problems (SpLibrary *self);

/* Renames the library (rewrites library.ini, keeping unknown keys). */
gboolean     sp_library_set_name      (SpLibrary    *self,
                                       const char   *name,
                                       GError      **error);

/* A GListModel of SpGame, sorted by name (then slug). */
GListModel  *sp_library_get_games     (SpLibrary    *self);

/* Finds a game by slug, else by name (case-insensitive). Transfer none. */
SpGame      *sp_library_find_game     (SpLibrary    *self,
                                       const char   *slug_or_name);

/* The slug a new game called @name would get now (unique in games/). */
char        *sp_library_suggest_slug  (SpLibrary    *self,
                                       const char   *name);

/* Adds a game. @info is copied (the caller may free it once the call
 * returns). @info->name must be non-empty and @info->executable set.
 * COPY: @source_dir is copied into games/.<slug>.partial-XXXXXX/base/ keeping
 * modes, mtimes, symlinks, hard links and user.* xattrs; game.ini is written
 * last and the whole folder is renamed to games/<slug>/. On error or
 * cancellation the temporary folder is removed and nothing is added.
 * ADOPT: @source_dir must be on the same file system as the library; it is
 * renamed (not copied) into place, and moved back if a later step fails.
 * Returns the new game (also inserted into sp_library_get_games()). */
SpGame      *sp_library_add_game_sync   (SpLibrary           *self,
                                         const SpGameInfo    *info,
                                         const char          *source_dir,
                                         SpAddMode            mode,
                                         SpCopyProgressFunc   progress,
                                         gpointer             progress_data,
                                         GCancellable        *cancellable,
                                         GError             **error);
void         sp_library_add_game_async  (SpLibrary           *self,
                                         const SpGameInfo    *info,
                                         const char          *source_dir,
                                         SpAddMode            mode,
                                         SpCopyProgressFunc   progress,
                                         gpointer             progress_data,
                                         GDestroyNotify       progress_data_destroy,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* Transfer full. */
SpGame      *sp_library_add_game_finish (SpLibrary           *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* Removes games/<slug>/ (base and all checkpoints) from the drive. The
 * game.ini is removed first so a crash midway leaves no half game listed. */
gboolean     sp_library_remove_game (SpLibrary    *self,
                                          SpGame       *game,
                                          GCancellable *cancellable,
                                          GError      **error);

/* The library-level findings of verify (SpVerifyProblem, see sp-game.h):
 * library.ini that does not parse, game folders whose game.ini does not
 * load, and leftovers in games/ no live process owns. In
 * sp-game-checkpoints.c. */
GPtrArray   *sp_library_verify   (SpLibrary    *self,
                                       GCancellable *cancellable,
                                       GError      **error);

G_END_DECLS
