/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-game.h"

G_BEGIN_DECLS

/* What sp-game.c, sp-game-checkpoints.c and sp-game-transfer.c share. */

#define CHECKPOINT_GROUP "Checkpoint"
#define GAME_GROUP "Game"
#define STATE_GROUP "State"

struct _SpGame
{
  GObject     parent_instance;

  char       *path;
  char       *slug;
  char       *uuid;         /* Uuid= of game.ini, or made up for its next write */
  char       *base_path;
  char       *checkpoints_path;
  char       *ini_path;
  gboolean    read_only;

  GKeyFile   *key_file;     /* as loaded: keeps unknown keys and comments */

  SpGameInfo *info;         /* owned (sp_game_info_copy()) */
  char       *head;
  GStrv       exclude;      /* Exclude= (sp-exclude.h), never NULL */
  gboolean    exclude_defaults;  /* ExcludeDefaults=, TRUE unless "false" */

  GListStore *checkpoints;
  GPtrArray  *problems;     /* NULL-terminated array of char* */
  char      **replaced_links; /* sp_game_get_replaced_links(), or NULL */

  /* sp-game-write.c: async writes waiting to run, oldest first (GTask*),
   * and whether one is between its prepare and apply steps. */
  GQueue      pending_writes;
  gboolean    writing;
};

GTask         *_sp_game_writable_task_new      (SpGame                *self,
                                                gpointer               source_tag,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);

/* sp-game-info.c */
void           _sp_game_info_to_key_file       (const SpGameInfo      *info,
                                                GKeyFile              *kf);

/* sp-game.c */
gboolean       _sp_game_check_writable         (SpGame                *self,
                                                GError               **error);
char          *_sp_game_build_ini              (SpGame                *self,
                                                const char            *head,
                                                GError               **error);
void           _sp_game_set_head               (SpGame                *self,
                                                const char            *head);
void           _sp_game_set_replaced_links     (SpGame                *self,
                                                const char * const    *links);
const char    *_sp_game_ensure_uuid            (SpGame                *self);

/* sp-game-write.c */
gboolean       _sp_game_save_head              (SpGame                *self,
                                                const char            *head,
                                                GError               **error);
void           _sp_game_remove_checkpoint      (SpGame                *self,
                                                SpCheckpoint          *checkpoint);
/* For sp-retention.c: sync writes in the game's write queue (BUSY while an
 * async one runs). Sets Parent= of a checkpoint (NULL: a root). */
gboolean       _sp_game_set_checkpoint_parent  (SpGame                *self,
                                                const char            *checkpoint_id,
                                                const char            *parent,
                                                GError               **error);
/* Moves a checkpoint (never the head) to the drive's trash
 * (sp_drive_trash_move_checkpoint()) and out of the timeline. */
gboolean       _sp_game_trash_checkpoint       (SpGame                *self,
                                                const char            *checkpoint_id,
                                                GError               **error);

/* sp-game-checkpoints.c */
void           _sp_game_insert_checkpoint      (SpGame                *self,
                                                SpCheckpoint          *checkpoint);
SpCheckpoint  *_sp_game_lookup_checkpoint      (SpGame                *self,
                                                const char            *id,
                                                GError               **error);
gboolean       _sp_game_ensure_checkpoints_dir (const char            *path,
                                                GError               **error);
char          *_sp_game_unused_checkpoint_id   (const char            *dir);
char          *_sp_game_format_created         (GDateTime             *dt);
gboolean       _sp_game_write_checkpoint_ini   (const char            *ini_path,
                                                GKeyFile              *metadata,
                                                const SpArchiveStats  *stats,
                                                GError               **error);

G_END_DECLS
