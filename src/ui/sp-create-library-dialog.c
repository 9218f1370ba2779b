/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-create-library-dialog.h"

struct _SpCreateLibraryDialog
{
  AdwWindow        parent_instance;

  GVolumeMonitor  *volume_monitor;
  GCancellable    *cancellable;
  GtkCheckButton  *group;          /* the first radio: the others join it */
  /* path -> AdwActionRow (owned by the list) */
  GHashTable      *rows;
  char            *selected;

  GtkListBox      *locations;
  AdwActionRow    *choose_row;
  GtkButton       *create_button;
  GtkLabel        *warning_label;
};

enum {
  LOCATION_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpCreateLibraryDialog, sp_create_library_dialog, ADW_TYPE_WINDOW)

gboolean
sp_create_library_fs_has_4gb_limit (const char *fs_type)
{
  const char * const fat[] = { "msdos", "vfat", "fat", "fat12", "fat16", "fat32", "umsdos", NULL };

  return fs_type != NULL && g_strv_contains (fat, fs_type);
}

static void
update_selection (SpCreateLibraryDialog *self)
{
  AdwActionRow *row = self->selected ? g_hash_table_lookup (self->rows, self->selected) : NULL;
  const char *fs_type = row ? g_object_get_data (G_OBJECT (row), "sp-fs-type") : NULL;
  gboolean fat = sp_create_library_fs_has_4gb_limit (fs_type);

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), self->selected != NULL);
  gtk_label_set_text (self->warning_label,
                      fat ? _("This drive uses FAT32, which cannot store files over 4 GB: "
                              "large games or checkpoints will not fit. Reformatting it as "
                              "exFAT or ext4 avoids this.")
                          : "");
  gtk_widget_set_visible (GTK_WIDGET (self->warning_label), fat);
}

static void
check_toggled_cb (GtkCheckButton        *check,
                  SpCreateLibraryDialog *self)
{
  if (!gtk_check_button_get_active (check))
    return;
  g_free (self->selected);
  self->selected = g_strdup (g_object_get_data (G_OBJECT (check), "sp-path"));
  update_selection (self);
}

typedef struct
{
  SpCreateLibraryDialog *self;
  char                  *path;
} InfoData;

static void
info_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  InfoData *data = user_data;
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info_finish (G_FILE (object), result, NULL);
  SpCreateLibraryDialog *self = data->self;
  AdwActionRow *row;

  if (info != NULL && !g_cancellable_is_cancelled (self->cancellable) &&
      (row = g_hash_table_lookup (self->rows, data->path)) != NULL)
    {
      const char *fs_type = g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_FILESYSTEM_TYPE);
      g_autofree char *free_text = NULL;
      g_autofree char *details = NULL;

      if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
        free_text = g_format_size (g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE));
      if (free_text != NULL && fs_type != NULL)
        /* Translators: the first %s is a size (“12.3 GB”), the second a file system (“ext4”) */
        details = g_strdup_printf (_("%s free · %s"), free_text, fs_type);
      else if (free_text != NULL)
        /* Translators: %s is a size (“12.3 GB”) */
        details = g_strdup_printf (_("%s free"), free_text);
      else
        details = g_strdup (fs_type ? fs_type : "");
      g_object_set_data_full (G_OBJECT (row), "sp-fs-type", g_strdup (fs_type), g_free);
      g_object_set_data_full (G_OBJECT (row), "sp-details", g_strdup (details), g_free);
      adw_action_row_set_subtitle (row, details);
      update_selection (self);
    }
  g_object_unref (data->self);
  g_free (data->path);
  g_free (data);
}

static void
add_row (SpCreateLibraryDialog *self,
         const char            *path,
         const char            *title,
         GIcon                 *icon,
         gboolean               select)
{
  GtkWidget *row;
  GtkWidget *check;
  g_autoptr(GFile) file = NULL;
  InfoData *data;

  row = g_hash_table_lookup (self->rows, path);
  if (row == NULL)
    {
      row = adw_action_row_new ();
      check = gtk_check_button_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_tooltip_text (row, path);
      if (icon != NULL)
        {
          GtkWidget *image = gtk_image_new_from_gicon (icon);

          gtk_image_set_icon_size (GTK_IMAGE (image), GTK_ICON_SIZE_LARGE);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
        }
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (check), "sp-path", g_strdup (path), g_free);
      if (self->group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), self->group);
      else
        self->group = GTK_CHECK_BUTTON (check);
      g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "sp-check", check);
      /* Before "Choose a Folder…", which stays last. */
      gtk_list_box_insert (self->locations, row,
                           gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (self->choose_row)));
      g_hash_table_insert (self->rows, g_strdup (path), row);

      file = g_file_new_for_path (path);
      data = g_new0 (InfoData, 1);
      data->self = g_object_ref (self);
      data->path = g_strdup (path);
      g_file_query_filesystem_info_async (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE ","
                                          G_FILE_ATTRIBUTE_FILESYSTEM_TYPE,
                                          G_PRIORITY_DEFAULT, self->cancellable, info_done_cb, data);
    }
  if (select)
    gtk_check_button_set_active (g_object_get_data (G_OBJECT (row), "sp-check"), TRUE);
}

static void
add_mount (SpCreateLibraryDialog *self,
           GMount                *mount)
{
  g_autoptr(GFile) root = g_mount_get_root (mount);
  g_autofree char *path = g_file_get_path (root);
  g_autofree char *name = g_mount_get_name (mount);
  g_autoptr(GIcon) icon = g_mount_get_symbolic_icon (mount);

  /* Only what is mounted as a folder here (not an MTP phone or a network
   * share without a local path) and not a shadowed mount. */
  if (path == NULL || g_mount_is_shadowed (mount))
    return;
  add_row (self, path, name, icon, FALSE);
}

static void
refresh_mounts (SpCreateLibraryDialog *self)
{
  GList *mounts = g_volume_monitor_get_mounts (self->volume_monitor);

  for (GList *l = mounts; l != NULL; l = l->next)
    add_mount (self, l->data);
  g_list_free_full (mounts, g_object_unref);
}

static void
mount_added_cb (GVolumeMonitor        *monitor,
                GMount                *mount,
                SpCreateLibraryDialog *self)
{
  add_mount (self, mount);
}

/* A drive that goes away leaves the list (and the selection). */
static void
mount_removed_cb (GVolumeMonitor        *monitor,
                  GMount                *mount,
                  SpCreateLibraryDialog *self)
{
  g_autoptr(GFile) root = g_mount_get_root (mount);
  g_autofree char *path = g_file_get_path (root);
  GtkWidget *row = path ? g_hash_table_lookup (self->rows, path) : NULL;

  if (row == NULL)
    return;
  if (g_strcmp0 (self->selected, path) == 0)
    g_clear_pointer (&self->selected, g_free);
  if (self->group == g_object_get_data (G_OBJECT (row), "sp-check"))
    {
      /* The others stay grouped among themselves (GTK keeps the group):
       * new rows join one of them. */
      GtkWidget *other = NULL;
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->rows);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (value != row)
          other = g_object_get_data (value, "sp-check");
      self->group = other ? GTK_CHECK_BUTTON (other) : NULL;
    }
  g_hash_table_remove (self->rows, path);
  gtk_list_box_remove (self->locations, row);
  update_selection (self);
}

static void
folder_chosen_cb (GtkNativeDialog       *chooser,
                  int                    response,
                  SpCreateLibraryDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        sp_create_library_dialog_add_location (self, path);
    }
  g_object_unref (chooser);
}

static void
choose_activated_cb (SpCreateLibraryDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Choose a Folder for the Library"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (folder_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
create_clicked_cb (SpCreateLibraryDialog *self)
{
  g_autofree char *path = g_strdup (self->selected);

  if (path == NULL)
    return;
  g_signal_emit (self, signals[LOCATION_CHOSEN], 0, path);
  gtk_window_close (GTK_WINDOW (self));
}

static void
sp_create_library_dialog_dispose (GObject *object)
{
  SpCreateLibraryDialog *self = SP_CREATE_LIBRARY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->volume_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->volume_monitor, self);
  g_clear_object (&self->volume_monitor);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_CREATE_LIBRARY_DIALOG);

  G_OBJECT_CLASS (sp_create_library_dialog_parent_class)->dispose (object);
}

static void
sp_create_library_dialog_finalize (GObject *object)
{
  SpCreateLibraryDialog *self = SP_CREATE_LIBRARY_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_free (self->selected);

  G_OBJECT_CLASS (sp_create_library_dialog_parent_class)->finalize (object);
}

static void
sp_create_library_dialog_class_init (SpCreateLibraryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_create_library_dialog_dispose;
  object_class->finalize = sp_create_library_dialog_finalize;

  signals[LOCATION_CHOSEN] =
    g_signal_new ("location-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-create-library-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpCreateLibraryDialog, locations);
  gtk_widget_class_bind_template_child (widget_class, SpCreateLibraryDialog, choose_row);
  gtk_widget_class_bind_template_child (widget_class, SpCreateLibraryDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, SpCreateLibraryDialog, warning_label);
  gtk_widget_class_bind_template_callback (widget_class, choose_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sp_create_library_dialog_init (SpCreateLibraryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->volume_monitor = g_volume_monitor_get ();
  g_signal_connect (self->volume_monitor, "mount-added", G_CALLBACK (mount_added_cb), self);
  g_signal_connect (self->volume_monitor, "mount-removed", G_CALLBACK (mount_removed_cb), self);
  refresh_mounts (self);
}

GtkWidget *
sp_create_library_dialog_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (SP_TYPE_CREATE_LIBRARY_DIALOG, "transient-for", parent, NULL);
}

void
sp_create_library_dialog_add_location (SpCreateLibraryDialog *self,
                                       const char            *path)
{
  g_autofree char *name = NULL;
  g_autoptr(GIcon) icon = NULL;

  g_return_if_fail (SP_IS_CREATE_LIBRARY_DIALOG (self));
  g_return_if_fail (path != NULL);

  name = g_filename_display_basename (path);
  icon = g_themed_icon_new ("folder-symbolic");
  add_row (self, path, name, icon, TRUE);
}

guint
sp_create_library_dialog_get_n_locations (SpCreateLibraryDialog *self)
{
  g_return_val_if_fail (SP_IS_CREATE_LIBRARY_DIALOG (self), 0);
  return g_hash_table_size (self->rows);
}

const char *
sp_create_library_dialog_get_selected (SpCreateLibraryDialog *self)
{
  g_return_val_if_fail (SP_IS_CREATE_LIBRARY_DIALOG (self), NULL);
  return self->selected;
}

const char *
sp_create_library_dialog_get_details (SpCreateLibraryDialog *self,
                                      const char            *path)
{
  GtkWidget *row;

  g_return_val_if_fail (SP_IS_CREATE_LIBRARY_DIALOG (self), NULL);
  row = g_hash_table_lookup (self->rows, path);
  return row ? g_object_get_data (G_OBJECT (row), "sp-details") : NULL;
}

const char *
sp_create_library_dialog_get_warning (SpCreateLibraryDialog *self)
{
  g_return_val_if_fail (SP_IS_CREATE_LIBRARY_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->warning_label))
    ? gtk_label_get_text (self->warning_label) : NULL;
}
