/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-leftovers.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-checkpoint.h"
#include "common/sp-util.h"

void
sp_leftover_free (SpLeftover *leftover)
{
  if (leftover == NULL)
    return;
  g_free (leftover->path);
  g_free (leftover->host);
  g_free (leftover->original_path);
  g_free (leftover);
}


static guint64
tree_size (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;
  guint64 total = 0;

  if (g_lstat (path, &st) != 0)
    return 0;
  if (S_ISREG (st.st_mode))
    return (guint64) st.st_size;
  if (!S_ISDIR (st.st_mode) || (dir = g_dir_open (path, 0, NULL)) == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      total += tree_size (child);
    }
  return total;
}

SpLeftover *
sp_leftover_inspect (const char *path)
{
  g_autoptr(SpLeftover) l = g_new0 (SpLeftover, 1);
  g_autoptr(GKeyFile) marker = NULL;
  g_autofree char *name = NULL;
  g_autofree char *mpath = NULL;
  g_autofree char *boot = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_has_suffix (path, SP_LEFTOVER_MARKER_SUFFIX))
    l->path = g_strndup (path, strlen (path) - strlen (SP_LEFTOVER_MARKER_SUFFIX));
  else
    l->path = g_strdup (path);
  if (g_lstat (l->path, &st) == 0)
    {
      l->is_dir = S_ISDIR (st.st_mode);
      l->size = tree_size (l->path);
    }
  name = g_path_get_basename (l->path);

  mpath = sp_leftover_marker_path (l->path, l->is_dir);
  marker = sp_leftover_read_marker (mpath);
  if (marker != NULL)
    {
      g_autofree char *kind = g_key_file_get_string (marker, SP_LEFTOVER_MARKER_GROUP, "Kind", NULL);
      g_autofree char *marker_boot = g_key_file_get_string (marker, SP_LEFTOVER_MARKER_GROUP, "BootId", NULL);
      guint64 start = g_key_file_get_uint64 (marker, SP_LEFTOVER_MARKER_GROUP, "PidStart", NULL);

      l->kind = sp_leftover_kind_from_string (kind);
      l->host = g_key_file_get_string (marker, SP_LEFTOVER_MARKER_GROUP, "Host", NULL);
      l->pid = g_key_file_get_int64 (marker, SP_LEFTOVER_MARKER_GROUP, "Pid", NULL);
      l->original_path = g_key_file_get_string (marker, SP_LEFTOVER_MARKER_GROUP, "OriginalPath", NULL);
      if (g_strcmp0 (l->host, sp_host_name ()) != 0)
        l->owner = SP_LEFTOVER_OWNER_OTHER_HOST;
      else if (g_strcmp0 (marker_boot, sp_boot_id_short ()) != 0)
        l->owner = SP_LEFTOVER_OWNER_GONE;
      else
        l->owner = sp_pid_is_alive (l->pid, start) ? SP_LEFTOVER_OWNER_LIVE
                                                   : SP_LEFTOVER_OWNER_GONE;
    }
  else if (sp_leftover_parse_owner (name, &boot, &l->pid) && strcmp (boot, sp_boot_id_short ()) == 0)
    /* Boot ids are random: the same one means this computer, this boot. */
    l->owner = sp_pid_is_alive (l->pid, 0) ? SP_LEFTOVER_OWNER_LIVE : SP_LEFTOVER_OWNER_GONE;
  else
    l->owner = SP_LEFTOVER_OWNER_UNKNOWN;
  return g_steal_pointer (&l);
}

static gint
compare_leftovers (gconstpointer a,
                   gconstpointer b)
{
  const SpLeftover *la = *(SpLeftover **) a;
  const SpLeftover *lb = *(SpLeftover **) b;

  return strcmp (la->path, lb->path);
}

GPtrArray *
sp_leftovers_find (const char  *dir,
                   GError     **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_leftover_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) d = NULL;
  const char *name;

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      SpLeftover *l;

      if (!sp_leftover_name_matches (name))
        continue;
      path = g_build_filename (dir, name, NULL);
      l = sp_leftover_inspect (path);
      if (g_hash_table_contains (seen, l->path))
        {
          sp_leftover_free (l);
          continue;
        }
      g_hash_table_add (seen, g_strdup (l->path));
      g_ptr_array_add (found, l);
    }
  g_ptr_array_sort (found, compare_leftovers);
  return g_steal_pointer (&found);
}

static gboolean
remove_leftover (SpLeftover  *l,
                 char       **out_report)
{
  g_autoptr(GError) error = NULL;

  if (!sp_remove_tree (l->path, NULL, &error))
    {
      if (out_report != NULL)
        *out_report = g_strdup (error->message);
      return FALSE;
    }
  if (!l->is_dir)
    sp_leftover_remove_marker (l->path, FALSE);
  return TRUE;
}

/* A checkpoint whose creation or deletion was cut short: without its .ini
 * the archive is no checkpoint, and its owner is gone. */
static gboolean
remove_unfinished_checkpoint (SpLeftover  *l,
                              char       **out_report)
{
  g_autofree char *dir = g_path_get_dirname (l->path);
  g_autofree char *id = g_path_get_basename (l->path);
  char *cut = g_strrstr (id, ".partial-");
  g_autofree char *ini = NULL;
  g_autofree char *archive = NULL;
  GStatBuf st;

  if (cut != NULL)
    *cut = '\0';
  if (cut == NULL || !sp_checkpoint_id_is_valid (id))
    {
      if (out_report != NULL)
        *out_report = sp_leftover_describe (l);
      return FALSE;
    }
  ini = g_strdup_printf ("%s/%s.ini", dir, id);
  archive = g_strdup_printf ("%s/%s.tar.zst", dir, id);
  if (g_lstat (ini, &st) != 0 && errno == ENOENT && g_lstat (archive, &st) == 0 &&
      S_ISREG (st.st_mode) && g_unlink (archive) != 0 && errno != ENOENT)
    {
      if (out_report != NULL)
        *out_report = g_strdup_printf (_("“%s” could not be removed: %s"), archive,
                                       g_strerror (errno));
      return FALSE;
    }
  sp_leftover_remove_marker (l->path, FALSE);
  return TRUE;
}

static gboolean
has_base (SpLeftover *l)
{
  g_autofree char *base = g_build_filename (l->path, "base", NULL);
  GStatBuf st;

  return l->is_dir && g_lstat (base, &st) == 0;
}

/* Moves an adopted folder (base/ of the leftover) back where it was. */
static gboolean
move_back (SpLeftover  *l,
           char       **out_report)
{
  g_autofree char *base = g_build_filename (l->path, "base", NULL);
  GStatBuf st;
  int saved;

  if (l->original_path == NULL || !g_path_is_absolute (l->original_path))
    {
      if (out_report != NULL)
        *out_report = sp_leftover_describe (l);
      return FALSE;
    }
  if (g_lstat (l->original_path, &st) == 0)
    saved = EEXIST;
  else if (sp_rename_noreplace (base, l->original_path) == 0)
    {
      g_autofree char *parent = g_path_get_dirname (l->original_path);

      sp_fsync_directory (parent, NULL);
      g_debug ("Moved the folder of an interrupted add back to %s", l->original_path);
      return remove_leftover (l, out_report);
    }
  else
    saved = errno;
  if (out_report != NULL)
    *out_report = g_strdup_printf (_("“%s” holds the folder you asked to add, in base/. It "
                                     "could not be moved back to “%s”: %s. Move it back "
                                     "yourself."),
                                   l->path, l->original_path, g_strerror (saved));
  return FALSE;
}

gboolean
sp_leftover_recover (SpLeftover  *l,
                     gboolean     repair,
                     char       **out_report)
{
  g_return_val_if_fail (l != NULL, FALSE);

  switch (l->owner)
    {
    case SP_LEFTOVER_OWNER_LIVE:
      return FALSE;

    case SP_LEFTOVER_OWNER_OTHER_HOST:
      break;

    case SP_LEFTOVER_OWNER_GONE:
      if (l->kind == SP_LEFTOVER_KIND_ADOPT && has_base (l))
        return move_back (l, out_report);
      if (l->kind == SP_LEFTOVER_KIND_UNKNOWN && has_base (l))
        break;
      if (l->kind == SP_LEFTOVER_KIND_CHECKPOINT)
        return remove_unfinished_checkpoint (l, out_report);
      return remove_leftover (l, out_report);

    case SP_LEFTOVER_OWNER_UNKNOWN:
    default:
      /* Without a marker the base/ of an add may be a user's folder. */
      if (repair && !has_base (l))
        return remove_leftover (l, out_report);
      break;
    }
  if (out_report != NULL)
    *out_report = sp_leftover_describe (l);
  return FALSE;
}

char *
sp_leftover_describe (SpLeftover *l)
{
  g_autofree char *size = g_format_size (l->size);

  switch (l->owner)
    {
    case SP_LEFTOVER_OWNER_LIVE:
      return g_strdup_printf (_("“%s” (%s) is being written by process %" PRId64 "."),
                              l->path, size, l->pid);
    case SP_LEFTOVER_OWNER_OTHER_HOST:
      if (l->kind == SP_LEFTOVER_KIND_ADOPT && has_base (l))
        return g_strdup_printf (_("“%s” (%s) was left by an interrupted “add game” on the "
                                  "computer “%s”; base/ inside it is the folder that was "
                                  "being added (“%s”). Savepoint leaves it alone here: move "
                                  "it back on that computer, or by hand."),
                                l->path, size, l->host ? l->host : "?",
                                l->original_path ? l->original_path : "?");
      return g_strdup_printf (_("“%s” (%s) was left by Savepoint on the computer “%s”. It is "
                                "left alone, since that computer may still be using it; if "
                                "it is not, remove it by hand."),
                              l->path, size, l->host ? l->host : "?");
    case SP_LEFTOVER_OWNER_GONE:
    case SP_LEFTOVER_OWNER_UNKNOWN:
    default:
      if (has_base (l))
        return g_strdup_printf (_("“%s” (%s) was left by an interrupted “add game”. If no "
                                  "game is being added right now, move its base/ folder back "
                                  "where it came from (it may be a folder you adopted), then "
                                  "remove it."), l->path, size);
      return g_strdup_printf (_("“%s” (%s) was left by an interrupted write. If nothing is "
                                "being written right now, “savepoint-cli verify --repair” "
                                "removes it."), l->path, size);
    }
}

static guint
recover_dir (const char *dir,
             gboolean    dot_only,
             gboolean    repair,
             GPtrArray  *reports)
{
  g_autoptr(GPtrArray) found = sp_leftovers_find (dir, NULL);
  guint handled = 0;

  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      SpLeftover *l = found->pdata[i];
      g_autofree char *name = g_path_get_basename (l->path);
      g_autofree char *report = NULL;

      if (dot_only && name[0] != '.')
        continue;
      if (sp_leftover_recover (l, repair, &report))
        handled++;
      else if (report != NULL && reports != NULL)
        g_ptr_array_add (reports, g_steal_pointer (&report));
    }
  return handled;
}

guint
sp_leftovers_recover_library (const char *library_path,
                              gboolean    repair,
                              GPtrArray  *reports)
{
  g_autofree char *games = g_build_filename (library_path, "games", NULL);
  g_autoptr(GDir) d = g_dir_open (games, 0, NULL);
  const char *name;
  guint handled;

  if (d == NULL)
    return 0;
  handled = recover_dir (games, TRUE, repair, reports);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *game = g_build_filename (games, name, NULL);
      g_autofree char *checkpoints = NULL;
      GStatBuf st;

      if (name[0] == '.' || g_lstat (game, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;
      checkpoints = g_build_filename (game, "checkpoints", NULL);
      if (g_lstat (checkpoints, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;
      handled += recover_dir (checkpoints, FALSE, repair, reports);
    }
  return handled;
}
