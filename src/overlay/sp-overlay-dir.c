/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Merged directory listings and emptying upper directories. */
#include "sp-overlay-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

typedef struct
{
  char   **names;
  size_t   size;
  size_t   used;
} NameSet;

static size_t
hash_name (const char *s)
{
  size_t h = 5381;

  for (; *s; s++)
    h = h * 33 + (unsigned char) *s;
  return h;
}

static bool
nameset_add (NameSet *set, const char *name)
{
  size_t i;

  if ((set->used + 1) * 2 > set->size)
    {
      size_t ns = set->size ? set->size * 2 : 64;
      char **n = calloc (ns, sizeof *n);

      for (size_t j = 0; j < set->size; j++)
        if (set->names[j] != NULL)
          {
            for (i = hash_name (set->names[j]) & (ns - 1); n[i] != NULL; i = (i + 1) & (ns - 1))
              ;
            n[i] = set->names[j];
          }
      free (set->names);
      set->names = n;
      set->size = ns;
    }
  for (i = hash_name (name) & (set->size - 1); set->names[i] != NULL; i = (i + 1) & (set->size - 1))
    if (strcmp (set->names[i], name) == 0)
      return false;
  set->names[i] = strdup (name);
  set->used++;
  return true;
}

static void
nameset_clear (NameSet *set)
{
  for (size_t i = 0; i < set->size; i++)
    free (set->names[i]);
  free (set->names);
}

static void
list_add (SpDirList *list, const char *name, uint64_t ino, unsigned char type)
{
  if (list->n == list->alloc)
    {
      list->alloc = list->alloc ? list->alloc * 2 : 32;
      list->entries = realloc (list->entries, list->alloc * sizeof *list->entries);
    }
  list->entries[list->n].name = strdup (name);
  list->entries[list->n].ino = ino;
  list->entries[list->n].type = type;
  list->n++;
}

void
_sp_dir_list_clear (SpDirList *list)
{
  for (size_t i = 0; i < list->n; i++)
    free (list->entries[i].name);
  free (list->entries);
  list->entries = NULL;
  list->n = list->alloc = 0;
}

int
_sp_dir_list (SpOverlay *ov, SpNode *dir, SpDirList *list, bool stop_at_first)
{
  NameSet seen = { 0 };
  int err = 0;

  for (int k = 0; k < ov->nlayers && err == 0; k++)
    {
      struct dirent *de;
      DIR *d;
      int fd;

      if (dir->fds[k] < 0)
        continue;
      fd = openat (dir->fds[k], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 || (d = fdopendir (fd)) == NULL)
        {
          err = -errno;
          if (fd >= 0)
            close (fd);
          break;
        }
      while ((de = readdir (d)) != NULL)
        {
          const char *name = de->d_name;
          unsigned char type = de->d_type;

          if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
            continue;
          if (_sp_name_is_reserved (name))
            {
              if (!sp_upper_is_opaque_marker (name))
                nameset_add (&seen, name + SP_UPPER_WHITEOUT_PREFIX_LEN);
              continue;
            }
          if (type == DT_CHR || type == DT_UNKNOWN)
            {
              struct stat st;

              if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                {
                  if (sp_upper_is_whiteout_device (&st))
                    {
                      nameset_add (&seen, name);
                      continue;
                    }
                  type = IFTODT (st.st_mode);
                }
            }
          if (k == 1 && ov->manifest != NULL)
            {
              const SpManEntry *entry = _sp_lower_manifest_for_stored (ov, dir, name);

              if (entry != NULL && entry->real != NULL)
                name = entry->real;
              if (entry != NULL && entry->target != NULL)
                type = DT_LNK;
            }
          if (!nameset_add (&seen, name))
            continue;
          list_add (list, name, _sp_make_ino (ov, k, de->d_ino), type);
          if (stop_at_first)
            break;
        }
      closedir (d);
      if (stop_at_first && list->n > 0)
        break;
    }
  nameset_clear (&seen);
  return err;
}

/* Removes the whiteouts and markers of an upper directory that is empty in
 * the merged view. */
int
_sp_clear_upper_dir (SpOverlay *ov, int pathfd)
{
  struct dirent *de;
  DIR *d;
  int fd = openat (pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = 0;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      err = -errno;
      if (fd >= 0)
        close (fd);
      return err;
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (!_sp_name_is_reserved (de->d_name)
          && (fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
              || !sp_upper_is_whiteout_device (&st)))
        {
          err = -ENOTEMPTY;
          break;
        }
      if (unlinkat (fd, de->d_name, 0) < 0)
        {
          err = -errno;
          break;
        }
    }
  closedir (d);
  return err;
}

