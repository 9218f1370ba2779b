/* SPDX-License-Identifier: GPL-3.0-or-later */
/* game.ini from a drive, through sp_game_load(): the input is written as
 * games/fuzz-game/game.ini beside an empty base/ and checkpoints/. */
#include "config.h"

#include "fuzz-common.h"

#include "core/sp-game.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *games = fuzz_fresh_dir ("game");
  g_autofree char *dir = g_build_filename (games, "fuzz-game", NULL);
  g_autofree char *base = g_build_filename (dir, "base", NULL);
  g_autofree char *checkpoints = g_build_filename (dir, "checkpoints", NULL);
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;

  g_free (fuzz_write (dir, "game.ini", data, size));
  g_assert_cmpint (g_mkdir (base, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (checkpoints, 0700), ==, 0);
  game = sp_game_load (dir, TRUE, &error);
  if (game == NULL)
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  /* Everything a session and the app read of it. */
  g_assert_cmpstr (sp_game_get_slug (game), ==, "fuzz-game");
  (void) sp_game_get_name (game);
  (void) sp_game_get_kind (game);
  (void) sp_game_get_executable (game);
  g_assert_nonnull (sp_game_get_arguments (game));
  (void) sp_game_get_working_directory (game);
  g_assert_nonnull (sp_game_get_environment (game));
  (void) sp_game_get_runner (game);
  (void) sp_game_get_home (game);
  (void) sp_game_get_icon (game);
  (void) sp_game_get_head (game);
  (void) sp_game_get_head_checkpoint (game);
  (void) sp_game_get_problems (game);
  (void) sp_game_get_last_played (game);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 0);
  return 0;
}
