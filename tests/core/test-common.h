/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Moved to tests/common (libsptestcommon_dep); kept for files that still include this path. */
#pragma once
#include "sp-test-common.h"
#include "play/sp-play.h"
