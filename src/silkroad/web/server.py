"""``silkroad serve``: the web app under uvicorn on this machine (127.0.0.1 by default)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from silkroad.errors import InputError

TOKEN_ENV = "SILKROAD_TOKEN"


def read_token(
    token_file: str | os.PathLike[str] | None = None, token: str | None = None
) -> str | None:
    """The write token: ``token``, else the first line of ``token_file``, else $SILKROAD_TOKEN."""
    if token:
        return token
    if token_file is not None:
        path = Path(token_file)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(
                "cannot read the token file",
                path=path,
                found=exc.strerror,
                expected="a readable file",
            ) from exc
        first = text.splitlines()[0].strip() if text else ""
        if not first:
            raise InputError(
                "the token file is empty", path=path, expected="the token on its first line"
            )
        return first
    from silkroad import settings

    return settings.raw("token") or None


#: Environment of the worker processes of ``serve(workers=N)``: the home they open.
HOME_ENV = "SILKROAD_SERVE_HOME"
#: The server process's GIL switch interval (s; Python's default 0.005): a summary's thread
#: waits at most this long for a structure's thread to hand over the interpreter.
SWITCH_INTERVAL_S = 0.001


def app_from_env() -> Any:
    """The app of one worker process of ``serve(workers=N)`` (uvicorn's factory): the store at
    $SILKROAD_SERVE_HOME, read-only (writes need one process: ``serve`` refuses a token with
    several workers)."""
    from silkroad.web.app import create_app

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return create_app(os.environ.get(HOME_ENV) or None, token=None)


def serve(
    home: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    token_file: str | os.PathLike[str] | None = None,
    token: str | None = None,
    *,
    workers: int = 1,
) -> None:
    """Serve the dashboard and API at http://HOST:PORT/ until Ctrl-C; prints the URL first.

    Writes (upload and ingest) are on only with a token (``token``, ``token_file`` or
    $SILKROAD_TOKEN), and only with one worker (an ingest's progress lives in its process).
    ``workers`` > 1 runs that many uvicorn worker processes on the same socket, each reading
    the store on its own (Python runs one thread at a time per process: two cores need two).

    >>> serve("/tmp/silkroad-demo", port=8765)  # doctest: +SKIP
    """
    import uvicorn

    from silkroad.web.app import create_app

    if workers < 1:
        raise InputError("bad number of workers", field="workers", found=workers, expected=">= 1")
    secret = read_token(token_file, token)
    if secret and workers > 1:
        raise InputError(
            "writes need a single worker process",
            field="workers",
            found=workers,
            expected="--workers 1 with a token (or no token: read-only)",
        )
    app = create_app(home, token=secret)
    shown = f"[{host}]" if ":" in host else host
    writes = "on (bearer token)" if secret else "off (no token)"
    procs = f"; {workers} worker processes" if workers > 1 else ""
    print(
        f"silkroad serving {app.state.stores.home} at http://{shown}:{port}/ "
        f"(API docs /docs; writes {writes}{procs}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    if workers > 1:
        # uvicorn's supervisor starts the worker processes on one socket (the app as an
        # import string, built in each process by :func:`app_from_env`) and stops them on Ctrl-C
        os.environ[HOME_ENV] = str(app.state.stores.home)
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run(
                "silkroad.web.server:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                http="silkroad.web.nodelay:NoDelayProtocol",
                log_level="info",
                access_log=True,
            )
    else:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=True)
        server = uvicorn.Server(config)
        # uvicorn handles SIGINT itself (a clean shutdown); a second Ctrl-C lands here
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    print("silkroad server stopped", file=sys.stderr, flush=True)
