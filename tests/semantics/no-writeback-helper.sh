#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# savepoint-overlayfs as play sessions mount it: without the FUSE writeback
# cache (SpOverlayOptions.no_writeback). Same syntax as the real helper:
# SOURCE MOUNTPOINT -o OPTIONS; $SP_OVERLAYFS_REAL is the binary.
set -eu
[ $# -eq 4 ] && [ "$3" = "-o" ] || { echo "usage: $0 SOURCE MOUNTPOINT -o OPTIONS" >&2; exit 2; }
exec "$SP_OVERLAYFS_REAL" "$1" "$2" -o "$4,no_writeback"
