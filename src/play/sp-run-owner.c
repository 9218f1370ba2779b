/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-run-owner.h"

SpGame *
sp_run_owner_match (SpRun      *run,
                    const char *library_id,
                    GPtrArray  *games)
{
  g_return_val_if_fail (SP_IS_RUN (run), NULL);
  g_return_val_if_fail (games != NULL, NULL);

  if (library_id == NULL || g_strcmp0 (sp_run_get_library_id (run), library_id) != 0)
    return NULL;
  for (guint i = 0; i < games->len; i++)
    {
      SpGame *game = g_ptr_array_index (games, i);

      if (g_strcmp0 (sp_game_get_slug (game), sp_run_get_slug (run)) == 0)
        return game;
    }
  return NULL;
}

/* The library at the run's LibraryPath, if it is the run's. */
static SpLibrary *
open_run_library (SpRun   *run,
                  GError **error)
{
  const char *path = sp_run_get_library_path (run);
  g_autoptr(SpLibrary) library = NULL;

  if (path == NULL)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                   _("The run of “%s” does not say where its library is; use --library DIR."),
                   sp_run_get_game_name (run));
      return NULL;
    }
  library = sp_library_open (path, error);
  if (library == NULL)
    {
      g_prefix_error (error, _("The library of the run of “%s” is not available (is its drive connected?): "),
                      sp_run_get_game_name (run));
      return NULL;
    }
  if (g_strcmp0 (sp_library_get_id (library), sp_run_get_library_id (run)) != 0)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                   _("The library at “%s” is not the one the run of “%s” belongs to; "
                     "connect its drive or use --library DIR."),
                   path, sp_run_get_game_name (run));
      return NULL;
    }
  return g_steal_pointer (&library);
}

SpGame *
sp_run_owner_find (SpRun      *run,
                   SpLibrary  *library,
                   SpLibrary **out_library,
                   GError    **error)
{
  g_autoptr(SpLibrary) owner = NULL;
  g_autoptr(GPtrArray) games = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;
  SpGame *game;

  g_return_val_if_fail (SP_IS_RUN (run), NULL);
  g_return_val_if_fail (library == NULL || SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (out_library != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (library != NULL && g_strcmp0 (sp_library_get_id (library), sp_run_get_library_id (run)) == 0)
    owner = g_object_ref (library);
  else if ((owner = open_run_library (run, error)) == NULL)
    return NULL;

  model = sp_library_get_games (owner);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (games, g_list_model_get_item (model, i));
  game = sp_run_owner_match (run, sp_library_get_id (owner), games);
  if (game == NULL)
    {
      g_set_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND,
                   _("The game “%s” of this run is no longer in the library “%s”; discard the run."),
                   sp_run_get_slug (run), sp_library_get_path (owner));
      return NULL;
    }
  *out_library = g_steal_pointer (&owner);
  return g_object_ref (game);
}
