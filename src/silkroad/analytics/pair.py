"""One relationship between two sides (economies or blocs): the entry point of bilateral analyses.

A :class:`Pair` reads the store once per question and hands plain DataFrames to the analysis
modules (``profile``, ``structure``, ``movers``, ``prices``). Exports are A→B, imports B→A.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics.growth import growth_array
from silkroad.analytics.parties import Party, check_distinct, resolve_party, sides_for_year
from silkroad.analytics.totals import Dense, kahan, totals_index
from silkroad.analytics.unknown import TRADE, absent_reason, bloc_reason, covered, note
from silkroad.errors import AnalysisError, StoreError
from silkroad.kinds import COMTRADE, kind_of
from silkroad.results import Result, bundle_result, table_result

if TYPE_CHECKING:
    from silkroad.store.store import Store

PERSPECTIVES = ("auto", "reconciled", "exporter", "mirror")

#: For each perspective, which declaration supplies A's exports and A's imports.
DECLARED_BY = {
    "reconciled": {"exports": "reconciled", "imports": "reconciled"},
    "exporter": {"exports": "exporter", "imports": "importer"},  # each side's own figures
    "mirror": {"exports": "importer", "imports": "exporter"},  # the partner's figures
}

SUMMARY_COLUMNS = [
    "year",
    "exports_usd",
    "imports_usd",
    "turnover_usd",
    "balance_usd",
    "exports_growth",
    "imports_growth",
    "turnover_growth",
]

FLOW_COLUMNS = ["year", "direction", "product", "value_usd", "weight_kg"]


class Pair:
    """Side ``a`` seen against partner ``b``; either may be an economy or a bloc (``EAEU``).

    >>> pair = sr.pair(store, "BLR", "KAZ")  # doctest: +SKIP
    >>> pair.profile(years=range(2007, 2015), base=2007).to_frame()  # doctest: +SKIP
    """

    def __init__(
        self,
        store: Store,
        a: str,
        b: str,
        *,
        source: str | None = None,
        perspective: str = "auto",
    ) -> None:
        self.store = store
        self.party_a: Party = resolve_party(a)
        self.party_b: Party = resolve_party(b)
        check_distinct(self.party_a, self.party_b)
        if perspective not in PERSPECTIVES:
            raise AnalysisError(
                "unknown perspective",
                field="perspective",
                found=perspective,
                expected="one of: " + ", ".join(PERSPECTIVES),
            )
        self.perspective, self.source = self._choose(perspective, source)
        #: years asked for inside the span the source holds but absent from it (skipped), in
        #: the last question that skipped any; :meth:`metadata` reports each question's own
        self.years_not_held: list[int] = []
        self._skipped: dict[tuple[int, ...], list[int]] = {}  # years taken -> years skipped
        # One store read per set of years: structure, movers and prices of a brief share it.
        self._product_flows: dict[tuple[int, ...], pd.DataFrame] = {}
        self._touching: dict[tuple[int, ...], pd.DataFrame] = {}
        #: per year, the economies with any row in the source (unknown.covered), read once
        self._covered: dict[int, frozenset[str]] = {}
        self._gaps: dict[int, str | None] = {}  # per year, gap()'s answer (asked many times)
        self._dense_read = False
        self._dense_totals: Dense | None = None
        self._dense_years: dict[int, tuple[float, float]] = {}  # year -> (exports, imports)

    @property
    def a(self) -> str:
        return self.party_a.code

    @property
    def b(self) -> str:
        return self.party_b.code

    def __repr__(self) -> str:
        return f"Pair({self.a!r}, {self.b!r}, source={self.source!r}, perspective={self.perspective!r})"

    # --- sources and metadata ----------------------------------------------------------
    def _choose(self, perspective: str, source: str | None) -> tuple[str, str]:
        states = self.store.catalog.sources
        if not states:
            raise StoreError(
                f"the store at {self.store.home} holds no data",
                hint="run `silkroad demo` or `silkroad ingest baci PATH` first",
            )
        if source is not None and source not in states:
            raise StoreError(
                f"no source {source!r} in the store",
                field="source",
                expected="one of: " + ", ".join(sorted(states)),
            )
        candidates = [states[source]] if source else list(states.values())
        reconciled = [s for s in candidates if kind_of(s).reconciled]
        declared = [s for s in candidates if kind_of(s).declared]
        if perspective == "auto":
            perspective = "reconciled" if reconciled else "exporter"
        pool = reconciled if perspective == "reconciled" else declared
        if not pool:
            what = "reconciled (BACI)" if perspective == "reconciled" else "declared"
            raise AnalysisError(
                f"perspective {perspective!r} needs {what} statistics, which the store does not hold",
                field="perspective",
                found=", ".join(sorted(s.source for s in candidates)),
                hint="use --perspective reconciled with BACI data"
                if perspective != "reconciled"
                else "ingest a BACI release",
            )
        # 'exporter' reads A's own declarations (both directions), 'mirror' B's: the
        # declaring side's Comtrade source (docs/comtrade.md), when the store holds it.
        if perspective in ("exporter", "mirror") and source is None:
            side = self.party_a if perspective == "exporter" else self.party_b
            code = side.code.lower()
            # Only the declaring side's own sources: its Comtrade data, else its national tables.
            mine = [s for s in pool if kind_of(s).declarer_of(s.source) == side.code]
            own = sorted(
                (s for s in mine if kind_of(s) is COMTRADE), key=lambda s: s.source
            ) or sorted(
                (s for s in mine if kind_of(s) is not COMTRADE),
                key=lambda s: (-len(s.years), s.source),
            )
            if not own:
                raise AnalysisError(
                    f"perspective {perspective!r} needs {side.code}'s own declarations, "
                    "which the store does not hold",
                    field="perspective",
                    found=", ".join(sorted(s.source for s in pool)),
                    expected=f"comtrade-{code} or a table-{code}-* source",
                )
            return perspective, own[0].source
        # Prefer real data to the synthetic demo world, then the longest coverage.
        best = min(pool, key=lambda s: (s.synthetic, -len(s.years), s.source))
        return perspective, best.source

    def metadata(self, years: list[int]) -> dict[str, Any]:
        """Where the numbers come from: source, release, perspective, years, currency, synthetic."""
        state = self.store.catalog.sources[self.source]
        return {
            # Side A and partner B: A is the exporter of 'exports' and the importer of 'imports'.
            "a": self.a,
            "b": self.b,
            "a_name": self.party_a.name("en"),
            "b_name": self.party_b.name("en"),
            "a_kind": self.party_a.kind,
            "b_kind": self.party_b.kind,
            "source": self.source,
            "source_version": state.source_version,
            "classification": state.classification,
            "perspective": self.perspective,
            "years": years,
            "currency": "USD",
            "synthetic": state.synthetic,
            # the years skipped when these years were asked for (not an earlier question's)
            "years_not_held": list(self._skipped.get(tuple(sorted({int(y) for y in years})), [])),
            # Why a value is unknown (NaN / null), one record per year and cause (unknown.py).
            "unknown": self.unknown_notes(years),
        }

    def unknown_notes(self, years: Iterable[int]) -> list[dict[str, Any]]:
        """The reasons the pair's flows are unknown in any of ``years`` (held years only)."""
        held = set(self.years_available())
        ys = sorted({int(y) for y in years} & held)
        notes = [note(y, TRADE, r) for y in ys if (r := self.gap(y)) is not None]
        notes += self.member_notes(ys)
        for direction in ("exports", "imports"):
            for y in ys:
                why = self.direction_gap(y, direction) if self.gap(y) is None else None
                if why is not None:
                    notes.append(note(y, direction, why))
        for direction in ("exports", "imports"):
            for y in self.unknown_years(ys, direction):
                notes.append(
                    note(
                        y,
                        direction,
                        f"{self.a}'s {direction} with {self.b} in {y} are declared missing in "
                        f"{self.source} ('-' or empty)",
                    )
                )
        return sorted(notes, key=lambda n: (n["year"], n["what"]))

    def years_available(self) -> list[int]:
        return self.store.years(self.source)

    def check_years(self, years: Iterable[int] | None) -> list[int]:
        """The years asked for (default: all the source holds), each checked to be held."""
        held = self.years_available()
        if years is None:
            return held
        wanted = sorted({int(y) for y in years})
        missing = [y for y in wanted if y not in held]
        inside = bool(held) and all(held[0] < y < held[-1] for y in missing)
        if missing and inside and len(missing) < len(wanted):
            # Gaps inside the years the source holds (a table of 2007, 2013 and 2014 asked for
            # 2007-2014): the years held, with a note, rather than an error on 2008.
            taken = [y for y in wanted if y in held]
            self.years_not_held = sorted(missing)
            self._skipped[tuple(taken)] = self.years_not_held
            return taken
        if missing or not wanted:
            span = f"{held[0]}–{held[-1]}" if held else "none"
            raise AnalysisError(
                f"year {missing[0] if missing else '(none)'} is not in the store for {self.source}",
                field="years",
                found=missing[0] if missing else None,
                expected=f"years within {span}",
            )
        return wanted

    def sides_exist(self, year: int) -> bool:
        """Whether both sides stand for at least one economy in ``year`` (a bloc may not yet)."""
        sa, sb = sides_for_year(self.party_a, self.party_b, year)
        return bool(sa) and bool(sb)

    def flow_notes(self, years: Iterable[int], direction: str) -> list[dict[str, Any]]:
        """The reasons A's ``direction`` with B is unknown in any of ``years`` (empty: known)."""
        return [n for n in self.unknown_notes(years) if n["what"] in (TRADE, direction)]

    def covered(self, year: int) -> frozenset[str]:
        """The economies with at least one row in the source in ``year`` (cached)."""
        y = int(year)
        if y not in self._covered:
            wanted = [x for x in self.years_available() if x not in self._covered] or [y]
            self._covered.update(covered(self.store, self.source, sorted(set(wanted) | {y})))
        return self._covered.get(y, frozenset())

    def gap(self, year: int) -> str | None:
        """Why the pair's flows in ``year`` are unknown, or None when the data establish them.

        Unknown: a side stands for no economy (a bloc not yet founded), an economy side is not
        covered by the source that year, or no member of a bloc side is. A bloc side with some
        members not covered stands for the others (:meth:`member_notes` says which), as world
        panels do. A side the source covers with no flow to the other traded 0
        (module :mod:`silkroad.analytics.unknown`).
        """
        y = int(year)
        if y not in self._gaps:
            self._gaps[y] = self._gap(y)
        return self._gaps[y]

    def _gap(self, y: int) -> str | None:
        sa, sb = sides_for_year(self.party_a, self.party_b, y)
        for members, side, other in (
            (sa, self.party_a, self.party_b),
            (sb, self.party_b, self.party_a),
        ):
            if not members:
                why = bloc_reason(side, y, None if other.is_bloc else other)
                return why or f"{side.code} had no members in {y}"
        version = self.store.catalog.sources[self.source].source_version
        declarer = self.declarer
        # Declared data list the declarer's partners: the declarer must have rows in the year;
        # a partner it lists in some year (not this one) traded 0 with it, one never listed is
        # not covered (a table of one partner says nothing of the others).
        if declarer is not None and declarer in sa | sb and declarer not in self.covered(y):
            return absent_reason(declarer, self.source, version, y)
        for members, side in ((sa, self.party_a), (sb, self.party_b)):
            absent = self._absent(members, y)
            if absent and (not side.is_bloc or absent == sorted(members)):
                if declarer is None:
                    return absent_reason(", ".join(absent), self.source, version, y)
                return f"{', '.join(absent)}: not among the partners in {self.source} (any year)"
        return None

    def _absent(self, members: frozenset[str], year: int) -> list[str]:
        """The economies of ``members`` the source does not cover in ``year`` (see :meth:`gap`)."""
        if self.declarer is None:
            return sorted(members - self.covered(year))
        listed = frozenset().union(*(self.covered(x) for x in self.years_available()))
        return sorted(m for m in members - listed if m != self.declarer)

    def member_notes(self, years: Iterable[int]) -> list[dict[str, Any]]:
        """Notes on bloc sides standing for fewer members than they had (some not covered)."""
        out = []
        for y in sorted({int(x) for x in years}):
            if self.gap(y) is not None:
                continue
            sa, sb = sides_for_year(self.party_a, self.party_b, y)
            for members, side in ((sa, self.party_a), (sb, self.party_b)):
                absent = self._absent(members, y) if side.is_bloc else []
                if absent:
                    why = (
                        f"{', '.join(absent)}: not in {self.source} for {y}; {side.code} stands "
                        "for its other members"
                    )
                    out.append(note(y, "members", why))
        return out

    @property
    def declarer(self) -> str | None:
        """The economy whose declarations the source holds (Comtrade, a table), else None."""
        state = self.store.catalog.sources[self.source]
        kind = kind_of(state)
        return None if kind.reconciled else kind.declarer_of(self.source)

    def direction_gap(self, year: int, direction: str) -> str | None:
        """Why A's ``direction`` with B is unknown in ``year`` although both sides are covered:
        a declared source without a single row of that flow of its declarer (a table of
        exports only says nothing of imports), else None."""
        declarer = self.declarer
        if declarer is None:
            return None
        y = int(year)
        sa, _ = sides_for_year(self.party_a, self.party_b, y)
        # A's exports are the declarer's exports when it is on side A, its imports otherwise.
        own = (direction == "exports") == (declarer in sa)
        flow, column = ("exports", "exporter") if own else ("imports", "importer")
        frame = self.touching_totals([y])
        if bool((frame[column] == declarer).any()):
            return None
        return f"{self.source} has no {flow} of {declarer} for {y}: that flow is not in it"

    def require_sides(self, year: int) -> None:
        """Raise an AnalysisError when a side has no members in ``year`` (bloc not yet formed)."""
        if not self.sides_exist(year):
            empty = self.party_a if not self.party_a.members(year) else self.party_b
            raise AnalysisError(
                f"{empty.code} had no members in {year}; trade with it is undefined, not zero",
                field="year",
                found=year,
                expected=f"a year in which {empty.code} existed",
            )

    def unknown_years(self, years: Iterable[int], direction: str) -> list[int]:
        """Which of ``years`` (held) have A's ``direction`` ('exports'/'imports') with B declared
        missing: a national table's '-' or empty cells, stored as rows of unknown value."""
        ys = [y for y in sorted({int(y) for y in years}) if self.gap(y) is None]
        dense = self.dense()
        if ys and dense is not None:
            # reconciled data: a held year's flow is NaN only where a row's value is unknown
            at = 0 if direction == "exports" else 1
            flows = [self._year_cached(dense, y)[at] for y in ys]
            return [y for y, v in zip(ys, flows, strict=True) if v != v]
        if not ys or not self.touching_totals(ys).value_usd.isna().any():
            return []  # the usual case (BACI, Comtrade): no value unknown at all, no more work
        out = self.yearly(ys)
        return [
            int(y)
            for y, v in zip(out.year, out[f"{direction}_usd"], strict=True)
            if pd.isna(v) and self.direction_gap(int(y), direction) is None
        ]

    def require_known(self, years: Iterable[int], direction: str, *, role: str = "year") -> None:
        """Raise an AnalysisError naming the first of ``years`` whose flow is declared missing."""
        unknown = self.unknown_years(years, direction)
        if unknown:
            year = unknown[0]
            raise AnalysisError(
                f"{self.a}'s {direction} with {self.b} in {year} are missing in {self.source} "
                "(declared as '-' or empty): unknown, not zero",
                field=role,
                found=year,
                expected=f"a year whose {direction} the source gives",
            )

    # --- data access -------------------------------------------------------------------
    def dense(self) -> Dense | None:
        """The store's pair totals as arrays (:class:`~silkroad.analytics.totals.Dense`) when
        held and the source is reconciled (declared data keep the row-wise path and its
        checks of what a declarer lists), else None; looked up once per Pair."""
        if not self._dense_read:
            index = totals_index(self.store, self.source) if self.declarer is None else None
            self._dense_totals = None if index is None else index.dense
            self._dense_read = True
        return self._dense_totals

    def _yearly_dense(self, dense: Dense, ys: list[int]) -> pd.DataFrame:
        """:meth:`yearly` from the arrays: per year, the sum of the block of side A's members
        (rows) by side B's (columns), in the engine path's order and arithmetic."""
        flows = [self._year_cached(dense, y) for y in ys]
        exports = [f[0] for f in flows]
        imports = [f[1] for f in flows]
        return pd.DataFrame({"year": ys, "exports_usd": exports, "imports_usd": imports})

    def _year_cached(self, dense: Dense, y: int) -> tuple[float, float]:
        if y not in self._dense_years:
            self._dense_years[y] = self._year_dense(dense, y)
        return self._dense_years[y]

    def _year_dense(self, dense: Dense, y: int) -> tuple[float, float]:
        nan = float("nan")
        if self.gap(y) is not None:
            return nan, nan
        wanted = DECLARED_BY[self.perspective]
        sa, sb = sides_for_year(self.party_a, self.party_b, y)
        ia, ib = dense.positions(sa), dense.positions(sb)
        yi = dense.years.get(y)
        out = []
        for d, rows, cols in ((wanted["exports"], ia, ib), (wanted["imports"], ib, ia)):
            di = dense.declared.get(d)
            total = 0.0
            if di is not None and yi is not None and rows and cols:
                at = (np.asarray(rows)[:, None], np.asarray(cols)[None, :])
                here = dense.rows[di, yi][at].ravel().astype(bool)
                if here.any():
                    total = kahan(dense.value[di, yi][at].ravel()[here].tolist())
            out.append(total)
        return out[0], out[1]

    def _member_union(self, years: list[int]) -> tuple[list[str], list[str]]:
        sa: set[str] = set()
        sb: set[str] = set()
        for y in years:
            ma, mb = sides_for_year(self.party_a, self.party_b, y)
            sa |= ma
            sb |= mb
        return sorted(sa), sorted(sb)

    def side_labels(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per row of ``df`` (year, exporter, importer): 'a', 'b' or '' for the exporter's and
        the importer's side in the row's year (one dictionary lookup per row, no per-year
        frame filtering: what keeps a pair's question cheap as the years held grow)."""
        side: dict[tuple[int, str], str] = {}
        years = df.year.to_numpy()
        for y in pd.unique(years):
            sa, sb = sides_for_year(self.party_a, self.party_b, int(y))
            side.update({(int(y), c): "a" for c in sa})
            side.update({(int(y), c): "b" for c in sb})
        ys = years.astype(int).tolist()
        ex = [side.get(k, "") for k in zip(ys, df.exporter.tolist(), strict=True)]
        im = [side.get(k, "") for k in zip(ys, df.importer.tolist(), strict=True)]
        return np.asarray(ex, dtype=object), np.asarray(im, dtype=object)

    def _in_sides(self, df: pd.DataFrame) -> pd.DataFrame:
        """Keep rows whose exporter and importer are on opposite sides in their year; label them."""
        if df.empty:
            return df.assign(direction=pd.Series(dtype=str))
        ex, im = self.side_labels(df)
        declared = df.declared_by.to_numpy()
        wanted = DECLARED_BY[self.perspective]
        exports = (ex == "a") & (im == "b") & (declared == wanted["exports"])
        imports = (ex == "b") & (im == "a") & (declared == wanted["imports"])
        keep = exports | imports
        out = df[keep].assign(direction=np.where(exports[keep], "exports", "imports"))
        return out.sort_values(["year", "direction"], kind="stable").reset_index(drop=True)

    def product_flows(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """A's exports to and imports from B per year and HS6 product (USD, kg).

        Columns: year, direction ('exports'|'imports'), product (HS6 string), value_usd,
        weight_kg (NaN when any member flow lacks a weight). Re-exports are excluded.
        """
        ys = self.check_years(years)
        key = tuple(ys)
        if key not in self._product_flows:
            # Years already read with others (a brief's history, one query for all its years):
            # the rows of each year do not depend on the other years read with it.
            wider = next((f for k, f in self._product_flows.items() if set(ys) <= set(k)), None)
            part = None if wider is None else wider[wider.year.isin(ys)]
            if part is not None:
                # no flow in these years: the empty frame a query of them gives
                empty = pd.DataFrame(columns=FLOW_COLUMNS)
                self._product_flows[key] = part.reset_index(drop=True) if len(part) else empty
            else:
                self._product_flows[key] = self._query_product_flows(ys)
        return self._product_flows[key].copy()

    def _query_product_flows(self, ys: list[int]) -> pd.DataFrame:
        sa, sb = self._member_union(ys)
        if not sa or not sb:
            return pd.DataFrame(columns=FLOW_COLUMNS)
        both = sorted(set(sa) | set(sb))
        t = self.store.flows(self.source)
        sel = t.filter(
            t.exporter.isin(both),
            t.importer.isin(both),
            t.year.isin(ys),
            ~t.re_flow,
        )
        raw = sel.select(
            "year", "exporter", "importer", "declared_by", "product", "value_usd", "weight_kg"
        ).to_pandas()
        # Rows of unknown value (a table's missing flows) say nothing about products.
        flows = self._in_sides(raw[raw.value_usd.notna()])
        if flows.empty:
            return pd.DataFrame(columns=FLOW_COLUMNS)
        flows["weight_missing"] = flows.weight_kg.isna()
        out = (
            flows.groupby(["year", "direction", "product"], sort=True)
            .agg(
                value_usd=("value_usd", "sum"),
                weight_kg=("weight_kg", "sum"),
                weight_missing=("weight_missing", "any"),
            )
            .reset_index()
        )
        out.loc[out.weight_missing, "weight_kg"] = float("nan")
        out["year"] = out.year.astype(int)
        return out[FLOW_COLUMNS]

    def yearly(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """Exports and imports per year (USD): 0 where the source covers both sides in a year
        with no flow between them, NaN where it cannot tell (:meth:`gap`, a '-' cell)."""
        ys = self.check_years(years)
        dense = self.dense()
        if dense is not None:
            return self._yearly_dense(dense, ys)
        sa, sb = self._member_union(ys)
        out = pd.DataFrame({"year": ys, "exports_usd": 0.0, "imports_usd": 0.0})
        # A bloc before it existed, an economy the source has no row of: unknown, not zero.
        undefined = [self.gap(y) is not None for y in ys]
        out.loc[undefined, ["exports_usd", "imports_usd"]] = float("nan")
        if not sa or not sb:
            return out
        both = set(sa) | set(sb)
        raw = self.touching_totals(ys)
        raw = raw[raw.exporter.isin(both) & raw.importer.isin(both)]
        flows = self._in_sides(raw)
        if not flows.empty:
            # A direction with a flow of unknown value (a table's '-', stored as NULL) is
            # missing (NaN), not zero; no flow at all is zero.
            keys = [flows.year, flows.direction]
            # any flow of unknown value (a missing month, a bloc member's '-') makes it unknown
            unknown = flows.value_usd.isna().groupby(keys).any()
            sums = flows.value_usd.groupby(keys).sum(min_count=1).where(~unknown)
            wide = sums.unstack("direction").reindex(index=ys, columns=["exports", "imports"])
            rows = flows.groupby(["year", "direction"]).size().unstack("direction")
            rows = rows.reindex(index=ys, columns=["exports", "imports"]).fillna(0)
            for d in ("exports", "imports"):
                # no row at all: zero trade; rows but no known value: NaN (missing)
                out[f"{d}_usd"] = wide[d].where(rows[d] > 0, 0.0).to_numpy(dtype=float)
            out.loc[undefined, ["exports_usd", "imports_usd"]] = float("nan")
        for i, y in enumerate(ys):
            for d in ("exports", "imports"):
                if not undefined[i] and self.direction_gap(y, d) is not None:
                    out.loc[i, f"{d}_usd"] = float("nan")
        return out

    def touching_totals(self, years: list[int]) -> pd.DataFrame:
        """Per-pair totals (year, exporter, importer, declared_by, value_usd) of every flow that
        has a member of either side at one end, re-exports excluded; one query, then cached.

        The pair's own flows and each side's trade with all its partners (shares, ranks) are
        all subsets of it.
        """
        wanted = set(years)
        for key, frame in self._touching.items():
            if wanted <= set(key):
                return frame[frame.year.isin(wanted)]
        sa, sb = self._member_union(sorted(wanted))
        members = sorted(set(sa) | set(sb) | {self.a, self.b})
        index = totals_index(self.store, self.source)
        if index is not None:
            frame = index.touching(members, sorted(wanted))
            self._touching[tuple(sorted(wanted))] = frame
            return frame
        t = self.store.pair_totals(self.source)
        sel = t.filter(
            t.year.isin(sorted(wanted)),
            ~t.re_flow,
            t.exporter.isin(members) | t.importer.isin(members),
        ).select("year", "exporter", "importer", "declared_by", "value_usd")
        frame = sel.to_pandas()
        self._touching[tuple(sorted(wanted))] = frame
        return frame

    # --- analyses ----------------------------------------------------------------------
    def summary(self, years: Iterable[int] | None = None) -> Result:
        """Per year: exports, imports, turnover, balance (USD) and year-on-year growth.

        Years the source covers but with no flow in a direction count as 0 (BACI lists only
        positive flows); a direction declared missing (a table's '-' for every cell of it) is
        NaN, not 0; growth is NaN where the previous year is zero, missing or not shown.
        Table ``rows`` (columns :data:`SUMMARY_COLUMNS`).

        >>> sr.pair(store, "BLR", "KAZ").summary(years=range(2010, 2016)).to_frame()  # doctest: +SKIP
        """
        out = self.summary_frame(years)
        return table_result("summary", out, self.metadata(out.year.tolist()))

    def summary_frame(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """The table of :meth:`summary` (for analyses that build on it)."""
        ys = self.check_years(years)
        before = self.year_before(ys)
        data = self.yearly(ys + ([before] if before is not None else []))
        data = data.sort_values("year").reset_index(drop=True)
        year = data.year.to_numpy()
        x = data.exports_usd.to_numpy(dtype=float)
        m = data.imports_usd.to_numpy(dtype=float)
        flows = {"exports": x, "imports": m, "turnover": x + m}
        consecutive = np.concatenate([[False], np.diff(year) == 1])
        out = {"year": year, "exports_usd": x, "imports_usd": m}
        out |= {"turnover_usd": x + m, "balance_usd": x - m}
        for col, v in flows.items():
            out[f"{col}_growth"] = np.where(consecutive, growth_array(v), np.nan)
        keep = np.isin(year, ys)
        frame = pd.DataFrame({k: v[keep] for k, v in out.items()})
        return frame[SUMMARY_COLUMNS]

    def year_before(self, years: list[int]) -> int | None:
        """The year before the first of ``years`` when the source holds it (the base of the
        first year's growth), else None."""
        if not years:
            return None
        prev = min(years) - 1
        return prev if prev in self.years_available() else None

    def profile(self, years: Iterable[int] | None = None, *, base: int | None = None) -> Result:
        """The relationship year by year (METHODS 1): table ``rows`` and value ``cagr``.

        See :func:`silkroad.analytics.profile.profile`.
        """
        from silkroad.analytics.profile import profile

        df = profile(self, years, base=base)
        return table_result("profile", df, df.attrs["metadata"], values={"cagr": df.attrs["cagr"]})

    def structure(
        self,
        year: int,
        *,
        direction: str = "exports",
        level: str | Any = "hs2",
        top: int | None = None,
        base: int | None = None,
        correlation: Any = None,
    ) -> Result:
        """What A sells to (or buys from) B in ``year``, by HS level, section or basket set.

        Table ``rows``; see :func:`silkroad.analytics.structure.structure`.
        """
        from silkroad.analytics.structure import structure

        df = structure(
            self,
            year,
            direction=direction,
            level=level,
            top=top,
            base=base,
            correlation=correlation,
        )
        return table_result("structure", df, df.attrs["metadata"])

    def movers(self, year: int, *, direction: str = "exports", top: int = 10) -> Result:
        """New and lost products, top gainers and losers, extensive vs intensive margins.

        See :func:`silkroad.analytics.movers.movers`.
        """
        from silkroad.analytics.movers import movers

        return bundle_result(
            "movers",
            movers(self, year, direction=direction, top=top),
            main="margins",
            csv_tables=("margins", "gainers", "losers", "new", "lost"),
        )

    def prices(self, year: int, *, direction: str = "exports", trim: float | None = None) -> Result:
        """Price and volume effects of the change in value from ``year - 1`` to ``year``.

        ``trim=k`` sets aside products whose unit-value change is more than k MADs from the
        median (reported, never dropped). See :func:`silkroad.analytics.prices.prices`.
        """
        from silkroad.analytics.prices import prices

        return bundle_result(
            "prices",
            prices(self, year, direction=direction, trim=trim),
            main="summary",
            csv_tables=("summary", "products"),
        )

    def mirror(self, year: int, *, level: str = "hs2", top: int | None = 10) -> Result:
        """Exporter's against importer's declarations, by product group, with gaps and flags.

        See :func:`silkroad.analytics.mirror.mirror`.
        """
        from silkroad.analytics.mirror import mirror

        return bundle_result(
            "mirror",
            mirror(self, year, level=level, top=top),
            main="summary",
            csv_tables=("summary", "exports", "imports"),
        )
