/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "sp-add-game-window-private.h"
#include "sp-game-settings.h"
#include "sp-ui-util.h"

enum {
  SIGNAL_GAME_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpAddGameWindow, sp_add_game_window, ADW_TYPE_WINDOW)

static SpLibrary *
selected_library (SpAddGameWindow *self)
{
  gpointer item = adw_combo_row_get_selected_item (self->library_row);

  return SP_IS_LIBRARY (item) ? item : NULL;
}

/* The executable relative to the folder, or NULL when it is not inside. */
static char *
relative_executable (SpAddGameWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->executable_row));
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) file = NULL;

  if (self->folder == NULL || text[0] == '\0')
    return NULL;
  if (!g_path_is_absolute (text))
    return strstr (text, "..") == NULL ? g_strdup (text) : NULL;

  folder = g_file_new_for_path (self->folder);
  file = g_file_new_for_path (text);
  return g_file_get_relative_path (folder, file);
}

static gboolean
is_wine (SpAddGameWindow *self)
{
  return adw_combo_row_get_selected (self->kind_row) == 1;
}

char *
sp_add_game_title_from_folder (const char *folder_name)
{
  g_autofree char *valid = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (folder_name != NULL, NULL);

  valid = g_utf8_make_valid (folder_name, -1);
  g_strdelimit (valid, "_-.\t\n", ' ');
  words = g_strsplit (valid, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gunichar first;

      if (words[i][0] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      first = g_utf8_get_char (words[i]);
      g_string_append_unichar (out, g_unichar_totitle (first));
      g_string_append (out, g_utf8_next_char (words[i]));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A game of that name already in the library: said, not refused (the
 * library gives the new one its own folder). */
static void
update_duplicate (SpAddGameWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  SpLibrary *library = selected_library (self);
  g_autofree char *folded = g_utf8_casefold (name, -1);
  gboolean duplicate = FALSE;

  for (guint i = 0; library != NULL && name[0] != '\0' && !duplicate &&
       i < g_list_model_get_n_items (sp_library_get_games (library)); i++)
    {
      g_autoptr(SpGame) game = g_list_model_get_item (sp_library_get_games (library), i);
      g_autofree char *other = g_utf8_casefold (sp_game_get_name (game), -1);

      duplicate = g_strcmp0 (folded, other) == 0;
    }
  if (duplicate)
    {
      /* Translators: %s is a game's name */
      g_autofree char *text = g_strdup_printf (_("A game named “%s” is already in this library."), name);

      gtk_label_set_text (self->duplicate_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "warning");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "warning");
  gtk_widget_set_visible (GTK_WIDGET (self->duplicate_label), duplicate);
}

void
_sp_add_game_window_validate (SpAddGameWindow *self)
{
  g_autofree char *exe = relative_executable (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  SpLibrary *library = selected_library (self);
  gboolean ok;

  ok = !self->busy && self->folder != NULL && exe != NULL && name[0] != '\0' &&
       library != NULL && !sp_library_get_read_only (library) &&
       /* A Wine game waits for the list of its profiles (a moment). */
       !(is_wine (self) && self->users_cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-game.add", ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-game.create-prefix", !self->busy);
  /* Installers run only in the prefix this window made. */
  gtk_widget_set_visible (self->installer_row, _sp_add_game_prefix_is_chosen (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-game.run-installer",
                                 !self->busy && _sp_add_game_prefix_is_chosen (self));
  gtk_widget_set_sensitive (self->form_page, !self->busy);
  update_duplicate (self);
}

/* The executable is filled in when the folder has one obvious candidate
 * (sp_game_settings_find_executables_async()) and none was typed. In the
 * prefix this window made, that is the one its installers added (and the
 * name follows the game's folder in Program Files). */
static void
executables_found_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SpAddGameWindow) self = user_data;
  g_auto(GStrv) found = sp_game_settings_find_executables_finish (result, NULL);
  g_autofree char *name = NULL;

  if (found == NULL)
    return;   /* cancelled: the folder or the kind changed, or the window went */
  g_clear_object (&self->scan_cancellable);
  if (_sp_add_game_prefix_is_chosen (self) && is_wine (self))
    {
      GStrv installed = _sp_add_game_prefix_new_executables (self, (const char * const *) found);

      g_strfreev (found);
      found = installed;
      if (g_strv_length (found) == 1)
        name = _sp_add_game_prefix_name_for (found[0]);
    }
  if (g_strv_length (found) != 1 ||
      gtk_editable_get_text (GTK_EDITABLE (self->executable_row))[0] != '\0')
    return;
  sp_add_game_window_set_executable (self, found[0]);
  if (name != NULL && !self->name_edited)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
      self->name_edited = FALSE;
    }
}

void
_sp_add_game_window_find_executable (SpAddGameWindow *self)
{
  g_cancellable_cancel (self->scan_cancellable);
  g_clear_object (&self->scan_cancellable);
  if (self->folder == NULL)
    return;
  self->scan_cancellable = g_cancellable_new ();
  sp_game_settings_find_executables_async (self->folder, is_wine (self),
                                           SP_GAME_SETTINGS_SCAN_MAX_ENTRIES,
                                           self->scan_cancellable, executables_found_cb,
                                           g_object_ref (self));
}

/* The profile row asks only when there is a choice to make. */
static void
update_wine_user_row (SpAddGameWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->wine_user_row),
                          is_wine (self) &&
                          g_list_model_get_n_items (G_LIST_MODEL (self->wine_users)) > 1);
  _sp_add_game_window_validate (self);
}

static void
list_users_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  GStrv users = sp_wine_prefix_list_users (task_data, &error);

  if (users == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, users, (GDestroyNotify) g_strfreev);
}

static void
users_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (object);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) users = g_task_propagate_pointer (G_TASK (result), &error);
  guint selected = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->users_cancellable);
  /* An unreadable drive_c/users: no choice offered; adding says what is wrong. */
  gtk_string_list_splice (self->wine_users, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->wine_users)),
                          (const char * const *) users);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    if (g_strcmp0 (users[i], g_get_user_name ()) == 0)
      selected = i;
  adw_combo_row_set_selected (self->wine_user_row, selected);
  update_wine_user_row (self);
}

/* Lists the Wine profiles of the chosen folder, in a worker thread. */
static void
list_wine_users (SpAddGameWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->users_cancellable);
  g_clear_object (&self->users_cancellable);
  gtk_string_list_splice (self->wine_users, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->wine_users)), NULL);
  update_wine_user_row (self);
  if (self->folder == NULL)
    return;
  self->users_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->users_cancellable, users_listed_cb, NULL);
  g_task_set_source_tag (task, list_wine_users);
  g_task_set_task_data (task, g_strdup (self->folder), g_free);
  g_task_run_in_thread (task, list_users_thread);
}

static void
name_changed_cb (SpAddGameWindow *self)
{
  self->name_edited = TRUE;
}

/* Shows a modal file chooser (showing what @filter lets through, when
 * given) whose response goes to @response_cb. */
void
_sp_add_game_window_show_chooser (SpAddGameWindow      *self,
                                  const char           *title,
                                  GtkFileChooserAction  action,
                                  const char           *accept_label,
                                  const char           *current_folder,
                                  GtkFileFilter        *filter,
                                  GCallback             response_cb)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                         accept_label, _("_Cancel"));
  if (current_folder != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (current_folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  if (filter != NULL)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", response_cb, self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

char *
_sp_add_game_window_take_chosen_path (GtkNativeDialog *chooser,
                                      int              response)
{
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      path = g_file_get_path (file);
    }
  g_object_unref (chooser);
  return g_steal_pointer (&path);
}

static void
folder_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  SpAddGameWindow *self)
{
  g_autofree char *path = _sp_add_game_window_take_chosen_path (chooser, response);

  if (path != NULL)
    sp_add_game_window_set_folder (self, path);
}

static void
choose_folder_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  _sp_add_game_window_show_chooser (SP_ADD_GAME_WINDOW (widget), _("Game Folder"),
                                    GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), NULL,
                                    NULL, G_CALLBACK (folder_chosen_cb));
}

static void
executable_chosen_cb (GtkNativeDialog *chooser,
                      int              response,
                      SpAddGameWindow *self)
{
  g_autofree char *path = _sp_add_game_window_take_chosen_path (chooser, response);

  if (path != NULL)
    sp_add_game_window_set_executable (self, path);
}

static void
choose_executable_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (widget);

  _sp_add_game_window_show_chooser (self, _("Executable"), GTK_FILE_CHOOSER_ACTION_OPEN,
                                    _("_Select"), self->folder, NULL,
                                    G_CALLBACK (executable_chosen_cb));
}

static void
progress_cb (guint64  bytes_done,
             guint64  bytes_total,
             guint64  files_done,
             guint64  files_total,
             gpointer user_data)
{
  SpAddGameWindow *self = user_data;
  g_autofree char *done = g_format_size (bytes_done);
  g_autofree char *total = g_format_size (bytes_total);
  g_autofree char *text = NULL;
  g_autofree char *files = g_strdup_printf ("%" PRIu64, files_done);
  g_autofree char *all = g_strdup_printf ("%" PRIu64, files_total);

  gtk_progress_bar_set_fraction (self->progress_bar,
                                 bytes_total ? (double) bytes_done / (double) bytes_total : 1.0);
  /* Translators: "<copied> of <total> (<n> of <m> files)" */
  text = g_strdup_printf (_("%s of %s (%s of %s files)"), done, total, files, all);
  gtk_label_set_label (self->progress_label, text);
}

static void
add_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpAddGameWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;

  game = sp_library_add_game_finish (SP_LIBRARY (object), result, &error);
  self->busy = FALSE;
  g_clear_object (&self->cancellable);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  _sp_add_game_window_validate (self);

  if (game == NULL)
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Add the Game"), error);
      return;
    }

  /* The drive has its copy: the new prefix's staging folder goes. */
  _sp_add_game_prefix_discard (self);
  g_signal_emit (self, signals[SIGNAL_GAME_ADDED], 0, game);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_cb (GtkWidget  *widget,
        const char *action_name,
        GVariant   *parameter)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (widget);
  g_autofree char *exe = relative_executable (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  SpLibrary *library = selected_library (self);
  SpGameInfo info = { 0 };

  if (self->busy || exe == NULL || name[0] == '\0' || library == NULL)
    return;

  info.name = name;
  info.executable = exe;
  info.kind = is_wine (self) ? SP_GAME_KIND_WINE : SP_GAME_KIND_NATIVE;
  /* With one profile (or none) the library records it without asking. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->wine_user_row)))
    info.wine_user = gtk_string_list_get_string (self->wine_users,
                                                 adw_combo_row_get_selected (self->wine_user_row));

  self->busy = TRUE;
  self->cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_label, _("Counting files…"));
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  _sp_add_game_window_validate (self);

  sp_library_add_game_async (library, &info, self->folder, SP_ADD_MODE_COPY,
                             progress_cb, g_object_ref (self), g_object_unref,
                             self->cancellable, add_done_cb, g_object_ref (self));
}

static void
cancel_cb (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (widget);

  if (self->wine_step != SP_ADD_GAME_WINE_IDLE)
    _sp_add_game_prefix_stop (self);
  else if (self->busy)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
sp_add_game_window_close_request (GtkWindow *window)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (window);

  /* Closing while copying cancels the copy first, and while Wine works
   * stops Wine. (The new prefix goes with the window.) */
  if (self->wine_step != SP_ADD_GAME_WINE_IDLE)
    {
      _sp_add_game_prefix_stop (self);
      return TRUE;
    }
  if (self->busy)
    {
      g_cancellable_cancel (self->cancellable);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (sp_add_game_window_parent_class)->close_request (window);
}

static char *
library_name_cb (SpLibrary *library)
{
  return g_strdup (library ? sp_library_get_name (library) : "");
}

static void
sp_add_game_window_dispose (GObject *object)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->users_cancellable);
  g_clear_object (&self->users_cancellable);
  g_cancellable_cancel (self->scan_cancellable);
  g_clear_object (&self->scan_cancellable);
  _sp_add_game_prefix_dispose (self);
  g_clear_object (&self->libraries);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ADD_GAME_WINDOW);

  G_OBJECT_CLASS (sp_add_game_window_parent_class)->dispose (object);
}

static void
sp_add_game_window_finalize (GObject *object)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (object);

  g_free (self->folder);
  g_clear_object (&self->wine_cancellable);

  G_OBJECT_CLASS (sp_add_game_window_parent_class)->finalize (object);
}

static void
sp_add_game_window_class_init (SpAddGameWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sp_add_game_window_dispose;
  object_class->finalize = sp_add_game_window_finalize;
  window_class->close_request = sp_add_game_window_close_request;

  signals[SIGNAL_GAME_ADDED] = g_signal_new ("game-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_GAME);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-add-game-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, form_page);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, installer_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, duplicate_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, executable_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, wine_user_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, wine_users);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, library_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SpAddGameWindow, progress_label);
  gtk_widget_class_bind_template_callback_full (widget_class, "validate",
                                                G_CALLBACK (_sp_add_game_window_validate));

  gtk_widget_class_install_action (widget_class, "add-game.choose-folder", NULL, choose_folder_cb);
  gtk_widget_class_install_action (widget_class, "add-game.choose-executable", NULL, choose_executable_cb);
  _sp_add_game_prefix_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "add-game.add", NULL, add_cb);
  gtk_widget_class_install_action (widget_class, "add-game.cancel", NULL, cancel_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "add-game.cancel", NULL);
}

static void
sp_add_game_window_init (SpAddGameWindow *self)
{
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->wine_cancellable = g_cancellable_new ();

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (library_name_cb), NULL, NULL);
  adw_combo_row_set_expression (self->library_row, expression);
  gtk_expression_unref (expression);

  adw_action_row_set_subtitle (self->folder_row, _("None chosen"));
  g_signal_connect_swapped (self->library_row, "notify::selected",
                            G_CALLBACK (_sp_add_game_window_validate), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected",
                            G_CALLBACK (update_wine_user_row), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected",
                            G_CALLBACK (_sp_add_game_window_find_executable), self);
  _sp_add_game_window_validate (self);
}

GtkWidget *
sp_add_game_window_new (GtkWindow  *parent,
                        GListModel *libraries,
                        SpLibrary  *library)
{
  SpAddGameWindow *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (libraries), NULL);

  self = g_object_new (SP_TYPE_ADD_GAME_WINDOW, "transient-for", parent, NULL);
  self->libraries = g_object_ref (libraries);
  adw_combo_row_set_model (self->library_row, libraries);
  gtk_widget_set_visible (GTK_WIDGET (self->library_row), g_list_model_get_n_items (libraries) > 1);
  for (guint i = 0; library != NULL && i < g_list_model_get_n_items (libraries); i++)
    {
      g_autoptr(SpLibrary) item = g_list_model_get_item (libraries, i);
      if (item == library)
        adw_combo_row_set_selected (self->library_row, i);
    }
  /* The name follows the folder until the user types one. */
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (name_changed_cb), self);
  _sp_add_game_window_validate (self);
  return GTK_WIDGET (self);
}

void
sp_add_game_window_set_folder (SpAddGameWindow *self,
                               const char      *folder)
{
  gboolean new_prefix;

  g_return_if_fail (SP_IS_ADD_GAME_WINDOW (self));

  g_free (self->folder);
  self->folder = g_strdup (folder);
  new_prefix = _sp_add_game_prefix_is_chosen (self);
  /* Another folder: the prefix this window made is not needed any more. */
  if (!new_prefix && !self->busy)
    _sp_add_game_prefix_discard (self);
  if (new_prefix)
    adw_action_row_set_subtitle (self->folder_row,
                                 _("A new Wine prefix, copied onto the drive when the game is "
                                   "added"));
  else
    adw_action_row_set_subtitle (self->folder_row, folder ? folder : _("None chosen"));

  /* (The folder of a new prefix is named by Savepoint, not after the game.) */
  if (folder != NULL && !new_prefix && !self->name_edited)
    {
      g_autofree char *base = g_path_get_basename (folder);
      g_autofree char *title = sp_add_game_title_from_folder (base);
      gboolean edited = self->name_edited;

      gtk_editable_set_text (GTK_EDITABLE (self->name_row), title);
      self->name_edited = edited;
    }
  list_wine_users (self);
  _sp_add_game_window_find_executable (self);
  _sp_add_game_window_validate (self);
}

const char *
sp_add_game_window_get_folder (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), NULL);
  return self->folder;
}

void
sp_add_game_window_set_executable (SpAddGameWindow *self,
                                   const char      *executable)
{
  g_autofree char *relative = NULL;

  g_return_if_fail (SP_IS_ADD_GAME_WINDOW (self));

  if (executable != NULL && g_path_is_absolute (executable) && self->folder != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (self->folder);
      g_autoptr(GFile) file = g_file_new_for_path (executable);
      relative = g_file_get_relative_path (folder, file);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->executable_row),
                         relative ? relative : executable ? executable : "");
  _sp_add_game_window_validate (self);
}

void
sp_add_game_window_set_name (SpAddGameWindow *self,
                             const char      *name)
{
  g_return_if_fail (SP_IS_ADD_GAME_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name ? name : "");
  self->name_edited = TRUE;
}

void
sp_add_game_window_set_kind (SpAddGameWindow *self,
                             SpGameKind       kind)
{
  g_return_if_fail (SP_IS_ADD_GAME_WINDOW (self));
  adw_combo_row_set_selected (self->kind_row, kind == SP_GAME_KIND_WINE ? 1 : 0);
}

gboolean
sp_add_game_window_get_busy (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), FALSE);
  return self->busy;
}

const char *
sp_add_game_window_get_staging_folder (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), NULL);
  return self->staging;
}

const char *
sp_add_game_window_get_name (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

const char *
sp_add_game_window_get_executable (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->executable_row));
}

const char *
sp_add_game_window_get_warning (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->duplicate_label))
    ? gtk_label_get_text (self->duplicate_label) : NULL;
}

gboolean
sp_add_game_window_get_searching (SpAddGameWindow *self)
{
  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), FALSE);
  return self->scan_cancellable != NULL;
}
