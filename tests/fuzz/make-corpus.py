#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/).

The corpus is committed; run this again only to change it. Each seed is a
small valid or invalid sample of what a drive (or an exported checkpoint, or
a run folder) may hold, including hostile examples (SECURITY.md). The
archive seeds are plain tars, which the archive targets compress with zstd
before use, except those starting with the zstd magic number, which are used
as they are (see fuzz_archive_bytes() in fuzz-common.c).
"""
import io
import os
import struct
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
UUID = "5b0c3f0e-9d1a-4c59-8f3e-2a7c1d9e4b10"
CP_ID = "20261123T184512-ab12cd"
SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
GARBAGE = bytes((i * 151 + 7) % 256 for i in range(700))


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = os.path.join(CORPUS, target, name)
    with open(path, "wb") as f:
        f.write(data)


def common(target, group):
    """Invalid samples every key-file parser gets."""
    write(target, "empty", b"")
    write(target, "garbage", GARBAGE)
    write(target, "no-group", "Name=x\n")
    write(target, "not-a-key-file", f"[{group}]\nthis is not a key file\n")
    write(target, "nul-bytes", f"[{group}]\nName=a\0b\nId=\0\n".encode())
    write(target, "bad-utf8", f"[{group}]\nName=".encode() + b"\xff\xfe\xc3\x28" + b"\n")
    write(target, "overlong-line", f"[{group}]\nName=".encode() + b"A" * 3000)
    write(target, "unterminated-group", f"[{group}\nName=x\n")
    write(target, "escapes", f"[{group}]\nName=\\\\\\n\\t\\s\\x\\\nLabel=\\\n")
    # Found by fuzzing: GLib 2.74 sets its GError twice reading a value with
    # an invalid escape that ends in a lone backslash (a GLib-WARNING).
    write(target, "invalid-escape-lone-backslash",
          f"[{group}]\n" + "".join(f"{k}=\\x\\\n" for k in
                                  ("Name", "Id", "Library", "Game", "Created", "SHA256", "Label")))


def library():
    t = "library"
    common(t, "Library")
    write(t, "valid", f"[Library]\nVersion=1\nId={UUID}\nName=My Drive\n")
    write(t, "valid-comments-unknown-keys",
          f"# made by hand\n[Library]\nVersion=1\nId={UUID}\nName=Drive\nFuture=1\n[Other]\nX=y\n")
    # An Id that leaves the drive: with a game "documents", play --discard
    # would delete ~/documents.
    write(t, "hostile-id-dotdot", "[Library]\nVersion=1\nId=../../../..\nName=Evil\n")
    write(t, "hostile-id-slash", "[Library]\nVersion=1\nId=/home\nName=Evil\n")
    write(t, "hostile-id-empty", "[Library]\nVersion=1\nId=\nName=Evil\n")
    write(t, "hostile-id-huge", "[Library]\nVersion=1\nId=" + "a" * 4000 + "\n")
    write(t, "newer-version", f"[Library]\nVersion=99\nId={UUID}\nName=Future\nNewKey=kept\n")
    write(t, "version-overflow", f"[Library]\nVersion=99999999999999999999999\nId={UUID}\n")
    write(t, "version-negative", f"[Library]\nVersion=-1\nId={UUID}\n")
    write(t, "version-text", f"[Library]\nVersion=one\nId={UUID}\n")
    write(t, "duplicate-keys", f"[Library]\nVersion=1\nId={UUID}\nId=../x\n[Library]\nName=twice\n")
    write(t, "huge-name", f"[Library]\nVersion=1\nId={UUID}\nName=" + "N" * 4000 + "\n")


def game():
    t = "game"
    common(t, "Game")
    write(t, "valid-native",
          "[Game]\nName=Fake Game\nKind=native\nExecutable=bin/fake-game\nArguments=--windowed;\n"
          "WorkingDirectory=.\nHome=home\nEnvironment=SPEED=2;\nIcon=icon.png\n[State]\nHead=\n")
    write(t, "valid-wine",
          "[Game]\nName=Wine Game\nKind=wine\nExecutable=drive_c/Game/game.exe\n"
          "Runner=wine\nWineUser=player\n[State]\nHead=" + CP_ID + "\n")
    # Paths outside the game.
    write(t, "hostile-executable-dotdot",
          "[Game]\nName=Evil\nKind=native\nExecutable=../../../../bin/sh\n")
    write(t, "hostile-executable-absolute", "[Game]\nName=Evil\nKind=native\nExecutable=/bin/sh\n")
    write(t, "hostile-home-dotdot", "[Game]\nName=Evil\nKind=native\nExecutable=game\nHome=../../x\n")
    write(t, "hostile-workdir-icon",
          "[Game]\nName=Evil\nExecutable=game\nWorkingDirectory=../..\nIcon=/etc/shadow\n")
    # Item 4: a command line and loader variables chosen by the drive.
    write(t, "hostile-runner", "[Game]\nName=Evil\nKind=wine\nExecutable=a.exe\n"
          "Runner=/bin/sh -c 'touch /tmp/pwned' --\n")
    write(t, "hostile-environment", "[Game]\nName=Evil\nExecutable=game\n"
          "Environment=LD_PRELOAD=/tmp/evil.so;PATH=/tmp;WINELOADER=/tmp/x;=novar;NOEQUALS;\n")
    write(t, "hostile-head", "[Game]\nName=Evil\nExecutable=game\n[State]\nHead=../../../etc/passwd\n")
    # A profile name that is not one folder name.
    write(t, "hostile-wine-user", "[Game]\nName=Evil\nKind=wine\nExecutable=a.exe\n"
          "WineUser=../../x\n")
    write(t, "hostile-wine-user-control", "[Game]\nName=Evil\nKind=wine\nExecutable=a.exe\n"
          "WineUser=a\\tb\x01\n")
    # Exclusions: a valid list, and patterns that leave the game or match everything.
    write(t, "valid-exclude", "[Game]\nName=X\nKind=wine\nExecutable=a.exe\n"
          "Exclude=cache;*.log;drive_c/users/*/AppData/Local/Game/Logs;\nExcludeDefaults=false\n")
    write(t, "hostile-exclude", "[Game]\nName=Evil\nExecutable=game\n"
          "Exclude=../../home;/etc;*;\\x;\nExcludeDefaults=maybe\n")
    write(t, "bad-kind", "[Game]\nName=X\nKind=dos\nExecutable=game\n")
    write(t, "bad-lists", "[Game]\nName=X\nExecutable=game\nArguments=a\\\nEnvironment=\\z;\n")
    write(t, "no-name", "[Game]\nKind=native\nExecutable=game\n")
    write(t, "huge-arguments", "[Game]\nName=X\nExecutable=game\nArguments=" + "a;" * 2000 + "\n")


def checkpoint():
    t = "checkpoint"
    common(t, "Checkpoint")
    write(t, "valid", f"[Checkpoint]\nParent=\nCreated=2026-11-23T18:45:12Z\nLabel=Chapter 1\n"
          f"PlayTime=3600\nFiles=12\nBytes=40960\nArchiveSize=2048\nSHA256={SHA}\n")
    write(t, "valid-child", f"[Checkpoint]\nParent={CP_ID}\nCreated=2026-11-23T18:45:12.123456Z\n"
          f"Label=\nPlayTime=0\nFiles=0\nBytes=0\nArchiveSize=0\nSHA256={SHA}\nImportedFrom=x.tar.zst\n")
    write(t, "hostile-parent", f"[Checkpoint]\nParent=../../../..\nCreated=2026-11-23T18:45:12Z\n"
          f"ArchiveSize=1\nSHA256={SHA}\n")
    write(t, "impossible-numbers", "[Checkpoint]\nCreated=9999-99-99T99:99:99Z\nPlayTime=-5\n"
          "Files=-1\nBytes=18446744073709551616\nArchiveSize=-1\nSHA256=zz\n")
    write(t, "sha-huge", "[Checkpoint]\nCreated=2026-11-23T18:45:12Z\nSHA256=" + "f" * 4000 + "\n")
    write(t, "created-garbage", "[Checkpoint]\nCreated=yesterday\nLabel=" + "L" * 3000 + "\n")
    write(t, "note", f"[Checkpoint]\nCreated=2026-11-23T18:45:12Z\nLabel=Chapter 1\n"
          "Note=Three potions left.\\n\tTake the right door \\\\ not the left.\\s\n"
          f"PlayTime=60\nFiles=1\nBytes=1\nArchiveSize=1\nSHA256={SHA}\n")
    write(t, "pinned", f"[Checkpoint]\nCreated=2026-11-23T18:45:12Z\nPinned=true\n"
          f"ArchiveSize=1\nSHA256={SHA}\n")
    write(t, "hostile-pinned", f"[Checkpoint]\nCreated=2026-11-23T18:45:12Z\nPinned=yes\x00\n"
          f"ArchiveSize=1\nSHA256={SHA}\n")
    write(t, "hostile-note", f"[Checkpoint]\nCreated=2026-11-23T18:45:12Z\nArchiveSize=1\n"
          f"SHA256={SHA}\nNote=clear\x1b[2J\\r\xc2\x85" + "n" * 5000 + "\\q\n")


def retention():
    """[Retention] keys, and the same text as a drive-trash entry's marker."""
    t = "retention"
    common(t, "Retention")
    write(t, "valid", "[Retention]\nKeepLast=10\nKeepDaily=7\nMaxSize=2.5\n")
    write(t, "empty-values", "[Retention]\nKeepLast=\nKeepDaily= \nMaxSize=\n")
    write(t, "hostile-numbers", "[Retention]\nKeepLast=-1\nKeepDaily=1e9\n"
          "MaxSize=99999999999999999999999.9999\n")
    write(t, "hostile-size", "[Retention]\nMaxSize=nan\n")
    write(t, "trash-marker", f"[Trash]\nVersion=1\nGame=game\nCheckpoint={CP_ID}\n"
          "Trashed=2026-11-23T18:45:12Z\n")
    write(t, "trash-marker-dotdot", "[Trash]\nVersion=1\nGame=game\n"
          "Checkpoint=../victim\nTrashed=2026-11-23T18:45:12Z\n")
    write(t, "trash-marker-keep-me", "[Trash]\nVersion=1\nGame=game\nCheckpoint=keep\n"
          "Trashed=2000-01-01T00:00:00Z\n")
    write(t, "trash-marker-version", f"[Trash]\nVersion=2\nGame=game\nCheckpoint={CP_ID}\n"
          "Trashed=2026-11-23T18:45:12Z\n")


def run():
    t = "run"
    common(t, "Run")
    write(t, "valid", f"[Run]\nLibrary={UUID}\nLibraryPath=/media/drive/Savepoint\nGame=fake-game\n"
          "GameName=Fake Game\nHead=\nStarted=2026-11-23T18:45:12Z\nEnded=2026-11-23T19:45:12Z\n"
          "Status=finished\nOwnerPid=4242\nOwnerStart=123456\nHost=host\nPid=4243\n"
          "PlayTime=3600\nExitStatus=0\n")
    write(t, "running", f"[Run]\nLibrary={UUID}\nGame=fake-game\nStatus=running\nOwnerPid=1\n"
          "OwnerStart=0\nHost=localhost\n")
    write(t, "hostile-ids", "[Run]\nLibrary=../../..\nGame=../../documents\nHead=../../x\n"
          "Status=finished\nLibraryPath=/\n")
    write(t, "hostile-pids", f"[Run]\nLibrary={UUID}\nGame=g\nStatus=running\nOwnerPid=-1\n"
          "OwnerStart=-1\nPid=0\nExitStatus=99999999999\nPlayTime=-9\n")
    write(t, "bad-status-times", f"[Run]\nLibrary={UUID}\nGame=g\nStatus=exploded\n"
          "Started=never\nEnded=2026-13-45T25:61:61Z\nError=" + "e" * 3000 + "\n")
    write(t, "no-library", "[Run]\nGame=g\n")


def tar_bytes(entries, metadata=True):
    """A pax tar (without the record padding python adds after the end)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if metadata:
            meta = (f"[Checkpoint]\nCreated=2026-11-23T18:45:12Z\nLabel=Seed\nPlayTime=60\n"
                    f"Game={UUID}\n").encode()
            info = tarfile.TarInfo(".savepoint/checkpoint.ini")
            info.size = len(meta)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(meta))
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.type = e.get("type", tarfile.REGTYPE)
            info.mode = e.get("mode", 0o644 if info.type == tarfile.REGTYPE else 0o755)
            info.linkname = e.get("link", "")
            info.devmajor = e.get("major", 0)
            info.devminor = e.get("minor", 0)
            info.mtime = 1700000000
            info.pax_headers = e.get("pax", {})
            data = e.get("data", b"")
            info.size = len(data) if info.type == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
    data = buf.getvalue()
    # Keep the two zero blocks that end the archive, drop the padding.
    end = len(data)
    while end > 0 and data[end - 512:end] == b"\0" * 512:
        end -= 512
    return data[:end] + b"\0" * 1024


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, check=True,
                          stdout=subprocess.PIPE).stdout


D, F, L, H = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
VALID = [
    {"name": "save", "type": D},
    {"name": "save/counter.txt", "data": b"3\n"},
    {"name": "save/link", "type": L, "link": "counter.txt"},
    {"name": "save/hard", "type": H, "link": "save/counter.txt"},
    {"name": "drive_c/users/player/.wh.Temp"},
    {"name": "drive_c/users/player/Documents", "type": D},
    {"name": "drive_c/users/player/Documents/.wh..wh..opq"},
    {"name": "save/xattr.txt", "data": b"x", "pax": {"SCHILY.xattr.user.game": "1"}},
]
HOSTILE = {
    "dotdot": [{"name": "../escape.txt", "data": b"out"}],
    "dotdot-inside": [{"name": "save/../../escape.txt", "data": b"out"}],
    "absolute": [{"name": "/tmp/sp-fuzz-absolute.txt", "data": b"out"}],
    "symlink-then-write": [{"name": "link", "type": L, "link": "/tmp"},
                           {"name": "link/sp-fuzz-through.txt", "data": b"out"}],
    "symlink-dotdot-then-write": [{"name": "up", "type": L, "link": ".."},
                                  {"name": "up/escape.txt", "data": b"out"}],
    "device": [{"name": "null", "type": tarfile.CHRTYPE, "major": 1, "minor": 3}],
    "block-device": [{"name": "sda", "type": tarfile.BLKTYPE, "major": 8, "minor": 0}],
    "fifo": [{"name": "fifo", "type": tarfile.FIFOTYPE}],
    "hardlink-out": [{"name": "passwd", "type": H, "link": "/etc/passwd"}],
    "hardlink-dotdot": [{"name": "x", "type": H, "link": "../x"}],
    "hardlink-missing": [{"name": "x", "type": H, "link": "nowhere"}],
    "setuid-setgid": [{"name": "bin", "type": D, "mode": 0o2755},
                      {"name": "bin/su", "data": b"#!/bin/sh\n", "mode": 0o4755}],
    "whiteout-dotdot": [{"name": ".wh..."}, {"name": "d/.wh."}],
    "opaque-root": [{"name": ".wh..wh..opq"}],
    "xattrs-not-user": [{"name": "f", "data": b"x",
                         "pax": {"SCHILY.xattr.security.capability": "\x01\x00\x00\x02",
                                 "SCHILY.xattr.trusted.overlay.opaque": "y"}}],
    "file-then-dir": [{"name": "a", "data": b"x"}, {"name": "a", "type": D},
                      {"name": "a/b", "data": b"y"}],
    "pax-long-name-nul": [{"name": "x" * 200, "data": b"x", "pax": {"path": "a\x00b/../../c"}}],
    "pax-huge-size": [{"name": "big", "data": b"", "pax": {"size": "1099511627776"}}],
    "pax-bad-mtime": [{"name": "t", "data": b"x", "pax": {"mtime": "-99999999999999999.5"}}],
    "many-dirs": [{"name": "/".join(["d"] * 60), "type": D}],
}


def archives():
    for t in ("archive-metadata", "archive-entries"):
        valid = tar_bytes(VALID)
        write(t, "valid.tar", valid)
        write(t, "valid.tar.zst", zstd(valid))
        write(t, "empty", b"")
        write(t, "garbage", GARBAGE)
        write(t, "zstd-magic-garbage", b"\x28\xb5\x2f\xfd" + GARBAGE)
        write(t, "no-metadata.tar", tar_bytes([{"name": "save.txt", "data": b"x"}], metadata=False))
        write(t, "only-metadata.tar", tar_bytes([]))
        # A metadata entry of 2 MiB (over the cap): small once compressed.
        big = tar_bytes([], metadata=False)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(".savepoint/checkpoint.ini")
            info.size = 2 << 20
            tar.addfile(info, io.BytesIO(b"[Checkpoint]\n" + b"L" * ((2 << 20) - 13)))
        write(t, "metadata-2mib.tar.zst", zstd(buf.getvalue()))
        for name, entries in HOSTILE.items():
            write(t, f"hostile-{name}.tar", tar_bytes(entries))
    # The metadata text itself, hostile.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        meta = b"[Checkpoint]\nCreated=\x00garbage\nPlayTime=-99999999999999999999\nLabel=\xff\n"
        info = tarfile.TarInfo(".savepoint/checkpoint.ini")
        info.size = len(meta)
        tar.addfile(info, io.BytesIO(meta))
    write("archive-metadata", "metadata-values.tar", buf.getvalue()[:2048])


def wine_registry():
    """Wine's .reg files: a real user.reg (tests/core/data) and hostile ones."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "core", "data", "user.reg"), "rb") as f:
        write("wine-registry", "user.reg", f.read())
    seeds = {
        "escapes.reg": b'WINE REGISTRY Version 2\n[Software\\\\Caf\\xe9\\\\a\\]b] 1\r\n'
                       b'"na\\"me"="v\\n\\x41\\101"\n[K\\xd83d\\xde00]\n@=hex:00,\\\n  01\n',
        "unterminated-key.reg": b"WINE REGISTRY Version 2\n[Software\\\\Unterminated 123\n",
        "nul.reg": b'WINE REGISTRY Version 2\n[A]\n"a"="x\x00y"\n',
        "continuation-at-end.reg": b'WINE REGISTRY Version 2\n[A]\n"a"=hex:00,\\\n',
        "value-before-key.reg": b'WINE REGISTRY Version 2\n"a"="before key"\n',
        "duplicate-key.reg": b'WINE REGISTRY Version 2\n[A]\n[A]\n"x"="merged"\n\n[B]\n#time=1\n'
                             b'#class="c"\n;comment\n',
    }
    for name, data in seeds.items():
        write("wine-registry", name, data)


def synthetic_pe():
    """A PE32+ file with one .rsrc section holding one icon group with one
    16 x 16 32-bit BMP icon (the layout of make_pe() in tests/core/test-pe-icon.c)."""
    icon_size = 40 + 16 * 16 * 4 + 16 * 4
    rsrc_size = 0x100 + icon_size
    d = bytearray(0x800)
    d[0:2] = b"MZ"
    struct.pack_into("<I", d, 0x3c, 0x40)
    d[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", d, 0x44, 0x8664, 1, 0, 0, 0, 240, 0x22)
    opt = 0x58
    struct.pack_into("<H", d, opt, 0x20b)
    struct.pack_into("<I", d, opt + 108, 16)
    struct.pack_into("<II", d, opt + 112 + 16, 0x1000, rsrc_size)
    sect = opt + 240
    d[sect:sect + 5] = b".rsrc"
    struct.pack_into("<IIII", d, sect + 8, rsrc_size, 0x1000, 0x600, 0x200)
    r = 0x200
    struct.pack_into("<H", d, r + 14, 2)
    struct.pack_into("<IIII", d, r + 16, 3, 0x80000020, 14, 0x80000040)
    for at, target in ((0x20, 0x80000060), (0x40, 0x80000080), (0x60, 0xa0), (0x80, 0xb0)):
        struct.pack_into("<H", d, r + at + 14, 1)
        struct.pack_into("<II", d, r + at + 16, 1 if at < 0x60 else 0x409, target)
    struct.pack_into("<II", d, r + 0xa0, 0x1100, icon_size)
    struct.pack_into("<II", d, r + 0xb0, 0x10c0, 20)
    struct.pack_into("<HHHBBBBHHIH", d, r + 0xc0, 0, 1, 1, 16, 16, 0, 0, 1, 32, icon_size, 1)
    struct.pack_into("<IiiHHI", d, r + 0x100, 40, 16, 32, 1, 32, 0)
    for i in range(256):
        struct.pack_into("<I", d, r + 0x128 + i * 4, 0xffff0000)
    return d


def pe_icon():
    """Windows executables: the synthetic one, damaged copies of it, and the
    headers and .rsrc of Wine's winemine.exe (other sections dropped)."""
    pe = synthetic_pe()
    write("pe-icon", "synthetic.exe", bytes(pe))
    damages = {
        "loop.exe": (0x200 + 0x60 + 20, 0x80000060),
        "huge-count.exe": (0x200 + 14, 0xffff),
        "icon-4gb.exe": (0x200 + 0xa4, 0xffffffff),
        "rsrc-past-end.exe": (0x58 + 240 + 20, 0xfffff000),
    }
    for name, (at, value) in damages.items():
        d = bytearray(pe)
        struct.pack_into("<I", d, at, value)
        write("pe-icon", name, bytes(d))
    write("pe-icon", "truncated.exe", bytes(pe[:0x2c0]))
    exe = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/winemine.exe"
    if not os.path.exists(exe):
        print("make-corpus.py: %s is missing: no real PE seed" % exe, file=sys.stderr)
        return
    with open(exe, "rb") as f:
        d = bytearray(f.read())
    pe_at = struct.unpack_from("<I", d, 0x3c)[0]
    n = struct.unpack_from("<H", d, pe_at + 6)[0]
    table = pe_at + 24 + struct.unpack_from("<H", d, pe_at + 20)[0]
    head = (table + n * 40 + 0x1ff) & ~0x1ff
    out = bytearray(d[:head])
    for i in range(n):
        o = table + i * 40
        if out[o:o + 5] == b".rsrc":
            raw_size, raw_at = struct.unpack_from("<II", d, o + 16)
            struct.pack_into("<I", out, o + 20, len(out))
            out += d[raw_at:raw_at + raw_size]
        else:
            struct.pack_into("<II", out, o + 16, 0, 0)
    write("pe-icon", "winemine-rsrc.exe", bytes(out))


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    for t in ("library", "game", "checkpoint", "run", "retention", "archive-metadata",
              "archive-entries", "wine-registry", "pe-icon"):
        os.makedirs(os.path.join(CORPUS, t))
    library()
    game()
    checkpoint()
    retention()
    run()
    archives()
    wine_registry()
    pe_icon()
    return 0


if __name__ == "__main__":
    sys.exit(main())
