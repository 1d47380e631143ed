"""The BACI fast pass in Arrow and NumPy: read, check, map codes and sort one year file.

A plain year file (unquoted numbers, exactly six fields a line) is read by Arrow's
multi-threaded CSV parser into narrow arrays: an integer sort key, the exporter's and
importer's rank in ISO3 order, the product code, the value (USD) and the weight (kg). The
arrays are put in the key's order (BACI lists each pair's rows as one run, so the runs are
moved as blocks; otherwise a stable argsort), the year file is written from them by Arrow's
Parquet writer with the codes dictionary-encoded, and the pair and product totals are summed
from the same arrays.

The rules are those of the DuckDB fast pass (:mod:`silkroad.sources.baci_sql`), and any doubt
leaves the decision to it or to the careful pass: a file Arrow cannot parse (a code written
112.0, a padded '  NA ', a short line) goes to the DuckDB pass; a file with any row that fails
a check, a blank line or a repeated key goes to the careful pass, which names every rejected
line. Which bytes send a kept year to another pass is decided by the reader
(:func:`silkroad.sources.baci._odd_bytes`)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from silkroad.sources.baci_sql import MIN_PRODUCT, MISSING

#: Cells above this in the product totals' dense grid (economies x products) are grouped by
#: sorting instead (a release with an unusually large product list).
DENSE_GRID = 1 << 25

COLUMNS = ("t", "i", "j", "k", "v", "q")

#: Codes are parsed as integers: text that is not a plain integer ('112.0', '111.9', a code
#: too large for the type) fails Arrow's parse, and the DuckDB pass reads the file with its
#: rules ('112.0' is 112 there, '111.9' is rejected by the careful pass).
TYPES = {
    "t": pa.int16(),
    "i": pa.int16(),
    "j": pa.int16(),
    "k": pa.int32(),
    "v": pa.float64(),
    "q": pa.float64(),
}


class NotPlain(Exception):
    """Arrow's parser refused the file (a code that is not a plain integer, quotes, a wrong
    field count): the DuckDB pass reads it instead."""


@dataclass
class ArrowYear:
    """One year's rows, checked and in the store's order (arrays of equal length)."""

    key: np.ndarray  # int64: (exporter rank * 1024 + importer rank) * 1e6 + product code
    exporter: np.ndarray  # int16: rank of the exporter in ``isos``
    importer: np.ndarray  # int16
    product: np.ndarray  # int32: the HS6 code as a number (10121 is '010121')
    value_usd: np.ndarray  # float64, USD, rounded to 1e-6 as the DuckDB pass rounds
    weight_kg: np.ndarray  # float64, kg, NaN where the file has no quantity

    @property
    def rows(self) -> int:
        return len(self.key)


def round6(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``x`` rounded to 6 decimals as DuckDB's ``round(x, 6)`` rounds doubles, so that both
    passes store the same bits: the exact product ``x * 1e6`` (its rounding error recovered by
    Dekker's product) rounded to the nearest integer, half away from zero, then divided by
    1e6; where the product is 2**52 or more (already whole), the product divided back; a
    result that is not finite gives ``x`` itself. Written to ``out`` when given."""
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = x * 1e6
        big = x * 134217729.0  # Veltkamp's split of x into two 26-bit halves (2**27 + 1)
        high = big - (big - x)
        del big
        error = (high * 1e6 - scaled) + (x - high) * 1e6  # x * 1e6 == scaled + error exactly
        del high
        whole = np.trunc(scaled)
        beyond = np.abs(scaled - whole) - 0.5  # exact near a tie
        beyond += np.where(scaled < 0, -error, error)  # how far past the half, in magnitude
        np.add(whole, np.sign(scaled), out=whole, where=beyond >= 0)  # keeps -0.0 as -0.0
        result = np.divide(whole, 1e6, out=out)
        large = np.abs(scaled) >= 2.0**52
        if large.any():
            result[large] = scaled[large] / 1e6
        wild = ~np.isfinite(result)
        if wild.any():
            result[wild] = x[wild]
    return result


def read_year(path: Path, year: int, ranks: np.ndarray) -> ArrowYear | None:
    """The checked, sorted rows of the year file at ``path``, or None when some row fails a
    check of the DuckDB fast pass (the careful pass then names it). Raises NotPlain when Arrow
    cannot parse the file as plain numbers.

    The parse and the checks use every core; each parsed block is freed once its narrow
    columns are made, and handed back to the system before the sort.
    """
    pool = pa.default_memory_pool()
    try:
        parsed = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(
                use_threads=True, block_size=8 << 20, skip_rows=1, column_names=list(COLUMNS)
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=",",
                quote_char=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,  # a blank line is refused, not skipped
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=TYPES,
                null_values=MISSING,
                strings_can_be_null=False,
            ),
            memory_pool=pool,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError) as exc:
        raise NotPlain(str(exc)) from exc
    batches: list[pa.RecordBatch | None] = list(parsed.to_batches())
    del parsed
    offsets = np.cumsum([0] + [b.num_rows for b in batches if b is not None])
    columns = {name: np.empty(offsets[-1], dtype) for name, dtype in _DTYPES.items()}

    def check(n: int) -> bool:
        batch, batches[n] = batches[n], None  # the block is freed once checked
        assert batch is not None
        out = {name: column[offsets[n] : offsets[n + 1]] for name, column in columns.items()}
        return _check_batch(batch, year, ranks, out)

    with ThreadPoolExecutor(max_workers=_cores()) as workers:
        passed = all(list(workers.map(check, range(len(batches)))))
        pool.release_unused()  # the parsed blocks, back to the system before the sort
        if not passed:
            return None
        if not keys_strictly_increase(columns["key"]):  # not yet in the store's order
            order = sort_order(columns["key"], columns["exporter"], columns["importer"])
            for name, done in zip(
                columns, workers.map(lambda c: np.take(c, order), columns.values()), strict=True
            ):
                columns[name] = done
            del order
    return ArrowYear(**columns)


def sort_order(key: np.ndarray, exporter: np.ndarray, importer: np.ndarray) -> np.ndarray:
    """The permutation that sorts ``key`` (a stable one).

    A BACI file lists each pair's rows together, by product, with the pairs in numeric code
    order: when every pair is one run of increasing keys, the runs are put in order as blocks
    (a sort of some 40,000 pair keys, then one gather); otherwise a stable argsort.
    """
    n = len(key)
    if n < 2:
        return np.arange(n)
    starts_run = (exporter[1:] != exporter[:-1]) | (importer[1:] != importer[:-1])
    increasing = key[1:] > key[:-1]
    increasing |= starts_run
    starts = np.flatnonzero(np.r_[True, starts_run])
    pairs = key[starts] // 1_000_000
    blocks = np.argsort(pairs, kind="stable")
    if not (bool(increasing.all()) and bool(np.all(np.diff(pairs[blocks]) > 0))):
        return np.argsort(key, kind="stable")  # a pair in two runs, or unsorted products
    lengths = np.diff(np.r_[starts, n])[blocks]
    placed = np.r_[0, np.cumsum(lengths)[:-1]]  # where each block starts in the sorted order
    order = np.repeat(starts[blocks] - placed, lengths)
    order += np.arange(n)
    return order


def _cores() -> int:
    return max(1, os.cpu_count() or 1)


_DTYPES = {
    "key": np.int64,
    "exporter": np.int16,
    "importer": np.int16,
    "product": np.int32,
    "value_usd": np.float64,
    "weight_kg": np.float64,
}


def _check_batch(
    batch: pa.RecordBatch, year: int, ranks: np.ndarray, out: dict[str, np.ndarray]
) -> bool:
    """Write the narrow columns of one parsed batch into ``out`` (arrays of its length); False
    when a row fails a check (the rules of ``_fast_table_sql``: a NULL or NaN anywhere but in
    q fails, as its comparisons do)."""
    cols = [batch.column(n) for n in COLUMNS]
    if any(c.null_count for c in cols[:5]):
        return False
    t, i, j, k, v = (c.to_numpy() for c in cols[:5])
    with np.errstate(invalid="ignore", over="ignore"):
        if not (
            np.all(t == year)
            and np.all((i >= 0) & (i <= 999))
            and np.all((j >= 0) & (j <= 999))
            and np.all((k >= MIN_PRODUCT) & (k <= 999999))
        ):
            return False
        exporter = ranks[i]
        importer = ranks[j]
        if not (np.all(exporter >= 0) and np.all(importer >= 0) and np.all(exporter != importer)):
            return False
        if not np.all(v > 0):  # NaN fails too
            return False
        thousand = v * 1000
        if not np.all(np.isfinite(thousand)):
            return False
        value = round6(thousand, out=out["value_usd"])
        if not np.all(value > 0):
            return False
        q = cols[5]
        weight = np.multiply(q.to_numpy(zero_copy_only=False), 1000, out=out["weight_kg"])
        missing = np.isnan(weight)
        if np.count_nonzero(missing) != q.null_count:  # a NaN the file wrote fails q >= 0
            return False
        if np.any(weight < 0) or np.any(np.isinf(weight)):
            return False
    pair = exporter.astype(np.int32)
    pair *= 1024
    pair += importer
    key = np.multiply(pair, 1_000_000, out=out["key"], dtype=np.int64)
    key += k
    out["exporter"][:] = exporter
    out["importer"][:] = importer
    out["product"][:] = k
    return True


def keys_strictly_increase(key: np.ndarray) -> bool:
    """True when no key repeats in the sorted ``key`` (so no flow is listed twice)."""
    return len(key) < 2 or bool(np.all(key[1:] > key[:-1]))


def _constant(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int8)), pa.array([value]))


def products(rows: ArrowYear) -> tuple[np.ndarray, pa.Array]:
    """Each row's index into the year's sorted product codes, and those codes as 6-character
    text (leading zeros kept): the product column's dictionary."""
    present = np.zeros(1_000_000, bool)
    present[rows.product] = True
    codes = np.flatnonzero(present)
    index = np.zeros(1_000_000, np.int32)
    index[codes] = np.arange(len(codes), dtype=np.int32)
    return index[rows.product], pa.array([f"{c:06d}" for c in codes.tolist()], pa.string())


def year_table(
    rows: ArrowYear,
    year: int,
    isos: list[str],
    source: str,
    classification: str,
    codes: tuple[np.ndarray, pa.Array],
) -> pa.Table:
    """The canonical rows (CANONICAL_COLUMNS) of ``rows``, ``codes`` from :func:`products`:
    codes as dictionaries, so that the Parquet writer encodes them without hashing a string
    per row."""
    n = rows.rows
    names = pa.array(isos, pa.string())
    index, texts = codes
    weight = rows.weight_kg
    return pa.table(
        {
            "source": _constant(source, n),
            "year": pa.array(np.full(n, year, np.int16)),
            "month": pa.nulls(n, pa.int8()),
            "exporter": pa.DictionaryArray.from_arrays(pa.array(rows.exporter), names),
            "importer": pa.DictionaryArray.from_arrays(pa.array(rows.importer), names),
            "declared_by": _constant("reconciled", n),
            "re_flow": pa.array(np.zeros(n, bool)),
            "classification": _constant(classification, n),
            "product": pa.DictionaryArray.from_arrays(pa.array(index), texts),
            "value_usd": pa.array(rows.value_usd),
            "weight_kg": pa.array(weight, mask=np.isnan(weight)),
            "quantity": pa.nulls(n, pa.float64()),
            "quantity_unit": pa.nulls(n, pa.string()),
        }
    )


def _text(values: pa.Array, index: np.ndarray) -> pa.DictionaryArray:
    """``values[index]`` as a dictionary column: written to Parquet as text (without the Arrow
    schema it reads back as plain text), with no string made or hashed per row."""
    return pa.DictionaryArray.from_arrays(pa.array(index), values)


def pair_totals(rows: ArrowYear, year: int, isos: list[str], source: str) -> pa.Table:
    """The year's pair totals (PAIR_TOTALS_COLUMNS, by exporter and importer): each pair's
    value (USD, summed in the file's order) and product count, from the sorted rows."""
    n_rows = rows.rows
    e, i = rows.exporter, rows.importer
    changes = np.r_[True, (e[1:] != e[:-1]) | (i[1:] != i[:-1])]  # the rows that start a pair
    starts = np.flatnonzero(changes) if n_rows else np.empty(0, np.int64)
    n = len(starts)
    names = pa.array(isos, pa.string())
    value = np.add.reduceat(rows.value_usd, starts) if n else np.empty(0)
    return pa.table(
        {
            "source": _text(pa.array([source]), np.zeros(n, np.int8)),
            "year": pa.array(np.full(n, year, np.int16)),
            "month": pa.nulls(n, pa.int8()),
            "exporter": _text(names, rows.exporter[starts]),
            "importer": _text(names, rows.importer[starts]),
            "declared_by": _text(pa.array(["reconciled"]), np.zeros(n, np.int8)),
            "re_flow": pa.array(np.zeros(n, bool)),
            "value_usd": pa.array(value, pa.float64()),
            "products": pa.array(np.diff(np.r_[starts, n_rows]).astype(np.int64)),
        }
    )


def product_totals(
    rows: ArrowYear, year: int, isos: list[str], codes: tuple[np.ndarray, pa.Array]
) -> pa.Table:
    """The year's product totals (PRODUCT_TOTALS_COLUMNS, by side, economy, product): each
    economy's exports and imports per product, USD."""
    index, texts = codes
    width = len(texts)
    names = pa.array(isos, pa.string())
    sides, economies, items, values = [], [], [], []
    for side, economy in ((0, rows.exporter), (1, rows.importer)):
        cell, value = _group(
            economy.astype(np.int64) * width + index, rows.value_usd, len(isos) * width
        )
        sides.append(np.full(len(cell), side, np.int8))
        economies.append(cell // width)
        items.append(cell % width)
        values.append(value)
    return pa.table(
        {
            "year": pa.array(np.full(sum(map(len, values)), year, np.int16)),
            "side": _text(pa.array(["exports", "imports"]), np.concatenate(sides)),
            "economy": _text(names, np.concatenate(economies)),
            "product": _text(texts, np.concatenate(items)),
            "value_usd": pa.array(np.concatenate(values), pa.float64()),
        }
    )


def _group(cell: np.ndarray, value: np.ndarray, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells that occur in ``cell`` (ascending) and the sum of ``value`` over each, summed
    in row order (every value is positive, so a cell occurs where its sum is above 0)."""
    if cells <= DENSE_GRID:
        sums = np.bincount(cell, weights=value, minlength=cells)
        held = np.flatnonzero(sums > 0)
        return held, sums[held]
    order = np.argsort(cell, kind="stable")
    sorted_cells = cell[order]
    starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
    return sorted_cells[starts], np.add.reduceat(value[order], starts)
