"""ITC-style export potential (METHODS.md 4, the house definition 4.3 by default).

For exporter i, market j and product k, with x̄ the average over the last N years (default 3):

* supply  s_ik = x̄_ik / x̄_wk: i's share of world exports of k;
* demand  d_jk = m̄_jk: j's imports of k, from the same data (optionally × g_j^ε for projected
  GDP growth and × A_ijk = ((1 + t_ijk)/(1 + t̄_jk))^(−σ) for market access);
* ease    B_ij = Σ_k x̄_ijk / Σ_k s_ik m̄_jk: how much i sells in j relative to its world shares;
* potential EPI_ijk = s_ik · d_jk · B_ij; actual x̄_ijk; untapped max(EPI − x̄, 0); realised
  min(x̄, EPI); over-performance max(x̄ − EPI, 0).

Without projections or tariffs Σ_k EPI_ijk = Σ_k x̄_ijk: the model reallocates the pair's
observed total across products. Where i never sold to j, B_ij = 0 and the potential is 0 (a known
limitation). i's own market and aggregates (World, areas nes…) are never markets.
Labelled "ITC-style": ITC's own projections, tariffs and elasticities are not reproduced.

Inputs are dense arrays per year (economies × products, USD), as the world-level panel gives
them: world exports by economy, imports by economy, and the exporter's exports to each economy.

>>> res = export_potential("BLR", economies=econ, products=prods, exports=ex, imports=im,
...                        bilateral=bi)  # doctest: +SKIP
>>> res.market("KAZ").nlargest(10, "untapped")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from silkroad.errors import AnalysisError, FormatError, InputError

__all__ = [
    "DEFAULT_YEARS",
    "GROUP_LEVELS",
    "MEASURES",
    "PotentialResult",
    "aggregate_potential",
    "export_potential",
    "product_groups",
    "rank_markets",
    "read_gdp_projections",
    "read_tariffs",
]

DEFAULT_YEARS = 3
"""Actual exports are the average of the last 3 years (ITC uses 5)."""

GROUP_LEVELS = ("hs2", "hs4", "hs6", "section")
"""Product groupings :func:`product_groups` knows; a basket set is the other kind."""

MEASURES = ("potential", "actual", "untapped", "realised", "over")
"""Additive columns (USD): summed when products or markets are aggregated."""

DEFINITION = "ITC-style export potential, METHODS 4.3 (Decreux & Spies 2016 simplified)"


@dataclasses.dataclass(frozen=True)
class PotentialResult:
    """Export potential of one exporter in its markets, per product.

    ``table``: one row per (market, product): ``market``, ``product``, ``supply`` (share, 0–1),
    ``demand`` (USD, after growth and access if on), ``ease`` (B_ij), ``potential``, ``actual``,
    ``untapped``, ``realised``, ``over`` (USD, averages over ``metadata['years']``) and
    ``demand_base`` (USD, the observed imports before growth and access).
    """

    exporter: str
    table: pd.DataFrame
    metadata: dict[str, Any]
    notices: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The (market, product) table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: exporter, metadata, notices and the market totals."""
        return {
            "exporter": self.exporter,
            "metadata": self.metadata,
            "notices": list(self.notices),
            "markets": _records(self.totals()),
        }

    def market(self, market: str | Sequence[str], *, name: str | None = None) -> pd.DataFrame:
        """Per product for one market, or summed over several (a bloc's members): columns
        ``product``, ``supply``, ``demand``, ``ease``, ``potential``, ``actual``, ``untapped``,
        ``realised``, ``over``; ``attrs['market']`` names it (``name`` or the code)."""
        codes = [market] if isinstance(market, str) else list(dict.fromkeys(market))
        codes = [c for c in codes if c != self.exporter]
        known = set(self.table["market"].unique())
        unknown = [c for c in codes if c not in known]
        codes = [c for c in codes if c in known]
        if not codes:
            raise AnalysisError(
                "not a market of this result",
                found=", ".join(unknown) or "none",
                expected="economies other than the exporter and aggregates",
            )
        sub = self.table[self.table["market"].isin(codes)]
        g = sub.groupby("product", sort=False)
        out = g[["demand", *MEASURES]].sum()
        out.insert(0, "supply", g["supply"].first())
        hyp = (sub["supply"] * sub["demand_base"]).groupby(sub["product"], sort=False).sum()
        base_total = float(hyp.sum())
        ease = float(sub["actual"].sum()) / base_total if base_total > 0 else math.nan
        out.insert(2, "ease", ease)
        out = out.reset_index()
        out.attrs["market"] = name or (codes[0] if len(codes) == 1 else "+".join(codes))
        out.attrs["members"] = codes
        out.attrs["not_in_data"] = unknown
        return out

    def totals(self) -> pd.DataFrame:
        """One row per market: ``market``, ``ease``, ``potential``, ``actual``, ``untapped``,
        ``realised``, ``over`` (USD), sorted by untapped potential, largest first."""
        g = self.table.groupby("market", sort=False)
        out = g[list(MEASURES)].sum()
        out.insert(0, "ease", g["ease"].first())
        return out.reset_index().sort_values(
            ["untapped", "market"], ascending=[False, True], ignore_index=True
        )


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows in JSON types, through the one serialiser (:mod:`silkroad.results`)."""
    from silkroad.results import jsonable

    return list(jsonable(df))


def _window(
    exports: Mapping[int, np.ndarray], year: int | None, n_years: int
) -> tuple[list[int], list[str]]:
    if n_years < 1:
        raise InputError("n_years must be at least 1", field="n_years", found=n_years)
    available = sorted(int(y) for y in exports)
    if not available:
        raise AnalysisError("no years of data given")
    last = available[-1] if year is None else int(year)
    wanted = list(range(last - n_years + 1, last + 1))
    have = [y for y in wanted if y in exports]
    if not have:
        raise AnalysisError(
            f"no data for {wanted[0]}–{last}" if n_years > 1 else f"no data for {last}",
            expected="years among " + ", ".join(map(str, available)),
        )
    notices = []
    if len(have) < len(wanted):
        notices.append(
            "actual is the average of "
            + ", ".join(map(str, have))
            + f" (no data for {', '.join(str(y) for y in wanted if y not in have)})"
        )
    return have, notices


def _mean(
    arrays: Mapping[int, np.ndarray], years: list[int], shape: tuple[int, int], what: str
) -> np.ndarray:
    total = np.zeros(shape, dtype=np.float64)
    for y in years:
        if y not in arrays:
            raise InputError(f"{what} has no array for {y}", field=what, expected="one per year")
        a = np.asarray(arrays[y], dtype=np.float64)
        if a.shape != shape:
            raise InputError(
                f"{what} for {y} has the wrong shape",
                field=what,
                found=a.shape,
                expected=f"{shape} (economies × products)",
            )
        if np.isnan(a).any() or (a < 0).any():
            raise InputError(
                f"{what} for {y} has negative or missing values", field=what, expected="USD ≥ 0"
            )
        total += a
    return total / len(years)


def export_potential(
    exporter: str,
    *,
    economies: Sequence[str],
    products: Sequence[str],
    exports: Mapping[int, np.ndarray],
    imports: Mapping[int, np.ndarray],
    bilateral: Mapping[int, np.ndarray],
    year: int | None = None,
    n_years: int = DEFAULT_YEARS,
    markets: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    gdp_growth: Mapping[str, float] | None = None,
    elasticity: float = 1.0,
    tariffs: pd.DataFrame | None = None,
    sigma: float | None = None,
    world_exports: Mapping[int, np.ndarray] | None = None,
) -> PotentialResult:
    """Export potential of ``exporter`` in each market, per product (METHODS 4.3).

    ``exports[y]``, ``imports[y]``: economies × products arrays (USD) of each economy's exports to
    and imports from the world; ``bilateral[y]``: the exporter's exports to each economy (rows in
    ``economies`` order). ``year`` is the last year of the average (default: the latest given),
    ``n_years`` its length. ``markets`` restricts the markets (default: every economy but the
    exporter, aggregates and ``exclude``). ``gdp_growth`` (market → projected cumulative GDP
    growth factor, e.g. 1.15) with ``elasticity`` multiplies demand by g^ε; ``tariffs`` (columns
    ``market``, ``product``, ``tariff``, ``competitor_tariff`` as fractions, optional ``sigma``)
    multiplies it by ((1 + t)/(1 + t̄))^(−σ). Both are off by default and recorded in metadata.
    ``world_exports[y]`` (products, USD), when given, is the world's exports of each product
    (the supply shares' denominator) instead of the sum of the rows of ``exports``: then only
    the exporter's row of ``exports`` is used, and the arrays need hold only the economies of
    interest (what :func:`silkroad.analytics.prospects.potential_table` reads for one pair).
    """
    from silkroad.reference.countries import is_aggregate

    econ = [str(e) for e in economies]
    prods = [str(p) for p in products]
    if len(set(econ)) != len(econ) or len(set(prods)) != len(prods):
        raise InputError("economies and products must be unique", field="economies")
    if exporter not in econ:
        raise AnalysisError(f"{exporter} is not among the economies of the data")
    years, notices = _window(exports, year, n_years)
    shape = (len(econ), len(prods))
    x_ik = _mean(exports, years, shape, "exports")
    m_jk = _mean(imports, years, shape, "imports")
    x_ijk = _mean(bilateral, years, shape, "bilateral")
    agg = np.array([is_aggregate(e) for e in econ])
    dropped_exclude = set(exclude)
    real = ~agg & ~np.isin(np.array(econ, dtype=object), list(dropped_exclude))
    if world_exports is None:
        world = x_ik[real].sum(axis=0)
    else:
        world = _mean(
            {y: np.asarray(v)[None, :] for y, v in world_exports.items()},
            years,
            (1, len(prods)),
            "world_exports",
        )[0]
    e = econ.index(exporter)
    with np.errstate(divide="ignore", invalid="ignore"):
        supply = np.where(world > 0, x_ik[e] / world, 0.0)
    if markets is None:
        rows = [k for k in range(len(econ)) if real[k] and k != e]
    else:
        wanted = list(dict.fromkeys(markets))
        unknown = [m for m in wanted if m not in econ]
        if unknown:
            raise AnalysisError(
                "markets not in the data", found=", ".join(unknown[:10]), field="markets"
            )
        bad = [m for m in wanted if m == exporter or is_aggregate(m) or m in dropped_exclude]
        if bad:
            notices.append("not markets (own market or aggregate): " + ", ".join(bad))
        rows = [econ.index(m) for m in wanted if m not in bad]
    if not rows:
        raise AnalysisError("no market left to compute potential for")
    idx = np.array(rows, dtype=np.int64)
    demand_base = m_jk[idx]
    actual = x_ijk[idx]
    hyp = demand_base @ supply
    with np.errstate(divide="ignore", invalid="ignore"):
        ease = np.where(hyp > 0, actual.sum(axis=1) / hyp, np.nan)
    no_overlap = [econ[r] for r, h in zip(rows, hyp, strict=True) if not h > 0]
    if no_overlap:
        notices.append(
            "ease undefined (the exporter sells none of what these markets buy): "
            + ", ".join(no_overlap[:20])
        )
    demand = demand_base.copy()
    meta_growth: dict[str, Any] | None = None
    if gdp_growth is not None:
        factors = np.array([float(gdp_growth.get(econ[r], 1.0)) for r in rows])
        if (factors <= 0).any() or not np.isfinite(factors).all():
            raise InputError("GDP growth factors must be positive", field="gdp_growth")
        missing = [econ[r] for r in rows if econ[r] not in gdp_growth]
        if missing:
            notices.append(
                f"no GDP projection for {len(missing)} markets (growth factor 1 used): "
                + ", ".join(missing[:20])
            )
        demand *= (factors**elasticity)[:, None]
        meta_growth = {
            "elasticity": elasticity,
            "markets_with_projection": len(rows) - len(missing),
        }
    meta_access: dict[str, Any] | None = None
    if tariffs is not None:
        access, meta_access, more = _market_access(tariffs, econ, prods, rows, sigma)
        demand *= access
        notices += more
    potential = supply[None, :] * demand * ease[:, None]
    out = _long_table(econ, prods, rows, supply, demand, demand_base, ease, potential, actual)
    metadata: dict[str, Any] = {
        "definition": DEFINITION,
        "exporter": exporter,
        "years": years,
        "n_years": n_years,
        "units": "USD (annual averages)",
        "markets": len(rows),
        "products": len(prods),
        "excluded": sorted({econ[k] for k in np.flatnonzero(~real)} | {exporter}),
        "demand_growth": meta_growth,
        "market_access": meta_access,
        "adds_up": meta_growth is None and meta_access is None,
    }
    return PotentialResult(exporter=exporter, table=out, metadata=metadata, notices=notices)


def _long_table(
    econ: list[str],
    prods: list[str],
    rows: list[int],
    supply: np.ndarray,
    demand: np.ndarray,
    demand_base: np.ndarray,
    ease: np.ndarray,
    potential: np.ndarray,
    actual: np.ndarray,
) -> pd.DataFrame:
    n_m, n_p = len(rows), len(prods)
    market_codes = np.array([econ[r] for r in rows], dtype=object)
    pot = potential.ravel()
    act = actual.ravel()
    with np.errstate(invalid="ignore"):
        untapped = np.where(np.isnan(pot), np.nan, np.maximum(pot - act, 0.0))
        realised = np.where(np.isnan(pot), np.nan, np.minimum(act, pot))
        over = np.where(np.isnan(pot), np.nan, np.maximum(act - pot, 0.0))
    return pd.DataFrame(
        {
            "market": np.repeat(market_codes, n_p),
            "product": np.tile(np.array(prods, dtype=object), n_m),
            "supply": np.tile(supply, n_m),
            "demand": demand.ravel(),
            "ease": np.repeat(ease, n_p),
            "potential": pot,
            "actual": act,
            "untapped": untapped,
            "realised": realised,
            "over": over,
            "demand_base": demand_base.ravel(),
        }
    )


def _market_access(
    tariffs: pd.DataFrame,
    econ: list[str],
    prods: list[str],
    rows: list[int],
    sigma: float | None,
) -> tuple[np.ndarray, dict[str, Any], list[str]]:
    need = {"market", "product", "tariff", "competitor_tariff"}
    if not need <= set(tariffs.columns):
        raise InputError(
            "tariffs lack columns",
            field="tariffs",
            found=", ".join(map(str, tariffs.columns)),
            expected="columns " + ", ".join(sorted(need)) + " (and sigma, optional)",
        )
    if "sigma" not in tariffs.columns and sigma is None:
        raise InputError(
            "market access needs an elasticity of substitution",
            field="sigma",
            expected="a sigma column in the tariffs or the sigma argument",
        )
    t = tariffs.copy()
    if "sigma" not in t.columns:
        t["sigma"] = float(sigma)  # type: ignore[arg-type]
    elif sigma is not None:
        t["sigma"] = t["sigma"].fillna(float(sigma))
    mpos = {econ[r]: k for k, r in enumerate(rows)}
    ppos = {p: k for k, p in enumerate(prods)}
    t = t[t["market"].isin(mpos) & t["product"].astype(str).isin(ppos)]
    access = np.ones((len(rows), len(prods)), dtype=np.float64)
    if len(t):
        factor = (
            (1 + t["tariff"].to_numpy(float)) / (1 + t["competitor_tariff"].to_numpy(float))
        ) ** (-t["sigma"].to_numpy(float))
        access[
            t["market"].map(mpos).to_numpy(int), t["product"].astype(str).map(ppos).to_numpy(int)
        ] = factor
    meta = {"pairs_with_tariffs": len(t), "formula": "((1 + t) / (1 + t_competitors)) ** -sigma"}
    notices = [] if len(t) else ["no tariff matched the markets and products: access factor 1"]
    return access, meta, notices


def product_groups(products: Iterable[str], level: Any) -> dict[str, str]:
    """Product → group: ``hs2``/``hs4``/``hs6`` (the code cut), ``section`` (``S01``…``S21``),
    or a :class:`~silkroad.reference.baskets.BasketSet` (products in no basket left out).

    >>> product_groups(["870120", "870190"], "hs4")
    {'870120': '8701', '870190': '8701'}
    """
    codes = [str(p) for p in products]
    digits = [c.split(":")[-1] for c in codes]
    if hasattr(level, "assign"):
        found = level.assign(pd.Series(digits, dtype=object))
        return {c: str(b) for c, b in zip(codes, found, strict=True) if b is not None}
    if level not in GROUP_LEVELS:
        raise InputError(
            "unknown product grouping",
            field="level",
            found=level,
            expected=", ".join(GROUP_LEVELS) + " or a basket set",
        )
    if level == "section":
        from silkroad.reference.products import chapter_to_section

        out = {}
        for c, d in zip(codes, digits, strict=True):
            try:
                out[c] = f"S{chapter_to_section(d[:2]):02d}"
            except Exception:  # chapters 98/99 (national use, not specified) have no section
                out[c] = "S00"
        return out
    n = int(level[2:])
    return {c: d[:n] for c, d in zip(codes, digits, strict=True)}


def aggregate_potential(
    table: pd.DataFrame,
    groups: Mapping[str, str] | Callable[[str], str | None],
    *,
    by_market: bool = True,
) -> pd.DataFrame:
    """Sum demand and the measures (USD) of a potential table by product group (and market).

    ``groups`` maps a product code to its group (see :func:`product_groups`); products mapped to
    nothing are left out. Untapped potential is the sum of the products' untapped values (as ITC
    reports it), not max(Σ potential − Σ actual, 0). Sorted by untapped, largest first.
    """
    lookup = groups.get if isinstance(groups, Mapping) else groups
    grp = table["product"].map(lambda p: lookup(p))
    sub = table.assign(group=grp)
    sub = sub[sub["group"].notna()]
    keys = ["market", "group"] if by_market else ["group"]
    out = sub.groupby(keys, sort=True)[["demand", *MEASURES]].sum().reset_index()
    return out.sort_values(
        ["untapped", *keys], ascending=[False, *[True] * len(keys)], ignore_index=True
    )


def rank_markets(result: PotentialResult, product: str, *, top: int | None = None) -> pd.DataFrame:
    """For one product, the markets ranked by untapped potential (where should the exporter
    sell it?): ``rank``, ``market``, ``demand``, ``ease``, ``potential``, ``actual``,
    ``untapped``, ``realised``, ``share_of_untapped`` (of the product's total, 0–1)."""
    sub = result.table[result.table["product"] == str(product)]
    if sub.empty:
        raise AnalysisError(f"product {product} is not in the data", field="product")
    cols = ["market", "demand", "ease", "potential", "actual", "untapped", "realised"]
    out = sub[cols].sort_values(["untapped", "market"], ascending=[False, True], ignore_index=True)
    total = float(out["untapped"].sum())
    out["share_of_untapped"] = out["untapped"] / total if total > 0 else 0.0
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.head(top) if top else out


def _read_table(path: str | Path, needed: Sequence[str], what: str) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} file not found", path=p)
    try:
        df = pd.read_csv(p, dtype={"market": str, "product": str, "iso3": str})
    except Exception as exc:  # parser errors of many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FormatError(f"cannot read the {what} file", path=p, found=first) from exc
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise FormatError(
            f"not a {what} file",
            path=p,
            found="columns " + ", ".join(map(str, df.columns)),
            expected="columns " + ", ".join(needed),
        )
    return df


def _numbers(df: pd.DataFrame, col: str, path: str | Path, *, positive: bool) -> pd.Series:
    val = pd.to_numeric(df[col], errors="coerce")
    bad = val.isna() | ((val <= 0) if positive else (val < 0))
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise FormatError(
            "not a number" if pd.isna(val.iloc[k]) else "out of range",
            path=path,
            line=k + 2,
            field=col,
            found=str(df[col].iloc[k]),
            expected="a positive number" if positive else "a number ≥ 0",
        )
    return val.astype(np.float64)


def read_gdp_projections(path: str | Path) -> dict[str, float]:
    """A GDP projections CSV, columns ``iso3,gdp_growth`` (cumulative real growth factor over
    the horizon, e.g. 1.15 for +15 %), as the ``gdp_growth`` argument of
    :func:`export_potential`."""
    df = _read_table(path, ["iso3", "gdp_growth"], "GDP projections")
    val = _numbers(df, "gdp_growth", path, positive=True)
    return dict(zip(df["iso3"].str.strip().str.upper(), val, strict=True))


def read_tariffs(path: str | Path) -> pd.DataFrame:
    """A tariff CSV, columns ``market,product,tariff,competitor_tariff[,sigma]`` (ad valorem as
    fractions: 0.05 is 5 %), as the ``tariffs`` argument of :func:`export_potential`."""
    df = _read_table(path, ["market", "product", "tariff", "competitor_tariff"], "tariffs")
    out = pd.DataFrame(
        {"market": df["market"].str.strip().str.upper(), "product": df["product"].str.strip()}
    )
    for col in ("tariff", "competitor_tariff"):
        out[col] = _numbers(df, col, path, positive=False)
    if "sigma" in df.columns:
        out["sigma"] = _numbers(df, "sigma", path, positive=True)
    return out
