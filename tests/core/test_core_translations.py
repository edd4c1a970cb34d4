"""The Spanish catalogue: built from today's sources, every public string translated, compiled.

``make messages`` extracts the strings (``makemessages``, accounts left out), fills them from
the tables in ``locale/es/translations/`` (``scripts/fill_po.py``) and compiles the .mo the
site reads. These tests run the same extraction into a copy of the sources, so a string marked
for translation and left without Spanish, a .po that was not rebuilt after a change, or a .mo
that was not compiled from the current .po (the site would show English) each fails here,
naming the strings.
"""

import gettext
import importlib.util
import re
import shutil
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src" / "wellbeing"
LOCALE = APP / "locale" / "es"
CATALOGUE = LOCALE / "LC_MESSAGES" / "django.po"
COMPILED = LOCALE / "LC_MESSAGES" / "django.mo"
TABLES = LOCALE / "translations"
SOURCES = {".py", ".html", ".txt"}

# Signed-in pages for staff and organization admins stay in English on purpose (the Makefile
# leaves accounts out of the catalogue altogether). A message is exempt only when every place
# it comes from is one of these.
ENGLISH_ONLY = (
    "accounts/*",
    "api/*",
    "reports/*",
    "core/templates/core/staff_*",
    "campaign/templates/campaign/staff/*",
    "campaign/views/staff.py",
    "engage/templates/engage/*/staff_*",
    "engage/templates/engage/*/_staff_*",
    "engage/views/staff_*",
    "hub/templates/hub/curate.html",
    "plan/templates/plan/completeness.html",
    "surveys/imports/*",
    "surveys/views/imports.py",
    "surveys/views/invitations.py",
    "surveys/views/manage.py",
    "surveys/templates/surveys/imports/*",
    "surveys/templates/surveys/invitations/*",
    "surveys/templates/surveys/survey_*",
    "surveys/templates/surveys/wave_*",
)


def _fill_po():
    spec = importlib.util.spec_from_file_location("fill_po", ROOT / "scripts" / "fill_po.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fill_po = _fill_po()


def _copy_sources(target: Path) -> None:
    """The files makemessages reads, and the catalogue it merges into; nothing else."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        return {
            name
            for name in names
            if name == "__pycache__"
            or name == "static"
            or ((here / name).is_file() and Path(name).suffix not in SOURCES | {".po"})
        }

    shutil.copytree(APP, target, ignore=ignore)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The catalogue ``make messages`` would write today, built in a copy of the sources."""
    copy = tmp_path_factory.mktemp("messages") / "wellbeing"
    _copy_sources(copy)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)  # makemessages writes into ./locale when there is one
        call_command("makemessages", locale=["es"], ignore_patterns=["*/accounts/*"], verbosity=0)
    po = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
    fill_po.main(str(po), str(TABLES))
    return fill_po.read_entries(po)


def _public(entry) -> bool:
    paths = [reference.rsplit(":", 1)[0] for reference in entry.references]
    return not paths or not all(any(fnmatch(p, rule) for rule in ENGLISH_ONLY) for p in paths)


def _listing(entries) -> str:
    return "\n".join(f"{e.msgid[:90]!r}  ({', '.join(e.references[:3])})" for e in entries)


def _translations(entries) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(e.msgid, e.plural): e.msgstr for e in entries}


def test_make_messages_leaves_no_public_string_untranslated(built):
    missing = [e for e in built if _public(e) and not e.translated]
    assert not missing, f"{len(missing)} untranslated public strings:\n{_listing(missing)}"


def test_the_committed_catalogue_is_what_make_messages_writes_today(built):
    committed = _translations(fill_po.read_entries(CATALOGUE))
    today = _translations(built)
    stale = {k: v for k, v in today.items() if committed.get(k) != v}
    gone = sorted(set(committed) - set(today))
    assert not stale and not gone, (
        "run `make messages`: the .po differs from the sources and tables for "
        f"{sorted(m for m, _p in stale)[:20]} and keeps {gone[:20]}"
    )


def test_the_compiled_catalogue_is_the_current_one():
    """A .mo left behind by a .po change shows the old words, or English, on the site."""
    entries = [e for e in fill_po.read_entries(CATALOGUE) if e.translated]
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    wrong = []
    for e in entries:
        if e.plural:
            # Spanish has three forms: 1, a multiple of a million, and every other count.
            shown = tuple(compiled.ngettext(e.msgid, e.plural, n) for n in (1, 1_000_000, 2))
        else:
            shown = (compiled.gettext(e.msgid),)
        if shown != e.msgstr:
            wrong.append(e)
    keys = {k if isinstance(k, str) else k[0] for k in compiled._catalog} - {""}
    extra = sorted(keys - {e.msgid for e in entries})
    assert not wrong and not extra, (
        f"run `make messages`: the .mo differs from the .po for\n{_listing(wrong)}\n"
        f"and has {extra[:10]}"
    )


def test_no_string_is_translated_two_ways():
    tables = {}
    for table in sorted(TABLES.glob("*.py")):
        namespace: dict = {}
        exec(table.read_text(encoding="utf-8"), namespace)  # noqa: S102 -- our own tables
        tables[table.name] = {**namespace.get("T", {}), **namespace.get("P", {})}
    clashes = [
        (msgid, first, second)
        for first in tables
        for second in tables
        if first < second
        for msgid in tables[first].keys() & tables[second].keys()
        if tables[first][msgid] != tables[second][msgid]
    ]
    assert not clashes, clashes


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_translation_keeps_the_placeholders_of_its_english():
    """A placeholder the English does not have is a KeyError when the page renders."""
    singular, plural = fill_po.load_tables(TABLES)
    wrong = [
        msgid
        for msgid, texts in [*singular.items(), *plural.items()]
        for text in ([texts] if isinstance(texts, str) else texts)
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid))
    ]
    assert not wrong, wrong


def test_translated_pages_do_not_tell_screen_readers_they_are_english(built):
    """The base template marks <main> as English unless the page overrides ``main_lang``: a
    page with translated strings must, or screen readers read its Spanish with English rules."""
    templates = {
        reference.rsplit(":", 1)[0]
        for e in built
        if _public(e)
        for reference in e.references
        if reference.endswith(".html") or ".html:" in reference
    }
    wrong = []
    for name in sorted(templates):
        text = (APP / name).read_text(encoding="utf-8")
        if '{% extends "core/base.html" %}' in text and "{% block main_lang %}" not in text:
            wrong.append(name)
    assert not wrong, wrong
