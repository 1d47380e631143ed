"""What changed from one year to the next: new and lost products, gainers, losers, margins.

:func:`movers` compares a pair's HS6 products in ``year`` with ``year - 1`` in one direction
(METHODS.md 1.2 and 7.2, last paragraph). A product counts as *traded* in a year when its value
is positive (BACI lists only positive flows). Then each product is

- ``new``: traded in ``year``, not in ``year - 1`` (the extensive margin in);
- ``lost``: traded in ``year - 1``, not in ``year`` (the extensive margin out);
- ``continuing``: traded in both (the intensive margin).

The change of the total splits exactly into the margins::

    change_usd = intensive_usd + extensive_new_usd - extensive_lost_usd

All values are in USD; growth is a fraction (NaN from a zero base, -1.0 for a lost product).
Each product carries the label of its HS chapter (``chapter``, ``label_en``, ``label_ru``; empty
labels for codes outside chapters 01–97, such as ``999999``; ``TOTAL``, declared trade not broken
down by product, is labelled so).
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any

import pandas as pd

from silkroad.analytics.growth import growth
from silkroad.errors import AnalysisError
from silkroad.reference.labels import UNALLOCATED, chapter_label

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair

DIRECTIONS = ("exports", "imports")

#: Rows in the gainers and losers tables unless ``top`` says otherwise.
DEFAULT_TOP = 10

#: Columns of :func:`compare_years`.
COMPARE_COLUMNS = [
    "product",
    "status",
    "value0_usd",
    "value1_usd",
    "weight0_kg",
    "weight1_kg",
]

LABEL_COLUMNS = ["chapter", "label_en", "label_ru"]
NEW_COLUMNS = ["product", "value_usd", *LABEL_COLUMNS]
LOST_COLUMNS = ["product", "prev_value_usd", *LABEL_COLUMNS]
MOVER_COLUMNS = [
    "product",
    "prev_value_usd",
    "value_usd",
    "change_usd",
    "growth",
    "status",
    *LABEL_COLUMNS,
]
MARGIN_COLUMNS = [
    "year",
    "base_year",
    "direction",
    "total_prev_usd",
    "total_usd",
    "change_usd",
    "intensive_usd",
    "extensive_new_usd",
    "extensive_lost_usd",
    "intensive_share",
    "extensive_new_share",
    "extensive_lost_share",
    "n_continuing",
    "n_new",
    "n_lost",
]


def movers(
    pair: Pair, year: int, *, direction: str = "exports", top: int | None = DEFAULT_TOP
) -> dict[str, Any]:
    """New and lost products, top gainers and losers, and the margins of the change.

    Compares ``year`` with ``year - 1`` (both must be in the store) for A's ``direction``
    ('exports' A→B or 'imports' B→A). ``top`` limits the gainers and losers tables (None: all).

    Returns a dict of DataFrames (and the metadata dict):

    - ``new``: product, value_usd, chapter, label_en, label_ru; largest first;
    - ``lost``: product, prev_value_usd, chapter, label_en, label_ru; largest first;
    - ``gainers`` / ``losers``: the ``top`` products with the largest rise / fall, new and lost
      products included: product, prev_value_usd, value_usd, change_usd, growth, status, labels;
    - ``margins``: one row: year, base_year, direction, total_prev_usd, total_usd, change_usd,
      intensive_usd (change over continuing products), extensive_new_usd (sum of new),
      extensive_lost_usd (sum of lost, positive), their shares of change_usd (NaN when the
      change is 0; intensive_share + extensive_new_share - extensive_lost_share = 1), and the
      product counts n_continuing, n_new, n_lost;
    - ``metadata``: :meth:`Pair.metadata` for both years plus the analysis arguments.

    >>> out = sr.pair(store, "BLR", "KAZ").movers(2014, top=5)  # doctest: +SKIP
    >>> out["margins"].loc[0, ["change_usd", "intensive_usd", "extensive_new_usd"]]  # doctest: +SKIP
    """
    top = _check_top(top)
    data = compare_years(pair, year, direction=direction)
    year = int(year)  # checked by compare_years (a numpy integer becomes an int)
    data["change_usd"] = data.value1_usd - data.value0_usd
    data = with_labels(data)

    new = data[data.status == "new"].sort_values(["value1_usd", "product"], ascending=[False, True])
    new = new.rename(columns={"value1_usd": "value_usd"})[NEW_COLUMNS].reset_index(drop=True)
    lost = data[data.status == "lost"].sort_values(
        ["value0_usd", "product"], ascending=[False, True]
    )
    lost = lost.rename(columns={"value0_usd": "prev_value_usd"})[LOST_COLUMNS]
    lost = lost.reset_index(drop=True)

    table = data.rename(columns={"value0_usd": "prev_value_usd", "value1_usd": "value_usd"})
    table["growth"] = growth(table.value_usd, table.prev_value_usd)
    gainers = table[table.change_usd > 0].sort_values(
        ["change_usd", "product"], ascending=[False, True]
    )
    losers = table[table.change_usd < 0].sort_values(
        ["change_usd", "product"], ascending=[True, True]
    )
    if top is not None:
        gainers, losers = gainers.head(top), losers.head(top)

    unknown = pair.flow_notes([year - 1, year], direction)
    out_metadata = pair.metadata([year - 1, year]) | {
        "analysis": "movers",
        "year": year,
        "base_year": year - 1,
        "direction": direction,
        "top": top,
        "unknown": unknown,
    }
    return {
        "new": new,
        "lost": lost,
        "gainers": gainers[MOVER_COLUMNS].reset_index(drop=True),
        "losers": losers[MOVER_COLUMNS].reset_index(drop=True),
        "margins": margins(data, year=year, direction=direction, unknown=bool(unknown)),
        "metadata": out_metadata,
    }


def margins(
    data: pd.DataFrame, *, year: int, direction: str, unknown: bool = False
) -> pd.DataFrame:
    """The one-row margins table from :func:`compare_years` output (see :func:`movers`);
    ``unknown``: the flows of a year are unknown, so every value and count is NaN.

    Sums are exact (``math.fsum``), so the identity holds to the last bit whenever the values
    are whole dollars, as BACI's are (thousands of USD with three decimals).
    """
    status = data.status
    total_prev = math.fsum(data.value0_usd)
    total = math.fsum(data.value1_usd)
    continuing = data[status == "continuing"]
    intensive = math.fsum(continuing.value1_usd) - math.fsum(continuing.value0_usd)
    new = math.fsum(data.value1_usd[status == "new"])
    lost = math.fsum(data.value0_usd[status == "lost"])
    change = total - total_prev

    def share(part: float) -> float:
        return part / change + 0.0 if change != 0 else math.nan  # + 0.0: no -0.0

    row = {
        "year": year,
        "base_year": year - 1,
        "direction": direction,
        "total_prev_usd": total_prev,
        "total_usd": total,
        "change_usd": change,
        "intensive_usd": intensive,
        "extensive_new_usd": new,
        "extensive_lost_usd": lost,
        "intensive_share": share(intensive),
        "extensive_new_share": share(new),
        "extensive_lost_share": share(lost),
        "n_continuing": int((status == "continuing").sum()),
        "n_new": int((status == "new").sum()),
        "n_lost": int((status == "lost").sum()),
    }
    if unknown:
        keep = ("year", "base_year", "direction")
        row = {k: (v if k in keep else math.nan) for k, v in row.items()}
    return pd.DataFrame([row], columns=MARGIN_COLUMNS)


def compare_years(pair: Pair, year: int, *, direction: str = "exports") -> pd.DataFrame:
    """Each HS6 product traded in ``year - 1`` or ``year``, side by side; shared with prices.

    Columns: product, status ('continuing' | 'new' | 'lost'), value0_usd and value1_usd (0.0
    where not traded), weight0_kg and weight1_kg (NaN where unknown or not traded). Sorted by
    product. Raises :class:`AnalysisError` for an unknown direction or a year (or the year
    before it) that the store does not hold; no rows when the flows of either year are unknown
    (:meth:`Pair.flow_notes`: a bloc not yet founded, an economy without rows, a '-' cell).
    """
    if direction not in DIRECTIONS:
        raise AnalysisError(
            "unknown direction",
            field="direction",
            found=direction,
            expected="one of: " + ", ".join(DIRECTIONS),
        )
    year = _check_year(pair, year)
    if pair.flow_notes([year - 1, year], direction):
        # Unknown is not zero (analytics/unknown.py): nothing to compare, no product listed.
        return pd.DataFrame({c: pd.Series(dtype=float) for c in COMPARE_COLUMNS}).astype(
            {"product": object, "status": object}
        )
    flows = pair.product_flows([year - 1, year])
    flows = flows[(flows.direction == direction) & (flows.value_usd > 0)]
    wide = {}
    for suffix, y in (("0", year - 1), ("1", year)):
        part = flows[flows.year == y].set_index("product")
        wide[f"value{suffix}_usd"] = part.value_usd.astype(float)
        wide[f"weight{suffix}_kg"] = part.weight_kg.astype(float)
    out = pd.DataFrame(wide)
    out.index.name = "product"
    out = out.sort_index().reset_index()
    for col in ("value0_usd", "value1_usd"):
        out[col] = out[col].fillna(0.0)
    traded0, traded1 = out.value0_usd > 0, out.value1_usd > 0
    out["status"] = "continuing"
    out.loc[~traded0 & traded1, "status"] = "new"
    out.loc[traded0 & ~traded1, "status"] = "lost"
    out["product"] = out["product"].astype(str)
    return out[COMPARE_COLUMNS]


def with_labels(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the chapter (first two digits of ``product``) and its English/Russian labels
    (from :mod:`silkroad.reference.labels`); trade not broken down by product has no chapter."""
    out = df.copy()
    products = out["product"].astype(str)
    out["chapter"] = products.str[:2].where(products != UNALLOCATED, "")
    for lang in ("en", "ru"):
        names = {p: chapter_label(p, lang) for p in products.unique()}
        out[f"label_{lang}"] = products.map(names)
    return out


def _check_year(pair: Pair, year: int) -> int:
    """``year`` as an int, after checking that it and the year before are in the store."""
    try:
        if isinstance(year, bool):
            raise TypeError
        year = operator.index(year)
    except TypeError:
        raise AnalysisError("the year must be an integer", field="year", found=year) from None
    held = pair.years_available()
    span = f"{held[0]}–{held[-1]}" if held else "none"
    for y in (year, year - 1):
        if y not in held:
            what = "" if y == year else f" (the base year of {year})"
            raise AnalysisError(
                f"year {y}{what} is not in the store for {pair.source}",
                field="year",
                found=y,
                expected=f"a year whose previous year is also held, within {span}",
            )
    return year


def _check_top(top: int | None) -> int | None:
    if top is None:
        return None
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise AnalysisError("top must be a positive integer", field="top", found=top)
    return top
