/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The app's preferences, bound to GSettings: default Wine runner,
 * compression level, runs folder, confirm before discarding a run. */

#define SP_TYPE_PREFERENCES_WINDOW (sp_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, SP, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget   *sp_preferences_window_new (GtkWindow *parent,
                                        GSettings *settings);

G_END_DECLS
