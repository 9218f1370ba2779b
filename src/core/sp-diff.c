/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "archive/sp-archive-private.h"
#include "common/sp-util.h"
#include "sp-diff-private.h"
#include "sp-library-error.h"

/* See sp-diff.h. A checkpoint's archive is read once into a table of its
 * entries (type, size, SHA-256 of the content; the content itself only for
 * the registry files); the clean install is looked at path by path,
 * beneath base/ and never through a symbolic link, and hashed only where a
 * file of the same size has to be compared with it. */


typedef struct
{
  const char   *base_path;
  int           base_fd;
  GHashTable   *base_cache;         /* relative path -> Entry (T_ABSENT too) */
  GHashTable   *candidates;         /* set of relative paths to compare */
  GCancellable *cancellable;
} Context;

/* What a path is in one state of the game. */
typedef struct
{
  EntryType  type;
  Entry     *entry;
  gboolean   from_base;
} State;

void
sp_diff_free (SpDiff *diff)
{
  if (diff == NULL)
    return;
  g_clear_pointer (&diff->entries, g_ptr_array_unref);
  g_clear_pointer (&diff->registry, g_ptr_array_unref);
  g_free (diff);
}

static void
diff_entry_free (SpDiffEntry *entry)
{
  g_free (entry->path);
  g_free (entry);
}

guint64
sp_diff_get_total_size (const SpDiff *diff)
{
  g_return_val_if_fail (diff != NULL, 0);
  return diff->added_bytes + diff->changed_bytes;
}

gboolean
_sp_diff_too_many_paths (GError **error)
{
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_FAILED,
               _("There are more than %u changed paths to compare; the comparison was stopped."),
               SP_DIFF_MAX_PATHS);
  return FALSE;
}

/* ---- the clean install ---- */

/* openat2() beneath base/, following no symbolic link at all. */
static int
open_beneath (int         dir_fd,
              const char *rel,
              guint64     flags)
{
  struct open_how how = { 0 };
  int fd;

  /* openat2() refuses O_PATH with any flag but these. */
  how.flags = flags | O_NOFOLLOW | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  do
    fd = (int) syscall (SYS_openat2, dir_fd, rel[0] != '\0' ? rel : ".", &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return fd;
}

static gboolean
errno_is_absent (int saved)
{
  /* Not there, or only reachable through a symbolic link: the overlay
   * does not see it at that path either. */
  return saved == ENOENT || saved == ENOTDIR || saved == ELOOP || saved == EXDEV;
}

static gboolean
set_base_error (GError     **error,
                Context     *ctx,
                int          saved,
                const char  *rel)
{
  g_autofree char *path = g_build_filename (ctx->base_path, rel, NULL);

  if (saved == ENOSYS)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_FAILED,
                   _("This system’s kernel cannot read the clean install safely "
                     "(openat2 needs Linux 5.6 or later)."));
      return FALSE;
    }
  return sp_set_error_from_errno (error, saved, _("Cannot read “%s”"), path);
}

/* What @rel is in base/ (lstat, beneath), cached. */
static Entry *
base_lookup (Context     *ctx,
             const char  *rel,
             GError     **error)
{
  Entry *entry = g_hash_table_lookup (ctx->base_cache, rel);
  struct stat st;
  int fd;

  if (entry != NULL)
    return entry;

  entry = g_new0 (Entry, 1);
  fd = open_beneath (ctx->base_fd, rel, O_PATH);
  if (fd < 0)
    {
      int saved = errno;

      if (!errno_is_absent (saved))
        {
          _sp_diff_entry_free (entry);
          set_base_error (error, ctx, saved, rel);
          return NULL;
        }
    }
  else
    {
      if (fstat (fd, &st) != 0)
        {
          int saved = errno;

          close (fd);
          _sp_diff_entry_free (entry);
          set_base_error (error, ctx, saved, rel);
          return NULL;
        }
      if (S_ISREG (st.st_mode))
        {
          entry->type = T_FILE;
          entry->size = (guint64) st.st_size;
        }
      else if (S_ISDIR (st.st_mode))
        entry->type = T_DIR;
      else if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);

          entry->type = T_SYMLINK;
          entry->link = g_strndup (target, n > 0 ? (gsize) n : 0);
        }
      else
        entry->type = T_OTHER;
      close (fd);
    }
  g_hash_table_insert (ctx->base_cache, g_strdup (rel), entry);
  return entry;
}

/* The SHA-256 of base/@rel, a regular file of @entry->size bytes. */
static const char *
base_sha256 (Context     *ctx,
             const char  *rel,
             Entry       *entry,
             GError     **error)
{
  g_autoptr(SpSha256) sha = NULL;
  g_autofree guchar *buffer = NULL;
  struct stat st;
  guint64 done = 0;
  int fd;

  if (entry->sha256 != NULL)
    return entry->sha256;

  fd = open_beneath (ctx->base_fd, rel, O_RDONLY | O_NONBLOCK);
  if (fd < 0)
    {
      set_base_error (error, ctx, errno, rel);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      set_base_error (error, ctx, EINVAL, rel);
      return NULL;
    }
  sha = sp_sha256_new ();
  buffer = g_malloc (BUFFER_SIZE);
  for (;;)
    {
      gssize n = sp_read_full (fd, buffer, BUFFER_SIZE);

      if (n < 0)
        {
          int saved = errno;

          close (fd);
          set_base_error (error, ctx, saved, rel);
          return NULL;
        }
      if (n == 0)
        break;
      sp_sha256_update (sha, buffer, (gsize) n);
      done += (guint64) n;
      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        {
          close (fd);
          return NULL;
        }
    }
  close (fd);
  /* A file that changed size since it was looked at differs anyway. */
  if (done != entry->size)
    entry->size = done;
  entry->sha256 = g_strdup (sp_sha256_get_string (sha));
  return entry->sha256;
}

static gboolean
add_candidate (Context     *ctx,
               const char  *rel,
               GError     **error)
{
  if (g_hash_table_contains (ctx->candidates, rel))
    return TRUE;
  if (g_hash_table_size (ctx->candidates) >= SP_DIFF_MAX_PATHS)
    return _sp_diff_too_many_paths (error);
  g_hash_table_add (ctx->candidates, g_strdup (rel));
  return TRUE;
}

/* Adds everything of base/ under the folder @rel ("" = the root). */
static gboolean
add_base_tree (Context     *ctx,
               const char  *rel,
               GError     **error)
{
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (folders, g_strdup (rel));
  while (folders->len > 0)
    {
      g_autofree char *folder = g_ptr_array_steal_index (folders, folders->len - 1);
      int fd = open_beneath (ctx->base_fd, folder, O_RDONLY | O_DIRECTORY);
      struct dirent *dent;
      DIR *dir;

      if (fd < 0)
        {
          if (errno_is_absent (errno))
            continue;
          return set_base_error (error, ctx, errno, folder);
        }
      dir = fdopendir (fd);
      if (dir == NULL)
        {
          close (fd);
          return set_base_error (error, ctx, errno, folder);
        }
      while ((errno = 0, dent = readdir (dir)) != NULL)
        {
          g_autofree char *child = NULL;
          Entry *entry;

          if (strcmp (dent->d_name, ".") == 0 || strcmp (dent->d_name, "..") == 0)
            continue;
          if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
            {
              closedir (dir);
              return FALSE;
            }
          child = folder[0] != '\0' ? g_strconcat (folder, "/", dent->d_name, NULL)
                                    : g_strdup (dent->d_name);
          if (!add_candidate (ctx, child, error))
            {
              closedir (dir);
              return FALSE;
            }
          entry = base_lookup (ctx, child, error);
          if (entry == NULL)
            {
              closedir (dir);
              return FALSE;
            }
          if (entry->type == T_DIR)
            g_ptr_array_add (folders, g_steal_pointer (&child));
        }
      if (errno != 0)
        {
          int saved = errno;

          closedir (dir);
          return set_base_error (error, ctx, saved, folder);
        }
      closedir (dir);
    }
  return TRUE;
}

/* ---- comparing ---- */

/* The state of @rel in @layer (NULL = the clean install). */
static gboolean
state_of (Context     *ctx,
          Layer       *layer,
          const char  *rel,
          State       *out,
          GError     **error)
{
  memset (out, 0, sizeof *out);
  if (layer != NULL)
    {
      Entry *entry = g_hash_table_lookup (layer->entries, rel);
      g_autofree char *dir = NULL;

      if (entry != NULL)
        {
          out->type = entry->type == T_WHITEOUT ? T_ABSENT : entry->type;
          out->entry = entry;
          return TRUE;
        }
      if (g_hash_table_contains (layer->opaque, ""))
        return TRUE;
      dir = g_strdup (rel);
      for (char *slash = strrchr (dir, '/'); slash != NULL; slash = strrchr (dir, '/'))
        {
          Entry *above;

          *slash = '\0';
          above = g_hash_table_lookup (layer->entries, dir);
          if ((above != NULL && above->type != T_DIR) || g_hash_table_contains (layer->opaque, dir))
            return TRUE;
        }
    }
  out->entry = base_lookup (ctx, rel, error);
  if (out->entry == NULL)
    return FALSE;
  out->type = out->entry->type;
  out->from_base = TRUE;
  return TRUE;
}

static const char *
state_sha256 (Context     *ctx,
              const char  *rel,
              State       *state,
              GError     **error)
{
  return state->from_base ? base_sha256 (ctx, rel, state->entry, error) : state->entry->sha256;
}

static gboolean
states_equal (Context     *ctx,
              const char  *rel,
              State       *a,
              State       *b,
              gboolean    *out_equal,
              GError     **error)
{
  const char *sha_a;
  const char *sha_b;

  *out_equal = FALSE;
  if (a->type != b->type)
    return TRUE;
  switch (a->type)
    {
    case T_FILE:
      if (a->from_base && b->from_base)
        break;
      if (a->entry->size != b->entry->size)
        return TRUE;
      if ((sha_a = state_sha256 (ctx, rel, a, error)) == NULL ||
          (sha_b = state_sha256 (ctx, rel, b, error)) == NULL)
        return FALSE;
      *out_equal = strcmp (sha_a, sha_b) == 0 && a->entry->size == b->entry->size;
      return TRUE;
    case T_SYMLINK:
      *out_equal = g_strcmp0 (a->entry->link, b->entry->link) == 0;
      return TRUE;
    default:
      break;
    }
  *out_equal = TRUE;
  return TRUE;
}

static SpDiffType
diff_type (EntryType type)
{
  switch (type)
    {
    case T_FILE:
      return SP_DIFF_TYPE_FILE;
    case T_DIR:
      return SP_DIFF_TYPE_DIR;
    case T_SYMLINK:
      return SP_DIFF_TYPE_SYMLINK;
    default:
      return SP_DIFF_TYPE_OTHER;
    }
}

/* Every path @layer can make differ from base/. */
static gboolean
collect_candidates (Context     *ctx,
                    Layer       *layer,
                    GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, layer->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (!add_candidate (ctx, key, error))
        return FALSE;
      if (entry->type != T_DIR)
        {
          /* A whiteout or a non-folder over a folder of base hides all of it. */
          Entry *base = base_lookup (ctx, key, error);

          if (base == NULL)
            return FALSE;
          if (base->type == T_DIR && !add_base_tree (ctx, key, error))
            return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
    }
  g_hash_table_iter_init (&iter, layer->opaque);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!add_base_tree (ctx, key, error))
      return FALSE;
  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const SpDiffEntry *ea = *(SpDiffEntry * const *) a;
  const SpDiffEntry *eb = *(SpDiffEntry * const *) b;

  return strcmp (ea->path, eb->path);
}

/* The registry file @index as it is in @state. */
static SpWineRegistry *
load_registry (Context     *ctx,
               Layer       *layer,
               int          index,
               State       *state,
               GError     **error)
{
  const char *name = sp_wine_registry_files[index];
  g_autofree char *display = layer != NULL
    ? g_strdup_printf (_("%s of checkpoint %s"), name, layer->id)
    : g_build_filename (ctx->base_path, name, NULL);

  if (state->type != T_FILE)
    return sp_wine_registry_new_empty ();

  if (!state->from_base)
    {
      if (layer->reg_too_large[index] || layer->regs[index] == NULL)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                       _("%s: the registry file is too large (more than %s) or not a plain file."),
                       display, "64 MB");
          return NULL;
        }
      return sp_wine_registry_parse (g_bytes_get_data (layer->regs[index], NULL),
                                     g_bytes_get_size (layer->regs[index]), display, error);
    }
  else
    {
      g_autofree char *data = NULL;
      struct stat st;
      gsize length = 0;
      int fd = open_beneath (ctx->base_fd, name, O_RDONLY | O_NONBLOCK);
      gboolean ok;

      if (fd < 0)
        {
          set_base_error (error, ctx, errno, name);
          return NULL;
        }
      if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
        {
          close (fd);
          set_base_error (error, ctx, EINVAL, name);
          return NULL;
        }
      ok = sp_read_fd_bounded (fd, display, st.st_size, SP_WINE_REGISTRY_MAX_SIZE,
                               &data, &length, error);
      close (fd);
      if (!ok)
        return NULL;
      return sp_wine_registry_parse (data, length, display, error);
    }
}

static gboolean
diff_registry (Context     *ctx,
               Layer       *before,
               Layer       *after,
               GPtrArray   *changes,
               GError     **error)
{
  for (int i = 0; sp_wine_registry_files[i] != NULL; i++)
    {
      const char *name = sp_wine_registry_files[i];
      g_autoptr(SpWineRegistry) old_reg = NULL;
      g_autoptr(SpWineRegistry) new_reg = NULL;
      State a, b;

      if (!state_of (ctx, before, name, &a, error) || !state_of (ctx, after, name, &b, error))
        return FALSE;
      if ((a.from_base && b.from_base) || (a.type != T_FILE && b.type != T_FILE))
        continue;
      if (a.type == T_FILE && b.type == T_FILE && !a.from_base && !b.from_base &&
          g_strcmp0 (a.entry->sha256, b.entry->sha256) == 0)
        continue;
      old_reg = load_registry (ctx, before, i, &a, error);
      if (old_reg == NULL)
        return FALSE;
      new_reg = load_registry (ctx, after, i, &b, error);
      if (new_reg == NULL)
        return FALSE;
      sp_wine_registry_diff (old_reg, new_reg, name, changes);
      if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static SpCheckpoint *
find_checkpoint (SpGame      *self,
                 const char  *id,
                 GError     **error)
{
  SpCheckpoint *checkpoint = sp_game_find_checkpoint (self, id);

  if (checkpoint == NULL)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                 _("“%s” has no checkpoint %s."), sp_game_get_name (self), id);
  return checkpoint;
}

SpDiff *
sp_game_diff (SpGame        *self,
              const char    *id,
              const char    *id2,
              GCancellable  *cancellable,
              GError       **error)
{
  SpCheckpoint *checkpoint;
  SpCheckpoint *checkpoint2 = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((checkpoint = find_checkpoint (self, id, error)) == NULL)
    return NULL;
  if (id2 != NULL && (checkpoint2 = find_checkpoint (self, id2, error)) == NULL)
    return NULL;
  return sp_diff_checkpoints (sp_game_get_base_path (self),
                              sp_game_get_kind (self) == SP_GAME_KIND_WINE,
                              checkpoint, checkpoint2, cancellable, error);
}

SpDiff *
sp_diff_checkpoints (const char    *base_path,
                     gboolean       is_wine,
                     SpCheckpoint  *checkpoint,
                     SpCheckpoint  *checkpoint2,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(SpDiff) diff = g_new0 (SpDiff, 1);
  g_autoptr(Layer) first = NULL;
  g_autoptr(Layer) second = NULL;
  g_autoptr(GHashTable) base_cache = NULL;
  g_autoptr(GHashTable) candidates = NULL;
  g_autofree char **paths = NULL;
  Context ctx = { 0 };
  Layer *before;
  Layer *after;
  guint n_paths;
  gboolean ok = FALSE;

  g_return_val_if_fail (base_path != NULL, NULL);
  g_return_val_if_fail (SP_IS_CHECKPOINT (checkpoint), NULL);
  g_return_val_if_fail (checkpoint2 == NULL || SP_IS_CHECKPOINT (checkpoint2), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  diff->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) diff_entry_free);
  diff->registry = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_registry_key_change_free);
  diff->is_wine = is_wine;

  first = _sp_diff_read_layer (checkpoint, diff->is_wine, cancellable, error);
  if (first == NULL)
    return NULL;
  if (checkpoint2 != NULL && (second = _sp_diff_read_layer (checkpoint2, diff->is_wine, cancellable, error)) == NULL)
    return NULL;
  before = second != NULL ? first : NULL;
  after = second != NULL ? second : first;

  base_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) _sp_diff_entry_free);
  candidates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx.base_path = base_path;
  ctx.base_cache = base_cache;
  ctx.candidates = candidates;
  ctx.cancellable = cancellable;
  ctx.base_fd = open (ctx.base_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (ctx.base_fd < 0)
    return (set_base_error (error, &ctx, errno, ""), NULL);

  if (!collect_candidates (&ctx, first, error) ||
      (second != NULL && !collect_candidates (&ctx, second, error)))
    goto out;

  paths = (char **) g_hash_table_get_keys_as_array (candidates, &n_paths);
  for (guint i = 0; i < n_paths; i++)
    {
      const char *rel = paths[i];
      State a, b;
      gboolean equal;
      SpDiffEntry *change;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !state_of (&ctx, before, rel, &a, error) ||
          !state_of (&ctx, after, rel, &b, error) ||
          !states_equal (&ctx, rel, &a, &b, &equal, error))
        goto out;
      if (equal)
        continue;

      change = g_new0 (SpDiffEntry, 1);
      change->path = g_strdup (rel);
      if (a.type == T_ABSENT)
        {
          change->kind = SP_DIFF_ADDED;
          diff->n_added++;
        }
      else if (b.type == T_ABSENT)
        {
          change->kind = SP_DIFF_DELETED;
          diff->n_deleted++;
        }
      else
        {
          change->kind = SP_DIFF_CHANGED;
          diff->n_changed++;
        }
      change->type = diff_type (b.type != T_ABSENT ? b.type : a.type);
      change->old_size = a.type == T_FILE ? a.entry->size : 0;
      change->new_size = b.type == T_FILE ? b.entry->size : 0;
      if (change->kind == SP_DIFF_ADDED)
        diff->added_bytes += change->new_size;
      else if (change->kind == SP_DIFF_CHANGED)
        diff->changed_bytes += change->new_size;
      else
        diff->deleted_bytes += change->old_size;
      g_ptr_array_add (diff->entries, change);
    }
  g_ptr_array_sort (diff->entries, compare_entries);

  if (diff->is_wine && !diff_registry (&ctx, before, after, diff->registry, error))
    goto out;
  ok = TRUE;

out:
  close (ctx.base_fd);
  return ok ? g_steal_pointer (&diff) : NULL;
}
