/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-leftover-marks.h"

#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sp-process.h"
#include "sp-util.h"

#define DIR_MARKER ".savepoint-leftover"
#define MAX_MARKER_SIZE (64 * 1024)

static const char *kind_names[] = { "unknown", "copy", "adopt", "archive", "checkpoint" };

char *
sp_leftover_file_path (const char *path)
{
  return g_strdup_printf ("%s.partial-%s-%" PRId64, path, sp_boot_id_short (), (gint64) getpid ());
}

char *
sp_leftover_dir_template (const char *dir,
                          const char *name)
{
  g_autofree char *base = g_strdup_printf (".%s.partial-%s-%" PRId64 "-XXXXXX", name,
                                           sp_boot_id_short (), (gint64) getpid ());

  return g_build_filename (dir, base, NULL);
}

char *
sp_leftover_marker_path (const char *leftover,
             gboolean    is_dir)
{
  if (is_dir)
    return g_build_filename (leftover, DIR_MARKER, NULL);
  return g_strconcat (leftover, SP_LEFTOVER_MARKER_SUFFIX, NULL);
}

gboolean
sp_leftover_write_marker (const char      *leftover,
                          gboolean         is_dir,
                          SpLeftoverKind   kind,
                          const char      *original_path,
                          GError         **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = sp_leftover_marker_path (leftover, is_dir);
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (kind > SP_LEFTOVER_KIND_UNKNOWN && kind < G_N_ELEMENTS (kind_names), FALSE);

  g_key_file_set_string (kf, SP_LEFTOVER_MARKER_GROUP, "Host", sp_host_name ());
  g_key_file_set_string (kf, SP_LEFTOVER_MARKER_GROUP, "BootId", sp_boot_id_short ());
  g_key_file_set_int64 (kf, SP_LEFTOVER_MARKER_GROUP, "Pid", getpid ());
  g_key_file_set_uint64 (kf, SP_LEFTOVER_MARKER_GROUP, "PidStart", sp_pid_start_time (getpid ()));
  g_key_file_set_string (kf, SP_LEFTOVER_MARKER_GROUP, "Kind", kind_names[kind]);
  if (original_path != NULL)
    g_key_file_set_string (kf, SP_LEFTOVER_MARKER_GROUP, "OriginalPath", original_path);
  data = g_key_file_to_data (kf, &len, NULL);
  return sp_write_file_atomic (path, data, (gssize) len, error);
}

void
sp_leftover_remove_marker (const char *leftover,
                           gboolean    is_dir)
{
  g_autofree char *path = sp_leftover_marker_path (leftover, is_dir);

  g_unlink (path);
}

gboolean
sp_leftover_parse_owner (const char  *name,
                         char       **out_boot,
                         gint64      *out_pid)
{
  const char *p = g_strrstr (name, ".partial-");
  const char *pid_start;
  char *end = NULL;
  guint64 pid;

  if (p == NULL)
    return FALSE;
  p += strlen (".partial-");
  for (guint i = 0; i < 8; i++)
    if (!g_ascii_isxdigit (p[i]))
      return FALSE;
  if (p[8] != '-' || !g_ascii_isdigit (p[9]))
    return FALSE;
  pid_start = p + 9;
  pid = g_ascii_strtoull (pid_start, &end, 10);
  /* then the end, a folder's "-XXXXXX", the marker's ".owner", or the
   * ".owner.XXXXXX" temporary file of its atomic write */
  if (pid == 0 || pid > G_MAXINT32 ||
      !(*end == '\0' || (*end == '-' && strlen (end) == 7) ||
        strcmp (end, SP_LEFTOVER_MARKER_SUFFIX) == 0 ||
        (g_str_has_prefix (end, SP_LEFTOVER_MARKER_SUFFIX ".") &&
         strlen (end) == strlen (SP_LEFTOVER_MARKER_SUFFIX) + 7)))
    return FALSE;
  *out_boot = g_strndup (p, 8);
  *out_pid = (gint64) pid;
  return TRUE;
}

gboolean
sp_leftover_name_matches (const char *name)
{
  const char *p = strstr (name, ".partial");

  if (p == NULL)
    return FALSE;
  return p[8] == '\0' || p[8] == '-' || strcmp (p + 8, SP_LEFTOVER_MARKER_SUFFIX) == 0;
}

SpLeftoverKind
sp_leftover_kind_from_string (const char *name)
{
  for (guint i = 1; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      return (SpLeftoverKind) i;
  return SP_LEFTOVER_KIND_UNKNOWN;
}

GKeyFile *
sp_leftover_read_marker (const char *path)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize done = 0;

  if (!sp_read_regular_file_at (AT_FDCWD, path, NULL, MAX_MARKER_SIZE, &data, &done, NULL))
    return NULL;
  if (!g_key_file_load_from_data (kf, data, done, G_KEY_FILE_NONE, NULL) ||
      !g_key_file_has_group (kf, SP_LEFTOVER_MARKER_GROUP))
    return NULL;
  return g_steal_pointer (&kf);
}
