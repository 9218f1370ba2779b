#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the translations in po/.

    check-translations.py catalogs SOURCE_ROOT
        For every language in po/LINGUAS: the .po file passes
        `msgfmt --check --check-format`, and merged against a template freshly
        extracted from the current sources (as `meson compile savepoint-pot`
        would) it has no untranslated and no fuzzy messages.  Fails naming the
        messages that need work.

    check-translations.py runtime SOURCE_ROOT BUILD_ROOT SAVEPOINT_CLI
        Runs the built savepoint-cli with LANGUAGE=<lang> for every language
        and checks that `--help` prints the translated summary.  The binary
        looks for its catalogs in LOCALEDIR (the install prefix, from
        config.h), so the catalogs the build made (BUILD_ROOT/po/<lang>/...)
        are shown there in a private mount namespace (`unshare --mount`, as
        root or in a user namespace); nothing outside the build is changed.
        Exits 77 (skipped) when no mount namespace can be made.
"""
import gettext
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

DOMAIN = "savepoint"

# The arguments meson's i18n.gettext(preset: 'glib') gives xgettext.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format", "--flag=g_snprintf:3:c-format",
]

UPDATE_HINT = ("Update the catalogs with `meson compile -C _build savepoint-update-po`, "
               "translate the messages listed above in po/<lang>.po (remove the “fuzzy” flag "
               "once a translation is checked) and check with "
               "`msgfmt --check --statistics -o /dev/null po/<lang>.po`.")


def linguas(root):
    langs = []
    for line in (root / "po" / "LINGUAS").read_text().splitlines():
        line = line.split("#", 1)[0]
        langs.extend(line.split())
    return langs


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def msgids(po_text):
    """The msgids (with context) of the entries of a PO file, header excluded."""
    found = []
    for block in re.split(r"\n\s*\n", po_text):
        lines = [l for l in block.splitlines() if not l.startswith("#")]
        key, parts = None, {}
        for l in lines:
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', l)
            if m:
                key = m.group(1)
                parts[key] = m.group(2)
            elif key and l.startswith('"'):
                parts[key] += l[1:-1]
        if "msgid" in parts and parts["msgid"] != "":
            text = parts["msgid"]
            if "msgctxt" in parts:
                text = parts["msgctxt"] + " | " + text
            found.append(text)
    return found


def check_catalogs(root):
    langs = linguas(root)
    if not langs:
        print("po/LINGUAS names no language")
        return 1
    problems = 0
    with tempfile.TemporaryDirectory(prefix="savepoint-po-") as tmp:
        tmp = pathlib.Path(tmp)
        pot = tmp / f"{DOMAIN}.pot"
        r = run(["xgettext", f"--package-name={DOMAIN}", f"--directory={root}",
                 f"--files-from={root / 'po' / 'POTFILES.in'}", f"--output={pot}"] + XGETTEXT_ARGS)
        if r.returncode != 0 or not pot.exists():
            print(f"xgettext could not extract the template from po/POTFILES.in:\n{r.stderr}")
            return 1
        print(f"template: {len(msgids(pot.read_text()))} messages from po/POTFILES.in")

        for lang in langs:
            po = root / "po" / f"{lang}.po"
            if not po.exists():
                print(f"{lang}: po/LINGUAS names {lang} but po/{lang}.po does not exist")
                problems += 1
                continue
            r = run(["msgfmt", "--check", "--check-format", "-o", os.devnull, str(po)])
            if r.returncode != 0:
                print(f"{lang}: `msgfmt --check --check-format po/{lang}.po` fails:\n{r.stderr}")
                problems += 1
                continue

            merged = tmp / f"{lang}.po"
            r = run(["msgmerge", "--quiet", "--no-wrap", "-o", str(merged), str(po), str(pot)])
            if r.returncode != 0:
                print(f"{lang}: msgmerge into the current template fails:\n{r.stderr}")
                problems += 1
                continue
            r = run(["msgfmt", "--check", "--check-format", "--statistics", "-o", os.devnull, str(merged)])
            stats = r.stderr.strip()
            print(f"{lang}: {stats}")
            if r.returncode != 0:
                print(f"{lang}: the merged catalog fails `msgfmt --check --check-format`")
                problems += 1
                continue

            untranslated = msgids(run(["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap",
                                       str(merged)]).stdout)
            fuzzy = msgids(run(["msgattrib", "--only-fuzzy", "--no-obsolete", "--no-wrap",
                                str(merged)]).stdout)
            if untranslated or fuzzy or "untranslated" in stats or "fuzzy" in stats:
                problems += 1
                print(f"{lang}: po/{lang}.po is not complete for the current sources:")
                for m in untranslated:
                    print(f"  untranslated: \"{m}\"")
                for m in fuzzy:
                    print(f"  fuzzy (changed in the source, check the translation): \"{m}\"")
    if problems:
        print(UPDATE_HINT)
    return 1 if problems else 0


def check_runtime(root, build, cli):
    config = (build / "config.h").read_text()
    m = re.search(r'#define\s+LOCALEDIR\s+"([^"]+)"', config)
    if not m:
        print(f"{build / 'config.h'} defines no LOCALEDIR")
        return 1
    localedir = pathlib.Path(m.group(1))

    # The summary of `savepoint-cli --help`, looked up in each built catalog.
    summary = "Keep games clean and their progress in checkpoints."
    expected = {}
    for lang in linguas(root):
        mo = build / "po" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not mo.exists():
            print(f"{lang}: the build made no catalog {mo}")
            return 1
        with open(mo, "rb") as f:
            catalog = gettext.GNUTranslations(f)
        if catalog.info().get("language") != lang:
            print(f"{lang}: {mo} says it is for the language “{catalog.info().get('language')}”")
            return 1
        text = catalog.gettext(summary)
        if text == summary:
            print(f"{lang}: {mo} does not translate “{summary}”")
            return 1
        expected[lang] = text

    unshare = shutil.which("unshare")
    if unshare is None:
        print("SKIP: unshare (util-linux) is not installed, so LOCALEDIR cannot be shown the built catalogs")
        return 77
    # Mount a tmpfs on LOCALEDIR (or, when it does not exist, on its deepest
    # existing parent) inside a private mount namespace and put the built
    # catalogs there.
    target = localedir
    while not target.exists():
        target = target.parent
    if len(target.parts) < 3:
        print(f"SKIP: {localedir} does not exist and its nearest existing parent {target} is "
              "too close to / to be covered for the check")
        return 77
    script = [
        "set -e",
        f"mount -t tmpfs savepoint-test-locale '{target}'",
        # never write outside the tmpfs
        f"[ \"$(stat -f -c %T '{target}/')\" = tmpfs ] || {{ echo 'no tmpfs on {target}' >&2; exit 1; }}",
    ]
    for lang in expected:
        dest = localedir / lang / "LC_MESSAGES"
        script.append(f"mkdir -p '{dest}'")
        script.append(f"cp '{build / 'po' / lang / 'LC_MESSAGES' / (DOMAIN + '.mo')}' '{dest}/'")
    script.append('exec "$@"')
    ns = [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--mount", "--map-root-user"]
    probe = run(ns + ["true"])
    if probe.returncode != 0:
        print(f"SKIP: no private mount namespace here ({probe.stderr.strip()}), "
              f"so {localedir} cannot be shown the built catalogs")
        return 77

    failures = 0
    for lang, text in expected.items():
        env = dict(os.environ, LANGUAGE=lang, LC_ALL="C.UTF-8")
        r = run(ns + ["sh", "-c", "\n".join(script), "sh", str(cli), "--help"], env=env)
        if r.returncode != 0:
            print(f"{lang}: `savepoint-cli --help` failed ({r.returncode}):\n{r.stdout}{r.stderr}")
            failures += 1
        elif text not in r.stdout:
            print(f"{lang}: `LANGUAGE={lang} savepoint-cli --help` does not print “{text}”:\n{r.stdout}")
            failures += 1
        else:
            print(f"{lang}: savepoint-cli --help prints “{text}”")
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "catalogs":
        return check_catalogs(pathlib.Path(argv[2]))
    if len(argv) >= 5 and argv[1] == "runtime":
        return check_runtime(pathlib.Path(argv[2]), pathlib.Path(argv[3]), pathlib.Path(argv[4]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
