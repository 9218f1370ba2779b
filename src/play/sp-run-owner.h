/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/sp-library.h"
#include "sp-run.h"

G_BEGIN_DECLS

/* Which library and game a run belongs to: its run.ini names the library's
 * Id (Library), where the library was (LibraryPath) and the game's slug
 * (Game). The app and savepoint-cli both ask here. */

/* The game among @games (SpGame: a library's games, or a snapshot of them)
 * that @run was played from: the run's Library is @library_id and its Game
 * the game's slug. Reads only what never changes in a game, so a worker
 * thread may call it on a snapshot. Transfer none; NULL when none is. */
SpGame *sp_run_owner_match (SpRun       *run,
                            const char  *library_id,
                            GPtrArray   *games);

/* The library and game of @run: @library (may be NULL) when it is the
 * run's, else the library at the run's LibraryPath, opened and checked to
 * be the run's. Returns a new reference to the game and one to its library
 * in @out_library. Fails with SP_RUN_ERROR_NOT_FOUND (or the error of
 * opening the library) with a message that says what to do. Blocking. */
SpGame *sp_run_owner_find  (SpRun       *run,
                            SpLibrary   *library,
                            SpLibrary  **out_library,
                            GError     **error);

G_END_DECLS
