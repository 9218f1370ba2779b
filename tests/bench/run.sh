#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Savepoint's benchmarks: savepoint-overlayfs side by side with fuse-overlayfs,
# the kernel overlay and the plain directory, and play sessions side by side
# with what a player would otherwise do. Writes tests/bench/RESULTS.md.
#
#   tests/bench/run.sh            the full run (under 20 minutes on 2 cores)
#   tests/bench/run.sh --quick    small sizes, one repetition (a few minutes)
#
# Run as root (it mounts the kernel overlay and drops the page cache). It
# installs what is missing with apt, builds Savepoint with meson in release
# mode into its own build dir, generates its data with fixed seeds and keeps
# everything under $SP_BENCH_DIR (default /var/tmp/savepoint-bench), which
# must be on a local disk. Every mount it makes is removed when it ends, also
# on Ctrl+C or an error.
#
# Sizes and repetitions can be set in the environment (full / --quick):
#   SP_BENCH_REPS (5/1)  SP_BENCH_REPS_BIG (3/1)  SP_BENCH_TREE_FILES (100000/5000)
#   SP_BENCH_FLAT_FILES (20000/2000)  SP_BENCH_BIG_MB (1024/64)
#   SP_BENCH_RAND_READS (20000/2000)  SP_BENCH_CREATE_FILES (20000/2000)
#   SP_BENCH_COPYUP_FILES (500/20)  SP_BENCH_SOURCE_FILES (20000/2000)
#   SP_BENCH_BASES ("1000 10000 100000"/"100 1000")
#   SP_BENCH_CHANGES_MB ("1 100 1024"/"1 16")  SP_BENCH_GAME_MB (256/16)
# and: SP_BENCH_ONLY="1 3 9" (workloads to run), SP_BENCH_FS="savepoint kernel"
# (file systems), SP_BENCH_WINE=0 (no Wine), SP_BENCH_OUT (report path),
# SP_BENCH_NO_APT=1, SP_BENCH_NO_BUILD=1.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
command_line="tests/bench/run.sh${*:+ $*}"

for arg in "$@"; do
  case "$arg" in
    --quick) export SP_BENCH_QUICK=1 ;;
    -h|--help) sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    exec sudo --preserve-env "$0" "$@"
  fi
  echo "run.sh: run me as root: the kernel overlay and dropping caches need it" >&2
  exit 1
fi

export SP_BENCH_DIR=${SP_BENCH_DIR:-/var/tmp/savepoint-bench}
export SP_BENCH_BUILD=${SP_BENCH_BUILD:-$SP_BENCH_DIR/build}
export SP_BENCH_TOOLS=$SP_BENCH_DIR/tools
export SP_BENCH_COMMAND=$command_line
# the report gives the time from here, packages and build included
export SP_BENCH_STARTED=${SP_BENCH_STARTED:-$(date +%s.%N)}
mkdir -p "$SP_BENCH_DIR"

# Whatever happens, leave no mount behind: everything under $SP_BENCH_DIR,
# deepest first; a busy one is retried, then detached.
cleanup () {
  local point
  # No mount left is the normal case: grep's "no match" must not become the
  # script's exit status (set -e applies inside the EXIT trap).
  { grep -o " $SP_BENCH_DIR/[^ ]*" /proc/self/mountinfo || true; } | sed 's/^ //' | sort -r |
  while read -r point; do
    echo "run.sh: unmounting $point" >&2
    WINEPREFIX=$point wineserver -k 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      umount "$point" 2>/dev/null && break
      sleep 0.5
    done
    if grep -q " $point " /proc/self/mountinfo; then
      umount -l "$point" || true
    fi
  done
}
trap cleanup EXIT
trap 'cleanup; trap - INT; kill -INT $$' INT
trap 'cleanup; exit 143' TERM

# ---- tools ----
# The packages come from build-aux/install-deps.sh --bench, the project's one list.
if [ "${SP_BENCH_NO_APT:-0}" != 1 ]; then
  "$srcdir/build-aux/install-deps.sh" --bench
  if [ "${SP_BENCH_WINE:-auto}" != 0 ] && ! command -v wine >/dev/null; then
    echo "run.sh: installing Wine (optional: the Wine workloads are skipped without it)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 \
      || echo "run.sh: Wine could not be installed; its workloads will say skipped" >&2
  fi
fi

# ---- build ----
if [ "${SP_BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "run.sh: building Savepoint (release) in $SP_BENCH_BUILD" >&2
  if [ -f "$SP_BENCH_BUILD/build.ninja" ]; then
    meson configure "$SP_BENCH_BUILD" -Dbuildtype=release -Dui=disabled >/dev/null
  else
    meson setup "$SP_BENCH_BUILD" "$srcdir" -Dbuildtype=release -Dui=disabled >/dev/null
  fi
  # only what the benchmark runs: no tests, no UI
  targets=()
  ninja -C "$SP_BENCH_BUILD" build.ninja >/dev/null
  all_targets=$(ninja -C "$SP_BENCH_BUILD" -t targets all 2>/dev/null)
  for t in src/overlay/savepoint-overlayfs src/cli/savepoint-cli src/supervisor/savepoint-run; do
    grep -q "^$t:" <<<"$all_targets" && targets+=("$t")
  done
  ninja -C "$SP_BENCH_BUILD" -j 2 "${targets[@]}" >/dev/null
fi
mkdir -p "$SP_BENCH_TOOLS"
gcc -O2 -Wall -Wextra -Werror -o "$SP_BENCH_TOOLS/fsbench" "$here/fsbench.c"
gcc -O2 -Wall -Wextra -Werror -o "$SP_BENCH_TOOLS/game" "$here/game.c"

# ---- run ----
python=/usr/bin/python3
[ -x "$python" ] || python=python3
"$python" "$here/bench.py"
