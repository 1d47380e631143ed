"""``silkroad rca|indicators|complexity``: numbers by hand on the hand-worked world, JSON and CSV
as the analyses' own forms, one-line errors."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

K = 1000.0
WORLD_TOTAL = 300.5 + 99.5 + 250 + 50 + 1000 + 700 + 20  # 2014, thousands of USD


def test_rca_json_csv_and_table(world_home, invoke) -> None:
    code, stdout, stderr = invoke("rca", "BLR", "--year", "2014", "--home", world_home, "--json")
    assert code == 0, stderr
    data = json.loads(stdout)
    rows = {r["code"]: r for r in data["rows"]}
    assert rows["870120"]["rca"] == pytest.approx((1300.5 / 1400) / (1300.5 / WORLD_TOTAL))
    assert rows["870120"]["exports_usd"] == 1300.5 * K  # USD, full precision
    assert data["metadata"]["level"] == "hs6" and data["products_with_advantage"] == 2
    code, csv_text, _ = invoke("rca", "BLR", "--year", "2014", "--home", world_home, "--csv")
    frame = pd.read_csv(io.StringIO(csv_text), dtype={"code": str})
    assert set(frame.code) == set(rows) and frame.rca.max() == pytest.approx(rows["870120"]["rca"])
    code, table, _ = invoke("rca", "BLR", "--year", "2014", "--level", "hs4", "--home", world_home)
    assert code == 0 and "Tractors" in table and "8701" in table
    assert "SYNTHETIC" not in table


def test_indicators_json_by_hand(world_home, invoke) -> None:
    code, stdout, stderr = invoke(
        "indicators", "BLR", "KAZ", "--year", "2014", "--home", world_home, "--json"
    )
    assert code == 0, stderr
    v = json.loads(stdout)
    m_kaz = 300.5 + 99.5 + 700
    assert v["tii_ab"] == pytest.approx((400 / 1400) / (m_kaz / WORLD_TOTAL))
    assert v["esi"] == pytest.approx(0.0)
    assert v["market"][0] == {
        "code": "870120",
        "b_imports_usd": 300.5 * K,
        "a_exports_usd": 300.5 * K,
        "a_share": 1.0,
        "a_rank": 1,
        "suppliers": 1,
    }
    code, table, _ = invoke("indicators", "BLR", "KAZ", "--year", "2014", "--home", world_home)
    assert code == 0 and "trade intensity" in table and "KAZ's market" in table


def test_errors_are_one_line(world_home, invoke) -> None:
    code, _, stderr = invoke("rca", "BLR", "--year", "2013", "--home", world_home)
    assert code == 2 and stderr.count("\n") == 1 and "2013 is not in the store" in stderr
    code, _, stderr = invoke("rca", "BLR", "--year", "2014", "--level", "hs5", "--home", world_home)
    assert code == 2 and "unknown level" in stderr
    code, _, stderr = invoke(
        "complexity", "--year", "2014", "--convention", "atlas", "--home", world_home
    )
    assert code == 2 and "expected one of: ecomplexity, stata, oec" in stderr
    code, _, stderr = invoke(
        "rca", "BLR", "--year", "2014", "--json", "--csv", "--home", world_home
    )
    assert code == 2 and "cannot be used together" in stderr


def test_complexity_command_is_the_analysis(baci_files, home, invoke) -> None:
    import silkroad as sr
    from silkroad.analytics.advantage import complexity_table
    from test_advantage import _random_release

    sr.ingest(sr.open(home), "baci", _random_release(baci_files))
    code, stdout, stderr = invoke(
        "complexity",
        "--year",
        "2015",
        "--level",
        "hs6",
        "--economy",
        "AFG",
        "--top",
        "3",
        "--home",
        home,
        "--json",
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    ref = complexity_table(sr.world(sr.open(home)), 2015, level="hs6", economy="AFG", top=3)
    assert data == json.loads(ref.to_json())
    assert len(data["opportunities"]) == 3 and data["metadata"]["convention"] == "ecomplexity"
    code, table, _ = invoke("complexity", "--year", "2015", "--level", "hs6", "--home", home)
    assert code == 0 and "Economic Complexity Index" in table


def test_potential_and_best_markets_commands(world_home, invoke) -> None:
    import silkroad as sr
    from silkroad.analytics.prospects import best_markets, potential_table

    code, stdout, stderr = invoke(
        "potential",
        "BLR",
        "KAZ",
        "--year",
        "2015",
        "--average",
        "2",
        "--home",
        world_home,
        "--json",
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    ref = potential_table(sr.world(sr.open(world_home)), "BLR", "KAZ", year=2015, n_years=2)
    assert data == json.loads(ref.to_json())
    assert data["potential_usd"] == pytest.approx(data["actual_usd"])
    code, table, _ = invoke("potential", "BLR", "KAZ", "--year", "2015", "--home", world_home)
    assert code == 0 and "Tractors" in table and "untapped" in table
    code, stdout, stderr = invoke(
        "potential",
        "--exporter",
        "BLR",
        "--product",
        "870120",
        "--year",
        "2015",
        "--home",
        world_home,
        "--json",
    )
    assert code == 0, stderr
    ref = best_markets(sr.world(sr.open(world_home)), "BLR", "870120", year=2015)
    assert json.loads(stdout) == json.loads(ref.to_json())
    code, _, stderr = invoke("potential", "BLR", "--home", world_home)
    assert code == 2 and "needs an exporter and a market" in stderr


def test_gravity_on_a_users_panel(tmp_path, invoke) -> None:
    rng = np.random.default_rng(3)
    names = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
    rows = []
    for y in (2000, 2004):
        for i, e in enumerate(names):
            for j, m in enumerate(names):
                if e != m:
                    dist = 100.0 * (1 + abs(i - j))
                    rows.append((e, m, y, dist, float(rng.poisson(5e4 / dist**0.8))))
    panel = tmp_path / "panel.csv"
    pd.DataFrame(rows, columns=["exp", "imp", "year", "dist", "trade"]).to_csv(panel, index=False)
    code, stdout, stderr = invoke(
        "gravity",
        "--panel",
        panel,
        "--exporter-col",
        "exp",
        "--importer-col",
        "imp",
        "--covariates",
        "dist",
        "--log",
        "dist",
        "--years",
        "2000,2004",
        "--json",
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert [c["term"] for c in data["coefficients"]] == ["ln_dist"]
    # The panel was drawn with trade ~ dist^-0.8: PPML recovers the elasticity.
    assert data["coefficients"][0]["estimate"] == pytest.approx(-0.8, abs=0.05)
    assert data["nobs"] == 2 * 6 * 5
    assert "clustered by unordered country pair" in data["specification"]
    code, _, stderr = invoke("gravity", "--panel", tmp_path / "missing.csv")
    assert code == 2 and "panel file not found" in stderr


def test_serve_command_answers_on_loopback_and_stops_on_ctrl_c(world_home) -> None:
    import signal
    import socket
    import time

    import httpx

    from conftest import start_cli

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start_cli("serve", "--home", world_home, "--port", port)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"{url}/api/v1/pairs/BLR/KAZ/summary", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert r.status_code == 200
        rows = {row["year"]: row for row in r.json()["rows"]}
        assert rows[2014]["exports_usd"] == (300.5 + 99.5) * K
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in err


def test_engine_option_is_checked_in_one_line(world_home, invoke, monkeypatch) -> None:
    monkeypatch.setenv("SILKROAD_ENGINE", "duckdb")  # restored after: --engine sets it
    code, _, stderr = invoke("--engine", "oracle", "summary", "BLR", "KAZ", "--home", world_home)
    assert code == 2 and stderr.count("\n") == 1 and "duckdb" in stderr and "spark" in stderr
    code, stdout, stderr = invoke(
        "--engine", "duckdb", "summary", "BLR", "KAZ", "--home", world_home, "--json"
    )
    assert code == 0, stderr
    assert json.loads(stdout)["rows"][0]["exports_usd"] == (300.5 + 99.5) * K
