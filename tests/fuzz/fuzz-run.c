/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run's run.ini, through sp_run_load(). Runs live on the local disk, but
 * their values (library id, slug, head) come from the drive and a run
 * folder may be left by another version or user: the input is written as
 * <run>/run.ini. */
#include "config.h"

#include "fuzz-common.h"

#include "play/sp-run.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *dir = fuzz_fresh_dir ("run");
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GError) error = NULL;

  g_free (fuzz_write (dir, "run.ini", data, size));
  run = sp_run_load (dir, &error);
  if (run == NULL)
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  /* Everything `savepoint-cli runs` and recovery read of it. */
  g_assert_cmpstr (sp_run_get_path (run), ==, dir);
  (void) sp_run_get_upper_path (run);
  (void) sp_run_get_work_path (run);
  (void) sp_run_get_log_path (run);
  (void) sp_run_get_library_id (run);
  (void) sp_run_get_library_path (run);
  (void) sp_run_get_slug (run);
  (void) sp_run_get_game_name (run);
  (void) sp_run_get_head (run);
  g_assert_nonnull (sp_run_get_started (run));
  (void) sp_run_get_ended (run);
  (void) sp_run_get_status (run);
  (void) sp_run_get_error (run);
  (void) sp_run_get_exit_status (run);
  (void) sp_run_get_play_time (run);
  (void) sp_run_is_pending (run);
  return 0;
}
