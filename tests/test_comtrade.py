"""UN Comtrade reader (issue 5, part 1): hand-written files of each variant and the real
legacy-API sample in tests/data/comtrade/ (tests/data/README.md names its source).

Every expected number is written here by hand or recomputed from the file with the csv module.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

import silkroad as sr
from conftest import TEST_DATA, BaciFiles
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError, FormatError, InputError, StoreError
from silkroad.reference.countries import is_aggregate
from silkroad.sources import comtrade

LEGACY_SAMPLE = TEST_DATA / "comtrade" / "legacy_api_csv_2016_hs01_world.csv"

#: Comtrade numeric codes used below (ISO 3166-1 numeric).
BLR, KAZ, RUS = 112, 398, 643


def rec(flow: str, partner: int, cmd: str, value: float | None, **extra) -> dict:
    """One API record of reporter Belarus, 2016, HS 2012 (H4), totals of every breakdown."""
    row = {
        "typeCode": "C",
        "freqCode": "A",
        "refYear": 2016,
        "period": "2016",
        "reporterCode": BLR,
        "flowCode": flow,
        "partnerCode": partner,
        "partner2Code": 0,
        "classificationCode": "H4",
        "cmdCode": cmd,
        "customsCode": "C00",
        "motCode": 0,
        "qtyUnitAbbr": "kg",
        "qty": None,
        "netWgt": None,
        "cifvalue": None,
        "fobvalue": None,
        "primaryValue": value,
        "isAggregate": True,
    }
    row.update(extra)
    return row


#: Belarus 2016 as an API response. Loaded: lines 1-5 and 11; the rest are quarantined.
RECORDS = [
    rec("X", KAZ, "870120", 1000.0, netWgt=50.0, qty=2.0, qtyUnitAbbr="u"),  # 1 BLR->KAZ
    rec("M", KAZ, "2709", 500.0, netWgt=0.0),  # 2 KAZ->BLR, 0 kg = not reported
    rec("RX", KAZ, "870120", 30.0),  # 3 re-export BLR->KAZ
    rec("RM", KAZ, "10121", 7.0, classificationCode="H5"),  # 4 re-import, 010121 in HS17
    rec("X", 0, "TOTAL", 5000.0),  # 5 BLR->World
    rec("X", KAZ, "870120", 600.0, motCode=2100),  # 6 sea part of line 1
    rec("X", KAZ, "870120", 400.0, motCode=3100),  # 7 rail part of line 1
    rec("X", KAZ, "870120", 900.0, partner2Code=156),  # 8 partner2 breakdown
    rec("M", KAZ, "2709", 100.0, customsCode="C01"),  # 9 customs breakdown
    rec("FM", KAZ, "2709", 80.0),  # 10 foreign import: a sub-flow
    rec("M", 899, "2709", 12.0),  # 11 Areas nes -> BLR
    rec("X", 998, "870120", 3.0),  # 12 unknown partner code
    rec("X", RUS, "870120", None),  # 13 no value at all
    rec("X", RUS, "870120", -4.0),  # 14 negative value
]


def write_json(path: Path, records: list[dict]) -> Path:
    path.write_text(
        json.dumps({"elapsedTime": "0.1 secs", "count": len(records), "data": records, "error": ""})
    )
    return path


def ingest(home: Path, path: Path, reporter: str | None = None, force: bool = False):
    return sr.ingest(sr.open(home), "comtrade", path, reporter=reporter, force=force)


def rows(home: Path, source: str | None = None):
    df = sr.open(home).flows(source).to_pandas()
    return df.sort_values(["exporter", "importer", "product", "re_flow"], ignore_index=True)


def rejected(home: Path, source: str):
    return sr.open(home).rejected(source)


def test_api_json_flows_aggregates_and_breakdowns(tmp_path):
    result = ingest(tmp_path / "home", write_json(tmp_path / "blr.json", RECORDS))
    assert result.source == "comtrade-blr"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (14, 6, 8)
    assert result.rejected_by_reason == {
        "bad_value": 1,
        "breakdown_duplicate": 4,
        "negative_value": 1,
        "other_flow": 1,
        "unknown_country": 1,
    }
    df = rows(tmp_path / "home").set_index(["exporter", "importer", "product", "re_flow"])
    # X: exporter = reporter, declared by the exporter; M: importer = reporter.
    x = df.loc[("BLR", "KAZ", "870120", False)]
    assert (x.value_usd, x.weight_kg, x.quantity, x.quantity_unit) == (1000.0, 50.0, 2.0, "u")
    assert (x.declared_by, x.classification, x.year) == ("exporter", "HS12", 2016)
    m = df.loc[("KAZ", "BLR", "2709", False)]
    assert (m.value_usd, m.declared_by) == (500.0, "importer")
    assert m.weight_kg != m.weight_kg  # NaN: 0 kg is not a weight
    assert df.loc[("BLR", "KAZ", "870120", True)].declared_by == "exporter"  # RX
    rm = df.loc[("KAZ", "BLR", "010121", True)]  # RM, code zero-padded to 6 digits
    assert (rm.declared_by, rm.classification, rm.value_usd) == ("importer", "HS17", 7.0)
    world = df.loc[("BLR", "WLD", "TOTAL", False)]
    assert (world.classification, world.value_usd) == ("TOTAL", 5000.0)
    assert df.loc[("_X", "BLR", "2709", False)].value_usd == 12.0
    assert is_aggregate("WLD") and is_aggregate("_X")
    # The breakdowns of line 1 (600 + 400 by mode, 900 by partner2) are not added: a naive sum
    # of every X row to KAZ of 870120 would give 2 900 instead of 1 000.
    assert df.xs(("BLR", "KAZ", "870120", False)).value_usd == 1000.0
    q = rejected(tmp_path / "home", "comtrade-blr").set_index("line")
    assert list(q.index) == [6, 7, 8, 9, 10, 12, 13, 14]
    assert q.loc[6, "field"] == "motCode" and "breakdown" in q.loc[6, "reason"]
    assert q.loc[8, "field"] == "partner2Code" and q.loc[9, "field"] == "customsCode"
    assert "FM" in q.loc[10, "reason"] and q.loc[10, "code"] == "other_flow"
    assert q.loc[12, "code"] == "unknown_country" and q.loc[12, "field"] == "partnerCode"
    assert json.loads(q.loc[14, "raw"])["primaryValue"] == -4.0
    assert set(q.file) == {str(tmp_path / "blr.json")} and set(q.year) == {2016}


def _csv_text(records: list[dict], rename, trailing: bool) -> str:
    names = list(records[0])
    head = ",".join(rename(n) for n in names) + ("," if trailing else "")
    lines = [head]
    for r in records:
        cells = ["" if r[n] is None else str(r[n]) for n in names]
        lines.append(",".join(cells) + ("," if trailing else ""))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "rename",
    [
        lambda n: n,  # API field names
        lambda n: n[0].upper() + n[1:],  # web export: capitalised (RefYear, PrimaryValue, ...)
        lambda n: {"cifvalue": "cifValue", "fobvalue": "fobValue"}.get(n, n),  # data-item list
    ],
    ids=["camel", "capitalised", "cifValue"],
)
def test_csv_exports_read_like_the_json(tmp_path, rename):
    json_home, csv_home = tmp_path / "j", tmp_path / "c"
    ingest(json_home, write_json(tmp_path / "blr.json", RECORDS))
    path = tmp_path / "blr.csv"
    path.write_text(_csv_text(RECORDS, rename, trailing=True))
    result = ingest(csv_home, path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (14, 6, 8)
    a, b = rows(json_home), rows(csv_home)
    assert a.drop(columns="year").equals(b.drop(columns="year"))
    lines = sorted(rejected(csv_home, "comtrade-blr").line)
    assert lines == [n + 1 for n in (6, 7, 8, 9, 10, 12, 13, 14)]  # header is line 1


def test_gzipped_tab_separated_bulk_file(tmp_path):
    text = _csv_text(RECORDS[:2], lambda n: n, trailing=False).replace(",", "\t")
    path = tmp_path / "COMTRADE-FINAL-CA1122016H4[2023-01-03].gz"
    path.write_bytes(gzip.compress(text.encode()))
    result = ingest(tmp_path / "home", path)
    assert (result.rows_read, result.rows_loaded) == (2, 2)
    assert sorted(rows(tmp_path / "home").value_usd) == [500.0, 1000.0]


LEGACY_22 = (
    "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,"
    "Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,"
    "Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag"
)


def test_legacy_22_column_csv(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_text(
        "\n".join(
            [
                LEGACY_22,
                "H3,2010,2010,2010,6,1,2,Export,112,Belarus,BLR,398,Kazakhstan,KAZ,"
                '870120,"Tractors, road",5,Number of items,12,3400,250000,0',
                "H3,2010,2010,2010,4,0,1,Import,112,Belarus,BLR,398,Kazakhstan,KAZ,"
                "2709,Petroleum oils,1,No Quantity,,,125000.5,0",
                "H3,2010,2010,2010,2,0,3,Re-Export,112,Belarus,BLR,0,World,WLD,"
                "1,Live animals,1,No Quantity,,,10,0",
                "H3,2010,2010,2010,2,0,5,Something,112,Belarus,BLR,0,World,WLD,"
                "01,Live animals,1,No Quantity,,,10,0",
            ]
        )
        + "\n"
    )
    result = ingest(tmp_path / "home", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    assert result.rejected_by_reason == {"other_flow": 1}
    df = rows(tmp_path / "home").set_index(["exporter", "importer", "product"])
    x = df.loc[("BLR", "KAZ", "870120")]
    assert (x.value_usd, x.weight_kg, x.quantity, x.quantity_unit) == (
        250000.0,
        3400.0,
        12.0,
        "Number of items",
    )
    assert (x.declared_by, x.classification) == ("exporter", "HS07")
    m = df.loc[("KAZ", "BLR", "2709")]
    assert (m.value_usd, m.declared_by) == (125000.5, "importer")
    assert m.quantity != m.quantity and m.quantity_unit is None  # "No Quantity": NULL
    rx = df.loc[("BLR", "WLD", "01")]  # "1" zero-padded to its level
    assert bool(rx.re_flow) and rx.value_usd == 10.0


def test_unknown_layouts_fail_in_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("reporterCode,flowCode,partnerCode,cmdCode,primaryValue,refYear,colour\n")
    with pytest.raises(FormatError) as exc:
        comtrade.inspect_input(bad)
    assert "'colour'" in str(exc.value) and "\n" not in str(exc.value)
    short = tmp_path / "short.csv"
    short.write_text("refYear,reporterCode,flowCode,partnerCode\n2016,112,X,398\n")
    with pytest.raises(FormatError, match="no column for cmd, value"):
        comtrade.inspect_input(short)
    other_json = tmp_path / "other.json"
    other_json.write_text('{"results": []}')
    with pytest.raises(FormatError, match="no 'data' array"):
        comtrade.inspect_input(other_json)
    cut = tmp_path / "cut.json"
    cut.write_text('{"data": [{"refYear": 2016, "reporterCode": 112')
    with pytest.raises(FormatError, match="not valid JSON"):
        comtrade.inspect_input(cut)


def test_counting_identity_with_bad_rows(tmp_path):
    path = tmp_path / "bad_rows.csv"
    header = "refYear,period,reporterCode,flowCode,partnerCode,classificationCode,cmdCode,primaryValue,netWgt,qty,qtyUnitAbbr"
    path.write_text(
        "\n".join(
            [
                header,
                "2016,2016,112,X,398,H4,870120,100,,,",  # 2 ok
                "2016,2016,112,X,398,H4,870130,abc,,,",  # 3 bad value
                "2016,2016,112,X,398,H4,870140,100,,",  # 4 a field short
                "20x6,20x6,112,X,398,H4,870150,100,,,",  # 5 bad year
                "2016,2016,112,X,398,S4,7831,100,,,",  # 6 SITC: not an HS edition
                "2016,2016,112,X,398,H4,8701200,100,,,",  # 7 7-digit code
                "2016,2016,112,X,398,H4,870120,100,,,",  # 8 duplicate of line 2
                "2016,2016,112,X,112,H4,870120,100,,,",  # 9 partner = reporter
                "2016,2016,112,M,398,H4,870120,50,-3,,",  # 10 negative weight
                "",  # blank line: not a record
                "2016,2016,112,M,398,H4,870190,50,7,1.5,u",  # 12 ok
            ]
        )
        + "\n"
    )
    result = ingest(tmp_path / "home", path)
    assert result.rows_read == 10
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert result.rows_loaded == 2
    q = rejected(tmp_path / "home", "comtrade-blr").set_index("line")
    assert dict(q.code) == {
        3: "bad_value",
        4: "field_count",
        5: "bad_year",
        6: "unsupported_classification",
        7: "bad_product",
        8: "duplicate_key",
        9: "same_economy",
        10: "bad_weight",
    }
    assert "first seen on line 2" in q.loc[8, "reason"]
    assert q.loc[4, "raw"] == "2016,2016,112,X,398,H4,870140,100,,"
    assert pd.isna(q.loc[5, "year"])  # the year could not be read


def test_product_aggregates_beside_their_detail_are_not_added(tmp_path):
    """TOTAL 1 000 = chapter 87 (900) + chapter 27 (100); 87 = 8701 (900) = 870120 (900).

    A naive sum of every row would give 1 000 + 900 + 900 + 900 + 100 = 3 800.
    """
    records = [
        rec("X", KAZ, "TOTAL", 1000.0),
        rec("X", KAZ, "87", 900.0),
        rec("X", KAZ, "8701", 900.0),
        rec("X", KAZ, "870120", 900.0),
        rec("X", KAZ, "27", 100.0),
        rec("X", 0, "TOTAL", 5000.0),  # World total: alone in its group, kept
    ]
    home = tmp_path / "home"
    result = ingest(home, write_json(tmp_path / "levels.json", records))
    assert (result.rows_loaded, result.rows_rejected) == (3, 3)
    assert result.rejected_by_reason == {"aggregate_product": 3}
    df = rows(home)
    bilateral = df[(df.exporter == "BLR") & (df.importer == "KAZ")]
    assert sorted(bilateral["product"]) == ["27", "870120"]
    assert bilateral.value_usd.sum() == 1000.0
    summary = Pair(sr.open(home), "BLR", "KAZ", perspective="exporter").summary().to_frame()
    assert summary.exports_usd.tolist() == [1000.0]


def test_total_larger_than_its_detail_keeps_the_part_not_broken_down(tmp_path):
    """TOTAL 1 000 beside chapters 87 (600) and 27 (100) only: 300 USD is not broken down by
    product (confidential trade, chapters not asked for). Dropping the total would make
    exports 700 and chapter 87's share 600/700 = 86%; the declared figures say 600/1 000 = 60%.
    """
    records = [
        rec("X", KAZ, "TOTAL", 1000.0, netWgt=80.0),
        rec("X", KAZ, "87", 600.0, netWgt=50.0),
        rec("X", KAZ, "27", 100.0, netWgt=10.0),
        rec("M", KAZ, "TOTAL", 50.0),  # imports: a total below its detail (inconsistent)
        rec("M", KAZ, "27", 70.0),
    ]
    home = tmp_path / "home"
    result = ingest(home, write_json(tmp_path / "partial.json", records))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 4, 1)
    assert result.rejected_by_reason == {"aggregate_below_detail": 1}
    assert "1 total larger than its product detail kept" in result.message
    df = rows(home)
    exports = df[(df.exporter == "BLR") & (df.importer == "KAZ")].set_index("product")
    assert exports.value_usd.to_dict() == {"27": 100.0, "87": 600.0, "TOTAL": 300.0}
    assert exports.loc["TOTAL", "weight_kg"] == 80.0 - 50.0 - 10.0
    pair = Pair(sr.open(home), "BLR", "KAZ", perspective="exporter")
    summary = pair.summary().to_frame()
    assert (summary.exports_usd[0], summary.imports_usd[0]) == (1000.0, 70.0)
    s = pair.structure(2016, level="hs2").to_frame().set_index("code")
    assert s.share.to_dict() == {"87": 0.6, "TOTAL": 0.3, "27": 0.1}
    assert s.loc["TOTAL", "label_en"] == "Not broken down by product"
    assert s.loc["TOTAL", "label_ru"] == "Без разбивки по товарам"
    sec = pair.structure(2016, level="section").to_frame().set_index("code")
    assert sec.loc["TOTAL", "value_usd"] == 300.0 and "NS" not in sec.index
    q = rejected(home, "comtrade-blr")
    assert q.loc[0, "line"] == 4 and "smaller than the sum" in q.loc[0, "reason"]


def test_chapter_larger_than_its_headings_keeps_its_residual_at_finer_levels(tmp_path):
    # 87 = 900 declared beside heading 8701 = 500: 400 USD of chapter 87 is not in headings.
    records = [rec("X", KAZ, "87", 900.0), rec("X", KAZ, "8701", 500.0)]
    home = tmp_path / "home"
    ingest(home, write_json(tmp_path / "ch.json", records))
    pair = Pair(sr.open(home), "BLR", "KAZ", perspective="exporter")
    hs2 = pair.structure(2016, level="hs2").to_frame().set_index("code")
    assert hs2.value_usd.to_dict() == {"87": 900.0}
    hs4 = pair.structure(2016, level="hs4").to_frame().set_index("code")
    assert hs4.value_usd.to_dict() == {"8701": 500.0, "87": 400.0}
    # the chapter's short name, then what its detail leaves out (reference/products.py)
    assert hs4.loc["87", "label_en"] == "Vehicles other than railway, not broken down to headings"


def legacy_rows() -> list[dict[str, str]]:
    with open(LEGACY_SAMPLE, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_real_legacy_sample_belarus(tmp_path):
    home = tmp_path / "home"
    with pytest.raises(InputError, match=r"55 reporters.*--reporter"):
        ingest(home, LEGACY_SAMPLE)
    result = ingest(home, LEGACY_SAMPLE, reporter="BLR")
    src = legacy_rows()
    blr = [r for r in src if r["Reporter Code"] == "112"]
    assert result.rows_read == len(src) == 127
    assert result.rows_loaded == len(blr) == 2
    assert result.rejected_by_reason == {"other_reporter": len(src) - len(blr)}
    expected = {r["TradeFlow Code"]: float(r["TradeValueUS"]) for r in blr}
    df = rows(home).set_index(["exporter", "importer"])
    assert df.loc[("BLR", "WLD"), "value_usd"] == expected["2"]  # exports of chapter 01
    assert df.loc[("WLD", "BLR"), "value_usd"] == expected["1"]  # imports of chapter 01
    assert set(df["product"]) == {"01"} and set(df.classification) == {"HS12"}  # H4
    assert df.weight_kg.isna().all() and df.quantity.isna().all()  # empty fields: NULL
    # Re-ingesting the same file for the same reporter changes nothing.
    assert ingest(home, LEGACY_SAMPLE, reporter="BLR").noop


def test_real_legacy_sample_is_never_bilateral_trade(tmp_path):
    """Every reporter of the sample against World: nothing counts between two economies."""
    home = tmp_path / "home"
    src = legacy_rows()
    reporters = sorted({r["Reporter ISO"] for r in src})
    assert len(reporters) == 55
    loaded = 0
    for iso in reporters:
        loaded += ingest(home, LEGACY_SAMPLE, reporter=iso).rows_loaded
    assert loaded == len(src)  # every row of the file, each under its own reporter
    df = rows(home)
    assert len(df) > 0
    assert all(
        is_aggregate(e) or is_aggregate(i) for e, i in zip(df.exporter, df.importer, strict=True)
    )
    store = sr.open(home)
    for perspective in ("exporter", "mirror"):
        p = Pair(store, "BLR", "ARM", perspective=perspective).profile().to_frame()
        # Trade against World only: bilateral trade is not in the data, so it is unknown (not 0
        # and not the World figure; analytics/unknown.py), and so are the totals by partner.
        assert p.exports_usd.isna().all() and p.imports_usd.isna().all()
        assert p.a_trade_total_usd.isna().all() and p.b_trade_total_usd.isna().all()
        assert "not among the partners in comtrade-" in p.attrs["metadata"]["unknown"][0]["reason"]


#: Belarus and Kazakhstan, 2016: each side's own declarations; the importer's figures are the
#: exporter's x 1.06 (CIF against FOB).
BLR_DECL = [
    rec("X", KAZ, "870120", 1000.0),  # BLR says it exported 1 000
    rec("X", KAZ, "0402", 200.0),  # and 200
    rec("M", KAZ, "2709", 530.0),  # BLR says it imported 530 = 500 x 1.06
    rec("X", 0, "TOTAL", 9000.0),  # BLR -> World (an aggregate)
]
KAZ_DECL = [
    rec("M", BLR, "870120", 1060.0, reporterCode=KAZ),  # 1 000 x 1.06
    rec("M", BLR, "0402", 212.0, reporterCode=KAZ),  # 200 x 1.06
    rec("X", BLR, "2709", 500.0, reporterCode=KAZ),
]


def test_exporter_and_mirror_perspectives_read_each_sides_declarations(tmp_path):
    home = tmp_path / "home"
    ingest(home, write_json(tmp_path / "blr.json", BLR_DECL))
    ingest(home, write_json(tmp_path / "kaz.json", KAZ_DECL))
    store = sr.open(home)
    own = Pair(store, "BLR", "KAZ", perspective="exporter")
    mirror = Pair(store, "BLR", "KAZ", perspective="mirror")
    assert (own.source, mirror.source) == ("comtrade-blr", "comtrade-kaz")
    a = own.profile().to_frame().set_index("year")
    b = mirror.profile().to_frame().set_index("year")
    assert a.attrs["metadata"]["source"] == "comtrade-blr"
    assert b.attrs["metadata"]["source"] == "comtrade-kaz"
    assert a.loc[2016, "exports_usd"] == 1200.0  # BLR's X
    assert a.loc[2016, "imports_usd"] == 530.0  # BLR's M
    assert b.loc[2016, "exports_usd"] == pytest.approx(1272.0)  # KAZ's M = 1 200 x 1.06
    assert b.loc[2016, "imports_usd"] == 500.0  # KAZ's X
    assert b.loc[2016, "exports_usd"] == pytest.approx(a.loc[2016, "exports_usd"] * 1.06)
    assert a.loc[2016, "imports_usd"] == pytest.approx(b.loc[2016, "imports_usd"] * 1.06)
    # BLR's declarations name one partner economy (World is not one): its share among
    # partners is unknown, not 100 % (analytics/unknown.py).
    assert pd.isna(a.loc[2016, "a_trade_total_usd"]) and pd.isna(a.loc[2016, "partner_share_of_a"])
    assert "lists one partner only for BLR in 2016 (KAZ)" in " ".join(
        n["reason"] for n in a.attrs["metadata"]["unknown"]
    )
    # Structure by product follows the same declarations.
    s = mirror.structure(2016, direction="exports", level="hs6").to_frame()
    assert s.set_index("code").value_usd.to_dict() == {"870120": 1060.0, "0402": 212.0}
    # With BACI in the store, the default (reconciled) perspective still reads BACI.
    files = BaciFiles(tmp_path / "baci")
    release = files.release_dir({2016: ["2016,112,398,870120,1.5,1"]})
    sr.ingest(store, "baci", release)
    store = sr.open(home)
    auto = Pair(store, "BLR", "KAZ")
    assert (auto.perspective, auto.source) == ("reconciled", "baci-hs92")
    assert auto.summary().to_frame().exports_usd.tolist() == [1500.0]
    assert Pair(store, "BLR", "KAZ", perspective="exporter").source == "comtrade-blr"


def test_reporters_coexist_and_a_new_ingest_replaces_the_same_years(tmp_path):
    home = tmp_path / "home"
    ingest(home, write_json(tmp_path / "blr.json", BLR_DECL))
    ingest(home, write_json(tmp_path / "kaz.json", KAZ_DECL))
    revised = [rec("X", KAZ, "870120", 1100.0)]
    before = (home / "catalog.json").read_bytes()
    # The revision lacks BLR's imports from KAZ and its World row: refused, nothing changed ...
    with pytest.raises(
        StoreError, match=r"lacks flows the store holds: BLR→WLD \(exporter\), KAZ→BLR \(importer\)"
    ):
        ingest(home, write_json(tmp_path / "blr2.json", revised))
    assert (home / "catalog.json").read_bytes() == before
    # ... unless forced: then 2016 is replaced, not added to.
    ingest(home, write_json(tmp_path / "blr2.json", revised), force=True)
    store = sr.open(home)
    assert sorted(s["source"] for s in store.sources()) == ["comtrade-blr", "comtrade-kaz"]
    blr = rows(home, "comtrade-blr")
    assert blr.value_usd.tolist() == [1100.0]  # 2016 replaced, not added to
    assert rows(home, "comtrade-kaz").value_usd.sum() == 1060.0 + 212.0 + 500.0


def test_cli_ingest_comtrade_with_reporter(tmp_path, cli):
    home = tmp_path / "home"
    proc = cli("ingest", "comtrade", LEGACY_SAMPLE, "--home", home)
    assert proc.returncode == 2
    assert "--reporter" in proc.stderr + proc.stdout
    proc = cli("ingest", "comtrade", LEGACY_SAMPLE, "--reporter", "BLR", "--home", home)
    assert proc.returncode == 0, proc.stderr
    assert "comtrade-blr" in proc.stdout
    assert "loaded 2" in proc.stdout and "other_reporter 125" in proc.stdout


def test_monthly_rows_and_their_annual_total_are_not_both_loaded(tmp_path):
    """Jan 40 + Feb 60 = the annual 100: the annual row is kept, the months quarantined.
    Without an annual row, months are loaded with their month (KAZ->BLR 2709: 5 + 7 = 12)."""
    records = [
        rec("X", KAZ, "870120", 100.0),
        rec("X", KAZ, "870120", 40.0, period="201601", freqCode="M", refMonth=1),
        rec("X", KAZ, "870120", 60.0, period="201602", freqCode="M", refMonth=2),
        rec("M", KAZ, "2709", 5.0, period="201601", freqCode="M", refMonth=1),
        rec("M", KAZ, "2709", 7.0, period="201603", freqCode="M", refMonth=3),
        rec("M", KAZ, "2709", 9.0, period="201613", freqCode="M"),  # no 13th month
    ]
    home = tmp_path / "home"
    result = ingest(home, write_json(tmp_path / "monthly.json", records))
    assert result.rejected_by_reason == {"bad_period": 1, "breakdown_duplicate": 2}
    df = rows(home)
    x = df[df.exporter == "BLR"]
    assert x.value_usd.tolist() == [100.0] and x.month.isna().all()
    m = df[df.importer == "BLR"].sort_values("month")
    assert m.month.tolist() == [1, 3] and m.value_usd.sum() == 12.0
    summary = Pair(sr.open(home), "BLR", "KAZ", perspective="exporter").summary().to_frame()
    assert (summary.exports_usd.tolist(), summary.imports_usd.tolist()) == ([100.0], [12.0])


LEGACY_35 = (
    "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,"
    "Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,"
    "2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,"
    "Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,"
    "Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),"
    "Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag"
)


def test_legacy_35_column_csv_breakdowns_and_cif_fallback(tmp_path):
    def line(flow, partner2, customs, mot, value, cif=""):
        return (
            f"H4,2014,2014,2014,6,1,{flow},x,398,Kazakhstan,KAZ,112,Belarus,BLR,"
            f"{partner2},,,{customs},,{mot},,870120,Tractors,5,Number of items,3,,,,1200,1300,"
            f"{value},{cif},,0"
        )

    path = tmp_path / "legacy35.csv"
    path.write_text(
        "\n".join(
            [
                LEGACY_35,
                line(1, 0, "C00", 0, "", cif="2500"),  # 2 import total: value from CIF
                line(1, 0, "C00", 3100, "1500"),  # 3 rail part
                line(1, 0, "C00", 3200, "1000"),  # 4 road part
                line(1, 643, "C00", 0, "2500"),  # 5 2nd partner breakdown
                line(2, "", "", "", "800"),  # 6 export, breakdown columns empty
            ]
        )
        + "\n"
    )
    result = ingest(tmp_path / "home", path)
    assert result.source == "comtrade-kaz"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 2, 3)
    assert result.rejected_by_reason == {"breakdown_duplicate": 3}
    df = rows(tmp_path / "home").set_index(["exporter", "importer"])
    m = df.loc[("BLR", "KAZ")]  # KAZ imports from BLR: 2 500, not 2 500 + 1 500 + 1 000 + 2 500
    assert (m.value_usd, m.weight_kg, m.quantity, m.declared_by) == (
        2500.0,
        1200.0,
        3.0,
        "importer",
    )
    assert df.loc[("KAZ", "BLR"), "value_usd"] == 800.0


def test_world_total_rows_do_not_make_the_edition_unknown(tmp_path):
    """A file with World TOTAL rows beside HS detail is recorded as its HS edition, so that
    structure() works on it (it used to be 'HS12,TOTAL', an unknown edition)."""
    home = tmp_path / "home"
    ingest(home, write_json(tmp_path / "blr.json", BLR_DECL))  # holds an X to World, TOTAL
    store = sr.open(home)
    assert store.catalog.sources["comtrade-blr"].classification == "HS12"
    s = Pair(store, "BLR", "KAZ", perspective="exporter").structure(2016, level="hs4").to_frame()
    assert s.set_index("code").value_usd.to_dict() == {"8701": 1000.0, "0402": 200.0}


def test_exporter_perspective_never_reads_the_partners_declarations(tmp_path):
    home = tmp_path / "home"
    ingest(home, write_json(tmp_path / "kaz.json", KAZ_DECL))  # only Kazakhstan's figures
    store = sr.open(home)
    with pytest.raises(AnalysisError, match="needs BLR's own declarations"):
        Pair(store, "BLR", "KAZ", perspective="exporter")
    assert Pair(store, "BLR", "KAZ", perspective="mirror").source == "comtrade-kaz"


# --- legacy API JSON (FORMATS.md 2.6) ---------------------------------------------------------------
def legacy(rg: int, partner: int, cmd: str, value: float | None, **extra) -> dict:
    """One record of the retired comtrade.un.org/api/get JSON: Belarus, 2016, H4, every field."""
    row = {
        "pfCode": "H4",
        "yr": 2016,
        "period": 2016,
        "periodDesc": "2016",
        "aggrLevel": 0 if cmd == "TOTAL" else len(cmd),
        "IsLeaf": 0,
        "rgCode": rg,
        "rgDesc": {1: "Import", 2: "Export", 3: "Re-Export", 4: "Re-Import"}[rg],
        "rtCode": BLR,
        "rtTitle": "Belarus",
        "rt3ISO": "BLR",
        "ptCode": partner,
        "ptTitle": "",
        "pt3ISO": "WLD" if partner == 0 else "",
        "ptCode2": None,
        "ptTitle2": "",
        "pt3ISO2": "",
        "cstCode": "",
        "cstDesc": "",
        "motCode": "",
        "motDesc": "",
        "cmdCode": cmd,
        "cmdDescE": "",
        "qtCode": 1,
        "qtDesc": "No Quantity",
        "qtAltCode": None,
        "qtAltDesc": "",
        "TradeQuantity": None,
        "AltQuantity": None,
        "NetWeight": None,
        "GrossWeight": None,
        "TradeValue": value,
        "CIFValue": None,
        "FOBValue": None,
        "estCode": 0,
    }
    row.update(extra)
    return row


def write_legacy_json(path: Path, records: list[dict], **validation) -> Path:
    status = {"name": "Ok", "value": 0, "category": 0, "description": "", "helpUrl": ""}
    doc = {
        "validation": {
            "status": status,
            "message": None,
            "count": {"value": len(records), "durationSeconds": 0.1},
            **validation,
        },
        "dataset": records,
    }
    path.write_text(json.dumps(doc, indent=1))
    return path


#: Belarus 2016 from the legacy API. Loaded: records 1-6 and 11; the rest are quarantined.
LEGACY_DATASET = [
    legacy(2, KAZ, "870120", 1000, NetWeight=50, TradeQuantity=2, qtCode=5, qtDesc="Items"),  # 1
    legacy(1, KAZ, "2709", 500, NetWeight=0),  # 2 KAZ->BLR; 0 kg = not reported
    legacy(3, KAZ, "870120", 30),  # 3 re-export BLR->KAZ
    legacy(4, KAZ, "10121", 7, pfCode="H5"),  # 4 re-import, 010121 in HS17
    legacy(2, 0, "TOTAL", 5000),  # 5 BLR->World
    legacy(1, 0, "01", 80),  # 6 World->BLR, chapter 01
    legacy(2, KAZ, "870120", 600, motCode="2100"),  # 7 sea part of record 1
    legacy(2, KAZ, "870120", 900, ptCode2=156, pt3ISO2="CHN"),  # 8 2nd-partner breakdown
    legacy(2, KAZ, "7831", 40, pfCode="S3"),  # 9 SITC Rev. 3
    legacy(1, 998, "2709", 3),  # 10 unknown partner code
    legacy(2, RUS, "870120", None, FOBValue=250),  # 11 no TradeValue: the FOB value
    legacy(1, RUS, "2709", -4),  # 12 negative value
    legacy(2, BLR, "2709", 9, rtCode=KAZ, rt3ISO="KAZ"),  # 13 Kazakhstan's record
]


def test_legacy_api_json(tmp_path):
    home = tmp_path / "home"
    path = write_legacy_json(tmp_path / "legacy.json", LEGACY_DATASET)
    assert comtrade.inspect_input(path).variant == "legacy-json"
    result = ingest(home, path, reporter="BLR")
    assert result.source == "comtrade-blr" and "(legacy-json)" in result.message
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (13, 7, 6)
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert result.rejected_by_reason == {
        "breakdown_duplicate": 2,
        "negative_value": 1,
        "other_reporter": 1,
        "unknown_country": 1,
        "unsupported_classification": 1,
    }
    df = rows(home).set_index(["exporter", "importer", "product", "re_flow"])
    # 1 000 + 500 + 30 + 7 + 5 000 + 80 + 250: the breakdowns (600, 900) are not added.
    assert df.value_usd.sum() == 6867.0
    x = df.loc[("BLR", "KAZ", "870120", False)]  # rgCode 2: the reporter exports
    assert (x.value_usd, x.weight_kg, x.quantity, x.quantity_unit) == (1000.0, 50.0, 2.0, "Items")
    assert (x.declared_by, x.classification, x.year) == ("exporter", "HS12", 2016)  # pfCode H4
    m = df.loc[("KAZ", "BLR", "2709", False)]  # rgCode 1: the reporter imports
    assert (m.value_usd, m.declared_by, m.classification) == (500.0, "importer", "HS12")
    assert m.weight_kg != m.weight_kg and m.quantity != m.quantity  # 0 kg, "No Quantity": NULL
    rx = df.loc[("BLR", "KAZ", "870120", True)]  # rgCode 3: re-export
    assert (rx.value_usd, rx.declared_by) == (30.0, "exporter")
    rm = df.loc[("KAZ", "BLR", "010121", True)]  # rgCode 4: re-import, pfCode H5
    assert (rm.value_usd, rm.declared_by, rm.classification) == (7.0, "importer", "HS17")
    world_x = df.loc[("BLR", "WLD", "TOTAL", False)]
    assert (world_x.value_usd, world_x.classification) == (5000.0, "TOTAL")
    world_m = df.loc[("WLD", "BLR", "01", False)]
    assert (world_m.value_usd, world_m.declared_by, world_m.classification) == (
        80.0,
        "importer",
        "HS12",
    )
    assert df.loc[("BLR", "RUS", "870120", False)].value_usd == 250.0  # FOBValue
    assert month_is_annual(df)
    q = rejected(home, "comtrade-blr").set_index("line")  # the record's position in "dataset"
    assert dict(q.code) == {
        7: "breakdown_duplicate",
        8: "breakdown_duplicate",
        9: "unsupported_classification",
        10: "unknown_country",
        12: "negative_value",
        13: "other_reporter",
    }
    assert q.loc[7, "field"] == "motCode" and q.loc[8, "field"] == "partner2Code"
    assert "S3 (SITC Rev. 3)" in q.loc[9, "reason"] and "H0-H6 (HS)" in q.loc[9, "reason"]
    assert json.loads(q.loc[12, "raw"])["TradeValue"] == -4
    assert set(q.year) == {2016} and set(q.file) == {str(path)}


def month_is_annual(df) -> bool:
    return bool(df.month.isna().all())


def test_legacy_json_reads_like_the_api_json(tmp_path):
    """The same six declarations in both JSON layouts give the same canonical rows."""
    api = [
        rec("X", KAZ, "870120", 1000.0, netWgt=50.0),
        rec("M", KAZ, "2709", 500.0),
        rec("RX", KAZ, "870120", 30.0),
        rec("RM", KAZ, "10121", 7.0, classificationCode="H5"),
        rec("X", 0, "TOTAL", 5000.0),
        rec("M", 899, "2709", 12.0),
    ]
    old = [
        legacy(2, KAZ, "870120", 1000, NetWeight=50),
        legacy(1, KAZ, "2709", 500),
        legacy(3, KAZ, "870120", 30),
        legacy(4, KAZ, "10121", 7, pfCode="H5"),
        legacy(2, 0, "TOTAL", 5000),
        legacy(1, 899, "2709", 12),
    ]
    ingest(tmp_path / "a", write_json(tmp_path / "a.json", api))
    ingest(tmp_path / "b", write_legacy_json(tmp_path / "b.json", old))
    a, b = rows(tmp_path / "a"), rows(tmp_path / "b")
    assert len(a) == 6 and a.equals(b)
    assert b.set_index("exporter").loc["_X", "value_usd"] == 12.0  # Areas nes -> BLR


def test_legacy_json_monthly_and_refmonth_52(tmp_path):
    """Legacy monthly period 201603 is March; an annual API row with refMonth 52 (the
    reference docs' annual marker) stays annual."""
    home = tmp_path / "legacy"
    ingest(
        home, write_legacy_json(tmp_path / "m.json", [legacy(2, KAZ, "0402", 70, period=201603)])
    )
    assert rows(home).month.tolist() == [3]
    home = tmp_path / "api"
    ingest(home, write_json(tmp_path / "a.json", [rec("X", KAZ, "0402", 70.0, refMonth=52)]))
    assert month_is_annual(rows(home))


def test_legacy_json_error_responses_fail_in_one_line(tmp_path):
    home = tmp_path / "home"
    too_large = tmp_path / "too_large.json"
    too_large.write_text(
        json.dumps(
            {
                "validation": {
                    "status": {
                        "name": "Result too large: you do not have permissions to access such "
                        "a large resultset.",
                        "value": 5004,
                        "category": 0,
                        "description": "",
                        "helpUrl": "",
                    },
                    "message": "Maximum resultset is:\n10000",
                    "count": None,
                    "datasetTimer": None,
                },
                "dataset": [],
            }
        )
    )
    with pytest.raises(FormatError) as exc:
        ingest(home, too_large)
    text = str(exc.value)
    assert "answered with an error" in text and "Result too large" in text
    assert "Maximum resultset is: 10000" in text and "\n" not in text
    assert not (home / "catalog.json").exists() or not sr.open(home).sources()
    # A response cut below its own count is refused, not loaded in part.
    cut = write_legacy_json(tmp_path / "cut.json", LEGACY_DATASET[:2], count={"value": 5})
    with pytest.raises(
        FormatError, match="truncated: its validation counts 5 records, its dataset holds 2"
    ):
        comtrade.inspect_input(cut)
    # "Ok" with no records: read, then refused for having nothing to load.
    empty = write_legacy_json(tmp_path / "empty.json", [])
    assert comtrade.inspect_input(empty).records == []
    with pytest.raises(InputError, match="no record with a known reporter"):
        ingest(home, empty)
    # The current API's error body (no "data") names its message.
    denied = tmp_path / "denied.json"
    denied.write_text(
        json.dumps({"statusCode": 401, "message": "Access denied due to invalid subscription key."})
    )
    with pytest.raises(FormatError, match=r"answered with an error.*Access denied"):
        comtrade.inspect_input(denied)


def test_cli_legacy_json_error_is_one_line(tmp_path, cli):
    path = tmp_path / "err.json"
    path.write_text('{"validation": {"status": {"name": "Invalid parameter"}}, "dataset": null}')
    proc = cli("ingest", "comtrade", path, "--home", tmp_path / "home")
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Invalid parameter" in lines[0]


# --- SITC and other non-HS classifications -------------------------------------------------------
def test_a_file_of_sitc_fails_with_one_line_and_stores_nothing(tmp_path, cli):
    home = tmp_path / "home"
    sitc = [
        legacy(2, KAZ, "7831", 40, pfCode="S3"),
        legacy(2, 0, "TOTAL", 900, pfCode="S3"),
        legacy(1, KAZ, "333", 25, pfCode="S3"),
    ]
    path = write_legacy_json(tmp_path / "sitc.json", sitc)
    with pytest.raises(InputError) as exc:
        ingest(home, path)
    text = str(exc.value)
    assert "SITC Rev. 3 (S3) is not supported yet" in text and "HS" in text
    assert "3 records, none in HS" in text and "\n" not in text
    proc = cli("ingest", "comtrade", path, "--home", home)
    assert proc.returncode == 2 and "not supported yet" in proc.stderr
    assert not sr.open(home).sources()  # no ingest with zero rows
    # The current API/CSV spelling, two non-HS classifications in one file.
    csv_path = tmp_path / "bec.csv"
    csv_path.write_text(
        "refYear,period,reporterCode,flowCode,partnerCode,classificationCode,cmdCode,primaryValue\n"
        "2016,2016,112,X,398,S4,7831,100\n"
        "2016,2016,112,X,398,B5,111,100\n"
    )
    with pytest.raises(InputError, match=r"BEC Rev\. 5 \(B5\), SITC Rev\. 4 \(S4\) is not"):
        comtrade.inspect_input(csv_path)


def test_sitc_records_beside_hs_are_quarantined(tmp_path):
    """HS 1 000 loaded; the SITC view of the same trade (1 000) is not added to it."""
    records = [
        rec("X", KAZ, "870120", 1000.0),
        rec("X", KAZ, "7831", 1000.0, classificationCode="S4"),
        rec("X", 0, "TOTAL", 1000.0, classificationCode="S4"),  # a SITC total, too
    ]
    home = tmp_path / "home"
    result = ingest(home, write_json(tmp_path / "mixed.json", records))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    assert result.rejected_by_reason == {"unsupported_classification": 2}
    assert rows(home).value_usd.tolist() == [1000.0]
    q = rejected(home, "comtrade-blr").set_index("line")
    assert q.loc[2, "field"] == "classificationCode"
    assert "S4 (SITC Rev. 4)" in q.loc[3, "reason"]


def test_trade_not_broken_down_has_no_unit_value(tmp_path):
    """The residual TOTAL (1 000 - 600 = 400 USD, 100 - 50 = 50 kg; then 900 - 600, 100 - 60 kg)
    mixes goods: it is never priced, however its weights look (it goes with 'no_weight')."""
    y = {"refYear": 2015, "period": "2015"}
    records = [
        rec("X", KAZ, "TOTAL", 1000.0, netWgt=100.0, **y),
        rec("X", KAZ, "870120", 600.0, netWgt=50.0, **y),
        rec("X", KAZ, "TOTAL", 900.0, netWgt=100.0),
        rec("X", KAZ, "870120", 600.0, netWgt=60.0),
    ]
    home = tmp_path / "home"
    ingest(home, write_json(tmp_path / "p.json", records))
    res = Pair(sr.open(home), "BLR", "KAZ", perspective="exporter").prices(2016)
    products = res["products"].set_index("product")
    assert products.loc["TOTAL", "status"] == "no_weight"
    assert products.loc["870120", "status"] == "continuing"
