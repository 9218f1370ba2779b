/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One case of the drive tests (test-drives.c, test-manifest.c): a file
 * system image (exFAT with exfat-fuse on a loop device, or NTFS with
 * ntfs-3g) made, mounted as desktops mount drives (owned by the player:
 * uid=, gid=), a game's source beside it, and the built programs where the
 * player can run them; savepoint-cli run as the player. Needs root; a case
 * that cannot run here is skipped with the reason. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define PLAYER_UID 1500

typedef enum
{
  DRIVE_EXFAT,
  DRIVE_NTFS,
} DriveKind;

typedef struct
{
  DriveKind   kind;
  uid_t       uid;
  const char *size;   /* of the image; NULL: 64M */
} CaseSpec;

typedef struct
{
  const CaseSpec *spec;
  char *dir;      /* the case's folder, traversable by the player */
  char *image;
  char *loop;     /* exFAT: the loop device of the image */
  char *drive;    /* where the image is mounted */
  char *source;   /* the game's install before `add` */
  char *proof;    /* where the game writes what it saw */
  char *home;
  char *runtime;
  char *cli;      /* copies the player can run */
  char *run;
} Case;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

void      result_clear  (Result             *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs @argv as root; TRUE when it exits 0. @out gets its output. */
gboolean  run           (const char * const *argv,
                         char              **out);

/* Fills the game's source folder (the game, game.sh, is there already). */
typedef void (*CaseFill) (Case *c);

/* The image made, mounted and owned by the case's player, the source
 * holding @game_script as game.sh (0755) and what @fill (or NULL) adds;
 * NULL with the test skipped. A case whose loop device could not be made
 * is returned with the test skipped and c->loop NULL. */
Case     *case_new      (const CaseSpec     *spec,
                         const char         *game_script,
                         CaseFill            fill);
void      case_free     (Case               *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Case, case_free)

/* A folder owned by @uid (0700), with its parents. */
void      mkdir_for     (const char         *path,
                         uid_t               uid);

gboolean  mount_drive   (Case               *c);
void      unmount_drive (Case               *c);

/* Runs savepoint-cli ARGS… (NULL-terminated) as the case's player, with
 * HOME and the XDG folders of the case, bounded in time. */
void      cli           (Result             *r,
                         Case               *c,
                         ...) G_GNUC_NULL_TERMINATED;

/* Assertions do not abort (main): a failed step ends the case, whose
 * clean-up unmounts the drive. */
gboolean  ok            (Result             *r);

#define STEP(call) G_STMT_START { call; if (g_test_failed ()) return; } G_STMT_END

G_END_DECLS
