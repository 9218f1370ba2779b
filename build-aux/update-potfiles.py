#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rewrites po/POTFILES.in from the sources that hold translatable strings,
in the order tests/data/check-potfiles.py expects."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
c_marker = re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext)\s*\(')
data, c_files, ui_files = [], [], []
for path in sorted(root.glob("data/*.in")) + sorted(root.glob("data/*.gschema.xml")):
    data.append(path.relative_to(root).as_posix())
for path in sorted(root.glob("src/**/*.c")):
    if c_marker.search(path.read_text(errors="replace")):
        c_files.append(path.relative_to(root).as_posix())
for path in sorted(root.glob("src/**/*.ui")):
    if 'translatable="yes"' in path.read_text(errors="replace"):
        ui_files.append(path.relative_to(root).as_posix())
(root / "po" / "POTFILES.in").write_text("\n".join(sorted(data) + sorted(c_files) + sorted(ui_files)) + "\n")
