/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "play/sp-play.h"

G_BEGIN_DECLS

/* Exit codes of savepoint-cli; documented in its --help. */
typedef enum
{
  SP_CLI_EXIT_OK        = 0,
  SP_CLI_EXIT_FAILED    = 1,  /* the operation failed (I/O, full disk, …) */
  SP_CLI_EXIT_USAGE     = 2,  /* wrong arguments */
  SP_CLI_EXIT_NOT_FOUND = 3,  /* no such library, game or checkpoint */
  SP_CLI_EXIT_DAMAGED   = 4,  /* verify found damaged checkpoints; malformed metadata */
  SP_CLI_EXIT_READ_ONLY = 5,  /* the library is from a newer Savepoint */
  SP_CLI_EXIT_GAME_FAILED = 6, /* play: the game exited with an error or was killed */
  SP_CLI_EXIT_CANCELLED = 130,
} SpCliExit;

typedef struct
{
  const char *library_path;   /* the global --library, or NULL */
  gboolean    json;           /* --json */
} SpCliOptions;

/* The library's path: --library, else $SAVEPOINT_LIBRARY (the one of its
 * folders that holds a library), else, when @search, the only library found
 * on a mounted drive or in the app's configured folders (see
 * core/sp-library-finder.h). Without --library, $SAVEPOINT_LIBRARY and
 * @search, returns NULL and sets @out_exit to SP_CLI_EXIT_OK. Prints the
 * error and sets @out_exit when there is none or several. */
char      *sp_cli_resolve_library_path (const SpCliOptions *options,
                                        gboolean            search,
                                        int                *out_exit);
/* Opens the library of sp_cli_resolve_library_path() (searching). Prints
 * the error and sets @out_exit on failure. */
SpLibrary *sp_cli_open_library  (const SpCliOptions *options,
                                 int                *out_exit);
/* Finds a game by slug or name, printing an error naming the library on
 * failure. Transfer none. */
SpGame    *sp_cli_find_game     (SpLibrary          *library,
                                 const char         *name,
                                 int                *out_exit);
/* Parses a command's own options (@entries may be NULL); argv[0] is the
 * command, and it takes @min_args to @max_args arguments (-1: any number).
 * Prints the usage error and sets @out_exit otherwise. */
gboolean   sp_cli_parse_command (const char         *command,
                                 const char         *args,
                                 GOptionEntry       *entries,
                                 int                *argc,
                                 char             ***argv,
                                 int                 min_args,
                                 int                 max_args,
                                 int                *out_exit);
/* Opens the library (sp_cli_open_library()) and finds GAME and, unless @id
 * is NULL or "clean", the checkpoint ID in it, printing what is not found
 * and setting @out_exit. Transfer none for the game; *@out_library gets
 * the library (transfer full), which holds it. */
SpGame    *sp_cli_open_game     (const SpCliOptions *options,
                                 const char         *game_name,
                                 const char         *id,
                                 SpLibrary         **out_library,
                                 int                *out_exit);
/* The game @name (sp_cli_find_game()), or every game of @library when
 * @name is NULL; NULL with @out_exit set when @name is not found. */
GPtrArray *sp_cli_collect_games (SpLibrary          *library,
                                 const char         *name,
                                 int                *out_exit);
/* The app's settings when its schema is installed and has @key, else
 * NULL. */
GSettings *sp_cli_app_settings  (const char         *key);
/* The exit code that fits @error. */
int        sp_cli_exit_code_for (const GError       *error);
/* How savepoint-cli reports a failure: prints "savepoint-cli: MESSAGE" (or
 * "savepoint-cli COMMAND: MESSAGE" when @command is given, as play, runs
 * and recover say it) on stderr and returns @exit_code. */
int        sp_cli_fail_message  (const char         *command,
                                 int                 exit_code,
                                 const char         *format,
                                 ...) G_GNUC_PRINTF (3, 4);
/* sp_cli_fail_message() with @error's message and the exit code that fits
 * it. */
int        sp_cli_fail          (const GError       *error);
/* sp_cli_fail_message() with the hint to --help; returns
 * SP_CLI_EXIT_USAGE. */
int        sp_cli_usage_error   (const char         *format,
                                 ...) G_GNUC_PRINTF (1, 2);
/* Prints @builder's root as pretty JSON on stdout. */
void       sp_cli_print_json    (JsonBuilder        *builder);
/* @member: @value, or null. */
void       sp_cli_add_optional_string_json (JsonBuilder *builder,
                                            const char  *member,
                                            const char  *value);
/* One checkpoint of @game as a JSON object (id, parent, label, note, …). */
void       sp_cli_add_checkpoint_json (JsonBuilder  *builder,
                                       SpGame       *game,
                                       SpCheckpoint *checkpoint);

/* The session commands (sp-cli-play.c); argv[0] is the command. */

/* play GAME [--library DIR] [--from ID|--clean] [--keep [LABEL]|--discard|--ask]
 *           [--leave] [--grace SECONDS] [--background-grace SECONDS]
 *           [--wait-for-background] */
int        sp_cli_play          (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* runs [--library DIR] */
int        sp_cli_runs          (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* recover [--library DIR] [--keep LABEL|--discard] [RUN…] */
int        sp_cli_recover       (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* exclude GAME [PATTERN…] [--remove PATTERN] [--defaults|--no-defaults]
 * (sp-cli-exclude.c) */
int        sp_cli_exclude       (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* After a keep: what the game's exclusions left out, if anything. */
void       sp_cli_print_excluded (SpGame            *game,
                                  SpCheckpoint      *checkpoint);
/* The Wine commands (sp-cli-repair.c). */

/* repair GAME: the clean install of a Wine game added before Savepoint kept
 * user folders inside the prefix gets them (sp-wine-prefix.h). */
int        sp_cli_repair        (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* update-wine GAME: the clean install updated with the Wine that plays it
 * (play/sp-wine-update.h). */
int        sp_cli_update_wine   (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* Before playing: a warning line on stderr when the session's Wine is not
 * the one that made the game's clean install. */
void       sp_cli_warn_wine_update (SpSession       *session);
/* After adding: which links of the clean install became folders (in the
 * adopted folder itself with @adopted). */
void       sp_cli_print_replaced_links (SpGame           *game,
                                        gboolean          adopted);
/* After a run: the summary's warnings (sp_run_describe_outside()). */
void       sp_cli_print_run_warnings (const char * const *warnings);

/* log [--library DIR] GAME (sp-cli-log.c) */
int        sp_cli_log           (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* diff GAME ID [ID2] (sp-cli-diff.c) */
int        sp_cli_diff          (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* The trash of discarded runs (sp-cli-trash.c). */

/* remove GAME [--delete-files] */
int        sp_cli_remove        (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* Applies the app's trash limits and expires the trash: every command
 * starts with it. */
void       sp_cli_trash_expire  (void);
/* trash [GAME] [--empty] */
int        sp_cli_trash         (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* recover GAME --from-trash ID */
int        sp_cli_recover_from_trash (const SpCliOptions *options,
                                      const char         *library_dir,
                                      const char         *game_name,
                                      const char         *id);
/* Nothing unkept is overwritten: SP_CLI_EXIT_OK when @game's head may move
 * to @id, else prints why not (being played; a pending run, naming
 * `savepoint-cli recover`) and returns the exit code. */
int        sp_cli_check_head_change (SpLibrary      *library,
                                     SpGame         *game,
                                     const char     *id);
/* The storage commands (sp-cli-storage.c). */

/* pin GAME ID / unpin GAME ID */
int        sp_cli_pin           (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
int        sp_cli_unpin         (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* prune GAME [--dry-run] [--empty-trash] */
int        sp_cli_prune         (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* du [GAME] */
int        sp_cli_du            (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);
/* Prints what retention removed when @kept was kept (see
 * sp_retention_get_keep_report()). */
void       sp_cli_print_keep_report (SpCheckpoint   *kept);

/* TRUE when @answer is one of the "|"-separated @choices, ignoring case
 * (also outside ASCII): how `play --ask` understands translated answers. */
gboolean   sp_cli_answer_is     (const char         *answer,
                                 const char         *choices);

G_END_DECLS
