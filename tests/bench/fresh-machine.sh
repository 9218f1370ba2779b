#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the benchmark as it runs on a fresh Debian 12 machine
# (build-aux/fresh-machine.sh: a minimal debootstrapped bookworm with this
# checkout's HEAD cloned into it), where tests/bench/run.sh installs
# everything it needs with apt, builds Savepoint and generates its data.
# Shows that the benchmark's own set-up is complete, and how long the whole
# run takes.
#
#   tests/bench/fresh-machine.sh [run.sh options…]
#
# The SP_BENCH_* settings of run.sh pass through (paths are inside the new
# system). Root only. The system goes to $SP_BENCH_FRESH_DIR (default
# /var/tmp/savepoint-bench-fresh; it needs the ~6 GB of the benchmark's
# data, on a local disk). The chroot shares this machine's kernel, /dev,
# /sys and page cache, so its figures are this machine's. RESULTS.md is
# copied back into this checkout when the run succeeds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
root=${SP_BENCH_FRESH_DIR:-/var/tmp/savepoint-bench-fresh}

SAVEPOINT_FRESH_DIR=$root "$srcdir/build-aux/fresh-machine.sh" tests/bench/run.sh "$@"
cp "$root/root/savepoint/tests/bench/RESULTS.md" "$here/RESULTS.md"
echo "fresh-machine.sh: wrote $here/RESULTS.md" >&2
