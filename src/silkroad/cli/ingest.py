"""``silkroad ingest|sources|rejected``: load files into the store and see what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from silkroad.cli.common import (
    HomeOption,
    JsonOption,
    add_command,
    open_store,
    out,
    print_json,
    progress,
)


def ingest(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="Source format: baci, comtrade or table.")
    ],
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="BACI: a release zip, a directory of its files, or a year CSV. "
            "Comtrade: an API JSON response, a CSV export, or a legacy API JSON or CSV. "
            "Table: a national statistics CSV, XLSX or XLS (with --mapping).",
        ),
    ],
    home: HomeOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Allow replacing a newer release with an older one.")
    ] = False,
    reporter: Annotated[
        str | None,
        typer.Option(
            "--reporter", help="Comtrade: the reporter (ISO3) to load from a multi-reporter file."
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Table: the YAML mapping that says how to read it."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a source's files into the store (atomic; rows read = loaded + rejected)."""
    from silkroad.ingestion import ingest as run_ingest

    store = open_store(home)
    with progress(f"ingest {path.name}") as callback:
        result = run_ingest(
            store, source, path, progress=callback, force=force, reporter=reporter, mapping=mapping
        )
    if as_json:
        print_json(result.to_dict())
        return
    if result.noop:
        out.print(f"{result.source}: {path} {result.message}", markup=False, highlight=False)
        return
    out.print(f"{result.source}: {result.message}", markup=False, highlight=False)
    out.print(
        f"rows read {result.rows_read:,}  loaded {result.rows_loaded:,}  "
        f"rejected {result.rows_rejected:,}  in {result.seconds:.1f} s"
    )
    if result.rows_rejected:
        reasons = ", ".join(f"{k} {v:,}" for k, v in result.rejected_by_reason.items())
        out.print(f"rejected rows by reason: {reasons}", markup=False)
        out.print(f"see them with: silkroad rejected {result.source}", markup=False)


def sources(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """What the store holds, per source: release, years, rows, input sha256."""
    store = open_store(home)
    data = store.sources()
    if as_json:
        print_json({"home": str(store.home), "sources": data})
        return
    if not data:
        out.print(f"the store at {store.home} is empty; run `silkroad demo` or `silkroad ingest`")
        return
    table = Table(title=f"Store {store.home}")
    for col in ("source", "release", "years", "rows", "rejected", "input sha256"):
        table.add_column(col, justify="right" if col in ("rows", "rejected") else "left")
    for s in data:
        years = f"{s['years'][0]}–{s['years'][-1]}" if s["years"] else "-"
        name = s["source"] + (" (synthetic)" if s["synthetic"] else "")
        sha = "\n".join(i["sha256"][:16] + "…" for i in s["inputs"])
        table.add_row(name, s["version"], years, f"{s['rows']:,}", f"{s['rows_rejected']:,}", sha)
    out.print(table)


def rejected(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="Source id, as `silkroad sources` lists it.")
    ],
    home: HomeOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Quarantined rows of a source: file, line, field and reason."""
    df = open_store(home).rejected(source, limit=limit)
    if as_json:
        print_json(df)
        return
    if df.empty:
        out.print(f"{source}: no rejected rows", markup=False)
        return
    table = Table(title=f"Rejected rows of {source} (first {limit})")
    for col in ("file", "line", "field", "reason", "raw"):
        table.add_column(col, overflow="fold")
    for row in df.itertuples():
        # Raw lines are shown as found: brackets in them are text, not Rich markup.
        table.add_row(
            Text(Path(row.file).name), str(row.line), Text(row.field or ""), Text(row.reason),
            Text(str(row.raw)),
        )  # fmt: skip
    out.print(table)


def check(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Verify every file the catalog lists (present, sha256, readable); list stray entries."""
    from silkroad.errors import StoreError

    store = open_store(home)
    report = store.check()
    if as_json:
        print_json(report.to_dict())
    else:
        if report.problems:
            table = Table(title=f"Problems in the store {store.home}")
            for col in ("file", "problem", "detail"):
                table.add_column(col, overflow="fold")
            for p in report.problems:
                table.add_row(Text(p.path), p.problem, Text(p.detail))
            out.print(table)
        if report.ok:
            out.print(f"{store.home}: {report.summary()}", markup=False, highlight=False)
    if not report.ok:
        # Exit 2 with one line on stderr, after the report (stdout) has been printed.
        raise StoreError(
            f"the store at {store.home} is damaged: {report.summary()}",
            hint="ingest the sources named again",
        )


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    for command in (ingest, sources, rejected, check):
        add_command(app, command)
