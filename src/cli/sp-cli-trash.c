/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trash of discarded runs from a terminal: `trash [GAME] [--empty]`,
 * `recover GAME --from-trash ID`, and the expiry every command starts with
 * (play/sp-run-trash.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-cli.h"

void
sp_cli_trash_expire (void)
{
  g_autoptr(GSettings) settings = sp_cli_app_settings ("trash-max-size-gb");

  if (settings != NULL)
    sp_run_trash_set_limits (g_settings_get_uint (settings, "trash-max-age-days"),
                             (guint64) g_settings_get_uint (settings, "trash-max-size-gb") *
                             1000 * 1000 * 1000);
  sp_run_trash_expire (NULL, NULL);
}

static char *
format_local (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup ("-");
  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
add_member (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_json (GPtrArray *list)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    {
      SpTrashedRun *t = list->pdata[i];
      g_autofree char *discarded = g_date_time_format_iso8601 (t->discarded);
      g_autofree char *started = t->started ? g_date_time_format_iso8601 (t->started) : NULL;

      json_builder_begin_object (builder);
      add_member (builder, "id", t->id);
      add_member (builder, "library", t->library_id);
      add_member (builder, "game", t->slug);
      add_member (builder, "name", t->game_name);
      add_member (builder, "head", t->head);
      add_member (builder, "started", started);
      add_member (builder, "discarded", discarded);
      json_builder_set_member_name (builder, "play_time");
      json_builder_add_int_value (builder, t->play_time);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) t->size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  sp_cli_print_json (builder);
}

int
sp_cli_trash (const SpCliOptions *options,
              int                 argc,
              char              **argv)
{
  gboolean empty = FALSE;
  GOptionEntry entries[] = {
    { "empty", 0, 0, G_OPTION_ARG_NONE, &empty,
      N_("Delete the discarded runs (of GAME, or all) for good"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const char *library_id = NULL;
  const char *slug = NULL;

  context = g_option_context_new (_("[GAME] — list the discarded runs kept in the trash"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("A discarded run stays in the trash for a while (the app’s Preferences set how long and "
      "how much);\n“savepoint-cli recover GAME --from-trash ID” turns it back into a pending "
      "run."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("trash: %s", error->message);
  if (argc > 2)
    return sp_cli_usage_error (_("usage: savepoint-cli %s %s"), "trash", "[GAME] [--empty]");

  if (argc == 2)
    {
      int exit_code;
      SpGame *game;

      game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
      if (game == NULL)
        return exit_code;
      library_id = sp_library_get_id (library);
      slug = sp_game_get_slug (game);
    }

  if (empty)
    {
      guint removed = 0;

      if (!sp_run_trash_empty (library_id, slug, &removed, NULL, &error))
        return sp_cli_fail (error);
      if (options->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "removed");
          json_builder_add_int_value (builder, removed);
          json_builder_end_object (builder);
          sp_cli_print_json (builder);
        }
      else
        g_print (g_dngettext (GETTEXT_PACKAGE, "Deleted %u discarded run for good.\n",
                              "Deleted %u discarded runs for good.\n", removed), removed);
      return SP_CLI_EXIT_OK;
    }

  list = sp_run_trash_list (library_id, slug, &error);
  if (list == NULL)
    return sp_cli_fail (error);
  if (options->json)
    {
      print_json (list);
      return SP_CLI_EXIT_OK;
    }
  if (list->len == 0)
    {
      g_print ("%s\n", _("The trash is empty."));
      return SP_CLI_EXIT_OK;
    }
  for (guint i = 0; i < list->len; i++)
    {
      SpTrashedRun *t = list->pdata[i];
      g_autofree char *date = format_local (t->discarded);
      g_autofree char *duration = sp_format_duration (t->play_time);
      g_autofree char *size = g_format_size (t->size);

      /* id, game, discarded at, play time, size */
      g_print ("%s\t%s\t%s\t%s\t%s\n", t->id, t->game_name, date, duration, size);
    }
  return SP_CLI_EXIT_OK;
}

int
sp_cli_recover_from_trash (const SpCliOptions *options,
                           const char         *library_dir,
                           const char         *game_name,
                           const char         *id)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GError) error = NULL;
  SpCliOptions with_library = *options;
  SpGame *game;
  int exit_code;

  /* An id from the command line names a folder: only the strict form. */
  if (!sp_run_trash_id_is_valid (id))
    return sp_cli_fail_message ("recover", SP_CLI_EXIT_USAGE,
                                _("“%s” is not a trash id; “savepoint-cli trash” lists them."),
                                id);
  if (library_dir != NULL && library_dir[0] != '\0')
    with_library.library_path = library_dir;
  library = sp_cli_open_library (&with_library, &exit_code);
  if (library == NULL)
    return exit_code;
  game = sp_cli_find_game (library, game_name, &exit_code);
  if (game == NULL)
    return exit_code;

  run = sp_run_trash_recover (id, sp_library_get_id (library), game, &error);
  if (run == NULL)
    {
      int code = g_error_matches (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND)
                 ? SP_CLI_EXIT_NOT_FOUND : SP_CLI_EXIT_FAILED;

      return sp_cli_fail_message ("recover", code, "%s", error->message);
    }
  g_print (_("The discarded run of “%s” is pending again (%s); keep it with “savepoint-cli "
             "recover %s --keep LABEL”.\n"),
           sp_game_get_name (game), sp_run_get_path (run), sp_game_get_slug (game));
  return SP_CLI_EXIT_OK;
}

int
sp_cli_check_head_change (SpLibrary  *library,
                          SpGame     *game,
                          const char *id)
{
  g_autoptr(GError) error = NULL;

  /* Restoring the head it already has overwrites nothing. */
  if (g_strcmp0 (id, sp_game_get_head (game)) == 0)
    return SP_CLI_EXIT_OK;
  if (sp_run_check_head_change (sp_library_get_id (library), game, NULL, &error))
    return SP_CLI_EXIT_OK;
  if (g_error_matches (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS))
    return sp_cli_fail_message ("restore", SP_CLI_EXIT_FAILED,
                                _("%s Restoring now would leave it behind: keep it "
                                  "(savepoint-cli recover %s --keep LABEL) or move it to the "
                                  "trash (savepoint-cli recover %s --discard) first."),
                                error->message, sp_game_get_slug (game),
                                sp_game_get_slug (game));
  return sp_cli_fail_message ("restore", SP_CLI_EXIT_FAILED, "%s", error->message);
}
