# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the scripts that debootstrap (build-aux/flatpak/build-local.sh,
# tests/bench/fresh-machine.sh).
#
# debian_mirror SUITE: the Debian mirror apt uses on this machine for SUITE
# (deb822 sources first, then the one-line format), so debootstrap works
# wherever apt works.
debian_mirror () {
  local suite=$1 f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -e $f ]] || continue
    uri=$(awk '/^URIs:/ { print $2; exit }' "$f")
    if [[ -n $uri ]] && grep -q "^Suites:.*\b$suite\b" "$f" && [[ $uri != *security* ]]; then
      echo "$uri"; return
    fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -e $f ]] || continue
    uri=$(awk -v s="$suite" '$1 == "deb" && $0 ~ " " s " " && $0 !~ /security/ {
      for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f")
    if [[ -n $uri ]]; then echo "$uri"; return; fi
  done
  echo "http://deb.debian.org/debian"
}
