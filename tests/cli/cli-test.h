/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The fixture and helpers of the CLI tests (test-cli.c), shared by the
 * test files of one test program: each runs the built savepoint-cli
 * ($SP_CLI) against real libraries in a temporary folder. */

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct
{
  char *tmp;
  char *drive;
  char *source;
  guint n_checkpoints;   /* made by make_checkpoint() */
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

void      result_clear      (Result      *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Writes @contents to @dir/@name, making the folders of @name. */
void      write_file        (const char  *dir,
                             const char  *name,
                             const char  *contents);
/* Runs @argv (NULL-terminated) in C.UTF-8 with $SAVEPOINT_LIBRARY set to
 * @library_env (unset when NULL) and the runs in @state_home (when not
 * NULL). */
void      spawn_in          (Result      *result,
                             GPtrArray   *argv,
                             const char  *library_env,
                             const char  *state_home);
void      spawn             (Result      *result,
                             GPtrArray   *argv);
/* Runs savepoint-cli with --library @drive (unless NULL) and the
 * NULL-terminated arguments. */
void      run_cli           (Result      *result,
                             const char  *drive,
                             ...) G_GNUC_NULL_TERMINATED;
/* run_cli() without --library, with $SAVEPOINT_LIBRARY set to @library_env
 * and the runs in @state_home. */
void      run_cli_env       (Result      *result,
                             const char  *library_env,
                             const char  *state_home,
                             ...) G_GNUC_NULL_TERMINATED;
JsonNode *parse_json        (const char  *text);
void      fixture_set_up    (Fixture     *fixture,
                             gconstpointer data);
void      fixture_tear_down (Fixture     *fixture,
                             gconstpointer data);
/* A library with the game "Test Game" added through the CLI. */
void      init_and_add      (Fixture     *fixture);
/* Creates a checkpoint through the core, from an upper dir holding @save;
 * returns its id. */
char     *make_checkpoint   (Fixture     *fixture,
                             const char  *label,
                             const char  *save);

/* test-cli-storage.c: pin, unpin, prune, du. */
void      cli_storage_add_tests (void);
