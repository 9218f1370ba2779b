/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-exclude.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-game-path.h"
#include "sp-library-error.h"

/* Where Wine, DXVK, VKD3D-Proton, the drivers and common engines keep what
 * they rebuild by themselves: keeping it makes checkpoints large and never
 * saves progress. Relative to the prefix (the game folder). */
static const char * const wine_defaults[] = {
  "drive_c/windows/temp",
  "drive_c/users/*/Temp",
  "drive_c/users/*/AppData/Local/Temp",
  "drive_c/users/*/AppData/Local/CrashDumps",
  "drive_c/users/*/AppData/Local/D3DSCache",
  "drive_c/users/*/AppData/Local/NVIDIA/DXCache",
  "drive_c/users/*/AppData/Local/NVIDIA/GLCache",
  "drive_c/users/*/AppData/Local/AMD/DxCache",
  "drive_c/users/*/AppData/Local/AMD/VkCache",
  "drive_c/users/*/AppData/Local/*/ShaderCache",
  "drive_c/users/*/AppData/Local/*/Saved/Crashes",
  "*.dxvk-cache",
  "vkd3d-proton.cache",
  "vkd3d-proton.cache.write",
  NULL
};

const char * const *
sp_exclude_wine_defaults (void)
{
  return wine_defaults;
}

gboolean
sp_exclude_pattern_is_valid (const char  *pattern,
                             GError     **error)
{
  g_return_val_if_fail (pattern != NULL, FALSE);

  if (!sp_game_path_is_valid (pattern, error))
    return FALSE;
  if (pattern[strspn (pattern, "*?/")] == '\0')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” would leave out every file, saves included. Name the folder or "
                     "files to leave out, e.g. “cache” or “*.log”."), pattern);
      return FALSE;
    }
  return TRUE;
}

GStrv
sp_game_get_effective_exclusions (SpGame *game)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  g_strv_builder_addv (builder, (const char **) sp_game_get_exclude (game));
  if (sp_game_get_kind (game) == SP_GAME_KIND_WINE && sp_game_get_exclude_defaults (game))
    g_strv_builder_addv (builder, (const char **) wine_defaults);
  return g_strv_builder_end (builder);
}
