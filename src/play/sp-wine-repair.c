/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Repairing the user folders of a Wine game's clean install. */
#include "config.h"

#include "sp-wine-repair.h"

#include <glib/gi18n.h>

#include "core/sp-library-error.h"
#include "core/sp-wine-prefix.h"
#include "sp-lock.h"

gboolean
sp_wine_repair_is_needed (SpGame *game)
{
  g_auto(GStrv) outside = NULL;

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  if (sp_game_get_kind (game) != SP_GAME_KIND_WINE)
    return FALSE;
  outside = sp_wine_prefix_find_outside_links (sp_game_get_base_path (game), TRUE, NULL, NULL);
  return outside != NULL && outside[0] != NULL;
}

static gboolean
check_repairable (SpGame  *game,
                  GError **error)
{
  if (sp_game_get_read_only (game))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY,
                   _("“%s” is in a library of a newer Savepoint: its clean install is not "
                     "changed."), sp_game_get_name (game));
      return FALSE;
    }
  if (sp_game_get_kind (game) != SP_GAME_KIND_WINE)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a Wine game: there are no user folders to repair."),
                   sp_game_get_name (game));
      return FALSE;
    }
  return TRUE;
}

static gboolean
repair_files (const char    *name,
              const char    *lock_path,
              const char    *base_path,
              GStrv         *out_replaced,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(SpLock) lock = sp_lock_acquire (lock_path, name, error);

  if (lock == NULL)
    return FALSE;
  return sp_wine_prefix_keep_folders_inside (base_path, out_replaced, cancellable, error);
}

gboolean
sp_wine_repair_sync (SpGame        *game,
                     GStrv         *out_replaced,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *lock_path = NULL;

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  if (out_replaced != NULL)
    *out_replaced = NULL;
  if (!check_repairable (game, error))
    return FALSE;
  lock_path = sp_game_lock_path (game);
  return repair_files (sp_game_get_name (game), lock_path, sp_game_get_base_path (game),
                       out_replaced, cancellable, error);
}

typedef struct
{
  char *name;
  char *lock_path;
  char *base_path;
} RepairData;

static void
repair_data_free (RepairData *data)
{
  g_free (data->name);
  g_free (data->lock_path);
  g_free (data->base_path);
  g_free (data);
}

static void
repair_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RepairData *data = task_data;
  g_auto(GStrv) replaced = NULL;
  GError *error = NULL;

  if (!repair_files (data->name, data->lock_path, data->base_path, &replaced, cancellable,
                     &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&replaced), (GDestroyNotify) g_strfreev);
}

void
sp_wine_repair_async (SpGame              *game,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RepairData *data;
  GError *error = NULL;

  g_return_if_fail (SP_IS_GAME (game));

  task = g_task_new (game, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_wine_repair_async);
  if (!check_repairable (game, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (RepairData, 1);
  data->name = g_strdup (sp_game_get_name (game));
  data->lock_path = sp_game_lock_path (game);
  data->base_path = g_strdup (sp_game_get_base_path (game));
  g_task_set_task_data (task, data, (GDestroyNotify) repair_data_free);
  g_task_run_in_thread (task, repair_thread);
}

GStrv
sp_wine_repair_finish (SpGame        *game,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, game), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
