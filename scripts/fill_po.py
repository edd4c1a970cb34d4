"""Fill a .po catalogue from a Python dict of translations (used to maintain the Spanish UI).

Usage: python scripts/fill_po.py path/to/django.po translations.py
The translations module defines T (msgid -> msgstr) and P (msgid -> (singular, plural)).
Entries without a translation are left empty and listed, so nothing is silently dropped.
"""

import ast
import re
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line.strip()) for line in lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(po_path: str, table_path: str) -> int:
    namespace: dict = {}
    exec(Path(table_path).read_text(encoding="utf-8"), namespace)  # noqa: S102 -- our own data file
    singular, plural = namespace["T"], namespace["P"]
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    out, missing = [], []
    for block in blocks:
        lines = block.splitlines()
        keys = [
            i
            for i, line in enumerate(lines)
            if re.match(r"^(msgid|msgid_plural|msgstr(\[\d\])?) ", line)
        ]
        if not keys:
            out.append(block)
            continue
        parts: dict[str, list[str]] = {}
        for n, start in enumerate(keys):
            end = keys[n + 1] if n + 1 < len(keys) else len(lines)
            key, first = lines[start].split(" ", 1)
            parts[key] = [first, *lines[start + 1 : end]]
        head = lines[: keys[0]]
        msgid = _unquote(parts["msgid"])
        if msgid == "":
            out.append(block)
            continue
        new = [*head, "msgid " + "\n".join(parts["msgid"])]
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
