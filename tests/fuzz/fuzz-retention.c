/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The retention keys ([Retention] of game.ini and library.ini) through
 * sp_retention_parse(), and the same input as the marker of a drive-trash
 * entry through sp_drive_trash_list() and sp_drive_trash_expire(): a
 * marker never makes emptying remove a file Savepoint did not put there. */
#include "config.h"

#include "fuzz-common.h"

#include "core/sp-checkpoint.h"
#include "core/sp-drive-trash.h"
#include "core/sp-keyfile.h"
#include "core/sp-retention.h"
#include "core/sp-slug.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *library = fuzz_fresh_dir ("Savepoint");
  g_autofree char *entry = g_build_filename (library, "trash", "game.x", NULL);
  g_autofree char *marker = NULL;
  g_autofree char *stranger = NULL;
  g_autofree char *outside = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) removed = NULL;

  kf = sp_key_file_load_from_data ((const char *) data, size, "game.ini", &error);
  if (kf != NULL)
    {
      SpRetention r = { 0 };

      if (sp_retention_parse (kf, "game.ini", NULL, &r, &error))
        {
          g_assert_no_error (error);
          g_assert_true (!r.has_keep_last || r.keep_last <= SP_RETENTION_KEEP_LAST_MAX);
          g_assert_true (!r.has_keep_daily || r.keep_daily <= SP_RETENTION_KEEP_DAILY_MAX);
          g_assert_true (!r.has_max_size ||
                         (r.max_size >= 1000000 &&
                          r.max_size <= (guint64) SP_RETENTION_MAX_SIZE_GB * 1000000000));
        }
      else
        g_assert_nonnull (error);
    }
  g_clear_error (&error);

  marker = fuzz_write (entry, SP_DRIVE_TRASH_MARKER, data, size);
  stranger = fuzz_write (entry, "keep.me", (const uint8_t *) "x", 1);
  outside = fuzz_write (library, "victim.tar.zst", (const uint8_t *) "x", 1);
  entries = sp_drive_trash_list (library, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, <=, 1);
  for (guint i = 0; i < entries->len; i++)
    {
      SpDriveTrashEntry *e = g_ptr_array_index (entries, i);

      g_assert_true (sp_slug_is_valid (e->game));
      g_assert_true (sp_checkpoint_id_is_valid (e->checkpoint_id));
      g_assert_nonnull (e->trashed);
    }
  sp_drive_trash_expire (library, NULL, NULL, 0, 0, &removed, NULL);
  g_assert_true (g_file_test (stranger, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
  return 0;
}
