"""Rows of a national table read as value cells: loaded rows or quarantined cells."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from silkroad.errors import FormatError
from silkroad.sources.aggregates import Item, split_aggregates
from silkroad.sources.base import FIRST_YEAR, last_year, plausible_year
from silkroad.sources.numbers import parse_number
from silkroad.sources.periods import (
    MONTHS,
    PeriodRule,
    Rejected,
    WideColumn,
    period_rules,
    period_span,
)
from silkroad.sources.table.grid import Grid, where
from silkroad.sources.table.mapping import (
    _FOOTNOTE,
    _YEAR,
    FLOW_WORDS,
    REGION_NAMES,
    WORLD_NAMES,
    Mapping,
    _key,
    tnved_edition,
)


# --- mapping rows ----------------------------------------------------------------------------------
@dataclass
class Cell:
    """One value cell read: its canonical row, or why it is rejected."""

    line: int  # 1-based row in the sheet / line in the file
    field: str
    raw: str
    year: int | None
    row: dict[str, Any] | None = None
    code: str | None = None
    reason: str | None = None
    tolerance_usd: float = 0.5  # half the last digit written, in USD (rounding of the figure)
    #: a product cell naming a group of codes ('0401-0406'): the (low, high) ranges covered
    covers: tuple[tuple[str, str], ...] = ()
    #: the cell's value was added to the row of another cell of the same group code (True)
    merged: bool = False


@dataclass
class Reading:
    cells: list[Cell] = field(default_factory=list)
    missing: int = 0
    header: list[str] = field(default_factory=list)
    value_columns: list[tuple[int, str, int | None, int | None, str | None]] = field(
        default_factory=list
    )
    residuals: int = 0
    #: (year, month, exporter, importer) of missing cells ('-', empty): unknown, not zero
    missing_flows: set[tuple[Any, ...]] = field(default_factory=set)


def _header(grid: Grid, m: Mapping) -> tuple[list[str], dict[str, int]]:
    if len(grid.rows) < m.header_row:
        raise FormatError(
            "the table has fewer rows than header_row",
            path=grid.path,
            line=m.header_row,
            expected="columns " + ", ".join(repr(c) for c in m.columns()),
        )
    header = ["" if v is None else str(v).strip() for v in grid.rows[m.header_row - 1]]
    # Header rows above the last: cells merged across columns ("Экспорт" over its years) are
    # carried to the right, then each column's names are joined top to bottom.
    names = {_key(c) for c in m.columns()}
    for hr in reversed(m.header_rows[:-1]):
        upper = ["" if v is None else str(v).strip() for v in grid.rows[hr - 1]]
        carried, last = [], ""
        for i in range(max(len(upper), len(header))):
            u = upper[i] if i < len(upper) else ""
            if u:
                last = "" if _key(u) in names else u
            carried.append(u or (last if i < len(header) and header[i] else ""))
        header += [""] * (len(carried) - len(header))
        header = [" ".join(x for x in (u, h) if x) for u, h in zip(carried, header, strict=True)]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(_key(h), i)
    missing = [c for c in m.columns() if _key(c) not in index]
    if missing:
        raise FormatError(
            "the header does not match the mapping (missing " + ", ".join(map(repr, missing)) + ")",
            path=grid.path,
            line=m.header_row,
            found=", ".join(repr(h) for h in header if h)[:200] or "an empty row",
            expected="columns " + ", ".join(repr(c) for c in m.columns()),
            hint="check header_row and the column names in the mapping",
        )
    return header, {c: index[_key(c)] for c in m.columns()}


def _header_flow(h: str) -> str | None:
    words = re.findall(r"\w+", _key(h))
    flows = {FLOW_WORDS[w] for w in words if w in FLOW_WORDS and len(w) > 1}
    return flows.pop() if len(flows) == 1 else None


def _wide_columns(header: list[str], cols: dict[str, int], m: Mapping) -> list[WideColumn]:
    """The columns of a wide table holding values: a year ('2015', 'январь-декабрь 2015') or a
    period of months ('март', 'январь–март', 'I квартал', 'Итого за год'); with
    ``flow: header`` only those whose header names one flow (not 'Сальдо', 'Оборот')."""
    used = set(cols.values())
    out = []
    header_flow = m.flow is None and m.flow_column is None and not m.flow_sections
    for i, h in enumerate(header):
        if i in used or not h:
            continue
        flow = _header_flow(h) if header_flow else None
        if header_flow and flow is None:
            continue
        ys = _YEAR.findall(h)
        if m.wide == "years":
            if len(ys) == 1:
                out.append(WideColumn(i, h, int(ys[0]), flow))
            continue
        k = _key(_YEAR.sub("", h))
        if header_flow:
            k = " ".join(w for w in k.split() if w not in FLOW_WORDS)
        span = period_span(k)
        if span is not None and len(ys) <= 1:
            out.append(WideColumn(i, h, int(ys[0]) if ys else m.year, flow, span))
    return out


def _value_columns(
    header: list[str], cols: dict[str, int], m: Mapping, grid: Grid
) -> list[tuple[int, str, int | None, int | None, str | None]]:
    """(column, header, year, month, flow) of the columns holding values. In a table wide by
    months, month is None for the columns that are not one month (quarters, year to date
    without ``cumulative: true``, year totals): :func:`_period_rules` quarantines their cells."""
    if not m.wide:
        assert m.value
        return [(cols[m.value], m.value, m.year, None, None)]
    out = []
    for c in _wide_columns(header, cols, m):
        month = None
        if c.span is not None and not c.span.total:
            if c.span.first == c.span.last:
                month = c.span.first
            elif m.cumulative and c.span.first == 1 and not c.span.part:
                month = c.span.last  # read as cum(last) - cum(last - 1)
        out.append((c.index, c.header, c.year, month, c.flow))
    if not out:
        raise FormatError(
            f"no {m.wide} among the columns of the header",
            path=grid.path,
            line=m.header_row,
            found=", ".join(repr(h) for h in header if h)[:200],
            expected="headers such as '2015', '2015 г.'"
            if m.wide == "years"
            else "headers such as 'январь', 'Jan', '01', 'январь–март', 'I квартал'",
        )
    return out


def _period_rules(header: list[str], cols: dict[str, int], m: Mapping) -> dict[int, PeriodRule]:
    """The columns of a table wide by months that are not one month (see :func:`period_rules`)."""
    if m.wide != "months":
        return {}
    return period_rules(_wide_columns(header, cols, m), cumulative=m.cumulative)


def describe_columns(grid: Grid, m: Mapping) -> list[tuple[str, str]]:
    """(header, what is done with it) for every named column of the table: ``silkroad
    mapping-check`` shows it, so that no column is dropped unseen."""
    header, cols = _header(grid, m)
    by_index = {i: name for name, i in cols.items()}
    roles = {
        m.partner: "partner",
        m.product: "product",
        m.flow_column: "flow",
        m.section_column: "flow sections",
        m.year_column: "year",
        m.month_column: "month",
        m.value: "value",
    }
    wide = {c.index: c for c in _wide_columns(header, cols, m)} if m.wide else {}
    rules = _period_rules(header, cols, m)
    out = []
    for i, h in enumerate(header):
        if not h:
            continue
        if i in by_index:
            what = roles.get(by_index[i]) or "read"
        elif i in rules:
            r = rules[i]
            if r.code is None:
                assert r.previous is not None
                what = f"month {r.span.last:02d} = this column minus {r.previous[1]!r}"
            elif r.code == "period_total":
                checked = "checked against the months" if r.parts else "not checked"
                what = f"quarantined: period_total ({checked})"
            else:
                what = f"quarantined: {r.code} ({r.span.label()})"
        elif i in wide:
            c = wide[i]
            what = f"{c.year}" + (f"-{c.span.first:02d}" if c.span else "")
            what += f" {c.flow}" if c.flow else ""
        else:
            what = "not read"
        out.append((h, what))
    return out


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


class Resolver:
    """Partner, product and flow cells → canonical values (cached per distinct text)."""

    def __init__(self, m: Mapping) -> None:
        self.m = m
        self._partners: dict[str, tuple[str | None, str | None, str | None]] = {}

    def partner(self, raw: str) -> str:
        if raw not in self._partners:
            self._partners[raw] = self._partner(raw)
        iso, code, reason = self._partners[raw]
        if iso is None:
            raise Rejected(code or "unknown_country", reason or "")
        return iso

    def _partner(self, raw: str) -> tuple[str | None, str | None, str | None]:
        from silkroad.reference.countries import resolve_country

        name = _FOOTNOTE.sub("", raw.strip()).strip(" :")
        k = _key(name)
        if not k:
            return None, "empty_partner", "the partner cell is empty, expected a country"
        if k in WORLD_NAMES:
            return "WLD", None, None
        if (
            k in REGION_NAMES
            or k.startswith(
                ("страны ", "countries ", "в том числе", "из них", "остальные", "прочие", "other ")
            )
            or "вне снг" in k
            or "вне еаэс" in k
        ):
            return (
                None,
                "aggregate_partner",
                f"{name!r} is a group of countries, not an economy; not loaded "
                "(a regional subtotal would count its members' trade twice)",
            )
        try:
            # Official long names ('Королевство Нидерландов', 'Республика Латвия') and ё/е
            # variants are the reference data's (silkroad.reference.countries).
            iso = resolve_country(name)
        except Exception as exc:
            msg = getattr(exc, "hint", None)
            return (
                None,
                "unknown_country",
                f"partner {name!r} is not a known economy" + (f" ({msg})" if msg else ""),
            )
        if iso == self.m.reporter:
            return None, "same_economy", f"partner {name!r} is the reporter {iso}"
        return iso, None, None

    def product(self, raw: str, year: int) -> tuple[str, str]:
        m = self.m
        if not m.product:
            return "TOTAL", "TOTAL"
        if m.baskets is not None:
            k = _key(raw)
            for b in m.baskets.baskets:
                if k in (_key(b.id), _key(b.name_en), _key(b.name_ru)):
                    cls = tnved_edition(year) if m.classification == "TNVED" else m.classification
                    return b.ranges[0].low, cls
            raise Rejected(
                "unknown_basket",
                f"found {raw!r}, expected a basket of {m.baskets.name!r}: "
                + ", ".join(b.id for b in m.baskets.baskets),
            )
        code = raw.replace(" ", "").replace("\u00a0", "")
        if not code:  # a partner's total row in a table by product
            return "TOTAL", "TOTAL"
        if _GROUP.fullmatch(code):
            raise _Group(*_group(raw, code))
        if not code.isdigit() or len(code) > 10:
            if _key(code) in ("total", "всего", "итого"):
                return "TOTAL", "TOTAL"
            raise Rejected("bad_product", f"found {raw!r}, expected an HS/TN VED code of digits")
        width = next(w for w in (2, 4, 6, 8, 10) if len(code) <= w)
        cls = tnved_edition(year) if m.classification == "TNVED" else m.classification
        return code.zfill(width), cls

    def flow(self, raw: str) -> str:
        if self.m.flow:
            return self.m.flow
        if self.m.flow_sections:
            raise Rejected(
                "bad_flow",
                "no section heading above this row, expected a row such as "
                "'Экспорт в Казахстан, всего' or 'Импорт, всего' first",
            )
        f = FLOW_WORDS.get(_key(raw))
        if f is None:
            raise Rejected("bad_flow", f"found {raw!r}, expected экспорт/импорт or exports/imports")
        return f


def read_table(grid: Grid, m: Mapping, limit: int | None = None) -> Reading:
    """Every value cell of the table as a Cell (loaded row or rejection)."""
    header, cols = _header(grid, m)
    vcols = _value_columns(header, cols, m, grid)
    periods = _period_rules(header, cols, m)  # wide by months: columns that are not one month
    res = Resolver(m)
    out = Reading(header=header, value_columns=vcols)
    section_flow: str | None = None  # flow: sections: the flow of the last heading seen
    n_data = 0
    for r in range(m.header_row, len(grid.rows)):
        values = grid.rows[r]
        if all(_cell_text(v) == "" for v in values):
            continue
        n_data += 1
        if limit is not None and n_data > limit:
            break
        line = r + 1
        raw = "|".join(_cell_text(v) for v in values)
        heading, heading_col = _section_heading(values, cols, m, vcols)
        if heading is not None:
            section_flow = heading

        def get(col: str | None, values: list[Any] = values) -> str:
            if col is None:
                return ""
            i = cols[col]
            return _cell_text(values[i]) if i < len(values) else ""

        for ci, h, year0, month0, flow0 in vcols:
            fld = where(grid, r, ci, h)
            v = values[ci] if ci < len(values) else None
            year = year0
            bad: str | None
            try:
                number = parse_number(v, decimal=m.decimal)
            except ValueError as exc:
                number = None
                bad = str(exc)
            else:
                bad = None
            missing = bad is None and number is None
            cell = Cell(line, fld, raw, year)
            if missing:
                # Not a value: counted apart; unless the mapping says it means no trade, its
                # flow is remembered as missing (below).
                out.missing += 1
                if m.missing_as_zero:
                    continue
            else:
                out.cells.append(cell)
            if number is not None:
                exponent = number.as_tuple().exponent
                step = Decimal(10) ** exponent if isinstance(exponent, int) else Decimal(1)
                cell.tolerance_usd = float(step * m.value_unit / 2)
            try:
                if m.year_column:
                    yt = get(m.year_column)
                    ys = _YEAR.findall(yt)
                    if len(ys) != 1:
                        cell.field = where(grid, r, cols[m.year_column], m.year_column)
                        raise Rejected("bad_year", f"found {yt!r}, expected a year such as 2015")
                    year = cell.year = int(ys[0])
                month = month0
                if m.month_column:
                    mt = get(m.month_column)
                    k = _key(_YEAR.sub("", mt)).strip(" .,")
                    month = MONTHS.get(k) or (int(k) if k.isdigit() and 1 <= int(k) <= 12 else None)
                    if month is None:
                        cell.field = where(grid, r, cols[m.month_column], m.month_column)
                        raise Rejected("bad_month", f"found {mt!r}, expected a month")
                if bad is not None:
                    raise Rejected("bad_value", bad)
                assert year is not None
                if number is not None and number < 0:
                    raise Rejected("negative_value", f"found {number}, expected a value >= 0")
                if ci in periods:  # year to date, quarter or year total (wide: months)
                    if missing:
                        continue  # counted as missing; says nothing of a single month
                    assert number is not None
                    number = periods[ci].value(number, values, decimal=m.decimal)
                try:
                    if m.partner_fixed:
                        partner = m.partner_fixed
                    elif heading is not None and heading_col == cols[m.partner]:
                        partner = "WLD"  # 'Экспорт, всего' in the partner column: all partners
                    else:
                        partner = res.partner(get(m.partner))
                except Rejected:
                    cell.field = where(grid, r, cols[m.partner], m.partner)
                    raise
                try:
                    flow = flow0 or section_flow or res.flow(get(m.flow_column))
                except Rejected:
                    if m.flow_column:
                        cell.field = where(grid, r, cols[m.flow_column], m.flow_column)
                    raise
                try:
                    if heading is not None:  # the section's total row: the flow's total
                        product, cls = "TOTAL", "TOTAL"
                    else:
                        try:
                            product, cls = res.product(get(m.product), year)
                        except _Group as g:
                            product, cell.covers = g.code, g.covers
                            cls = (
                                tnved_edition(year)
                                if m.classification == "TNVED"
                                else m.classification
                            )
                except Rejected:
                    assert m.product
                    cell.field = where(grid, r, cols[m.product], m.product)
                    raise
                if not plausible_year(year):
                    raise Rejected(
                        "bad_year",
                        f"found {year}, expected a year from {FIRST_YEAR} to {last_year()}",
                    )
                value_usd = _usd(number, m.value_unit)
            except Rejected as rej:
                cell.code, cell.reason = rej.code, rej.reason
                continue
            exports = flow == "exports"
            if missing:
                out.missing_flows.add(
                    (
                        year,
                        month,
                        m.reporter if exports else partner,
                        partner if exports else m.reporter,
                    )
                )
                continue
            cell.row = {
                "year": year,
                "month": month,
                "exporter": m.reporter if exports else partner,
                "importer": partner if exports else m.reporter,
                "declared_by": "exporter" if exports else "importer",
                "re_flow": False,
                "classification": cls,
                "product": product,
                "value_usd": value_usd,
                "weight_kg": None,
                "quantity": None,
                "quantity_unit": None,
            }
    # One value per flow: a second cell for the same flow is quarantined, except a group of
    # codes beside another group of the same chapter (or heading) that covers other codes:
    # its value joins that row (both cells loaded, one row stored).
    seen: dict[tuple[Any, ...], Cell] = {}
    for cell in out.cells:
        if cell.row is None:
            continue
        row = cell.row
        key = (row["year"], row["month"], row["exporter"], row["importer"], row["product"])
        if key in seen and _disjoint_groups(seen[key], cell):
            first = seen[key]
            assert first.row is not None
            first.row["value_usd"] += row["value_usd"]
            first.covers = first.covers + cell.covers
            first.tolerance_usd += cell.tolerance_usd
            cell.merged = True
            continue
        if key in seen:
            first = seen[key]
            cell.code = "duplicate_key"
            cell.reason = (
                f"flow {row['year']} {row['exporter']}->{row['importer']} {row['product']} "
                f"already read at line {first.line}, {first.field}"
            )
            cell.row = None
            continue
        seen[key] = cell
    # Product totals beside their detail (a partner's total row, a chapter beside its headings):
    # the detail is kept; a total is an aggregate (quarantined) when its detail adds up to it,
    # else kept as the residual the detail does not cover (sources/aggregates.py).
    flows = list(seen.items())
    decisions = split_aggregates(
        [
            Item(key[:4], key[4], _row(cell)["value_usd"], None, cell.tolerance_usd, cell.covers)
            for key, cell in flows
        ]
    )
    for (_, cell), d in zip(flows, decisions, strict=True):
        assert cell.row is not None
        if d.action == "reject":
            cell.code, cell.reason = d.code, d.reason
            cell.row = None
        elif d.action == "residual":
            cell.row["value_usd"] = d.value_usd
            out.residuals += 1
    # A flow whose every cell is missing is stored as one row of unknown value (NULL), so that
    # analyses show it as missing rather than as zero trade; flows with values need no marker.
    present = {key[:4] for key in seen}
    out.missing_flows -= present
    return out


def _row(cell: Cell) -> dict[str, Any]:
    """The canonical row of a cell known to be loaded."""
    assert cell.row is not None
    return cell.row


def _usd(number: Decimal | None, unit: Decimal) -> float | None:
    """A cell's value in USD; Rejected when it cannot be stored as it is (infinite, or a
    non-zero value that would be stored as 0)."""
    if number is None:
        return None
    usd = float(number * unit)
    if not math.isfinite(usd):
        raise Rejected(
            "value_out_of_range",
            f"found a number of {len(number.as_tuple().digits)} digits, expected a finite "
            "value (it would be stored as infinite USD)",
        )
    if usd == 0 and number != 0:
        raise Rejected(
            "value_out_of_range", f"found {number}, expected a value a float can hold (not 0)"
        )
    return usd


def _section_heading(
    values: list[Any], cols: dict[str, int], m: Mapping, vcols: list[Any]
) -> tuple[str | None, int | None]:
    """(flow, column) when the row is a section heading of a ``flow: sections`` table: its
    first text cell (in the sections column, if the mapping names one) begins with a flow
    word ('Экспорт в Казахстан, всего', 'Импорт из Казахстана', 'Exports, total')."""
    if not m.flow_sections:
        return None, None
    value_idx = {c[0] for c in vcols}
    where_ = [cols[m.section_column]] if m.section_column else range(len(values))
    for i in where_:
        if i in value_idx or i >= len(values):
            continue
        text = _cell_text(values[i])
        if not text:
            continue
        words = re.findall(r"\w+", _key(text))
        first = words[0] if words else ""
        flow = FLOW_WORDS.get(first) if len(first) > 1 else None
        return (flow, i) if flow else (None, None)
    return None, None


#: A product cell naming a group of codes: ranges and lists ('0401-0406', '8701, 8704',
#: '0401-0406, 0409'), spaces removed.
_GROUP = re.compile(r"[0-9]+(?:[-–—][0-9]+)?(?:[,;][0-9]+(?:[-–—][0-9]+)?)+|[0-9]+[-–—][0-9]+")


class _Group(Exception):
    """Raised by Resolver.product for a group of codes: its storage code and coverage."""

    def __init__(self, code: str, covers: tuple[tuple[str, str], ...]) -> None:
        super().__init__(code)
        self.code, self.covers = code, covers


def _pad(code: str) -> str:
    return code.zfill(next(w for w in (2, 4, 6, 8, 10) if len(code) <= w))


def _group(raw: str, code: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(storage code, ranges) of a group of codes: stored under the longest HS code (2, 4 or
    6 digits) that every code of the group begins with; Rejected when the group spans
    chapters, or a range is malformed."""
    covers = []
    for part in re.split(r"[,;]", code):
        m = re.fullmatch(r"([0-9]+)(?:[-–—]([0-9]+))?", part)
        assert m is not None  # _GROUP matched the whole cell
        lo, hi = _pad(m.group(1)), _pad(m.group(2) or m.group(1))
        if len(lo) != len(hi) or lo > hi or len(lo) > 10:
            raise Rejected(
                "bad_product",
                f"found {raw!r}, expected a range of codes of one length, low to high "
                "('0401-0406')",
            )
        covers.append((lo, hi))
    codes = [c for pair in covers for c in pair]
    common = 0
    while common < min(map(len, codes)) and len({c[common] for c in codes}) == 1:
        common += 1
    level = max((w for w in (2, 4, 6) if w <= common), default=0)
    if not level:
        raise Rejected(
            "bad_product",
            f"found {raw!r}: a group of codes across HS chapters cannot be stored as one "
            "product; expected codes of one chapter ('0401-0406', '8701, 8704')",
        )
    return codes[0][:level], tuple(covers)


def _disjoint_groups(a: Cell, b: Cell) -> bool:
    """True when both cells are groups of codes and neither covers a code of the other."""
    if not a.covers or not b.covers:
        return False
    return not any(
        lo1 <= hi2[: len(lo1)] and lo2[: len(lo1)] <= hi1
        for lo1, hi1 in a.covers
        for lo2, hi2 in b.covers
    )
