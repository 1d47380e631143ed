"""The synthetic demo world: BACI format, determinism, and the structure analyses rely on."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from silkroad.errors import InputError
from silkroad.reference.countries import countries
from silkroad.sources import synthetic
from silkroad.sources.synthetic import describe, generate, generate_year_csv, world

VERSION = synthetic.DEFAULT_VERSION
YEARS = list(synthetic.DEFAULT_YEARS)
EAEU = ["ARM", "BLR", "KAZ", "KGZ", "RUS"]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="module")
def raw(release: Path) -> pa.Table:
    """All years as written: k, v and q as text."""
    types = {"t": pa.int16(), "i": pa.int16(), "j": pa.int16()}
    types |= {"k": pa.string(), "v": pa.string(), "q": pa.string()}
    options = pacsv.ConvertOptions(column_types=types)
    tables = []
    with zipfile.ZipFile(release) as zf:
        for year in YEARS:
            with zf.open(f"BACI_HS92_Y{year}_V{VERSION}.csv") as fh:
                tables.append(pacsv.read_csv(fh, convert_options=options))
    table = pa.concat_tables(tables)
    return table.append_column("value", pc.cast(table["v"], pa.float64()))


@pytest.fixture(scope="module")
def flows(raw: pa.Table) -> pd.DataFrame:
    """t, i, j, value for all years."""
    return raw.select(["t", "i", "j", "value"]).to_pandas()


@pytest.fixture(scope="module")
def economies(release: Path) -> pd.DataFrame:
    with zipfile.ZipFile(release) as zf:
        data = zf.read(f"country_codes_V{VERSION}.csv").decode("utf-8")
    return pd.read_csv(io.StringIO(data), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def year_2014(raw: pa.Table, economies: pd.DataFrame) -> pd.DataFrame:
    iso3 = dict(zip(economies["country_code"].astype(int), economies["country_iso3"], strict=True))
    df = raw.filter(pc.equal(raw["t"], 2014)).to_pandas()
    df["exporter"] = df["i"].map(iso3)
    df["importer"] = df["j"].map(iso3)
    return df


def _all(array: pa.ChunkedArray, pattern: str) -> bool:
    return pc.all(pc.match_substring_regex(array, pattern)).as_py()


def _spearman(a: pd.Series, b: pd.Series) -> float:
    return float(a.rank().corr(b.rank()))


def test_zip_members_and_headers(release: Path) -> None:
    assert release.name == f"BACI_HS92_V{VERSION}.zip"
    with zipfile.ZipFile(release) as zf:
        names = set(zf.namelist())
        expected = {f"BACI_HS92_Y{y}_V{VERSION}.csv" for y in YEARS}
        expected |= {f"country_codes_V{VERSION}.csv", f"product_codes_HS92_V{VERSION}.csv"}
        assert names == expected | {"Readme.txt"}
        for year in YEARS:
            with zf.open(f"BACI_HS92_Y{year}_V{VERSION}.csv") as fh:
                assert fh.readline() == b"t,i,j,k,v,q\n"
        countries_head = zf.read(f"country_codes_V{VERSION}.csv").split(b"\n", 1)[0]
        assert countries_head == b"country_code,country_name,country_iso2,country_iso3"
        products = zf.read(f"product_codes_HS92_V{VERSION}.csv").decode("utf-8").splitlines()
        assert products[0] == '"code","description"'
        assert re.fullmatch(r'"01\d{4}","[^"]+"', products[1])
        readme = zf.read("Readme.txt").decode("utf-8")
    keys = dict(
        (k.strip(), v.strip())
        for k, v in (line.split(" : ", 1) for line in readme.splitlines() if " : " in line)
    )
    assert keys["Synthetic"] == "yes"
    assert keys["Generator"] == "silkroad synthetic demo world"
    assert keys["Seed"] == "42"
    assert keys["Size"] == "small"
    assert keys["Version"] == VERSION
    assert keys["Name of the dataset"] == "BACI"


def test_country_codes_are_baci_codes(economies: pd.DataFrame, flows: pd.DataFrame) -> None:
    assert len(economies) >= 150
    code = dict(zip(economies["country_iso3"], economies["country_code"].astype(int), strict=True))
    assert economies["country_code"].is_unique
    assert {"FRA": 251, "NOR": 579, "IND": 699, "CHE": 757, "USA": 842}.items() <= code.items()
    for iso3 in ["BLR", "KAZ", "RUS", "ARM", "KGZ", "CHN", "DEU", "ITA", "BRA"]:
        assert code[iso3] == countries().set_index("iso3").loc[iso3, "iso_numeric"]
    ref = countries().set_index("iso3")
    assert (economies["country_iso2"] == ref.loc[economies["country_iso3"], "iso2"].values).all()
    exporters, importers = np.unique(flows["i"]), np.unique(flows["j"])
    assert set(exporters) | set(importers) <= set(code.values())
    assert len(exporters) >= 150


def test_products_cover_every_chapter_with_real_codes(release: Path, raw: pa.Table) -> None:
    with zipfile.ZipFile(release) as zf:
        text = zf.read(f"product_codes_HS92_V{VERSION}.csv").decode("utf-8")
    products = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert products["code"].str.fullmatch(r"\d{6}").all()
    assert products["code"].is_unique
    chapters = {f"{c:02d}" for c in range(1, 98)} - {"77"}
    assert set(products["code"].str[:2]) == chapters
    listed = set(pc.unique(raw["k"]).to_pylist())
    assert {k[:2] for k in listed} == chapters
    assert listed <= set(products["code"])
    talked_about = ["870120", "870130", "870190", "040120", "040210", "040510", "040690",
                    "271012", "271019", "310420", "270900", "100199", "870423"]  # fmt: skip
    assert set(talked_about) <= set(products["code"])
    assert set(talked_about) <= listed


def test_rows_are_valid_baci_rows(raw: pa.Table) -> None:
    assert _all(raw["k"], r"^\d{6}$")
    assert pc.any(pc.starts_with(raw["k"], "0")).as_py()  # leading zeros of chapters 01-09
    assert _all(raw["v"], r"^\d+(\.\d{1,3})?$")  # thousands of USD, at most 3 decimals
    assert pc.min(raw["value"]).as_py() > 0
    assert not pc.any(pc.equal(raw["i"], raw["j"])).as_py()
    t, i, j = (raw[c].to_numpy().astype(np.int64) for c in ("t", "i", "j"))
    k = pc.cast(raw["k"], pa.int64()).to_numpy()
    key = ((t * 1000 + i) * 1000 + j) * 1_000_000 + k
    assert (np.diff(key) > 0).all()  # sorted by (t, i, j, k), hence each flow unique
    years = np.unique(t).tolist()
    assert years == YEARS
    assert len(years) >= 10 and years == list(range(years[0], years[0] + len(years)))
    rows = np.bincount(t - years[0])
    assert ((rows > 200_000) & (rows < 2_000_000)).all()


def test_quantities_in_tonnes_with_missing_values(raw: pa.Table, year_2014: pd.DataFrame) -> None:
    q = raw["q"]
    missing = pc.mean(pc.cast(pc.equal(q, "NA"), pa.int8())).as_py()
    assert 0.01 < missing < 0.03
    assert pc.any(pc.equal(q, "")).as_py()
    given = pc.filter(q, pc.and_(pc.not_equal(q, "NA"), pc.not_equal(q, "")))
    assert _all(given, r"^\d+(\.\d{1,3})?$")
    assert pc.min(pc.cast(given, pa.float64())).as_py() > 0
    # unit values (USD per tonne) are plausible: crude oil is cheap, ICs are dear
    known = year_2014[~year_2014["q"].isin(["NA", ""])]
    unit = known["value"] * 1000 / known["q"].astype(float)
    by_product = unit.groupby(known["k"]).median()
    assert 200 < by_product["270900"] < 2_000
    assert by_product["854231"] > 100 * by_product["270900"]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path, release: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    world.cache_clear()  # rebuild the world from the seed too
    again = generate(tmp_path / "a", years=[2014], progress=lambda *c: calls.append(c))
    other = generate(tmp_path / "b", years=[2014], seed=7)
    assert calls == [("generate", 0, 1), ("generate", 1, 1)]
    members = [f"BACI_HS92_Y2014_V{VERSION}.csv", f"country_codes_V{VERSION}.csv"]
    members += [f"product_codes_HS92_V{VERSION}.csv"]
    with zipfile.ZipFile(again) as za, zipfile.ZipFile(release) as zr:
        # same seed, same bytes; and a year does not depend on the other years generated
        for member in members:
            assert za.read(member) == zr.read(member)
    with zipfile.ZipFile(other) as zo, zipfile.ZipFile(release) as zr:
        assert zo.read(members[0]) != zr.read(members[0])
        assert b"Seed : 7" in zo.read("Readme.txt")


def test_standalone_year_csv_matches_the_zip_member(tmp_path: Path, release: Path) -> None:
    path = tmp_path / f"BACI_HS92_Y2016_V{VERSION}.csv"
    rows = generate_year_csv(path, year=2016, size="small")
    with zipfile.ZipFile(release) as zf:
        member = zf.read(f"BACI_HS92_Y2016_V{VERSION}.csv")
    assert path.read_bytes() == member
    assert rows == member.count(b"\n") - 1


def _haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371 * np.arcsin(np.sqrt(a))


def test_gravity_holds(year_2014: pd.DataFrame) -> None:
    pairs = year_2014.groupby(["exporter", "importer"])["value"].sum().reset_index()
    w = world()
    gdp = dict(zip(w.economies["iso3"], w.gdp_bn(2014), strict=True))
    capital = countries().set_index("iso3")[["capital_lat", "capital_lon"]]
    o, d = capital.loc[pairs["exporter"]].to_numpy(), capital.loc[pairs["importer"]].to_numpy()
    distance = np.maximum(_haversine_km(o[:, 0], o[:, 1], d[:, 0], d[:, 1]), 50)
    x = np.column_stack(
        [
            np.ones(len(pairs)),
            np.log(pairs["exporter"].map(gdp)),
            np.log(pairs["importer"].map(gdp)),
            np.log(distance),
        ]
    )
    (_, b_exporter, b_importer, b_distance), *_ = np.linalg.lstsq(
        x, np.log(pairs["value"]), rcond=None
    )
    assert b_exporter > 0.5
    assert b_importer > 0.5
    assert b_distance < -0.5


def test_eaeu_lifts_trade_among_members_from_2015(flows: pd.DataFrame) -> None:
    w = world()
    code = dict(zip(w.economies["iso3"], w.economies["baci_code"], strict=True))
    members = [code[c] for c in EAEU]
    share = {}
    for year in (2013, 2014, 2015):
        df = flows[flows["t"] == year]
        out, into = df["i"].isin(members), df["j"].isin(members)
        intra = df.loc[out & into, "value"].sum()
        share[year] = intra / df.loc[out | into, "value"].sum()
    assert share[2015] > 1.1 * share[2014]
    assert share[2015] / share[2014] > share[2014] / share[2013]


def test_world_trade_dips_in_2009_and_grows(flows: pd.DataFrame) -> None:
    total = flows.groupby("t")["value"].sum()
    assert total[2009] < 0.9 * total[2008]
    assert total[2010] > total[2009]
    assert total[2016] > total[2010] > total[2007] * 0.95


def test_capabilities_are_nested(year_2014: pd.DataFrame) -> None:
    w = world()
    eco = w.economies.set_index("iso3")
    exported = year_2014.groupby("exporter")["k"].unique()
    diversity = exported.map(len)
    assert _spearman(diversity, eco["capability"].reindex(diversity.index)) > 0.8
    assert _spearman(diversity, eco["gdp_bn_2010"].reindex(diversity.index)) > 0.6
    # nestedness: diversified economies also export the rare products, and the less
    # diversified export what (almost) everyone exports
    ubiquity = year_2014.groupby("k")["exporter"].nunique()
    mean_ubiquity = exported.map(lambda ks: ubiquity[ks].mean())
    assert _spearman(diversity, mean_ubiquity) < -0.5


def test_known_specialisations(year_2014: pd.DataFrame) -> None:
    def top(iso3: str, digits: int, n: int) -> list[str]:
        df = year_2014[year_2014["exporter"] == iso3]
        return df.groupby(df["k"].str[:digits])["value"].sum().nlargest(n).index.tolist()

    assert "2710" in top("BLR", 4, 5)
    assert "3104" in top("BLR", 4, 15)
    assert {"8701", "8704"} & set(top("BLR", 4, 10))
    assert {"0401", "0402", "0403", "0405", "0406"} & set(top("BLR", 4, 20))
    assert top("KAZ", 6, 1) == ["270900"]
    assert top("RUS", 2, 1) == ["27"]


def test_unknown_size_and_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="size"):
        generate(tmp_path, size="huge")
    with pytest.raises(InputError, match="version"):
        generate(tmp_path, version="2024-01")
    with pytest.raises(InputError, match="seed"):
        generate(tmp_path, seed=-1)
    with pytest.raises(InputError, match="years"):
        generate(tmp_path, years=range(2010, 2010))
    assert not list(tmp_path.iterdir())
    assert set(synthetic.SIZES) == {"small", "full"}
    assert "synthetic" in describe("full").lower() and "5000" in describe("full").replace(",", "")


def test_csv_is_readable_by_the_standard_csv_module(release: Path) -> None:
    with zipfile.ZipFile(release) as zf, zf.open(f"BACI_HS92_Y2007_V{VERSION}.csv") as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8"))
        header = next(reader)
        first = [next(reader) for _ in range(1000)]
    assert header == ["t", "i", "j", "k", "v", "q"]
    assert all(len(row) == 6 and row[0] == "2007" for row in first)
