/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-window.h"

G_BEGIN_DECLS

struct _SpWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  SpLibraryMonitor     *monitor;
  SpPlayer             *player;
  /* SpGame -> SpGameCard (no refs; cleared when a card goes) */
  GHashTable           *cards;
  /* list models whose items-changed we follow */
  GPtrArray            *watched_models;
  /* run dirs already offered for recovery */
  GHashTable           *offered_runs;
  GtkWidget            *keep_dialog;
  GtkWidget            *quit_dialog;       /* weak */
  gboolean              close_confirmed;   /* "Keep Playing in the Background" */
  GCancellable         *cancellable;

  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *games_page;
  GtkStack             *main_stack;
  GtkBox               *games_box;
  SpGamePage           *game_page;
  /* sp-window-search.c */
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkCustomFilter      *game_filter;
  GtkCustomSorter      *game_sorter;
  char                 *search_key;     /* casefolded, NULL: no search */
  gboolean              sort_by_name;
};

/* sp-window-play.c */
void     _sp_window_play_init          (SpWindow   *self);
void     _sp_window_play_dispose       (SpWindow   *self);
void     _sp_window_update_card        (SpWindow   *self,
                                        SpGame     *game);
void     _sp_window_check_pending_runs (SpWindow   *self,
                                        SpLibrary  *library);
/* Keeps ("keep", unnamed) or discards ("discard") @game's run that waits
 * for a decision (the card's Keep and Discard). */
void     _sp_window_decide             (SpWindow   *self,
                                        SpGame     *game,
                                        const char *response);

/* sp-window-search.c: the games as shown (filtered by the search, sorted
 * by "sort-games"), and the "no-results" view. */
void        _sp_window_search_class_init (GtkWidgetClass *widget_class);
void        _sp_window_search_setup      (SpWindow   *self);
void        _sp_window_search_init       (SpWindow   *self);
void        _sp_window_search_dispose    (SpWindow   *self);
GListModel *_sp_window_search_wrap       (SpWindow   *self,
                                          GListModel *games);
void        _sp_window_search_update     (SpWindow   *self);

/* sp-window-remove.c: asks "Remove “Game”?" (keep or delete its files). */
void     _sp_window_remove_game        (SpWindow   *self,
                                        SpGame     *game);

/* sp-window-quit.c: TRUE when closing waits for the user's answer. */
gboolean _sp_window_confirm_close      (SpWindow   *self);

G_END_DECLS
