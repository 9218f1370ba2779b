/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a run changed: a walk over its upper folder (design.md, "Upper
 * layer and archive formats"), compared with the game's base. */
#include "config.h"

#include "sp-run.h"

#include <glib/gstdio.h>
#include <string.h>

#include "common/sp-upper-dir.h"

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
