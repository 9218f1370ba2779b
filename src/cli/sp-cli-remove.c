/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `remove GAME [--delete-files]`: the app's "Remove Game…" from a terminal
 * (play/sp-game-remove.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-cli.h"
#include "play/sp-game-remove.h"
#include "core/sp-library-remove.h"

int
sp_cli_remove (const SpCliOptions *options,
               int                 argc,
               char              **argv)
{
  gboolean delete_files = FALSE;
  GOptionEntry entries[] = {
    { "delete-files", 0, 0, G_OPTION_ARG_NONE, &delete_files,
      N_("Delete the game’s files from the drive too (cannot be undone)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *name = NULL;
  int exit_code;

  context = g_option_context_new (_("GAME — remove a game from the library"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Without --delete-files the game’s folder is moved into the drive’s trash\n"
      "(Savepoint/trash/<game>.removed/game) and nothing is deleted."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("remove: %s", error->message);
  if (argc != 2)
    return sp_cli_usage_error (_("usage: savepoint-cli %s %s"), "remove", "GAME [--delete-files]");

  library = sp_cli_open_library (options, &exit_code);
  if (library == NULL)
    return exit_code;
  game = sp_cli_find_game (library, argv[1], &exit_code);
  if (game == NULL)
    return exit_code;
  g_object_ref (game);
  name = g_strdup (sp_game_get_name (game));

  entry = sp_game_remove (library, game, delete_files, &error);
  if (error != NULL)
    return sp_cli_fail (error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "removed");
      json_builder_add_string_value (builder, sp_game_get_slug (game));
      json_builder_set_member_name (builder, "trash_entry");
      if (entry != NULL)
        json_builder_add_string_value (builder, entry);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else if (entry != NULL)
    {
      g_autofree char *trash = sp_drive_trash_get_path (sp_library_get_path (library));
      g_autofree char *path = g_build_filename (trash, entry, SP_REMOVED_GAME_DIR, NULL);

      /* Translators: %s are a game's name and a folder */
      g_print (_("Removed “%s” from the library; its files are kept in “%s”.\n"), name, path);
    }
  else
    /* Translators: %s is a game's name */
    g_print (_("Removed “%s” and deleted its files.\n"), name);
  return SP_CLI_EXIT_OK;
}
