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

G_END_DECLS
