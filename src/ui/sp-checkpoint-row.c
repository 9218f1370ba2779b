/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-checkpoint-details.h"
#include "sp-checkpoint-row.h"
#include "sp-format.h"

struct _SpCheckpointRow
{
  AdwActionRow   parent_instance;

  SpCheckpoint  *checkpoint;
  GMenu         *menu;
  GtkWidget     *popover;
  char          *note;
  gboolean       current;
  guint          depth;
  gboolean       branch_start;

  GtkDrawingArea *tree_area;

  GtkImage      *marker_image;
  GtkWidget     *current_tag;
  GtkButton     *play_button;
  GtkMenuButton *menu_button;
  GtkImage      *pin_image;
};

enum {
  PROP_0,
  PROP_CHECKPOINT,
  PROP_CURRENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SpCheckpointRow, sp_checkpoint_row, ADW_TYPE_ACTION_ROW)

/* Pixels per level of the timeline's tree. */
#define TREE_INDENT 16

/* The connector of a branch: from the row's marker down (towards the
 * older parent, listed below) at the branch's level, so the row reads as
 * a child of the line it left. */
static void
draw_tree_cb (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  SpCheckpointRow *self = user_data;
  GdkRGBA color;
  double x, y = height / 2.0;

  if (self->depth == 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &color);
  color.alpha *= 0.45;
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, 2);
  /* Under the markers of the parent's level (a marker is TREE_INDENT wide). */
  x = (self->depth - 1) * TREE_INDENT + TREE_INDENT / 2.0;
  if (self->branch_start)
    {
      /* The elbow: up from the parent's level, then across into this
       * row's marker, just right of the area. */
      cairo_move_to (cr, x, height);
      cairo_line_to (cr, x, y + 6);
      cairo_curve_to (cr, x, y, x, y, x + 6, y);
      cairo_line_to (cr, width, y);
    }
  else
    {
      /* Further on the branch: the parent's level passes by. */
      cairo_move_to (cr, x, 0);
      cairo_line_to (cr, x, height);
    }
  cairo_stroke (cr);
}

static void
append_item (GMenu      *section,
             const char *label,
             const char *action,
             const char *target)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (target));
  g_menu_append_item (section, item);
}

static void
build_menu (SpCheckpointRow *self)
{
  const char *target = sp_checkpoint_row_get_target (self);
  g_autoptr(GMenu) first = g_menu_new ();

  g_menu_remove_all (self->menu);
  append_item (first, _("_Restore"), "checkpoint.restore", target);
  append_item (first, _("_Play from Here"), "checkpoint.play", target);
  g_menu_append_section (self->menu, NULL, G_MENU_MODEL (first));

  if (self->checkpoint != NULL)
    {
      g_autoptr(GMenu) second = g_menu_new ();
      g_autoptr(GMenu) third = g_menu_new ();

      append_item (second, _("Re_name…"), "checkpoint.rename", target);
      append_item (second, _("Edit _Note…"), "checkpoint.note", target);
      append_item (second, _("_Export…"), "checkpoint.export", target);
      /* One toggle: its label says what it does now. */
      append_item (second,
                   sp_checkpoint_get_pinned (self->checkpoint) ? _("_Unpin") : _("_Pin"),
                   "checkpoint.pin", target);
      g_menu_append_section (self->menu, NULL, G_MENU_MODEL (second));
      append_item (third, _("_Delete"), "checkpoint.delete", target);
      g_menu_append_section (self->menu, NULL, G_MENU_MODEL (third));
    }
}

/* The first line of @note, with "…" when more lines follow. */
static char *
note_first_line (const char *note)
{
  const char *nl = strchr (note, '\n');

  if (nl == NULL)
    return g_strdup (note);
  /* Translators: the first line of a checkpoint's note that has more lines */
  return g_strdup_printf (_("%.*s …"), (int) (nl - note), note);
}

static void
update (SpCheckpointRow *self)
{
  g_autofree char *subtitle = NULL;
  const char *user_note = self->checkpoint ? sp_checkpoint_get_note (self->checkpoint) : "";

  if (self->checkpoint == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), _("Clean Install"));
      subtitle = g_strdup (_("The game as it was added, without any progress"));
    }
  else
    {
      g_autofree char *title = sp_ui_format_checkpoint_title (self->checkpoint);
      g_autofree char *date = sp_ui_format_date (sp_checkpoint_get_created (self->checkpoint));
      g_autofree char *played = sp_ui_format_duration (sp_checkpoint_get_play_time (self->checkpoint));
      g_autofree char *size = g_format_size (sp_checkpoint_get_archive_size (self->checkpoint));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
      /* No play time is noise (an imported checkpoint may not know it). */
      if (sp_checkpoint_get_play_time (self->checkpoint) > 0)
        /* Translators: "<date> · <play time> played · <size>" */
        subtitle = g_strdup_printf (_("%s · %s played · %s"), date, played, size);
      else
        /* Translators: "<date> · <size>" */
        subtitle = g_strdup_printf (_("%s · %s"), date, size);
      if (sp_checkpoint_get_missing (self->checkpoint))
        {
          g_autofree char *tmp = subtitle;
          /* Translators: appended to a checkpoint's details when its archive is gone */
          subtitle = g_strdup_printf (_("%s · archive missing"), tmp);
        }
    }

  if (self->note != NULL)
    {
      g_autofree char *tmp = subtitle;
      subtitle = g_strdup_printf ("%s\n%s", tmp, self->note);
    }

  /* The user's note last, its first line only; the whole note is the
   * tooltip. (Pango limits each line of the subtitle to subtitle-lines
   * lines, then ellipsizes it.) */
  if (*user_note != '\0')
    {
      g_autofree char *tmp = subtitle;
      g_autofree char *first = note_first_line (user_note);

      subtitle = g_strdup_printf ("%s\n%s", tmp, first);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), *user_note != '\0' ? user_note : NULL);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 2);

  gtk_image_set_from_icon_name (self->marker_image,
                                self->current ? "object-select-symbolic" :
                                self->checkpoint == NULL ? "drive-harddisk-symbolic" :
                                "media-record-symbolic");
  gtk_image_set_pixel_size (self->marker_image, self->current || self->checkpoint == NULL ? 16 : 12);
  gtk_widget_set_visible (self->current_tag, self->current);
  gtk_widget_set_visible (GTK_WIDGET (self->pin_image),
                          self->checkpoint != NULL && sp_checkpoint_get_pinned (self->checkpoint));
  if (self->current)
    gtk_widget_add_css_class (GTK_WIDGET (self), "current-checkpoint");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "current-checkpoint");

  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->play_button),
                                          g_variant_new_string (sp_checkpoint_row_get_target (self)));
}

/* The menu's Pin / Unpin follows the checkpoint too. */
static void
pinned_cb (SpCheckpointRow *self)
{
  build_menu (self);
  update (self);
}

static void
popup_at (SpCheckpointRow *self,
          double           x,
          double           y)
{
  if (self->popover == NULL)
    {
      self->popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (self->menu));
      gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
      gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
    }

  if (x >= 0 && y >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                                 &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  else
    {
      graphene_rect_t bounds;

      /* From the keyboard: at the row's menu button. */
      if (gtk_widget_compute_bounds (GTK_WIDGET (self->menu_button), GTK_WIDGET (self), &bounds))
        gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                                     &(GdkRectangle) { (int) bounds.origin.x, (int) bounds.origin.y,
                                                       (int) bounds.size.width, (int) bounds.size.height });
      else
        gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), NULL);
    }
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
click_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  SpCheckpointRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_at (self, x, y);
}

static void
long_pressed_cb (GtkGestureLongPress *gesture,
                 double               x,
                 double               y,
                 SpCheckpointRow     *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_at (self, x, y);
}

static void
menu_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  sp_checkpoint_row_popup_menu (SP_CHECKPOINT_ROW (widget));
}

/* Clicking a checkpoint (or Enter on it) shows what it changed. */
static void
activated_cb (SpCheckpointRow *self)
{
  if (self->checkpoint != NULL)
    sp_checkpoint_details_open (GTK_WIDGET (self), self->checkpoint);
}

static void
sp_checkpoint_row_dispose (GObject *object)
{
  SpCheckpointRow *self = SP_CHECKPOINT_ROW (object);

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_CHECKPOINT_ROW);
  g_clear_object (&self->checkpoint);
  g_clear_object (&self->menu);

  G_OBJECT_CLASS (sp_checkpoint_row_parent_class)->dispose (object);
}

static void
sp_checkpoint_row_finalize (GObject *object)
{
  SpCheckpointRow *self = SP_CHECKPOINT_ROW (object);

  g_free (self->note);

  G_OBJECT_CLASS (sp_checkpoint_row_parent_class)->finalize (object);
}

static void
sp_checkpoint_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SpCheckpointRow *self = SP_CHECKPOINT_ROW (object);

  switch (prop_id)
    {
    case PROP_CHECKPOINT:
      g_value_set_object (value, self->checkpoint);
      break;
    case PROP_CURRENT:
      g_value_set_boolean (value, self->current);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_checkpoint_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SpCheckpointRow *self = SP_CHECKPOINT_ROW (object);

  switch (prop_id)
    {
    case PROP_CHECKPOINT:
      self->checkpoint = g_value_dup_object (value);
      if (self->checkpoint != NULL)
        {
          g_signal_connect_object (self->checkpoint, "notify::label", G_CALLBACK (update),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (self->checkpoint, "notify::note", G_CALLBACK (update),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (self->checkpoint, "notify::pinned", G_CALLBACK (pinned_cb),
                                   self, G_CONNECT_SWAPPED);
        }
      build_menu (self);
      update (self);
      break;
    case PROP_CURRENT:
      sp_checkpoint_row_set_current (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_checkpoint_row_class_init (SpCheckpointRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_checkpoint_row_dispose;
  object_class->finalize = sp_checkpoint_row_finalize;
  object_class->get_property = sp_checkpoint_row_get_property;
  object_class->set_property = sp_checkpoint_row_set_property;

  properties[PROP_CHECKPOINT] =
    g_param_spec_object ("checkpoint", NULL, NULL, SP_TYPE_CHECKPOINT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT] =
    g_param_spec_boolean ("current", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-checkpoint-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointRow, marker_image);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointRow, tree_area);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointRow, current_tag);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointRow, play_button);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, SpCheckpointRow, pin_image);

  gtk_widget_class_install_action (widget_class, "row.menu", NULL, menu_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "row.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "row.menu", NULL);
}

static void
sp_checkpoint_row_init (SpCheckpointRow *self)
{
  GtkGesture *gesture;

  self->menu = g_menu_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (self->menu));
  gtk_drawing_area_set_draw_func (self->tree_area, draw_tree_cb, self, NULL);
  /* The indent goes first, whichever end AdwActionRow adds prefixes to. */
  gtk_widget_insert_before (GTK_WIDGET (self->tree_area),
                            gtk_widget_get_parent (GTK_WIDGET (self->marker_image)),
                            GTK_WIDGET (self->marker_image));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (long_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  g_signal_connect (self, "activated", G_CALLBACK (activated_cb), NULL);

  build_menu (self);
  update (self);
}

GtkWidget *
sp_checkpoint_row_new (SpCheckpoint *checkpoint)
{
  return g_object_new (SP_TYPE_CHECKPOINT_ROW, "checkpoint", checkpoint, NULL);
}

SpCheckpoint *
sp_checkpoint_row_get_checkpoint (SpCheckpointRow *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_ROW (self), NULL);
  return self->checkpoint;
}

const char *
sp_checkpoint_row_get_target (SpCheckpointRow *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_ROW (self), NULL);
  return self->checkpoint ? sp_checkpoint_get_id (self->checkpoint) : "";
}

gboolean
sp_checkpoint_row_get_current (SpCheckpointRow *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_ROW (self), FALSE);
  return self->current;
}

void
sp_checkpoint_row_set_current (SpCheckpointRow *self,
                               gboolean         current)
{
  g_return_if_fail (SP_IS_CHECKPOINT_ROW (self));

  current = !!current;
  if (self->current == current)
    return;
  self->current = current;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
}

void
sp_checkpoint_row_set_depth (SpCheckpointRow *self,
                             guint            depth)
{
  g_return_if_fail (SP_IS_CHECKPOINT_ROW (self));

  depth = MIN (depth, SP_CHECKPOINT_ROW_MAX_DEPTH);
  if (self->depth == depth)
    return;
  self->depth = depth;
  gtk_drawing_area_set_content_width (self->tree_area, (int) depth * TREE_INDENT);
  gtk_widget_set_visible (GTK_WIDGET (self->tree_area), depth > 0);
  gtk_widget_queue_draw (GTK_WIDGET (self->tree_area));
}

void
sp_checkpoint_row_set_branch_start (SpCheckpointRow *self,
                                    gboolean         branch_start)
{
  g_return_if_fail (SP_IS_CHECKPOINT_ROW (self));

  branch_start = !!branch_start;
  if (self->branch_start == branch_start)
    return;
  self->branch_start = branch_start;
  gtk_widget_queue_draw (GTK_WIDGET (self->tree_area));
}

guint
sp_checkpoint_row_get_depth (SpCheckpointRow *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_ROW (self), 0);
  return self->depth;
}

GtkWidget *
sp_checkpoint_row_get_marker (SpCheckpointRow *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_ROW (self), NULL);
  return GTK_WIDGET (self->marker_image);
}

void
sp_checkpoint_row_set_note (SpCheckpointRow *self,
                            const char      *note)
{
  g_return_if_fail (SP_IS_CHECKPOINT_ROW (self));

  if (g_strcmp0 (self->note, note) == 0)
    return;
  g_free (self->note);
  self->note = g_strdup (note);
  update (self);
}

void
sp_checkpoint_row_popup_menu (SpCheckpointRow *self)
{
  g_return_if_fail (SP_IS_CHECKPOINT_ROW (self));
  popup_at (self, -1, -1);
}

GMenuModel *
sp_checkpoint_row_get_menu (SpCheckpointRow *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT_ROW (self), NULL);
  return G_MENU_MODEL (self->menu);
}

void
sp_checkpoint_row_refresh (SpCheckpointRow *self)
{
  g_return_if_fail (SP_IS_CHECKPOINT_ROW (self));
  update (self);
}
