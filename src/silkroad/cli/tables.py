"""``silkroad mapping-check``: preview how a national statistics table would be read (docs/tables.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from silkroad.cli.common import JsonOption, add_command, out, print_json

if TYPE_CHECKING:
    from silkroad.sources.mapping_check import MappingCheck


def mapping_check(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The table: CSV, XLSX or XLS.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="The YAML mapping (docs/tables.md).")],
    rows: Annotated[int, typer.Option("--rows", min=1, help="How many data rows to preview.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Preview how the first rows of a table would be read with a mapping (nothing is stored)."""
    from silkroad.errors import FormatError
    from silkroad.sources.mapping_check import head_rows
    from silkroad.sources.mapping_check import mapping_check as check

    try:
        report = check(path, mapping, rows=rows)
    except FormatError:
        # Show the top of the table as read, so that header_row and the names can be fixed.
        if not as_json:
            out.print("the first rows as read (row number: cells):")
            for n, cells in enumerate(head_rows(path, mapping), start=1):
                shown = " | ".join("" if c is None else str(c) for c in cells)
                out.print(f"{n:>4}: {shown}", markup=False, highlight=False)
        raise
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report, rows)
    if report.refused is not None:
        raise report.refused  # after the preview: exit 2, one line


def _print(report: MappingCheck, rows: int) -> None:
    """The report for people: columns, cells read, counts."""
    where = f"sheet {report.sheet!r}" if report.sheet is not None else f"encoding {report.encoding}"
    out.print(
        f"{report.source}: {report.file.name} ({where}), first {rows} data rows",
        markup=False,
        highlight=False,
    )
    out.print("value columns: " + ", ".join(report.value_columns), markup=False)
    # Every named column and what becomes of it: none is dropped unseen (a year total, a
    # quarter, year to date are quarantined cell by cell, their code shown here).
    cols = Table("column", "read as")
    for header, what in report.columns:
        cols.add_row(Text(header), Text(what))
    out.print(cols)
    t = Table("line", "cell", "year", "exporter", "importer", "product", "value_usd", "rejected")
    for c in report.cells:
        if "code" in c:
            t.add_row(
                str(c["line"]),
                Text(c["field"]),
                "",
                "",
                "",
                "",
                "",
                Text(f"{c['code']}: {c['reason']}"),
            )
        else:
            t.add_row(
                str(c["line"]),
                Text(c["field"]),
                str(c["year"]) + (f"-{c['month']:02d}" if c["month"] else ""),
                c["exporter"],
                c["importer"],
                c["product"],
                f"{c['value_usd']:,.2f}",
                "",
            )
    out.print(t)
    out.print(
        f"cells read {report.cells_read}  loaded {report.cells_loaded}  "
        f"rejected {report.cells_rejected}  missing {report.cells_missing} (not rows)"
    )


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    add_command(app, mapping_check, "mapping-check")
