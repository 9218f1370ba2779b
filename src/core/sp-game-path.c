/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-game-path.h"
#include "sp-library.h"

gboolean
sp_game_path_is_valid (const char  *path,
                       GError     **error)
{
  const char *p;
  const char *component;

  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] == '\0')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The path is empty. Name a file or folder inside the game, e.g. “bin/game”."));
      return FALSE;
    }
  if (strlen (path) > SP_GAME_PATH_MAX_LENGTH || !g_utf8_validate (path, -1, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The path is too long or not valid UTF-8."));
      return FALSE;
    }
  if (path[0] == '/' || path[0] == '\\')
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is an absolute path; it must be relative to the game’s folder, "
                     "e.g. “bin/game”."), path);
      return FALSE;
    }
  for (p = path; *p; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The path “%s” holds a control character."), path);
          return FALSE;
        }
    }

  /* Components, split at "/" and, for Wine, at "\". */
  component = path;
  for (p = path;; p++)
    {
      if (*p == '/' || *p == '\\' || *p == '\0')
        {
          gsize len = (gsize) (p - component);

          if (len == 2 && component[0] == '.' && component[1] == '.')
            {
              g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("“%s” goes up with “..”; it must stay inside the game’s folder."),
                           path);
              return FALSE;
            }
          /* An empty component: "a//b" or "a/\b" is a typo at best; one
           * trailing "/" on a folder is fine. */
          if (len == 0 && !(*p == '\0' && p[-1] == '/'))
            {
              g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("“%s” has an empty component (“//”); write each folder name once."),
                           path);
              return FALSE;
            }
          if (*p == '\0')
            break;
          component = p + 1;
        }
    }
  return TRUE;
}
