"""Movers (new, lost, gainers, losers, margins) on a hand-worked store and the synthetic world.

The hand-made release below is written in BACI units (v in thousands of USD, q in tons); every
expected figure is recomputed from these lines by plain arithmetic in the tests.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import silkroad as sr
from silkroad.analytics.movers import movers, with_labels
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError

COUNTRIES = "\n".join(
    [
        "country_code,country_name,country_iso2,country_iso3",
        "112,Belarus,BY,BLR",
        "398,Kazakhstan,KZ,KAZ",
        "643,Russian Federation,RU,RUS",
    ]
)

# BLR (112) -> KAZ (398) exports, product by product:
#   870120 A continuing  10 (5 t) -> 15 (6 t)
#   040210 B continuing  20 (10 t) -> 12 (4 t)      (written 40210, as BACI drops the zero)
#   270900 C new          - -> 7.5 (3 t)
#   720711 D lost         4 (2 t) -> -
#   847130 E continuing   3 (1 t) -> 5 (q NA)
#   300490 F continuing   1 (0 t) -> 2.5 (1 t)
#   999999 G continuing   6 (3 t) -> 6 (2 t)        (no HS chapter: empty labels)
# KAZ -> BLR imports: 100199 H 50 (100 t) -> 60 (100 t); 260300 I new 2014, 8 (4 t).
# BLR -> RUS: only in 2014 (all new); RUS -> KAZ: outside the BLR-KAZ pair.
HAND_2013 = [
    "2013,112,398,870120,10,5",
    "2013,112,398,40210,20,10",
    "2013,112,398,720711,4,2",
    "2013,112,398,847130,3,1",
    "2013,112,398,300490,1,0",
    "2013,112,398,999999,6,3",
    "2013,398,112,100199,50,100",
    "2013,643,398,870120,900,30",
]
HAND_2014 = [
    "2014,112,398,870120,15,6",
    "2014,112,398,40210,12,4",
    "2014,112,398,270900,7.5,3",
    "2014,112,398,847130,5,NA",
    "2014,112,398,300490,2.5,1",
    "2014,112,398,999999,6,2",
    "2014,398,112,100199,60,100",
    "2014,398,112,260300,8,4",
    "2014,112,643,870120,100,5",
    "2014,643,398,870120,950,31",
]

K = 1000.0  # USD per thousand USD


def hand_store(root: Path, years: dict[int, list[str]], *, version: str = "202401b") -> sr.Store:
    """Write a BACI release directory of ``years`` under ``root`` and ingest it into a store."""
    release = root / "release"
    release.mkdir(parents=True)
    for year, lines in years.items():
        text = "".join(f"{line}\n" for line in ["t,i,j,k,v,q", *lines])
        (release / f"BACI_HS92_Y{year}_V{version}.csv").write_text(text)
    (release / f"country_codes_V{version}.csv").write_text(COUNTRIES + "\n")
    store = sr.open(root / "home")
    result = sr.ingest(store, "baci", release)
    assert result.rows_rejected == 0
    return store


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> sr.Store:
    return hand_store(tmp_path_factory.mktemp("hand"), {2013: HAND_2013, 2014: HAND_2014})


@pytest.fixture(scope="module")
def exports(hand: sr.Store) -> dict:
    return movers(Pair(hand, "BLR", "KAZ"), 2014)


def test_margins_hand_worked(exports):
    m = exports["margins"]
    assert len(m) == 1
    row = m.iloc[0]
    total_prev = (10 + 20 + 4 + 3 + 1 + 6) * K  # 44 000
    total = (15 + 12 + 7.5 + 5 + 2.5 + 6) * K  # 48 000
    intensive = (15 - 10 + 12 - 20 + 5 - 3 + 2.5 - 1 + 6 - 6) * K  # A, B, E, F, G: 500
    assert (row.year, row.base_year, row.direction) == (2014, 2013, "exports")
    assert row.total_prev_usd == total_prev
    assert row.total_usd == total
    assert row.change_usd == total - total_prev == 4000
    assert row.intensive_usd == intensive == 500
    assert row.extensive_new_usd == 7.5 * K
    assert row.extensive_lost_usd == 4 * K  # positive
    assert row.change_usd == row.intensive_usd + row.extensive_new_usd - row.extensive_lost_usd
    assert row.intensive_share == pytest.approx(500 / 4000)
    assert row.extensive_new_share == pytest.approx(7500 / 4000)
    assert row.extensive_lost_share == pytest.approx(4000 / 4000)
    assert row.intensive_share + row.extensive_new_share - row.extensive_lost_share == (
        pytest.approx(1.0)
    )
    assert (row.n_continuing, row.n_new, row.n_lost) == (5, 1, 1)


def test_new_and_lost_products_with_chapter_labels(exports):
    new, lost = exports["new"], exports["lost"]
    assert list(new.columns) == ["product", "value_usd", "chapter", "label_en", "label_ru"]
    assert list(lost.columns) == ["product", "prev_value_usd", "chapter", "label_en", "label_ru"]
    assert new.to_dict("records") == [
        {
            "product": "270900",
            "value_usd": 7500.0,
            "chapter": "27",
            "label_en": "Mineral fuels and oil",
            "label_ru": "Минеральное топливо и нефть",
        }
    ]
    assert lost[["product", "prev_value_usd", "chapter"]].to_dict("records") == [
        {"product": "720711", "prev_value_usd": 4000.0, "chapter": "72"}
    ]
    assert lost.label_en[0] == "Iron and steel"


def test_gainers_and_losers_rank_all_products_by_change(exports):
    gainers, losers = exports["gainers"], exports["losers"]
    cols = ["product", "prev_value_usd", "value_usd", "change_usd", "growth", "status"]
    assert list(gainers.columns[: len(cols)]) == cols
    # C new +7500, A +5000, E +2000, F +1500; G (no change) is in neither table.
    assert list(gainers["product"]) == ["270900", "870120", "847130", "300490"]
    assert list(gainers.change_usd) == [7500, 5000, 2000, 1500]
    assert list(gainers.status) == ["new", "continuing", "continuing", "continuing"]
    assert math.isnan(gainers.growth[0])  # from zero: undefined, never +inf
    assert gainers.growth[1] == pytest.approx(15 / 10 - 1)
    assert gainers.growth[3] == pytest.approx(2.5 / 1 - 1)
    # B -8000, D lost -4000 (growth -100 %).
    assert list(losers["product"]) == ["040210", "720711"]
    assert list(losers.change_usd) == [-8000, -4000]
    assert list(losers.prev_value_usd) == [20000, 4000]
    assert list(losers.value_usd) == [12000, 0]
    assert losers.growth[0] == pytest.approx(12 / 20 - 1)
    assert losers.growth[1] == -1.0
    g = exports["gainers"].set_index("product")
    assert g.loc["870120", "label_en"] == "Vehicles other than railway"


def test_top_limits_gainers_and_losers(hand):
    out = movers(Pair(hand, "BLR", "KAZ"), 2014, top=1)
    assert list(out["gainers"]["product"]) == ["270900"]
    assert list(out["losers"]["product"]) == ["040210"]
    everything = movers(Pair(hand, "BLR", "KAZ"), 2014, top=None)
    assert len(everything["gainers"]) == 4 and len(everything["losers"]) == 2


def test_product_outside_hs_chapters_has_empty_labels():
    df = pd.DataFrame({"product": ["999999", "870120", "770000"]})
    out = with_labels(df)
    assert list(out.chapter) == ["99", "87", "77"]
    assert out.label_en[0] == "" and out.label_ru[0] == ""
    assert out.label_en[1] == "Vehicles other than railway"
    assert out.label_ru[1] != ""


def test_mirror_pair_imports_are_the_exports(hand, exports):
    back = movers(Pair(hand, "KAZ", "BLR"), 2014, direction="imports")
    for name in ("new", "lost", "gainers", "losers"):
        pd.testing.assert_frame_equal(back[name], exports[name])
    same = ["total_prev_usd", "total_usd", "intensive_usd", "extensive_new_usd"]
    assert back["margins"][same].equals(exports["margins"][same])


def test_imports_direction(hand):
    out = movers(Pair(hand, "BLR", "KAZ"), 2014, direction="imports")
    row = out["margins"].iloc[0]
    assert row.total_prev_usd == 50 * K
    assert row.total_usd == (60 + 8) * K
    assert row.intensive_usd == 10 * K
    assert row.extensive_new_usd == 8 * K and row.extensive_lost_usd == 0
    assert row.change_usd == row.intensive_usd + row.extensive_new_usd - row.extensive_lost_usd
    assert list(out["new"]["product"]) == ["260300"]
    assert out["lost"].empty and list(out["lost"].columns)[:2] == ["product", "prev_value_usd"]
    assert out["losers"].empty


def test_pair_with_no_trade_in_the_base_year(hand):
    out = movers(Pair(hand, "BLR", "RUS"), 2014)
    row = out["margins"].iloc[0]
    assert (row.total_prev_usd, row.total_usd, row.extensive_new_usd) == (0, 100 * K, 100 * K)
    assert row.intensive_usd == 0 and row.extensive_new_share == 1.0
    back = movers(Pair(hand, "BLR", "RUS"), 2014, direction="imports")
    assert back["margins"].iloc[0].change_usd == 0
    assert math.isnan(back["margins"].iloc[0].intensive_share)  # no change: shares undefined


def test_metadata_and_pair_method(hand, exports):
    meta = exports["metadata"]
    assert meta["analysis"] == "movers"
    assert (meta["year"], meta["base_year"], meta["years"]) == (2014, 2013, [2013, 2014])
    assert (meta["a"], meta["b"], meta["direction"]) == ("BLR", "KAZ", "exports")
    assert meta["currency"] == "USD" and meta["synthetic"] is False
    via_pair = Pair(hand, "BLR", "KAZ").movers(2014)
    for name in ("new", "lost", "gainers", "losers", "margins"):
        pd.testing.assert_frame_equal(via_pair[name], exports[name])


def test_year_before_must_be_in_the_store(hand):
    with pytest.raises(AnalysisError, match="2012") as err:
        movers(Pair(hand, "BLR", "KAZ"), 2013)
    assert err.value.field == "year" and err.value.found == 2012
    with pytest.raises(AnalysisError, match="2016"):
        movers(Pair(hand, "BLR", "KAZ"), 2016)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"direction": "both"}, "direction"),
        ({"top": 0}, "top"),
        ({"top": True}, "top"),
        ({"top": 2.5}, "top"),
    ],
)
def test_bad_arguments(hand, kwargs, field):
    with pytest.raises(AnalysisError) as err:
        movers(Pair(hand, "BLR", "KAZ"), 2014, **kwargs)
    assert err.value.field == field


# --- the synthetic demo world --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> sr.Store:
    from silkroad.sources import synthetic

    root = tmp_path_factory.mktemp("demo")
    release = synthetic.generate(root / "in", size="small", years=range(2013, 2015))
    store = sr.open(root / "home")
    sr.ingest(store, "baci", release)
    return store


def products_by_year(store: sr.Store, exporter: str, importer: str) -> dict[int, set[str]]:
    """Products traded (value > 0) per year, read straight from the store's Parquet files."""
    columns = ["year", "exporter", "importer", "declared_by", "re_flow", "product", "value_usd"]
    keep = [("exporter", "=", exporter), ("importer", "=", importer)]
    frames = [
        pq.read_table(path, columns=columns, filters=keep).to_pandas()
        for path in store.parquet_files()
    ]
    df = pd.concat(frames, ignore_index=True)
    df = df[
        (df.exporter == exporter)
        & (df.importer == importer)
        & (df.declared_by == "reconciled")
        & ~df.re_flow
        & (df.value_usd > 0)
    ]
    return {int(y): set(g["product"]) for y, g in df.groupby("year")}


@pytest.mark.parametrize(
    ("direction", "exporter", "importer"),
    [("exports", "BLR", "KAZ"), ("imports", "KAZ", "BLR")],
)
def test_synthetic_world_margins_and_sets(demo, direction, exporter, importer):
    out = movers(Pair(demo, "BLR", "KAZ"), 2014, direction=direction, top=None)
    row = out["margins"].iloc[0]
    assert row.change_usd == row.intensive_usd + row.extensive_new_usd - row.extensive_lost_usd
    assert row.total_usd - row.total_prev_usd == row.change_usd
    by_year = products_by_year(demo, exporter, importer)
    before, after = by_year.get(2013, set()), by_year.get(2014, set())
    assert set(out["new"]["product"]) == after - before
    assert set(out["lost"]["product"]) == before - after
    assert row.n_continuing == len(before & after)
    assert row.extensive_new_usd == out["new"].value_usd.sum()
    assert row.extensive_lost_usd == out["lost"].prev_value_usd.sum()
    movers_ = pd.concat([out["gainers"], out["losers"]])
    assert math.fsum(movers_.change_usd) == row.change_usd
    assert out["metadata"]["synthetic"] is True


def test_numpy_integer_year_is_accepted_and_a_float_is_not(hand):
    import numpy as np

    out = movers(Pair(hand, "BLR", "KAZ"), np.int64(2014))
    assert type(out["metadata"]["year"]) is int and out["metadata"]["base_year"] == 2013
    with pytest.raises(AnalysisError) as err:
        movers(Pair(hand, "BLR", "KAZ"), 2014.0)
    assert err.value.field == "year"
