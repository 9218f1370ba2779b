/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <sys/stat.h>

#include "sp-cli.h"

int
sp_cli_usage_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("savepoint-cli: %s\n", message);
  g_printerr (_("Try “savepoint-cli --help” for the list of commands.\n"));
  return SP_CLI_EXIT_USAGE;
}

static int
exit_code_for (const GError *error)
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
  g_printerr ("savepoint-cli: %s\n", error->message);
  return exit_code_for (error);
}

/* Folders where desktops mount removable drives. Any library.ini counts,
 * even a link or a FIFO: such a library is then refused with its reason
 * instead of being passed over in silence. */
static GPtrArray *
find_drive_libraries (void)
{
  g_autofree char *media_user = g_build_filename ("/media", g_get_user_name (), NULL);
  g_autofree char *run_media_user = g_build_filename ("/run/media", g_get_user_name (), NULL);
  const char *roots[] = { media_user, run_media_user, "/media", "/mnt", NULL };
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; roots[i] != NULL; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (roots[i], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *drive = g_build_filename (roots[i], name, NULL);
          g_autofree char *ini = g_build_filename (drive, "Savepoint", "library.ini", NULL);
          struct stat st;

          if (lstat (ini, &st) == 0
              && !g_ptr_array_find_with_equal_func (found, drive, g_str_equal, NULL))
            g_ptr_array_add (found, g_steal_pointer (&drive));
        }
    }
  return found;
}

char *
sp_cli_resolve_library_path (const SpCliOptions *options,
                             int                *out_exit)
{
  g_autoptr(GPtrArray) found = NULL;
  const char *path = options->library_path;
  int refused_exit = SP_CLI_EXIT_OK;

  if (path == NULL)
    path = g_getenv ("SAVEPOINT_LIBRARY");
  if (path != NULL && *path != '\0')
    {
      *out_exit = SP_CLI_EXIT_OK;
      return g_strdup (path);
    }

  found = find_drive_libraries ();
  /* A drive whose library is refused (bad Id, unreadable library.ini…) is
   * reported and left out, so that it neither hides nor blocks the others. */
  for (guint i = 0; i < found->len;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpLibrary) library = sp_library_open (g_ptr_array_index (found, i), &error);

      if (library != NULL)
        {
          i++;
          continue;
        }
      g_printerr (_("savepoint-cli: the library on %s is refused: %s\n"),
                  (const char *) g_ptr_array_index (found, i), error->message);
      refused_exit = exit_code_for (error);
      g_ptr_array_remove_index (found, i);
    }
  if (found->len == 0 && refused_exit != SP_CLI_EXIT_OK)
    {
      *out_exit = refused_exit;
      return NULL;
    }
  if (found->len == 0)
    {
      g_printerr (_("savepoint-cli: no Savepoint library found on a mounted drive.\n"
                    "Connect the drive, or name the library with --library DIR "
                    "(or $SAVEPOINT_LIBRARY); “savepoint-cli init DIR” creates one.\n"));
      *out_exit = SP_CLI_EXIT_NOT_FOUND;
      return NULL;
    }
  if (found->len > 1)
    {
      g_printerr (_("savepoint-cli: several drives hold a Savepoint library; "
                    "choose one with --library DIR:\n"));
      for (guint i = 0; i < found->len; i++)
        g_printerr ("  %s\n", (const char *) g_ptr_array_index (found, i));
      *out_exit = SP_CLI_EXIT_USAGE;
      return NULL;
    }
  *out_exit = SP_CLI_EXIT_OK;
  return g_strdup (g_ptr_array_index (found, 0));
}

SpLibrary *
sp_cli_open_library (const SpCliOptions *options,
                     int                *out_exit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = sp_cli_resolve_library_path (options, out_exit);
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
      g_printerr (_("savepoint-cli: no game “%s” in the library %s. "
                    "“savepoint-cli list” shows the games it has.\n"),
                  name, sp_library_get_path (library));
      *out_exit = SP_CLI_EXIT_NOT_FOUND;
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
