"""Gravity covariates: coverage of the reference table, distances, contiguity, languages, and
a user's CEPII GeoDist file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from silkroad.errors import FormatError, InputError, ReferenceDataError
from silkroad.reference.countries import countries
from silkroad.reference.geo import (
    EARTH_RADIUS_KM,
    covariates,
    great_circle_km,
    pair_covariates,
    read_geodist,
)


def test_every_economy_of_the_reference_table_has_a_row():
    geo = covariates()
    ref = countries()
    iso = set(ref.loc[ref.kind == "country", "iso3"])
    assert iso <= set(geo["iso3"])
    assert not geo["iso3"].duplicated().any()
    assert {"ANT", "SCG", "XKX"} <= set(geo["iso3"])
    located = geo.dropna(subset=["capital_lat"])
    assert located["capital_lat"].between(-90, 90).all()
    assert located["capital_lon"].between(-180, 180).all()
    assert set(geo.loc[geo.capital_lat.isna(), "iso3"]) == {"ATA"}


def test_capitals_agree_with_the_reference_table():
    """Two sources (countryinfo and our 0.1-degree table) agree where both have a capital."""
    geo = (
        covariates()
        .merge(
            countries()[["iso3", "capital_lat", "capital_lon"]], on="iso3", suffixes=("", "_ref")
        )
        .dropna()
    )
    off = np.maximum(
        abs(geo.capital_lat - geo.capital_lat_ref), abs(geo.capital_lon - geo.capital_lon_ref)
    )
    assert (off <= 0.5).all(), geo.loc[off > 0.5, "iso3"].tolist()
    assert len(geo) > 240


def test_great_circle_distances():
    quarter = math.pi * EARTH_RADIUS_KM / 2
    assert float(great_circle_km(0, 0, 0, 90)) == pytest.approx(quarter)
    assert float(great_circle_km(0, 0, 90, 0)) == pytest.approx(quarter)
    assert float(great_circle_km(10, 20, 10, 20)) == 0.0
    assert float(great_circle_km(-33.9, 151.2, 51.5, -0.1)) == pytest.approx(
        float(great_circle_km(51.5, -0.1, -33.9, 151.2))
    )
    # Minsk–Moscow is about 675 km; Paris–London about 344 km
    pc = pair_covariates(["BLR", "RUS", "FRA", "GBR"]).set_index(["exporter", "importer"])
    assert pc.loc[("BLR", "RUS"), "dist_km"] == pytest.approx(675, abs=10)
    assert pc.loc[("FRA", "GBR"), "dist_km"] == pytest.approx(344, abs=10)


def test_contiguity_and_common_language():
    pc = pair_covariates(
        ["BLR", "KAZ", "RUS", "FRA", "ESP", "DEU", "AUT", "USA", "GBR", "KWT", "IRN"]
    ).set_index(["exporter", "importer"])
    assert len(pc) == 11 * 10
    for a, b in [("BLR", "RUS"), ("KAZ", "RUS"), ("FRA", "ESP"), ("DEU", "AUT")]:
        assert pc.loc[(a, b), "contig"] == pc.loc[(b, a), "contig"] == 1
    for a, b in [("BLR", "KAZ"), ("USA", "GBR"), ("KWT", "IRN"), ("FRA", "GBR")]:
        assert pc.loc[(a, b), "contig"] == 0
    for a, b in [("BLR", "RUS"), ("KAZ", "RUS"), ("DEU", "AUT"), ("USA", "GBR")]:
        assert pc.loc[(a, b), "comlang"] == pc.loc[(b, a), "comlang"] == 1
    for a, b in [("DEU", "FRA"), ("ESP", "RUS"), ("KWT", "IRN")]:
        assert pc.loc[(a, b), "comlang"] == 0


def test_borders_are_symmetric_and_known():
    geo = covariates().set_index("iso3")
    for code, borders in geo["borders"].items():
        for b in borders:
            assert b in geo.index and code in geo.at[b, "borders"], (code, b)


def test_unknown_economy_is_an_error():
    with pytest.raises(ReferenceDataError, match="no geography"):
        pair_covariates(["BLR", "ZZZ"])


def _geodist(tmp_path, rows, name="dist_cepii.csv"):
    df = pd.DataFrame(rows, columns=["iso_o", "iso_d", "contig", "comlang_off", "dist", "distw"])
    path = tmp_path / name
    if name.endswith(".dta"):
        df.to_stata(path, write_index=False)
    else:
        df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name", ["dist_cepii.csv", "dist_cepii.dta"])
def test_read_geodist(tmp_path, name):
    path = _geodist(
        tmp_path,
        [
            ("BLR", "RUS", 1, 1, 675.2, 700.0),
            ("RUS", "BLR", 1, 1, 675.2, 700.0),
            ("BLR", "BLR", 0, 1, 100.0, 90.0),
            ("BLR", "USA", 0, 0, 7900.0, 8000.0),
        ],
        name,
    )
    df = read_geodist(path, economies=["BLR", "RUS"])
    assert list(df.columns) == ["exporter", "importer", "dist_km", "contig", "comlang"]
    assert len(df) == 3
    row = df[(df.exporter == "BLR") & (df.importer == "RUS")].iloc[0]
    assert (row.dist_km, row.contig, row.comlang) == (675.2, 1, 1)
    assert df.attrs["source"] == f"CEPII GeoDist layout file {name}"


def test_read_geodist_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_geodist(tmp_path / "none.csv")
    bad = _geodist(tmp_path, [("BLR", "RUS", 1, 1, 675.2, 1.0), ("RUS", "BLR", 1, 1, "x", 1.0)])
    with pytest.raises(FormatError, match=r"line 3, field 'dist'.*found 'x'") as info:
        read_geodist(bad)
    assert "\n" not in str(info.value)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FormatError, match="not a CEPII GeoDist layout"):
        read_geodist(other)
    dup = _geodist(tmp_path, [("BLR", "RUS", 1, 1, 1.0, 1.0)] * 2, "dup.csv")
    with pytest.raises(FormatError, match="pair listed twice"):
        read_geodist(dup)
