/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Wine's registry files (system.reg, user.reg, userdef.reg at the root of a
 * prefix), parsed to compare two of them key by key: what a checkpoint
 * changed in the registry, not a text diff.
 *
 * The format, as Wine's server writes it:
 *
 *   WINE REGISTRY Version 2
 *   ;; All keys relative to \\Machine
 *   #arch=win64
 *
 *   [Software\\Wine\\Fonts] 1700000000
 *   #time=1da1b2c3d4e5f60
 *   @="default value"
 *   "Name"=dword:00000001
 *   "Blob"=hex:01,02,\
 *     03,04
 *
 * Keys are compared by their path, values by name and by their text after
 * "=" (continuation lines joined); timestamps (after "]" and "#time=") and
 * other "#" lines are ignored. The files come from a drive or a checkpoint:
 * untrusted. The size, the length of a line, the number of keys and of
 * values per key are capped, and a file with a NUL byte, a line that is
 * neither a key, a value nor a comment, or an unterminated key or name is
 * refused with SP_LIBRARY_ERROR_MALFORMED ("NAME:LINE: …"). */

#define SP_WINE_REGISTRY_MAX_SIZE       (64 * 1024 * 1024)
#define SP_WINE_REGISTRY_MAX_LINE       (4 * 1024 * 1024)
#define SP_WINE_REGISTRY_MAX_KEYS       500000
#define SP_WINE_REGISTRY_MAX_VALUES     65536

/* The registry files of a prefix that a diff compares, NULL-terminated. */
#define SP_WINE_REGISTRY_N_FILES 3
extern const char * const sp_wine_registry_files[SP_WINE_REGISTRY_N_FILES + 1];

typedef struct _SpWineRegistry SpWineRegistry;

/* Parses @data (@length bytes, not NUL-terminated); @display names the
 * file in errors. */
SpWineRegistry *sp_wine_registry_parse      (const char      *data,
                                             gsize            length,
                                             const char      *display,
                                             GError         **error);
/* An empty registry: what a missing file compares as. */
SpWineRegistry *sp_wine_registry_new_empty  (void);
void            sp_wine_registry_free       (SpWineRegistry  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpWineRegistry, sp_wine_registry_free)

guint           sp_wine_registry_get_n_keys (SpWineRegistry  *self);
gboolean        sp_wine_registry_has_key    (SpWineRegistry  *self,
                                             const char      *key);
/* The text of value @name ("" = the default value, "@" in the file) of
 * @key, or NULL. Key paths are unescaped: "Software\Wine". */
const char     *sp_wine_registry_get_value  (SpWineRegistry  *self,
                                             const char      *key,
                                             const char      *name);

typedef enum
{
  SP_REGISTRY_KEY_ADDED,
  SP_REGISTRY_KEY_REMOVED,
  SP_REGISTRY_KEY_CHANGED,
} SpRegistryChangeKind;

/* One key that differs between two registries. */
typedef struct
{
  SpRegistryChangeKind  kind;
  char                 *file;     /* "user.reg", or NULL */
  char                 *key;      /* the unescaped path */
  GStrv                 values;   /* names of the values added, removed or changed
                                     ("" = the default value), sorted */
} SpRegistryKeyChange;

void            sp_registry_key_change_free (SpRegistryKeyChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpRegistryKeyChange, sp_registry_key_change_free)

/* The keys that differ from @before to @after, sorted by path, each
 * SpRegistryKeyChange with @file set to @file (may be NULL). Added and
 * removed keys list all their values. Appended to @changes. */
void            sp_wine_registry_diff       (SpWineRegistry  *before,
                                             SpWineRegistry  *after,
                                             const char      *file,
                                             GPtrArray       *changes);

G_END_DECLS
