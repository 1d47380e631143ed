"""Unit values and the price/volume decomposition on the hand-worked store of test_movers.py.

Prices p are unit values in USD per ton and quantities q are in tons, both taken from the BACI
lines (v in thousands of USD): product A 10 (5 t) -> 15 (6 t) has p0 = 10 000/5 = 2 000 and
p1 = 15 000/6 = 2 500 USD/t.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import silkroad as sr
from silkroad.analytics.pair import Pair
from silkroad.analytics.prices import PRODUCT_COLUMNS, SUMMARY_COLUMNS, prices
from silkroad.errors import AnalysisError
from test_movers import HAND_2013, HAND_2014, hand_store, products_by_year

K = 1000.0  # USD per thousand USD

# Continuing products with weights (the set K) of BLR -> KAZ exports, (v0, q0, v1, q1) in USD, t.
A = (10 * K, 5.0, 15 * K, 6.0)  # 870120
B = (20 * K, 10.0, 12 * K, 4.0)  # 040210
G = (6 * K, 3.0, 6 * K, 2.0)  # 999999
NEW = 7.5 * K  # 270900
LOST = 4 * K  # 720711
NO_WEIGHT = (5 - 3) * K + (2.5 - 1) * K  # 847130 (q NA in 2014), 300490 (q = 0 in 2013)
TOTAL_PREV = (10 + 20 + 4 + 3 + 1 + 6) * K
TOTAL = (15 + 12 + 7.5 + 5 + 2.5 + 6) * K


def midpoint(v0, q0, v1, q1):
    p0, p1 = v0 / q0, v1 / q1
    return (p1 - p0) * (q0 + q1) / 2, (q1 - q0) * (p0 + p1) / 2


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> sr.Store:
    return hand_store(tmp_path_factory.mktemp("hand"), {2013: HAND_2013, 2014: HAND_2014})


@pytest.fixture(scope="module")
def exports(hand: sr.Store) -> dict:
    return prices(Pair(hand, "BLR", "KAZ"), 2014)


def test_products_unit_values_and_effects(exports):
    df = exports["products"]
    assert list(df.columns) == PRODUCT_COLUMNS
    by = df.set_index("product")
    assert by.status.to_dict() == {
        "870120": "continuing",
        "040210": "continuing",
        "999999": "continuing",
        "270900": "new",
        "720711": "lost",
        "847130": "no_weight",
        "300490": "no_weight",
    }
    a = by.loc["870120"]
    assert (a.value0_usd, a.value1_usd, a.change_usd) == (10_000, 15_000, 5_000)
    assert (a.weight0_kg, a.weight1_kg) == (5_000, 6_000)
    assert a.unit_value0_usd_per_t == 2_000
    assert a.unit_value1_usd_per_t == pytest.approx(2_500)
    assert a.unit_value_growth == pytest.approx(0.25)
    assert a.price_effect_usd == pytest.approx((2_500 - 2_000) * (5 + 6) / 2)  # 2 750
    assert a.volume_effect_usd == pytest.approx((6 - 5) * (2_000 + 2_500) / 2)  # 2 250
    b = by.loc["040210"]
    assert (b.unit_value0_usd_per_t, b.unit_value1_usd_per_t) == (2_000, 3_000)
    assert b.price_effect_usd == pytest.approx(1_000 * 14 / 2)  # 7 000
    assert b.volume_effect_usd == pytest.approx(-6 * 5_000 / 2)  # -15 000
    g = by.loc["999999"]
    assert (g.price_effect_usd, g.volume_effect_usd) == (
        pytest.approx(2_500),
        pytest.approx(-2_500),
    )
    assert g.label_en == "" and g.chapter == "99"
    for code in ("870120", "040210", "999999"):
        row = by.loc[code]
        assert row.price_effect_usd + row.volume_effect_usd == pytest.approx(
            row.change_usd, abs=1e-9
        )
    # No decomposition outside K, and no unit value without a positive weight.
    outside = by[by.status != "continuing"]
    assert outside.price_effect_usd.isna().all() and outside.volume_effect_usd.isna().all()
    e, f = by.loc["847130"], by.loc["300490"]
    assert e.unit_value0_usd_per_t == 3_000 and math.isnan(e.unit_value1_usd_per_t)
    assert math.isnan(e.weight1_kg)
    assert f.weight0_kg == 0 and math.isnan(f.unit_value0_usd_per_t)
    assert f.unit_value1_usd_per_t == 2_500
    new, lost = by.loc["270900"], by.loc["720711"]
    assert new.value0_usd == 0 and new.unit_value1_usd_per_t == 2_500
    assert math.isnan(new.unit_value0_usd_per_t) and math.isnan(new.weight0_kg)
    assert lost.value1_usd == 0 and lost.unit_value0_usd_per_t == 2_000
    # Largest absolute change first.
    assert list(df["product"][:3]) == ["040210", "270900", "870120"]


def test_summary_indices_and_effects(exports):
    s = exports["summary"]
    assert list(s.columns) == SUMMARY_COLUMNS and len(s) == 1
    row = s.iloc[0]
    v0 = A[0] + B[0] + G[0]  # 36 000
    v1 = A[2] + B[2] + G[2]  # 33 000
    p1q0 = sum(v1_ / q1 * q0 for _, q0, v1_, q1 in (A, B, G))  # 2500*5 + 3000*10 + 3000*3
    p0q1 = sum(v0_ / q0 * q1 for v0_, q0, _, q1 in (A, B, G))  # 2000*(6 + 4 + 2)
    assert (p1q0, p0q1) == (51_500, 24_000)
    assert (row.continuing_value0_usd, row.continuing_value1_usd) == (v0, v1)
    assert row.continuing_change_usd == -3_000
    assert row.price_index_laspeyres == pytest.approx(51_500 / 36_000)
    assert row.volume_index_laspeyres == pytest.approx(24_000 / 36_000)
    assert row.price_index_paasche == pytest.approx(33_000 / 24_000)
    assert row.volume_index_paasche == pytest.approx(33_000 / 51_500)
    p_f = math.sqrt(51_500 / 36_000 * 33_000 / 24_000)
    q_f = math.sqrt(24_000 / 36_000 * 33_000 / 51_500)
    assert row.price_index_fisher == pytest.approx(p_f)
    assert row.volume_index_fisher == pytest.approx(q_f)
    assert row.value_index == pytest.approx(33 / 36)
    price = sum(midpoint(*x)[0] for x in (A, B, G))
    volume = sum(midpoint(*x)[1] for x in (A, B, G))
    assert (price, volume) == (pytest.approx(12_250), pytest.approx(-15_250))
    assert row.price_effect_usd == pytest.approx(price)
    assert row.volume_effect_usd == pytest.approx(volume)
    assert row.price_effect_fisher_usd == pytest.approx(v0 * (p_f - 1) * (1 + q_f) / 2)
    assert row.volume_effect_fisher_usd == pytest.approx(v0 * (q_f - 1) * (1 + p_f) / 2)
    assert (row.total_prev_usd, row.total_usd, row.change_usd) == (TOTAL_PREV, TOTAL, 4_000)
    assert (row.new_usd, row.lost_usd) == (NEW, LOST)
    assert row.no_weight_change_usd == NO_WEIGHT == 3_500
    assert row.trimmed_change_usd == 0
    assert row.coverage0 == pytest.approx(36 / 44) and row.coverage1 == pytest.approx(33 / 48)
    counts = (row.n_continuing, row.n_new, row.n_lost, row.n_no_weight, row.n_trimmed)
    assert counts == (3, 1, 1, 2, 0)
    assert (row.year, row.base_year, row.direction) == (2014, 2013, "exports")


def check_identities(summary: pd.DataFrame, products: pd.DataFrame) -> None:
    """METHODS 9.7 and the additive identity of the whole change (1e-6 USD, 1e-12 relative)."""
    row = summary.iloc[0]
    ratio = row.continuing_value1_usd / row.continuing_value0_usd
    for left, right in [
        (row.price_index_laspeyres, row.volume_index_paasche),
        (row.price_index_paasche, row.volume_index_laspeyres),
        (row.price_index_fisher, row.volume_index_fisher),
    ]:
        assert left * right == pytest.approx(ratio, rel=1e-12, abs=0)
    assert row.value_index == pytest.approx(ratio, rel=1e-12, abs=0)
    whole = (
        row.price_effect_usd
        + row.volume_effect_usd
        + row.new_usd
        - row.lost_usd
        + row.no_weight_change_usd
        + row.trimmed_change_usd
    )
    assert abs(whole - row.change_usd) <= 1e-6
    assert abs(row.price_effect_usd + row.volume_effect_usd - row.continuing_change_usd) <= 1e-6
    fisher = row.price_effect_fisher_usd + row.volume_effect_fisher_usd
    assert abs(fisher - row.continuing_change_usd) <= 1e-6
    assert row.total_usd - row.total_prev_usd == row.change_usd
    # The products table adds up to the summary.
    k = products[products.status == "continuing"]
    assert math.fsum(k.price_effect_usd) == row.price_effect_usd
    assert math.fsum(k.volume_effect_usd) == row.volume_effect_usd
    assert math.fsum(products.change_usd) == pytest.approx(row.change_usd, abs=1e-6)
    # Each volume effect (computed as change - price) equals the midpoint formula.
    p0, p1 = k.unit_value0_usd_per_t, k.unit_value1_usd_per_t
    q0, q1 = k.weight0_kg / 1000, k.weight1_kg / 1000
    formula = (q1 - q0) * (p0 + p1) / 2
    np.testing.assert_allclose(k.volume_effect_usd, formula, rtol=1e-9, atol=1e-6)


def test_identities_hand_worked(exports):
    check_identities(exports["summary"], exports["products"])
    row = exports["summary"].iloc[0]
    assert 12_250 + -15_250 + NEW - LOST + NO_WEIGHT == TOTAL - TOTAL_PREV
    assert row.price_effect_usd + row.volume_effect_usd == pytest.approx(-3_000, abs=1e-9)


def test_imports_pure_price_change(hand):
    out = prices(Pair(hand, "BLR", "KAZ"), 2014, direction="imports")
    row = out["summary"].iloc[0]
    # 100199: 50 (100 t) -> 60 (100 t): p 500 -> 600 USD/t, q unchanged; 260300 new (8 000).
    assert row.price_effect_usd == pytest.approx(100 * 100)
    assert row.volume_effect_usd == pytest.approx(0, abs=1e-9)
    assert row.price_index_laspeyres == pytest.approx(1.2)
    assert row.price_index_paasche == pytest.approx(1.2)
    assert row.volume_index_fisher == pytest.approx(1.0)
    assert row.new_usd == 8 * K and row.lost_usd == 0
    check_identities(out["summary"], out["products"])


def test_no_continuing_product_leaves_indices_undefined(hand):
    out = prices(Pair(hand, "BLR", "RUS"), 2014)  # BLR -> RUS exists only in 2014
    row = out["summary"].iloc[0]
    assert row.new_usd == row.change_usd == 100 * K
    assert row.price_effect_usd == 0 and row.volume_effect_usd == 0
    assert row.price_effect_fisher_usd == 0 and row.volume_effect_fisher_usd == 0
    assert math.isnan(row.price_index_fisher) and math.isnan(row.value_index)
    assert math.isnan(row.coverage0) and row.coverage1 == 0
    assert list(out["products"].status) == ["new"]


def test_metadata_and_pair_method(hand, exports):
    meta = exports["metadata"]
    assert meta["analysis"] == "prices" and meta["unit_value_unit"] == "USD per metric ton"
    assert (meta["year"], meta["base_year"], meta["direction"]) == (2014, 2013, "exports")
    assert meta["trim"] is None and "Bennet" in meta["methods"]["split"]
    assert meta["source"] == "baci-hs92" and meta["years"] == [2013, 2014]
    via_pair = Pair(hand, "BLR", "KAZ").prices(2014)
    pd.testing.assert_frame_equal(via_pair["summary"], exports["summary"])
    pd.testing.assert_frame_equal(via_pair["products"], exports["products"])


def test_statuses_agree_with_movers(hand, exports):
    from silkroad.analytics.movers import movers

    m = movers(Pair(hand, "BLR", "KAZ"), 2014)
    by = exports["products"].set_index("product").status
    assert set(by[by == "new"].index) == set(m["new"]["product"])
    assert set(by[by == "lost"].index) == set(m["lost"]["product"])
    s, margins = exports["summary"].iloc[0], m["margins"].iloc[0]
    assert s.new_usd == margins.extensive_new_usd and s.lost_usd == margins.extensive_lost_usd
    assert s.n_continuing + s.n_no_weight == margins.n_continuing


def test_year_before_must_be_in_the_store(hand):
    with pytest.raises(AnalysisError, match="2012"):
        prices(Pair(hand, "BLR", "KAZ"), 2013)


@pytest.mark.parametrize("trim", [0, -1, math.nan, "3", True])
def test_bad_trim(hand, trim):
    with pytest.raises(AnalysisError) as err:
        prices(Pair(hand, "BLR", "KAZ"), 2014, trim=trim)
    assert err.value.field == "trim"


def test_trim_with_zero_mad_trims_nothing(hand, exports):
    # Log relatives over K: ln 1.25, ln 1.5, ln 1.5: the median absolute deviation is 0.
    out = prices(Pair(hand, "BLR", "KAZ"), 2014, trim=3)
    assert out["metadata"]["trim_mad"] == 0
    pd.testing.assert_frame_equal(out["summary"], exports["summary"])


# Five continuing products, 1 t each year, unit values 1 000 -> 1 000, 1 100, 1 200, 1 300 and
# 10 000 USD/t. ln relatives 0, .0953, .1823, .2624, 2.3026: median .1823, MAD .0870, so with
# trim=3 only the last (|2.3026 - .1823| > .261) leaves K.
TRIM_2013 = [f"2013,112,398,{code},1,1" for code in (10121, 10129, 10130, 10190, 10210)]
TRIM_2014 = [
    f"2014,112,398,{code},{v},1"
    for code, v in zip((10121, 10129, 10130, 10190, 10210), (1, 1.1, 1.2, 1.3, 10), strict=True)
]


def test_trim_takes_outliers_out_of_k_but_keeps_their_value(tmp_path):
    store = hand_store(tmp_path, {2013: TRIM_2013, 2014: TRIM_2014})
    pair = Pair(store, "BLR", "KAZ")
    logs = np.log([1, 1.1, 1.2, 1.3, 10])
    mad = np.median(np.abs(logs - np.median(logs)))
    assert np.sum(np.abs(logs - np.median(logs)) > 3 * mad) == 1
    out = prices(pair, 2014, trim=3)
    by = out["products"].set_index("product")
    assert by.loc["010210", "status"] == "trimmed"
    assert math.isnan(by.loc["010210", "price_effect_usd"])
    assert by.loc["010210", "unit_value1_usd_per_t"] == 10_000  # still reported
    row = out["summary"].iloc[0]
    assert row.trimmed_change_usd == 9 * K and row.n_trimmed == 1 and row.n_continuing == 4
    assert out["metadata"]["trim_mad"] == pytest.approx(mad)
    # Pure price changes: volume effect 0, price effect 100 + 200 + 300 USD.
    assert row.price_effect_usd == pytest.approx(600)
    assert row.volume_effect_usd == pytest.approx(0, abs=1e-9)
    assert row.price_index_fisher == pytest.approx(4_600 / 4_000)
    check_identities(out["summary"], out["products"])
    untrimmed = prices(pair, 2014)["summary"].iloc[0]
    assert untrimmed.n_trimmed == 0 and untrimmed.price_effect_usd == pytest.approx(9_600)
    assert untrimmed.change_usd == row.change_usd == 9_600


# --- the synthetic demo world --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> sr.Store:
    from silkroad.sources import synthetic

    root = tmp_path_factory.mktemp("demo")
    release = synthetic.generate(root / "in", size="small", years=range(2013, 2015))
    store = sr.open(root / "home")
    sr.ingest(store, "baci", release)
    return store


@pytest.mark.parametrize(
    ("direction", "exporter", "importer"),
    [("exports", "BLR", "KAZ"), ("imports", "KAZ", "BLR")],
)
def test_synthetic_world_identities_and_sets(demo, direction, exporter, importer):
    out = prices(Pair(demo, "BLR", "KAZ"), 2014, direction=direction)
    check_identities(out["summary"], out["products"])
    by_year = products_by_year(demo, exporter, importer)
    before, after = by_year.get(2013, set()), by_year.get(2014, set())
    status = out["products"].set_index("product").status
    assert set(status[status == "new"].index) == after - before
    assert set(status[status == "lost"].index) == before - after
    both = status[status.isin(["continuing", "no_weight"])]
    assert set(both.index) == before & after
    # no_weight exactly where a weight is missing or zero in either year.
    flows = Pair(demo, "BLR", "KAZ").product_flows([2013, 2014])
    flows = flows[flows.direction == direction]
    bad = flows[~(flows.weight_kg > 0)]
    assert set(status[status == "no_weight"].index) == set(bad["product"]) & (before & after)
    assert out["summary"].iloc[0].n_continuing > 10
