/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "core/sp-diff.h"
#include "sp-checkpoint-details.h"
#include "sp-format.h"
#include "sp-game-page.h"

/* One row of either list: a path or a registry key. */
#define SP_TYPE_DIFF_ITEM (sp_diff_item_get_type ())
G_DECLARE_FINAL_TYPE (SpDiffItem, sp_diff_item, SP, DIFF_ITEM, GObject)

struct _SpDiffItem
{
  GObject     parent_instance;
  SpDiffKind  kind;
  char       *title;    /* the path or key, valid UTF-8 */
  char       *detail;   /* sizes, or the file and value names */
  char       *folded;   /* title and detail, case-folded, for the filter */
};

G_DEFINE_FINAL_TYPE (SpDiffItem, sp_diff_item, G_TYPE_OBJECT)

static void
sp_diff_item_finalize (GObject *object)
{
  SpDiffItem *self = SP_DIFF_ITEM (object);

  g_free (self->title);
  g_free (self->detail);
  g_free (self->folded);
  G_OBJECT_CLASS (sp_diff_item_parent_class)->finalize (object);
}

static void
sp_diff_item_class_init (SpDiffItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_diff_item_finalize;
}

static void
sp_diff_item_init (SpDiffItem *self)
{
}

static SpDiffItem *
sp_diff_item_new (SpDiffKind  kind,
                  const char *title,
                  char       *detail)
{
  SpDiffItem *self = g_object_new (SP_TYPE_DIFF_ITEM, NULL);
  g_autofree char *both = NULL;

  self->kind = kind;
  self->title = g_utf8_make_valid (title, -1);
  self->detail = detail;
  both = g_strconcat (self->title, "\n", detail, NULL);
  self->folded = g_utf8_casefold (both, -1);
  return self;
}

struct _SpCheckpointDetails
{
  AdwWindow           parent_instance;

  SpGame             *game;
  SpCheckpoint       *checkpoint;
  GPtrArray          *others;        /* the game's other checkpoints, as the dropdown lists them after
                                      * "Clean Install" */
  SpCheckpoint       *compared;      /* what @checkpoint is compared with; NULL: the clean install */
  GCancellable       *cancellable;
  gboolean            loading;
  char               *filter_text;   /* case-folded */

  GListStore         *files;
  GListStore         *keys;
  GtkCustomFilter    *filter;
  GtkFilterListModel *files_filtered;
  GtkFilterListModel *keys_filtered;

  AdwViewSwitcherTitle *switcher_title;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  AdwStatusPage      *error_page;
  AdwViewStack       *view_stack;
  AdwViewStackPage   *registry_page;
  GtkListView        *files_view;
  GtkListView        *registry_view;
  GtkLabel           *summary_label;
  GtkDropDown        *compare_dropdown;
};

G_DEFINE_FINAL_TYPE (SpCheckpointDetails, sp_checkpoint_details, ADW_TYPE_WINDOW)

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  SpCheckpointDetails *self = user_data;

  return self->filter_text == NULL || self->filter_text[0] == '\0' ||
         strstr (SP_DIFF_ITEM (item)->folded, self->filter_text) != NULL;
}

static void
search_changed_cb (SpCheckpointDetails *self)
{
  g_free (self->filter_text);
  self->filter_text = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* ---- the rows ---- */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *badge = gtk_label_new (NULL);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_width_chars (GTK_LABEL (badge), 8);
  gtk_label_set_xalign (GTK_LABEL (badge), 0);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "caption-heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "caption");
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), detail);
  gtk_box_append (GTK_BOX (box), badge);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_list_item_set_child (list_item, box);
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  SpDiffItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *badge = gtk_widget_get_first_child (box);
  GtkWidget *texts = gtk_widget_get_next_sibling (badge);
  GtkWidget *title = gtk_widget_get_first_child (texts);
  GtkWidget *detail = gtk_widget_get_next_sibling (title);
  static const char * const classes[] = { "success", "warning", "error" };
  const char *text;

  switch (item->kind)
    {
    case SP_DIFF_ADDED:
      /* TRANSLATORS: a tag before a path in a checkpoint's changes */
      text = C_("change", "Added");
      break;
    case SP_DIFF_CHANGED:
      /* TRANSLATORS: a tag before a path in a checkpoint's changes */
      text = C_("change", "Changed");
      break;
    case SP_DIFF_DELETED:
    default:
      /* TRANSLATORS: a tag before a path in a checkpoint's changes */
      text = C_("change", "Deleted");
      break;
    }
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (badge, classes[i]);
  gtk_widget_add_css_class (badge, classes[MIN ((guint) item->kind, 2)]);
  gtk_label_set_text (GTK_LABEL (badge), text);
  gtk_label_set_text (GTK_LABEL (title), item->title);
  gtk_widget_set_tooltip_text (title, item->title);
  gtk_label_set_text (GTK_LABEL (detail), item->detail);
  gtk_widget_set_visible (detail, item->detail[0] != '\0');
}

static void
set_up_view (SpCheckpointDetails *self,
             GtkListView         *view,
             GListModel          *model)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = gtk_no_selection_new (g_object_ref (model));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (view, factory);
  gtk_list_view_set_model (view, GTK_SELECTION_MODEL (selection));
}

/* ---- filling in ---- */

static char *
file_detail (SpDiffEntry *e)
{
  g_autofree char *old_size = g_format_size (e->old_size);
  g_autofree char *new_size = g_format_size (e->new_size);

  switch (e->type)
    {
    case SP_DIFF_TYPE_DIR:
      return g_strdup (_("Folder"));
    case SP_DIFF_TYPE_SYMLINK:
      return g_strdup (_("Symbolic link"));
    case SP_DIFF_TYPE_OTHER:
      return g_strdup (_("Special file"));
    case SP_DIFF_TYPE_FILE:
    default:
      break;
    }
  if (e->kind == SP_DIFF_ADDED)
    return g_steal_pointer (&new_size);
  if (e->kind == SP_DIFF_DELETED)
    /* TRANSLATORS: the size a deleted file had */
    return g_strdup_printf (_("Was %s"), old_size);
  return g_strdup_printf ("%s → %s", old_size, new_size);
}

static char *
key_detail (SpRegistryKeyChange *c)
{
  g_autoptr(GString) text = g_string_new (c->file);

  for (guint i = 0; c->values[i] != NULL; i++)
    {
      g_autofree char *name = g_utf8_make_valid (c->values[i], -1);

      g_string_append (text, i == 0 ? " · " : ", ");
      g_string_append (text, c->values[i][0] != '\0' ? name : "@");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_diff (SpCheckpointDetails *self,
           SpDiff              *diff)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *total = g_format_size (sp_diff_get_total_size (diff));
  g_autofree char *summary = NULL;

  for (guint i = 0; i < diff->entries->len; i++)
    {
      SpDiffEntry *e = g_ptr_array_index (diff->entries, i);

      g_ptr_array_add (items, sp_diff_item_new (e->kind, e->path, file_detail (e)));
    }
  g_list_store_splice (self->files, 0, g_list_model_get_n_items (G_LIST_MODEL (self->files)),
                       items->pdata, items->len);

  g_ptr_array_set_size (items, 0);
  for (guint i = 0; i < diff->registry->len; i++)
    {
      SpRegistryKeyChange *c = g_ptr_array_index (diff->registry, i);
      SpDiffKind kind = c->kind == SP_REGISTRY_KEY_ADDED ? SP_DIFF_ADDED
                      : c->kind == SP_REGISTRY_KEY_CHANGED ? SP_DIFF_CHANGED
                      : SP_DIFF_DELETED;

      g_ptr_array_add (items, sp_diff_item_new (kind, c->key, key_detail (c)));
    }
  g_list_store_splice (self->keys, 0, g_list_model_get_n_items (G_LIST_MODEL (self->keys)),
                       items->pdata, items->len);
  adw_view_stack_page_set_visible (self->registry_page, diff->is_wine);
  adw_view_stack_page_set_badge_number (self->registry_page, diff->registry->len);

  /* TRANSLATORS: under a checkpoint's changes; the last %s is a size
   * such as "4.5 MB" */
  summary = g_strdup_printf (_("%u added, %u changed, %u deleted · %s new or changed"),
                             diff->n_added, diff->n_changed, diff->n_deleted, total);
  if (diff->is_wine)
    {
      g_autofree char *keys = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u registry key differs",
                                                            "%u registry keys differ",
                                                            diff->registry->len),
                                               diff->registry->len);
      g_autofree char *with_keys = g_strdup_printf ("%s · %s", summary, keys);

      g_free (summary);
      summary = g_steal_pointer (&with_keys);
    }
  gtk_label_set_text (self->summary_label, summary);
  gtk_stack_set_visible_child_name (self->stack,
                                    diff->entries->len == 0 && diff->registry->len == 0
                                    ? "empty" : "changes");
}

/* What the worker thread reads: taken from the game on the main thread. */
typedef struct
{
  char         *base_path;
  gboolean      is_wine;
  SpCheckpoint *checkpoint;
  SpCheckpoint *older;       /* NULL: the clean install */
} DiffData;

static void
diff_data_free (DiffData *data)
{
  g_free (data->base_path);
  g_clear_object (&data->checkpoint);
  g_clear_object (&data->older);
  g_free (data);
}

static void
diff_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  DiffData *data = task_data;
  g_autoptr(GError) error = NULL;
  SpDiff *diff;

  /* What changed from the older state to this checkpoint. */
  diff = data->older != NULL
    ? sp_diff_checkpoints (data->base_path, data->is_wine, data->older, data->checkpoint,
                           cancellable, &error)
    : sp_diff_checkpoints (data->base_path, data->is_wine, data->checkpoint, NULL,
                           cancellable, &error);
  if (diff == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, diff, (GDestroyNotify) sp_diff_free);
}

static void
diff_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SpCheckpointDetails *self = SP_CHECKPOINT_DETAILS (object);
  g_autoptr(SpDiff) diff = NULL;
  g_autoptr(GError) error = NULL;

  diff = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (diff == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      gtk_label_set_text (self->summary_label, "");
      return;
    }
  show_diff (self, diff);
}

static void start (SpCheckpointDetails *self);

/* "Clean Install", then the game's other checkpoints, newest first. */
static void
fill_choices (SpCheckpointDetails *self)
{
  GListModel *checkpoints = sp_game_get_checkpoints (self->game);
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);

  self->others = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_string_list_append (choices, _("Clean Install"));
  for (guint i = 0; i < g_list_model_get_n_items (checkpoints); i++)
    {
      g_autoptr(SpCheckpoint) other = g_list_model_get_item (checkpoints, i);
      g_autofree char *title = NULL;
      g_autofree char *date = NULL;
      g_autofree char *choice = NULL;

      if (other == self->checkpoint)
        continue;
      title = sp_ui_format_checkpoint_title (other);
      date = sp_ui_format_date (sp_checkpoint_get_created (other));
      /* Translators: "<checkpoint> · <date>" */
      choice = g_strdup_printf (C_("compared checkpoint", "%s · %s"), title, date);
      gtk_string_list_append (choices, choice);
      g_ptr_array_add (self->others, g_steal_pointer (&other));
    }
  g_signal_handlers_block_matched (self->compare_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_drop_down_set_model (self->compare_dropdown, G_LIST_MODEL (choices));
  gtk_drop_down_set_selected (self->compare_dropdown, 0);
  g_signal_handlers_unblock_matched (self->compare_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
compare_changed_cb (SpCheckpointDetails *self)
{
  guint selected = gtk_drop_down_get_selected (self->compare_dropdown);
  SpCheckpoint *other = selected > 0 && selected <= self->others->len
    ? g_ptr_array_index (self->others, selected - 1) : NULL;

  if (other == self->compared || self->checkpoint == NULL)
    return;
  g_set_object (&self->compared, other);
  start (self);
}

static void
start (SpCheckpointDetails *self)
{
  g_autoptr(GTask) task = NULL;
  DiffData *data = g_new0 (DiffData, 1);
  g_autofree char *title = NULL;
  g_autofree char *name = sp_ui_format_checkpoint_title (self->checkpoint);

  /* TRANSLATORS: the title of a checkpoint's details; %s is its label */
  title = g_strdup_printf (_("Changes in “%s”"), name);
  adw_view_switcher_title_set_title (self->switcher_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  if (self->compared == NULL)
    adw_view_switcher_title_set_subtitle (self->switcher_title, _("Compared with the clean install"));
  else
    {
      g_autofree char *other = sp_ui_format_checkpoint_title (self->compared);
      /* TRANSLATORS: %s is the label of the checkpoint compared with */
      g_autofree char *subtitle = g_strdup_printf (_("Compared with “%s”"), other);

      adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
    }

  /* A comparison under way for another choice ends here. */
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, diff_done_cb, NULL);

  self->loading = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_label_set_text (self->summary_label, _("Comparing…"));
  data->base_path = g_strdup (sp_game_get_base_path (self->game));
  data->is_wine = sp_game_get_kind (self->game) == SP_GAME_KIND_WINE;
  data->checkpoint = g_object_ref (self->checkpoint);
  data->older = self->compared != NULL ? g_object_ref (self->compared) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) diff_data_free);
  g_task_set_source_tag (task, start);
  g_task_run_in_thread (task, diff_thread);
}

static void
sp_checkpoint_details_dispose (GObject *object)
{
  SpCheckpointDetails *self = SP_CHECKPOINT_DETAILS (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_CHECKPOINT_DETAILS);
  G_OBJECT_CLASS (sp_checkpoint_details_parent_class)->dispose (object);
}

static void
sp_checkpoint_details_finalize (GObject *object)
{
  SpCheckpointDetails *self = SP_CHECKPOINT_DETAILS (object);

  g_clear_object (&self->game);
  g_clear_object (&self->checkpoint);
  g_clear_object (&self->compared);
  g_clear_pointer (&self->others, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->files_filtered);
  g_clear_object (&self->keys_filtered);
  g_clear_object (&self->files);
  g_clear_object (&self->keys);
  g_clear_object (&self->filter);
  g_free (self->filter_text);
  G_OBJECT_CLASS (sp_checkpoint_details_parent_class)->finalize (object);
}

static void
sp_checkpoint_details_class_init (SpCheckpointDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_checkpoint_details_dispose;
  object_class->finalize = sp_checkpoint_details_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-checkpoint-details.ui");
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, error_page);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, registry_page);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, files_view);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, registry_view);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointDetails, compare_dropdown);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, compare_changed_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sp_checkpoint_details_init (SpCheckpointDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->files = g_list_store_new (SP_TYPE_DIFF_ITEM);
  self->keys = g_list_store_new (SP_TYPE_DIFF_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->files_filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->files)),
                                                    GTK_FILTER (g_object_ref (self->filter)));
  self->keys_filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->keys)),
                                                   GTK_FILTER (g_object_ref (self->filter)));
  set_up_view (self, self->files_view, G_LIST_MODEL (self->files_filtered));
  set_up_view (self, self->registry_view, G_LIST_MODEL (self->keys_filtered));
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
}

GtkWidget *
sp_checkpoint_details_new (GtkWindow    *parent,
                           SpGame       *game,
                           SpCheckpoint *checkpoint)
{
  SpCheckpointDetails *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);
  g_return_val_if_fail (SP_IS_CHECKPOINT (checkpoint), NULL);

  self = g_object_new (SP_TYPE_CHECKPOINT_DETAILS, "transient-for", parent, NULL);
  self->game = g_object_ref (game);
  self->checkpoint = g_object_ref (checkpoint);
  fill_choices (self);
  start (self);
  return GTK_WIDGET (self);
}

void
sp_checkpoint_details_open (GtkWidget    *from,
                            SpCheckpoint *checkpoint)
{
  GtkWidget *page;
  GtkRoot *root;
  GtkWidget *details;

  g_return_if_fail (GTK_IS_WIDGET (from));
  g_return_if_fail (SP_IS_CHECKPOINT (checkpoint));

  page = gtk_widget_get_ancestor (from, SP_TYPE_GAME_PAGE);
  if (page == NULL || sp_game_page_get_game (SP_GAME_PAGE (page)) == NULL)
    return;
  root = gtk_widget_get_root (from);
  details = sp_checkpoint_details_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       sp_game_page_get_game (SP_GAME_PAGE (page)), checkpoint);
  gtk_window_present (GTK_WINDOW (details));
}

gboolean
sp_checkpoint_details_get_loading (SpCheckpointDetails *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_DETAILS (self), FALSE);
  return self->loading;
}

void
sp_checkpoint_details_set_filter (SpCheckpointDetails *self,
                                  const char          *text)
{
  g_return_if_fail (SP_IS_CHECKPOINT_DETAILS (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* Not waiting for the entry's delay. */
  search_changed_cb (self);
}

const char *
sp_checkpoint_details_get_state (SpCheckpointDetails *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_DETAILS (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
sp_checkpoint_details_set_page (SpCheckpointDetails *self,
                                const char          *name)
{
  g_return_if_fail (SP_IS_CHECKPOINT_DETAILS (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

guint
sp_checkpoint_details_get_n_files (SpCheckpointDetails *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_DETAILS (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->files_filtered));
}

guint
sp_checkpoint_details_get_n_keys (SpCheckpointDetails *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_DETAILS (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->keys_filtered));
}

void
sp_checkpoint_details_compare_with (SpCheckpointDetails *self,
                                    SpCheckpoint        *other)
{
  g_return_if_fail (SP_IS_CHECKPOINT_DETAILS (self));

  for (guint i = 0; i < self->others->len; i++)
    if (g_ptr_array_index (self->others, i) == other)
      {
        gtk_drop_down_set_selected (self->compare_dropdown, i + 1);
        return;
      }
  gtk_drop_down_set_selected (self->compare_dropdown, 0);
}

const char *
sp_checkpoint_details_get_summary (SpCheckpointDetails *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_DETAILS (self), NULL);
  return gtk_label_get_text (self->summary_label);
}
