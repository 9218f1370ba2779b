/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-checkpoint-row.h"
#include "sp-format.h"
#include "sp-free-space-window.h"
#include "sp-game-page.h"
#include "sp-export-ui.h"
#include "sp-game-settings-window.h"
#include "sp-trash-ui.h"
#include "sp-ui-util.h"
#include "sp-wine-ui.h"

struct _SpGamePage
{
  GtkWidget           parent_instance;

  SpGame             *game;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GListStore         *parts;
  GtkFlattenListModel *timeline_model;
  /* checkpoint id -> AdwToast: deletes waiting for their toast to go */
  GHashTable         *pending_deletes;
  /* checkpoint ids being deleted on the drive: still hidden */
  GHashTable         *deleting;
  AdwToast           *delete_toast;
  guint               writes;   /* async writes to the drive in flight */
  gboolean            disposed; /* a write may end after the page is gone */
  GCancellable       *cancellable;

  AdwWindowTitle     *window_title;
  GtkLabel           *name_label;
  GtkLabel           *summary_label;
  GtkListBox         *timeline;
  GtkWidget          *play_button;
  GtkWidget          *stop_button;
  GtkWidget          *session_group;
  AdwActionRow       *session_row;
  GtkStack           *session_icon;
  GtkSpinner         *session_spinner;
  GtkWidget          *keep_button;
  GtkWidget          *discard_button;
  SpPlayer           *player;

  /* What the last verify found, above the timeline (built in code) */
  AdwPreferencesGroup *problems_group;
  GPtrArray           *problem_rows;
  SpWineRepairGroup   *repair_group;   /* Wine user folders outside the prefix */
};

enum {
  PROP_0,
  PROP_GAME,
  PROP_HIDDEN_CHECKPOINTS,
  N_PROPS
};

enum {
  SIGNAL_PLAY,
  SIGNAL_BACK,
  SIGNAL_STOP,
  SIGNAL_KEEP,
  SIGNAL_DISCARD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpGamePage, sp_game_page, GTK_TYPE_WIDGET)

static void
update_header (SpGamePage *self)
{
  g_autofree char *played = NULL;
  g_autofree char *count = NULL;
  g_autofree char *summary = NULL;
  const char *name = self->game ? sp_game_get_name (self->game) : "";

  adw_window_title_set_title (self->window_title, name);
  gtk_label_set_label (self->name_label, name);
  if (self->game == NULL)
    return;

  played = sp_ui_format_duration (sp_game_get_play_time (self->game));
  /* Without the checkpoints whose delete is pending. */
  count = sp_ui_format_checkpoint_count (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)));
  /* Translators: "<play time> played · <N checkpoints>" */
  summary = g_strdup_printf (_("%s played · %s"), played, count);
  gtk_label_set_label (self->summary_label, summary);
}

/* The checkpoint @id unless a delete of it is pending or under way: the
 * page shows the game as it will be once the delete is done. */
static SpCheckpoint *
find_shown (SpGamePage *self,
            const char *id)
{
  if (id == NULL || g_hash_table_contains (self->pending_deletes, id) ||
      g_hash_table_contains (self->deleting, id))
    return NULL;
  return sp_game_find_checkpoint (self->game, id);
}

/* A delete became pending, was undone or done: the timeline and whoever
 * shows counts (the game's card) follow. */
static void
hidden_changed (SpGamePage       *self,
                GtkFilterChange   change)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), change);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_CHECKPOINTS]);
}

/* Draws the timeline as a tree: each checkpoint one level deeper than its
 * parent when it branched off, at its parent's level when it continues the
 * parent's line. A parent's line continues in the child towards the current
 * checkpoint (@on_path), else in its first child played. Rows are newest
 * first, so parents come after their children: walk from the bottom. */
static void
compute_depths (SpGamePage *self,
                GHashTable *on_path)
{
  g_autoptr(GHashTable) depth = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) continued = g_hash_table_new (g_str_hash, g_str_equal);
  SpCheckpointRow *row;
  int n = 0;

  while (gtk_list_box_get_row_at_index (self->timeline, n) != NULL)
    n++;

  /* The line each parent continues in, decided before any child is placed. */
  for (int i = n - 1; i >= 0; i--)
    {
      SpCheckpoint *cp;
      const char *parent;

      row = (SpCheckpointRow *) gtk_list_box_get_row_at_index (self->timeline, i);
      cp = sp_checkpoint_row_get_checkpoint (row);
      if (cp == NULL)
        continue;
      parent = sp_checkpoint_get_parent (cp);
      if (parent == NULL || find_shown (self, parent) == NULL)
        parent = "";
      if (g_hash_table_contains (on_path, sp_checkpoint_get_id (cp)) ||
          !g_hash_table_contains (continued, parent))
        g_hash_table_insert (continued, (gpointer) parent, (gpointer) sp_checkpoint_get_id (cp));
    }

  for (int i = n - 1; i >= 0; i--)
    {
      g_autoptr(GPtrArray) chain = g_ptr_array_new ();
      SpCheckpoint *cp;
      guint level = 0;

      row = (SpCheckpointRow *) gtk_list_box_get_row_at_index (self->timeline, i);
      cp = sp_checkpoint_row_get_checkpoint (row);
      /* Up the parents to one already placed (or the clean install, or a
       * loop a drive could hold), then down again placing each. */
      while (cp != NULL && !g_hash_table_contains (depth, sp_checkpoint_get_id (cp)) &&
             !g_ptr_array_find (chain, cp, NULL))
        {
          g_ptr_array_add (chain, cp);
          cp = find_shown (self, sp_checkpoint_get_parent (cp));
        }
      if (cp != NULL)
        level = GPOINTER_TO_UINT (g_hash_table_lookup (depth, sp_checkpoint_get_id (cp)));
      for (guint j = chain->len; j > 0; j--)
        {
          SpCheckpoint *child = g_ptr_array_index (chain, j - 1);
          const char *parent = j < chain->len
            ? sp_checkpoint_get_id (g_ptr_array_index (chain, j)) : cp != NULL ? sp_checkpoint_get_id (cp) : "";

          if (g_strcmp0 (g_hash_table_lookup (continued, parent), sp_checkpoint_get_id (child)) != 0)
            level++;
          g_hash_table_insert (depth, (gpointer) sp_checkpoint_get_id (child), GUINT_TO_POINTER (level));
        }
      cp = sp_checkpoint_row_get_checkpoint (row);
      if (cp != NULL)
        {
          SpCheckpoint *parent = find_shown (self, sp_checkpoint_get_parent (cp));
          guint parent_level = parent != NULL
            ? GPOINTER_TO_UINT (g_hash_table_lookup (depth, sp_checkpoint_get_id (parent))) : 0;

          level = GPOINTER_TO_UINT (g_hash_table_lookup (depth, sp_checkpoint_get_id (cp)));
          sp_checkpoint_row_set_branch_start (row, level > parent_level);
        }
      sp_checkpoint_row_set_depth (row, level);
    }
}

/* Marks the current checkpoint and where the timeline branches, and draws
 * the branches as a tree. */
static void
refresh_rows (SpGamePage *self)
{
  g_autoptr(GHashTable) on_path = g_hash_table_new (g_str_hash, g_str_equal);
  const char *head = self->game ? sp_game_get_head (self->game) : NULL;
  SpCheckpointRow *row;

  if (self->game == NULL)
    return;

  /* A deleted current checkpoint hands over to its parent (as the core
   * does on delete). */
  if (head != NULL && find_shown (self, head) == NULL)
    {
      SpCheckpoint *deleted = sp_game_find_checkpoint (self->game, head);
      SpCheckpoint *parent = deleted ? find_shown (self, sp_checkpoint_get_parent (deleted)) : NULL;

      head = parent ? sp_checkpoint_get_id (parent) : NULL;
    }

  for (const char *id = head; id != NULL && !g_hash_table_contains (on_path, id);)
    {
      SpCheckpoint *cp = find_shown (self, id);

      g_hash_table_add (on_path, (gpointer) id);
      id = cp ? sp_checkpoint_get_parent (cp) : NULL;
    }

  compute_depths (self, on_path);

  for (int i = 0; (row = (SpCheckpointRow *) gtk_list_box_get_row_at_index (self->timeline, i)) != NULL; i++)
    {
      SpCheckpoint *cp = sp_checkpoint_row_get_checkpoint (row);
      SpCheckpointRow *older = (SpCheckpointRow *) gtk_list_box_get_row_at_index (self->timeline, i + 1);
      SpCheckpoint *older_cp = older ? sp_checkpoint_row_get_checkpoint (older) : NULL;
      g_autofree char *note = NULL;

      if (cp == NULL)
        {
          sp_checkpoint_row_set_current (row, head == NULL);
          continue;
        }

      sp_checkpoint_row_set_current (row, g_strcmp0 (head, sp_checkpoint_get_id (cp)) == 0);

      if (g_strcmp0 (sp_checkpoint_get_parent (cp), older_cp ? sp_checkpoint_get_id (older_cp) : NULL) != 0)
        {
          const char *parent_id = sp_checkpoint_get_parent (cp);
          SpCheckpoint *parent = find_shown (self, parent_id);

          if (parent_id == NULL)
            note = g_strdup (_("Started from the clean install"));
          else if (parent != NULL)
            {
              g_autofree char *title = sp_ui_format_checkpoint_title (parent);
              /* Translators: %s is the label of the checkpoint this one was played from */
              note = g_strdup_printf (_("Branched from “%s”"), title);
            }
          else
            note = g_strdup (_("Played from a checkpoint that was deleted"));
        }
      sp_checkpoint_row_set_note (row, note);
    }
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  return sp_checkpoint_row_new (SP_IS_CHECKPOINT (item) ? item : NULL);
}

static gboolean
filter_cb (gpointer item,
           gpointer user_data)
{
  SpGamePage *self = user_data;

  return !g_hash_table_contains (self->pending_deletes, sp_checkpoint_get_id (item)) &&
         !g_hash_table_contains (self->deleting, sp_checkpoint_get_id (item));
}

static void
game_notify_cb (SpGamePage *self,
                GParamSpec *pspec)
{
  update_header (self);
  refresh_rows (self);
}

static void
timeline_changed_cb (SpGamePage *self)
{
  update_header (self);
  refresh_rows (self);
}

/* Writes to the drive ---------------------------------------------------- */

/* Restore, rename and delete are written by the
 * core in a worker thread (a slow USB drive must not freeze the window).
 * While one is on its way, the checkpoint actions and Play are off: they
 * would act on a state about to change. The application is held so that
 * closing the window does not end the process halfway through a write. */

static void
update_write_actions (SpGamePage *self)
{
  gboolean idle;

  if (self->disposed)
    return;
  idle = self->writes == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkpoint.play", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkpoint.restore", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkpoint.rename", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkpoint.note", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkpoint.pin", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkpoint.delete", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "game.play", idle);
}

/* Returns a reference on @self for the write's callback. */
static SpGamePage *
write_begin (SpGamePage *self)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_hold (app);
  if (self->writes++ == 0)
    update_write_actions (self);
  return g_object_ref (self);
}

static void
write_end (SpGamePage *self)
{
  GApplication *app = g_application_get_default ();

  g_assert (self->writes > 0);
  if (--self->writes == 0)
    update_write_actions (self);
  if (app != NULL)
    g_application_release (app);
}

typedef struct
{
  SpGamePage *self;
  gboolean    play;   /* Play from Here: start the game once restored */
} RestoreData;

static void
restore_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RestoreData *data = user_data;
  g_autoptr(SpGamePage) self = data->self;
  gboolean play = data->play;
  g_autoptr(GError) error = NULL;

  g_free (data);
  write_end (self);
  if (!sp_game_restore_finish (SP_GAME (object), result, &error))
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Restore the Checkpoint"), error);
  else if (self->game != SP_GAME (object))
    return;
  else if (play)
    g_signal_emit (self, signals[SIGNAL_PLAY], 0);
  else
    sp_ui_add_toast (GTK_WIDGET (self),
                     adw_toast_new (sp_game_get_head (self->game) != NULL
                                    ? _("Checkpoint restored: the next game starts from it")
                                    : _("Clean install restored: the next game starts from scratch")));
}

typedef struct
{
  SpGamePage *self;
  SpGame     *game;
  char       *id;
  gboolean    play;
} RestoreGuard;

static void
restore_guard_free (RestoreGuard *guard)
{
  g_object_unref (guard->self);
  g_object_unref (guard->game);
  g_free (guard->id);
  g_free (guard);
}

static void
restore_allowed (RestoreGuard *guard)
{
  SpGamePage *self = guard->self;
  RestoreData *data;

  if (self->game != guard->game)
    return;
  data = g_new0 (RestoreData, 1);
  data->self = write_begin (self);
  data->play = guard->play;
  sp_game_restore_async (self->game, guard->id[0] ? guard->id : NULL, NULL, restore_done_cb, data);
}

/* Nothing unkept is overwritten: a pending run is kept or moved to the
 * trash first (sp-trash-ui.c asks), never while the game runs. */
static void
restore (SpGamePage *self,
         const char *id,
         gboolean    play)
{
  RestoreGuard *guard = g_new0 (RestoreGuard, 1);

  guard->self = g_object_ref (self);
  guard->game = g_object_ref (self->game);
  guard->id = g_strdup (id);
  guard->play = play;
  sp_trash_ui_guard_head_change (GTK_WIDGET (self), self->game, id[0] ? id : NULL,
                                 (SpTrashUiProceed) restore_allowed, guard,
                                 (GDestroyNotify) restore_guard_free);
}

static void
game_discarded_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);

  if (self->game != NULL)
    gtk_window_present (GTK_WINDOW (sp_trash_ui_discarded_window_new (widget, self->game)));
}

static void
checkpoint_restore_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);

  if (self->game != NULL)
    restore (self, g_variant_get_string (parameter, NULL), FALSE);
}

static void
checkpoint_play_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);

  if (self->game != NULL)
    restore (self, g_variant_get_string (parameter, NULL), TRUE);
}

static void
rename_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpGamePage) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *row;

  write_end (self);
  if (!sp_game_rename_checkpoint_finish (SP_GAME (object), result, &error))
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Rename the Checkpoint"), error);
      return;
    }
  if (self->game != SP_GAME (object))
    return;
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->timeline, i)) != NULL; i++)
    sp_checkpoint_row_refresh (SP_CHECKPOINT_ROW (row));
  refresh_rows (self);
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SpGamePage       *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "sp-checkpoint-id");
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

  if (g_strcmp0 (response, "rename") != 0 || self->game == NULL)
    return;

  sp_game_rename_checkpoint_async (self->game, id, gtk_editable_get_text (GTK_EDITABLE (entry)),
                                   NULL, rename_done_cb, write_begin (self));
}

static void
checkpoint_rename_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  SpCheckpoint *checkpoint = self->game ? sp_game_find_checkpoint (self->game, id) : NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (checkpoint == NULL)
    return;

  dialog = adw_message_dialog_new (sp_ui_get_window (widget), _("Rename Checkpoint"), NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), sp_checkpoint_get_label (checkpoint));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Label"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  g_object_set_data_full (G_OBJECT (dialog), "sp-checkpoint-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (rename_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
note_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpGamePage) self = user_data;
  g_autoptr(GError) error = NULL;

  write_end (self);
  /* The row follows the checkpoint's note by itself. */
  if (!sp_game_set_checkpoint_note_finish (SP_GAME (object), result, &error))
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Save the Note"), error);
}

static void
note_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  SpGamePage       *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "sp-checkpoint-id");
  GtkTextBuffer *buffer = g_object_get_data (G_OBJECT (dialog), "sp-note-buffer");
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (g_strcmp0 (response, "save") != 0 || self->game == NULL)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  sp_game_set_checkpoint_note_async (self->game, id, g_strchomp (text), NULL, note_done_cb,
                                     write_begin (self));
}

static void
pin_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpGamePage) self = user_data;
  g_autoptr(GError) error = NULL;

  write_end (self);
  /* The row follows the checkpoint's pin by itself. */
  if (!sp_game_set_checkpoint_pinned_finish (SP_GAME (object), result, &error))
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Pin the Checkpoint"), error);
}

/* Toggles the checkpoint's pin (retention never removes a pinned one). */
static void
checkpoint_pin_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  SpCheckpoint *checkpoint = self->game ? sp_game_find_checkpoint (self->game, id) : NULL;

  if (checkpoint != NULL)
    sp_game_set_checkpoint_pinned_async (self->game, id, !sp_checkpoint_get_pinned (checkpoint),
                                         NULL, pin_done_cb, write_begin (self));
}

static void
game_free_space_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);

  if (self->game != NULL)
    gtk_window_present (GTK_WINDOW (sp_free_space_window_new (sp_ui_get_window (widget),
                                                              self->game)));
}

/* Game Settings live in their own window (SpGameSettingsWindow). */
static void
game_settings_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);

  if (self->game != NULL)
    gtk_window_present (GTK_WINDOW (sp_game_settings_window_new (sp_ui_get_window (widget),
                                                                 self->game)));
}

static void
checkpoint_note_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  SpCheckpoint *checkpoint = self->game ? sp_game_find_checkpoint (self->game, id) : NULL;
  g_autofree char *title = NULL;
  GtkWidget *dialog;
  GtkWidget *scrolled;
  GtkWidget *view;

  if (checkpoint == NULL)
    return;

  title = sp_ui_format_checkpoint_title (checkpoint);
  dialog = adw_message_dialog_new (sp_ui_get_window (widget), _("Checkpoint Note"), NULL);
  /* Translators: %s is the checkpoint's label or date */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("What to remember about “%s”. Leave it empty to remove the note."),
                                  title);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  /* No default response: Enter is a new line in the note. */
  view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                            sp_checkpoint_get_note (checkpoint), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Note"), -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 120);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_add_css_class (scrolled, "card");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);

  g_object_set_data_full (G_OBJECT (dialog), "sp-checkpoint-id", g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (dialog), "sp-note-buffer",
                     gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (note_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

typedef struct
{
  SpGamePage *self;
  char       *id;
} DeleteData;

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  DeleteData *data = user_data;
  g_autoptr(SpGamePage) self = data->self;
  g_autofree char *id = data->id;
  g_autoptr(GError) error = NULL;

  g_free (data);
  write_end (self);
  if (!sp_game_delete_checkpoint_finish (SP_GAME (object), result, &error))
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Delete the Checkpoint"), error);
  /* Gone from the timeline by now, or shown again if it could not go. */
  if (g_hash_table_remove (self->deleting, id))
    hidden_changed (self, GTK_FILTER_CHANGE_LESS_STRICT);
}

/* Deletes on the drive; the row stays hidden meanwhile. @game is the one
 * the delete was asked on (the page may show another one by now). */
static void
commit_delete (SpGamePage *self,
               SpGame     *game,
               const char *id)
{
  DeleteData *data = g_new0 (DeleteData, 1);

  data->self = write_begin (self);
  data->id = g_strdup (id);
  g_hash_table_add (self->deleting, g_strdup (id));
  sp_game_delete_checkpoint_async (game, id, NULL, delete_done_cb, data);
}

static void
delete_toast_dismissed_cb (AdwToast   *toast,
                           SpGamePage *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "sp-checkpoint-id");

  if (self->delete_toast == toast)
    self->delete_toast = NULL;
  if (!g_hash_table_contains (self->pending_deletes, id))
    return;   /* undone */

  commit_delete (self, g_object_get_data (G_OBJECT (toast), "sp-game"), id);
  g_hash_table_remove (self->pending_deletes, id);
  hidden_changed (self, GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
delete_toast_undo_cb (AdwToast   *toast,
                      SpGamePage *self)
{
  g_autofree char *id = g_strdup (g_object_get_data (G_OBJECT (toast), "sp-checkpoint-id"));

  /* The toast may outlive the page: forget it. */
  g_signal_handlers_disconnect_by_data (toast, self);
  if (self->delete_toast == toast)
    self->delete_toast = NULL;
  if (g_hash_table_remove (self->pending_deletes, id))
    hidden_changed (self, GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
checkpoint_delete_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  SpCheckpoint *checkpoint = self->game ? sp_game_find_checkpoint (self->game, id) : NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (checkpoint == NULL || g_hash_table_contains (self->pending_deletes, id))
    return;

  title = sp_ui_format_checkpoint_title (checkpoint);
  /* Translators: %s is a checkpoint's label */
  text = g_strdup_printf (_("“%s” deleted"), title);
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "sp-checkpoint-id", g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (toast), "sp-game", g_object_ref (self->game), g_object_unref);
  /* Normal priority: a later toast waits behind it rather than pushing it
   * out (the delete is carried out only when this toast times out or is
   * closed, or the app quits). */
  g_signal_connect (toast, "button-clicked", G_CALLBACK (delete_toast_undo_cb), self);
  g_signal_connect (toast, "dismissed", G_CALLBACK (delete_toast_dismissed_cb), self);

  g_hash_table_insert (self->pending_deletes, g_strdup (id), g_object_ref_sink (toast));
  self->delete_toast = toast;
  hidden_changed (self, GTK_FILTER_CHANGE_MORE_STRICT);

  if (!sp_ui_add_toast (widget, g_object_ref (toast)))
    {
      /* Nowhere to offer Undo: delete right away. */
      g_signal_handlers_disconnect_by_data (toast, self);
      self->delete_toast = NULL;
      commit_delete (self, self->game, id);
      g_hash_table_remove (self->pending_deletes, id);
      hidden_changed (self, GTK_FILTER_CHANGE_LESS_STRICT);
    }
}

void
sp_game_page_commit_deletes (SpGamePage *self)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (SP_IS_GAME_PAGE (self));

  g_hash_table_iter_init (&iter, self->pending_deletes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_signal_handlers_disconnect_by_data (value, self);
      g_ptr_array_add (toasts, g_object_ref (value));
      commit_delete (self, g_object_get_data (value, "sp-game"), key);
      g_hash_table_iter_remove (&iter);
    }
  self->delete_toast = NULL;
  for (guint i = 0; i < toasts->len; i++)
    adw_toast_dismiss (g_ptr_array_index (toasts, i));
  hidden_changed (self, GTK_FILTER_CHANGE_LESS_STRICT);
}

/* Export and import ------------------------------------------------------ */

typedef struct
{
  SpGamePage *self;
  char       *path;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_object_unref (data->self);
  g_free (data->path);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportData, export_data_free)

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  SpGamePage *self = data->self;
  const char *path = data->path;
  g_autoptr(GError) error = NULL;

  if (!sp_game_export_checkpoint_finish (SP_GAME (object), result, &error))
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self),
                                         _("Could Not Export the Checkpoint"), error);
      return;
    }
  sp_ui_add_toast (GTK_WIDGET (self), sp_export_ui_new_toast (GTK_WIDGET (self), path));
}

static void
export_chooser_cb (GtkNativeDialog *chooser,
                   int              response,
                   SpGamePage      *self)
{
  const char *id = g_object_get_data (G_OBJECT (chooser), "sp-checkpoint-id");

  if (response == GTK_RESPONSE_ACCEPT && self->game != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      /* The file chooser has asked before replacing an existing file. */
      if (path != NULL)
        {
          ExportData *data = g_new0 (ExportData, 1);

          data->self = g_object_ref (self);
          data->path = g_strdup (path);
          sp_game_export_checkpoint_async (self->game, id, path, SP_EXPORT_FLAGS_REPLACE,
                                           self->cancellable, export_done_cb, data);
        }
    }
  g_object_unref (chooser);
}

static void
checkpoint_export_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->game == NULL || sp_game_find_checkpoint (self->game, id) == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Export Checkpoint"), sp_ui_get_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  {
    SpCheckpoint *checkpoint = sp_game_find_checkpoint (self->game, id);

    name = sp_export_ui_file_name (sp_game_get_name (self->game), sp_checkpoint_get_label (checkpoint),
                                   sp_checkpoint_get_created (checkpoint));
  }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (chooser), "sp-checkpoint-id", g_strdup (id), g_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_chooser_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

typedef struct
{
  SpGamePage *self;
  char       *path;
} ImportRequest;

static void
import_request_free (ImportRequest *request)
{
  g_object_unref (request->self);
  g_free (request->path);
  g_free (request);
}

static void import_start (SpGamePage    *self,
                          const char    *path,
                          SpImportFlags  flags);

static void
import_other_game_response_cb (AdwMessageDialog *dialog,
                               const char       *response,
                               SpGamePage       *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "sp-import-path");

  if (g_strcmp0 (response, "import") == 0 && self->game != NULL)
    import_start (self, path, SP_IMPORT_FLAGS_OTHER_GAME);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ImportRequest *request = user_data;
  SpGamePage *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autofree char *warning = NULL;

  checkpoint = sp_game_import_checkpoint_finish (SP_GAME (object), result, &warning, &error);
  if (checkpoint == NULL &&
      g_error_matches (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_OTHER_GAME))
    {
      /* The user may know better (a copy of the same game added twice). */
      GtkWidget *dialog = adw_message_dialog_new (sp_ui_get_window (GTK_WIDGET (self)),
                                                  _("Checkpoint of Another Game"),
                                                  error->message);

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Cancel"),
                                        "import", _("_Import Anyway"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_object_set_data_full (G_OBJECT (dialog), "sp-import-path", g_strdup (request->path),
                              g_free);
      g_signal_connect_object (dialog, "response", G_CALLBACK (import_other_game_response_cb),
                               self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else if (checkpoint == NULL)
    sp_ui_show_error_unless_cancelled (GTK_WIDGET (self),
                                       _("Could Not Import the Checkpoint"), error);
  else
    {
      if (warning != NULL)
        g_debug ("%s", warning);
      sp_ui_add_toast (GTK_WIDGET (self),
                       adw_toast_new (warning != NULL
                                      ? _("Checkpoint imported: it restores without setuid or setgid bits")
                                      : _("Checkpoint imported: restore it to play from it")));
    }
  import_request_free (request);
}

static void
import_start (SpGamePage    *self,
              const char    *path,
              SpImportFlags  flags)
{
  ImportRequest *request = g_new0 (ImportRequest, 1);

  request->self = g_object_ref (self);
  request->path = g_strdup (path);
  sp_game_import_checkpoint_async (self->game, path, flags, self->cancellable,
                                   import_done_cb, request);
}

static void
import_chooser_cb (GtkNativeDialog *chooser,
                   int              response,
                   SpGamePage      *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->game != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        import_start (self, path, SP_IMPORT_FLAGS_NONE);
    }
  g_object_unref (chooser);
}

static void
game_import_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->game == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Import Checkpoint"), sp_ui_get_window (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Checkpoints"));
  gtk_file_filter_add_pattern (filter, "*.tar.zst");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (import_chooser_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const char *
problem_title (SpVerifyProblemKind kind)
{
  switch (kind)
    {
    case SP_VERIFY_PROBLEM_DAMAGED:      return _("Damaged Checkpoint");
    case SP_VERIFY_PROBLEM_BAD_METADATA: return _("Unreadable Checkpoint Details");
    case SP_VERIFY_PROBLEM_ORPHAN:       return _("Archive Without Checkpoint");
    case SP_VERIFY_PROBLEM_LEFTOVER:     return _("Leftover of an Interrupted Write");
    case SP_VERIFY_PROBLEM_GAME_INI:     return _("Unreadable Game Settings");
    case SP_VERIFY_PROBLEM_LIBRARY_INI:  return _("Unreadable Library Settings");
    case SP_VERIFY_PROBLEM_UNREADABLE:   return _("Unreadable Clean Install File");
    default:                             return _("Problem");
    }
}

static void
clear_problems (SpGamePage *self)
{
  for (guint i = 0; i < self->problem_rows->len; i++)
    adw_preferences_group_remove (self->problems_group, self->problem_rows->pdata[i]);
  g_ptr_array_set_size (self->problem_rows, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), FALSE);
}

/* One row per finding, in a group above the timeline, so they stay in view
 * (a dialog would go away with its list). */
static void
show_problems (SpGamePage *self,
               GPtrArray  *problems)
{
  clear_problems (self);
  for (guint i = 0; i < problems->len; i++)
    {
      SpVerifyProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *subtitle = g_markup_escape_text (problem->error->message, -1);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;

      /* A warning is about a good checkpoint that restores with a change. */
      if (problem->is_warning)
        icon = gtk_image_new_from_icon_name ("dialog-information-symbolic");
      else
        {
          icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
          gtk_widget_add_css_class (icon, "warning");
        }
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     problem->is_warning ? _("Restores With Changes")
                                                         : problem_title (problem->kind));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      adw_preferences_group_add (self->problems_group, row);
      g_ptr_array_add (self->problem_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), problems->len > 0);
}

static void
verify_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpGamePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *text = NULL;
  guint n_damaged = 0;

  problems = sp_game_verify_finish (SP_GAME (object), result, &error);
  if (problems == NULL)
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self),
                                         _("Could Not Verify the Checkpoints"), error);
      return;
    }
  if (self->disposed || SP_GAME (object) != self->game)
    return;
  show_problems (self, problems);
  for (guint i = 0; i < problems->len; i++)
    if (!((SpVerifyProblem *) g_ptr_array_index (problems, i))->is_warning)
      n_damaged++;
  if (n_damaged == 0)
    {
      sp_ui_add_toast (GTK_WIDGET (self), adw_toast_new (_("All checkpoints are intact")));
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Verify found %u problem",
                                       "Verify found %u problems", n_damaged),
                          n_damaged);
  sp_ui_add_toast (GTK_WIDGET (self), adw_toast_new (text));
}

static void
game_verify_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpGamePage *self = SP_GAME_PAGE (widget);

  if (self->game != NULL)
    sp_game_verify_async (self->game, NULL, self->cancellable, verify_done_cb, g_object_ref (self));
}

static void
game_play_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  if (SP_GAME_PAGE (widget)->game != NULL)
    g_signal_emit (widget, signals[SIGNAL_PLAY], 0);
}

static void
game_back_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_BACK], 0);
}

/* The game's session ------------------------------------------------------ */

/* The session of the page's game: running (elapsed time, Stop instead of
 * Play) or ended and not yet kept (Keep… / Discard), as its card shows. */
static SpSession *
page_session (SpGamePage *self)
{
  if (self->player == NULL || self->game == NULL)
    return NULL;
  return sp_player_get_session (self->player, self->game);
}

static void
update_session (SpGamePage *self)
{
  SpSession *session = page_session (self);
  SpSessionState state = session ? sp_session_get_state (session) : SP_SESSION_STATE_IDLE;
  gboolean saving = session != NULL && sp_player_get_saving (self->player, session);
  gboolean running = session != NULL && state == SP_SESSION_STATE_RUNNING;
  gboolean pending = session != NULL && !saving &&
                     (state == SP_SESSION_STATE_FINISHED || state == SP_SESSION_STATE_FAILED) &&
                     sp_session_get_run (session) != NULL;
  g_autofree char *subtitle = NULL;
  const char *title = NULL;

  if (session != NULL)
    {
      if (saving)
        title = _("Saving checkpoint…");
      else if (pending)
        {
          g_autofree char *played = sp_ui_format_duration (sp_session_get_elapsed (session));
          GDateTime *started = sp_session_get_run (session) != NULL
            ? sp_run_get_started (sp_session_get_run (session)) : NULL;

          g_autofree char *date = started != NULL && sp_session_get_recovered (session)
            ? sp_ui_format_date (started) : NULL;
          /* (A run shorter than a second: its play time is noise.) */
          gboolean timed = sp_session_get_elapsed (session) > 0;

          title = _("Not yet kept");
          if (date != NULL && timed)
            /* Translators: the first %s is a date like "Yesterday at 14:03", the second a duration like "2 h 5 min" */
            subtitle = g_strdup_printf (_("A run from %s (%s played) waits for you to keep or discard it"),
                                        date, played);
          else if (date != NULL)
            /* Translators: %s is a date like "Yesterday at 14:03" */
            subtitle = g_strdup_printf (_("A run from %s waits for you to keep or discard it"), date);
          else if (timed)
            /* Translators: %s is a duration like "2 h 5 min" */
            subtitle = g_strdup_printf (_("The last run (%s played) waits for you to keep or discard it"),
                                        played);
          else
            subtitle = g_strdup (_("The last run waits for you to keep or discard it"));
        }
      else if (running)
        {
          g_autofree char *clock = sp_ui_format_clock (sp_session_get_elapsed (session));

          title = _("Running");
          /* Translators: %s is a running clock like "12:34" */
          subtitle = g_strdup_printf (_("Playing for %s"), clock);
        }
      else if (state == SP_SESSION_STATE_FINISHING)
        title = _("Finishing…");
      else if (state == SP_SESSION_STATE_IDLE || state == SP_SESSION_STATE_PREPARING)
        title = _("Starting…");
    }

  gtk_widget_set_visible (self->session_group, title != NULL);
  if (title != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->session_row), title);
  adw_action_row_set_subtitle (self->session_row, subtitle ? subtitle : "");
  gtk_stack_set_visible_child_name (self->session_icon, pending ? "pending" : "busy");
  gtk_spinner_set_spinning (self->session_spinner, title != NULL && !pending);
  gtk_widget_set_visible (self->keep_button, pending);
  gtk_widget_set_visible (self->discard_button, pending);
  gtk_widget_set_visible (self->play_button, session == NULL);
  gtk_widget_set_visible (self->stop_button, session != NULL && !pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "game.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "game.keep", pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "game.discard", pending);
}

static void
session_changed_cb (SpGamePage *self,
                    SpSession  *session)
{
  if (self->game != NULL && sp_session_get_game (session) == self->game)
    update_session (self);
}

static void
game_stop_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_STOP], 0);
}

static void
game_keep_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_KEEP], 0);
}

static void
game_discard_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_DISCARD], 0);
}

void
sp_game_page_set_player (SpGamePage *self,
                         SpPlayer   *player)
{
  g_return_if_fail (SP_IS_GAME_PAGE (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (self->player == player)
    return;
  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  g_set_object (&self->player, player);
  if (player != NULL)
    {
      g_signal_connect_swapped (player, "session-changed", G_CALLBACK (session_changed_cb), self);
      g_signal_connect_swapped (player, "session-finished", G_CALLBACK (session_changed_cb), self);
    }
  update_session (self);
}

SpSession *
sp_game_page_get_session (SpGamePage *self)
{
  g_return_val_if_fail (SP_IS_GAME_PAGE (self), NULL);
  return page_session (self);
}

/* GObject ---------------------------------------------------------------- */

static void
sp_game_page_dispose (GObject *object)
{
  SpGamePage *self = SP_GAME_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  /* The page goes with its window (the app quits): pending deletes are
   * carried out. */
  if (!self->disposed)
    sp_game_page_commit_deletes (self);
  sp_game_page_set_game (self, NULL);
  sp_game_page_set_player (self, NULL);
  self->disposed = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_GAME_PAGE);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->timeline_model);
  g_clear_object (&self->parts);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sp_game_page_parent_class)->dispose (object);
}

static void
sp_game_page_finalize (GObject *object)
{
  SpGamePage *self = SP_GAME_PAGE (object);

  g_clear_pointer (&self->pending_deletes, g_hash_table_unref);
  g_clear_pointer (&self->deleting, g_hash_table_unref);
  g_clear_pointer (&self->problem_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (sp_game_page_parent_class)->finalize (object);
}

static void
sp_game_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SpGamePage *self = SP_GAME_PAGE (object);

  switch (prop_id)
    {
    case PROP_GAME:
      g_value_set_object (value, self->game);
      break;
    case PROP_HIDDEN_CHECKPOINTS:
      g_value_take_boxed (value, sp_game_page_dup_hidden_checkpoints (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SpGamePage *self = SP_GAME_PAGE (object);

  switch (prop_id)
    {
    case PROP_GAME:
      sp_game_page_set_game (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The page's first focus: Play, or the newest checkpoint while Play is
 * off; never a text field (whose text focus would select). */
static gboolean
sp_game_page_grab_focus (GtkWidget *widget)
{
  SpGamePage *self = SP_GAME_PAGE (widget);
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->timeline, 0);

  if (gtk_widget_is_sensitive (self->play_button) && gtk_widget_grab_focus (self->play_button))
    return TRUE;
  if (first != NULL && gtk_widget_grab_focus (GTK_WIDGET (first)))
    return TRUE;
  return GTK_WIDGET_CLASS (sp_game_page_parent_class)->grab_focus (widget);
}

static void
sp_game_page_class_init (SpGamePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_game_page_dispose;
  object_class->finalize = sp_game_page_finalize;
  object_class->get_property = sp_game_page_get_property;
  object_class->set_property = sp_game_page_set_property;
  widget_class->grab_focus = sp_game_page_grab_focus;

  properties[PROP_HIDDEN_CHECKPOINTS] =
    g_param_spec_boxed ("hidden-checkpoints", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_GAME] =
    g_param_spec_object ("game", NULL, NULL, SP_TYPE_GAME,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PLAY] = g_signal_new ("play", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STOP] = g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_KEEP] = g_signal_new ("keep", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DISCARD] = g_signal_new ("discard", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-game-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, name_label);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, timeline);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, play_button);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, session_group);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, session_row);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, session_icon);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, session_spinner);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, keep_button);
  gtk_widget_class_bind_template_child (widget_class, SpGamePage, discard_button);

  gtk_widget_class_install_action (widget_class, "game.back", NULL, game_back_cb);
  gtk_widget_class_install_action (widget_class, "game.play", NULL, game_play_cb);
  gtk_widget_class_install_action (widget_class, "game.stop", NULL, game_stop_cb);
  gtk_widget_class_install_action (widget_class, "game.keep", NULL, game_keep_cb);
  gtk_widget_class_install_action (widget_class, "game.discard", NULL, game_discard_cb);
  gtk_widget_class_install_action (widget_class, "game.import", NULL, game_import_cb);
  gtk_widget_class_install_action (widget_class, "game.verify", NULL, game_verify_cb);
  gtk_widget_class_install_action (widget_class, "game.free-space", NULL, game_free_space_cb);
  gtk_widget_class_install_action (widget_class, "game.settings", NULL, game_settings_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.play", "s", checkpoint_play_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.restore", "s", checkpoint_restore_cb);
  gtk_widget_class_install_action (widget_class, "game.discarded", NULL, game_discarded_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.rename", "s", checkpoint_rename_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.note", "s", checkpoint_note_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.pin", "s", checkpoint_pin_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.export", "s", checkpoint_export_cb);
  gtk_widget_class_install_action (widget_class, "checkpoint.delete", "s", checkpoint_delete_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "game.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "game.back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
sp_game_page_init (SpGamePage *self)
{
  g_autoptr(GListStore) clean = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(GObject) sentinel = g_object_new (G_TYPE_OBJECT, NULL);

  self->pending_deletes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->deleting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  update_session (self);

  self->filter = gtk_custom_filter_new (filter_cb, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  g_list_store_append (clean, sentinel);
  self->parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (self->parts, self->filtered);
  g_list_store_append (self->parts, clean);
  self->timeline_model = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->parts)));

  /* The verify findings go above the timeline's group. */
  self->problem_rows = g_ptr_array_new ();
  self->problems_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->problems_group, _("Problems Found"));
  adw_preferences_group_set_description (self->problems_group,
                                         _("Damaged checkpoints cannot be restored: delete them "
                                           "or import an exported copy. “savepoint-cli verify "
                                           "--repair” removes leftovers."));
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), FALSE);
  {
    GtkWidget *timeline_group = gtk_widget_get_ancestor (GTK_WIDGET (self->timeline),
                                                         ADW_TYPE_PREFERENCES_GROUP);
    GtkWidget *box = gtk_widget_get_parent (timeline_group);

    gtk_widget_insert_before (GTK_WIDGET (self->problems_group), box, timeline_group);
    self->repair_group = SP_WINE_REPAIR_GROUP (sp_wine_repair_group_new ());
    gtk_widget_insert_before (GTK_WIDGET (self->repair_group), box,
                              GTK_WIDGET (self->problems_group));
  }
}

GtkWidget *
sp_game_page_new (void)
{
  return g_object_new (SP_TYPE_GAME_PAGE, NULL);
}

SpGame *
sp_game_page_get_game (SpGamePage *self)
{
  g_return_val_if_fail (SP_IS_GAME_PAGE (self), NULL);
  return self->game;
}

void
sp_game_page_set_game (SpGamePage *self,
                       SpGame     *game)
{
  g_return_if_fail (SP_IS_GAME_PAGE (self));
  g_return_if_fail (game == NULL || SP_IS_GAME (game));

  if (self->game == game)
    return;

  /* Pending deletes stay pending (their toasts carry their game). */
  if (self->game != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->game, self);
      g_signal_handlers_disconnect_by_data (self->timeline_model, self);
      gtk_list_box_bind_model (self->timeline, NULL, NULL, NULL, NULL);
      gtk_filter_list_model_set_model (self->filtered, NULL);
    }

  g_set_object (&self->game, game);
  sp_wine_repair_group_set_game (self->repair_group, game);
  clear_problems (self);

  if (game != NULL)
    {
      gtk_filter_list_model_set_model (self->filtered, sp_game_get_checkpoints (game));
      gtk_list_box_bind_model (self->timeline, G_LIST_MODEL (self->timeline_model),
                               create_row_cb, self, NULL);
      g_signal_connect_swapped (self->timeline_model, "items-changed",
                                G_CALLBACK (timeline_changed_cb), self);
      g_signal_connect_swapped (game, "notify", G_CALLBACK (game_notify_cb), self);
      update_header (self);
      refresh_rows (self);
    }
  update_session (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAME]);
}

GtkListBox *
sp_game_page_get_timeline (SpGamePage *self)
{
  g_return_val_if_fail (SP_IS_GAME_PAGE (self), NULL);
  return self->timeline;
}

gboolean
sp_game_page_get_writing (SpGamePage *self)
{
  g_return_val_if_fail (SP_IS_GAME_PAGE (self), FALSE);
  return self->writes > 0;
}

AdwToast *
sp_game_page_get_delete_toast (SpGamePage *self)
{
  g_return_val_if_fail (SP_IS_GAME_PAGE (self), NULL);
  return self->delete_toast;
}

guint
sp_game_page_get_n_problems (SpGamePage *self)
{
  g_return_val_if_fail (SP_IS_GAME_PAGE (self), 0);
  return self->problem_rows->len;
}

char *
sp_game_page_dup_problem (SpGamePage *self,
                          guint       i)
{
  AdwActionRow *row;

  g_return_val_if_fail (SP_IS_GAME_PAGE (self), NULL);
  g_return_val_if_fail (i < self->problem_rows->len, NULL);
  row = self->problem_rows->pdata[i];
  return g_strdup_printf ("%s: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                          adw_action_row_get_subtitle (row));
}

GStrv
sp_game_page_dup_hidden_checkpoints (SpGamePage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (SP_IS_GAME_PAGE (self), NULL);

  g_hash_table_iter_init (&iter, self->pending_deletes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  g_hash_table_iter_init (&iter, self->deleting);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  return g_strv_builder_end (builder);
}
