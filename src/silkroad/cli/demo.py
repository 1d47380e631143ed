"""``silkroad demo``: the synthetic demo tour (a thin layer over :func:`silkroad.demo.run_demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkroad.cli.analysis import print_summary
from silkroad.cli.common import HomeOption, add_command, out, progress
from silkroad.store.store import IngestResult


def demo(
    size: Annotated[str, typer.Option("--size", help="small (default) or full.")] = "small",
    home: HomeOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic world.")] = 42,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the briefs (default: HOME/briefs)."),
    ] = None,
    briefs: Annotated[
        bool, typer.Option("--briefs/--no-briefs", help="Write the BLR–KAZ brief (en, ru).")
    ] = True,
) -> None:
    """Generate the synthetic demo world, ingest it, print the BLR–KAZ summary, write briefs."""
    from silkroad.demo import run_demo

    with progress(f"demo ({size})") as callback:
        report = run_demo(
            home, size=size, seed=seed, briefs=briefs, out_dir=out_dir, progress=callback
        )
    what = "generated SYNTHETIC" if report.generated else "using the generated"
    out.print(f"{what} demo release {report.archive}", markup=False, highlight=False)
    for result in (report.ingest, *report.declared):
        print_ingest(result)
    print_summary(report.summary)
    out.print(f"store: {report.home}", markup=False, highlight=False)
    if report.baskets is not None:
        out.print(f"example baskets: {report.baskets}", markup=False, highlight=False)
    out.print(
        f"explore (README.md, A tour): export SILKROAD_HOME={report.home}; then "
        "silkroad sources | silkroad mirror BLR KAZ --year 2016 | "
        "silkroad rejected comtrade-kaz",
        markup=False,
        highlight=False,
    )
    if report.briefs:
        out.print(
            f"briefs for Belarus–Kazakhstan, {report.brief_year} (base {report.brief_base}), "
            "SYNTHETIC data:"
        )
        for path in report.briefs:
            out.print(f"  {path}", markup=False, highlight=False)


def print_ingest(result: IngestResult) -> None:
    """One ingest's counts (rows read = loaded + rejected) and where its rejected rows are."""
    label = " (synthetic)" if result.record is not None and result.record.synthetic else ""
    if result.noop:
        out.print(f"{result.source}{label}: {result.message}", markup=False, highlight=False)
        return
    out.print(
        f"{result.source}{label}: rows read {result.rows_read:,}  loaded {result.rows_loaded:,}  "
        f"rejected {result.rows_rejected:,}  in {result.seconds:.1f} s",
        markup=False,
        highlight=False,
    )
    if result.rows_rejected:
        reasons = ", ".join(f"{k} {v:,}" for k, v in result.rejected_by_reason.items())
        out.print(
            f"  rejected by reason: {reasons}; see them with: silkroad rejected {result.source}",
            markup=False,
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    add_command(app, demo)
