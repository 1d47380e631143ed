"""``silkroad mapping-check``: preview how a national statistics table would be read (docs/tables.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from silkroad.cli import JsonOption, _print_json, app, out


@app.command("mapping-check")
def mapping_check(
    path: Annotated[Path, typer.Argument(help="The table: CSV, XLSX or XLS.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="The YAML mapping (docs/tables.md).")],
    rows: Annotated[int, typer.Option("--rows", help="How many data rows to preview.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Preview how the first rows of a table would be read with a mapping (nothing is stored)."""
    from silkroad.errors import FormatError
    from silkroad.sources.table import describe_columns, load_mapping, preview, read_grid

    try:
        m, grid, reading = preview(path, mapping, rows=rows)
    except FormatError:
        # Show the top of the table as read, so that header_row and the names can be fixed.
        if not as_json:
            top = read_grid(path, load_mapping(mapping)).rows[:8]
            out.print("the first rows as read (row number: cells):")
            for n, cells in enumerate(top, start=1):
                shown = " | ".join("" if c is None else str(c) for c in cells)
                out.print(f"{n:>4}: {shown}", markup=False)
        raise
    cells: list[dict[str, Any]] = []
    for c in reading.cells:
        item: dict[str, Any] = {"line": c.line, "field": c.field}
        if c.row is not None:
            item.update({k: c.row[k] for k in ("year", "month", "exporter", "importer")})
            item.update({k: c.row[k] for k in ("declared_by", "product", "value_usd")})
        else:
            item.update({"code": c.code, "reason": c.reason, "raw": c.raw})
        cells.append(item)
    summary = {
        "source": m.source,
        "file": str(grid.path),
        "sheet": grid.sheet,
        "encoding": grid.encoding,
        "header": reading.header,
        "value_columns": [vc[1] for vc in reading.value_columns],
        "columns": [{"header": h, "read_as": what} for h, what in describe_columns(grid, m)],
        "cells_read": len(reading.cells),
        "cells_loaded": sum(1 for c in reading.cells if c.row is not None),
        "cells_rejected": sum(1 for c in reading.cells if c.row is None),
        "cells_missing": reading.missing,
    }
    if as_json:
        _print_json({**summary, "cells": cells})
        return
    where = f"sheet {grid.sheet!r}" if grid.sheet is not None else f"encoding {grid.encoding}"
    out.print(f"{m.source}: {grid.path.name} ({where}), first {rows} data rows")
    out.print("value columns: " + ", ".join(summary["value_columns"]))
    # Every named column and what becomes of it: none is dropped unseen (a year total, a
    # quarter, year to date are quarantined cell by cell, their code shown here).
    cols = Table("column", "read as")
    for c in summary["columns"]:
        cols.add_row(c["header"], c["read_as"])
    out.print(cols)
    t = Table("line", "cell", "year", "exporter", "importer", "product", "value_usd", "rejected")
    for c in cells:
        if "code" in c:
            t.add_row(str(c["line"]), c["field"], "", "", "", "", "", f"{c['code']}: {c['reason']}")
        else:
            t.add_row(
                str(c["line"]),
                c["field"],
                str(c["year"]) + (f"-{c['month']:02d}" if c["month"] else ""),
                c["exporter"],
                c["importer"],
                c["product"],
                f"{c['value_usd']:,.2f}",
                "",
            )
    out.print(t)
    out.print(
        f"cells read {summary['cells_read']}  loaded {summary['cells_loaded']}  "
        f"rejected {summary['cells_rejected']}  missing {summary['cells_missing']} (not rows)"
    )
