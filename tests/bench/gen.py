#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generates the benchmark's trees, always the same for the same arguments
(fixed seeds), so that every run and every machine measures the same data.

  gen.py tree DIR FILES [MEAN_BYTES] [SEED]   nested tree, ~40 entries a dir
  gen.py flat DIR FILES [SEED]                FILES small files in one dir
  gen.py big FILE BYTES [SEED]                one file of random data
  gen.py many DIR COUNT BYTES [SEED]          COUNT files of BYTES each
  gen.py source DIR FILES [SEED]              a source-like tree (text files)
"""

import os
import random
import sys

CHUNK = 1 << 20
VERSION = 2  # bump whenever the output changes, so cached data is regenerated


def _write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def tree(root, files, mean=2048, seed=1):
    """A game-like tree: dirs of ~40 entries, 3 levels, mostly small files
    with a long tail, some executables and a few symlinks."""
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    per_dir = 40
    made = 0
    d = 0
    while made < files:
        sub = os.path.join(root, "d%02d" % (d // 400), "d%02d" % (d // 20 % 20), "d%03d" % d)
        os.makedirs(sub, exist_ok=True)
        for i in range(min(per_dir, files - made)):
            # exponential sizes around the mean, one in 200 files 16x larger
            size = int(rng.expovariate(1.0 / mean))
            if rng.random() < 0.005:
                size *= 16
            name = os.path.join(sub, "f%06d.%s" % (made, rng.choice(("dat", "pak", "dll", "txt", "png"))))
            if made % 1000 == 999:
                os.symlink("f%06d.dat" % (made - 1), name)
            else:
                _write(name, rng.randbytes(size), 0o755 if made % 97 == 0 else 0o644)
            made += 1
        d += 1


def flat(root, files, seed=2):
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    for i in range(files):
        _write(os.path.join(root, "entry-%06d-%s.dat" % (i, rng.randbytes(4).hex())), rng.randbytes(rng.randrange(64)))


def big(path, size, seed=3):
    rng = random.Random(seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(CHUNK, left)
            f.write(rng.randbytes(n))
            left -= n


def many(root, count, size, seed=4):
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    for i in range(count):
        _write(os.path.join(root, "file-%04d.bin" % i), rng.randbytes(size))


WORDS = ("static int char void return struct const unsigned if else for while "
         "switch case break buffer length offset node inode entry layer upper "
         "lower error errno path name size flags mode file dir").split()


def source(root, files, seed=5):
    """Text files in a deep-ish tree, like a source tarball."""
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    for i in range(files):
        sub = os.path.join(root, "mod%02d" % (i % 37), "sub%03d" % (i // 200))
        os.makedirs(sub, exist_ok=True)
        lines = []
        for _ in range(int(rng.expovariate(1.0 / 150)) + 5):
            lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12))))
        _write(os.path.join(sub, "file%05d.%s" % (i, rng.choice(("c", "h", "py", "md")))),
               ("\n".join(lines) + "\n").encode())


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    kind, path, args = argv[1], argv[2], [int(a) for a in argv[3:]]
    {"tree": tree, "flat": flat, "big": big, "many": many, "source": source}[kind](path, *args)


if __name__ == "__main__":
    main(sys.argv)
