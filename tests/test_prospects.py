"""Potential and gravity read from the store: the invariants of METHODS 4 and 5 and the
hand-worked world's figures (conftest.py, thousands of USD there, USD here)."""

from __future__ import annotations

import numpy as np
import pytest

import silkroad as sr
from silkroad.analytics import gravity as grav
from silkroad.analytics.prospects import best_markets, gravity_fit, potential_table
from silkroad.errors import AnalysisError

K = 1000.0


def test_potential_adds_up_to_actual_and_actual_is_the_average(world_store) -> None:
    r = potential_table(sr.world(world_store), "BLR", "KAZ", year=2015, n_years=2, level="hs4")
    # Without projections, potential is scaled so that it sums to actual trade (METHODS 4.3).
    assert r["potential_usd"] == pytest.approx(r["actual_usd"])
    rows = r["products"].set_index("code")
    # BLR -> KAZ: 8701 300.5 (2014) and 450 (2015); 0402 99.5 and 50.25: averages of the window
    assert rows.loc["8701", "actual"] == pytest.approx((300.5 + 450) / 2 * K)
    assert rows.loc["0402", "actual"] == pytest.approx((99.5 + 50.25) / 2 * K)
    assert (rows.untapped >= 0).all()
    assert rows.untapped.to_numpy() == pytest.approx(
        np.maximum(rows.potential - rows.actual, 0).to_numpy()
    )
    assert r["metadata"]["years"] == [2014, 2015] and r["metadata"]["a"] == "BLR"


def test_potential_is_zero_where_a_never_sold_to_b(world_store) -> None:
    # USA never exported to KAZ: ease 0, so no potential at all (a documented limitation).
    r = potential_table(sr.world(world_store), "USA", "KAZ", year=2015, n_years=2)
    assert r["potential_usd"] == 0.0 and r["actual_usd"] == 0.0


def test_best_markets_exclude_the_exporter_and_rank_by_untapped(world_store) -> None:
    r = best_markets(sr.world(world_store), "BLR", "870120", year=2015, n_years=2)
    markets = r["markets"]
    assert "BLR" not in set(markets.market)
    assert markets.untapped.is_monotonic_decreasing
    assert markets["rank"].tolist() == list(range(1, len(markets) + 1))
    with pytest.raises(AnalysisError, match="one exporting economy"):
        potential_table(sr.world(world_store), "EAEU", "USA", year=2015)


def test_gravity_from_the_store_adds_up_per_exporter_year(baci_files, home) -> None:
    from test_advantage import _random_release

    store = sr.open(home)
    sr.ingest(store, "baci", _random_release(baci_files, n_e=16))
    r = gravity_fit(sr.world(store), [2015], pair=("AFG", "ALB"))
    assert r["coefficients"].term.tolist() == ["ln_dist_km", "contig", "comlang"]
    # The square panel of 16 economies: 16 x 15 ordered pairs, zeros kept.
    assert r["nobs"] == 16 * 15
    assert "exporter-year and importer-year fixed effects" in r["specification"]
    # With exporter-year fixed effects, PPML's predictions add up to actual trade per exporter.
    fitted = grav.gravity(sr.world(store).bilateral_totals([2015]), years=[2015]).fitted
    sums = fitted.groupby(["exporter", "year"])[["trade", "predicted"]].sum()
    assert sums.predicted.to_numpy() == pytest.approx(sums.trade.to_numpy(), rel=1e-6)
    pair = r["pair"]
    flows = sr.world(store).bilateral_totals([2015])
    actual = flows[(flows.exporter == "AFG") & (flows.importer == "ALB")].value_usd.sum()
    assert pair.actual.tolist() == pytest.approx([actual])
