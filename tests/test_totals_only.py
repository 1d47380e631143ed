"""A national table of totals only (no product detail): the structure, the brief and their
provenance say so instead of failing on an HS edition the data do not have (issue 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import silkroad as sr
from silkroad.briefs import brief

MAPPING = {
    "name": "stat",
    "reporter": "BLR",
    "flow": "exports",
    "unit": "thousand_usd",
    "partner": "Страна",
    "product": "Код",
    "classification": "HS12",
    "wide": {"columns": "years"},
}


def _store(tmp_path: Path, lines: list[str]) -> sr.Store:
    path = tmp_path / "table.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = sr.open(tmp_path / "home")
    sr.ingest(store, "table", path, mapping=MAPPING)
    return store


def test_a_table_of_totals_only_gives_one_row_not_broken_down(tmp_path):
    # Belarus's exports: to Kazakhstan 1,000 then 1,500 thousand USD, to Russia 3,000 then 3,500
    store = _store(
        tmp_path,
        ["Страна;Код;2013;2014", "Казахстан;Всего;1000;1500", "Россия;Всего;3000;3500"],
    )
    s = sr.pair(store, "BLR", "KAZ").structure(2014)
    table = s.to_frame()
    assert table.code.tolist() == ["TOTAL"]
    assert table.value_usd.tolist() == pytest.approx([1_500_000.0])
    assert table.share.tolist() == pytest.approx([1.0])
    assert table.growth.tolist() == pytest.approx([1500 / 1000 - 1])
    # the provenance names what the data are, not an HS edition they do not have
    assert s.metadata["classification"] == "TOTAL"
    assert s.metadata["conversion"]["note"] == "totals only, no product detail"
    b = brief(store, "BLR", "KAZ", year=2014, generated_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    text = " ".join(b.narrative).replace("\u00a0", " ")
    assert "$1.5 million" in text
    assert "TOTAL" not in text  # never named as a product


def test_a_totals_year_beside_a_detailed_year_needs_no_conversion(tmp_path):
    # 2013: a total only; 2014: 8701 600 + 0402 400 = its total 1,000 (quarantined as aggregate)
    store = _store(
        tmp_path,
        [
            "Страна;Код;2013;2014",
            "Казахстан;Всего;800;1000",
            "Казахстан;8701;;600",
            "Казахстан;0402;;400",
        ],
    )
    s = sr.pair(store, "BLR", "KAZ").structure(2014, level="hs4")
    t = s.to_frame().set_index("code")
    # 2014 in products; 2013's 800,000 USD sits in the not-broken-down row (nothing in 2014)
    assert t.value_usd.to_dict() == pytest.approx(
        {"8701": 600_000.0, "0402": 400_000.0, "TOTAL": 0}
    )
    assert t.prev_value_usd.fillna(0).to_dict() == pytest.approx(
        {"8701": 0.0, "0402": 0.0, "TOTAL": 800_000.0}
    )
    assert s.metadata["conversion"]["editions"] == {2013: "HS12", 2014: "HS12"}  # one ingest
    assert s.metadata["classification"] == "HS12"
    assert s.metadata["total_growth"] == pytest.approx(1000 / 800 - 1)
