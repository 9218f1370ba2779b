/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-archive-private.h"

#include <glib/gi18n.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

/* The rules every entry of a checkpoint archive must follow, in one place:
 * sp_archive_unpack() asks them before it writes an entry, and
 * sp_archive_check() (verify, import) asks them for every entry while
 * writing nothing, so an archive that passes a check also unpacks.
 *
 * Besides the rules of a single entry (names, types, whiteouts), the rules
 * know the tree the entries before this one have made, so they also catch
 * what only the file system would otherwise notice: an entry written
 * through a symbolic link an earlier entry made, a name that appears twice,
 * a hard link to something that is not an earlier file.
 *
 * Setuid and setgid bits are not refused: the packer of older releases
 * kept them (copy-up keeps a setgid folder of the clean install),
 * so checkpoints on drives hold them. They are cleared instead and
 * counted, so that verify and import can say so. The sticky bit of a
 * folder is kept: it only restricts who may remove entries in it (a game's
 * world-writable temporary folder relies on it) and grants nothing. On
 * anything else Linux ignores it, and it is dropped. */

typedef enum
{
  NODE_DIR = 1,
  NODE_FILE,
  NODE_SYMLINK,
  NODE_OTHER,        /* FIFO, whiteout */
} NodeKind;

struct _SpArchiveRules
{
  char       *archive_path;
  GHashTable *nodes;          /* relative path -> NodeKind */
  char       *checked_parent; /* the last folder whose components were checked */
  guint       special_bits;
  char       *first_special;
};

SpArchiveRules *
_sp_archive_rules_new (const char *archive_path)
{
  SpArchiveRules *rules = g_new0 (SpArchiveRules, 1);

  rules->archive_path = g_strdup (archive_path);
  rules->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return rules;
}

void
_sp_archive_rules_free (SpArchiveRules *rules)
{
  if (rules == NULL)
    return;
  g_free (rules->archive_path);
  g_hash_table_unref (rules->nodes);
  g_free (rules->checked_parent);
  g_free (rules->first_special);
  g_free (rules);
}

void
_sp_entry_plan_clear (SpEntryPlan *plan)
{
  g_clear_pointer (&plan->rel, g_free);
  g_clear_pointer (&plan->target, g_free);
  plan->base = NULL;
}

gboolean
_sp_archive_set_hostile_error (GError     **error,
                               const char  *archive_path,
                               const char  *name,
                               const char  *reason)
{
  g_autofree char *shown = g_utf8_make_valid (name ? name : "", -1);

  g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_HOSTILE,
               _("The checkpoint archive “%s” was refused: its entry “%s” %s. "
                 "It is damaged or was tampered with; do not restore it."),
               archive_path, shown, reason);
  return FALSE;
}

gboolean
_sp_archive_set_entry_corrupt_error (GError     **error,
                                     const char  *archive_path,
                                     const char  *name,
                                     const char  *reason)
{
  g_autofree char *shown = g_utf8_make_valid (name ? name : "", -1);
  g_autofree char *detail = g_strdup_printf (_("entry “%s” %s"), shown, reason);

  _sp_archive_set_corrupt_error (error, archive_path, detail);
  return FALSE;
}

/* Checks an entry name: relative, no "." or ".." or empty components, no
 * over-long names. Returns NULL (with @reason) when it is refused. */
static char *
check_name (const char  *name,
            gboolean     is_dir,
            const char **reason)
{
  g_autofree char *clean = NULL;
  gsize len;
  const char *p;

  if (name == NULL || name[0] == '\0')
    {
      *reason = _("has an empty or unreadable name");
      return NULL;
    }
  len = strlen (name);
  if (len >= PATH_MAX)
    {
      *reason = _("has a name that is too long");
      return NULL;
    }
  if (name[0] == '/')
    {
      *reason = _("has an absolute path");
      return NULL;
    }
  clean = g_strdup (name);
  if (is_dir && len > 1 && clean[len - 1] == '/')
    clean[--len] = '\0';

  p = clean;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      gsize clen = slash ? (gsize) (slash - p) : strlen (p);

      if (clen == 0)
        {
          *reason = _("has an empty path component");
          return NULL;
        }
      if ((clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.'))
        {
          *reason = _("has a “.” or “..” path component");
          return NULL;
        }
      if (clen > NAME_MAX)
        {
          *reason = _("has a name that is too long");
          return NULL;
        }
      if (slash == NULL)
        break;
      p = slash + 1;
    }
  return g_steal_pointer (&clean);
}

static NodeKind
lookup (SpArchiveRules *rules,
        const char     *rel)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (rules->nodes, rel));
}

/* Each folder above @rel must be a folder (or missing, when @create: the
 * unpack then makes it), never a symbolic link or anything else. */
static gboolean
check_parents (SpArchiveRules  *rules,
               const char      *rel,
               const char      *name,
               gboolean         create,
               GError         **error)
{
  const char *slash = strrchr (rel, '/');
  g_autofree char *dir = NULL;

  if (slash == NULL)
    return TRUE;
  dir = g_strndup (rel, slash - rel);
  if (create && g_strcmp0 (rules->checked_parent, dir) == 0)
    return TRUE;

  for (char *p = strchr (dir, '/'); ; p = strchr (p + 1, '/'))
    {
      NodeKind kind;

      if (p != NULL)
        *p = '\0';
      kind = lookup (rules, dir);
      if (kind == 0 && create)
        g_hash_table_insert (rules->nodes, g_strdup (dir), GINT_TO_POINTER (NODE_DIR));
      else if (kind == 0)
        return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                    _("refers to a missing folder"));
      else if (kind == NODE_SYMLINK)
        return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                              _("would be written through a symbolic link"));
      else if (kind != NODE_DIR)
        return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                    _("is inside something that is not a folder"));
      if (p == NULL)
        break;
      *p = '/';
    }
  if (create)
    {
      g_free (rules->checked_parent);
      rules->checked_parent = g_steal_pointer (&dir);
    }
  return TRUE;
}

/* The entry would take @rel: refused if an earlier entry has it, except a
 * folder entry over a folder. */
static gboolean
check_free (SpArchiveRules  *rules,
            const char      *rel,
            const char      *name,
            gboolean         is_dir,
            GError         **error)
{
  NodeKind kind = lookup (rules, rel);

  if (kind == 0 || (is_dir && kind == NODE_DIR))
    return TRUE;
  if (kind == NODE_SYMLINK)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("would be written through a symbolic link"));
  return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                              _("appears twice"));
}

static gboolean
check_whiteout (SpArchiveRules        *rules,
                struct archive_entry  *entry,
                SpEntryPlan           *plan,
                const char            *name,
                GError               **error)
{
  const char *target = plan->base + strlen (SP_UPPER_WHITEOUT_PREFIX);

  if (archive_entry_filetype (entry) != AE_IFREG || archive_entry_hardlink (entry) != NULL)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("is a whiteout that is not an empty file"));
  if (archive_entry_size (entry) != 0)
    return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                _("is a whiteout with contents"));
  if (strcmp (plan->base, SP_UPPER_OPAQUE_MARKER) == 0)
    {
      plan->kind = SP_ENTRY_OPAQUE;
      return TRUE;
    }
  if (g_str_has_prefix (plan->base, SP_UPPER_WHITEOUT_PREFIX SP_UPPER_WHITEOUT_PREFIX))
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("uses a reserved whiteout name"));
  if (target[0] == '\0' || strcmp (target, ".") == 0 || strcmp (target, "..") == 0)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("is a whiteout for an invalid name"));

  /* The whiteout takes the name it hides (a 0/0 device there). */
  plan->kind = SP_ENTRY_WHITEOUT;
  plan->target = g_strdup_printf ("%.*s%s", (int) (plan->base - plan->rel), plan->rel, target);
  return check_free (rules, plan->target, name, FALSE, error);
}

static gboolean
check_hardlink (SpArchiveRules        *rules,
                struct archive_entry  *entry,
                SpEntryPlan           *plan,
                const char            *name,
                GError               **error)
{
  const char *reason = NULL;
  NodeKind kind;

  plan->kind = SP_ENTRY_HARDLINK;
  plan->target = check_name (archive_entry_hardlink (entry), FALSE, &reason);
  if (plan->target == NULL)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("is a hard link to a forbidden path"));
  if (strcmp (plan->target, SP_ARCHIVE_METADATA_ENTRY) == 0)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("is a hard link to the metadata"));
  if (!check_parents (rules, plan->target, name, FALSE, error))
    return FALSE;
  kind = lookup (rules, plan->target);
  if (kind == 0)
    return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                _("is a hard link to a missing file"));
  if (kind != NODE_FILE)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("is a hard link to something that is not a file"));
  return check_free (rules, plan->rel, name, FALSE, error);
}

/**
 * _sp_archive_rules_check_entry:
 *
 * Applies the rules to the next entry of the archive (the entries after
 * the metadata, in order). On success @plan says what to make, where, and
 * with which permission bits, and the rules remember the entry.
 */
gboolean
_sp_archive_rules_check_entry (SpArchiveRules        *rules,
                               struct archive_entry  *entry,
                               SpEntryPlan           *plan,
                               GError               **error)
{
  const char *name = archive_entry_pathname (entry);
  const char *reason = NULL;
  mode_t type = archive_entry_filetype (entry);
  mode_t perm = archive_entry_perm (entry);
  gboolean is_link = archive_entry_hardlink (entry) != NULL;
  NodeKind made = 0;

  memset (plan, 0, sizeof *plan);

  if (name != NULL && strcmp (name, SP_ARCHIVE_METADATA_ENTRY) == 0)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("duplicates the checkpoint metadata"));
  plan->rel = check_name (name, type == AE_IFDIR, &reason);
  if (plan->rel == NULL)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name, reason);
  if (!is_link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO)
    return _sp_archive_set_hostile_error (error, rules->archive_path, name,
                                          _("is a device node or socket"));
  plan->base = strrchr (plan->rel, '/') ? strrchr (plan->rel, '/') + 1 : plan->rel;

  if (!check_parents (rules, plan->rel, name, TRUE, error))
    return FALSE;

  if (g_str_has_prefix (plan->base, SP_UPPER_WHITEOUT_PREFIX))
    {
      if (!check_whiteout (rules, entry, plan, name, error))
        return FALSE;
      if (plan->kind == SP_ENTRY_WHITEOUT)
        g_hash_table_insert (rules->nodes, g_strdup (plan->target), GINT_TO_POINTER (NODE_OTHER));
      return TRUE;
    }
  if (is_link)
    {
      if (!check_hardlink (rules, entry, plan, name, error))
        return FALSE;
      made = NODE_FILE;
    }
  else if (type == AE_IFDIR)
    {
      plan->kind = SP_ENTRY_DIR;
      made = NODE_DIR;
    }
  else if (type == AE_IFREG)
    {
      plan->kind = SP_ENTRY_FILE;
      if (!archive_entry_size_is_set (entry) || archive_entry_size (entry) < 0)
        return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                    _("has no valid size"));
      made = NODE_FILE;
    }
  else if (type == AE_IFLNK)
    {
      const char *target = archive_entry_symlink (entry);

      plan->kind = SP_ENTRY_SYMLINK;
      if (target == NULL || target[0] == '\0' || strlen (target) >= PATH_MAX)
        return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                    _("is a symbolic link without a valid target"));
      made = NODE_SYMLINK;
    }
  else
    {
      plan->kind = SP_ENTRY_FIFO;
      made = NODE_OTHER;
    }

  if (plan->kind != SP_ENTRY_HARDLINK &&
      !check_free (rules, plan->rel, name, plan->kind == SP_ENTRY_DIR, error))
    return FALSE;

  /* Permission bits: see the top of this file. */
  plan->perm = perm & (plan->kind == SP_ENTRY_DIR ? 01777 : 0777);
  if ((perm & (S_ISUID | S_ISGID)) != 0 &&
      (plan->kind == SP_ENTRY_DIR || plan->kind == SP_ENTRY_FILE || plan->kind == SP_ENTRY_FIFO))
    {
      if (rules->special_bits++ == 0)
        rules->first_special = g_strdup (plan->rel);
    }

  g_hash_table_insert (rules->nodes, g_strdup (plan->rel), GINT_TO_POINTER (made));
  return TRUE;
}

/* A block of a regular file's data must lie inside its size. */
gboolean
_sp_archive_rules_check_block (SpArchiveRules  *rules,
                               const char      *name,
                               la_int64_t       size,
                               la_int64_t       offset,
                               size_t           len,
                               GError         **error)
{
  if (offset < 0 || (guint64) offset + len > (guint64) size)
    return _sp_archive_set_entry_corrupt_error (error, rules->archive_path, name,
                                                _("has more data than its size"));
  return TRUE;
}

/* What the rules changed without refusing, for verify and import to
 * report; NULL when nothing. */
char *
_sp_archive_rules_get_warning (SpArchiveRules *rules)
{
  g_autofree char *shown = NULL;

  if (rules->special_bits == 0)
    return NULL;
  shown = g_utf8_make_valid (rules->first_special, -1);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "“%s” has %u entry with the setuid "
                                       "or setgid bit (“%s”); it is restored without it.",
                                       "“%s” has %u entries with the setuid "
                                       "or setgid bit (such as “%s”); they are restored "
                                       "without it.",
                                       rules->special_bits),
                          rules->archive_path, rules->special_bits, shown);
}
