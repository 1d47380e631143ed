"""UN Comtrade file variants read into records: JSON responses, CSV exports, legacy API files.

:mod:`silkroad.sources.comtrade` maps the records to canonical rows; this module only tells the
variants apart (by content), maps their headers through one alias table and splits the records.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkroad.errors import FormatError, InputError

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
    #: the CSV starts with silkroad's synthetic-data line (the demo's declarations)
    synthetic: bool = False

    def reporters(self) -> dict[str, int]:
        """Reporter ISO3 (or the raw code when unknown) -> number of records."""
        out: dict[str, int] = {}
        for r in self.records:
            iso = _reporter_iso(r.fields.get("reporter", ""))
            key = iso or r.fields.get("reporter", "").strip() or "?"
            out[key] = out.get(key, 0) + 1
        return out


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


def _map_header(names: list[str], path: Path, line: int = 1) -> tuple[list[str | None], str]:
    """Canonical name (or None for ignored) per column, and the variant; FormatError otherwise
    (naming ``line``, the header's line: 2 below the synthetic-data label)."""
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
            line=line,
            expected="the API JSON/CSV fields (reporterCode, flowCode, partnerCode, cmdCode, "
            "primaryValue, ...), the legacy CSV header (Trade Flow Code, Reporter Code, ...) "
            "or the legacy JSON fields (rgCode, rtCode, ptCode, cmdCode, TradeValue, ...)",
        )
    dup = sorted({k for k in present if keys.count(k) > 1})
    if dup:
        raise FormatError("columns given twice", path=path, line=line, found=", ".join(dup))
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
    try:
        if text.lstrip().startswith(("{", "[")):
            records, variant = _json_records(text, path)
        else:
            records, variant = _csv_records(text, path)
    except RecursionError as exc:
        raise FormatError(
            "the JSON is nested too deeply to be a UN Comtrade response",
            path=path,
            expected='{"data": [ {record}, ... ]} with flat records',
        ) from exc
    _refuse_other_classifications(records, path)
    synthetic = variant in ("csv", "legacy-csv") and _synthetic_label(text)
    return ComtradeInput(path, variant, records, sha, synthetic=synthetic)


def _synthetic_label(text: str) -> bool:
    """True if ``text`` starts with the line silkroad writes on CSV made from synthetic data."""
    from silkroad.results import SYNTHETIC_CSV_LINE

    return LINE_END.split(text, maxsplit=1)[0].strip() == SYNTHETIC_CSV_LINE.strip()


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
        fields = {str(key_of[k]): _text(v) for k, v in row.items() if key_of[k]}
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


#: Line ends of CSV files: CR LF, LF or CR only. ``str.splitlines`` also splits on form feeds,
#: U+0085 (a cp1252 ellipsis read as Latin-1), U+2028 and more, which may occur inside a field.
LINE_END = re.compile(r"\r\n|\n|\r")


def _csv_records(text: str, path: Path) -> tuple[list[Record], str]:
    lines = LINE_END.split(text)
    # the synthetic-data label (silkroad's demo declarations) stands above the header
    skip = 1 if _synthetic_label(text) else 0
    if len(lines) <= skip or not lines[skip].strip():
        raise FormatError("empty file", path=path, expected="a UN Comtrade CSV with a header")
    first = lines[skip]
    delim = "\t" if first.count("\t") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delim))
    keys, variant = _map_header(header, path, line=skip + 1)
    out = []
    for n, raw in enumerate(lines[skip + 1 :], start=skip + 2):
        if not raw.strip():
            continue
        try:
            values = next(csv.reader([raw], delimiter=delim))
        except csv.Error as exc:
            raise FormatError(
                "a record cannot be split into fields",
                path=path,
                line=n,
                found=str(exc),
                expected=f"fields of at most {csv.field_size_limit():,} characters",
            ) from exc
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


#: A code as Comtrade writes it: digits (a JSON number may come as '112.0'); not '1e2'.
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")


def _int(text: str) -> int | None:
    """The integer a code field holds ('112', '112.0'), else None ('1e2', '111.9', 'abc')."""
    t = text.strip()
    if not _INTEGER.fullmatch(t):
        return None
    return int(t.split(".")[0])


def _reporter_iso(code: str) -> str | None:
    from silkroad.reference.countries import is_aggregate, iso3_from_numeric

    n = _int(code.strip()) if code.strip() else None
    if n is None or is_aggregate(n):
        return None
    return iso3_from_numeric(n)
