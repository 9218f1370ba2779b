/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "common/sp-leftover-marks.h"
#include "common/sp-process.h"

G_BEGIN_DECLS

/* Finding and recovering leftovers (see common/sp-leftover-marks.h for
 * their names and markers). */

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
