"""The instruments package is pure Python: no Django import, no import-time side effects."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import instruments

PACKAGE = Path(instruments.__file__).parent


def test_no_module_imports_django() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), (
                f"{path.name} imports django"
            )


def test_importing_and_scoring_loads_no_django_and_reads_no_env_at_import() -> None:
    code = (
        "import os, sys; os.environ['INSTRUMENTS_PATH'] = '/nonexistent';"
        "import instruments;"  # must not read INSTRUMENTS_PATH yet
        "os.environ.pop('INSTRUMENTS_PATH');"
        "instruments.score('phq9', [[0] * 9]);"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
