"""How a national statistics table would be read with a mapping, before anything is stored.

``silkroad mapping-check`` prints this report; a Python user (or the web API) gets the same
data from :func:`mapping_check`. See docs/tables.md.

>>> report = mapping_check("belstat.xlsx", "belstat.yaml", rows=5)  # doctest: +SKIP
>>> report.cells_loaded, report.cells_rejected  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from silkroad.errors import InputError
from silkroad.sources.table import Mapping as TableMapping
from silkroad.sources.table import (
    check_mapping,
    describe_columns,
    load_mapping,
    preview,
    read_grid,
)

#: Rows of the table shown as read when the mapping does not fit it (header_row, names).
HEAD_ROWS = 8


@dataclass
class MappingCheck:
    """The preview of a table read with a mapping: its columns, and each value cell read."""

    source: str
    file: Path
    sheet: str | None
    encoding: str | None
    header: list[str]
    value_columns: list[str]
    #: every named column and what becomes of it: (header, what it is read as)
    columns: list[tuple[str, str]]
    #: one dict per value cell: line, field, then the row read (year, month, exporter,
    #: importer, declared_by, product, value_usd) or why it is rejected (code, reason, raw)
    cells: list[dict[str, Any]] = field(default_factory=list)
    #: cells given as missing ('-', empty): counted, not rows
    cells_missing: int = 0
    #: why ingesting the whole table would be refused (every value cell rejected), else None
    refused: InputError | None = None

    @property
    def cells_read(self) -> int:
        return len(self.cells)

    @property
    def cells_loaded(self) -> int:
        return sum(1 for c in self.cells if "code" not in c)

    @property
    def cells_rejected(self) -> int:
        return sum(1 for c in self.cells if "code" in c)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``silkroad mapping-check --json``)."""
        return {
            "source": self.source,
            "file": str(self.file),
            "sheet": self.sheet,
            "encoding": self.encoding,
            "header": self.header,
            "value_columns": self.value_columns,
            "columns": [{"header": h, "read_as": what} for h, what in self.columns],
            "cells_read": self.cells_read,
            "cells_loaded": self.cells_loaded,
            "cells_rejected": self.cells_rejected,
            "cells_missing": self.cells_missing,
            "refused": None if self.refused is None else str(self.refused),
            "cells": self.cells,
        }


def mapping_check(path: str | Path, mapping: Any, *, rows: int = 10) -> MappingCheck:
    """How the first ``rows`` data rows of the table at ``path`` would be read with ``mapping``
    (a YAML file, a dict or a loaded mapping), and whether the whole table would be refused
    (``refused``: the error ``silkroad ingest table`` would give). Nothing is stored."""
    m, grid, reading = preview(path, mapping, rows=rows)
    refused = None
    try:
        check_mapping(path, m)
    except InputError as exc:
        refused = exc
    cells: list[dict[str, Any]] = []
    for c in reading.cells:
        item: dict[str, Any] = {"line": c.line, "field": c.field}
        if c.row is not None:
            for key in ("year", "month", "exporter", "importer", "declared_by", "product"):
                item[key] = c.row[key]
            item["value_usd"] = c.row["value_usd"]
        else:
            item.update({"code": c.code, "reason": c.reason, "raw": c.raw})
        cells.append(item)
    return MappingCheck(
        source=m.source,
        file=grid.path,
        sheet=grid.sheet,
        encoding=grid.encoding,
        header=list(reading.header),
        value_columns=[vc[1] for vc in reading.value_columns],
        columns=list(describe_columns(grid, m)),
        cells=cells,
        cells_missing=reading.missing,
        refused=refused,
    )


def head_rows(path: str | Path, mapping: Any, *, rows: int = HEAD_ROWS) -> list[list[Any]]:
    """The first ``rows`` rows of the table as read (cells as found), to fix a mapping whose
    header row or column names do not fit."""
    m = mapping if isinstance(mapping, TableMapping) else load_mapping(mapping)
    return [list(r) for r in read_grid(path, m).rows[:rows]]
