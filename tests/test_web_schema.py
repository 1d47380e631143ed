"""schemathesis over the app's own OpenAPI description, in-process (no network): bounded
examples per operation; no 500s; every status, content type, header and body as described."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():  # starlette's notice that its client will move to httpx2
    warnings.simplefilter("ignore")
    import schemathesis
    from fastapi.testclient import TestClient  # noqa: F401 (imported once, quietly)
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

from silkroad.web import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The description does not depend on the data, so the app is built at import (the lazy fixture
# loader of schemathesis 4.32 fails under pytest 9); its store is filled before the first test.
HOME = Path(tempfile.mkdtemp(prefix="silkroad-schema-")) / "home"
APP = create_app(HOME, token="t0ken")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def world_in_home(world_home_master: Path):
    shutil.copytree(world_home_master, HOME)
    yield
    APP.state.stores.close()  # schemathesis's client never runs the app's shutdown
    shutil.rmtree(HOME.parent, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.filterwarnings("ignore")
def test_api_conforms_to_its_description(case):
    # call_and_validate raises when a check fails (a 5xx, a body or status not described)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500, response.text


def test_every_api_route_is_in_the_description_schemathesis_walks():
    """The parametrised test above only reaches what the description lists: every API route
    of the app (the world-level ones included) must be there, with a GET operation."""
    described = {op.ok().path for op in schema.get_all_operations()}
    routes = {p for p in _paths(APP.routes) if p.startswith("/api/v1/")}
    assert routes, "the app has API routes"
    for path in [
        "/api/v1/economies/{a}/rca",
        "/api/v1/economies/{a}/complexity",
        "/api/v1/economies/{a}/markets",
        "/api/v1/complexity",
        "/api/v1/gravity",
    ]:
        assert path in routes
    assert routes <= described, sorted(routes - described)


def _paths(routes, prefix: str = "") -> set[str]:
    """Every route path, through included routers (FastAPI keeps them as wrappers)."""
    out: set[str] = set()
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            out |= _paths(inner.routes, prefix + r.include_context.prefix)
        elif getattr(r, "path", None):
            out.add(prefix + r.path)
    return out
