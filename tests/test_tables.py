"""National statistics tables (issue 5, part 2): CSV/XLSX through a YAML mapping.

Every expected number below is worked out by hand in the comments (values in thousand USD in
the tables, USD in the store).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import silkroad as sr
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError, FormatError, InputError
from silkroad.reference.baskets import example_baskets_path
from silkroad.reference.countries import is_aggregate
from silkroad.sources import table
from silkroad.sources.numbers import parse_number
from test_comtrade import KAZ, RUS, rec, write_json

CHN = 156

MAPPINGS = Path(table.__file__).parents[1] / "data" / "mappings"


def write_csv(path: Path, lines: list[str], encoding: str = "cp1251") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def write_yaml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


WIDE_MAPPING = """\
name: belstat
reporter: BLR
flow: {column: Поток}
header_row: 3
unit: thousand_usd
partner: Страна
product: Код ТН ВЭД
classification: HS12
wide: {columns: years}
"""

#: Belarus's trade as Belstat would publish it: title, blank line, header on row 3, Russian
#: names, NBSP and space thousands, decimal comma, '-' for nil, 'Всего' and 'СНГ' rows.
BELSTAT = [
    "Внешняя торговля Республики Беларусь товарами, тыс. долл. США",
    "",
    "Поток;Страна;Код ТН ВЭД;2014;2015;2016 г.",
    "экспорт;Всего;;4\u00a0010,5;3 200;2 600,25",
    "экспорт;СНГ;;3\u00a0010,5;2 200;2 600,25",
    "экспорт;Казахстан;8701;2\u00a0000,5;1 500;-",
    "экспорт;Казахстан;0402;1 000;700;2 100,25",
    "экспорт;Россия;0402;10;-;500",
    "экспорт;Китай;8701;1\u00a0000;1 000;-",
    "импорт;Казахстан;2709;300,5;250;200",
    "импорт;Россия;2709;5 000;4 000;3 000",
]

#: The same flows as Comtrade API records of reporter Belarus (H4 = HS12), in USD.
COMTRADE_SAME = [
    rec("X", KAZ, "8701", 2_000_500.0, refYear=2014, period="2014"),
    rec("X", KAZ, "8701", 1_500_000.0, refYear=2015, period="2015"),
    rec("X", KAZ, "0402", 1_000_000.0, refYear=2014, period="2014"),
    rec("X", KAZ, "0402", 700_000.0, refYear=2015, period="2015"),
    rec("X", KAZ, "0402", 2_100_250.0, refYear=2016, period="2016"),
    rec("X", RUS, "0402", 10_000.0, refYear=2014, period="2014"),
    rec("X", RUS, "0402", 500_000.0, refYear=2016, period="2016"),
    rec("X", CHN, "8701", 1_000_000.0, refYear=2014, period="2014"),
    rec("X", CHN, "8701", 1_000_000.0, refYear=2015, period="2015"),
    rec("M", KAZ, "2709", 300_500.0, refYear=2014, period="2014"),
    rec("M", KAZ, "2709", 250_000.0, refYear=2015, period="2015"),
    rec("M", KAZ, "2709", 200_000.0, refYear=2016, period="2016"),
    rec("M", RUS, "2709", 5_000_000.0, refYear=2014, period="2014"),
    rec("M", RUS, "2709", 4_000_000.0, refYear=2015, period="2015"),
    rec("M", RUS, "2709", 3_000_000.0, refYear=2016, period="2016"),
]
# The table's 'Всего' row (partner WLD) has no counterpart here: analyses leave aggregates out,
# so the numbers must agree without it. (A Comtrade file mixing World TOTAL rows with HS rows
# records the classification 'HS12,TOTAL', which structure() cannot read yet.)


# --- numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234\u00a0567,25", Decimal("1234567.25")),
        ("1\u202f234", Decimal("1234")),
        ("1,234.5", Decimal("1234.5")),
        ("1.234,5", Decimal("1234.5")),
        ("-12,5", Decimal("-12.5")),
        ("\u221212,5", Decimal("-12.5")),
        ("0", Decimal("0")),
        (2015.5, Decimal("2015.5")),
        (7, Decimal("7")),
    ],
)
def test_numbers_as_offices_write_them(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", " ", "-", "–", "—", "…", "x", "х", None])
def test_missing_is_none_not_zero(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "12 кг", "1,2,3.4.5", "1)", True])
def test_bad_numbers_raise(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_single_comma_is_decimal_unless_the_mapping_says_dot():
    assert parse_number("1,234") == Decimal("1.234")
    assert parse_number("1,234", decimal=".") == Decimal("1234")


def _russian(value: Decimal, sep: str, minus: str) -> str:
    sign, digits = ("-" if value < 0 else ""), f"{abs(value):.2f}"
    whole, frac = digits.split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return (minus if sign else "") + sep.join(groups) + "," + frac


@settings(max_examples=300, deadline=None)
@given(
    cents=st.integers(min_value=-(10**15), max_value=10**15),
    sep=st.sampled_from([" ", "\u00a0", "\u202f", ""]),
    minus=st.sampled_from(["-", "\u2212"]),
)
def test_property_russian_numbers_parse_back_exactly(cents, sep, minus):
    value = Decimal(cents) / 100
    assert parse_number(_russian(value, sep, minus)) == value


# --- wide -> long ---------------------------------------------------------------------------------
PARTNERS = ["Казахстан", "Россия", "Китай", "Германия", "Польша"]


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)), min_size=3, max_size=3
        ),
        min_size=1,
        max_size=5,
    )
)
def test_property_wide_to_long_preserves_sums(tmp_path_factory, cells):
    d = tmp_path_factory.mktemp("wide")
    lines = ["Страна;2014;2015;2016"]
    for name, row in zip(PARTNERS, cells, strict=False):
        texts = ["-" if c is None else _russian(Decimal(c) / 100, "\u00a0", "-") for c in row]
        lines.append(";".join([name, *texts]))
    path = write_csv(d / "t.csv", lines)
    m = table.load_mapping(
        {
            "name": "t",
            "reporter": "BLR",
            "flow": "exports",
            "unit": "thousand_usd",
            "partner": "Страна",
            "wide": {"columns": "years"},
        }
    )
    reading = table.read_table(table.read_grid(path, m), m)
    rows = pd.DataFrame([c.row for c in reading.cells if c.row is not None])
    n = min(len(cells), len(PARTNERS))
    for j, year in enumerate((2014, 2015, 2016)):
        expected = sum(Decimal(r[j]) / 100 * 1000 for r in cells[:n] if r[j] is not None)
        got = rows[rows.year == year].value_usd.sum() if len(rows) else 0.0
        assert got == pytest.approx(float(expected), rel=1e-12, abs=1e-6)
    missing = sum(1 for r in cells[:n] for c in r if c is None)
    assert reading.missing == missing
    assert len(reading.cells) == 3 * n - missing


# --- ingest: counting, quarantine, aggregates ---------------------------------------------------
def test_counting_identity_with_bad_cells(tmp_path):
    path = write_csv(
        tmp_path / "blr.csv",
        [
            "Экспорт, тыс. долл. США",
            "",
            "Страна;Код ТН ВЭД;2015;2016 г.",
            "Всего;;1\u00a0500,0;2 000,5",  # 2 cells -> WLD TOTAL
            "Казахстан;8701;1\u00a0000,0;1 500,5",  # 2 loaded
            "Россия;0402;500;-",  # 1 loaded, 1 missing
            "СНГ;;1500;2000,5",  # 2 quarantined: aggregate_partner
            "Атлантида;8701;1;2",  # 2 quarantined: unknown_country
            "Китай;8701;x;abc",  # x missing, 'abc' quarantined: bad_value
        ],
    )
    mapping = write_yaml(
        tmp_path / "m.yaml",
        "name: belstat\nreporter: BLR\nflow: exports\nheader_row: 3\nunit: thousand_usd\n"
        "partner: Страна\nproduct: Код ТН ВЭД\nclassification: HS12\nwide: {columns: years}\n",
    )
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert result.source == "table-blr-belstat"
    # read 10 = loaded 5 (2 WLD + 2 KAZ + 1 RUS) + rejected 5; missing 2 ('-' and 'x')
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (10, 5, 5)
    assert result.rejected_by_reason == {
        "aggregate_partner": 2,
        "bad_value": 1,
        "unknown_country": 2,
    }
    assert "2 cells missing" in result.message
    rej = store.rejected("table-blr-belstat")
    bad = rej[rej.code == "bad_value"].iloc[0]
    assert (bad.line, bad.field, bad.year) == (9, "column 4 ('2016 г.')", 2016)
    assert "abc" in bad.reason
    assert set(rej[rej.code == "unknown_country"].line) == {8}
    flows = store.flows("table-blr-belstat").to_pandas()
    kaz = flows[(flows.importer == "KAZ")].sort_values("year")
    assert kaz.value_usd.tolist() == [1_000_000.0, 1_500_500.0]
    assert kaz.declared_by.unique().tolist() == ["exporter"]
    assert kaz["product"].tolist() == ["8701", "8701"]
    rus = flows[flows.importer == "RUS"].sort_values("year")
    assert rus["product"].tolist() == ["0402", "TOTAL"]  # leading zero kept
    # Russia 2016 and China 2015 are missing ('-', 'x'): one row of unknown value each, so that
    # the profile says missing, not zero (China 2016 is a bad value, quarantined: not missing).
    assert rus.value_usd.isna().tolist() == [False, True]
    chn = flows[flows.importer == "CHN"]
    assert chn[["year", "product"]].values.tolist() == [[2015, "TOTAL"]]
    assert chn.value_usd.isna().all()
    assert "2 flows missing" in result.message
    summary = Pair(store, "BLR", "RUS", perspective="exporter").summary().to_frame()
    assert summary.exports_usd[0] == 500_000.0 and pd.isna(summary.exports_usd[1])
    assert pd.isna(summary.exports_growth[1])  # not -100 %, 'stopped'
    # Re-ingesting the same file with the same mapping changes nothing.
    again = sr.ingest(store, "table", path, mapping=mapping)
    assert again.noop


def test_aggregates_never_counted_twice(tmp_path):
    """'Всего' equals the sum of the countries and 'СНГ' a part of it: a naive sum of the
    partner column would give 3 × 3 000 (Всего + СНГ + countries); Belarus's total must be
    3 000 thousand USD (1 000 + 2 000)."""
    path = write_csv(
        tmp_path / "t.csv",
        ["Страна;2015", "Всего;3 000", "СНГ;3 000", "Казахстан;1 000", "Россия;2 000"],
        encoding="utf-8-sig",
    )
    mapping = {
        "name": "t",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "wide": {"columns": "years"},
    }
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    flows = store.flows().to_pandas()
    assert flows.value_usd.sum() == 6_000_000.0  # WLD 3 000 + KAZ 1 000 + RUS 2 000 (thousand)
    wld = flows[flows.importer == "WLD"]
    assert wld.value_usd.tolist() == [3_000_000.0]
    assert is_aggregate("WLD")
    prof = Pair(store, "BLR", "KAZ", perspective="exporter").profile().to_frame()
    assert prof.exports_usd.tolist() == [1_000_000.0]  # not 3 000 000 (WLD) nor 9 000 000
    rus = Pair(store, "BLR", "RUS", perspective="exporter").profile().to_frame()
    assert rus.exports_usd.tolist() == [2_000_000.0]
    # A table of exports only does not hold Belarus's total trade: its imports, the total and
    # the shares among partners are unknown (analytics/unknown.py), not exports over exports.
    assert prof.imports_usd.isna().all() and prof.a_trade_total_usd.isna().all()
    assert prof.partner_share_of_a.isna().all()


def test_national_table_round_trip_matches_canonical_rows(tmp_path):
    path = write_csv(tmp_path / "belstat.csv", BELSTAT)
    # The publication's '-' means nil here, as in the Comtrade records (which omit those flows).
    mapping = write_yaml(tmp_path / "belstat.yaml", WIDE_MAPPING + "missing_as_zero: true\n")
    table_store = sr.open(tmp_path / "table_home")
    result = sr.ingest(table_store, "table", path, mapping=mapping)
    # 8 data rows × 3 years = 24 cells, 3 of them '-': read 21; loaded 3 WLD (Всего) + 15
    # partner-product flows (the 15 Comtrade records below); rejected: the 3 'СНГ' cells.
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (21, 18, 3)
    assert result.rejected_by_reason == {"aggregate_partner": 3}
    comtrade_store = sr.open(tmp_path / "comtrade_home")
    sr.ingest(comtrade_store, "comtrade", write_json(tmp_path / "blr.json", COMTRADE_SAME))

    a = Pair(table_store, "BLR", "KAZ", perspective="exporter")
    b = Pair(comtrade_store, "BLR", "KAZ", perspective="exporter")
    assert a.source == "table-blr-belstat" and b.source == "comtrade-blr"
    pa_, pb = a.profile().to_frame(), b.profile().to_frame()
    pd.testing.assert_frame_equal(pa_, pb)
    # By hand: BLR->KAZ 2014 = 2 000,5 + 1 000 = 3 000,5 thousand; KAZ->BLR 300,5 thousand.
    assert pa_.exports_usd.tolist() == [3_000_500.0, 2_200_000.0, 2_100_250.0]
    assert pa_.imports_usd.tolist() == [300_500.0, 250_000.0, 200_000.0]
    # Belarus's exports 2014 to all partners: 3 000,5 + 10 + 1 000 = 4 010,5 (= 'Всего').
    assert pa_.a_trade_total_usd.iloc[0] == 4_010_500.0 + 300_500.0 + 5_000_000.0
    for year in (2014, 2015, 2016):
        for level in ("hs2", "hs4"):
            sa = a.structure(year, direction="exports", level=level).to_frame()
            sb = b.structure(year, direction="exports", level=level).to_frame()
            pd.testing.assert_frame_equal(sa, sb)
    s14 = a.structure(2014, direction="exports", level="hs4").to_frame()
    assert dict(zip(s14.code, s14.value_usd, strict=True)) == {
        "8701": 2_000_500.0,
        "0402": 1_000_000.0,
    }


def test_xlsx_long_table_with_sheet_and_header_row(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "kaz.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Титул").write(0, 0, "Бюро национальной статистики")
    ws = wb.add_worksheet("Данные")
    ws.write_row(0, 0, ["Экспорт Казахстана, млн долл. США"])
    ws.write_row(1, 0, ["Год", "Направление", "Партнёр", "Стоимость"])
    ws.write_row(2, 0, [2015, "экспорт", "Беларусь", 1.5])  # numeric cell: 1.5 million
    ws.write_row(3, 0, ["2015", "Импорт", "Belarus", "2,25"])  # text cell, decimal comma
    ws.write_row(4, 0, [2015, "экспорт", "Russia", "n.a."])  # bad value -> quarantine
    ws.write_row(5, 0, [2015, "транзит", "Россия", 3])  # bad flow -> quarantine
    ws.write_row(6, 0, [2016, "экспорт", "Весь мир", 10])  # world total -> WLD
    wb.close()
    mapping = {
        "name": "bns",
        "reporter": "Казахстан",
        "sheet": "Данные",
        "header_row": 2,
        "unit": "million_usd",
        "flow": {"column": "Направление"},
        "partner": "Партнёр",
        "year": "Год",
        "value": "Стоимость",
    }
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert result.source == "table-kaz-bns"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 3, 2)
    rej = store.rejected("table-kaz-bns").sort_values("line")
    assert rej.field.tolist() == ["Данные!D5 ('Стоимость')", "Данные!B6 ('Направление')"]
    assert rej.code.tolist() == ["bad_value", "bad_flow"]
    flows = store.flows().to_pandas().sort_values(["year", "exporter"])
    got = list(zip(flows.exporter, flows.importer, flows.declared_by, flows.value_usd, strict=True))
    assert got == [
        ("BLR", "KAZ", "importer", 2_250_000.0),
        ("KAZ", "BLR", "exporter", 1_500_000.0),
        ("KAZ", "WLD", "exporter", 10_000_000.0),
    ]
    assert set(flows["product"]) == {"TOTAL"}


def test_header_not_matching_the_mapping_names_file_row_and_columns(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["Заголовок", "Страна;2015", "Казахстан;1"])
    mapping = {
        "name": "t",
        "reporter": "BLR",
        "flow": "exports",
        "header_row": 2,
        "partner": "Партнёр",
        "wide": {"columns": "years"},
    }
    with pytest.raises(FormatError) as err:
        sr.ingest(sr.open(tmp_path / "home"), "table", path, mapping=mapping)
    msg = str(err.value)
    assert "t.csv" in msg and "line 2" in msg and "'Партнёр'" in msg and "'Страна'" in msg


def test_bad_mapping_and_missing_mapping(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["Страна;2015", "Казахстан;1"])
    with pytest.raises(InputError, match="mapping"):
        sr.ingest(sr.open(tmp_path / "home"), "table", path)
    with pytest.raises(InputError, match="unit"):
        table.load_mapping(
            {"name": "t", "reporter": "BLR", "flow": "exports", "partner": "x", "unit": "rub"}
        )


def test_basket_names_as_products(tmp_path):
    mapping = {
        "name": "t",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "product": "Группа товаров",
        "classification": "HS12",
        "products": {"baskets": str(example_baskets_path())},
        "wide": {"columns": "years"},
    }
    path = write_csv(
        tmp_path / "t.csv",
        [
            "Страна;Группа товаров;2015",
            "Казахстан;Тракторы и седельные тягачи;10",
            "Казахстан;dairy;5",
            "Казахстан;Сыр;1",
        ],
    )
    m = table.load_mapping(mapping)
    reading = table.read_table(table.read_grid(path, m), m)
    rows = [c.row for c in reading.cells if c.row]
    baskets = m.baskets.assign(pd.Series([r["product"] for r in rows])).tolist()
    assert baskets == ["tractors", "dairy"]
    assert [c.code for c in reading.cells if c.row is None] == ["unknown_basket"]


@pytest.mark.parametrize("name", ["belstat_wide_years.yaml", "long_table.yaml"])
def test_shipped_mappings_load(name):
    m = table.load_mapping(MAPPINGS / name)
    assert m.reporter in ("BLR", "KAZ")


def test_cli_mapping_check_and_ingest_table(tmp_path):
    import json

    from typer.testing import CliRunner

    from silkroad.cli import app

    path = write_csv(tmp_path / "belstat.csv", BELSTAT)
    mapping = write_yaml(tmp_path / "belstat.yaml", WIDE_MAPPING)
    runner = CliRunner()
    res = runner.invoke(app, ["mapping-check", str(path), "--mapping", str(mapping), "--rows", "2"])
    assert res.exit_code == 0, res.output
    assert "table-blr-belstat" in res.output and "aggregate_partner" in res.output
    res = runner.invoke(
        app, ["mapping-check", str(path), "--mapping", str(mapping), "--rows", "3", "--json"]
    )
    doc = json.loads(res.output)
    # rows 1-3: Всего (3 cells), СНГ (3, rejected), Казахстан 8701 (2 + one '-')
    assert (doc["cells_read"], doc["cells_loaded"], doc["cells_rejected"]) == (8, 5, 3)
    assert doc["cells_missing"] == 1 and doc["encoding"] == "cp1251"
    home = tmp_path / "home"
    res = runner.invoke(
        app, ["ingest", "table", str(path), "--mapping", str(mapping), "--home", str(home)]
    )
    assert res.exit_code == 0, res.output
    assert "rows read 21  loaded 18  rejected 3" in res.output


def test_tnved_codes_and_product_totals_beside_detail(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        [
            "Страна;Код ТН ВЭД;2017",
            "Казахстан;8701201000;10",
            "Казахстан;0402109100;5",
            "Казахстан;0402;5",  # heading 0402 = its detail 0402109100: quarantined
        ],
    )
    mapping = {
        "name": "tn",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "product": "Код ТН ВЭД",
        "classification": "TNVED",
        "wide": {"columns": "years"},
    }
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert result.rejected_by_reason == {"aggregate_product": 1}
    assert result.record.classification == "HS17"  # TN VED of 2017 follows HS 2017
    s = Pair(store, "BLR", "KAZ", perspective="exporter").structure(2017, level="hs6").to_frame()
    assert dict(zip(s.code, s.value_usd, strict=True)) == {"870120": 10_000.0, "040210": 5_000.0}


def test_partner_total_beside_a_few_products_keeps_the_rest_not_broken_down(tmp_path):
    """A statistics office lists Kazakhstan's total and its two main products only.

    Kazakhstan 2017: total 100,0 thousand; 8701 = 30,0 and 2709 = 20,0: 50 000 USD not broken
    down. Russia 2017: total 10,0 beside 3,3 + 3,3 + 3,3 = 9,9: the 100 USD gap is within the
    rounding of four figures written to 0,1 thousand (4 x 50 USD), so the total is an aggregate.
    """
    path = write_csv(
        tmp_path / "t.csv",
        [
            "Страна;Код ТН ВЭД;2017",
            "Казахстан;Всего;100,0",
            "Казахстан;8701;30,0",
            "Казахстан;2709;20,0",
            "Россия;;10,0",
            "Россия;01;3,3",
            "Россия;02;3,3",
            "Россия;03;3,3",
        ],
    )
    mapping = {
        "name": "few",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "product": "Код ТН ВЭД",
        "classification": "HS12",
        "wide": {"columns": "years"},
    }
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 6, 1)
    assert result.rejected_by_reason == {"aggregate_product": 1}
    assert "1 total larger than its product detail kept" in result.message
    kaz = Pair(store, "BLR", "KAZ", perspective="exporter")
    assert kaz.summary().to_frame().exports_usd.tolist() == [100_000.0]
    s = kaz.structure(2017, level="hs4").to_frame().set_index("code")
    assert s.value_usd.to_dict() == {"TOTAL": 50_000.0, "8701": 30_000.0, "2709": 20_000.0}
    assert s.share.to_dict() == {"TOTAL": 0.5, "8701": 0.3, "2709": 0.2}
    rus = Pair(store, "BLR", "RUS", perspective="exporter")
    assert rus.summary().to_frame().exports_usd.tolist() == [
        9_900.0
    ]  # the detail, each dollar once
    q = store.rejected("table-blr-few")
    assert q.line.tolist() == [5] and "equals the sum of its 3 finer codes" in q.reason[0]


def test_wide_by_month(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        ["Страна;Январь;Февраль;Март", "Россия;1,5;-;2", "Казахстан;0,25;0,5;0,75"],
        encoding="utf-8",
    )
    mapping = {
        "name": "m",
        "reporter": "BLR",
        "flow": "imports",
        "unit": "million_usd",
        "partner": "Страна",
        "wide": {"columns": "months", "year": 2023},
    }
    m = table.load_mapping(mapping)
    reading = table.read_table(table.read_grid(path, m), m)
    rows = [
        (r["exporter"], r["importer"], r["year"], r["month"], r["value_usd"], r["declared_by"])
        for r in (c.row for c in reading.cells)
        if r
    ]
    assert rows == [
        ("RUS", "BLR", 2023, 1, 1_500_000.0, "importer"),
        ("RUS", "BLR", 2023, 3, 2_000_000.0, "importer"),
        ("KAZ", "BLR", 2023, 1, 250_000.0, "importer"),
        ("KAZ", "BLR", 2023, 2, 500_000.0, "importer"),
        ("KAZ", "BLR", 2023, 3, 750_000.0, "importer"),
    ]
    assert reading.missing == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Российская Федерация", "RUS"),
        ("Республика Латвия", "LVA"),
        ("Тайвань (Китай)", "TWN"),
        ("Королевство Нидерландов", "NLD"),
        ("Федеративная Республика Германия", "DEU"),
        ("Соединённое Королевство", "GBR"),
        ("Соединенные Штаты Америки 1)", "USA"),
        ("Исламская Республика Иран", "IRN"),
        ("Россия 1)", "RUS"),
        ("Узбекистан*", "UZB"),
        ("398", "KAZ"),
        ("Germany", "DEU"),
        ("Всего", "WLD"),
        ("Итого", "WLD"),
        ("World", "WLD"),
    ],
)
def test_partner_names(name, expected):
    m = table.load_mapping(
        {
            "name": "x",
            "reporter": "BLR",
            "flow": "exports",
            "partner": "p",
            "value": "v",
            "year": 2015,
        }
    )
    assert table.Resolver(m).partner(name) == expected


@pytest.mark.parametrize(
    "name",
    ["СНГ", "ЕАЭС", "Страны СНГ", "страны вне СНГ", "Страны ЕС", "Азия", "Остальные страны мира"],
)
def test_regional_aggregates_are_rejected(name):
    m = table.load_mapping(
        {
            "name": "x",
            "reporter": "BLR",
            "flow": "exports",
            "partner": "p",
            "value": "v",
            "year": 2015,
        }
    )
    with pytest.raises(Exception) as err:
        table.Resolver(m).partner(name)
    assert err.value.code == "aggregate_partner"


@settings(max_examples=40, deadline=None)
@given(
    kinds=st.lists(
        st.lists(st.sampled_from(["good", "bad", "missing"]), min_size=2, max_size=2),
        min_size=1,
        max_size=5,
    )
)
def test_property_counting_identity_with_bad_cells(tmp_path_factory, kinds):
    """Each cell is a number, garbage or a dash: read = loaded + rejected, garbage rejected."""
    text = {"good": "1\u00a0000,5", "bad": "12 кг", "missing": "-"}
    lines = ["Страна;2015;2016"]
    lines += [
        ";".join([p, *(text[k] for k in row)]) for p, row in zip(PARTNERS, kinds, strict=False)
    ]
    path = write_csv(tmp_path_factory.mktemp("count") / "t.csv", lines)
    m = table.load_mapping(
        {"name": "t", "reporter": "BLR", "flow": "exports", "partner": "Страна", "wide": "years"}
    )
    reading = table.read_table(table.read_grid(path, m), m)
    used = [k for row in kinds[: len(PARTNERS)] for k in row]
    loaded = [c for c in reading.cells if c.row is not None]
    rejected = [c for c in reading.cells if c.row is None]
    assert len(reading.cells) == len(loaded) + len(rejected)
    assert len(loaded) == used.count("good")
    assert len(rejected) == used.count("bad")
    assert {c.code for c in rejected} <= {"bad_value"}
    assert reading.missing == used.count("missing")


def test_cli_mapping_check_shows_the_top_rows_when_the_header_is_wrong(tmp_path):
    from typer.testing import CliRunner

    from silkroad.cli import app

    path = write_csv(tmp_path / "belstat.csv", BELSTAT)
    mapping = write_yaml(
        tmp_path / "m.yaml", WIDE_MAPPING.replace("header_row: 3", "header_row: 2")
    )
    res = CliRunner().invoke(app, ["mapping-check", str(path), "--mapping", str(mapping)])
    assert res.exit_code != 0 and isinstance(res.exception, FormatError)
    assert "   3: Поток | Страна | Код ТН ВЭД | 2014 | 2015 | 2016 г." in res.output


def test_mirror_across_sources_national_table_vs_comtrade(tmp_path):
    """Belarus's side from its national table, Kazakhstan's from Comtrade: the mirror of
    tests/test_mirror.py (importer = exporter × 1.06, harvester parts missing on KAZ's side)."""
    from test_comtrade import BLR

    path = write_csv(
        tmp_path / "blr.csv",
        [
            "Поток;Страна;Код;2016",
            "экспорт;Казахстан;870120;1,0",  # 1 000 USD
            "экспорт;Казахстан;040210;0,2",  # 200 USD
            "экспорт;Казахстан;843390;0,05",  # 50 USD
            "импорт;Казахстан;270900;0,53",  # 530 USD
        ],
    )
    mapping = {
        "name": "belstat",
        "reporter": "BLR",
        "flow": {"column": "Поток"},
        "unit": "thousand_usd",
        "partner": "Страна",
        "product": "Код",
        "classification": "HS12",
        "wide": {"columns": "years"},
    }
    kaz = [
        rec("M", BLR, "870120", 1060.0, reporterCode=KAZ),
        rec("M", BLR, "040210", 212.0, reporterCode=KAZ),
        rec("X", BLR, "270900", 500.0, reporterCode=KAZ),
    ]
    store = sr.open(tmp_path / "home")
    sr.ingest(store, "table", path, mapping=mapping)
    sr.ingest(store, "comtrade", write_json(tmp_path / "kaz.json", kaz))
    result = Pair(store, "BLR", "KAZ").mirror(2016, level="hs6", top=None)
    ex = result["exports"].set_index("code")
    assert ex.loc["870120", "exporter_declared_usd"] == pytest.approx(1000.0)
    assert ex.loc["870120", "cif_fob_ratio"] == pytest.approx(1.06)
    assert "missing_importer_side" in ex.loc["843390", "flags"]
    s = result["summary"].set_index("direction")
    assert s.loc["exports", "exporter_declared_usd"] == pytest.approx(1250.0)
    assert s.loc["exports", "cif_fob_ratio_common"] == pytest.approx(1.06)
    assert s.loc["imports", "cif_fob_ratio_common"] == pytest.approx(1.06)
    assert result["metadata"]["sources_used"] == {
        "exports: declared by BLR": "table-blr-belstat",
        "exports: declared by KAZ": "comtrade-kaz",
        "imports: declared by KAZ": "comtrade-kaz",
        "imports: declared by BLR": "table-blr-belstat",
    }


def test_two_header_rows_with_merged_flow_cells_xlsx(tmp_path):
    """Belstat layout: 'Экспорт' / 'Импорт' / 'Сальдо' merged over their years (row 2), the years
    below (row 3). Balance columns name no flow and are not read."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "belstat.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Лист1")
    ws.write(0, 0, "Внешняя торговля товарами, тыс. долл. США")
    ws.write(1, 0, "Страна")
    ws.merge_range(1, 1, 1, 2, "Экспорт")
    ws.merge_range(1, 3, 1, 4, "Импорт")
    ws.merge_range(1, 5, 1, 6, "Сальдо")
    ws.write_row(2, 1, ["2015", "2016", "2015", "2016", "2015", "2016"])
    ws.write_row(3, 0, ["Казахстан", 1000, "1 100,5", 300, "-", 700, 1100.5])
    ws.write_row(4, 0, ["Всего", 1000, "1 100,5", 300, "-", 700, 1100.5])
    wb.close()
    mapping = {
        "name": "belstat",
        "reporter": "BLR",
        "flow": "header",
        "header_row": [2, 3],
        "unit": "thousand_usd",
        "partner": "Страна",
        "wide": {"columns": "years"},
    }
    m = table.load_mapping(mapping)
    reading = table.read_table(table.read_grid(path, m), m)
    assert [vc[1] for vc in reading.value_columns] == [
        "Экспорт 2015",
        "Экспорт 2016",
        "Импорт 2015",
        "Импорт 2016",
    ]
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    # 2 rows × 4 value cells, 2 of them '-': read 6, all loaded (KAZ and WLD)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 6, 0)
    prof = Pair(store, "BLR", "KAZ", perspective="exporter").profile().to_frame()
    assert prof.exports_usd.tolist() == [1_000_000.0, 1_100_500.0]
    # 2016 imports are '-': missing, not zero
    assert prof.imports_usd[0] == 300_000.0 and pd.isna(prof.imports_usd[1])
    assert pd.isna(prof.turnover_usd[1]) and pd.isna(prof.imports_growth[1])


def test_sheet_chosen_by_pattern(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "bns.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for year, value in ((2015, 7), (2016, 9)):
        ws = wb.add_worksheet(f"Экспорт {year}")
        ws.write_row(0, 0, ["Страна", str(year)])
        ws.write_row(1, 0, ["Беларусь", value])
    wb.close()
    base = {"name": "bns", "reporter": "KAZ", "flow": "exports", "partner": "Страна"}
    m = table.load_mapping(base | {"sheet": "*2016*", "wide": "years"})
    reading = table.read_table(table.read_grid(path, m), m)
    assert [(c.row["year"], c.row["value_usd"]) for c in reading.cells] == [(2016, 9.0)]
    assert reading.cells[0].field == "Экспорт 2016!B2 ('2016')"
    m = table.load_mapping(base | {"sheet": "Экспорт*", "wide": "years"})
    with pytest.raises(InputError, match="2 sheets match"):
        table.read_grid(path, m)


def test_shipped_belstat_mapping_reads_its_documented_layout(tmp_path):
    path = write_csv(
        tmp_path / "belstat.csv",
        [
            "Экспорт товаров Республики Беларусь, тыс. долл. США",
            "",
            "Страна;Код ТН ВЭД;2014;2015;2016 г.",
            "Всего;;4 010,5;3 200;2 600,25",
            "СНГ;;3 010,5;2 200;2 600,25",
            "Казахстан;8701;2 000,5;1 500;-",
        ],
    )
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=MAPPINGS / "belstat_wide_years.yaml")
    # 3 rows × 3 years, one '-': read 8 = WLD 3 + KAZ 2 loaded + СНГ 3 quarantined
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 5, 3)
    assert result.record.classification == "HS12"  # TN VED of 2014-2016 follows HS 2012
    prof = Pair(store, "BLR", "KAZ", perspective="exporter").profile().to_frame()
    # 2016: the source covers the year (its 'Всего' row) but BLR->KAZ is '-': missing, not 0.
    assert prof.exports_usd[:2].tolist() == [2_000_500.0, 1_500_000.0]
    assert pd.isna(prof.exports_usd[2])


def test_a_missing_year_is_unknown_in_profile_and_brief(tmp_path):
    """Kazakhstan 2016 is '-' (missing): the profile shows it unknown, not a -100 % fall; a brief
    of 2016 is refused; a brief of 2017 has no previous year to compare with, instead of one in
    which Belarus sold nothing."""
    path = write_csv(
        tmp_path / "t.csv",
        [
            "Страна;Код ТН ВЭД;2015;2016;2017",
            "Казахстан;8701;1 000;-;1 200",
            "Россия;8701;500;600;700",
        ],
    )
    mapping = {
        "name": "gap",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "product": "Код ТН ВЭД",
        "classification": "HS12",
        "wide": {"columns": "years"},
    }
    store = sr.open(tmp_path / "home")
    sr.ingest(store, "table", path, mapping=mapping)
    pair = Pair(store, "BLR", "KAZ", perspective="exporter")
    prof = pair.profile().to_frame()
    assert prof.exports_usd[0] == 1_000_000.0 and prof.exports_usd[2] == 1_200_000.0
    assert pd.isna(prof.exports_usd[1]) and pd.isna(prof.partner_share_of_a[1])
    assert prof.exports_note[1] != "stopped" and pd.isna(prof.exports_growth[2])
    # Russia's share of Belarus's 2016 exports: 600 of an unknown total is unknown (not 600/600)
    rus = Pair(store, "BLR", "RUS", perspective="exporter").profile().to_frame()
    assert rus.exports_usd[1] == 600_000.0 and pd.isna(rus.partner_share_of_a[1])
    # A table of exports only: Belarus's total trade is unknown every year (analytics/unknown.py)
    assert pd.isna(rus.partner_share_of_a[0]) and pd.isna(rus.a_trade_total_usd[1])
    # Structure, movers and prices give the missing year no rows and NaN totals with the reason
    # (analytics/unknown.py), and compare 2017 with nothing.
    s16 = pair.structure(2016)
    assert s16.to_frame().empty and pd.isna(s16.metadata["total_usd"])
    assert "exports with KAZ in 2016 are declared missing" in s16.metadata["unknown"][0]["reason"]
    s17 = pair.structure(2017).to_frame().set_index("code")
    assert s17.loc["87", "value_usd"] == 1_200_000.0 and pd.isna(s17.loc["87", "prev_value_usd"])
    assert s17.loc["87", "note"] == ""  # not 'new'
    for what, name in ((pair.movers, "margins"), (pair.prices, "summary")):
        result = what(2017)
        assert pd.isna(result[name].change_usd.iloc[0])
        assert "in 2016 are declared missing" in result["metadata"]["unknown"][0]["reason"]
    # With missing_as_zero the same table says Belarus sold Kazakhstan nothing in 2016.
    zero = sr.open(tmp_path / "zero")
    sr.ingest(zero, "table", path, mapping=mapping | {"missing_as_zero": True})
    z = Pair(zero, "BLR", "KAZ", perspective="exporter").profile().to_frame()
    assert z.exports_usd.tolist() == [1_000_000.0, 0.0, 1_200_000.0]
    assert z.exports_note[1] == "stopped"
    with pytest.raises(AnalysisError, match="exports with KAZ in 2016 are declared missing"):
        sr.brief(store, "BLR", "KAZ", year=2016, perspective="exporter")
    b = sr.brief(store, "BLR", "KAZ", year=2017, perspective="exporter")
    assert b.data.prev is None and b.data.movers is None
    text = b.render("md")
    assert "disappeared" not in text and "$1.2\u00a0million" in text
    assert "the source gives no figures for 2016" in text


# --- periods in tables wide by months: year to date, quarters, year totals ----------------------
@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("январь", (1, 1, False, "")),
        ("Январь 2023 г.", (1, 1, False, "")),
        ("сент.", (9, 9, False, "")),
        ("Jan", (1, 1, False, "")),
        ("январь–март", (1, 3, False, "")),  # was read as January before
        ("январь-март", (1, 3, False, "")),
        ("Январь - Март 2023", (1, 3, False, "")),
        ("Jan-Mar", (1, 3, False, "")),
        ("с января по март", (1, 3, False, "")),
        ("9 месяцев", (1, 9, False, "")),
        ("январь–декабрь", (1, 12, False, "")),
        ("I квартал", (1, 3, False, "quarter")),
        ("II кв.", (4, 6, False, "quarter")),
        ("Q4", (10, 12, False, "quarter")),
        ("2 полугодие", (7, 12, False, "half")),
        ("Итого за год", (1, 12, True, "")),
        ("Всего за 2023 год", (1, 12, True, "")),
        ("Год", (1, 12, True, "")),
        ("Total", (1, 12, True, "")),
        ("Примечание", None),
        ("март–январь", None),
        ("13", None),
    ],
)
def test_period_headers(header, span):
    import re

    from silkroad.sources.periods import period_span

    got = period_span(re.sub(r"(19|20)\d\d", "", header))
    assert (None if got is None else (got.first, got.last, got.total, got.part)) == span


MONTHS_RU = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]

#: Year to date, as offices publish running totals: 'январь', 'январь–февраль', ...,
#: 'январь–декабрь', and the year's total beside them.
CUMULATIVE = [
    "Страна;" + ";".join(["январь"] + [f"январь–{m}" for m in MONTHS_RU[1:]]) + ";Итого за год",
    # months by hand: 10; 15,5; 14,5; 12; 8; 15; 15; 10; 11,1; 18,9; 10; 10,5 (sum 150,5)
    "Россия;10;25,5;40;52;60;75;90;100;111,1;130;140;150,5;150,5",
    # January 1, February missing, March cannot be separated, April 1, May-November 0,
    # December 1; the year's 5 equals January-December
    "Казахстан;1;-;3;4;4;4;4;4;4;4;4;5;5",
]


def _months_mapping(**extra):
    return {
        "name": "m",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "wide": {"columns": "months", "year": 2023},
        **extra,
    }


def test_cumulative_table_is_de_cumulated(tmp_path):
    path = write_csv(tmp_path / "cum.csv", CUMULATIVE)
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=_months_mapping(cumulative=True))
    # 2 rows x 13 cells, 1 missing: read 25 = loaded 22 (RUS 12, KAZ 10) + rejected 3
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (25, 22, 3)
    assert result.rejected_by_reason == {"cumulative_gap": 1, "period_total": 2}
    flows = store.flows("table-blr-m").to_pandas()
    rus = flows[flows.importer == "RUS"].sort_values("month")
    assert rus.month.tolist() == list(range(1, 13))
    expected = [10, 15.5, 14.5, 12, 8, 15, 15, 10, 11.1, 18.9, 10, 10.5]
    assert rus.value_usd.tolist() == pytest.approx([v * 1000 for v in expected], abs=1e-6)
    # January-December of year to date is the year's total: 150,5 thousand
    assert rus.value_usd.sum() == pytest.approx(150_500.0, abs=1e-6)
    kaz = flows[flows.importer == "KAZ"].sort_values("month")
    assert kaz.month.tolist() == [1, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert kaz.value_usd.tolist() == [1000.0, 1000.0] + [0.0] * 7 + [1000.0]
    rej = store.rejected("table-blr-m")
    gap = rej[rej.code == "cumulative_gap"].iloc[0]
    assert (gap.line, gap.field) == (3, "column 4 ('январь–март')")
    assert "'январь–февраль' cell is missing" in gap.reason and "March" in gap.reason
    totals = rej[rej.code == "period_total"].sort_values("line")
    assert totals.field.tolist() == ["column 14 ('Итого за год')"] * 2
    assert all("equal to 'январь–декабрь'" in r for r in totals.reason)


def test_cumulative_columns_are_never_read_as_months_without_the_mapping_saying_so(tmp_path):
    path = write_csv(tmp_path / "cum.csv", CUMULATIVE)
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=_months_mapping())
    # Only 'январь' is one month: loaded 2; RUS 10 + KAZ 9 year-to-date cells quarantined;
    # 'январь–декабрь' and 'Итого за год' are the year's total (2 per row).
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (25, 2, 23)
    assert result.rejected_by_reason == {"cumulative_period": 19, "period_total": 4}
    flows = store.flows("table-blr-m").to_pandas()
    assert sorted(zip(flows.importer, flows.month, flows.value_usd, strict=True)) == [
        ("KAZ", 1, 1000.0),
        ("RUS", 1, 10_000.0),
    ]
    rej = store.rejected("table-blr-m")
    first = rej[rej.code == "cumulative_period"].sort_values(["line", "field"]).iloc[0]
    assert "year to date" in first.reason and "cumulative: true" in first.reason


#: Twelve months and the year's total; values in thousand USD.
WITH_YEAR = [
    "Страна;" + ";".join(MONTHS_RU) + ";I квартал;Итого за год",
    "Россия;" + ";".join(str(i) for i in range(1, 13)) + ";6;78",  # 1 + ... + 12 = 78
    "Казахстан;" + ";".join(["5"] * 12) + ";15;70",  # 12 x 5 = 60, not 70
    "Китай;1;1;-;" + ";".join(["1"] * 9) + ";2;11",  # March missing: not checked
    "Узбекистан;" + ";".join(["0,1"] * 12) + ";0,3;1,3",  # 1,2 printed as 1,3: rounding
]


def test_year_total_column_is_quarantined_and_checked(tmp_path):
    path = write_csv(tmp_path / "y.csv", WITH_YEAR)
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=_months_mapping())
    # 4 rows x 14 cells, 1 missing: read 55 = loaded 12 + 12 + 11 + 12 + rejected 8
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (55, 47, 8)
    assert result.rejected_by_reason == {"period_total": 4, "quarter_period": 4}
    flows = store.flows("table-blr-m").to_pandas()
    by = flows.groupby("importer").value_usd.sum()
    # The loaded total is the months' sum, never months + quarter + year.
    assert by.to_dict() == pytest.approx(
        {"RUS": 78_000.0, "KAZ": 60_000.0, "CHN": 11_000.0, "UZB": 1_200.0}
    )
    assert flows.value_usd.sum() == pytest.approx(150_200.0)
    rej = store.rejected("table-blr-m")
    year = rej[rej.code == "period_total"].set_index("line").reason
    assert "equal to the sum of the 12 months (78)" in year[2]
    assert "DIFFERS" in year[3] and "(60)" in year[3] and "by 10" in year[3]
    assert "11 of its 12 month cells" in year[4] and "DIFFERS" not in year[4]
    assert "equal to the sum of the 12 months (1.2)" in year[5]  # within rounding
    quarter = rej[rej.code == "quarter_period"].iloc[0]
    assert quarter.field == "column 14 ('I квартал')" and "quarter" in quarter.reason


def test_cli_mapping_check_shows_period_columns(tmp_path):
    import json

    import yaml
    from typer.testing import CliRunner

    from silkroad.cli import app

    path = write_csv(tmp_path / "y.csv", WITH_YEAR)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump(_months_mapping(), allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["mapping-check", str(path), "--mapping", str(mapping)])
    assert res.exit_code == 0, res.output
    assert "Итого за год" in res.output and "period_total" in res.output
    assert "quarter_period" in res.output
    res = runner.invoke(app, ["mapping-check", str(path), "--mapping", str(mapping), "--json"])
    doc = json.loads(res.output)
    columns = {c["header"]: c["read_as"] for c in doc["columns"]}
    assert columns["январь"] == "2023-01"
    assert columns["Итого за год"].startswith("quarantined: period_total")
    assert columns["I квартал"].startswith("quarantined: quarter_period")
    assert columns["Страна"] == "partner"


def test_cumulative_needs_a_table_wide_by_months():
    with pytest.raises(InputError, match="cumulative"):
        table.load_mapping({**_months_mapping(), "wide": {"columns": "years"}, "cumulative": True})
    with pytest.raises(InputError, match="cumulative"):
        table.load_mapping(_months_mapping(cumulative="yes"))


# --- legacy XLS -----------------------------------------------------------------------------------
def test_xls_russian_table_through_calamine(tmp_path):
    """A legacy .xls (BIFF8, Windows-1251 code page) written by xlwt, a test-only dependency;
    read by python-calamine: a title, the header on row 3, long official partner names, numbers
    as numeric cells and as text with NBSP thousands and a decimal comma."""
    xlwt = pytest.importorskip("xlwt", reason="xlwt (the test extra) writes the .xls")
    path = tmp_path / "kaz_2023.xls"
    wb = xlwt.Workbook(encoding="cp1251")
    wb.add_sheet("Титул").write(0, 0, "Бюро национальной статистики")
    ws = wb.add_sheet("Экспорт 2023")
    ws.write(0, 0, "Экспорт Республики Казахстан, тыс. долл. США")
    rows = [
        ["Страна", "январь", "февраль", "март", "I квартал"],
        ["Всего", 3000.5, "2\u00a0000,25", 1000, 6000.75],
        ["Королевство Нидерландов", 1000.5, "1 000,25", "-", "2 000,75"],
        ["Соединённые Штаты Америки", 2000, 1000, 1000, 4000],
        ["Страны ЕАЭС", 1, 1, 1, 3],
    ]
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values):
            ws.write(r, c, v)
    wb.save(str(path))
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # OLE2: a real .xls, not XLSX
    mapping = {
        "name": "bns",
        "reporter": "KAZ",
        "flow": "exports",
        "sheet": "*2023*",
        "header_row": 3,
        "unit": "thousand_usd",
        "partner": "Страна",
        "wide": {"columns": "months", "year": 2023},
    }
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    # 4 rows x 4 cells, 1 missing: read 15; loaded WLD 3 + NLD 2 + USA 3 = 8; rejected the
    # 4 'I квартал' cells and the 3 'Страны ЕАЭС' month cells
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (15, 8, 7)
    assert result.rejected_by_reason == {"aggregate_partner": 3, "quarter_period": 4}
    flows = store.flows("table-kaz-bns").to_pandas()
    # the Netherlands' missing March is kept as one row of unknown value (not zero)
    unknown = flows[flows.value_usd.isna()]
    assert unknown[["importer", "month"]].values.tolist() == [["NLD", 3]]
    flows = flows[flows.value_usd.notna()]
    got = {(r.importer, r.month): r.value_usd for r in flows.itertuples()}
    assert got == pytest.approx(
        {
            ("WLD", 1): 3_000_500.0,
            ("WLD", 2): 2_000_250.0,
            ("WLD", 3): 1_000_000.0,
            ("NLD", 1): 1_000_500.0,
            ("NLD", 2): 1_000_250.0,
            ("USA", 1): 2_000_000.0,
            ("USA", 2): 1_000_000.0,
            ("USA", 3): 1_000_000.0,
        }
    )
    rej = store.rejected("table-kaz-bns")
    quarter = set(rej.field[rej.code == "quarter_period"])
    assert quarter == {f"Экспорт 2023!E{row} ('I квартал')" for row in range(4, 8)}


def test_missing_month_and_missing_year_are_unknown(tmp_path):
    """February '-': the 2016 total of the months is unknown, not 100 + 300 = 400 thousand;
    a year whose every cell is '-' is still held (unknown), not dropped from the store."""
    path = write_csv(
        tmp_path / "m.csv",
        ["Страна;Январь;Февраль;Март", "Казахстан;100;-;300", "Россия;10;20;30"],
    )
    mapping = {
        "name": "months",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "wide": {"columns": "months", "year": 2016},
    }
    store = sr.open(tmp_path / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 5, 0)
    assert "1 flow missing entirely" in result.message
    kaz = Pair(store, "BLR", "KAZ", perspective="exporter").summary().to_frame()
    assert pd.isna(kaz.exports_usd[0])
    rus = Pair(store, "BLR", "RUS", perspective="exporter").profile().to_frame()
    assert rus.exports_usd[0] == 60_000.0 and pd.isna(rus.partner_share_of_a[0])

    years = write_csv(
        tmp_path / "y.csv",
        ["Страна;Код ТН ВЭД;2015;2016", "Казахстан;8701;1 000;-", "Россия;8701;500;-"],
    )
    ymap = {
        "name": "years",
        "reporter": "BLR",
        "flow": "exports",
        "unit": "thousand_usd",
        "partner": "Страна",
        "product": "Код ТН ВЭД",
        "classification": "HS12",
        "wide": {"columns": "years"},
    }
    result = sr.ingest(store, "table", years, mapping=ymap)
    assert "2 flows missing entirely" in result.message
    assert store.years("table-blr-years") == [2015, 2016]
    prof = (
        Pair(store, "BLR", "RUS", source="table-blr-years", perspective="exporter")
        .profile()
        .to_frame()
    )
    assert prof.exports_usd[0] == 500_000.0 and pd.isna(prof.exports_usd[1])
