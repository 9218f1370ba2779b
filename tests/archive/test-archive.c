/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/sp-archive.h"
#include "common/sp-util.h"

#define METADATA "[Checkpoint]\nLabel=Test ✓\nParent=\n"

/* ------------------------------------------------------------------------ */
/* Helpers */

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sp-test-archive-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tmpdir (const char *dir)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_remove_tree (dir, NULL, &error));
  g_assert_no_error (error);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
}

static void
set_mtime (const char *path,
           time_t      sec,
           long        nsec)
{
  struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

  g_assert_cmpint (utimensat (AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), ==, 0);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static char *
hex (const void *data,
     gsize       len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", ((const guchar *) data)[i]);
  return g_string_free (s, FALSE);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* A canonical, sorted description of a tree as an overlay upper dir means
 * it: whiteouts and opaque dirs in either form are described the same. */
static void
describe_dir (GPtrArray  *lines,
              const char *root,
              const char *rel,
              GHashTable *inodes)
{
  g_autofree char *full = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) d = g_dir_open (full, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *r = *rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *p = g_build_filename (root, r, NULL);
      g_autoptr(GString) line = g_string_new (NULL);
      struct stat st;

      g_assert_cmpint (lstat (p, &st), ==, 0);
      if (strcmp (name, ".wh..wh..opq") == 0)
        continue;
      if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
        {
          g_ptr_array_add (lines, g_strdup_printf ("%s%s%s whiteout", rel, *rel ? "/" : "", name));
          continue;
        }
      if (S_ISREG (st.st_mode) && g_str_has_prefix (name, ".wh."))
        {
          g_ptr_array_add (lines, g_strdup_printf ("%s%s%s whiteout", rel, *rel ? "/" : "",
                                                   name + 4));
          continue;
        }

      g_string_append_printf (line, "%s type=%o mode=%o uid=%u gid=%u", r,
                              st.st_mode & S_IFMT, st.st_mode & 07777, st.st_uid, st.st_gid);
      if (!S_ISLNK (st.st_mode))
        g_string_append_printf (line, " mtime=%ld.%09ld", (long) st.st_mtim.tv_sec,
                                st.st_mtim.tv_nsec);
      if (S_ISREG (st.st_mode))
        {
          g_autofree char *key = g_strdup_printf ("%lu:%lu", (gulong) st.st_dev, (gulong) st.st_ino);
          const char *first = g_hash_table_lookup (inodes, key);
          g_autofree char *sum = sp_file_sha256 (p, NULL, NULL, NULL);

          g_string_append_printf (line, " size=%ld sha=%s", (long) st.st_size, sum);
          /* Hard links name the first of their group in sorted order,
           * whatever order the folders are read in: describe_tree() puts
           * the name in for the key. */
          if (st.st_nlink > 1)
            {
              g_string_append_printf (line, " link@%s@", key);
              if (first == NULL || strcmp (r, first) < 0)
                g_hash_table_insert (inodes, g_steal_pointer (&key), g_strdup (r));
            }
        }
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (p, NULL);

          g_string_append_printf (line, " target=%s", target);
        }
      if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
        {
          char list[4096];
          ssize_t len = llistxattr (p, list, sizeof list);
          g_autoptr(GPtrArray) names = g_ptr_array_new ();

          for (char *x = list; len > 0 && x < list + len; x += strlen (x) + 1)
            if (g_str_has_prefix (x, "user.") && !g_str_has_prefix (x, "user.overlay."))
              g_ptr_array_add (names, x);
          g_ptr_array_sort (names, compare_lines);
          for (guint i = 0; i < names->len; i++)
            {
              char value[1024];
              ssize_t vlen = lgetxattr (p, names->pdata[i], value, sizeof value);
              g_autofree char *h = NULL;

              g_assert_cmpint (vlen, >=, 0);
              h = hex (value, vlen);
              g_string_append_printf (line, " xattr:%s=%s", (char *) names->pdata[i], h);
            }
        }
      if (S_ISDIR (st.st_mode))
        {
          g_autofree char *marker = g_build_filename (p, ".wh..wh..opq", NULL);
          char v[4];
          ssize_t vlen = lgetxattr (p, "user.overlay.opaque", v, sizeof v);

          if ((vlen == 1 && v[0] == 'y') || g_file_test (marker, G_FILE_TEST_EXISTS))
            g_string_append (line, " opaque");
        }
      g_ptr_array_add (lines, g_strdup (line->str));
      if (S_ISDIR (st.st_mode))
        describe_dir (lines, root, r, inodes);
    }
}

static char *
describe_tree (const char *root)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GString *s = g_string_new (NULL);

  describe_dir (lines, root, "", inodes);
  for (guint i = 0; i < lines->len; i++)
    {
      char *line = lines->pdata[i];
      char *at = strstr (line, " link@");

      if (at != NULL)
        {
          char *key_start = at + strlen (" link@");
          char *key_end = strchr (key_start, '@');
          g_autofree char *key = g_strndup (key_start, key_end - key_start);
          const char *head = g_hash_table_lookup (inodes, key);
          gboolean is_head = g_str_has_prefix (line, head) && line[strlen (head)] == ' ';

          lines->pdata[i] = g_strdup_printf ("%.*s%s%s%s", (int) (at - line), line,
                                             is_head ? "" : " link=", is_head ? "" : head,
                                             key_end + 1);
          g_free (line);
        }
    }
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (s, lines->pdata[i]);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static guint64 big_file_bytes;

/* An upper dir with a bit of everything. Returns the content bytes. */
static guint64
make_upper (const char *upper,
            gboolean    with_big_file)
{
  g_autofree char *big = g_build_filename (upper, "big.bin", NULL);
  const char *dirs[] = { "sub", "sub/deep", "ro", "op1", "op2", "Ünïcødé 世界", NULL };
  guint64 bytes = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  g_assert_cmpint (g_mkdir_with_parents (upper, 0755), ==, 0);
  for (guint i = 0; dirs[i]; i++)
    {
      g_autofree char *p = g_build_filename (upper, dirs[i], NULL);
      g_assert_cmpint (mkdir (p, 0755), ==, 0);
    }

#define FILE_AT(rel, text, mode) G_STMT_START { \
    g_autofree char *_p = g_build_filename (upper, rel, NULL); \
    write_file (_p, text, -1); \
    g_assert_cmpint (chmod (_p, mode), ==, 0); \
    bytes += strlen (text); \
  } G_STMT_END

  FILE_AT ("a.txt", "hello world\n", 0644);
  FILE_AT ("empty", "", 0600);
  FILE_AT ("run.sh", "#!/bin/sh\necho hi\n", 0755);
  FILE_AT ("sub/secret", "only me", 0400);
  FILE_AT ("sub/deep/save.dat", "level=9\nscore=1234\n", 0640);
  FILE_AT ("ro/inside", "in a read-only folder", 0644);
  FILE_AT ("op1/new", "replaces the lower folder", 0644);
  FILE_AT ("Ünïcødé 世界/ファイル.txt", "ユニコード", 0644);
  FILE_AT ("dir-sticky-not", "x", 0644);
#undef FILE_AT

  {
    g_autofree char *a = g_build_filename (upper, "a.txt", NULL);
    g_autofree char *l1 = g_build_filename (upper, "sub/hard-a", NULL);
    g_autofree char *l2 = g_build_filename (upper, "zz-hard-a", NULL);
    g_autofree char *s1 = g_build_filename (upper, "sub/rel-link", NULL);
    g_autofree char *s2 = g_build_filename (upper, "abs-link", NULL);
    g_autofree char *s3 = g_build_filename (upper, "dangling", NULL);
    g_autofree char *fifo = g_build_filename (upper, "pipe", NULL);
    g_autofree char *wo1 = g_build_filename (upper, "sub/gone1", NULL);
    g_autofree char *wo2 = g_build_filename (upper, ".wh.gone2", NULL);
    g_autofree char *opq = g_build_filename (upper, "op2/.wh..wh..opq", NULL);
    g_autofree char *op1 = g_build_filename (upper, "op1", NULL);
    g_autofree char *save = g_build_filename (upper, "sub/deep/save.dat", NULL);
    g_autofree char *sub = g_build_filename (upper, "sub", NULL);
    g_autofree char *secret = g_build_filename (upper, "sub/secret", NULL);

    g_assert_cmpint (link (a, l1), ==, 0);
    g_assert_cmpint (link (a, l2), ==, 0);
    g_assert_cmpint (symlink ("../a.txt", s1), ==, 0);
    g_assert_cmpint (symlink ("/etc/passwd", s2), ==, 0);
    g_assert_cmpint (symlink ("no/such/thing", s3), ==, 0);
    g_assert_cmpint (mkfifo (fifo, 0620), ==, 0);
    g_assert_cmpint (mknod (wo1, S_IFCHR | 0000, makedev (0, 0)), ==, 0);
    write_file (wo2, "", 0);
    write_file (opq, "", 0);
    g_assert_cmpint (setxattr (op1, "user.overlay.opaque", "y", 1, 0), ==, 0);
    g_assert_cmpint (setxattr (save, "user.game.tag", "blue\0bin", 8, 0), ==, 0);
    g_assert_cmpint (setxattr (save, "user.another", "1", 1, 0), ==, 0);
    g_assert_cmpint (setxattr (sub, "user.folder", "yes", 3, 0), ==, 0);
    g_assert_cmpint (lchown (secret, 1234, 5678), ==, 0);
    g_assert_cmpint (lchown (s1, 4321, 8765), ==, 0);
  }

  if (with_big_file)
    {
      int fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      g_autofree guchar *chunk = g_malloc (1024 * 1024);

      for (guint i = 0; i < 1024 * 1024; i++)
        chunk[i] = g_rand_int (rand) & 0xff;
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, 50 * 1024 * 1024), ==, 0);
      g_assert_cmpint (pwrite (fd, chunk, 1024 * 1024, 0), ==, 1024 * 1024);
      g_assert_cmpint (pwrite (fd, chunk, 1024 * 1024, 20 * 1024 * 1024 + 17), ==, 1024 * 1024);
      g_assert_cmpint (pwrite (fd, chunk, 1024 * 1024, 49 * 1024 * 1024), ==, 1024 * 1024);
      close (fd);
      bytes += 50 * 1024 * 1024;
      big_file_bytes = 50 * 1024 * 1024;
    }

  /* Fixed times everywhere, folders last, with nanoseconds. */
  {
    const char *all[] = { "a.txt", "empty", "run.sh", "sub/secret", "sub/deep/save.dat",
                          "ro/inside", "op1/new", "Ünïcødé 世界/ファイル.txt", "sub/rel-link",
                          "abs-link", "dangling", "pipe", "big.bin", "dir-sticky-not",
                          "sub/deep", "sub", "ro", "op1", "op2", "Ünïcødé 世界", NULL };

    for (guint i = 0; all[i]; i++)
      {
        g_autofree char *p = g_build_filename (upper, all[i], NULL);

        if (strcmp (all[i], "big.bin") == 0 && !with_big_file)
          continue;
        set_mtime (p, 1600000000 + i * 1000, 123456789 + i);
      }
  }
  {
    g_autofree char *ro = g_build_filename (upper, "ro", NULL);
    g_assert_cmpint (chmod (ro, 0555), ==, 0);
  }
  return bytes;
}

typedef struct
{
  guint64 last_done;
  guint64 last_total;
  guint   calls;
  GCancellable *cancel_after_first;
} Progress;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpuint (done, >=, p->last_done);
  p->last_done = done;
  p->last_total = total;
  p->calls++;
  if (p->cancel_after_first != NULL && done > 0)
    g_cancellable_cancel (p->cancel_after_first);
}

/* ------------------------------------------------------------------------ */
/* Round trip */

/* Packs @upper into @arch with the test metadata; it must succeed. */
static void
pack_ok (const char     *upper,
         const char     *arch,
         int             level,
         SpArchiveStats *stats)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_archive_pack (upper, METADATA, arch, level, NULL, NULL, NULL, stats, &error));
  g_assert_no_error (error);
}

/* Packing @upper into @arch must fail with @code, name @path and leave
 * nothing beside @upper. */
static void
expect_pack_refused (const char *upper,
                     const char *arch,
                     int         code,
                     const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (arch);

  g_assert_false (sp_archive_pack (upper, METADATA, arch, 0, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpuint (count_entries (dir), ==, 1);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *arch2 = g_build_filename (dir, "cp2.tar.zst", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *meta = NULL;
  g_autoptr(GError) error = NULL;
  SpArchiveStats stats = { 0 }, stats2 = { 0 };
  Progress prog = { 0 };
  guint64 bytes;
  struct stat st;
  char v[4];

  bytes = make_upper (upper, TRUE);
  before = describe_tree (upper);

  g_assert_true (sp_archive_pack (upper, METADATA, arch, 0, progress_cb, &prog, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.bytes, ==, bytes);
  g_assert_cmpuint (prog.last_done, ==, bytes);
  g_assert_cmpuint (prog.last_total, ==, bytes);
  g_assert_cmpuint (stats.files, >=, 25);
  g_assert_cmpint (stat (arch, &st), ==, 0);
  g_assert_cmpuint (stats.archive_size, ==, st.st_size);
  g_assert_cmpuint (stats.archive_size, <, 8 * 1024 * 1024);
  g_assert_cmpuint (strlen (stats.sha256), ==, 64);
  g_assert_true (sp_archive_verify (arch, stats.archive_size, stats.sha256, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (dir), ==, 2);

  meta = sp_archive_read_metadata (arch, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (meta, ==, METADATA);

  memset (&prog, 0, sizeof prog);
  g_assert_true (sp_archive_unpack (arch, out, progress_cb, &prog, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (prog.last_done, ==, stats.archive_size);
  after = describe_tree (out);
  /* Everything as it was, except the owners: the unpacker's (root here),
   * not the ones the upper dir had (test_owners). */
  {
    g_autoptr(GString) expected = g_string_new (before);

    g_assert_cmpuint (g_string_replace (expected, "uid=1234 gid=5678", "uid=0 gid=0", 0), ==, 1);
    g_assert_cmpuint (g_string_replace (expected, "uid=4321 gid=8765", "uid=0 gid=0", 0), ==, 1);
    g_assert_cmpstr (after, ==, expected->str);
  }

  /* Whiteouts come back as character devices 0/0 (we are root), opaque
   * folders as the xattr, and neither leaves a marker file. */
  {
    g_autofree char *wo1 = g_build_filename (out, "sub/gone1", NULL);
    g_autofree char *wo2 = g_build_filename (out, "gone2", NULL);
    g_autofree char *wo2f = g_build_filename (out, ".wh.gone2", NULL);
    g_autofree char *op1 = g_build_filename (out, "op1", NULL);
    g_autofree char *op2 = g_build_filename (out, "op2", NULL);
    g_autofree char *op2m = g_build_filename (out, "op2/.wh..wh..opq", NULL);
    g_autofree char *metaf = g_build_filename (out, ".savepoint", NULL);

    g_assert_cmpint (lstat (wo1, &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0));
    g_assert_cmpint (lstat (wo2, &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0));
    g_assert_false (g_file_test (wo2f, G_FILE_TEST_EXISTS));
    g_assert_cmpint (lgetxattr (op1, "user.overlay.opaque", v, sizeof v), ==, 1);
    g_assert_cmpint (lgetxattr (op2, "user.overlay.opaque", v, sizeof v), ==, 1);
    g_assert_false (g_file_test (op2m, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (metaf, G_FILE_TEST_EXISTS));
  }

  /* Nothing else beside: no temporary folder left. */
  g_assert_cmpuint (count_entries (dir), ==, 3);

  /* Packing the unpacked tree gives the very same bytes. */
  pack_ok (out, arch2, 0, &stats2);
  g_assert_cmpstr (stats2.sha256, ==, stats.sha256);
  g_assert_cmpuint (stats2.files, ==, stats.files);

  remove_tmpdir (dir);
}

static void
test_deterministic (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *a1 = g_build_filename (dir, "1.tar.zst", NULL);
  g_autofree char *a2 = g_build_filename (dir, "2.tar.zst", NULL);
  g_autofree char *a3 = g_build_filename (dir, "3.tar.zst", NULL);
  g_autoptr(GError) error = NULL;
  SpArchiveStats s1, s2, s3;

  make_upper (upper, FALSE);
  pack_ok (upper, a1, 0, &s1);
  pack_ok (upper, a2, 0, &s2);
  g_assert_cmpstr (s1.sha256, ==, s2.sha256);
  g_assert_cmpuint (s1.archive_size, ==, s2.archive_size);

  /* Different metadata -> different archive; a changed mtime too. */
  g_assert_true (sp_archive_pack (upper, "[Checkpoint]\nLabel=other\n", a3, 0, NULL, NULL, NULL,
                                  &s3, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (s1.sha256, !=, s3.sha256);
  {
    g_autofree char *p = g_build_filename (upper, "a.txt", NULL);
    set_mtime (p, 1700000000, 0);
  }
  pack_ok (upper, a3, 19, &s3);
  g_assert_cmpstr (s1.sha256, !=, s3.sha256);

  remove_tmpdir (dir);
}

/* Level 0 means the process-wide default, which the app's preference sets:
 * the same upper packed at the default level equals packing at that level
 * explicitly, and another default gives another archive. */
static void
test_default_level (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *text = g_build_filename (upper, "log.txt", NULL);
  g_autofree char *a1 = g_build_filename (dir, "1.tar.zst", NULL);
  g_autofree char *a2 = g_build_filename (dir, "2.tar.zst", NULL);
  g_autofree char *a3 = g_build_filename (dir, "3.tar.zst", NULL);
  g_autoptr(GString) contents = g_string_new (NULL);
  SpArchiveStats s1, s2, s3;

  g_assert_cmpint (g_mkdir_with_parents (upper, 0755), ==, 0);
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (contents, "line %u: score %u, level %u\n", i, (i * 7919) % 1000, i % 37);
  g_assert_true (g_file_set_contents (text, contents->str, contents->len, NULL));
  set_mtime (text, 1700000000, 0);

  g_assert_cmpint (sp_archive_get_default_compression_level (), ==, 3);
  sp_archive_set_default_compression_level (19);
  pack_ok (upper, a1, 0, &s1);
  pack_ok (upper, a2, 19, &s2);
  g_assert_cmpstr (s1.sha256, ==, s2.sha256);

  sp_archive_set_default_compression_level (1);
  pack_ok (upper, a3, 0, &s3);
  g_assert_cmpuint (s3.archive_size, >, s1.archive_size);

  sp_archive_set_default_compression_level (3);
  remove_tmpdir (dir);
}

static void
test_metadata_first (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *meta = NULL;
  g_autoptr(GError) error = NULL;
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;

  make_upper (upper, FALSE);
  pack_ok (upper, arch, 0, NULL);

  /* Any zstd-capable tar reader sees the metadata first. */
  archive_read_support_filter_all (a);
  archive_read_support_format_all (a);
  g_assert_cmpint (archive_read_open_filename (a, arch, 10240), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_read_next_header (a, &entry), ==, ARCHIVE_OK);
  g_assert_cmpstr (archive_entry_pathname (entry), ==, SP_ARCHIVE_METADATA_ENTRY);
  g_assert_cmpint (archive_filter_code (a, 0), ==, ARCHIVE_FILTER_ZSTD);
  g_assert_cmpint (archive_format (a) & ARCHIVE_FORMAT_BASE_MASK, ==, ARCHIVE_FORMAT_TAR);
  archive_read_free (a);

  /* An empty upper dir packs and unpacks to an empty folder. */
  {
    g_autofree char *empty = g_build_filename (dir, "empty", NULL);
    g_autofree char *out = g_build_filename (dir, "out", NULL);
    g_autofree char *hidden = g_build_filename (empty, ".wh.hidden-dir", NULL);

    g_assert_cmpint (mkdir (empty, 0755), ==, 0);
    g_assert_cmpint (mkdir (hidden, 0755), ==, 0);
    pack_ok (empty, arch, 0, NULL);
    g_assert_true (sp_archive_unpack (arch, out, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_entries (out), ==, 0);
  }

  /* NULL metadata still gives an (empty) metadata entry. */
  g_assert_true (sp_archive_pack (upper, NULL, arch, 1, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  meta = sp_archive_read_metadata (arch, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (meta, ==, "");

  remove_tmpdir (dir);
}

static void
test_verify (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *sum = NULL;
  g_autoptr(GError) error = NULL;
  SpArchiveStats stats;
  char bad[65];
  guint64 size = 0;
  int fd;

  make_upper (upper, FALSE);
  pack_ok (upper, arch, 0, &stats);

  sum = sp_file_sha256 (arch, &size, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sum, ==, stats.sha256);
  g_assert_cmpuint (size, ==, stats.archive_size);

  g_assert_true (sp_archive_verify (arch, stats.archive_size, stats.sha256, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (sp_archive_verify (arch, stats.archive_size + 1, stats.sha256, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM);
  g_assert_nonnull (strstr (error->message, arch));
  g_clear_error (&error);

  memcpy (bad, stats.sha256, sizeof bad);
  bad[0] = bad[0] == '0' ? '1' : '0';
  g_assert_false (sp_archive_verify (arch, stats.archive_size, bad, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM);
  g_assert_nonnull (strstr (error->message, arch));
  g_assert_nonnull (strstr (error->message, bad));
  g_assert_nonnull (strstr (error->message, stats.sha256));
  g_clear_error (&error);

  /* One flipped byte in the file (flipped, not overwritten: the byte there
   * may already hold any value). */
  fd = open (arch, O_RDWR);
  g_assert_cmpint (fd, >=, 0);
  {
    char byte;
    g_assert_cmpint (pread (fd, &byte, 1, stats.archive_size / 2), ==, 1);
    byte ^= 0x5a;
    g_assert_cmpint (pwrite (fd, &byte, 1, stats.archive_size / 2), ==, 1);
  }
  close (fd);
  g_assert_false (sp_archive_verify (arch, stats.archive_size, stats.sha256, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM);
  g_clear_error (&error);

  g_assert_false (sp_archive_verify ("/nonexistent-sp/x.tar.zst", 1, bad, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "/nonexistent-sp/x.tar.zst"));

  remove_tmpdir (dir);
}

/* ------------------------------------------------------------------------ */
/* Packing refusals and cancellation */

static void
test_pack_refuses_socket_and_device (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *sock = g_build_filename (upper, "game.sock", NULL);
  g_autofree char *dev = g_build_filename (upper, "null", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int s;

  g_assert_cmpint (mkdir (upper, 0755), ==, 0);
  s = socket (AF_UNIX, SOCK_STREAM, 0);
  g_strlcpy (addr.sun_path, sock, sizeof addr.sun_path);
  g_assert_cmpint (bind (s, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  close (s);

  expect_pack_refused (upper, arch, SP_ARCHIVE_ERROR_HOSTILE, sock);
  g_unlink (sock);

  g_assert_cmpint (mknod (dev, S_IFCHR | 0666, makedev (1, 3)), ==, 0);
  expect_pack_refused (upper, arch, SP_ARCHIVE_ERROR_HOSTILE, dev);
  g_unlink (dev);

  /* The metadata name is reserved. */
  {
    g_autofree char *sp = g_build_filename (upper, ".savepoint", NULL);
    g_autofree char *ini = g_build_filename (sp, "checkpoint.ini", NULL);

    g_assert_cmpint (mkdir (sp, 0755), ==, 0);
    write_file (ini, "x", -1);
    expect_pack_refused (upper, arch, SP_ARCHIVE_ERROR_FAILED, ini);
  }

  remove_tmpdir (dir);
}

static void
test_cancel (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Progress prog = { .cancel_after_first = cancellable };
  SpArchiveStats stats;

  make_upper (upper, TRUE);
  g_assert_false (sp_archive_pack (upper, METADATA, arch, 0, progress_cb, &prog, cancellable,
                                   NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (dir), ==, 1);

  pack_ok (upper, arch, 0, &stats);

  /* Cancelled unpack: the empty target stays as it was. */
  g_assert_cmpint (mkdir (out, 0750), ==, 0);
  g_cancellable_reset (cancellable);
  memset (&prog, 0, sizeof prog);
  prog.cancel_after_first = cancellable;
  g_assert_false (sp_archive_unpack (arch, out, progress_cb, &prog, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_entries (dir), ==, 3);
  g_assert_cmpuint (count_entries (out), ==, 0);

  remove_tmpdir (dir);
}

static void
test_unpack_not_empty (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *keep = g_build_filename (out, "keep", NULL);
  g_autoptr(GError) error = NULL;

  make_upper (upper, FALSE);
  pack_ok (upper, arch, 0, NULL);

  g_assert_cmpint (mkdir (out, 0755), ==, 0);
  write_file (keep, "mine", -1);
  g_assert_false (sp_archive_unpack (arch, out, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NOT_EMPTY);
  g_assert_nonnull (strstr (error->message, out));
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (out), ==, 1);

  g_assert_false (sp_archive_unpack (arch, keep, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NOT_EMPTY);
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (dir), ==, 3);

  remove_tmpdir (dir);
}

/* Unprivileged unpack: mknod is refused, so whiteouts become ".wh." files. */
static void
test_unpack_unprivileged (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *outs = g_build_filename (dir, "outs", NULL);
  g_autofree char *out = g_build_filename (outs, "out", NULL);
  int status;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to switch to an unprivileged user");
      return;
    }
  make_upper (upper, FALSE);
  pack_ok (upper, arch, 0, NULL);
  g_assert_cmpint (chmod (dir, 0755), ==, 0);
  g_assert_cmpint (chmod (arch, 0644), ==, 0);
  g_assert_cmpint (mkdir (outs, 0755), ==, 0);
  g_assert_cmpint (chown (outs, 65534, 65534), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      GError *err = NULL;

      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (2);
      if (!sp_archive_unpack (arch, out, NULL, NULL, NULL, &err))
        {
          g_printerr ("%s\n", err->message);
          _exit (1);
        }
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  {
    g_autofree char *wo1 = g_build_filename (out, "sub/gone1", NULL);
    g_autofree char *wo1f = g_build_filename (out, "sub/.wh.gone1", NULL);
    g_autofree char *secret = g_build_filename (out, "sub/secret", NULL);
    g_autofree char *save = g_build_filename (out, "sub/deep/save.dat", NULL);
    g_autofree char *before = describe_tree (upper);
    g_autofree char *after = describe_tree (out);
    struct stat st;

    /* Kernels since 5.8 let anyone create a 0/0 whiteout device; older
     * ones refuse and we fall back to ".wh." files. Either way exactly one
     * form is there, and the tree means the same. */
    if (lstat (wo1, &st) == 0)
      {
        g_assert_true (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0));
        g_assert_false (g_file_test (wo1f, G_FILE_TEST_EXISTS));
      }
    else
      {
        g_assert_cmpint (lstat (wo1f, &st), ==, 0);
        g_assert_true (S_ISREG (st.st_mode) && st.st_size == 0);
      }
    g_assert_nonnull (strstr (after, "sub/gone1 whiteout\n"));
    g_assert_nonnull (strstr (after, "\ngone2 whiteout\n"));
    g_assert_nonnull (strstr (after, "op1 type=40000 mode=755 uid=65534"));
    g_assert_nonnull (strstr (before, "sub/secret type=100000 mode=400 uid=1234"));
    /* Owners are not restored when not root. */
    g_assert_cmpint (lstat (secret, &st), ==, 0);
    g_assert_cmpuint (st.st_uid, ==, 65534);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0400);
    g_assert_cmpint (lstat (save, &st), ==, 0);
    g_assert_cmpint (st.st_mtim.tv_sec, ==, 1600000000 + 4 * 1000);
  }
  remove_tmpdir (dir);
}

/* ------------------------------------------------------------------------ */
/* Hostile archives, built here with libarchive's write API */

typedef struct
{
  const char *name;
  mode_t      type;        /* AE_IF*; 0 = regular file */
  mode_t      perm;        /* 0 = 0644 */
  const char *data;
  gint64      size;        /* > 0: that many zero bytes instead of data */
  const char *symlink;
  const char *hardlink;
  dev_t       rdev;
} TEntry;

enum { WITH_METADATA = 1 << 0, GZIP = 1 << 1, NO_FILTER = 1 << 2 };

static void
write_test_archive (const char   *path,
                    guint         flags,
                    const TEntry *entries,
                    guint         n)
{
  struct archive *a = archive_write_new ();
  g_autofree char *zeros = g_malloc0 (65536);

  archive_write_set_format_pax_restricted (a);
  if (flags & GZIP)
    archive_write_add_filter_gzip (a);
  else if (!(flags & NO_FILTER))
    archive_write_add_filter_zstd (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);

  for (guint i = 0; i < n + ((flags & WITH_METADATA) ? 1 : 0); i++)
    {
      TEntry meta = { SP_ARCHIVE_METADATA_ENTRY, 0, 0, METADATA };
      const TEntry *t = (flags & WITH_METADATA) ? (i == 0 ? &meta : &entries[i - 1]) : &entries[i];
      struct archive_entry *e = archive_entry_new ();
      gint64 size = t->size > 0 ? t->size : (t->data ? (gint64) strlen (t->data) : 0);

      archive_entry_copy_pathname (e, t->name);
      archive_entry_set_filetype (e, t->type ? t->type : AE_IFREG);
      archive_entry_set_perm (e, t->perm ? t->perm : 0644);
      archive_entry_set_mtime (e, 1600000000, 0);
      if (t->symlink)
        archive_entry_copy_symlink (e, t->symlink);
      if (t->hardlink)
        archive_entry_copy_hardlink (e, t->hardlink);
      if (t->rdev)
        archive_entry_set_rdev (e, t->rdev);
      if ((t->type == 0 || t->type == AE_IFREG) && !t->hardlink)
        archive_entry_set_size (e, size);
      g_assert_cmpint (archive_write_header (a, e), >=, ARCHIVE_WARN);
      if (t->size > 0)
        {
          for (gint64 left = t->size; left > 0; left -= MIN (left, 65536))
            g_assert_cmpint (archive_write_data (a, zeros, MIN (left, 65536)), ==, MIN (left, 65536));
        }
      else if (t->data && *t->data)
        g_assert_cmpint (archive_write_data (a, t->data, size), ==, size);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

/* Compresses arbitrary bytes with zstd (a hand-made tar stream). */
static void
write_raw_zstd (const char   *path,
                const guchar *data,
                gsize         len)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();

  archive_write_set_format_raw (a);
  archive_write_add_filter_zstd (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  archive_entry_set_pathname (e, "raw");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_size (e, len);
  g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (a, data, len), ==, (la_ssize_t) len);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  archive_entry_free (e);
}

static void
tar_header (guchar     *block,
            const char *name,
            char        type,
            gsize       size)
{
  guint sum = 0;

  memset (block, 0, 512);
  memcpy (block, name, MIN (strlen (name), 100));
  memcpy (block + 100, "0000644", 7);
  memcpy (block + 108, "0000000", 7);
  memcpy (block + 116, "0000000", 7);
  g_snprintf ((char *) block + 124, 12, "%011lo", (gulong) size);
  memcpy (block + 136, "13673376000", 11);
  block[156] = type;
  memcpy (block + 257, "ustar", 6);
  memcpy (block + 263, "00", 2);
  memset (block + 148, ' ', 8);
  for (guint i = 0; i < 512; i++)
    sum += block[i];
  g_snprintf ((char *) block + 148, 8, "%06o", sum);
}

/* Appends a ustar entry: its header and its @len (at most 512) bytes. */
static void
tar_append_entry (GByteArray *tar,
                  const char *name,
                  char        type,
                  const void *data,
                  gsize       len)
{
  guchar block[512];

  g_assert_cmpuint (len, <=, sizeof block);
  tar_header (block, name, type, len);
  g_byte_array_append (tar, block, 512);
  memset (block, 0, 512);
  memcpy (block, data, len);
  g_byte_array_append (tar, block, 512);
}

/* Ends @tar with two zero blocks and writes it zstd-compressed to @path. */
static void
tar_finish (GByteArray *tar,
            const char *path)
{
  guchar block[512] = { 0 };

  g_byte_array_append (tar, block, 512);
  g_byte_array_append (tar, block, 512);
  write_raw_zstd (path, tar->data, tar->len);
  g_byte_array_unref (tar);
}

/* A pax "path" record with a NUL inside: "a\0/../../x". */
static void
write_nul_trick (const char *path,
                 const char *outside_name)
{
  GByteArray *tar = g_byte_array_new ();
  g_autofree char *record = NULL;
  char value[64];
  gsize vlen;
  gsize rlen;

  tar_append_entry (tar, SP_ARCHIVE_METADATA_ENTRY, '0', METADATA, strlen (METADATA));

  vlen = g_snprintf (value, sizeof value, "a%c/../../%s", 0, outside_name);
  /* "NN path=<value>\n" with NN its own total length. */
  rlen = 3 + 5 + vlen + 1;
  record = g_malloc (rlen + 1);
  g_snprintf (record, rlen + 1, "%02u path=", (guint) rlen);
  memcpy (record + 8, value, vlen);
  record[rlen - 1] = '\n';

  tar_append_entry (tar, "PaxHeader/x", 'x', record, rlen);
  tar_append_entry (tar, "placeholder", '0', "evil", 4);
  tar_finish (tar, path);
}

/* A hand-made ustar entry named @name after the metadata. */
static void
write_raw_entry (const char *path,
                 const char *name)
{
  GByteArray *tar = g_byte_array_new ();

  tar_append_entry (tar, SP_ARCHIVE_METADATA_ENTRY, '0', METADATA, strlen (METADATA));
  tar_append_entry (tar, name, '0', "evil", 4);
  tar_finish (tar, path);
}

typedef struct
{
  char *dir;       /* scratch root */
  char *arch;      /* archive to test */
  char *outs;      /* parent of the target; holds only "dest" */
  char *dest;      /* the target: an empty folder */
  char *escape;    /* a folder outside, which must stay empty */
} Hostile;

static void
hostile_setup (Hostile *h)
{
  h->dir = make_tmpdir ();
  h->arch = g_build_filename (h->dir, "evil.tar.zst", NULL);
  h->outs = g_build_filename (h->dir, "outs", NULL);
  h->dest = g_build_filename (h->outs, "dest", NULL);
  h->escape = g_build_filename (h->dir, "escape", NULL);
  g_assert_cmpint (mkdir (h->outs, 0755), ==, 0);
  g_assert_cmpint (mkdir (h->escape, 0755), ==, 0);
}

static void
hostile_teardown (Hostile *h)
{
  remove_tmpdir (h->dir);
  g_free (h->dir);
  g_free (h->arch);
  g_free (h->outs);
  g_free (h->dest);
  g_free (h->escape);
}

/* Unpacks h->arch into an empty dest (and into a missing one) and checks
 * the error and that nothing was left anywhere. */
static void
expect_refused_full (Hostile    *h,
                     const char *what,
                     int         code,
                     guint64     size,
                     const char *sha256)
{
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GError) error = NULL;
      gboolean dest_exists = round == 0;

      if (dest_exists)
        g_assert_cmpint (mkdir (h->dest, 0711), ==, 0);

      g_test_message ("%s (%s target)", what, dest_exists ? "empty" : "missing");
      if (sha256 != NULL)
        g_assert_false (sp_archive_unpack_verified (h->arch, size, sha256, h->dest,
                                                    NULL, NULL, NULL, &error));
      else
        g_assert_false (sp_archive_unpack (h->arch, h->dest, NULL, NULL, NULL, &error));
      g_assert_nonnull (error);
      if (error->domain != SP_ARCHIVE_ERROR ||
          (code >= 0 && error->code != code) ||
          (code < 0 && error->code != SP_ARCHIVE_ERROR_HOSTILE &&
           error->code != SP_ARCHIVE_ERROR_CORRUPT))
        g_error ("%s: expected code %d, got %s %d: %s", what, code,
                 g_quark_to_string (error->domain), error->code, error->message);
      g_test_message ("  -> %s", error->message);
      g_assert_nonnull (strstr (error->message, h->arch));

      if (dest_exists)
        {
          struct stat st;

          g_assert_cmpint (lstat (h->dest, &st), ==, 0);
          g_assert_true (S_ISDIR (st.st_mode));
          g_assert_cmpuint (st.st_mode & 07777, ==, 0711);
          g_assert_cmpuint (count_entries (h->dest), ==, 0);
          g_assert_cmpuint (count_entries (h->outs), ==, 1);
          g_assert_cmpint (rmdir (h->dest), ==, 0);
        }
      else
        g_assert_cmpuint (count_entries (h->outs), ==, 0);
      g_assert_cmpuint (count_entries (h->escape), ==, 0);
      g_assert_cmpuint (count_entries (h->dir), ==, 3);
    }

  /* What unpacking refuses, checking (verify, import) refuses too, with
   * the same code and writing nothing. Running out of space is the
   * target's problem, not the archive's. */
  if (code != SP_ARCHIVE_ERROR_NO_SPACE)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sum = NULL;
      guint64 file_size = 0;

      g_assert_false (sp_archive_check (h->arch, size, sha256, NULL, NULL, NULL, &error));
      g_assert_nonnull (error);
      /* Checked against a size and SHA-256, a damaged file is reported as
       * such, whatever entry it breaks. */
      if (sha256 != NULL && g_error_matches (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM))
        ;
      else if (error->domain != SP_ARCHIVE_ERROR ||
          (code >= 0 && error->code != code) ||
          (code < 0 && error->code != SP_ARCHIVE_ERROR_HOSTILE &&
           error->code != SP_ARCHIVE_ERROR_CORRUPT))
        g_error ("%s, checked: expected code %d, got %s %d: %s", what, code,
                 g_quark_to_string (error->domain), error->code, error->message);
      g_assert_nonnull (strstr (error->message, h->arch));
      g_clear_error (&error);

      /* verify with the file's own size and SHA-256 (as a .ini written for
       * it would say) still refuses it. */
      sum = sp_file_sha256 (h->arch, &file_size, NULL, &error);
      g_assert_no_error (error);
      if (sha256 == NULL)
        {
          g_assert_false (sp_archive_verify (h->arch, file_size, sum, NULL, &error));
          g_assert_nonnull (error);
          g_assert_true (error->domain == SP_ARCHIVE_ERROR);
          g_assert_true (code < 0 || error->code == code);
        }
      g_assert_cmpuint (count_entries (h->outs), ==, 0);
      g_assert_cmpuint (count_entries (h->escape), ==, 0);
      g_assert_cmpuint (count_entries (h->dir), ==, 3);
    }
}

static void
expect_refused (Hostile    *h,
                const char *what,
                int         code)
{
  expect_refused_full (h, what, code, 0, NULL);
}

/* Writes @entries after the metadata as h->arch and expects the unpack to
 * be refused with @code. */
static void
expect_entries_refused (Hostile      *h,
                        const TEntry *entries,
                        guint         n_entries,
                        const char   *what,
                        int           code)
{
  write_test_archive (h->arch, WITH_METADATA, entries, n_entries);
  expect_refused (h, what, code);
}

static void
test_hostile_paths (void)
{
  Hostile h;
  g_autofree char *escape_file = NULL;
  g_autofree char *escape_abs = NULL;

  hostile_setup (&h);
  escape_file = g_build_filename ("..", "..", "escape", "x", NULL);
  escape_abs = g_build_filename (h.escape, "abs", NULL);

  {
    TEntry e[] = { { "ok", 0, 0, "fine" }, { "../x", 0, 0, "out" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "dot-dot", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { escape_file, 0, 0, "out" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "dot-dot into escape", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "a", AE_IFDIR, 0755 }, { "a/../../x", 0, 0, "out" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "inner dot-dot", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { escape_abs, 0, 0, "out" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "absolute", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "a//b", 0, 0, "x" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "empty component", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "./a", 0, 0, "x" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "dot component", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    g_autofree char *longname = g_strnfill (300, 'n');
    TEntry e[] = { { longname, 0, 0, "x" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "over-long name", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    write_raw_entry (h.arch, "");
    expect_refused (&h, "empty name", -1);
  }
  {
    write_nul_trick (h.arch, "escape/nul");
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *nul = g_build_filename (h.escape, "nul", NULL);
      gboolean ok = sp_archive_unpack (h.arch, h.dest, NULL, NULL, NULL, &error);

      /* libarchive cuts the name at the NUL: either the entry is refused
       * or it lands as "a" inside the target, never outside. */
      if (ok)
        {
          g_autofree char *a = g_build_filename (h.dest, "a", NULL);

          g_assert_no_error (error);
          g_assert_true (g_file_test (a, G_FILE_TEST_IS_REGULAR));
          g_assert_cmpuint (count_entries (h.dest), ==, 1);
          remove_tmpdir (h.dest);
        }
      else
        g_assert_true (error->domain == SP_ARCHIVE_ERROR);
      g_assert_false (g_file_test (nul, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_entries (h.escape), ==, 0);
      g_assert_cmpuint (count_entries (h.outs), ==, 0);
    }
  }
  hostile_teardown (&h);
}

static void
test_hostile_links (void)
{
  Hostile h;
  g_autofree char *outside = NULL;

  hostile_setup (&h);
  outside = g_build_filename (h.escape, "target", NULL);
  write_file (outside, "outside data", -1);
  g_assert_cmpint (g_unlink (outside), ==, 0);

  {
    TEntry e[] = { { "l", AE_IFLNK, 0777, NULL, 0, h.escape }, { "l/pwned", 0, 0, "x" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "file through absolute symlink", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "l", AE_IFLNK, 0777, NULL, 0, "../../escape" }, { "l/pwned", 0, 0, "x" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "file through relative symlink", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "d", AE_IFDIR, 0755 }, { "l", AE_IFLNK, 0777, NULL, 0, "d" },
                   { "l/sub", AE_IFDIR, 0755 } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "folder through inner symlink", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "l", AE_IFLNK, 0777, NULL, 0, "/etc/passwd" }, { "l", 0, 0, "overwrite" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "file over a symlink", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "h", 0, 0, NULL, 0, NULL, "../escape/target" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "hard link outside", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "h", 0, 0, NULL, 0, NULL, "/etc/passwd" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "hard link absolute", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "s", AE_IFLNK, 0777, NULL, 0, "/etc/passwd" },
                   { "h", 0, 0, NULL, 0, NULL, "s" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "hard link to a symlink", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "l", AE_IFLNK, 0777, NULL, 0, "/etc" },
                   { "h", 0, 0, NULL, 0, NULL, "l/passwd" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "hard link through a symlink", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "h", 0, 0, NULL, 0, NULL, SP_ARCHIVE_METADATA_ENTRY } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "hard link to the metadata", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "h", 0, 0, NULL, 0, NULL, "missing" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "hard link to nothing", SP_ARCHIVE_ERROR_CORRUPT);
  }
  hostile_teardown (&h);
}

static void
test_hostile_types (void)
{
  Hostile h;

  hostile_setup (&h);
  {
    TEntry e[] = { { "null", AE_IFCHR, 0666, NULL, 0, NULL, NULL, makedev (1, 3) } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "char device", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    /* Even 0/0 under a plain name: whiteouts travel as ".wh." files. */
    TEntry e[] = { { "wo", AE_IFCHR, 0600, NULL, 0, NULL, NULL, makedev (0, 0) } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "char device 0/0", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "sda", AE_IFBLK, 0660, NULL, 0, NULL, NULL, makedev (8, 0) } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "block device", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "a", 0, 0, "x" }, { SP_ARCHIVE_METADATA_ENTRY, 0, 0, "[Checkpoint]\n" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "duplicated metadata", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "a", 0, 0, "x" }, { SP_ARCHIVE_METADATA_ENTRY, 0, 0, "[Checkpoint]\n" } };
    g_autoptr(GError) error = NULL;

    write_test_archive (h.arch, 0, e, G_N_ELEMENTS (e));
    expect_refused (&h, "metadata not first", SP_ARCHIVE_ERROR_CORRUPT);
    g_assert_null (sp_archive_read_metadata (h.arch, &error));
    g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    TEntry e[] = { { "a", 0, 0, "x" } };
    write_test_archive (h.arch, 0, e, G_N_ELEMENTS (e));
    expect_refused (&h, "no metadata", SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    TEntry e[] = { { "a", 0, 0, "x" }, { "a", 0, 0, "y" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "duplicate file", SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    TEntry e[] = { { ".wh.a", 0, 0, "content" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "whiteout with content", SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    TEntry e[] = { { ".wh..wh.plnk", 0, 0, "" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "reserved whiteout name", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { ".wh..", 0, 0, "" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e), "whiteout of ..", SP_ARCHIVE_ERROR_HOSTILE);
  }
  {
    TEntry e[] = { { "wo", 0, 0, "x" }, { ".wh.wo", 0, 0, "" } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "whiteout over a file", SP_ARCHIVE_ERROR_CORRUPT);
  }
  hostile_teardown (&h);
}

/* Reads the permission bits of every entry of an archive. */
static GHashTable *
archive_perms (const char *path)
{
  GHashTable *perms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct archive *a = archive_read_new ();
  struct archive_entry *e;

  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  g_assert_cmpint (archive_read_open_filename (a, path, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK)
    {
      char *name = g_strdup (archive_entry_pathname (e));

      if (g_str_has_suffix (name, "/"))
        name[strlen (name) - 1] = '\0';
      g_hash_table_insert (perms, name, GUINT_TO_POINTER (archive_entry_perm (e)));
    }
  archive_read_free (a);
  return perms;
}

static guint
mode_of (const char *dir,
         const char *rel)
{
  g_autofree char *p = g_build_filename (dir, rel, NULL);
  struct stat st;

  g_assert_cmpint (lstat (p, &st), ==, 0);
  return st.st_mode & 07777;
}

/* A game may set setuid/setgid bits and copy-up keeps a
 * setgid folder; such checkpoints are packed without the bits, and those
 * already on drives (packed with them) restore, with the bits cleared. */
static void
test_special_bits (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *release = g_test_build_filename (G_TEST_DIST, "archive", "data",
                                                    "release-setuid.tar.zst", NULL);
  g_autoptr(GHashTable) perms = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *contents = NULL;
  SpArchiveStats stats;
  struct {
    const char *name;
    guint       mode;
    guint       saved;
  } cases[] = {
    { "suid", 04755, 0755 },
    { "sgid", 02755, 0755 },
    { "both", 06750, 0750 },
    { "sticky-file", 01644, 0644 },
    { "sgid-dir", 02775, 0775 },
    { "tmp", 01777, 01777 },
  };

  /* Packing clears the bits. */
  g_assert_cmpint (mkdir (upper, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *p = g_build_filename (upper, cases[i].name, NULL);

      if (g_str_has_suffix (cases[i].name, "dir") || strcmp (cases[i].name, "tmp") == 0)
        g_assert_cmpint (mkdir (p, 0755), ==, 0);
      else
        write_file (p, "#!/bin/sh\n", -1);
      g_assert_cmpint (chmod (p, cases[i].mode), ==, 0);
      g_assert_cmpuint (mode_of (upper, cases[i].name), ==, cases[i].mode);
    }
  {
    /* A file in the setgid folder, as a game writes it there. */
    g_autofree char *p = g_build_filename (upper, "sgid-dir", "save", NULL);
    write_file (p, "progress", -1);
  }
  pack_ok (upper, arch, 0, &stats);
  perms = archive_perms (arch);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmphex (GPOINTER_TO_UINT (g_hash_table_lookup (perms, cases[i].name)), ==,
                     cases[i].saved);
  g_assert_true (sp_archive_check (arch, stats.archive_size, stats.sha256, NULL, &warning,
                                   NULL, &error));
  g_assert_no_error (error);
  g_assert_null (warning);
  g_assert_true (sp_archive_unpack_verified (arch, stats.archive_size, stats.sha256, out,
                                             NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmphex (mode_of (out, cases[i].name), ==, cases[i].saved);
  remove_tmpdir (out);

  /* An archive packed by the released code (bits kept) restores, bits
   * cleared, and checking it says so without refusing it. */
  g_assert_true (sp_archive_check (release, 442,
                                   "619b9f65f11b34fa05afe7a9ff879147e46106afe0af453dcdd1d0b6389c0e26",
                                   &stats, &warning, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (warning);
  g_test_message ("warning: %s", warning);
  g_assert_nonnull (strstr (warning, release));
  g_assert_nonnull (strstr (warning, " 3 "));
  g_assert_nonnull (strstr (warning, "bin/both"));
  g_assert_cmpuint (stats.files, ==, 5);
  g_assert_true (sp_archive_verify (release, 442,
                                    "619b9f65f11b34fa05afe7a9ff879147e46106afe0af453dcdd1d0b6389c0e26",
                                    NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sp_archive_unpack_verified (release, 442,
                                             "619b9f65f11b34fa05afe7a9ff879147e46106afe0af453dcdd1d0b6389c0e26",
                                             out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmphex (mode_of (out, "bin/tool"), ==, 0755);
  g_assert_cmphex (mode_of (out, "bin/both"), ==, 0750);
  g_assert_cmphex (mode_of (out, "data"), ==, 0755);
  g_assert_cmphex (mode_of (out, "data/save.txt"), ==, 0644);
  {
    g_autofree char *p = g_build_filename (out, "data", "save.txt", NULL);

    g_assert_true (g_file_get_contents (p, &contents, NULL, &error));
    g_assert_cmpstr (contents, ==, "saved in a setgid folder\n");
  }
  remove_tmpdir (out);

  /* Packing what was unpacked gives no bits either: kept twice. */
  g_clear_pointer (&warning, g_free);
  remove_tmpdir (upper);
  g_assert_true (sp_archive_unpack (release, upper, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  pack_ok (upper, arch, 0, &stats);
  g_assert_true (sp_archive_check (arch, stats.archive_size, stats.sha256, NULL, &warning,
                                   NULL, &error));
  g_assert_no_error (error);
  g_assert_null (warning);

  remove_tmpdir (dir);
}

/* Random small archives from a few names and kinds: checking an archive
 * (verify, import) and unpacking it always agree, on the verdict and on the
 * kind of error, so nothing checking calls good is refused by play. */
static void
check_agrees_rounds (Hostile *h)
{
  static const char *names[] = {
    "a", "b", "a/b", "a/c", "b/a", ".wh.a", ".wh.b", "a/.wh.b", "a/.wh..wh..opq",
    "l", "l/x", "a/l", "a/l/x", "d", "d/e", "d/.wh.e",
  };
  static const char *targets[] = { "a", "b", "a/b", "l", "d", "missing", "a/l" };
  static const mode_t types[] = { 0, 0, 0, AE_IFDIR, AE_IFDIR, AE_IFLNK, AE_IFIFO, 0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  guint good = 0, refused = 0;

  for (guint round = 0; round < 300; round++)
    {
      TEntry e[6];
      guint n = g_rand_int_range (rand, 1, G_N_ELEMENTS (e) + 1);
      g_autoptr(GError) check_error = NULL;
      g_autoptr(GError) unpack_error = NULL;
      gboolean checked, unpacked;

      memset (e, 0, sizeof e);
      for (guint i = 0; i < n; i++)
        {
          guint t = g_rand_int_range (rand, 0, G_N_ELEMENTS (types));
          const char *base;

          e[i].name = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];
          base = strrchr (e[i].name, '/') ? strrchr (e[i].name, '/') + 1 : e[i].name;
          e[i].type = types[t];
          /* 0 is 0644: a folder its owner cannot search. */
          e[i].perm = g_rand_boolean (rand) ? 04755 : 0;
          if (e[i].type == AE_IFLNK)
            e[i].symlink = g_rand_boolean (rand) ? "/etc" : "a";
          else if (e[i].type == 0 && t == G_N_ELEMENTS (types) - 1)
            e[i].hardlink = targets[g_rand_int_range (rand, 0, G_N_ELEMENTS (targets))];
          else if (e[i].type == 0)
            e[i].data = g_str_has_prefix (base, ".wh.") && g_rand_boolean (rand) ? "" : "data";
        }
      write_test_archive (h->arch, WITH_METADATA, e, n);

      checked = sp_archive_check (h->arch, 0, NULL, NULL, NULL, NULL, &check_error);
      unpacked = sp_archive_unpack (h->arch, h->dest, NULL, NULL, NULL, &unpack_error);
      if (checked != unpacked ||
          (!checked && (check_error->domain != unpack_error->domain ||
                        check_error->code != unpack_error->code)))
        {
          for (guint i = 0; i < n; i++)
            g_printerr ("# entry %s type %o perm %o link %s\n", e[i].name, e[i].type, e[i].perm,
                        e[i].symlink ? e[i].symlink : e[i].hardlink ? e[i].hardlink : "");
          g_error ("round %u (uid %u): check says %s, unpack says %s", round, geteuid (),
                   checked ? "good" : check_error->message,
                   unpacked ? "good" : unpack_error->message);
        }
      if (unpacked)
        {
          good++;
          remove_tmpdir (h->dest);
        }
      else
        refused++;
      g_assert_cmpuint (count_entries (h->outs), ==, 0);
      g_assert_cmpuint (count_entries (h->escape), ==, 0);
    }
  g_test_message ("uid %u: %u archives good, %u refused", geteuid (), good, refused);
  g_assert_cmpuint (good, >, 20);
  g_assert_cmpuint (refused, >, 20);
}

static void
test_check_agrees_with_unpack (void)
{
  Hostile h;

  hostile_setup (&h);
  check_agrees_rounds (&h);

  /* Players unpack without privileges: no mknod whiteouts, no search
   * permission on a folder that lacks it. */
  if (geteuid () == 0)
    {
      int status;
      pid_t pid;

      g_assert_cmpint (g_unlink (h.arch), ==, 0);
      g_assert_cmpint (chmod (h.dir, 0755), ==, 0);
      g_assert_cmpint (chown (h.dir, 65534, 65534), ==, 0);
      g_assert_cmpint (chown (h.outs, 65534, 65534), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          if (setgid (65534) != 0 || setuid (65534) != 0)
            _exit (2);
          check_agrees_rounds (&h);
          _exit (0);
        }
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  hostile_teardown (&h);
}

static void
test_hostile_encoding (void)
{
  Hostile h;
  g_autofree char *good_upper = NULL;
  g_autofree char *good = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  SpArchiveStats stats;

  hostile_setup (&h);

  /* A real archive with enough data to span several zstd blocks. */
  good_upper = g_build_filename (h.dir, "upper", NULL);
  good = g_build_filename (h.dir, "good.tar.zst", NULL);
  make_upper (good_upper, FALSE);
  {
    g_autofree char *p = g_build_filename (good_upper, "noise", NULL);
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);
    g_autofree guchar *noise = g_malloc (300 * 1024);

    for (guint i = 0; i < 300 * 1024; i++)
      noise[i] = g_rand_int (rand) & 0xff;
    write_file (p, (char *) noise, 300 * 1024);
  }
  pack_ok (good_upper, good, 0, &stats);
  remove_tmpdir (good_upper);
  g_assert_true (g_file_get_contents (good, &contents, &len, &error));
  g_assert_no_error (error);
  g_unlink (good);

  {
    const gsize cuts[] = { len - 1, len - 4, len - 100, len / 2, 64, 10 };

    for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
      {
        g_autofree char *what = g_strdup_printf ("truncated at %zu of %zu", cuts[i], len);

        write_file (h.arch, contents, cuts[i]);
        expect_refused (&h, what, SP_ARCHIVE_ERROR_CORRUPT);
      }
  }
  {
    /* Flipped bytes in the compressed headers. */
    g_autofree char *bad = g_memdup2 (contents, len);

    for (gsize i = 12; i < 28; i++)
      bad[i] ^= 0x5a;
    write_file (h.arch, bad, len);
    expect_refused (&h, "corrupt zstd", SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    /* Flipped bytes inside stored (incompressible) data decode "fine":
     * zstd frames carry no checksum, the SHA-256 catches it. */
    g_autofree char *bad = g_memdup2 (contents, len);

    for (gsize i = len / 2; i < len / 2 + 16; i++)
      bad[i] ^= 0x5a;
    write_file (h.arch, bad, len);
    expect_refused_full (&h, "corrupt data, verified", SP_ARCHIVE_ERROR_CHECKSUM,
                         stats.archive_size, stats.sha256);
    write_file (h.arch, contents, len - 1);
    expect_refused_full (&h, "truncated, verified", SP_ARCHIVE_ERROR_CORRUPT,
                         stats.archive_size, stats.sha256);
  }
  {
    /* The verified unpack of the intact archive succeeds. */
    g_autoptr(GError) err = NULL;

    write_file (h.arch, contents, len);
    g_assert_true (sp_archive_unpack_verified (h.arch, stats.archive_size, stats.sha256, h.dest,
                                               NULL, NULL, NULL, &err));
    g_assert_no_error (err);
    remove_tmpdir (h.dest);
  }
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (3);
    char garbage[4096];

    for (guint i = 0; i < sizeof garbage; i++)
      garbage[i] = g_rand_int (rand) & 0xff;
    write_file (h.arch, garbage, sizeof garbage);
    expect_refused (&h, "garbage", SP_ARCHIVE_ERROR_CORRUPT);
    write_file (h.arch, "", 0);
    expect_refused (&h, "empty file", SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    TEntry e[] = { { "a", 0, 0, "x" } };

    write_test_archive (h.arch, WITH_METADATA | GZIP, e, G_N_ELEMENTS (e));
    expect_refused (&h, "gzip tar", SP_ARCHIVE_ERROR_CORRUPT);
    write_test_archive (h.arch, WITH_METADATA | NO_FILTER, e, G_N_ELEMENTS (e));
    expect_refused (&h, "uncompressed tar", SP_ARCHIVE_ERROR_CORRUPT);
  }
  {
    g_autoptr(GError) err = NULL;

    write_file (h.arch, "not an archive at all", -1);
    g_assert_null (sp_archive_read_metadata (h.arch, &err));
    g_assert_error (err, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (err->message, h.arch));
  }
  hostile_teardown (&h);
}

static void
test_hostile_size (void)
{
  Hostile h;
  g_autofree char *mount = NULL;
  g_autofree char *umount = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root for a size-limited tmpfs");
      return;
    }
  hostile_setup (&h);
  mount = g_strdup_printf ("mount -t tmpfs -o size=2m tmpfs %s", h.outs);
  umount = g_strdup_printf ("umount %s", h.outs);
  g_assert_cmpint (system (mount), ==, 0);

  {
    /* One entry claims more than the whole file system. */
    TEntry e[] = { { "small", 0, 0, "x" }, { "huge", 0, 0, NULL, 8 * 1024 * 1024 } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "file bigger than free space", SP_ARCHIVE_ERROR_NO_SPACE);
  }
  {
    /* Each fits, together they do not. */
    TEntry e[] = { { "one", 0, 0, NULL, 1200 * 1024 }, { "two", 0, 0, NULL, 1200 * 1024 } };
    expect_entries_refused (&h, e, G_N_ELEMENTS (e),
                            "total bigger than free space", SP_ARCHIVE_ERROR_NO_SPACE);
  }
  {
    /* The space check is not an excuse to refuse what fits. */
    TEntry e[] = { { "one", 0, 0, NULL, 512 * 1024 } };
    g_autoptr(GError) error = NULL;

    write_test_archive (h.arch, WITH_METADATA, e, G_N_ELEMENTS (e));
    g_assert_true (sp_archive_unpack (h.arch, h.dest, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    remove_tmpdir (h.dest);
  }
  g_assert_cmpint (system (umount), ==, 0);

  {
    /* Out of inodes: ENOSPC from the file system itself. */
    g_autofree char *mount2 = g_strdup_printf ("mount -t tmpfs -o size=4m,nr_inodes=40 tmpfs %s",
                                               h.outs);
    g_autofree TEntry *e = g_new0 (TEntry, 100);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < 100; i++)
      {
        char *n = g_strdup_printf ("f%03u", i);

        g_ptr_array_add (names, n);
        e[i].name = n;
        e[i].data = "";
      }
    g_assert_cmpint (system (mount2), ==, 0);
    write_test_archive (h.arch, WITH_METADATA, e, 100);
    expect_refused (&h, "out of inodes", SP_ARCHIVE_ERROR_NO_SPACE);
    g_assert_cmpint (system (umount), ==, 0);
  }
  hostile_teardown (&h);
}

/* ------------------------------------------------------------------------ */
/* Crash safety: kill a packing process at many points. */

static void
test_crash_safety (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *ref = g_build_filename (dir, "ref.tar.zst", NULL);
  g_autofree char *dests = g_build_filename (dir, "dests", NULL);
  g_autofree char *dest = g_build_filename (dests, "cp.tar.zst", NULL);
  g_autofree char *partial = g_strconcat (dest, ".partial", NULL);
  g_autoptr(GError) error = NULL;
  SpArchiveStats stats;
  const guint delays_us[] = { 0, 1000, 3000, 10000, 30000, 60000, 100000, 150000, 250000,
                              400000, 700000, 1500000 };
  guint complete = 0;

  make_upper (upper, FALSE);
  {
    /* ~24 MB of barely compressible data, so packing takes a while. */
    g_autoptr(GRand) rand = g_rand_new_with_seed (11);
    g_autofree guint32 *noise = g_malloc (4 * 1024 * 1024);

    for (guint f = 0; f < 6; f++)
      {
        g_autofree char *p = g_strdup_printf ("%s/noise-%u", upper, f);

        for (guint i = 0; i < 1024 * 1024; i++)
          noise[i] = g_rand_int (rand);
        write_file (p, (char *) noise, 4 * 1024 * 1024);
      }
  }
  pack_ok (upper, ref, 0, &stats);
  g_assert_cmpint (mkdir (dests, 0755), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (delays_us); i++)
    {
      int status;
      pid_t pid = fork ();

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          gboolean ok = sp_archive_pack (upper, METADATA, dest, 0, NULL, NULL, NULL, NULL, NULL);
          _exit (ok ? 0 : 1);
        }
      g_usleep (delays_us[i]);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

      /* Either no archive or a complete one; only a ".partial" beside. */
      if (g_file_test (dest, G_FILE_TEST_EXISTS))
        {
          g_autofree char *meta = NULL;

          complete++;
          g_assert_true (sp_archive_verify (dest, stats.archive_size, stats.sha256, NULL, &error));
          g_assert_no_error (error);
          meta = sp_archive_read_metadata (dest, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (meta, ==, METADATA);
        }
      {
        g_autoptr(GDir) d = g_dir_open (dests, 0, NULL);
        const char *name;

        while ((name = g_dir_read_name (d)) != NULL)
          g_assert_true (strcmp (name, "cp.tar.zst") == 0 ||
                         g_str_has_prefix (name, "cp.tar.zst.partial-"));
      }
      /* A partial file from a killed writer is readable garbage at worst:
       * never mistaken for a checkpoint, and a new pack replaces it. */
      g_unlink (dest);
    }
  g_test_message ("%u of %zu killed writers had finished", complete, G_N_ELEMENTS (delays_us));

  /* Killed unpacks: the target appears complete or not at all. */
  {
    g_autofree char *out = g_build_filename (dests, "out", NULL);
    g_autofree char *ref_out = g_build_filename (dir, "ref-out", NULL);
    g_autofree char *expected = NULL;
    guint finished = 0;

    g_assert_true (sp_archive_unpack (ref, ref_out, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    expected = describe_tree (ref_out);

    for (guint i = 0; i < G_N_ELEMENTS (delays_us); i++)
      {
        int status;
        pid_t pid = fork ();

        g_assert_cmpint (pid, >=, 0);
        if (pid == 0)
          {
            gboolean ok = sp_archive_unpack (ref, out, NULL, NULL, NULL, NULL);
            _exit (ok ? 0 : 1);
          }
        g_usleep (delays_us[i] / 2);
        kill (pid, SIGKILL);
        g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
        if (g_file_test (out, G_FILE_TEST_EXISTS))
          {
            g_autofree char *got = describe_tree (out);

            g_assert_cmpstr (got, ==, expected);
            remove_tmpdir (out);
            finished++;
          }
        {
          g_autoptr(GDir) d = g_dir_open (dests, 0, NULL);
          const char *name;

          while ((name = g_dir_read_name (d)) != NULL)
            g_assert_true (g_str_has_prefix (name, "out.partial-") ||
                           g_str_has_prefix (name, "cp.tar.zst.partial-"));
        }
      }
    g_test_message ("%u of %zu killed unpacks had finished, %u leftovers", finished,
                    G_N_ELEMENTS (delays_us), count_entries (dests));
    g_assert_true (sp_archive_remove_leftovers (out, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (sp_archive_remove_leftovers (dest, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_entries (dests), ==, 0);
  }

  /* A leftover .partial does not disturb the next pack. */
  pack_ok (upper, dest, 0, NULL);
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_true (sp_archive_verify (dest, stats.archive_size, stats.sha256, NULL, &error));
  g_assert_no_error (error);

  remove_tmpdir (dir);
}

static void
test_remove_leftovers (void)
{
  g_autofree char *dir = make_tmpdir ();
  const char *keep[] = { "x", "x.partial-AB", "x.partialZ", "y.partial", "x.partial-ABCDEFG" };
  const char *gone[] = { "x.partial", "x.partial-ABCDEF" };
  g_autofree char *x = g_build_filename (dir, "x", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (keep); i++)
    {
      g_autofree char *p = g_build_filename (dir, keep[i], NULL);
      write_file (p, "keep", -1);
    }
  {
    g_autofree char *p = g_build_filename (dir, gone[0], NULL);
    g_autofree char *d = g_build_filename (dir, gone[1], "sub", NULL);
    g_autofree char *f = g_build_filename (d, "f", NULL);

    write_file (p, "half", -1);
    g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
    write_file (f, "half", -1);
    g_assert_cmpint (chmod (d, 0555), ==, 0);
  }
  g_assert_true (sp_archive_remove_leftovers (x, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (dir), ==, G_N_ELEMENTS (keep));
  for (guint i = 0; i < G_N_ELEMENTS (keep); i++)
    {
      g_autofree char *p = g_build_filename (dir, keep[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
    }
  remove_tmpdir (dir);
}

/* ------------------------------------------------------------------------ */
/* Names and the locale */

/* This test program, for running it again as a child (see main()). */
static char *self_path;

/* An upper dir whose names are UTF-8 beyond ASCII: a file, a folder, a
 * symlink to and a hard link of the file, whiteouts of both kinds. With
 * @with_invalid, also a name that is not valid UTF-8 (bytes a game may
 * write all the same). */
static void
make_names_upper (const char *upper,
                  gboolean    with_invalid)
{
  g_autofree char *save = g_build_filename (upper, "Sauvegarde é.sav", NULL);
  g_autofree char *folder = g_build_filename (upper, "存档", NULL);
  g_autofree char *slot = g_build_filename (upper, "存档", "slot1.sav", NULL);
  g_autofree char *hard = g_build_filename (upper, "存档", "copie é", NULL);
  g_autofree char *symlink_path = g_build_filename (upper, "lien ✓", NULL);
  g_autofree char *plain = g_build_filename (upper, "plain.txt", NULL);
  g_autofree char *wh_file = g_build_filename (upper, ".wh.supprimé", NULL);
  g_autofree char *wh_dev = g_build_filename (upper, "存档", "effacé", NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  write_file (save, "progress", -1);
  write_file (slot, "slot one", -1);
  write_file (plain, "ascii", -1);
  write_file (wh_file, "", 0);
  g_assert_cmpint (link (save, hard), ==, 0);
  g_assert_cmpint (symlink ("Sauvegarde é.sav", symlink_path), ==, 0);
  g_assert_cmpint (mknod (wh_dev, S_IFCHR | 0000, makedev (0, 0)), ==, 0);
  if (with_invalid)
    {
      g_autofree char *latin1 = g_build_filename (upper, "caf\xe9.sav", NULL);

      write_file (latin1, "latin-1 name", -1);
      set_mtime (latin1, 1600000000, 7);
    }
  set_mtime (save, 1600000001, 1);
  set_mtime (slot, 1600000002, 2);
  set_mtime (plain, 1600000003, 3);
  set_mtime (folder, 1600000004, 4);
  set_mtime (upper, 1600000005, 5);
}

/* Runs this program as a child with @locale in LC_ALL and LANG (the
 * process locale of a session started from a terminal or a service), doing
 * @what ("pack" or "unpack") from @from to @to; returns what it printed. */
static char *
run_child (const char *locale,
           const char *what,
           const char *from,
           const char *to)
{
  const char *argv[] = { self_path, "--child", what, from, to, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  env = g_environ_setenv (env, "LC_ALL", locale, TRUE);
  env = g_environ_setenv (env, "LANG", locale, TRUE);
  env = g_environ_unsetenv (env, "LC_CTYPE");
  g_spawn_sync (NULL, (char **) argv, env, 0, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s under %s failed: %s", what, locale, err);
  return g_strstrip (g_steal_pointer (&out));
}

/* The child's side of run_child(). */
static int
child_main (const char *what,
            const char *from,
            const char *to)
{
  g_autoptr(GError) error = NULL;
  SpArchiveStats stats = { 0 };
  gboolean ok;

  if (strcmp (what, "pack") == 0)
    ok = sp_archive_pack (from, METADATA, to, 0, NULL, NULL, NULL, &stats, &error);
  else
    ok = sp_archive_unpack (from, to, NULL, NULL, NULL, &error);
  if (!ok)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("%s\n", stats.sha256);
  return 0;
}

/* GNU tar lists a checkpoint without a word on stderr: no "Ignoring
 * unknown extended header keyword 'hdrcharset'" for every entry. */
static void
test_gnu_tar_reads_cleanly (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *tar = g_find_program_in_path ("tar");
  g_autofree char *zstd = g_find_program_in_path ("zstd");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  int status;

  if (tar == NULL || zstd == NULL)
    {
      g_test_skip ("needs GNU tar and zstd");
      remove_tmpdir (dir);
      return;
    }
  make_names_upper (upper, FALSE);
  pack_ok (upper, arch, 0, NULL);

  {
    const char *argv[] = { tar, "--zstd", "-tvf", arch, NULL };

    /* tar prints names raw only in a UTF-8 locale. */
    env = g_environ_setenv (g_get_environ (), "LC_ALL", "C.UTF-8", TRUE);
    g_spawn_sync (NULL, (char **) argv, env, 0, NULL, NULL, &out, &err, &status, &error);
    g_assert_no_error (error);
  }
  g_test_message ("tar -tvf:\n%s", out);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, SP_ARCHIVE_METADATA_ENTRY));
  g_assert_nonnull (strstr (out, "Sauvegarde é.sav"));
  g_assert_nonnull (strstr (out, "存档/slot1.sav"));
  g_assert_nonnull (strstr (out, "存档/.wh.effacé"));
  g_assert_nonnull (strstr (out, "lien ✓ -> Sauvegarde é.sav"));

  remove_tmpdir (dir);
}

/* The same tree packs to the same bytes (the same SHA-256) whatever the
 * locale of the process: a plain C locale, a UTF-8 one, and this test's. */
static void
test_locale_independent (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *here = g_build_filename (dir, "here.tar.zst", NULL);
  g_autofree char *in_c = g_build_filename (dir, "c.tar.zst", NULL);
  g_autofree char *in_utf8 = g_build_filename (dir, "utf8.tar.zst", NULL);
  g_autofree char *sha_c = NULL;
  g_autofree char *sha_utf8 = NULL;
  SpArchiveStats stats = { 0 };

  make_names_upper (upper, TRUE);
  pack_ok (upper, here, 0, &stats);
  sha_c = run_child ("C", "pack", upper, in_c);
  sha_utf8 = run_child ("C.UTF-8", "pack", upper, in_utf8);
  g_assert_cmpstr (sha_c, ==, stats.sha256);
  g_assert_cmpstr (sha_utf8, ==, stats.sha256);

  remove_tmpdir (dir);
}

/* Unpacking gives back the very bytes of every name, valid UTF-8 or not,
 * whichever locale packed and unpacked. */
static void
test_names_round_trip (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *before = NULL;
  const char *locales[] = { "C", "C.UTF-8" };

  make_names_upper (upper, TRUE);
  before = describe_tree (upper);
  g_assert_nonnull (strstr (before, "caf\xe9.sav"));
  g_assert_nonnull (strstr (before, "存档/effacé whiteout"));

  for (guint p = 0; p < G_N_ELEMENTS (locales); p++)
    for (guint u = 0; u < G_N_ELEMENTS (locales); u++)
      {
        g_autofree char *arch = g_strdup_printf ("%s/%u%u.tar.zst", dir, p, u);
        g_autofree char *out = g_strdup_printf ("%s/out%u%u", dir, p, u);
        g_autofree char *after = NULL;
        g_autofree char *printed = NULL;

        g_test_message ("packed under %s, unpacked under %s", locales[p], locales[u]);
        printed = run_child (locales[p], "pack", upper, arch);
        g_clear_pointer (&printed, g_free);
        printed = run_child (locales[u], "unpack", arch, out);
        after = describe_tree (out);
        g_assert_cmpstr (after, ==, before);
      }

  remove_tmpdir (dir);
}

/* Archives do not depend on host uids: packing writes owner 0/0 and no
 * user or group names whatever the files' owners, and unpacking never
 * gives a file the ids an archive names, not even as root. */
static void
test_owners (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *upper = g_build_filename (dir, "upper", NULL);
  g_autofree char *arch = g_build_filename (dir, "cp.tar.zst", NULL);
  g_autofree char *foreign = g_build_filename (dir, "foreign.tar.zst", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *copy = g_build_filename (dir, "copy.tar.zst", NULL);
  g_autoptr(GError) error = NULL;
  struct archive_entry *entry;
  struct archive *a;
  guint n = 0;

  make_upper (upper, FALSE);
  {
    g_autofree char *top = g_build_filename (upper, "a.txt", NULL);

    g_assert_cmpint (lchown (top, 1000, 1000), ==, 0);
  }
  pack_ok (upper, arch, 0, NULL);
  a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_all (a);
  g_assert_cmpint (archive_read_open_filename (a, arch, 10240), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
    {
      g_assert_cmpint (archive_entry_uid (entry), ==, 0);
      g_assert_cmpint (archive_entry_gid (entry), ==, 0);
      g_assert_true (archive_entry_uname (entry) == NULL || *archive_entry_uname (entry) == '\0');
      g_assert_true (archive_entry_gname (entry) == NULL || *archive_entry_gname (entry) == '\0');
      n++;
    }
  archive_read_free (a);
  g_assert_cmpuint (n, >=, 20);

  /* An archive from elsewhere (an earlier release, another tool) that
   * names owners: as root, its files are still root's. */
  {
    static const char *names[] = { SP_ARCHIVE_METADATA_ENTRY, "dir", "dir/save", "link", NULL };
    g_autofree char *save = g_build_filename (out, "dir", "save", NULL);
    g_autofree char *sub = g_build_filename (out, "dir", NULL);
    g_autofree char *link = g_build_filename (out, "link", NULL);
    struct stat st;

    a = archive_write_new ();
    archive_write_set_format_pax (a);
    archive_write_add_filter_zstd (a);
    g_assert_cmpint (archive_write_open_filename (a, foreign), ==, ARCHIVE_OK);
    for (guint i = 0; names[i] != NULL; i++)
      {
        struct archive_entry *e = archive_entry_new ();
        const char *data = i == 0 ? METADATA : i == 2 ? "saved" : "";

        archive_entry_copy_pathname (e, names[i]);
        archive_entry_set_filetype (e, i == 1 ? AE_IFDIR : i == 3 ? AE_IFLNK : AE_IFREG);
        archive_entry_set_perm (e, i == 1 ? 0755 : 0644);
        if (i == 3)
          archive_entry_copy_symlink (e, "dir/save");
        archive_entry_set_size (e, i == 1 || i == 3 ? 0 : (la_int64_t) strlen (data));
        archive_entry_set_uid (e, 1234);
        archive_entry_set_gid (e, 5678);
        archive_entry_copy_uname (e, "alice");
        archive_entry_copy_gname (e, "alice");
        g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
        if (*data)
          g_assert_cmpint (archive_write_data (a, data, strlen (data)), ==, (la_ssize_t) strlen (data));
        archive_entry_free (e);
      }
    g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
    archive_write_free (a);

    g_assert_true (sp_archive_unpack (foreign, out, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    for (const char * const *p = (const char * const[]) { save, sub, link, NULL }; *p; p++)
      {
        g_assert_cmpint (lstat (*p, &st), ==, 0);
        g_assert_cmpuint (st.st_uid, ==, geteuid ());
        g_assert_cmpuint (st.st_gid, ==, getegid ());
      }

    /* An export rewrites such an archive with owner 0/0 too. */
    {
      int fd = open (copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

      g_assert_cmpint (fd, >=, 0);
      g_assert_true (sp_archive_copy_with_metadata (foreign, 0, NULL, METADATA, fd, copy, NULL,
                                                    NULL, &error));
      g_assert_no_error (error);
      close (fd);
    }
    a = archive_read_new ();
    archive_read_support_filter_all (a);
    archive_read_support_format_all (a);
    g_assert_cmpint (archive_read_open_filename (a, copy, 10240), ==, ARCHIVE_OK);
    n = 0;
    while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
      {
        g_assert_cmpint (archive_entry_uid (entry), ==, 0);
        g_assert_cmpint (archive_entry_gid (entry), ==, 0);
        g_assert_true (archive_entry_uname (entry) == NULL || *archive_entry_uname (entry) == '\0');
        n++;
      }
    archive_read_free (a);
    g_assert_cmpuint (n, ==, 4);
  }
  remove_tmpdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* Like the app: libarchive's name handling depends on the locale. */
  setlocale (LC_ALL, "");
  if (argc == 5 && strcmp (argv[1], "--child") == 0)
    return child_main (argv[2], argv[3], argv[4]);
  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);
  umask (022);

  g_test_add_func ("/archive/round-trip", test_round_trip);
  g_test_add_func ("/archive/owners", test_owners);
  g_test_add_func ("/archive/deterministic", test_deterministic);
  g_test_add_func ("/archive/default-level", test_default_level);
  g_test_add_func ("/archive/metadata-first", test_metadata_first);
  g_test_add_func ("/archive/verify", test_verify);
  g_test_add_func ("/archive/pack-refuses-socket-and-device", test_pack_refuses_socket_and_device);
  g_test_add_func ("/archive/cancel", test_cancel);
  g_test_add_func ("/archive/unpack-not-empty", test_unpack_not_empty);
  g_test_add_func ("/archive/unpack-unprivileged", test_unpack_unprivileged);
  g_test_add_func ("/archive/hostile/paths", test_hostile_paths);
  g_test_add_func ("/archive/hostile/links", test_hostile_links);
  g_test_add_func ("/archive/hostile/types", test_hostile_types);
  g_test_add_func ("/archive/hostile/encoding", test_hostile_encoding);
  g_test_add_func ("/archive/special-bits", test_special_bits);
  g_test_add_func ("/archive/check-agrees-with-unpack", test_check_agrees_with_unpack);
  g_test_add_func ("/archive/hostile/size", test_hostile_size);
  g_test_add_func ("/archive/crash-safety", test_crash_safety);
  g_test_add_func ("/archive/remove-leftovers", test_remove_leftovers);
  g_test_add_func ("/archive/gnu-tar-reads-cleanly", test_gnu_tar_reads_cleanly);
  g_test_add_func ("/archive/locale-independent", test_locale_independent);
  g_test_add_func ("/archive/names-round-trip", test_names_round_trip);

  return g_test_run ();
}
