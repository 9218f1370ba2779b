/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "play/sp-run-owner.h"
#include "sp-cli.h"

typedef enum
{
  DECIDE_DEFAULT,
  DECIDE_KEEP,
  DECIDE_DISCARD,
  DECIDE_ASK,
  DECIDE_LEAVE,
} Decision;

/* Reads one line from the terminal; NULL at end of input. */
static char *
read_answer (void)
{
  char buf[1024];

  if (fgets (buf, sizeof buf, stdin) == NULL)
    return NULL;
  return g_strstrip (g_strdup (buf));
}

/* TRUE when @answer is one of the "|"-separated @choices (case-insensitive,
 * any script). */
gboolean
sp_cli_answer_is (const char *answer,
                  const char *choices)
{
  g_auto(GStrv) words = g_strsplit (choices, "|", -1);
  g_autofree char *folded = g_utf8_casefold (answer, -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *word = g_utf8_casefold (words[i], -1);

      if (*word != '\0' && g_str_equal (folded, word))
        return TRUE;
    }
  return FALSE;
}

/* Asks keep/discard/later. Returns the decision and, for keep, the label.
 * The English answers always work; translations add their own words, which
 * the translated prompt names. */
static Decision
ask_decision (const char  *game_name,
              gboolean     on_stderr,
              char       **out_label)
{
  g_autofree char *answer = NULL;
  FILE *out = on_stderr ? stderr : stdout;

  fprintf (out, _("Keep this run of “%s” as a checkpoint?\n"
                  "  [Y]es, [n]o (discard it), [l]ater (decide later with “savepoint-cli recover”),\n"
                  "  or type a label to keep it under that name: "),
           game_name);
  fflush (out);

  answer = read_answer ();
  *out_label = NULL;
  if (answer == NULL)
    return DECIDE_LEAVE;
  if (answer[0] == '\0' || sp_cli_answer_is (answer, "y|yes")
      /* Translators: the answers that keep a run, separated by "|"; name
       * the first one in the prompt “[Y]es, [n]o …”. */
      || sp_cli_answer_is (answer, C_("keep answers", "y|yes")))
    return DECIDE_KEEP;
  if (sp_cli_answer_is (answer, "n|no")
      /* Translators: the answers that discard a run, separated by "|". */
      || sp_cli_answer_is (answer, C_("discard answers", "n|no")))
    return DECIDE_DISCARD;
  if (sp_cli_answer_is (answer, "l|later")
      /* Translators: the answers that leave a run for later, separated by "|". */
      || sp_cli_answer_is (answer, C_("later answers", "l|later")))
    return DECIDE_LEAVE;
  *out_label = g_steal_pointer (&answer);
  return DECIDE_KEEP;
}

static char *
format_changes (guint64 added,
                guint64 changed,
                guint64 deleted,
                guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);

  return g_strdup_printf (_("%" PRIu64 " files added, %" PRIu64 " changed, "
                            "%" PRIu64 " deleted (%s)"),
                          added, changed, deleted, size);
}

/* ------------------------------------------------------------------------ */
/* play                                                                     */

typedef struct
{
  GMainLoop     *loop;
  SpSession     *session;
  GAsyncResult  *result;
  gboolean       finished;
  int            end_signal;   /* SIGHUP or SIGTERM received, else 0 */
  gboolean       json;         /* --json: stdout is for the result only */
  gboolean       console;      /* the game has the terminal (README, "Console games") */
  gint64         interrupted;  /* monotonic time of the last ^C the game got, or 0 */
} PlayState;

/* A line for the player: on stdout, or on stderr under --json. */
static void say (PlayState  *state,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

static void
say (PlayState  *state,
     const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (state->json)
    g_printerr ("%s", text);
  else
    g_print ("%s", text);
}

/* The game failed (sp_session_get_game_failed()): its status and the last
 * lines of its log, on stderr. */
static void
tell_game_failed (SpSession *session)
{
  const SpSessionSummary *summary = sp_session_get_summary (session);
  g_autofree char *status = sp_exit_status_describe (summary->exit_status);
  const char *tail = sp_session_get_log_tail (session);
  const char *log = sp_session_get_kept_log_path (session);

  g_printerr (_("The game failed: %s.\n"), status);
  if (tail != NULL && tail[0] != '\0')
    {
      g_printerr (_("The last lines of its log (%s):\n"),
                  log ? log : sp_session_get_log_path (session));
      g_printerr ("%s\n", tail);
    }
  else
    g_printerr ("%s\n", _("Its log is empty."));
}

/* What --json prints when the game has ended. */
static void
print_play_json (SpSession    *session,
                 const char   *decision,
                 SpCheckpoint *checkpoint)
{
  const SpSessionSummary *summary = sp_session_get_summary (session);
  int sig = sp_exit_status_get_signal (summary->exit_status);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SpRun *run = sp_session_get_run (session);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "game");
  json_builder_add_string_value (builder, sp_game_get_slug (sp_session_get_game (session)));
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, summary->duration);
  json_builder_set_member_name (builder, "exit_code");
  if (summary->exit_status >= 0 && sig == 0)
    json_builder_add_int_value (builder, summary->exit_status);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "signal");
  if (sig != 0)
    json_builder_add_int_value (builder, sig);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "stopped");
  json_builder_add_boolean_value (builder, summary->stopped);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_boolean_value (builder, sp_session_get_game_failed (session));
  json_builder_set_member_name (builder, "changed_nothing");
  json_builder_add_boolean_value (builder, sp_session_get_changed_nothing (session));
  json_builder_set_member_name (builder, "files_added");
  json_builder_add_int_value (builder, (gint64) summary->files_added);
  json_builder_set_member_name (builder, "files_changed");
  json_builder_add_int_value (builder, (gint64) summary->files_changed);
  json_builder_set_member_name (builder, "files_deleted");
  json_builder_add_int_value (builder, (gint64) summary->files_deleted);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) summary->bytes);
  json_builder_set_member_name (builder, "decision");
  json_builder_add_string_value (builder, decision);
  json_builder_set_member_name (builder, "checkpoint");
  if (checkpoint != NULL)
    json_builder_add_string_value (builder, sp_checkpoint_get_id (checkpoint));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "run");
  if (run != NULL)
    json_builder_add_string_value (builder, sp_run_get_path (run));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "log");
  if (sp_session_get_kept_log_path (session) != NULL)
    json_builder_add_string_value (builder, sp_session_get_kept_log_path (session));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  sp_cli_print_json (builder);
}

/* The signal sources of one play, removed when it returns. */
typedef struct
{
  guint ids[3];
} SignalWatch;

static void
signal_watch_clear (SignalWatch *watch)
{
  for (guint i = 0; i < G_N_ELEMENTS (watch->ids); i++)
    g_clear_handle_id (&watch->ids[i], g_source_remove);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SignalWatch, signal_watch_clear)

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  PlayState *state = user_data;

  state->result = g_object_ref (result);
  g_main_loop_quit (state->loop);
}

static void
finished_cb (SpSession *session,
             gpointer   user_data)
{
  PlayState *state = user_data;

  state->finished = TRUE;
  g_main_loop_quit (state->loop);
}

/* Background processes outlived the game (README, "When does a session
 * end?"): say which, and that they were stopped or are waited for. */
static void
background_cb (SpSession *session,
               gpointer   user_data)
{
  g_autofree char *text = sp_session_describe_background (session);

  if (text != NULL)
    g_printerr ("savepoint-cli play: %s\n", text);
}

static gboolean
stop_signal_cb (gpointer user_data)
{
  PlayState *state = user_data;

  if (sp_session_get_state (state->session) <= SP_SESSION_STATE_RUNNING)
    g_printerr ("%s\n", _("Stopping the game…"));
  sp_session_stop (state->session);
  return G_SOURCE_CONTINUE;
}

/* ^C: the terminal sends SIGINT to its whole foreground job. For a console
 * game that is the game's own key: the first ^C is left to the game (we
 * only say how to stop), a second one within 3 s stops the session. Otherwise (and while the
 * session starts) it stops the session at once. */
#define CONSOLE_SECOND_INTERRUPT_USEC (3 * G_USEC_PER_SEC)

static gboolean
sigint_cb (gpointer user_data)
{
  PlayState *state = user_data;
  gint64 now = g_get_monotonic_time ();

  if (state->console && sp_session_get_state (state->session) == SP_SESSION_STATE_RUNNING &&
      (state->interrupted == 0 || now - state->interrupted > CONSOLE_SECOND_INTERRUPT_USEC))
    {
      state->interrupted = now;
      /* On its own line, and once per ^C: how to get out of a game that
       * does not end on ^C. */
      g_printerr ("\r\n%s\r\n", _("savepoint-cli: press Ctrl+C again within 3 seconds to stop the game."));
      return G_SOURCE_CONTINUE;
    }
  state->interrupted = 0;
  return stop_signal_cb (state);
}

/* ^\ with a console game is the game's too: a handler (not SIG_IGN, which
 * the game would inherit) keeps it from ending us with the mount left. */
static void
ignore_quit (int signum)
{
}

/* The terminal's modes and foreground job before a console game starts. */
typedef struct
{
  gboolean       saved;
  struct termios modes;
} TerminalState;

static void
terminal_save (TerminalState *terminal)
{
  terminal->saved = tcgetattr (STDIN_FILENO, &terminal->modes) == 0 &&
                    tcgetpgrp (STDIN_FILENO) == getpgrp ();
}

/* After a console game: the terminal back for the keep question. A game
 * that made its own process group the foreground and ended leaves the
 * terminal with nobody; we take it back then (but not from the shell when
 * we were put in the background), and give back the modes a curses game
 * may have left (no echo, raw). */
static void
terminal_restore (const TerminalState *terminal)
{
  sigset_t block, old;
  pid_t foreground;

  if (!terminal->saved)
    return;
  /* A background process may change the terminal only with SIGTTOU
   * blocked; we check first that we are the one to. */
  sigemptyset (&block);
  sigaddset (&block, SIGTTOU);
  pthread_sigmask (SIG_BLOCK, &block, &old);
  foreground = tcgetpgrp (STDIN_FILENO);
  if (foreground != getpgrp () &&
      (foreground <= 0 || (kill (-foreground, 0) < 0 && errno == ESRCH)))
    tcsetpgrp (STDIN_FILENO, getpgrp ());
  if (tcgetpgrp (STDIN_FILENO) == getpgrp ())
    tcsetattr (STDIN_FILENO, TCSADRAIN, &terminal->modes);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
}

/* SIGHUP (the terminal was closed) and SIGTERM (logout, shutdown, kill):
 * stop the game as Ctrl+C does; since nobody is left to decide, the run is
 * then left pending rather than kept or discarded. Without a handler SIGHUP
 * ended us at once and left the game's mount behind, stale. */
static gboolean
end_signal (PlayState *state,
            int        signum)
{
  if (state->end_signal == 0)
    state->end_signal = signum;
  return stop_signal_cb (state);
}

static gboolean
sighup_cb (gpointer user_data)
{
  return end_signal (user_data, SIGHUP);
}

static gboolean
sigterm_cb (gpointer user_data)
{
  return end_signal (user_data, SIGTERM);
}

static void
print_progress (guint64  done,
                guint64  total,
                gpointer user_data)
{
  /* In the main context (keep_async) or the calling thread (keep_sync). */
  if (total > 0 && isatty (STDERR_FILENO))
    fprintf (stderr, "\r%3d %%", (int) (done * 100 / total));
}

static GAsyncResult *
wait_result (PlayState *state)
{
  g_clear_object (&state->result);
  while (state->result == NULL)
    g_main_loop_run (state->loop);
  return state->result;
}

/* A drive cannot choose the command line (design.md, "Trust"): the game's
 * Runner and loader variables are used only when approved on this computer
 * (the app's approved-runners and approved-environment settings, when its
 * schema is installed) or with --allow-runner (the runner given with
 * --runner is the user's own). Says on stderr what is left out. */
static void
tell_runner_policy (SpSession *session,
                    SpGame    *game,
                    gboolean   allow_runner)
{
  g_autoptr(GSettings) settings = sp_cli_app_settings ("approved-runners");
  g_auto(GStrv) approved_runners = NULL;
  g_auto(GStrv) approved_environment = NULL;
  g_autofree char *refused_runner = NULL;
  g_auto(GStrv) refused_environment = NULL;

  if (settings != NULL)
    {
      approved_runners = g_settings_get_strv (settings, "approved-runners");
      approved_environment = g_settings_get_strv (settings, "approved-environment");
    }
  sp_session_set_runner_policy (session, (const char * const *) approved_runners,
                                (const char * const *) approved_environment, allow_runner);
  refused_runner = sp_session_get_refused_runner (session);
  refused_environment = sp_session_get_refused_environment (session);

  if (refused_runner != NULL)
    g_printerr (_("savepoint-cli play: “%s” asks to run with “%s”, which you have not approved; "
                  "using the default Wine runner instead. If you trust this drive, run again "
                  "with --allow-runner.\n"),
                sp_game_get_name (game), refused_runner);
  for (guint i = 0; refused_environment[i] != NULL; i++)
    g_printerr (_("savepoint-cli play: “%s” asks to set “%s”, a loader or runner variable; "
                  "it is left out. If you trust this drive, run again with --allow-runner.\n"),
                sp_game_get_name (game), refused_environment[i]);
}

int
sp_cli_play (const SpCliOptions *options,
             int                 argc,
             char              **argv)
{
  g_autofree char *library_dir = NULL;
  g_autofree char *from = NULL;
  g_autofree char *keep_label = NULL;
  g_autofree char *runner = NULL;
  gboolean clean = FALSE;
  gboolean discard = FALSE;
  gboolean ask = FALSE;
  gboolean leave = FALSE;
  gboolean allow_runner = FALSE;
  int grace = 10;
  int background_grace = -1;
  gboolean wait_for_background = FALSE;
  gboolean log_output = FALSE;
  GOptionEntry entries[] = {
    { "library", 'l', 0, G_OPTION_ARG_FILENAME, &library_dir, N_("The library (drive or Savepoint folder); default $SAVEPOINT_LIBRARY"), N_("DIR") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Start from this checkpoint instead of the current one"), N_("ID") },
    { "clean", 0, 0, G_OPTION_ARG_NONE, &clean, N_("Start from the clean install"), NULL },
    { "keep", 'k', 0, G_OPTION_ARG_STRING, &keep_label, N_("Keep the run as a checkpoint with this label (may be empty)"), N_("LABEL") },
    { "discard", 'd', 0, G_OPTION_ARG_NONE, &discard, N_("Discard the run"), NULL },
    { "ask", 'a', 0, G_OPTION_ARG_NONE, &ask, N_("Ask on the terminal whether to keep the run"), NULL },
    { "leave", 0, 0, G_OPTION_ARG_NONE, &leave, N_("Leave the run undecided (see “savepoint-cli recover”)"), NULL },
    { "runner", 0, 0, G_OPTION_ARG_STRING, &runner, N_("Wine runner when the game sets none (default $SAVEPOINT_WINE_RUNNER or wine)"), N_("COMMAND") },
    { "allow-runner", 0, 0, G_OPTION_ARG_NONE, &allow_runner, N_("Run this once with the Wine runner and loader variables the game’s settings ask for (only for a drive you trust)"), NULL },
    { "grace", 0, 0, G_OPTION_ARG_INT, &grace, N_("Seconds a stopped game gets before it is killed (default 10)"), N_("SECONDS") },
    { "background-grace", 0, 0, G_OPTION_ARG_INT, &background_grace, N_("Seconds background processes may outlive the game before they are stopped (default 10)"), N_("SECONDS") },
    { "wait-for-background", 0, 0, G_OPTION_ARG_NONE, &wait_for_background, N_("Wait for background processes the game leaves instead of stopping them"), NULL },
    { "log-output", 0, 0, G_OPTION_ARG_NONE, &log_output, N_("Send the game’s output to its log even on a terminal"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *label = NULL;
  const SpSessionSummary *summary;
  PlayState state = { 0 };
  Decision decision;
  SpGame *game;
  g_auto(SignalWatch) watch = { { 0 } };
  g_autoptr(SpCheckpoint) kept = NULL;
  const char *decided = "left";
  TerminalState terminal = { 0 };
  g_autofree char *description = NULL;
  gboolean failed;
  int decided_count;

  context = g_option_context_new (_("GAME — play a game in a fresh run, then keep or discard it"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  description = g_strconcat (
    _("Without --keep, --discard, --ask or --leave, the run is kept when it ends if standard\n"
      "input is not a terminal (a launcher, a script), and you are asked when it is."),
    "\n\n",
    _("On a terminal the game gets the terminal (a console game): its input and output are\n"
      "the terminal’s and its log records the session’s events only. The first Ctrl+C goes to\n"
      "the game; a second one within 3 seconds stops the session. Ctrl+Z and “fg” suspend and\n"
      "resume the game with savepoint-cli. With --log-output or --json, or when standard input\n"
      "is not a terminal, the game’s output goes to its log."),
    NULL);
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s", error->message);
  if (argc != 2)
    return sp_cli_fail_message ("play", SP_CLI_EXIT_USAGE, "%s",
                                _("Name one game (its folder name or its name)."));
  decided_count = (keep_label != NULL) + discard + ask + leave;
  if (decided_count > 1 || (clean && from != NULL) || grace < 0)
    return sp_cli_fail_message ("play", SP_CLI_EXIT_USAGE, "%s",
                                _("Use at most one of --keep, --discard, --ask and --leave, and not "
                                  "both --from and --clean."));

  if (keep_label != NULL)
    decision = DECIDE_KEEP;
  else if (discard)
    decision = DECIDE_DISCARD;
  else if (ask)
    decision = DECIDE_ASK;
  else if (leave)
    decision = DECIDE_LEAVE;
  else
    decision = isatty (STDIN_FILENO) ? DECIDE_ASK : DECIDE_KEEP;

  if (library_dir == NULL || library_dir[0] == '\0')
    {
      int exit_code;

      g_free (library_dir);
      library_dir = sp_cli_resolve_library_path (options, TRUE, &exit_code);
      if (library_dir == NULL)
        return exit_code;
    }
  library = sp_library_open (library_dir, &error);
  if (library == NULL)
    return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s", error->message);
  game = sp_library_find_game (library, argv[1]);
  if (game == NULL)
    return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED,
                                _("there is no game “%s” in the library “%s”. "
                                  "“savepoint-cli list” shows them."),
                                argv[1], sp_library_get_path (library));

  session = sp_session_new (library, game);
  if (from)
    sp_session_set_checkpoint (session, from);
  sp_session_set_clean (session, clean);
  if (runner)
    sp_session_set_default_runner (session, runner);
  sp_session_set_grace_period (session, (guint) grace);
  if (background_grace >= 0)
    sp_session_set_background_grace (session, background_grace);
  sp_session_set_wait_for_background (session, wait_for_background);
  /* --json keeps stdout for the result. */
  sp_session_set_console (session, isatty (STDIN_FILENO) && !log_output && !options->json);
  tell_runner_policy (session, game, allow_runner);
  sp_cli_warn_wine_update (session);

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.session = session;
  state.json = options->json;
  state.console = sp_session_get_console (session);
  g_signal_connect (session, "finished", G_CALLBACK (finished_cb), &state);
  g_signal_connect (session, "background", G_CALLBACK (background_cb), NULL);
  /* Kept until we return: a signal while a run is being kept or discarded
   * waits for that to be done. */
  watch.ids[0] = g_unix_signal_add (SIGINT, sigint_cb, &state);
  watch.ids[1] = g_unix_signal_add (SIGTERM, sigterm_cb, &state);
  watch.ids[2] = g_unix_signal_add (SIGHUP, sighup_cb, &state);
  /* A closed terminal or pipe must not end us before the mount is gone:
   * writes to it fail quietly instead. (savepoint-run gives the game the
   * default disposition back.) */
  signal (SIGPIPE, SIG_IGN);
  if (state.console)
    {
      struct sigaction quit = { .sa_handler = ignore_quit, .sa_flags = SA_RESTART };

      sigemptyset (&quit.sa_mask);
      sigaction (SIGQUIT, &quit, NULL);
      terminal_save (&terminal);
    }

  sp_session_start_async (session, NULL, result_cb, &state);
  if (!sp_session_start_finish (session, wait_result (&state), &error))
    {
      g_clear_object (&state.result);
      return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s", error->message);
    }

  if (state.console)
    say (&state, _("Playing “%s” on this terminal (the session’s events are logged in %s)\n"),
         sp_game_get_name (game), sp_session_get_log_path (session));
  else
    say (&state, _("Playing “%s” (log: %s)\n"), sp_game_get_name (game), sp_session_get_log_path (session));
  while (!state.finished)
    g_main_loop_run (loop);
  if (state.console)
    terminal_restore (&terminal);

  summary = sp_session_get_summary (session);
  {
    g_autofree char *duration = sp_format_duration (summary->duration);
    g_autofree char *changes = format_changes (summary->files_added, summary->files_changed,
                                               summary->files_deleted, summary->bytes);
    g_autofree char *status = sp_exit_status_describe (summary->exit_status);

    /* Translators: the second %s is how it ended: “exited with status 0”, “was killed by signal …” */
    say (&state, _("“%s” ran for %s and %s%s; %s.\n"),
         sp_game_get_name (game), duration, status,
         summary->stopped ? _(" (stopped)") : "", changes);
    sp_cli_print_run_warnings ((const char * const *) summary->warnings);
  }

  if (sp_session_get_state (session) == SP_SESSION_STATE_FAILED)
    {
      g_clear_object (&state.result);
      return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s",
                                  sp_session_get_error (session)->message);
    }

  failed = sp_session_get_game_failed (session);
  if (failed)
    tell_game_failed (session);

  if (sp_session_get_changed_nothing (session))
    {
      /* Nothing to keep, whatever was asked: not even a run to leave. */
      sp_session_discard_async (session, NULL, result_cb, &state);
      if (!sp_session_discard_finish (session, wait_result (&state), &error))
        {
          g_clear_object (&state.result);
          return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s", error->message);
        }
      say (&state, "%s\n", _("The game changed nothing; there is nothing to keep."));
      decision = DECIDE_DEFAULT;
      decided = "nothing";
    }
  else if (state.end_signal != 0)
    decision = DECIDE_LEAVE;
  else if (decision == DECIDE_ASK)
    decision = ask_decision (sp_game_get_name (game), options->json, &label);
  else if (decision == DECIDE_KEEP)
    label = g_strdup (keep_label ? keep_label : "");

  switch (decision)
    {
    case DECIDE_KEEP:
      {
        SpCheckpoint *checkpoint;
        gint64 t0 = g_get_monotonic_time ();

        sp_session_keep_async (session, label, print_progress, NULL, NULL, result_cb, &state);
        checkpoint = sp_session_keep_finish (session, wait_result (&state), &error);
        if (checkpoint == NULL)
          {
            g_clear_object (&state.result);
            sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s", error->message);
            g_printerr (_("The run is still there; keep or discard it with “savepoint-cli recover”.\n"));
            return 1;
          }
        {
          g_autofree char *size = g_format_size (sp_checkpoint_get_archive_size (checkpoint));

          if (isatty (STDERR_FILENO))
            fprintf (stderr, "\r");
          say (&state, _("Kept as checkpoint %s (%s, saved in %.1f s).\n"),
               sp_checkpoint_get_id (checkpoint), size,
               (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
          if (!state.json)
            sp_cli_print_excluded (sp_session_get_game (session), checkpoint);
          if (!state.json)
            sp_cli_print_keep_report (checkpoint);
        }
        kept = checkpoint;
        decided = "kept";
      }
      break;

    case DECIDE_DISCARD:
      sp_session_discard_async (session, NULL, result_cb, &state);
      if (!sp_session_discard_finish (session, wait_result (&state), &error))
        {
          g_clear_object (&state.result);
          return sp_cli_fail_message ("play", SP_CLI_EXIT_FAILED, "%s", error->message);
        }
      say (&state, "%s\n", _("Discarded the run."));
      decided = "discarded";
      break;

    case DECIDE_DEFAULT:
      break;

    case DECIDE_LEAVE:
    case DECIDE_ASK:
    default:
      say (&state, _("The run stays in %s; keep or discard it with “savepoint-cli recover”.\n"),
           sp_run_get_path (sp_session_get_run (session)));
      break;
    }

  g_clear_object (&state.result);
  if (options->json)
    print_play_json (session, decided, kept);
  /* Ended by a signal: say so to the caller, as its default action would. */
  if (state.end_signal != 0)
    return 128 + state.end_signal;
  return failed ? SP_CLI_EXIT_GAME_FAILED : SP_CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* runs / recover                                                           */

static const char *
run_state (SpRun *run)
{
  if (!sp_run_is_pending (run))
    return _("playing");
  switch (sp_run_get_status (run))
    {
    case SP_RUN_STATUS_PREPARING:
      return _("interrupted while starting");
    case SP_RUN_STATUS_RUNNING:
      return _("interrupted (the app ended during the game)");
    case SP_RUN_STATUS_FAILED:
      return _("ended with an error");
    case SP_RUN_STATUS_FINISHED:
    default:
      return _("finished, undecided");
    }
}

static void
print_run (SpRun *run)
{
  g_autofree char *started = g_date_time_format (sp_run_get_started (run), "%Y-%m-%d %H:%M:%S");
  g_autofree char *play = sp_format_duration (sp_run_get_play_time (run));
  SpRunChanges changes;
  g_autofree char *changes_text = NULL;

  sp_run_count_changes (run, NULL, &changes, NULL);
  changes_text = g_format_size (changes.bytes);
  g_print ("%s/%s\t%s\t%s\t%s UTC\t%s\t%s\n",
           sp_run_get_library_id (run), sp_run_get_slug (run), sp_run_get_game_name (run),
           run_state (run), started, play, changes_text);
  if (sp_run_get_error (run))
    g_print ("\t%s\n", sp_run_get_error (run));
}

int
sp_cli_runs (const SpCliOptions *options,
             int                 argc,
             char              **argv)
{
  g_autofree char *library_dir = NULL;
  GOptionEntry entries[] = {
    { "library", 'l', 0, G_OPTION_ARG_FILENAME, &library_dir, N_("Only the runs of this library"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GPtrArray) runs = NULL;

  context = g_option_context_new (_("— list runs waiting to be kept or discarded"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_fail_message ("runs", SP_CLI_EXIT_FAILED, "%s", error->message);

  if (library_dir)
    {
      library = sp_library_open (library_dir, &error);
      if (library == NULL)
        return sp_cli_fail_message ("runs", SP_CLI_EXIT_FAILED, "%s", error->message);
    }

  runs = sp_run_list (library ? sp_library_get_id (library) : NULL, &error);
  if (runs == NULL)
    return sp_cli_fail_message ("runs", SP_CLI_EXIT_FAILED, "%s", error->message);

  for (guint i = 0; i < runs->len; i++)
    print_run (runs->pdata[i]);
  if (runs->len == 0)
    g_print ("%s\n", _("No pending runs."));
  return 0;
}

/* Does @run match the user's RUN argument: "<library-id>/<slug>", a slug,
 * a game name or the run folder? */
static gboolean
run_matches (SpRun      *run,
             const char *arg)
{
  g_autofree char *id = g_strdup_printf ("%s/%s", sp_run_get_library_id (run), sp_run_get_slug (run));

  return g_strcmp0 (arg, id) == 0 || g_strcmp0 (arg, sp_run_get_slug (run)) == 0 ||
         g_ascii_strcasecmp (arg, sp_run_get_game_name (run)) == 0 ||
         g_strcmp0 (arg, sp_run_get_path (run)) == 0;
}

static gboolean
recover_one (SpRun       *run,
             SpLibrary   *library_arg,
             Decision     decision,
             const char  *label,
             GError     **error)
{
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autofree char *ask_label = NULL;

  if (decision == DECIDE_ASK)
    {
      print_run (run);
      decision = ask_decision (sp_run_get_game_name (run), FALSE, &ask_label);
      label = ask_label;
    }

  if (decision == DECIDE_LEAVE)
    return TRUE;

  if (decision == DECIDE_DISCARD)
    {
      if (!sp_run_discard_sync (run, NULL, error))
        return FALSE;
      g_print (_("Discarded the run of “%s”.\n"), sp_run_get_game_name (run));
      return TRUE;
    }

  game = sp_run_owner_find (run, library_arg, &library, error);
  if (game == NULL)
    return FALSE;

  {
    g_autoptr(SpCheckpoint) checkpoint = NULL;
    g_autofree char *size = NULL;

    checkpoint = sp_run_keep_sync (run, game, label, FALSE, print_progress, NULL, NULL, error);
    if (checkpoint == NULL)
      return FALSE;
    size = g_format_size (sp_checkpoint_get_archive_size (checkpoint));
    if (isatty (STDERR_FILENO))
      fprintf (stderr, "\r");
    g_print (_("Kept the run of “%s” as checkpoint %s (%s).\n"),
             sp_game_get_name (game), sp_checkpoint_get_id (checkpoint), size);
    sp_cli_print_excluded (game, checkpoint);
    sp_cli_print_keep_report (checkpoint);
  }
  return TRUE;
}

int
sp_cli_recover (const SpCliOptions *options,
                int                 argc,
                char              **argv)
{
  g_autofree char *library_dir = NULL;
  g_autofree char *keep_label = NULL;
  g_autofree char *from_trash = NULL;
  gboolean discard = FALSE;
  GOptionEntry entries[] = {
    { "library", 'l', 0, G_OPTION_ARG_FILENAME, &library_dir, N_("The library (default: the one recorded in the run, or $SAVEPOINT_LIBRARY)"), N_("DIR") },
    { "from-trash", 0, 0, G_OPTION_ARG_STRING, &from_trash, N_("Make a discarded run of GAME pending again (see “savepoint-cli trash”)"), N_("ID") },
    { "keep", 'k', 0, G_OPTION_ARG_STRING, &keep_label, N_("Keep the runs as checkpoints with this label (may be empty)"), N_("LABEL") },
    { "discard", 'd', 0, G_OPTION_ARG_NONE, &discard, N_("Discard the runs"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  Decision decision;
  guint unmounted;
  int status = 0;
  guint matched = 0;

  context = g_option_context_new (_("[RUN…] — keep or discard runs left undecided or interrupted"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("RUN is a game's folder name or name, or LIBRARY-ID/SLUG as “savepoint-cli runs” prints it;\n"
      "without RUN, every pending run. Without --keep or --discard you are asked for each run."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return sp_cli_fail_message ("recover", SP_CLI_EXIT_FAILED, "%s", error->message);
  if (keep_label != NULL && discard)
    return sp_cli_fail_message ("recover", SP_CLI_EXIT_USAGE, "%s",
                                _("Use either --keep or --discard."));
  if (from_trash != NULL)
    {
      if (argc != 2 || keep_label != NULL || discard)
        return sp_cli_fail_message ("recover", SP_CLI_EXIT_USAGE, "%s",
                                    _("Use: savepoint-cli recover GAME --from-trash ID"));
      return sp_cli_recover_from_trash (options, library_dir, argv[1], from_trash);
    }

  if (keep_label != NULL)
    decision = DECIDE_KEEP;
  else if (discard)
    decision = DECIDE_DISCARD;
  else if (isatty (STDIN_FILENO))
    decision = DECIDE_ASK;
  else
    return sp_cli_fail_message ("recover", SP_CLI_EXIT_USAGE, "%s",
                                _("Say what to do: --keep LABEL or --discard (or run it on a "
                                  "terminal to be asked)."));

  /* Without a library named, each run's own library is used. */
  if (library_dir == NULL || library_dir[0] == '\0')
    {
      int exit_code;

      g_free (library_dir);
      library_dir = sp_cli_resolve_library_path (options, FALSE, &exit_code);
      if (library_dir == NULL && exit_code != SP_CLI_EXIT_OK)
        return exit_code;
    }
  if (library_dir != NULL)
    {
      library = sp_library_open (library_dir, &error);
      if (library == NULL)
        return sp_cli_fail_message ("recover", SP_CLI_EXIT_FAILED, "%s", error->message);
    }

  unmounted = sp_run_cleanup_stale_mounts ();
  if (unmounted > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %u stale mount.\n", "Removed %u stale mounts.\n", unmounted),
             unmounted);

  runs = sp_run_list_pending (NULL, &error);
  if (runs == NULL)
    return sp_cli_fail_message ("recover", SP_CLI_EXIT_FAILED, "%s", error->message);

  for (guint i = 0; i < runs->len; i++)
    {
      SpRun *run = runs->pdata[i];
      g_autoptr(GError) run_error = NULL;
      gboolean wanted = argc < 2;

      for (int a = 1; a < argc && !wanted; a++)
        wanted = run_matches (run, argv[a]);
      if (!wanted)
        continue;
      if (argc < 2 && library != NULL &&
          g_strcmp0 (sp_run_get_library_id (run), sp_library_get_id (library)) != 0)
        continue;

      matched++;
      if (!recover_one (run, library, decision, keep_label, &run_error))
        {
          status = sp_cli_fail_message ("recover", SP_CLI_EXIT_FAILED, "%s",
                                        run_error->message);
        }
    }

  if (matched == 0)
    {
      if (argc >= 2)
        {
          return sp_cli_fail_message ("recover", SP_CLI_EXIT_FAILED, "%s",
                                      _("No pending run matches; “savepoint-cli runs” lists "
                                        "them."));
        }
      g_print ("%s\n", _("No pending runs."));
    }

  return status;
}
