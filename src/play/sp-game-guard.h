/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-game.h"
#include "core/sp-library.h"
#include "sp-lock.h"

G_BEGIN_DECLS

/* For a change of a game's timeline made outside its session (restore):
 * a session moves Head when its run is kept, so a restore made while the
 * game runs, or while its run waits to be kept or discarded, would be
 * lost. Takes @game's lock (a session anywhere holds it while the game
 * runs) and checks that no run of @game is on this computer. Returns the
 * lock, to release once the change is made, or NULL with
 * SP_RUN_ERROR_IN_USE (being played), SP_RUN_ERROR_EXISTS (a run waits to be
 * kept or discarded: sp_run_check_head_change()) or the lock's error.
 * Blocking. */
SpLock *sp_game_guard_acquire (SpLibrary  *library,
                               SpGame     *game,
                               GError    **error);

G_END_DECLS
