"""``silkroad products|economies|blocs``: find codes and ids by words in English or Russian.

Thin layers over :func:`silkroad.reference.search_products`, :func:`search_economies` and
:func:`list_blocs`; no store is needed.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from silkroad import args
from silkroad.cli.common import JsonOption, add_command, out, print_json

SearchArg = Annotated[
    str, typer.Argument(metavar="SEARCH", help="Words in English or Russian, or a code.")
]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="Matches shown at most.")]


def products(
    search: SearchArg,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Search names in en or ru only [default: both].", show_default=False
        ),
    ] = None,
    limit: LimitOption = 25,
    as_json: JsonOption = False,
) -> None:
    """HS chapters, headings and subheadings by words or code ('tractors', 'нефть', 8701)."""
    from silkroad.reference import search_products

    found = search_products(search, None if lang is None else args.lang(lang), limit=limit)
    if as_json:
        print_json([m._asdict() for m in found])
        return
    if not found:
        out.print(f"no HS code matches {search!r}", markup=False, highlight=False)
        return
    table = Table(title=f"HS 2022 codes matching {search!r}")
    for col in ("code", "level", "name", "название"):
        table.add_column(col, overflow="fold")
    for m in found:
        table.add_row(m.code, m.level, Text(m.name_en), Text(m.name_ru))
    out.print(table)


def economies(
    search: SearchArg,
    limit: LimitOption = 25,
    as_json: JsonOption = False,
) -> None:
    """Economies by code or words of their names ('Korea', 'бел', BLR); candidates, no guess."""
    from silkroad.reference import search_economies

    found = search_economies(search, limit=limit)
    if as_json:
        print_json([m._asdict() for m in found])
        return
    if not found:
        out.print(f"no economy matches {search!r}", markup=False, highlight=False)
        return
    table = Table(title=f"Economies matching {search!r}")
    for col in ("ISO3", "name", "название", "kind"):
        table.add_column(col, overflow="fold")
    for m in found:
        table.add_row(m.iso3, Text(m.name_en), Text(m.name_ru), m.kind)
    out.print(table)


def blocs(
    search: Annotated[
        str | None,
        typer.Argument(metavar="SEARCH", help="Words of a bloc's id or name (default: all)."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Members in that year (default: now).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Blocs usable as a side of a pair (EAEU, EU27, CIS …) with their members."""
    from silkroad.reference import list_blocs

    found = list_blocs(search, year=None if year is None else args.year(year))
    if as_json:
        print_json([b._asdict() for b in found])
        return
    if not found:
        out.print(f"no bloc matches {search!r}", markup=False, highlight=False)
        return
    when = f" in {year}" if year is not None else ""
    table = Table(title=f"Blocs and their members{when}")
    for col in ("id", "name", "название", "members"):
        table.add_column(col, overflow="fold")
    for b in found:
        table.add_row(b.bloc, Text(b.name_en), Text(b.name_ru), " ".join(b.members) or "-")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    for command in (products, economies, blocs):
        add_command(app, command)
