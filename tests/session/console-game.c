/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A console "game" for test-console: it says on which terminal it runs,
 * writes save/console.txt (so a run has something to keep) and, by its
 * first argument:
 *   echo     reads a line and prints "echo: LINE"
 *   colours  prints coloured, curses-like output (clear screen, cursor
 *            moves), then turns echo and canonical mode off and exits
 *            without turning them back on, as a crashed curses game does
 *   sigint   handles SIGINT itself: prints "ready", waits for ^C, prints
 *            "caught ^C" (again for each one), then reads a line and
 *            prints "bye LINE"
 *   lines    prints "ready", reads a line and prints "got LINE"
 *   own-group  moves to a process group of its own, makes it the
 *            terminal's foreground group, turns echo off and exits: the
 *            terminal is left to a group with nobody in it
 * Output goes to stdout; nothing is written to stderr, so a log that holds
 * the game's output would show it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t interrupts;

static void
on_sigint (int signum)
{
  interrupts++;
}

static void
save (const char *what)
{
  FILE *f;

  if (mkdir ("save", 0755) != 0 && errno != EEXIST)
    exit (99);
  f = fopen ("save/console.txt", "w");
  if (f == NULL)
    exit (99);
  fprintf (f, "%s\n", what);
  if (fclose (f) != 0)
    exit (99);
}

static void
read_line (char       *buf,
           size_t      size)
{
  if (fgets (buf, (int) size, stdin) == NULL)
    {
      printf ("no input\n");
      exit (4);
    }
  buf[strcspn (buf, "\r\n")] = '\0';
}

int
main (int argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "echo";
  char line[256];

  setvbuf (stdout, NULL, _IONBF, 0);
  printf ("console-game: terminal %s\n", isatty (STDIN_FILENO) && isatty (STDOUT_FILENO) ? "yes" : "no");
  save (mode);

  if (strcmp (mode, "echo") == 0)
    {
      read_line (line, sizeof line);
      printf ("echo: %s\n", line);
    }
  else if (strcmp (mode, "colours") == 0)
    {
      struct termios modes;

      printf ("\033[2J\033[H\033[1;31mRED\033[0m \033[32mGREEN\033[0m\033[5;10Hmoved\n");
      if (tcgetattr (STDIN_FILENO, &modes) == 0)
        {
          modes.c_lflag &= ~(tcflag_t) (ECHO | ICANON);
          tcsetattr (STDIN_FILENO, TCSANOW, &modes);
        }
      printf ("raw now\n");
    }
  else if (strcmp (mode, "sigint") == 0)
    {
      struct sigaction sa = { .sa_handler = on_sigint };
      sigset_t block, old;
      int seen = 0;

      sigemptyset (&sa.sa_mask);
      sigemptyset (&block);
      sigaddset (&block, SIGINT);
      sigprocmask (SIG_BLOCK, &block, &old);
      sigaction (SIGINT, &sa, NULL);
      printf ("ready\n");
      while (interrupts == 0)
        sigsuspend (&old);
      printf ("caught ^C\n");
      seen = interrupts;
      sigprocmask (SIG_SETMASK, &old, NULL);
      /* More ^C while reading: said, and the line read on. */
      for (;;)
        {
          if (fgets (line, sizeof line, stdin) != NULL)
            break;
          if (errno != EINTR || feof (stdin))
            return 4;
          clearerr (stdin);
          while (seen < interrupts)
            {
              printf ("caught ^C\n");
              seen++;
            }
        }
      line[strcspn (line, "\r\n")] = '\0';
      printf ("bye %s\n", line);
    }
  else if (strcmp (mode, "lines") == 0)
    {
      printf ("ready\n");
      read_line (line, sizeof line);
      printf ("got %s\n", line);
    }
  else if (strcmp (mode, "own-group") == 0)
    {
      struct termios modes;
      sigset_t ttou;

      sigemptyset (&ttou);
      sigaddset (&ttou, SIGTTOU);
      sigprocmask (SIG_BLOCK, &ttou, NULL);
      if (setpgid (0, 0) != 0 || tcsetpgrp (STDIN_FILENO, getpgrp ()) != 0)
        return 5;
      if (tcgetattr (STDIN_FILENO, &modes) == 0)
        {
          modes.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSANOW, &modes);
        }
      printf ("own group\n");
    }
  else
    return 99;
  return 0;
}
