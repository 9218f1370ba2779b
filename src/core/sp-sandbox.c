/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sp-sandbox.h"

#define FLATPAK_INFO "/.flatpak-info"
#define SANDBOX_FUSERMOUNT "/app/bin/fusermount3"

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

char *
sp_sandbox_get_fusermount (void)
{
  if (sp_sandbox_is_flatpak () && g_file_test (SANDBOX_FUSERMOUNT, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (SANDBOX_FUSERMOUNT);
  return g_find_program_in_path ("fusermount3");
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

/* Receives one fd sent with SCM_RIGHTS on @sock; -1 at EOF (errno 0) or on
 * error (errno set). */
static int
receive_fd (int sock)
{
  char byte;
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = {
    .msg_iov = &iov,
    .msg_iovlen = 1,
    .msg_control = control.buf,
    .msg_controllen = sizeof control.buf,
  };
  struct cmsghdr *cmsg;
  ssize_t n;
  int fd;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      if (n == 0)
        errno = 0;
      return -1;
    }
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
      cmsg->cmsg_len != CMSG_LEN (sizeof (int)))
    {
      errno = EPROTO;
      return -1;
    }
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  return fd;
}

int
sp_sandbox_mount_fuse (const char  *mountpoint,
                       const char  *options,
                       GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *fusermount = NULL;
  g_autofree char *errors = NULL;
  const char *argv[7];
  guint argc = 0;
  int fds[2];
  int fuse_fd;
  int saved_errno;

  g_return_val_if_fail (mountpoint != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  fusermount = sp_sandbox_get_fusermount ();
  if (fusermount == NULL)
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_NO_FUSERMOUNT,
                   _("Could not mount “%s”: fusermount3 is not installed. Install the fuse3 package."),
                   mountpoint);
      return -1;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      saved_errno = errno;
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_MOUNT,
                   _("Could not mount “%s”: %s"), mountpoint, g_strerror (saved_errno));
      return -1;
    }

  /* fusermount3's protocol: the socket's number in $_FUSE_COMMFD; it sends
   * the opened and mounted /dev/fuse back over it. */
  argv[argc++] = fusermount;
  if (options != NULL && *options != '\0')
    {
      argv[argc++] = "-o";
      argv[argc++] = options;
    }
  argv[argc++] = "--";
  argv[argc++] = mountpoint;
  argv[argc] = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_setenv (launcher, "_FUSE_COMMFD", "3", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &local_error);
  /* Closes our copy of the child's end, so that we see EOF if it dies. */
  g_clear_object (&launcher);
  if (process == NULL)
    {
      close (fds[0]);
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_MOUNT,
                   _("Could not mount “%s”: %s"), mountpoint, local_error->message);
      return -1;
    }

  fuse_fd = receive_fd (fds[0]);
  saved_errno = errno;
  close (fds[0]);

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &errors, NULL);
  if (errors != NULL)
    g_strstrip (errors);

  if (fuse_fd < 0 || !g_subprocess_get_if_exited (process) ||
      g_subprocess_get_exit_status (process) != 0)
    {
      if (fuse_fd >= 0)
        close (fuse_fd);
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_MOUNT,
                   _("Could not mount “%s” with %s: %s. Check that FUSE works on this computer "
                     "(the fuse3 package, /dev/fuse)."),
                   mountpoint, fusermount,
                   errors != NULL && *errors != '\0' ? errors :
                   saved_errno != 0 ? g_strerror (saved_errno) : _("no file descriptor received"));
      return -1;
    }
  return fuse_fd;
}

gboolean
sp_sandbox_unmount_fuse (const char  *mountpoint,
                         GError     **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *fusermount = NULL;
  g_autofree char *errors = NULL;

  g_return_val_if_fail (mountpoint != NULL, FALSE);

  fusermount = sp_sandbox_get_fusermount ();
  if (fusermount == NULL)
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_NO_FUSERMOUNT,
                   _("Could not unmount “%s”: fusermount3 is not installed. Install the fuse3 package."),
                   mountpoint);
      return FALSE;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &local_error, fusermount, "-u", "-z", "--", mountpoint, NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &errors, &local_error))
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_MOUNT,
                   _("Could not unmount “%s”: %s"), mountpoint, local_error->message);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_MOUNT,
                   _("Could not unmount “%s”: %s. Close what uses it and try again."),
                   mountpoint, errors != NULL ? g_strstrip (errors) : _("fusermount3 failed"));
      return FALSE;
    }
  return TRUE;
}
