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
};

/* sp-window-play.c */
void     _sp_window_play_init          (SpWindow   *self);
void     _sp_window_play_dispose       (SpWindow   *self);
void     _sp_window_update_card        (SpWindow   *self,
                                        SpGame     *game);
void     _sp_window_check_pending_runs (SpWindow   *self,
                                        SpLibrary  *library);

/* sp-window-quit.c: TRUE when closing waits for the user's answer. */
gboolean _sp_window_confirm_close      (SpWindow   *self);

G_END_DECLS
