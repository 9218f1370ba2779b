/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The metadata entry of a checkpoint archive (an exported file or one on a
 * drive), through sp_archive_read_metadata(), then parsed as `import`
 * parses it. See fuzz_archive_bytes() for the input. */
#include "config.h"

#include "fuzz-common.h"

#include "archive/sp-archive.h"
#include "core/sp-keyfile.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *dir = fuzz_fresh_dir ("metadata");
  g_autoptr(GBytes) bytes = fuzz_archive_bytes (data, size);
  gsize length;
  const uint8_t *contents = g_bytes_get_data (bytes, &length);
  g_autofree char *archive = fuzz_write (dir, "export.tar.zst", contents, length);
  g_autofree char *text = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *created = NULL;
  g_autofree char *label = NULL;
  gint64 play_time = 0;

  text = sp_archive_read_metadata (archive, &error);
  if (text == NULL)
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  meta = sp_key_file_load_from_data (text, -1, "export.tar.zst:.savepoint/checkpoint.ini", &error);
  if (meta == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  created = g_key_file_get_string (meta, "Checkpoint", "Created", NULL);
  if (created != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (g_strstrip (created), NULL);

      if (when != NULL)
        {
          g_autoptr(GDateTime) utc = g_date_time_to_utc (when);

          if (utc != NULL)
            g_free (g_date_time_format_iso8601 (utc));
        }
    }
  if (!sp_key_file_get_int64 (meta, "export.tar.zst", "Checkpoint", "PlayTime", 0, &play_time, &error))
    g_assert_nonnull (error);
  label = g_key_file_get_string (meta, "Checkpoint", "Label", NULL);
  return 0;
}
