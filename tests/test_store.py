"""The store: atomic commits, no-op re-ingests, releases, single years, the writer lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import filelock
import numpy as np
import pytest

import silkroad as sr
from conftest import (
    WORLD_2014,
    WORLD_2015,
    WORLD_SOURCE,
    WORLD_VERSION,
    run_cli,
    year_name,
    year_text,
)
from silkroad.analytics.pair import Pair
from silkroad.errors import StoreError
from silkroad.store.catalog import Catalog

# BLR -> KAZ and KAZ -> BLR in the world, in USD (thousands x 1000).
WORLD_EXPORTS = {2014: (300.5 + 99.5) * 1000, 2015: (450 + 50.25) * 1000}
WORLD_IMPORTS = {2014: (250 + 50) * 1000, 2015: 150 * 1000}


def catalog_bytes(home: Path) -> bytes:
    return (home / "catalog.json").read_bytes()


def flows_count(store) -> int:
    return int(store.flows().count().execute())


def blr_kaz(store) -> list[tuple[int, float, float]]:
    df = Pair(store, "BLR", "KAZ").summary().to_frame()
    return [(int(r.year), r.exports_usd, r.imports_usd) for r in df.itertuples()]


def data_dirs(home: Path) -> set[str]:
    data = home / "data"
    return {p.relative_to(home).as_posix() for p in data.glob("*/*")} if data.exists() else set()


def big_year_file(folder: Path, year: int, rows: int) -> Path:
    """A valid year file of ``rows`` flows BLR -> KAZ with distinct products (values 1..rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / year_name(year)
    k = np.arange(100000, 100000 + rows)
    v = np.arange(1, rows + 1)
    body = "\n".join(f"{year},112,398,{kk},{vv},1" for kk, vv in zip(k, v, strict=True))
    path.write_text("t,i,j,k,v,q\n" + body + "\n")
    return path


# --- atomic commit -----------------------------------------------------------------------------
def test_killed_ingest_leaves_the_previous_state(world_home, tmp_path):
    before = catalog_bytes(world_home)
    store = sr.open(world_home)
    summary_before = blr_kaz(store)
    count_before = flows_count(store)
    dirs_before = data_dirs(world_home)
    assert summary_before == [(y, WORLD_EXPORTS[y], WORLD_IMPORTS[y]) for y in (2014, 2015)]

    big = big_year_file(tmp_path / "big", 2016, 300_000)
    code = "import sys, silkroad as sr; sr.ingest(sr.open(sys.argv[1]), 'baci', sys.argv[2])"
    proc = subprocess.Popen([sys.executable, "-c", code, str(world_home), str(big)])
    staging = None
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            # Kill once the year file is being written into the staging directory.
            found = list((world_home / "tmp").glob("*/year=2016"))
            if found:
                os.kill(proc.pid, signal.SIGKILL)
                staging = found[0].parent
                break
            time.sleep(0.001)
    finally:
        if proc.poll() is None and staging is None:
            proc.kill()
        proc.wait(timeout=30)
    assert staging is not None, "the ingest finished (or stalled) before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    assert staging.exists()  # the abandoned staging directory is left behind

    assert catalog_bytes(world_home) == before
    after = sr.open(world_home)
    assert blr_kaz(after) == summary_before
    assert flows_count(after) == count_before
    assert after.years() == [2014, 2015]
    assert data_dirs(world_home) == dirs_before

    # The next writer works and removes the abandoned staging directory.
    small = tmp_path / "small" / year_name(2016)
    small.parent.mkdir()
    small.write_text(year_text(["2016,112,398,870120,7,1"]))
    result = sr.ingest(after, "baci", small)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (1, 1, 0)
    assert not staging.exists()
    tmp = world_home / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())
    assert after.years() == [2014, 2015, 2016]
    assert flows_count(after) == count_before + 1
    assert (
        Catalog.load(world_home / "catalog.json").generation == json.loads(before)["generation"] + 1
    )


def test_failed_ingest_changes_nothing(world_home, baci_files):
    before = catalog_bytes(world_home)
    dirs_before = data_dirs(world_home)
    # 2016 is fine; 2017 has a wrong header: the staged 2016 must not be committed either.
    folder = baci_files.release_dir({2016: ["2016,112,398,1,1,1"]})
    (folder / year_name(2017)).write_text("year,i,j,k,v,q\n2017,112,398,1,1,1\n")
    with pytest.raises(sr.FormatError, match="wrong header"):
        sr.ingest(sr.open(world_home), "baci", folder)
    assert catalog_bytes(world_home) == before
    assert data_dirs(world_home) == dirs_before
    tmp = world_home / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())


# --- idempotence -------------------------------------------------------------------------------
def test_reingesting_an_identical_file_is_a_noop(world_home, world_release, tmp_path):
    before = catalog_bytes(world_home)
    generation = json.loads(before)["generation"]
    store = sr.open(world_home)
    result = sr.ingest(store, "baci", world_release)
    assert result.noop is True
    assert "already ingested" in result.message
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (0, 0, 0)
    assert catalog_bytes(world_home) == before
    assert store.catalog.generation == generation

    # The same bytes under another path are the same input.
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in world_release.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert sr.ingest(store, "baci", copy).noop is True
    (copy / "notes.txt").write_text("not part of the release")
    assert sr.ingest(store, "baci", copy).noop is True

    # One changed value is a new input.
    target = copy / year_name(2015)
    target.write_text(target.read_text().replace("450,12", "451,12"))
    result = sr.ingest(store, "baci", copy)
    assert result.noop is False
    assert store.catalog.generation == generation + 1
    assert blr_kaz(store)[1][1] == (451 + 50.25) * 1000


def test_noop_on_zip_and_single_year(baci_files, home):
    z = baci_files.release_zip({2014: WORLD_2014})
    single = baci_files.year_file(2015, WORLD_2015)
    store = sr.open(home)
    assert sr.ingest(store, "baci", z).noop is False
    assert sr.ingest(store, "baci", single).noop is False
    gen = store.catalog.generation
    assert sr.ingest(store, "baci", z).noop is True
    assert sr.ingest(store, "baci", single).noop is True
    assert store.catalog.generation == gen


# --- releases ----------------------------------------------------------------------------------
NEW_2016 = ["2016,112,398,870120,111,1", "2016,398,112,270900,22,NA"]
NEW_2017 = ["2017,112,398,870120,333,1"]


def test_newer_release_replaces_the_older_in_one_step(world_home, baci_files):
    store = sr.open(world_home)
    gen = store.catalog.generation
    newer = baci_files.release_zip({2016: NEW_2016, 2017: NEW_2017}, version="202501")
    result = sr.ingest(store, "baci", newer)
    assert result.replaced_version == WORLD_VERSION
    assert "replaced release V202401b" in result.message
    assert store.catalog.generation == gen + 1
    (info,) = store.sources()
    assert info["version"] == "202501"
    assert info["years"] == [2016, 2017]
    assert info["rows"] == len(NEW_2016) + len(NEW_2017)
    assert store.years(WORLD_SOURCE) == [2016, 2017]
    assert flows_count(store) == len(NEW_2016) + len(NEW_2017)
    assert blr_kaz(store) == [(2016, 111_000.0, 22_000.0), (2017, 333_000.0, 0.0)]


def test_older_release_is_refused_unless_forced(baci_files, home):
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_zip({2016: NEW_2016}, version="202501"))
    before = catalog_bytes(home)
    dirs_before = data_dirs(home)
    older = baci_files.release_zip({2014: WORLD_2014, 2015: WORLD_2015}, version="202401b")
    with pytest.raises(StoreError, match="newer than 202401b"):
        sr.ingest(store, "baci", older)
    assert catalog_bytes(home) == before
    assert data_dirs(home) == dirs_before

    result = sr.ingest(store, "baci", older, force=True)
    assert result.replaced_version == "202501"
    (info,) = store.sources()
    assert (info["version"], info["years"]) == ("202401b", [2014, 2015])
    assert blr_kaz(store) == [(y, WORLD_EXPORTS[y], WORLD_IMPORTS[y]) for y in (2014, 2015)]


def test_suffix_letter_release_is_newer_than_the_plain_one(baci_files, home):
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_zip({2014: WORLD_2014}, version="202401"))
    result = sr.ingest(store, "baci", baci_files.release_zip({2015: WORLD_2015}))
    assert result.replaced_version == "202401"
    assert store.sources()[0]["version"] == "202401b"
    with pytest.raises(StoreError):
        sr.ingest(store, "baci", baci_files.release_zip({2014: WORLD_2014}, version="202401"))


def test_single_year_csv_adds_or_replaces_that_year_only(baci_files, home):
    # Each year of the release has one bad row; a clean 2015 file then replaces that year.
    bad_2014 = [*WORLD_2014, "2014,112,398,999999,oops,1"]
    bad_2015 = [*WORLD_2015, "2015,112,398,999999,oops,1"]
    release = baci_files.release_dir({2014: bad_2014, 2015: bad_2015})
    store = sr.open(home)
    first = sr.ingest(store, "baci", release)
    assert (first.rows_loaded, first.rows_rejected) == (len(WORLD_2014) + len(WORLD_2015), 2)
    assert store.sources()[0]["rows_rejected"] == 2

    new_2015 = ["2015,112,398,870120,9,1", "2015,398,112,270900,4,1", "2015,398,643,1,1,1"]
    replaced = sr.ingest(store, "baci", baci_files.year_file(2015, new_2015))
    assert replaced.replaced_version is None
    assert store.years(WORLD_SOURCE) == [2014, 2015]
    assert blr_kaz(store) == [(2014, WORLD_EXPORTS[2014], WORLD_IMPORTS[2014]), (2015, 9e3, 4e3)]
    assert flows_count(store) == len(WORLD_2014) + len(new_2015)
    (info,) = store.sources()
    assert info["rows"] == len(WORLD_2014) + len(new_2015)
    assert info["rows_rejected"] == 1  # the rejected row of the replaced 2015 is gone
    rej = store.rejected(WORLD_SOURCE)
    assert [(int(r.year), int(r.line), r.raw) for r in rej.itertuples()] == [
        (2014, len(bad_2014) + 1, bad_2014[-1])
    ]
    assert [i["years"] for i in info["inputs"]] == [[2014], [2015]]

    added = sr.ingest(store, "baci", baci_files.year_file(2016, NEW_2016, folder="y2016"))
    assert added.rows_loaded == len(NEW_2016)
    assert store.years(WORLD_SOURCE) == [2014, 2015, 2016]
    assert flows_count(store) == len(WORLD_2014) + len(new_2015) + len(NEW_2016)
    assert store.sources()[0]["rows"] == len(WORLD_2014) + len(new_2015) + len(NEW_2016)


@pytest.mark.parametrize("grace", ["0", None])
def test_unreferenced_data_is_garbage_collected(baci_files, home, monkeypatch, grace):
    if grace is not None:
        monkeypatch.setenv("SILKROAD_GC_GRACE", grace)
    store = sr.open(home)
    old_reader = sr.open(home)
    versions = ["202401", "202401b", "202501", "202601"]
    for n, version in enumerate(versions):
        zipped = baci_files.release_zip({2014: [f"2014,112,398,1,{n + 1},1"]}, version=version)
        sr.ingest(store, "baci", zipped)
        if n == 0:
            assert blr_kaz(old_reader) == [(2014, 1000.0, 0.0)]  # opens its snapshot now
    catalog = Catalog.load(home / "catalog.json")
    assert blr_kaz(store) == [(2014, len(versions) * 1000.0, 0.0)]
    if grace == "0":  # no grace: only the current data stays
        assert data_dirs(home) == catalog.referenced_dirs()
        assert len(data_dirs(home)) == 1
    else:  # within the grace period every replaced directory stays, listed as retired
        assert data_dirs(home) == catalog.referenced_dirs() | set(catalog.retired)
        assert len(data_dirs(home)) == len(versions)
        # ... so a reader of the first snapshot, three commits old, still reads its data.
        assert blr_kaz(old_reader) == [(2014, 1000.0, 0.0)]


# --- snapshots and the lock --------------------------------------------------------------------
def test_an_open_store_keeps_its_snapshot_until_refresh(world_home, baci_files):
    reader = sr.open(world_home)
    assert blr_kaz(reader)[0] == (2014, WORLD_EXPORTS[2014], WORLD_IMPORTS[2014])
    writer = sr.open(world_home)
    sr.ingest(writer, "baci", baci_files.release_zip({2016: NEW_2016}, version="202501"))
    assert reader.years() == [2014, 2015]  # still the snapshot it opened
    assert flows_count(reader) == len(WORLD_2014) + len(WORLD_2015)
    reader.refresh()
    assert reader.years() == [2016]
    assert flows_count(reader) == len(NEW_2016)


def test_a_held_lock_makes_a_writer_time_out(world_home, world_release, baci_files, monkeypatch):
    before = catalog_bytes(world_home)
    monkeypatch.setenv("SILKROAD_LOCK_TIMEOUT", "0.1")
    path = baci_files.release_zip({2016: NEW_2016}, version="202501")
    lock = filelock.FileLock(str(world_home / "lock"))
    with lock:
        started = time.monotonic()
        with pytest.raises(StoreError, match="another silkroad process is writing"):
            sr.ingest(sr.open(world_home), "baci", path)
        assert time.monotonic() - started < 10
        # ... and from another process, through the CLI: one line, exit code 2.
        proc = run_cli(
            "ingest", "baci", path, "--home", world_home, env={"SILKROAD_LOCK_TIMEOUT": "0.1"}
        )
        assert proc.returncode == 2
        assert "another silkroad process is writing" in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert catalog_bytes(world_home) == before
    assert sr.ingest(sr.open(world_home), "baci", path).replaced_version == WORLD_VERSION


def test_readers_are_not_blocked_by_the_writer_lock(world_home, monkeypatch):
    # Were a reader to take the writer lock, it would fail after 1 s instead of hanging.
    monkeypatch.setenv("SILKROAD_LOCK_TIMEOUT", "1")
    with filelock.FileLock(str(world_home / "lock")):
        started = time.monotonic()
        store = sr.open(world_home)
        assert blr_kaz(store) == [(y, WORLD_EXPORTS[y], WORLD_IMPORTS[y]) for y in (2014, 2015)]
        assert store.sources()[0]["source"] == WORLD_SOURCE
        assert store.rejected(WORLD_SOURCE).empty
        assert time.monotonic() - started < 10
        proc = run_cli(
            "summary",
            "BLR",
            "KAZ",
            "--home",
            world_home,
            "--json",
            env={"SILKROAD_LOCK_TIMEOUT": "1"},
        )
        assert proc.returncode == 0, proc.stderr
        rows = json.loads(proc.stdout)["rows"]
        assert [r["exports_usd"] for r in rows] == [WORLD_EXPORTS[2014], WORLD_EXPORTS[2015]]


TIMED_INGEST = r"""
import json, sys, time
from contextlib import contextmanager
from pathlib import Path

import silkroad as sr
from silkroad.store.store import Store
from silkroad.analytics.pair import Pair

home, path, log, ready, go = sys.argv[1:6]


class TimedStore(Store):
    times = {}

    @contextmanager
    def writer(self):
        with super().writer() as txn:
            self.times["entered"] = time.time()
            time.sleep(0.5)  # a long critical section: overlapping writers could not miss it
            yield txn
            self.times["left"] = time.time()


Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
store = TimedStore(home)
TimedStore.times["requested"] = time.time()
result = sr.ingest(store, "baci", path)
Path(log).write_text(json.dumps({**TimedStore.times, "rows_loaded": result.rows_loaded}))
"""


def test_the_lock_serializes_two_concurrent_ingests(world_home, baci_files, tmp_path):
    gen = Catalog.load(world_home / "catalog.json").generation
    files = [
        baci_files.year_file(2016, NEW_2016, folder="a"),
        baci_files.year_file(2017, NEW_2017, folder="b"),
    ]
    go = tmp_path / "go"
    procs, logs, readies = [], [], []
    for n, path in enumerate(files):
        logs.append(tmp_path / f"log{n}.json")
        readies.append(tmp_path / f"ready{n}")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", TIMED_INGEST, world_home, path, logs[-1], readies[-1], go],
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in readies) and time.monotonic() < deadline:
        time.sleep(0.005)
    go.touch()
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr

    first, second = sorted((json.loads(p.read_text()) for p in logs), key=lambda t: t["entered"])
    assert second["requested"] < first["left"]  # the second writer really had to wait ...
    assert first["left"] <= second["entered"]  # ... and entered only after the first left
    assert first["rows_loaded"] + second["rows_loaded"] == len(NEW_2016) + len(NEW_2017)

    store = sr.open(world_home)
    assert store.catalog.generation == gen + 2
    assert store.years(WORLD_SOURCE) == [2014, 2015, 2016, 2017]
    assert flows_count(store) == len(WORLD_2014) + len(WORLD_2015) + len(NEW_2016) + len(NEW_2017)
    inputs = {Path(i["path"]).name for i in store.sources()[0]["inputs"]}
    assert {year_name(2016), year_name(2017)} <= inputs


# --- store errors ------------------------------------------------------------------------------
def test_empty_store_has_no_flows_and_no_sources(home):
    store = sr.open(home)
    assert store.sources() == []
    assert store.years() == []
    with pytest.raises(StoreError, match="holds no data"):
        store.flows()
    with pytest.raises(StoreError, match="no source 'baci-hs92'"):
        store.rejected("baci-hs92")


def test_unknown_source_in_a_filled_store(world_store):
    with pytest.raises(StoreError, match="one of: baci-hs92"):
        world_store.flows("baci-hs07")


def test_damaged_catalog_is_a_store_error(world_home):
    (world_home / "catalog.json").write_text("{ not json")
    with pytest.raises(StoreError, match="catalog cannot be read"):
        sr.open(world_home).sources()


def test_home_from_environment(world_home, monkeypatch):
    monkeypatch.setenv("SILKROAD_HOME", str(world_home))
    store = sr.open()
    assert store.home == world_home.resolve()
    assert store.years() == [2014, 2015]
