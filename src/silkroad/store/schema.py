"""The canonical flow table (DESIGN.md): one row per declared or reconciled flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


_ARROW_TYPES = {
    "VARCHAR": "string",
    "SMALLINT": "int16",
    "TINYINT": "int8",
    "BIGINT": "int64",
    "DOUBLE": "float64",
    "BOOLEAN": "bool_",
}


def canonical_arrow_schema() -> pa.Schema:
    """Arrow schema of the canonical year files."""
    import pyarrow as pa

    return pa.schema([(n, getattr(pa, _ARROW_TYPES[t])()) for n, t in CANONICAL_COLUMNS.items()])


def canonical_table(rows: list[dict[str, Any]], source: str) -> pa.Table:
    """Canonical rows (dicts; ``source`` filled in) as an Arrow table sorted the store's way.

    For readers that build rows in Python (declared statistics: thousands of rows, not BACI's
    millions, which DuckDB hands over as a relation).
    """
    import pyarrow as pa

    schema = canonical_arrow_schema()
    ordered = sorted(
        rows,
        key=lambda r: (r["exporter"], r["importer"], r["product"], r["month"] or 0, r["re_flow"]),
    )
    return pa.table(
        {
            name: pa.array(
                [source if name == "source" else r[name] for r in ordered],
                type=schema.field(name).type,
            )
            for name in CANONICAL_COLUMNS
        },
        schema=schema,
    )


def rejected_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Quarantine rows (dicts with the REJECTED_COLUMNS) as an Arrow table in line order."""
    import pyarrow as pa

    schema = rejected_arrow_schema()
    ordered = sorted(rows, key=lambda r: r["line"])
    return pa.table({n: [r[n] for r in ordered] for n in schema.names}, schema=schema)


def rejected_arrow_schema() -> pa.Schema:
    """Arrow schema of the quarantine files (for writing an empty one)."""
    import pyarrow as pa

    return pa.schema([(n, getattr(pa, _ARROW_TYPES[t])()) for n, t in REJECTED_COLUMNS.items()])
