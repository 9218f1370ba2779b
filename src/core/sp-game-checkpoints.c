/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-game-private.h"
#include "sp-exclude.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-keyfile.h"
#include "sp-leftovers.h"
#include "sp-library.h"
#include "sp-task-private.h"
#include "common/sp-util.h"

/* The checkpoints of a game: create, verify. Restore, delete and rename are
 * in sp-game-write.c, export and import in sp-game-transfer.c. */

void
_sp_game_insert_checkpoint (SpGame       *self,
                            SpCheckpoint *checkpoint)
{
  g_list_store_insert_sorted (self->checkpoints, checkpoint, sp_checkpoint_compare, NULL);
}

void
_sp_game_remove_checkpoint (SpGame       *self,
                   SpCheckpoint *checkpoint)
{
  guint pos;

  if (g_list_store_find (self->checkpoints, checkpoint, &pos))
    g_list_store_remove (self->checkpoints, pos);
}

SpCheckpoint *
_sp_game_lookup_checkpoint (SpGame      *self,
                            const char  *id,
                            GError     **error)
{
  SpCheckpoint *c = sp_game_find_checkpoint (self, id);

  if (c == NULL)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                 _("The game “%s” has no checkpoint “%s” (in %s). List them with "
                   "“savepoint-cli checkpoints %s”."),
                 self->info->name, id ? id : "", self->checkpoints_path, self->slug);
  return c;
}

gboolean
_sp_game_ensure_checkpoints_dir (const char  *path,
                                 GError     **error)
{
  if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
    return sp_set_error_from_errno (error, errno, _("Cannot create the folder “%s”"), path);
  return TRUE;
}

/* A fresh id with no .ini, archive or partial archive under @dir. */
char *
_sp_game_unused_checkpoint_id (const char *dir)
{
  for (;;)
    {
      g_autofree char *id = sp_checkpoint_new_id ();
      g_autofree char *ini = g_strdup_printf ("%s/%s.ini", dir, id);
      g_autofree char *archive = g_strdup_printf ("%s/%s.tar.zst", dir, id);
      g_autofree char *partial = g_strdup_printf ("%s/%s.tar.zst.partial", dir, id);

      /* Only a well-formed id may name files in the checkpoints folder. */
      g_assert (sp_checkpoint_id_is_valid (id));

      if (!g_file_test (ini, G_FILE_TEST_EXISTS) &&
          !g_file_test (archive, G_FILE_TEST_EXISTS) &&
          !g_file_test (partial, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&id);
    }
}

/* ISO 8601 in UTC with microseconds, so that checkpoints made within one
 * second still sort in the order they were made. */
char *
_sp_game_format_created (GDateTime *dt)
{
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* Writes <dir>/<id>.ini describing an archive already in place. */
gboolean
_sp_game_write_checkpoint_ini (const char           *ini_path,
                               GKeyFile             *metadata,
                               const SpArchiveStats *stats,
                               GError              **error)
{
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "Files", stats->files);
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "Bytes", stats->bytes);
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "ArchiveSize", stats->archive_size);
  g_key_file_set_string (metadata, CHECKPOINT_GROUP, "SHA256", stats->sha256);
  if (stats->excluded_files > 0)
    {
      g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "ExcludedFiles", stats->excluded_files);
      g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "ExcludedBytes", stats->excluded_bytes);
    }
  return sp_key_file_save (metadata, ini_path, error);
}

/* The file work of creating a checkpoint; runs in any thread. */
static SpCheckpoint *
create_checkpoint_files (const char      *checkpoints_path,
                         const char      *game_uuid,
                         const char      *upper_dir,
                         const char      *parent,
                         const char      *label,
                         gint64           play_time,
                         const char * const *exclude,
                         SpPackExcludeFlags exclude_flags,
                         SpProgressFunc   progress,
                         gpointer         progress_data,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = _sp_game_format_created (now);
  g_autofree char *id = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *metadata = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *transition = NULL;
  SpArchiveStats stats = { 0 };
  SpCheckpoint *checkpoint;

  if (!g_file_test (upper_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder: there is nothing to pack into a checkpoint."),
                   upper_dir);
      return NULL;
    }
  if (!_sp_game_ensure_checkpoints_dir (checkpoints_path, error))
    return NULL;

  id = _sp_game_unused_checkpoint_id (checkpoints_path);
  archive = g_strdup_printf ("%s/%s.tar.zst", checkpoints_path, id);
  ini = g_strdup_printf ("%s/%s.ini", checkpoints_path, id);
  stem = g_build_filename (checkpoints_path, id, NULL);

  /* The archive's own copy also says which checkpoint and which game it
   * is, so an export can be recognised on import; the .ini has its id in
   * its name and belongs to its game. */
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Id", id);
  if (game_uuid != NULL)
    g_key_file_set_string (kf, CHECKPOINT_GROUP, "GameUuid", game_uuid);
  if (parent != NULL)
    g_key_file_set_string (kf, CHECKPOINT_GROUP, "Parent", parent);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Created", created);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  g_key_file_set_int64 (kf, CHECKPOINT_GROUP, "PlayTime", MAX (play_time, 0));
  metadata = g_key_file_to_data (kf, NULL, NULL);
  g_key_file_remove_key (kf, CHECKPOINT_GROUP, "Id", NULL);
  g_key_file_remove_key (kf, CHECKPOINT_GROUP, "GameUuid", NULL);

  /* Between the archive's rename and the .ini, a kill would leave an orphan
   * archive: the marker lets a later start remove it (sp-leftovers.h). */
  transition = sp_leftover_file_path (stem);
  if (!sp_leftover_write_marker (transition, FALSE, SP_LEFTOVER_KIND_CHECKPOINT, NULL, error))
    return NULL;

  if (!sp_archive_pack_excluding (upper_dir, metadata, archive, 0, exclude, exclude_flags,
                                  progress, progress_data, cancellable, &stats, error))
    {
      sp_leftover_remove_marker (transition, FALSE);
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !_sp_game_write_checkpoint_ini (ini, kf, &stats, error))
    {
      g_unlink (archive);
      sp_leftover_remove_marker (transition, FALSE);
      return NULL;
    }

  checkpoint = sp_checkpoint_load (ini, error);
  if (checkpoint == NULL)
    {
      g_unlink (ini);
      g_unlink (archive);
    }
  sp_leftover_remove_marker (transition, FALSE);
  return checkpoint;
}

static gboolean
finish_created (SpGame        *self,
                SpCheckpoint  *checkpoint,
                gboolean       set_head_to_it,
                GError       **error)
{
  _sp_game_insert_checkpoint (self, checkpoint);
  if (set_head_to_it && !_sp_game_save_head (self, sp_checkpoint_get_id (checkpoint), error))
    {
      g_prefix_error (error, _("Checkpoint %s was saved but could not be made the current one: "),
                      sp_checkpoint_get_id (checkpoint));
      return FALSE;
    }
  return TRUE;
}

/* Wine folds case, so a pattern matches whatever case the game wrote. */
static SpPackExcludeFlags
exclude_flags (SpGame *self)
{
  return sp_game_get_kind (self) == SP_GAME_KIND_WINE ? SP_PACK_EXCLUDE_CASEFOLD
                                                     : SP_PACK_EXCLUDE_NONE;
}

SpCheckpoint *
sp_game_create_checkpoint_sync (SpGame          *self,
                                const char      *upper_dir,
                                const char      *label,
                                gint64           play_time,
                                gboolean         set_head_to_it,
                                SpProgressFunc   progress,
                                gpointer         progress_data,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  return sp_game_create_checkpoint_with_parent_sync (self, upper_dir, self->head, label,
                                                     play_time, set_head_to_it, progress,
                                                     progress_data, cancellable, error);
}

SpCheckpoint *
sp_game_create_checkpoint_with_parent_sync (SpGame          *self,
                                            const char      *upper_dir,
                                            const char      *parent,
                                            const char      *label,
                                            gint64           play_time,
                                            gboolean         set_head_to_it,
                                            SpProgressFunc   progress,
                                            gpointer         progress_data,
                                            GCancellable    *cancellable,
                                            GError         **error)
{
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  g_auto(GStrv) exclude = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (upper_dir != NULL, NULL);

  if (!_sp_game_check_writable (self, error))
    return NULL;
  exclude = sp_game_get_effective_exclusions (self);
  checkpoint = create_checkpoint_files (self->checkpoints_path, _sp_game_ensure_uuid (self),
                                        upper_dir, parent, label, play_time,
                                        (const char * const *) exclude, exclude_flags (self),
                                        progress, progress_data, cancellable, error);
  if (checkpoint == NULL)
    return NULL;
  if (!finish_created (self, checkpoint, set_head_to_it, error))
    return NULL;
  return g_steal_pointer (&checkpoint);
}

/* The task of an async call that changes the game; NULL when the game is
 * read-only, and then the error has gone to @callback. */
GTask *
_sp_game_writable_task_new (SpGame              *self,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GError *error = NULL;

  _sp_game_check_writable (self, &error);
  return _sp_task_new_unless_error (self, source_tag, cancellable, callback, user_data, error);
}

/* The worker's data of sp_game_create_checkpoint_*_async(). */
typedef struct
{
  char            *checkpoints_path;
  char            *game_uuid;
  char            *upper_dir;
  char            *parent;
  char            *label;
  gint64           play_time;
  gboolean         set_head;
  GStrv            exclude;
  SpPackExcludeFlags exclude_flags;
  SpProgressRelay *progress;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->checkpoints_path);
  g_free (data->game_uuid);
  g_free (data->upper_dir);
  g_free (data->parent);
  g_free (data->label);
  g_strfreev (data->exclude);
  g_clear_pointer (&data->progress, _sp_progress_relay_unref);
  g_free (data);
}

static gpointer
create_thread (gpointer       task_data,
               GCancellable  *cancellable,
               GError       **error)
{
  CreateData *data = task_data;

  return create_checkpoint_files (data->checkpoints_path, data->game_uuid, data->upper_dir,
                                  data->parent, data->label, data->play_time,
                                  (const char * const *) data->exclude, data->exclude_flags,
                                  data->progress ? _sp_progress_relay_push2 : NULL,
                                  data->progress, cancellable, error);
}

static gpointer
create_finish (gpointer       source_object,
               gpointer       task_data,
               gpointer       value,
               GError       **error)
{
  CreateData *data = task_data;
  g_autoptr(SpCheckpoint) checkpoint = value;

  /* The last progress values reach the caller before the result. */
  _sp_progress_relay_finish (data->progress);
  if (checkpoint == NULL)
    return NULL;
  if (!finish_created (SP_GAME (source_object), checkpoint, data->set_head, error))
    return NULL;
  return g_steal_pointer (&checkpoint);
}

void
sp_game_create_checkpoint_async (SpGame              *self,
                                 const char          *upper_dir,
                                 const char          *label,
                                 gint64               play_time,
                                 gboolean             set_head_to_it,
                                 SpProgressFunc       progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SP_IS_GAME (self));

  sp_game_create_checkpoint_with_parent_async (self, upper_dir, self->head, label, play_time,
                                               set_head_to_it, progress, progress_data,
                                               cancellable, callback, user_data);
}

void
sp_game_create_checkpoint_with_parent_async (SpGame              *self,
                                             const char          *upper_dir,
                                             const char          *parent,
                                             const char          *label,
                                             gint64               play_time,
                                             gboolean             set_head_to_it,
                                             SpProgressFunc       progress,
                                             gpointer             progress_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GTask *outer;
  CreateData *data;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (upper_dir != NULL);

  outer = _sp_game_writable_task_new (self, sp_game_create_checkpoint_async,
                                      cancellable, callback, user_data);
  if (outer == NULL)
    return;

  data = g_new0 (CreateData, 1);
  data->checkpoints_path = g_strdup (self->checkpoints_path);
  data->game_uuid = g_strdup (_sp_game_ensure_uuid (self));
  data->upper_dir = g_strdup (upper_dir);
  data->parent = g_strdup (parent);
  data->label = g_strdup (label);
  data->play_time = play_time;
  data->set_head = set_head_to_it;
  data->exclude = sp_game_get_effective_exclusions (self);
  data->exclude_flags = exclude_flags (self);
  data->progress = _sp_progress_relay_new (_sp_progress_relay_deliver2, G_CALLBACK (progress),
                                           progress_data, NULL);

  /* Once the files are written, the checkpoint exists: it is reported even
   * if the cancellable fires after that point. */
  _sp_task_run_in_thread (outer, data, (GDestroyNotify) create_data_free,
                          create_thread, g_object_unref, create_finish, g_object_unref);
}

SpCheckpoint *
sp_game_create_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Limits no checkpoint of ours reaches: a value beyond them was not
 * written by Savepoint. */
#define MAX_PLAY_TIME   (G_GINT64_CONSTANT (100) * 366 * 24 * 3600)
#define MAX_FILES       ((guint64) G_MAXUINT32)
#define MAX_BYTES       (G_GUINT64_CONSTANT (1) << 50)   /* 1 PiB */

typedef struct
{
  GPtrArray *checkpoints;        /* one checkpoint (by id) or NULL */
  char      *game_path;          /* whole-game mode */
  char      *checkpoints_path;
} VerifyJob;

static void
verify_job_free (VerifyJob *job)
{
  g_clear_pointer (&job->checkpoints, g_ptr_array_unref);
  g_free (job->game_path);
  g_free (job->checkpoints_path);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VerifyJob, verify_job_free)

static SpVerifyProblem *
add_problem (GPtrArray           *problems,
             SpVerifyProblemKind  kind,
             const char          *checkpoint_id,
             const char          *path,
             guint64              size,
             GError              *error)
{
  SpVerifyProblem *p = g_new0 (SpVerifyProblem, 1);

  p->kind = kind;
  p->checkpoint_id = g_strdup (checkpoint_id);
  p->path = g_strdup (path);
  p->size = size;
  p->error = error;
  g_ptr_array_add (problems, p);
  return p;
}

/* Values a checkpoint of ours cannot have. */
static gboolean
check_values (SpCheckpoint  *c,
              GError       **error)
{
  const char *ini = sp_checkpoint_get_ini_path (c);
  GDateTime *created = sp_checkpoint_get_created (c);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) latest = g_date_time_add_days (now, 1);
  g_autoptr(GKeyFile) raw = sp_key_file_load (ini, NULL);
  gint64 play_time = sp_checkpoint_get_play_time (c);

  /* The loader clamps a negative PlayTime to 0; verify looks at the file. */
  if (raw != NULL && g_key_file_has_key (raw, CHECKPOINT_GROUP, "PlayTime", NULL))
    play_time = g_key_file_get_int64 (raw, CHECKPOINT_GROUP, "PlayTime", NULL);

  if (play_time < 0 || play_time > MAX_PLAY_TIME)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 _("%s: PlayTime=%" PRId64 " is impossible (0 to %" PRId64
                   " seconds). The file was not written by Savepoint or is damaged."),
                 ini, play_time, MAX_PLAY_TIME);
  else if (sp_checkpoint_get_files (c) > MAX_FILES)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 _("%s: Files=%" PRIu64 " is impossible. The file was not written by "
                   "Savepoint or is damaged."), ini, sp_checkpoint_get_files (c));
  else if (sp_checkpoint_get_bytes (c) > MAX_BYTES)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 _("%s: Bytes=%" PRIu64 " is impossible. The file was not written by "
                   "Savepoint or is damaged."), ini, sp_checkpoint_get_bytes (c));
  else if (sp_checkpoint_get_archive_size (c) == 0 || sp_checkpoint_get_archive_size (c) > MAX_BYTES)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                 _("%s: ArchiveSize=%" PRIu64 " is impossible. The file was not "
                   "written by Savepoint or is damaged."), ini,
                 sp_checkpoint_get_archive_size (c));
  else if (created == NULL || g_date_time_get_year (created) < 2000 ||
           g_date_time_compare (created, latest) > 0)
    {
      g_autofree char *text = created ? g_date_time_format_iso8601 (created) : g_strdup ("");

      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                   _("%s: Created=%s is impossible (before 2000 or in the future). The file was "
                     "not written by Savepoint or is damaged."), ini, text);
    }
  else
    return TRUE;
  return FALSE;
}

/* Checks one loaded checkpoint: values, then the archive. FALSE only when
 * cancelled (@error set). */
static gboolean
verify_checkpoint (SpCheckpoint  *c,
                   GPtrArray     *problems,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GError *local_error = NULL;
  g_autofree char *warning = NULL;

  if (!check_values (c, &local_error))
    {
      add_problem (problems, SP_VERIFY_PROBLEM_BAD_METADATA, sp_checkpoint_get_id (c),
                   sp_checkpoint_get_ini_path (c), 0, local_error);
      return TRUE;
    }
  if (!sp_checkpoint_verify_full (c, &warning, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      add_problem (problems, SP_VERIFY_PROBLEM_DAMAGED, sp_checkpoint_get_id (c),
                   sp_checkpoint_get_archive_path (c), sp_checkpoint_get_archive_size (c),
                   local_error);
    }
  else if (warning != NULL)
    {
      SpVerifyProblem *p =
        add_problem (problems, SP_VERIFY_PROBLEM_DAMAGED, sp_checkpoint_get_id (c),
                     sp_checkpoint_get_archive_path (c), sp_checkpoint_get_archive_size (c),
                     g_error_new_literal (SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_SPECIAL_BITS,
                                          warning));

      p->is_warning = TRUE;
    }
  return TRUE;
}

static void
add_leftover_problem (GPtrArray  *problems,
                      SpLeftover *leftover)
{
  g_autofree char *message = sp_leftover_describe (leftover);

  add_problem (problems, SP_VERIFY_PROBLEM_LEFTOVER, NULL, leftover->path, leftover->size,
               g_error_new_literal (SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED, message));
}

/* At most this many unreadable paths are named one by one. */
#define MAX_UNREADABLE_NAMED 20

typedef struct
{
  GPtrArray   *problems;
  const char  *base;
  guint        found;
} UnreadableScan;

static void
add_unreadable (UnreadableScan *scan,
                const char     *path,
                int             err)
{
  scan->found++;
  if (scan->found > MAX_UNREADABLE_NAMED)
    return;
  add_problem (scan->problems, SP_VERIFY_PROBLEM_UNREADABLE, NULL, path, 0,
               g_error_new (SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_FAILED,
                            _("“%s” of the clean install cannot be read by you (%s): the game "
                              "cannot use it when you play. Its owner (or root) can make the "
                              "clean install readable with “chmod -R a+rX %s”."),
                            path, g_strerror (err), scan->base));
}

/* Looks at what @fd (the folder @path, which we could open) holds: folders
 * must be readable and searchable, files readable; symbolic links are not
 * followed (the overlay never does). */
static gboolean
scan_readable_dir (UnreadableScan  *scan,
                   int              fd,
                   const char      *path,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *de;
  int dup_fd = dup (fd);
  DIR *d;

  if (dup_fd < 0 || (d = fdopendir (dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      add_unreadable (scan, path, errno);
      return TRUE;
    }
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (de->d_name));
  closedir (d);
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;
      int sub;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          add_unreadable (scan, child, errno);
          continue;
        }
      if (S_ISREG (st.st_mode))
        {
          if (faccessat (fd, name, R_OK, AT_EACCESS) != 0)
            add_unreadable (scan, child, errno);
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        continue;
      if (faccessat (fd, name, R_OK | X_OK, AT_EACCESS) != 0)
        {
          add_unreadable (scan, child, errno);
          continue;
        }
      sub = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        {
          add_unreadable (scan, child, errno);
          continue;
        }
      if (!scan_readable_dir (scan, sub, child, cancellable, error))
        {
          close (sub);
          return FALSE;
        }
      close (sub);
    }
  return TRUE;
}

/* Whoever plays reads the clean install with their own rights (the
 * overlay runs as them): what they cannot read, the game cannot either. */
static gboolean
verify_base_readable (VerifyJob     *job,
                      GPtrArray     *problems,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *base = g_build_filename (job->game_path, "base", NULL);
  UnreadableScan scan = { problems, base, 0 };
  int fd;
  gboolean ok;

  fd = open (base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      /* A missing clean install is said when playing; a link is refused there. */
      if (errno == EACCES)
        add_unreadable (&scan, base, errno);
      return TRUE;
    }
  if (faccessat (fd, ".", R_OK | X_OK, AT_EACCESS) != 0)
    add_unreadable (&scan, base, errno);
  ok = scan_readable_dir (&scan, fd, base, cancellable, error);
  close (fd);
  if (ok && scan.found > MAX_UNREADABLE_NAMED)
    add_problem (problems, SP_VERIFY_PROBLEM_UNREADABLE, NULL, base, 0,
                 g_error_new (SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_FAILED,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "%u more file or folder of “%s” cannot be read by you.",
                                           "%u more files or folders of “%s” cannot be read by you.",
                                           scan.found - MAX_UNREADABLE_NAMED),
                              scan.found - MAX_UNREADABLE_NAMED, base));
  return ok;
}

/* The whole folder of a game, as it is on disk. */
static gboolean
verify_game_dir (VerifyJob     *job,
                 GPtrArray     *problems,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) inis = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) leftovers = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  {
    g_autoptr(SpGame) fresh = sp_game_load (job->game_path, TRUE, &local_error);
    g_autofree char *ini = g_build_filename (job->game_path, "game.ini", NULL);

    if (fresh == NULL)
      add_problem (problems, SP_VERIFY_PROBLEM_GAME_INI, NULL, ini, 0,
                   g_steal_pointer (&local_error));
  }
  if (!verify_base_readable (job, problems, cancellable, error))
    return FALSE;

  dir = g_dir_open (job->checkpoints_path, 0, &local_error);
  if (dir == NULL)
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_problem (problems, SP_VERIFY_PROBLEM_DAMAGED, NULL, job->checkpoints_path, 0,
                     g_steal_pointer (&local_error));
      return TRUE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);

  for (guint i = 0; i < names->len; i++)
    {
      const char *n = names->pdata[i];
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      g_autoptr(SpCheckpoint) c = NULL;
      GError *load_error = NULL;

      if (!g_str_has_suffix (n, ".ini"))
        continue;
      id = g_strndup (n, strlen (n) - 4);
      if (!sp_checkpoint_id_is_valid (id))
        continue;
      g_hash_table_add (inis, g_strdup (id));
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      path = g_build_filename (job->checkpoints_path, n, NULL);
      c = sp_checkpoint_load (path, &load_error);
      if (c == NULL)
        add_problem (problems, SP_VERIFY_PROBLEM_BAD_METADATA, id, path, 0, load_error);
      else if (!verify_checkpoint (c, problems, cancellable, error))
        return FALSE;
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *n = names->pdata[i];
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_suffix (n, ".tar.zst"))
        continue;
      id = g_strndup (n, strlen (n) - strlen (".tar.zst"));
      if (g_hash_table_contains (inis, id))
        continue;
      path = g_build_filename (job->checkpoints_path, n, NULL);
      if (g_lstat (path, &st) != 0)
        continue;
      add_problem (problems, SP_VERIFY_PROBLEM_ORPHAN, NULL, path, (guint64) st.st_size,
                   g_error_new (SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                                _("“%s” is an archive with no checkpoint .ini beside it (an "
                                  "orphan). Import it with “savepoint-cli import” to keep it, "
                                  "or remove it."), path));
    }

  leftovers = sp_leftovers_find (job->checkpoints_path, NULL);
  for (guint i = 0; leftovers != NULL && i < leftovers->len; i++)
    {
      SpLeftover *l = leftovers->pdata[i];

      if (l->owner != SP_LEFTOVER_OWNER_LIVE)
        add_leftover_problem (problems, l);
    }
  return TRUE;
}

static GPtrArray *
verify_job_run (VerifyJob     *job,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_verify_problem_free);

  if (job->game_path != NULL)
    {
      if (!verify_game_dir (job, problems, cancellable, error))
        return NULL;
      return g_steal_pointer (&problems);
    }
  for (guint i = 0; i < job->checkpoints->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!verify_checkpoint (job->checkpoints->pdata[i], problems, cancellable, error))
        return NULL;
    }
  return g_steal_pointer (&problems);
}

static VerifyJob *
collect_for_verify (SpGame      *self,
                    const char  *checkpoint_id,
                    GError     **error)
{
  g_autoptr(VerifyJob) job = g_new0 (VerifyJob, 1);

  if (checkpoint_id != NULL)
    {
      SpCheckpoint *c = _sp_game_lookup_checkpoint (self, checkpoint_id, error);

      if (c == NULL)
        return NULL;
      job->checkpoints = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (job->checkpoints, g_object_ref (c));
    }
  else
    {
      job->game_path = g_strdup (self->path);
      job->checkpoints_path = g_strdup (self->checkpoints_path);
    }
  return g_steal_pointer (&job);
}

GPtrArray *
sp_game_verify_sync (SpGame        *self,
                     const char    *checkpoint_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(VerifyJob) job = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  job = collect_for_verify (self, checkpoint_id, error);
  if (job == NULL)
    return NULL;
  return verify_job_run (job, cancellable, error);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *problems = verify_job_run (task_data, cancellable, &error);

  if (problems == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, problems, (GDestroyNotify) g_ptr_array_unref);
}

void
sp_game_verify_async (SpGame              *self,
                      const char          *checkpoint_id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  VerifyJob *job;

  g_return_if_fail (SP_IS_GAME (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_game_verify_async);
  job = collect_for_verify (self, checkpoint_id, &error);
  if (job == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, job, (GDestroyNotify) verify_job_free);
  g_task_run_in_thread (task, verify_thread);
}

GPtrArray *
sp_library_verify (SpLibrary     *library,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_verify_problem_free);
  g_autofree char *ini = NULL;
  g_autoptr(GPtrArray) leftovers = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  GError *local_error = NULL;
  const char *games_path;
  const char *name;

  g_return_val_if_fail (SP_IS_LIBRARY (library), NULL);

  ini = g_build_filename (sp_library_get_path (library), "library.ini", NULL);
  kf = sp_key_file_load (ini, &local_error);
  if (kf == NULL)
    add_problem (problems, SP_VERIFY_PROBLEM_LIBRARY_INI, NULL, ini, 0, local_error);
  local_error = NULL;

  games_path = sp_library_get_games_path (library);
  dir = g_dir_open (games_path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *game_ini = NULL;
      g_autoptr(SpGame) game = NULL;
      GListModel *games = sp_library_get_games (library);
      gboolean known = FALSE;

      if (name[0] == '.')
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      for (guint i = 0; i < g_list_model_get_n_items (games) && !known; i++)
        {
          g_autoptr(SpGame) g = g_list_model_get_item (games, i);

          known = g_strcmp0 (sp_game_get_slug (g), name) == 0;
        }
      path = g_build_filename (games_path, name, NULL);
      game_ini = g_build_filename (path, "game.ini", NULL);
      if (known || !g_file_test (game_ini, G_FILE_TEST_EXISTS))
        continue;
      game = sp_game_load (path, TRUE, &local_error);
      if (game == NULL)
        add_problem (problems, SP_VERIFY_PROBLEM_GAME_INI, NULL, game_ini, 0, local_error);
      else
        g_clear_error (&local_error);
      local_error = NULL;
    }

  leftovers = sp_leftovers_find (games_path, NULL);
  for (guint i = 0; leftovers != NULL && i < leftovers->len; i++)
    {
      SpLeftover *l = leftovers->pdata[i];
      g_autofree char *base = g_path_get_basename (l->path);

      if (base[0] == '.' && l->owner != SP_LEFTOVER_OWNER_LIVE)
        add_leftover_problem (problems, l);
    }
  return g_steal_pointer (&problems);
}

GPtrArray *
sp_game_verify_finish (SpGame        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
