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


def _three_years(baci_files, seed: int = 11):
    """Three years of random trade among 18 economies (BLR, CHN and four EU members among them)
    in 30 products, some products only imported, some pairs never trading."""
    rng = np.random.default_rng(seed)
    codes = [4, 8, 12, 24, 32, 36, 40, 50, 56, 76, 112, 124, 156, 170, 204, 250, 276, 356]
    years = {}
    for year in (2013, 2014, 2015):
        lines = []
        for e in codes:
            for p in codes:
                if e == p or rng.random() < 0.3:
                    continue
                for k in range(30):
                    if rng.random() < 0.25:
                        value = float(rng.integers(1, 9000))
                        lines.append(f"{year},{e},{p},{10100 + k * 10},{value},1")
        years[year] = lines
    return baci_files.release_dir(years, countries=None)


@pytest.mark.parametrize(("a", "b"), [("BLR", "CHN"), ("CHN", "EU27"), ("DEU", "EU27")])
def test_pair_potential_reads_only_its_rows_and_equals_the_whole_world_computation(
    baci_files, home, a, b
) -> None:
    from silkroad.analytics import potential as pot
    from silkroad.analytics.parties import resolve_party

    store = sr.open(home)
    sr.ingest(store, "baci", _three_years(baci_files))
    ours = potential_table(sr.world(store), a, b, level="hs6", top=None)
    # The reference: every market's potential from the whole panels (the pure function), then
    # the market's rows, as METHODS 4.3 defines them; no slice of the store in between.
    world = sr.world(store)
    years = [2013, 2014, 2015]
    panels = world.panels(years, level="hs6")
    econ = sorted({e for p in panels.values() for e in p.economies})
    prods = sorted({k for p in panels.values() for k in p.products})

    def spread(p, m):
        out = np.zeros((len(econ), len(prods)))
        out[np.ix_([econ.index(e) for e in p.economies], [prods.index(k) for k in p.products])] = m
        return out

    flows = world.long(years, level="hs6", exporters=[a])
    bilateral = {}
    for y in years:
        m = np.zeros((len(econ), len(prods)))
        for r in flows[flows.year == y].itertuples():
            m[econ.index(r.importer), prods.index(r.code)] += r.value_usd
        bilateral[y] = m
    full = pot.export_potential(
        a,
        economies=econ,
        products=prods,
        exports={y: spread(p, p.exports) for y, p in panels.items()},
        imports={y: spread(p, p.imports) for y, p in panels.items()},
        bilateral=bilateral,
    )
    party = resolve_party(b)
    members = sorted(party.members(2015)) if party.is_bloc else [party.code]
    ref = full.market(members).set_index("product")
    got = ours["products"].set_index("code").reindex(ref.index)
    for col in ("demand", "potential", "actual", "untapped"):
        assert got[col].to_numpy() == pytest.approx(ref[col].to_numpy(), rel=1e-12, abs=1e-6)
    assert ours["potential_usd"] == pytest.approx(ref.potential.sum(), rel=1e-12)
    assert ours["actual_usd"] == pytest.approx(ref.actual.sum(), rel=1e-12)
    assert ours["actual_usd"] > 0  # the pair trades: the comparison is not of zeros


def test_world_slices_are_the_rows_and_column_sums_of_the_panels(world_store) -> None:
    cold = sr.world(world_store)
    from silkroad.analytics import world as w

    w._SHARED.clear()  # no panel held: the slice is read from the product totals
    sl = cold.slices([2014, 2015], exporters=["BLR", "XXX"], importers=["KAZ", "USA"])
    panels = sr.world(world_store).panels([2014, 2015])
    for y in (2014, 2015):
        p, s = panels[y], sl[y]
        assert s.economies == p.economies and s.products == p.products
        assert s.world_exports == pytest.approx(p.exports.sum(axis=0))
        assert s.world_imports == pytest.approx(p.imports.sum(axis=0))
        assert set(s.exports) == {"BLR"}  # XXX is no economy of the data: no row
        assert s.exports["BLR"] == pytest.approx(p.exports[p.index["BLR"]])
        assert s.imports["USA"] == pytest.approx(p.imports[p.index["USA"]])
    # BLR exports 870120 to KAZ 300.5 and to RUS 1000 in 2014 (conftest, thousands of USD)
    assert dict(zip(sl[2014].products, sl[2014].exports["BLR"], strict=True))[
        "870120"
    ] == pytest.approx(1300.5 * K)
