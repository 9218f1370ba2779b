/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How a run ended: exit statuses for people, log tails, and the logs kept
 * of each game's last runs (see sp-run-logs.h). */
#include "config.h"

#include "sp-run-logs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sp-util.h"
#include "core/sp-slug.h"

/* How much of a log's end a tail is looked for in. */
#define TAIL_SCAN_BYTES (64 * 1024)

char *
sp_run_logs_dir (const char *library_id,
                 const char *slug)
{
  if (library_id == NULL || !g_uuid_string_is_valid (library_id) || !sp_slug_is_valid (slug))
    return NULL;
  return g_build_filename (g_get_user_state_dir (), "savepoint", "logs", library_id, slug, NULL);
}

/* YYYYMMDD-HHMMSS-UUUUUU-XXXXXXXX.log */
gboolean
sp_run_log_name_is_valid (const char *name)
{
  static const char pattern[] = "dddddddd-dddddd-dddddd-hhhhhhhh.log";

  if (name == NULL || strlen (name) != sizeof pattern - 1)
    return FALSE;
  for (gsize i = 0; pattern[i] != '\0'; i++)
    {
      char c = name[i];

      switch (pattern[i])
        {
        case 'd':
          if (!g_ascii_isdigit (c))
            return FALSE;
          break;
        case 'h':
          if (!g_ascii_isdigit (c) && !(c >= 'a' && c <= 'f'))
            return FALSE;
          break;
        default:
          if (c != pattern[i])
            return FALSE;
        }
    }
  return TRUE;
}

static int
compare_names_newest_first (gconstpointer a,
                            gconstpointer b)
{
  return -strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names of our logs in the folder @dir_fd: valid names of regular
 * files owned by us (not following links), newest first. */
static GPtrArray *
list_names_at (int dir_fd)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  int fd = dup (dir_fd);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *entry;

  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      return names;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;

      if (!sp_run_log_name_is_valid (entry->d_name))
        continue;
      if (fstatat (dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISREG (st.st_mode) || st.st_uid != geteuid ())
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);
  g_ptr_array_sort (names, compare_names_newest_first);
  return names;
}

/* Opens the logs folder of a game without following a link in it. */
static int
open_logs_dir (const char  *dir,
               GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    sp_set_error_from_errno (error, errno, _("Cannot open the logs folder “%s”"), dir);
  return fd;
}

/* The last @max_bytes of the regular file @path; *out_cut is set when the
 * file is longer. */
static char *
read_end (const char  *path,
          gsize        max_bytes,
          gsize       *out_length,
          gboolean    *out_cut,
          GError     **error)
{
  struct stat st;
  g_autofree char *data = NULL;
  goffset offset;
  gssize n;
  int fd;

  fd = sp_open_regular_file (path, &st, error);
  if (fd < 0)
    return NULL;
  offset = st.st_size > (goffset) max_bytes ? st.st_size - (goffset) max_bytes : 0;
  data = g_malloc ((gsize) MIN ((goffset) max_bytes, st.st_size) + 1);
  if (lseek (fd, offset, SEEK_SET) < 0 ||
      (n = sp_read_full (fd, data, (gsize) MIN ((goffset) max_bytes, st.st_size))) < 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot read “%s”"), path);
      close (fd);
      return NULL;
    }
  close (fd);
  data[n] = '\0';
  *out_length = (gsize) n;
  *out_cut = offset > 0;
  return g_steal_pointer (&data);
}

char *
sp_run_logs_save (const char  *library_id,
                  const char  *slug,
                  const char  *log_path,
                  GError     **error)
{
  g_autofree char *dir = sp_run_logs_dir (library_id, slug);
  g_autofree char *data = NULL;
  g_autoptr(GString) copy = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *start;
  gsize length = 0;
  gboolean cut = FALSE;
  int dir_fd;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (log_path != NULL, NULL);

  data = read_end (log_path, SP_RUN_LOG_MAX_BYTES, &length, &cut, error);
  if (data == NULL)
    return NULL;
  copy = g_string_new (NULL);
  start = data;
  if (cut)
    {
      /* Whole lines only, and say so. */
      const char *newline = memchr (data, '\n', length);

      if (newline != NULL)
        start = newline + 1;
      g_string_append_printf (copy, _("[Savepoint: the beginning of this log is left out; "
                                      "the last %d KiB are kept]\n"),
                              SP_RUN_LOG_MAX_BYTES / 1024);
    }
  g_string_append_len (copy, start, (gssize) (length - (gsize) (start - data)));

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      sp_set_error_from_errno (error, errno, _("Cannot create the logs folder “%s”"), dir);
      return NULL;
    }
  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  name = g_strdup_printf ("%s-%06d-%08x.log", stamp, g_date_time_get_microsecond (now),
                          g_random_int ());
  g_assert (sp_run_log_name_is_valid (name));
  path = g_build_filename (dir, name, NULL);
  /* Not through a link put in the folder's place. */
  dir_fd = open_logs_dir (dir, error);
  if (dir_fd < 0)
    return NULL;
  if (!sp_write_file_atomic (path, copy->str, (gssize) copy->len, error))
    {
      close (dir_fd);
      return NULL;
    }

  /* All but the newest few go; only our own names and regular files. */
  names = list_names_at (dir_fd);
  /* unlinkat() without AT_REMOVEDIR: a folder put there since it was
   * listed as a file is never removed. */
  for (guint i = SP_RUN_LOGS_KEPT; i < names->len; i++)
    if (unlinkat (dir_fd, names->pdata[i], 0) != 0 && errno != ENOENT)
      g_message ("Cannot remove the old log “%s/%s”: %s", dir,
                 (const char *) names->pdata[i], g_strerror (errno));
  close (dir_fd);
  return g_steal_pointer (&path);
}

GPtrArray *
sp_run_logs_list (const char  *library_id,
                  const char  *slug,
                  GError     **error)
{
  g_autofree char *dir = sp_run_logs_dir (library_id, slug);
  g_autoptr(GPtrArray) names = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  int dir_fd;

  g_return_val_if_fail (dir != NULL, paths);

  dir_fd = open_logs_dir (dir, &local_error);
  if (dir_fd < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return paths;
      g_ptr_array_unref (paths);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  names = list_names_at (dir_fd);
  close (dir_fd);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_build_filename (dir, names->pdata[i], NULL));
  return paths;
}

char *
sp_run_log_sanitize (const char *text,
                     gssize      length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (c != '\r')
        g_string_append_unichar (out, 0xFFFD);
    }
  return g_string_free (out, FALSE);
}

char *
sp_run_log_read_tail (const char  *path,
                      guint        max_lines,
                      GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  gboolean cut = FALSE;
  const char *start;
  const char *end;
  guint lines = 0;

  g_return_val_if_fail (path != NULL, NULL);

  data = read_end (path, TAIL_SCAN_BYTES, &length, &cut, error);
  if (data == NULL)
    return NULL;
  /* Without the last newline, then back @max_lines newlines. */
  end = data + length;
  if (end > data && end[-1] == '\n')
    end--;
  start = end;
  while (start > data && lines < max_lines)
    {
      start--;
      if (*start == '\n' && ++lines == max_lines)
        {
          start++;
          break;
        }
    }
  if (start == data && cut)
    {
      /* A partial first line of the scanned part is dropped. */
      const char *newline = memchr (data, '\n', (gsize) (end - data));

      if (newline != NULL)
        start = newline + 1;
    }
  return sp_run_log_sanitize (start, end - start);
}

int
sp_exit_status_get_signal (int exit_status)
{
  if (exit_status > 128 && exit_status < 128 + NSIG)
    return exit_status - 128;
  return 0;
}

char *
sp_exit_status_describe (int exit_status)
{
  int sig = sp_exit_status_get_signal (exit_status);

  if (exit_status < 0)
    return g_strdup (_("ended in an unknown way"));
  if (sig != 0)
    {
      const char *abbrev = sigabbrev_np (sig);
      g_autofree char *name = abbrev ? g_strconcat ("SIG", abbrev, NULL) : g_strdup_printf ("%d", sig);

      /* Translators: the first %d is a signal number, %s its name (SIGSEGV), the second a description */
      return g_strdup_printf (_("was killed by signal %d (%s: %s)"), sig, name, g_strsignal (sig));
    }
  /* Translators: %d is a program's exit status (1 to 255) */
  return g_strdup_printf (_("exited with status %d"), exit_status);
}

void
sp_run_outcome_collect (SpRun        *run,
                        SpRunOutcome *outcome)
{
  g_autoptr(GError) error = NULL;
  const char *log_path = sp_run_get_log_path (run);

  g_return_if_fail (SP_IS_RUN (run));
  g_return_if_fail (outcome != NULL);

  sp_run_outcome_clear (outcome);
  if (g_file_test (log_path, G_FILE_TEST_EXISTS))
    {
      outcome->kept_log = sp_run_logs_save (sp_run_get_library_id (run), sp_run_get_slug (run),
                                            log_path, &error);
      if (outcome->kept_log == NULL)
        g_message ("Could not keep the log of %s: %s", sp_run_get_path (run), error->message);
      g_clear_error (&error);
      outcome->log_tail = sp_run_log_read_tail (log_path, SP_RUN_LOG_TAIL_LINES, &error);
      if (outcome->log_tail == NULL)
        g_message ("%s", error->message);
    }
  /* Any entry at all (a folder, a whiteout, an opaque marker) is kept. */
  outcome->changed_nothing = sp_is_dir_empty (sp_run_get_upper_path (run), NULL);
}

void
sp_run_outcome_clear (SpRunOutcome *outcome)
{
  g_clear_pointer (&outcome->log_tail, g_free);
  g_clear_pointer (&outcome->kept_log, g_free);
  outcome->changed_nothing = FALSE;
}
