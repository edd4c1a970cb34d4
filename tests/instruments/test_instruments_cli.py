"""python -m instruments: list, show, score (CSV, XLSX, SAV), mapping and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import instruments
from instruments._cli import main

EXAMPLE = Path(instruments.__file__).parent / "examples" / "who5_example.csv"


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


def test_score_as_a_module_in_a_subprocess_writes_csv_to_stdout() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "instruments",
            "score",
            "-i",
            "who5",
            str(EXAMPLE),
            "--keep",
            "respondent",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
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
        assert pd.read_excel(out)["who5.raw"].tolist() == [15, 5]


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


def test_unknown_columns_and_unknown_instruments_are_clear_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["score", "-i", "who5", str(EXAMPLE)]) == 2
    assert "unknown column(s) ['respondent']" in capsys.readouterr().err
    assert (
        main(["score", "-i", "who5", str(EXAMPLE), "--ignore-extra", "--map", "nope=who5_1"]) == 2
    )
    assert "not in the file" in capsys.readouterr().err
    assert main(["show", "who6"]) == 2
    assert "instrument_id" in capsys.readouterr().err


def test_a_missing_code_can_be_declared(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("who5_1,who5_2,who5_3,who5_4,who5_5\n99,3,2,2,2\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["score", "-i", "who5", str(path), "--missing", "99", "-o", str(out)]) == 0
    assert pd.read_csv(out)["who5.valid"].tolist() == [False]
