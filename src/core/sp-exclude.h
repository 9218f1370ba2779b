/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-game.h"

G_BEGIN_DECLS

/* Exclusions: what a game's checkpoints leave out (game.ini Exclude=,
 * ";"-separated globs, and the built-in list for Wine prefixes unless
 * ExcludeDefaults=false). Matched by sp_archive_path_is_excluded() from the
 * game folder's root, case-insensitively for Wine games; a pattern without
 * "/" matches a name at any depth. Whiteouts are never left out. */

#define SP_EXCLUDE_MAX_PATTERNS 64

/* A pattern from the user or a drive: a relative path glob (the rules of
 * sp_game_path_is_valid(): no "..", not absolute, no control character,
 * bounded length) that names something besides wildcards ("*" alone would
 * leave out every save). @error says why not, without naming the key. */
gboolean            sp_exclude_pattern_is_valid (const char   *pattern,
                                                 GError      **error);

/* The built-in list for Wine prefixes: temporary folders, shader and
 * pipeline caches, crash dumps. NULL-terminated, static. */
const char * const *sp_exclude_wine_defaults    (void);

/* What the next keep of @game leaves out: its own patterns, then the
 * built-in ones when they apply. Transfer full, never NULL. */
GStrv               sp_game_get_effective_exclusions (SpGame *game);

G_END_DECLS
