/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-library-error.h"
#include "sp-wine-registry.h"

/* See sp-wine-registry.h for the format. Wine's server writes names with
 * C escapes: "\\" "\"" "\[" "\]", "\a" … "\e" for control characters,
 * "\xHHHH" for UTF-16 units above 127 and octal for the other control
 * characters; they are decoded so that a key reads as regedit shows it. */

const char * const sp_wine_registry_files[SP_WINE_REGISTRY_N_FILES + 1] = { "system.reg", "user.reg", "userdef.reg", NULL };

#define HEADER "WINE REGISTRY Version 2"

struct _SpWineRegistry
{
  GHashTable *keys;   /* path -> GHashTable (value name -> text) */
};

SpWineRegistry *
sp_wine_registry_new_empty (void)
{
  SpWineRegistry *self = g_new0 (SpWineRegistry, 1);

  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_hash_table_unref);
  return self;
}

void
sp_wine_registry_free (SpWineRegistry *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->keys);
  g_free (self);
}

void
sp_registry_key_change_free (SpRegistryKeyChange *change)
{
  if (change == NULL)
    return;
  g_free (change->file);
  g_free (change->key);
  g_strfreev (change->values);
  g_free (change);
}

static gboolean
set_error (GError     **error,
           const char  *display,
           guint        line,
           const char  *what)
{
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED, "%s:%u: %s",
               display, line, what);
  return FALSE;
}

/* Reads "\xHHHH" (1 to 4 digits) at @p (just after the "x"). */
static gunichar
read_hex_unit (const char **p,
               const char  *end)
{
  gunichar unit = 0;
  int n = 0;

  while (*p < end && n < 4 && g_ascii_xdigit_value (**p) >= 0)
    {
      unit = unit * 16 + (gunichar) g_ascii_xdigit_value (**p);
      (*p)++;
      n++;
    }
  return n == 0 ? (gunichar) 'x' : unit;
}

/* Decodes an escaped name from @p up to the unescaped @delim. Returns the
 * position after @delim, or NULL when the name does not end on this line. */
static const char *
parse_name (const char *p,
            const char *end,
            char        delim,
            GString    *out)
{
  g_string_truncate (out, 0);
  while (p < end)
    {
      char c = *p++;
      gunichar u;

      if (c == delim)
        return p;
      if (c != '\\')
        {
          g_string_append_c (out, c);
          continue;
        }
      if (p == end)
        return NULL;
      c = *p++;
      switch (c)
        {
        case 'a': u = 7; break;
        case 'b': u = 8; break;
        case 't': u = 9; break;
        case 'n': u = 10; break;
        case 'v': u = 11; break;
        case 'f': u = 12; break;
        case 'r': u = 13; break;
        case 'e': u = 27; break;
        case 'x':
          u = read_hex_unit (&p, end);
          if (u >= 0xd800 && u < 0xdc00 && end - p >= 2 && p[0] == '\\' && p[1] == 'x')
            {
              const char *q = p + 2;
              gunichar low = read_hex_unit (&q, end);

              if (low >= 0xdc00 && low < 0xe000)
                {
                  u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
                  p = q;
                }
            }
          break;
        default:
          if (c >= '0' && c <= '7')
            {
              u = (gunichar) (c - '0');
              for (int n = 1; n < 3 && p < end && *p >= '0' && *p <= '7'; n++)
                u = u * 8 + (gunichar) (*p++ - '0');
            }
          else
            u = (guchar) c;
          break;
        }
      /* NUL and lone surrogates cannot be kept in UTF-8 text. */
      if (u == 0 || (u >= 0xd800 && u < 0xe000) || u > 0x10ffff)
        u = 0xfffd;
      g_string_append_unichar (out, u);
    }
  return NULL;
}

static char *
valid_utf8 (GString *str)
{
  if (g_utf8_validate (str->str, str->len, NULL))
    return g_strndup (str->str, str->len);
  return g_utf8_make_valid (str->str, str->len);
}

SpWineRegistry *
sp_wine_registry_parse (const char  *data,
                        gsize        length,
                        const char  *display,
                        GError     **error)
{
  g_autoptr(SpWineRegistry) self = sp_wine_registry_new_empty ();
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) logical = g_string_new (NULL);
  GHashTable *values = NULL;   /* of the current key */
  const char *p = data;
  const char *end = data + length;
  guint line_no = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (display != NULL, NULL);

  if (length > SP_WINE_REGISTRY_MAX_SIZE)
    {
      set_error (error, display, 0, _("the registry file is too large"));
      return NULL;
    }
  if (length > 0 && memchr (data, '\0', length) != NULL)
    {
      set_error (error, display, 0, _("the registry file holds a NUL byte: it is not text"));
      return NULL;
    }

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      const char *next = nl ? nl + 1 : end;
      const char *s;
      const char *e;
      guint first_line;

      line_no++;
      first_line = line_no;
      g_string_truncate (logical, 0);
      if (line_end - p > SP_WINE_REGISTRY_MAX_LINE)
        {
          set_error (error, display, line_no, _("the line is too long"));
          return NULL;
        }
      g_string_append_len (logical, p, line_end - p);
      p = next;
      if (logical->len > 0 && logical->str[logical->len - 1] == '\r')
        g_string_truncate (logical, logical->len - 1);

      if (first_line == 1)
        {
          if (strcmp (logical->str, HEADER) != 0)
            {
              set_error (error, display, 1, _("not a Wine registry file (no “WINE REGISTRY Version 2” header)"));
              return NULL;
            }
          continue;
        }

      /* A value's data goes on over lines that end with "\". */
      if (logical->len > 0 && (logical->str[0] == '"' || logical->str[0] == '@'))
        while (logical->len > 0 && logical->str[logical->len - 1] == '\\')
          {
            const char *cont;

            g_string_truncate (logical, logical->len - 1);
            if (p >= end)
              {
                set_error (error, display, line_no,
                           _("the value goes on after the end of the file"));
                return NULL;
              }
            nl = memchr (p, '\n', end - p);
            line_end = nl ? nl : end;
            cont = p;
            p = nl ? nl + 1 : end;
            line_no++;
            while (cont < line_end && (*cont == ' ' || *cont == '\t'))
              cont++;
            if (line_end > cont && line_end[-1] == '\r')
              line_end--;
            if ((gsize) (line_end - cont) > SP_WINE_REGISTRY_MAX_LINE - logical->len)
              {
                set_error (error, display, line_no, _("the line is too long"));
                return NULL;
              }
            g_string_append_len (logical, cont, line_end - cont);
          }

      s = logical->str;
      e = logical->str + logical->len;
      if (logical->len == 0 || s[0] == ';' || s[0] == '#')
        continue;   /* blank, comment, option or #time= */

      if (s[0] == '[')
        {
          GHashTable *existing;

          if (parse_name (s + 1, e, ']', name) == NULL)
            {
              set_error (error, display, first_line, _("the key’s name has no closing “]”"));
              return NULL;
            }
          if (name->len == 0)
            {
              set_error (error, display, first_line, _("the key has an empty name"));
              return NULL;
            }
          {
            g_autofree char *key = valid_utf8 (name);

            existing = g_hash_table_lookup (self->keys, key);
            if (existing != NULL)
              values = existing;   /* Wine merges a key that appears twice */
            else if (g_hash_table_size (self->keys) >= SP_WINE_REGISTRY_MAX_KEYS)
              {
                set_error (error, display, first_line, _("the registry file has too many keys"));
                return NULL;
              }
            else
              {
                values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
                g_hash_table_insert (self->keys, g_steal_pointer (&key), values);
              }
          }
          continue;
        }

      if (s[0] == '"' || s[0] == '@')
        {
          const char *after;

          if (values == NULL)
            {
              set_error (error, display, first_line, _("a value comes before any key"));
              return NULL;
            }
          if (s[0] == '@')
            {
              g_string_truncate (name, 0);
              after = s + 1;
            }
          else if ((after = parse_name (s + 1, e, '"', name)) == NULL)
            {
              set_error (error, display, first_line, _("the value’s name has no closing quote"));
              return NULL;
            }
          if (after >= e || *after != '=')
            {
              set_error (error, display, first_line, _("the value’s name is not followed by “=”"));
              return NULL;
            }
          if (g_hash_table_size (values) >= SP_WINE_REGISTRY_MAX_VALUES)
            {
              set_error (error, display, first_line, _("the key has too many values"));
              return NULL;
            }
          {
            g_autoptr(GString) text = g_string_new_len (after + 1, e - (after + 1));

            g_hash_table_replace (values, valid_utf8 (name), valid_utf8 (text));
          }
          continue;
        }

      set_error (error, display, first_line, _("the line is neither a key, a value nor a comment"));
      return NULL;
    }

  if (line_no == 0)
    {
      set_error (error, display, 1, _("not a Wine registry file (no “WINE REGISTRY Version 2” header)"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

guint
sp_wine_registry_get_n_keys (SpWineRegistry *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return g_hash_table_size (self->keys);
}

gboolean
sp_wine_registry_has_key (SpWineRegistry *self,
                          const char     *key)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return g_hash_table_contains (self->keys, key);
}

const char *
sp_wine_registry_get_value (SpWineRegistry *self,
                            const char     *key,
                            const char     *name)
{
  GHashTable *values;

  g_return_val_if_fail (self != NULL, NULL);
  values = g_hash_table_lookup (self->keys, key);
  return values ? g_hash_table_lookup (values, name) : NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The sorted names of @values (all of them, or those that differ from
 * @other when it is given). */
static GStrv
value_names (GHashTable *values,
             GHashTable *other)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer name, text;

  if (values != NULL)
    {
      g_hash_table_iter_init (&iter, values);
      while (g_hash_table_iter_next (&iter, &name, &text))
        {
          const char *other_text = other ? g_hash_table_lookup (other, name) : NULL;

          if (other == NULL || g_strcmp0 (other_text, text) != 0)
            g_ptr_array_add (names, g_strdup (name));
        }
    }
  if (other != NULL)
    {
      g_hash_table_iter_init (&iter, other);
      while (g_hash_table_iter_next (&iter, &name, &text))
        if (values == NULL || !g_hash_table_contains (values, name))
          g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

void
sp_wine_registry_diff (SpWineRegistry *before,
                       SpWineRegistry *after,
                       const char     *file,
                       GPtrArray      *changes)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (before != NULL && after != NULL && changes != NULL);

  g_hash_table_iter_init (&iter, before->keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (paths, key);
  g_hash_table_iter_init (&iter, after->keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before->keys, key))
      g_ptr_array_add (paths, key);
  g_ptr_array_sort (paths, compare_strings);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      GHashTable *old_values = g_hash_table_lookup (before->keys, path);
      GHashTable *new_values = g_hash_table_lookup (after->keys, path);
      SpRegistryKeyChange *change;
      GStrv names;

      if (old_values == NULL)
        names = value_names (new_values, NULL);
      else if (new_values == NULL)
        names = value_names (old_values, NULL);
      else
        {
          names = value_names (new_values, old_values);
          if (names[0] == NULL)
            {
              g_strfreev (names);
              continue;
            }
        }
      change = g_new0 (SpRegistryKeyChange, 1);
      change->kind = old_values == NULL ? SP_REGISTRY_KEY_ADDED
                   : new_values == NULL ? SP_REGISTRY_KEY_REMOVED
                   : SP_REGISTRY_KEY_CHANGED;
      change->file = g_strdup (file);
      change->key = g_strdup (path);
      change->values = names;
      g_ptr_array_add (changes, change);
    }
}
