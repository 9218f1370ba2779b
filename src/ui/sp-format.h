/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "core/sp-checkpoint.h"

G_BEGIN_DECLS

/* Human-readable texts shared by the widgets; all translatable. */

/* "2 h 5 min", "5 min", "40 s", "0 s" */
char        *sp_ui_format_duration        (gint64      seconds);
/* "01:02:03" or "02:03": a running clock */
char        *sp_ui_format_clock           (gint64      seconds);
/* "Today at 14:03", "Yesterday at 2:10 PM", else the locale's date
 * ("%x": "02.12.2026" in German); local time, never C's ctime. */
char        *sp_ui_format_date            (GDateTime  *date);
/* The checkpoint's label, or the one name of an unnamed checkpoint
 * (sp_untitled_checkpoint_name(), shared with the CLI). */
char        *sp_ui_format_checkpoint_title (SpCheckpoint *checkpoint);
/* "Never played" or "Last played today at 14:03" */
char        *sp_ui_format_last_played     (GDateTime  *date);
/* Up to two letters from the words of @name, upper case: "Counter Quest" -> "CQ" */
char        *sp_ui_format_initials        (const char *name);
/* A stable number in 0..5 from @name, to pick a placeholder tile colour */
guint        sp_ui_format_color_index     (const char *name);
/* "3 checkpoints" / "No checkpoints" */
char        *sp_ui_format_checkpoint_count (guint      n);

G_END_DECLS
