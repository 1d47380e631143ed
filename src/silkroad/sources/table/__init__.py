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

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkroad.errors import InputError
from silkroad.sources.base import TABLE, Input, Progress, StageReport, residual_note, span
from silkroad.sources.table.grid import Grid, detect_encoding, read_grid, where
from silkroad.sources.table.mapping import MAPPING_KEYS, Mapping, load_mapping, tnved_edition
from silkroad.sources.table.reading import Cell, Reading, Resolver, describe_columns, read_table

if TYPE_CHECKING:
    from silkroad.store.store import WriteTransaction

KIND = TABLE.name
SOURCE_VERSION = "declared"


# --- staging and ingest ----------------------------------------------------------------------------
def stage(grid: Grid, m: Mapping, txn: WriteTransaction) -> StageReport:
    """Hand the table's canonical rows per year and its quarantine to ``txn``; the counts."""
    from silkroad.store.schema import canonical_table, rejected_table

    reading = read_table(grid, m)
    source = m.source
    label = str(grid.path)
    loaded = [c.row for c in reading.cells if c.row is not None and not c.merged]
    merged: dict[int, int] = {}  # cells whose value joined another cell's row, per year
    for c in reading.cells:
        if c.row is not None and c.merged:
            merged[int(c.row["year"])] = merged.get(int(c.row["year"]), 0) + 1
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
    years: list[int] = sorted(
        {int(r["year"]) for r in loaded + markers}
        | {int(r["year"]) for r in rejected if r["year"] is not None}
    )
    refuse_if_every_cell_rejected(reading, grid.path)
    if not years:
        raise InputError(
            "nothing to load from the table",
            path=grid.path,
            found=f"{reading.missing} missing cells, no values",
            expected="value cells under the mapped columns",
        )
    report = StageReport(
        residuals=reading.residuals, cells_missing=reading.missing, missing_flows=len(markers)
    )
    report.classifications = sorted({str(r["classification"]) for r in loaded})
    for y in years:
        rows = [r for r in loaded if r["year"] == y]
        txn.write_year(y, canonical_table(rows + [r for r in markers if r["year"] == y], source))
        rej = sum(1 for r in rejected if r["year"] == y)
        cells = len(rows) + merged.get(y, 0)
        report.add_year(y, cells + rej, cells, rej)
    report.count_reasons(txn.write_rejected(rejected_table(rejected)))
    stray = sum(1 for r in rejected if r["year"] is None)
    report.rows_read += stray
    report.rows_rejected += stray
    return report


def refuse_if_every_cell_rejected(reading: Reading, path: str | Path) -> None:
    """InputError when the mapping rejects every value cell it reads (nothing would load):
    ``silkroad ingest table`` and ``silkroad mapping-check`` then exit non-zero instead of
    storing an empty source. Missing cells ('-', empty) do not count as rejected."""
    rejected = [c for c in reading.cells if c.row is None]
    if not rejected or len(rejected) < len(reading.cells):
        return
    counts: dict[str, int] = {}
    for c in rejected:
        counts[c.code or "?"] = counts.get(c.code or "?", 0) + 1
    code, n = max(counts.items(), key=lambda kv: kv[1])
    first = next(c for c in rejected if c.code == code)
    raise InputError(
        f"the mapping rejects every value cell ({len(rejected)}; most often {code}, {n}): "
        "nothing would be loaded",
        path=path,
        line=first.line,
        field=first.field,
        found=first.reason,
        hint="check the mapping with silkroad mapping-check",
    )


def check_mapping(path: str | Path, mapping: Any) -> Reading:
    """Read the whole table with ``mapping`` and refuse it (InputError) when every value cell
    is rejected; for ``silkroad mapping-check``, after its preview (which shows few rows)."""
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    grid = read_grid(path, m)
    reading = read_table(grid, m)
    refuse_if_every_cell_rejected(reading, grid.path)
    return reading


def preview(path: str | Path, mapping: Any, rows: int = 10) -> tuple[Mapping, Grid, Reading]:
    """How the first ``rows`` data rows of the table would be read (``silkroad mapping-check``)."""
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    grid = read_grid(path, m)
    return m, grid, read_table(grid, m, limit=rows)


@dataclass
class TableInput(Input):
    """A national table as read, with the mapping that says how."""

    grid: Grid | None = None
    mapping: Mapping | None = None


class TableReader:
    """The reader contract (:mod:`silkroad.sources.base`) for national statistics tables."""

    kind = TABLE
    options: tuple[str, ...] = ("mapping",)
    unit = "value"

    def inspect(self, path: Path, **options: Any) -> TableInput:
        mapping = options.get("mapping")
        if mapping is None:
            raise InputError(
                "a table needs a mapping",
                field="--mapping",
                expected="a YAML file (docs/tables.md)",
            )
        m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
        grid = read_grid(path, m)
        return TableInput(
            path=grid.path, source=m.source, version=SOURCE_VERSION, grid=grid, mapping=m
        )

    def digest(self, inp: Input) -> str:
        grid, m = _parts(inp)
        return hashlib.sha256(f"{grid.sha256}:{m.sha256}".encode()).hexdigest()

    def stage(
        self, inp: Input, txn: WriteTransaction, progress: Progress | None = None
    ) -> StageReport:
        return stage(*_parts(inp), txn)

    def classification(self, inp: Input, report: StageReport) -> str:
        hs = [c for c in report.classifications if c != "TOTAL"]
        return hs[-1] if hs else "TOTAL"

    def message(self, inp: Input, report: StageReport) -> str:
        _, m = _parts(inp)
        text = (
            f"loaded {m.source} (reporter {m.reporter}), years {span(report.years)}; "
            f"{_count(report.cells_missing, 'cell')} missing (not loaded"
        )
        if report.missing_flows:
            text += (
                f"; {_count(report.missing_flows, 'flow')} missing entirely, kept as unknown, "
                "not zero)"
            )
        else:
            text += ")"
        return text + residual_note(report.residuals)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _parts(inp: Input) -> tuple[Grid, Mapping]:
    assert isinstance(inp, TableInput) and inp.grid is not None and inp.mapping is not None
    return inp.grid, inp.mapping


READER = TableReader()


__all__ = [
    "KIND",
    "MAPPING_KEYS",
    "READER",
    "SOURCE_VERSION",
    "Cell",
    "Grid",
    "Mapping",
    "Reading",
    "Resolver",
    "StageReport",
    "TableInput",
    "TableReader",
    "check_mapping",
    "describe_columns",
    "detect_encoding",
    "load_mapping",
    "preview",
    "read_grid",
    "read_table",
    "refuse_if_every_cell_rejected",
    "stage",
    "tnved_edition",
    "where",
]
