"""The faster ingest (issue 13, "Ingest speed") keeps every guarantee.

The fast pass writes a year's pair and product totals from its own sorted table and proves the
keys unique by their strict increase; an input is hashed while it is staged; the years of an
archive may be staged in parallel. Each test checks the result against an independent
computation: the engine's own totals recomputed from the year file, sums worked out by hand
from the lines in conftest, or a serial ingest of the same archive.
"""

from __future__ import annotations

import shutil
import threading
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import silkroad as sr
from conftest import WORLD_2014, WORLD_2015
from silkroad.errors import FormatError
from silkroad.sources import baci
from silkroad.store.engine import PAIR_TOTALS, PRODUCT_TOTALS, DuckDBEngine

#: A third year for the parallel tests (same codes as the hand-worked world).
WORLD_2016 = [
    "2016,112,398,870120,500,9",  # BLR -> KAZ  500 000 USD
    "2016,398,112,270900,125.5,80",  # KAZ -> BLR  125 500 USD
    "2016,643,112,270900,60,NA",  # RUS -> BLR   60 000 USD
]
YEARS = {2014: WORLD_2014, 2015: WORLD_2015, 2016: WORLD_2016}


def _year_files(home: Path) -> dict[int, Path]:
    store = sr.open(home)
    return {y: home / rel for _, y, rel in store.catalog.current_files("baci-hs92")}


def _rows(path: Path) -> list[dict]:
    """Rows of a Parquet file in file order, sums rounded off float noise (1e-6 USD)."""
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        if isinstance(row.get("value_usd"), float):
            row["value_usd"] = round(row["value_usd"], 6)
    return rows


def _types(path: Path) -> list[tuple[str, str]]:
    return [(f.name, str(f.type)) for f in pq.read_schema(path)]


# --- totals written by the fast pass ----------------------------------------------------------
def test_fast_pass_totals_are_the_engines_totals_of_the_year_file(baci_files, home, tmp_path):
    sr.ingest(sr.open(home), "baci", baci_files.release_dir({2014: WORLD_2014, 2015: WORLD_2015}))
    engine = DuckDBEngine()
    for year, year_file in _year_files(home).items():
        # the engine recomputes both totals from the year file alone, in a fresh directory
        copy = tmp_path / f"recomputed-{year}" / year_file.name
        copy.parent.mkdir()
        shutil.copy(year_file, copy)
        engine.write_pair_totals(copy)
        engine.write_product_totals(copy)
        for name in (PAIR_TOTALS, PRODUCT_TOTALS):
            ours, theirs = year_file.with_name(name), copy.with_name(name)
            # same names and types (nullability flags aside: readers see the same columns)
            assert _types(ours) == _types(theirs), name
            assert _rows(ours) == _rows(theirs), (year, name)


def test_fast_pass_totals_match_the_hand_worked_world(baci_files, home):
    sr.ingest(sr.open(home), "baci", baci_files.release_dir({2014: WORLD_2014}))
    year_file = _year_files(home)[2014]
    pairs = {
        (r["exporter"], r["importer"]): (r["value_usd"], r["products"])
        for r in _rows(year_file.with_name(PAIR_TOTALS))
    }
    # BLR -> KAZ: 300.5 + 99.5 thousand USD over 2 products; KAZ -> BLR: 250 + 50
    assert pairs[("BLR", "KAZ")] == (400_000.0, 2)
    assert pairs[("KAZ", "BLR")] == (300_000.0, 2)
    assert pairs[("USA", "BLR")] == (20_000.0, 1)
    assert len(pairs) == 5
    products = {
        (r["side"], r["economy"], r["product"]): r["value_usd"]
        for r in _rows(year_file.with_name(PRODUCT_TOTALS))
    }
    # BLR exports 870120 to KAZ (300.5) and RUS (1000); KAZ imports 270900 from RUS (700)
    assert products[("exports", "BLR", "870120")] == 1_300_500.0
    assert products[("imports", "KAZ", "270900")] == 700_000.0
    assert products[("exports", "BLR", "040210")] == 99_500.0  # the leading zero kept
    assert products[("imports", "BLR", "270900")] == 250_000.0
    # 7 rows: 6 distinct (exporter, product) and 7 distinct (importer, product) groups
    assert sum(1 for k in products if k[0] == "exports") == 6
    assert sum(1 for k in products if k[0] == "imports") == 7


def test_a_year_rewritten_by_the_careful_pass_gets_totals_from_its_file(baci_files, home):
    lines = [*WORLD_2014, WORLD_2014[0]]  # a duplicate: the careful pass writes the year
    sr.ingest(sr.open(home), "baci", baci_files.release_dir({2014: lines}))
    year_file = _year_files(home)[2014]
    pairs = {
        (r["exporter"], r["importer"]): (r["value_usd"], r["products"])
        for r in _rows(year_file.with_name(PAIR_TOTALS))
    }
    assert pairs[("BLR", "KAZ")] == (400_000.0, 2)  # the repeated line counted once


# --- the duplicate proof ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("keys", "expected"),
    [([], 0), ([7], 1), ([1, 2, 3], 3), ([1, 2, 2], -1), ([1, 3, 2], -1), ([5, 5], -1)],
)
def test_keys_must_strictly_increase_to_be_trusted(keys, expected):
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE {baci.FAST_TABLE} (key BIGINT)")
    for key in keys:  # one insert each: the table keeps this order
        con.execute(f"INSERT INTO {baci.FAST_TABLE} VALUES ({key})")
    assert baci._fast_rows_unique(con) == expected


# --- the digest, computed while staging -------------------------------------------------------
def test_the_same_bytes_under_another_name_commit_nothing(baci_files, home, tmp_path):
    first = baci_files.release_dir({2014: WORLD_2014})
    store = sr.open(home)
    sr.ingest(store, "baci", first)
    generation = sr.open(home).catalog.generation
    second = tmp_path / "elsewhere"
    shutil.copytree(first, second)
    again = sr.ingest(sr.open(home), "baci", second)
    assert again.noop
    assert sr.open(home).catalog.generation == generation
    assert not any((home / "tmp").iterdir())  # the speculative staging was removed
    assert len(list((home / "data" / "baci-hs92").iterdir())) == 1


# --- years in parallel ------------------------------------------------------------------------
def _ingest_with(home: Path, archive: Path, workers: int, monkeypatch) -> sr.IngestResult:
    monkeypatch.setenv("SILKROAD_INGEST_WORKERS", str(workers))
    return sr.ingest(sr.open(home), "baci", archive)


def test_parallel_years_give_the_same_store_as_serial(baci_files, tmp_path, monkeypatch):
    dup_2015 = [*WORLD_2015, WORLD_2015[1]]  # line 7 repeats line 3: careful pass in one year
    bad_2016 = [*WORLD_2016, "2016,112,999,870120,5,1"]  # an unknown country code
    archive = baci_files.release_zip({2014: WORLD_2014, 2015: dup_2015, 2016: bad_2016})
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    a = _ingest_with(serial, archive, 1, monkeypatch)
    b = _ingest_with(parallel, archive, 3, monkeypatch)
    assert (b.rows_read, b.rows_loaded, b.rows_rejected) == (a.rows_read, a.rows_loaded, 2)
    assert (a.rows_read, a.rows_loaded) == (7 + 6 + 4, 7 + 5 + 3)
    assert (
        a.rejected_by_reason == b.rejected_by_reason == {"duplicate_key": 1, "unknown_country": 1}
    )
    assert a.record is not None and b.record is not None
    assert a.record.by_year == b.record.by_year
    files_a, files_b = _year_files(serial), _year_files(parallel)
    assert sorted(files_a) == sorted(files_b) == [2014, 2015, 2016]
    for year in files_a:
        for name in (files_a[year].name, PAIR_TOTALS, PRODUCT_TOTALS):
            assert _rows(files_a[year].with_name(name)) == _rows(files_b[year].with_name(name))
    rejected_a = sr.open(serial).rejected("baci-hs92")
    rejected_b = sr.open(parallel).rejected("baci-hs92")
    assert rejected_a.to_dict("records") == rejected_b.to_dict("records")


def test_a_duplicate_key_in_a_parallel_year_is_found(baci_files, home, monkeypatch):
    dup_2016 = [*WORLD_2016, WORLD_2016[2]]  # line 5 repeats line 4
    archive = baci_files.release_zip({2014: WORLD_2014, 2015: WORLD_2015, 2016: dup_2016})
    result = _ingest_with(home, archive, 3, monkeypatch)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (16, 15, 1)
    rejected = sr.open(home).rejected("baci-hs92")
    assert list(zip(rejected.year, rejected.line, rejected.code, strict=True)) == [
        (2016, 5, "duplicate_key")
    ]


def test_a_failing_year_in_parallel_commits_nothing(baci_files, home, monkeypatch):
    good = baci_files.release_zip({2014: WORLD_2014, 2015: WORLD_2015}, name="old.zip")
    _ingest_with(home, good, 1, monkeypatch)
    before = (home / "catalog.json").read_bytes()
    truncated = [*WORLD_2016[:-1], "2016,643,112,27"]  # the last line cut short, no newline
    newer = baci_files.root / "new.zip"
    with zipfile.ZipFile(newer, "w") as zf:
        for year, lines in {2014: WORLD_2014, 2015: WORLD_2015}.items():
            text = "t,i,j,k,v,q\n" + "".join(f"{line}\n" for line in lines)
            zf.writestr(f"BACI_HS92_Y{year}_V202501.csv", text)
        zf.writestr("BACI_HS92_Y2016_V202501.csv", "t,i,j,k,v,q\n" + "\n".join(truncated))
    with pytest.raises(FormatError, match="truncated"):
        _ingest_with(home, newer, 3, monkeypatch)
    assert (home / "catalog.json").read_bytes() == before  # the old release, untouched
    assert not any((home / "tmp").iterdir())
    store = sr.open(home)
    assert store.catalog.sources["baci-hs92"].source_version == "202401b"
    assert store.years() == [2014, 2015]


def test_ingest_workers_setting_is_checked(monkeypatch):
    from silkroad import settings
    from silkroad.errors import InputError

    monkeypatch.setenv("SILKROAD_INGEST_WORKERS", "2")
    assert settings.ingest_workers() == 2
    monkeypatch.setenv("SILKROAD_INGEST_WORKERS", "0")
    assert settings.ingest_workers() >= 1
    monkeypatch.setenv("SILKROAD_INGEST_WORKERS", "-1")
    with pytest.raises(InputError, match="SILKROAD_INGEST_WORKERS"):
        settings.ingest_workers()


def test_re_ingesting_the_same_path_hashes_first_and_stages_nothing(baci_files, home, monkeypatch):
    release = baci_files.release_dir({2014: WORLD_2014})
    sr.ingest(sr.open(home), "baci", release)

    def boom(*args, **kwargs):
        raise AssertionError("an unchanged input was staged")

    monkeypatch.setattr(baci.BaciReader, "stage", boom)
    again = sr.ingest(sr.open(home), "baci", release)
    assert again.noop


# --- the next archive member extracted while a year is written --------------------------------
def test_the_next_member_is_extracted_before_its_year_is_staged(baci_files, home, monkeypatch):
    archive = baci_files.release_zip(YEARS)
    events: list[tuple[str, int, str]] = []
    extract, stage = baci._extract, baci._stage_member

    def spy_extract(member, scratch):
        events.append(("extract", member.year, threading.current_thread().name))
        return extract(member, scratch)

    def spy_stage(connect, member, *args):
        events.append(("stage", member.year, threading.current_thread().name))
        try:
            return stage(connect, member, *args)
        finally:
            events.append(("staged", member.year, threading.current_thread().name))

    monkeypatch.setattr(baci, "_extract", spy_extract)
    monkeypatch.setattr(baci, "_stage_member", spy_stage)
    result = _ingest_with(home, archive, 1, monkeypatch)
    assert (result.rows_read, result.rows_loaded) == (7 + 5 + 3, 7 + 5 + 3)
    order = [(what, year) for what, year, _ in events]
    # the first member before its year; each later one while the year before it is staged
    assert order == [
        ("extract", 2014),
        ("stage", 2014),
        ("extract", 2015),
        ("staged", 2014),
        ("stage", 2015),
        ("extract", 2016),
        ("staged", 2015),
        ("stage", 2016),
        ("staged", 2016),
    ]
    threads = {year: name for what, year, name in events if what == "extract"}
    assert threads[2015].startswith("silkroad-extract")
    assert threads[2016].startswith("silkroad-extract")
    assert _year_files(home).keys() == {2014, 2015, 2016}


def test_a_damaged_member_extracted_ahead_fails_the_ingest_and_commits_nothing(
    baci_files, home, monkeypatch
):
    archive = baci_files.release_zip(YEARS)
    extract = baci._extract

    def damaged(member, scratch):
        if member.year == 2015:
            raise FormatError("the archive member is truncated or damaged", path=member.label)
        return extract(member, scratch)

    monkeypatch.setattr(baci, "_extract", damaged)
    with pytest.raises(FormatError, match="damaged"):
        _ingest_with(home, archive, 1, monkeypatch)
    assert not sr.open(home).catalog.sources
    assert not any((home / "tmp").iterdir())
