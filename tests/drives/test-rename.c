/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sp_rename_noreplace() and the checked plain rename it falls back to where
 * a file system refuses RENAME_NOREPLACE: nothing at the destination is ever
 * replaced, also what appears there after the check. The fallback is called
 * directly (on the test's own file system) with a hook that plays the other
 * program between reserving the name and renaming onto it. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-util.h"

typedef struct
{
  char *root;
  char *from;   /* what is renamed */
  char *to;     /* where to */
} Fixture;

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
setup_dir (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *game_file = NULL;

  f->root = g_dir_make_tmp ("sp-rename-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->from = g_build_filename (f->root, "new-game.tmp", NULL);
  f->to = g_build_filename (f->root, "game", NULL);
  g_assert_cmpint (g_mkdir (f->from, 0755), ==, 0);
  game_file = g_build_filename (f->from, "game.ini", NULL);
  write_file (game_file, "new");
}

static void
setup_file (Fixture       *f,
            gconstpointer  data)
{
  f->root = g_dir_make_tmp ("sp-rename-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->from = g_build_filename (f->root, "save.tar.zst.tmp", NULL);
  f->to = g_build_filename (f->root, "save.tar.zst", NULL);
  write_file (f->from, "new");
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  sp_remove_tree (f->root, NULL, &error);
  g_assert_no_error (error);
  g_free (f->root);
  g_free (f->from);
  g_free (f->to);
}

/* The fallback refuses with EEXIST: something is, or came, at f->to. */
static void
assert_refused (Fixture      *f,
                gboolean      use_link,
                SpRenameHook  between)
{
  errno = 0;
  g_assert_cmpint (_sp_rename_noreplace_fallback (f->from, f->to, use_link, between, NULL), ==, -1);
  g_assert_cmpint (errno, ==, EEXIST);
}

/* f->to is the user's file, f->from still there. */
static void
assert_users_file_kept (Fixture *f)
{
  g_autofree char *contents = read_file (f->to);

  g_assert_cmpstr (contents, ==, "mine");
  g_assert_true (g_file_test (f->from, G_FILE_TEST_EXISTS));
}

/* The user's folder with one file of theirs, at @dir. */
static void
make_users_folder (const char *dir,
                   gpointer    unused)
{
  g_autofree char *mine = g_build_filename (dir, "my-save", NULL);

  g_mkdir (dir, 0755);
  write_file (mine, "mine");
}

static void
assert_users_folder_kept (Fixture *f)
{
  g_autofree char *mine = g_build_filename (f->to, "my-save", NULL);
  g_autofree char *theirs = g_build_filename (f->to, "game.ini", NULL);
  g_autofree char *contents = read_file (mine);
  g_autofree char *moved = g_build_filename (f->from, "game.ini", NULL);

  g_assert_cmpstr (contents, ==, "mine");
  g_assert_false (g_file_test (theirs, G_FILE_TEST_EXISTS));
  /* The new folder is still where it was: the caller can clean it up. */
  g_assert_true (g_file_test (moved, G_FILE_TEST_IS_REGULAR));
}

static void
test_dir_moved (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *moved = g_build_filename (f->to, "game.ini", NULL);
  g_autofree char *contents = NULL;

  g_assert_cmpint (_sp_rename_noreplace_fallback (f->from, f->to, TRUE, NULL, NULL), ==, 0);
  contents = read_file (moved);
  g_assert_cmpstr (contents, ==, "new");
  g_assert_false (g_file_test (f->from, G_FILE_TEST_EXISTS));
}

static void
test_dir_exists (Fixture       *f,
                 gconstpointer  data)
{
  make_users_folder (f->to, NULL);
  assert_refused (f, TRUE, NULL);
  assert_users_folder_kept (f);

  /* The same through the public call, whichever way it takes here. */
  errno = 0;
  g_assert_cmpint (sp_rename_noreplace (f->from, f->to), ==, -1);
  g_assert_cmpint (errno, ==, EEXIST);
  assert_users_folder_kept (f);
}

/* Another program fills the folder that reserves the name. */
static void
test_dir_filled_meanwhile (Fixture       *f,
                           gconstpointer  data)
{
  assert_refused (f, TRUE, make_users_folder);
  assert_users_folder_kept (f);
}

static void
replace_with_users_folder (const char *dir,
                           gpointer    unused)
{
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  make_users_folder (dir, NULL);
}

/* Another program removes the reserving folder and puts its own there. */
static void
test_dir_replaced_meanwhile (Fixture       *f,
                             gconstpointer  data)
{
  assert_refused (f, TRUE, replace_with_users_folder);
  assert_users_folder_kept (f);
}

static void
replace_with_users_file (const char *path,
                         gpointer    unused)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  if (S_ISDIR (st.st_mode))
    g_assert_cmpint (g_rmdir (path), ==, 0);
  else
    g_assert_cmpint (g_unlink (path), ==, 0);
  write_file (path, "mine");
}

static void
test_dir_file_meanwhile (Fixture       *f,
                         gconstpointer  data)
{
  assert_refused (f, TRUE, replace_with_users_file);
  assert_users_file_kept (f);
}

static void
test_file_moved (Fixture       *f,
                 gconstpointer  data)
{
  gboolean use_link = GPOINTER_TO_INT (data);
  g_autofree char *contents = NULL;

  g_assert_cmpint (_sp_rename_noreplace_fallback (f->from, f->to, use_link, NULL, NULL), ==, 0);
  contents = read_file (f->to);
  g_assert_cmpstr (contents, ==, "new");
  g_assert_false (g_file_test (f->from, G_FILE_TEST_EXISTS));
}

static void
test_file_exists (Fixture       *f,
                  gconstpointer  data)
{
  write_file (f->to, "mine");
  assert_refused (f, GPOINTER_TO_INT (data), NULL);
  assert_users_file_kept (f);
}

/* Without hard links (exFAT): the empty file that reserves the name is
 * replaced by another program's file before the rename. */
static void
test_file_replaced_meanwhile (Fixture       *f,
                              gconstpointer  data)
{
  assert_refused (f, FALSE, replace_with_users_file);
  assert_users_file_kept (f);
}

static void
write_into_placeholder (const char *path,
                        gpointer    unused)
{
  write_file (path, "mine");
}

/* … or written to in place. */
static void
test_file_written_meanwhile (Fixture       *f,
                             gconstpointer  data)
{
  assert_refused (f, FALSE, write_into_placeholder);
  assert_users_file_kept (f);
}

/* A failure that is not about the name: the reserving folder is removed,
 * the error is the rename's. */
static void
test_dir_into_itself (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *inside = g_build_filename (f->from, "sub", NULL);

  errno = 0;
  g_assert_cmpint (_sp_rename_noreplace_fallback (f->from, inside, TRUE, NULL, NULL), ==, -1);
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_false (g_file_test (inside, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->from, G_FILE_TEST_IS_DIR));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, func, data) \
  g_test_add ("/rename-fallback/" path, Fixture, GINT_TO_POINTER (data), setup, func, teardown)
  ADD ("dir-moved", setup_dir, test_dir_moved, 0);
  ADD ("dir-exists", setup_dir, test_dir_exists, 0);
  ADD ("dir-filled-meanwhile", setup_dir, test_dir_filled_meanwhile, 0);
  ADD ("dir-replaced-meanwhile", setup_dir, test_dir_replaced_meanwhile, 0);
  ADD ("dir-file-meanwhile", setup_dir, test_dir_file_meanwhile, 0);
  ADD ("dir-into-itself", setup_dir, test_dir_into_itself, 0);
  ADD ("file-moved-link", setup_file, test_file_moved, TRUE);
  ADD ("file-moved-placeholder", setup_file, test_file_moved, FALSE);
  ADD ("file-exists-link", setup_file, test_file_exists, TRUE);
  ADD ("file-exists-placeholder", setup_file, test_file_exists, FALSE);
  ADD ("file-replaced-meanwhile", setup_file, test_file_replaced_meanwhile, 0);
  ADD ("file-written-meanwhile", setup_file, test_file_written_meanwhile, 0);
#undef ADD
  return g_test_run ();
}
