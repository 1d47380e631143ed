"""The brief's shared reads (its speed work) give the numbers of the separate reads they replace:
the history chart's one query for every year against one structure query per year, on the
hand-made world whose figures are written in ``_report_world``."""

from __future__ import annotations

import pandas as pd
import pytest

from _report_world import FLOWS, build
from silkroad.analytics import briefing
from silkroad.analytics.pair import Pair

#: The section of each chapter traded in the hand-made world (HS section table, by hand).
SECTION = {"87": "XVII", "27": "V", "04": "I", "84": "XVI", "72": "XV", "10": "II"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build(tmp_path_factory.mktemp("brief-speed"))


def _count_queries(monkeypatch) -> list[list[int]]:
    """Record the years of every product-flow query a Pair sends to the store."""
    calls: list[list[int]] = []
    original = Pair._query_product_flows

    def query(self: Pair, ys: list[int]) -> pd.DataFrame:
        calls.append(list(ys))
        return original(self, ys)

    monkeypatch.setattr(Pair, "_query_product_flows", query)
    return calls


@pytest.mark.parametrize(("a", "b"), [("BLR", "KAZ"), ("CIS", "CHN"), ("BLR", "CHN")])
def test_history_from_one_query_equals_one_structure_per_year(store, monkeypatch, a, b) -> None:
    calls = _count_queries(monkeypatch)
    data = briefing.gather(store, a, b, year=2014, base=2011)
    assert len(calls) == 1  # structure, movers, prices and every year of the history
    assert calls[0] == [2011, 2012, 2013, 2014]
    assert data.history is not None
    for direction in ("exports", "imports"):
        got = data.history[direction]
        for y in data.years:
            fresh = Pair(store, a, b)  # its own query for this year alone
            want = fresh.structure(y, direction=direction, level="section").to_frame()
            want = want.assign(year=y)[briefing.HISTORY_COLUMNS].reset_index(drop=True)
            mine = got[got.year == y].reset_index(drop=True)
            if want.empty:  # no trade that year (its empty frame's dtypes do not matter)
                assert mine.empty
            else:
                pd.testing.assert_frame_equal(mine, want, check_exact=True)
    assert len(calls) == 1 + 2 * len(data.years)  # the fresh pairs' own queries


def test_history_values_are_the_hand_made_flows_by_section(store) -> None:
    data = briefing.gather(store, "BLR", "KAZ", year=2014, base=2011)
    assert data.history is not None
    for direction, (ex, im) in {"exports": ("BLR", "KAZ"), "imports": ("KAZ", "BLR")}.items():
        got = data.history[direction]
        for y in (2011, 2012, 2013, 2014):
            want: dict[str, float] = {}
            for product, (v, _q) in FLOWS[y].get((ex, im), {}).items():
                section = SECTION[product[:2]]
                want[section] = want.get(section, 0.0) + v * 1000.0
            rows = got[(got.year == y) & (got.value_usd > 0)]
            assert dict(zip(rows.code, rows.value_usd, strict=True)) == pytest.approx(want)
            assert rows.share.sum() == pytest.approx(1.0)


def test_a_wider_read_serves_each_year_as_its_own_query_would(store) -> None:
    wide = Pair(store, "CIS", "CHN")
    wide.product_flows([2011, 2012, 2013, 2014])
    for years in ([2013, 2014], [2012], [2011, 2014]):
        alone = Pair(store, "CIS", "CHN").product_flows(years)
        pd.testing.assert_frame_equal(wide.product_flows(years), alone, check_exact=True)


SPEC = {
    "data": {"values": [{"year": 2013, "v": 1.5}, {"year": 2014, "v": 2.25}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "year", "type": "ordinal"},
        "y": {"field": "v", "type": "quantitative"},
    },
    "width": 120,
    "height": 80,
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_chart_is_laid_out_once_and_its_png_is_vl_converts_own(monkeypatch, lang) -> None:
    import vl_convert as vlc

    from silkroad.report import charts

    spec = {**SPEC, "title": f"once {lang}"}  # not drawn by another test before
    # The reference: vl-convert's own PNG of the spec, before anything is cached.
    want = vlc.vegalite_to_png(
        spec, vl_version=charts.VL_VERSION, scale=2.0, format_locale=charts.D3_LOCALES[lang]
    )
    layouts = []
    real = vlc.vegalite_to_svg

    def counted(*args, **kwargs):
        layouts.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(vlc, "vegalite_to_svg", counted)
    svg = charts.to_svg(spec, lang)  # the PDF's
    png = charts.to_png(spec, lang, scale=2.0)  # the workbook's, from the same layout
    assert png == want
    assert charts.to_svg(dict(reversed(list(spec.items()))), lang) == svg  # same spec, same key
    assert len(layouts) == 1
    other = charts.to_svg({**spec, "title": "changed"}, lang)  # a new spec is laid out anew
    assert len(layouts) == 2 and other != svg


def test_the_gravity_of_a_store_state_is_estimated_once(tmp_path, monkeypatch) -> None:
    import silkroad as sr
    from conftest import BaciFiles
    from silkroad.analytics import gravity as grav
    from silkroad.analytics import prospects
    from test_advantage import _random_release

    estimates = []
    real = grav.gravity

    def counted(*args, **kwargs):
        estimates.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(prospects.grav, "gravity", counted)
    store = sr.open(tmp_path / "home")
    sr.ingest(store, "baci", _random_release(BaciFiles(tmp_path / "one"), n_e=12))
    first = prospects.gravity_fit(sr.world(store), [2015], pair=("AFG", "ALB"))
    # Another pair's brief, from a store opened anew: the same fit, not a new estimate.
    again = sr.open(tmp_path / "home")
    second = prospects.gravity_fit(sr.world(again), [2015], pair=("ALB", "DZA"))
    assert len(estimates) == 1
    pd.testing.assert_frame_equal(second["coefficients"], first["coefficients"])
    # The reference: the model estimated directly from the store's flows, no cache in between.
    direct = real(sr.world(again).bilateral_totals([2015]), years=[2015])
    for got, (a, b) in ((first, ("AFG", "ALB")), (second, ("ALB", "DZA"))):
        want = grav.pair_fit(direct, a, b).table
        pd.testing.assert_frame_equal(got["pair"], want, check_exact=True)
    # Nothing is written into the store: analytics only read it (a reader may be read-only).
    assert not (tmp_path / "home" / "cache").exists()
    # New data in the store (a re-ingest): estimated anew, from the new flows.
    sr.ingest(again, "baci", _random_release(BaciFiles(tmp_path / "two"), n_e=12, seed=8))
    third = prospects.gravity_fit(sr.world(sr.open(tmp_path / "home")), [2015], pair=("AFG", "ALB"))
    assert len(estimates) == 2
    assert third["pair"].actual.iloc[0] != first["pair"].actual.iloc[0]


def test_panels_are_read_once_per_store_state_and_equal_a_fresh_read(tmp_path, monkeypatch):
    import numpy as np

    import silkroad as sr
    from conftest import BaciFiles
    from silkroad.analytics import world as wmod
    from test_advantage import _random_release

    store = sr.open(tmp_path / "home")
    sr.ingest(store, "baci", _random_release(BaciFiles(tmp_path / "one"), n_e=12))
    reads = []
    real = wmod.World._sides  # the panel's one read (product totals, or the flows)

    def counted(self, years, level):
        reads.append(list(years))
        return real(self, years, level)

    monkeypatch.setattr(wmod.World, "_sides", counted)
    first = sr.world(store).panels([2015], level="hs6")[2015]
    # The brief's next section, or the next brief of the process: another World, no new read.
    again = sr.world(sr.open(tmp_path / "home")).panel(2015, level="hs6")
    assert reads == [[2015]]
    wmod._SHARED.clear()
    fresh = sr.world(sr.open(tmp_path / "home")).panel(2015, level="hs6")
    assert len(reads) == 2
    for p in (first, again):
        assert (p.economies, p.products) == (fresh.economies, fresh.products)
        assert np.array_equal(p.exports, fresh.exports)
        assert np.array_equal(p.imports, fresh.imports)
    # Exports of AFG by product are the release's rows (thousands of USD), summed by hand; its
    # rows to itself are not trade (rejected at ingest).
    lines = (tmp_path / "one" / "release").glob("BACI_*.csv")
    want: dict[str, float] = {}
    for line in next(iter(lines)).read_text().splitlines()[1:]:
        _t, i, j, k, v, _q = line.split(",")
        if i == "4" and j != "4":
            want[k.zfill(6)] = want.get(k.zfill(6), 0.0) + float(v) * 1000.0
    row = fresh.exports[fresh.economies.index("AFG")]
    got = {c: x for c, x in zip(fresh.products, row, strict=True) if x}
    assert got == pytest.approx(want)
    # New data (a re-ingest): read anew.
    sr.ingest(store, "baci", _random_release(BaciFiles(tmp_path / "two"), n_e=12, seed=8))
    sr.world(sr.open(tmp_path / "home")).panel(2015, level="hs6")
    assert len(reads) == 3
