/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-format.h"
#include "sp-keep-dialog.h"

struct _SpKeepDialog
{
  AdwMessageDialog  parent_instance;

  char             *game_name;

  GtkLabel         *problem_label;
  GtkEntry         *label_entry;
};

enum {
  PROP_0,
  PROP_GAME_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SpKeepDialog, sp_keep_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
sp_keep_dialog_finalize (GObject *object)
{
  SpKeepDialog *self = SP_KEEP_DIALOG (object);

  g_free (self->game_name);

  G_OBJECT_CLASS (sp_keep_dialog_parent_class)->finalize (object);
}

static void
sp_keep_dialog_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SpKeepDialog *self = SP_KEEP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_GAME_NAME:
      g_value_set_string (value, self->game_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_keep_dialog_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SpKeepDialog *self = SP_KEEP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_GAME_NAME:
      g_free (self->game_name);
      self->game_name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_keep_dialog_class_init (SpKeepDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sp_keep_dialog_finalize;
  object_class->get_property = sp_keep_dialog_get_property;
  object_class->set_property = sp_keep_dialog_set_property;

  properties[PROP_GAME_NAME] =
    g_param_spec_string ("game-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-keep-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpKeepDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, SpKeepDialog, label_entry);
}

static void
sp_keep_dialog_init (SpKeepDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  sp_keep_dialog_set_summary (self, 0, 0, 0, 0, 0);
}

GtkWidget *
sp_keep_dialog_new (GtkWindow  *parent,
                    const char *game_name)
{
  return g_object_new (SP_TYPE_KEEP_DIALOG,
                       "transient-for", parent,
                       "game-name", game_name,
                       NULL);
}

static char *
count_text (guint64     n,
            const char *format)
{
  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, n);

  return g_strdup_printf (format, number);
}

void
sp_keep_dialog_set_summary (SpKeepDialog *self,
                            gint64        play_time,
                            guint64       files_added,
                            guint64       files_changed,
                            guint64       files_deleted,
                            guint64       bytes)
{
  g_autofree char *duration = NULL;
  g_autofree char *size = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (SP_IS_KEEP_DIALOG (self));

  duration = sp_ui_format_duration (play_time);
  size = g_format_size (bytes);
  if (files_added + files_changed + files_deleted == 0)
    changes = g_strdup (_("The game changed no files."));
  else
    {
      g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *list = NULL;

      if (files_added > 0)
        g_ptr_array_add (parts, count_text (files_added,
                                            /* Translators: %s is a number */
                                            g_dngettext (GETTEXT_PACKAGE, "%s file added", "%s files added",
                                                         (gulong) MIN (files_added, G_MAXULONG))));
      if (files_changed > 0)
        g_ptr_array_add (parts, count_text (files_changed,
                                            /* Translators: %s is a number */
                                            g_dngettext (GETTEXT_PACKAGE, "%s file changed", "%s files changed",
                                                         (gulong) MIN (files_changed, G_MAXULONG))));
      if (files_deleted > 0)
        g_ptr_array_add (parts, count_text (files_deleted,
                                            /* Translators: %s is a number */
                                            g_dngettext (GETTEXT_PACKAGE, "%s file deleted", "%s files deleted",
                                                         (gulong) MIN (files_deleted, G_MAXULONG))));
      g_ptr_array_add (parts, NULL);
      list = g_strjoinv (", ", (char **) parts->pdata);
      /* Translators: "<n files added, m changed> (<size>)." */
      changes = g_strdup_printf (_("%s (%s)."), list, size);
    }

  /* Translators: first %s is a game's name, second a duration, third the changes */
  body = g_strdup_printf (_("You played %s for %s. %s Keep the changes as a new checkpoint?"),
                          self->game_name ? self->game_name : _("the game"), duration, changes);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
}

void
sp_keep_dialog_set_problem (SpKeepDialog *self,
                            const char   *problem)
{
  g_return_if_fail (SP_IS_KEEP_DIALOG (self));

  gtk_label_set_label (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

const char *
sp_keep_dialog_get_label (SpKeepDialog *self)
{
  g_return_val_if_fail (SP_IS_KEEP_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->label_entry));
}

void
sp_keep_dialog_set_label (SpKeepDialog *self,
                          const char   *label)
{
  g_return_if_fail (SP_IS_KEEP_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->label_entry), label ? label : "");
}

const char *
sp_keep_dialog_get_game_name (SpKeepDialog *self)
{
  g_return_val_if_fail (SP_IS_KEEP_DIALOG (self), NULL);
  return self->game_name;
}
