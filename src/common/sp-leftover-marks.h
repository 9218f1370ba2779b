/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Leftovers: what a killed Savepoint leaves on a drive. Every temporary
 * file or folder carries its owner in its name — "<name>.partial-<boot>-<pid>"
 * (a folder: "….partial-<boot>-<pid>-XXXXXX") — and a marker written before
 * it exists (a folder: ".savepoint-leftover" inside; a file:
 * "<leftover>.owner" beside it), a key file [Leftover] Host, BootId, Pid,
 * PidStart, Kind=copy|adopt|archive and, for adopt, OriginalPath. */

#define SP_LEFTOVER_MARKER_GROUP  "Leftover"
#define SP_LEFTOVER_MARKER_SUFFIX ".owner"

typedef enum
{
  SP_LEFTOVER_KIND_UNKNOWN,   /* no marker (older releases, or killed before it) */
  SP_LEFTOVER_KIND_COPY,      /* a copy Savepoint made (add by copy) */
  SP_LEFTOVER_KIND_ADOPT,     /* may hold the user's folder in base/ (add by adopt) */
  SP_LEFTOVER_KIND_ARCHIVE,   /* a half-written archive */
  SP_LEFTOVER_KIND_CHECKPOINT, /* a checkpoint being created or deleted: a lone marker
                                * "<checkpoints>/<id>.partial-<boot>-<pid>.owner"; once its
                                * owner is gone, <id>.tar.zst without <id>.ini is garbage */
} SpLeftoverKind;

/* "<path>.partial-<boot>-<pid>": the temporary name of a file for @path. */
char       *sp_leftover_file_path     (const char     *path);
/* "<dir>/.<name>.partial-<boot>-<pid>-XXXXXX": a template for g_mkdtemp(). */
char       *sp_leftover_dir_template  (const char     *dir,
                                       const char     *name);
/* Writes the marker of @leftover (durably) before it is created. */
gboolean    sp_leftover_write_marker  (const char     *leftover,
                                       gboolean        is_dir,
                                       SpLeftoverKind  kind,
                                       const char     *original_path,
                                       GError        **error);
/* Removes the marker of @leftover (a finished file or folder). */
void        sp_leftover_remove_marker (const char     *leftover,
                                       gboolean        is_dir);
/* Reads "<boot>-<pid>" after the last ".partial-" of @name (then the end,
 * "-XXXXXX" or ".owner"). */
gboolean    sp_leftover_parse_owner   (const char     *name,
                                       char          **out_boot,
                                       gint64         *out_pid);
/* TRUE if @name (an entry of a games/ or checkpoints/ folder) is a
 * leftover or a leftover's marker. */
gboolean    sp_leftover_name_matches  (const char     *name);

/* "<leftover>/.savepoint-leftover" for a folder, "<leftover>.owner" for a file. */
char          *sp_leftover_marker_path      (const char *leftover,
                                             gboolean    is_dir);
/* Reads a marker without following a symlink; NULL if there is none. */
GKeyFile      *sp_leftover_read_marker      (const char *path);
/* The kind a marker's Kind= names; UNKNOWN for anything else. */
SpLeftoverKind sp_leftover_kind_from_string (const char *name);

G_END_DECLS
