/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-overlayfs: the overlay as a standalone mount helper, with
 * fuse-overlayfs's command line, usable as `mount -t fuse.savepoint-overlayfs`. */
#include "sp-overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct
{
  char  **lowers;
  size_t  nlowers;
  char   *upper;
  char   *work;
  char   *fsname;
  bool    allow_other;
  bool    foreground;
  bool    debug;
  bool    no_writeback;
} Config;

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: savepoint-overlayfs [-f] [-d] -o lowerdir=DIR[:DIR...],upperdir=DIR,workdir=DIR[,OPTIONS] [SOURCE] MOUNTPOINT\n"
           "\n"
           "Mounts DIRs merged at MOUNTPOINT: changes land in upperdir, the lower\n"
           "directories (top to bottom) are never written.\n"
           "\n"
           "  -f            stay in the foreground\n"
           "  -d            debug: print every request (implies -f)\n"
           "  -o OPTIONS    lowerdir=, upperdir=, workdir=, allow_other, fsname=,\n"
           "                writeback (the default: the kernel caches writes) or\n"
           "                no_writeback (every write reaches the upper dir at once);\n"
           "                other mount options are accepted and ignored\n"
           "  -h, --help    show this help\n");
}

/* Splits A:B:C; a backslash escapes the next character. */
static int
add_lowers (Config *cfg, const char *value)
{
  char *cur = malloc (strlen (value) + 1);
  size_t n = 0;

  if (cur == NULL)
    return -1;
  for (const char *p = value;; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          cur[n++] = *++p;
          continue;
        }
      if (*p == ':' || *p == '\0')
        {
          cur[n] = '\0';
          if (n > 0)
            {
              cfg->lowers = realloc (cfg->lowers, (cfg->nlowers + 2) * sizeof (char *));
              cfg->lowers[cfg->nlowers++] = strdup (cur);
              cfg->lowers[cfg->nlowers] = NULL;
            }
          n = 0;
          if (*p == '\0')
            break;
          continue;
        }
      cur[n++] = *p;
    }
  free (cur);
  return 0;
}

static void
parse_options (Config *cfg, const char *opts)
{
  char *copy = strdup (opts);
  char *saveptr = NULL;

  /* Options are comma-separated; a value may contain escaped commas. */
  for (char *o = strtok_r (copy, ",", &saveptr); o != NULL; o = strtok_r (NULL, ",", &saveptr))
    {
      if (strncmp (o, "lowerdir=", 9) == 0)
        add_lowers (cfg, o + 9);
      else if (strncmp (o, "upperdir=", 9) == 0)
        {
          free (cfg->upper);
          cfg->upper = strdup (o + 9);
        }
      else if (strncmp (o, "workdir=", 8) == 0)
        {
          free (cfg->work);
          cfg->work = strdup (o + 8);
        }
      else if (strncmp (o, "fsname=", 7) == 0)
        {
          free (cfg->fsname);
          cfg->fsname = strdup (o + 7);
        }
      else if (strcmp (o, "allow_other") == 0)
        cfg->allow_other = true;
      else if (strcmp (o, "writeback") == 0)
        cfg->no_writeback = false;
      else if (strcmp (o, "no_writeback") == 0)
        cfg->no_writeback = true;
      else if (strcmp (o, "debug") == 0)
        cfg->debug = cfg->foreground = true;
      /* rw, dev, suid, exec, noatime, default_permissions, ...: the
       * overlay does what it does regardless. */
    }
  free (copy);
}

static void
config_free (Config *cfg)
{
  for (size_t i = 0; i < cfg->nlowers; i++)
    free (cfg->lowers[i]);
  free (cfg->lowers);
  free (cfg->upper);
  free (cfg->work);
  free (cfg->fsname);
}

int
main (int argc, char **argv)
{
  Config cfg = { 0 };
  const char *positional[2] = { NULL, NULL };
  int npositional = 0;
  const char *source = NULL, *mountpoint;
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
  SpOverlay *ov;
  char *error = NULL;
  sigset_t set;
  int status_pipe[2] = { -1, -1 };
  int sig, ret = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (strcmp (a, "-h") == 0 || strcmp (a, "--help") == 0)
        {
          usage (stdout);
          return 0;
        }
      else if (strcmp (a, "-f") == 0)
        cfg.foreground = true;
      else if (strcmp (a, "-d") == 0)
        cfg.debug = cfg.foreground = true;
      else if (strcmp (a, "-o") == 0 && i + 1 < argc)
        parse_options (&cfg, argv[++i]);
      else if (strncmp (a, "-o", 2) == 0 && a[2] != '\0')
        parse_options (&cfg, a + 2);
      else if (a[0] == '-' && a[1] != '\0')
        {
          /* -s, -n, -v from mount(8) and fuse: nothing to do. */
        }
      else if (npositional < 2)
        positional[npositional++] = a;
      else
        {
          fprintf (stderr, "savepoint-overlayfs: unexpected argument %s\n", a);
          usage (stderr);
          return 2;
        }
    }
  if (npositional == 2)
    {
      source = positional[0];
      mountpoint = positional[1];
    }
  else if (npositional == 1)
    mountpoint = positional[0];
  else
    {
      fprintf (stderr, "savepoint-overlayfs: no mount point given\n");
      usage (stderr);
      return 2;
    }
  if (cfg.upper == NULL || cfg.work == NULL || cfg.nlowers == 0)
    {
      fprintf (stderr, "savepoint-overlayfs: lowerdir=, upperdir= and workdir= are all required\n");
      usage (stderr);
      config_free (&cfg);
      return 2;
    }

  options.allow_other = cfg.allow_other;
  options.debug = cfg.debug;
  options.no_writeback = cfg.no_writeback;
  options.fsname = cfg.fsname ? cfg.fsname : (source ? source : "savepoint-overlayfs");

  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  sigprocmask (SIG_BLOCK, &set, NULL);
  signal (SIGPIPE, SIG_IGN);

  if (!cfg.foreground)
    {
      pid_t pid;

      if (pipe2 (status_pipe, O_CLOEXEC) < 0)
        {
          perror ("savepoint-overlayfs: pipe");
          return 1;
        }
      pid = fork ();
      if (pid < 0)
        {
          perror ("savepoint-overlayfs: fork");
          return 1;
        }
      if (pid > 0)
        {
          /* The parent returns once the mount is live, or with the error. */
          char buf[4096];
          ssize_t n, total = 0;

          close (status_pipe[1]);
          while ((n = read (status_pipe[0], buf + total, sizeof buf - 1 - total)) > 0
                 || (n < 0 && errno == EINTR))
            if (n > 0)
              total += n;
          buf[total] = '\0';
          if (total > 0 && buf[0] == '0')
            _exit (0);
          if (total > 1)
            fprintf (stderr, "savepoint-overlayfs: %s\n", buf + 1);
          else
            {
              int status;

              waitpid (pid, &status, 0);
              fprintf (stderr, "savepoint-overlayfs: the mount process failed\n");
            }
          _exit (1);
        }
      close (status_pipe[0]);
      setsid ();
    }

  ov = sp_overlay_mount ((const char *const *) cfg.lowers, cfg.upper, cfg.work,
                         mountpoint, &options, &error);
  if (ov == NULL)
    {
      if (status_pipe[1] >= 0)
        {
          if (write (status_pipe[1], "1", 1) < 0
              || write (status_pipe[1], error, strlen (error)) < 0)
            {
              /* The parent reports a failed mount process. */
            }
        }
      else
        fprintf (stderr, "savepoint-overlayfs: %s\n", error);
      free (error);
      config_free (&cfg);
      return 1;
    }

  if (status_pipe[1] >= 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

      if (write (status_pipe[1], "0", 1) < 0)
        {
          /* The parent is gone: keep serving. */
        }
      close (status_pipe[1]);
      if (chdir ("/") < 0)
        {
          /* Not fatal. */
        }
      if (null >= 0)
        {
          dup2 (null, STDIN_FILENO);
          dup2 (null, STDOUT_FILENO);
          if (!cfg.debug)
            dup2 (null, STDERR_FILENO);
          close (null);
        }
    }

  /* Serve until asked to stop or until someone unmounts us. */
  for (;;)
    {
      struct timespec tick = { 0, 100 * 1000 * 1000 };

      sig = sigtimedwait (&set, NULL, &tick);
      if (sig > 0 || !sp_overlay_is_alive (ov))
        break;
    }
  if (sp_overlay_unmount (ov, &error) < 0)
    {
      fprintf (stderr, "savepoint-overlayfs: %s\n", error);
      free (error);
      ret = 1;
    }
  config_free (&cfg);
  return ret;
}
