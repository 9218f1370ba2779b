/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-library.h"

G_BEGIN_DECLS

/* What sp-library.c and sp-library-add.c share. */

struct _SpLibrary
{
  GObject     parent_instance;

  char       *path;
  char       *games_path;
  char       *ini_path;
  char       *id;
  char       *name;
  guint       version;
  gboolean    read_only;
  const char *unsafe_driver;   /* why read_only, when not a newer version */
  char       *warning;
  GKeyFile   *key_file;

  GListStore *games;
  GPtrArray  *problems;     /* NULL-terminated */

  GMutex      reserved_lock;
  GHashTable *reserved;     /* slugs of games being added */
};

gboolean  _sp_library_check_writable  (SpLibrary   *self,
                                       GError     **error);
char     *_sp_library_reserve_slug    (SpLibrary   *self,
                                       const char  *name);
void      _sp_library_release_slug    (SpLibrary   *self,
                                       const char  *slug);
SpGame   *_sp_library_finish_add      (SpLibrary   *self,
                                       const char  *path,
                                       GError     **error);

G_END_DECLS
