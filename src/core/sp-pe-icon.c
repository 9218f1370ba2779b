/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-pe-icon.h"
#include "sp-game-path.h"
#include "sp-library-error.h"
#include "common/sp-util.h"

/* The PE format: https://learn.microsoft.com/windows/win32/debug/pe-format
 * (DOS header, COFF header, optional header with the data directories,
 * section table) and its resource tree: type → name → language → data. */

#define RT_ICON       3
#define RT_GROUP_ICON 14

#define MAX_SECTIONS        96      /* the PE loader's own limit */
#define MAX_DIR_ENTRIES     4096    /* entries of one resource directory */
#define MAX_VISITED_DIRS    1024    /* directories walked in one file */
#define MAX_GROUP_ENTRIES   256     /* images in one icon group */
#define MAX_CANDIDATES      1024    /* images looked at in one file */
#define MAX_ICON_DIMENSION  1024    /* pixels: larger is not an icon */

typedef struct
{
  int           fd;      /* or -1: read from bytes */
  const guint8 *bytes;
  guint64       size;
  const char   *display;

  /* the section table, read once */
  guint         n_sections;
  guint8        sections[MAX_SECTIONS * 40];

  guint64       rsrc_offset;   /* file offset of the resource directory */
  guint64       rsrc_size;     /* bytes of it that are in the file */
  guint         visited[MAX_VISITED_DIRS];
  guint         n_visited;
} PeReader;

static gboolean
set_bad (GError         **error,
         const PeReader  *pe,
         const char      *what)
{
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
               _("“%s” is not a Windows program with a usable icon: %s."), pe->display, what);
  return FALSE;
}

static guint16
le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Reads @len bytes at @offset, all inside the file. */
static gboolean
read_at (const PeReader  *pe,
         guint64          offset,
         gsize            len,
         guint8          *buffer,
         const char      *what,
         GError         **error)
{
  guint64 end;
  gsize done = 0;

  if (!g_uint64_checked_add (&end, offset, len) || end > pe->size)
    return set_bad (error, pe, what);
  if (pe->fd < 0)
    {
      memcpy (buffer, pe->bytes + offset, len);
      return TRUE;
    }
  while (done < len)
    {
      ssize_t n = pread (pe->fd, buffer + done, len - done, (off_t) (offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not read “%s”: %s"), pe->display, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        return set_bad (error, pe, _("the file is shorter than it says (it changed while read)"));
      done += (gsize) n;
    }
  return TRUE;
}

/* The file offset of @len bytes at the virtual address @rva, all inside
 * one section's data in the file. */
static gboolean
rva_to_offset (const PeReader  *pe,
               guint32          rva,
               guint32          len,
               guint64         *offset)
{
  for (guint i = 0; i < pe->n_sections; i++)
    {
      const guint8 *s = pe->sections + i * 40;
      guint32 va = le32 (s + 12);
      guint32 raw_size = le32 (s + 16);
      guint32 raw_pointer = le32 (s + 20);
      guint32 virtual_size = le32 (s + 8);
      guint32 in_file = virtual_size != 0 ? MIN (virtual_size, raw_size) : raw_size;
      guint64 start;

      if (rva < va || (guint64) rva - va >= in_file)
        continue;
      if ((guint64) rva - va + len > in_file)
        return FALSE;
      start = (guint64) raw_pointer + (rva - va);
      if (start + len > pe->size)
        return FALSE;
      *offset = start;
      return TRUE;
    }
  return FALSE;
}

static gboolean
read_headers (PeReader  *pe,
              GError   **error)
{
  guint8 dos[64];
  guint8 coff[24];
  guint8 opt[2];
  guint8 dir[8];
  guint32 pe_offset;
  guint16 opt_size;
  guint64 opt_offset;
  guint64 table;
  guint32 n_dirs, rsrc_rva, rsrc_size;
  guint dirs_at;

  if (pe->size > SP_PE_ICON_MAX_FILE_SIZE)
    return set_bad (error, pe, _("it is larger than 512 MiB"));
  if (!read_at (pe, 0, sizeof dos, dos, _("the file is too short"), error))
    return FALSE;
  if (dos[0] != 'M' || dos[1] != 'Z')
    return set_bad (error, pe, _("it does not start with “MZ”"));
  pe_offset = le32 (dos + 0x3c);
  if (!read_at (pe, pe_offset, sizeof coff, coff, _("the PE header is outside the file"), error))
    return FALSE;
  if (memcmp (coff, "PE\0\0", 4) != 0)
    return set_bad (error, pe, _("it has no PE header (a DOS or 16-bit program?)"));
  pe->n_sections = le16 (coff + 4 + 2);
  opt_size = le16 (coff + 4 + 16);
  if (pe->n_sections == 0 || pe->n_sections > MAX_SECTIONS)
    return set_bad (error, pe, _("its number of sections is not between 1 and 96"));
  opt_offset = (guint64) pe_offset + sizeof coff;
  if (!read_at (pe, opt_offset, sizeof opt, opt, _("the optional header is outside the file"),
                error))
    return FALSE;
  switch (le16 (opt))
    {
    case 0x10b: dirs_at = 96; break;    /* PE32 */
    case 0x20b: dirs_at = 112; break;   /* PE32+ */
    default:
      return set_bad (error, pe, _("its optional header is neither PE32 nor PE32+"));
    }
  if (opt_size < dirs_at + 3 * 8)
    return set_bad (error, pe, _("it has no resource directory"));
  {
    guint8 count[4];

    if (!read_at (pe, opt_offset + dirs_at - 4, 4, count,
                  _("the optional header is outside the file"), error))
      return FALSE;
    n_dirs = le32 (count);
  }
  if (n_dirs < 3)
    return set_bad (error, pe, _("it has no resource directory"));
  if (!read_at (pe, opt_offset + dirs_at + 2 * 8, sizeof dir, dir,
                _("the optional header is outside the file"), error))
    return FALSE;
  rsrc_rva = le32 (dir);
  rsrc_size = le32 (dir + 4);
  if (rsrc_rva == 0 || rsrc_size < 16)
    return set_bad (error, pe, _("it has no resources"));

  table = opt_offset + opt_size;
  if (!read_at (pe, table, (gsize) pe->n_sections * 40, pe->sections,
                _("the section table is outside the file"), error))
    return FALSE;

  /* The resource directory lies in one section; only the part of it that
   * is in the file counts. */
  for (guint i = 0; i < pe->n_sections; i++)
    {
      const guint8 *s = pe->sections + i * 40;
      guint32 va = le32 (s + 12);
      guint32 raw_size = le32 (s + 16);
      guint32 virtual_size = le32 (s + 8);
      guint32 in_file = virtual_size != 0 ? MIN (virtual_size, raw_size) : raw_size;

      if (rsrc_rva < va || (guint64) rsrc_rva - va >= in_file)
        continue;
      pe->rsrc_size = MIN ((guint64) rsrc_size, (guint64) in_file - (rsrc_rva - va));
      pe->rsrc_offset = (guint64) le32 (s + 20) + (rsrc_rva - va);
      if (pe->rsrc_offset + pe->rsrc_size > pe->size)
        return set_bad (error, pe, _("its resources are past the end of the file"));
      return TRUE;
    }
  return set_bad (error, pe, _("its resource directory is in no section of the file"));
}

/* A resource directory at @offset (from the start of the resources):
 * its entries, each 8 bytes, read into a new buffer. */
static guint8 *
read_directory (PeReader  *pe,
                guint32    offset,
                guint     *n_entries,
                GError   **error)
{
  guint8 head[16];
  g_autofree guint8 *entries = NULL;
  guint n;

  for (guint i = 0; i < pe->n_visited; i++)
    if (pe->visited[i] == offset)
      {
        set_bad (error, pe, _("its resource directory contains a loop"));
        return NULL;
      }
  if (pe->n_visited == MAX_VISITED_DIRS)
    {
      set_bad (error, pe, _("its resource directory has too many folders"));
      return NULL;
    }
  pe->visited[pe->n_visited++] = offset;

  if ((guint64) offset + sizeof head > pe->rsrc_size)
    {
      set_bad (error, pe, _("a resource directory is outside the resources"));
      return NULL;
    }
  if (!read_at (pe, pe->rsrc_offset + offset, sizeof head, head,
                _("a resource directory is outside the file"), error))
    return NULL;
  n = (guint) le16 (head + 12) + le16 (head + 14);
  if (n > MAX_DIR_ENTRIES)
    {
      set_bad (error, pe, _("a resource directory has too many entries"));
      return NULL;
    }
  if ((guint64) offset + sizeof head + (guint64) n * 8 > pe->rsrc_size)
    {
      set_bad (error, pe, _("a resource directory’s entries are outside the resources"));
      return NULL;
    }
  entries = g_malloc ((gsize) n * 8 + 1);
  if (!read_at (pe, pe->rsrc_offset + offset + sizeof head, (gsize) n * 8, entries,
                _("a resource directory is outside the file"), error))
    return NULL;
  *n_entries = n;
  return g_steal_pointer (&entries);
}

/* Follows @entry (a subdirectory) to the first data entry below it, at
 * most @depth levels down: the file offset and size of the data. */
static gboolean
first_data (PeReader      *pe,
            const guint8  *entry,
            guint          depth,
            guint64       *data_offset,
            guint32       *data_size,
            GError       **error)
{
  guint32 target = le32 (entry + 4);

  while (target & 0x80000000u)
    {
      g_autofree guint8 *entries = NULL;
      guint n = 0;

      if (depth == 0)
        return set_bad (error, pe, _("its resource directory is nested too deeply"));
      depth--;
      entries = read_directory (pe, target & 0x7fffffffu, &n, error);
      if (entries == NULL)
        return FALSE;
      if (n == 0)
        return set_bad (error, pe, _("a resource has no data"));
      target = le32 (entries + 4);
    }
  {
    guint8 data[16];
    guint32 rva, size;

    if ((guint64) target + sizeof data > pe->rsrc_size ||
        !read_at (pe, pe->rsrc_offset + target, sizeof data, data,
                  _("a resource is outside the file"), NULL))
      return set_bad (error, pe, _("a resource entry is outside the resources"));
    rva = le32 (data);
    size = le32 (data + 4);
    if (size > SP_PE_ICON_MAX_IMAGE_SIZE)
      return set_bad (error, pe, _("an icon is larger than 16 MiB"));
    if (!rva_to_offset (pe, rva, size, data_offset))
      return set_bad (error, pe, _("an icon’s data is past the end of the file"));
    *data_size = size;
  }
  return TRUE;
}

/* The entry of @entries with the numeric id @id, or NULL. */
static const guint8 *
find_id (const guint8 *entries,
         guint         n,
         guint32       id)
{
  for (guint i = 0; i < n; i++)
    if (le32 (entries + i * 8) == id)
      return entries + i * 8;
  return NULL;
}

typedef struct
{
  guint64  offset;
  guint32  size;
  guint    width;
  guint    height;
  guint    bit_count;
  gboolean png;
} Image;

/* Checks the image at @img->offset and fills in its size; FALSE with
 * @error when it is not a PNG or an uncompressed BMP icon. */
static gboolean
inspect_image (PeReader  *pe,
               Image     *img,
               GError   **error)
{
  guint8 head[40];

  if (img->size < sizeof head)
    return set_bad (error, pe, _("an icon image is too short"));
  if (!read_at (pe, img->offset, sizeof head, head, _("an icon image is outside the file"), error))
    return FALSE;
  if (memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
    {
      if (memcmp (head + 12, "IHDR", 4) != 0)
        return set_bad (error, pe, _("a PNG icon has no header"));
      img->png = TRUE;
      img->width = (guint) MIN (be32 (head + 16), G_MAXUINT);
      img->height = (guint) MIN (be32 (head + 20), G_MAXUINT);
      img->bit_count = 32;
    }
  else
    {
      gint32 width = (gint32) le32 (head + 4);
      gint32 height2 = (gint32) le32 (head + 8);
      guint bits = le16 (head + 14);
      guint32 colors = le32 (head + 32);
      guint64 row, mask_row, need;

      if (le32 (head) != 40 || le16 (head + 12) != 1 || le32 (head + 16) != 0)
        return set_bad (error, pe, _("an icon image is neither PNG nor an uncompressed bitmap"));
      if (width <= 0 || width > MAX_ICON_DIMENSION || height2 <= 0 || height2 % 2 != 0 ||
          height2 / 2 > MAX_ICON_DIMENSION)
        return set_bad (error, pe, _("an icon image has an impossible size"));
      /* A palette only below 24 bits, and a full one (0 says so): what
       * icon loaders (gdk-pixbuf's too) expect. */
      if ((bits != 1 && bits != 4 && bits != 8 && bits != 24 && bits != 32) ||
          (bits > 8 && colors != 0) || (bits <= 8 && colors != 0 && colors != (1u << bits)))
        return set_bad (error, pe, _("an icon image has an unknown number of colours"));
      if (bits <= 8)
        colors = 1u << bits;
      /* The colour (XOR) rows and the mask (AND) rows, each padded to
       * four bytes, must all be there. */
      row = (((guint64) width * bits + 31) / 32) * 4;
      mask_row = (((guint64) width + 31) / 32) * 4;
      need = 40 + (guint64) colors * 4 + (row + mask_row) * (guint64) (height2 / 2);
      if (need > img->size)
        return set_bad (error, pe, _("an icon image is shorter than its size says"));
      img->png = FALSE;
      img->width = (guint) width;
      img->height = (guint) (height2 / 2);
      img->bit_count = bits;
    }
  if (img->width == 0 || img->height == 0 ||
      img->width > MAX_ICON_DIMENSION || img->height > MAX_ICON_DIMENSION)
    return set_bad (error, pe, _("an icon image has an impossible size"));
  return TRUE;
}

/* Is @a a better icon than @b? */
static gboolean
better (const Image *a,
        const Image *b)
{
  guint size_a = MAX (a->width, a->height);
  guint size_b = MAX (b->width, b->height);

  if (size_a != size_b)
    return size_a > size_b;
  if (a->png != b->png)
    return a->png;
  return a->bit_count > b->bit_count;
}

/* Looks at the image below the RT_ICON name entry @entry and keeps it in
 * @best when it is better. */
static gboolean
consider (PeReader      *pe,
          const guint8  *entry,
          Image         *best,
          gboolean      *found,
          GError       **error)
{
  Image img = { 0 };

  if (!first_data (pe, entry, 2, &img.offset, &img.size, error) ||
      !inspect_image (pe, &img, error))
    return FALSE;
  if (!*found || better (&img, best))
    *best = img;
  *found = TRUE;
  return TRUE;
}

static GBytes *
extract (PeReader     *pe,
         const char  **extension,
         GError      **error)
{
  g_autofree guint8 *root = NULL;
  g_autofree guint8 *icons = NULL;
  g_autoptr(GError) last_error = NULL;
  const guint8 *icon_type, *group_type;
  guint n_root = 0, n_icons = 0;
  Image best = { 0 };
  gboolean found = FALSE;
  guint looked = 0;

  if (!read_headers (pe, error))
    return NULL;
  root = read_directory (pe, 0, &n_root, error);
  if (root == NULL)
    return NULL;
  icon_type = find_id (root, n_root, RT_ICON);
  group_type = find_id (root, n_root, RT_GROUP_ICON);
  if (icon_type == NULL || !(le32 (icon_type + 4) & 0x80000000u))
    {
      set_bad (error, pe, _("it has no icon"));
      return NULL;
    }
  icons = read_directory (pe, le32 (icon_type + 4) & 0x7fffffffu, &n_icons, error);
  if (icons == NULL)
    return NULL;

  if (group_type != NULL && (le32 (group_type + 4) & 0x80000000u))
    {
      g_autofree guint8 *groups = NULL;
      g_autofree guint8 *group = NULL;
      guint n_groups = 0;
      guint64 offset;
      guint32 size;
      guint count;

      /* The first group is the program's icon (what Explorer shows). */
      groups = read_directory (pe, le32 (group_type + 4) & 0x7fffffffu, &n_groups, error);
      if (groups == NULL)
        return NULL;
      if (n_groups == 0)
        {
          set_bad (error, pe, _("it has no icon"));
          return NULL;
        }
      if (!first_data (pe, groups, 2, &offset, &size, error))
        return NULL;
      if (size < 6)
        {
          set_bad (error, pe, _("its icon group is too short"));
          return NULL;
        }
      size = MIN (size, 6 + MAX_GROUP_ENTRIES * 14);
      group = g_malloc (size);
      if (!read_at (pe, offset, size, group, _("its icon group is outside the file"), error))
        return NULL;
      count = le16 (group + 4);
      if (le16 (group) != 0 || le16 (group + 2) != 1 || count == 0 ||
          count > MAX_GROUP_ENTRIES || 6 + (guint64) count * 14 > size)
        {
          set_bad (error, pe, _("its icon group is damaged"));
          return NULL;
        }
      for (guint i = 0; i < count; i++)
        {
          const guint8 *entry = find_id (icons, n_icons, le16 (group + 6 + i * 14 + 12));

          /* Only the image's own size is used (and written); a claim
           * beyond any icon is a damaged or hostile group. */
          if (le32 (group + 6 + i * 14 + 8) > SP_PE_ICON_MAX_IMAGE_SIZE)
            {
              g_clear_error (&last_error);
              set_bad (&last_error, pe, _("its icon group claims an image larger than 16 MiB"));
              continue;
            }
          if (entry == NULL)
            {
              g_clear_error (&last_error);
              set_bad (&last_error, pe, _("its icon group names an icon it does not have"));
              continue;
            }
          g_clear_error (&last_error);
          consider (pe, entry, &best, &found, &last_error);
        }
    }
  else
    {
      for (guint i = 0; i < n_icons && looked < MAX_CANDIDATES; i++, looked++)
        {
          g_clear_error (&last_error);
          consider (pe, icons + i * 8, &best, &found, &last_error);
        }
    }

  if (!found)
    {
      if (last_error != NULL)
        g_propagate_error (error, g_steal_pointer (&last_error));
      else
        set_bad (error, pe, _("it has no icon"));
      return NULL;
    }

  if (best.png)
    {
      guint8 *data = g_malloc (best.size);

      if (!read_at (pe, best.offset, best.size, data, _("an icon image is outside the file"),
                    error))
        {
          g_free (data);
          return NULL;
        }
      *extension = "png";
      return g_bytes_new_take (data, best.size);
    }
  else
    {
      /* ICONDIR, one ICONDIRENTRY, the image. */
      gsize total = 6 + 16 + (gsize) best.size;
      guint8 *data = g_malloc0 (total);

      data[2] = 1;                                         /* type: icon */
      data[4] = 1;                                         /* one image */
      data[6] = best.width >= 256 ? 0 : (guint8) best.width;
      data[7] = best.height >= 256 ? 0 : (guint8) best.height;
      data[8] = best.bit_count < 8 ? (guint8) (1u << best.bit_count) : 0;
      data[10] = 1;                                        /* planes */
      data[12] = (guint8) best.bit_count;
      data[14] = best.size & 0xff;
      data[15] = (best.size >> 8) & 0xff;
      data[16] = (best.size >> 16) & 0xff;
      data[17] = (best.size >> 24) & 0xff;
      data[18] = 22;                                       /* image offset */
      if (!read_at (pe, best.offset, best.size, data + 22, _("an icon image is outside the file"),
                    error))
        {
          g_free (data);
          return NULL;
        }
      *extension = "ico";
      return g_bytes_new_take (data, total);
    }
}

GBytes *
sp_pe_icon_extract_from_bytes (GBytes       *data,
                               const char   *display,
                               const char  **extension,
                               GError      **error)
{
  g_autofree PeReader *pe = g_new0 (PeReader, 1);
  gsize size;

  g_return_val_if_fail (data != NULL && display != NULL && extension != NULL, NULL);

  pe->fd = -1;
  pe->bytes = g_bytes_get_data (data, &size);
  pe->size = size;
  pe->display = display;
  return extract (pe, extension, error);
}

GBytes *
sp_pe_icon_extract_from_fd (int           fd,
                            const char   *display,
                            const char  **extension,
                            GError      **error)
{
  g_autofree PeReader *pe = g_new0 (PeReader, 1);
  struct stat st;

  g_return_val_if_fail (fd >= 0 && display != NULL && extension != NULL, NULL);

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a regular file."), display);
      return NULL;
    }
  pe->fd = fd;
  pe->size = (guint64) st.st_size;
  pe->display = display;
  return extract (pe, extension, error);
}

GBytes *
sp_pe_icon_extract_beneath (const char   *root,
                            const char   *rel,
                            const char  **extension,
                            GError      **error)
{
  g_autofree char *slashed = NULL;
  g_autofree char *display = NULL;
  GBytes *icon;
  int fd;

  g_return_val_if_fail (root != NULL && rel != NULL && extension != NULL, NULL);

  slashed = g_strdelimit (g_strdup (rel), "\\", '/');
  fd = sp_game_path_open_beneath (root, slashed, SP_PE_ICON_MAX_FILE_SIZE, NULL, error);
  if (fd < 0)
    return NULL;
  display = g_build_filename (root, slashed, NULL);
  icon = sp_pe_icon_extract_from_fd (fd, display, extension, error);
  close (fd);
  return icon;
}

gboolean
sp_pe_icon_save_for_game (const SpGameInfo  *info,
                          const char        *game_dir,
                          const char        *base,
                          GError           **error)
{
  g_autoptr(GBytes) icon = NULL;
  g_autofree char *path = NULL;
  const char *extension = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (info != NULL && game_dir != NULL && base != NULL, FALSE);

  if (info->kind != SP_GAME_KIND_WINE || (info->icon != NULL && info->icon[0] != '\0') ||
      info->executable == NULL || info->executable[0] == '\0')
    return TRUE;
  icon = sp_pe_icon_extract_beneath (base, info->executable, &extension, error);
  if (icon == NULL)
    return FALSE;
  path = g_build_filename (game_dir, g_str_equal (extension, "png") ? SP_PE_ICON_SAVED_PNG
                                                                   : SP_PE_ICON_SAVED_ICO, NULL);
  data = g_bytes_get_data (icon, &size);
  return sp_write_file_atomic (path, data, (gssize) size, error);
}

static void
read_saved_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *game_dir = task_data;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = sp_game_path_read_beneath_sync (game_dir, SP_PE_ICON_SAVED_PNG,
                                          SP_PE_ICON_MAX_IMAGE_SIZE + 22, &error);
  if (bytes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_clear_error (&error);
      bytes = sp_game_path_read_beneath_sync (game_dir, SP_PE_ICON_SAVED_ICO,
                                              SP_PE_ICON_MAX_IMAGE_SIZE + 22, &error);
    }
  if (bytes == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
sp_pe_icon_read_saved_async (const char          *game_dir,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (game_dir != NULL);

  g_task_set_source_tag (task, sp_pe_icon_read_saved_async);
  g_task_set_task_data (task, g_strdup (game_dir), g_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, read_saved_thread);
}

GBytes *
sp_pe_icon_read_saved_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
