"""The demo's whole tour: declared (Comtrade CSV) data beside the release, rejected rows to look
at, and the example basket file.

Expected numbers are recomputed here from the files the demo wrote (parsed with the csv module)
and from the hand-worked release of conftest.py, never taken from the code under test.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REPO, WORLD_2014, WORLD_2015, BaciFiles, run_cli
from silkroad.analytics.pair import Pair
from silkroad.demo import DEMO_BASKETS, run_demo
from silkroad.errors import FormatError, InputError
from silkroad.ingestion import ingest
from silkroad.reference.baskets import example_baskets_path, load_baskets
from silkroad.results import SYNTHETIC_CSV_LINE
from silkroad.sources import synthetic_declared as sd
from silkroad.store.store import Store

#: The documented model (docs/demo.md): imports declared CIF at about 1.05 x the exports' FOB,
#: each declaration within a few percent of the reconciled flow, about 3% of flows left out.
CIF_FOB = 1.05
SIGMA = 0.08
#: Bound of one declaration around its expected value: 6 standard deviations of the noise.
BOUND = math.exp(6 * SIGMA)


def _place_release(home: Path, seed: int = 42) -> Path:
    files = BaciFiles(home / "demo" / f"small-seed{seed}")
    return files.release_zip({2014: WORLD_2014, 2015: WORLD_2015})


def _baci(lines: list[str]) -> dict[tuple[int, int, int, str], float]:
    """(year, exporter, importer, HS6) -> USD of hand-written BACI lines (v in thousands)."""
    out = {}
    for line in lines:
        t, i, j, k, v, _ = line.split(",")
        out[int(t), int(i), int(j), k.zfill(6)] = float(v) * 1000
    return out


def _declared(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(the file's lines, its records as dicts) of a declared CSV, read independently."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] + "\n" == SYNTHETIC_CSV_LINE  # labelled synthetic, above the header
    records = list(csv.DictReader(lines[1:]))
    return lines, records


def _good(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """The records without the deliberately broken ones (a value or product code with a
    letter in it, partner 999)."""
    return [
        r
        for r in records
        if re.fullmatch(r"[0-9.]+", r["primaryValue"])
        and r["cmdCode"].isdigit()
        and r["partnerCode"] != "999"
    ]


def _sums(records, flow: str, reporter: int, partner: int, year: int) -> dict[str, float]:
    """HS6 -> USD of one reporter's good records of one flow with one partner."""
    out: dict[str, float] = defaultdict(float)
    for r in _good(records):
        if (r["flowCode"], r["reporterCode"], r["partnerCode"], r["refYear"]) == (
            flow,
            str(reporter),
            str(partner),
            str(year),
        ):
            out[r["cmdCode"]] += float(r["primaryValue"])
    return dict(out)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo run on the hand-worked release (no briefs): its report and home."""
    home = tmp_path_factory.mktemp("demo") / "home"
    _place_release(home)
    return run_demo(home, briefs=False)


def test_the_demo_store_holds_both_sides_declarations_labelled_synthetic(demo):
    store = Store(demo.home)
    sources = {s["source"]: s for s in store.sources()}
    for reporter in ("blr", "kaz"):
        s = sources[f"comtrade-{reporter}"]
        assert s["kind"] == "comtrade"
        assert s["synthetic"] is True  # the label line made it into the catalog
        assert s["years"] == [2014, 2015]
    # the perspective steps of the tour pick each side's own declarations
    own = Pair(store, "BLR", "KAZ", perspective="exporter")
    partner = Pair(store, "BLR", "KAZ", perspective="mirror")
    assert (own.source, partner.source) == ("comtrade-blr", "comtrade-kaz")
    assert partner.metadata([2014])["synthetic"] is True


def test_declared_figures_are_the_reconciled_flows_with_a_plausible_discrepancy(demo):
    target = demo.archive.parent
    _, blr = _declared(target / "comtrade-blr.csv")
    _, kaz = _declared(target / "comtrade-kaz.csv")
    baci = _baci(WORLD_2014 + WORLD_2015)
    good = _good(blr + kaz)
    assert len(good) == len(blr) + len(kaz) - len(sd.BAD_ROWS)
    for r in good:
        reporter, partner = int(r["reporterCode"]), int(r["partnerCode"])
        i, j = (reporter, partner) if r["flowCode"] == "X" else (partner, reporter)
        v = baci[int(r["refYear"]), i, j, r["cmdCode"]]  # every declaration is a BACI flow
        expected = v * (CIF_FOB if r["flowCode"] == "M" else 1.0)
        assert expected / BOUND < float(r["primaryValue"]) < expected * BOUND
        assert r["classificationCode"] == "H0"  # HS92, the release's edition
        value_column = "cifvalue" if r["flowCode"] == "M" else "fobvalue"
        assert r[value_column] == r["primaryValue"]


def test_mirror_on_the_demo_pair_compares_what_each_side_wrote(demo):
    target = demo.archive.parent
    _, blr = _declared(target / "comtrade-blr.csv")
    _, kaz = _declared(target / "comtrade-kaz.csv")
    pair = Pair(Store(demo.home), "BLR", "KAZ", perspective="exporter")
    result = pair.mirror(2014, level="hs6", top=None)
    exports = result["exports"].set_index("code")
    by_blr = _sums(blr, "X", 112, 398, 2014)  # BLR's exports to KAZ, as BLR declared them
    by_kaz = _sums(kaz, "M", 398, 112, 2014)  # the same trade as KAZ declared it
    for code in set(by_blr) | set(by_kaz):
        row = exports.loc[code]
        assert row["exporter_declared_usd"] == pytest.approx(by_blr.get(code, 0.0))
        assert row["importer_declared_usd"] == pytest.approx(by_kaz.get(code, 0.0))
        if code in by_blr and code in by_kaz:
            assert row["cif_fob_ratio"] == pytest.approx(by_kaz[code] / by_blr[code])
    assert result.metadata["synthetic"] is True


def test_mirror_shows_the_generated_cif_fob_margin_and_the_left_out_products(tmp_path):
    # 2,000 BLR -> KAZ flows: enough for the averages of the model to show
    lines = [f"2016,112,398,{10 + n // 100:02d}{n % 100:02d}10,{100 + n},1" for n in range(2000)]
    release = BaciFiles(tmp_path).release_zip({2016: lines})
    home = tmp_path / "home"
    store = Store(home)
    for path in sd.write_declared(release, tmp_path / "declared", seed=7):
        ingest(store, "comtrade", path)
    _, blr = _declared(tmp_path / "declared" / "comtrade-blr.csv")
    _, kaz = _declared(tmp_path / "declared" / "comtrade-kaz.csv")
    by_blr = _sums(blr, "X", 112, 398, 2016)
    by_kaz = _sums(kaz, "M", 398, 112, 2016)
    both = set(by_blr) & set(by_kaz)
    ratio = sum(by_kaz[c] for c in both) / sum(by_blr[c] for c in both)
    assert ratio == pytest.approx(CIF_FOB, abs=0.01)  # CIF = FOB x 1.05 on average
    for side in (by_blr, by_kaz):  # each side leaves out about 3% of the flows
        assert 0.01 < 1 - len(side) / len(lines) < 0.05

    result = Pair(store, "BLR", "KAZ", perspective="exporter").mirror(2016, level="hs6", top=None)
    summary = result["summary"].set_index("direction").loc["exports"]
    assert summary["exporter_declared_usd"] == pytest.approx(sum(by_blr.values()))
    assert summary["importer_declared_usd"] == pytest.approx(sum(by_kaz.values()))
    assert summary["cif_fob_ratio_common"] == pytest.approx(ratio)
    flags = result["exports"].set_index("code")["flags"]
    only_kaz = {c for c, f in flags.items() if "missing_exporter_side" in f}
    only_blr = {c for c, f in flags.items() if "missing_importer_side" in f}
    assert (only_kaz, only_blr) == (set(by_kaz) - set(by_blr), set(by_blr) - set(by_kaz))


def test_every_row_read_is_loaded_or_rejected_and_the_bad_rows_are_kept_with_reasons(demo):
    store = Store(demo.home)
    assert [r.source for r in demo.declared] == ["comtrade-blr", "comtrade-kaz"]
    for result in demo.declared:
        lines, records = _declared(demo.archive.parent / f"{result.source}.csv")
        assert result.rows_read == len(records)  # every data line of the file
        assert result.rows_read == result.rows_loaded + result.rows_rejected
    kaz = demo.declared[1]
    assert kaz.rows_rejected == 3
    assert kaz.rejected_by_reason == {"bad_product": 1, "bad_value": 1, "unknown_country": 1}

    lines, _ = _declared(demo.archive.parent / "comtrade-kaz.csv")
    rejected = store.rejected("comtrade-kaz")
    found = {(r.field, r.code): r for r in rejected.itertuples()}
    expected = {
        ("primaryValue", "bad_value"): "12O500",
        ("partnerCode", "unknown_country"): "999",
        ("cmdCode", "bad_product"): "87O120",
    }
    assert set(found) == set(expected)
    header = lines[1].split(",")
    for (fld, _), text in expected.items():
        row = found[fld, _]
        assert row.raw == lines[row.line - 1]  # the file's own line, by its physical number
        assert row.raw.split(",")[header.index(fld)] == text
        assert text in row.reason
    assert store.rejected("comtrade-blr").empty


def test_cli_demo_prints_each_ingest_and_where_the_rejected_rows_are(tmp_path):
    home = tmp_path / "home"
    _place_release(home)
    proc = run_cli("demo", "--no-briefs", "--home", home)
    assert proc.returncode == 0, proc.stderr
    assert "comtrade-kaz (synthetic): rows read" in proc.stdout
    assert "bad_product 1, bad_value 1, unknown_country 1" in proc.stdout
    assert "silkroad rejected comtrade-kaz" in proc.stdout

    shown = run_cli("rejected", "comtrade-kaz", "--home", home)
    assert shown.returncode == 0, shown.stderr
    for text in ("12O500", "87O120", "expected a known partner code"):
        assert text in shown.stdout

    mirror = run_cli("mirror", "BLR", "KAZ", "--year", "2015", "--level", "hs4", "--home", home)
    assert mirror.returncode == 0, mirror.stderr
    assert "declarations used" in mirror.stdout and "comtrade-kaz" in mirror.stdout
    as_csv = run_cli("mirror", "BLR", "KAZ", "--year", "2015", "--csv", "--home", home)
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.startswith(SYNTHETIC_CSV_LINE)


def test_profile_from_the_partner_side_reads_kazakhstans_declarations(demo):
    _, kaz = _declared(demo.archive.parent / "comtrade-kaz.csv")
    rows = Pair(Store(demo.home), "BLR", "KAZ", perspective="mirror").summary().to_frame()
    rows = rows.set_index("year")
    for year in (2014, 2015):
        exports = sum(_sums(kaz, "M", 398, 112, year).values())  # KAZ's imports from BLR
        imports = sum(_sums(kaz, "X", 398, 112, year).values())
        assert rows.loc[year, "exports_usd"] == pytest.approx(exports)
        assert rows.loc[year, "imports_usd"] == pytest.approx(imports)


def test_the_baskets_example_parses_and_the_tour_uses_it(demo):
    example = REPO / "examples" / "baskets.yaml"
    assert example.read_bytes() == example_baskets_path().read_bytes()
    home_copy = demo.home / DEMO_BASKETS
    assert demo.baskets == home_copy and home_copy.read_bytes() == example.read_bytes()
    baskets = load_baskets(example)
    assert {"tractors", "dairy", "crude_oil"} <= {b.id for b in baskets.baskets}
    assert "--baskets examples/baskets.yaml" in (REPO / "README.md").read_text(encoding="utf-8")

    # BLR -> KAZ 2014: 870120 (300,500 USD) is a tractor, 040210 (99,500) dairy; KAZ -> BLR:
    # 270900 (250,000) crude oil, 720711 (50,000) in no basket
    pair = Pair(Store(demo.home), "BLR", "KAZ")

    def traded(direction: str) -> dict[str, float]:
        rows = pair.structure(2014, direction=direction, level=baskets).to_frame()
        assert {b.id for b in baskets.baskets} <= set(rows["code"])  # every basket is listed
        return {r.code: r.value_usd for r in rows.itertuples() if r.value_usd}

    assert traded("exports") == pytest.approx({"tractors": 300_500, "dairy": 99_500})
    assert traded("imports") == pytest.approx({"crude_oil": 250_000, "other": 50_000})


def test_the_demo_keeps_a_basket_file_the_user_edited(tmp_path):
    home = tmp_path / "home"
    _place_release(home)
    home.joinpath(DEMO_BASKETS).write_text("name: mine\nbaskets: []\n")
    run_demo(home, briefs=False)
    assert home.joinpath(DEMO_BASKETS).read_text() == "name: mine\nbaskets: []\n"


def test_cli_structure_with_the_demo_baskets(demo):
    proc = run_cli(
        "structure", "BLR", "KAZ", "--year", "2014", "--imports", "--baskets",
        demo.home / DEMO_BASKETS, "--home", demo.home,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Crude oil" in proc.stdout and "Other products" in proc.stdout


def test_the_synthetic_label_line_marks_a_comtrade_csv_and_keeps_line_numbers(tmp_path):
    body = (
        "refYear,reporterCode,flowCode,partnerCode,classificationCode,cmdCode,primaryValue\n"
        "2016,112,X,398,H0,870120,1000\n"
        "2016,112,X,398,H0,870130,abc\n"
    )
    labelled, plain = tmp_path / "labelled.csv", tmp_path / "plain.csv"
    labelled.write_text(SYNTHETIC_CSV_LINE + body)
    plain.write_text(body)
    store = Store(tmp_path / "home")
    result = ingest(store, "comtrade", labelled)
    assert result.record is not None and result.record.synthetic
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    assert store.rejected("comtrade-blr")["line"].tolist() == [4]  # label 1, header 2
    other = ingest(Store(tmp_path / "home2"), "comtrade", plain)
    assert other.record is not None and not other.record.synthetic
    # A header error names the header's own line: 2 below the label, 1 without it.
    bad = "refYear,reporterCode,flowCode,partnerCode,colour\n2016,112,X,398,red\n"
    for text, line in ((SYNTHETIC_CSV_LINE + bad, 2), (bad, 1)):
        path = tmp_path / f"bad{line}.csv"
        path.write_text(text)
        with pytest.raises(FormatError) as exc:
            ingest(Store(tmp_path / f"home-bad{line}"), "comtrade", path)
        assert exc.value.line == line and "'colour'" in str(exc.value)


def test_write_declared_refuses_an_unknown_reporter(tmp_path):
    release = BaciFiles(tmp_path).release_zip({2014: WORLD_2014})
    with pytest.raises(InputError, match="unknown demo reporter"):
        sd.write_declared(release, tmp_path / "out", reporters=["XYZ"])
