/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small native "game" for the session tests. Run in its folder inside the
 * overlay (the session's working directory), it:
 *   - writes the wall-clock time of its first instruction to $FAKE_GAME_STAMP
 *     (outside the overlay) when set;
 *   - reads save/counter.txt (0 when missing), increments it and saves it by
 *     writing save/counter.tmp and renaming it over save/counter.txt;
 *   - writes save/run-N.txt and, when $HOME is set inside the game folder,
 *     $XDG_CONFIG_HOME/fake-game/settings.ini;
 *   - deletes delete-me.txt (a file of the clean install);
 *   - leaves a daemon behind, the way wineserver is started (fork, the
 *     middle process exits, the grandchild calls setsid()), that outlives
 *     the game by a second and then writes save/child-N.txt: a session that
 *     does not wait for every descendant loses that file.
 * The first argument picks a variant:
 *   play         the above, exit 0
 *   fail         the above, exit 3
 *   wait         the above, then touch save/ready and sleep (up to 120 s)
 *   ignore-term  the above with SIGTERM ignored, then touch save/ready and sleep
 *   linger       counter and run-N.txt only, then 2 s later save/lingered.txt,
 *                exit 0 (no daemon)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "fake-game: %s: %s\n", what, strerror (errno));
  exit (99);
}

static void
write_file (const char *path,
            const char *contents,
            int         do_fsync)
{
  FILE *f = fopen (path, "w");

  if (f == NULL)
    die (path);
  fputs (contents, f);
  fflush (f);
  if (do_fsync)
    fsync (fileno (f));
  if (fclose (f) != 0)
    die (path);
}

int
main (int argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "play";
  const char *stamp = getenv ("FAKE_GAME_STAMP");
  const char *config = getenv ("XDG_CONFIG_HOME");
  char buf[256];
  char path[512];
  long counter = 0;
  FILE *f;
  pid_t child;

  if (stamp != NULL)
    {
      struct timeval tv;

      gettimeofday (&tv, NULL);
      snprintf (buf, sizeof buf, "%lld\n", (long long) tv.tv_sec * 1000000 + tv.tv_usec);
      write_file (stamp, buf, 0);
    }

  /* Exits at once: the session may see the end before the start. */
  if (strcmp (mode, "quick") == 0)
    return 0;

  if (strcmp (mode, "ignore-term") == 0)
    signal (SIGTERM, SIG_IGN);

  f = fopen ("save/counter.txt", "r");
  if (f != NULL)
    {
      if (fscanf (f, "%ld", &counter) != 1)
        counter = -1000;
      fclose (f);
    }
  else if (errno != ENOENT)
    die ("save/counter.txt");
  counter++;

  if (mkdir ("save", 0755) != 0 && errno != EEXIST)
    die ("save");
  snprintf (buf, sizeof buf, "%ld\n", counter);
  write_file ("save/counter.tmp", buf, 1);
  if (rename ("save/counter.tmp", "save/counter.txt") != 0)
    die ("rename save/counter.tmp");

  snprintf (path, sizeof path, "save/run-%ld.txt", counter);
  write_file (path, "a run\n", 0);

  if (strcmp (mode, "linger") == 0)
    {
      sleep (2);
      write_file ("save/lingered.txt", "the real game ran\n", 1);
      return 0;
    }

  if (config != NULL)
    {
      snprintf (path, sizeof path, "%s/fake-game", config);
      if (mkdir (config, 0755) != 0 && errno != EEXIST)
        die (config);
      if (mkdir (path, 0755) != 0 && errno != EEXIST)
        die (path);
      snprintf (path, sizeof path, "%s/fake-game/settings.ini", config);
      write_file (path, "[Settings]\nVolume=7\n", 0);
    }

  if (unlink ("delete-me.txt") != 0 && errno != ENOENT)
    die ("delete-me.txt");

  printf ("fake-game: counter %ld\n", counter);
  fflush (stdout);

  child = fork ();
  if (child < 0)
    die ("fork");
  if (child == 0)
    {
      pid_t grandchild = fork ();
      char cwd[256];

      if (grandchild != 0)
        _exit (grandchild < 0 ? 1 : 0);   /* orphan the grandchild */
      /* Like wineserver: a program from outside the game's folder, with
       * nothing of the mount busy (no cwd, no mapped executable there). */
      setsid ();
      if (getcwd (cwd, sizeof cwd) == NULL || chdir ("/") != 0)
        die ("getcwd");
      snprintf (path, sizeof path, "%s/save/child-%ld.txt", cwd, counter);
      execl ("/bin/sh", "sh", "-c", "sleep 1; echo 'the child was waited for' > \"$0\"", path, (char *) NULL);
      die ("/bin/sh");
    }
  waitpid (child, NULL, 0);

  if (strcmp (mode, "wait") == 0 || strcmp (mode, "ignore-term") == 0)
    {
      write_file ("save/ready", "", 0);
      for (int i = 0; i < 120; i++)
        sleep (1);
      return 0;
    }

  return strcmp (mode, "fail") == 0 ? 3 : 0;
}
