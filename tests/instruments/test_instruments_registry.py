"""Definition files: the schema's error messages, extra directories, the catalogue."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import instruments
from instruments import InstrumentDefinitionError

DEFINITIONS = Path(instruments.__file__).parent / "definitions"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    instruments.clear_cache()
    yield
    instruments.clear_cache()


def _copy_who5(tmp_path: Path, new_id: str, edit: tuple[str, str] | None = None) -> Path:
    text = (
        (DEFINITIONS / "who5.toml")
        .read_text(encoding="utf-8")
        .replace('id = "who5"', f'id = "{new_id}"')
    )
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    path = tmp_path / f"{new_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_catalogue_ships_every_required_instrument() -> None:
    required = {
        "single-item-burnout",
        "mini-z-2",
        "cbi",
        "olbi",
        "pfi",
        "who5",
        "phq2",
        "phq9",
        "phq8",
        "gad2",
        "gad7",
        "pss10",
        "uwes9",
        "pes-nwi",
        "mbi",
        "wbi",
    }
    assert required <= set(instruments.registry())


def test_a_user_adds_an_instrument_by_dropping_a_file_in_a_directory(tmp_path: Path) -> None:
    _copy_who5(tmp_path, "who5-local")
    assert "who5-local" in instruments.registry([tmp_path])
    assert instruments.get("who5-local", [tmp_path]).n_items == 5


def test_instruments_path_is_read_when_called_not_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy_who5(tmp_path, "who5-env")
    monkeypatch.setenv("INSTRUMENTS_PATH", str(tmp_path))
    assert "who5-env" in instruments.registry()


def test_a_duplicate_id_names_both_files(tmp_path: Path) -> None:
    shutil.copy(DEFINITIONS / "who5.toml", tmp_path / "who5.toml")
    with pytest.raises(InstrumentDefinitionError, match="duplicate id 'who5'"):
        instruments.registry([tmp_path])


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            (
                'option_set = "frequency"\n\n[[items]]\nid = "who5_2"',
                'option_set = "frequency"\nreverse = "yes"\n\n[[items]]\nid = "who5_2"',
            ),
            "items[0].reverse",
            "expected true/false, got 'yes'",
        ),
        (
            ('{ code = 0, label = "At no time" }', "{ code = 0 }"),
            "option_sets[0].options[0].label",
            "required unless",
        ),
        (
            (
                'text = "I have felt calm and relaxed"\n',
                'text = "I have felt calm and relaxed"\ntext_supplied_by_licensee = true\n',
            ),
            "items[1].text",
            "exactly one",
        ),
        (
            ("{ lower = 50, exclusive = true", "{ lower = 150, exclusive = true"),
            "cutoffs[0].bands",
            "outside the score range",
        ),
        (("verified = false", "verified = true"), "cutoffs[1].verified", "requires evidence = 'V'"),
        (
            ('higher_is = "better"', 'higher_is = "better"\nrevrese = true'),
            "scales[0].revrese",
            "unknown field",
        ),
        (
            (
                'items = ["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"]',
                'items = ["who5_1", "who5_9"]',
            ),
            "scales[0]",
            "unknown item id",
        ),
        (
            ('measures = ["well-being", "depression"]', 'measures = ["happiness"]'),
            "measures[0]",
            "expected one of",
        ),
    ],
)
def test_a_malformed_definition_names_file_field_and_problem(
    tmp_path: Path, edit: tuple[str, str], field: str, problem: str
) -> None:
    path = _copy_who5(tmp_path, "broken", edit)
    with pytest.raises(InstrumentDefinitionError) as caught:
        instruments.load(path)
    assert caught.value.file == "broken.toml"
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"broken.toml: {field}: ")


def test_invalid_toml_and_a_misnamed_file_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = ", encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="not valid TOML"):
        instruments.load(bad)
    misnamed = tmp_path / "other.toml"
    shutil.copy(DEFINITIONS / "who5.toml", misnamed)
    with pytest.raises(InstrumentDefinitionError, match=r"who5\.toml"):
        instruments.load(misnamed)


def test_catalogue_filters_by_measure_population_licence_and_length() -> None:
    burnout = {i.id for i in instruments.catalogue(measures="burnout")}
    assert {"cbi", "olbi", "pfi", "mini-z-2", "single-item-burnout", "mbi"} <= burnout
    assert "phq9" not in burnout
    nurses = {i.id for i in instruments.catalogue(population="nurses")}
    assert "pes-nwi" in nurses
    free = {i.id for i in instruments.catalogue(commercial_use_allowed=True)}
    assert "uwes9" not in free and "mbi" not in free and "who5" in free
    short = instruments.catalogue(max_items=5, include_structure_only=False)
    assert all(0 < i.n_items <= 5 for i in short)
    assert [i.n_items for i in short] == sorted(i.n_items for i in short)
    with pytest.raises(ValueError, match="measures"):
        instruments.catalogue(measures="happiness")


def test_every_entry_offers_advantages_disadvantages_and_a_verification_status() -> None:
    for instrument in instruments.catalogue():
        assert instrument.advantages and instrument.disadvantages
        assert instruments.verification_status(instrument)
    assert instruments.verification_status(instruments.get("gad7")) == "verified"
    assert instruments.verification_status(instruments.get("phq9")).startswith(
        "partly"
    )  # [S] item-9 rule
    assert instruments.verification_status(instruments.get("mbi")).startswith("structure only")
