/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-cli log GAME: the log of the game's latest run, from the logs
 * kept on this computer (play/sp-run-logs.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "sp-cli.h"

int
sp_cli_log (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  g_autofree char *library_dir = NULL;
  GOptionEntry entries[] = {
    { "library", 'l', 0, G_OPTION_ARG_FILENAME, &library_dir, N_("The library (drive or Savepoint folder); default $SAVEPOINT_LIBRARY"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autofree char *data = NULL;
  SpCliOptions local = *options;
  gsize length = 0;
  SpGame *game;
  int exit_code;
  int fd;

  context = g_option_context_new (_("GAME — print the log of the game’s latest run"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("The logs of each game’s last runs are kept on this computer, whether the runs were "
      "kept or discarded."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_fail_message ("log", SP_CLI_EXIT_USAGE, "%s", error->message);
  if (argc != 2)
    return sp_cli_fail_message ("log", SP_CLI_EXIT_USAGE, "%s",
                                _("Name one game (its folder name or its name)."));

  if (library_dir != NULL && library_dir[0] != '\0')
    local.library_path = library_dir;
  game = sp_cli_open_game (&local, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  logs = sp_run_logs_list (sp_library_get_id (library), sp_game_get_slug (game), &error);
  if (logs == NULL)
    return sp_cli_fail_message ("log", SP_CLI_EXIT_FAILED, "%s", error->message);
  if (logs->len == 0)
    return sp_cli_fail_message ("log", SP_CLI_EXIT_NOT_FOUND,
                                _("no log of “%s” is kept on this computer yet: it is kept "
                                  "when a run of the game ends."),
                                sp_game_get_name (game));

  fd = sp_open_regular_file (logs->pdata[0], NULL, &error);
  if (fd < 0 ||
      !sp_read_fd_bounded (fd, logs->pdata[0], -1, SP_RUN_LOG_MAX_BYTES + 4096, &data, &length, &error))
    {
      if (fd >= 0)
        close (fd);
      return sp_cli_fail_message ("log", SP_CLI_EXIT_FAILED, "%s", error->message);
    }
  close (fd);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *text = sp_run_log_sanitize (data, (gssize) length);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "game");
      json_builder_add_string_value (builder, sp_game_get_slug (game));
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, logs->pdata[0]);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else if (isatty (STDOUT_FILENO))
    {
      /* What the game printed must not drive the terminal. */
      g_autofree char *text = sp_run_log_sanitize (data, (gssize) length);

      fputs (text, stdout);
    }
  else
    fwrite (data, 1, length, stdout);
  return SP_CLI_EXIT_OK;
}
