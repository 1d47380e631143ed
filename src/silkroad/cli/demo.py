"""``silkroad demo``: the synthetic demo tour (a thin layer over :func:`silkroad.demo.run_demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkroad.cli.analysis import print_summary
from silkroad.cli.common import HomeOption, add_command, out, progress


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
    result = report.ingest
    if result.noop:
        out.print(f"{result.source}: {result.message}", markup=False, highlight=False)
    else:
        out.print(
            f"{result.source}: rows read {result.rows_read:,}  loaded {result.rows_loaded:,}  "
            f"rejected {result.rows_rejected:,}  in {result.seconds:.1f} s"
        )
    print_summary(report.summary)
    out.print(
        f"store: {report.home}  (explore: silkroad summary RUS KAZ --home {report.home})",
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


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    add_command(app, demo)
