"""The store's per-pair totals held in memory, indexed by economy, shared by every Pair.

A pair's summary and profile need only the per-pair totals of the flows touching either side
(one row per exporter, importer, declared_by and year). Asking the engine for them costs a query
compilation and a scan per question; holding the whole table once per store snapshot (it is small:
~40 k pairs a year) turns each question into an index lookup. The table is read-only and shared
by threads (the web server's workers); the key is the snapshot (home, source and its files), so a
new ingest is never answered from old totals. Stores whose totals are too large for memory
(:data:`MAX_ROWS`) keep the engine query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from silkroad.store.store import Store

#: Above this many rows (non-re-export pair totals of a source), the engine is asked instead.
MAX_ROWS = 5_000_000
#: How many store snapshots are kept (a server holds one store; tests open many).
KEEP = 4

COLUMNS = ["year", "exporter", "importer", "declared_by", "value_usd"]


@dataclass(frozen=True, eq=False)
class TotalsIndex:
    """Per-pair totals of one source (re-exports excluded) with row positions by economy."""

    frame: pd.DataFrame
    by_exporter: dict[str, np.ndarray]
    by_importer: dict[str, np.ndarray]

    @cached_property
    def covered(self) -> dict[int, frozenset[str]]:
        """Per year: the economies with at least one row (as exporter or importer)."""
        out: dict[int, frozenset[str]] = {}
        for y, g in self.frame.groupby("year"):
            out[int(y)] = frozenset(map(str, pd.unique(g.exporter))) | frozenset(
                map(str, pd.unique(g.importer))
            )
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
    t = store.pair_totals(source)
    t = t.filter(~t.re_flow)
    if int(t.count().execute()) > MAX_ROWS:
        return None
    frame = t.select(*COLUMNS).to_pandas()
    frame["year"] = frame.year.astype(int)
    return TotalsIndex(
        frame=frame,
        by_exporter={str(k): v for k, v in frame.groupby("exporter", sort=False).indices.items()},
        by_importer={str(k): v for k, v in frame.groupby("importer", sort=False).indices.items()},
    )
