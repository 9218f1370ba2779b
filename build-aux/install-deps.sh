#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Savepoint needs, only those that are missing.
#   build-aux/install-deps.sh          what building and running the app needs
#   build-aux/install-deps.sh --tests  plus what the test suite needs
#   build-aux/install-deps.sh --bench  what tests/bench/run.sh needs: a build
#                                      without the UI (-Dui=disabled) and the
#                                      file systems and tools it compares with
# The one list of packages: the README's commands and the benchmark use it.
set -euo pipefail

# meson setup with -Dui=disabled: the libraries, glib-compile-schemas (from
# libglib2.0-dev), msgfmt and yelp-check (help/ is checked in every build).
core=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libjson-glib-dev libfuse3-dev fuse3 libarchive-dev libzstd-dev nettle-dev
  yelp-tools itstool
)
ui=(libgtk-4-dev libadwaita-1-dev desktop-file-utils appstream)
# exfat, ntfs-3g: libraries on FUSE-mounted exFAT and NTFS drives (tests/drives,
# the export test); dosfstools, fusefat: a FAT32 drive (tests/core/test-retention);
# clang and its runtime libraries: the libFuzzer stage (tests/fuzz/run-fuzzers.sh).
tests=(xvfb xauth dbus dbus-x11 fuse-overlayfs attr zstd tar imagemagick wine wine64
       exfatprogs exfat-fuse ntfs-3g dosfstools fusefat clang libclang-rt-14-dev)
bench=(fuse-overlayfs git zstd tar time python3 util-linux)

case "${1:-}" in
  "") packages=("${core[@]}" "${ui[@]}") ;;
  --tests) packages=("${core[@]}" "${ui[@]}" "${tests[@]}") ;;
  --bench) packages=("${core[@]}" "${bench[@]}") ;;
  *) echo "install-deps.sh: unknown option $1 (--tests, --bench or nothing)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if (( ${#missing[@]} )); then
  echo "Installing: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
