/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-session.h"

G_BEGIN_DECLS

/* What a session start needs, copied from main-thread objects so the
 * prepare thread can use it. */
typedef struct
{
  /* In: copied from main-thread objects. */
  char          *library_id;
  char          *library_path;
  char          *slug;
  char          *lock_path;
  char          *base_path;
  char          *head;           /* the checkpoint the run starts from, NULL = clean */
  SpCheckpoint  *checkpoint;     /* its object (immutable), or NULL */
  /* The game's launch settings as the session starts them: Runner is the
   * effective runner command line (wine kind), Environment what the
   * runner policy lets through. */
  SpGameInfo    *settings;
  char          *supervisor;
  guint          grace;
  gint           background_grace;   /* -1: savepoint-run's default */
  gboolean       wait_for_background;
  char          *run_dir;            /* for savepoint-run's --run-dir */
  gboolean       console;            /* savepoint-run --console */

  /* Out. */
  char         **argv;           /* savepoint-run … -- program args */
  char         **envp;
} SpSessionStartData;

void      _sp_start_data_free        (SpSessionStartData   *data);

/* Works out savepoint-run's command line (data->argv) and the game's
 * environment (data->envp) for the game mounted at @mount_point; checks
 * that the executable, working folder and runner exist. */
gboolean  _sp_session_build_launch   (SpSessionStartData   *data,
                                      const char  *mount_point,
                                      const char  *log_path,
                                      GError     **error);

/* Sets DBUS_SESSION_BUS_ADDRESS in @envp to the desktop's session bus
 * when it is unset and the user bus socket exists. */
void      _sp_session_add_session_bus (char ***envp);

/* The end of a session as savepoint-run reports it on its status fd after
 * "started" (see savepoint-run.c): sp-session-end.c. */
typedef struct
{
  gint       background_grace;     /* in: -1 = savepoint-run's default */
  gboolean   wait_for_background;  /* in */

  gint64     game_ended_mono;      /* g_get_monotonic_time() clock; 0 = not reported */
  gint64     game_ended_real;      /* seconds since the epoch; 0 = not reported */
  char     **background;           /* names of the background processes left (each once), or NULL */
  guint      background_count;     /* how many processes */
  gboolean   background_stopped;   /* they were stopped (else waited for) */
  gboolean   status_done;          /* the status fd reached its end */
  gboolean   exited;               /* savepoint-run has exited */
  gboolean   finishing;            /* finish_run() was called */
  guint      status_timeout_id;
} SpSessionEnd;

typedef enum
{
  SP_SESSION_EVENT_NONE,           /* not a line we know: ignored */
  SP_SESSION_EVENT_ALIVE,
  SP_SESSION_EVENT_GAME_ENDED,
  SP_SESSION_EVENT_BACKGROUND,
} SpSessionEvent;

/* Parses one status line (untrusted: from a host process the game could
 * impersonate only by being savepoint-run) into @end. */
SpSessionEvent _sp_session_end_parse      (SpSessionEnd       *end,
                                           const char         *line);
/* The game's play time in µs: from @started_mono to the reported end of
 * the game's processes, else to @ended_mono (savepoint-run's exit), else
 * now. */
gint64    _sp_session_end_play_usec       (const SpSessionEnd *end,
                                           gint64              started_mono,
                                           gint64              ended_mono);
void      _sp_session_end_clear           (SpSessionEnd       *end);

G_END_DECLS
