/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Who made a file: the host, boot and process that lock files and leftover
 * markers name, and whether that process still runs. */

/* TRUE if a process @pid with start time @start_time (0 = unknown: any)
 * is alive on this host. */
gboolean  sp_pid_is_alive      (gint64       pid,
                                guint64      start_time);
/* The start time of @pid (clock ticks since boot, /proc/PID/stat field 22),
 * or 0 when it does not exist. */
guint64   sp_pid_start_time    (gint64       pid);
/* This machine's host name (never NULL). */
const char *sp_host_name       (void);

/* /proc/sys/kernel/random/boot_id ("" when it cannot be read). */
const char *sp_boot_id         (void);
/* The first 8 hex digits of /proc/sys/kernel/random/boot_id. */
const char *sp_boot_id_short   (void);

G_END_DECLS
