/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SpGameInfo: the one record of a game's launch settings. */
#include "config.h"

#include "sp-game-private.h"

#include "sp-keyfile.h"

static const char * const empty_strv[] = { NULL };

static const char * const *
strv_or_empty (const char * const *strv)
{
  return strv != NULL ? strv : empty_strv;
}

SpGameInfo *
sp_game_info_copy (const SpGameInfo *info)
{
  SpGameInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (SpGameInfo, 1);
  copy->name = g_strdup (info->name);
  copy->kind = info->kind;
  copy->executable = g_strdup (info->executable);
  copy->arguments = (const char * const *) g_strdupv ((char **) strv_or_empty (info->arguments));
  copy->working_directory = g_strdup (info->working_directory);
  copy->environment = (const char * const *) g_strdupv ((char **) strv_or_empty (info->environment));
  copy->runner = g_strdup (info->runner);
  copy->home = g_strdup (info->home);
  copy->icon = g_strdup (info->icon);
  return copy;
}

void
sp_game_info_free (SpGameInfo *info)
{
  if (info == NULL)
    return;
  g_free ((char *) info->name);
  g_free ((char *) info->executable);
  g_strfreev ((char **) info->arguments);
  g_free ((char *) info->working_directory);
  g_strfreev ((char **) info->environment);
  g_free ((char *) info->runner);
  g_free ((char *) info->home);
  g_free ((char *) info->icon);
  g_free (info);
}

gboolean
sp_game_info_equal (const SpGameInfo *a,
                    const SpGameInfo *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->name, b->name) == 0 &&
         a->kind == b->kind &&
         g_strcmp0 (a->executable, b->executable) == 0 &&
         g_strv_equal (strv_or_empty (a->arguments), strv_or_empty (b->arguments)) &&
         g_strcmp0 (a->working_directory, b->working_directory) == 0 &&
         g_strv_equal (strv_or_empty (a->environment), strv_or_empty (b->environment)) &&
         g_strcmp0 (a->runner, b->runner) == 0 &&
         g_strcmp0 (a->home, b->home) == 0 &&
         g_strcmp0 (a->icon, b->icon) == 0;
}

/* Sets the [Game] keys of game.ini that @info holds (Name to "" when
 * unset); empty lists and unset values remove their key. Other keys and
 * groups are left as they are. */
void
_sp_game_info_to_key_file (const SpGameInfo *info,
                           GKeyFile         *kf)
{
  const char * const *arguments = strv_or_empty (info->arguments);
  const char * const *environment = strv_or_empty (info->environment);

  g_key_file_set_string (kf, GAME_GROUP, "Name", info->name ? info->name : "");
  g_key_file_set_string (kf, GAME_GROUP, "Kind", sp_game_kind_to_string (info->kind));
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Executable", info->executable);
  if (arguments[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Arguments", arguments,
                                g_strv_length ((char **) arguments));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Arguments", NULL);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "WorkingDirectory",
                                    info->working_directory);
  if (environment[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Environment", environment,
                                g_strv_length ((char **) environment));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Environment", NULL);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Runner", info->runner);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Home", info->home);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Icon", info->icon);
}
