#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints one line "tests: N passed, N failed, N skipped" over the meson test
logs of the given build dirs (those that have one) and TAP files (--tap, and
--fuzz: the output of tests/fuzz/run-fuzzers.sh, whose lines also give each
target's executions, summed in a line of their own)."""
import json
import pathlib
import re
import sys

passed = failed = skipped = 0
args = sys.argv[1:]
taps = []
fuzz_logs = []
dirs = []
while args:
    arg = args.pop(0)
    if arg == "--tap":
        taps.append(args.pop(0))
    elif arg == "--fuzz":
        fuzz_logs.append(args.pop(0))
        taps.append(fuzz_logs[-1])
    else:
        dirs.append(arg)

for d in dirs:
    log = pathlib.Path(d) / "meson-logs" / "testlog.json"
    if not log.exists():
        continue
    for line in log.read_text().splitlines():
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1

for tap in taps:
    for line in pathlib.Path(tap).read_text().splitlines():
        if line.startswith("ok "):
            if "# SKIP" in line:
                skipped += 1
            else:
                passed += 1
        elif line.startswith("not ok "):
            failed += 1

for log in fuzz_logs:
    executions = 0
    targets = 0
    crashed = []
    for line in pathlib.Path(log).read_text().splitlines():
        m = re.match(r"(not )?ok \d+ (\S+): (\d+) executions", line)
        if m:
            targets += 1
            executions += int(m.group(3))
            if m.group(1):
                crashed.append(m.group(2).rstrip(":"))
    found = ", ".join(crashed) if crashed else "none"
    print(f"fuzzing: {targets} targets, {executions} executions, failures: {found}")

print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
