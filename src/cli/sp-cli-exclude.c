/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-cli exclude: what a game's checkpoints leave out. */
#include "config.h"

#include <glib/gi18n.h>

#include "core/sp-exclude.h"
#include "sp-cli.h"

static void
print_list (const char         *title,
            const char * const *patterns)
{
  g_print ("%s\n", title);
  if (patterns[0] == NULL)
    g_print ("  %s\n", _("(none)"));
  for (guint i = 0; patterns[i] != NULL; i++)
    g_print ("  %s\n", patterns[i]);
}

static void
print_exclusions (const SpCliOptions *options,
                  SpGame             *game)
{
  gboolean wine = sp_game_get_kind (game) == SP_GAME_KIND_WINE;
  gboolean defaults = wine && sp_game_get_exclude_defaults (game);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      const char * const *own = sp_game_get_exclude (game);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "exclude");
      json_builder_begin_array (builder);
      for (guint i = 0; own[i] != NULL; i++)
        json_builder_add_string_value (builder, own[i]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "defaults");
      json_builder_add_boolean_value (builder, sp_game_get_exclude_defaults (game));
      json_builder_set_member_name (builder, "builtin");
      json_builder_begin_array (builder);
      for (const char * const *p = sp_exclude_wine_defaults (); defaults && *p != NULL; p++)
        json_builder_add_string_value (builder, *p);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "case_sensitive");
      json_builder_add_boolean_value (builder, !wine);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
      return;
    }

  print_list (_("Left out of this game’s checkpoints:"), sp_game_get_exclude (game));
  if (defaults)
    print_list (_("Also left out (built in for Wine prefixes; --no-defaults turns it off):"),
                sp_exclude_wine_defaults ());
  else if (wine)
    g_print ("%s\n", _("The built-in list for Wine prefixes is off (--defaults turns it on)."));
}

void
sp_cli_print_excluded (SpGame       *game,
                       SpCheckpoint *checkpoint)
{
  guint64 files = sp_checkpoint_get_excluded_files (checkpoint);
  g_autofree char *size = NULL;

  if (files == 0)
    return;
  size = g_format_size (sp_checkpoint_get_excluded_bytes (checkpoint));
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Left out %s in %u file or folder that the game’s "
                        "exclusions match (“savepoint-cli exclude %s” lists them).\n",
                        "Left out %s in %u files and folders that the game’s "
                        "exclusions match (“savepoint-cli exclude %s” lists them).\n",
                        (gulong) MIN (files, G_MAXUINT)),
           size, (guint) MIN (files, G_MAXUINT), sp_game_get_slug (game));
}

int
sp_cli_exclude (const SpCliOptions *options,
                int                 argc,
                char              **argv)
{
  g_auto(GStrv) remove = NULL;
  gboolean defaults = FALSE;
  gboolean no_defaults = FALSE;
  GOptionEntry entries[] = {
    { "remove", 0, 0, G_OPTION_ARG_STRING_ARRAY, &remove,
      N_("Keep this pattern’s files again (repeat for more)"), N_("PATTERN") },
    { "defaults", 0, 0, G_OPTION_ARG_NONE, &defaults,
      N_("Wine prefixes: leave out caches, temporary files and crash dumps (the default)"), NULL },
    { "no-defaults", 0, 0, G_OPTION_ARG_NONE, &no_defaults,
      N_("Wine prefixes: keep caches and temporary files too"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) patterns = NULL;
  gboolean changed = FALSE;
  SpGame *game;
  int exit_code;

  context = g_option_context_new (_("GAME [PATTERN…] — leave files out of a game’s checkpoints"));
  g_option_context_set_summary (context,
                                _("A pattern is a glob from the game’s folder, e.g. "
                                  "“cache/*” or “drive_c/users/*/AppData/Local/Game/Logs”; one "
                                  "without “/” matches a name in any folder, e.g. “*.log”. "
                                  "Wine games match regardless of case. Deleted files are always "
                                  "recorded."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("exclude: %s", error->message);
  if (argc < 2)
    return sp_cli_usage_error (_("usage: savepoint-cli exclude GAME [PATTERN…] [--remove PATTERN] "
                                 "[--defaults|--no-defaults]"));
  if (defaults && no_defaults)
    return sp_cli_usage_error (_("exclude: --defaults and --no-defaults cannot go together"));

  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  builder = g_strv_builder_new ();
  for (const char * const *p = sp_game_get_exclude (game); *p != NULL; p++)
    {
      if (remove != NULL && g_strv_contains ((const char * const *) remove, *p))
        {
          changed = TRUE;
          continue;
        }
      g_strv_builder_add (builder, *p);
    }
  for (guint i = 0; remove != NULL && remove[i] != NULL; i++)
    if (!g_strv_contains (sp_game_get_exclude (game), remove[i]))
      return sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                  _("“%s” does not leave out “%s”. “savepoint-cli exclude %s” "
                                    "lists its patterns."),
                                  sp_game_get_name (game), remove[i], sp_game_get_slug (game));
  for (int i = 2; i < argc; i++)
    {
      g_autoptr(GError) pattern_error = NULL;

      if (!sp_exclude_pattern_is_valid (argv[i], &pattern_error))
        return sp_cli_usage_error (_("exclude: the pattern “%s” is not allowed: %s"),
                                   argv[i], pattern_error->message);
      if (g_strv_contains (sp_game_get_exclude (game), argv[i]))
        continue;
      g_strv_builder_add (builder, argv[i]);
      changed = TRUE;
    }
  patterns = g_strv_builder_end (builder);

  if ((defaults || no_defaults) && sp_game_get_kind (game) != SP_GAME_KIND_WINE)
    return sp_cli_usage_error (_("exclude: --defaults and --no-defaults are for Wine games; "
                                 "“%s” is a native game"), sp_game_get_name (game));
  if ((defaults && !sp_game_get_exclude_defaults (game)) ||
      (no_defaults && sp_game_get_exclude_defaults (game)))
    {
      sp_game_set_exclude_defaults (game, defaults);
      changed = TRUE;
    }

  if (changed)
    {
      if (!sp_game_set_exclude (game, (const char * const *) patterns, &error) ||
          !sp_game_save_sync (game, &error))
        return sp_cli_fail (error);
    }
  print_exclusions (options, game);
  return SP_CLI_EXIT_OK;
}
