/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sp-application.h"
#include "sp-game-settings.h"
#include "core/sp-game-path.h"
#include "core/sp-retention.h"
#include "play/sp-session.h"
#include "sp-ui-util.h"

struct _SpGameSettings
{
  AdwPreferencesGroup  parent_instance;

  SpGame              *game;
  guint                saves;   /* saves to the drive in flight */

  AdwEntryRow         *name_row;
  AdwEntryRow         *executable_row;
  AdwComboRow         *executable_combo;
  GtkStringList       *candidates;   /* then "Other…" as the last item */
  GCancellable        *scan;
  gboolean             updating;
  AdwEntryRow         *arguments_row;
  AdwEntryRow         *runner_row;
  AdwEntryRow         *environment_row;
  AdwEntryRow         *keep_last_row;
  AdwEntryRow         *keep_daily_row;
  AdwEntryRow         *max_size_row;
};

enum {
  PROP_0,
  PROP_GAME,
  PROP_SAVING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SpGameSettings, sp_game_settings, ADW_TYPE_PREFERENCES_GROUP)

char *
sp_game_settings_join_words (const char * const *words)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    {
      g_autofree char *quoted = NULL;
      gboolean plain = words[i][0] != '\0' && strpbrk (words[i], " \t\n'\"\\$`") == NULL;

      if (i > 0)
        g_string_append_c (out, ' ');
      quoted = plain ? g_strdup (words[i]) : g_shell_quote (words[i]);
      g_string_append (out, quoted);
    }
  return g_string_free (out, FALSE);
}

gboolean
sp_game_settings_split_words (const char  *text,
                              GStrv       *out_words,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  int argc;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_words != NULL, FALSE);

  if (!g_shell_parse_argv (text, &argc, out_words, &local_error))
    {
      if (g_error_matches (local_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
        {
          *out_words = g_new0 (char *, 1);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Executable candidates ---------------------------------------------------- */

typedef struct
{
  char     *root;
  gboolean  wine;
  guint     max_entries;
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_free (data->root);
  g_free (data);
}

/* Walks the folder open as @dirfd (owned) without following any link:
 * every directory is opened with O_NOFOLLOW relative to its parent. */
static void
scan_dir (int         fd,
          const char *rel,
          gboolean    wine,
          guint      *budget,
          guint       depth,
          GPtrArray  *found)
{
  DIR *dir = fdopendir (fd);
  struct dirent *entry;

  if (dir == NULL)
    {
      close (fd);
      return;
    }
  while (*budget > 0 && (entry = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat st;

      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;
      (*budget)--;
      if (fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      child = rel[0] ? g_build_filename (rel, entry->d_name, NULL) : g_strdup (entry->d_name);
      if (!g_utf8_validate (child, -1, NULL) || !sp_game_path_is_valid (child, NULL))
        continue;
      if (S_ISDIR (st.st_mode))
        {
          int child_fd;

          if (depth >= 12 || (wine && g_ascii_strcasecmp (child, "drive_c/windows") == 0) ||
              (wine && g_ascii_strcasecmp (child, "dosdevices") == 0))
            continue;
          child_fd = openat (dirfd (dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child_fd >= 0)
            scan_dir (child_fd, child, wine, budget, depth + 1, found);
        }
      else if (S_ISREG (st.st_mode))
        {
          gsize len = strlen (entry->d_name);
          gboolean is_exe = len > 4 && g_ascii_strcasecmp (entry->d_name + len - 4, ".exe") == 0;

          if (wine ? is_exe : (st.st_mode & 0111) != 0)
            g_ptr_array_add (found, g_steal_pointer (&child));
        }
    }
  closedir (dir);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanData *data = task_data;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  guint budget = data->max_entries;
  int fd = open (data->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               /* Translators: %s is a folder, the second %s why it failed */
                               _("Could not read “%s”: %s"), data->root, g_strerror (saved_errno));
      return;
    }
  scan_dir (fd, "", data->wine, &budget, 0, found);
  g_ptr_array_sort (found, compare_paths);
  g_ptr_array_add (found, NULL);
  g_task_return_pointer (task, g_ptr_array_steal (found, NULL), (GDestroyNotify) g_strfreev);
}

void
sp_game_settings_find_executables_async (const char          *root,
                                         gboolean             wine,
                                         guint                max_entries,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScanData *data;

  g_return_if_fail (root != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_game_settings_find_executables_async);
  data = g_new0 (ScanData, 1);
  data->root = g_strdup (root);
  data->wine = wine;
  data->max_entries = max_entries;
  g_task_set_task_data (task, data, (GDestroyNotify) scan_data_free);
  g_task_run_in_thread (task, scan_thread);
}

GStrv
sp_game_settings_find_executables_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GListModel *
sp_game_settings_get_candidates (SpGameSettings *self)
{
  g_return_val_if_fail (SP_IS_GAME_SETTINGS (self), NULL);
  return G_LIST_MODEL (self->candidates);
}

/* The combo shows the candidates, the current executable (also when the
 * scan did not find it) and "Other…", which shows the row to type a path. */
static void
select_current_executable (SpGameSettings *self)
{
  const char *executable = self->game ? sp_game_get_executable (self->game) : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->candidates));
  guint selected = n - 1;

  /* Changing the list moves the selection: not a choice of the user. */
  self->updating = TRUE;
  if (executable != NULL && executable[0] != '\0')
    {
      for (guint i = 0; i + 1 < n; i++)
        if (g_strcmp0 (gtk_string_list_get_string (self->candidates, i), executable) == 0)
          selected = i;
      if (selected == n - 1)
        {
          const char * const add[] = { executable, NULL };

          gtk_string_list_splice (self->candidates, 0, 0, add);
          selected = 0;
          n++;
        }
    }
  adw_combo_row_set_selected (self->executable_combo, selected);
  self->updating = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->executable_row), selected == n - 1);
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpGameSettings) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = sp_game_settings_find_executables_finish (result, &error);
  guint n;

  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Executable scan: %s", error->message);
      return;
    }
  if (g_cancellable_is_cancelled (self->scan))
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->candidates));
  self->updating = TRUE;
  gtk_string_list_splice (self->candidates, 0, n - 1, (const char * const *) found);
  select_current_executable (self);
}

static void
start_scan (SpGameSettings *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->candidates));

  g_cancellable_cancel (self->scan);
  g_clear_object (&self->scan);
  self->updating = TRUE;
  gtk_string_list_splice (self->candidates, 0, n - 1, NULL);
  self->updating = FALSE;
  if (self->game == NULL)
    return;
  select_current_executable (self);
  self->scan = g_cancellable_new ();
  sp_game_settings_find_executables_async (sp_game_get_base_path (self->game),
                                           sp_game_get_kind (self->game) == SP_GAME_KIND_WINE,
                                           SP_GAME_SETTINGS_SCAN_MAX_ENTRIES,
                                           self->scan, scan_done_cb, g_object_ref (self));
}

static void save_game (SpGameSettings *self);

static void
executable_selected_cb (SpGameSettings *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->candidates));
  guint selected = adw_combo_row_get_selected (self->executable_combo);

  if (self->updating || self->game == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->executable_row), selected == n - 1);
  if (selected < n - 1)
    {
      const char *path = gtk_string_list_get_string (self->candidates, selected);

      if (g_strcmp0 (path, sp_game_get_executable (self->game)) != 0)
        {
          sp_game_set_executable (self->game, path);
          save_game (self);
        }
    }
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->executable_row));
}

static void
update_rows (SpGameSettings *self)
{
  g_autofree char *arguments = NULL;
  g_autofree char *environment = NULL;
  const char *runner;

  if (self->game == NULL)
    return;

  arguments = sp_game_settings_join_words (sp_game_get_arguments (self->game));
  environment = sp_game_settings_join_words (sp_game_get_environment (self->game));
  runner = sp_game_get_runner (self->game);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sp_game_get_name (self->game));
  gtk_editable_set_text (GTK_EDITABLE (self->executable_row),
                         sp_game_get_executable (self->game) ? sp_game_get_executable (self->game) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->arguments_row), arguments);
  gtk_editable_set_text (GTK_EDITABLE (self->runner_row), runner ? runner : "");
  gtk_editable_set_text (GTK_EDITABLE (self->environment_row), environment);
  gtk_widget_set_visible (GTK_WIDGET (self->runner_row), sp_game_get_kind (self->game) == SP_GAME_KIND_WINE);
  {
    AdwEntryRow *rows[] = { self->keep_last_row, self->keep_daily_row, self->max_size_row };
    const char *keys[] = { "KeepLast", "KeepDaily", "MaxSize" };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        g_autofree char *value = sp_retention_get_game_value (self->game, keys[i]);

        gtk_editable_set_text (GTK_EDITABLE (rows[i]), value ? value : "");
        gtk_widget_set_sensitive (GTK_WIDGET (rows[i]), !sp_game_get_read_only (self->game));
      }
  }
  {
    /* An Executable from the drive that leaves the game: shown as an error
     * on the row, with the reason (the game cannot be played until fixed). */
    const char *executable = sp_game_get_executable (self->game);
    g_autoptr(GError) path_error = NULL;

    if (executable != NULL && executable[0] != '\0' &&
        !sp_game_path_is_valid (executable, &path_error))
      {
        gtk_widget_add_css_class (GTK_WIDGET (self->executable_row), "error");
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->executable_row), path_error->message);
      }
    else
      {
        gtk_widget_remove_css_class (GTK_WIDGET (self->executable_row), "error");
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->executable_row), NULL);
      }
  }

  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !sp_game_get_read_only (self->game));
  gtk_widget_set_sensitive (GTK_WIDGET (self->executable_row), !sp_game_get_read_only (self->game));
  gtk_widget_set_sensitive (GTK_WIDGET (self->executable_combo), !sp_game_get_read_only (self->game));
  select_current_executable (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->arguments_row), !sp_game_get_read_only (self->game));
  gtk_widget_set_sensitive (GTK_WIDGET (self->runner_row), !sp_game_get_read_only (self->game));
  gtk_widget_set_sensitive (GTK_WIDGET (self->environment_row), !sp_game_get_read_only (self->game));
}

static void
game_notify_cb (SpGameSettings *self,
                GParamSpec     *pspec)
{
  if (g_strcmp0 (pspec->name, "head") != 0)
    update_rows (self);
}

/* Saving ----------------------------------------------------------------- */

/* Settings are written by the core in a worker thread (a slow USB drive
 * must not freeze the window). The application is held so that closing the
 * window does not end the process halfway through a write. */

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpGameSettings) self = user_data;
  GApplication *app = g_application_get_default ();
  g_autoptr(GError) error = NULL;

  g_assert (self->saves > 0);
  if (--self->saves == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  if (app != NULL)
    g_application_release (app);

  if (!sp_game_save_finish (SP_GAME (object), result, &error))
    {
      sp_ui_show_error_unless_cancelled (GTK_WIDGET (self), _("Could Not Save the Game’s Settings"), error);
      sp_game_reload (SP_GAME (object), NULL);
      if (self->game == SP_GAME (object))
        update_rows (self);
      return;
    }
  if (self->game == SP_GAME (object))
    sp_ui_add_toast (GTK_WIDGET (self), adw_toast_new (_("Settings saved")));
}

static void
save_game (SpGameSettings *self)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_hold (app);
  if (self->saves++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  sp_game_save_async (self->game, NULL, save_done_cb, g_object_ref (self));
}

/* What the user types here is approved on this computer: a runner or a
 * loader variable from a drive is otherwise asked for before playing
 * (sp_session_set_runner_policy()). */
static void
approve (const char         *runner,
         const char * const *environment)
{
  GApplication *app = g_application_get_default ();
  SpPlayer *player;

  if (SP_IS_APPLICATION (app) && (player = sp_application_get_player (SP_APPLICATION (app))) != NULL)
    sp_player_approve (player, runner, environment);
}

static void
name_apply_cb (SpGameSettings *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (self->game == NULL)
    return;
  if (name[0] == '\0')
    {
      sp_ui_show_error (GTK_WIDGET (self), _("The Name Cannot Be Empty"),
                        _("Type a name for the game."));
      update_rows (self);
      return;
    }
  sp_game_set_name (self->game, name);
  save_game (self);
}

static void
executable_apply_cb (SpGameSettings *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->executable_row));
  g_autoptr(GError) error = NULL;

  if (self->game == NULL)
    return;
  if (!sp_game_path_is_valid (text, &error))
    {
      /* Paths stay inside the game (design.md, "Trust"). */
      sp_ui_show_error (GTK_WIDGET (self), _("Invalid Executable"), error->message);
      update_rows (self);
      return;
    }
  {
    /* Play would refuse it (the same test, in the clean install the run
     * starts from): said now, not when the game is started. */
    g_autofree char *path = g_build_filename (sp_game_get_base_path (self->game), text, NULL);

    if (!g_file_test (path, G_FILE_TEST_EXISTS))
      {
        /* Translators: %s is a path relative to the game's folder, %s that folder */
        g_autofree char *message = g_strdup_printf (_("There is no “%s” in the game’s folder “%s”."),
                                                    text, sp_game_get_base_path (self->game));

        sp_ui_show_error (GTK_WIDGET (self), _("Executable Not Found"), message);
        update_rows (self);
        return;
      }
  }
  sp_game_set_executable (self->game, text);
  save_game (self);
}

static void
arguments_apply_cb (SpGameSettings *self)
{
  g_auto(GStrv) args = NULL;
  g_autoptr(GError) error = NULL;

  if (self->game == NULL)
    return;
  if (!sp_game_settings_split_words (gtk_editable_get_text (GTK_EDITABLE (self->arguments_row)),
                                     &args, &error))
    {
      sp_ui_show_error (GTK_WIDGET (self), _("Invalid Arguments"), error->message);
      return;
    }
  sp_game_set_arguments (self->game, (const char * const *) args);
  save_game (self);
}

static void
runner_apply_cb (SpGameSettings *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->runner_row));

  if (self->game == NULL)
    return;
  if (text[0] != '\0' && g_strcmp0 (text, sp_game_get_runner (self->game)) != 0)
    approve (text, NULL);
  sp_game_set_runner (self->game, text[0] ? text : NULL);
  save_game (self);
}

static void
environment_apply_cb (SpGameSettings *self)
{
  g_auto(GStrv) env = NULL;
  g_autoptr(GError) error = NULL;

  if (self->game == NULL)
    return;
  if (!sp_game_settings_split_words (gtk_editable_get_text (GTK_EDITABLE (self->environment_row)),
                                     &env, &error))
    {
      sp_ui_show_error (GTK_WIDGET (self), _("Invalid Environment"), error->message);
      return;
    }
  for (guint i = 0; env[i] != NULL; i++)
    if (strchr (env[i], '=') == NULL || env[i][0] == '=')
      {
        g_autofree char *message =
          /* Translators: %s is what the user typed */
          g_strdup_printf (_("“%s” is not of the form KEY=VALUE."), env[i]);
        sp_ui_show_error (GTK_WIDGET (self), _("Invalid Environment"), message);
        return;
      }
  {
    const char * const *before = sp_game_get_environment (self->game);
    g_autoptr(GStrvBuilder) typed = g_strv_builder_new ();
    g_auto(GStrv) sensitive = NULL;

    /* Only entries the user typed now, not those that came from the drive. */
    for (guint i = 0; env[i] != NULL; i++)
      {
        g_autofree char *name = g_strndup (env[i], strchr (env[i], '=') - env[i]);

        if (sp_environment_name_is_sensitive (name) && !g_strv_contains (before, env[i]))
          g_strv_builder_add (typed, env[i]);
      }
    sensitive = g_strv_builder_end (typed);
    approve (NULL, (const char * const *) sensitive);
  }
  sp_game_set_environment (self->game, (const char * const *) env);
  save_game (self);
}

/* The three retention rows: KeepLast, KeepDaily and MaxSize of game.ini's
 * [Retention] (core/sp-retention.h); empty removes the key. */
static void
retention_apply_cb (AdwEntryRow    *row,
                    SpGameSettings *self)
{
  const char *key = row == self->keep_last_row ? "KeepLast" :
                    row == self->keep_daily_row ? "KeepDaily" : "MaxSize";
  g_autoptr(GError) error = NULL;

  if (self->game == NULL)
    return;
  if (!sp_retention_set_game_value (self->game, key,
                                    gtk_editable_get_text (GTK_EDITABLE (row)), &error))
    {
      sp_ui_show_error (GTK_WIDGET (self), _("Invalid Retention Setting"), error->message);
      update_rows (self);
      return;
    }
  save_game (self);
}

/* GObject ---------------------------------------------------------------- */

static void
sp_game_settings_dispose (GObject *object)
{
  SpGameSettings *self = SP_GAME_SETTINGS (object);

  sp_game_settings_set_game (self, NULL);
  g_cancellable_cancel (self->scan);
  g_clear_object (&self->scan);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_GAME_SETTINGS);

  G_OBJECT_CLASS (sp_game_settings_parent_class)->dispose (object);
}

static void
sp_game_settings_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpGameSettings *self = SP_GAME_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_GAME:
      g_value_set_object (value, self->game);
      break;
    case PROP_SAVING:
      g_value_set_boolean (value, self->saves > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_settings_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SpGameSettings *self = SP_GAME_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_GAME:
      sp_game_settings_set_game (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_settings_class_init (SpGameSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_game_settings_dispose;
  object_class->get_property = sp_game_settings_get_property;
  object_class->set_property = sp_game_settings_set_property;

  properties[PROP_GAME] =
    g_param_spec_object ("game", NULL, NULL, SP_TYPE_GAME,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-game-settings.ui");
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, name_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, executable_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, executable_combo);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, candidates);
  gtk_widget_class_bind_template_callback (widget_class, executable_selected_cb);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, arguments_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, runner_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, environment_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, keep_last_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, keep_daily_row);
  gtk_widget_class_bind_template_child (widget_class, SpGameSettings, max_size_row);
  gtk_widget_class_bind_template_callback (widget_class, name_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, executable_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, arguments_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, runner_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, environment_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, retention_apply_cb);
}

static void
sp_game_settings_init (SpGameSettings *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sp_game_settings_new (void)
{
  return g_object_new (SP_TYPE_GAME_SETTINGS, NULL);
}

SpGame *
sp_game_settings_get_game (SpGameSettings *self)
{
  g_return_val_if_fail (SP_IS_GAME_SETTINGS (self), NULL);
  return self->game;
}

void
sp_game_settings_set_game (SpGameSettings *self,
                           SpGame         *game)
{
  g_return_if_fail (SP_IS_GAME_SETTINGS (self));
  g_return_if_fail (game == NULL || SP_IS_GAME (game));

  if (self->game == game)
    return;

  if (self->game != NULL)
    g_signal_handlers_disconnect_by_data (self->game, self);
  g_set_object (&self->game, game);
  if (game != NULL)
    {
      g_signal_connect_swapped (game, "notify", G_CALLBACK (game_notify_cb), self);
      update_rows (self);
    }
  start_scan (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAME]);
}

gboolean
sp_game_settings_get_saving (SpGameSettings *self)
{
  g_return_val_if_fail (SP_IS_GAME_SETTINGS (self), FALSE);
  return self->saves > 0;
}
