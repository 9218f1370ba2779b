/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A game that sets setuid/setgid bits, in a real play
 * session (a real overlay mount under savepoint-run), is kept twice in a
 * row: each keep packs without the bits, and the second session starts
 * from the first checkpoint. Before the fix the first checkpoint held
 * the bits and the second session could not unpack it. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "play/sp-play.h"
#include "play/sp-run.h"
#include "play/sp-session.h"
#include "sp-test-common.h"

/* The "game": a shell script run in its folder inside the overlay. It
 * writes into data/, a setgid folder of the clean install (so copy-up
 * keeps a setgid folder in the upper layer), makes a setuid program and
 * a setgid folder of its own. */
#define GAME_SCRIPT \
  "#!/bin/sh\n" \
  "set -e\n" \
  "mkdir -p save\n" \
  "echo run >> save/runs.txt\n" \
  "printf '#!/bin/sh\\necho tool\\n' > save/tool\n" \
  "chmod 4755 save/tool\n" \
  "chmod g+s save\n" \
  "echo progress >> data/progress.txt\n" \
  "ls -ld save save/tool data\n"

static char *test_root;

static SpSession *
play (SpLibrary *library,
      SpGame    *game)
{
  g_autoptr(SpSession) session = sp_session_new (library, game);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SpSessionState state;

  sp_session_set_grace_period (session, 1);
  sp_session_start_async (session, NULL, tc_store_result_cb, &result);
  g_assert_true (sp_session_start_finish (session, tc_wait_for (&result), &error));
  g_assert_no_error (error);
  for (;;)
    {
      state = sp_session_get_state (session);
      if ((state == SP_SESSION_STATE_FINISHED || state == SP_SESSION_STATE_FAILED) &&
          sp_session_get_summary (session) != NULL)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_no_error (sp_session_get_error (session));
  g_assert_cmpint (state, ==, SP_SESSION_STATE_FINISHED);
  g_assert_cmpint (sp_session_get_summary (session)->exit_status, ==, 0);
  return g_steal_pointer (&session);
}

static SpCheckpoint *
keep (SpSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SpCheckpoint *checkpoint;

  sp_session_keep_async (session, "kept", NULL, NULL, NULL, tc_store_result_cb, &result);
  checkpoint = sp_session_keep_finish (session, tc_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  return checkpoint;
}

static guint
mode_in_upper (SpSession  *session,
               const char *rel)
{
  g_autofree char *path = g_build_filename (sp_run_get_upper_path (sp_session_get_run (session)),
                                            rel, NULL);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* No entry of the checkpoint's archive carries setuid or setgid. */
static void
assert_no_special_bits (SpCheckpoint *checkpoint)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  guint n = 0;

  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  g_assert_cmpint (archive_read_open_filename (a, sp_checkpoint_get_archive_path (checkpoint),
                                               65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK)
    {
      g_test_message ("%s %o", archive_entry_pathname (e), archive_entry_perm (e));
      g_assert_cmpuint (archive_entry_perm (e) & (S_ISUID | S_ISGID), ==, 0);
      n++;
    }
  archive_read_free (a);
  g_assert_cmpuint (n, >=, 5);
}

static void
test_keep_twice (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpSession) first = NULL;
  g_autoptr(SpSession) second = NULL;
  g_autoptr(SpCheckpoint) cp1 = NULL;
  g_autoptr(SpCheckpoint) cp2 = NULL;
  g_autofree char *drive = g_build_filename (test_root, "drive", NULL);
  g_autofree char *source = g_build_filename (test_root, "source", NULL);
  g_autofree char *script = g_build_filename (source, "bin", "game.sh", NULL);
  g_autofree char *data_dir = NULL;
  g_autofree char *restored = g_build_filename (test_root, "restored", NULL);
  g_autofree char *warning = NULL;
  g_autofree char *runs = NULL;
  SpGameInfo info = {
    .name = "Bits Game",
    .kind = SP_GAME_KIND_NATIVE,
    .executable = "bin/game.sh",
    .working_directory = ".",
  };

  g_assert_cmpint (g_mkdir (drive, 0755), ==, 0);
  library = sp_library_create_sync (drive, "Bits Drive", &error);
  g_assert_no_error (error);
  tc_write (source, "bin/game.sh", GAME_SCRIPT);
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  tc_write (source, "data/asset.txt", "an asset\n");
  game = sp_library_add_game_sync (library, &info, source, SP_ADD_MODE_COPY, NULL, NULL, NULL,
                                   &error);
  g_assert_no_error (error);
  /* The clean install has a setgid folder. */
  data_dir = g_build_filename (sp_game_get_base_path (game), "data", NULL);
  g_assert_cmpint (g_chmod (data_dir, 02755), ==, 0);

  first = play (library, game);
  /* The game did set the bits, and copy-up kept the setgid folder. */
  g_assert_cmpuint (mode_in_upper (first, "save/tool"), ==, 04755);
  g_assert_cmpuint (mode_in_upper (first, "save") & S_ISGID, ==, S_ISGID);
  g_assert_cmpuint (mode_in_upper (first, "data") & S_ISGID, ==, S_ISGID);
  cp1 = keep (first);
  assert_no_special_bits (cp1);

  /* The second session starts from the first checkpoint: it unpacks. */
  second = play (library, game);
  runs = tc_read (sp_run_get_upper_path (sp_session_get_run (second)), "save/runs.txt");
  g_assert_cmpstr (runs, ==, "run\nrun\n");
  g_assert_cmpuint (mode_in_upper (second, "save/tool"), ==, 04755);
  cp2 = keep (second);
  g_assert_cmpstr (sp_checkpoint_get_parent (cp2), ==, sp_checkpoint_get_id (cp1));
  assert_no_special_bits (cp2);

  /* Both are good, with nothing to warn about, and restore. */
  g_assert_true (sp_checkpoint_verify_full (cp2, &warning, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (warning);
  g_assert_true (sp_checkpoint_unpack_to (cp2, restored, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *tool = g_build_filename (restored, "save", "tool", NULL);
    struct stat st;

    g_assert_cmpint (lstat (tool, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 07777, ==, 0755);
  }

  sp_remove_tree (restored, NULL, NULL);
  g_clear_object (&game);
  g_clear_object (&library);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *no_fuse = NULL;
  int ret;

  test_root = g_dir_make_tmp ("sp-test-session-bits-XXXXXX", &error);
  g_assert_no_error (error);
  state = g_build_filename (test_root, "state", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (runtime, 0700);
  /* Before any GLib call caches them. */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SAVEPOINT_LIBRARY");

  g_test_init (&argc, &argv, NULL);

  /* Our mounts stay in a namespace of our own where we may. */
  tc_private_mount_namespace ();

  no_fuse = tc_fuse_unusable_reason ();
  if (no_fuse != NULL)
    tc_add_skipped ("/session-bits/keep-twice", no_fuse);
  else
    g_test_add_func ("/session-bits/keep-twice", test_keep_twice);

  ret = g_test_run ();
  sp_remove_tree (test_root, NULL, NULL);
  g_free (test_root);
  return ret;
}
