/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "sp-archive.h"
#include "sp-sha256.h"

G_BEGIN_DECLS

/* What sp-archive.c, sp-archive-pack.c and sp-archive-unpack.c share. */

typedef struct archive_entry SpArchiveEntry;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpArchiveEntry, archive_entry_free)

#define BUFFER_SIZE        (256 * 1024)
#define MAX_METADATA_SIZE  (1024 * 1024)
#define WHITEOUT_PREFIX    ".wh."
#define OPAQUE_MARKER      ".wh..wh..opq"
#define OPAQUE_XATTR       "user.overlay.opaque"
#define TRUSTED_OPAQUE     "trusted.overlay.opaque"

/* Archive I/O through our own callbacks, so real I/O errors (a drive pulled
 * out) can be told apart from damaged data, and the archive bytes can be
 * hashed as they are written. */
typedef struct
{
  int        fd;
  int        io_errno;
  guint64    size;
  SpSha256  *checksum;
  guchar    *buffer;
} SpArchiveIo;

void             _sp_archive_set_errno_error       (GError               **error,
                                                    int                    saved_errno,
                                                    const char            *path,
                                                    const char            *what);
void             _sp_archive_set_corrupt_error     (GError               **error,
                                                    const char            *archive_path,
                                                    const char            *detail);
void             _sp_archive_set_read_error        (GError               **error,
                                                    struct archive        *a,
                                                    SpArchiveIo           *io,
                                                    const char            *archive_path);
la_ssize_t       _sp_archive_io_write_cb           (struct archive        *a,
                                                    void                  *user_data,
                                                    const void            *buffer,
                                                    size_t                 length);
void             _sp_archive_io_clear              (SpArchiveIo           *io);
struct archive  *_sp_archive_open_reader           (const char            *archive_path,
                                                    SpArchiveIo           *io,
                                                    GError               **error);
gboolean         _sp_archive_read_metadata_header  (struct archive        *a,
                                                    SpArchiveIo           *io,
                                                    const char            *archive_path,
                                                    struct archive_entry **out_entry,
                                                    GError               **error);
gboolean         _sp_archive_finish_checksum       (SpArchiveIo           *io,
                                                    const char            *archive_path,
                                                    guint64                expected_size,
                                                    const char            *expected_sha256,
                                                    GError               **error);

G_END_DECLS
