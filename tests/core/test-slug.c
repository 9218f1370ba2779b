/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "core/sp-core.h"
#include "sp-test-common.h"

static void
check (const char *name,
       const char *expected)
{
  g_autofree char *slug = sp_slug_from_name (name);

  g_assert_cmpstr (slug, ==, expected);
  g_assert_true (sp_slug_is_valid (slug));
}

static void
test_slug_names (void)
{
  check ("Ōkami HD", "okami-hd");
  check ("Half-Life 2", "half-life-2");
  check ("  The   Witcher 3:  Wild Hunt  ", "the-witcher-3-wild-hunt");
  check ("Déjà Vu — Édition Spéciale", "deja-vu-edition-speciale");
  check ("---", "game");
  check ("..", "game");
  check (".", "game");
  check ("", "game");
  check ("🎮🎲", "game");
  check ("🎮 Tetris 🎲", "tetris");
  check ("../../etc/passwd", "etc-passwd");
  check ("a/b\\c", "a-b-c");
  check ("UPPER lower 123", "upper-lower-123");
}

static void
test_slug_long (void)
{
  g_autofree char *name = g_strnfill (200, 'x');
  g_autofree char *slug = sp_slug_from_name (name);
  g_autofree char *ys = g_strnfill (SP_SLUG_MAX_LENGTH - 1, 'y');
  g_autofree char *dashed = NULL;
  g_autofree char *slug2 = NULL;

  g_assert_cmpuint (strlen (slug), ==, SP_SLUG_MAX_LENGTH);
  g_assert_true (sp_slug_is_valid (slug));

  /* Truncation never leaves a trailing dash. */
  dashed = g_strdup_printf ("%s word", ys);
  slug2 = sp_slug_from_name (dashed);
  g_assert_true (sp_slug_is_valid (slug2));
  g_assert_false (g_str_has_suffix (slug2, "-"));
}

static gboolean
taken_cb (const char *slug,
          gpointer    user_data)
{
  return g_hash_table_contains (user_data, slug);
}

static void
test_slug_unique (void)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *long_name = g_strnfill (100, 'z');

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *slug = sp_slug_make_unique ("Doom", taken_cb, taken);
      g_autofree char *expected = i == 0 ? g_strdup ("doom") : g_strdup_printf ("doom-%u", i + 1);

      g_assert_cmpstr (slug, ==, expected);
      g_hash_table_add (taken, g_steal_pointer (&slug));
    }

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *slug = sp_slug_make_unique (long_name, taken_cb, taken);

      g_assert_true (sp_slug_is_valid (slug));
      g_assert_cmpuint (strlen (slug), <=, SP_SLUG_MAX_LENGTH);
      if (i > 0)
        {
          g_autofree char *suffix = g_strdup_printf ("-%u", i + 1);
          g_assert_true (g_str_has_suffix (slug, suffix));
        }
      g_hash_table_add (taken, g_steal_pointer (&slug));
    }
}

static void
test_slug_invalid (void)
{
  g_assert_false (sp_slug_is_valid (NULL));
  g_assert_false (sp_slug_is_valid (""));
  g_assert_false (sp_slug_is_valid ("."));
  g_assert_false (sp_slug_is_valid (".."));
  g_assert_false (sp_slug_is_valid ("-a"));
  g_assert_false (sp_slug_is_valid ("a--b"));
  g_assert_false (sp_slug_is_valid ("A"));
  g_assert_false (sp_slug_is_valid ("a/b"));
  g_assert_true (sp_slug_is_valid ("a-b-2"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slug/names", test_slug_names);
  g_test_add_func ("/slug/long", test_slug_long);
  g_test_add_func ("/slug/unique", test_slug_unique);
  g_test_add_func ("/slug/invalid", test_slug_invalid);
  return g_test_run ();
}
