/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SpRun on its own, in a runs folder of the test: run.ini written and read
 * back, run.ini files Savepoint did not write, what discard removes, and
 * the change counting of a hand-made upper folder. Discard against
 * symlinks inside the run, a symlinked run or library folder, another
 * run's Id and bind mounts is in tests/core/test-library.c; runs of real
 * sessions are in tests/session. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sp-process.h"
#include "play/sp-play.h"
#include "sp-test-common.h"

#define LIB_ID "0d6f7a52-3c55-4c8e-a0f4-6b1f0b0e7a11"
#define HEAD "20260101-120000-abcd"

typedef struct
{
  char *root;
  char *runs;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  f->root = tc_tmpdir ();
  f->runs = g_build_filename (f->root, "runs", NULL);
  sp_runs_set_dir (f->runs);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  sp_runs_set_dir (NULL);
  tc_rmtree (f->root);
  g_free (f->root);
  g_free (f->runs);
}

static SpRun *
create_run (const char *slug)
{
  g_autoptr(GError) error = NULL;
  SpRun *run = sp_run_create (LIB_ID, "/media/drive", slug, "The Game", HEAD, &error);

  g_assert_no_error (error);
  g_assert_nonnull (run);
  return run;
}

/* Replaces the first line starting with "@key=" of @dir/run.ini by
 * "@key=@value" (appends it when there is none). */
static void
set_ini_key (const char *dir,
             const char *key,
             const char *value)
{
  g_autofree char *ini = tc_read (dir, "run.ini");
  g_auto(GStrv) lines = g_strsplit (ini, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, "=", NULL);
  g_autofree char *joined = NULL;
  gboolean found = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    if (!found && g_str_has_prefix (lines[i], prefix))
      {
        g_free (lines[i]);
        lines[i] = g_strconcat (prefix, value, NULL);
        found = TRUE;
      }
  joined = g_strjoinv ("\n", lines);
  if (!found)
    {
      g_autofree char *with = g_strconcat (joined, prefix, value, "\n", NULL);
      tc_write (dir, "run.ini", with);
    }
  else
    tc_write (dir, "run.ini", joined);
}

/* A new run: its folder in the runs folder, run.ini owned by us; changed
 * and saved, every value reads back the same, and keys of other releases
 * are kept. */
static void
test_create_load (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(SpRun) run = create_run ("game");
  g_autoptr(SpRun) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_build_filename (f->runs, LIB_ID, "game", NULL);
  g_autofree char *upper = g_build_filename (expected, "upper", NULL);
  g_autofree char *work = g_build_filename (expected, "work", NULL);
  g_autofree char *log = g_build_filename (expected, "game.log", NULL);
  g_autofree char *ini = NULL;
  g_autofree char *dir_for = sp_run_dir_for (LIB_ID, "game");

  g_assert_cmpstr (sp_run_get_path (run), ==, expected);
  g_assert_cmpstr (dir_for, ==, expected);
  g_assert_cmpstr (sp_run_get_upper_path (run), ==, upper);
  g_assert_cmpstr (sp_run_get_work_path (run), ==, work);
  g_assert_cmpstr (sp_run_get_log_path (run), ==, log);
  g_assert_true (g_file_test (work, G_FILE_TEST_IS_DIR));
  g_assert_true (g_uuid_string_is_valid (sp_run_get_id (run)));
  g_assert_cmpstr (sp_run_get_library_id (run), ==, LIB_ID);
  g_assert_cmpstr (sp_run_get_library_path (run), ==, "/media/drive");
  g_assert_cmpstr (sp_run_get_slug (run), ==, "game");
  g_assert_cmpstr (sp_run_get_game_name (run), ==, "The Game");
  g_assert_cmpstr (sp_run_get_head (run), ==, HEAD);
  g_assert_cmpint (sp_run_get_status (run), ==, SP_RUN_STATUS_PREPARING);
  g_assert_cmpint (sp_run_get_owner_pid (run), ==, getpid ());
  g_assert_true (sp_run_get_owner_alive (run));
  g_assert_false (sp_run_is_pending (run));
  g_assert_null (sp_run_get_ended (run));
  g_assert_cmpint (sp_run_get_exit_status (run), ==, -1);

  /* As a session leaves it once the game has ended. */
  sp_run_set_status (run, SP_RUN_STATUS_FINISHED);
  sp_run_set_pid (run, 4242);
  sp_run_set_error (run, "the game said “no”\nand more");
  sp_run_set_ended (run, 3, 125);
  g_assert_true (sp_run_save (run, &error));
  g_assert_no_error (error);
  ini = tc_read (expected, "run.ini");
  g_assert_nonnull (strstr (ini, "Pid=4242\n"));
  g_assert_nonnull (strstr (ini, "Status=finished\n"));
  g_assert_true (g_file_test (work, G_FILE_TEST_IS_DIR));

  set_ini_key (expected, "FromTheFuture", "kept");
  loaded = sp_run_load (expected, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_run_get_id (loaded), ==, sp_run_get_id (run));
  g_assert_cmpstr (sp_run_get_library_id (loaded), ==, LIB_ID);
  g_assert_cmpstr (sp_run_get_library_path (loaded), ==, "/media/drive");
  g_assert_cmpstr (sp_run_get_slug (loaded), ==, "game");
  g_assert_cmpstr (sp_run_get_game_name (loaded), ==, "The Game");
  g_assert_cmpstr (sp_run_get_head (loaded), ==, HEAD);
  g_assert_cmpstr (sp_run_get_error (loaded), ==, "the game said “no”\nand more");
  g_assert_cmpint (sp_run_get_status (loaded), ==, SP_RUN_STATUS_FINISHED);
  g_assert_cmpint (sp_run_get_exit_status (loaded), ==, 3);
  g_assert_cmpint (sp_run_get_play_time (loaded), ==, 125);
  g_assert_cmpint (sp_run_get_owner_pid (loaded), ==, getpid ());
  g_assert_true (g_date_time_equal (sp_run_get_started (loaded), sp_run_get_started (run)));
  g_assert_nonnull (sp_run_get_ended (loaded));
  g_assert_true (g_date_time_equal (sp_run_get_ended (loaded), sp_run_get_ended (run)));
  g_assert_true (sp_run_is_pending (loaded));

  /* Saved again: the unknown key is still there; the error cleared. */
  sp_run_set_error (loaded, NULL);
  g_assert_true (sp_run_save (loaded, &error));
  g_assert_no_error (error);
  g_clear_pointer (&ini, g_free);
  ini = tc_read (expected, "run.ini");
  g_assert_nonnull (strstr (ini, "FromTheFuture=kept\n"));
  g_assert_null (strstr (ini, "Error="));

  /* It is the one run listed, and pending. */
  {
    g_autoptr(GPtrArray) all = sp_run_list (NULL, &error);
    g_autoptr(GPtrArray) pending = sp_run_list_pending (LIB_ID, &error);
    g_autoptr(GPtrArray) other = sp_run_list ("11111111-2222-4333-8444-555555555555", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, 1);
    g_assert_cmpstr (sp_run_get_id (all->pdata[0]), ==, sp_run_get_id (run));
    g_assert_cmpuint (pending->len, ==, 1);
    g_assert_cmpuint (other->len, ==, 0);
  }
}

/* An undecided run is in the way of a new one of the same game, with a
 * message naming the game and the folder. A folder that a crash left
 * before run.ini was written (empty upper/ and work/, a temporary file of
 * run.ini) is cleared away; one holding anything else is not. */
static void
test_create_in_the_way (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autoptr(SpRun) run = create_run ("game");
  g_autoptr(GError) error = NULL;
  g_autofree char *leftover = g_build_filename (f->runs, LIB_ID, "other", NULL);
  g_autofree char *leftover_upper = g_build_filename (leftover, "upper", NULL);
  g_autofree char *leftover_work = g_build_filename (leftover, "work", NULL);
  g_autofree char *leftover_tmp = g_build_filename (leftover, "run.ini.AB12CD", NULL);

  g_assert_null (sp_run_create (LIB_ID, NULL, "game", "The Game", NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "The Game"));
  g_assert_nonnull (strstr (error->message, sp_run_get_path (run)));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir_with_parents (leftover_upper, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (leftover_work, 0700), ==, 0);
  tc_write (leftover, "run.ini.AB12CD", "[Run]\n");
  {
    g_autoptr(SpRun) other = sp_run_create (LIB_ID, NULL, "other", "Other", NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (other);
    g_assert_false (g_file_test (leftover_tmp, G_FILE_TEST_EXISTS));
    /* work/ made anew; upper/ is made by the session */
    g_assert_false (g_file_test (leftover_upper, G_FILE_TEST_EXISTS));
    g_assert_true (sp_run_discard_sync (other, NULL, &error));
    g_assert_no_error (error);
  }

  /* Something the game wrote: not cleared, the new run is refused. */
  tc_write (leftover, "upper/save.dat", "progress");
  g_assert_null (sp_run_create (LIB_ID, NULL, "other", "Other", NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS);
  g_clear_error (&error);
  {
    g_autofree char *save = tc_read (leftover, "upper/save.dat");
    g_assert_cmpstr (save, ==, "progress");
  }
}

/* Loads @dir/run.ini, which must be refused as MALFORMED with a message
 * holding @needle. */
static void
assert_refused (const char *dir,
                const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpRun) run = sp_run_load (dir, &error);

  g_assert_null (run);
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_MALFORMED);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” is not in “%s”", needle, error->message);
}

/* run.ini files that Savepoint did not write: a value that would name a
 * folder elsewhere, or a file that is no small plain file, is refused
 * with "run.ini:LINE:" (or the file) and what is wrong. */
static void
test_load_hostile (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autofree char *dir = g_build_filename (f->root, "crafted", NULL);
  g_autofree char *ini_path = g_build_filename (dir, "run.ini", NULL);
  static const struct
  {
    const char *ini;
    const char *needle;
  } cases[] = {
    { "[Run]\nLibrary=../../home\nGame=game\n", "run.ini:2: Library is not a library Id" },
    { "[Run]\nLibrary=" LIB_ID "\nGame=../../.ssh\n", "run.ini:3: Game is not a game folder" },
    { "[Run]\nLibrary=" LIB_ID "\nGame=Game\n", "run.ini:3: Game is not" },
    { "[Run]\n# a comment\nLibrary=" LIB_ID "\nGame=game\nHead=../../checkpoints\n",
      "run.ini:5: Head is not a checkpoint id" },
    { "[Run]\nLibrary=" LIB_ID "\nGame=game\nHead=-rf\n", "run.ini:4: Head is not" },
    { "[Run]\nId=not-a-uuid\nLibrary=" LIB_ID "\nGame=game\n", "run.ini:2: Id is not a run Id" },
    { "[Run]\nLibrary=" LIB_ID "\n", "lacks the Library or Game key" },
    { "[Run]\nLibrary=" LIB_ID "\nGame=game\nthis is no key file line\n", "run.ini:4:" },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      tc_write (dir, "run.ini", cases[i].ini);
      assert_refused (dir, cases[i].needle);
    }

  /* The control: the same with valid values loads. */
  tc_write (dir, "run.ini", "[Run]\nId=5a0d8f0e-8c1e-4f63-9d51-0c6a4f1f2b7e\nLibrary=" LIB_ID
            "\nGame=game\nHead=" HEAD "\n");
  {
    g_autoptr(SpRun) run = sp_run_load (dir, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sp_run_get_head (run), ==, HEAD);
  }

  /* run.ini a symlink to a good one: not followed. */
  {
    g_autofree char *good = g_build_filename (f->root, "good.ini", NULL);

    g_assert_cmpint (rename (ini_path, good), ==, 0);
    g_assert_cmpint (symlink (good, ini_path), ==, 0);
    assert_refused (dir, ini_path);
    g_assert_cmpint (unlink (ini_path), ==, 0);
  }

  /* Over 1 MiB: not read. */
  {
    GString *big = g_string_new ("[Run]\nLibrary=" LIB_ID "\nGame=game\n");

    while (big->len <= 1024 * 1024)
      g_string_append (big, "# padding padding padding padding padding padding\n");
    tc_write (dir, "run.ini", big->str);
    g_string_free (big, TRUE);
    assert_refused (dir, ini_path);
  }

  /* No run.ini at all: not a run folder. */
  g_assert_cmpint (unlink (ini_path), ==, 0);
  g_assert_null (sp_run_load (dir, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_NOT_FOUND);
}

/* Discard removes the run folder it made, and nothing that only looks
 * like it: not a copy of the run elsewhere naming the same run, not a run
 * folder whose run.ini is a symlink or names another game. */
static void
test_discard_only_own (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autoptr(SpRun) run = create_run ("game");
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = tc_read (sp_run_get_path (run), "run.ini");
  g_autofree char *copy = g_build_filename (f->root, "copy", NULL);
  g_autofree char *ini_path = g_build_filename (sp_run_get_path (run), "run.ini", NULL);
  g_autofree char *aside = g_build_filename (f->root, "run.ini", NULL);
  g_autofree char *mine = g_build_filename (copy, "upper", "mine.txt", NULL);

  tc_write (sp_run_get_path (run), "upper/save.dat", "progress");

  /* A copy of the run folder elsewhere: neither goes. */
  tc_write (copy, "run.ini", ini);
  tc_write (copy, "upper/mine.txt", "the user's");
  {
    g_autoptr(SpRun) copied = sp_run_load (copy, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (sp_run_get_id (copied), ==, sp_run_get_id (run));
    g_assert_false (sp_run_discard_sync (copied, NULL, &error));
    g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
    g_assert_nonnull (strstr (error->message, copy));
    g_clear_error (&error);
  }
  g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (sp_run_get_upper_path (run), G_FILE_TEST_IS_DIR));

  /* run.ini a symlink to the real one. */
  g_assert_cmpint (rename (ini_path, aside), ==, 0);
  g_assert_cmpint (symlink (aside, ini_path), ==, 0);
  g_assert_false (sp_run_discard_sync (run, NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "not a small plain file"));
  g_clear_error (&error);
  g_assert_true (g_file_test (sp_run_get_upper_path (run), G_FILE_TEST_IS_DIR));
  g_assert_cmpint (unlink (ini_path), ==, 0);
  g_assert_cmpint (rename (aside, ini_path), ==, 0);

  /* run.ini of the same Id names another game. */
  set_ini_key (sp_run_get_path (run), "Game", "other");
  g_assert_false (sp_run_discard_sync (run, NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "not the one of this run"));
  g_clear_error (&error);
  g_assert_true (g_file_test (sp_run_get_upper_path (run), G_FILE_TEST_IS_DIR));

  /* Its own run.ini again: it goes, the copy stays. */
  tc_write (sp_run_get_path (run), "run.ini", ini);
  g_assert_true (sp_run_discard_sync (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (sp_run_get_path (run), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));
  /* Twice: already gone is fine. */
  g_assert_true (sp_run_discard_sync (run, NULL, &error));
  g_assert_no_error (error);
}

/* A run that another live process of this computer is playing is not
 * discarded; once that process is gone, it is. */
static void
test_discard_in_use (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(SpRun) run = create_run ("game");
  g_autoptr(SpRun) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  g_autofree char *pid = NULL;
  int hold[2], status;
  pid_t child;
  char c;

  g_assert_cmpint (pipe (hold), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      close (hold[1]);
      (void) read (hold[0], &c, 1);
      _exit (0);
    }
  close (hold[0]);
  pid = g_strdup_printf ("%d", (int) child);
  start = g_strdup_printf ("%" G_GUINT64_FORMAT, sp_pid_start_time (child));
  set_ini_key (sp_run_get_path (run), "OwnerPid", pid);
  set_ini_key (sp_run_get_path (run), "OwnerStart", start);
  set_ini_key (sp_run_get_path (run), "Status", "running");
  loaded = sp_run_load (sp_run_get_path (run), &error);
  g_assert_no_error (error);
  g_assert_true (sp_run_get_owner_alive (loaded));
  g_assert_false (sp_run_is_pending (loaded));

  g_assert_false (sp_run_discard_sync (loaded, NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, pid));
  g_clear_error (&error);
  g_assert_true (g_file_test (sp_run_get_work_path (run), G_FILE_TEST_IS_DIR));

  close (hold[1]);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_false (sp_run_get_owner_alive (loaded));
  g_assert_true (sp_run_is_pending (loaded));
  g_assert_true (sp_run_discard_sync (loaded, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (sp_run_get_path (run), G_FILE_TEST_EXISTS));
}

static void
assert_changes (SpRun      *run,
                const char *base,
                guint64     added,
                guint64     changed,
                guint64     deleted,
                guint64     bytes)
{
  g_autoptr(GError) error = NULL;
  SpRunChanges changes;

  memset (&changes, 0xff, sizeof changes);
  g_assert_true (sp_run_count_changes (run, base, &changes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes.files_added, ==, added);
  g_assert_cmpuint (changes.files_changed, ==, changed);
  g_assert_cmpuint (changes.files_deleted, ==, deleted);
  g_assert_cmpuint (changes.bytes, ==, bytes);
}

/* A hand-made upper folder over a base: added, changed and deleted files
 * (a whiteout device and a ".wh." file), an opaque folder (its marker is
 * no file; what it hides is not counted as deleted), a symlink; folders
 * are not counted. */
static void
test_count_changes (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(SpRun) run = create_run ("game");
  g_autofree char *base = g_build_filename (f->root, "base", NULL);
  const char *upper = sp_run_get_upper_path (run);
  g_autofree char *device = g_build_filename (upper, "gone.txt", NULL);
  g_autofree char *empty_dir = g_build_filename (upper, "empty-dir", NULL);
  g_autofree char *link = g_build_filename (upper, "link", NULL);
  gboolean have_device;

  /* No upper folder yet: nothing changed. */
  assert_changes (run, base, 0, 0, 0, 0);

  tc_write (base, "a.txt", "base a");
  tc_write (base, "gone.txt", "deleted by the game");
  tc_write (base, "gone-too.txt", "deleted too");
  tc_write (base, "dir/c.txt", "kept");
  tc_write (base, "opaque/x.txt", "replaced");
  tc_write (base, "opaque/y.txt", "hidden");

  tc_write (upper, "new.txt", "12345");               /* added, 5 bytes */
  tc_write (upper, "a.txt", "0123456789");            /* changed, 10 */
  tc_write (upper, "dir/new2.txt", "abc");            /* added, 3 */
  tc_write (upper, ".wh.gone-too.txt", "");           /* deleted */
  tc_write (upper, "opaque/.wh..wh..opq", "");        /* not a file */
  tc_write (upper, "opaque/x.txt", "four");           /* changed, 4 */
  g_assert_cmpint (g_mkdir (empty_dir, 0755), ==, 0);
  g_assert_cmpint (symlink ("a.txt", link), ==, 0);   /* added */

  /* A whiteout as the kernel overlay makes it: a 0/0 character device. */
  have_device = mknod (device, S_IFCHR | 0600, makedev (0, 0)) == 0;
  if (!have_device)
    g_test_message ("no whiteout device: cannot make one here (%s)", g_strerror (errno));

  assert_changes (run, base, 3, 2, have_device ? 2 : 1, 22);
  /* Without a base, every file is new. */
  assert_changes (run, NULL, 5, 0, have_device ? 2 : 1, 22);

  /* A character device that is no whiteout is a file of the game. */
  if (have_device && geteuid () == 0)
    {
      g_assert_cmpint (unlink (device), ==, 0);
      g_assert_cmpint (mknod (device, S_IFCHR | 0600, makedev (1, 3)), ==, 0);
      assert_changes (run, base, 3, 3, 1, 22);
    }
}

/* Issue 14: a drive copied with dd or a sync tool holds a library with the
 * same Id; its run of a game is not "an earlier run" of the copy's game:
 * the message says the two libraries are copies. */
static void
test_create_cloned_library (Fixture       *f,
                            gconstpointer  user_data)
{
  g_autoptr(SpRun) run = create_run ("game");   /* from /media/drive */
  g_autoptr(GError) error = NULL;

  g_assert_null (sp_run_create (LIB_ID, "/media/copy", "game", "The Game", NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "same Id"));
  g_assert_nonnull (strstr (error->message, "/media/copy"));
  g_assert_nonnull (strstr (error->message, "/media/drive"));
  g_clear_error (&error);

  /* The same library again: an earlier run, as before. */
  g_assert_null (sp_run_create (LIB_ID, "/media/drive", "game", "The Game", NULL, &error));
  g_assert_error (error, SP_RUN_ERROR, SP_RUN_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "An earlier run"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/run/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("create-load", test_create_load);
  ADD ("create-in-the-way", test_create_in_the_way);
  ADD ("create-cloned-library", test_create_cloned_library);
  ADD ("load-hostile", test_load_hostile);
  ADD ("discard-only-own", test_discard_only_own);
  ADD ("discard-in-use", test_discard_in_use);
  ADD ("count-changes", test_count_changes);
#undef ADD

  return g_test_run ();
}
