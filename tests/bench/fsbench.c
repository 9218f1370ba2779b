/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsbench: the file system operations the benchmark times, in C so that
 * what is measured is the file system and not an interpreter.
 *
 * Every command prints one line of results that must be identical on every
 * file system (counts and checksums, never times): bench.py compares them
 * to prove that each mount really served the same tree.
 *
 *   fsbench walk DIR                  lstat every entry, recursively
 *   fsbench readdir DIR               list one directory (no stat)
 *   fsbench seqread FILE              read it from start to end, 1 MiB reads
 *   fsbench randread FILE N SEED      N preads of 4 KiB at random aligned offsets
 *   fsbench create DIR N PER_DIR      N small files in new dirs DIR/dNNNN/
 *   fsbench delete DIR                remove what create made
 *   fsbench append PATH               append one byte to PATH, or to each
 *                                     regular file directly in PATH
 *   fsbench manifest DIR [-v]         digest of the tree: paths, types, modes,
 *                                     sizes, link targets and contents
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (1024 * 1024)

static void
die (const char *what,
     const char *path)
{
  fprintf (stderr, "fsbench: %s %s: %s\n", what, path, strerror (errno));
  exit (1);
}

static uint64_t
fnv (uint64_t    h,
     const void *data,
     size_t      len)
{
  const unsigned char *p = data;

  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= 0x100000001b3ULL;
    }
  return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static uint64_t
xorshift (uint64_t *state)
{
  uint64_t x = *state;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

/* ---- walk ---- */

typedef struct
{
  uint64_t entries, files, dirs, others, bytes;
} WalkCount;

static void
walk_fd (int        dfd,
         const char *path,
         WalkCount  *count)
{
  DIR *dir = fdopendir (dfd);
  struct dirent *de;

  if (dir == NULL)
    die ("cannot list", path);
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        die ("cannot stat in", path);
      count->entries++;
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

          if (sub < 0)
            die ("cannot open dir in", path);
          count->dirs++;
          walk_fd (sub, de->d_name, count);
        }
      else if (S_ISREG (st.st_mode))
        {
          count->files++;
          count->bytes += (uint64_t) st.st_size;
        }
      else
        count->others++;
    }
  closedir (dir);
}

static int
cmd_walk (const char *path)
{
  WalkCount count = { 0 };
  int fd = open (path, O_RDONLY | O_DIRECTORY);

  if (fd < 0)
    die ("cannot open", path);
  walk_fd (fd, path, &count);
  printf ("entries=%" PRIu64 " files=%" PRIu64 " dirs=%" PRIu64 " others=%" PRIu64
          " bytes=%" PRIu64 "\n",
          count.entries, count.files, count.dirs, count.others, count.bytes);
  return 0;
}

static int
cmd_readdir (const char *path)
{
  DIR *dir = opendir (path);
  struct dirent *de;
  uint64_t n = 0, h = 0;

  if (dir == NULL)
    die ("cannot list", path);
  while ((de = readdir (dir)) != NULL)
    {
      n++;
      /* order-independent, so each file system may list in its own order */
      h += fnv (FNV_INIT, de->d_name, strlen (de->d_name));
    }
  closedir (dir);
  printf ("entries=%" PRIu64 " names=%016" PRIx64 "\n", n, h);
  return 0;
}

static int
cmd_seqread (const char *path)
{
  char *buf = malloc (BUF_SIZE);
  int fd = open (path, O_RDONLY);
  uint64_t total = 0, h = FNV_INIT;
  ssize_t n;

  if (fd < 0)
    die ("cannot open", path);
  while ((n = read (fd, buf, BUF_SIZE)) > 0)
    {
      /* a cheap sample, enough to see that the right data came back */
      for (ssize_t i = 0; i < n; i += 4096)
        h = fnv (h, buf + i, 8 < n - i ? 8 : (size_t) (n - i));
      total += (uint64_t) n;
    }
  if (n < 0)
    die ("cannot read", path);
  close (fd);
  free (buf);
  printf ("bytes=%" PRIu64 " sample=%016" PRIx64 "\n", total, h);
  return 0;
}

static int
cmd_randread (const char *path,
              long        count,
              uint64_t    seed)
{
  char buf[4096];
  int fd = open (path, O_RDONLY);
  struct stat st;
  uint64_t h = FNV_INIT, blocks, state = seed | 1;

  if (fd < 0 || fstat (fd, &st) < 0)
    die ("cannot open", path);
  blocks = (uint64_t) st.st_size / sizeof buf;
  for (long i = 0; i < count && blocks > 0; i++)
    {
      off_t off = (off_t) ((xorshift (&state) % blocks) * sizeof buf);
      ssize_t n = pread (fd, buf, sizeof buf, off);

      if (n != (ssize_t) sizeof buf)
        die ("short read", path);
      h = fnv (h, buf, 16);
    }
  close (fd);
  printf ("reads=%ld sample=%016" PRIx64 "\n", count, h);
  return 0;
}

static int
cmd_create (const char *path,
            long        count,
            long        per_dir)
{
  char name[4096], data[1024];
  uint64_t state = 42;

  for (size_t i = 0; i < sizeof data; i += 8)
    {
      uint64_t v = xorshift (&state);
      memcpy (data + i, &v, 8);
    }
  if (mkdir (path, 0755) < 0 && errno != EEXIST)
    die ("cannot create", path);
  for (long i = 0; i < count; i++)
    {
      int fd;
      size_t len = 100 + (size_t) (i % 900);

      if (i % per_dir == 0)
        {
          snprintf (name, sizeof name, "%s/d%04ld", path, i / per_dir);
          if (mkdir (name, 0755) < 0)
            die ("cannot create", name);
        }
      snprintf (name, sizeof name, "%s/d%04ld/f%06ld.dat", path, i / per_dir, i);
      fd = open (name, O_WRONLY | O_CREAT | O_EXCL, 0644);
      if (fd < 0)
        die ("cannot create", name);
      if (write (fd, data, len) != (ssize_t) len)
        die ("cannot write", name);
      close (fd);
    }
  printf ("created=%ld\n", count);
  return 0;
}

static int
cmd_delete (const char *path)
{
  DIR *top = opendir (path);
  struct dirent *de;
  long files = 0, dirs = 0;
  char name[4096];

  if (top == NULL)
    die ("cannot list", path);
  while ((de = readdir (top)) != NULL)
    {
      DIR *sub;
      struct dirent *fe;

      if (de->d_name[0] == '.')
        continue;
      snprintf (name, sizeof name, "%s/%s", path, de->d_name);
      sub = opendir (name);
      if (sub == NULL)
        die ("cannot list", name);
      while ((fe = readdir (sub)) != NULL)
        {
          if (fe->d_name[0] == '.')
            continue;
          if (unlinkat (dirfd (sub), fe->d_name, 0) < 0)
            die ("cannot delete in", name);
          files++;
        }
      closedir (sub);
      if (rmdir (name) < 0)
        die ("cannot remove", name);
      dirs++;
    }
  closedir (top);
  if (rmdir (path) < 0)
    die ("cannot remove", path);
  printf ("deleted=%ld dirs=%ld\n", files, dirs);
  return 0;
}

static void
append_one (const char *path)
{
  int fd = open (path, O_WRONLY | O_APPEND);

  if (fd < 0)
    die ("cannot open", path);
  if (write (fd, "!", 1) != 1)
    die ("cannot append to", path);
  if (close (fd) < 0)
    die ("cannot close", path);
}

static int
name_cmp (const void *a,
          const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static int
cmd_append (const char *path)
{
  struct stat st;
  char **names = NULL;
  size_t n = 0, cap = 0;
  DIR *dir;
  struct dirent *de;
  char full[4096];

  if (stat (path, &st) < 0)
    die ("cannot stat", path);
  if (!S_ISDIR (st.st_mode))
    {
      append_one (path);
      printf ("appended=1\n");
      return 0;
    }
  dir = opendir (path);
  if (dir == NULL)
    die ("cannot list", path);
  while ((de = readdir (dir)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      if (n == cap)
        names = realloc (names, (cap = cap ? cap * 2 : 256) * sizeof *names);
      names[n++] = strdup (de->d_name);
    }
  closedir (dir);
  qsort (names, n, sizeof *names, name_cmp);
  for (size_t i = 0; i < n; i++)
    {
      snprintf (full, sizeof full, "%s/%s", path, names[i]);
      append_one (full);
      free (names[i]);
    }
  free (names);
  printf ("appended=%zu\n", n);
  return 0;
}

/* ---- manifest ---- */

typedef struct
{
  uint64_t digest, entries;
  int      verbose;
  char    *buf;
} Manifest;

static uint64_t
hash_file (int dfd,
           const char *name,
           off_t size,
           char *buf)
{
  int fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW);
  uint64_t h = FNV_INIT;
  ssize_t n;

  if (fd < 0)
    die ("cannot open", name);
  if (size <= 64 * BUF_SIZE)
    {
      while ((n = read (fd, buf, BUF_SIZE)) > 0)
        h = fnv (h, buf, (size_t) n);
    }
  else
    {
      /* big files: first MiB, last MiB and 64 KiB samples every 64 MiB */
      for (off_t off = 0; off < size; off += 64 * BUF_SIZE)
        {
          n = pread (fd, buf, 65536, off);
          h = fnv (h, buf, n > 0 ? (size_t) n : 0);
        }
      n = pread (fd, buf, BUF_SIZE, size - BUF_SIZE);
      h = fnv (h, buf, n > 0 ? (size_t) n : 0);
    }
  close (fd);
  return h;
}

static int
manifest_dir (int         dfd,
              const char *rel,
              Manifest   *m)
{
  DIR *dir = fdopendir (dfd);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, cap = 0;

  if (dir == NULL)
    die ("cannot list", rel);
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n == cap)
        names = realloc (names, (cap = cap ? cap * 2 : 64) * sizeof *names);
      names[n++] = strdup (de->d_name);
    }
  qsort (names, n, sizeof *names, name_cmp);
  for (size_t i = 0; i < n; i++)
    {
      struct stat st;
      char line[8192], extra[4200] = "";
      uint64_t content = 0;

      if (fstatat (dirfd (dir), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
        die ("cannot stat", names[i]);
      if (S_ISREG (st.st_mode))
        content = hash_file (dirfd (dir), names[i], st.st_size, m->buf);
      else if (S_ISLNK (st.st_mode))
        {
          ssize_t len = readlinkat (dirfd (dir), names[i], extra, sizeof extra - 1);
          extra[len > 0 ? len : 0] = '\0';
        }
      snprintf (line, sizeof line, "%s/%s %o %lld %016" PRIx64 " %s",
                rel, names[i], (unsigned) st.st_mode,
                S_ISDIR (st.st_mode) ? 0LL : (long long) st.st_size, content, extra);
      if (m->verbose)
        puts (line);
      m->digest = fnv (m->digest, line, strlen (line) + 1);
      m->entries++;
      if (S_ISDIR (st.st_mode))
        {
          char sub_rel[4096];
          int sub = openat (dirfd (dir), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

          if (sub < 0)
            die ("cannot open", names[i]);
          snprintf (sub_rel, sizeof sub_rel, "%s/%s", rel, names[i]);
          manifest_dir (sub, sub_rel, m);
        }
      free (names[i]);
    }
  free (names);
  closedir (dir);
  return 0;
}

static int
cmd_manifest (const char *path,
              int         verbose)
{
  Manifest m = { FNV_INIT, 0, verbose, malloc (BUF_SIZE) };
  int fd = open (path, O_RDONLY | O_DIRECTORY);

  if (fd < 0)
    die ("cannot open", path);
  manifest_dir (fd, ".", &m);
  free (m.buf);
  printf ("entries=%" PRIu64 " digest=%016" PRIx64 "\n", m.entries, m.digest);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *cmd = argc > 1 ? argv[1] : "";

  if (strcmp (cmd, "walk") == 0 && argc == 3)
    return cmd_walk (argv[2]);
  if (strcmp (cmd, "readdir") == 0 && argc == 3)
    return cmd_readdir (argv[2]);
  if (strcmp (cmd, "seqread") == 0 && argc == 3)
    return cmd_seqread (argv[2]);
  if (strcmp (cmd, "randread") == 0 && argc == 5)
    return cmd_randread (argv[2], atol (argv[3]), strtoull (argv[4], NULL, 10));
  if (strcmp (cmd, "create") == 0 && argc == 5)
    return cmd_create (argv[2], atol (argv[3]), atol (argv[4]));
  if (strcmp (cmd, "delete") == 0 && argc == 3)
    return cmd_delete (argv[2]);
  if (strcmp (cmd, "append") == 0 && argc == 3)
    return cmd_append (argv[2]);
  if (strcmp (cmd, "manifest") == 0 && (argc == 3 || argc == 4))
    return cmd_manifest (argv[2], argc == 4 && strcmp (argv[3], "-v") == 0);
  fprintf (stderr, "usage: fsbench walk|readdir|seqread|randread|create|delete|append|manifest …\n"
                   "(see the comment at the top of tests/bench/fsbench.c)\n");
  return 2;
}
