"""Comparative advantage, trade indicators and economic complexity from the store.

The world-level analyses behind ``silkroad rca``, ``silkroad indicators`` and ``silkroad
complexity``: each reads one year of :class:`~silkroad.analytics.world.World` (reconciled data by
default, aggregated in the engine) and hands the matrices to the pure functions of
:mod:`~silkroad.analytics.indicators` and :mod:`~silkroad.analytics.complexity`. Results are
:class:`~silkroad.results.Result` objects whose metadata name the source, level, year and the
convention used (METHODS sections 2 and 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics import complexity as cx
from silkroad.analytics import indicators as ind
from silkroad.analytics.market import COMPETITOR_COLUMNS, PRODUCT_COLUMNS, partner_market
from silkroad.analytics.parties import check_distinct, resolve_party
from silkroad.analytics.unknown import panel_notes
from silkroad.errors import AnalysisError
from silkroad.results import Result

if TYPE_CHECKING:
    from silkroad.analytics.parties import Party
    from silkroad.analytics.world import Panel, World
    from silkroad.reference.baskets import BasketSet

RCA_COLUMNS = ["code", "exports_usd", "world_exports_usd", "share_of_world", "rca"]


def _level_name(level: str | BasketSet) -> str:
    return level if isinstance(level, str) else "baskets"


def rca_table(
    world: World, economy: str, year: int, *, level: str | BasketSet = "hs6", top: int | None = None
) -> Result:
    """Balassa RCA of ``economy`` (or a bloc, its members' exports summed) in every product it
    exports in ``year``: table ``rows`` (:data:`RCA_COLUMNS`, highest RCA first; USD), value
    ``products_with_advantage`` (RCA ≥ 1)."""
    panel = world.panel(year, level=level)
    party = resolve_party(economy)
    rows = panel.rows_of(party.code)
    x = panel.exports
    own = x[rows].sum(axis=0)
    world_x = x.sum(axis=0)
    # A bloc is one row against the world: the other economies plus the bloc itself.
    others = np.delete(x, rows, axis=0)
    matrix = np.vstack([own, others]) if others.size else own[None, :]
    labels = [party.code, *[e for i, e in enumerate(panel.economies) if i not in set(rows)]]
    result = ind.rca(matrix, economies=labels, products=panel.products)
    frame = pd.DataFrame(
        {
            "code": list(panel.products),
            "exports_usd": own,
            "world_exports_usd": world_x,
            "share_of_world": np.divide(
                own, world_x, out=np.full_like(own, np.nan), where=world_x > 0
            ),
            "rca": result.rca[0],
        }
    )
    frame = frame[frame.exports_usd > 0]
    frame = frame.sort_values(["rca", "exports_usd", "code"], ascending=[False, False, True])
    n_adv = int((frame.rca >= 1).sum())
    if top is not None:
        frame = frame.head(top)
    meta = panel.metadata | {
        "economy": party.code,
        "indicator": "rca",
        "formula": result.metadata["formula"],
        "world": "every economy in the source's year (aggregates excluded)",
        "top": top,
        "notices": result.notices,
    }
    return Result(
        kind="rca",
        tables={"rows": frame.reset_index(drop=True)},
        metadata=meta,
        values={"products_with_advantage": n_adv, "products_exported": int((own > 0).sum())},
        main="rows",
    )


def pair_indicators(
    world: World,
    a: str,
    b: str,
    year: int,
    *,
    level: str | BasketSet = "hs6",
    top: int = 10,
) -> Result:
    """The WITS indicators of A with B in ``year`` (METHODS 2): TII both ways, TCI both ways,
    ESI, Grubel–Lloyd (per product and aggregated), the HHIs of A's and B's products and
    markets, and A's share and rank in B's market for A's ``top`` exports to B.

    Values: ``tii_ab``, ``tii_ba``, ``tci_ab``, ``tci_ba`` (0–100), ``esi`` (0–100),
    ``gl_aggregate``, ``gl_adjusted``, ``gl_unweighted`` (0–1), and per side (``a``/``b``):
    ``hhi_products``, ``hhi_products_normalized``, ``products_exported``, ``hhi_markets``,
    ``hhi_markets_normalized``, ``markets``. Tables: ``grubel_lloyd`` (code, exports_usd,
    imports_usd, gl), ``market`` and ``competitors`` (see :func:`partner_market`).
    """
    pa, pb = resolve_party(a), resolve_party(b)
    check_distinct(pa, pb)
    panel = world.panel(year, level=level)
    notes = panel_notes(panel, pa, pb)
    if notes:
        return _unknown_indicators(world, panel, pa, pb, notes)
    xa, xb = panel.exports_of(pa.code), panel.exports_of(pb.code)
    ma, mb = panel.imports_of(pa.code), panel.imports_of(pb.code)
    total_w = float(panel.exports.sum())
    members_a, members_b = pa.members(int(year)), pb.members(int(year))
    bilateral = world.long(
        int(year), level=level, exporters=members_a | members_b, importers=members_a | members_b
    )
    a_to_b = bilateral[bilateral.exporter.isin(members_a) & bilateral.importer.isin(members_b)]
    b_to_a = bilateral[bilateral.exporter.isin(members_b) & bilateral.importer.isin(members_a)]
    x_ab, x_ba = float(a_to_b.value_usd.sum()), float(b_to_a.value_usd.sum())
    values: dict[str, Any] = {
        "exports_ab_usd": x_ab,
        "exports_ba_usd": x_ba,
        "tii_ab": ind.trade_intensity(x_ab, float(xa.sum()), float(mb.sum()), total_w),
        "tii_ba": ind.trade_intensity(x_ba, float(xb.sum()), float(ma.sum()), total_w),
        "tci_ab": ind.complementarity(xa, mb),
        "tci_ba": ind.complementarity(xb, ma),
        "esi": ind.export_similarity(xa, xb),
    }
    codes = list(panel.products)
    ex = a_to_b.groupby("code").value_usd.sum().reindex(codes, fill_value=0.0).to_numpy()
    im = b_to_a.groupby("code").value_usd.sum().reindex(codes, fill_value=0.0).to_numpy()
    gl_table = pd.DataFrame(columns=["code", "exports_usd", "imports_usd", "gl"])
    if (ex + im).sum() > 0:
        gl = ind.grubel_lloyd(ex, im, products=codes)
        values |= {
            "gl_aggregate": gl.aggregate,
            "gl_adjusted": gl.adjusted,
            "gl_unweighted": gl.unweighted,
        }
        traded = (ex + im) > 0
        gl_table = pd.DataFrame(
            {
                "code": np.asarray(codes, dtype=object)[traded],
                "exports_usd": ex[traded],
                "imports_usd": im[traded],
                "gl": gl.gl[traded],
            }
        ).sort_values(["exports_usd", "imports_usd"], ascending=False)
    else:
        values |= {"gl_aggregate": np.nan, "gl_adjusted": np.nan, "gl_unweighted": np.nan}
    totals = world.bilateral_totals([int(year)])
    for side, party, xs in (("a", pa, xa), ("b", pb, xb)):
        values |= _concentrations(side, party.code, panel, xs, totals)
    market = partner_market(world, pa.code, pb.code, int(year), level=level, top=top)
    meta = panel.metadata | {
        "a": pa.code,
        "b": pb.code,
        "indicators": "WITS definitions, METHODS 2; TCI and ESI on a 0-100 scale, GL 0-1",
        "blocs": "a bloc side is its members' trade summed, trade between its members included",
    }
    return Result(
        kind="indicators",
        tables={
            "grubel_lloyd": gl_table.reset_index(drop=True),
            "market": market["products"],
            "competitors": market["competitors"],
        },
        metadata=meta,
        values=values,
        main="market",
        csv_tables=("market",),
    )


#: The values of :func:`pair_indicators` (each NaN when a side's trade is unknown).
INDICATOR_VALUES = (
    "exports_ab_usd",
    "exports_ba_usd",
    "tii_ab",
    "tii_ba",
    "tci_ab",
    "tci_ba",
    "esi",
    "gl_aggregate",
    "gl_adjusted",
    "gl_unweighted",
    *(
        f"{side}_{name}"
        for side in ("a", "b")
        for name in (
            "hhi_products",
            "hhi_products_normalized",
            "products_exported",
            "hhi_markets",
            "hhi_markets_normalized",
            "markets",
        )
    ),
)


def _unknown_indicators(
    world: World, panel: Panel, pa: Party, pb: Party, notes: list[dict[str, Any]]
) -> Result:
    """The indicators of a year in which a side's trade is unknown (analytics/unknown.py): every
    value that involves that side NaN, no table rows, the reasons in ``metadata['unknown']``;
    a known side's own concentrations (its HHIs, products and markets) are still given."""
    meta = panel.metadata | {"a": pa.code, "b": pb.code, "unknown": notes}
    values = dict.fromkeys(INDICATOR_VALUES, np.nan)
    totals: pd.DataFrame | None = None
    for side, party in (("a", pa), ("b", pb)):
        if panel_notes(panel, party):
            continue
        if totals is None:
            totals = world.bilateral_totals([panel.year])
        values |= _concentrations(side, party.code, panel, panel.exports_of(party.code), totals)
    return Result(
        kind="indicators",
        tables={
            "grubel_lloyd": pd.DataFrame(columns=["code", "exports_usd", "imports_usd", "gl"]),
            "market": pd.DataFrame(columns=PRODUCT_COLUMNS),
            "competitors": pd.DataFrame(columns=COMPETITOR_COLUMNS),
        },
        metadata=meta,
        values=values,
        main="market",
        csv_tables=("market",),
    )


def _concentrations(
    side: str, code: str, panel: Panel, exports: np.ndarray, totals: pd.DataFrame
) -> dict[str, Any]:
    """HHI of a side's exports by product and by market (partner economies)."""
    out: dict[str, Any] = {}
    if exports.sum() > 0:
        c = ind.concentration(exports, labels=panel.products, kind="products")
        out |= {
            f"{side}_hhi_products": c.hhi,
            f"{side}_hhi_products_normalized": c.normalized,
            f"{side}_products_exported": c.count,
        }
    members = resolve_party(code).members(panel.year)
    by_market = (
        totals[totals.exporter.isin(members) & ~totals.importer.isin(members)]
        .groupby("importer")
        .value_usd.sum()
    )
    by_market = by_market[by_market > 0]
    if len(by_market):
        m = ind.concentration(by_market.to_numpy(), labels=list(by_market.index), kind="markets")
        out |= {
            f"{side}_hhi_markets": m.hhi,
            f"{side}_hhi_markets_normalized": m.normalized,
            f"{side}_markets": m.count,
        }
    return out


def complexity_table(
    world: World,
    year: int,
    *,
    level: str = "hs4",
    economy: str | None = None,
    convention: str = "ecomplexity",
    top: int | None = None,
    **options: Any,
) -> Result:
    """ECI of every economy and PCI of every product in ``year`` at ``level``; for
    ``economy``, its opportunities: products it does not export with advantage yet, ranked by
    COG, with their density. ``convention``: 'ecomplexity' (py-ecomplexity 0.5.3, the default),
    'stata' (Stata/Atlas) or 'oec'; ``options`` go to :func:`complexity.complexity` (e.g.
    ``rca_threshold``, ``min_exporter_usd``, ``min_product_usd``)."""
    panel = world.panel(year, level=level)
    result = cx.complexity(
        panel.exports,
        economies=panel.economies,
        products=panel.products,
        convention=convention,
        **options,
    )
    eci = result.economy_table().sort_values(["eci_rank", "economy"]).reset_index(drop=True)
    pci = (
        result.product_table()
        .rename(columns={"product": "code"})
        .sort_values(["pci_rank", "code"])
        .reset_index(drop=True)
    )
    tables = {"eci": eci, "pci": pci}
    values: dict[str, Any] = {}
    if economy is not None:
        code = resolve_party(economy).code
        if code not in result.economies:
            why = result.dropped_economies.get(code, "no exports in the year")
            raise AnalysisError(
                f"no complexity results for {code} in {year}: {why}",
                field="economy",
                found=code,
                expected="an economy with exports in the panel's year",
            )
        opp = result.opportunities(code, top=top).rename(columns={"product": "code"})
        tables["opportunities"] = opp
        row = eci.set_index("economy").loc[code]
        values |= {"economy": code, "economy_eci": float(row.eci), "eci_rank": int(row.eci_rank)}
    meta = (
        panel.metadata
        | result.metadata
        | {
            "notices": result.notices,
            "dropped_economies": result.dropped_economies,
            "dropped_products": result.dropped_products,
        }
    )
    return Result(
        kind="complexity",
        tables=tables,
        metadata=meta,
        values=values,
        main="opportunities" if economy is not None else "eci",
    )


__all__ = ["RCA_COLUMNS", "complexity_table", "pair_indicators", "rca_table"]
