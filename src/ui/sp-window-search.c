/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search and sort of the games grid: type-to-search and Ctrl+F
 * (GtkSearchBar), and the order of the cards (GSettings "sort-games":
 * "last-played", newest first and never played last, or "name"). Both are
 * always offered, whatever the number of games: a search box that appears
 * only with many games would move under the user's hands. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-window-private.h"

static gboolean
game_matches (gpointer item,
              gpointer user_data)
{
  SpWindow *self = user_data;
  g_autofree char *name = NULL;

  if (self->search_key == NULL)
    return TRUE;
  name = g_utf8_casefold (sp_game_get_name (item), -1);
  return strstr (name, self->search_key) != NULL;
}

static int
compare_games (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SpWindow *self = user_data;
  int by_name = g_utf8_collate (sp_game_get_name ((SpGame *) a), sp_game_get_name ((SpGame *) b));

  if (self->sort_by_name)
    return by_name != 0 ? by_name : g_strcmp0 (sp_game_get_slug ((SpGame *) a), sp_game_get_slug ((SpGame *) b));
  {
    GDateTime *da = sp_game_get_last_played ((SpGame *) a);
    GDateTime *db = sp_game_get_last_played ((SpGame *) b);

    if (da != NULL && db != NULL && g_date_time_compare (da, db) != 0)
      return -g_date_time_compare (da, db);   /* newest first */
    if ((da == NULL) != (db == NULL))
      return da == NULL ? 1 : -1;             /* never played last */
  }
  return by_name != 0 ? by_name : g_strcmp0 (sp_game_get_slug ((SpGame *) a), sp_game_get_slug ((SpGame *) b));
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   SpWindow       *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->search_key, g_free);
  if (stripped[0] != '\0')
    self->search_key = g_utf8_casefold (stripped, -1);
  gtk_filter_changed (GTK_FILTER (self->game_filter), GTK_FILTER_CHANGE_DIFFERENT);
  _sp_window_search_update (self);
}

static void
stop_search_cb (GtkSearchEntry *entry,
                SpWindow       *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
sort_changed_cb (GSettings  *settings,
                 const char *key,
                 SpWindow   *self)
{
  g_autofree char *sort = g_settings_get_string (settings, "sort-games");

  self->sort_by_name = g_strcmp0 (sort, "name") == 0;
  gtk_sorter_changed (GTK_SORTER (self->game_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
last_played_cb (SpGame     *game,
                GParamSpec *pspec,
                SpWindow   *self)
{
  if (!self->sort_by_name)
    gtk_sorter_changed (GTK_SORTER (self->game_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
watch_games_cb (GListModel *games,
                guint       position,
                guint       removed,
                guint       added,
                SpWindow   *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SpGame) game = g_list_model_get_item (games, i);

      g_signal_connect_object (game, "notify::last-played", G_CALLBACK (last_played_cb), self, 0);
    }
}

GListModel *
_sp_window_search_wrap (SpWindow   *self,
                        GListModel *games)
{
  GtkFilterListModel *filtered;

  /* A game played moves to the front (sorted by last played). The
   * handlers go with the window (g_signal_connect_object). */
  g_signal_connect_object (games, "items-changed", G_CALLBACK (watch_games_cb), self, 0);
  watch_games_cb (games, 0, 0, g_list_model_get_n_items (games), self);

  filtered = gtk_filter_list_model_new (g_object_ref (games), g_object_ref (GTK_FILTER (self->game_filter)));
  return G_LIST_MODEL (gtk_sort_list_model_new (G_LIST_MODEL (filtered),
                                                g_object_ref (GTK_SORTER (self->game_sorter))));
}

void
_sp_window_search_update (SpWindow *self)
{
  guint shown = 0;
  gboolean searching = self->search_key != NULL;
  const char *view = gtk_stack_get_visible_child_name (self->main_stack);

  for (GtkWidget *section = gtk_widget_get_first_child (GTK_WIDGET (self->games_box));
       section != NULL;
       section = gtk_widget_get_next_sibling (section))
    {
      GListModel *model = g_object_get_data (G_OBJECT (section), "sp-shown");

      if (model != NULL)
        shown += g_list_model_get_n_items (model);
    }
  if (searching && shown == 0 && g_strcmp0 (view, "games") == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "no-results");
  else if ((!searching || shown > 0) && g_strcmp0 (view, "no-results") == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "games");
}

void
_sp_window_search_init (SpWindow *self)
{
  g_autoptr(GAction) sort = g_settings_create_action (self->settings, "sort-games");

  g_action_map_add_action (G_ACTION_MAP (self), sort);
  g_signal_connect_object (self->settings, "changed::sort-games", G_CALLBACK (sort_changed_cb), self, 0);
  sort_changed_cb (self->settings, "sort-games", self);

  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self, 0);
  g_signal_connect_object (self->search_entry, "stop-search", G_CALLBACK (stop_search_cb), self, 0);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  /* Type-to-search on the games grid, not while the game page shows. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, self->games_page);
}

void
_sp_window_search_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SpWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, search_entry);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
}

static void
search_action_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  SpWindow *self = user_data;

  if (gtk_search_bar_get_search_mode (self->search_bar) &&
      !gtk_widget_has_focus (GTK_WIDGET (self->search_entry)))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      return;
    }
  gtk_search_bar_set_search_mode (self->search_bar, !gtk_search_bar_get_search_mode (self->search_bar));
}

void
_sp_window_search_setup (SpWindow *self)
{
  const GActionEntry entries[] = { { "search", search_action_cb } };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  self->game_filter = gtk_custom_filter_new (game_matches, self, NULL);
  self->game_sorter = gtk_custom_sorter_new (compare_games, self, NULL);
}

void
_sp_window_search_dispose (SpWindow *self)
{
  /* The flow boxes let go of the models first: no card is made for a
   * window being disposed. */
  if (self->games_box != NULL)
    for (GtkWidget *section = gtk_widget_get_first_child (GTK_WIDGET (self->games_box));
         section != NULL;
         section = gtk_widget_get_next_sibling (section))
      {
        GtkWidget *flow = g_object_get_data (G_OBJECT (section), "sp-flow");

        if (flow != NULL)
          gtk_flow_box_bind_model (GTK_FLOW_BOX (flow), NULL, NULL, NULL, NULL);
      }
  if (self->game_filter != NULL)
    gtk_custom_filter_set_filter_func (self->game_filter, NULL, NULL, NULL);
  if (self->game_sorter != NULL)
    gtk_custom_sorter_set_sort_func (self->game_sorter, NULL, NULL, NULL);
  g_clear_object (&self->game_filter);
  g_clear_object (&self->game_sorter);
  g_clear_pointer (&self->search_key, g_free);
}
