/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-add-game-window.h"
#include "sp-create-library-dialog.h"
#include "sp-game-card.h"
#include "sp-game-page.h"
#include "sp-game-settings-window.h"
#include "sp-ui-util.h"
#include "sp-window-private.h"

G_DEFINE_FINAL_TYPE (SpWindow, sp_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_view (SpWindow *self);

/* Cards ------------------------------------------------------------------ */

static void
card_gone_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  SpWindow *self = data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == (gpointer) where_the_object_was)
      g_hash_table_iter_remove (&iter);
}

static void
card_open_cb (SpGameCard *card,
              SpWindow   *self)
{
  sp_window_open_game (self, sp_game_card_get_game (card));
}

static void
card_stop_cb (SpGameCard *card,
              SpWindow   *self)
{
  sp_player_stop (self->player, sp_game_card_get_game (card));
}

static void
card_play_cb (SpGameCard *card,
              SpWindow   *self)
{
  sp_window_play_game (self, sp_game_card_get_game (card));
}

/* Game Settings are a group of the game's page. */
static void
card_settings_cb (SpGameCard *card,
                  SpWindow   *self)
{
  GtkWidget *settings = sp_game_settings_window_new (GTK_WINDOW (self),
                                                     sp_game_card_get_game (card));

  gtk_window_present (GTK_WINDOW (settings));
}

static void
card_remove_cb (SpGameCard *card,
                SpWindow   *self)
{
  _sp_window_remove_game (self, sp_game_card_get_game (card));
}

static void
card_keep_cb (SpGameCard *card,
              SpWindow   *self)
{
  _sp_window_decide (self, sp_game_card_get_game (card), "keep");
}

static void
card_discard_cb (SpGameCard *card,
                 SpWindow   *self)
{
  _sp_window_decide (self, sp_game_card_get_game (card), "discard");
}

static gboolean
card_menu_key_cb (GtkWidget *child,
                  GVariant  *args,
                  gpointer   user_data)
{
  GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

  return gtk_widget_activate_action (card, "card.menu", NULL);
}

static GtkWidget *
create_card_cb (gpointer item,
                gpointer user_data)
{
  SpWindow *self = user_data;
  GtkWidget *card = sp_game_card_new (item);
  GtkWidget *child = gtk_flow_box_child_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  /* The child has the keyboard focus, not the card: the Menu key (and
   * Shift+F10) on it open the card's menu. Enter plays. */
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), card);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                                                        gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                                                          gtk_callback_action_new (card_menu_key_cb, NULL, NULL)));
  gtk_widget_add_controller (child, shortcuts);
  gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  sp_game_get_name (item), -1);
  SpGameCard *old = g_hash_table_lookup (self->cards, item);

  if (old != NULL)
    g_object_weak_unref (G_OBJECT (old), card_gone_cb, self);
  g_hash_table_insert (self->cards, item, card);
  g_object_weak_ref (G_OBJECT (card), card_gone_cb, self);
  g_signal_connect_object (card, "open", G_CALLBACK (card_open_cb), self, 0);
  g_signal_connect_object (card, "stop", G_CALLBACK (card_stop_cb), self, 0);
  g_signal_connect_object (card, "play", G_CALLBACK (card_play_cb), self, 0);
  g_signal_connect_object (card, "settings", G_CALLBACK (card_settings_cb), self, 0);
  g_signal_connect_object (card, "remove", G_CALLBACK (card_remove_cb), self, 0);
  g_signal_connect_object (card, "keep", G_CALLBACK (card_keep_cb), self, 0);
  g_signal_connect_object (card, "discard", G_CALLBACK (card_discard_cb), self, 0);
  {
    g_auto(GStrv) hidden = sp_game_page_dup_hidden_checkpoints (self->game_page);
    sp_game_card_set_hidden_checkpoints (SP_GAME_CARD (card), (const char * const *) hidden);
  }
  _sp_window_update_card (self, item);
  return child;
}

static void
child_activated_cb (GtkFlowBox      *flow_box,
                    GtkFlowBoxChild *child,
                    SpWindow        *self)
{
  GtkWidget *card = gtk_flow_box_child_get_child (child);

  if (SP_IS_GAME_CARD (card))
    sp_window_play_game (self, sp_game_card_get_game (SP_GAME_CARD (card)));
}

/* Sections: one per library ---------------------------------------------- */

static void
unwatch_models (SpWindow *self)
{
  for (guint i = 0; i < self->watched_models->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched_models, i), self);
  g_ptr_array_set_size (self->watched_models, 0);
}

static GtkWidget *
build_section (SpWindow  *self,
               SpLibrary *library)
{
  GListModel *games = sp_library_get_games (library);
  const char *location = sp_library_monitor_get_location (self->monitor, library);
  GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (sp_library_get_name (library));
  GtkWidget *where = gtk_label_new (location);
  GtkWidget *empty = gtk_label_new (_("No games in this library yet. Use “Add Game…” to add one."));
  GtkWidget *flow = gtk_flow_box_new ();
  g_autoptr(GListModel) shown = _sp_window_search_wrap (self, games);

  gtk_widget_add_css_class (title, "title-2");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (where, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (where), 0);
  gtk_widget_set_valign (where, GTK_ALIGN_BASELINE);
  gtk_widget_set_valign (title, GTK_ALIGN_BASELINE);
  gtk_label_set_ellipsize (GTK_LABEL (where), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (where, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), where);
  gtk_box_append (GTK_BOX (section), header);

  if (sp_library_get_warning (library) != NULL)
    {
      GtkWidget *warning = gtk_label_new (sp_library_get_warning (library));

      gtk_label_set_wrap (GTK_LABEL (warning), TRUE);
      gtk_label_set_xalign (GTK_LABEL (warning), 0);
      gtk_widget_add_css_class (warning, "warning");
      gtk_box_append (GTK_BOX (section), warning);
    }

  /* What the library left out (a badly named or linked game folder, a
   * game.ini that does not parse, …): folded, so it does not crowd the
   * games, but never hidden. */
  {
    const char * const *problems = sp_library_get_problems (library);
    guint n = g_strv_length ((char **) problems);

    if (n > 0)
      {
        g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u problem in this library",
                                                               "%u problems in this library", n),
                                                  n);
        GtkWidget *expander = gtk_expander_new (label);
        GtkWidget *list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

        for (guint i = 0; i < n; i++)
          {
            GtkWidget *line = gtk_label_new (problems[i]);

            gtk_label_set_wrap (GTK_LABEL (line), TRUE);
            gtk_label_set_wrap_mode (GTK_LABEL (line), PANGO_WRAP_WORD_CHAR);
            gtk_label_set_xalign (GTK_LABEL (line), 0);
            gtk_label_set_selectable (GTK_LABEL (line), TRUE);
            gtk_box_append (GTK_BOX (list), line);
          }
        gtk_widget_add_css_class (expander, "warning");
        gtk_expander_set_child (GTK_EXPANDER (expander), list);
        gtk_box_append (GTK_BOX (section), expander);
        g_object_set_data (G_OBJECT (section), "sp-problems", expander);
      }
  }

  gtk_label_set_xalign (GTK_LABEL (empty), 0);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_box_append (GTK_BOX (section), empty);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_widget_add_css_class (flow, "game-grid");
  gtk_accessible_update_property (GTK_ACCESSIBLE (flow), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  sp_library_get_name (library), -1);
  gtk_flow_box_bind_model (GTK_FLOW_BOX (flow), shown, create_card_cb, self, NULL);
  g_object_set_data_full (G_OBJECT (section), "sp-shown", g_object_ref (shown), g_object_unref);
  g_signal_connect_object (shown, "items-changed", G_CALLBACK (_sp_window_search_update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (flow, "child-activated", G_CALLBACK (child_activated_cb), self);
  gtk_box_append (GTK_BOX (section), flow);

  g_object_set_data (G_OBJECT (section), "sp-empty", empty);
  g_object_set_data (G_OBJECT (section), "sp-flow", flow);
  g_object_set_data_full (G_OBJECT (section), "sp-library", g_object_ref (library), g_object_unref);

  g_signal_connect_swapped (games, "items-changed", G_CALLBACK (update_view), self);
  g_ptr_array_add (self->watched_models, g_object_ref (games));
  return section;
}

/* A library that was found but refused: a row with its error, so that a
 * drive with a broken or hostile library does not just look empty. */
static GtkWidget *
build_refused_section (SpWindow         *self,
                       SpRefusedLibrary *refused)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  const char *location = sp_refused_library_get_location (refused);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  /* Translators: %s is a drive's name or a folder */
  title = g_strdup_printf (_("Library on %s Not Opened"), location ? location : sp_refused_library_get_path (refused));
  subtitle = g_markup_escape_text (sp_refused_library_get_message (refused), -1);
  {
    g_autofree char *escaped = g_markup_escape_text (title, -1);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (icon, "error");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  g_object_set_data_full (G_OBJECT (list), "sp-refused", g_object_ref (refused), g_object_unref);
  return list;
}

static void
rebuild_sections (SpWindow *self)
{
  GListModel *libraries = sp_library_monitor_get_libraries (self->monitor);
  GtkWidget *child;

  unwatch_models (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->games_box))) != NULL)
    gtk_box_remove (self->games_box, child);

  for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
    {
      g_autoptr(SpLibrary) library = g_list_model_get_item (libraries, i);
      gtk_box_append (self->games_box, build_section (self, library));
    }
  for (guint i = 0; i < g_list_model_get_n_items (sp_library_monitor_get_refused (self->monitor)); i++)
    {
      g_autoptr(SpRefusedLibrary) refused =
        g_list_model_get_item (sp_library_monitor_get_refused (self->monitor), i);
      gtk_box_append (self->games_box, build_refused_section (self, refused));
    }

  /* A game whose library went away cannot stay open. */
  if (sp_game_page_get_game (self->game_page) != NULL &&
      sp_window_find_library (self, sp_game_page_get_game (self->game_page)) == NULL)
    {
      sp_window_show_games (self);
      sp_game_page_set_game (self->game_page, NULL);
    }

  update_view (self);
}

static void
update_view (SpWindow *self)
{
  GListModel *libraries = sp_library_monitor_get_libraries (self->monitor);
  guint n_libraries = g_list_model_get_n_items (libraries);
  guint n_refused = g_list_model_get_n_items (sp_library_monitor_get_refused (self->monitor));
  guint n_games = 0;
  const char *view;

  for (GtkWidget *section = gtk_widget_get_first_child (GTK_WIDGET (self->games_box));
       section != NULL;
       section = gtk_widget_get_next_sibling (section))
    {
      SpLibrary *library = g_object_get_data (G_OBJECT (section), "sp-library");
      guint n;

      if (library == NULL)
        continue;   /* a refused library's row */
      n = g_list_model_get_n_items (sp_library_get_games (library));

      gtk_widget_set_visible (g_object_get_data (G_OBJECT (section), "sp-empty"), n == 0);
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (section), "sp-flow"), n > 0);
      n_games += n;
    }

  if (n_libraries == 0 && n_refused == 0)
    view = sp_library_monitor_get_scanning (self->monitor) ? "loading" : "empty";
  else if (n_libraries == 1 && n_games == 0 && n_refused == 0)
    view = "no-games";
  else
    view = "games";

  gtk_stack_set_visible_child_name (self->main_stack, view);
  _sp_window_search_update (self);
}

static void
libraries_changed_cb (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      SpWindow   *self)
{
  rebuild_sections (self);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SpLibrary) library = g_list_model_get_item (model, i);
      _sp_window_check_pending_runs (self, library);
    }
}

/* Actions ---------------------------------------------------------------- */

static void
game_added_cb (SpAddGameWindow *window,
               SpGame          *game,
               SpWindow        *self)
{
  g_autofree char *text = NULL;

  guint replaced = g_strv_length ((char **) sp_game_get_replaced_links (game));

  if (replaced > 0)
    /* Translators: %s is a game's name, %u a number of folders */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "“%s” added; %u user folder now stays inside the game",
                                         "“%s” added; %u user folders now stay inside the game",
                                         replaced), sp_game_get_name (game), replaced);
  else
    /* Translators: %s is a game's name */
    text = g_strdup_printf (_("“%s” added"), sp_game_get_name (game));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* A library of the user's, not the built-in demo (which goes away as soon
 * as a real library appears, taking what was added to it out of sight). */
static gboolean
has_real_library (SpWindow *self)
{
  GListModel *libraries = sp_library_monitor_get_libraries (self->monitor);

  for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
    {
      g_autoptr(SpLibrary) library = g_list_model_get_item (libraries, i);

      if (!sp_library_monitor_is_demo (self->monitor, library))
        return TRUE;
    }
  return FALSE;
}

static void
offer_create_library_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         SpWindow         *self)
{
  if (g_str_equal (response, "create"))
    g_action_group_activate_action (G_ACTION_GROUP (self), "create-library", NULL);
  else if (g_str_equal (response, "open"))
    g_action_group_activate_action (G_ACTION_GROUP (self), "add-library-folder", NULL);
}

/* Add Game with no library of the user's: the library comes first. */
static void
offer_create_library (SpWindow *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Create a Library First"),
                                   _("Games are kept in a library on a drive, where Savepoint "
                                     "keeps them clean and saves their checkpoints. The demo "
                                     "library is only for trying Savepoint out."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open a Library Folder…"),
                                    "create", _("_Create a Library…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (offer_create_library_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_game_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SpWindow *self = user_data;
  GListModel *libraries = sp_library_monitor_get_libraries (self->monitor);
  SpGame *shown = sp_game_page_get_game (self->game_page);
  GtkWidget *window;

  if (!has_real_library (self))
    {
      offer_create_library (self);
      return;
    }

  window = sp_add_game_window_new (GTK_WINDOW (self), libraries,
                                   shown ? sp_window_find_library (self, shown) : NULL);
  g_signal_connect_object (window, "game-added", G_CALLBACK (game_added_cb), self, 0);
  gtk_window_present (GTK_WINDOW (window));
}

typedef struct
{
  SpWindow *self;
  char     *path;
} CreateLibraryData;

static void
set_library_actions_enabled (SpWindow *self,
                             gboolean  enabled)
{
  const char * const names[] = { "create-library", "add-library-folder" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);

      if (action != NULL)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
    }
}

static void
library_created_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CreateLibraryData *data = user_data;
  g_autoptr(SpWindow) self = data->self;
  g_autofree char *path = data->path;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  GApplication *app = g_application_get_default ();

  g_free (data);
  if (app != NULL)
    g_application_release (app);
  set_library_actions_enabled (self, TRUE);

  library = sp_library_create_finish (result, &error);
  if (library == NULL && !g_error_matches (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS))
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Create the Library"), error);
      return;
    }
  if (self->monitor == NULL)
    return;   /* the window is gone */
  sp_library_monitor_add_folder (self->monitor, path);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (library ? _("Library created") : _("Library opened")));
}

/* The drive may be slow: written in a worker; the app stays up until it
 * is done. */
static void
create_library_at (SpWindow   *self,
                   const char *path)
{
  CreateLibraryData *data = g_new0 (CreateLibraryData, 1);
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_hold (app);
  set_library_actions_enabled (self, FALSE);
  data->self = g_object_ref (self);
  data->path = g_strdup (path);
  sp_library_create_async (path, _("Games"), NULL, library_created_cb, data);
}

static void
create_library_chosen_cb (GtkNativeDialog *chooser,
                          int              response,
                          SpWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        create_library_at (self, path);
    }
  g_object_unref (chooser);
}

static void
choose_library_folder (SpWindow   *self,
                       const char *title,
                       const char *accept)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (create_library_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
create_library_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkWidget *dialog = sp_create_library_dialog_new (GTK_WINDOW (user_data));

  /* Drives listed with their space and file system (SpCreateLibraryDialog). */
  g_signal_connect_object (dialog, "location-chosen", G_CALLBACK (create_library_at), user_data,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_library_folder_action (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  choose_library_folder (user_data, _("Open a Library Folder"), _("_Open"));
}

static void
show_games_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  sp_window_show_games (user_data);
}

/* "win.game-settings" ("(ss)": library id, game slug), e.g. from a card. */
static void
game_settings_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SpWindow *self = user_data;
  GListModel *libraries = sp_library_monitor_get_libraries (self->monitor);
  const char *library_id, *slug;

  g_variant_get (parameter, "(&s&s)", &library_id, &slug);
  for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
    {
      g_autoptr(SpLibrary) library = g_list_model_get_item (libraries, i);
      GListModel *games = sp_library_get_games (library);

      if (g_strcmp0 (sp_library_get_id (library), library_id) != 0)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (games); j++)
        {
          g_autoptr(SpGame) game = g_list_model_get_item (games, j);

          if (g_strcmp0 (sp_game_get_slug (game), slug) == 0)
            {
              gtk_window_present (GTK_WINDOW (sp_game_settings_window_new (GTK_WINDOW (self), game)));
              return;
            }
        }
    }
}

static const GActionEntry win_entries[] = {
  { "add-game", add_game_action },
  { "create-library", create_library_action },
  { "add-library-folder", add_library_folder_action },
  { "show-games", show_games_action },
  { "game-settings", game_settings_action, "(ss)" },
};

/* A pending delete counts as done on the cards too. */
static void
hidden_checkpoints_cb (SpWindow *self)
{
  g_auto(GStrv) hidden = NULL;
  GHashTableIter iter;
  gpointer value;

  if (self->game_page == NULL || self->cards == NULL)
    return;   /* the window is being disposed */
  hidden = sp_game_page_dup_hidden_checkpoints (self->game_page);
  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sp_game_card_set_hidden_checkpoints (value, (const char * const *) hidden);
}

static void
game_page_back_cb (SpWindow *self)
{
  sp_window_show_games (self);
}

static void
game_page_play_cb (SpWindow *self)
{
  SpGame *game = sp_game_page_get_game (self->game_page);

  if (game != NULL)
    sp_window_play_game (self, game);
}

/* GObject ---------------------------------------------------------------- */

static gboolean
sp_window_close_request (GtkWindow *window)
{
  SpWindow *self = SP_WINDOW (window);
  int width, height;

  /* A game runs: keep it in the background, or stop it? */
  if (_sp_window_confirm_close (self))
    return TRUE;
  gtk_window_get_default_size (window, &width, &height);
  if (self->settings != NULL)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }
  sp_game_page_commit_deletes (self->game_page);

  return GTK_WINDOW_CLASS (sp_window_parent_class)->close_request (window);
}

static void
sp_window_dispose (GObject *object)
{
  SpWindow *self = SP_WINDOW (object);
  GHashTableIter iter;
  gpointer value;

  g_cancellable_cancel (self->cancellable);
  if (self->quit_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->quit_dialog));
  g_clear_weak_pointer (&self->quit_dialog);
  _sp_window_play_dispose (self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (sp_library_monitor_get_libraries (self->monitor), self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (sp_library_monitor_get_refused (self->monitor), self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  if (self->watched_models != NULL)
    unwatch_models (self);
  if (self->cards != NULL)
    {
      g_hash_table_iter_init (&iter, self->cards);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_object_weak_unref (value, card_gone_cb, self);
      g_hash_table_remove_all (self->cards);
    }

  _sp_window_search_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_WINDOW);

  g_clear_object (&self->monitor);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sp_window_parent_class)->dispose (object);
}

static void
sp_window_finalize (GObject *object)
{
  SpWindow *self = SP_WINDOW (object);

  g_clear_pointer (&self->cards, g_hash_table_unref);
  g_clear_pointer (&self->watched_models, g_ptr_array_unref);
  g_clear_pointer (&self->offered_runs, g_hash_table_unref);

  G_OBJECT_CLASS (sp_window_parent_class)->finalize (object);
}

static void
sp_window_class_init (SpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sp_window_dispose;
  object_class->finalize = sp_window_finalize;
  window_class->close_request = sp_window_close_request;

  g_type_ensure (SP_TYPE_GAME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, games_page);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, games_box);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, game_page);
  gtk_widget_class_bind_template_callback (widget_class, game_page_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, game_page_play_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-game", NULL);
  _sp_window_search_class_init (widget_class);
}

static void
sp_window_init (SpWindow *self)
{
  self->cards = g_hash_table_new (NULL, NULL);
  self->watched_models = g_ptr_array_new_with_free_func (g_object_unref);
  self->offered_runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  _sp_window_search_setup (self);
#ifdef DEVELOPMENT
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries), self);
  g_signal_connect_object (self->game_page, "notify::hidden-checkpoints",
                           G_CALLBACK (hidden_checkpoints_cb), self, G_CONNECT_SWAPPED);

  /* Attached, the Keyboard Shortcuts window shows the keys the
   * application set for each action (win.show-help-overlay). */
  {
    g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/sp-shortcuts-window.ui");

    gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self),
                                             GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "shortcuts_window")));
  }
}

SpWindow *
sp_window_new (GtkApplication   *application,
               GSettings        *settings,
               SpLibraryMonitor *monitor,
               SpPlayer         *player)
{
  SpWindow *self;
  GListModel *libraries;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SP_IS_LIBRARY_MONITOR (monitor), NULL);
  g_return_val_if_fail (SP_IS_PLAYER (player), NULL);

  self = g_object_new (SP_TYPE_WINDOW, "application", application, NULL);
  self->settings = g_object_ref (settings);
  self->monitor = g_object_ref (monitor);
  self->player = g_object_ref (player);
  _sp_window_play_init (self);
  _sp_window_search_init (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  libraries = sp_library_monitor_get_libraries (monitor);
  g_signal_connect (libraries, "items-changed", G_CALLBACK (libraries_changed_cb), self);
  g_signal_connect_swapped (sp_library_monitor_get_refused (monitor), "items-changed",
                            G_CALLBACK (rebuild_sections), self);
  g_signal_connect_swapped (monitor, "notify::scanning", G_CALLBACK (update_view), self);
  libraries_changed_cb (libraries, 0, 0, g_list_model_get_n_items (libraries), self);

  return self;
}

SpLibraryMonitor *
sp_window_get_monitor (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->monitor;
}

const char *
sp_window_get_view (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

SpGameCard *
sp_window_find_card (SpWindow *self,
                     SpGame   *game)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return g_hash_table_lookup (self->cards, game);
}

void
sp_window_open_game (SpWindow *self,
                     SpGame   *game)
{
  g_return_if_fail (SP_IS_WINDOW (self));
  g_return_if_fail (SP_IS_GAME (game));

  sp_game_page_set_game (self->game_page, game);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->game_page));
  gtk_widget_grab_focus (GTK_WIDGET (self->game_page));
}

void
sp_window_show_games (SpWindow *self)
{
  g_return_if_fail (SP_IS_WINDOW (self));
  /* A pending delete stays undoable: its toast is the window's. */
  adw_leaflet_set_visible_child (self->leaflet, self->games_page);
}

SpGamePage *
sp_window_get_game_page (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->game_page;
}

gboolean
sp_window_get_game_shown (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), FALSE);
  return adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->game_page);
}

SpLibrary *
sp_window_find_library (SpWindow *self,
                        SpGame   *game)
{
  GListModel *libraries;

  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);

  libraries = sp_library_monitor_get_libraries (self->monitor);
  for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
    {
      g_autoptr(SpLibrary) library = g_list_model_get_item (libraries, i);
      GListModel *games = sp_library_get_games (library);

      for (guint j = 0; j < g_list_model_get_n_items (games); j++)
        {
          g_autoptr(SpGame) item = g_list_model_get_item (games, j);
          if (item == game)
            return library;
        }
    }
  return NULL;
}

GtkWidget *
sp_window_get_keep_dialog (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->keep_dialog;
}

/* The problems shown in @library's section (for tests). */
GStrv
sp_window_get_library_problems (SpWindow  *self,
                                SpLibrary *library)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);

  for (GtkWidget *section = gtk_widget_get_first_child (GTK_WIDGET (self->games_box));
       section != NULL;
       section = gtk_widget_get_next_sibling (section))
    {
      GtkWidget *expander = g_object_get_data (G_OBJECT (section), "sp-problems");

      if (g_object_get_data (G_OBJECT (section), "sp-library") != library || expander == NULL)
        continue;
      for (GtkWidget *line = gtk_widget_get_first_child (gtk_expander_get_child (GTK_EXPANDER (expander)));
           line != NULL;
           line = gtk_widget_get_next_sibling (line))
        g_strv_builder_add (builder, gtk_label_get_text (GTK_LABEL (line)));
    }
  return g_strv_builder_end (builder);
}

/* The rows of refused libraries, in order (for tests): the messages. */
GStrv
sp_window_get_refused_messages (SpWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);

  for (GtkWidget *section = gtk_widget_get_first_child (GTK_WIDGET (self->games_box));
       section != NULL;
       section = gtk_widget_get_next_sibling (section))
    {
      SpRefusedLibrary *refused = g_object_get_data (G_OBJECT (section), "sp-refused");

      if (refused != NULL && gtk_widget_get_visible (section))
        g_strv_builder_add (builder, sp_refused_library_get_message (refused));
    }
  return g_strv_builder_end (builder);
}
