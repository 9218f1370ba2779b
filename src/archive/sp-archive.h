/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Checkpoint archives: pax tar + zstd with OCI whiteouts, see design.md
 * ("Upper layer and archive formats"). All functions here are blocking and
 * meant to run in a worker thread (GTask); they honour @cancellable and
 * report progress through @progress (may be NULL), called from the calling
 * thread. */

#define SP_ARCHIVE_ERROR (sp_archive_error_quark ())

typedef enum
{
  SP_ARCHIVE_ERROR_FAILED,      /* I/O error reading or writing */
  SP_ARCHIVE_ERROR_HOSTILE,     /* an entry that could escape or harm: "..", absolute,
                                   through a symlink, device node, bad name */
  SP_ARCHIVE_ERROR_CORRUPT,     /* not a zstd tar, truncated, bad metadata entry */
  SP_ARCHIVE_ERROR_CHECKSUM,    /* size or SHA-256 does not match */
  SP_ARCHIVE_ERROR_NO_SPACE,    /* not enough free space for the contents */
  SP_ARCHIVE_ERROR_NOT_EMPTY,   /* unpack target exists and is not an empty folder */
  SP_ARCHIVE_ERROR_OTHER_GAME,  /* import: the archive records another game */
  SP_ARCHIVE_ERROR_SPECIAL_BITS, /* a warning, not a failure: entries with setuid/setgid
                                    bits, which unpacking clears */
} SpArchiveError;

/* @done and @total are bytes of file content when packing, bytes of the
 * archive file read when unpacking; @total is 0 when unknown. */
typedef void (*SpProgressFunc) (guint64  done,
                                guint64  total,
                                gpointer user_data);

typedef struct
{
  guint64 files;          /* regular files, symlinks, dirs, whiteouts: entries written */
  guint64 bytes;          /* uncompressed file content */
  guint64 archive_size;   /* size of the archive file */
  char    sha256[65];     /* hex SHA-256 of the archive file */
  guint64 excluded_files; /* sp_archive_pack_excluding(): files left out (in folders left out too) */
  guint64 excluded_bytes; /* … and their content */
} SpArchiveStats;

/* Name of the metadata entry, always the archive's first entry. */
#define SP_ARCHIVE_METADATA_ENTRY ".savepoint/checkpoint.ini"

GQuark    sp_archive_error_quark    (void);

/* The zstd level (1..19) used when sp_archive_pack() is given 0; 3 unless
 * set. Process-wide: it is the user's preference, not a property of one
 * library. */
void      sp_archive_set_default_compression_level (int level);
int       sp_archive_get_default_compression_level (void);

/* Packs @upper_dir (an overlay upper dir: whiteout char devices 0/0 or
 * ".wh.<name>" files, opaque dirs by xattr user.overlay.opaque="y" or
 * ".wh..wh..opq" files) into @dest_path. @metadata (GKeyFile text, may be NULL)
 * becomes the first entry SP_ARCHIVE_METADATA_ENTRY. Written to
 * "<dest_path>.partial", fsynced, then renamed: @dest_path never holds a half
 * archive. @compression_level is zstd's (1..19, 0 = default 3). A device
 * node (other than a whiteout) or a socket in @upper_dir is refused with
 * SP_ARCHIVE_ERROR_HOSTILE naming it. The same upper dir and metadata always
 * give the same archive bytes. */
gboolean  sp_archive_pack           (const char      *upper_dir,
                                     const char      *metadata,
                                     const char      *dest_path,
                                     int              compression_level,
                                     SpProgressFunc   progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     SpArchiveStats  *out_stats,
                                     GError         **error);

/* Exclusions: what the player told Savepoint not to keep (caches, temp
 * files). Each pattern is an fnmatch() glob matched against an entry's path
 * relative to the upper dir's root (FNM_PATHNAME: "*" does not cross "/");
 * a pattern without "/" is matched against the entry's name at any depth.
 * A folder that matches is left out with everything in it. Whiteouts and
 * opaque markers are never left out: a deletion always reaches the
 * checkpoint. */
typedef enum
{
  SP_PACK_EXCLUDE_NONE     = 0,
  SP_PACK_EXCLUDE_CASEFOLD = 1 << 0,   /* match case-insensitively (Wine games) */
} SpPackExcludeFlags;

/* Whether @rel_path (relative, "/"-separated) matches one of @patterns. */
gboolean  sp_archive_path_is_excluded (const char * const *patterns,
                                       SpPackExcludeFlags  flags,
                                       const char         *rel_path);

/* sp_archive_pack() leaving out what @exclude (NULL-terminated, may be NULL)
 * matches; @out_stats counts what was left out. */
gboolean  sp_archive_pack_excluding (const char         *upper_dir,
                                     const char         *metadata,
                                     const char         *dest_path,
                                     int                 compression_level,
                                     const char * const *exclude,
                                     SpPackExcludeFlags  exclude_flags,
                                     SpProgressFunc      progress,
                                     gpointer            progress_data,
                                     GCancellable       *cancellable,
                                     SpArchiveStats     *out_stats,
                                     GError            **error);

/* Unpacks @archive_path into @dest_dir, which must not exist or be an empty
 * folder; its parent must exist. Recreates whiteouts as char devices 0/0
 * (or ".wh.<name>" files where mknod is refused) and opaque dirs as the
 * user.overlay.opaque xattr (or ".wh..wh..opq" files). Everything is
 * extracted into a temporary sibling and renamed into place at the end, so on
 * any error (hostile entry, corrupt data, no space, cancelled) @dest_dir is
 * left as it was. Setuid and setgid bits are cleared (archives of earlier
 * releases may hold them); the sticky bit is kept on folders only. The metadata entry is not extracted. Owners are never
 * restored: everything belongs to whoever unpacks (the player), whatever
 * ids the archive names (packing writes 0/0). @progress reports bytes of the archive file
 * read so far against its size (a fraction for a progress bar). */
gboolean  sp_archive_unpack         (const char      *archive_path,
                                     const char      *dest_dir,
                                     SpProgressFunc   progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     GError         **error);

/* Like sp_archive_unpack(), and also checks the archive's size and SHA-256
 * (lower-case hex) while reading it, in the same pass: a mismatch is
 * SP_ARCHIVE_ERROR_CHECKSUM and leaves @dest_dir as it was. Use this when
 * restoring a checkpoint whose .ini gives the expected values: zstd frames
 * carry no checksum of their own, so damage inside stored data is only
 * caught this way (or by sp_archive_verify() first). */
gboolean  sp_archive_unpack_verified (const char     *archive_path,
                                      guint64         expected_size,
                                      const char     *expected_sha256,
                                      const char     *dest_dir,
                                      SpProgressFunc  progress,
                                      gpointer        progress_data,
                                      GCancellable   *cancellable,
                                      GError        **error);

/* Writes to @dest_fd (an open empty file, neither fsynced nor closed here;
 * @dest_name names it in messages) a copy of @archive_path whose metadata
 * entry is @metadata (GKeyFile text): every other entry is copied as it is
 * (header, xattrs, data), recompressed at the default level. The source is
 * read once, each entry held to the rules of sp_archive_check(); with
 * @expected_sha256 its size and SHA-256 are checked in the same pass
 * (SP_ARCHIVE_ERROR_CHECKSUM). @out_stats (may be NULL) gets the copy's
 * entries, content bytes, size and SHA-256. */
gboolean  sp_archive_copy_with_metadata (const char     *archive_path,
                                         guint64         expected_size,
                                         const char     *expected_sha256,
                                         const char     *metadata,
                                         int             dest_fd,
                                         const char     *dest_name,
                                         GCancellable   *cancellable,
                                         SpArchiveStats *out_stats,
                                         GError        **error);

/* Returns the text of the metadata entry (NUL-terminated), or NULL with
 * SP_ARCHIVE_ERROR_CORRUPT when the first entry is not one. */
char     *sp_archive_read_metadata  (const char      *archive_path,
                                     GError         **error);

/* Reads the whole archive and applies to every entry the rules that
 * sp_archive_unpack() applies (names, types, whiteouts, links, the tree
 * the entries make), writing nothing: an archive that passes would unpack
 * (free space aside). With @expected_sha256, also checks size and SHA-256
 * in the same pass; a damaged file is reported as SP_ARCHIVE_ERROR_CHECKSUM
 * rather than by the entry where reading went wrong. @out_stats (may be
 * NULL) gets entries, content bytes, size and SHA-256 of the file.
 * @out_warning (may be NULL) gets what unpacking changes without refusing
 * (setuid/setgid bits, which are cleared), or NULL. */
gboolean  sp_archive_check          (const char      *archive_path,
                                     guint64          expected_size,
                                     const char      *expected_sha256,
                                     SpArchiveStats  *out_stats,
                                     char           **out_warning,
                                     GCancellable    *cancellable,
                                     GError         **error);

/* Checks the archive's size and SHA-256 (lower-case hex), and its entries
 * as sp_archive_check() does. */
gboolean  sp_archive_verify         (const char      *archive_path,
                                     guint64          expected_size,
                                     const char      *expected_sha256,
                                     GCancellable    *cancellable,
                                     GError         **error);

/* Removes what a killed sp_archive_pack() or sp_archive_unpack() for
 * @path may have left beside it: "<path>.partial" and
 * "<path>.partial-XXXXXX" folders. @path itself is not touched. Only call
 * this when no pack or unpack for @path is running. */
gboolean  sp_archive_remove_leftovers (const char    *path,
                                       GCancellable  *cancellable,
                                       GError       **error);

/* Hex SHA-256 of a file, streaming. */
char     *sp_file_sha256            (const char      *path,
                                     guint64         *out_size,
                                     GCancellable    *cancellable,
                                     GError         **error);

G_END_DECLS
