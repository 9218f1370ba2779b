/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-diff.h"

G_BEGIN_DECLS

/* What sp-diff.c and sp-diff-layer.c share: a checkpoint's archive read
 * into a table of entries (sp-diff-layer.c), compared by sp-diff.c. */

typedef enum
{
  T_ABSENT = 0,
  T_FILE,
  T_DIR,
  T_SYMLINK,
  T_OTHER,
  T_WHITEOUT,
} EntryType;

typedef struct
{
  EntryType  type;
  guint64    size;
  char      *sha256;   /* files */
  char      *link;     /* symbolic links */
} Entry;

void             _sp_diff_entry_free     (Entry         *entry);

/* One checkpoint, read. */
typedef struct
{
  const char *id;
  GHashTable *entries;              /* relative path -> Entry */
  GHashTable *opaque;               /* set of opaque folders ("" = the root) */
  GBytes     *regs[SP_WINE_REGISTRY_N_FILES];
  gboolean    reg_too_large[SP_WINE_REGISTRY_N_FILES];
} Layer;

void             _sp_diff_layer_free     (Layer         *layer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Layer, _sp_diff_layer_free)

/* Reads @checkpoint's archive (entry rules and its .ini's size and SHA-256
 * checked); with @want_registry, keeps the content of the registry files. */
Layer           *_sp_diff_read_layer     (SpCheckpoint  *checkpoint,
                                          gboolean       want_registry,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean         _sp_diff_too_many_paths (GError       **error);

G_END_DECLS
