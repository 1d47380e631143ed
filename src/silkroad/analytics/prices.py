"""Prices or volumes? Unit values and an exact decomposition of a change in value (METHODS.md 7).

:func:`prices` compares a pair's HS6 products in ``year`` with ``year - 1`` in one direction.
Unit values are in USD per metric ton (``value_usd / (weight_kg / 1000)``; BACI's q is in tons).
Each product gets one status (trade not broken down by product, code ``TOTAL``, is never priced:
it goes with ``no_weight``):

- ``continuing``: traded in both years with a weight > 0 in both: the set K that is decomposed;
- ``new``: traded in ``year`` only; ``lost``: traded in ``year - 1`` only (extensive margin);
- ``no_weight``: traded in both years, but the weight is missing or 0 in at least one of them,
  so its change in value cannot be split: it is reported whole, never dropped;
- ``trimmed`` (only with ``trim``): a continuing product whose unit-value relative is an outlier,
  taken out of K and reported whole like ``no_weight``.

Over K, with p the unit value and q the weight in tons (so v = p·q), the indices of METHODS 7.2:
Laspeyres P_L = Σp1q0/Σp0q0, Q_L = Σp0q1/Σp0q0; Paasche P_P = Σp1q1/Σp0q1, Q_P = Σp1q1/Σp1q0;
Fisher P_F = √(P_L·P_P), Q_F = √(Q_L·Q_P); V1/V0 = P_L·Q_P = P_P·Q_L = P_F·Q_F.

The additive split (the Bennet indicators, the difference counterpart of Fisher) sums the
per-product midpoint (Shapley) split of METHODS 7.3, exact with no interaction term::

    price_k  = (p1 - p0)·(q0 + q1)/2        volume_k = (q1 - q0)·(p0 + p1)/2
    price_k + volume_k = p1·q1 - p0·q0 = v1 - v0

so that the whole change in value adds up exactly::

    change_usd = price_effect_usd + volume_effect_usd + new_usd - lost_usd
                 + no_weight_change_usd + trimmed_change_usd

The summary also gives the Shapley split of the Fisher indices on the aggregate
(price = V0·(P_F - 1)·(1 + Q_F)/2, volume = V0·(Q_F - 1)·(1 + P_F)/2), which adds up to V1 - V0
as well but cannot be attributed to products. Volume effects are computed as the change minus
the price effect, which equals the formulas above algebraically and keeps the identities exact in
floating point.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics.movers import LABEL_COLUMNS, compare_years, with_labels
from silkroad.errors import AnalysisError

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair

KG_PER_TON = 1000.0

STATUSES = ("continuing", "no_weight", "new", "lost", "trimmed")

PRODUCT_COLUMNS = [
    "product",
    "status",
    "value0_usd",
    "value1_usd",
    "change_usd",
    "weight0_kg",
    "weight1_kg",
    "unit_value0_usd_per_t",
    "unit_value1_usd_per_t",
    "unit_value_growth",
    "price_effect_usd",
    "volume_effect_usd",
    *LABEL_COLUMNS,
]

SUMMARY_COLUMNS = [
    "year",
    "base_year",
    "direction",
    "total_prev_usd",
    "total_usd",
    "change_usd",
    "continuing_value0_usd",
    "continuing_value1_usd",
    "continuing_change_usd",
    "price_effect_usd",
    "volume_effect_usd",
    "new_usd",
    "lost_usd",
    "no_weight_change_usd",
    "trimmed_change_usd",
    "price_effect_fisher_usd",
    "volume_effect_fisher_usd",
    "value_index",
    "price_index_laspeyres",
    "volume_index_laspeyres",
    "price_index_paasche",
    "volume_index_paasche",
    "price_index_fisher",
    "volume_index_fisher",
    "coverage0",
    "coverage1",
    "n_continuing",
    "n_new",
    "n_lost",
    "n_no_weight",
    "n_trimmed",
]

METHODS = {
    "unit_value": "value_usd / (weight_kg / 1000): USD per metric ton",
    "continuing_set": "traded in both years with weight > 0 in both (METHODS 7.2, set K)",
    "indices": "Laspeyres, Paasche and Fisher price and volume indices over K (METHODS 7.2)",
    "split": "Bennet: sum over K of per-product midpoint (Shapley) splits (METHODS 7.3)",
    "fisher_split": "Shapley split of V0·P_F·Q_F on the aggregate",
    "trim": "products in K with |ln(p1/p0) - median| > trim × MAD, reported whole",
}


def prices(
    pair: Pair, year: int, *, direction: str = "exports", trim: float | None = None
) -> dict[str, Any]:
    """Unit values and the price/volume decomposition of the change from ``year - 1`` to ``year``.

    ``direction`` is 'exports' (A→B) or 'imports' (B→A); both years must be in the store.
    ``trim`` (off by default) takes out of K the products whose log unit-value relative
    ln(p1/p0) lies more than ``trim`` median absolute deviations from the median over K
    (``trim=3`` is the rule of METHODS 7.1); their change in value is reported as
    ``trimmed_change_usd``, never dropped. No trimming happens when the MAD is 0.

    Returns a dict:

    - ``products``: one row per product traded in either year (see ``PRODUCT_COLUMNS``),
      largest absolute change first; unit values where value and weight are positive; price
      and volume effects only for status 'continuing' (NaN otherwise);
    - ``summary``: one row with the totals, the effects, the indices and the counts (see
      ``SUMMARY_COLUMNS`` and the module docstring for the identity they satisfy);
    - ``metadata``: :meth:`Pair.metadata` for both years, the arguments and the methods used.

    >>> out = sr.pair(store, "BLR", "KAZ").prices(2014)  # doctest: +SKIP
    >>> out["summary"].loc[0, ["price_effect_usd", "volume_effect_usd", "new_usd"]]  # doctest: +SKIP
    """
    trim = _check_trim(trim)
    data = compare_years(pair, year, direction=direction)
    year = int(year)  # checked by compare_years (a numpy integer becomes an int)
    v0, v1 = data.value0_usd.to_numpy(float), data.value1_usd.to_numpy(float)
    t0 = data.weight0_kg.to_numpy(float) / KG_PER_TON
    t1 = data.weight1_kg.to_numpy(float) / KG_PER_TON
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = np.where((v0 > 0) & (t0 > 0), v0 / t0, np.nan)
        p1 = np.where((v1 > 0) & (t1 > 0), v1 / t1, np.nan)
        relative = p1 / p0
    # Trade not broken down by product (code TOTAL: a declared total larger than its detail) mixes
    # goods that change from year to year: it has no unit value, so it goes with 'no_weight'.
    product = (data["product"] != "TOTAL").to_numpy()
    in_k = (data.status == "continuing").to_numpy() & (t0 > 0) & (t1 > 0) & product
    status = data.status.to_numpy(dtype=object).copy()
    status[(status == "continuing") & ~in_k] = "no_weight"
    mad = math.nan
    if trim is not None and in_k.any():
        logs = np.log(relative[in_k])
        median = float(np.median(logs))
        mad = float(np.median(np.abs(logs - median)))
        if mad > 0:
            outlier = np.zeros_like(in_k)
            outlier[in_k] = np.abs(logs - median) > trim * mad
            status[outlier] = "trimmed"
            in_k &= ~outlier

    change = v1 - v0
    price = np.where(in_k, (p1 - p0) * (t0 + t1) / 2, np.nan)
    volume = np.where(in_k, change - price, np.nan)

    products = data[["product"]].copy()
    products["status"] = status
    products["value0_usd"], products["value1_usd"], products["change_usd"] = v0, v1, change
    products["weight0_kg"], products["weight1_kg"] = data.weight0_kg, data.weight1_kg
    products["unit_value0_usd_per_t"], products["unit_value1_usd_per_t"] = p0, p1
    products["unit_value_growth"] = relative - 1.0
    products["price_effect_usd"], products["volume_effect_usd"] = price, volume
    products = with_labels(products)
    order = np.lexsort((products["product"].to_numpy(), -np.abs(change)))
    products = products.iloc[order][PRODUCT_COLUMNS].reset_index(drop=True)

    summary = _summary(products, v0=v0, t0=t0, p0=p0, v1=v1, t1=t1, p1=p1, in_k=in_k)
    unknown = pair.flow_notes([year - 1, year], direction)
    if unknown:
        # Unknown is not zero (analytics/unknown.py): the effects are unknown, not 0.
        numeric = summary.select_dtypes("number").columns
        summary[numeric] = np.nan
    summary.insert(0, "year", year)
    summary.insert(1, "base_year", year - 1)
    summary.insert(2, "direction", direction)
    metadata = pair.metadata([year - 1, year]) | {
        "analysis": "prices",
        "year": year,
        "base_year": year - 1,
        "direction": direction,
        "unit_value_unit": "USD per metric ton",
        "trim": trim,
        "trim_mad": mad,
        "methods": dict(METHODS),
        "unknown": unknown,
    }
    return {"products": products, "summary": summary[SUMMARY_COLUMNS], "metadata": metadata}


def _summary(
    products: pd.DataFrame,
    *,
    v0: np.ndarray,
    t0: np.ndarray,
    p0: np.ndarray,
    v1: np.ndarray,
    t1: np.ndarray,
    p1: np.ndarray,
    in_k: np.ndarray,
) -> pd.DataFrame:
    """The one-row summary: totals, effects, indices over K and counts."""
    fsum = math.fsum
    status = products.status
    total_prev, total = fsum(v0), fsum(v1)
    big_v0, big_v1 = fsum(v0[in_k]), fsum(v1[in_k])
    p1q0 = fsum(p1[in_k] * t0[in_k])
    p0q1 = fsum(p0[in_k] * t1[in_k])
    if in_k.any():
        p_l, q_l = p1q0 / big_v0, p0q1 / big_v0
        p_p, q_p = big_v1 / p0q1, big_v1 / p1q0
        p_f, q_f = math.sqrt(p_l * p_p), math.sqrt(q_l * q_p)
        value_index = big_v1 / big_v0
        price_fisher = big_v0 * (p_f - 1.0) * (1.0 + q_f) / 2.0
    else:
        p_l = q_l = p_p = q_p = p_f = q_f = value_index = math.nan
        price_fisher = 0.0

    def whole_change(kind: str) -> float:
        rows = products[status == kind]
        return fsum(rows.value1_usd) - fsum(rows.value0_usd)

    def share(part: float, whole: float) -> float:
        return part / whole if whole > 0 else math.nan

    row = {
        "total_prev_usd": total_prev,
        "total_usd": total,
        "change_usd": total - total_prev,
        "continuing_value0_usd": big_v0,
        "continuing_value1_usd": big_v1,
        "continuing_change_usd": big_v1 - big_v0,
        "price_effect_usd": fsum(products.price_effect_usd[status == "continuing"]),
        "volume_effect_usd": fsum(products.volume_effect_usd[status == "continuing"]),
        "new_usd": fsum(products.value1_usd[status == "new"]),
        "lost_usd": fsum(products.value0_usd[status == "lost"]),
        "no_weight_change_usd": whole_change("no_weight"),
        "trimmed_change_usd": whole_change("trimmed"),
        "price_effect_fisher_usd": price_fisher,
        "volume_effect_fisher_usd": (big_v1 - big_v0) - price_fisher,
        "value_index": value_index,
        "price_index_laspeyres": p_l,
        "volume_index_laspeyres": q_l,
        "price_index_paasche": p_p,
        "volume_index_paasche": q_p,
        "price_index_fisher": p_f,
        "volume_index_fisher": q_f,
        "coverage0": share(big_v0, total_prev),
        "coverage1": share(big_v1, total),
        **{f"n_{kind}": int((status == kind).sum()) for kind in STATUSES},
    }
    return pd.DataFrame([row])


def _check_trim(trim: float | None) -> float | None:
    if trim is None:
        return None
    if isinstance(trim, bool) or not isinstance(trim, int | float) or not trim > 0:
        raise AnalysisError(
            "trim must be a positive number of median absolute deviations",
            field="trim",
            found=trim,
            expected="e.g. 3, or None for no trimming",
        )
    return float(trim)
