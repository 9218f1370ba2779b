/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fuzz-common.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "common/sp-util.h"

static char *process_dir;

static void
remove_process_dir (void)
{
  if (process_dir != NULL)
    sp_remove_tree (process_dir, NULL, NULL);
  g_clear_pointer (&process_dir, g_free);
}

static const char *
get_process_dir (void)
{
  if (process_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      process_dir = g_dir_make_tmp ("sp-fuzz-XXXXXX", &error);
      if (process_dir == NULL)
        g_error ("fuzz: no temporary folder: %s", error->message);
      atexit (remove_process_dir);
    }
  return process_dir;
}

char *
fuzz_fresh_dir (const char *name)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_build_filename (get_process_dir (), name, NULL);

  if (g_file_test (dir, G_FILE_TEST_EXISTS) && !sp_remove_tree (dir, NULL, &error))
    g_error ("fuzz: could not empty %s: %s", dir, error->message);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_error ("fuzz: could not create %s: %s", dir, g_strerror (errno));
  return dir;
}

char *
fuzz_write (const char    *dir,
            const char    *name,
            const uint8_t *data,
            size_t         size)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_mkdir_with_parents (parent, 0700) != 0)
    g_error ("fuzz: could not create %s: %s", parent, g_strerror (errno));
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, &error))
    g_error ("fuzz: could not write %s: %s", path, error->message);
  return path;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

char *
fuzz_list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return g_strdup ("(no folder)");
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("/", (char **) names->pdata);
}

GBytes *
fuzz_archive_bytes (const uint8_t *data,
                    size_t         size)
{
  static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
  size_t bound;
  size_t written;
  uint8_t *out;

  if (size >= sizeof zstd_magic && memcmp (data, zstd_magic, sizeof zstd_magic) == 0)
    return g_bytes_new (data, size);

  bound = ZSTD_compressBound (size);
  out = g_malloc (bound);
  written = ZSTD_compress (out, bound, data, size, 1);
  if (ZSTD_isError (written))
    g_error ("fuzz: zstd: %s", ZSTD_getErrorName (written));
  return g_bytes_new_take (out, written);
}
