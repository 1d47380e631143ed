"""The world-level analyses in the JSON API: the same arguments, validation and JSON as the
library and the CLI."""

from __future__ import annotations

import json
import warnings

import pytest

with warnings.catch_warnings():  # starlette's notice that its client will move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import silkroad as sr
from silkroad.analytics.advantage import pair_indicators
from silkroad.analytics.prospects import potential_table
from silkroad.web import create_app


@pytest.fixture
def client(world_home):
    with TestClient(create_app(world_home)) as c:
        yield c


def test_indicators_endpoint_is_the_analysis(client, world_home) -> None:
    r = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 2014, "level": "hs6"})
    assert r.status_code == 200, r.text
    ref = pair_indicators(sr.world(sr.open(world_home)), "BLR", "KAZ", 2014, level="hs6")
    assert r.json() == json.loads(ref.to_json())
    csv = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 2014, "format": "csv"})
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("code,")


def test_potential_endpoint_defaults_to_the_latest_year(client, world_home) -> None:
    r = client.get("/api/v1/pairs/BLR/KAZ/potential")
    assert r.status_code == 200, r.text
    ref = potential_table(sr.world(sr.open(world_home)), "BLR", "KAZ")
    assert r.json() == json.loads(ref.to_json())
    assert r.json()["potential_usd"] == pytest.approx(r.json()["actual_usd"])


def test_bad_arguments_are_json_errors_not_500(client) -> None:
    r = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 2014, "level": "section"})
    assert 400 <= r.status_code < 500 and "level" in r.text
    r = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 1990})
    assert 400 <= r.status_code < 500 and r.json()["error"]
    r = client.get("/api/v1/pairs/EAEU/USA/potential", params={"year": 2015})
    assert 400 <= r.status_code < 500 and "one exporting economy" in r.text
