"""``silkroad serve``: the web app under uvicorn on this machine (127.0.0.1 by default)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

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


def serve(
    home: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    token_file: str | os.PathLike[str] | None = None,
    token: str | None = None,
) -> None:
    """Serve the dashboard and API at http://HOST:PORT/ until Ctrl-C; prints the URL first.

    Writes (upload and ingest) are on only with a token (``token``, ``token_file`` or
    $SILKROAD_TOKEN).

    >>> serve("/tmp/silkroad-demo", port=8765)  # doctest: +SKIP
    """
    import uvicorn

    from silkroad.web.app import create_app

    secret = read_token(token_file, token)
    app = create_app(home, token=secret)
    shown = f"[{host}]" if ":" in host else host
    writes = "on (bearer token)" if secret else "off (no token)"
    print(
        f"silkroad serving {app.state.stores.home} at http://{shown}:{port}/ "
        f"(API docs /docs; writes {writes}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=True)
    server = uvicorn.Server(config)
    # uvicorn handles SIGINT itself (a clean shutdown); a second Ctrl-C lands here
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    print("silkroad server stopped", file=sys.stderr, flush=True)
