/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <langinfo.h>
#include <string.h>

#include "common/sp-util.h"
#include "sp-format.h"

char *
sp_ui_format_duration (gint64 seconds)
{
  gint64 hours, minutes;

  if (seconds < 0)
    seconds = 0;
  hours = seconds / 3600;
  minutes = (seconds % 3600) / 60;

  if (hours > 0 && minutes > 0)
    /* Translators: a duration in hours and minutes, e.g. "2 h 5 min" */
    return g_strdup_printf (_("%d h %d min"), (int) MIN (hours, G_MAXINT), (int) minutes);
  if (hours > 0)
    /* Translators: a duration in hours, e.g. "2 h" */
    return g_strdup_printf (_("%d h"), (int) MIN (hours, G_MAXINT));
  if (minutes > 0)
    /* Translators: a duration in minutes, e.g. "5 min" */
    return g_strdup_printf (_("%d min"), (int) minutes);
  /* Translators: a duration in seconds, e.g. "40 s" */
  return g_strdup_printf (_("%d s"), (int) seconds);
}

char *
sp_ui_format_clock (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds >= 3600)
    return g_strdup_printf ("%" PRId64 ":%02d:%02d", seconds / 3600,
                            (int) ((seconds % 3600) / 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* The time of day as the locale writes it, without seconds: "14:03" where
 * the locale's time has 24 hours, "2:03 PM" where it has AM/PM. */
static char *
format_time_of_day (GDateTime *local)
{
  const char *t_fmt = nl_langinfo (T_FMT);

  if (t_fmt != NULL && (strstr (t_fmt, "%p") || strstr (t_fmt, "%r") || strstr (t_fmt, "%I")))
    return g_date_time_format (local, "%l:%M %p");
  return g_date_time_format (local, "%H:%M");
}

char *
sp_ui_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autofree char *time = NULL;
  GTimeSpan days;

  g_return_val_if_fail (date != NULL, NULL);

  local = g_date_time_to_local (date);
  now = g_date_time_new_now_local ();
  /* Whole calendar days between the two dates, also across a new year. */
  day = g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                               g_date_time_get_day_of_month (local), 12, 0, 0);
  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 12, 0, 0);
  days = (g_date_time_difference (today, day) + G_TIME_SPAN_HOUR * 2) / G_TIME_SPAN_DAY;
  time = format_time_of_day (local);
  g_strstrip (time);

  if (days == 0)
    /* Translators: %s is a time like "14:03" */
    return g_strdup_printf (_("Today at %s"), time);
  if (days == 1)
    /* Translators: %s is a time like "14:03" */
    return g_strdup_printf (_("Yesterday at %s"), time);
  /* The locale's own way of writing a date ("02.12.2026", "12/02/2026"). */
  return g_date_time_format (local, "%x");
}

char *
sp_ui_format_checkpoint_title (SpCheckpoint *checkpoint)
{
  const char *label;

  g_return_val_if_fail (SP_IS_CHECKPOINT (checkpoint), NULL);

  label = sp_checkpoint_get_label (checkpoint);
  return g_strdup (label[0] != '\0' ? label : sp_untitled_checkpoint_name ());
}

char *
sp_ui_format_last_played (GDateTime *date)
{
  g_autofree char *when = NULL;

  if (date == NULL)
    return g_strdup (_("Never played"));
  when = sp_ui_format_date (date);
  /* Translators: %s is a date like "Today at 14:03" */
  return g_strdup_printf (_("Last played: %s"), when);
}

char *
sp_ui_format_initials (const char *name)
{
  GString *out = g_string_new (NULL);
  gboolean word_start = TRUE;
  guint n = 0;

  for (const char *p = name ? name : ""; *p && n < 2; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        {
          if (word_start)
            {
              g_string_append_unichar (out, g_unichar_toupper (c));
              n++;
            }
          word_start = FALSE;
        }
      else
        word_start = TRUE;
    }

  if (out->len == 0)
    g_string_append (out, "?");
  return g_string_free (out, FALSE);
}

guint
sp_ui_format_color_index (const char *name)
{
  guint32 hash = g_str_hash (name ? name : "");

  /* Mix the bits: names differing in one letter get different colours. */
  hash ^= hash >> 15;
  hash *= 0x2c1b3c6d;
  hash ^= hash >> 12;
  return hash % 6;
}

char *
sp_ui_format_checkpoint_count (guint n)
{
  if (n == 0)
    return g_strdup (_("No checkpoints"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u checkpoint", "%u checkpoints", n), n);
}
