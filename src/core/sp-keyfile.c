/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-library-error.h"
#include "common/sp-util.h"

#define MAX_KEY_FILE_SIZE (1024 * 1024)
#define LOAD_FLAGS (G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS)

/* Lines of @data, without their terminators. (Not g_strsplit(): under
 * ASan its strstr() measures the rest of the text at each line, which made
 * a 1 MiB file take minutes.) */
static char **
split_lines (const char *data,
             gsize       length)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  const char *end = data + length;
  const char *p = data;

  for (;;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));

      if (nl == NULL)
        {
          g_ptr_array_add (lines, g_strndup (p, (gsize) (end - p)));
          break;
        }
      g_ptr_array_add (lines, g_strndup (p, (gsize) (nl - p)));
      p = nl + 1;
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

static char *
first_line_of (const char *line)
{
  g_autofree char *copy = g_utf8_make_valid (line, -1);

  g_strchomp (copy);
  if (g_utf8_strlen (copy, -1) > 60)
    {
      char *end = g_utf8_offset_to_pointer (copy, 60);
      *end = '\0';
      return g_strconcat (copy, "…", NULL);
    }
  return g_steal_pointer (&copy);
}

/* Does the key file made of the first @n of @lines fail to load? */
static gboolean
prefix_fails (char  **lines,
              guint   n)
{
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  for (guint i = 0; i < n; i++)
    {
      if (!g_utf8_validate (lines[i], -1, NULL))
        return TRUE;
      g_string_append (prefix, lines[i]);
      g_string_append_c (prefix, '\n');
    }
  return !g_key_file_load_from_data (kf, prefix->str, prefix->len, LOAD_FLAGS, NULL);
}

/* GKeyFile does not say where a parse error is. It parses line by line, so
 * the shortest prefix of lines that fails to parse ends at the bad line:
 * found by bisection, since a prefix that fails stays failing when it
 * grows. (Trying each prefix in turn took minutes on a 1 MiB file whose
 * last line was bad, and a drive may hold such a file.) */
static guint
find_bad_line (const char *data,
               gsize       length)
{
  g_auto(GStrv) lines = split_lines (data, length);
  guint n = g_strv_length (lines);
  guint good = 0;   /* the first @good lines load */
  guint bad = n;    /* the first @bad lines fail */

  if (!prefix_fails (lines, n))
    return 0;
  while (bad - good > 1)
    {
      guint mid = good + (bad - good) / 2;

      if (prefix_fails (lines, mid))
        bad = mid;
      else
        good = mid;
    }
  return bad;
}

/* The line (from 1) of the first value that ends in a lone backslash, or 0.
 * Such a value cannot be read; worse, GLib 2.74 reading one that also holds
 * an invalid escape ("Name=\\x\\") sets its GError twice (a GLib-WARNING,
 * fatal under G_DEBUG=fatal-warnings, and a leak). Found by fuzzing. */
static guint
find_lone_backslash (const char *data,
                     gsize       length)
{
  g_auto(GStrv) lines = split_lines (data, length);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize end = strlen (line);
      gsize backslashes = 0;

      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '#' || *line == '[' || strchr (line, '=') == NULL)
        continue;
      while (end > 0 && lines[i][end - 1] == '\\')
        {
          backslashes++;
          end--;
        }
      if (backslashes % 2 == 1)
        return i + 1;
    }
  return 0;
}

GKeyFile *
sp_key_file_load_from_data (const char  *data,
                            gssize       length,
                            const char  *display_name,
                            GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                   _("%s: contains a NUL byte: this is not a text settings file. "
                     "Restore it from a backup or remove it."), display_name);
      return NULL;
    }

  if (!g_utf8_validate (data, len, NULL))
    g_set_error_literal (&local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_UNKNOWN_ENCODING,
                         _("not valid UTF-8 text"));
  if (local_error != NULL ||
      !g_key_file_load_from_data (kf, data, len, LOAD_FLAGS, &local_error))
    {
      guint line = find_bad_line (data, len);

      if (line > 0)
        {
          g_auto(GStrv) lines = split_lines (data, len);
          g_autofree char *text = first_line_of (lines[line - 1]);

          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                       _("%s:%u: cannot read line “%s”: %s. Fix or remove this line."),
                       display_name, line, text, local_error->message);
        }
      else
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                     _("%s: %s. Fix the file with a text editor."),
                     display_name, local_error->message);
      return NULL;
    }

  {
    guint line = find_lone_backslash (data, len);

    if (line > 0)
      {
        g_auto(GStrv) lines = split_lines (data, len);
        g_autofree char *text = first_line_of (lines[line - 1]);

        /* GLib's own words (and translation) for the problem. */
        g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                     _("%s:%u: cannot read line “%s”: %s. Fix or remove this line."),
                     display_name, line, text,
                     g_dgettext ("glib20", "Key file contains escape character at end of line"));
        return NULL;
      }
  }

  return g_steal_pointer (&kf);
}

/* Reads a metadata file from a drive: a regular file, not through a
 * symbolic link, at most MAX_KEY_FILE_SIZE bytes (see
 * sp_open_regular_file()). Errors are SP_LIBRARY_ERROR. */
static gboolean
read_key_file_data (const char  *path,
                    char       **out_data,
                    gsize       *out_length,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (sp_read_regular_file_at (AT_FDCWD, path, path, MAX_KEY_FILE_SIZE, out_data, out_length,
                               &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                 _("“%s” does not exist."), path);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 _("%s: larger than 1 MiB, too large for a settings file. "
                   "Restore it from a backup or remove it."), path);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS) ||
           g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE))
    g_set_error_literal (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                         local_error->message);
  else
    g_set_error_literal (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_FAILED,
                         local_error->message);
  return FALSE;
}

GKeyFile *
sp_key_file_load (const char  *path,
                  GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_key_file_data (path, &data, &len, error))
    return NULL;
  return sp_key_file_load_from_data (data, len, path, error);
}

gboolean
sp_key_file_save (GKeyFile    *key_file,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (key_file != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = g_key_file_to_data (key_file, &len, NULL);
  return sp_write_file_atomic (path, data, len, error);
}

guint
sp_key_file_find_line (const char *path,
                       const char *data,
                       const char *group,
                       const char *key)
{
  g_autofree char *owned = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_group = FALSE;

  if (data == NULL)
    {
      gsize len;

      if (path == NULL || !read_key_file_data (path, &owned, &len, NULL))
        return 0;
      data = owned;
    }
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      while (*l == ' ' || *l == '\t')
        l++;
      if (*l == '#' || *l == '\0')
        continue;
      if (*l == '[')
        {
          const char *end = strchr (l, ']');

          in_group = end != NULL && group != NULL &&
                     (gsize) (end - l - 1) == strlen (group) &&
                     strncmp (l + 1, group, end - l - 1) == 0;
          if (in_group && key == NULL)
            return i + 1;
          continue;
        }
      if (in_group && key != NULL)
        {
          const char *eq = strchr (l, '=');
          gsize klen;

          if (eq == NULL)
            continue;
          klen = eq - l;
          while (klen > 0 && (l[klen - 1] == ' ' || l[klen - 1] == '\t'))
            klen--;
          if (klen == strlen (key) && strncmp (l, key, klen) == 0)
            return i + 1;
        }
    }
  return 0;
}

void
sp_key_file_set_error (GError     **error,
                       const char  *path,
                       const char  *data,
                       const char  *group,
                       const char  *key,
                       const char  *format,
                       ...)
{
  g_autofree char *message = NULL;
  guint line = 0;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (key != NULL)
    line = sp_key_file_find_line (path, data, group, key);
  if (line == 0 && group != NULL)
    line = sp_key_file_find_line (path, data, group, NULL);

  if (line > 0)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 "%s:%u: %s", path, line, message);
  else
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 "%s: %s", path, message);
}

char *
sp_key_file_get_string_required (GKeyFile    *key_file,
                                 const char  *path,
                                 const char  *group,
                                 const char  *key,
                                 GError     **error)
{
  g_autofree char *value = NULL;

  if (!g_key_file_has_group (key_file, group))
    {
      sp_key_file_set_error (error, path, NULL, NULL, NULL,
                             _("the group [%s] is missing. Add it with a text editor "
                               "or restore the file from a backup."), group);
      return NULL;
    }
  value = g_key_file_get_string (key_file, group, key, NULL);
  if (value == NULL || *value == '\0')
    {
      sp_key_file_set_error (error, path, NULL, group, value ? key : NULL,
                             _("the key “%s” in [%s] is missing or empty. "
                               "Add it with a text editor."), key, group);
      return NULL;
    }
  return g_steal_pointer (&value);
}

static gboolean
get_number (GKeyFile    *key_file,
            const char  *path,
            const char  *group,
            const char  *key,
            gboolean     is_signed,
            gint64      *out_signed,
            guint64     *out_unsigned,
            GError     **error)
{
  g_autofree char *value = g_key_file_get_value (key_file, group, key, NULL);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_strstrip (value);
  if (is_signed)
    ok = g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, out_signed, &local_error);
  else
    ok = g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, out_unsigned, &local_error);
  if (!ok)
    {
      sp_key_file_set_error (error, path, NULL, group, key,
                             _("“%s” is not a valid number for %s. Fix the value with a text editor."),
                             value, key);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_key_file_get_int64 (GKeyFile    *key_file,
                       const char  *path,
                       const char  *group,
                       const char  *key,
                       gint64       default_value,
                       gint64      *out_value,
                       GError     **error)
{
  if (!g_key_file_has_key (key_file, group, key, NULL))
    {
      *out_value = default_value;
      return TRUE;
    }
  return get_number (key_file, path, group, key, TRUE, out_value, NULL, error);
}

gboolean
sp_key_file_get_uint64 (GKeyFile    *key_file,
                        const char  *path,
                        const char  *group,
                        const char  *key,
                        guint64      default_value,
                        guint64     *out_value,
                        GError     **error)
{
  if (!g_key_file_has_key (key_file, group, key, NULL))
    {
      *out_value = default_value;
      return TRUE;
    }
  return get_number (key_file, path, group, key, FALSE, NULL, out_value, error);
}

char *
sp_key_file_get_string_or_null (GKeyFile   *key_file,
                                const char *group,
                                const char *key)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  if (value == NULL || *value == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

void
sp_key_file_set_string_or_remove (GKeyFile   *key_file,
                                  const char *group,
                                  const char *key,
                                  const char *value)
{
  if (value == NULL)
    g_key_file_remove_key (key_file, group, key, NULL);
  else
    g_key_file_set_string (key_file, group, key, value);
}
