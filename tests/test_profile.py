"""Profile of a relationship: each figure against plain arithmetic on a hand-made world, the
METHODS 1 edge cases, and a pandas recomputation over the synthetic demo world."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import silkroad as sr
from silkroad.analytics.growth import cagr, growth_note, ratio
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError

# Codes: BLR 112, KAZ 398, RUS 643, ARM 51, KGZ 417, CHN 156. Values in thousands of USD.
COUNTRIES = "\n".join(
    [
        "country_code,country_name,country_iso2,country_iso3",
        "112,Belarus,BY,BLR",
        "398,Kazakhstan,KZ,KAZ",
        "643,Russia,RU,RUS",
        "51,Armenia,AM,ARM",
        "417,Kyrgyzstan,KG,KGZ",
        "156,China,CN,CHN",
    ]
)
WORLD = {
    2013: [
        "2013,112,398,870120,400,10",  # BLR -> KAZ 400 000
        "2013,398,112,270900,100,50",  # KAZ -> BLR 100 000
        "2013,112,643,870120,900,9",  # BLR -> RUS 900 000
        "2013,156,112,847130,50,1",  # CHN -> BLR  50 000
        "2013,51,643,40210,5,1",  # ARM -> RUS (ARM in the data in 2013, not trading with BLR)
    ],
    2014: [
        "2014,112,398,870120,500,10",  # BLR -> KAZ 500 000
        "2014,398,112,270900,300,50",  # KAZ -> BLR 300 000
        "2014,112,643,870120,1000,9",  # BLR -> RUS 1 000 000
        "2014,112,51,40210,10,1",  # BLR -> ARM 10 000 (new: nothing in 2013)
        "2014,156,112,847130,800,1",  # CHN -> BLR 800 000 (ties KAZ's 800 000 turnover)
    ],
    2015: [
        "2015,112,398,870120,600,10",  # BLR -> KAZ 600 000
        "2015,112,643,870120,1100,9",  # BLR -> RUS 1 100 000
        "2015,417,112,100199,40,20",  # KGZ -> BLR  40 000
        "2015,398,643,270900,70,1",  # KAZ -> RUS (not BLR's trade)
        "2015,51,643,40210,5,1",  # ARM -> RUS (ARM in the data in 2015, not trading with BLR)
    ],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("profile-world")
    folder = root / "release"
    folder.mkdir()
    for year, lines in WORLD.items():
        text = "t,i,j,k,v,q\n" + "".join(f"{line}\n" for line in lines)
        (folder / f"BACI_HS92_Y{year}_V202401b.csv").write_text(text)
    (folder / "country_codes_V202401b.csv").write_text(COUNTRIES)
    s = sr.open(root / "home")
    result = sr.ingest(s, "baci", folder)
    assert result.rows_rejected == 0
    return s


def test_flows_balance_and_ratios_are_plain_arithmetic(store):
    df = Pair(store, "BLR", "KAZ").profile(base=2013).to_frame().set_index("year")
    x = {2013: 400_000.0, 2014: 500_000.0, 2015: 600_000.0}
    m = {2013: 100_000.0, 2014: 300_000.0, 2015: 0.0}
    for y in (2013, 2014, 2015):
        assert df.loc[y, "exports_usd"] == pytest.approx(x[y])
        assert df.loc[y, "imports_usd"] == pytest.approx(m[y])
        assert df.loc[y, "turnover_usd"] == pytest.approx(x[y] + m[y])
        assert df.loc[y, "balance_usd"] == pytest.approx(x[y] - m[y])
    assert df.loc[2014, "normalized_balance"] == pytest.approx(200_000 / 800_000)
    assert df.loc[2014, "coverage_ratio"] == pytest.approx(500_000 / 300_000)
    # One-sided trade in 2015: no imports -> coverage undefined (never 0, never inf), NB = 1.
    assert math.isnan(df.loc[2015, "coverage_ratio"])
    assert df.loc[2015, "normalized_balance"] == pytest.approx(1.0)
    # Growth: 2014 over 2013; imports fall to zero in 2015 = -100 %, noted 'stopped'.
    assert df.loc[2014, "turnover_growth"] == pytest.approx(800_000 / 500_000 - 1)
    assert df.loc[2015, "imports_growth"] == pytest.approx(-1.0)
    assert df.loc[2015, "imports_note"] == "stopped"
    assert math.isnan(df.loc[2013, "turnover_growth"])  # nothing before the first year
    # Base ratios against 2013 and CAGR over 2 intervals.
    assert df.loc[2015, "exports_to_base"] == pytest.approx(600_000 / 400_000)
    assert df.loc[2013, "turnover_to_base"] == pytest.approx(1.0)
    assert df.loc[2015, "imports_to_base"] == pytest.approx(0.0)  # fell to zero
    # Wording is the report's (one "N times" rule, report/numbers.py): no phrase columns here.
    assert not [c for c in df.columns if c.endswith("_phrase")]
    c = df.attrs["cagr"]
    assert c["intervals"] == 2
    assert c["exports"] == pytest.approx((600_000 / 400_000) ** 0.5 - 1)
    assert 400_000 * (1 + c["exports"]) ** 2 == pytest.approx(600_000)


def test_shares_and_ranks_among_partners(store):
    df = Pair(store, "BLR", "KAZ").profile().to_frame().set_index("year")
    # BLR's trade in 2014: KAZ 800k, RUS 1 000k, ARM 10k, CHN 800k -> total 2 610k.
    total_2014 = 800_000 + 1_000_000 + 10_000 + 800_000
    assert df.loc[2014, "a_trade_total_usd"] == pytest.approx(total_2014)
    assert df.loc[2014, "partner_share_of_a"] == pytest.approx(800_000 / total_2014)
    # KAZ and CHN tie at 800k behind RUS: competition ranking gives both rank 2.
    assert df.loc[2014, "partner_rank_for_a"] == 2
    # KAZ's trade in 2014 is only with BLR -> BLR is its first partner, 100 % share.
    assert df.loc[2014, "a_rank_for_b"] == 1
    assert df.loc[2014, "a_share_of_b"] == pytest.approx(1.0)
    # 2015: KAZ's trade is BLR 600k and RUS 70k.
    assert df.loc[2015, "a_share_of_b"] == pytest.approx(600_000 / 670_000)


def test_new_partner_from_zero_base_is_new_not_infinite(store):
    df = Pair(store, "BLR", "ARM").profile().to_frame().set_index("year")
    assert df.loc[2013, "exports_usd"] == 0 and df.loc[2013, "imports_usd"] == 0
    assert math.isnan(df.loc[2013, "normalized_balance"])  # no trade at all: undefined
    assert math.isnan(df.loc[2014, "exports_growth"])
    assert df.loc[2014, "exports_note"] == "new"
    assert df.loc[2015, "exports_note"] == "stopped"
    assert not np.isinf(df.select_dtypes("number").to_numpy(dtype=float)).any()
    assert math.isnan(df.loc[2013, "partner_rank_for_a"])  # not a partner that year


def test_views_from_both_sides_mirror_each_other(store):
    ab = Pair(store, "BLR", "KAZ").profile().to_frame().set_index("year")
    ba = Pair(store, "KAZ", "BLR").profile().to_frame().set_index("year")
    assert np.allclose(ab.exports_usd, ba.imports_usd)
    assert np.allclose(ab.imports_usd, ba.exports_usd)
    assert np.allclose(ab.balance_usd, -ba.balance_usd)
    assert np.allclose(ab.partner_share_of_a, ba.a_share_of_b)


def test_bloc_before_and_after_a_country_joined(store):
    df = Pair(store, "BLR", "EAEU").profile().to_frame().set_index("year")
    # The EAEU did not exist in 2013-2014: trade with it is undefined (NaN), neither zero nor
    # BLR-KAZ-RUS trade, and 2015 is not a "new" flow.
    for col in ("exports_usd", "imports_usd", "partner_share_of_a", "turnover_growth"):
        assert math.isnan(df.loc[2014, col]), col
    assert df.loc[2015, "turnover_note"] == ""
    # 2015: members other than BLR are KAZ, RUS, ARM, KGZ (KGZ joined in August 2015).
    assert df.loc[2015, "exports_usd"] == pytest.approx(600_000 + 1_100_000)
    assert df.loc[2015, "imports_usd"] == pytest.approx(40_000)
    # All of BLR's 2015 trade (KAZ, RUS, KGZ) is with EAEU members: the intra-bloc share is 1.
    assert df.loc[2015, "partner_share_of_a"] == pytest.approx(1.0)
    assert math.isnan(df.loc[2015, "partner_rank_for_a"])  # a bloc is not ranked among economies
    assert df.attrs["metadata"]["b_kind"] == "bloc"


def test_overlapping_blocs_are_errors_years_before_a_bloc_unknown(store):
    with pytest.raises(AnalysisError, match=r"common members in 2015 \(ARM, BLR, KAZ, KGZ, RUS\)"):
        Pair(store, "CIS", "EAEU").profile(years=[2015]).to_frame()
    # A year before the bloc existed is unknown (analytics/unknown.py), not an error: no rows,
    # NaN totals and the reason (tests/test_unknown.py has the full set).
    movers = Pair(store, "BLR", "EAEU").movers(2015)
    assert movers["new"].empty and math.isnan(movers["margins"].change_usd.iloc[0])
    assert "EAEU did not exist in 2014" in movers["metadata"]["unknown"][0]["reason"]
    frame = Pair(store, "BLR", "EAEU").structure(2014).to_frame()
    assert frame.empty and math.isnan(frame.attrs["metadata"]["total_usd"])
    # The structure of 2015 has no previous year to compare with: NaN, not "everything new".
    df = Pair(store, "BLR", "EAEU").structure(2015).to_frame()
    assert df.prev_value_usd.isna().all()


def test_unknown_perspective_and_years_are_errors(store):
    with pytest.raises(AnalysisError, match="perspective"):
        Pair(store, "BLR", "KAZ", perspective="sideways")
    with pytest.raises(AnalysisError, match="declared statistics"):
        Pair(store, "BLR", "KAZ", perspective="mirror")
    with pytest.raises(AnalysisError, match="2030"):
        Pair(store, "BLR", "KAZ").profile(years=[2014], base=2030).to_frame()


@pytest.mark.parametrize(
    ("cur", "prev", "note"),
    [
        (5.0, 0.0, "new"),
        (0.0, 5.0, "stopped"),
        (0.0, 0.0, "none"),
        (6.0, 5.0, ""),
        (1.0, math.nan, ""),
    ],
)
def test_growth_notes(cur, prev, note):
    assert growth_note(cur, prev) == note


def test_ratio_and_cagr():
    assert ratio(230.0, 100.0) == pytest.approx(2.3)
    assert math.isnan(ratio(5.0, 0.0))
    assert cagr(100.0, 200.0, 5) == pytest.approx(2 ** (1 / 5) - 1)
    assert cagr(100.0, 0.0, 3) == pytest.approx(-1.0)
    assert math.isnan(cagr(0.0, 10.0, 3)) and math.isnan(cagr(-1.0, 10.0, 3))
    assert math.isnan(cagr(10.0, 20.0, 0))


# --- the synthetic demo world, recomputed with plain pandas -----------------------------------
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from silkroad.sources import synthetic

    root = tmp_path_factory.mktemp("demo-profile")
    archive = synthetic.generate(root / "release", size="small", years=range(2013, 2016))
    s = sr.open(root / "home")
    sr.ingest(s, "baci", archive)
    return s


@pytest.mark.parametrize(("a", "b"), [("BLR", "KAZ"), ("KAZ", "BLR"), ("RUS", "CHN")])
def test_profile_matches_a_pandas_recomputation_on_the_demo_world(demo_store, a, b):
    table = pd.concat(pq.read_table(p).to_pandas() for p in demo_store.parquet_files())
    df = Pair(demo_store, a, b).profile().to_frame().set_index("year")
    assert df.attrs["metadata"]["synthetic"] is True
    for year, g in table.groupby("year"):
        exports = g[(g.exporter == a) & (g.importer == b)].value_usd.sum()
        imports = g[(g.exporter == b) & (g.importer == a)].value_usd.sum()
        assert df.loc[year, "exports_usd"] == pytest.approx(exports, rel=1e-12)
        assert df.loc[year, "imports_usd"] == pytest.approx(imports, rel=1e-12)
        out = g[g.exporter == a].groupby("importer").value_usd.sum()
        inn = g[g.importer == a].groupby("exporter").value_usd.sum()
        by_partner = out.add(inn, fill_value=0.0)
        assert df.loc[year, "a_trade_total_usd"] == pytest.approx(by_partner.sum(), rel=1e-12)
        expected_rank = int((by_partner > by_partner[b]).sum() + 1)
        assert df.loc[year, "partner_rank_for_a"] == expected_rank
