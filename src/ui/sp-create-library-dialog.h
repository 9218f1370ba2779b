/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* "Create a Library": the connected drives (GVolumeMonitor mounts) with
 * their name, free space and file system, and "Choose a Folder…". A FAT32
 * drive is warned about (no file over 4 GB: a big checkpoint or game file
 * cannot be stored). "Create" emits ::location-chosen with the folder; the
 * window creates the library there. */

#define SP_TYPE_CREATE_LIBRARY_DIALOG (sp_create_library_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpCreateLibraryDialog, sp_create_library_dialog, SP, CREATE_LIBRARY_DIALOG, AdwWindow)

GtkWidget  *sp_create_library_dialog_new            (GtkWindow             *parent);
/* Adds @path (a folder) as a location, selected; what "Choose a Folder…"
 * does with the chosen folder. */
void        sp_create_library_dialog_add_location   (SpCreateLibraryDialog *self,
                                                     const char            *path);
guint       sp_create_library_dialog_get_n_locations (SpCreateLibraryDialog *self);
/* The selected folder, or NULL. */
const char *sp_create_library_dialog_get_selected   (SpCreateLibraryDialog *self);
/* The subtitle shown for @path ("12.3 GB free · ext4"), NULL until known. */
const char *sp_create_library_dialog_get_details    (SpCreateLibraryDialog *self,
                                                     const char            *path);
/* The warning shown for the selection, or NULL. */
const char *sp_create_library_dialog_get_warning    (SpCreateLibraryDialog *self);

/* TRUE for the file system types (as g_file_query_filesystem_info() names
 * them: "msdos", "vfat", "fat", "fat32"…) that cannot hold a file of 4 GiB. */
gboolean    sp_create_library_fs_has_4gb_limit      (const char            *fs_type);

G_END_DECLS
