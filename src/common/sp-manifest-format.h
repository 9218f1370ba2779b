/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The manifest of a clean install (games/<slug>/base.manifest): what the
 * drive could not store of the folder that was added, as an override
 * table for the entries of base/. Written by src/core/sp-manifest.c when a
 * game is added, read by the overlay (src/overlay/sp-overlay-manifest.c),
 * which applies it to its first lower layer. Plain C: no GLib.
 *
 * Text, one record a line, '\n' ended:
 *
 *   savepoint-manifest 1
 *   path=STORED [name=REAL] [link=TARGET] [mode=OCTAL]
 *
 * STORED is the entry's path relative to base/ as the drive holds it
 * (components separated by '/'); REAL the name the entry really has (its
 * last component only) when the drive could not store it; TARGET the
 * target of a symbolic link stored as an empty regular file; OCTAL the
 * permission bits (at most 0777) when the drive keeps none. Values are
 * percent-encoded: '%', '=', space, control bytes and bytes >= 0x7f are
 * written as %XX, so no value holds a separator.
 *
 * The file comes from a drive: readers refuse anything else (absolute or
 * empty paths, "." or ".." components, names with '/', duplicate entries,
 * more than SP_MANIFEST_MAX_ENTRIES records, files larger than
 * SP_MANIFEST_MAX_SIZE). */

#define SP_MANIFEST_FILE_NAME   "base.manifest"
#define SP_MANIFEST_HEADER      "savepoint-manifest 1"
#define SP_MANIFEST_MAX_SIZE    (8 * 1024 * 1024)
#define SP_MANIFEST_MAX_ENTRIES 65536
#define SP_MANIFEST_MAX_PATH    4095

/* Whether byte C is written as %XX in a value. */
static inline int
sp_manifest_must_escape (unsigned char c)
{
  return c <= 0x20 || c >= 0x7f || c == '%' || c == '=';
}
