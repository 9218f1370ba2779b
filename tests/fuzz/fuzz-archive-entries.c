/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every entry of a checkpoint archive, through sp_archive_verify() and
 * sp_archive_unpack() into a temporary folder. See fuzz_archive_bytes() for
 * the input. Checks what the unpacker promises: an archive is either
 * unpacked into the destination, and nothing lands beside it, or refused
 * with an error and nothing is left behind at all; and that verify (which
 * applies the unpack rules without writing) calls good exactly what unpack
 * accepts, so `verify` and `import` never pass what `play` refuses. */
#include "config.h"

#include "fuzz-common.h"

#include "archive/sp-archive.h"
#include "common/sp-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *dir = fuzz_fresh_dir ("entries");
  g_autoptr(GBytes) bytes = fuzz_archive_bytes (data, size);
  gsize length;
  const uint8_t *contents = g_bytes_get_data (bytes, &length);
  g_autofree char *archive = fuzz_write (dir, "checkpoint.tar.zst", contents, length);
  g_autofree char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, contents, length);
  g_autofree char *dest = g_build_filename (dir, "upper", NULL);
  g_autofree char *left = NULL;
  g_autoptr(GError) error = NULL;
  gboolean good;

  /* The checksum check takes the archive's own values and no other. */
  good = sp_archive_verify (archive, length, sha256, NULL, &error);
  g_assert_true (good == (error == NULL));
  g_clear_error (&error);
  g_assert_false (sp_archive_verify (archive, length + 1, sha256, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  if (sp_archive_unpack (archive, dest, NULL, NULL, NULL, &error))
    {
      g_assert_no_error (error);
      g_assert_true (good);
      g_assert_true (g_file_test (dest, G_FILE_TEST_IS_DIR));
      left = fuzz_list_dir (dir);
      g_assert_cmpstr (left, ==, "checkpoint.tar.zst/upper");
      if (!sp_remove_tree (dest, NULL, &error))
        g_error ("fuzz: could not remove %s: %s", dest, error->message);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      if (good)
        g_error ("fuzz: verify called good what unpack refused: %s", error->message);
      left = fuzz_list_dir (dir);
      g_assert_cmpstr (left, ==, "checkpoint.tar.zst");
    }
  return 0;
}
