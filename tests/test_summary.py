"""The pair summary on the hand-worked two-year world of conftest.py (figures in USD)."""

from __future__ import annotations

import math

import pytest

import silkroad as sr
from conftest import WORLD_2014, WORLD_2015
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError, ReferenceDataError

COLUMNS = [
    "year",
    "exports_usd",
    "imports_usd",
    "turnover_usd",
    "balance_usd",
    "exports_growth",
    "imports_growth",
    "turnover_growth",
]
# BLR -> KAZ and KAZ -> BLR, from the world's lines (thousands of USD x 1000).
EXPORTS = {2014: 300.5 * 1000 + 99.5 * 1000, 2015: 450 * 1000 + 50.25 * 1000}
IMPORTS = {2014: 250 * 1000 + 50 * 1000, 2015: 150 * 1000}


def nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


def test_blr_kaz_equals_hand_arithmetic(world_store):
    df = Pair(world_store, "BLR", "KAZ").summary(years=range(2014, 2016)).to_frame()
    assert list(df.columns) == COLUMNS
    assert list(df.year) == [2014, 2015]
    for row in df.itertuples():
        y = row.year
        assert row.exports_usd == pytest.approx(EXPORTS[y])
        assert row.imports_usd == pytest.approx(IMPORTS[y])
        assert row.turnover_usd == pytest.approx(EXPORTS[y] + IMPORTS[y])
        assert row.balance_usd == pytest.approx(EXPORTS[y] - IMPORTS[y])
    first, second = df.iloc[0], df.iloc[1]
    assert nan(first.exports_growth) and nan(first.imports_growth) and nan(first.turnover_growth)
    assert second.exports_growth == pytest.approx(500_250 / 400_000 - 1)  # +25.06 %
    assert second.imports_growth == pytest.approx(150_000 / 300_000 - 1)  # -50 %
    assert second.turnover_growth == pytest.approx(650_250 / 700_000 - 1)


def test_growth_edge_cases_new_flow_and_fall_to_zero(world_store):
    # BLR -> USA: 0 in 2014, 10 000 in 2015 (new); USA -> BLR: 20 000 in 2014, 0 in 2015.
    df = Pair(world_store, "BLR", "USA").summary().to_frame()
    assert list(df.exports_usd) == [0.0, 10 * 1000.0]
    assert list(df.imports_usd) == [20 * 1000.0, 0.0]
    second = df.iloc[1]
    assert nan(second.exports_growth)  # from zero: undefined, never +inf
    assert second.imports_growth == -1.0  # a fall to zero is -100 %
    assert second.turnover_growth == pytest.approx(10_000 / 20_000 - 1)
    assert (
        not df[["exports_growth", "imports_growth", "turnover_growth"]]
        .isin([math.inf, -math.inf])
        .any(axis=None)
    )


def test_pair_without_trade_is_zero_with_undefined_growth(world_store):
    df = Pair(world_store, "KAZ", "USA").summary().to_frame()
    assert list(df.exports_usd) == [0.0, 0.0]
    assert list(df.imports_usd) == [0.0, 0.0]
    assert df.exports_growth.isna().all() and df.turnover_growth.isna().all()


@pytest.mark.parametrize(("a", "b"), [("BLR", "KAZ"), ("BLR", "RUS"), ("RUS", "KAZ")])
def test_turnover_balance_identities_and_mirror(world_store, a, b):
    ab = Pair(world_store, a, b).summary().to_frame()
    ba = Pair(world_store, b, a).summary().to_frame()
    assert (ab.turnover_usd == ab.exports_usd + ab.imports_usd).all()
    assert (ab.balance_usd == ab.exports_usd - ab.imports_usd).all()
    assert list(ab.exports_usd) == list(ba.imports_usd)
    assert list(ab.imports_usd) == list(ba.exports_usd)
    assert list(ab.turnover_usd) == list(ba.turnover_usd)
    assert list(ab.balance_usd) == [-x for x in ba.balance_usd]


def test_every_flow_of_the_world_is_counted_once(world_store):
    # Sum over ordered pairs of exports = the whole world's value per year, from the lines.
    economies = ["BLR", "KAZ", "RUS", "USA"]
    for year, lines in ((2014, WORLD_2014), (2015, WORLD_2015)):
        total = sum(float(line.split(",")[4]) * 1000 for line in lines)
        by_pairs = 0.0
        for a in economies:
            for b in economies:
                if a != b:
                    df = Pair(world_store, a, b).summary(years=[year]).to_frame()
                    by_pairs += float(df.exports_usd.iloc[0])
        assert by_pairs == pytest.approx(total)


def test_metadata_names_source_release_and_flag(world_store):
    df = Pair(world_store, "BLR", "KAZ").summary(years=[2014, 2015]).to_frame()
    meta = df.attrs["metadata"]
    assert meta["source"] == "baci-hs92"
    assert meta["source_version"] == "202401b"
    assert meta["classification"] == "HS92"
    assert meta["synthetic"] is False
    assert meta["perspective"] == "reconciled"
    assert meta["currency"] == "USD"
    assert meta["years"] == [2014, 2015]
    assert (meta["a"], meta["b"]) == ("BLR", "KAZ")
    assert (meta["a_name"], meta["b_name"]) == ("Belarus", "Kazakhstan")


def test_synthetic_world_is_flagged_and_real_data_preferred(baci_files, home):
    readme = "Name of the dataset : BACI\nSynthetic : yes\n"
    synthetic = baci_files.release_zip({2014: WORLD_2014, 2015: WORLD_2015}, readme=readme)
    store = sr.open(home)
    sr.ingest(store, "baci", synthetic)
    meta = Pair(store, "BLR", "KAZ").summary().to_frame().attrs["metadata"]
    assert (meta["source"], meta["synthetic"]) == ("synthetic-baci-hs92", True)

    real = baci_files.release_dir({2014: ["2014,112,398,1,7,1"]}, name="real")
    sr.ingest(store, "baci", real)
    df = (
        Pair(store, "BLR", "KAZ").summary().to_frame()
    )  # real data wins although it covers fewer years
    assert (df.attrs["metadata"]["source"], df.attrs["metadata"]["synthetic"]) == (
        "baci-hs92",
        False,
    )
    assert list(df.exports_usd) == [7 * 1000.0]
    chosen = Pair(store, "BLR", "KAZ", source="synthetic-baci-hs92").summary().to_frame()
    assert list(chosen.exports_usd) == [EXPORTS[2014], EXPORTS[2015]]


@pytest.mark.parametrize("years", [[2013], range(2014, 2017), [1990, 2014]])
def test_years_outside_the_store_are_an_analysis_error(world_store, years):
    with pytest.raises(AnalysisError, match="not in the store") as exc:
        Pair(world_store, "BLR", "KAZ").summary(years=years).to_frame()
    assert exc.value.field == "years"
    assert "2014–2015" in str(exc.value)


def test_names_resolve_to_codes(world_store):
    by_code = Pair(world_store, "BLR", "KAZ").summary().to_frame()
    for a, b in [("Belarus", "Kazakhstan"), ("blr", "kaz"), ("Беларусь", "Казахстан")]:
        by_name = Pair(world_store, a, b).summary().to_frame()
        assert by_name.equals(by_code)
        assert by_name.attrs["metadata"]["a"] == "BLR"


def test_unknown_or_identical_economies(world_store):
    with pytest.raises(ReferenceDataError, match="XYZ"):
        Pair(world_store, "BLR", "XYZ")
    with pytest.raises(AnalysisError, match="two different economies"):
        Pair(world_store, "BLR", "Belarus")


def test_growth_after_a_gap_is_undefined_and_the_first_year_uses_the_year_before(
    world_home, baci_files
):
    store = sr.open(world_home)
    sr.ingest(store, "baci", baci_files.year_file(2016, ["2016,112,398,870120,800.5,1"]))
    gap = Pair(store, "BLR", "KAZ").summary(years=[2014, 2016]).to_frame()
    assert list(gap.exports_usd) == [EXPORTS[2014], 800.5 * 1000]
    assert gap.exports_growth.isna().all()
    consecutive = Pair(store, "BLR", "KAZ").summary(years=[2015, 2016]).to_frame()
    # 2014 is held, so the first year shown has its growth (issue 15: no blank first row) ...
    assert consecutive.exports_growth.iloc[0] == pytest.approx(EXPORTS[2015] / EXPORTS[2014] - 1)
    assert list(consecutive.year) == [2015, 2016]  # ... without showing 2014
    # ... and the first year the store holds has none.
    assert nan(Pair(store, "BLR", "KAZ").summary(years=[2014]).to_frame().exports_growth.iloc[0])
    assert consecutive.exports_growth.iloc[1] == pytest.approx(800_500 / EXPORTS[2015] - 1)
    assert consecutive.imports_growth.iloc[1] == -1.0


def test_a_range_with_gaps_inside_the_held_years_takes_the_years_held(baci_files, home):
    # A source holding 2007, 2013 and 2014 asked for 2007-2014 (issue 14, item 18).
    lines = {
        2007: ["2007,112,398,870120,10,1"],
        2013: ["2013,112,398,870120,20,1"],
        2014: ["2014,112,398,870120,30,1"],
    }
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_dir(lines))
    r = Pair(store, "BLR", "KAZ").summary(years=range(2007, 2015))
    frame = r.to_frame()
    assert list(frame.year) == [2007, 2013, 2014]
    assert list(frame.exports_usd) == [10_000.0, 20_000.0, 30_000.0]
    assert r["metadata"]["years_not_held"] == list(range(2008, 2013))
    assert nan(frame.exports_growth.iloc[1])  # 2013 after a gap: no growth against 2007
    # Years beyond the span held are still an error, naming the span.
    with pytest.raises(AnalysisError, match="2007–2014"):
        Pair(store, "BLR", "KAZ").summary(years=range(2013, 2016))
