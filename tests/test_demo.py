"""The demo tour as library code (``silkroad.demo.run_demo``) and the ``silkroad demo`` command
printing its report. A hand-worked release stands in for the generated one (generating the
synthetic world takes a minute; ``sources.synthetic`` has its own tests)."""

from __future__ import annotations

import pytest

from conftest import WORLD_2014, WORLD_2015, BaciFiles, run_cli
from silkroad.demo import demo_years, run_demo

# BLR -> KAZ and KAZ -> BLR in the hand-worked world of conftest.py, USD.
EXPORTS_BLR_KAZ = {2014: 300_500 + 99_500, 2015: 450_000 + 50_250}
IMPORTS_BLR_KAZ = {2014: 250_000 + 50_000, 2015: 150_000}


def _place_release(home, seed=42):
    """The hand-worked world where the demo keeps its generated release."""
    files = BaciFiles(home / "demo" / f"small-seed{seed}")
    return files.release_zip({2014: WORLD_2014, 2015: WORLD_2015})


def test_run_demo_reuses_the_release_ingests_and_summarises(tmp_path):
    home = tmp_path / "home"
    archive = _place_release(home)
    report = run_demo(home, briefs=False)
    assert (report.archive, report.generated) == (archive, False)
    assert report.ingest.rows_read == len(WORLD_2014) + len(WORLD_2015)
    assert report.ingest.rows_read == report.ingest.rows_loaded + report.ingest.rows_rejected
    rows = report.summary["rows"].set_index("year")
    for year in (2014, 2015):
        assert rows.loc[year, "exports_usd"] == pytest.approx(EXPORTS_BLR_KAZ[year])
        assert rows.loc[year, "imports_usd"] == pytest.approx(IMPORTS_BLR_KAZ[year])
    assert report.briefs == [] and report.brief_year is None

    again = run_demo(home, briefs=False)
    assert again.ingest.noop  # the same release: nothing to do, and it says so


def test_demo_years():
    assert demo_years(list(range(2005, 2020))) == (2014, 2007)
    assert demo_years([2010, 2011, 2012]) == (2012, 2010)
    assert demo_years([2014, 2015]) == (2014, 2014)


def test_cli_demo_prints_the_report(tmp_path):
    home = tmp_path / "home"
    _place_release(home)
    proc = run_cli("demo", "--no-briefs", "--home", home)
    assert proc.returncode == 0, proc.stderr
    assert "using the generated demo release" in proc.stdout
    assert "Trade of Belarus with Kazakhstan, million USD" in proc.stdout
    assert f"{(EXPORTS_BLR_KAZ[2015] + IMPORTS_BLR_KAZ[2015]) / 1e6:,.1f}" in proc.stdout
