/* SPDX-License-Identifier: GPL-3.0-or-later */
/* savepoint-run's view of its descendants: which are the game's, which are
 * background processes (see savepoint-run.c, "When the session ends").
 * Plain C, no GLib, like the rest of savepoint-run. */
#pragma once

#include <sys/types.h>

/* Whose processes count as the game's. */
typedef struct
{
  pid_t       self;        /* savepoint-run */
  pid_t       self_sid;    /* its session: the game starts in it */
  pid_t       game;        /* the game's own process (may have exited) */
  const char *root;        /* the game's mount (NULL: no mount rules) */
  int         root_known;  /* root_major/minor are valid */
  unsigned    root_major;
  unsigned    root_minor;
} SpGameRule;

/* One live descendant. */
typedef struct
{
  pid_t pid;
  int   is_game;
  char  comm[32];          /* its name (/proc/PID/comm), made printable */
} SpDescendant;

/* Fills @rule for @root (stat()s it for the device number). */
void  sp_game_rule_init         (SpGameRule         *rule,
                                 pid_t               game,
                                 const char         *root);

/* The live (not zombie) descendants of rule->self; returns how many (the
 * first @max are stored in @out), -1 when /proc cannot be read.
 * *@out_n_game is nonzero when one of them is the game's (the rest are not
 * examined once one is found: is_game is then 0). */
int   sp_scan_descendants       (const SpGameRule   *rule,
                                 SpDescendant       *out,
                                 int                 max,
                                 int                *out_n_game);

/* Whether @pid belongs to the game under @rule (the rule itself). */
int   sp_process_is_game        (const SpGameRule   *rule,
                                 pid_t               pid);

/* Sends @sig to every live descendant; with @only_background, only to
 * those that are not the game's. Returns how many were signalled. */
int   sp_signal_descendants     (const SpGameRule   *rule,
                                 int                 sig,
                                 int                 only_background);

/* Sets @key=@value in the [Run] group of DIRFD/run.ini (replacing the key
 * if present, keeping every other line), written atomically. Returns 0, or
 * -1 with errno set. */
int   sp_run_info_set           (int                 dirfd,
                                 const char * const *keys,
                                 const char * const *values);
/* Writes all @len bytes of @s to @fd (retrying on EINTR). Returns 0, or -1
 * with errno set. */
int   sp_run_write_all          (int                 fd,
                                 const char         *s,
                                 size_t              len);

