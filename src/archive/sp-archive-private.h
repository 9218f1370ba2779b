/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include "common/sp-upper-dir.h"
#include "common/sp-xattr.h"
#include "sp-archive.h"
#include "sp-sha256.h"

G_BEGIN_DECLS

/* What sp-archive.c, sp-archive-pack.c and sp-archive-unpack.c share. */

typedef struct archive_entry SpArchiveEntry;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpArchiveEntry, archive_entry_free)

#define BUFFER_SIZE        (256 * 1024)
#define MAX_METADATA_SIZE  (1024 * 1024)

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

/* libarchive converts names between the locale's character set (LC_CTYPE,
 * per thread) and the UTF-8 of pax headers. Every pack, unpack and check
 * runs with a UTF-8 LC_CTYPE on its thread, so names (UTF-8 on disk) are
 * stored as they are, the bytes do not depend on the locale of the process,
 * and no "hdrcharset" header (which GNU tar does not know) is written for
 * them. The other categories (messages) stay as they were. */
typedef struct
{
  locale_t previous;
  locale_t utf8;
} SpArchiveLocale;

SpArchiveLocale  _sp_archive_locale_enter          (void);
void             _sp_archive_locale_leave          (SpArchiveLocale       *locale);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpArchiveLocale, _sp_archive_locale_leave)

/* The xattrs a checkpoint keeps: user.* but not user.overlay.* (the upper
 * layer's own bookkeeping, which would steer the overlay). */
bool             _sp_archive_xattr_is_kept         (const char            *name);
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

/* sp-archive-rules.c: the rules every entry must follow, shared by unpack
 * and sp_archive_check(). */
typedef enum
{
  SP_ENTRY_DIR,
  SP_ENTRY_FILE,
  SP_ENTRY_HARDLINK,
  SP_ENTRY_SYMLINK,
  SP_ENTRY_FIFO,
  SP_ENTRY_WHITEOUT,        /* ".wh.<name>": hides <name> */
  SP_ENTRY_OPAQUE,          /* ".wh..wh..opq": its folder is opaque */
} SpEntryKind;

typedef struct
{
  SpEntryKind  kind;
  char        *rel;         /* the checked relative path, no trailing slash */
  const char  *base;        /* its last component, inside @rel */
  char        *target;      /* hard link: the checked path it links to;
                               whiteout: the path it hides */
  mode_t       perm;        /* the permission bits to restore */
} SpEntryPlan;

void             _sp_entry_plan_clear               (SpEntryPlan           *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpEntryPlan, _sp_entry_plan_clear)

typedef struct _SpArchiveRules SpArchiveRules;

SpArchiveRules  *_sp_archive_rules_new              (const char            *archive_path);
void             _sp_archive_rules_free             (SpArchiveRules        *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpArchiveRules, _sp_archive_rules_free)
gboolean         _sp_archive_rules_check_entry      (SpArchiveRules        *rules,
                                                     struct archive_entry  *entry,
                                                     SpEntryPlan           *plan,
                                                     GError               **error);
gboolean         _sp_archive_rules_check_block      (SpArchiveRules        *rules,
                                                     const char            *name,
                                                     la_int64_t             size,
                                                     la_int64_t             offset,
                                                     size_t                 len,
                                                     GError               **error);
char            *_sp_archive_rules_get_warning      (SpArchiveRules        *rules);
gboolean         _sp_archive_set_hostile_error      (GError               **error,
                                                     const char            *archive_path,
                                                     const char            *name,
                                                     const char            *reason);
gboolean         _sp_archive_set_entry_corrupt_error (GError              **error,
                                                      const char           *archive_path,
                                                      const char           *name,
                                                      const char           *reason);

G_END_DECLS
