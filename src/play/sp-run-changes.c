/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a run changed: a walk over its upper folder (design.md, "Upper
 * layer and archive formats"), compared with the game's base. */
#include "config.h"

#include "sp-run.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "common/sp-upper-dir.h"
#include "core/sp-wine-prefix.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
count_dir (const char   *upper,
           const char   *base,
           const char   *rel,
           SpRunChanges *changes,
           GError      **error)
{
  g_autofree char *dir_path = g_build_filename (upper, rel, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, error);
  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child_rel = g_build_filename (rel, name, NULL);
      g_autofree char *child = g_build_filename (upper, child_rel, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;
      if (sp_upper_is_opaque_marker (name))
        continue;
      if (sp_upper_is_whiteout (name, &st))
        {
          changes->files_deleted++;
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          if (!count_dir (upper, base, child_rel, changes, error))
            return FALSE;
          continue;
        }
      {
        g_autofree char *in_base = g_build_filename (base, child_rel, NULL);
        GStatBuf bst;

        if (base != NULL && g_lstat (in_base, &bst) == 0)
          changes->files_changed++;
        else
          changes->files_added++;
      }
      if (S_ISREG (st.st_mode))
        changes->bytes += (guint64) st.st_size;
    }
  return TRUE;
}

gboolean
sp_run_count_changes (SpRun        *self,
                      const char   *base_path,
                      SpRunChanges *out_changes,
                      GError      **error)
{
  g_return_val_if_fail (SP_IS_RUN (self), FALSE);
  g_return_val_if_fail (out_changes != NULL, FALSE);

  memset (out_changes, 0, sizeof *out_changes);
  if (!g_file_test (sp_run_get_upper_path (self), G_FILE_TEST_IS_DIR))
    return TRUE;
  return count_dir (sp_run_get_upper_path (self), base_path, "", out_changes, error);
}

/* Collects "path → target" for each link of @upper/@rel and below that
 * leaves the game's folder in words (sp_wine_prefix_target_leaves()). */
static void
find_leaving_links (const char *upper,
                    const char *rel,
                    guint       depth,
                    GPtrArray  *found)
{
  g_autofree char *dir_path = g_build_filename (upper, rel, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (depth > 256 || (dir = g_dir_open (dir_path, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child_rel = rel[0] != '\0' ? g_build_filename (rel, name, NULL)
                                                  : g_strdup (name);
      g_autofree char *child = g_build_filename (upper, child_rel, NULL);
      g_autofree char *target = NULL;
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        find_leaving_links (upper, child_rel, depth + 1, found);
      else if (S_ISLNK (st.st_mode) && !sp_wine_prefix_is_device_link (child_rel) &&
               (target = g_file_read_link (child, NULL)) != NULL &&
               sp_wine_prefix_target_leaves (rel, target))
        g_ptr_array_add (found, g_strdup_printf ("%s → %s", child_rel, target));
    }
}

/* "a, b, c" of the first few of @items, "…" after them. */
static char *
join_some (GPtrArray *items)
{
  const guint shown = 5;
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < items->len && i < shown; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", (char *) items->pdata[i]);
  if (items->len > shown)
    g_string_append (text, ", …");
  return g_string_free (text, FALSE);
}

GStrv
sp_run_describe_outside (SpRun      *self,
                         SpGameKind  kind,
                         const char *base_path)
{
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (SP_IS_RUN (self), NULL);

  if (kind == SP_GAME_KIND_WINE && base_path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) outside = sp_wine_prefix_find_outside_links (base_path, TRUE, NULL, &error);

      if (outside == NULL)
        g_debug ("Checking the user folders of %s: %s", base_path, error->message);
      else if (outside[0] != NULL)
        {
          g_autoptr(GPtrArray) list = g_ptr_array_new ();
          g_autofree char *text = NULL;

          for (guint i = 0; outside[i] != NULL; i++)
            g_ptr_array_add (list, outside[i]);
          text = join_some (list);
          g_ptr_array_add (sentences,
                           g_strdup_printf (_("Saves outside the prefix are not captured: the "
                                              "clean install links %s to folders outside it. "
                                              "Repair the game (on its page, or with "
                                              "“savepoint-cli repair”) so they are kept."),
                                            text));
        }
    }
  if (g_file_test (sp_run_get_upper_path (self), G_FILE_TEST_IS_DIR))
    find_leaving_links (sp_run_get_upper_path (self), "", 0, links);
  if (links->len > 0)
    {
      g_autofree char *text = NULL;

      g_ptr_array_sort (links, compare_strings);
      text = join_some (links);
      g_ptr_array_add (sentences,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "The run left a link pointing outside "
                                                     "the game: %s. What it points at is not "
                                                     "in the checkpoint.",
                                                     "The run left links pointing outside "
                                                     "the game: %s. What they point at is not "
                                                     "in the checkpoint.", links->len),
                                        text));
    }
  g_ptr_array_add (sentences, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&sentences), FALSE);
}
