#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds Savepoint as a real Flatpak without downloading the GNOME runtime:
#
#   1. debootstraps Debian 12 (bookworm, minbase) twice: a Platform with what the app
#      needs at run time, and an SDK with what it needs to build; both are cached;
#   2. commits each tree's usr/ (with etc/ as usr/etc, setuid/setgid bits stripped) as a
#      Flatpak runtime with ostree, xa.metadata byte-identical to the tree's metadata file;
#   3. installs both runtimes (user installation) and builds the app from this checkout
#      with flatpak-builder against them (io.github.savepoint.Savepoint.Debian.json);
#   4. exports app and runtime into one local repository (default _build/flatpak/repo)
#      and prints how to add it as a remote and install from it.
#
# Usage: build-aux/flatpak/build-local.sh [--repo DIR] [--cache DIR] [--stage runtime|all]
#                                         [--command NAME]
#   --command NAME  the app's command instead of "savepoint", for a tree without the
#                   GTK app (the manifest is rewritten into _build/flatpak for that)
# Needs root (debootstrap) and the Debian packages flatpak, flatpak-builder, ostree and
# debootstrap (installed when missing). A second run reuses the cached trees and commits
# and only rebuilds the app.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)

app_id=io.github.savepoint.Savepoint
platform_id=io.github.savepoint.BookwormPlatform
sdk_id=io.github.savepoint.BookwormSdk
branch=12
arch=$(uname -m)
suite=bookworm

repo="$srcdir/_build/flatpak/repo"
cache="${SAVEPOINT_FLATPAK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/savepoint-flatpak}"
stage=all
command=

while (( $# )); do
  case "$1" in
    --repo) repo=$(realpath -m "$2"); shift 2 ;;
    --cache) cache=$(realpath -m "$2"); shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    --command) command=$2; shift 2 ;;
    -h|--help) sed -n '3,22p' "$0"; exit 0 ;;
    *) echo "build-local.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# What the app needs at run time. Not fuse3: its /usr/bin/fusermount3 would lose its
# setuid bit in a runtime anyway, and libfuse tries /usr/bin/fusermount3 before PATH, so
# with it present the sandbox's fusermount3 wrapper (/app/bin) would never be used.
platform_packages=(
  libglib2.0-0 libglib2.0-bin libgtk-4-1 libadwaita-1-0 libfuse3-3 libarchive13
  libjson-glib-1.0-0 librsvg2-common gsettings-desktop-schemas fonts-cantarell
  flatpak-xdg-utils zstd
  # dconf-service (pulled by gsettings-desktop-schemas and libgtk-4-common) wants a
  # dbus-session-bus, a virtual package debootstrap cannot resolve by itself.
  dbus-x11
)
# What building it needs (flatpak-builder also wants eu-strip and appstream-compose).
sdk_packages=(
  "${platform_packages[@]}"
  gcc libc6-dev pkg-config meson ninja-build gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libfuse3-dev libarchive-dev nettle-dev libjson-glib-dev
  desktop-file-utils appstream-util itstool elfutils binutils patch
  # the app's meson build looks these up too (help/, data/ validators, icon cache)
  yelp-tools appstream libgtk-4-bin libxml2-utils
)

log () { printf '\033[1m== %s\033[0m\n' "$*"; }
die () { echo "build-local.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "debootstrap needs root; run this script as root (sudo)."

need=()
# flatpak-builder strips the build with the host's eu-strip (elfutils).
for tool in flatpak:flatpak flatpak-builder:flatpak-builder ostree:ostree debootstrap:debootstrap eu-strip:elfutils; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if (( ${#need[@]} )); then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi

# debian_mirror SUITE
source "$srcdir/build-aux/debian-mirror.sh"
mirror=$(debian_mirror "$suite")

mkdir -p "$cache/debs"

# debootstrap NAME PACKAGES…: a cached minbase tree in $cache/NAME/rootfs, rebuilt only
# when the package list, suite or mirror changed.
bootstrap_tree () {
  local name=$1; shift
  local dir="$cache/$name" key
  key=$(printf '%s\n' "$suite" "$mirror" "$@" | sha256sum | cut -c1-16)
  if [[ -f $dir/stamp && $(cat "$dir/stamp") == "$key" ]]; then
    log "$name: cached tree $dir/rootfs"
    return
  fi
  log "$name: debootstrap $suite from $mirror"
  rm -rf "$dir"
  mkdir -p "$dir"
  local include
  include=$(IFS=,; echo "$*")
  debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$include" \
    "$suite" "$dir/rootfs" "$mirror" || die "debootstrap of $name failed; see $dir/rootfs/debootstrap/debootstrap.log"
  # Shrink: the runtime needs neither apt's package cache nor documentation.
  rm -rf "$dir/rootfs/var/cache/apt/archives/"*.deb "$dir/rootfs/usr/share/doc" \
    "$dir/rootfs/usr/share/man" "$dir/rootfs/usr/share/info"
  echo "$key" > "$dir/stamp"
}

# commit_runtime NAME ID RUNTIME_ID: $cache/NAME/rootfs as runtime/ID/ARCH/BRANCH in the
# cache repository; skipped when the commit of the same tree is already there.
commit_runtime () {
  local name=$1 id=$2 runtime_id=$3
  local dir="$cache/$name" ref="runtime/$2/$arch/$branch" key old md
  # The tree's key, plus the version of what this function does to it.
  key="$(cat "$dir/stamp")-2"
  old=$(ostree --repo="$cache/repo" show --print-metadata-key=savepoint.tree-key "$ref" 2>/dev/null || true)
  if [[ $old == "'$key'" ]]; then
    log "$name: $ref already committed"
    return
  fi
  log "$name: committing $ref"
  rm -rf "$dir/tree"
  mkdir -p "$dir/tree"
  cp -a "$dir/rootfs/usr" "$dir/tree/files"
  # /etc travels as usr/etc, which Flatpak binds entry by entry onto the sandbox's /etc.
  cp -a "$dir/rootfs/etc" "$dir/tree/files/etc"
  rm -f "$dir/tree/files/etc/"{shadow,gshadow,shadow-,gshadow-,machine-id,hostname,resolv.conf}
  # A runtime has no setuid/setgid programs (Flatpak refuses them in user installations,
  # and they would be useless under no_new_privs anyway).
  find "$dir/tree/files" -type f -perm /6000 -exec chmod ug-s {} +
  # Debian keeps flatpak-spawn out of PATH (its xdg-open would shadow xdg-utils'); in a
  # runtime it belongs on PATH, as in the freedesktop runtimes.
  if [[ -x $dir/tree/files/libexec/flatpak-xdg-utils/flatpak-spawn && ! -e $dir/tree/files/bin/flatpak-spawn ]]; then
    ln -s ../libexec/flatpak-xdg-utils/flatpak-spawn "$dir/tree/files/bin/flatpak-spawn"
  fi
  cat > "$dir/tree/metadata" <<METADATA
[Runtime]
name=$id
runtime=$runtime_id/$arch/$branch
sdk=$sdk_id/$arch/$branch
METADATA
  # xa.metadata must be byte-identical to the metadata file (Flatpak compares them on
  # install); $(cat) would drop its final newline, so keep it with a sentinel.
  md=$(cat "$dir/tree/metadata"; printf x)
  md=${md%x}
  [[ -d $cache/repo/objects ]] || ostree --repo="$cache/repo" init --mode=archive-z2
  ostree --repo="$cache/repo" commit --branch="$ref" \
    --subject="$id from Debian $suite (debootstrap minbase)" \
    --owner-uid=0 --owner-gid=0 --no-xattrs --canonical-permissions \
    --add-metadata-string=xa.metadata="$md" \
    --add-metadata-string=savepoint.tree-key="$key" \
    "$dir/tree" >/dev/null
  rm -rf "$dir/tree"
  flatpak build-update-repo "$cache/repo" >/dev/null
}

bootstrap_tree platform "${platform_packages[@]}"
bootstrap_tree sdk "${sdk_packages[@]}"
commit_runtime platform "$platform_id" "$platform_id"
commit_runtime sdk "$sdk_id" "$sdk_id"

# The runtimes flatpak-builder builds against live in an installation of their own, so
# that the user's installations are left alone.
export FLATPAK_USER_DIR="$cache/flatpak-user"
if ! flatpak remote-list --user --columns=name | grep -qx savepoint-bookworm; then
  flatpak remote-add --user --no-gpg-verify savepoint-bookworm "file://$cache/repo"
fi
for id in "$platform_id" "$sdk_id"; do
  if flatpak info --user "$id//$branch" >/dev/null 2>&1; then
    flatpak update --user -y --noninteractive "$id//$branch" >/dev/null
  else
    log "installing $id//$branch into $FLATPAK_USER_DIR"
    flatpak install --user -y --noninteractive savepoint-bookworm "runtime/$id/$arch/$branch"
  fi
done
if [[ $stage == runtime ]]; then
  log "runtimes ready"
  exit 0
fi

log "building $app_id with flatpak-builder"
mkdir -p "$(dirname "$repo")"
[[ -d $repo/objects ]] || ostree --repo="$repo" init --mode=archive-z2
manifest="$here/$app_id.Debian.json"
if [[ -n $command ]]; then
  manifest="$srcdir/_build/flatpak/$app_id.Debian.json"
  python3 - "$here/$app_id.Debian.json" "$manifest" "$command" "$here" "$srcdir" <<'PY'
import json, os, sys
src, dst, command, here, srcdir = sys.argv[1:]
m = json.load(open(src))
m['command'] = command
for module in m['modules']:
    for source in module.get('sources', []):
        if 'path' in source:
            source['path'] = os.path.normpath(os.path.join(here, source['path']))
open(dst, 'w').write(json.dumps(m, indent=2) + '\n')
PY
fi
flatpak-builder --user --force-clean --disable-rofiles-fuse --disable-updates \
  --state-dir="$cache/builder-state" --repo="$repo" \
  "$srcdir/_build/flatpak/app" "$manifest"

# One repository for users: the app and the runtime it needs.
ostree --repo="$repo" pull-local "$cache/repo" "runtime/$platform_id/$arch/$branch"
flatpak build-update-repo --prune "$repo" >/dev/null

log "done: $repo"
cat <<EOF

Install Savepoint from this repository:

  flatpak remote-add --user --no-gpg-verify savepoint-local file://$repo
  flatpak install --user savepoint-local $app_id
  flatpak run $app_id

(The runtime $platform_id//$branch comes from the same repository.)
EOF
