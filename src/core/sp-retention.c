/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-retention.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-drive-trash.h"
#include "sp-game-private.h"
#include "sp-keyfile.h"
#include "sp-library-error.h"

#define GB G_GUINT64_CONSTANT (1000000000)

gboolean
sp_retention_is_set (const SpRetention *retention)
{
  g_return_val_if_fail (retention != NULL, FALSE);
  return retention->has_keep_last || retention->has_keep_daily || retention->has_max_size;
}

/* Plain decimal digits only: no sign, no exponent, no spaces inside. */
static gboolean
parse_count (const char *text,
             guint       max,
             guint      *out_value)
{
  guint64 value = 0;
  gsize len = strlen (text);

  if (len == 0 || len > 9)
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }
  if (value > max)
    return FALSE;
  *out_value = (guint) value;
  return TRUE;
}

gboolean
sp_retention_parse_size (const char  *text,
                         guint64     *out_bytes,
                         GError     **error)
{
  guint64 whole = 0;
  guint64 fraction = 0;
  guint64 scale = GB;
  const char *p = text;
  guint digits = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_bytes != NULL, FALSE);

  for (; g_ascii_isdigit (*p) && digits < 8; p++, digits++)
    whole = whole * 10 + (guint64) (*p - '0');
  if (digits > 0 && *p == '.')
    {
      guint decimals = 0;

      for (p++; g_ascii_isdigit (*p) && decimals < 4; p++, decimals++)
        {
          scale /= 10;
          fraction += (guint64) (*p - '0') * scale;
        }
      if (decimals == 0 || decimals > 3)
        digits = 0;
    }
  if (digits == 0 || *p != '\0' || whole > SP_RETENTION_MAX_SIZE_GB ||
      (whole == SP_RETENTION_MAX_SIZE_GB && fraction > 0) || (whole == 0 && fraction == 0))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a size in gigabytes from 0.001 to %d, such as 20 or 2.5."),
                   text, SP_RETENTION_MAX_SIZE_GB);
      return FALSE;
    }
  *out_bytes = whole * GB + fraction;
  return TRUE;
}

/* The raw value of @key, stripped, or NULL when absent or empty; a value
 * that is not UTF-8 text is "\xff"-escaped so that it is refused. */
static char *
get_value (GKeyFile   *key_file,
           const char *key)
{
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (key_file, SP_RETENTION_GROUP, key, NULL))
    return NULL;
  value = g_key_file_get_value (key_file, SP_RETENTION_GROUP, key, NULL);
  if (value == NULL)
    return g_strdup ("\\?");
  g_strstrip (value);
  if (*value == '\0')
    return NULL;
  if (!g_utf8_validate (value, -1, NULL))
    return g_utf8_make_valid (value, -1);
  return g_steal_pointer (&value);
}

/* Checks one value of @key; on success stores it in @retention. */
static gboolean
parse_value (const char   *key,
             const char   *text,
             SpRetention  *retention,
             GError      **error)
{
  if (g_str_equal (key, "KeepLast"))
    {
      if (!parse_count (text, SP_RETENTION_KEEP_LAST_MAX, &retention->keep_last))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("“%s” is not a number of checkpoints from 0 to %d."),
                       text, SP_RETENTION_KEEP_LAST_MAX);
          return FALSE;
        }
      retention->has_keep_last = TRUE;
      return TRUE;
    }
  if (g_str_equal (key, "KeepDaily"))
    {
      if (!parse_count (text, SP_RETENTION_KEEP_DAILY_MAX, &retention->keep_daily))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("“%s” is not a number of days from 0 to %d."),
                       text, SP_RETENTION_KEEP_DAILY_MAX);
          return FALSE;
        }
      retention->has_keep_daily = TRUE;
      return TRUE;
    }
  g_assert (g_str_equal (key, "MaxSize"));
  if (!sp_retention_parse_size (text, &retention->max_size, error))
    return FALSE;
  retention->has_max_size = TRUE;
  return TRUE;
}

static const char * const retention_keys[] = { "KeepLast", "KeepDaily", "MaxSize", NULL };

gboolean
sp_retention_parse (GKeyFile     *key_file,
                    const char   *path,
                    const char   *data,
                    SpRetention  *retention,
                    GError      **error)
{
  SpRetention result;

  g_return_val_if_fail (key_file != NULL, FALSE);
  g_return_val_if_fail (retention != NULL, FALSE);

  /* Nothing changes unless every key is good. */
  result = *retention;
  for (guint i = 0; retention_keys[i] != NULL; i++)
    {
      g_autofree char *value = get_value (key_file, retention_keys[i]);
      g_autoptr(GError) local_error = NULL;

      if (value != NULL && !parse_value (retention_keys[i], value, &result, &local_error))
        {
          sp_key_file_set_error (error, path, data, SP_RETENTION_GROUP, retention_keys[i],
                                 "%s", local_error->message);
          return FALSE;
        }
    }
  *retention = result;
  return TRUE;
}

char *
sp_retention_get_game_value (SpGame     *game,
                             const char *key)
{
  g_return_val_if_fail (SP_IS_GAME (game), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (game->key_file == NULL)
    return NULL;
  return get_value (game->key_file, key);
}

gboolean
sp_retention_set_game_value (SpGame      *game,
                             const char  *key,
                             const char  *text,
                             GError     **error)
{
  g_autofree char *value = NULL;
  SpRetention scratch = { 0 };

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);
  g_return_val_if_fail (key != NULL && g_strv_contains (retention_keys, key), FALSE);

  value = g_strstrip (g_strdup (text ? text : ""));
  if (*value != '\0' && !parse_value (key, value, &scratch, error))
    return FALSE;
  if (game->key_file == NULL)
    game->key_file = g_key_file_new ();
  sp_key_file_set_string_or_remove (game->key_file, SP_RETENTION_GROUP, key,
                                    *value != '\0' ? value : NULL);
  return TRUE;
}

static gboolean
parse_file (const char   *path,
            SpRetention  *retention,
            GError      **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) local_error = NULL;

  kf = sp_key_file_load (path, &local_error);
  if (kf == NULL)
    {
      if (g_error_matches (local_error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return sp_retention_parse (kf, path, NULL, retention, error);
}

gboolean
sp_retention_load (SpGame       *game,
                   SpRetention  *out_retention,
                   GError      **error)
{
  g_autofree char *games = NULL;
  g_autofree char *library = NULL;
  g_autofree char *library_ini = NULL;
  SpRetention retention = { 0 };

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);
  g_return_val_if_fail (out_retention != NULL, FALSE);

  games = g_path_get_dirname (sp_game_get_path (game));
  library = g_path_get_dirname (games);
  library_ini = g_build_filename (library, "library.ini", NULL);
  if (!parse_file (library_ini, &retention, error) ||
      !parse_file (sp_game_get_ini_path (game), &retention, error))
    return FALSE;
  *out_retention = retention;
  return TRUE;
}

static char *
local_day (SpCheckpoint *c)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (sp_checkpoint_get_created (c));

  return g_date_time_format (local, "%Y-%m-%d");
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  return sp_checkpoint_compare (*(gpointer const *) a, *(gpointer const *) b, NULL);
}

static guint64
add_capped (guint64       total,
            SpCheckpoint *c,
            guint64       max_size)
{
  guint64 size = MIN (sp_checkpoint_get_archive_size (c), max_size + 1);

  return total > G_MAXUINT64 - size ? G_MAXUINT64 : total + size;
}

GPtrArray *
sp_retention_plan (SpGame            *game,
                   const SpRetention *retention)
{
  GListModel *model;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) kept = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *removed = g_ptr_array_new_with_free_func (g_object_unref);
  const char *head;
  guint n;

  g_return_val_if_fail (SP_IS_GAME (game), NULL);
  g_return_val_if_fail (retention != NULL, NULL);

  if (!sp_retention_is_set (retention))
    return removed;

  model = sp_game_get_checkpoints (game);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (all, g_list_model_get_item (model, i));
  /* Newest first, whatever order the model has. */
  g_ptr_array_sort (all, compare_newest_first);

  head = sp_game_get_head (game);
  for (guint i = 0; i < all->len; i++)
    {
      SpCheckpoint *c = g_ptr_array_index (all, i);
      gboolean keep = FALSE;

      if (sp_checkpoint_get_pinned (c) || g_strcmp0 (sp_checkpoint_get_id (c), head) == 0)
        keep = TRUE;
      if (!retention->has_keep_last && !retention->has_keep_daily)
        keep = TRUE;
      if (retention->has_keep_last && i < retention->keep_last)
        keep = TRUE;
      if (retention->has_keep_daily)
        {
          char *day = local_day (c);

          if (g_hash_table_contains (days, day))
            g_free (day);
          else
            {
              g_hash_table_add (days, day);
              if (g_hash_table_size (days) <= retention->keep_daily)
                keep = TRUE;
            }
        }
      if (keep)
        g_hash_table_add (kept, c);
    }

  if (retention->has_max_size)
    {
      guint64 total = 0;

      /* Sizes come from the drive: each counts as at most max_size + 1
       * (one such archive is over the limit anyway), so the sum cannot
       * wrap around (max_size is at most 10^15) and saturates besides. */
      for (guint i = 0; i < all->len; i++)
        if (g_hash_table_contains (kept, g_ptr_array_index (all, i)))
          total = add_capped (total, g_ptr_array_index (all, i), retention->max_size);
      /* Oldest first, never a pinned one or the head. */
      for (guint i = all->len; i > 0 && total > retention->max_size; i--)
        {
          SpCheckpoint *c = g_ptr_array_index (all, i - 1);

          if (!g_hash_table_contains (kept, c) || sp_checkpoint_get_pinned (c) ||
              g_strcmp0 (sp_checkpoint_get_id (c), head) == 0)
            continue;
          g_hash_table_remove (kept, c);
          total -= MIN (total, MIN (sp_checkpoint_get_archive_size (c), retention->max_size + 1));
        }
    }

  for (guint i = all->len; i > 0; i--)
    {
      SpCheckpoint *c = g_ptr_array_index (all, i - 1);

      if (!g_hash_table_contains (kept, c))
        g_ptr_array_add (removed, g_object_ref (c));
    }
  return removed;
}

/* Re-links the children of @c to its parent (or makes them roots when that
 * parent is not in the timeline). */
static gboolean
relink_children (SpGame        *game,
                 SpCheckpoint  *c,
                 GError       **error)
{
  GListModel *model = sp_game_get_checkpoints (game);
  const char *id = sp_checkpoint_get_id (c);
  const char *parent = sp_checkpoint_get_parent (c);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);

  if (parent != NULL && sp_game_find_checkpoint (game, parent) == NULL)
    parent = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      SpCheckpoint *child = g_list_model_get_item (model, i);

      if (g_strcmp0 (sp_checkpoint_get_parent (child), id) == 0)
        g_ptr_array_add (children, child);
      else
        g_object_unref (child);
    }
  for (guint i = 0; i < children->len; i++)
    if (!_sp_game_set_checkpoint_parent (game, sp_checkpoint_get_id (g_ptr_array_index (children, i)),
                                         parent, error))
      return FALSE;
  return TRUE;
}

gboolean
sp_retention_prune_sync (SpGame      *game,
                         gboolean     dry_run,
                         GPtrArray  **out_removed,
                         GError     **error)
{
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  SpRetention retention;
  gboolean ok = TRUE;

  g_return_val_if_fail (SP_IS_GAME (game), FALSE);

  if (!sp_retention_load (game, &retention, error))
    return FALSE;
  plan = sp_retention_plan (game, &retention);
  if (dry_run)
    {
      if (out_removed != NULL)
        *out_removed = g_steal_pointer (&plan);
      return TRUE;
    }

  removed = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < plan->len; i++)
    {
      SpCheckpoint *c = g_ptr_array_index (plan, i);

      if (!relink_children (game, c, error) ||
          !_sp_game_trash_checkpoint (game, sp_checkpoint_get_id (c), error))
        {
          ok = FALSE;
          break;
        }
      g_ptr_array_add (removed, g_object_ref (c));
    }
  if (out_removed != NULL)
    *out_removed = g_steal_pointer (&removed);
  return ok;
}

static void
report_free (SpRetentionReport *report)
{
  g_ptr_array_unref (report->removed);
  g_clear_error (&report->error);
  g_free (report);
}

static GQuark
report_quark (void)
{
  return g_quark_from_static_string ("sp-retention-keep-report");
}

void
sp_retention_apply_after_keep (SpGame       *game,
                               SpCheckpoint *kept)
{
  SpRetentionReport *report = g_new0 (SpRetentionReport, 1);
  GPtrArray *removed = NULL;

  g_return_if_fail (SP_IS_GAME (game));
  g_return_if_fail (SP_IS_CHECKPOINT (kept));

  if (!sp_retention_prune_sync (game, FALSE, &removed, &report->error))
    g_prefix_error (&report->error, _("Old checkpoints were not all pruned: "));
  report->removed = removed != NULL ? removed : g_ptr_array_new_with_free_func (g_object_unref);

  g_object_set_qdata_full (G_OBJECT (kept), report_quark (), report,
                           (GDestroyNotify) report_free);
}

void
sp_retention_expire_trash_after_keep (SpCheckpoint *kept)
{
  SpRetentionReport *report;
  g_autofree char *checkpoints = NULL;
  g_autofree char *game = NULL;
  g_autofree char *games = NULL;
  g_autofree char *library = NULL;
  guint days;
  guint64 bytes;

  g_return_if_fail (SP_IS_CHECKPOINT (kept));

  report = g_object_get_qdata (G_OBJECT (kept), report_quark ());
  if (report == NULL || report->error != NULL)
    return;
  /* <library>/games/<slug>/checkpoints/<id>.ini */
  checkpoints = g_path_get_dirname (sp_checkpoint_get_ini_path (kept));
  game = g_path_get_dirname (checkpoints);
  games = g_path_get_dirname (game);
  library = g_path_get_dirname (games);
  sp_drive_trash_get_limits (&days, &bytes);
  if (!sp_drive_trash_expire (library, NULL, NULL, days, bytes, NULL, &report->error))
    g_prefix_error (&report->error, _("The drive’s trash was not emptied: "));
}

const SpRetentionReport *
sp_retention_get_keep_report (SpCheckpoint *kept)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (kept), NULL);
  return g_object_get_qdata (G_OBJECT (kept), report_quark ());
}

char *
sp_retention_describe_keep (SpCheckpoint *kept)
{
  const SpRetentionReport *report = sp_retention_get_keep_report (kept);

  if (report == NULL)
    return NULL;
  if (report->error != NULL)
    return g_strdup (report->error->message);
  if (report->removed->len == 0)
    return NULL;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u old checkpoint was moved to the drive’s trash.",
                                       "%u old checkpoints were moved to the drive’s trash.",
                                       report->removed->len), report->removed->len);
}
