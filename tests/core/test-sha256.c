/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "core/sp-core.h"
#include "sp-test-common.h"

#include "archive/sp-sha256.h"

static char *
digest_in_pieces (const guchar *data,
                  gsize         length,
                  gsize         piece)
{
  g_autoptr(SpSha256) sha = sp_sha256_new ();

  for (gsize offset = 0; offset < length; offset += piece)
    sp_sha256_update (sha, data + offset, MIN (piece, length - offset));
  return g_strdup (sp_sha256_get_string (sha));
}

/* FIPS 180-2's examples. */
static void
test_sha256_vectors (void)
{
  static const struct { const char *input; const char *digest; } vectors[] = {
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  };
  g_autofree guchar *million = g_malloc (1000000);

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(SpSha256) sha = sp_sha256_new ();

      sp_sha256_update (sha, vectors[i].input, strlen (vectors[i].input));
      g_assert_cmpstr (sp_sha256_get_string (sha), ==, vectors[i].digest);
      /* Asking twice gives the same answer. */
      g_assert_cmpstr (sp_sha256_get_string (sha), ==, vectors[i].digest);
    }

  memset (million, 'a', 1000000);
  for (gsize piece = 1; piece <= 1000000; piece *= 10)
    {
      g_autofree char *hex = digest_in_pieces (million, 1000000, piece == 1 ? 64 : piece + 7);

      g_assert_cmpstr (hex, ==, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
}

/* The same answers as GLib's portable implementation, which checkpoints
 * written before the switch were hashed with, for every length around the
 * 64-byte block size and in uneven pieces. */
static void
test_sha256_matches_glib (void)
{
  g_autofree guchar *data = g_malloc (4096);

  for (guint i = 0; i < 4096; i++)
    data[i] = (guchar) (i * 131 + (i >> 5));
  for (gsize length = 0; length <= 4096; length += (length < 200 ? 1 : 97))
    {
      g_autoptr(GChecksum) reference = g_checksum_new (G_CHECKSUM_SHA256);
      g_autofree char *ours = digest_in_pieces (data, length, 13);

      g_checksum_update (reference, data, length);
      g_assert_cmpstr (ours, ==, g_checksum_get_string (reference));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sha256/vectors", test_sha256_vectors);
  g_test_add_func ("/sha256/matches-glib", test_sha256_matches_glib);
  return g_test_run ();
}
