"""The FastAPI application: the API, the dashboard, offline docs, one error handler.

>>> from silkroad.web import create_app
>>> app = create_app("/tmp/silkroad-demo")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from silkroad import __version__
from silkroad.errors import (
    AnalysisError,
    FormatError,
    InputError,
    ReferenceDataError,
    SilkroadError,
    StoreError,
)
from silkroad.web import openapi as docs
from silkroad.web.state import Stores

#: HTTP status per error class, most specific first (errors.py's own ``http_status`` is the
#: fallback for classes not listed).
STATUS: tuple[tuple[type[SilkroadError], int], ...] = (
    (FormatError, 422),
    (InputError, 400),
    (ReferenceDataError, 404),
    (StoreError, 409),
    (AnalysisError, 422),
)
#: Largest upload accepted by the ingest endpoint (bytes): a BACI release zip is ~2.5 GB.
UPLOAD_LIMIT = 4 * 1024**3
#: Pages may load only what the server itself serves: no CDN, no outside host.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC = Path(str(files("silkroad.web") / "static"))


def status_of(exc: SilkroadError) -> int:
    """The HTTP status for a silkroad error (400/404/409/422; 500 only for internal errors)."""
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return int(exc.http_status)


def error_body(
    kind: str, message: str, status: int, exc: SilkroadError | None = None
) -> dict[str, Any]:
    """The JSON error body (:data:`silkroad.web.openapi.ERROR_SCHEMA`)."""
    return {
        "error": {
            "type": kind,
            "message": message,
            "status": status,
            "field": getattr(exc, "field", None),
            "found": getattr(exc, "found", None),
            "expected": getattr(exc, "expected", None),
            "hint": getattr(exc, "hint", None),
        }
    }


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def create_app(
    home: str | os.PathLike[str] | None = None,
    token: str | None = None,
    *,
    upload_limit: int = UPLOAD_LIMIT,
) -> Any:
    """The web app over the store at ``home``; write endpoints only when ``token`` is given.

    ``token``: the bearer token the upload-and-ingest endpoints require (None: writes off).
    ``upload_limit``: the largest upload accepted, in bytes.
    """
    from silkroad.web import api, pages, writes
    from silkroad.web.api import json_response

    stores = Stores(home)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        stores.close()

    app = FastAPI(
        lifespan=lifespan,
        title="silkroad",
        version=__version__,
        description="Bilateral trade intelligence over a local silkroad store. Amounts in USD; "
        "shares and growth as fractions; null where a value is unknown.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.stores = stores
    jobs = writes.Jobs(stores, token=token, upload_limit=upload_limit)
    app.state.jobs = jobs

    @app.exception_handler(SilkroadError)
    def silkroad_error(request: Request, exc: SilkroadError) -> Response:
        code = status_of(exc)
        body = error_body(type(exc).__name__, str(exc), code, exc)
        if _wants_html(request):
            return pages.error_page(request, body, code)
        return json_response(body, code)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "path", "body")]
        field = ".".join(loc) or None
        err = InputError(
            "bad parameter",
            field=field,
            found=first.get("input") if first.get("type") != "missing" else None,
            expected=str(first.get("msg", "a valid value")).lower(),
        )
        body = error_body("InputError", str(err), 400, err)
        if _wants_html(request):
            return pages.error_page(request, body, 400)
        return json_response(body, 400)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        body = error_body("HTTPError", str(exc.detail), exc.status_code)
        headers = getattr(exc, "headers", None)
        if _wants_html(request):
            return pages.error_page(request, body, exc.status_code)
        response = json_response(body, exc.status_code)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    def internal_error(request: Request, exc: Exception) -> Response:
        """A bug, not bad input: one line, no traceback in the answer (it goes to the log)."""
        body = error_body("InternalError", f"internal error: {type(exc).__name__}", 500)
        return json_response(body, 500)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.include_router(api.router(stores))
    app.include_router(writes.router(jobs))
    app.include_router(pages.router(stores))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/static-vega/vega-bundle.js", include_in_schema=False)
    def vega() -> Response:
        """Vega, Vega-Lite and Vega-Embed as one script, built by vl-convert (cached on disk)."""
        from silkroad.report.html import vega_bundle

        return Response(
            vega_bundle(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        """Swagger UI from the bundled swagger-ui-dist files (no CDN)."""
        return HTMLResponse(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<title>silkroad API</title><link rel="icon" href="data:,">'
            '<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head><body>'
            '<div id="swagger-ui"></div>'
            '<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>'
            '<script src="/static/swagger-init.js"></script></body></html>'
        )

    base_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = docs.tidy(base_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
