/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-add-game-window.h"

G_BEGIN_DECLS

/* What Wine does for the window's new prefix (sp-add-game-prefix.c). */
typedef enum
{
  SP_ADD_GAME_WINE_IDLE,
  SP_ADD_GAME_WINE_STAGING,       /* the staging folder is made */
  SP_ADD_GAME_WINE_BOOT,          /* wineboot --init */
  SP_ADD_GAME_WINE_BOOT_WAIT,     /* wineserver -w: the prefix is written */
  SP_ADD_GAME_WINE_SCAN,          /* the fresh prefix's executables are listed */
  SP_ADD_GAME_WINE_INSTALL,       /* wine start /wait /unix INSTALLER */
  SP_ADD_GAME_WINE_INSTALL_WAIT,  /* wineserver -w: the programs it started end */
  SP_ADD_GAME_WINE_KILL,          /* wineserver -k, after Cancel */
} SpAddGameWine;

struct _SpAddGameWindow
{
  AdwWindow       parent_instance;

  GListModel     *libraries;
  char           *folder;
  GCancellable   *cancellable;
  GCancellable   *users_cancellable;  /* the listing of the folder's Wine profiles */
  gboolean        busy;
  gboolean        name_edited;

  /* sp-add-game-prefix.c: the Wine prefix this window made in its staging
   * folder (sp-new-prefix.h), removed once the game is added or the window
   * goes. */
  char           *staging;
  char           *new_prefix;         /* <staging>/prefix */
  gboolean        prefix_ready;       /* made; installers may run in it */
  GStrv           fresh_executables;  /* the candidates wineboot left there */
  GSubprocess    *wine;               /* the Wine tool that runs, or NULL */
  SpAddGameWine   wine_step;
  gboolean        wine_stopping;      /* Cancel was pressed */
  char           *installer;          /* the one that runs (for messages) */
  int             installer_status;   /* its wait status */
  GCancellable   *wine_cancellable;   /* cancelled when the window goes */
  guint           pulse_id;

  GtkWidget      *add_button;
  GtkWidget      *form_page;
  AdwActionRow   *folder_row;
  GtkWidget      *installer_row;
  AdwEntryRow    *executable_row;
  AdwEntryRow    *name_row;
  AdwComboRow    *kind_row;
  AdwComboRow    *wine_user_row;
  GtkStringList  *wine_users;
  AdwComboRow    *library_row;
  GtkRevealer    *progress_revealer;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
  GtkLabel       *duplicate_label;
  GCancellable   *scan_cancellable;   /* the search for the executable */
};

/* sp-add-game-window.c */
void      _sp_add_game_window_validate        (SpAddGameWindow      *self);
void      _sp_add_game_window_find_executable (SpAddGameWindow      *self);
void      _sp_add_game_window_show_chooser    (SpAddGameWindow      *self,
                                               const char           *title,
                                               GtkFileChooserAction  action,
                                               const char           *accept_label,
                                               const char           *current_folder,
                                               GtkFileFilter        *filter,
                                               GCallback             response_cb);
/* The path the user accepted in @chooser, or NULL; drops the chooser. */
char     *_sp_add_game_window_take_chosen_path (GtkNativeDialog     *chooser,
                                                int                  response);

/* sp-add-game-prefix.c */
void      _sp_add_game_prefix_class_init      (GtkWidgetClass       *widget_class);
/* TRUE when the folder is the prefix this window made. */
gboolean  _sp_add_game_prefix_is_chosen       (SpAddGameWindow      *self);
/* Cancel while Wine works: stops it (the process, then wineserver -k). */
void      _sp_add_game_prefix_stop            (SpAddGameWindow      *self);
/* Removes the new prefix's staging folder, in the background (stopping
 * what Wine still runs in it first); the window may go meanwhile. */
void      _sp_add_game_prefix_discard         (SpAddGameWindow      *self);
/* The window goes: stops Wine, discards the prefix. */
void      _sp_add_game_prefix_dispose         (SpAddGameWindow      *self);
/* Of @found (executables of the new prefix), those an installer put there:
 * not in the fresh prefix, and no uninstaller ("unins*.exe"). */
GStrv     _sp_add_game_prefix_new_executables (SpAddGameWindow      *self,
                                               const char * const   *found);
/* The name offered for a game installed at @executable in a prefix: its
 * folder in Program Files ("drive_c/Program Files/Tiny Game/game.exe" →
 * "Tiny Game"), or NULL. */
char     *_sp_add_game_prefix_name_for        (const char           *executable);

G_END_DECLS
