"""Gravity covariates: capital coordinates, great-circle distances, land contiguity, languages.

The data live in ``reference/data/geo/covariates.csv`` (source, licence and corrections in the
README beside it): one row per economy of ``countries.csv`` (plus ``ANT``, ``SCG`` and ``XKX``),
columns ``iso3,capital,capital_lat,capital_lon,languages,borders,source``. ``languages`` holds
ISO 639 codes separated by spaces, ``borders`` the ISO3 codes of the economies sharing a land
border (the relation is symmetric).

Pair covariates, for every ordered pair of distinct economies:

* ``dist_km``: great-circle (haversine) distance between capitals, in km, on a sphere of radius
  6371.0088 km (the mean Earth radius);
* ``contig``: 1 when the two share a land border, else 0;
* ``comlang``: 1 when they share at least one official language, else 0.

A user may supply a distance file in CEPII GeoDist layout instead (:func:`read_geodist`).

>>> pc = pair_covariates(["BLR", "KAZ", "RUS"])
>>> pc.loc[(pc.exporter == "BLR") & (pc.importer == "RUS"), ["contig", "comlang"]].values.tolist()
[[1, 1]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from silkroad.errors import FormatError, InputError, ReferenceDataError

__all__ = [
    "EARTH_RADIUS_KM",
    "PAIR_COVARIATES",
    "covariates",
    "great_circle_km",
    "pair_covariates",
    "read_geodist",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), km."""

PAIR_COVARIATES = ("dist_km", "contig", "comlang")
"""The pair covariates silkroad ships: distance (km), land contiguity (0/1), common language."""

COLUMNS = ["iso3", "capital", "capital_lat", "capital_lon", "languages", "borders", "source"]
SOURCE = "silkroad geo covariates (countryinfo 1.0.1 data, MIT; see reference/data/geo/README.md)"

#: CEPII GeoDist columns read (``dist`` is the distance between the most populated cities, km).
GEODIST_REQUIRED = ("iso_o", "iso_d", "dist")
GEODIST_OPTIONAL = {"contig": "contig", "comlang_off": "comlang"}


@lru_cache(maxsize=1)
def _covariates() -> pd.DataFrame:
    path = resources.files("silkroad.reference").joinpath("data", "geo", "covariates.csv")
    with path.open(encoding="utf-8") as f:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
    if list(df.columns) != COLUMNS:
        raise ReferenceDataError(
            "bad header in reference data",
            path="geo/covariates.csv",
            found=",".join(df.columns),
            expected=",".join(COLUMNS),
        )
    for col in ("capital_lat", "capital_lon"):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("float64")
    df["languages"] = [tuple(s.split()) for s in df["languages"]]
    df["borders"] = [tuple(s.split()) for s in df["borders"]]
    return df.sort_values("iso3", ignore_index=True)


def covariates() -> pd.DataFrame:
    """The economies' geography, one row each: ``iso3``, ``capital``, ``capital_lat`` and
    ``capital_lon`` (decimal degrees, NaN where there is no capital), ``languages`` and
    ``borders`` (tuples of ISO 639 / ISO3 codes) and ``source``. Returns a copy.

    >>> c = covariates()
    >>> c.loc[c.iso3 == "KAZ", "borders"].item()
    ('CHN', 'KGZ', 'RUS', 'TKM', 'UZB')
    """
    return _covariates().copy()


def great_circle_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km between points given in decimal degrees (haversine formula).

    >>> round(float(great_circle_km(0.0, 0.0, 0.0, 180.0)), 1)
    20015.1
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def pair_covariates(economies: Iterable[str] | None = None) -> pd.DataFrame:
    """Distance (km), contiguity and common language for every ordered pair of distinct
    economies (all shipped ones by default).

    Columns: ``exporter``, ``importer``, ``dist_km`` (float64, NaN when a capital is unknown),
    ``contig``, ``comlang`` (int8). Raises ReferenceDataError for an economy without geography.
    """
    geo = _covariates()
    if economies is not None:
        wanted = sorted(set(economies))
        unknown = sorted(set(wanted) - set(geo["iso3"]))
        if unknown:
            raise ReferenceDataError(
                "no geography for these economies",
                found=", ".join(unknown[:10]),
                expected="codes listed in reference/data/geo/covariates.csv",
            )
        geo = geo.set_index("iso3").loc[wanted].reset_index()
    n = len(geo)
    codes = geo["iso3"].to_numpy()
    lat = geo["capital_lat"].to_numpy()
    lon = geo["capital_lon"].to_numpy()
    dist = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    pos = {c: k for k, c in enumerate(codes)}
    contig = np.zeros((n, n), dtype=np.int8)
    for k, borders in enumerate(geo["borders"]):
        for b in borders:
            if b in pos:
                contig[k, pos[b]] = contig[pos[b], k] = 1
    langs = list(geo["languages"])
    comlang = np.zeros((n, n), dtype=np.int8)
    for a in range(n):
        la = set(langs[a])
        if not la:
            continue
        for b in range(a + 1, n):
            if la.intersection(langs[b]):
                comlang[a, b] = comlang[b, a] = 1
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    return pd.DataFrame(
        {
            "exporter": codes[ii],
            "importer": codes[jj],
            "dist_km": dist[ii, jj],
            "contig": contig[ii, jj],
            "comlang": comlang[ii, jj],
        }
    )


def read_geodist(path: str | Path, economies: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a distance file in CEPII GeoDist layout (``dist_cepii``: CSV, Stata ``.dta`` or
    Excel-exported CSV) into the columns of :func:`pair_covariates`.

    Needs ``iso_o``, ``iso_d`` and ``dist`` (km); ``contig`` and ``comlang_off`` are taken when
    present (the result then has ``contig``/``comlang``). Rows of pairs outside ``economies`` are
    dropped; intra-national rows (``iso_o == iso_d``) are kept, for panels that need them.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("distance file not found", path=path)
    try:
        if path.suffix.lower() == ".dta":
            df = pd.read_stata(path)
        elif path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, dtype={"iso_o": str, "iso_d": str}, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise FormatError(
            "cannot read the distance file", path=path, found=str(exc).splitlines()[0]
        ) from exc
    missing = [c for c in GEODIST_REQUIRED if c not in df.columns]
    if missing:
        raise FormatError(
            "not a CEPII GeoDist layout",
            path=path,
            found="columns " + ", ".join(map(str, df.columns[:12])),
            expected="columns " + ", ".join(GEODIST_REQUIRED),
        )
    out = pd.DataFrame(
        {
            "exporter": df["iso_o"].astype(str).str.strip().str.upper(),
            "importer": df["iso_d"].astype(str).str.strip().str.upper(),
        }
    )
    dist = pd.to_numeric(df["dist"], errors="coerce")
    bad = dist.isna() | (dist < 0)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise FormatError(
            "distance is not a non-negative number",
            path=path,
            line=line,
            field="dist",
            found=str(df["dist"].iloc[line - 2]),
            expected="km",
        )
    out["dist_km"] = dist.astype("float64")
    for src, dst in GEODIST_OPTIONAL.items():
        if src in df.columns:
            val = pd.to_numeric(df[src], errors="coerce")
            if val.isna().any() or not val.isin([0, 1]).all():
                line = int(np.flatnonzero((val.isna() | ~val.isin([0, 1])).to_numpy())[0]) + 2
                raise FormatError(
                    "dummy is not 0 or 1", path=path, line=line, field=src, expected="0 or 1"
                )
            out[dst] = val.astype("int8")
    if out.duplicated(["exporter", "importer"]).any():
        dup = out[out.duplicated(["exporter", "importer"])].iloc[0]
        raise FormatError(
            "pair listed twice",
            path=path,
            found=f"{dup['exporter']}-{dup['importer']}",
            expected="one row per (iso_o, iso_d)",
        )
    if economies is not None:
        keep = set(economies)
        out = out[out["exporter"].isin(keep) & out["importer"].isin(keep)]
    out = out.reset_index(drop=True)
    out.attrs["source"] = f"CEPII GeoDist layout file {path.name}"
    return out
