/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-game-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sp-drive-trash.h"
#include "sp-keyfile.h"
#include "sp-leftovers.h"
#include "sp-library.h"
#include "sp-task-private.h"
#include "common/sp-util.h"

/* The small writes that change a game: save game.ini, restore (move Head),
 * delete a checkpoint, and set its label (rename), note or pin; for
 * retention (sp-retention.c) also re-link a checkpoint to another parent and
 * move one to the drive's trash.
 *
 * Each runs in three steps, the same code for the sync and async calls:
 *
 * 1. prepare, on the calling (main) thread: validate and snapshot into an
 *    SpGameWrite everything that will be written; the object is unchanged;
 * 2. write_files, on any thread (a worker for the async calls): game.ini
 *    first, then the checkpoint's .ini rewritten (rename, note), or removed and
 *    then its archive (delete); each step done is recorded;
 * 3. apply, on the main thread: the object follows what reached the drive,
 *    also after a partial failure, and notifies.
 *
 * The sync calls run the three steps inline. The async calls of one game
 * are queued: each is prepared only once the one before it has been
 * applied, so it validates against the state that one left (delete then
 * restore of the same checkpoint fails cleanly). While an async write is
 * between prepare and apply, the sync calls (including sp_game_save_sync() and
 * so a checkpoint creation that moves Head) fail with SP_LIBRARY_ERROR_BUSY
 * instead of racing it: the main thread cannot wait for the worker.
 *
 * Cancelling a queued write returns G_IO_ERROR_CANCELLED and writes
 * nothing; once its worker has started, the write is done and reported. */

typedef enum
{
  WRITE_SAVE,
  WRITE_HEAD,
  WRITE_RESTORE,
  WRITE_DELETE,
  WRITE_RENAME,
  WRITE_NOTE,
  WRITE_PIN,
  WRITE_PARENT,
  WRITE_TRASH,
} WriteKind;

typedef struct
{
  /* The request. */
  WriteKind     kind;
  char         *checkpoint_id;
  char         *label;              /* the new label, note (WRITE_NOTE), "true" or NULL
                                       (WRITE_PIN), or parent id or NULL (WRITE_PARENT) */

  /* Set by prepare (main thread). */
  char         *game_ini_path;
  char         *game_ini_data;      /* game.ini to write first, or NULL */
  char         *head;               /* the Head in game_ini_data */
  SpCheckpoint *checkpoint;         /* renamed or deleted; touched on the main thread only */
  char         *checkpoints_path;
  char         *ini_path;           /* the checkpoint's .ini */
  char         *archive_path;
  char         *library_path;       /* WRITE_TRASH */
  char         *slug;               /* WRITE_TRASH */

  /* Set by write_files, read by apply. */
  gboolean      game_ini_written;
  gboolean      ini_written;
  gboolean      ini_removed;
} SpGameWrite;

static SpGameWrite *
write_new (WriteKind   kind,
           const char *checkpoint_id,
           const char *label)
{
  SpGameWrite *w = g_new0 (SpGameWrite, 1);

  w->kind = kind;
  w->checkpoint_id = g_strdup (checkpoint_id);
  w->label = g_strdup (label);
  return w;
}

static void
write_free (SpGameWrite *w)
{
  g_free (w->checkpoint_id);
  g_free (w->label);
  g_free (w->game_ini_path);
  g_free (w->game_ini_data);
  g_free (w->head);
  g_clear_object (&w->checkpoint);
  g_free (w->checkpoints_path);
  g_free (w->ini_path);
  g_free (w->archive_path);
  g_free (w->library_path);
  g_free (w->slug);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpGameWrite, write_free)

static gboolean
prepare_game_ini (SpGame       *self,
                  SpGameWrite  *w,
                  const char   *head,
                  GError      **error)
{
  w->game_ini_data = _sp_game_build_ini (self, head, error);
  if (w->game_ini_data == NULL)
    return FALSE;
  w->game_ini_path = g_strdup (self->ini_path);
  w->head = g_strdup (head);
  return TRUE;
}

/* Step 1: main thread. */
static gboolean
prepare (SpGame       *self,
         SpGameWrite  *w,
         GError      **error)
{
  SpCheckpoint *c = NULL;

  g_assert (!self->writing);

  if (!_sp_game_check_writable (self, error))
    return FALSE;

  if (w->kind != WRITE_SAVE && w->kind != WRITE_HEAD && w->checkpoint_id != NULL)
    {
      c = _sp_game_lookup_checkpoint (self, w->checkpoint_id, error);
      if (c == NULL)
        return FALSE;
      w->checkpoint = g_object_ref (c);
      w->ini_path = g_strdup (sp_checkpoint_get_ini_path (c));
      w->archive_path = g_strdup (sp_checkpoint_get_archive_path (c));
      w->checkpoints_path = g_strdup (self->checkpoints_path);
    }

  switch (w->kind)
    {
    case WRITE_SAVE:
      return prepare_game_ini (self, w, self->head, error);

    case WRITE_HEAD:
      return prepare_game_ini (self, w, w->checkpoint_id, error);

    case WRITE_RESTORE:
      if (c != NULL && !g_file_test (w->archive_path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                       _("Checkpoint %s cannot be restored: its archive “%s” is missing. "
                         "Choose another checkpoint or delete this one."),
                       w->checkpoint_id, w->archive_path);
          return FALSE;
        }
      return prepare_game_ini (self, w, w->checkpoint_id, error);

    case WRITE_DELETE:
      /* Head first, so a crash never leaves Head naming a deleted checkpoint. */
      if (g_strcmp0 (self->head, w->checkpoint_id) == 0)
        {
          const char *parent = sp_checkpoint_get_parent (c);
          const char *new_head = sp_game_find_checkpoint (self, parent) ? parent : NULL;

          return prepare_game_ini (self, w, new_head, error);
        }
      return TRUE;

    case WRITE_RENAME:
      if (w->label != NULL && !g_utf8_validate (w->label, -1, NULL))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The new label is not valid UTF-8 text."));
          return FALSE;
        }
      return TRUE;

    case WRITE_NOTE:
      return sp_checkpoint_note_is_valid (w->label, error);

    case WRITE_PIN:
      return TRUE;

    case WRITE_PARENT:
      g_assert (w->label == NULL || sp_checkpoint_id_is_valid (w->label));
      return TRUE;

    case WRITE_TRASH:
      if (g_strcmp0 (self->head, w->checkpoint_id) == 0)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("Checkpoint %s is the one the next run starts from; it is not moved "
                         "to the trash."), w->checkpoint_id);
          return FALSE;
        }
      {
        g_autofree char *games = g_path_get_dirname (self->path);

        w->library_path = g_path_get_dirname (games);
        w->slug = g_strdup (self->slug);
      }
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

/* Step 2: any thread; touches only @w and the files. */
static gboolean
write_files (SpGameWrite  *w,
             GError      **error)
{
  if (w->game_ini_data != NULL)
    {
      if (!sp_write_file_atomic (w->game_ini_path, w->game_ini_data, -1, error))
        return FALSE;
      w->game_ini_written = TRUE;
    }

  if (w->kind == WRITE_RENAME)
    {
      g_autoptr(GKeyFile) kf = sp_key_file_load (w->ini_path, error);

      if (kf == NULL)
        return FALSE;
      g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", w->label ? w->label : "");
      if (!sp_key_file_save (kf, w->ini_path, error))
        return FALSE;
      w->ini_written = TRUE;
    }

  if (w->kind == WRITE_NOTE)
    {
      g_autoptr(GKeyFile) kf = sp_key_file_load (w->ini_path, error);

      if (kf == NULL)
        return FALSE;
      /* An empty note is no note: the key goes. */
      sp_key_file_set_string_or_remove (kf, CHECKPOINT_GROUP, "Note",
                                        w->label != NULL && *w->label != '\0' ? w->label : NULL);
      if (!sp_key_file_save (kf, w->ini_path, error))
        return FALSE;
      w->ini_written = TRUE;
    }

  if (w->kind == WRITE_PIN || w->kind == WRITE_PARENT)
    {
      g_autoptr(GKeyFile) kf = sp_key_file_load (w->ini_path, error);

      if (kf == NULL)
        return FALSE;
      sp_key_file_set_string_or_remove (kf, CHECKPOINT_GROUP,
                                        w->kind == WRITE_PIN ? "Pinned" : "Parent", w->label);
      if (!sp_key_file_save (kf, w->ini_path, error))
        return FALSE;
      w->ini_written = TRUE;
    }

  if (w->kind == WRITE_TRASH)
    {
      gboolean ini_moved = FALSE;
      gboolean ok = sp_drive_trash_move_checkpoint (w->library_path, w->slug, w->checkpoint_id,
                                                    w->ini_path, w->archive_path, &ini_moved,
                                                    error);

      w->ini_removed = ini_moved;
      return ok;
    }

  if (w->kind == WRITE_DELETE)
    {
      g_autofree char *stem = g_build_filename (w->checkpoints_path, w->checkpoint_id, NULL);
      g_autofree char *transition = sp_leftover_file_path (stem);

      /* The .ini goes first: without it the archive is an invisible orphan,
       * which the marker lets a later start remove if we are killed now. */
      if (!sp_leftover_write_marker (transition, FALSE, SP_LEFTOVER_KIND_CHECKPOINT, NULL, error))
        return FALSE;
      if (g_unlink (w->ini_path) != 0 && errno != ENOENT)
        {
          int saved = errno;
          sp_leftover_remove_marker (transition, FALSE);
          return sp_set_error_from_errno (error, saved, _("Cannot delete “%s”"), w->ini_path);
        }
      sp_fsync_directory (w->checkpoints_path, NULL);
      w->ini_removed = TRUE;

      if (g_unlink (w->archive_path) == 0 || errno == ENOENT)
        sp_leftover_remove_marker (transition, FALSE);
      else
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Checkpoint %s was deleted but its archive “%s” could not be removed (%s). "
                         "Remove it by hand to free the space."),
                       w->checkpoint_id, w->archive_path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/* Step 3: main thread; the object follows what was written. */
static void
apply (SpGame      *self,
       SpGameWrite *w)
{
  if (w->game_ini_written)
    _sp_game_set_head (self, w->head);
  if (w->ini_written && w->kind == WRITE_NOTE)
    _sp_checkpoint_set_note (w->checkpoint, w->label);
  else if (w->ini_written && w->kind == WRITE_PIN)
    _sp_checkpoint_set_pinned (w->checkpoint, w->label != NULL);
  else if (w->ini_written && w->kind == WRITE_PARENT)
    _sp_checkpoint_set_parent (w->checkpoint, w->label);
  else if (w->ini_written)
    _sp_checkpoint_set_label (w->checkpoint, w->label);
  if (w->ini_removed)
    _sp_game_remove_checkpoint (self, w->checkpoint);
}

static gboolean
check_not_busy (SpGame  *self,
                GError **error)
{
  if (!self->writing)
    return TRUE;
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY,
               _("Another change to the game “%s” is still being written to “%s”; "
                 "nothing was changed. Try again when it is done."),
               self->info->name ? self->info->name : self->slug, self->path);
  return FALSE;
}

static gboolean
run_sync (SpGame       *self,
          SpGameWrite  *w,
          GError      **error)
{
  gboolean ok;

  if (!check_not_busy (self, error) || !prepare (self, w, error))
    return FALSE;
  ok = write_files (w, error);
  apply (self, w);
  return ok;
}

static gpointer
write_thread (gpointer       task_data,
              GCancellable  *cancellable,
              GError       **error)
{
  SpGameWrite *w = task_data;

  return write_files (w, error) ? w : NULL;
}

static void start_next (SpGame *self);

static gboolean
start_next_cb (gpointer user_data)
{
  start_next (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
write_finish (gpointer       source_object,
              gpointer       task_data,
              gpointer       value,
              GError       **error)
{
  SpGame *self = source_object;

  apply (self, task_data);
  self->writing = FALSE;

  /* The next write starts from an idle, after this one's callback. */
  if (!g_queue_is_empty (&self->pending_writes))
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_callback (source, start_next_cb, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[savepoint] next game write");
      g_source_attach (source, g_main_context_get_thread_default ());
    }

  return value != NULL ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
start_next (SpGame *self)
{
  while (!self->writing && !g_queue_is_empty (&self->pending_writes))
    {
      g_autoptr(GTask) task = g_queue_pop_head (&self->pending_writes);
      SpGameWrite *w = g_task_get_task_data (task);
      GError *error = NULL;

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (!prepare (self, w, &error))
        {
          g_task_return_error (task, error);
          continue;
        }
      self->writing = TRUE;
      /* @w stays owned by @task, which outlives the inner task's use of it. */
      _sp_task_run_in_thread (g_steal_pointer (&task), w, NULL, write_thread, NULL,
                              write_finish, NULL);
    }
}

static void
run_async (SpGame              *self,
           SpGameWrite         *w,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* Once written, a change is reported even if cancelled afterwards. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, w, (GDestroyNotify) write_free);
  g_queue_push_tail (&self->pending_writes, task);
  start_next (self);
}

static gboolean
write_finish_result (SpGame        *self,
                     GAsyncResult  *result,
                     gpointer       source_tag,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

gboolean
_sp_game_save_head (SpGame      *self,
                    const char  *head,
                    GError     **error)
{
  g_autoptr(SpGameWrite) w = write_new (WRITE_HEAD, head, NULL);

  return run_sync (self, w, error);
}

gboolean
sp_game_save_sync (SpGame  *self,
              GError **error)
{
  g_autoptr(SpGameWrite) w = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);

  w = write_new (WRITE_SAVE, NULL, NULL);
  return run_sync (self, w, error);
}

void
sp_game_save_async (SpGame              *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));

  run_async (self, write_new (WRITE_SAVE, NULL, NULL), sp_game_save_async,
             cancellable, callback, user_data);
}

gboolean
sp_game_save_finish (SpGame        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return write_finish_result (self, result, sp_game_save_async, error);
}

gboolean
sp_game_restore_sync (SpGame      *self,
                 const char  *checkpoint_id,
                 GError     **error)
{
  g_autoptr(SpGameWrite) w = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);

  w = write_new (WRITE_RESTORE, checkpoint_id, NULL);
  return run_sync (self, w, error);
}

void
sp_game_restore_async (SpGame              *self,
                       const char          *checkpoint_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));

  run_async (self, write_new (WRITE_RESTORE, checkpoint_id, NULL), sp_game_restore_async,
             cancellable, callback, user_data);
}

gboolean
sp_game_restore_finish (SpGame        *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return write_finish_result (self, result, sp_game_restore_async, error);
}

gboolean
sp_game_delete_checkpoint_sync (SpGame      *self,
                           const char  *checkpoint_id,
                           GError     **error)
{
  g_autoptr(SpGameWrite) w = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (checkpoint_id != NULL, FALSE);

  w = write_new (WRITE_DELETE, checkpoint_id, NULL);
  return run_sync (self, w, error);
}

void
sp_game_delete_checkpoint_async (SpGame              *self,
                                 const char          *checkpoint_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (checkpoint_id != NULL);

  run_async (self, write_new (WRITE_DELETE, checkpoint_id, NULL),
             sp_game_delete_checkpoint_async, cancellable, callback, user_data);
}

gboolean
sp_game_delete_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return write_finish_result (self, result, sp_game_delete_checkpoint_async, error);
}

gboolean
sp_game_rename_checkpoint_sync (SpGame      *self,
                           const char  *checkpoint_id,
                           const char  *label,
                           GError     **error)
{
  g_autoptr(SpGameWrite) w = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (checkpoint_id != NULL, FALSE);

  w = write_new (WRITE_RENAME, checkpoint_id, label);
  return run_sync (self, w, error);
}

void
sp_game_rename_checkpoint_async (SpGame              *self,
                                 const char          *checkpoint_id,
                                 const char          *label,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (checkpoint_id != NULL);

  run_async (self, write_new (WRITE_RENAME, checkpoint_id, label),
             sp_game_rename_checkpoint_async, cancellable, callback, user_data);
}

gboolean
sp_game_rename_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return write_finish_result (self, result, sp_game_rename_checkpoint_async, error);
}

gboolean
sp_game_set_checkpoint_note_sync (SpGame      *self,
                                  const char  *checkpoint_id,
                                  const char  *note,
                                  GError     **error)
{
  g_autoptr(SpGameWrite) w = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (checkpoint_id != NULL, FALSE);

  w = write_new (WRITE_NOTE, checkpoint_id, note);
  return run_sync (self, w, error);
}

void
sp_game_set_checkpoint_note_async (SpGame              *self,
                                   const char          *checkpoint_id,
                                   const char          *note,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (checkpoint_id != NULL);

  run_async (self, write_new (WRITE_NOTE, checkpoint_id, note),
             sp_game_set_checkpoint_note_async, cancellable, callback, user_data);
}

gboolean
sp_game_set_checkpoint_note_finish (SpGame        *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return write_finish_result (self, result, sp_game_set_checkpoint_note_async, error);
}

gboolean
sp_game_set_checkpoint_pinned_sync (SpGame      *self,
                                    const char  *checkpoint_id,
                                    gboolean     pinned,
                                    GError     **error)
{
  g_autoptr(SpGameWrite) w = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (checkpoint_id != NULL, FALSE);

  w = write_new (WRITE_PIN, checkpoint_id, pinned ? "true" : NULL);
  return run_sync (self, w, error);
}

void
sp_game_set_checkpoint_pinned_async (SpGame              *self,
                                     const char          *checkpoint_id,
                                     gboolean             pinned,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (checkpoint_id != NULL);

  run_async (self, write_new (WRITE_PIN, checkpoint_id, pinned ? "true" : NULL),
             sp_game_set_checkpoint_pinned_async, cancellable, callback, user_data);
}

gboolean
sp_game_set_checkpoint_pinned_finish (SpGame        *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return write_finish_result (self, result, sp_game_set_checkpoint_pinned_async, error);
}

gboolean
_sp_game_set_checkpoint_parent (SpGame      *self,
                                const char  *checkpoint_id,
                                const char  *parent,
                                GError     **error)
{
  g_autoptr(SpGameWrite) w = write_new (WRITE_PARENT, checkpoint_id, parent);

  return run_sync (self, w, error);
}

gboolean
_sp_game_trash_checkpoint (SpGame      *self,
                           const char  *checkpoint_id,
                           GError     **error)
{
  g_autoptr(SpGameWrite) w = write_new (WRITE_TRASH, checkpoint_id, NULL);

  return run_sync (self, w, error);
}
