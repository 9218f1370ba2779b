/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "core/sp-diff.h"
#include "sp-cli.h"

/* savepoint-cli diff GAME ID [ID2]: what a checkpoint changed against the
 * clean install, or from ID to ID2 (sp_game_diff()). */

/* A path or key from a drive, fit for a terminal: valid UTF-8, control
 * characters (a new line, escape sequences) shown as "?". */
static char *
printable (const char *text)
{
  char *valid = g_utf8_make_valid (text, -1);

  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return valid;
}

static const char *
kind_name (SpDiffKind kind)
{
  switch (kind)
    {
    case SP_DIFF_ADDED:
      return "added";
    case SP_DIFF_CHANGED:
      return "changed";
    case SP_DIFF_DELETED:
    default:
      return "deleted";
    }
}

static const char *
type_name (SpDiffType type)
{
  switch (type)
    {
    case SP_DIFF_TYPE_FILE:
      return "file";
    case SP_DIFF_TYPE_DIR:
      return "folder";
    case SP_DIFF_TYPE_SYMLINK:
      return "symlink";
    case SP_DIFF_TYPE_OTHER:
    default:
      return "other";
    }
}

static const char *
registry_kind_name (SpRegistryChangeKind kind)
{
  switch (kind)
    {
    case SP_REGISTRY_KEY_ADDED:
      return "added";
    case SP_REGISTRY_KEY_CHANGED:
      return "changed";
    case SP_REGISTRY_KEY_REMOVED:
    default:
      return "removed";
    }
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         guint64      value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, (gint64) value);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  g_autofree char *valid = value != NULL ? g_utf8_make_valid (value, -1) : NULL;

  json_builder_set_member_name (builder, member);
  if (valid != NULL)
    json_builder_add_string_value (builder, valid);
  else
    json_builder_add_null_value (builder);
}

static void
print_json (SpGame     *game,
            const char *from,
            const char *to,
            SpDiff     *diff)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "game", sp_game_get_slug (game));
  add_string (builder, "from", from);
  add_string (builder, "to", to);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < diff->entries->len; i++)
    {
      SpDiffEntry *e = g_ptr_array_index (diff->entries, i);

      json_builder_begin_object (builder);
      add_string (builder, "change", kind_name (e->kind));
      add_string (builder, "path", e->path);
      add_string (builder, "type", type_name (e->type));
      if (e->kind != SP_DIFF_ADDED)
        add_int (builder, "old_size", e->old_size);
      if (e->kind != SP_DIFF_DELETED)
        add_int (builder, "size", e->new_size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "registry");
  if (!diff->is_wine)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_array (builder);
      for (guint i = 0; i < diff->registry->len; i++)
        {
          SpRegistryKeyChange *c = g_ptr_array_index (diff->registry, i);

          json_builder_begin_object (builder);
          add_string (builder, "change", registry_kind_name (c->kind));
          add_string (builder, "file", c->file);
          add_string (builder, "key", c->key);
          json_builder_set_member_name (builder, "values");
          json_builder_begin_array (builder);
          for (guint j = 0; c->values[j] != NULL; j++)
            {
              g_autofree char *valid = g_utf8_make_valid (c->values[j], -1);

              json_builder_add_string_value (builder, valid);
            }
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  add_int (builder, "added", diff->n_added);
  add_int (builder, "changed", diff->n_changed);
  add_int (builder, "deleted", diff->n_deleted);
  add_int (builder, "added_bytes", diff->added_bytes);
  add_int (builder, "changed_bytes", diff->changed_bytes);
  add_int (builder, "deleted_bytes", diff->deleted_bytes);
  add_int (builder, "total_size", sp_diff_get_total_size (diff));
  json_builder_end_object (builder);
  sp_cli_print_json (builder);
}

static void
print_text (SpDiff *diff)
{
  g_autofree char *total = g_format_size (sp_diff_get_total_size (diff));
  const char *file = NULL;

  for (guint i = 0; i < diff->entries->len; i++)
    {
      SpDiffEntry *e = g_ptr_array_index (diff->entries, i);
      g_autofree char *path = printable (e->path);
      const char *slash = e->type == SP_DIFF_TYPE_DIR ? "/" : "";

      if (e->kind == SP_DIFF_DELETED || e->type != SP_DIFF_TYPE_FILE)
        g_print ("%c %s%s\n", e->kind == SP_DIFF_ADDED ? 'A' : e->kind == SP_DIFF_CHANGED ? 'M' : 'D',
                 path, slash);
      else if (e->kind == SP_DIFF_ADDED)
        {
          g_autofree char *size = g_format_size (e->new_size);

          g_print ("A %s (%s)\n", path, size);
        }
      else
        {
          g_autofree char *old_size = g_format_size (e->old_size);
          g_autofree char *new_size = g_format_size (e->new_size);

          g_print ("M %s (%s → %s)\n", path, old_size, new_size);
        }
    }

  for (guint i = 0; i < diff->registry->len; i++)
    {
      SpRegistryKeyChange *c = g_ptr_array_index (diff->registry, i);
      g_autofree char *key = printable (c->key);
      g_autoptr(GString) values = g_string_new (NULL);

      if (g_strcmp0 (file, c->file) != 0)
        {
          file = c->file;
          /* TRANSLATORS: a heading; %s is a file name such as user.reg */
          g_print (_("\nRegistry (%s):\n"), file);
        }
      for (guint j = 0; c->values[j] != NULL; j++)
        {
          g_autofree char *name = printable (c->values[j]);

          if (j > 0)
            g_string_append (values, ", ");
          g_string_append (values, c->values[j][0] != '\0' ? name : "@");
        }
      g_print ("%c %s%s%s%s\n",
               c->kind == SP_REGISTRY_KEY_ADDED ? 'A' : c->kind == SP_REGISTRY_KEY_CHANGED ? 'M' : 'D',
               key, values->len > 0 ? " (" : "", values->str, values->len > 0 ? ")" : "");
    }

  g_print ("\n");
  /* TRANSLATORS: the summary line of "savepoint-cli diff"; the last %s is
   * a size such as "1.2 MB" */
  g_print (_("Total: %u added, %u changed, %u deleted; %s added or changed.\n"),
           diff->n_added, diff->n_changed, diff->n_deleted, total);
  if (diff->is_wine)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u registry key differs.\n",
                          "%u registry keys differ.\n", diff->registry->len),
             diff->registry->len);
}

int
sp_cli_diff (const SpCliOptions *options,
             int                 argc,
             char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("diff GAME ID [ID2]");
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpDiff) diff = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;
  const char *id2;
  SpGame *game;
  int exit_code;

  g_option_context_set_summary (context, _("List the files added, changed and deleted by "
                                           "checkpoint ID (against the clean install), or from "
                                           "ID to ID2; for Wine games also the registry keys."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_usage_error ("diff: %s", error->message);
  if (argc < 3 || argc > 4)
    return sp_cli_usage_error (_("usage: savepoint-cli %s %s"), "diff", "GAME ID [ID2]");
  id = argv[2];
  id2 = argc == 4 ? argv[3] : NULL;

  game = sp_cli_open_game (options, argv[1], NULL, &library, &exit_code);
  if (game == NULL)
    return exit_code;
  for (const char *check = id; check != NULL; check = check == id ? id2 : NULL)
    if (sp_game_find_checkpoint (game, check) == NULL)
      return sp_cli_fail_message (NULL, SP_CLI_EXIT_NOT_FOUND,
                                  _("“%s” has no checkpoint %s. "
                                    "“savepoint-cli checkpoints %s” lists them."),
                                  sp_game_get_name (game), check, sp_game_get_slug (game));

  diff = sp_game_diff (game, id, id2, NULL, &error);
  if (diff == NULL)
    return sp_cli_fail (error);

  if (options->json)
    print_json (game, id2 != NULL ? id : NULL, id2 != NULL ? id2 : id, diff);
  else
    print_text (diff);
  return SP_CLI_EXIT_OK;
}
