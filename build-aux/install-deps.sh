#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Savepoint needs, only those that are missing.
#   build-aux/install-deps.sh          what building and running the app needs
#   build-aux/install-deps.sh --tests  plus what the test suite needs
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libjson-glib-dev libgtk-4-dev libadwaita-1-dev libfuse3-dev fuse3 libarchive-dev nettle-dev
  desktop-file-utils appstream yelp-tools itstool
)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(
    xvfb xauth dbus dbus-x11 fuse-overlayfs attr zstd tar
    imagemagick wine wine64
  )
fi

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
