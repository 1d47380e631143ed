"""The canonical flow table (DESIGN.md): one row per declared or reconciled flow."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

#: Column name -> DuckDB type, in the order stored in every Parquet file.
CANONICAL_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",  # dataset id, e.g. 'baci-hs92'
    "year": "SMALLINT",
    "month": "TINYINT",  # 1-12 for monthly data, NULL for annual
    "exporter": "VARCHAR",  # ISO 3166 alpha-3 (or a documented non-ISO code, e.g. S19)
    "importer": "VARCHAR",
    "declared_by": "VARCHAR",  # 'exporter', 'importer' or 'reconciled' (BACI)
    "re_flow": "BOOLEAN",
    "classification": "VARCHAR",  # 'HS92' ... 'HS22', 'TOTAL'
    "product": "VARCHAR",  # digits only, leading zeros kept: HS6 '010121'
    "value_usd": "DOUBLE",  # US dollars (not thousands)
    "weight_kg": "DOUBLE",  # net weight in kg, NULL if unknown
    "quantity": "DOUBLE",  # supplementary quantity, NULL if unknown
    "quantity_unit": "VARCHAR",
}

#: Columns of every quarantine (rejected rows) file.
REJECTED_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",
    "file": "VARCHAR",  # input file (or archive member) the row came from
    "year": "SMALLINT",  # the year that file supplies (a later ingest may replace that year)
    "line": "BIGINT",  # 1-based physical line number in that file (header is line 1)
    "field": "VARCHAR",  # the offending field, NULL when the whole line is wrong
    "code": "VARCHAR",  # kind of problem: 'field_count', 'unknown_country', 'duplicate_key', ...
    "reason": "VARCHAR",  # one line: what was found and what was expected
    "raw": "VARCHAR",  # the line as read
}

#: Sort order inside each year file: one exporter-importer pair reads few row groups.
SORT_KEYS = ("exporter", "importer", "product")

#: Rows per Parquet row group: small enough that a pair touches one or two groups.
ROW_GROUP_SIZE = 65_536


def rejected_arrow_schema() -> pa.Schema:
    """Arrow schema of the quarantine files (for writing an empty one)."""
    import pyarrow as pa

    types = {"VARCHAR": pa.string(), "SMALLINT": pa.int16(), "BIGINT": pa.int64()}
    return pa.schema([(name, types[t]) for name, t in REJECTED_COLUMNS.items()])
