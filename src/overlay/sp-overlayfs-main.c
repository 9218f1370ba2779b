/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-overlayfs: the overlay as a standalone mount helper, with
 * fuse-overlayfs's command line, usable as `mount -t fuse.savepoint-overlayfs`. */
#include "sp-overlay.h"

#define FUSE_USE_VERSION 312
#include <fuse_opt.h>

#include <errno.h>
#include <stddef.h>
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

/* The int fields are set by fuse_opt_parse(), which stores ints. */
typedef struct
{
  char      **lowers;
  size_t      nlowers;
  char       *upper;
  char       *work;
  char       *fsname;
  char       *manifest;
  int         allow_other;
  int         foreground;
  int         debug;
  int         no_writeback;
  int         help;
  int         squash_uid_set;
  int         squash_gid_set;
  uid_t       squash_uid;
  gid_t       squash_gid;
  char       *positional[2];
  int         npositional;
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
           "                no_writeback (every write reaches the upper dir at once),\n"
           "                squash_to_uid=N, squash_to_gid=N (show every entry as owned\n"
           "                by N, keeping its mode; new files and copy-ups get N),\n"
           "                manifest=FILE (what the first lower dir's drive could not\n"
           "                store: symlinks, names, modes; see base.manifest);\n"
           "                other mount options are accepted and ignored.\n"
           "                As root, other users get in by the files' permissions\n"
           "                (allow_other and default_permissions).\n"
           "                In OPTIONS a backslash escapes the next character (\\, is\n"
           "                a comma in a value); in lowerdir, \\\\: is a colon in a path\n"
           "  -h, --help    show this help\n");
}

/* Splits A:B:C (already unescaped once by fuse_opt_parse()); a backslash
 * escapes the next character. */
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

/* A uid or gid: decimal digits only, below (uid_t) -1. */
static int
parse_id (const char *text, unsigned long *out)
{
  char *end = NULL;

  if (*text < '0' || *text > '9')
    return -1;
  errno = 0;
  *out = strtoul (text, &end, 10);
  if (errno != 0 || *end != '\0' || *out >= (unsigned long) (uid_t) -1)
    return -1;
  return 0;
}

enum
{
  KEY_LOWERDIR,
  KEY_SQUASH_UID,
  KEY_SQUASH_GID,
  KEY_DEBUG,
  KEY_FOREGROUND,
  KEY_HELP,
};

#define LOWERDIR "lowerdir="
#define SQUASH_UID "squash_to_uid="
#define SQUASH_GID "squash_to_gid="
#define CONFIG_OPTION(templ, field, value) { templ, offsetof (Config, field), value }

/* fuse_opt_parse() splits -o at commas, honouring backslash escapes
 * (\, keeps a comma in a value), and fills these in. */
static const struct fuse_opt option_specs[] = {
  FUSE_OPT_KEY (LOWERDIR, KEY_LOWERDIR),
  FUSE_OPT_KEY (SQUASH_UID, KEY_SQUASH_UID),
  FUSE_OPT_KEY (SQUASH_GID, KEY_SQUASH_GID),
  CONFIG_OPTION ("upperdir=%s", upper, 0),
  CONFIG_OPTION ("workdir=%s", work, 0),
  CONFIG_OPTION ("fsname=%s", fsname, 0),
  CONFIG_OPTION ("manifest=%s", manifest, 0),
  CONFIG_OPTION ("allow_other", allow_other, 1),
  CONFIG_OPTION ("writeback", no_writeback, 0),
  CONFIG_OPTION ("no_writeback", no_writeback, 1),
  FUSE_OPT_KEY ("debug", KEY_DEBUG),
  FUSE_OPT_KEY ("-d", KEY_DEBUG),
  FUSE_OPT_KEY ("-f", KEY_FOREGROUND),
  FUSE_OPT_KEY ("-h", KEY_HELP),
  FUSE_OPT_KEY ("--help", KEY_HELP),
  FUSE_OPT_END
};

/* Everything fuse_opt_parse() does not store by itself; returns 0 to drop
 * the argument (nothing is passed on), -1 to stop with an error. */
static int
option_cb (void *data, const char *arg, int key, struct fuse_args *outargs)
{
  Config *cfg = data;

  switch (key)
    {
    case KEY_LOWERDIR:
      return add_lowers (cfg, arg + strlen (LOWERDIR));
    case KEY_SQUASH_UID:
    case KEY_SQUASH_GID:
      {
        const char *value = arg + strlen (key == KEY_SQUASH_UID ? SQUASH_UID : SQUASH_GID);
        unsigned long id;

        if (parse_id (value, &id) < 0)
          {
            fprintf (stderr, "savepoint-overlayfs: %s: not a user or group id\n", arg);
            return -1;
          }
        if (key == KEY_SQUASH_UID)
          {
            cfg->squash_uid = (uid_t) id;
            cfg->squash_uid_set = 1;
          }
        else
          {
            cfg->squash_gid = (gid_t) id;
            cfg->squash_gid_set = 1;
          }
        return 0;
      }
    case KEY_DEBUG:
      cfg->debug = cfg->foreground = 1;
      return 0;
    case KEY_FOREGROUND:
      cfg->foreground = 1;
      return 0;
    case KEY_HELP:
      cfg->help = 1;
      return 0;
    case FUSE_OPT_KEY_NONOPT:
      if (cfg->npositional == 2)
        {
          fprintf (stderr, "savepoint-overlayfs: unexpected argument %s\n", arg);
          return -1;
        }
      cfg->positional[cfg->npositional] = strdup (arg);
      return cfg->positional[cfg->npositional++] != NULL ? 0 : -1;
    default:
      /* -s, -n, -v from mount(8) and fuse; rw, dev, suid, exec, noatime,
       * default_permissions, ...: the overlay does what it does
       * regardless. */
      return 0;
    }
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
  free (cfg->manifest);
  for (int i = 0; i < cfg->npositional; i++)
    free (cfg->positional[i]);
}

int
main (int argc, char **argv)
{
  Config cfg = { 0 };
  struct fuse_args args = FUSE_ARGS_INIT (argc, argv);
  const char *source = NULL, *mountpoint;
  SpOverlayOptions options = SP_OVERLAY_OPTIONS_INIT;
  SpOverlay *ov;
  char *error = NULL;
  sigset_t set;
  int status_pipe[2] = { -1, -1 };
  int sig, ret = 0;

  if (fuse_opt_parse (&args, &cfg, option_specs, option_cb) < 0)
    {
      usage (stderr);
      fuse_opt_free_args (&args);
      config_free (&cfg);
      return 2;
    }
  fuse_opt_free_args (&args);
  if (cfg.help)
    {
      usage (stdout);
      config_free (&cfg);
      return 0;
    }
  if (cfg.npositional == 2)
    {
      source = cfg.positional[0];
      mountpoint = cfg.positional[1];
    }
  else if (cfg.npositional == 1)
    mountpoint = cfg.positional[0];
  else
    {
      fprintf (stderr, "savepoint-overlayfs: no mount point given\n");
      usage (stderr);
      config_free (&cfg);
      return 2;
    }
  if (cfg.upper == NULL || cfg.work == NULL || cfg.nlowers == 0)
    {
      fprintf (stderr, "savepoint-overlayfs: lowerdir=, upperdir= and workdir= are all required\n");
      usage (stderr);
      config_free (&cfg);
      return 2;
    }

  /* As root, as fuse-overlayfs does: every user may use the mount, and the
   * kernel checks their access by the permissions the overlay shows
   * (default_permissions, always on), so a user reads and writes through
   * it what they could in the layers (SECURITY.md). */
  options.allow_other = cfg.allow_other || geteuid () == 0;
  options.squash_uid_set = cfg.squash_uid_set;
  options.squash_gid_set = cfg.squash_gid_set;
  options.squash_uid = cfg.squash_uid;
  options.squash_gid = cfg.squash_gid;
  options.manifest = cfg.manifest;
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
