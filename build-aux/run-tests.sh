#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds Savepoint with warnings as errors and runs
# the whole test suite twice: a plain build, then under AddressSanitizer and
# UndefinedBehaviorSanitizer; then runs each fuzz target with libFuzzer for
# a bounded time (tests/fuzz/run-fuzzers.sh, about 2 minutes).
#
# The tests mount FUSE and kernel overlay file systems, so they run as root
# (sudo is used when needed).
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/install-deps.sh --tests

run() {
  if [[ $(id -u) -ne 0 ]]; then sudo --preserve-env "$@"; else "$@"; fi
}

builddir=${SAVEPOINT_BUILDDIR:-_build/tests}
asandir=${SAVEPOINT_ASAN_BUILDDIR:-_build/asan}
export SAVEPOINT_FUZZ_BUILDDIR=${SAVEPOINT_FUZZ_BUILDDIR:-_build/fuzz}

setup() {
  local dir=$1; shift
  if [[ -f "$dir/build.ninja" ]]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

echo "== Build (-Werror)"
setup "$builddir" -Dwerror=true -Ddevelopment=true
meson compile -C "$builddir"

echo "== Tests"
run meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"

if [[ "${SAVEPOINT_SKIP_ASAN:-}" != 1 ]]; then
  echo "== Build (ASan + UBSan, -Werror)"
  setup "$asandir" -Dwerror=true -Ddevelopment=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debug
  meson compile -C "$asandir"

  echo "== Tests under ASan + UBSan"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  LSAN_OPTIONS=suppressions=$PWD/build-aux/lsan.supp:print_suppressions=0 \
    run meson test -C "$asandir" --print-errorlogs --num-processes 2 \
      --timeout-multiplier 3 "$@"
fi

fuzz_log=
fuzz_status=0
# libFuzzer (clang, ASan + UBSan), each target for 20 s from the committed
# seed corpus. Only for the whole suite; SAVEPOINT_SKIP_FUZZ=1 leaves it out.
# A failure is reported in the closing lines and makes the script fail.
if [[ "${SAVEPOINT_SKIP_FUZZ:-}" != 1 && $# -eq 0 ]]; then
  echo "== Build the fuzz targets (clang, libFuzzer + ASan + UBSan)"
  tests/fuzz/run-fuzzers.sh --build-only
  echo "== Fuzzing: each target for ${SAVEPOINT_FUZZ_SECONDS:-20} s"
  fuzz_log=$(mktemp)
  run tests/fuzz/run-fuzzers.sh --no-build | tee "$fuzz_log" || fuzz_status=$?
fi

flatpak_log=
# The Flatpak: builds a local repository (its Debian runtime cached under
# ~/.cache/savepoint-flatpak), installs the app from it and plays the demo game
# from inside the sandbox. Under a minute once cached, about 4 minutes the first
# time. Only for the whole suite; SAVEPOINT_SKIP_FLATPAK=1 leaves it out.
if [[ "${SAVEPOINT_SKIP_FLATPAK:-}" != 1 && $# -eq 0 ]]; then
  echo "== Flatpak: build a local repository, install from it, play the demo game in the sandbox"
  flatpak_log=$(mktemp)
  run timeout 2400 tests/flatpak/run.sh | tee "$flatpak_log"
fi

# One closing line for the whole run: meson's own summaries are per stage.
summary_status=0
python3 build-aux/test-summary.py "$builddir" "$asandir" ${flatpak_log:+--tap "$flatpak_log"} \
  ${fuzz_log:+--fuzz "$fuzz_log"} || summary_status=$?
[[ -z "$flatpak_log" ]] || rm -f "$flatpak_log"
[[ -z "$fuzz_log" ]] || rm -f "$fuzz_log"
if (( fuzz_status != 0 )); then
  echo "Fuzzing failed (exit $fuzz_status): see the lines above and $SAVEPOINT_FUZZ_BUILDDIR/fuzz-logs/." >&2
  exit 1
fi
exit "$summary_status"
