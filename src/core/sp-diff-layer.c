/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "archive/sp-archive-private.h"
#include "sp-diff-private.h"
#include "sp-library-error.h"

/* A checkpoint's archive, read for sp-diff.c: every entry held to the
 * unpack rules (sp-archive-rules.c), the content of files hashed, the
 * archive's size and SHA-256 checked against the .ini, nothing written. */

void
_sp_diff_entry_free (Entry *entry)
{
  g_free (entry->sha256);
  g_free (entry->link);
  g_free (entry);
}

void
_sp_diff_layer_free (Layer *layer)
{
  if (layer == NULL)
    return;
  g_hash_table_unref (layer->entries);
  g_hash_table_unref (layer->opaque);
  for (guint i = 0; i < G_N_ELEMENTS (layer->regs); i++)
    g_clear_pointer (&layer->regs[i], g_bytes_unref);
  g_free (layer);
}


static int
registry_index (const char *rel)
{
  for (int i = 0; sp_wine_registry_files[i] != NULL; i++)
    if (strcmp (rel, sp_wine_registry_files[i]) == 0)
      return i;
  return -1;
}

static gboolean
read_file_data (struct archive        *a,
                SpArchiveIo           *io,
                SpArchiveRules        *rules,
                struct archive_entry  *ae,
                const char            *archive_path,
                Entry                 *entry,
                guchar               **capture,
                GCancellable          *cancellable,
                GError               **error)
{
  g_autoptr(SpSha256) sha = sp_sha256_new ();
  la_int64_t size = archive_entry_size (ae);
  la_int64_t expected = 0;

  entry->size = (guint64) size;
  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (a, &buf, &len, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (error, a, io, archive_path);
          return FALSE;
        }
      if (!_sp_archive_rules_check_block (rules, archive_entry_pathname (ae), size, offset, len,
                                          error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      /* Sparse holes read as zeros: hash them as such. */
      if (offset > expected)
        {
          static const guchar zeros[4096];

          for (la_int64_t hole = offset - expected; hole > 0; )
            {
              gsize n = (gsize) MIN (hole, (la_int64_t) sizeof zeros);

              sp_sha256_update (sha, zeros, n);
              hole -= (la_int64_t) n;
            }
        }
      else if (offset < expected)
        return _sp_archive_set_entry_corrupt_error (error, archive_path,
                                                    archive_entry_pathname (ae),
                                                    _("has overlapping data"));
      sp_sha256_update (sha, buf, len);
      if (capture != NULL && *capture != NULL)
        memcpy (*capture + offset, buf, len);
      expected = offset + (la_int64_t) len;
    }
  if (expected < size)
    {
      static const guchar zeros[4096];

      for (la_int64_t hole = size - expected; hole > 0; )
        {
          gsize n = (gsize) MIN (hole, (la_int64_t) sizeof zeros);

          sp_sha256_update (sha, zeros, n);
          hole -= (la_int64_t) n;
        }
    }
  entry->sha256 = g_strdup (sp_sha256_get_string (sha));
  return TRUE;
}

Layer *
_sp_diff_read_layer (SpCheckpoint  *checkpoint,
                     gboolean       want_registry,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_auto(SpArchiveLocale) locale = _sp_archive_locale_enter ();
  g_autoptr(SpArchiveRules) rules = NULL;
  g_autoptr(Layer) layer = g_new0 (Layer, 1);
  const char *archive_path = sp_checkpoint_get_archive_path (checkpoint);
  SpArchiveIo io = { .fd = -1 };
  struct archive *a = NULL;
  struct archive_entry *ae = NULL;
  gboolean ok = FALSE;

  layer->id = sp_checkpoint_get_id (checkpoint);
  layer->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) _sp_diff_entry_free);
  layer->opaque = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (sp_checkpoint_get_missing (checkpoint))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("The archive of checkpoint %s is missing: “%s”."),
                   layer->id, archive_path);
      return NULL;
    }

  io.checksum = sp_sha256_new ();
  rules = _sp_archive_rules_new (archive_path);
  a = _sp_archive_open_reader (archive_path, &io, error);
  if (a == NULL)
    goto out;
  if (!_sp_archive_read_metadata_header (a, &io, archive_path, &ae, error))
    goto out;

  for (;;)
    {
      g_auto(SpEntryPlan) plan = { 0 };
      g_autofree guchar *capture = NULL;
      Entry *entry;
      int reg = -1;
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      r = archive_read_next_header (a, &ae);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (error, a, &io, archive_path);
          goto out;
        }
      if (!_sp_archive_rules_check_entry (rules, ae, &plan, error))
        goto out;
      if (g_hash_table_size (layer->entries) + g_hash_table_size (layer->opaque) >= SP_DIFF_MAX_PATHS)
        {
          _sp_diff_too_many_paths (error);
          goto out;
        }

      entry = g_new0 (Entry, 1);
      switch (plan.kind)
        {
        case SP_ENTRY_DIR:
          entry->type = T_DIR;
          g_hash_table_replace (layer->entries, g_strdup (plan.rel), entry);
          break;

        case SP_ENTRY_FILE:
          entry->type = T_FILE;
          if (want_registry && (reg = registry_index (plan.rel)) >= 0)
            {
              if (archive_entry_size (ae) > SP_WINE_REGISTRY_MAX_SIZE)
                layer->reg_too_large[reg] = TRUE;
              else
                capture = g_malloc0 ((gsize) archive_entry_size (ae) + 1);
            }
          if (!read_file_data (a, &io, rules, ae, archive_path, entry, &capture,
                               cancellable, error))
            {
              _sp_diff_entry_free (entry);
              goto out;
            }
          if (capture != NULL)
            layer->regs[reg] = g_bytes_new_take (g_steal_pointer (&capture), entry->size);
          g_hash_table_replace (layer->entries, g_strdup (plan.rel), entry);
          break;

        case SP_ENTRY_HARDLINK:
          {
            Entry *target = g_hash_table_lookup (layer->entries, plan.target);

            /* The rules made sure it is an earlier file. */
            g_assert (target != NULL && target->type == T_FILE);
            entry->type = T_FILE;
            entry->size = target->size;
            entry->sha256 = g_strdup (target->sha256);
            if (want_registry && (reg = registry_index (plan.rel)) >= 0)
              {
                int from = registry_index (plan.target);

                if (from >= 0 && layer->regs[from] != NULL)
                  layer->regs[reg] = g_bytes_ref (layer->regs[from]);
                else
                  layer->reg_too_large[reg] = TRUE;   /* its content was not kept */
              }
            g_hash_table_replace (layer->entries, g_strdup (plan.rel), entry);
          }
          break;

        case SP_ENTRY_SYMLINK:
          entry->type = T_SYMLINK;
          entry->link = g_strdup (archive_entry_symlink (ae));
          g_hash_table_replace (layer->entries, g_strdup (plan.rel), entry);
          break;

        case SP_ENTRY_FIFO:
          entry->type = T_OTHER;
          g_hash_table_replace (layer->entries, g_strdup (plan.rel), entry);
          break;

        case SP_ENTRY_WHITEOUT:
          entry->type = T_WHITEOUT;
          g_hash_table_replace (layer->entries, g_strdup (plan.target), entry);
          break;

        case SP_ENTRY_OPAQUE:
          _sp_diff_entry_free (entry);
          g_hash_table_add (layer->opaque,
                            g_strndup (plan.rel, plan.base > plan.rel ? (gsize) (plan.base - plan.rel - 1) : 0));
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (!_sp_archive_finish_checksum (&io, archive_path, sp_checkpoint_get_archive_size (checkpoint),
                                    sp_checkpoint_get_sha256 (checkpoint), error))
    goto out;
  ok = TRUE;

out:
  if (a != NULL)
    archive_read_free (a);
  _sp_archive_io_clear (&io);
  return ok ? g_steal_pointer (&layer) : NULL;
}
