/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Wine commands of savepoint-cli: repair GAME, update-wine GAME, and
 * the warnings of play about Wine (sp-cli.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "sp-cli.h"

/* Prints each of @paths on its own indented line. */
static void
print_paths (const char * const *paths)
{
  for (guint i = 0; paths[i] != NULL; i++)
    g_print ("  %s\n", paths[i]);
}

int
sp_cli_repair (const SpCliOptions *options,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("repair GAME"));
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) replaced = NULL;
  SpGame *game;
  int exit_code;

  g_option_context_set_summary (context,
                                _("Replaces the links of a Wine game’s clean install that lead "
                                  "out of its prefix (Documents, Desktop, … in "
                                  "drive_c/users/NAME) with empty folders, so that saves there "
                                  "are kept in checkpoints. Only while the game is not "
                                  "played."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("repair: %s", error->message);
  if (argc != 2)
    return sp_cli_usage_error (_("usage: savepoint-cli %s %s"), "repair", "GAME");

  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  if (!sp_wine_repair_sync (game, &replaced, NULL, &error))
    {
      if (replaced != NULL && replaced[0] != NULL && !options->json)
        {
          g_print (_("Replaced before the error:\n"));
          print_paths ((const char * const *) replaced);
        }
      return sp_cli_fail (error);
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "game");
      json_builder_add_string_value (builder, sp_game_get_slug (game));
      json_builder_set_member_name (builder, "replaced");
      json_builder_begin_array (builder);
      for (guint i = 0; replaced[i] != NULL; i++)
        json_builder_add_string_value (builder, replaced[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else if (replaced[0] == NULL)
    g_print (_("Nothing to repair: no link of the clean install of “%s” leads out of its "
               "prefix.\n"), sp_game_get_name (game));
  else
    {
      guint n = g_strv_length (replaced);

      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Replaced %u link leading out of the prefix of “%s” with an empty "
                            "folder; saves there are now kept in checkpoints:\n",
                            "Replaced %u links leading out of the prefix of “%s” with empty "
                            "folders; saves there are now kept in checkpoints:\n", n),
               n, sp_game_get_name (game));
      print_paths ((const char * const *) replaced);
    }
  return SP_CLI_EXIT_OK;
}

int
sp_cli_update_wine (const SpCliOptions *options,
                    int                 argc,
                    char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("update-wine GAME"));
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) approved_runners = NULL;
  g_auto(GStrv) approved_environment = NULL;
  g_autofree char *runner_option = NULL;
  g_autofree char *runner = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *before = NULL;
  g_autofree char *version = NULL;
  gboolean allow_runner = FALSE;
  gboolean finished = FALSE;
  GOptionEntry entries[] = {
    { "runner", 0, 0, G_OPTION_ARG_STRING, &runner_option,
      N_("Wine runner when the game sets none (default $SAVEPOINT_WINE_RUNNER or wine)"),
      N_("COMMAND") },
    { "allow-runner", 0, 0, G_OPTION_ARG_NONE, &allow_runner,
      N_("Use the Wine runner the game’s settings ask for (only for a drive you trust)"),
      NULL },
    { NULL }
  };
  SpGame *game;
  int exit_code;

  g_option_context_set_summary (context,
                                _("Updates the clean install of a Wine game with the Wine that "
                                  "plays it (wineboot -u), once, instead of in every "
                                  "checkpoint, and records that Wine’s version. Also finishes an "
                                  "update that was interrupted. Only while the game is not "
                                  "played and no run of it waits to be kept or discarded."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("update-wine: %s", error->message);
  if (argc != 2)
    return sp_cli_usage_error (_("usage: savepoint-cli %s %s"), "update-wine", "GAME");

  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  /* The Wine a session of this game would run (design.md, "Trust"). */
  session = sp_session_new (library, game);
  if (runner_option != NULL)
    sp_session_set_default_runner (session, runner_option);
  settings = sp_cli_app_settings ("approved-runners");
  if (settings != NULL)
    {
      approved_runners = g_settings_get_strv (settings, "approved-runners");
      approved_environment = g_settings_get_strv (settings, "approved-environment");
    }
  sp_session_set_runner_policy (session, (const char * const *) approved_runners,
                                (const char * const *) approved_environment, allow_runner);
  refused = sp_session_get_refused_runner (session);
  if (refused != NULL)
    g_printerr (_("savepoint-cli update-wine: “%s” asks to run with “%s”, which you have not "
                  "approved; using the default Wine runner instead. If you trust this drive, "
                  "run again with --allow-runner.\n"),
                sp_game_get_name (game), refused);
  runner = sp_session_get_runner (session);

  before = g_strdup (sp_game_get_wine_version (game));
  version = sp_wine_update_sync (library, game, runner, &finished, NULL, &error);
  if (version == NULL)
    return sp_cli_fail (error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "game");
      json_builder_add_string_value (builder, sp_game_get_slug (game));
      sp_cli_add_optional_string_json (builder, "previous", before);
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, version);
      json_builder_set_member_name (builder, "updated");
      json_builder_add_boolean_value (builder, g_strcmp0 (before, version) != 0);
      json_builder_set_member_name (builder, "resumed");
      json_builder_add_boolean_value (builder, finished);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else if (finished)
    g_print (_("Finished the interrupted update of the clean install of “%s”: it is now "
               "%s’s.\n"), sp_game_get_name (game), version);
  else if (g_strcmp0 (before, version) == 0)
    g_print (_("Nothing to update: the clean install of “%s” was made with %s.\n"),
             sp_game_get_name (game), version);
  else
    g_print (_("Updated the clean install of “%s” with %s.\n"), sp_game_get_name (game),
             version);
  return SP_CLI_EXIT_OK;
}

void
sp_cli_warn_wine_update (SpSession *session)
{
  SpGame *game = sp_session_get_game (session);
  g_autofree char *runner = NULL;
  g_autofree char *other = NULL;

  if (sp_game_get_kind (game) != SP_GAME_KIND_WINE || sp_game_get_wine_version (game) == NULL)
    return;
  runner = sp_session_get_runner (session);
  other = sp_wine_runner_differs (sp_game_get_wine_version (game), runner, NULL);
  if (other != NULL)
    g_printerr (_("Warning: %s will update the prefix of “%s” (its clean install was made "
                  "with %s); the update will be saved in every checkpoint. To update the "
                  "clean install once instead, run “savepoint-cli update-wine %s” first.\n"),
                other, sp_game_get_name (game), sp_game_get_wine_version (game),
                sp_game_get_slug (game));
}

void
sp_cli_print_run_warnings (const char * const *warnings)
{
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    g_printerr (_("Warning: %s\n"), warnings[i]);
}

void
sp_cli_print_replaced_links (SpGame   *game,
                             gboolean  adopted)
{
  const char * const *replaced = sp_game_get_replaced_links (game);
  guint n = g_strv_length ((char **) replaced);

  if (n == 0)
    return;
  if (adopted)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "In the adopted folder, %u link leading out of the Wine prefix is "
                          "now an empty folder, so saves there are kept in checkpoints:\n",
                          "In the adopted folder, %u links leading out of the Wine prefix are "
                          "now empty folders, so saves there are kept in checkpoints:\n", n),
             n);
  else
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "In the copy on the drive, %u link leading out of the Wine prefix is "
                          "now an empty folder, so saves there are kept in checkpoints (the "
                          "source folder is unchanged):\n",
                          "In the copy on the drive, %u links leading out of the Wine prefix "
                          "are now empty folders, so saves there are kept in checkpoints (the "
                          "source folder is unchanged):\n", n),
             n);
  print_paths (replaced);
}
