#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak, for real: builds it (build-aux/flatpak/build-local.sh, cached), installs
# it from the local repository into a fresh user installation like a user would
# (remote-add + install, the runtime coming from the same repository), then, under
# dbus-run-session (for the Flatpak session helper behind flatpak-spawn --host) and
# xvfb-run, checks:
#   1. the sandbox: /.flatpak-info, fusermount3 on PATH is the host-forwarding wrapper;
#   2. flatpak-spawn --host reaches the host;
#   3. an overlay mounted from inside the sandbox (savepoint-overlayfs through the
#      wrapper) is visible to a host process, whose writes land in the upper dir;
#   4. the app window starts (flatpak run under Xvfb), when the app is built;
#   5. a demo game on a library in /mnt is played from the sandbox with
#      savepoint-cli play --keep: the game (on the host) sees the overlay, the run is
#      kept, and the checkpoint is listed by savepoint-cli checkpoints;
#   6. a game whose Executable leads out of its clean install through a link is
#      refused by savepoint-run on the host.
#
# Usage: tests/flatpak/run.sh [--no-build] [--fresh] [--command NAME]
#   --no-build  use the repository as it is (_build/flatpak/repo)
#   --fresh     also throw away the cached test installation (runtime reinstalled)
#   --command   passed to build-local.sh (a tree without the GTK app: savepoint-cli)
# Needs root (debootstrap, a test library under /mnt, FUSE on the host). TAP output.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
app_id=io.github.savepoint.Savepoint
cache="${SAVEPOINT_FLATPAK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/savepoint-flatpak}"
repo="$srcdir/_build/flatpak/repo"

if [[ ${1:-} == --inner ]]; then
  shift
else
  build=1 fresh=0 build_args=()
  while (( $# )); do
    case $1 in
      --no-build) build=0 ;;
      --fresh) fresh=1 ;;
      --command) build_args+=(--command "$2"); shift ;;
      *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
  done
  [[ $(id -u) -eq 0 ]] || { echo "run.sh: run as root" >&2; exit 1; }
  for tool in xvfb-run dbus-run-session xwininfo; do
    command -v "$tool" >/dev/null || {
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        xvfb xauth dbus dbus-x11 x11-utils >/dev/null
      break
    }
  done
  start=$(date +%s)
  if (( build )); then
    "$srcdir/build-aux/flatpak/build-local.sh" --repo "$repo" --cache "$cache" "${build_args[@]}" >&2
  fi
  [[ -d $repo/refs/heads/app/$app_id ]] || { echo "run.sh: no $app_id in $repo; build it first" >&2; exit 1; }
  if (( fresh )); then
    rm -rf "$cache/test-user"
  fi
  # Flatpak wants the user's runtime dir; a bare root shell has none.
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
  mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
  status=0
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    bash "$0" --inner "$repo" "$cache" || status=$?
  echo "# took $(( $(date +%s) - start )) s"
  exit $status
fi

repo=$1 cache=$2
export FLATPAK_USER_DIR="$cache/test-user"
n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip () { n=$((n + 1)); echo "ok $n - # SKIP $*"; }
diag () { sed 's/^/# /'; }

drive=/mnt/savepoint-flatpak-test
host_state="$HOME/.var/app/$app_id"
mounts="$XDG_RUNTIME_DIR/app/$app_id/savepoint"
cleanup () {
  local m
  # Also dead mounts (ENOTCONN), which mountpoint(1) cannot stat.
  for m in $(awk -v d="$mounts/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo); do
    fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$drive"
}
trap cleanup EXIT
cleanup

# --- install from the repository, as README says ---------------------------------------
flatpak uninstall --user -y --noninteractive "$app_id" >/dev/null 2>&1 || true
flatpak remote-delete --user --force savepoint-local >/dev/null 2>&1 || true
if flatpak remote-add --user --no-gpg-verify savepoint-local "file://$repo" 2>&1 | diag &&
   flatpak install --user -y --noninteractive savepoint-local "$app_id" 2>&1 | tail -3 | diag &&
   flatpak info --user "$app_id" >/dev/null; then
  ok "installed $app_id from savepoint-local (file://$repo)"
else
  not_ok "install from the repository"
  echo "1..$n"
  exit 1
fi
flatpak info --user "$app_id" | sed -n '/Runtime:/p;/Commit:/p' | diag

run () { flatpak run --user "$@"; }

# --- 1. the sandbox as the app sees it -------------------------------------------------
if out=$(run --command=sh "$app_id" -c \
    'test -e /.flatpak-info && grep -q "^name='"$app_id"'$" /.flatpak-info && command -v fusermount3' 2>&1) &&
   [[ $out == /app/bin/fusermount3 ]]; then
  ok "sandboxed: /.flatpak-info names the app, fusermount3 is the wrapper ($out)"
else
  not_ok "sandbox detection / wrapper on PATH: $out"
fi

# --- 2. flatpak-spawn --host -----------------------------------------------------------
marker=$(mktemp -u /tmp/sp-flatpak-host-XXXXXX)
if out=$(run --command=flatpak-spawn "$app_id" --host sh -c "echo host > $marker" 2>&1) &&
   [[ $(cat "$marker" 2>/dev/null) == host ]]; then
  ok "flatpak-spawn --host runs commands on the host"
else
  not_ok "flatpak-spawn --host: $out"
fi
rm -f "$marker"

# --- 3. an overlay mounted from the sandbox, seen by the host --------------------------
probe="$mounts/probe"
layers="$host_state/probe"
rm -rf "$layers"
mkdir -p "$drive/lower" "$layers/upper" "$layers/work" "$probe"
echo "from the clean install" > "$drive/lower/hello.txt"
script='
set -e
savepoint-overlayfs savepoint "$1" -o lowerdir="$2",upperdir="$3",workdir="$4"
flatpak-spawn --host sh -c "cat \"$1/hello.txt\" && echo written-on-host > \"$1/save.txt\" && grep -c fuse /proc/self/mountinfo >/dev/null"
fusermount3 -u "$1"
'
if out=$(run --command=sh "$app_id" -c "$script" sh "$probe" "$drive/lower" "$layers/upper" "$layers/work" 2>&1) &&
   [[ $out == *"from the clean install"* ]] &&
   [[ $(cat "$layers/upper/save.txt" 2>/dev/null) == written-on-host ]] &&
   [[ ! -e $drive/lower/save.txt ]] && ! mountpoint -q "$probe"; then
  ok "overlay mounted in the sandbox is the host's: the host read the lower and wrote to upper/"
else
  not_ok "overlay from the sandbox on the host"
  echo "$out" | diag
fi
rm -rf "$layers"

# --- 4. the app's window ---------------------------------------------------------------
if run --command=sh "$app_id" -c 'test -x /app/bin/savepoint' 2>/dev/null; then
  log="$cache/test-app.log"
  run "$app_id" >"$log" 2>&1 &
  app_pid=$!
  started=0
  # Up to a minute for its window to be mapped on the Xvfb display.
  for _ in $(seq 120); do
    kill -0 "$app_pid" 2>/dev/null || break
    if xwininfo -root -tree 2>/dev/null | grep -q '"Savepoint"'; then
      started=1
      break
    fi
    sleep 0.5
  done
  if (( started )) && kill -0 "$app_pid" 2>/dev/null; then
    ok "flatpak run $app_id opens its window under Xvfb"
  else
    not_ok "flatpak run $app_id"
    diag < "$log"
  fi
  # flatpak run leaves the sandbox behind when it is killed; flatpak kill stops the
  # instance itself (no other instance of the app runs at this point).
  flatpak kill "$app_id" 2>/dev/null || true
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  for _ in $(seq 20); do
    flatpak ps --columns=application 2>/dev/null | grep -qx "$app_id" || break
    sleep 0.5
  done
else
  skip "no /app/bin/savepoint in this build (the GTK app is not merged yet)"
fi

# --- 5. play the demo game -------------------------------------------------------------
# A native game: reads its data from the clean install and saves progress to $HOME,
# which the library redirects into the overlay.
game_src="$drive/demo-src"
mkdir -p "$game_src/data"
echo "level 1" > "$game_src/data/level.txt"
cat > "$game_src/demo-game.sh" <<'GAME'
#!/bin/sh
set -e
here=$(dirname "$0")
level=$(cat "$here/data/level.txt")
mkdir -p "$HOME/.local/share/demo"
echo "saved after $level" > "$HOME/.local/share/demo/save.txt"
echo "progress" >> "$here/data/progress.txt"
# Where it ran: the design wants games on the host, not in the app's sandbox.
if [ -e /.flatpak-info ]; then echo sandbox; else echo host; fi > "$HOME/where.txt"
GAME
chmod +x "$game_src/demo-game.sh"

# Each call is bounded: a hang is a failure of its own, not a stuck test. flatpak run
# leaves the sandbox behind when it is killed, so flatpak kill ends that too.
cli () {
  local status=0
  timeout 120 flatpak run --user --command=savepoint-cli "$app_id" "$@" || status=$?
  if (( status == 124 )); then
    echo "savepoint-cli $* did not end within 120 s" >&2
    flatpak kill "$app_id" 2>/dev/null || true
  fi
  return $status
}
if out=$(cli init "$drive" --name "Flatpak Test" 2>&1 &&
         cli --library "$drive" add "Demo Game" "$game_src" --exec demo-game.sh --kind native --home home 2>&1); then
  ok "library and demo game created from the sandbox"
else
  not_ok "savepoint-cli init/add in the sandbox"
fi
echo "$out" | diag
if out=$(cli play demo-game --library "$drive" --keep "first run" 2>&1); then
  ok "played the demo game from the sandbox and kept the run"
else
  not_ok "savepoint-cli play --keep in the sandbox"
fi
echo "$out" | diag
left=$(awk -v d="$mounts/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
if [[ -z $left ]]; then
  ok "nothing is left mounted on the host after the run"
else
  not_ok "mounts left on the host after the run: $left"
fi
if out=$(cli --library "$drive" --json checkpoints demo-game 2>&1) &&
   [[ $out == *'"first run"'* ]] &&
   ls "$drive"/Savepoint/games/demo-game/checkpoints/*.tar.zst >/dev/null 2>&1; then
  ok "the kept checkpoint is in the library"
  archive=$(ls "$drive"/Savepoint/games/demo-game/checkpoints/*.tar.zst | head -1)
  if tar --zstd -xOf "$archive" --wildcards '*save.txt' 2>/dev/null | grep -q "saved after level 1"; then
    ok "the checkpoint holds what the game saved through the overlay"
  else
    not_ok "the checkpoint holds the game's save"
    tar --zstd -tvf "$archive" 2>&1 | diag
  fi
  if [[ $(tar --zstd -xOf "$archive" --wildcards '*where.txt' 2>/dev/null) == host ]]; then
    ok "the game ran on the host (flatpak-spawn --host), not in the sandbox"
  else
    not_ok "the game ran on the host: where.txt says '$(tar --zstd -xOf "$archive" --wildcards '*where.txt' 2>&1)'"
  fi
else
  not_ok "checkpoint listed after the run"
  echo "$out" | diag
fi

# --- 6. a drive's paths are checked where the mount is: on the host ---------------------
# A clean install holding bin-link -> /bin, with Executable=bin-link/sh: the path is
# relative without "..", so only resolving it beneath the mount can refuse it, and the
# sandboxed app cannot see the mount: savepoint-run does it on the host (openat2).
evil_src="$drive/evil-src"
mkdir -p "$evil_src"
ln -sfn /bin "$evil_src/bin-link"
if out=$(cli --library "$drive" add "Link Out" "$evil_src" --exec bin-link/sh --kind native 2>&1); then
  status=0
  out=$(cli play link-out --library "$drive" --discard 2>&1) || status=$?
  if (( status != 0 )) && [[ $out == *"outside the game"* ]]; then
    ok "an executable reached through a link out of the game is refused on the host"
  else
    not_ok "Executable=bin-link/sh (bin-link -> /bin) from the sandbox: exit $status"
  fi
else
  not_ok "savepoint-cli add of the link-out game"
fi
echo "$out" | diag
left=$(awk -v d="$mounts/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
[[ -z $left ]] || not_ok "mounts left on the host after the refused start: $left"

echo "1..$n"
(( failed == 0 ))
