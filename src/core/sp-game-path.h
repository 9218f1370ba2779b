/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Paths that game.ini names inside the game (Executable, WorkingDirectory,
 * Home, Icon, and any later path key) come from a drive, which is untrusted
 * (design.md, "Trust"). This is the lexical half of the rule: the path is
 * relative, has no ".." component (also between backslashes, as Wine reads
 * them), no empty component except one trailing "/", no control character,
 * and is at most SP_GAME_PATH_MAX_LENGTH bytes of UTF-8. The other half —
 * that it resolves beneath the mount without a symbolic link leading out —
 * is checked by savepoint-run with openat2(RESOLVE_BENEATH) where the
 * mount is visible.
 *
 * @path must be set (not NULL, not ""): callers treat an empty value as
 * unset. On failure @error (SP_LIBRARY_ERROR_INVALID) says what is wrong
 * with @path, without naming the key or file: callers add those. */

#define SP_GAME_PATH_MAX_LENGTH 4000

gboolean  sp_game_path_is_valid  (const char  *path,
                                  GError     **error);

/* Opens the regular file @rel (sp_game_path_is_valid()) beneath the folder
 * @root with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) and returns
 * its fd (read-only, close-on-exec), its size in @size; -1 with @error when
 * it is missing, leads out, is not a regular file or is over @max_size. */
int       sp_game_path_open_beneath        (const char          *root,
                                            const char          *rel,
                                            gsize                max_size,
                                            guint64             *size,
                                            GError             **error);

/* Reads the regular file @rel (sp_game_path_is_valid()) beneath the folder
 * @root — e.g. a game's Icon beneath its base — opened with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so no link leads out,
 * and at most @max_size bytes. In a worker thread. */
void      sp_game_path_read_beneath_async  (const char          *root,
                                            const char          *rel,
                                            gsize                max_size,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GBytes   *sp_game_path_read_beneath_finish (GAsyncResult        *result,
                                            GError             **error);
/* The same, synchronously. */
GBytes   *sp_game_path_read_beneath_sync        (const char          *root,
                                            const char          *rel,
                                            gsize                max_size,
                                            GError             **error);

G_END_DECLS
