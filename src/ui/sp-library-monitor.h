/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/sp-library.h"

G_BEGIN_DECLS

/* Opens the libraries to show: those of every place
 * sp_library_find_candidates() names (core/sp-library-finder.h: the folders
 * of $SAVEPOINT_LIBRARY, of the GSettings key "library-folders" and the
 * drives), and, when none of them has a library and "show-demo-library" is
 * set, the built-in demo library. Mounts and settings are watched; every
 * change re-scans in a worker thread and updates the list (libraries are
 * never re-opened while present). */

/* A library found but refused (bad Id, unreadable or special library.ini,
 * malformed…): what the window shows in its place. Immutable. */
#define SP_TYPE_REFUSED_LIBRARY (sp_refused_library_get_type ())

G_DECLARE_FINAL_TYPE (SpRefusedLibrary, sp_refused_library, SP, REFUSED_LIBRARY, GObject)

/* The folder that was opened. */
const char       *sp_refused_library_get_path       (SpRefusedLibrary *self);
/* The drive's name or the folder, as for sp_library_monitor_get_location(). */
const char       *sp_refused_library_get_location   (SpRefusedLibrary *self);
/* Why it was refused (names the file, and the line when there is one). */
const char       *sp_refused_library_get_message    (SpRefusedLibrary *self);

#define SP_TYPE_LIBRARY_MONITOR (sp_library_monitor_get_type ())

G_DECLARE_FINAL_TYPE (SpLibraryMonitor, sp_library_monitor, SP, LIBRARY_MONITOR, GObject)

SpLibraryMonitor *sp_library_monitor_new            (GSettings        *settings);
/* A GListModel of SpLibrary, in the order they were found. */
GListModel       *sp_library_monitor_get_libraries  (SpLibraryMonitor *self);
/* TRUE until the first scan has finished, and while one runs. */
gboolean          sp_library_monitor_get_scanning   (SpLibraryMonitor *self);
/* The drive or folder a library was found on, for the grid's group titles. */
const char       *sp_library_monitor_get_location   (SpLibraryMonitor *self,
                                                     SpLibrary        *library);
/* TRUE when @library is the built-in demo library. */
gboolean          sp_library_monitor_is_demo        (SpLibraryMonitor *self,
                                                     SpLibrary        *library);
/* Scans again (coalesced with a scan that is running). */
void              sp_library_monitor_refresh        (SpLibraryMonitor *self);
/* Adds @folder to "library-folders" (if not there) and scans. */
void              sp_library_monitor_add_folder     (SpLibraryMonitor *self,
                                                     const char       *folder);
void              sp_library_monitor_remove_folder  (SpLibraryMonitor *self,
                                                     const char       *folder);
/* Messages about candidates that could not be opened in the last scan. */
const char * const *sp_library_monitor_get_problems (SpLibraryMonitor *self);
/* A GListModel of SpRefusedLibrary: the libraries refused in the last scan
 * (tried again at every scan). */
GListModel       *sp_library_monitor_get_refused    (SpLibraryMonitor *self);

G_END_DECLS
