"""A national table file (CSV, XLSX, XLS, ODS) read as a grid of cells."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkroad.errors import FormatError, InputError
from silkroad.sources.table.mapping import Mapping


# --- reading the file ----------------------------------------------------------------------------
@dataclass
class Grid:
    """The table as rows of cells, with where each came from."""

    path: Path
    rows: list[list[Any]]
    sheet: str | None  # None for CSV
    encoding: str | None
    sha256: str


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def where(grid: Grid, row: int, col: int, header: str) -> str:
    """``Лист1!C12 ('2015')`` for sheets, ``column 3 ('2015')`` for CSV (row is 0-based)."""
    if grid.sheet is not None:
        return f"{grid.sheet}!{_col_letter(col)}{row + 1} ({header!r})"
    return f"column {col + 1} ({header!r})"


def detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp1252", "utf_16"]).best()
    return best.encoding if best is not None else "cp1251"


def read_grid(path: str | Path, mapping: Mapping) -> Grid:
    path = Path(path).expanduser()
    if not path.is_file():
        raise InputError("file not found", path=path, expected="a CSV, XLSX or XLS table")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods") or data[:4] in (
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0",
    ):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
        except Exception as exc:
            raise FormatError("cannot read the workbook", path=path, found=str(exc)[:80]) from exc
        names = wb.sheet_names
        sheet = mapping.sheet if mapping.sheet is not None else 0
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputError(
                    "no such sheet",
                    path=path,
                    field="sheet",
                    found=str(sheet),
                    expected="one of: " + ", ".join(names),
                )
            sheet = names[sheet]
        if sheet not in names and any(ch in sheet for ch in "*?["):
            import fnmatch

            matches = [n for n in names if fnmatch.fnmatchcase(n.casefold(), sheet.casefold())]
            if len(matches) != 1:
                raise InputError(
                    f"{len(matches)} sheets match {sheet!r}",
                    path=path,
                    field="sheet",
                    found=", ".join(matches or names),
                    expected="exactly one sheet",
                )
            sheet = matches[0]
        if sheet not in names:
            raise InputError(
                "no such sheet",
                path=path,
                field="sheet",
                found=sheet,
                expected="one of: " + ", ".join(names),
            )
        ws = wb.get_sheet_by_name(sheet)
        rows = [list(r) for r in ws.to_python(skip_empty_area=False)]
        return Grid(path, rows, sheet, None, sha)
    enc = mapping.encoding or detect_encoding(data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FormatError(
            f"cannot decode the file as {enc}",
            path=path,
            field="encoding",
            hint="give the encoding in the mapping (encoding: cp1251)",
        ) from exc
    lines = re.split(r"\r\n|\n|\r", text)  # not str.splitlines: U+0085, U+2028 stay in cells
    delim = mapping.delimiter
    if not delim:
        sample = lines[mapping.header_row - 1] if len(lines) >= mapping.header_row else ""
        delim = max((";", "\t", ","), key=sample.count)
        if sample.count(delim) == 0:
            delim = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        rows = [list(r) for r in reader]
    except csv.Error as exc:
        raise FormatError(
            "a row cannot be split into cells",
            path=path,
            line=reader.line_num,
            found=str(exc),
            expected=f"cells of at most {csv.field_size_limit():,} characters",
        ) from exc
    return Grid(path, rows, None, enc, sha)
