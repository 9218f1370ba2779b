/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "play/sp-sandbox.h"

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sp-test-sandbox-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
test_read_info (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "flatpak-info", NULL);
  g_autofree char *app_id = NULL;
  g_autofree char *app_path = NULL;
  g_autoptr(GError) error = NULL;

  /* What Flatpak 1.14 writes, shortened. */
  write_file (path,
              "[Application]\n"
              "name=io.github.savepoint.Savepoint\n"
              "runtime=runtime/io.github.savepoint.BookwormPlatform/x86_64/12\n"
              "\n"
              "[Instance]\n"
              "instance-id=1234\n"
              "app-path=/var/lib/flatpak/app/io.github.savepoint.Savepoint/x86_64/master/abc/files\n"
              "branch=master\n");
  g_assert_true (sp_sandbox_read_info (path, &app_id, &app_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (app_id, ==, "io.github.savepoint.Savepoint");
  g_assert_cmpstr (app_path, ==,
                   "/var/lib/flatpak/app/io.github.savepoint.Savepoint/x86_64/master/abc/files");

  /* Older Flatpak: no app-path. */
  g_clear_pointer (&app_id, g_free);
  g_clear_pointer (&app_path, g_free);
  write_file (path, "[Application]\nname=org.example.App\n");
  g_assert_true (sp_sandbox_read_info (path, &app_id, &app_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (app_id, ==, "org.example.App");
  g_assert_null (app_path);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_read_info_bad (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "flatpak-info", NULL);
  g_autofree char *app_id = NULL;
  g_autoptr(GError) error = NULL;

  /* Missing file: the message names it. */
  g_assert_false (sp_sandbox_read_info (path, &app_id, NULL, &error));
  g_assert_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_INFO);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (app_id);
  g_clear_error (&error);

  /* No application name. */
  write_file (path, "[Instance]\napp-path=/x\n");
  g_assert_false (sp_sandbox_read_info (path, &app_id, NULL, &error));
  g_assert_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_INFO);
  g_assert_nonnull (strstr (error->message, "[Application] name"));
  g_assert_null (app_id);
  g_clear_error (&error);

  /* Not a key file at all. */
  write_file (path, "\x01\x02 not ini\n");
  g_assert_false (sp_sandbox_read_info (path, &app_id, NULL, &error));
  g_assert_error (error, SP_SANDBOX_ERROR, SP_SANDBOX_ERROR_INFO);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_host_command (void)
{
  const char *argv[] = { "/usr/libexec/savepoint-run", "--status-fd", "3", "--", "game", NULL };
  const char *env[] = { "HOME=/media/drive/home", "WINEPREFIX=/run/user/1000/app/x/savepoint/g", NULL };
  const int fds[] = { 3, 7 };
  g_auto(GStrv) sandboxed = NULL;
  g_auto(GStrv) native = NULL;
  g_auto(GStrv) bare = NULL;
  const char *expected[] = {
    "flatpak-spawn", "--host", "--directory=/media/drive",
    "--env=HOME=/media/drive/home", "--env=WINEPREFIX=/run/user/1000/app/x/savepoint/g",
    "--forward-fd=3", "--forward-fd=7",
    "/usr/libexec/savepoint-run", "--status-fd", "3", "--", "game", NULL
  };
  const char *expected_bare[] = { "flatpak-spawn", "--host", "fusermount3", "-u", NULL };
  const char *fusermount_argv[] = { "fusermount3", "-u", NULL };

  sandboxed = sp_sandbox_host_command (TRUE, argv, env, fds, G_N_ELEMENTS (fds), "/media/drive");
  g_assert_cmpstrv (sandboxed, expected);

  /* Outside the sandbox the command is left as it is. */
  native = sp_sandbox_host_command (FALSE, argv, env, fds, G_N_ELEMENTS (fds), "/media/drive");
  g_assert_cmpstrv (native, argv);

  bare = sp_sandbox_host_command (TRUE, fusermount_argv, NULL, NULL, 0, NULL);
  g_assert_cmpstrv (bare, expected_bare);
}

static void
test_wrap_for_host (void)
{
  const char *argv[] = { "/usr/libexec/savepoint-run", "--cwd", "/x", "--", "/x/game", NULL };
  const int fds[] = { 3 };
  g_auto(GStrv) envp = g_get_environ ();
  g_auto(GStrv) native = NULL;
  g_auto(GStrv) host = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = {
    "flatpak-spawn", "--host", "--directory=/",
    "--env=SP_TEST_SANDBOX_HOME=/media/drive/home",
    "--forward-fd=3",
    "/usr/libexec/savepoint-run", "--cwd", "/x", "--", "/x/game", NULL
  };

  /* What a session sets on top of the inherited environment. */
  envp = g_environ_setenv (envp, "SP_TEST_SANDBOX_HOME", "/media/drive/home", TRUE);

  native = sp_sandbox_wrap_for_host (FALSE, argv, (const char *const *) envp, fds, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (native, argv);

  /* Only the changed variable travels; a path outside /app keeps its name
   * (below /app it would get the host path from /.flatpak-info). */
  host = sp_sandbox_wrap_for_host (TRUE, argv, (const char *const *) envp, fds, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (host, expected);
}

/* These tests run on the host, outside a sandbox (the Flatpak test runs the
 * sandboxed side): what the native app must get. */
static void
test_outside_sandbox (void)
{
  g_autofree char *host_path = NULL;
  g_autofree char *mounts = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("runs inside a Flatpak sandbox");
      return;
    }
  g_assert_false (sp_sandbox_is_flatpak ());
  host_path = sp_sandbox_get_host_path ("/app/libexec/savepoint-run", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (host_path, ==, "/app/libexec/savepoint-run");
  mounts = sp_sandbox_get_mounts_dir ();
  g_assert_null (mounts);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox/read-info", test_read_info);
  g_test_add_func ("/sandbox/read-info-bad", test_read_info_bad);
  g_test_add_func ("/sandbox/host-command", test_host_command);
  g_test_add_func ("/sandbox/wrap-for-host", test_wrap_for_host);
  g_test_add_func ("/sandbox/outside", test_outside_sandbox);

  return g_test_run ();
}
