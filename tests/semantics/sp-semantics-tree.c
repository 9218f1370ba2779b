/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sp-semantics-private.h"

/* Snapshots of a merged tree (what programs see) or of an upper dir (what a
 * checkpoint is made of), and their comparison. In an upper dir the two forms
 * of a whiteout (char device 0/0, `.wh.<name>`) become one entry of type 'w'
 * and the two forms of an opaque marker (the overlay.opaque xattr in the user
 * or trusted namespace, a `.wh..wh..opq` file) become the `opaque` flag. */

#define WH_PREFIX ".wh."
#define OPQ_NAME  ".wh..wh..opq"

static void
sp_node_free (SpNode *node)
{
  g_free (node->path);
  g_free (node->content);
  g_free (node->xattrs);
  g_free (node->internal);
  g_free (node->link_group);
  g_free (node);
}

gboolean
_sp_xattr_is_internal (const char *name)
{
  return g_str_has_prefix (name, "user.overlay.") ||
         g_str_has_prefix (name, "trusted.overlay.") ||
         g_str_has_prefix (name, "user.fuseoverlayfs.") ||
         g_str_has_prefix (name, "trusted.fuseoverlayfs.");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
is_opaque_value (const char *path,
                 const char *name)
{
  char v[8];
  ssize_t n = lgetxattr (path, name, v, sizeof v);

  return n == 1 && v[0] == 'y';
}

static char *
join_sorted (GPtrArray *list)
{
  GString *s = g_string_new (NULL);

  g_ptr_array_sort (list, compare_strings);
  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", (char *) list->pdata[i]);
  return g_string_free (s, FALSE);
}

/* Fills node->xattrs and node->internal; in an upper dir the opaque marker
 * becomes node->opaque and other internal names are left out. */
static void
read_xattrs (const char *path,
             gboolean    upper,
             SpNode     *node)
{
  char names[8192];
  ssize_t n = llistxattr (path, names, sizeof names);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) internal = g_ptr_array_new_with_free_func (g_free);

  if (n < 0)
    {
      node->xattrs = g_strdup_printf ("(listxattr: %s)", _sp_errno_name (errno));
      return;
    }
  for (ssize_t i = 0; i < n; i += strlen (names + i) + 1)
    {
      const char *name = names + i;
      char value[4096];
      ssize_t vn;
      GPtrArray *target;

      if (upper && (g_str_equal (name, "user.overlay.opaque") ||
                    g_str_equal (name, "trusted.overlay.opaque")))
        {
          if (is_opaque_value (path, name))
            node->opaque = TRUE;
          continue;
        }
      if (upper && _sp_xattr_is_internal (name))
        continue;
      vn = lgetxattr (path, name, value, sizeof value);
      target = _sp_xattr_is_internal (name) ? internal : list;
      if (vn < 0)
        g_ptr_array_add (target, g_strdup_printf ("%s(%s)", name, _sp_errno_name (errno)));
      else
        {
          g_autofree char *v = g_strndup (value, vn);
          g_autofree char *esc = g_strescape (v, NULL);
          g_ptr_array_add (target, g_strdup_printf ("%s=\"%s\"", name, esc));
        }
    }
  node->xattrs = join_sorted (list);
  node->internal = join_sorted (internal);
}

static char *
hash_file (const char *path)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar buf[16384];
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  ssize_t n;

  if (fd < 0)
    return g_strdup_printf ("(open: %s)", _sp_errno_name (errno));
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_checksum_update (sum, buf, n);
  close (fd);
  if (n < 0)
    return g_strdup_printf ("(read: %s)", _sp_errno_name (errno));
  return g_strdup (g_checksum_get_string (sum));
}

static char
type_char (mode_t mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFDIR: return 'd';
    case S_IFREG: return 'f';
    case S_IFLNK: return 'l';
    case S_IFIFO: return 'p';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    case S_IFSOCK: return 's';
    default: return '?';
    }
}

static char *
join (const char *dir,
      const char *name)
{
  if (g_str_equal (dir, "."))
    return g_strdup (name);
  return g_strconcat (dir, "/", name, NULL);
}

static gboolean
is_regular (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  return lstat (path, &st) == 0 && S_ISREG (st.st_mode);
}

static void
walk (const char *root,
      const char *rel,
      gboolean    upper,
      dev_t       root_dev,
      GHashTable *nodes,
      GString    *report)
{
  g_autofree char *abs = g_build_filename (root, rel, NULL);
  struct stat st;
  SpNode *node;

  if (lstat (abs, &st) != 0)
    {
      g_string_append_printf (report, "  reading the tree: lstat %s: %s\n",
                              abs, _sp_errno_name (errno));
      return;
    }

  node = g_new0 (SpNode, 1);
  node->path = g_strdup (rel);
  node->type = type_char (st.st_mode);
  node->mode = st.st_mode & 07777;
  node->uid = st.st_uid;
  node->gid = st.st_gid;
  node->nlink = st.st_nlink;
  node->size = st.st_size;
  node->rdev = st.st_rdev;
  node->ino = st.st_ino;
  node->mtime_sec = st.st_mtim.tv_sec;
  node->mtime_nsec = st.st_mtim.tv_nsec;
  node->dev_same = st.st_dev == root_dev;

  if (upper && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    node->type = 'w';
  if (node->type != 'w')
    read_xattrs (abs, upper, node);
  if (S_ISREG (st.st_mode))
    node->content = hash_file (abs);
  else if (S_ISLNK (st.st_mode))
    {
      char buf[4096];
      ssize_t n = readlink (abs, buf, sizeof buf - 1);

      node->content = n < 0 ? g_strdup ("(readlink failed)") : g_strndup (buf, n);
    }
  g_hash_table_replace (nodes, node->path, node);

  if (S_ISDIR (st.st_mode))
    {
      DIR *dir = opendir (abs);
      struct dirent *de;

      if (dir == NULL)
        {
          g_string_append_printf (report, "  reading the tree: opendir %s: %s\n",
                                  abs, _sp_errno_name (errno));
          return;
        }
      while ((de = readdir (dir)) != NULL)
        {
          g_autofree char *child = NULL;

          if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, ".."))
            continue;
          if (upper && g_str_equal (de->d_name, OPQ_NAME))
            {
              node->opaque = TRUE;
              continue;
            }
          if (upper && g_str_has_prefix (de->d_name, WH_PREFIX) && is_regular (abs, de->d_name))
            {
              /* The fallback whiteout form: record it as a whiteout of the name. */
              SpNode *wh = g_new0 (SpNode, 1);

              wh->path = join (rel, de->d_name + strlen (WH_PREFIX));
              wh->type = 'w';
              g_hash_table_replace (nodes, wh->path, wh);
              continue;
            }
          child = join (rel, de->d_name);
          walk (root, child, upper, root_dev, nodes, report);
        }
      closedir (dir);
    }
}

GHashTable *
_sp_tree_snapshot (const char *root,
                   gboolean    upper,
                   GString    *report)
{
  g_autoptr(GHashTable) nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) sp_node_free);
  g_autoptr(GHashTable) by_ino = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  SpNode *node;
  GPtrArray *group;
  struct stat st;

  if (lstat (root, &st) != 0)
    {
      g_string_append_printf (report, "  reading the tree: lstat %s: %s\n",
                              root, _sp_errno_name (errno));
      return NULL;
    }
  /* Entries that cannot be read are reported and left out; the rest of the
   * tree is still compared. */
  walk (root, ".", upper, st.st_dev, nodes, report);

  /* Hard links: every path sharing an st_ino names the first of them. */
  g_hash_table_iter_init (&iter, nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    {
      if (node->type == 'd' || node->type == 'w')
        continue;
      group = g_hash_table_lookup (by_ino, &node->ino);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (by_ino, &node->ino, group);
        }
      g_ptr_array_add (group, node->path);
    }
  g_hash_table_iter_init (&iter, nodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &node))
    {
      if (node->type == 'd' || node->type == 'w')
        continue;
      group = g_hash_table_lookup (by_ino, &node->ino);
      if (group->len < 2)
        continue;
      g_ptr_array_sort (group, compare_strings);
      node->link_group = g_strdup (group->pdata[0]);
    }
  return g_steal_pointer (&nodes);
}

static gboolean
is_old (gint64 sec)
{
  return sec < SP_RECENT_TIME;
}

#define DIFF(fmt_, ...) \
  g_string_append_printf (report, "  %s: %s: " fmt_ "\n", what, k->path, __VA_ARGS__)

static void
compare_node (const SpNode *k,
              const SpNode *k_again,
              const SpNode *t,
              gboolean      writeback_mtime,
              const char   *what,
              GString      *report)
{
  if (k->type != t->type)
    {
      DIFF ("type kernel=%c tested=%c", k->type, t->type);
      return;
    }
  if (k->type == 'w')
    return;
  if (k->mode != t->mode)
    DIFF ("mode kernel=%04o tested=%04o", k->mode, t->mode);
  if (k->uid != t->uid || k->gid != t->gid)
    DIFF ("owner kernel=%u:%u tested=%u:%u", k->uid, k->gid, t->uid, t->gid);
  if (k->nlink != t->nlink)
    DIFF ("nlink kernel=%u tested=%u", k->nlink, t->nlink);
  if (k->type != 'd' && k->size != t->size)
    DIFF ("size kernel=%" G_GINT64_FORMAT " tested=%" G_GINT64_FORMAT, k->size, t->size);
  if ((k->type == 'c' || k->type == 'b') && k->rdev != t->rdev)
    DIFF ("rdev kernel=%" G_GUINT64_FORMAT " tested=%" G_GUINT64_FORMAT, k->rdev, t->rdev);
  if (g_strcmp0 (k->content, t->content) != 0)
    DIFF ("%s kernel=%s tested=%s", k->type == 'l' ? "symlink target" : "content sha256",
          k->content, t->content);
  if (g_strcmp0 (k->xattrs, t->xattrs) != 0)
    DIFF ("xattrs kernel=[%s] tested=[%s]", k->xattrs, t->xattrs);
  /* Internal names: the tested side may hide what the kernel shows (see
   * _sp_op_results_match()), never show what the kernel hides. */
  if (t->internal && *t->internal && g_strcmp0 (k->internal, t->internal) != 0)
    DIFF ("internal xattrs visible: kernel=[%s] tested=[%s]", k->internal, t->internal);
  if (k->opaque != t->opaque)
    DIFF ("opaque kernel=%s tested=%s", k->opaque ? "yes" : "no", t->opaque ? "yes" : "no");
  if (k->dev_same != t->dev_same)
    DIFF ("st_dev equal to the mount root's: kernel=%s tested=%s",
          k->dev_same ? "yes" : "no", t->dev_same ? "yes" : "no");
  /* The kernel's groups can change once its cached inodes are gone (a
   * copied-up symlink or fifo shows the lower st_ino until then, a new
   * hard link to it the upper one): either of its two answers is right. */
  if (g_strcmp0 (k->link_group, t->link_group) != 0
      && (k_again == NULL || k_again->type != k->type
          || g_strcmp0 (k_again->link_group, t->link_group) != 0))
    DIFF ("shares st_ino with: kernel=%s tested=%s",
          k->link_group ? k->link_group : "(none)", t->link_group ? t->link_group : "(none)");
  /* Times the file system set itself ("now") differ between the mounts;
   * times it kept from a lower layer or got from utimensat must be equal. */
  if ((is_old (k->mtime_sec) || is_old (t->mtime_sec)) &&
      (k->mtime_sec != t->mtime_sec || k->mtime_nsec != t->mtime_nsec) &&
      !(writeback_mtime && k->type == 'f' && !is_old (k->mtime_sec)))
    {
      g_autoptr(GDateTime) kd = g_date_time_new_from_unix_utc (k->mtime_sec);
      g_autoptr(GDateTime) td = g_date_time_new_from_unix_utc (t->mtime_sec);
      g_autofree char *ks = g_date_time_format_iso8601 (kd);
      g_autofree char *ts = g_date_time_format_iso8601 (td);

      DIFF ("mtime kernel=%s(+%" G_GINT64_FORMAT "ns) tested=%s(+%" G_GINT64_FORMAT "ns)%s",
            ks, k->mtime_nsec, ts, t->mtime_nsec,
            is_old (k->mtime_sec) ? " (kernel kept the old time)" : " (tested kept an old time)");
    }
}

static GPtrArray *
sorted_keys (GHashTable *a,
             GHashTable *b)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_hash_table_iter_init (&iter, b);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (a, key))
      g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

void
_sp_tree_compare (GHashTable         *kernel,
                  GHashTable         *kernel_again,
                  GHashTable         *tested,
                  const char *const  *writeback_mtime,
                  const char         *what,
                  GString            *report)
{
  g_autoptr(GPtrArray) keys = sorted_keys (kernel, tested);

  for (guint i = 0; i < keys->len; i++)
    {
      const SpNode *k = g_hash_table_lookup (kernel, keys->pdata[i]);
      const SpNode *t = g_hash_table_lookup (tested, keys->pdata[i]);

      if (k == NULL)
        g_string_append_printf (report, "  %s: %s: only in tested (type %c)\n",
                                what, t->path, t->type);
      else if (t == NULL)
        g_string_append_printf (report, "  %s: %s: only in kernel (type %c)\n",
                                what, k->path, k->type);
      else
        compare_node (k, kernel_again ? g_hash_table_lookup (kernel_again, keys->pdata[i]) : NULL,
                      t, writeback_mtime && g_strv_contains (writeback_mtime, k->path),
                      what, report);
    }
}

/* Paths whose st_ino changed between two looks at the same mount (with the
 * caches dropped in between). */
GHashTable *
_sp_tree_unstable_inos (GHashTable *before,
                        GHashTable *after)
{
  g_autoptr(GPtrArray) keys = sorted_keys (before, after);
  GHashTable *unstable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < keys->len; i++)
    {
      const SpNode *b = g_hash_table_lookup (before, keys->pdata[i]);
      const SpNode *a = g_hash_table_lookup (after, keys->pdata[i]);

      if (a == NULL || b == NULL)
        g_hash_table_insert (unstable, g_strdup (keys->pdata[i]),
                             g_strdup (a ? "appeared after a fresh lookup"
                                         : "disappeared after a fresh lookup"));
      else if (a->ino != b->ino)
        g_hash_table_insert (unstable, g_strdup (keys->pdata[i]),
                             g_strdup_printf ("st_ino %" G_GUINT64_FORMAT " became %"
                                              G_GUINT64_FORMAT " after a fresh lookup",
                                              b->ino, a->ino));
    }
  return unstable;
}
