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
  SP_CLI_EXIT_CANCELLED = 130,
} SpCliExit;

typedef struct
{
  const char *library_path;   /* --library, or $SAVEPOINT_LIBRARY */
  gboolean    json;           /* --json */
} SpCliOptions;

/* The library's path: --library, else $SAVEPOINT_LIBRARY, else the only
 * library found on a mounted drive. Prints the error and sets @out_exit when
 * there is none or several. */
char      *sp_cli_resolve_library_path (const SpCliOptions *options,
                                        int                *out_exit);
/* Opens the library named by --library / $SAVEPOINT_LIBRARY, or the only
 * library found on a mounted drive. Prints the error and sets @out_exit on
 * failure. */
SpLibrary *sp_cli_open_library  (const SpCliOptions *options,
                                 int                *out_exit);
/* Finds a game by slug or name, printing an error naming the library on
 * failure. Transfer none. */
SpGame    *sp_cli_find_game     (SpLibrary          *library,
                                 const char         *name,
                                 int                *out_exit);
/* Prints "savepoint-cli: <message>" on stderr and returns the exit code that
 * fits @error. */
int        sp_cli_fail          (const GError       *error);
/* Prints a usage error and returns SP_CLI_EXIT_USAGE. */
int        sp_cli_usage_error   (const char         *format,
                                 ...) G_GNUC_PRINTF (1, 2);
/* Prints @builder's root as pretty JSON on stdout. */
void       sp_cli_print_json    (JsonBuilder        *builder);

G_END_DECLS
