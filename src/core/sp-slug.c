/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-slug.h"

#include <string.h>

static char *
truncate_slug (const char *slug,
               gsize       max_len)
{
  gsize len = strlen (slug);

  if (len > max_len)
    len = max_len;
  while (len > 0 && slug[len - 1] == '-')
    len--;
  if (len == 0)
    return g_strdup ("game");
  return g_strndup (slug, len);
}

/**
 * sp_slug_from_name:
 *
 * Derives a folder name from a game's name: "Ōkami HD" → "okami-hd".
 */
char *
sp_slug_from_name (const char *name)
{
  g_autofree char *ascii = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return g_strdup ("game");

  /* "C" as the locale gives the locale-independent transliteration; what
   * has none becomes "?" and is dropped below. */
  ascii = g_str_to_ascii (name, "C");
  for (const char *p = ascii; *p; p++)
    {
      char c = g_ascii_tolower (*p);

      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        g_string_append_c (out, c);
      else if (out->len > 0 && out->str[out->len - 1] != '-')
        g_string_append_c (out, '-');
    }

  return truncate_slug (out->str, SP_SLUG_MAX_LENGTH);
}

gboolean
sp_slug_is_valid (const char *slug)
{
  gsize len;

  if (slug == NULL)
    return FALSE;
  len = strlen (slug);
  if (len == 0 || len > SP_SLUG_MAX_LENGTH)
    return FALSE;
  if (slug[0] == '-' || slug[len - 1] == '-')
    return FALSE;
  for (const char *p = slug; *p; p++)
    {
      if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
        return FALSE;
      if (*p == '-' && p[1] == '-')
        return FALSE;
    }
  return TRUE;
}

char *
sp_slug_make_unique (const char      *name,
                     SpSlugTakenFunc  is_taken,
                     gpointer         user_data)
{
  g_autofree char *base = sp_slug_from_name (name);

  if (is_taken == NULL || !is_taken (base, user_data))
    return g_steal_pointer (&base);

  for (guint n = 2; n < G_MAXUINT; n++)
    {
      g_autofree char *suffix = g_strdup_printf ("-%u", n);
      g_autofree char *head = truncate_slug (base, SP_SLUG_MAX_LENGTH - strlen (suffix));
      g_autofree char *candidate = g_strconcat (head, suffix, NULL);

      if (!is_taken (candidate, user_data))
        return g_steal_pointer (&candidate);
    }
  g_assert_not_reached ();
}
