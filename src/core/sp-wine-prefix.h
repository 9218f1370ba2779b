/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-game.h"
#include "sp-manifest.h"

G_BEGIN_DECLS

/* The user folders of a Wine prefix (design.md, "Drives from anywhere").
 * wineboot links drive_c/users/<name>/Documents, Desktop, Downloads, Music,
 * Pictures, Videos and …/Templates to the host's home: a game saving there
 * writes outside the overlay, so the save is not in the checkpoint and does
 * not travel. A clean install keeps them as real folders instead, and no
 * link of it leaves the prefix, except Wine's device links directly in
 * dosdevices/ (drive letters such as "c:" and "z:", "d::", com and lpt
 * ports).
 *
 * A link "leaves" when its target is absolute, or when resolving it inside
 * the prefix would go above the prefix folder (through "..", or through
 * another link that leaves, such as dosdevices/z:). Nothing here follows a
 * link or writes outside the prefix. */

/* Whether the prefix-relative @rel is one of Wine's device links that a
 * clean install keeps (dosdevices/<drive letter>, …). */
gboolean  sp_wine_prefix_is_device_link       (const char    *rel);

/* Whether a link in the prefix folder @parent_rel ("" for the prefix
 * itself) pointing at @target leaves the prefix in words alone: absolute,
 * empty, or going above the prefix through "..". (The walks below also
 * resolve the links it passes through.) */
gboolean  sp_wine_prefix_target_leaves        (const char    *parent_rel,
                                               const char    *target);

/* The links of the prefix @prefix that leave it, as prefix-relative paths,
 * sorted. With @profiles_only, only those in drive_c/users (and
 * drive_c/users itself): what wineboot makes, quick enough to check before
 * every keep. Else the whole prefix. Blocking. */
GStrv     sp_wine_prefix_find_outside_links   (const char    *prefix,
                                               gboolean       profiles_only,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* Replaces every link of @prefix that leaves it (the whole prefix) with an
 * empty folder (mode 0755), each atomically where the file system can
 * exchange two names (else the link is removed and the folder made). The
 * links' targets are not touched. @out_replaced (optional): the
 * prefix-relative paths replaced, sorted, also on error (those done so far).
 * Blocking. */
gboolean  sp_wine_prefix_keep_folders_inside  (const char    *prefix,
                                               GStrv         *out_replaced,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* The Wine version that made or updated a prefix, as `wine --version`
 * prints it ("wine-8.0 (Debian 8.0~repack-4)"), recorded as WineVersion= in
 * game.ini. Valid: 1 to SP_WINE_VERSION_MAX_LENGTH bytes of UTF-8, no
 * control character, no leading or trailing space. */
#define SP_WINE_VERSION_MAX_LENGTH 128

gboolean  sp_wine_version_is_valid           (const char    *version);

/* Runs `RUNNER --version` (@runner is a command line such as "wine" or
 * "/opt/wine/bin/wine", found in PATH; in a Flatpak sandbox, where Wine is
 * not, this fails) and returns the first line of its output when it is a
 * valid version starting with "wine", else NULL with @error. Blocking (a short process; it does
 * not start a wineserver). */
char     *sp_wine_runner_get_version          (const char    *runner,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* The version of the Wine @runner when it is not @recorded (a game's
 * WineVersion=): that Wine will update the prefix when it starts, and the
 * update lands in the run. NULL when they are the same, @recorded is NULL,
 * or @runner does not answer. Blocking. */
char     *sp_wine_runner_differs              (const char    *recorded,
                                               const char    *runner,
                                               GCancellable  *cancellable);

/* For sp-library-add.c: makes the clean install @base of a Wine game
 * (@info->kind; other kinds are left alone) keep its user folders inside
 * (sp_wine_prefix_keep_folders_inside(), paths in @out_replaced) and
 * (links kept as empty files by a drive without links are read from
 * @manifest, may be NULL, and dropped from it when replaced) and
 * records in @info->wine_version the version of the game's runner (else
 * $SAVEPOINT_WINE_RUNNER, else "wine") when Wine answers. Blocking. */
gboolean  _sp_wine_prefix_prepare_clean_install (SpGameInfo    *info,
                                                 const char    *base,
                                                 SpManifest    *manifest,
                                                 GStrv         *out_replaced,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

G_END_DECLS
