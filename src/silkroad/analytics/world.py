"""The world-level entry into analytics: every economy's trade by product, for indicators.

RCA, complementarity, economic complexity, export potential and gravity need the whole world's
exporter × product × year values at once, not one pair. :class:`World` aggregates them in the
query engine (Ibis over the store: nothing row by row in Python) and hands over dense NumPy
matrices with their labels (:class:`Panel`), or long tables where a matrix would be mostly empty
(bilateral flows). Indicators are then pure functions of the panel.

>>> world = sr.world(store)  # doctest: +SKIP
>>> p = world.panel(2014, level="hs4")  # doctest: +SKIP
>>> p.exports.shape, p.economies[:3], p.products[:3]  # doctest: +SKIP
((205, 1240), ('ABW', 'AFG', 'AGO'), ('0101', '0102', '0103'))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from silkroad import args
from silkroad.analytics.parties import resolve_party
from silkroad.errors import AnalysisError, StoreError
from silkroad.kinds import kind_of
from silkroad.reference.countries import economy_codes, is_economy

if TYPE_CHECKING:
    import ibis

    from silkroad.reference.baskets import BasketSet
    from silkroad.store.store import Store

#: HS level → number of leading digits of the product code.
DIGITS = {"hs2": 2, "hs4": 4, "hs6": 6}
SIDES = ("exports", "imports")


@dataclass(frozen=True)
class Panel:
    """One year of world trade by product, as dense matrices (USD).

    ``exports[i, k]``: economy ``economies[i]``'s exports of product ``products[k]`` to every
    partner; ``imports[i, k]``: its imports of it from every partner. Rows are the economies that
    export or import anything that year (aggregates such as World excluded), columns the products
    at ``level`` (an HS level or a basket set's ids). Re-exports are excluded.
    """

    year: int
    level: str
    economies: tuple[str, ...]
    products: tuple[str, ...]
    exports: np.ndarray
    imports: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def index(self) -> dict[str, int]:
        """Row number of each economy."""
        return {e: i for i, e in enumerate(self.economies)}

    def rows_of(self, side: str) -> list[int]:
        """Row numbers of an economy or of a bloc's members in this year (present ones only)."""
        party = resolve_party(side)
        members = party.members(self.year)
        rows = sorted(self.index[m] for m in members if m in self.index)
        if not rows:
            from silkroad.analytics.unknown import panel_notes

            (why,) = [n["reason"] for n in panel_notes(self, party)] or [party.code]
            raise AnalysisError(
                f"{why}: its values are unknown",
                field="economy",
                found=party.code,
                expected="an economy or bloc present in the panel's year",
            )
        return rows

    def exports_of(self, side: str) -> np.ndarray:
        """Exports by product of an economy, or of a bloc (the sum of its members' rows, their
        trade with each other included; see :meth:`bilateral` to net it out)."""
        return np.asarray(self.exports[self.rows_of(side)].sum(axis=0), dtype=float)

    def imports_of(self, side: str) -> np.ndarray:
        """Imports by product of an economy or a bloc (members' rows summed)."""
        return np.asarray(self.imports[self.rows_of(side)].sum(axis=0), dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """The non-zero cells as a long table: economy, product, exports_usd, imports_usd."""
        i, k = np.nonzero((self.exports != 0) | (self.imports != 0))
        return pd.DataFrame(
            {
                "economy": np.asarray(self.economies, dtype=object)[i],
                "product": np.asarray(self.products, dtype=object)[k],
                "exports_usd": self.exports[i, k],
                "imports_usd": self.imports[i, k],
            }
        )


@dataclass(frozen=True)
class Slice:
    """Some economies' rows of one year's :class:`Panel` and the panel's column sums, read
    without building the whole panel (USD): what one exporter's potential in one market needs.

    ``economies`` and ``products`` are the whole panel's labels; ``exports`` and ``imports``
    hold the rows of the economies asked for that are present (aligned on ``products``);
    ``world_exports`` and ``world_imports`` are the sums over every economy of the panel.
    """

    year: int
    level: str
    economies: tuple[str, ...]
    products: tuple[str, ...]
    exports: dict[str, np.ndarray]
    imports: dict[str, np.ndarray]
    world_exports: np.ndarray
    world_imports: np.ndarray


def _slice_of(panel: Panel, exporters: Sequence[str], importers: Sequence[str]) -> Slice:
    """The :class:`Slice` of a panel already built."""
    ix = panel.index
    return Slice(
        year=panel.year,
        level=panel.level,
        economies=panel.economies,
        products=panel.products,
        exports={e: panel.exports[ix[e]].copy() for e in exporters if e in ix},
        imports={e: panel.imports[ix[e]].copy() for e in importers if e in ix},
        world_exports=panel.exports.sum(axis=0),
        world_imports=panel.imports.sum(axis=0),
    )


class World:
    """All economies of one source of the store, by product and year.

    ``source`` defaults to the store's best reconciled source (BACI: each flow once, both sides
    consistent); a declared source (Comtrade, a national table) covers only its reporters.
    """

    def __init__(self, store: Store, *, source: str | None = None) -> None:
        self.store = store
        states = store.catalog.sources
        if not states:
            raise StoreError(
                f"the store at {store.home} holds no data",
                hint="run `silkroad demo` or `silkroad ingest baci PATH` first",
            )
        if source is not None and source not in states:
            raise StoreError(
                f"no source {source!r} in the store",
                field="source",
                expected="one of: " + ", ".join(sorted(states)),
            )
        if source is None:
            reconciled = [s for s in states.values() if kind_of(s).reconciled]
            if not reconciled:
                raise AnalysisError(
                    "world-level analyses need reconciled statistics (BACI), which the store "
                    "does not hold",
                    field="source",
                    found=", ".join(sorted(states)),
                    hint="ingest a BACI release, or name a declared source with --source",
                )
            source = min(reconciled, key=lambda s: (s.synthetic, -len(s.years), s.source)).source
        self.source = source
        self._state = states[source]
        self._panels: dict[tuple[Any, ...], dict[int, Panel]] = {}

    def __repr__(self) -> str:
        return f"World(source={self.source!r})"

    # --- metadata ----------------------------------------------------------------------
    def years(self) -> list[int]:
        """Years the source holds."""
        return self.store.years(self.source)

    def metadata(self, years: Sequence[int], level: str) -> dict[str, Any]:
        """Where the numbers come from: source, release, years, level, currency, synthetic."""
        return {
            "source": self.source,
            "source_version": self._state.source_version,
            "classification": self._state.classification,
            "perspective": "reconciled" if kind_of(self._state).reconciled else "declared",
            "years": list(years),
            "level": level,
            "currency": "USD",
            "synthetic": self._state.synthetic,
        }

    def check_years(self, years: Iterable[int] | int | None) -> list[int]:
        """The years asked for (default: all held), each one held by the source."""
        held = self.years()
        if years is None:
            return held
        wanted = sorted({int(years)} if isinstance(years, int) else {int(y) for y in years})
        missing = [y for y in wanted if y not in held]
        if missing or not wanted:
            span = f"{held[0]}–{held[-1]}" if held else "none"
            raise AnalysisError(
                f"year {missing[0] if missing else '(none)'} is not in the store for {self.source}",
                field="year",
                found=missing[0] if missing else None,
                expected=f"years within {span}",
            )
        return wanted

    # --- engine-side aggregation --------------------------------------------------------
    def _flows(self, years: list[int]) -> ibis.Table:
        """Product rows of ``years``: no re-exports, no totals, known values."""
        t = self.store.flows(self.source)
        return t.filter(
            t.year.isin(years),
            ~t.re_flow,
            t.classification != "TOTAL",
            t.value_usd.notnull(),
        )

    def _grouped(self, t: ibis.Table, level: str | BasketSet) -> tuple[ibis.Table, str]:
        """``t`` with a ``code`` column at ``level`` (rows too coarse for it left out)."""
        if isinstance(level, str):
            digits = DIGITS[args.level(level, allowed=tuple(DIGITS))]
            if digits == 6:  # products have at most 6 digits (DESIGN): the code is the product
                t = t.filter(t["product"].length() == 6)
                return t.mutate(code=t["product"]), level
            t = t.filter(t["product"].length() >= digits)
            return t.mutate(code=t["product"].substr(0, digits)), level
        # A basket set (non-overlapping ranges): each product to the basket whose range holds it.
        import ibis

        cases = []
        for basket in level.baskets:
            for r in basket.ranges:
                prefix = t["product"].substr(0, r.digits)
                hit = (t["product"].length() >= r.digits) & (prefix >= r.low) & (prefix <= r.high)
                cases.append((hit, basket.id))
        code = ibis.cases(*cases, else_=None) if cases else ibis.null().cast("string")
        t = t.mutate(code=code)
        return t.filter(t.code.notnull()), "baskets"

    def long(
        self,
        years: Iterable[int] | int | None = None,
        *,
        level: str | BasketSet = "hs6",
        exporters: Iterable[str] | None = None,
        importers: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Bilateral flows by product, aggregated in the engine: year, exporter, importer,
        code (product at ``level``), value_usd. Only economies (no aggregates); ``exporters``
        and ``importers`` (ISO3 codes) restrict the rows before anything is read."""
        ys = self.check_years(years)
        t = self._flows(ys)
        if exporters is not None:
            t = t.filter(t.exporter.isin(sorted(set(exporters))))
        if importers is not None:
            t = t.filter(t.importer.isin(sorted(set(importers))))
        t, _ = self._grouped(t, level)
        out = (
            t.group_by(["year", "exporter", "importer", "code"])
            .aggregate(value_usd=t.value_usd.sum())
            .to_pandas()
        )
        out = _economies_only(_economies_only(out, "exporter"), "importer")
        return out.sort_values(["year", "exporter", "importer", "code"]).reset_index(drop=True)

    def panel(self, year: int, *, level: str | BasketSet = "hs6") -> Panel:
        """One year's exports and imports by economy and product, as dense matrices (USD)."""
        return self.panels([year], level=level)[int(year)]

    def panels(
        self, years: Iterable[int] | None = None, *, level: str | BasketSet = "hs6"
    ) -> dict[int, Panel]:
        """:meth:`panel` for several years in one query per side (kept for this World: the
        analyses of one brief ask for the same panels several times)."""
        ys = self.check_years(years)
        key = (tuple(ys), level if isinstance(level, str) else id(level))
        cached = self._panels.get(key)
        if cached is None and isinstance(level, str):  # another World of the same store state
            cached = _SHARED.get((*self.state_key(), *key))
            if cached is not None:
                self._keep(key, cached)
        if cached is not None:
            return dict(cached)
        ex, im, level_name = self._sides(ys, level)
        out = {}
        for y in ys:
            ey, iy = _of_year(ex, y), _of_year(im, y)
            economies = _labels((ey, iy), "economy", is_economy)
            ey, iy = _among(ey, economies), _among(iy, economies)  # aggregates such as World out
            products = _labels((ey, iy), "code")
            out[y] = Panel(
                year=y,
                level=level_name,
                economies=economies,
                products=products,
                exports=_dense(ey, economies, products),
                imports=_dense(iy, economies, products),
                metadata=self.metadata([y], level_name),
            )
        self._keep(key, out)
        return dict(out)

    def slices(
        self,
        years: Iterable[int] | None = None,
        *,
        exporters: Sequence[str] = (),
        importers: Sequence[str] = (),
        level: str = "hs6",
    ) -> dict[int, Slice]:
        """The rows of ``exporters`` (their exports) and ``importers`` (their imports) in each
        year's panel at ``level``, with the panel's world totals by product (:class:`Slice`).

        Reads only those rows and one sum per product from the store's product totals (a
        pair's potential does not need the other 200 economies' rows); from the panels when
        they are held already or the store has no product totals (the same numbers). The
        world totals are kept per store state, so the next pair reads its own rows only.
        """
        ys = self.check_years(years)
        exporters, importers = list(dict.fromkeys(exporters)), list(dict.fromkeys(importers))
        key = (tuple(ys), level)
        held = self._panels.get(key) or _SHARED.get((*self.state_key(), *key))
        totals = self.store.product_totals(self.source)
        if held is not None or totals is None:
            panels = self.panels(ys, level=level)
            return {y: _slice_of(panels[y], exporters, importers) for y in ys}
        t, level_name = self._grouped(totals.filter(totals.year.isin(ys)), level)
        parts, others = self._world_totals(t, ys, level)
        if others:  # aggregates such as World (few): a short filter, not a list of 200
            t = t.filter(~t.economy.isin(others))
        wanted = t.filter(
            ((t.side == "exports") & t.economy.isin(exporters or [""]))
            | ((t.side == "imports") & t.economy.isin(importers or [""]))
        )
        rows = (
            wanted.group_by(["year", "side", "economy", "code"])
            .aggregate(value_usd=wanted.value_usd.sum())
            .to_pyarrow()
        )
        out = {}
        for y in ys:
            economies, products, world_exports, world_imports = parts[y]
            ry = _of_year(rows, y)
            got: dict[str, dict[str, np.ndarray]] = {}
            held = set(economies)
            for s, names in (("exports", exporters), ("imports", importers)):
                part = ry.filter(pc.equal(ry["side"], s))
                held_names = tuple(e for e in names if e in held)
                m = _dense(part, held_names, products)
                got[s] = {e: m[i] for i, e in enumerate(held_names)}
            out[y] = Slice(
                year=y,
                level=level_name,
                economies=economies,
                products=products,
                exports=got["exports"],
                imports=got["imports"],
                world_exports=world_exports,
                world_imports=world_imports,
            )
        return out

    def _world_totals(
        self, t: ibis.Table, ys: list[int], level: str
    ) -> tuple[dict[int, tuple[Any, ...]], list[str]]:
        """Per year of ``t`` (product totals with ``code``): the panel's economies, products,
        and the world's exports and imports per product (USD); and the aggregate codes found.
        Kept per store state (a few thousand numbers a year)."""
        key = (*self.state_key(), "world-totals", tuple(ys), level)
        kept = _SHARED.get(key)
        if kept is not None:
            return kept["parts"], kept["others"]
        # the panel's row labels per year: the economies (no aggregates) with a row that year
        present = t.select("year", "economy").distinct().to_pyarrow()
        codes = pc.unique(present["economy"].cast(pa.string())).to_pylist()
        others = sorted(c for c in codes if c is not None and not is_economy(c))
        if others:
            t = t.filter(~t.economy.isin(others))
        sums = (
            t.group_by(["year", "side", "code"]).aggregate(value_usd=t.value_usd.sum()).to_pyarrow()
        )
        parts: dict[int, tuple[Any, ...]] = {}
        for y in ys:
            py = _of_year(present, y)
            economies = _labels((py,), "economy", is_economy)
            sy = _of_year(sums, y)
            products = _labels((sy,), "code")
            world = [_by_code(sy.filter(pc.equal(sy["side"], s)), products) for s in SIDES]
            parts[y] = (economies, products, *world)
        _SHARED.put(key, {"parts": parts, "others": others})
        return parts, others

    def _sides(self, ys: list[int], level: str | BasketSet) -> tuple[pa.Table, pa.Table, str]:
        """Exports and imports by (year, economy, code) at ``level``: from the product totals
        the store writes at ingest (a tenth of the rows), else from the flows themselves."""
        totals = self.store.product_totals(self.source)
        if totals is not None:
            t, level_name = self._grouped(totals.filter(totals.year.isin(ys)), level)
            g = (
                t.group_by(["year", "side", "economy", "code"])
                .aggregate(value_usd=t.value_usd.sum())
                .to_pyarrow()
            )
            sides = [g.filter(pc.equal(g["side"], s)) for s in ("exports", "imports")]
            return sides[0], sides[1], level_name
        t, level_name = self._grouped(self._flows(ys), level)
        out = []
        for end in ("exporter", "importer"):
            out.append(
                t.group_by(["year", end, "code"])
                .aggregate(value_usd=t.value_usd.sum())
                .rename(economy=end)
                .to_pyarrow()
            )
        return out[0], out[1], level_name

    def _keep(self, key: tuple[Any, ...], panels: dict[int, Panel]) -> None:
        """Keep ``panels`` for this World and, at an HS level, for every World of the same
        store state (the sections of a brief, and the briefs of one process, share them)."""
        entries = {key: panels}
        for y, p in panels.items():  # each year is also a panel of its own
            entries.setdefault(((y,), key[1]), {y: p})
        for k, v in entries.items():
            self._panels.setdefault(k, v)
            if isinstance(key[1], str):
                _SHARED.put((*self.state_key(), *k), v)

    def state_key(self) -> tuple[Any, ...]:
        """What identifies the data this World reads: the store's path, its catalog generation
        and the ingest behind each year of the source (a re-ingest, or a new store at the same
        path, differs): the key of results kept across World objects."""
        catalog = self.store.catalog
        state = catalog.sources[self.source]
        ingests = tuple(
            (y, i, getattr(catalog.ingests.get(i), "finished_at", ""))
            for y, i in sorted(state.years.items())
        )
        return (str(Path(self.store.home).resolve()), catalog.generation, self.source, ingests)

    def rca_expr(
        self, years: Iterable[int] | int | None = None, *, level: str | BasketSet = "hs6"
    ) -> ibis.Table:
        """Balassa RCA of every economy × product × year as an engine expression (nothing is
        read until it is executed or written): year, economy, code, exports_usd, rca.

        RCA = (x_ik / X_i) / (x_wk / X_w) within each year over the economies (aggregates
        excluded), the same figure :func:`silkroad.analytics.indicators.rca` gives from a panel.
        Execute it, or write it with :meth:`write_rca`, so the whole store never sits in memory.
        """
        import ibis

        ys = self.check_years(years)
        t, _ = self._grouped(self._flows(ys), level)
        economies = sorted(economy_codes())
        t = t.filter(t.exporter.isin(economies), t.importer.isin(economies))
        g = t.group_by(["year", "exporter", "code"]).aggregate(exports_usd=t.value_usd.sum())
        x_i = g.exports_usd.sum().over(ibis.window(group_by=[g.year, g.exporter]))
        x_k = g.exports_usd.sum().over(ibis.window(group_by=[g.year, g.code]))
        x_w = g.exports_usd.sum().over(ibis.window(group_by=[g.year]))
        return g.select(
            "year",
            economy=g.exporter,
            code=g.code,
            exports_usd=g.exports_usd,
            rca=(g.exports_usd / x_i) / (x_k / x_w),
        )

    def write_rca(
        self,
        path: str | Path,
        years: Iterable[int] | int | None = None,
        *,
        level: str | BasketSet = "hs6",
    ) -> Path:
        """Write :meth:`rca_expr` to a Parquet file by the engine (streamed, not in memory)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.rca_expr(years, level=level).to_parquet(target)
        return target

    def bilateral_totals(self, years: Iterable[int] | int | None = None) -> pd.DataFrame:
        """Aggregate bilateral trade: year, exporter, importer, value_usd (USD), from the pair
        totals the store keeps (no product scan). Only economies; re-exports excluded."""
        ys = self.check_years(years)
        t = self.store.pair_totals(self.source)
        t = t.filter(t.year.isin(ys), ~t.re_flow, t.value_usd.notnull())
        out = (
            t.group_by(["year", "exporter", "importer"])
            .aggregate(value_usd=t.value_usd.sum())
            .to_pandas()
        )
        out = _economies_only(_economies_only(out, "exporter"), "importer")
        out = out[out.exporter != out.importer]
        return out.sort_values(["year", "exporter", "importer"]).reset_index(drop=True)


def _economies_only(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is an economy (aggregates such as World out);
    each distinct code is looked up once, not each row."""
    codes = pd.unique(frame[column])
    return frame[frame[column].isin([c for c in codes if is_economy(c)])]


class _Kept:
    """Panels (and world totals) kept for the process by (store state, years, level): the last
    :data:`KEPT`."""

    KEPT = 12  # a brief uses 5 (hs4 of its year; hs6 of 3 years and of each), potential 1 more

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()  # the web server reads panels from several threads

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], panels: Any) -> None:
        with self._lock:
            self._items[key] = panels
            self._items.move_to_end(key)
            while len(self._items) > self.KEPT:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_SHARED = _Kept()


def _of_year(table: pa.Table, year: int) -> pa.Table:
    """The rows of a long (year, economy, code, value_usd) Arrow table for one year."""
    return table.filter(pc.equal(table["year"], year))


def _among(table: pa.Table, economies: tuple[str, ...]) -> pa.Table:
    """The rows of ``table`` whose economy is one of ``economies``."""
    keep = pc.is_in(table["economy"].cast(pa.string()), value_set=pa.array(economies, pa.string()))
    return table.filter(keep)


def _labels(tables: Sequence[pa.Table], column: str, keep: Any = None) -> tuple[str, ...]:
    """The sorted distinct values of ``column`` in ``tables`` (those ``keep`` accepts); each
    distinct code is looked at once, not each row."""
    values = {v for t in tables for v in pc.unique(t[column].cast(pa.string())).to_pylist()}
    return tuple(sorted(v for v in values if v is not None and (keep is None or keep(v))))


def _by_code(table: pa.Table, cols: tuple[str, ...]) -> np.ndarray:
    """A vector over ``cols`` (USD) from a long (code, value_usd) Arrow table; 0 where absent."""
    c = pc.index_in(table["code"].cast(pa.string()), value_set=pa.array(cols, pa.string()))
    keep = c.is_valid()
    v = pc.fill_null(table["value_usd"].filter(keep), 0).to_numpy(zero_copy_only=False)
    idx = c.filter(keep).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.bincount(idx, weights=v.astype(float), minlength=len(cols))


def _dense(table: pa.Table, rows: tuple[str, ...], cols: tuple[str, ...]) -> np.ndarray:
    """A rows × cols float matrix (USD) from a long (economy, code, value_usd) Arrow table with
    one row per cell; 0 where absent, rows whose economy is not in ``rows`` left out."""
    shape = (len(rows), len(cols))
    if table.num_rows == 0 or not rows or not cols:
        return np.zeros(shape, dtype=float)
    r = pc.index_in(table["economy"].cast(pa.string()), value_set=pa.array(rows, pa.string()))
    c = pc.index_in(table["code"].cast(pa.string()), value_set=pa.array(cols, pa.string()))
    keep = pc.and_(r.is_valid(), c.is_valid())
    r = r.filter(keep).to_numpy(zero_copy_only=False).astype(np.int64)
    c = c.filter(keep).to_numpy(zero_copy_only=False).astype(np.int64)
    v = pc.fill_null(table["value_usd"].filter(keep), 0).to_numpy(zero_copy_only=False)
    flat = np.bincount(r * shape[1] + c, weights=v.astype(float), minlength=shape[0] * shape[1])
    return flat.reshape(shape)
