#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Screenshots of the main screens (empty state, grid, game page, checkpoint
# menu, undo toast, running game, keep dialog, add game, preferences; the
# grid of 8+ games at 360, 1280 and 1920 px, light and dark), taken on Xvfb
# with `import -window root`:
#   tests/ui/screenshots.sh BUILDDIR [OUTDIR]     (OUTDIR: BUILDDIR/screenshots)
# or `meson compile -C BUILDDIR screenshots`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "$1" && pwd)
outdir=${2:-$builddir/screenshots}
mkdir -p "$outdir"
command -v import >/dev/null || { echo "import (ImageMagick) is missing" >&2; exit 1; }
export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$builddir/data"
export SAVEPOINT_RUN="$builddir/src/supervisor/savepoint-run"
export LC_ALL=C.UTF-8
# Room for the 1920 × 1080 shots (each shot is cropped to its window).
export SP_XVFB_SCREEN=1920x1080x24
exec "$here/xvfb-test.sh" "$builddir/tests/ui/screenshot-driver" "$outdir"
