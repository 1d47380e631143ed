"""``silkroad brief``: the bilateral brief in HTML, PDF, Excel and Markdown, English and Russian.

A thin layer over :func:`silkroad.report.brief.write_briefs`.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from silkroad import args
from silkroad.cli.common import (
    A_ARG,
    B_ARG,
    HomeOption,
    JsonOption,
    PerspectiveOption,
    SourceOption,
    TopOption,
    add_command,
    err,
    open_store,
    out,
    print_json,
)


def brief(
    a: A_ARG,
    b: B_ARG,
    year: Annotated[
        int, typer.Option("--year", help="The year of the brief (compared with year-1).")
    ],
    base: Annotated[
        int | None,
        typer.Option(
            "--base", help="An earlier year for 'N times' comparisons, e.g. 2007 (before --year)."
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years",
            help="Years of the dynamics chart, e.g. 2007-2014 (default: base..year, else 10 years).",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language: en, ru, or both as en,ru.")] = "en",
    formats: Annotated[
        str, typer.Option("--format", help="Formats, comma-separated: html,pdf,xlsx,md.")
    ] = "html,pdf,xlsx,md",
    baskets: Annotated[
        Path | None,
        typer.Option(
            "--baskets", help="A YAML file of product baskets for the structure; not with --level."
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="Structure by hs2, hs4, hs6 or section [default: hs2]; not with --baskets.",
            show_default=False,
        ),
    ] = None,
    top: TopOption = args.DEFAULT_TOP,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory to write into (created if missing).")
    ] = Path("."),
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the bilateral brief (headline, narrative, charts, structure, movers, context)."""
    from silkroad.briefs import write_briefs
    from silkroad.report.brief import check_format

    args.exclusive(level=level, baskets=baskets)
    year = args.year(year)
    base = args.base_year(base, before=year)
    langs = args.langs(lang)
    fmts = list(dict.fromkeys(check_format(f) for f in formats.split(",") if f.strip()))
    n = args.top(top) or args.DEFAULT_TOP
    store = open_store(home)
    with err.status("writing the brief…", spinner="dots") if err.is_terminal else nullcontext():
        paths = write_briefs(
            store,
            a,
            b,
            year=year,
            out_dir=out_dir,
            formats=fmts,
            langs=langs,
            base=base,
            years=args.years(years),
            level=args.level(level or "hs2"),
            baskets=baskets,
            top=n,
            perspective=args.perspective(perspective),
            source=source,
        )
    if as_json:
        print_json({"paths": paths})
        return
    for path in paths:
        out.print(str(path), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    add_command(app, brief)
