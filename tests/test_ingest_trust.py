"""Numbers you can trust (issue 14, items 1-9): no silent loss, no internal error where a
one-line error is due, and a store that keeps only what its catalog recorded.

Every expected count is worked out by hand from the few lines written here.
"""

from __future__ import annotations

import json
import os
import warnings
import zipfile
from pathlib import Path

import pytest

import silkroad as sr
from conftest import COUNTRIES_NEW, WORLD_2014, WORLD_2015, year_name, year_text
from silkroad.errors import FormatError, InputError, ReferenceDataError, StoreError


def loaded_rows(home: Path) -> list[tuple]:
    df = sr.open(home).flows().to_pandas()
    return sorted(zip(df.exporter, df.importer, df["product"], df.value_usd, strict=True))


def rejected_codes(home: Path, source: str = "baci-hs92") -> dict[int, str]:
    df = sr.open(home).rejected(source)
    return dict(zip(df.line.astype(int), df.code, strict=True))


# --- 1. the fast pass agrees with the careful pass on every line -------------------------------
@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("2014,112,398,300490,1,5,NA", "field_count"),  # a decimal comma: 7 fields
        ("2014,112,398,300490,1,5,", "field_count"),  # a trailing empty 7th field
        ("2014,1e2,398,300490,1,5", "bad_country_code"),  # 1e2 is not the code 100
        ("2014,112,398,0,1,5", "bad_product"),  # product 0 is chapter 00
        ("2014,+112,398,300490,1,5", "bad_country_code"),
    ],
)
def test_fast_pass_rejects_what_the_careful_pass_rejects(baci_files, home, bad, code):
    lines = [*WORLD_2014, bad]  # every other line is clean
    result = sr.ingest(sr.open(home), "baci", baci_files.release_dir({2014: lines}))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 7, 1)
    assert rejected_codes(home) == {9: code}  # header is line 1, the bad line is the 9th
    assert len(loaded_rows(home)) == len(WORLD_2014)


# --- 2. a duplicate key alone ------------------------------------------------------------------
def test_a_duplicate_key_alone_is_quarantined_not_an_internal_error(baci_files, home):
    lines = [*WORLD_2014, WORLD_2014[0]]  # line 9 repeats line 2
    result = sr.ingest(sr.open(home), "baci", baci_files.release_dir({2014: lines}))
    assert (result.rows_loaded, result.rows_rejected) == (7, 1)
    assert rejected_codes(home) == {9: "duplicate_key"}
    # the first copy is the one kept: BLR -> KAZ 870120, 300.5 thousand USD
    assert ("BLR", "KAZ", "870120", 300_500.0) in loaded_rows(home)


# --- 3. a year twice in a zip ------------------------------------------------------------------
@pytest.mark.parametrize(
    "names",
    [
        [year_name(2014), year_name(2014)],  # a repeated member name
        [year_name(2014), "copy/" + year_name(2014)],  # two folders
        [year_name(2014), year_name(2014).lower()],  # a case variant
    ],
)
def test_a_zip_holding_a_year_twice_is_refused(tmp_path, home, names):
    path = tmp_path / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a repeated name, and writes it
        for name, lines in zip(names, (WORLD_2014, WORLD_2014[:2]), strict=True):
            zf.writestr(name, year_text(lines))
        zf.writestr("country_codes_V202401b.csv", COUNTRIES_NEW)
    with pytest.raises(FormatError, match=r"holds year 2014 2 times") as info:
        sr.ingest(sr.open(home), "baci", path)
    assert "\n" not in str(info.value)
    assert not (home / "catalog.json").exists()


# --- 4. values that cannot be stored as they are -----------------------------------------------
@pytest.mark.parametrize(
    ("bad", "field", "code"),
    [
        ("2014,112,398,300490,1e306,5", "v", "value_out_of_range"),  # 1e309 USD: infinite
        ("2014,112,398,300490,1e-10,5", "v", "value_out_of_range"),  # 1e-7 USD rounds to 0
        ("2014,112,398,300490,5,1e306", "q", "bad_quantity"),  # 1e309 kg: infinite
    ],
)
def test_values_that_would_be_stored_as_inf_or_zero_are_rejected(
    baci_files, home, bad, field, code
):
    result = sr.ingest(sr.open(home), "baci", baci_files.release_dir({2014: [*WORLD_2014, bad]}))
    assert (result.rows_loaded, result.rows_rejected) == (7, 1)
    df = sr.open(home).rejected("baci-hs92")
    assert (df.field.tolist(), df.code.tolist()) == ([field], [code])
    values = sr.open(home).flows().to_pandas()
    assert values.value_usd.between(1, 1e300).all()  # every stored value finite and positive


# --- 9. plausible years, dangling links --------------------------------------------------------
def test_an_implausible_year_in_a_file_name_is_refused(baci_files, home):
    path = baci_files.year_file(1066, ["1066,112,398,300490,1,5"])
    with pytest.raises(
        InputError, match=r"implausible year; found 1066; expected a year from 1900"
    ):
        sr.ingest(sr.open(home), "baci", path)


def test_a_dangling_symlink_in_a_release_directory_is_an_error(baci_files, home):
    folder = baci_files.release_dir({2014: WORLD_2014})
    os.symlink(folder / "nowhere.csv", folder / year_name(2015))
    with pytest.raises(InputError, match=r"a year file is a dangling symbolic link"):
        sr.ingest(sr.open(home), "baci", folder)


def test_a_dangling_symlink_given_as_the_year_file_is_an_error(tmp_path, home):
    link = tmp_path / year_name(2014)
    os.symlink(tmp_path / "gone.csv", link)
    with pytest.raises(InputError, match=r"file not found"):
        sr.ingest(sr.open(home), "baci", link)


# --- Comtrade and table files: the helpers of their own tests ----------------------------------
COMTRADE_HEADER = "refYear,period,reporterCode,flowCode,partnerCode,classificationCode,cmdCode,primaryValue,cmdDesc"


def comtrade_csv(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes((newline.join([COMTRADE_HEADER, *lines]) + newline).encode("utf-8"))
    return path


TABLE_MAPPING = (
    "name: stat\nreporter: BLR\nflow: exports\nunit: usd\npartner: Страна\nwide: {columns: years}\n"
)


def table_csv(tmp_path: Path, lines: list[str]) -> tuple[Path, Path]:
    path = tmp_path / "t.csv"
    path.write_text("\n".join(["Страна;2015;2016", *lines]) + "\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(TABLE_MAPPING, encoding="utf-8")
    return path, mapping


# --- 5. Comtrade CSV records are split on line ends only ---------------------------------------
@pytest.mark.parametrize("breaker", ["\x85", "\u2028", "\x0c", "\x1c", "\u2029"])
def test_unicode_line_breaks_inside_a_field_do_not_split_records(tmp_path, home, breaker):
    lines = [
        f"2016,2016,112,X,398,H4,870120,1000,Tractors {breaker} road",  # line 2
        "2016,2016,112,X,643,H4,870120,250,Tractors",  # line 3
        "2016,2016,112,X,643,H4,870120,1,Tractors",  # line 4: a duplicate of line 3
    ]
    path = comtrade_csv(tmp_path / "blr.csv", lines)
    result = sr.ingest(sr.open(home), "comtrade", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    rej = sr.open(home).rejected("comtrade-blr")
    assert rej.line.tolist() == [4]  # line numbers do not shift
    assert loaded_rows(home) == [("BLR", "KAZ", "870120", 1000.0), ("BLR", "RUS", "870120", 250.0)]
    check = sr.open(home).check()  # 1 year file, its pair and product totals, the quarantine
    assert (check.ok, check.files_checked) == (True, 4)


# --- 6. one-line errors where an internal error was ---------------------------------------------
def test_a_huge_comtrade_field_is_a_one_line_error(tmp_path, home):
    path = comtrade_csv(
        tmp_path / "blr.csv", ['2016,2016,112,X,398,H4,870120,1000,"' + "x" * 200_000]
    )
    with pytest.raises(FormatError, match=r"line 2: a record cannot be split into fields") as info:
        sr.ingest(sr.open(home), "comtrade", path)
    assert "\n" not in str(info.value)


def test_a_huge_table_cell_is_a_one_line_error(tmp_path, home):
    path, mapping = table_csv(tmp_path, ['Казахстан;"' + "1" * 200_000 + '";5'])
    with pytest.raises(FormatError, match=r"line 2: a row cannot be split into cells"):
        sr.ingest(sr.open(home), "table", path, mapping=mapping)


def test_deeply_nested_json_is_a_one_line_error(tmp_path, home):
    path = tmp_path / "deep.json"
    path.write_text('{"data": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    with pytest.raises(FormatError, match=r"nested too deeply"):
        sr.ingest(sr.open(home), "comtrade", path)


def test_disk_full_while_extracting_says_disk_full(baci_files, home, monkeypatch):
    import errno
    import shutil

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    path = baci_files.release_zip({2014: WORLD_2014})
    with pytest.raises(StoreError, match=r"disk full while extracting"):
        sr.ingest(sr.open(home), "baci", path)


@pytest.mark.parametrize(
    "damage",
    [
        b"\xff\xfe\x00garbage",  # not UTF-8
        "nested",  # valid JSON whose source names an ingest the catalog lacks
    ],
)
def test_a_damaged_catalog_is_a_store_error(world_home, damage):
    path = world_home / "catalog.json"
    if damage == "nested":
        data = json.loads(path.read_text(encoding="utf-8"))
        data["ingests"] = {}
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        path.write_bytes(damage)
    with pytest.raises(StoreError, match=r"catalog (cannot be read|is damaged)"):
        sr.open(world_home).sources()


def test_a_deleted_data_file_is_named_and_check_finds_it(world_home):
    store = sr.open(world_home)
    assert store.check().ok and store.check().problems == []
    n_files = store.check().files_checked
    # 2 years x (year file + pair totals + product totals) + 1 quarantine file of the one ingest
    assert n_files == 7
    victim = store.parquet_files("baci-hs92")[0]
    victim.unlink()
    with pytest.raises(StoreError, match=r"a data file the catalog lists is missing"):
        sr.open(world_home).flows().count().execute()
    report = sr.open(world_home).check()
    assert not report.ok
    assert [(p.path, p.problem) for p in report.problems] == [
        (victim.relative_to(world_home).as_posix(), "missing")
    ]
    assert report.to_dict()["ok"] is False


def test_check_finds_a_changed_file(world_home):
    store = sr.open(world_home)
    victim = store.parquet_files("baci-hs92")[1]
    data = bytearray(victim.read_bytes())
    data[10] ^= 0xFF  # one bit pattern changed inside the file; size and footer intact
    victim.write_bytes(bytes(data))
    (problem,) = sr.open(world_home).check().problems
    assert problem.problem == "checksum"


# --- 7. stray entries in the store ------------------------------------------------------------
def test_a_stray_file_in_data_does_not_break_ingest_and_is_kept(world_home, baci_files):
    stray = world_home / "data" / ".DS_Store"
    stray.write_bytes(b"\x00\x00\x00\x01Bud1")
    result = sr.ingest(
        sr.open(world_home), "baci", baci_files.year_file(2016, ["2016,112,398,870120,7,1"])
    )
    assert result.rows_loaded == 1
    assert stray.read_bytes() == b"\x00\x00\x00\x01Bud1"
    problems = sr.open(world_home).check().problems
    assert [(p.path, p.problem) for p in problems] == [("data/.DS_Store", "stray")]


def test_the_garbage_collector_deletes_only_what_the_catalog_recorded(
    world_home, baci_files, tmp_path, monkeypatch
):
    monkeypatch.setenv("SILKROAD_GC_GRACE", "0")
    source_dir = world_home / "data" / "baci-hs92"
    mine = source_dir / "my-notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("do not delete")
    (source_dir / "20200101T000000-deadbeef").symlink_to(outside)
    before = {p.name for p in source_dir.iterdir()}
    # A newer release replaces the old one: its data directory is retired, then collected.
    sr.ingest(
        sr.open(world_home), "baci", baci_files.release_zip({2014: WORLD_2014}, version="202501")
    )
    after = {p.name for p in source_dir.iterdir()}
    store = sr.open(world_home)
    (current,) = {Path(r).name for r in store.catalog.referenced_dirs()}
    old = before - {"my-notes", "20200101T000000-deadbeef"}
    assert len(old) == 1 and not (old & after)  # the retired directory went
    assert after == {"my-notes", "20200101T000000-deadbeef", current}
    assert (mine / "keep.txt").read_text() == "mine"
    assert (outside / "precious.txt").read_text() == "do not delete"
    assert store.catalog.retired == {}


def test_a_commit_killed_before_its_catalog_leaves_a_directory_the_next_writer_collects(
    world_home, baci_files
):
    from silkroad.store.catalog import Catalog

    path = world_home / "catalog.json"
    catalog = Catalog.load(path)
    rel = "data/baci-hs92/20990101T000000-0badc0de"
    (world_home / rel / "year=2016").mkdir(parents=True)
    catalog.staging[rel] = "2099-01-01T00:00:00+00:00"  # recorded, then killed before rename
    catalog.save(path)
    sr.ingest(sr.open(world_home), "baci", baci_files.year_file(2016, ["2016,112,398,870120,7,1"]))
    assert not (world_home / rel).exists()
    assert Catalog.load(path).staging == {}


# --- 8. an empty replacement is refused --------------------------------------------------------
def test_a_header_only_year_file_does_not_replace_a_held_year(world_home, baci_files):
    before = (world_home / "catalog.json").read_bytes()
    empty = baci_files.year_file(2015, [])
    with pytest.raises(
        StoreError,
        match=r"no row of 2015 was loaded \(the input holds none\).*nothing was committed",
    ):
        sr.ingest(sr.open(world_home), "baci", empty)
    assert (world_home / "catalog.json").read_bytes() == before
    assert sr.open(world_home).flows().filter(lambda t: t.year == 2015).count().execute() == len(
        WORLD_2015
    )


def test_a_comtrade_year_of_rejected_rows_only_does_not_replace_a_held_year(tmp_path, home):
    good = comtrade_csv(tmp_path / "a.csv", ["2016,2016,112,X,398,H4,870120,1000,x"])
    sr.ingest(sr.open(home), "comtrade", good)
    bad = comtrade_csv(tmp_path / "b.csv", ["2016,2016,112,X,398,H4,870120,-5,x"])
    with pytest.raises(
        StoreError, match=r"every row of 2016 was rejected \(most often: negative_value, 1 row\)"
    ):
        sr.ingest(sr.open(home), "comtrade", bad)
    assert loaded_rows(home) == [("BLR", "KAZ", "870120", 1000.0)]


# --- 9. smaller items -------------------------------------------------------------------------
def test_sources_report_rows_read(baci_files, home, cli):
    sr.ingest(
        sr.open(home), "baci", baci_files.release_dir({2014: [*WORLD_2014, "2014,112,398,x,1,1"]})
    )
    (info,) = sr.open(home).sources()
    assert (info["rows_read"], info["rows"], info["rows_rejected"]) == (8, 7, 1)
    proc = cli("sources", "--json", "--home", home)
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)["sources"]
    assert (row["rows_read"], row["rows"], row["rows_rejected"]) == (8, 7, 1)


def test_an_unknown_reporter_in_a_mapping_names_the_file_and_field(tmp_path, home):
    path, mapping = table_csv(tmp_path, ["Казахстан;1;2"])
    mapping.write_text(
        TABLE_MAPPING.replace("reporter: BLR", "reporter: Atlantis"), encoding="utf-8"
    )
    with pytest.raises(
        ReferenceDataError, match=r"m\.yaml, field 'reporter': unknown reporter; found 'Atlantis'"
    ):
        sr.ingest(sr.open(home), "table", path, mapping=mapping)


def test_comtrade_codes_in_exponent_form_and_product_zero_are_rejected(tmp_path, home):
    lines = [
        "2016,2016,112,X,398,H4,870120,1000,x",  # line 2: loaded
        "2016,2016,112,X,6.43e2,H4,870120,5,x",  # line 3: 643 written as 6.43e2
        "2016,2016,112,X,643,H4,0,7,x",  # line 4: product 0
        "2016,2016,112,X,643,H4,000101,7,x",  # line 5: chapter 00
    ]
    result = sr.ingest(sr.open(home), "comtrade", comtrade_csv(tmp_path / "c.csv", lines))
    assert (result.rows_loaded, result.rows_rejected) == (1, 3)
    rej = sr.open(home).rejected("comtrade-blr")
    assert dict(zip(rej.line.astype(int), rej.code, strict=True)) == {
        3: "unknown_country",
        4: "bad_product",
        5: "bad_product",
    }


def test_table_values_that_cannot_be_stored_are_rejected(tmp_path, home):
    path, mapping = table_csv(tmp_path, ["Казахстан;" + "9" * 400 + ";5", "Россия;7;8"])
    result = sr.ingest(sr.open(home), "table", path, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    assert result.rejected_by_reason == {"value_out_of_range": 1}
    values = sr.open(home).flows().to_pandas().value_usd
    assert sorted(values) == [5.0, 7.0, 8.0]
