"""Numbers as statistics offices write them (FORMATS.md 5.3 and 6).

:func:`parse_number` reads ``1 234,5`` (space, NBSP U+00A0 or U+202F thousands, decimal comma),
``1,234.5`` and ``1.234,5`` (both separators: the last one is the decimal mark), ``-12,5`` and
``−12,5`` (U+2212 minus), and returns an exact :class:`~decimal.Decimal`. Missing values
(empty, ``-``, ``–``, ``—``, ``…``, ``x``) give ``None``: missing is not zero. Anything else
raises :class:`ValueError` with a one-line reason.

A single comma is a decimal comma (the Russian convention) unless ``decimal="."`` is given:
``1,234`` is 1.234 by default and 1234 with ``decimal="."``.

>>> parse_number("1\u00a0234,5"), parse_number("1,234.5"), parse_number("-"), parse_number("−7")
(Decimal('1234.5'), Decimal('1234.5'), None, Decimal('-7'))
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

#: Cell texts that mean "no value" (nil, confidential, not applicable).
MISSING = frozenset(["", "-", "–", "—", "−", "…", "...", "..", "x", "х", "X", "Х", "n/a", "N/A"])

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
_DIGITS = re.compile(r"^\d+(\.\d+)?$")


def parse_number(value: Any, *, decimal: str = ",") -> Decimal | None:
    """An exact Decimal, ``None`` for a missing value, or ValueError (see the module doc)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"found {value!r}, expected a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"found {value!r}, expected a number")
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise ValueError(f"found {value!r}, expected a number")
    text = value.strip()
    if text in MISSING:
        return None
    body = _SPACES.sub("", text)
    sign = ""
    if body[:1] in ("-", "−", "–"):
        sign, body = "-", body[1:]
    elif body[:1] == "+":
        body = body[1:]
    if "," in body and "." in body:
        dec = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if dec == "," else ","
        body = body.replace(thousands, "").replace(dec, ".")
    elif "," in body:
        if body.count(",") > 1 or decimal == ".":
            body = body.replace(",", "")
        else:
            body = body.replace(",", ".")
    elif body.count(".") > 1:
        body = body.replace(".", "")
    if not _DIGITS.match(body):
        raise ValueError(f"found {text!r}, expected a number such as 1 234,5")
    try:
        return Decimal(sign + body)
    except InvalidOperation as exc:  # pragma: no cover - the regex rules this out
        raise ValueError(f"found {text!r}, expected a number") from exc


#: Units accepted in mappings -> multiplier to US dollars.
UNITS = {
    "usd": Decimal(1),
    "thousand_usd": Decimal(1000),
    "million_usd": Decimal(1_000_000),
}

__all__ = ["MISSING", "UNITS", "parse_number"]
