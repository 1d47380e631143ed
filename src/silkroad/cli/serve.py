"""``silkroad serve``: the local web dashboard and JSON API over a store (docs/web.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkroad.cli.common import HomeOption, add_command


def serve(
    home: HomeOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            help="A file holding the bearer token that turns the upload/ingest endpoints on "
            "(else $SILKROAD_TOKEN; with neither, writes are off).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Worker processes (1: one process; 2 on a two-core machine serves twice the "
            "requests). Read-only with more than one: writes need --workers 1.",
            min=1,
            max=64,
        ),
    ] = 1,
) -> None:
    """Serve the dashboard and the JSON API of the store on this machine until Ctrl-C."""
    from silkroad.web import serve as run

    run(home, host=host, port=port, token_file=token_file, workers=workers)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    add_command(app, serve)
