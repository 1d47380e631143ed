"""``silkroad profile|structure|movers|prices`` through the real entry point, on the hand-worked
world of conftest.py (values there are thousands of USD; every expectation is recomputed here)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import run_cli, start_cli

# BLR-KAZ in the hand-worked world, USD.
EXPORTS = {2014: 300_500 + 99_500, 2015: 450_000 + 50_250}
IMPORTS = {2014: 250_000 + 50_000, 2015: 150_000}


def _json(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_analysis_commands_json_and_csv_equal_hand_arithmetic(world_home):
    runs = {
        "profile": start_cli("profile", "BLR", "KAZ", "--base", "2014", "--home", world_home, "--json"),
        "structure": start_cli("structure", "BLR", "KAZ", "--year", "2015", "--level", "hs4", "--home", world_home, "--json"),
        "structure_csv": start_cli("structure", "BLR", "KAZ", "--year", "2015", "--imports", "--home", world_home, "--csv"),
        "movers": start_cli("movers", "BLR", "KAZ", "--year", "2015", "--imports", "--home", world_home, "--json"),
        "prices": start_cli("prices", "BLR", "KAZ", "--year", "2015", "--home", world_home, "--json"),
        "table": start_cli("structure", "BLR", "KAZ", "--year", "2015", "--home", world_home),
    }  # fmt: skip
    out = {}
    for name, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, (name, stderr)
        out[name] = stdout

    profile = _json(out["profile"])
    rows = {r["year"]: r for r in profile["rows"]}
    for y in (2014, 2015):
        assert rows[y]["exports_usd"] == pytest.approx(EXPORTS[y])
        assert rows[y]["imports_usd"] == pytest.approx(IMPORTS[y])
    assert rows[2015]["turnover_to_base"] == pytest.approx(
        (EXPORTS[2015] + IMPORTS[2015]) / (EXPORTS[2014] + IMPORTS[2014])
    )
    # BLR's partners in 2014: RUS 1 000 000, KAZ 700 000, USA 20 000 -> KAZ is second.
    assert rows[2014]["partner_rank_for_a"] == 2
    assert rows[2014]["partner_share_of_a"] == pytest.approx(700_000 / 1_720_000)
    assert profile["metadata"]["perspective"] == "reconciled"
    assert profile["cagr"]["intervals"] == 1

    structure = {r["code"]: r for r in _json(out["structure"])["rows"]}
    assert structure["8701"]["value_usd"] == pytest.approx(450_000)
    assert structure["8701"]["share"] == pytest.approx(450_000 / EXPORTS[2015])
    assert structure["0402"]["growth"] == pytest.approx(50_250 / 99_500 - 1)
    assert structure["8701"]["contribution_pp"] == pytest.approx((450_000 - 300_500) / 4_000)
    total_growth_pp = (EXPORTS[2015] / EXPORTS[2014] - 1) * 100
    assert sum(r["contribution_pp"] for r in structure.values()) == pytest.approx(total_growth_pp)

    imports = {r["code"]: r for r in csv.DictReader(io.StringIO(out["structure_csv"]))}
    assert float(imports["27"]["value_usd"]) == pytest.approx(150_000)
    assert float(imports["27"]["share"]) == pytest.approx(1.0)

    movers = _json(out["movers"])
    lost = {r["product"]: r for r in movers["lost"]}
    assert set(lost) == {"720711"}
    assert lost["720711"]["prev_value_usd"] == pytest.approx(50_000)
    m = movers["margins"][0]
    assert m["change_usd"] == pytest.approx(IMPORTS[2015] - IMPORTS[2014])
    assert m["intensive_usd"] == pytest.approx(150_000 - 250_000)
    assert m["extensive_lost_usd"] == pytest.approx(50_000)

    prices = _json(out["prices"])
    s = prices["summary"][0]
    # 870120: 300 500 USD for 10 t -> 450 000 USD for 12 t; 040210 has no 2014 weight.
    p0, p1, q0, q1 = 300_500 / 10, 450_000 / 12, 10, 12
    assert s["price_effect_usd"] == pytest.approx((p1 - p0) * (q0 + q1) / 2)
    assert s["volume_effect_usd"] == pytest.approx((q1 - q0) * (p0 + p1) / 2)
    assert s["no_weight_change_usd"] == pytest.approx(50_250 - 99_500)
    assert s["price_effect_usd"] + s["volume_effect_usd"] + s["no_weight_change_usd"] == (
        pytest.approx(EXPORTS[2015] - EXPORTS[2014])
    )

    assert "million USD" in out["table"] and "Vehicles" in out["table"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["structure", "BLR", "KAZ", "--year", "2015", "--level", "hs9"], "--level"),
        (["profile", "BLR", "KAZ", "--perspective", "mirror"], "declared statistics"),
        (["movers", "BLR", "KAZ", "--year", "2014"], "2013"),
        (["profile", "BLR", "ATLANTIS"], "ATLANTIS"),
    ],
)
def test_analysis_errors_are_one_line_exit_2(world_home, args, needle):
    result = run_cli(*args, "--home", world_home)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_overlapping_baskets_are_refused_naming_both(world_home, tmp_path):
    baskets = tmp_path / "b.yaml"
    baskets.write_text(
        "name: test\nbaskets:\n"
        "  - {id: tractors, name_en: Tractors, name_ru: Тракторы, hs: ['8701']}\n"
        "  - {id: vehicles, name_en: Vehicles, name_ru: Транспорт, hs: ['87']}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "structure", "BLR", "KAZ", "--year", "2015", "--baskets", baskets, "--home", world_home
    )
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "tractors" in line and "vehicles" in line and "\n" not in line


def test_movers_and_prices_csv_carry_every_table(world_home):
    movers = run_cli(
        "movers", "BLR", "KAZ", "--year", "2015", "--imports", "--home", world_home, "--csv"
    )
    prices = run_cli("prices", "BLR", "KAZ", "--year", "2015", "--home", world_home, "--csv")
    assert movers.returncode == 0 and prices.returncode == 0, movers.stderr + prices.stderr
    rows = list(csv.DictReader(io.StringIO(movers.stdout)))
    assert {r["table"] for r in rows} >= {"margins", "lost"}
    margins = next(r for r in rows if r["table"] == "margins")
    assert float(margins["change_usd"]) == pytest.approx(IMPORTS[2015] - IMPORTS[2014])
    lost = [r for r in rows if r["table"] == "lost"]
    assert [r["product"] for r in lost] == ["720711"]
    tables = [r["table"] for r in csv.DictReader(io.StringIO(prices.stdout))]
    assert tables[0] == "summary" and "products" in tables
