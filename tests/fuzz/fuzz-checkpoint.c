/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A checkpoint's .ini from a drive, through sp_checkpoint_load(): the input
 * is written as checkpoints/<id>.ini (no archive beside it). */
#include "config.h"

#include "fuzz-common.h"

#include "core/sp-checkpoint.h"

#define ID "20261123T184512-ab12cd"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *dir = fuzz_fresh_dir ("checkpoints");
  g_autofree char *ini = fuzz_write (dir, ID ".ini", data, size);
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;

  checkpoint = sp_checkpoint_load (ini, &error);
  if (checkpoint == NULL)
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  g_assert_cmpstr (sp_checkpoint_get_id (checkpoint), ==, ID);
  (void) sp_checkpoint_get_parent (checkpoint);
  (void) sp_checkpoint_get_created (checkpoint);
  g_assert_nonnull (sp_checkpoint_get_label (checkpoint));
  /* A note that loads is one the app may show and write back. */
  g_assert_true (sp_checkpoint_note_is_valid (sp_checkpoint_get_note (checkpoint), NULL));
  (void) sp_checkpoint_get_pinned (checkpoint);
  (void) sp_checkpoint_get_play_time (checkpoint);
  (void) sp_checkpoint_get_files (checkpoint);
  (void) sp_checkpoint_get_bytes (checkpoint);
  (void) sp_checkpoint_get_archive_size (checkpoint);
  (void) sp_checkpoint_get_sha256 (checkpoint);
  (void) sp_checkpoint_get_archive_path (checkpoint);
  g_assert_true (sp_checkpoint_get_missing (checkpoint));
  /* Sorting it against itself (the timeline does) reads Created and id. */
  g_assert_cmpint (sp_checkpoint_compare (checkpoint, checkpoint, NULL), ==, 0);
  return 0;
}
