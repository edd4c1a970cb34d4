"""Build front-end assets into build/static from the npm packages (run by `make`).

USWDS and htmx come from the npm registry at the versions pinned in
package-lock.json; nothing minified is committed to the repository.
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "build" / "static"


def version(package: str) -> str:
    return json.loads((NODE / package / "package.json").read_text())["version"]


def main() -> int:
    uswds = NODE / "@uswds" / "uswds" / "dist"
    htmx = NODE / "htmx.org" / "dist" / "htmx.min.js"
    for needed in (uswds, htmx):
        if not needed.exists():
            print(f"build_static: {needed} is missing; run `npm ci` first", file=sys.stderr)
            return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    for part in ("css", "fonts", "img", "js"):
        shutil.copytree(uswds / part, OUT / "uswds" / part)
    (OUT / "vendor").mkdir(parents=True)
    shutil.copy2(htmx, OUT / "vendor" / "htmx.min.js")
    versions = {p: version(p) for p in ("@uswds/uswds", "htmx.org")}
    (OUT / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(
        f"build_static: {', '.join(f'{k} {v}' for k, v in versions.items())} -> {OUT.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
