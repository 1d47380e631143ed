"""CEPII BACI: release zips, directories of their files, or single year CSVs.

A year file has the header ``t,i,j,k,v,q``: year, exporter and importer as BACI numeric codes,
HS6 product, value in thousands of USD, quantity in metric tons (FORMATS.md section 1). Rows
become canonical flows with ``declared_by = 'reconciled'``, values in USD and weights in kg.

Reading streams through DuckDB (never a whole year in Python objects). A fast pass parses,
validates, sorts and writes the year; if its row count does not match the file's lines, or the
loaded keys are not unique, a careful pass re-reads the file line by line so that every rejected
line is quarantined with its number, the field at fault and the reason.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from silkroad import settings
from silkroad.errors import FormatError, InputError, StoreError
from silkroad.sources import baci_arrow
from silkroad.sources.baci_sql import (
    FAST_TABLE,
    _canonical_select,
    _create_codes,
    _fast_pair_totals_sql,
    _fast_product_totals_sql,
    _fast_table_sql,
    _fast_year_sql,
    _sql_path,
    _validation_sql,
    code_ranks,
)
from silkroad.sources.base import BACI, Input, Progress, StageReport, check_year, span
from silkroad.store.engine import disk_full

if TYPE_CHECKING:
    from silkroad.store.store import WriteTransaction

EXPECTED_HEADER = ("t", "i", "j", "k", "v", "q")
#: Peak memory of the Arrow pass per byte of the year file (measured: 740 MiB over the
#: process's own for a 354 MiB year); a larger year than SILKROAD_MEMORY_LIMIT allows goes
#: through the DuckDB pass, which spills to disk.
ARROW_MEMORY_PER_BYTE = 2.2
ZIP_NAME = re.compile(r"^BACI_HS(\d{2})_V(\d{6}[a-z]?)\.zip$", re.IGNORECASE)
YEAR_NAME = re.compile(r"(?:^|/)BACI_HS(\d{2})_Y(\d{4})_V(\d{6}[a-z]?)\.csv$", re.IGNORECASE)
COUNTRY_NAME = re.compile(r"(?:^|/)country_codes_V(\d{6}[a-z]?)\.csv$", re.IGNORECASE)
PRODUCT_NAME = re.compile(r"(?:^|/)product_codes_HS(\d{2})_V(\d{6}[a-z]?)\.csv$", re.IGNORECASE)
README_NAME = re.compile(r"(?:^|/)readme[^/]*\.txt$", re.IGNORECASE)
NO_ISO = {"", "N/A", "NA", "NAN"}
KIND = BACI.name


@dataclass
class YearMember:
    """One year file of a release, inside a zip or on disk."""

    name: str
    year: int
    archive: Path | None  # the zip holding it, or None for a file on disk
    path: Path | None = None  # the file on disk when archive is None

    @property
    def label(self) -> str:
        return f"{self.archive}:{self.name}" if self.archive else str(self.path)


@dataclass
class Release:
    """A BACI release as found on disk, before anything is read in bulk."""

    path: Path
    revision: str  # '92', '96', ... '22'
    version: str  # '202401b'
    members: list[YearMember]
    country_codes: dict[int, str] = field(default_factory=dict)
    readme: dict[str, str] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.readme.get("synthetic", "").strip().lower() in {"yes", "true", "1"}

    @property
    def classification(self) -> str:
        return f"HS{self.revision}"

    @property
    def source_id(self) -> str:
        base = f"baci-hs{self.revision}"
        return f"synthetic-{base}" if self.synthetic else base

    @property
    def years(self) -> list[int]:
        return sorted(m.year for m in self.members)

    def sha256(self) -> str:
        """Digest of the input: the file itself, or of every relevant file of a directory."""
        if self.path.is_file():
            return _sha256_file(self.path)
        digest = hashlib.sha256()
        for file in sorted(self.path.iterdir()):
            if file.is_file() and _relevant(file.name):
                digest.update(file.name.encode() + b"\0" + _sha256_file(file).encode())
        return digest.hexdigest()


# --- finding the release -----------------------------------------------------------------------
def _relevant(name: str) -> bool:
    return any(p.search(name) for p in (YEAR_NAME, COUNTRY_NAME, PRODUCT_NAME, README_NAME))


def inspect_release(path: str | Path) -> Release:
    """Identify a BACI release zip, directory or year CSV; raise a one-line error if it is not."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError("file not found", path=path, expected="a BACI zip, directory or CSV")
    if path.is_dir():
        return _inspect_dir(path)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() == ".zip" or magic.startswith(b"PK"):
        return _inspect_zip(path, magic)
    if path.suffix.lower() == ".csv":
        return _inspect_csv(path)
    raise FormatError(
        "not a BACI file",
        path=path,
        found=path.suffix or "no extension",
        expected="BACI_HS92_V202401b.zip, a directory of its files, or BACI_HS92_Y2014_V*.csv",
    )


def _inspect_zip(path: Path, magic: bytes) -> Release:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        if magic == b"PK\x03\x04":
            raise FormatError(
                "the archive is truncated or damaged (no central directory)",
                path=path,
                expected="a complete zip archive; download it again",
            ) from exc
        raise FormatError("not a zip archive", path=path, found=magic, expected="a zip") from exc
    with zf:
        names = zf.namelist()
        members = []
        revision = version = None
        for name in names:
            m = YEAR_NAME.search(name)
            if m:
                members.append(YearMember(name=name, year=int(m.group(2)), archive=path))
                revision, version = m.group(1), m.group(3)
        if not members:
            raise FormatError(
                "the archive has no BACI year files",
                path=path,
                found=", ".join(names[:3]) + (" ..." if len(names) > 3 else "") or "empty",
                expected="members named BACI_HS92_Y2014_V202401b.csv",
            )
        _refuse_repeated_years(path, members)
        zm = ZIP_NAME.match(path.name)
        if zm:
            revision, version = zm.group(1), zm.group(2)
        release = Release(path, str(revision), str(version), sorted(members, key=lambda m: m.year))
        for name in names:
            if COUNTRY_NAME.search(name):
                with zf.open(name) as fh:
                    release.country_codes = read_country_codes(fh.read(), f"{path}:{name}")
            elif README_NAME.search(name):
                with zf.open(name) as fh:
                    release.readme = parse_readme(fh.read())
    _check_versions(release)
    return release


def _inspect_dir(path: Path) -> Release:
    members = []
    revision = version = None
    for file in sorted(path.iterdir()):
        m = YEAR_NAME.search(file.name)
        if m and not file.is_file():
            what = "a dangling symbolic link" if file.is_symlink() else "not a regular file"
            raise InputError(
                f"a year file is {what}",
                path=file,
                expected="a readable BACI year file (or remove it from the directory)",
            )
        if m:
            members.append(YearMember(file.name, int(m.group(2)), None, file))
            revision, version = m.group(1), m.group(3)
    if not members:
        raise FormatError(
            "the directory has no BACI year files",
            path=path,
            expected="files named BACI_HS92_Y2014_V202401b.csv",
        )
    _refuse_repeated_years(path, members)
    release = Release(path, str(revision), str(version), members)
    _attach_side_files(release, path)
    _check_versions(release)
    return release


def _inspect_csv(path: Path) -> Release:
    m = YEAR_NAME.search(path.name)
    if not m:
        raise InputError(
            "cannot tell the HS revision, year and release from the file name",
            path=path,
            found=path.name,
            expected="a BACI year file name such as BACI_HS92_Y2014_V202401b.csv",
        )
    check_year(int(m.group(2)), path=path)
    release = Release(
        path, m.group(1), m.group(3), [YearMember(path.name, int(m.group(2)), None, path)]
    )
    _attach_side_files(release, path.parent)
    return release


def _attach_side_files(release: Release, folder: Path) -> None:
    """Use the country code list and readme of the same release lying in ``folder``."""
    for file in sorted(folder.iterdir()):
        m = COUNTRY_NAME.search(file.name)
        if m and m.group(1) == release.version:
            release.country_codes = read_country_codes(file.read_bytes(), str(file))
        elif README_NAME.search(file.name) and file.is_file():
            release.readme = parse_readme(file.read_bytes())


def _refuse_repeated_years(path: Path, members: list[YearMember]) -> None:
    """One file per year: a year given twice (a repeated member, two folders, a case variant)
    is ambiguous, and loading both would drop one copy's rows while counting them."""
    by_year: dict[int, list[str]] = {}
    for member in members:
        check_year(member.year, path=path, field=member.name)
        by_year.setdefault(member.year, []).append(member.name)
    for year, names in sorted(by_year.items()):
        if len(names) > 1:
            raise FormatError(
                f"the input holds year {year} {len(names)} times",
                path=path,
                found=", ".join(names[:4]),
                expected="one BACI year file per year",
            )


def _check_versions(release: Release) -> None:
    for member in release.members:
        m = YEAR_NAME.search(member.name)
        assert m is not None
        if (m.group(1), m.group(3)) != (release.revision, release.version):
            raise FormatError(
                "the release mixes HS revisions or versions",
                path=release.path,
                found=member.name,
                expected=f"only BACI_HS{release.revision}_Y*_V{release.version}.csv",
                hint="CEPII advises against mixing BACI versions",
            )


# --- side files --------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_readme(data: bytes) -> dict[str, str]:
    """``Key : value`` lines of a BACI Readme, keys lower-cased (CRLF and BOM tolerated)."""
    out: dict[str, str] = {}
    for line in _decode(data).splitlines():
        if " : " in line or line.rstrip().endswith(" :"):
            key, _, value = line.partition(":")
            out.setdefault(key.strip().lower(), value.strip())
    return out


def read_country_codes(data: bytes, label: str) -> dict[int, str]:
    """Numeric code -> ISO3 from a ``country_codes_V*.csv`` (either schema; 'N/A' means none)."""
    rows = list(csv.reader(io.StringIO(_decode(data))))
    if not rows:
        raise FormatError("empty country code list", path=label)
    header = [h.strip().lower() for h in rows[0]]
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in header), None)
    if "country_code" not in header or iso_col is None:
        raise FormatError(
            "unrecognised country code list header",
            path=label,
            line=1,
            found=",".join(rows[0]),
            expected="country_code,...,country_iso3 (or iso_3digit_alpha)",
        )
    ci, ii = header.index("country_code"), header.index(iso_col)
    out: dict[int, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        try:
            code = int(row[ci].strip())
        except (ValueError, IndexError) as exc:
            raise FormatError(
                "bad country code",
                path=label,
                line=n,
                field="country_code",
                found=row[ci] if len(row) > ci else None,
                expected="an integer",
            ) from exc
        iso3 = row[ii].strip().upper() if len(row) > ii else ""
        if iso3 not in NO_ISO:
            out[code] = iso3
    return out


def code_table(release: Release) -> dict[int, str]:
    """The release's own numeric->ISO3 mapping, with silkroad's reference table as fallback."""
    from silkroad.reference.countries import numeric_code_table

    table = dict(numeric_code_table())
    table.update(release.country_codes)
    return table


# --- reading year files ------------------------------------------------------------------------
def _extract(member: YearMember, scratch: Path) -> Path:
    """The member as a plain file on disk (streamed out of the zip in bounded memory)."""
    if member.archive is None:
        assert member.path is not None
        return member.path
    target = scratch / Path(member.name).name
    try:
        with (
            zipfile.ZipFile(member.archive) as zf,
            zf.open(member.name) as src,
            open(target, "wb") as dst,
        ):
            shutil.copyfileobj(src, dst, 16 * 1024 * 1024)
    except OSError as exc:
        if disk_full(exc):
            raise StoreError(
                "disk full while extracting the archive member; nothing was committed",
                path=scratch,
                found=member.name,
                expected="free space for one extracted year file",
            ) from exc
        raise FormatError(
            "the archive member cannot be read",
            path=member.label,
            found=str(exc),
            expected="a complete zip; download it again",
        ) from exc
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise FormatError(
            "the archive member is truncated or damaged",
            path=member.label,
            found=str(exc),
            expected="a complete zip; download it again",
        ) from exc
    return target


def _check_header(path: Path, label: str) -> None:
    with open(path, "rb") as fh:
        first = fh.readline(4096)
    text = _decode(first).strip()
    fields = tuple(f.strip().strip('"').strip().lower() for f in text.split(","))
    if fields != EXPECTED_HEADER:
        raise FormatError(
            "wrong header",
            path=label,
            line=1,
            found=text[:80] or "an empty file",
            expected="t,i,j,k,v,q",
        )


@dataclass
class _Shape:
    """What one cheap scan of a year file tells: its lines, and whether the fast pass can be
    trusted with it (the typed CSV read drops a trailing NA field of a 7-field line without
    error, and reads '1e2' as the code 100)."""

    lines: int  # physical lines, the header included
    ends_with_newline: bool
    commas: int
    #: bytes 'e', 'E', '+' or '_': none in a plain BACI file (header t,i,j,k,v,q); DuckDB's
    #: number parser accepts '1e2', '+112' or '1_12' where the careful pass wants digits
    odd: int

    def regular(self) -> bool:
        """True when every line can have exactly 6 fields and every number is plain."""
        return self.commas == (len(EXPECTED_HEADER) - 1) * self.lines and not self.odd


def _scan(path: Path) -> _Shape:
    """Count lines, commas and odd bytes of ``path`` in one pass (C-speed counts)."""
    lines = commas = odd = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(16 * 1024 * 1024):
            lines += chunk.count(b"\n")
            commas += chunk.count(b",")
            odd += sum(chunk.count(c) for c in _ODD)
            last = chunk[-1:]
    ends = last == b"\n"
    return _Shape(lines + (0 if ends else 1), ends, commas, odd)


#: Bytes that DuckDB's number parser reads where the careful pass wants digits: '1e2', '+112',
#: '1_12', and a code padded with tab, vertical tab or form feed (DuckDB's trim() strips only
#: spaces); a file holding any is left to the careful pass.
_ODD = (b"e", b"E", b"+", b"_", b"\t", b"\x0b", b"\x0c")

#: Bytes the Arrow pass leaves to the DuckDB pass, which reads them as it always did: what
#: Arrow's integer parser reads ('0x70' is 112, '-0' is 0) where the careful pass wants digits,
#: and CR, which Arrow takes for a line end where the careful pass does not.
_ARROW_ODD = (b"x", b"X", b"-", b"\r")


def _odd_bytes(path: Path) -> str | None:
    """Which pass must read ``path`` instead of the Arrow pass: 'careful' when it holds one of
    the DuckDB pass's odd bytes (``_ODD``), 'duckdb' when it holds one of ``_ARROW_ODD``, None
    when neither (a ``memchr`` per byte and 16 MiB chunk: no count, a tenth of ``_scan``)."""
    found = None
    with open(path, "rb") as fh:
        while chunk := fh.read(16 * 1024 * 1024):
            if any(c in chunk for c in _ODD):
                return "careful"
            if found is None and any(c in chunk for c in _ARROW_ODD):
                found = "duckdb"
    return found


def _check_truncation(path: Path, label: str, lines: int, ends_with_newline: bool) -> None:
    """A file whose last line is cut short (no newline, too few fields) is truncated."""
    if ends_with_newline or lines <= 1:
        return
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 4096))
        tail = fh.read().split(b"\n")[-1]
    if tail.strip() and tail.count(b",") != len(EXPECTED_HEADER) - 1:
        raise FormatError(
            "the file is truncated",
            path=label,
            line=lines,
            found=_decode(tail)[:60],
            expected="complete lines of 6 fields (download or extract it again)",
        )


def _lines_batches(path: Path, batch: int = 1_000_000) -> Iterator[pa.RecordBatch]:
    """(line, raw) for every non-blank data line, numbered from 1 = header, in batches."""
    numbers: list[int] = []
    texts: list[str] = []
    with open(path, "rb") as fh:
        fh.readline()
        for n, raw in enumerate(fh, start=2):
            text = raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
            if not text.strip():
                continue
            numbers.append(n)
            texts.append(text)
            if len(numbers) >= batch:
                yield pa.record_batch(
                    [pa.array(numbers, pa.int64()), pa.array(texts)], ["line", "raw"]
                )
                numbers, texts = [], []
    yield pa.record_batch(
        [pa.array(numbers, pa.int64()), pa.array(texts, pa.string())], ["line", "raw"]
    )


def _stage_member(
    connect: Callable[[], duckdb.DuckDBPyConnection],
    member: YearMember,
    file: Path,
    txn: WriteTransaction,
    release: Release,
    codes: dict[int, str],
    on_idle: Callable[[], None] | None = None,
) -> tuple[int, int, dict[str, int]]:
    """Hand one year's canonical rows, its totals and its rejected rows to ``txn``.

    The Arrow pass (:mod:`silkroad.sources.baci_arrow`) reads, checks and sorts the year;
    Arrow's parser refuses a line without six fields (a blank one too), so when every row
    passed, each line after the header is a row. If no key repeats, the year file is written
    from the arrays while threads look for bytes the other passes read otherwise
    (``_odd_bytes``) and sum the pair and product totals. The year is kept if there are
    none; otherwise the DuckDB fast pass ('0x70', CR) or the careful pass ('1e2') rewrites
    it. A file Arrow cannot parse (a code written 112.0, a short line) goes through the DuckDB
    pass, with the same rules; a row that fails a check sends the year to the careful pass,
    which names every rejected line. Returns (rows read, rows loaded,
    rejected rows per reason code).
    """
    label = member.label
    source, classification = release.source_id, release.classification
    _check_header(file, label)

    def idle() -> None:
        """Cores are free from here on: the input's digest, and the next member's extraction."""
        txn.idle.set()
        if on_idle is not None:
            on_idle()

    ranks, isos = code_ranks(codes)
    rows: baci_arrow.ArrowYear | None = None
    refused = file.stat().st_size * ARROW_MEMORY_PER_BYTE > settings.memory_limit_bytes()
    if not refused:  # else too large for memory: the DuckDB pass spills what does not fit
        try:
            rows = baci_arrow.read_year(file, member.year, ranks)
        except baci_arrow.NotPlain:
            refused = True
    if rows is None or not baci_arrow.keys_strictly_increase(rows.key):
        rows = None
        idle()  # the input's digest may run beside the slower passes
        # Arrow refused the file (DuckDB's parser may not), or a row failed, or a key repeats
        return _slower_pass(connect(), member, file, txn, release, duckdb_first=refused)
    year = member.year
    codes_ = baci_arrow.products(rows)
    table = baci_arrow.year_table(rows, year, isos, source, classification, codes_)

    # The write runs on one core; one thread checks the bytes and sums the totals beside it,
    # then lets the input's digest start (three busy threads on two cores slow the write).
    def beside(
        found: baci_arrow.ArrowYear, codes: tuple[np.ndarray, pa.Array]
    ) -> tuple[str | None, pa.Table, pa.Table]:
        try:
            return (
                _odd_bytes(file),
                baci_arrow.pair_totals(found, year, isos, source),
                baci_arrow.product_totals(found, year, isos, codes),
            )
        finally:
            idle()

    with ThreadPoolExecutor(max_workers=1) as pool:
        besides = pool.submit(beside, rows, codes_)
        loaded = txn.write_year(year, table)
        del table
        odd, pair, product = besides.result()
    if odd is None:
        txn.seal_year(year)  # its fsync and checksum beside the totals' write
        txn.write_totals(year, pair=pair, product=product)
        return loaded, loaded, {}
    del rows, codes_, pair, product  # an odd byte: '0x70' or CR for the DuckDB pass, '1e2' or a
    # tab for the careful pass; that pass rewrites the year
    return _slower_pass(connect(), member, file, txn, release, duckdb_first=odd == "duckdb")


def _slower_pass(
    con: duckdb.DuckDBPyConnection,
    member: YearMember,
    file: Path,
    txn: WriteTransaction,
    release: Release,
    *,
    duckdb_first: bool,
) -> tuple[int, int, dict[str, int]]:
    """The year through the DuckDB pass (``duckdb_first``, when the scan finds every line can
    have six fields and no odd byte) or the careful pass; a truncated file is refused first."""
    source, classification = release.source_id, release.classification
    shape = _scan(file)
    _check_truncation(file, member.label, shape.lines, shape.ends_with_newline)
    if duckdb_first and shape.regular():
        expected = max(shape.lines - 1, 0)
        return _duckdb_pass(con, member, file, txn, source, classification, expected, shape)
    return _careful_pass(con, member, file, txn, source, classification)


def _duckdb_pass(
    con: duckdb.DuckDBPyConnection,
    member: YearMember,
    file: Path,
    txn: WriteTransaction,
    source: str,
    classification: str,
    expected_rows: int,
    shape: _Shape,
) -> tuple[int, int, dict[str, int]]:
    """The DuckDB fast pass, for a file Arrow's parser refused (numbers padded with spaces,
    say): one statement reads, checks and sorts the year into a table; the careful pass runs
    when a line was dropped or a key repeats."""
    try:
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {FAST_TABLE} AS {_fast_table_sql(file, member.year)}"
            )
            fast = True
        except duckdb.Error:  # e.g. a stray CR or mixed line ends: the careful pass names them
            fast = False
        if fast and shape.regular() and _fast_rows_unique(con) == expected_rows:
            loaded = txn.write_year(member.year, con.sql(_fast_year_sql(source, classification)))
            txn.write_totals(
                member.year,
                pair=con.sql(_fast_pair_totals_sql(source)),
                product=con.sql(_fast_product_totals_sql()),
            )
            return expected_rows, loaded, {}
    finally:
        con.execute(f"DROP TABLE IF EXISTS {FAST_TABLE}")
    return _careful_pass(con, member, file, txn, source, classification)


def _fast_rows_unique(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of the fast pass's table if its keys strictly increase down the table (so the
    year is in the store's order and no (exporter, importer, product) repeats), else -1."""
    keys = con.sql(f"SELECT key FROM {FAST_TABLE}").fetchnumpy()["key"]
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        return -1
    return len(keys)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The one row of a query, fetched to the end: DuckDB refuses further work on a
    connection whose result is still pending (``fetchone`` alone leaves it so)."""
    rows = con.execute(sql).fetchall()
    assert len(rows) == 1
    return tuple(rows[0])


def _careful_pass(
    con: duckdb.DuckDBPyConnection,
    member: YearMember,
    file: Path,
    txn: WriteTransaction,
    source: str,
    classification: str,
) -> tuple[int, int, dict[str, int]]:
    """Every line numbered; wrong field counts, bad values and duplicates named."""
    reader = pa.RecordBatchReader.from_batches(
        pa.schema([("line", pa.int64()), ("raw", pa.string())]), _lines_batches(file)
    )
    con.register("raw_lines", reader)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE lines AS SELECT line, raw, string_split(raw, ',') AS parts "
            "FROM raw_lines"
        )
    finally:
        con.unregister("raw_lines")
    careful_source = (
        "SELECT line, raw, len(parts) AS nfields, parts[1] AS t, parts[2] AS i, parts[3] AS j, "
        "parts[4] AS k, parts[5] AS v, parts[6] AS q FROM lines"
    )
    validated = _validation_sql(careful_source, member.year, "codes")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE checked AS
        SELECT *, CASE WHEN problem IS NULL THEN
              min(line) OVER (PARTITION BY exporter, importer, k_n, problem IS NULL) END AS first_line
        FROM ({validated})"""
    )
    con.execute(
        """UPDATE checked SET problem = ['k', 'duplicate key (t, exporter, importer, product) '
              || t_n || ', ' || exporter || ', ' || importer || ', ' || lpad(CAST(k_n AS VARCHAR), 6, '0')
              || ': first seen on line ' || first_line || ', expected each flow once', 'duplicate_key']
           WHERE problem IS NULL AND line <> first_line"""
    )
    canon = _canonical_select(source, classification)
    loaded = txn.write_year(
        member.year,
        con.sql(
            f"SELECT {canon} FROM checked WHERE problem IS NULL "
            "ORDER BY exporter, importer, product"
        ),
    )
    label_sql = member.label.replace("'", "''")
    codes = txn.write_rejected(
        con.sql(
            f"""SELECT '{source}' AS source, '{label_sql}' AS file,
                   CAST({member.year} AS SMALLINT) AS year, line,
                   problem[1] AS field, problem[3] AS code, problem[2] AS reason, raw
            FROM checked WHERE problem IS NOT NULL ORDER BY line"""
        )
    )
    (read,) = _one(con, "SELECT count(*) FROM checked")
    con.execute("DROP TABLE checked; DROP TABLE lines")
    return int(read), loaded, codes


def stage_release(
    release: Release,
    txn: WriteTransaction,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
) -> StageReport:
    """Hand every year of ``release`` to ``txn``; return the counts.

    Up to ``workers`` years (default ``SILKROAD_INGEST_WORKERS``) are staged at once, each on
    its own DuckDB connection with its share of the cores; they all stage into the same
    transaction, so the commit still publishes every year or none (a failing year fails the
    whole ingest). The report is the same whatever the number of workers.
    """
    report = StageReport(classifications=[release.classification])
    members = release.members
    total = len(members)
    chosen = settings.ingest_workers() if workers is None else workers
    n = max(1, min(chosen, total))
    threads = max(1, (os.cpu_count() or 1) // n)
    codes = code_table(release)
    if progress:
        progress("ingest", 0, total)
    results: dict[int, tuple[int, int, dict[str, int]]] = {}

    def one(member: YearMember) -> tuple[int, int, dict[str, int]]:
        return _stage_year(release, codes, member, txn, threads if n > 1 else None)

    if n == 1:
        _stage_in_turn(release, codes, txn, results, progress)
    else:
        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = {pool.submit(one, m): m for m in members}
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    results[futures[future].year] = future.result()
                    if progress:
                        progress("ingest", done, total)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    for member in members:
        read, loaded, counted = results[member.year]
        report.add_year(member.year, read, loaded, sum(counted.values()))
        report.count_reasons(counted)
    return report


def _stage_in_turn(
    release: Release,
    codes: dict[int, str],
    txn: WriteTransaction,
    results: dict[int, tuple[int, int, dict[str, int]]],
    progress: Progress | None,
) -> None:
    """Stage the years one after another; the next archive member is extracted (zlib, one
    core: about 2 s a full year) while the current year is written on one core."""
    members = release.members
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="silkroad-extract") as pool:
        ahead: dict[int, Future[Path]] = {}

        def extract_next(n: int) -> None:
            if n + 1 < len(members) and n + 1 not in ahead:
                ahead[n + 1] = pool.submit(_extract, members[n + 1], txn.scratch)

        for n, member in enumerate(members):
            results[member.year] = _stage_year(
                release,
                codes,
                member,
                txn,
                None,
                extracted=ahead.pop(n, None),
                on_idle=functools.partial(extract_next, n),
            )
            if progress:
                progress("ingest", n + 1, len(members))


def _stage_year(
    release: Release,
    codes: dict[int, str],
    member: YearMember,
    txn: WriteTransaction,
    threads: int | None,
    *,
    extracted: Future[Path] | None = None,
    on_idle: Callable[[], None] | None = None,
) -> tuple[int, int, dict[str, int]]:
    """Stage one year on a connection of its own: (rows read, rows loaded, rejected per code).
    ``extracted``: the member already being extracted; ``on_idle``: called when the year's
    staging leaves cores idle (its write), for work that can run beside it."""
    scratch = txn.scratch
    opened: list[duckdb.DuckDBPyConnection] = []

    def connect() -> duckdb.DuckDBPyConnection:
        """The year's DuckDB connection, opened on first use (the Arrow pass needs none)."""
        if not opened:
            con = duckdb.connect()
            opened.append(con)
            con.execute("SET enable_progress_bar = false")
            con.execute(f"SET memory_limit = '{settings.memory_limit()}'")
            if threads is not None:
                con.execute(f"SET threads = {int(threads)}")
            spill = scratch / f"spill-{member.year}"
            con.execute(f"SET temp_directory = '{_sql_path(spill)}'")
            _create_codes(con, codes, release.source_id, release.classification)
        return opened[0]

    try:
        file = extracted.result() if extracted is not None else _extract(member, scratch)
        try:
            result = _stage_member(connect, member, file, txn, release, codes, on_idle)
        except duckdb.Error as exc:  # e.g. spilling a large sort to the store's tmp/
            if not disk_full(exc):
                raise
            raise StoreError(
                "disk full while reading the year file; nothing was committed",
                path=scratch,
                found=member.name,
                expected="free space for DuckDB to spill (about the year file's size)",
            ) from exc
        if member.archive is not None:
            file.unlink()
        return result
    finally:
        for con in opened:
            con.close()


@dataclass
class BaciInput(Input):
    """A BACI release zip, directory or year file, as inspected."""

    release: Release | None = None


class BaciReader:
    """The reader contract (:mod:`silkroad.sources.base`) for CEPII BACI."""

    kind = BACI
    options: tuple[str, ...] = ()
    unit = "row"
    #: staging sets ``txn.idle`` when it writes a year on one core (ingestion's digest waits)
    signals_idle = True

    def inspect(self, path: Path, **options: Any) -> BaciInput:
        release = inspect_release(path)
        return BaciInput(
            path=release.path,
            source=release.source_id,
            version=release.version,
            synthetic=release.synthetic,
            partial=release.path.is_file() and release.path.suffix.lower() == ".csv",
            release=release,
        )

    def digest(self, inp: Input) -> str:
        return _release(inp).sha256()

    def stage(
        self, inp: Input, txn: WriteTransaction, progress: Progress | None = None
    ) -> StageReport:
        return stage_release(_release(inp), txn, progress)

    def classification(self, inp: Input, report: StageReport) -> str:
        return _release(inp).classification

    def message(self, inp: Input, report: StageReport) -> str:
        return f"loaded {inp.source} V{inp.version}, years {span(report.years)}"


def _release(inp: Input) -> Release:
    assert isinstance(inp, BaciInput) and inp.release is not None
    return inp.release


READER = BaciReader()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
