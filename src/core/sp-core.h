/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Everything src/core offers: the library model (libraries, games,
 * checkpoints) and what it builds on. Sessions are in play/sp-play.h. */
#include "common/sp-util.h"
#include "archive/sp-archive.h"
#include "sp-slug.h"
#include "sp-game-path.h"
#include "sp-keyfile.h"
#include "sp-checkpoint.h"
#include "sp-game.h"
#include "sp-library.h"
#include "sp-leftovers.h"
#include "sp-wine-prefix.h"
#include "sp-retention.h"
#include "sp-drive-trash.h"
#include "sp-disk-usage.h"
