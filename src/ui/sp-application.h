/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-library-monitor.h"
#include "sp-player.h"

G_BEGIN_DECLS

/* The app: one SpWindow over the libraries an SpLibraryMonitor finds, and
 * the play sessions an SpPlayer keeps (they outlive the window).
 * Actions: app.quit, app.about, app.preferences, app.shortcuts, app.help,
 * app.show-finished (the window, asking about the runs of the games that
 * ended in the background).
 *
 * While a game runs the application holds itself (g_application_hold()):
 * with its window closed ("Keep Playing in the Background", under Flatpak
 * with the Background portal's permission) it stays until the game has
 * ended, then sends a notification whose default action is
 * app.show-finished, and stays until that run is decided or a window asks.
 * Signal "notification-sent" (const char *id, const char *title,
 * GNotification *notification): after each g_application_send_notification()
 * (what tests observe: no notification server is needed). */

#define SP_TYPE_APPLICATION (sp_application_get_type ())

G_DECLARE_FINAL_TYPE (SpApplication, sp_application, SP, APPLICATION, AdwApplication)

SpApplication    *sp_application_new          (void);
GSettings        *sp_application_get_settings (SpApplication *self);
SpLibraryMonitor *sp_application_get_monitor  (SpApplication *self);
SpPlayer         *sp_application_get_player   (SpApplication *self);
/* TRUE while the application holds itself for a game (running, or ended
 * in the background and not yet asked about). */
gboolean          sp_application_get_holding  (SpApplication *self);
/* The help's index page as a file:// URI. */
char             *sp_application_get_help_uri (void);

G_END_DECLS
