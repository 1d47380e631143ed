"""One rule for unknown (issue 14, item 10; METHODS 1.1 and 1.5; analytics/unknown.py).

A value the data cannot establish is NaN in frames, null in JSON, an empty CSV cell and "n/a" in
text, with its reason in ``metadata['unknown']``; a covered economy without a flow to the partner
traded 0, and a reported 0 stays 0. The stores are the hand-worked BACI world of conftest.py and
national tables written here; every expected number is worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

import silkroad as sr
from conftest import WORLD_VERSION, run_cli
from silkroad.analytics.pair import Pair

# BLR-KAZ in the conftest world (thousands of USD in the file, USD here).
BLR_KAZ_EXPORTS = {2014: 300_500.0 + 99_500.0, 2015: 450_000.0 + 50_250.0}


def reasons(meta: dict) -> list[str]:
    return [n["reason"] for n in meta["unknown"]]


# --- an economy absent from the data ------------------------------------------------------------
def test_an_economy_without_rows_is_unknown_not_zero(world_store):
    # Antarctica has no row in the world (neither exporter nor importer) in 2014 or 2015.
    result = Pair(world_store, "BLR", "ATA").summary()
    frame = result.to_frame()
    for col in ("exports_usd", "imports_usd", "turnover_usd", "balance_usd"):
        assert frame[col].isna().all(), col
    source = result.metadata["source"]
    assert reasons(result.metadata) == [
        f"ATA: no rows in {source} {WORLD_VERSION} for 2014",
        f"ATA: no rows in {source} {WORLD_VERSION} for 2015",
    ]
    # JSON: null, never 0; CSV: an empty cell.
    rows = json.loads(result.to_json())["rows"]
    assert [r["exports_usd"] for r in rows] == [None, None]
    cells = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert [c["turnover_usd"] for c in cells] == ["", ""]


def test_a_covered_economy_without_a_flow_to_the_partner_traded_zero(world_store):
    # USA is in the world both years; in 2014 it sells to BLR only, in 2015 it buys from BLR
    # only: BLR's imports from USA in 2015 are a true 0 (BACI is reconciled), not unknown.
    frame = Pair(world_store, "BLR", "USA").summary().to_frame().set_index("year")
    assert frame.loc[2014, "exports_usd"] == 0.0 and frame.loc[2014, "imports_usd"] == 20_000.0
    assert frame.loc[2015, "exports_usd"] == 10_000.0 and frame.loc[2015, "imports_usd"] == 0.0
    assert Pair(world_store, "BLR", "USA").summary().metadata["unknown"] == []


def test_absent_economy_in_profile_structure_and_movers(world_store):
    p = Pair(world_store, "BLR", "ATA")
    prof = p.profile().to_frame()
    for col in ("partner_share_of_a", "partner_rank_for_a", "a_trade_total_usd"):
        assert prof[col].isna().all() if col != "a_trade_total_usd" else True
    assert prof.partner_share_of_a.isna().all() and prof.a_share_of_b.isna().all()
    s = p.structure(2015)
    assert s.to_frame().empty and math.isnan(s.metadata["total_usd"])
    assert reasons(s.metadata) == [f"ATA: no rows in {p.source} {WORLD_VERSION} for 2015"]
    m = p.movers(2015)
    assert math.isnan(m["margins"].total_usd.iloc[0]) and m["gainers"].empty
    pr = p.prices(2015)
    assert math.isnan(pr["summary"].total_usd.iloc[0])


def test_a_brief_of_an_absent_economy_is_refused_with_the_reason(world_store):
    # Not a brief saying "no trade was recorded": the data hold nothing of Antarctica.
    with pytest.raises(sr.AnalysisError, match=r"ATA: no rows in .* for 2015"):
        sr.brief(world_store, "BLR", "ATA", year=2015)


# --- a bloc in a year before it existed ---------------------------------------------------------
def test_a_bloc_before_it_existed_is_unknown_in_every_analysis(world_store):
    p = Pair(world_store, "BLR", "EAEU")
    why = "EAEU did not exist in 2014 (founded 2015-01-01)"
    summary = p.summary(years=[2014])
    assert summary.to_frame().turnover_usd.isna().all()
    assert why in reasons(summary.metadata)
    # structure, movers and prices: no rows and NaN totals with the reason, not an error.
    s = p.structure(2014)
    assert s.to_frame().empty and math.isnan(s.metadata["total_usd"])
    assert reasons(s.metadata) == [why]
    movers = p.movers(2015)
    margins = movers["margins"].iloc[0]
    assert math.isnan(margins.change_usd) and math.isnan(margins.n_new)
    assert why in reasons(movers["metadata"])
    prices = p.prices(2015)
    assert math.isnan(prices["summary"].change_usd.iloc[0])
    assert why in reasons(prices["metadata"])
    # JSON: null totals.
    data = s.to_dict()
    assert data["rows"] == [] and data["metadata"]["total_usd"] is None


def test_a_bloc_stands_for_its_members_in_the_data_and_says_which_are_not(world_store):
    # The EAEU in 2015 is BLR, KAZ, RUS, ARM and KGZ; ARM and KGZ have no row in the world that
    # year: BLR's trade with the EAEU is its trade with KAZ and RUS (450 000 + 50 250 + 800 000
    # exported, 150 000 imported), as in world panels, and the note names the two left out.
    p = Pair(world_store, "BLR", "EAEU")
    result = p.summary(years=[2015])
    row = result.to_frame().iloc[0]
    assert row.exports_usd == 450_000.0 + 50_250.0 + 800_000.0 and row.imports_usd == 150_000.0
    assert result.metadata["unknown"] == [
        {
            "year": 2015,
            "what": "members",
            "reason": f"ARM, KGZ: not in {p.source} for 2015; EAEU stands for its other members",
        }
    ]
    # No member in the data at all: unknown. (CU 2014 is BLR, KAZ, RUS; against USA, all three
    # are in the data, so that one is known.)
    assert Pair(world_store, "CU", "USA").summary(years=[2014]).metadata["unknown"] == []


def test_world_indicators_of_a_bloc_before_it_existed_are_unknown(world_store):
    from silkroad.analytics.advantage import pair_indicators
    from silkroad.analytics.world import World

    result = pair_indicators(World(world_store), "BLR", "EAEU", 2014, level="hs2")
    assert math.isnan(result.values["tii_ab"]) and math.isnan(result.values["exports_ab_usd"])
    assert result["market"].empty
    assert reasons(result.metadata) == ["EAEU did not exist in 2014 (founded 2015-01-01)"]
    assert result.to_dict()["tci_ab"] is None
    # BLR's own trade is known: its concentrations are given, the unknown side's are not.
    # (BLR 2014: 870120 1300.5 and 040210 99.5 thousand USD; to KAZ 400 and to RUS 1000.)
    six = pair_indicators(World(world_store), "BLR", "EAEU", 2014, level="hs6").values
    assert six["a_hhi_products"] == pytest.approx((1300.5 / 1400) ** 2 + (99.5 / 1400) ** 2)
    assert six["a_products_exported"] == 2 and six["a_markets"] == 2
    assert six["a_hhi_markets"] == pytest.approx((400 / 1400) ** 2 + (1000 / 1400) ** 2)
    assert math.isnan(six["b_hhi_products"]) and math.isnan(six["b_hhi_markets"])
    assert math.isnan(six["tii_ba"]) and math.isnan(six["gl_aggregate"])


def test_a_share_in_the_market_of_an_absent_economy_is_unknown(world_store):
    from silkroad.analytics.market import partner_market
    from silkroad.analytics.world import World

    result = partner_market(World(world_store), "BLR", "ATA", 2014, level="hs2")
    assert result["products"].empty
    source = result.metadata["source"]
    assert reasons(result.metadata) == [f"ATA: no rows in {source} {WORLD_VERSION} for 2014"]
    # A covered market: BLR is KAZ's largest supplier of chapter 87 in 2014 (300 500 of it).
    known = partner_market(World(world_store), "BLR", "KAZ", 2014, level="hs2")
    assert known.metadata["unknown"] == []
    row = known["products"].set_index("code").loc["87"]
    assert row.a_exports_usd == 300_500.0 and row.a_share == 1.0


# --- national tables: one partner, one flow ------------------------------------------------------
ONE_PARTNER = (
    "name: stat\nreporter: BLR\nflow: exports\nunit: usd\npartner: KAZ\nproduct: Код\n"
    "classification: HS12\nwide: {columns: years}\n"
)
TWO_PARTNERS = (
    "name: stat\nreporter: BLR\nflow: {column: Поток}\nunit: usd\npartner: Страна\n"
    "product: Код\nclassification: HS12\nwide: {columns: years}\n"
)


def _table_store(tmp_path: Path, lines: list[str], mapping: str):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = tmp_path / "m.yaml"
    m.write_text(mapping, encoding="utf-8")
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=m)
    assert result.rows_rejected == 0
    return store


def test_a_one_partner_table_gives_no_share_or_rank_and_no_imports(tmp_path):
    # Belarus's exports to Kazakhstan only: 600 + 300 = 900 USD in 2014, 700 + 0 in 2015.
    store = _table_store(tmp_path, ["Код;2014;2015", "8701;600;700", "0402;300;0"], ONE_PARTNER)
    result = Pair(store, "BLR", "KAZ", perspective="exporter").profile()
    df = result.to_frame().set_index("year")
    assert df.exports_usd.tolist() == [900.0, 700.0]
    # The table has no imports at all: unknown, not 0; so are turnover and balance.
    assert df.imports_usd.isna().all() and df.turnover_usd.isna().all()
    # Not "100 % share, rank 1": the table holds one partner only.
    for col in ("partner_share_of_a", "partner_rank_for_a", "a_share_of_b", "a_rank_for_b"):
        assert df[col].isna().all(), col
    assert "table-blr-stat has no imports of BLR for 2014: that flow is not in it" in reasons(
        result.metadata
    )
    # A reported 0 stays 0: product 0402 in 2015.
    s = Pair(store, "BLR", "KAZ", perspective="exporter").structure(2015, level="hs4")
    values = dict(zip(s.to_frame().code, s.to_frame().value_usd, strict=True))
    assert values == {"8701": 700.0, "0402": 0.0}
    assert s.metadata["unknown"] == []  # the exports are known
    assert (
        Pair(store, "BLR", "KAZ", perspective="exporter")
        .structure(2015, direction="imports")
        .to_frame()
        .empty
    )


def test_mirror_of_a_side_without_declarations_is_unknown_not_zero(tmp_path):
    # Only Belarus's table is in the store: Kazakhstan's declarations of the same trade are
    # unknown, not 0 against Belarus's 900 (a "gap" of -100 %).
    store = _table_store(tmp_path, ["Код;2014;2015", "8701;600;700", "0402;300;0"], ONE_PARTNER)
    result = Pair(store, "BLR", "KAZ", perspective="exporter").mirror(2014)
    exports = result["summary"].set_index("direction").loc["exports"]
    assert exports.exporter_declared_usd == 900.0
    assert math.isnan(exports.importer_declared_usd) and math.isnan(exports.gap_rel)
    assert "KAZ: no declarations of its own in the store for 2014" in reasons(result.metadata)
    # The table holds no imports at all: BLR's declared imports from KAZ are unknown, not 0.
    imports = result["summary"].set_index("direction").loc["imports"]
    assert math.isnan(imports.importer_declared_usd) and math.isnan(imports.gap_usd)
    assert "table-blr-stat has no imports of BLR for 2014: that flow is not in it" in reasons(
        result.metadata
    )


def test_mirror_of_a_table_with_both_flows_keeps_a_declared_zero(tmp_path):
    # BLR's table holds exports and imports; it declares no imports from KAZ in 2014 (only from
    # RUS): BLR's imports from KAZ are a declared 0, not unknown.
    lines = ["Поток;Страна;Код;2014", "экспорт;KAZ;8701;600", "импорт;RUS;2709;400"]
    store = _table_store(tmp_path, lines, TWO_PARTNERS)
    result = Pair(store, "BLR", "KAZ", perspective="exporter").mirror(2014)
    imports = result["summary"].set_index("direction").loc["imports"]
    assert imports.importer_declared_usd == 0.0
    assert not any("imports of BLR" in r for r in reasons(result.metadata))


def test_a_one_partner_table_share_reason(tmp_path):
    lines = ["Поток;Страна;Код;2014", "экспорт;KAZ;8701;600", "импорт;KAZ;2709;400"]
    store = _table_store(tmp_path, lines, TWO_PARTNERS)
    result = Pair(store, "BLR", "KAZ", perspective="exporter").profile()
    df = result.to_frame()
    # Both flows are in the table: turnover 1 000 is known; the share among partners is not.
    assert df.turnover_usd.tolist() == [1_000.0]
    assert math.isnan(df.partner_share_of_a.iloc[0]) and math.isnan(df.partner_rank_for_a.iloc[0])
    assert (
        "share among partners is unknown: table-blr-stat lists one partner only for BLR in 2014 "
        "(KAZ)" in reasons(result.metadata)
    )


def test_a_table_of_several_partners_gives_the_reporters_share_only(tmp_path):
    # BLR: exports to KAZ 600 and to RUS 300, imports from RUS 100 -> BLR's trade 1 000; KAZ's
    # share of it 600 / 1 000 = 0.6, rank 1 of 2 (RUS 400). KAZ's own trade with its other
    # partners is not in Belarus's table: BLR's share of KAZ's trade is unknown, not 100 %.
    lines = [
        "Поток;Страна;Код;2014",
        "экспорт;KAZ;8701;600",
        "экспорт;RUS;0402;300",
        "импорт;RUS;2709;100",
    ]
    store = _table_store(tmp_path, lines, TWO_PARTNERS)
    result = Pair(store, "BLR", "KAZ", perspective="exporter").profile()
    row = result.to_frame().iloc[0]
    assert row.exports_usd == 600.0 and row.imports_usd == 0.0  # BLR imports, none from KAZ
    assert row.partner_share_of_a == pytest.approx(600 / 1_000)
    assert row.partner_rank_for_a == 1
    assert math.isnan(row.a_share_of_b) and math.isnan(row.a_rank_for_b)
    assert any("holds BLR's declarations only" in r for r in reasons(result.metadata))


# --- the command line ---------------------------------------------------------------------------
def test_cli_says_n_a_with_the_reason_and_writes_null_and_empty_cells(world_home):
    text = run_cli("summary", "BLR", "ATA", "--home", world_home)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    row_2014 = next(line for line in lines if "2014" in line and "│" in line)
    assert "n/a" in row_2014 and "0.0" not in row_2014
    assert any(line.startswith("n/a: ATA: no rows in") and "2014" in line for line in lines)
    as_json = json.loads(run_cli("summary", "BLR", "ATA", "--home", world_home, "--json").stdout)
    assert {r["turnover_usd"] for r in as_json["rows"]} == {None}
    assert as_json["metadata"]["unknown"][0]["what"] == "trade"
    structure = run_cli("structure", "BLR", "EAEU", "--year", "2014", "--home", world_home)
    assert structure.returncode == 0, structure.stderr
    assert "n/a: EAEU did not exist in 2014 (founded 2015-01-01)" in structure.stdout
