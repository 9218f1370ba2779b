#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A stand-in for savepoint-overlayfs that mounts the kernel overlay instead,
# with the same syntax: SOURCE MOUNTPOINT -o lowerdir=…,upperdir=…,workdir=…
# The semantic suite run against it compares the kernel with itself, which
# checks the harness: every scenario must come out identical.
set -eu
[ $# -eq 4 ] && [ "$3" = "-o" ] || { echo "usage: $0 SOURCE MOUNTPOINT -o OPTIONS" >&2; exit 2; }
# allow_other is a FUSE option; the kernel overlay lets every user in anyway.
options=$(printf '%s' "$4" | sed -e 's/,allow_other//g' -e 's/^allow_other,//')
exec mount -t overlay "$1" "$2" -o "$options,userxattr,index=off,metacopy=off,xino=off"
