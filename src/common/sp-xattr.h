/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Reading and copying extended attributes, without following symlinks.
 * Plain C (the overlay has no GLib): the one copier used by the overlay's
 * copy-up, the library's folder copy and the checkpoint packer. */

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  /* Names in byte order (for stable archives); otherwise as listed. */
  SP_XATTR_SORTED          = 1 << 0,
  /* A list or a value that cannot be read is skipped, not an error. */
  SP_XATTR_SKIP_UNREADABLE = 1 << 1,
} SpXattrFlags;

/* Returns true for each name to read or copy. */
typedef bool (*SpXattrFilter) (const char *name);

/* Receives one attribute; returns 0, or a negative errno to stop. */
typedef int  (*SpXattrFunc)   (const char *name,
                               const void *value,
                               size_t      size,
                               void       *user_data);

/* true for user.* names: what an unprivileged process may set. */
bool sp_xattr_is_user (const char *name);

/* Calls @func for each attribute of the object at @path (@fd < 0) or of
 * @fd, whose name @filter accepts (NULL: all). An object or file system
 * without xattr support has none. Returns 0 or a negative errno (of a
 * read, or @func's). */
int  sp_xattr_foreach (int            fd,
                       const char    *path,
                       SpXattrFlags   flags,
                       SpXattrFilter  filter,
                       SpXattrFunc    func,
                       void          *user_data);

/* Copies the attributes of @src that @filter accepts to @dst (both
 * paths, not followed). Names @dst refuses (EPERM, ENOTSUP) are left out.
 * Returns 0 or the negative errno of the failed read or write. */
int  sp_xattr_copy    (const char    *src,
                       const char    *dst,
                       SpXattrFlags   flags,
                       SpXattrFilter  filter);

#ifdef __cplusplus
}
#endif
