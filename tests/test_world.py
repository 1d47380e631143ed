"""The world-level entry: dense panels and bilateral totals, checked against the hand-worked world
of conftest.py (values in thousands of USD there, in USD here)."""

from __future__ import annotations

import numpy as np
import pytest

import silkroad as sr
from silkroad.errors import AnalysisError
from silkroad.reference.baskets import baskets_from_dict

K = 1000.0


def test_panel_hs6_matches_the_lines_of_the_world(world_store) -> None:
    p = sr.world(world_store).panel(2014, level="hs6")
    assert p.economies == ("BLR", "KAZ", "RUS", "USA")
    assert p.products == ("040210", "270900", "720711", "847130", "870120")
    ex = dict(zip(p.products, p.exports[p.index["BLR"]], strict=True))
    # BLR exports: 870120 to KAZ 300.5 and to RUS 1000; 040210 to KAZ 99.5
    assert ex["870120"] == pytest.approx(1300.5 * K)
    assert ex["040210"] == pytest.approx(99.5 * K)
    assert ex["270900"] == 0.0
    im = dict(zip(p.products, p.imports[p.index["KAZ"]], strict=True))
    # KAZ imports: 870120 300.5 from BLR, 040210 99.5 from BLR, 270900 700 from RUS
    assert im == pytest.approx(
        {"040210": 99.5 * K, "270900": 700 * K, "720711": 0, "847130": 0, "870120": 300.5 * K}
    )
    # Reconciled data: every flow is someone's export and someone's import.
    assert p.exports.sum() == pytest.approx(p.imports.sum())
    assert p.exports.sum() == pytest.approx((300.5 + 99.5 + 250 + 50 + 1000 + 700 + 20) * K)
    assert p.metadata["source"] == "baci-hs92" and p.metadata["level"] == "hs6"


def test_panel_levels_add_up_to_their_parents(world_store) -> None:
    w = sr.world(world_store)
    hs6, hs2 = w.panel(2015, level="hs6"), w.panel(2015, level="hs2")
    for e in hs6.economies:
        by_chapter: dict[str, float] = {}
        for code, v in zip(hs6.products, hs6.exports[hs6.index[e]], strict=True):
            by_chapter[code[:2]] = by_chapter.get(code[:2], 0.0) + v
        got = dict(zip(hs2.products, hs2.exports[hs2.index[e]], strict=True))
        assert got == pytest.approx({c: by_chapter.get(c, 0.0) for c in hs2.products})


def test_panel_by_baskets_and_blocs(world_store) -> None:
    sets = baskets_from_dict(
        {
            "name": "t",
            "baskets": [
                {"id": "cars", "name_en": "Tractors", "name_ru": "Тракторы", "hs": ["8701"]},
                {"id": "fuel", "name_en": "Oil", "name_ru": "Нефть", "hs": ["27"]},
            ],
        }
    )
    p = sr.world(world_store).panel(2014, level=sets)
    assert p.products == ("cars", "fuel") and p.level == "baskets"
    assert p.exports[p.index["BLR"], 0] == pytest.approx(1300.5 * K)
    assert p.exports[p.index["RUS"], 1] == pytest.approx(700 * K)
    # A bloc's row is the sum of its members present that year (EAEU from 2015).
    p15 = sr.world(world_store).panel(2015, level="hs6")
    members = [p15.index[m] for m in ("BLR", "KAZ", "RUS")]
    assert np.allclose(p15.exports_of("EAEU"), p15.exports[members].sum(axis=0))
    with pytest.raises(AnalysisError, match="EAEU did not exist in 2014"):
        p.exports_of("EAEU")


def test_bilateral_totals_are_the_pair_sums(world_store) -> None:
    t = sr.world(world_store).bilateral_totals([2015])
    got = {(r.exporter, r.importer): r.value_usd for r in t.itertuples()}
    assert got == pytest.approx(
        {
            ("BLR", "KAZ"): 500.25 * K,
            ("KAZ", "BLR"): 150 * K,
            ("BLR", "RUS"): 800 * K,
            ("BLR", "USA"): 10 * K,
        }
    )


def test_long_table_and_year_checks(world_store) -> None:
    w = sr.world(world_store)
    long = w.long(2014, level="hs4")
    row = long[(long.exporter == "BLR") & (long.importer == "KAZ") & (long.code == "8701")]
    assert row.value_usd.tolist() == pytest.approx([300.5 * K])
    assert long.value_usd.sum() == pytest.approx(w.panel(2014).exports.sum())
    with pytest.raises(AnalysisError, match="year 2013 is not in the store"):
        w.panel(2013)


def test_partner_market_shares_ranks_and_competitors(world_store) -> None:
    from silkroad.analytics.market import partner_market, suppliers

    w = sr.world(world_store)
    # KAZ's 2014 imports: 870120 from BLR 300.5; 040210 from BLR 99.5; 270900 from RUS 700.
    table = suppliers(w, "BLR", "KAZ", 2014, level="hs6")
    assert table.groupby("code").share.sum().tolist() == pytest.approx([1.0] * 3)
    m = partner_market(w, "BLR", "KAZ", 2014, level="hs6", top=5)
    got = m["products"].set_index("code")
    assert list(got.index) == ["870120", "040210"]  # A's exports to B, largest first
    assert got.loc["870120", "a_share"] == pytest.approx(1.0)
    assert got.loc["870120", "a_rank"] == 1 and got.loc["870120", "suppliers"] == 1
    assert m["competitors"].empty  # BLR is the only supplier of both
    # KAZ in BLR's market (2014): 270900 250 and 720711 50 from KAZ; 847130 20 from USA only.
    m2 = partner_market(w, "USA", "BLR", 2014, level="hs2", top=5)
    row = m2["products"].set_index("code").loc["84"]
    assert row.a_share == pytest.approx(1.0) and row.b_imports_usd == pytest.approx(20 * K)
    # Russia in Kazakhstan's market for chapter 27: the only supplier.
    m3 = partner_market(w, "RUS", "KAZ", 2014, level="hs2")
    assert m3["products"].code.tolist() == ["27"]
    assert m3.to_dict()["products"][0]["a_rank"] == 1


def test_partner_market_of_a_bloc_counts_imports_from_outside(world_store) -> None:
    from silkroad.analytics.market import suppliers

    w = sr.world(world_store)
    # EAEU 2015 (BLR, KAZ, RUS): its only import from outside is none (USA -> BLR stopped);
    # BLR -> USA is an export. Intra-bloc flows (BLR -> KAZ, ...) are not the bloc's imports.
    table = suppliers(w, "USA", "EAEU", 2015, level="hs6")
    assert table.empty
    with pytest.raises(AnalysisError, match="EAEU had no members in 2014"):
        suppliers(w, "USA", "EAEU", 2014)


def test_partner_market_ranks_competitors(baci_files, home) -> None:
    from silkroad.analytics.market import partner_market

    # KAZ (398) imports of tractors 870120 in 2014, thousands USD: RUS 600, BLR 300, USA 100,
    # CHN (156) 300 (ties with BLR), and dairy 040210: BLR 50 only. BLR also sells 870120 to RUS.
    lines = [
        "2014,643,398,870120,600,1",
        "2014,112,398,870120,300,1",
        "2014,842,398,870120,100,1",
        "2014,156,398,870120,300,1",
        "2014,112,398,40210,50,1",
        "2014,112,643,870120,999,1",
    ]
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_dir({2014: lines}))
    m = partner_market(sr.world(store), "BLR", "KAZ", 2014, level="hs6", competitors=2)
    p = m["products"].set_index("code")
    assert list(p.index) == ["870120", "040210"]
    assert p.loc["870120", "b_imports_usd"] == pytest.approx(1300 * K)
    assert p.loc["870120", "a_share"] == pytest.approx(300 / 1300)
    assert p.loc["870120", "a_rank"] == 2  # after RUS; tied with CHN, ties share the better rank
    assert p.loc["870120", "suppliers"] == 4
    c = m["competitors"]
    assert c.exporter.tolist() == ["RUS", "CHN"] and c["rank"].tolist() == [1, 2]
    assert c.share.tolist() == pytest.approx([600 / 1300, 300 / 1300])


def test_brief_data_carry_the_partner_market(world_store) -> None:
    from silkroad.analytics.briefing import gather

    data = gather(world_store, "BLR", "KAZ", year=2015)
    assert data.market is not None
    got = data.market["products"].set_index("code")
    # BLR -> KAZ 2015 at hs4: 8701 450, 0402 50.25 (thousands); BLR the only supplier of each
    assert got.a_exports_usd.to_dict() == pytest.approx({"8701": 450 * K, "0402": 50.25 * K})
    assert (got.a_share == 1.0).all()


def test_rca_in_the_engine_equals_rca_from_the_panel(world_store, tmp_path) -> None:
    from silkroad.analytics import indicators as ind

    w = sr.world(world_store)
    out = w.write_rca(tmp_path / "rca.parquet", level="hs6")
    import pandas as pd

    engine = pd.read_parquet(out)
    assert set(engine.year) == {2014, 2015}
    for year in (2014, 2015):
        p = w.panel(year, level="hs6")
        ref = ind.rca(p.exports, economies=p.economies, products=p.products).to_frame()
        ref = ref[ref.value_usd > 0].set_index(["economy", "product"]).rca
        got = engine[engine.year == year].set_index(["economy", "code"]).rca
        assert len(got) == len(ref)
        assert got.reindex(ref.index).to_numpy() == pytest.approx(ref.to_numpy(), rel=1e-12)
    # By hand: BLR's 870120 in 2014 = (1300.5/1400) / (1300.5/2420)
    row = engine[(engine.year == 2014) & (engine.economy == "BLR") & (engine.code == "870120")]
    assert row.rca.tolist() == pytest.approx([(1300.5 / 1400) / (1300.5 / 2420)])
