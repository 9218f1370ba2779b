/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-game.h"

G_BEGIN_DECLS

/* The icon of a Windows executable (a PE file), read in-process: no
 * icoutils, so it works inside the Flatpak too. The file comes from a
 * drive and is untrusted: every offset and size is checked against the
 * file, the resource tree is walked to a fixed depth with loops refused
 * and counts capped, and the file is read with pread(), never mapped.
 *
 * The best image of the first icon group (RT_GROUP_ICON, or every RT_ICON
 * when there is no group) is chosen: the largest, a PNG before a BMP of
 * the same size, then the most colours. A PNG is returned as it is
 * (extension "png"); a BMP as a .ico file with one image ("ico"). Both
 * load with GdkPixbuf/GdkTexture. */

#define SP_PE_ICON_MAX_FILE_SIZE  (512 * 1024 * 1024)   /* bytes of a PE file */
#define SP_PE_ICON_MAX_IMAGE_SIZE (16 * 1024 * 1024)    /* bytes of one icon image */

/* The PE file @data (e.g. for a fuzzer). @display names it in errors. */
GBytes   *sp_pe_icon_extract_from_bytes (GBytes       *data,
                                         const char   *display,
                                         const char  **extension,
                                         GError      **error);
/* The PE file open at @fd (a regular file of at most
 * SP_PE_ICON_MAX_FILE_SIZE bytes). */
GBytes   *sp_pe_icon_extract_from_fd    (int           fd,
                                         const char   *display,
                                         const char  **extension,
                                         GError      **error);
/* The PE file @rel beneath the folder @root (sp_game_path_open_beneath();
 * "\" separators are read as "/", as Wine does). */
GBytes   *sp_pe_icon_extract_beneath    (const char   *root,
                                         const char   *rel,
                                         const char  **extension,
                                         GError      **error);

/* The extracted icon of a game lives next to its game.ini, never in base/
 * (the clean install): "icon.png" or "icon.ico". It is shown when the
 * game has no Icon=. */
#define SP_PE_ICON_SAVED_PNG "icon.png"
#define SP_PE_ICON_SAVED_ICO "icon.ico"

/* When @info is a Wine game without an icon, extracts the icon of its
 * Executable beneath @base and writes it atomically into @game_dir.
 * Returns TRUE with nothing written when there is nothing to do; FALSE
 * with @error when the executable has no usable icon or it could not be
 * written. Blocking: in a worker thread. */
gboolean  sp_pe_icon_save_for_game      (const SpGameInfo  *info,
                                         const char        *game_dir,
                                         const char        *base,
                                         GError           **error);

/* Reads the saved icon of the game folder @game_dir (icon.png, else
 * icon.ico), beneath that folder, in a worker thread. */
void      sp_pe_icon_read_saved_async   (const char          *game_dir,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GBytes   *sp_pe_icon_read_saved_finish  (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
