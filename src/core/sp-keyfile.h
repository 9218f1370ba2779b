/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* GKeyFile helpers for the library's metadata files. Files are loaded with
 * comments and translations kept, so that a rewrite preserves whatever keys,
 * groups and comments we do not know. Errors are SP_LIBRARY_ERROR. */

/* Loads @path, a metadata file from a drive: it must be a regular file (not
 * a symbolic link, FIFO, device, socket or folder: SP_LIBRARY_ERROR_MALFORMED
 * at once, nothing is read) of at most 1 MiB (else MALFORMED too). A parse
 * error is SP_LIBRARY_ERROR_MALFORMED with the message "<path>:<line>: <what>";
 * a missing file is SP_LIBRARY_ERROR_NOT_FOUND; other I/O errors FAILED. */
GKeyFile *sp_key_file_load            (const char   *path,
                                       GError      **error);
/* Same for text held in memory; @display_name names it in messages. */
GKeyFile *sp_key_file_load_from_data  (const char   *data,
                                       gssize        length,
                                       const char   *display_name,
                                       GError      **error);
/* Writes @key_file to @path atomically (sp_write_file_atomic()). */
gboolean  sp_key_file_save            (GKeyFile     *key_file,
                                       const char   *path,
                                       GError      **error);

/* The 1-based line of @key in [@group] of @path (or of @data when not
 * NULL), or of the [@group] header when @key is NULL; 0 if not found. */
guint     sp_key_file_find_line       (const char   *path,
                                       const char   *data,
                                       const char   *group,
                                       const char   *key);

/* Sets SP_LIBRARY_ERROR_MALFORMED "<path>:<line>: <message>" for @key of
 * [@group] (line of the key if present, else of the group, else no line). */
void      sp_key_file_set_error       (GError      **error,
                                       const char   *path,
                                       const char   *data,
                                       const char   *group,
                                       const char   *key,
                                       const char   *format,
                                       ...) G_GNUC_PRINTF (6, 7);

/* Typed getters that fail with a file:line error. A missing key gives
 * @default_value (the _required variants fail instead). */
char     *sp_key_file_get_string_required (GKeyFile   *key_file,
                                           const char *path,
                                           const char *group,
                                           const char *key,
                                           GError    **error);
gboolean  sp_key_file_get_int64       (GKeyFile     *key_file,
                                       const char   *path,
                                       const char   *group,
                                       const char   *key,
                                       gint64        default_value,
                                       gint64       *out_value,
                                       GError      **error);
gboolean  sp_key_file_get_uint64     (GKeyFile     *key_file,
                                       const char   *path,
                                       const char   *group,
                                       const char   *key,
                                       guint64       default_value,
                                       guint64      *out_value,
                                       GError      **error);
/* NULL when missing or empty. */
char     *sp_key_file_get_string_or_null (GKeyFile  *key_file,
                                          const char *group,
                                          const char *key);
/* Sets @key to @value, or removes it when @value is NULL. */
void      sp_key_file_set_string_or_remove (GKeyFile   *key_file,
                                            const char *group,
                                            const char *key,
                                            const char *value);

G_END_DECLS
