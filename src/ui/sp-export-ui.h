/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-checkpoint.h"

G_BEGIN_DECLS

/* The name an exported checkpoint is offered under:
 * "Game – Label.savepoint.tar.zst", or the checkpoint's date for a
 * checkpoint without a label. Characters that file systems refuse (/ \ : * ?
 * " < > | and control characters) become "_", leading dots and blanks are
 * dropped, and the name stays under 200 bytes (cut at a character). */
char *sp_export_ui_file_name     (const char   *game_name,
                                  const char   *label,
                                  GDateTime    *created);

/* Shows @path selected in the file manager (org.freedesktop.FileManager1
 * ShowItems over D-Bus), or opens its folder (gtk_show_uri()) when no file
 * manager answers. */
void  sp_export_ui_show_in_files (GtkWidget    *widget,
                                  const char   *path);

/* The "Checkpoint exported" toast, with a "Show in Files" button for @path. */
AdwToast *sp_export_ui_new_toast (GtkWidget    *widget,
                                  const char   *path);

G_END_DECLS
