/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Moved to tests/common: include "sp-test-common.h" and link libsptestcommon_dep. */
#pragma once
#include "../common/sp-test-common.h"
#include "play/sp-play.h"
