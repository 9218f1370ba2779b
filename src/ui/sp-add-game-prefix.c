/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Add Game's new Wine prefix: made by wineboot in a staging folder of
 * Savepoint's (sp-new-prefix.h), where the game's installers run, then
 * copied onto the drive like any folder; the staging folder goes once the
 * game is added or the window closes. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/wait.h>

#include "core/sp-new-prefix.h"
#include "sp-add-game-window-private.h"
#include "sp-game-settings.h"
#include "sp-ui-util.h"

#define PULSE_MS 120

gboolean
_sp_add_game_prefix_is_chosen (SpAddGameWindow *self)
{
  return self->prefix_ready && self->new_prefix != NULL &&
         g_strcmp0 (self->folder, self->new_prefix) == 0;
}

static gboolean
pulse_cb (gpointer user_data)
{
  SpAddGameWindow *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
show_step (SpAddGameWindow *self,
           SpAddGameWine    step,
           const char      *label)
{
  self->wine_step = step;
  if (label != NULL)
    gtk_label_set_label (self->progress_label, label);
  if (self->pulse_id == 0)
    {
      gtk_progress_bar_set_text (self->progress_bar, "");
      gtk_progress_bar_pulse (self->progress_bar);
      self->pulse_id = g_timeout_add (PULSE_MS, pulse_cb, self);
    }
  if (!self->busy)
    {
      self->busy = TRUE;
      gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
      _sp_add_game_window_validate (self);
    }
}

static void
set_idle (SpAddGameWindow *self)
{
  self->wine_step = SP_ADD_GAME_WINE_IDLE;
  self->wine_stopping = FALSE;
  self->busy = FALSE;
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  gtk_progress_bar_set_text (self->progress_bar, NULL);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  _sp_add_game_window_validate (self);
}

/* Removing a staging folder outlives the window: the application is held
 * until it is done. */
typedef struct
{
  char         *staging;
  GApplication *application;
} Discard;

static void
discard_free (Discard *discard)
{
  if (discard->application != NULL)
    g_application_release (discard->application);
  g_clear_object (&discard->application);
  g_free (discard->staging);
  g_free (discard);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Discard, discard_free)

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Discard) discard = user_data;
  g_autoptr(GError) error = NULL;

  /* Nobody to tell: what is left is removed as stale once this process
   * has ended, the next time a prefix is made. */
  if (!sp_new_prefix_remove_finish (result, &error))
    g_message ("Could not remove the new Wine prefix %s: %s", discard->staging, error->message);
}

static void
wine_killed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Discard *discard = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  sp_new_prefix_remove_async (discard->staging, NULL, removed_cb, discard);
}

/* Removes the staging folder @staging (owned), with @kill_wine after
 * wineserver -k has ended what still runs in its prefix. */
static void
discard_staging (char     *staging,
                 gboolean  kill_wine)
{
  Discard *discard = g_new0 (Discard, 1);
  GApplication *application = g_application_get_default ();
  g_autoptr(GSubprocess) killer = NULL;

  discard->staging = staging;
  if (application != NULL)
    {
      discard->application = g_object_ref (application);
      g_application_hold (application);
    }
  if (kill_wine)
    {
      g_autofree char *prefix = g_build_filename (staging, SP_NEW_PREFIX_WINEPREFIX, NULL);
      g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);

      g_subprocess_launcher_setenv (launcher, "WINEPREFIX", prefix, TRUE);
      killer = g_subprocess_launcher_spawn (launcher, NULL, "wineserver", "-k", NULL);
    }
  if (killer != NULL)
    g_subprocess_wait_async (killer, NULL, wine_killed_cb, discard);
  else
    sp_new_prefix_remove_async (discard->staging, NULL, removed_cb, discard);
}

void
_sp_add_game_prefix_discard (SpAddGameWindow *self)
{
  gboolean running = self->wine != NULL;

  if (self->staging == NULL)
    return;
  if (self->wine != NULL)
    g_subprocess_force_exit (self->wine);
  g_clear_object (&self->wine);
  g_clear_pointer (&self->new_prefix, g_free);
  g_clear_pointer (&self->fresh_executables, g_strfreev);
  self->prefix_ready = FALSE;
  discard_staging (g_steal_pointer (&self->staging), running);
}

void
_sp_add_game_prefix_dispose (SpAddGameWindow *self)
{
  g_cancellable_cancel (self->wine_cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  _sp_add_game_prefix_discard (self);
  g_clear_pointer (&self->installer, g_free);
}

static void wine_done_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

/* Starts the Wine tool @argv (found in PATH, as wineboot always was) in
 * the new prefix, at @step; its end goes to wine_done_cb(). */
static gboolean
run_wine (SpAddGameWindow     *self,
          SpAddGameWine        step,
          const char          *label,
          const char          *cwd,
          const char * const  *argv,
          GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;

  g_assert (self->wine == NULL);

  /* The rest of the environment (WINEDEBUG, WINEDLLOVERRIDES, …) is the
   * user's. */
  g_subprocess_launcher_setenv (launcher, "WINEPREFIX", self->new_prefix, TRUE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;
  show_step (self, step, label);
  self->wine = g_object_ref (process);
  g_subprocess_wait_async (process, self->wine_cancellable, wine_done_cb, g_object_ref (self));
  return TRUE;
}

/* After Cancel, once nothing runs: a half-made prefix goes, a made one
 * stays (an installer stopped half-way may have left its game). */
static void
stopped (SpAddGameWindow *self)
{
  set_idle (self);
  if (!self->prefix_ready)
    _sp_add_game_prefix_discard (self);
  else
    _sp_add_game_window_find_executable (self);
}

/* Cancel: the running tool is killed, then wineserver -k ends whatever
 * it started (wine_done_cb()). */
void
_sp_add_game_prefix_stop (SpAddGameWindow *self)
{
  if (self->wine_step == SP_ADD_GAME_WINE_IDLE || self->wine_stopping)
    return;
  self->wine_stopping = TRUE;
  gtk_label_set_label (self->progress_label, _("Stopping Wine…"));
  if (self->wine != NULL)
    g_subprocess_force_exit (self->wine);
}

static void
fail_prefix (SpAddGameWindow *self,
             const char      *message)
{
  set_idle (self);
  _sp_add_game_prefix_discard (self);
  sp_ui_show_error (GTK_WIDGET (self), _("Could Not Create the Wine Prefix"), message);
}

/* "exit code 3" or "signal 9", for messages. */
static char *
describe_status (int wait_status)
{
  if (WIFEXITED (wait_status))
    /* Translators: how a program ended */
    return g_strdup_printf (_("exit code %d"), WEXITSTATUS (wait_status));
  if (WIFSIGNALED (wait_status))
    /* Translators: how a program ended */
    return g_strdup_printf (_("signal %d"), WTERMSIG (wait_status));
  return g_strdup_printf ("%d", wait_status);
}

static void
fresh_scanned_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SpAddGameWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = sp_game_settings_find_executables_finish (result, &error);

  if (g_cancellable_is_cancelled (self->wine_cancellable))
    return;
  if (self->wine_stopping)
    {
      stopped (self);
      return;
    }
  if (found == NULL)
    {
      fail_prefix (self, error->message);
      return;
    }
  self->fresh_executables = g_steal_pointer (&found);
  self->prefix_ready = TRUE;
  set_idle (self);
  /* Nothing of an earlier folder fits the empty prefix: the executable
   * comes from its installer, and so does the name unless one was typed. */
  gtk_editable_set_text (GTK_EDITABLE (self->executable_row), "");
  if (!self->name_edited)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
      self->name_edited = FALSE;
    }
  sp_add_game_window_set_kind (self, SP_GAME_KIND_WINE);
  sp_add_game_window_set_folder (self, self->new_prefix);
}

static void
installer_finished (SpAddGameWindow *self)
{
  g_autofree char *name = g_path_get_basename (self->installer);
  g_autofree char *how = NULL;
  g_autofree char *message = NULL;

  set_idle (self);
  _sp_add_game_window_find_executable (self);
  if (g_spawn_check_wait_status (self->installer_status, NULL))
    return;
  how = describe_status (self->installer_status);
  /* Translators: the first %s is a file name, the second how it ended ("exit code 1") */
  message = g_strdup_printf (_("“%s” ended with an error (%s). The new Wine prefix is kept: "
                               "run the installer again, run another one, or add the prefix "
                               "as it is."), name, how);
  sp_ui_show_error (GTK_WIDGET (self), _("The Installer Failed"), message);
}

static void
wine_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpAddGameWindow) self = user_data;
  GSubprocess *process = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  const char *wait_server[] = { "wineserver", "-w", NULL };
  const char *kill_server[] = { "wineserver", "-k", NULL };

  /* Cancelled: the window went, and stopped Wine on its way. */
  if (!g_subprocess_wait_finish (process, result, &error) ||
      g_cancellable_is_cancelled (self->wine_cancellable))
    return;
  g_clear_object (&self->wine);

  if (self->wine_stopping && self->wine_step != SP_ADD_GAME_WINE_KILL)
    {
      if (!run_wine (self, SP_ADD_GAME_WINE_KILL, NULL, NULL, kill_server, NULL))
        stopped (self);
      return;
    }

  switch (self->wine_step)
    {
    case SP_ADD_GAME_WINE_BOOT:
      if (!g_subprocess_get_successful (process))
        {
          g_autofree char *how = describe_status (g_subprocess_get_status (process));
          /* Translators: %s says how it ended ("exit code 1") */
          g_autofree char *message = g_strdup_printf (_("wineboot ended with an error (%s). "
                                                        "Check that Wine works, then try again."),
                                                      how);
          fail_prefix (self, message);
          return;
        }
      /* Wine writes the registry when its server ends: wait for it. */
      if (!run_wine (self, SP_ADD_GAME_WINE_BOOT_WAIT, _("Finishing the Wine prefix…"), NULL,
                     wait_server, &error))
        fail_prefix (self, error->message);
      return;

    case SP_ADD_GAME_WINE_BOOT_WAIT:
      show_step (self, SP_ADD_GAME_WINE_SCAN, NULL);
      sp_game_settings_find_executables_async (self->new_prefix, TRUE,
                                               SP_GAME_SETTINGS_SCAN_MAX_ENTRIES,
                                               self->wine_cancellable, fresh_scanned_cb,
                                               g_object_ref (self));
      return;

    case SP_ADD_GAME_WINE_INSTALL:
      self->installer_status = g_subprocess_get_status (process);
      /* Installers start other programs and return: wait for all of them. */
      if (!run_wine (self, SP_ADD_GAME_WINE_INSTALL_WAIT,
                     _("Waiting for the programs the installer started to end…"), NULL,
                     wait_server, NULL))
        installer_finished (self);
      return;

    case SP_ADD_GAME_WINE_INSTALL_WAIT:
      installer_finished (self);
      return;

    case SP_ADD_GAME_WINE_KILL:
      stopped (self);
      return;

    case SP_ADD_GAME_WINE_IDLE:
    case SP_ADD_GAME_WINE_STAGING:
    case SP_ADD_GAME_WINE_SCAN:
    default:
      g_assert_not_reached ();
    }
}

static void
staging_made_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SpAddGameWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *staging = sp_new_prefix_create_finish (result, &error);
  const char *wineboot[] = { "wineboot", "--init", NULL };

  if (g_cancellable_is_cancelled (self->wine_cancellable))
    {
      /* The window went meanwhile. */
      if (staging != NULL)
        discard_staging (g_steal_pointer (&staging), FALSE);
      return;
    }
  if (staging == NULL)
    {
      fail_prefix (self, error->message);
      return;
    }
  self->staging = g_steal_pointer (&staging);
  self->new_prefix = g_build_filename (self->staging, SP_NEW_PREFIX_WINEPREFIX, NULL);
  if (self->wine_stopping)
    {
      stopped (self);
      return;
    }
  if (!run_wine (self, SP_ADD_GAME_WINE_BOOT, NULL, NULL, wineboot, &error))
    {
      /* Translators: %s is an error message */
      g_autofree char *message = g_strdup_printf (_("wineboot could not be started: %s. Install Wine, "
                                                    "or choose an existing prefix."),
                                                  error->message);
      fail_prefix (self, message);
    }
}

/* Makes a new prefix in a staging folder: the staging folder (stale ones
 * go first), wineboot --init, wineserver -w, the list of the fresh
 * prefix's executables; then it is the folder to add. */
static void
create_prefix_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SpAddGameWindow *self = SP_ADD_GAME_WINDOW (widget);

  if (self->busy)
    return;
  /* Another new prefix replaces this window's earlier one. */
  if (self->staging != NULL)
    {
      if (_sp_add_game_prefix_is_chosen (self))
        sp_add_game_window_set_folder (self, NULL);
      _sp_add_game_prefix_discard (self);
    }
  show_step (self, SP_ADD_GAME_WINE_STAGING, _("Creating the Wine prefix…"));
  /* Not cancelled by Cancel: a made staging folder must be known to go. */
  sp_new_prefix_create_async (NULL, staging_made_cb, g_object_ref (self));
}

gboolean
sp_add_game_window_run_installer (SpAddGameWindow *self,
                                  const char      *installer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  const char *argv[] = { "wine", "start", "/wait", "/unix", installer, NULL };

  g_return_val_if_fail (SP_IS_ADD_GAME_WINDOW (self), FALSE);
  g_return_val_if_fail (installer != NULL && g_path_is_absolute (installer), FALSE);

  if (self->busy || !_sp_add_game_prefix_is_chosen (self))
    return FALSE;

  folder = g_path_get_dirname (installer);
  name = g_path_get_basename (installer);
  /* Translators: %s is the installer's file name */
  label = g_strdup_printf (_("Running “%s”: finish the installation in its window…"), name);
  g_free (self->installer);
  self->installer = g_strdup (installer);
  self->installer_status = 0;
  /* `start /wait /unix` opens .exe, .msi and .bat alike, and waits. */
  if (!run_wine (self, SP_ADD_GAME_WINE_INSTALL, label, folder, argv, &error))
    {
      /* Translators: the first %s is a file name, the second an error message */
      g_autofree char *message = g_strdup_printf (_("Wine could not start “%s”: %s. Check that "
                                                    "Wine is installed."), name, error->message);

      sp_ui_show_error (GTK_WIDGET (self), _("The Installer Failed"), message);
      return FALSE;
    }
  return TRUE;
}

static void
installer_chosen_cb (GtkNativeDialog *chooser,
                     int              response,
                     SpAddGameWindow *self)
{
  g_autofree char *path = _sp_add_game_window_take_chosen_path (chooser, response);

  if (path != NULL)
    sp_add_game_window_run_installer (self, path);
}

static void
run_installer_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  /* Suffixes match in any case. */
  gtk_file_filter_set_name (filter, _("Setup Programs (.exe, .msi, .bat)"));
  gtk_file_filter_add_suffix (filter, "exe");
  gtk_file_filter_add_suffix (filter, "msi");
  gtk_file_filter_add_suffix (filter, "bat");
  _sp_add_game_window_show_chooser (SP_ADD_GAME_WINDOW (widget), _("Installer"),
                                    GTK_FILE_CHOOSER_ACTION_OPEN, _("_Run"), NULL, filter,
                                    G_CALLBACK (installer_chosen_cb));
}

static gboolean
is_uninstaller (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);

  return g_ascii_strncasecmp (name, "unins", 5) == 0;
}

GStrv
_sp_add_game_prefix_new_executables (SpAddGameWindow    *self,
                                     const char * const *found)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; found[i] != NULL; i++)
    if (!is_uninstaller (found[i]) &&
        (self->fresh_executables == NULL ||
         !g_strv_contains ((const char * const *) self->fresh_executables, found[i])))
      g_strv_builder_add (builder, found[i]);
  return g_strv_builder_end (builder);
}

char *
_sp_add_game_prefix_name_for (const char *executable)
{
  g_auto(GStrv) parts = g_strsplit (executable, "/", -1);
  guint n = g_strv_length (parts);
  guint i = 0;

  if (n == 0 || g_ascii_strcasecmp (parts[0], "drive_c") != 0)
    return NULL;
  i = 1;
  if (i < n && g_ascii_strncasecmp (parts[i], "Program Files", strlen ("Program Files")) == 0)
    i++;
  /* A folder, not the executable itself. */
  if (i + 1 >= n || parts[i][0] == '\0')
    return NULL;
  return sp_add_game_title_from_folder (parts[i]);
}

void
_sp_add_game_prefix_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "add-game.create-prefix", NULL, create_prefix_cb);
  gtk_widget_class_install_action (widget_class, "add-game.run-installer", NULL, run_installer_cb);
}
