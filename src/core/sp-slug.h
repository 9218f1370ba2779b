/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Folder names for games, derived from their names: ASCII transliteration,
 * lower case, [a-z0-9-] only, no leading/trailing/double dashes, at most
 * SP_SLUG_MAX_LENGTH characters; "game" when nothing is left. Never "",
 * "." or "..". */

#define SP_SLUG_MAX_LENGTH 48

typedef gboolean (*SpSlugTakenFunc) (const char *slug,
                                     gpointer    user_data);

char     *sp_slug_from_name  (const char      *name);
gboolean  sp_slug_is_valid   (const char      *slug);
/* sp_slug_from_name(), then "-2", "-3", … (shortening the base to stay within
 * SP_SLUG_MAX_LENGTH) until @is_taken returns FALSE. */
char     *sp_slug_make_unique (const char     *name,
                               SpSlugTakenFunc is_taken,
                               gpointer        user_data);

G_END_DECLS
