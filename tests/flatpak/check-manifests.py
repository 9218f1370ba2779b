#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the two Flatpak manifests against each other and against the design.

The Debian-runtime manifest (built and tested here) must differ from the GNOME one
(what Flathub would build) only in runtime, runtime-version and sdk, and in the libfuse
module that the Debian runtime already ships; the permissions are exactly the ones the
design needs. Fast: meant for meson test.
Usage: check-manifests.py [build-aux/flatpak]"""
import json
import os
import sys

here = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build-aux', 'flatpak')
app_id = 'io.github.savepoint.Savepoint'
failures = []
count = 0


def load(name):
    path = os.path.join(here, name)
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f'not ok - {path}: {e}')


gnome = load(app_id + '.json')
debian = load(app_id + '.Debian.json')

expected_args = {
    '--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=all',
    '--talk-name=org.freedesktop.Flatpak',
    '--filesystem=/media', '--filesystem=/run/media', '--filesystem=/mnt',
}


def check(ok, what):
    global count
    count += 1
    print(('ok' if ok else 'not ok') + ' - ' + what)
    if not ok:
        failures.append(what)


check(gnome.get('id') == app_id, 'GNOME manifest has the app ID')
check(gnome.get('runtime') == 'org.gnome.Platform' and gnome.get('sdk') == 'org.gnome.Sdk',
      'GNOME manifest uses org.gnome.Platform/Sdk')
check(set(gnome.get('finish-args', [])) == expected_args and
      len(gnome['finish-args']) == len(expected_args),
      'finish-args are exactly the design\'s: ' + ' '.join(sorted(expected_args)))
names = [m['name'] for m in gnome.get('modules', [])]
check(names[-1:] == ['savepoint'] and 'fusermount3-wrapper' in names,
      'modules end with savepoint and include the fusermount3 wrapper')
wrapper = [m for m in gnome['modules'] if m['name'] == 'fusermount3-wrapper'][0]
for src in wrapper['sources']:
    if src.get('type') == 'file':
        check(os.path.exists(os.path.join(here, src['path'])), 'wrapper source exists: ' + src['path'])

stripped = dict(gnome)
stripped['modules'] = [m for m in gnome['modules'] if m['name'] != 'libfuse']
for key in ('runtime', 'runtime-version', 'sdk'):
    stripped.pop(key)
other = dict(debian)
for key in ('runtime', 'runtime-version', 'sdk'):
    other.pop(key)
check(stripped == other,
      'Debian manifest = GNOME manifest except runtime, runtime-version, sdk and libfuse')
check(debian.get('runtime') == 'io.github.savepoint.BookwormPlatform' and
      debian.get('sdk') == 'io.github.savepoint.BookwormSdk' and
      debian.get('runtime-version') == '12',
      'Debian manifest uses the local bookworm runtime and SDK, branch 12')

print(f'1..{count}')
sys.exit(1 if failures else 0)
