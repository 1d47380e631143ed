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

import csv
import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from silkroad.errors import FormatError, InputError
from silkroad.sources.aggregates import Item, split_aggregates

KIND = "comtrade"
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
OTHER_CLASSIFICATIONS = {
    "S1": "SITC Rev. 1",
    "S2": "SITC Rev. 2",
    "S3": "SITC Rev. 3",
    "S4": "SITC Rev. 4",
    "ST": "SITC as reported",
    "SITC": "SITC",
    "B4": "BEC Rev. 4",
    "B5": "BEC Rev. 5",
    "BEC": "BEC",
    "EB": "EBOPS (services)",
    "EB02": "EBOPS 2002 (services)",
    "EB10": "EBOPS 2010 (services)",
}


def _other_classification(code: str) -> str | None:
    """The name of a non-HS classification code ('S3' -> 'SITC Rev. 3'), else None."""
    code = code.strip().upper()
    if code in OTHER_CLASSIFICATIONS:
        return OTHER_CLASSIFICATIONS[code]
    return "EBOPS (services)" if code.startswith("EB") else None


#: Flow code (current letters and legacy numbers) -> (reporter is exporter, re-flow).
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


def _norm(name: str) -> str:
    """Header key: lower case, letters and digits only ('Trade Value (US$)' -> 'tradevalueus')."""
    return re.sub(r"[^a-z0-9]", "", name.strip().lower())


#: Canonical field -> normalised header spellings (current API/CSV, legacy 22/35 columns, legacy
#: API JSON: pfCode, yr, rgCode, rtCode, ptCode, ptCode2, cstCode, qtCode, qtDesc, ...).
ALIASES: dict[str, tuple[str, ...]] = {
    "classification": ("classificationcode", "classification", "pfcode"),
    "year": ("refyear", "year", "yr"),
    "period": ("period",),
    "month": ("refmonth",),
    "freq": ("freqcode",),
    "flow": ("flowcode", "tradeflowcode", "rgcode"),
    "reporter": ("reportercode", "rtcode"),
    "partner": ("partnercode", "ptcode"),
    "partner2": ("partner2code", "2ndpartnercode", "ptcode2"),
    "customs": ("customscode", "customsproccode", "cstcode"),
    "mot": ("motcode", "modeoftransportcode"),
    "cmd": ("cmdcode", "commoditycode"),
    "qty_unit_code": ("qtyunitcode", "qtcode"),
    "qty_unit": ("qtyunitabbr", "qtyunit", "qtdesc"),
    "qty": ("qty", "tradequantity"),
    "netwgt": ("netwgt", "netweightkg", "netweight"),
    "value": ("primaryvalue", "tradevalueus", "tradevalue"),
    "cif": ("cifvalue", "ciftradevalue", "ciftradevalueus"),
    "fob": ("fobvalue", "fobtradevalue", "fobtradevalueus"),
}

_API_IGNORED = [
    # current API record fields (FORMATS.md 2.3) not in ALIASES
    *("typeCode", "refPeriodId", "reporterISO", "reporterDesc", "flowDesc", "partnerISO"),
    *("partnerDesc", "partner2ISO", "partner2Desc", "classificationSearchCode"),
    *("isOriginalClassification", "cmdDesc", "aggrLevel", "isLeaf", "customsDesc", "mosCode"),
    *("motDesc", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty"),
    *("isAltQtyEstimated", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated"),
    *("legacyEstimationFlag", "isReported", "isAggregate"),
]
_LEGACY_IGNORED = [
    # legacy CSV (FORMATS.md 2.6) and the real sample's spellings
    *("Period Desc.", "Aggregate Level", "Is Leaf Code", "Trade Flow", "TradeFlow", "Reporter"),
    *("Reporter ISO", "Partner", "Partner ISO", "2nd Partner", "2nd Partner ISO", "Customs"),
    *("Mode of Transport", "Commodity", "Alt Qty Unit Code", "Alt Qty Unit", "Alt Qty"),
    *("Gross weight (kg)", "GrossWeightkg", "Flag"),
]
_LEGACY_JSON_IGNORED = [
    # legacy API JSON records (FORMATS.md 2.6) not in ALIASES
    *("periodDesc", "IsLeaf", "rgDesc", "rtTitle", "rt3ISO", "ptTitle", "pt3ISO", "ptTitle2"),
    *("pt3ISO2", "cstDesc", "cmdDescE", "qtAltCode", "qtAltDesc", "AltQuantity"),
    *("GrossWeight", "estCode"),
]

#: Columns that are known but not read (descriptions, flags, alternative quantities, ...).
IGNORED = frozenset(_norm(n) for n in [*_API_IGNORED, *_LEGACY_IGNORED, *_LEGACY_JSON_IGNORED])

REQUIRED = ("flow", "reporter", "partner", "cmd", "value")

_INDEX = {alias: key for key, aliases in ALIASES.items() for alias in aliases}


@dataclass
class Record:
    """One input record: its fields by canonical name, its line and its raw text."""

    line: int
    raw: str
    fields: dict[str, str]
    nfields_ok: bool = True


@dataclass
class ComtradeInput:
    """A Comtrade file as found on disk, parsed into records (files are API-sized)."""

    path: Path
    variant: str  # 'api-json', 'csv', 'legacy-csv', 'legacy-json'
    records: list[Record]
    sha256: str

    def reporters(self) -> dict[str, int]:
        """Reporter ISO3 (or the raw code when unknown) -> number of records."""
        out: dict[str, int] = {}
        for r in self.records:
            iso = _reporter_iso(r.fields.get("reporter", ""))
            key = iso or r.fields.get("reporter", "").strip() or "?"
            out[key] = out.get(key, 0) + 1
        return out


@dataclass
class StageReport:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    years: list[int] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    by_year: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    classifications: list[str] = field(default_factory=list)
    residuals: int = 0  # totals kept as the part their detail does not cover


# --- reading ---------------------------------------------------------------------------------------
def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise FormatError("the gzip file is truncated or damaged", path=path) from exc
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _map_header(names: list[str], path: Path) -> tuple[list[str | None], str]:
    """Canonical name (or None for ignored) per column, and the variant; FormatError otherwise."""
    keys: list[str | None] = []
    unknown = []
    for name in names:
        n = _norm(name)
        if not n:  # the trailing empty column of web exports
            keys.append(None)
        elif n in _INDEX:
            keys.append(_INDEX[n])
        elif n in IGNORED:
            keys.append(None)
        else:
            keys.append(None)
            unknown.append(name.strip())
    present = {k for k in keys if k}
    missing = [k for k in REQUIRED if k not in present]
    if "year" not in present and "period" not in present:
        missing.append("year")
    if unknown or missing:
        what = []
        if unknown:
            what.append("unknown column(s) " + ", ".join(repr(u) for u in unknown[:5]))
        if missing:
            what.append("no column for " + ", ".join(missing))
        raise FormatError(
            "not a UN Comtrade file (" + "; ".join(what) + ")",
            path=path,
            line=1,
            expected="the API JSON/CSV fields (reporterCode, flowCode, partnerCode, cmdCode, "
            "primaryValue, ...), the legacy CSV header (Trade Flow Code, Reporter Code, ...) "
            "or the legacy JSON fields (rgCode, rtCode, ptCode, cmdCode, TradeValue, ...)",
        )
    dup = sorted({k for k in present if keys.count(k) > 1})
    if dup:
        raise FormatError("columns given twice", path=path, line=1, found=", ".join(dup))
    legacy = any(_norm(n) in ("tradeflowcode", "commoditycode") for n in names)
    return keys, "legacy-csv" if legacy else "csv"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def inspect_input(path: str | Path) -> ComtradeInput:
    """Read a Comtrade JSON response or CSV export; raise a one-line error if it is neither."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError("file not found", path=path, expected="a UN Comtrade JSON or CSV file")
    if path.is_dir():
        raise InputError("a directory", path=path, expected="one UN Comtrade JSON or CSV file")
    data = _read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    text = _decode(data)
    if text.lstrip().startswith(("{", "[")):
        records, variant = _json_records(text, path)
    else:
        records, variant = _csv_records(text, path)
    _refuse_other_classifications(records, path)
    return ComtradeInput(path, variant, records, sha)


def _one_line(*parts: object) -> str:
    """Non-empty parts joined by '; ', each on one line (API messages may hold newlines)."""
    texts = [" ".join(str(p).split()) for p in parts if p not in (None, "")]
    return "; ".join(t for t in texts if t)


def _json_records(text: str, path: Path) -> tuple[list[Record], str]:
    """Records of an API response: current (``data``) or legacy (``validation``, ``dataset``)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            "not valid JSON (truncated download?)", path=path, found=str(exc)
        ) from exc
    if isinstance(doc, dict) and "data" not in doc and ("dataset" in doc or "validation" in doc):
        rows, variant, array = _legacy_dataset(doc, path), "legacy-json", "dataset"
    else:
        if (
            isinstance(doc, dict)
            and not doc.get("data")
            and (doc.get("error") or doc.get("message"))
        ):
            raise FormatError(
                "the UN Comtrade API answered with an error, not data",
                path=path,
                found=_one_line(doc.get("statusCode"), doc.get("error") or doc.get("message")),
                hint="fix the query or the key and download again",
            )
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            found = ", ".join(sorted(doc)[:6]) if isinstance(doc, dict) else type(doc).__name__
            raise FormatError(
                "not a UN Comtrade API response (no 'data' array)",
                path=path,
                found=found,
                expected='{"data": [...]} from comtradeapi.un.org, or the legacy '
                '{"validation": ..., "dataset": [...]}',
            )
        rows, variant, array = doc["data"], "api-json", "data"
    names: list[str] = []
    for row in rows:
        if not isinstance(row, dict):
            raise FormatError(
                f"a {array!r} element is not an object", path=path, found=repr(row)[:60]
            )
        for k in row:
            if k not in names:
                names.append(k)
    if not rows:
        return [], variant
    keys, _ = _map_header(names, path)
    key_of = dict(zip(names, keys, strict=True))
    out = []
    for n, row in enumerate(rows, start=1):  # the record's position is its "line"
        fields = {key_of[k]: _text(v) for k, v in row.items() if key_of[k]}
        out.append(Record(n, json.dumps(row, ensure_ascii=False, sort_keys=False), fields))
    return out, variant


def _legacy_dataset(doc: dict[str, Any], path: Path) -> list[Any]:
    """The ``dataset`` of a legacy API response; FormatError when it reports an error instead."""
    validation = doc.get("validation")
    validation = validation if isinstance(validation, dict) else {}
    status = validation.get("status")
    name = status.get("name") if isinstance(status, dict) else None
    if name is not None and str(name).strip().lower() != "ok":
        assert isinstance(status, dict)
        raise FormatError(
            "the legacy UN Comtrade API answered with an error, not data",
            path=path,
            found=_one_line(name, status.get("description"), validation.get("message")),
            hint="fix or narrow the query (fewer reporters, partners, periods or codes) "
            "and download again",
        )
    rows = doc.get("dataset")
    if not isinstance(rows, list):
        raise FormatError(
            "not a legacy UN Comtrade API response (no 'dataset' array)",
            path=path,
            found=", ".join(sorted(doc)[:6]),
            expected='{"validation": ..., "dataset": [...]} from comtrade.un.org/api/get',
        )
    count = validation.get("count")
    total = count.get("value") if isinstance(count, dict) else None
    if isinstance(total, int) and not isinstance(total, bool) and total > len(rows):
        raise FormatError(
            f"the response is truncated: its validation counts {total} records, its dataset "
            f"holds {len(rows)}",
            path=path,
            hint="split the query (by period, partner or chapter) below the 'max' records "
            "the API returns",
        )
    return rows


def _refuse_other_classifications(records: list[Record], path: Path) -> None:
    """A file of SITC/BEC/EBOPS records only fails here rather than loading nothing."""
    other: dict[str, int] = {}
    for r in records:
        code = r.fields.get("classification", "").strip().upper()
        if _other_classification(code) is None:
            if code:
                return  # an HS (or unreadable) record: the file goes through the record checks
            continue
        other[code] = other.get(code, 0) + 1
    if not other:
        return
    names = ", ".join(f"{_other_classification(c)} ({c})" for c in sorted(other))
    n = sum(other.values())
    raise InputError(
        f"{names} is not supported yet: silkroad's products, their levels (hs2, hs4, hs6) and "
        "concordances are HS codes, and these codes belong to another nomenclature",
        path=path,
        found=f"{n} record{'s' if n != 1 else ''}, none in HS",
        expected="a download in HS (classification H0-H6; legacy px=HS)",
    )


def _csv_records(text: str, path: Path) -> tuple[list[Record], str]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FormatError("empty file", path=path, expected="a UN Comtrade CSV with a header")
    first = lines[0]
    delim = "\t" if first.count("\t") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delim))
    keys, variant = _map_header(header, path)
    out = []
    for n, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        values = next(csv.reader([raw], delimiter=delim))
        # A trailing delimiter on data lines only, or missing on them only, is the same record.
        if len(values) == len(header) + 1 and not values[-1].strip():
            values = values[:-1]
        elif len(values) == len(header) - 1 and keys[-1] is None and not header[-1].strip():
            values = [*values, ""]
        ok = len(values) == len(header)
        fields = {k: v.strip() for k, v in zip(keys, values, strict=False) if k}
        out.append(Record(n, raw, fields, ok))
        if not ok:
            out[-1].fields["_nfields"] = str(len(values))
    return out, variant


# --- mapping ---------------------------------------------------------------------------------------
def _int(text: str) -> int | None:
    try:
        f = float(text)
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


def _reporter_iso(code: str) -> str | None:
    from silkroad.reference.countries import is_aggregate, iso3_from_numeric

    n = _int(code.strip()) if code.strip() else None
    if n is None or is_aggregate(n):
        return None
    return iso3_from_numeric(n)


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
    return cmd.zfill(width), None


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
    row: dict[str, Any] = {"reporter": reporter}
    year_text = f.get("year") or f.get("period", "")[:4]
    year = _int(year_text) if year_text else None
    if year is None or not 1900 <= year <= 2100:
        raise _Reject("refYear", "bad_year", f"found {year_text!r}, expected a year")
    row["year"] = year
    period = f.get("period", "")
    month = None
    if len(period) == 6 and period.isdigit():
        month = int(period[4:])
        if not 1 <= month <= 12 or int(period[:4]) != year:
            raise _Reject("period", "bad_period", f"found {period!r}, expected YYYY or YYYYMM")
    row["month"] = month
    flow = f.get("flow", "").upper()
    flow = str(_int(flow)) if _int(flow) is not None else flow
    if flow not in FLOWS:
        raise _Reject(
            "flowCode",
            "other_flow",
            f"flow {flow or '(empty)'!r} is not loaded: only X, M, RX, RM (legacy 2, 1, 3, 4); "
            "sub-flows are not additive with X and M",
        )
    reporter_exports, re_flow = FLOWS[flow]
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
    for key, name, total_values, total in (
        ("partner2", "partner2Code", ("", "0"), "0"),
        ("customs", "customsCode", ("", "C00"), "C00"),
        ("mot", "motCode", ("", "0"), "0"),
    ):
        value = f.get(key, "")
        norm = str(_int(value)) if key != "customs" and _int(value) is not None else value.upper()
        if norm not in total_values:
            raise _Reject(
                name,
                "breakdown_duplicate",
                f"{name} {value} is a breakdown of the {name} {total} total, which is kept; "
                "loading it would count the trade twice",
            )
    cmd = f.get("cmd", "")
    product, cls = _product(cmd)
    if cls is None:
        if raw_cls not in CLASSIFICATIONS:
            what = " (HS as reported: no edition named)" if raw_cls == "HS" else ""
            raise _Reject(
                "classificationCode",
                "bad_classification",
                f"found {raw_cls or '(empty)'!r}{what}, expected an HS edition H0-H6",
            )
        cls = CLASSIFICATIONS[raw_cls]
    row["classification"], row["product"] = cls, product
    value = _number(f.get("value", ""))
    if value is None:  # fall back on the CIF (imports) or FOB (exports) value
        value = _number(f.get("fob" if reporter_exports else "cif", ""))
    if value is None or value == "bad":
        raise _Reject(
            "primaryValue", "bad_value", f"found {f.get('value', '')!r}, expected a value in USD"
        )
    assert isinstance(value, float)
    if value < 0:
        raise _Reject(
            "primaryValue", "negative_value", f"found {value:g}, expected a value >= 0 (USD)"
        )
    row["value_usd"] = value
    weight = _number(f.get("netwgt", ""))
    if weight == "bad" or (isinstance(weight, float) and weight < 0):
        raise _Reject(
            "netWgt", "bad_weight", f"found {f.get('netwgt')!r}, expected kg >= 0 or empty"
        )
    row["weight_kg"] = weight if weight else None  # 0 kg: not reported (FORMATS.md 6.7)
    qty = _number(f.get("qty", ""))
    if qty == "bad" or (isinstance(qty, float) and qty < 0):
        raise _Reject("qty", "bad_quantity", f"found {f.get('qty')!r}, expected >= 0 or empty")
    unit = f.get("qty_unit", "").strip()
    unit_code = _int(f.get("qty_unit_code", "")) if f.get("qty_unit_code") else None
    no_unit = unit.upper() in ("", "N/A", "NA", "NO QUANTITY", "-1") or unit_code in (-1,)
    if qty is None or no_unit:
        row["quantity"], row["quantity_unit"] = None, None
    else:
        row["quantity"], row["quantity_unit"] = qty, unit
    if reporter_exports:
        row["exporter"], row["importer"], row["declared_by"] = reporter, partner, "exporter"
    else:
        row["exporter"], row["importer"], row["declared_by"] = partner, reporter, "importer"
    row["re_flow"] = re_flow
    return row


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
def _level(product: str) -> int:
    return 0 if product == "TOTAL" else len(product)


def stage(inp: ComtradeInput, reporter: str, txn: object) -> StageReport:
    """Map ``inp``'s records of ``reporter`` into ``txn``'s staging area; return the counts."""

    from silkroad.store.schema import write_canonical_rows, write_rejected_rows
    from silkroad.store.store import WriteTransaction

    assert isinstance(txn, WriteTransaction)
    source = source_id(reporter)
    label = str(inp.path)
    rejected: list[dict[str, Any]] = []
    good: list[tuple[Record, dict[str, Any]]] = []

    def reject(rec: Record, year: int | None, fld: str | None, code: str, reason: str) -> None:
        rejected.append(
            {
                "source": source,
                "file": label,
                "year": year,
                "line": rec.line,
                "field": fld,
                "code": code,
                "reason": reason,
                "raw": rec.raw,
            }
        )

    def year_of(rec: Record) -> int | None:
        y = _int(rec.fields.get("year") or rec.fields.get("period", "")[:4] or "x")
        return y if y is not None and 1900 <= y <= 2100 else None

    for rec in inp.records:
        if rec.nfields_ok and _reporter_iso(rec.fields.get("reporter", "")) not in (None, reporter):
            other = _reporter_iso(rec.fields["reporter"])
            reject(
                rec,
                year_of(rec),
                "reporterCode",
                "other_reporter",
                f"reporter {other} (not selected; this ingest loads {reporter})",
            )
            continue
        try:
            row = _map(rec)
        except _Reject as r:
            reject(rec, year_of(rec), r.field, r.code, r.reason)
            continue
        good.append((rec, row))

    # Duplicates: one value per flow, whatever the classification (several editions of the same
    # reporter-year would otherwise add up).
    seen: dict[tuple[Any, ...], int] = {}
    unique: list[tuple[Record, dict[str, Any]]] = []
    for rec, row in good:
        key = (row["year"], row["month"], row["exporter"], row["importer"], row["re_flow"])
        key += (row["product"],)
        if key in seen:
            reject(
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

    # Months beside the annual row of the same flow: the annual total is kept, the months
    # would add the year a second time.
    annual = {
        (r["year"], r["exporter"], r["importer"], r["re_flow"], r["product"]): rec.line
        for rec, r in unique
        if r["month"] is None
    }
    kept: list[tuple[Record, dict[str, Any]]] = []
    for rec, row in unique:
        ak = (row["year"], row["exporter"], row["importer"], row["re_flow"], row["product"])
        if row["month"] is not None and ak in annual:
            reject(
                rec,
                row["year"],
                "period",
                "breakdown_duplicate",
                f"month {row['month']} of a flow whose annual total (line {annual[ak]}) is "
                "kept; loading both would count the year twice",
            )
            continue
        kept.append((rec, row))
    unique = kept

    # Product totals beside their detail: the detail is kept, a total is either an aggregate
    # (quarantined) or kept as the residual its detail does not cover (sources/aggregates.py).
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
            reject(rec, row["year"], "cmdCode", d.code or "aggregate_product", d.reason or "")
            continue
        if d.action == "residual":
            residuals += 1
            row = {**row, "value_usd": d.value_usd, "weight_kg": d.weight_kg}
            row["quantity"] = row["quantity_unit"] = None
        loaded.append(row)

    report = StageReport()
    mine = [r for r in rejected if r["code"] != "other_reporter"]
    years = sorted({r["year"] for r in loaded} | {r["year"] for r in mine if r["year"]})
    for y in years:
        rows = [r for r in loaded if r["year"] == y]
        write_canonical_rows(rows, source, txn.year_path(y))
        rej_y = sum(1 for r in rejected if r["year"] == y)
        report.by_year[y] = (len(rows) + rej_y, len(rows), rej_y)
    write_rejected_rows(rejected, txn.rejected_path)
    report.rows_read = len(inp.records)
    report.rows_loaded = len(loaded)
    report.residuals = residuals
    report.rows_rejected = len(rejected)
    report.years = years
    for r in rejected:
        report.rejected_by_reason[r["code"]] = report.rejected_by_reason.get(r["code"], 0) + 1
    report.rejected_by_reason = dict(sorted(report.rejected_by_reason.items()))
    report.classifications = sorted({r["classification"] for r in loaded})
    return report


def input_digest(inp: ComtradeInput, reporter: str) -> str:
    """The input's sha256, tied to the reporter chosen (one file can feed several sources)."""
    return hashlib.sha256(f"{inp.sha256}:{reporter}".encode()).hexdigest()


__all__ = [
    "ALIASES",
    "CLASSIFICATIONS",
    "FLOWS",
    "ComtradeInput",
    "StageReport",
    "choose_reporter",
    "input_digest",
    "inspect_input",
    "source_id",
    "stage",
]
