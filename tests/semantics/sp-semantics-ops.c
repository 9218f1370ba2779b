/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sp-semantics-private.h"

/* Every operation returns one line: "ok", "ok <what it read>" or the name of
 * the errno it failed with. The line of the kernel mount and the line of the
 * tested mount must be equal. */

const char *
_sp_errno_name (int err)
{
  const char *name = strerrorname_np (err);
  static char buf[32];

  if (name != NULL)
    return name;
  g_snprintf (buf, sizeof buf, "E%d", err);
  return buf;
}

static char *
fail (void)
{
  return g_strdup (_sp_errno_name (errno));
}

static char *
describe_data (const char *data,
               gsize       len)
{
  gboolean printable = len <= 64;

  for (gsize i = 0; printable && i < len; i++)
    if (data[i] == '\0' || (guchar) data[i] >= 0x80)
      printable = FALSE;

  if (printable)
    {
      g_autofree char *nul = g_strndup (data, len);
      g_autofree char *esc = g_strescape (nul, NULL);

      return g_strdup_printf ("\"%s\"", esc);
    }
  else
    {
      g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                          (const guchar *) data, len);
      return g_strdup_printf ("len=%" G_GSIZE_FORMAT " sha256=%.16s", len, sum);
    }
}

static char
type_char (mode_t mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFDIR: return 'd';
    case S_IFREG: return 'f';
    case S_IFLNK: return 'l';
    case S_IFIFO: return 'p';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    case S_IFSOCK: return 's';
    default: return '?';
    }
}

static char
dtype_char (unsigned char t)
{
  switch (t)
    {
    case DT_DIR: return 'd';
    case DT_REG: return 'f';
    case DT_LNK: return 'l';
    case DT_FIFO: return 'p';
    case DT_CHR: return 'c';
    case DT_BLK: return 'b';
    case DT_SOCK: return 's';
    case DT_UNKNOWN: return 'u';
    default: return '?';
    }
}

static char *
describe_stat (const struct stat *st)
{
  if (S_ISDIR (st->st_mode))
    return g_strdup_printf ("ok d %04o u%u g%u", st->st_mode & 07777,
                            st->st_uid, st->st_gid);
  return g_strdup_printf ("ok %c %04o n%lu s%" G_GINT64_FORMAT " u%u g%u",
                          type_char (st->st_mode), st->st_mode & 07777,
                          (gulong) st->st_nlink, (gint64) st->st_size,
                          st->st_uid, st->st_gid);
}

static char *
read_fd_all (int fd)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint8 chunk[8192];
  off_t off = 0;

  for (;;)
    {
      ssize_t n = pread (fd, chunk, sizeof chunk, off);

      if (n < 0)
        return fail ();
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, n);
      off += n;
    }
  {
    g_autofree char *d = describe_data ((const char *) buf->data, buf->len);
    return g_strdup_printf ("ok %s", d);
  }
}

static char *
write_fd (int     fd,
          const char *data,
          gint64  offset,
          gboolean use_pwrite)
{
  size_t len = data ? strlen (data) : 0;
  ssize_t n;

  if (len == 0)
    return g_strdup ("ok");
  n = use_pwrite ? pwrite (fd, data, len, offset) : write (fd, data, len);
  if (n < 0)
    return fail ();
  if ((size_t) n != len)
    return g_strdup_printf ("short write %zd of %zu", n, len);
  return g_strdup ("ok");
}

static char *
open_write (const char *path,
            int         flags,
            mode_t      mode,
            const char *data,
            gint64      offset,
            gboolean    use_pwrite)
{
  int fd = open (path, flags | O_CLOEXEC, mode);
  char *res;

  if (fd < 0)
    return fail ();
  res = write_fd (fd, data, offset, use_pwrite);
  if (close (fd) != 0 && g_str_equal (res, "ok"))
    {
      g_free (res);
      return fail ();
    }
  return res;
}

static char *
op_mmap_shared (const char *path,
                const char *data,
                gint64      offset)
{
  size_t len = strlen (data);
  long page = sysconf (_SC_PAGESIZE);
  off_t start = offset - offset % page;
  size_t maplen = (offset - start) + len;
  int fd = open (path, O_RDWR | O_CLOEXEC);
  char *map;

  if (fd < 0)
    return fail ();
  map = mmap (NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, start);
  if (map == MAP_FAILED)
    {
      char *res = fail ();
      close (fd);
      return res;
    }
  memcpy (map + (offset - start), data, len);
  if (msync (map, maplen, MS_SYNC) != 0)
    {
      char *res = fail ();
      munmap (map, maplen);
      close (fd);
      return res;
    }
  munmap (map, maplen);
  close (fd);
  return g_strdup ("ok");
}

static char *
op_mmap_exec (const char *path)
{
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  char *map;
  char *res;

  if (fd < 0)
    return fail ();
  if (fstat (fd, &st) != 0 || st.st_size == 0)
    {
      res = st.st_size == 0 ? g_strdup ("empty file") : fail ();
      close (fd);
      return res;
    }
  map = mmap (NULL, st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED)
    {
      res = fail ();
      close (fd);
      return res;
    }
  {
    g_autofree char *d = describe_data (map, st.st_size);
    res = g_strdup_printf ("ok %s", d);
  }
  munmap (map, st.st_size);
  close (fd);
  return res;
}

/* Bytes that differ at every position and from one run to the next never. */
static char *
op_write_pattern (const char *path,
                  gint64      offset,
                  gint64      length)
{
  g_autofree guint8 *buf = g_malloc (length);
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  gint64 done = 0;
  char *res = NULL;

  if (fd < 0)
    return fail ();
  for (gint64 i = 0; i < length; i++)
    buf[i] = (guint8) ((i * 2654435761u) >> 13);
  while (done < length && res == NULL)
    {
      ssize_t n = pwrite (fd, buf + done, length - done, offset + done);

      if (n < 0)
        res = fail ();
      else if (n == 0)
        res = g_strdup ("pwrite wrote nothing");
      done += MAX (n, 0);
    }
  if (close (fd) != 0 && res == NULL)
    res = fail ();
  return res ? res : g_strdup ("ok");
}

static char *
op_mmap_private (const char *path,
                 const char *data,
                 gboolean    write_it)
{
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  char *map;
  char *res;
  size_t len;

  if (fd < 0)
    return fail ();
  if (fstat (fd, &st) != 0 || st.st_size == 0)
    {
      res = st.st_size == 0 ? g_strdup ("empty file") : fail ();
      close (fd);
      return res;
    }
  len = st.st_size;
  map = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED)
    {
      res = fail ();
      close (fd);
      return res;
    }
  if (write_it)
    memcpy (map, data, MIN (strlen (data), len));
  {
    g_autofree char *d = describe_data (map, len);
    res = g_strdup_printf ("ok %s", d);
  }
  munmap (map, len);
  close (fd);
  return res;
}

static char *
op_seek (const char *path,
         int         whence,
         gint64      offset)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  off_t r;
  char *res;

  if (fd < 0)
    return fail ();
  r = lseek (fd, offset, whence);
  res = r < 0 ? fail () : g_strdup_printf ("ok %" G_GINT64_FORMAT, (gint64) r);
  close (fd);
  return res;
}

static char *
op_statfs (SpSide     *side,
           const char *path)
{
  struct statfs m, u;
  g_autoptr(GString) bad = g_string_new (NULL);
  double mb, ub;

  if (statfs (path, &m) != 0)
    return fail ();
  if (statfs (side->upper, &u) != 0)
    return g_strdup_printf ("statfs of the upper dir failed: %s", g_strerror (errno));
  if (m.f_bsize <= 0)
    g_string_append (bad, " f_bsize<=0");
  if (m.f_blocks == 0)
    g_string_append (bad, " f_blocks=0");
  if (m.f_bavail > m.f_blocks || m.f_bfree > m.f_blocks)
    g_string_append (bad, " free>total");
  if (m.f_namelen <= 0)
    g_string_append (bad, " f_namelen<=0");
  /* The overlay reports the upper file system's space (that is where writes go). */
  mb = (double) m.f_blocks * m.f_bsize;
  ub = (double) u.f_blocks * u.f_bsize;
  if (mb < ub * 0.99 || mb > ub * 1.01)
    g_string_append_printf (bad, " size %.0f differs from the upper's %.0f", mb, ub);
  if (bad->len > 0)
    return g_strdup_printf ("insane:%s", bad->str);
  return g_strdup ("ok");
}

static char *
op_flock (const char *path)
{
  int fd1 = open (path, O_RDONLY | O_CLOEXEC);
  int fd2 = -1;
  int r1, r2, e1 = 0, e2 = 0, r3, e3 = 0;
  char *res;

  if (fd1 < 0)
    return fail ();
  fd2 = open (path, O_RDONLY | O_CLOEXEC);
  if (fd2 < 0)
    {
      res = fail ();
      close (fd1);
      return res;
    }
  r1 = flock (fd1, LOCK_EX | LOCK_NB);
  e1 = errno;
  r2 = flock (fd2, LOCK_EX | LOCK_NB);
  e2 = errno;
  flock (fd1, LOCK_UN);
  r3 = flock (fd2, LOCK_EX | LOCK_NB);
  e3 = errno;
  res = g_strdup_printf ("first=%s second=%s after-unlock=%s",
                         r1 == 0 ? "ok" : _sp_errno_name (e1),
                         r2 == 0 ? "ok" : _sp_errno_name (e2),
                         r3 == 0 ? "ok" : _sp_errno_name (e3));
  close (fd2);
  close (fd1);
  return res;
}

static char *
op_ofd_lock (const char *path)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  int fd1 = open (path, O_RDWR | O_CLOEXEC);
  int fd2;
  int r1, r2, e1 = 0, e2 = 0, r3;
  char *res;

  if (fd1 < 0)
    return fail ();
  fd2 = open (path, O_RDWR | O_CLOEXEC);
  if (fd2 < 0)
    {
      res = fail ();
      close (fd1);
      return res;
    }
  r1 = fcntl (fd1, F_OFD_SETLK, &fl);
  e1 = errno;
  r2 = fcntl (fd2, F_OFD_SETLK, &fl);
  e2 = errno;
  r3 = fcntl (fd2, F_OFD_GETLK, &q);
  res = g_strdup_printf ("first=%s second=%s getlk=%s",
                         r1 == 0 ? "ok" : _sp_errno_name (e1),
                         r2 == 0 ? "ok" : _sp_errno_name (e2),
                         r3 != 0 ? _sp_errno_name (errno) :
                         q.l_type == F_WRLCK ? "wrlck" :
                         q.l_type == F_UNLCK ? "unlck" : "other");
  close (fd2);
  close (fd1);
  return res;
}

static char *
op_fsync (const char *path)
{
  struct stat st;
  int fd;
  char *res = NULL;

  if (lstat (path, &st) != 0)
    return fail ();
  fd = open (path, (S_ISDIR (st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0)
    return fail ();
  if (fsync (fd) != 0)
    res = fail ();
  else if (fdatasync (fd) != 0)
    res = fail ();
  close (fd);
  return res ? res : g_strdup ("ok");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
op_readdir (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) res = g_string_new ("ok");
  DIR *dir = opendir (path);
  struct dirent *de;

  if (dir == NULL)
    return fail ();
  errno = 0;
  while ((de = readdir (dir)) != NULL)
    g_ptr_array_add (names, g_strdup_printf ("%s:%c", de->d_name, dtype_char (de->d_type)));
  if (errno != 0)
    {
      char *r = fail ();
      closedir (dir);
      return r;
    }
  closedir (dir);
  g_ptr_array_sort (names, compare_strings);
  if (names->len > 40)
    {
      /* Long listings: the count, a hash of the sorted names, duplicates. */
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

      g_string_append_printf (res, " %u entries", names->len);
      for (guint i = 0; i < names->len; i++)
        {
          g_checksum_update (sum, names->pdata[i], -1);
          g_checksum_update (sum, (const guchar *) "/", 1);
          if (i > 0 && g_str_equal (names->pdata[i], names->pdata[i - 1]))
            g_string_append_printf (res, " %s(DUPLICATE)", (char *) names->pdata[i]);
        }
      g_string_append_printf (res, " sha256=%.16s", g_checksum_get_string (sum));
      return g_string_free (g_steal_pointer (&res), FALSE);
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_string_append_printf (res, " %s", (char *) names->pdata[i]);
      if (i > 0 && g_str_equal (names->pdata[i], names->pdata[i - 1]))
        g_string_append (res, "(DUPLICATE)");
    }
  return g_string_free (g_steal_pointer (&res), FALSE);
}

static GHashTable *
list_names (const char *path)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DIR *dir = opendir (path);
  struct dirent *de;

  if (dir == NULL)
    return set;
  while ((de = readdir (dir)) != NULL)
    g_hash_table_add (set, g_strdup (de->d_name));
  closedir (dir);
  return set;
}

/* Reads @skip entries, remembers telldir(), applies @changes in the
 * directory, seekdir()s back and reads the rest: no name may come twice and
 * every name that was there before and not removed must come once. */
static char *
op_readdir_seek (const char *path,
                 gint64      skip,
                 const char *changes)
{
  g_autoptr(GHashTable) before = list_names (path);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) removed = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) items = g_strsplit (changes ? changes : "", ",", -1);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *first_after = NULL;
  GHashTableIter iter;
  gpointer key;
  DIR *dir = opendir (path);
  struct dirent *de;
  long pos;

  if (dir == NULL)
    return fail ();
  for (gint64 i = 0; i < skip && (de = readdir (dir)) != NULL; i++)
    if (!g_hash_table_add (seen, g_strdup (de->d_name)))
      g_string_append_printf (problems, " duplicate:%s", de->d_name);
  pos = telldir (dir);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];
      g_autofree char *p = NULL;

      if (item[0] == '\0')
        continue;
      p = g_build_filename (path, item + 1, NULL);
      if (item[0] == '+')
        {
          int fd = open (p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
          if (fd < 0)
            g_string_append_printf (problems, " create %s: %s", item + 1, _sp_errno_name (errno));
          else
            close (fd);
        }
      else if (unlink (p) != 0)
        g_string_append_printf (problems, " unlink %s: %s", item + 1, _sp_errno_name (errno));
      else
        g_hash_table_add (removed, (gpointer) (item + 1));
    }

  seekdir (dir, pos);
  errno = 0;
  while ((de = readdir (dir)) != NULL)
    {
      if (first_after == NULL)
        first_after = g_strdup (de->d_name);
      if (!g_hash_table_add (seen, g_strdup (de->d_name)))
        g_string_append_printf (problems, " duplicate:%s", de->d_name);
    }
  if (errno != 0)
    g_string_append_printf (problems, " readdir:%s", _sp_errno_name (errno));

  /* A second seekdir to the same cookie lands on the same entry. */
  seekdir (dir, pos);
  de = readdir (dir);
  if (g_strcmp0 (de ? de->d_name : NULL, first_after) != 0)
    g_string_append_printf (problems, " seekdir-again:%s-instead-of-%s",
                            de ? de->d_name : "(end)", first_after ? first_after : "(end)");
  closedir (dir);

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (removed, key) && !g_hash_table_contains (seen, key))
      g_string_append_printf (problems, " missing:%s", (char *) key);

  if (problems->len > 0)
    return g_strdup_printf ("bad:%s", problems->str);
  return g_strdup ("ok");
}

/* Runs a small action as another user, in a child process; returns errno. */
static char *
as_user (SpOpKind    kind,
         const char *path,
         uid_t       uid,
         int         flags)
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return fail ();
  if (pid == 0)
    {
      int r;

      if (setgroups (0, NULL) != 0 || setresgid (uid, uid, uid) != 0 ||
          setresuid (uid, uid, uid) != 0)
        _exit (255);
      if (kind == SP_OP_OPEN_AS)
        {
          r = open (path, flags | O_CLOEXEC, 0644);
          if (r >= 0)
            close (r);
        }
      else if (kind == SP_OP_MKDIR_AS)
        r = mkdir (path, 0755);
      else
        r = unlink (path);
      _exit (r < 0 ? errno : 0);
    }
  if (waitpid (pid, &status, 0) < 0)
    return fail ();
  if (!WIFEXITED (status) || WEXITSTATUS (status) == 255)
    return g_strdup ("child could not change user");
  if (WEXITSTATUS (status) == 0)
    return g_strdup ("ok");
  return g_strdup (_sp_errno_name (WEXITSTATUS (status)));
}

static char *
op_listxattr (const char *path)
{
  char buf[4096];
  ssize_t n = llistxattr (path, buf, sizeof buf);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) res = g_string_new ("ok");

  if (n < 0)
    return fail ();
  for (ssize_t i = 0; i < n; i += strlen (buf + i) + 1)
    g_ptr_array_add (names, buf + i);
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (res, " %s", (char *) names->pdata[i]);
  return g_string_free (g_steal_pointer (&res), FALSE);
}

static char *
op_setxattr (const char *path,
             const char *spec,
             int         flags)
{
  const char *eq = strchr (spec, '=');
  g_autofree char *name = g_strndup (spec, eq - spec);

  if (lsetxattr (path, name, eq + 1, strlen (eq + 1), flags) != 0)
    return fail ();
  return g_strdup ("ok");
}

static char *
op_getxattr (const char *path,
             const char *name)
{
  char buf[4096];
  ssize_t n = lgetxattr (path, name, buf, sizeof buf);
  g_autofree char *d = NULL;

  if (n < 0)
    return fail ();
  d = describe_data (buf, n);
  return g_strdup_printf ("ok %s", d);
}

static char *
ok_or_fail (int r)
{
  return r == 0 ? g_strdup ("ok") : fail ();
}

static char *
run_op (SpSide     *side,
        const SpOp *op,
        const char *p,
        const char *q)
{
  struct stat st, st2;
  int slot = CLAMP (op->a, 0, SP_N_SLOTS - 1);

  switch (op->kind)
    {
    case SP_OP_CREATE:
      return open_write (p, O_CREAT | O_EXCL | O_WRONLY, op->a ? op->a : 0644, op->data, 0, FALSE);
    case SP_OP_OPEN_CREAT:
      return open_write (p, O_CREAT | O_WRONLY, op->a ? op->a : 0644, op->data, 0, TRUE);
    case SP_OP_WRITE:
      return open_write (p, O_WRONLY, 0, op->data, op->a, TRUE);
    case SP_OP_APPEND:
      return open_write (p, O_WRONLY | O_APPEND, 0, op->data, 0, FALSE);
    case SP_OP_OPEN_TRUNC:
      return open_write (p, O_WRONLY | O_TRUNC, 0, op->data, 0, FALSE);
    case SP_OP_TRUNCATE:
      return ok_or_fail (truncate (p, op->a));
    case SP_OP_READ:
      {
        int fd = open (p, O_RDONLY | O_CLOEXEC);
        char *res;

        if (fd < 0)
          return fail ();
        res = read_fd_all (fd);
        close (fd);
        return res;
      }
    case SP_OP_STAT:
      if (lstat (p, &st) != 0)
        return fail ();
      return describe_stat (&st);
    case SP_OP_CHMOD:
      return ok_or_fail (chmod (p, op->a));
    case SP_OP_CHOWN:
      return ok_or_fail (lchown (p, op->a, op->b));
    case SP_OP_UTIMES:
      {
        struct timespec ts[2] = { { op->a, op->b }, { op->a, op->b } };
        return ok_or_fail (utimensat (AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW));
      }
    case SP_OP_SETXATTR:
      return op_setxattr (p, op->data, op->a);
    case SP_OP_GETXATTR:
      return op_getxattr (p, op->data);
    case SP_OP_LISTXATTR:
      return op_listxattr (p);
    case SP_OP_REMOVEXATTR:
      return ok_or_fail (lremovexattr (p, op->data));
    case SP_OP_UNLINK:
      return ok_or_fail (unlink (p));
    case SP_OP_RMDIR:
      return ok_or_fail (rmdir (p));
    case SP_OP_MKDIR:
      return ok_or_fail (mkdir (p, op->a ? op->a : 0755));
    case SP_OP_RENAME:
      return ok_or_fail (syscall (SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, (unsigned) op->a));
    case SP_OP_LINK:
      return ok_or_fail (link (p, q));
    case SP_OP_SYMLINK:
      return ok_or_fail (symlink (op->data, p));
    case SP_OP_READLINK:
      {
        char buf[4096];
        ssize_t n = readlink (p, buf, sizeof buf - 1);

        if (n < 0)
          return fail ();
        buf[n] = '\0';
        return g_strdup_printf ("ok %s", buf);
      }
    case SP_OP_MKFIFO:
      return ok_or_fail (mkfifo (p, op->a ? op->a : 0644));
    case SP_OP_MKNOD:
      return ok_or_fail (mknod (p, op->a, op->b));
    case SP_OP_OPEN_FLAGS:
      {
        int fd = open (p, op->a | O_CLOEXEC, 0644);

        if (fd < 0)
          return fail ();
        close (fd);
        return g_strdup ("ok");
      }
    case SP_OP_MMAP_SHARED:
      return op_mmap_shared (p, op->data, op->a);
    case SP_OP_MMAP_PRIVATE:
      return op_mmap_private (p, op->data, TRUE);
    case SP_OP_MMAP_READ:
      return op_mmap_private (p, NULL, FALSE);
    case SP_OP_MMAP_EXEC:
      return op_mmap_exec (p);
    case SP_OP_WRITE_PATTERN:
      return op_write_pattern (p, op->a, op->b);
    case SP_OP_FALLOCATE:
      {
        int fd = open (p, O_RDWR | O_CLOEXEC);
        char *res;

        if (fd < 0)
          return fail ();
        res = ok_or_fail (fallocate (fd, op->c, op->a, op->b));
        close (fd);
        return res;
      }
    case SP_OP_SEEK:
      return op_seek (p, op->a, op->b);
    case SP_OP_STATFS:
      return op_statfs (side, p);
    case SP_OP_FLOCK:
      return op_flock (p);
    case SP_OP_OFD_LOCK:
      return op_ofd_lock (p);
    case SP_OP_FSYNC:
      return op_fsync (p);
    case SP_OP_OPEN:
      if (side->fds[slot] >= 0)
        close (side->fds[slot]);
      side->fds[slot] = open (p, op->b | O_CLOEXEC, 0644);
      return side->fds[slot] < 0 ? fail () : g_strdup ("ok");
    case SP_OP_FD_WRITE:
      if (side->fds[slot] < 0)
        return g_strdup ("slot not open");
      return write_fd (side->fds[slot], op->data, op->b, TRUE);
    case SP_OP_FD_READ:
      if (side->fds[slot] < 0)
        return g_strdup ("slot not open");
      return read_fd_all (side->fds[slot]);
    case SP_OP_FD_FSTAT:
      if (side->fds[slot] < 0)
        return g_strdup ("slot not open");
      if (fstat (side->fds[slot], &st) != 0)
        return fail ();
      return describe_stat (&st);
    case SP_OP_CLOSE:
      if (side->fds[slot] < 0)
        return g_strdup ("slot not open");
      {
        int r = close (side->fds[slot]);
        side->fds[slot] = -1;
        return ok_or_fail (r);
      }
    case SP_OP_READDIR:
      return op_readdir (p);
    case SP_OP_READDIR_SEEK:
      return op_readdir_seek (p, op->a, op->data);
    case SP_OP_INO_SAVE:
      if (lstat (p, &st) != 0)
        return fail ();
      side->inos[slot] = st.st_ino;
      return g_strdup ("ok");
    case SP_OP_INO_SAME:
      if (lstat (p, &st) != 0)
        return fail ();
      return g_strdup (st.st_ino == side->inos[slot] ? "same" : "changed");
    case SP_OP_INO_EQ:
    case SP_OP_DEV_SAME:
      if (lstat (p, &st) != 0 || lstat (q, &st2) != 0)
        return fail ();
      if (op->kind == SP_OP_INO_EQ)
        return g_strdup (st.st_ino == st2.st_ino ? "equal" : "different");
      return g_strdup (st.st_dev == st2.st_dev ? "equal" : "different");
    case SP_OP_DROP_CACHES:
      return _sp_drop_caches () ? g_strdup ("ok") : fail ();
    case SP_OP_OPEN_AS:
    case SP_OP_MKDIR_AS:
    case SP_OP_UNLINK_AS:
      return as_user (op->kind, p, op->a, op->b);
    case SP_OP_END:
    default:
      g_assert_not_reached ();
    }
}

char *
_sp_side_run_op (SpSide     *side,
                 const SpOp *op)
{
  g_autofree char *p = NULL;
  g_autofree char *q = NULL;

  if (op->path != NULL)
    p = g_build_filename (side->mnt, op->path, NULL);
  if (op->data != NULL && (op->kind == SP_OP_RENAME || op->kind == SP_OP_LINK ||
                           op->kind == SP_OP_INO_EQ || op->kind == SP_OP_DEV_SAME))
    q = g_build_filename (side->mnt, op->data, NULL);
  errno = 0;
  return run_op (side, op, p, q);
}

/* Forgets unused dentries and inodes, so the next access of a path looks
 * it up again (FUSE gets FORGET, then LOOKUP). No sync() first: it would
 * wait for whatever else the machine is writing, and clean objects are
 * what matters here. */
gboolean
_sp_drop_caches (void)
{
  int fd;
  gboolean ok;

  fd = open ("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  ok = write (fd, "2", 1) == 1;
  close (fd);
  return ok;
}

void
_sp_side_close_fds (SpSide *side)
{
  for (guint i = 0; i < SP_N_SLOTS; i++)
    if (side->fds[i] >= 0)
      {
        close (side->fds[i]);
        side->fds[i] = -1;
      }
}

static const char *op_names[] = {
  [SP_OP_CREATE] = "create", [SP_OP_OPEN_CREAT] = "open-creat", [SP_OP_WRITE] = "write",
  [SP_OP_APPEND] = "append", [SP_OP_OPEN_TRUNC] = "open-O_TRUNC", [SP_OP_TRUNCATE] = "truncate",
  [SP_OP_READ] = "read", [SP_OP_STAT] = "lstat", [SP_OP_CHMOD] = "chmod",
  [SP_OP_CHOWN] = "lchown", [SP_OP_UTIMES] = "utimensat", [SP_OP_SETXATTR] = "setxattr",
  [SP_OP_GETXATTR] = "getxattr", [SP_OP_LISTXATTR] = "listxattr",
  [SP_OP_REMOVEXATTR] = "removexattr", [SP_OP_UNLINK] = "unlink", [SP_OP_RMDIR] = "rmdir",
  [SP_OP_MKDIR] = "mkdir", [SP_OP_RENAME] = "renameat2", [SP_OP_LINK] = "link",
  [SP_OP_SYMLINK] = "symlink", [SP_OP_READLINK] = "readlink", [SP_OP_MKFIFO] = "mkfifo",
  [SP_OP_MKNOD] = "mknod", [SP_OP_OPEN_FLAGS] = "open-close",
  [SP_OP_MMAP_SHARED] = "mmap-shared-write", [SP_OP_MMAP_PRIVATE] = "mmap-private-write",
  [SP_OP_MMAP_READ] = "mmap-read", [SP_OP_MMAP_EXEC] = "mmap-exec",
  [SP_OP_WRITE_PATTERN] = "write-pattern", [SP_OP_FALLOCATE] = "fallocate", [SP_OP_SEEK] = "lseek",
  [SP_OP_STATFS] = "statfs", [SP_OP_FLOCK] = "flock", [SP_OP_OFD_LOCK] = "ofd-lock",
  [SP_OP_FSYNC] = "fsync", [SP_OP_OPEN] = "open", [SP_OP_FD_WRITE] = "fd-write",
  [SP_OP_FD_READ] = "fd-read", [SP_OP_FD_FSTAT] = "fstat", [SP_OP_CLOSE] = "close",
  [SP_OP_READDIR] = "readdir", [SP_OP_READDIR_SEEK] = "readdir-telldir-seekdir",
  [SP_OP_INO_SAVE] = "remember-st_ino", [SP_OP_INO_SAME] = "st_ino-unchanged",
  [SP_OP_INO_EQ] = "same-st_ino", [SP_OP_DEV_SAME] = "same-st_dev",
  [SP_OP_DROP_CACHES] = "drop-caches", [SP_OP_OPEN_AS] = "open-as-user",
  [SP_OP_MKDIR_AS] = "mkdir-as-user", [SP_OP_UNLINK_AS] = "unlink-as-user",
};

char *
_sp_op_describe (const SpOp *op)
{
  GString *s = g_string_new (op_names[op->kind]);

  g_string_append (s, " (");
  if (op->path)
    g_string_append_printf (s, "\"%s\"", op->path);
  if (op->data)
    {
      g_autofree char *esc = g_strescape (op->data, NULL);
      g_string_append_printf (s, ", \"%s\"", esc);
    }
  if (op->kind == SP_OP_RENAME)
    {
      if (op->a & RENAME_NOREPLACE)
        g_string_append (s, ", NOREPLACE");
      if (op->a & RENAME_EXCHANGE)
        g_string_append (s, ", EXCHANGE");
      if (op->a & RENAME_WHITEOUT)
        g_string_append (s, ", WHITEOUT");
    }
  else if (op->kind == SP_OP_CHMOD || op->kind == SP_OP_MKDIR || op->kind == SP_OP_CREATE ||
           op->kind == SP_OP_MKFIFO || op->kind == SP_OP_OPEN_CREAT || op->kind == SP_OP_MKNOD)
    g_string_append_printf (s, ", 0%" G_GINT64_MODIFIER "o", op->a);
  else if (op->a || op->b || op->c)
    g_string_append_printf (s, ", a=%" G_GINT64_FORMAT " b=%" G_GINT64_FORMAT
                            " c=%" G_GINT64_FORMAT, op->a, op->b, op->c);
  g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

static gboolean
is_internal_name (const char *name)
{
  return g_str_has_prefix (name, "user.overlay.") || g_str_has_prefix (name, "trusted.overlay.");
}

/* "ok a b c" → the names that are not internal; sets @has_internal. */
static char *
strip_internal_names (const char *list,
                      GHashTable *internal)
{
  g_auto(GStrv) words = g_strsplit (list, " ", -1);
  GString *s = g_string_new (words[0]);

  for (guint i = 1; words[i] != NULL; i++)
    {
      if (is_internal_name (words[i]))
        g_hash_table_add (internal, g_strdup (words[i]));
      else
        g_string_append_printf (s, " %s", words[i]);
    }
  return g_string_free (s, FALSE);
}

/* The one deliberate leeway in operation results: names in the overlay's
 * own xattr namespaces (user.overlay.*, trusted.overlay.*). Kernels since
 * 6.7 accept them from users and store them escaped; older kernels and the
 * issue ("internal names hidden and refused") refuse them. So where the
 * kernel accepts, the tested file system may refuse with EPERM (set,
 * remove) or not know the name (get: ENODATA, list: absent). It must never
 * show an internal name the kernel does not show. */
gboolean
_sp_op_results_match (const SpOp *op,
                      const char *kernel,
                      const char *tested)
{
  if (g_str_equal (kernel, tested))
    return TRUE;

  switch (op->kind)
    {
    case SP_OP_SETXATTR:
    case SP_OP_REMOVEXATTR:
      return is_internal_name (op->data) && g_str_equal (kernel, "ok") &&
             g_str_equal (tested, "EPERM");
    case SP_OP_GETXATTR:
      return is_internal_name (op->data) && g_str_has_prefix (kernel, "ok") &&
             g_str_equal (tested, "ENODATA");
    case SP_OP_LISTXATTR:
      {
        g_autoptr(GHashTable) k_internal = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                  g_free, NULL);
        g_autoptr(GHashTable) t_internal = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                  g_free, NULL);
        g_autofree char *k = strip_internal_names (kernel, k_internal);
        g_autofree char *t = strip_internal_names (tested, t_internal);
        GHashTableIter iter;
        gpointer name;

        if (!g_str_equal (k, t))
          return FALSE;
        g_hash_table_iter_init (&iter, t_internal);
        while (g_hash_table_iter_next (&iter, &name, NULL))
          if (!g_hash_table_contains (k_internal, name))
            return FALSE;
        return TRUE;
      }
    default:
      return FALSE;
    }
}
