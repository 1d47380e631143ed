"""Products: Harmonized System (HS) editions, levels, sections and chapters.

Codes are strings of digits with leading zeros kept (``"010121"``); levels are ``hs2`` (chapter),
``hs4`` (heading) and ``hs6`` (subheading). Section and chapter labels in ``reference/data``
(``hs_sections.csv``: ``roman,number,first_chapter,last_chapter,label_en,label_ru``;
``hs_chapters.csv``: ``code,section,label_en,label_ru``) are this project's own short labels,
not the official WCO texts. Chapter 77 is reserved in the HS and has no codes; chapters 98 and
99 (national use) are not HS chapters and are not listed, although Comtrade and BACI data carry
``999999`` "commodities not specified according to kind" (e.g. BACI HS17 V202201):
:func:`chapter_to_section` raises for them, so callers must handle chapter 99 explicitly.

Names (docs/products.md): :func:`product_name` gives short display names in English and Russian
(``hs_names/hs4_*.csv``: ``code,en,ru``, written for this project), falling back to the official
HS 2022 English descriptions (``harmonized-system.csv``, from the ``datasets/harmonized-system``
data package, UN Comtrade code lists, ODC-PDDL-1.0); :func:`load_russian_names` reads a user's
TN VED EAEU file that overrides the Russian names; :func:`search_products` finds codes by words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol, cast

import pandas as pd

from silkroad.errors import InputError, ReferenceDataError

__all__ = [
    "HS_EDITIONS",
    "HS_EDITION_YEARS",
    "LEVELS",
    "RESERVED_CHAPTERS",
    "TOTAL",
    "UNSPECIFIED_CODES",
    "chapter_to_section",
    "chapters",
    "concordance_to_hs22",
    "hs_edition",
    "hs_level",
    "normalize_hs6",
    "product_name",
    "product_names",
    "residual_name",
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


# --- names ---------------------------------------------------------------------------------

TOTAL = "TOTAL"
"""The code of all products together (Comtrade's ``cmdCode=TOTAL``)."""

UNSPECIFIED_CODES = frozenset({"99", "9999", "999999"})
"""Comtrade/BACI codes of "commodities not specified according to kind" (outside the HS proper)."""

_TOTAL_NAMES = {"en": "All products", "ru": "Все товары"}
_UNSPECIFIED_NAMES = {
    "en": "Commodities not specified according to kind",
    "ru": "Товары, не классифицированные по видам",
}
_RESIDUAL_TOTAL = {"en": "Not broken down by product", "ru": "Без разбивки по товарам"}
_RESIDUAL_WORDS = {
    "hs4": {"en": "not broken down to headings", "ru": "без разбивки по товарным позициям"},
    "hs6": {"en": "not broken down to subheadings", "ru": "без разбивки по субпозициям"},
}
_LANGS = ("en", "ru")
_HS_COLUMNS = ["section", "hscode", "description", "parent", "level"]
_NAME_COLUMNS = ["code", "en", "ru"]
_EDITION_WORDS = {"en": "HS {year} code {code}", "ru": "код ГС {year} {code}"}


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise InputError("unknown language", field="lang", found=lang, expected="en or ru")
    return lang


def _open_data(*parts: str) -> io.TextIOWrapper:
    ref = resources.files("silkroad.reference").joinpath("data", *parts)
    return io.TextIOWrapper(ref.open("rb"), encoding="utf-8", newline="")


@lru_cache(maxsize=1)
def _nomenclature() -> dict[str, tuple[str, str]]:
    """HS 2022 code → (official English description, parent code), from harmonized-system.csv."""
    name = "harmonized-system.csv"
    out: dict[str, tuple[str, str]] = {}
    with _open_data(name) as f:
        reader = csv.reader(f)
        header = next(reader, [])
        if header != _HS_COLUMNS:
            raise ReferenceDataError(
                "bad header", path=name, found=",".join(header), expected=",".join(_HS_COLUMNS)
            )
        for line, row in enumerate(reader, start=2):
            if len(row) != len(_HS_COLUMNS) or not row[2].strip():
                raise ReferenceDataError("bad row", path=name, line=line, found=",".join(row))
            out[row[1]] = (row[2].strip(), row[3])
    return out


def _name_files() -> list[str]:
    folder = resources.files("silkroad.reference").joinpath("data", "hs_names")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv"))


@lru_cache(maxsize=1)
def _short_names() -> dict[str, tuple[str, str]]:
    """Code → (short English name, short Russian name): chapters and every heading shipped."""
    out = {
        code: (en, ru)
        for code, en, ru in zip(
            _chapters()["code"], _chapters()["label_en"], _chapters()["label_ru"], strict=True
        )
    }
    hs = _nomenclature()
    seen: dict[str, str] = {}
    for file in _name_files():
        where = f"hs_names/{file}"
        with _open_data("hs_names", file) as f:
            reader = csv.reader(f)
            header = next(reader, [])
            if header != _NAME_COLUMNS:
                raise ReferenceDataError(
                    "bad header", path=where, found=",".join(header), expected="code,en,ru"
                )
            for line, row in enumerate(reader, start=2):
                if len(row) != 3:
                    raise ReferenceDataError(
                        "wrong number of fields",
                        path=where,
                        line=line,
                        found=len(row),
                        expected="3",
                    )
                code, en, ru = (cell.strip() for cell in row)
                if len(code) != 4 or code not in hs:
                    raise ReferenceDataError(
                        "not an HS 2022 heading",
                        path=where,
                        line=line,
                        field="code",
                        found=code,
                        expected="a 4-digit heading such as 8701",
                    )
                if code in seen:
                    raise ReferenceDataError(
                        f"heading named twice (also in {seen[code]})",
                        path=where,
                        line=line,
                        field="code",
                        found=code,
                    )
                for fld, text in (("en", en), ("ru", ru)):
                    if not text:
                        raise ReferenceDataError(
                            "empty name", path=where, line=line, field=fld, expected="a name"
                        )
                seen[code] = where
                out[code] = (en, ru)
    return out


@lru_cache(maxsize=1)
def _subheading_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for code, (_, parent) in _nomenclature().items():
        if len(code) == 6 and code.isdigit():
            counts[parent] = counts.get(parent, 0) + 1
    return counts


def _parse_code(code: object, classification: str) -> tuple[str, str]:
    """(code with leading zeros restored or 'TOTAL', edition) from '8701', 'HS92:870120', ..."""
    text = str(code).strip()
    edition = hs_edition(classification)
    if ":" in text:
        prefix, _, text = text.partition(":")
        edition = hs_edition(prefix)
        text = text.strip()
    if text.upper() == TOTAL:
        return TOTAL, edition
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 6):
        raise ReferenceDataError(
            "not an HS code", found=str(code), expected="2, 4 or 6 digits such as 8701, or TOTAL"
        )
    if len(text) % 2:
        text = "0" + text
    if text[:2] == "00":
        raise ReferenceDataError("not an HS code", found=str(code), expected="chapters 01 to 99")
    return text, edition


def _detail(description: str) -> str:
    """The part of an official subheading text after the heading's words ('Tractors; ...')."""
    _head, sep, rest = description.partition(";")
    return rest.strip() if sep and rest.strip() else description


def _hs22_name(code: str, lang: str, short: bool, ru_names: Mapping[str, str] | None) -> str | None:
    """The name of an HS 2022 code, or None when the code is not in HS 2022."""
    if code == TOTAL:
        return _TOTAL_NAMES[lang]
    if code in UNSPECIFIED_CODES:
        return _UNSPECIFIED_NAMES[lang]
    hs = _nomenclature()
    if code not in hs and code not in _short_names():
        return None
    if lang == "ru" and ru_names and code in ru_names:
        return ru_names[code]
    official = hs[code][0] if code in hs else _short_names()[code][0]
    if len(code) == 6:
        heading = _hs22_name(code[:4], lang, True, ru_names) or ""
        if lang == "ru":
            return heading
        if not short:
            return official
        if _subheading_counts().get(code[:4], 0) <= 1:
            return heading
        return f"{heading}: {_detail(official)}"
    names = _short_names().get(code)
    if lang == "en":
        return names[0] if short and names else official
    if names:
        return names[1]
    # A heading without a Russian short name: its chapter's Russian name and the code.
    return f"{_short_names()[code[:2]][1]}: товарная позиция {code}"


def _unknown_name(code: str, edition: str, lang: str, ru_names: Mapping[str, str] | None) -> str:
    """A literal name for a code HS 2022 lacks: the nearest known parent's name and the code.

    Only the chapter is trusted for earlier editions (a heading code may have been reused, as
    HS92 8524 "recorded media" became HS22 8524 "flat panel display modules").
    """
    year = ("19" if edition in ("HS92", "HS96") else "20") + edition[2:]
    words = _EDITION_WORDS[lang].format(year=year, code=code)
    parents = (code[:4], code[:2]) if edition == "HS22" else (code[:2],)
    for parent in parents:
        if parent != code:
            name = _hs22_name(parent, lang, True, ru_names)
            if name is not None:
                return f"{name} ({words})"
    return words[0].upper() + words[1:]


class _PairTable(Protocol):
    """What a correlation table offers (analytics.editions.CorrelationTable): newer → older."""

    source: str
    target: str
    pairs: pd.DataFrame


ConcordanceArg = _PairTable | Sequence[_PairTable] | Mapping[str, Iterable[str]]
"""A correlation table, a chain of them (HS22→HS17, HS17→HS92), or a mapping old HS6 → HS22 HS6."""


def concordance_to_hs22(concordance: ConcordanceArg, edition: str) -> dict[str, frozenset[str]]:
    """Each HS6 code of ``edition`` → the HS 2022 subheadings it corresponds to.

    ``concordance``: correlation tables (objects with ``source``, ``target`` and ``pairs`` with
    ``source_code``/``target_code``, as :func:`silkroad.analytics.editions.load_correlation`
    returns), chained from HS 2022 down to ``edition``; or a ready mapping, returned as it is.
    Raises InputError when the tables do not lead from HS 2022 to ``edition``.

    >>> class T:  # a stand-in for a CorrelationTable
    ...     source, target = "HS22", "HS17"
    ...     pairs = pd.DataFrame({"source_code": ["870121", "870122"],
    ...                           "target_code": ["870120", "870120"]})
    >>> sorted(concordance_to_hs22(T(), "HS17")["870120"])
    ['870121', '870122']
    """
    edition = hs_edition(edition)
    if isinstance(concordance, Mapping):
        return {str(k): frozenset(map(str, v)) for k, v in concordance.items()}
    tables: list[_PairTable] = (
        [cast(_PairTable, concordance)] if hasattr(concordance, "pairs") else list(concordance)
    )
    by_target = {hs_edition(t.target): t for t in tables}
    mapping: dict[str, frozenset[str]] | None = None
    current = edition
    while current != "HS22":
        table = by_target.get(current)
        if table is None:
            raise InputError(
                f"the correlation tables do not lead from HS22 to {edition}",
                field="concordance",
                found=", ".join(f"{t.source}→{t.target}" for t in tables) or "no table",
                expected=f"a chain of tables from HS22 down to {edition}",
            )
        step: dict[str, set[str]] = {}
        for src, tgt in zip(table.pairs["source_code"], table.pairs["target_code"], strict=True):
            step.setdefault(str(tgt), set()).add(str(src))
        if mapping is None:
            mapping = {k: frozenset(v) for k, v in step.items()}
        else:
            mapping = {
                k: frozenset(c for mid in v for c in step.get(mid, ())) for k, v in mapping.items()
            }
        current = hs_edition(table.source)
    return mapping or {}


def _with_headings(mapping: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """The HS6 mapping plus each old heading → the HS 2022 codes of all its subheadings."""
    out = dict(mapping)
    by_heading: dict[str, set[str]] = {}
    for old, new in mapping.items():
        if len(old) == 6:
            by_heading.setdefault(old[:4], set()).update(new)
    for heading, codes in by_heading.items():
        out.setdefault(heading, frozenset(codes))
    return out


def _edition_name(
    code: str,
    edition: str,
    lang: str,
    short: bool,
    mapping: Mapping[str, frozenset[str]] | None,
    ru_names: Mapping[str, str] | None,
) -> str:
    """The name of a code of an earlier edition, through the concordance when one is given."""
    if len(code) > 2 and code not in UNSPECIFIED_CODES and mapping:
        targets = sorted(mapping.get(code, ()))
        if targets:
            if len(code) == 6 and len(targets) == 1:
                return _hs22_name(targets[0], lang, short, ru_names) or targets[0]
            headings = sorted({t[:4] for t in targets})
            names = [_hs22_name(h, lang, True, ru_names) or h for h in headings]
            if len(names) > 3:
                names = [*names[:3], "…"]
            return " / ".join(dict.fromkeys(names))
    # Without a concordance the code is named as in HS 2022 when it exists there: chapters, and
    # most headings, kept their scope; a code that changed meaning needs the concordance.
    found = _hs22_name(code, lang, short, ru_names) if code in _nomenclature() else None
    return found if found is not None else _unknown_name(code, edition, lang, ru_names)


def product_names(
    codes: Iterable[object],
    lang: str = "en",
    *,
    classification: str = "HS22",
    short: bool = True,
    concordance: ConcordanceArg | None = None,
    ru_names: Mapping[str, str] | None = None,
) -> list[str]:
    """Names of many product codes at once (see :func:`product_name`); the concordance is read once.

    >>> product_names(["8701", "2710", "TOTAL"])
    ['Tractors', 'Refined petroleum', 'All products']
    """
    _check_lang(lang)
    if ru_names is None and lang == "ru":
        ru_names = _configured_ru_names()
    mappings: dict[str, dict[str, frozenset[str]]] = {}
    out = []
    for raw in codes:
        code, edition = _parse_code(raw, classification)
        if edition == "HS22" or code == TOTAL:
            name = _hs22_name(code, lang, short, ru_names)
            out.append(name if name is not None else _unknown_name(code, edition, lang, ru_names))
            continue
        if concordance is not None and edition not in mappings:
            mappings[edition] = _with_headings(concordance_to_hs22(concordance, edition))
        out.append(_edition_name(code, edition, lang, short, mappings.get(edition), ru_names))
    return out


def _configured_ru_names() -> Mapping[str, str] | None:
    """The user's TN VED EAEU names file of the ``ru_names`` setting (``SILKROAD_RU_NAMES``),
    read once per path; None when the setting is empty. It overrides the Russian names in every
    output (tables, briefs, charts, JSON labels)."""
    from silkroad import settings

    path = settings.raw("ru_names")
    return _ru_names_file(path) if path else None


@lru_cache(maxsize=4)
def _ru_names_file(path: str) -> Mapping[str, str]:
    from silkroad.reference.product_lookup import load_russian_names

    return load_russian_names(path)


def product_name(
    code: object,
    lang: str = "en",
    *,
    classification: str = "HS22",
    short: bool = True,
    concordance: ConcordanceArg | None = None,
    ru_names: Mapping[str, str] | None = None,
) -> str:
    """The display name of a chapter, heading or subheading in English or Russian.

    ``code``: ``'87'``, ``'8701'``, ``'870120'`` (a lost leading zero is restored), ``'TOTAL'``,
    or with its edition, ``'HS92:870190'``. ``short=True`` gives the short name ("Tractors");
    ``short=False`` the official English description (Russian: the short name, or the TN VED
    name from ``ru_names``). Subheadings get their heading's short name and, in English, the
    official subheading text ("Tractors: track-laying"). Codes of earlier editions
    (``classification='HS17'``) are named through ``concordance`` (correlation tables down from
    HS22), else as the same code in HS 2022. ``ru_names`` (:func:`load_russian_names`)
    overrides the Russian names. Details in docs/products.md.

    >>> product_name("8701"), product_name("8701", "ru"), product_name("870130")
    ('Tractors', 'Тракторы', 'Tractors: track-laying')
    """
    return product_names(
        [code],
        lang,
        classification=classification,
        short=short,
        concordance=concordance,
        ru_names=ru_names,
    )[0]


def residual_name(code: str, level: str, lang: str = "en", **kwargs: Any) -> str:
    """The name of trade kept under a code coarser than ``level``: what its detail leaves out.

    ``'TOTAL'`` is trade not broken down by product; a chapter beside its headings is that
    chapter "not broken down to headings". Keyword arguments go to :func:`product_name`.

    >>> residual_name("TOTAL", "hs4"), residual_name("87", "hs4", "ru")
    ('Not broken down by product', 'Транспортные средства, кроме железнодорожных, без разбивки по товарным позициям')
    """
    _check_lang(lang)
    if level not in _LEVEL_DIGITS:
        raise ReferenceDataError(
            "unknown product level", found=level, expected="one of " + ", ".join(LEVELS)
        )
    if str(code).strip().upper() == TOTAL:
        return _RESIDUAL_TOTAL[lang]
    name = product_name(code, lang, **kwargs)
    words = _RESIDUAL_WORDS.get(level)
    if words is None or len(str(code).strip()) >= _LEVEL_DIGITS[level]:
        return name
    return f"{name}, {words[lang]}"
