"""The dense path of summary and profile (analytics/totals.py ``Dense``) against the row-wise
path and the engine: the same frames bit for bit, the same metadata, on the hand-worked world
of conftest.py and on a synthetic world with blocs, years not held and unknown cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import silkroad as sr
from conftest import COUNTRIES_NEW, WORLD_2014, WORLD_2015
from silkroad.analytics import totals
from silkroad.errors import AnalysisError


def _answers(store, a: str, b: str, years, base) -> dict[str, object]:
    pair = sr.pair(store, a, b)
    summary = pair.summary(years)
    profile = pair.profile(years, base=base)
    return {
        "summary": summary.to_frame(),
        "summary_meta": summary.metadata,
        "profile": profile.to_frame(),
        "profile_meta": profile.metadata,
        "cagr": profile.values["cagr"],
        "json": profile.to_json(),
    }


def _paths(monkeypatch, home, a, b, years=None, base=None) -> dict[str, dict[str, object]]:
    """The answers of the three paths: dense arrays, rows of the index, engine queries."""
    out = {}
    for name, rows, cells in (
        ("dense", totals.MAX_ROWS, totals.MAX_CELLS),
        ("rows", totals.MAX_ROWS, 0),  # the index without arrays: the row-wise pandas path
        ("engine", 0, 0),  # no index at all: every question is a query
    ):
        monkeypatch.setattr(totals, "MAX_ROWS", rows)
        monkeypatch.setattr(totals, "MAX_CELLS", cells)
        monkeypatch.setattr(totals, "_CACHE", type(totals._CACHE)())
        store = sr.open(home)
        index = totals.totals_index(store, store.catalog.current_files()[0][0])
        assert (index is not None and index.dense is not None) == (name == "dense"), name
        try:
            out[name] = _answers(store, a, b, years, base)
        except AnalysisError as exc:  # the same refusal on every path
            out[name] = {"error": str(exc)}
    return out


def _same(got: dict[str, object], want: dict[str, object]) -> None:
    if "error" in want or "error" in got:
        assert got == want
        return
    for key in ("summary", "profile"):
        pd.testing.assert_frame_equal(got[key], want[key], check_exact=True)
    for key in ("summary_meta", "profile_meta", "json"):
        assert got[key] == want[key], key
    cagr_got, cagr_want = got["cagr"], want["cagr"]
    assert cagr_got.keys() == cagr_want.keys()
    for k, v in cagr_want.items():
        assert cagr_got[k] == v or (math.isnan(cagr_got[k]) and math.isnan(v)), k


@pytest.fixture(scope="module")
def synthetic_home(tmp_path_factory):
    from silkroad.sources import synthetic

    root = tmp_path_factory.mktemp("dense-world")
    archive = synthetic.generate(root / "release", size="small", years=[2013, 2014, 2016])
    store = sr.open(root / "home")
    sr.ingest(store, "baci", archive)
    return root / "home"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("BLR", "KAZ"),
        ("KAZ", "BLR"),
        ("BLR", "USA"),  # a new flow and a fall to zero
        ("BLR", "ATA"),  # an economy without rows: unknown
        ("EAEU", "USA"),  # a bloc before it existed (2015): unknown in 2014
        ("BLR", "EAEU"),
        ("RUS", "CIS"),
        ("CIS", "EAEU"),  # overlapping blocs: the same error on every path
    ],
)
def test_hand_world_dense_equals_rows_and_engine(world_home, monkeypatch, a, b):
    paths = _paths(monkeypatch, world_home, a, b)
    _same(paths["dense"], paths["rows"])
    _same(paths["dense"], paths["engine"])
    if "error" in paths["dense"]:
        assert "common members" in str(paths["dense"]["error"])


@pytest.mark.parametrize(
    ("a", "b", "years", "base"),
    [
        ("BLR", "KAZ", None, None),
        ("CHN", "USA", None, 2013),
        ("DEU", "EU27", range(2013, 2017), None),  # 2015 not held: skipped with a note
        ("EU27", "CHN", [2014, 2016], 2013),  # a bloc of many members: sums of many rows
        ("EU27", "EAEU", [2016], None),  # two blocs: a block of members by members
        ("EAEU", "CIS", None, None),  # overlapping blocs: refused on every path alike
        ("EAEU", "CHN", None, None),  # EAEU did not exist in 2013 or 2014
        ("KAZ", "ATA", None, None),  # Antarctica: no rows at all
    ],
)
def test_synthetic_world_dense_equals_rows_and_engine(
    synthetic_home, monkeypatch, a, b, years, base
):
    paths = _paths(monkeypatch, synthetic_home, a, b, years, base)
    _same(paths["dense"], paths["rows"])
    _same(paths["dense"], paths["engine"])
    if "error" in paths["dense"]:
        assert "common members" in str(paths["dense"]["error"])
    if years is not None and 2015 in years:
        assert paths["dense"]["summary_meta"]["years_not_held"] == [2015]


def test_kahan_is_pandas_group_sum_bit_for_bit():
    # Values where the order and the compensation matter (a naive sum loses the small terms).
    rng = np.random.default_rng(5)
    values = np.concatenate([[1e16, 1.0, -1e16, 3.3], rng.lognormal(10, 4, 500)])
    want = pd.Series(values).groupby(np.zeros(len(values))).sum().iloc[0]
    assert totals.kahan(values.tolist()) == want
    assert totals.kahan([1e16, 1.0, 1.0, -1e16]) == 2.0  # a plain left-to-right sum gives 0.0
    assert math.isnan(totals.kahan([1.0, float("nan"), 2.0]))
    # By column, over the cells that exist only (a skipped cell is not a zero added).
    blocks = [rng.lognormal(8, 3, (4, 3)), rng.lognormal(8, 3, (2, 3))]
    present = [rng.random((4, 3)) < 0.7, np.ones((2, 3), dtype=bool)]
    got = totals.kahan_columns(blocks, present)
    for j in range(3):
        cells = [
            blocks[k][i, j] for k in range(2) for i in range(len(blocks[k])) if present[k][i, j]
        ]
        want = pd.Series(cells).groupby(np.zeros(len(cells))).sum().iloc[0]
        assert got[j] == want


def test_several_rows_per_cell_keep_the_row_wise_path():
    # Monthly data: two rows for one exporter, importer, declaration and year.
    frame = pd.DataFrame(
        {
            "year": [2014, 2014],
            "exporter": ["BLR", "BLR"],
            "importer": ["KAZ", "KAZ"],
            "declared_by": ["exporter", "exporter"],
            "value_usd": [1.0, 2.0],
        }
    )
    assert totals._dense(frame) is None
    one = totals._dense(frame.iloc[:1])
    assert one is not None
    d, y, e, i = one.declared["exporter"], one.years[2014], one.position["BLR"], one.position["KAZ"]
    assert one.value[d, y, e, i] == 1.0 and one.rows[d, y, e, i] == 1
    assert one.value.sum() == 1.0 and one.rows.sum() == 1


def test_an_aggregate_partner_is_left_out_alike(baci_files, home, monkeypatch):
    # A release whose country list names the World (numeric 0): a row BLR -> WLD is kept as
    # an aggregate, never a partner in BLR's total trade (METHODS 1.5), on every path.
    countries = COUNTRIES_NEW + "\n0,World,,WLD"
    lines = {
        2014: [*WORLD_2014, "2014,112,0,870120,5000,1"],
        2015: [*WORLD_2015, "2015,0,112,870120,7000,1"],
    }
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_dir(lines, countries=countries))
    held = sr.pair(store, "BLR", "KAZ").touching_totals([2014, 2015])
    assert "WLD" in set(held.importer) | set(held.exporter)  # the aggregate rows are stored
    paths = _paths(monkeypatch, home, "BLR", "KAZ")
    _same(paths["dense"], paths["rows"])
    _same(paths["dense"], paths["engine"])
    # BLR's trade with every partner, by hand (thousands of USD): KAZ, RUS, USA; not WLD
    total = paths["dense"]["profile"].a_trade_total_usd.tolist()
    by_hand = [(300.5 + 99.5 + 250 + 50 + 1000 + 20) * 1000, (450 + 50.25 + 150 + 800 + 10) * 1000]
    assert total == pytest.approx(by_hand, rel=1e-12)
