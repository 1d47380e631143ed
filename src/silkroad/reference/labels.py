"""Names of product groups as analyses show them, by (code, level, language).

Analyses return codes (an HS chapter ``87``, heading ``8701``, section ``XVII``, a basket id, or
the special codes below); the words for them, in English and Russian, live here and nowhere else.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from silkroad.errors import InputError
from silkroad.reference.baskets import OTHER
from silkroad.reference.products import chapters, product_name, residual_name, sections

if TYPE_CHECKING:
    from silkroad.reference.baskets import BasketSet

LANGS = ("en", "ru")
#: A declared total larger than its product detail keeps the difference under the code 'TOTAL'
#: (sources/aggregates.py): trade the declarant did not break down by product.
UNALLOCATED = "TOTAL"
#: The section of chapters 98-99, which stand outside the HS sections.
NO_SECTION = "NS"

_DIGITS = {"hs2": 2, "hs4": 4, "hs6": 6}
#: Chapters outside the HS proper that BACI and Comtrade data carry (FORMATS.md 3.2).
_SPECIAL_CHAPTERS = {
    "98": ("Special uses (national codes)", "Специальные (национальные) позиции"),
    "99": ("Commodities not specified according to kind", "Товары, не указанные по видам"),
}
_FIXED = {
    OTHER: ("Other products", "Прочие товары"),
    UNALLOCATED: ("Not broken down by product", "Без разбивки по товарам"),
}
_NO_SECTION_LABELS = ("Outside the HS sections (chapters 98-99)", "Вне разделов ГС (группы 98-99)")
_DETAIL_WORDS = {"hs4": ("heading", "товарная позиция"), "hs6": ("subheading", "субпозиция")}


@lru_cache(maxsize=1)
def _chapter_labels() -> dict[str, tuple[str, str]]:
    ch = chapters()
    return dict(zip(ch.code, zip(ch.label_en, ch.label_ru, strict=True), strict=True))


@lru_cache(maxsize=1)
def _section_labels() -> dict[str, tuple[str, str]]:
    sec = sections()
    return dict(zip(sec.roman, zip(sec.label_en, sec.label_ru, strict=True), strict=True))


def _pick(pair: tuple[str, str], lang: str) -> str:
    if lang not in LANGS:
        raise InputError("unknown language", field="lang", found=lang, expected="en or ru")
    return pair[LANGS.index(lang)]


def group_label(
    code: str, level: str | BasketSet, lang: str = "en", *, classification: str = "HS22"
) -> str:
    """The name of group ``code`` at ``level`` ('hs2', 'hs4', 'hs6', 'section' or a basket set).

    HS codes get their short display names (:func:`~silkroad.reference.products.product_name`);
    a code coarser than its level (a chapter beside its headings) is named as the part its
    detail leaves out. ``classification`` is the HS edition of the codes ('HS92' … 'HS22').

    >>> group_label("87", "hs2"), group_label("8701", "hs4"), group_label("TOTAL", "hs4", "ru")
    ('Vehicles other than railway', 'Tractors', 'Без разбивки по товарам')
    """
    if code in _FIXED:
        return _pick(_FIXED[code], lang)
    if not isinstance(level, str):
        b = level.get(code)
        return _pick((b.name_en, b.name_ru), lang)
    if level == "section":
        return _pick(_section_labels().get(code, _NO_SECTION_LABELS), lang)
    special = _SPECIAL_CHAPTERS.get(code[:2])
    if special is not None:
        en, ru = special
        if level in _DETAIL_WORDS and len(code) >= _DIGITS[level]:
            word_en, word_ru = _DETAIL_WORDS[level]
            return _pick((f"{en}: {word_en} {code}", f"{ru}: {word_ru} {code}"), lang)
        return _pick((en, ru), lang)
    if level in _DIGITS and len(code) < _DIGITS[level]:
        return residual_name(code, level, lang, classification=_edition(classification))
    return product_name(code, lang, classification=_edition(classification))


def _edition(classification: str) -> str:
    """An HS edition name for the name lookup ('HS92'); anything else reads as HS 2022."""
    c = str(classification or "").upper()
    return c if c.startswith("HS") and c[2:].isdigit() else "HS22"


def chapter_label(product: str, lang: str = "en") -> str:
    """The name of a product's HS chapter ('' for a code outside the chapters), or of the
    special code 'TOTAL' (trade not broken down by product)."""
    if product in _FIXED:
        return _pick(_FIXED[product], lang)
    pair = _chapter_labels().get(str(product)[:2])
    return _pick(pair, lang) if pair else ""
