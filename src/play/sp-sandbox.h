/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Running inside a Flatpak sandbox (see design.md, "Flatpak"): the app stays
 * sandboxed, games and fusermount3 run on the host through the Flatpak
 * session helper (`flatpak-spawn --host`), and overlays are mounted in the
 * host's mount namespace at a path that is the same on both sides. Outside a
 * sandbox every helper here returns what the native app uses. */

#define SP_SANDBOX_ERROR (sp_sandbox_error_quark ())

typedef enum
{
  SP_SANDBOX_ERROR_FAILED,
  SP_SANDBOX_ERROR_INFO,          /* /.flatpak-info unreadable or incomplete */
} SpSandboxError;

GQuark    sp_sandbox_error_quark     (void);

/* Whether this process runs in a Flatpak sandbox (/.flatpak-info exists). */
gboolean  sp_sandbox_is_flatpak      (void);

/* Reads a .flatpak-info file: the app ID ([Application] name) and the host
 * path of /app ([Instance] app-path, may be absent: then NULL). */
gboolean  sp_sandbox_read_info       (const char  *path,
                                      char       **app_id,
                                      char       **app_path,
                                      GError     **error);

/* Host path of a path below /app in the sandbox (e.g. the savepoint-run
 * supervisor the host must execute), or a copy of @path when not sandboxed
 * or not below /app. NULL with @error when the sandbox does not say. */
char     *sp_sandbox_get_host_path   (const char  *path,
                                      GError     **error);

/* Directory for mount points that the host sees at the same path:
 * $XDG_RUNTIME_DIR/app/$FLATPAK_ID/savepoint in a sandbox (Flatpak shares
 * it with the host); NULL when not sandboxed (use the usual place). */
char     *sp_sandbox_get_mounts_dir  (void);

/* @argv wrapped so that it runs on the host: with @sandboxed,
 * `flatpak-spawn --host [--directory=CWD] [--env=K=V…] [--forward-fd=N…] argv…`
 * (@env: "KEY=VALUE" strings to set for the command, @forward_fds: fds of
 * this process the command gets under the same numbers); without, a copy of
 * @argv (the caller sets env and fds itself). */
GStrv     sp_sandbox_host_command    (gboolean            sandboxed,
                                      const char *const  *argv,
                                      const char *const  *env,
                                      const int          *forward_fds,
                                      guint               n_forward_fds,
                                      const char         *cwd);

/* What a play session runs, made to run on the host when @sandboxed: the
 * program @argv[0] below /app gets its host path (sp_sandbox_get_host_path()),
 * the variables of @envp that differ from this process's environment are
 * passed with --env, @forward_fds are forwarded, and the command starts in
 * "/" (the host may not have our working directory; savepoint-run takes
 * --cwd). Without @sandboxed, a copy of @argv. NULL with @error when the
 * host path is unknown. */
GStrv     sp_sandbox_wrap_for_host   (gboolean            sandboxed,
                                      const char *const  *argv,
                                      const char *const  *envp,
                                      const int          *forward_fds,
                                      guint               n_forward_fds,
                                      GError            **error);

G_END_DECLS
