#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Screenshots of Game Settings, Create a Library and Add Game at 360 px and
# 1280 × 800, light and dark (tests/ui/dialog-shots.c):
#   tests/ui/dialog-shots.sh BUILDDIR [OUTDIR]   (OUTDIR: BUILDDIR/dialog-shots)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "$1" && pwd)
outdir=${2:-$builddir/dialog-shots}
mkdir -p "$outdir"
command -v import >/dev/null || { echo "import (ImageMagick) is missing" >&2; exit 1; }
export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$builddir/data"
export SAVEPOINT_RUN="$builddir/src/supervisor/savepoint-run"
export LC_ALL=C.UTF-8
export SP_XVFB_SCREEN=1920x1080x24
exec "$here/xvfb-test.sh" "$builddir/tests/ui/dialog-shots" "$outdir"
