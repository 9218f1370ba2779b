/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Removing a game from its library (sp-game-remove.h). */
#include "config.h"

#include "sp-game-remove.h"

#include <glib/gstdio.h>

#include "sp-game-guard.h"
#include "core/sp-drive-trash.h"
#include "core/sp-library-remove.h"

char *
sp_game_remove (SpLibrary  *library,
                SpGame     *game,
                gboolean    delete_files,
                GError    **error)
{
  g_autoptr(SpGame) keep = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *entry = NULL;
  SpLock *lock;

  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  keep = g_object_ref (game);
  if (!sp_library_check_game_folder (library, game, error))
    return NULL;
  /* The lock file is in the game's folder: held while the folder goes, so
   * that no session starts meanwhile. */
  lock = sp_game_guard_acquire (library, game, error);
  if (lock == NULL)
    return NULL;
  lock_path = g_strdup (sp_lock_get_path (lock));

  entry = sp_library_trash_game (library, game, error);
  if (entry == NULL)
    {
      sp_lock_release (lock);
      return NULL;
    }
  /* The lock moved with the folder: remove it there, or the game would be
   * "running" once restored. */
  {
    g_autofree char *trash = sp_drive_trash_get_path (sp_library_get_path (library));
    g_autofree char *base = g_path_get_basename (lock_path);
    g_autofree char *moved = g_build_filename (trash, entry, SP_REMOVED_GAME_DIR, base, NULL);

    g_unlink (moved);
  }
  sp_lock_release (lock);
  if (delete_files)
    {
      /* Gone from the library at once; the slow part is by descriptor,
       * below the marker just written. */
      sp_library_delete_removed_game (sp_library_get_path (library), entry, NULL, error);
      return NULL;
    }
  return g_steal_pointer (&entry);
}
