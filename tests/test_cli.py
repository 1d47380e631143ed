"""The ``silkroad`` command through its real entry point (``python -m silkroad.cli``)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest

import silkroad
from conftest import COUNTRIES_NEW, WORLD_VERSION, start_cli, year_name, year_text

# BLR -> KAZ and KAZ -> BLR in the world of conftest.py (thousands of USD x 1000).
EXPORTS = {2014: 300.5 * 1000 + 99.5 * 1000, 2015: 450 * 1000 + 50.25 * 1000}
IMPORTS = {2014: 250 * 1000 + 50 * 1000, 2015: 150 * 1000}

RELEASE_2014 = [
    "2014,112,398,10121,1.5,3",  # line 2: BLR -> KAZ 1 500 USD
    "2014,112,398,870120,abc,1",  # line 3: bad value
    "2014,398,112,270900,2.5,NA",  # line 4: KAZ -> BLR 2 500 USD
    "2014,112,999,870120,2,1",  # line 5: unknown importer
    "2014,112,398,870121,2",  # line 6: five fields
]
RELEASE_2015 = ["2015,112,398,10121,4,1", "2015,398,112,10121,0,1"]  # line 3: zero value
COUNTS = {"read": 5 + 2, "loaded": 2 + 1, "rejected": 3 + 1}


def one_error_line(proc) -> str:
    """The process failed as a user error: exit 2, exactly one line on stderr, no traceback."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# --- happy paths -------------------------------------------------------------------------------
def test_ingest_prints_counts_and_time_then_noop(cli, baci_files, home):
    release = baci_files.release_zip({2014: RELEASE_2014, 2015: RELEASE_2015})
    proc = cli("ingest", "baci", release, "--home", home)
    assert proc.returncode == 0, proc.stderr
    m = re.search(
        r"rows read ([\d,]+)\s+loaded ([\d,]+)\s+rejected ([\d,]+)\s+in ([\d.]+) s", proc.stdout
    )
    assert m, proc.stdout
    read, loaded, rejected = (int(g.replace(",", "")) for g in m.groups()[:3])
    assert (read, loaded, rejected) == (COUNTS["read"], COUNTS["loaded"], COUNTS["rejected"])
    assert read == loaded + rejected
    assert float(m.group(4)) >= 0
    assert "V202401b" in proc.stdout
    assert "bad_value 1" in proc.stdout and "field_count 1" in proc.stdout
    assert "non_positive_value 1" in proc.stdout and "unknown_country 1" in proc.stdout
    catalog = (home / "catalog.json").read_bytes()

    again = cli("ingest", "baci", release, "--home", home)
    assert again.returncode == 0, again.stderr
    assert "already ingested" in again.stdout
    assert (home / "catalog.json").read_bytes() == catalog


def test_ingest_json(cli, baci_files, home):
    path = baci_files.year_file(2015, RELEASE_2015)
    proc = cli("ingest", "baci", path, "--home", home, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["rows_read"], data["rows_loaded"], data["rows_rejected"]) == (2, 1, 1)
    assert data["source"] == "baci-hs92"
    assert data["noop"] is False
    assert data["rejected_by_reason"] == {"non_positive_value": 1}


def test_sources_and_rejected_json(baci_files, home):
    release = baci_files.release_zip({2014: RELEASE_2014, 2015: RELEASE_2015})
    silkroad.ingest(silkroad.open(home), "baci", release)  # the CLI ingest is tested above
    sources = start_cli("sources", "--home", home, "--json")
    rejected = start_cli("rejected", "baci-hs92", "--home", home, "--limit", "3", "--json")

    stdout, stderr = sources.communicate(timeout=120)
    assert sources.returncode == 0, stderr
    data = json.loads(stdout)
    (src,) = data["sources"]
    assert src["source"] == "baci-hs92"
    assert src["version"] == WORLD_VERSION
    assert src["years"] == [2014, 2015]
    assert (src["rows"], src["rows_rejected"]) == (COUNTS["loaded"], COUNTS["rejected"])
    assert src["synthetic"] is False
    (inp,) = src["inputs"]
    assert inp["sha256"] == hashlib.sha256(release.read_bytes()).hexdigest()

    stdout, stderr = rejected.communicate(timeout=120)
    assert rejected.returncode == 0, stderr
    rows = json.loads(stdout)
    assert len(rows) == 3
    got = [
        (r["file"].endswith(year_name(2014)), r["line"], r["field"], r["code"], r["raw"])
        for r in rows
    ]
    assert got == [
        (True, 3, "v", "bad_value", RELEASE_2014[1]),
        (True, 5, "j", "unknown_country", RELEASE_2014[3]),
        (True, 6, None, "field_count", RELEASE_2014[4]),
    ]
    assert COUNTS["rejected"] > 3  # so the limit did cut the list


def _strict_json(text: str):
    """JSON as a strict reader sees it: NaN or Infinity would fail the test."""
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))


def test_summary_json_csv_and_table_equal_hand_arithmetic(world_home):
    # Four independent readers of one store, started at once.
    runs = {
        "json": start_cli("summary", "BLR", "KAZ", "--years", "2014-2015", "--home", world_home, "--json"),
        "csv": start_cli("summary", "Belarus", "KAZ", "--years", "2014-2015", "--home", world_home, "--csv"),
        "table": start_cli("summary", "BLR", "KAZ", "--home", world_home),
        "usa": start_cli("summary", "BLR", "USA", "--home", world_home, "--json"),
    }  # fmt: skip
    out = {}
    for name, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, (name, stderr)
        out[name] = stdout

    data = _strict_json(out["json"])
    meta = data["metadata"]
    assert (meta["source"], meta["source_version"], meta["synthetic"]) == (
        "baci-hs92",
        WORLD_VERSION,
        False,
    )
    rows = {r["year"]: r for r in data["rows"]}
    assert sorted(rows) == [2014, 2015]
    for y in (2014, 2015):
        assert rows[y]["exports_usd"] == pytest.approx(EXPORTS[y])
        assert rows[y]["imports_usd"] == pytest.approx(IMPORTS[y])
        assert rows[y]["turnover_usd"] == pytest.approx(EXPORTS[y] + IMPORTS[y])
        assert rows[y]["balance_usd"] == pytest.approx(EXPORTS[y] - IMPORTS[y])
    assert rows[2014]["turnover_growth"] is None  # NaN in JSON is null
    assert rows[2015]["turnover_growth"] == pytest.approx(
        (EXPORTS[2015] + IMPORTS[2015]) / (EXPORTS[2014] + IMPORTS[2014]) - 1
    )

    table = list(csv.DictReader(io.StringIO(out["csv"])))
    assert [int(r["year"]) for r in table] == [2014, 2015]
    for r in table:
        y = int(r["year"])
        assert float(r["exports_usd"]) == pytest.approx(EXPORTS[y])
        assert float(r["imports_usd"]) == pytest.approx(IMPORTS[y])
        assert float(r["turnover_usd"]) == pytest.approx(EXPORTS[y] + IMPORTS[y])
        assert float(r["balance_usd"]) == pytest.approx(EXPORTS[y] - IMPORTS[y])
    assert table[0]["exports_growth"] == ""
    assert float(table[1]["exports_growth"]) == pytest.approx(EXPORTS[2015] / EXPORTS[2014] - 1)

    assert "Belarus" in out["table"] and "Kazakhstan" in out["table"]
    # Million USD with one decimal: 2014 turnover is 0.7.
    assert f"{(EXPORTS[2014] + IMPORTS[2014]) / 1e6:,.1f}" in out["table"]

    # BLR -> USA is new in 2015 (from zero): undefined growth is null, never Infinity.
    usa = _strict_json(out["usa"])["rows"]
    assert [r["exports_usd"] for r in usa] == [0.0, 10 * 1000.0]
    assert [r["exports_growth"] for r in usa] == [None, None]
    assert [r["imports_growth"] for r in usa] == [None, -1.0]


# --- errors: one line, exit code 2, store unchanged --------------------------------------------
def _text_zip(folder):
    path = folder / "BACI_HS92_V202401b.zip"
    path.write_text("t,i,j,k,v,q\n2014,112,398,1,1,1\n")
    return path


def _empty_zip(folder):
    path = folder / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Readme.txt", "Version : 202401b\n")
        zf.writestr("country_codes_V202401b.csv", COUNTRIES_NEW)
    return path


def _half_zip(folder):
    path = folder / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            year_name(2016), year_text(f"2016,112,398,{k},1.5,2" for k in range(100000, 130000))
        )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _wrong_header(folder):
    path = folder / year_name(2016)
    path.write_text("year,exporter,importer,k,v,q\n2016,112,398,1,1,1\n")
    return path


def _cut_csv(folder):
    path = folder / year_name(2016)
    path.write_text("t,i,j,k,v,q\n2016,112,398,1,1,1\n2016,112,398,2,1")
    return path


def _ingest(make):
    return lambda folder, home: ["ingest", "baci", make(folder), "--home", home]


def _valid_year_file(folder):
    path = folder / year_name(2016)
    path.write_text(year_text(["2016,112,398,1,1,1"]))
    return path


# name: (arguments given a scratch folder and the store home, words the message must hold)
ERRORS = {
    "missing file": (_ingest(lambda f: f / "BACI_HS92_V202401b.zip"), ["BACI_HS92_V202401b.zip", "not found", "expected"]),
    "not a zip": (_ingest(_text_zip), ["BACI_HS92_V202401b.zip", "not a zip", "expected a zip"]),
    "zip without members": (_ingest(_empty_zip), ["BACI_HS92_V202401b.zip", "no BACI year files", "expected members"]),
    "wrong header": (_ingest(_wrong_header), [year_name(2016), "line 1", "wrong header", "expected t,i,j,k,v,q"]),
    "zip cut in half": (_ingest(_half_zip), ["BACI_HS92_V202401b.zip", "truncated", "expected a complete zip"]),
    "csv cut mid-line": (_ingest(_cut_csv), [year_name(2016), "line 3", "truncated", "expected complete lines"]),
    "unknown source": (lambda f, h: ["ingest", "bogus", _valid_year_file(f), "--home", h], ["bogus", "SOURCE", "expected one of: baci"]),
    "unknown country": (lambda f, h: ["summary", "BLR", "XYZ", "--home", h], ["XYZ", "expected"]),
    "years not held": (lambda f, h: ["summary", "BLR", "KAZ", "--years", "2010-2015", "--home", h], ["years", "2010", "2014–2015"]),
    "bad years": (lambda f, h: ["summary", "BLR", "KAZ", "--years", "20x4", "--home", h], ["--years", "20x4", "expected"]),
    "unknown source id": (lambda f, h: ["rejected", "baci-hs07", "--home", h], ["baci-hs07", "one of: baci-hs92"]),
}  # fmt: skip


@pytest.fixture(scope="module")
def error_runs(world_home_master, tmp_path_factory):
    """Every error case at once, each in its own process on its own copy of the world's store.

    Returns name -> (CompletedProcess, catalog bytes before, after, leftover staging dirs).
    """
    base = tmp_path_factory.mktemp("cli-errors")
    started = {}
    for n, (name, (make_args, _)) in enumerate(sorted(ERRORS.items())):
        folder, home = base / f"in{n}", base / f"home{n}"
        folder.mkdir()
        shutil.copytree(world_home_master, home)
        before = (home / "catalog.json").read_bytes()
        started[name] = (start_cli(*make_args(folder, home)), home, before)
    results = {}
    for name, (proc, home, before) in started.items():
        stdout, stderr = proc.communicate(timeout=120)
        done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
        tmp = home / "tmp"
        leftovers = sorted(p.name for p in tmp.iterdir()) if tmp.exists() else []
        results[name] = (done, before, (home / "catalog.json").read_bytes(), leftovers)
    return results


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_one_line_with_exit_code_2_and_change_nothing(case, error_runs):
    proc, before, after, leftovers = error_runs[case]
    line = one_error_line(proc)
    for word in ERRORS[case][1]:
        assert word in line, line
    assert after == before
    assert leftovers == []


def test_debug_shows_the_traceback(cli, world_home):
    proc = cli("--debug", "summary", "BLR", "XYZ", "--home", world_home)
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert "ReferenceDataError" in proc.stderr


def test_summary_on_an_empty_store(cli, home):
    line = one_error_line(cli("summary", "BLR", "KAZ", "--home", home))
    assert "holds no data" in line
