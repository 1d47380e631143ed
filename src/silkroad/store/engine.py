"""The engine seam: the query backend and every statement the store itself runs.

The store never opens a database connection or writes SQL of its own: it asks its engine to

* open the Ibis backend that analytics query (:meth:`Engine.connect`);
* write a year of canonical rows, or a part of the quarantine, to Parquet from what a reader
  hands over (an Arrow table or batch reader, or a DuckDB relation) (:meth:`Engine.write`);
* merge the quarantine parts, count rows, compare flows and write the per-pair totals.

DuckDB is the default. :class:`~silkroad.store.spark.SparkEngine` (issue 13) runs the queries on
PySpark and inherits DuckDB's own statements; :func:`make_engine` chooses by name
(``SILKROAD_ENGINE``).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from silkroad.errors import StoreError
from silkroad.store.schema import (
    CANONICAL_COLUMNS,
    REJECTED_COLUMNS,
    ROW_GROUP_SIZE,
    rejected_arrow_schema,
)

if TYPE_CHECKING:
    import pandas as pd

#: Beside each year file: its totals per (exporter, importer, declared_by, re_flow).
PAIR_TOTALS = "pair-totals.parquet"
#: Beside each year file: each economy's exports and imports per product (world-level panels).
PRODUCT_TOTALS = "product-totals.parquet"

#: zstd level of the year files: level 1 wrote a full BACI year ~20 % faster than DuckDB's
#: default (3) and no larger (91 MB against 92 MB; BENCHMARKS.md); pyarrow's default is 1 too.
ZSTD_LEVEL = 1

#: Columns of a pair totals file, in order.
PAIR_TOTALS_COLUMNS = (
    "source",
    "year",
    "month",
    "exporter",
    "importer",
    "declared_by",
    "re_flow",
    "value_usd",
    "products",
)
#: Columns of a product totals file, in order.
PRODUCT_TOTALS_COLUMNS = ("year", "side", "economy", "product", "value_usd")

#: A quarantine file and the years of it still current (None: all of them).
RejectedPart = tuple[Path, Sequence[int] | None]


class Engine(Protocol):
    """What the store needs from a query engine."""

    name: str

    def connect(self) -> Any:
        """A new Ibis backend for queries over the store's Parquet files."""
        ...

    def write(self, data: Any, path: Path, *, columns: Sequence[str], what: str) -> int:
        """Write ``data`` (Arrow table or batch reader, or a relation of this engine) with
        exactly ``columns`` to Parquet at ``path``; return the rows written."""
        ...

    def count_codes(self, path: Path) -> dict[str, int]:
        """Rejected rows of a quarantine file per reason code."""
        ...

    def merge_rejected(self, parts: Sequence[Path], target: Path) -> None:
        """One quarantine file at ``target`` from ``parts``, ordered by file and line."""
        ...

    def count_rejected(self, parts: Sequence[RejectedPart]) -> int:
        """Rows of the quarantine ``parts`` (restricted to their current years)."""
        ...

    def rejected_rows(self, parts: Sequence[RejectedPart], limit: int | None) -> pd.DataFrame:
        """Rows of the quarantine ``parts``, ordered by file and line."""
        ...

    def write_pair_totals(self, year_file: Path, data: Any = None) -> None:
        """Beside ``year_file``, its totals per (exporter, importer, declared_by, re_flow):
        ``data`` (PAIR_TOTALS_COLUMNS ordered by exporter, importer; a relation or Arrow) when
        a reader computed them in its own pass, else computed from the year file."""
        ...

    def write_product_totals(self, year_file: Path, data: Any = None) -> None:
        """Beside ``year_file``, each economy's exports and imports per product (USD): the rows
        a world panel reads (no re-exports, no totals-only rows, known values); ``data``
        (PRODUCT_TOTALS_COLUMNS ordered by side, economy, product) when a reader computed
        them, else computed from the year file."""
        ...

    def missing_flows(self, old_year: Path, new_year: Path) -> list[tuple[str, str, str]]:
        """(exporter, importer, declared_by) of ``old_year`` that ``new_year`` lacks, sorted."""
        ...


def _sql_str(path: Path | str) -> str:
    return str(path).replace("'", "''")


def disk_full(exc: BaseException) -> bool:
    """True if ``exc`` says the disk (or the user's quota) is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left on device" in text or "disk quota exceeded" in text


class DuckDBEngine:
    """The default engine: embedded DuckDB, Ibis over it for queries."""

    name = "duckdb"

    def __init__(self) -> None:
        self._con: Any = None

    # --- connections ---------------------------------------------------------------------------
    def connect(self) -> Any:
        """A new in-memory Ibis DuckDB backend (progress bar off, Parquet footers cached)."""
        import ibis

        con = ibis.duckdb.connect()
        con.raw_sql("SET enable_progress_bar = false")
        # Keep Parquet footers in memory between queries: a pair query then reads only the
        # few row groups its min/max statistics select (3x faster on a 10-year store).
        con.raw_sql("SET parquet_metadata_cache = true")
        return con

    def _duck(self) -> Any:
        """A cursor of the engine's private DuckDB connection (opened once) for one of the
        store's own statements: a cursor per statement, so threads never share one."""
        if self._con is None:
            import duckdb

            self._con = duckdb.connect()
            self._con.execute("SET enable_progress_bar = false")
        return self._con.cursor()

    def _fetch(self, sql: str) -> list[tuple[Any, ...]]:
        con = self._duck()
        try:
            return list(con.execute(sql).fetchall())
        finally:
            con.close()

    def _run(self, sql: str) -> None:
        con = self._duck()
        try:
            con.execute(sql).fetchall()
        finally:
            con.close()

    # --- writing -------------------------------------------------------------------------------
    def write(self, data: Any, path: Path, *, columns: Sequence[str], what: str) -> int:
        """Write ``data`` to Parquet (zstd, the store's row groups); the rows written.

        ``data`` is a ``pyarrow.Table``, a ``pyarrow.RecordBatchReader`` or a DuckDB relation
        (its own connection's: a reader's macros and temporary tables stay usable). It must
        already be in the store's sort order and have exactly ``columns``.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        _check_columns(data, columns, what, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(data, pa.Table):
                pq.write_table(
                    data,
                    path,
                    compression="zstd",
                    compression_level=ZSTD_LEVEL,
                    row_group_size=ROW_GROUP_SIZE,
                    **_arrow_write_options(data.schema),
                )
                return int(data.num_rows)
            if isinstance(data, pa.RecordBatchReader):
                with pq.ParquetWriter(
                    path, data.schema, compression="zstd", compression_level=ZSTD_LEVEL
                ) as writer:
                    for batch in data:
                        writer.write_batch(batch, row_group_size=ROW_GROUP_SIZE)
            else:  # a DuckDB relation: COPY, whose options (unlike write_parquet's) set the level
                done = data.query(
                    "_silkroad_write",
                    f"COPY (SELECT * FROM _silkroad_write) TO '{_sql_str(path)}' (FORMAT parquet, "
                    f"COMPRESSION zstd, COMPRESSION_LEVEL {ZSTD_LEVEL}, "
                    f"ROW_GROUP_SIZE {ROW_GROUP_SIZE})",
                )
                if done is not None:
                    done.fetchall()
            return int(pq.read_metadata(path).num_rows)
        except Exception as exc:
            if disk_full(exc):
                raise StoreError(
                    f"disk full while writing {what}; nothing was committed",
                    path=path.parent,
                    found=" ".join(str(exc).split())[:120],
                    expected="free space for the staged files (about the input's size)",
                ) from exc
            raise

    def count_codes(self, path: Path) -> dict[str, int]:
        rows = self._fetch(
            f"SELECT code, count(*) FROM read_parquet('{_sql_str(path)}') GROUP BY code"
        )
        return {str(code): int(n) for code, n in rows}

    def merge_rejected(self, parts: Sequence[Path], target: Path) -> None:
        import pyarrow.parquet as pq

        if not parts:
            pq.write_table(rejected_arrow_schema().empty_table(), target)
            return
        files = "[" + ", ".join(f"'{_sql_str(p)}'" for p in parts) + "]"
        try:
            self._run(
                f"COPY (SELECT {', '.join(REJECTED_COLUMNS)} FROM read_parquet({files}, "
                f"union_by_name = true) ORDER BY file, line) "
                f"TO '{_sql_str(target)}' (FORMAT parquet)"
            )
        except Exception as exc:
            if disk_full(exc):
                raise StoreError(
                    "disk full while writing the rejected rows; nothing was committed",
                    path=target.parent,
                ) from exc
            raise

    def _write_given(self, data: Any, target: Path, columns: Sequence[str], what: str) -> None:
        """Write totals a reader computed (a DuckDB relation or Arrow) as the engine's own
        statements would (Parquet, default compression and row groups)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        _check_columns(data, columns, what, target)
        try:
            if isinstance(data, pa.Table):
                pq.write_table(data, target, **_arrow_write_options(data.schema))
            else:
                data.write_parquet(str(target))
        except Exception as exc:
            if disk_full(exc):
                raise StoreError(
                    f"disk full while writing {what}; nothing was committed", path=target.parent
                ) from exc
            raise

    def write_pair_totals(self, year_file: Path, data: Any = None) -> None:
        target = year_file.with_name(PAIR_TOTALS)
        if data is not None:
            self._write_given(data, target, PAIR_TOTALS_COLUMNS, "pair totals")
            return
        self._run(
            f"""COPY (SELECT source, year, month, exporter, importer, declared_by, re_flow,
                       sum(value_usd) AS value_usd, count(*) AS products
                FROM read_parquet('{_sql_str(year_file)}', hive_partitioning = false)
                GROUP BY ALL ORDER BY exporter, importer)
                TO '{_sql_str(target)}' (FORMAT parquet)"""
        )

    def write_product_totals(self, year_file: Path, data: Any = None) -> None:
        target = year_file.with_name(PRODUCT_TOTALS)
        if data is not None:
            self._write_given(data, target, PRODUCT_TOTALS_COLUMNS, "product totals")
            return
        # one scan, two groupings: by exporter (its exports) and by importer (its imports)
        self._run(
            f"""COPY (SELECT year, CASE WHEN exporter IS NULL THEN 'imports' ELSE 'exports' END
                       AS side, coalesce(exporter, importer) AS economy, product,
                       sum(value_usd) AS value_usd
                FROM read_parquet('{_sql_str(year_file)}', hive_partitioning = false)
                WHERE NOT re_flow AND classification != 'TOTAL' AND value_usd IS NOT NULL
                GROUP BY GROUPING SETS ((year, exporter, product), (year, importer, product))
                ORDER BY side, economy, product)
                TO '{_sql_str(target)}' (FORMAT parquet)"""
        )

    # --- reading -------------------------------------------------------------------------------
    @staticmethod
    def _rejected_sql(parts: Sequence[RejectedPart]) -> str:
        selects = []
        for path, years in parts:
            sql = f"SELECT * FROM read_parquet('{_sql_str(path)}')"
            if years is not None:
                sql += f" WHERE year IN ({', '.join(str(int(y)) for y in years) or 'NULL'})"
            selects.append(sql)
        return " UNION ALL BY NAME ".join(selects)

    def count_rejected(self, parts: Sequence[RejectedPart]) -> int:
        if not parts:
            return 0
        return int(self._fetch(f"SELECT count(*) FROM ({self._rejected_sql(parts)})")[0][0])

    def rejected_rows(self, parts: Sequence[RejectedPart], limit: int | None) -> pd.DataFrame:
        import pandas as pd

        if not parts:
            return pd.DataFrame(columns=list(REJECTED_COLUMNS))
        sql = f"SELECT * FROM ({self._rejected_sql(parts)}) ORDER BY file, line"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        con = self._duck()
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    def missing_flows(self, old_year: Path, new_year: Path) -> list[tuple[str, str, str]]:
        old, new = old_year.with_name(PAIR_TOTALS), new_year.with_name(PAIR_TOTALS)
        rows = self._fetch(
            f"""SELECT exporter, importer, declared_by FROM read_parquet(
                  '{_sql_str(old)}', hive_partitioning = false)
                EXCEPT
                SELECT exporter, importer, declared_by FROM read_parquet(
                  '{_sql_str(new)}', hive_partitioning = false)
                ORDER BY ALL"""
        )
        return [(str(e), str(i), str(d)) for e, i, d in rows]

    def close(self) -> None:
        """Close the private connection (the Ibis backends are the callers')."""
        if self._con is not None:
            self._con.close()
            self._con = None


def _arrow_write_options(schema: Any) -> dict[str, Any]:
    """Parquet options for an Arrow table: dictionary encoding for text and dictionary columns
    only (trying it on every double costs a hash per value before the writer gives up), one
    write batch per row group (statistics of a dictionary column are taken per batch over its
    whole dictionary), and no stored Arrow schema, so that a column handed as a dictionary reads
    back as plain text, as DuckDB writes it."""
    import pyarrow as pa

    text = [
        f.name
        for f in schema
        if pa.types.is_string(f.type)
        or pa.types.is_large_string(f.type)
        or pa.types.is_dictionary(f.type)
    ]
    return {
        "use_dictionary": text,
        "write_batch_size": ROW_GROUP_SIZE,
        "store_schema": False,
    }


def _check_columns(data: Any, columns: Sequence[str], what: str, path: Path) -> None:
    """Raise a StoreError unless ``data`` has exactly ``columns``, in order."""
    names = _column_names(data)
    if names != list(columns):
        raise StoreError(
            f"a reader handed {what} with the wrong columns",
            path=path,
            found=", ".join(names),
            expected=", ".join(columns),
        )


def _column_names(data: Any) -> list[str]:
    schema = getattr(data, "schema", None)
    names = getattr(schema, "names", None)
    if names is not None:
        return list(names)
    return list(getattr(data, "columns", []))


def make_engine(name: str | None = None) -> Engine:
    """The engine called ``name`` (``duckdb`` or ``spark``; default ``$SILKROAD_ENGINE``, else
    duckdb); a one-line InputError naming the allowed engines for any other name."""
    from silkroad import settings

    chosen = settings.engine(name)
    if chosen == "spark":
        from silkroad.store.spark import SparkEngine

        return SparkEngine()
    return DuckDBEngine()


def default_engine() -> Engine:
    """The engine a store uses unless told otherwise: ``$SILKROAD_ENGINE`` (DuckDB by default)."""
    return make_engine()


__all__ = [
    "CANONICAL_COLUMNS",
    "PAIR_TOTALS",
    "PAIR_TOTALS_COLUMNS",
    "PRODUCT_TOTALS",
    "PRODUCT_TOTALS_COLUMNS",
    "REJECTED_COLUMNS",
    "DuckDBEngine",
    "Engine",
    "RejectedPart",
    "default_engine",
    "disk_full",
    "make_engine",
]
