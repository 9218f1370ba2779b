/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/sp-library.h"

G_BEGIN_DECLS

typedef gboolean (*UiTestCondition) (gpointer data);

/* gtk/adw init and g_test_init with private XDG user dirs. */
void         ui_test_init              (int        *argc,
                                        char     ***argv);
/* g_test_run, then removes the private dirs. */
int          ui_test_run               (void);
/* Removes the private dirs (HOME, XDG dirs). */
void         ui_test_remove_dirs       (void);
/* Runs the main loop until @condition holds; fails the test after
 * @timeout_s seconds (a guard against hangs, not a timing check). */
void         ui_test_wait              (UiTestCondition condition,
                                        gpointer        data,
                                        guint           timeout_s,
                                        const char     *what);
/* Runs pending main loop work. */
void         ui_test_flush             (void);
/* A fresh temporary folder (removed by ui_test_remove_tree). */
char        *ui_test_tmpdir            (const char *name);
void         ui_test_remove_tree       (const char *path);
/* A folder with a native game: game.sh appends a line to $HOME/save.txt. */
char        *ui_test_make_game_source  (const char *parent);
/* Adds that game to @library (sync). */
SpGame      *ui_test_add_game          (SpLibrary  *library,
                                        const char *name);
/* Makes a checkpoint of @game from a temporary upper dir with one file. */
SpCheckpoint *ui_test_add_checkpoint   (SpGame     *game,
                                        const char *label,
                                        const char *contents);
/* The first toplevel that is an AdwMessageDialog other than @except. */
AdwMessageDialog *ui_test_find_message_dialog (GtkWidget *except);

/* Answers @dialog as a click on a response button does: the response,
 * then the dialog closes. */
void         ui_test_answer            (AdwMessageDialog *dialog,
                                        const char       *response);

G_END_DECLS
