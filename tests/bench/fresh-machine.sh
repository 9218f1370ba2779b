#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the benchmark as it runs on a fresh Debian 12 machine: debootstraps a
# minimal bookworm (nothing but the base system), clones this checkout's
# HEAD into it and runs tests/bench/run.sh there, which installs everything
# it needs with apt, builds Savepoint and generates its data. Shows that the
# benchmark's own set-up is complete, and how long the whole run takes.
#
#   tests/bench/fresh-machine.sh [run.sh options…]
#
# The SP_BENCH_* settings of run.sh pass through (paths are inside the new
# system).
# Root only (debootstrap, chroot, mounts). Only what is committed is tested.
# The system goes to $SP_BENCH_FRESH_DIR (default
# /var/tmp/savepoint-bench-fresh, removed first; it needs the ~6 GB of the
# benchmark's data, on a local disk). The chroot shares this machine's kernel,
# /dev, /sys and page cache, so its figures are this machine's. RESULTS.md
# is copied back into this checkout when the run succeeds.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
root=${SP_BENCH_FRESH_DIR:-/var/tmp/savepoint-bench-fresh}
suite=bookworm

log () { echo "fresh-machine.sh: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "run me as root: debootstrap, chroot and the benchmark's mounts need it"
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi
if grep -q " $root[/ ]" /proc/self/mountinfo; then
  log "something is still mounted under $root; unmount it first"
  exit 1
fi

# debian_mirror SUITE
source "$srcdir/build-aux/debian-mirror.sh"

rev=$(git -C "$srcdir" rev-parse HEAD)
log "a minimal $suite in $root"
rm -rf "$root"
debootstrap --variant=minbase "$suite" "$root" "$(debian_mirror "$suite")" >/dev/null

# The machine's own apt sources (updates and security too, as on an
# installed system) and name resolution.
rm -f "$root/etc/apt/sources.list"
cp -a /etc/apt/sources.list /etc/apt/sources.list.d "$root/etc/apt/" 2>/dev/null || true
cp /etc/resolv.conf "$root/etc/resolv.conf"

log "cloning $rev"
git clone -q --no-checkout "$srcdir" "$root/root/savepoint"
git -C "$root/root/savepoint" checkout -q "$rev"

# In a mount namespace of its own: every mount, the benchmark's included,
# goes away with it.
started=$(date +%s)
status=0
unshare --mount --propagation private bash -euc '
  root=$1; shift
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/tmp"
  mapfile -t settings < <(env | grep "^SP_BENCH_" | grep -v "^SP_BENCH_FRESH_DIR=" || true)
  exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    TERM="${TERM:-dumb}" LANG=C.UTF-8 "${settings[@]}" /bin/bash -c "cd /root/savepoint && exec tests/bench/run.sh \"\$@\"" run.sh "$@"
' fresh "$root" "$@" || status=$?
elapsed=$(( $(date +%s) - started ))

if [[ $status -ne 0 ]]; then
  log "the benchmark failed (exit $status) after $elapsed s"
  exit "$status"
fi
cp "$root/root/savepoint/tests/bench/RESULTS.md" "$here/RESULTS.md"
log "done in $((elapsed / 60)) min $((elapsed % 60)) s (debootstrap not counted); wrote $here/RESULTS.md"
