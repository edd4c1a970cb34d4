"""Fail when a module under src/ imports a private name from another module.

A name with a leading underscore (``_wave``, ``_staff``) is its module's own business:
importing it elsewhere ties two modules to a detail neither advertises, and the next
refactor of the one breaks the other. Give the helper a public name, or move it to a
module both can import. Importing a private *module* (``from instruments import _engine``)
is not this check's concern, nor is a public name imported under a private alias
(``import score as _score``).

    python scripts/check_private_imports.py [ROOT ...]    (default: src)

Prints ``path:line: imports private name NAME from MODULE`` for each offence and exits 1
if there is any. Run by ``make lint``.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_from(node: ast.ImportFrom, path: Path, root: Path) -> str:
    """The absolute name of the module ``node`` imports from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def is_module(dotted: str, root: Path) -> bool:
    where = root.joinpath(*dotted.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def offences(root: Path) -> Iterator[tuple[Path, int, str, str]]:
    """(file, line, private name, module) for each private name imported from another module."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = imported_from(node, path, root)
            for alias in node.names:
                if is_private(alias.name) and not is_module(f"{source}.{alias.name}", root):
                    yield path, node.lineno, alias.name, source


def main(roots: list[str]) -> int:
    found = 0
    for root in map(Path, roots):
        for path, line, name, source in offences(root):
            print(f"{path}:{line}: imports private name {name} from {source}")
            found += 1
    if found:
        print(
            f"{found} import(s) of another module's private name: give the helper a public "
            "name, or move it to a module both can import."
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["src"]))
