"""HS editions: which edition each year's data is in, and conversion between editions.

Reporters and sources move to each new HS edition (HS92, HS96, … HS22: FORMATS.md 3.1); to compare
headings or subheadings across years in different editions, codes of the newer edition are
converted to the older one with a UNSD correlation table (FORMATS.md 3.3). UNSD publishes only
downward tables (HS2017→HS1992, HS2022→HS2017, …); silkroad does not ship them: the user supplies
one, saved as CSV (Excel workbooks: save the *Correlation* sheet as CSV; reading .xlsx would need
openpyxl, which silkroad does not depend on).

**Table format.** A CSV with a header row (blank or title rows above it are skipped) holding two
code columns named after their editions: ``From HS 2017`` / ``To HS 1992``, ``HS2017`` /
``HS1992``, ``HS17`` / ``HS92`` or Comtrade's ``H5`` / ``H0``. ``From``/``To`` say which way the
table runs; without them the newer edition is the source. Optional columns: ``Relationship``
(``1:1``, ``n:1``, ``1 to n``, ``'n:1`` … kept as ``label`` only) and ``Weight`` (or ``Share``,
the part of the source code's value that goes to the target). Codes are left-padded to six
digits (Excel drops leading zeros); dots, quotes, a leading apostrophe and the ``ex`` marker of
partial coverage are removed. Other columns are ignored.

**Cardinality is recomputed from the pairs**, never taken from the label (orientation of labels
differs between files): a pair is ``1:1`` when its source code has one target and its target one
source, ``n:1`` when several source codes merge into its target, ``1:n`` when its source code is
split among several targets, ``n:n`` when both.

**Allocation.** 1:1 and n:1 pairs move the whole value. A source code split among several targets
(1:n, n:n) is shared out, in this order of preference: by the ``weights`` given to
:func:`convert` (for example each target's trade in a year of the older edition: the trade-weighted
approach of UNCTAD's HSConversion); else by the table's ``Weight`` column; else **equally** among
its targets. Equal shares are the house default because they need no other data and keep totals
exact; they can misplace value between the split subheadings, never between chapters unless the
table itself crosses chapters. Every allocation preserves each row's total: the weights of one
source code sum to 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.errors import AnalysisError, InputError, ReferenceDataError
from silkroad.reference.products import HS_EDITION_YEARS, hs_edition

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair

__all__ = [
    "CorrelationTable",
    "classifications_for",
    "convert",
    "correlation_from_pairs",
    "edition_order",
    "load_correlation",
    "route",
]

PAIR_COLUMNS = ["source_code", "target_code", "weight", "relationship", "label"]

_YEAR_EDITION = {year: ed for ed, year in HS_EDITION_YEARS.items()} | {1992: "HS92"}
_HEADER = re.compile(r"^\s*(?:(from|to)\s+)?(.+?)\s*(?:codes?)?\s*$", re.I)
_HS_YEAR = re.compile(r"^(?:hs|h\.s\.)\s*(\d{4})$", re.I)
_WEIGHT_NAMES = {"weight", "weights", "share", "shares"}
_HEADER_SCAN = 30


@dataclass(frozen=True)
class CorrelationTable:
    """Pairs of HS6 codes from edition ``source`` (newer) to edition ``target`` (older).

    ``pairs`` columns: ``source_code``, ``target_code`` (six-digit strings), ``weight`` (the part
    of the source code's value allocated to the target; sums to 1 per source code),
    ``relationship`` (recomputed: '1:1', 'n:1', '1:n', 'n:n'), ``label`` (the file's own
    relationship label, normalised, or '').
    """

    source: str
    target: str
    pairs: pd.DataFrame
    path: str | None = None
    weighted: bool = False  # True when the weights come from the table's Weight column

    def __repr__(self) -> str:
        where = f", path={self.path!r}" if self.path else ""
        return f"CorrelationTable({self.source}→{self.target}, {len(self.pairs)} pairs{where})"

    def relationships(self) -> dict[str, int]:
        """Number of pairs of each recomputed relationship."""
        counts = self.pairs.relationship.value_counts()
        return {k: int(counts.get(k, 0)) for k in ("1:1", "n:1", "1:n", "n:n")}

    def label_disagreements(self) -> pd.DataFrame:
        """Pairs whose file label fits neither orientation of the recomputed relationship."""
        p = self.pairs
        flipped = p.relationship.str[::-1]
        bad = (p.label != "") & (p.label != p.relationship) & (p.label != flipped)
        return p[bad].reset_index(drop=True)

    def describe(self) -> str:
        name = Path(self.path).name if self.path else "table given in Python"
        return f"{self.source}→{self.target} ({name})"


# --- editions of the data ------------------------------------------------------------------


def classifications_for(pair: Pair, years: Iterable[int]) -> dict[int, str]:
    """The HS edition of each year of ``pair``'s source that the store holds (others left out).

    Read from the catalog: the ingest that supplies each year records its classification, so a
    source whose years came in different editions is described year by year; the source's own
    classification is the fallback.

    >>> classifications_for(sr.pair(store, "BLR", "KAZ"), [2013, 2014])  # doctest: +SKIP
    {2013: 'HS92', 2014: 'HS92'}
    """
    catalog = pair.store.catalog
    state = catalog.sources[pair.source]
    out: dict[int, str] = {}
    totals_only: list[int] = []
    for year in sorted({int(y) for y in years}):
        ingest_id = state.years.get(str(year))
        if ingest_id is None:
            continue
        record = catalog.ingests.get(ingest_id)
        edition = _hs_part(record.classification if record else state.classification)
        if edition is None:
            totals_only.append(year)
        else:
            out[year] = edition
    # A year with totals only has no product detail, hence no edition: 'TOTAL' (its rows need
    # no conversion).
    for year in totals_only:
        out[year] = TOTALS_ONLY
    return dict(sorted(out.items()))


#: The edition of a year whose data hold totals only (no product detail).
TOTALS_ONLY = "TOTAL"


def _hs_part(classification: str) -> str | None:
    """The HS edition named in a recorded classification ('HS12', 'HS12,TOTAL'), None for
    totals only ('TOTAL')."""
    parts = [p.strip() for p in str(classification).split(",")]
    hs = [p for p in parts if p and p.upper() != "TOTAL"]
    if not hs:
        return None
    editions = {hs_edition(p) for p in hs}
    return min(editions, key=edition_order)


def edition_order(edition: str) -> int:
    """The year an edition came into force (HS92 → 1988): older editions sort first."""
    return HS_EDITION_YEARS[hs_edition(edition)]


# --- reading tables ------------------------------------------------------------------------


def load_correlation(
    path: str | PathLike[str], *, source: str | None = None, target: str | None = None
) -> CorrelationTable:
    """Read a UNSD correlation table saved as CSV (format in the module docstring).

    ``source``/``target`` (edition names) check the editions found in the header. Raises
    :class:`~silkroad.errors.InputError` naming the file, line and field for an unreadable file,
    a header without two edition columns, or a bad code.
    """
    p = Path(path)
    if p.suffix.lower() in {".xls", ".xlsx"}:
        raise InputError(
            "Excel workbooks are not read",
            path=p,
            expected="the Correlation sheet saved as CSV",
            hint="open it and save the correlation sheet as CSV (UTF-8)",
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError("cannot read the correlation table", path=p, found=str(exc)) from exc
    text = _decode(raw)
    rows = list(csv.reader(io.StringIO(text), _sniff(text)))
    header_at, columns = _find_header(rows, p)
    src_col, tgt_col, src_ed, tgt_ed = columns["codes"]
    if source is not None and hs_edition(source) != src_ed:
        raise InputError(
            "the table does not convert from the edition asked",
            path=p,
            found=src_ed,
            expected=hs_edition(source),
        )
    if target is not None and hs_edition(target) != tgt_ed:
        raise InputError(
            "the table does not convert to the edition asked",
            path=p,
            found=tgt_ed,
            expected=hs_edition(target),
        )
    records = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = row + [""] * (max(columns["all"]) + 1 - len(row))
        a, b = cells[src_col].strip(), cells[tgt_col].strip()
        if not a and not b:
            continue  # blank or trailing line
        record: dict[str, Any] = {
            "source_code": _code(a, p, offset, rows[header_at][src_col]),
            "target_code": _code(b, p, offset, rows[header_at][tgt_col]),
            "label": _label(cells[columns["relationship"]]) if "relationship" in columns else "",
        }
        if "weight" in columns:
            record["weight"] = _number(cells[columns["weight"]], p, offset, "weight")
        records.append(record)
    if not records:
        raise InputError("the correlation table has no code pairs", path=p)
    df = pd.DataFrame.from_records(records)
    return correlation_from_pairs(
        df,
        source=src_ed,
        target=tgt_ed,
        path=str(p),
        weights=df.get("weight"),
    )


def correlation_from_pairs(
    pairs: pd.DataFrame | Sequence[tuple[str, str]],
    *,
    source: str,
    target: str,
    path: str | None = None,
    weights: pd.Series | Sequence[float] | None = None,
) -> CorrelationTable:
    """A table from (source_code, target_code) pairs; relationships recomputed, weights set.

    ``weights`` (one per pair, >= 0) are normalised to sum to 1 per source code; without them a
    source code's value is shared equally among its targets.

    >>> t = correlation_from_pairs([("010121", "010110"), ("010129", "010110")],
    ...                            source="HS17", target="HS92")
    >>> t.relationships()
    {'1:1': 0, 'n:1': 2, '1:n': 0, 'n:n': 0}
    """
    df = pd.DataFrame(pairs, columns=None if isinstance(pairs, pd.DataFrame) else PAIR_COLUMNS[:2])
    df = df.copy()
    for col in ("source_code", "target_code"):
        df[col] = [_code(str(c), path or "table", None, col) for c in df[col]]
    if "label" not in df:
        df["label"] = ""
    if weights is not None:
        df["raw_weight"] = np.asarray(weights, dtype=float)
    df = df.drop_duplicates(["source_code", "target_code"]).reset_index(drop=True)
    n_targets = df.groupby("source_code").target_code.transform("nunique")
    n_sources = df.groupby("target_code").source_code.transform("nunique")
    df["relationship"] = np.where(n_sources > 1, "n", "1") + ":" + np.where(n_targets > 1, "n", "1")
    if weights is None:
        df["weight"] = 1.0 / n_targets
    else:
        raw = df.raw_weight
        if raw.isna().any() or (raw < 0).any():
            raise InputError(
                "weights must be numbers >= 0",
                path=path,
                field="weight",
                found=raw[raw.isna() | (raw < 0)].iloc[0],
            )
        total = raw.groupby(df.source_code).transform("sum")
        df["weight"] = np.where(total > 0, raw / total.where(total > 0, 1.0), 1.0 / n_targets)
    return CorrelationTable(
        source=hs_edition(source),
        target=hs_edition(target),
        pairs=df[PAIR_COLUMNS].sort_values(["source_code", "target_code"]).reset_index(drop=True),
        path=path,
        weighted=weights is not None,
    )


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _edition_of_header(cell: str) -> tuple[str | None, str] | None:
    """(direction 'from'/'to'/None, edition) for a header cell naming an HS edition."""
    m = _HEADER.match(cell.replace("\ufeff", ""))
    if not m:
        return None
    direction = m.group(1).lower() if m.group(1) else None
    rest = m.group(2).strip()
    year = _HS_YEAR.match(rest)
    if year:
        ed = _YEAR_EDITION.get(int(year.group(1)))
        return (direction, ed) if ed else None
    try:
        return direction, hs_edition(rest.replace(" ", ""))
    except ReferenceDataError:
        return None


def _find_header(rows: list[list[str]], path: Path) -> tuple[int, dict[str, Any]]:
    for i, row in enumerate(rows[:_HEADER_SCAN]):
        found = [(j, _edition_of_header(c)) for j, c in enumerate(row)]
        editions = [(j, e) for j, e in found if e is not None]
        if len(editions) < 2:
            continue
        if len(editions) > 2:
            raise InputError(
                "more than two HS edition columns in the header",
                path=path,
                line=i + 1,
                found=", ".join(row[j] for j, _ in editions),
                expected="one source and one target column",
            )
        (j1, (d1, e1)), (j2, (d2, e2)) = editions
        if e1 == e2:
            raise InputError(
                "both code columns are in the same edition", path=path, line=i + 1, found=e1
            )
        if d1 == "to" or d2 == "from":
            (j1, e1), (j2, e2) = (j2, e2), (j1, e1)
        elif d1 is None and d2 is None and edition_order(e1) < edition_order(e2):
            (j1, e1), (j2, e2) = (j2, e2), (j1, e1)  # unmarked: the newer edition is the source
        columns: dict[str, Any] = {"codes": (j1, j2, e1, e2)}
        for j, c in enumerate(row):
            name = c.strip().lower()
            if name == "relationship":
                columns["relationship"] = j
            elif name in _WEIGHT_NAMES:
                columns["weight"] = j
        columns["all"] = [j1, j2, *(columns[k] for k in ("relationship", "weight") if k in columns)]
        return i, columns
    raise InputError(
        "no header with two HS edition columns",
        path=path,
        expected="a header such as 'From HS 2017,To HS 1992[,Relationship]' or 'HS2017,HS1992'",
    )


def _code(text: str, path: str | Path, line: int | None, fld: str) -> str:
    raw = text
    text = text.strip().strip("'\"").strip()
    if text[:2].lower() == "ex":
        text = text[2:].strip()
    if re.fullmatch(r"\d+\.0", text):  # a number written by a spreadsheet: 10121.0
        text = text[:-2]
    text = text.replace(".", "").replace(" ", "")
    if not (text.isascii() and text.isdigit() and 5 <= len(text) <= 6):
        raise InputError(
            "not an HS6 code", path=path, line=line, field=fld, found=raw, expected="six digits"
        )
    code = text.zfill(6)
    if code.startswith("00"):
        raise InputError(
            "not an HS6 code", path=path, line=line, field=fld, found=raw, expected="six digits"
        )
    return code


def _label(text: str) -> str:
    t = text.strip().strip("'\"").strip().lower().replace(" to ", ":").replace(" ", "")
    return t if t in {"1:1", "1:n", "n:1", "n:n"} else ""


def _number(text: str, path: Path, line: int, fld: str) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise InputError(
            "not a number", path=path, line=line, field=fld, found=text, expected="a weight >= 0"
        ) from None


# --- converting ----------------------------------------------------------------------------


def route(
    tables: Sequence[CorrelationTable], source: str, target: str
) -> list[CorrelationTable] | None:
    """The shortest chain of tables converting ``source`` to ``target`` ([] if equal; None if none).

    >>> route([t22_17, t17_92], "HS22", "HS92")  # doctest: +SKIP
    [CorrelationTable(HS22→HS17, ...), CorrelationTable(HS17→HS92, ...)]
    """
    source, target = hs_edition(source), hs_edition(target)
    queue: deque[tuple[str, list[CorrelationTable]]] = deque([(source, [])])
    seen = {source}
    while queue:
        edition, chain = queue.popleft()
        if edition == target:
            return chain
        for t in tables:
            if t.source == edition and t.target not in seen:
                seen.add(t.target)
                queue.append((t.target, [*chain, t]))
    return None


def convert(
    df: pd.DataFrame,
    table: CorrelationTable | Sequence[CorrelationTable],
    value_cols: Sequence[str],
    *,
    code_col: str = "product",
    weights: Mapping[str, float] | pd.Series | None = None,
    unmapped: str = "keep",
) -> pd.DataFrame:
    """Map the HS6 codes in ``df[code_col]`` through ``table`` (or a chain of tables, in order).

    Each row's ``value_cols`` go to the target codes: whole for 1:1 and n:1, shared out for splits
    (``weights``: a target code → weight mapping, else the table's weights, else equal shares; see
    the module docstring). The other columns are grouping keys: rows that end with the same keys
    and target code are summed; a float column outside ``value_cols`` is an error, since it would
    be copied to every part of a split. A value column's sum is NaN when any of its parts is NaN.
    Codes the table does not list are kept as they are (``unmapped='keep'``), dropped
    (``'drop'``) or an error (``'error'``); they are listed in ``attrs['conversion']``.

    >>> convert(flows, hs17_to_hs92, ["value_usd"])  # doctest: +SKIP
    """
    chain = [table] if isinstance(table, CorrelationTable) else list(table)
    if unmapped not in {"keep", "drop", "error"}:
        raise AnalysisError(
            "unknown choice for codes the table does not list",
            field="unmapped",
            found=unmapped,
            expected="keep, drop or error",
        )
    out = df
    notes = []
    for t in chain:
        out, note = _convert_one(out, t, list(value_cols), code_col, weights, unmapped)
        notes.append(note)
    out.attrs["conversion"] = notes[0] if len(notes) == 1 else {"chain": notes}
    return out


def _convert_one(
    df: pd.DataFrame,
    table: CorrelationTable,
    value_cols: list[str],
    code_col: str,
    weights: Mapping[str, float] | pd.Series | None,
    unmapped: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    pairs = table.pairs[["source_code", "target_code", "weight"]]
    method = "table weights" if table.weighted else "equal shares"
    if weights is not None:
        w = pd.Series(weights, dtype=float)
        given = pairs.target_code.map(w).fillna(0.0).clip(lower=0.0)
        total = given.groupby(pairs.source_code).transform("sum")
        pairs = pairs.assign(
            weight=np.where(total > 0, given / total.where(total > 0, 1.0), pairs.weight)
        )
        method = "given weights"
    codes = df[code_col].astype(str)
    known = codes.isin(pairs.source_code)
    missing = sorted(codes[~known].unique())
    if missing and unmapped == "error":
        raise AnalysisError(
            f"{len(missing)} code(s) are not in the {table.source}→{table.target} table",
            field=code_col,
            found=", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""),
            expected="every code listed in the correlation table",
        )
    keys = [c for c in df.columns if c not in value_cols and c != code_col]
    floats = [c for c in keys if pd.api.types.is_float_dtype(df[c])]
    if floats:
        raise AnalysisError(
            f"column {floats[0]!r} holds amounts but is not a value column: it would be copied "
            "to every target of a split code",
            field="value_cols",
            found=list(value_cols),
            expected=f"value_cols including {floats[0]!r}, or the column dropped",
        )
    mapped = df[known.to_numpy()].merge(
        pairs, left_on=code_col, right_on="source_code", how="inner"
    )
    mapped[code_col] = mapped.target_code
    for col in value_cols:
        mapped[col] = mapped[col] * mapped.weight
    parts = [mapped[df.columns]]
    if unmapped == "keep":
        parts.append(df[~known.to_numpy()])
    combined = pd.concat(parts, ignore_index=True)
    split = pairs.source_code[pairs.weight < 1].unique()
    note = {
        "from": table.source,
        "to": table.target,
        "table": table.path,
        "allocation": method,
        "split_codes": int(codes.isin(split).sum()),
        "unmapped_codes": missing,
        "unmapped": unmapped,
    }
    if combined.empty:
        return combined.reset_index(drop=True), note
    missing_flags = {f"__nan_{c}": combined[c].isna() for c in value_cols}
    combined = combined.assign(**missing_flags)
    agg = {c: (c, "sum") for c in value_cols} | {f: (f, "any") for f in missing_flags}
    grouped = combined.groupby([*keys, code_col], dropna=False, sort=True).agg(**agg).reset_index()
    for c in value_cols:
        grouped.loc[grouped[f"__nan_{c}"], c] = np.nan
    return grouped[list(df.columns)].reset_index(drop=True), note
