/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-game.h"
#include "core/sp-library.h"

G_BEGIN_DECLS

/* Removes @game from @library, refused (SP_LOCK_ERROR_BUSY) while the game
 * is played anywhere or has a run on this computer that is not kept or
 * discarded (sp_game_guard_acquire()), and when its folder is a link.
 * Its folder is moved into the drive's trash (sp_library_trash_game()) and
 * the trash entry's name is returned, for sp_library_restore_game(); with
 * @delete_files it is then deleted from there
 * (sp_library_delete_removed_game()) and NULL is returned. Check @error, not the result,
 * for failure. Blocking. */
char *sp_game_remove (SpLibrary  *library,
                      SpGame     *game,
                      gboolean    delete_files,
                      GError    **error);

G_END_DECLS
