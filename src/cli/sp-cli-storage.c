/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "core/sp-disk-usage.h"
#include "core/sp-drive-trash.h"
#include "core/sp-retention.h"
#include "play/sp-lock.h"
#include "sp-cli.h"

/* The storage commands: pin, unpin, prune and du. */

static char *
library_of (SpGame *game)
{
  g_autofree char *games = g_path_get_dirname (sp_game_get_path (game));

  return g_path_get_dirname (games);
}

static void
print_checkpoint_line (SpCheckpoint *c)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (sp_checkpoint_get_created (c));
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d %H:%M");
  g_autofree char *size = g_format_size (sp_checkpoint_get_archive_size (c));
  const char *label = sp_checkpoint_get_label (c);

  g_print ("  %s  %s  %s  %s\n", sp_checkpoint_get_id (c), date, size,
           *label ? label : sp_untitled_checkpoint_name ());
}

static int
set_pinned (const SpCliOptions *options,
            int                 argc,
            char              **argv,
            gboolean            pinned)
{
  const char *command = pinned ? "pin" : "unpin";
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  SpGame *game;
  int exit_code;

  if (!sp_cli_parse_command (command, "GAME ID", NULL, &argc, &argv, 2, 2, &exit_code))
    return exit_code;
  game = sp_cli_open_game (options, argv[1], argv[2], &library, &exit_code);
  if (game == NULL)
    return exit_code;
  if (!sp_game_set_checkpoint_pinned_sync (game, argv[2], pinned, &error))
    return sp_cli_fail (error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, command);
      json_builder_set_member_name (builder, "game");
      json_builder_add_string_value (builder, sp_game_get_slug (game));
      json_builder_set_member_name (builder, "checkpoint");
      json_builder_add_string_value (builder, argv[2]);
      json_builder_set_member_name (builder, "pinned");
      json_builder_add_boolean_value (builder, pinned);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else if (pinned)
    g_print (_("Checkpoint %s is pinned: retention never removes it.\n"), argv[2]);
  else
    g_print (_("Checkpoint %s is not pinned any more.\n"), argv[2]);
  return SP_CLI_EXIT_OK;
}

int
sp_cli_pin (const SpCliOptions *options,
            int                 argc,
            char              **argv)
{
  return set_pinned (options, argc, argv, TRUE);
}

int
sp_cli_unpin (const SpCliOptions *options,
              int                 argc,
              char              **argv)
{
  return set_pinned (options, argc, argv, FALSE);
}

int
sp_cli_prune (const SpCliOptions *options,
              int                 argc,
              char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) trash_error = NULL;
  g_autoptr(SpLock) lock = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GPtrArray) emptied = NULL;
  g_autofree char *library_path = NULL;
  gboolean dry_run = FALSE;
  gboolean empty_trash = FALSE;
  GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Only show what would be removed"), NULL },
    { "empty-trash", 0, 0, G_OPTION_ARG_NONE, &empty_trash,
      N_("Also remove the game’s checkpoints from the drive’s trash for good"), NULL },
    { NULL }
  };
  SpRetention retention;
  SpGame *game;
  gboolean ok;
  int exit_code;

  if (!sp_cli_parse_command ("prune", "GAME [--dry-run] [--empty-trash]", entries, &argc, &argv, 1, 1,
                   &exit_code))
    return exit_code;
  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;
  if (!sp_retention_load (game, &retention, &error))
    return sp_cli_fail (error);

  if (!dry_run)
    {
      g_autofree char *lock_path = sp_game_lock_path (game);
      g_autofree char *what = g_strdup_printf (_("The game “%s”"), sp_game_get_name (game));

      lock = sp_lock_acquire (lock_path, what, &error);
      if (lock == NULL)
        return sp_cli_fail (error);
    }
  ok = sp_retention_prune_sync (game, dry_run, &removed, &error);

  library_path = library_of (game);
  if (ok && !dry_run)
    {
      if (empty_trash)
        sp_drive_trash_expire (library_path, sp_game_get_slug (game), NULL, 0, 0, &emptied,
                               &trash_error);
      else
        {
          guint days;
          guint64 bytes;

          sp_drive_trash_get_limits (&days, &bytes);
          sp_drive_trash_expire (library_path, NULL, NULL, days, bytes, &emptied, &trash_error);
        }
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "game");
      json_builder_add_string_value (builder, sp_game_get_slug (game));
      json_builder_set_member_name (builder, "dry_run");
      json_builder_add_boolean_value (builder, dry_run);
      json_builder_set_member_name (builder, "rules");
      json_builder_add_boolean_value (builder, sp_retention_is_set (&retention));
      json_builder_set_member_name (builder, "removed");
      json_builder_begin_array (builder);
      for (guint i = 0; removed != NULL && i < removed->len; i++)
        sp_cli_add_checkpoint_json (builder, game, g_ptr_array_index (removed, i));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "trash_emptied");
      json_builder_add_int_value (builder, emptied != NULL ? emptied->len : 0);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else
    {
      guint n = removed != NULL ? removed->len : 0;

      if (!sp_retention_is_set (&retention))
        g_print (_("“%s” has no retention rules (KeepLast, KeepDaily or MaxSize in game.ini "
                   "or library.ini): nothing is pruned.\n"), sp_game_get_name (game));
      else if (n == 0)
        g_print (_("Every checkpoint of “%s” is kept by its retention rules.\n"),
                 sp_game_get_name (game));
      else if (dry_run)
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u checkpoint of “%s” would be moved to the drive’s trash:\n",
                              "%u checkpoints of “%s” would be moved to the drive’s trash:\n", n),
                 n, sp_game_get_name (game));
      else
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u checkpoint of “%s” was moved to the drive’s trash:\n",
                              "%u checkpoints of “%s” were moved to the drive’s trash:\n", n),
                 n, sp_game_get_name (game));
      for (guint i = 0; i < n; i++)
        print_checkpoint_line (g_ptr_array_index (removed, i));
      if (emptied != NULL && emptied->len > 0)
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u checkpoint was removed from the drive’s trash for good.\n",
                              "%u checkpoints were removed from the drive’s trash for good.\n",
                              emptied->len), emptied->len);
    }
  if (!ok)
    return sp_cli_fail (error);
  if (trash_error != NULL)
    return sp_cli_fail (trash_error);
  return SP_CLI_EXIT_OK;
}

static void
add_size_member (JsonBuilder *builder,
                 const char  *member,
                 guint64      value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, (gint64) value);
}

int
sp_cli_du (const SpCliOptions *options,
           int                 argc,
           char              **argv)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) games = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  guint64 free_bytes = 0, total = 0, trash_bytes = 0;
  int exit_code;

  if (!sp_cli_parse_command ("du", "[GAME]", NULL, &argc, &argv, 0, 1, &exit_code))
    return exit_code;
  library = sp_cli_open_library (options, &exit_code);
  if (library == NULL)
    return exit_code;
  games = sp_cli_collect_games (library, argc == 2 ? argv[1] : NULL, &exit_code);
  if (games == NULL)
    return exit_code;
  if (!sp_disk_usage_drive_space (sp_library_get_path (library), &free_bytes, &total, &error))
    return sp_cli_fail (error);
  trash = sp_drive_trash_list (sp_library_get_path (library), NULL, &error);
  if (trash == NULL)
    return sp_cli_fail (error);
  for (guint i = 0; i < trash->len; i++)
    trash_bytes += ((SpDriveTrashEntry *) g_ptr_array_index (trash, i))->size;

  if (options->json)
    {
      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "games");
      json_builder_begin_array (builder);
    }
  for (guint i = 0; i < games->len; i++)
    {
      SpGame *game = g_ptr_array_index (games, i);
      SpGameUsage usage;

      if (!sp_disk_usage_measure_game (game, &usage, NULL, &error))
        return sp_cli_fail (error);
      if (options->json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "game");
          json_builder_add_string_value (builder, sp_game_get_slug (game));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, sp_game_get_name (game));
          add_size_member (builder, "base_bytes", usage.base_bytes);
          add_size_member (builder, "checkpoint_bytes", usage.checkpoint_bytes);
          add_size_member (builder, "checkpoints", usage.checkpoints);
          add_size_member (builder, "trash_bytes", usage.trash_bytes);
          add_size_member (builder, "trash_entries", usage.trash_entries);
          json_builder_end_object (builder);
        }
      else
        {
          g_autofree char *base = g_format_size (usage.base_bytes);
          g_autofree char *checkpoints = g_format_size (usage.checkpoint_bytes);
          g_autofree char *trashed = g_format_size (usage.trash_bytes);

          g_print ("%s (%s)\n", sp_game_get_name (game), sp_game_get_slug (game));
          g_print (_("  clean install  %s\n"), base);
          g_print (g_dngettext (GETTEXT_PACKAGE, "  checkpoints    %s (%u checkpoint)\n",
                                "  checkpoints    %s (%u checkpoints)\n", usage.checkpoints),
                   checkpoints, usage.checkpoints);
          g_print (g_dngettext (GETTEXT_PACKAGE, "  drive trash    %s (%u checkpoint)\n",
                                "  drive trash    %s (%u checkpoints)\n", usage.trash_entries),
                   trashed, usage.trash_entries);
        }
    }
  if (options->json)
    {
      json_builder_end_array (builder);
      add_size_member (builder, "trash_bytes", trash_bytes);
      add_size_member (builder, "free_bytes", free_bytes);
      add_size_member (builder, "total_bytes", total);
      json_builder_end_object (builder);
      sp_cli_print_json (builder);
    }
  else
    {
      g_autofree char *free_text = g_format_size (free_bytes);
      g_autofree char *total_text = g_format_size (total);
      g_autofree char *trash_text = g_format_size (trash_bytes);

      g_print (_("Drive trash: %s in all. Free: %s of %s.\n"), trash_text, free_text, total_text);
    }
  return SP_CLI_EXIT_OK;
}

void
sp_cli_print_keep_report (SpCheckpoint *kept)
{
  const SpRetentionReport *report = sp_retention_get_keep_report (kept);

  if (report == NULL)
    return;
  if (report->removed->len > 0)
    {
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Retention moved %u old checkpoint to the drive’s trash:\n",
                            "Retention moved %u old checkpoints to the drive’s trash:\n",
                            report->removed->len), report->removed->len);
      for (guint i = 0; i < report->removed->len; i++)
        print_checkpoint_line (g_ptr_array_index (report->removed, i));
    }
  if (report->error != NULL)
    g_printerr ("savepoint-cli: %s\n", report->error->message);
}
