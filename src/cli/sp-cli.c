/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "sp-cli.h"

typedef int (*SpCliCommandFunc) (const SpCliOptions *options,
                                 int                 argc,
                                 char              **argv);

typedef struct
{
  const char       *name;
  const char       *args;
  const char       *summary;
  SpCliCommandFunc  func;
  gboolean          no_json;   /* prints text only */
} SpCliCommand;

static char *
format_size (guint64 bytes)
{
  return g_format_size (bytes);
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup (_("never"));
  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static char *
format_iso (GDateTime *date)
{
  return date != NULL ? g_date_time_format_iso8601 (date) : NULL;
}

/* ---- JSON shapes, shared by list, show and checkpoints ---- */

static void
add_checkpoints_json (JsonBuilder *builder,
                      SpGame      *game)
{
  GListModel *checkpoints = sp_game_get_checkpoints (game);

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (checkpoints); i++)
    {
      g_autoptr(SpCheckpoint) checkpoint = g_list_model_get_item (checkpoints, i);
      sp_cli_add_checkpoint_json (builder, game, checkpoint);
    }
  json_builder_end_array (builder);
}

/* The members init and list share. */
static void
add_library_members_json (JsonBuilder *builder,
                          SpLibrary   *library)
{
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, sp_library_get_path (library));
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, sp_library_get_id (library));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, sp_library_get_name (library));
}

static void
add_strv_json (JsonBuilder        *builder,
               const char         *member,
               const char * const *strv)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
add_game_json (JsonBuilder *builder,
               SpGame      *game,
               gboolean     with_checkpoints)
{
  GListModel *checkpoints = sp_game_get_checkpoints (game);
  g_autofree char *last_played = format_iso (sp_game_get_last_played (game));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "slug");
  json_builder_add_string_value (builder, sp_game_get_slug (game));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, sp_game_get_name (game));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, sp_game_kind_to_string (sp_game_get_kind (game)));
  sp_cli_add_optional_string_json (builder, "executable", sp_game_get_executable (game));
  add_strv_json (builder, "arguments", sp_game_get_arguments (game));
  sp_cli_add_optional_string_json (builder, "working_directory", sp_game_get_working_directory (game));
  add_strv_json (builder, "environment", sp_game_get_environment (game));
  sp_cli_add_optional_string_json (builder, "runner", sp_game_get_runner (game));
  sp_cli_add_optional_string_json (builder, "home", sp_game_get_home (game));
  sp_cli_add_optional_string_json (builder, "icon", sp_game_get_icon (game));
  sp_cli_add_optional_string_json (builder, "wine_user", sp_game_get_wine_user (game));
  sp_cli_add_optional_string_json (builder, "wine_version", sp_game_get_wine_version (game));
  sp_cli_add_optional_string_json (builder, "head", sp_game_get_head (game));
  json_builder_set_member_name (builder, "checkpoint_count");
  json_builder_add_int_value (builder, g_list_model_get_n_items (checkpoints));
  json_builder_set_member_name (builder, "play_time");
  json_builder_add_int_value (builder, sp_game_get_play_time (game));
  sp_cli_add_optional_string_json (builder, "last_played", last_played);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, sp_game_get_path (game));
  if (with_checkpoints)
    {
      json_builder_set_member_name (builder, "checkpoints");
      add_checkpoints_json (builder, game);
    }
  json_builder_end_object (builder);
}

/* ---- init ---- */

static int
cmd_init (const SpCliOptions *options,
          int                 argc,
          char              **argv)
{
  g_autofree char *name = NULL;
  GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The library’s name"), N_("NAME") },
    { NULL }
  };
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;

  if (!sp_cli_parse_command ("init", "DIR", entries, &argc, &argv, 1, 1, &exit_code))
    return exit_code;

  if (name == NULL)
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      name = g_strdup_printf (_("Games on %s"), base);
    }
  library = sp_library_create_sync (argv[1], name, &error);
  if (library == NULL)
    return sp_cli_fail (error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      json_builder_begin_object (builder);
      add_library_members_json (builder, library);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else
    g_print (_("Created the library “%s” at %s\n"),
             sp_library_get_name (library), sp_library_get_path (library));
  return SP_CLI_EXIT_OK;
}

/* ---- add ---- */

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  SpGame       *game;
  GError       *error;
  gboolean      show_progress;
  gint64        last_print;
} AddState;

static void
add_progress_cb (guint64  bytes_done,
                 guint64  bytes_total,
                 guint64  files_done,
                 guint64  files_total,
                 gpointer user_data)
{
  AddState *state = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;

  if (!state->show_progress)
    return;
  if (now - state->last_print < G_USEC_PER_SEC / 10 && bytes_done < bytes_total)
    return;
  state->last_print = now;
  done = g_format_size (bytes_done);
  total = g_format_size (bytes_total);
  g_printerr ("\r\033[K");
  g_printerr (_("Copying… %3d%% (%s of %s, %" PRIu64 " of %" PRIu64 " files)"),
              bytes_total > 0 ? (int) (bytes_done * 100 / bytes_total) : 100,
              done, total, files_done, files_total);
}

static void
add_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  AddState *state = user_data;

  state->game = sp_library_add_game_finish (SP_LIBRARY (object), result, &state->error);
  g_main_loop_quit (state->loop);
}

static gboolean
cancel_on_signal_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static int
cmd_add (const SpCliOptions *options,
         int                 argc,
         char              **argv)
{
  g_autofree char *executable = NULL;
  g_autofree char *kind_str = NULL;
  g_autofree char *workdir = NULL;
  g_autofree char *runner = NULL;
  g_autofree char *home = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *wine_user = NULL;
  g_auto(GStrv) arguments = NULL;
  g_auto(GStrv) environment = NULL;
  gboolean adopt = FALSE;
  GOptionEntry entries[] = {
    { "exec", 'e', 0, G_OPTION_ARG_STRING, &executable,
      N_("The game’s executable, relative to the folder (required)"), N_("PATH") },
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind_str,
      N_("“wine” for a Wine prefix, “native” otherwise (default: guessed)"), N_("KIND") },
    { "arg", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &arguments,
      N_("An argument for the game (repeat for more)"), N_("ARG") },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir,
      N_("Working directory, relative to the folder"), N_("PATH") },
    { "env", 0, 0, G_OPTION_ARG_STRING_ARRAY, &environment,
      N_("An environment variable (repeat for more)"), N_("KEY=VALUE") },
    { "runner", 'r', 0, G_OPTION_ARG_STRING, &runner,
      N_("Wine runner to use (default: wine)"), N_("PROGRAM") },
    { "home", 0, 0, G_OPTION_ARG_STRING, &home,
      N_("Native games: a folder inside the game used as HOME, so saves land there"), N_("PATH") },
    { "icon", 0, 0, G_OPTION_ARG_STRING, &icon, N_("Icon file, relative to the folder"), N_("PATH") },
    { "wine-user", 0, 0, G_OPTION_ARG_STRING, &wine_user,
      N_("Wine prefixes with several profiles: the one (drive_c/users/NAME) the game keeps "
         "its saves in"), N_("NAME") },
    { "adopt", 0, 0, G_OPTION_ARG_NONE, &adopt,
      N_("Move the folder into the library instead of copying (same drive only)"), NULL },
    { NULL }
  };
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *source = NULL;
  AddState state = { 0 };
  SpGameInfo info = { 0 };
  guint sigint_id, sigterm_id;
  int exit_code;

  if (!sp_cli_parse_command ("add", "NAME FOLDER --exec PATH", entries, &argc, &argv, 2, 2,
                             &exit_code))
    return exit_code;
  if (executable == NULL)
    return sp_cli_usage_error (_("add: --exec PATH is required: the game’s executable inside %s"),
                               argv[2]);
  {
    /* Paths stay inside the game (design.md, "Trust"). */
    const struct { const char *option; const char *value; } paths[] = {
      { "--exec", executable }, { "--workdir", workdir }, { "--home", home }, { "--icon", icon },
    };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(GError) path_error = NULL;

        if (paths[i].value != NULL && !sp_game_path_is_valid (paths[i].value, &path_error))
          return sp_cli_usage_error (_("add: %s “%s” is not allowed: %s"),
                                     paths[i].option, paths[i].value, path_error->message);
      }
  }

  if (!g_file_test (argv[2], G_FILE_TEST_IS_DIR))
    return sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                _("%s is not a folder. Name the folder that holds the game’s "
                                  "clean install."), argv[2]);
  source = g_canonicalize_filename (argv[2], NULL);

  if (kind_str != NULL)
    {
      if (!sp_game_kind_from_string (kind_str, &info.kind))
        return sp_cli_usage_error (_("add: --kind must be “wine” or “native”, not “%s”"), kind_str);
    }
  else
    {
      g_autofree char *system_reg = g_build_filename (source, "system.reg", NULL);
      info.kind = g_file_test (system_reg, G_FILE_TEST_EXISTS) ? SP_GAME_KIND_WINE
                                                                : SP_GAME_KIND_NATIVE;
    }

  if (wine_user != NULL && info.kind != SP_GAME_KIND_WINE)
    return sp_cli_usage_error (_("add: --wine-user is for Wine prefixes; %s is not one "
                                 "(use --kind wine if it is)"), argv[2]);
  if (info.kind == SP_GAME_KIND_WINE)
    {
      /* Every session runs Wine as this profile: ask rather than guess. */
      g_autoptr(GError) users_error = NULL;
      g_auto(GStrv) users = sp_wine_prefix_list_users (source, &users_error);
      g_autofree char *list = NULL;

      if (users == NULL)
        return sp_cli_fail (users_error);
      list = g_strjoinv (", ", users);
      if (wine_user != NULL && !g_strv_contains ((const char * const *) users, wine_user))
        return sp_cli_usage_error (_("add: the Wine prefix %s has no profile “%s”. Its "
                                     "profiles (drive_c/users): %s"),
                                   argv[2], wine_user, users[0] != NULL ? list : _("none"));
      if (wine_user == NULL && users[0] != NULL && users[1] != NULL)
        return sp_cli_usage_error (_("add: the Wine prefix %s has several profiles: %s. Say "
                                     "which one the game keeps its saves in with --wine-user "
                                     "NAME"), argv[2], list);
    }

  {
    g_autofree char *exe_path = g_build_filename (source, executable, NULL);
    if (!g_file_test (exe_path, G_FILE_TEST_EXISTS))
      return sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                  _("the executable %s does not exist. --exec takes a path "
                                    "relative to the game’s folder."), exe_path);
  }

  library = sp_cli_open_library (options, &exit_code);
  if (library == NULL)
    return exit_code;

  info.name = argv[1];
  info.executable = executable;
  info.arguments = (const char * const *) arguments;
  info.working_directory = workdir;
  info.environment = (const char * const *) environment;
  info.runner = runner;
  info.home = home;
  info.icon = icon;
  info.wine_user = wine_user;

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.cancellable = cancellable;
  state.show_progress = !options->json && isatty (STDERR_FILENO);
  sigint_id = g_unix_signal_add (SIGINT, cancel_on_signal_cb, cancellable);
  sigterm_id = g_unix_signal_add (SIGTERM, cancel_on_signal_cb, cancellable);

  sp_library_add_game_async (library, &info, source,
                             adopt ? SP_ADD_MODE_ADOPT : SP_ADD_MODE_COPY,
                             add_progress_cb, &state, NULL,
                             cancellable, add_done_cb, &state);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (state.show_progress)
    g_printerr ("\r\033[K");

  if (state.game == NULL)
    {
      g_autoptr(GError) error = state.error;
      return sp_cli_fail (error);
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      add_game_json (builder, state.game, FALSE);
      sp_cli_print_json (builder);
    }
  else
    {
      g_print (_("Added “%s” as %s\n"), sp_game_get_name (state.game), sp_game_get_slug (state.game));
      sp_cli_print_replaced_links (state.game, adopt);
    }
  if (adopt && !options->json)
    g_print (_("The folder was moved into the library and made readable for everyone (chmod -R "
               "a+rX) so that whoever plays can read it.\n"));
  g_object_unref (state.game);
  return SP_CLI_EXIT_OK;
}

/* ---- list, show, checkpoints ---- */

static void
print_skipped (const char * const *problems)
{
  for (const char * const *p = problems; *p != NULL; p++)
    g_printerr (_("savepoint-cli: skipped: %s\n"), *p);
}

static int
cmd_list (const SpCliOptions *options,
          int                 argc,
          char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  GListModel *games;
  int exit_code;

  if (!sp_cli_parse_command ("list", "", NULL, &argc, &argv, 0, 0, &exit_code))
    return exit_code;
  library = sp_cli_open_library (options, &exit_code);
  if (library == NULL)
    return exit_code;

  games = sp_library_get_games (library);
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "library");
      json_builder_begin_object (builder);
      add_library_members_json (builder, library);
      json_builder_set_member_name (builder, "read_only");
      json_builder_add_boolean_value (builder, sp_library_get_read_only (library));
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "games");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (games); i++)
        {
          g_autoptr(SpGame) game = g_list_model_get_item (games, i);
          add_game_json (builder, game, FALSE);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else
    {
      g_print (_("%s (%s)\n"), sp_library_get_name (library), sp_library_get_path (library));
      if (g_list_model_get_n_items (games) == 0)
        g_print (_("No games yet. Add one with “savepoint-cli add NAME FOLDER --exec PATH”.\n"));
      for (guint i = 0; i < g_list_model_get_n_items (games); i++)
        {
          g_autoptr(SpGame) game = g_list_model_get_item (games, i);
          SpCheckpoint *head = sp_game_get_head_checkpoint (game);
          guint n = g_list_model_get_n_items (sp_game_get_checkpoints (game));
          g_autofree char *play_time = sp_format_duration (sp_game_get_play_time (game));
          g_autofree char *checkpoints = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                       "%u checkpoint",
                                                                       "%u checkpoints", n), n);
          const char *current = head != NULL ? sp_checkpoint_get_label (head) : NULL;

          if (head != NULL && (current == NULL || *current == '\0'))
            current = sp_untitled_checkpoint_name ();
          g_print ("  %-24s %-30s %-6s %-16s %-14s %s\n",
                   sp_game_get_slug (game), sp_game_get_name (game),
                   sp_game_kind_to_string (sp_game_get_kind (game)),
                   checkpoints, play_time,
                   current != NULL ? current : _("clean install"));
        }
    }
  print_skipped (sp_library_get_problems (library));
  return SP_CLI_EXIT_OK;
}

/* A checkpoint's note under its line, each line indented. */
static void
print_note (const char *note)
{
  g_auto(GStrv) lines = NULL;

  if (*note == '\0')
    return;
  lines = g_strsplit (note, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_print ("      %s\n", lines[i]);
}

static void
print_timeline (SpGame *game)
{
  GListModel *checkpoints = sp_game_get_checkpoints (game);
  guint n = g_list_model_get_n_items (checkpoints);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpCheckpoint) checkpoint = g_list_model_get_item (checkpoints, i);
      gboolean current = g_strcmp0 (sp_game_get_head (game), sp_checkpoint_get_id (checkpoint)) == 0;
      g_autofree char *date = format_date (sp_checkpoint_get_created (checkpoint));
      g_autofree char *size = format_size (sp_checkpoint_get_archive_size (checkpoint));
      g_autofree char *play_time = sp_format_duration (sp_checkpoint_get_play_time (checkpoint));
      const char *label = sp_checkpoint_get_label (checkpoint);
      const char *parent = sp_checkpoint_get_parent (checkpoint);

      g_print ("%s %s  %s  %-12s %9s  %s%s%s%s%s\n",
               current ? "*" : " ",
               sp_checkpoint_get_id (checkpoint), date, play_time, size,
               *label != '\0' ? label : sp_untitled_checkpoint_name (),
               parent != NULL ? _("  ← ") : "",
               parent != NULL ? parent : "",
               sp_checkpoint_get_missing (checkpoint) ? _("  [archive missing]") : "",
               sp_checkpoint_get_pinned (checkpoint) ? _("  [pinned]") : "");
      print_note (sp_checkpoint_get_note (checkpoint));
    }
  g_print ("%s %s\n", sp_game_get_head (game) == NULL ? "*" : " ", _("clean install"));
}

static int
cmd_show (const SpCliOptions *options,
          int                 argc,
          char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command ("show", "GAME", NULL, &argc, &argv, 1, 1, &exit_code))
    return exit_code;
  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      add_game_json (builder, game, TRUE);
      sp_cli_print_json (builder);
    }
  else
    {
      g_autofree char *arguments = g_strjoinv (" ", (char **) sp_game_get_arguments (game));
      g_autofree char *environment = g_strjoinv (" ", (char **) sp_game_get_environment (game));
      g_autofree char *play_time = sp_format_duration (sp_game_get_play_time (game));
      g_autofree char *last_played = format_date (sp_game_get_last_played (game));

      g_print ("%s\n", sp_game_get_name (game));
      g_print (_("  Slug:          %s\n"), sp_game_get_slug (game));
      g_print (_("  Kind:          %s\n"), sp_game_kind_to_string (sp_game_get_kind (game)));
      g_print (_("  Executable:    %s\n"), sp_game_get_executable (game));
      if (*arguments != '\0')
        g_print (_("  Arguments:     %s\n"), arguments);
      if (sp_game_get_working_directory (game) != NULL)
        g_print (_("  Working dir:   %s\n"), sp_game_get_working_directory (game));
      if (*environment != '\0')
        g_print (_("  Environment:   %s\n"), environment);
      if (sp_game_get_runner (game) != NULL)
        g_print (_("  Runner:        %s\n"), sp_game_get_runner (game));
      if (sp_game_get_home (game) != NULL)
        g_print (_("  Home:          %s\n"), sp_game_get_home (game));
      if (sp_game_get_wine_user (game) != NULL)
        g_print (_("  Wine profile:  %s\n"), sp_game_get_wine_user (game));
      if (sp_game_get_wine_version (game) != NULL)
        g_print (_("  Made with:     %s\n"), sp_game_get_wine_version (game));
      g_print (_("  Play time:     %s\n"), play_time);
      g_print (_("  Last played:   %s\n"), last_played);
      g_print (_("  Folder:        %s\n"), sp_game_get_path (game));
      g_print (_("Checkpoints (newest first, * = the next run starts here):\n"));
      print_timeline (game);
    }
  print_skipped (sp_game_get_problems (game));
  return SP_CLI_EXIT_OK;
}

static int
cmd_checkpoints (const SpCliOptions *options,
                 int                 argc,
                 char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command ("checkpoints", "GAME", NULL, &argc, &argv, 1, 1, &exit_code))
    return exit_code;
  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_checkpoints_json (builder, game);
      sp_cli_print_json (builder);
    }
  else
    print_timeline (game);
  return SP_CLI_EXIT_OK;
}

/* ---- restore, delete, rename ---- */

static void
print_done_json (const char *action,
                 SpGame     *game,
                 const char *id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, action);
  json_builder_set_member_name (builder, "game");
  json_builder_add_string_value (builder, sp_game_get_slug (game));
  sp_cli_add_optional_string_json (builder, "checkpoint", id);
  sp_cli_add_optional_string_json (builder, "head", sp_game_get_head (game));
  json_builder_end_object (builder);
  sp_cli_print_json (builder);
}

static int
cmd_restore (const SpCliOptions *options,
             int                 argc,
             char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLock) lock = NULL;
  const char *id;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command ("restore", "GAME ID|clean", NULL, &argc, &argv, 2, 2, &exit_code))
    return exit_code;
  id = g_strcmp0 (argv[2], "clean") == 0 ? NULL : argv[2];
  game = sp_cli_open_game (options, argv[1], id, &library, &exit_code);
  if (game == NULL)
    return exit_code;
  /* Nothing unkept is overwritten, and not during the game's session:
   * keeping its run would undo the restore. */
  exit_code = sp_cli_check_head_change (library, game, id);
  if (exit_code != SP_CLI_EXIT_OK)
    return exit_code;
  lock = sp_game_guard_acquire (library, game, &error);
  if (lock == NULL || !sp_game_restore_sync (game, id, &error))
    return sp_cli_fail (error);
  g_clear_pointer (&lock, sp_lock_release);

  if (options->json)
    print_done_json ("restore", game, id);
  else if (id == NULL)
    g_print (_("The next run of “%s” starts from the clean install.\n"), sp_game_get_name (game));
  else
    g_print (_("The next run of “%s” starts from checkpoint %s.\n"), sp_game_get_name (game), id);
  return SP_CLI_EXIT_OK;
}

static int
cmd_delete (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command ("delete", "GAME ID", NULL, &argc, &argv, 2, 2, &exit_code))
    return exit_code;
  if (g_strcmp0 (argv[2], "clean") == 0)
    return sp_cli_usage_error (_("delete: the clean install is not a checkpoint and cannot be deleted"));
  game = sp_cli_open_game (options, argv[1], argv[2], &library, &exit_code);
  if (game == NULL)
    return exit_code;
  if (!sp_game_delete_checkpoint_sync (game, argv[2], &error))
    return sp_cli_fail (error);

  if (options->json)
    print_done_json ("delete", game, argv[2]);
  else
    g_print (_("Deleted checkpoint %s of “%s”.\n"), argv[2], sp_game_get_name (game));
  return SP_CLI_EXIT_OK;
}

static int
cmd_rename (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command ("rename", "GAME ID LABEL", NULL, &argc, &argv, 3, 3, &exit_code))
    return exit_code;
  game = sp_cli_open_game (options, argv[1], argv[2], &library, &exit_code);
  if (game == NULL)
    return exit_code;
  if (sp_game_find_checkpoint (game, argv[2]) == NULL)
    return sp_cli_usage_error (_("rename: the clean install has no label"));
  if (!sp_game_rename_checkpoint_sync (game, argv[2], argv[3], &error))
    return sp_cli_fail (error);

  if (options->json)
    print_done_json ("rename", game, argv[2]);
  else
    g_print (_("Checkpoint %s is now called “%s”.\n"), argv[2], argv[3]);
  return SP_CLI_EXIT_OK;
}

static int
cmd_note (const SpCliOptions *options,
          int                 argc,
          char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  gboolean clear = FALSE;
  GOptionEntry entries[] = {
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear, N_("Remove the note"), NULL },
    { NULL }
  };
  const char *note;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command ("note", "GAME ID TEXT|--clear", entries, &argc, &argv, 2, 3,
                             &exit_code))
    return exit_code;
  if (clear == (argc == 4))
    return sp_cli_usage_error (_("usage: savepoint-cli %s %s"), "note", "GAME ID TEXT|--clear");
  note = clear ? "" : argv[3];
  game = sp_cli_open_game (options, argv[1], argv[2], &library, &exit_code);
  if (game == NULL)
    return exit_code;
  if (sp_game_find_checkpoint (game, argv[2]) == NULL)
    return sp_cli_usage_error (_("note: the clean install has no note"));
  if (!sp_game_set_checkpoint_note_sync (game, argv[2], note, &error))
    return sp_cli_fail (error);

  if (options->json)
    print_done_json ("note", game, argv[2]);
  else if (*note == '\0')
    g_print (_("Checkpoint %s has no note now.\n"), argv[2]);
  else
    g_print (_("Checkpoint %s now has a note.\n"), argv[2]);
  return SP_CLI_EXIT_OK;
}

/* ---- export, import ---- */

static int
cmd_export (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SpGame *game;
  int exit_code;
  guint sigint_id;
  gboolean ok;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("Replace FILE if it exists (never a file of the library)"), NULL },
    { NULL }
  };

  if (!sp_cli_parse_command ("export", "GAME ID FILE", entries, &argc, &argv, 3, 3, &exit_code))
    return exit_code;
  game = sp_cli_open_game (options, argv[1], argv[2], &library, &exit_code);
  if (game == NULL)
    return exit_code;
  if (sp_game_find_checkpoint (game, argv[2]) == NULL)
    return sp_cli_usage_error (_("export: the clean install is not a checkpoint"));

  sigint_id = g_unix_signal_add (SIGINT, cancel_on_signal_cb, cancellable);
  ok = sp_game_export_checkpoint_sync (game, argv[2], argv[3],
                                       force ? SP_EXPORT_FLAGS_REPLACE : SP_EXPORT_FLAGS_NONE,
                                       cancellable, &error);
  g_source_remove (sigint_id);
  if (!ok)
    {
      int status = sp_cli_fail (error);

      if (g_error_matches (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS))
        g_printerr (_("savepoint-cli: “savepoint-cli export --force” replaces it.\n"));
      return status;
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, "export");
      json_builder_set_member_name (builder, "checkpoint");
      json_builder_add_string_value (builder, argv[2]);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, argv[3]);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else
    g_print (_("Exported checkpoint %s to %s\n"), argv[2], argv[3]);
  return SP_CLI_EXIT_OK;
}

static int
cmd_import (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autofree char *warning = NULL;
  SpGame *game;
  int exit_code;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("Import a checkpoint exported from another game"), NULL },
    { NULL }
  };

  if (!sp_cli_parse_command ("import", "GAME FILE", entries, &argc, &argv, 2, 2, &exit_code))
    return exit_code;
  if (!g_file_test (argv[2], G_FILE_TEST_IS_REGULAR))
    return sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                _("%s is not a file. Name a checkpoint file made by "
                                  "“savepoint-cli export”."), argv[2]);
  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;

  checkpoint = sp_game_import_checkpoint_sync (game, argv[2],
                                               force ? SP_IMPORT_FLAGS_OTHER_GAME
                                                     : SP_IMPORT_FLAGS_NONE,
                                               &warning, NULL, &error);
  if (checkpoint == NULL)
    {
      int status = sp_cli_fail (error);

      if (g_error_matches (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_OTHER_GAME))
        g_printerr (_("savepoint-cli: “savepoint-cli import --force” imports it anyway.\n"));
      return status;
    }
  if (warning != NULL)
    g_printerr (_("savepoint-cli: warning: %s\n"), warning);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      sp_cli_add_checkpoint_json (builder, game, checkpoint);
      sp_cli_print_json (builder);
    }
  else
    g_print (_("Imported %s as checkpoint %s of “%s”. “savepoint-cli restore %s %s” plays from it.\n"),
             argv[2], sp_checkpoint_get_id (checkpoint), sp_game_get_name (game),
             sp_game_get_slug (game), sp_checkpoint_get_id (checkpoint));
  return SP_CLI_EXIT_OK;
}

/* ---- verify ---- */

static const char *
verify_kind_name (SpVerifyProblemKind kind)
{
  switch (kind)
    {
    case SP_VERIFY_PROBLEM_DAMAGED:      return "damaged";
    case SP_VERIFY_PROBLEM_BAD_METADATA: return "bad-metadata";
    case SP_VERIFY_PROBLEM_ORPHAN:       return "orphan";
    case SP_VERIFY_PROBLEM_LEFTOVER:     return "leftover";
    case SP_VERIFY_PROBLEM_GAME_INI:     return "game-ini";
    case SP_VERIFY_PROBLEM_LIBRARY_INI:  return "library-ini";
    case SP_VERIFY_PROBLEM_UNREADABLE:   return "unreadable";
    default:                             return "unknown";
    }
}

/* Adds @problems to @builder's array and their warnings to @warnings;
 * returns how many are damage (not warnings). */
static guint
report_verify_problems (const SpCliOptions *options,
                        JsonBuilder        *builder,
                        JsonArray          *warnings,
                        const char         *game,
                        GPtrArray          *problems)
{
  guint bad = 0;

  for (guint j = 0; j < problems->len; j++)
    {
      SpVerifyProblem *problem = g_ptr_array_index (problems, j);

      if (problem->is_warning)
        {
          /* Good, restores with a change: said, not counted as damage. */
          JsonObject *warning = json_object_new ();

          json_object_set_string_member (warning, "game", game);
          json_object_set_string_member (warning, "checkpoint", problem->checkpoint_id);
          json_object_set_string_member (warning, "warning", problem->error->message);
          json_array_add_object_element (warnings, warning);
          if (!options->json)
            g_printerr (_("savepoint-cli: warning: %s, checkpoint %s: %s\n"),
                        game, problem->checkpoint_id, problem->error->message);
          continue;
        }
      bad++;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, verify_kind_name (problem->kind));
      json_builder_set_member_name (builder, "game");
      if (game != NULL)
        json_builder_add_string_value (builder, game);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "checkpoint");
      if (problem->checkpoint_id != NULL)
        json_builder_add_string_value (builder, problem->checkpoint_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "path");
      if (problem->path != NULL)
        json_builder_add_string_value (builder, problem->path);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) MIN (problem->size, (guint64) G_MAXINT64));
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, problem->error->message);
      json_builder_end_object (builder);
      if (options->json)
        continue;
      if (game != NULL && problem->checkpoint_id != NULL)
        g_printerr (_("savepoint-cli: %s, checkpoint %s: %s\n"),
                    game, problem->checkpoint_id, problem->error->message);
      else if (game != NULL)
        g_printerr (_("savepoint-cli: %s: %s\n"), game, problem->error->message);
      else
        g_printerr (_("savepoint-cli: %s\n"), problem->error->message);
    }
  return bad;
}

static int
cmd_verify (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  gboolean repair = FALSE;
  GOptionEntry entries[] = {
    { "repair", 0, 0, G_OPTION_ARG_NONE, &repair,
      N_("Remove leftovers of interrupted writes that no running Savepoint owns "
         "(nothing else)"), NULL },
    { NULL }
  };
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GPtrArray) games = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonArray) warnings = json_array_new ();
  guint checked = 0;
  guint bad = 0;
  guint repaired = 0;
  int exit_code;

  if (!sp_cli_parse_command ("verify", "[GAME]", entries, &argc, &argv, 0, 1, &exit_code))
    return exit_code;
  library = sp_cli_open_library (options, &exit_code);
  if (library == NULL)
    return exit_code;

  if (repair)
    {
      g_autoptr(GError) error = NULL;

      if (sp_library_get_read_only (library))
        {
          g_set_error (&error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY,
                       _("The library “%s” is open read-only; verify --repair changes nothing "
                         "in it."), sp_library_get_path (library));
          return sp_cli_fail (error);
        }
      repaired = sp_leftovers_recover_library (sp_library_get_path (library), TRUE, NULL);
      if (!sp_library_reload (library, &error))
        return sp_cli_fail (error);
    }

  games = sp_cli_collect_games (library, argc > 1 ? argv[1] : NULL, &exit_code);
  if (games == NULL)
    return exit_code;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  if (argc <= 1)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) problems = sp_library_verify (library, NULL, &error);

      if (problems == NULL)
        return sp_cli_fail (error);
      bad += report_verify_problems (options, builder, warnings, NULL, problems);
    }
  for (guint i = 0; i < games->len; i++)
    {
      SpGame *game = g_ptr_array_index (games, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) problems = sp_game_verify_sync (game, NULL, NULL, &error);

      if (problems == NULL)
        return sp_cli_fail (error);
      checked += g_list_model_get_n_items (sp_game_get_checkpoints (game));
      bad += report_verify_problems (options, builder, warnings, sp_game_get_slug (game),
                                     problems);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "warnings");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), warnings));
  json_builder_set_member_name (builder, "checked");
  json_builder_add_int_value (builder, checked);
  json_builder_set_member_name (builder, "damaged");
  json_builder_add_int_value (builder, bad);
  json_builder_set_member_name (builder, "repaired");
  json_builder_add_int_value (builder, repaired);
  json_builder_end_object (builder);

  if (options->json)
    sp_cli_print_json (builder);
  else
    {
      if (repaired > 0)
        g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %u leftover of interrupted writes.\n",
                              "Removed %u leftovers of interrupted writes.\n", repaired),
                 repaired);
      if (bad == 0)
        g_print (g_dngettext (GETTEXT_PACKAGE, "%u checkpoint checked, all good.\n",
                              "%u checkpoints checked, all good.\n", checked), checked);
      else
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u problem found in %u checkpoints and the library’s files (see "
                              "above). Delete damaged checkpoints or import an exported copy; "
                              "“savepoint-cli verify --repair” removes leftovers.\n",
                              "%u problems found in %u checkpoints and the library’s files (see "
                              "above). Delete damaged checkpoints or import an exported copy; "
                              "“savepoint-cli verify --repair” removes leftovers.\n", bad),
                 bad, checked);
    }
  return bad == 0 ? SP_CLI_EXIT_OK : SP_CLI_EXIT_DAMAGED;
}

static const SpCliCommand commands[] = {
  { "init", "DIR [--name NAME]", N_("Create a library on a drive (DIR/Savepoint)"), cmd_init },
  { "add", "NAME FOLDER --exec PATH [--kind wine|native] [--adopt] …",
    N_("Add a game from the folder holding its clean install"), cmd_add },
  { "list", "", N_("List the library’s games"), cmd_list },
  { "show", "GAME", N_("Show a game’s settings and its checkpoint timeline"), cmd_show },
  { "checkpoints", "GAME", N_("List a game’s checkpoints, newest first"), cmd_checkpoints },
  { "restore", "GAME ID|clean", N_("Make the next run start from a checkpoint"), cmd_restore },
  { "delete", "GAME ID", N_("Delete a checkpoint"), cmd_delete },
  { "rename", "GAME ID LABEL", N_("Change a checkpoint’s label"), cmd_rename },
  { "note", "GAME ID TEXT|--clear", N_("Set or clear a checkpoint’s note"), cmd_note },
  { "export", "GAME ID FILE", N_("Copy a checkpoint to a file anywhere"), cmd_export },
  { "import", "GAME FILE", N_("Add an exported checkpoint file to a game"), cmd_import },
  { "exclude", "GAME [PATTERN…] [--remove PATTERN] [--no-defaults]",
    N_("Leave caches and other files out of a game’s checkpoints"), sp_cli_exclude },
  { "diff", "GAME ID [ID2]", N_("List what a checkpoint changed, or what changed between two"),
    sp_cli_diff },
  { "verify", "[--repair] [GAME]", N_("Check checkpoints, metadata and leftovers"), cmd_verify },
  { "repair", "GAME", N_("Keep a Wine game’s user folders inside its clean install"),
    sp_cli_repair },
  { "update-wine", "GAME [--runner COMMAND] [--allow-runner]",
    N_("Update a Wine game’s clean install with the Wine that plays it"), sp_cli_update_wine },
  { "pin", "GAME ID", N_("Pin a checkpoint: retention never removes it"), sp_cli_pin },
  { "unpin", "GAME ID", N_("Unpin a checkpoint"), sp_cli_unpin },
  { "prune", "GAME [--dry-run] [--empty-trash]",
    N_("Apply the game’s retention rules (KeepLast, KeepDaily, MaxSize)"), sp_cli_prune },
  { "du", "[GAME]", N_("Show the drive space games, checkpoints and the trash take"), sp_cli_du },
  { "play", "GAME [--from ID|--clean] [--keep LABEL|--discard|--ask]",
    N_("Play a game in a fresh overlay, then keep or discard the run"), sp_cli_play },
  { "log", "GAME", N_("Print the log of the game’s latest run"), sp_cli_log },
  { "runs", "", N_("List runs that are not kept or discarded yet"), sp_cli_runs, TRUE },
  { "recover", "[--keep LABEL|--discard] [RUN…] | GAME --from-trash ID",
    N_("Keep or discard pending runs (after a crash or “decide later”)"), sp_cli_recover, TRUE },
  { "trash", "[GAME] [--empty]", N_("List or empty the discarded runs kept in the trash"),
    sp_cli_trash },
  { "remove", "GAME [--delete-files]",
    N_("Remove a game from the library (its files go to the drive’s trash)"), sp_cli_remove },
};

static char *
describe_commands (void)
{
  GString *text = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-12s %s\n      %s\n", commands[i].name, commands[i].args,
                            _(commands[i].summary));
  g_string_append (text, _("\nGAME is a game’s slug or name; ID a checkpoint id from "
                           "“checkpoints GAME”.\n"
                           "The library is --library DIR, else the one of the folders in "
                           "$SAVEPOINT_LIBRARY (separated by “:”) that holds a library, else the "
                           "one library on a mounted drive or in the app’s library folders.\n\n"
                           "Exit status: 0 success, 1 failure, 2 wrong usage, 3 library, game or "
                           "checkpoint not found,\n4 damaged checkpoints or metadata, "
                           "5 library from a newer Savepoint (read-only), 6 the game failed (play), 130 cancelled."));
  return g_string_free (text, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *library_path = NULL;
  g_autofree char *description = NULL;
  gboolean json = FALSE;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "library", 'l', 0, G_OPTION_ARG_FILENAME, &library_path,
      N_("The library: a drive or its Savepoint folder"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print results as JSON, for scripts"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  SpCliOptions options = { 0 };

  sp_session_prepare_process ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGS…]"));
  g_option_context_set_summary (context, _("Keep games clean and their progress in checkpoints."));
  description = describe_commands ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("%s", error->message);

  if (version)
    {
      g_print ("savepoint-cli %s\n", PACKAGE_VERSION);
      return SP_CLI_EXIT_OK;
    }
  if (argc < 2)
    return sp_cli_usage_error (_("no command given"));

  options.library_path = library_path;
  options.json = json;
  sp_cli_trash_expire ();

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        if (commands[i].no_json && json)
          return sp_cli_usage_error (_("%s does not support --json"), commands[i].name);
        return commands[i].func (&options, argc - 1, argv + 1);
      }

  return sp_cli_usage_error (_("unknown command “%s”"), argv[1]);
}
