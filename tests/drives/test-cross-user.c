/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Another machine, another uid: a library and a native game added by one
 * account (uid 1000, whose files the clean install keeps), played and kept
 * by another (uid 1500), which writes into a folder of the clean install,
 * keeps, plays again and reads its save back; then uid 1000 resumes uid
 * 1500's checkpoint. The real savepoint-cli, savepoint-run and overlay,
 * each run as the account with setpriv.
 *
 * The drive is a plain folder. A drive carried to another computer keeps
 * the uids of the one that wrote it; here the library's own files
 * (library.ini, game.ini, checkpoints/) are handed to whoever plays next
 * (as its owner does with chown on a computer where its uid differs),
 * while the clean install (base/) keeps uid 1000's files throughout: the
 * overlay's squash makes it the player's, and adding made it readable.
 *
 * Needs root (to create the accounts and switch to them), /dev/fuse and a
 * setuid fusermount3; skips with the reason otherwise. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITER_UID 1000   /* machine A: added the game */
#define PLAYER_UID 1500   /* machine B: plays it */

typedef struct
{
  char *dir;      /* the test's folder, traversable by both */
  char *drive;
  char *source;   /* the game's install before `add`, uid 1000's */
  char *proof;    /* where the game writes what it saw */
  char *cli;
  char *run;
} Env;

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

/* Runs @argv as root; TRUE when it exits 0. */
static gboolean
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    {
      g_test_message ("%s: %s", cmd, error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("%s failed: %s", cmd, err);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ensure_user (uid_t       uid,
             const char *name)
{
  g_autofree char *id = g_strdup_printf ("%u", (guint) uid);
  const char *useradd[] = { "useradd", "--uid", id, "--no-create-home", "--home-dir",
                            "/nonexistent", "--shell", "/usr/sbin/nologin", name, NULL };

  return getpwuid (uid) != NULL || run (useradd);
}

static char *
skip_reason (void)
{
  g_autofree char *fusermount = g_find_program_in_path ("fusermount3");
  struct stat st;

  if (geteuid () != 0)
    return g_strdup ("needs root: creates accounts and runs the CLI as each");
  if (access ("/dev/fuse", R_OK | W_OK) != 0)
    return g_strdup_printf ("/dev/fuse cannot be opened: %s", g_strerror (errno));
  for (const char * const *tool = (const char * const[]) { "setpriv", "install", "find",
                                                           "chown", NULL };
       *tool != NULL; tool++)
    {
      g_autofree char *path = g_find_program_in_path (*tool);

      if (path == NULL)
        return g_strdup_printf ("%s is not installed", *tool);
    }
  if (fusermount == NULL || stat (fusermount, &st) != 0 || !(st.st_mode & S_ISUID))
    return g_strdup ("fusermount3 is missing or not setuid root: a normal user cannot mount");
  if (!ensure_user (WRITER_UID, "sp-writer"))
    return g_strdup ("could not create an account with uid 1000 (useradd)");
  if (!ensure_user (PLAYER_UID, "sp-player"))
    return g_strdup ("could not create the account sp-player (uid 1500, useradd)");
  /* As desktops have it: normal users open /dev/fuse. */
  if (g_chmod ("/dev/fuse", 0666) != 0)
    return g_strdup_printf ("cannot make /dev/fuse usable by a normal user: %s",
                            g_strerror (errno));
  return NULL;
}

static char *
mkdir_for (const char *dir,
           const char *name,
           uid_t       uid,
           mode_t      mode)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, mode), ==, 0);
  g_assert_cmpint (chown (path, uid, uid), ==, 0);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

static void
write_for (const char *path,
           const char *contents,
           uid_t       uid,
           mode_t      mode)
{
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (chown (path, uid, uid), ==, 0);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static Env *
env_new (void)
{
  Env *e = g_new0 (Env, 1);
  g_autofree char *data = NULL;
  g_autofree char *file = NULL;

  /* Not under /root or a private /tmp: both accounts must reach it. */
  e->dir = g_build_filename ("/var/tmp", "sp-cross-user-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (e->dir));
  g_assert_cmpint (g_chmod (e->dir, 0755), ==, 0);
  e->drive = mkdir_for (e->dir, "drive", WRITER_UID, 0755);
  e->source = mkdir_for (e->dir, "source", WRITER_UID, 0755);
  /* Both write what they saw there. */
  e->proof = mkdir_for (e->dir, "proof", 0, 0777);
  for (uid_t uid = WRITER_UID; uid <= PLAYER_UID; uid += PLAYER_UID - WRITER_UID)
    {
      g_autofree char *home = g_strdup_printf ("home-%u", (guint) uid);
      g_autofree char *runtime = g_strdup_printf ("runtime-%u", (guint) uid);

      g_free (mkdir_for (e->dir, home, uid, 0700));
      g_free (mkdir_for (e->dir, runtime, uid, 0700));
    }

  /* The game as uid 1000 installed it: a script that reads its settings
   * (private to uid 1000 in the source: 0600), counts the runs in its save
   * in a folder of the install, and adds one. Any failure fails the run. */
  file = g_build_filename (e->source, "game.sh", NULL);
  write_for (file,
             "#!/bin/sh\n"
             "cd \"$(dirname \"$0\")\" || exit 1\n"
             "grep -q volume=7 data/settings.cfg || exit 3\n"
             "if [ -f data/save.txt ]; then wc -l < data/save.txt > \"$1/seen\"; "
             "else echo 0 > \"$1/seen\"; fi\n"
             "echo \"run by $(id -u)\" >> data/save.txt || exit 4\n"
             "echo \"$(id -u)\" >> data/log.txt || exit 5\n"
             "mkdir -p data/slots/1 && echo slot > data/slots/1/slot.sav || exit 6\n",
             WRITER_UID, 0700);
  data = mkdir_for (e->source, "data", WRITER_UID, 0755);
  g_clear_pointer (&file, g_free);
  file = g_build_filename (data, "settings.cfg", NULL);
  write_for (file, "volume=7\n", WRITER_UID, 0600);
  g_clear_pointer (&file, g_free);
  file = g_build_filename (data, "log.txt", NULL);
  write_for (file, "installed\n", WRITER_UID, 0644);

  /* The built programs, where both can run them. */
  {
    g_autofree char *bin = g_build_filename (e->dir, "bin", NULL);
    const char *argv[] = { "install", "-m", "0755", "-D", "-t", bin, g_getenv ("SP_CLI"),
                           g_getenv ("SAVEPOINT_RUN"), NULL };
    g_autofree char *cli_name = g_path_get_basename (g_getenv ("SP_CLI"));
    g_autofree char *run_name = g_path_get_basename (g_getenv ("SAVEPOINT_RUN"));

    g_assert_true (run (argv));
    e->cli = g_build_filename (bin, cli_name, NULL);
    e->run = g_build_filename (bin, run_name, NULL);
  }
  return e;
}

static void
env_free (Env *e)
{
  const char *rm[] = { "rm", "-rf", "--one-file-system", e->dir, NULL };

  run (rm);
  g_free (e->dir);
  g_free (e->drive);
  g_free (e->source);
  g_free (e->proof);
  g_free (e->cli);
  g_free (e->run);
  g_free (e);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

/* Runs @argv as @uid, with its own HOME and runtime folder, the
 * environment @extra (may be NULL) and bounded in time. */
static void
run_as (Result             *r,
        Env                *e,
        uid_t               uid,
        const char * const *extra,
        const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *program = args[0];
  int status;

  result_clear (r);
  g_ptr_array_add (argv, g_strdup ("timeout"));
  g_ptr_array_add (argv, g_strdup ("--kill-after=5"));
  g_ptr_array_add (argv, g_strdup ("240"));
  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", (guint) uid));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", (guint) uid));
  g_ptr_array_add (argv, g_strdup ("--init-groups"));
  g_ptr_array_add (argv, g_strdup ("env"));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
  g_ptr_array_add (argv, g_strdup ("LC_ALL=C.UTF-8"));
  g_ptr_array_add (argv, g_strdup_printf ("HOME=%s/home-%u", e->dir, (guint) uid));
  g_ptr_array_add (argv, g_strdup_printf ("XDG_RUNTIME_DIR=%s/runtime-%u", e->dir, (guint) uid));
  g_ptr_array_add (argv, g_strdup_printf ("SAVEPOINT_RUN=%s", e->run));
  for (const char * const *name = (const char * const[]) { "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                                            "LSAN_OPTIONS", NULL };
       *name != NULL; name++)
    if (g_getenv (*name))
      g_ptr_array_add (argv, g_strdup_printf ("%s=%s", *name, g_getenv (*name)));
  for (; extra != NULL && *extra != NULL; extra++)
    g_ptr_array_add (argv, g_strdup (*extra));
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (e->dir, (char **) argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, &r->out, &r->err, &status, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
  g_test_message ("uid %u: %s: exit %d\nstdout: %s\nstderr: %s", (guint) uid, program,
                  r->status, r->out, r->err);
}

/* Runs savepoint-cli ARGS… as @uid. */
static void
cli (Result *r,
     Env    *e,
     uid_t   uid,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, e->cli);
  va_start (args, uid);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_as (r, e, uid, NULL, (const char * const *) argv->pdata);
}

static gboolean
ok (Result *r)
{
  g_assert_cmpint (r->status, ==, 0);
  return r->status == 0;
}

#define STEP(call) G_STMT_START { call; if (g_test_failed ()) return; } G_STMT_END

/* The drive reaches @uid's computer: the library's own files become its,
 * the clean install stays as uid 1000 wrote it. */
static void
hand_over (Env   *e,
           uid_t  uid)
{
  g_autofree char *library = g_build_filename (e->drive, "Savepoint", NULL);
  g_autofree char *owner = g_strdup_printf ("%u:%u", (guint) uid, (guint) uid);
  const char *argv[] = { "find", library, "-path", "*/games/*/base", "-prune", "-o",
                         "-exec", "chown", "-h", owner, "{}", "+", NULL };

  g_assert_true (run (argv));
  g_assert_cmpint (chown (e->drive, uid, uid), ==, 0);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  if (error != NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

static guint
count_checkpoints (Env   *e,
                   uid_t  uid)
{
  g_auto(Result) r = { 0 };
  g_autoptr(JsonNode) root = NULL;

  cli (&r, e, uid, "--library", e->drive, "--json", "checkpoints", "demo", NULL);
  if (!ok (&r))
    return 0;
  root = parse_json (r.out);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return 0;
  return json_array_get_length (json_node_get_array (root));
}

static void
play_and_keep (Env        *e,
               uid_t       uid,
               const char *label,
               const char *expect_seen)
{
  g_auto(Result) r = { 0 };
  g_autofree char *seen_path = g_build_filename (e->proof, "seen", NULL);
  g_autofree char *seen = NULL;

  g_unlink (seen_path);
  cli (&r, e, uid, "--library", e->drive, "play", "demo", "--keep", label, NULL);
  if (!ok (&r))
    return;
  g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL));
  g_assert_cmpstr (g_strstrip (seen), ==, expect_seen);
}

/* The clean install on the drive: as uid 1000 added it, whoever played. */
static void
assert_clean_install_kept (Env *e)
{
  g_autofree char *base = g_build_filename (e->drive, "Savepoint", "games", "demo", "base",
                                            NULL);
  g_autofree char *save = g_build_filename (base, "data", "save.txt", NULL);
  g_autofree char *log = g_build_filename (base, "data", "log.txt", NULL);
  g_autofree char *settings = g_build_filename (base, "data", "settings.cfg", NULL);
  g_autofree char *source_settings = g_build_filename (e->source, "data", "settings.cfg", NULL);
  g_autofree char *text = NULL;
  struct stat st;

  /* The clean install is never written: no save, the log as installed. */
  g_assert_false (g_file_test (save, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "installed\n");
  /* uid 1000's files, readable by all in the copy; the source unchanged. */
  g_assert_cmpint (lstat (settings, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, WRITER_UID);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);
  g_assert_cmpint (lstat (source_settings, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

static void
test_native_cross_user (void)
{
  g_autofree char *reason = skip_reason ();
  g_autoptr(Env) e = NULL;
  g_auto(Result) r = { 0 };

  if (reason != NULL)
    {
      g_test_skip (reason);
      return;
    }
  e = env_new ();

  /* Machine A, uid 1000: the library and the game. */
  STEP (cli (&r, e, WRITER_UID, "init", e->drive, NULL); ok (&r));
  STEP (cli (&r, e, WRITER_UID, "--library", e->drive, "add", "Demo", e->source,
             "--exec", "game.sh", "--kind", "native", "--arg", e->proof, NULL); ok (&r));
  STEP (assert_clean_install_kept (e));

  /* A folder already on the drive, adopted: moved, made readable in
   * place, and the CLI says so. */
  {
    g_autofree char *folder = mkdir_for (e->drive, "Adopt Me", WRITER_UID, 0700);
    g_autofree char *secret = g_build_filename (folder, "secret.cfg", NULL);
    g_autofree char *adopted = g_build_filename (e->drive, "Savepoint", "games", "adopted", "base",
                                                 NULL);
    g_autofree char *adopted_secret = g_build_filename (adopted, "secret.cfg", NULL);
    struct stat st;

    write_for (secret, "x", WRITER_UID, 0600);
    STEP (cli (&r, e, WRITER_UID, "--library", e->drive, "add", "Adopted", folder, "--adopt",
               "--exec", "secret.cfg", "--kind", "native", NULL); ok (&r));
    g_assert_nonnull (strstr (r.out, "a+rX"));
    g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
    g_assert_cmpint (lstat (adopted, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0755);
    g_assert_cmpint (lstat (adopted_secret, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0644);
  }

  /* Machine B, uid 1500: the game writes into data/ (uid 1000's 0755
   * folder), appends to data/log.txt (uid 1000's 0644 file) and reads
   * data/settings.cfg (0600 in uid 1000's source). Before: EACCES, and
   * the run was kept as an empty checkpoint. */
  hand_over (e, PLAYER_UID);
  STEP (cli (&r, e, PLAYER_UID, "--library", e->drive, "verify", NULL); ok (&r));
  STEP (play_and_keep (e, PLAYER_UID, "first on B", "0"));
  STEP (play_and_keep (e, PLAYER_UID, "second on B", "1"));
  STEP (g_assert_cmpuint (count_checkpoints (e, PLAYER_UID), ==, 2));
  STEP (assert_clean_install_kept (e));

  /* Back to uid 1000, who resumes uid 1500's checkpoint. */
  hand_over (e, WRITER_UID);
  STEP (play_and_keep (e, WRITER_UID, "third on A", "2"));
  STEP (g_assert_cmpuint (count_checkpoints (e, WRITER_UID), ==, 3));
  /* The save holds all three runs, by who made them. */
  {
    g_autofree char *out = g_build_filename (e->dir, "restored", NULL);
    g_autofree char *save = g_build_filename (out, "data", "save.txt", NULL);
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) root = NULL;
    const char *head;

    cli (&r, e, WRITER_UID, "--library", e->drive, "--json", "checkpoints", "demo", NULL);
    STEP (ok (&r));
    root = parse_json (r.out);
    head = json_object_get_string_member (json_array_get_object_element (
                                            json_node_get_array (root), 0), "id");
    /* The checkpoint's files, unpacked as root: owned by root, not by the
     * uids that packed them. */
    {
      g_autofree char *archive = g_strdup_printf ("%s/Savepoint/games/demo/checkpoints/%s.tar.zst",
                                                  e->drive, head);
      const char *tar[] = { "tar", "--zstd", "-xf", archive, "-C", out, NULL };
      const char *list[] = { "tar", "--zstd", "--numeric-owner", "-tvf", archive, NULL };
      g_autofree char *listing = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
      STEP (g_assert_true (run (tar)));
      g_assert_true (g_spawn_sync (NULL, (char **) list, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &listing, NULL, NULL, &error));
      g_assert_no_error (error);
      /* Every entry 0/0: no host uid in the archive. */
      g_assert_null (strstr (listing, " 1000/"));
      g_assert_null (strstr (listing, " 1500/"));
      g_assert_nonnull (strstr (listing, " 0/0 "));
    }
    g_assert_true (g_file_get_contents (save, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "run by 1500\nrun by 1500\nrun by 1000\n");
  }

  /* A file of the clean install the player cannot read is a finding of
   * verify, with its path. */
  {
    g_autofree char *locked = g_build_filename (e->drive, "Savepoint", "games", "demo", "base",
                                                "data", "locked.bin", NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonArray *problems;
    gboolean found = FALSE;

    write_for (locked, "x", WRITER_UID, 0600);
    hand_over (e, PLAYER_UID);
    cli (&r, e, PLAYER_UID, "--library", e->drive, "--json", "verify", NULL);
    g_assert_cmpint (r.status, !=, 0);
    root = parse_json (r.out);
    STEP (g_assert_true (JSON_NODE_HOLDS_OBJECT (root)));
    problems = json_object_get_array_member (json_node_get_object (root), "problems");
    for (guint i = 0; i < json_array_get_length (problems); i++)
      {
        JsonObject *p = json_array_get_object_element (problems, i);

        if (g_strcmp0 (json_object_get_string_member (p, "kind"), "unreadable") == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (p, "path"), ==, locked);
            found = TRUE;
          }
      }
    g_assert_true (found);
    g_assert_cmpint (g_unlink (locked), ==, 0);
    cli (&r, e, PLAYER_UID, "--library", e->drive, "verify", NULL);
    STEP (ok (&r));
  }
}

/* The names of /tmp/wine-* now. */
static GHashTable *
wine_tmp_dirs (void)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) tmp = g_dir_open ("/tmp", 0, NULL);
  const char *name;

  while (tmp != NULL && (name = g_dir_read_name (tmp)) != NULL)
    if (g_str_has_prefix (name, "wine-"))
      g_hash_table_add (names, g_strdup (name));
  return names;
}

/* Debian's Wine keeps its server folder in /tmp/wine-XXXXXX and records
 * the name in the prefix (the file "wineserver"), which travels in the
 * checkpoint. Another computer has its own /tmp, where Wine makes the
 * folder anew; on this one, uid 1000's folder would still be there and
 * refuse uid 1500 ("chdir … Permission denied"). What uid @uid's Wine
 * made in /tmp since @before goes, as it does not come along to machine B. */
static void
leave_machine (GHashTable *before,
               uid_t       uid)
{
  g_autoptr(GHashTable) now = wine_tmp_dirs ();
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      g_autofree char *path = g_build_filename ("/tmp", name, NULL);
      const char *rm[] = { "rm", "-rf", "--one-file-system", path, NULL };
      struct stat st;

      if (g_hash_table_contains (before, name) || lstat (path, &st) != 0 ||
          !S_ISDIR (st.st_mode) || st.st_uid != uid)
        continue;
      g_assert_true (run (rm));
    }
}

#define WINE_ENV "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="

/* A Wine game: a prefix made by wineboot as uid 1000 (profile "alice"),
 * whose batch file saves under %APPDATA% and, once it finds a save
 * (resuming), also writes into C:\ProgramData, a folder of the clean
 * install no earlier run touched. Played and kept by uid 1000, then
 * resumed by uid 1500 (issue 13, item 5). */
static void
test_wine_cross_user (void)
{
  g_autofree char *reason = skip_reason ();
  g_autofree char *wine = g_find_program_in_path ("wine");
  g_autofree char *wineboot = g_find_program_in_path ("wineboot");
  g_autoptr(Env) e = NULL;
  g_auto(Result) r = { 0 };
  g_autofree char *prefix = NULL;
  g_autofree char *prefix_env = NULL;
  g_autofree char *bat = NULL;
  g_autofree char *bat_text = NULL;
  g_autofree char *proof_win = NULL;
  g_autofree char *seen_path = NULL;
  g_autofree char *resumed_path = NULL;
  g_autofree char *seen = NULL;
  g_autoptr(GHashTable) tmp_before = NULL;

  if (reason == NULL && (wine == NULL || wineboot == NULL))
    reason = g_strdup ("Wine is not installed (apt-get install wine wine64)");
  if (reason != NULL)
    {
      g_test_skip (reason);
      return;
    }
  e = env_new ();
  tmp_before = wine_tmp_dirs ();
  prefix = mkdir_for (e->dir, "wine-game", WRITER_UID, 0755);
  prefix_env = g_strdup_printf ("WINEPREFIX=%s", prefix);
  {
    const char *extra[] = { prefix_env, "USER=alice", "LOGNAME=alice", WINE_ENV, NULL };
    const char *boot[] = { "wineboot", "-i", NULL };
    const char *wait[] = { "wineserver", "-w", NULL };

    run_as (&r, e, WRITER_UID, extra, boot);
    STEP (ok (&r));
    run_as (&r, e, WRITER_UID, extra, wait);
    STEP (ok (&r));
  }
  /* Z: is the host's root: the batch file reports there what it saw. */
  proof_win = g_strdelimit (g_strdup_printf ("Z:%s", e->proof), "/", '\\');
  bat = g_build_filename (prefix, "drive_c", "game.bat", NULL);
  bat_text = g_strdup_printf ("@echo off\r\n"
                              "if exist \"%%APPDATA%%\\save.txt\" echo resumed>>C:\\ProgramData\\resumed.txt\r\n"
                              "if exist C:\\ProgramData\\resumed.txt copy /y C:\\ProgramData\\resumed.txt %s\\resumed.txt >nul\r\n"
                              "echo run>>\"%%APPDATA%%\\save.txt\"\r\n"
                              "copy /y \"%%APPDATA%%\\save.txt\" %s\\seen.txt >nul\r\n",
                              proof_win, proof_win);
  write_for (bat, bat_text, WRITER_UID, 0644);
  seen_path = g_build_filename (e->proof, "seen.txt", NULL);
  resumed_path = g_build_filename (e->proof, "resumed.txt", NULL);

  STEP (cli (&r, e, WRITER_UID, "init", e->drive, NULL); ok (&r));
  STEP (cli (&r, e, WRITER_UID, "--library", e->drive, "add", "Demo", prefix, "--kind", "wine",
             "--exec", "drive_c/windows/system32/cmd.exe", "--arg", "/c", "--arg", "C:\\game.bat",
             "--env", "WINEDEBUG=-all", "--env", "WINEDLLOVERRIDES=mscoree,mshtml=", NULL); ok (&r));

  /* uid 1000 plays and keeps. */
  STEP (cli (&r, e, WRITER_UID, "--library", e->drive, "play", "demo", "--keep", "on A", NULL);
        ok (&r));
  STEP (g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL)));
  g_assert_cmpstr (seen, ==, "run\r\n");
  g_assert_false (g_file_test (resumed_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&seen, g_free);
  g_assert_cmpint (g_unlink (seen_path), ==, 0);

  /* uid 1500 resumes it: its save is there, and C:\ProgramData (uid
   * 1000's folder) takes its write. */
  leave_machine (tmp_before, WRITER_UID);
  hand_over (e, PLAYER_UID);
  STEP (cli (&r, e, PLAYER_UID, "--library", e->drive, "play", "demo", "--keep", "on B", NULL);
        ok (&r));
  STEP (g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL)));
  g_assert_cmpstr (seen, ==, "run\r\nrun\r\n");
  g_assert_true (g_file_test (resumed_path, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (strstr (r.out, "exited with status 0"));
  STEP (g_assert_cmpuint (count_checkpoints (e, PLAYER_UID), ==, 2));
  leave_machine (tmp_before, PLAYER_UID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/cross-user/native", test_native_cross_user);
  g_test_add_func ("/cross-user/wine", test_wine_cross_user);
  return g_test_run ();
}
