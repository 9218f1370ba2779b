/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

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

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAME]);
}

gboolean
sp_game_settings_get_saving (SpGameSettings *self)
{
  g_return_val_if_fail (SP_IS_GAME_SETTINGS (self), FALSE);
  return self->saves > 0;
}
