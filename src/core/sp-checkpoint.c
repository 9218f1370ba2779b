/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-checkpoint.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sp-keyfile.h"
#include "sp-library-error.h"

#define GROUP "Checkpoint"

struct _SpCheckpoint
{
  GObject     parent_instance;

  char       *id;
  char       *parent;
  GDateTime  *created;
  char       *label;
  char       *note;
  gboolean    pinned;
  gint64      play_time;
  guint64     files;
  guint64     bytes;
  guint64     excluded_files;   /* left out by the game's exclusions (0: none or unknown) */
  guint64     excluded_bytes;
  guint64     archive_size;
  char       *sha256;
  char       *archive_path;
  char       *ini_path;
  gboolean    missing;
};

G_DEFINE_FINAL_TYPE (SpCheckpoint, sp_checkpoint, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PARENT,
  PROP_CREATED,
  PROP_LABEL,
  PROP_NOTE,
  PROP_PINNED,
  PROP_PLAY_TIME,
  PROP_FILES,
  PROP_BYTES,
  PROP_ARCHIVE_SIZE,
  PROP_SHA256,
  PROP_ARCHIVE_PATH,
  PROP_INI_PATH,
  PROP_MISSING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sp_checkpoint_finalize (GObject *object)
{
  SpCheckpoint *self = (SpCheckpoint *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->parent, g_free);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->note, g_free);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_pointer (&self->archive_path, g_free);
  g_clear_pointer (&self->ini_path, g_free);

  G_OBJECT_CLASS (sp_checkpoint_parent_class)->finalize (object);
}

static void
sp_checkpoint_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SpCheckpoint *self = SP_CHECKPOINT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PARENT:
      g_value_set_string (value, self->parent);
      break;
    case PROP_CREATED:
      g_value_set_boxed (value, self->created);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    case PROP_PINNED:
      g_value_set_boolean (value, self->pinned);
      break;
    case PROP_PLAY_TIME:
      g_value_set_int64 (value, self->play_time);
      break;
    case PROP_FILES:
      g_value_set_uint64 (value, self->files);
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, self->bytes);
      break;
    case PROP_ARCHIVE_SIZE:
      g_value_set_uint64 (value, self->archive_size);
      break;
    case PROP_SHA256:
      g_value_set_string (value, self->sha256);
      break;
    case PROP_ARCHIVE_PATH:
      g_value_set_string (value, self->archive_path);
      break;
    case PROP_INI_PATH:
      g_value_set_string (value, self->ini_path);
      break;
    case PROP_MISSING:
      g_value_set_boolean (value, self->missing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_checkpoint_class_init (SpCheckpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = sp_checkpoint_finalize;
  object_class->get_property = sp_checkpoint_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_PARENT] = g_param_spec_string ("parent", NULL, NULL, NULL, flags);
  properties[PROP_CREATED] = g_param_spec_boxed ("created", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, flags);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, flags);
  properties[PROP_PINNED] = g_param_spec_boolean ("pinned", NULL, NULL, FALSE, flags);
  properties[PROP_PLAY_TIME] = g_param_spec_int64 ("play-time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_FILES] = g_param_spec_uint64 ("files", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_ARCHIVE_SIZE] = g_param_spec_uint64 ("archive-size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_SHA256] = g_param_spec_string ("sha256", NULL, NULL, NULL, flags);
  properties[PROP_ARCHIVE_PATH] = g_param_spec_string ("archive-path", NULL, NULL, NULL, flags);
  properties[PROP_INI_PATH] = g_param_spec_string ("ini-path", NULL, NULL, NULL, flags);
  properties[PROP_MISSING] = g_param_spec_boolean ("missing", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_checkpoint_init (SpCheckpoint *self)
{
  self->label = g_strdup ("");
  self->note = g_strdup ("");
}

gboolean
sp_checkpoint_note_is_valid (const char  *note,
                             GError     **error)
{
  glong n = 0;

  if (note == NULL)
    return TRUE;
  if (!g_utf8_validate (note, -1, NULL))
    {
      g_set_error_literal (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                           _("The note is not valid UTF-8 text."));
      return FALSE;
    }
  for (const char *p = note; *p; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c != '\n' && c != '\t' && g_unichar_iscntrl (c))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The note contains the control character U+%04X; only new lines "
                         "and tabs are allowed."), c);
          return FALSE;
        }
    }
  if (n > SP_CHECKPOINT_NOTE_MAX_CHARS)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The note is %ld characters long; a note can have at most %d."),
                   n, SP_CHECKPOINT_NOTE_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_checkpoint_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > 64 || id[0] == '-')
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

char *
sp_checkpoint_new_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");

  return g_strdup_printf ("%s-%06x", stamp, g_random_int_range (0, 0x1000000));
}

static gboolean
is_sha256_hex (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

SpCheckpoint *
sp_checkpoint_load (const char  *ini_path,
                    GError     **error)
{
  g_autoptr(SpCheckpoint) self = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *created = NULL;
  g_autofree char *archive_name = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  GStatBuf st;

  g_return_val_if_fail (ini_path != NULL, NULL);

  base = g_path_get_basename (ini_path);
  if (!g_str_has_suffix (base, ".ini"))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a checkpoint file (*.ini)."), ini_path);
      return NULL;
    }
  base[strlen (base) - 4] = '\0';
  if (!sp_checkpoint_id_is_valid (base))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” does not have a valid checkpoint id as its name. "
                     "Move it out of the checkpoints folder."), ini_path);
      return NULL;
    }

  kf = sp_key_file_load (ini_path, error);
  if (kf == NULL)
    return NULL;

  self = g_object_new (SP_TYPE_CHECKPOINT, NULL);
  self->id = g_steal_pointer (&base);
  self->ini_path = g_strdup (ini_path);
  dir = g_path_get_dirname (ini_path);
  archive_name = g_strconcat (self->id, ".tar.zst", NULL);
  self->archive_path = g_build_filename (dir, archive_name, NULL);

  created = sp_key_file_get_string_required (kf, ini_path, GROUP, "Created", error);
  if (created == NULL)
    return NULL;
  parsed = g_date_time_new_from_iso8601 (g_strstrip (created), NULL);
  if (parsed == NULL)
    {
      sp_key_file_set_error (error, ini_path, NULL, GROUP, "Created",
                             _("“%s” is not an ISO 8601 date and time with a time zone, "
                               "such as 2026-11-23T18:45:12Z."), created);
      return NULL;
    }
  self->created = g_date_time_to_utc (parsed);

  self->sha256 = sp_key_file_get_string_required (kf, ini_path, GROUP, "SHA256", error);
  if (self->sha256 == NULL)
    return NULL;
  g_strstrip (self->sha256);
  if (!is_sha256_hex (self->sha256))
    {
      sp_key_file_set_error (error, ini_path, NULL, GROUP, "SHA256",
                             _("“%s” is not a SHA-256 (64 lower-case hex digits)."),
                             self->sha256);
      return NULL;
    }
  if (!g_key_file_has_key (kf, GROUP, "ArchiveSize", NULL))
    {
      sp_key_file_set_error (error, ini_path, NULL, GROUP, NULL,
                             _("the key “ArchiveSize” is missing."));
      return NULL;
    }
  if (!sp_key_file_get_uint64 (kf, ini_path, GROUP, "ArchiveSize", 0, &self->archive_size, error) ||
      !sp_key_file_get_uint64 (kf, ini_path, GROUP, "Files", 0, &self->files, error) ||
      !sp_key_file_get_uint64 (kf, ini_path, GROUP, "Bytes", 0, &self->bytes, error) ||
      !sp_key_file_get_uint64 (kf, ini_path, GROUP, "ExcludedFiles", 0, &self->excluded_files, error) ||
      !sp_key_file_get_uint64 (kf, ini_path, GROUP, "ExcludedBytes", 0, &self->excluded_bytes, error) ||
      !sp_key_file_get_int64 (kf, ini_path, GROUP, "PlayTime", 0, &self->play_time, error))
    return NULL;
  if (self->play_time < 0)
    self->play_time = 0;

  self->parent = sp_key_file_get_string_or_null (kf, GROUP, "Parent");
  if (self->parent != NULL)
    {
      g_strstrip (self->parent);
      if (!sp_checkpoint_id_is_valid (self->parent))
        {
          sp_key_file_set_error (error, ini_path, NULL, GROUP, "Parent",
                                 _("“%s” is not a checkpoint id."), self->parent);
          return NULL;
        }
    }
  g_free (self->label);
  self->label = g_key_file_get_string (kf, GROUP, "Label", NULL);
  if (self->label == NULL)
    self->label = g_strdup ("");

  if (g_key_file_has_key (kf, GROUP, "Note", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *note = g_key_file_get_string (kf, GROUP, "Note", &local_error);

      if (note == NULL || local_error != NULL || !sp_checkpoint_note_is_valid (note, &local_error))
        {
          sp_key_file_set_error (error, ini_path, NULL, GROUP, "Note",
                                 _("%s Fix or remove this line."),
                                 local_error->message);
          return NULL;
        }
      g_free (self->note);
      self->note = g_steal_pointer (&note);
    }

  if (g_key_file_has_key (kf, GROUP, "Pinned", NULL))
    {
      g_autofree char *pinned = g_key_file_get_value (kf, GROUP, "Pinned", NULL);

      g_strstrip (pinned);
      if (g_str_equal (pinned, "true"))
        self->pinned = TRUE;
      else if (!g_str_equal (pinned, "false"))
        {
          sp_key_file_set_error (error, ini_path, NULL, GROUP, "Pinned",
                                 _("“%s” is not “true” or “false”. Fix or remove this line."),
                                 pinned);
          return NULL;
        }
    }

  /* lstat(): a link or a FIFO in the archive's place is there (not missing)
   * and is refused with its reason when the archive is opened. */
  self->missing = g_lstat (self->archive_path, &st) != 0;

  return g_steal_pointer (&self);
}

const char *
sp_checkpoint_get_id (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->id;
}

const char *
sp_checkpoint_get_parent (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->parent;
}

GDateTime *
sp_checkpoint_get_created (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->created;
}

const char *
sp_checkpoint_get_label (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->label;
}

const char *
sp_checkpoint_get_note (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->note;
}

gboolean
sp_checkpoint_get_pinned (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), FALSE);
  return self->pinned;
}

gint64
sp_checkpoint_get_play_time (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), 0);
  return self->play_time;
}

guint64
sp_checkpoint_get_files (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), 0);
  return self->files;
}

guint64
sp_checkpoint_get_bytes (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), 0);
  return self->bytes;
}

guint64
sp_checkpoint_get_excluded_files (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), 0);
  return self->excluded_files;
}

guint64
sp_checkpoint_get_excluded_bytes (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), 0);
  return self->excluded_bytes;
}

guint64
sp_checkpoint_get_archive_size (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), 0);
  return self->archive_size;
}

const char *
sp_checkpoint_get_sha256 (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->sha256;
}

const char *
sp_checkpoint_get_archive_path (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->archive_path;
}

const char *
sp_checkpoint_get_ini_path (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), NULL);
  return self->ini_path;
}

gboolean
sp_checkpoint_get_missing (SpCheckpoint *self)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), FALSE);
  return self->missing;
}

void
_sp_checkpoint_set_label (SpCheckpoint *self,
                          const char   *label)
{
  g_return_if_fail (SP_IS_CHECKPOINT (self));

  if (g_strcmp0 (self->label, label) == 0)
    return;
  g_free (self->label);
  self->label = g_strdup (label ? label : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

void
_sp_checkpoint_set_note (SpCheckpoint *self,
                         const char   *note)
{
  g_return_if_fail (SP_IS_CHECKPOINT (self));

  if (g_strcmp0 (self->note, note ? note : "") == 0)
    return;
  g_free (self->note);
  self->note = g_strdup (note ? note : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTE]);
}

void
_sp_checkpoint_set_pinned (SpCheckpoint *self,
                           gboolean      pinned)
{
  g_return_if_fail (SP_IS_CHECKPOINT (self));

  pinned = !!pinned;
  if (self->pinned == pinned)
    return;
  self->pinned = pinned;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

void
_sp_checkpoint_set_parent (SpCheckpoint *self,
                           const char   *parent)
{
  g_return_if_fail (SP_IS_CHECKPOINT (self));

  if (g_strcmp0 (self->parent, parent) == 0)
    return;
  g_free (self->parent);
  self->parent = g_strdup (parent);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT]);
}

gboolean
sp_checkpoint_verify (SpCheckpoint  *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return sp_checkpoint_verify_full (self, NULL, cancellable, error);
}

gboolean
sp_checkpoint_verify_full (SpCheckpoint  *self,
                           char         **out_warning,
                           GCancellable  *cancellable,
                           GError       **error)
{
  GStatBuf st;

  g_return_val_if_fail (SP_IS_CHECKPOINT (self), FALSE);
  g_return_val_if_fail (out_warning == NULL || *out_warning == NULL, FALSE);

  if (g_lstat (self->archive_path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("The archive “%s” of checkpoint %s is not a plain file (it is a symbolic "
                     "link, a FIFO or a device); it is not read. Delete the checkpoint, or put "
                     "the archive back from a backup."),
                   self->archive_path, self->id);
      return FALSE;
    }
  if (!g_file_test (self->archive_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("The archive “%s” of checkpoint %s is missing. Delete the checkpoint, "
                     "or put the archive back from a backup or an export."),
                   self->archive_path, self->id);
      return FALSE;
    }
  return sp_archive_check (self->archive_path, self->archive_size, self->sha256, NULL,
                           out_warning, cancellable, error);
}

gboolean
sp_checkpoint_unpack_to (SpCheckpoint    *self,
                         const char      *dest_dir,
                         SpProgressFunc   progress,
                         gpointer         progress_data,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_return_val_if_fail (SP_IS_CHECKPOINT (self), FALSE);
  g_return_val_if_fail (dest_dir != NULL, FALSE);

  /* Checked in the same pass: zstd has no checksum of its own here, so a
   * damaged archive could otherwise unpack "successfully". */
  return sp_archive_unpack_verified (self->archive_path, self->archive_size, self->sha256,
                                     dest_dir, progress, progress_data, cancellable, error);
}

int
sp_checkpoint_compare (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  SpCheckpoint *ca = (SpCheckpoint *)a;
  SpCheckpoint *cb = (SpCheckpoint *)b;
  int r = g_date_time_compare (cb->created, ca->created);

  if (r != 0)
    return r;
  return strcmp (cb->id, ca->id);
}
