/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A game's Windows executable from a drive, through sp-pe-icon.h (what
 * adding a Wine game without an icon does with it): read from memory and
 * with pread() from a file, both must agree, and an icon found is a
 * well-formed PNG or single-image .ico. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"

#include "core/sp-pe-icon.h"

static void
check_icon (GBytes     *icon,
            const char *extension)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (icon, &len);

  if (g_str_equal (extension, "png"))
    {
      g_assert_cmpuint (len, >=, 40);
      g_assert_cmpmem (d, 8, "\x89PNG\r\n\x1a\n", 8);
    }
  else
    {
      g_assert_cmpstr (extension, ==, "ico");
      g_assert_cmpuint (len, >=, 22 + 40);
      g_assert_cmpuint (d[2], ==, 1);
      g_assert_cmpuint (d[4], ==, 1);
      g_assert_cmpuint (d[14] | (d[15] << 8) | (d[16] << 16) | ((guint32) d[17] << 24), ==,
                        len - 22);
      g_assert_cmpuint (d[18], ==, 22);
    }
  g_assert_cmpuint (len, <=, SP_PE_ICON_MAX_IMAGE_SIZE + 22);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GBytes) icon = NULL;
  g_autoptr(GBytes) from_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) file_error = NULL;
  g_autofree char *dir = fuzz_fresh_dir ("pe-icon");
  g_autofree char *path = fuzz_write (dir, "game.exe", data, size);
  const char *extension = NULL;
  const char *file_extension = NULL;
  int fd;

  icon = sp_pe_icon_extract_from_bytes (bytes, "fuzz.exe", &extension, &error);
  if (icon == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  else
    {
      g_assert_no_error (error);
      check_icon (icon, extension);
    }

  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  from_file = sp_pe_icon_extract_from_fd (fd, "fuzz.exe", &file_extension, &file_error);
  close (fd);
  g_assert_true ((icon == NULL) == (from_file == NULL));
  if (icon != NULL)
    {
      g_assert_cmpstr (extension, ==, file_extension);
      g_assert_true (g_bytes_equal (icon, from_file));
    }
  else
    g_assert_cmpstr (error->message, ==, file_error->message);
  return 0;
}
