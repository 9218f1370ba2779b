/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives the real window through the main screens and saves a screenshot
 * of each with `import -window root` (ImageMagick): run by screenshots.sh
 * on Xvfb. Usage: screenshot-driver OUTDIR */
#include "config.h"

#include <glib/gstdio.h>

#include "play/sp-session.h"
#include "sp-add-game-window.h"
#include "sp-checkpoint-details.h"
#include "sp-checkpoint-row.h"
#include "sp-free-space-window.h"
#include "sp-keep-dialog.h"
#include "sp-preferences-window.h"
#include "sp-trash-ui.h"
#include "sp-window.h"
#include "sp-window-private.h"
#include "sp-test-common.h"
#include "ui-test-util.h"

static const char *outdir;
static int failures;

static gboolean
quit_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the window draw (animations settle) for @ms. */
static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The screen's top left @width × @height (the window is there: no window
 * manager), or the whole screen for 0. */
static int crop_width, crop_height;

static void
shoot (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s/%s.png", outdir, name);
  g_autofree char *crop = g_strdup_printf ("%dx%d+0+0", crop_width, crop_height);
  const char *argv[] = { "import", "-window", "root", "-crop", crop, "+repage", file, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  settle (700);
  if (crop_width == 0)
    {
      argv[3] = file;   /* no crop */
      argv[4] = NULL;
    }
  g_print ("%s: ", name);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("Could not take %s: %s\n", file, error->message);
      failures++;
      return;
    }
  g_print ("%s\n", file);
}

typedef struct
{
  SpWindow *window;
  SpGame   *game;
} Wait;

static gboolean
is_running (gpointer data)
{
  Wait *w = data;
  SpSession *session = sp_window_get_session (w->window, w->game);

  return session != NULL && sp_session_get_state (session) == SP_SESSION_STATE_RUNNING;
}

static gboolean
keep_asked (gpointer data)
{
  Wait *w = data;

  return sp_window_get_keep_dialog (w->window) != NULL;
}

static gboolean
session_gone (gpointer data)
{
  Wait *w = data;

  return sp_window_get_session (w->window, w->game) == NULL;
}

static gboolean
scanned (gpointer data)
{
  return !sp_library_monitor_get_scanning (data);
}

static gboolean
question_shown (gpointer data)
{
  return ui_test_find_message_dialog (NULL) != NULL;
}

static gboolean
problems_shown (gpointer data)
{
  return sp_game_page_get_n_problems (sp_window_get_game_page (data)) > 0;
}

/* The game called @name in any library the monitor shows. */
static SpGame *
find_game (SpLibraryMonitor *monitor,
           const char       *name)
{
  GListModel *libraries = sp_library_monitor_get_libraries (monitor);

  for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
    {
      g_autoptr(SpLibrary) l = g_list_model_get_item (libraries, i);

      if (sp_library_find_game (l, name) != NULL)
        return sp_library_find_game (l, name);
    }
  g_error ("no game called %s", name);
}

static gboolean
details_loaded (gpointer data)
{
  return !sp_checkpoint_details_get_loading (data);
}

/* A Wine game whose run saved, changed its settings and the registry,
 * and deleted a file, and the details of that checkpoint. */
static void
shoot_details (GtkWindow  *parent,
               const char *dir)
{
  g_autofree char *source = g_build_filename (dir, "wine-source", NULL);
  g_autofree char *upper = g_build_filename (dir, "wine-upper", NULL);
  g_autofree char *users = g_build_filename (source, "drive_c", "users", "player", NULL);
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  SpGameInfo info = { .name = "Harbor Lights", .kind = SP_GAME_KIND_WINE,
                      .executable = "drive_c/Games/Harbor Lights/harbor.exe" };
  const char *reg_before =
    "WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\n\n#arch=win64\n\n"
    "[Software\\\\Harbor Games\\\\Harbor Lights\\\\Settings] 1700000000\n"
    "\"Resolution\"=\"1280x720\"\n\"Volume\"=dword:00000050\n\n"
    "[Software\\\\Wine\\\\Direct3D] 1700000000\n\"renderer\"=\"gl\"\n";
  const char *reg_after =
    "WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\n\n#arch=win64\n\n"
    "[Software\\\\Harbor Games\\\\Harbor Lights\\\\Settings] 1800000000\n"
    "\"Resolution\"=\"1920x1080\"\n\"Volume\"=dword:00000030\n\n"
    "[Software\\\\Harbor Games\\\\Harbor Lights\\\\Profiles\\\\Ada] 1800000000\n"
    "\"LastLevel\"=dword:00000007\n\"Name\"=\"Ada\"\n\n"
    "[Software\\\\Wine\\\\Direct3D] 1700000000\n\"renderer\"=\"gl\"\n";
  SpCheckpointDetails *details;

  g_mkdir_with_parents (users, 0755);
  tc_write (source, "user.reg", reg_before);
  tc_write (source, "system.reg", "WINE REGISTRY Version 2\n");
  tc_write (source, "drive_c/Games/Harbor Lights/harbor.exe", "MZ");
  tc_write (source, "drive_c/Games/Harbor Lights/intro.bik", "intro video");
  tc_write (source, "drive_c/users/player/AppData/Roaming/Harbor Lights/settings.ini",
                 "resolution=1280x720\n");
  tc_write (upper, "user.reg", reg_after);
  tc_write (upper, "drive_c/users/player/AppData/Roaming/Harbor Lights/settings.ini",
                 "resolution=1920x1080\nvsync=1\n");
  tc_write (upper, "drive_c/users/player/Documents/Harbor Lights/Saves/slot1.sav",
                 "chapter 7, the lighthouse");
  tc_write (upper, "drive_c/users/player/Documents/Harbor Lights/Saves/slot1.png", "thumbnail");
  tc_write (upper, "drive_c/Games/Harbor Lights/.wh.intro.bik", "");

  library = sp_library_create_sync (dir, "Wine Drive", &error);
  g_assert_no_error (error);
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  checkpoint = sp_game_create_checkpoint_sync (game, upper, "Lighthouse reached", 3600, TRUE,
                                               NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  details = SP_CHECKPOINT_DETAILS (sp_checkpoint_details_new (parent, game, checkpoint));
  gtk_window_present (GTK_WINDOW (details));
  ui_test_wait (details_loaded, details, 30, "the checkpoint's changes");
  shoot ("03c-checkpoint-details");
  sp_checkpoint_details_set_page (details, "registry");
  shoot ("03d-checkpoint-details-registry");
  sp_checkpoint_details_set_page (details, "files");
  sp_checkpoint_details_set_filter (details, "saves");
  shoot ("03e-checkpoint-details-filtered");
  gtk_window_destroy (GTK_WINDOW (details));
}

/* @game's timeline grown to 40 checkpoints in three lines: the main one,
 * a branch from its 12th checkpoint, and a branch of that branch; some
 * unnamed, one label long enough to wrap at 360 px. The main line's last
 * one is current. */
static void
add_forty_checkpoints (SpGame *game)
{
  g_autoptr(GPtrArray) main_line = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) branch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (sp_game_get_checkpoints (game));

  for (guint i = 0; n < 26; i++, n++)
    {
      g_autofree char *label = i % 5 == 3 ? g_strdup ("")
        : i == 7 ? g_strdup ("After the long night in the lighthouse, with all three keys and the map")
        : g_strdup_printf ("Chapter %u", i + 1);
      g_autofree char *contents = g_strdup_printf ("main %u\n", i);

      g_ptr_array_add (main_line, ui_test_add_checkpoint (game, label, contents));
    }
  g_assert_true (sp_game_restore_sync (game, sp_checkpoint_get_id (g_ptr_array_index (main_line, 11)), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 8; i++, n++)
    {
      g_autofree char *label = g_strdup_printf ("Pacifist try %u", i + 1);
      g_autofree char *contents = g_strdup_printf ("branch %u\n", i);

      g_ptr_array_add (branch, ui_test_add_checkpoint (game, label, contents));
    }
  g_assert_true (sp_game_restore_sync (game, sp_checkpoint_get_id (g_ptr_array_index (branch, 3)), &error));
  g_assert_no_error (error);
  for (guint i = 0; n < 40; i++, n++)
    {
      g_autofree char *label = g_strdup_printf ("Speedrun attempt %u", i + 1);
      g_autofree char *contents = g_strdup_printf ("speedrun %u\n", i);

      g_object_unref (ui_test_add_checkpoint (game, label, contents));
    }
  g_assert_true (sp_game_restore_sync (game, sp_checkpoint_get_id (g_ptr_array_index (main_line, main_line->len - 1)),
                                       &error));
  g_assert_no_error (error);
}

static gboolean
page_pending (gpointer data)
{
  Wait *w = data;
  SpSession *session = sp_game_page_get_session (sp_window_get_game_page (w->window));

  return session != NULL && sp_session_get_run (session) != NULL &&
         (sp_session_get_state (session) == SP_SESSION_STATE_FINISHED ||
          sp_session_get_state (session) == SP_SESSION_STATE_FAILED) &&
         sp_window_get_keep_dialog (w->window) == NULL;
}

static void
add_checkpoints (SpGame *game)
{
  g_autoptr(SpCheckpoint) a = ui_test_add_checkpoint (game, "Tutorial done", "1\n");
  g_autoptr(SpCheckpoint) b = ui_test_add_checkpoint (game, "Before the boss", "2\n");
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(SpCheckpoint) d = NULL;
  g_autoptr(GError) error = NULL;

  c = ui_test_add_checkpoint (game, "Boss beaten", "3\n");
  /* Branch: back to "Before the boss" and play on differently. */
  g_assert_true (sp_game_restore_sync (game, sp_checkpoint_get_id (b), &error));
  d = ui_test_add_checkpoint (game, "Took the other door", "4\n");

  /* Notes, one long enough to be ellipsized and one of several lines. */
  g_assert_true (sp_game_set_checkpoint_note_sync (game, sp_checkpoint_get_id (b),
                                                   "Three potions and the silver key. The boss "
                                                   "is weak to fire: buy the flame sword in the "
                                                   "village first.", &error));
  g_assert_true (sp_game_set_checkpoint_note_sync (game, sp_checkpoint_get_id (d),
                                                   "The east door leads to the cave level.\n"
                                                   "Try the north door next time.", &error));
  /* A pinned one: retention never removes it. */
  g_assert_true (sp_game_set_checkpoint_pinned_sync (game, sp_checkpoint_get_id (a), TRUE, &error));
  g_assert_no_error (error);
}

/* An icon for a game (a drawn badge: an orange disc with a light ring),
 * as a PNG in the game's folder. */
static void
give_icon (SpGame *game)
{
  const int size = 128;
  g_autofree guchar *pixels = g_malloc0 (size * size * 4);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (sp_game_get_base_path (game), "icon.png", NULL);

  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        double dx = x - size / 2.0 + 0.5, dy = y - size / 2.0 + 0.5;
        double r2 = dx * dx + dy * dy;
        guchar *p = pixels + (y * size + x) * 4;

        if (r2 > 60 * 60)
          continue;
        if (r2 > 50 * 50)
          { p[0] = 0xf6; p[1] = 0xd3; p[2] = 0x2d; }
        else
          { p[0] = 0xe6 - (guchar) (y / 2); p[1] = 0x61; p[2] = 0x00 + (guchar) (x / 3); }
        p[3] = 0xff;
      }
  bytes = g_bytes_new (pixels, size * size * 4);
  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8A8, bytes, size * 4);
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);
  sp_game_set_icon (game, "icon.png");
}

/* Games with long names (and a long current checkpoint's label), so that
 * the drive holds nine. */
static void
add_many_games (SpLibrary *library)
{
  const char *names[] = {
    "The Chronicles of the Extraordinarily Long Winter",
    "Starfall Sailors: Definitive Edition",
    "Kingdom of Lanterns and Forgotten Bridges",
    "Pixel Pilgrims",
    "Midnight Archive Investigations Vol. 2",
    "Deep Garden Simulator 2026 — Collector’s Edition",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(SpGame) game = ui_test_add_game (library, names[i]);

      if (i == 0)
        {
          g_autoptr(SpCheckpoint) cp =
            ui_test_add_checkpoint (game, "Right before the final boss of the third island", "1\n");
        }
      if (i == 1)
        give_icon (game);
    }
}

/* The window sizes of the shots: a phone, a laptop, a desktop. */
typedef struct
{
  int width, height;
} Size;

static const Size ALL_SIZES[] = { { 360, 720 }, { 1280, 800 }, { 1920, 1080 } };
static const Size NARROW_AND_NORMAL[] = { { 360, 720 }, { 1280, 800 } };
/* (A popover at 360 px: Xvfb's screen is 1920 px wide, so it is placed
 * beside the narrow window, as it would not be on a phone's screen, and a
 * shot cut to the window shows it cut off.) */
static const Size NORMAL_AND_WIDE[] = { { 1280, 800 }, { 1920, 1080 } };

static void
set_size (SpWindow *window,
          int       width,
          int       height)
{
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  crop_width = width;
  crop_height = height;
  settle (400);
}

/* @prepare, @name-<width>-<light|dark>, @finish, at each of @sizes, light
 * and dark; back to 1280 × 800 in the default style. */
typedef void (*Prepare) (SpWindow *window, gpointer data);

static void
shoot_sizes (SpWindow   *window,
             const char *name,
             const Size *sizes,
             guint       n_sizes,
             Prepare     prepare,
             Prepare     finish,
             gpointer    data)
{
  for (guint dark = 0; dark < 2; dark++)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                               : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (guint i = 0; i < n_sizes; i++)
        {
          g_autofree char *file = g_strdup_printf ("%s-%d-%s", name, sizes[i].width,
                                                   dark ? "dark" : "light");

          set_size (window, sizes[i].width, sizes[i].height);
          if (prepare != NULL)
            prepare (window, data);
          shoot (file);
          if (finish != NULL)
            {
              finish (window, data);
              /* (A popover closed before the next resize: placed again
               * after one, it finds no monitor on Xvfb: Gdk-CRITICAL.) */
              settle (1000);
            }
          settle (200);
        }
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  set_size (window, 1280, 800);
}

/* The ⋮ menu of @data's card, opened. */
static void
open_card_menu (SpWindow *window,
                gpointer  data)
{
  SpGameCard *card = sp_window_find_card (window, data);

  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (card)));
  /* The window's resize done first (a popover placed while the surface
   * moves finds no monitor on Xvfb). */
  settle (1000);
  gtk_widget_activate_action (GTK_WIDGET (card), "card.menu", NULL);
}

static void
close_card_menu (SpWindow *window,
                 gpointer  data)
{
  gtk_popover_popdown (sp_game_card_get_menu (sp_window_find_card (window, data)));
}

/* @data's card scrolled into view (focused). */
static void
focus_card (SpWindow *window,
            gpointer  data)
{
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (sp_window_find_card (window, data))));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(SpLibraryMonitor) monitor = NULL;
  g_autoptr(SpPlayer) player = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  SpWindow *window;
  SpGame *demo_game;
  Wait wait;

  ui_test_init (&argc, &argv);
  if (argc < 2)
    {
      g_printerr ("Usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[1];
  g_mkdir_with_parents (outdir, 0755);

  settings = g_settings_new (APP_ID);

  /* 1. No library anywhere. */
  g_settings_set_boolean (settings, "show-demo-library", FALSE);
  monitor = sp_library_monitor_new (settings);
  player = sp_player_new (settings);
  window = sp_window_new (NULL, settings, monitor, player);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait (scanned, monitor, 30, "the first scan");
  g_print ("view: %s\n", sp_window_get_view (window));
  shoot ("01-empty");

  /* 2. The demo library, and a library on a "drive" with a few games. */
  dir = ui_test_tmpdir ("shots");
  library = sp_library_create_sync (dir, "Games Drive", &error);
  g_assert_no_error (error);
  {
    g_autoptr(SpGame) a = ui_test_add_game (library, "Orbital Courier");
    g_autoptr(SpGame) b = ui_test_add_game (library, "Lantern Keep");
    g_autoptr(SpGame) c = ui_test_add_game (library, "Mossy Tactics");
    add_checkpoints (a);
    ui_test_add_checkpoint (c, "", "x\n");
  }
  g_settings_set_boolean (settings, "show-demo-library", TRUE);
  ui_test_wait (scanned, monitor, 30, "the demo");
  sp_library_monitor_add_folder (monitor, dir);
  settle (300);
  ui_test_wait (scanned, monitor, 30, "the drive");
  /* The demo only stands in when there is no other library: show both by
   * registering the demo folder too. */
  {
    g_autofree char *demo_dir = g_build_filename (g_get_user_data_dir (), "savepoint", "demo", NULL);
    sp_library_monitor_add_folder (monitor, demo_dir);
    settle (300);
    ui_test_wait (scanned, monitor, 30, "the demo folder");
  }
  shoot ("02-grid");

  /* 2b. The grid of many games with long names at phone, laptop and
   * desktop sizes, light and dark. */
  {
    /* Through the window's instance of the drive's library. */
    GListModel *libraries = sp_library_monitor_get_libraries (monitor);

    for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
      {
        g_autoptr(SpLibrary) l = g_list_model_get_item (libraries, i);
        if (g_strcmp0 (sp_library_get_name (l), "Games Drive") == 0)
          add_many_games (l);
      }
  }
  settle (300);
  /* (Then the rest at 1280 × 800, where the grid holds the nine games.) */
  shoot_sizes (window, "02-grid", ALL_SIZES, G_N_ELEMENTS (ALL_SIZES), NULL, NULL, NULL);

  /* 2c. A card's menu (⋮, right-click, Menu key), and a search. */
  {
    GListModel *libraries = sp_library_monitor_get_libraries (monitor);
    SpGame *first = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (libraries) && first == NULL; i++)
      {
        g_autoptr(SpLibrary) l = g_list_model_get_item (libraries, i);
        first = sp_library_find_game (l, "Starfall Sailors: Definitive Edition");
      }
    g_assert_nonnull (first);
    shoot_sizes (window, "15-card-menu", NORMAL_AND_WIDE, G_N_ELEMENTS (NORMAL_AND_WIDE),
                 open_card_menu, close_card_menu, first);
    settle (300);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
    gtk_editable_set_text (GTK_EDITABLE (window->search_entry), "of");
    shoot_sizes (window, "16-search", NARROW_AND_NORMAL, G_N_ELEMENTS (NARROW_AND_NORMAL), NULL, NULL, NULL);
    gtk_editable_set_text (GTK_EDITABLE (window->search_entry), "");
    gtk_search_bar_set_search_mode (window->search_bar, FALSE);
    settle (300);
  }

  /* 3. A game's page with a branched timeline. */
  {
    g_autoptr(SpLibrary) shown = NULL;
    GListModel *libraries = sp_library_monitor_get_libraries (monitor);

    for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
      {
        g_autoptr(SpLibrary) l = g_list_model_get_item (libraries, i);
        if (g_strcmp0 (sp_library_get_name (l), "Games Drive") == 0)
          shown = g_object_ref (l);
      }
    g_assert_nonnull (shown);
    sp_window_open_game (window, sp_library_find_game (shown, "Orbital Courier"));
    shoot ("03-game-page");

    /* The same at phone width, and the note editor. */
    {
      GtkListBox *timeline = sp_game_page_get_timeline (sp_window_get_game_page (window));
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (timeline, 0));
      AdwMessageDialog *dialog;
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
      gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
      crop_width = 360;
      crop_height = 720;
      shoot ("03a-game-page-narrow");
      crop_width = width;
      crop_height = height;
      gtk_window_set_default_size (GTK_WINDOW (window), width, height);
      settle (300);
      gtk_widget_activate_action (row, "checkpoint.note", "s",
                                  sp_checkpoint_row_get_target (SP_CHECKPOINT_ROW (row)));
      dialog = ui_test_find_message_dialog (NULL);
      g_assert_nonnull (dialog);
      shoot ("03b-note-dialog");
      ui_test_answer (dialog, "cancel");
    }

    /* What a checkpoint changed. */
    {
      g_autofree char *wine_dir = ui_test_tmpdir ("shot-details");

      shoot_details (GTK_WINDOW (window), wine_dir);
      ui_test_remove_tree (wine_dir);
    }

    /* Free Up Space, from the game page's menu. */
    {
      GtkWidget *page = GTK_WIDGET (sp_window_get_game_page (window));
      GtkWidget *free_space = NULL;

      gtk_widget_activate_action (page, "game.free-space", NULL);
      settle (300);
      for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()); i++)
        {
          g_autoptr(GObject) top = g_list_model_get_item (gtk_window_get_toplevels (), i);
          if (G_TYPE_CHECK_INSTANCE_TYPE (top, SP_TYPE_FREE_SPACE_WINDOW))
            free_space = GTK_WIDGET (top);
        }
      g_assert_nonnull (free_space);
      shoot ("03f-free-space");
      gtk_window_destroy (GTK_WINDOW (free_space));
    }

    /* 4. The context menu of a checkpoint. */
    {
      GtkListBox *timeline = sp_game_page_get_timeline (sp_window_get_game_page (window));
      sp_checkpoint_row_popup_menu (SP_CHECKPOINT_ROW (gtk_list_box_get_row_at_index (timeline, 1)));
      shoot ("04-checkpoint-menu");
      gtk_widget_activate_action (GTK_WIDGET (gtk_list_box_get_row_at_index (timeline, 1)),
                                  "checkpoint.delete", "s",
                                  sp_checkpoint_row_get_target (SP_CHECKPOINT_ROW (gtk_list_box_get_row_at_index (timeline, 1))));
      shoot ("05-delete-undo-toast");
      {
        AdwToast *toast = sp_game_page_get_delete_toast (sp_window_get_game_page (window));
        g_signal_emit_by_name (toast, "button-clicked");
        adw_toast_dismiss (toast);
      }
    }
    sp_window_show_games (window);
  }

  /* 5. Playing the demo game: the running card, then Keep this run? */
  {
    GListModel *libraries = sp_library_monitor_get_libraries (monitor);
    demo_game = NULL;
    for (guint i = 0; i < g_list_model_get_n_items (libraries); i++)
      {
        g_autoptr(SpLibrary) l = g_list_model_get_item (libraries, i);
        if (sp_library_find_game (l, "Counter Quest") != NULL)
          demo_game = sp_library_find_game (l, "Counter Quest");
      }
    g_assert_nonnull (demo_game);
    wait.window = window;
    wait.game = demo_game;
    sp_window_play_game (window, demo_game);
    ui_test_wait (is_running, &wait, 60, "the demo game to run");
    /* Its card, below the drive's nine, scrolled into view. */
    gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (sp_window_find_card (window, demo_game))));
    settle (200);
    shoot ("06-running");
    ui_test_wait (keep_asked, &wait, 60, "Keep this run?");
    sp_keep_dialog_set_label (SP_KEEP_DIALOG (sp_window_get_keep_dialog (window)), "First visit");
    shoot ("07-keep-dialog");
    /* Decided later: the card says "Not yet kept", with Keep and Discard. */
    ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "later");
    shoot_sizes (window, "17-pending-card", NARROW_AND_NORMAL, G_N_ELEMENTS (NARROW_AND_NORMAL),
                 focus_card, NULL, demo_game);
    sp_window_play_game (window, demo_game);
    ui_test_wait (keep_asked, &wait, 60, "Keep this run? again");
    sp_keep_dialog_set_label (SP_KEEP_DIALOG (sp_window_get_keep_dialog (window)), "First visit");
    ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "keep");
    ui_test_wait (session_gone, &wait, 60, "the checkpoint to be saved");
    shoot ("08-kept-toast");

    /* Two runs discarded (one step, with Undo), then Recently Discarded. */
    for (guint i = 0; i < 2; i++)
      {
        sp_window_play_game (window, demo_game);
        ui_test_wait (keep_asked, &wait, 60, "Keep this run?");
        ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "discard");
        ui_test_wait (session_gone, &wait, 60, "the run to go to the trash");
      }
    shoot ("08a-discarded-undo-toast");
    sp_window_open_game (window, demo_game);
    {
      GtkWidget *trash = sp_trash_ui_discarded_window_new (GTK_WIDGET (window), demo_game);

      gtk_window_present (GTK_WINDOW (trash));
      shoot ("08b-recently-discarded");
      gtk_window_destroy (GTK_WINDOW (trash));
    }
    sp_window_show_games (window);
  }

  /* 5b. A game page with 40 checkpoints in three lines; the game running
   * on its page (elapsed time, Stop); then its run not yet kept (Keep… /
   * Discard). */
  {
    SpGame *game = find_game (monitor, "Orbital Courier");
    const char *environment[] = { "SP_TEST_PLAY_SECONDS=600", NULL };
    GtkWidget *page = GTK_WIDGET (sp_window_get_game_page (window));
    GtkWidget *scrolled;

    add_forty_checkpoints (game);
    sp_window_open_game (window, game);
    shoot_sizes (window, "03g-game-page-40", ALL_SIZES, G_N_ELEMENTS (ALL_SIZES), NULL, NULL, NULL);
    /* Scrolled to where the branches are. */
    scrolled = gtk_widget_get_ancestor (GTK_WIDGET (sp_game_page_get_timeline (SP_GAME_PAGE (page))),
                                        GTK_TYPE_SCROLLED_WINDOW);
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      gtk_adjustment_set_value (adj, 1200);
    }
    shoot ("03h-game-page-40-branches");
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), 0);

    sp_game_set_environment (game, environment);
    wait.window = window;
    wait.game = game;
    gtk_widget_activate_action (page, "game.play", NULL);
    ui_test_wait (is_running, &wait, 60, "the game to run");
    settle (1200);
    shoot_sizes (window, "06b-running-page", ALL_SIZES, G_N_ELEMENTS (ALL_SIZES), NULL, NULL, NULL);
    gtk_widget_activate_action (page, "game.stop", NULL);
    ui_test_wait (keep_asked, &wait, 60, "the stopped game to end");
    ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "later");
    ui_test_wait (page_pending, &wait, 30, "the run not yet kept");
    shoot_sizes (window, "07b-pending-page", ALL_SIZES, G_N_ELEMENTS (ALL_SIZES), NULL, NULL, NULL);
    gtk_widget_activate_action (page, "game.discard", NULL);
    ui_test_wait (session_gone, &wait, 60, "the run to go to the trash");
    {
      const char *none[] = { NULL };
      sp_game_set_environment (game, none);
    }
    sp_window_show_games (window);
  }

  /* 5c. Closing the window while a game runs: the question (then Stop
   * Game, and its run is discarded). */
  {
    SpGame *pilgrims = find_game (monitor, "Pixel Pilgrims");
    const char *env[] = { "SP_TEST_PLAY_SECONDS=600", NULL };
    g_autoptr(GError) save_error = NULL;
    GtkWidget *question;

    sp_game_set_environment (pilgrims, env);
    sp_game_save_sync (pilgrims, &save_error);
    g_assert_no_error (save_error);
    wait.window = window;
    wait.game = pilgrims;
    sp_window_play_game (window, pilgrims);
    ui_test_wait (is_running, &wait, 60, "Pixel Pilgrims to run");
    gtk_window_close (GTK_WINDOW (window));
    question = sp_window_get_quit_dialog (window);
    g_assert_nonnull (question);
    shoot ("08c-quit-while-playing");
    ui_test_answer (ADW_MESSAGE_DIALOG (question), "stop");
    ui_test_wait (keep_asked, &wait, 60, "Keep this run? after Stop Game");
    ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "discard");
    ui_test_wait (session_gone, &wait, 60, "the run to go to the trash");
  }

  /* 6. Add Game. */
  {
    GtkWidget *add = sp_add_game_window_new (GTK_WINDOW (window), sp_library_monitor_get_libraries (monitor), NULL);
    g_autofree char *tmp = ui_test_tmpdir ("shot-source");
    g_autofree char *source = ui_test_make_game_source (tmp);

    sp_add_game_window_set_folder (SP_ADD_GAME_WINDOW (add), source);
    sp_add_game_window_set_executable (SP_ADD_GAME_WINDOW (add), "game.sh");
    sp_add_game_window_set_name (SP_ADD_GAME_WINDOW (add), "Starfall Sailors");
    gtk_window_present (GTK_WINDOW (add));
    shoot ("09-add-game");
    gtk_window_destroy (GTK_WINDOW (add));
    ui_test_remove_tree (tmp);
  }

  /* 7. Preferences. */
  {
    GtkWidget *prefs = sp_preferences_window_new (GTK_WINDOW (window), settings);
    gtk_window_present (GTK_WINDOW (prefs));
    shoot ("10-preferences");
    gtk_window_destroy (GTK_WINDOW (prefs));
  }

  /* 8. A drive whose library is refused (a bad Id) shows as a row with
   * its error. */
  {
    g_autofree char *evil = ui_test_tmpdir ("shot-refused");
    g_autofree char *evil_dir = g_build_filename (evil, "Savepoint", NULL);
    g_autofree char *ini = g_build_filename (evil_dir, "library.ini", NULL);

    g_autofree char *demo_dir = g_build_filename (g_get_user_data_dir (), "savepoint", "demo", NULL);

    /* Only the drive with games and the refused one, so both fit. */
    g_settings_set_boolean (settings, "show-demo-library", FALSE);
    sp_library_monitor_remove_folder (monitor, demo_dir);
    g_mkdir_with_parents (evil_dir, 0755);
    g_file_set_contents (ini, "[Library]\nVersion=1\nId=../../../..\nName=Evil\n", -1, NULL);
    sp_library_monitor_add_folder (monitor, evil);
    settle (300);
    ui_test_wait (scanned, monitor, 30, "the refused library");
    sp_window_show_games (window);
    shoot ("11-refused-library");
    sp_library_monitor_remove_folder (monitor, evil);
    settle (300);
    ui_test_wait (scanned, monitor, 30, "the refused library to go");
    ui_test_remove_tree (evil);
  }

  /* 9. A drive's game asks for loader variables before it runs. */
  {
    SpGame *game = find_game (monitor, "Mossy Tactics");
    const char *environment[] = { "LD_PRELOAD=/media/games/Savepoint/hook.so",
                                  "WINEDEBUG=-all", NULL };
    AdwMessageDialog *question;

    sp_game_set_environment (game, environment);
    sp_window_play_game (window, game);
    ui_test_wait (question_shown, NULL, 10, "the loader variables to be asked for");
    shoot ("12-runner-question");
    question = ui_test_find_message_dialog (NULL);
    ui_test_answer (question, "cancel");
    settle (200);
  }

  /* 10. Verify's findings on a game page: an orphan archive and a leftover. */
  {
    SpGame *game = find_game (monitor, "Orbital Courier");
    g_autofree char *checkpoints = g_build_filename (sp_game_get_path (game), "checkpoints", NULL);
    g_autofree char *orphan = g_build_filename (checkpoints, "20240101T000000-0a0b0c.tar.zst", NULL);
    g_autofree char *partial = g_build_filename (checkpoints, "20240101T000000-0c0b0a.tar.zst.partial",
                                                 NULL);

    g_file_set_contents (orphan, "an archive whose .ini is gone", -1, NULL);
    g_file_set_contents (partial, "half of an archive", -1, NULL);
    sp_window_open_game (window, game);
    gtk_widget_activate_action (GTK_WIDGET (sp_window_get_game_page (window)), "game.verify", NULL);
    ui_test_wait (problems_shown, window, 60, "verify's findings");
    settle (200);
    shoot ("13-verify-findings");
    g_unlink (orphan);
    g_unlink (partial);
    sp_window_show_games (window);
  }

  /* 11. A game that fails: "The Game Quit Unexpectedly", then its log. */
  {
    SpGame *game = find_game (monitor, "Lantern Keep");
    const char *environment[] = { "SP_TEST_PLAY_SECONDS=soon", NULL };
    AdwMessageDialog *dialog;

    sp_game_set_environment (game, environment);
    wait.window = window;
    wait.game = game;
    sp_window_play_game (window, game);
    ui_test_wait (keep_asked, &wait, 60, "the failed game to be reported");
    shoot ("14-game-failed");
    ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "log");
    shoot ("14a-game-failed-log");
    dialog = ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window));
    ui_test_answer (dialog, "discard");
    /* Discarding is confirmed by default. */
    if (sp_window_get_keep_dialog (window) != NULL)
      ui_test_answer (ADW_MESSAGE_DIALOG (sp_window_get_keep_dialog (window)), "discard");
    ui_test_wait (session_gone, &wait, 60, "the failed run to be discarded");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  settle (100);
  g_clear_object (&library);
  ui_test_remove_tree (dir);
  g_clear_object (&player);
  g_clear_object (&monitor);
  ui_test_remove_dirs ();
  return failures ? 1 : 0;
}
