/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No change of a game's timeline during its session (sp-game-guard.h). */
#include "config.h"

#include "sp-game-guard.h"

#include <glib/gi18n.h>

#include "sp-run.h"
#include "sp-run-trash.h"

SpLock *
sp_game_guard_acquire (SpLibrary  *library,
                       SpGame     *game,
                       GError    **error)
{
  g_autofree char *what = NULL;
  g_autofree char *lock_path = NULL;
  g_autoptr(GError) lock_error = NULL;
  SpLock *lock;

  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  /* The one rule (sp-run-trash.h): not while it is played, not while a
   * run of it waits to be kept or discarded. */
  if (!sp_run_check_head_change (sp_library_get_id (library), game, NULL, error))
    return NULL;

  /* Then hold the lock while the change is made, so that no session
   * starts in between. */
  what = g_strdup_printf (_("The game “%s”"), sp_game_get_name (game));
  lock_path = sp_game_lock_path (game);
  lock = sp_lock_acquire (lock_path, what, &lock_error);
  if (lock == NULL && g_error_matches (lock_error, SP_LOCK_ERROR, SP_LOCK_ERROR_BUSY))
    g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE,
                 _("“%s” is being played: the checkpoint it starts from cannot change until "
                   "the game has ended. %s"), sp_game_get_name (game), lock_error->message);
  else if (lock == NULL)
    g_propagate_error (error, g_steal_pointer (&lock_error));
  return lock;
}
