/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trash of discarded runs with real runs: the real savepoint-cli plays
 * the fake game (fake-game.c) in a real overlay and discards, lists,
 * recovers and keeps; expiry by age and size (markers set in the past or
 * large, no sleeps); folders without our marker are never deleted; hostile
 * trash ids; nothing unkept is overwritten by restore or recover. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "sp-test-common.h"

static char *test_root;
static char *trash_dir;

typedef struct
{
  char      *drive;
  SpLibrary *library;
  SpGame    *game;
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs savepoint-cli --library <drive> ARGS… (NULL-terminated). */
static void
cli (Result  *r,
     Fixture *f,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  int wait_status;

  result_clear (r);
  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  g_ptr_array_add (argv, (char *) "--library");
  g_ptr_array_add (argv, f->drive);
  va_start (args, f);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
  g_test_message ("exit %d; out: %s; err: %s", r->status, r->out, r->err);
}

static void
set_mode (Fixture    *f,
          const char *mode)
{
  const char *args[] = { mode, NULL };
  g_autoptr(GError) error = NULL;

  sp_game_set_arguments (f->game, args);
  g_assert_true (sp_game_save_sync (f->game, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  SpGameInfo info = {
    .name = "Fake Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/fake-game",
    .working_directory = ".",
  };

  f->drive = g_build_filename (test_root, "drive-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->drive));
  f->library = sp_library_create_sync (f->drive, "Trash Drive", &error);
  g_assert_no_error (error);
  source = g_build_filename (f->drive, "source", NULL);
  tc_write (source, "delete-me.txt", "the game deletes this\n");
  binary = g_test_build_filename (G_TEST_BUILT, "fake-game", NULL);
  g_assert_true (g_file_get_contents (binary, &contents, &len, NULL));
  exe = g_build_filename (source, "bin", "fake-game", NULL);
  tc_write (source, "bin/fake-game", "");
  g_assert_true (g_file_set_contents (exe, contents, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (exe, 0755), ==, 0);
  f->game = sp_library_add_game_sync (f->library, &info, source, SP_ADD_MODE_COPY,
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  set_mode (f, "play");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GPtrArray) runs = sp_run_list (NULL, NULL);

  for (guint i = 0; runs != NULL && i < runs->len; i++)
    sp_run_remove_dir (runs->pdata[i], NULL, NULL);
  sp_run_trash_empty (NULL, NULL, NULL, NULL, NULL);
  g_clear_object (&f->game);
  g_clear_object (&f->library);
  sp_remove_tree (f->drive, NULL, NULL);
  g_free (f->drive);
}

/* The ids `trash` prints (first column), newest first. */
static GPtrArray *
trash_ids (Fixture *f)
{
  g_auto(Result) r = { 0 };
  g_auto(GStrv) lines = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  cli (&r, f, "trash", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (cols) == 5)
        {
          g_assert_true (sp_run_trash_id_is_valid (cols[0]));
          g_ptr_array_add (ids, g_strdup (cols[0]));
        }
    }
  return ids;
}

static char *
run_dir (Fixture *f)
{
  return sp_run_dir_for (sp_library_get_id (f->library), sp_game_get_slug (f->game));
}

static char *
read_in (const char *dir,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

static SpGame *
reopen_game (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->game);
  g_clear_object (&f->library);
  f->library = sp_library_open (f->drive, &error);
  g_assert_no_error (error);
  f->game = g_object_ref (sp_library_find_game (f->library, "fake-game"));
  return f->game;
}

/* Replaces the line "@key=…" of the marker of trash entry @id. */
static void
set_marker_key (const char *id,
                const char *key,
                const char *value)
{
  g_autofree char *dir = g_build_filename (trash_dir, id, NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = g_build_filename (dir, "trash.ini", NULL);
  g_autofree char *data = NULL;

  g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL));
  g_key_file_set_string (kf, "Trash", key, value);
  data = g_key_file_to_data (kf, NULL, NULL);
  tc_write (dir, "trash.ini", data);
}

/* Discard → the trash (listed with --json) → recover → pending → keep: the
 * checkpoint holds what the discarded run wrote. */
static void
test_discard_recover_keep (Fixture       *f,
                           gconstpointer  user_data)
{
  g_auto(Result) r = { 0 };
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = run_dir (f);
  g_autofree char *json_id = NULL;
  g_autofree char *trashed_upper = NULL;
  g_autofree char *counter = NULL;

  cli (&r, f, "play", "fake-game", "--discard", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 1);
  trashed_upper = g_build_filename (trash_dir, ids->pdata[0], "run", "upper", NULL);
  counter = read_in (trashed_upper, "save/counter.txt");
  g_assert_cmpstr (counter, ==, "1\n");
  g_clear_pointer (&counter, g_free);

  cli (&r, f, "--json", "trash", "fake-game", NULL);
  g_assert_cmpint (r.status, ==, 0);
  json_id = g_strdup_printf ("\"id\" : \"%s\"", (char *) ids->pdata[0]);
  g_assert_nonnull (strstr (r.out, json_id));
  g_assert_nonnull (strstr (r.out, "\"game\" : \"fake-game\""));
  g_assert_nonnull (strstr (r.out, "\"size\" : "));
  g_assert_null (strstr (r.out, "\"size\" : 0"));

  cli (&r, f, "recover", "fake-game", "--from-trash", ids->pdata[0], NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (tc_count_entries (trash_dir), ==, 0);
  pending = sp_run_list_pending (sp_library_get_id (f->library), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  cli (&r, f, "runs", NULL);
  g_assert_nonnull (strstr (r.out, "fake-game"));

  cli (&r, f, "recover", "fake-game", "--keep", "from the trash", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  reopen_game (f);
  g_assert_nonnull (sp_game_get_head (f->game));
  g_assert_cmpstr (sp_checkpoint_get_label (sp_game_get_head_checkpoint (f->game)), ==,
                   "from the trash");

  /* The next run starts from it: the counter the discarded run saved. */
  cli (&r, f, "play", "fake-game", "--leave", NULL);
  g_assert_cmpint (r.status, ==, 0);
  counter = read_in (dir, "upper/save/counter.txt");
  g_assert_cmpstr (counter, ==, "2\n");
}

/* Nothing unkept is overwritten: with a pending run, recover --from-trash
 * and restore are refused (naming `savepoint-cli recover`) and change
 * nothing; while the game is played, restore is refused. */
static void
test_pending_refusals (Fixture       *f,
                       gconstpointer  user_data)
{
  g_auto(Result) r = { 0 };
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *dir = run_dir (f);
  g_autofree char *head = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *counter = NULL;
  const char *play_argv[] = { g_getenv ("SP_CLI"), "--library", f->drive, "play", "fake-game",
                              "--keep", "waited", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int status;

  cli (&r, f, "play", "fake-game", "--keep", "first", NULL);
  g_assert_cmpint (r.status, ==, 0);
  head = g_strdup (sp_game_get_head (reopen_game (f)));
  g_assert_nonnull (head);
  cli (&r, f, "play", "fake-game", "--discard", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, f, "play", "fake-game", "--leave", NULL);
  g_assert_cmpint (r.status, ==, 0);
  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 1);

  cli (&r, f, "recover", "fake-game", "--from-trash", ids->pdata[0], NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "savepoint-cli recover"));
  cli (&r, f, "restore", "fake-game", "clean", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "savepoint-cli recover fake-game --keep"));
  g_assert_nonnull (strstr (r.err, "--discard"));
  g_assert_cmpstr (sp_game_get_head (reopen_game (f)), ==, head);
  counter = read_in (dir, "upper/save/counter.txt");
  g_assert_cmpstr (counter, ==, "2\n");
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 1);

  /* Moved to the trash (recover --discard), the way is free. */
  cli (&r, f, "recover", "fake-game", "--discard", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 2);

  /* While the game runs, restore is refused. */
  set_mode (f, "wait");
  g_assert_true (g_spawn_async (NULL, (char **) play_argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
                                G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  ready = g_build_filename (dir, "upper", "save", "ready", NULL);
  {
    gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    while (!g_file_test (ready, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
      g_usleep (20000);
  }
  g_assert_true (g_file_test (ready, G_FILE_TEST_EXISTS));
  cli (&r, f, "restore", "fake-game", "clean", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is being played"));
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_cmpstr (sp_game_get_head (reopen_game (f)), ==, head);

  /* Ended by the signal, the run stays pending; once discarded, restore works. */
  cli (&r, f, "recover", "fake-game", "--discard", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, f, "restore", "fake-game", "clean", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (sp_game_get_head (reopen_game (f)));
}

/* Expiry at the start of every command: by age (a marker dated in the
 * past) and by size (markers recording more than the 10 GB default),
 * oldest first, the newest always kept. */
static void
test_expiry (Fixture       *f,
             gconstpointer  user_data)
{
  g_auto(Result) r = { 0 };
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *old_id = NULL;

  for (guint i = 0; i < 4; i++)
    {
      cli (&r, f, "play", "fake-game", "--discard", NULL);
      g_assert_cmpint (r.status, ==, 0);
    }
  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 4);

  /* By age: the oldest, discarded 15 days ago, goes; 13 days stays. */
  set_marker_key (ids->pdata[3], "Discarded", "2000-01-01T00:00:00Z");
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) then = g_date_time_add_days (now, -13);
    g_autofree char *iso = g_date_time_format_iso8601 (then);

    set_marker_key (ids->pdata[2], "Discarded", iso);
  }
  after = trash_ids (f);
  g_assert_cmpuint (after->len, ==, 3);
  g_assert_cmpstr (after->pdata[2], ==, ids->pdata[2]);
  g_clear_pointer (&after, g_ptr_array_unref);

  /* By size: 6 GB each, three of them: the two oldest go (18 → 12 → 6). */
  for (guint i = 0; i < 3; i++)
    set_marker_key (ids->pdata[i], "Size", "6000000000");
  after = trash_ids (f);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (after->pdata[0], ==, ids->pdata[0]);
  g_clear_pointer (&after, g_ptr_array_unref);

  /* The newest stays even alone over the limit. */
  set_marker_key (ids->pdata[0], "Size", "60000000000");
  after = trash_ids (f);
  g_assert_cmpuint (after->len, ==, 1);
  g_clear_pointer (&after, g_ptr_array_unref);

  /* The same through the library with a small limit on real sizes. */
  set_marker_key (ids->pdata[0], "Size", "100");
  cli (&r, f, "play", "fake-game", "--discard", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (sp_run_trash_expire_full (3600, 1000000, NULL, NULL), ==, 0);
  g_assert_cmpuint (sp_run_trash_expire_full (3600, 1, NULL, NULL), ==, 1);
  after = trash_ids (f);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (after->pdata[0], !=, ids->pdata[0]);
  old_id = g_strdup (after->pdata[0]);
  g_assert_cmpuint (sp_run_trash_expire_full (0, 1, old_id, NULL), ==, 0);
}

/* What is in the trash without our marker naming it is never listed,
 * recovered, expired or emptied: a folder without marker, one whose marker
 * names another folder, a newer marker Version, a symlink to the user's
 * folder with a copied marker. */
static void
test_foreign_folders (Fixture       *f,
                      gconstpointer  user_data)
{
  g_auto(Result) r = { 0 };
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *victim = g_build_filename (test_root, "victim", NULL);
  g_autofree char *marker = NULL;
  const char *no_marker = "20200101T000000-000001";
  const char *other_id = "20200101T000000-000002";
  const char *newer = "20200101T000000-000003";
  const char *linked = "20200101T000000-000004";
  const char *names[] = { no_marker, other_id, newer, linked };

  cli (&r, f, "play", "fake-game", "--discard", NULL);
  g_assert_cmpint (r.status, ==, 0);
  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 1);
  {
    g_autofree char *dir = g_build_filename (trash_dir, ids->pdata[0], NULL);

    marker = read_in (dir, "trash.ini");
  }

  tc_write (victim, "keep.txt", "mine\n");
  {
    g_autofree char *d1 = g_build_filename (trash_dir, no_marker, NULL);
    g_autofree char *d2 = g_build_filename (trash_dir, other_id, NULL);
    g_autofree char *d3 = g_build_filename (trash_dir, newer, NULL);
    g_autofree char *l = g_build_filename (trash_dir, linked, NULL);
    g_autofree char *copied = NULL;
    g_auto(GStrv) parts = NULL;

    tc_write (d1, "run/run.ini", "[Run]\n");
    tc_write (d2, "trash.ini", marker);          /* names the real entry */
    tc_write (d2, "run/keep.txt", "x\n");
    parts = g_strsplit (marker, (char *) ids->pdata[0], -1);
    copied = g_strjoinv (newer, parts);
    {
      g_auto(GStrv) v = g_strsplit (copied, "Version=1", -1);
      g_autofree char *v2 = g_strjoinv ("Version=2", v);

      tc_write (d3, "trash.ini", v2);
    }
    g_strfreev (parts);
    parts = g_strsplit (marker, (char *) ids->pdata[0], -1);
    g_free (copied);
    copied = g_strjoinv (linked, parts);
    tc_write (victim, "trash.ini", copied);
    g_assert_cmpint (symlink (victim, l), ==, 0);
    for (guint i = 0; i < 3; i++)
      {
        g_autofree char *d = g_build_filename (trash_dir, names[i], NULL);
        g_autofree char *ini = g_build_filename (d, "trash.ini", NULL);

        /* Dated long ago, where a marker has a date. */
        if (g_file_test (ini, G_FILE_TEST_EXISTS))
          {
            g_autofree char *data = read_in (d, "trash.ini");
            g_autoptr(GRegex) re = g_regex_new ("Discarded=.*", 0, 0, NULL);
            g_autofree char *old = g_regex_replace_literal (re, data, -1, 0,
                                                            "Discarded=2000-01-01T00:00:00Z", 0,
                                                            NULL);

            tc_write (d, "trash.ini", old);
          }
      }
  }

  /* Ours (its marker names it) but its run is a link to the user's folder:
   * listed, never recovered through the link; emptying removes the link. */
  {
    const char *link_run = "20200101T000000-000005";
    g_autofree char *d = g_build_filename (trash_dir, link_run, NULL);
    g_autofree char *l = g_build_filename (d, "run", NULL);
    g_auto(GStrv) parts = g_strsplit (marker, (char *) ids->pdata[0], -1);
    g_autofree char *copied = g_strjoinv (link_run, parts);

    tc_write (d, "trash.ini", copied);
    g_assert_cmpint (symlink (victim, l), ==, 0);
    cli (&r, f, "recover", "fake-game", "--from-trash", link_run, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "not a folder"));
    g_assert_true (g_file_test (l, G_FILE_TEST_IS_SYMLINK));
  }

  /* Listed: only ours. Expired (every command), emptied: only ours. */
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = trash_ids (f);
  g_assert_cmpuint (ids->len, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      cli (&r, f, "recover", "fake-game", "--from-trash", names[i], NULL);
      g_assert_cmpint (r.status, !=, 0);
    }
  {
    g_autofree char *dir = run_dir (f);

    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  }
  cli (&r, f, "trash", "--empty", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Deleted 2 discarded runs"));
  g_assert_cmpuint (tc_count_entries (trash_dir), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *d = g_build_filename (trash_dir, names[i], NULL);

      g_assert_true (g_file_test (d, G_FILE_TEST_EXISTS));
    }
  g_assert_cmpuint (sp_run_trash_expire_full (0, 0, NULL, NULL), ==, 0);
  {
    g_autofree char *keep = read_in (victim, "keep.txt");

    g_assert_cmpstr (keep, ==, "mine\n");
  }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *d = g_build_filename (trash_dir, names[i], NULL);

      if (g_file_test (d, G_FILE_TEST_IS_SYMLINK))
        g_assert_cmpint (g_unlink (d), ==, 0);
      else
        tc_rmtree (d);
    }
  tc_rmtree (victim);
}

/* A trash id from the command line names a folder: anything but the
 * strict form is refused before it is used, as a usage error. */
static void
test_hostile_ids (Fixture       *f,
                  gconstpointer  user_data)
{
  g_auto(Result) r = { 0 };
  g_autofree char *victim = g_build_filename (test_root, "victim-ids", NULL);
  const char *bad[] = {
    "../../victim-ids", "..", ".", "/", "", "20261202T102115-ba44951",
    "20261202T102115-BA4495", "20261202t102115-ba4495", "20261202T102115-ba449",
    "20261202T102115-ba4495/..", "20261202T102115-ba449g", "-20261202T102115-ba449",
    "20261202T102115_ba4495", "2026120xT102115-ba4495",
  };

  tc_write (victim, "trash.ini", "[Trash]\nVersion=1\nId=..\n");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      cli (&r, f, "recover", "fake-game", "--from-trash", bad[i], NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "not a trash id"));
      g_assert_false (sp_run_trash_id_is_valid (bad[i]));
    }
  g_assert_true (sp_run_trash_id_is_valid ("20261202T102115-ba4495"));
  /* A well-formed id that is not there. */
  cli (&r, f, "recover", "fake-game", "--from-trash", "20261202T102115-ba4495", NULL);
  g_assert_cmpint (r.status, ==, 3);
  {
    g_autofree char *dir = run_dir (f);

    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  }
  g_assert_true (g_file_test (victim, G_FILE_TEST_IS_DIR));
  tc_rmtree (victim);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *no_fuse = NULL;
  int ret;

  test_root = g_dir_make_tmp ("sp-test-trash-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (test_root, "state", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (runtime, 0700);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_LIBRARY");
  trash_dir = g_build_filename (state, "savepoint", "trash", NULL);

  g_test_init (&argc, &argv, NULL);
  tc_private_mount_namespace ();

  no_fuse = tc_fuse_unusable_reason ();
#define ADD(path, func) \
  G_STMT_START { \
    if (no_fuse != NULL) \
      tc_add_skipped (path, no_fuse); \
    else \
      g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down); \
  } G_STMT_END

  ADD ("/trash/discard-recover-keep", test_discard_recover_keep);
  ADD ("/trash/pending-refusals", test_pending_refusals);
  ADD ("/trash/expiry", test_expiry);
  ADD ("/trash/foreign-folders", test_foreign_folders);
  ADD ("/trash/hostile-ids", test_hostile_ids);
#undef ADD

  ret = g_test_run ();
  sp_remove_tree (test_root, NULL, NULL);
  g_free (trash_dir);
  g_free (test_root);
  return ret;
}
