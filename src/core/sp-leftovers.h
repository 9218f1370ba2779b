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

typedef enum
{
  SP_LEFTOVER_OWNER_LIVE,        /* a live process of this host owns it */
  SP_LEFTOVER_OWNER_GONE,        /* made on this host by a process that is gone */
  SP_LEFTOVER_OWNER_OTHER_HOST,  /* made on another computer: never touched */
  SP_LEFTOVER_OWNER_UNKNOWN,     /* no marker, no owner in its name */
} SpLeftoverOwner;

typedef struct
{
  char            *path;            /* the leftover (may be gone when only the marker is left) */
  gboolean         is_dir;
  guint64          size;            /* bytes of its regular files */
  SpLeftoverKind   kind;
  SpLeftoverOwner  owner;
  char            *host;            /* from the marker, or NULL */
  gint64           pid;
  char            *original_path;   /* adopt: where the user's folder was */
} SpLeftover;

void        sp_leftover_free          (SpLeftover *leftover);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLeftover, sp_leftover_free)

/* The first 8 hex digits of /proc/sys/kernel/random/boot_id. */
const char *sp_boot_id_short          (void);
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

/* Looks at one leftover (file or folder, or a lone marker "….owner"). */
SpLeftover *sp_leftover_inspect       (const char     *path);
/* The leftovers in @dir, sorted by path. */
GPtrArray  *sp_leftovers_find         (const char     *dir,
                                       GError        **error);
/* Handles one leftover whose owner is gone: a copy or an archive is
 * removed, an adopted folder moved back to its original path. With
 * @repair, leftovers without a marker that cannot hold a user's folder
 * (archive files, add folders without base/) are removed too. Others are
 * left alone. Returns TRUE if it is gone; else sets @out_report (if not
 * NULL) to why it stays. */
gboolean    sp_leftover_recover       (SpLeftover     *leftover,
                                       gboolean        repair,
                                       char          **out_report);
/* A sentence for the user about a leftover that stays. */
char       *sp_leftover_describe      (SpLeftover     *leftover);

/* Recovers the leftovers of a library (games/ and every games/<slug>/
 * checkpoints/) with sp_leftover_recover(). Called where a library is
 * opened, by the app and the CLI alike. Returns how many were handled;
 * @reports (if not NULL) gets a message for each one that stays. */
guint       sp_leftovers_recover_library (const char  *library_path,
                                          gboolean     repair,
                                          GPtrArray   *reports);

G_END_DECLS
