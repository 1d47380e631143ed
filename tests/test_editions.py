"""HS editions: reading UNSD correlation tables, converting codes, and mixed-edition structure."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from _worlds import build_store, relabel_year
from silkroad.analytics.editions import (
    CorrelationTable,
    classifications_for,
    convert,
    correlation_from_pairs,
    load_correlation,
    route,
)
from silkroad.analytics.pair import Pair
from silkroad.errors import AnalysisError, InputError
from silkroad.reference.baskets import baskets_from_dict

# A UNSD-style table as a spreadsheet saves it: a title row, a blank row, codes that lost their
# leading zero, labels written three ways, and one label that disagrees with the pairs.
UNSD_CSV = """HS2017 to HS1992 Correlation Table,,
,,
From HS 2017,To HS 1992,Relationship
10121,10111,'1:n
10121,10119,1:n
010129,010190,n:1
10130,10190,n to 1
870120,870120,1 to 1
271019,271000,1:1
"""


def write(tmp_path, text: str, name: str = "corr.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pairs_of(table: CorrelationTable) -> list[tuple[str, str]]:
    return list(zip(table.pairs.source_code, table.pairs.target_code, strict=True))


# --- reading -------------------------------------------------------------------------------


def test_unsd_style_table_is_read_padded_and_recounted(tmp_path):
    path = write(tmp_path, UNSD_CSV)
    t = load_correlation(path)
    assert (t.source, t.target, t.path) == ("HS17", "HS92", str(path))
    assert pairs_of(t) == [
        ("010121", "010111"),
        ("010121", "010119"),
        ("010129", "010190"),
        ("010130", "010190"),
        ("271019", "271000"),
        ("870120", "870120"),
    ]
    rel = dict(zip(pairs_of(t), t.pairs.relationship, strict=True))
    assert rel[("010121", "010111")] == "1:n"
    assert rel[("010129", "010190")] == rel[("010130", "010190")] == "n:1"
    assert rel[("870120", "870120")] == "1:1"
    assert t.relationships() == {"1:1": 2, "n:1": 2, "1:n": 2, "n:n": 0}
    labels = dict(zip(pairs_of(t), t.pairs.label, strict=True))
    assert labels[("010121", "010111")] == "1:n"  # leading apostrophe removed
    assert labels[("010130", "010190")] == "n:1"  # "n to 1"
    weights = dict(zip(pairs_of(t), t.pairs.weight, strict=True))
    assert weights[("010121", "010111")] == weights[("010121", "010119")] == 0.5
    assert weights[("010129", "010190")] == 1.0
    assert not t.weighted


def test_labels_are_not_trusted(tmp_path):
    # The file calls a merge "1:1": the pairs say n:1, and the disagreement is reported.
    text = "HS2017,HS1992,Relationship\n010129,010190,1:1\n010130,010190,n:1\n020110,020110,1:1\n"
    t = load_correlation(write(tmp_path, text))
    assert list(t.pairs.relationship) == ["n:1", "n:1", "1:1"]
    bad = t.label_disagreements()
    assert list(zip(bad.source_code, bad.label, strict=True)) == [("010129", "1:1")]


def test_n_to_n_groups():
    t = correlation_from_pairs(
        [("850110", "850111"), ("850110", "850112"), ("850120", "850112")],
        source="HS17",
        target="HS92",
    )
    assert list(t.pairs.relationship) == ["1:n", "n:n", "n:1"]


@pytest.mark.parametrize(
    ("header", "source", "target"),
    [
        ("HS2017,HS1992", "HS17", "HS92"),
        ("HS1992,HS2017", "HS17", "HS92"),  # unmarked: the newer edition is the source
        ("To HS 1992,From HS 2017", "HS17", "HS92"),
        ("HS17,HS12", "HS17", "HS12"),
        ("H6,H5", "HS22", "HS17"),
        ("HS 2022 code,HS 2017 code", "HS22", "HS17"),
    ],
)
def test_header_spellings(tmp_path, header, source, target):
    t = load_correlation(write(tmp_path, f"{header}\n010121,010111\n"))
    assert (t.source, t.target) == (source, target)
    first = header.split(",")[0]
    if first.startswith(("HS1992", "To")):
        assert pairs_of(t) == [("010111", "010121")]  # columns read in their own roles
    else:
        assert pairs_of(t) == [("010121", "010111")]


def test_semicolon_file_spreadsheet_numbers_and_ex_markers(tmp_path):
    text = "HS2017;HS1992;Relationship\n10121.0;10111.0;1:1\nex 0101.29;0101.90;n:1\n"
    t = load_correlation(write(tmp_path, text))
    assert pairs_of(t) == [("010121", "010111"), ("010129", "010190")]


def test_weight_column_is_normalised_per_source_code(tmp_path):
    text = "HS2017,HS1992,Weight\n010121,010111,3\n010121,010119,1\n010129,010190,0\n"
    t = load_correlation(write(tmp_path, text))
    assert t.weighted
    assert list(t.pairs.weight) == [0.75, 0.25, 1.0]  # all-zero weights: equal shares


def test_check_editions_asked(tmp_path):
    path = write(tmp_path, UNSD_CSV)
    assert load_correlation(path, source="HS17", target="H0").target == "HS92"
    with pytest.raises(InputError, match="does not convert from the edition asked"):
        load_correlation(path, source="HS22")
    with pytest.raises(InputError, match="does not convert to the edition asked"):
        load_correlation(path, target="HS12")


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        ("From HS 2017,To HS 1992\n010121,010111\n87A120,870120\n", "not an HS6 code", 3),
        ("From HS 2017,To HS 1992\n010121,\n", "not an HS6 code", 2),
        ("From HS 2017,To HS 1992\n0000121,010111\n", "not an HS6 code", 2),
        ("code_new,code_old\n010121,010111\n", "no header with two HS edition columns", None),
        ("HS2017,HS2012,HS1992\n1,2,3\n", "more than two HS edition columns", 1),
        ("HS2017,HS17\n010121,010111\n", "same edition", 1),
        ("HS2017,HS1992,Weight\n010121,010111,much\n", "not a number", 2),
        ("HS2017,HS1992\n\n", "no code pairs", None),
    ],
)
def test_bad_tables_name_file_and_line(tmp_path, text, match, line):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=match) as exc:
        load_correlation(path)
    message = str(exc.value)
    assert message.startswith(str(path)) and "\n" not in message
    if line is not None:
        assert f"line {line}" in message


def test_excel_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="save the correlation sheet as CSV"):
        load_correlation(tmp_path / "HS2017toHS1992ConversionAndCorrelationTables.xlsx")
    with pytest.raises(InputError, match="cannot read"):
        load_correlation(tmp_path / "missing.csv")


# --- converting ----------------------------------------------------------------------------

TABLE = correlation_from_pairs(
    [
        ("870120", "870120"),  # 1:1
        ("010129", "010190"),  # n:1
        ("010130", "010190"),  # n:1
        ("271019", "271000"),  # 1:3
        ("271019", "271091"),
        ("271019", "271099"),
    ],
    source="HS17",
    target="HS92",
)


def flows(**values: float) -> pd.DataFrame:
    products = [k.removeprefix("p") for k in values]
    return pd.DataFrame(
        {
            "year": 2017,
            "direction": "exports",
            "product": products,
            "value_usd": [float(v) for v in values.values()],
            "weight_kg": [float(v) / 10 for v in values.values()],
        }
    )


def as_dict(df: pd.DataFrame, col: str = "value_usd") -> dict[str, float]:
    return dict(zip(df["product"], df[col], strict=True))


def test_one_to_one_moves_the_whole_value():
    out = convert(flows(p870120=1234.5), TABLE, ["value_usd", "weight_kg"])
    assert as_dict(out) == {"870120": 1234.5}
    assert as_dict(out, "weight_kg") == {"870120": 123.45}


def test_many_to_one_adds_up():
    out = convert(flows(p010129=100, p010130=250.25), TABLE, ["value_usd", "weight_kg"])
    assert as_dict(out) == {"010190": 350.25}
    assert out.weight_kg.iloc[0] == pytest.approx(35.025)


def test_one_to_many_splits_equally_and_keeps_the_total():
    out = convert(flows(p271019=900), TABLE, ["value_usd", "weight_kg"])
    assert as_dict(out) == {"271000": 300.0, "271091": 300.0, "271099": 300.0}
    assert out.weight_kg.sum() == pytest.approx(90.0)


def test_all_kinds_together_preserve_totals_and_keys():
    df = pd.concat(
        [
            flows(p870120=10, p010129=20, p010130=30, p271019=70),
            flows(p870120=5).assign(direction="imports"),
        ],
        ignore_index=True,
    )
    out = convert(df, TABLE, ["value_usd", "weight_kg"])
    assert list(out.columns) == list(df.columns)
    assert out.value_usd.sum() == pytest.approx(df.value_usd.sum(), rel=1e-15)
    assert out.weight_kg.sum() == pytest.approx(df.weight_kg.sum(), rel=1e-15)
    exports = out[out.direction == "exports"]
    assert as_dict(exports) == pytest.approx(
        {"870120": 10, "010190": 50, "271000": 70 / 3, "271091": 70 / 3, "271099": 70 / 3}
    )
    assert as_dict(out[out.direction == "imports"]) == {"870120": 5.0}
    assert out.attrs["conversion"]["split_codes"] == 1
    assert out.attrs["conversion"]["allocation"] == "equal shares"


def test_given_weights_share_out_splits():
    out = convert(
        flows(p271019=1000).drop(columns="weight_kg"),
        TABLE,
        ["value_usd"],
        weights={"271000": 6.0, "271091": 3.0, "271099": 1.0, "870120": 99.0},
    )
    assert as_dict(out) == pytest.approx({"271000": 600, "271091": 300, "271099": 100})
    assert out.attrs["conversion"]["allocation"] == "given weights"
    # targets without any weight fall back to the table's shares
    out = convert(flows(p271019=900), TABLE, ["value_usd", "weight_kg"], weights={"999999": 1})
    assert as_dict(out) == pytest.approx({"271000": 300, "271091": 300, "271099": 300})


def test_missing_weights_stay_missing():
    df = flows(p010129=100, p010130=200)
    df.loc[0, "weight_kg"] = math.nan
    out = convert(df, TABLE, ["value_usd", "weight_kg"])
    assert as_dict(out) == {"010190": 300.0}
    assert math.isnan(out.weight_kg.iloc[0])  # unknown part: the sum is unknown, not 20


def test_unmapped_codes_keep_drop_or_error():
    df = flows(p870120=10, p999999=7)
    kept = convert(df, TABLE, ["value_usd", "weight_kg"])
    assert as_dict(kept) == {"870120": 10.0, "999999": 7.0}
    assert kept.attrs["conversion"]["unmapped_codes"] == ["999999"]
    dropped = convert(df, TABLE, ["value_usd", "weight_kg"], unmapped="drop")
    assert as_dict(dropped) == {"870120": 10.0}
    with pytest.raises(AnalysisError, match="not in the HS17→HS92 table; found '999999'"):
        convert(df, TABLE, ["value_usd", "weight_kg"], unmapped="error")


def test_an_amount_column_left_out_of_value_cols_is_an_error():
    with pytest.raises(AnalysisError, match="'weight_kg' holds amounts"):
        convert(flows(p271019=900), TABLE, ["value_usd"])


def test_chains_and_routes():
    t22 = correlation_from_pairs([("271020", "271019")], source="HS22", target="HS17")
    assert route([TABLE, t22], "HS22", "HS92") == [t22, TABLE]
    assert route([TABLE], "HS92", "HS92") == []
    assert route([TABLE], "HS22", "HS92") is None
    out = convert(flows(p271020=600), [t22, TABLE], ["value_usd", "weight_kg"])
    assert as_dict(out) == {"271000": 200.0, "271091": 200.0, "271099": 200.0}
    assert [n["from"] for n in out.attrs["conversion"]["chain"]] == ["HS22", "HS17"]


# --- editions in the store and mixed-edition structure ---------------------------------------

WORLD = {
    2013: {("BLR", "KAZ"): {"870120": 100, "010190": 50, "271000": 30}},
    # written as HS17 codes; relabelled HS17 below
    2014: {("BLR", "KAZ"): {"870120": 150, "010129": 20, "010130": 40, "271019": 90}},
    2015: {("BLR", "KAZ"): {"870120": 120, "010129": 10, "271019": 60}},
}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("editions"), WORLD, separately=True)
    assert classifications_for(Pair(store, "BLR", "KAZ"), [2013, 2014, 2015]) == {
        2013: "HS92",
        2014: "HS92",
        2015: "HS92",
    }
    relabel_year(store, 2014, "HS17")
    relabel_year(store, 2015, "HS17")
    return Pair(store, "BLR", "KAZ")


def test_classifications_for_reads_each_year_from_the_catalog(mixed):
    assert classifications_for(mixed, [2012, 2013, 2014, 2015]) == {
        2013: "HS92",
        2014: "HS17",
        2015: "HS17",
    }  # 2012 is not held: left out


@pytest.mark.parametrize("level", ["hs4", "hs6"])
def test_mixed_editions_need_a_correlation_table_for_headings(mixed, level):
    with pytest.raises(AnalysisError) as exc:
        mixed.structure(2014, level=level).to_frame()
    message = str(exc.value)
    assert "different HS editions (2013: HS92, 2014: HS17)" in message
    assert "--correlation FILE, a UNSD HS2017→HS1992 correlation table" in message
    assert "\n" not in message


def test_baskets_of_headings_need_one_too_but_chapters_do_not(mixed):
    headings = baskets_from_dict(
        {"name": "x", "baskets": [{"id": "t", "name_en": "T", "name_ru": "Т", "hs": ["8701"]}]}
    )
    with pytest.raises(AnalysisError, match="baskets with codes longer than 2 digits"):
        mixed.structure(2014, level=headings).to_frame()
    chapters = baskets_from_dict(
        {"name": "x", "baskets": [{"id": "v", "name_en": "V", "name_ru": "В", "hs": ["87"]}]}
    )
    df = mixed.structure(2014, level=chapters).to_frame().set_index("code")
    assert df.loc["v", "value_usd"] == 150_000.0


@pytest.mark.parametrize("level", ["hs2", "section"])
def test_chapters_and_sections_are_compared_as_they_are(mixed, level):
    df = mixed.structure(2014, level=level).to_frame()
    assert df.value_usd.sum() == (150 + 20 + 40 + 90) * 1000
    conversion = df.attrs["metadata"]["conversion"]
    assert conversion["applied"] is False
    assert conversion["editions"] == {2013: "HS92", 2014: "HS17"}
    assert "compared as they are" in conversion["note"]


def test_hs6_with_a_correlation_file_matches_hand_arithmetic(mixed, tmp_path):
    text = (
        "From HS 2017,To HS 1992,Relationship\n"
        "870120,870120,1:1\n10129,10190,n:1\n10130,10190,n:1\n"
        "271019,271000,1:n\n271019,271091,1:n\n"
    )
    path = write(tmp_path, text)
    df = mixed.structure(2014, level="hs6", correlation=str(path)).to_frame().set_index("code")
    # 2014 in HS92 codes: 010190 = 20 + 40; 271019 (90) split equally into 271000 and 271091.
    assert df.value_usd.to_dict() == {
        "870120": 150_000.0,
        "010190": 60_000.0,
        "271000": 45_000.0,
        "271091": 45_000.0,
    }
    assert df.loc["010190", "prev_value_usd"] == 50_000.0
    assert df.loc["271000", "growth"] == pytest.approx(45 / 30 - 1)
    assert df.loc["271091", "note"] == "new"
    assert abs(df.share.sum() - 1) <= 1e-12
    total, prev_total = 300_000, 180_000
    assert df.contribution_pp.sum() == pytest.approx((total / prev_total - 1) * 100)
    meta = df.attrs["metadata"]
    assert meta["classification"] == "HS92"
    conversion = meta["conversion"]
    assert conversion["applied"] is True and conversion["to"] == "HS92"
    assert conversion["tables"] == [{"from": "HS17", "to": "HS92", "path": str(path)}]
    assert conversion["allocation"] == "equal shares"
    assert "HS17→HS92 (corr.csv)" in conversion["note"]


def test_same_edition_years_need_no_table_and_report_their_edition(mixed):
    df = mixed.structure(2015, level="hs6").to_frame()  # 2014 and 2015 are both HS17
    assert set(df.code) == {"870120", "010129", "010130", "271019"}
    assert df.attrs["metadata"]["classification"] == "HS17"
    assert df.attrs["metadata"]["conversion"]["applied"] is False


def test_a_base_year_in_another_edition_brings_conversion(mixed):
    with pytest.raises(AnalysisError, match=r"2013: HS92, 2014: HS17, 2015: HS17"):
        mixed.structure(2015, level="hs4", base=2013).to_frame()
    df = (
        mixed.structure(2015, level="hs4", base=2013, correlation=TABLE)
        .to_frame()
        .set_index("code")
    )
    # 2015 in HS92 headings: 8701 120, 0101 10, 2710 60; base 2013: 8701 100, 0101 50, 2710 30
    assert df.value_usd.to_dict() == {"8701": 120_000.0, "2710": 60_000.0, "0101": 10_000.0}
    assert df.to_base.to_dict() == pytest.approx({"8701": 1.2, "2710": 2.0, "0101": 0.2})
    assert df.prev_value_usd.to_dict() == {"8701": 150_000.0, "2710": 90_000.0, "0101": 60_000.0}


def test_a_table_for_other_editions_is_an_error(mixed):
    wrong = correlation_from_pairs([("870120", "870120")], source="HS22", target="HS17")
    with pytest.raises(AnalysisError, match="no correlation table given converts HS17 to HS92"):
        mixed.structure(2014, level="hs6", correlation=wrong).to_frame()
