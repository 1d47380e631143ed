"""A deterministic synthetic demo world, written as a CEPII BACI release.

:func:`generate` writes ``BACI_HS92_V{version}.zip`` with the members of a real release
(FORMATS.md section 1): one ``BACI_HS92_Y{year}_V{version}.csv`` per year with header
``t,i,j,k,v,q`` (BACI numeric codes, HS6 codes with leading zeros, values in thousands of USD,
quantities in tonnes with ``NA`` where missing), ``country_codes_V{version}.csv`` (schema of
202401b and later), ``product_codes_HS92_V{version}.csv`` and ``Readme.txt``. The readme says
``Synthetic : yes``, so that everything computed from it is marked synthetic.

The data are invented but shaped like the real thing (see :mod:`.synthetic_world`): gravity
(flows grow with both GDPs and fall with distance), an EAEU lift from 2015, nested
capabilities (diversified economies export complex products that others cannot), sparse
flows, unit values, a dip in 2009 and a trend. The same seed gives the same bytes.

Example::

    >>> from silkroad.sources.synthetic import generate
    >>> zip_path = generate("/tmp/demo", size="small", years=range(2013, 2015))  # doctest: +SKIP
    >>> zip_path.name  # doctest: +SKIP
    'BACI_HS92_V202401b.zip'
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from silkroad.errors import InputError
from silkroad.sources.synthetic_world import (
    World,
    build_world,
    listing_probability,
    normal_quantile,
)

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_VERSION",
    "DEFAULT_YEARS",
    "SIZES",
    "SizeSpec",
    "describe",
    "generate",
    "generate_year_csv",
    "world",
    "year_tables",
]

DEFAULT_SEED = 42
DEFAULT_VERSION = "202401b"
DEFAULT_YEARS = range(2007, 2017)
REVISION = "HS92"
GENERATOR = "silkroad synthetic demo world"

VALUE_SIGMA = 0.7
"""Persistent noise of a flow's value around the model (log scale, normal)."""
YEAR_SIGMA = 0.2
"""Year-to-year noise of a flow's value (log scale, normal)."""
SHOCK_SIGMA = 0.1
"""Year-to-year shocks to an exporter's products and to its partners (log scale)."""
PRICE_SIGMA = 0.1
Q_MISSING = 0.02
"""Share of rows whose quantity is written ``NA``."""
Q_EMPTY = 0.001
"""Share of rows whose quantity is written as an empty field (a quirk of recent releases)."""
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
MAX_FIELD = 9_999_999_999.999
"""Cap of v and q: larger numbers would be written in exponent notation (never reached)."""

_VERSION = re.compile(r"^\d{6}[a-z]?$")
_SCHEMA = pa.schema(
    [("t", pa.int16()), ("i", pa.int16()), ("j", pa.int16()), ("k", pa.string()),
     ("v", pa.float64()), ("q", pa.string())]
)  # fmt: skip
_CSV_OPTIONS = pacsv.WriteOptions(quoting_style="none", quoting_header="none")


@dataclass(frozen=True)
class SizeSpec:
    """Parameters of one size of the synthetic world."""

    economies: int
    """The largest economies by GDP (EAEU members are always in)."""
    products: int
    """About this many HS6 products, in every chapter but 77."""
    rows_2010: int
    """Expected number of rows in 2010 (later years have more, 2009 fewer)."""
    compresslevel: int
    """Deflate level of the zip members."""
    purpose: str


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(155, 600, 600_000, 1, "demo and tests; a few seconds"),
    "full": SizeSpec(205, 5_000, 10_000_000, 1, "benchmarks; the size of a real BACI year"),
}
"""Size name -> parameters."""


def _spec(size: str) -> SizeSpec:
    if size not in SIZES:
        raise InputError(
            "unknown synthetic size", field="size", found=size, expected=" or ".join(SIZES)
        )
    return SIZES[size]


def describe(size: str = "small") -> str:
    """One paragraph saying what :func:`generate` makes for ``size``."""
    spec = _spec(size)
    return (
        f"Synthetic BACI HS92 release, size {size!r} ({spec.purpose}): about "
        f"{spec.economies} economies x {spec.products} HS6 products, about "
        f"{spec.rows_2010:,} flows in 2010, years {DEFAULT_YEARS.start}-"
        f"{DEFAULT_YEARS.stop - 1} by default. Invented data shaped like real trade: gravity, "
        "an EAEU lift from 2015, nested capabilities, a 2009 dip. Not real statistics."
    )


@lru_cache(maxsize=2)
def world(size: str = "small", seed: int = DEFAULT_SEED) -> World:
    """The world that :func:`generate` writes for ``size`` and ``seed`` (cached)."""
    spec = _spec(size)
    return build_world(
        n_economies=spec.economies, n_products=spec.products, rows_2010=spec.rows_2010, seed=seed
    )


def _check(seed: int, version: str, years: Iterable[int] | None) -> list[int]:
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError("bad seed", field="seed", found=seed, expected="an integer >= 0")
    if not _VERSION.match(version):
        raise InputError(
            "bad BACI version", field="version", found=version, expected="YYYYMM or YYYYMMx"
        )
    chosen = sorted(set(DEFAULT_YEARS if years is None else years))
    if not chosen or not all(isinstance(y, int) and 1900 <= y <= 2100 for y in chosen):
        raise InputError(
            "bad years", field="years", found=list(chosen)[:3], expected="years 1900-2100"
        )
    return chosen


def year_tables(w: World, year: int) -> Iterator[pa.Table]:
    """The rows of ``year``, one table per exporter, in BACI order (i, j, k).

    Persistent draws depend on (seed, exporter) only, so a flow keeps its level from year to
    year; yearly draws depend on (seed, exporter, year).
    """
    eco, prod = w.economies, w.products
    codes = eco["baci_code"].to_numpy().astype(np.int16)
    hs6 = pa.array(prod["code"], pa.string())
    gravity = w.gravity(year) * w.scale(year) / w.e0
    price = w.price(year)
    n_c = len(eco)
    for i in range(n_c):
        products = w.feasible[i]
        if len(products) == 0:
            continue
        persistent = np.random.default_rng([w.seed, 1, i]).random((n_c, len(products)))
        rng = np.random.default_rng([w.seed, 2, i, year])
        shock_j = np.exp(rng.normal(-(SHOCK_SIGMA**2) / 2, SHOCK_SIGMA, n_c))
        shock_p = np.exp(rng.normal(-(SHOCK_SIGMA**2) / 2, SHOCK_SIGMA, len(products)))
        # ratio = E / E0 for every importer (rows) and feasible product (columns)
        ratio = (gravity[i] * shock_j)[:, None] * w.demand[:, products]
        ratio *= (w.mix[i, products] * price[products] * shock_p)[None, :]
        candidate = persistent**2 < ratio  # listing_probability(ratio) <= sqrt(ratio)
        jj0, kk0 = np.nonzero(candidate)
        r0, u0 = ratio[jj0, kk0], persistent[jj0, kk0]
        p0 = listing_probability(r0)
        listed = u0 < p0
        jj, kk, r, u, probability = (a[listed] for a in (jj0, kk0, r0, u0, p0))
        n = len(r)
        # the low bits of the persistent uniform give the flow's own persistent level
        level = normal_quantile(np.clip((u * 2.0**26) % 1.0, 1e-6, 1 - 1e-6))
        noise = rng.normal(0, YEAR_SIGMA, n)
        value = w.e0 * r / probability
        value *= np.exp(VALUE_SIGMA * level + noise - 0.5 * (VALUE_SIGMA**2 + YEAR_SIGMA**2))
        value = np.round(np.minimum(value, MAX_FIELD), 3)
        p = products[kk]
        unit_value = w.unit_value[i, p] * price[p] * np.exp(rng.normal(0, PRICE_SIGMA, n))
        quantity = np.clip(np.round(value * 1000.0 / unit_value, 3), 0.001, MAX_FIELD)
        missing = rng.random(n)
        positive = value > 0
        q = pc.cast(pa.array(quantity), pa.string())
        q = pc.if_else(pa.array(missing < Q_MISSING), "NA", q)
        q = pc.if_else(pa.array((missing >= Q_MISSING) & (missing < Q_MISSING + Q_EMPTY)), "", q)
        table = pa.table(
            [
                pa.array(np.full(n, year, np.int16)),
                pa.array(np.full(n, codes[i], np.int16)),
                pa.array(codes[jj]),
                hs6.take(pa.array(p)),
                pa.array(value),
                q,
            ],
            schema=_SCHEMA,
        )
        yield table.filter(pa.array(positive))


def _prefetched(items: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """Compute the next item in a thread while the caller writes (and deflates) this one.

    numpy, pyarrow and zlib release the GIL, so generation overlaps with writing; the items
    come in the same order, so the output does not change.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(next, items, None)
        while (item := future.result()) is not None:
            future = pool.submit(next, items, None)
            yield item


def _write_year(sink: IO[bytes], w: World, year: int) -> int:
    rows = 0
    with pacsv.CSVWriter(sink, _SCHEMA, write_options=_CSV_OPTIONS) as writer:
        for table in _prefetched(year_tables(w, year)):
            writer.write_table(table)
            rows += table.num_rows
    return rows


def _country_codes(w: World) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
    for row in w.economies.itertuples():
        writer.writerow([row.baci_code, row.name, row.iso2, row.iso3])
    return out.getvalue().encode("utf-8")


def _product_codes(w: World) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["code", "description"])
    writer.writerows(w.products[["code", "description"]].itertuples(index=False))
    return out.getvalue().encode("utf-8")


def _readme(size: str, seed: int, version: str, years: list[int]) -> bytes:
    lines = [
        "Name of the dataset : BACI",
        f"Version : {version}",
        "Format : csv",
        f"Release Date : {version[:4]} {version[4:6]} 01",
        "Synthetic : yes",
        f"Generator : {GENERATOR}",
        f"Seed : {seed}",
        f"Size : {size}",
        f"Years : {years[0]}-{years[-1]}",
        "Content : Invented trade flows at the year - exporter - importer - product (HS6) level, "
        "shaped like BACI for demonstrations and tests. Not real statistics.",
        "List of Variables :\r\nt: year\r\ni: exporter\r\nj: importer\r\nk: product\r\n"
        "v: value (thousands of current USD)\r\nq: quantity (metric tons)",
    ]
    return ("\r\n\r\n".join(lines) + "\r\n").encode("utf-8")


def _member(name: str, level: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    # public as compress_level only from Python 3.13; set by name for 3.11 and 3.12
    setattr(info, "_compresslevel", level)  # noqa: B010
    info.external_attr = 0o644 << 16
    return info


def generate(
    out_dir: Path | str,
    *,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    years: Iterable[int] | None = None,
    version: str = DEFAULT_VERSION,
    progress: Callable[[str, int, int], None] | None = None,
) -> Path:
    """Write the synthetic release ``BACI_HS92_V{version}.zip`` into ``out_dir``; return its path.

    ``progress("generate", done, total)`` is called before the first year and after each year.
    The zip is written beside its final name and renamed at the end, so an interrupted run
    leaves no partial release. Raises :class:`~silkroad.errors.InputError` for an unknown
    ``size`` or a bad seed, version or year range.

    Example::

        >>> generate("/tmp/demo", years=range(2014, 2016))  # doctest: +SKIP
        PosixPath('/tmp/demo/BACI_HS92_V202401b.zip')
    """
    spec = _spec(size)
    chosen = _check(seed, version, years)
    w = world(size, seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"BACI_{REVISION}_V{version}.zip"
    part = path.with_name(path.name + ".part")
    if progress:
        progress("generate", 0, len(chosen))
    try:
        with zipfile.ZipFile(part, "w") as zf:
            zf.writestr(_member("Readme.txt", 6), _readme(size, seed, version, chosen))
            zf.writestr(_member(f"country_codes_V{version}.csv", 6), _country_codes(w))
            zf.writestr(_member(f"product_codes_{REVISION}_V{version}.csv", 6), _product_codes(w))
            for done, year in enumerate(chosen, start=1):
                name = f"BACI_{REVISION}_Y{year}_V{version}.csv"
                with zf.open(_member(name, spec.compresslevel), "w", force_zip64=True) as sink:
                    _write_year(sink, w, year)
                if progress:
                    progress("generate", done, len(chosen))
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def generate_year_csv(
    path: Path | str,
    *,
    year: int = 2014,
    size: str = "full",
    seed: int = DEFAULT_SEED,
) -> int:
    """Write one standalone BACI year CSV (as inside the zip) to ``path``; return its row count.

    For benchmarks: ``generate_year_csv("BACI_HS92_Y2014_V202401b.csv", size="full")`` writes
    a real-sized year (about 10 million rows) in bounded memory.
    """
    _spec(size)
    _check(seed, DEFAULT_VERSION, [year])
    w = world(size, seed)
    with open(path, "wb") as sink:
        return _write_year(sink, w, year)
