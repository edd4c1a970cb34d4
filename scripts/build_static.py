"""Build front-end assets into build/static from the npm packages (run by `make`).

USWDS, htmx and Vega (vega, vega-lite, vega-embed, vega-interpreter) come from
the npm registry at the versions pinned in package-lock.json; nothing minified is
committed to the repository.
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "build" / "static"
VEGA = {
    "vega": "vega/build/vega.min.js",
    "vega-lite": "vega-lite/build/vega-lite.min.js",
    "vega-embed": "vega-embed/build/vega-embed.min.js",
}
# vega-interpreter ships only as an ES module importing vega-util; the page loads classic
# scripts (an import map would be an inline script, which the CSP refuses), so its one
# import and one export are rewired to the `vega` global, which re-exports vega-util.
INTERPRETER = "vega-interpreter/build/vega-interpreter.js"
INTERPRETER_IMPORT = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
INTERPRETER_EXPORT = "export { expression as expressionInterpreter };"


def version(package: str) -> str:
    return json.loads((NODE / package / "package.json").read_text())["version"]


def interpreter_script(source: str) -> str:
    """vega-interpreter as a classic script defining ``window.vegaInterpreter``."""
    if INTERPRETER_IMPORT not in source or INTERPRETER_EXPORT not in source:
        raise ValueError(
            f"{INTERPRETER}: expected the lines {INTERPRETER_IMPORT!r} and {INTERPRETER_EXPORT!r};"
            " the package changed, update scripts/build_static.py"
        )
    body = source.replace(
        INTERPRETER_IMPORT,
        "const { ascending, isString, DisallowedObjectProperties } = window.vega;",
    ).replace(INTERPRETER_EXPORT, "window.vegaInterpreter = { expressionInterpreter: expression };")
    body = body.replace("//# sourceMappingURL=vega-interpreter.js.map", "")
    return f"(function () {{\n'use strict';\n{body}\n}}());\n"


def copy_vega() -> None:
    for name, path in VEGA.items():
        shutil.copy2(NODE / path, OUT / "vendor" / f"{name}.min.js")
    source = (NODE / INTERPRETER).read_text()
    (OUT / "vendor" / "vega-interpreter.js").write_text(interpreter_script(source))


def main() -> int:
    uswds = NODE / "@uswds" / "uswds" / "dist"
    htmx = NODE / "htmx.org" / "dist" / "htmx.min.js"
    for needed in (uswds, htmx, *(NODE / p for p in (*VEGA.values(), INTERPRETER))):
        if not needed.exists():
            print(f"build_static: {needed} is missing; run `npm ci` first", file=sys.stderr)
            return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    for part in ("css", "fonts", "img", "js"):
        shutil.copytree(uswds / part, OUT / "uswds" / part)
    (OUT / "vendor").mkdir(parents=True)
    shutil.copy2(htmx, OUT / "vendor" / "htmx.min.js")
    copy_vega()
    packages = ("@uswds/uswds", "htmx.org", *VEGA, "vega-interpreter")
    versions = {p: version(p) for p in packages}
    (OUT / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(
        f"build_static: {', '.join(f'{k} {v}' for k, v in versions.items())} -> {OUT.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
