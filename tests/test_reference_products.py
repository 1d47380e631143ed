"""Tests of silkroad.reference.products against the HS structure and a real BACI product list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from silkroad.errors import ReferenceDataError
from silkroad.reference import (
    HS_EDITIONS,
    LEVELS,
    chapter_to_section,
    chapters,
    hs_edition,
    hs_level,
    normalize_hs6,
    sections,
)

BACI_PRODUCTS = Path(__file__).resolve().parent / "data" / "baci" / "product_codes_HS17_V202201.csv"

# Section ranges of the Harmonized System (FORMATS.md 3.2).
SECTION_RANGES = {
    "I": (1, 5), "II": (6, 14), "III": (15, 15), "IV": (16, 24), "V": (25, 27), "VI": (28, 38),
    "VII": (39, 40), "VIII": (41, 43), "IX": (44, 46), "X": (47, 49), "XI": (50, 63),
    "XII": (64, 67), "XIII": (68, 70), "XIV": (71, 71), "XV": (72, 83), "XVI": (84, 85),
    "XVII": (86, 89), "XVIII": (90, 92), "XIX": (93, 93), "XX": (94, 96), "XXI": (97, 97),
}  # fmt: skip


def test_levels() -> None:
    assert LEVELS == ("hs2", "hs4", "hs6")


def test_sections_table() -> None:
    s = sections()
    assert list(s.columns) == [
        "roman",
        "number",
        "first_chapter",
        "last_chapter",
        "label_en",
        "label_ru",
    ]
    assert len(s) == 21
    assert list(s["number"]) == list(range(1, 22))
    assert list(s["roman"]) == list(SECTION_RANGES)
    for row in s.itertuples():
        assert (int(row.first_chapter), int(row.last_chapter)) == SECTION_RANGES[row.roman]
        assert len(row.first_chapter) == 2
        assert len(row.last_chapter) == 2
    assert s["label_en"].str.len().gt(0).all()
    assert s["label_ru"].str.contains(r"[А-Яа-яЁё]").all()


def test_chapters_table() -> None:
    c = chapters()
    assert list(c.columns) == ["code", "section", "label_en", "label_ru", "reserved"]
    assert len(c) == 97
    assert list(c["code"]) == [f"{i:02d}" for i in range(1, 98)]
    assert c["code"].is_unique
    assert list(c.loc[c["reserved"], "code"]) == ["77"]
    assert c["label_en"].str.len().gt(0).all()
    assert c["label_ru"].str.contains(r"[А-Яа-яЁё]").all()


def test_every_chapter_in_exactly_one_section_range() -> None:
    numbers = {roman: i for i, roman in enumerate(SECTION_RANGES, start=1)}
    for chapter in range(1, 98):
        owners = [r for r, (lo, hi) in SECTION_RANGES.items() if lo <= chapter <= hi]
        assert len(owners) == 1
        assert chapter_to_section(f"{chapter:02d}") == numbers[owners[0]]


def test_chapters_agree_with_sections() -> None:
    s = sections().set_index("number")
    for row in chapters().itertuples():
        first, last = s.at[row.section, "first_chapter"], s.at[row.section, "last_chapter"]
        assert first <= row.code <= last


def test_labels_in_our_words() -> None:
    c = chapters().set_index("code")
    assert c.at["87", "label_en"] == "Vehicles other than railway"
    assert c.at["87", "label_ru"] == "Транспортные средства, кроме железнодорожных"
    assert c["label_en"].str.len().max() <= 60  # short labels, not the WCO legal texts


@pytest.mark.parametrize(
    ("chapter", "section"), [("01", 1), ("1", 1), (27, 5), ("84", 16), ("87", 17), ("97", 21)]
)
def test_chapter_to_section(chapter: str, section: int) -> None:
    assert chapter_to_section(chapter) == section


@pytest.mark.parametrize("chapter", ["00", "98", "99", "870", "ab", ""])
def test_chapter_to_section_unknown(chapter: str) -> None:
    with pytest.raises(ReferenceDataError, match="unknown HS chapter"):
        chapter_to_section(chapter)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("870120", "870120"), (" 870120\n", "870120"), ("10121", "010121"), (10121, "010121")],
)
def test_normalize_hs6(code: str, expected: str) -> None:
    assert normalize_hs6(code) == expected


@pytest.mark.parametrize(
    "code", ["", "8701", "1234567", "87012a", "０１０１２１", "000101", "-10121"]
)
def test_normalize_hs6_rejects(code: str) -> None:
    with pytest.raises(ReferenceDataError, match="not an HS6 code"):
        normalize_hs6(code)


@pytest.mark.parametrize(
    ("code", "level", "expected"),
    [
        ("870120", "hs2", "87"),
        ("870120", "hs4", "8701"),
        ("870120", "hs6", "870120"),
        ("10121", "hs4", "0101"),
        ("10121", "hs2", "01"),
        ("8701", "hs2", "87"),
        ("101", "hs4", "0101"),
        ("87", "hs2", "87"),
    ],
)
def test_hs_level(code: str, level: str, expected: str) -> None:
    assert hs_level(code, level) == expected


@pytest.mark.parametrize(("code", "level"), [("8701", "hs6"), ("87", "hs4"), ("870120", "hs8")])
def test_hs_level_rejects(code: str, level: str) -> None:
    with pytest.raises(ReferenceDataError):
        hs_level(code, level)


def test_hs_editions() -> None:
    baci = {"92": "HS92", "96": "HS96", "02": "HS02", "07": "HS07", "12": "HS12", "17": "HS17"}
    for rev, edition in {**baci, "22": "HS22"}.items():
        assert HS_EDITIONS[rev] == edition
    comtrade = ["H0", "H1", "H2", "H3", "H4", "H5", "H6"]
    assert [HS_EDITIONS[c] for c in comtrade] == [
        "HS92",
        "HS96",
        "HS02",
        "HS07",
        "HS12",
        "HS17",
        "HS22",
    ]
    assert hs_edition("h4") == "HS12"
    assert hs_edition("HS07") == "HS07"
    with pytest.raises(ReferenceDataError, match="unknown HS edition"):
        hs_edition("H9")


@pytest.fixture(scope="module")
def baci_products() -> pd.DataFrame:
    return pd.read_csv(BACI_PRODUCTS, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_real_baci_codes(baci_products: pd.DataFrame) -> None:
    codes = baci_products["code"]
    assert [normalize_hs6(c) for c in codes] == list(codes)
    used = {hs_level(c, "hs2") for c in codes}
    known = set(chapters()["code"])
    # 999999 "Commodities not specified according to kind" is a Comtrade/BACI code, not HS
    assert used - known == {"99"}
    assert list(codes[codes.str.startswith("99")]) == ["999999"]
    assert "77" not in used  # reserved chapter: no codes
    assert known - used == {"77"}  # every other chapter has codes in HS2017
    # a code with its leading zero lost, as a numeric column would read it
    assert normalize_hs6(str(int(codes.iloc[0]))) == codes.iloc[0]
