"""Product names as a brief shows them: short names in the brief's language, never a bare code.

Analyses label headings and subheadings by their chapter ("Vehicles: heading 8701"); a brief
names them instead with :func:`silkroad.reference.products.product_name` ("Tractors",
"Тракторы"). Trade kept under a coarser code (a chapter beside its headings, ``TOTAL``) is named
by :func:`~silkroad.reference.products.residual_name` ("Not broken down by product"); sections
and baskets keep the names the analysis gave them (basket ids never reach a brief).
"""

from __future__ import annotations

from typing import Any

from silkroad.errors import SilkroadError
from silkroad.reference.products import TOTAL, hs_edition, product_name, residual_name

#: Digits of the codes at each HS level.
DIGITS = {"hs2": 2, "hs4": 4, "hs6": 6}
#: Codes that are not products (the 'other' row of a structure table).
NOT_PRODUCTS = {"other"}


def edition(metadata: dict[str, Any]) -> str:
    """The HS edition of the brief's codes ('HS92' …), 'HS22' when the metadata does not say."""
    raw = metadata.get("classification")
    conversion = metadata.get("conversion") or {}
    raw = conversion.get("to") or raw
    try:
        return hs_edition(str(raw)) if raw else "HS22"
    except SilkroadError:
        return "HS22"


def group_name(code: str, level: str, lang: str, fallback: str, classification: str) -> str:
    """The name of a structure group ``code`` at ``level`` (hs2/hs4/hs6; else ``fallback``)."""
    code = str(code)
    if level not in DIGITS or code in NOT_PRODUCTS:
        return fallback
    if code.upper() == TOTAL or len(code) < DIGITS[level]:
        return residual_name(code, level, lang, classification=classification)
    return product_name(code, lang, classification=classification)


def hs6_name(code: str, lang: str, classification: str) -> str:
    """The name of an HS6 product of the movers tables (or of trade not broken down)."""
    code = str(code)
    if code.upper() == TOTAL:
        return residual_name(code, "hs6", lang)
    return product_name(code, lang, classification=classification)


def is_code(code: str) -> bool:
    """Whether ``code`` is an HS code people may read (digits), not a basket id or 'TOTAL'."""
    return str(code).isdigit()


def short_hs6_name(code: str, lang: str, classification: str) -> str:
    """An HS6 product in a sentence: its heading's short name ("Refined petroleum"), not the
    whole official subheading text; the code is given beside it."""
    code = str(code)
    if code.isdigit() and len(code) == 6:
        return product_name(code[:4], lang, classification=classification)
    return hs6_name(code, lang, classification)
