"""Periods in the headers of national statistics tables: months, year to date, quarters, years.

Statistics offices head the columns of a table wide by months with one month (``январь``,
``Jan``, ``01``), a run of months from January (``январь–март``, ``9 месяцев``,
``I полугодие``: year to date, as cumulative tables print them), a quarter (``II квартал``,
``Q2``), or the year's total (``Итого за год``, ``Год``, ``январь–декабрь``). :func:`period_span`
says which months a header covers; :mod:`silkroad.sources.table` decides what is loaded.

>>> period_span("январь–март"), period_span("март")
(Span(first=1, last=3, total=False, part=''), Span(first=3, last=3, total=False, part=''))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkroad.sources.numbers import parse_number

_RU_MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
#: 'январь–март' is usually written so, but 'с января по март', 'января-марта' also occur.
_RU_GENITIVE = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]

#: Month names (Russian, also in the genitive, and English) and their 3-letter abbreviations.
MONTHS = {
    **{n: i + 1 for names in (_RU_MONTHS, _RU_GENITIVE, _EN_MONTHS) for i, n in enumerate(names)},
    **{n[:3]: i + 1 for names in (_RU_MONTHS, _EN_MONTHS) for i, n in enumerate(names)},
}

#: Every prefix of at least 3 letters of a month name ('сент', 'sept', 'дек') -> its month.
_MONTH_PREFIXES = {
    n[:j]: i + 1
    for names in (_RU_MONTHS, _RU_GENITIVE, _EN_MONTHS)
    for i, n in enumerate(names)
    for j in range(3, len(n) + 1)
}

#: Headers of a year-total column in a table wide by months (after the year and 'г.' are
#: taken out: 'Итого за 2023 год' -> 'итого за год').
PERIOD_TOTAL_WORDS = frozenset(
    [
        "год",
        "за год",
        "итого",
        "всего",
        "итого за год",
        "всего за год",
        "в целом за год",
        "итого за период",
        "всего за период",
        "total",
        "year",
        "annual",
        "year total",
        "total year",
        "annual total",
    ]
)

_DASH = re.compile(r"\s*[-–—‑−]\s*")
_QUARTER = re.compile(
    r"(i{1,3}|iv|[1-4])(?:-?(?:й|ый|ой))?\s*(?:квартал|кв)\.?"
    r"|q\s*([1-4])|([1-4])\s*q|quarter\s*([1-4])|([1-4])(?:st|nd|rd|th)?\s+quarter"
)
_HALF = re.compile(r"(i|ii|1|2)(?:-?(?:е|ое))?\s*полугодие|h\s*([12])|([12])(?:st|nd)?\s+half")
_N_MONTHS = re.compile(r"(?:за\s+)?(\d{1,2})\s*(?:месяц\w*|мес\.?|months?)")
_FROM_TO = re.compile(r"с\s+(\S+)\s+по\s+(\S+)")
_YEAR_WORD = re.compile(r"(?<!\w)(?:гг|г|года)(?!\w)\.?")
_FOOTNOTE = re.compile(r"(\s*(\d\)|\*+|¹|²|³))+$")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Span:
    """The months a column of a table wide by months covers: ``Span(3, 3)`` is March,
    ``Span(1, 3)`` January to March (year to date, or the first quarter), ``total`` a column
    named as the year's total ('Итого за год', 'Год', 'Total')."""

    first: int
    last: int
    total: bool = False
    part: str = ""  # 'quarter' or 'half' when the header names one ('I квартал', '2 полугодие')

    def label(self) -> str:
        if self.total:
            return "the year's total"
        a, b = _EN_MONTHS[self.first - 1].title(), _EN_MONTHS[self.last - 1].title()
        if self.part:
            return f"a {self.part} ({a} to {b})"
        return a if self.first == self.last else f"{a} to {b}"


def _month_token(text: str) -> int | None:
    t = text.strip(" .,")
    if t.isdigit():
        return int(t) if 1 <= int(t) <= 12 else None
    return _MONTH_PREFIXES.get(t)


def period_span(text: str) -> Span | None:
    """The months a header covers, its year and flow words taken out beforehand.

    >>> period_span("март").label(), period_span("январь–март").label()
    ('March', 'January to March')
    >>> period_span("I квартал").label(), period_span("Итого за год").label()
    ('a quarter (January to March)', "the year's total")
    >>> period_span("Примечание") is None
    True
    """
    k = _FOOTNOTE.sub("", _key(text))
    k = " ".join(_YEAR_WORD.sub(" ", k).split()).strip(" .,:")
    if not k:
        return None
    if k in PERIOD_TOTAL_WORDS:
        return Span(1, 12, total=True)
    if q := _QUARTER.fullmatch(k):
        g = next(x for x in q.groups() if x)
        n = _ROMAN.get(g) or int(g)
        return Span(3 * n - 2, 3 * n, part="quarter")
    if h := _HALF.fullmatch(k):
        g = next(x for x in h.groups() if x)
        return Span(1, 6, part="half") if g in ("i", "1") else Span(7, 12, part="half")
    if nm := _N_MONTHS.fullmatch(k):
        last = int(nm.group(1))
        return Span(1, last) if 1 <= last <= 12 else None
    ft = _FROM_TO.fullmatch(k)
    parts = list(ft.groups()) if ft else _DASH.split(k)
    if len(parts) == 1:
        month = _month_token(parts[0])
        return Span(month, month) if month else None
    if len(parts) == 2:
        a, b = _month_token(parts[0]), _month_token(parts[1])
        if a and b and a < b:
            return Span(a, b)
    return None


class Rejected(Exception):
    """A value cell read and quarantined, with its code and reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class WideColumn:
    """A value column of a wide table: where, its header, year, flow, and (by months) span."""

    index: int
    header: str
    year: int | None
    flow: str | None
    span: Span | None = None


@dataclass(frozen=True)
class PeriodRule:
    """What becomes of a cell of a column that is not one month (tables wide by months)."""

    header: str
    span: Span
    code: str | None  # the quarantine code; None: a year-to-date column read as one month
    reason: str = ""
    previous: tuple[int, str] | None = None  # cumulative: the column of January..month - 1
    parts: tuple[tuple[int, str], ...] = ()  # period_total: the columns it should add up to

    def value(self, number: Decimal, values: list[Any], *, decimal: str = ",") -> Decimal:
        """The month's value of a year-to-date cell (this cell minus the one of the months
        before); raises :class:`Rejected` for a cell that is not one month."""
        if self.code == "period_total":
            raise Rejected("period_total", self._total_reason(number, values, decimal))
        if self.code is not None:
            raise Rejected(self.code, self.reason)
        assert self.previous is not None
        i, ph = self.previous
        raw = values[i] if i < len(values) else None
        try:
            prev = parse_number(raw, decimal=decimal)
        except ValueError:
            prev, state = None, f"not a number ({raw!r})"
        else:
            state = "missing"
        h, month = self.header, Span(self.span.last, self.span.last).label()
        if prev is None:
            raise Rejected(
                "cumulative_gap",
                f"{h!r} is year to date and the row's {ph!r} cell is {state}, so {month} "
                "cannot be separated; not loaded",
            )
        if number < prev:
            raise Rejected(
                "negative_value",
                f"{h!r} {number:f} is below {ph!r} {prev:f}: {month} would be "
                f"{number - prev:f} (a revision between the two columns?)",
            )
        return number - prev

    def _total_reason(self, number: Decimal, values: list[Any], decimal: str) -> str:
        head = f"{self.header!r} is the year's total"
        tail = "not loaded beside the months, so that each dollar counts once"
        if not self.parts:
            return f"{head} ({self.reason}, so it is not checked against them); {tail}"
        parts = [_number_at(values, i, decimal) for i, _ in self.parts]
        found = [p for p in parts if p is not None]
        if len(found) < len(parts):
            return (
                f"{head} (in this row {len(found)} of its {len(parts)} month cells hold a "
                f"number, so it is not checked against them); {tail}"
            )
        total = sum(found, Decimal(0))
        # Each printed number is rounded at its last digit: the total and the sum of n months
        # may differ by up to half a unit of the coarsest last digit per number.
        coarsest = max(int(d.as_tuple().exponent) for d in [*found, number])
        tolerance = Decimal(len(found) + 1) / 2 * Decimal(10) ** coarsest
        what = "the sum of the 12 months" if len(found) == 12 else repr(self.parts[0][1])
        if abs(total - number) <= tolerance:
            return f"{head}, equal to {what} ({total:f}); {tail}"
        return (
            f"{head} {number:f} DIFFERS from {what} ({total:f}) by {number - total:f}, beyond "
            f"rounding: check the table; {tail}"
        )


def _number_at(values: list[Any], i: int, decimal: str) -> Decimal | None:
    try:
        return parse_number(values[i] if i < len(values) else None, decimal=decimal)
    except ValueError:
        return None


def period_rules(columns: list[WideColumn], *, cumulative: bool = False) -> dict[int, PeriodRule]:
    """The value columns of a table wide by months that are not one month, by column index.

    Without ``cumulative``: a year-to-date column ('январь–март', '9 месяцев') is quarantined
    as ``cumulative_period``; a quarter or another run of months ('II квартал', 'апрель–июнь')
    as ``quarter_period``; a year total ('Итого за год', 'Год', 'январь–декабрь') as
    ``period_total``, its reason saying whether it equals the sum of the row's twelve months.
    With ``cumulative``: a year-to-date column January..m is month m, itself minus the column
    January..m-1 (``cumulative_gap`` when the table has no such column or the row's cell is
    empty); a year total is checked against January..December. Columns are compared within
    the same year and flow.
    """
    groups: dict[tuple[Any, ...], list[WideColumn]] = {}
    for c in columns:
        if c.span is not None:
            groups.setdefault((c.year, c.flow), []).append(c)
    rules: dict[int, PeriodRule] = {}
    for group in groups.values():
        months: dict[int, WideColumn] = {}
        ytd: dict[int, WideColumn] = {}
        for c in group:
            assert c.span is not None
            if not c.span.total and c.span.first == c.span.last:
                months.setdefault(c.span.first, c)
            if not c.span.total and not c.span.part and c.span.first == 1:
                ytd.setdefault(c.span.last, c)
        for c in group:
            s, h = c.span, c.header
            assert s is not None
            if s.first == s.last and not s.total:
                continue  # one month: read as it is
            if s.total or ((s.first, s.last) == (1, 12) and not cumulative):
                if cumulative:
                    dec = ytd.get(12)
                    parts: tuple[tuple[int, str], ...] = (
                        ((dec.index, dec.header),) if dec is not None else ()
                    )
                    why = "the table has no January to December column"
                else:
                    parts = tuple((months[k].index, months[k].header) for k in sorted(months))
                    why = f"the table has {len(months)} of the 12 months"
                    parts = parts if len(months) == 12 else ()
                rules[c.index] = PeriodRule(h, s, "period_total", why, parts=parts)
            elif s.part or s.first != 1:
                rules[c.index] = PeriodRule(
                    h,
                    s,
                    "quarter_period",
                    f"{h!r} is {s.label()}, several months, not one; not loaded (the months "
                    "the table has in their own columns are loaded from them)",
                )
            elif cumulative:
                prev = ytd.get(s.last - 1)
                if prev is not None:
                    rules[c.index] = PeriodRule(h, s, None, previous=(prev.index, prev.header))
                    continue
                rules[c.index] = PeriodRule(
                    h,
                    s,
                    "cumulative_gap",
                    f"{h!r} is {s.label()} (year to date) and the table has no column for "
                    f"{Span(1, s.last - 1).label()} to subtract, so "
                    f"{Span(s.last, s.last).label()} cannot be separated; not loaded",
                )
            else:
                rules[c.index] = PeriodRule(
                    h,
                    s,
                    "cumulative_period",
                    f"{h!r} is {s.label()} together (year to date), not one month; not loaded "
                    "(if the table's columns are all year to date, set cumulative: true in the "
                    "mapping to read each month as the difference of two columns)",
                )
    return rules


def _key(text: Any) -> str:
    return " ".join(str(text).replace("\u00a0", " ").casefold().split())


__all__ = [
    "MONTHS",
    "PERIOD_TOTAL_WORDS",
    "PeriodRule",
    "Rejected",
    "Span",
    "WideColumn",
    "period_rules",
    "period_span",
]
