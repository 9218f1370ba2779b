/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Pack and unpack throughput of checkpoint archives. Not a test: built by
 * meson, run by hand:
 *
 *   _build/tests/archive/bench-archive [--files 5000] [--mb 200] [--level 3]
 *                                      [--runs 3] [--keep] [SCRATCH_DIR]
 *
 * It generates an upper dir with a fixed seed (mixed sizes: many small
 * files, some medium, a few large; half of them incompressible, half
 * text-like), then packs it and unpacks the archive --runs times, printing
 * MB/s (of file content) and files/s for each run and the median. */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/sp-archive.h"
#include "common/sp-util.h"

static const char *words[] = {
  "save", "level", "score", "player", "inventory", "quest", "flag", "true", "false",
  "wine", "prefix", "registry", "HKEY_CURRENT_USER", "Software", "settings", "0x0001",
  "resolution", "1920x1080", "volume", "checkpoint", "=", "\n", "[Section]", "\t",
};

static void
fill (GRand  *rand,
      guchar *buf,
      gsize   len,
      gboolean text)
{
  gsize i = 0;

  if (!text)
    {
      for (; i + 4 <= len; i += 4)
        {
          guint32 r = g_rand_int (rand);
          memcpy (buf + i, &r, 4);
        }
      for (; i < len; i++)
        buf[i] = g_rand_int (rand) & 0xff;
      return;
    }
  while (i < len)
    {
      const char *w = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
      gsize wl = MIN (strlen (w), len - i);

      memcpy (buf + i, w, wl);
      i += wl;
      if (i < len)
        buf[i++] = ' ';
    }
}

static guint64
generate (const char *upper,
          guint       n_files,
          guint64     total_bytes)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autofree double *weights = g_new (double, n_files);
  g_autofree guchar *buf = NULL;
  double sum = 0;
  guint64 written = 0;
  gsize max = 0;

  /* 70% small (0.5-16 KiB), 25% medium (16-256 KiB), 5% large (1-8 MiB),
   * then scaled so the total is exactly @total_bytes. */
  for (guint i = 0; i < n_files; i++)
    {
      double r = g_rand_double (rand);

      if (r < 0.70)
        weights[i] = g_rand_double_range (rand, 512, 16 * 1024);
      else if (r < 0.95)
        weights[i] = g_rand_double_range (rand, 16 * 1024, 256 * 1024);
      else
        weights[i] = g_rand_double_range (rand, 1024 * 1024, 8 * 1024 * 1024);
      sum += weights[i];
    }
  for (guint i = 0; i < n_files; i++)
    max = MAX (max, (gsize) (weights[i] / sum * total_bytes) + 1);
  buf = g_malloc (max);

  for (guint i = 0; i < n_files; i++)
    {
      gsize size = (gsize) (weights[i] / sum * total_bytes);
      g_autofree char *dir = g_strdup_printf ("%s/d%02u/s%02u", upper, i % 50, (i / 50) % 4);
      g_autofree char *path = g_strdup_printf ("%s/file-%05u.%s", dir, i, i % 2 ? "bin" : "txt");
      g_autoptr(GError) error = NULL;

      if (i == n_files - 1)
        size = total_bytes - written;
      g_mkdir_with_parents (dir, 0755);
      fill (rand, buf, size, i % 2 == 0);
      if (!g_file_set_contents (path, (char *) buf, size, &error))
        g_error ("%s", error->message);
      written += size;
    }
  return written;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  int n_files = 5000;
  int mb = 200;
  int level = 3;
  int runs = 3;
  gboolean keep = FALSE;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "files", 0, 0, G_OPTION_ARG_INT, &n_files, "Number of files", "N" },
    { "mb", 0, 0, G_OPTION_ARG_INT, &mb, "Total content in MiB", "M" },
    { "level", 0, 0, G_OPTION_ARG_INT, &level, "zstd level (0 = default 3)", "L" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Repetitions", "R" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the scratch dir", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[SCRATCH_DIR]" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- checkpoint archive throughput");
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *arch = NULL;
  g_autofree char *out = NULL;
  g_autofree double *pack_s = NULL;
  g_autofree double *unpack_s = NULL;
  SpArchiveStats stats = { 0 };
  guint64 bytes;
  gint64 t0;
  double mib;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || runs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--runs must be at least 1");
      return 2;
    }
  if (rest != NULL && rest[0] != NULL)
    {
      scratch = g_build_filename (rest[0], "sp-bench-XXXXXX", NULL);
      if (g_mkdtemp (scratch) == NULL)
        g_error ("cannot create %s", scratch);
    }
  else
    scratch = g_dir_make_tmp ("sp-bench-XXXXXX", NULL);
  upper = g_build_filename (scratch, "upper", NULL);
  arch = g_build_filename (scratch, "cp.tar.zst", NULL);
  out = g_build_filename (scratch, "out", NULL);

  g_print ("generating %d files, %d MiB in %s (seed 20240601)\n", n_files, mb, upper);
  bytes = generate (upper, n_files, (guint64) mb * 1024 * 1024);
  sync ();
  mib = bytes / (1024.0 * 1024.0);
  pack_s = g_new (double, runs);
  unpack_s = g_new (double, runs);

  for (int r = 0; r < runs; r++)
    {
      t0 = g_get_monotonic_time ();
      if (!sp_archive_pack (upper, "[Checkpoint]\n", arch, level, NULL, NULL, NULL, &stats, &error))
        g_error ("%s", error->message);
      pack_s[r] = (g_get_monotonic_time () - t0) / 1e6;

      sp_remove_tree (out, NULL, NULL);
      t0 = g_get_monotonic_time ();
      if (!sp_archive_unpack_verified (arch, stats.archive_size, stats.sha256, out,
                                       NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
      unpack_s[r] = (g_get_monotonic_time () - t0) / 1e6;

      g_print ("run %d: pack %.2f s = %.1f MiB/s, %.0f files/s | "
               "unpack %.2f s = %.1f MiB/s, %.0f files/s\n",
               r + 1, pack_s[r], mib / pack_s[r], n_files / pack_s[r],
               unpack_s[r], mib / unpack_s[r], n_files / unpack_s[r]);
    }

  qsort (pack_s, runs, sizeof (double), compare_doubles);
  qsort (unpack_s, runs, sizeof (double), compare_doubles);
  g_print ("content %.1f MiB in %d files; archive %.1f MiB (ratio %.2f), zstd level %d\n",
           mib, n_files, stats.archive_size / (1024.0 * 1024.0),
           (double) stats.archive_size / bytes, level ? level : 3);
  g_print ("median pack:   %.1f MiB/s, %.0f files/s\n",
           mib / pack_s[runs / 2], n_files / pack_s[runs / 2]);
  g_print ("median unpack: %.1f MiB/s, %.0f files/s (verified SHA-256, syncfs included)\n",
           mib / unpack_s[runs / 2], n_files / unpack_s[runs / 2]);

  if (!keep)
    sp_remove_tree (scratch, NULL, NULL);
  else
    g_print ("kept %s\n", scratch);
  return 0;
}
