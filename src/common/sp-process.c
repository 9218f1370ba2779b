/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-process.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>

const char *
sp_host_name (void)
{
  return g_get_host_name ();
}

const char *
sp_boot_id (void)
{
  static char *id;

  if (g_once_init_enter (&id))
    {
      char *contents = NULL;

      if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
        contents = g_strdup ("");
      g_once_init_leave (&id, g_strstrip (contents));
    }
  return id;
}

guint64
sp_pid_start_time (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" PRId64 "/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  p = strrchr (contents, ')');
  if (p == NULL)
    return 0;
  /* After "pid (comm)": field 3 (state) is fields[0]; field 22 is fields[19]. */
  fields = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return 0;
  return g_ascii_strtoull (fields[19], NULL, 10);
}

gboolean
sp_pid_is_alive (gint64   pid,
                 guint64  start_time)
{
  guint64 now_start;

  if (pid <= 0)
    return FALSE;
  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  now_start = sp_pid_start_time (pid);
  if (now_start == 0)
    return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
  /* A zombie is as good as gone. */
  {
    g_autofree char *path = g_strdup_printf ("/proc/%" PRId64 "/stat", pid);
    g_autofree char *contents = NULL;
    const char *p;

    if (g_file_get_contents (path, &contents, NULL, NULL) &&
        (p = strrchr (contents, ')')) != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
      return FALSE;
  }
  return start_time == 0 || start_time == now_start;
}

const char *
sp_boot_id_short (void)
{
  static char *boot_id;

  if (g_once_init_enter (&boot_id))
    {
      g_autofree char *contents = NULL;
      char *id;

      if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL) &&
          strlen (g_strstrip (contents)) >= 8)
        id = g_ascii_strdown (contents, 8);
      else
        id = g_strdup ("00000000");
      g_once_init_leave (&boot_id, id);
    }
  return boot_id;
}
