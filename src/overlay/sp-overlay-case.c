/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Case-insensitive lower layers (exFAT, NTFS, FAT: how most external drives
 * are formatted). Such a file system finds "DATA/KEEP.TXT" when the folder
 * holds "data/keep.txt", but the upper layer (a case-sensitive folder on
 * this computer) does not: a copy-up under the spelling the game used would
 * put a second "DATA" beside "data" in the merged view, and reading
 * "data/keep.txt" would still show the old lower file.
 *
 * So the merged view is exact-case, as on ext4: in a lower layer found to
 * fold case, a name is found only when the folder's listing holds it with
 * that spelling (a lookup with another spelling gets ENOENT; Wine then folds
 * case itself, as it does on ext4), and creating a name that the lower layer
 * would take as one of its visible entries fails with EEXIST, as it would
 * on the drive itself. Lower layers are read-only, so each folder's listing
 * is read once and kept, sorted, with its node. */

#include "sp-overlay-private.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct _SpNameSet
{
  char  **names;    /* sorted with strcmp */
  size_t  n;
};

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
name_set_free (SpNameSet *set)
{
  if (set == NULL)
    return;
  for (size_t i = 0; i < set->n; i++)
    free (set->names[i]);
  free (set->names);
  free (set);
}

/* The listing of the folder @fd (any descriptor of it, O_PATH included),
 * or NULL when it cannot be read. */
static SpNameSet *
name_set_read (int fd)
{
  SpNameSet *set;
  struct dirent *de;
  size_t alloc = 64;
  DIR *dir;
  int dfd;

  dfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return NULL;
  dir = fdopendir (dfd);
  if (dir == NULL)
    {
      close (dfd);
      return NULL;
    }
  set = calloc (1, sizeof *set);
  if (set != NULL)
    set->names = malloc (alloc * sizeof (char *));
  if (set == NULL || set->names == NULL)
    goto fail;
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (set->n == alloc)
        {
          char **bigger = realloc (set->names, 2 * alloc * sizeof (char *));

          if (bigger == NULL)
            goto fail;
          set->names = bigger;
          alloc *= 2;
        }
      if ((set->names[set->n] = strdup (de->d_name)) == NULL)
        goto fail;
      set->n++;
    }
  closedir (dir);
  qsort (set->names, set->n, sizeof (char *), compare_names);
  return set;

fail:
  closedir (dir);
  name_set_free (set);
  return NULL;
}

static bool
name_set_has (const SpNameSet *set,
              const char      *name)
{
  return bsearch (&name, set->names, set->n, sizeof (char *), compare_names) != NULL;
}

/* The first name of @set that equals @name but for ASCII case, or NULL. */
static const char *
name_set_find_folded (const SpNameSet *set,
                      const char      *name)
{
  for (size_t i = 0; i < set->n; i++)
    if (strcasecmp (set->names[i], name) == 0)
      return set->names[i];
  return NULL;
}

/* The listing of layer @k of the folder @dir, read on first use. */
static const SpNameSet *
dir_names (SpOverlay *ov,
           SpNode    *dir,
           int        k)
{
  const SpNameSet *set;

  pthread_mutex_lock (&ov->case_lock);
  if (dir->lower_names == NULL)
    dir->lower_names = calloc (ov->nlayers, sizeof (SpNameSet *));
  if (dir->lower_names != NULL && dir->lower_names[k] == NULL)
    dir->lower_names[k] = name_set_read (dir->fds[k]);
  set = dir->lower_names != NULL ? dir->lower_names[k] : NULL;
  pthread_mutex_unlock (&ov->case_lock);
  return set;
}

bool
_sp_lower_name_exact (SpOverlay  *ov,
                      SpNode     *dir,
                      int         k,
                      const char *name)
{
  const SpNameSet *set;

  if (k == 0 || !ov->layer_casefold[k] || dir->fds == NULL || dir->fds[k] < 0)
    return true;
  set = dir_names (ov, dir, k);
  /* Unreadable: no listing to tell spellings apart, so trust the lookup. */
  return set == NULL || name_set_has (set, name);
}

bool
_sp_name_clashes_by_case (SpOverlay  *ov,
                          SpNode     *dir,
                          const char *name)
{
  if (dir->fds == NULL)
    return false;
  for (int k = 1; k < ov->nlayers; k++)
    {
      const SpNameSet *set;
      const char *spelled;
      SpNode *node;

      if (!ov->layer_casefold[k] || dir->fds[k] < 0)
        continue;
      set = dir_names (ov, dir, k);
      if (set == NULL || (spelled = name_set_find_folded (set, name)) == NULL
          || strcmp (spelled, name) == 0)
        continue;
      /* The lower entry clashes only while the merged view shows it (not
       * deleted or hidden by an opaque folder above it). */
      if (_sp_node_resolve (ov, dir, spelled, &node, NULL) == 0)
        {
          _sp_node_unref (ov, node, 1);
          return true;
        }
    }
  return false;
}

void
_sp_node_free_names (SpOverlay *ov,
                     SpNode    *node)
{
  if (node->lower_names == NULL)
    return;
  for (int k = 0; k < ov->nlayers; k++)
    name_set_free (node->lower_names[k]);
  free (node->lower_names);
  node->lower_names = NULL;
}

/* Swaps the case of the ASCII letters of @name into @out; false when it
 * has none. */
static bool
swap_case (const char *name,
           char       *out,
           size_t      size)
{
  bool changed = false;
  size_t i;

  for (i = 0; name[i] != '\0' && i + 1 < size; i++)
    {
      unsigned char c = (unsigned char) name[i];

      if (isascii (c) && isalpha (c))
        {
          out[i] = (char) (islower (c) ? toupper (c) : tolower (c));
          changed = true;
        }
      else
        out[i] = name[i];
    }
  out[i] = '\0';
  return changed && name[i] == '\0';
}

/* Whether the folder @fd folds case: -1 when none of its entries can tell
 * (no letters), else 0 or 1. */
static int
probe_folder (int fd)
{
  SpNameSet *set = name_set_read (fd);
  int result = -1;

  if (set == NULL)
    return -1;
  for (size_t i = 0; i < set->n && result < 0; i++)
    {
      char swapped[NAME_MAX + 1];
      struct stat st;

      if (!swap_case (set->names[i], swapped, sizeof swapped) || name_set_has (set, swapped))
        continue;
      result = fstatat (fd, swapped, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 1 : 0;
    }
  name_set_free (set);
  return result;
}

void
_sp_overlay_detect_casefold (SpOverlay *ov)
{
  for (int k = 1; k < ov->nlayers; k++)
    {
      int found = probe_folder (ov->layer_fds[k]);

      /* A root with no letters in its names: ask its first folders. */
      if (found < 0)
        {
          SpNameSet *set = name_set_read (ov->layer_fds[k]);

          for (size_t i = 0; set != NULL && i < set->n && i < 8 && found < 0; i++)
            {
              int sub = openat (ov->layer_fds[k], set->names[i],
                                O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

              if (sub >= 0)
                {
                  found = probe_folder (sub);
                  close (sub);
                }
            }
          name_set_free (set);
        }
      ov->layer_casefold[k] = found == 1;
    }
}
