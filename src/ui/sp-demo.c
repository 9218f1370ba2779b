/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/sp-library.h"
#include "common/sp-util.h"
#include "sp-demo.h"

#define DEMO_SCRIPT \
  "#!/bin/sh\n" \
  "# Counter Quest: the Savepoint demo game. Every run adds one to the\n" \
  "# counter kept in its save file, so every run changes the save.\n" \
  "save=\"${HOME:-.}/save.txt\"\n" \
  "count=0\n" \
  "if [ -f \"$save\" ]; then count=$(cat \"$save\"); fi\n" \
  "count=$((count + 1))\n" \
  "mkdir -p \"$(dirname \"$save\")\"\n" \
  "echo \"$count\" > \"$save.tmp\" && mv \"$save.tmp\" \"$save\"\n" \
  "echo \"Counter Quest: you have played $count times.\"\n" \
  "sleep 2\n"

char *
sp_demo_get_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "savepoint", "demo", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !sp_remove_tree (path, NULL, &error))
    g_warning ("Could not remove “%s”: %s", path, error->message);
}

/* A new folder "<dir>/<prefix>XXXXXX". */
static char *
make_temp_dir (const char  *dir,
               const char  *prefix,
               GError     **error)
{
  g_autofree char *name = g_strconcat (prefix, "XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (g_mkdtemp (path) == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create a folder in “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* One checkpoint of the demo game: its save file says @count, as after
 * @count runs. */
static gboolean
add_demo_checkpoint (SpGame      *game,
                     const char  *dir,
                     int          count,
                     const char  *label,
                     const char  *note,
                     GError     **error)
{
  g_autofree char *upper = make_temp_dir (dir, ".demo-upper-", error);
  g_autofree char *home = NULL;
  g_autofree char *save = NULL;
  g_autofree char *contents = g_strdup_printf ("%d\n", count);
  g_autoptr(SpCheckpoint) checkpoint = NULL;

  if (upper == NULL)
    return FALSE;
  home = g_build_filename (upper, "home", NULL);
  save = g_build_filename (home, "save.txt", NULL);
  if (g_mkdir (home, 0755) == 0 && g_file_set_contents (save, contents, -1, error))
    checkpoint = sp_game_create_checkpoint_sync (game, upper, label, 2 * count, TRUE,
                                                 NULL, NULL, NULL, error);
  else if (error != NULL && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("Could not write the demo game into “%s”"), upper);
  remove_tree (upper);
  return checkpoint != NULL &&
         sp_game_set_checkpoint_note_sync (game, sp_checkpoint_get_id (checkpoint), note, error);
}

gboolean
sp_demo_ensure (const char  *dir,
                GError     **error)
{
  g_autofree char *ini = NULL;
  g_autofree char *source = NULL;
  g_autofree char *script = NULL;
  g_autofree char *home = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  SpGameInfo info = { 0 };

  g_return_val_if_fail (dir != NULL, FALSE);

  ini = g_build_filename (dir, "Savepoint", "library.ini", NULL);
  if (g_file_test (ini, G_FILE_TEST_EXISTS))
    return TRUE;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the demo library folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* A half-made demo from an earlier crash is removed first. */
  {
    g_autofree char *stale = g_build_filename (dir, "Savepoint", NULL);
    if (g_file_test (stale, G_FILE_TEST_IS_DIR))
      remove_tree (stale);
  }

  source = make_temp_dir (dir, ".demo-source-", error);
  if (source == NULL)
    return FALSE;

  script = g_build_filename (source, "counter-quest.sh", NULL);
  home = g_build_filename (source, "home", NULL);
  if (!g_file_set_contents (script, DEMO_SCRIPT, -1, error) ||
      g_chmod (script, 0755) != 0 ||
      g_mkdir (home, 0755) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Could not write the demo game into “%s”"), source);
      remove_tree (source);
      return FALSE;
    }

  library = sp_library_create_sync (dir, _("Demo Library"), error);
  if (library == NULL)
    {
      remove_tree (source);
      return FALSE;
    }

  info.name = _("Counter Quest");
  info.kind = SP_GAME_KIND_NATIVE;
  info.executable = "counter-quest.sh";
  info.home = "home";
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY,
                                   NULL, NULL, NULL, error);
  remove_tree (source);
  /* A short timeline with notes, so that it shows what checkpoints are. */
  if (game != NULL &&
      (!add_demo_checkpoint (game, dir, 1, _("First Run"),
                             _("The counter is at 1.\nRestore this to count from one again."),
                             error) ||
       !add_demo_checkpoint (game, dir, 3, _("Third Run"),
                             _("The counter is at 3. Play from here and it goes on to 4."),
                             error)))
    g_clear_object (&game);
  if (game == NULL)
    {
      /* Without its game the demo is useless: try again next time. */
      g_autofree char *made = g_build_filename (dir, "Savepoint", NULL);
      remove_tree (made);
      return FALSE;
    }

  return TRUE;
}
