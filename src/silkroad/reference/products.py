"""Products: Harmonized System (HS) editions, levels, sections and chapters.

Codes are strings of digits with leading zeros kept (``"010121"``); levels are ``hs2`` (chapter),
``hs4`` (heading) and ``hs6`` (subheading). Section and chapter labels in ``reference/data``
(``hs_sections.csv``: ``roman,number,first_chapter,last_chapter,label_en,label_ru``;
``hs_chapters.csv``: ``code,section,label_en,label_ru``) are this project's own short labels,
not the official WCO texts. Chapter 77 is reserved in the HS and has no codes; chapters 98 and
99 (national use) are not HS chapters and are not listed, although Comtrade and BACI data carry
``999999`` "commodities not specified according to kind" (e.g. BACI HS17 V202201):
:func:`chapter_to_section` raises for them, so callers must handle chapter 99 explicitly.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from silkroad.errors import ReferenceDataError

__all__ = [
    "HS_EDITIONS",
    "HS_EDITION_YEARS",
    "LEVELS",
    "RESERVED_CHAPTERS",
    "chapter_to_section",
    "chapters",
    "hs_edition",
    "hs_level",
    "normalize_hs6",
    "sections",
]

LEVELS = ("hs2", "hs4", "hs6")
"""Product levels: chapter (2 digits), heading (4 digits), subheading (6 digits)."""

_LEVEL_DIGITS = {"hs2": 2, "hs4": 4, "hs6": 6}

HS_EDITION_YEARS: dict[str, int] = {
    "HS92": 1988,
    "HS96": 1996,
    "HS02": 2002,
    "HS07": 2007,
    "HS12": 2012,
    "HS17": 2017,
    "HS22": 2022,
}
"""HS editions and the year each came into force (HS92 is the 1988 nomenclature as amended in
1992; BACI's HS92 data start in 1995)."""

HS_EDITIONS: dict[str, str] = {
    # BACI revision suffixes (product_codes_HS{rev}, BACI_HS{rev}_Y...)
    "92": "HS92",
    "96": "HS96",
    "02": "HS02",
    "07": "HS07",
    "12": "HS12",
    "17": "HS17",
    "22": "HS22",
    # UN Comtrade classification codes
    "H0": "HS92",
    "H1": "HS96",
    "H2": "HS02",
    "H3": "HS07",
    "H4": "HS12",
    "H5": "HS17",
    "H6": "HS22",
    # our own names map to themselves
    **{edition: edition for edition in HS_EDITION_YEARS},
}
"""BACI revision (``'92'`` … ``'22'``), Comtrade code (``'H0'`` … ``'H6'``) or edition name →
our edition name (``'HS92'`` … ``'HS22'``)."""

RESERVED_CHAPTERS = frozenset({"77"})
"""HS chapters reserved for future use: listed in :func:`chapters` but without any codes."""


def _read_csv(name: str) -> pd.DataFrame:
    with resources.files("silkroad.reference").joinpath("data", name).open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _sections() -> pd.DataFrame:
    df = _read_csv("hs_sections.csv")
    expected = ["roman", "number", "first_chapter", "last_chapter", "label_en", "label_ru"]
    if list(df.columns) != expected:
        raise ReferenceDataError(
            "bad header",
            path="hs_sections.csv",
            found=",".join(df.columns),
            expected=",".join(expected),
        )
    df["number"] = df["number"].astype(int)
    return df


@lru_cache(maxsize=1)
def _chapters() -> pd.DataFrame:
    df = _read_csv("hs_chapters.csv")
    expected = ["code", "section", "label_en", "label_ru"]
    if list(df.columns) != expected:
        raise ReferenceDataError(
            "bad header",
            path="hs_chapters.csv",
            found=",".join(df.columns),
            expected=",".join(expected),
        )
    df["section"] = df["section"].astype(int)
    df["reserved"] = df["code"].isin(RESERVED_CHAPTERS)
    return df


def sections() -> pd.DataFrame:
    """The 21 HS sections, in order.

    Columns: ``roman`` (``'I'`` … ``'XXI'``), ``number`` (int 1–21), ``first_chapter`` and
    ``last_chapter`` (two-digit strings, inclusive), ``label_en``, ``label_ru``. Returns a copy.

    >>> sections().set_index("roman").loc["XVII", ["first_chapter", "last_chapter"]].tolist()
    ['86', '89']
    """
    return _sections().copy()


def chapters() -> pd.DataFrame:
    """The 97 HS chapters ``'01'`` … ``'97'``, in order.

    Columns: ``code`` (two-digit string), ``section`` (int 1–21, the section number),
    ``label_en``, ``label_ru``, ``reserved`` (bool; True only for chapter 77). Returns a copy.

    >>> chapters().set_index("code").loc["87", "label_en"]
    'Vehicles other than railway'
    """
    return _chapters().copy()


@lru_cache(maxsize=1)
def _chapter_sections() -> dict[str, int]:
    df = _chapters()
    return dict(zip(df["code"], df["section"], strict=True))


def chapter_to_section(chapter: str) -> int:
    """The section number (1–21) of an HS chapter (``'87'``; ``'7'`` or ``7`` is read as ``'07'``).

    Raises ReferenceDataError for anything that is not a chapter 01–97 (98 and 99 included).

    >>> chapter_to_section("87"), chapter_to_section("01"), chapter_to_section("97")
    (17, 1, 21)
    """
    code = str(chapter).strip().zfill(2)
    section = _chapter_sections().get(code)
    if section is None:
        raise ReferenceDataError(
            "unknown HS chapter", found=str(chapter), expected="a two-digit chapter from 01 to 97"
        )
    return section


def normalize_hs6(code: str) -> str:
    """A six-digit HS code as a string: surrounding spaces removed, leading zeros restored.

    Five-digit inputs (``'10121'``, a code whose leading zero was lost to a numeric column) become
    ``'010121'``. Raises ReferenceDataError for anything else that is not six digits, and for
    chapter ``00``.

    >>> normalize_hs6(" 870120 "), normalize_hs6("10121"), normalize_hs6(10121)
    ('870120', '010121', '010121')
    """
    text = str(code).strip()
    digits = text.zfill(6)
    if not (text.isascii() and text.isdigit() and len(digits) == 6 and digits[:2] != "00"):
        raise ReferenceDataError(
            "not an HS6 code", found=str(code), expected="six digits such as 870120"
        )
    return digits


def hs_level(code: str, level: str) -> str:
    """Cut an HS code down to a level: ``'hs2'`` (chapter), ``'hs4'`` (heading) or ``'hs6'``.

    The code may be 2, 4 or 6 digits (or 1, 3, 5 digits with a lost leading zero) and must be at
    least as detailed as the level asked for.

    >>> hs_level("870120", "hs4"), hs_level("10121", "hs2"), hs_level("8701", "hs4")
    ('8701', '01', '8701')
    """
    if level not in _LEVEL_DIGITS:
        raise ReferenceDataError(
            "unknown product level", found=level, expected="one of " + ", ".join(LEVELS)
        )
    text = str(code).strip()
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 6):
        raise ReferenceDataError(
            "not an HS code", found=str(code), expected="2, 4 or 6 digits such as 8701"
        )
    if len(text) % 2:
        text = "0" + text
    want = _LEVEL_DIGITS[level]
    if len(text) < want or text[:2] == "00":
        raise ReferenceDataError(
            f"cannot take {level} of HS code", found=str(code), expected=f"at least {want} digits"
        )
    return text[:want]


def hs_edition(code: str) -> str:
    """Our edition name for a BACI revision, a Comtrade code or an edition name.

    >>> hs_edition("92"), hs_edition("H5"), hs_edition("hs22")
    ('HS92', 'HS17', 'HS22')
    """
    key = str(code).strip().upper()
    if key not in HS_EDITIONS:
        raise ReferenceDataError(
            "unknown HS edition", found=str(code), expected="HS92 … HS22, H0 … H6 or 92 … 22"
        )
    return HS_EDITIONS[key]
