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
# Software rendering: no GL driver on a virtual X server (and none loaded and
# unloaded behind the leak checker's back).
export GSK_RENDERER=cairo
export NO_AT_BRIDGE=1
# No portals or other session services are started for the test.
export GTK_USE_PORTAL=0
export ADW_DISABLE_PORTAL=1
# Only GIO's built-in modules (local VFS, Unix volume monitor, memory
# settings): the tests do not depend on gvfs or dconf being installed.
export GIO_MODULE_DIR=/nonexistent/savepoint-no-gio-modules

# Under LeakSanitizer: add our suppressions (system GL driver leaks) to the
# ones the caller gave (LSan reads a single suppressions file).
here=$(cd "$(dirname "$0")" && pwd)
supp=
if [ -n "${LSAN_OPTIONS:-}${ASAN_OPTIONS:-}" ]; then
  supp=$(mktemp "${TMPDIR:-/tmp}/sp-ui-lsan-XXXXXX.supp")
  cat "$here/lsan.supp" > "$supp"
  given=$(printf '%s' "${LSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^suppressions=//p' | tail -n 1)
  if [ -n "$given" ] && [ -f "$given" ]; then
    cat "$given" >> "$supp"
  fi
  export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$supp"
  # Whole allocation stacks (system libraries have no frame pointers), so
  # that a suppression can name where an allocation came from.
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
fi

status=0
# SP_XVFB_SCREEN: a larger screen for screenshots (WIDTHxHEIGHTxDEPTH).
xvfb-run -a -s "-screen 0 ${SP_XVFB_SCREEN:-1280x800x24} -nolisten tcp" dbus-run-session -- "$@" || status=$?
if [ -n "$supp" ]; then
  rm -f "$supp"
fi
exit "$status"
