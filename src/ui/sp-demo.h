/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The built-in demo library: $XDG_DATA_HOME/savepoint/demo/Savepoint with one
 * small native game, "Counter Quest", a shell script that keeps a save file
 * (a counter it increments every run) in its HOME, which Savepoint redirects
 * into the game's overlay so every run is a real checkpoint. */

/* $XDG_DATA_HOME/savepoint/demo */
char        *sp_demo_get_dir    (void);
/* Creates the demo library in @dir (once: does nothing when a library is
 * already there). Blocking: call from a worker thread. */
gboolean     sp_demo_ensure     (const char  *dir,
                                 GError     **error);

G_END_DECLS
