/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main() of a fuzz target built without libFuzzer: feeds every file of
 * the folders (or the files) given on the command line to
 * LLVMFuzzerTestOneInput(), one TAP line each, so `meson test` replays the
 * committed corpus on every run, under ASan too. A crash or a failed check
 * aborts, which meson reports as a failure. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz-common.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    g_error ("fuzz-replay: %s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (files, g_build_filename (path, name, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  if (argc < 2)
    {
      g_printerr ("Usage: %s CORPUS-FOLDER-OR-FILE…\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  g_ptr_array_sort (files, compare_paths);

  /* An empty corpus would be a test that cannot fail. */
  if (files->len == 0)
    {
      g_print ("Bail out! no corpus files in %s\n", argv[1]);
      return 1;
    }

  g_print ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize size;

      if (!g_file_get_contents (path, &data, &size, &error))
        g_error ("fuzz-replay: %s", error->message);
      LLVMFuzzerTestOneInput ((const uint8_t *) data, size);
      g_print ("ok %u %s\n", i + 1, path);
    }
  return 0;
}
