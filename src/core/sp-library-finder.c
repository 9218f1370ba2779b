/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sp-library-finder.h"

void
sp_library_candidate_free (SpLibraryCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->path);
  g_free (candidate->location);
  g_free (candidate);
}

GStrv
sp_library_environment_folders (void)
{
  const char *env = g_getenv ("SAVEPOINT_LIBRARY");
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;

  if (env != NULL)
    parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      g_autofree char *folder = NULL;

      if (parts[i][0] == '\0')
        continue;
      folder = g_canonicalize_filename (parts[i], NULL);
      if (!g_ptr_array_find_with_equal_func (folders, folder, g_str_equal, NULL))
        g_ptr_array_add (folders, g_steal_pointer (&folder));
    }
  g_ptr_array_add (folders, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&folders), FALSE);
}

/* Adds a candidate unless its path is there already. Takes @path and
 * @location. */
static void
add_candidate (GPtrArray       *candidates,
               char            *path,
               char            *location,
               SpLibrarySource  source)
{
  SpLibraryCandidate *candidate;

  for (guint i = 0; i < candidates->len; i++)
    {
      SpLibraryCandidate *other = g_ptr_array_index (candidates, i);

      if (g_str_equal (other->path, path))
        {
          g_free (path);
          g_free (location);
          return;
        }
    }
  candidate = g_new0 (SpLibraryCandidate, 1);
  candidate->path = path;
  candidate->location = location;
  candidate->source = source;
  g_ptr_array_add (candidates, candidate);
}

static void
add_folders (GPtrArray          *candidates,
             const char * const *folders,
             SpLibrarySource     source)
{
  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      char *path;

      if (folders[i][0] == '\0')
        continue;
      path = g_canonicalize_filename (folders[i], NULL);
      add_candidate (candidates, path, g_strdup (path), source);
    }
}

/* Every folder in the places desktops mount drives: a drive mounted there
 * by hand (or hidden by the volume monitor, as /mnt is) still counts. */
static void
add_drive_folders (GPtrArray *candidates)
{
  g_autofree char *media_user = g_build_filename ("/media", g_get_user_name (), NULL);
  g_autofree char *run_media_user = g_build_filename ("/run/media", g_get_user_name (), NULL);
  const char *roots[] = { media_user, run_media_user, "/media", "/mnt", NULL };

  for (guint i = 0; roots[i] != NULL; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (roots[i], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          char *path = g_build_filename (roots[i], name, NULL);

          add_candidate (candidates, path, g_strdup (path), SP_LIBRARY_SOURCE_DRIVE);
        }
    }
}

GPtrArray *
sp_library_find_candidates (GVolumeMonitor *volume_monitor,
                            GSettings      *settings)
{
  g_autoptr(GVolumeMonitor) own_monitor = NULL;
  g_autolist(GMount) mounts = NULL;
  g_auto(GStrv) environment = sp_library_environment_folders ();
  g_auto(GStrv) folders = NULL;
  GPtrArray *candidates;

  g_return_val_if_fail (volume_monitor == NULL || G_IS_VOLUME_MONITOR (volume_monitor), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_library_candidate_free);
  add_folders (candidates, (const char * const *) environment, SP_LIBRARY_SOURCE_ENVIRONMENT);

  if (settings != NULL)
    {
      folders = g_settings_get_strv (settings, "library-folders");
      add_folders (candidates, (const char * const *) folders, SP_LIBRARY_SOURCE_FOLDER);
    }

  if (volume_monitor == NULL)
    volume_monitor = own_monitor = g_volume_monitor_get ();
  mounts = g_volume_monitor_get_mounts (volume_monitor);
  for (GList *l = mounts; l != NULL; l = l->next)
    {
      g_autoptr(GFile) root = g_mount_get_root (l->data);
      char *path = g_file_get_path (root);

      if (path != NULL)
        add_candidate (candidates, path, g_mount_get_name (l->data), SP_LIBRARY_SOURCE_DRIVE);
    }
  add_drive_folders (candidates);
  return candidates;
}

gboolean
sp_library_candidate_has_library (const char *path)
{
  g_autofree char *direct = NULL;
  g_autofree char *inside = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, FALSE);

  direct = g_build_filename (path, "library.ini", NULL);
  inside = g_build_filename (path, "Savepoint", "library.ini", NULL);
  return g_lstat (direct, &st) == 0 || g_lstat (inside, &st) == 0;
}
