/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The error domain of the library model: libraries, games, checkpoints
 * and the metadata files they are read from. */
#define SP_LIBRARY_ERROR (sp_library_error_quark ())

typedef enum
{
  SP_LIBRARY_ERROR_FAILED,        /* anything else (I/O) */
  SP_LIBRARY_ERROR_NOT_FOUND,     /* no library / game / checkpoint there */
  SP_LIBRARY_ERROR_READ_ONLY,     /* the library is open read-only (newer Version) */
  SP_LIBRARY_ERROR_NEWER_VERSION, /* only used for messages; opening still succeeds read-only */
  SP_LIBRARY_ERROR_MALFORMED,     /* a metadata file cannot be parsed: message is "file:line: …" */
  SP_LIBRARY_ERROR_EXISTS,        /* creating something that already exists */
  SP_LIBRARY_ERROR_INVALID,       /* bad argument: empty name, not a folder, other drive… */
  SP_LIBRARY_ERROR_DAMAGED,       /* a checkpoint archive is missing or does not match its .ini */
  SP_LIBRARY_ERROR_BUSY,          /* another change to the same game is still being written */
} SpLibraryError;

GQuark sp_library_error_quark (void);

G_END_DECLS
