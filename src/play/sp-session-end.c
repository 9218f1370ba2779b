/* SPDX-License-Identifier: GPL-3.0-or-later */
/* When a session is over: what savepoint-run reports after the start (the
 * game's end, background processes left behind), and the play time that
 * follows from it. The rule itself is savepoint-run's (savepoint-run.c). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-session-private.h"

#define MAX_NAMES     32
#define MAX_NAME_LEN  64

void
_sp_session_end_clear (SpSessionEnd *end)
{
  g_clear_pointer (&end->background, g_strfreev);
  g_clear_handle_id (&end->status_timeout_id, g_source_remove);
}

/* "WHAT N\tNAME\tNAME…" */
static gboolean
parse_background (SpSessionEnd *end,
                  const char   *rest)
{
  g_auto(GStrv) fields = g_strsplit (rest, "\t", MAX_NAMES + 2);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  guint64 count;
  guint i;

  if (fields[0] == NULL || !g_ascii_string_to_unsigned (fields[0], 10, 1, G_MAXINT, &count, NULL))
    return FALSE;
  for (i = 1; fields[i] != NULL && i <= MAX_NAMES; i++)
    {
      g_autofree char *valid = g_utf8_make_valid (fields[i], MIN (strlen (fields[i]), MAX_NAME_LEN));

      if (valid[0] != '\0')
        g_strv_builder_add (names, valid);
    }
  /* One entry per process: names may repeat, the count is the total. */
  g_clear_pointer (&end->background, g_strfreev);
  end->background = g_strv_builder_end (names);
  end->background_count = (guint) MAX (count, g_strv_length (end->background));
  return TRUE;
}

SpSessionEvent
_sp_session_end_parse (SpSessionEnd *end,
                       const char   *line)
{
  if (g_str_equal (line, "alive"))
    return SP_SESSION_EVENT_ALIVE;

  if (g_str_has_prefix (line, "game-ended "))
    {
      g_auto(GStrv) fields = g_strsplit (line + strlen ("game-ended "), " ", 3);
      guint64 mono, real;
      gint64 now = g_get_monotonic_time ();

      if (g_strv_length (fields) != 2 ||
          !g_ascii_string_to_unsigned (fields[0], 10, 1, G_MAXINT64, &mono, NULL) ||
          !g_ascii_string_to_unsigned (fields[1], 10, 1, G_MAXINT64 / G_USEC_PER_SEC, &real, NULL))
        return SP_SESSION_EVENT_NONE;
      /* The same clock as ours (one kernel, also under Flatpak), never later than now. */
      end->game_ended_mono = MIN ((gint64) mono, now);
      end->game_ended_real = (gint64) real;
      return SP_SESSION_EVENT_GAME_ENDED;
    }

  if (g_str_has_prefix (line, "stopped ") || g_str_has_prefix (line, "background "))
    {
      gboolean stopped = g_str_has_prefix (line, "stopped ");

      if (!parse_background (end, strchr (line, ' ') + 1))
        return SP_SESSION_EVENT_NONE;
      end->background_stopped = stopped;
      return SP_SESSION_EVENT_BACKGROUND;
    }

  return SP_SESSION_EVENT_NONE;
}

gint64
_sp_session_end_play_usec (const SpSessionEnd *end,
                           gint64              started_mono,
                           gint64              ended_mono)
{
  gint64 until;

  if (started_mono == 0)
    return 0;
  if (end->game_ended_mono != 0)
    until = end->game_ended_mono;
  else if (ended_mono != 0)
    until = ended_mono;
  else
    until = g_get_monotonic_time ();
  return MAX (0, until - started_mono);
}

char *
sp_session_describe_background (SpSession *self)
{
  const char * const *names;
  g_autofree char *list = NULL;
  guint count;
  gboolean stopped;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  names = sp_session_get_background (self, &count, &stopped);
  if (names == NULL || count == 0)
    return NULL;
  list = g_strjoinv (", ", (char **) names);
  if (stopped)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u background process was stopped: %s",
                                         "%u background processes were stopped: %s", count),
                            count, list);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u background process is still running: %s",
                                       "%u background processes are still running: %s", count),
                          count, list);
}
