/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-archive-private.h"
#include "common/sp-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Unpacking. The archive is treated as hostile: every name is checked by
 * us, every write goes through directory fds opened with O_NOFOLLOW from
 * the temporary root, so no entry can land outside it or through a
 * symlink that an earlier entry created. */

typedef struct
{
  char            *path;
  mode_t           mode;
  struct timespec  mtime;
} DirFix;

static void
dir_fix_free (gpointer data)
{
  DirFix *d = data;

  g_free (d->path);
  g_free (d);
}

typedef struct
{
  const char     *archive_path;
  const char     *dest_dir;
  struct archive *a;
  SpArchiveIo     io;
  int             root_fd;
  char           *cached_parent;
  int             cached_fd;
  GPtrArray      *dirs;
  SpArchiveRules *rules;
  guint64         free_at_start;
  guint64         written;
  guint64         archive_size;
  gboolean        mknod_refused;
  GCancellable   *cancellable;
  SpProgressFunc  progress;
  gpointer        progress_data;
} Unpack;

static gboolean
set_hostile (GError     **error,
             Unpack      *u,
             const char  *name,
             const char  *reason)
{
  return _sp_archive_set_hostile_error (error, u->archive_path, name, reason);
}

static gboolean
set_entry_corrupt (GError     **error,
                   Unpack      *u,
                   const char  *name,
                   const char  *reason)
{
  return _sp_archive_set_entry_corrupt_error (error, u->archive_path, name, reason);
}

static gboolean
set_unpack_errno (GError     **error,
                  Unpack      *u,
                  int          saved_errno,
                  const char  *name)
{
  return sp_set_io_error_in (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_FAILED,
                             SP_ARCHIVE_ERROR_NO_SPACE, saved_errno,
                             _("Unpacking “%s” from “%s” into “%s” failed"),
                             name, u->archive_path, u->dest_dir);
}

static const char *
base_name (const char *rel)
{
  const char *slash = strrchr (rel, '/');

  return slash ? slash + 1 : rel;
}

/* Returns a new fd for the folder that holds @rel, walking from the root
 * without following symlinks, creating missing folders when @create. */
static int
open_parent (Unpack      *u,
             const char  *rel,
             const char  *entry_name,
             gboolean     create,
             GError     **error)
{
  const char *slash = strrchr (rel, '/');
  g_autofree char *dir = NULL;
  g_auto(GStrv) parts = NULL;
  int cur;

  if (slash == NULL)
    return dup (u->root_fd);

  dir = g_strndup (rel, slash - rel);
  if (u->cached_parent != NULL && strcmp (u->cached_parent, dir) == 0)
    return dup (u->cached_fd);

  parts = g_strsplit (dir, "/", -1);
  cur = dup (u->root_fd);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int next = openat (cur, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, parts[i], 0755) != 0 && errno != EEXIST)
            {
              set_unpack_errno (error, u, errno, entry_name);
              close (cur);
              return -1;
            }
          next = openat (cur, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        {
          int saved = errno;
          struct stat st;

          if (fstatat (cur, parts[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            set_hostile (error, u, entry_name, _("would be written through a symbolic link"));
          else if (saved == ENOENT)
            set_entry_corrupt (error, u, entry_name, _("refers to a missing folder"));
          else if (saved == ENOTDIR)
            set_entry_corrupt (error, u, entry_name, _("is inside something that is not a folder"));
          else
            set_unpack_errno (error, u, saved, entry_name);
          close (cur);
          return -1;
        }
      close (cur);
      cur = next;
    }

  if (u->cached_fd >= 0)
    close (u->cached_fd);
  g_free (u->cached_parent);
  u->cached_parent = g_steal_pointer (&dir);
  u->cached_fd = dup (cur);
  return cur;
}

static gboolean
restore_xattrs (Unpack                *u,
                int                    fd,
                struct archive_entry  *entry,
                const char            *name,
                GError               **error)
{
  const char *xname;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (entry);
  while (archive_entry_xattr_next (entry, &xname, &value, &size) == ARCHIVE_OK)
    {
      /* The opaque marker has its own entry. */
      if (xname == NULL || !_sp_archive_xattr_is_kept (xname))
        continue;
      if (fsetxattr (fd, xname, value, size, 0) != 0)
        {
          if (errno == ENOTSUP || errno == EOPNOTSUPP)
            {
              g_debug ("“%s” does not support extended attributes; dropping %s of %s",
                       u->dest_dir, xname, name);
              continue;
            }
          return set_unpack_errno (error, u, errno, name);
        }
    }
  return TRUE;
}

static gboolean
set_opaque (Unpack      *u,
            int          dir_fd,
            const char  *name,
            GError     **error)
{
  int fd;

  if (fsetxattr (dir_fd, SP_UPPER_OPAQUE_XATTR, "y", 1, 0) == 0)
    return TRUE;
  if (errno != ENOTSUP && errno != EOPNOTSUPP && errno != EPERM)
    return set_unpack_errno (error, u, errno, name);

  fd = openat (dir_fd, SP_UPPER_OPAQUE_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST)
    return set_unpack_errno (error, u, errno, name);
  if (fd >= 0)
    close (fd);
  return TRUE;
}

static void
entry_mtime (struct archive_entry *entry,
             struct timespec       times[2])
{
  times[1].tv_sec = archive_entry_mtime (entry);
  times[1].tv_nsec = archive_entry_mtime_nsec (entry);
  times[0] = times[1];
  if (!archive_entry_mtime_is_set (entry))
    times[0].tv_nsec = times[1].tv_nsec = UTIME_OMIT;
}

static gboolean
exists_error (Unpack      *u,
              int          parent_fd,
              const char  *base,
              const char  *name,
              GError     **error)
{
  struct stat st;

  if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
    return set_hostile (error, u, name, _("would be written through a symbolic link"));
  return set_entry_corrupt (error, u, name, _("appears twice"));
}

static gboolean
check_space (Unpack      *u,
             guint64      size,
             const char  *name,
             GError     **error)
{
  struct statvfs sv;
  guint64 avail;

  if (size == 0)
    return TRUE;
  if (fstatvfs (u->root_fd, &sv) != 0)
    return set_unpack_errno (error, u, errno, name);
  avail = (guint64) sv.f_bavail * (guint64) sv.f_frsize;
  if (size > avail || u->written + size > u->free_at_start)
    {
      g_autofree char *need = g_format_size (u->written + size);
      g_autofree char *have = g_format_size (u->free_at_start);

      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NO_SPACE,
                   _("There is not enough free space to unpack “%s” into “%s”: "
                     "at least %s are needed, %s are free. Free some space and try again."),
                   u->archive_path, u->dest_dir, need, have);
      return FALSE;
    }
  return TRUE;
}

/* The writers below make what sp-archive-rules.c accepted (@plan); the
 * O_EXCL/O_NOFOLLOW errors they still handle are a second line of defence,
 * not the rules. */

static gboolean
unpack_file (Unpack                *u,
             struct archive_entry  *entry,
             const SpEntryPlan     *plan,
             int                    parent_fd,
             const char            *name,
             GError               **error)
{
  struct timespec times[2];
  la_int64_t size = archive_entry_size (entry);
  gboolean ok = FALSE;
  int fd;

  if (!check_space (u, (guint64) size, name, error))
    return FALSE;

  fd = openat (parent_fd, plan->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno == EEXIST)
        return exists_error (u, parent_fd, plan->base, name, error);
      return set_unpack_errno (error, u, errno, name);
    }

  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (u->a, &buf, &len, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (error, u->a, &u->io, u->archive_path);
          goto out;
        }
      if (!_sp_archive_rules_check_block (u->rules, name, size, offset, len, error))
        goto out;
      if (!sp_pwrite_all (fd, buf, len, offset))
        {
          set_unpack_errno (error, u, errno, name);
          goto out;
        }
      if (u->progress != NULL)
        u->progress (u->io.size, u->archive_size, u->progress_data);
      if (g_cancellable_set_error_if_cancelled (u->cancellable, error))
        goto out;
    }

  if (ftruncate (fd, size) != 0)
    {
      set_unpack_errno (error, u, errno, name);
      goto out;
    }
  u->written += (guint64) size;
  if (fchmod (fd, plan->perm) != 0 ||
      !restore_xattrs (u, fd, entry, name, error))
    {
      if (error == NULL || *error == NULL)
        set_unpack_errno (error, u, errno, name);
      goto out;
    }
  entry_mtime (entry, times);
  if (futimens (fd, times) != 0)
    {
      set_unpack_errno (error, u, errno, name);
      goto out;
    }
  ok = TRUE;

out:
  if (close (fd) != 0 && ok)
    ok = set_unpack_errno (error, u, errno, name);
  return ok;
}

static gboolean
unpack_whiteout (Unpack                *u,
                 struct archive_entry  *entry,
                 const SpEntryPlan     *plan,
                 int                    parent_fd,
                 const char            *name,
                 GError               **error)
{
  const char *target = plan->base + strlen (SP_UPPER_WHITEOUT_PREFIX);
  struct timespec times[2];
  const char *made = target;

  if (!u->mknod_refused &&
      mknodat (parent_fd, target, S_IFCHR | 0600, makedev (0, 0)) != 0)
    {
      if (errno == EEXIST)
        return exists_error (u, parent_fd, target, name, error);
      if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOTSUP)
        return set_unpack_errno (error, u, errno, name);
      u->mknod_refused = TRUE;
    }
  if (u->mknod_refused)
    {
      int fd = openat (parent_fd, plan->base,
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          if (errno == EEXIST)
            return exists_error (u, parent_fd, plan->base, name, error);
          return set_unpack_errno (error, u, errno, name);
        }
      close (fd);
      made = plan->base;
    }
  entry_mtime (entry, times);
  utimensat (parent_fd, made, times, AT_SYMLINK_NOFOLLOW);
  return TRUE;
}

static gboolean
unpack_hardlink (Unpack                *u,
                 const SpEntryPlan     *plan,
                 int                    parent_fd,
                 const char            *name,
                 GError               **error)
{
  struct stat st;
  int tparent;

  tparent = open_parent (u, plan->target, name, FALSE, error);
  if (tparent < 0)
    return FALSE;
  if (fstatat (tparent, base_name (plan->target), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISREG (st.st_mode))
    {
      close (tparent);
      return set_hostile (error, u, name, _("is a hard link to something that is not a file"));
    }
  if (linkat (tparent, base_name (plan->target), parent_fd, plan->base, 0) != 0)
    {
      int saved = errno;

      close (tparent);
      if (saved == EEXIST)
        return exists_error (u, parent_fd, plan->base, name, error);
      return set_unpack_errno (error, u, saved, name);
    }
  close (tparent);
  return TRUE;
}

static gboolean
unpack_dir (Unpack                *u,
            struct archive_entry  *entry,
            const SpEntryPlan     *plan,
            int                    parent_fd,
            const char            *name,
            GError               **error)
{
  DirFix *fix;
  int fd;

  if (mkdirat (parent_fd, plan->base, 0700) != 0)
    {
      struct stat st;

      if (errno != EEXIST)
        return set_unpack_errno (error, u, errno, name);
      if (fstatat (parent_fd, plan->base, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR (st.st_mode))
        return exists_error (u, parent_fd, plan->base, name, error);
    }
  fd = openat (parent_fd, plan->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return set_unpack_errno (error, u, errno, name);
  if (!restore_xattrs (u, fd, entry, name, error))
    {
      close (fd);
      return FALSE;
    }
  close (fd);

  fix = g_new0 (DirFix, 1);
  fix->path = g_strdup (plan->rel);
  fix->mode = plan->perm;
  fix->mtime.tv_sec = archive_entry_mtime (entry);
  fix->mtime.tv_nsec = archive_entry_mtime_is_set (entry) ? archive_entry_mtime_nsec (entry)
                                                          : UTIME_OMIT;
  g_ptr_array_add (u->dirs, fix);
  return TRUE;
}

static gboolean
unpack_entry (Unpack                *u,
              struct archive_entry  *entry,
              GError               **error)
{
  g_auto(SpEntryPlan) plan = { 0 };
  const char *name = archive_entry_pathname (entry);
  struct timespec times[2];
  gboolean ok = FALSE;
  int parent;

  if (!_sp_archive_rules_check_entry (u->rules, entry, &plan, error))
    return FALSE;

  parent = open_parent (u, plan.rel, name, TRUE, error);
  if (parent < 0)
    return FALSE;

  switch (plan.kind)
    {
    case SP_ENTRY_OPAQUE:
      ok = set_opaque (u, parent, name, error);
      break;

    case SP_ENTRY_WHITEOUT:
      ok = unpack_whiteout (u, entry, &plan, parent, name, error);
      break;

    case SP_ENTRY_HARDLINK:
      ok = unpack_hardlink (u, &plan, parent, name, error);
      break;

    case SP_ENTRY_DIR:
      ok = unpack_dir (u, entry, &plan, parent, name, error);
      break;

    case SP_ENTRY_FILE:
      ok = unpack_file (u, entry, &plan, parent, name, error);
      break;

    case SP_ENTRY_SYMLINK:
      if (symlinkat (archive_entry_symlink (entry), parent, plan.base) != 0)
        ok = errno == EEXIST ? exists_error (u, parent, plan.base, name, error)
                             : set_unpack_errno (error, u, errno, name);
      else
        {
          entry_mtime (entry, times);
          utimensat (parent, plan.base, times, AT_SYMLINK_NOFOLLOW);
          ok = TRUE;
        }
      break;

    case SP_ENTRY_FIFO:
      if (mkfifoat (parent, plan.base, 0600) != 0)
        ok = errno == EEXIST ? exists_error (u, parent, plan.base, name, error)
                             : set_unpack_errno (error, u, errno, name);
      else
        {
          /* Just created by mknod: a FIFO, not a symlink, so fchmodat's
           * following cannot lead elsewhere. */
          fchmodat (parent, plan.base, plan.perm, 0);
          entry_mtime (entry, times);
          utimensat (parent, plan.base, times, AT_SYMLINK_NOFOLLOW);
          ok = TRUE;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  close (parent);
  return ok;
}

static guint
depth (const char *path)
{
  guint n = 0;

  for (const char *p = path; *p != '\0'; p++)
    n += *p == '/';
  return n;
}

static int
compare_depth_desc (gconstpointer a,
                    gconstpointer b)
{
  guint da = depth ((*(DirFix * const *) a)->path);
  guint db = depth ((*(DirFix * const *) b)->path);

  return da > db ? -1 : da < db ? 1 : 0;
}

/* Modes and times of folders are applied last, deepest first, so
 * that read-only folders can be filled and their mtimes are not disturbed
 * by their own contents. Deepest first by the path, not by the order of the
 * archive: a folder entry may come after its contents, and a parent made
 * unsearchable first would stop an unprivileged unpack reaching them. The
 * sort is stable, so of a folder listed twice the later entry wins. */
static gboolean
fix_dirs (Unpack  *u,
          GError **error)
{
  g_ptr_array_sort (u->dirs, compare_depth_desc);
  for (guint i = 0; i < u->dirs->len; i++)
    {
      DirFix *d = g_ptr_array_index (u->dirs, i);
      struct timespec times[2] = { d->mtime, d->mtime };
      int parent = open_parent (u, d->path, d->path, FALSE, error);
      int fd;

      if (parent < 0)
        return FALSE;
      fd = openat (parent, base_name (d->path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (parent);
      if (fd < 0)
        return set_unpack_errno (error, u, errno, d->path);
      if (fchmod (fd, d->mode) != 0 ||
          futimens (fd, times) != 0)
        {
          int saved = errno;

          close (fd);
          return set_unpack_errno (error, u, saved, d->path);
        }
      close (fd);
    }
  return TRUE;
}


gboolean
sp_archive_unpack (const char      *archive_path,
                   const char      *dest_dir,
                   SpProgressFunc   progress,
                   gpointer         progress_data,
                   GCancellable    *cancellable,
                   GError         **error)
{
  return sp_archive_unpack_verified (archive_path, 0, NULL, dest_dir,
                                     progress, progress_data, cancellable, error);
}

gboolean
sp_archive_unpack_verified (const char      *archive_path,
                            guint64          expected_size,
                            const char      *expected_sha256,
                            const char      *dest_dir,
                            SpProgressFunc   progress,
                            gpointer         progress_data,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_auto(SpArchiveLocale) locale = _sp_archive_locale_enter ();
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (dir_fix_free);
  g_autoptr(SpArchiveRules) rules = NULL;
  g_autofree char *tmp = NULL;
  struct archive_entry *entry = NULL;
  struct statvfs sv;
  struct stat st;
  Unpack u = { 0 };
  mode_t root_mode = 0755;
  gboolean dest_exists = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (dest_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (lstat (dest_dir, &st) == 0)
    {
      g_autoptr(GError) local = NULL;

      if (!S_ISDIR (st.st_mode) || !sp_is_dir_empty (dest_dir, &local))
        {
          g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NOT_EMPTY,
                       _("Cannot unpack into “%s”: it is not an empty folder. "
                         "Choose an empty or new folder."), dest_dir);
          return FALSE;
        }
      dest_exists = TRUE;
      root_mode = st.st_mode & 07777;
    }
  else if (errno != ENOENT)
    {
      _sp_archive_set_errno_error (error, errno, dest_dir, _("Checking"));
      return FALSE;
    }

  u.archive_path = archive_path;
  u.dest_dir = dest_dir;
  u.io.fd = -1;
  u.root_fd = -1;
  u.cached_fd = -1;
  u.dirs = dirs;
  rules = _sp_archive_rules_new (archive_path);
  u.rules = rules;
  u.cancellable = cancellable;
  u.progress = progress;
  u.progress_data = progress_data;

  if (expected_sha256 != NULL)
    u.io.checksum = sp_sha256_new ();
  u.a = _sp_archive_open_reader (archive_path, &u.io, error);
  if (u.a == NULL)
    goto out;
  if (fstat (u.io.fd, &st) == 0)
    u.archive_size = (guint64) st.st_size;

  tmp = g_strdup_printf ("%s.partial-XXXXXX", dest_dir);
  if (g_mkdtemp_full (tmp, 0700) == NULL)
    {
      _sp_archive_set_errno_error (error, errno, dest_dir, _("Creating a temporary folder beside"));
      g_clear_pointer (&tmp, g_free);
      goto out;
    }
  u.root_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (u.root_fd < 0 || fstatvfs (u.root_fd, &sv) != 0)
    {
      _sp_archive_set_errno_error (error, errno, tmp, _("Opening"));
      goto out;
    }
  u.free_at_start = (guint64) sv.f_bavail * (guint64) sv.f_frsize;

  if (!_sp_archive_read_metadata_header (u.a, &u.io, archive_path, &entry, error))
    goto out;

  for (;;)
    {
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      r = archive_read_next_header (u.a, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          _sp_archive_set_read_error (error, u.a, &u.io, archive_path);
          goto out;
        }
      if (!unpack_entry (&u, entry, error))
        goto out;
      if (progress != NULL)
        progress (u.io.size, u.archive_size, progress_data);
    }

  if (expected_sha256 != NULL &&
      !_sp_archive_finish_checksum (&u.io, archive_path, expected_size, expected_sha256,
                                    error))
    goto out;
  if (!fix_dirs (&u, error))
    goto out;
  if (fchmod (u.root_fd, root_mode) != 0 || syncfs (u.root_fd) != 0)
    {
      set_unpack_errno (error, &u, errno, dest_dir);
      goto out;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  if (dest_exists && rmdir (dest_dir) != 0)
    {
      if (errno == ENOTEMPTY || errno == EEXIST)
        g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_NOT_EMPTY,
                     _("Cannot unpack into “%s”: it is not an empty folder. "
                       "Choose an empty or new folder."), dest_dir);
      else
        _sp_archive_set_errno_error (error, errno, dest_dir, _("Replacing"));
      goto out;
    }
  if (rename (tmp, dest_dir) != 0)
    {
      int saved = errno;

      /* Put the empty folder back so the caller finds what it left. */
      if (dest_exists && mkdir (dest_dir, root_mode) == 0)
        chmod (dest_dir, root_mode);
      _sp_archive_set_errno_error (error, saved, dest_dir, _("Moving the unpacked files to"));
      goto out;
    }
  {
    g_autofree char *parent = g_path_get_dirname (dest_dir);

    /* The files are on disk (syncfs above); this makes the rename durable.
     * A failure here cannot be undone any more and is not fatal. */
    sp_fsync_directory (parent, NULL);
  }
  g_clear_pointer (&tmp, g_free);
  ok = TRUE;

out:
  if (u.a != NULL)
    archive_read_free (u.a);
  _sp_archive_io_clear (&u.io);
  if (u.cached_fd >= 0)
    close (u.cached_fd);
  g_free (u.cached_parent);
  if (u.root_fd >= 0)
    close (u.root_fd);
  if (tmp != NULL)
    sp_remove_tree (tmp, NULL, NULL);
  return ok;
}
