#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# fusermount3 inside the Flatpak sandbox, installed as /app/bin/fusermount3.
#
# libfuse mounts through fusermount3 when it may not call mount(2) itself, which is
# always the case in the sandbox. A mount made in the sandbox's own mount namespace is
# useless to us: the games run on the host (flatpak-spawn --host) and must see it. So
# this runs the host's fusermount3 through the Flatpak session helper, in the host's
# mount namespace, and hands it the socket libfuse gave us:
#
#   libfuse: socketpair(), fd N -> $_FUSE_COMMFD (or "--comm-fd N" from libfuse >= 3.17),
#            exec fusermount3 -o OPTS -- MOUNTPOINT, then recvmsg() on its end;
#   here:    flatpak-spawn --host --forward-fd=N --env=_FUSE_COMMFD=N fusermount3 …
#   host:    fusermount3 opens the host's /dev/fuse, mounts it at MOUNTPOINT and sends
#            the fd back over socket N (SCM_RIGHTS), straight to libfuse in the sandbox,
#            whose worker thread then serves the mount.
#
# The mount point must exist on both sides: Savepoint mounts below
# $XDG_RUNTIME_DIR/app/$FLATPAK_ID, which Flatpak shares with the host. In the sandbox
# that path is a symlink to /run/flatpak/app/$FLATPAK_ID, and libfuse resolves it, so
# paths below /run/flatpak/app/$FLATPAK_ID are given back their host name,
# /run/user/UID/app/$FLATPAK_ID (Flatpak's own choice of the host's runtime dir).
# "-u" (unmount) is passed through the same way.
#
# bash, not sh: dash's exec drops inherited descriptors above 9, and libfuse's socket is
# often one of those (flatpak-spawn then forwards nothing, and the host's fusermount3
# mounts but fails with "sending file descriptor: Bad file descriptor"). $SAVEPOINT_HOST_FUSERMOUNT names another
# host binary.
set -u

host_fusermount=${SAVEPOINT_HOST_FUSERMOUNT:-fusermount3}

if [ ! -e /.flatpak-info ]; then
  echo "fusermount3 (Savepoint wrapper): not inside a Flatpak sandbox; use the system fusermount3" >&2
  exit 1
fi

comm_fd=${_FUSE_COMMFD:-}
app_dir=/run/flatpak/app/${FLATPAK_ID:-}
host_app_dir=/run/user/$(id -u)/app/${FLATPAK_ID:-}

# Take "--comm-fd N" out of the arguments: the host's fusermount3 may be older than
# libfuse 3.17 and only know the environment variable, which every version reads.
n=$#
i=0
while [ "$i" -lt "$n" ]; do
  arg=$1
  shift
  i=$((i + 1))
  case $arg in
    --comm-fd)
      if [ "$i" -ge "$n" ]; then
        echo "fusermount3 (Savepoint wrapper): --comm-fd needs a value" >&2
        exit 1
      fi
      comm_fd=$1
      shift
      i=$((i + 1))
      ;;
    --comm-fd=*)
      comm_fd=${arg#--comm-fd=}
      ;;
    "$app_dir" | "$app_dir"/*)
      [ -n "${FLATPAK_ID:-}" ] || { set -- "$@" "$arg"; continue; }
      set -- "$@" "$host_app_dir${arg#"$app_dir"}"
      ;;
    *)
      set -- "$@" "$arg"
      ;;
  esac
done

if [ -n "$comm_fd" ]; then
  case $comm_fd in
    *[!0-9]*)
      echo "fusermount3 (Savepoint wrapper): bad communication fd '$comm_fd'" >&2
      exit 1
      ;;
  esac
  # The Flatpak session helper (1.14) loses a forwarded fd whose number equals the one
  # it received it under (it stays close-on-exec); here that is fd 11, which is often
  # libfuse's. Forward a duplicate under a number far above the helper's own fds.
  forward_fd=$((comm_fd + 200))
  if eval "exec $forward_fd<&$comm_fd" 2>/dev/null; then
    eval "exec $comm_fd<&-"
  else
    forward_fd=$comm_fd
  fi
  exec flatpak-spawn --host --forward-fd="$forward_fd" --env=_FUSE_COMMFD="$forward_fd" \
    "$host_fusermount" "$@"
fi

exec flatpak-spawn --host "$host_fusermount" "$@"
