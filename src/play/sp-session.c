/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-session.h"
#include "sp-sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "overlay/sp-overlay.h"
#include "core/sp-task-private.h"
#include "core/sp-game-path.h"
#include "sp-lock.h"
#include "sp-run-logs.h"
#include "sp-session-private.h"
#include "sp-wine-update.h"
#include "common/sp-util.h"
#include "common/sp-manifest-format.h"

/* How often the library's drive is checked while a game runs, and how long
 * a check may hang before the drive counts as gone. */
#define DRIVE_CHECK_SECONDS  2
#define DRIVE_HANG_SECONDS   10
/* How often run.ini's LastSeen is refreshed (the play time of a crashed run). */
#define HEARTBEAT_SECONDS    30

G_DEFINE_QUARK (sp-session-error-quark, sp_session_error)

G_DEFINE_ENUM_TYPE (SpSessionState, sp_session_state,
  G_DEFINE_ENUM_VALUE (SP_SESSION_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (SP_SESSION_STATE_PREPARING, "preparing"),
  G_DEFINE_ENUM_VALUE (SP_SESSION_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (SP_SESSION_STATE_FINISHING, "finishing"),
  G_DEFINE_ENUM_VALUE (SP_SESSION_STATE_FINISHED, "finished"),
  G_DEFINE_ENUM_VALUE (SP_SESSION_STATE_FAILED, "failed"))

struct _SpSession
{
  GObject           parent_instance;

  SpLibrary        *library;
  SpGame           *game;
  char             *checkpoint_id;
  gboolean          clean;
  char             *default_runner;
  char            **approved_runners;
  char            **approved_environment;
  gboolean          trust_game;
  gboolean          progress_save_failed;  /* reported once: save_progress() */
  guint             grace;
  gboolean          console;

  SpSessionState    state;
  GError           *error;

  /* Owned by whichever thread runs the current step; the main thread only
   * touches them between steps. */
  SpLock           *lock;
  SpRun            *run;
  char             *mount_point;

  /* The overlay may be read (stats) from the main thread while a worker
   * unmounts it. */
  GMutex            overlay_mutex;
  SpOverlay        *overlay;
  SpSessionStats    last_stats;

  GSubprocess      *process;
  /* savepoint-run's pid, taken at spawn: GSubprocess forgets it once the
   * helper has been reaped, which can happen before we read its status. */
  GPid              process_pid;
  GCancellable     *status_cancellable;
  gint64            start_request_usec;
  gint64            launch_usec;
  gint64            started_mono;
  gint64            ended_mono;
  gboolean          stopping;

  /* What savepoint-run reports after the start (sp-session-end.c). */
  SpSessionEnd      end;

  guint             tick_id;
  guint             ticks;
  gboolean          drive_check_running;
  gint64            drive_check_since;
  gboolean          drive_lost;

  SpSessionSummary  summary;
  gboolean          has_summary;
  /* sp_session_new_for_run(): a run of an earlier session, undecided. */
  gboolean          recovered;
  /* Set with the summary: the log's tail and kept copy, whether anything changed. */
  SpRunOutcome      outcome;
};

G_DEFINE_FINAL_TYPE (SpSession, sp_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LIBRARY,
  PROP_GAME,
  PROP_STATE,
  PROP_ELAPSED,
  N_PROPS
};

enum {
  FINISHED,
  BACKGROUND,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_state (SpSession      *self,
           SpSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
sp_session_dispose (GObject *object)
{
  SpSession *self = SP_SESSION (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->status_cancellable)
    g_cancellable_cancel (self->status_cancellable);

  G_OBJECT_CLASS (sp_session_parent_class)->dispose (object);
}

static void
sp_session_finalize (GObject *object)
{
  SpSession *self = SP_SESSION (object);

  /* A session is kept alive by its own tasks while running, so the overlay
   * is normally gone here; never leave a mount behind though. */
  if (self->overlay)
    {
      char *message = NULL;

      if (sp_overlay_unmount (self->overlay, &message) != 0)
        g_warning ("%s", message);
      free (message);
    }
  g_clear_pointer (&self->lock, sp_lock_release);
  g_clear_object (&self->run);
  g_clear_object (&self->process);
  g_clear_object (&self->status_cancellable);
  _sp_session_end_clear (&self->end);
  g_clear_object (&self->library);
  g_clear_object (&self->game);
  g_clear_error (&self->error);
  g_free (self->checkpoint_id);
  g_free (self->default_runner);
  g_strfreev (self->approved_runners);
  g_strfreev (self->approved_environment);
  g_free (self->mount_point);
  g_strfreev (self->summary.warnings);
  sp_run_outcome_clear (&self->outcome);
  g_mutex_clear (&self->overlay_mutex);

  G_OBJECT_CLASS (sp_session_parent_class)->finalize (object);
}

static void
sp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpSession *self = SP_SESSION (object);

  switch (prop_id)
    {
    case PROP_LIBRARY:
      g_value_set_object (value, self->library);
      break;
    case PROP_GAME:
      g_value_set_object (value, self->game);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ELAPSED:
      g_value_set_int64 (value, sp_session_get_elapsed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SpSession *self = SP_SESSION (object);

  switch (prop_id)
    {
    case PROP_LIBRARY:
      self->library = g_value_dup_object (value);
      break;
    case PROP_GAME:
      self->game = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_session_class_init (SpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_session_dispose;
  object_class->finalize = sp_session_finalize;
  object_class->get_property = sp_session_get_property;
  object_class->set_property = sp_session_set_property;

  properties[PROP_LIBRARY] =
    g_param_spec_object ("library", NULL, NULL, SP_TYPE_LIBRARY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GAME] =
    g_param_spec_object ("game", NULL, NULL, SP_TYPE_GAME,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SP_TYPE_SESSION_STATE, SP_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ELAPSED] =
    g_param_spec_int64 ("elapsed", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SpSession::finished:
   *
   * Emitted once the game has ended, what it left behind has exited or been
   * stopped (README, "When does a session end?"), and the
   * overlay is unmounted: the state is FINISHED, or FAILED with
   * sp_session_get_error() (drive lost, unmount failed). The summary is set.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * SpSession::background:
   *
   * Emitted when background processes outlived the game by the grace
   * period: see sp_session_get_background().
   */
  signals[BACKGROUND] =
    g_signal_new ("background", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sp_session_init (SpSession *self)
{
  self->grace = 10;
  self->end.background_grace = -1;
  g_mutex_init (&self->overlay_mutex);
}

void
sp_session_prepare_process (void)
{
  sp_overlay_reserve_fd_table ();
}

SpSession *
sp_session_new (SpLibrary *library,
                SpGame    *game)
{
  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (SP_IS_GAME (game), NULL);

  return g_object_new (SP_TYPE_SESSION, "library", library, "game", game, NULL);
}

SpSession *
sp_session_new_for_run (SpLibrary          *library,
                        SpGame             *game,
                        SpRun              *run,
                        const SpRunChanges *changes)
{
  SpSession *self;
  gint exit_status;

  g_return_val_if_fail (SP_IS_RUN (run), NULL);
  g_return_val_if_fail (changes != NULL, NULL);

  self = sp_session_new (library, game);
  if (self == NULL)
    return NULL;
  self->run = g_object_ref (run);
  self->recovered = TRUE;
  self->state = SP_SESSION_STATE_FINISHED;
  /* An unknown status is no failure: the run is offered as any other. */
  exit_status = sp_run_get_exit_status (run);
  self->summary.exit_status = exit_status < 0 ? 0 : exit_status;
  self->summary.duration = sp_run_get_play_time (run);
  self->summary.files_added = changes->files_added;
  self->summary.files_changed = changes->files_changed;
  self->summary.files_deleted = changes->files_deleted;
  self->summary.bytes = changes->bytes;
  self->summary.warnings = g_new0 (char *, 1);
  self->has_summary = TRUE;
  return self;
}

gboolean
sp_session_get_recovered (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  return self->recovered;
}

void
sp_session_set_checkpoint (SpSession  *self,
                           const char *checkpoint_id)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (self->state == SP_SESSION_STATE_IDLE);

  g_free (self->checkpoint_id);
  self->checkpoint_id = g_strdup (checkpoint_id);
  if (checkpoint_id)
    self->clean = FALSE;
}

void
sp_session_set_clean (SpSession *self,
                      gboolean   clean)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (self->state == SP_SESSION_STATE_IDLE);

  self->clean = !!clean;
  if (clean)
    g_clear_pointer (&self->checkpoint_id, g_free);
}

void
sp_session_set_default_runner (SpSession  *self,
                               const char *runner)
{
  g_return_if_fail (SP_IS_SESSION (self));

  g_free (self->default_runner);
  self->default_runner = g_strdup (runner);
}

void
sp_session_set_runner_policy (SpSession          *self,
                              const char * const *approved_runners,
                              const char * const *approved_environment,
                              gboolean            trust_game)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (self->state == SP_SESSION_STATE_IDLE);

  g_strfreev (self->approved_runners);
  self->approved_runners = g_strdupv ((char **) approved_runners);
  g_strfreev (self->approved_environment);
  self->approved_environment = g_strdupv ((char **) approved_environment);
  self->trust_game = !!trust_game;
}

/* The runner the user chose on this computer: the setting, else
 * $SAVEPOINT_WINE_RUNNER, else "wine". */
static const char *
effective_default_runner (SpSession *self)
{
  const char *runner = self->default_runner;

  if (runner == NULL || runner[0] == '\0')
    runner = g_getenv ("SAVEPOINT_WINE_RUNNER");
  if (runner == NULL || runner[0] == '\0')
    runner = "wine";
  return runner;
}

static gboolean
is_blank (const char *s)
{
  for (; s != NULL && *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
same_command_line (const char *a,
                   const char *b)
{
  g_autofree char *ta = g_strstrip (g_strdup (a));
  g_autofree char *tb = g_strstrip (g_strdup (b));

  return g_strcmp0 (ta, tb) == 0;
}

char *
sp_session_get_refused_runner (SpSession *self)
{
  const char *runner;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  runner = sp_game_get_runner (self->game);
  if (self->trust_game || sp_game_get_kind (self->game) != SP_GAME_KIND_WINE ||
      is_blank (runner) ||
      same_command_line (runner, effective_default_runner (self)))
    return NULL;
  for (guint i = 0; self->approved_runners && self->approved_runners[i]; i++)
    if (same_command_line (runner, self->approved_runners[i]))
      return NULL;
  return g_strdup (runner);
}

char *
sp_session_get_runner (SpSession *self)
{
  g_autofree char *refused = NULL;
  const char *runner;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  refused = sp_session_get_refused_runner (self);
  runner = sp_game_get_runner (self->game);
  if (refused != NULL || is_blank (runner))
    runner = effective_default_runner (self);
  return g_strdup (runner);
}

/* Variables that choose which code runs, where it is looked up, or where
 * the game's files go — a drive may not set them without the user's
 * approval (design.md, "Trust"). Two rules:
 *  - names, or name prefixes, of loaders, runners, interpreters and plugin
 *    systems (below), and every name ending in PATH (PATH, GCONV_PATH,
 *    PYTHONPATH, LUA_PATH, QT_PLUGIN_PATH, WINEDLLPATH, VK_LAYER_PATH, …:
 *    search paths decide what is loaded);
 *  - any name that is not a plain identifier [A-Za-z_][A-Za-z0-9_]*.
 * Game tweaks stay allowed: WINEDEBUG, WINEDLLOVERRIDES, WINEESYNC,
 * WINEARCH, WINEUSERNAME (the prefix's profile name), DXVK_HUD,
 * SDL_VIDEODRIVER, __GL_* (NVIDIA), MESA_*, LANG, LC_*, … (they change how
 * the game runs, not which code runs or where its files go). */
static const char * const sensitive_names[] = {
  "WINELOADER", "WINESERVER", "WINEPREFIX", "WINELOADERNOEXEC", "WINEPRELOADRESERVE",
  "HOME", "SHELL", "ENV", "BASH_ENV", "IFS", "PS4", "SHELLOPTS", "BASHOPTS",
  "HOSTALIASES", "RESOLV_HOST_CONF", "TZDIR", "GLIBC_TUNABLES",
  "GDK_PIXBUF_MODULE_FILE", "GDK_PIXBUF_MODULEDIR", "SDL_DYNAMIC_API",
  "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "NODE_OPTIONS",
  "RUBYOPT", "RUBYLIB", "TCLLIBPATH", "EDITOR", "VISUAL", "BROWSER",
  "DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DBUS_SESSION_BUS_ADDRESS",
  "DBUS_SYSTEM_BUS_ADDRESS", "SSH_AUTH_SOCK", "GNUPGHOME",
};
static const char * const sensitive_prefixes[] = {
  "LD_", "DYLD_", "MALLOC_", "GCONV_", "GIO_", "GTK_", "GTK2_", "GTK3_", "GTK4_",
  "GST_", "GI_", "QT_", "QML", "PYTHON", "PERL", "LUA_", "BASH_FUNC_",
  "XDG_", "SAVEPOINT_", "VK_", "__EGL_", "__GLX_", "LIBGL_", "PROTON_",
};

gboolean
sp_environment_name_is_sensitive (const char *name)
{
  gsize len;

  g_return_val_if_fail (name != NULL, TRUE);

  len = strlen (name);
  if (len == 0 || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return TRUE;
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isalnum (name[i]) || name[i] == '_'))
      return TRUE;
  if (len >= 4 && strcmp (name + len - 4, "PATH") == 0)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (sensitive_names); i++)
    if (strcmp (name, sensitive_names[i]) == 0)
      return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (sensitive_prefixes); i++)
    if (g_str_has_prefix (name, sensitive_prefixes[i]))
      return TRUE;
  return FALSE;
}

static gboolean
environment_entry_allowed (SpSession  *self,
                           const char *entry)
{
  const char *eq = strchr (entry, '=');
  g_autofree char *name = NULL;

  if (eq == NULL || eq == entry)
    return FALSE;
  if (self->trust_game)
    return TRUE;
  name = g_strndup (entry, eq - entry);
  if (!sp_environment_name_is_sensitive (name))
    return TRUE;
  return self->approved_environment != NULL &&
         g_strv_contains ((const char * const *) self->approved_environment, entry);
}

GStrv
sp_session_get_refused_environment (SpSession *self)
{
  const char * const *environment;
  g_autoptr(GStrvBuilder) refused = g_strv_builder_new ();

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  environment = sp_game_get_environment (self->game);
  for (guint i = 0; environment && environment[i]; i++)
    if (!environment_entry_allowed (self, environment[i]))
      g_strv_builder_add (refused, environment[i]);
  return g_strv_builder_end (refused);
}

void
sp_session_set_grace_period (SpSession *self,
                             guint      seconds)
{
  g_return_if_fail (SP_IS_SESSION (self));
  self->grace = seconds;
}

void
sp_session_set_background_grace (SpSession *self,
                                 gint       seconds)
{
  g_return_if_fail (SP_IS_SESSION (self));
  self->end.background_grace = seconds < 0 ? -1 : MIN (seconds, 24 * 3600);
}

gboolean
sp_session_get_wait_for_background (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  return self->end.wait_for_background;
}

void
sp_session_set_wait_for_background (SpSession *self,
                                    gboolean   wait)
{
  g_return_if_fail (SP_IS_SESSION (self));
  self->end.wait_for_background = !!wait;
}

void
sp_session_set_console (SpSession *self,
                        gboolean   console)
{
  g_return_if_fail (SP_IS_SESSION (self));
  self->console = console && !sp_sandbox_is_flatpak ();
}

gboolean
sp_session_get_console (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  return self->console;
}

const char * const *
sp_session_get_background (SpSession *self,
                           guint     *out_count,
                           gboolean  *out_stopped)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  if (out_count != NULL)
    *out_count = self->end.background ? self->end.background_count : 0;
  if (out_stopped != NULL)
    *out_stopped = self->end.background_stopped;
  return (const char * const *) self->end.background;
}

SpSessionState
sp_session_get_state (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), SP_SESSION_STATE_IDLE);
  return self->state;
}

SpGame *
sp_session_get_game (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->game;
}

SpLibrary *
sp_session_get_library (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->library;
}

gint64
sp_session_get_elapsed (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), 0);

  if (self->recovered)
    return self->summary.duration;
  if (self->started_mono == 0)
    return 0;
  return _sp_session_end_play_usec (&self->end, self->started_mono, self->ended_mono) / G_USEC_PER_SEC;
}

void
sp_session_get_stats (SpSession      *self,
                      SpSessionStats *out_stats)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (out_stats != NULL);

  g_mutex_lock (&self->overlay_mutex);
  if (self->overlay)
    {
      SpOverlayStats st;

      sp_overlay_get_stats (self->overlay, &st);
      self->last_stats.bytes_read = st.bytes_read;
      self->last_stats.bytes_written = st.bytes_written;
      self->last_stats.copy_ups = st.copy_ups;
      self->last_stats.files_created = st.files_created;
      self->last_stats.files_deleted = st.files_deleted;
    }
  *out_stats = self->last_stats;
  g_mutex_unlock (&self->overlay_mutex);
}

const SpSessionSummary *
sp_session_get_summary (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->has_summary ? &self->summary : NULL;
}

const GError *
sp_session_get_error (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->error;
}

SpRun *
sp_session_get_run (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->run;
}

const char *
sp_session_get_mount_point (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->mount_point;
}

const char *
sp_session_get_log_path (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->run ? sp_run_get_log_path (self->run) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Start                                                                    */

/* Undoes whatever the start got to: unmount, remove the run dir (nothing
 * the game wrote is in it yet), release the lock. Any thread. */
static void
undo_start (SpSession *self)
{
  SpOverlay *overlay;

  g_mutex_lock (&self->overlay_mutex);
  overlay = g_steal_pointer (&self->overlay);
  g_mutex_unlock (&self->overlay_mutex);
  if (overlay)
    {
      char *message = NULL;

      if (sp_overlay_unmount (overlay, &message) != 0)
        g_warning ("%s", message);
      free (message);
    }

  if (self->run)
    {
      g_autoptr(GError) error = NULL;

      if (!sp_run_remove_dir (self->run, NULL, &error))
        g_warning ("%s", error->message);
      g_clear_object (&self->run);
    }

  g_clear_pointer (&self->lock, sp_lock_release);
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SpSession *self = source_object;
  SpSessionStartData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = g_strdup_printf (_("The game “%s”"), data->settings->name);
  g_autofree char *mounts_dir = NULL;
  g_autofree char *manifest = NULL;
  const char *lowers[2] = { data->base_path, NULL };
  char *message = NULL;
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
  SpOverlay *overlay;

  self->lock = sp_lock_acquire (data->lock_path, what, &error);
  if (self->lock == NULL)
    goto fail;

  /* The lower layer is the drive's folder itself: a link could put any
   * folder of this computer under the game (design.md, "Trust"). */
  if (g_file_test (data->base_path, G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID,
                   _("The clean install of “%s” (“%s”) is a symbolic link, not a folder on "
                     "the drive; it is not played. Replace the link with the folder itself."),
                   data->settings->name, data->base_path);
      goto fail;
    }
  if (!g_file_test (data->base_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                   _("The clean install of “%s” is missing (“%s”). Check that the drive is connected."),
                   data->settings->name, data->base_path);
      goto fail;
    }
  /* A clean install half updated by another Wine is not played. */
  {
    g_autofree char *game_dir = g_path_get_dirname (data->base_path);

    if (!sp_wine_update_check_not_pending (game_dir, data->settings->name, data->slug, &error))
      goto fail;
  }

  self->run = sp_run_create (data->library_id, data->library_path, data->slug,
                             data->settings->name, data->head, &error);
  if (self->run == NULL)
    goto fail;

  if (data->checkpoint)
    {
      if (!sp_checkpoint_unpack_to (data->checkpoint, sp_run_get_upper_path (self->run),
                                    NULL, NULL, cancellable, &error))
        goto fail;
    }
  else if (g_mkdir (sp_run_get_upper_path (self->run), 0755) != 0)
    {
      int saved = errno;
      g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_FAILED,
                   _("Could not create “%s”: %s"), sp_run_get_upper_path (self->run), g_strerror (saved));
      goto fail;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto fail;

  mounts_dir = sp_mounts_dir_ensure (&error);
  if (mounts_dir == NULL)
    goto fail;
  if (g_mkdir (self->mount_point, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_FAILED,
                   _("Could not create the mount point “%s”: %s"), self->mount_point, g_strerror (saved));
      goto fail;
    }

  /* Left over from a crash? Only we mount here, and we hold the game lock. */
  if (sp_is_mount_point (self->mount_point))
    sp_run_cleanup_stale_mounts ();
  if (sp_is_mount_point (self->mount_point))
    {
      g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_BUSY,
                   _("Something is already mounted at “%s” (another game with the same folder name "
                     "from another library?). Finish that game first."), self->mount_point);
      goto fail;
    }

  /* No FUSE writeback cache for play sessions: with it the kernel holds
   * pages the game wrote until close() or fsync(), and since the FUSE loop
   * runs in this process, a kill -9 of the app would lose them.  Without
   * it every write() is in upper/ when it returns. */
  options.no_writeback = 1;
  /* The clean install is the player's, whoever wrote the drive (design.md,
   * "Drives from anywhere"). */
  options.squash_uid_set = options.squash_gid_set = 1;
  options.squash_uid = getuid ();
  options.squash_gid = getgid ();
  /* The FUSE loop runs in this process: if it is killed, the mount must
   * not stay behind, dead ("Transport endpoint is not connected"). */
  options.auto_unmount = 1;
  /* What the drive could not store of the clean install (exFAT, FAT). */
  {
    g_autofree char *game_dir = g_path_get_dirname (data->base_path);
    struct stat mst;

    manifest = g_build_filename (game_dir, SP_MANIFEST_FILE_NAME, NULL);
    if (lstat (manifest, &mst) == 0)
      options.manifest = manifest;
  }
  overlay = sp_overlay_mount (lowers, sp_run_get_upper_path (self->run),
                              sp_run_get_work_path (self->run), self->mount_point,
                              &options, &message);
  if (overlay == NULL)
    {
      g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_FAILED,
                   _("Could not mount the game’s folder at “%s”: %s"),
                   self->mount_point, message ? message : _("unknown error"));
      free (message);
      goto fail;
    }
  g_mutex_lock (&self->overlay_mutex);
  self->overlay = overlay;
  g_mutex_unlock (&self->overlay_mutex);

  data->run_dir = g_strdup (sp_run_get_path (self->run));
  if (!_sp_session_build_launch (data, self->mount_point, sp_run_get_log_path (self->run), &error))
    goto fail;

  g_task_return_boolean (task, TRUE);
  return;

fail:
  /* self->run is only set for a run folder we created (an undecided
   * earlier run makes sp_run_create() fail), so undoing never touches one. */
  undo_start (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* Failing after the prepare thread: undo in a thread, then report. */
static void
undo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  undo_start (source_object);
  g_task_return_boolean (task, TRUE);
}

static void
undo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) start_task = user_data;
  SpSession *self = SP_SESSION (object);
  GError *error = g_task_get_task_data (G_TASK (result));

  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  set_state (self, SP_SESSION_STATE_FAILED);
  g_task_return_error (start_task, g_error_copy (error));
}

static void
fail_after_prepare (SpSession *self,
                    GTask     *start_task,
                    GError    *error)
{
  GTask *undo = g_task_new (self, NULL, undo_done_cb, start_task);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_task_set_task_data (undo, error, (GDestroyNotify) g_error_free);
  g_task_run_in_thread (undo, undo_thread);
  g_object_unref (undo);
}

static void finish_run (SpSession *self);

static void
drive_check_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *path = task_data;

  g_task_return_boolean (task, g_file_test (path, G_FILE_TEST_IS_DIR));
}

static void
drive_lost (SpSession *self)
{
  if (self->drive_lost)
    return;
  self->drive_lost = TRUE;
  g_clear_error (&self->error);
  g_set_error (&self->error, SP_SESSION_ERROR, SP_SESSION_ERROR_DRIVE_LOST,
               _("The drive of “%s” was disconnected while the game was running. The game was stopped; "
                 "its progress is kept in “%s”. Reconnect the drive and keep or discard the run "
                 "(savepoint-cli recover)."),
               sp_game_get_name (self->game),
               self->run ? sp_run_get_path (self->run) : "?");
  g_debug ("%s", self->error->message);
  sp_session_stop (self);
}

static void
drive_check_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SpSession *self = SP_SESSION (object);

  self->drive_check_running = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), NULL) &&
      self->state == SP_SESSION_STATE_RUNNING)
    drive_lost (self);
}

/* Writes run.ini while the game runs (started, heartbeat, the game's end).
 * These records only help a later recovery: when the state folder is full
 * the run goes on (the final record has its own reserve, sp_run_save_final()),
 * so a failure is said once, not as a warning each time. */
static void
save_progress (SpSession *self)
{
  g_autoptr(GError) error = NULL;

  if (sp_run_save (self->run, &error) || self->progress_save_failed)
    return;
  self->progress_save_failed = TRUE;
  g_message ("%s The run goes on; its record is written again when the game ends.",
             error->message);
}

static gboolean
tick_cb (gpointer user_data)
{
  SpSession *self = user_data;

  self->ticks++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);

  if (self->ticks % DRIVE_CHECK_SECONDS == 0)
    {
      if (!self->drive_check_running)
        {
          GTask *task = g_task_new (self, NULL, drive_check_done_cb, NULL);

          self->drive_check_running = TRUE;
          self->drive_check_since = g_get_monotonic_time ();
          g_task_set_task_data (task, g_strdup (sp_game_get_base_path (self->game)), g_free);
          g_task_run_in_thread (task, drive_check_thread);
          g_object_unref (task);
        }
      else if (g_get_monotonic_time () - self->drive_check_since > DRIVE_HANG_SECONDS * G_USEC_PER_SEC)
        drive_lost (self);
    }

  if (self->run && self->ticks % HEARTBEAT_SECONDS == 0)
    {
      g_autoptr(GError) error = NULL;

      sp_run_touch (self->run);
      save_progress (self);
    }

  return G_SOURCE_CONTINUE;
}

/* Finishes once savepoint-run has exited and its status fd is read to the
 * end (its last lines say when the game ended). */
static void
maybe_finish (SpSession *self)
{
  if (!self->end.exited || !self->end.status_done || self->end.finishing)
    return;
  self->end.finishing = TRUE;
  g_clear_handle_id (&self->end.status_timeout_id, g_source_remove);
  finish_run (self);
}

/* savepoint-run is gone but its status fd is not at its end (a process
 * that inherited it against the rules): stop reading. */
static gboolean
status_timeout_cb (gpointer user_data)
{
  SpSession *self = user_data;

  self->end.status_timeout_id = 0;
  if (self->status_cancellable)
    g_cancellable_cancel (self->status_cancellable);
  self->end.status_done = TRUE;
  maybe_finish (self);
  return G_SOURCE_REMOVE;
}

static void
process_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SpSession) self = user_data;
  GSubprocess *process = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (process, result, &error))
    g_warning ("Waiting for the game failed: %s", error->message);

  self->ended_mono = g_get_monotonic_time ();
  g_clear_handle_id (&self->tick_id, g_source_remove);

  if (g_subprocess_get_if_exited (process))
    self->summary.exit_status = g_subprocess_get_exit_status (process);
  else if (g_subprocess_get_if_signaled (process))
    self->summary.exit_status = 128 + g_subprocess_get_term_sig (process);
  else
    self->summary.exit_status = -1;

  self->end.exited = TRUE;
  if (!self->end.status_done)
    self->end.status_timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 2, status_timeout_cb,
                                                               g_object_ref (self), g_object_unref);
  maybe_finish (self);
}

/* One event line of savepoint-run after the start. */
static void
status_event_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SpSession) self = user_data;
  GDataInputStream *lines = G_DATA_INPUT_STREAM (object);
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (lines, result, NULL, NULL);
  if (line == NULL || self->end.status_done)
    {
      self->end.status_done = TRUE;
      maybe_finish (self);
      return;
    }

  switch (_sp_session_end_parse (&self->end, line))
    {
    case SP_SESSION_EVENT_ALIVE:
    case SP_SESSION_EVENT_GAME_ENDED:
      if (self->run != NULL)
        {
          g_autoptr(GError) save_error = NULL;
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          sp_run_set_last_alive (self->run, now);
          if (self->end.game_ended_real != 0)
            {
              g_autoptr(GDateTime) ended = g_date_time_new_from_unix_utc (self->end.game_ended_real);

              if (ended != NULL)
                sp_run_set_game_ended (self->run, ended);
            }
          save_progress (self);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
      break;
    case SP_SESSION_EVENT_BACKGROUND:
      g_signal_emit (self, signals[BACKGROUND], 0);
      break;
    case SP_SESSION_EVENT_NONE:
    default:
      break;
    }

  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, self->status_cancellable,
                                       status_event_cb, g_object_ref (self));
}

static void
status_line_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_clear_object (&self->status_cancellable);

  if (line != NULL && g_str_has_prefix (line, "started "))
    {
      g_autoptr(GError) save_error = NULL;

      self->launch_usec = g_get_monotonic_time () - self->start_request_usec;
      self->started_mono = g_get_monotonic_time ();
      sp_run_set_status (self->run, SP_RUN_STATUS_RUNNING);
      sp_run_set_pid (self->run, self->process_pid);
      sp_run_touch (self->run);
      save_progress (self);

      set_state (self, SP_SESSION_STATE_RUNNING);
      self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
      g_subprocess_wait_async (self->process, NULL, process_exited_cb, g_object_ref (self));
      /* The fd stays open for savepoint-run's events until it exits. */
      self->status_cancellable = g_cancellable_new ();
      g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (object), G_PRIORITY_DEFAULT,
                                           self->status_cancellable, status_event_cb,
                                           g_object_ref (self));
      if (self->stopping)
        g_subprocess_send_signal (self->process, SIGTERM);
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The game could not be exec'd: savepoint-run tells us why, then exits. */
  {
    GError *start_error = NULL;

    if (line != NULL && g_str_has_prefix (line, "error "))
      g_set_error (&start_error, SP_SESSION_ERROR, SP_SESSION_ERROR_CANNOT_START,
                   _("“%s” could not be started: %s"), sp_game_get_name (self->game), line + 6);
    else
      g_set_error (&start_error, SP_SESSION_ERROR, SP_SESSION_ERROR_CANNOT_START,
                   _("“%s” could not be started: the session helper ended unexpectedly%s%s"),
                   sp_game_get_name (self->game), error ? ": " : ".", error ? error->message : "");

    /* Wait for the helper so nothing of it is left, then undo. */
    g_subprocess_wait (self->process, NULL, NULL);
    g_clear_object (&self->process);
    fail_after_prepare (self, g_steal_pointer (&task), start_error);
  }
}

static void
prepare_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpSession *self = SP_SESSION (object);
  SpSessionStartData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GInputStream) status_in = NULL;
  g_autoptr(GDataInputStream) status_lines = NULL;
  GError *error = NULL;
  int fds[2];

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      set_state (self, SP_SESSION_STATE_FAILED);
      g_task_return_error (task, error);
      return;
    }

  /* Spawned from the main thread on purpose: savepoint-run's parent-death
   * signal fires when the spawning *thread* exits. */
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    {
      fail_after_prepare (self, g_steal_pointer (&task), error);
      return;
    }
  /* A console game has the terminal: stdin too (otherwise /dev/null). */
  launcher = g_subprocess_launcher_new (data->console && !sp_sandbox_is_flatpak ()
                                        ? G_SUBPROCESS_FLAGS_STDIN_INHERIT
                                        : G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_environ (launcher, data->envp);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) data->argv, &error);
  g_clear_object (&launcher);   /* closes our copy of the write end */
  if (self->process == NULL)
    {
      close (fds[0]);
      fail_after_prepare (self, g_steal_pointer (&task), error);
      return;
    }

  /* NULL when savepoint-run is already gone and reaped: it refuses a path
   * from the drive before it forks, in microseconds. */
  {
    const char *identifier = g_subprocess_get_identifier (self->process);

    self->process_pid = identifier ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
  }

  status_in = g_unix_input_stream_new (fds[0], TRUE);
  status_lines = g_data_input_stream_new (status_in);
  self->status_cancellable = g_cancellable_new ();
  g_data_input_stream_read_line_async (status_lines, G_PRIORITY_DEFAULT, self->status_cancellable,
                                       status_line_cb, g_steal_pointer (&task));
}

void
sp_session_start_async (SpSession           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) prepare = NULL;
  g_autoptr(GError) error = NULL;
  SpSessionStartData *data;
  const char *runner;

  g_return_if_fail (SP_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_session_start_async);

  if (self->state != SP_SESSION_STATE_IDLE)
    {
      g_task_return_new_error (task, SP_SESSION_ERROR, SP_SESSION_ERROR_BUSY,
                               _("This session has already been started."));
      return;
    }

  self->start_request_usec = g_get_monotonic_time ();

  data = g_new0 (SpSessionStartData, 1);
  data->library_id = g_strdup (sp_library_get_id (self->library));
  data->library_path = g_strdup (sp_library_get_path (self->library));
  data->slug = g_strdup (sp_game_get_slug (self->game));
  data->lock_path = sp_game_lock_path (self->game);
  data->base_path = g_strdup (sp_game_get_base_path (self->game));
  data->settings = sp_game_info_copy (sp_game_get_info (self->game));
  {
    /* The policy: what the user has not approved is left out. */
    SpGameInfo *settings = data->settings;
    g_autoptr(GStrvBuilder) allowed = g_strv_builder_new ();
    g_autofree char *refused_runner = sp_session_get_refused_runner (self);

    for (guint i = 0; settings->environment[i]; i++)
      if (environment_entry_allowed (self, settings->environment[i]))
        g_strv_builder_add (allowed, settings->environment[i]);
    g_strfreev ((char **) settings->environment);
    settings->environment = (const char * const *) g_strv_builder_end (allowed);

    runner = settings->runner;
    if (refused_runner != NULL || is_blank (runner))
      runner = effective_default_runner (self);
    runner = g_strdup (runner);
    g_free ((char *) settings->runner);
    settings->runner = runner;
  }
  data->grace = self->grace;
  data->background_grace = self->end.background_grace;
  data->wait_for_background = self->end.wait_for_background;
  data->console = self->console;

  /* Paths from game.ini stay inside the game (design.md, "Trust"): the
   * lexical rule here, resolution beneath the mount in savepoint-run. */
  {
    const struct { const char *key; const char *value; } paths[] = {
      { "Executable", data->settings->executable },
      { "WorkingDirectory", data->settings->working_directory },
      { "Home", data->settings->home },
    };

    for (guint i = 0; i < G_N_ELEMENTS (paths) && error == NULL; i++)
      {
        g_autoptr(GError) path_error = NULL;

        if (paths[i].value == NULL || paths[i].value[0] == '\0' ||
            sp_game_path_is_valid (paths[i].value, &path_error))
          continue;
        g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID,
                     _("“%s” cannot be played: its %s setting is not allowed: %s "
                       "Correct it in the game’s properties."),
                     data->settings->name, paths[i].key, path_error->message);
      }
  }

  g_task_set_task_data (task, data, (GDestroyNotify) _sp_start_data_free);

  if (!self->clean && error == NULL)
    {
      const char *id = self->checkpoint_id ? self->checkpoint_id : sp_game_get_head (self->game);

      if (id != NULL && id[0] != '\0')
        {
          SpCheckpoint *checkpoint = sp_game_find_checkpoint (self->game, id);

          if (checkpoint == NULL)
            {
              g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                           self->checkpoint_id
                           ? _("“%s” has no checkpoint “%s”.")
                           : _("The current checkpoint of “%s” (“%s”) is missing from the drive. "
                               "Restore another checkpoint or start clean."),
                           data->settings->name, id);
            }
          else if (sp_checkpoint_get_missing (checkpoint))
            {
              g_set_error (&error, SP_SESSION_ERROR, SP_SESSION_ERROR_NOT_FOUND,
                           _("The archive of checkpoint “%s” of “%s” is missing (“%s”). "
                             "Restore another checkpoint or start clean."),
                           id, data->settings->name, sp_checkpoint_get_archive_path (checkpoint));
            }
          else
            {
              data->head = g_strdup (id);
              data->checkpoint = g_object_ref (checkpoint);
            }
        }
    }

  if (error == NULL)
    data->supervisor = sp_session_find_supervisor (&error);

  if (error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      set_state (self, SP_SESSION_STATE_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->mount_point = sp_mount_point_for (data->library_id, data->slug);
  set_state (self, SP_SESSION_STATE_PREPARING);

  prepare = g_task_new (self, cancellable, prepare_done_cb, g_object_ref (task));
  g_task_set_task_data (prepare, data, NULL);   /* owned by @task, which outlives @prepare */
  g_task_run_in_thread (prepare, prepare_thread);
}

gboolean
sp_session_start_finish (SpSession     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sp_session_stop (SpSession *self)
{
  g_return_if_fail (SP_IS_SESSION (self));

  if (self->state == SP_SESSION_STATE_PREPARING)
    {
      /* Stopped before the game runs: it is stopped as soon as it does. */
      self->stopping = TRUE;
      return;
    }
  if (self->process == NULL || self->state != SP_SESSION_STATE_RUNNING)
    return;
  self->stopping = TRUE;
  g_subprocess_send_signal (self->process, SIGTERM);
}

/* ------------------------------------------------------------------------ */
/* Finish                                                                   */

typedef struct
{
  char         *base_path;
  SpGameKind    kind;
  SpRunChanges  changes;
  char        **warnings;
  char         *unmount_error;
  gboolean      unmounted;
} FinishData;

static void
finish_data_free (FinishData *data)
{
  g_free (data->base_path);
  g_strfreev (data->warnings);
  g_free (data->unmount_error);
  g_free (data);
}

static void
finish_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SpSession *self = source_object;
  FinishData *data = task_data;
  g_autoptr(GError) error = NULL;
  SpOverlay *overlay;

  /* Final counters, then unmount (the overlay retries while busy and
   * detaches lazily as a last resort; upper/ is never touched). */
  sp_session_get_stats (self, &self->last_stats);
  g_mutex_lock (&self->overlay_mutex);
  overlay = g_steal_pointer (&self->overlay);
  g_mutex_unlock (&self->overlay_mutex);

  if (overlay)
    {
      char *message = NULL;

      if (sp_overlay_unmount (overlay, &message) != 0)
        {
          data->unmount_error = g_strdup (message ? message : "");
          /* Make sure nothing stays attached at the mount point. */
          if (sp_is_mount_point (self->mount_point))
            sp_detach_mount (self->mount_point, NULL);
        }
      free (message);
    }
  data->unmounted = !sp_is_mount_point (self->mount_point);
  if (data->unmounted)
    sp_remove_empty_dir (self->mount_point, NULL);

  if (!sp_run_count_changes (self->run, data->base_path, &data->changes, &error))
    g_warning ("Counting the changes of %s: %s", sp_run_get_path (self->run), error->message);
  data->warnings = sp_run_describe_outside (self->run, data->kind, data->base_path);
  sp_run_outcome_collect (self->run, &self->outcome);

  g_clear_pointer (&self->lock, sp_lock_release);
  g_task_return_boolean (task, TRUE);
}

static void
finish_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpSession) self = SP_SESSION (object);
  FinishData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) save_error = NULL;
  gint64 play_time;

  play_time = _sp_session_end_play_usec (&self->end, self->started_mono, self->ended_mono) / G_USEC_PER_SEC;

  self->summary.duration = play_time;
  self->summary.stopped = self->stopping;
  self->summary.files_added = data->changes.files_added;
  self->summary.files_changed = data->changes.files_changed;
  self->summary.files_deleted = data->changes.files_deleted;
  self->summary.bytes = data->changes.bytes;
  self->summary.bytes_read = self->last_stats.bytes_read;
  self->summary.bytes_written = self->last_stats.bytes_written;
  self->summary.launch_usec = self->launch_usec;
  g_strfreev (self->summary.warnings);
  self->summary.warnings = g_steal_pointer (&data->warnings);
  self->has_summary = TRUE;

  if (data->unmount_error && !self->drive_lost)
    {
      g_clear_error (&self->error);
      g_set_error (&self->error, SP_SESSION_ERROR, SP_SESSION_ERROR_UNMOUNT,
                   _("The game’s folder “%s” could not be unmounted cleanly: %s. "
                     "The run is kept in “%s”."),
                   self->mount_point, data->unmount_error, sp_run_get_path (self->run));
    }

  sp_run_set_ended (self->run, self->summary.exit_status, play_time);
  sp_run_set_status (self->run, self->error ? SP_RUN_STATUS_FAILED : SP_RUN_STATUS_FINISHED);
  sp_run_set_error (self->run, self->error ? self->error->message : NULL);
  if (!sp_run_save_final (self->run, &save_error))
    g_warning ("%s", save_error->message);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  set_state (self, self->error ? SP_SESSION_STATE_FAILED : SP_SESSION_STATE_FINISHED);
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
finish_run (SpSession *self)
{
  GTask *task;
  FinishData *data = g_new0 (FinishData, 1);

  set_state (self, SP_SESSION_STATE_FINISHING);

  data->base_path = g_strdup (sp_game_get_base_path (self->game));
  data->kind = sp_game_get_kind (self->game);
  task = g_task_new (self, NULL, finish_done_cb, NULL);
  g_object_ref (self);   /* dropped in finish_done_cb */
  g_task_set_task_data (task, data, (GDestroyNotify) finish_data_free);
  g_task_run_in_thread (task, finish_thread);
  g_object_unref (task);
}

/* ------------------------------------------------------------------------ */
/* Keep / discard                                                           */

static gboolean
check_decidable (SpSession  *self,
                 GError    **error)
{
  if ((self->state != SP_SESSION_STATE_FINISHED && self->state != SP_SESSION_STATE_FAILED) ||
      self->run == NULL || self->has_summary == FALSE)
    {
      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_BUSY,
                   _("There is no finished run of “%s” to keep or discard."),
                   sp_game_get_name (self->game));
      return FALSE;
    }
  return TRUE;
}

/* The task of a keep or discard; NULL when there is no finished run to
 * decide, and then the error has gone to @callback. */
static GTask *
decision_task_new (SpSession           *self,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GError *error = NULL;

  check_decidable (self, &error);
  return _sp_task_new_unless_error (self, source_tag, cancellable, callback, user_data, error);
}

static void
kept_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  SpCheckpoint *checkpoint;

  checkpoint = sp_run_keep_finish (SP_RUN (object), result, &error);
  if (checkpoint == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&self->run);
  g_task_return_pointer (task, checkpoint, g_object_unref);
}

void
sp_session_keep_async (SpSession           *self,
                       const char          *label,
                       SpProgressFunc       progress,
                       gpointer             progress_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SP_IS_SESSION (self));

  task = decision_task_new (self, sp_session_keep_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  sp_run_keep_async (self->run, self->game, label, progress, progress_data, cancellable,
                     kept_cb, task);
}

SpCheckpoint *
sp_session_keep_finish (SpSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
discarded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!sp_run_discard_finish (SP_RUN (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&self->run);
  g_task_return_boolean (task, TRUE);
}

void
sp_session_discard_async (SpSession           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SP_IS_SESSION (self));

  task = decision_task_new (self, sp_session_discard_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  sp_run_discard_async (self->run, cancellable, discarded_cb, task);
}

gboolean
sp_session_discard_finish (SpSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* How the game ended                                                       */

gboolean
sp_session_get_game_failed (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);

  /* A stop the user asked for (or the session made, the drive gone) is
   * not the game's failure, whatever its status; nor is a console game
   * ended by the ^C it was given (README, "Console games"). */
  if (self->console && sp_exit_status_get_signal (self->summary.exit_status) == SIGINT)
    return FALSE;
  return self->has_summary && !self->summary.stopped && self->summary.exit_status != 0;
}

gboolean
sp_session_get_changed_nothing (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  return self->has_summary && self->outcome.changed_nothing;
}

const char *
sp_session_get_log_tail (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->has_summary ? self->outcome.log_tail : NULL;
}

const char *
sp_session_get_kept_log_path (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  return self->has_summary ? self->outcome.kept_log : NULL;
}
