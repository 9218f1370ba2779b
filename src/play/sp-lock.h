/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The lock that says "this game is being played": a small key file on the
 * drive naming the host, pid and the pid's start time of the holder. A lock
 * left behind by a process of this host that is gone (or whose pid now
 * belongs to another process) is stale and taken over; a live one, or one
 * held by another computer, is a clear error (SP_LOCK_ERROR_BUSY). */

#define SP_LOCK_ERROR (sp_lock_error_quark ())

typedef enum
{
  SP_LOCK_ERROR_FAILED,
  SP_LOCK_ERROR_BUSY,
} SpLockError;

typedef struct _SpLock SpLock;

GQuark    sp_lock_error_quark  (void);

/* Creates @path exclusively (O_EXCL, so it works on FAT and exFAT drives),
 * taking over a stale lock. @what names the locked thing in messages. */
SpLock   *sp_lock_acquire      (const char  *path,
                                const char  *what,
                                GError     **error);
/* Removes the lock file (if it is still ours) and frees @lock. */
void      sp_lock_release      (SpLock      *lock);
const char *sp_lock_get_path   (SpLock      *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLock, sp_lock_release)

G_END_DECLS
