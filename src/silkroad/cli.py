"""The ``silkroad`` command: a thin layer over the library (open store, call, print).

Every command turns a ``SilkroadError`` into one line on stderr and its exit code (2 for user
errors); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import json
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from silkroad import __version__
from silkroad.analytics.pair import Pair
from silkroad.errors import SilkroadError
from silkroad.store.store import Store

app = typer.Typer(
    name="silkroad",
    help="Bilateral trade intelligence: ingest BACI, query pairs, produce briefs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Piped or redirected output gets a wide console, so numbers in tables are never cut.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)


class _State:
    debug = False


STATE = _State()

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Store directory (default: $SILKROAD_HOME, else the user data directory).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV (values in USD).")]


def _version(value: bool) -> None:
    if value:
        out.print(f"silkroad {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    STATE.debug = debug


@contextmanager
def _progress(description: str) -> Any:
    """A Rich progress bar driven by a library ``progress(stage, done, total)`` callback."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None)

        def callback(stage: str, done: int, total: int) -> None:
            # The last step is always drawn (a fast job would otherwise end between refreshes).
            bar.update(
                task,
                description=f"{description} ({stage})",
                completed=done,
                total=total,
                refresh=bool(total) and done >= total,
            )

        yield callback


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def parse_years(text: str | None) -> list[int] | None:
    """'2010-2015' -> [2010..2015]; '2010,2012' -> [2010, 2012]; '2014' -> [2014]; None -> None."""
    from silkroad import args

    return args.years(text)


# --- commands ------------------------------------------------------------------------------------
@app.command()
def ingest(
    source: Annotated[str, typer.Argument(help="Source format: baci, comtrade or table.")],
    path: Annotated[
        Path,
        typer.Argument(
            help="BACI: a release zip, a directory of its files, or a year CSV. "
            "Comtrade: an API JSON response, a CSV export, or a legacy API JSON or CSV. "
            "Table: a national statistics CSV, XLSX or XLS (with --mapping)."
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

    store = Store(home)
    with _progress(f"ingest {path.name}") as progress:
        result = run_ingest(
            store, source, path, progress=progress, force=force, reporter=reporter, mapping=mapping
        )
    if as_json:
        _print_json(result.to_dict())
        return
    if result.noop:
        out.print(f"{result.source}: {path} {result.message}")
        return
    out.print(f"{result.source}: {result.message}")
    out.print(
        f"rows read {result.rows_read:,}  loaded {result.rows_loaded:,}  "
        f"rejected {result.rows_rejected:,}  in {result.seconds:.1f} s"
    )
    if result.rows_rejected:
        reasons = ", ".join(f"{k} {v:,}" for k, v in result.rejected_by_reason.items())
        out.print(f"rejected rows by reason: {reasons}")
        out.print(f"see them with: silkroad rejected {result.source}")


@app.command()
def sources(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """What the store holds, per source: release, years, rows, input sha256."""
    store = Store(home)
    data = store.sources()
    if as_json:
        _print_json({"home": str(store.home), "sources": data})
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


@app.command()
def rejected(
    source: Annotated[str, typer.Argument(help="Source id, as `silkroad sources` lists it.")],
    home: HomeOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Quarantined rows of a source: file, line, field and reason."""
    store = Store(home)
    df = store.rejected(source, limit=limit)
    if as_json:
        _print_json(df.to_dict(orient="records"))
        return
    if df.empty:
        out.print(f"{source}: no rejected rows")
        return
    table = Table(title=f"Rejected rows of {source} (first {limit})")
    for col in ("file", "line", "field", "reason", "raw"):
        table.add_column(col, overflow="fold")
    for row in df.itertuples():
        table.add_row(Path(row.file).name, str(row.line), row.field or "", row.reason, row.raw)
    out.print(table)


@app.command()
def summary(
    a: Annotated[str, typer.Argument(help="Economy, ISO3 or name (e.g. BLR).")],
    b: Annotated[str, typer.Argument(help="Partner economy (e.g. KAZ).")],
    years: Annotated[
        str | None, typer.Option("--years", help="Years, e.g. 2010-2015 (default: all).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Source id to use.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Per year: A's exports to B, imports from B, turnover, balance and growth."""
    store = Store(home)
    df = Pair(store, a, b, source=source).summary(years=parse_years(years)).to_frame()
    _print_summary(df, as_json=as_json, as_csv=as_csv)


def _print_summary(df: Any, *, as_json: bool = False, as_csv: bool = False) -> None:
    meta = df.attrs["metadata"]
    if as_json:
        records = json.loads(df.to_json(orient="records"))
        _print_json({"metadata": meta, "rows": records})
        return
    if as_csv:
        sys.stdout.write(df.to_csv(index=False))
        return
    title = f"Trade of {meta['a_name']} with {meta['b_name']}, million USD" + (
        " — SYNTHETIC demo data" if meta["synthetic"] else ""
    )
    table = Table(title=title)
    for col in ("year", "exports", "imports", "turnover", "balance", "turnover growth, %"):
        table.add_column(col, justify="right", overflow="fold")
    for r in df.itertuples():
        g = "" if r.turnover_growth != r.turnover_growth else f"{r.turnover_growth * 100:+.1f}"
        table.add_row(
            str(r.year),
            f"{r.exports_usd / 1e6:,.1f}",
            f"{r.imports_usd / 1e6:,.1f}",
            f"{r.turnover_usd / 1e6:,.1f}",
            f"{r.balance_usd / 1e6 + 0.0:,.1f}",
            g,
        )
    out.print(table)
    out.print(
        f"source: {meta['source']} release {meta['source_version']} ({meta['classification']}), "
        f"perspective {meta['perspective']}, values in current USD"
    )


@app.command()
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
    from silkroad.ingestion import ingest as run_ingest
    from silkroad.sources import synthetic

    store = Store(home)
    target = store.home / "demo" / f"{size}-seed{seed}"
    zips = sorted(target.glob("BACI_*.zip")) if target.exists() else []
    if zips:
        archive = zips[0]
        out.print(f"using the generated demo release {archive}")
    else:
        with _progress(f"generate synthetic world ({size})") as progress:
            archive = synthetic.generate(target, size=size, seed=seed, progress=progress)
        out.print(f"generated SYNTHETIC demo release {archive}")
    with _progress(f"ingest {archive.name}") as progress:
        result = run_ingest(store, "baci", archive, progress=progress)
    if result.noop:
        out.print(f"{result.source}: {result.message}")
    else:
        out.print(
            f"{result.source}: rows read {result.rows_read:,}  loaded {result.rows_loaded:,}  "
            f"rejected {result.rows_rejected:,}  in {result.seconds:.1f} s"
        )
    df = Pair(store, "BLR", "KAZ", source=result.source).summary().to_frame()
    _print_summary(df)
    out.print(f"store: {store.home}  (explore: silkroad summary RUS KAZ --home {store.home})")
    if briefs:
        from silkroad.briefs import write_briefs

        held = store.years(result.source)
        year = 2014 if 2014 in held else held[-1]
        base = 2007 if 2007 in held and year > 2007 else held[0]
        target_dir = out_dir or store.home / "briefs"
        with _progress("write briefs") as progress:
            progress("brief", 0, 1)
            paths = write_briefs(
                store, "BLR", "KAZ", year=year, base=base, out_dir=target_dir,
                langs=("en", "ru"), source=result.source,
            )  # fmt: skip
            progress("brief", 1, 1)
        out.print(f"briefs for Belarus–Kazakhstan, {year} (base {base}), SYNTHETIC data:")
        for path in paths:
            out.print(f"  {path}")


def main() -> None:
    """Entry point: run the app, turning silkroad errors into one line and an exit code."""
    try:
        app()
    except SilkroadError as exc:
        if STATE.debug:
            traceback.print_exc()
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except OSError as exc:  # the file system refused: a user-level problem, not a bug
        if STATE.debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"error: {where}{exc.strerror or exc}", markup=False, highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted; the store is unchanged", markup=False)
        sys.exit(130)
    except Exception as exc:  # an internal failure: one line unless --debug
        if STATE.debug:
            traceback.print_exc()
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
            markup=False,
            highlight=False,
        )
        sys.exit(1)


# The analysis commands register themselves on ``app``.
from silkroad import cli_analysis, cli_brief, cli_download, cli_tables  # noqa: E402, F401

if __name__ == "__main__":  # `python -m silkroad.cli`: run the imported module's app
    from silkroad.cli import main as _main_of_package

    _main_of_package()
