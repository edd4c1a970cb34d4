"""The board PDF, read as a board member would: every page looked at as an image and as text.

One demo-like organization (fourteen units, one of them too small to show, two closed
waves of about two hundred synthetic responses each, eleven scales, three respondent
fields, key drivers with hub resources) is built once for the module, its PDFs are made
through the export's URL, and every page is rendered with poppler (``pdftoppm``,
``pdftotext``; installed in CI), then rolled back.
"""

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import instruments
from wellbeing.reports.build import Change, ScaleReport
from wellbeing.reports.pdf import MAX_COLUMNS, change_words, column_groups, measure_names

pytestmark = [
    # Marked so that pytest-django sets the test database up for the module's fixture.
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
        reason="poppler-utils (pdftoppm, pdftotext) is not installed",
    ),
]

DPI = 50
MM = DPI / 25.4  # pixels per millimetre at DPI
# The side margins are 14-16 mm: a table or chart wider than the page's content box reaches
# into them. The footer sits at the top of the bottom margin, so there the band is 8 mm.
SIDE_BAND_MM = 12
BAND_MM = 8
MAX_PAGES = 14
DRIVER_PAGES = 2

# (department, [(team, responses per wave)]): a hospital three levels deep, as in the demo.
TREE = [
    ("Emergency Department", [("Adult Emergency", 34), ("Pediatric Emergency", 14)]),
    ("Internal Medicine", [("Hospital Medicine", 24), ("General Internal Medicine Clinic", 18)]),
    (
        "Nursing",
        [
            ("Intensive Care Unit", 30),
            ("Medical-Surgical Unit", 30),
            ("Perioperative Services", 15),
            ("Wound Care Team", 2),  # too few to show
        ],
    ),
    ("Pharmacy", [("Inpatient Pharmacy", 10)]),
    ("Graduate Medical Education", [("Internal Medicine Residency", 16)]),
]
SMALL_UNIT = "Wound Care Team"
ROLES = ["physician", "nurse", "nurse", "resident_fellow", "advanced_practice", "pharmacist"]
TENURE = ["lt1", "1_5", "1_5", "6_10", "11_20", "gt20"]
STAGES = ["training", "early", "mid", "mid", "late"]
PES = instruments.get("pes-nwi")
ITEM_SCALE = [
    next(s.id for s in PES.scales if s.method == "mean" and item.id in s.items)
    for item in PES.items
]


def _person(rng, strain: float, wave: int) -> dict[str, list[int]]:
    """Synthetic answers: by wave 2 strain falls (burnout better, WHO-5 better, the
    environment better) while PHQ-2 rises (worse), so the summary has both directions."""
    strain -= 0.9 * (wave - 1)
    view = {s: 2.9 - 0.5 * strain + rng.normal(0, 0.4) for s in set(ITEM_SCALE)}
    pes = [int(np.clip(np.rint(view[s] + rng.normal(0, 0.5)), 1, 4)) for s in ITEM_SCALE]
    z = strain + rng.normal(0, 0.5) - 0.8 * (view["staffing"] - 2.9)
    burnout = int(np.clip(np.rint(2.2 + z + rng.normal(0, 0.5)), 1, 5))
    who5 = [int(np.clip(np.rint(3.0 - z + rng.normal(0, 0.8)), 0, 5)) for _ in range(5)]
    phq2 = [int(np.clip(np.rint(0.4 + 0.9 * (wave - 1) + rng.normal(0, 0.5)), 0, 3))] * 2
    return {"single-item-burnout": [burnout], "who5": who5, "phq2": phq2, "pes-nwi": pes}


def _fill(wave, units: dict, number: int) -> None:
    from wellbeing.surveys import actions

    rng = np.random.default_rng(number)
    rows = []
    for strain, (name, size) in enumerate(
        (team, size) for _dept, teams in TREE for team, size in teams
    ):
        for i in range(size):
            demographics = {
                "role": str(rng.choice(ROLES)),
                "tenure": str(rng.choice(TENURE)),
                "career_stage": str(rng.choice(STAGES)),
            }
            rows.append(
                actions.ImportedResponse(
                    key=f"pdf-{number}-{name}-{i}",
                    unit=units[name],
                    answers=_person(rng, 0.1 * (strain % 5), number),
                    demographics=demographics,
                )
            )
    actions.set_wave_status(wave=wave, status="open")
    actions.record_synthetic_responses(wave=wave, rows=rows)
    actions.set_wave_status(wave=wave, status="closed")


def _resources() -> None:
    """Hub resources for the drivers' factors and area, with titles as long as real ones."""
    from wellbeing.hub import actions as hub

    titles = [
        "A Cluster Randomized Trial of Interventions to Improve Work Conditions and Clinician "
        "Burnout in Primary Care: Results from the Healthy Work Place Study",
        "Evaluation of a Controlled Organizational Intervention Using Influential Peers to "
        "Promote Professional Fulfillment",
        "Shared governance guide for nursing units",
    ]
    for n, title in enumerate(titles):
        slug = f"pdf-resource-{n}"
        hub.upsert_resource(
            {
                "slug": slug,
                "title": title,
                "summary": "A resource.",
                "kind": "toolkit",
                "url": f"https://example.org/{slug}",
                "source": f"https://example.org/{slug}",
                "status": "published",
            },
            factors=["organizational-factors", "learning-practice-environment"],
            priority_areas=["positive-work-and-learning-environments"],
        )


def _world():
    """The organization, its admin and the lead of Nursing, and its second wave."""
    from django.utils import timezone

    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User
    from wellbeing.surveys import actions

    org = accounts.create_organization(
        name="Riverbend Health (PDF test)", kind="health_system", slug="riverbend-pdf"
    )
    units = {}
    for department, teams in TREE:
        units[department] = accounts.add_unit(organization=org, name=department)
        for team, _size in teams:
            units[team] = accounts.add_unit(organization=org, name=team, parent=units[department])
    admin = User.objects.create_user("admin@riverbend-pdf.test", "a-long-test-password")
    lead = User.objects.create_user("lead@riverbend-pdf.test", "a-long-test-password")
    accounts.add_member(organization=org, user=admin, role="org_admin")
    accounts.add_member(organization=org, user=lead, role="unit_lead", unit=units["Nursing"])
    survey = actions.create_survey(
        organization=org,
        name="Clinician well-being survey",
        instruments=["single-item-burnout", "who5", "phq2", "pes-nwi"],
        demographics=["role", "tenure", "career_stage"],
        actor=admin,
    )
    now = timezone.now()
    waves = []
    for number, name in ((1, "Spring"), (2, "Autumn")):
        opens = now - timedelta(days=400 - 180 * number)
        wave = actions.create_wave(
            survey=survey,
            name=name,
            opens_at=opens,
            closes_at=opens + timedelta(days=30),
            headcounts={units[t]: size * 2 for _d, teams in TREE for t, size in teams},
            actor=admin,
        )
        _fill(wave, units, number)
        waves.append(wave)
    _resources()
    return admin, lead, waves[1]


class Rendered:
    """One PDF: its pages as images and as text."""

    def __init__(self, content: bytes, folder: Path) -> None:
        folder.mkdir()
        path = folder / "report.pdf"
        path.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-png", str(path), str(folder / "page")], check=True
        )
        self.images = sorted(folder.glob("page-*.png"))
        self.texts = [self._text(path, n) for n in range(1, len(self.images) + 1)]

    @staticmethod
    def _text(path: Path, page: int) -> str:
        found = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        )
        return found.stdout

    def first(self, text: str) -> int:
        """The number (from 1) of the first page that contains ``text`` (across lines)."""
        return next(
            n for n, page in enumerate(self.texts, start=1) if text in " ".join(page.split())
        )


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """The admin's and the Nursing lead's PDF of the second wave, built once, rolled back."""
    from django.db import transaction
    from django.test import Client, override_settings

    folder = tmp_path_factory.mktemp("pdf")
    with (
        django_db_blocker.unblock(),
        override_settings(WELLBEING_REQUIRE_2FA=False, AXES_ENABLED=False),
        transaction.atomic(),
    ):
        admin, lead, wave = _world()
        url = f"/measure/{wave.survey.organization.slug}/waves/{wave.pk}/report.pdf"
        out = {}
        for name, user in (("admin", admin), ("lead", lead)):
            client = Client()
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200, response.content[:500]
            out[name] = Rendered(response.content, folder / name)
        transaction.set_rollback(True)
    return out


@pytest.fixture(scope="module")
def board(pdfs) -> Rendered:
    return pdfs["admin"]


def _inked_box(image: Path) -> tuple[int, int, int, int]:
    """The bounding box of everything drawn on a page (not white)."""
    grey = Image.open(image).convert("L")
    box = grey.point(lambda v: 255 if v < 245 else 0).getbbox()
    assert box is not None, f"{image.name} is blank"
    return box


def _assert_inside_margins(images: list[Path]) -> None:
    side, band = round(SIDE_BAND_MM * MM), round(BAND_MM * MM)
    for image in images:
        width, height = Image.open(image).size
        left, top, right, bottom = _inked_box(image)
        assert left >= side and top >= band, image.name
        assert right <= width - side, f"{image.name}: drawn up to {right} of {width} px"
        assert bottom <= height - band, f"{image.name}: drawn down to {bottom} of {height} px"


def test_nothing_is_drawn_in_the_margins_of_any_page(board):
    _assert_inside_margins(board.images)


def test_every_page_has_the_confidentiality_footer_and_its_number(board):
    total = len(board.texts)
    for n, text in enumerate(board.texts, start=1):
        assert "Confidential: groups smaller than 5 are not shown" in text, n
        assert f"Page {n} of {total}" in text
        assert "Riverbend Health (PDF test) · Autumn" in text


def test_the_summary_fits_two_pages_with_headline_change_and_drivers(board):
    summary = board.texts[0] + board.texts[1]
    assert "Headline figures" in summary
    assert "WHO-5 raw score (0-25)" in summary and "PHQ-2 total (0-6)" in summary
    assert "What changed since Spring" in summary
    # Strain fell and PHQ-2 rose by design: the words follow each scale's direction.
    assert "Better:" in summary and "Worse:" in summary
    assert "Key drivers and what to do" in summary
    assert "Healthy Work Place" in summary and "testserver/hub/" in summary  # what to do
    assert board.first("Details") == 3


def test_the_details_are_on_landscape_pages_and_the_page_count_stays_reasonable(board):
    assert len(board.images) <= MAX_PAGES
    for n, image in enumerate(board.images, start=1):
        width, height = Image.open(image).size
        assert (width > height) == (n >= 3), f"page {n}: {width} x {height}"


def test_every_unit_and_measure_is_in_the_units_tables(board):
    start = board.first("Units, part 1")
    text = "".join(board.texts[start - 1 : board.first("Key drivers: what is") + 1])
    names = [team for _dept, teams in TREE for team, _size in teams] + [d for d, _t in TREE]
    assert all(name in text for name in names)
    for measure in ("Single-item burnout", "WHO-5 percentage score", "PES-NWI Staffing"):
        assert measure in text


def test_a_unit_too_small_shows_only_hidden_marks_with_their_legend(board):
    details = "".join(board.texts[2:])
    rows = [line for line in details.splitlines() if line.strip().startswith(SMALL_UNIT)]
    assert rows
    for row in rows:
        cells = row.split(SMALL_UNIT, 1)[1].split()
        assert cells and all(cell.startswith("Hidden") for cell in cells), row
    assert "Hidden: fewer than 5 responses." in details


def test_the_key_drivers_take_at_most_two_pages(board):
    start = board.first("Key drivers: what is associated with burnout here")
    end = board.first("percentile bootstrap")  # the section's closing note
    assert start >= 3 and end - start + 1 <= DRIVER_PAGES
    assert "Standardised coefficient" in board.texts[start - 1]


def _has_bars(image: Path) -> bool:
    """Whether a page shows a chart's bars (this wave's blue, #005ea2)."""
    r, g, b = np.asarray(Image.open(image).convert("RGB"), dtype=int).transpose(2, 0, 1)
    blue = (r < 30) & (g > 75) & (g < 115) & (b > 140) & (b < 185)
    return int(blue.sum()) > 100


def test_each_respondent_field_has_its_chart_by_its_tables(board):
    for field in ("Role", "Tenure", "Career stage"):
        first = board.first(f"{field}, part 1 of 2")
        assert board.first(f"{field}, part 2 of 2") in (first, first + 1)
        assert _has_bars(board.images[first - 1]) or _has_bars(board.images[first - 2]), field
    assert not _has_bars(board.images[0])  # the summary is words and tables


def test_a_unit_lead_reads_only_their_subtree(pdfs):
    text = "".join(pdfs["lead"].texts)
    assert "Headline figures: Nursing" in text and "Intensive Care Unit" in text
    for elsewhere in ("Adult Emergency", "Pharmacy", "Hospital Medicine", "By respondent group"):
        assert elsewhere not in text
    _assert_inside_margins(pdfs["lead"].images)


# ---------------------------------------------------------------- names and words


def _scale(key: str, higher_is: str | None = "better") -> ScaleReport:
    instrument, _scale_id = key.split(".", 1)
    name = next(s.name for s in instruments.get(instrument).scales if f"{instrument}.{s.id}" == key)
    return ScaleReport(key, name, instrument, higher_is, "", None, None, None, {}, None, None)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("who5.raw", "WHO-5 raw score (0-25)"),
        ("phq2.total", "PHQ-2 total (0-6)"),
        ("pes-nwi.staffing", "PES-NWI Staffing and Resource Adequacy (mean 1-4)"),
        ("single-item-burnout.score", "Single-item burnout measure: Burnout rating (1-5)"),
    ],
)
def test_each_measure_is_named_by_its_instrument_and_range(key, expected):
    assert measure_names([_scale(key)]) == {key: expected}


@pytest.mark.parametrize(
    ("higher_is", "difference", "significant", "words"),
    [
        ("better", 1.5, True, "Better: up 1.5"),
        ("better", -1.5, True, "Worse: down 1.5"),
        ("worse", -0.4, True, "Better: down 0.4"),
        ("worse", 0.4, True, "Worse: up 0.4"),
        (None, 0.4, True, "Higher: up 0.4"),
        ("worse", 0.4, False, "No clear change"),
    ],
)
def test_a_change_is_better_or_worse_by_the_direction_of_its_scale(
    higher_is, difference, significant, words
):
    change = Change(difference, (difference - 0.1, difference + 0.1), significant, "")
    assert change_words(_scale("phq2.total", higher_is), change)[1] == words


def test_a_change_not_compared_says_why():
    change = Change(None, None, False, "not compared: fewer than 5 responses in wave 1")
    tone, words = change_words(_scale("phq2.total", "worse"), change)
    assert (tone, words) == ("none", "Not compared: fewer than 5 responses in wave 1")


def test_wide_tables_split_into_column_groups_keeping_instruments_together():
    keys = ["single-item-burnout.score", "who5.raw", "who5.percentage", "phq2.total"]
    keys += [f"pes-nwi.{s.id}" for s in PES.scales]
    groups = column_groups([_scale(k) for k in keys])
    assert [len(g) for g in groups] == [4, 7]
    assert all(len(g) <= MAX_COLUMNS for g in groups)
    assert {s.instrument for s in groups[1]} == {"pes-nwi"}
