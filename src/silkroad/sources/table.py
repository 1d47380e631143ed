"""National statistics tables: CSV, XLSX and XLS read through a small YAML mapping (docs/tables.md).

A statistics office publishes its country's trade as a spreadsheet: one row per partner (and
product), years or months as columns, Russian headers, numbers such as ``1 234,5`` in thousand
USD, and aggregate rows ("Всего", "СНГ", "ЕАЭС") mixed with the countries. The mapping says
which column is what; this module turns the table into canonical rows declared by the
mapping's reporter (``declared_by = 'exporter'`` for its exports, ``'importer'`` for its imports).

Counting: the unit is a *value cell* (one partner × product × period). A cell that is empty or a
dash is missing (not zero, not a row) and is only counted in ``cells_missing``; every other
value cell is read, and then loaded or quarantined with its sheet, row, column and reason, so
``rows_read = rows_loaded + rows_rejected``.

Aggregates: world totals ("Всего", "Итого", "Весь мир", "World", "Total") are loaded with the
partner ``WLD``, which every analysis leaves out of partner sums (as Comtrade's World rows);
regional subtotals ("СНГ", "ЕАЭС", "страны вне СНГ", "Азия", "Страны ЕС", ...) are quarantined
with the code ``aggregate_partner``: they have no code of their own and their parts are in the
table. Either way no dollar is counted twice. A product total beside its detail (a partner's
"Всего" row above a few TN VED rows) is quarantined when the detail adds up to it, and kept as the
residual the detail does not cover when it is larger (:mod:`silkroad.sources.aggregates`).

The source id is ``table-<reporter>-<name>`` (``table-blr-belstat``); one ingest replaces the
years it holds for that source.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from silkroad.errors import FormatError, InputError
from silkroad.sources.aggregates import Item, split_aggregates
from silkroad.sources.numbers import UNITS, parse_number
from silkroad.sources.periods import (
    MONTHS,
    PeriodRule,
    Rejected,
    WideColumn,
    period_rules,
    period_span,
)

KIND = "table"
SOURCE_VERSION = "declared"

MAPPING_KEYS = {
    "name",
    "description",
    "reporter",
    "flow",
    "encoding",
    "delimiter",
    "sheet",
    "header_row",
    "unit",
    "decimal",
    "partner",
    "product",
    "classification",
    "products",
    "year",
    "month",
    "value",
    "wide",
    "cumulative",
    "missing_as_zero",
}
"""The keys a mapping may hold (docs/tables.md): ``name``, ``reporter``, ``flow``, ``partner``,
``unit``, ``header_row``, ``sheet``, ``encoding``, ``delimiter``, ``decimal``, ``wide`` or
``value``, ``year``, ``month``, ``product``, ``classification``, ``products``, and
``cumulative: true`` for a table wide by months whose columns are year to date ('январь',
'январь–февраль', ..., 'январь–декабрь'): each month is then read as the difference of two
such columns. Without it a year-to-date or quarter column is quarantined (``cumulative_period``,
``quarter_period``) and a year-total column too (``period_total``): none is ever read as a
month, and none is loaded beside the months it adds up. ``missing_as_zero: true`` says the
publication's empty and dash cells mean no trade (METHODS.md 1: treating missing as zero must be
explicit): such a flow is then absent (zero), not stored as unknown."""

#: Partner texts that mean the world total: stored with the aggregate code WLD.
WORLD_NAMES = frozenset(
    [
        "всего",
        "итого",
        "весь мир",
        "мир",
        "всего по странам",
        "все страны",
        "world",
        "total",
        "all countries",
        "world total",
    ]
)

#: Partner texts of regional subtotals (also anything starting with "страны"/"countries").
REGION_NAMES = frozenset(
    [
        "снг",
        "еаэс",
        "еаэс (без беларуси)",
        "еэс",
        "ес",
        "евросоюз",
        "европейский союз",
        "вне снг",
        "вне еаэс",
        "дальнее зарубежье",
        "азия",
        "америка",
        "африка",
        "европа",
        "океания",
        "австралия и океания",
        "прочие",
        "прочие страны",
        "другие страны",
        "cis",
        "eaeu",
        "eu",
        "asia",
        "america",
        "africa",
        "europe",
        "oceania",
        "other countries",
        "rest of the world",
        "non-cis",
    ]
)

FLOW_WORDS = {
    "exports": "exports",
    "export": "exports",
    "экспорт": "exports",
    "вывоз": "exports",
    "x": "exports",
    "imports": "imports",
    "import": "imports",
    "импорт": "imports",
    "ввоз": "imports",
    "m": "imports",
}

_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_FOOTNOTE = re.compile(r"(\s*(\d\)|\*+|¹|²|³))+$")


def _key(text: Any) -> str:
    return " ".join(str(text).replace("\u00a0", " ").casefold().split())


# --- the mapping -------------------------------------------------------------------------------
@dataclass
class Mapping:
    """A parsed mapping file (docs/tables.md)."""

    name: str
    reporter: str
    flow: str | None  # 'exports' / 'imports', or None when a column says
    flow_column: str | None
    partner: str
    value_unit: Decimal
    unit: str
    product: str | None = None
    classification: str = "TOTAL"
    baskets: Any = None  # BasketSet when the product column holds basket names
    year_column: str | None = None
    year: int | None = None
    month_column: str | None = None
    value: str | None = None
    wide: str | None = None  # 'years' or 'months'
    cumulative: bool = False  # wide months: the columns are year to date ('январь–март')
    missing_as_zero: bool = False  # '-' / empty cells mean no trade, not unknown
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    header_row: int = 1  # the last header row: data start below it
    header_rows: list[int] = field(default_factory=lambda: [1])
    decimal: str = ","
    path: str | None = None
    sha256: str = ""

    @property
    def source(self) -> str:
        return f"table-{self.reporter.lower()}-{self.name}"

    def columns(self) -> list[str]:
        """Header names the table must have."""
        cols = [self.partner, self.product, self.flow_column, self.year_column]
        cols += [self.month_column, self.value]
        return [c for c in cols if c]


def _bad(path: Any, fld: str, found: Any, expected: str) -> InputError:
    return InputError("bad mapping", path=path, field=fld, found=repr(found), expected=expected)


def load_mapping(source: str | Path | dict[str, Any]) -> Mapping:
    """Read and check a mapping (a YAML file, or the same as a dict)."""
    import yaml

    path: Path | None = None
    if isinstance(source, dict):
        data, raw = source, repr(sorted(source.items())).encode()
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise InputError("mapping file not found", path=path, expected="a YAML mapping")
        raw = path.read_bytes()
        try:
            data = yaml.safe_load(raw.decode("utf-8-sig"))
        except yaml.YAMLError as exc:
            raise InputError("not valid YAML", path=path, found=str(exc).splitlines()[0]) from exc
    if not isinstance(data, dict):
        raise _bad(path, "(file)", type(data).__name__, "a YAML mapping of keys (docs/tables.md)")
    unknown = sorted(set(map(str, data)) - MAPPING_KEYS)
    if unknown:
        raise _bad(path, unknown[0], unknown[0], "one of: " + ", ".join(sorted(MAPPING_KEYS)))

    def text(key: str, required: bool = False) -> str | None:
        v = data.get(key)
        if v is None:
            if required:
                raise _bad(path, key, None, f"a value for {key!r}")
            return None
        if isinstance(v, dict) and "column" in v:
            v = v["column"]
        if not isinstance(v, str | int) or isinstance(v, bool) or not str(v).strip():
            raise _bad(path, key, v, "a column name (text)")
        return str(v).strip()

    from silkroad.reference.countries import resolve_country

    name = text("name", True)
    assert name is not None
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.]*", name):
        raise _bad(path, "name", name, "lower-case letters, digits, '_' or '.' (e.g. belstat)")
    reporter_text = text("reporter", True)
    assert reporter_text is not None
    reporter = resolve_country(reporter_text)
    unit = str(data.get("unit", "usd")).strip().lower()
    if unit not in UNITS:
        raise _bad(path, "unit", unit, "one of: " + ", ".join(UNITS))
    flow_raw = data.get("flow")
    flow, flow_column = None, None
    if isinstance(flow_raw, str) and FLOW_WORDS.get(_key(flow_raw)) in ("exports", "imports"):
        flow = FLOW_WORDS[_key(flow_raw)]
    elif isinstance(flow_raw, dict) and "column" in flow_raw:
        flow_column = text("flow")
    elif flow_raw == "header":
        pass  # each value column's header says экспорт/импорт (wide tables)
    else:
        raise _bad(path, "flow", flow_raw, "exports, imports, header or {column: NAME}")
    m = Mapping(
        name=name,
        reporter=reporter,
        flow=flow,
        flow_column=flow_column,
        partner=text("partner", True) or "",
        value_unit=UNITS[unit],
        unit=unit,
        product=text("product"),
        year_column=None,
        value=text("value"),
        encoding=text("encoding"),
        delimiter=data.get("delimiter"),
        path=str(path) if path else None,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    dec = str(data.get("decimal", ","))
    if dec not in (",", "."):
        raise _bad(path, "decimal", dec, "',' (1 234,5) or '.' (1,234.5)")
    m.decimal = dec
    sheet = data.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        raise _bad(path, "sheet", sheet, "a sheet name or its 0-based index")
    m.sheet = sheet
    hr = data.get("header_row", 1)
    rows = hr if isinstance(hr, list) else [hr]
    if (
        not rows
        or any(isinstance(r, bool) or not isinstance(r, int) or r < 1 for r in rows)
        or rows != list(range(rows[0], rows[0] + len(rows)))
    ):
        raise _bad(
            path, "header_row", hr, "the 1-based row of the header (3), or consecutive rows [3, 4]"
        )
    m.header_row, m.header_rows = rows[-1], rows
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        if not 1900 <= year <= 2100:
            raise _bad(path, "year", year, "a year such as 2015 or a column name")
        m.year = year
    elif year is not None:
        m.year_column = text("year")
    m.month_column = text("month")
    wide = data.get("wide")
    if wide is not None:
        cols = wide.get("columns") if isinstance(wide, dict) else wide
        if cols not in ("years", "months"):
            raise _bad(path, "wide", wide, "{columns: years} or {columns: months}")
        m.wide = cols
        if isinstance(wide, dict) and isinstance(wide.get("year"), int):
            m.year = int(wide["year"])
        if m.value:
            raise _bad(
                path, "value", m.value, "no value column with wide (the columns hold values)"
            )
    else:
        if not m.value:
            raise _bad(path, "value", None, "a value column, or wide: {columns: years}")
    cumulative = data.get("cumulative", False)
    if not isinstance(cumulative, bool):
        raise _bad(path, "cumulative", cumulative, "true or false")
    if cumulative and m.wide != "months":
        raise _bad(path, "cumulative", cumulative, "cumulative: true with wide: {columns: months}")
    m.cumulative = cumulative
    missing_as_zero = data.get("missing_as_zero", False)
    if not isinstance(missing_as_zero, bool):
        raise _bad(path, "missing_as_zero", missing_as_zero, "true or false")
    m.missing_as_zero = missing_as_zero
    if flow_raw == "header" and not m.wide:
        raise _bad(path, "flow", flow_raw, "flow: header with wide tables only")
    if m.wide != "years" and m.year is None and m.year_column is None:
        raise _bad(path, "year", None, "a year column, a year (2015) or wide: {columns: years}")
    products = data.get("products")
    cls = data.get("classification")
    if products is not None:
        if not isinstance(products, dict) or "baskets" not in products:
            raise _bad(path, "products", products, "{baskets: FILE}")
        from silkroad.reference.baskets import load_baskets

        bpath = Path(str(products["baskets"])).expanduser()
        if not bpath.is_absolute() and path is not None:
            bpath = path.parent / bpath
        m.baskets = load_baskets(bpath)
        if not m.product:
            raise _bad(path, "product", None, "the column holding the basket names")
    if m.product:
        from silkroad.reference.products import hs_edition

        if cls is None:
            raise _bad(path, "classification", None, "HS92 … HS22 or TNVED (the product codes)")
        c = str(cls).strip().upper()
        if c in ("TNVED", "ТН ВЭД", "TN VED"):
            m.classification = "TNVED"
        else:
            try:
                m.classification = hs_edition(c)
            except Exception as exc:
                raise _bad(path, "classification", cls, "HS92 … HS22 or TNVED") from exc
    return m


def tnved_edition(year: int) -> str:
    """The HS edition TN VED codes of ``year`` follow (FORMATS.md 5.4)."""
    return (
        "HS22" if year >= 2022 else "HS17" if year >= 2017 else "HS12" if year >= 2012 else "HS07"
    )


# --- reading the file ----------------------------------------------------------------------------
@dataclass
class Grid:
    """The table as rows of cells, with where each came from."""

    path: Path
    rows: list[list[Any]]
    sheet: str | None  # None for CSV
    encoding: str | None
    sha256: str


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def where(grid: Grid, row: int, col: int, header: str) -> str:
    """``Лист1!C12 ('2015')`` for sheets, ``column 3 ('2015')`` for CSV (row is 0-based)."""
    if grid.sheet is not None:
        return f"{grid.sheet}!{_col_letter(col)}{row + 1} ({header!r})"
    return f"column {col + 1} ({header!r})"


def detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp1252", "utf_16"]).best()
    return best.encoding if best is not None else "cp1251"


def read_grid(path: str | Path, mapping: Mapping) -> Grid:
    path = Path(path).expanduser()
    if not path.is_file():
        raise InputError("file not found", path=path, expected="a CSV, XLSX or XLS table")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods") or data[:4] in (
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0",
    ):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
        except Exception as exc:
            raise FormatError("cannot read the workbook", path=path, found=str(exc)[:80]) from exc
        names = wb.sheet_names
        sheet = mapping.sheet if mapping.sheet is not None else 0
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputError(
                    "no such sheet",
                    path=path,
                    field="sheet",
                    found=str(sheet),
                    expected="one of: " + ", ".join(names),
                )
            sheet = names[sheet]
        if sheet not in names and any(ch in sheet for ch in "*?["):
            import fnmatch

            matches = [n for n in names if fnmatch.fnmatchcase(n.casefold(), sheet.casefold())]
            if len(matches) != 1:
                raise InputError(
                    f"{len(matches)} sheets match {sheet!r}",
                    path=path,
                    field="sheet",
                    found=", ".join(matches or names),
                    expected="exactly one sheet",
                )
            sheet = matches[0]
        if sheet not in names:
            raise InputError(
                "no such sheet",
                path=path,
                field="sheet",
                found=sheet,
                expected="one of: " + ", ".join(names),
            )
        ws = wb.get_sheet_by_name(sheet)
        rows = [list(r) for r in ws.to_python(skip_empty_area=False)]
        return Grid(path, rows, sheet, None, sha)
    enc = mapping.encoding or detect_encoding(data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FormatError(
            f"cannot decode the file as {enc}",
            path=path,
            field="encoding",
            hint="give the encoding in the mapping (encoding: cp1251)",
        ) from exc
    lines = text.splitlines()
    delim = mapping.delimiter
    if not delim:
        sample = lines[mapping.header_row - 1] if len(lines) >= mapping.header_row else ""
        delim = max((";", "\t", ","), key=sample.count)
        if sample.count(delim) == 0:
            delim = ";"
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)]
    return Grid(path, rows, None, enc, sha)


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
    header_flow = m.flow is None and m.flow_column is None
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

        def get(col: str | None, values: list[Any] = values) -> str:
            if col is None:
                return ""
            i = cols[col]
            return _cell_text(values[i]) if i < len(values) else ""

        for ci, h, year0, month0, flow0 in vcols:
            fld = where(grid, r, ci, h)
            v = values[ci] if ci < len(values) else None
            year = year0
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
                    partner = res.partner(get(m.partner))
                except Rejected:
                    cell.field = where(grid, r, cols[m.partner], m.partner)
                    raise
                try:
                    flow = flow0 or res.flow(get(m.flow_column))
                except Rejected:
                    assert m.flow_column
                    cell.field = where(grid, r, cols[m.flow_column], m.flow_column)
                    raise
                try:
                    product, cls = res.product(get(m.product), year)
                except Rejected:
                    assert m.product
                    cell.field = where(grid, r, cols[m.product], m.product)
                    raise
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
                "value_usd": float(number * m.value_unit) if number is not None else None,
                "weight_kg": None,
                "quantity": None,
                "quantity_unit": None,
            }
    # One value per flow: a second cell for the same flow is quarantined.
    seen: dict[tuple[Any, ...], Cell] = {}
    for cell in out.cells:
        if cell.row is None:
            continue
        row = cell.row
        key = (row["year"], row["month"], row["exporter"], row["importer"], row["product"])
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
            Item(key[:4], key[4], cell.row["value_usd"], None, cell.tolerance_usd)
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


# --- staging and ingest ----------------------------------------------------------------------------
@dataclass
class StageReport:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    cells_missing: int = 0
    residuals: int = 0  # totals kept as the part their detail does not cover
    missing_flows: int = 0  # flows with every cell missing, stored as one NULL-valued row each
    years: list[int] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    classifications: list[str] = field(default_factory=list)
    loaded_years: list[int] = field(default_factory=list)


def stage(grid: Grid, m: Mapping, txn: Any) -> StageReport:
    """Write the table's canonical rows per year and its quarantine into ``txn``."""

    from silkroad.store.schema import write_canonical_rows, write_rejected_rows

    reading = read_table(grid, m)
    source = m.source
    label = str(grid.path)
    loaded = [c.row for c in reading.cells if c.row is not None]
    markers = [
        {
            "year": year,
            "month": month,
            "exporter": exporter,
            "importer": importer,
            "declared_by": "exporter" if exporter == m.reporter else "importer",
            "re_flow": False,
            "classification": "TOTAL",
            "product": "TOTAL",
            "value_usd": None,
            "weight_kg": None,
            "quantity": None,
            "quantity_unit": None,
        }
        for year, month, exporter, importer in sorted(
            reading.missing_flows, key=lambda k: (k[0], k[1] or 0, k[2], k[3])
        )
    ]
    rejected = [
        {
            "source": source,
            "file": label,
            "year": c.year,
            "line": c.line,
            "field": c.field,
            "code": c.code,
            "reason": c.reason,
            "raw": c.raw,
        }
        for c in reading.cells
        if c.row is None
    ]
    # A year of missing flows only is still a year the table gives (as unknown, not absent).
    years = sorted(
        {r["year"] for r in loaded + markers} | {r["year"] for r in rejected if r["year"]}
    )
    for y in years:
        rows = [r for r in loaded + markers if r["year"] == y]
        write_canonical_rows(rows, source, txn.year_path(y))
    write_rejected_rows(rejected, txn.rejected_path)
    report = StageReport(
        rows_read=len(reading.cells),
        rows_loaded=len(loaded),
        rows_rejected=len(rejected),
        cells_missing=reading.missing,
        residuals=reading.residuals,
        missing_flows=len(markers),
        years=years,
    )
    for r in rejected:
        report.rejected_by_reason[r["code"]] = report.rejected_by_reason.get(r["code"], 0) + 1
    report.rejected_by_reason = dict(sorted(report.rejected_by_reason.items()))
    report.classifications = sorted({r["classification"] for r in loaded})
    report.loaded_years = sorted({r["year"] for r in loaded})
    return report


def preview(path: str | Path, mapping: Any, rows: int = 10) -> tuple[Mapping, Grid, Reading]:
    """How the first ``rows`` data rows of the table would be read (``silkroad mapping-check``)."""
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    grid = read_grid(path, m)
    return m, grid, read_table(grid, m, limit=rows)


__all__ = [
    "Mapping",
    "StageReport",
    "describe_columns",
    "load_mapping",
    "preview",
    "read_grid",
    "read_table",
    "stage",
]
