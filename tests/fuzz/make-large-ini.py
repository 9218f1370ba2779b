#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a 1 MB library.ini whose last line is bad (argv[1]): a drive may
hold one. Locating the bad line tried every prefix of the file in turn
(quadratic: minutes for this file), which hung every command that read the
library; the fuzz-library-large test replays it within meson's timeout."""
import sys

with open(sys.argv[1], "w") as f:
    f.write("[Library]\n" + "a=b\n" * 250000 + "this is not a key file\n")
