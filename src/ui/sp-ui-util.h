/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows @toast in the AdwToastOverlay @widget is inside of. Returns FALSE
 * (and drops the toast) when there is none. Takes @toast's floating ref. */
gboolean     sp_ui_add_toast     (GtkWidget  *widget,
                                  AdwToast   *toast);
/* A modal AdwMessageDialog with a heading, the error and a Close button. */
void         sp_ui_show_error    (GtkWidget  *widget,
                                  const char *heading,
                                  const char *message);
/* sp_ui_show_error() with @error's message, unless @error is a
 * cancellation: the user asked for that. */
void         sp_ui_show_error_unless_cancelled (GtkWidget    *widget,
                                                const char   *heading,
                                                const GError *error);
/* The GtkWindow @widget is in, or NULL. */
GtkWindow   *sp_ui_get_window    (GtkWidget  *widget);

G_END_DECLS
