/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wine's .reg files from a drive or a checkpoint, through
 * sp_wine_registry_parse() and sp_wine_registry_diff() (what
 * `savepoint-cli diff` and the checkpoint details do with them). */
#include "config.h"

#include "fuzz-common.h"

#include "core/sp-wine-registry.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SpWineRegistry) reg = NULL;
  g_autoptr(SpWineRegistry) empty = sp_wine_registry_new_empty ();
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_registry_key_change_free);
  g_autoptr(GError) error = NULL;

  reg = sp_wine_registry_parse ((const char *) data, size, "fuzz.reg", &error);
  if (reg == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);

  /* Every key is added against an empty registry, removed the other way,
   * and nothing differs from itself; names are valid UTF-8. */
  sp_wine_registry_diff (empty, reg, "user.reg", changes);
  g_assert_cmpuint (changes->len, ==, sp_wine_registry_get_n_keys (reg));
  for (guint i = 0; i < changes->len; i++)
    {
      SpRegistryKeyChange *c = g_ptr_array_index (changes, i);

      g_assert_cmpint (c->kind, ==, SP_REGISTRY_KEY_ADDED);
      g_assert_true (g_utf8_validate (c->key, -1, NULL));
      g_assert_true (sp_wine_registry_has_key (reg, c->key));
      for (guint j = 0; c->values[j] != NULL; j++)
        {
          g_assert_true (g_utf8_validate (c->values[j], -1, NULL));
          g_assert_nonnull (sp_wine_registry_get_value (reg, c->key, c->values[j]));
        }
    }
  g_ptr_array_set_size (changes, 0);
  sp_wine_registry_diff (reg, empty, NULL, changes);
  g_assert_cmpuint (changes->len, ==, sp_wine_registry_get_n_keys (reg));
  g_ptr_array_set_size (changes, 0);
  sp_wine_registry_diff (reg, reg, NULL, changes);
  g_assert_cmpuint (changes->len, ==, 0);
  return 0;
}
