"""The store's per-pair totals held in memory, indexed by economy, shared by every Pair.

A pair's summary and profile need only the per-pair totals of the flows touching either side
(one row per exporter, importer, declared_by and year). Asking the engine for them costs a query
compilation and a scan per question; holding the whole table once per store snapshot (it is small:
~40 k pairs a year) turns each question into an index lookup. The table is read-only and shared
by threads (the web server's workers); the key is the snapshot (home, source and its files), so a
new ingest is never answered from old totals. Stores whose totals are too large for memory
(:data:`MAX_ROWS`) keep the engine query.

On top of the rows, :class:`Dense` holds the same totals as arrays indexed by declaration, year,
exporter and importer (one cell per row; absent rows 0), so that a pair's yearly flows and each
side's trade with its partners are array slices summed in Python floats: a summary or a profile
in about a millisecond instead of tens of milliseconds of pandas work per question.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from silkroad.store.store import Store

#: Above this many rows (non-re-export pair totals of a source), the engine is asked instead.
MAX_ROWS = 5_000_000
#: Above this many cells (declarations x years x economies^2), no dense arrays are built.
MAX_CELLS = 8_000_000
#: How many store snapshots are kept (a server holds one store; tests open many).
KEEP = 4

COLUMNS = ["year", "exporter", "importer", "declared_by", "value_usd"]


@dataclass(frozen=True, eq=False)
class TotalsIndex:
    """Per-pair totals of one source (re-exports excluded) with row positions by economy."""

    frame: pd.DataFrame
    by_exporter: dict[str, np.ndarray]
    by_importer: dict[str, np.ndarray]
    #: the same totals as arrays (None: too large, or several rows per cell such as months)
    dense: Dense | None = None
    #: per year, the economies at either end of a re-export row (those rows are not in ``frame``)
    re_export_ends: dict[int, frozenset[str]] = field(default_factory=dict)

    @cached_property
    def covered(self) -> dict[int, frozenset[str]]:
        """Per year: the economies with at least one row (as exporter or importer), re-export
        rows included (an economy the source lists only with re-exports is covered)."""
        out: dict[int, frozenset[str]] = {}
        for y, g in self.frame.groupby("year"):
            out[int(y)] = frozenset(map(str, pd.unique(g.exporter))) | frozenset(
                map(str, pd.unique(g.importer))
            )
        for y, extra in self.re_export_ends.items():
            out[y] = out.get(y, frozenset()) | extra
        return out

    def touching(self, members: Iterable[str], years: Iterable[int]) -> pd.DataFrame:
        """Rows of ``years`` with a member of ``members`` at either end (columns :data:`COLUMNS`)."""
        empty = np.empty(0, dtype=np.intp)
        parts = [self.by_exporter.get(m, empty) for m in members]
        parts += [self.by_importer.get(m, empty) for m in members]
        rows = np.unique(np.concatenate(parts)) if parts else empty
        frame = self.frame.iloc[rows]
        frame = frame[frame.year.isin(list(years))]
        return frame.reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Dense:
    """Per-pair totals as arrays: ``value[d, y, e, i]`` (USD; 0 where no row, NaN where the row's
    value is unknown) and ``rows[d, y, e, i]`` (1 where a row exists), for declaration ``d``,
    year ``y``, exporter ``e`` and importer ``i`` (positions in :attr:`declared`, :attr:`years`,
    :attr:`codes`, codes sorted). Built only where each cell has at most one row."""

    codes: list[str]
    position: dict[str, int]
    years: dict[int, int]
    declared: dict[str, int]
    value: np.ndarray
    rows: np.ndarray
    #: per code position: whether it is an aggregate (World, areas), never a partner
    aggregate: np.ndarray

    def positions(self, members: Iterable[str]) -> list[int]:
        """Sorted code positions of ``members`` that have rows (others trade nothing here)."""
        return sorted(self.position[m] for m in members if m in self.position)


def kahan(values: Iterable[float]) -> float:
    """Sum with Kahan compensation, in order: the arithmetic of pandas' group-by sum, so the
    dense path gives the engine path's floats bit for bit (NaN in, NaN out)."""
    total = comp = 0.0
    for v in values:
        y = v - comp
        t = total + y
        comp = t - total - y
        if comp != comp:  # inf - inf: pandas resets the compensation
            comp = 0.0
        total = t
    return total


def kahan_columns(blocks: list[np.ndarray], present: list[np.ndarray]) -> np.ndarray:
    """Per column, the Kahan sum down the rows of ``blocks`` (stacked in order) over the cells
    where ``present`` is set, as :func:`kahan` over each column's rows that exist (a zero added
    to a running compensation would move the sum: cells without a row are skipped)."""
    width = blocks[0].shape[1]
    total = np.zeros(width)
    comp = np.zeros(width)
    for block, mask in zip(blocks, present, strict=True):
        for row, here in zip(block, mask.astype(bool), strict=True):
            y = row - comp
            t = total + y
            new = t - total - y
            new[new != new] = 0.0
            total = np.where(here, t, total)
            comp = np.where(here, new, comp)
    return total


def _dense(frame: pd.DataFrame) -> Dense | None:
    codes = sorted(
        set(map(str, pd.unique(frame.exporter))) | set(map(str, pd.unique(frame.importer)))
    )
    years = sorted(int(y) for y in pd.unique(frame.year))
    declared = sorted(map(str, pd.unique(frame.declared_by)))
    n = len(codes)
    if not n or len(declared) * len(years) * n * n > MAX_CELLS:
        return None
    position = {c: i for i, c in enumerate(codes)}
    ypos = {y: i for i, y in enumerate(years)}
    dpos = {d: i for i, d in enumerate(declared)}
    d = frame.declared_by.map(dpos).to_numpy(dtype=np.intp)
    y = frame.year.map(ypos).to_numpy(dtype=np.intp)
    e = frame.exporter.map(position).to_numpy(dtype=np.intp)
    i = frame.importer.map(position).to_numpy(dtype=np.intp)
    shape = (len(declared), len(years), n, n)
    flat = np.ravel_multi_index((d, y, e, i), shape)
    if len(np.unique(flat)) != len(flat):
        return None  # several rows per cell (months): the row-wise path keeps their order
    value = np.zeros(shape)
    rows = np.zeros(shape, dtype=np.int8)
    value.flat[flat] = frame.value_usd.to_numpy(dtype=float)
    rows.flat[flat] = 1
    from silkroad.reference.countries import is_aggregate

    aggregate = np.array([is_aggregate(c) for c in codes], dtype=bool)
    return Dense(codes, position, ypos, dpos, value, rows, aggregate)


_CACHE: OrderedDict[tuple[object, ...], TotalsIndex | None] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[tuple[object, ...], threading.Lock] = {}


def totals_index(store: Store, source: str) -> TotalsIndex | None:
    """The in-memory index of ``source``'s pair totals for the store's current snapshot, or None
    when the table is larger than :data:`MAX_ROWS` (then query the engine)."""
    key = (str(store.home), source, tuple(str(p) for p in store.parquet_files(source)))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:  # one thread reads the table; the others of a busy server wait for it
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        index = _build(store, source)
        with _LOCK:
            _CACHE[key] = index
            _BUILDING.pop(key, None)
            while len(_CACHE) > KEEP:
                _CACHE.popitem(last=False)
    return index


def _build(store: Store, source: str) -> TotalsIndex | None:
    everything = store.pair_totals(source)
    t = everything.filter(~everything.re_flow)
    if int(t.count().execute()) > MAX_ROWS:
        return None
    frame = t.select(*COLUMNS).to_pandas()
    frame["year"] = frame.year.astype(int)
    re = everything.filter(everything.re_flow)
    ends = re.select(year=re.year, economy=re.exporter).union(
        re.select(year=re.year, economy=re.importer)
    )
    re_ends: dict[int, set[str]] = {}
    for y, e in ends.distinct().to_pandas().itertuples(index=False):
        re_ends.setdefault(int(y), set()).add(str(e))
    return TotalsIndex(
        frame=frame,
        by_exporter={str(k): v for k, v in frame.groupby("exporter", sort=False).indices.items()},
        by_importer={str(k): v for k, v in frame.groupby("importer", sort=False).indices.items()},
        dense=_dense(frame),
        re_export_ends={y: frozenset(v) for y, v in re_ends.items()},
    )
