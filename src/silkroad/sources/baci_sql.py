"""The SQL of the BACI reader: the fast pass's one streaming query, the careful pass's
validation, and the code tables both use (DuckDB; see :mod:`silkroad.sources.baci`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

#: The smallest product code: 0 is no HS code (it would be stored as product 000000).
MIN_PRODUCT = 1


def _whole(column: str, sql_type: str) -> str:
    """SQL: text ``column`` as ``sql_type`` if it is a number without a fractional part, else NULL.

    The fast pass reads codes as DOUBLE and keeps whole numbers of files without exponents;
    this is the same rule, so both passes agree: '112' and '112.0' are 112, while '111.9',
    '1e2' and '0x70' are not codes.
    """
    d = f"TRY_CAST(trim({column}) AS DOUBLE)"
    digits = f"regexp_full_match(trim({column}), '[0-9]+([.]0*)?')"
    return f"CASE WHEN {digits} AND {d} = floor({d}) THEN TRY_CAST({d} AS {sql_type}) END"


def _validation_sql(source_sql: str, year: int, codes: str) -> str:
    """Rows of ``source_sql`` (columns line, raw, nfields, t, i, j, k, v, q as text) with
    parsed values, ISO3 codes, and the first problem found as (field, reason), NULL if none."""
    return f"""
    WITH p AS (
      SELECT line, raw, nfields, t, i, j, k, v, q,
        {_whole("t", "SMALLINT")} AS t_n,
        {_whole("i", "INTEGER")} AS i_n,
        {_whole("j", "INTEGER")} AS j_n,
        trim(k) AS k_s,
        {_whole("k", "INTEGER")} AS k_n,
        TRY_CAST(trim(v) AS DOUBLE) AS v_n,
        upper(trim(q)) IN ('', 'NA', 'N/A') AS q_missing,
        TRY_CAST(trim(q) AS DOUBLE) AS q_n
      FROM ({source_sql})
    ), m AS (
      SELECT p.*, ce.iso3 AS exporter, ci.iso3 AS importer
      FROM p LEFT JOIN {codes} ce ON ce.code = p.i_n LEFT JOIN {codes} ci ON ci.code = p.j_n
    )
    SELECT *, CASE
      WHEN nfields <> 6 THEN [NULL, 'found ' || nfields || ' fields, expected 6 (t,i,j,k,v,q)', 'field_count']
      WHEN t_n IS NULL THEN ['t', 'found ''' || t || ''', expected a year', 'bad_year']
      WHEN t_n <> {year} THEN ['t', 'found year ' || t_n || ' in the file for {year}', 'year_mismatch']
      WHEN i_n IS NULL THEN ['i', 'found ''' || i || ''', expected a numeric country code', 'bad_country_code']
      WHEN exporter IS NULL THEN ['i', 'unknown country code ' || i_n || ', expected a code of the release''s country list', 'unknown_country']
      WHEN j_n IS NULL THEN ['j', 'found ''' || j || ''', expected a numeric country code', 'bad_country_code']
      WHEN importer IS NULL THEN ['j', 'unknown country code ' || j_n || ', expected a code of the release''s country list', 'unknown_country']
      WHEN NOT coalesce(k_n BETWEEN {MIN_PRODUCT} AND 999999, false)
        THEN ['k', 'found ''' || k || ''', expected an HS6 code of 1 to 6 digits (not 0)', 'bad_product']
      WHEN v_n IS NULL THEN ['v', 'found ''' || v || ''', expected a number (thousands of USD)', 'bad_value']
      WHEN isnan(v_n) OR v_n <= 0 THEN ['v', 'found ' || trim(v) || ', expected a positive value (BACI lists only positive flows)', 'non_positive_value']
      WHEN NOT isfinite(v_n * 1000) THEN ['v', 'found ' || trim(v) || ', expected a finite value (it would be stored as infinite USD)', 'value_out_of_range']
      WHEN round(v_n * 1000, 6) <= 0 THEN ['v', 'found ' || trim(v) || ', expected at least 0.000001 USD (it would be stored as 0)', 'value_out_of_range']
      WHEN NOT q_missing AND (q_n IS NULL OR NOT isfinite(q_n * 1000) OR q_n < 0)
        THEN ['q', 'found ''' || q || ''', expected a finite non-negative quantity (tons), NA or empty', 'bad_quantity']
      WHEN exporter = importer THEN ['i', 'exporter equals importer (' || exporter || '), expected two different economies', 'same_economy']
      ELSE NULL END AS problem
    FROM m
    """


def _canonical_select(source: str, classification: str) -> str:
    return f"""
      '{source}' AS source, t_n AS year, CAST(NULL AS TINYINT) AS month,
      exporter, importer, 'reconciled' AS declared_by, false AS re_flow,
      '{classification}' AS classification, lpad(CAST(k_n AS VARCHAR), 6, '0') AS product,
      round(v_n * 1000, 6) AS value_usd,
      CASE WHEN q_missing THEN NULL ELSE q_n * 1000 END AS weight_kg,
      CAST(NULL AS DOUBLE) AS quantity, CAST(NULL AS VARCHAR) AS quantity_unit
    """


#: The fast pass's table of one year (dropped once the year is written).
FAST_TABLE = "fast_year"


def _fast_table_sql(path: Path, year: int) -> str:
    """One streaming query: typed CSV read, code mapping, checks, sort, into a narrow table.

    Rows that fail the typed read or a check are simply not kept; the caller compares the
    count with the file's lines and, on any difference, runs the careful pass, which names them.
    Only what varies is kept (the constant columns and the product's text are added when the
    year file is written): a sort key of one integer (exporter and importer rank in ISO3 order,
    then the product code), the year, the two ISO3 codes as ENUMs, the code, value (USD) and
    weight (kg). The key strictly increasing down the table proves the order and that no key
    is repeated; the totals are grouped from the same table, not from a re-read of the file.
    """
    # Codes are read as DOUBLE, not INTEGER: DuckDB's integer parsing rounds 111.9 to 112 (a
    # valid code), and the careful pass applies the same rule (see _whole).
    cols = (
        "{'t': 'DOUBLE', 'i': 'DOUBLE', 'j': 'DOUBLE', 'k': 'DOUBLE', 'v': 'DOUBLE', 'q': 'DOUBLE'}"
    )
    return f"""
      SELECT (ce.rank * 1024 + ci.rank) * 1000000 + CAST(p.k AS BIGINT) AS key,
        CAST(p.t AS SMALLINT) AS year, ce.iso3 AS exporter, ci.iso3 AS importer,
        CAST(p.k AS INTEGER) AS k, round(p.v * 1000, 6) AS value_usd, p.q * 1000 AS weight_kg
      FROM (
        SELECT *,
          CASE WHEN i = floor(i) AND i BETWEEN 0 AND 999 THEN CAST(i AS INTEGER) END AS ic,
          CASE WHEN j = floor(j) AND j BETWEEN 0 AND 999 THEN CAST(j AS INTEGER) END AS jc
        FROM read_csv('{_sql_path(path)}', columns = {cols}, header = true, delim = ',',
                      quote = '', escape = '', auto_detect = false, strict_mode = true,
                      ignore_errors = true, nullstr = {NULL_STRINGS})
      ) AS p,
      LATERAL (SELECT silkroad_iso(p.ic) AS iso3, silkroad_rank(p.ic) AS rank) AS ce,
      LATERAL (SELECT silkroad_iso(p.jc) AS iso3, silkroad_rank(p.jc) AS rank) AS ci
      WHERE p.t = {year} AND p.v > 0 AND isfinite(p.v * 1000) AND round(p.v * 1000, 6) > 0
        AND p.k BETWEEN {MIN_PRODUCT} AND 999999 AND p.k = floor(p.k)
        AND ce.iso3 IS NOT NULL AND ci.iso3 IS NOT NULL AND ce.iso3 <> ci.iso3
        AND (p.q IS NULL OR (p.q >= 0 AND isfinite(p.q * 1000)))
      ORDER BY key
    """


def _fast_year_sql(source: str, classification: str) -> str:
    """The canonical rows of the fast pass's table, in its (the store's) order.

    Constant and code columns are ENUMs so that the Parquet writer dictionary-encodes them
    without hashing every value.
    """
    return f"""
      SELECT '{source}'::silkroad_source AS source, year, CAST(NULL AS TINYINT) AS month,
        exporter, importer, 'reconciled'::silkroad_declared AS declared_by, false AS re_flow,
        '{classification}'::silkroad_classification AS classification,
        lpad(CAST(k AS VARCHAR), 6, '0') AS product, value_usd, weight_kg,
        CAST(NULL AS DOUBLE) AS quantity, CAST(NULL AS VARCHAR) AS quantity_unit
      FROM {FAST_TABLE}
    """


def _fast_pair_totals_sql(source: str) -> str:
    """The year's pair totals (the store's PAIR_TOTALS_COLUMNS) from the fast pass's table:
    what the engine computes from the year file, without reading it back."""
    return f"""
      SELECT '{source}' AS source, year, CAST(NULL AS TINYINT) AS month,
        CAST(exporter AS VARCHAR) AS exporter, CAST(importer AS VARCHAR) AS importer,
        'reconciled' AS declared_by, false AS re_flow,
        sum(value_usd) AS value_usd, count(*) AS products
      FROM {FAST_TABLE} GROUP BY year, exporter, importer ORDER BY exporter, importer
    """


def _fast_product_totals_sql() -> str:
    """The year's product totals (PRODUCT_TOTALS_COLUMNS: each economy's exports and imports
    per product, USD) from the fast pass's table: two integer groupings (less work than
    GROUPING SETS over the same table, measured), the text added to the grouped rows."""
    return f"""
      SELECT year, side, CAST(economy AS VARCHAR) AS economy,
        lpad(CAST(k AS VARCHAR), 6, '0') AS product, value_usd
      FROM (
        SELECT year, 'exports' AS side, exporter AS economy, k, sum(value_usd) AS value_usd
        FROM {FAST_TABLE} GROUP BY year, exporter, k
        UNION ALL
        SELECT year, 'imports' AS side, importer AS economy, k, sum(value_usd) AS value_usd
        FROM {FAST_TABLE} GROUP BY year, importer, k
      )
      ORDER BY side, economy, k
    """


#: How BACI vintages write a missing quantity (and an empty field): read as NULL by both fast
#: passes; any other spelling fails the typed read and goes to the careful pass, which trims.
MISSING = ["NA", "N/A", "", "           NA"]
NULL_STRINGS = "[" + ", ".join(f"'{s}'" for s in MISSING) + "]"  # as a DuckDB list


def code_ranks(codes: dict[int, str]) -> tuple[np.ndarray, list[str]]:
    """BACI numeric code (0-999) -> rank of its ISO3 in sorted order (-1: not in the list),
    and the sorted ISO3 codes: the order of the store's exporter and importer, for every pass."""
    isos = sorted(set(codes.values()))
    rank = {iso: n for n, iso in enumerate(isos)}
    table = np.full(1000, -1, np.int16)
    for code, iso in codes.items():
        if 0 <= code < 1000:
            table[code] = rank[iso]
    return table, isos


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _create_codes(
    con: duckdb.DuckDBPyConnection, codes: dict[int, str], source: str, classification: str
) -> None:
    """The ``codes`` table (numeric code -> ISO3 ENUM, rank in ISO3 order) and constant ENUMs."""
    ranks, isos = code_ranks(codes)

    def enum(values: list[str]) -> str:
        return ", ".join("'" + v.replace("'", "''") + "'" for v in values)

    con.execute(f"CREATE TYPE silkroad_iso3 AS ENUM ({enum(isos)})")
    con.execute(f"CREATE TYPE silkroad_source AS ENUM ({enum([source])})")
    con.execute("CREATE TYPE silkroad_declared AS ENUM ('reconciled')")
    con.execute(f"CREATE TYPE silkroad_classification AS ENUM ({enum([classification])})")
    rank = {iso: n for n, iso in enumerate(isos)}  # codes outside 0-999 have a rank too
    con.register(
        "codes_arrow",
        pa.table(
            {
                "code": pa.array(list(codes), pa.int32()),
                "iso3": list(codes.values()),
                "rank": pa.array([rank[v] for v in codes.values()], pa.int64()),
            }
        ),
    )
    con.execute(
        "CREATE TEMP TABLE codes AS "
        "SELECT code, CAST(iso3 AS silkroad_iso3) AS iso3, rank FROM codes_arrow"
    )
    con.unregister("codes_arrow")
    # The fast pass looks codes up by position in constant lists (BACI codes are 3-digit):
    # a hash join per side cost as much as reading the file.
    iso_list = ["'" + isos[r].replace("'", "''") + "'" if r >= 0 else "NULL" for r in ranks]
    rank_list = [str(r) if r >= 0 else "NULL" for r in ranks]
    con.execute(
        f"CREATE TEMP MACRO silkroad_iso(c) AS ([{', '.join(iso_list)}]::silkroad_iso3[])[c + 1]"
    )
    con.execute(
        f"CREATE TEMP MACRO silkroad_rank(c) AS ([{', '.join(rank_list)}]::BIGINT[])[c + 1]"
    )
