"""The BACI reader on hand-written small files covering each quirk of FORMATS.md section 1,
and on the real-format samples in tests/data/baci."""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path

import pytest

import silkroad as sr
from conftest import COUNTRIES_NEW, OLD_COUNTRY_HEADER, TEST_DATA, year_name, year_text
from silkroad.errors import FormatError, InputError
from silkroad.sources import baci

REAL_COUNTRIES = TEST_DATA / "baci" / "country_codes_V202201.csv"
REAL_PRODUCTS = TEST_DATA / "baci" / "product_codes_HS17_V202201.csv"
REAL_README = TEST_DATA / "baci" / "Readme_V202201.txt"


def loaded(store) -> list[tuple]:
    """(year, exporter, importer, product, value_usd, weight_kg or None), sorted."""
    df = store.flows().to_pandas()
    rows = []
    for r in df.itertuples():
        weight = None if r.weight_kg is None or math.isnan(r.weight_kg) else float(r.weight_kg)
        rows.append((int(r.year), r.exporter, r.importer, r.product, float(r.value_usd), weight))
    return sorted(rows)


def assert_rows_equal(actual: list[tuple], expected: list[tuple]) -> None:
    assert len(actual) == len(expected), (actual, expected)
    for a, e in zip(actual, sorted(expected), strict=True):
        assert a[:4] == e[:4]
        assert a[4] == pytest.approx(e[4], abs=1e-6)
        if e[5] is None:
            assert a[5] is None, a
        else:
            assert a[5] == pytest.approx(e[5], abs=1e-6)


# --- input shapes ------------------------------------------------------------------------------
Y2014 = ["2014,112,398,870120,2,1", "2014,398,112,270900,3.5,NA"]
Y2015 = ["2015,112,643,870120,4,2"]
EXPECTED_BOTH = [
    (2014, "BLR", "KAZ", "870120", 2 * 1000.0, 1 * 1000.0),
    (2014, "KAZ", "BLR", "270900", 3.5 * 1000, None),
    (2015, "BLR", "RUS", "870120", 4 * 1000.0, 2 * 1000.0),
]


@pytest.mark.parametrize("shape", ["zip", "directory", "year_csv"])
def test_zip_directory_and_year_csv_inputs(shape, baci_files, home):
    if shape == "zip":
        path = baci_files.release_zip({2014: Y2014, 2015: Y2015})
        expected, years = EXPECTED_BOTH, [2014, 2015]
    elif shape == "directory":
        path = baci_files.release_dir({2014: Y2014, 2015: Y2015})
        expected, years = EXPECTED_BOTH, [2014, 2015]
    else:
        folder = baci_files.release_dir({2015: Y2015})  # the country list lies beside it
        path = folder / year_name(2015)
        expected, years = EXPECTED_BOTH[2:], [2015]

    release = baci.inspect_release(path)
    assert release.years == years
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
        len(expected),
        len(expected),
        0,
    )
    assert store.years("baci-hs92") == years
    assert_rows_equal(loaded(store), expected)


@pytest.mark.parametrize(
    ("maker", "version"),
    [("zip", "202401b"), ("zip", "202501"), ("directory", "202401b"), ("year_csv", "202401b")],
)
def test_version_with_and_without_suffix_letter(maker, version, baci_files, home):
    if maker == "zip":
        path = baci_files.release_zip({2014: Y2014}, version=version, revision="17")
    elif maker == "directory":
        path = baci_files.release_dir({2014: Y2014}, version=version, revision="17")
    else:
        path = baci_files.year_file(2014, Y2014, version=version, revision="17")
    release = baci.inspect_release(path)
    assert release.version == version
    assert release.revision == "17"
    assert release.classification == "HS17"
    assert release.source_id == "baci-hs17"
    store = sr.open(home)
    sr.ingest(store, "baci", path)
    (info,) = store.sources()
    assert info["version"] == version
    assert info["classification"] == "HS17"
    assert store.flows().classification.execute().unique().tolist() == ["HS17"]


def test_zip_with_another_name_takes_version_from_members(baci_files):
    path = baci_files.release_zip({2016: ["2016,112,398,1,1,1"]}, name="download.zip")
    release = baci.inspect_release(path)
    assert (release.revision, release.version, release.years) == ("92", "202401b", [2016])


def test_release_mixing_versions_is_refused(baci_files):
    folder = baci_files.release_dir({2014: Y2014})
    (folder / year_name(2015, version="202501")).write_text(year_text(Y2015))
    with pytest.raises(FormatError, match="mixes HS revisions or versions") as exc:
        baci.inspect_release(folder)
    # Which member is named as the odd one out is arbitrary; it must be one of the two.
    assert exc.value.found in {year_name(2014), year_name(2015, version="202501")}


# --- country code lists ------------------------------------------------------------------------
def test_old_country_schema_with_bom_and_na_codes():
    text = "\n".join(
        [
            OLD_COUNTRY_HEADER,
            "112,Belarus,Belarus,BY,BLR",
            '490,"Other Asia, nes","Other Asia, not elsewhere specified",N/A,N/A',
            "516,Namibia,Namibia,,NAM",
            '842,USA,"USA, Puerto Rico and US Virgin Islands",US,USA',
            "",
        ]
    )
    table = baci.read_country_codes(b"\xef\xbb\xbf" + text.encode(), "country_codes_V202201.csv")
    assert table == {112: "BLR", 516: "NAM", 842: "USA"}


def test_new_country_schema():
    text = COUNTRIES_NEW + '\n697,"Europe EFTA, nes",,R20\n516,Namibia,,NAM\n'
    table = baci.read_country_codes(text.encode(), "country_codes_V202401b.csv")
    assert table == {112: "BLR", 398: "KAZ", 643: "RUS", 490: "S19", 697: "R20", 516: "NAM"}


def test_country_list_with_unknown_header_is_a_format_error():
    with pytest.raises(FormatError, match="unrecognised country code list header") as exc:
        baci.read_country_codes(b"code,name,iso\n112,Belarus,BLR\n", "cc.csv")
    assert exc.value.line == 1


def test_real_country_list_v202201():
    data = REAL_COUNTRIES.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = baci.read_country_codes(data, str(REAL_COUNTRIES))
    lines = [line for line in data.decode("utf-8-sig").splitlines()[1:] if line.strip()]
    without_iso = [line for line in lines if line.endswith(",N/A")]
    assert len(without_iso) == 3  # 490, 697, 849 as published
    assert len(table) == len(lines) - len(without_iso)
    assert 490 not in table and 697 not in table and 849 not in table
    assert table[276] == "DEU" and table[280] == "DEU"
    assert table[56] == "BEL" and table[58] == "BEL"
    assert table[516] == "NAM"  # blank iso2 does not matter
    assert table[384] == "CIV" and table[531] == "CUW"  # mojibake names do not matter
    assert (table[842], table[251], table[699], table[112]) == ("USA", "FRA", "IND", "BLR")


def test_real_country_list_falls_back_to_reference_for_na_codes(baci_files, home):
    folder = baci_files.root / "v202201"
    folder.mkdir(parents=True)
    shutil.copyfile(REAL_COUNTRIES, folder / "country_codes_V202201.csv")
    (folder / year_name(2017, revision="17", version="202201")).write_text(
        year_text(["2017,490,112,847130,12.5,1", "2017,280,112,870120,1,NA"])
    )
    release = baci.inspect_release(folder)
    assert 490 not in release.country_codes
    codes = baci.code_table(release)
    assert codes[490] == "S19"  # from silkroad's reference table
    assert codes[280] == "DEU"  # the release's own list
    store = sr.open(home)
    result = sr.ingest(store, "baci", folder)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert_rows_equal(
        loaded(store),
        [
            (2017, "S19", "BLR", "847130", 12.5 * 1000, 1 * 1000.0),
            (2017, "DEU", "BLR", "870120", 1 * 1000.0, None),
        ],
    )


def test_real_product_list_with_bec_column_does_not_disturb_ingest(baci_files, home):
    header = REAL_PRODUCTS.read_text(encoding="utf-8").splitlines()[0]
    assert header == "code,description,bec"
    folder = baci_files.root / "hs17"
    folder.mkdir(parents=True)
    shutil.copyfile(REAL_PRODUCTS, folder / REAL_PRODUCTS.name)
    shutil.copyfile(REAL_COUNTRIES, folder / REAL_COUNTRIES.name)
    (folder / year_name(2017, revision="17", version="202201")).write_text(
        year_text(["2017,112,398,10121,1.25,0.5", "2017,398,112,270900,2,NA"])
    )
    store = sr.open(home)
    result = sr.ingest(store, "baci", folder)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert store.sources()[0]["version"] == "202201"
    assert_rows_equal(
        loaded(store),
        [
            (2017, "BLR", "KAZ", "010121", 1.25 * 1000, 0.5 * 1000),
            (2017, "KAZ", "BLR", "270900", 2 * 1000.0, None),
        ],
    )


def test_real_readme_with_crlf():
    readme = baci.parse_readme(REAL_README.read_bytes())
    assert readme["version"] == "202201"
    assert readme["name of the dataset"] == "BACI"
    assert "synthetic" not in readme


def test_release_country_list_wins_over_reference_and_reference_fills_gaps(baci_files, home):
    # The reference table maps 58 (Belgium-Luxembourg) to BLX; this release says BEL for it.
    countries = COUNTRIES_NEW + "\n58,Belgium-Luxembourg,BE,BEL"
    lines = [
        "2014,58,112,870120,1,1",  # release list: BEL
        "2014,842,112,870120,2,1",  # not in the release list: reference USA
        "2014,251,398,870120,3,1",  # not in the release list: reference FRA (BACI's France)
    ]
    path = baci_files.release_dir({2014: lines}, countries=countries)
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert result.rows_rejected == 0
    assert [r[1:3] for r in loaded(store)] == [("BEL", "BLR"), ("FRA", "KAZ"), ("USA", "BLR")]


def test_year_csv_alone_resolves_codes_through_reference(baci_files, home):
    path = baci_files.year_file(2014, ["2014,112,398,870120,1,1", "2014,842,251,10121,2,NA"])
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert result.rows_rejected == 0
    assert_rows_equal(
        loaded(store),
        [
            (2014, "BLR", "KAZ", "870120", 1000.0, 1000.0),
            (2014, "USA", "FRA", "010121", 2000.0, None),
        ],
    )


# --- values, codes, missing quantities ---------------------------------------------------------
@pytest.mark.parametrize(("newline", "bom"), [("\n", ""), ("\r\n", ""), ("\n", "\ufeff")])
def test_leading_zeros_padding_units_and_missing_quantities(newline, bom, baci_files, home):
    lines = [
        "2014,112,398,10121,1.5,3",  # HS6 lost its leading zero; 1.5 kUSD, 3 t
        "2014,112,398,   20110  ,  2.25  ,  0.5  ",  # space-padded code and numbers
        "2014,112,398,30111,4,NA",
        "2014,112,398,30112,4,",
        "2014,112,398,30113,4,           NA",
        "2014, 398 , 112 ,870120,0.001,0.002",  # one dollar, two kilograms
        "2014,398,112,000101,1000000,12345.678",
    ]
    path = baci_files.year_file(2014, text=bom + year_text(lines, newline=newline))
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 7, 0)
    assert_rows_equal(
        loaded(store),
        [
            (2014, "BLR", "KAZ", "010121", 1500.0, 3000.0),
            (2014, "BLR", "KAZ", "020110", 2250.0, 500.0),
            (2014, "BLR", "KAZ", "030111", 4000.0, None),
            (2014, "BLR", "KAZ", "030112", 4000.0, None),
            (2014, "BLR", "KAZ", "030113", 4000.0, None),
            (2014, "KAZ", "BLR", "870120", 1.0, 2.0),
            (2014, "KAZ", "BLR", "000101", 1_000_000_000.0, 12_345_678.0),
        ],
    )
    df = store.flows().to_pandas()
    assert set(df.declared_by) == {"reconciled"}
    assert set(df.source) == {"baci-hs92"}
    assert not df.re_flow.any()
    assert df.month.isna().all()


def test_complete_last_line_without_newline_is_read(baci_files, home):
    text = year_text(["2014,112,398,10121,1.5,3"]) + "2014,398,112,20110,2,NA"
    path = baci_files.year_file(2014, text=text)
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)


# --- the synthetic marker ----------------------------------------------------------------------
SYNTHETIC_README = "Name of the dataset : BACI\nVersion : 202401b\nSynthetic : yes\n"


@pytest.mark.parametrize("shape", ["zip", "directory"])
def test_synthetic_readme_marks_the_source(shape, baci_files, home):
    make = baci_files.release_zip if shape == "zip" else baci_files.release_dir
    path = make({2014: Y2014}, readme=SYNTHETIC_README)
    release = baci.inspect_release(path)
    assert release.synthetic
    assert release.source_id == "synthetic-baci-hs92"
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert result.source == "synthetic-baci-hs92"
    (info,) = store.sources()
    assert info["source"] == "synthetic-baci-hs92"
    assert info["synthetic"] is True
    assert store.is_synthetic()
    assert set(store.flows().source.execute()) == {"synthetic-baci-hs92"}


def test_readme_without_marker_is_real_data(baci_files, home):
    path = baci_files.release_zip({2014: Y2014}, readme="Name of the dataset : BACI\r\n")
    store = sr.open(home)
    assert sr.ingest(store, "baci", path).source == "baci-hs92"
    assert not store.is_synthetic()


# --- bad rows: quarantine and the counting identity --------------------------------------------
GOOD_ROW = "2014,112,398,10121,1.5,3"
# (physical line text, expected field, expected code); None for a good line; "" for a blank line.
BAD_FILE = [
    (GOOD_ROW, None, None),  # line 2
    ("2014,112,398,870120,abc,1", "v", "bad_value"),  # 3: unparseable number
    ("2014,112,999,870120,2,1", "j", "unknown_country"),  # 4
    ("2014,112,398,870121,-1,2", "v", "non_positive_value"),  # 5
    ("2014,112,398,870122,0,2", "v", "non_positive_value"),  # 6
    ("2014,112,398,10121,7,1", "k", "duplicate_key"),  # 7: same key as line 2
    ("2014,112,398,870123,2", None, "field_count"),  # 8: too few fields
    ("2014,112,398,870124,2,2,2", None, "field_count"),  # 9: too many
    ("2014,112,398,87012X,2,2", "k", "bad_product"),  # 10
    ("2015,112,398,870125,2,2", "t", "year_mismatch"),  # 11
    ("2014,112,112,870126,2,2", "i", "same_economy"),  # 12
    ("", None, None),  # 13: blank line, not a row
    ("2014,398,112,270900,2.5,NA", None, None),  # 14
    ("20x4,398,112,270901,2.5,NA", "t", "bad_year"),  # 15
    ("2014,X98,112,270902,2.5,NA", "i", "bad_country_code"),  # 16
    ("2014,398,112,270903,2.5,heavy", "q", "bad_quantity"),  # 17
    ("2014,398,112,1234567,2.5,1", "k", "bad_product"),  # 18: seven digits
    ("", None, None),  # 19
    ("2014,643,112,270900,3,4", None, None),  # 20
]
BAD_FILE_GOOD = [
    (2014, "BLR", "KAZ", "010121", 1.5 * 1000, 3 * 1000.0),
    (2014, "KAZ", "BLR", "270900", 2.5 * 1000, None),
    (2014, "RUS", "BLR", "270900", 3 * 1000.0, 4 * 1000.0),
]


def _expected_rejects() -> list[tuple[int, str | None, str, str]]:
    return [
        (n, field, code, text)
        for n, (text, field, code) in enumerate(BAD_FILE, start=2)
        if code is not None
    ]


@pytest.mark.parametrize("shape", ["directory", "zip"])
def test_bad_rows_are_quarantined_with_line_field_code_and_raw(shape, baci_files, home):
    lines = [text for text, _, _ in BAD_FILE]
    if shape == "zip":
        path = baci_files.release_zip({2014: lines})
    else:
        path = baci_files.release_dir({2014: lines})
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)

    rows = [text for text in lines if text.strip()]
    expected = _expected_rejects()
    assert result.rows_read == len(rows)
    assert result.rows_loaded == len(BAD_FILE_GOOD)
    assert result.rows_rejected == len(expected)
    assert result.rows_read == result.rows_loaded + result.rows_rejected

    record = store.catalog.ingests[result.record.id]
    assert (record.rows_read, record.rows_loaded, record.rows_rejected) == (
        len(rows),
        len(BAD_FILE_GOOD),
        len(expected),
    )
    by_code: dict[str, int] = {}
    for _, _, code, _ in expected:
        by_code[code] = by_code.get(code, 0) + 1
    assert result.rejected_by_reason == by_code

    rej = store.rejected("baci-hs92")
    assert len(rej) == len(expected)
    got = [
        (int(r.line), None if r.field is None else r.field, r.code, r.raw) for r in rej.itertuples()
    ]
    assert got == expected
    assert set(rej.source) == {"baci-hs92"}
    assert set(rej.year) == {2014}
    assert all(f.endswith(year_name(2014)) for f in rej.file)
    reasons = dict(zip(rej.line, rej.reason, strict=True))
    assert "abc" in reasons[3]
    assert "999" in reasons[4]
    assert "line 2" in reasons[7]  # the duplicate names the first occurrence
    assert "5 fields" in reasons[8] and "7 fields" in reasons[9]
    assert "2015" in reasons[11]

    assert_rows_equal(loaded(store), BAD_FILE_GOOD)


def test_counts_add_up_across_years_and_limit(baci_files, home):
    y2014 = [GOOD_ROW, "2014,112,398,1,x,1", "2014,112,398,2,1"]
    y2015 = ["2015,112,398,10121,2,3", "2015,999,398,1,1,1", "", "2015,398,112,3,4,NA"]
    path = baci_files.release_zip({2014: y2014, 2015: y2015})
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert result.rows_read == 3 + 3
    assert result.rows_loaded == 1 + 2
    assert result.rows_rejected == 2 + 1
    rej = store.rejected("baci-hs92")
    assert [
        (Path(f.split(":")[-1]).name, int(n)) for f, n in zip(rej.file, rej.line, strict=True)
    ] == [
        (year_name(2014), 3),
        (year_name(2014), 4),
        (year_name(2015), 3),
    ]
    assert list(rej.year) == [2014, 2014, 2015]
    assert len(store.rejected("baci-hs92", limit=2)) == 2
    info = store.sources()[0]
    assert (info["rows"], info["rows_rejected"]) == (3, 3)


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        ("2014,111.9,643,870120,1,1", "i", "bad_country_code"),  # not rounded to 112 (BLR)
        ("2014,112,397.6,870120,1,1", "j", "bad_country_code"),  # not rounded to 398 (KAZ)
        ("2014,0x70,643,870120,1,1", "i", "bad_country_code"),  # not hex for 112
        ("2014.4,112,643,870120,1,1", "t", "bad_year"),
        ("2014,112,643,12.5,1,1", "k", "bad_product"),  # not product 000013
        ("2014,112,643,0x1F,1,1", "k", "bad_product"),  # not product 000031
    ],
)
def test_codes_that_are_not_whole_numbers_are_rejected(line, field, code, baci_files, home):
    # A malformed code must not be rounded or parsed into another, valid one.
    path = baci_files.year_file(2014, [GOOD_ROW, line])
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    (r,) = store.rejected("baci-hs92").itertuples()
    assert (int(r.line), r.field, r.code, r.raw) == (3, field, code, line)
    assert_rows_equal(loaded(store), [(2014, "BLR", "KAZ", "010121", 1500.0, 3000.0)])


def test_whole_numbers_written_as_decimals_are_the_same_codes(baci_files, home):
    # A copy re-saved by a tool may write codes as floats; 112.0 is still 112.
    path = baci_files.year_file(2014, ["2014.0,112.0,398.0,10121.0,1.5,3"])
    store = sr.open(home)
    result = sr.ingest(store, "baci", path)
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert_rows_equal(loaded(store), [(2014, "BLR", "KAZ", "010121", 1500.0, 3000.0)])


# --- inputs that stop the ingest ---------------------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        baci.inspect_release(tmp_path / "BACI_HS92_V202401b.zip")


def test_text_file_named_zip(tmp_path):
    path = tmp_path / "BACI_HS92_V202401b.zip"
    path.write_text("this is not an archive\n")
    with pytest.raises(FormatError, match="not a zip archive"):
        baci.inspect_release(path)


def test_zip_without_year_members(tmp_path):
    path = tmp_path / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Readme.txt", "Version : 202401b\n")
        zf.writestr("country_codes_V202401b.csv", COUNTRIES_NEW)
    with pytest.raises(FormatError, match="no BACI year files") as exc:
        baci.inspect_release(path)
    assert "Readme.txt" in str(exc.value.found)


def test_zip_cut_in_half(baci_files):
    lines = [f"2014,112,398,{k},1.5,2" for k in range(100000, 130000)]
    path = baci_files.release_zip({2014: lines})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="truncated"):
        baci.inspect_release(path)


def test_zip_member_with_damaged_data(baci_files, home):
    lines = [f"2014,112,398,{k},1.5,2" for k in range(100000, 130000)]
    path = baci_files.release_zip({2014: lines})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(year_name(2014))
    # Overwrite bytes in the middle of the member's compressed data (the directory stays).
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="truncated or damaged"):
        sr.ingest(sr.open(home), "baci", path)
    assert not (home / "catalog.json").exists()


def test_year_csv_cut_mid_line(baci_files, home):
    text = year_text([GOOD_ROW]) + "2014,112,39"
    path = baci_files.year_file(2014, text=text)
    with pytest.raises(FormatError, match="truncated") as exc:
        sr.ingest(sr.open(home), "baci", path)
    assert exc.value.line == 3
    assert not (home / "catalog.json").exists()


@pytest.mark.parametrize("header", ["year,i,j,k,v,q", "t,i,j,k,v", "", "2014,112,398,1,1,1"])
def test_wrong_header(header, baci_files, home):
    path = baci_files.year_file(2014, text=year_text([GOOD_ROW], header=header))
    with pytest.raises(FormatError, match="wrong header") as exc:
        sr.ingest(sr.open(home), "baci", path)
    assert exc.value.line == 1
    assert exc.value.expected == "t,i,j,k,v,q"


def test_csv_without_a_baci_name(tmp_path):
    path = tmp_path / "trade.csv"
    path.write_text(year_text([GOOD_ROW]))
    with pytest.raises(InputError, match="cannot tell the HS revision"):
        baci.inspect_release(path)
