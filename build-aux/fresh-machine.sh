#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command of this checkout as it runs on a fresh Debian 12 machine:
# debootstraps a minimal bookworm (nothing but the base system), clones this
# checkout's HEAD into it and runs the command there, which must install
# everything it needs itself. Shows that the project's own set-up is
# complete.
#
#   build-aux/fresh-machine.sh [COMMAND [ARGS…]]    (default: build-aux/run-tests.sh)
#
# SAVEPOINT_* and SP_BENCH_* settings pass through (paths are inside the new
# system), e.g. SAVEPOINT_SKIP_FLATPAK=1 build-aux/fresh-machine.sh.
# Root only (debootstrap, chroot, mounts). Only what is committed is tested.
# The system goes to $SAVEPOINT_FRESH_DIR (default /var/tmp/savepoint-fresh,
# removed first, on a local disk). The chroot shares this machine's kernel,
# /dev, /sys and page cache. The checkout inside stays there after the run
# ($SAVEPOINT_FRESH_DIR/root/savepoint) for whatever the caller copies back.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/.." && pwd)
root=${SAVEPOINT_FRESH_DIR:-/var/tmp/savepoint-fresh}
suite=bookworm

log () { echo "fresh-machine.sh: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "run me as root: debootstrap, chroot and the tests' mounts need it"
  exit 1
fi
if (( $# == 0 )); then
  set -- build-aux/run-tests.sh
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
# An installed system has /etc/mtab (a link to the kernel's list); a
# minbase debootstrap does not, and fusermount3 needs it to unmount as a
# normal user.
[[ -e $root/etc/mtab ]] || ln -s ../proc/self/mounts "$root/etc/mtab"

log "cloning $rev"
git clone -q --no-checkout "$srcdir" "$root/root/savepoint"
git -C "$root/root/savepoint" checkout -q "$rev"

# In a mount namespace of its own: every mount the command makes goes away
# with it.
started=$(date +%s)
status=0
unshare --mount --propagation private bash -euc '
  root=$1; shift
  # The new system'"'"'s / must be a mount point, as on a real machine: tests
  # that make mount namespaces of their own (unshare --propagation) need it.
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/tmp"
  mapfile -t settings < <(env | grep -E "^(SAVEPOINT|SP_BENCH)_" |
                          grep -v "^SAVEPOINT_FRESH_DIR=" || true)
  exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    TERM="${TERM:-dumb}" LANG=C.UTF-8 "${settings[@]}" \
    /bin/bash -c "cd /root/savepoint && exec \"\$@\"" command "$@"
' fresh "$root" "$@" || status=$?
elapsed=$(( $(date +%s) - started ))

if [[ $status -ne 0 ]]; then
  log "“$*” failed (exit $status) after $elapsed s"
  exit "$status"
fi
log "“$*” passed in $((elapsed / 60)) min $((elapsed % 60)) s (debootstrap not counted)"
