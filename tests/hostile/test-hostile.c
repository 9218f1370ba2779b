/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End-to-end tests of crafted drives against the real savepoint-cli, run
 * as a normal user (uid 1500), as players run it (SECURITY.md). Each drive is
 * made by another user (uid 1000) and left writable for everyone, as a FAT
 * drive mounted for all users is. Each command runs in a mount namespace of
 * its own (so nothing it mounts outlives it), through setpriv, with HOME and
 * the XDG folders inside the case's temporary folder.
 *
 * Needs root (to create the user and drop to it), useradd, setpriv,
 * unshare, a setuid fusermount3 and /dev/fuse (made 0666, as desktops have
 * it); skips with the reason when one is missing. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pwd.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAYER_UID 1500
#define OTHER_UID 1000

/* The CLI and savepoint-run, copied where the player can run them. */
static char *player_cli;
static char *player_run;
static char *skip_reason;
static char *test_root;
static gboolean cli_has_asan;

typedef struct
{
  char *dir;       /* <root>/<case> */
  char *home;      /* the player's HOME (XDG folders default inside) */
  char *runtime;   /* the player's XDG_RUNTIME_DIR, 0700 */
  char *drive;     /* the crafted drive */
  char *source;    /* the game's install before `add` */
  char *out;       /* where a game (or an attack) leaves its proof */
} Case;

typedef struct
{
  int   status;    /* exit status; -N when killed by signal N */
  char *out;
  char *err;
} Result;

static void
case_free (Case *c)
{
  g_free (c->dir);
  g_free (c->home);
  g_free (c->runtime);
  g_free (c->drive);
  g_free (c->source);
  g_free (c->out);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Case, case_free)

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs @argv (as root, in our environment); TRUE when it exits 0. */
static gboolean
run_root (const char * const *argv,
          char              **out_err)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, out_err, &status, &error))
    {
      if (out_err)
        *out_err = g_strdup (error->message);
      return FALSE;
    }
  return g_spawn_check_wait_status (status, NULL);
}

static void
must_run_root (const char * const *argv)
{
  g_autofree char *err = NULL;
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

  if (!run_root (argv, &err))
    g_error ("set-up command failed: %s: %s", cmd, err ? err : "");
}

static void
chown_path (const char *path,
            uid_t       uid,
            gboolean    recursive)
{
  g_autofree char *owner = g_strdup_printf ("%u:%u", (guint) uid, (guint) uid);
  const char *argv[] = { "chown", "-h", recursive ? "-R" : "-h", owner, path, NULL };

  must_run_root (argv);
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static char *
read_text (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* A fresh case folder: the player's home and runtime folder, a world-
 * writable proof folder, and a small native game (game.sh, which records
 * its arguments' first word as the proof folder). */
static Case *
case_new (const char *name)
{
  Case *c = g_new0 (Case, 1);

  c->dir = g_build_filename (test_root, name, NULL);
  c->home = g_build_filename (c->dir, "home", NULL);
  c->runtime = g_build_filename (c->dir, "runtime", NULL);
  c->drive = g_build_filename (c->dir, "drive", NULL);
  c->source = g_build_filename (c->dir, "install", NULL);
  c->out = g_build_filename (c->dir, "out", NULL);
  g_assert_cmpint (g_mkdir (c->dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (c->home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (c->runtime, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (c->drive, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (c->out, 0777), ==, 0);
  g_assert_cmpint (g_chmod (c->out, 0777), ==, 0);
  chown_path (c->home, PLAYER_UID, FALSE);
  chown_path (c->runtime, PLAYER_UID, FALSE);

  {
    g_autofree char *game = g_build_filename (c->source, "game.sh", NULL);
    g_autofree char *exe = g_build_filename (c->source, "game.exe", NULL);

    /* $1 is the proof folder; the game saves into its own folder. */
    write_file (game,
                "#!/bin/sh\n"
                "echo played > \"$1/played\"\n"
                "env > \"$1/env.txt\"\n"
                "mkdir -p save && echo 1 > save/progress.txt\n",
                0755);
    write_file (exe, "MZ not really a Windows program\n", 0644);
  }
  return c;
}

/* Runs savepoint-cli as root (to build the drive). */
static void
cli_root (Result *r,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("SP_CLI"));
  va_start (args, r);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_unsetenv (envp, "SAVEPOINT_LIBRARY");
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, 0, NULL, NULL,
                               &r->out, &r->err, &status, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
}

/* A library on the case's drive with the game @name (native, game.sh,
 * first argument the proof folder), then handed to the other user and made
 * writable for everyone. Returns the game's folder. */
static char *
make_library (Case       *c,
              const char *name,
              const char *kind)
{
  g_auto(Result) init = { 0 };
  g_auto(Result) add = { 0 };
  g_autofree char *slug = g_ascii_strdown (name, -1);

  cli_root (&init, "init", c->drive, "--name", "Someone's drive", NULL);
  g_assert_cmpint (init.status, ==, 0);
  cli_root (&add, "--library", c->drive, "add", name, c->source,
            "--exec", g_str_equal (kind, "wine") ? "game.exe" : "game.sh",
            "--kind", kind, "--arg", c->out, NULL);
  if (add.status != 0)
    g_error ("add failed: %s", add.err);
  return g_build_filename (c->drive, "Savepoint", "games", slug, NULL);
}

static void
hand_drive_to_other_user (Case *c)
{
  const char *argv[] = { "chmod", "-R", "a+rwX", c->drive, NULL };

  chown_path (c->drive, OTHER_UID, TRUE);
  must_run_root (argv);
}

/* Sets keys of a key file on the drive (as its owner would). */
static void
edit_ini (const char *path,
          const char *group,
          ...)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  const char *key;
  va_list args;

  g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, &error);
  g_assert_no_error (error);
  va_start (args, group);
  while ((key = va_arg (args, const char *)) != NULL)
    g_key_file_set_value (kf, group, key, va_arg (args, const char *));
  va_end (args);
  g_key_file_save_to_file (kf, path, &error);
  g_assert_no_error (error);
}

/* Runs savepoint-cli --library DRIVE ARGS… as the player, in a mount
 * namespace of its own; @setup is shell run as root in that namespace
 * first. Without @with_runtime, XDG_RUNTIME_DIR is unset. @env_extra is
 * NULL or "NAME=VALUE". Bounded by @seconds. */
static void
cli_player (Result     *r,
            Case       *c,
            const char *setup,
            gboolean    with_runtime,
            const char *env_extra,
            guint       seconds,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strdup_printf ("%s%sexec \"$@\"", setup ? setup : "",
                                             setup ? " && " : "");
  const char *arg;
  int status;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("unshare"));
  g_ptr_array_add (argv, g_strdup ("--mount"));
  g_ptr_array_add (argv, g_strdup ("--propagation=private"));
  g_ptr_array_add (argv, g_strdup ("sh"));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (script));
  g_ptr_array_add (argv, g_strdup ("sh"));
  g_ptr_array_add (argv, g_strdup ("timeout"));
  g_ptr_array_add (argv, g_strdup ("--kill-after=5"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", seconds));
  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", PLAYER_UID));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", PLAYER_UID));
  g_ptr_array_add (argv, g_strdup ("--init-groups"));
  g_ptr_array_add (argv, g_strdup ("env"));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("PATH=/usr/local/bin:/usr/bin:/bin"));
  g_ptr_array_add (argv, g_strdup ("LC_ALL=C.UTF-8"));
  g_ptr_array_add (argv, g_strdup_printf ("HOME=%s", c->home));
  g_ptr_array_add (argv, g_strdup_printf ("SAVEPOINT_RUN=%s", player_run));
  if (with_runtime)
    g_ptr_array_add (argv, g_strdup_printf ("XDG_RUNTIME_DIR=%s", c->runtime));
  /* Sanitizer builds: the same options as the test itself. */
  for (const char * const *name = (const char * const[]) { "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                                            "LSAN_OPTIONS", NULL };
       *name != NULL; name++)
    if (g_getenv (*name))
      g_ptr_array_add (argv, g_strdup_printf ("%s=%s", *name, g_getenv (*name)));
  /* Last: env(1) keeps the last value of a name. */
  if (env_extra)
    g_ptr_array_add (argv, g_strdup (env_extra));
  g_ptr_array_add (argv, g_strdup (player_cli));
  g_ptr_array_add (argv, g_strdup ("--library"));
  g_ptr_array_add (argv, g_strdup (c->drive));
  va_start (args, seconds);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (c->dir, (char **) argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, &r->out, &r->err, &status, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

static gboolean
exists (const char *dir,
        const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  return lstat (path, &st) == 0;
}

static gboolean
skip_if_needed (void)
{
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return TRUE;
    }
  return FALSE;
}

/* A library file refused "with a clear message naming the file and line". */
static gboolean
names_file_and_line (const char *text,
                     const char *file)
{
  g_autofree char *pattern = g_strdup_printf ("%s:[0-9]+", file);

  return text != NULL && g_regex_match_simple (pattern, text, 0, 0);
}

/* ------------------------------------------------------------------------ */

/* A normal drive from another user: the player plays a game, keeps a
 * checkpoint and gets its id. Returns the id, or NULL (and the test has
 * failed). */
static char *
play_and_keep (Case *c)
{
  g_auto(Result) play = { 0 };
  g_auto(Result) list = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_free (make_library (c, "Game", "native"));
  hand_drive_to_other_user (c);

  cli_player (&play, c, NULL, TRUE, NULL, 120, "play", "game", "--keep", "first", NULL);
  g_assert_cmpint (play.status, ==, 0);
  g_assert_true (exists (c->out, "played"));

  cli_player (&list, c, NULL, TRUE, NULL, 60, "--json", "checkpoints", "game", NULL);
  g_assert_cmpint (list.status, ==, 0);
  if (list.status == 0 && json_parser_load_from_data (parser, list.out, -1, NULL))
    {
      JsonArray *array = json_node_get_array (json_parser_get_root (parser));

      if (json_array_get_length (array) == 1)
        return g_strdup (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                        "id"));
    }
  g_test_fail ();
  return NULL;
}

/* The control: what the other cases attack works for a normal drive. */
static void
test_control (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) export_new = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *exported = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("control");
  id = play_and_keep (c);
  if (id == NULL)
    return;

  exported = g_build_filename (c->home, "new.tar.zst", NULL);
  cli_player (&export_new, c, NULL, TRUE, NULL, 60, "export", "game", id, exported, NULL);
  g_assert_cmpint (export_new.status, ==, 0);
  g_assert_true (g_file_test (exported, G_FILE_TEST_IS_REGULAR));
}

/* Item 10: export never overwrites an existing file without --force, and
 * never a file of the library. */
static void
test_export_existing (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) export_existing = { 0 };
  g_auto(Result) export_library = { 0 };
  g_auto(Result) export_library_plain = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *library_ini = NULL;
  g_autofree char *library_before = NULL;
  g_autofree char *library_after = NULL;
  g_autofree char *contents = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("export-existing");
  id = play_and_keep (c);
  if (id == NULL)
    return;

  existing = g_build_filename (c->out, "precious.txt", NULL);
  write_file (existing, "precious\n", 0666);
  cli_player (&export_existing, c, NULL, TRUE, NULL, 60, "export", "game", id, existing, NULL);
  contents = read_text (existing);
  g_assert_cmpstr (contents, ==, "precious\n");
  g_assert_cmpint (export_existing.status, !=, 0);

  library_ini = g_build_filename (c->drive, "Savepoint", "library.ini", NULL);
  library_before = read_text (library_ini);
  cli_player (&export_library, c, NULL, TRUE, NULL, 60, "export", "game", id, library_ini,
              "--force", NULL);
  library_after = read_text (library_ini);
  g_assert_cmpstr (library_after, ==, library_before);
  g_assert_cmpint (export_library.status, !=, 0);

  /* Without --force too (an existing file anyway). */
  cli_player (&export_library_plain, c, NULL, TRUE, NULL, 60, "export", "game", id, library_ini,
              NULL);
  g_clear_pointer (&library_after, g_free);
  library_after = read_text (library_ini);
  g_assert_cmpstr (library_after, ==, library_before);
  g_assert_cmpint (export_library_plain.status, !=, 0);
}

/* Item 1: Id=../../../.. with a game "documents" made `play --discard`
 * delete ~/documents (the run folder is runs/<library id>/<slug> under
 * ~/.local/state/savepoint). */
static void
test_library_id_dotdot (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *documents = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *ini = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("library-id");
  g_free (make_library (c, "Documents", "native"));
  ini = g_build_filename (c->drive, "Savepoint", "library.ini", NULL);
  edit_ini (ini, "Library", "Id", "../../../..", NULL);
  hand_drive_to_other_user (c);

  documents = g_build_filename (c->home, "documents", NULL);
  marker = g_build_filename (documents, "my-thesis.odt", NULL);
  write_file (marker, "years of work\n", 0644);
  chown_path (documents, PLAYER_UID, TRUE);

  cli_player (&play, c, NULL, TRUE, NULL, 120, "play", "documents", "--discard", NULL);
  g_assert_true (g_file_test (marker, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (play.status, !=, 0);
  g_assert_false (exists (c->out, "played"));
  g_assert_true (names_file_and_line (play.err, "library.ini"));
}

/* Item 3: Executable=../../../../bin/sh ran a shell outside the game. */
static void
test_executable_dotdot (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *game = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *escape = NULL;
  g_autofree char *arguments = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("exec-dotdot");
  game = make_library (c, "Game", "native");
  ini = g_build_filename (game, "game.ini", NULL);
  /* Enough ".." to reach / from any mount point. */
  escape = g_strconcat ("../../../../../../../../../../../..", "/bin/sh", NULL);
  arguments = g_strdup_printf ("-c;touch %s/pwned;", c->out);
  edit_ini (ini, "Game", "Executable", escape, "Arguments", arguments, NULL);
  hand_drive_to_other_user (c);

  cli_player (&play, c, NULL, TRUE, NULL, 120, "play", "game", "--discard", NULL);
  g_assert_false (exists (c->out, "pwned"));
  g_assert_cmpint (play.status, !=, 0);
}

/* Item 3: Home=../../x created folders outside the mount (in the runtime
 * folder, two levels above the mount point). */
static void
test_home_dotdot (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *game = NULL;
  g_autofree char *ini = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("home-dotdot");
  game = make_library (c, "Game", "native");
  ini = g_build_filename (game, "game.ini", NULL);
  edit_ini (ini, "Game", "Home", "../../x", NULL);
  hand_drive_to_other_user (c);

  cli_player (&play, c, NULL, TRUE, NULL, 120, "play", "game", "--discard", NULL);
  g_assert_false (exists (c->runtime, "x"));
  g_assert_cmpint (play.status, !=, 0);
  g_assert_false (exists (c->out, "played"));
}

/* Item 3: a base holding bin -> /bin with Executable=bin/sh. */
static void
test_base_symlink (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *game = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *link = NULL;
  g_autofree char *arguments = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("base-symlink");
  game = make_library (c, "Game", "native");
  ini = g_build_filename (game, "game.ini", NULL);
  link = g_build_filename (game, "base", "bin", NULL);
  g_assert_cmpint (symlink ("/bin", link), ==, 0);
  arguments = g_strdup_printf ("-c;touch %s/pwned;", c->out);
  edit_ini (ini, "Game", "Executable", "bin/sh", "Arguments", arguments, NULL);
  hand_drive_to_other_user (c);

  cli_player (&play, c, NULL, TRUE, NULL, 120, "play", "game", "--discard", NULL);
  g_assert_false (exists (c->out, "pwned"));
  g_assert_cmpint (play.status, !=, 0);
}

/* Item 4: Runner= in game.ini is a command line chosen by the drive: not
 * used without the user's approval; the default runner is used instead. */
static void
test_runner_not_approved (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *game = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *runner = NULL;
  g_autofree char *default_runner = NULL;
  g_autofree char *default_env = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("runner");
  game = make_library (c, "Game", "wine");
  ini = g_build_filename (game, "game.ini", NULL);
  runner = g_strdup_printf ("/bin/sh -c 'touch %s/pwned' sh", c->out);
  edit_ini (ini, "Game", "Runner", runner, NULL);
  hand_drive_to_other_user (c);

  /* The user's own runner, standing in for Wine. */
  default_runner = g_build_filename (c->dir, "my-wine.sh", NULL);
  {
    g_autofree char *script = g_strdup_printf ("#!/bin/sh\ntouch %s/default-runner\n", c->out);
    write_file (default_runner, script, 0755);
  }
  default_env = g_strdup_printf ("SAVEPOINT_WINE_RUNNER=%s", default_runner);

  cli_player (&play, c, NULL, TRUE, default_env, 120, "play", "game", "--discard", NULL);
  g_assert_false (exists (c->out, "pwned"));
}

/* Item 4: Environment= may not set loader variables (LD_PRELOAD) without
 * approval: dropped, the other variables kept. */
static void
test_environment_loader (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *game = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *env_path = NULL;
  g_autofree char *env = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("environment");
  game = make_library (c, "Game", "native");
  ini = g_build_filename (game, "game.ini", NULL);
  edit_ini (ini, "Game", "Environment",
            "SP_HOSTILE_KEPT=1;LD_PRELOAD=/nonexistent/sp-hostile-evil.so;", NULL);
  hand_drive_to_other_user (c);

  cli_player (&play, c, NULL, TRUE, NULL, 120, "play", "game", "--discard", NULL);
  env_path = g_build_filename (c->out, "env.txt", NULL);
  env = read_text (env_path);
  g_assert_nonnull (env);
  if (env == NULL)
    return;
  g_assert_null (strstr (env, "LD_PRELOAD="));
  g_assert_nonnull (strstr (env, "SP_HOSTILE_KEPT=1"));
}

/* Item 5: without XDG_RUNTIME_DIR the mounts go to /tmp/savepoint-<uid>;
 * another user who made that folder first must not get the player's game
 * run from a place they control. (/tmp is a tmpfs of the command's own
 * mount namespace here.) */
static void
test_runtime_folder_taken (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play = { 0 };
  g_autofree char *setup = NULL;
  g_autofree char *fallback = g_strdup_printf ("/tmp/savepoint-%u", PLAYER_UID);

  if (skip_if_needed ())
    return;
  c = case_new ("runtime-folder");
  g_free (make_library (c, "Game", "native"));
  hand_drive_to_other_user (c);

  setup = g_strdup_printf ("mount -t tmpfs sp-hostile-tmp /tmp && mkdir -m 0777 %s && "
                           "chown %u:%u %s && chmod 0777 %s",
                           fallback, OTHER_UID, OTHER_UID, fallback, fallback);
  cli_player (&play, c, setup, FALSE, NULL, 120, "play", "game", "--discard", NULL);
  g_assert_false (exists (c->out, "played"));
  g_assert_cmpint (play.status, !=, 0);
  g_assert_nonnull (play.err);
  g_assert_nonnull (strstr (play.err, fallback));
}

/* Item 6: a FIFO as library.ini hung every command. */
static void
test_library_fifo (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) list = { 0 };
  g_autofree char *ini = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("library-fifo");
  g_free (make_library (c, "Game", "native"));
  ini = g_build_filename (c->drive, "Savepoint", "library.ini", NULL);
  g_assert_cmpint (g_unlink (ini), ==, 0);
  g_assert_cmpint (mkfifo (ini, 0666), ==, 0);
  hand_drive_to_other_user (c);

  cli_player (&list, c, NULL, TRUE, NULL, 20, "list", NULL);
  g_assert_cmpint (list.status, !=, 124);   /* timeout(1): it hung */
  g_assert_cmpint (list.status, >, 0);
  g_assert_nonnull (list.err);
  g_assert_nonnull (strstr (list.err, "library.ini"));
}

/* Item 6: library.ini -> /dev/zero allocated 4 GiB. Here a reader is
 * bounded (an address-space limit of 1 GiB, or ASan's largest allocation
 * under ASan, which reserves more address space): it must be refused
 * without reading, its peak memory far below that. */
static void
test_library_dev_zero (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) list = { 0 };
  g_autofree char *ini = NULL;
  g_autofree char *asan_options = NULL;
  struct rusage usage;

  if (skip_if_needed ())
    return;
  c = case_new ("library-dev-zero");
  g_free (make_library (c, "Game", "native"));
  ini = g_build_filename (c->drive, "Savepoint", "library.ini", NULL);
  g_assert_cmpint (g_unlink (ini), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", ini), ==, 0);
  hand_drive_to_other_user (c);

  /* Under ASan the same bound comes from its allocator. */
  if (cli_has_asan)
    {
      const char *options = g_getenv ("ASAN_OPTIONS");

      asan_options = g_strdup_printf ("ASAN_OPTIONS=%s%smax_allocation_size_mb=512",
                                      options ? options : "", options ? ":" : "");
    }
  cli_player (&list, c, cli_has_asan ? NULL : "prlimit --pid $$ --as=1073741824", TRUE,
              asan_options, 20, "list", NULL);
  /* The largest of the commands run so far (all of them small). */
  g_assert_true (getrusage (RUSAGE_CHILDREN, &usage) == 0);
  g_test_message ("peak memory of the commands so far: %ld KiB", usage.ru_maxrss);
  g_assert_cmpint (usage.ru_maxrss, <, 256 * 1024);
  g_assert_cmpint (list.status, !=, 124);
  g_assert_cmpint (list.status, >, 0);     /* exited, not killed by a signal */
  g_assert_nonnull (list.err);
  g_assert_nonnull (strstr (list.err, "library.ini"));
}

/* Issue 16: retention as the player on another user's drive. The drive's
 * trash holds a link to the player's home and an entry whose marker names
 * a file outside it: pruning and emptying remove only Savepoint's own
 * files. A hostile [Retention] value prunes nothing and names its line. */
static void
test_retention_trash (void)
{
  g_autoptr(Case) c = NULL;
  g_auto(Result) play2 = { 0 };
  g_auto(Result) play3 = { 0 };
  g_auto(Result) dry = { 0 };
  g_auto(Result) prune = { 0 };
  g_auto(Result) empty = { 0 };
  g_auto(Result) bad = { 0 };
  g_auto(Result) du = { 0 };
  g_auto(Result) play4 = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *game_ini = NULL;
  g_autofree char *trash = NULL;
  g_autofree char *link = NULL;
  g_autofree char *victim = NULL;
  g_autofree char *victim_ini = NULL;
  g_autofree char *evil = NULL;
  g_autofree char *checkpoints = NULL;

  if (skip_if_needed ())
    return;
  c = case_new ("retention-trash");
  id = play_and_keep (c);
  if (id == NULL)
    return;
  cli_player (&play2, c, NULL, TRUE, NULL, 120, "play", "game", "--keep", "second", NULL);
  g_assert_cmpint (play2.status, ==, 0);
  cli_player (&play3, c, NULL, TRUE, NULL, 120, "play", "game", "--keep", "third", NULL);
  g_assert_cmpint (play3.status, ==, 0);

  /* The drive's owner sets the rules and plants a trash. */
  game_ini = g_build_filename (c->drive, "Savepoint", "games", "game", "game.ini", NULL);
  edit_ini (game_ini, "Retention", "KeepLast", "1", NULL);
  trash = g_build_filename (c->drive, "Savepoint", "trash", NULL);
  victim = g_build_filename (c->home, "victim.tar.zst", NULL);
  victim_ini = g_build_filename (c->home, "savepoint-trash.ini", NULL);
  write_file (victim, "the player's file\n", 0644);
  write_file (victim_ini, "[Trash]\nVersion=1\nGame=game\nCheckpoint=victim\n"
              "Trashed=2000-01-01T00:00:00Z\n", 0644);
  chown_path (victim, PLAYER_UID, FALSE);
  chown_path (victim_ini, PLAYER_UID, FALSE);
  g_assert_cmpint (g_mkdir (trash, 0777), ==, 0);
  link = g_build_filename (trash, "game.link", NULL);
  g_assert_cmpint (symlink (c->home, link), ==, 0);
  evil = g_build_filename (trash, "game.evil", NULL);
  g_assert_cmpint (g_mkdir (evil, 0777), ==, 0);
  {
    g_autofree char *marker = g_build_filename (evil, "savepoint-trash.ini", NULL);
    g_autofree char *target = g_strdup_printf ("[Trash]\nVersion=1\nGame=game\n"
                                               "Checkpoint=../../../home/victim\n"
                                               "Trashed=2000-01-01T00:00:00Z\n");
    write_file (marker, target, 0666);
  }
  hand_drive_to_other_user (c);

  checkpoints = g_build_filename (c->drive, "Savepoint", "games", "game", "checkpoints", NULL);
  cli_player (&dry, c, NULL, TRUE, NULL, 60, "prune", "game", "--dry-run", NULL);
  g_assert_cmpint (dry.status, ==, 0);
  g_assert_nonnull (strstr (dry.out, id));
  {
    g_autofree char *first_ini = g_strdup_printf ("%s.ini", id);
    g_assert_true (exists (checkpoints, first_ini));
  }

  cli_player (&prune, c, NULL, TRUE, NULL, 60, "prune", "game", NULL);
  g_assert_cmpint (prune.status, ==, 0);
  g_assert_nonnull (strstr (prune.out, "2 checkpoints of “Game” were moved"));
  {
    g_autofree char *first_ini = g_strdup_printf ("%s.ini", id);
    g_assert_false (exists (checkpoints, first_ini));
  }

  cli_player (&empty, c, NULL, TRUE, NULL, 60, "prune", "game", "--empty-trash", NULL);
  g_assert_cmpint (empty.status, ==, 0);
  g_assert_nonnull (strstr (empty.out, "2 checkpoints were removed from the drive’s trash"));
  g_assert_true (g_file_test (victim, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (victim_ini, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (exists (evil, "savepoint-trash.ini"));

  cli_player (&du, c, NULL, TRUE, NULL, 60, "--json", "du", NULL);
  g_assert_cmpint (du.status, ==, 0);
  g_assert_nonnull (strstr (du.out, "\"trash_entries\" : 0"));

  /* Keeping a run applies the rules and says what went. */
  cli_player (&play4, c, NULL, TRUE, NULL, 120, "play", "game", "--keep", "fourth", NULL);
  g_assert_cmpint (play4.status, ==, 0);
  g_assert_nonnull (strstr (play4.out, "Retention moved 1 old checkpoint to the drive’s trash"));
  g_assert_nonnull (strstr (play4.out, "third"));

  edit_ini (game_ini, "Retention", "KeepLast", "1e9", NULL);
  cli_player (&bad, c, NULL, TRUE, NULL, 60, "prune", "game", NULL);
  g_assert_cmpint (bad.status, ==, 4);
  g_assert_true (names_file_and_line (bad.err, "game.ini"));
}

/* ------------------------------------------------------------------------ */

static gboolean
ensure_user (uid_t       uid,
             const char *name)
{
  g_autofree char *uid_str = g_strdup_printf ("%u", (guint) uid);
  g_autofree char *err = NULL;
  const char *argv[] = { "useradd", "--uid", uid_str, "--no-create-home", "--home-dir", "/nonexistent",
                         "--shell", "/usr/sbin/nologin", name, NULL };

  if (getpwuid (uid) != NULL)
    return TRUE;
  if (!run_root (argv, &err))
    {
      skip_reason = g_strdup_printf ("could not create the user %s (uid %u) with useradd: %s",
                                     name, (guint) uid, err ? err : "");
      return FALSE;
    }
  return TRUE;
}

/* A copy of the built program @path that the player can run: the build
 * folder may lie in a home the player cannot enter (/root/… on a fresh
 * machine). */
static char *
copy_for_player (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *bin = g_build_filename (test_root, "bin", NULL);
  char *copy = g_build_filename (bin, base, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (copy, 0755), ==, 0);
  return copy;
}

static void
check_environment (void)
{
  struct stat st;

  if (geteuid () != 0)
    {
      skip_reason = g_strdup ("needs root: creates a user (uid 1500) and runs the CLI as it");
      return;
    }
  for (const char * const *tool = (const char * const[]) { "useradd", "setpriv", "unshare",
                                                           "timeout", "prlimit", NULL };
       *tool != NULL; tool++)
    {
      g_autofree char *path = g_find_program_in_path (*tool);

      if (path == NULL)
        {
          skip_reason = g_strdup_printf ("%s is not installed", *tool);
          return;
        }
    }
  if (stat ("/dev/fuse", &st) != 0)
    {
      skip_reason = g_strdup_printf ("/dev/fuse is missing: %s", g_strerror (errno));
      return;
    }
  {
    g_autofree char *fusermount = g_find_program_in_path ("fusermount3");

    if (fusermount == NULL || stat (fusermount, &st) != 0 || !(st.st_mode & S_ISUID) ||
        st.st_uid != 0)
      {
        skip_reason = g_strdup ("fusermount3 is missing or not setuid root: a normal user cannot mount");
        return;
      }
  }
  if (!ensure_user (PLAYER_UID, "sp-player") || !ensure_user (OTHER_UID, "sp-other"))
    return;
  /* As desktops have it (udev's "uaccess"/0666 rule): normal users open it. */
  if (g_chmod ("/dev/fuse", 0666) != 0)
    {
      skip_reason = g_strdup_printf ("cannot make /dev/fuse usable by a normal user: %s",
                                     g_strerror (errno));
      return;
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* Each case is its own test line: a failed check fails that case only. */
  g_test_set_nonfatal_assertions ();

  check_environment ();
  if (skip_reason == NULL)
    {
      g_autofree char *cli = NULL;
      gsize len;

      /* Not under /tmp: one case hides /tmp under a tmpfs. Traversable by
       * the player. */
      test_root = g_build_filename ("/var/tmp", "sp-hostile-XXXXXX", NULL);
      g_assert_nonnull (g_mkdtemp (test_root));
      g_assert_cmpint (g_chmod (test_root, 0755), ==, 0);
      if (g_file_get_contents (g_getenv ("SP_CLI"), &cli, &len, NULL))
        cli_has_asan = memmem (cli, len, "__asan_init", strlen ("__asan_init")) != NULL;
      player_cli = copy_for_player (g_getenv ("SP_CLI"));
      player_run = copy_for_player (g_getenv ("SAVEPOINT_RUN"));
    }

  g_test_add_func ("/hostile/control", test_control);
  g_test_add_func ("/hostile/library-id-dotdot", test_library_id_dotdot);
  g_test_add_func ("/hostile/executable-dotdot", test_executable_dotdot);
  g_test_add_func ("/hostile/home-dotdot", test_home_dotdot);
  g_test_add_func ("/hostile/base-symlink", test_base_symlink);
  g_test_add_func ("/hostile/runner-not-approved", test_runner_not_approved);
  g_test_add_func ("/hostile/environment-loader", test_environment_loader);
  g_test_add_func ("/hostile/runtime-folder-taken", test_runtime_folder_taken);
  g_test_add_func ("/hostile/library-fifo", test_library_fifo);
  g_test_add_func ("/hostile/library-dev-zero", test_library_dev_zero);
  g_test_add_func ("/hostile/export-existing", test_export_existing);
  g_test_add_func ("/hostile/retention-trash", test_retention_trash);
  ret = g_test_run ();

  if (test_root != NULL)
    {
      const char *rm[] = { "rm", "-rf", "--one-file-system", test_root, NULL };

      run_root (rm, NULL);
    }
  g_free (test_root);
  g_free (player_cli);
  g_free (player_run);
  g_free (skip_reason);
  return ret;
}
