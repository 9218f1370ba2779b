/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where libraries are looked for, the same for the app and savepoint-cli:
 *
 * - $SAVEPOINT_LIBRARY: a list of folders separated by colons (each a drive
 *   or its Savepoint folder; empty entries are skipped);
 * - the configured folders: the GSettings key "library-folders";
 * - drives: the root of every mount the GVolumeMonitor shows, then every
 *   folder in the places desktops mount drives (/media/$USER,
 *   /run/media/$USER, /media, /mnt).
 *
 * The app shows the libraries of all of them; savepoint-cli uses the
 * folders of $SAVEPOINT_LIBRARY alone when it is set (see its --help). */

typedef enum
{
  SP_LIBRARY_SOURCE_ENVIRONMENT,   /* $SAVEPOINT_LIBRARY */
  SP_LIBRARY_SOURCE_FOLDER,        /* a configured folder */
  SP_LIBRARY_SOURCE_DRIVE,         /* a mounted drive */
} SpLibrarySource;

typedef struct
{
  char            *path;       /* the folder to hand to sp_library_open() */
  char            *location;   /* what the user calls it: the drive's name or the folder */
  SpLibrarySource  source;
} SpLibraryCandidate;

void       sp_library_candidate_free         (SpLibraryCandidate *candidate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLibraryCandidate, sp_library_candidate_free)

/* The folders of $SAVEPOINT_LIBRARY, made absolute, each once; empty when
 * it is unset or empty. */
GStrv      sp_library_environment_folders    (void);

/* Every place a library may be, in the order above, each path once (the
 * first source that names it wins). Nothing is read from the candidates
 * themselves, so this does not block on a slow drive; call it in the thread
 * that owns @volume_monitor (NULL: g_volume_monitor_get()). @settings is the
 * app's (NULL: no configured folders). Returns SpLibraryCandidate. */
GPtrArray *sp_library_find_candidates        (GVolumeMonitor     *volume_monitor,
                                              GSettings          *settings);

/* TRUE when @path holds a library.ini, directly or in Savepoint/. Any
 * library.ini counts, even a link or a FIFO: sp_library_open() then refuses
 * the library with its reason instead of passing it over in silence. May
 * block on a slow drive. */
gboolean   sp_library_candidate_has_library  (const char         *path);

G_END_DECLS
