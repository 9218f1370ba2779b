/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-sha256.h"

#include <nettle/sha2.h>

struct _SpSha256
{
  struct sha256_ctx ctx;
  char              hex[SHA256_DIGEST_SIZE * 2 + 1];
  gboolean          closed;
};

SpSha256 *
sp_sha256_new (void)
{
  SpSha256 *self = g_new0 (SpSha256, 1);

  sha256_init (&self->ctx);
  return self;
}

void
sp_sha256_update (SpSha256   *self,
                  const void *data,
                  gsize       length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->closed);

  if (length > 0)
    sha256_update (&self->ctx, length, data);
}

const char *
sp_sha256_get_string (SpSha256 *self)
{
  static const char digits[] = "0123456789abcdef";
  guint8 digest[SHA256_DIGEST_SIZE];

  g_return_val_if_fail (self != NULL, NULL);

  if (!self->closed)
    {
      sha256_digest (&self->ctx, sizeof digest, digest);
      for (guint i = 0; i < sizeof digest; i++)
        {
          self->hex[2 * i] = digits[digest[i] >> 4];
          self->hex[2 * i + 1] = digits[digest[i] & 0xf];
        }
      self->hex[sizeof self->hex - 1] = '\0';
      self->closed = TRUE;
    }
  return self->hex;
}

void
sp_sha256_free (SpSha256 *self)
{
  g_free (self);
}
