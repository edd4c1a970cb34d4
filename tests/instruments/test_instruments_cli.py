"""python -m instruments: list, show, score (CSV, XLSX, SAV), mapping and one-line errors.

Runs the command in-process through ``main(argv)``; one test starts a real process to see
which modules the command line loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import instruments
from instruments import _cli
from instruments._cli import main

EXAMPLE = Path(instruments.__file__).parent / "examples" / "who5_example.csv"
WHO5_HEADER = "who5_1,who5_2,who5_3,who5_4,who5_5"
SCORABLE = [i for i in instruments.registry() if not instruments.get(i).structure_only]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Exit status, stdout lines and stderr lines of one in-process call."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--measures", "anxiety"]) == 0
    listed = capsys.readouterr().out
    assert "gad7" in listed and "phq9" not in listed
    assert main(["show", "phq9"]) == 0
    shown = capsys.readouterr().out
    assert "Thoughts that you would be better off dead" in shown and "Flag (safety)" in shown
    assert main(["show", "who5"]) == 0
    assert "likely_depression on percentage [UNVERIFIED]" in capsys.readouterr().out
    assert main(["show", "mini-z-2", "--json"]) == 0
    assert '"text_supplied_by_licensee": true' in capsys.readouterr().out


def test_score_the_readme_example(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    assert (
        main(
            ["score", "--instrument", "who5", str(EXAMPLE), "--keep", "respondent", "-o", str(out)]
        )
        == 0
    )
    scores = pd.read_csv(out)
    # WHO-5 (CORC): r01 answers 3,3,2,2,2 -> raw 12 -> 48%; r04 skipped an item -> invalid.
    assert scores["who5.percentage"].tolist()[:3] == [48.0, 80.0, 20.0]
    assert scores["who5.valid"].tolist() == [True, True, True, False]
    assert scores["respondent"].tolist() == ["r01", "r02", "r03", "r04"]


def test_the_command_loads_neither_scipy_nor_pandas_for_help_or_a_csv() -> None:
    """Start-up: `--help` and scoring a CSV import numpy at most (scipy alone took ~2.7 s)."""
    heavy = {"pandas", "scipy", "pingouin"}
    for argv in (["--help"], ["score", "-i", "who5", str(EXAMPLE), "--id", "respondent"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "instruments", *argv],
            capture_output=True,
            text=True,
            check=True,
        )
        loaded = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert "instruments._cli" in loaded  # the import log is what we think it is
        assert not heavy & loaded, (argv, sorted(heavy & loaded))
    assert done.stdout.splitlines()[1].startswith("r01,12.0,48.0,True")


def test_mapping_columns_from_another_survey_tool_and_xlsx_and_sav(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"ID": [1, 2], **{f"Q{i}": [3, 1] for i in range(1, 6)}})
    frame.to_excel(tmp_path / "export.xlsx", index=False)
    pyreadstat.write_sav(frame, str(tmp_path / "export.sav"))
    (tmp_path / "map.csv").write_text(
        "".join(f"Q{i},who5_{i}\n" for i in range(1, 6)), encoding="utf-8"
    )
    for name in ("export.xlsx", "export.sav"):
        out = tmp_path / f"{name}.xlsx"
        code = main(
            [
                "score",
                "-i",
                "who5",
                str(tmp_path / name),
                "--map-file",
                str(tmp_path / "map.csv"),
                "--keep",
                "ID",
                "-o",
                str(out),
                "--progress",
            ]
        )
        assert code == 0
        written = pd.read_excel(out, dtype={"ID": str})
        assert written["who5.raw"].tolist() == [15, 5]
        assert written["ID"].tolist() == ["1", "2"]  # SPSS's 1.0 is written as SPSS shows it


def test_a_map_file_reads_the_same_with_or_without_a_header_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(tmp_path / "q.csv", "ID,Q1,Q2,Q3,Q4,Q5\n7,3,3,2,2,2\n8,5,4,4,3,4\n")
    rows = "".join(f"Q{i},who5_{i}\n" for i in range(1, 6))
    outputs = []
    for name, header in (
        ("plain.csv", ""),
        ("header.csv", "column,item\n"),
        ("own.csv", "Question,Item id\n"),
    ):
        mapping = _write(tmp_path / name, header + rows)
        code, out, err = _run(
            capsys, "score", "-i", "who5", str(data), "--map-file", str(mapping), "--id", "ID"
        )
        assert (code, err) == (0, [])
        outputs.append(out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][1].startswith("7,12.0,48.0,True")
    typo = _write(tmp_path / "typo.csv", "column,item\nQ1,who5_l\n")
    code, _out, err = _run(capsys, "score", "-i", "who5", str(data), "--map-file", str(typo))
    assert code == 2
    assert f"{typo}: row 2: 'who5_l' is not an item of who5 (did you mean 'who5_1'" in err[0]


def test_a_misspelled_keep_or_id_column_names_the_close_matches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "score", "-i", "who5", str(EXAMPLE), "--keep", "respondnet")
    assert (code, out, len(err)) == (2, [], 1)
    assert "--keep 'respondnet' is not a column of the file (did you mean 'respondent'?);" in err[0]
    code, _out, err = _run(capsys, "score", "-i", "who5", str(EXAMPLE), "--id", "resp")
    assert code == 2
    assert "--id 'resp' is not a column of the file" in err[0]
    assert "its columns are ['respondent', 'who5_1'" in err[0]


@pytest.mark.parametrize(
    ("header", "maps", "expected"),
    [
        (f"{WHO5_HEADER},who5_1", [], "column 'who5_1' appears 2 times"),
        (f"Q1,{WHO5_HEADER}", ["--map", "Q1=who5_1"], "item 'who5_1' would come from two columns"),
        (
            "Q1,Q2,who5_2,who5_3,who5_4,who5_5",
            ["--map", "Q1=who5_1", "--map", "Q2=WHO5_1"],
            "item 'who5_1' would come from two columns, 'Q1' and 'Q2'",
        ),
        (
            "WHO5_1,Who5_1,who5_2,who5_3,who5_4,who5_5",
            [],
            "column 'who5_1' appears 2 times ('WHO5_1' in column A, 'Who5_1' in column B)",
        ),
    ],
)
def test_two_columns_for_one_item_are_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: str,
    maps: list[str],
    expected: str,
) -> None:
    width = header.count(",") + 1
    data = _write(tmp_path / "dup.csv", f"{header}\n{','.join(['1'] * width)}\n")
    code, out, err = _run(capsys, "score", "-i", "who5", str(data), *maps)
    assert (code, out, len(err)) == (2, [], 1)
    assert expected in err[0]


def test_declared_missing_codes_match_as_numbers_and_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # R, SPSS and pandas write 99 as 99.0; a person may type it with spaces.
    data = _write(
        tmp_path / "r.csv",
        f"id,{WHO5_HEADER}\na,99.0,3,2,2,2\nb, 99 ,3,2,2,2\nc,99.00,3,2,2,2\n"
        "d,Refused,3,2,2,2\ne,3,3,2,2,2\n",
    )
    code, out, err = _run(
        capsys,
        "score",
        "-i",
        "who5",
        str(data),
        "--id",
        "id",
        "--missing",
        "99",
        "--missing",
        "refused",
    )
    assert (code, err) == (0, [])
    valid = [line.split(",")[3] for line in out[1:]]
    assert valid == ["False", "False", "False", "False", "True"]
    assert out[5].startswith("e,12.0,48.0,True")
    code, _out, err = _run(capsys, "score", "-i", "who5", str(data), "--id", "id")
    assert code == 2
    assert "row 2, column 'who5_1': value 99.0 is not a code of item 'who5_1'" in err[0]
    assert "pass --missing 99 if it means 'not answered'" in err[0]


def test_column_names_differing_only_in_case_are_read_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lower = _write(tmp_path / "lower.csv", f"Respondent,{WHO5_HEADER}\nr1,3,3,2,2,2\n")
    upper = _write(tmp_path / "upper.csv", f"Respondent,{WHO5_HEADER.upper()}\nr1,3,3,2,2,2\n")
    code, expected, err = _run(capsys, "score", "-i", "who5", str(lower), "--id", "Respondent")
    assert (code, err) == (0, [])
    code, out, err = _run(capsys, "score", "-i", "WHO5", str(upper), "--id", "respondent")
    assert code == 0
    assert out == expected  # the output keeps the file's own column names
    assert f"note: {upper}: column 'WHO5_1' read as 'who5_1' (the names differ only in case)" in err
    assert (
        f"note: {upper}: column 'Respondent' read as 'respondent' (the names differ only in case)"
        in err
    )
    assert len(err) == 6


def test_a_semicolon_file_gets_a_hint_and_reads_with_the_delimiter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    semicolons = _write(tmp_path / "eu.csv", "id;who5_1;who5_2;who5_3;who5_4;who5_5\nx;3;3;2;2;2\n")
    code, out, err = _run(capsys, "score", "-i", "who5", str(semicolons), "--id", "id")
    assert (code, out, len(err)) == (2, [], 1)
    assert "the file looks ';'-separated; pass --delimiter ';'" in err[0]
    code, out, err = _run(
        capsys, "score", "-i", "who5", str(semicolons), "--id", "id", "--delimiter", ";"
    )
    assert (code, err) == (0, [])
    assert out[1].startswith("x,12.0,48.0,True")
    tabs = _write(
        tmp_path / "tabs.csv", "id\twho5_1\twho5_2\twho5_3\twho5_4\twho5_5\nx\t3\t3\t2\t2\t2\n"
    )
    code, _out, err = _run(capsys, "score", "-i", "who5", str(tabs), "--id", "id")
    assert "pass --delimiter tab" in err[0]
    code, out, _err = _run(
        capsys, "score", "-i", "who5", str(tabs), "--id", "id", "--delimiter", "tab"
    )
    assert (code, out[1][:16]) == (0, "x,12.0,48.0,True")


def test_repeated_ids_are_warned_about_and_every_row_is_still_scored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(
        tmp_path / "twice.csv",
        f"pid,{WHO5_HEADER}\np1,3,3,2,2,2\np2,5,4,4,3,4\np1,1,1,2,0,1\n,1,1,1,1,1\n,2,2,2,2,2\n",
    )
    code, out, err = _run(capsys, "score", "-i", "who5", str(data), "--id", "pid")
    assert code == 0
    assert [line.split(",")[0] for line in out] == ["pid", "p1", "p2", "p1", "", ""]
    # Empty ids are not ids: only p1 repeats.
    assert err == [
        f"warning: {data}: 1 row(s) repeat an id of column 'pid', first 'p1' on rows 2 and 4; "
        "each row was scored as its own response"
    ]
    code, _out, err = _run(capsys, "score", "-i", "who5", str(EXAMPLE), "--id", "respondent")
    assert (code, err) == (0, [])


def _bad_files(tmp: Path) -> list[tuple[list[str], str]]:
    """(arguments, a phrase the one-line message must hold) for inputs a person may pass."""
    empty = _write(tmp / "empty.csv", "")
    binary = tmp / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    zipped = tmp / "book.csv"
    zipped.write_bytes(b"PK\x03\x04" + bytes(range(1, 40)))
    latin = tmp / "latin.csv"
    latin.write_bytes(f"name,{WHO5_HEADER}\nJos\xe9,1,2,3,4,5\n".encode("latin-1"))
    semi = _write(tmp / "semi.csv", f"{WHO5_HEADER.replace(',', ';')}\n1;2;3;4;5\n")
    dup = _write(tmp / "dup.csv", f"{WHO5_HEADER},who5_3\n1,2,3,4,5,3\n")
    text = _write(tmp / "text.csv", f"{WHO5_HEADER}\n1,2,often,4,5\n")
    decimal = _write(tmp / "decimal.csv", f"{WHO5_HEADER}\n1,2,3.5,4,5\n")
    ragged = _write(tmp / "ragged.csv", f"{WHO5_HEADER}\n1,2,3,4,5\n1,2,3,4,5,6\n")
    bad_xlsx = _write(tmp / "bad.xlsx", "not a workbook")
    bad_sav = _write(tmp / "bad.sav", "not an SPSS file")
    ok = str(EXAMPLE)
    return [
        ([str(empty)], "the file is empty"),
        ([str(binary)], "not a text file"),
        ([str(zipped)], "name it .xlsx"),
        ([str(latin), "--keep", "name"], "not UTF-8 text (byte 0xe9"),
        ([str(semi)], "pass --delimiter ';'"),
        ([str(dup)], "column 'who5_3' appears 2 times"),
        ([str(text)], "row 2, column 'who5_3': value 'often' is not a code"),
        ([str(decimal)], "row 2, column 'who5_3': value 3.5 is not a code"),
        ([str(ragged)], "row 3 has 6 cells but the header has 5"),
        ([str(bad_xlsx)], "cannot be read as an Excel workbook"),
        ([str(bad_sav)], "cannot be read as an SPSS .sav file"),
        ([str(tmp / "absent.csv")], "file not found"),
        ([str(_write(tmp / "notes.txt", "x"))], "expected a .csv, .xlsx or .sav file"),
        ([ok, "--id", "respondent", "-o", str(tmp / "out.json")], "-o: expected a .csv or .xlsx"),
        ([ok, "--map", "respondent"], "--map: expected COLUMN=ITEM"),
        ([ok, "--map", "respondent=who5_9"], "'who5_9' is not an item of who5"),
        (
            [ok, "--id", "respondent", "-i", "who6"],
            "unknown instrument 'who6' (did you mean 'who5'?)",
        ),
        ([ok, "--id", "respondent", "-i", "mbi"], "mbi is structure only"),
    ]


def test_bad_input_never_gives_a_traceback_only_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyreadstat")
    for argv, phrase in _bad_files(tmp_path):
        instrument = [] if "-i" in argv else ["-i", "who5"]
        code, out, err = _run(capsys, "score", *instrument, *argv)
        assert (code, out) == (2, []), argv
        assert len(err) == 1 and err[0].startswith("error: "), (argv, err)
        assert phrase in err[0], (argv, err[0])


def test_a_header_only_file_writes_the_header_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(tmp_path / "none.csv", f"id,{WHO5_HEADER}\n")
    code, out, err = _run(capsys, "score", "-i", "who5", str(data), "--id", "id")
    assert (code, err) == (0, [])
    assert out == [
        "id,who5.raw,who5.percentage,who5.valid,who5.poor_wellbeing,"
        "who5.likely_depression__unverified,who5.flag.any_item_0_or_1"
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-8 with CR line ends"])
def test_bom_utf16_and_cr_line_ends_read_like_plain_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    text = f"name,{WHO5_HEADER}\nJosé,3,3,2,2,2\n"
    data = tmp_path / "export.csv"
    if encoding.startswith("utf-8 with CR"):
        data.write_bytes(text.replace("\n", "\r").encode("utf-8"))
    else:
        data.write_bytes(text.encode(encoding))
    code, out, err = _run(capsys, "score", "-i", "who5", str(data), "--id", "name")
    assert (code, err) == (0, [])
    assert out[1].startswith("José,12.0,48.0,True")


def test_a_bad_value_gives_one_line_with_row_column_and_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,A,B,C,D,E\n1,3,3,2,2,2\n2,5,9,4,3,4\n", encoding="utf-8")
    maps = [f"--map={c}=who5_{i}" for i, c in enumerate("ABCDE", start=1)]
    assert main(["score", "-i", "who5", str(bad), "--keep", "id", *maps]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "row 3, column 'B': value 9" in err
    bad.write_text("id,A,B,C,D,E\n1,3,x,2,2,2\n", encoding="utf-8")
    assert main(["score", "-i", "who5", str(bad), "--keep", "id", *maps]) == 2
    assert "row 2, column 'B': value 'x'" in capsys.readouterr().err


def test_rows_are_counted_as_a_spreadsheet_counts_them_across_chunks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"id,{WHO5_HEADER}", *(f"r{n},3,3,2,2,2" for n in range(1, 8)), ""]
    good = _write(tmp_path / "good.csv", "\n".join(lines))
    code, whole, _err = _run(capsys, "score", "-i", "who5", str(good), "--id", "id")
    monkeypatch.setattr(_cli.tables, "CHUNK_ROWS", 3)
    code, chunked, _err = _run(capsys, "score", "-i", "who5", str(good), "--id", "id")
    assert code == 0 and chunked == whole and len(chunked) == 8
    lines[7] = "r7,3,3,2,7,2"  # spreadsheet row 8, in the third chunk; a blank line still counts
    lines.insert(3, "")
    bad = _write(tmp_path / "bad.csv", "\n".join(lines))
    code, out, err = _run(capsys, "score", "-i", "who5", str(bad), "--id", "id")
    assert (code, out) == (2, [])
    assert "row 9, column 'who5_4': value 7 is not a code" in err[0]


@pytest.mark.parametrize("instrument_id", SCORABLE)
def test_output_columns_follow_one_naming_rule_for_every_instrument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], instrument_id: str
) -> None:
    instrument = instruments.get(instrument_id)
    first_codes = [str(item.option_set.codes[0]) for item in instrument.items]
    data = _write(tmp_path / "r.csv", f"{','.join(instrument.item_ids)}\n{','.join(first_codes)}\n")
    code, out, _err = _run(capsys, "score", "-i", instrument_id, str(data))
    assert code == 0
    header = out[0].split(",")
    frame = instruments.score(instrument, np.array([[int(c) for c in first_codes]])).to_frame()
    assert header == list(frame.columns)  # the CSV and the pandas/.xlsx output agree
    unverified = {c.id for c in instrument.cutoffs if not c.verified}
    marked = {
        name.split(".", 1)[1].removesuffix("__unverified")
        for name in header
        if name.endswith("__unverified")
    }
    assert marked == unverified
    assert {f"{instrument_id}.{c.id}" for c in instrument.cutoffs if c.verified} <= set(header)


def test_unknown_columns_and_unknown_instruments_are_clear_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["score", "-i", "who5", str(EXAMPLE)]) == 2
    assert "unknown column(s) ['respondent']" in capsys.readouterr().err
    assert (
        main(["score", "-i", "who5", str(EXAMPLE), "--ignore-extra", "--map", "nope=who5_1"]) == 2
    )
    assert "--map column 'nope' is not a column of the file" in capsys.readouterr().err
    assert main(["show", "who6"]) == 2
    assert "unknown instrument 'who6' (did you mean 'who5'?);" in capsys.readouterr().err


def test_a_missing_code_can_be_declared(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("who5_1,who5_2,who5_3,who5_4,who5_5\n99,3,2,2,2\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["score", "-i", "who5", str(path), "--missing", "99", "-o", str(out)]) == 0
    assert pd.read_csv(out)["who5.valid"].tolist() == [False]
