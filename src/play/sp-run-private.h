/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-run.h"

G_BEGIN_DECLS

/* For sp-run-trash.c: proves the run's folder is ours and returns the
 * descriptor of runs/<library-id> (its entry is the run's slug), or -1 with
 * *out_gone TRUE when the folder is already gone, else with @error. */
int  _sp_run_open_proven_parent (SpRun     *self,
                                 gboolean  *out_gone,
                                 GError   **error);

G_END_DECLS
