/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-library-error.h"

G_DEFINE_QUARK (sp-library-error-quark, sp_library_error)
