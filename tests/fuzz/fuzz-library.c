/* SPDX-License-Identifier: GPL-3.0-or-later */
/* library.ini from a drive, through sp_library_open(): the input is written
 * as <drive>/Savepoint/library.ini beside an empty games/ folder. */
#include "config.h"

#include "fuzz-common.h"

#include "core/sp-library.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *drive = fuzz_fresh_dir ("library");
  g_autofree char *games = g_build_filename (drive, "Savepoint", "games", NULL);
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;

  g_free (fuzz_write (drive, "Savepoint/library.ini", data, size));
  g_assert_cmpint (g_mkdir (games, 0700), ==, 0);
  library = sp_library_open (drive, &error);
  if (library == NULL)
    {
      /* Refused with a message, never silently. */
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  /* Everything the app and the CLI show of it. */
  g_assert_nonnull (sp_library_get_path (library));
  g_assert_nonnull (sp_library_get_games_path (library));
  (void) sp_library_get_id (library);
  (void) sp_library_get_name (library);
  (void) sp_library_get_version (library);
  (void) sp_library_get_read_only (library);
  (void) sp_library_get_warning (library);
  (void) sp_library_get_problems (library);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 0);
  return 0;
}
