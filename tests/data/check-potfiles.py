#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a source that has translatable strings is missing from
po/POTFILES.in, or when POTFILES.in names a file that does not exist."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
listed = set()
for line in (root / "po" / "POTFILES.in").read_text().splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        listed.add(line)

marker = {
    ".c": re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext)\s*\('),
    ".ui": re.compile(r'translatable="yes"'),
    ".in": re.compile(r'<(?:_?name|_?summary|_?description|_?p)\b|^_?(?:Name|Comment|GenericName|Keywords)=', re.M),
    ".xml": re.compile(r'<(?:summary|description)\b'),
}

problems = []
for path in sorted(list((root / "src").rglob("*")) + list((root / "data").rglob("*"))):
    if not path.is_file():
        continue
    rel = path.relative_to(root).as_posix()
    pattern = marker.get(path.suffix)
    if pattern is None:
        continue
    if path.suffix == ".xml" and not rel.endswith(".gschema.xml"):
        continue
    if pattern.search(path.read_text(errors="replace")) and rel not in listed:
        problems.append(f"{rel} has translatable strings but is not in po/POTFILES.in")

for rel in sorted(listed):
    if not (root / rel).exists():
        problems.append(f"po/POTFILES.in names {rel}, which does not exist")

lines = [l for l in (root / "po" / "POTFILES.in").read_text().splitlines() if l and not l.startswith("#")]
def order(line):
    if line.startswith("data/"):
        return (0, line)
    return (1 if line.endswith(".c") else 2, line)


if lines != sorted(lines, key=order):
    problems.append("po/POTFILES.in is not sorted (data files, then .c, then .ui, each alphabetically)")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
