/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/sp-core.h"
#include "core/sp-keyfile.h"
#include "play/sp-run.h"
#include "play/sp-run-trash.h"
#include "sp-test-common.h"

/* Retention, the drive's trash and disk usage, on real libraries with
 * real checkpoint archives. Created= times are written into the .ini
 * files, so no test waits for a clock. */

typedef struct
{
  char      *root;
  char      *drive;
  char      *library_path;
  SpLibrary *library;
  SpGame    *game;
  char      *upper;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *source = NULL;

  f->root = tc_tmpdir ();
  f->library = tc_new_library (&f->drive);
  f->library_path = g_strdup (sp_library_get_path (f->library));
  source = tc_make_source (f->root, "src");
  f->game = tc_add_game (f->library, source, "Test Game");
  f->upper = g_build_filename (f->root, "upper", NULL);
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
  g_free (f->library_path);
  g_free (f->upper);
}

/* Writes @n random bytes (which zstd cannot shrink) to @dir/@name. */
static void
write_random (const char *dir,
              const char *name,
              gsize       n)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint32 *buf = g_new (guint32, n / 4 + 1);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  for (gsize i = 0; i < n / 4 + 1; i++)
    buf[i] = g_random_int ();
  g_file_set_contents (path, (const char *) buf, n, &error);
  g_assert_no_error (error);
}

/* A new checkpoint (Parent = head, Head moves to it) holding @bytes of
 * random data, with Created= set to @created. */
static char *
make_checkpoint (Fixture    *f,
                 const char *created,
                 gsize       bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(GKeyFile) kf = NULL;

  write_random (f->upper, "save.bin", bytes);
  c = sp_game_create_checkpoint_sync (f->game, f->upper, created, 60, TRUE, NULL, NULL, NULL,
                                      &error);
  g_assert_no_error (error);
  kf = sp_key_file_load (sp_checkpoint_get_ini_path (c), &error);
  g_assert_no_error (error);
  g_key_file_set_string (kf, "Checkpoint", "Created", created);
  sp_key_file_save (kf, sp_checkpoint_get_ini_path (c), &error);
  g_assert_no_error (error);
  return g_strdup (sp_checkpoint_get_id (c));
}

static void
reload (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  sp_game_reload (f->game, &error);
  g_assert_no_error (error);
}

static void
set_keys (const char *ini_path,
          const char *keys)
{
  g_autofree char *old = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (ini_path, &old, NULL, &error);
  g_assert_no_error (error);
  text = g_strconcat (old, "\n[Retention]\n", keys, NULL);
  g_file_set_contents (ini_path, text, -1, &error);
  g_assert_no_error (error);
}

static GPtrArray *
plan (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  SpRetention r;

  sp_retention_load (f->game, &r, &error);
  g_assert_no_error (error);
  return sp_retention_plan (f->game, &r);
}

static char *
ids_of (GPtrArray *checkpoints)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < checkpoints->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            sp_checkpoint_get_label (g_ptr_array_index (checkpoints, i)));
  return g_string_free (s, FALSE);
}

/* The labels of the game's timeline, oldest first. */
static char *
timeline (SpGame *game)
{
  GListModel *model = sp_game_get_checkpoints (game);
  GString *s = g_string_new (NULL);

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(SpCheckpoint) c = g_list_model_get_item (model, i - 1);
      g_string_append_printf (s, "%s%s", s->len ? " " : "", sp_checkpoint_get_label (c));
    }
  return g_string_free (s, FALSE);
}

static SpCheckpoint *
by_label (SpGame     *game,
          const char *label)
{
  GListModel *model = sp_game_get_checkpoints (game);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpCheckpoint) c = g_list_model_get_item (model, i);
      if (g_str_equal (sp_checkpoint_get_label (c), label))
        return c;   /* the model keeps it */
    }
  return NULL;
}

/* The labels double as Created= values, so a plan reads as dates. */
static const char *day_times[] = {
  "2026-11-01T09:00:00Z", "2026-11-01T18:00:00Z",
  "2026-11-02T10:00:00Z",
  "2026-11-04T08:00:00Z", "2026-11-04T12:00:00Z", "2026-11-04T20:00:00Z",
  "2026-11-05T07:00:00Z",
  "2026-11-07T09:00:00Z", "2026-11-07T11:00:00Z",
  "2026-11-08T10:00:00Z", "2026-11-08T22:00:00Z", "2026-11-08T23:00:00Z",
};

static void
make_days (Fixture *f)
{
  for (guint i = 0; i < G_N_ELEMENTS (day_times); i++)
    g_free (make_checkpoint (f, day_times[i], 100));
  reload (f);
}

static void
test_kept_set (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) p = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *left = NULL;
  g_autofree char *trash = NULL;

  make_days (f);
  /* Pinned: the oldest one. Head: the newest (make_checkpoint moves it). */
  sp_game_set_checkpoint_pinned_sync (f->game,
                                      sp_checkpoint_get_id (by_label (f->game, day_times[0])),
                                      TRUE, &error);
  g_assert_no_error (error);
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=2\nKeepDaily=3\n");
  reload (f);
  g_assert_true (sp_checkpoint_get_pinned (by_label (f->game, day_times[0])));

  /* Kept: 11-01 09:00 (pinned), 11-08 23:00 (head, newest), 11-08 22:00
   * (second newest), the newest of 11-08, 11-07 and 11-05 (the last three
   * days with checkpoints). */
  p = plan (f);
  ids = ids_of (p);
  g_assert_cmpstr (ids, ==,
                   "2026-11-01T18:00:00Z 2026-11-02T10:00:00Z 2026-11-04T08:00:00Z "
                   "2026-11-04T12:00:00Z 2026-11-04T20:00:00Z 2026-11-07T09:00:00Z "
                   "2026-11-08T10:00:00Z");

  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 7);
  left = timeline (f->game);
  g_assert_cmpstr (left, ==, "2026-11-01T09:00:00Z 2026-11-05T07:00:00Z 2026-11-07T11:00:00Z "
                             "2026-11-08T22:00:00Z 2026-11-08T23:00:00Z");
  /* The same from the drive, and the pruned ones are in the trash. */
  reload (f);
  g_clear_pointer (&left, g_free);
  left = timeline (f->game);
  g_assert_cmpstr (left, ==, "2026-11-01T09:00:00Z 2026-11-05T07:00:00Z 2026-11-07T11:00:00Z "
                             "2026-11-08T22:00:00Z 2026-11-08T23:00:00Z");
  trash = sp_drive_trash_get_path (f->library_path);
  g_assert_cmpuint (tc_count_entries (trash), ==, 7);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 10);
  {
    g_autoptr(GPtrArray) entries = sp_drive_trash_list (f->library_path, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 7);
    for (guint i = 0; i < entries->len; i++)
      {
        SpDriveTrashEntry *e = g_ptr_array_index (entries, i);
        g_autofree char *archive = g_strdup_printf ("%s/%s.tar.zst", e->path, e->checkpoint_id);

        g_assert_cmpstr (e->game, ==, sp_game_get_slug (f->game));
        g_assert_true (g_file_test (archive, G_FILE_TEST_IS_REGULAR));
        g_assert_cmpuint (e->size, >, 100);
      }
  }

  /* Applying it again removes nothing more. */
  g_clear_pointer (&removed, g_ptr_array_unref);
  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_cmpuint (removed->len, ==, 0);
}

static void
test_dry_run (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *trash = NULL;

  make_days (f);
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=1\n");
  reload (f);
  before = timeline (f->game);
  g_assert_true (sp_retention_prune_sync (f->game, TRUE, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, G_N_ELEMENTS (day_times) - 1);
  reload (f);
  after = timeline (f->game);
  g_assert_cmpstr (before, ==, after);
  trash = sp_drive_trash_get_path (f->library_path);
  g_assert_false (g_file_test (trash, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==,
                    2 * G_N_ELEMENTS (day_times));
}

static void
test_no_keys (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;

  make_days (f);
  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_cmpuint (removed->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==,
                    G_N_ELEMENTS (day_times));
  /* Empty values are no values. */
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=\nMaxSize=\n");
  g_clear_pointer (&removed, g_ptr_array_unref);
  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);
}

static void
test_library_defaults (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *library_ini = g_build_filename (f->library_path, "library.ini", NULL);
  g_autoptr(GPtrArray) p1 = NULL;
  g_autoptr(GPtrArray) p2 = NULL;

  make_days (f);
  set_keys (library_ini, "KeepLast=2\n");
  p1 = plan (f);
  g_assert_cmpuint (p1->len, ==, G_N_ELEMENTS (day_times) - 2);
  /* The game's own key wins. */
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=5\n");
  reload (f);
  p2 = plan (f);
  g_assert_cmpuint (p2->len, ==, G_N_ELEMENTS (day_times) - 5);
}

static void
test_max_size (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *left = NULL;

  /* Five checkpoints of ~600 kB each; 1 MB allowed. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *created = g_strdup_printf ("2026-11-0%uT10:00:00Z", i + 1);
      g_free (make_checkpoint (f, created, 600 * 1000));
    }
  reload (f);
  sp_game_set_checkpoint_pinned_sync (f->game,
                                      sp_checkpoint_get_id (by_label (f->game, "2026-11-01T10:00:00Z")),
                                      TRUE, &error);
  g_assert_no_error (error);
  set_keys (sp_game_get_ini_path (f->game), "MaxSize=0.001\n");
  reload (f);

  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_no_error (error);
  /* Still over 1 MB, but what is left is the pin and the head. */
  left = timeline (f->game);
  g_assert_cmpstr (left, ==, "2026-11-01T10:00:00Z 2026-11-05T10:00:00Z");
  g_assert_cmpuint (removed->len, ==, 3);
}

static void
test_max_size_fits (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) p = NULL;
  g_autofree char *ids = NULL;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *created = g_strdup_printf ("2026-11-0%uT10:00:00Z", i + 1);
      g_free (make_checkpoint (f, created, 400 * 1000));
    }
  set_keys (sp_game_get_ini_path (f->game), "MaxSize=0.001\nKeepLast=3\n");
  reload (f);
  /* KeepLast keeps 02..04 (~1.2 MB); MaxSize (1 MB) drops the oldest of them. */
  p = plan (f);
  ids = ids_of (p);
  g_assert_cmpstr (ids, ==, "2026-11-01T10:00:00Z 2026-11-02T10:00:00Z");
}

/* ArchiveSize values from a hostile drive that add up past 2^64 must not
 * wrap around to a small total (which would keep everything). */
static void
test_max_size_huge_values (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) p = NULL;
  g_autofree char *ids = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *created = g_strdup_printf ("2026-11-0%uT10:00:00Z", i + 1);
      g_autofree char *id = make_checkpoint (f, created, 100);

      if (i < 2)
        {
          g_autofree char *ini = g_strdup_printf ("%s/%s.ini", sp_game_get_checkpoints_path (f->game), id);
          g_autoptr(GKeyFile) kf = sp_key_file_load (ini, &error);

          g_assert_no_error (error);
          g_key_file_set_string (kf, "Checkpoint", "ArchiveSize", "18446744073709551000");
          sp_key_file_save (kf, ini, &error);
          g_assert_no_error (error);
        }
    }
  set_keys (sp_game_get_ini_path (f->game), "MaxSize=1000\n");
  reload (f);
  p = plan (f);
  ids = ids_of (p);
  g_assert_cmpstr (ids, ==, "2026-11-01T10:00:00Z 2026-11-02T10:00:00Z");
}

static void
test_relink (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *a = make_checkpoint (f, "2026-11-01T10:00:00Z", 1000);
  g_autofree char *b = make_checkpoint (f, "2026-11-02T10:00:00Z", 2000);
  g_autofree char *c = make_checkpoint (f, "2026-11-03T10:00:00Z", 3000);
  g_autofree char *d = make_checkpoint (f, "2026-11-04T10:00:00Z", 4000);
  g_autofree char *out = NULL;
  g_autofree char *bin = NULL;
  gsize length = 0;

  reload (f);
  g_assert_cmpstr (sp_checkpoint_get_parent (sp_game_find_checkpoint (f->game, d)), ==, c);
  g_assert_cmpstr (sp_checkpoint_get_parent (sp_game_find_checkpoint (f->game, b)), ==, a);
  sp_game_set_checkpoint_pinned_sync (f->game, b, TRUE, &error);
  g_assert_no_error (error);
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=1\n");
  reload (f);

  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 2);
  reload (f);
  g_assert_null (sp_game_find_checkpoint (f->game, a));
  g_assert_null (sp_game_find_checkpoint (f->game, c));
  /* a was b's parent and a root: b is a root now; d's parent c had b as
   * its parent: d hangs from b. */
  g_assert_null (sp_checkpoint_get_parent (sp_game_find_checkpoint (f->game, b)));
  g_assert_cmpstr (sp_checkpoint_get_parent (sp_game_find_checkpoint (f->game, d)), ==, b);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, d);
  /* Each checkpoint is whole: d still restores everything it saved. */
  out = g_build_filename (f->root, "out", NULL);
  sp_checkpoint_unpack_to (sp_game_find_checkpoint (f->game, d), out, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (out, "save.bin", NULL);
    g_file_get_contents (path, &bin, &length, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (length, ==, 4000);
  }
  /* verify finds nothing wrong with the re-linked game. */
  {
    g_autoptr(GPtrArray) problems = sp_game_verify_sync (f->game, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 0);
  }
}

static void
test_hostile_values (Fixture       *f,
                     gconstpointer  data)
{
  static const char *bad[] = {
    "KeepLast=-1", "KeepLast=abc", "KeepLast=1e3", "KeepLast=10001", "KeepLast=+5",
    "KeepLast=0x10", "KeepLast=5.0", "KeepLast=99999999999999999999", "KeepLast=5 5",
    "KeepDaily=3651", "KeepDaily=-0", "KeepDaily=1;2",
    "MaxSize=0", "MaxSize=0.0", "MaxSize=-1", "MaxSize=nan", "MaxSize=inf", "MaxSize=1e3",
    "MaxSize=1.2345", "MaxSize=.5", "MaxSize=5.", "MaxSize=1000001", "MaxSize=1000000.5",
    "MaxSize=1,5", "MaxSize=2GB", "MaxSize=0x10", "MaxSize=99999999999999999999999",
    "MaxSize=\xff", "MaxSize= 1 2", "KeepDaily=\xc3\xa9",
  };
  static const struct { const char *line; guint last; guint daily; guint64 size; } good[] = {
    { "KeepLast=0", 0, 0, 0 }, { "KeepLast= 7 ", 7, 0, 0 }, { "KeepLast=10000", 10000, 0, 0 },
    { "KeepDaily=3650", 0, 3650, 0 }, { "MaxSize=0.001", 0, 0, 1000000 },
    { "MaxSize=2.5", 0, 0, 2500000000 }, { "MaxSize=1000000", 0, 0, 1000000000000000 },
  };
  g_autofree char *ini = g_strdup (sp_game_get_ini_path (f->game));
  g_autofree char *original = NULL;
  g_autofree char *id = make_checkpoint (f, "2026-11-01T10:00:00Z", 100);
  g_autofree char *id2 = make_checkpoint (f, "2026-11-02T10:00:00Z", 100);

  g_file_get_contents (ini, &original, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) removed = NULL;
      g_autofree char *text = g_strdup_printf ("%s\n[Retention]\n%s\n", original, bad[i]);
      g_autofree char *where = NULL;
      guint line = 0;
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
      SpRetention r = { 0 };

      for (guint j = 0; lines[j] != NULL; j++)
        if (g_str_equal (lines[j], bad[i]))
          line = j + 1;
      g_assert_cmpuint (line, >, 0);
      g_file_set_contents (ini, text, -1, NULL);
      {
        g_autofree char *shown = g_strescape (bad[i], NULL);
        g_test_message ("%s", shown);
      }
      if (sp_retention_load (f->game, &r, &error))
        g_error ("%s accepted: %u %u %" G_GUINT64_FORMAT, bad[i], r.keep_last, r.keep_daily, r.max_size);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
      where = g_strdup_printf ("%s:%u:", ini, line);
      if (!g_str_has_prefix (error->message, where))
        g_error ("%s: %s (wanted %s)", bad[i], error->message, where);
      g_clear_error (&error);
      /* A bad value prunes nothing. */
      g_assert_false (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (sp_game_find_checkpoint (f->game, id));
    }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("[Retention]\n%s\n", good[i].line);
      g_autoptr(GKeyFile) kf = sp_key_file_load_from_data (text, -1, "t.ini", &error);
      SpRetention r = { 0 };

      g_assert_no_error (error);
      g_assert_true (sp_retention_parse (kf, "t.ini", text, &r, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (r.keep_last, ==, good[i].last);
      g_assert_cmpuint (r.keep_daily, ==, good[i].daily);
      g_assert_cmpuint (r.max_size, ==, good[i].size);
    }

  /* A hostile Pinned= refuses that checkpoint with its file and line. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *cp_ini = g_strdup (sp_checkpoint_get_ini_path (sp_game_find_checkpoint (f->game, id)));
    g_autofree char *cp_text = NULL;
    g_autofree char *hostile = NULL;
    g_autoptr(SpCheckpoint) c = NULL;

    g_file_get_contents (cp_ini, &cp_text, NULL, NULL);
    hostile = g_strconcat (cp_text, "Pinned=yes please\n", NULL);
    g_file_set_contents (cp_ini, hostile, -1, NULL);
    c = sp_checkpoint_load (cp_ini, &error);
    g_assert_null (c);
    g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
    {
      guint lines = 0;
      g_autofree char *where = NULL;

      for (const char *q = hostile; *q; q++)
        lines += *q == '\n';
      where = g_strdup_printf ("%s:%u:", cp_ini, lines);
      g_assert_true (g_str_has_prefix (error->message, where));
    }
  }
}

static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = make_checkpoint (f, "2026-11-01T10:00:00Z", 100);
  SpCheckpoint *c;
  g_autofree char *text = NULL;
  guint notified = 0;

  reload (f);
  c = sp_game_find_checkpoint (f->game, id);
  g_signal_connect (c, "notify::pinned", G_CALLBACK (tc_count_notify_cb), &notified);
  g_assert_false (sp_checkpoint_get_pinned (c));
  sp_game_set_checkpoint_pinned_sync (f->game, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (sp_checkpoint_get_pinned (c));
  g_assert_cmpuint (notified, ==, 1);
  g_file_get_contents (sp_checkpoint_get_ini_path (c), &text, NULL, NULL);
  g_assert_nonnull (strstr (text, "Pinned=true"));
  /* Unknown keys survive. */
  g_assert_nonnull (strstr (text, "SHA256="));

  /* Async, in the game's write queue. */
  {
    GAsyncResult *result = NULL;

    sp_game_set_checkpoint_pinned_async (f->game, id, FALSE, NULL, tc_store_result_cb, &result);
    g_assert_true (sp_game_set_checkpoint_pinned_finish (f->game, tc_wait_for (&result), &error));
    g_assert_no_error (error);
    g_object_unref (result);
  }
  g_assert_false (sp_checkpoint_get_pinned (c));
  g_clear_pointer (&text, g_free);
  g_file_get_contents (sp_checkpoint_get_ini_path (c), &text, NULL, NULL);
  g_assert_null (strstr (text, "Pinned"));
  g_assert_false (sp_game_set_checkpoint_pinned_sync (f->game, "nope", TRUE, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
}

/* What the Game Settings rows do: set a value, save game.ini, read back. */
static void
test_game_values (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keep_last = NULL;
  g_autofree char *text = NULL;
  SpRetention r;

  g_assert_null (sp_retention_get_game_value (f->game, "KeepLast"));
  g_assert_true (sp_retention_set_game_value (f->game, "KeepLast", " 4 ", &error));
  g_assert_true (sp_retention_set_game_value (f->game, "MaxSize", "1.5", &error));
  g_assert_false (sp_retention_set_game_value (f->game, "KeepDaily", "-2", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  sp_game_save_sync (f->game, &error);
  g_assert_no_error (error);
  reload (f);
  keep_last = sp_retention_get_game_value (f->game, "KeepLast");
  g_assert_cmpstr (keep_last, ==, "4");
  g_assert_true (sp_retention_load (f->game, &r, &error));
  g_assert_true (r.has_keep_last && r.keep_last == 4);
  g_assert_false (r.has_keep_daily);
  g_assert_true (r.has_max_size && r.max_size == 1500000000);
  /* Blank removes the key. */
  g_assert_true (sp_retention_set_game_value (f->game, "MaxSize", "", &error));
  sp_game_save_sync (f->game, &error);
  g_assert_no_error (error);
  g_file_get_contents (sp_game_get_ini_path (f->game), &text, NULL, NULL);
  g_assert_null (strstr (text, "MaxSize"));
  g_assert_nonnull (strstr (text, "KeepLast=4"));
}

/* Puts @name in the trash with a marker for @id trashed @days_ago. */
static char *
fake_entry (const char *trash,
            const char *name,
            const char *slug,
            const char *id,
            int         days_ago,
            gsize       archive_bytes)
{
  g_autofree char *dir = g_build_filename (trash, name, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -days_ago);
  g_autofree char *iso = g_date_time_format_iso8601 (then);
  g_autofree char *marker = g_strdup_printf ("[Trash]\nVersion=1\nGame=%s\nCheckpoint=%s\n"
                                             "Trashed=%s\n", slug, id, iso);
  g_autofree char *archive = g_strconcat (id, ".tar.zst", NULL);
  g_autofree char *ini = g_strconcat (id, ".ini", NULL);

  tc_write (dir, "savepoint-trash.ini", marker);
  tc_write (dir, ini, "[Checkpoint]\n");
  write_random (dir, archive, archive_bytes);
  return g_steal_pointer (&dir);
}

static void
test_trash_only_ours (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *trash = sp_drive_trash_get_path (f->library_path);
  g_autofree char *outside = g_build_filename (f->root, "outside", NULL);
  g_autofree char *ours = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *foreign = g_build_filename (trash, "photos", NULL);
  g_autofree char *link = g_build_filename (trash, "game.link", NULL);
  g_autofree char *bad_id = NULL;
  g_autofree char *p = NULL;

  ours = fake_entry (trash, "game.a1", "game", "a1", 1, 1000);
  extra = fake_entry (trash, "game.a2", "game", "a2", 1, 1000);
  tc_write (extra, "holiday.jpg", "not Savepoint's");
  tc_write (foreign, "holiday.jpg", "a folder without a marker");
  tc_write (foreign, "a3.tar.zst", "named like ours");
  /* A link to a folder outside, holding a valid marker. */
  g_free (fake_entry (outside, "target", "game", "a4", 1, 1000));
  p = g_build_filename (outside, "target", NULL);
  g_assert_cmpint (symlink (p, link), ==, 0);
  /* A marker whose id tries to reach out of its folder. */
  bad_id = g_build_filename (trash, "game.bad", NULL);
  tc_write (bad_id, "savepoint-trash.ini",
            "[Trash]\nVersion=1\nGame=game\nCheckpoint=../../outside/target/a4\n"
            "Trashed=2026-01-01T00:00:00Z\n");

  {
    g_autoptr(GPtrArray) listed = sp_drive_trash_list (f->library_path, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (listed->len, ==, 2);
  }

  /* Empty everything: only our files go. */
  g_assert_false (sp_drive_trash_expire (f->library_path, NULL, NULL, 0, 0, &removed, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_cmpuint (removed->len, ==, 1);
  g_assert_false (g_file_test (ours, G_FILE_TEST_EXISTS));
  /* The entry with a stranger's file: ours went, the stranger's stayed. */
  g_free (p);
  p = g_build_filename (extra, "holiday.jpg", NULL);
  g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
  g_free (p);
  p = g_build_filename (extra, "a2.tar.zst", NULL);
  g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tc_count_entries (foreign), ==, 2);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_free (p);
  p = g_build_filename (outside, "target", "a4.tar.zst", NULL);
  g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (tc_count_entries (bad_id), ==, 1);
}

static void
test_trash_rules (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *trash = sp_drive_trash_get_path (f->library_path);
  g_autofree char *old = fake_entry (trash, "game.o1", "game", "o1", 20, 1000);
  g_autofree char *mid = fake_entry (trash, "game.m1", "game", "m1", 10, 3000);
  g_autofree char *new1 = fake_entry (trash, "game.n1", "game", "n1", 1, 3000);
  g_autofree char *other = fake_entry (trash, "other.x1", "other", "x1", 30, 1000);

  /* Age: 14 days; size: plenty. */
  g_assert_true (sp_drive_trash_expire (f->library_path, NULL, NULL, 14, G_MAXUINT64,
                                        &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 2);
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (mid, G_FILE_TEST_IS_DIR));
  g_clear_pointer (&removed, g_ptr_array_unref);

  /* Size: at most 4000 bytes: the oldest goes. */
  g_assert_true (sp_drive_trash_expire (f->library_path, NULL, NULL, 14, 4000, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 1);
  g_assert_false (g_file_test (mid, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new1, G_FILE_TEST_IS_DIR));
}

/* The bytes of regular files under @dir, by lstat(). */
static guint64
walk_size (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 total = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      if (S_ISREG (st.st_mode))
        total += st.st_size;
      else if (S_ISDIR (st.st_mode))
        total += walk_size (path);
    }
  return total;
}

static void
test_du (Fixture       *f,
         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *trash = sp_drive_trash_get_path (f->library_path);
  g_autofree char *link = NULL;
  SpGameUsage usage;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *created = g_strdup_printf ("2026-11-0%uT10:00:00Z", i + 1);
      g_free (make_checkpoint (f, created, 50000 * (i + 1)));
    }
  write_random (sp_game_get_base_path (f->game), "data.pak", 123457);
  /* A link in base/ counts as nothing and is not followed. */
  link = g_build_filename (sp_game_get_base_path (f->game), "elsewhere", NULL);
  g_assert_cmpint (symlink (f->root, link), ==, 0);
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=1\n");
  reload (f);
  g_assert_true (sp_retention_prune_sync (f->game, FALSE, &removed, &error));
  g_assert_no_error (error);

  g_assert_true (sp_disk_usage_measure_game (f->game, &usage, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage.base_bytes, ==, walk_size (sp_game_get_base_path (f->game)));
  g_assert_cmpuint (usage.base_bytes, >, 123457);
  g_assert_cmpuint (usage.checkpoint_bytes, ==, walk_size (sp_game_get_checkpoints_path (f->game)));
  g_assert_cmpuint (usage.checkpoint_bytes, >, 150000);
  g_assert_cmpuint (usage.checkpoints, ==, 1);
  g_assert_cmpuint (usage.trash_entries, ==, 2);
  g_assert_cmpuint (usage.trash_bytes, ==, walk_size (trash));
  g_assert_cmpuint (usage.trash_bytes, >, 150000);
}

/* A keep that would not fit on the drive is refused before anything is
 * written, and the run stays. The drive is a real 16 MiB tmpfs. */
static void
test_keep_no_space (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *drive = g_build_filename (root, "drive", NULL);
  g_autofree char *runs = g_build_filename (root, "runs", NULL);
  g_autofree char *source = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpRun) run = NULL;
  g_autoptr(SpCheckpoint) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *upper_file = NULL;

  g_mkdir (drive, 0755);
  if (mount ("tmpfs", drive, "tmpfs", 0, "size=16m") != 0)
    {
      g_test_skip_printf ("cannot mount a tmpfs (%s): run as root", g_strerror (errno));
      tc_rmtree (root);
      return;
    }
  sp_runs_set_dir (runs);
  library = sp_library_create_sync (drive, "Small", &error);
  g_assert_no_error (error);
  source = tc_make_source (root, "src");
  game = tc_add_game (library, source, "Small Game");

  run = sp_run_create (sp_library_get_id (library), sp_library_get_path (library),
                       sp_game_get_slug (game), "Small Game", NULL, &error);
  g_assert_no_error (error);
  /* 17 MB of changes cannot fit on a 16 MiB drive. */
  write_random (sp_run_get_upper_path (run), "big.sav", 17 * 1000 * 1000);
  kept = sp_run_keep_sync (run, game, "too big", FALSE, NULL, NULL, NULL, &error);
  g_assert_null (kept);
  g_assert_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "Nothing was written"));
  g_clear_error (&error);
  /* Nothing written, nothing lost. */
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (game)), ==, 0);
  upper_file = g_build_filename (sp_run_get_upper_path (run), "big.sav", NULL);
  g_assert_true (g_file_test (upper_file, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *lock = sp_game_lock_path (game);
    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }

  /* A small run fits and is kept. */
  g_unlink (upper_file);
  write_random (sp_run_get_upper_path (run), "small.sav", 1000);
  kept = sp_run_keep_sync (run, game, "small", FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  g_assert_nonnull (sp_retention_get_keep_report (kept));

  g_clear_object (&run);
  g_clear_object (&game);
  g_clear_object (&library);
  g_assert_cmpint (umount (drive), ==, 0);
  sp_runs_set_dir (NULL);
  tc_rmtree (root);
}

/* Keeping a run applies the game's retention and reports it. */
static void
test_keep_prunes (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *runs = g_build_filename (f->root, "runs", NULL);
  g_autofree char *old_entry = NULL;
  g_autofree char *young_entry = NULL;
  g_autoptr(SpRun) run = NULL;
  g_autoptr(SpCheckpoint) kept = NULL;
  g_autoptr(GError) error = NULL;
  const SpRetentionReport *report;

  make_days (f);
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=2\n");
  reload (f);
  /* An entry trashed 5 days ago goes by the trash's age rule, set to 3
   * days in Preferences (the discarded runs' limits are the drive
   * trash's too); one of 2 days stays. */
  sp_run_trash_set_limits (3, 0);
  {
    g_autofree char *trash = sp_drive_trash_get_path (f->library_path);
    old_entry = fake_entry (trash, "test-game.old", "test-game", "old", 5, 100);
    young_entry = fake_entry (trash, "test-game.young", "test-game", "young", 2, 100);
  }
  sp_runs_set_dir (runs);
  run = sp_run_create (sp_library_get_id (f->library), f->library_path,
                       sp_game_get_slug (f->game), "Test Game", sp_game_get_head (f->game), &error);
  g_assert_no_error (error);
  write_random (sp_run_get_upper_path (run), "save.bin", 100);
  kept = sp_run_keep_sync (run, f->game, "kept", FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  report = sp_retention_get_keep_report (kept);
  g_assert_nonnull (report);
  g_assert_no_error (report->error);
  g_assert_cmpuint (report->removed->len, ==, G_N_ELEMENTS (day_times) - 1);
  {
    g_autofree char *said = sp_retention_describe_keep (kept);
    g_autofree char *want = g_strdup_printf ("%u old checkpoints were moved",
                                             (guint) G_N_ELEMENTS (day_times) - 1);
    g_assert_nonnull (strstr (said, want));
  }
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 2);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (kept));
  g_assert_false (g_file_test (old_entry, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (young_entry, G_FILE_TEST_IS_DIR));
  sp_run_trash_set_limits (0, 0);
  {
    guint days;
    guint64 bytes;

    sp_drive_trash_get_limits (&days, &bytes);
    g_assert_cmpuint (days, ==, SP_DRIVE_TRASH_MAX_AGE_DAYS);
    g_assert_cmpuint (bytes, ==, SP_DRIVE_TRASH_MAX_SIZE);
  }
  sp_runs_set_dir (NULL);
}

/* The same through sp_run_keep_async(), as the app keeps. */
static void
test_keep_async_prunes (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *runs = g_build_filename (f->root, "runs", NULL);
  g_autoptr(SpRun) run = NULL;
  g_autoptr(SpCheckpoint) kept = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  const SpRetentionReport *report;

  make_days (f);
  set_keys (sp_game_get_ini_path (f->game), "KeepLast=3\n");
  reload (f);
  sp_runs_set_dir (runs);
  run = sp_run_create (sp_library_get_id (f->library), f->library_path,
                       sp_game_get_slug (f->game), "Test Game", sp_game_get_head (f->game), &error);
  g_assert_no_error (error);
  write_random (sp_run_get_upper_path (run), "save.bin", 100);
  sp_run_keep_async (run, f->game, "kept", NULL, NULL, NULL, tc_store_result_cb, &result);
  kept = sp_run_keep_finish (run, tc_wait_for (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  report = sp_retention_get_keep_report (kept);
  g_assert_nonnull (report);
  g_assert_no_error (report->error);
  g_assert_cmpuint (report->removed->len, ==, G_N_ELEMENTS (day_times) - 2);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 3);
  sp_runs_set_dir (NULL);
}

/* fusefat (FUSE, where the kernel has no vfat) loses the files inside a
 * folder that is renamed: no library is made there, and one found there
 * (written without renames, as cp would) opens read-only, so adding a game
 * (a folder renamed into games/) is refused instead of losing its files.
 * The kernel's vfat is a drive like any other. */
static void
check_fat_driver (const char *root,
                  const char *mnt)
{
  g_autofree char *dir = g_build_filename (mnt, "Savepoint", NULL);
  g_autofree char *games = g_build_filename (dir, "games", NULL);
  g_autofree char *ini = g_build_filename (dir, "library.ini", NULL);
  g_autofree char *source = g_build_filename (root, "source", NULL);
  g_autofree char *exe = g_build_filename (source, "game.sh", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(GError) error = NULL;
  SpGameInfo info = { .name = "Fat Game", .executable = "game.sh", .kind = SP_GAME_KIND_NATIVE };
  struct statfs sf;

  g_assert_null (sp_disk_usage_unsafe_driver (root));
  g_assert_cmpint (statfs (mnt, &sf), ==, 0);
  if (sf.f_type != 0x65735546 /* FUSE */)
    {
      g_assert_null (sp_disk_usage_unsafe_driver (mnt));
      library = sp_library_create_sync (mnt, "FAT", &error);
      g_assert_no_error (error);
      g_assert_false (sp_library_get_read_only (library));
      return;
    }

  g_assert_nonnull (strstr (sp_disk_usage_unsafe_driver (mnt), "fusefat"));
  g_assert_null (sp_library_create_sync (mnt, "FAT", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "fusefat"));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (games, 0755), ==, 0);
  contents = g_strdup_printf ("[Library]\nVersion=%d\nId=%s\nName=FAT\n", SP_LIBRARY_VERSION,
                              "3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13");
  g_assert_true (g_file_set_contents (ini, contents, -1, NULL));
  library = sp_library_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (sp_library_get_read_only (library));
  g_assert_nonnull (strstr (sp_library_get_warning (library), "fusefat"));

  g_assert_cmpint (g_mkdir (source, 0755), ==, 0);
  g_assert_true (g_file_set_contents (exe, "#!/bin/sh\n", -1, NULL));
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error);
  g_assert_null (game);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "fusefat"));
}

static void
test_fat32 (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *image = g_build_filename (root, "fat.img", NULL);
  g_autofree char *mnt = g_build_filename (root, "mnt", NULL);
  g_autofree char *upper = g_build_filename (root, "upper", NULL);
  g_autofree char *cmd = NULL;
  g_autofree char *big = NULL;
  g_autofree char *mkfs = g_find_program_in_path ("mkfs.vfat");
  g_autoptr(GError) error = NULL;
  guint64 size = 0;
  int status = 0;
  int fd;

  if (mkfs == NULL)
    {
      g_test_skip ("mkfs.vfat (dosfstools) is not installed");
      tc_rmtree (root);
      return;
    }
  /* The kernel's vfat, else fusefat (a FUSE mount: its type comes from
   * mountinfo). */
  cmd = g_strdup_printf ("sh -c 'truncate -s 64M %s && mkfs.vfat -F 32 %s >/dev/null && "
                         "{ mount -o loop %s %s 2>/dev/null || fusefat -o rw+ %s %s >/dev/null 2>&1; }'",
                         image, image, image, mnt, image, mnt);
  g_mkdir (mnt, 0755);
  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("cannot mount a FAT32 image (no vfat module, no fusefat): run as root");
      tc_rmtree (root);
      return;
    }
  g_assert_true (sp_disk_usage_is_fat (mnt));
  g_assert_false (sp_disk_usage_is_fat (root));

  /* A 5 GiB (sparse) save could pack into a file FAT32 cannot hold. */
  g_mkdir (upper, 0755);
  big = g_build_filename (upper, "huge.sav", NULL);
  fd = open (big, O_WRONLY | O_CREAT, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, G_GINT64_CONSTANT (5) << 30), ==, 0);
  close (fd);
  g_assert_true (sp_disk_usage_tree_size (upper, &size, NULL, &error));
  g_assert_cmpuint (size, ==, G_GUINT64_CONSTANT (5) << 30);
  g_assert_false (sp_disk_usage_check_write (mnt, size, &error));
  g_assert_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "FAT32"));
  g_clear_error (&error);
  /* The same on a drive that is not FAT32 is refused for its free space
   * only, not its file size limit. */
  g_assert_false (sp_disk_usage_check_write (root, G_GUINT64_CONSTANT (1) << 50, &error));
  g_assert_null (strstr (error->message, "FAT32"));
  g_clear_error (&error);
  g_assert_true (sp_disk_usage_check_write (mnt, 1000, &error));
  g_assert_no_error (error);

  check_fat_driver (root, mnt);

  g_assert_cmpint (umount (mnt), ==, 0);
  tc_rmtree (root);
}

int
main (int   argc,
      char *argv[])
{
  /* Days are local days: make them UTC ones. */
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/retention/kept-set", test_kept_set);
  ADD ("/retention/dry-run", test_dry_run);
  ADD ("/retention/no-keys", test_no_keys);
  ADD ("/retention/library-defaults", test_library_defaults);
  ADD ("/retention/max-size", test_max_size);
  ADD ("/retention/max-size-fits", test_max_size_fits);
  ADD ("/retention/relink", test_relink);
  ADD ("/retention/max-size-huge-values", test_max_size_huge_values);
  ADD ("/retention/hostile-values", test_hostile_values);
  ADD ("/retention/pin", test_pin);
  ADD ("/retention/game-values", test_game_values);
  ADD ("/retention/keep-prunes", test_keep_prunes);
  ADD ("/retention/keep-async-prunes", test_keep_async_prunes);
  ADD ("/drive-trash/only-ours", test_trash_only_ours);
  ADD ("/drive-trash/rules", test_trash_rules);
  ADD ("/disk-usage/du", test_du);
#undef ADD
  g_test_add_func ("/disk-usage/keep-no-space", test_keep_no_space);
  g_test_add_func ("/disk-usage/fat32", test_fat32);

  return g_test_run ();
}
