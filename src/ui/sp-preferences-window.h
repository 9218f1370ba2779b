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

/* Compression as named choices over the int key "compression-level"
 * (zstd levels): Fast = 1, Balanced = 3, Small = 12. A level set otherwise
 * (e.g. 19 with gsettings) shows as the nearest choice and is kept until
 * another choice is made. */
typedef enum {
  SP_COMPRESSION_FAST,
  SP_COMPRESSION_BALANCED,
  SP_COMPRESSION_SMALL,
} SpCompressionChoice;

SpCompressionChoice sp_preferences_compression_choice_for_level (int                 level);
int                 sp_preferences_compression_level_for_choice (SpCompressionChoice choice);

G_END_DECLS
