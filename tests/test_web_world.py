"""The world-level analyses in the JSON API and the dashboard: the same arguments, validation
and JSON as the library and the CLI, numbers checked against hand-worked figures (conftest's
world) or a reference implementation (ecomplexity) where the hand-worked world is too small
(complexity and gravity need a connected world: the random one below)."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from conftest import WORLD_2014, BaciFiles

with warnings.catch_warnings():  # starlette's notice that its client will move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import silkroad as sr
from silkroad.analytics.advantage import complexity_table, pair_indicators, rca_table
from silkroad.analytics.prospects import best_markets, gravity_fit, potential_table
from silkroad.web import create_app
from silkroad.web.api import WORLD_ANALYSES

#: ISO numeric codes of the random world (all in silkroad's reference table, BLR = 112).
RANDOM_CODES = [4, 8, 12, 24, 32, 36, 40, 50, 56, 76, 112, 124, 156, 170]


@pytest.fixture
def client(world_home):
    with TestClient(create_app(world_home)) as c:
        yield c


def _random_year(year: int, n_p: int = 20) -> list[str]:
    """A nested-ish year of trade among 14 economies in 20 products of 20 HS chapters, two
    partners each, so that the economy–product network is connected (ECI defined)."""
    rng = np.random.default_rng(7 + year)
    n_e = len(RANDOM_CODES)
    lines = []
    for i, e in enumerate(RANDOM_CODES):
        for k in range(n_p):
            if rng.random() < 0.9 - 0.6 * (k / n_p) * (i / n_e):
                for step in (1, 3):
                    partner = RANDOM_CODES[(i + step + k) % n_e]
                    if partner == e:
                        continue
                    value = float(rng.integers(1, 5000))
                    lines.append(f"{year},{e},{partner},{(k + 1) * 10000 + 110},{value},1")
    return lines


@pytest.fixture(scope="module")
def random_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the random world in 2014 and 2015 (read only: tests must not write)."""
    files = BaciFiles(tmp_path_factory.mktemp("random-world"))
    release = files.release_dir({y: _random_year(y) for y in (2014, 2015)}, countries=None)
    home = files.root / "home"
    result = sr.ingest(sr.open(home), "baci", release)
    assert result.rows_rejected == 0
    return home


@pytest.fixture(scope="module")
def random_client(random_home):
    with TestClient(create_app(random_home)) as c:
        yield c


def _same(body: dict, result) -> None:
    """The API's JSON is the result's own serialisation (``to_json``), number for number."""
    assert body == json.loads(result.to_json())


def assert_error(r, status: int, field: str) -> dict:
    """Assert that ``r`` is a JSON error with ``status`` naming ``field``; returns the error."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert err["field"] == field, err
    return err


# --- pair routes of the world-level analyses (kept from the first wave) ----------------------
def test_indicators_endpoint_is_the_analysis(client, world_home) -> None:
    r = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 2014, "level": "hs6"})
    assert r.status_code == 200, r.text
    ref = pair_indicators(sr.world(sr.open(world_home)), "BLR", "KAZ", 2014, level="hs6")
    _same(r.json(), ref)
    csv_ = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 2014, "format": "csv"})
    assert csv_.status_code == 200 and csv_.text.splitlines()[0].startswith("code,")


def test_potential_endpoint_defaults_to_the_latest_year(client, world_home) -> None:
    r = client.get("/api/v1/pairs/BLR/KAZ/potential")
    assert r.status_code == 200, r.text
    ref = potential_table(sr.world(sr.open(world_home)), "BLR", "KAZ")
    _same(r.json(), ref)
    assert r.json()["potential_usd"] == pytest.approx(r.json()["actual_usd"])
    one = client.get("/api/v1/pairs/BLR/KAZ/potential", params={"average": 1}).json()
    assert one["metadata"]["years"] == [2015]  # the average of the last year alone
    assert_error(
        client.get("/api/v1/pairs/BLR/KAZ/potential", params={"average": 0}), 400, "average"
    )


def test_bad_arguments_are_json_errors_not_500(client) -> None:
    r = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 2014, "level": "section"})
    assert 400 <= r.status_code < 500 and "level" in r.text
    r = client.get("/api/v1/pairs/BLR/KAZ/indicators", params={"year": 1990})
    assert 400 <= r.status_code < 500 and r.json()["error"]
    r = client.get("/api/v1/pairs/EAEU/USA/potential", params={"year": 2015})
    assert 400 <= r.status_code < 500 and "one exporting economy" in r.text


# --- RCA of one economy ------------------------------------------------------------------------
def _hand_rca(lines: list[str], economy: int) -> dict[str, float]:
    """Balassa RCA of ``economy`` per HS6 product, from BACI lines (thousands of USD)."""
    x: dict[tuple[int, str], float] = defaultdict(float)
    for line in lines:
        _t, i, _j, k, v, _q = line.split(",")
        x[(int(i), k.zfill(6))] += float(v)
    world = sum(x.values())
    own = sum(v for (i, _k), v in x.items() if i == economy)
    by_product: dict[str, float] = defaultdict(float)
    for (_i, k), v in x.items():
        by_product[k] += v
    return {
        k: (v / own) / (by_product[k] / world) for (i, k), v in x.items() if i == economy and v > 0
    }


def test_rca_endpoint_is_the_analysis_and_balassa_by_hand(client, world_home) -> None:
    r = client.get("/api/v1/economies/BLR/rca", params={"year": 2014})
    assert r.status_code == 200, r.text
    _same(r.json(), rca_table(sr.world(sr.open(world_home)), "BLR", 2014, level="hs6", top=10))
    hand = _hand_rca(WORLD_2014, 112)
    got = {row["code"]: row for row in r.json()["rows"]}
    assert set(got) == set(hand) == {"870120", "040210"}
    for code, rca in hand.items():
        assert got[code]["rca"] == pytest.approx(rca, rel=1e-12)
    # 870120: BLR's 300.5 to KAZ and 1000 to RUS, and nobody else's: all of the world's
    assert got["870120"]["exports_usd"] == 1_300_500.0 and got["870120"]["share_of_world"] == 1.0
    assert r.json()["products_with_advantage"] == 2 and r.json()["metadata"]["level"] == "hs6"
    # a name works as the CLI's argument does, and shares the cache entry of its code
    assert client.get("/api/v1/economies/Belarus/rca", params={"year": 2014}).json() == r.json()


def test_rca_csv_top_and_level(client) -> None:
    r = client.get("/api/v1/economies/BLR/rca", params={"year": 2014, "level": "hs4", "top": 1})
    assert [row["code"] for row in r.json()["rows"]] == ["8701"]  # 1 300.5 > 99.5 at equal RCA
    c = client.get(
        "/api/v1/economies/BLR/rca", params={"year": 2014}, headers={"Accept": "text/csv"}
    )
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert [row["code"] for row in rows] == ["870120", "040210"]
    assert float(rows[0]["rca"]) == pytest.approx(_hand_rca(WORLD_2014, 112)["870120"])


def test_rca_errors_name_the_field(client) -> None:
    assert_error(client.get("/api/v1/economies/XYZ/rca", params={"year": 2014}), 404, "a")
    assert_error(client.get("/api/v1/economies/BLR/rca", params={"year": "abc"}), 400, "year")
    assert_error(client.get("/api/v1/economies/BLR/rca", params={"year": 1850}), 400, "year")
    assert_error(client.get("/api/v1/economies/BLR/rca", params={"year": 1990}), 422, "year")
    assert_error(client.get("/api/v1/economies/BLR/rca"), 400, "year")
    r = client.get("/api/v1/economies/BLR/rca", params={"year": 2014, "level": "section"})
    assert "hs2, hs4, hs6" in assert_error(r, 400, "level")["expected"]
    assert_error(
        client.get("/api/v1/economies/BLR/rca", params={"year": 2014, "top": 0}), 400, "top"
    )


# --- complexity ----------------------------------------------------------------------------------
def test_complexity_routes_are_the_analysis(random_client, random_home) -> None:
    world = sr.world(sr.open(random_home))
    r = random_client.get("/api/v1/complexity", params={"year": 2015})
    assert r.status_code == 200, r.text
    _same(r.json(), complexity_table(world, 2015, level="hs4", top=10))
    e = random_client.get("/api/v1/economies/BLR/complexity", params={"year": 2015, "top": 5})
    assert e.status_code == 200, e.text
    _same(e.json(), complexity_table(world, 2015, level="hs4", economy="BLR", top=5))
    same = random_client.get(
        "/api/v1/complexity", params={"year": 2015, "top": 5, "economy": "BLR"}
    ).json()
    assert same == e.json()
    assert len(e.json()["opportunities"]) == 5
    cogs = [row["cog"] for row in e.json()["opportunities"]]
    assert cogs == sorted(cogs, reverse=True)
    assert all(row["rca"] < 1 for row in e.json()["opportunities"])
    stata = random_client.get("/api/v1/complexity", params={"year": 2015, "convention": "stata"})
    assert stata.json()["metadata"]["convention"] == "stata"


def test_complexity_agrees_with_ecomplexity_and_with_the_rca_route(
    random_client, random_home
) -> None:
    import duckdb
    from ecomplexity import ecomplexity

    store = sr.open(random_home)
    files = [str(p) for p in store.parquet_files()]
    frame = duckdb.sql(
        "SELECT year AS time, exporter AS loc, substr(product, 1, 4) AS prod, "
        f"sum(value_usd) AS val FROM read_parquet({files!r}) WHERE year = 2015 GROUP BY ALL"
    ).df()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ecomplexity(
            frame, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"}, verbose=False
        )
    body = random_client.get("/api/v1/complexity", params={"year": 2015}).json()
    eci = {row["economy"]: row for row in body["eci"]}
    ref_eci = ref.groupby("loc").eci.first()
    for code, value in ref_eci.items():
        assert eci[code]["eci"] == pytest.approx(value, abs=1e-9)
    # diversity = the products the RCA route finds with RCA >= 1 (another code path)
    rca = random_client.get(
        "/api/v1/economies/BLR/rca", params={"year": 2015, "level": "hs4", "top": 999}
    ).json()
    assert eci["BLR"]["diversity"] == sum(row["rca"] >= 1 for row in rca["rows"])


def test_complexity_errors(random_client, client) -> None:
    r = random_client.get("/api/v1/complexity", params={"year": 2015, "convention": "atlas"})
    assert "ecomplexity, stata, oec" in assert_error(r, 400, "convention")["expected"]
    r = random_client.get("/api/v1/complexity", params={"year": 2015, "economy": "EAEU"})
    assert_error(r, 400, "economy")
    r = random_client.get("/api/v1/complexity", params={"year": 2015, "level": "section"})
    assert_error(r, 400, "level")
    assert_error(
        random_client.get("/api/v1/economies/ZZZ/complexity", params={"year": 2015}), 404, "a"
    )
    # the hand-worked world splits into groups that share no product: ECI undefined, said so
    r = client.get("/api/v1/complexity", params={"year": 2014})
    assert r.status_code == 422 and "disconnected" in r.json()["error"]["message"]


# --- best markets --------------------------------------------------------------------------------
def test_markets_endpoint_is_the_analysis(client, world_home) -> None:
    r = client.get("/api/v1/economies/BLR/markets", params={"product": "870120"})
    assert r.status_code == 200, r.text
    _same(r.json(), best_markets(sr.world(sr.open(world_home)), "BLR", "870120"))
    markets = r.json()["markets"]
    assert "BLR" not in {m["market"] for m in markets}  # never its own market
    assert [m["rank"] for m in markets] == list(range(1, len(markets) + 1))
    # actual = the average of 2014 and 2015: KAZ (300.5 + 450) / 2, RUS (1000 + 800) / 2
    actual = {m["market"]: m["actual"] for m in markets}
    assert actual["KAZ"] == pytest.approx(375_250.0) and actual["RUS"] == pytest.approx(900_000.0)
    dairy = client.get("/api/v1/economies/BLR/markets", params={"product": "040210"}).json()
    lost_zero = client.get("/api/v1/economies/BLR/markets", params={"product": "40210"}).json()
    assert lost_zero == dairy and dairy["metadata"]["product"] == "040210"  # as the CLI does


def test_markets_errors(client) -> None:
    assert_error(client.get("/api/v1/economies/BLR/markets"), 400, "product")
    assert_error(
        client.get("/api/v1/economies/BLR/markets", params={"product": "87"}), 400, "product"
    )
    r = client.get("/api/v1/economies/BLR/markets", params={"product": "870120", "average": "x"})
    assert_error(r, 400, "average")
    r = client.get("/api/v1/economies/Atlantis/markets", params={"product": "870120"})
    assert_error(r, 404, "a")


# --- gravity -------------------------------------------------------------------------------------
def test_gravity_endpoint_is_the_fit_and_is_cached(random_client, random_home) -> None:
    params = {"years": "2014-2015", "pair": "BLR,AFG"}
    cache = random_client.app.state.stores.cache
    r = random_client.get("/api/v1/gravity", params=params)
    assert r.status_code == 200, r.text
    world = sr.world(sr.open(random_home))
    _same(r.json(), gravity_fit(world, [2014, 2015], pair=("BLR", "AFG")))
    # the pair's actual trade is the store's BLR -> AFG total, year by year
    flows = world.bilateral_totals([2014, 2015])
    own = flows[(flows.exporter == "BLR") & (flows.importer == "AFG")]
    by_year = own.groupby("year").value_usd.sum()
    for row in r.json()["pair"]:
        assert row["actual"] == pytest.approx(by_year.get(row["year"], 0.0))
        assert row["ratio"] == pytest.approx(row["actual"] / row["predicted"])
    hits = cache.hits
    again = random_client.get(
        "/api/v1/gravity", params={"pair": "belarus, afg", "years": "2014,2015"}
    )
    assert again.text == r.text and cache.hits >= hits + 1  # same arguments: no second fit
    c = random_client.get("/api/v1/gravity", params={**params, "format": "csv"})
    assert c.status_code == 200 and c.text.splitlines()[0].startswith("term,")


def test_a_gravity_fit_that_fails_on_the_data_is_not_fitted_again(client, monkeypatch) -> None:
    # A model the data cannot identify fails in seconds of fitting: the same request again is
    # answered with the same error from the cache, without a second fit.
    from silkroad.analytics import prospects
    from silkroad.errors import AnalysisError

    calls = []

    def failing(*args, **kwargs):
        calls.append(kwargs.get("bloc"))
        raise AnalysisError("the fit did not converge", field="years", found="2014")

    monkeypatch.setattr(prospects, "gravity_fit", failing)
    first = client.get("/api/v1/gravity", params={"years": "2014"})
    again = client.get("/api/v1/gravity", params={"years": "2014"})
    assert first.status_code == again.status_code != 500
    assert first.json() == again.json() and "did not converge" in first.text
    assert len(calls) == 1
    # another request is another fit
    client.get("/api/v1/gravity", params={"years": "2014", "cluster": "none"})
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"fe": "exporter-year,bogus"}, 400, "fe"),
        ({"fe": ","}, 400, "fe"),
        ({"fe": "pair"}, 400, "fe"),  # nothing left to estimate without a bloc
        ({"bloc": "BLR"}, 400, "bloc"),
        ({"bloc": "Narnia"}, 404, "bloc"),
        ({"pair": "BLR"}, 400, "pair"),
        ({"pair": "BLR,BLR"}, 400, "pair"),
        ({"pair": "BLR,EAEU"}, 400, "pair"),
        ({"lags": "4"}, 400, "lags"),  # a bloc's lags, without a bloc
        ({"lags": "0", "bloc": "EAEU"}, 400, "lags"),
        ({"leads": "x", "bloc": "EAEU"}, 400, "leads"),
        ({"cluster": "country"}, 400, "cluster"),
        ({"years": "2015-2014"}, 400, "years"),
        ({"years": "1990"}, 422, "year"),
    ],
)
def test_gravity_errors_name_the_parameter(client, params, status, field) -> None:
    assert_error(client.get("/api/v1/gravity", params=params), status, field)


# --- the economy page ------------------------------------------------------------------------------
def test_economy_page_json_twin_is_the_analyses(random_client, random_home) -> None:
    r = random_client.get("/economies/BLR.json", params={"level": "hs4", "top": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["page"]["year"] == 2015  # the latest held
    world = sr.world(sr.open(random_home))
    assert body["rca"] == json.loads(rca_table(world, "BLR", 2015, level="hs4", top=5).to_json())
    cx = complexity_table(world, 2015, level="hs4", economy="BLR", top=5)
    assert body["eci"] == pytest.approx(cx.values["economy_eci"])
    assert body["eci_rank"] == cx.values["eci_rank"] and body["economies_ranked"] == 14
    assert body["opportunities"] == json.loads(cx.to_json())["opportunities"]
    assert body["page"]["links"]["html"].startswith("/economies/BLR?")


def test_economy_page_tables_work_without_javascript(random_client) -> None:
    twin = random_client.get("/economies/BLR.json", params={"year": 2015, "top": 3}).json()
    r = random_client.get("/economies/BLR", params={"year": 2015, "top": 3})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<script" not in html  # no chart: every number is in the tables
    table = html[
        html.index('id="table-economy-rca"') : html.index("</table>", html.index("economy-rca"))
    ]
    codes = re.findall(r"<tr><td>(\d{4})</td>", table)
    assert codes == [row["code"] for row in twin["rca"]["rows"]]
    first = twin["rca"]["rows"][0]
    assert f"{first['rca']:.2f}" in table  # RCA to two decimals, as the table shows it
    assert f"{twin['eci']:+.3f}".replace("-", "−") in html  # the ECI card (U+2212 minus)
    assert f"rank {twin['eci_rank']} of 14" in html
    opp = html[html.index('id="table-economy-opportunities"') :]
    assert re.findall(r"<tr><td>(\d{4})</td>", opp) == [o["code"] for o in twin["opportunities"]]
    assert 'id="json-twin" href="/economies/BLR.json?' in html


def test_economy_page_in_russian_and_without_eci(client) -> None:
    ru = client.get("/economies/BLR", params={"lang": "ru", "year": 2014})
    assert ru.status_code == 200 and '<html lang="ru">' in ru.text
    assert "Беларусь: сравнительные преимущества и сложность" in ru.text
    assert 'id="lang-switch" href="/economies/BLR?' in ru.text and "lang=en" in ru.text
    # the hand-worked world has no ECI: the page says why instead of failing
    assert 'id="eci-none"' in ru.text and "disconnected" in ru.text
    assert "<tr><td>8701</td>" in ru.text  # the RCA table is still there (hs4)
    twin = client.get("/economies/BLR.json", params={"year": 2014}).json()
    assert twin["eci"] is None and "disconnected" in twin["complexity_error"]


def test_economy_page_errors(client) -> None:
    r = client.get("/economies/EAEU.json")
    assert_error(r, 400, "a")
    assert_error(client.get("/economies/XYZ.json"), 404, "a")
    assert_error(client.get("/economies/BLR.json", params={"level": "section"}), 400, "level")
    page = client.get("/economies/BLR", params={"year": "1990"}, headers={"Accept": "text/html"})
    assert page.status_code == 422 and "<html" in page.text


# --- the pair page: advantage, potential, links to both economies -------------------------------
def test_pair_page_shows_advantage_and_potential(client) -> None:
    twin = client.get("/pairs/BLR/KAZ.json", params={"year": 2015}).json()
    adv, pot = twin["advantage"], twin["potential"]
    # BLR's top RCA products at hs4 in 2015, and the untapped totals, by the brief's rule
    assert adv["rca_a"][0]["code"] == "8701"
    assert pot["potential_usd"] == pytest.approx(pot["actual_usd"])
    assert twin["page"]["links"]["economy_a"] == "/economies/BLR?year=2015&lang=en"
    html = client.get("/pairs/BLR/KAZ", params={"year": 2015}).text
    for section in ('id="advantage"', 'id="potential"', 'id="table-rca"', 'id="table-potential"'):
        assert section in html
    assert 'class="economy-link" href="/economies/BLR?year=2015&amp;lang=en"' in html
    assert 'class="economy-link" href="/economies/KAZ?year=2015&amp;lang=en"' in html
    ru = client.get("/pairs/BLR/KAZ", params={"year": 2015, "lang": "ru"}).text
    assert "Нереализованный экспортный потенциал" in ru and "lang=ru" in ru


# --- the OpenAPI description -----------------------------------------------------------------------
def test_openapi_describes_every_world_route_with_examples(client) -> None:
    spec = client.get("/openapi.json").json()
    for analysis in WORLD_ANALYSES.values():
        op = spec["paths"]["/api/v1" + analysis.path]["get"]
        ok = op["responses"]["200"]["content"]
        assert ok["application/json"]["example"]["metadata"]["currency"] == "USD"
        assert "text/csv" in ok
        names = {p["name"] for p in op["parameters"]}
        assert {p.name for p in analysis.params} | {"format"} <= names
        for code in ("400", "404", "422"):
            assert code in op["responses"]
    levels = spec["paths"]["/api/v1/economies/{a}/rca"]["get"]["parameters"]
    level = next(p for p in levels if p["name"] == "level")
    assert level["schema"]["enum"] == ["hs2", "hs4", "hs6"]
    assert level["examples"]["example"]["value"] == "hs6"
