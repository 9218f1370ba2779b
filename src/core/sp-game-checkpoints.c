/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-game-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sp-keyfile.h"
#include "sp-library.h"
#include "sp-task-private.h"
#include "sp-util.h"

/* The checkpoints of a game: create, verify. Restore, delete and rename are
 * in sp-game-write.c, export and import in sp-game-transfer.c. */

void
_sp_game_insert_checkpoint (SpGame       *self,
                            SpCheckpoint *checkpoint)
{
  g_list_store_insert_sorted (self->checkpoints, checkpoint, sp_checkpoint_compare, NULL);
}

void
_sp_game_remove_checkpoint (SpGame       *self,
                   SpCheckpoint *checkpoint)
{
  guint pos;

  if (g_list_store_find (self->checkpoints, checkpoint, &pos))
    g_list_store_remove (self->checkpoints, pos);
}

SpCheckpoint *
_sp_game_lookup_checkpoint (SpGame      *self,
                            const char  *id,
                            GError     **error)
{
  SpCheckpoint *c = sp_game_find_checkpoint (self, id);

  if (c == NULL)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                 _("The game “%s” has no checkpoint “%s” (in %s). List them with "
                   "“savepoint-cli checkpoints %s”."),
                 self->name, id ? id : "", self->checkpoints_path, self->slug);
  return c;
}

gboolean
_sp_game_ensure_checkpoints_dir (const char  *path,
                                 GError     **error)
{
  if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
    return sp_set_error_from_errno (error, errno, _("Cannot create the folder “%s”"), path);
  return TRUE;
}

/* A fresh id with no .ini, archive or partial archive under @dir. */
char *
_sp_game_unused_checkpoint_id (const char *dir)
{
  for (;;)
    {
      g_autofree char *id = sp_checkpoint_new_id ();
      g_autofree char *ini = g_strdup_printf ("%s/%s.ini", dir, id);
      g_autofree char *archive = g_strdup_printf ("%s/%s.tar.zst", dir, id);
      g_autofree char *partial = g_strdup_printf ("%s/%s.tar.zst.partial", dir, id);

      /* Only a well-formed id may name files in the checkpoints folder. */
      g_assert (sp_checkpoint_id_is_valid (id));

      if (!g_file_test (ini, G_FILE_TEST_EXISTS) &&
          !g_file_test (archive, G_FILE_TEST_EXISTS) &&
          !g_file_test (partial, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&id);
    }
}

/* ISO 8601 in UTC with microseconds, so that checkpoints made within one
 * second still sort in the order they were made. */
char *
_sp_game_format_created (GDateTime *dt)
{
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* Writes <dir>/<id>.ini describing an archive already in place. */
gboolean
_sp_game_write_checkpoint_ini (const char           *ini_path,
                               GKeyFile             *metadata,
                               const SpArchiveStats *stats,
                               GError              **error)
{
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "Files", stats->files);
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "Bytes", stats->bytes);
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "ArchiveSize", stats->archive_size);
  g_key_file_set_string (metadata, CHECKPOINT_GROUP, "SHA256", stats->sha256);
  return sp_key_file_save (metadata, ini_path, error);
}

/* The file work of creating a checkpoint; runs in any thread. */
static SpCheckpoint *
create_checkpoint_files (const char      *checkpoints_path,
                         const char      *upper_dir,
                         const char      *parent,
                         const char      *label,
                         gint64           play_time,
                         SpProgressFunc   progress,
                         gpointer         progress_data,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = _sp_game_format_created (now);
  g_autofree char *id = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *metadata = NULL;
  SpArchiveStats stats = { 0 };
  SpCheckpoint *checkpoint;

  if (!g_file_test (upper_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder: there is nothing to pack into a checkpoint."),
                   upper_dir);
      return NULL;
    }
  if (!_sp_game_ensure_checkpoints_dir (checkpoints_path, error))
    return NULL;

  id = _sp_game_unused_checkpoint_id (checkpoints_path);
  archive = g_strdup_printf ("%s/%s.tar.zst", checkpoints_path, id);
  ini = g_strdup_printf ("%s/%s.ini", checkpoints_path, id);

  if (parent != NULL)
    g_key_file_set_string (kf, CHECKPOINT_GROUP, "Parent", parent);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Created", created);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  g_key_file_set_int64 (kf, CHECKPOINT_GROUP, "PlayTime", MAX (play_time, 0));
  metadata = g_key_file_to_data (kf, NULL, NULL);

  if (!sp_archive_pack (upper_dir, metadata, archive, 0, progress, progress_data,
                        cancellable, &stats, error))
    return NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !_sp_game_write_checkpoint_ini (ini, kf, &stats, error))
    {
      g_unlink (archive);
      return NULL;
    }

  checkpoint = sp_checkpoint_load (ini, error);
  if (checkpoint == NULL)
    {
      g_unlink (ini);
      g_unlink (archive);
    }
  return checkpoint;
}

static gboolean
finish_created (SpGame        *self,
                SpCheckpoint  *checkpoint,
                gboolean       set_head_to_it,
                GError       **error)
{
  _sp_game_insert_checkpoint (self, checkpoint);
  if (set_head_to_it && !_sp_game_save_head (self, sp_checkpoint_get_id (checkpoint), error))
    {
      g_prefix_error (error, _("Checkpoint %s was saved but could not be made the current one: "),
                      sp_checkpoint_get_id (checkpoint));
      return FALSE;
    }
  return TRUE;
}

SpCheckpoint *
sp_game_create_checkpoint_sync (SpGame          *self,
                                const char      *upper_dir,
                                const char      *label,
                                gint64           play_time,
                                gboolean         set_head_to_it,
                                SpProgressFunc   progress,
                                gpointer         progress_data,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  return sp_game_create_checkpoint_with_parent_sync (self, upper_dir, self->head, label,
                                                     play_time, set_head_to_it, progress,
                                                     progress_data, cancellable, error);
}

SpCheckpoint *
sp_game_create_checkpoint_with_parent_sync (SpGame          *self,
                                            const char      *upper_dir,
                                            const char      *parent,
                                            const char      *label,
                                            gint64           play_time,
                                            gboolean         set_head_to_it,
                                            SpProgressFunc   progress,
                                            gpointer         progress_data,
                                            GCancellable    *cancellable,
                                            GError         **error)
{
  g_autoptr(SpCheckpoint) checkpoint = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (upper_dir != NULL, NULL);

  if (!_sp_game_check_writable (self, error))
    return NULL;
  checkpoint = create_checkpoint_files (self->checkpoints_path, upper_dir, parent, label,
                                        play_time, progress, progress_data, cancellable, error);
  if (checkpoint == NULL)
    return NULL;
  if (!finish_created (self, checkpoint, set_head_to_it, error))
    return NULL;
  return g_steal_pointer (&checkpoint);
}

/* The task of an async call that changes the game; NULL when the game is
 * read-only, and then the error has gone to @callback. */
GTask *
_sp_game_writable_task_new (SpGame              *self,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GError *error = NULL;

  _sp_game_check_writable (self, &error);
  return _sp_task_new_unless_error (self, source_tag, cancellable, callback, user_data, error);
}

void
_sp_game_task_data_free (SpGameTaskData *data)
{
  g_free (data->checkpoints_path);
  g_free (data->upper_dir);
  g_free (data->parent);
  g_free (data->label);
  g_free (data->id);
  g_free (data->path);
  g_free (data);
}

static gpointer
create_thread (gpointer       task_data,
               GCancellable  *cancellable,
               GError       **error)
{
  SpGameTaskData *data = task_data;

  return create_checkpoint_files (data->checkpoints_path, data->upper_dir, data->parent,
                                  data->label, data->play_time, data->progress,
                                  data->progress_data, cancellable, error);
}

static gpointer
create_finish (gpointer       source_object,
               gpointer       task_data,
               gpointer       value,
               GError       **error)
{
  SpGameTaskData *data = task_data;
  g_autoptr(SpCheckpoint) checkpoint = value;

  if (checkpoint == NULL)
    return NULL;
  if (!finish_created (SP_GAME (source_object), checkpoint, data->set_head, error))
    return NULL;
  return g_steal_pointer (&checkpoint);
}

void
sp_game_create_checkpoint_async (SpGame              *self,
                                 const char          *upper_dir,
                                 const char          *label,
                                 gint64               play_time,
                                 gboolean             set_head_to_it,
                                 SpProgressFunc       progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));

  sp_game_create_checkpoint_with_parent_async (self, upper_dir, self->head, label, play_time,
                                               set_head_to_it, progress, progress_data,
                                               cancellable, callback, user_data);
}

void
sp_game_create_checkpoint_with_parent_async (SpGame              *self,
                                             const char          *upper_dir,
                                             const char          *parent,
                                             const char          *label,
                                             gint64               play_time,
                                             gboolean             set_head_to_it,
                                             SpProgressFunc       progress,
                                             gpointer             progress_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GTask *outer;
  SpGameTaskData *data;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (upper_dir != NULL);

  outer = _sp_game_writable_task_new (self, sp_game_create_checkpoint_async,
                                      cancellable, callback, user_data);
  if (outer == NULL)
    return;

  data = g_new0 (SpGameTaskData, 1);
  data->checkpoints_path = g_strdup (self->checkpoints_path);
  data->upper_dir = g_strdup (upper_dir);
  data->parent = g_strdup (parent);
  data->label = g_strdup (label);
  data->play_time = play_time;
  data->set_head = set_head_to_it;
  data->progress = progress;
  data->progress_data = progress_data;

  /* Once the files are written, the checkpoint exists: it is reported even
   * if the cancellable fires after that point. */
  _sp_task_run_in_thread (outer, data, (GDestroyNotify) _sp_game_task_data_free,
                          create_thread, g_object_unref, create_finish, g_object_unref);
}

SpCheckpoint *
sp_game_create_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Runs in any thread: @checkpoints holds references taken beforehand. */
static GPtrArray *
verify_list (GPtrArray     *checkpoints,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_verify_problem_free);

  for (guint i = 0; i < checkpoints->len; i++)
    {
      SpCheckpoint *c = g_ptr_array_index (checkpoints, i);
      GError *local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!sp_checkpoint_verify_sync (c, cancellable, &local_error))
        {
          SpVerifyProblem *p;

          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, local_error);
              return NULL;
            }
          p = g_new0 (SpVerifyProblem, 1);
          p->checkpoint_id = g_strdup (sp_checkpoint_get_id (c));
          p->error = local_error;
          g_ptr_array_add (problems, p);
        }
    }
  return g_steal_pointer (&problems);
}

static GPtrArray *
collect_for_verify (SpGame      *self,
                    const char  *checkpoint_id,
                    GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

  if (checkpoint_id != NULL)
    {
      SpCheckpoint *c = _sp_game_lookup_checkpoint (self, checkpoint_id, error);

      if (c == NULL)
        return NULL;
      g_ptr_array_add (list, g_object_ref (c));
    }
  else
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->checkpoints));

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (list, g_list_model_get_item (G_LIST_MODEL (self->checkpoints), i));
    }
  return g_steal_pointer (&list);
}

GPtrArray *
sp_game_verify_sync (SpGame        *self,
                     const char    *checkpoint_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  list = collect_for_verify (self, checkpoint_id, error);
  if (list == NULL)
    return NULL;
  return verify_list (list, cancellable, error);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *problems = verify_list (task_data, cancellable, &error);

  if (problems == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, problems, (GDestroyNotify) g_ptr_array_unref);
}

void
sp_game_verify_async (SpGame              *self,
                      const char          *checkpoint_id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GPtrArray *list;

  g_return_if_fail (SP_IS_GAME (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_game_verify_async);
  list = collect_for_verify (self, checkpoint_id, &error);
  if (list == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, list, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, verify_thread);
}

GPtrArray *
sp_game_verify_finish (SpGame        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
