/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-library.h"
#include "sp-manifest.h"

G_BEGIN_DECLS

/* Copying a game's folder into the library. Blocking: run it in a worker
 * thread. */

/* Copies the folder @src to @dest, which must not exist yet, keeping
 * modes, owners (when running as root), mtimes, symlinks, hard links (as
 * hard links) and user.* xattrs; sockets are skipped, device nodes are an
 * error. A stat walk of @src first gives the totals that @progress (may be
 * NULL, called from the calling thread) reports against. On error, what was
 * copied so far is left for the caller to remove.
 * With @manifest (may be NULL), what the destination's file system cannot
 * store (checked by trying, not by its name) is recorded there instead of
 * failing: a symbolic link it refuses becomes an empty file, a name it
 * refuses (EINVAL) an escaped name (_sp_manifest_escape_name()), a mode it
 * does not keep a recorded mode. */
gboolean  _sp_copy_tree                  (const char          *src,
                                          const char          *dest,
                                          SpManifest          *manifest,
                                          SpCopyProgressFunc   progress,
                                          gpointer             progress_data,
                                          GCancellable        *cancellable,
                                          GError             **error);

/* sp_set_io_error() for @format with one “%s”, @path: a full disk (ENOSPC,
 * EDQUOT) is SP_IO_ERROR_NO_SPACE. Returns FALSE. */
gboolean  _sp_copy_set_error_from_errno  (GError             **error,
                                          int                  saved_errno,
                                          const char          *format,
                                          const char          *path);

G_END_DECLS
