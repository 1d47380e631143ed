"""The partner's market: A's share of B's imports, A's rank among B's suppliers, the competitors.

What ITC Trade Map shows for one exporter in one market (METHODS 2.8): for each product at a
level, B's imports from the world, how much of them come from A, A's rank among the suppliers
(1 = largest; ties share the better rank) and the largest other suppliers. A bloc B is one
market: its imports from outside the bloc; a bloc A is one supplier (its members summed).
Values come from reconciled data (:class:`~silkroad.analytics.world.World`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from silkroad.analytics.parties import check_distinct, resolve_party, sides_for_year
from silkroad.analytics.unknown import TRADE, covered, note, party_reason
from silkroad.errors import AnalysisError
from silkroad.results import Result

if TYPE_CHECKING:
    from silkroad.analytics.world import World
    from silkroad.reference.baskets import BasketSet

PRODUCT_COLUMNS = ["code", "b_imports_usd", "a_exports_usd", "a_share", "a_rank", "suppliers"]
COMPETITOR_COLUMNS = ["code", "rank", "exporter", "value_usd", "share"]
#: The supplier label of side A in the supplier tables (A may be a bloc).
SIDE_A = "A"


def suppliers(
    world: World, a: str, b: str, year: int, *, level: str | BasketSet = "hs4"
) -> pd.DataFrame:
    """Every supplier of B's imports by product: code, supplier (ISO3, or 'A' for side A),
    value_usd, share (of B's imports of that product; sums to 1), rank (1 = largest)."""
    party_a, party_b = resolve_party(a), resolve_party(b)
    check_distinct(party_a, party_b)
    members_a, members_b = sides_for_year(party_a, party_b, int(year))
    if not members_b:
        raise AnalysisError(
            f"{party_b.code} had no members in {year}; its market is undefined",
            field="year",
            found=year,
            expected=f"a year in which {party_b.code} existed",
        )
    flows = world.long(int(year), level=level, importers=members_b)
    flows = flows[~flows.exporter.isin(members_b)]
    supplier = flows.exporter.where(~flows.exporter.isin(members_a), SIDE_A)
    out = (
        flows.assign(supplier=supplier)
        .groupby(["code", "supplier"], as_index=False)
        .value_usd.sum()
    )
    out = out[out.value_usd > 0]
    total = out.groupby("code").value_usd.transform("sum")
    out["share"] = out.value_usd / total
    out["rank"] = out.groupby("code").value_usd.rank(method="min", ascending=False).astype(int)
    return out.sort_values(["code", "rank", "supplier"]).reset_index(drop=True)


def partner_market(
    world: World,
    a: str,
    b: str,
    year: int,
    *,
    level: str | BasketSet = "hs4",
    top: int = 10,
    competitors: int = 3,
) -> Result:
    """A in B's market in ``year`` for A's ``top`` exports to B at ``level``.

    Tables ``products`` (:data:`PRODUCT_COLUMNS`; a_share a fraction, a_rank 1 = largest
    supplier) and ``competitors`` (:data:`COMPETITOR_COLUMNS`: the ``competitors`` largest other
    suppliers of each of those products, with their rank among all suppliers).
    """
    check_distinct(resolve_party(a), resolve_party(b))
    level_name = level if isinstance(level, str) else "baskets"
    meta = world.metadata([int(year)], level_name) | {
        "a": resolve_party(a).code,
        "b": resolve_party(b).code,
        "top": top,
        "competitors": competitors,
        "definition": "share and rank of A among B's suppliers (B's imports, reconciled data); "
        "a bloc B: imports from outside the bloc",
    }
    # Unknown is not zero (analytics/unknown.py): a side without members or rows that year
    # leaves A's share and rank in B's market unknown: no rows, the reason in the metadata.
    present = covered(world.store, world.source, [int(year)])[int(year)]
    meta["unknown"] = [
        note(int(year), TRADE, why)
        for party in (resolve_party(a), resolve_party(b))
        if (why := party_reason(party, int(year), present, world.source, meta["source_version"]))
    ]
    if meta["unknown"]:
        return Result(
            kind="market",
            tables={
                "products": pd.DataFrame(columns=PRODUCT_COLUMNS),
                "competitors": pd.DataFrame(columns=COMPETITOR_COLUMNS),
            },
            metadata=meta,
            main="products",
            csv_tables=("products",),
        )
    table = suppliers(world, a, b, year, level=level)
    by_code = table.groupby("code")
    products = pd.DataFrame(
        {
            "b_imports_usd": by_code.value_usd.sum(),
            "suppliers": by_code.size(),
        }
    )
    mine = table[table.supplier == SIDE_A].set_index("code")
    products["a_exports_usd"] = mine.value_usd.reindex(products.index).fillna(0.0)
    products["a_share"] = mine.share.reindex(products.index).fillna(0.0)
    products["a_rank"] = mine["rank"].reindex(products.index).astype("Int64")
    products = products[products.a_exports_usd > 0]
    products = products.sort_values(["a_exports_usd"], ascending=False, kind="mergesort").head(top)
    products = products.reset_index()[PRODUCT_COLUMNS]
    others = table[(table.supplier != SIDE_A) & table.code.isin(products.code)]
    others = others.groupby("code", group_keys=False).head(competitors)
    comp = others.rename(columns={"supplier": "exporter"})[COMPETITOR_COLUMNS]
    order = {c: i for i, c in enumerate(products.code)}
    comp = comp.assign(_o=comp.code.map(order)).sort_values(["_o", "rank"]).drop(columns="_o")
    return Result(
        kind="market",
        tables={"products": products, "competitors": comp.reset_index(drop=True)},
        metadata=meta,
        main="products",
        csv_tables=("products",),
    )


__all__ = ["COMPETITOR_COLUMNS", "PRODUCT_COLUMNS", "partner_market", "suppliers"]
