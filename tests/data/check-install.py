#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the build and starts what was installed (a TAP test).

    check-install.py MESON BUILD_ROOT APP_ID VERSION

1. `meson install --destdir <tmp>`: the programs, the schema, the desktop
   file, the metainfo and the icons land under <tmp>/<prefix>; meson reports
   the post-install steps (glib-compile-schemas, …) as skipped because
   DESTDIR is set, which it does only for steps meson.build registers with
   gnome.post_install; and the installed savepoint-cli prints its version and
   creates and lists a library.
2. `meson install` into the prefix itself, as a user installs, made safe by a
   private mount namespace with an empty tmpfs on the prefix (`unshare
   --mount`; nothing outside the tmpfs is written). The post-install steps
   run: gschemas.compiled exists and GSettings finds the app's schema through
   XDG_DATA_DIRS as the installed app would, the icon cache exists; and the
   installed savepoint-cli plays a game with the installed savepoint-run (found
   in the prefix's libexecdir, which the program has compiled in: no
   SAVEPOINT_RUN) and keeps the run as a checkpoint.
Parts that cannot run here (no mount namespace, a prefix that holds the tools
the test needs, no /dev/fuse) are reported as skipped with the reason.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

GAME_SCRIPT = "#!/bin/sh\necho played >> save.txt\n"


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, name, problems):
        self.n += 1
        if problems:
            self.failed += 1
            print(f"not ok {self.n} {name}")
            for p in problems:
                for line in str(p).splitlines():
                    print(f"# {line}")
                # Also where `meson test --print-errorlogs` shows it.
                print(f"{name}: {p}", file=sys.stderr)
        else:
            print(f"ok {self.n} {name}")
        sys.stdout.flush()

    def skip(self, name, reason):
        self.n += 1
        print(f"ok {self.n} {name} # SKIP {reason}")
        sys.stdout.flush()

    def finish(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


def run(cmd, **kwargs):
    return subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kwargs)


def describe(r):
    return f"`{' '.join(r.args)}` exited with {r.returncode}:\n{r.stdout}{r.stderr}"


def layout(meson, build):
    r = run([meson, "introspect", build, "--buildoptions"])
    if r.returncode != 0:
        raise RuntimeError(describe(r))
    opts = {o["name"]: o["value"] for o in json.loads(r.stdout)}
    prefix = pathlib.Path(opts["prefix"])
    return {
        "prefix": prefix,
        "bindir": prefix / opts["bindir"],
        "libexecdir": prefix / opts["libexecdir"],
        "datadir": prefix / opts["datadir"],
    }


def under(root, path):
    """@path (absolute, in the prefix) as staged below @root."""
    return root / path.relative_to("/")


def installed_files(dirs, app_id, root):
    expect = [
        (dirs["bindir"] / "savepoint-cli", True),
        (dirs["bindir"] / "savepoint-overlayfs", True),
        (dirs["libexecdir"] / "savepoint-run", True),
        (dirs["datadir"] / "glib-2.0" / "schemas" / f"{app_id}.gschema.xml", False),
        (dirs["datadir"] / "applications" / f"{app_id}.desktop", False),
        (dirs["datadir"] / "metainfo" / f"{app_id}.metainfo.xml", False),
        (dirs["datadir"] / "icons" / "hicolor" / "scalable" / "apps" / f"{app_id}.svg", False),
    ]
    problems = []
    for path, executable in expect:
        staged = under(root, path)
        if not staged.is_file():
            problems.append(f"{staged} was not installed")
        elif executable and not os.access(staged, os.X_OK):
            problems.append(f"{staged} is not executable")
    return problems


def clean_env(home):
    """The environment of a user who just installed the app: nothing of the
    build or the test run that would point the programs elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAVEPOINT_", "SP_", "GSETTINGS_", "G_TEST_"))}
    env.update(PATH="/usr/bin:/bin:/usr/sbin:/sbin", HOME=str(home), LC_ALL="C.UTF-8",
               XDG_STATE_HOME=str(home / "state"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "runtime"))
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


def cli_basics(cli, version, tmp):
    """--version, init and list with the installed CLI."""
    env = clean_env(tmp / "home")
    drive = tmp / "drive"
    drive.mkdir()
    r = run([cli, "--version"], env=env)
    if r.returncode != 0:
        return [describe(r)]
    if version not in r.stdout:
        return [f"`{cli} --version` printed {r.stdout!r}, not the version {version}"]
    r = run([cli, "init", drive, "--name", "Installed"], env=env)
    if r.returncode != 0:
        return [describe(r)]
    r = run([cli, "--library", drive, "--json", "list"], env=env)
    if r.returncode != 0:
        return [describe(r)]
    try:
        listed = json.loads(r.stdout)
    except ValueError as e:
        return [f"`list --json` printed no JSON ({e}):\n{r.stdout}"]
    if listed.get("library", {}).get("name") != "Installed" or listed.get("games") != []:
        return [f"`list --json` does not show the new, empty library “Installed”:\n{r.stdout}"]
    return []


def check_destdir(tap, meson, build, dirs, app_id, version, tmp):
    root = tmp / "destdir"
    r = run([meson, "install", "-C", build, "--no-rebuild", "--destdir", root])
    if r.returncode != 0:
        tap.ok("destdir/install", [describe(r)])
        return
    tap.ok("destdir/install", installed_files(dirs, app_id, root))

    schemas = dirs["datadir"] / "glib-2.0" / "schemas"
    skipped = [line for line in r.stdout.splitlines()
               if "Skipping custom install script because DESTDIR is set" in line]
    problems = []
    if not any("glib-compile-schemas" in line and str(schemas) in line for line in skipped):
        problems.append(f"meson install registers no glib-compile-schemas step for {schemas} "
                        "(gnome.post_install in meson.build); its output was:\n" + r.stdout)
    tap.ok("destdir/post-install-registered", problems)

    tap.ok("destdir/cli", cli_basics(under(root, dirs["bindir"] / "savepoint-cli"), version, tmp))


def check_prefix_inside(meson, build, app_id, version):
    """Runs in the private mount namespace, with an empty tmpfs on the
    prefix: prints TAP lines for the outer test to pass on."""
    tap = Tap()
    dirs = layout(meson, build)
    root = pathlib.Path("/")
    with tempfile.TemporaryDirectory(prefix="sp-test-install-") as t:
        tmp = pathlib.Path(t)
        r = run([meson, "install", "-C", build, "--no-rebuild"])
        if r.returncode != 0:
            tap.ok("prefix/install", [describe(r)])
            return tap.finish()
        tap.ok("prefix/install", installed_files(dirs, app_id, root))

        schemas = dirs["datadir"] / "glib-2.0" / "schemas"
        problems = []
        if not (schemas / "gschemas.compiled").is_file():
            problems.append(f"{schemas}/gschemas.compiled is missing: the schemas were not "
                            "compiled on install (gnome.post_install in meson.build)")
        else:
            env = clean_env(tmp / "gsettings-home")
            env.update(XDG_DATA_DIRS=str(dirs["datadir"]), GSETTINGS_BACKEND="memory")
            g = run(["gsettings", "list-keys", app_id], env=env)
            if g.returncode != 0 or not g.stdout.strip():
                problems.append("GSettings does not find the installed schema: " + describe(g))
        tap.ok("prefix/schemas-compiled", problems)

        if shutil.which("gtk4-update-icon-cache") or shutil.which("gtk-update-icon-cache"):
            cache = dirs["datadir"] / "icons" / "hicolor" / "icon-theme.cache"
            tap.ok("prefix/icon-cache",
                   [] if cache.is_file() else [f"{cache} is missing: the icon cache was not "
                                               "updated on install"])
        else:
            tap.skip("prefix/icon-cache", "gtk-update-icon-cache is not installed")

        cli = dirs["bindir"] / "savepoint-cli"
        tap.ok("prefix/cli", cli_basics(cli, version, tmp))
        if not os.access("/dev/fuse", os.R_OK | os.W_OK):
            tap.skip("prefix/play", "/dev/fuse is not usable here")
        elif os.environ.get("SP_INSTALL_TEST_REAL_ROOT") != "1":
            tap.skip("prefix/play", "a play session mounts FUSE, which needs root here, "
                     "not a user namespace")
        else:
            tap.ok("prefix/play", play(cli, tmp))
    return tap.finish()


def play(cli, tmp):
    """Adds a game to the library cli_basics() made in @tmp, plays it and
    keeps the run."""
    env = clean_env(tmp / "home")
    drive = tmp / "drive"
    source = tmp / "source"
    source.mkdir()
    (source / "game.sh").write_text(GAME_SCRIPT)
    (source / "game.sh").chmod(0o755)
    for args in (["add", "Install Test", source, "--exec", "game.sh"],
                 ["play", "install-test", "--keep", "Installed run"]):
        r = run([cli, "--library", drive] + args, env=env)
        if r.returncode != 0:
            return [describe(r)]
    if "Kept as checkpoint" not in r.stdout:
        return [f"the installed savepoint-cli did not keep the run:\n{r.stdout}{r.stderr}"]
    r = run([cli, "--library", drive, "--json", "checkpoints", "install-test"], env=env)
    if r.returncode != 0 or "Installed run" not in r.stdout:
        return ["the kept checkpoint is not listed: " + describe(r)]
    return []


def check_prefix(tap, meson, build, dirs, app_id, version):
    prefix = dirs["prefix"]
    unshare = shutil.which("unshare")
    if unshare is None:
        tap.skip("prefix", "unshare (util-linux) is not installed")
        return
    tools = [sys.executable, meson, unshare, shutil.which("sh"), shutil.which("gsettings"),
             shutil.which("glib-compile-schemas")]
    inside = [t for t in tools if t and pathlib.Path(t).resolve().is_relative_to(prefix)]
    if len(prefix.parts) < 3 or inside:
        tap.skip("prefix", f"the prefix {prefix} holds the system or tools this test needs "
                 f"({', '.join(inside) or 'too close to /'}): it cannot be hidden under a tmpfs")
        return
    target = prefix
    while not target.exists():
        target = target.parent
    ns = [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--mount", "--map-root-user"]
    probe = run(ns + ["true"])
    if probe.returncode != 0:
        tap.skip("prefix", f"no private mount namespace here ({probe.stderr.strip()})")
        return
    script = "\n".join([
        "set -e",
        f"mount -t tmpfs savepoint-test-prefix '{target}'",
        # never write outside the tmpfs
        f"[ \"$(stat -f -c %T '{target}/')\" = tmpfs ] || {{ echo 'no tmpfs on {target}' >&2; exit 1; }}",
        'exec "$@"',
    ])
    env = dict(os.environ, SP_INSTALL_TEST_REAL_ROOT="1" if os.geteuid() == 0 else "0")
    r = run(ns + ["sh", "-c", script, "sh", sys.executable, __file__, "--inside",
                  meson, build, app_id, version], env=env)
    sys.stderr.write(r.stderr)
    lines = [line for line in r.stdout.splitlines() if line.startswith(("ok ", "not ok ", "# "))]
    # Renumber the inner test lines as subtests of this one.
    for line in lines:
        if line.startswith("# "):
            print(line)
            continue
        ok = line.startswith("ok ")
        rest = line.split(" ", 2 if ok else 3)[-1]
        name, _, directive = rest.partition(" # SKIP ")
        if directive:
            tap.skip(name, directive)
        else:
            tap.ok(name, [] if ok else ["see the lines below"])
    if r.returncode != 0 and not any(line.startswith("not ok ") for line in lines):
        tap.ok("prefix", [f"the install in a private mount namespace failed ({r.returncode}):\n"
                          f"{r.stdout}{r.stderr}"])


def main(argv):
    if len(argv) == 6 and argv[1] == "--inside":
        return check_prefix_inside(argv[2], pathlib.Path(argv[3]), argv[4], argv[5])
    if len(argv) != 5:
        print(__doc__)
        return 2
    meson, build, app_id, version = argv[1], pathlib.Path(argv[2]), argv[3], argv[4]
    tap = Tap()
    dirs = layout(meson, build)
    with tempfile.TemporaryDirectory(prefix="sp-test-install-") as t:
        check_destdir(tap, meson, build, dirs, app_id, version, pathlib.Path(t))
    check_prefix(tap, meson, build, dirs, app_id, version)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
