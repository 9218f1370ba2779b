/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Add Game's new Wine prefix under real Wine (sp-add-game-prefix.c,
 * sp-new-prefix.c): wineboot makes it in a staging folder of Savepoint's,
 * an installer (a .bat) runs in it, the game it installed is chosen and
 * added; the staging folder goes once the game is on the drive, or when
 * the window closes without adding it. Stale staging folders (their owner
 * is dead) go the next time a prefix is made; other folders stay. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sp-process.h"
#include "core/sp-new-prefix.h"
#include "sp-add-game-window.h"
#include "sp-test-common.h"
#include "ui-test-util.h"

/* wineboot and Wine's built-in programs, nothing more (as the session
 * tests under Wine). */
#define WINE_OVERRIDES "mscoree,mshtml="
#define WINE_TIMEOUT_S 240

typedef struct
{
  char            *dir;
  SpLibrary       *library;
  GListStore      *libraries;
  SpAddGameWindow *window;     /* weak: it goes once the game is added */
} Fixture;

static gboolean
wine_missing (void)
{
  const char *tools[] = { "wine", "wineboot", "wineserver" };

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *path = g_find_program_in_path (tools[i]);

      if (path == NULL)
        {
          g_test_skip ("Wine is not installed (apt-get install wine wine64)");
          return TRUE;
        }
    }
  return FALSE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = ui_test_tmpdir ("add-installer");
  f->library = sp_library_create_sync (f->dir, "Installer Library", &error);
  g_assert_no_error (error);
  f->libraries = g_list_store_new (SP_TYPE_LIBRARY);
  g_list_store_append (f->libraries, f->library);
  f->window = SP_ADD_GAME_WINDOW (sp_add_game_window_new (NULL, G_LIST_MODEL (f->libraries),
                                                          f->library));
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_present (GTK_WINDOW (f->window));
}

static gboolean window_gone (gpointer data);

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  /* Nothing of the window's work holds it once it is destroyed. */
  ui_test_wait (window_gone, f, 30, "the window to be finalized");
  ui_test_flush ();
  g_clear_object (&f->libraries);
  g_clear_object (&f->library);
  ui_test_remove_tree (f->dir);
  g_free (f->dir);
}

static gboolean
path_gone (gpointer data)
{
  GStatBuf st;

  return g_lstat (data, &st) != 0 && errno == ENOENT;
}

static gboolean
path_exists (gpointer data)
{
  GStatBuf st;

  return g_lstat (data, &st) == 0;
}

static gboolean
window_idle (gpointer data)
{
  Fixture *f = data;

  return f->window == NULL ||
         (!sp_add_game_window_get_busy (f->window) && !sp_add_game_window_get_searching (f->window));
}

static gboolean
window_gone (gpointer data)
{
  Fixture *f = data;

  return f->window == NULL;
}

static gboolean
staging_made (gpointer data)
{
  Fixture *f = data;

  return sp_add_game_window_get_staging_folder (f->window) != NULL;
}

/* Makes a new prefix with the window's "Create", as its button does, and
 * waits until it is the folder to add. Returns its staging folder. */
static char *
create_prefix (Fixture *f)
{
  g_autofree char *root = sp_new_prefix_get_root ();
  g_autofree char *staging = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *system32 = NULL;
  gint64 t0 = g_get_monotonic_time ();
  GStatBuf st;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "add-game.create-prefix", NULL));
  g_assert_true (sp_add_game_window_get_busy (f->window));
  ui_test_wait (window_idle, f, WINE_TIMEOUT_S, "wineboot to make the new prefix");
  g_test_message ("new prefix: %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_null (ui_test_find_message_dialog (NULL));

  /* In Savepoint's own folder, private, with its owner named. */
  staging = g_strdup (sp_add_game_window_get_staging_folder (f->window));
  g_assert_nonnull (staging);
  parent = g_path_get_dirname (staging);
  g_assert_cmpstr (parent, ==, root);
  g_assert_cmpint (g_lstat (staging, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  marker = g_build_filename (staging, SP_NEW_PREFIX_MARKER, NULL);
  g_assert_true (g_file_test (marker, G_FILE_TEST_IS_REGULAR));

  /* The prefix is the folder to add, a Windows game. */
  prefix = g_build_filename (staging, SP_NEW_PREFIX_WINEPREFIX, NULL);
  g_assert_cmpstr (sp_add_game_window_get_folder (f->window), ==, prefix);
  system32 = g_build_filename (prefix, "drive_c", "windows", "system32", "notepad.exe", NULL);
  g_assert_true (g_file_test (system32, G_FILE_TEST_IS_REGULAR));
  /* Wine's own programs are not taken for the game. */
  g_assert_cmpstr (sp_add_game_window_get_executable (f->window), ==, "");
  return g_steal_pointer (&staging);
}

static char *
write_installer (const char *dir,
                 const char *name,
                 const char *script)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, script, -1, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
game_added_cb (SpAddGameWindow  *window,
               SpGame           *game,
               SpGame          **out)
{
  g_set_object (out, game);
}

/* A failing installer says so and keeps the prefix, as a cancelled one
 * does; the next one installs "Tiny Game", whose game.exe is chosen (and
 * the name from its folder); the game is added with the installed file,
 * and the staging folder goes. */
static void
test_install_and_add (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *staging = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *failing = NULL;
  g_autofree char *setup = NULL;
  g_autofree char *slow = NULL;
  g_autofree char *started = NULL;
  g_autofree char *finished = NULL;
  g_autoptr(SpGame) added = NULL;
  AdwMessageDialog *dialog;
  const char *body;

  if (wine_missing ())
    return;
  staging = create_prefix (f);
  prefix = g_build_filename (staging, SP_NEW_PREFIX_WINEPREFIX, NULL);

  failing = write_installer (f->dir, "broken-setup.bat", "@echo off\r\nexit /b 3\r\n");
  g_assert_true (sp_add_game_window_run_installer (f->window, failing));
  g_assert_true (sp_add_game_window_get_busy (f->window));
  ui_test_wait (window_idle, f, WINE_TIMEOUT_S, "the failing installer");
  dialog = ui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Installer Failed");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "broken-setup.bat"));
  g_assert_nonnull (strstr (body, "exit code 3"));
  ui_test_answer (dialog, "close");
  /* The prefix is still the one to add, and takes the next installer. */
  g_assert_cmpstr (sp_add_game_window_get_folder (f->window), ==, prefix);
  g_assert_cmpstr (sp_add_game_window_get_executable (f->window), ==, "");

  /* Cancel stops an installer and what it started; the prefix stays. */
  slow = write_installer (f->dir, "slow-setup.bat",
                          "@echo off\r\n"
                          "echo started> C:\\started.txt\r\n"
                          "ping -n 60 127.0.0.1 > nul\r\n"
                          "echo finished> C:\\finished.txt\r\n");
  started = g_build_filename (prefix, "drive_c", "started.txt", NULL);
  finished = g_build_filename (prefix, "drive_c", "finished.txt", NULL);
  g_assert_true (sp_add_game_window_run_installer (f->window, slow));
  ui_test_wait (path_exists, started, WINE_TIMEOUT_S, "the slow installer to start");
  g_assert_true (sp_add_game_window_get_busy (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "add-game.cancel", NULL));
  ui_test_wait (window_idle, f, WINE_TIMEOUT_S, "the installer to stop");
  g_assert_nonnull (f->window);
  g_assert_null (ui_test_find_message_dialog (NULL));
  g_assert_cmpstr (sp_add_game_window_get_folder (f->window), ==, prefix);
  g_assert_cmpstr (sp_add_game_window_get_staging_folder (f->window), ==, staging);

  setup = write_installer (f->dir, "setup.bat",
                           "@echo off\r\n"
                           "mkdir \"C:\\Program Files\\Tiny Game\"\r\n"
                           "copy C:\\windows\\system32\\notepad.exe "
                           "\"C:\\Program Files\\Tiny Game\\game.exe\"\r\n");
  g_assert_true (sp_add_game_window_run_installer (f->window, setup));
  ui_test_wait (window_idle, f, WINE_TIMEOUT_S, "the installer and the search for its game");
  g_assert_null (ui_test_find_message_dialog (NULL));
  g_assert_cmpstr (sp_add_game_window_get_executable (f->window), ==,
                   "drive_c/Program Files/Tiny Game/game.exe");
  g_assert_cmpstr (sp_add_game_window_get_name (f->window), ==, "Tiny Game");

  /* wineserver -k ended the slow one's programs too. */
  g_assert_false (g_file_test (finished, G_FILE_TEST_EXISTS));

  g_signal_connect (f->window, "game-added", G_CALLBACK (game_added_cb), &added);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "add-game.add", NULL));
  g_assert_true (sp_add_game_window_get_busy (f->window));
  ui_test_wait (window_gone, f, WINE_TIMEOUT_S, "the game to be added");
  g_assert_nonnull (added);
  g_assert_true (added == sp_library_find_game (f->library, "Tiny Game"));
  g_assert_cmpint (sp_game_get_kind (added), ==, SP_GAME_KIND_WINE);
  g_assert_cmpstr (sp_game_get_executable (added), ==, "drive_c/Program Files/Tiny Game/game.exe");

  /* The drive holds the installed game; the staging folder is gone. */
  {
    g_autofree char *installed = g_build_filename (sp_game_get_base_path (added), "drive_c",
                                                   "Program Files", "Tiny Game", "game.exe", NULL);
    g_autofree char *marker = g_build_filename (sp_game_get_base_path (added),
                                                SP_NEW_PREFIX_MARKER, NULL);
    GStatBuf st;

    g_assert_cmpint (g_lstat (installed, &st), ==, 0);
    g_assert_true (S_ISREG (st.st_mode));
    g_assert_cmpint (st.st_size, >, 0);
    g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  }
  ui_test_wait (path_gone, staging, 60, "the staging folder to go");
}

static gboolean
executable_filled (gpointer data)
{
  Fixture *f = data;

  return sp_add_game_window_get_executable (f->window)[0] != '\0';
}

/* A folder was chosen first: the new prefix replaces it (and its
 * executable), and nothing is made in it. Closed without adding: the
 * staging folder goes. */
static void
test_close_discards (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *staging = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *source = NULL;

  if (wine_missing ())
    return;
  parent = ui_test_tmpdir ("add-installer-source");
  source = ui_test_make_game_source (parent);
  sp_add_game_window_set_folder (f->window, source);
  ui_test_wait (executable_filled, f, 30, "the executable of the chosen folder");
  g_assert_cmpstr (sp_add_game_window_get_executable (f->window), ==, "game.sh");
  g_assert_cmpstr (sp_add_game_window_get_name (f->window), ==, "Source");

  staging = create_prefix (f);
  g_assert_cmpstr (sp_add_game_window_get_name (f->window), ==, "");
  g_assert_cmpuint (tc_count_entries (source), ==, 2);
  gtk_window_close (GTK_WINDOW (f->window));
  ui_test_wait (window_gone, f, 30, "the window to close");
  ui_test_wait (path_gone, staging, 60, "the staging folder to go");
  ui_test_remove_tree (parent);
}

/* Another folder chosen after the new prefix: the prefix goes at once,
 * and no installer runs in the folder chosen. */
static void
test_other_folder (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *staging = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *source = NULL;
  g_autofree char *setup = NULL;

  if (wine_missing ())
    return;
  staging = create_prefix (f);
  parent = ui_test_tmpdir ("add-installer-other");
  source = ui_test_make_game_source (parent);
  setup = write_installer (parent, "setup.bat", "@echo off\r\n");

  sp_add_game_window_set_folder (f->window, source);
  g_assert_null (sp_add_game_window_get_staging_folder (f->window));
  ui_test_wait (path_gone, staging, 60, "the staging folder to go");
  g_assert_false (sp_add_game_window_run_installer (f->window, setup));
  g_assert_false (sp_add_game_window_get_busy (f->window));
  /* (The kind stays the prefix's until the user says otherwise.) */
  sp_add_game_window_set_kind (f->window, SP_GAME_KIND_NATIVE);
  ui_test_wait (executable_filled, f, 30, "the executable of the chosen folder");
  g_assert_cmpstr (sp_add_game_window_get_executable (f->window), ==, "game.sh");
  ui_test_remove_tree (parent);
}

static void
write_marker (const char *staging,
              const char *host,
              gint64      pid)
{
  g_autofree char *path = g_build_filename (staging, SP_NEW_PREFIX_MARKER, NULL);
  g_autofree char *text = g_strdup_printf ("[" SP_NEW_PREFIX_MARKER_GROUP "]\n"
                                           "Host=%s\nBootId=%s\nPid=%" G_GINT64_FORMAT "\n"
                                           "PidStart=%" G_GUINT64_FORMAT "\n",
                                           host, sp_boot_id_short (), pid,
                                           sp_pid_start_time (pid));
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

/* A staging folder in @root as Savepoint makes it, with a file in its
 * prefix and a link out of it (never followed), owned by @pid (0: no
 * marker). */
static char *
make_staging (const char *root,
              const char *name,
              const char *host,
              gint64      pid,
              const char *outside)
{
  g_autofree char *staging = g_build_filename (root, name, NULL);
  g_autofree char *prefix = g_build_filename (staging, SP_NEW_PREFIX_WINEPREFIX, NULL);
  g_autofree char *file = g_build_filename (prefix, "system.reg", NULL);
  g_autofree char *link = g_build_filename (prefix, "outside", NULL);

  g_assert_cmpint (g_mkdir (staging, 0700), ==, 0);
  g_assert_cmpint (g_chmod (staging, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (prefix, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, "WINE REGISTRY Version 2\n", -1, NULL));
  g_assert_cmpint (symlink (outside, link), ==, 0);
  if (pid != 0)
    write_marker (staging, host, pid);
  return g_steal_pointer (&staging);
}

static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* A process that holds no pipe of the test (meson waits for those) and
 * dies with it. */
static GSubprocess *
spawn_quiet (const char *program,
             const char *argument)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, program, argument, NULL);
  g_assert_no_error (error);
  return process;
}

/* The pid of a process that has ended (reaped here: GSubprocess would
 * reap it behind our back and forget its pid). */
static gint64
dead_pid (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int status;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_false (sp_pid_is_alive (pid, 0));
  return pid;
}

/* Creating a prefix removes the staging folders of dead owners (without
 * following their links), and leaves alone a folder without our marker,
 * one of a live process, one of another host, one that is not private,
 * and a link; Cancel during wineboot removes the new one. */
static void
test_stale_staging (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *root = sp_new_prefix_get_root ();
  g_autofree char *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree char *outside_file = g_build_filename (outside, "keep.txt", NULL);
  g_autofree char *elsewhere = g_build_filename (f->dir, "elsewhere", NULL);
  g_autofree char *linked = g_build_filename (root, "prefix-link00", NULL);
  g_autoptr(GSubprocess) live = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dead = NULL;
  g_autofree char *dead_too = NULL;
  g_autofree char *unmarked = NULL;
  g_autofree char *alive = NULL;
  g_autofree char *other_host = NULL;
  g_autofree char *not_private = NULL;
  g_autofree char *staging = NULL;
  gint64 live_pid;

  if (wine_missing ())
    return;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  g_assert_true (g_file_set_contents (outside_file, "mine", -1, NULL));
  live = spawn_quiet ("sleep", "600");
  live_pid = g_ascii_strtoll (g_subprocess_get_identifier (live), NULL, 10);

  dead = make_staging (root, "prefix-dead00", sp_host_name (), dead_pid (), outside);
  dead_too = make_staging (root, "prefix-dead01", sp_host_name (), dead_pid (), outside_file);
  unmarked = make_staging (root, "prefix-nomark", NULL, 0, outside);
  alive = make_staging (root, "prefix-live00", sp_host_name (), live_pid, outside);
  other_host = make_staging (root, "prefix-other0", "elsewhere.invalid", dead_pid (), outside);
  not_private = make_staging (root, "prefix-open00", sp_host_name (), dead_pid (), outside);
  g_assert_cmpint (g_chmod (not_private, 0755), ==, 0);
  /* A link to a folder that looks stale: neither goes. */
  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  write_marker (elsewhere, sp_host_name (), dead_pid ());
  g_assert_cmpint (symlink (elsewhere, linked), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "add-game.create-prefix", NULL));
  ui_test_wait (staging_made, f, WINE_TIMEOUT_S, "the staging folder");
  staging = g_strdup (sp_add_game_window_get_staging_folder (f->window));

  g_assert_true (path_gone (dead));
  g_assert_true (path_gone (dead_too));
  g_assert_true (g_file_test (unmarked, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (alive, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (other_host, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (not_private, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (linked, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (elsewhere, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *elsewhere_marker = g_build_filename (elsewhere, SP_NEW_PREFIX_MARKER, NULL);
    g_autofree char *kept = NULL;

    g_assert_true (g_file_test (elsewhere_marker, G_FILE_TEST_IS_REGULAR));
    /* The links out of the removed ones were not followed. */
    g_assert_true (g_file_get_contents (outside_file, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "mine");
  }

  /* Cancel while wineboot works: the half-made prefix goes. */
  g_assert_true (sp_add_game_window_get_busy (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "add-game.cancel", NULL));
  ui_test_wait (window_idle, f, WINE_TIMEOUT_S, "wineboot to stop");
  g_assert_nonnull (f->window);
  g_assert_null (ui_test_find_message_dialog (NULL));
  g_assert_null (sp_add_game_window_get_staging_folder (f->window));
  g_assert_null (sp_add_game_window_get_folder (f->window));
  ui_test_wait (path_gone, staging, 60, "the cancelled staging folder to go");

  /* The one of a live process goes once it has ended. */
  g_subprocess_force_exit (live);
  g_assert_true (g_subprocess_wait (live, NULL, NULL));
  g_assert_cmpint (sp_new_prefix_remove_stale (root, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (path_gone (alive));
  g_assert_true (g_file_test (unmarked, G_FILE_TEST_IS_DIR));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("WINEDLLOVERRIDES", WINE_OVERRIDES, TRUE);
  g_setenv ("WINEDEBUG", "-all", TRUE);
  g_unsetenv ("WINEPREFIX");
  ui_test_init (&argc, &argv);

  g_test_add ("/ui/add-installer/stale-staging", Fixture, NULL, fixture_setup,
              test_stale_staging, fixture_teardown);
  g_test_add ("/ui/add-installer/close-discards", Fixture, NULL, fixture_setup,
              test_close_discards, fixture_teardown);
  g_test_add ("/ui/add-installer/other-folder", Fixture, NULL, fixture_setup,
              test_other_folder, fixture_teardown);
  g_test_add ("/ui/add-installer/install-and-add", Fixture, NULL, fixture_setup,
              test_install_and_add, fixture_teardown);

  return ui_test_run ();
}
