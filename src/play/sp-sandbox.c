/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sp-sandbox.h"

#define FLATPAK_INFO "/.flatpak-info"

G_DEFINE_QUARK (sp-sandbox-error-quark, sp_sandbox_error)

gboolean
sp_sandbox_is_flatpak (void)
{
  return g_file_test (FLATPAK_INFO, G_FILE_TEST_EXISTS);
}

gboolean
sp_sandbox_read_info (const char  *path,
                      char       **app_id,
                      char       **app_path,
                      GError     **error)
{
  g_autoptr(GKeyFile) info = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_key_file_load_from_file (info, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_INFO,
                   _("Could not read the sandbox description “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  name = g_key_file_get_string (info, "Application", "name", NULL);
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_INFO,
                   _("The sandbox description “%s” names no application ([Application] name)."), path);
      return FALSE;
    }
  if (app_path != NULL)
    {
      *app_path = g_key_file_get_string (info, "Instance", "app-path", NULL);
      if (*app_path != NULL && **app_path == '\0')
        g_clear_pointer (app_path, g_free);
    }
  if (app_id != NULL)
    *app_id = g_steal_pointer (&name);
  return TRUE;
}

char *
sp_sandbox_get_host_path (const char  *path,
                          GError     **error)
{
  g_autofree char *app_path = NULL;
  const char *rest;

  g_return_val_if_fail (path != NULL, NULL);

  if (!sp_sandbox_is_flatpak () || !g_str_has_prefix (path, "/app") ||
      (path[4] != '/' && path[4] != '\0'))
    return g_strdup (path);
  if (!sp_sandbox_read_info (FLATPAK_INFO, NULL, &app_path, error))
    return NULL;
  if (app_path == NULL)
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_INFO,
                   _("The sandbox does not say where “%s” is on the host ([Instance] app-path in %s). "
                     "Update Flatpak."), path, FLATPAK_INFO);
      return NULL;
    }
  rest = path + 4;
  return g_strconcat (app_path, rest, NULL);
}

char *
sp_sandbox_get_mounts_dir (void)
{
  g_autofree char *app_id = NULL;

  if (!sp_sandbox_is_flatpak ())
    return NULL;
  if (!sp_sandbox_read_info (FLATPAK_INFO, &app_id, NULL, NULL))
    app_id = g_strdup (g_getenv ("FLATPAK_ID"));
  if (app_id == NULL)
    return NULL;
  /* Flatpak binds the host's $XDG_RUNTIME_DIR/app/<id> at the same path. */
  return g_build_filename (g_get_user_runtime_dir (), "app", app_id, "savepoint", NULL);
}

/* g_strv_builder_take() is GLib 2.80. */
static void
add_owned (GStrvBuilder *builder,
           char         *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

GStrv
sp_sandbox_host_command (gboolean            sandboxed,
                         const char *const  *argv,
                         const char *const  *env,
                         const int          *forward_fds,
                         guint               n_forward_fds,
                         const char         *cwd)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  if (sandboxed)
    {
      g_strv_builder_add (builder, "flatpak-spawn");
      g_strv_builder_add (builder, "--host");
      if (cwd != NULL)
        add_owned (builder, g_strconcat ("--directory=", cwd, NULL));
      for (guint i = 0; env != NULL && env[i] != NULL; i++)
        add_owned (builder, g_strconcat ("--env=", env[i], NULL));
      for (guint i = 0; i < n_forward_fds; i++)
        add_owned (builder, g_strdup_printf ("--forward-fd=%d", forward_fds[i]));
    }
  g_strv_builder_addv (builder, (const char **) argv);
  return g_strv_builder_end (builder);
}

GStrv
sp_sandbox_wrap_for_host (gboolean            sandboxed,
                          const char *const  *argv,
                          const char *const  *envp,
                          const int          *forward_fds,
                          guint               n_forward_fds,
                          GError            **error)
{
  g_autoptr(GStrvBuilder) changed = NULL;
  g_auto(GStrv) original = NULL;
  g_auto(GStrv) env = NULL;
  g_auto(GStrv) host_argv = NULL;
  g_autofree char *program = NULL;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sandboxed)
    return g_strdupv ((char **) argv);

  program = sp_sandbox_get_host_path (argv[0], error);
  if (program == NULL)
    return NULL;
  host_argv = g_strdupv ((char **) argv);
  g_free (host_argv[0]);
  host_argv[0] = g_steal_pointer (&program);

  /* The session helper starts host commands with its own environment:
   * pass on what the caller set or changed. */
  original = g_get_environ ();
  changed = g_strv_builder_new ();
  for (guint i = 0; envp != NULL && envp[i] != NULL; i++)
    if (!g_strv_contains ((const char *const *) original, envp[i]))
      g_strv_builder_add (changed, envp[i]);
  env = g_strv_builder_end (changed);

  return sp_sandbox_host_command (TRUE, (const char *const *) host_argv,
                                  (const char *const *) env, forward_fds, n_forward_fds, "/");
}
