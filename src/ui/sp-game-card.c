/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-format.h"
#include "sp-game-card.h"
#include "core/sp-game-path.h"
#include "core/sp-pe-icon.h"

struct _SpGameCard
{
  GtkWidget     parent_instance;

  SpGame       *game;
  GListModel   *checkpoints;
  char         *status;
  gint64        elapsed;
  gboolean      spinning;
  gboolean      pending;
  char         *summary;
  GStrv         hidden;   /* checkpoints whose delete is pending */
  GCancellable *icon_cancellable;

  GtkWidget    *box;
  GtkStack     *art_stack;
  GtkLabel     *initials_label;
  GtkWidget    *banner;
  GtkImage     *icon_image;
  GtkCssProvider *banner_css;
  GdkRGBA       tint;
  gboolean      tinted;
  GtkWidget    *menu_button;
  GtkWidget    *title_button;
  GMenuModel   *card_menu;
  GtkWidget    *context_menu;   /* the card's menu (⋮, right-click, Menu key) */
  GtkLabel     *name_label;
  GtkLabel     *last_played_label;
  GtkLabel     *stats_label;
  GtkLabel     *current_label;
  GtkStack     *info_stack;
  GtkSpinner   *spinner;
  GtkLabel     *status_label;
  GtkWidget    *stop_button;
  GtkStack     *stop_stack;
};

enum {
  PROP_0,
  PROP_GAME,
  PROP_STATUS,
  N_PROPS
};

enum {
  SIGNAL_PLAY,
  SIGNAL_STOP,
  SIGNAL_OPEN,
  SIGNAL_SETTINGS,
  SIGNAL_REMOVE,
  SIGNAL_KEEP,
  SIGNAL_DISCARD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpGameCard, sp_game_card, GTK_TYPE_WIDGET)

/* The banner is 112 px high: the icon at most this, with a margin. */
#define SP_GAME_CARD_ICON_SIZE 88

gboolean
sp_game_card_average_color (GdkTexture *texture,
                            GdkRGBA    *color)
{
  int width, height, step;
  gsize stride;
  g_autofree guchar *pixels = NULL;
  double r = 0, g = 0, b = 0, a = 0;

  g_return_val_if_fail (GDK_IS_TEXTURE (texture), FALSE);
  g_return_val_if_fail (color != NULL, FALSE);

  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  /* An icon comes from a drive: a huge one is not copied again just for
   * its colour (at most 16 MiB here). */
  if (width <= 0 || height <= 0 || width > 2048 || height > 2048)
    return FALSE;
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  /* Premultiplied ARGB in native byte order (CAIRO_FORMAT_ARGB32). */
  gdk_texture_download (texture, pixels, stride);

  /* About 64 × 64 samples are plenty for an average. */
  step = MAX (1, MAX (width, height) / 64);
  for (int y = 0; y < height; y += step)
    for (int x = 0; x < width; x += step)
      {
        guint32 p = *(guint32 *) (pixels + y * stride + x * 4);

        a += (p >> 24) & 0xff;
        r += (p >> 16) & 0xff;
        g += (p >> 8) & 0xff;
        b += p & 0xff;
      }
  if (a < 1)
    return FALSE;   /* all transparent */
  /* Premultiplied sums over the alpha sum: the colour of the visible part. */
  color->red = r / a;
  color->green = g / a;
  color->blue = b / a;
  color->alpha = 1;
  return TRUE;
}

static void
set_tint (SpGameCard    *self,
          const GdkRGBA *tint)
{
  g_autofree char *css = NULL;

  self->tinted = tint != NULL;
  if (tint == NULL)
    {
      gtk_css_provider_load_from_data (self->banner_css, "", -1);
      return;
    }
  self->tint = *tint;
  {
    GdkRGBA darker = { tint->red * 0.8, tint->green * 0.8, tint->blue * 0.8, 1 };
    g_autofree char *from = gdk_rgba_to_string (tint);
    g_autofree char *to = gdk_rgba_to_string (&darker);

    css = g_strdup_printf ("box.game-banner { background: linear-gradient(135deg, %s, %s); }", from, to);
  }
  gtk_css_provider_load_from_data (self->banner_css, css, -1);
}

static void
icon_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpGameCard) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_async_result_is_tagged (result, sp_pe_icon_read_saved_async)
          ? sp_pe_icon_read_saved_finish (result, &error)
          : sp_game_path_read_beneath_finish (result, &error);
  if (bytes == NULL)
    return;   /* keep the initials tile */
  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    return;
  {
    GdkRGBA tint;

    set_tint (self, sp_game_card_average_color (texture, &tint) ? &tint : NULL);
  }
  /* Whole (GtkImage keeps the aspect ratio), at most 88 px so that the
   * banner keeps its height, never enlarged (small .exe icons stay
   * sharp). */
  gtk_image_set_from_paintable (self->icon_image, GDK_PAINTABLE (texture));
  gtk_image_set_pixel_size (self->icon_image,
                            MIN (SP_GAME_CARD_ICON_SIZE,
                                 MAX (gdk_texture_get_width (texture), gdk_texture_get_height (texture))));
  gtk_stack_set_visible_child_name (self->art_stack, "icon");
}

static void
update_art (SpGameCard *self)
{
  const char *name = self->game ? sp_game_get_name (self->game) : "";
  const char *icon = self->game ? sp_game_get_icon (self->game) : NULL;
  g_autofree char *initials = sp_ui_format_initials (name);
  g_autofree char *color = g_strdup_printf ("tile-color-%u", sp_ui_format_color_index (name));

  gtk_label_set_label (self->initials_label, initials);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *css = g_strdup_printf ("tile-color-%u", i);
      gtk_widget_remove_css_class (GTK_WIDGET (self->initials_label), css);
    }
  gtk_widget_add_css_class (GTK_WIDGET (self->initials_label), color);
  gtk_stack_set_visible_child_name (self->art_stack, "tile");
  set_tint (self, NULL);

  g_cancellable_cancel (self->icon_cancellable);
  g_clear_object (&self->icon_cancellable);
  if (icon != NULL && icon[0] != '\0')
    {
      /* Beneath the clean install only (design.md, "Trust"). */
      self->icon_cancellable = g_cancellable_new ();
      sp_game_path_read_beneath_async (sp_game_get_base_path (self->game), icon, 16 * 1024 * 1024,
                                       self->icon_cancellable, icon_loaded_cb, g_object_ref (self));
    }
  else if (self->game != NULL)
    {
      /* The icon taken from a Wine game's executable when it was added. */
      self->icon_cancellable = g_cancellable_new ();
      sp_pe_icon_read_saved_async (sp_game_get_path (self->game), self->icon_cancellable,
                                   icon_loaded_cb, g_object_ref (self));
    }
}

static gboolean
is_hidden (SpGameCard *self,
           const char *id)
{
  return self->hidden != NULL && id != NULL && g_strv_contains ((const char * const *) self->hidden, id);
}

static void
update_texts (SpGameCard *self)
{
  g_autofree char *last_played = NULL;
  g_autofree char *play_time = NULL;
  g_autofree char *count = NULL;
  g_autofree char *stats = NULL;
  g_autofree char *current = NULL;
  SpCheckpoint *head;
  guint n;

  if (self->game == NULL)
    return;

  /* Without the checkpoints whose delete is pending (shown as gone). */
  n = 0;
  for (guint i = 0; i < g_list_model_get_n_items (self->checkpoints); i++)
    {
      g_autoptr(SpCheckpoint) cp = g_list_model_get_item (self->checkpoints, i);

      if (!is_hidden (self, sp_checkpoint_get_id (cp)))
        n++;
    }
  last_played = sp_ui_format_last_played (sp_game_get_last_played (self->game));
  count = sp_ui_format_checkpoint_count (n);
  if (sp_game_get_play_time (self->game) == 0)
    /* "Never played" is right above: no "0 s played". */
    stats = g_strdup (count);
  else
    {
      play_time = sp_ui_format_duration (sp_game_get_play_time (self->game));
      /* Translators: "<play time> played · <N checkpoints>" */
      stats = g_strdup_printf (_("%s played · %s"), play_time, count);
    }

  head = sp_game_get_head_checkpoint (self->game);
  /* A current checkpoint being deleted hands over to its parent. */
  if (head != NULL && is_hidden (self, sp_checkpoint_get_id (head)))
    {
      const char *parent = sp_checkpoint_get_parent (head);

      head = parent && !is_hidden (self, parent) ? sp_game_find_checkpoint (self->game, parent) : NULL;
    }
  if (head == NULL)
    current = g_strdup (_("Starts from the clean install"));
  else if (sp_checkpoint_get_label (head)[0] != '\0')
    /* Translators: %s is a checkpoint's label */
    current = g_strdup_printf (_("Current: %s"), sp_checkpoint_get_label (head));
  else
    {
      g_autofree char *date = sp_ui_format_date (sp_checkpoint_get_created (head));
      /* Translators: %s is a date like "Today at 14:03" */
      current = g_strdup_printf (_("Current: checkpoint of %s"), date);
    }

  gtk_label_set_label (self->name_label, sp_game_get_name (self->game));
  gtk_label_set_label (self->last_played_label, last_played);
  gtk_label_set_label (self->stats_label, stats);
  gtk_label_set_label (self->current_label, current);
  /* The labels are cut to the card's width: the full text on hover. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), sp_game_get_name (self->game));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->current_label), current);

  g_free (self->summary);
  self->summary = g_strjoin ("\n", sp_game_get_name (self->game), last_played, stats, current, NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Play"));
}

static void
update_status (SpGameCard *self)
{
  gboolean busy = self->status != NULL;

  gtk_stack_set_visible_child_name (self->info_stack,
                                    self->pending ? "pending" : busy ? "running" : "current");
  gtk_spinner_set_spinning (self->spinner, busy && self->spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->spinning);
  if (busy && self->elapsed >= 0)
    {
      g_autofree char *clock = sp_ui_format_clock (self->elapsed);
      g_autofree char *text = g_strdup_printf ("%s · %s", self->status, clock);
      gtk_label_set_label (self->status_label, text);
    }
  else
    gtk_label_set_label (self->status_label, self->status ? self->status : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               gtk_label_get_label (self->status_label));

  if (busy && !self->pending)
    gtk_widget_add_css_class (self->box, "running");
  else
    gtk_widget_remove_css_class (self->box, "running");
}

static void
game_notify_cb (SpGameCard *self,
                GParamSpec *pspec)
{
  if (g_strcmp0 (pspec->name, "name") == 0 || g_strcmp0 (pspec->name, "icon") == 0)
    update_art (self);
  update_texts (self);
}

static void
stop_clicked_cb (SpGameCard *self)
{
  g_signal_emit (self, signals[SIGNAL_STOP], 0);
}

static void
popup_context_menu (SpGameCard *self,
                    double      x,
                    double      y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static void
secondary_pressed_cb (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      SpGameCard      *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_context_menu (self, x, y);
}

static void
long_pressed_cb (GtkGestureLongPress *gesture,
                 double               x,
                 double               y,
                 SpGameCard          *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_context_menu (self, x, y);
}

/* card.menu (the ⋮ button, the Menu key, Shift+F10): the menu below ⋮. */
static void
menu_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpGameCard *self = SP_GAME_CARD (widget);
  graphene_rect_t bounds;

  if (gtk_widget_compute_bounds (self->menu_button, widget, &bounds))
    {
      GdkRectangle rect = { (int) bounds.origin.x, (int) bounds.origin.y,
                            (int) bounds.size.width, (int) bounds.size.height };

      gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
    }
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

/* card.play, card.open, card.settings, card.remove: the signal of that
 * name. */
static void
signal_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_signal_emit_by_name (widget, action_name + strlen ("card."));
}

static void
sp_game_card_dispose (GObject *object)
{
  SpGameCard *self = SP_GAME_CARD (object);

  sp_game_card_set_game (self, NULL);
  g_cancellable_cancel (self->icon_cancellable);
  g_clear_object (&self->icon_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_GAME_CARD);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (sp_game_card_parent_class)->dispose (object);
}

static void
sp_game_card_finalize (GObject *object)
{
  SpGameCard *self = SP_GAME_CARD (object);

  g_free (self->status);
  g_free (self->summary);
  g_strfreev (self->hidden);
  g_clear_object (&self->banner_css);

  G_OBJECT_CLASS (sp_game_card_parent_class)->finalize (object);
}

static void
sp_game_card_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SpGameCard *self = SP_GAME_CARD (object);

  switch (prop_id)
    {
    case PROP_GAME:
      g_value_set_object (value, self->game);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_card_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SpGameCard *self = SP_GAME_CARD (object);

  switch (prop_id)
    {
    case PROP_GAME:
      sp_game_card_set_game (self, g_value_get_object (value));
      break;
    case PROP_STATUS:
      sp_game_card_set_status (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_card_class_init (SpGameCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_game_card_dispose;
  object_class->finalize = sp_game_card_finalize;
  object_class->get_property = sp_game_card_get_property;
  object_class->set_property = sp_game_card_set_property;

  properties[PROP_GAME] =
    g_param_spec_object ("game", NULL, NULL, SP_TYPE_GAME,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PLAY] = g_signal_new ("play", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SETTINGS] = g_signal_new ("settings", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_KEEP] = g_signal_new ("keep", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DISCARD] = g_signal_new ("discard", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STOP] = g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_OPEN] = g_signal_new ("open", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sp-game-card.ui");
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, box);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, art_stack);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, initials_label);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, banner);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, icon_image);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, menu_button);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, title_button);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, card_menu);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, last_played_label);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, stats_label);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, current_label);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, info_stack);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, spinner);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SpGameCard, stop_stack);
  gtk_widget_class_bind_template_callback (widget_class, stop_clicked_cb);

  gtk_widget_class_install_action (widget_class, "card.play", NULL, signal_action_cb);
  gtk_widget_class_install_action (widget_class, "card.open", NULL, signal_action_cb);
  gtk_widget_class_install_action (widget_class, "card.settings", NULL, signal_action_cb);
  gtk_widget_class_install_action (widget_class, "card.remove", NULL, signal_action_cb);
  gtk_widget_class_install_action (widget_class, "card.menu", NULL, menu_action_cb);
  gtk_widget_class_install_action (widget_class, "card.keep", NULL, signal_action_cb);
  gtk_widget_class_install_action (widget_class, "card.discard", NULL, signal_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "card.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "card.menu", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "gamecard");
}

static void
sp_game_card_init (SpGameCard *self)
{
  GtkGesture *gesture;

  self->elapsed = -1;
  self->spinning = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  /* This card's banner colour, from its icon. */
  self->banner_css = gtk_css_provider_new ();
  gtk_style_context_add_provider (gtk_widget_get_style_context (self->banner),
                                  GTK_STYLE_PROVIDER (self->banner_css),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (secondary_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
  gesture = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (gesture), TRUE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (long_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  self->context_menu = gtk_popover_menu_new_from_model (self->card_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.keep", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.discard", FALSE);
  update_status (self);
}

GtkWidget *
sp_game_card_new (SpGame *game)
{
  return g_object_new (SP_TYPE_GAME_CARD, "game", game, NULL);
}

SpGame *
sp_game_card_get_game (SpGameCard *self)
{
  g_return_val_if_fail (SP_IS_GAME_CARD (self), NULL);
  return self->game;
}

void
sp_game_card_set_game (SpGameCard *self,
                       SpGame     *game)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));
  g_return_if_fail (game == NULL || SP_IS_GAME (game));

  if (self->game == game)
    return;

  if (self->game != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->game, self);
      g_signal_handlers_disconnect_by_data (self->checkpoints, self);
    }
  g_clear_object (&self->checkpoints);
  g_set_object (&self->game, game);

  if (game != NULL)
    {
      self->checkpoints = g_object_ref (sp_game_get_checkpoints (game));
      g_signal_connect_swapped (game, "notify", G_CALLBACK (game_notify_cb), self);
      g_signal_connect_swapped (self->checkpoints, "items-changed", G_CALLBACK (update_texts), self);
      update_art (self);
      update_texts (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAME]);
}

const char *
sp_game_card_get_status (SpGameCard *self)
{
  g_return_val_if_fail (SP_IS_GAME_CARD (self), NULL);
  return self->status;
}

void
sp_game_card_set_status (SpGameCard *self,
                         const char *status)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));

  if (g_strcmp0 (self->status, status) == 0)
    return;
  g_free (self->status);
  self->status = g_strdup (status);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
sp_game_card_set_elapsed (SpGameCard *self,
                          gint64      seconds)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));

  self->elapsed = seconds;
  update_status (self);
}

void
sp_game_card_set_can_stop (SpGameCard *self,
                           gboolean    can_stop)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));
  gtk_stack_set_visible_child_name (self->stop_stack, can_stop ? "stop" : "none");
}

const char *
sp_game_card_get_summary (SpGameCard *self)
{
  g_return_val_if_fail (SP_IS_GAME_CARD (self), NULL);
  return self->summary ? self->summary : "";
}

void
sp_game_card_set_spinning (SpGameCard *self,
                           gboolean    spinning)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));

  self->spinning = !!spinning;
  update_status (self);
}

/* The banner's colour (from the icon), or FALSE when there is no icon
 * shown (the initials tile). */
gboolean
sp_game_card_get_tint (SpGameCard *self,
                       GdkRGBA    *tint)
{
  g_return_val_if_fail (SP_IS_GAME_CARD (self), FALSE);

  if (!self->tinted || g_strcmp0 (gtk_stack_get_visible_child_name (self->art_stack), "icon") != 0)
    return FALSE;
  if (tint != NULL)
    *tint = self->tint;
  return TRUE;
}

void
sp_game_card_set_hidden_checkpoints (SpGameCard         *self,
                                     const char * const *ids)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));

  g_strfreev (self->hidden);
  self->hidden = ids != NULL && ids[0] != NULL ? g_strdupv ((char **) ids) : NULL;
  update_texts (self);
}

GtkPopover *
sp_game_card_get_menu (SpGameCard *self)
{
  g_return_val_if_fail (SP_IS_GAME_CARD (self), NULL);
  return GTK_POPOVER (self->context_menu);
}

void
sp_game_card_set_pending (SpGameCard *self,
                          gboolean    pending)
{
  g_return_if_fail (SP_IS_GAME_CARD (self));

  self->pending = !!pending;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.keep", self->pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.discard", self->pending);
  update_status (self);
}

gboolean
sp_game_card_get_pending (SpGameCard *self)
{
  g_return_val_if_fail (SP_IS_GAME_CARD (self), FALSE);
  return self->pending;
}
