/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The play/runs/recover subcommands as savepoint-cli runs them, for the
 * session tests (savepoint-cli's main belongs to the CLI issue). */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>

#include "sp-cli-play.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  if (argc >= 2 && strcmp (argv[1], "play") == 0)
    return sp_cli_play (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "runs") == 0)
    return sp_cli_runs (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "recover") == 0)
    return sp_cli_recover (argc - 1, argv + 1);
  g_printerr ("Usage: sp-play-helper play|runs|recover …\n");
  return 2;
}
