/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <glib/gstdio.h>

#include "sp-test-common.h"
#include "ui-test-util.h"

static char *test_root;

/* Private HOME and XDG user dirs (the demo library, runs and mount points
 * land there), keeping the system's XDG_DATA_DIRS so MIME sniffing of the
 * theme's SVG icons works: G_TEST_OPTION_ISOLATE_DIRS would hide it. */
void
ui_test_init (int    *argc,
              char ***argv)
{
  const char *dirs[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                         "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME" };
  g_autoptr(GError) error = NULL;

  test_root = g_dir_make_tmp ("sp-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (test_root, dirs[i], NULL);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (dirs[i], dir, TRUE);
    }

  /* GDK probes GL at start-up and Mesa's GLX driver, once unloaded, leaves
   * an allocation LeakSanitizer can no longer attribute (an "unknown
   * module" leak that no suppression matches). Keep the driver loaded so
   * it is seen as reachable; harmless without Mesa. */
  dlopen ("libGLX_mesa.so.0", RTLD_LAZY | RTLD_NODELETE);

  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();

  /* AdwApplication loads style.css from the resources; the tests have no
   * application, so load it the same way (a CSS error fails the tests). */
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
}

void
ui_test_remove_dirs (void)
{
  if (test_root != NULL)
    ui_test_remove_tree (test_root);
  g_clear_pointer (&test_root, g_free);
}

int
ui_test_run (void)
{
  int ret = g_test_run ();

  /* Kept after a failure, to look at. */
  if (ret == 0)
    ui_test_remove_dirs ();
  return ret;
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
ui_test_wait (UiTestCondition condition,
              gpointer        data,
              guint           timeout_s,
              const char     *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_s, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u s waiting for: %s", timeout_s, what);
  g_source_remove (id);
}

void
ui_test_flush (void)
{
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

char *
ui_test_tmpdir (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("sp-ui-%s-XXXXXX", name);
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

void
ui_test_remove_tree (const char *path)
{
  tc_rmtree (path);
}

char *
ui_test_make_game_source (const char *parent)
{
  char *source = g_build_filename (parent, "source", NULL);
  g_autofree char *script = g_build_filename (source, "game.sh", NULL);
  g_autofree char *home = g_build_filename (source, "home", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (home, 0755), ==, 0);
  g_file_set_contents (script,
                       "#!/bin/sh\n"
                       "echo played >> \"$HOME/save.txt\"\n"
                       /* Games run for a while (an instant exit races the
                        * session's start-up in the core: reported); a test
                        * that stops the game makes it run long. */
                       "sleep \"${SP_TEST_PLAY_SECONDS:-1}\"\n",
                       -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  return source;
}

SpGame *
ui_test_add_game (SpLibrary  *library,
                  const char *name)
{
  g_autofree char *tmp = ui_test_tmpdir ("source");
  g_autofree char *source = ui_test_make_game_source (tmp);
  g_autoptr(GError) error = NULL;
  SpGameInfo info = { 0 };
  SpGame *game;

  info.name = name;
  info.kind = SP_GAME_KIND_NATIVE;
  info.executable = "game.sh";
  info.home = "home";
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY,
                                   NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (game);
  ui_test_remove_tree (tmp);
  return game;
}

SpCheckpoint *
ui_test_add_checkpoint (SpGame     *game,
                        const char *label,
                        const char *contents)
{
  g_autofree char *upper = ui_test_tmpdir ("upper");
  g_autofree char *home = g_build_filename (upper, "home", NULL);
  g_autofree char *save = g_build_filename (home, "save.txt", NULL);
  g_autoptr(GError) error = NULL;
  SpCheckpoint *checkpoint;

  g_assert_cmpint (g_mkdir_with_parents (home, 0755), ==, 0);
  g_file_set_contents (save, contents, -1, &error);
  g_assert_no_error (error);
  checkpoint = sp_game_create_checkpoint_sync (game, upper, label, 60, TRUE,
                                               NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  ui_test_remove_tree (upper);
  return checkpoint;
}

AdwMessageDialog *
ui_test_find_message_dialog (GtkWidget *except)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && window != except && gtk_widget_get_visible (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

void
ui_test_answer (AdwMessageDialog *dialog,
                const char       *response)
{
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  /* A button closes the dialog without a second (close) response. */
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}
