/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Moves everything of the upper layer open at @upper_fd (the overlay's
 * conventions, common/sp-upper-dir.h) into the folder @base_fd that was its
 * lower layer, without following links: a folder that is in both (and not
 * opaque) is merged, anything else is renamed into place, replacing what
 * is there; a whiteout removes what it hides (sp_remove_tree_at()); an
 * opaque folder replaces the lower one whole, its marks removed. Each entry
 * leaves the upper once it is in base/, so an apply cut short is finished
 * by applying again. Both must be on one file system. @display names
 * base/ in messages. Blocking. */
gboolean  _sp_wine_update_apply (int            upper_fd,
                                 int            base_fd,
                                 const char    *display,
                                 GCancellable  *cancellable,
                                 GError       **error);

G_END_DECLS
