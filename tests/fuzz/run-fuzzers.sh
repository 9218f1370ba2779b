#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs each fuzz target of tests/fuzz/ with libFuzzer for a bounded time,
# starting from the committed seed corpus, and fails on any crash, leak,
# sanitizer report, timeout or out-of-memory. Prints one TAP line per target
# with its number of executions (build-aux/test-summary.py --fuzz reads them).
#
#   tests/fuzz/run-fuzzers.sh [--build-only | --no-build] [TARGET…]
#
# Builds with clang in $SAVEPOINT_FUZZ_BUILDDIR (default _build/fuzz,
# -Dfuzzing=true -Dui=disabled). $SAVEPOINT_FUZZ_SECONDS (default 20) per
# target. A crashing input is kept as $builddir/fuzz-artifacts/<target>-crash-…:
# commit it to tests/fuzz/corpus/<target>/ once the bug is fixed, so every
# `meson test` replays it. As root each target runs with its temporary files
# on a private 512 MiB tmpfs (fast, and a decompression bomb cannot fill the
# disk).
set -euo pipefail
cd "$(dirname "$0")/../.."

builddir=${SAVEPOINT_FUZZ_BUILDDIR:-_build/fuzz}
seconds=${SAVEPOINT_FUZZ_SECONDS:-20}
build=1
run=1
case "${1:-}" in
  --build-only) run=0; shift ;;
  --no-build) build=0; shift ;;
esac
targets=("$@")
if (( ${#targets[@]} == 0 )); then
  targets=(library game checkpoint run retention archive-metadata archive-entries wine-registry pe-icon)
fi

if (( build )); then
  if ! command -v clang >/dev/null; then
    echo "run-fuzzers.sh: clang is missing (build-aux/install-deps.sh --tests installs it)" >&2
    exit 1
  fi
  if [[ ! -f "$builddir/build.ninja" ]]; then
    CC=clang meson setup "$builddir" -Dfuzzing=true -Dui=disabled
  fi
  meson compile -C "$builddir" "${targets[@]/#/tests/fuzz/fuzz-}"
fi
(( run )) || exit 0

artifacts="$builddir/fuzz-artifacts"
logs="$builddir/fuzz-logs"
mkdir -p "$artifacts" "$logs"
work=$(mktemp -d "${TMPDIR:-/tmp}/sp-run-fuzzers-XXXXXX")
trap 'rm -rf "$work"' EXIT

private_tmpfs=0
if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null &&
   unshare --mount --propagation private true 2>/dev/null; then
  private_tmpfs=1
fi

echo "1..${#targets[@]}"
status=0
n=0
for target in "${targets[@]}"; do
  n=$((n + 1))
  exe="$builddir/tests/fuzz/fuzz-$target"
  seeds="tests/fuzz/corpus/$target"
  corpus="$work/$target-corpus"
  tmp="$work/$target-tmp"
  log="$logs/$target.log"
  mkdir -p "$corpus" "$tmp"
  rm -f "$artifacts/$target-"*

  # New inputs go to the first (scratch) folder; the committed seeds are
  # only read.
  cmd=("$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
       -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$corpus" "$seeds")
  env=(G_DEBUG=fatal-criticals LC_ALL=C.UTF-8 TMPDIR="$tmp"
       ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
       LSAN_OPTIONS=suppressions=$PWD/build-aux/lsan.supp:print_suppressions=0)
  rc=0
  if (( private_tmpfs )); then
    env "${env[@]}" unshare --mount --propagation private sh -c \
      'mount -t tmpfs -o size=512m,mode=0700 sp-fuzz "$TMPDIR" && exec "$@"' sh "${cmd[@]}" \
      >"$log" 2>&1 || rc=$?
  else
    env "${env[@]}" "${cmd[@]}" >"$log" 2>&1 || rc=$?
  fi

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  if (( rc == 0 )); then
    echo "ok $n fuzz-$target: ${execs:-0} executions in ${seconds} s (${cov:-cov: ?})"
  else
    status=1
    crash=$(ls "$artifacts/$target-"* 2>/dev/null | head -1 || true)
    echo "not ok $n fuzz-$target: ${execs:-0} executions, failed (exit $rc)${crash:+, input kept as $crash}; log: $log"
    # The report and its stack, for the test log.
    grep -E -A40 '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*(GLib|GLib-GIO)-(CRITICAL|ERROR)|.*ERROR:|ALARM|.*out-of-memory|.*-timeout)' "$log" \
      | head -60 | sed 's/^/# /'
  fi
done
exit "$status"
