"""Read one definition file (TOML) and validate it into an :class:`Instrument`.

Every problem raises :class:`InstrumentDefinitionError` naming the file, the
field path (``items[3].reverse``) and what was expected, so a person adding an
instrument can fix the file without reading this code. Unknown fields are
errors too: a misspelt ``revrese = true`` must not silently score unreversed.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from instruments._model import (
    COMMERCIAL_USE_VALUES,
    EVIDENCE_VALUES,
    FLAG_KINDS,
    MEASURES,
    SCALE_METHODS,
    Band,
    Citation,
    Cutoff,
    Flag,
    Instrument,
    Item,
    Licence,
    MissingData,
    Option,
    OptionSet,
    Scale,
    Translation,
    Verification,
)
from instruments._ranges import check_cross_references, scale_range

T = TypeVar("T")
SCHEMA_VERSION = 1
# Bounds that keep the engine's packed arithmetic exact (see _engine._Plan).
MAX_ABS_OPTION_VALUE = 10_000.0
MAX_ITEMS = 500
# A BCP 47 language tag as LANGUAGES in the web settings spell it: "es", "es-419", "pt-br".
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
SOURCE_LANGUAGE = "en"  # every shipped instrument's wording was verified in English


class InstrumentDefinitionError(ValueError):
    """A definition file is malformed: ``<file>: <field>: <problem>``."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(f"{file}: {field}: {problem}")
        self.file = file
        self.field = field
        self.problem = problem


class _Reader:
    """Typed access to one TOML table that reports the full field path on error."""

    def __init__(self, file: str, path: str, data: object) -> None:
        if not isinstance(data, dict):
            raise InstrumentDefinitionError(file, path or "<root>", _expected("a table", data))
        self.file = file
        self.path = path
        self.data = cast(dict[str, Any], data)
        self._seen: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> InstrumentDefinitionError:
        return InstrumentDefinitionError(self.file, self.where(key), problem)

    def _get(self, key: str, required: bool) -> object:
        self._seen.add(key)
        if key not in self.data and required:
            raise self.fail(key, "required field is missing")
        return self.data.get(key)

    def string(self, key: str, *, required: bool = True, choices: tuple[str, ...] = ()) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, _expected("a non-empty string", value))
        if choices and value not in choices:
            raise self.fail(key, _expected(f"one of {list(choices)}", value))
        return value

    def opt_str(self, key: str) -> str | None:
        return self.string(key, required=False) or None

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, _expected("true/false", value))
        return value

    def integer(self, key: str, *, required: bool = True) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, _expected("an integer", value))
        return value

    def number(self, key: str, *, required: bool = True) -> float | None:
        value = self._get(key, required)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(key, _expected("a finite number", value))
        return float(value)

    def strings(
        self, key: str, *, required: bool = True, choices: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, _expected("a list of non-empty strings", value))
        for index, entry in enumerate(value):
            if choices and entry not in choices:
                raise self.fail(f"{key}[{index}]", _expected(f"one of {list(choices)}", entry))
        return tuple(value)

    def tables(
        self, key: str, build: Callable[[_Reader], T], *, required: bool = True
    ) -> tuple[T, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(key, _expected("an array of tables", value))
        return tuple(self.sub(f"{key}[{index}]", entry, build) for index, entry in enumerate(value))

    def keyed(self, key: str, build: Callable[[str, _Reader], T]) -> tuple[T, ...]:
        """An optional table of tables, each built with its own key (``[translations.es]``)."""
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, dict):
            raise self.fail(key, _expected("a table of tables", value))
        return tuple(
            self.sub(f"{key}.{name}", entry, functools.partial(build, name))
            for name, entry in value.items()
        )

    def table(self, key: str, build: Callable[[_Reader], T]) -> T:
        return self.sub(key, self._get(key, True), build)

    def sub(self, key: str, data: object, build: Callable[[_Reader], T]) -> T:
        reader = _Reader(self.file, self.where(key), data)
        result = build(reader)
        reader.done()
        return result

    def evidence(self, key: str = "evidence") -> Any:
        return self.string(key, choices=EVIDENCE_VALUES)

    def source(self, evidence: str) -> str:
        # Second-hand facts may become data only with their source recorded.
        return self.string("source", required=evidence == "S")

    def done(self) -> None:
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            raise self.fail(
                unknown[0], "unknown field (check the spelling against docs/instruments.md)"
            )


def _expected(what: str, got: object) -> str:
    return f"expected {what}, got {got!r}"


def load(path: str | Path) -> Instrument:
    """Read and validate one definition file."""
    path = Path(path)
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InstrumentDefinitionError(name, "<file>", f"not valid TOML: {error}") from error
    except OSError as error:
        raise InstrumentDefinitionError(name, "<file>", f"cannot be read: {error}") from error
    return parse(raw, file=name, source_file=str(path))


def parse(raw: Mapping[str, object], *, file: str, source_file: str = "") -> Instrument:
    """Validate an already-decoded definition (the contents of one TOML file)."""
    reader = _Reader(file, "", dict(raw))
    version = reader.integer("schema_version")
    if version != SCHEMA_VERSION:
        raise reader.fail("schema_version", _expected(str(SCHEMA_VERSION), version))
    instrument = _instrument(reader, source_file)
    reader.done()
    expected_name = f"{instrument.id}.toml"
    if file.endswith(".toml") and file != expected_name:
        raise InstrumentDefinitionError(
            file, "id", _expected(f"the file to be named {expected_name!r}", file)
        )
    check_cross_references(
        instrument, lambda field, problem: InstrumentDefinitionError(file, field, problem)
    )
    return instrument


def _instrument(r: _Reader, source_file: str) -> Instrument:
    instrument_id = r.string("id")
    if not instrument_id.replace("-", "").isalnum() or instrument_id.lower() != instrument_id:
        raise r.fail("id", _expected("lower-case letters, digits and '-'", instrument_id))
    structure_only = r.boolean("structure_only")
    option_sets = {
        s.id: s for s in r.tables("option_sets", _option_set, required=not structure_only)
    }
    items = r.tables("items", lambda t: _item(t, option_sets), required=not structure_only)
    raw_scales = r.tables("scales", _scale)
    stem = r.opt_str("stem")
    languages = r.strings("languages")
    translations = r.keyed("translations", lambda lang, t: _translation(t, lang, items, stem))
    _check_languages(r, languages, translations)
    return Instrument(
        id=instrument_id,
        name=r.string("name"),
        version=r.string("version"),
        description=r.string("description"),
        measures=r.strings("measures", choices=MEASURES),
        populations=r.strings("populations"),
        languages=languages,
        citations=r.tables("citations", _citation),
        licence=r.table("licence", _licence),
        items=items,
        scales=_with_ranges(r, raw_scales, items),
        cutoffs=r.tables("cutoffs", _cutoff, required=False),
        flags=r.tables("flags", _flag, required=False),
        missing_data=r.table("missing_data", _missing),
        advantages=r.strings("advantages"),
        disadvantages=r.strings("disadvantages"),
        verification=r.table("verification", _verification),
        structure_only=structure_only,
        recall_period=r.opt_str("recall_period"),
        stem=stem,
        translations=translations,
        source_file=source_file,
    )


def _citation(r: _Reader) -> Citation:
    return Citation(
        text=r.string("text"), evidence=r.evidence(), url=r.opt_str("url"), note=r.opt_str("note")
    )


def _licence(r: _Reader) -> Licence:
    return Licence(
        name=r.string("name"),
        permitted_use=r.string("permitted_use"),
        commercial_use=cast(Any, r.string("commercial_use", choices=COMMERCIAL_USE_VALUES)),
        evidence=r.evidence(),
        notes=r.string("notes", required=False),
        attribution=r.opt_str("attribution"),
        url=r.opt_str("url"),
    )


def _option(r: _Reader) -> Option:
    code = r.integer("code")
    if code is None or code < 0:
        raise r.fail(
            "code", _expected("an integer >= 0 (-1 is reserved for a missing answer)", code)
        )
    value = r.number("value", required=False)
    value = float(code) if value is None else value
    if abs(value) > MAX_ABS_OPTION_VALUE:
        raise r.fail("value", _expected(f"a number within +/-{MAX_ABS_OPTION_VALUE:g}", value))
    return Option(code=code, value=value, label=r.opt_str("label"))


def _option_set(r: _Reader) -> OptionSet:
    evidence = r.evidence()
    option_set = OptionSet(
        id=r.string("id"),
        options=r.tables("options", _option),
        evidence=evidence,
        source=r.source(evidence),
        labels_supplied_by_licensee=r.boolean("labels_supplied_by_licensee"),
    )
    codes = option_set.codes
    if len(codes) < 2:
        raise r.fail("options", _expected("at least two options", len(codes)))
    if list(codes) != sorted(set(codes)):
        raise r.fail("options", _expected("unique codes in ascending order", list(codes)))
    for index, option in enumerate(option_set.options):
        if option.label is None and not option_set.labels_supplied_by_licensee:
            raise r.fail(
                f"options[{index}].label",
                "required unless labels_supplied_by_licensee = true (never fill labels from memory)",
            )
    return option_set


def _item(r: _Reader, option_sets: Mapping[str, OptionSet]) -> Item:
    set_id = r.string("option_set")
    if set_id not in option_sets:
        raise r.fail("option_set", _expected(f"one of {list(option_sets)}", set_id))
    text = r.opt_str("text")
    licensee = r.boolean("text_supplied_by_licensee")
    if (text is None) == (not licensee):
        raise r.fail(
            "text",
            "give either verbatim text (verified and licensed) or text_supplied_by_licensee = true, "
            f"exactly one; got text={text!r}, text_supplied_by_licensee={licensee}",
        )
    return Item(
        id=r.string("id"),
        option_set=option_sets[set_id],
        text=text,
        text_supplied_by_licensee=licensee,
        reverse=r.boolean("reverse"),
        topic=r.opt_str("topic"),
        stem=r.opt_str("stem"),
    )


def _scale(r: _Reader) -> Scale:
    evidence = r.evidence()
    higher_is = r.string("higher_is", required=False, choices=("better", "worse")) or None
    return Scale(
        id=r.string("id"),
        name=r.string("name"),
        method=cast(Any, r.string("method", choices=SCALE_METHODS)),
        evidence=evidence,
        source=r.source(evidence),
        items=r.strings("items", required=False),
        scales=r.strings("scales", required=False),
        multiplier=r.number("multiplier", required=False) or 1.0,
        threshold=r.number("threshold", required=False),
        min_answered=r.integer("min_answered", required=False),
        higher_is=cast(Any, higher_is),
        minimum=r.number("minimum", required=False),
        maximum=r.number("maximum", required=False),
        note=r.string("note", required=False),
    )


def _with_ranges(
    r: _Reader, scales: tuple[Scale, ...], items: tuple[Item, ...]
) -> tuple[Scale, ...]:
    """Fill each scale's minimum and maximum from its items (declared only for external scales)."""
    done: dict[str, Scale] = {}
    for index, scale in enumerate(scales):
        where = f"scales[{index}]"
        try:
            done[scale.id] = scale_range(scale, {i.id: i for i in items}, done)
        except ValueError as error:
            raise InstrumentDefinitionError(r.file, where, str(error)) from error
    return tuple(done[s.id] for s in scales)


def _band(r: _Reader) -> Band:
    lower = r.number("lower")
    return Band(lower=cast(float, lower), label=r.string("label"), exclusive=r.boolean("exclusive"))


def _cutoff(r: _Reader) -> Cutoff:
    evidence = r.evidence()
    verified = r.boolean("verified")
    if verified and evidence != "V":
        raise r.fail("verified", f"true requires evidence = 'V', got evidence = {evidence!r}")
    return Cutoff(
        id=r.string("id"),
        scale=r.string("scale"),
        bands=r.tables("bands", _band),
        evidence=cast(Any, evidence),
        verified=verified,
        source=r.string("source"),
        note=r.string("note", required=not verified),
        population=r.opt_str("population"),
    )


def _flag(r: _Reader) -> Flag:
    evidence = r.evidence()
    return Flag(
        id=r.string("id"),
        label=r.string("label"),
        kind=cast(Any, r.string("kind", choices=FLAG_KINDS)),
        items=r.strings("items"),
        min_code=cast(int, r.integer("min_code")),
        max_code=cast(int, r.integer("max_code")),
        evidence=evidence,
        source=r.string("source"),
        note=r.string("note", required=False),
    )


def _missing(r: _Reader) -> MissingData:
    return MissingData(description=r.string("description"), basis=r.string("basis"))


def _verification(r: _Reader) -> Verification:
    return Verification(
        checked=r.strings("checked"),
        unverified=r.strings("unverified", required=False),
        left_out=r.strings("left_out", required=False),
    )


# -- translations -------------------------------------------------------------------------------


def _translation(
    r: _Reader, language: str, items: tuple[Item, ...], stem: str | None
) -> Translation:
    """A published translation: every item, every option and the stem, read in its source."""
    if language == SOURCE_LANGUAGE or not _LANGUAGE.match(language):
        raise InstrumentDefinitionError(
            r.file, r.path, _expected("a language tag other than 'en', e.g. 'es'", language)
        )
    if any(i.text_supplied_by_licensee or i.option_set.labels_supplied_by_licensee for i in items):
        raise InstrumentDefinitionError(
            r.file, r.path, "licensed wording ships in no language: remove the translation"
        )
    evidence = r.evidence()
    if evidence != "V":
        raise r.fail(
            "evidence", _expected("'V' (wording read in full in the cited copy)", evidence)
        )
    texts = r.strings("items")
    if len(texts) != len(items):
        raise r.fail(
            "items", _expected(f"{len(items)} translated items, in item order", len(texts))
        )
    translated_stem = r.opt_str("stem")
    if stem and not translated_stem:
        raise r.fail("stem", "required: the original has a stem, so its translation must too")
    return Translation(
        language=language,
        items=texts,
        options=r.table("options", lambda t: _translated_options(t, items)),
        source=_source_url(r),
        evidence=cast(Any, evidence),
        stem=translated_stem,
        note=r.string("note", required=False),
    )


def _translated_options(
    r: _Reader, items: tuple[Item, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """One label per option of every option set the items use, keyed by the set's id."""
    used = list(dict.fromkeys(item.option_set for item in items))
    out = []
    for option_set in used:
        labels = r.strings(option_set.id)
        if len(labels) != len(option_set.options):
            raise r.fail(
                option_set.id,
                _expected(f"{len(option_set.options)} labels, in code order", len(labels)),
            )
        out.append((option_set.id, labels))
    return tuple(out)


def _source_url(r: _Reader) -> str:
    source = r.string("source")
    if not source.startswith(("https://", "http://")):
        raise r.fail("source", _expected("the URL of the copy the wording was read in", source))
    return source


def _check_languages(
    r: _Reader, languages: tuple[str, ...], translations: tuple[Translation, ...]
) -> None:
    """``languages`` names English and exactly the languages with a shipped translation."""
    translated = {t.language for t in translations}
    for index, language in enumerate(languages):
        if language != SOURCE_LANGUAGE and language not in translated:
            raise r.fail(
                f"languages[{index}]",
                f"{language!r} needs a [translations.{language}] table with its source",
            )
    for translation in translations:
        if translation.language not in languages:
            raise InstrumentDefinitionError(
                r.file,
                f"translations.{translation.language}",
                f"expected {translation.language!r} in languages too, got {list(languages)}",
            )
