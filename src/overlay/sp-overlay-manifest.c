/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The manifest of the first lower layer (SpOverlayOptions.manifest; the
 * format is in common/sp-manifest-format.h): what the drive holding a clean
 * install could not store (symbolic links, names, permission bits) is
 * applied to its entries, so the merged view shows exactly the folder that
 * was added. The file comes from a drive and is validated strictly; it is
 * read once at mount and never changes while mounted, so nodes keep
 * pointers into it. */

#include "sp-overlay-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sp-manifest-format.h"

struct _SpLowerManifest
{
  SpManEntry  *entries;
  size_t       n;
  SpManEntry **by_stored;   /* sorted by stored_key */
  SpManEntry **by_real;     /* entries with a real name, sorted by real_key */
  size_t       n_real;
};

static void
set_problem (char       **problem,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  if (vasprintf (problem, format, args) < 0)
    *problem = NULL;
  va_end (args);
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes the LEN bytes at S into a new string; NULL when malformed (a bad
 * escape, an encoded NUL, an empty value). */
static char *
decode (const char *s,
        size_t      len)
{
  char *out;
  size_t j = 0;

  if (len == 0)
    return NULL;
  out = malloc (len + 1);
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) s[i];

      if (c == '%')
        {
          int hi, lo;

          if (i + 2 >= len)
            goto bad;
          hi = hexval (s[i + 1]);
          lo = hexval (s[i + 2]);
          if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            goto bad;
          out[j++] = (char) (hi * 16 + lo);
          i += 2;
        }
      else if (sp_manifest_must_escape (c))
        goto bad;
      else
        out[j++] = (char) c;
    }
  out[j] = '\0';
  return out;

bad:
  free (out);
  return NULL;
}

static bool
valid_name (const char *name)
{
  size_t len = strlen (name);

  return len > 0 && len <= NAME_MAX && strchr (name, '/') == NULL
         && strcmp (name, ".") != 0 && strcmp (name, "..") != 0
         && !_sp_name_is_reserved (name);
}

static bool
valid_path (const char *path)
{
  const char *p = path;

  if (*path == '\0' || strlen (path) > SP_MANIFEST_MAX_PATH)
    return false;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash != NULL ? (size_t) (slash - p) : strlen (p);
      char comp[NAME_MAX + 1];

      if (len == 0 || len > NAME_MAX)
        return false;
      memcpy (comp, p, len);
      comp[len] = '\0';
      if (!valid_name (comp))
        return false;
      if (slash == NULL)
        return true;
      p = slash + 1;
    }
}

static void
entry_clear (SpManEntry *e)
{
  free (e->stored_key);
  free (e->real_key);
  free (e->real);
  free (e->target);
}

void
_sp_lower_manifest_free (SpLowerManifest *m)
{
  if (m == NULL)
    return;
  for (size_t i = 0; i < m->n; i++)
    entry_clear (&m->entries[i]);
  free (m->entries);
  free (m->by_stored);
  free (m->by_real);
  free (m);
}

/* Parses one record (without its '\n') into E. */
static bool
parse_record (char       *line,
              SpManEntry *e)
{
  char *p = line;

  memset (e, 0, sizeof *e);
  e->mode = -1;
  while (*p != '\0')
    {
      char *end = strchr (p, ' ');
      char *eq;
      size_t len = end != NULL ? (size_t) (end - p) : strlen (p);
      char **slot = NULL;

      eq = memchr (p, '=', len);
      if (eq == NULL)
        return false;
#define KEY(k) ((size_t) (eq - p) == strlen (k) && strncmp (p, k, strlen (k)) == 0)
      if (KEY ("path"))
        slot = &e->stored_key;
      else if (KEY ("name"))
        slot = &e->real;
      else if (KEY ("link"))
        slot = &e->target;
      else if (KEY ("mode"))
        {
          char buf[8];
          size_t vlen = len - (size_t) (eq + 1 - p);
          char *endp;
          long mode;

          if (e->mode >= 0 || vlen == 0 || vlen >= sizeof buf)
            return false;
          memcpy (buf, eq + 1, vlen);
          buf[vlen] = '\0';
          for (size_t i = 0; i < vlen; i++)
            if (buf[i] < '0' || buf[i] > '7')
              return false;
          mode = strtol (buf, &endp, 8);
          if (*endp != '\0' || mode < 0 || mode > 0777)
            return false;
          e->mode = (int) mode;
        }
      else
        return false;
#undef KEY
      if (slot != NULL)
        {
          if (*slot != NULL)
            return false;
          *slot = decode (eq + 1, len - (size_t) (eq + 1 - p));
          if (*slot == NULL)
            return false;
        }
      if (end == NULL)
        break;
      p = end + 1;
      if (*p == '\0')
        return false;
    }
  if (e->stored_key == NULL || !valid_path (e->stored_key))
    return false;
  if (e->real != NULL && !valid_name (e->real))
    return false;
  if (e->target != NULL && strlen (e->target) >= PATH_MAX)
    return false;
  if (e->real == NULL && e->target == NULL && e->mode < 0)
    return false;
  if (e->target != NULL && e->mode >= 0)
    return false;
  {
    char *slash = strrchr (e->stored_key, '/');
    size_t dirlen = slash != NULL ? (size_t) (slash - e->stored_key) : 0;

    e->stored = slash != NULL ? slash + 1 : e->stored_key;
    if (e->real != NULL)
      {
        size_t rlen = strlen (e->real);

        size_t sep = slash != NULL ? 1 : 0;

        e->real_key = malloc (dirlen + sep + rlen + 1);
        if (e->real_key == NULL)
          return false;
        memcpy (e->real_key, e->stored_key, dirlen);
        if (sep)
          e->real_key[dirlen] = '/';
        memcpy (e->real_key + dirlen + sep, e->real, rlen + 1);
      }
  }
  return true;
}

static int
compare_stored (const void *a,
                const void *b)
{
  return strcmp ((*(SpManEntry * const *) a)->stored_key, (*(SpManEntry * const *) b)->stored_key);
}

static int
compare_real (const void *a,
              const void *b)
{
  return strcmp ((*(SpManEntry * const *) a)->real_key, (*(SpManEntry * const *) b)->real_key);
}

SpLowerManifest *
_sp_lower_manifest_parse (const char  *text,
                    size_t       size,
                    char       **problem)
{
  SpLowerManifest *m;
  size_t hlen = strlen (SP_MANIFEST_HEADER);
  size_t pos, alloc = 0, lineno = 1;

  *problem = NULL;
  if (size > SP_MANIFEST_MAX_SIZE)
    {
      *problem = strdup ("too large");
      return NULL;
    }
  if (memchr (text, '\0', size) != NULL)
    {
      *problem = strdup ("not a text file");
      return NULL;
    }
  if (size < hlen + 1 || memcmp (text, SP_MANIFEST_HEADER "\n", hlen + 1) != 0)
    {
      *problem = strdup ("not a Savepoint manifest (version 1)");
      return NULL;
    }
  m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  pos = hlen + 1;
  while (pos < size)
    {
      const char *nl = memchr (text + pos, '\n', size - pos);
      size_t len;
      char *line;
      bool ok;

      lineno++;
      if (nl == NULL)
        {
          set_problem (problem, "line %zu: not ended", lineno);
          goto fail;
        }
      len = (size_t) (nl - (text + pos));
      if (m->n == SP_MANIFEST_MAX_ENTRIES)
        {
          set_problem (problem, "more than %d entries", SP_MANIFEST_MAX_ENTRIES);
          goto fail;
        }
      if (m->n == alloc)
        {
          size_t bigger = alloc == 0 ? 16 : alloc * 2;
          SpManEntry *grown = realloc (m->entries, bigger * sizeof *grown);

          if (grown == NULL)
            goto fail;
          m->entries = grown;
          alloc = bigger;
        }
      line = strndup (text + pos, len);
      if (line == NULL)
        goto fail;
      ok = parse_record (line, &m->entries[m->n]);
      free (line);
      if (!ok)
        {
          entry_clear (&m->entries[m->n]);
          set_problem (problem, "line %zu: invalid record", lineno);
          goto fail;
        }
      m->n++;
      pos += len + 1;
    }
  /* m->entries no longer moves: the indexes point into it. */
  m->by_stored = calloc (m->n + 1, sizeof (SpManEntry *));
  m->by_real = calloc (m->n + 1, sizeof (SpManEntry *));
  if (m->by_stored == NULL || m->by_real == NULL)
    goto fail;
  for (size_t i = 0; i < m->n; i++)
    {
      m->by_stored[i] = &m->entries[i];
      if (m->entries[i].real != NULL)
        m->by_real[m->n_real++] = &m->entries[i];
    }
  qsort (m->by_stored, m->n, sizeof (SpManEntry *), compare_stored);
  qsort (m->by_real, m->n_real, sizeof (SpManEntry *), compare_real);
  for (size_t i = 1; i < m->n; i++)
    if (strcmp (m->by_stored[i - 1]->stored_key, m->by_stored[i]->stored_key) == 0)
      {
        set_problem (problem, "two records for %s", m->by_stored[i]->stored_key);
        goto fail;
      }
  for (size_t i = 1; i < m->n_real; i++)
    if (strcmp (m->by_real[i - 1]->real_key, m->by_real[i]->real_key) == 0)
      {
        set_problem (problem, "two entries named %s", m->by_real[i]->real_key);
        goto fail;
      }
  return m;

fail:
  if (*problem == NULL)
    *problem = strdup ("out of memory");
  _sp_lower_manifest_free (m);
  return NULL;
}

SpLowerManifest *
_sp_lower_manifest_load (const char  *path,
                   char       **problem)
{
  SpLowerManifest *m = NULL;
  struct stat st;
  char *text;
  size_t got = 0;
  int fd;

  *problem = NULL;
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      set_problem (problem, "%s", strerror (errno));
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      *problem = strdup ("not a regular file");
      close (fd);
      return NULL;
    }
  if (st.st_size > SP_MANIFEST_MAX_SIZE)
    {
      *problem = strdup ("too large");
      close (fd);
      return NULL;
    }
  text = malloc ((size_t) st.st_size + 1);
  if (text == NULL)
    {
      close (fd);
      return NULL;
    }
  /* Read at most the size seen, and notice a file that grows. */
  for (;;)
    {
      ssize_t n = read (fd, text + got, (size_t) st.st_size + 1 - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_problem (problem, "%s", strerror (errno));
          break;
        }
      if (n == 0)
        break;
      got += (size_t) n;
      if (got > (size_t) st.st_size)
        {
          *problem = strdup ("changed while read");
          break;
        }
    }
  close (fd);
  if (*problem == NULL)
    m = _sp_lower_manifest_parse (text, got, problem);
  free (text);
  return m;
}

static SpManEntry *
find (SpManEntry **index,
      size_t       n,
      const char  *key,
      bool         real)
{
  size_t lo = 0, hi = n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (key, real ? index[mid]->real_key : index[mid]->stored_key);

      if (c == 0)
        return index[mid];
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}

/* The name of NODE in the first lower layer. */
static const char *
stored_name (SpNode *node)
{
  return node->man != NULL ? node->man->stored : node->name;
}

/* Writes the stored path of DIR in the first lower layer followed by '/'
 * and NAME into BUF (for the root: NAME alone, the key format). */
static bool
make_key (SpOverlay  *ov,
          SpNode     *dir,
          const char *name,
          char       *buf,
          size_t      size)
{
  size_t nlen = strlen (name), pos = size - 1;

  buf[pos] = '\0';
  if (nlen > pos)
    return false;
  pos -= nlen;
  memcpy (buf + pos, name, nlen);
  for (SpNode *n = dir; n != ov->root; n = n->parent)
    {
      const char *comp = stored_name (n);
      size_t clen = strlen (comp);

      if (n->parent == NULL || clen + 1 > pos)
        return false;
      buf[--pos] = '/';
      pos -= clen;
      memcpy (buf + pos, comp, clen);
    }
  memmove (buf, buf + pos, size - pos);
  return true;
}

const char *
_sp_lower_name (SpOverlay         *ov,
                SpNode            *dir,
                int                k,
                const char        *name,
                const SpManEntry **entry)
{
  char key[PATH_MAX + NAME_MAX + 2];
  SpManEntry *e;

  if (entry != NULL)
    *entry = NULL;
  if (k != 1 || ov->manifest == NULL)
    return name;
  if (!make_key (ov, dir, name, key, sizeof key))
    return name;
  e = find (ov->manifest->by_real, ov->manifest->n_real, key, true);
  if (e != NULL)
    {
      if (entry != NULL)
        *entry = e;
      return e->stored;
    }
  e = find (ov->manifest->by_stored, ov->manifest->n, key, false);
  /* A stored name shown under another name is not there by its own. */
  if (e != NULL && e->real != NULL)
    return NULL;
  if (entry != NULL)
    *entry = e;
  return name;
}

const SpManEntry *
_sp_lower_manifest_for_stored (SpOverlay  *ov,
                         SpNode     *dir,
                         const char *stored)
{
  char key[PATH_MAX + NAME_MAX + 2];

  if (ov->manifest == NULL || !make_key (ov, dir, stored, key, sizeof key))
    return NULL;
  return find (ov->manifest->by_stored, ov->manifest->n, key, false);
}

void
_sp_lower_manifest_apply (const SpManEntry *entry,
                    struct stat      *st)
{
  if (entry == NULL)
    return;
  if (entry->target != NULL)
    {
      st->st_mode = S_IFLNK | 0777;
      st->st_size = (off_t) strlen (entry->target);
      st->st_blocks = 0;
      st->st_nlink = 1;
    }
  else if (entry->mode >= 0)
    st->st_mode = (st->st_mode & S_IFMT) | (mode_t) entry->mode;
}
