"""The YAML mapping of a national table: which column is what (docs/tables.md)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from silkroad.errors import InputError, ReferenceDataError
from silkroad.sources.base import plausible_year
from silkroad.sources.numbers import UNITS

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
    partner: str  # the partner column ('' when the partner is fixed)
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
    partner_fixed: str | None = None  # ISO3 of the partner of every row (partner: KAZ)
    #: flow: sections: rows take the flow of the section heading above them ('Экспорт ...')
    flow_sections: bool = False
    section_column: str | None = None  # the column holding the headings (default: any)
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
        cols = [self.partner, self.product, self.flow_column, self.section_column]
        cols += [self.year_column]
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
    try:
        reporter = resolve_country(reporter_text)
    except ReferenceDataError as exc:
        raise ReferenceDataError(
            "unknown reporter",
            path=path if path is not None else "(mapping)",
            field="reporter",
            found=reporter_text,
            expected="an ISO3 code or a country name",
            hint=exc.hint,
        ) from exc
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
    elif flow_raw == "sections" or (isinstance(flow_raw, dict) and "sections" in flow_raw):
        pass  # section heading rows ('Экспорт в Казахстан, всего') give the flow below them
    else:
        raise _bad(path, "flow", flow_raw, "exports, imports, header, sections or {column: NAME}")
    partner_column, partner_fixed = _partner_of(data.get("partner"), path, text, reporter)
    m = Mapping(
        name=name,
        reporter=reporter,
        flow=flow,
        flow_column=flow_column,
        partner=partner_column,
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
    m.partner_fixed = partner_fixed
    if flow_raw == "sections" or (isinstance(flow_raw, dict) and "sections" in flow_raw):
        m.flow_sections = True
        if isinstance(flow_raw, dict):
            col = flow_raw["sections"]
            if not isinstance(col, str) or not col.strip():
                raise _bad(path, "flow", flow_raw, "{sections: COLUMN} naming the headings' column")
            m.section_column = col.strip()
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
        if not plausible_year(year):
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


def _partner_of(raw: Any, path: Path | None, text: Any, reporter: str) -> tuple[str, str | None]:
    """(partner column, fixed partner ISO3): ``partner: Страна`` names a column;
    ``partner: KAZ`` (an ISO3 code) or ``partner: {value: Казахстан}`` fixes the partner of
    every row, for a table of the reporter's trade with one economy."""
    from silkroad.reference.countries import resolve_country

    fixed = None
    if isinstance(raw, dict) and "value" in raw:
        fixed = str(raw["value"]).strip()
    elif isinstance(raw, str) and re.fullmatch(r"[A-Z]{3}", raw.strip()):
        fixed = raw.strip()
    if fixed is None:
        return text("partner", True) or "", None
    try:
        iso = resolve_country(fixed)
    except ReferenceDataError as exc:
        raise ReferenceDataError(
            "unknown partner",
            path=path if path is not None else "(mapping)",
            field="partner",
            found=fixed,
            expected="an ISO3 code or a country name",
            hint=exc.hint,
        ) from exc
    if isinstance(raw, str) and iso != fixed:
        return text("partner", True) or "", None  # not a code after all: a column name
    if iso == reporter:
        raise _bad(path, "partner", fixed, "a partner other than the reporter")
    return "", iso


def tnved_edition(year: int) -> str:
    """The HS edition TN VED codes of ``year`` follow (FORMATS.md 5.4)."""
    return (
        "HS22" if year >= 2022 else "HS17" if year >= 2017 else "HS12" if year >= 2012 else "HS07"
    )
