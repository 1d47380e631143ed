"""The built-in demo: a synthetic world generated, ingested, summarised and briefed.

``silkroad demo`` prints the :class:`DemoReport` that :func:`run_demo` returns; a notebook can
call the same function. Everything made here is SYNTHETIC data, labelled as such.

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
    briefs: list[Path] = field(default_factory=list)
    brief_year: int | None = None
    brief_base: int | None = None


def demo_years(held: list[int]) -> tuple[int, int]:
    """(year, base) of the demo brief among the years ``held``: 2014 and 2007 where held."""
    year = DEMO_YEAR if DEMO_YEAR in held else held[-1]
    base = DEMO_BASE if DEMO_BASE in held and year > DEMO_BASE else held[0]
    return year, base


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
    ``HOME/demo``, ingest it, summarise BLR–KAZ and, with ``briefs``, write the brief in
    English and Russian into ``out_dir`` (default ``HOME/briefs``).

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
    a, b = DEMO_PAIR
    summary = Pair(store, a, b, source=result.source).summary()
    report = DemoReport(
        home=store.home, archive=archive, generated=generated, ingest=result, summary=summary
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
