/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The upper-dir conventions (design.md, "Upper layer"): what the overlay
 * writes, the archive code packs and unpacks, and the change counter
 * reads. Plain C: the overlay does not use GLib. */

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* A file "<prefix><name>" hides <name> of the lower layers (the archive's
 * form, and the overlay's where the file system cannot make a 0/0
 * character device). */
#define SP_UPPER_WHITEOUT_PREFIX     ".wh."
#define SP_UPPER_WHITEOUT_PREFIX_LEN 4
/* An empty file of this name in a folder makes the folder opaque (the
 * archive's form of the opaque xattr). */
#define SP_UPPER_OPAQUE_MARKER       ".wh..wh..opq"
/* The xattr that makes an upper folder opaque ("y"), as the kernel overlay
 * with userxattr; the trusted.* one is what an overlay mounted by root wrote. */
#define SP_UPPER_OPAQUE_XATTR        "user.overlay.opaque"
#define SP_UPPER_TRUSTED_OPAQUE      "trusted.overlay.opaque"
/* Every xattr in this namespace belongs to the overlay, not to the game. */
#define SP_UPPER_XATTR_PREFIX        "user.overlay."

/* TRUE if @st is a whiteout device: a character device 0/0. */
static inline bool
sp_upper_is_whiteout_device (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

/* TRUE if @name is the opaque marker file. */
static inline bool
sp_upper_is_opaque_marker (const char *name)
{
  return strcmp (name, SP_UPPER_OPAQUE_MARKER) == 0;
}

/* TRUE if the entry @name with status @st hides a name of the lower
 * layers: a whiteout device, or a ".wh.<name>" file (not the opaque marker). */
static inline bool
sp_upper_is_whiteout (const char        *name,
                      const struct stat *st)
{
  if (sp_upper_is_whiteout_device (st))
    return true;
  return strncmp (name, SP_UPPER_WHITEOUT_PREFIX, SP_UPPER_WHITEOUT_PREFIX_LEN) == 0 &&
         !sp_upper_is_opaque_marker (name);
}
