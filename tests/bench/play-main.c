/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-bench-play: `savepoint-cli play` for the benchmark while the
 * play subcommand (src/cli/play, libspcliplay) is not yet linked into
 * savepoint-cli. The very same code: this only calls sp_cli_play(). run.sh
 * builds it from the release build's static libraries, and bench.py uses it
 * only when `savepoint-cli play --help` fails.
 *
 *   savepoint-bench-play play GAME [--library DIR] [--from ID|--clean] …
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "sp-cli-play.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  if (argc < 2 || strcmp (argv[1], "play") != 0)
    {
      fprintf (stderr, "usage: savepoint-bench-play play GAME [OPTIONS]\n");
      return 2;
    }
  return sp_cli_play (argc - 1, argv + 1);
}
