/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A tiny native "game" for the session benchmarks.
 *
 *   game STAMP_FILE [write:BYTES[:SEED]] [expect:BYTES] [walk]
 *
 * The actions come from the command line and from the file STAMP_FILE.actions
 * if it exists (so one game in a library can be told what to do each run).
 * Its first instruction appends "start <CLOCK_REALTIME ns>" to STAMP_FILE, so
 * the benchmark can measure the time from `savepoint-cli play` to the game
 * running. write:BYTES writes BYTES of incompressible data (64 MiB files at
 * most) into saves/ next to the executable, like a game saving its progress;
 * expect:BYTES fails unless saves/ holds exactly BYTES (so a restored
 * checkpoint is checked); walk lstat()s the whole folder the executable is
 * in. Last it waits 100 ms and appends "end <ns>", so the time from the
 * game's exit to the end of the session (unmount and keeping the checkpoint)
 * can be measured as well. (The wait first worked around a crash in
 * sp-session.c with games that exit at once, since fixed; it stays so that
 * results remain comparable.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
stamp (const char *path,
       const char *what)
{
  struct timespec ts;
  char line[64];
  int fd, len;

  clock_gettime (CLOCK_REALTIME, &ts);
  len = snprintf (line, sizeof line, "%s %lld\n", what,
                  (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
  fd = open (path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0 || write (fd, line, (size_t) len) != len)
    {
      fprintf (stderr, "game: cannot write the time stamp to %s: %s\n", path, strerror (errno));
      exit (1);
    }
  close (fd);
}

static void
write_saves (const char *dir,
             uint64_t    bytes,
             uint64_t    seed)
{
  const size_t chunk = 1024 * 1024;
  const uint64_t per_file = 64ULL * 1024 * 1024;
  uint64_t *buf = malloc (chunk), state = seed * 2654435761ULL + 1;
  char path[PATH_MAX];

  snprintf (path, sizeof path, "%s/saves", dir);
  if (mkdir (path, 0755) < 0 && errno != EEXIST)
    {
      fprintf (stderr, "game: cannot create %s: %s\n", path, strerror (errno));
      exit (1);
    }
  for (unsigned n = 0; bytes > 0; n++)
    {
      uint64_t left = bytes < per_file ? bytes : per_file;
      int fd;

      snprintf (path, sizeof path, "%s/saves/save-%03u.bin", dir, n);
      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0)
        {
          fprintf (stderr, "game: cannot create %s: %s\n", path, strerror (errno));
          exit (1);
        }
      bytes -= left;
      while (left > 0)
        {
          size_t len = left < chunk ? (size_t) left : chunk;

          for (size_t i = 0; i < chunk / 8; i++)
            {
              state ^= state << 13;
              state ^= state >> 7;
              state ^= state << 17;
              buf[i] = state;
            }
          if (write (fd, buf, len) != (ssize_t) len)
            {
              fprintf (stderr, "game: cannot write %s: %s\n", path, strerror (errno));
              exit (1);
            }
          left -= len;
        }
      close (fd);
    }
  free (buf);
}

static uint64_t
saves_size (const char *dir)
{
  char path[PATH_MAX];
  DIR *d;
  struct dirent *de;
  uint64_t total = 0;

  snprintf (path, sizeof path, "%s/saves", dir);
  d = opendir (path);
  if (d == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;

      if (de->d_name[0] != '.' && fstatat (dirfd (d), de->d_name, &st, 0) == 0)
        total += (uint64_t) st.st_size;
    }
  closedir (d);
  return total;
}

static uint64_t
walk (int dfd)
{
  DIR *dir = fdopendir (dfd);
  struct dirent *de;
  uint64_t n = 0;

  if (dir == NULL)
    return 0;
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      n++;
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY);

          if (sub >= 0)
            n += walk (sub);
        }
    }
  closedir (dir);
  return n;
}

int
main (int   argc,
      char *argv[])
{
  char exe[PATH_MAX], path[PATH_MAX], actions[4096] = "";
  char *action_v[64];
  int action_c = 0;
  ssize_t len;
  char *dir, *save = NULL;
  int fd;

  if (argc < 2)
    {
      fprintf (stderr, "usage: game STAMP_FILE [write:BYTES[:SEED]] [walk]\n");
      return 2;
    }
  stamp (argv[1], "start");

  len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (len < 0)
    {
      fprintf (stderr, "game: cannot find its own folder: %s\n", strerror (errno));
      return 1;
    }
  exe[len] = '\0';
  dir = dirname (exe);

  for (int i = 2; i < argc && action_c < 32; i++)
    action_v[action_c++] = argv[i];
  snprintf (path, sizeof path, "%s.actions", argv[1]);
  fd = open (path, O_RDONLY);
  if (fd >= 0)
    {
      len = read (fd, actions, sizeof actions - 1);
      actions[len > 0 ? len : 0] = '\0';
      close (fd);
      for (char *w = strtok_r (actions, " \t\n", &save); w != NULL && action_c < 64;
           w = strtok_r (NULL, " \t\n", &save))
        action_v[action_c++] = w;
    }

  for (int i = 0; i < action_c; i++)
    {
      if (strncmp (action_v[i], "write:", 6) == 0)
        {
          char *end;
          uint64_t bytes = strtoull (action_v[i] + 6, &end, 10);
          uint64_t seed = *end == ':' ? strtoull (end + 1, NULL, 10) : 1;

          write_saves (dir, bytes, seed);
        }
      else if (strncmp (action_v[i], "expect:", 7) == 0)
        {
          uint64_t want = strtoull (action_v[i] + 7, NULL, 10), got = saves_size (dir);

          if (got != want)
            {
              fprintf (stderr, "game: saves/ holds %" PRIu64 " bytes, not %" PRIu64 "\n", got, want);
              return 1;
            }
        }
      else if (strcmp (action_v[i], "walk") == 0)
        {
          int fd = open (dir, O_RDONLY | O_DIRECTORY);
          printf ("walked=%" PRIu64 "\n", fd >= 0 ? walk (fd) : 0);
        }
      else
        {
          fprintf (stderr, "game: unknown action %s\n", action_v[i]);
          return 2;
        }
    }
  usleep (100 * 1000);
  stamp (argv[1], "end");
  return 0;
}
