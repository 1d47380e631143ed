"""Mirror comparison on a hand-made pair: the importer declares the exporter's values x 1.06,
one product is missing on one side."""

from __future__ import annotations

import json

import pytest

import silkroad as sr
from conftest import run_cli
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError
from test_comtrade import BLR, KAZ, rec, write_json

BLR_DECL = [
    rec("X", KAZ, "870120", 1000.0, netWgt=10_000.0),  # BLR: exports 1 000 of tractors
    rec("X", KAZ, "040210", 200.0),  # and 200 of milk powder
    rec("X", KAZ, "843390", 50.0),  # and 50 of harvester parts, which KAZ does not report
    rec("M", KAZ, "270900", 530.0),  # BLR: imports 530 = 500 x 1.06
]
KAZ_DECL = [
    rec("M", BLR, "870120", 1060.0, reporterCode=KAZ, netWgt=20_000.0),  # x 1.06; weight x 2
    rec("M", BLR, "040210", 212.0, reporterCode=KAZ),  # 200 x 1.06
    rec("X", BLR, "270900", 500.0, reporterCode=KAZ),
]


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    sr.ingest(sr.open(h), "comtrade", write_json(tmp_path / "blr.json", BLR_DECL))
    sr.ingest(sr.open(h), "comtrade", write_json(tmp_path / "kaz.json", KAZ_DECL))
    return h


def test_gap_cif_fob_ratio_and_missing_product(home):
    result = Pair(sr.open(home), "BLR", "KAZ").mirror(2016, level="hs6", top=None)
    ex = result["exports"].set_index("code")
    assert ex.loc["870120", "gap_usd"] == pytest.approx(60.0)
    assert ex.loc["870120", "cif_fob_ratio"] == pytest.approx(1.06)
    assert ex.loc["040210", "gap_rel"] == pytest.approx(0.06)
    assert ex.loc["843390", "importer_declared_usd"] == 0.0
    assert "missing_importer_side" in ex.loc["843390", "flags"]
    assert "unit_value_mismatch" in ex.loc["870120", "flags"]  # 10 t declared vs 20 t
    assert "unit_value_mismatch" not in ex.loc["040210", "flags"]  # no weights: no judgement
    assert all("customs_union_survey" in f for f in ex["flags"])  # both EAEU members in 2016
    s = result["summary"].set_index("direction")
    assert s.loc["exports", "exporter_declared_usd"] == pytest.approx(1250.0)
    assert s.loc["exports", "importer_declared_usd"] == pytest.approx(1272.0)
    assert s.loc["exports", "cif_fob_ratio_common"] == pytest.approx(1.06)  # the 6 % margin
    assert s.loc["exports", "groups_missing_importer_side"] == 1
    im = result["imports"].set_index("code")
    assert im.loc["270900", "exporter_declared_usd"] == 500.0  # KAZ's own export figure
    assert im.loc["270900", "importer_declared_usd"] == 530.0  # BLR's import figure
    assert s.loc["imports", "cif_fob_ratio_common"] == pytest.approx(1.06)
    assert result["metadata"]["sources_used"] == {
        "exports: declared by BLR": "comtrade-blr",
        "exports: declared by KAZ": "comtrade-kaz",
        "imports: declared by KAZ": "comtrade-kaz",
        "imports: declared by BLR": "comtrade-blr",
    }


def test_levels_aggregate_the_same_totals(home):
    pair = Pair(sr.open(home), "BLR", "KAZ")
    hs2 = pair.mirror(2016, level="hs2", top=None)["exports"].set_index("code")
    assert hs2.loc["87", "importer_declared_usd"] == pytest.approx(1060.0)
    assert hs2.exporter_declared_usd.sum() == pytest.approx(1250.0)
    with pytest.raises(AnalysisError, match="no declared statistics for 2015"):
        pair.mirror(2015)


def test_cli_mirror_json_and_table(home):
    result = run_cli(
        "mirror", "BLR", "KAZ", "--year", "2016", "--level", "hs6", "--home", home, "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    summary = {r["direction"]: r for r in data["summary"]}
    assert summary["exports"]["cif_fob_ratio_common"] == pytest.approx(1.06)
    table = run_cli("mirror", "BLR", "KAZ", "--year", "2016", "--home", home)
    assert table.returncode == 0 and "CIF/FOB" in table.stdout and "missing" in table.stdout


def test_chapter_level_codes_and_re_exports(tmp_path):
    """Codes declared at chapter level are compared as they are (not padded into '000001'), and
    re-exports only raise a flag: many reporters include them in X already."""
    home = tmp_path / "home"
    blr = [
        rec("X", KAZ, "01", 100.0),
        rec("X", KAZ, "870120", 1000.0),
        rec("RX", KAZ, "870120", 200.0),
    ]
    kaz = [
        rec("M", BLR, "01", 106.0, reporterCode=KAZ),
        rec("M", BLR, "870120", 1060.0, reporterCode=KAZ),
    ]
    sr.ingest(sr.open(home), "comtrade", write_json(tmp_path / "blr.json", blr))
    sr.ingest(sr.open(home), "comtrade", write_json(tmp_path / "kaz.json", kaz))
    ex = Pair(sr.open(home), "BLR", "KAZ").mirror(2016, level="hs4", top=None)["exports"]
    ex = ex.set_index("code")
    assert ex.loc["01", "cif_fob_ratio"] == pytest.approx(1.06)
    assert ex.loc["8701", "exporter_declared_usd"] == 1000.0  # not 1 200
    assert ex.loc["8701", "cif_fob_ratio"] == pytest.approx(1.06)
    assert "re_exports" in ex.loc["8701", "flags"]


def test_a_total_not_broken_down_is_compared_apart(tmp_path):
    """Belarus declares exports of 1 500 in total but details only tractors (1 000): 500 is not
    broken down. Kazakhstan declares tractors 1 060 and milk 424. The 500 must count in Belarus's
    total, and must not make milk look unreported by Belarus's side as a product gap."""
    blr = [rec("X", KAZ, "TOTAL", 1500.0), rec("X", KAZ, "870120", 1000.0)]
    kaz = [
        rec("M", BLR, "870120", 1060.0, reporterCode=KAZ),
        rec("M", BLR, "040210", 424.0, reporterCode=KAZ),
    ]
    h = tmp_path / "home"
    sr.ingest(sr.open(h), "comtrade", write_json(tmp_path / "blr.json", blr))
    sr.ingest(sr.open(h), "comtrade", write_json(tmp_path / "kaz.json", kaz))
    result = Pair(sr.open(h), "BLR", "KAZ").mirror(2016, level="hs2", top=None)
    ex = result["exports"].set_index("code")
    assert ex.loc["TOTAL", "exporter_declared_usd"] == 500.0
    assert ex.loc["TOTAL", "flags"].split(",")[0] == "not_broken_down"
    assert "missing" not in ex.loc["TOTAL", "flags"]
    s = result["summary"].set_index("direction").loc["exports"]
    assert s.exporter_declared_usd == 1500.0 and s.importer_declared_usd == 1484.0
    assert s.exporter_not_broken_down_usd == 500.0 and s.importer_not_broken_down_usd == 0.0
    assert s.cif_fob_ratio_common == pytest.approx(1.06)  # tractors only, both sides report
    assert s.groups_missing_exporter_side == 1  # milk (04)
