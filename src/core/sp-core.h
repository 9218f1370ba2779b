/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Everything src/core offers, for the CLI and the UI. */
#include "sp-util.h"
#include "sp-archive.h"
#include "sp-slug.h"
#include "sp-game-path.h"
#include "sp-keyfile.h"
#include "sp-checkpoint.h"
#include "sp-game.h"
#include "sp-library.h"
#include "sp-leftovers.h"
#include "sp-lock.h"
#include "sp-run.h"
#include "sp-session.h"
