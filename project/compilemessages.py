"""Compile every locale/<lang>/LC_MESSAGES/<domain>.po into its .mo with Babel (no GNU gettext).

`make setup` runs ``python -m project.compilemessages``. It is strict where ``pybabel compile``
is not: that skips a catalog whose header is marked fuzzy and reads past lines it cannot parse,
both with exit status 0, which would leave the UI in English without a word. Here a line that
does not parse, or a translation whose placeholders do not match its msgid, is an error: nothing
is written for that catalog and the exit status is 1. Untranslated and fuzzy entries are only
reported (they show in English); the unit tests insist there are none.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

DOMAINS = ("django", "djangojs")
# Babel's parser takes a string's quotes on trust (a missing closing quote eats a character),
# so every line is checked against the PO grammar first: a comment, a keyword and one quoted
# string, or a continuation string.
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_KEYWORD = r"(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)"
_PO_LINE = re.compile(rf"\s*(?:#.*|{_KEYWORD}\s+{_QUOTED}|{_QUOTED})?\s*")


def compile_catalog(po_path: Path) -> list[str]:
    """Write po_path's .mo next to it; return the errors (then nothing is written)."""
    try:
        lines = po_path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        return [f"{po_path}: not UTF-8 ({exc})"]
    errors = [
        f"{po_path}:{number}: not PO syntax: {line[:60]}"
        for number, line in enumerate(lines, 1)
        if not _PO_LINE.fullmatch(line)
    ]
    if errors:
        return errors
    try:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, abort_invalid=True)
    except PoFileError as exc:
        return [f"{po_path}: {exc}"]
    errors = [
        f"{po_path}:{message.lineno}: {error}" for message, problems in catalog.check() for error in problems
    ]
    if errors:
        return errors
    entries = [message for message in catalog if message.id]
    untranslated = sum(1 for m in entries if not (all(m.string) if m.pluralizable else m.string))
    fuzzy = sum(1 for m in entries if m.fuzzy)
    if untranslated or fuzzy:
        print(f"warning: {po_path}: {untranslated} untranslated, {fuzzy} fuzzy", file=sys.stderr)
    with po_path.with_suffix(".mo").open("wb") as mo_file:
        write_mo(mo_file, catalog)
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="locale", type=Path)
    args = parser.parse_args(argv)
    catalogs = sorted(p for domain in DOMAINS for p in args.directory.glob(f"*/LC_MESSAGES/{domain}.po"))
    if not catalogs:
        print(f"error: no .po files under {args.directory}/", file=sys.stderr)
        return 1
    errors = [error for po_path in catalogs for error in compile_catalog(po_path)]
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
