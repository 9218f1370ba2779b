/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-library-monitor.h"
#include "sp-player.h"

G_BEGIN_DECLS

/* The app: one SpWindow over the libraries an SpLibraryMonitor finds, and
 * the play sessions an SpPlayer keeps (they outlive the window).
 * Actions: app.quit, app.about, app.preferences, app.shortcuts, app.help. */

#define SP_TYPE_APPLICATION (sp_application_get_type ())

G_DECLARE_FINAL_TYPE (SpApplication, sp_application, SP, APPLICATION, AdwApplication)

SpApplication    *sp_application_new          (void);
GSettings        *sp_application_get_settings (SpApplication *self);
SpLibraryMonitor *sp_application_get_monitor  (SpApplication *self);
SpPlayer         *sp_application_get_player   (SpApplication *self);
/* The help's index page as a file:// URI. */
char             *sp_application_get_help_uri (void);

G_END_DECLS
