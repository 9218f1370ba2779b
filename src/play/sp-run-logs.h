/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-run.h"

G_BEGIN_DECLS

/* How a run ended, for the user: the game's exit status, the last lines of
 * its log, and the logs kept of each game's last runs (design.md, "One play
 * session", step 6).
 *
 * The logs of a game's last SP_RUN_LOGS_KEPT runs are kept, whatever was
 * decided about the runs, in
 * $XDG_STATE_HOME/savepoint/logs/<library-id>/<slug>/, each the last
 * SP_RUN_LOG_MAX_BYTES of the run's game.log, named
 * YYYYMMDD-HHMMSS-UUUUUU-XXXXXXXX.log (UTC time of the copy, microseconds,
 * random hex). Only files of that name that are regular files of ours are
 * ever removed. */

#define SP_RUN_LOGS_KEPT      5
#define SP_RUN_LOG_MAX_BYTES  (1024 * 1024)
/* How many lines of the log a failure report shows. */
#define SP_RUN_LOG_TAIL_LINES 20

/* $XDG_STATE_HOME/savepoint/logs/<library-id>/<slug>; NULL for an id or
 * slug that is not valid. */
char     *sp_run_logs_dir           (const char  *library_id,
                                     const char  *slug);
gboolean  sp_run_log_name_is_valid  (const char  *name);
/* Copies the tail of @log_path into the game's logs folder (made when
 * missing), then removes all but the SP_RUN_LOGS_KEPT newest logs there.
 * Returns the copy's path. Blocking. */
char     *sp_run_logs_save          (const char  *library_id,
                                     const char  *slug,
                                     const char  *log_path,
                                     GError     **error);
/* The kept logs of a game, newest first (paths); empty when none. */
GPtrArray *sp_run_logs_list         (const char  *library_id,
                                     const char  *slug,
                                     GError     **error);
/* The last @max_lines lines of the text file @path (looking at its last
 * 64 KiB at most), as valid UTF-8 with control characters other than tab
 * and newline replaced; "" for an empty file. */
char     *sp_run_log_read_tail      (const char  *path,
                                     guint        max_lines,
                                     GError     **error);
/* Replaces control characters (but tab and newline) and invalid UTF-8 of
 * @text, so that a game's output cannot drive a terminal. */
char     *sp_run_log_sanitize       (const char  *text,
                                     gssize       length);

/* The signal of an exit status as savepoint-run reports it (128 + N when
 * the game was killed by signal N, as shells say), else 0. */
int       sp_exit_status_get_signal (int          exit_status);
/* "exited with status 127", "was killed by signal 11 (SIGSEGV)". */
char     *sp_exit_status_describe   (int          exit_status);

/* What a finished session found out about its run (sp_run_outcome_collect(),
 * in the thread that finishes it, once the game is gone and unmounted). */
typedef struct
{
  char     *log_tail;         /* the last lines of game.log, or NULL */
  char     *kept_log;         /* its copy among the kept logs, or NULL */
  gboolean  changed_nothing;  /* upper/ is empty: nothing to keep */
} SpRunOutcome;

void      sp_run_outcome_collect    (SpRun        *run,
                                     SpRunOutcome *outcome);
void      sp_run_outcome_clear      (SpRunOutcome *outcome);

G_END_DECLS
