"""The Arrow pass of the BACI reader (issue 13, ingest speed) stores what the DuckDB pass stores.

The reference for every comparison is the DuckDB pass itself (the reader's previous fast pass,
still used for files Arrow's parser refuses), run on the same file with the Arrow pass turned
off, and DuckDB's own ``round`` for the rounding rule. The tests also check which pass handled
a file, so that a plain file is not quietly sent down the slow path, and that a file with
something the careful pass reads otherwise is never kept by the Arrow pass.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import silkroad as sr
from conftest import NEW_COUNTRY_HEADER, year_text
from silkroad import ingestion, settings
from silkroad.errors import InputError
from silkroad.sources import baci, baci_arrow
from silkroad.store.engine import PAIR_TOTALS, PRODUCT_TOTALS
from silkroad.store.schema import canonical_arrow_schema


class Passes:
    """Counts which pass wrote each year (Arrow, DuckDB, careful); can turn the Arrow one off."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.used: list[str] = []
        self.arrow_off = False
        self.careful_only = False
        read_year, duckdb_pass, careful = (
            baci_arrow.read_year,
            baci._duckdb_pass,
            baci._careful_pass,
        )

        def arrow(*args, **kwargs):
            if self.arrow_off:
                raise baci_arrow.NotPlain("turned off by the test")
            return read_year(*args, **kwargs)

        def via_duckdb(*args, **kwargs):
            if self.careful_only:
                return via_careful(*args[:6])
            self.used.append("duckdb")
            return duckdb_pass(*args, **kwargs)

        def via_careful(*args, **kwargs):
            self.used.append("careful")
            return careful(*args, **kwargs)

        monkeypatch.setattr(baci_arrow, "read_year", arrow)
        monkeypatch.setattr(baci, "_duckdb_pass", via_duckdb)
        monkeypatch.setattr(baci, "_careful_pass", via_careful)

    def ingest(self, path: Path, home: Path, *, arrow: bool = True, careful: bool = False):
        """Ingest ``path`` into a new store at ``home``; (result, pass used, year file). Without
        ``arrow`` the DuckDB pass is tried first; with ``careful``, the careful pass alone reads
        the file (the authority on every line)."""
        self.arrow_off = not arrow or careful
        self.careful_only = careful
        self.used.clear()
        result = sr.ingest(sr.open(home), "baci", path)
        store = sr.open(home)
        files = [home / rel for _, _, rel in store.catalog.current_files(result.source)]
        used = self.used[0] if self.used else "arrow"
        return result, used, files[0]


@pytest.fixture
def passes(monkeypatch):
    return Passes(monkeypatch)


def _countries(n: int, seed: int) -> dict[int, str]:
    """``n`` numeric codes with made-up ISO3 codes in an order unrelated to the numbers (as in
    BACI, whose files are sorted by numeric code while the store sorts by ISO3)."""
    rng = random.Random(seed)
    codes = rng.sample(range(1, 1000), n)
    isos = rng.sample([a + b + c for a in "ABCDEFGH" for b in "KLMNOPQR" for c in "STUVWXYZ"], n)
    return dict(zip(codes, isos, strict=True))


def _scrambled_year(n_rows: int, countries: dict[int, str], seed: int) -> list[str]:
    """BACI-like lines sorted by numeric (i, j, k), with values of 1 to 9 decimals (thousands of
    USD), some at a rounding tie of the sixth decimal of USD, and some quantities missing."""
    rng = random.Random(seed)
    codes = sorted(countries)
    keys = set()
    while len(keys) < n_rows:
        i, j = rng.sample(codes, 2)
        keys.add((i, j, rng.randrange(10_100, 970_000)))
    lines = []
    for n, (i, j, k) in enumerate(sorted(keys)):
        decimals = rng.randint(0, 9)
        v = f"{rng.uniform(0.001, 5e6):.{decimals}f}".rstrip(".") if n % 7 else "0.0000000005"
        if float(v) <= 0:
            v = "0.001"
        q = rng.choice(["NA", "", f"{rng.uniform(0, 1e5):.3f}", "0"])
        lines.append(f"2014,{i},{j},{k},{v},{q}")
    return lines


def _release(baci_files, lines: list[str], countries: dict[int, str], name: str) -> Path:
    table = "\n".join(
        [NEW_COUNTRY_HEADER] + [f"{c},Land {c},,{iso}" for c, iso in countries.items()]
    )
    return baci_files.release_dir({2014: lines}, countries=table, name=name)


def _table(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def _same_totals(ours: Path, theirs: Path) -> None:
    """The rows of two totals files are equal, sums to 1e-12 relative (the passes add the same
    values in other orders)."""
    a, b = _table(ours), _table(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert {k: v for k, v in x.items() if k != "value_usd"} == {
            k: v for k, v in y.items() if k != "value_usd"
        }
        assert x["value_usd"] == pytest.approx(y["value_usd"], rel=1e-12)


# --- the same store from both passes ----------------------------------------------------------
def test_arrow_pass_stores_what_the_duckdb_pass_stores(baci_files, tmp_path, passes):
    countries = _countries(40, seed=3)
    lines = _scrambled_year(20_000, countries, seed=4)
    path = _release(baci_files, lines, countries, "scrambled")
    ours, used, year_file = passes.ingest(path, tmp_path / "arrow")
    assert used == "arrow"  # a plain file: no slow path
    theirs, used, duck_file = passes.ingest(path, tmp_path / "duckdb", arrow=False)
    assert used == "duckdb"
    assert (ours.rows_read, ours.rows_loaded, ours.rows_rejected) == (20_000, 20_000, 0)
    assert (theirs.rows_read, theirs.rows_loaded) == (20_000, 20_000)
    # the same rows in the same (ISO3) order, every double bit for bit
    assert _table(year_file) == _table(duck_file)
    assert pq.read_schema(year_file).types == pq.read_schema(duck_file).types
    for name in (PAIR_TOTALS, PRODUCT_TOTALS):
        ours_t, theirs_t = year_file.with_name(name), duck_file.with_name(name)
        assert pq.read_schema(ours_t).types == pq.read_schema(theirs_t).types, name
        _same_totals(ours_t, theirs_t)


def test_the_year_file_reads_back_as_plain_text_in_the_store_order(baci_files, tmp_path, passes):
    countries = _countries(12, seed=5)
    path = _release(baci_files, _scrambled_year(500, countries, seed=6), countries, "plain")
    _, used, year_file = passes.ingest(path, tmp_path / "home")
    assert used == "arrow"
    # the codes were handed to the writer as dictionaries; readers see the canonical schema
    assert pq.read_schema(year_file) == canonical_arrow_schema()
    rows = duckdb.sql(f"SELECT exporter, importer, product FROM '{year_file}'").fetchall()
    assert rows == sorted(rows)  # exporter, importer, product: the store's order
    assert all(len(p) == 6 and p.isdigit() for _, _, p in rows)
    types = duckdb.sql(f"SELECT typeof(exporter), typeof(product) FROM '{year_file}'")
    assert set(types.fetchall()) == {("VARCHAR", "VARCHAR")}


# --- files the Arrow pass hands on ------------------------------------------------------------
GOOD = ["2014,112,398,870120,300.5,10", "2014,398,112,270900,250,1000"]


@pytest.mark.parametrize(
    ("extra", "newline", "expected_pass"),
    [
        ("2014,112,398,   20110  ,  2.25  ,  0.5  ", "\n", "arrow"),  # spaces: both trim them
        ("2014,112.0,398,20110,2,1", "\n", "duckdb"),  # a code Arrow's integer parser refuses
        ("2014,112,398,20110,2,  NA ", "\n", "duckdb"),  # a padded NA Arrow does not know
        ("2014,112,398,20110.0,2,1", "\n", "duckdb"),
        ("2014,112,398,20110,2.25", "\n", "careful"),  # five fields
        ("", "\n", "careful"),  # a blank line is not a row
        ("2014,0x70,398,20110,2,1", "\n", "duckdb"),  # Arrow would read 112
        ("2014,-0,398,20110,2,1", "\n", "careful"),  # code 0 (read from -0): no country
        ("2014,112,398,1e2,2,1", "\n", "careful"),  # DuckDB and Arrow would read 100
        ("2014,112,398,20110,inf,1", "\n", "careful"),  # not a finite value
        ("2014,112,398,20110,2,nan", "\n", "careful"),  # not a quantity
        ("2014,112,398,870120,3,1", "\n", "careful"),  # a repeated key
        ("2014,112,398,20110,2,1", "\r\n", "duckdb"),  # CR: left to the DuckDB pass
        ("2014,112,398,20110,2,1\r", "\n", "duckdb"),  # mixed line ends
        ("2014,112,398,20110\r,2,1", "\n", "duckdb"),  # a stray CR: a short line for Arrow
        # padding DuckDB's number parser skips and DuckDB's trim() does not: careful only
        ("2014,112,398,20110,\t2,1", "\n", "careful"),
        ("2014,\t112,398,20110,2,1", "\n", "careful"),
        ("2014,\x0b112,398,20110,2,1", "\n", "careful"),
        ("2014,112,398,\x0c20110,2,1", "\n", "careful"),
        ("\x0b2014,112,398,20110,2,1", "\n", "careful"),
    ],
)
def test_a_file_the_arrow_pass_cannot_vouch_for_is_stored_as_the_careful_pass_says(
    extra, newline, expected_pass, baci_files, tmp_path, passes
):
    text = year_text([*GOOD, extra], newline=newline)
    path = baci_files.year_file(2014, text=text)
    ours, used, year_file = passes.ingest(path, tmp_path / "now")
    assert used == expected_pass
    # the reference: the careful pass alone, which decides every line
    careful, _, careful_file = passes.ingest(path, tmp_path / "careful", careful=True)
    assert (ours.rows_read, ours.rows_loaded, ours.rows_rejected) == (
        careful.rows_read,
        careful.rows_loaded,
        careful.rows_rejected,
    )
    assert _table(year_file) == _table(careful_file)
    assert ours.rows_read == ours.rows_loaded + ours.rows_rejected


def test_a_padded_code_in_a_file_arrow_refuses_is_rejected_with_its_line(baci_files, home, passes):
    # '112.0' makes Arrow refuse the file; the vertical tab must not be read past by DuckDB
    lines = ["2014,112.0,398,870120,300.5,10", "2014,\x0b398,112,270900,250,1000"]
    result, used, _ = passes.ingest(baci_files.year_file(2014, lines), home)
    assert used == "careful"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    rejected = sr.open(home).rejected("baci-hs92")
    assert (list(rejected.line), list(rejected.code)) == ([3], ["bad_country_code"])


def test_a_row_failing_a_check_goes_to_the_careful_pass_with_its_line(baci_files, home, passes):
    path = baci_files.year_file(2014, [*GOOD, "2014,112,999,20110,2,1"])  # 999: no country
    result, used, _ = passes.ingest(path, home)
    assert used == "careful"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    rejected = sr.open(home).rejected("baci-hs92")
    assert list(rejected.line) == [4]
    assert list(rejected.code) == ["unknown_country"]


# --- the rounding rule --------------------------------------------------------------------------
def test_round6_rounds_as_duckdb_round_does():
    rng = np.random.default_rng(11)
    ties = (np.arange(-50, 50) + 0.5) / 1e6  # x.5 millionths: half away from zero
    values = np.concatenate(
        [
            rng.uniform(0, 1, 20_000),
            rng.lognormal(5, 6, 20_000),
            -rng.lognormal(5, 6, 2_000),
            ties,
            np.array([0.0, -0.0, 1e-7, 4.9999999e-7, 1.5e-6, 2.5e-6, 1e300, 1.7e308, 9e15 + 0.5]),
        ]
    )
    con = duckdb.connect()
    con.register("x", {"v": values})
    expected = con.sql("SELECT round(v, 6) AS r FROM x").fetchnumpy()["r"]
    got = baci_arrow.round6(values)
    assert np.array_equal(got.view(np.int64), np.asarray(expected).view(np.int64))


def test_keys_strictly_increase():
    assert baci_arrow.keys_strictly_increase(np.array([], np.int64))
    assert baci_arrow.keys_strictly_increase(np.array([5], np.int64))
    assert baci_arrow.keys_strictly_increase(np.array([1, 2, 9], np.int64))
    assert not baci_arrow.keys_strictly_increase(np.array([1, 2, 2], np.int64))
    assert not baci_arrow.keys_strictly_increase(np.array([3, 1], np.int64))


# --- the input's digest waits for idle cores ---------------------------------------------------
class _Reader:
    def __init__(self) -> None:
        self.digested_at: float | None = None

    def digest(self, inp: object) -> str:
        self.digested_at = time.perf_counter()
        return "0" * 64


def test_the_digest_waits_until_staging_signals_idle_cores():
    reader, idle = _Reader(), threading.Event()
    worker = threading.Thread(target=ingestion._digest_when_idle, args=(reader, None, idle))
    worker.start()
    time.sleep(0.3)
    assert reader.digested_at is None  # still waiting
    released = time.perf_counter()
    idle.set()
    worker.join(timeout=10)
    assert reader.digested_at is not None and reader.digested_at >= released


def test_a_failing_stage_does_not_leave_the_digest_waiting(baci_files, home, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("staging failed")

    monkeypatch.setattr(baci, "stage_release", broken)
    path = baci_files.year_file(2014, GOOD)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            sr.ingest(sr.open(home), "baci", path)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the ingest hung waiting for the digest"
    assert [str(e) for e in outcome] == ["staging failed"]
    assert not sr.open(home).catalog.sources  # nothing committed


def test_sort_order_is_a_stable_argsort_on_baci_like_and_other_inputs():
    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(0, 80))
        e = rng.integers(0, 5, n).astype(np.int16)
        i = rng.integers(0, 5, n).astype(np.int16)
        k = rng.integers(1, 8, n)
        if trial % 2:  # as BACI lists them: by another code order, each pair one run
            first = np.lexsort((k, i, e))
            e, i, k = e[first], i[first], k[first]
            relabel = rng.permutation(5)
            e, i = relabel[e].astype(np.int16), relabel[i].astype(np.int16)
        key = (e.astype(np.int64) * 1024 + i) * 1_000_000 + k
        assert np.array_equal(baci_arrow.sort_order(key, e, i), np.argsort(key, kind="stable")), (
            trial
        )


# --- the year file sealed while the totals are written -----------------------------------------
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_recorded_checksum_is_the_sealed_files(baci_files, home, passes):
    countries = _countries(10, seed=8)
    path = _release(baci_files, _scrambled_year(300, countries, seed=9), countries, "sealed")
    result, used, year_file = passes.ingest(path, home)
    assert used == "arrow"  # the pass that seals the year before its totals are written
    store = sr.open(home)
    record = store.catalog.ingests[result.record.id]
    rel = year_file.relative_to(home).as_posix()
    assert record.checksums[rel] == _sha256(year_file)
    assert store.check().ok


def test_a_year_written_again_after_its_seal_is_checksummed_afresh(home):
    table = pa.Table.from_pylist(
        [
            {
                "source": "baci-hs92",
                "year": 2014,
                "month": None,
                "exporter": "BLR",
                "importer": importer,
                "declared_by": "reconciled",
                "re_flow": False,
                "classification": "HS92",
                "product": "870120",
                "value_usd": 1.0,
                "weight_kg": None,
                "quantity": None,
                "quantity_unit": None,
            }
            for importer in ("KAZ", "RUS")
        ],
        schema=canonical_arrow_schema(),
    )
    with sr.open(home).writer() as txn:
        txn.write_year(2014, table.slice(0, 1))
        txn.seal_year(2014)
        txn.write_year(2014, table)  # replaces the sealed file
        path = txn.year_path(2014)
        assert txn._checksum(path) == _sha256(path)
        txn.write_year(2014, table.slice(1, 1))
        txn.seal_year(2014)
        assert txn._checksum(path) == _sha256(path)


# --- the memory limit -----------------------------------------------------------------------------
def test_a_year_too_large_for_the_memory_limit_takes_the_duckdb_pass(
    baci_files, tmp_path, passes, monkeypatch
):
    countries = _countries(10, seed=12)
    lines = _scrambled_year(2_000, countries, seed=13)
    path = _release(baci_files, lines, countries, "large")
    size = (path / "BACI_HS92_Y2014_V202401b.csv").stat().st_size
    # a limit just above what the Arrow pass needs for this file, then just below it
    enough = int(size * baci.ARROW_MEMORY_PER_BYTE) + 1000
    monkeypatch.setenv("SILKROAD_MEMORY_LIMIT", f"{enough}B")
    _, used, fits = passes.ingest(path, tmp_path / "fits")
    assert used == "arrow"
    monkeypatch.setenv("SILKROAD_MEMORY_LIMIT", f"{enough - 2000}B")
    # DuckDB itself cannot work in a few kB: it gets 1GB, the reader's choice is the test
    monkeypatch.setattr(settings, "memory_limit", lambda: "1GB")
    result, used, spilled = passes.ingest(path, tmp_path / "spills")
    assert used == "duckdb"
    assert (result.rows_read, result.rows_loaded) == (2_000, 2_000)
    assert _table(spilled) == _table(fits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1GB", 10**9),
        ("800MB", 800 * 10**6),
        ("2GiB", 2 * 2**30),
        ("1.5 GB", 1_500_000_000),
        (" 512kib ", 512 * 1024),
    ],
)
def test_memory_limit_in_bytes(text, expected, monkeypatch):
    monkeypatch.setenv("SILKROAD_MEMORY_LIMIT", text)
    assert settings.memory_limit_bytes() == expected
    duckdb.connect().execute(f"SET memory_limit = '{settings.memory_limit()}'")  # DuckDB agrees


@pytest.mark.parametrize("text", ["abc", "0GB", "1XB", "1000000", "-1GB"])
def test_a_memory_limit_that_is_not_a_size_is_refused_in_one_line(text, monkeypatch):
    monkeypatch.setenv("SILKROAD_MEMORY_LIMIT", text)
    with pytest.raises(InputError, match=r"SILKROAD_MEMORY_LIMIT.*found") as caught:
        settings.memory_limit_bytes()
    assert "\n" not in str(caught.value)
