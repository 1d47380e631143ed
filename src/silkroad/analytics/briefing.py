"""What a bilateral brief shows, gathered once from the analyses (no wording, no rendering).

:func:`gather` asks the analyses for the profile over the years shown, the structure of exports
and imports, the movers and the price/volume split of the year's change, and keeps the answers
in a :class:`BriefData`. :mod:`silkroad.report` renders it in any format and language without
going back to the store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import operator
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from silkroad.analytics.advantage import rca_table
from silkroad.analytics.market import partner_market
from silkroad.analytics.pair import Pair
from silkroad.analytics.parties import Party, resolve_party, sides_for_year
from silkroad.analytics.world import World
from silkroad.errors import AnalysisError, InputError
from silkroad.kinds import kind_of
from silkroad.reference.blocs import bloc_ids, members
from silkroad.reference.products import TOTAL
from silkroad.results import Result

if TYPE_CHECKING:
    from silkroad.reference.baskets import BasketSet
    from silkroad.store.store import Store

LEVELS = ("hs2", "hs4", "hs6", "section")
DIRECTIONS = ("exports", "imports")

#: Years in the dynamics chart when neither ``years`` nor ``base`` is given.
DEFAULT_SPAN = 10
#: Rows in each group of the movers tables (largest gains, falls, new, lost).
MOVERS_TOP = 5


@dataclasses.dataclass(frozen=True)
class BriefData:
    """Everything a brief shows, independent of its language. Values in USD."""

    party_a: Party
    party_b: Party
    year: int
    base: int | None
    years: list[int]  # the years shown (dynamics)
    prev: int | None  # year - 1 when the store holds it
    level: str  # 'hs2', 'hs4', 'hs6', 'section' or 'baskets'
    basket_names: tuple[str, str] | None  # (English, Russian) name of the basket set
    top: int
    profile: pd.DataFrame  # indexed by year: the years shown, prev and base
    structure: dict[str, pd.DataFrame]
    movers: dict[str, Result] | None
    prices: dict[str, Result] | None
    blocs: dict[str, list[str]]  # 'a', 'b', 'common': bloc ids in ``year``
    bloc_members: dict[str, list[str]]  # a side that is a bloc: its members in ``year``
    metadata: dict[str, Any]
    generated_at: dt.datetime
    max_turnover_usd: float  # the largest turnover of the years shown (chooses the unit)
    #: A in B's market (analytics.market.partner_market), from reconciled data; None without it
    market: Result | None = None
    #: comparative advantage and complexity (:func:`advantage`); None without reconciled data
    advantage: Result | None = None
    #: untapped potential and the pair's actual/predicted ratio (:func:`untapped`); None when
    #: it cannot be computed (no reconciled data, A a bloc)
    potential: Result | None = None
    #: per direction, the structure by section (or basket) in each year shown: year, code,
    #: label_en, label_ru, value_usd, share (the stacked-area chart); None when not gathered
    history: dict[str, pd.DataFrame] | None = None
    #: per direction and year (``year``, ``prev``): USD not broken down by product (code
    #: TOTAL); where it is > 0 the narrative names no product as new, lost or a driver
    not_broken_down: dict[str, dict[int, float]] = dataclasses.field(default_factory=dict)
    #: per year of ``profile``: the sides of which the data hold no flow at all (unknown, not 0)
    absent: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: the years the source holds for the pair (``years`` are among them)
    held: list[int] = dataclasses.field(default_factory=list)


def _year(value: Any, field: str) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)
    except TypeError:
        raise InputError("a year must be an integer", field=field, found=value) from None


def gather(
    store: Store,
    a: str,
    b: str,
    *,
    year: int,
    base: int | None = None,
    years: Iterable[int] | None = None,
    level: str = "hs2",
    baskets: str | Path | BasketSet | None = None,
    top: int = 10,
    perspective: str = "auto",
    source: str | None = None,
    correlation: Any = None,
    generated_at: dt.datetime | None = None,
) -> BriefData:
    """Gather what the brief on ``a`` and partner ``b`` for ``year`` shows (module docstring).

    ``base``: a year for the "N times" comparison; ``years``: the years of the dynamics chart
    (default: ``base`` to ``year``, else the last ten years the store holds up to ``year``);
    ``level``: 'hs2', 'hs4', 'hs6' or 'section' for the structure, or ``baskets`` (a YAML file
    or a loaded basket set); ``top``: groups listed before 'other'; ``generated_at``: the time
    stamped in the notes (default: now, UTC).

    >>> data = gather(store, "BLR", "KAZ", year=2014, base=2007)  # doctest: +SKIP
    """
    year = _year(year, "year")
    if base is not None:
        base = _year(base, "base")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError("top must be a whole number >= 1", field="top", found=top)
    grouping, basket_names = _grouping(level, baskets)

    pair = Pair(store, a, b, source=source, perspective=perspective)
    held = pair.years_available()
    for field, y in (("year", year), ("base", base)):
        if y is not None and y not in held:
            span = f"{held[0]}–{held[-1]}" if held else "none"
            raise AnalysisError(
                f"{y} is not in the store for {pair.source}",
                field=field,
                found=y,
                expected=f"a year within {span}",
            )
    shown = _years_shown(pair, year, base, years, held)
    prev = year - 1 if (year - 1) in held else None

    wanted = sorted(set(shown) | ({prev} if prev is not None else set()))
    profile = pair.profile(wanted, base=base).to_frame()
    meta = dict(profile.attrs["metadata"])
    profile = profile.set_index("year", drop=False)
    # A flow the source declares missing (a table's '-'): unknown, so not briefed as zero.
    # Unknown flows (analytics/unknown.py) are not briefed as zero: a year whose flows the data
    # cannot establish is refused with the reason; a flow the source does not hold at all (a
    # table of exports only) stays unknown (NaN) in the brief.
    gone_by_year = {
        int(y): [
            f
            for f in ("exports", "imports")
            if pd.isna(profile.loc[y, f"{f}_usd"]) and pair.direction_gap(int(y), f) is None
        ]
        for y in wanted
    }
    unknown = {y for y, gone in gone_by_year.items() if gone}
    if year in unknown:
        why = "; ".join(n["reason"] for n in meta.get("unknown", []) if n["year"] == year)
        raise AnalysisError(
            f"{pair.a}'s {' and '.join(gone_by_year[year])} with {pair.b} in {year} are unknown "
            f"({why}), so the year's turnover is unknown",
            field="year",
            found=year,
            expected="a year whose exports and imports the source gives",
        )
    if prev in unknown:
        prev = None  # nothing to compare with: no changes, movers or price effects

    # One read of the pair's product flows for every year the brief's structure, movers,
    # prices and history ask for (each then takes its years from it, not a query of its own).
    pair.product_flows(_flow_years(shown, prev, base, held))
    structure = {}
    for direction in DIRECTIONS:
        structure[direction] = pair.structure(
            year, direction=direction, level=grouping, top=top, base=base, correlation=correlation
        ).to_frame()
    meta["conversion"] = structure["exports"].attrs["metadata"].get("conversion")
    meta["classification"] = (
        structure["exports"].attrs["metadata"].get("classification", meta.get("classification"))
    )

    movers = prices = None
    if prev is not None:
        movers = {d: pair.movers(year, direction=d, top=MOVERS_TOP) for d in DIRECTIONS}
        prices = {d: pair.prices(year, direction=d) for d in DIRECTIONS}

    max_turnover = float(profile.loc[shown, "turnover_usd"].max())
    world = _world(store, pair, year)
    market = None
    advantage_ = potential_ = None
    if world is not None:
        market_level = grouping if not isinstance(grouping, str) else "hs4"
        market = partner_market(world, pair.a, pair.b, year, level=market_level, top=top)
        advantage_ = advantage(world, pair.a, pair.b, year, top=top)
        potential_ = untapped(world, pair.a, pair.b, year, top=top)
    data = BriefData(
        party_a=pair.party_a,
        party_b=pair.party_b,
        year=year,
        base=base,
        years=shown,
        prev=prev,
        level="baskets" if basket_names is not None else str(level),
        basket_names=basket_names,
        top=top,
        profile=profile,
        structure=structure,
        movers=movers,
        prices=prices,
        blocs=_blocs(pair.party_a, pair.party_b, year),
        bloc_members={
            side: members(p.code, year)
            for side, p in (("a", pair.party_a), ("b", pair.party_b))
            if p.is_bloc
        },
        metadata=meta,
        generated_at=(generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
        max_turnover_usd=max_turnover,
        market=market,
        advantage=advantage_,
        potential=potential_,
        history=_history(pair, shown, grouping),
        not_broken_down=_not_broken_down(pair, [y for y in (prev, year) if y is not None]),
        absent=_absent(pair, wanted),
        held=list(held),
    )
    return data


def _not_broken_down(pair: Pair, years: list[int]) -> dict[str, dict[int, float]]:
    """Per direction and year: the pair's trade (USD) under the code TOTAL (no product)."""
    flows = pair.product_flows(years)
    out = {d: {int(y): 0.0 for y in years} for d in DIRECTIONS}
    total = flows[flows["product"].astype(str).str.upper() == TOTAL]
    for (y, d), v in total.groupby(["year", "direction"]).value_usd.sum().items():
        out[str(d)][int(y)] = float(v)
    return out


def _absent(pair: Pair, years: list[int]) -> dict[int, tuple[str, ...]]:
    """Per year: the sides (codes) with no flow at all in the source, so unknown, not zero."""
    raw = pair.touching_totals(years)
    out = {}
    for y in years:
        g = raw[raw.year == y]
        ends = set(g.exporter) | set(g.importer)
        members = sides_for_year(pair.party_a, pair.party_b, y)
        sides = zip((pair.party_a, pair.party_b), members, strict=True)
        gone = tuple(p.code for p, m in sides if m and not ends & set(m))
        if gone:
            out[int(y)] = gone
    return out


def _world(store: Store, pair: Pair, year: int) -> World | None:
    """The reconciled world of ``year`` (the pair's own source when it is reconciled)."""
    reconciled = [s for s in store.catalog.sources.values() if kind_of(s).reconciled]
    if pair.perspective == "reconciled":
        source = pair.source
    elif reconciled:
        source = min(reconciled, key=lambda s: (s.synthetic, -len(s.years), s.source)).source
    else:
        return None
    world = World(store, source=source)
    return world if year in world.years() else None


def advantage(world: World, a: str, b: str, year: int, *, top: int = 10) -> Result:
    """What the brief says of comparative advantage and complexity (hs4, py-ecomplexity's
    conventions): each side's top RCA products, TCI both ways, both ECIs with their ranks, and
    the products with the highest COG for A among those B imports.

    Tables ``rca_a``, ``rca_b`` (code, exports_usd, rca), ``opportunities`` (code, cog,
    density, pci, b_imports_usd); values ``tci_ab``, ``tci_ba``, ``eci_a``, ``eci_rank_a``,
    ``eci_b``, ``eci_rank_b``, ``economies_ranked`` (None for a side that is a bloc or has no
    ECI).
    """
    from silkroad.analytics import complexity as cx
    from silkroad.analytics import indicators as ind

    level = "hs4"
    panel = world.panel(year, level=level)
    pa, pb = resolve_party(a), resolve_party(b)
    rca = {}
    for side, p in (("a", pa), ("b", pb)):
        try:
            rows = rca_table(world, p.code, year, level=level, top=top)["rows"]
        except AnalysisError:  # no exports that year (or a bloc not yet formed)
            rows = pd.DataFrame(columns=["code", "exports_usd", "rca"])
        rca[side] = rows[["code", "exports_usd", "rca"]]

    def tci(exporter: str, importer: str) -> float:
        """TCI, or NaN where one side has no exports or no imports that year (undefined)."""
        try:
            return ind.complementarity(panel.exports_of(exporter), panel.imports_of(importer))
        except AnalysisError:
            return math.nan

    values: dict[str, Any] = {"tci_ab": tci(pa.code, pb.code), "tci_ba": tci(pb.code, pa.code)}
    opportunities = pd.DataFrame(columns=["code", "cog", "density", "pci", "b_imports_usd"])
    try:
        cr = cx.complexity(panel.exports, economies=panel.economies, products=panel.products)
    except AnalysisError:
        cr = None  # no unique ECI this year (a disconnected world): the brief says nothing
    eci = {}
    if cr is not None:
        table = cr.economy_table().set_index("economy")
        values["economies_ranked"] = len(table)
        for side, p in (("a", pa), ("b", pb)):
            if p.code in table.index:
                eci[side] = float(table.loc[p.code, "eci"])
                values[f"eci_{side}"] = eci[side]
                values[f"eci_rank_{side}"] = int(table.loc[p.code, "eci_rank"])
            else:
                values[f"eci_{side}"] = values[f"eci_rank_{side}"] = None
        if pa.code in cr.economies:
            opp = cr.opportunities(pa.code).rename(columns={"product": "code"})
            b_imports = pd.Series(panel.imports_of(pb.code), index=list(panel.products))
            opp["b_imports_usd"] = opp.code.map(b_imports).fillna(0.0)
            opp = opp[opp.b_imports_usd > 0].head(top)
            opportunities = opp[["code", "cog", "density", "pci", "b_imports_usd"]]
    meta = panel.metadata | {
        "a": pa.code,
        "b": pb.code,
        "convention": "ecomplexity" if cr is not None else None,
    }
    return Result(
        kind="advantage",
        tables={
            "rca_a": rca["a"].reset_index(drop=True),
            "rca_b": rca["b"].reset_index(drop=True),
            "opportunities": opportunities.reset_index(drop=True),
        },
        metadata=meta,
        values=values,
        main="rca_a",
    )


HISTORY_COLUMNS = ["year", "code", "label_en", "label_ru", "value_usd", "share"]


def _flow_years(
    shown: Sequence[int], prev: int | None, base: int | None, held: Sequence[int]
) -> list[int]:
    """The years whose product flows a brief reads: each year shown and the year before it
    (its structure's comparison), ``prev`` and ``base``, those the store holds."""
    wanted = set(shown) | {y - 1 for y in shown} | {y for y in (prev, base) if y is not None}
    return sorted(y for y in wanted if y in held)


def _history(pair: Pair, years: Sequence[int], grouping: Any) -> dict[str, pd.DataFrame] | None:
    """Structure by section (or by the brief's baskets) in each year shown, per direction."""
    level = grouping if not isinstance(grouping, str) or grouping == "section" else "section"
    out = {}
    for direction in DIRECTIONS:
        frames = []
        for y in years:
            try:
                df = pair.structure(y, direction=direction, level=level).to_frame()
            except AnalysisError:
                return None  # a year the structure cannot be computed for: no chart
            df = df.assign(year=int(y))
            frames.append(df[HISTORY_COLUMNS])
        out[direction] = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=HISTORY_COLUMNS)
        )
    return out


def untapped(world: World, a: str, b: str, year: int, *, top: int = 10) -> Result | None:
    """What the brief says of untapped potential (hs4, the last 3 years held up to ``year``):
    the top products by untapped value, the total, and the pair's actual/predicted trade in
    ``year`` from a one-year PPML gravity with exporter and importer fixed effects.

    The potential Result of :func:`~silkroad.analytics.prospects.potential_table` with the
    value ``actual_to_predicted`` added (None when the gravity cannot be estimated); None for
    a bloc exporter.
    """
    from silkroad.analytics.prospects import gravity_fit, potential_table

    if resolve_party(a).is_bloc:
        return None
    result = potential_table(world, a, b, year=year, level="hs4", top=top)
    ratio = None
    if not resolve_party(b).is_bloc:
        try:
            fit = gravity_fit(world, [year], pair=(a, b))
            rows = fit["pair"]
            ratio = float(rows.ratio.iloc[-1]) if len(rows) else None
            result.metadata["gravity"] = fit.values["specification"]
        except AnalysisError as exc:  # no estimate (the pair outside the sample, no convergence)
            result.metadata["gravity"] = f"not estimated: {exc}"
    result.values["actual_to_predicted"] = ratio
    return result


def _grouping(level: str, baskets: Any) -> tuple[Any, tuple[str, str] | None]:
    if baskets is not None:
        from silkroad.reference.baskets import BasketSet, load_baskets

        sets = baskets if isinstance(baskets, BasketSet) else load_baskets(baskets)
        return sets, (sets.name, sets.name_ru or sets.name)
    if level not in LEVELS:
        raise InputError(
            "unknown level", field="--level", found=level, expected="hs2, hs4, hs6 or section"
        )
    return level, None


def _years_shown(
    pair: Any, year: int, base: int | None, years: Iterable[int] | None, held: Sequence[int]
) -> list[int]:
    if years is not None:
        shown = pair.check_years(years)
        if year not in shown:
            raise InputError(
                "the years shown must include the year of the brief",
                field="years",
                found=f"{shown[0]}–{shown[-1]}" if shown else "(none)",
                expected=f"years that include {year}",
            )
        return shown
    if base is not None and base != year:
        lo, hi = min(base, year), max(base, year)
        return [y for y in held if lo <= y <= hi]
    return [y for y in held if year - DEFAULT_SPAN < y <= year]


def _blocs(a: Party, b: Party, year: int) -> dict[str, list[str]]:
    def of(p: Party) -> list[str]:
        if p.is_bloc:
            return []
        ids = [bid for bid in bloc_ids() if p.code in members(bid, year)]
        # EU27 is the EU without the United Kingdom: name the union once.
        return [x for x in ids if not (x == "EU27" and "EU" in ids)]

    in_a, in_b = of(a), of(b)
    return {"a": in_a, "b": in_b, "common": [x for x in in_a if x in in_b]}


def value(df: pd.DataFrame, year: int | None, column: str) -> float:
    """``df.loc[year, column]`` as a float, NaN when the year is missing."""
    if year is None or year not in df.index:
        return math.nan
    return float(df.at[year, column])


__all__ = ["BriefData", "gather", "value"]
