/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-manifest.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "common/sp-manifest-format.h"
#include "sp-library-error.h"

typedef struct
{
  char *real;
  char *target;
  int   mode;      /* -1: none */
} Record;

struct _SpManifest
{
  GHashTable *records;   /* stored path → Record */
};

static void
record_free (gpointer data)
{
  Record *r = data;

  g_free (r->real);
  g_free (r->target);
  g_free (r);
}

SpManifest *
_sp_manifest_new (void)
{
  SpManifest *self = g_new0 (SpManifest, 1);

  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, record_free);
  return self;
}

void
_sp_manifest_free (SpManifest *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->records);
  g_free (self);
}

static Record *
get_record (SpManifest *self,
            const char *stored_path)
{
  Record *r = g_hash_table_lookup (self->records, stored_path);

  if (r == NULL)
    {
      r = g_new0 (Record, 1);
      r->mode = -1;
      g_hash_table_insert (self->records, g_strdup (stored_path), r);
    }
  return r;
}

void
_sp_manifest_set_name (SpManifest *self,
                       const char *stored_path,
                       const char *real_name)
{
  Record *r = get_record (self, stored_path);

  g_free (r->real);
  r->real = g_strdup (real_name);
}

void
_sp_manifest_set_link (SpManifest *self,
                       const char *stored_path,
                       const char *target)
{
  Record *r = get_record (self, stored_path);

  g_free (r->target);
  r->target = g_strdup (target);
  r->mode = -1;
}

void
_sp_manifest_set_mode (SpManifest *self,
                       const char *stored_path,
                       guint       mode)
{
  Record *r = get_record (self, stored_path);

  if (r->target == NULL)
    r->mode = (int) (mode & 0777);
}

const char *
_sp_manifest_get_link (SpManifest *self,
                       const char *stored_path)
{
  Record *r = g_hash_table_lookup (self->records, stored_path);

  return r != NULL ? r->target : NULL;
}

const char *
_sp_manifest_get_name (SpManifest *self,
                       const char *stored_path)
{
  Record *r = g_hash_table_lookup (self->records, stored_path);

  return r != NULL ? r->real : NULL;
}

void
_sp_manifest_drop_link (SpManifest *self,
                        const char *stored_path)
{
  Record *r = g_hash_table_lookup (self->records, stored_path);

  if (r == NULL)
    return;
  g_clear_pointer (&r->target, g_free);
  if (r->real == NULL && r->mode < 0)
    g_hash_table_remove (self->records, stored_path);
}

gboolean
_sp_manifest_is_empty (SpManifest *self)
{
  return g_hash_table_size (self->records) == 0;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
append_escaped (GString    *out,
                const char *value)
{
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    {
      if (sp_manifest_must_escape (*p))
        g_string_append_printf (out, "%%%02X", *p);
      else
        g_string_append_c (out, (char) *p);
    }
}

static char *
escape_name (const char *name,
             gboolean    letters)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p == 0x7f || strchr ("%\"*/:<>?\\|", *p) != NULL ||
          (letters && g_ascii_isalpha (*p)))
        g_string_append_printf (out, "%%%02X", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  return g_string_free (out, FALSE);
}

char *
_sp_manifest_escape_name (const char *name)
{
  return escape_name (name, FALSE);
}

char *
_sp_manifest_escape_name_apart (const char *name)
{
  return escape_name (name, TRUE);
}

gboolean
_sp_manifest_write (SpManifest  *self,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GString) text = g_string_new (SP_MANIFEST_HEADER "\n");
  g_autofree gpointer *keys = NULL;
  guint n_keys = 0;

  if (g_hash_table_size (self->records) > SP_MANIFEST_MAX_ENTRIES)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The drive cannot store the symbolic links, names or permissions of "
                     "more than %d of the game’s files. Use a drive formatted as ext4, "
                     "btrfs or XFS."), SP_MANIFEST_MAX_ENTRIES);
      return FALSE;
    }
  keys = g_hash_table_get_keys_as_array (self->records, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *key = keys[i];
      Record *r = g_hash_table_lookup (self->records, key);

      g_string_append (text, "path=");
      append_escaped (text, key);
      if (r->real != NULL)
        {
          g_string_append (text, " name=");
          append_escaped (text, r->real);
        }
      if (r->target != NULL)
        {
          g_string_append (text, " link=");
          append_escaped (text, r->target);
        }
      if (r->mode >= 0)
        g_string_append_printf (text, " mode=%o", (guint) r->mode);
      g_string_append_c (text, '\n');
    }
  if (text->len > SP_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The list of what the drive cannot store of the game is too large. Use "
                     "a drive formatted as ext4, btrfs or XFS."));
      return FALSE;
    }
  return g_file_set_contents_full (path, text->str, (gssize) text->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT
                                   | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}
