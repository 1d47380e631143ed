"""The mapping-check report as library code (``silkroad.sources.mapping_check``), and the CLI
printing exactly that report."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from silkroad.cli import app
from silkroad.sources.mapping_check import head_rows, mapping_check
from test_tables import BELSTAT, WIDE_MAPPING, write_csv, write_yaml


def test_report_counts_cells_and_the_cli_prints_it(tmp_path):
    path = write_csv(tmp_path / "belstat.csv", BELSTAT)
    mapping = write_yaml(tmp_path / "belstat.yaml", WIDE_MAPPING)
    report = mapping_check(path, mapping, rows=3)
    # rows 1-3 of BELSTAT: Всего (3 cells), СНГ (3, an aggregate: rejected), Казахстан 8701
    # (2 values and one '-', missing)
    assert (report.cells_read, report.cells_loaded, report.cells_rejected) == (8, 5, 3)
    assert report.cells_read == report.cells_loaded + report.cells_rejected
    assert report.cells_missing == 1 and report.encoding == "cp1251"
    rejected = [c for c in report.cells if "code" in c]
    assert {c["code"] for c in rejected} == {"aggregate_partner"}
    kaz = [c for c in report.cells if c.get("importer") == "KAZ" and c.get("product") == "8701"]
    assert [(c["year"], c["value_usd"]) for c in kaz] == [(2014, 2_000_500.0), (2015, 1_500_000.0)]

    res = CliRunner().invoke(
        app, ["mapping-check", str(path), "--mapping", str(mapping), "--rows", "3", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json.loads(json.dumps(report.to_dict()))
    assert not (tmp_path / "home").exists()


def test_head_rows_shows_the_table_as_read(tmp_path):
    path = write_csv(tmp_path / "belstat.csv", BELSTAT)
    mapping = write_yaml(tmp_path / "m.yaml", WIDE_MAPPING)
    rows = head_rows(path, mapping, rows=3)
    assert len(rows) == 3
    assert rows[2][:3] == ["Поток", "Страна", "Код ТН ВЭД"]


# 'Код' holds names, not codes: every value cell is bad_product (issue 14, item 17)
NAMES_AS_CODES = (
    "name: stat\nreporter: BLR\nflow: exports\nunit: usd\npartner: Страна\n"
    "product: Код\nclassification: HS12\nwide: {columns: years}\n"
)


def test_a_mapping_that_rejects_every_cell_shows_the_preview_then_exits_2(tmp_path, capsys):
    from silkroad.cli import main

    path = tmp_path / "t.csv"
    path.write_text("Страна;Код;2015;2016\nКазахстан;Тракторы;1;2\nРоссия;Молоко;3;-\n", "utf-8")
    mapping = write_yaml(tmp_path / "m.yaml", NAMES_AS_CODES)
    report = mapping_check(path, mapping)
    assert (report.cells_read, report.cells_loaded, report.cells_rejected) == (3, 0, 3)
    assert report.refused is not None and "rejects every value cell" in str(report.refused)
    assert report.to_dict()["refused"] == str(report.refused)
    for extra in ([], ["--json"]):
        with pytest.raises(SystemExit) as exc:
            main(["mapping-check", str(path), "--mapping", str(mapping), *extra])
        assert exc.value.code == 2
        captured = capsys.readouterr()
        (line,) = captured.err.splitlines()
        assert line.startswith("error: ") and "rejects every value cell" in line
        assert "bad_product" in captured.out  # the preview is printed first
    # a table that loads some of its cells is not refused
    good = write_csv(tmp_path / "belstat.csv", BELSTAT)
    assert mapping_check(good, write_yaml(tmp_path / "w.yaml", WIDE_MAPPING)).refused is None
