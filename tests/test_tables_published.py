"""National tables as statistics offices publish them (issue 14, items 14-17): a fixed
partner, flows given by section rows, code groups in product cells, and a mapping that rejects
every cell. Every expected figure is worked out by hand from the rows written here."""

from __future__ import annotations

from pathlib import Path

import pytest

import silkroad as sr
from silkroad.errors import InputError, ReferenceDataError
from silkroad.sources import table


def write(tmp_path: Path, lines: list[str], mapping: str) -> tuple[Path, Path]:
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = tmp_path / "m.yaml"
    m.write_text(mapping, encoding="utf-8")
    return path, m


def flows(home: Path) -> list[tuple]:
    df = sr.open(home).flows().to_pandas()
    rows = zip(df.year, df.exporter, df.importer, df["product"], df.value_usd, strict=True)
    return sorted((int(y), e, i, p, v) for y, e, i, p, v in rows)


# --- 14. a fixed partner -----------------------------------------------------------------------
FIXED = "name: stat\nreporter: BLR\nflow: exports\nunit: usd\n{partner}\nproduct: Код\nclassification: HS12\nwide: {{columns: years}}\n"


@pytest.mark.parametrize("partner", ["partner: KAZ", "partner: {value: Казахстан}"])
def test_a_fixed_partner_for_the_whole_table(tmp_path, partner):
    path, m = write(
        tmp_path, ["Код;2015;2016", "8701;600;700", "0402;300;-"], FIXED.format(partner=partner)
    )
    home = tmp_path / "home"
    result = sr.ingest(sr.open(home), "table", path, mapping=m)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    assert flows(home) == [
        (2015, "BLR", "KAZ", "0402", 300.0),
        (2015, "BLR", "KAZ", "8701", 600.0),
        (2016, "BLR", "KAZ", "8701", 700.0),
    ]


def test_a_fixed_partner_must_be_an_economy_other_than_the_reporter(tmp_path):
    _, m = write(tmp_path, ["Код;2015"], FIXED.format(partner="partner: {value: Атлантида}"))
    with pytest.raises(
        ReferenceDataError, match=r"field 'partner': unknown partner; found 'Атлантида'"
    ):
        table.load_mapping(m)
    m.write_text(FIXED.format(partner="partner: BLR"), encoding="utf-8")
    with pytest.raises(InputError, match=r"field 'partner'.*other than the reporter"):
        table.load_mapping(m)


# --- 15. flows given by section rows -----------------------------------------------------------
SECTIONS = (
    "name: stat\nreporter: BLR\npartner: KAZ\nflow: sections\nunit: usd\n"
    "product: Код ТН ВЭД\nclassification: HS12\nwide: {columns: years}\n"
)
SECTION_ROWS = [
    "Наименование;Код ТН ВЭД;2015;2016",
    "Экспорт в Казахстан, всего;;1000;1200",  # 2015: 100 more than its detail; 2016: equal
    "Тракторы;8701;600;700",
    "Молоко;0402;300;500",
    "Импорт из Казахстана, всего;;800;900",  # 2015: equal to its detail; 2016: 50 more
    "Нефть;2709;800;850",
]


def test_section_rows_give_the_flow_and_their_total_is_checked_against_the_detail(tmp_path):
    path, m = write(tmp_path, SECTION_ROWS, SECTIONS)
    home = tmp_path / "home"
    result = sr.ingest(sr.open(home), "table", path, mapping=m)
    # 10 cells: the two totals equal to their detail are quarantined, the other two kept as
    # the residual their detail does not cover (product TOTAL)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (10, 8, 2)
    assert result.rejected_by_reason == {"aggregate_product": 2}
    assert flows(home) == [
        (2015, "BLR", "KAZ", "0402", 300.0),
        (2015, "BLR", "KAZ", "8701", 600.0),
        (2015, "BLR", "KAZ", "TOTAL", 100.0),  # 1000 - (600 + 300): not broken down
        (2015, "KAZ", "BLR", "2709", 800.0),
        (2016, "BLR", "KAZ", "0402", 500.0),
        (2016, "BLR", "KAZ", "8701", 700.0),
        (2016, "KAZ", "BLR", "2709", 850.0),
        (2016, "KAZ", "BLR", "TOTAL", 50.0),  # 900 - 850
    ]
    # each flow adds up to its section's total
    df = sr.open(home).flows().to_pandas()
    sums = df.groupby(["year", "exporter"]).value_usd.sum().to_dict()
    assert sums == {
        (2015, "BLR"): 1000.0,
        (2016, "BLR"): 1200.0,
        (2015, "KAZ"): 800.0,
        (2016, "KAZ"): 900.0,
    }
    # 2 years x (year file + pair totals + product totals) + the quarantine
    check = sr.open(home).check()
    assert (check.ok, check.files_checked) == (True, 7)


def test_rows_above_the_first_section_heading_are_rejected(tmp_path):
    path, m = write(tmp_path, [SECTION_ROWS[0], "Тракторы;8701;1;2", *SECTION_ROWS[1:]], SECTIONS)
    result = sr.ingest(sr.open(tmp_path / "home"), "table", path, mapping=m)
    assert result.rows_rejected == 2 + 2
    rej = sr.open(tmp_path / "home").rejected("table-blr-stat")
    assert sorted(rej[rej.code == "bad_flow"].line.astype(int)) == [2, 2]


# --- 17. a mapping that rejects every cell -----------------------------------------------------
TOTALS_AS_CODES = (
    "name: stat\nreporter: BLR\nflow: exports\nunit: usd\npartner: Страна\n"
    "product: Код\nclassification: HS12\nwide: {columns: years}\n"
)


def test_a_mapping_that_rejects_every_cell_is_refused(tmp_path, cli):
    # 'Код' holds names, not codes: every cell is bad_product
    lines = ["Страна;Код;2015;2016", "Казахстан;Тракторы;1;2", "Россия;Молоко;3;-"]
    path, m = write(tmp_path, lines, TOTALS_AS_CODES)
    home = tmp_path / "home"
    with pytest.raises(
        InputError, match=r"rejects every value cell \(3; most often bad_product, 3\)"
    ):
        sr.ingest(sr.open(home), "table", path, mapping=m)
    assert not (home / "catalog.json").exists()
    with pytest.raises(InputError, match=r"rejects every value cell"):
        table.check_mapping(path, m)
    proc = cli("ingest", "table", path, "--mapping", m, "--home", home)
    assert proc.returncode == 2
    assert "rejects every value cell" in proc.stderr + proc.stdout


def test_a_mapping_that_loads_some_cells_passes_the_check(tmp_path):
    lines = ["Страна;Код;2015", "Казахстан;8701;1", "Россия;Молоко;3"]
    path, m = write(tmp_path, lines, TOTALS_AS_CODES)
    reading = table.check_mapping(path, m)
    assert [c.code for c in reading.cells] == [None, "bad_product"]


# --- 16. code ranges and lists in product cells ------------------------------------------------
GROUPS = (
    "name: stat\nreporter: BLR\npartner: KAZ\nflow: exports\nunit: usd\n"
    "product: Код\nclassification: HS12\nwide: {columns: years}\n"
)


def test_code_ranges_and_lists_are_read_as_their_group(tmp_path):
    lines = [
        "Код;2015",
        "0401-0406;100",  # stored under chapter 04, covering headings 0401-0406
        "0407;30",  # in chapter 04 but not in the group: its sibling, not its part
        "8701, 8704;200",  # chapter 87
        "9401-9403;50",  # chapter 94
        "0408-0410;20",  # another group of chapter 04: joins the first (120)
        "0401-0506;9",  # across chapters: not one product
        ";500",  # the total: 120 + 30 + 200 + 50 = 400 listed, 100 not broken down
    ]
    path, m = write(tmp_path, lines, GROUPS)
    home = tmp_path / "home"
    result = sr.ingest(sr.open(home), "table", path, mapping=m)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 6, 1)
    assert result.rejected_by_reason == {"bad_product": 1}
    assert flows(home) == [
        (2015, "BLR", "KAZ", "04", 120.0),
        (2015, "BLR", "KAZ", "0407", 30.0),
        (2015, "BLR", "KAZ", "87", 200.0),
        (2015, "BLR", "KAZ", "94", 50.0),
        (2015, "BLR", "KAZ", "TOTAL", 100.0),
    ]
    assert sum(v for *_, v in flows(home)) == 500.0  # the table's total, each dollar once


def test_a_code_inside_a_group_is_its_detail(tmp_path):
    path, m = write(tmp_path, ["Код;2015", "0401-0406;100", "0402;60"], GROUPS)
    home = tmp_path / "home"
    sr.ingest(sr.open(home), "table", path, mapping=m)
    # the group is larger than its listed part: kept as the residual (40), the part as given
    assert flows(home) == [(2015, "BLR", "KAZ", "04", 40.0), (2015, "BLR", "KAZ", "0402", 60.0)]
