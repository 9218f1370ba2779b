/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a drive could not store of a clean install, recorded while it is
 * copied in (see common/sp-manifest-format.h for the file, which the
 * session's overlay applies). Keys are paths relative to base/ as stored
 * on the drive. */
typedef struct _SpManifest SpManifest;

SpManifest *_sp_manifest_new       (void);
void        _sp_manifest_free      (SpManifest  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpManifest, _sp_manifest_free)

void        _sp_manifest_set_name  (SpManifest  *self,
                                    const char  *stored_path,
                                    const char  *real_name);
void        _sp_manifest_set_link  (SpManifest  *self,
                                    const char  *stored_path,
                                    const char  *target);
void        _sp_manifest_set_mode  (SpManifest  *self,
                                    const char  *stored_path,
                                    guint        mode);
/* The target of the link stored as an empty file at @stored_path, or NULL. */
const char *_sp_manifest_get_link  (SpManifest  *self,
                                    const char  *stored_path);
/* The real name of @stored_path's last component, or NULL: the stored one. */
const char *_sp_manifest_get_name  (SpManifest  *self,
                                    const char  *stored_path);
/* The entry at @stored_path is no longer a link (it was made a folder). */
void        _sp_manifest_drop_link (SpManifest  *self,
                                    const char  *stored_path);
gboolean    _sp_manifest_is_empty  (SpManifest  *self);

/* Writes the manifest to @path atomically (fsynced), or fails when it has
 * more entries than the overlay accepts. */
gboolean    _sp_manifest_write     (SpManifest  *self,
                                    const char  *path,
                                    GError     **error);

/* @name with the bytes FAT and exFAT refuse (and '%') written as %XX. */
char       *_sp_manifest_escape_name (const char *name);
/* The same, and every ASCII letter as %XX too: a name kept apart from one
 * that a drive folding case takes as the same (Data/ beside data/). The
 * digits' case differs where the letters' did ("%44ata" vs "%64ata"). */
char       *_sp_manifest_escape_name_apart (const char *name);

G_END_DECLS
