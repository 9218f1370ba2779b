#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds Savepoint and runs the app from the build folder:
#   build-aux/run-app.sh [APP ARGS...]
# Installs what is missing first (build-aux/install-deps.sh). The app shows
# the libraries on connected drives; with none, a built-in demo library with
# a small demo game ($XDG_DATA_HOME/savepoint/demo) so every feature can be
# tried right away.
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/install-deps.sh

builddir=${SAVEPOINT_APP_BUILDDIR:-_build/app}
if [[ -f "$builddir/build.ninja" ]]; then
  meson setup --reconfigure "$builddir" -Ddevelopment=true >/dev/null
else
  meson setup "$builddir" -Ddevelopment=true
fi
meson compile -C "$builddir"

# Run from the build folder: the compiled GSettings schema and the session
# supervisor live there, not in the system's folders.
export GSETTINGS_SCHEMA_DIR="$PWD/$builddir/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
export SAVEPOINT_RUN="$PWD/$builddir/src/supervisor/savepoint-run"
exec "$builddir/src/ui/savepoint" "$@"
