"""ITC-style export potential (METHODS 4.3): a hand-worked example, the invariants (adding-up,
zero where never exported, own market and aggregates excluded), averaging, demand growth,
market access, aggregation, markets ranked for one product, and the input readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from silkroad.analytics.potential import (
    aggregate_potential,
    export_potential,
    product_groups,
    rank_markets,
    read_gdp_projections,
    read_tariffs,
)
from silkroad.errors import AnalysisError, FormatError, InputError
from silkroad.reference.baskets import baskets_from_dict

# Hand-worked world: economies A, B, C (and the aggregate WLD), products p, q; one year.
FLOWS = {  # (exporter, importer): (p, q)
    ("A", "B"): (10, 0),
    ("A", "C"): (0, 5),
    ("B", "A"): (5, 5),
    ("B", "C"): (20, 10),
    ("C", "A"): (0, 10),
    ("C", "B"): (10, 30),
}


def _arrays(cube, econ, exporter):
    """World exports, imports and the exporter's bilateral row from a cube i × j × k."""
    return cube.sum(axis=1), cube.sum(axis=0), cube[econ.index(exporter)]


def _hand_world():
    econ = ["A", "B", "C", "WLD"]
    cube = np.zeros((4, 4, 2))
    for (i, j), v in FLOWS.items():
        cube[econ.index(i), econ.index(j)] = v
    ex, im, bi = _arrays(cube, econ, "A")
    # the aggregate reports the world totals, as a "World" row in trade data does
    ex[3] = ex[:3].sum(axis=0)
    im[3] = im[:3].sum(axis=0)
    return econ, ex, im, bi


def test_hand_worked_example():
    econ, ex, im, bi = _hand_world()
    res = export_potential(
        "A",
        economies=econ,
        products=["p", "q"],
        exports={2020: ex},
        imports={2020: im},
        bilateral={2020: bi},
        n_years=1,
    )
    t = res.table.set_index(["market", "product"])
    assert sorted(set(res.table["market"])) == ["B", "C"]  # not A itself, not WLD
    # supply: A's share of world exports of p is 10/45, of q 5/60
    assert t.loc[("B", "p"), "supply"] == pytest.approx(10 / 45)
    assert t.loc[("B", "q"), "supply"] == pytest.approx(5 / 60)
    # market B: hypothetical 20·(2/9) + 30·(1/12) = 6.9444; ease 10 / 6.9444 = 1.44
    assert t.loc[("B", "p"), "ease"] == pytest.approx(1.44)
    assert t.loc[("B", "p"), "potential"] == pytest.approx(6.4)
    assert t.loc[("B", "q"), "potential"] == pytest.approx(3.6)
    assert t.loc[("B", "p"), "untapped"] == 0.0
    assert t.loc[("B", "q"), "untapped"] == pytest.approx(3.6)
    assert t.loc[("B", "p"), "realised"] == pytest.approx(6.4)
    assert t.loc[("B", "p"), "over"] == pytest.approx(3.6)
    # market C: ease 5 / (20·2/9 + 15/12) = 36/41
    assert t.loc[("C", "q"), "ease"] == pytest.approx(36 / 41)
    assert t.loc[("C", "p"), "potential"] == pytest.approx(160 / 41)
    assert t.loc[("C", "p"), "untapped"] == pytest.approx(160 / 41)
    assert t.loc[("C", "q"), "potential"] == pytest.approx(45 / 41)
    assert res.metadata["adds_up"] is True and res.metadata["years"] == [2020]
    assert "WLD" in res.metadata["excluded"] and "A" in res.metadata["excluded"]


def _random_world(seed=0, n=7, k=12, years=(2018, 2019, 2020, 2021), never=("E4",)):
    rng = np.random.default_rng(seed)
    econ = [f"E{i}" for i in range(n)]
    out = {"ex": {}, "im": {}, "bi": {}}
    for y in years:
        cube = rng.gamma(0.5, 100.0, (n, n, k)) * (rng.random((n, n, k)) < 0.6)
        for i in range(n):
            cube[i, i] = 0.0
        for m in never:  # E0 never sells to these markets
            cube[0, econ.index(m)] = 0.0
        ex, im, bi = _arrays(cube, econ, "E0")
        out["ex"][y], out["im"][y], out["bi"][y] = ex, im, bi
    return econ, [f"{100000 + 37 * j:06d}" for j in range(k)], out


def _run(econ, prods, w, **kw):
    return export_potential(
        "E0",
        economies=econ,
        products=prods,
        exports=w["ex"],
        imports=w["im"],
        bilateral=w["bi"],
        **kw,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_invariants(seed):
    econ, prods, w = _random_world(seed)
    res = _run(econ, prods, w)
    t = res.table
    by_market = t.groupby("market")[["potential", "actual", "untapped", "over"]].sum()
    np.testing.assert_allclose(by_market["potential"], by_market["actual"], rtol=1e-12)
    np.testing.assert_allclose(by_market["untapped"], by_market["over"], rtol=1e-9, atol=1e-9)
    assert (t["untapped"] >= 0).all() and (t["realised"] <= t["potential"] + 1e-9).all()
    never = t[t.market == "E4"]
    assert (never["potential"] == 0).all() and (never["actual"] == 0).all()
    assert "E0" not in set(t["market"])
    assert len(t) == (len(econ) - 1) * len(prods)


def test_actual_is_the_average_of_the_last_n_years():
    econ, prods, w = _random_world(3)
    res = _run(econ, prods, w, year=2021, n_years=3)
    expected = (w["bi"][2019] + w["bi"][2020] + w["bi"][2021]) / 3
    t = res.table[res.table.market == "E2"].set_index("product")["actual"]
    np.testing.assert_allclose(t.to_numpy(), expected[2])
    world = sum(w["ex"][y] for y in (2019, 2020, 2021)).sum(axis=0)
    supply = res.table[res.table.market == "E2"]["supply"].to_numpy()
    np.testing.assert_allclose(supply, sum(w["ex"][y][0] for y in (2019, 2020, 2021)) / world)
    short = _run(econ, prods, w, year=2018, n_years=3)
    assert short.metadata["years"] == [2018]
    assert any("no data for 2016, 2017" in n for n in short.notices)
    with pytest.raises(AnalysisError, match="no data for"):
        _run(econ, prods, w, year=2030, n_years=2)


def test_demand_growth_scales_potential_and_is_recorded():
    econ, prods, w = _random_world(4)
    base = _run(econ, prods, w).table.set_index(["market", "product"])
    grown = _run(econ, prods, w, gdp_growth={"E1": 1.21}, elasticity=0.5)
    g = grown.table.set_index(["market", "product"])
    np.testing.assert_allclose(g.loc["E1", "potential"], base.loc["E1", "potential"] * 1.1)
    np.testing.assert_allclose(g.loc["E2", "potential"], base.loc["E2", "potential"])
    assert grown.metadata["demand_growth"]["elasticity"] == 0.5
    assert grown.metadata["adds_up"] is False
    assert any("no GDP projection for 5 markets" in n for n in grown.notices)


def test_market_access_factor():
    econ, prods, w = _random_world(5)
    base = _run(econ, prods, w).table.set_index(["market", "product"])
    tariffs = pd.DataFrame(
        {"market": ["E1"], "product": [prods[2]], "tariff": [0.10], "competitor_tariff": [0.0]}
    )
    res = _run(econ, prods, w, tariffs=tariffs, sigma=4.0)
    t = res.table.set_index(["market", "product"])
    assert t.loc[("E1", prods[2]), "potential"] == pytest.approx(
        base.loc[("E1", prods[2]), "potential"] * 1.1**-4.0
    )
    assert t.loc[("E1", prods[3]), "potential"] == pytest.approx(
        base.loc[("E1", prods[3]), "potential"]
    )
    assert res.metadata["market_access"]["pairs_with_tariffs"] == 1
    with pytest.raises(InputError, match="elasticity of substitution"):
        _run(econ, prods, w, tariffs=tariffs)


def test_aggregation_to_groups_and_baskets():
    econ, prods, w = _random_world(6)
    res = _run(econ, prods, w)
    hs4 = product_groups(prods, "hs4")
    assert hs4[prods[1]] == prods[1][:4]
    agg = aggregate_potential(res.table, hs4)
    t = res.table.assign(g=res.table["product"].str[:4])
    ref = t.groupby(["market", "g"])["untapped"].sum()
    got = agg.set_index(["market", "group"])["untapped"]
    np.testing.assert_allclose(got.sort_index().to_numpy(), ref.sort_index().to_numpy())
    assert agg["untapped"].is_monotonic_decreasing
    sections = product_groups(["870120", "010121", "999999"], "section")
    assert sections == {"870120": "S17", "010121": "S01", "999999": "S00"}
    baskets = baskets_from_dict(
        {
            "name": "t",
            "baskets": [{"id": "b1", "name_en": "B", "name_ru": "Б", "hs": [prods[0][:4]]}],
        }
    )
    groups = product_groups(prods, baskets)
    assert set(groups.values()) == {"b1"}
    total = aggregate_potential(res.table, groups, by_market=False)
    assert total["potential"].iloc[0] == pytest.approx(
        res.table.loc[res.table["product"].str[:4] == prods[0][:4], "potential"].sum()
    )
    with pytest.raises(InputError, match="unknown product grouping"):
        product_groups(prods, "hs5")


def test_markets_ranked_for_one_product():
    econ, prods, w = _random_world(7)
    res = _run(econ, prods, w)
    ranked = rank_markets(res, prods[4])
    sub = res.table[res.table["product"] == prods[4]]
    assert list(ranked["market"]) == list(
        sub.sort_values(["untapped", "market"], ascending=[False, True])["market"]
    )
    assert ranked["rank"].tolist() == list(range(1, len(sub) + 1))
    assert ranked["share_of_untapped"].sum() == pytest.approx(1.0)
    assert len(rank_markets(res, prods[4], top=2)) == 2
    with pytest.raises(AnalysisError, match="not in the data"):
        rank_markets(res, "999999")


def test_a_bloc_market_sums_its_members():
    econ, prods, w = _random_world(8)
    res = _run(econ, prods, w)
    bloc = res.market(["E1", "E2", "E0"], name="BLOC")
    t = res.table[res.table.market.isin(["E1", "E2"])]
    np.testing.assert_allclose(
        bloc.set_index("product")["untapped"].to_numpy(),
        t.groupby("product", sort=False)["untapped"].sum().to_numpy(),
    )
    assert bloc.attrs["market"] == "BLOC" and bloc.attrs["members"] == ["E1", "E2"]
    partly = res.market(["E1", "ZZZ"])
    assert partly.attrs["not_in_data"] == ["ZZZ"]
    np.testing.assert_allclose(partly["potential"], res.market("E1")["potential"])
    assert bloc["potential"].sum() == pytest.approx(bloc["actual"].sum())
    hyp = (t["supply"] * t["demand"]).sum()
    assert bloc["ease"].iloc[0] == pytest.approx(t["actual"].sum() / hyp)
    totals = res.totals()
    assert set(totals["market"]) == set(econ) - {"E0"}
    with pytest.raises(AnalysisError, match="not a market"):
        res.market("E0")
    assert res.to_dict()["markets"][0]["market"] == totals["market"].iloc[0]


def test_bad_inputs_are_one_line_errors():
    econ, prods, w = _random_world(9)
    with pytest.raises(AnalysisError, match="not among the economies"):
        export_potential(
            "XXX",
            economies=econ,
            products=prods,
            exports=w["ex"],
            imports=w["im"],
            bilateral=w["bi"],
        )
    bad = {y: a[:, :3] for y, a in w["bi"].items()}
    with pytest.raises(InputError, match="wrong shape") as info:
        export_potential(
            "E0", economies=econ, products=prods, exports=w["ex"], imports=w["im"], bilateral=bad
        )
    assert "\n" not in str(info.value)
    res = _run(econ, prods, w, markets=["E1", "E0"])
    assert set(res.table["market"]) == {"E1"}
    assert any("own market" in n for n in res.notices)


def test_readers(tmp_path):
    gdp = tmp_path / "gdp.csv"
    gdp.write_text("iso3,gdp_growth\nkaz,1.2\nRUS,1.1\n", encoding="utf-8")
    assert read_gdp_projections(gdp) == {"KAZ": 1.2, "RUS": 1.1}
    gdp.write_text("iso3,gdp_growth\nKAZ,1.2\nRUS,-1\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 3, field 'gdp_growth'"):
        read_gdp_projections(gdp)
    tar = tmp_path / "tariffs.csv"
    tar.write_text(
        "market,product,tariff,competitor_tariff,sigma\nKAZ,010121,0.05,0,3\n", encoding="utf-8"
    )
    t = read_tariffs(tar)
    assert t.iloc[0].to_dict() == {
        "market": "KAZ",
        "product": "010121",
        "tariff": 0.05,
        "competitor_tariff": 0.0,
        "sigma": 3.0,
    }
    tar.write_text("market,product,rate\nKAZ,010121,0.05\n", encoding="utf-8")
    with pytest.raises(FormatError, match="not a tariffs file"):
        read_tariffs(tar)
    with pytest.raises(InputError, match="not found"):
        read_tariffs(tmp_path / "none.csv")
