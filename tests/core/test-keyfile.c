/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/sp-core.h"
#include "sp-test-common.h"

static void
assert_malformed_at (const char *dir,
                     const char *contents,
                     guint       line)
{
  g_autofree char *path = g_build_filename (dir, "bad.ini", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s:%u: ", path, line);
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) error = NULL;

  tc_write (dir, "bad.ini", contents);
  kf = sp_key_file_load (path, &error);
  g_assert_null (kf);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected “%s…”, got “%s”", prefix, error->message);
}

static void
test_keyfile_malformed_lines (void)
{
  g_autofree char *dir = tc_tmpdir ();

  assert_malformed_at (dir, "[A]\nx=1\nthis line is junk\n", 3);
  assert_malformed_at (dir, "key=before-group\n[A]\n", 1);
  assert_malformed_at (dir, "# comment\n\n[A]\nx=1\n[B\ny=2\n", 5);
  assert_malformed_at (dir, "[A]\nx=\xff\xfe\n", 2);
  assert_malformed_at (dir, "[A]\n=novalue\n", 2);
  tc_rmtree (dir);
}

static void
test_keyfile_missing_and_nul (void)
{
  g_autofree char *dir = tc_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "nope.ini", NULL);
  g_autofree char *nul = g_build_filename (dir, "nul.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = NULL;

  kf = sp_key_file_load (missing, &error);
  g_assert_null (kf);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (nul, "[A]\nx=1\0\n", 9, NULL));
  kf = sp_key_file_load (nul, &error);
  g_assert_null (kf);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, nul));
  tc_rmtree (dir);
}

static void
test_keyfile_roundtrip_unknown (void)
{
  g_autofree char *dir = tc_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.ini", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) error = NULL;

  tc_write (dir, "x.ini",
            "# top comment\n"
            "[Known]\n"
            "# about A\n"
            "A=1\n"
            "Future=kept\n"
            "Name[fr]=Nom\n"
            "\n"
            "[FutureGroup]\n"
            "Z=9\n");
  kf = sp_key_file_load (path, &error);
  g_assert_no_error (error);
  g_key_file_set_string (kf, "Known", "A", "2");
  g_assert_true (sp_key_file_save (kf, path, &error));
  g_assert_no_error (error);

  after = tc_read (dir, "x.ini");
  g_assert_nonnull (strstr (after, "# top comment"));
  g_assert_nonnull (strstr (after, "# about A"));
  g_assert_nonnull (strstr (after, "A=2"));
  g_assert_nonnull (strstr (after, "Future=kept"));
  g_assert_nonnull (strstr (after, "Name[fr]=Nom"));
  g_assert_nonnull (strstr (after, "[FutureGroup]"));
  g_assert_nonnull (strstr (after, "Z=9"));
  /* Only the file itself: the atomic write left no temporary behind. */
  g_assert_cmpuint (tc_count_entries (dir), ==, 1);
  tc_rmtree (dir);
}

static void
test_keyfile_find_line_and_errors (void)
{
  const char *text = "[A]\nx=1\n[B]\n  y = 2\nx=3\n";
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) error = NULL;
  gint64 v = 0;
  g_autofree char *s = NULL;

  g_assert_cmpuint (sp_key_file_find_line (NULL, text, "A", "x"), ==, 2);
  g_assert_cmpuint (sp_key_file_find_line (NULL, text, "B", "y"), ==, 4);
  g_assert_cmpuint (sp_key_file_find_line (NULL, text, "B", "x"), ==, 5);
  g_assert_cmpuint (sp_key_file_find_line (NULL, text, "B", NULL), ==, 3);
  g_assert_cmpuint (sp_key_file_find_line (NULL, text, "C", NULL), ==, 0);

  kf = sp_key_file_load_from_data ("[A]\nn=abc\n", -1, "mem.ini", &error);
  g_assert_no_error (error);
  g_assert_false (sp_key_file_get_int64 (kf, "mem.ini", "A", "n", 0, &v, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  /* Without the text at hand the line cannot be found: the name still is. */
  g_assert_true (g_str_has_prefix (error->message, "mem.ini"));
  g_clear_error (&error);

  g_assert_true (sp_key_file_get_int64 (kf, "mem.ini", "A", "missing", 7, &v, &error));
  g_assert_cmpint (v, ==, 7);
  s = sp_key_file_get_string_required (kf, "mem.ini", "A", "missing", &error);
  g_assert_null (s);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
}

static void
test_keyfile_error_line_on_disk (void)
{
  g_autofree char *dir = tc_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "n.ini", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s:3: ", path);
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) error = NULL;
  guint64 v = 0;

  tc_write (dir, "n.ini", "[A]\nok=1\nsize=-5\n");
  kf = sp_key_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (sp_key_file_get_uint64 (kf, path, "A", "size", 0, &v, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  tc_rmtree (dir);
}

/* Metadata files from a drive: a link (here to /dev/zero, which made the
 * old loader allocate until memory ran out), a FIFO (which made it wait
 * forever), a folder and a file over 1 MiB are refused at once, naming the
 * file and the reason; a file of exactly 1 MiB still loads. */
static void
test_keyfile_special_files (void)
{
  g_autofree char *dir = tc_tmpdir ();
  g_autofree char *link = g_build_filename (dir, "link.ini", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling.ini", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.ini", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder.ini", NULL);
  g_autofree char *big = g_build_filename (dir, "big.ini", NULL);
  g_autofree char *fits = g_build_filename (dir, "fits.ini", NULL);
  g_autoptr(GString) text = g_string_new ("[Game]\nName=Big\n");
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *path;
    const char *reason;
  } refused[] = {
    { link, "symbolic link" },
    { dangling, "symbolic link" },
    { fifo, "FIFO" },
    { folder, "folder" },
    { big, "larger than 1 MiB" },
  };

  alarm (60);   /* a regression hangs on the FIFO: fail instead */
  g_assert_cmpint (symlink ("/dev/zero", link), ==, 0);
  g_assert_cmpint (symlink ("nowhere.ini", dangling), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  while (text->len < 1024 * 1024)
    g_string_append (text, "# padding padding padding padding padding padding padding\n");
  g_string_truncate (text, 1024 * 1024);
  text->str[text->len - 1] = '\n';
  g_assert_true (g_file_set_contents (fits, text->str, text->len, NULL));
  g_string_append (text, "#\n");
  g_assert_true (g_file_set_contents (big, text->str, text->len, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      kf = sp_key_file_load (refused[i].path, &error);
      g_assert_null (kf);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
      if (strstr (error->message, refused[i].path) == NULL ||
          strstr (error->message, refused[i].reason) == NULL)
        g_error ("expected “%s” and “%s” in “%s”", refused[i].path, refused[i].reason,
                 error->message);
      g_clear_error (&error);
    }
  /* A line number lookup on a FIFO must not hang either. */
  g_assert_cmpuint (sp_key_file_find_line (fifo, NULL, "Game", "Name"), ==, 0);

  kf = sp_key_file_load (fits, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kf);
  alarm (0);
  tc_rmtree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keyfile/malformed-lines", test_keyfile_malformed_lines);
  g_test_add_func ("/keyfile/missing-and-nul", test_keyfile_missing_and_nul);
  g_test_add_func ("/keyfile/roundtrip-unknown", test_keyfile_roundtrip_unknown);
  g_test_add_func ("/keyfile/find-line-and-errors", test_keyfile_find_line_and_errors);
  g_test_add_func ("/keyfile/error-line-on-disk", test_keyfile_error_line_on_disk);
  g_test_add_func ("/keyfile/special-files", test_keyfile_special_files);
  return g_test_run ();
}
