"""RCA, pair indicators and complexity from the store, checked by hand on the world of
conftest.py and against ecomplexity 0.5.3 on a generated release (read back with DuckDB)."""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pytest

import silkroad as sr
from silkroad.analytics.advantage import complexity_table, pair_indicators, rca_table
from silkroad.errors import AnalysisError

K = 1000.0
# World 2014 (thousands of USD): BLR 870120 300.5 -> KAZ, 1000 -> RUS; 040210 99.5 -> KAZ;
# KAZ 270900 250 and 720711 50 -> BLR; RUS 270900 700 -> KAZ; USA 847130 20 -> BLR.
WORLD_TOTAL = 300.5 + 99.5 + 250 + 50 + 1000 + 700 + 20


def test_rca_by_hand(world_store) -> None:
    r = rca_table(sr.world(world_store), "BLR", 2014, level="hs6")
    rows = r["rows"].set_index("code")
    blr_total = 1300.5 + 99.5
    # RCA = (x_ik / X_i) / (x_wk / X_w); BLR is the only exporter of both its products.
    expected = (1300.5 / blr_total) / (1300.5 / WORLD_TOTAL)
    assert rows.loc["870120", "rca"] == pytest.approx(expected)
    assert rows.loc["040210", "rca"] == pytest.approx((99.5 / blr_total) / (99.5 / WORLD_TOTAL))
    assert rows.loc["870120", "exports_usd"] == pytest.approx(1300.5 * K)
    assert set(rows.index) == {"870120", "040210"}  # only products it exports
    assert r["products_with_advantage"] == 2
    kaz = rca_table(sr.world(world_store), "KAZ", 2014).to_frame().set_index("code")
    # 270900: KAZ 250 of world 950; KAZ total 300
    assert kaz.loc["270900", "rca"] == pytest.approx((250 / 300) / (950 / WORLD_TOTAL))
    assert kaz.loc["270900", "share_of_world"] == pytest.approx(250 / 950)


def test_pair_indicators_by_hand(world_store) -> None:
    r = pair_indicators(sr.world(world_store), "BLR", "KAZ", 2014, level="hs6")
    v = r.to_dict()
    x_ab, x_a, m_b = 400.0, 1400.0, 300.5 + 99.5 + 700
    assert v["tii_ab"] == pytest.approx((x_ab / x_a) / (m_b / WORLD_TOTAL))
    # TCI = 100 (1 - 1/2 sum |m_Bk - x_Ak|) over shares of B's imports and A's exports
    xs = {"870120": 1300.5 / x_a, "040210": 99.5 / x_a}
    ms = {"870120": 300.5 / m_b, "040210": 99.5 / m_b, "270900": 700 / m_b}
    diff = sum(abs(ms.get(k, 0) - xs.get(k, 0)) for k in set(xs) | set(ms))
    assert v["tci_ab"] == pytest.approx(100 * (1 - diff / 2))
    assert 0 <= v["tci_ba"] <= 100
    # ESI = 100 sum min(s_A, s_B): BLR and KAZ export nothing in common
    assert v["esi"] == pytest.approx(0.0)
    # One-way trade in every product: Grubel-Lloyd 0
    assert v["gl_aggregate"] == pytest.approx(0.0)
    assert [row["gl"] for row in v["grubel_lloyd"]] == [0.0] * 4
    # BLR exports two products, to two markets: KAZ 400, RUS 1000
    assert v["a_products_exported"] == 2
    assert v["a_hhi_markets"] == pytest.approx((400 / 1400) ** 2 + (1000 / 1400) ** 2)
    assert v["market"][0]["code"] == "870120" and v["market"][0]["a_share"] == 1.0
    assert v["metadata"]["a"] == "BLR" and v["metadata"]["level"] == "hs6"


def _random_release(baci_files, n_e: int = 14, n_p: int = 25, seed: int = 7):
    """A year of trade among ``n_e`` economies in ``n_p`` chapters-01 products, nested so that
    complexity is well defined; numeric codes from the reference table (ISO numeric)."""
    rng = np.random.default_rng(seed)
    codes = [4, 8, 12, 24, 32, 36, 40, 50, 56, 76, 112, 124, 156, 170, 204, 250, 276, 356][:n_e]
    lines = []
    for i, e in enumerate(codes):
        for k in range(n_p):
            if rng.random() < 0.9 - 0.6 * (k / n_p) * (i / n_e):  # nested-ish
                partner = codes[(i + 1 + k) % n_e]
                value = float(rng.integers(1, 5000))
                lines.append(f"2015,{e},{partner},{10100 + k * 10},{value},1")
    return baci_files.release_dir({2015: lines}, countries=None)


def test_complexity_from_the_store_matches_ecomplexity(baci_files, home) -> None:
    from ecomplexity import ecomplexity

    store = sr.open(home)
    sr.ingest(store, "baci", _random_release(baci_files))
    ours = complexity_table(sr.world(store), 2015, level="hs6")
    # The reference reads the same Parquet files on its own (no silkroad code in between).
    files = [str(p) for p in store.parquet_files()]
    frame = duckdb.sql(
        "SELECT year AS time, exporter AS loc, product AS prod, sum(value_usd) AS val "
        f"FROM read_parquet({files!r}) GROUP BY ALL"
    ).df()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ecomplexity(
            frame, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"}, verbose=False
        )
    ref_eci = ref.groupby("loc").eci.first()
    got = ours["eci"].set_index("economy").eci
    assert got.reindex(ref_eci.index).to_numpy() == pytest.approx(ref_eci.to_numpy(), abs=1e-9)
    ref_pci = ref.groupby("prod").pci.first()
    got_pci = ours["pci"].set_index("code").pci
    assert got_pci.reindex(ref_pci.index).to_numpy() == pytest.approx(ref_pci.to_numpy(), abs=1e-9)
    assert ours["metadata"]["convention"] == "ecomplexity"
    # One economy's opportunities: products it lacks (RCA < 1), highest COG first.
    opp = complexity_table(sr.world(store), 2015, level="hs6", economy="AFG", top=5)
    cog = opp["opportunities"].cog.to_numpy()
    assert (np.diff(cog) <= 1e-12).all() and (opp["opportunities"].rca < 1).all()
    ref_cog = ref[(ref["loc"] == "AFG") & (ref.mcp == 0)].set_index("prod").cog
    top = opp["opportunities"].set_index("code").cog
    assert top.to_numpy() == pytest.approx(ref_cog.reindex(top.index).to_numpy(), abs=1e-9)
    with pytest.raises(AnalysisError, match="no complexity results for KAZ"):
        complexity_table(sr.world(store), 2015, level="hs6", economy="KAZ")


def test_brief_data_carry_advantage_and_complexity(baci_files, home) -> None:
    from silkroad.analytics.briefing import gather

    store = sr.open(home)
    sr.ingest(store, "baci", _random_release(baci_files))
    data = gather(store, "AFG", "ALB", year=2015)
    adv = data.advantage
    assert adv is not None
    world = sr.world(store)
    ind = pair_indicators(world, "AFG", "ALB", 2015, level="hs4")
    assert adv["tci_ab"] == pytest.approx(ind["tci_ab"])
    assert adv["tci_ba"] == pytest.approx(ind["tci_ba"])
    ranks = complexity_table(world, 2015, level="hs4")["eci"].set_index("economy")
    assert adv["eci_rank_a"] == ranks.loc["AFG", "eci_rank"]
    assert (
        adv["rca_a"].code.tolist()
        == rca_table(world, "AFG", 2015, level="hs4", top=10)["rows"].code.tolist()
    )
    # Opportunities: products AFG lacks, that ALB imports, highest COG first.
    opp = adv["opportunities"]
    assert (opp.b_imports_usd > 0).all() and (opp.cog.diff().dropna() <= 1e-12).all()
