"""Structure of a relationship by HS level, section and basket, on a hand-made three-year world.

Every expected number is recomputed here from ``WORLD`` (thousands of USD, x 1000) by plain
arithmetic; the synthetic demo world is checked against a pandas groupby over the store's Parquet.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from _worlds import build_store, synthetic_store
from silkroad.analytics.pair import Pair
from silkroad.analytics.structure import structure
from silkroad.errors import AnalysisError
from silkroad.reference.baskets import baskets_from_dict
from silkroad.reference.products import chapters, sections

WORLD = {
    2013: {
        ("BLR", "KAZ"): {"870120": 100.25, "870410": 50, "040210": 30, "040690": 20},
        ("KAZ", "BLR"): {"270900": 200},
        ("BLR", "RUS"): {"870120": 500},  # another pair: never counted
    },
    2014: {
        ("BLR", "KAZ"): {
            "870120": 150.5,
            "870410": 25,
            "040210": 30,
            "100199": 10,  # new chapter 10
            "271019": 40,  # new chapter 27
            "940161": 5,  # new chapter 94
            "999999": 2,  # not specified according to kind
        },  # 040690 stopped
        ("KAZ", "BLR"): {"270900": 100, "720711": 60},
        ("RUS", "KAZ"): {"270900": 700},
    },
    2015: {
        ("BLR", "KAZ"): {"870120": 200, "040210": 10.75},
        ("KAZ", "BLR"): {"270900": 80},
    },
}
BASE_COLUMNS = [
    "code",
    "label_en",
    "label_ru",
    "value_usd",
    "share",
    "prev_value_usd",
    "change_usd",
    "growth",
    "note",
    "contribution_pp",
]
SECTION_OF = dict(
    zip(
        chapters().code,
        chapters().section.map(sections().set_index("number").roman),
        strict=True,
    )
)
GROUPERS: dict[str, Callable[[str], str]] = {
    "hs2": lambda p: p[:2],
    "hs4": lambda p: p[:4],
    "hs6": lambda p: p,
    "section": lambda p: SECTION_OF.get(p[:2], "NS"),
}


def flows_of(year: int, direction: str, a: str = "BLR", b: str = "KAZ") -> dict[str, float]:
    """Products and USD values of A's exports to (imports from) B in ``year`` from WORLD."""
    key = (a, b) if direction == "exports" else (b, a)
    return {p: v * 1000 for p, v in WORLD.get(year, {}).get(key, {}).items()}


def grouped(year: int, direction: str, group: Callable[[str], str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for product, value in flows_of(year, direction).items():
        out[group(product)] = out.get(group(product), 0.0) + value
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("structure"), WORLD)


@pytest.fixture(scope="module")
def pair(store):
    return Pair(store, "BLR", "KAZ")


def nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


# --- every number against plain arithmetic -------------------------------------------------


@pytest.mark.parametrize("direction", ["exports", "imports"])
@pytest.mark.parametrize("level", ["hs2", "hs4", "hs6", "section"])
@pytest.mark.parametrize("year", [2014, 2015])
def test_every_cell_equals_hand_arithmetic(pair, direction, level, year):
    df = structure(pair, year, direction=direction, level=level)
    assert list(df.columns) == BASE_COLUMNS
    now = grouped(year, direction, GROUPERS[level])
    before = grouped(year - 1, direction, GROUPERS[level])
    total, prev_total = sum(now.values()), sum(before.values())
    codes = set(now) | set(before)
    assert sorted(df.code) == sorted(codes)
    expected_order = sorted(codes, key=lambda c: (-now.get(c, 0.0), -before.get(c, 0.0), c))
    assert list(df.code) == expected_order
    for row in df.itertuples():
        v, p = now.get(row.code, 0.0), before.get(row.code, 0.0)
        assert row.value_usd == pytest.approx(v, rel=1e-15)
        assert row.prev_value_usd == pytest.approx(p, rel=1e-15)
        assert row.share == pytest.approx(v / total)
        assert row.change_usd == pytest.approx(v - p)
        assert row.contribution_pp == pytest.approx((v - p) / prev_total * 100)
        if p > 0:
            assert row.growth == pytest.approx(v / p - 1)
            assert row.note == ("stopped" if v == 0 else "")
        else:
            assert nan(row.growth) and row.note == "new"
    assert abs(df.share.sum() - 1.0) <= 1e-12
    assert df.contribution_pp.sum() == pytest.approx((total / prev_total - 1) * 100, abs=1e-9)


def test_hs2_exports_2014_worked_by_hand(pair):
    df = pair.structure(2014).to_frame().set_index("code")
    # 87: 150.5 + 25 = 175.5 (2014) against 100.25 + 50 = 150.25 (2013), thousands of USD
    assert df.loc["87", "value_usd"] == 175_500.0
    assert df.loc["87", "prev_value_usd"] == 150_250.0
    assert df.loc["87", "change_usd"] == 25_250.0
    total_2014 = 175_500 + 30_000 + 10_000 + 40_000 + 5_000 + 2_000  # 262 500
    total_2013 = 150_250 + 50_000  # 200 250
    assert df.loc["87", "share"] == pytest.approx(175_500 / total_2014)
    assert df.loc["87", "growth"] == pytest.approx(175_500 / 150_250 - 1)
    assert df.loc["87", "contribution_pp"] == pytest.approx(25_250 / total_2013 * 100)
    assert df.loc["04", "growth"] == pytest.approx(30_000 / 50_000 - 1)  # 0406 stopped inside 04
    assert df.loc["04", "contribution_pp"] == pytest.approx(-20_000 / total_2013 * 100)
    assert nan(df.loc["27", "growth"]) and df.loc["27", "note"] == "new"
    assert list(df.index) == ["87", "27", "04", "10", "94", "99"]
    meta = df.attrs["metadata"]
    assert meta["total_usd"] == total_2014
    assert meta["previous_total_usd"] == total_2013
    assert meta["total_growth"] == pytest.approx(total_2014 / total_2013 - 1)


def test_stopped_product_stays_with_growth_minus_one(pair):
    df = pair.structure(2014, level="hs6").to_frame().set_index("code")
    row = df.loc["040690"]
    assert (row.value_usd, row.prev_value_usd, row.share) == (0.0, 20_000.0, 0.0)
    assert row.growth == -1.0 and row.note == "stopped"
    assert df.index[-1] == "040690"  # zero this year: last


# --- top N and 'other' ----------------------------------------------------------------------


@pytest.mark.parametrize("level", ["hs2", "hs4", "hs6", "section"])
@pytest.mark.parametrize("top", [1, 2, 3])
def test_top_n_then_other_summed_from_the_rest(pair, level, top):
    full = pair.structure(2014, level=level).to_frame()
    df = pair.structure(2014, level=level, top=top).to_frame()
    assert len(full) > top
    assert len(df) == top + 1
    assert list(df.code[:top]) == list(full.code[:top])
    pd.testing.assert_frame_equal(df.iloc[:top], full.iloc[:top])
    other = df.iloc[-1]
    assert other.code == "other"
    assert (other.label_en, other.label_ru) == ("Other products", "Прочие товары")
    rest = full.iloc[top:]
    # 'other' is the sum of the remaining groups' values, not a remainder
    assert other.value_usd == pytest.approx(sum(rest.value_usd.tolist()), rel=1e-15)
    assert other.prev_value_usd == pytest.approx(sum(rest.prev_value_usd.tolist()), rel=1e-15)
    assert other.share == pytest.approx(other.value_usd / full.value_usd.sum())
    assert other.contribution_pp == pytest.approx(rest.contribution_pp.sum())
    if other.prev_value_usd > 0:
        assert other.growth == pytest.approx(other.value_usd / other.prev_value_usd - 1)
    else:  # only new groups left over
        assert nan(other.growth) and other.note == "new"
    assert abs(df.share.sum() - 1.0) <= 1e-12
    meta = df.attrs["metadata"]
    assert df.contribution_pp.sum() == pytest.approx(meta["total_growth"] * 100, abs=1e-9)
    assert meta["top"] == top and meta["other_groups"] == len(rest)


def test_top_at_least_the_number_of_groups_adds_no_other_row(pair):
    full = pair.structure(2014).to_frame()
    df = pair.structure(2014, top=len(full)).to_frame()
    pd.testing.assert_frame_equal(df, full, check_like=False)
    assert "other" not in set(df.code)


@pytest.mark.parametrize("top", [0, -1, 2.5, True, "3"])
def test_bad_top(pair, top):
    with pytest.raises(AnalysisError, match="top"):
        pair.structure(2014, top=top).to_frame()


# --- labels ---------------------------------------------------------------------------------


def test_labels_by_level(pair):
    ch = chapters().set_index("code")
    sec = sections().set_index("roman")
    hs2 = pair.structure(2014).to_frame().set_index("code")
    assert hs2.loc["87", "label_en"] == ch.loc["87", "label_en"]
    assert hs2.loc["87", "label_ru"] == ch.loc["87", "label_ru"]
    assert hs2.loc["99", "label_en"] == "Commodities not specified according to kind"
    hs4 = pair.structure(2014, level="hs4").to_frame().set_index("code")
    # Headings by their short names (reference/data/hs_names, checked by hand: 8701 is tractors).
    assert hs4.loc["8701", "label_en"] == "Tractors"
    assert hs4.loc["8701", "label_ru"] == "Тракторы"
    hs6 = pair.structure(2014, level="hs6").to_frame().set_index("code")
    # 870120 (HS 1992: road tractors) is no HS 2022 subheading: without a concordance it is
    # named by the nearest level the editions share, with its edition and code, never guessed.
    assert hs6.loc["870120", "label_en"].startswith(ch.loc["87", "label_en"])
    assert "870120" in hs6.loc["870120", "label_en"] and "1992" in hs6.loc["870120", "label_en"]
    assert hs6.loc["870120", "label_ru"].startswith(ch.loc["87", "label_ru"])
    section = pair.structure(2014, level="section").to_frame().set_index("code")
    assert section.loc["XVII", "label_en"] == sec.loc["XVII", "label_en"]
    assert section.loc["XVII", "value_usd"] == (150.5 + 25) * 1000
    assert section.loc["NS", "value_usd"] == 2000.0  # chapter 99 is in no section
    assert section.loc["NS", "label_en"].startswith("Outside the HS sections")


# --- base year and missing previous year ----------------------------------------------------


def test_base_year_ratio(pair):
    df = pair.structure(2015, base=2013, level="hs4").to_frame()
    assert list(df.columns) == [*BASE_COLUMNS[:-1], "base_value_usd", "to_base", "contribution_pp"]
    base = grouped(2013, "exports", GROUPERS["hs4"])
    now = grouped(2015, "exports", GROUPERS["hs4"])
    for row in df.itertuples():
        b = base.get(row.code, 0.0)
        assert row.base_value_usd == b
        if b > 0:
            assert row.to_base == pytest.approx(now.get(row.code, 0.0) / b)
        else:
            assert nan(row.to_base)
    rows = df.set_index("code")
    assert rows.loc["8701", "to_base"] == pytest.approx(200 / 100.25)
    assert rows.loc["0402", "to_base"] == pytest.approx(10.75 / 30)
    assert nan(rows.loc["1001", "to_base"])  # no trade in the base year
    assert df.attrs["metadata"]["base"] == 2013


def test_base_with_top_sums_base_values_in_other(pair):
    full = pair.structure(2015, base=2013, level="hs4").to_frame()
    df = pair.structure(2015, base=2013, level="hs4", top=1).to_frame()
    other = df.iloc[-1]
    assert other.base_value_usd == pytest.approx(full.base_value_usd.iloc[1:].sum())
    assert other.to_base == pytest.approx(other.value_usd / other.base_value_usd)


def test_previous_year_not_in_store_gives_nan_not_an_error(pair):
    df = pair.structure(2013, level="hs4").to_frame()
    now = grouped(2013, "exports", GROUPERS["hs4"])
    assert dict(zip(df.code, df.value_usd, strict=True)) == now
    for col in ("prev_value_usd", "change_usd", "growth", "contribution_pp"):
        assert df[col].isna().all(), col
    assert (df.note == "").all()
    assert abs(df.share.sum() - 1) <= 1e-12
    meta = df.attrs["metadata"]
    assert meta["previous_year"] is None and nan(meta["total_growth"])


def test_years_and_base_outside_the_store_are_errors(pair):
    with pytest.raises(AnalysisError, match="year 2016 is not in the store"):
        pair.structure(2016).to_frame()
    with pytest.raises(AnalysisError, match="year 2010 is not in the store"):
        pair.structure(2014, base=2010).to_frame()


# --- baskets --------------------------------------------------------------------------------

BASKETS = baskets_from_dict(
    {
        "name": "test baskets",
        "baskets": [
            {"id": "tractors", "name_en": "Tractors", "name_ru": "Тракторы", "hs": ["8701"]},
            {"id": "dairy", "name_en": "Dairy", "name_ru": "Молочное", "hs": ["0401-0406"]},
            {"id": "fuel", "name_en": "Fuel", "name_ru": "Топливо", "hs": ["27"]},
            {"id": "sugar", "name_en": "Sugar", "name_ru": "Сахар", "hs": ["1701"]},
        ],
    }
)
IN_BASKET = {"8701": "tractors", "0401": "dairy", "0402": "dairy", "0406": "dairy", "27": "fuel"}


def basket_of(product: str) -> str:
    return IN_BASKET.get(product[:4]) or IN_BASKET.get(product[:2]) or "other"


@pytest.mark.parametrize("direction", ["exports", "imports"])
def test_baskets_with_other_and_every_basket_listed(pair, direction):
    df = pair.structure(2014, direction=direction, level=BASKETS).to_frame()
    now = grouped(2014, direction, basket_of)
    before = grouped(2013, direction, basket_of)
    assert df.code.iloc[-1] == "other"
    assert set(df.code) == {"tractors", "dairy", "fuel", "sugar", "other"}
    total, prev_total = sum(now.values()), sum(before.values())
    for row in df.itertuples():
        assert row.value_usd == pytest.approx(now.get(row.code, 0.0))
        assert row.prev_value_usd == pytest.approx(before.get(row.code, 0.0))
        assert row.contribution_pp == pytest.approx(
            (now.get(row.code, 0.0) - before.get(row.code, 0.0)) / prev_total * 100
        )
    assert abs(df.share.sum() - 1) <= 1e-12
    assert df.contribution_pp.sum() == pytest.approx((total / prev_total - 1) * 100)
    names = df.set_index("code")
    assert names.loc["tractors", "label_ru"] == "Тракторы"
    assert names.loc["sugar", "value_usd"] == 0.0  # a basket without trade is listed
    assert df.attrs["metadata"]["level"] == "baskets"
    assert df.attrs["metadata"]["baskets"]["name"] == "test baskets"


def test_exports_2014_by_basket_worked_by_hand(pair):
    df = pair.structure(2014, level=BASKETS).to_frame().set_index("code")
    assert df.loc["tractors", "value_usd"] == 150_500.0
    assert df.loc["fuel", "value_usd"] == 40_000.0
    assert df.loc["dairy", "value_usd"] == 30_000.0
    assert df.loc["other", "value_usd"] == 25_000 + 10_000 + 5_000 + 2_000
    assert df.loc["dairy", "prev_value_usd"] == 50_000.0
    assert list(df.index) == ["tractors", "fuel", "dairy", "sugar", "other"]


def test_baskets_with_top_fold_the_rest_into_other(pair):
    full = pair.structure(2014, level=BASKETS).to_frame().set_index("code")
    df = pair.structure(2014, level=BASKETS, top=1).to_frame()
    assert list(df.code) == ["tractors", "other"]
    expected = full.loc[["fuel", "dairy", "sugar", "other"], "value_usd"].sum()
    assert df.value_usd.iloc[-1] == pytest.approx(expected)
    assert abs(df.share.sum() - 1) <= 1e-12
    assert df.attrs["metadata"]["other_groups"] == 4


# --- other pairs, errors, metadata ----------------------------------------------------------


def test_pair_without_flows_in_a_direction_is_empty(store):
    pair = Pair(store, "KAZ", "RUS")
    empty = pair.structure(2014).to_frame()
    assert empty.empty and list(empty.columns) == BASE_COLUMNS
    imports = pair.structure(2014, direction="imports").to_frame()
    assert list(imports.code) == ["27"] and imports.value_usd.iloc[0] == 700_000.0
    assert imports.share.iloc[0] == 1.0 and nan(imports.growth.iloc[0])


def test_unknown_level_and_direction(pair):
    with pytest.raises(AnalysisError, match="unknown level"):
        pair.structure(2014, level="hs8").to_frame()
    with pytest.raises(AnalysisError, match="unknown direction"):
        pair.structure(2014, direction="both").to_frame()


def test_metadata(pair):
    df = pair.structure(2015, direction="imports", level="section", base=2013, top=2).to_frame()
    meta = df.attrs["metadata"]
    assert (meta["a"], meta["b"], meta["years"]) == ("BLR", "KAZ", [2015])
    assert (meta["direction"], meta["level"], meta["base"]) == ("imports", "section", 2013)
    assert meta["previous_year"] == 2014
    assert meta["classification"] == "HS92" and meta["source"] == "baci-hs92"
    conversion = meta["conversion"]
    assert conversion["applied"] is False
    assert conversion["editions"] == {2013: "HS92", 2014: "HS92", 2015: "HS92"}
    assert "no conversion" in conversion["note"]


# --- the synthetic demo world against pandas over the Parquet files -------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return synthetic_store(tmp_path_factory.mktemp("demo"), years=range(2013, 2015))


def parquet_hs2(store, exporter: str, importer: str) -> pd.DataFrame:
    """Values by chapter and year, straight from the Parquet files with pyarrow and pandas."""
    columns = ["year", "exporter", "importer", "declared_by", "re_flow", "product", "value_usd"]
    wanted = (
        (pc.field("exporter") == exporter)
        & (pc.field("importer") == importer)
        & (pc.field("declared_by") == "reconciled")
        & ~pc.field("re_flow")
    )
    parts = [pq.ParquetFile(p).read(columns=columns).filter(wanted) for p in store.parquet_files()]
    df = pd.concat([t.to_pandas() for t in parts], ignore_index=True)
    return (
        df.assign(code=df["product"].str[:2], year=df.year.astype(int))
        .groupby(["code", "year"])
        .value_usd.sum()
        .unstack(fill_value=0.0)
    )


@pytest.mark.slow
@pytest.mark.parametrize("direction", ["exports", "imports"])
def test_demo_world_hs2_equals_pandas_groupby(demo, direction):
    a, b = ("BLR", "KAZ") if direction == "exports" else ("KAZ", "BLR")
    expected = parquet_hs2(demo, a, b)
    now, before = expected[2014], expected[2013]
    keep = (now > 0) | (before > 0)
    now, before = now[keep], before[keep]
    df = Pair(demo, "BLR", "KAZ").structure(2014, direction=direction, level="hs2").to_frame()
    assert len(df) > 10
    got = df.set_index("code")
    assert sorted(got.index) == sorted(now.index)
    pd.testing.assert_series_equal(
        got.value_usd.sort_index(), now.sort_index(), check_names=False, rtol=1e-12
    )
    pd.testing.assert_series_equal(
        got.prev_value_usd.sort_index(), before.sort_index(), check_names=False, rtol=1e-12
    )
    share = now / now.sum()
    contribution = (now - before) / before.sum() * 100
    pd.testing.assert_series_equal(
        got.share.sort_index(), share.sort_index(), check_names=False, rtol=1e-12
    )
    pd.testing.assert_series_equal(
        got.contribution_pp.sort_index(),
        contribution.sort_index(),
        check_names=False,
        rtol=1e-9,
        atol=1e-12,
    )
    assert list(got.value_usd) == sorted(got.value_usd, reverse=True)
    assert abs(df.share.sum() - 1) <= 1e-12
    assert df.contribution_pp.sum() == pytest.approx((now.sum() / before.sum() - 1) * 100)
    assert df.attrs["metadata"]["synthetic"] is True
