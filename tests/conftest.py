"""Shared fixtures: hand-written BACI files and a tiny hand-worked two-year world.

Every figure in the world below is written here in thousands of USD exactly as a BACI file holds
it; the tests recompute what they expect from these lines by plain arithmetic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Real-format samples copied into the repository (tests/data/README.md names their sources).
TEST_DATA = Path(__file__).resolve().parent / "data"

HEADER = "t,i,j,k,v,q"
NEW_COUNTRY_HEADER = "country_code,country_name,country_iso2,country_iso3"
OLD_COUNTRY_HEADER = (
    "country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha"
)

#: BACI numeric codes of the hand-written files (ISO 3166-1 numeric, checked by hand).
BLR, KAZ, RUS = 112, 398, 643
#: The country list shipped with the hand-written releases (new schema). 842 (USA) is missing on
#: purpose: it must resolve through silkroad's reference table.
COUNTRIES_NEW = "\n".join(
    [
        NEW_COUNTRY_HEADER,
        "112,Belarus,BY,BLR",
        "398,Kazakhstan,KZ,KAZ",
        "643,Russian Federation,RU,RUS",
        '490,"Other Asia, nes",,S19',
    ]
)

#: The hand-worked world, version 202401b of HS92. BLR-KAZ and BLR-USA are the pairs checked.
WORLD_2014 = [
    "2014,112,398,870120,300.5,10",  # BLR -> KAZ  300 500 USD
    "2014,112,398,40210,99.5,NA",  # BLR -> KAZ   99 500 USD, product 040210
    "2014,398,112,270900,250,1000",  # KAZ -> BLR  250 000 USD
    "2014,398,112,720711,50,20",  # KAZ -> BLR   50 000 USD
    "2014,112,643,870120,1000,5",  # BLR -> RUS (not in the BLR-KAZ pair)
    "2014,643,398,270900,700,1",  # RUS -> KAZ (not in the pair)
    "2014,842,112,847130,20,0.5",  # USA -> BLR   20 000 USD (842 via the reference table)
]
WORLD_2015 = [
    "2015,112,398,870120,450,12",  # BLR -> KAZ  450 000 USD
    "2015,112,398,40210,50.25,3",  # BLR -> KAZ   50 250 USD
    "2015,398,112,270900,150,500",  # KAZ -> BLR  150 000 USD
    "2015,112,643,870120,800,4",  # BLR -> RUS
    "2015,112,842,847130,10,NA",  # BLR -> USA   10 000 USD (new flow); USA -> BLR falls to zero
]
WORLD_VERSION = "202401b"
WORLD_SOURCE = "baci-hs92"


def year_name(year: int, *, revision: str = "92", version: str = WORLD_VERSION) -> str:
    return f"BACI_HS{revision}_Y{year}_V{version}.csv"


def year_text(lines: Iterable[str], *, header: str = HEADER, newline: str = "\n") -> str:
    """A year file: the header and ``lines``, each ended by ``newline``."""
    return "".join(f"{line}{newline}" for line in [header, *lines])


class BaciFiles:
    """Writes hand-made BACI releases (directory, zip or single year CSV) under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def release_dir(
        self,
        years: dict[int, Sequence[str]],
        *,
        name: str = "release",
        version: str = WORLD_VERSION,
        revision: str = "92",
        countries: str | bytes | None = COUNTRIES_NEW,
        readme: str | None = None,
    ) -> Path:
        folder = self.root / name
        folder.mkdir(parents=True)
        for year, lines in years.items():
            text = year_text(lines)
            (folder / year_name(year, revision=revision, version=version)).write_text(text)
        if countries is not None:
            data = countries.encode() if isinstance(countries, str) else countries
            (folder / f"country_codes_V{version}.csv").write_bytes(data)
        if readme is not None:
            (folder / "Readme.txt").write_text(readme)
        return folder

    def release_zip(
        self,
        years: dict[int, Sequence[str]],
        *,
        version: str = WORLD_VERSION,
        revision: str = "92",
        countries: str | None = COUNTRIES_NEW,
        readme: str | None = None,
        name: str | None = None,
    ) -> Path:
        path = self.root / (name or f"BACI_HS{revision}_V{version}.zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for year, lines in years.items():
                zf.writestr(year_name(year, revision=revision, version=version), year_text(lines))
            if countries is not None:
                zf.writestr(f"country_codes_V{version}.csv", countries)
            if readme is not None:
                zf.writestr("Readme.txt", readme)
        return path

    def year_file(
        self,
        year: int,
        lines: Sequence[str] | None = None,
        *,
        text: str | None = None,
        folder: str = "single",
        version: str = WORLD_VERSION,
        revision: str = "92",
    ) -> Path:
        """One year CSV alone in ``folder`` (no country list beside it unless written there)."""
        path = self.root / folder / year_name(year, revision=revision, version=version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text is not None else year_text(lines or []))
        return path


@pytest.fixture
def baci_files(tmp_path: Path) -> BaciFiles:
    return BaciFiles(tmp_path / "in")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty store home (created by the first writer)."""
    return tmp_path / "home"


@pytest.fixture(scope="session")
def world_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked two-year world as a release directory (read-only: do not write into it)."""
    files = BaciFiles(tmp_path_factory.mktemp("world"))
    return files.release_dir({2014: WORLD_2014, 2015: WORLD_2015})


@pytest.fixture(scope="session")
def world_home_master(world_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the world, ingested once per session; tests get copies of it."""
    import silkroad as sr

    home = tmp_path_factory.mktemp("world-home") / "home"
    result = sr.ingest(sr.open(home), "baci", world_release)
    assert result.rows_rejected == 0
    return home


@pytest.fixture
def world_home(world_home_master: Path, tmp_path: Path) -> Path:
    """A private copy of the world's store (paths in the catalog are relative to the home)."""
    target = tmp_path / "world-home"
    shutil.copytree(world_home_master, target)
    return target


@pytest.fixture
def world_store(world_home: Path):
    import silkroad as sr

    return sr.open(world_home)


def start_cli(*args: str | os.PathLike[str], env: dict[str, str] | None = None):
    """Start ``python -m silkroad.cli ARGS`` as a user would (stdout and stderr captured)."""
    full_env = {k: v for k, v in os.environ.items() if k != "SILKROAD_HOME"}
    full_env.update({"COLUMNS": "200", **(env or {})})
    return subprocess.Popen(
        [sys.executable, "-m", "silkroad.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        cwd=REPO,
    )


def run_cli(*args: str | os.PathLike[str], env: dict[str, str] | None = None, timeout: float = 60):
    """Run ``python -m silkroad.cli ARGS`` to the end; returns a CompletedProcess."""
    proc = start_cli(*args, env=env)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def invoke(capsys):
    """Run ``silkroad ARGS`` in-process; returns (exit code, stdout, stderr)."""
    from silkroad.cli import main

    def run(*argv: object) -> tuple[int, str, str]:
        try:
            main([str(a) for a in argv])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


#: Screenshots and rendered pages of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright (its own browser download is not used)."""
    if not CHROMIUM.exists():
        # Not a skip: `make test` installs it, and a browser test that silently skips would
        # hide a broken page.
        pytest.fail("Debian's chromium is not installed: apt-get install chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
