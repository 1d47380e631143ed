"""The in-memory pair totals (analytics/totals.py): never stale, and the same figures as the engine.

Figures come from the hand-worked world of conftest.py (thousands of USD in the files).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import silkroad as sr
from conftest import WORLD_2014, WORLD_2015
from silkroad.analytics import totals

# BLR -> KAZ in 2014 and 2015, from the world's lines (USD).
BLR_KAZ = {2014: (300.5 + 99.5) * 1000, 2015: (450 + 50.25) * 1000}


def test_a_new_ingest_is_seen_by_the_same_store_object(baci_files, home):
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_dir({2014: WORLD_2014}, name="one"))
    first = sr.pair(store, "BLR", "KAZ").summary().to_frame()
    assert first.exports_usd.tolist() == pytest.approx([BLR_KAZ[2014]])
    # A later release holding both years replaces the first; the cached totals must not answer.
    changed = [line.replace("300.5", "600.5") for line in WORLD_2014]
    sr.ingest(
        store,
        "baci",
        baci_files.release_zip({2014: changed, 2015: WORLD_2015}, version="202501"),
    )
    again = sr.pair(store, "BLR", "KAZ").summary().to_frame()
    assert again.year.tolist() == [2014, 2015]
    assert again.exports_usd.tolist() == pytest.approx([BLR_KAZ[2014] + 300 * 1000, BLR_KAZ[2015]])
    # and a second Store object on the same home sees the same
    other = sr.pair(sr.open(home), "BLR", "KAZ").summary().to_frame()
    assert other.exports_usd.tolist() == again.exports_usd.tolist()


@pytest.mark.parametrize(
    ("a", "b"), [("BLR", "KAZ"), ("KAZ", "BLR"), ("EAEU", "USA"), ("BLR", "EAEU"), ("RUS", "CIS")]
)
def test_profile_is_the_same_with_and_without_the_index(world_home, monkeypatch, a, b):
    with_index = sr.pair(sr.open(world_home), a, b).profile().to_frame()
    monkeypatch.setattr(totals, "MAX_ROWS", 0)  # too large: every question goes to the engine
    monkeypatch.setattr(totals, "_CACHE", type(totals._CACHE)())
    store = sr.open(world_home)
    assert totals.totals_index(store, store.catalog.current_files()[0][0]) is None
    from_engine = sr.pair(store, a, b).profile().to_frame()
    pd.testing.assert_frame_equal(with_index, from_engine, check_dtype=False)


def test_touching_rows_are_exactly_the_flows_with_a_member_at_one_end(world_store):
    source = world_store.catalog.current_files()[0][0]
    index = totals.totals_index(world_store, source)
    assert index is not None
    got = index.touching(["KAZ"], [2014])
    pairs = sorted(zip(got.exporter, got.importer, strict=True))
    # 2014 lines with KAZ at one end: BLR->KAZ (2 products), KAZ->BLR (2), RUS->KAZ
    assert pairs == [("BLR", "KAZ"), ("KAZ", "BLR"), ("RUS", "KAZ")]
    value = dict(zip(zip(got.exporter, got.importer, strict=True), got.value_usd, strict=True))
    assert value[("BLR", "KAZ")] == pytest.approx(BLR_KAZ[2014])
    assert value[("KAZ", "BLR")] == pytest.approx(300 * 1000)
    assert np.isclose(value[("RUS", "KAZ")], 700 * 1000)


def test_threads_asking_at_once_read_the_table_once(world_home, monkeypatch):
    """A busy server's workers asking together: one reads the pair totals, the rest wait."""
    import threading

    monkeypatch.setattr(totals, "_CACHE", type(totals._CACHE)())
    reads = []
    real = totals._build

    def slow(store, source):
        reads.append(source)
        return real(store, source)

    monkeypatch.setattr(totals, "_build", slow)
    start = threading.Barrier(8)
    got = []

    def ask():
        store = sr.open(world_home)
        start.wait()
        got.append(sr.pair(store, "BLR", "KAZ").summary().to_frame().exports_usd.tolist())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reads) == 1
    assert got == [[pytest.approx(BLR_KAZ[2014]), pytest.approx(BLR_KAZ[2015])]] * 8


def test_an_economy_listed_only_with_re_exports_is_covered(tmp_path, monkeypatch):
    # BLR's 2016 declarations: exports to KAZ, and to RUS only re-exports. RUS is in the source
    # that year (covered: its trade with BLR is known), as the engine's own count says.
    from silkroad.analytics.unknown import covered
    from test_comtrade import KAZ, RUS, rec, write_json

    path = write_json(
        tmp_path / "blr.json", [rec("X", KAZ, "870120", 600.0), rec("RX", RUS, "870120", 50.0)]
    )
    store = sr.open(tmp_path / "home")
    sr.ingest(store, "comtrade", path)
    source = store.catalog.current_files()[0][0]
    index = totals.totals_index(store, source)
    assert index is not None and "RUS" not in set(index.frame.importer)  # re-exports left out
    assert covered(store, source, [2016]) == {2016: frozenset({"BLR", "KAZ", "RUS"})}
    monkeypatch.setattr(totals, "MAX_ROWS", 0)  # the engine answers instead of the index
    monkeypatch.setattr(totals, "_CACHE", type(totals._CACHE)())
    engine = sr.open(tmp_path / "home")
    assert totals.totals_index(engine, source) is None
    assert covered(engine, source, [2016]) == {2016: frozenset({"BLR", "KAZ", "RUS"})}
