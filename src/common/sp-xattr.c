/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sp-xattr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/xattr.h>

bool
sp_xattr_is_user (const char *name)
{
  return strncmp (name, "user.", 5) == 0;
}

static ssize_t
list_names (int fd, const char *path, char *buf, size_t size)
{
  return path != NULL ? llistxattr (path, buf, size) : flistxattr (fd, buf, size);
}

static ssize_t
get_value (int fd, const char *path, const char *name, void *buf, size_t size)
{
  return path != NULL ? lgetxattr (path, name, buf, size) : fgetxattr (fd, name, buf, size);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* What a failed read returns: nothing to report when unreadable
 * attributes are skipped, or when listing finds that the file system has
 * no xattrs. */
static int
read_error (SpXattrFlags flags, int saved, bool listing)
{
  if ((flags & SP_XATTR_SKIP_UNREADABLE) || (listing && saved == ENOTSUP))
    return 0;
  return -saved;
}

int
sp_xattr_foreach (int            fd,
                  const char    *path,
                  SpXattrFlags   flags,
                  SpXattrFilter  filter,
                  SpXattrFunc    func,
                  void          *user_data)
{
  char *list = NULL;
  char **names = NULL;
  char *value = NULL;
  size_t n = 0;
  ssize_t len;
  int err = 0;

  len = list_names (fd, path, NULL, 0);
  if (len <= 0)
    return len < 0 ? read_error (flags, errno, true) : 0;
  list = malloc (len);
  if (list == NULL)
    return -ENOMEM;
  len = list_names (fd, path, list, len);
  if (len < 0)
    {
      err = read_error (flags, errno, true);
      goto out;
    }

  for (char *p = list; p < list + len; p += strlen (p) + 1)
    n++;
  names = malloc ((n + 1) * sizeof *names);
  if (names == NULL)
    {
      err = -ENOMEM;
      goto out;
    }
  n = 0;
  for (char *p = list; p < list + len; p += strlen (p) + 1)
    if (filter == NULL || filter (p))
      names[n++] = p;
  if (flags & SP_XATTR_SORTED)
    qsort (names, n, sizeof *names, compare_names);

  for (size_t i = 0; i < n && err == 0; i++)
    {
      ssize_t vlen = get_value (fd, path, names[i], NULL, 0);

      if (vlen < 0)
        {
          err = read_error (flags, errno, false);
          continue;
        }
      free (value);
      value = malloc (vlen + 1);
      if (value == NULL)
        {
          err = -ENOMEM;
          break;
        }
      vlen = get_value (fd, path, names[i], value, vlen);
      if (vlen < 0)
        {
          err = read_error (flags, errno, false);
          continue;
        }
      err = func (names[i], value, (size_t) vlen, user_data);
    }

out:
  free (value);
  free (names);
  free (list);
  return err;
}

static int
set_value_cb (const char *name,
              const void *value,
              size_t      size,
              void       *user_data)
{
  const char *dst = user_data;

  if (lsetxattr (dst, name, value, size, 0) < 0 && errno != EPERM && errno != ENOTSUP)
    return -errno;
  return 0;
}

int
sp_xattr_copy (const char    *src,
               const char    *dst,
               SpXattrFlags   flags,
               SpXattrFilter  filter)
{
  return sp_xattr_foreach (-1, src, flags, filter, set_value_cb, (void *) dst);
}
