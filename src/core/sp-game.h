/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "archive/sp-archive.h"
#include "sp-checkpoint.h"

G_BEGIN_DECLS

/* One game of a library: games/<slug>/ with game.ini, base/ (the clean
 * install, never written) and checkpoints/. See design.md.
 *
 * Every mutating call fails with SP_LIBRARY_ERROR_READ_ONLY when the game was
 * loaded read-only (its library has a newer Version). Errors use
 * SP_LIBRARY_ERROR (sp-library.h). */

typedef enum
{
  SP_GAME_KIND_NATIVE,
  SP_GAME_KIND_WINE,
} SpGameKind;

#define SP_TYPE_GAME_KIND (sp_game_kind_get_type ())
GType        sp_game_kind_get_type    (void);

/* "native" / "wine" */
const char  *sp_game_kind_to_string   (SpGameKind   kind);
gboolean     sp_game_kind_from_string (const char  *str,
                                       SpGameKind  *out_kind);

/* What a game is launched with: the one record of a game's launch
 * settings (the [Game] keys of game.ini). A game holds one
 * (sp_game_get_info()), sp_library_add_game_*() copies the caller's, and a
 * session takes a snapshot when it starts. NULL means unset. Executable,
 * WorkingDirectory and Home are relative to the prefix (the merged
 * overlay). Environment entries are "KEY=VALUE".
 *
 * One the caller fills in borrows its strings; one made by
 * sp_game_info_copy() owns them (and its lists are never NULL) and is
 * freed with sp_game_info_free(). */
typedef struct
{
  const char         *name;
  SpGameKind          kind;
  const char         *executable;
  const char * const *arguments;
  const char         *working_directory;
  const char * const *environment;
  const char         *runner;             /* wine kind: default "wine" when NULL */
  const char         *home;               /* native kind: HOME redirection folder */
  const char         *icon;
  const char         *wine_user;          /* wine kind: the prefix's profile folder name
                                             (drive_c/users/<name>); NULL: the player's */
  const char         *wine_version;       /* wine kind: `wine --version` of the Wine that made
                                             the clean install (sp-wine-prefix.h); set by
                                             adding, NULL when unknown */
} SpGameInfo;

SpGameInfo  *sp_game_info_copy        (const SpGameInfo *info);
void         sp_game_info_free        (SpGameInfo       *info);
/* NULL lists equal empty ones. */
gboolean     sp_game_info_equal       (const SpGameInfo *a,
                                       const SpGameInfo *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpGameInfo, sp_game_info_free)

/* Wine keeps a profile per user name (drive_c/users/<name>) and takes the
 * name from $USER. A Wine game records the name of its prefix's profile
 * (WineUser= in game.ini) and every session runs Wine with USER set to it,
 * so whoever plays finds the same saves.
 *
 * The name comes from a drive (design.md, "Trust"): it is a single folder
 * name of at most SP_WINE_USER_MAX_LENGTH bytes of UTF-8 — not "", "." or
 * "..", no "/" or "\\", no control character, none of Windows' forbidden
 * characters (< > : " | ? *), no leading or trailing space, no trailing
 * dot, and not "Public" (the folder Wine shares between profiles). On
 * failure @error (SP_LIBRARY_ERROR_INVALID) says what is wrong, without
 * naming the key or file: callers add those. */
#define SP_WINE_USER_MAX_LENGTH 64

gboolean     sp_wine_user_is_valid    (const char   *name,
                                       GError      **error);

/* The profiles of the Wine prefix @prefix: the names of the real folders
 * (not links) in drive_c/users that sp_wine_user_is_valid() accepts
 * ("Public" is not one), sorted. Empty when the prefix has no
 * drive_c/users (not booted yet). Reads the folder: blocking. */
GStrv        sp_wine_prefix_list_users (const char  *prefix,
                                        GError     **error);

typedef enum
{
  SP_EXPORT_FLAGS_NONE    = 0,
  SP_EXPORT_FLAGS_REPLACE = 1 << 0,   /* replace an existing file (the user said so) */
} SpExportFlags;

typedef enum
{
  SP_IMPORT_FLAGS_NONE       = 0,
  SP_IMPORT_FLAGS_OTHER_GAME = 1 << 0,  /* accept a checkpoint exported from another game */
} SpImportFlags;

typedef enum
{
  SP_VERIFY_PROBLEM_DAMAGED,        /* an archive does not match its .ini or breaks the unpack rules */
  SP_VERIFY_PROBLEM_BAD_METADATA,   /* a checkpoint .ini does not parse or has impossible values */
  SP_VERIFY_PROBLEM_ORPHAN,         /* an archive with no .ini */
  SP_VERIFY_PROBLEM_LEFTOVER,       /* a .partial file or folder no live process owns */
  SP_VERIFY_PROBLEM_GAME_INI,       /* a game.ini that does not load */
  SP_VERIFY_PROBLEM_LIBRARY_INI,    /* library.ini does not parse */
  SP_VERIFY_PROBLEM_UNREADABLE,     /* a file or folder of base/ the player cannot read */
} SpVerifyProblemKind;

/* One finding of sp_game_verify_*() or sp_library_verify(). */
typedef struct
{
  char                *checkpoint_id;  /* or NULL when the finding is not one checkpoint's */
  GError              *error;          /* SP_LIBRARY_ERROR_DAMAGED, _MALFORMED or an SP_ARCHIVE_ERROR */
  SpVerifyProblemKind  kind;
  char                *path;           /* the file or folder concerned */
  guint64              size;           /* its size in bytes (leftovers, orphans) */
  gboolean             is_warning;     /* the checkpoint is good: @error says what restoring it
                                          changes (SP_ARCHIVE_ERROR_SPECIAL_BITS) */
} SpVerifyProblem;

void         sp_verify_problem_free   (SpVerifyProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpVerifyProblem, sp_verify_problem_free)

#define SP_TYPE_GAME (sp_game_get_type ())

G_DECLARE_FINAL_TYPE (SpGame, sp_game, SP, GAME, GObject)

/* Loads games/<slug>/ at @path (game.ini and checkpoints/<id>.ini). A malformed
 * game.ini fails with SP_LIBRARY_ERROR_MALFORMED ("…/game.ini:LINE: …");
 * malformed checkpoint .ini files are skipped and listed by
 * sp_game_get_problems(). @path must be a real folder (not a link) whose name
 * is a valid slug, else SP_LIBRARY_ERROR_INVALID; a checkpoints/ that is a
 * link is not read (a problem). */
SpGame      *sp_game_load             (const char   *path,
                                       gboolean      read_only,
                                       GError      **error);
/* Re-reads game.ini and the checkpoints. */
gboolean     sp_game_reload           (SpGame       *self,
                                       GError      **error);

/* Writes game.ini atomically, keeping unknown keys, groups and comments.
 *
 * sp_game_save_sync(), sp_game_restore_sync(), sp_game_delete_checkpoint_sync(),
 * sp_game_rename_checkpoint_sync() and sp_game_set_checkpoint_note_sync() have
 * _async/_finish variants that validate on
 * the calling thread, write in a worker thread and change the object (and
 * notify) back in the caller's main context, with the same files and the
 * same order of writes as the sync calls. Async writes to one game run one
 * after the other, in call order, each validated when its turn comes; while
 * one is being written the sync calls fail with SP_LIBRARY_ERROR_BUSY. A
 * write that has reached its worker is reported even if cancelled. */
gboolean     sp_game_save_sync             (SpGame       *self,
                                       GError      **error);
void         sp_game_save_async       (SpGame              *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean     sp_game_save_finish      (SpGame              *self,
                                       GAsyncResult        *result,
                                       GError             **error);

const char  *sp_game_get_slug         (SpGame       *self);
/* The game's Uuid= (lower-case), recorded in each checkpoint archive it
 * makes; NULL when game.ini has none yet (it gets one at its next write). */
const char  *sp_game_get_uuid         (SpGame       *self);
const char  *sp_game_get_path         (SpGame       *self);   /* games/<slug> */
const char  *sp_game_get_base_path    (SpGame       *self);   /* games/<slug>/base */
char        *sp_game_lock_path        (SpGame       *self);   /* games/<slug>/session.lock */
const char  *sp_game_get_checkpoints_path (SpGame   *self);   /* games/<slug>/checkpoints */
const char  *sp_game_get_ini_path     (SpGame       *self);   /* games/<slug>/game.ini */
gboolean     sp_game_get_read_only    (SpGame       *self);
const char * const *sp_game_get_problems (SpGame    *self);

/* The game's launch settings, as the getters below give them. Transfer
 * none: valid until the next setter call or reload; copy it to keep it. */
const SpGameInfo *sp_game_get_info    (SpGame       *self);

/* Setters change the object (and notify); call sp_game_save_sync() to write. */
const char  *sp_game_get_name         (SpGame       *self);
void         sp_game_set_name         (SpGame       *self,
                                       const char   *name);
SpGameKind   sp_game_get_kind         (SpGame       *self);
void         sp_game_set_kind         (SpGame       *self,
                                       SpGameKind    kind);
const char  *sp_game_get_executable   (SpGame       *self);
void         sp_game_set_executable   (SpGame       *self,
                                       const char   *executable);
const char * const *sp_game_get_arguments (SpGame   *self);   /* never NULL */
void         sp_game_set_arguments    (SpGame       *self,
                                       const char * const *arguments);
const char  *sp_game_get_working_directory (SpGame  *self);
void         sp_game_set_working_directory (SpGame  *self,
                                            const char *working_directory);
const char * const *sp_game_get_environment (SpGame *self);   /* never NULL */
void         sp_game_set_environment  (SpGame       *self,
                                       const char * const *environment);
const char  *sp_game_get_runner       (SpGame       *self);
void         sp_game_set_runner       (SpGame       *self,
                                       const char   *runner);
const char  *sp_game_get_home         (SpGame       *self);
void         sp_game_set_home         (SpGame       *self,
                                       const char   *home);
const char  *sp_game_get_icon         (SpGame       *self);
/* WineUser=: set when the game is added, never changed afterwards (the
 * saves of every checkpoint are in that profile); NULL for games added
 * before Savepoint recorded it, which run Wine with the player's name. */
const char  *sp_game_get_wine_user    (SpGame       *self);
void         sp_game_set_icon         (SpGame       *self,
                                       const char   *icon);
/* WineVersion=: the Wine that made or added the clean install, as `wine
 * --version` printed it; NULL when unknown (games added before Savepoint
 * recorded it, or Wine could not be asked). */
const char  *sp_game_get_wine_version (SpGame       *self);
/* For updating the clean install (play/sp-wine-update.h): @version must be
 * NULL or valid (sp_wine_version_is_valid()); call sp_game_save_sync(). */
void         sp_game_set_wine_version (SpGame       *self,
                                       const char   *version);
/* The links of the clean install that adding this game replaced with
 * empty folders (prefix-relative paths, see sp-wine-prefix.h), for the
 * add's summary: set on the game sp_library_add_game_*() returns, empty on
 * a game loaded from the drive. Never NULL. */
const char * const *sp_game_get_replaced_links (SpGame *self);

/* Exclusions (sp-exclude.h): the game's own patterns (never NULL) and
 * whether the built-in list for Wine prefixes applies. The setter validates
 * each pattern (sp_exclude_pattern_is_valid()) and changes nothing on
 * error; call sp_game_save_sync() to write. */
const char * const *sp_game_get_exclude (SpGame       *self);
gboolean     sp_game_set_exclude      (SpGame              *self,
                                       const char * const  *patterns,
                                       GError             **error);
gboolean     sp_game_get_exclude_defaults (SpGame   *self);
void         sp_game_set_exclude_defaults (SpGame   *self,
                                           gboolean  use_defaults);

/* The checkpoint id the next play session starts from, or NULL = clean. */
const char  *sp_game_get_head         (SpGame       *self);
/* The head checkpoint object, or NULL (clean, or Head names a checkpoint
 * that is not listed: see sp_game_get_problems()). Transfer none. */
SpCheckpoint *sp_game_get_head_checkpoint (SpGame   *self);

/* A GListModel of SpCheckpoint: the timeline, newest first (by Created,
 * then id). Parent links are sp_checkpoint_get_parent(). */
GListModel  *sp_game_get_checkpoints  (SpGame       *self);
/* Transfer none; NULL if there is none with that id. */
SpCheckpoint *sp_game_find_checkpoint (SpGame       *self,
                                       const char   *id);
/* Sum of the checkpoints' PlayTime, in seconds. */
gint64       sp_game_get_play_time    (SpGame       *self);
/* Created of the newest checkpoint, or NULL. Transfer none. */
GDateTime   *sp_game_get_last_played  (SpGame       *self);

/* Packs @upper_dir into a new checkpoint: new id (UTC time + random),
 * Parent = current head, then checkpoints/<id>.tar.zst (via .partial), then
 * checkpoints/<id>.ini atomically with ArchiveSize and SHA256, then, if
 * @set_head, Head = id and game.ini saved. A crash at any point leaves either
 * no new checkpoint or a complete one. @play_time is in seconds. Returns the
 * new checkpoint (transfer full), also inserted into the timeline. */
SpCheckpoint *sp_game_create_checkpoint_sync   (SpGame              *self,
                                                const char          *upper_dir,
                                                const char          *label,
                                                gint64               play_time,
                                                gboolean             set_head,
                                                SpProgressFunc       progress,
                                                gpointer             progress_data,
                                                GCancellable        *cancellable,
                                                GError             **error);
/* @progress is called in the caller's main context, the last values
 * before @callback and none after (the progress rule, sp-task-private.h). */
void          sp_game_create_checkpoint_async  (SpGame              *self,
                                                const char          *upper_dir,
                                                const char          *label,
                                                gint64               play_time,
                                                gboolean             set_head,
                                                SpProgressFunc       progress,
                                                gpointer             progress_data,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The same with an explicit Parent (NULL = started from the clean install)
 * instead of the current head: a run kept later must name the checkpoint it
 * started from, even if Head was moved meanwhile. */
SpCheckpoint *sp_game_create_checkpoint_with_parent_sync  (SpGame              *self,
                                                           const char          *upper_dir,
                                                           const char          *parent,
                                                           const char          *label,
                                                           gint64               play_time,
                                                           gboolean             set_head,
                                                           SpProgressFunc       progress,
                                                           gpointer             progress_data,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void          sp_game_create_checkpoint_with_parent_async (SpGame              *self,
                                                           const char          *upper_dir,
                                                           const char          *parent,
                                                           const char          *label,
                                                           gint64               play_time,
                                                           gboolean             set_head,
                                                           SpProgressFunc       progress,
                                                           gpointer             progress_data,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
SpCheckpoint *sp_game_create_checkpoint_finish (SpGame              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Sets Head to @checkpoint_id (must be listed and its archive present) or
 * NULL for clean, and saves game.ini. Nothing is unpacked here: the next
 * session starts from it. */
gboolean     sp_game_restore_sync          (SpGame       *self,
                                       const char   *checkpoint_id,
                                       GError      **error);
void         sp_game_restore_async    (SpGame              *self,
                                       const char          *checkpoint_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean     sp_game_restore_finish   (SpGame              *self,
                                       GAsyncResult        *result,
                                       GError             **error);

/* Deletes a checkpoint. If it is the head, Head first moves to its parent
 * (if listed) or clean and game.ini is saved; then <id>.ini is removed, then
 * the archive. Other checkpoints are untouched (each is a full difference
 * from base); children keep their Parent value. */
gboolean     sp_game_delete_checkpoint_sync (SpGame      *self,
                                        const char  *checkpoint_id,
                                        GError     **error);
void         sp_game_delete_checkpoint_async  (SpGame              *self,
                                               const char          *checkpoint_id,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean     sp_game_delete_checkpoint_finish (SpGame              *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Sets a checkpoint's Label (rewrites <id>.ini atomically, keeping unknown
 * keys). The archive is not touched: its embedded label stays the one it
 * was packed with, and an export carries the current label. */
gboolean     sp_game_rename_checkpoint_sync (SpGame      *self,
                                        const char  *checkpoint_id,
                                        const char  *label,
                                        GError     **error);
void         sp_game_rename_checkpoint_async  (SpGame              *self,
                                               const char          *checkpoint_id,
                                               const char          *label,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean     sp_game_rename_checkpoint_finish (SpGame              *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Sets a checkpoint's free-text note (NULL or "" removes it): validated
 * by sp_checkpoint_note_is_valid(), then <id>.ini is rewritten atomically,
 * keeping unknown keys, in the same queue as renaming. The archive is not
 * touched; an export carries the current note. */
gboolean     sp_game_set_checkpoint_note_sync   (SpGame              *self,
                                                 const char          *checkpoint_id,
                                                 const char          *note,
                                                 GError             **error);
void         sp_game_set_checkpoint_note_async  (SpGame              *self,
                                                 const char          *checkpoint_id,
                                                 const char          *note,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean     sp_game_set_checkpoint_note_finish (SpGame              *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Pins a checkpoint (Pinned=true in <id>.ini) or unpins it (the key
 * goes): retention (sp-retention.h) never removes a pinned checkpoint. The
 * .ini is rewritten atomically, keeping unknown keys, in the same queue as
 * renaming; the archive is not touched. */
gboolean     sp_game_set_checkpoint_pinned_sync   (SpGame              *self,
                                                   const char          *checkpoint_id,
                                                   gboolean             pinned,
                                                   GError             **error);
void         sp_game_set_checkpoint_pinned_async  (SpGame              *self,
                                                   const char          *checkpoint_id,
                                                   gboolean             pinned,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean     sp_game_set_checkpoint_pinned_finish (SpGame              *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Copies the checkpoint's archive to @dest_path (any file system): verified
 * against size and SHA-256 while copying, written to a temporary file beside
 * @dest_path, fsynced and renamed. The archive is self-describing: when the .ini's label
 * or note differ from the ones embedded in it, the copy gets the current
 * ones (its metadata entry rewritten, every other entry kept). An
 * existing @dest_path fails with SP_LIBRARY_ERROR_EXISTS unless @flags has
 * SP_EXPORT_FLAGS_REPLACE (also when it appears meanwhile: the rename does
 * not replace). A @dest_path inside the game's library folder fails with
 * SP_LIBRARY_ERROR_INVALID, whatever @flags says. */
gboolean     sp_game_export_checkpoint_sync  (SpGame              *self,
                                              const char          *checkpoint_id,
                                              const char          *dest_path,
                                              SpExportFlags        flags,
                                              GCancellable        *cancellable,
                                              GError             **error);
void         sp_game_export_checkpoint_async (SpGame              *self,
                                              const char          *checkpoint_id,
                                              const char          *dest_path,
                                              SpExportFlags        flags,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     sp_game_export_checkpoint_finish (SpGame             *self,
                                               GAsyncResult       *result,
                                               GError            **error);

/* Imports an exported archive: reads and parses its embedded
 * checkpoint.ini, assigns a new id, keeps Label, Created, PlayTime, Files and
 * Bytes, sets Parent to none (the original parent belongs to another
 * timeline) and does not move Head. An archive that records another game's
 * Uuid fails with SP_ARCHIVE_ERROR_OTHER_GAME unless @flags has
 * SP_IMPORT_FLAGS_OTHER_GAME; archives of releases that did not record it
 * are accepted. The source is first checked entry by entry against the
 * rules unpacking applies (sp_archive_check()), then copied to
 * <id>.tar.zst.partial, fsynced, read back and compared with the SHA-256 of
 * what was checked, renamed, and then <id>.ini written atomically. @out_warning (may be NULL)
 * gets what unpacking will change without refusing (setuid/setgid bits),
 * or NULL. Returns the new checkpoint (transfer full), also inserted into
 * the timeline. */
SpCheckpoint *sp_game_import_checkpoint_sync   (SpGame              *self,
                                                const char          *archive_path,
                                                SpImportFlags        flags,
                                                char               **out_warning,
                                                GCancellable        *cancellable,
                                                GError             **error);
void          sp_game_import_checkpoint_async  (SpGame              *self,
                                                const char          *archive_path,
                                                SpImportFlags        flags,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
SpCheckpoint *sp_game_import_checkpoint_finish (SpGame              *self,
                                                GAsyncResult        *result,
                                                char               **out_warning,
                                                GError             **error);

/* Checks one checkpoint (@checkpoint_id: its values, size, SHA-256 and
 * entries, sp_checkpoint_verify_full()) or, with NULL, the whole game
 * folder: game.ini, every checkpoint .ini on disk (also those that do not
 * load), every archive, orphan archives, leftovers no live process owns
 * (with their size) and the files and folders of base/ that the caller
 * cannot read (at most 20 by name, then a count). Returns an array of SpVerifyProblem (empty when all is
 * good; good checkpoints that restore with changes are marked is_warning),
 * or NULL with @error when it could not run (unknown id, cancelled). */
GPtrArray   *sp_game_verify_sync      (SpGame              *self,
                                       const char          *checkpoint_id,
                                       GCancellable        *cancellable,
                                       GError             **error);
void         sp_game_verify_async     (SpGame              *self,
                                       const char          *checkpoint_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GPtrArray   *sp_game_verify_finish    (SpGame              *self,
                                       GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
