/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the fuzz targets: one temporary folder per process, in which
 * each input is written where the parser under test expects a file from a
 * drive. Built either with libFuzzer (-Dfuzzing=true) or with fuzz-replay.c,
 * which feeds every file of a corpus folder to the target. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int          LLVMFuzzerTestOneInput (const uint8_t *data,
                                     size_t         size);

/* An empty folder <process folder>/@name, emptied again on each call. The
 * process folder is removed when the process exits normally. */
char        *fuzz_fresh_dir         (const char    *name);

/* Writes @size bytes to @dir/@name (creating the folders of @name). Returns
 * the path. */
char        *fuzz_write             (const char    *dir,
                                     const char    *name,
                                     const uint8_t *data,
                                     size_t         size);

/* The names in @dir, sorted and joined with "/" (for "nothing else was
 * left behind" checks). */
char        *fuzz_list_dir          (const char    *dir);

G_END_DECLS

G_BEGIN_DECLS

/* The archive targets take either a whole .tar.zst (an input that starts
 * with the zstd magic number, used as it is) or a plain tar, which is
 * compressed first so that mutations reach the tar headers rather than die
 * in the zstd decoder. Returns the bytes to write as the archive file. */
GBytes      *fuzz_archive_bytes     (const uint8_t *data,
                                     size_t         size);

G_END_DECLS
