/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* savepoint-cli subcommands about play sessions; argv[0] is the
 * subcommand's name. Each returns the process exit status. */

/* play GAME [--library DIR] [--from ID|--clean] [--keep [LABEL]|--discard|--ask]
 *           [--leave] [--grace SECONDS] */
int  sp_cli_play    (int    argc,
                     char **argv);
/* runs [--library DIR] */
int  sp_cli_runs    (int    argc,
                     char **argv);
/* recover [--library DIR] [--keep LABEL|--discard] [RUN…] */
int  sp_cli_recover (int    argc,
                     char **argv);

G_END_DECLS
