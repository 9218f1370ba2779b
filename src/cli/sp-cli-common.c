/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "core/sp-library-finder.h"
#include "sp-cli.h"

int
sp_cli_fail_message (const char *command,
                     int         exit_code,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (command != NULL)
    g_printerr ("savepoint-cli %s: %s\n", command, message);
  else
    g_printerr ("savepoint-cli: %s\n", message);
  return exit_code;
}

int
sp_cli_usage_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  sp_cli_fail_message (NULL, SP_CLI_EXIT_USAGE, "%s", message);
  g_printerr (_("Try “savepoint-cli --help” for the list of commands.\n"));
  return SP_CLI_EXIT_USAGE;
}

int
sp_cli_exit_code_for (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return SP_CLI_EXIT_CANCELLED;
  if (error->domain == SP_LIBRARY_ERROR)
    {
      switch ((SpLibraryError) error->code)
        {
        case SP_LIBRARY_ERROR_NOT_FOUND:
          return SP_CLI_EXIT_NOT_FOUND;
        case SP_LIBRARY_ERROR_READ_ONLY:
        case SP_LIBRARY_ERROR_NEWER_VERSION:
          return SP_CLI_EXIT_READ_ONLY;
        case SP_LIBRARY_ERROR_MALFORMED:
        case SP_LIBRARY_ERROR_DAMAGED:
          return SP_CLI_EXIT_DAMAGED;
        case SP_LIBRARY_ERROR_INVALID:
          return SP_CLI_EXIT_USAGE;
        case SP_LIBRARY_ERROR_EXISTS:
        case SP_LIBRARY_ERROR_FAILED:
        default:
          return SP_CLI_EXIT_FAILED;
        }
    }
  if (error->domain == SP_ARCHIVE_ERROR
      && (error->code == SP_ARCHIVE_ERROR_CHECKSUM
          || error->code == SP_ARCHIVE_ERROR_CORRUPT
          || error->code == SP_ARCHIVE_ERROR_HOSTILE))
    return SP_CLI_EXIT_DAMAGED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return SP_CLI_EXIT_NOT_FOUND;
  return SP_CLI_EXIT_FAILED;
}

int
sp_cli_fail (const GError *error)
{
  return sp_cli_fail_message (NULL, sp_cli_exit_code_for (error), "%s", error->message);
}

GSettings *
sp_cli_app_settings (const char *key)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* The one library among @paths (folders of $SAVEPOINT_LIBRARY when
 * @from_environment, else drives and configured folders). A folder whose
 * library is refused (bad Id, unreadable library.ini…) is reported and left
 * out, so that it neither hides nor blocks the others. */
static char *
choose_library (GPtrArray *paths,
                gboolean   from_environment,
                int       *out_exit)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  /* The Savepoint folders of @found: one library reached twice (a drive
   * and a configured folder) counts once. */
  g_autoptr(GPtrArray) found_libraries = g_ptr_array_new_with_free_func (g_free);
  int refused_exit = SP_CLI_EXIT_OK;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(SpLibrary) library = NULL;

      if (!sp_library_candidate_has_library (path))
        continue;
      library = sp_library_open (path, &error);
      if (library != NULL)
        {
          if (!g_ptr_array_find_with_equal_func (found_libraries, sp_library_get_path (library),
                                                 g_str_equal, NULL))
            {
              g_ptr_array_add (found, g_strdup (path));
              g_ptr_array_add (found_libraries, g_strdup (sp_library_get_path (library)));
            }
          continue;
        }
      g_printerr (_("savepoint-cli: the library on %s is refused: %s\n"), path, error->message);
      refused_exit = sp_cli_exit_code_for (error);
    }
  if (found->len == 0 && refused_exit != SP_CLI_EXIT_OK)
    {
      *out_exit = refused_exit;
      return NULL;
    }
  if (found->len == 0)
    {
      if (from_environment)
        *out_exit = sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND, "%s",
                                         _("none of the folders in $SAVEPOINT_LIBRARY holds a "
                                           "Savepoint library. Name the library with --library "
                                           "DIR; “savepoint-cli init DIR” creates one."));
      else
        *out_exit = sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND, "%s",
                                         _("no Savepoint library found on a mounted drive.\n"
                                           "Connect the drive, or name the library with "
                                           "--library DIR (or $SAVEPOINT_LIBRARY); "
                                           "“savepoint-cli init DIR” creates one."));
      return NULL;
    }
  if (found->len > 1)
    {
      sp_cli_fail_message (NULL, SP_CLI_EXIT_USAGE, "%s",
                           from_environment
                           ? _("several folders in $SAVEPOINT_LIBRARY hold a Savepoint library; "
                               "choose one with --library DIR:")
                           : _("several drives hold a Savepoint library; choose one with "
                               "--library DIR:"));
      for (guint i = 0; i < found->len; i++)
        g_printerr ("  %s\n", (const char *) g_ptr_array_index (found, i));
      *out_exit = SP_CLI_EXIT_USAGE;
      return NULL;
    }
  *out_exit = SP_CLI_EXIT_OK;
  return g_strdup (g_ptr_array_index (found, 0));
}

char *
sp_cli_resolve_library_path (const SpCliOptions *options,
                             gboolean            search,
                             int                *out_exit)
{
  g_auto(GStrv) environment = sp_library_environment_folders ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  *out_exit = SP_CLI_EXIT_OK;
  if (options->library_path != NULL && *options->library_path != '\0')
    return g_strdup (options->library_path);

  /* One folder is the library, whatever is there (opening it says what is
   * wrong); of several, the one that holds a library. */
  if (g_strv_length (environment) == 1)
    return g_strdup (environment[0]);
  if (environment[0] != NULL)
    {
      for (guint i = 0; environment[i] != NULL; i++)
        g_ptr_array_add (paths, environment[i]);
      return choose_library (paths, TRUE, out_exit);
    }

  if (!search)
    return NULL;
  {
    g_autoptr(GSettings) settings = sp_cli_app_settings ("library-folders");
    g_autoptr(GPtrArray) candidates = sp_library_find_candidates (NULL, settings);

    for (guint i = 0; i < candidates->len; i++)
      g_ptr_array_add (paths, ((SpLibraryCandidate *) g_ptr_array_index (candidates, i))->path);
    return choose_library (paths, FALSE, out_exit);
  }
}

SpLibrary *
sp_cli_open_library (const SpCliOptions *options,
                     int                *out_exit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = sp_cli_resolve_library_path (options, TRUE, out_exit);
  SpLibrary *library;

  if (path == NULL)
    return NULL;
  library = sp_library_open (path, &error);
  if (library == NULL)
    {
      *out_exit = sp_cli_fail (error);
      return NULL;
    }
  if (sp_library_get_warning (library) != NULL)
    g_printerr ("savepoint-cli: %s\n", sp_library_get_warning (library));
  *out_exit = SP_CLI_EXIT_OK;
  return library;
}

SpGame *
sp_cli_find_game (SpLibrary  *library,
                  const char *name,
                  int        *out_exit)
{
  SpGame *game = sp_library_find_game (library, name);

  if (game == NULL)
    {
      *out_exit = sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                       _("no game “%s” in the library %s. “savepoint-cli list” "
                                         "shows the games it has."),
                                       name, sp_library_get_path (library));
      return NULL;
    }
  *out_exit = SP_CLI_EXIT_OK;
  return game;
}

void
sp_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

gboolean
sp_cli_parse_command (const char    *command,
                      const char    *args,
                      GOptionEntry  *entries,
                      int           *argc,
                      char        ***argv,
                      int            min_args,
                      int            max_args,
                      int           *out_exit)
{
  g_autofree char *parameter = g_strdup_printf ("%s %s", command, args);
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *out_exit = sp_cli_usage_error ("%s: %s", command, error->message);
      return FALSE;
    }
  /* (*argv)[0] is the command itself. */
  if (*argc - 1 < min_args || (max_args >= 0 && *argc - 1 > max_args))
    {
      *out_exit = sp_cli_usage_error (_("usage: savepoint-cli %s %s"), command, args);
      return FALSE;
    }
  return TRUE;
}

SpGame *
sp_cli_open_game (const SpCliOptions  *options,
                  const char          *game_name,
                  const char          *id,
                  SpLibrary          **out_library,
                  int                 *out_exit)
{
  g_autoptr(SpLibrary) library = sp_cli_open_library (options, out_exit);
  SpGame *game;

  if (library == NULL)
    return NULL;
  game = sp_cli_find_game (library, game_name, out_exit);
  if (game == NULL)
    return NULL;
  if (id != NULL && g_strcmp0 (id, "clean") != 0 && sp_game_find_checkpoint (game, id) == NULL)
    {
      *out_exit = sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                       _("“%s” has no checkpoint %s. "
                                         "“savepoint-cli checkpoints %s” lists them."),
                                       sp_game_get_name (game), id, sp_game_get_slug (game));
      return NULL;
    }
  *out_library = g_steal_pointer (&library);
  return game;
}

GPtrArray *
sp_cli_collect_games (SpLibrary  *library,
                      const char *name,
                      int        *out_exit)
{
  g_autoptr(GPtrArray) games = g_ptr_array_new_with_free_func (g_object_unref);

  if (name != NULL)
    {
      SpGame *game = sp_cli_find_game (library, name, out_exit);

      if (game == NULL)
        return NULL;
      g_ptr_array_add (games, g_object_ref (game));
    }
  else
    {
      GListModel *all = sp_library_get_games (library);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        g_ptr_array_add (games, g_list_model_get_item (all, i));
    }
  return g_steal_pointer (&games);
}

/* ---- JSON shapes, shared by list, show, checkpoints and prune ---- */

void
sp_cli_add_optional_string_json (JsonBuilder *builder,
                                 const char  *member,
                                 const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
sp_cli_add_checkpoint_json (JsonBuilder  *builder,
                            SpGame       *game,
                            SpCheckpoint *checkpoint)
{
  GDateTime *when = sp_checkpoint_get_created (checkpoint);
  g_autofree char *created = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, sp_checkpoint_get_id (checkpoint));
  sp_cli_add_optional_string_json (builder, "parent", sp_checkpoint_get_parent (checkpoint));
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, sp_checkpoint_get_label (checkpoint));
  json_builder_set_member_name (builder, "note");
  json_builder_add_string_value (builder, sp_checkpoint_get_note (checkpoint));
  json_builder_set_member_name (builder, "pinned");
  json_builder_add_boolean_value (builder, sp_checkpoint_get_pinned (checkpoint));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "play_time");
  json_builder_add_int_value (builder, sp_checkpoint_get_play_time (checkpoint));
  json_builder_set_member_name (builder, "files");
  json_builder_add_int_value (builder, (gint64) sp_checkpoint_get_files (checkpoint));
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) sp_checkpoint_get_bytes (checkpoint));
  json_builder_set_member_name (builder, "archive_size");
  json_builder_add_int_value (builder, (gint64) sp_checkpoint_get_archive_size (checkpoint));
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sp_checkpoint_get_sha256 (checkpoint));
  json_builder_set_member_name (builder, "archive");
  json_builder_add_string_value (builder, sp_checkpoint_get_archive_path (checkpoint));
  json_builder_set_member_name (builder, "current");
  json_builder_add_boolean_value (builder,
                                  g_strcmp0 (sp_game_get_head (game),
                                             sp_checkpoint_get_id (checkpoint)) == 0);
  json_builder_set_member_name (builder, "missing");
  json_builder_add_boolean_value (builder, sp_checkpoint_get_missing (checkpoint));
  json_builder_end_object (builder);
}
