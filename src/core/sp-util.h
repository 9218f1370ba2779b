/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_IO_ERROR (sp_io_error_quark ())

typedef enum
{
  SP_IO_ERROR_FAILED,
  SP_IO_ERROR_NO_SPACE,
} SpIoError;

GQuark    sp_io_error_quark        (void);

gboolean  sp_write_file_atomic     (const char   *path,
                                    const char   *contents,
                                    gssize        length,
                                    GError      **error);
gboolean  sp_fsync_directory       (const char   *path,
                                    GError      **error);
gboolean  sp_rename_durable        (const char   *from,
                                    const char   *to,
                                    GError      **error);
gboolean  sp_remove_tree           (const char   *path,
                                    GCancellable *cancellable,
                                    GError      **error);
gboolean  sp_remove_tree_at        (int           parent_fd,
                                    const char   *name,
                                    const char   *display,
                                    GCancellable *cancellable,
                                    GError      **error);
gboolean  sp_remove_empty_dir      (const char   *path,
                                    GError      **error);
gboolean  sp_path_component_is_valid (const char *name);
int       sp_open_dir_nofollow_at  (int           dir_fd,
                                    const char   *name,
                                    const char   *display,
                                    GError      **error);
gboolean  sp_is_dir_empty          (const char   *path,
                                    GError      **error);
gboolean  sp_free_space            (const char   *path,
                                    guint64      *out_bytes,
                                    GError      **error);
char     *sp_format_duration       (gint64        seconds);
gboolean  sp_set_error_from_errno  (GError      **error,
                                    int           saved_errno,
                                    const char   *format,
                                    const char   *path);

G_END_DECLS
