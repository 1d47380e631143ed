"""Looking products up: the user's official Russian nomenclature (TN VED EAEU) and searches by
words in English or Russian over the names of :mod:`silkroad.reference.products`."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from silkroad.errors import InputError
from silkroad.reference.products import (
    _TOTAL_NAMES,
    TOTAL,
    _check_lang,
    _hs22_name,
    _nomenclature,
)

# --- the official Russian nomenclature (TN VED EAEU), supplied by the user ------------------

_RU_CODE_HEADERS = {"code", "код", "код тн вэд", "код тн вэд еаэс", "tn ved", "hs"}
_RU_NAME_HEADERS = {"name", "name_ru", "наименование", "наименование товара", "description"}
_RU_CODE_LENGTHS = (2, 4, 6, 8, 10)


def load_russian_names(path: str | Path) -> dict[str, str]:
    """Read the official Russian nomenclature (TN VED EAEU) from a CSV file: code → name.

    The file has a header row with a code column (``code`` or ``код``) and a name column
    (``name`` or ``наименование``); comma, semicolon or tab separated, UTF-8 (with or without
    BOM) or cp1251. Codes may hold spaces or dots (``8701 20 101 0``); 2, 4, 6, 8 or 10 digits, one
    lost leading zero restored (``101210000`` → ``0101210000``). Leading dashes of the printed
    nomenclature (``– – прочие``) are removed. Chapters, headings and subheadings (2, 4 and 6
    digits) override the Russian names of :func:`product_name` (pass the result as
    ``ru_names``); longer codes are kept but not used for HS names. Raises InputError naming the
    file, line and field for anything else.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(
            "cannot read the Russian nomenclature file", path=p, found=str(exc)
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")
    lines = text.splitlines()
    if not lines:
        raise InputError("the file is empty", path=p, expected="a header row: code,name")
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(lines, dialect)
    header = [cell.strip().casefold() for cell in next(rows)]
    code_col = next((i for i, h in enumerate(header) if h in _RU_CODE_HEADERS), None)
    name_col = next((i for i, h in enumerate(header) if h in _RU_NAME_HEADERS), None)
    if code_col is None or name_col is None:
        raise InputError(
            "no code and name columns in the header",
            path=p,
            line=1,
            found=",".join(header),
            expected="a header with 'code' (or 'код') and 'name' (or 'наименование')",
        )
    names: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_col, name_col):
            raise InputError(
                "missing field",
                path=p,
                line=line,
                field=header[name_col],
                found=row,
                expected="a name",
            )
        raw_code = row[code_col].strip()
        code = "".join(ch for ch in raw_code if ch not in " .\u00a0'")
        if len(code) % 2:
            code = "0" + code
        if not (code.isascii() and code.isdigit() and len(code) in _RU_CODE_LENGTHS):
            raise InputError(
                "bad TN VED code",
                path=p,
                line=line,
                field=header[code_col],
                found=raw_code,
                expected="2, 4, 6, 8 or 10 digits such as 8701 or 8701201010",
            )
        name = row[name_col].strip().lstrip("-–— ").strip()
        if not name:
            raise InputError(
                "empty name", path=p, line=line, field=header[name_col], expected="a Russian name"
            )
        if code in names and names[code] != name:
            raise InputError(
                f"code named twice (first on line {first_line[code]})",
                path=p,
                line=line,
                field=header[code_col],
                found=raw_code,
            )
        names[code] = name
        first_line.setdefault(code, line)
    if not names:
        raise InputError("the file has no codes", path=p, expected="rows of code,name")
    return names


# --- search --------------------------------------------------------------------------------


class ProductMatch(NamedTuple):
    """One product found by :func:`search_products`."""

    code: str
    level: str
    name_en: str
    name_ru: str


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    """A crude stem so that 'tractors' finds 'tractor' and 'трактор' finds 'тракторы'."""
    return word if len(word) <= 4 else word[: max(4, len(word) - 2)]


def _matches(query: list[str], words: list[str]) -> bool:
    return all(any(w.startswith(_stem(q)) for w in words) for q in query)


_NO_MATCH = 7


def _tier(query: list[str], words: list[str]) -> int:
    """How well a name matches (0 best): the whole name, then its first word, then any word;
    a word equal to the query's first word beats a near form ('milk'/'milking'), which beats
    a word that only starts with its stem."""
    if not _matches(query, words):
        return _NO_MATCH
    if words == query:
        return 0
    first = query[0]

    def near(word: str) -> bool:
        return word.startswith(_stem(first)) and abs(len(word) - len(first)) <= 2

    if words[0] == first:
        return 1
    if near(words[0]):
        return 2
    if first in words:
        return 3
    if any(near(w) for w in words):
        return 4
    return 5


class _Entry(NamedTuple):
    code: str
    level: str
    en: str
    ru: str
    en_words: list[str]  # of the short name (for a subheading: of its heading part)
    ru_words: list[str]
    description_words: list[str]


@lru_cache(maxsize=1)
def _search_index() -> list[_Entry]:
    """Every HS 2022 code with its short names and their words, chapters first, then by code."""
    out = []
    for code, (description, _) in _nomenclature().items():
        if not code.isdigit():
            continue
        en = _hs22_name(code, "en", True, None) or description
        ru = _hs22_name(code, "ru", True, None) or en
        heading_part = en.split(":")[0] if len(code) == 6 else en
        out.append(
            _Entry(
                code,
                f"hs{len(code)}",
                en,
                ru,
                _words(heading_part),
                _words(ru),
                _words(description),
            )
        )
    return sorted(out, key=lambda e: (len(e.code), e.code))


def search_products(
    text: str,
    lang: str | None = None,
    *,
    limit: int | None = 25,
    ru_names: Mapping[str, str] | None = None,
) -> list[ProductMatch]:
    """HS 2022 chapters, headings and subheadings whose code or names match ``text``.

    Digits find codes that start with them (``'8701'``: the heading and its subheadings). Words
    find names in English, Russian or both (``lang=None``): every word must start a word of the
    name (endings are loosely ignored: 'трактор' finds «Тракторы»). Ranked: chapters and headings
    before subheadings; then the short name equal to the text, then names whose first word is
    the text's first word (or a near form), then names holding it elsewhere, then official
    descriptions only; then chapters before headings, then by code. ``limit=None`` returns all. ``ru_names`` (:func:`load_russian_names`) are searched as Russian names too.

    >>> [m.code for m in search_products("tractors")][:2]
    ['8701', '8709']
    >>> search_products("Нефтепродукты")[0].code
    '2710'
    """
    if lang is not None:
        _check_lang(lang)
    query_text = str(text).strip()
    digits = query_text.replace(" ", "").replace(".", "")
    if query_text.upper() == TOTAL:
        return [ProductMatch(TOTAL, "total", _TOTAL_NAMES["en"], _TOTAL_NAMES["ru"])]
    ranked: list[tuple[tuple[bool, int, int, str], ProductMatch]] = []
    query = _words(query_text)
    if not query:
        return []
    for e in _search_index():
        ru, ru_words = e.ru, e.ru_words
        if ru_names and e.code in ru_names:
            ru = ru_names[e.code]
            ru_words = _words(ru)
        if digits.isdigit():
            if not e.code.startswith(digits):
                continue
            tier = 0
        else:
            tier = _NO_MATCH
            if lang in (None, "en"):
                tier = _tier(query, e.en_words)
            if lang in (None, "ru"):
                tier = min(tier, _tier(query, ru_words))
            if tier == _NO_MATCH and lang in (None, "en") and _matches(query, e.description_words):
                tier = _NO_MATCH - 1
            if tier == _NO_MATCH:
                continue
        key = (e.level == "hs6", tier, len(e.code), e.code)
        ranked.append((key, ProductMatch(e.code, e.level, e.en, ru)))
    ranked.sort(key=lambda item: item[0])
    found = [match for _, match in ranked]
    return found if limit is None else found[:limit]
