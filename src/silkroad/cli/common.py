"""What every command family shares: the consoles, the option bundles, output and progress.

An option bundle is an ``Annotated`` type that a command names in its signature, so that
``--home``, ``--json``/``--csv``, ``--lang`` and the pair options (``--source``,
``--perspective``) read and behave the same in every command. Arguments are checked by
:mod:`silkroad.args`; results are serialised by :mod:`silkroad.results` only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from silkroad import args

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair
    from silkroad.analytics.world import World
    from silkroad.results import Result
    from silkroad.store.store import Store

# Piped or redirected output gets a wide console, so numbers in tables are never cut.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)


class State:
    """Options of the root command that the error handler needs (``--debug``)."""

    debug = False


STATE = State()

# --- option bundles -----------------------------------------------------------------------------
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
LangOption = Annotated[
    str, typer.Option("--lang", help="Language of product names: en or ru.", show_default=True)
]
SourceOption = Annotated[
    str | None,
    typer.Option("--source", help="Source id to use, as `silkroad sources` lists it."),
]
PerspectiveOption = Annotated[
    str,
    typer.Option(
        "--perspective",
        help="reconciled (BACI), exporter (each side's own declarations), mirror (the partner's), "
        "or auto (best available; stated in the output).",
    ),
]
TopOption = Annotated[
    int,
    typer.Option("--top", help="Largest N rows shown (N >= 1)."),
]
YearOption = Annotated[
    int, typer.Option("--year", help="The year analysed (compared with year-1).")
]
ImportsOption = Annotated[
    bool, typer.Option("--imports", help="Analyse A's imports from B instead of its exports.")
]
A_ARG = Annotated[
    str, typer.Argument(metavar="A", help="Economy or bloc: ISO3, name or bloc id (BLR, EAEU).")
]
B_ARG = Annotated[str, typer.Argument(metavar="B", help="Partner economy or bloc (KAZ).")]


def output_mode(as_json: bool, as_csv: bool) -> str:
    """'json', 'csv' or 'table'; ``--json`` with ``--csv`` is refused (one line, exit 2)."""
    args.exclusive(json=as_json, csv=as_csv)
    return "json" if as_json else "csv" if as_csv else "table"


def emit(result: Result, mode: str) -> bool:
    """Print ``result`` as JSON or CSV through its own serialiser; True if printed."""
    if mode == "json":
        sys.stdout.write(result.to_json() + "\n")
        return True
    if mode == "csv":
        sys.stdout.write(result.to_csv())
        return True
    return False


def print_json(data: Any) -> None:
    """Print a plain structure (lists of paths, store listings) through :func:`results.dumps`."""
    from silkroad.results import dumps

    sys.stdout.write(dumps(data) + "\n")


def open_store(home: Path | None) -> Store:
    """The store at ``--home`` (else ``$SILKROAD_HOME``, else the user data directory)."""
    from silkroad.store.store import Store

    return Store(home)


def pair(store: Store, a: str, b: str, *, source: str | None, perspective: str) -> Pair:
    """The analytics entry for the relationship of ``a`` and ``b``, checked options first."""
    from silkroad.analytics.pair import Pair

    return Pair(store, a, b, source=source, perspective=args.perspective(perspective))


def world(home: Path | None, source: str | None) -> World:
    """The world-level entry over the store at ``--home`` (reconciled data unless ``--source``)."""
    from silkroad.analytics.world import World

    return World(open_store(home), source=source)


@contextmanager
def progress(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar on stderr driven by a library ``progress(stage, done, total)``."""
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


# --- formatting for people (tables only; JSON and CSV keep full precision in USD) ---------------
#: How a table for people shows a value the data cannot establish (analytics/unknown.py).
UNKNOWN = "n/a"


def musd(value: Any) -> str:
    """USD as millions with one decimal (``n/a`` when unknown: never a blank that reads as 0)."""
    if value is None or value != value:
        return UNKNOWN
    return f"{float(value) / 1e6 + 0.0:,.1f}"


def pct(value: Any, *, signed: bool = True) -> str:
    """A ratio as a percentage with one decimal ('' when unknown)."""
    if value == UNKNOWN:
        return UNKNOWN  # a value already known to be unknown
    if value is None or value != value:
        return ""
    return f"{float(value) * 100:+.1f}" if signed else f"{float(value) * 100:.1f}"


def number(value: Any, digits: int = 2) -> str:
    """A plain number with ``digits`` decimals ('' when unknown)."""
    if value == UNKNOWN:
        return UNKNOWN  # a value already known to be unknown
    if value is None or value != value:
        return ""
    return f"{float(value):,.{digits}f}"


def whole(value: Any) -> str:
    """A count or rank ('' when unknown)."""
    if value == UNKNOWN:
        return UNKNOWN  # a value already known to be unknown
    if value is None or value != value:
        return ""
    return str(int(value))


def product_labels(
    rows: list[dict[str, Any]], key: str, lang: str, meta: dict[str, Any]
) -> list[str]:
    """Display names for the rows of a table: HS codes named by the reference data (short
    names, in ``lang``), anything else (sections, baskets, 'other') by the row's own label."""
    from silkroad.reference import product_names

    classification = str(meta.get("classification") or "HS22")
    grouped = meta.get("baskets") is not None or meta.get("level") == "section"
    hs = [i for i, r in enumerate(rows) if not grouped and str(r.get(key, "")).isdigit()]
    names = [str(r.get(f"label_{lang}") or r.get("label_en") or "") for r in rows]
    found = product_names([rows[i][key] for i in hs], lang, classification=classification)
    for i, name in zip(hs, found, strict=True):
        names[i] = name
    return names


def pair_names(meta: dict[str, Any]) -> tuple[str, str]:
    """The names of side A and partner B in a result's metadata."""
    a = meta.get("a_name") or meta.get("a") or "A"
    b = meta.get("b_name") or meta.get("b") or "B"
    return str(a), str(b)


def unknown_years(meta: dict[str, Any], *whats: str) -> set[int]:
    """The years whose values (of kinds ``whats``; any kind but 'members' when none is given)
    are unknown."""
    return {
        int(n["year"])
        for n in meta.get("unknown") or []
        if n.get("year") is not None
        and (n.get("what") in whats if whats else n.get("what") != "members")
    }


def unknown_lines(meta: dict[str, Any]) -> None:
    """One line per reason a value shown as n/a is unknown (``metadata['unknown']``)."""
    for n in meta.get("unknown") or []:
        # 'members': a bloc standing for its members in the data, a caveat on known values
        lead = "note" if n.get("what") == "members" else UNKNOWN
        out.print(f"{lead}: {n['reason']}", markup=False, highlight=False)


def footer(meta: dict[str, Any]) -> None:
    """The provenance line under every analysis table (and the years asked for but not held,
    and why any value shown as n/a is unknown)."""
    unknown_lines(meta)
    skipped = meta.get("years_not_held") or []
    if skipped:
        out.print(
            f"note: {', '.join(map(str, skipped))} not in {meta['source']}: shown are the years "
            "it holds",
            markup=False,
            highlight=False,
        )
    note = " — SYNTHETIC demo data, not real statistics" if meta.get("synthetic") else ""
    out.print(
        f"source: {meta['source']} release {meta['source_version']} ({meta['classification']}), "
        f"perspective {meta['perspective']}, current USD{note}",
        markup=False,
        highlight=False,
    )


def add_command(app: typer.Typer, fn: Callable[..., None], name: str | None = None) -> None:
    """Register ``fn`` on ``app``; the command list shows its docstring's whole first line."""
    first = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else None
    app.command(name, short_help=first)(fn)
