"""Fill a .po catalogue from Python dicts of translations (used to maintain the Spanish UI).

Usage: python scripts/fill_po.py path/to/django.po translations/
Each module of the directory (one per area of the site: common.py, plan.py, hub.py, ...)
defines T (msgid -> msgstr) and P (msgid -> (singular, plural)). A msgid translated
differently in two modules is an error. Entries without a translation are left empty and
listed, so nothing is silently dropped; the exit status is 0 either way (the test suite
counts untranslated public strings: tests/core/test_core_translations.py, which also reads
catalogues with ``read_entries``).
"""

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_KEY = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(\[\d\])?) ")


@dataclass(frozen=True)
class Entry:
    """One message of a catalogue: what the sources say, where, and its translation."""

    msgid: str
    plural: str
    msgstr: tuple[str, ...]  # one text, or one per plural form
    references: tuple[str, ...]  # "path:line" of each place the message comes from
    fuzzy: bool

    @property
    def translated(self) -> bool:
        return not self.fuzzy and all(self.msgstr)


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line.strip()) for line in lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _parts(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The comment lines of a block, and its keywords with their quoted lines."""
    keys = [i for i, line in enumerate(lines) if _KEY.match(line)]
    parts: dict[str, list[str]] = {}
    for n, start in enumerate(keys):
        end = keys[n + 1] if n + 1 < len(keys) else len(lines)
        key, first = lines[start].split(" ", 1)
        parts[key] = [first, *lines[start + 1 : end]]
    return lines[: keys[0]] if keys else lines, parts


def read_entries(po_path: str | Path) -> list[Entry]:
    """Every message of a .po file but its header, in the file's order."""
    entries = []
    for block in Path(po_path).read_text(encoding="utf-8").split("\n\n"):
        head, parts = _parts(block.strip("\n").splitlines())
        if "msgid" not in parts or _unquote(parts["msgid"]) == "":
            continue
        forms = sorted(k for k in parts if k.startswith("msgstr"))
        entries.append(
            Entry(
                msgid=_unquote(parts["msgid"]),
                plural=_unquote(parts.get("msgid_plural", ['""'])),
                msgstr=tuple(_unquote(parts[k]) for k in forms),
                references=tuple(
                    ref for line in head if line.startswith("#: ") for ref in line[3:].split()
                ),
                fuzzy=any(line.startswith("#,") and "fuzzy" in line for line in head),
            )
        )
    return entries


def load_tables(table_path: str | Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Every module's T and P merged; a msgid with two different translations raises."""
    path = Path(table_path)
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, str]] = {}
    for file in files:
        namespace: dict = {}
        exec(file.read_text(encoding="utf-8"), namespace)  # noqa: S102 -- our own data file
        for table, merged in ((namespace.get("T", {}), singular), (namespace.get("P", {}), plural)):
            for msgid, text in table.items():
                if msgid in merged and merged[msgid] != text:
                    raise SystemExit(
                        f"{file.name}: {msgid[:60]!r} is translated differently elsewhere"
                    )
                merged[msgid] = text
    return singular, plural


def main(po_path: str, table_path: str) -> int:
    singular, plural = load_tables(table_path)
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    out, missing = [], []
    for block in blocks:
        head, parts = _parts(block.splitlines())
        if "msgid" not in parts or _unquote(parts["msgid"]) == "":
            out.append(block)
            continue
        msgid = _unquote(parts["msgid"])
        context = ["msgctxt " + "\n".join(parts["msgctxt"])] if "msgctxt" in parts else []
        new = [*head, *context, "msgid " + "\n".join(parts["msgid"])]
        if "msgid_plural" in parts:
            new.append("msgid_plural " + "\n".join(parts["msgid_plural"]))
            one, many = plural.get(msgid, ("", ""))
            if not one:
                missing.append(msgid)
            new += [
                f"msgstr[0] {_quote(one)}",
                f"msgstr[1] {_quote(many)}",
                f"msgstr[2] {_quote(many)}",
            ]
        else:
            text = singular.get(msgid, "")
            if not text:
                missing.append(msgid)
            new.append(f"msgstr {_quote(text)}")
        out.append("\n".join(line for line in new if not line.startswith("#, fuzzy")))
    Path(po_path).write_text("\n\n".join(out), encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid[:80]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
