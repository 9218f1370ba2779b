#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks po/POTFILES.in against the sources: fails when a source that has
translatable strings is missing from it, when it names a file that does not
exist, or when it is not sorted (data files, then .c, then .ui).

    check-potfiles.py ROOT            check
    check-potfiles.py ROOT --update   rewrite POTFILES.in from the sources
"""
import pathlib
import re
import sys

MARKERS = {
    ".c": re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext)\s*\('),
    ".ui": re.compile(r'translatable="yes"'),
    ".in": re.compile(r'<(?:_?name|_?summary|_?description|_?p)\b|^_?(?:Name|Comment|GenericName|Keywords)=', re.M),
    ".xml": re.compile(r'<(?:summary|description)\b'),
}


def order(line):
    if line.startswith("data/"):
        return (0, line)
    return (1 if line.endswith(".c") else 2, line)


def translatable_sources(root):
    """The files under src/ and data/ that hold translatable strings."""
    found = []
    for path in sorted(list((root / "src").rglob("*")) + list((root / "data").rglob("*"))):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        pattern = MARKERS.get(path.suffix)
        if pattern is None:
            continue
        if path.suffix == ".xml" and not rel.endswith(".gschema.xml"):
            continue
        if pattern.search(path.read_text(errors="replace")):
            found.append(rel)
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    potfiles = root / "po" / "POTFILES.in"

    if sys.argv[2:] == ["--update"]:
        potfiles.write_text("\n".join(sorted(translatable_sources(root), key=order)) + "\n")
        return 0

    lines = [l.strip() for l in potfiles.read_text().splitlines()]
    lines = [l for l in lines if l and not l.startswith("#")]
    listed = set(lines)
    problems = [f"{rel} has translatable strings but is not in po/POTFILES.in"
                for rel in translatable_sources(root) if rel not in listed]
    problems += [f"po/POTFILES.in names {rel}, which does not exist"
                 for rel in sorted(listed) if not (root / rel).exists()]
    if lines != sorted(lines, key=order):
        problems.append("po/POTFILES.in is not sorted (data files, then .c, then .ui, each alphabetically)")

    for p in problems:
        print(p)
    if problems:
        print(f"Rewrite it with: {sys.argv[0]} {root} --update")
    return 1 if problems else 0


sys.exit(main())
