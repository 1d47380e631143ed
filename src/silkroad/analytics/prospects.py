"""Untapped potential and gravity from the store: ``silkroad potential`` and ``silkroad gravity``.

Reads the reconciled world (:class:`~silkroad.analytics.world.World`) over the years a method
needs, aligns the years' matrices on common labels, and hands them to the pure functions of
:mod:`~silkroad.analytics.potential` (METHODS 4.3) and :mod:`~silkroad.analytics.gravity`
(METHODS 5). Results are :class:`~silkroad.results.Result` objects (one JSON form everywhere).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics import gravity as grav
from silkroad.analytics import potential as pot
from silkroad.analytics.parties import resolve_party
from silkroad.errors import AnalysisError
from silkroad.results import Result

if TYPE_CHECKING:
    from silkroad.analytics.world import World
    from silkroad.reference.baskets import BasketSet

PRODUCT_COLUMNS = ["code", "demand", "potential", "actual", "untapped", "realised"]


def _window(world: World, year: int | None, n_years: int) -> list[int]:
    """The ``n_years`` held years ending at ``year`` (default: the latest held)."""
    held = world.years()
    last = int(year) if year is not None else (held[-1] if held else None)
    if last is None or last not in held:
        world.check_years([last] if last is not None else [])
    assert last is not None
    if n_years < 1:
        raise AnalysisError("the average needs at least one year", field="years", found=n_years)
    return [y for y in range(last - n_years + 1, last + 1) if y in held]


def _inputs(
    world: World, exporter: str, years: Sequence[int]
) -> tuple[
    list[str], list[str], dict[int, np.ndarray], dict[int, np.ndarray], dict[int, np.ndarray]
]:
    """Economies, HS6 products and the per-year exports, imports and the exporter's bilateral
    exports (economies × products, USD), on labels common to every year."""
    panels = world.panels(years, level="hs6")
    economies = sorted({e for p in panels.values() for e in p.economies})
    products = sorted({k for p in panels.values() for k in p.products})
    e_idx, k_idx = pd.Index(economies), pd.Index(products)
    exports: dict[int, np.ndarray] = {}
    imports: dict[int, np.ndarray] = {}
    for y, p in panels.items():
        rows, cols = e_idx.get_indexer(p.economies), k_idx.get_indexer(p.products)
        for target, source in ((exports, p.exports), (imports, p.imports)):
            m = np.zeros((len(economies), len(products)))
            m[np.ix_(rows, cols)] = source
            target[y] = m
    flows = world.long(years, level="hs6", exporters=[exporter])
    bilateral = _bilateral(flows, years, e_idx, k_idx)
    return economies, products, exports, imports, bilateral


def _bilateral(
    flows: pd.DataFrame, years: Sequence[int], e_idx: pd.Index, k_idx: pd.Index
) -> dict[int, np.ndarray]:
    """Per year, the exporter's ``flows`` (importer, code, value_usd) as an economies x products
    matrix on the labels ``e_idx`` x ``k_idx`` (USD)."""
    out = {}
    for y in years:
        m = np.zeros((len(e_idx), len(k_idx)))
        f = flows[flows.year == y]
        if len(f):
            np.add.at(
                m,
                (e_idx.get_indexer(f.importer), k_idx.get_indexer(f.code)),
                f.value_usd.to_numpy(dtype=float),
            )
        out[y] = m
    return out


def _pair_inputs(
    world: World, exporter: str, markets: Sequence[str], years: Sequence[int]
) -> tuple[
    list[str],
    list[str],
    dict[int, np.ndarray],
    dict[int, np.ndarray],
    dict[int, np.ndarray],
    dict[int, np.ndarray],
    list[str],
]:
    """What the exporter's potential in ``markets`` needs, and only that: economies (the
    exporter and the markets present), the HS6 products of the years, per year the exporter's
    exports, the markets' imports and the exporter's exports to them (rows in ``economies``
    order), the world's exports per product (USD); and the markets not in the data."""
    slices = world.slices(years, exporters=[exporter], importers=markets, level="hs6")
    present = {e for s in slices.values() for e in s.economies}
    found = [m for m in markets if m in present]
    economies = sorted({exporter, *found} & present)
    products = sorted({k for s in slices.values() for k in s.products})
    e_idx, k_idx = pd.Index(economies), pd.Index(products)
    shape = (len(economies), len(products))
    exports: dict[int, np.ndarray] = {}
    imports: dict[int, np.ndarray] = {}
    world_exports: dict[int, np.ndarray] = {}
    for y, sl in slices.items():
        cols = k_idx.get_indexer(sl.products)
        exports[y], imports[y] = np.zeros(shape), np.zeros(shape)
        for target, rows in ((exports[y], sl.exports), (imports[y], sl.imports)):
            for e, row in rows.items():
                if e in e_idx:
                    target[e_idx.get_loc(e), cols] = row
        world_exports[y] = np.zeros(len(products))
        world_exports[y][cols] = sl.world_exports
    flows = world.long(years, level="hs6", exporters=[exporter], importers=found or [exporter])
    flows = flows[flows.importer.isin(found)]
    bilateral = _bilateral(flows, years, e_idx, k_idx)
    missing = [m for m in markets if m not in present]
    return economies, products, exports, imports, bilateral, world_exports, missing


def _potential(
    world: World,
    exporter: str,
    *,
    markets: Sequence[str] | None = None,
    year: int | None,
    n_years: int,
    gdp_growth: dict[str, float] | None,
    elasticity: float,
    tariffs: pd.DataFrame | None,
) -> pot.PotentialResult:
    party = resolve_party(exporter)
    if party.is_bloc:
        raise AnalysisError(
            "export potential is computed for one exporting economy",
            field="exporter",
            found=party.code,
            expected="an economy (a bloc may be the market)",
        )
    years = _window(world, year, n_years)
    world_exports = None
    if markets is None:  # every market: the whole panels
        economies, products, exports, imports, bilateral = _inputs(world, party.code, years)
    else:  # some markets: their rows and the world's totals only
        wanted = [m for m in dict.fromkeys(markets) if m != party.code]
        economies, products, exports, imports, bilateral, world_exports, missing = _pair_inputs(
            world, party.code, wanted, years
        )
        markets = [m for m in wanted if m not in missing]
        if party.code not in economies or not markets:
            raise AnalysisError(
                "not a market of this result",
                found=", ".join(missing) or "none",
                expected="economies other than the exporter and aggregates",
            )
    return pot.export_potential(
        party.code,
        economies=economies,
        products=products,
        exports=exports,
        imports=imports,
        bilateral=bilateral,
        markets=markets,
        world_exports=world_exports,
        year=years[-1],
        n_years=len(years),
        gdp_growth=gdp_growth,
        elasticity=elasticity,
        tariffs=tariffs,
    )


def potential_table(
    world: World,
    a: str,
    b: str,
    *,
    year: int | None = None,
    level: str | BasketSet = "hs4",
    top: int | None = 10,
    n_years: int = pot.DEFAULT_YEARS,
    gdp_growth: dict[str, float] | None = None,
    elasticity: float = 1.0,
    tariffs: pd.DataFrame | None = None,
) -> Result:
    """Which products could A sell more of to B: per product group at ``level`` (hs2, hs4, hs6,
    section or a basket set), B's demand, A's potential, its actual exports (average of the last
    ``n_years``), the untapped part and the realised share, largest untapped first (USD).

    Table ``products`` (:data:`PRODUCT_COLUMNS`); values ``potential_usd``, ``actual_usd``,
    ``untapped_usd`` (totals over every product, not only the ``top`` shown). Without demand
    projections total potential equals total actual trade by construction (METHODS 4.3): the
    untapped total is what the products below their potential could add.
    """
    market = resolve_party(b)
    years = _window(world, year, n_years)
    members = sorted(market.members(years[-1])) if market.is_bloc else [market.code]
    result = _potential(
        world,
        a,
        markets=members,
        year=year,
        n_years=n_years,
        gdp_growth=gdp_growth,
        elasticity=elasticity,
        tariffs=tariffs,
    )
    detail = result.market(members, name=market.code)
    table = detail.assign(market=market.code)
    groups = pot.product_groups(table["product"], level)
    grouped = pot.aggregate_potential(table, groups, by_market=False)
    grouped = grouped.rename(columns={"group": "code"})
    with np.errstate(divide="ignore", invalid="ignore"):
        grouped["realised"] = np.where(
            grouped.potential > 0, grouped.actual / grouped.potential, np.nan
        )
    totals = {
        "potential_usd": float(detail.potential.sum()),
        "actual_usd": float(detail.actual.sum()),
        "untapped_usd": float(detail.untapped.sum()),
    }
    shown = grouped[PRODUCT_COLUMNS]
    if top is not None:
        shown = shown.head(top)
    meta = (
        world.metadata(result.metadata.get("years", []), "hs6")
        | result.metadata
        | {
            "a": resolve_party(a).code,
            "b": market.code,
            "level": level if isinstance(level, str) else "baskets",
            "top": top,
            "notices": list(result.notices),
        }
    )
    return Result(
        kind="potential",
        tables={"products": shown.reset_index(drop=True)},
        metadata=meta,
        values=totals,
        main="products",
    )


def best_markets(
    world: World,
    a: str,
    product: str,
    *,
    year: int | None = None,
    top: int | None = 10,
    n_years: int = pot.DEFAULT_YEARS,
) -> Result:
    """Where should A sell ``product`` (HS6)? The markets ranked by A's untapped potential.

    Table ``markets`` (rank, market, demand, ease, potential, actual, untapped, realised,
    share_of_untapped; USD).
    """
    from silkroad.reference.products import normalize_hs6

    code = normalize_hs6(product)
    result = _potential(
        world, a, year=year, n_years=n_years, gdp_growth=None, elasticity=1.0, tariffs=None
    )
    ranked = pot.rank_markets(result, code, top=top)
    meta = (
        world.metadata(result.metadata.get("years", []), "hs6")
        | result.metadata
        | {
            "a": resolve_party(a).code,
            "product": code,
            "top": top,
            "notices": list(result.notices),
        }
    )
    return Result(kind="markets", tables={"markets": ranked}, metadata=meta, main="markets")


def gravity_fit(
    world: World,
    years: Iterable[int] | None = None,
    *,
    bloc: str | None = None,
    fe: Sequence[str] = grav.DEFAULT_FE,
    leads: Iterable[int] = (),
    lags: Iterable[int] = (),
    cluster: str | None = "pair",
    pair: tuple[str, str] | None = None,
) -> Result:
    """PPML gravity on the store's aggregate bilateral flows (METHODS 5): table
    ``coefficients``; with ``pair``, table ``pair`` (year, actual, predicted, ratio, gap) from the
    model without pair fixed effects; value ``specification`` (in words), ``nobs``."""
    ys = world.check_years(years)
    membership = None
    if bloc is not None:
        party = resolve_party(bloc)
        if not party.is_bloc:
            raise AnalysisError("not a bloc", field="--bloc", found=bloc, expected="EAEU, EU27, …")
        membership = party.members
    spec = (tuple(ys), bloc, tuple(fe), tuple(leads), tuple(lags), cluster)
    flows: pd.DataFrame | None = None

    def estimate(fes: Sequence[str], *, shifts: bool = True) -> grav.GravityResult:
        """The model of ``fes``, estimated once per store state (:func:`_fitted`)."""

        def run() -> grav.GravityResult:
            nonlocal flows
            if flows is None:
                flows = world.bilateral_totals(ys)
            return grav.gravity(
                flows,
                years=ys,
                fe=fes,
                membership=membership,
                bloc=bloc,
                leads=leads if shifts else (),
                lags=lags if shifts else (),
                cluster=cluster,
            )

        return _fitted(world, (*spec, tuple(fes), shifts), run)

    fit = estimate(fe)
    tables = {"coefficients": fit.coefficients.copy()}  # the kept fit stays as estimated
    if pair is not None:
        a, b = (resolve_party(x).code for x in pair)
        model = fit
        if "pair" in fit.metadata.get("fixed_effects", ()):
            model = estimate([f for f in fe if f != "pair"], shifts=False)
        tables["pair"] = grav.pair_fit(model, a, b).table
    meta = world.metadata(ys, "total") | fit.metadata | {"notices": list(fit.notices)}
    values: dict[str, Any] = {"specification": fit.specification, "nobs": fit.nobs}
    return Result(kind="gravity", tables=tables, metadata=meta, values=values, main="coefficients")


#: Gravity fits by (store, its state, source, specification): a fit depends on the world's
#: flows only, so the briefs of several pairs (a server, a batch) estimate it once.
_FITS: OrderedDict[tuple[Any, ...], grav.GravityResult] = OrderedDict()
_FITS_LOCK = threading.Lock()
FITS_KEPT = 8


def _fitted(
    world: World, spec: tuple[Any, ...], run: Callable[[], grav.GravityResult]
) -> grav.GravityResult:
    """``run()``'s gravity fit, kept for the store state and ``spec`` (the same numbers: the
    same estimate of the same flows)."""
    key = (*world.state_key(), *spec)
    with _FITS_LOCK:
        fit = _FITS.get(key)
        if fit is not None:
            _FITS.move_to_end(key)
            return fit
    fit = run()
    with _FITS_LOCK:
        _FITS[key] = fit
        while len(_FITS) > FITS_KEPT:
            _FITS.popitem(last=False)
    return fit


def panel_gravity(path: str | Path, **options: Any) -> Result:
    """PPML gravity on a user's own panel file (CSV, Parquet or Stata .dta), as researchers run
    it in Stata or R; ``options`` as :func:`silkroad.analytics.gravity_panel.gravity_panel`
    (column names, ``trade``, ``covariates``, ``log``, ``years``, ``international``, ``fe``,
    ``bloc``/``bloc_col``, ``leads``, ``lags``, ``cluster``). Table ``coefficients``; values
    ``specification`` (in words) and ``nobs``."""
    from silkroad.analytics.gravity_panel import gravity_panel, read_panel

    frame = read_panel(path)
    fit = gravity_panel(frame, source=str(path), **options)
    meta = dict(fit.metadata) | {"panel": str(path), "notices": list(fit.notices)}
    return Result(
        kind="gravity",
        tables={"coefficients": fit.coefficients},
        metadata=meta,
        values={"specification": fit.specification, "nobs": fit.nobs},
        main="coefficients",
    )


__all__ = ["PRODUCT_COLUMNS", "best_markets", "gravity_fit", "panel_gravity", "potential_table"]
