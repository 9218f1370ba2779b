/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SHA-256 for checkpoint archives. GChecksum's SHA-256 is portable C
 * (≈350 MB/s here); nettle picks the CPU's SHA instructions at run time
 * (≈1.6 GB/s), and hashing is on the path of every keep and restore. The
 * calls mirror GChecksum's so the two read alike. */
typedef struct _SpSha256 SpSha256;

SpSha256   *sp_sha256_new         (void);
void        sp_sha256_update      (SpSha256      *self,
                                   const void    *data,
                                   gsize          length);
/* The digest as 64 lowercase hex digits. Like g_checksum_get_string(), it
 * closes @self: later updates are a programming error. */
const char *sp_sha256_get_string  (SpSha256      *self);
void        sp_sha256_free        (SpSha256      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSha256, sp_sha256_free)

G_END_DECLS
