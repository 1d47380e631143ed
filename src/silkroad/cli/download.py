"""``silkroad download baci|comtrade``: optional downloads, then ingest (needs internet)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from silkroad import args
from silkroad.cli.common import HomeOption, add_command, open_store, out, progress
from silkroad.errors import InputError

DestOption = Annotated[
    Path | None,
    typer.Option("--dest", help="Where to put the files (default: HOME/downloads)."),
]
IngestOption = Annotated[
    bool, typer.Option("--ingest/--no-ingest", help="Ingest what was downloaded.")
]


def download_baci_cmd(
    release: Annotated[str, typer.Option("--release", help="Release, e.g. V202401b.")],
    hs: Annotated[
        str, typer.Option("--hs", help="HS revision: 92, 96, 02, 07, 12, 17, 22.")
    ] = "92",
    dest: DestOption = None,
    home: HomeOption = None,
    ingest: IngestOption = True,
) -> None:
    """Fetch BACI_HS{hs}_V{release}.zip from CEPII (resumable), then ingest it."""
    from silkroad.download.http import Http
    from silkroad.download.sources import download_baci

    store = open_store(home)
    target = dest or store.home / "downloads"
    with progress(f"download BACI HS{hs} {release}") as callback, Http(progress=callback) as http:
        path = download_baci(http, release=release, hs=hs, dest=target)
    out.print(f"downloaded {path}")
    if ingest:
        from silkroad.ingestion import ingest as run_ingest

        with progress(f"ingest {path.name}") as callback:
            result = run_ingest(store, "baci", path, progress=callback)
        out.print(f"{result.source}: {result.message or 'ingested'}")


def download_comtrade_cmd(
    reporter: Annotated[str, typer.Option("--reporter", help="Reporting economy (ISO3 or name).")],
    years: Annotated[str, typer.Option("--years", help="e.g. 2010-2014.")],
    partner: Annotated[
        str | None, typer.Option("--partner", help="Partner economy (default: all partners).")
    ] = None,
    flows: Annotated[str, typer.Option("--flows", help="X, M, RX, RM, comma separated.")] = "X,M",
    level: Annotated[str, typer.Option("--level", help="total, hs2, hs4 or hs6.")] = "hs6",
    key_env: Annotated[
        str, typer.Option("--key-env", help="Environment variable holding the API key.")
    ] = "COMTRADE_KEY",
    max_records: Annotated[
        int | None,
        typer.Option(
            "--max-records",
            help="Rows per call, your subscription's cap (default: "
            "$SILKROAD_COMTRADE_MAX_RECORDS, else 100000); longer answers are split.",
            show_default=False,
        ),
    ] = None,
    dest: DestOption = None,
    home: HomeOption = None,
    ingest: IngestOption = True,
) -> None:
    """Fetch a reporter's declarations from the UN Comtrade API (cached), then ingest them.

    An answer as long as the record cap is split by flow, partner and chapter, and the pieces
    are merged into one file per year.
    """
    from silkroad.download.http import Http, require_key
    from silkroad.download.sources import KEY_HEADER, download_comtrade

    key = require_key(os.environ, key_env)
    ys = args.years(years)
    if not ys:
        raise InputError("no years given", field="--years", expected="e.g. 2010-2014")
    store = open_store(home)
    target = dest or store.home / "downloads" / "comtrade"
    with (
        progress(f"download Comtrade {reporter.upper()}") as callback,
        Http(cache_dir=store.home / "cache" / "comtrade", secret_headers={KEY_HEADER: key}) as http,
    ):
        paths = download_comtrade(
            http, reporter=reporter, partner=partner, years=ys,
            flows=[f.strip().upper() for f in flows.split(",") if f.strip()],
            level=level, dest=target, max_records=max_records, progress=callback,
        )  # fmt: skip
    for path in paths:
        out.print(f"downloaded {path}")
    out.print(f"{http.requests} request(s) sent to Comtrade (the others answered from the cache)")
    if ingest:
        from silkroad.ingestion import SOURCE_KINDS
        from silkroad.ingestion import ingest as run_ingest

        if "comtrade" not in SOURCE_KINDS:
            out.print("the Comtrade reader is not available yet: files kept, not ingested")
            return
        for path in paths:
            result = run_ingest(store, "comtrade", path)
            out.print(f"{result.source}: {result.message or 'ingested'}")


def register(app: typer.Typer) -> None:
    """Add the ``download`` group and its commands to ``app``."""
    group = typer.Typer(
        name="download",
        help="Download BACI releases or UN Comtrade extracts (needs internet), then ingest them.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    add_command(group, download_baci_cmd, "baci")
    add_command(group, download_comtrade_cmd, "comtrade")
    app.add_typer(group, name="download")
