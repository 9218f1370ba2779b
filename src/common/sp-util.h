/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

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
/* Renames @from to @to unless something exists at @to, like
 * renameat2(RENAME_NOREPLACE), also on file systems that refuse that flag
 * (exFAT and NTFS drives through FUSE). Returns 0, or -1 with errno set:
 * EEXIST when @to exists or appeared meanwhile (@from is then untouched). */
int       sp_rename_noreplace      (const char   *from,
                                    const char   *to);
/* The checked plain rename sp_rename_noreplace() falls back to, for tests:
 * @between (may be NULL) runs once @to is reserved and before @from is
 * renamed onto it; @use_link FALSE skips the hard-link way for files. */
typedef void (*SpRenameHook) (const char *to,
                              gpointer    user_data);
int       _sp_rename_noreplace_fallback (const char   *from,
                                         const char   *to,
                                         gboolean      use_link,
                                         SpRenameHook  between,
                                         gpointer      user_data);
gboolean  sp_remove_tree           (const char   *path,
                                    GCancellable *cancellable,
                                    GError      **error);
gboolean  sp_remove_tree_at        (int           parent_fd,
                                    const char   *name,
                                    const char   *display,
                                    GCancellable *cancellable,
                                    GError      **error);
/* The bytes of the regular files in @name of @parent_fd, by descriptor;
 * fails when something is mounted in it (sp-util.c). */
gboolean  sp_measure_tree_at       (int           parent_fd,
                                    const char   *name,
                                    const char   *display,
                                    guint64      *out_bytes,
                                    GCancellable *cancellable,
                                    GError      **error);
gboolean  sp_remove_empty_dir      (const char   *path,
                                    GError      **error);
gboolean  sp_path_component_is_valid (const char *name);
GPtrArray *sp_list_dir_names        (int           dir_fd,
                                    const char   *display,
                                    GError      **error);
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
/* The one name of a checkpoint without a label, for the app and the CLI:
 * "Untitled Checkpoint" (translated). */
const char *sp_untitled_checkpoint_name (void);
/* Opens @path read-only without following a symbolic link in its last
 * component and without blocking on a FIFO or a device, and checks that it
 * is a regular file. Returns the descriptor (close-on-exec, blocking), or -1
 * with errno set and @error a G_IO_ERROR naming @path:
 * G_IO_ERROR_NOT_FOUND, G_IO_ERROR_TOO_MANY_LINKS (a symbolic link),
 * G_IO_ERROR_NOT_REGULAR_FILE (a folder, FIFO, device or socket), or the
 * code of the errno. @out_stat (may be NULL) gets the file's fstat(). */
int       sp_open_regular_file     (const char   *path,
                                    struct stat  *out_stat,
                                    GError      **error);
/* The same for @name relative to @dir_fd (or a path with AT_FDCWD); errors
 * name @display (@name when NULL). */
int       sp_open_regular_file_at  (int           dir_fd,
                                    const char   *name,
                                    const char   *display,
                                    struct stat  *out_stat,
                                    GError      **error);
gboolean  sp_read_fd_bounded       (int           fd,
                                    const char   *display,
                                    goffset       size_hint,
                                    gsize         max_size,
                                    char        **out_data,
                                    gsize        *out_length,
                                    GError      **error);
gboolean  sp_read_regular_file_at  (int           dir_fd,
                                    const char   *name,
                                    const char   *display,
                                    gsize         max_size,
                                    char        **out_data,
                                    gsize        *out_length,
                                    GError      **error);
gboolean  sp_set_error_from_errno  (GError      **error,
                                    int           saved_errno,
                                    const char   *format,
                                    const char   *path);
gboolean  sp_set_io_error          (GError      **error,
                                    int           saved_errno,
                                    const char   *format,
                                    ...) G_GNUC_PRINTF (3, 4);
gboolean  sp_set_io_error_in       (GError      **error,
                                    GQuark        domain,
                                    int           code,
                                    int           no_space_code,
                                    int           saved_errno,
                                    const char   *format,
                                    ...) G_GNUC_PRINTF (6, 7);

/* EINTR-safe whole reads and writes; on error errno is set. */
gboolean  sp_write_all             (int           fd,
                                    const void   *data,
                                    gsize         length);
gboolean  sp_pwrite_all            (int           fd,
                                    const void   *data,
                                    gsize         length,
                                    goffset       offset);
gssize    sp_read_full             (int           fd,
                                    void         *buffer,
                                    gsize         length);

G_END_DECLS
