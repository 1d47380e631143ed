"""Ingest guards against silent data loss: a year that loads nothing, a partial newer release,
and line-end damage that DuckDB's CSV reader cannot parse."""

from __future__ import annotations

import pytest

import silkroad as sr
from conftest import COUNTRIES_NEW, WORLD_2014, WORLD_2015, year_text
from silkroad.errors import StoreError


def _catalog(home):
    return (home / "catalog.json").read_bytes()


def test_a_year_whose_rows_are_all_rejected_does_not_replace_held_data(world_home, baci_files):
    before = _catalog(world_home)
    # The 2014 rows in a file named for 2015: every row is a year mismatch.
    bad = baci_files.year_file(2015, WORLD_2014)
    with pytest.raises(StoreError, match=r"every row of 2015 was rejected.*year_mismatch"):
        sr.ingest(sr.open(world_home), "baci", bad)
    assert _catalog(world_home) == before
    # With force the user gets what they asked: an empty 2015, its rows in quarantine.
    result = sr.ingest(sr.open(world_home), "baci", bad, force=True)
    assert (result.rows_loaded, result.rows_rejected) == (0, len(WORLD_2014))
    rejected = sr.open(world_home).rejected("baci-hs92")
    assert set(rejected.code) == {"year_mismatch"}


def test_a_single_year_of_a_newer_release_may_not_drop_the_other_years(world_home, baci_files):
    before = _catalog(world_home)
    newer = baci_files.year_file(2015, WORLD_2015, version="202501")
    with pytest.raises(StoreError, match=r"covers 2015 only.*would drop 2014"):
        sr.ingest(sr.open(world_home), "baci", newer)
    assert _catalog(world_home) == before
    assert sr.open(world_home).years() == [2014, 2015]


@pytest.mark.parametrize(
    "damage",
    [
        b"2014,112,398,870120,-5,1\r\n",  # one CRLF line in an LF file
        b"2014,112,398,8701\r20,5,1\n",  # a lone CR inside a field
    ],
)
def test_line_end_damage_is_quarantined_not_a_crash(baci_files, home, damage):
    folder = baci_files.release_dir({2014: WORLD_2014}, countries=COUNTRIES_NEW)
    path = folder / "BACI_HS92_Y2014_V202401b.csv"
    good = year_text(WORLD_2014).encode()
    path.write_bytes(good + damage)
    result = sr.ingest(sr.open(home), "baci", folder)
    assert result.rows_read == len(WORLD_2014) + 1
    assert (result.rows_loaded, result.rows_rejected) == (len(WORLD_2014), 1)
    rejected = sr.open(home).rejected("baci-hs92")
    assert rejected.line.tolist() == [len(WORLD_2014) + 2]  # header is line 1
