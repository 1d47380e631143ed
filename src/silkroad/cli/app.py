"""The ``silkroad`` application: the root command, explicit registration, the error handler.

Each command family lives in its own module and exposes ``register(app)``; :func:`build`
calls each of them, so what the app holds is read here, not found by import side effects.
Every command turns a ``SilkroadError`` into one line on stderr and its exit code (2 for user
errors); a usage error (an unknown option, ``--year abc``) is one line and exit 2 too;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import typer

from silkroad import __version__
from silkroad.cli.common import STATE, err, out
from silkroad.errors import SilkroadError

HELP = "Bilateral trade intelligence: ingest BACI, query pairs, produce briefs."


def _version(value: bool) -> None:
    if value:
        out.print(f"silkroad {__version__}")
        raise typer.Exit()


def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Query engine of the analyses: duckdb or spark (default: $SILKROAD_ENGINE, "
            "else duckdb).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    STATE.debug = debug
    if engine is not None:
        import os

        from silkroad import settings

        # through the settings table, so every store this command opens uses it
        os.environ["SILKROAD_ENGINE"] = settings.engine(engine)


def build() -> typer.Typer:
    """The app with every command family registered, in the order ``--help`` lists them."""
    from silkroad.cli import (
        analysis,
        brief,
        demo,
        download,
        ingest,
        lookup,
        prospects,
        serve,
        tables,
        world,
    )

    app = typer.Typer(
        name="silkroad",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        # Plain help: flags read as flags (``--json``), not ``--json <bool>``.
        rich_markup_mode=None,
        context_settings={"max_content_width": 120},
    )
    app.callback()(_root)
    for family in (
        ingest,
        analysis,
        world,
        prospects,
        brief,
        serve,
        lookup,
        tables,
        demo,
        download,
    ):
        family.register(app)
    return app


app = build()


def _fail(message: str, code: int) -> None:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning errors into one line and an exit code."""
    from typer._click import exceptions as click_exceptions

    try:
        code = app(args=argv, prog_name="silkroad", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:  # `silkroad` alone: the help, as asked
        exc.show()
        sys.exit(exc.exit_code)
    except click_exceptions.UsageError as exc:
        where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        _fail(f"error: {' '.join(exc.format_message().split())}{where}", 2)
    except click_exceptions.ClickException as exc:
        _fail(f"error: {' '.join(exc.format_message().split())}", exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except SilkroadError as exc:
        if STATE.debug:
            traceback.print_exc()
        _fail(f"error: {exc}", exc.exit_code)
    except OSError as exc:  # the file system refused: a user-level problem, not a bug
        if STATE.debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"error: {where}{exc.strerror or exc}", 2)
    except KeyboardInterrupt:
        _fail("interrupted; the store is unchanged", 130)
    except Exception as exc:  # an internal failure: one line unless --debug
        if STATE.debug:
            traceback.print_exc()
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
            1,
        )
    if isinstance(code, int) and code:
        sys.exit(code)
