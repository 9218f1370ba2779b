#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a UI test binary on a private X server with a private session bus:
#   xvfb-test.sh TEST-BINARY [ARGS...]
# Fails (does not skip) when xvfb-run or dbus-run-session is missing: the UI
# tests are part of the suite.
set -eu
for tool in xvfb-run dbus-run-session xauth; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Bail out! $tool is missing: install it (build-aux/install-deps.sh --tests)" 
    exit 1
  fi
done
export GDK_BACKEND=x11
export GTK_A11Y=none
export NO_AT_BRIDGE=1
# No portals or other session services are started for the test.
export GTK_USE_PORTAL=0
export ADW_DISABLE_PORTAL=1
exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" dbus-run-session -- "$@"
