/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No change of a game's timeline during its session (sp-game-guard.h). */
#include "config.h"

#include "sp-game-guard.h"

#include <glib/gi18n.h>

#include "sp-run.h"

SpLock *
sp_game_guard_acquire (SpLibrary  *library,
                       SpGame     *game,
                       GError    **error)
{
  const char *name = sp_game_get_name (game);
  g_autofree char *what = g_strdup_printf (_("The game “%s”"), name);
  g_autofree char *lock_path = sp_game_lock_path (game);
  g_autofree char *run_dir = NULL;
  g_autoptr(SpLock) lock = NULL;
  g_autoptr(GError) lock_error = NULL;
  g_autoptr(SpRun) run = NULL;

  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  lock = sp_lock_acquire (lock_path, what, &lock_error);
  if (lock == NULL)
    {
      if (g_error_matches (lock_error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY))
        g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
                     /* Translators: the first %s is a game's name, the second why the lock is busy */
                     _("“%s” is running: %s"), name, lock_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&lock_error));
      return NULL;
    }

  /* The run of a session that has ended but is not kept or discarded yet
   * (or of one that crashed) is in its folder on this computer. */
  run_dir = sp_run_dir_for (sp_library_get_id (library), sp_game_get_slug (game));
  if (run_dir == NULL || !g_file_test (run_dir, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&lock);
  run = sp_run_load (run_dir, NULL);
  if (run == NULL || sp_run_get_owner_alive (run))
    g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
                 _("“%s” is running: change its checkpoints once the game has ended and its "
                   "run is kept or discarded."), name);
  else
    g_set_error (error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY,
                 _("“%s” has a run that is not kept or discarded yet (%s); keeping it would "
                   "undo the change. Keep or discard it first (savepoint-cli recover)."),
                 name, run_dir);
  return NULL;
}
