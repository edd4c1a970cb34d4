"""Starting the site: what importing the application loads, opens and starts.

gunicorn imports the application once in its master and forks its workers from it
(``preload_app`` in ``wellbeing.gunicorn_conf``). Two things follow, both checked here in a
fresh process that imports ``wellbeing.wsgi`` with the production settings and resolves every
URL pattern, as a worker does before its first request:

- The heavy libraries (scipy, pandas, OpenDP, WeasyPrint, Altair and vl-convert, pingouin,
  polars, scikit-learn) load in the function that uses them, not at start-up: seconds of
  every start otherwise, and every management command's too.
- Nothing a worker must not share with the master exists after the import: no database
  connection, no cache client, no thread; and the master's ``pre_fork`` hook closes a
  database connection opened all the same.
"""

import json
import os
import subprocess
import sys

import pytest

HEAVY = (
    "scipy",
    "pandas",
    "opendp",
    "weasyprint",
    "altair",
    "vl_convert",
    "pingouin",
    "polars",
    "sklearn",
)

# Runs in the child. The hook on ``__import__`` notes, for the first import statement of each
# heavy library, the chain of project modules being imported at the time, so a failure names
# the line to move into a function. ``sys.modules`` is what the assertions read: a library
# loaded without an import statement (``importlib``) is caught there, with an unknown chain.
PROBE = """
import builtins, json, os, sys, threading

HEAVY = set(sys.argv[1].split(","))
OURS = ("wellbeing", "analysis", "instruments")
chains = {}
real_import = builtins.__import__


def noting_import(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.split(".")[0]
    if level == 0 and top in HEAVY and top not in chains:
        frame, chain = sys._getframe(1), []
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.split(".")[0] in OURS and module not in chain:
                chain.append(module)
            frame = frame.f_back
        chains[top] = " <- ".join(chain) or "(outside the project)"
    return real_import(name, globals, locals, fromlist, level)


builtins.__import__ = noting_import
import wellbeing.wsgi  # noqa: E402
from django.urls import URLResolver, get_resolver  # noqa: E402


def resolve(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            resolve(pattern.url_patterns)
        else:
            pattern.callback


resolve(get_resolver().url_patterns)
builtins.__import__ = real_import

from django.core.cache import caches  # noqa: E402
from django.db import connections  # noqa: E402

from wellbeing import gunicorn_conf  # noqa: E402

report = {
    "heavy": {m: chains.get(m, "(no import statement)") for m in sorted(HEAVY) if m in sys.modules},
    "connections": [c.alias for c in connections.all() if c.connection is not None],
    "caches": [repr(c) for c in caches.all(initialized_only=True)],
    "threads": [t.name for t in threading.enumerate()],
}
connections["default"].ensure_connection()
report["connected"] = connections["default"].connection is not None
gunicorn_conf.pre_fork(None, None)
report["connected_after_pre_fork"] = connections["default"].connection is not None
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """What a fresh process holds once the application is imported and its URLs resolved."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY_FILE")}
    env.update(
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
        DEBUG="0",  # what gunicorn runs
        SECRET_KEY="startup-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(tmp_path_factory.mktemp("var")),  # an SQLite file of its own
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_starting_the_site_loads_no_heavy_library(started):
    loaded = started["heavy"]
    assert not loaded, "loaded at start-up (move the import into the function that uses it):\n" + (
        "\n".join(f"  {library}: {chain}" for library, chain in loaded.items())
    )


def test_starting_the_site_opens_no_database_connection_or_cache_client(started):
    assert started["connections"] == []
    assert started["caches"] == []


def test_starting_the_site_starts_no_thread(started):
    assert started["threads"] == ["MainThread"]


def test_the_master_closes_its_database_connection_before_forking_a_worker(started):
    assert started["connected"], "the probe could not open a connection to close"
    assert not started["connected_after_pre_fork"]


def test_a_lazy_module_loads_on_its_first_attribute_read(tmp_path, monkeypatch):
    from wellbeing.core.lazy import LazyModule

    (tmp_path / "wb_lazy_probe.py").write_text("ANSWER = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "wb_lazy_probe", raising=False)
    probe = LazyModule("wb_lazy_probe")
    assert "wb_lazy_probe" not in sys.modules
    assert probe.ANSWER == 42
    assert probe.load() is sys.modules["wb_lazy_probe"]
