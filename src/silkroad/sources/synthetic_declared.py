"""Declared statistics of the synthetic demo world, written as UN Comtrade CSV exports.

BACI reconciles what exporters and importers declare into one value per flow; the demo world
is generated that way round (:mod:`.synthetic`), so its declarations are derived back from the
reconciled release: for each reporter in :data:`DECLARED_REPORTERS` and each of the release's
last :data:`DECLARED_YEARS` years, :func:`write_declared` writes ``comtrade-<iso3>.csv`` in the
CSV export layout that ``silkroad ingest comtrade`` reads (FORMATS.md 2.3 and 2.5: ``refYear``, ``reporterCode``,
``flowCode``, ``partnerCode``, ``cmdCode``, ``cifvalue``, ``fobvalue``, ``primaryValue``, ...).

For a reconciled flow of ``v`` USD from exporter *i* to importer *j* (HS92 product *k*):

* *i*'s export declaration (flow ``X``, FOB) is ``v * exp(e_x)``;
* *j*'s import declaration (flow ``M``, CIF) is ``v * CIF_FOB * exp(e_m)``;

with ``e_x``, ``e_m`` independent normal draws of standard deviation :data:`DECLARATION_SIGMA`
centred so that ``E[exp(e)] = 1``: summed over many products, the importer declares about
:data:`CIF_FOB` times what the exporter declares. Each side leaves out about
:data:`OMITTED_SHARE` of its flows (confidential or unreported lines), so some products are
declared by one side only. Net weights are the release's tonnes in kg with the same noise;
the HS edition is the release's own (``H0``, HS92), so products match code for code.

Every file starts with the line silkroad writes on CSV made from synthetic data
(:data:`silkroad.results.SYNTHETIC_CSV_LINE`); the Comtrade reader marks such an input
synthetic, so every number computed from it is labelled as such.

The file of :data:`BAD_ROWS_REPORTER` also holds :data:`BAD_ROWS`: a few deliberately broken
records (a value that is not a number, an unknown partner code, a bad product code) that the
ingest rejects with their reason and line, for the demo's ``silkroad rejected`` step.

Example::

    >>> paths = write_declared("BACI_HS92_V202401b.zip", "/tmp/demo")  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['comtrade-blr.csv', 'comtrade-kaz.csv']
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from silkroad.errors import FormatError, InputError

__all__ = [
    "BAD_ROWS",
    "BAD_ROWS_REPORTER",
    "CIF_FOB",
    "DECLARATION_SIGMA",
    "DECLARED_REPORTERS",
    "DECLARED_YEARS",
    "HEADER",
    "OMITTED_SHARE",
    "BadRow",
    "declared_file_name",
    "write_declared",
]

DECLARED_REPORTERS = ("BLR", "KAZ")
"""Economies whose declarations the demo writes (their Comtrade numeric codes: 112, 398)."""
REPORTER_CODES = {"BLR": 112, "KAZ": 398, "RUS": 643, "ARM": 51, "KGZ": 417}
"""Comtrade (and BACI) numeric codes of the reporters the demo can write."""
CIF_FOB = 1.05
"""Importer's CIF value over the exporter's FOB value of the same goods (freight, insurance)."""
DECLARATION_SIGMA = 0.08
"""Noise of one side's declaration around the reconciled value (log scale, normal)."""
OMITTED_SHARE = 0.03
"""Share of a reporter's flows it does not declare (each side on its own)."""
DECLARED_YEARS = 5
"""How many of the release's years are declared: its last five (2012-2016 in the demo), which
keeps ``silkroad demo`` fast (the Comtrade reader reads a record at a time)."""
CLASSIFICATION = "H0"
"""Comtrade's code of HS92, the release's edition."""

HEADER = (
    "refYear", "reporterCode", "flowCode", "partnerCode", "classificationCode", "cmdCode",
    "netWgt", "cifvalue", "fobvalue", "primaryValue",
)  # fmt: skip
"""Columns of the CSV export written: the API fields a flow needs (FORMATS.md 2.3), in API
order; a classic bulk file has no partner2, customs or transport breakdown."""


@dataclass(frozen=True)
class BadRow:
    """A deliberately broken record: the field changed, the text put there, the reason code the
    Comtrade reader gives it."""

    field: str
    text: str
    code: str


BAD_ROWS_REPORTER = "KAZ"
"""The reporter whose file holds :data:`BAD_ROWS`."""
BAD_ROWS = (
    BadRow("primaryValue", "12O500", "bad_value"),  # a letter O among the digits
    BadRow("partnerCode", "999", "unknown_country"),  # no economy has code 999
    BadRow("cmdCode", "87O120", "bad_product"),  # a letter O in an HS code
)
"""The broken records, each a copy of one good record of the last year with one field changed."""

_YEAR_MEMBER = re.compile(r"(?:^|/)BACI_HS\d{2}_Y(\d{4})_V\w+\.csv$", re.IGNORECASE)
_READ_TYPES = {"t": pa.int16(), "i": pa.int32(), "j": pa.int32(), "k": pa.string()}


def declared_file_name(reporter: str) -> str:
    """The file :func:`write_declared` writes for ``reporter`` (ISO3): ``comtrade-blr.csv``."""
    return f"comtrade-{reporter.lower()}.csv"


def _year_members(zf: zipfile.ZipFile, path: Path) -> list[tuple[int, str]]:
    members = sorted(
        (int(m.group(1)), name)
        for name in zf.namelist()
        if (m := _YEAR_MEMBER.search(name)) is not None
    )
    if not members:
        raise FormatError(
            "no BACI year file in the release",
            path=path,
            expected="members named BACI_HS92_Y<year>_V<version>.csv",
        )
    return members


def _touching(zf: zipfile.ZipFile, member: str, codes: list[int]) -> pa.Table:
    """The rows of one year file whose exporter or importer is one of ``codes``."""
    with zf.open(member) as fh:
        table = pacsv.read_csv(
            fh,
            convert_options=pacsv.ConvertOptions(
                column_types=_READ_TYPES | {"v": pa.float64(), "q": pa.string()},
                include_columns=["t", "i", "j", "k", "v", "q"],
            ),
        )
    wanted = pa.array(codes, pa.int32())
    mask = pc.or_(pc.is_in(table["i"], wanted), pc.is_in(table["j"], wanted))
    return table.filter(mask)


def _tonnes(q: pa.ChunkedArray) -> np.ndarray:
    """Quantities in tonnes (NaN where written NA or empty)."""
    text = pc.if_else(pc.is_in(q, pa.array(["NA", ""])), None, q)
    return np.asarray(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Multiplicative noise with mean 1 (lognormal, :data:`DECLARATION_SIGMA`)."""
    s = DECLARATION_SIGMA
    return np.exp(rng.normal(-(s**2) / 2, s, n))


def _records(table: pa.Table, reporter: str, code: int, seed: int) -> Iterator[list[str]]:
    """The reporter's declarations (exports, then imports) of one year's reconciled rows."""
    if table.num_rows == 0:
        return
    year = int(table["t"][0].as_py())
    i = table["i"].to_numpy()
    j = table["j"].to_numpy()
    k = [str(x).zfill(6) for x in table["k"].to_pylist()]
    usd = table["v"].to_numpy() * 1000.0
    kg = _tonnes(table["q"]) * 1000.0
    for flow, mine, other in (("X", i, j), ("M", j, i)):
        rows = np.flatnonzero(mine == code)
        rng = np.random.default_rng([seed, 7, code, year, 1 if flow == "X" else 2])
        kept = rng.random(len(rows)) >= OMITTED_SHARE
        noise = _noise(rng, len(rows))
        values = np.round(usd[rows] * noise * (CIF_FOB if flow == "M" else 1.0), 2)
        weights = np.round(kg[rows] * noise, 1)
        for r, keep, value, weight in zip(rows, kept, values, weights, strict=True):
            if not keep:
                continue
            w = "" if np.isnan(weight) else f"{weight:.1f}"
            value_text = f"{value:.2f}"
            cif, fob = (value_text, "") if flow == "M" else ("", value_text)
            partner = str(int(other[r]))
            yield [
                str(year),
                str(code),
                flow,
                partner,
                CLASSIFICATION,
                k[r],
                w,
                cif,
                fob,
                value_text,
            ]


def _with_bad_rows(records: list[list[str]]) -> list[list[str]]:
    """``records`` with each of :data:`BAD_ROWS` inserted after a good record it copies."""
    if not records:
        return records
    out = list(records)
    step = max(len(records) // (len(BAD_ROWS) + 1), 1)
    for n, bad in enumerate(BAD_ROWS, start=1):
        at = min(n * step, len(records)) - 1
        broken = list(records[at])
        broken[HEADER.index(bad.field)] = bad.text
        out.insert(at + n, broken)  # after its model, counting the ones inserted before
    return out


def write_declared(
    release: Path | str,
    out_dir: Path | str,
    *,
    reporters: Iterable[str] = DECLARED_REPORTERS,
    seed: int = 42,
) -> list[Path]:
    """Write each reporter's declarations of the BACI ``release`` (a zip) as a Comtrade CSV.

    One file per reporter, ``out_dir/comtrade-<iso3>.csv``, covering the release's last
    :data:`DECLARED_YEARS` years;
    values in USD (not thousands), weights in kg. Deterministic for a release and ``seed``.
    Each file is written beside its final name and renamed at the end. Raises
    :class:`~silkroad.errors.InputError` for a reporter the demo does not know and
    :class:`~silkroad.errors.FormatError` for a zip without BACI year files.
    """
    from silkroad.results import SYNTHETIC_CSV_LINE

    chosen = list(dict.fromkeys(r.upper() for r in reporters))
    unknown = [r for r in chosen if r not in REPORTER_CODES]
    if unknown or not chosen:
        raise InputError(
            "unknown demo reporter",
            field="reporters",
            found=", ".join(unknown) or "none",
            expected="some of " + ", ".join(REPORTER_CODES),
        )
    path = Path(release)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codes = [REPORTER_CODES[r] for r in chosen]
    per_reporter: dict[str, list[list[str]]] = {r: [] for r in chosen}
    with zipfile.ZipFile(path) as zf:
        for _, member in _year_members(zf, path)[-DECLARED_YEARS:]:
            table = _touching(zf, member, codes)
            for reporter, code in zip(chosen, codes, strict=True):
                per_reporter[reporter] += _records(table, reporter, code, seed)
    written = []
    for reporter in chosen:
        records = per_reporter[reporter]
        if reporter == BAD_ROWS_REPORTER:
            last = max((r[0] for r in records), default="")
            first_of_last = next((n for n, r in enumerate(records) if r[0] == last), len(records))
            records = records[:first_of_last] + _with_bad_rows(records[first_of_last:])
        buf = io.StringIO()
        buf.write(SYNTHETIC_CSV_LINE)
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(records)
        target = out / declared_file_name(reporter)
        part = target.with_name(target.name + ".part")
        try:
            part.write_text(buf.getvalue(), encoding="utf-8")
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        written.append(target)
    return written
