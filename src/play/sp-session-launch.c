/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How a session launches its game: savepoint-run, the runner, the
 * executable inside the mount, the environment. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-session-private.h"
#include "sp-sandbox.h"

#ifndef SP_LIBEXECDIR
# define SP_LIBEXECDIR "/usr/local/libexec"
#endif

void
_sp_start_data_free (SpSessionStartData *data)
{
  g_free (data->library_id);
  g_free (data->library_path);
  g_free (data->slug);
  g_free (data->lock_path);
  g_free (data->base_path);
  g_free (data->head);
  g_clear_object (&data->checkpoint);
  g_clear_pointer (&data->settings, sp_game_info_free);
  g_free (data->supervisor);
  g_free (data->run_dir);
  g_strfreev (data->argv);
  g_strfreev (data->envp);
  g_free (data);
}

char *
sp_session_find_supervisor (GError **error)
{
  const char *env = g_getenv ("SAVEPOINT_RUN");
  g_autofree char *in_path = NULL;
  g_autofree char *installed = NULL;

  if (env != NULL && env[0] != '\0')
    {
      if (g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (env);
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                   _("SAVEPOINT_RUN names “%s”, which is not an executable file."), env);
      return NULL;
    }

  installed = g_build_filename (SP_LIBEXECDIR, "savepoint-run", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);

  in_path = g_find_program_in_path ("savepoint-run");
  if (in_path != NULL)
    return g_steal_pointer (&in_path);

  g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
               _("The session helper “%s” is missing. Reinstall Savepoint."), installed);
  return NULL;
}

static char *
inside (const char *mount_point,
        const char *relative)
{
  while (relative && relative[0] == '/')
    relative++;
  return g_build_filename (mount_point, relative, NULL);
}

/* Sessions get the desktop's session bus when there is one: without
 * DBUS_SESSION_BUS_ADDRESS, libdbus in the game (Wine's, SDL's) autolaunches
 * a private dbus-daemon that outlives the game. The systemd user bus at
 * $XDG_RUNTIME_DIR/bus is the desktop's; under Flatpak the host's session
 * helper passes on its own. */
void
_sp_session_add_session_bus (char ***envp)
{
  const char *address = g_environ_getenv (*envp, "DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *socket_path = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *value = NULL;
  GStatBuf st;

  if ((address != NULL && address[0] != '\0') || sp_sandbox_is_flatpak ())
    return;
  socket_path = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  if (g_lstat (socket_path, &st) != 0 || !S_ISSOCK (st.st_mode) || st.st_uid != getuid ())
    return;
  escaped = g_dbus_address_escape_value (socket_path);
  value = g_strconcat ("unix:path=", escaped, NULL);
  *envp = g_environ_setenv (*envp, "DBUS_SESSION_BUS_ADDRESS", value, TRUE);
}

/* Works out the command line and environment (after mounting: the
 * executable is looked up inside the merged view). */
gboolean
_sp_session_build_launch (SpSessionStartData   *data,
                          const char  *mount_point,
                          const char  *log_path,
                          GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *exe = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *cwd_rel = NULL;
  g_autofree char *grace = g_strdup_printf ("%u", data->grace);
  const SpGameInfo *game = data->settings;

  if (game->executable == NULL || game->executable[0] == '\0')
    {
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                   _("“%s” has no executable set. Set one in the game’s properties."), game->name);
      return FALSE;
    }

  exe = inside (mount_point, game->executable);
  if (!sp_sandbox_is_flatpak () && !g_file_test (exe, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                   _("The executable “%s” of “%s” does not exist in the game’s folder “%s”. "
                     "Check the Executable setting."),
                   game->executable, game->name, data->base_path);
      return FALSE;
    }

  if (game->working_directory && game->working_directory[0])
    cwd_rel = g_strdup (game->working_directory);
  else
    cwd_rel = g_path_get_dirname (game->executable);
  cwd = inside (mount_point, cwd_rel);
  if (!sp_sandbox_is_flatpak () && !g_file_test (cwd, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                   _("The working folder “%s” of “%s” does not exist in the game’s folder. "
                     "Check the Working Directory setting."),
                   game->working_directory, game->name);
      return FALSE;
    }

  /* Paths from game.ini are resolved by savepoint-run beneath the mount,
   * on the host where the mount is visible (design.md, "Trust"). */
  g_ptr_array_add (argv, g_strdup (data->supervisor));
  g_ptr_array_add (argv, g_strdup ("--grace"));
  g_ptr_array_add (argv, g_strdup (grace));
  if (data->background_grace >= 0)
    {
      g_ptr_array_add (argv, g_strdup ("--background-grace"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", data->background_grace));
    }
  if (data->wait_for_background)
    g_ptr_array_add (argv, g_strdup ("--wait-for-background"));
  /* A console game keeps our standard input, output and error (inherited
   * through GSubprocess) and our process group: the terminal's job. */
  if (data->console && !sp_sandbox_is_flatpak ())
    g_ptr_array_add (argv, g_strdup ("--console"));
  if (data->run_dir != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--run-dir"));
      g_ptr_array_add (argv, g_strdup (data->run_dir));
    }
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (log_path));
  g_ptr_array_add (argv, g_strdup ("--root"));
  g_ptr_array_add (argv, g_strdup (mount_point));
  g_ptr_array_add (argv, g_strdup ("--cwd-beneath"));
  g_ptr_array_add (argv, g_strdup (cwd_rel));
  g_ptr_array_add (argv, g_strdup (game->kind == SP_GAME_KIND_WINE ? "--check-beneath" : "--exec-beneath"));
  g_ptr_array_add (argv, g_strdup (game->executable));
  if (game->kind != SP_GAME_KIND_WINE && game->home && game->home[0])
    {
      g_ptr_array_add (argv, g_strdup ("--home-beneath"));
      g_ptr_array_add (argv, g_strdup (game->home));
    }
  g_ptr_array_add (argv, g_strdup ("--status-fd"));
  g_ptr_array_add (argv, g_strdup ("3"));
  g_ptr_array_add (argv, g_strdup ("--"));

  if (game->kind == SP_GAME_KIND_WINE)
    {
      g_auto(GStrv) runner_argv = NULL;
      g_autofree char *runner_path = NULL;
      g_autoptr(GError) parse_error = NULL;

      if (!g_shell_parse_argv (game->runner, NULL, &runner_argv, &parse_error))
        {
          g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                       _("The Wine runner “%s” cannot be read: %s"), game->runner, parse_error->message);
          return FALSE;
        }
      runner_path = g_find_program_in_path (runner_argv[0]);
      if (runner_path == NULL)
        {
          g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                       _("The Wine runner “%s” is not installed (not found in PATH). "
                         "Install Wine, or choose another runner for “%s”."),
                       runner_argv[0], game->name);
          return FALSE;
        }
      g_ptr_array_add (argv, g_steal_pointer (&runner_path));
      for (guint i = 1; runner_argv[i]; i++)
        g_ptr_array_add (argv, g_strdup (runner_argv[i]));
      g_ptr_array_add (argv, g_strdup (exe));
    }
  else
    {
      if (!sp_sandbox_is_flatpak () &&
          (!g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (exe, G_FILE_TEST_IS_DIR)))
        {
          g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                       _("“%s” of “%s” is not an executable program. "
                         "Check the Executable setting and the file’s permissions."),
                       game->executable, game->name);
          return FALSE;
        }
      g_ptr_array_add (argv, g_strdup (exe));
    }

  for (guint i = 0; game->arguments && game->arguments[i]; i++)
    g_ptr_array_add (argv, g_strdup (game->arguments[i]));
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; game->environment && game->environment[i]; i++)
    {
      const char *eq = strchr (game->environment[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == game->environment[i])
        continue;
      key = g_strndup (game->environment[i], eq - game->environment[i]);
      envp = g_environ_setenv (envp, key, eq + 1, TRUE);
    }
  /* After the game's own variables: the prefix is always the mount, or
   * nothing the game writes would land in the run. */
  if (game->kind == SP_GAME_KIND_WINE)
    envp = g_environ_setenv (envp, "WINEPREFIX", mount_point, TRUE);
  /* Wine names the profile folder after $USER: the prefix's own profile,
   * whoever plays, so every checkpoint's saves are found. */
  if (game->kind == SP_GAME_KIND_WINE && game->wine_user != NULL)
    {
      envp = g_environ_setenv (envp, "USER", game->wine_user, TRUE);
      envp = g_environ_setenv (envp, "LOGNAME", game->wine_user, TRUE);
    }

  _sp_session_add_session_bus (&envp);

  if (sp_sandbox_is_flatpak ())
    {
      const int status_fd[] = { 3 };
      g_auto(GStrv) host = sp_sandbox_wrap_for_host (TRUE, (const char *const *) argv->pdata,
                                                     (const char *const *) envp, status_fd, 1, error);

      if (host == NULL)
        return FALSE;
      data->argv = g_steal_pointer (&host);
      data->envp = g_steal_pointer (&envp);
      return TRUE;
    }
  data->argv = (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
  data->envp = g_steal_pointer (&envp);
  return TRUE;
}

