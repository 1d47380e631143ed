"""WITS-style indicators against small worlds worked out by hand (in the comments), plus the
invariants METHODS §9 lists: Σ world-weighted RCA = 1, TII likewise, TCI and ESI in [0, 100],
GL in [0, 1], normalised HHI in [0, 1], supplier shares summing to 1."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from silkroad.analytics.indicators import (
    balassa_rca,
    complementarity,
    complementarity_matrix,
    concentration,
    export_similarity,
    export_similarity_matrix,
    grubel_lloyd,
    market_shares,
    rca,
    trade_intensity,
    trade_intensity_matrix,
)
from silkroad.errors import AnalysisError

# USD amounts: zero or from a cent to a billion (no subnormal floats: no trade flow is 1e-308 USD).
usd = st.one_of(st.just(0.0), st.floats(0.01, 1e9, allow_nan=False, allow_infinity=False))


def vectors(n: int):
    return arrays(np.float64, n, elements=usd).filter(lambda v: v.sum() > 0)


# --- RCA ----------------------------------------------------------------------------------


def test_rca_hand_worked():
    # A exports 10 of product 01, B 5 of each. World: 01 = 15, 02 = 5, total 20.
    # RCA_A01 = (10/10)/(15/20) = 4/3; RCA_A02 = 0; RCA_B01 = (5/10)/(15/20) = 2/3;
    # RCA_B02 = (5/10)/(5/20) = 2.
    r = rca([[10.0, 0.0], [5.0, 5.0]], economies=["A", "B"], products=["01", "02"])
    np.testing.assert_allclose(r.rca, [[4 / 3, 0], [2 / 3, 2]], rtol=1e-15)
    # Symmetric RCA: (RCA − 1)/(RCA + 1): 4/3 -> 1/7, 0 -> −1, 2/3 -> −1/5, 2 -> 1/3.
    np.testing.assert_allclose(r.symmetric, [[1 / 7, -1], [-1 / 5, 1 / 3]], rtol=1e-15)
    frame = r.to_frame()
    assert list(frame.columns) == ["economy", "product", "value_usd", "rca", "rsca"]
    assert frame.set_index(["economy", "product"]).loc[("B", "02"), "rca"] == pytest.approx(2)
    assert list(r.top("B", 1)["product"]) == ["02"]
    assert r.notices == []


def test_rca_zero_totals_are_nan_with_notices():
    # C exports nothing; nobody exports 03. Those cells are undefined, not 0 or inf.
    x = [[10.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 0.0, 0.0]]
    r = rca(x, economies=["A", "B", "C"], products=["01", "02", "03"])
    assert np.isnan(r.rca[2]).all() and np.isnan(r.rca[:, 2]).all()
    np.testing.assert_allclose(r.rca[:2, :2], [[4 / 3, 0], [2 / 3, 2]], rtol=1e-15)
    assert any("C" in n and "no exports" in n for n in r.notices)
    assert any("03" in n and "no world exports" in n for n in r.notices)


def test_rca_of_a_bloc_against_a_given_world():
    # Bloc = A + B = [15, 5] against the world [15, 5] + C's [0, 20] = [15, 25], total 40:
    # RCA_01 = (15/20)/(15/40) = 2, RCA_02 = (5/20)/(25/40) = 0.4.
    out = balassa_rca([[15.0, 5.0]], world_usd=[15.0, 25.0])
    np.testing.assert_allclose(out, [[2.0, 0.4]], rtol=1e-15)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (5, 7), elements=usd))
def test_rca_world_weighted_means_are_one(x):
    row, col = x.sum(axis=1), x.sum(axis=0)
    r = balassa_rca(x)
    ok_r, ok_c = row > 0, col > 0
    if not ok_r.any():
        assert np.isnan(r).all()
        return
    sub = r[np.ix_(ok_r, ok_c)]
    assert np.isfinite(sub).all() and (sub >= 0).all()
    # METHODS §2.1: Σ_k (x_wk/X_w)·RCA_ik = 1 and Σ_i (X_i/X_w)·RCA_ik = 1.
    np.testing.assert_allclose(sub @ (col[ok_c] / col.sum()), 1.0, rtol=1e-9)
    np.testing.assert_allclose((row[ok_r] / row.sum()) @ sub, 1.0, rtol=1e-9)
    assert np.isnan(r[~ok_r]).all() and np.isnan(r[:, ~ok_c]).all()


# --- TII ----------------------------------------------------------------------------------

#            to A   to B   to C    exports
# A           0     20     80       100
# B          30      0     10        40
# C          50     50      0       100
# world to   80     70     90       240
FLOWS = np.array([[0.0, 20, 80], [30, 0, 10], [50, 50, 0]])


def test_trade_intensity_hand_worked():
    # TII_AB = (20/100)/(70/240) = 24/35; TII_AC = (80/100)/(90/240) = 32/15;
    # TII_BA = (30/40)/(80/240) = 9/4.
    assert trade_intensity(20, 100, 70, 240) == pytest.approx(24 / 35, rel=1e-15)
    t = trade_intensity_matrix(FLOWS)
    assert t[0, 1] == pytest.approx(24 / 35, rel=1e-15)
    assert t[0, 2] == pytest.approx(32 / 15, rel=1e-15)
    assert t[1, 0] == pytest.approx(9 / 4, rel=1e-15)
    assert t[0, 0] == 0
    # METHODS §9.4: Σ_j (x_wj/X_w)·TII_ij = 1 for every exporter.
    np.testing.assert_allclose(t @ (FLOWS.sum(axis=0) / FLOWS.sum()), 1.0, rtol=1e-14)


def test_trade_intensity_undefined_raises():
    with pytest.raises(AnalysisError, match="total exports are 0"):
        trade_intensity(0, 0, 70, 240)
    with pytest.raises(AnalysisError, match="world exports to the partner are 0"):
        trade_intensity(0, 10, 0, 240)


# --- TCI and ESI --------------------------------------------------------------------------


def test_complementarity_hand_worked():
    # i exports shares (.5, .3, .2); j imports shares (.1, .1, .8).
    # Σ|m − x| = .4 + .2 + .6 = 1.2, so TC = 100·(1 − .6) = 40.
    assert complementarity([50.0, 30, 20], [10.0, 10, 80]) == pytest.approx(40.0, abs=1e-12)
    # Disjoint baskets (exports only of product 1, imports only of 2 and 3): Σ = 1 + .5 + .5 = 2
    # -> 0. Proportional baskets: Σ = 0 -> 100.
    assert complementarity([7.0, 0, 0], [0.0, 5, 5]) == 0.0
    assert complementarity([1.0, 2, 3], [2.0, 4, 6]) == pytest.approx(100.0)


def test_complementarity_matrix_agrees_with_the_pair_formula():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, (4, 6))
    m = rng.uniform(0, 10, (3, 6))
    out = complementarity_matrix(x, m)
    for i in range(4):
        for j in range(3):
            assert out[i, j] == pytest.approx(complementarity(x[i], m[j]), abs=1e-12)
    zero = complementarity_matrix(np.vstack([x, np.zeros(6)]), m)
    assert np.isnan(zero[4]).all()


def test_export_similarity_hand_worked():
    # a shares (.5, .3, .2), b shares (.2, .2, .6): Σ min = .2 + .2 + .2 = .6 -> 60.
    # Identity: 100·(1 − ½Σ|a − b|) = 100·(1 − ½·.8) = 60.
    assert export_similarity([50.0, 30, 20], [20.0, 20, 60]) == pytest.approx(60.0, abs=1e-12)
    assert export_similarity([20.0, 20, 60], [50.0, 30, 20]) == pytest.approx(60.0, abs=1e-12)
    s = export_similarity_matrix([[50.0, 30, 20], [20.0, 20, 60]])
    np.testing.assert_allclose(s, [[100, 60], [60, 100]], atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(vectors(6), vectors(6))
def test_tci_and_esi_bounds_and_identities(a, b):
    tci = complementarity(a, b)
    assert -1e-9 <= tci <= 100 + 1e-9
    esi = export_similarity(a, b)
    assert -1e-9 <= esi <= 100 + 1e-9
    assert esi == pytest.approx(export_similarity(b, a), abs=1e-9)
    # ESI = 100·(1 − ½ Σ|s_a − s_b|), which is also the TCI formula on the same shares.
    sa, sb = a / a.sum(), b / b.sum()
    assert esi == pytest.approx(100 * (1 - 0.5 * np.abs(sa - sb).sum()), abs=1e-9)
    assert tci == pytest.approx(esi, abs=1e-9)


def test_tci_and_esi_zero_totals_raise():
    with pytest.raises(AnalysisError, match="exports total is 0"):
        complementarity([0.0, 0.0], [1.0, 2.0])
    with pytest.raises(AnalysisError, match="imports total is 0"):
        complementarity([1.0, 0.0], [0.0, 0.0])
    with pytest.raises(AnalysisError, match="wrong length"):
        export_similarity([1.0, 2.0], [1.0])


# --- Grubel–Lloyd -------------------------------------------------------------------------


def test_grubel_lloyd_hand_worked():
    # X = (30, 10, 0, 5), M = (10, 0, 0, 5).
    # GL_k = 1 − |X − M|/(X + M): 1 − 20/40 = .5; 1 − 10/10 = 0; undefined; 1 − 0/10 = 1.
    # Aggregate: (Σ(X + M) − Σ|X − M|)/Σ(X + M) = (60 − 30)/60 = .5
    #   (= weights (40, 10, 10)/60 · (.5, 0, 1)).
    # Adjusted: denominator 60 − |45 − 15| = 30 -> 30/30 = 1 (every imbalance has X ≥ M).
    # Unweighted: mean(.5, 0, 1) = .5.
    g = grubel_lloyd([30.0, 10, 0, 5], [10.0, 0, 0, 5], products=["01", "02", "03", "04"])
    np.testing.assert_allclose(g.gl, [0.5, 0.0, np.nan, 1.0])
    assert g.aggregate == pytest.approx(0.5)
    assert g.adjusted == pytest.approx(1.0)
    assert g.unweighted == pytest.approx(0.5)
    assert any("1 products traded neither way" in n for n in g.notices)
    assert list(g.to_frame().columns) == ["product", "exports_usd", "imports_usd", "gl"]


def test_grubel_lloyd_adjusted_below_one_and_one_way_trade():
    # X = (30, 0), M = (10, 20): GL = (.5, 0); aggregate (60 − 40)/60 = 1/3; balanced overall
    # (30 = 30), so the adjusted form equals it.
    g = grubel_lloyd([30.0, 0], [10.0, 20])
    assert g.aggregate == pytest.approx(1 / 3) and g.adjusted == pytest.approx(1 / 3)
    # Exports only: GL 0 everywhere, adjusted undefined (denominator 0).
    one_way = grubel_lloyd([5.0, 3.0], [0.0, 0.0])
    assert one_way.aggregate == 0.0 and math.isnan(one_way.adjusted)
    assert any("one way" in n for n in one_way.notices)
    with pytest.raises(AnalysisError, match="no trade"):
        grubel_lloyd([0.0], [0.0])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, 8, elements=usd), arrays(np.float64, 8, elements=usd))
def test_grubel_lloyd_in_unit_interval(x, m):
    if (x + m).sum() == 0:
        return
    g = grubel_lloyd(x, m)
    traded = (x + m) > 0
    assert ((g.gl[traded] >= 0) & (g.gl[traded] <= 1)).all()
    assert np.isnan(g.gl[~traded]).all()
    assert 0 <= g.aggregate <= 1 and 0 <= g.unweighted <= 1
    if not math.isnan(g.adjusted):
        assert g.aggregate - 1e-12 <= g.adjusted <= 1 + 1e-12  # the correction only raises it


# --- HHI and counts -----------------------------------------------------------------------


def test_concentration_hand_worked():
    # Shares (.5, .3, .2): H = .25 + .09 + .04 = .38; n = 3; H* = (.38 − 1/3)/(1 − 1/3) = .07.
    c = concentration([50.0, 30, 20, 0], labels=["01", "02", "03", "04"])
    assert c.hhi == pytest.approx(0.38) and c.normalized == pytest.approx(0.07) and c.count == 3
    assert list(c.to_frame().label) == ["01", "02", "03", "04"]
    # A threshold: items at or below 1 USD do not count (the 0.5 here).
    t = concentration([50.0, 30, 20, 0.5], min_value_usd=1.0)
    assert t.count == 3 and t.hhi == pytest.approx(0.38)
    # Markets: same formula over partners.
    mk = concentration([60.0, 40], labels=["KAZ", "RUS"], kind="markets")
    assert mk.hhi == pytest.approx(0.52) and mk.normalized == pytest.approx(0.04)
    assert mk.metadata["indicator"] == "hhi_markets"


def test_concentration_single_item_and_nothing():
    single = concentration([0.0, 9.0, 0.0])
    assert single.hhi == 1.0 and math.isnan(single.normalized) and single.count == 1
    assert any("undefined" in n for n in single.notices)
    with pytest.raises(AnalysisError, match="no products with exports"):
        concentration([0.0, 0.0])
    with pytest.raises(AnalysisError, match="unknown concentration kind"):
        concentration([1.0], kind="partners")


@settings(max_examples=60, deadline=None)
@given(vectors(7))
def test_normalized_hhi_in_unit_interval(v):
    c = concentration(v)
    assert 1 / c.count - 1e-12 <= c.hhi <= 1 + 1e-12
    if c.count > 1:
        assert -1e-12 <= c.normalized <= 1 + 1e-12


# --- market shares, ranks, competitors ------------------------------------------------------

# B's imports (USD) by supplier and product:
#          p1   p2   p3   total
# A        40    0   10     50
# C        40   30    0     70
# D        20   10    0     30
# E         0   60    0     60
# total   100  100   10    210
SUPPLY = np.array([[40.0, 0, 10], [40, 30, 0], [20, 10, 0], [0, 60, 0]])
SUPPLIERS = ["A", "C", "D", "E"]
PRODUCTS = ["p1", "p2", "p3"]


def test_market_shares_hand_worked():
    s = market_shares(SUPPLY, suppliers=SUPPLIERS, products=PRODUCTS, economy="A", market="B")
    # A's shares: 40/100, 0/100, 10/10. Ranks: p1 tied with C at 40 -> 1 (competition
    # ranking); absent from p2 -> undefined; p3 -> 1. Total: 50/210, behind C (70) and E (60): 3.
    np.testing.assert_allclose(s.share, [0.4, 0.0, 1.0])
    np.testing.assert_array_equal(s.rank, [1.0, np.nan, 1.0])
    assert s.total_share == pytest.approx(50 / 210) and s.total_rank == 3
    comp = s.competitors()
    assert list(comp.supplier) == ["C", "E", "D"]
    np.testing.assert_allclose(comp.share, [70 / 210, 60 / 210, 30 / 210])
    assert list(comp["rank"]) == [1, 2, 4]  # ranks among all suppliers (A is 3rd)
    p1 = s.competitors("p1")
    assert list(p1.supplier) == ["C", "D"] and list(p1["rank"]) == [1, 3]
    frame = s.to_frame().set_index("product")
    assert (
        frame.loc["p1", "top_competitor"] == "C" and frame.loc["p1", "top_competitor_share"] == 0.4
    )
    assert frame.loc["p2", "top_competitor"] == "E" and frame.loc["p2", "n_suppliers"] == 3
    assert frame.loc["p3", "top_competitor"] is None and math.isnan(
        frame.loc["p3", "top_competitor_share"]
    )
    # Every supplier's shares of each product sum to 1.
    np.testing.assert_allclose(s.shares().sum(axis=0), 1.0, rtol=1e-15)


def test_market_shares_from_a_long_frame():
    long = pd.DataFrame(
        [
            (sup, prod, SUPPLY[i, j])
            for i, sup in enumerate(SUPPLIERS)
            for j, prod in enumerate(PRODUCTS)
            if SUPPLY[i, j] > 0
        ],
        columns=["supplier", "product", "value_usd"],
    )
    long = pd.concat([long, pd.DataFrame([("A", "p1", 0.0)], columns=long.columns)])
    s = market_shares(long, economy="A")
    np.testing.assert_allclose(s.share, [0.4, 0.0, 1.0])
    assert s.total_rank == 3
    with pytest.raises(AnalysisError, match="lacks columns"):
        market_shares(long.rename(columns={"value_usd": "v"}), economy="A")


def test_market_shares_economy_absent_from_market():
    s = market_shares(SUPPLY, suppliers=SUPPLIERS, products=PRODUCTS, economy="Z")
    np.testing.assert_array_equal(s.share, [0, 0, 0])
    assert np.isnan(s.rank).all() and math.isnan(s.total_rank) and s.total_share == 0
    assert any("does not supply" in n for n in s.notices)
    with pytest.raises(AnalysisError, match="imports nothing"):
        market_shares(np.zeros((2, 2)), economy="A", suppliers=["A", "B"], products=["x", "y"])


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (5, 4), elements=usd).filter(lambda a: a.sum() > 0))
def test_supplier_shares_sum_to_one(x):
    s = market_shares(x, suppliers=list("ABCDE"), products=list("wxyz"), economy="A")
    col = x.sum(axis=0)
    np.testing.assert_allclose(s.shares()[:, col > 0].sum(axis=0), 1.0, rtol=1e-12)
    assert np.isnan(s.share[col == 0]).all()
    ranks = s.rank[~np.isnan(s.rank)]
    assert ((ranks >= 1) & (ranks <= 5)).all()


# --- input checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([[1.0, np.nan]], "missing or infinite value at \\(0, 1\\)"),
        ([[1.0, -2.0]], "negative value at \\(0, 1\\)"),
        ([1.0, 2.0], "2-D matrix"),
        ([["a", "b"]], "numeric matrix"),
    ],
)
def test_bad_matrices_raise_one_line_errors(values, match):
    with pytest.raises(AnalysisError, match=match) as info:
        balassa_rca(values)
    assert "\n" not in str(info.value)


def test_labels_must_match():
    with pytest.raises(AnalysisError, match="economy labels do not match"):
        rca([[1.0, 2.0]], economies=["A", "B"], products=["01", "02"])
    with pytest.raises(AnalysisError, match="product labels repeat; found '01'"):
        rca([[1.0, 2.0]], economies=["A"], products=["01", "01"])


def test_every_public_name_and_field_is_documented():
    import dataclasses
    import re
    from pathlib import Path

    from silkroad.analytics import indicators as module

    text = (Path(__file__).resolve().parents[1] / "docs" / "indicators.md").read_text("utf-8")
    names = list(module.__all__)
    for cls in (module.RCAResult, module.GrubelLloyd, module.Concentration, module.MarketShares):
        names += [f.name for f in dataclasses.fields(cls) if f.name not in ("metadata", "notices")]
    missing = [n for n in names if not re.search(rf"\b{n}\b", text)]
    assert missing == []


def test_docstring_examples_run():
    import doctest

    from silkroad.analytics import indicators as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
