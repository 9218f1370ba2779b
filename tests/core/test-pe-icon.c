/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The icon of a Windows program (sp-pe-icon.h): from Wine's own programs,
 * through adding a Wine game, and refused from hostile files. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_GDK_PIXBUF
#include <gdk-pixbuf/gdk-pixbuf.h>
#endif

#include "core/sp-core.h"
#include "core/sp-library-error.h"
#include "core/sp-pe-icon.h"
#include "sp-test-common.h"

#define WINE_DIR "/usr/lib/x86_64-linux-gnu/wine"

static void
put16 (GByteArray *a, gsize at, guint16 v)
{
  a->data[at] = v & 0xff;
  a->data[at + 1] = v >> 8;
}

static void
put32 (GByteArray *a, gsize at, guint32 v)
{
  put16 (a, at, v & 0xffff);
  put16 (a, at + 2, v >> 16);
}

static guint16
get16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

static guint32
get32 (const guint8 *p)
{
  return get16 (p) | ((guint32) get16 (p + 2) << 16);
}

/* Offsets of the synthetic PE below, for the hostile variants. */
#define PE_AT      0x40
#define OPT_AT     (PE_AT + 24)
#define SECT_AT    (OPT_AT + 240)
#define RSRC_AT    0x200
#define RSRC_RVA   0x1000
#define ICON_SIZE  (40 + 16 * 16 * 4 + 16 * 4)
#define RSRC_SIZE  (0x100 + ICON_SIZE)

/* A PE32+ file with one section, .rsrc, holding one icon group with one
 * 16 × 16 32-bit BMP icon: the smallest real thing to damage. */
static GByteArray *
make_pe (void)
{
  GByteArray *a = g_byte_array_new ();
  const guint r = RSRC_AT;

  g_byte_array_set_size (a, 0x800);
  memset (a->data, 0, a->len);
  a->data[0] = 'M';
  a->data[1] = 'Z';
  put32 (a, 0x3c, PE_AT);
  memcpy (a->data + PE_AT, "PE\0\0", 4);
  put16 (a, PE_AT + 4, 0x8664);           /* x86-64 */
  put16 (a, PE_AT + 6, 1);                /* sections */
  put16 (a, PE_AT + 20, 240);             /* optional header size */
  put16 (a, PE_AT + 22, 0x22);
  put16 (a, OPT_AT, 0x20b);               /* PE32+ */
  put32 (a, OPT_AT + 108, 16);            /* data directories */
  put32 (a, OPT_AT + 112 + 2 * 8, RSRC_RVA);
  put32 (a, OPT_AT + 112 + 2 * 8 + 4, RSRC_SIZE);
  memcpy (a->data + SECT_AT, ".rsrc", 5);
  put32 (a, SECT_AT + 8, RSRC_SIZE);      /* virtual size */
  put32 (a, SECT_AT + 12, RSRC_RVA);
  put32 (a, SECT_AT + 16, 0x600);         /* raw size */
  put32 (a, SECT_AT + 20, RSRC_AT);

  /* root: RT_ICON → 0x20, RT_GROUP_ICON → 0x40 */
  put16 (a, r + 14, 2);
  put32 (a, r + 16, 3);
  put32 (a, r + 20, 0x80000000u | 0x20);
  put32 (a, r + 24, 14);
  put32 (a, r + 28, 0x80000000u | 0x40);
  /* names: icon 1 → 0x60; group 1 → 0x80 */
  put16 (a, r + 0x20 + 14, 1);
  put32 (a, r + 0x20 + 16, 1);
  put32 (a, r + 0x20 + 20, 0x80000000u | 0x60);
  put16 (a, r + 0x40 + 14, 1);
  put32 (a, r + 0x40 + 16, 1);
  put32 (a, r + 0x40 + 20, 0x80000000u | 0x80);
  /* languages → data entries at 0xa0 and 0xb0 */
  put16 (a, r + 0x60 + 14, 1);
  put32 (a, r + 0x60 + 16, 0x409);
  put32 (a, r + 0x60 + 20, 0xa0);
  put16 (a, r + 0x80 + 14, 1);
  put32 (a, r + 0x80 + 16, 0x409);
  put32 (a, r + 0x80 + 20, 0xb0);
  put32 (a, r + 0xa0, RSRC_RVA + 0x100);
  put32 (a, r + 0xa4, ICON_SIZE);
  put32 (a, r + 0xb0, RSRC_RVA + 0xc0);
  put32 (a, r + 0xb4, 20);
  /* the group: one entry naming icon 1 */
  put16 (a, r + 0xc0 + 2, 1);
  put16 (a, r + 0xc0 + 4, 1);
  a->data[r + 0xc6] = 16;
  a->data[r + 0xc7] = 16;
  put16 (a, r + 0xc6 + 4, 1);
  put16 (a, r + 0xc6 + 6, 32);
  put32 (a, r + 0xc6 + 8, ICON_SIZE);
  put16 (a, r + 0xc6 + 12, 1);
  /* the image: BITMAPINFOHEADER, 16 × 32 (colour + mask), opaque red */
  put32 (a, r + 0x100, 40);
  put32 (a, r + 0x104, 16);
  put32 (a, r + 0x108, 32);
  put16 (a, r + 0x10c, 1);
  put16 (a, r + 0x10e, 32);
  for (guint i = 0; i < 16 * 16; i++)
    put32 (a, r + 0x128 + i * 4, 0xffff0000u);
  return a;
}

static GBytes *
extract (GByteArray  *pe,
         const char **extension,
         GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (pe->data, pe->len);

  return sp_pe_icon_extract_from_bytes (bytes, "test.exe", extension, error);
}

/* Checks @icon is a well-formed .ico or .png whose image is @size wide,
 * and, with gdk-pixbuf, that it loads as such. */
static void
check_icon (GBytes     *icon,
            const char *extension,
            guint       min_size)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (icon, &len);
  guint width;

  if (g_str_equal (extension, "png"))
    {
      g_assert_cmpuint (len, >, 24);
      g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
      width = GUINT32_FROM_BE (*(guint32 *) (d + 16));
    }
  else
    {
      g_assert_cmpstr (extension, ==, "ico");
      g_assert_cmpuint (len, >, 22 + 40);
      g_assert_cmpuint (get16 (d), ==, 0);
      g_assert_cmpuint (get16 (d + 2), ==, 1);
      g_assert_cmpuint (get16 (d + 4), ==, 1);
      g_assert_cmpuint (get32 (d + 6 + 8), ==, len - 22);
      g_assert_cmpuint (get32 (d + 6 + 12), ==, 22);
      width = d[6] == 0 ? 256 : d[6];
      g_assert_cmpuint (get32 (d + 22 + 4), ==, width);
    }
  g_assert_cmpuint (width, >=, min_size);
#ifdef HAVE_GDK_PIXBUF
  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (icon);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream (in, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  }
#endif
}

static void
test_pe_icon_synthetic (void)
{
  g_autoptr(GByteArray) pe = make_pe ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) icon = NULL;
  const char *extension = NULL;

  icon = extract (pe, &extension, &error);
  g_assert_no_error (error);
  check_icon (icon, extension, 16);
}

static void
test_pe_icon_wine (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) icon = NULL;
  const char *extension = NULL;
  int fd;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("%s is missing (the wine64 package)", path);
      g_test_skip (msg);
      return;
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  icon = sp_pe_icon_extract_from_fd (fd, path, &extension, &error);
  close (fd);
  g_assert_no_error (error);
  /* Wine's programs carry 48 px icons and larger. */
  check_icon (icon, extension, 48);

  /* Without their PNG images (magic broken), the largest bitmap, as .ico. */
  {
    g_autofree char *contents = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GBytes) bmp_icon = NULL;
    gsize len;
    char *p;

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    for (p = contents; (p = memmem (p, len - (p - contents), "\x89PNG\r\n\x1a\n", 8)) != NULL; p++)
      *p = 0;
    bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
    bmp_icon = sp_pe_icon_extract_from_bytes (bytes, path, &extension, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (extension, ==, "ico");
    check_icon (bmp_icon, extension, 32);
  }
}

/* The fuzzer's seeds that should give an icon do (so the fuzzer starts
 * from inputs that reach the image code). */
static void
test_pe_icon_seeds (void)
{
  const char *seeds[] = { "synthetic.exe", "winemine-rsrc.exe" };

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "pe-icon",
                                                     seeds[i], NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) icon = NULL;
      g_autoptr(GError) error = NULL;
      const char *extension = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
      icon = sp_pe_icon_extract_from_bytes (bytes, seeds[i], &extension, &error);
      g_assert_no_error (error);
      check_icon (icon, extension, 16);
    }
}

/* Each damage is refused with an error, never a crash or an icon. */
static void
test_pe_icon_hostile (void)
{
  struct { const char *what; guint at; guint32 value; gboolean wide; } damages[] = {
    { "no MZ", 0, 'X', FALSE },
    { "PE header past the end", 0x3c, 0xfffffff0u, TRUE },
    { "PE header at the last byte", 0x3c, 0x7ff, TRUE },
    { "no PE signature", PE_AT, 'X', FALSE },
    { "no sections", PE_AT + 6, 0, FALSE },
    { "huge section count", PE_AT + 6, 0xffff, FALSE },
    { "optional header too short", PE_AT + 20, 16, FALSE },
    { "unknown optional header", OPT_AT, 0x30b, FALSE },
    { "no data directory for resources", OPT_AT + 108, 2, TRUE },
    { "resources at no section", OPT_AT + 112 + 16, 0x900000, TRUE },
    { "section data past the end", SECT_AT + 20, 0xfffff000u, TRUE },
    { "no section data in the file", SECT_AT + 16, 0, TRUE },
    { "huge entry count", RSRC_AT + 14, 0xffff, FALSE },
    { "root entry past the resources", RSRC_AT + 20, 0x80000000u | 0x7ffffff0u, TRUE },
    { "loop: icon names → root", RSRC_AT + 0x20 + 20, 0x80000000u, TRUE },
    { "loop: language → itself", RSRC_AT + 0x60 + 20, 0x80000000u | 0x60, TRUE },
    { "group loop: language → names", RSRC_AT + 0x80 + 20, 0x80000000u | 0x40, TRUE },
    { "data entry past the resources", RSRC_AT + 0x60 + 20, 0xfffffff0u & 0x7fffffffu, TRUE },
    { "icon data claiming 4 GB", RSRC_AT + 0xa4, 0xffffffffu, TRUE },
    { "icon data at an RVA outside", RSRC_AT + 0xa0, 0x7fffffffu, TRUE },
    { "group claiming 4 GB", RSRC_AT + 0xb4, 0xffffffffu, TRUE },
    { "group entry claiming 4 GB", RSRC_AT + 0xc6 + 8, 0xffffffffu, TRUE },
    { "group with 65535 entries", RSRC_AT + 0xc4, 0xffff, FALSE },
    { "group naming a missing icon", RSRC_AT + 0xc6 + 12, 7, FALSE },
    { "image: huge width", RSRC_AT + 0x104, 0x7fffffffu, TRUE },
    { "image: negative height", RSRC_AT + 0x108, 0xffffff00u, TRUE },
    { "image: compressed", RSRC_AT + 0x110, 3, TRUE },
    { "image: 1024 px in 1 KB", RSRC_AT + 0x104, 1024, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autoptr(GByteArray) pe = make_pe ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) icon = NULL;
      const char *extension = NULL;

      g_test_message ("%s", damages[i].what);
      if (damages[i].wide)
        put32 (pe, damages[i].at, damages[i].value);
      else if (damages[i].value > 0xff)
        put16 (pe, damages[i].at, damages[i].value);
      else
        pe->data[damages[i].at] = damages[i].value;
      icon = extract (pe, &extension, &error);
      g_assert_null (icon);
      g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "“test.exe”"));
    }

  /* Every byte of the headers, the resource tree and the image header
   * set to large values: an icon that checks out, or an error. */
  for (guint at = 0; at < RSRC_AT + 0x128; at++)
    for (guint v = 0; v < 3; v++)
      {
        const guint8 values[] = { 0xff, 0x80, 0x7f };
        g_autoptr(GByteArray) pe = make_pe ();
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) icon = NULL;
        const char *extension = NULL;

        pe->data[at] = values[v];
        icon = extract (pe, &extension, &error);
        if (icon != NULL)
          check_icon (icon, extension, 1);
        else
          g_assert_nonnull (error);
      }

  /* Every truncation of the file, from 0 bytes up to the icon's end. */
  for (guint len = 0; len < RSRC_AT + RSRC_SIZE; len++)
    {
      g_autoptr(GByteArray) pe = make_pe ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) icon = NULL;
      const char *extension = NULL;

      g_byte_array_set_size (pe, len);
      icon = extract (pe, &extension, &error);
      g_assert_null (icon);
      g_assert_nonnull (error);
    }
}

/* A Wine game added without an icon gets its executable's, next to its
 * game.ini (not in base/); with an icon, or as a native game, none. */
static void
test_pe_icon_add_game (void)
{
  const char *exe = WINE_DIR "/x86_64-windows/winemine.exe";
  g_autofree char *drive = NULL;
  g_autoptr(SpLibrary) library = NULL;
  g_autofree char *src_root = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpGame) game = NULL;
  g_autoptr(SpGame) with_icon = NULL;
  g_autoptr(SpGame) broken = NULL;
  g_autoptr(GBytes) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gsize len;
  SpGameInfo info = {
    .name = "Mines", .kind = SP_GAME_KIND_WINE,
    .executable = "drive_c\\Games\\winemine.exe",
  };

  if (!g_file_get_contents (exe, &contents, &len, NULL))
    {
      g_test_skip (WINE_DIR "/x86_64-windows/winemine.exe is missing (the wine64 package)");
      return;
    }
  library = tc_new_library (&drive);
  src_root = tc_tmpdir ();
  prefix = g_build_filename (src_root, "prefix", NULL);
  dir = g_build_filename (prefix, "drive_c", "Games", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_clear_pointer (&dir, g_free);
  dir = g_build_filename (prefix, "drive_c", "Games", "winemine.exe", NULL);
  g_assert_true (g_file_set_contents (dir, contents, len, NULL));

  game = sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_COPY,
                                   NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (sp_game_get_icon (game));

  sp_pe_icon_read_saved_async (sp_game_get_path (game), NULL, tc_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  saved = sp_pe_icon_read_saved_finish (result, &error);
  g_assert_no_error (error);
  {
    g_autofree char *png = g_build_filename (sp_game_get_path (game), SP_PE_ICON_SAVED_PNG, NULL);
    g_autofree char *ico = g_build_filename (sp_game_get_path (game), SP_PE_ICON_SAVED_ICO, NULL);
    g_autofree char *in_base = g_build_filename (sp_game_get_base_path (game), "icon.ico", NULL);

    check_icon (saved, g_file_test (png, G_FILE_TEST_EXISTS) ? "png" : "ico", 48);
    g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS) != g_file_test (ico, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (in_base, G_FILE_TEST_EXISTS));
  }

  /* An icon of its own: nothing extracted. */
  info.name = "Mines Own";
  info.icon = "drive_c/Games/winemine.png";
  with_icon = sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_COPY,
                                        NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  sp_pe_icon_read_saved_async (sp_game_get_path (with_icon), NULL, tc_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (sp_pe_icon_read_saved_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An executable that is not a program: the game is added, without an icon. */
  tc_write (prefix, "drive_c/Games/broken.exe", "MZ but nothing else");
  info.name = "Broken";
  info.icon = NULL;
  info.executable = "drive_c/Games/broken.exe";
  broken = sp_library_add_game_sync (library, &info, prefix, SP_ADD_MODE_COPY,
                                     NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (broken);
  g_assert_cmpuint (tc_count_entries (sp_game_get_path (broken)), ==, 3);  /* base, checkpoints, game.ini */

  tc_rmtree (src_root);
  tc_rmtree (drive);
}

/* A link out of the game is not followed. */
static void
test_pe_icon_beneath (void)
{
  g_autofree char *root = tc_tmpdir ();
  g_autofree char *link = g_build_filename (root, "game.exe", NULL);
  g_autoptr(GError) error = NULL;
  const char *extension = NULL;

  g_assert_cmpint (symlink (WINE_DIR "/x86_64-windows/winemine.exe", link), ==, 0);
  g_assert_null (sp_pe_icon_extract_beneath (root, "game.exe", &extension, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (sp_pe_icon_extract_beneath (root, "../game.exe", &extension, &error));
  g_assert_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID);
  tc_rmtree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pe-icon/synthetic", test_pe_icon_synthetic);
  g_test_add_data_func ("/pe-icon/wine/notepad", WINE_DIR "/x86_64-windows/notepad.exe",
                        test_pe_icon_wine);
  g_test_add_data_func ("/pe-icon/wine/winemine", WINE_DIR "/x86_64-windows/winemine.exe",
                        test_pe_icon_wine);
  g_test_add_data_func ("/pe-icon/wine/notepad-i386", WINE_DIR "/i386-windows/notepad.exe",
                        test_pe_icon_wine);
  g_test_add_data_func ("/pe-icon/wine/winemine-i386", WINE_DIR "/i386-windows/winemine.exe",
                        test_pe_icon_wine);
  g_test_add_func ("/pe-icon/seeds", test_pe_icon_seeds);
  g_test_add_func ("/pe-icon/hostile", test_pe_icon_hostile);
  g_test_add_func ("/pe-icon/add-game", test_pe_icon_add_game);
  g_test_add_func ("/pe-icon/beneath", test_pe_icon_beneath);
  return g_test_run ();
}
