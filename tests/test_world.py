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
    with pytest.raises(AnalysisError, match="EAEU had no members in 2014"):
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
