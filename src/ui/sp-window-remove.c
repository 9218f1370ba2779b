/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Remove Game…" of a card's menu: the question (keep the files in the
 * drive's trash, undoable, or delete them) and the removal itself
 * (play/sp-game-remove.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-window-private.h"
#include "core/sp-disk-usage.h"
#include "core/sp-library-remove.h"
#include "play/sp-game-remove.h"

typedef struct
{
  SpWindow     *window;   /* weak */
  SpLibrary    *library;
  SpGame       *game;
  char         *name;
  char         *entry;    /* the trash entry once removed */
  GCancellable *cancellable;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_clear_weak_pointer (&data->window);
  g_clear_object (&data->library);
  g_clear_object (&data->game);
  g_free (data->name);
  g_free (data->entry);
  g_clear_object (&data->cancellable);
  g_free (data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemoveData, remove_data_free)

static RemoveData *
remove_data_new (SpWindow  *window,
                 SpLibrary *library,
                 SpGame    *game)
{
  RemoveData *data = g_new0 (RemoveData, 1);

  g_set_weak_pointer (&data->window, window);
  data->library = g_object_ref (library);
  data->game = g_object_ref (game);
  data->name = g_strdup (sp_game_get_name (game));
  data->cancellable = g_cancellable_new ();
  return data;
}

static void
toast (SpWindow   *self,
       const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
undo_clicked_cb (AdwToast   *toast_,
                 RemoveData *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;

  if (data->window == NULL || data->entry == NULL)
    return;
  game = sp_library_restore_game (data->library, data->entry, &error);
  if (game == NULL)
    toast (data->window, error->message);
  g_clear_pointer (&data->entry, g_free);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  RemoveData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    /* Translators: %s are a game's name and why its files could not all be deleted */
    text = g_strdup_printf (_("“%s” is removed but not all its files could be deleted: %s"),
                            data->name, error->message);
  else
    /* Translators: %s is a game's name */
    text = g_strdup_printf (_("“%s” and its files are deleted"), data->name);
  if (data->window != NULL)
    toast (data->window, text);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RemoveData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (sp_library_delete_removed_game (sp_library_get_path (data->library), data->entry,
                                      cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
do_remove (SpWindow   *self,
           RemoveData *data,
           gboolean    delete_files)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *entry = NULL;

  if (sp_game_page_get_game (self->game_page) == data->game && sp_game_page_get_writing (self->game_page))
    {
      g_autofree char *text = g_strdup_printf (_("A change of “%s” is still being saved; try again in a moment"),
                                               data->name);
      toast (self, text);
      return;
    }
  /* The folder is moved aside at once (one rename): the card goes. */
  entry = sp_game_remove (data->library, data->game, FALSE, &error);
  if (entry == NULL)
    {
      toast (self, error->message);
      return;
    }
  if (sp_game_page_get_game (self->game_page) == data->game)
    {
      sp_window_show_games (self);
      sp_game_page_set_game (self->game_page, NULL);
    }
  data->entry = g_steal_pointer (&entry);

  if (delete_files)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, deleted_cb, NULL);
      RemoveData *copy = remove_data_new (self, data->library, data->game);

      copy->entry = g_strdup (data->entry);
      g_task_set_task_data (task, copy, (GDestroyNotify) remove_data_free);
      g_task_run_in_thread (task, delete_thread);
    }
  else
    {
      AdwToast *t;
      /* Translators: %s is a game's name */
      g_autofree char *text = g_strdup_printf (_("“%s” removed"), data->name);
      RemoveData *copy = remove_data_new (self, data->library, data->game);

      copy->entry = g_strdup (data->entry);
      t = adw_toast_new (text);
      adw_toast_set_button_label (t, _("_Undo"));
      adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
      g_signal_connect_data (t, "button-clicked", G_CALLBACK (undo_clicked_cb), copy,
                             (GClosureNotify) (void (*) (void)) remove_data_free, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, t);
      /* For the tests: the newest such toast. */
      g_object_set_data_full (G_OBJECT (self), "sp-remove-toast", g_object_ref (t), g_object_unref);
    }
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             RemoveData       *data)
{
  g_cancellable_cancel (data->cancellable);
  if (data->window == NULL)
    return;
  if (g_strcmp0 (response, "keep") == 0)
    do_remove (data->window, data, FALSE);
  else if (g_strcmp0 (response, "delete") == 0)
    do_remove (data->window, data, TRUE);
}

static void
measured_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(AdwMessageDialog) dialog = g_weak_ref_get (ref);
  SpGameUsage usage = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *size = NULL;
  g_autofree char *body = NULL;

  g_weak_ref_clear (ref);
  g_free (ref);
  if (!sp_disk_usage_measure_game_finish (SP_GAME (object), result, &usage, NULL, NULL, &error) ||
      dialog == NULL)
    return;
  size = g_format_size (usage.base_bytes + usage.checkpoint_bytes);
  /* Translators: %s is a size like "1.2 GB" */
  body = g_strdup_printf (_("Keeping its files moves them into the drive’s trash folder, from "
                            "where Undo brings the game back. Deleting them frees %s and cannot "
                            "be undone."), size);
  adw_message_dialog_set_body (dialog, body);
}

void
_sp_window_remove_game (SpWindow *self,
                        SpGame   *game)
{
  SpLibrary *library;
  GtkWidget *dialog;
  RemoveData *data;
  g_autofree char *heading = NULL;

  g_return_if_fail (SP_IS_WINDOW (self));
  g_return_if_fail (SP_IS_GAME (game));

  library = sp_window_find_library (self, game);
  if (library == NULL)
    return;
  /* Deletes of its checkpoints waiting for their toast are carried out now,
   * while the question is asked. */
  if (sp_game_page_get_game (self->game_page) == game)
    sp_game_page_commit_deletes (self->game_page);

  data = remove_data_new (self, library, game);
  /* Translators: %s is a game's name */
  heading = g_strdup_printf (_("Remove “%s”?"), data->name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Keeping its files moves them into the drive’s trash "
                                     "folder, from where Undo brings the game back. Deleting "
                                     "them cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete Files"),
                                    "keep", _("_Keep Files"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "keep",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb), data,
                         (GClosureNotify) (void (*) (void)) remove_data_free, 0);
  {
    /* The dialog may be gone when the measure ends. */
    GWeakRef *ref = g_new0 (GWeakRef, 1);

    g_weak_ref_init (ref, dialog);
    sp_disk_usage_measure_game_async (game, data->cancellable, measured_cb, ref);
  }
  gtk_window_present (GTK_WINDOW (dialog));
}
