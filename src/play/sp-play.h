/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Everything src/play offers, for the CLI and the UI: the library model of
 * src/core and the play machinery (sessions, runs, game locks). */
#include "core/sp-core.h"
#include "sp-game-guard.h"
#include "sp-lock.h"
#include "sp-mounts.h"
#include "sp-run.h"
#include "sp-run-logs.h"
#include "sp-run-trash.h"
#include "sp-session.h"
#include "sp-wine-repair.h"
#include "sp-wine-update.h"
