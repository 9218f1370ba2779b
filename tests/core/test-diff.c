/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sp_game_diff() on real checkpoints packed by the real packer from upper
 * dirs (added, changed, deleted files, whiteouts, an opaque folder, a file
 * rewritten with the same bytes), between two checkpoints, and Wine's
 * registry files: a real user.reg made by wineboot (tests/core/data), one
 * made by wineboot now when Wine is installed, and hostile ones. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/sp-core.h"
#include "core/sp-diff.h"
#include "core/sp-library-error.h"
#include "core/sp-wine-registry.h"
#include "sp-test-common.h"

typedef struct
{
  char      *root;
  char      *drive;
  SpLibrary *library;
  SpGame    *game;
  char      *upper;
} Fixture;

static void
make_source (const char *dir,
             gboolean    wine)
{
  tc_write (dir, "game.exe", "MZ fake executable");
  tc_write (dir, "data/level1.dat", "level one data");
  tc_write (dir, "data/level2.dat", "level two data, longer");
  tc_write (dir, "opaq/x.txt", "x in base");
  tc_write (dir, "opaq/y.txt", "y in base");
  tc_write (dir, "opaq/sub/z.txt", "z in base");
  tc_write (dir, "old/a.txt", "old a");
  tc_write (dir, "old/deep/b.txt", "old b");
  if (wine)
    {
      g_autofree char *sample = g_test_build_filename (G_TEST_DIST, "core", "data", "user.reg", NULL);
      g_autofree char *contents = NULL;
      g_autofree char *path = g_build_filename (dir, "user.reg", NULL);
      g_autoptr(GError) error = NULL;

      g_file_get_contents (sample, &contents, NULL, &error);
      g_assert_no_error (error);
      g_file_set_contents (path, contents, -1, &error);
      g_assert_no_error (error);
      tc_write (dir, "system.reg", "WINE REGISTRY Version 2\n;; All keys relative to \\\\Machine\n\n"
                                   "#arch=win64\n\n"
                                   "[Software\\\\Wine] 1700000000\n#time=1da00000000000\n"
                                   "\"Version\"=\"wine-8.0\"\n");
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  gboolean wine = GPOINTER_TO_INT (data);
  g_autofree char *source = NULL;
  SpGameInfo info = { .name = "Diff Game", .executable = "game.exe",
                      .kind = wine ? SP_GAME_KIND_WINE : SP_GAME_KIND_NATIVE };
  g_autoptr(GError) error = NULL;

  f->root = tc_tmpdir ();
  f->library = tc_new_library (&f->drive);
  source = g_build_filename (f->root, "src", NULL);
  make_source (source, wine);
  f->game = sp_library_add_game_sync (f->library, &info, source, SP_ADD_MODE_COPY,
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->upper = g_build_filename (f->root, "upper", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->upper, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  tc_rmtree (f->drive);
  tc_rmtree (f->root);
  g_free (f->drive);
  g_free (f->root);
  g_free (f->upper);
}

static char *
keep (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) c = sp_game_create_checkpoint_sync (f->game, f->upper, NULL, 0, TRUE,
                                                              NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return g_strdup (sp_checkpoint_get_id (c));
}

/* A whiteout as the overlay makes it: a 0/0 character device, or a
 * ".wh.<name>" file where mknod is refused. */
static void
whiteout (const char *upper,
          const char *rel)
{
  g_autofree char *path = g_build_filename (upper, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (mknod (path, S_IFCHR | 0600, 0) != 0)
    {
      g_autofree char *wh = g_strconcat (".wh.", base, NULL);

      tc_write (dir, wh, "");
    }
}

/* "A path size", "M path old new", "D path" lines, for comparing. */
static char *
describe (SpDiff *diff)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < diff->entries->len; i++)
    {
      SpDiffEntry *e = g_ptr_array_index (diff->entries, i);
      const char *slash = e->type == SP_DIFF_TYPE_DIR ? "/" : "";

      if (e->kind == SP_DIFF_ADDED && e->type == SP_DIFF_TYPE_DIR)
        g_string_append_printf (text, "A %s/\n", e->path);
      else if (e->kind == SP_DIFF_ADDED)
        g_string_append_printf (text, "A %s%s %" G_GUINT64_FORMAT "\n", e->path, slash, e->new_size);
      else if (e->kind == SP_DIFF_CHANGED)
        g_string_append_printf (text, "M %s%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                                e->path, slash, e->old_size, e->new_size);
      else
        g_string_append_printf (text, "D %s%s\n", e->path, slash);
    }
  return g_string_free (text, FALSE);
}

static void
test_against_clean (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SpDiff) diff = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *opaque = g_build_filename (f->upper, "opaq", NULL);

  tc_write (f->upper, "save/slot1.sav", "progress one");          /* added, in a new folder */
  tc_write (f->upper, "data/level1.dat", "LEVEL ONE DATA");       /* same size, other bytes */
  tc_write (f->upper, "game.exe", "MZ fake executable");          /* rewritten, same bytes */
  whiteout (f->upper, "data/level2.dat");                         /* deleted */
  whiteout (f->upper, "old");                                     /* a deleted folder */
  tc_write (f->upper, "opaq/y.txt", "y rewritten after the folder was emptied");
  tc_write (f->upper, "opaq/.wh..wh..opq", "");                   /* opaque folder */
  g_assert_true (g_file_test (opaque, G_FILE_TEST_IS_DIR));
  id = keep (f);

  diff = sp_game_diff (f->game, id, NULL, NULL, &error);
  g_assert_no_error (error);
  text = describe (diff);
  g_assert_cmpstr (text, ==,
                   "M data/level1.dat 14 14\n"
                   "D data/level2.dat\n"
                   "D old/\n"
                   "D old/a.txt\n"
                   "D old/deep/\n"
                   "D old/deep/b.txt\n"
                   "D opaq/sub/\n"
                   "D opaq/sub/z.txt\n"
                   "D opaq/x.txt\n"
                   "M opaq/y.txt 9 40\n"
                   "A save/\n"
                   "A save/slot1.sav 12\n");
  g_assert_cmpuint (diff->n_added, ==, 2);
  g_assert_cmpuint (diff->n_changed, ==, 2);
  g_assert_cmpuint (diff->n_deleted, ==, 8);
  g_assert_cmpuint (diff->added_bytes, ==, 12);
  g_assert_cmpuint (diff->changed_bytes, ==, 14 + 40);
  g_assert_cmpuint (diff->deleted_bytes, ==, strlen ("level two data, longer") + 5 + 5 + 9 + 9);
  g_assert_cmpuint (sp_diff_get_total_size (diff), ==, 12 + 14 + 40);
  g_assert_false (diff->is_wine);
  g_assert_cmpuint (diff->registry->len, ==, 0);
}

static void
test_between_checkpoints (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SpDiff) diff = NULL;
  g_autoptr(SpDiff) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *text = NULL;
  g_autofree char *level2 = NULL;

  tc_write (f->upper, "save/slot1.sav", "progress one");
  tc_write (f->upper, "save/keep.sav", "unchanged save");
  whiteout (f->upper, "data/level2.dat");
  id1 = keep (f);

  /* The next run: the upper dir as a session would leave it, started
   * from the first checkpoint, except that level2.dat is back as base has
   * it (its whiteout gone) and the config is new. */
  tc_write (f->upper, "save/slot1.sav", "progress one and two");
  tc_write (f->upper, "save/keep.sav", "unchanged save");   /* same bytes, new mtime */
  tc_write (f->upper, "config.ini", "x=1");
  level2 = g_build_filename (f->upper, "data", "level2.dat", NULL);
  if (g_unlink (level2) != 0)
    {
      g_autofree char *wh = g_build_filename (f->upper, "data", ".wh.level2.dat", NULL);

      g_assert_cmpint (g_unlink (wh), ==, 0);
    }
  id2 = keep (f);

  diff = sp_game_diff (f->game, id1, id2, NULL, &error);
  g_assert_no_error (error);
  text = describe (diff);
  g_assert_cmpstr (text, ==,
                   "A config.ini 3\n"
                   "A data/level2.dat 22\n"
                   "M save/slot1.sav 12 20\n");

  /* And back: the opposite. */
  back = sp_game_diff (f->game, id2, id1, NULL, &error);
  g_assert_no_error (error);
  g_free (text);
  text = describe (back);
  g_assert_cmpstr (text, ==,
                   "D config.ini\n"
                   "D data/level2.dat\n"
                   "M save/slot1.sav 20 12\n");

  /* A checkpoint against itself changes nothing. */
  g_clear_pointer (&back, sp_diff_free);
  back = sp_game_diff (f->game, id2, id2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->entries->len, ==, 0);
}

static void
test_unknown_id (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  g_assert_null (sp_game_diff (f->game, "20990101T000000-nothere", NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  tc_write (f->upper, "a", "a");
  id = keep (f);
  g_assert_null (sp_game_diff (f->game, id, "nothere", NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
}

/* A checkpoint whose archive was damaged on the drive is reported, not
 * compared. */
static void
test_damaged_archive (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  SpCheckpoint *c;

  tc_write (f->upper, "save/slot1.sav", "progress one");
  id = keep (f);
  c = sp_game_find_checkpoint (f->game, id);
  g_file_get_contents (sp_checkpoint_get_archive_path (c), &contents, &length, &error);
  g_assert_no_error (error);
  contents[length - 5] ^= 0x55;
  g_file_set_contents (sp_checkpoint_get_archive_path (c), contents, length, &error);
  g_assert_no_error (error);

  g_assert_null (sp_game_diff (f->game, id, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SP_ARCHIVE_ERROR);
}

/* Symbolic links in base/ are never followed: a folder that replaces a
 * link to outside the game lists what the archive adds, not what is
 * behind the link; a whiteout of a link deletes the link. */
static void
test_base_links (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (f->root, "outside", NULL);
  g_autofree char *base = g_strdup (sp_game_get_base_path (f->game));
  g_autofree char *escape = g_build_filename (base, "escape", NULL);
  g_autofree char *link = g_build_filename (base, "data", "link.txt", NULL);
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(SpDiff) diff = NULL;
  g_autoptr(GError) error = NULL;

  tc_write (outside, "secret.txt", "not the game's");
  tc_write (outside, "sub/deeper.txt", "not the game's either");
  g_assert_cmpint (symlink (outside, escape), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", link), ==, 0);

  tc_write (f->upper, "escape/new.txt", "new");
  tc_write (f->upper, "escape/.wh..wh..opq", "");
  tc_write (f->upper, "escape2/.wh.secret.txt", "");
  whiteout (f->upper, "data/link.txt");
  id = keep (f);

  diff = sp_game_diff (f->game, id, NULL, NULL, &error);
  g_assert_no_error (error);
  text = describe (diff);
  g_assert_cmpstr (text, ==,
                   "D data/link.txt\n"
                   "M escape/ 0 0\n"
                   "A escape/new.txt 3\n"
                   "A escape2/\n");
}

/* An archive whose entries break the unpack rules is refused by the diff
 * too, even with a matching .ini (size and SHA-256 rewritten). */
static void
test_hostile_archive (Fixture       *f,
                      gconstpointer  data)
{
  static const char *names[] = { "../escape.txt", "/etc/evil", "a/../../b" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *id = NULL;
      g_autofree char *sha = NULL;
      g_autofree char *size_text = NULL;
      g_autoptr(GKeyFile) ini = g_key_file_new ();
      g_autoptr(GError) error = NULL;
      struct archive *a = archive_write_new ();
      struct archive_entry *entry;
      SpCheckpoint *c;
      guint64 size = 0;
      const char *meta = "[Checkpoint]\n";

      tc_write (f->upper, "save.sav", "x");
      id = keep (f);
      c = sp_game_find_checkpoint (f->game, id);

      archive_write_set_format_pax_restricted (a);
      archive_write_add_filter_zstd (a);
      g_assert_cmpint (archive_write_open_filename (a, sp_checkpoint_get_archive_path (c)), ==, ARCHIVE_OK);
      entry = archive_entry_new ();
      archive_entry_set_pathname (entry, ".savepoint/checkpoint.ini");
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, strlen (meta));
      archive_write_header (a, entry);
      archive_write_data (a, meta, strlen (meta));
      archive_entry_clear (entry);
      archive_entry_set_pathname (entry, names[i]);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, 4);
      archive_write_header (a, entry);
      archive_write_data (a, "evil", 4);
      archive_entry_free (entry);
      g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
      archive_write_free (a);

      sha = sp_file_sha256 (sp_checkpoint_get_archive_path (c), &size, NULL, &error);
      g_assert_no_error (error);
      g_key_file_load_from_file (ini, sp_checkpoint_get_ini_path (c), G_KEY_FILE_KEEP_COMMENTS, &error);
      g_assert_no_error (error);
      g_key_file_set_string (ini, "Checkpoint", "SHA256", sha);
      size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
      g_key_file_set_string (ini, "Checkpoint", "ArchiveSize", size_text);
      g_key_file_save_to_file (ini, sp_checkpoint_get_ini_path (c), &error);
      g_assert_no_error (error);
      g_assert_true (sp_game_reload (f->game, &error));
      g_assert_no_error (error);

      g_assert_null (sp_game_diff (f->game, id, NULL, NULL, &error));
      g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE);
      g_test_message ("%s: %s", names[i], error->message);
    }
}

/* ---- the registry ---- */

static char *
sample_user_reg (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "core", "data", "user.reg", NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static SpWineRegistry *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  SpWineRegistry *reg = sp_wine_registry_parse (text, strlen (text), "test.reg", &error);

  g_assert_no_error (error);
  g_assert_nonnull (reg);
  return reg;
}

static char *
replace (const char *text,
         const char *old,
         const char *new)
{
  const char *at = strstr (text, old);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, new, at + strlen (old));
}

static void
test_registry_parse (void)
{
  g_autofree char *text = sample_user_reg ();
  g_autoptr(SpWineRegistry) reg = parse (text);
  const char *caption;

  g_assert_cmpuint (sp_wine_registry_get_n_keys (reg), ==, 48);
  g_assert_true (sp_wine_registry_has_key (reg, "Control Panel\\Desktop"));
  g_assert_cmpstr (sp_wine_registry_get_value (reg, "Control Panel\\Accessibility\\AudioDescription",
                                               "Locale"), ==, "dword:00000000");
  g_assert_cmpstr (sp_wine_registry_get_value (reg, "AppEvents\\Schemes\\Apps\\Explorer\\Navigating\\.Current",
                                               ""), ==, "\"\"");
  /* A hex value over continuation lines reads as one text, without the
   * backslashes and the indentation. */
  caption = sp_wine_registry_get_value (reg, "Control Panel\\Desktop\\WindowMetrics", "CaptionFont");
  g_assert_nonnull (caption);
  g_assert_true (g_str_has_prefix (caption, "hex:f5,ff,ff,ff,00,00,00,00,00,00,00,00,00,00,00,00,bc,02,00,00,00,00"));
  g_assert_null (strchr (caption, '\\'));
  g_assert_null (strchr (caption, ' '));
  g_assert_cmpuint (strlen (caption), ==, strlen ("hex:") + 92 * 3 - 1);
}

static void
test_registry_escapes (void)
{
  g_autoptr(SpWineRegistry) reg = parse ("WINE REGISTRY Version 2\r\n"
                                         "\r\n"
                                         "[Software\\\\Caf\\xe9\\\\a\\]b] 1\r\n"
                                         "\"na\\\"me\"=\"v\"\r\n"
                                         "[Software\\\\Smile\\xd83d\\xde00]\r\n"
                                         "@=dword:00000002\r\n");

  g_assert_true (sp_wine_registry_has_key (reg, "Software\\Café\\a]b"));
  g_assert_cmpstr (sp_wine_registry_get_value (reg, "Software\\Café\\a]b", "na\"me"), ==, "\"v\"");
  g_assert_cmpstr (sp_wine_registry_get_value (reg, "Software\\Smile\U0001F600", ""), ==,
                   "dword:00000002");
}

static void
test_registry_diff (void)
{
  g_autofree char *text = sample_user_reg ();
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;
  g_autofree char *t4 = NULL;
  g_autoptr(SpWineRegistry) before = parse (text);
  g_autoptr(SpWineRegistry) after = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_registry_key_change_free);
  SpRegistryKeyChange *c;

  /* A value changed (and only a timestamp elsewhere), a key added, a key
   * removed, a hex value changed on its continuation line. */
  t1 = replace (text, "\"Locale\"=dword:00000000", "\"Locale\"=dword:00000409");
  t2 = replace (t1, "[AppEvents\\\\Schemes\\\\Apps\\\\Explorer\\\\Navigating\\\\.Current] 1796207434\n#time=1dd824829fd10d8",
                "[AppEvents\\\\Schemes\\\\Apps\\\\Explorer\\\\Navigating\\\\.Current] 1896207434\n#time=1ee824829fd10d8");
  t3 = replace (t2, "[Control Panel\\\\Accessibility\\\\AudioDescription]",
                "[Software\\\\My Game\\\\Settings] 1900000000\n\"Volume\"=dword:00000050\n\"Name\"=\"Player\"\n\n"
                "[Control Panel\\\\Accessibility\\\\AudioDescription]");
  {
    /* Remove the key "Control Panel\Accessibility\Blind Access" and its lines. */
    const char *start = strstr (t3, "[Control Panel\\\\Accessibility\\\\Blind Access]");
    const char *end;

    g_assert_nonnull (start);
    end = strstr (start, "\n\n");
    g_assert_nonnull (end);
    t4 = g_strdup_printf ("%.*s%s", (int) (start - t3), t3, end + 2);
  }
  {
    g_autofree char *t5 = replace (t4, "  00,44,00,6c,00,67,00,00,", "  00,44,00,6c,00,67,00,01,");

    after = parse (t5);
  }

  sp_wine_registry_diff (before, after, "user.reg", changes);
  g_assert_cmpuint (changes->len, ==, 4);

  c = g_ptr_array_index (changes, 0);
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_CHANGED);
  g_assert_cmpstr (c->key, ==, "Control Panel\\Accessibility\\AudioDescription");
  g_assert_cmpstr (c->file, ==, "user.reg");
  g_assert_cmpuint (g_strv_length (c->values), ==, 1);
  g_assert_cmpstr (c->values[0], ==, "Locale");

  c = g_ptr_array_index (changes, 1);
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_REMOVED);
  g_assert_cmpstr (c->key, ==, "Control Panel\\Accessibility\\Blind Access");

  c = g_ptr_array_index (changes, 2);
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_CHANGED);
  g_assert_cmpstr (c->key, ==, "Control Panel\\Desktop\\WindowMetrics");
  g_assert_cmpuint (g_strv_length (c->values), ==, 1);
  g_assert_cmpstr (c->values[0], ==, "CaptionFont");

  c = g_ptr_array_index (changes, 3);
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_ADDED);
  g_assert_cmpstr (c->key, ==, "Software\\My Game\\Settings");
  g_assert_cmpuint (g_strv_length (c->values), ==, 2);
  g_assert_cmpstr (c->values[0], ==, "Name");
  g_assert_cmpstr (c->values[1], ==, "Volume");

  /* The same file, differently spaced timestamps only: nothing. */
  g_ptr_array_set_size (changes, 0);
  sp_wine_registry_diff (before, before, "user.reg", changes);
  g_assert_cmpuint (changes->len, ==, 0);
}

static void
expect_refused (const char *text,
                gsize       length,
                const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpWineRegistry) reg = sp_wine_registry_parse (text, length, "hostile.reg", &error);

  g_assert_null (reg);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  g_assert_true (g_str_has_prefix (error->message, "hostile.reg:"));
  g_test_message ("%s: %s", what, error->message);
}

static void
expect_refused_text (const char *text,
                     const char *what)
{
  expect_refused (text, strlen (text), what);
}

static void
test_registry_hostile (void)
{
  static const char nul[] = "WINE REGISTRY Version 2\n[Software\\\\A]\n\"a\"=\"x\0y\"\n";
  g_autoptr(GString) huge = g_string_new ("WINE REGISTRY Version 2\n[A]\n\"big\"=hex:");
  g_autoptr(GString) cont = g_string_new ("WINE REGISTRY Version 2\n[A]\n\"big\"=hex:00,\\\n");
  g_autoptr(GString) keys = g_string_new ("WINE REGISTRY Version 2\n");
  g_autoptr(GString) values = g_string_new ("WINE REGISTRY Version 2\n[A]\n");

  expect_refused_text ("", "empty");
  expect_refused_text ("REGEDIT4\n[A]\n", "not Wine's");
  expect_refused (nul, sizeof nul - 1, "NUL byte");
  expect_refused_text ("WINE REGISTRY Version 2\n[Software\\\\Unterminated 123\n", "unterminated key");
  expect_refused_text ("WINE REGISTRY Version 2\n[Software\\\\A]\n\"unterminated=1\n", "unterminated name");
  expect_refused_text ("WINE REGISTRY Version 2\n\"a\"=\"b\"\n", "value before key");
  expect_refused_text ("WINE REGISTRY Version 2\n[A]\n\"a\" \"b\"\n", "no =");
  expect_refused_text ("WINE REGISTRY Version 2\n[A]\ngarbage\n", "garbage");
  expect_refused_text ("WINE REGISTRY Version 2\n[A]\n\"a\"=hex:00,\\\n", "continuation at end");

  /* A line longer than the cap, in one piece or over continuations. */
  while (huge->len <= SP_WINE_REGISTRY_MAX_LINE + 100)
    g_string_append (huge, "00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,");
  expect_refused (huge->str, huge->len, "huge line");
  while (cont->len <= SP_WINE_REGISTRY_MAX_LINE / 4 * 5)
    g_string_append (cont, "  00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,\\\n");
  g_string_append (cont, "  00\n");
  expect_refused (cont->str, cont->len, "huge continued value");

  /* Too many keys, too many values in a key. */
  for (guint i = 0; i <= SP_WINE_REGISTRY_MAX_KEYS; i++)
    g_string_append_printf (keys, "[K%u]\n", i);
  expect_refused (keys->str, keys->len, "too many keys");
  for (guint i = 0; i <= SP_WINE_REGISTRY_MAX_VALUES; i++)
    g_string_append_printf (values, "\"v%u\"=dword:0\n", i);
  expect_refused (values->str, values->len, "too many values");

  /* A file over the size cap is refused without reading it. */
  expect_refused (huge->str, SP_WINE_REGISTRY_MAX_SIZE + (gsize) 1, "too large");
}

/* A Wine game whose run changed user.reg: the registry section of the diff. */
static void
test_wine_checkpoint (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *text = sample_user_reg ();
  g_autofree char *changed = replace (text, "\"Locale\"=dword:00000000", "\"Locale\"=dword:00000001");
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  g_autoptr(SpDiff) diff = NULL;
  g_autoptr(GError) error = NULL;
  SpRegistryKeyChange *c;

  tc_write (f->upper, "user.reg", changed);
  tc_write (f->upper, "drive_c/users/player/Saved Games/slot.sav", "save");
  id = keep (f);

  diff = sp_game_diff (f->game, id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (diff->is_wine);
  g_assert_cmpuint (diff->registry->len, ==, 1);
  c = g_ptr_array_index (diff->registry, 0);
  g_assert_cmpstr (c->file, ==, "user.reg");
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_CHANGED);
  g_assert_cmpstr (c->key, ==, "Control Panel\\Accessibility\\AudioDescription");
  g_assert_cmpstr (c->values[0], ==, "Locale");

  /* The next run deletes system.reg's key and leaves user.reg as it was. */
  tc_write (f->upper, "system.reg", "WINE REGISTRY Version 2\n\n[Software\\\\Other]\n@=\"1\"\n");
  id2 = keep (f);
  g_clear_pointer (&diff, sp_diff_free);
  diff = sp_game_diff (f->game, id, id2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (diff->registry->len, ==, 2);
  c = g_ptr_array_index (diff->registry, 0);
  g_assert_cmpstr (c->file, ==, "system.reg");
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_ADDED);
  g_assert_cmpstr (c->key, ==, "Software\\Other");
  c = g_ptr_array_index (diff->registry, 1);
  g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_REMOVED);
  g_assert_cmpstr (c->key, ==, "Software\\Wine");
  g_assert_cmpstr (c->values[0], ==, "Version");
}

/* A hostile user.reg in a checkpoint: the diff fails with a clear error
 * naming the file and the checkpoint. */
static void
test_wine_hostile_checkpoint (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  tc_write (f->upper, "user.reg", "WINE REGISTRY Version 2\n[Software\\\\Never closed\n");
  id = keep (f);
  g_assert_null (sp_game_diff (f->game, id, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "user.reg"));
  g_assert_nonnull (strstr (error->message, id));
}

/* The three files of a prefix wineboot makes now parse, and compare equal
 * to themselves. */
static void
test_registry_wineboot (void)
{
  g_autofree char *wine = g_find_program_in_path ("wineboot");
  g_autofree char *root = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  const char *argv[] = { "wineboot", "-i", NULL };
  const char *wait_argv[] = { "wineserver", "-w", NULL };
  int status = 0;

  if (wine == NULL)
    {
      g_test_skip ("Wine is not installed");
      return;
    }
  root = tc_tmpdir ();
  prefix = g_build_filename (root, "prefix", NULL);
  env = g_get_environ ();
  env = g_environ_setenv (env, "WINEPREFIX", prefix, TRUE);
  env = g_environ_setenv (env, "WINEDEBUG", "-all", TRUE);
  env = g_environ_setenv (env, "WINEDLLOVERRIDES", "mscoree,mshtml=", TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) wait_argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; sp_wine_registry_files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (prefix, sp_wine_registry_files[i], NULL);
      g_autofree char *contents = NULL;
      g_autoptr(SpWineRegistry) reg = NULL;
      g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_registry_key_change_free);
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      reg = sp_wine_registry_parse (contents, length, path, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %u keys", sp_wine_registry_files[i], sp_wine_registry_get_n_keys (reg));
      g_assert_cmpuint (sp_wine_registry_get_n_keys (reg), >, 0);
      if (i == 0)
        g_assert_cmpuint (sp_wine_registry_get_n_keys (reg), >, 1000);
      sp_wine_registry_diff (reg, reg, sp_wine_registry_files[i], changes);
      g_assert_cmpuint (changes->len, ==, 0);
    }
  tc_rmtree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/diff/against-clean", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_against_clean, fixture_tear_down);
  g_test_add ("/diff/between-checkpoints", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_between_checkpoints, fixture_tear_down);
  g_test_add ("/diff/unknown-id", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_unknown_id, fixture_tear_down);
  g_test_add ("/diff/damaged-archive", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_damaged_archive, fixture_tear_down);
  g_test_add ("/diff/base-links", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_base_links, fixture_tear_down);
  g_test_add ("/diff/hostile-archive", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_hostile_archive, fixture_tear_down);
  g_test_add_func ("/diff/registry/parse", test_registry_parse);
  g_test_add_func ("/diff/registry/escapes", test_registry_escapes);
  g_test_add_func ("/diff/registry/diff", test_registry_diff);
  g_test_add_func ("/diff/registry/hostile", test_registry_hostile);
  g_test_add_func ("/diff/registry/wineboot", test_registry_wineboot);
  g_test_add ("/diff/wine/checkpoint", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_wine_checkpoint, fixture_tear_down);
  g_test_add ("/diff/wine/hostile-checkpoint", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_wine_hostile_checkpoint, fixture_tear_down);

  return g_test_run ();
}
