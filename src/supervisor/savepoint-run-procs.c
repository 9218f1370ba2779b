/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-run: which descendants are the game's (savepoint-run.c, "When
 * the session ends"), read from /proc, and run.ini's heartbeat keys when
 * nobody is left to write them. */
#include "savepoint-run-procs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* Bounds for what a process can make us read. */
#define MAX_ENVIRON_BYTES (16 * 1024 * 1024)
#define MAX_MAPS_LINES    (1024 * 1024)
#define MAX_RUN_INFO      (1024 * 1024)
/* A process this young may be between fork(), setsid() and exec() (a
 * launcher's `setsid game &`): it counts as the game's until it is older. */
#define YOUNG_MS          1000

void
sp_game_rule_init (SpGameRule *rule,
                   pid_t       game,
                   const char *root)
{
  struct stat st;

  memset (rule, 0, sizeof *rule);
  rule->self = getpid ();
  rule->self_sid = getsid (0);
  rule->game = game;
  rule->root = root;
  /* Files are told by device: only when MOUNT is a mount point of its own
   * (the session's overlay), not a folder of a bigger file system. */
  if (root != NULL && stat (root, &st) == 0)
    {
      char parent_path[4200];
      struct stat parent;

      snprintf (parent_path, sizeof parent_path, "%s/..", root);
      if (stat (parent_path, &parent) == 0 && parent.st_dev != st.st_dev)
        {
          rule->root_known = 1;
          rule->root_major = major (st.st_dev);
          rule->root_minor = minor (st.st_dev);
        }
    }
}

typedef struct
{
  pid_t pid;
  pid_t ppid;
  int   desc;
  char  comm[32];
} Entry;

static int
compare_entries (const void *a,
                 const void *b)
{
  pid_t pa = ((const Entry *) a)->pid;
  pid_t pb = ((const Entry *) b)->pid;

  return pa < pb ? -1 : pa > pb;
}

/* /proc/PID/stat into @buf; returns the end of the process's name (which
 * may hold spaces and parentheses: it ends at the last ')'), after which
 * the fields have no spaces, or NULL. */
static char *
read_stat_text (pid_t   pid,
                char   *buf,
                size_t  size)
{
  char path[64];
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  return strrchr (buf, ')');
}

/* pid, parent, name of @pid from /proc/PID/stat; 0 for a zombie or a
 * process that is gone. */
static int
read_stat (pid_t  pid,
           Entry *entry)
{
  char buf[1024];
  char *close_paren = read_stat_text (pid, buf, sizeof buf);
  char *open_paren;
  char state;
  int ppid;
  size_t len;

  if (close_paren == NULL)
    return 0;
  open_paren = strchr (buf, '(');
  if (open_paren == NULL || close_paren < open_paren ||
      sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2)
    return 0;
  if (state == 'Z' || state == 'X' || state == 'x')
    return 0;

  len = (size_t) (close_paren - open_paren - 1);
  if (len >= sizeof entry->comm)
    len = sizeof entry->comm - 1;
  memcpy (entry->comm, open_paren + 1, len);
  entry->comm[len] = '\0';
  /* A process names itself: nothing that could break a status line. */
  for (char *c = entry->comm; *c; c++)
    if ((unsigned char) *c < 0x20 || *c == 0x7f)
      *c = '?';
  entry->pid = pid;
  entry->ppid = ppid;
  entry->desc = 0;
  return 1;
}

/* Every process of the system with its parent, sorted by pid; the
 * descendants of @self marked. Returns the count, -1 on failure. */
static int
read_process_table (pid_t   self,
                    Entry **out)
{
  DIR *dir;
  struct dirent *de;
  Entry *entries = NULL;
  int n = 0;
  int cap = 0;
  int changed;

  *out = NULL;
  dir = opendir ("/proc");
  if (dir == NULL)
    return -1;
  while ((de = readdir (dir)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);

      if (*end != '\0' || pid <= 1 || pid == self)
        continue;
      if (n == cap)
        {
          Entry *grown;

          cap = cap ? cap * 2 : 512;
          grown = realloc (entries, (size_t) cap * sizeof *entries);
          if (grown == NULL)
            {
              free (entries);
              closedir (dir);
              return -1;
            }
          entries = grown;
        }
      if (read_stat ((pid_t) pid, &entries[n]))
        n++;
    }
  closedir (dir);

  if (n > 0)
    qsort (entries, (size_t) n, sizeof *entries, compare_entries);

  /* Mark descendants: a child of ours, or of a marked one, until nothing
   * changes (one pass per generation). */
  do
    {
      changed = 0;
      for (int i = 0; i < n; i++)
        {
          Entry key;
          Entry *parent;

          if (entries[i].desc)
            continue;
          if (entries[i].ppid == self)
            {
              entries[i].desc = 1;
              changed = 1;
              continue;
            }
          key.pid = entries[i].ppid;
          parent = bsearch (&key, entries, (size_t) n, sizeof *entries, compare_entries);
          if (parent != NULL && parent->desc)
            {
              entries[i].desc = 1;
              changed = 1;
            }
        }
    }
  while (changed);

  *out = entries;
  return n;
}

/* Whether /proc/PID/maps lists a file of the game's mount (by device: it
 * names the program too, and needs no path comparison). Unreadable (gone,
 * or a process that made itself undumpable): no. */
static int
maps_use_root (const SpGameRule *rule,
               pid_t             pid)
{
  char path[64];
  FILE *f;
  char *line = NULL;
  size_t size = 0;
  int found = 0;
  long lines = 0;

  if (!rule->root_known)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/maps", (int) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return 0;
  while (!found && lines++ < MAX_MAPS_LINES && getline (&line, &size, f) > 0)
    {
      unsigned maj, min;
      unsigned long inode;

      /* start-end perms offset MAJ:MIN inode [path] */
      if (sscanf (line, "%*s %*s %*s %x:%x %lu", &maj, &min, &inode) == 3 &&
          inode != 0 && maj == rule->root_major && min == rule->root_minor)
        found = 1;
    }
  free (line);
  fclose (f);
  return found;
}

/* Whether the program @pid runs lies under the game's mount. Right after
 * an exec(), /proc/PID/exe names the new program before its files are
 * mapped, so this holds where maps_use_root() does not yet. */
static int
exe_under_root (const SpGameRule *rule,
                pid_t             pid)
{
  char path[64];
  char exe[4096];
  size_t root_len = strlen (rule->root);
  ssize_t n;

  snprintf (path, sizeof path, "/proc/%d/exe", (int) pid);
  n = readlink (path, exe, sizeof exe - 1);
  if (n <= 0)
    return 0;
  exe[n] = '\0';
  return (size_t) n > root_len && memcmp (exe, rule->root, root_len) == 0 && exe[root_len] == '/';
}

/* Whether @pid started less than YOUNG_MS ago (/proc/PID/stat's start
 * time, in clock ticks since boot). */
static int
is_young (pid_t pid)
{
  char buf[1024];
  const char *p = read_stat_text (pid, buf, sizeof buf);
  unsigned long long start;
  struct timespec now;
  long ticks = sysconf (_SC_CLK_TCK);

  if (p == NULL || ticks <= 0 || clock_gettime (CLOCK_BOOTTIME, &now) != 0)
    return 0;
  /* After the name: state is field 3, the start time field 22. */
  for (int field = 2; p != NULL && field < 22; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL || sscanf (p, " %llu", &start) != 1)
    return 0;
  return (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000 - (long long) (start * 1000 / (unsigned long long) ticks) < YOUNG_MS;
}

/* Whether the program @pid runs is one of Wine's (wine, wine64,
 * wine64-preloader, wineserver, …): its file name starts with "wine". */
static int
runs_wine (pid_t pid)
{
  char path[64];
  char exe[4096];
  ssize_t n;
  const char *base;

  snprintf (path, sizeof path, "/proc/%d/exe", (int) pid);
  n = readlink (path, exe, sizeof exe - 1);
  if (n <= 0)
    return 0;
  exe[n] = '\0';
  base = strrchr (exe, '/');
  base = base ? base + 1 : exe;
  return strncmp (base, "wine", 4) == 0;
}

/* @a and @b name the same folder, up to trailing slashes. */
static int
same_folder (const char *a,
             size_t      alen,
             const char *b)
{
  size_t blen = strlen (b);

  while (alen > 1 && a[alen - 1] == '/')
    alen--;
  while (blen > 1 && b[blen - 1] == '/')
    blen--;
  return alen == blen && memcmp (a, b, alen) == 0;
}

/* Whether @pid's environment (as it was started: /proc/PID/environ) has
 * WINEPREFIX=<root>. Read as a stream of NUL-terminated entries, bounded;
 * an entry longer than any path is skipped. Unreadable: no. */
static int
environ_has_prefix (const SpGameRule *rule,
                    pid_t             pid)
{
  static const char name[] = "WINEPREFIX=";
  char path[64];
  char chunk[65536];
  char entry[4096 + sizeof name];
  size_t elen = 0;
  int too_long = 0;
  size_t total = 0;
  int found = 0;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/environ", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  while (!found && total < MAX_ENVIRON_BYTES)
    {
      ssize_t n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      total += (size_t) n;
      for (ssize_t i = 0; i < n && !found; i++)
        {
          if (chunk[i] != '\0')
            {
              if (elen < sizeof entry)
                entry[elen++] = chunk[i];
              else
                too_long = 1;
              continue;
            }
          if (!too_long && elen > sizeof name - 1 &&
              memcmp (entry, name, sizeof name - 1) == 0 &&
              same_folder (entry + sizeof name - 1, elen - (sizeof name - 1), rule->root))
            found = 1;
          elen = 0;
          too_long = 0;
        }
    }
  close (fd);
  return found;
}

/* Whether @pid has detached the way daemon(3) leaves a process: working
 * directory "/", standard input, output and error /dev/null or closed
 * (dbus-launch's watcher does so without leaving the session). What we
 * cannot read does not count as detached. */
static int
looks_daemonized (pid_t pid)
{
  char path[64];
  char target[64];
  ssize_t n;

  snprintf (path, sizeof path, "/proc/%d/cwd", (int) pid);
  n = readlink (path, target, sizeof target - 1);
  if (n != 1 || target[0] != '/')
    return 0;
  for (int fd = 0; fd <= 2; fd++)
    {
      snprintf (path, sizeof path, "/proc/%d/fd/%d", (int) pid, fd);
      n = readlink (path, target, sizeof target - 1);
      if (n < 0 && errno == ENOENT)
        continue;   /* closed */
      if (n < 0)
        return 0;
      target[n] = '\0';
      if (strcmp (target, "/dev/null") != 0)
        return 0;
    }
  return 1;
}

int
sp_process_is_game (const SpGameRule *rule,
                    pid_t             pid)
{
  pid_t sid = getsid (pid);

  /* Gone: not the game's any more. */
  if (sid < 0)
    return 0;
  /* 1. Still in the game's session, and not detached like a daemon. */
  if ((sid == rule->self_sid || sid == rule->game) && !looks_daemonized (pid))
    return 1;
  if (rule->root == NULL)
    return 0;
  /* 2. Runs, or maps, a file of the game's mount. */
  if (exe_under_root (rule, pid) || maps_use_root (rule, pid))
    return 1;
  /* 3. A Wine program of the game's prefix (wineserver, Wine's services). */
  if (runs_wine (pid) && environ_has_prefix (rule, pid))
    return 1;
  /* 4. Too young to tell (see YOUNG_MS). */
  return is_young (pid);
}

int
sp_scan_descendants (const SpGameRule *rule,
                     SpDescendant     *out,
                     int               max,
                     int              *out_n_game)
{
  Entry *entries;
  int n = read_process_table (rule->self, &entries);
  int count = 0;
  int n_game = 0;

  *out_n_game = 0;
  if (n < 0)
    return -1;
  for (int i = 0; i < n; i++)
    {
      int is_game;

      if (!entries[i].desc)
        continue;
      /* Once one is the game's, the others need not be examined. */
      is_game = n_game == 0 && sp_process_is_game (rule, entries[i].pid);
      n_game += is_game;
      if (count < max)
        {
          out[count].pid = entries[i].pid;
          out[count].is_game = is_game;
          memcpy (out[count].comm, entries[i].comm, sizeof out[count].comm);
        }
      count++;
    }
  free (entries);
  *out_n_game = n_game;
  return count;
}

int
sp_signal_descendants (const SpGameRule *rule,
                       int               sig,
                       int               only_background)
{
  Entry *entries;
  int n = read_process_table (rule->self, &entries);
  int count = 0;

  if (n < 0)
    return 0;
  for (int i = 0; i < n; i++)
    {
      if (!entries[i].desc)
        continue;
      if (only_background && sp_process_is_game (rule, entries[i].pid))
        continue;
      if (kill (entries[i].pid, sig) == 0)
        count++;
    }
  free (entries);
  return count;
}

/* The key of an ini line ("Key=…", "Key = …"), or 0 when it has none. */
static int
line_has_key (const char *line,
              size_t      len,
              const char *key)
{
  size_t klen = strlen (key);
  size_t i = klen;

  if (len < klen || memcmp (line, key, klen) != 0)
    return 0;
  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  return i < len && line[i] == '=';
}

int
sp_run_write_all (int         fd,
              const char *s,
              size_t      len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, s, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      s += n;
      len -= (size_t) n;
    }
  return 0;
}

int
sp_run_info_set (int                 dirfd,
                 const char * const *keys,
                 const char * const *values)
{
  char *in = NULL;
  size_t in_len = 0;
  char *out = NULL;
  size_t out_len = 0;
  size_t out_cap;
  size_t nkeys = 0;
  int in_group = 0;
  int have_group = 0;
  char tmp[64];
  struct stat st;
  int fd;
  int saved;
  const char *p;

  while (keys[nkeys] != NULL)
    nkeys++;

  /* The session's file: a plain file, not through a link. */
  fd = openat (dirfd, "run.ini", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > MAX_RUN_INFO)
    {
      close (fd);
      errno = EINVAL;
      return -1;
    }
  in = malloc ((size_t) st.st_size + 1);
  if (in == NULL)
    {
      close (fd);
      return -1;
    }
  while (in_len < (size_t) st.st_size)
    {
      ssize_t n = read (fd, in + in_len, (size_t) st.st_size - in_len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      in_len += (size_t) n;
    }
  close (fd);
  in[in_len] = '\0';

  out_cap = in_len + 1024;
  for (size_t k = 0; k < nkeys; k++)
    out_cap += strlen (keys[k]) + strlen (values[k]) + 2;
  out = malloc (out_cap);
  if (out == NULL)
    {
      free (in);
      return -1;
    }

  /* Every line as it was, except the keys we set: they follow [Run]. */
  for (p = in; p < in + in_len;)
    {
      const char *nl = memchr (p, '\n', (size_t) (in + in_len - p));
      size_t len = nl ? (size_t) (nl - p) : (size_t) (in + in_len - p);
      int drop = 0;
      int header = 0;

      if (len > 0 && p[0] == '[')
        header = in_group = len == 5 && memcmp (p, "[Run]", 5) == 0;
      else if (in_group)
        for (size_t k = 0; k < nkeys; k++)
          if (line_has_key (p, len, keys[k]))
            drop = 1;
      if (!drop)
        {
          memcpy (out + out_len, p, len);
          out_len += len;
          out[out_len++] = '\n';
        }
      if (header && !have_group)
        {
          have_group = 1;
          for (size_t k = 0; k < nkeys; k++)
            out_len += (size_t) sprintf (out + out_len, "%s=%s\n", keys[k], values[k]);
        }
      p += len + (nl ? 1 : 0);
    }
  free (in);
  if (!have_group)
    {
      free (out);
      errno = EINVAL;
      return -1;
    }

  snprintf (tmp, sizeof tmp, "run.ini.savepoint-run-%d", (int) getpid ());
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      saved = errno;
      free (out);
      errno = saved;
      return -1;
    }
  if (sp_run_write_all (fd, out, out_len) != 0 || fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      unlinkat (dirfd, tmp, 0);
      free (out);
      errno = saved;
      return -1;
    }
  free (out);
  if (close (fd) != 0 || renameat (dirfd, tmp, dirfd, "run.ini") != 0)
    {
      saved = errno;
      unlinkat (dirfd, tmp, 0);
      errno = saved;
      return -1;
    }
  fsync (dirfd);
  return 0;
}
