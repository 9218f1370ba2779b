/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

static void
test_library_create_open (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autoptr(SpLibrary) again = NULL;
  g_autoptr(SpLibrary) direct = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_build_filename (drive, "Savepoint", NULL);
  g_autofree char *ini = NULL;
  g_autofree char *empty = tc_tmpdir ();

  g_assert_cmpstr (sp_library_get_path (library), ==, expected);
  g_assert_cmpstr (sp_library_get_name (library), ==, "Test Drive");
  g_assert_cmpuint (sp_library_get_version (library), ==, 1);
  g_assert_true (g_uuid_string_is_valid (sp_library_get_id (library)));
  g_assert_false (sp_library_get_read_only (library));
  g_assert_null (sp_library_get_warning (library));
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 0);
  g_assert_null (sp_library_get_problems (library)[0]);
  g_assert_true (g_file_test (sp_library_get_games_path (library), G_FILE_TEST_IS_DIR));

  ini = tc_read (expected, "library.ini");
  g_assert_nonnull (strstr (ini, "Version=1"));

  /* Both the drive and the Savepoint folder open it. */
  again = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_library_get_id (again), ==, sp_library_get_id (library));
  direct = sp_library_open (expected, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_library_get_path (direct), ==, expected);

  /* Creating twice is refused. */
  g_assert_null (sp_library_create_sync (drive, "Again", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
  g_clear_error (&error);

  /* No library there: the message names the path and the fix. */
  g_assert_null (sp_library_open (empty, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, empty));
  g_assert_nonnull (strstr (error->message, "init"));
  g_clear_error (&error);

  /* Renaming keeps unknown keys. */
  {
    g_autofree char *text = tc_read (expected, "library.ini");
    g_autofree char *more = g_strconcat ("# keep me\n", text, "FutureKey=1\n", NULL);
    tc_write (expected, "library.ini", more);
  }
  g_assert_true (sp_library_reload (library, &error));
  g_assert_no_error (error);
  g_assert_true (sp_library_set_name (library, "Renamed", &error));
  g_assert_no_error (error);
  reopened = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_library_get_name (reopened), ==, "Renamed");
  g_clear_pointer (&ini, g_free);
  ini = tc_read (expected, "library.ini");
  g_assert_nonnull (strstr (ini, "FutureKey=1"));
  g_assert_nonnull (strstr (ini, "# keep me"));

  tc_rmtree (drive);
  tc_rmtree (empty);
}

static void
assert_open_fails (const char *drive,
                   const char *contents,
                   guint       line)
{
  g_autofree char *dir = g_build_filename (drive, "Savepoint", NULL);
  g_autofree char *ini = g_build_filename (dir, "library.ini", NULL);
  g_autofree char *prefix = line ? g_strdup_printf ("%s:%u: ", ini, line) : g_strdup (ini);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;

  tc_write (dir, "library.ini", contents);
  library = sp_library_open (drive, &error);
  g_assert_null (library);
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected “%s…”, got “%s”", prefix, error->message);
}

static void
test_library_create_async (void)
{
  g_autofree char *drive = tc_tmpdir ();
  g_autofree char *expected = g_build_filename (drive, "Savepoint", NULL);
  g_autofree char *missing = g_build_filename (drive, "not-there", NULL);
  g_autofree char *ini = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autoptr(GError) error = NULL;

  sp_library_create_async (drive, "Async Drive", NULL, tc_store_result_cb, &r1);
  g_assert_null (r1);
  library = sp_library_create_finish (tc_wait_for (&r1), &error);
  g_assert_no_error (error);
  g_assert_nonnull (library);
  g_assert_cmpstr (sp_library_get_path (library), ==, expected);
  g_assert_cmpstr (sp_library_get_name (library), ==, "Async Drive");
  g_assert_true (g_uuid_string_is_valid (sp_library_get_id (library)));
  g_assert_true (g_file_test (sp_library_get_games_path (library), G_FILE_TEST_IS_DIR));
  ini = tc_read (expected, "library.ini");
  g_assert_nonnull (strstr (ini, "Version=1"));
  reopened = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_library_get_id (reopened), ==, sp_library_get_id (library));

  /* Errors come through the task, and nothing is changed. */
  sp_library_create_async (drive, "Again", NULL, tc_store_result_cb, &r2);
  g_assert_null (sp_library_create_finish (tc_wait_for (&r2), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_EXISTS);
  g_clear_error (&error);
  g_clear_pointer (&ini, g_free);
  ini = tc_read (expected, "library.ini");
  g_assert_nonnull (strstr (ini, "Async Drive"));
  sp_library_create_async (missing, "Nowhere", NULL, tc_store_result_cb, &r3);
  g_assert_null (sp_library_create_finish (tc_wait_for (&r3), &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  tc_rmtree (drive);
}

static void
test_library_malformed (void)
{
  g_autofree char *drive = tc_tmpdir ();

  assert_open_fails (drive, "[Library]\nVersion=1\nthis is not a key\nId=x\n", 3);
  assert_open_fails (drive, "[Library]\nVersion=one\nId=x\n", 2);
  assert_open_fails (drive, "[Library]\nVersion=0\nId=x\n", 2);
  assert_open_fails (drive, "[Library]\nId=x\n", 1);
  assert_open_fails (drive, "[Library]\nVersion=1\n", 1);
  assert_open_fails (drive, "[Other]\nVersion=1\n", 0);
  tc_rmtree (drive);
}

static void
test_library_newer_version (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Old Game");
  g_autofree char *lib_dir = g_strdup (sp_library_get_path (library));
  g_autofree char *game_ini_before = tc_read (sp_game_get_path (game), "game.ini");
  g_autofree char *lib_ini = NULL;
  g_autofree char *lib_ini_after = NULL;
  g_autofree char *game_ini_after = NULL;
  g_autofree char *upper = g_build_filename (src_root, "upper", NULL);
  g_autoptr(SpLibrary) ro = NULL;
  g_autoptr(GError) error = NULL;
  SpGameInfo info = { .name = "New", .executable = "x" };
  SpGame *ro_game;

  {
    g_autofree char *text = tc_read (lib_dir, "library.ini");
    g_auto(GStrv) parts = g_strsplit (text, "Version=1", 2);
    g_autofree char *newer = g_strjoinv ("Version=2", parts);
    tc_write (lib_dir, "library.ini", newer);
  }
  lib_ini = tc_read (lib_dir, "library.ini");
  tc_write (upper, "save.dat", "progress");

  ro = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_true (sp_library_get_read_only (ro));
  g_assert_cmpuint (sp_library_get_version (ro), ==, 2);
  g_assert_nonnull (sp_library_get_warning (ro));
  g_assert_nonnull (strstr (sp_library_get_warning (ro), lib_dir));
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (ro)), ==, 1);
  ro_game = sp_library_find_game (ro, "old-game");
  g_assert_nonnull (ro_game);
  g_assert_true (sp_game_get_read_only (ro_game));

  /* Every mutation is refused with READ_ONLY. */
  g_assert_false (sp_library_set_name (ro, "x", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, lib_dir));
  g_clear_error (&error);
  g_assert_null (sp_library_add_game_sync (ro, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (sp_library_remove_game (ro, ro_game, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  sp_game_set_name (ro_game, "Changed");
  g_assert_false (sp_game_save_sync (ro_game, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_null (sp_game_create_checkpoint_sync (ro_game, upper, "x", 1, TRUE, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (sp_game_restore_sync (ro_game, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (sp_game_delete_checkpoint_sync (ro_game, "x", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (sp_game_rename_checkpoint_sync (ro_game, "x", "y", &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_null (sp_game_import_checkpoint_sync (ro_game, source, SP_IMPORT_FLAGS_NONE, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* Nothing on the drive changed. */
  lib_ini_after = tc_read (lib_dir, "library.ini");
  g_assert_cmpstr (lib_ini_after, ==, lib_ini);
  game_ini_after = tc_read (sp_game_get_path (game), "game.ini");
  g_assert_cmpstr (game_ini_after, ==, game_ini_before);
  g_assert_cmpuint (tc_count_entries (sp_game_get_checkpoints_path (game)), ==, 0);
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (ro)), ==, 1);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* A source tree with everything a copy must keep. */
static char *
make_rich_source (const char *root,
                  gboolean   *out_xattrs)
{
  g_autofree char *dir = g_build_filename (root, "rich", NULL);
  g_autofree char *f = NULL;
  struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 123456789 } };

  tc_write (dir, "bin/game", "#!/bin/sh\necho game\n");
  tc_write (dir, "data/a.dat", "AAAA");
  tc_write (dir, "data/private.dat", "secret");
  tc_write (dir, "ro/inside.txt", "read-only folder");
  f = g_build_filename (dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (f, 0700), ==, 0);
  g_clear_pointer (&f, g_free);

  f = g_build_filename (dir, "bin/game", NULL);
  g_assert_cmpint (chmod (f, 0755), ==, 0);
  g_clear_pointer (&f, g_free);
  f = g_build_filename (dir, "data/private.dat", NULL);
  g_assert_cmpint (chmod (f, 0600), ==, 0);
  g_assert_cmpint (utimensat (AT_FDCWD, f, times, 0), ==, 0);
  *out_xattrs = setxattr (f, "user.savepoint.test", "value", 5, 0) == 0;
  g_clear_pointer (&f, g_free);
  {
    g_autofree char *a = g_build_filename (dir, "data/a.dat", NULL);
    g_autofree char *b = g_build_filename (dir, "data/hardlink.dat", NULL);
    g_autofree char *l = g_build_filename (dir, "data/link", NULL);
    g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
    g_assert_cmpint (link (a, b), ==, 0);
    g_assert_cmpint (symlink ("a.dat", l), ==, 0);
    g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  }
  f = g_build_filename (dir, "data", NULL);
  g_assert_cmpint (utimensat (AT_FDCWD, f, times, 0), ==, 0);
  g_clear_pointer (&f, g_free);
  f = g_build_filename (dir, "ro", NULL);
  g_assert_cmpint (chmod (f, 0555), ==, 0);
  g_clear_pointer (&f, g_free);
  return g_steal_pointer (&dir);
}

typedef struct
{
  guint64  last_bytes;
  guint64  last_files;
  guint64  bytes_total;
  guint64  files_total;
  guint    calls;
  guint64  cancel_after;
  GCancellable *cancellable;
  GThread *thread;
} Progress;

static void
progress_cb (guint64  bytes_done,
             guint64  bytes_total,
             guint64  files_done,
             guint64  files_total,
             gpointer user_data)
{
  Progress *p = user_data;

  if (p->thread != NULL)
    g_assert_true (g_thread_self () == p->thread);
  g_assert_cmpuint (bytes_done, >=, p->last_bytes);
  g_assert_cmpuint (files_done, >=, p->last_files);
  g_assert_cmpuint (bytes_done, <=, bytes_total);
  g_assert_cmpuint (files_done, <=, files_total);
  p->last_bytes = bytes_done;
  p->last_files = files_done;
  p->bytes_total = bytes_total;
  p->files_total = files_total;
  p->calls++;
  if (p->cancellable && bytes_done >= p->cancel_after)
    g_cancellable_cancel (p->cancellable);
}

static void
test_library_add_copy (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  gboolean xattrs = FALSE;
  g_autofree char *source = make_rich_source (src_root, &xattrs);
  const char *args[] = { "--fullscreen", "a;b", NULL };
  const char *env[] = { "FOO=1", "BAR=x y", NULL };
  SpGameInfo info = {
    .name = "Ōkami HD", .kind = SP_GAME_KIND_WINE, .executable = "bin/game",
    .arguments = args, .working_directory = "bin", .environment = env,
    .runner = "wine64", .icon = "okami.png",
  };
  Progress progress = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  struct stat st, st2;
  const char *base;

  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY,
                                   progress_cb, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (game);
  g_assert_cmpstr (sp_game_get_slug (game), ==, "okami-hd");
  g_assert_cmpstr (sp_game_get_name (game), ==, "Ōkami HD");
  g_assert_cmpint (sp_game_get_kind (game), ==, SP_GAME_KIND_WINE);
  g_assert_cmpstrv (sp_game_get_arguments (game), args);
  g_assert_cmpstrv (sp_game_get_environment (game), env);
  g_assert_cmpstr (sp_game_get_runner (game), ==, "wine64");
  g_assert_cmpstr (sp_game_get_working_directory (game), ==, "bin");
  g_assert_cmpstr (sp_game_get_icon (game), ==, "okami.png");
  g_assert_null (sp_game_get_home (game));
  g_assert_null (sp_game_get_head (game));

  /* Progress was reported and ended at the totals. */
  g_assert_cmpuint (progress.calls, >, 0);
  g_assert_cmpuint (progress.last_bytes, ==, progress.bytes_total);
  g_assert_cmpuint (progress.last_files, ==, progress.files_total);
  g_assert_cmpuint (progress.bytes_total, ==, strlen ("#!/bin/sh\necho game\n") + 4 + 6 +
                    strlen ("read-only folder"));

  /* Only the game folder, no temporary left. */
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 1);
  g_assert_true (sp_library_find_game (library, "okami-hd") == game);
  g_assert_true (sp_library_find_game (library, "ōKAMI hd") == game);
  g_assert_null (sp_library_find_game (library, "nothing"));

  base = sp_game_get_base_path (game);
  {
    g_autofree char *p = g_build_filename (base, "bin/game", NULL);
    g_assert_cmpint (lstat (p, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  }
  {
    g_autofree char *p = g_build_filename (base, "data/private.dat", NULL);
    g_autofree char *c = tc_read (base, "data/private.dat");
    char value[16] = { 0 };
    g_assert_cmpstr (c, ==, "secret");
    g_assert_cmpint (lstat (p, &st), ==, 0);
    /* Readable by whoever plays (a+rX), other bits kept. */
    g_assert_cmpint (st.st_mode & 07777, ==, 0644);
    g_assert_cmpint (st.st_mtim.tv_sec, ==, 1234567890);
    g_assert_cmpint (st.st_mtim.tv_nsec, ==, 123456789);
    if (xattrs)
      {
        g_assert_cmpint (lgetxattr (p, "user.savepoint.test", value, sizeof value), ==, 5);
        g_assert_cmpstr (value, ==, "value");
      }
    else
      g_test_message ("no user xattrs on the temporary folder's file system");
  }
  {
    g_autofree char *a = g_build_filename (base, "data/a.dat", NULL);
    g_autofree char *b = g_build_filename (base, "data/hardlink.dat", NULL);
    g_autofree char *l = g_build_filename (base, "data/link", NULL);
    g_autofree char *target = g_file_read_link (l, NULL);
    g_autofree char *fifo = g_build_filename (base, "fifo", NULL);
    g_assert_cmpint (lstat (a, &st), ==, 0);
    g_assert_cmpint (lstat (b, &st2), ==, 0);
    g_assert_cmpuint (st.st_ino, ==, st2.st_ino);
    g_assert_cmpuint (st.st_nlink, ==, 2);
    g_assert_cmpstr (target, ==, "a.dat");
    g_assert_cmpint (lstat (fifo, &st), ==, 0);
    g_assert_true (S_ISFIFO (st.st_mode));
  }
  {
    g_autofree char *d = g_build_filename (base, "data", NULL);
    g_autofree char *ro = g_build_filename (base, "ro", NULL);
    g_autofree char *e = g_build_filename (base, "empty", NULL);
    g_assert_cmpint (lstat (d, &st), ==, 0);
    g_assert_cmpint (st.st_mtim.tv_sec, ==, 1234567890);
    g_assert_cmpint (lstat (ro, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0555);
    g_assert_cmpint (lstat (e, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  }
  /* The source is untouched, its modes too. */
  g_assert_true (g_file_test (source, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *p = g_build_filename (source, "data/private.dat", NULL);
    g_autofree char *e = g_build_filename (source, "empty", NULL);

    g_assert_cmpint (lstat (p, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0600);
    g_assert_cmpint (lstat (e, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  }

  /* It is there after reopening. */
  reopened = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (reopened)), ==, 1);
  g_assert_nonnull (sp_library_find_game (reopened, "Ōkami HD"));
  g_assert_cmpstrv (sp_game_get_arguments (sp_library_find_game (reopened, "okami-hd")), args);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

static void
test_library_add_cancel (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_big_source (src_root);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Progress progress = { .cancellable = cancellable, .cancel_after = 7 * 1024 * 1024 };
  SpGameInfo info = { .name = "Big Game", .executable = "file0.bin" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpLibrary) reopened = NULL;
  g_autofree char *slug = NULL;

  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY,
                                   progress_cb, &progress, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (game);
  /* It was cancelled mid-copy, not before or after. */
  g_assert_cmpuint (progress.last_bytes, >=, 7 * 1024 * 1024);
  g_assert_cmpuint (progress.last_bytes, <, progress.bytes_total);

  /* Nothing is left: no folder, no temporary, nothing listed, slug free. */
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 0);
  slug = sp_library_suggest_slug (library, "Big Game");
  g_assert_cmpstr (slug, ==, "big-game");
  reopened = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (reopened)), ==, 0);
  g_assert_null (sp_library_get_problems (reopened)[0]);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

typedef struct
{
  GMainLoop *loop;
  SpGame    *game;
  GError    *error;
  Progress  *progress;
} AsyncResult;

static void
add_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  /* The final progress arrived before the result. */
  if (r->progress->cancellable == NULL)
    g_assert_cmpuint (r->progress->last_bytes, ==, r->progress->bytes_total);
  r->game = sp_library_add_game_finish (SP_LIBRARY (source), result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_library_add_async (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_big_source (src_root);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SpGameInfo info = { .name = "Async Game", .executable = "file0.bin" };
  Progress progress = { .thread = g_thread_self () };
  AsyncResult r = { .loop = loop, .progress = &progress };

  /* A successful copy: progress arrives in this (the main) thread. */
  sp_library_add_game_async (library, &info, source, SP_ADD_MODE_COPY, progress_cb, &progress,
                             NULL, NULL, add_done_cb, &r);
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.game);
  g_assert_cmpuint (progress.calls, >, 0);
  g_assert_cmpuint (progress.bytes_total, ==, 4 * 6 * 1024 * 1024);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 1);
  g_clear_object (&r.game);

  /* A cancelled one leaves nothing. */
  memset (&progress, 0, sizeof progress);
  progress.thread = g_thread_self ();
  progress.cancellable = cancellable;
  progress.cancel_after = 1;
  sp_library_add_game_async (library, &info, source, SP_ADD_MODE_COPY, progress_cb, &progress,
                             NULL, cancellable, add_done_cb, &r);
  g_main_loop_run (loop);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r.game);
  g_clear_error (&r.error);
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 1);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

static void
test_library_adopt (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *source = tc_make_source (drive, "Games/My Game");
  g_autofree char *exe = g_build_filename (source, "game.exe", NULL);
  SpGameInfo info = { .name = "My Game", .executable = "game.exe" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  struct stat before, after;

  g_assert_cmpint (lstat (exe, &before), ==, 0);
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_ADOPT,
                                   NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (game);
  g_assert_false (g_file_test (source, G_FILE_TEST_EXISTS));
  {
    g_autofree char *moved = g_build_filename (sp_game_get_base_path (game), "game.exe", NULL);
    g_assert_cmpint (lstat (moved, &after), ==, 0);
    /* Moved, not copied. */
    g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  }

  /* A folder overlapping the library cannot be adopted or copied. */
  g_assert_null (sp_library_add_game_sync (library, &info, sp_game_get_base_path (game),
                                           SP_ADD_MODE_ADOPT, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sp_library_add_game_sync (library, &info, drive, SP_ADD_MODE_COPY,
                                           NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 1);

  /* Another file system: refused (when /dev/shm is one). */
  {
    struct stat shm, here;
    if (stat ("/dev/shm", &shm) == 0 && stat (drive, &here) == 0 && shm.st_dev != here.st_dev &&
        access ("/dev/shm", W_OK) == 0)
      {
        g_autofree char *src = tc_make_source ("/dev/shm", "sp-test-adopt");
        g_assert_null (sp_library_add_game_sync (library, &info, src, SP_ADD_MODE_ADOPT,
                                                 NULL, NULL, NULL, &error));
        g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
        g_assert_nonnull (strstr (error->message, "Copy it instead"));
        g_clear_error (&error);
        g_assert_true (g_file_test (src, G_FILE_TEST_IS_DIR));
        tc_rmtree (src);
      }
    else
      g_test_message ("no second file system to test adopting across");
  }

  tc_rmtree (drive);
}

static void
test_library_slugs_and_sorting (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) a = tc_add_game (library, source, "Doom");
  g_autoptr(SpGame) b = tc_add_game (library, source, "DOOM");
  g_autoptr(SpGame) c = tc_add_game (library, source, "..");
  g_autoptr(SpGame) d = tc_add_game (library, source, "Abe's Oddysee");
  GListModel *games = sp_library_get_games (library);
  g_autoptr(SpGame) first = NULL;
  g_autoptr(SpGame) last = NULL;

  g_assert_cmpstr (sp_game_get_slug (a), ==, "doom");
  g_assert_cmpstr (sp_game_get_slug (b), ==, "doom-2");
  g_assert_cmpstr (sp_game_get_slug (c), ==, "game");
  g_assert_cmpstr (sp_game_get_slug (d), ==, "abe-s-oddysee");
  g_assert_cmpuint (g_list_model_get_n_items (games), ==, 4);
  first = g_list_model_get_item (games, 0);
  last = g_list_model_get_item (games, 3);
  g_assert_true (first == c);  /* ".." sorts before letters */
  g_assert_true (last == b || last == a);

  /* Renaming a game keeps the list sorted. */
  sp_game_set_name (c, "Zork");
  {
    g_autoptr(SpGame) now_last = g_list_model_get_item (games, 3);
    g_autoptr(SpGame) now_first = g_list_model_get_item (games, 0);
    g_assert_true (now_last == c);
    g_assert_true (now_first == d);
  }

  /* Removing frees the slug and leaves no trace. */
  g_assert_true (sp_library_remove_game (library, a, NULL, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (games), ==, 3);
  g_assert_cmpuint (tc_count_entries (sp_library_get_games_path (library)), ==, 3);
  {
    g_autofree char *slug = sp_library_suggest_slug (library, "Doom");
    g_assert_cmpstr (slug, ==, "doom");
  }

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

static void
test_library_problems (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) good = tc_add_game (library, source, "Good");
  g_autofree char *games = g_strdup (sp_library_get_games_path (library));
  g_autofree char *bad_dir = g_build_filename (games, "bad", NULL);
  g_autofree char *partial = g_build_filename (games, ".x.partial-abcdef", NULL);
  g_autofree char *expected = g_strdup_printf ("%s/game.ini:2:", bad_dir);
  g_autoptr(GError) error = NULL;
  SpGameInfo empty_name = { .name = "", .executable = "x" };
  SpGameInfo no_exe = { .name = "No exe" };
  SpGameInfo ok = { .name = "Fine", .executable = "x" };
  const char * const *problems;

  tc_write (bad_dir, "game.ini", "[Game]\nKind=dos\nName=Bad\n");
  g_assert_cmpint (g_mkdir (partial, 0755), ==, 0);
  tc_write (games, "no-ini/base/file", "x");

  g_assert_true (sp_library_reload (library, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 1);
  problems = sp_library_get_problems (library);
  g_assert_cmpuint (g_strv_length ((char **) problems), ==, 2);
  g_assert_true (g_str_has_prefix (problems[0], expected) ||
                 g_str_has_prefix (problems[1], expected));

  /* Bad input to add_game is refused before anything is written. */
  g_assert_null (sp_library_add_game_sync (library, &empty_name, source, SP_ADD_MODE_COPY,
                                           NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sp_library_add_game_sync (library, &no_exe, source, SP_ADD_MODE_COPY,
                                           NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sp_library_add_game_sync (library, &ok, "/nonexistent/sp-test", SP_ADD_MODE_COPY,
                                           NULL, NULL, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "/nonexistent/sp-test"));
  g_clear_error (&error);
  g_assert_cmpuint (tc_count_entries (games), ==, 4);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* A writer adding games is killed at varying points: the library still
 * opens and lists only complete games. */
static void
test_library_add_crash (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_big_source (src_root);

  g_clear_object (&library);
  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(SpLibrary) reopened = NULL;
      g_autoptr(GError) error = NULL;
      GListModel *games;
      int status = 0;
      pid_t pid = fork ();

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          g_autoptr(SpLibrary) child = sp_library_open (drive, NULL);
          SpGameInfo info = { .name = "Crash Game", .executable = "file0.bin" };

          if (child == NULL)
            _exit (2);
          for (;;)
            {
              g_autoptr(SpGame) game = sp_library_add_game_sync (child, &info, source,
                                                                 SP_ADD_MODE_COPY, NULL, NULL,
                                                                 NULL, NULL);
              if (game == NULL)
                _exit (3);
            }
        }
      g_usleep (3000 + round * 9973);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      reopened = sp_library_open (drive, &error);
      g_assert_no_error (error);
      games = sp_library_get_games (reopened);
      for (guint i = 0; i < g_list_model_get_n_items (games); i++)
        {
          g_autoptr(SpGame) game = g_list_model_get_item (games, i);
          g_autofree char *exe = g_build_filename (sp_game_get_base_path (game), "file0.bin", NULL);
          struct stat st;

          g_assert_cmpstr (sp_game_get_name (game), ==, "Crash Game");
          /* A listed game is complete: all four files at full size. */
          g_assert_cmpuint (tc_count_entries (sp_game_get_base_path (game)), ==, 4);
          g_assert_cmpint (stat (exe, &st), ==, 0);
          g_assert_cmpint (st.st_size, ==, 6 * 1024 * 1024);
        }
      g_test_message ("round %u: %u games", round, g_list_model_get_n_items (games));
    }

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* ---- Deleting only our own runs, leftovers ---- */

/* A "home" folder that must survive: victim/<name>/keep.txt. */
static char *
make_victim (const char *root,
             const char *name)
{
  char *dir = g_build_filename (root, name, NULL);

  tc_write (dir, "keep.txt", "the user's file");
  tc_write (dir, "sub/also.txt", "another one");
  return dir;
}

static void
assert_victim_intact (const char *dir)
{
  g_autofree char *a = tc_read (dir, "keep.txt");
  g_autofree char *b = tc_read (dir, "sub/also.txt");

  g_assert_cmpstr (a, ==, "the user's file");
  g_assert_cmpstr (b, ==, "another one");
}

/* Runs in a temporary runs folder; returns a new run of library @lib. */
static SpRun *
make_run (const char *lib,
          const char *slug)
{
  g_autoptr(GError) error = NULL;
  SpRun *run = sp_run_create (lib, "/nowhere", slug, "Game", NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (run);
  g_assert_cmpint (g_mkdir (sp_run_get_upper_path (run), 0755), ==, 0);
  g_assert_true (g_uuid_string_is_valid (sp_run_get_id (run)));
  return run;
}

#define LIB_ID "0d6f7a52-3c55-4c8e-a0f4-6b1f0b0e7a11"

/* Discard removes the run, never what a symlink inside it points to. */
static void
test_run_discard_symlinks_inside (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *runs = g_build_filename (root, "runs", NULL);
  g_autofree char *victim = make_victim (root, "home");
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GError) error = NULL;

  sp_runs_set_dir (runs);
  run = make_run (LIB_ID, "game");
  {
    g_autofree char *l1 = g_build_filename (sp_run_get_upper_path (run), "outside", NULL);
    g_autofree char *l2 = g_build_filename (sp_run_get_upper_path (run), "file-link", NULL);
    g_autofree char *f = g_build_filename (victim, "keep.txt", NULL);

    g_assert_cmpint (symlink (victim, l1), ==, 0);
    g_assert_cmpint (symlink (f, l2), ==, 0);
  }
  g_assert_true (sp_run_discard_sync (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (sp_run_get_path (run), G_FILE_TEST_EXISTS));
  assert_victim_intact (victim);

  sp_runs_set_dir (NULL);
  tc_rmtree (root);
}

/* runs/<library> replaced by a symlink to the user's home, which holds a
 * folder named like the game with a copy of run.ini: discard must refuse
 * (before: it deleted ~/<slug>). The run folder itself a symlink: refused. */
static void
test_run_discard_symlinked_run_dir (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *runs = g_build_filename (root, "runs", NULL);
  g_autofree char *home = g_build_filename (root, "home", NULL);
  g_autofree char *victim = make_victim (home, "documents");
  g_autofree char *lib_dir = g_build_filename (runs, LIB_ID, NULL);
  g_autoptr(SpRun) run = NULL;
  g_autoptr(SpRun) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;

  sp_runs_set_dir (runs);
  run = make_run (LIB_ID, "documents");
  ini = tc_read (sp_run_get_path (run), "run.ini");
  tc_write (victim, "run.ini", ini);

  /* runs/<lib> → home */
  {
    g_autofree char *moved = g_build_filename (root, "moved-lib", NULL);
    g_assert_cmpint (rename (lib_dir, moved), ==, 0);
    g_assert_cmpint (symlink (home, lib_dir), ==, 0);
  }
  loaded = sp_run_load (sp_run_get_path (run), &error);
  g_assert_no_error (error);
  g_assert_false (sp_run_discard_sync (loaded, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_assert_nonnull (strstr (error->message, LIB_ID));
  g_clear_error (&error);
  assert_victim_intact (victim);

  /* runs/<lib>/<slug> → home/documents */
  g_assert_cmpint (unlink (lib_dir), ==, 0);
  g_assert_cmpint (g_mkdir (lib_dir, 0700), ==, 0);
  {
    g_autofree char *slug_dir = g_build_filename (lib_dir, "documents", NULL);
    g_assert_cmpint (symlink (victim, slug_dir), ==, 0);
  }
  g_clear_object (&loaded);
  loaded = sp_run_load (sp_run_get_path (run), &error);
  g_assert_no_error (error);
  g_assert_false (sp_run_discard_sync (loaded, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_victim_intact (victim);

  sp_runs_set_dir (NULL);
  tc_rmtree (root);
}

/* A run folder whose run.ini is not this run's (another Id) or missing is
 * not removed. */
static void
test_run_discard_needs_own_run_ini (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *runs = g_build_filename (root, "runs", NULL);
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *other = NULL;

  sp_runs_set_dir (runs);
  run = make_run (LIB_ID, "game");
  ini_path = g_build_filename (sp_run_get_path (run), "run.ini", NULL);
  ini = tc_read (sp_run_get_path (run), "run.ini");
  {
    g_autofree char *old_id = g_strdup_printf ("Id=%s", sp_run_get_id (run));
    g_autofree char *new_id = g_strdup_printf ("Id=%s", "11111111-2222-4333-8444-555555555555");
    g_auto(GStrv) parts = g_strsplit (ini, old_id, 2);

    other = g_strjoinv (new_id, parts);
  }
  g_assert_true (g_file_set_contents (ini_path, other, -1, NULL));
  g_assert_false (sp_run_discard_sync (run, NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_clear_error (&error);
  g_assert_cmpint (unlink (ini_path), ==, 0);
  g_assert_false (sp_run_discard_sync (run, NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_clear_error (&error);
  g_assert_true (g_file_test (sp_run_get_upper_path (run), G_FILE_TEST_IS_DIR));

  /* A crafted run.ini with a run Id that is no UUID does not load. */
  tc_write (sp_run_get_path (run), "run.ini",
            "[Run]\nId=../../x\nLibrary=" LIB_ID "\nGame=game\n");
  g_assert_null (sp_run_load (sp_run_get_path (run), &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED);
  g_clear_error (&error);

  sp_runs_set_dir (NULL);
  tc_rmtree (root);
}

/* A bind mount of the user's folder inside upper/ (same file system, so
 * st_dev does not change): discard stops and deletes nothing of it. */
static void
test_run_discard_bind_mount (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *runs = g_build_filename (root, "runs", NULL);
  g_autofree char *victim = make_victim (root, "home");
  g_autofree char *point = NULL;
  g_autoptr(SpRun) run = NULL;
  g_autoptr(GError) error = NULL;

  sp_runs_set_dir (runs);
  run = make_run (LIB_ID, "game");
  point = g_build_filename (sp_run_get_upper_path (run), "bound", NULL);
  g_assert_cmpint (g_mkdir (point, 0755), ==, 0);
  if (mount (victim, point, NULL, MS_BIND, NULL) != 0)
    {
      g_test_skip ("bind mounts are not permitted here");
      sp_runs_set_dir (NULL);
      tc_rmtree (root);
      return;
    }
  g_assert_false (sp_run_discard_sync (run, NULL, &error));
  assert_victim_intact (victim);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "bound"));
  g_clear_error (&error);
  g_assert_cmpint (umount2 (point, MNT_DETACH), ==, 0);
  assert_victim_intact (victim);

  /* Unmounted, the run goes. */
  g_assert_true (sp_run_discard_sync (run, NULL, &error));
  g_assert_no_error (error);
  assert_victim_intact (victim);

  sp_runs_set_dir (NULL);
  tc_rmtree (root);
}

static guint
count_partials (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (strstr (name, ".partial") != NULL || g_str_has_suffix (name, ".owner"))
      n++;
  return n;
}

static guint kill_after;
static guint kill_calls;

static void
kill_copy_progress_cb (guint64  bytes_done,
                       guint64  bytes_total,
                       guint64  files_done,
                       guint64  files_total,
                       gpointer user_data)
{
  if (++kill_calls >= kill_after)
    raise (SIGKILL);
}

static void
kill_pack_progress_cb (guint64  done,
                       guint64  total,
                       gpointer user_data)
{
  if (++kill_calls >= kill_after)
    raise (SIGKILL);
}

/* A copy (and a source that is never touched) killed at the Nth progress
 * report, 20 times: reopening leaves no .partial and the source intact. */
static void
test_leftovers_kill_add_copy (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autofree char *games = g_strdup (sp_library_get_games_path (library));

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%02u.bin", i);
      g_autofree char *data = g_strnfill (64 * 1024 + i, 'a' + (i % 26));
      tc_write (source, name, data);
    }
  g_clear_object (&library);

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(SpLibrary) reopened = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;
      pid_t pid = fork ();

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          g_autoptr(SpLibrary) child = sp_library_open (drive, NULL);
          SpGameInfo info = { .name = "Copy Game", .executable = "game.exe" };

          kill_after = 1 + round * 2;
          sp_library_add_game_sync (child, &info, source, SP_ADD_MODE_COPY,
                                    kill_copy_progress_cb, NULL, NULL, NULL);
          _exit (0);
        }
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpuint (count_partials (games), >=, 1);

      reopened = sp_library_open (drive, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count_partials (games), ==, 0);
      g_assert_cmpuint (tc_count_entries (games), ==, 0);
      g_assert_null (sp_library_get_problems (reopened)[0]);
      g_assert_cmpuint (tc_count_entries (source), ==, 42);
    }

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* Adopting, killed at 20 varied moments (from right after fork to after
 * the game is complete): reopening leaves no .partial, and the adopted
 * folder is either the game's base/ or back at its path, never lost. */
static void
test_leftovers_kill_add_adopt (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *games = g_strdup (sp_library_get_games_path (library));
  g_autofree char *source = g_build_filename (drive, "adopt-me", NULL);
  guint moved_back = 0, complete = 0, interrupted = 0;

  g_clear_object (&library);
  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(SpLibrary) reopened = NULL;
      g_autoptr(GError) error = NULL;
      GListModel *list;
      int status = 0;
      int ready[2];
      char c;
      pid_t pid;

      tc_write (source, "game.exe", "MZ adopted");
      tc_write (source, "data/save.dat", "mine");
      g_assert_cmpint (pipe (ready), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          g_autoptr(SpLibrary) child = sp_library_open (drive, NULL);
          SpGameInfo info = { .name = "Adopted", .executable = "game.exe" };

          close (ready[0]);
          if (write (ready[1], "x", 1) != 1)
            _exit (2);
          sp_library_add_game_sync (child, &info, source, SP_ADD_MODE_ADOPT,
                                    NULL, NULL, NULL, NULL);
          /* Done: wait to be killed like the others. */
          for (;;)
            pause ();
        }
      close (ready[1]);
      g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
      close (ready[0]);
      /* Vary the moment of the kill; only the outcome is checked. */
      g_usleep (round * round * 60);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      if (count_partials (games) > 0)
        interrupted++;

      reopened = sp_library_open (drive, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count_partials (games), ==, 0);
      list = sp_library_get_games (reopened);
      if (g_list_model_get_n_items (list) == 1)
        {
          g_autoptr(SpGame) game = g_list_model_get_item (list, 0);
          g_autofree char *save = tc_read (sp_game_get_base_path (game), "data/save.dat");

          g_assert_cmpstr (save, ==, "mine");
          g_assert_false (g_file_test (source, G_FILE_TEST_EXISTS));
          g_assert_true (sp_library_remove_game (reopened, game, NULL, &error));
          g_assert_no_error (error);
          complete++;
        }
      else
        {
          g_autofree char *save = tc_read (source, "data/save.dat");

          g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
          g_assert_cmpstr (save, ==, "mine");
          tc_rmtree (source);
          moved_back++;
        }
      g_assert_cmpuint (tc_count_entries (games), ==, 0);
    }
  g_test_message ("adopt killed: %u complete, %u back in place, %u left a .partial", complete,
                  moved_back, interrupted);

  tc_rmtree (drive);
}

/* The exact state a kill right after adopt's rename leaves (marker, then
 * the user's folder in base/), made with the same functions add uses by a
 * process that then exits: reopening moves the folder back. The same from
 * another host is reported and left alone. */
static void
test_leftovers_adopt_moved_back (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *games = g_strdup (sp_library_get_games_path (library));
  g_autofree char *source = g_build_filename (drive, "my-game", NULL);
  g_autoptr(GError) error = NULL;
  const char * const *problems;
  int status;
  pid_t pid;

  tc_write (source, "save/slot1", "progress");
  g_clear_object (&library);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *tmp = sp_leftover_dir_template (games, "my-game");
      g_autofree char *base = NULL;

      if (g_mkdtemp_full (tmp, 0755) == NULL ||
          !sp_leftover_write_marker (tmp, TRUE, SP_LEFTOVER_KIND_ADOPT, source, NULL))
        _exit (2);
      base = g_build_filename (tmp, "base", NULL);
      _exit (rename (source, base) == 0 ? 0 : 3);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_false (g_file_test (source, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_partials (games), ==, 1);

  library = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_partials (games), ==, 0);
  {
    g_autofree char *save = tc_read (source, "save/slot1");
    g_assert_cmpstr (save, ==, "progress");
  }

  /* From another computer: reported, untouched. */
  {
    g_autofree char *tmp = g_build_filename (games, ".my-game.partial-0badc0de-77-AbCdEf", NULL);
    g_autofree char *base = g_build_filename (tmp, "base", NULL);

    g_assert_cmpint (g_mkdir (tmp, 0755), ==, 0);
    tc_write (tmp, ".savepoint-leftover",
              "[Leftover]\nHost=another-computer\nBootId=0badc0de\nPid=77\nPidStart=1\n"
              "Kind=adopt\nOriginalPath=/somewhere/else\n");
    g_assert_cmpint (rename (source, base), ==, 0);
    g_clear_object (&library);
    library = sp_library_open (drive, &error);
    g_assert_no_error (error);
    g_assert_true (g_file_test (base, G_FILE_TEST_IS_DIR));
    problems = sp_library_get_problems (library);
    g_assert_nonnull (problems[0]);
    g_assert_nonnull (strstr (problems[0], "another-computer"));
    g_assert_nonnull (strstr (problems[0], tmp));
  }

  tc_rmtree (drive);
}

/* Keeping (packing a checkpoint) killed at the Nth progress report, 10
 * times: reopening leaves no .partial archive and no marker, and the
 * checkpoints that exist verify. A .partial of another host stays. */
static void
test_leftovers_kill_keep (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autofree char *upper = g_build_filename (src_root, "upper", NULL);
  g_autoptr(SpGame) game = tc_add_game (library, source, "Keep Game");
  g_autofree char *checkpoints = g_build_filename (sp_game_get_path (game), "checkpoints", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *name = g_strdup_printf ("saves/s%02u", i);
      g_autofree char *data = g_malloc (96 * 1024);

      for (guint j = 0; j < 96 * 1024; j++)
        data[j] = (char) g_rand_int (rand);
      {
        g_autofree char *path = g_build_filename (upper, name, NULL);
        g_autofree char *parent = g_path_get_dirname (path);
        g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
        g_assert_true (g_file_set_contents (path, data, 96 * 1024, NULL));
      }
    }
  g_assert_cmpint (g_mkdir_with_parents (checkpoints, 0755), ==, 0);
  g_clear_object (&game);
  g_clear_object (&library);

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(SpLibrary) reopened = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) error = NULL;
      SpGame *g;
      int status = 0;
      pid_t pid = fork ();

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          g_autoptr(SpLibrary) child = sp_library_open (drive, NULL);
          SpGame *cg = child ? sp_library_find_game (child, "keep-game") : NULL;

          if (cg == NULL)
            _exit (2);
          kill_after = 1 + round * 2;
          sp_game_create_checkpoint_sync (cg, upper, "kept", 10, TRUE,
                                          kill_pack_progress_cb, NULL, NULL, NULL);
          _exit (0);
        }
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) || (WIFEXITED (status) && WEXITSTATUS (status) == 0));

      reopened = sp_library_open (drive, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count_partials (checkpoints), ==, 0);
      g = sp_library_find_game (reopened, "keep-game");
      g_assert_nonnull (g);
      problems = sp_game_verify_sync (g, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (problems->len, ==, 0);
    }

  /* Another computer's half-written archive: left alone, reported. */
  {
    g_autofree char *other = g_build_filename (checkpoints, "x.tar.zst.partial-0badc0de-42", NULL);
    g_autofree char *marker = g_strconcat (other, ".owner", NULL);
    g_autoptr(SpLibrary) reopened = NULL;
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (other, "half", -1, NULL));
    g_assert_true (g_file_set_contents (marker, "[Leftover]\nHost=another-computer\n"
                                        "BootId=0badc0de\nPid=42\nKind=archive\n", -1, NULL));
    reopened = sp_library_open (drive, &error);
    g_assert_no_error (error);
    g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
    problems = sp_game_verify_sync (sp_library_find_game (reopened, "keep-game"), NULL, NULL,
                                    &error);
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 1);
    g_assert_cmpint (((SpVerifyProblem *) problems->pdata[0])->kind, ==, SP_VERIFY_PROBLEM_LEFTOVER);
    g_assert_nonnull (strstr (((SpVerifyProblem *) problems->pdata[0])->error->message,
                              "another-computer"));
  }

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* A keep or delete killed between the archive and its .ini (the lone
 * "checkpoint" marker of a dead process): the next start removes the
 * archive that has no .ini, and keeps one that has. */
static void
test_leftovers_unfinished_checkpoint (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Marker Game");
  g_autofree char *dir = g_build_filename (sp_game_get_path (game), "checkpoints", NULL);
  g_autofree char *orphan = g_build_filename (dir, "20240101T000000-0a0a0a.tar.zst", NULL);
  g_autofree char *kept = g_build_filename (dir, "20240101T000000-0b0b0b.tar.zst", NULL);
  g_autofree char *kept_ini = g_build_filename (dir, "20240101T000000-0b0b0b.ini", NULL);
  g_autoptr(GError) error = NULL;
  int status;
  pid_t pid;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (orphan, "archive without ini", -1, NULL));
  g_assert_true (g_file_set_contents (kept, "archive with ini", -1, NULL));
  g_assert_true (g_file_set_contents (kept_ini, "[Checkpoint]\n", -1, NULL));
  g_clear_object (&game);
  g_clear_object (&library);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      const char *ids[] = { "20240101T000000-0a0a0a", "20240101T000000-0b0b0b" };

      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        {
          g_autofree char *stem = g_build_filename (dir, ids[i], NULL);
          g_autofree char *marker = sp_leftover_file_path (stem);

          if (!sp_leftover_write_marker (marker, FALSE, SP_LEFTOVER_KIND_CHECKPOINT, NULL, NULL))
            _exit (2);
        }
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpuint (count_partials (dir), ==, 2);

  library = sp_library_open (drive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_partials (dir), ==, 0);
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept_ini, G_FILE_TEST_EXISTS));

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* An attack on older releases: Id=../../../.. and a game "documents" made
 * the run folder runs/../../../../documents, which `play --discard` removed.
 * The library is refused, naming library.ini and the line of Id. */
static void
test_library_bad_id (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Documents");
  g_autofree char *dir = g_strdup (sp_library_get_path (library));
  const char *bad_ids[] = { "../../../..", "/home/user", "x", "", " ", "not-a-uuid-at-all",
                            "3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13/..",
                            "3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a1", NULL };

  g_assert_cmpstr (sp_game_get_slug (game), ==, "documents");
  for (guint i = 0; bad_ids[i] != NULL; i++)
    {
      g_autofree char *text = g_strdup_printf ("[Library]\nVersion=1\nId=%s\nName=Evil\n",
                                               bad_ids[i]);

      /* An empty Id is "missing"; any other is "not a UUID": both on line 3. */
      assert_open_fails (drive, text, 3);
    }
  /* A newer library (opened read-only) is refused for a bad Id too. */
  assert_open_fails (drive, "[Library]\nVersion=7\nId=../../../..\n", 3);

  /* A UUID opens, with or without blanks around it. */
  tc_write (dir, "library.ini", "[Library]\nVersion=1\nId= 3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13 \n");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SpLibrary) good = sp_library_open (drive, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (sp_library_get_id (good), ==, "3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13");
  }
  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* library.ini as a FIFO hung every command; as a link to /dev/zero it made
 * the loader allocate gigabytes. Both are refused at once, naming the file. */
static void
test_library_special_ini (void)
{
  g_autofree char *drive = tc_tmpdir ();
  g_autofree char *dir = g_build_filename (drive, "Savepoint", NULL);
  g_autofree char *ini = g_build_filename (dir, "library.ini", NULL);
  g_autofree char *elsewhere = g_build_filename (drive, "real.ini", NULL);
  struct {
    const char *target;   /* NULL: a FIFO */
    const char *reason;
  } cases[] = {
    { NULL, "FIFO" },
    { "/dev/zero", "symbolic link" },
    { elsewhere, "symbolic link" },
    { "missing.ini", "symbolic link" },
  };

  alarm (60);   /* a regression hangs: fail instead */
  tc_write (drive, "real.ini", "[Library]\nVersion=1\nId=3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13\n");
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpLibrary) library = NULL;

      g_unlink (ini);
      if (cases[i].target == NULL)
        g_assert_cmpint (mkfifo (ini, 0644), ==, 0);
      else
        g_assert_cmpint (symlink (cases[i].target, ini), ==, 0);
      library = sp_library_open (drive, &error);
      g_assert_null (library);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED);
      if (strstr (error->message, ini) == NULL || strstr (error->message, cases[i].reason) == NULL)
        g_error ("expected “%s” and “%s” in “%s”", ini, cases[i].reason, error->message);
    }
  alarm (0);
  tc_rmtree (drive);
}

static gboolean
has_problem (SpLibrary  *library,
             const char *text)
{
  for (const char * const *p = sp_library_get_problems (library); *p != NULL; p++)
    if (strstr (*p, text) != NULL)
      return TRUE;
  return FALSE;
}

/* games/<entry>: a folder not named like a slug, a link to a game folder,
 * a FIFO, a game.ini that is a link, and a checkpoints/ that is a link are
 * not used, and each is reported as a problem of the library. A plain
 * file in games/ is not a game and is ignored. */
static void
test_library_game_folders (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Real Game");
  g_autoptr(SpGame) other = tc_add_game (library, source, "Other Game");
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  const char *games = sp_library_get_games_path (library);
  g_autofree char *upper = g_build_filename (src_root, "upper", NULL);
  g_autofree char *upper_case = g_build_filename (games, "Documents", NULL);
  g_autofree char *dots = g_build_filename (games, "a..b", NULL);
  g_autofree char *linked = g_build_filename (games, "linked", NULL);
  g_autofree char *fifo = g_build_filename (games, "fifo", NULL);
  g_autofree char *outside = g_build_filename (src_root, "outside-game", NULL);
  g_autofree char *other_ini = g_build_filename (sp_game_get_path (other), "game.ini", NULL);
  g_autofree char *real_cps = g_strdup (sp_game_get_checkpoints_path (game));
  g_autofree char *other_cps = g_strdup (sp_game_get_checkpoints_path (other));
  SpGame *reloaded;

  tc_write (upper, "save.dat", "progress");
  checkpoint = sp_game_create_checkpoint_sync (game, upper, "Saved", 1, TRUE, NULL, NULL, NULL,
                                               &error);
  g_assert_no_error (error);

  tc_write (upper_case, "game.ini", "[Game]\nName=Upper Case\n");
  tc_write (dots, "game.ini", "[Game]\nName=Dots\n");
  tc_write (outside, "game.ini", "[Game]\nName=Outside\n");
  g_assert_cmpint (symlink (outside, linked), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  tc_write (games, "notes.txt", "not a game");
  /* other: game.ini becomes a link to a copy elsewhere. */
  {
    g_autofree char *text = tc_read (sp_game_get_path (other), "game.ini");
    g_autofree char *copy = g_build_filename (src_root, "copy.ini", NULL);

    tc_write (src_root, "copy.ini", text);
    g_assert_cmpint (g_unlink (other_ini), ==, 0);
    g_assert_cmpint (symlink (copy, other_ini), ==, 0);
  }
  /* game: checkpoints/ becomes a link to another folder with its files. */
  g_assert_cmpint (g_rename (real_cps, other_cps), ==, 0);
  g_assert_cmpint (symlink (other_cps, real_cps), ==, 0);

  alarm (60);
  g_assert_true (sp_library_reload (library, &error));
  g_assert_no_error (error);
  alarm (0);

  g_assert_cmpuint (g_list_model_get_n_items (sp_library_get_games (library)), ==, 1);
  reloaded = sp_library_find_game (library, "real-game");
  g_assert_nonnull (reloaded);
  g_assert_cmpuint (g_list_model_get_n_items (sp_game_get_checkpoints (reloaded)), ==, 0);
  g_assert_null (sp_library_find_game (library, "Upper Case"));
  g_assert_null (sp_library_find_game (library, "Outside"));
  g_assert_null (sp_library_find_game (library, "other-game"));

  g_assert_true (has_problem (library, upper_case));
  g_assert_true (has_problem (library, dots));
  g_assert_true (has_problem (library, linked));
  g_assert_true (has_problem (library, fifo));
  g_assert_true (has_problem (library, other_ini));
  g_assert_true (has_problem (library, real_cps));
  g_assert_false (has_problem (library, "notes.txt"));
  /* … and the Head of real-game names a checkpoint that is no longer listed. */
  g_assert_cmpuint (g_strv_length ((char **) sp_library_get_problems (library)), ==, 7);

  /* sp_game_load() itself refuses a folder that is not a slug or a link. */
  g_assert_null (sp_game_load (upper_case, FALSE, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sp_game_load (linked, FALSE, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

/* A checkpoint archive that is a link (to a good archive elsewhere) or a
 * FIFO is refused when read, at once, instead of being followed or
 * blocking the reader. */
static void
test_library_special_archive (void)
{
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = tc_new_library (&drive);
  g_autofree char *src_root = tc_tmpdir ();
  g_autofree char *source = tc_make_source (src_root, "src");
  g_autoptr(SpGame) game = tc_add_game (library, source, "Real Game");
  g_autofree char *upper = g_build_filename (src_root, "upper", NULL);
  g_autofree char *moved = g_build_filename (src_root, "moved.tar.zst", NULL);
  g_autofree char *dest = g_build_filename (src_root, "dest", NULL);
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  const char *archive;
  g_autofree char *metadata = NULL;

  tc_write (upper, "save.dat", "progress");
  checkpoint = sp_game_create_checkpoint_sync (game, upper, "Saved", 1, TRUE, NULL, NULL, NULL,
                                               &error);
  g_assert_no_error (error);
  archive = sp_checkpoint_get_archive_path (checkpoint);

  alarm (60);
  g_assert_cmpint (g_rename (archive, moved), ==, 0);
  g_assert_cmpint (symlink (moved, archive), ==, 0);
  g_assert_false (sp_checkpoint_verify (checkpoint, NULL, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);
  g_assert_false (sp_checkpoint_unpack_to (checkpoint, dest, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_null (sp_archive_read_metadata (archive, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (archive), ==, 0);
  g_assert_cmpint (mkfifo (archive, 0644), ==, 0);
  g_assert_false (sp_checkpoint_unpack_to (checkpoint, dest, NULL, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE);
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_clear_error (&error);
  g_assert_null (sp_file_sha256 (archive, NULL, NULL, &error));
  g_assert_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE);
  g_clear_error (&error);
  alarm (0);

  /* Put back, it reads again. */
  g_assert_cmpint (g_unlink (archive), ==, 0);
  g_assert_cmpint (g_rename (moved, archive), ==, 0);
  metadata = sp_archive_read_metadata (archive, &error);
  g_assert_no_error (error);
  g_assert_nonnull (metadata);

  tc_rmtree (drive);
  tc_rmtree (src_root);
}

static SpRun *
load_run_ini (const char  *runs,
              const char  *text,
              GError     **error)
{
  g_autofree char *dir = g_build_filename (runs, "run", NULL);

  tc_write (dir, "run.ini", text);
  return sp_run_load (dir, error);
}

/* run.ini: Library must be a UUID, Game a slug, Head a checkpoint id or
 * empty; otherwise the run does not load (so nothing builds a path from
 * it). A link or a FIFO in run.ini's place is refused at once. The path
 * builders refuse unchecked ids. */
static void
test_run_ini_ids (void)
{
  g_autofree char *runs = tc_tmpdir ();
  g_autofree char *ini = g_build_filename (runs, "run", "run.ini", NULL);
  const char *good_lib = "3f1c2a4e-8d6b-4c1e-9a57-0b2d6e4f8a13";
  struct {
    const char *library;
    const char *game;
    const char *head;
    const char *key;
  } bad[] = {
    { "../../../..", "documents", "", "Library" },
    { "x", "documents", "", "Library" },
    { good_lib, "../../documents", "", "Game" },
    { good_lib, "Documents", "", "Game" },
    { good_lib, "documents", "../x", "Head" },
    { good_lib, "documents", "a/b", "Head" },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("[Run]\nLibrary=%s\nGame=%s\nHead=%s\n"
                                               "Status=finished\n",
                                               bad[i].library, bad[i].game, bad[i].head);
      g_autoptr(SpRun) run = load_run_ini (runs, text, &error);
      g_autofree char *where = NULL;

      g_assert_null (run);
      g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED);
      where = g_strdup_printf ("%s:%u:", ini, g_str_equal (bad[i].key, "Library") ? 2
                                              : g_str_equal (bad[i].key, "Game") ? 3 : 4);
      if (!g_str_has_prefix (error->message, where) || strstr (error->message, bad[i].key) == NULL)
        g_error ("expected “%s … %s” in “%s”", where, bad[i].key, error->message);
      g_clear_error (&error);
    }

  {
    g_autofree char *text = g_strdup_printf ("[Run]\nLibrary=%s\nGame=documents\nHead=\n", good_lib);
    g_autoptr(SpRun) run = load_run_ini (runs, text, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (sp_run_get_slug (run), ==, "documents");
    g_assert_null (sp_run_get_head (run));
  }

  alarm (60);
  g_assert_cmpint (g_unlink (ini), ==, 0);
  g_assert_cmpint (mkfifo (ini, 0600), ==, 0);
  {
    g_autofree char *dir = g_build_filename (runs, "run", NULL);
    g_autoptr(SpRun) run = sp_run_load (dir, &error);

    g_assert_null (run);
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "FIFO"));
    g_clear_error (&error);
  }
  alarm (0);

  /* The path builders: a critical, and no path. */
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*g_uuid_string_is_valid*");
  g_assert_null (sp_run_dir_for ("../../../..", "documents"));
  g_test_assert_expected_messages ();
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*sp_slug_is_valid*");
  g_assert_null (sp_run_dir_for (good_lib, "../documents"));
  g_test_assert_expected_messages ();
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*sp_slug_is_valid*");
  g_assert_null (sp_mount_point_for (good_lib, ".."));
  g_test_assert_expected_messages ();
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*g_uuid_string_is_valid*");
  g_assert_null (sp_mount_point_for ("../../../..", "documents"));
  g_test_assert_expected_messages ();

  tc_rmtree (runs);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/create-open", test_library_create_open);
  g_test_add_func ("/library/create-async", test_library_create_async);
  g_test_add_func ("/library/malformed", test_library_malformed);
  g_test_add_func ("/library/newer-version", test_library_newer_version);
  g_test_add_func ("/library/add-copy", test_library_add_copy);
  g_test_add_func ("/library/add-cancel", test_library_add_cancel);
  g_test_add_func ("/library/add-async", test_library_add_async);
  g_test_add_func ("/library/adopt", test_library_adopt);
  g_test_add_func ("/library/slugs-and-sorting", test_library_slugs_and_sorting);
  g_test_add_func ("/library/problems", test_library_problems);
  g_test_add_func ("/library/add-crash", test_library_add_crash);
  g_test_add_func ("/library/run-discard/symlinks-inside", test_run_discard_symlinks_inside);
  g_test_add_func ("/library/run-discard/symlinked-run-dir", test_run_discard_symlinked_run_dir);
  g_test_add_func ("/library/run-discard/own-run-ini", test_run_discard_needs_own_run_ini);
  g_test_add_func ("/library/run-discard/bind-mount", test_run_discard_bind_mount);
  g_test_add_func ("/library/leftovers/kill-add-copy", test_leftovers_kill_add_copy);
  g_test_add_func ("/library/leftovers/kill-add-adopt", test_leftovers_kill_add_adopt);
  g_test_add_func ("/library/leftovers/adopt-moved-back", test_leftovers_adopt_moved_back);
  g_test_add_func ("/library/leftovers/kill-keep", test_leftovers_kill_keep);
  g_test_add_func ("/library/leftovers/unfinished-checkpoint", test_leftovers_unfinished_checkpoint);
  g_test_add_func ("/library/bad-id", test_library_bad_id);
  g_test_add_func ("/library/special-ini", test_library_special_ini);
  g_test_add_func ("/library/game-folders", test_library_game_folders);
  g_test_add_func ("/library/special-archive", test_library_special_archive);
  g_test_add_func ("/library/run-ini-ids", test_run_ini_ids);
  return g_test_run ();
}
