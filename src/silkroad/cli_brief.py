"""``silkroad brief``: the bilateral brief in HTML, PDF, Excel and Markdown, English and Russian.

Registered on the app of :mod:`silkroad.cli`; a thin layer over
:func:`silkroad.report.brief.write_briefs`.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from silkroad.cli import HomeOption, JsonOption, app, err, out, parse_years
from silkroad.errors import InputError
from silkroad.store.store import Store

LANGS = ("en", "ru")

# Defined here rather than imported from cli_analysis: both modules are imported by cli.py while
# it is still initialising, so they must not import each other.
PerspectiveOption = Annotated[
    str,
    typer.Option(
        "--perspective",
        help="reconciled (BACI), exporter (each side's own declarations), mirror (the partner's), "
        "or auto (best available; stated in the brief's notes).",
    ),
]
SourceOption = Annotated[str | None, typer.Option("--source", help="Source id to use.")]


def _split(text: str, *, field: str, allowed: tuple[str, ...]) -> list[str]:
    """'html, pdf' -> ['html', 'pdf'], each checked against ``allowed`` (InputError naming field)."""
    items = [part.strip().lower().lstrip(".") for part in text.split(",") if part.strip()]
    bad = [item for item in items if item not in allowed]
    if bad or not items:
        what = {"--lang": "language", "--format": "format"}.get(field, field.lstrip("-"))
        raise InputError(
            f"unknown {what}",
            field=field,
            found=bad[0] if bad else text,
            expected="one or more of " + ", ".join(allowed) + ", separated by commas",
        )
    return list(dict.fromkeys(items))


@app.command()
def brief(
    a: Annotated[str, typer.Argument(help="Economy or bloc (BLR, Belarus, EAEU).")],
    b: Annotated[str, typer.Argument(help="Partner economy or bloc (KAZ).")],
    year: Annotated[
        int, typer.Option("--year", help="The year of the brief (compared with year-1).")
    ],
    base: Annotated[
        int | None, typer.Option("--base", help="Base year for 'N times' comparisons, e.g. 2007.")
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
        typer.Option("--baskets", help="A YAML file of product baskets for the structure."),
    ] = None,
    level: Annotated[
        str, typer.Option("--level", help="Structure by hs2, hs4, hs6 or section.")
    ] = "hs2",
    top: Annotated[int, typer.Option("--top", min=1, help="Groups listed before 'other'.")] = 10,
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
    from silkroad.report.brief import FORMATS

    langs = _split(lang, field="--lang", allowed=LANGS)
    fmts = _split(formats, field="--format", allowed=FORMATS)
    store = Store(home)
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
            years=parse_years(years),
            level=level,
            baskets=baskets,
            top=top,
            perspective=perspective,
            source=source,
        )
    if as_json:
        sys.stdout.write(json.dumps({"paths": [str(p) for p in paths]}, indent=2) + "\n")
        return
    for path in paths:
        out.print(str(path), markup=False, highlight=False)
