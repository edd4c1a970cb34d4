"""Published translations in a definition file: wording only, complete, with their source.

The wording below is test data marked "[test]", not a translation of any instrument: a
translation ships only when its whole wording was read in an official copy (docs/instruments.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import instruments
from instruments import InstrumentDefinitionError

DEFINITIONS = Path(instruments.__file__).parent / "definitions"
SOURCE = "https://example.org/phq2-test-translation.pdf"
TABLE = f"""
[translations.es]
stem = "[test] stem"
items = ["[test] item 1", "[test] item 2"]
source = "{SOURCE}"
evidence = "V"

[translations.es.options]
frequency = ["[test] 0", "[test] 1", "[test] 2", "[test] 3"]
"""


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    instruments.clear_cache()
    yield
    instruments.clear_cache()


def _translated_phq2(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    """PHQ-2 under a new id, declared in Spanish too, with the test table (edited)."""
    text = (DEFINITIONS / "phq2.toml").read_text(encoding="utf-8")
    text = text.replace('id = "phq2"', 'id = "phq2-es"').replace(
        'languages = ["en"]', 'languages = ["en", "es"]'
    )
    text += TABLE
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    path = tmp_path / "phq2-es.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_translation_loads_with_every_item_every_option_and_its_source(tmp_path: Path) -> None:
    translated = instruments.load(_translated_phq2(tmp_path))
    english = instruments.get("phq2")
    spanish = translated.translation("es")
    assert spanish is not None and translated.translation("fr") is None
    assert len(spanish.items) == english.n_items == 2
    assert spanish.source == SOURCE and spanish.evidence == "V"
    assert spanish.stem == "[test] stem"
    assert len(spanish.labels("frequency")) == len(english.items[0].option_set.options)
    assert translated.languages == ("en", "es")


def test_a_translated_instrument_scores_exactly_as_the_original(tmp_path: Path) -> None:
    translated = instruments.load(_translated_phq2(tmp_path))
    answers = np.array([[0, 0], [1, 2], [3, 3], [2, -1]])
    ours, theirs = instruments.score(translated, answers), instruments.score("phq2", answers)
    np.testing.assert_array_equal(ours.scales["total"], theirs.scales["total"])
    assert list(ours.categories["elevated_symptoms"]) == list(
        theirs.categories["elevated_symptoms"]
    )


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            ('items = ["[test] item 1", "[test] item 2"]', 'items = ["[test] item 1"]'),
            "translations.es.items",
            "expected 2 translated items",
        ),
        (
            ('frequency = ["[test] 0", "[test] 1", "[test] 2", "[test] 3"]', 'frequency = ["x"]'),
            "translations.es.options.frequency",
            "expected 4 labels",
        ),
        ((f'source = "{SOURCE}"', 'source = "a PDF I saw"'), "translations.es.source", "URL"),
        (
            (
                'evidence = "V"\n\n[translations.es.options]',
                'evidence = "S"\n\n[translations.es.options]',
            ),
            "translations.es.evidence",
            "expected 'V'",
        ),
        (('stem = "[test] stem"\n', ""), "translations.es.stem", "required"),
        (('languages = ["en", "es"]', 'languages = ["en"]'), "translations.es", "languages too"),
        (('languages = ["en", "es"]', 'languages = ["en", "es", "fr"]'), "languages[2]", "'fr'"),
        (("[translations.es]", "[translations.en]"), "translations.en", "other than 'en'"),
    ],
)
def test_an_incomplete_or_unsourced_translation_is_refused_by_name(
    tmp_path: Path, edit: tuple[str, str], field: str, problem: str
) -> None:
    with pytest.raises(InstrumentDefinitionError) as caught:
        instruments.load(_translated_phq2(tmp_path, edit))
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_licensed_wording_ships_in_no_language(tmp_path: Path) -> None:
    text = (DEFINITIONS / "cbi.toml").read_text(encoding="utf-8")
    path = tmp_path / "cbi.toml"
    path.write_text(text + '\n[translations.es]\nitems = []\nsource = "x"\nevidence = "V"\n')
    with pytest.raises(InstrumentDefinitionError, match="licensed wording ships in no language"):
        instruments.load(path)


@pytest.mark.parametrize("instrument", instruments.registry().values(), ids=lambda i: i.id)
def test_a_shipped_instrument_lists_english_and_exactly_its_translated_languages(
    instrument: instruments.Instrument,
) -> None:
    translated = {t.language for t in instrument.translations}
    assert set(instrument.languages) == {"en"} | translated
    for translation in instrument.translations:
        assert len(translation.items) == instrument.n_items
        assert translation.source.startswith("https://") and translation.evidence == "V"
