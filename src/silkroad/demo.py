"""The built-in demo: a synthetic world generated, ingested, summarised and briefed.

``silkroad demo`` prints the :class:`DemoReport` that :func:`run_demo` returns; a notebook can
call the same function. Everything made here is SYNTHETIC data, labelled as such.

The demo home then holds what the README's tour needs: the reconciled release
(``synthetic-baci-hs92``), Belarus's and Kazakhstan's own declarations as UN Comtrade CSV
(``comtrade-blr``, ``comtrade-kaz``: for ``silkroad mirror`` and ``--perspective``), a few
deliberately bad records among Kazakhstan's (``silkroad rejected comtrade-kaz``) and the example
basket file ``HOME/baskets.yaml`` (``silkroad structure ... --baskets``).

>>> report = run_demo("/tmp/silkroad-demo", briefs=False)  # doctest: +SKIP
>>> report.summary["rows"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from silkroad.results import Result
from silkroad.store.store import IngestResult, Store

#: The pair the demo summarises and briefs.
DEMO_PAIR = ("BLR", "KAZ")
#: The brief's year and base year when the world holds them (else the last and first year).
DEMO_YEAR, DEMO_BASE = 2014, 2007
DEMO_LANGS = ("en", "ru")
#: The basket file the demo writes into its home (a copy of the example shipped with silkroad).
DEMO_BASKETS = "baskets.yaml"

Progress = Callable[[str, int, int], None]


@dataclass
class DemoReport:
    """What :func:`run_demo` did: the release used, the ingest, the summary and the briefs."""

    home: Path
    archive: Path
    #: True when the release was generated now, False when an earlier one was reused
    generated: bool
    ingest: IngestResult
    #: the BLR–KAZ summary (all years held)
    summary: Result
    #: the ingests of the declared (Comtrade CSV) files, one per reporter
    declared: list[IngestResult] = field(default_factory=list)
    #: the example basket file in the demo home
    baskets: Path | None = None
    briefs: list[Path] = field(default_factory=list)
    brief_year: int | None = None
    brief_base: int | None = None


def demo_years(held: list[int]) -> tuple[int, int]:
    """(year, base) of the demo brief among the years ``held``: 2014 and 2007 where held."""
    year = DEMO_YEAR if DEMO_YEAR in held else held[-1]
    base = DEMO_BASE if DEMO_BASE in held and year > DEMO_BASE else held[0]
    return year, base


def declared_files(archive: Path, target: Path, *, seed: int = 42) -> list[Path]:
    """The demo reporters' Comtrade CSV files beside ``archive``, written from it if absent."""
    from silkroad.sources import synthetic_declared as sd

    paths = [target / sd.declared_file_name(r) for r in sd.DECLARED_REPORTERS]
    if all(p.exists() for p in paths):
        return paths
    return sd.write_declared(archive, target, seed=seed)


def write_baskets(home: Path) -> Path:
    """``HOME/baskets.yaml``: the example basket file, written unless one is there already."""
    from silkroad.reference.baskets import example_baskets_path

    path = home / DEMO_BASKETS
    if not path.exists():
        path.write_bytes(example_baskets_path().read_bytes())
    return path


def run_demo(
    home: str | Path | None = None,
    *,
    size: str = "small",
    seed: int = 42,
    briefs: bool = True,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Generate (or reuse) the synthetic release of ``size`` and ``seed`` under
    ``HOME/demo``, ingest it with the declared files derived from it, write the example
    ``HOME/baskets.yaml``, summarise BLR–KAZ and, with ``briefs``, write the brief in English
    and Russian into ``out_dir`` (default ``HOME/briefs``).

    ``progress(stage, done, total)`` is called by each step (generate, ingest, brief).
    """
    from silkroad.analytics.pair import Pair
    from silkroad.ingestion import ingest
    from silkroad.sources import synthetic

    store = Store(home)
    target = store.home / "demo" / f"{size}-seed{seed}"
    zips = sorted(target.glob("BACI_*.zip")) if target.exists() else []
    if zips:
        archive, generated = zips[0], False
    else:
        archive = synthetic.generate(target, size=size, seed=seed, progress=progress)
        generated = True
    result = ingest(store, "baci", archive, progress=progress)
    declared = [
        ingest(store, "comtrade", path, progress=progress)
        for path in declared_files(archive, target, seed=seed)
    ]
    a, b = DEMO_PAIR
    summary = Pair(store, a, b, source=result.source).summary()
    report = DemoReport(
        home=store.home,
        archive=archive,
        generated=generated,
        ingest=result,
        summary=summary,
        declared=declared,
        baskets=write_baskets(store.home),
    )
    if briefs:
        from silkroad.briefs import write_briefs

        year, base = demo_years(store.years(result.source))
        if progress is not None:
            progress("brief", 0, 1)
        report.briefs = write_briefs(
            store,
            a,
            b,
            year=year,
            base=base,
            out_dir=Path(out_dir) if out_dir is not None else store.home / "briefs",
            langs=DEMO_LANGS,
            source=result.source,
        )
        if progress is not None:
            progress("brief", 1, 1)
        report.brief_year, report.brief_base = year, base
    return report
