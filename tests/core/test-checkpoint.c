/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sp-core.h"
#include "sp-test-common.h"
#include <sys/mount.h>

typedef struct
{
  char      *root;      /* temporary folder holding everything */
  char      *drive;
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
  source = tc_make_source (f->root, "src");
  f->game = tc_add_game (f->library, source, "Test Game");
  f->upper = g_build_filename (f->root, "upper", NULL);
  tc_write (f->upper, "save/slot1.sav", "progress one");
  tc_write (f->upper, "config.cfg", "fullscreen=1");
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

static SpCheckpoint *
create (Fixture    *f,
        const char *label,
        gint64      play_time)
{
  g_autoptr(GError) error = NULL;
  SpCheckpoint *c = sp_game_create_checkpoint_sync (f->game, f->upper, label, play_time, TRUE,
                                                    NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  return c;
}

static SpCheckpoint *
item (SpGame *game,
      guint   i)
{
  SpCheckpoint *c = g_list_model_get_item (sp_game_get_checkpoints (game), i);

  g_assert_nonnull (c);
  g_object_unref (c);   /* the list keeps it alive */
  return c;
}

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "First", 60);
  g_autoptr(SpCheckpoint) c2 = NULL;
  g_autoptr(SpCheckpoint) c3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *game_ini = NULL;
  guint64 size = 0;
  SpGame *g2;

  tc_write (f->upper, "save/slot2.sav", "progress two");
  c2 = create (f, "Second", 120);
  c3 = create (f, "Third — ünïcode", 30);

  g_assert_true (sp_checkpoint_id_is_valid (sp_checkpoint_get_id (c1)));
  g_assert_null (sp_checkpoint_get_parent (c1));
  g_assert_cmpstr (sp_checkpoint_get_parent (c2), ==, sp_checkpoint_get_id (c1));
  g_assert_cmpstr (sp_checkpoint_get_parent (c3), ==, sp_checkpoint_get_id (c2));
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (c3));
  g_assert_true (sp_game_get_head_checkpoint (f->game) == c3);

  /* Metadata */
  g_assert_cmpstr (sp_checkpoint_get_label (c1), ==, "First");
  g_assert_cmpint (sp_checkpoint_get_play_time (c2), ==, 120);
  g_assert_cmpuint (sp_checkpoint_get_bytes (c1), ==, strlen ("progress one") + strlen ("fullscreen=1"));
  g_assert_cmpuint (sp_checkpoint_get_bytes (c2), ==, sp_checkpoint_get_bytes (c1) + strlen ("progress two"));
  g_assert_cmpuint (sp_checkpoint_get_files (c1), >=, 2);
  g_assert_false (sp_checkpoint_get_missing (c1));
  sha = sp_file_sha256 (sp_checkpoint_get_archive_path (c1), &size, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, sp_checkpoint_get_sha256 (c1));
  g_assert_cmpuint (size, ==, sp_checkpoint_get_archive_size (c1));
  g_assert_true (g_str_has_suffix (sp_checkpoint_get_archive_path (c1), ".tar.zst"));
  g_assert_true (g_str_has_suffix (sp_checkpoint_get_ini_path (c1), ".ini"));
  g_assert_cmpint (g_date_time_compare (sp_checkpoint_get_created (c1),
                                        sp_checkpoint_get_created (c2)), <, 0);

  /* The archive carries its own description. */
  meta = sp_archive_read_metadata (sp_checkpoint_get_archive_path (c1), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (meta, "Label=First"));
  g_assert_nonnull (strstr (meta, "PlayTime=60"));

  /* Timeline: newest first; totals. */
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 3);
  g_assert_true (item (f->game, 0) == c3);
  g_assert_true (item (f->game, 1) == c2);
  g_assert_true (item (f->game, 2) == c1);
  g_assert_cmpint (sp_game_get_play_time (f->game), ==, 210);
  g_assert_true (g_date_time_equal (sp_game_get_last_played (f->game),
                                    sp_checkpoint_get_created (c3)));

  /* Head is on the drive; everything is the same after reopening. */
  game_ini = tc_read (sp_game_get_path (f->game), "game.ini");
  {
    g_autofree char *line = g_strdup_printf ("Head=%s", sp_checkpoint_get_id (c3));
    g_assert_nonnull (strstr (game_ini, line));
  }
  reopened = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  g2 = sp_library_find_game (reopened, "test-game");
  g_assert_nonnull (g2);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (g2)), ==, 3);
  g_assert_cmpstr (sp_checkpoint_get_id (item (g2, 0)), ==, sp_checkpoint_get_id (c3));
  g_assert_cmpstr (sp_checkpoint_get_id (item (g2, 2)), ==, sp_checkpoint_get_id (c1));
  g_assert_cmpstr (sp_checkpoint_get_label (item (g2, 0)), ==, "Third — ünïcode");
  g_assert_cmpstr (sp_checkpoint_get_sha256 (item (g2, 1)), ==, sp_checkpoint_get_sha256 (c2));
  g_assert_cmpint (sp_game_get_play_time (g2), ==, 210);
  g_assert_cmpstr (sp_game_get_head (g2), ==, sp_checkpoint_get_id (c3));

  /* Without set_head the head stays. */
  {
    g_autoptr(SpCheckpoint) c4 = sp_game_create_checkpoint_sync (f->game, f->upper, NULL, 0, FALSE,
                                                                 NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sp_checkpoint_get_label (c4), ==, "");
    g_assert_cmpstr (sp_checkpoint_get_parent (c4), ==, sp_checkpoint_get_id (c3));
    g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (c3));
  }

  /* Not a folder: refused, nothing left. */
  g_assert_null (sp_game_create_checkpoint_sync (f->game, "/nonexistent/upper", "x", 0, TRUE,
                                                 NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 8);
}

static void
test_restore_delete_rename (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autoptr(SpCheckpoint) c2 = create (f, "Two", 2);
  g_autoptr(SpCheckpoint) c3 = create (f, "Three", 3);
  g_autoptr(SpCheckpoint) branch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id1 = g_strdup (sp_checkpoint_get_id (c1));
  g_autofree char *id2 = g_strdup (sp_checkpoint_get_id (c2));
  g_autofree char *id3 = g_strdup (sp_checkpoint_get_id (c3));
  g_autofree char *ini_text = NULL;
  guint label_notifies = 0;

  /* Restore: Head moves; the next checkpoint branches from it. */
  g_assert_true (sp_game_restore_sync (f->game, id1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, id1);
  branch = create (f, "Branch", 5);
  g_assert_cmpstr (sp_checkpoint_get_parent (branch), ==, id1);
  g_assert_true (sp_game_restore_sync (f->game, NULL, &error));
  g_assert_null (sp_game_get_head (f->game));
  g_assert_false (sp_game_restore_sync (f->game, "20000101T000000-000000", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Rename keeps unknown keys of the .ini. */
  {
    g_autofree char *dir = g_path_get_dirname (sp_checkpoint_get_ini_path (c2));
    g_autofree char *name = g_path_get_basename (sp_checkpoint_get_ini_path (c2));
    g_autofree char *text = tc_read (dir, name);
    g_autofree char *more = g_strconcat (text, "FutureKey=yes\n", NULL);
    tc_write (dir, name, more);
  }
  g_signal_connect (c2, "notify::label", G_CALLBACK (tc_count_notify_cb), &label_notifies);
  g_assert_true (sp_game_rename_checkpoint_sync (f->game, id2, "Boss fight", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_label (c2), ==, "Boss fight");
  g_assert_cmpuint (label_notifies, ==, 1);
  ini_text = g_strdup (sp_checkpoint_get_ini_path (c2));
  {
    g_autofree char *dir = g_path_get_dirname (ini_text);
    g_autofree char *name = g_path_get_basename (ini_text);
    g_autofree char *text = tc_read (dir, name);
    g_assert_nonnull (strstr (text, "Label=Boss fight"));
    g_assert_nonnull (strstr (text, "FutureKey=yes"));
  }

  /* Delete the head: Head moves to its parent. */
  g_assert_true (sp_game_restore_sync (f->game, id3, &error));
  g_assert_true (sp_game_delete_checkpoint_sync (f->game, id3, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, id2);
  g_assert_false (g_file_test (sp_checkpoint_get_ini_path (c3), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (sp_checkpoint_get_archive_path (c3), G_FILE_TEST_EXISTS));
  g_assert_null (sp_game_find_checkpoint (f->game, id3));

  /* Delete a parent: the child keeps working, its Parent value stays. */
  g_assert_true (sp_game_delete_checkpoint_sync (f->game, id1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_parent (c2), ==, id1);
  g_assert_nonnull (sp_game_find_checkpoint (f->game, id2));
  g_assert_true (sp_checkpoint_verify (c2, NULL, &error));
  g_assert_no_error (error);

  /* Delete the head whose parent is gone: back to clean. */
  g_assert_true (sp_game_delete_checkpoint_sync (f->game, id2, &error));
  g_assert_null (sp_game_get_head (f->game));
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 1);
  g_assert_false (sp_game_delete_checkpoint_sync (f->game, id2, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Only the branch's two files remain. */
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 2);
}

static void
test_export_import (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "Exported", 42);
  g_autoptr(SpCheckpoint) imported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = g_build_filename (f->root, "exports", NULL);
  g_autofree char *out = g_build_filename (out_dir, "my-save.tar.zst", NULL);
  g_autofree char *sha = NULL;
  g_autofree char *unpacked = g_build_filename (f->root, "unpacked", NULL);
  g_autofree char *junk = g_build_filename (f->root, "junk.tar.zst", NULL);
  g_autofree char *truncated = g_build_filename (f->root, "truncated.tar.zst", NULL);
  const char *cp_dir = sp_game_get_checkpoints_path (f->game);
  guint64 size = 0;

  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  g_assert_true (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (c1), out, SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);
  sha = sp_file_sha256 (out, &size, NULL, &error);
  g_assert_cmpstr (sha, ==, sp_checkpoint_get_sha256 (c1));
  g_assert_cmpuint (tc_count_entries (out_dir), ==, 1);

  /* Exporting onto a folder is refused. */
  g_assert_false (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (c1), out_dir, SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);

  /* Import: new id, label and play time kept, no parent, head unchanged. */
  imported = sp_game_import_checkpoint_sync (f->game, out, SP_IMPORT_FLAGS_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (imported);
  g_assert_cmpstr (sp_checkpoint_get_id (imported), !=, sp_checkpoint_get_id (c1));
  g_assert_cmpstr (sp_checkpoint_get_label (imported), ==, "Exported");
  g_assert_cmpint (sp_checkpoint_get_play_time (imported), ==, 42);
  g_assert_null (sp_checkpoint_get_parent (imported));
  g_assert_cmpuint (sp_checkpoint_get_bytes (imported), ==, sp_checkpoint_get_bytes (c1));
  g_assert_cmpuint (sp_checkpoint_get_files (imported), ==, sp_checkpoint_get_files (c1));
  g_assert_true (g_date_time_equal (sp_checkpoint_get_created (imported),
                                    sp_checkpoint_get_created (c1)));
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (c1));
  g_assert_nonnull (sp_game_find_checkpoint (f->game, sp_checkpoint_get_id (imported)));
  g_assert_true (sp_checkpoint_verify (imported, NULL, &error));
  g_assert_no_error (error);

  /* Its content unpacks to what was packed. */
  g_assert_true (sp_checkpoint_unpack_to (imported, unpacked, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *a = tc_read (unpacked, "save/slot1.sav");
    g_autofree char *b = tc_read (unpacked, "config.cfg");
    g_assert_cmpstr (a, ==, "progress one");
    g_assert_cmpstr (b, ==, "fullscreen=1");
  }

  /* Not an archive / truncated archive: refused, nothing left behind. */
  g_assert_true (g_file_set_contents (junk, "this is not an archive", -1, NULL));
  g_assert_null (sp_game_import_checkpoint_sync (f->game, junk, SP_IMPORT_FLAGS_NONE, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  {
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (out, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (truncated, contents, len / 2 + 8, NULL));
  }
  g_assert_null (sp_game_import_checkpoint_sync (f->game, truncated, SP_IMPORT_FLAGS_NONE, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("truncated import: %s", error->message);
  g_clear_error (&error);
  g_assert_null (sp_game_import_checkpoint_sync (f->game, "/nonexistent/x.tar.zst", SP_IMPORT_FLAGS_NONE, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (tc_count_entries (cp_dir), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 2);
}

static void
test_verify_damage (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SpCheckpoint) good = create (f, "Good", 1);
  g_autoptr(SpCheckpoint) bad = create (f, "Bad", 1);
  g_autoptr(SpCheckpoint) gone = create (f, "Gone", 1);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (f->root, "bad-export.tar.zst", NULL);
  SpGame *reloaded;
  int fd;
  char byte;
  off_t mid = sp_checkpoint_get_archive_size (bad) / 2;

  problems = sp_game_verify_sync (f->game, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* Flip one byte in the middle of one archive; remove another. */
  fd = open (sp_checkpoint_get_archive_path (bad), O_RDWR);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &byte, 1, mid), ==, 1);
  byte ^= 0x5a;
  g_assert_cmpint (pwrite (fd, &byte, 1, mid), ==, 1);
  close (fd);
  g_assert_cmpint (g_unlink (sp_checkpoint_get_archive_path (gone)), ==, 0);

  problems = sp_game_verify_sync (f->game, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 2);
  for (guint i = 0; i < problems->len; i++)
    {
      SpVerifyProblem *p = g_ptr_array_index (problems, i);
      if (g_strcmp0 (p->checkpoint_id, sp_checkpoint_get_id (bad)) == 0)
        g_assert_error (p->error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM);
      else
        {
          g_assert_cmpstr (p->checkpoint_id, ==, sp_checkpoint_get_id (gone));
          g_assert_error (p->error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED);
        }
    }
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* One at a time. */
  problems = sp_game_verify_sync (f->game, sp_checkpoint_get_id (good), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_assert_null (sp_game_verify_sync (f->game, "20000101T000000-000000", NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A damaged archive is not exported; a missing one is not restored. */
  g_assert_false (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (bad), out, SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tc_count_entries (f->root), ==, 2);
  g_assert_false (sp_game_restore_sync (f->game, sp_checkpoint_get_id (gone), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED);
  g_clear_error (&error);

  /* After a reload the missing archive shows as a property, not a crash. */
  g_assert_true (sp_library_reload (f->library, &error));
  reloaded = sp_library_find_game (f->library, "test-game");
  g_assert_true (sp_checkpoint_get_missing (sp_game_find_checkpoint (reloaded, sp_checkpoint_get_id (gone))));
  g_assert_false (sp_checkpoint_get_missing (sp_game_find_checkpoint (reloaded, sp_checkpoint_get_id (bad))));
}

static void
test_invisible_files (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c = create (f, "Real", 1);
  g_autoptr(GError) error = NULL;
  const char *dir = sp_game_get_checkpoints_path (f->game);
  g_autofree char *bad_ini = g_build_filename (dir, "20260101T000000-bad000.ini", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s:2:", bad_ini);
  g_autofree char *archive_copy = NULL;
  SpGame *game;
  const char * const *problems;

  /* An orphan archive, a partial archive, a temporary .ini, a stray file,
   * an .ini with a name that is not an id, and a malformed .ini. */
  g_assert_true (g_file_get_contents (sp_checkpoint_get_archive_path (c), &archive_copy, NULL, NULL));
  tc_write (dir, "20260101T000000-orphan.tar.zst", archive_copy);
  tc_write (dir, "20260101T000001-aaaaaa.tar.zst.partial", "half");
  tc_write (dir, "20260101T000002-bbbbbb.ini.X1Y2Z3", "[Checkpoint]\nCreated=2026-01-01T00:00:00Z\n");
  tc_write (dir, "notes.txt", "hello");
  tc_write (dir, "not an id.ini", "[Checkpoint]\n");
  tc_write (dir, "20260101T000000-bad000.ini", "[Checkpoint]\nCreated=yesterday\n");

  g_assert_true (sp_library_reload (f->library, &error));
  g_assert_no_error (error);
  game = sp_library_find_game (f->library, "test-game");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 1);
  g_assert_nonnull (sp_game_find_checkpoint (game, sp_checkpoint_get_id (c)));
  problems = sp_game_get_problems (game);
  g_assert_cmpuint (g_strv_length ((char **) problems), ==, 1);
  if (!g_str_has_prefix (problems[0], prefix))
    g_error ("expected “%s…”, got “%s”", prefix, problems[0]);
  g_assert_cmpuint (g_strv_length ((char **) sp_library_get_problems (f->library)), ==, 1);
}

static void
cancel_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_create_cancelled (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SpCheckpoint) first = create (f, "Kept", 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) c = NULL;
  g_autofree char *head = g_strdup (sp_game_get_head (f->game));

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("more/file%02u.dat", i);
      g_autofree char *contents = g_strnfill (100000, 'k');
      tc_write (f->upper, name, contents);
    }
  c = sp_game_create_checkpoint_sync (f->game, f->upper, "Cancelled", 1, TRUE,
                                      cancel_progress_cb, cancellable, cancellable, &error);
  g_assert_null (c);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Nothing new on the drive or in the list; Head did not move. */
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 1);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, head);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(SpCheckpoint) imported = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (f->root, "async.tar.zst", NULL);

  sp_game_create_checkpoint_async (f->game, f->upper, "Async", 7, TRUE, NULL, NULL, NULL,
                                   tc_store_result_cb, &r1);
  c = sp_game_create_checkpoint_finish (f->game, tc_wait_for (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, sp_checkpoint_get_id (c));
  g_assert_true (item (f->game, 0) == c);

  sp_game_export_checkpoint_async (f->game, sp_checkpoint_get_id (c), out, SP_EXPORT_FLAGS_NONE, NULL,
                                   tc_store_result_cb, &r2);
  g_assert_true (sp_game_export_checkpoint_finish (f->game, tc_wait_for (&r2), &error));
  g_assert_no_error (error);

  sp_game_import_checkpoint_async (f->game, out, SP_IMPORT_FLAGS_NONE, NULL, tc_store_result_cb, &r3);
  imported = sp_game_import_checkpoint_finish (f->game, tc_wait_for (&r3), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_label (imported), ==, "Async");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 2);

  sp_game_verify_async (f->game, NULL, NULL, tc_store_result_cb, &r4);
  problems = sp_game_verify_finish (f->game, tc_wait_for (&r4), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
}

static void
count_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *count)
{
  (*count)++;
}

static char *
read_path (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);

  return tc_read (dir, name);
}

/* The async writes leave the same files and send the same notifications as
 * the sync ones, and change the object only from the main loop. */
static void
test_async_restore_delete_rename (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autoptr(SpCheckpoint) c2 = create (f, "Two", 2);
  g_autoptr(SpCheckpoint) c3 = create (f, "Three", 3);
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(GAsyncResult) r5 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) reloaded = NULL;
  g_autofree char *id1 = g_strdup (sp_checkpoint_get_id (c1));
  g_autofree char *id2 = g_strdup (sp_checkpoint_get_id (c2));
  g_autofree char *id3 = g_strdup (sp_checkpoint_get_id (c3));
  g_autofree char *text = NULL;
  guint head_notifies = 0;
  guint label_notifies = 0;
  guint list_changes = 0;

  g_signal_connect (f->game, "notify::head", G_CALLBACK (tc_count_notify_cb), &head_notifies);
  g_signal_connect (c2, "notify::label", G_CALLBACK (tc_count_notify_cb), &label_notifies);
  g_signal_connect (sp_game_get_checkpoints (f->game), "items-changed",
                    G_CALLBACK (count_items_changed_cb), &list_changes);

  /* Restore: nothing changes in the object before the main loop runs. */
  sp_game_restore_async (f->game, id1, NULL, tc_store_result_cb, &r1);
  g_assert_null (r1);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, id3);
  g_assert_cmpuint (head_notifies, ==, 0);
  g_assert_true (sp_game_restore_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, id1);
  g_assert_cmpuint (head_notifies, ==, 1);
  text = read_path (sp_game_get_ini_path (f->game));
  g_assert_nonnull (strstr (text, id1));
  g_clear_pointer (&text, g_free);

  /* Rename */
  sp_game_rename_checkpoint_async (f->game, id2, "Boss fight", NULL, tc_store_result_cb, &r2);
  g_assert_null (r2);
  g_assert_cmpstr (sp_checkpoint_get_label (c2), ==, "Two");
  g_assert_true (sp_game_rename_checkpoint_finish (f->game, tc_wait_for (&r2), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_label (c2), ==, "Boss fight");
  g_assert_cmpuint (label_notifies, ==, 1);
  text = read_path (sp_checkpoint_get_ini_path (c2));
  g_assert_nonnull (strstr (text, "Label=Boss fight"));
  g_clear_pointer (&text, g_free);

  /* Delete the head, queued right behind a restore: Head moves to the
   * parent, then the .ini and the archive go. */
  sp_game_restore_async (f->game, id3, NULL, tc_store_result_cb, &r3);
  sp_game_delete_checkpoint_async (f->game, id3, NULL, tc_store_result_cb, &r4);
  g_assert_nonnull (sp_game_find_checkpoint (f->game, id3));
  g_assert_true (sp_game_restore_finish (f->game, tc_wait_for (&r3), &error));
  g_assert_no_error (error);
  g_assert_true (sp_game_delete_checkpoint_finish (f->game, tc_wait_for (&r4), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_head (f->game), ==, id2);
  g_assert_cmpuint (head_notifies, ==, 3);
  g_assert_cmpuint (list_changes, ==, 1);
  g_assert_null (sp_game_find_checkpoint (f->game, id3));
  g_assert_false (g_file_test (sp_checkpoint_get_ini_path (c3), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (sp_checkpoint_get_archive_path (c3), G_FILE_TEST_EXISTS));

  /* Restore to clean, then delete what is not the head. */
  sp_game_restore_async (f->game, NULL, NULL, tc_store_result_cb, &r5);
  g_assert_true (sp_game_restore_finish (f->game, tc_wait_for (&r5), &error));
  g_assert_no_error (error);
  g_assert_null (sp_game_get_head (f->game));
  g_clear_object (&r5);
  sp_game_delete_checkpoint_async (f->game, id1, NULL, tc_store_result_cb, &r5);
  g_assert_true (sp_game_delete_checkpoint_finish (f->game, tc_wait_for (&r5), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list_changes, ==, 2);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 2);

  /* What is on the drive is what the object says. */
  reloaded = sp_game_load (sp_game_get_path (f->game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (sp_game_get_head (reloaded));
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (reloaded)), ==, 1);
  g_assert_cmpstr (sp_checkpoint_get_label (item (reloaded, 0)), ==, "Boss fight");
}

static void
test_async_save (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) reloaded = NULL;
  const char * const bad_env[] = { "NOEQUALS", NULL };

  sp_game_set_name (f->game, "Renamed Game");
  sp_game_save_async (f->game, NULL, tc_store_result_cb, &r1);
  g_assert_null (r1);
  g_assert_true (sp_game_save_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_no_error (error);
  reloaded = sp_game_load (sp_game_get_path (f->game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_name (reloaded), ==, "Renamed Game");

  /* Validation errors come through the task, and nothing is written. */
  sp_game_set_environment (f->game, bad_env);
  sp_game_save_async (f->game, NULL, tc_store_result_cb, &r2);
  g_assert_null (r2);
  g_assert_false (sp_game_save_finish (f->game, tc_wait_for (&r2), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_object (&reloaded);
  reloaded = sp_game_load (sp_game_get_path (f->game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((GStrv) sp_game_get_environment (reloaded)), ==, 0);
}

static void
test_async_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autofree char *id1 = g_strdup (sp_checkpoint_get_id (c1));
  g_autoptr(SpGame) ro = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(GAsyncResult) r5 = NULL;
  g_autoptr(GAsyncResult) r6 = NULL;
  g_autoptr(GAsyncResult) r7 = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = read_path (sp_game_get_ini_path (f->game));
  g_autofree char *after = NULL;

  /* Unknown id */
  sp_game_restore_async (f->game, "20000101T000000-000000", NULL, tc_store_result_cb, &r1);
  g_assert_false (sp_game_restore_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  sp_game_rename_checkpoint_async (f->game, "20000101T000000-000000", "x", NULL,
                                   tc_store_result_cb, &r2);
  g_assert_false (sp_game_rename_checkpoint_finish (f->game, tc_wait_for (&r2), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Read-only library */
  ro = sp_game_load (sp_game_get_path (f->game), TRUE, &error);
  g_assert_no_error (error);
  sp_game_delete_checkpoint_async (ro, id1, NULL, tc_store_result_cb, &r3);
  g_assert_false (sp_game_delete_checkpoint_finish (ro, tc_wait_for (&r3), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  sp_game_save_async (ro, NULL, tc_store_result_cb, &r4);
  g_assert_false (sp_game_save_finish (ro, tc_wait_for (&r4), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_true (g_file_test (sp_checkpoint_get_archive_path (c1), G_FILE_TEST_EXISTS));

  /* Queued writes are validated when their turn comes: the restore of a
   * checkpoint deleted just before fails, and Head stays clean. A queued
   * write that is cancelled before its turn writes nothing. */
  sp_game_delete_checkpoint_async (f->game, id1, NULL, tc_store_result_cb, &r5);
  sp_game_restore_async (f->game, id1, NULL, tc_store_result_cb, &r6);
  sp_game_rename_checkpoint_async (f->game, id1, "never", cancellable, tc_store_result_cb, &r7);
  g_cancellable_cancel (cancellable);
  g_assert_true (sp_game_delete_checkpoint_finish (f->game, tc_wait_for (&r5), &error));
  g_assert_no_error (error);
  g_assert_false (sp_game_restore_finish (f->game, tc_wait_for (&r6), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sp_game_rename_checkpoint_finish (f->game, tc_wait_for (&r7), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (sp_game_get_head (f->game));
  after = read_path (sp_game_get_ini_path (f->game));
  g_assert_nonnull (strstr (after, "Head=\n"));
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 0);
}

static gboolean
count_idle_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* A file whose open() blocks until blocked_file_release(): the same text
 * seen through a savepoint-overlayfs mount whose daemon is stopped
 * (SIGSTOP), bind-mounted over @path. (A FIFO in its place no longer
 * blocks anything: drive files that are not regular are refused at once.) */
typedef struct
{
  GPid  pid;
  char *mnt;
  char *path;
} BlockedFile;

static gboolean
blocked_file_start (BlockedFile *b,
                    const char  *scratch,
                    const char  *path,
                    const char  *text)
{
  g_autofree char *lower = g_build_filename (scratch, "lower", NULL);
  g_autofree char *upper = g_build_filename (scratch, "upper", NULL);
  g_autofree char *work = g_build_filename (scratch, "work", NULL);
  g_autofree char *options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s",
                                              lower, upper, work);
  g_autofree char *inside = NULL;
  const char *overlayfs = g_getenv ("SP_OVERLAYFS");
  g_autoptr(GError) error = NULL;
  struct stat top, st;

  if (geteuid () != 0 || overlayfs == NULL || !g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS))
    return FALSE;
  b->mnt = g_build_filename (scratch, "mnt", NULL);
  b->path = g_strdup (path);
  tc_write (lower, "blocked.ini", text);
  g_assert_cmpint (g_mkdir (upper, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (work, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (b->mnt, 0755), ==, 0);
  {
    const char *argv[] = { overlayfs, "-f", "blocked", b->mnt, "-o", options, NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &b->pid, &error));
    g_assert_no_error (error);
  }
  /* Until the mount is live (a guard against a hang, not a timing check). */
  g_assert_cmpint (stat (scratch, &top), ==, 0);
  for (guint i = 0; stat (b->mnt, &st) != 0 || st.st_dev == top.st_dev; i++)
    {
      g_assert_cmpuint (i, <, 2000);
      g_usleep (10 * 1000);
    }
  inside = g_build_filename (b->mnt, "blocked.ini", NULL);
  g_assert_cmpint (mount (inside, path, NULL, MS_BIND, NULL), ==, 0);
  g_assert_cmpint (kill (b->pid, SIGSTOP), ==, 0);
  return TRUE;
}

/* Uncovers the real file, then lets the blocked open() go on. */
static void
blocked_file_release (BlockedFile *b)
{
  g_assert_cmpint (umount2 (b->path, MNT_DETACH), ==, 0);
  g_assert_cmpint (kill (b->pid, SIGCONT), ==, 0);
}

static void
blocked_file_stop (BlockedFile *b)
{
  int status;

  g_assert_cmpint (kill (b->pid, SIGTERM), ==, 0);
  g_assert_cmpint (waitpid (b->pid, &status, 0), ==, b->pid);
  umount2 (b->mnt, MNT_DETACH);
  g_spawn_close_pid (b->pid);
  g_free (b->mnt);
  g_free (b->path);
}

/* While a write is stuck on the drive, the main loop keeps running and the
 * sync calls are refused. The checkpoint's .ini is made to block (see
 * BlockedFile) so that the worker waits in open() until the test lets it. */
static void
test_async_main_loop_runs (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autofree char *ini = g_strdup (sp_checkpoint_get_ini_path (c1));
  g_autofree char *text = read_path (ini);
  g_autofree char *scratch = g_build_filename (f->root, "blocked", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GError) error = NULL;
  BlockedFile blocked = { 0 };
  guint idles = 0;
  guint source_id;

  if (!blocked_file_start (&blocked, scratch, ini, text))
    {
      g_test_skip ("making a file block needs root, FUSE and savepoint-overlayfs");
      return;
    }

  sp_game_rename_checkpoint_async (f->game, sp_checkpoint_get_id (c1), "Renamed", NULL,
                                   tc_store_result_cb, &r1);
  source_id = g_idle_add (count_idle_cb, &idles);
  while (idles < 5)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source_id);

  /* Still in flight: no result, object unchanged, other writes refused. */
  g_assert_null (r1);
  g_assert_cmpstr (sp_checkpoint_get_label (c1), ==, "One");
  g_assert_false (sp_game_save_sync (f->game, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_false (sp_game_restore_sync (f->game, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_BUSY);
  g_clear_error (&error);

  /* Let the worker read the .ini. */
  blocked_file_release (&blocked);

  g_assert_true (sp_game_rename_checkpoint_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_no_error (error);
  blocked_file_stop (&blocked);
  g_assert_cmpstr (sp_checkpoint_get_label (c1), ==, "Renamed");
  g_assert_true (g_file_test (ini, G_FILE_TEST_IS_REGULAR));
  after = read_path (ini);
  g_assert_nonnull (strstr (after, "Label=Renamed"));

  /* Done: sync writes work again. */
  g_assert_true (sp_game_restore_sync (f->game, NULL, &error));
  g_assert_no_error (error);
}

/* Crash safety: a child writes checkpoints and game.ini in a loop and is
 * killed at some point; the library must then open with every listed
 * checkpoint whole. */
G_GNUC_NORETURN static void
crash_child (const char *drive,
             const char *upper)
{
  g_autoptr(SpLibrary) library = sp_library_open (drive, NULL);
  SpGame *game;

  if (library == NULL)
    _exit (2);
  game = sp_library_find_game (library, "test-game");
  for (guint i = 0; ; i++)
    {
      g_autofree char *label = g_strdup_printf ("round %u", i);
      g_autoptr(SpCheckpoint) c = sp_game_create_checkpoint_sync (game, upper, label, i, TRUE,
                                                                  NULL, NULL, NULL, NULL);
      guint n;

      if (c == NULL)
        _exit (3);
      sp_game_rename_checkpoint_sync (game, sp_checkpoint_get_id (c), "renamed", NULL);
      sp_game_set_name (game, i % 2 ? "Test Game" : "Test Game (odd)");
      sp_game_save_sync (game, NULL);
      n = g_list_model_get_n_items (sp_game_get_checkpoints (game));
      if (n > 4)
        {
          g_autoptr(SpCheckpoint) oldest = g_list_model_get_item (sp_game_get_checkpoints (game), n - 1);
          sp_game_delete_checkpoint_sync (game, sp_checkpoint_get_id (oldest), NULL);
        }
    }
}

static void
test_crash_safety (Fixture       *f,
                   gconstpointer  data)
{
  guint killed_mid_run = 0;

  /* Enough content that packing takes a moment. */
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("bulk/file%02u.dat", i);
      g_autofree char *contents = g_strnfill (20000 + i * 977, 'a' + (i % 26));
      tc_write (f->upper, name, contents);
    }
  g_clear_object (&f->game);
  g_clear_object (&f->library);

  for (guint round = 0; round < 10; round++)
    {
      g_autoptr(SpLibrary) library = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) error = NULL;
      SpGame *game;
      int status = 0;
      pid_t pid;

      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        crash_child (f->drive, f->upper);

      /* Vary where the writer is killed. */
      g_usleep (2000 + round * 7919);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      if (WIFSIGNALED (status))
        killed_mid_run++;
      else
        g_error ("the writer exited on its own with status %d", WEXITSTATUS (status));

      library = sp_library_open (f->drive, &error);
      g_assert_no_error (error);
      g_assert_null (sp_library_get_problems (library)[0]);
      game = sp_library_find_game (library, "test-game");
      g_assert_nonnull (game);
      problems = sp_game_verify_sync (game, NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < problems->len; i++)
        g_test_message ("bad: %s", ((SpVerifyProblem *) g_ptr_array_index (problems, i))->error->message);
      g_assert_cmpuint (problems->len, ==, 0);
      if (sp_game_get_head (game) != NULL)
        g_assert_nonnull (sp_game_get_head_checkpoint (game));
      g_test_message ("round %u: %u checkpoints", round,
                      g_list_model_get_n_items (sp_game_get_checkpoints (game)));
    }
  g_assert_cmpuint (killed_mid_run, ==, 10);
}
/* Unpacking for a play session checks the archive against its .ini in the
 * same pass: an archive that is intact as zstd but is not the one the .ini
 * describes must not become a run's upper dir. */
static void
test_unpack_checks_archive (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SpCheckpoint) made = create (f, "Made", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) ini = g_key_file_new ();
  g_autofree char *dest = g_build_filename (f->root, "run-upper", NULL);
  g_autofree char *ini_path = g_strdup (sp_checkpoint_get_ini_path (made));
  g_autofree char *id = g_strdup (sp_checkpoint_get_id (made));
  SpCheckpoint *reloaded;

  g_assert_true (g_key_file_load_from_file (ini, ini_path, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string (ini, "Checkpoint", "SHA256",
                         "0000000000000000000000000000000000000000000000000000000000000000");
  g_assert_true (g_key_file_save_to_file (ini, ini_path, &error));
  g_assert_true (sp_library_reload (f->library, &error));
  g_assert_no_error (error);
  reloaded = sp_game_find_checkpoint (sp_library_find_game (f->library, "test-game"), id);
  g_assert_nonnull (reloaded);

  g_assert_false (sp_checkpoint_unpack_to (reloaded, dest, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CHECKSUM);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------------ */
/* What import and verify accept, the game's
 * Uuid, and where export may write. */

#define RELEASE_SHA256 "619b9f65f11b34fa05afe7a9ff879147e46106afe0af453dcdd1d0b6389c0e26"

/* The archive packed by the released code (tests/archive/data/README.md):
 * setuid/setgid entries, no GameUuid. */
static char *
release_archive (void)
{
  return g_test_build_filename (G_TEST_DIST, "archive", "data", "release-setuid.tar.zst", NULL);
}

typedef struct
{
  const char *name;
  mode_t      type;       /* 0: regular file */
  const char *data;
  const char *symlink;
  const char *hardlink;
} XEntry;

/* A zstd pax archive: the metadata @meta first, then @entries. */
static void
write_archive (const char   *path,
               const char   *meta,
               const XEntry *entries,
               guint         n)
{
  struct archive *a = archive_write_new ();

  archive_write_set_format_pax_restricted (a);
  archive_write_add_filter_zstd (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i <= n; i++)
    {
      XEntry m = { SP_ARCHIVE_METADATA_ENTRY, 0, meta };
      const XEntry *x = i == 0 ? &m : &entries[i - 1];
      struct archive_entry *e = archive_entry_new ();
      gsize len = x->data ? strlen (x->data) : 0;

      archive_entry_copy_pathname (e, x->name);
      archive_entry_set_filetype (e, x->type ? x->type : AE_IFREG);
      archive_entry_set_perm (e, x->type == AE_IFDIR ? 0755 : 0644);
      archive_entry_set_mtime (e, 1600000000, 0);
      if (x->type == AE_IFCHR)
        archive_entry_set_rdev (e, makedev (1, 3));
      if (x->symlink)
        archive_entry_copy_symlink (e, x->symlink);
      if (x->hardlink)
        archive_entry_copy_hardlink (e, x->hardlink);
      if (x->type == 0 && !x->hardlink)
        archive_entry_set_size (e, len);
      g_assert_cmpint (archive_write_header (a, e), >=, ARCHIVE_WARN);
      if (len > 0 && !x->hardlink)
        g_assert_cmpint (archive_write_data (a, x->data, len), ==, (la_ssize_t) len);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static void
test_import_strict (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *arch = g_build_filename (f->root, "hostile.tar.zst", NULL);
  const char *cp_dir = sp_game_get_checkpoints_path (f->game);
  const char *meta = "[Checkpoint]\nLabel=Evil\nPlayTime=1\n";
  struct {
    const char *what;
    XEntry      entries[2];
    guint       n;
  } cases[] = {
    { "absolute path", { { "/tmp/sp-evil", 0, "x" } }, 1 },
    { "dot-dot", { { "../../evil", 0, "x" } }, 1 },
    { "inner dot-dot", { { "a/../../evil", 0, "x" } }, 1 },
    { "device", { { "null", AE_IFCHR } }, 1 },
    { "hard link out", { { "h", 0, NULL, NULL, "../../etc/passwd" } }, 1 },
    { "hard link absolute", { { "h", 0, NULL, NULL, "/etc/passwd" } }, 1 },
    { "hard link to nothing", { { "h", 0, NULL, NULL, "missing" } }, 1 },
    { "through a symlink", { { "l", AE_IFLNK, NULL, "/tmp" }, { "l/evil", 0, "x" } }, 2 },
    { "twice", { { "a", 0, "x" }, { "a", 0, "y" } }, 2 },
    { "whiteout with data", { { ".wh.a", 0, "x" } }, 1 },
  };

  /* Every archive that unpacking refuses, import refuses, leaving nothing. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) unpack_error = NULL;
      g_autofree char *dest = g_build_filename (f->root, "dest", NULL);

      g_test_message ("%s", cases[i].what);
      write_archive (arch, meta, cases[i].entries, cases[i].n);
      g_assert_false (sp_archive_unpack (arch, dest, NULL, NULL, NULL, &unpack_error));
      g_assert_nonnull (unpack_error);
      g_assert_null (sp_game_import_checkpoint_sync (f->game, arch, SP_IMPORT_FLAGS_NONE, NULL,
                                                     NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("  -> %s", error->message);
      g_assert_true (error->domain == SP_ARCHIVE_ERROR);
      g_assert_cmpint (error->code, ==, unpack_error->code);
      g_assert_cmpuint (tc_count_entries (cp_dir), ==, 0);
      g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 0);
    }

  /* Ids in the metadata are checked, with file and line. */
  {
    const XEntry ok[] = { { "a", 0, "x" } };
    const char *metas[] = {
      "[Checkpoint]\nLabel=x\nParent=../../../etc\n",
      "[Checkpoint]\nLabel=x\nId=a/b\n",
      "[Checkpoint]\nLabel=x\nGameUuid=not-a-uuid\n",
    };

    for (guint i = 0; i < G_N_ELEMENTS (metas); i++)
      {
        g_autoptr(GError) error = NULL;

        write_archive (arch, metas[i], ok, 1);
        g_assert_null (sp_game_import_checkpoint_sync (f->game, arch, SP_IMPORT_FLAGS_OTHER_GAME,
                                                       NULL, NULL, &error));
        g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
        g_test_message ("%s", error->message);
        g_assert_nonnull (strstr (error->message, SP_ARCHIVE_METADATA_ENTRY ":3:"));
        g_assert_cmpuint (tc_count_entries (cp_dir), ==, 0);
      }
  }
}

static void
test_import_other_game (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "Mine", 5);
  g_autoptr(SpCheckpoint) back = NULL;
  g_autoptr(SpCheckpoint) forced = NULL;
  g_autoptr(SpCheckpoint) old = NULL;
  g_autoptr(SpCheckpoint) old_async = NULL;
  g_autoptr(SpGame) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *other_source = tc_make_source (f->root, "other-src");
  g_autofree char *out = g_build_filename (f->root, "mine.tar.zst", NULL);
  g_autofree char *meta = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *release = release_archive ();
  g_autofree char *unpacked = g_build_filename (f->root, "unpacked", NULL);
  struct stat st;

  other = tc_add_game (f->library, other_source, "Other Game");
  g_assert_nonnull (sp_game_get_uuid (f->game));
  g_assert_nonnull (sp_game_get_uuid (other));
  g_assert_cmpstr (sp_game_get_uuid (f->game), !=, sp_game_get_uuid (other));

  /* The archive records its checkpoint and game. */
  meta = sp_archive_read_metadata (sp_checkpoint_get_archive_path (c1), &error);
  g_assert_no_error (error);
  {
    g_autofree char *uuid_line = g_strdup_printf ("GameUuid=%s\n", sp_game_get_uuid (f->game));
    g_autofree char *id_line = g_strdup_printf ("Id=%s\n", sp_checkpoint_get_id (c1));

    g_assert_nonnull (strstr (meta, uuid_line));
    g_assert_nonnull (strstr (meta, id_line));
  }

  g_assert_true (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (c1), out,
                                                 SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);

  /* Into another game: refused, unless asked. */
  g_assert_null (sp_game_import_checkpoint_sync (other, out, SP_IMPORT_FLAGS_NONE, NULL, NULL,
                                                 &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_OTHER_GAME);
  g_assert_nonnull (strstr (error->message, out));
  g_clear_error (&error);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (other)), ==, 0);
  forced = sp_game_import_checkpoint_sync (other, out, SP_IMPORT_FLAGS_OTHER_GAME, &warning,
                                           NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (forced);
  g_assert_null (warning);

  /* Into its own game: fine. */
  back = sp_game_import_checkpoint_sync (f->game, out, SP_IMPORT_FLAGS_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  /* An archive of the released code has no game: accepted anywhere, with
   * a warning about its setuid/setgid entries, and it restores. */
  old = sp_game_import_checkpoint_sync (other, release, SP_IMPORT_FLAGS_NONE, &warning, NULL,
                                        &error);
  g_assert_no_error (error);
  g_assert_nonnull (old);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "setuid"));
  g_assert_cmpstr (sp_checkpoint_get_sha256 (old), ==, RELEASE_SHA256);
  g_assert_cmpuint (sp_checkpoint_get_files (old), ==, 5);
  g_clear_pointer (&warning, g_free);
  sp_game_import_checkpoint_async (f->game, release, SP_IMPORT_FLAGS_NONE, NULL,
                                   tc_store_result_cb, &result);
  old_async = sp_game_import_checkpoint_finish (f->game, tc_wait_for (&result), &warning, &error);
  g_assert_no_error (error);
  g_assert_nonnull (old_async);
  g_assert_nonnull (warning);
  g_assert_true (sp_checkpoint_unpack_to (old, unpacked, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *tool = g_build_filename (unpacked, "bin", "tool", NULL);
    g_autofree char *datadir = g_build_filename (unpacked, "data", NULL);

    g_assert_cmpint (stat (tool, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0755);
    g_assert_cmpint (stat (datadir, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0755);
  }

  /* verify says so too, as a warning about a good checkpoint. */
  {
    g_autoptr(GPtrArray) problems = sp_game_verify_sync (other, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 1);
    g_assert_true (((SpVerifyProblem *) problems->pdata[0])->is_warning);
    g_assert_error (((SpVerifyProblem *) problems->pdata[0])->error, SP_ARCHIVE_ERROR,
                    SP_ARCHIVE_ERROR_SPECIAL_BITS);
    g_assert_cmpstr (((SpVerifyProblem *) problems->pdata[0])->checkpoint_id, ==,
                     sp_checkpoint_get_id (old));
  }
}

/* A checkpoint of the drive whose archive breaks the unpack rules (its
 * .ini matching it) is damaged for verify, as it is for play. */
static void
test_verify_entry_rules (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SpCheckpoint) good = create (f, "Good", 1);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = NULL;
  const char *dir = sp_game_get_checkpoints_path (f->game);
  const char *id = "20260101T000000-evil00";
  g_autofree char *arch = g_strdup_printf ("%s/%s.tar.zst", dir, id);
  g_autofree char *ini = g_strdup_printf ("%s/%s.ini", dir, id);
  g_autofree char *ini_text = NULL;
  const XEntry evil[] = { { "l", AE_IFLNK, NULL, "/etc" }, { "l/cron.d/evil", 0, "x" } };
  guint64 size = 0;

  write_archive (arch, "[Checkpoint]\nLabel=Evil\n", evil, G_N_ELEMENTS (evil));
  sha = sp_file_sha256 (arch, &size, NULL, &error);
  g_assert_no_error (error);
  ini_text = g_strdup_printf ("[Checkpoint]\nCreated=2026-01-01T00:00:00.000000Z\nLabel=Evil\n"
                              "PlayTime=1\nFiles=2\nBytes=1\nArchiveSize=%" G_GUINT64_FORMAT "\n"
                              "SHA256=%s\n", size, sha);
  g_assert_true (g_file_set_contents (ini, ini_text, -1, NULL));
  g_assert_true (sp_game_reload (f->game, &error));
  g_assert_no_error (error);
  g_assert_nonnull (sp_game_find_checkpoint (f->game, id));

  problems = sp_game_verify_sync (f->game, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((SpVerifyProblem *) problems->pdata[0])->checkpoint_id, ==, id);
  g_assert_false (((SpVerifyProblem *) problems->pdata[0])->is_warning);
  g_assert_error (((SpVerifyProblem *) problems->pdata[0])->error, SP_ARCHIVE_ERROR,
                  SP_ARCHIVE_ERROR_HOSTILE);
}

static void
test_game_uuid (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(SpGame) reloaded = NULL;
  g_autoptr(SpGame) bad = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *text = NULL;
  const char *ini = sp_game_get_ini_path (f->game);

  /* A new game gets one when it is added. */
  g_assert_true (g_key_file_load_from_file (kf, ini, G_KEY_FILE_NONE, &error));
  uuid = g_key_file_get_string (kf, "Game", "Uuid", &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (uuid));
  g_assert_cmpstr (sp_game_get_uuid (f->game), ==, uuid);

  /* A game of an older release gets one at its first write, and keeps it. */
  g_key_file_remove_key (kf, "Game", "Uuid", NULL);
  g_assert_true (g_key_file_save_to_file (kf, ini, &error));
  reloaded = sp_game_load (sp_game_get_path (f->game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (sp_game_get_uuid (reloaded));
  g_assert_true (sp_game_save_sync (reloaded, &error));
  g_assert_no_error (error);
  g_assert_nonnull (sp_game_get_uuid (reloaded));
  g_clear_pointer (&uuid, g_free);
  g_assert_true (g_key_file_load_from_file (kf, ini, G_KEY_FILE_NONE, &error));
  uuid = g_key_file_get_string (kf, "Game", "Uuid", &error);
  g_assert_cmpstr (uuid, ==, sp_game_get_uuid (reloaded));
  g_assert_true (sp_game_save_sync (reloaded, &error));
  g_clear_object (&reloaded);
  reloaded = sp_game_load (sp_game_get_path (f->game), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_game_get_uuid (reloaded), ==, uuid);

  /* A bad one is refused, naming file and line. */
  g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
  {
    g_autofree char *uuid_line = g_strdup_printf ("Uuid=%s", uuid);
    g_autoptr(GString) s = g_string_new (text);

    g_string_replace (s, uuid_line, "Uuid=../../x", 1);
    g_assert_true (g_file_set_contents (ini, s->str, -1, NULL));
  }
  bad = sp_game_load (sp_game_get_path (f->game), FALSE, &error);
  g_assert_null (bad);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  g_test_message ("%s", error->message);
  {
    g_autofree char *prefix = g_strconcat (ini, ":", NULL);
    g_assert_true (g_str_has_prefix (error->message, prefix));
  }
}

static void
test_export_never_overwrites (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = g_build_filename (f->root, "exports", NULL);
  g_autofree char *out = g_build_filename (out_dir, "mine.tar.zst", NULL);
  g_autofree char *link = g_build_filename (out_dir, "link.tar.zst", NULL);
  g_autofree char *into_library = g_build_filename (f->root, "library-link", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  const char *library = sp_library_get_path (f->library);
  const char *id = sp_checkpoint_get_id (c1);

  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  tc_write (out_dir, "mine.tar.zst", "my own file");

  /* Not replaced unless asked; nothing else left beside it. */
  g_assert_false (sp_game_export_checkpoint_sync (f->game, id, out, SP_EXPORT_FLAGS_NONE, NULL,
                                                  &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, out));
  g_clear_error (&error);
  contents = tc_read (out_dir, "mine.tar.zst");
  g_assert_cmpstr (contents, ==, "my own file");
  g_assert_cmpuint (tc_count_entries (out_dir), ==, 1);

  /* Also not a symbolic link standing there (nor what it points to). */
  g_assert_cmpint (symlink (out, link), ==, 0);
  g_assert_false (sp_game_export_checkpoint_sync (f->game, id, link, SP_EXPORT_FLAGS_NONE, NULL,
                                                  &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
  g_clear_error (&error);
  g_clear_pointer (&contents, g_free);
  contents = tc_read (out_dir, "mine.tar.zst");
  g_assert_cmpstr (contents, ==, "my own file");

  /* Replaced when asked. */
  g_assert_true (sp_game_export_checkpoint_sync (f->game, id, out, SP_EXPORT_FLAGS_REPLACE, NULL,
                                                 &error));
  g_assert_no_error (error);
  sha = sp_file_sha256 (out, NULL, NULL, &error);
  g_assert_cmpstr (sha, ==, sp_checkpoint_get_sha256 (c1));
  g_assert_cmpuint (tc_count_entries (out_dir), ==, 2);

  /* The library's own files: refused even when asked to replace, and left
   * as they were; also when reached through a link from outside. */
  g_assert_cmpint (symlink (library, into_library), ==, 0);
  {
    g_autofree char *base_file = g_build_filename (sp_game_get_base_path (f->game),
                                                   "game.exe", NULL);
    g_autofree char *library_ini = g_build_filename (library, "library.ini", NULL);
    g_autofree char *fresh = g_build_filename (library, "fresh.tar.zst", NULL);
    g_autofree char *via_link = g_build_filename (into_library, "library.ini", NULL);
    g_autofree char *via_link_new = g_build_filename (into_library, "games", "x.tar.zst", NULL);
    const char *targets[] = {
      sp_checkpoint_get_archive_path (c1),
      sp_checkpoint_get_ini_path (c1),
      sp_game_get_ini_path (f->game),
      base_file,
      library_ini,
      fresh,
      via_link,
      via_link_new,
    };

    for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
      {
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;
        gsize before_len = 0;

        g_test_message ("export onto %s", targets[i]);
        g_file_get_contents (targets[i], &before, &before_len, NULL);
        g_assert_false (sp_game_export_checkpoint_sync (f->game, id, targets[i],
                                                        SP_EXPORT_FLAGS_REPLACE, NULL, &error));
        g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
        g_clear_error (&error);
        g_file_get_contents (targets[i], &after, NULL, NULL);
        g_assert_cmpstr (before, ==, after);
      }
    g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  }
  g_assert_true (sp_checkpoint_verify (c1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 2);
}

static gboolean
run_command (const char  *command,
             char       **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ignored_out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  /* Captured: the test's own stdout is TAP. */
  if (!g_spawn_command_line_sync (command, out ? out : &ignored_out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

/* exFAT through FUSE refuses RENAME_NOREPLACE (EINVAL) and hard links
 * (EPERM): export must still never replace a file there. */
static void
test_export_exfat (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *image = g_build_filename (f->root, "exfat.img", NULL);
  g_autofree char *mnt = g_build_filename (f->root, "exfat", NULL);
  g_autofree char *out = g_build_filename (mnt, "save.tar.zst", NULL);
  g_autofree char *loop = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *mkfs = g_find_program_in_path ("mkfs.exfat");
  g_autofree char *mount_fuse = g_find_program_in_path ("mount.exfat-fuse");
  const char *id = sp_checkpoint_get_id (c1);

  if (geteuid () != 0 || mkfs == NULL || mount_fuse == NULL)
    {
      g_test_skip ("needs root, mkfs.exfat and mount.exfat-fuse (exfatprogs, exfat-fuse)");
      return;
    }
  g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
  cmd = g_strdup_printf ("truncate -s 16M %s", image);
  g_assert_true (run_command (cmd, NULL));
  g_free (cmd);
  cmd = g_strdup_printf ("mkfs.exfat %s", image);
  g_assert_true (run_command (cmd, NULL));
  g_free (cmd);
  cmd = g_strdup_printf ("losetup -f --show %s", image);
  if (!run_command (cmd, &loop))
    {
      g_test_skip ("no loop device here");
      return;
    }
  g_strstrip (loop);
  g_free (cmd);
  cmd = g_strdup_printf ("mount.exfat-fuse %s %s", loop, mnt);
  g_assert_true (run_command (cmd, NULL));

  /* A new file: written. */
  g_assert_true (sp_game_export_checkpoint_sync (f->game, id, out, SP_EXPORT_FLAGS_NONE, NULL,
                                                 &error));
  g_assert_no_error (error);
  sha = sp_file_sha256 (out, NULL, NULL, &error);
  g_assert_cmpstr (sha, ==, sp_checkpoint_get_sha256 (c1));

  /* An existing one: refused and kept, also when it appears only after
   * the check (the rename itself does not replace). */
  g_assert_true (g_file_set_contents (out, "my own file", -1, NULL));
  g_assert_false (sp_game_export_checkpoint_sync (f->game, id, out, SP_EXPORT_FLAGS_NONE, NULL,
                                                  &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "my own file");
  g_assert_cmpuint (tc_count_entries (mnt), ==, 1);

  /* Replaced when asked. */
  g_assert_true (sp_game_export_checkpoint_sync (f->game, id, out, SP_EXPORT_FLAGS_REPLACE, NULL,
                                                 &error));
  g_assert_no_error (error);
  g_clear_pointer (&sha, g_free);
  sha = sp_file_sha256 (out, NULL, NULL, &error);
  g_assert_cmpstr (sha, ==, sp_checkpoint_get_sha256 (c1));
  g_assert_cmpuint (tc_count_entries (mnt), ==, 1);

  g_free (cmd);
  cmd = g_strdup_printf ("umount %s", mnt);
  g_assert_true (run_command (cmd, NULL));
  g_free (cmd);
  cmd = g_strdup_printf ("losetup -d %s", loop);
  g_assert_true (run_command (cmd, NULL));
}



/* Uncovers the real file, then lets the blocked open() go on. */


/* A FIFO in place of a checkpoint's .ini used to block its reader forever
 * (and so every command): now it is refused at once, with its reason. */
static void
test_fifo_ini_refused (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autofree char *ini = g_strdup (sp_checkpoint_get_ini_path (c1));
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GError) error = NULL;
  SpGame *game;

  alarm (60);   /* a regression hangs: fail instead */
  g_assert_cmpint (g_unlink (ini), ==, 0);
  g_assert_cmpint (mkfifo (ini, 0644), ==, 0);

  sp_game_rename_checkpoint_async (f->game, sp_checkpoint_get_id (c1), "Renamed", NULL,
                                   tc_store_result_cb, &r1);
  g_assert_false (sp_game_rename_checkpoint_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, ini));
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_clear_error (&error);

  /* Loading the game lists the FIFO as a problem, not as a checkpoint. */
  g_assert_true (sp_library_reload (f->library, &error));
  g_assert_no_error (error);
  game = sp_library_find_game (f->library, "test-game");
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 0);
  g_assert_nonnull (sp_game_get_problems (game)[0]);
  g_assert_nonnull (strstr (sp_game_get_problems (game)[0], "FIFO"));
  alarm (0);
}

/* A checkpoint .ini whose Parent is not a checkpoint id is not loaded and
 * is reported with its file and line. */
static void
test_bad_parent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c1 = create (f, "One", 1);
  g_autofree char *ini = g_strdup (sp_checkpoint_get_ini_path (c1));
  g_autofree char *text = read_path (ini);
  g_autofree char *bad = g_strconcat (text, "Parent=../../../documents\n", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) loaded = NULL;
  g_autofree char *where = NULL;

  g_assert_true (g_file_set_contents (ini, bad, -1, NULL));
  loaded = sp_checkpoint_load (ini, &error);
  g_assert_null (loaded);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  where = g_strdup_printf ("%s:%u:", ini, sp_key_file_find_line (ini, NULL, "Checkpoint", "Parent"));
  g_assert_true (g_str_has_prefix (error->message, where));
}

/* The archive's identity: a note or label change must not rewrite it. */
typedef struct
{
  dev_t   dev;
  ino_t   ino;
  struct timespec mtime;
  char   *sha256;
} ArchiveStamp;

static void
archive_stamp (SpCheckpoint *c,
               ArchiveStamp *stamp)
{
  struct stat st;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (stat (sp_checkpoint_get_archive_path (c), &st), ==, 0);
  stamp->dev = st.st_dev;
  stamp->ino = st.st_ino;
  stamp->mtime = st.st_mtim;
  stamp->sha256 = sp_file_sha256 (sp_checkpoint_get_archive_path (c), NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
assert_same_archive (SpCheckpoint *c,
                     ArchiveStamp *before)
{
  ArchiveStamp after = { 0 };

  archive_stamp (c, &after);
  g_assert_true (after.dev == before->dev);
  g_assert_true (after.ino == before->ino);
  g_assert_cmpint (after.mtime.tv_sec, ==, before->mtime.tv_sec);
  g_assert_cmpint (after.mtime.tv_nsec, ==, before->mtime.tv_nsec);
  g_assert_cmpstr (after.sha256, ==, before->sha256);
  g_assert_cmpstr (after.sha256, ==, sp_checkpoint_get_sha256 (c));
  g_free (after.sha256);
}

static char *
read_ini (SpCheckpoint *c)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (sp_checkpoint_get_ini_path (c), &text, NULL, NULL));
  return g_steal_pointer (&text);
}

static void
test_note (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c = create (f, "Noted", 5);
  g_autoptr(SpCheckpoint) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autofree char *before_refused = NULL;
  g_autofree char *text = NULL;
  g_autofree char *long_note = g_strnfill (SP_CHECKPOINT_NOTE_MAX_CHARS + 1, 'x');
  g_autofree char *longest = NULL;
  const char *id = sp_checkpoint_get_id (c);
  const char *note = "Before the boss: 3 potions.\n\tDon't take the left door — ünïcode.";
  const char * const refused[] = { "bell\007", "carriage\rreturn", "escape\033[2J",
                                   "next line\302\205", "del\177", "bad \377 utf-8" };
  ArchiveStamp stamp = { 0 };
  guint notifies = 0;

  g_assert_cmpstr (sp_checkpoint_get_note (c), ==, "");
  archive_stamp (c, &stamp);
  {
    g_autofree char *old = read_ini (c);
    g_autofree char *more = g_strconcat (old, "FutureKey=yes\n", NULL);
    g_assert_true (g_file_set_contents (sp_checkpoint_get_ini_path (c), more, -1, NULL));
  }

  /* Set: the .ini holds it escaped, on one line; the object follows. */
  g_signal_connect (c, "notify::note", G_CALLBACK (tc_count_notify_cb), &notifies);
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, id, note, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_note (c), ==, note);
  g_assert_cmpuint (notifies, ==, 1);
  text = read_ini (c);
  g_assert_nonnull (strstr (text, "Note=Before the boss: 3 potions.\\n\tDon't take"));
  g_assert_nonnull (strstr (text, "FutureKey=yes"));
  g_assert_nonnull (strstr (text, "Label=Noted"));
  reloaded = sp_checkpoint_load (sp_checkpoint_get_ini_path (c), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_note (reloaded), ==, note);
  g_assert_cmpstr (sp_checkpoint_get_label (reloaded), ==, "Noted");
  g_clear_object (&reloaded);
  assert_same_archive (c, &stamp);

  /* The longest note is accepted, one more character is not. */
  longest = g_strnfill (SP_CHECKPOINT_NOTE_MAX_CHARS, 'y');
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, id, longest, &error));
  g_assert_no_error (error);
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, id, note, &error));

  /* Refused notes change nothing. */
  before_refused = read_ini (c);
  g_assert_false (sp_game_set_checkpoint_note_sync (f->game, id, long_note, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_test_message ("too long: %s", error->message);
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (sp_game_set_checkpoint_note_sync (f->game, id, refused[i], &error));
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_free (text);
  text = read_ini (c);
  g_assert_cmpstr (text, ==, before_refused);
  g_assert_cmpstr (sp_checkpoint_get_note (c), ==, note);

  /* Renaming leaves the note alone, and the archive too. */
  g_assert_true (sp_game_rename_checkpoint_sync (f->game, id, "Renamed", &error));
  g_assert_no_error (error);
  reloaded = sp_checkpoint_load (sp_checkpoint_get_ini_path (c), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_note (reloaded), ==, note);
  g_assert_cmpstr (sp_checkpoint_get_label (reloaded), ==, "Renamed");
  g_clear_object (&reloaded);

  /* Clear (async, like the app): the key goes. */
  sp_game_set_checkpoint_note_async (f->game, id, "", NULL, tc_store_result_cb, &r1);
  g_assert_true (sp_game_set_checkpoint_note_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_note (c), ==, "");
  g_free (text);
  text = read_ini (c);
  g_assert_null (strstr (text, "Note="));
  g_assert_nonnull (strstr (text, "FutureKey=yes"));
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, id, "again", &error));
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_note (c), ==, "");

  /* Unknown checkpoint. */
  g_assert_false (sp_game_set_checkpoint_note_sync (f->game, "20000101T000000-000000", "x", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  assert_same_archive (c, &stamp);
  g_free (stamp.sha256);
}

/* Hostile Note= values in a checkpoint .ini: each gives "<ini>:<line>:"
 * naming the Note line, and the game lists the checkpoint as a problem. */
static void
test_note_hostile_ini (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c = create (f, "Target", 1);
  g_autofree char *good = read_ini (c);
  g_autofree char *too_long = g_strnfill (SP_CHECKPOINT_NOTE_MAX_CHARS + 1, 'z');
  g_autofree char *max = g_strnfill (SP_CHECKPOINT_NOTE_MAX_CHARS, 'z');
  const char *ini = sp_checkpoint_get_ini_path (c);
  const char * const hostile[] = {
    "ding\007dong",            /* a raw control character */
    "clear \\r screen",        /* an escaped carriage return */
    "esc\033[31mred",          /* a terminal escape */
    "nel\302\205",             /* U+0085, a C1 control */
    "not utf-8 \377\376",
    "bad escape \\q",
    too_long,
  };

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *bad = g_strdup_printf ("%sNote=%s\nAfter=1\n", good, hostile[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(SpCheckpoint) loaded = NULL;
      g_autofree char *where = NULL;

      g_assert_true (g_file_set_contents (ini, bad, -1, NULL));
      loaded = sp_checkpoint_load (ini, &error);
      g_assert_null (loaded);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
      where = g_strdup_printf ("%s:%u:", ini, sp_key_file_find_line (ini, NULL, "Checkpoint", "Note"));
      g_assert_cmpuint (sp_key_file_find_line (ini, NULL, "Checkpoint", "Note"), >, 1);
      if (!g_str_has_prefix (error->message, where))
        g_error ("case %u: expected “%s…”, got “%s”", i, where, error->message);
      g_test_message ("case %u: %s", i, error->message);
    }

  /* The game skips it and says why. */
  {
    g_autoptr(GError) error = NULL;
    SpGame *game;

    g_assert_true (sp_library_reload (f->library, &error));
    g_assert_no_error (error);
    game = sp_library_find_game (f->library, "test-game");
    g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (game)), ==, 0);
    {
      const char * const *problems = sp_game_get_problems (game);
      gboolean named = FALSE;

      for (guint i = 0; problems[i] != NULL; i++)
        {
          g_test_message ("problem: %s", problems[i]);
          named |= g_str_has_prefix (problems[i], ini);
        }
      g_assert_true (named);
    }
  }

  /* Tabs, new lines and the longest note load. */
  {
    g_autofree char *fine = g_strdup_printf ("%sNote=%s\n", good, max);
    g_autofree char *tabs = g_strdup_printf ("%sNote=a\\tb\\nc\n", good);
    g_autoptr(GError) error = NULL;
    g_autoptr(SpCheckpoint) loaded = NULL;

    g_assert_true (g_file_set_contents (ini, fine, -1, NULL));
    loaded = sp_checkpoint_load (ini, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sp_checkpoint_get_note (loaded), ==, max);
    g_clear_object (&loaded);
    g_assert_true (g_file_set_contents (ini, tabs, -1, NULL));
    loaded = sp_checkpoint_load (ini, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sp_checkpoint_get_note (loaded), ==, "a\tb\nc");
  }
}

static GKeyFile *
exported_metadata (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = sp_archive_read_metadata (path, &error);
  GKeyFile *kf = g_key_file_new ();

  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  return kf;
}

/* Export writes the .ini's current label and note into the copy's
 * metadata (the checkpoint's own archive stays as it is); import reads
 * them back. */
static void
test_note_export_import (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(SpCheckpoint) imported = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autofree char *out = g_build_filename (f->root, "noted.tar.zst", NULL);
  g_autofree char *out2 = g_build_filename (f->root, "cleared.tar.zst", NULL);
  g_autofree char *unpacked = g_build_filename (f->root, "unpacked", NULL);
  g_autofree char *link_target = NULL;
  g_autofree char *packed_sha = NULL;
  g_autofree char *label = NULL;
  g_autofree char *note = NULL;
  g_autofree char *upper_a = g_build_filename (f->upper, "save", "slot1.sav", NULL);
  g_autofree char *upper_b = g_build_filename (f->upper, "save", "slot1.bak", NULL);
  g_autofree char *upper_l = g_build_filename (f->upper, "latest", NULL);
  g_autofree char *upper_d = g_build_filename (f->upper, "empty-dir", NULL);
  const char *text = "Line one\n\tLine two — ünïcode";
  SpArchiveStats stats = { 0 };
  ArchiveStamp stamp = { 0 };
  struct stat sa, sb;

  /* Links and an empty folder, to see the copy keep every entry. */
  g_assert_cmpint (link (upper_a, upper_b), ==, 0);
  g_assert_cmpint (symlink ("save/slot1.sav", upper_l), ==, 0);
  g_assert_cmpint (g_mkdir (upper_d, 0700), ==, 0);
  c = create (f, "Packed label", 9);
  archive_stamp (c, &stamp);

  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, sp_checkpoint_get_id (c), text, &error));
  g_assert_true (sp_game_rename_checkpoint_sync (f->game, sp_checkpoint_get_id (c), "Current label", &error));
  g_assert_no_error (error);
  assert_same_archive (c, &stamp);

  /* The archive still says what it was packed with. */
  meta = exported_metadata (sp_checkpoint_get_archive_path (c));
  label = g_key_file_get_string (meta, "Checkpoint", "Label", NULL);
  g_assert_cmpstr (label, ==, "Packed label");
  g_assert_false (g_key_file_has_key (meta, "Checkpoint", "Note", NULL));
  g_clear_pointer (&meta, g_key_file_unref);
  g_clear_pointer (&label, g_free);

  sp_game_export_checkpoint_async (f->game, sp_checkpoint_get_id (c), out, SP_EXPORT_FLAGS_NONE,
                                   NULL, tc_store_result_cb, &r1);
  g_assert_true (sp_game_export_checkpoint_finish (f->game, tc_wait_for (&r1), &error));
  g_assert_no_error (error);
  assert_same_archive (c, &stamp);
  meta = exported_metadata (out);
  label = g_key_file_get_string (meta, "Checkpoint", "Label", NULL);
  note = g_key_file_get_string (meta, "Checkpoint", "Note", NULL);
  g_assert_cmpstr (label, ==, "Current label");
  g_assert_cmpstr (note, ==, text);
  /* The rest of the metadata is the packed one. */
  g_assert_cmpint (g_key_file_get_int64 (meta, "Checkpoint", "PlayTime", NULL), ==, 9);
  g_assert_true (g_key_file_has_key (meta, "Checkpoint", "Created", NULL));
  g_clear_pointer (&meta, g_key_file_unref);
  /* A well-formed archive with every entry, unlike the checkpoint's bytes. */
  g_assert_true (sp_archive_check (out, 0, NULL, &stats, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.files, ==, sp_checkpoint_get_files (c));
  g_assert_cmpuint (stats.bytes, ==, sp_checkpoint_get_bytes (c));
  g_assert_cmpstr (stats.sha256, !=, sp_checkpoint_get_sha256 (c));

  /* Export never overwrites, also on this path. */
  g_assert_false (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (c), out,
                                                  SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
  g_clear_error (&error);
  packed_sha = sp_file_sha256 (out, NULL, NULL, &error);
  g_assert_cmpstr (packed_sha, ==, stats.sha256);

  imported = sp_game_import_checkpoint_sync (f->game, out, SP_IMPORT_FLAGS_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_checkpoint_get_label (imported), ==, "Current label");
  g_assert_cmpstr (sp_checkpoint_get_note (imported), ==, text);
  g_assert_true (sp_checkpoint_unpack_to (imported, unpacked, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *a = tc_read (unpacked, "save/slot1.sav");
    g_autofree char *b = tc_read (unpacked, "save/slot1.bak");
    g_autofree char *ua = g_build_filename (unpacked, "save", "slot1.sav", NULL);
    g_autofree char *ub = g_build_filename (unpacked, "save", "slot1.bak", NULL);
    g_autofree char *ul = g_build_filename (unpacked, "latest", NULL);
    g_autofree char *ud = g_build_filename (unpacked, "empty-dir", NULL);

    g_assert_cmpstr (a, ==, "progress one");
    g_assert_cmpstr (b, ==, "progress one");
    g_assert_cmpint (stat (ua, &sa), ==, 0);
    g_assert_cmpint (stat (ub, &sb), ==, 0);
    g_assert_true (sa.st_ino == sb.st_ino);
    link_target = g_file_read_link (ul, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (link_target, ==, "save/slot1.sav");
    g_assert_true (g_file_test (ud, G_FILE_TEST_IS_DIR));
    g_assert_cmpint (stat (ud, &sa), ==, 0);
    g_assert_cmpint (sa.st_mode & 07777, ==, 0700);
  }

  /* Cleared: the copy carries no note. */
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, sp_checkpoint_get_id (imported), "", &error));
  g_assert_true (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (imported), out2,
                                                 SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);
  meta = exported_metadata (out2);
  g_assert_false (g_key_file_has_key (meta, "Checkpoint", "Note", NULL));
  g_free (stamp.sha256);
}

/* A damaged archive is not exported on the rewriting path either: the
 * same error as a plain copy, and nothing left behind. */
static void
test_note_export_damaged (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SpCheckpoint) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = g_build_filename (f->root, "exports", NULL);
  g_autofree char *out = g_build_filename (out_dir, "damaged.tar.zst", NULL);
  g_autofree char *noise = g_malloc (256 * 1024);
  off_t late;
  char byte;
  int fd;

  /* Data that does not compress, so the archive's end is file data. */
  for (gsize i = 0; i < 256 * 1024; i++)
    noise[i] = (char) g_random_int ();
  {
    g_autofree char *path = g_build_filename (f->upper, "noise.bin", NULL);
    g_assert_true (g_file_set_contents (path, noise, 256 * 1024, NULL));
  }
  c = create (f, "Noisy", 1);
  g_assert_true (sp_game_set_checkpoint_note_sync (f->game, sp_checkpoint_get_id (c), "rewrite me",
                                                   &error));
  g_assert_no_error (error);
  late = (off_t) sp_checkpoint_get_archive_size (c) - 4096;
  fd = open (sp_checkpoint_get_archive_path (c), O_RDWR);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &byte, 1, late), ==, 1);
  byte ^= 0x5a;
  g_assert_cmpint (pwrite (fd, &byte, 1, late), ==, 1);
  close (fd);

  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  g_assert_false (sp_game_export_checkpoint_sync (f->game, sp_checkpoint_get_id (c), out,
                                                  SP_EXPORT_FLAGS_NONE, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED);
  g_assert_cmpuint (tc_count_entries (out_dir), ==, 0);
}

/* An archive whose metadata has a note the .ini could not hold is not
 * imported, with the line that holds it. */
static void
test_note_import_hostile (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *archive = g_build_filename (f->root, "hostile.tar.zst", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s:%s:3:", archive, SP_ARCHIVE_METADATA_ENTRY);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCheckpoint) imported = NULL;

  g_assert_true (sp_archive_pack (f->upper,
                                  "[Checkpoint]\nCreated=2026-01-01T00:00:00Z\n"
                                  "Note=clears \033[2J the screen\n",
                                  archive, 0, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  imported = sp_game_import_checkpoint_sync (f->game, archive, SP_IMPORT_FLAGS_OTHER_GAME,
                                             NULL, NULL, &error);
  g_assert_null (imported);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected “%s…”, got “%s”", prefix, error->message);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (f->game)), ==, 0);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (f->game)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/checkpoint/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("create", test_create);
  ADD ("restore-delete-rename", test_restore_delete_rename);
  ADD ("export-import", test_export_import);
  ADD ("verify-damage", test_verify_damage);
  ADD ("unpack-checks-archive", test_unpack_checks_archive);
  ADD ("invisible-files", test_invisible_files);
  ADD ("create-cancelled", test_create_cancelled);
  ADD ("crash-safety", test_crash_safety);
  ADD ("async", test_async);
  ADD ("async-restore-delete-rename", test_async_restore_delete_rename);
  ADD ("async-save", test_async_save);
  ADD ("async-errors", test_async_errors);
  ADD ("async-main-loop-runs", test_async_main_loop_runs);
  ADD ("import-strict", test_import_strict);
  ADD ("import-other-game", test_import_other_game);
  ADD ("verify-entry-rules", test_verify_entry_rules);
  ADD ("game-uuid", test_game_uuid);
  ADD ("export-never-overwrites", test_export_never_overwrites);
  ADD ("export-exfat", test_export_exfat);
  ADD ("fifo-ini-refused", test_fifo_ini_refused);
  ADD ("bad-parent", test_bad_parent);
  ADD ("note", test_note);
  ADD ("note-hostile-ini", test_note_hostile_ini);
  ADD ("note-export-import", test_note_export_import);
  ADD ("note-import-hostile", test_note_import_hostile);
  ADD ("note-export-damaged", test_note_export_damaged);
#undef ADD
  return g_test_run ();
}
