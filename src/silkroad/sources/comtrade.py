"""UN Comtrade: API JSON responses, CSV/bulk exports and legacy API JSON/CSV (FORMATS.md section 2).

Accepted inputs, told apart by their content (not their names):

* the current API's JSON response, ``{"data": [ {record}, ... ]}`` (2.2, 2.3);
* CSV or tab-separated exports of the same records (camelCase or capitalised headers, casing
  variants such as ``cifvalue``/``cifValue``, a trailing empty column), optionally gzipped (2.5);
* the legacy API CSV, 22 or 35 columns, in either header spelling (``Trade Flow Code`` or
  ``TradeFlow Code``, ``Netweight (kg)`` or ``Netweightkg``, ...) (2.6);
* the legacy API JSON, ``{"validation": {...}, "dataset": [ {"pfCode", "yr", "rgCode", "rtCode",
  "ptCode", "cmdCode", "TradeValue", ...}, ... ]}`` (2.6); a response whose validation status is
  not "Ok" (an error the API returned instead of data) fails with that error in one line.

Headers go through one alias table (case, spaces and punctuation ignored); a file with an
unknown column, or without the columns a flow needs, fails with one line naming them.

Each record becomes one canonical row declared by its reporter: exports (X, legacy 2) and
re-exports (RX, 3) have exporter = reporter, ``declared_by = 'exporter'``; imports (M, 1) and
re-imports (RM, 4) have importer = reporter, ``declared_by = 'importer'``. Nothing is dropped
silently: every record is loaded or quarantined with its line and reason, and
``rows_read = rows_loaded + rows_rejected``. Quarantined on purpose (see docs/comtrade.md):

* ``other_flow``: sub-flows (DX, FM, MIP, ...) that are not additive with X and M;
* ``breakdown_duplicate``: partner2 / customs procedure / transport mode breakdowns, whose
  totals (partner2 0, customs C00, transport 0) are kept; summing them would multiply trade;
* ``aggregate_product``: a product code whose detail, also in the input, adds up to it (TOTAL
  beside its chapters, a chapter beside its headings), so that product sums count each dollar
  once; a total *larger* than its detail is kept as the residual the detail does not cover
  (confidential trade, products not asked for), and one smaller than its detail is quarantined
  as ``aggregate_below_detail`` (:mod:`silkroad.sources.aggregates`);
* ``other_reporter``: rows of reporters other than the one selected with ``--reporter``;
* ``unsupported_classification``: SITC (S1-S4), BEC or EBOPS records: silkroad's products are
  HS codes (H0-H6). A file holding nothing else fails with one line instead.

Partner World (0) and area/"nes" codes are kept as rows with an aggregate code (``WLD`` for
World, ``EUN`` for the EU, ``_X`` Areas nes, ``X1`` bunkers, ``X2`` free zones, ``XX`` special
categories, the three-digit Comtrade code for regional "nes" areas); all of them satisfy
:func:`silkroad.reference.countries.is_aggregate`, so no analysis counts them as a partner.

One ingest holds one reporter: the source id is ``comtrade-<iso3>`` (``comtrade-blr``), so that
a later ingest of the same reporter's years replaces them and different reporters coexist.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkroad.errors import InputError
from silkroad.sources.aggregates import Item, split_aggregates
from silkroad.sources.base import (
    COMTRADE,
    FIRST_YEAR,
    Input,
    Progress,
    StageReport,
    last_year,
    plausible_year,
    residual_note,
    span,
)
from silkroad.sources.comtrade_files import (
    ALIASES,
    OTHER_CLASSIFICATIONS,
    ComtradeInput,
    Record,
    _int,
    _other_classification,
    _reporter_iso,
    inspect_input,
)

if TYPE_CHECKING:
    from silkroad.store.store import WriteTransaction

KIND = COMTRADE.name
SOURCE_VERSION = "declared"

#: Comtrade HS editions -> canonical classification.
CLASSIFICATIONS = {
    "H0": "HS92",
    "H1": "HS96",
    "H2": "HS02",
    "H3": "HS07",
    "H4": "HS12",
    "H5": "HS17",
    "H6": "HS22",
}

#: Comtrade classifications that are not HS editions -> their name. Their records are
#: quarantined (``unsupported_classification``): silkroad's products, levels (hs2/hs4/hs6) and
#: concordances are HS, and a SITC or BEC code read as an HS code would be another product.
#: Services (EBOPS, any code starting with 'EB') are refused the same way.
FLOWS = {
    "X": (True, False),
    "M": (False, False),
    "RX": (True, True),
    "RM": (False, True),
    "2": (True, False),
    "1": (False, False),
    "3": (True, True),
    "4": (False, True),
}

#: Numeric aggregate codes -> the code stored in the exporter/importer column. Regional "nes"
#: codes not listed here are stored as their three-digit code (e.g. '568').
AGGREGATE_CODES = {
    0: "WLD",
    97: "EUN",
    918: "EUN",
    899: "_X",
    837: "X1",
    838: "X2",
    839: "XX",
}


# --- mapping ---------------------------------------------------------------------------------------
def _partner_code(n: int) -> str | None:
    from silkroad.reference.countries import is_aggregate, iso3_from_numeric

    if is_aggregate(n):
        return AGGREGATE_CODES.get(n, f"{n:03d}")
    return iso3_from_numeric(n)


def _number(text: str) -> float | str | None:
    """A number, None when empty, or the string 'bad'."""
    if text == "" or text.lower() in ("null", "none", "nan", "na"):
        return None
    try:
        value = float(text)
    except ValueError:
        return "bad"
    if value != value or value in (float("inf"), float("-inf")):
        return "bad"
    return value


class _Reject(Exception):
    def __init__(self, fld: str | None, code: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.code, self.reason = fld, code, reason


def _product(cmd: str) -> tuple[str, str | None]:
    """(product, None) or raise: TOTAL, or digits padded to 2/4/6."""
    if cmd.upper() == "TOTAL":
        return "TOTAL", "TOTAL"
    if not cmd.isdigit() or len(cmd) > 6:
        raise _Reject(
            "cmdCode", "bad_product", f"found {cmd!r}, expected TOTAL or an HS code of 2-6 digits"
        )
    width = 2 if len(cmd) <= 2 else 4 if len(cmd) <= 4 else 6
    code = cmd.zfill(width)
    if code.startswith("00"):
        raise _Reject(
            "cmdCode", "bad_product", f"found {cmd!r}, expected an HS code of chapter 01-99"
        )
    return code, None


def _map(rec: Record) -> dict[str, Any]:
    """Canonical row of a record (with 'reporter' for selection); raise _Reject on a problem."""
    f = rec.fields
    if not rec.nfields_ok:
        raise _Reject(None, "field_count", f"found {f['_nfields']} fields, expected the header's")
    raw_cls = f.get("classification", "").strip().upper()
    other = _other_classification(raw_cls)
    if other is not None:
        raise _Reject(
            "classificationCode",
            "unsupported_classification",
            f"classification {raw_cls} ({other}) is not loaded: silkroad's products are HS "
            "codes; expected H0-H6 (HS)",
        )
    reporter = _map_reporter(f)
    row: dict[str, Any] = {"reporter": reporter, **_map_period(f)}
    reporter_exports, re_flow = _map_flow(f)
    partner = _map_partner(f, reporter)
    _refuse_breakdowns(f)
    row["classification"], row["product"] = _map_product(f, raw_cls)
    row.update(_map_amounts(f, reporter_exports))
    if reporter_exports:
        row["exporter"], row["importer"], row["declared_by"] = reporter, partner, "exporter"
    else:
        row["exporter"], row["importer"], row["declared_by"] = partner, reporter, "importer"
    row["re_flow"] = re_flow
    return row


def _map_reporter(f: dict[str, str]) -> str:
    """The reporter's ISO3; _Reject for a bad, unknown or aggregate code."""
    reporter_raw = f.get("reporter", "")
    rn = _int(reporter_raw)
    if rn is None:
        raise _Reject(
            "reporterCode",
            "bad_country_code",
            f"found {reporter_raw!r}, expected a numeric code",
        )
    reporter = _reporter_iso(reporter_raw)
    if reporter is None:
        from silkroad.reference.countries import is_aggregate

        what = "an aggregate (not an economy)" if is_aggregate(rn) else "an unknown code"
        raise _Reject("reporterCode", "unknown_country", f"reporter {rn} is {what}")
    return reporter


def _map_period(f: dict[str, str]) -> dict[str, Any]:
    """{'year', 'month'} of a record (month None for annual data)."""
    year_text = f.get("year") or f.get("period", "")[:4]
    year = _int(year_text) if year_text else None
    if year is None or not plausible_year(year):
        raise _Reject(
            "refYear",
            "bad_year",
            f"found {year_text!r}, expected a year from {FIRST_YEAR} to {last_year()}",
        )
    period = f.get("period", "")
    month = None
    if len(period) == 6 and period.isdigit():
        month = int(period[4:])
        if not 1 <= month <= 12 or int(period[:4]) != year:
            raise _Reject("period", "bad_period", f"found {period!r}, expected YYYY or YYYYMM")
    return {"year": year, "month": month}


def _map_flow(f: dict[str, str]) -> tuple[bool, bool]:
    """(reporter is the exporter, re-flow) of the record's flow code."""
    flow = f.get("flow", "").upper()
    n = _int(flow)
    flow = str(n) if n is not None else flow
    if flow not in FLOWS:
        raise _Reject(
            "flowCode",
            "other_flow",
            f"flow {flow or '(empty)'!r} is not loaded: only X, M, RX, RM (legacy 2, 1, 3, 4); "
            "sub-flows are not additive with X and M",
        )
    return FLOWS[flow]


def _map_partner(f: dict[str, str], reporter: str) -> str:
    """The partner's ISO3 or aggregate code (WLD, EUN, ...)."""
    partner_raw = f.get("partner", "")
    pn = _int(partner_raw)
    partner = _partner_code(pn) if pn is not None else None
    if partner is None:
        raise _Reject(
            "partnerCode",
            "unknown_country",
            f"found {partner_raw!r}, expected a known partner code",
        )
    if partner == reporter:
        raise _Reject(
            "partnerCode",
            "same_economy",
            f"partner equals reporter ({reporter}): trade with itself is not bilateral",
        )
    return partner


def _refuse_breakdowns(f: dict[str, str]) -> None:
    """Partner2 / customs procedure / transport mode breakdowns duplicate their total."""
    for key, name, total_values, total in (
        ("partner2", "partner2Code", ("", "0"), "0"),
        ("customs", "customsCode", ("", "C00"), "C00"),
        ("mot", "motCode", ("", "0"), "0"),
    ):
        value = f.get(key, "")
        n = _int(value)
        norm = str(n) if key != "customs" and n is not None else value.upper()
        if norm not in total_values:
            raise _Reject(
                name,
                "breakdown_duplicate",
                f"{name} {value} is a breakdown of the {name} {total} total, which is kept; "
                "loading it would count the trade twice",
            )


def _map_product(f: dict[str, str], raw_cls: str) -> tuple[str, str]:
    """(classification, product): TOTAL, or an HS edition and a 2/4/6-digit code."""
    product, cls = _product(f.get("cmd", ""))
    if cls is None:
        if raw_cls not in CLASSIFICATIONS:
            what = " (HS as reported: no edition named)" if raw_cls == "HS" else ""
            raise _Reject(
                "classificationCode",
                "bad_classification",
                f"found {raw_cls or '(empty)'!r}{what}, expected an HS edition H0-H6",
            )
        cls = CLASSIFICATIONS[raw_cls]
    return cls, product


def _map_amounts(f: dict[str, str], reporter_exports: bool) -> dict[str, Any]:
    """value_usd (USD), weight_kg (kg or None), quantity and its unit (or None)."""
    value = _number(f.get("value", ""))
    if value is None:  # fall back on the CIF (imports) or FOB (exports) value
        value = _number(f.get("fob" if reporter_exports else "cif", ""))
    if not isinstance(value, float):
        raise _Reject(
            "primaryValue", "bad_value", f"found {f.get('value', '')!r}, expected a value in USD"
        )
    if value < 0:
        raise _Reject(
            "primaryValue", "negative_value", f"found {value:g}, expected a value >= 0 (USD)"
        )
    out: dict[str, Any] = {"value_usd": value}
    weight = _number(f.get("netwgt", ""))
    if weight == "bad" or (isinstance(weight, float) and weight < 0):
        raise _Reject(
            "netWgt", "bad_weight", f"found {f.get('netwgt')!r}, expected kg >= 0 or empty"
        )
    out["weight_kg"] = weight if weight else None  # 0 kg: not reported (FORMATS.md 6.7)
    qty = _number(f.get("qty", ""))
    if qty == "bad" or (isinstance(qty, float) and qty < 0):
        raise _Reject("qty", "bad_quantity", f"found {f.get('qty')!r}, expected >= 0 or empty")
    unit = f.get("qty_unit", "").strip()
    unit_code = _int(f.get("qty_unit_code", "")) if f.get("qty_unit_code") else None
    no_unit = unit.upper() in ("", "N/A", "NA", "NO QUANTITY", "-1") or unit_code in (-1,)
    if qty is None or no_unit:
        out["quantity"], out["quantity_unit"] = None, None
    else:
        out["quantity"], out["quantity_unit"] = qty, unit
    return out


def resolve_reporter(text: str) -> str:
    from silkroad.reference.countries import resolve_country

    return resolve_country(text)


def source_id(reporter: str) -> str:
    return f"comtrade-{reporter.lower()}"


def choose_reporter(inp: ComtradeInput, reporter: str | None) -> str:
    """The reporter this ingest loads: the one asked for, or the file's only reporter."""
    found = inp.reporters()
    known = sorted(k for k in found if re.fullmatch(r"[A-Z0-9_]{2,3}", k) and not k.isdigit())
    if reporter is not None:
        iso = resolve_reporter(reporter)
        if iso not in found:
            raise InputError(
                f"no rows of reporter {iso}",
                path=inp.path,
                field="--reporter",
                found=", ".join(known[:12]) + (" ..." if len(known) > 12 else "") or "none",
                expected="a reporter of the file",
            )
        return iso
    if len(known) == 1:
        return known[0]
    if not known:
        raise InputError(
            "no record with a known reporter",
            path=inp.path,
            found=", ".join(sorted(found)[:12]) or "no records",
            expected="Comtrade numeric reporter codes (e.g. 112 for Belarus)",
        )
    raise InputError(
        f"the file holds {len(known)} reporters; one ingest loads one reporter",
        path=inp.path,
        found=", ".join(known[:12]) + (" ..." if len(known) > 12 else ""),
        hint="choose one with --reporter ISO3 (e.g. --reporter BLR)",
    )


# --- staging ---------------------------------------------------------------------------------------
Mapped = tuple[Record, dict[str, Any]]


class _Quarantine:
    """Rejected records of one ingest, as quarantine rows."""

    def __init__(self, source: str, label: str) -> None:
        self.source, self.label = source, label
        self.rows: list[dict[str, Any]] = []

    def add(self, rec: Record, year: int | None, fld: str | None, code: str, reason: str) -> None:
        self.rows.append(
            {
                "source": self.source,
                "file": self.label,
                "year": year,
                "line": rec.line,
                "field": fld,
                "code": code,
                "reason": reason,
                "raw": rec.raw,
            }
        )


def _year_of(rec: Record) -> int | None:
    y = _int(rec.fields.get("year") or rec.fields.get("period", "")[:4] or "x")
    return y if y is not None and plausible_year(y) else None


def _select(inp: ComtradeInput, reporter: str, q: _Quarantine) -> list[Mapped]:
    """The selected reporter's records that map to canonical rows; the rest quarantined."""
    good: list[Mapped] = []
    for rec in inp.records:
        other = _reporter_iso(rec.fields.get("reporter", "")) if rec.nfields_ok else None
        if other not in (None, reporter):
            q.add(
                rec,
                _year_of(rec),
                "reporterCode",
                "other_reporter",
                f"reporter {other} (not selected; this ingest loads {reporter})",
            )
            continue
        try:
            row = _map(rec)
        except _Reject as r:
            q.add(rec, _year_of(rec), r.field, r.code, r.reason)
            continue
        good.append((rec, row))
    return good


def _drop_duplicates(good: list[Mapped], q: _Quarantine) -> list[Mapped]:
    """One value per flow, whatever the classification (several editions of the same
    reporter-year would otherwise add up)."""
    seen: dict[tuple[Any, ...], int] = {}
    unique: list[Mapped] = []
    for rec, row in good:
        key: tuple[Any, ...] = (
            row["year"],
            row["month"],
            row["exporter"],
            row["importer"],
            row["re_flow"],
        )
        key += (row["product"],)
        if key in seen:
            q.add(
                rec,
                row["year"],
                "cmdCode",
                "duplicate_key",
                f"flow {row['year']} {row['exporter']}->{row['importer']} {row['product']} "
                f"first seen on line {seen[key]}; expected each flow once",
            )
            continue
        seen[key] = rec.line
        unique.append((rec, row))
    return unique


def _drop_months_beside_annual(unique: list[Mapped], q: _Quarantine) -> list[Mapped]:
    """Months beside the annual row of the same flow: the annual total is kept, the months
    would add the year a second time."""

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["year"], r["exporter"], r["importer"], r["re_flow"], r["product"])

    annual = {key(r): rec.line for rec, r in unique if r["month"] is None}
    kept: list[Mapped] = []
    for rec, row in unique:
        if row["month"] is not None and key(row) in annual:
            q.add(
                rec,
                row["year"],
                "period",
                "breakdown_duplicate",
                f"month {row['month']} of a flow whose annual total (line {annual[key(row)]}) "
                "is kept; loading both would count the year twice",
            )
            continue
        kept.append((rec, row))
    return kept


def _split_totals(unique: list[Mapped], q: _Quarantine) -> tuple[list[dict[str, Any]], int]:
    """Product totals beside their detail: the detail is kept, a total is either an aggregate
    (quarantined) or kept as the residual its detail does not cover (sources/aggregates.py).
    Returns the loaded rows and the number of residuals."""
    decisions = split_aggregates(
        [
            Item(
                (row["year"], row["month"], row["exporter"], row["importer"], row["re_flow"]),
                row["product"],
                row["value_usd"],
                row["weight_kg"],
            )
            for _, row in unique
        ]
    )
    loaded: list[dict[str, Any]] = []
    residuals = 0
    for (rec, row), d in zip(unique, decisions, strict=True):
        if d.action == "reject":
            q.add(rec, row["year"], "cmdCode", d.code or "aggregate_product", d.reason or "")
            continue
        if d.action == "residual":
            residuals += 1
            row = {**row, "value_usd": d.value_usd, "weight_kg": d.weight_kg}
            row["quantity"] = row["quantity_unit"] = None
        loaded.append(row)
    return loaded, residuals


def stage(inp: ComtradeInput, reporter: str, txn: WriteTransaction) -> StageReport:
    """Map ``inp``'s records of ``reporter`` and hand them to ``txn``; return the counts."""
    from silkroad.store.schema import canonical_table, rejected_table

    source = source_id(reporter)
    q = _Quarantine(source, str(inp.path))
    unique = _drop_months_beside_annual(_drop_duplicates(_select(inp, reporter, q), q), q)
    loaded, residuals = _split_totals(unique, q)
    mine = [r for r in q.rows if r["code"] != "other_reporter"]
    years = sorted({r["year"] for r in loaded} | {r["year"] for r in mine if r["year"]})
    if not years:
        reasons: dict[str, int] = {}
        for r in q.rows:
            reasons[r["code"]] = reasons.get(r["code"], 0) + 1
        raise InputError(
            f"nothing to load for reporter {reporter}",
            path=inp.path,
            found=", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "no records",
            expected="records with a year, X/M/RX/RM flows and known codes",
        )
    report = StageReport(residuals=residuals)
    report.classifications = sorted({r["classification"] for r in loaded})
    for y in years:
        n = txn.write_year(y, canonical_table([r for r in loaded if r["year"] == y], source))
        report.add_year(y, n, n, 0)
    report.count_reasons(txn.write_rejected(rejected_table(q.rows)))
    for r in q.rows:  # other reporters' rows and rows without a year count in no year
        if r["year"] in report.by_year:
            report.add_year(r["year"], 1, 0, 1)
        else:
            report.rows_read += 1
            report.rows_rejected += 1
    return report


def input_digest(inp: ComtradeInput, reporter: str) -> str:
    """The input's sha256, tied to the reporter chosen (one file can feed several sources)."""
    return hashlib.sha256(f"{inp.sha256}:{reporter}".encode()).hexdigest()


@dataclass
class ComtradeFile(Input):
    """A Comtrade file as inspected, with the reporter this ingest loads."""

    data: ComtradeInput | None = None
    reporter: str = ""


class ComtradeReader:
    """The reader contract (:mod:`silkroad.sources.base`) for UN Comtrade files."""

    kind = COMTRADE
    options: tuple[str, ...] = ("reporter",)
    unit = "row"

    def inspect(self, path: Path, **options: Any) -> ComtradeFile:
        data = inspect_input(path)
        iso = choose_reporter(data, options.get("reporter"))
        return ComtradeFile(
            path=data.path,
            source=source_id(iso),
            version=SOURCE_VERSION,
            synthetic=data.synthetic,
            data=data,
            reporter=iso,
        )

    def digest(self, inp: Input) -> str:
        f = _file(inp)
        assert f.data is not None
        return input_digest(f.data, f.reporter)

    def stage(
        self, inp: Input, txn: WriteTransaction, progress: Progress | None = None
    ) -> StageReport:
        f = _file(inp)
        assert f.data is not None
        return stage(f.data, f.reporter, txn)

    def classification(self, inp: Input, report: StageReport) -> str:
        # 'TOTAL' rows (World totals) carry no HS edition: name the editions of the detail
        cls = report.classifications
        return ",".join([c for c in cls if c != "TOTAL"] or cls) or "none"

    def message(self, inp: Input, report: StageReport) -> str:
        f = _file(inp)
        variant = f.data.variant if f.data else "?"
        return (
            f"loaded {f.source} ({variant}), reporter {f.reporter}, years {span(report.years)}"
            + residual_note(report.residuals)
        )


def _file(inp: Input) -> ComtradeFile:
    assert isinstance(inp, ComtradeFile)
    return inp


READER = ComtradeReader()


__all__ = [
    "ALIASES",
    "CLASSIFICATIONS",
    "FLOWS",
    "OTHER_CLASSIFICATIONS",
    "ComtradeFile",
    "ComtradeInput",
    "ComtradeReader",
    "StageReport",
    "choose_reporter",
    "input_digest",
    "inspect_input",
    "source_id",
    "stage",
]
