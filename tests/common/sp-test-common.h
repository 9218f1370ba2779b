/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the tests of every folder (libsptestcommon): real
 * temporary folders and files, libraries and games in them, waiting for
 * async results, and registering tests that cannot run here as skipped. */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "core/sp-library.h"

G_BEGIN_DECLS

/* A new temporary folder (sp-test-core-XXXXXX); fails the test if it
 * cannot be made. */
char         *tc_tmpdir                (void);
/* Removes @dir and everything in it; fails the test on an error. */
void          tc_rmtree                (const char   *dir);
/* Writes @contents to @dir/@name, making the folders of @name. */
void          tc_write                 (const char   *dir,
                                        const char   *name,
                                        const char   *contents);
/* The contents of @dir/@name; fails the test if it cannot be read. */
char         *tc_read                  (const char   *dir,
                                        const char   *name);
/* The number of entries in @dir (0 when it does not exist). */
guint         tc_count_entries         (const char   *dir);

/* A fresh library in a new temporary "drive"; *out_drive gets the drive. */
SpLibrary    *tc_new_library           (char        **out_drive);
/* A small game folder outside the library; returns its path (inside @root). */
char         *tc_make_source           (const char   *root,
                                        const char   *name);
/* Adds the native game in @source (game.exe) to @library as a copy. */
SpGame       *tc_add_game              (SpLibrary    *library,
                                        const char   *source,
                                        const char   *name);

/* Four files of 6 MiB (file0.bin …) in @root/big, big enough that copying
 * and packing them report progress more than once; returns the folder. */
char         *tc_make_big_source       (const char   *root);

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult * that
 * @user_data points to. */
void          tc_store_result_cb       (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data);
/* Runs the main context until tc_store_result_cb() has filled @slot. */
GAsyncResult *tc_wait_for              (GAsyncResult **slot);
/* A "notify" handler that counts its calls in the guint @count points to. */
void          tc_count_notify_cb       (GObject      *object,
                                        GParamSpec   *pspec,
                                        guint        *count);

/* The progress rule (core/sp-task-private.h): each progress callback of an
 * _async call runs in the thread and thread-default main context of the
 * call, the last values come before its callback, and none after it. */
typedef struct
{
  GThread      *thread;
  GMainContext *context;
  guint         calls;
  guint64       done;
  guint64       total;
  GAsyncResult *result;      /* set by tc_progress_result_cb() */
} TcProgress;

/* Records the calling thread and its thread-default main context. */
void          tc_progress_init         (TcProgress   *p);
void          tc_progress_clear        (TcProgress   *p);
/* An SpProgressFunc that checks the rule and records the values. */
void          tc_progress_cb           (guint64       done,
                                        guint64       total,
                                        gpointer      user_data);
/* An SpCopyProgressFunc: bytes go through tc_progress_cb(). */
void          tc_copy_progress_cb      (guint64       bytes_done,
                                        guint64       bytes_total,
                                        guint64       files_done,
                                        guint64       files_total,
                                        gpointer      user_data);
/* The GAsyncReadyCallback of the call whose progress @user_data checks. */
void          tc_progress_result_cb    (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data);
/* Runs the call's main context until its callback ran, then until nothing
 * is pending, so a late progress call would be caught; fails the test if
 * there was no progress at all. */
GAsyncResult *tc_progress_wait         (TcProgress   *p);

/* Registers a test at @path that only reports itself skipped with @reason:
 * for a test that cannot run on this machine, so the TAP output says
 * "ok … # SKIP @reason" instead of leaving the test out. */
void          tc_add_skipped           (const char   *path,
                                        const char   *reason);
/* Why /dev/fuse cannot be opened for reading and writing here (a string
 * to free), or NULL when it can. */
char         *tc_fuse_unusable_reason  (void);
/* Why the player tests (run as uid 1500 with setpriv) cannot run here, or
 * NULL when they can. */
char         *tc_no_player_reason      (void);
/* Why the player (uid 1500, the account "sp-player", made here when it is
 * missing, as the other player tests share it) cannot mount the overlay
 * through fusermount3 here, or NULL when they can; makes /dev/fuse usable
 * by normal users (0666), as desktops have it. */
char         *tc_player_mount_unusable_reason (void);
/* chown -R @uid:@uid @path, links themselves (not their targets). */
void          tc_chown_tree            (const char   *path,
                                        uid_t         uid);

/* Moves this process into a mount namespace of its own with private
 * propagation, so that its mounts stay its own. The FUSE mounts it copied
 * from the namespace it left are detached in its copy: another test's
 * overlay, mounted at that moment, would otherwise be pinned by the copy
 * until this process ends, and that test's unmount would wait for us.
 * FALSE (with a test message) where no namespace can be made. */
gboolean      tc_private_mount_namespace (void);

G_END_DECLS
