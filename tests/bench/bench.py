#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Savepoint's benchmark harness; run it through tests/bench/run.sh, which
installs the tools, builds Savepoint in release mode and the C helpers, and
passes their paths in the environment.

Every overlay workload runs on four file systems over the same layers, on the
same machine, in the same run, interleaved (the order rotates with each
repetition), cold (page, dentry and inode caches dropped after a fresh mount)
and warm (after one untimed pass). Each run gets a fresh mount and a fresh,
empty upper layer. Each mount is checked to really be the file system it
claims (fstype in /proc/self/mountinfo, and for FUSE the daemon's executable),
and each workload's output and resulting tree must be identical on all of
them, or the run fails.
"""

import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

MiB = 1 << 20


def env_int(name, full, quick):
    return int(os.environ.get(name, quick if QUICK else full))


def env_list(name, full, quick):
    return [int(x) for x in os.environ.get(name, quick if QUICK else full).split()]


QUICK = os.environ.get("SP_BENCH_QUICK", "0") == "1"
WORK = os.path.abspath(os.environ.get("SP_BENCH_DIR", "/var/tmp/savepoint-bench"))
BUILD = os.environ.get("SP_BENCH_BUILD", os.path.join(WORK, "build"))
TOOLS = os.environ.get("SP_BENCH_TOOLS", os.path.join(WORK, "tools"))
OUT = os.environ.get("SP_BENCH_OUT", os.path.join(HERE, "RESULTS.md"))
COMMAND = os.environ.get("SP_BENCH_COMMAND", "tests/bench/run.sh")
ONLY = set(os.environ.get("SP_BENCH_ONLY", "").replace(",", " ").split())

REPS = env_int("SP_BENCH_REPS", 5, 1)
REPS_BIG = env_int("SP_BENCH_REPS_BIG", 3, 1)
TREE_FILES = env_int("SP_BENCH_TREE_FILES", 100000, 5000)
FLAT_FILES = env_int("SP_BENCH_FLAT_FILES", 20000, 2000)
BIG_MB = env_int("SP_BENCH_BIG_MB", 1024, 64)
RAND_READS = env_int("SP_BENCH_RAND_READS", 20000, 2000)
CREATE_FILES = env_int("SP_BENCH_CREATE_FILES", 20000, 2000)
COPYUP_FILES = env_int("SP_BENCH_COPYUP_FILES", 500, 20)
SOURCE_FILES = env_int("SP_BENCH_SOURCE_FILES", 10000, 2000)
BASES = env_list("SP_BENCH_BASES", "1000 10000 100000", "100 1000")
CHANGES_MB = env_list("SP_BENCH_CHANGES_MB", "1 100 1024", "1 16")
GAME_MB = env_int("SP_BENCH_GAME_MB", 256, 16)
WINE = os.environ.get("SP_BENCH_WINE", "auto")

SP_OVERLAYFS = os.environ.get("SP_BENCH_OVERLAYFS", os.path.join(BUILD, "src/overlay/savepoint-overlayfs"))
SP_CLI = os.environ.get("SP_BENCH_CLI", os.path.join(BUILD, "src/cli/savepoint-cli"))
FSBENCH = os.path.join(TOOLS, "fsbench")
GAME = os.path.join(TOOLS, "game")

FS_NAMES = ["savepoint", "fuse-overlayfs", "kernel", "plain"]
FS_TITLES = {"savepoint": "savepoint-overlayfs", "fuse-overlayfs": "fuse-overlayfs",
             "kernel": "kernel overlay", "plain": "plain dir"}
if os.environ.get("SP_BENCH_FS"):
    FS_NAMES = [f for f in FS_NAMES if f in os.environ["SP_BENCH_FS"].replace(",", " ").split()]

T0 = time.monotonic()
READY = None        # time.time() when the data was ready


def log(msg):
    print("[%6.1fs] %s" % (time.monotonic() - T0, msg), file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def run(argv, check=True, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    p = subprocess.run(argv, text=True, **kw)
    if check and p.returncode != 0:
        raise BenchError("%s failed (%d): %s" % (shlex.join(argv), p.returncode, (p.stderr or "").strip()[-2000:]))
    return p


def sync():
    os.sync()


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def rmtree(path):
    if os.path.lexists(path):
        # never descend into something still mounted
        for m in mounts_under(path):
            raise BenchError("refusing to delete %s: %s is still mounted" % (path, m))
        shutil.rmtree(path)


# ---------------------------------------------------------------- mounts ----

def mountinfo(pid="self"):
    """[(mount point, fstype, source, super options, device number)] from
    /proc/PID/mountinfo."""
    out = []
    with open("/proc/%s/mountinfo" % pid) as f:
        for line in f:
            left, right = line.split(" - ", 1)
            fields = left.split()
            fstype, source, sopts = (right.split() + ["", ""])[:3]
            point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
            major, minor = fields[2].split(":")
            out.append((point, fstype, source, sopts, os.makedev(int(major), int(minor))))
    return out


def mounts_under(path):
    path = os.path.abspath(path)
    return [m[0] for m in mountinfo() if m[0] == path or m[0].startswith(path + "/")]


def fstype_of(path):
    """The fstype of the mount that holds path (the last, topmost, match).
    In a chroot, the mount holding its root is not in our mountinfo: then
    the mount of the same device in PID 1's, else the kernel's name for the
    file system's magic number (stat -f)."""
    path = os.path.realpath(path)
    best = None
    for point, fstype, *_ in mountinfo():
        if path == point or path.startswith(point.rstrip("/") + "/") or point == "/":
            if best is None or len(point) >= len(best[0]):
                best = (point, fstype)
    if best is not None:
        return best[1]
    dev = os.stat(path).st_dev
    try:
        for _, fstype, _, _, mount_dev in mountinfo(1):
            if mount_dev == dev:
                return fstype
    except OSError:
        pass
    return subprocess.run(["stat", "-f", "-c", "%T", path], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()


def daemon_pids(mnt, exe_path):
    """Processes running the executable exe_path whose argv names mnt."""
    exe_path = os.path.realpath(exe_path)
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                args = f.read().split(b"\0")
            exe = os.readlink("/proc/%s/exe" % d)
        except OSError:
            continue
        if exe == exe_path and mnt.encode() in args:
            pids.append(int(d))
    return pids


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


def unmount(mnt, pids=()):
    for attempt in range(50):
        if mnt not in [m[0] for m in mountinfo()]:
            break
        p = run(["umount", mnt], check=False)
        if p.returncode == 0:
            break
        time.sleep(0.1)
    else:
        log("warning: %s stayed busy; detaching it lazily" % mnt)
        run(["umount", "-l", mnt], check=False)
    # a FUSE daemon must be gone before the next run competes with it for CPU
    deadline = time.monotonic() + 10
    for pid in pids:
        while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    if f.read().split(") ", 1)[1].startswith("Z"):
                        break
            except OSError:
                break
            time.sleep(0.02)
        else:
            if os.path.exists("/proc/%d" % pid):
                log("warning: FUSE daemon %d still runs after unmounting %s (is the mount copied "
                    "into another mount namespace?)" % (pid, mnt))


TRASH = os.path.join(WORK, "trash")


def trash(path):
    """Moves path aside; empty_trash() deletes it after the workload. Deleting
    thousands of files right before the next timed run would measure ext4
    freeing (and discarding) them instead of the next file system."""
    os.makedirs(TRASH, exist_ok=True)
    os.rename(path, os.path.join(TRASH, "%d-%s" % (time.monotonic_ns(), os.path.basename(path))))


def empty_trash():
    if os.path.isdir(TRASH):
        rmtree(TRASH)
        sync()


def cleanup_all():
    """Unmounts everything under WORK, deepest first. Safe to call twice."""
    for pfx in list(Mount.live):
        kill_wineserver(pfx)
    for point in sorted(mounts_under(WORK), key=len, reverse=True):
        log("cleaning up mount %s" % point)
        unmount(point)
    Mount.live.clear()


class Mount:
    """One fresh mount of one file system over lowers, with a fresh upper."""
    live = set()

    EXPECT = {"savepoint": "fuse.savepoint-overlayfs", "fuse-overlayfs": "fuse.fuse-overlayfs",
              "kernel": "overlay"}
    DAEMON = {"savepoint": SP_OVERLAYFS, "fuse-overlayfs": shutil.which("fuse-overlayfs") or "fuse-overlayfs"}

    serial = 0

    def __init__(self, fs, lowers, tag, plain=None):
        self.fs, self.lowers, self.plain = fs, lowers, plain or lowers[0]
        # a new path for every mount: a mount namespace made meanwhile by some
        # other program (bwrap, unshare) keeps its copy of our FUSE mount, and
        # its daemon, alive after we unmount ours
        Mount.serial += 1
        self.base = os.path.join(WORK, "runs", "%s-%d" % (tag, Mount.serial))
        self.mnt = os.path.join(self.base, "merged")
        self.pids = []

    def __enter__(self):
        if self.fs == "plain":
            self.target = self.plain
            if self.target in [m[0] for m in mountinfo()]:
                raise BenchError("plain dir %s is a mount point" % self.target)
            self.check_plain()
            return self
        rmtree(self.base)
        upper, work = os.path.join(self.base, "upper"), os.path.join(self.base, "work")
        for d in (upper, work, self.mnt):
            os.makedirs(d)
        opts = "lowerdir=%s,upperdir=%s,workdir=%s" % (":".join(self.lowers), upper, work)
        if self.fs == "savepoint":
            argv = [SP_OVERLAYFS, "-o", opts, "savepoint", self.mnt]
        elif self.fs == "fuse-overlayfs":
            argv = ["fuse-overlayfs", "-o", opts, self.mnt]
        else:
            argv = ["mount", "-t", "overlay", "overlay", "-o", opts, self.mnt]
        Mount.live.add(self.mnt)
        run(argv)
        deadline = time.monotonic() + 10
        while self.mnt not in [m[0] for m in mountinfo()]:
            if time.monotonic() > deadline:
                raise BenchError("%s did not mount %s" % (argv[0], self.mnt))
            time.sleep(0.01)
        self.check()
        self.target = self.mnt
        return self

    def check(self):
        entry = [m for m in mountinfo() if m[0] == self.mnt][-1]
        if entry[1] != self.EXPECT[self.fs]:
            raise BenchError("%s is %s, not %s" % (self.mnt, entry[1], self.EXPECT[self.fs]))
        self.sopts = entry[3]
        if self.fs in self.DAEMON:
            self.pids = daemon_pids(self.mnt, self.DAEMON[self.fs])
            if len(self.pids) != 1:
                raise BenchError("expected one process of %s serving %s, found %s"
                                 % (os.path.realpath(self.DAEMON[self.fs]), self.mnt, self.pids))

    def check_plain(self):
        fstype = fstype_of(self.target)
        if "fuse" in fstype or "overlay" in fstype:
            raise BenchError("plain dir %s is on %s" % (self.target, fstype))

    def __exit__(self, *exc):
        if self.fs == "plain":
            return False
        kill_wineserver(self.mnt)
        unmount(self.mnt, self.pids)
        Mount.live.discard(self.mnt)
        if mounts_under(self.base):
            raise BenchError("%s is still mounted" % self.mnt)
        trash(self.base)
        return False

    def peak_memory(self):
        return proc_status(self.pids[0], "VmHWM") if self.pids else None


def kill_wineserver(prefix):
    if WINE_OK and os.path.isdir(os.path.join(prefix, "drive_c")):
        run(["wineserver", "-k"], check=False, env=dict(os.environ, WINEPREFIX=prefix))
        run(["wineserver", "-w"], check=False, env=dict(os.environ, WINEPREFIX=prefix), timeout=30)


# ------------------------------------------------------------- workloads ----

class Step:
    """quiet: no pipes, for programs that leave daemons holding them (wineserver)."""

    def __init__(self, name, argv, after=None, env=None, quiet=False):
        self.name, self.argv, self.after, self.env, self.quiet = name, argv, after, env, quiet


class Workload:
    """Steps timed on every file system. warmup(target) prepares the warm
    runs; revert(target) undoes the workload on the plain dir (which is the
    lower itself); manifest: check that the resulting trees are identical."""

    def __init__(self, num, title, lowers, steps, reps, warmup=None, revert=None,
                 manifest=False, memory=False, skip=None, plain=None, modes=("cold", "warm")):
        self.num, self.title, self.lowers, self.steps, self.reps = num, title, lowers, steps, reps
        self.modes = modes
        self.plain = plain or (lowers[0] if lowers else None)
        self.warmup, self.revert, self.manifest, self.memory, self.skip = warmup, revert, manifest, memory, skip


RESULTS = []       # rows: dict(num, title, step, mode, times{fs: [s]}, skip)
MEMORY = {}        # fs -> [bytes]
SESSION = []       # rows for the session tables
NOTES = []


def timed(argv, env=None, quiet=False):
    kw = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL} if quiet else {}
    t = time.perf_counter()
    p = run(argv, env=env, **kw)
    return time.perf_counter() - t, (p.stdout or "").strip()


def run_workload(w):
    if ONLY and str(w.num) not in ONLY:
        return
    rows = {(s.name, mode): {"num": w.num, "title": w.title, "step": s.name, "mode": mode,
                             "times": {fs: [] for fs in FS_NAMES}, "skip": w.skip}
            for s in w.steps for mode in w.modes}
    RESULTS.extend(rows.values())
    if w.skip:
        log("workload %s: skipped: %s" % (w.num, w.skip))
        return
    log("workload %s: %s (%d reps)" % (w.num, w.title, w.reps))
    if w.revert and "plain" in FS_NAMES:
        w.revert(w.plain)   # in case an interrupted run left its changes in the plain dir
    outputs, manifests = {}, {}
    for rep in range(w.reps):
        order = FS_NAMES[rep % len(FS_NAMES):] + FS_NAMES[:rep % len(FS_NAMES)]
        for fs in order:
            for mode in w.modes:
                with Mount(fs, w.lowers, "w%s-%s" % (w.num, fs), w.plain) as m:
                    try:
                        if mode == "warm":
                            if w.warmup:
                                w.warmup(m.target)
                            else:
                                for s in w.steps:
                                    timed(s.argv(m.target), env=s.env and s.env(m.target), quiet=s.quiet)
                                    if s.after:
                                        s.after(m.target)
                        for s in w.steps:
                            if mode == "cold":
                                drop_caches()
                            else:
                                sync()
                            secs, out = timed(s.argv(m.target), env=s.env and s.env(m.target), quiet=s.quiet)
                            if s.after:
                                s.after(m.target)
                            rows[(s.name, mode)]["times"][fs].append(secs)
                            outputs.setdefault(s.name, {}).setdefault(out, set()).add(fs)
                        if w.memory and mode == "cold" and m.pids:
                            MEMORY.setdefault(fs, []).append(m.peak_memory())
                        if w.manifest and rep == 0:
                            manifests.setdefault(run([FSBENCH, "manifest", m.target]).stdout.strip(),
                                                 set()).add((fs, mode))
                    finally:
                        if fs == "plain" and w.revert:
                            w.revert(m.target)
        log("  rep %d: %s" % (rep + 1, "  ".join(
            "%s %s %s=%.3f" % (k[0], k[1], fs, v["times"][fs][-1])
            for k, v in rows.items() for fs in FS_NAMES if v["times"][fs])))
    empty_trash()
    for name, outs in outputs.items():
        if len(outs) != 1:
            raise BenchError("workload %s step %s gave different results: %s" % (w.num, name, outs))
    if len(manifests) > 1:
        raise BenchError("workload %s left different trees: %s" % (w.num, manifests))


def overlay_workloads(data):
    fsb = FSBENCH
    ws = []
    tree, flat, big, many, src_tar, empty = (data[k] for k in ("tree", "flat", "big", "many", "src_tar", "empty"))

    ws.append(Workload(1, "walk + lstat a %s-file tree" % f"{TREE_FILES:,}", [tree],
                       [Step("walk", lambda t: [fsb, "walk", t])], REPS_BIG, memory=True))
    if WINE_OK:
        ws.append(Workload("1w", "walk + lstat the Wine prefix", [data["wine"]],
                           [Step("walk", lambda t: [fsb, "walk", t])], 2 * REPS))
    else:
        ws.append(Workload("1w", "walk + lstat the Wine prefix", [], [Step("walk", None)], 0, skip=WINE_WHY))
    ws.append(Workload(2, "readdir of a %s-entry directory" % f"{FLAT_FILES:,}", [flat],
                       [Step("readdir", lambda t: [fsb, "readdir", os.path.join(t, "flat")])], REPS))
    ws.append(Workload(3, "read a %s MiB lower file" % BIG_MB, [big],
                       [Step("sequential", lambda t: [fsb, "seqread", os.path.join(t, "big.bin")]),
                        Step("random 4 KiB x %d" % RAND_READS,
                             lambda t: [fsb, "randread", os.path.join(t, "big.bin"), str(RAND_READS), "7"])],
                       # cold reads fill fresh page cache, the noisiest step on a VM
                       REPS))

    ws.append(Workload(4, "create %s small files in new dirs, then delete them" % f"{CREATE_FILES:,}", [tree],
                       [Step("create", lambda t: [fsb, "create", os.path.join(t, "new"), str(CREATE_FILES), "100"]),
                        Step("delete", lambda t: [fsb, "delete", os.path.join(t, "new")])],
                       max(1, REPS_BIG - 1), manifest=QUICK, revert=lambda t: rmtree(os.path.join(t, "new")),
                       # nothing of the lower is read: a warm pass would only measure
                       # how ext4 recycles the inodes and journal space just freed
                       modes=("cold",)))

    def copyup_warmup(t):
        run([fsb, "walk", t])
        run(["cat"] + [os.path.join(t, "many", n) for n in sorted(os.listdir(os.path.join(t, "many")))],
            stdout=subprocess.DEVNULL)
        run([fsb, "seqread", os.path.join(t, "big.bin")])

    def copyup_revert(t):
        for d in (os.path.join(t, "many"),):
            for n in os.listdir(d):
                os.truncate(os.path.join(d, n), MiB)
        os.truncate(os.path.join(t, "big.bin"), BIG_MB * MiB)
    ws.append(Workload(5, "copy-up: append 1 byte", [many],
                       [Step("to each of %d 1-MiB files" % COPYUP_FILES,
                             lambda t: [fsb, "append", os.path.join(t, "many")]),
                        Step("to one %s MiB file" % BIG_MB, lambda t: [fsb, "append", os.path.join(t, "big.bin")])],
                       REPS, warmup=copyup_warmup, revert=copyup_revert, manifest=True))

    def unpack_revert(t):
        if os.path.exists(os.path.join(t, "src")):
            trash(os.path.join(t, "src"))
    ws.append(Workload(6, "unpack a %.0f MiB source tarball (%s files)"
                       % (os.path.getsize(src_tar) / MiB, f"{SOURCE_FILES:,}"), [empty],
                       [Step("tar -x", lambda t: ["tar", "-xf", src_tar, "-C", t])],
                       max(1, REPS_BIG - 1), warmup=lambda t: (run(["cat", src_tar], stdout=subprocess.DEVNULL),
                                                   run([fsb, "walk", t])),
                       revert=unpack_revert, manifest=True))

    if WINE_OK:
        wine_env = lambda t: dict(os.environ, WINEPREFIX=t, WINEDEBUG="-all")  # noqa: E731
        ws.append(Workload(7, "Wine start-up: wine cmd /c exit", [data["wine"]],
                           [Step("wine cmd /c exit", lambda t: ["wine", "cmd", "/c", "exit"],
                                 after=kill_wineserver, env=wine_env, quiet=True)], REPS_BIG, plain=data["wine-plain"]))
    else:
        ws.append(Workload(7, "Wine start-up: wine cmd /c exit", [], [Step("wine cmd /c exit", None)], 0,
                           skip=WINE_WHY))
    return ws


# ------------------------------------------------------------------ data ----

def prepare_data():
    """Generated once per parameter set and reused by later runs."""
    d = os.path.join(WORK, "data-v%d" % gen.VERSION)
    os.makedirs(d, exist_ok=True)
    data = {}

    def once(key, path, make):
        stamp = path + ".done"
        data[key] = path
        if os.path.exists(stamp):
            return
        log("generating %s" % path)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.unlink(path)
        make(path)
        sync()
        open(stamp, "w").close()

    once("tree", os.path.join(d, "tree-%d" % TREE_FILES), lambda p: gen.tree(p, TREE_FILES))
    once("flat", os.path.join(d, "flat-%d" % FLAT_FILES), lambda p: gen.flat(os.path.join(p, "flat"), FLAT_FILES))
    once("big", os.path.join(d, "big-%d" % BIG_MB), lambda p: gen.big(os.path.join(p, "big.bin"), BIG_MB * MiB))

    def make_many(p):
        gen.many(os.path.join(p, "many"), COPYUP_FILES, MiB)
        os.link(os.path.join(data["big"], "big.bin"), os.path.join(p, "big.bin"))
    once("many", os.path.join(d, "many-%d-%d" % (COPYUP_FILES, BIG_MB)), make_many)

    def make_tar(p):
        srcdir = p + ".tree"
        if os.path.exists(srcdir):
            shutil.rmtree(srcdir)
        gen.source(os.path.join(srcdir, "src"), SOURCE_FILES)
        run(["tar", "-cf", p, "--sort=name", "--owner=0", "--group=0", "--mtime=@0", "-C", srcdir, "src"])
        shutil.rmtree(srcdir)
    once("src_tar", os.path.join(d, "source-%d.tar" % SOURCE_FILES), make_tar)
    once("empty", os.path.join(d, "empty"), lambda p: (os.makedirs(p), open(os.path.join(p, "README"), "w").close()))

    if WINE_OK:
        def make_prefix(p):
            env = dict(os.environ, WINEPREFIX=p, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
            run(["wineboot", "-i"], env=env, timeout=600)
            run(["wineserver", "-w"], env=env, timeout=600)
        once("wine", os.path.join(d, "wineprefix"), make_prefix)
        # Wine writes to its prefix: the plain-dir runs get their own copy
        once("wine-plain", os.path.join(d, "wineprefix-plain"), lambda p: run(["cp", "-a", data["wine"], p]))
    return data


# --------------------------------------------------------------- session ----

def cli(*args, check=True):
    return run([SP_CLI, "--library", LIB] + list(args), check=check)


def read_stamp(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, v = line.split()
            out[k] = int(v)
    return out


def play(slug, start, actions, finish, stamp):
    """One `savepoint-cli play`; returns (start latency s, exit-to-end s, total s)."""
    with open(stamp + ".actions", "w") as f:
        f.write(" ".join(actions))
    if os.path.exists(stamp):
        os.unlink(stamp)
    t0 = time.time_ns()
    p = run(PLAY + [slug, "--library", LIB] + start + finish, check=False, env=SESSION_ENV)
    t1 = time.time_ns()
    if p.returncode != 0:
        raise BenchError("savepoint-cli play %s failed (%d): %s" % (slug, p.returncode, p.stderr.strip()[-2000:]))
    s = read_stamp(stamp)
    if "end" not in s:
        raise BenchError("the game of %s did not finish: %s" % (slug, p.stderr.strip()[-2000:]))
    return (s["start"] - t0) / 1e9, (t1 - s["end"]) / 1e9, (t1 - t0) / 1e9


PLAY = None


def play_available():
    """Sets PLAY to `savepoint-cli play`, else says why not."""
    global PLAY
    if not os.access(SP_CLI, os.X_OK):
        return "savepoint-cli was not built"
    p = run([SP_CLI, "play", "--help"], check=False)
    if p.returncode == 0 and "--keep" in p.stdout + p.stderr:
        PLAY = [SP_CLI, "play"]
        return None
    return "savepoint-cli has no `play` command (branch session not merged)"


def add_game(name, folder):
    stamp = os.path.join(WORK, "stamps", name)
    os.makedirs(os.path.dirname(stamp), exist_ok=True)
    shutil.copy(GAME, os.path.join(folder, "game"))
    cli("add", name, folder, "--exec", "game", "--kind", "native", "--arg", stamp, "--adopt")
    games = json.loads(run([SP_CLI, "--library", LIB, "--json", "list"]).stdout)
    for g in games["games"]:
        if g["name"] == name:
            return g["slug"], stamp
    raise BenchError("savepoint-cli add %s did not add it" % name)


def session_workloads():
    global LIB, SESSION_ENV
    why = play_available()
    if ONLY and not ONLY & {"8", "9", "10"}:
        return
    if why:
        for num, title in ((8, "play start latency"), (9, "keep and restore"), (10, "peak memory of a play session")):
            SESSION.append({"num": num, "title": title, "skip": why})
        log("session workloads skipped: %s" % why)
        return
    root = os.path.join(WORK, "session")
    rmtree(root)
    os.makedirs(root)
    LIB = os.path.join(root, "drive")
    os.makedirs(LIB)
    SESSION_ENV = dict(os.environ, SAVEPOINT_LIBRARY=LIB,
                       SAVEPOINT_RUN=os.path.join(BUILD, "src/supervisor/savepoint-run"),
                       XDG_STATE_HOME=os.path.join(root, "state"),
                       XDG_RUNTIME_DIR=os.path.join(root, "runtime"),
                       XDG_DATA_HOME=os.path.join(root, "data"), XDG_CONFIG_HOME=os.path.join(root, "config"))
    for k in ("XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        os.makedirs(SESSION_ENV[k], mode=0o700)
    cli("init", LIB)
    try:
        session_8(root)
        session_9(root)
    finally:
        cleanup_all()


def session_8(root):
    if ONLY and not ONLY & {"8", "10"}:
        return
    log("workload 8: play start latency for bases of %s files" % BASES)
    games = {}
    for n in BASES:
        folder = os.path.join(root, "base-%d" % n)
        gen.tree(folder, n, 1024, seed=10 + n)
        games[n] = add_game("base%d" % n, folder)
    rows = {n: {"cold": [], "warm": [], "total": []} for n in BASES}
    for rep in range(REPS):
        order = BASES[rep % len(BASES):] + BASES[:rep % len(BASES)]
        for n in order:
            slug, stamp = games[n]
            for mode in ("cold", "warm"):
                if mode == "cold":
                    drop_caches()
                else:
                    sync()
                lat, _, total = play(slug, ["--clean"], [], ["--discard"], stamp)
                rows[n][mode].append(lat)
                if mode == "warm":
                    rows[n]["total"].append(total)
    for n in BASES:
        SESSION.append({"num": 8, "title": "play start latency, base of %s files" % f"{n:,}",
                        "cold": rows[n]["cold"], "warm": rows[n]["warm"], "total": rows[n]["total"]})
    # workload 10: the app's peak memory while its game walks the biggest base
    n = max(BASES)
    slug, stamp = games[n]
    drop_caches()
    with open(stamp + ".actions", "w") as f:
        f.write("walk")
    p = run(["/usr/bin/time", "-f", "maxrss_kib=%M"] + PLAY + [slug, "--library", LIB, "--clean", "--discard"],
            env=SESSION_ENV)
    m = re.search(r"maxrss_kib=(\d+)", p.stderr)
    SESSION.append({"num": 10, "title": "peak RSS of `savepoint-cli play` while its game walks %s files" % f"{n:,}",
                    "value": int(m.group(1)) * 1024})


def session_9(root):
    if ONLY and "9" not in ONLY:
        return
    log("workload 9: keep and restore for %s MB of changes" % CHANGES_MB)
    folder = os.path.join(root, "game")
    gen.tree(folder, 10000, 2048, seed=99)
    gen.big(os.path.join(folder, "data", "assets.pak"), GAME_MB * MiB, seed=98)
    # the alternatives work on a plain copy of the same prefix
    alt = os.path.join(root, "alt")
    os.makedirs(alt)
    shutil.copy(GAME, os.path.join(folder, "game"))
    run(["cp", "-a", folder, os.path.join(alt, "prefix")])
    slug, stamp = add_game("game", folder)
    prefix = os.path.join(alt, "prefix")
    base_bytes = int(run(["du", "-sb", prefix]).stdout.split()[0])
    log("  prefix: %.0f MiB" % (base_bytes / MiB))
    # git keeps its repository beside the prefix, so cp -a and tar see the same prefix
    gitenv = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
                  GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost",
                  GIT_DIR=os.path.join(alt, "git"), GIT_WORK_TREE=prefix,
                  GIT_CONFIG_COUNT="2", GIT_CONFIG_KEY_0="gc.auto", GIT_CONFIG_VALUE_0="0",
                  GIT_CONFIG_KEY_1="maintenance.auto", GIT_CONFIG_VALUE_1="false")
    run(["git", "init", "-q"], env=gitenv)
    run(["git", "add", "-A"], env=gitenv)
    run(["git", "commit", "-q", "-m", "clean"], env=gitenv)
    sh = lambda cmd: ["sh", "-ec", cmd]  # noqa: E731
    q = shlex.quote
    for mb in CHANGES_MB:
        size = mb * MiB
        reps = REPS_BIG if mb < 1000 else max(1, REPS_BIG - 2)
        r = {k: [] for k in ("sp keep", "sp restore", "sp clean start", "cp keep", "cp restore",
                             "git keep", "git restore", "tar keep", "tar restore")}
        for rep in range(reps):
            seed = str(1000 + rep)
            # Savepoint: the time from the game's exit to the end of `play --keep`
            sync()
            _, keep, _ = play(slug, ["--clean"], ["write:%d:%s" % (size, seed)], ["--keep", "bench %d MB" % mb], stamp)
            r["sp keep"].append(keep)
            cps = json.loads(run([SP_CLI, "--library", LIB, "--json", "checkpoints", slug]).stdout)
            cp = [c for c in cps if c["current"]]
            if len(cp) != 1:
                raise BenchError("play --keep did not make a current checkpoint: %s" % cps)
            cp_id = cp[0]["id"]
            if cp[0]["bytes"] < size:
                raise BenchError("checkpoint %s holds %s bytes, fewer than the %d written" % (cp_id, cp[0]["bytes"], size))
            # restore: from the command to the game running on that checkpoint,
            # and the game checks that its saves are all there
            drop_caches()
            lat, _, _ = play(slug, ["--from", cp_id], ["expect:%d" % size], ["--discard"], stamp)
            r["sp restore"].append(lat)
            drop_caches()
            lat, _, _ = play(slug, ["--clean"], [], ["--discard"], stamp)
            r["sp clean start"].append(lat)
            cli("delete", slug, cp_id)

            # the same changes in the plain prefix, then what a player would do
            run([os.path.join(prefix, "game"), os.path.join(WORK, "stamps", "alt"), "write:%d:%s" % (size, seed)])
            backup = os.path.join(alt, "backup")
            tarball = os.path.join(alt, "save.tar.zst")
            for kind, keep_cmd, reset_cmd, restore_cmd in (
                # git first: cp -a's restore leaves git's index stale
                ("git", "git add -A; git commit -q -m save",
                 "git reset -q --hard HEAD~1",
                 "git reset -q --hard HEAD@{1}"),
                ("tar", "tar --zstd -cf %s -C %s saves" % (q(tarball), q(prefix)),
                 "rm -rf %s/saves" % q(prefix), "tar --zstd -xf %s -C %s" % (q(tarball), q(prefix))),
                ("cp", "cp -a %s %s" % (q(prefix), q(backup)),
                 "", "rm -rf %s; cp -a %s %s" % (q(prefix), q(backup), q(prefix)))):
                sync()
                secs, _ = timed(sh(keep_cmd), env=gitenv)
                r[kind + " keep"].append(secs)
                if reset_cmd:
                    run(sh(reset_cmd), env=gitenv)
                drop_caches()
                secs, _ = timed(sh(restore_cmd), env=gitenv)
                r[kind + " restore"].append(secs)
                got = int(run(["du", "-sb", os.path.join(prefix, "saves")]).stdout.split()[0])
                if got < size:
                    raise BenchError("%s restore left %d bytes of saves, not %d" % (kind, got, size))
            rmtree(backup)
            os.unlink(tarball)
            # back to clean for the next size
            run(sh("git reset -q --hard HEAD~1; git reflog expire --expire=now --all; git gc -q --prune=now"),
                env=gitenv)
            rmtree(os.path.join(prefix, "saves"))
        SESSION.append({"num": 9, "title": "%s MB of changes (prefix %.0f MiB)" % (f"{mb:,}", base_bytes / MiB),
                        "keep": r, "reps": reps})
        log("  %d MB: %s" % (mb, "  ".join("%s=%.2f" % (k, statistics.median(v)) for k, v in r.items())))


# ---------------------------------------------------------------- report ----

def med(xs):
    return statistics.median(xs) if xs else None


def fmt_s(s):
    if s is None:
        return "–"
    if s < 1:
        return "%.1f ms" % (s * 1000)
    return "%.2f s" % s


def fmt_ratio(a, b, runs_a=None, runs_b=None):
    """The ratio of the medians; "~" when the two sets of runs overlap, i.e.
    the difference is within this machine's run-to-run noise."""
    if a is None or b is None or b == 0:
        return "–"
    tie = runs_a and runs_b and len(runs_a) > 1 and min(runs_a) <= max(runs_b) and min(runs_b) <= max(runs_a)
    return "%.2f×%s" % (a / b, " ~" if tie else "")


def machine():
    def sh(cmd):
        p = subprocess.run(cmd, shell=True, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.stdout.strip()
    cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    fo = sh("fuse-overlayfs --version 2>&1 | sed -n 's/^fuse-overlayfs: version //p'")
    rev = sh("git -C %s describe --always --dirty 2>/dev/null" % shlex.quote(HERE))
    spv = sh("%s --version 2>/dev/null" % shlex.quote(SP_CLI)) if os.access(SP_CLI, os.X_OK) else ""
    return [
        ("Date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        ("CPU", "%s, %d cores" % (cpu, os.cpu_count())),
        ("RAM", mem),
        ("Kernel", platform.release()),
        ("OS", sh(". /etc/os-release; echo $PRETTY_NAME")),
        ("File system under the layers", "%s (%s)" % (fstype_of(WORK), WORK)),
        ("libfuse", sh("pkg-config --modversion fuse3 2>/dev/null || fusermount3 --version")),
        ("fuse-overlayfs", fo),
        ("Savepoint", "%s, git %s, meson -Dbuildtype=release" % (spv or "savepoint-cli not built", rev)),
        ("Wine", sh("wine --version 2>/dev/null") if WINE_OK else "not used: " + WINE_WHY),
    ]


def report(elapsed):
    L = []
    L.append("# Savepoint benchmarks\n")
    quick = " (quick mode: small sizes, noisy)" if QUICK else ""
    started = float(os.environ.get("SP_BENCH_STARTED", "0"))
    if started and READY:
        L.append("Made by `%s`%s in %.1f minutes from start to end: %.1f installing what was missing, "
                 "building and generating data, %.1f running the workloads.\n"
                 % (COMMAND, quick, (time.time() - started) / 60, (READY - started) / 60,
                    (time.time() - READY) / 60))
    else:
        L.append("Made by `%s`%s in %.1f minutes.\n" % (COMMAND, quick, elapsed / 60))
    L.append("| | |\n| --- | --- |")
    for k, v in machine():
        L.append("| %s | %s |" % (k, v))
    L.append("")
    L.append("## Overlay workloads\n")
    L.append("Median wall time of each step over as many runs as the table says, the four file systems "
             "interleaved in a rotating order. *cold*: a fresh mount, then `sync; echo 3 > "
             "/proc/sys/vm/drop_caches` before each step; *warm*: a fresh mount after one untimed pass. "
             "The ratios are savepoint-overlayfs's time divided by the other's: below 1× Savepoint is faster. "
             "The same lower layers for all; the plain dir is the lower layer itself, without any overlay. "
             "A ratio marked ~ is a tie: the runs of the two overlap, so the difference is within this "
             "machine's run-to-run noise (on a VM that returns freed memory to its host, a step that fills "
             "fresh page cache can take twice as long from one run to the next).\n")
    cols = [fs for fs in ("plain", "kernel", "fuse-overlayfs", "savepoint") if fs in FS_NAMES]
    L.append("| # | workload | step | cache | runs | " + " | ".join(FS_TITLES[c] for c in cols) +
             " | savepoint ÷ fuse-overlayfs | savepoint ÷ kernel |")
    L.append("| --- | --- | --- | --- | ---: | " + " | ".join("---:" for _ in cols) + " | ---: | ---: |")
    for r in RESULTS:
        if r["skip"]:
            if r["mode"] == "cold":
                L.append("| %s | %s | %s | | | skipped: %s |%s" % (r["num"], r["title"], r["step"], r["skip"],
                                                                    " |" * (len(cols) + 1)))
            continue
        m = {fs: med(r["times"][fs]) for fs in cols}
        L.append("| %s | %s | %s | %s | %d | %s | %s | %s |" % (
            r["num"], r["title"], r["step"], r["mode"], max(len(r["times"][c]) for c in cols),
            " | ".join(fmt_s(m[c]) for c in cols),
            fmt_ratio(m.get("savepoint"), m.get("fuse-overlayfs"), r["times"].get("savepoint"),
                      r["times"].get("fuse-overlayfs")),
            fmt_ratio(m.get("savepoint"), m.get("kernel"), r["times"].get("savepoint"), r["times"].get("kernel"))))
    L.append("")
    if MEMORY:
        L.append("**10a. Peak memory (VmHWM) of the FUSE daemon** after a cold walk of the %s-file tree: %s.\n" % (
            f"{TREE_FILES:,}", ", ".join("%s %.1f MiB" % (FS_TITLES[fs], med(v) / MiB)
                                          for fs, v in MEMORY.items() if v and v[0])))
    L.append("## Session workloads\n")
    skipped = [s for s in SESSION if s.get("skip")]
    for s in skipped:
        L.append("- %s. %s: skipped: %s" % (s["num"], s["title"], s["skip"]))
    if skipped:
        L.append("")
    s8 = [s for s in SESSION if s["num"] == 8 and not s.get("skip")]
    if s8:
        L.append("**8. Play start latency**: from `savepoint-cli play GAME --clean --discard` to the first "
                 "instruction of a tiny native game (median of %d; cold: caches dropped first). It must not "
                 "grow with the base. The game lingers 100 ms before exiting (see game.c).\n" % REPS)
        L.append("| base | cold | warm | whole session, warm (command to its end) |")
        L.append("| --- | ---: | ---: | ---: |")
        for s in s8:
            L.append("| %s | %s | %s | %s |" % (s["title"].split("base of ")[1], fmt_s(med(s["cold"])),
                                                fmt_s(med(s["warm"])), fmt_s(med(s["total"]))))
        L.append("")
    s9 = [s for s in SESSION if s["num"] == 9 and not s.get("skip")]
    if s9:
        L.append("**9. Keep and restore** (median; repetitions per row in brackets). Savepoint keep: from the "
                 "game's exit to the end of `play --keep` (unmount, pack upper/ with zstd, fsync, rename). "
                 "Savepoint restore: from `play --from ID` to the game running on the unpacked checkpoint "
                 "(cold), next to a clean start. The alternatives work on a plain copy of the same prefix; "
                 "their restores start cold too. Savepoint's keep includes fsyncing the archive and its .ini, "
                 "the alternatives' times include no sync (their data may still be in the page cache), "
                 "which favours them.\n")
        L.append("| changes | Savepoint keep | cp -a keep | git keep | tar --zstd keep | Savepoint restore "
                 "(clean start) | cp -a restore | git restore | tar restore |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for s in s9:
            k = {n: med(v) for n, v in s["keep"].items()}
            L.append("| %s [%d] | %s | %s | %s | %s | %s (%s) | %s | %s | %s |" % (
                s["title"], s["reps"], fmt_s(k["sp keep"]), fmt_s(k["cp keep"]), fmt_s(k["git keep"]),
                fmt_s(k["tar keep"]), fmt_s(k["sp restore"]), fmt_s(k["sp clean start"]),
                fmt_s(k["cp restore"]), fmt_s(k["git restore"]), fmt_s(k["tar restore"])))
        L.append("")
    for s in SESSION:
        if s["num"] == 10 and not s.get("skip"):
            L.append("**10b. %s**: %.1f MiB (GNU time's maximum resident set size).\n" % (s["title"], s["value"] / MiB))
    if NOTES:
        L.append("## Notes\n")
        L.extend("- " + n for n in NOTES)
        L.append("")
    with open(OUT + ".tmp", "w") as f:
        f.write("\n".join(L) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.rename(OUT + ".tmp", OUT)
    log("wrote %s" % OUT)


# ------------------------------------------------------------------ main ----

def wine_check():
    if WINE == "0":
        return False, "disabled (SP_BENCH_WINE=0)"
    if not shutil.which("wine") or not shutil.which("wineboot"):
        return False, "Wine is not installed and could not be installed"
    return True, ""


def on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main():
    global WINE_OK, WINE_WHY, READY
    if os.geteuid() != 0:
        sys.exit("bench.py: run as root (the kernel overlay needs it, and so does dropping caches)")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)   # also when started in the background
    signal.signal(signal.SIGHUP, on_signal)
    WINE_OK, WINE_WHY = wine_check()
    for need in (FSBENCH, GAME):
        if not os.access(need, os.X_OK):
            sys.exit("bench.py: %s is missing; run tests/bench/run.sh" % need)
    if "savepoint" in FS_NAMES and not os.access(SP_OVERLAYFS, os.X_OK):
        NOTES.append("savepoint-overlayfs was not built (%s): its column is empty" % SP_OVERLAYFS)
        FS_NAMES.remove("savepoint")
    if not shutil.which("fuse-overlayfs") and "fuse-overlayfs" in FS_NAMES:
        FS_NAMES.remove("fuse-overlayfs")
    os.makedirs(WORK, exist_ok=True)
    start = time.monotonic()
    try:
        cleanup_all()
        rmtree(os.path.join(WORK, "runs"))
        empty_trash()
        data = prepare_data()
        READY = time.time()
        log("data ready")
        for w in overlay_workloads(data):
            run_workload(w)
        session_workloads()
    finally:
        cleanup_all()
        left = mounts_under(WORK)
        if left:
            log("error: still mounted: %s" % left)
    report(time.monotonic() - start)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump({"overlay": RESULTS, "memory": MEMORY, "session": SESSION}, f, indent=1, default=str)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit("bench.py: %s" % e)
    except KeyboardInterrupt:
        sys.exit("bench.py: interrupted; all mounts were removed")
