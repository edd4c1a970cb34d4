"""Published scoring examples and boundaries, each checked against the source the
reference file (../shared/reference/instruments.md) cites for it."""

from __future__ import annotations

import numpy as np
import pytest

import instruments

M = instruments.MISSING


def test_who5_raw_12_is_percentage_48_and_below_the_threshold_of_50() -> None:
    # CORC / Valant: raw = sum 0-25, percentage = raw x 4; INSPQ: percentage <= 50 screens;
    # Valant: raw < 13 = poor well-being (reference section 6 [V]).
    result = instruments.score("who5", [[3, 3, 2, 2, 2], [3, 3, 3, 2, 2]])
    assert result.scales["raw"].tolist() == [12.0, 13.0]
    assert result.scales["percentage"].tolist() == [48.0, 52.0]
    assert result.categories["poor_wellbeing"][0].startswith("poor well-being")
    assert result.categories["poor_wellbeing"][1].startswith("above the screening threshold")


def test_who5_range_is_0_to_100_and_any_item_0_or_1_raises_the_screen_flag() -> None:
    # CORC: 0-25 raw, 0-100 percentage; medicalalgorithms.com: any item 0 or 1 -> depression inventory.
    result = instruments.score("who5", [[0] * 5, [5] * 5, [5, 5, 5, 5, 1]])
    assert result.scales["percentage"].tolist() == [0.0, 100.0, 84.0]  # (5 * 4 + 1) * 4
    assert result.flags["any_item_0_or_1"].tolist() == [True, False, True]
    assert not result.safety_flags


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_severity_bands_start_at_5_10_15_20(total: int, band: str) -> None:
    # Kroenke 2001 (J Gen Intern Med 16:606-613): 0-4 minimal, 5-9 mild, 10-14 moderate,
    # 15-19 moderately severe, 20-27 severe (reference section 7 [V]).
    row = np.zeros(9, dtype=np.int8)
    remaining = total
    for j in range(9):
        row[j] = min(3, remaining)
        remaining -= row[j]
    result = instruments.score("phq9", row[None, :])
    assert result.scales["total"][0] == total
    assert result.categories["severity"][0] == band
    assert result.categories["major_depression_screen"][0].startswith("10 or more") == (total >= 10)


def test_phq9_item_9_above_zero_raises_the_safety_flag_whatever_the_total() -> None:
    # Reference section 7, item 9 handling: any response > 0 triggers the safety workflow [S].
    codes = np.zeros((4, 9), dtype=np.int8)
    codes[1, 8] = 1
    codes[2, 8] = 3
    codes[3, :8] = 3  # severe total, item 9 = 0
    result = instruments.score("phq9", codes)
    assert result.safety_flags["item9_positive"].tolist() == [False, True, True, False]
    assert instruments.get("phq9").safety_flags[0].items == ("phq9_9",)


def test_phq8_and_phq2_use_the_phq9_items() -> None:
    # Reference section 7: PHQ-8 = items 1-8, PHQ-2 = items 1-2 of the PHQ-9 [V].
    phq9 = instruments.get("phq9")
    assert [i.text for i in instruments.get("phq8").items] == [i.text for i in phq9.items[:8]]
    assert [i.text for i in instruments.get("phq2").items] == [i.text for i in phq9.items[:2]]
    assert not instruments.get("phq8").flags


def test_phq2_threshold_3_is_verified_and_2_is_the_sensitive_alternative() -> None:
    # Hindawi table reproduction: >= 3 suggestive; Arroll 2010: >= 2 sens 86% / spec 78% [V].
    result = instruments.score("phq2", [[1, 1], [2, 1], [3, 3]])
    assert result.bands["elevated_symptoms"].tolist() == [0, 1, 1]
    assert result.bands["sensitive_screen"].tolist() == [1, 1, 1]
    assert instruments.get("phq2").cutoff("elevated_symptoms").verified


def test_gad7_bands_5_10_15_and_gad2_cutoff_is_flagged_unverified() -> None:
    # Spitzer 2006 via mrcpsych.uk / BMJ EBM: 5, 10, 15 = mild, moderate, severe [V];
    # GAD-2 >= 3 is [U] in the reference, so it must ship with verified = false.
    result = instruments.score(
        "gad7", [[0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 2, 2], [3, 3, 3, 2, 2, 1, 1]]
    )
    assert result.scales["total"].tolist() == [4.0, 9.0, 15.0]
    assert result.categories["severity"].tolist() == ["below 5", "mild", "severe"]
    gad2 = instruments.get("gad2")
    assert not gad2.cutoff("anxiety_screen").verified
    assert instruments.score(gad2, [[2, 1]]).category_verified == {"anxiety_screen": False}


@pytest.mark.parametrize(
    ("answer", "burned_out"), [(1, False), (2, False), (3, True), (4, True), (5, True)]
)
def test_single_item_burnout_is_burned_out_from_3(answer: int, burned_out: bool) -> None:
    # JABFM Table 1 (ABFM 2016): responses 3, 4, 5 = "Burned Out" [V].
    label = instruments.score("single-item-burnout", [[answer]]).categories["burned_out"][0]
    assert (label == "burned out") is burned_out


def test_single_item_burnout_ships_the_dolan_2015_wording() -> None:
    # NAM summary of Dolan 2015: stem; Dolan 2015 Appendix A: option 1 (reference section 2 [V]).
    item = instruments.get("single-item-burnout").items[0]
    assert (
        item.text
        == "Overall, based on your definition of burnout, how would you rate your level of burnout?"
    )
    assert item.option_set.options[0].label == "I enjoy my work. I have no symptoms of burnout."


def test_cbi_reverse_item_enough_energy_scores_always_as_0() -> None:
    # Reference section 3 [S]: "enough energy for family and friends" is reverse-scored:
    # Always = 0 ... Never/almost never = 100; each scale = mean on 0-100.
    cbi = instruments.get("cbi")
    reverse = [i.id for i in cbi.items if i.reverse]
    assert reverse == ["cbi_w_energy_leisure"]
    always = np.full((1, 19), 4, dtype=np.int8)  # "Always" / "To a very high degree" everywhere
    result = instruments.score(cbi, always)
    assert result.scales["personal"][0] == 100.0
    assert result.scales["work"][0] == pytest.approx(
        600 / 7
    )  # six items at 100, the reversed one at 0
    never_on_reverse = always.copy()
    never_on_reverse[0, cbi.item_ids.index("cbi_w_energy_leisure")] = 0
    assert instruments.score(cbi, never_on_reverse).scales["work"][0] == 100.0


def test_cbi_has_three_scales_of_6_7_6_items_and_no_total() -> None:
    # Kristensen 2005 abstract: personal 6, work-related 7, client-related 6; 19 items [V].
    cbi = instruments.get("cbi")
    assert [len(s.items) for s in cbi.scales] == [6, 7, 6]
    assert cbi.n_items == 19 and "total" not in cbi.scale_ids


def test_pss10_reverses_items_4_5_7_8() -> None:
    # UW-Madison ARC: reverse items 4, 5, 7, 8 (4 - x), then sum; range 0-40 [V].
    pss = instruments.get("pss10")
    assert [i.id for i in pss.items if i.reverse] == ["pss10_4", "pss10_5", "pss10_7", "pss10_8"]
    answers = np.array([[4, 4, 4, 0, 0, 4, 0, 0, 4, 4]])  # maximal stress on every item
    assert instruments.score(pss, answers).scales["total"][0] == 40.0
    assert instruments.score(pss, np.full((1, 10), 2)).scales["total"][0] == 20.0


def test_olbi_maximum_burnout_needs_agreeing_with_negative_and_rejecting_positive_items() -> None:
    # Reference section 4: with 1 = strongly agree, negatively worded items 2, 3, 4, 6, 8, 9, 11, 12
    # are reversed; strongly agreeing with every negative item and strongly disagreeing with every
    # positive item must give the maximum.
    olbi = instruments.get("olbi")
    negative = {2, 3, 4, 6, 8, 9, 11, 12}
    row = [[1 if i in negative else 4 for i in range(1, 17)]]
    result = instruments.score(olbi, row)
    assert result.scales["total"][0] == 4.0
    assert {int(i.id.split("_")[1]) for i in olbi.items if i.reverse} == negative


def test_pes_nwi_classifies_by_the_number_of_subscale_means_above_2_5() -> None:
    # NQF #0206/#3450: favourable = four or more subscale means exceed 2.5; mixed = two or three;
    # unfavourable = zero or one; composite = mean of the subscale means [V].
    pes = instruments.get("pes-nwi")
    order = [s.id for s in pes.scales[:5]]

    def respondent(high: set[str]) -> list[int]:
        return [3 if (i.topic in high) else 2 for i in pes.items]

    rows = [respondent(set(order[:k])) for k in range(6)]
    result = instruments.score(pes, rows)
    assert result.scales["subscales_above_2_5"].tolist() == [0, 1, 2, 3, 4, 5]
    assert result.categories["environment"].tolist() == [
        "unfavourable",
        "unfavourable",
        "mixed",
        "mixed",
        "favourable",
        "favourable",
    ]
    assert result.scales["composite"].tolist() == pytest.approx([2.0, 2.2, 2.4, 2.6, 2.8, 3.0])


def test_pes_nwi_a_subscale_mean_of_exactly_2_5_does_not_exceed_2_5() -> None:
    # NQF: "exceed 2.5" is strict.
    pes = instruments.get("pes-nwi")
    staffing = [i for i, item in enumerate(pes.items) if item.topic == "staffing"]  # 4 items
    row = np.full((1, 31), 1)
    row[0, staffing] = [2, 3, 2, 3]
    assert instruments.score(pes, row).scales["staffing"][0] == 2.5
    assert instruments.score(pes, row).scales["subscales_above_2_5"][0] == 0


def test_mbi_is_structure_only_and_classifies_licensed_scores_at_27_and_10() -> None:
    # Brady et al. 2020 (J Patient Rep Outcomes 4:42): EE and DP cut-points of 27 and 10 [V].
    mbi = instruments.get("mbi")
    assert mbi.structure_only and mbi.n_items == 0
    with pytest.raises(ValueError, match="structure-only"):
        instruments.score(mbi, np.zeros((1, 0)))
    labels = instruments.classify(
        mbi, {"emotional_exhaustion": [26, 27], "depersonalization": [9, 10]}
    )
    assert labels["high_ee"].tolist() == ["below 27", "high emotional exhaustion (>= 27)"]
    assert labels["high_dp"].tolist() == ["below 10", "high depersonalization (>= 10)"]


def test_wbi_ships_the_resident_threshold_verified_and_the_ambiguous_physician_one_unverified() -> (
    None
):
    # Dyrbye 2014: residents >= 5 [V]; Dyrbye 2013 abstract uses both >= 4 and > 4.
    wbi = instruments.get("wbi")
    assert wbi.cutoff("distress_residents").verified
    assert not wbi.cutoff("distress_physicians").verified


def test_uwes9_is_flagged_non_commercial_and_ships_no_wording() -> None:
    # Reference section 8: "free for use for non-commercial scientific research" [S].
    uwes = instruments.get("uwes9")
    assert uwes.licence.commercial_use == "prohibited"
    assert not uwes.licence.commercial_use_allowed
    assert all(i.text is None and i.text_supplied_by_licensee for i in uwes.items)
    assert [len(s.items) for s in uwes.scales] == [3, 3, 3, 9]


def test_pfi_structure_matches_trockel_2018() -> None:
    # Trockel 2018 abstract: PF 6, WE 4, ID 6; overall burnout = WE + ID (10 items) [V].
    pfi = instruments.get("pfi")
    sizes = {s.id: len(s.items) for s in pfi.scales}
    assert sizes == {
        "professional_fulfillment": 6,
        "work_exhaustion": 4,
        "interpersonal_disengagement": 6,
        "burnout": 10,
    }
    assert all(not c.verified for c in pfi.cutoffs)  # 1.33 and 3.0 are [U] in the reference


def test_mini_z_2_ships_no_unverified_wording_and_sums_to_10_50() -> None:
    # Linzer 2022 abstract: 10 items, 5-point, higher = better [V]; vendor doc: total = sum [S].
    miniz = instruments.get("mini-z-2")
    assert miniz.n_items == 10 and all(i.text is None for i in miniz.items)
    result = instruments.score(miniz, [[1] * 10, [5] * 10, [4] * 10])
    assert result.scales["total"].tolist() == [10.0, 50.0, 40.0]
    assert result.category_verified["satisfied_environment"] is False
