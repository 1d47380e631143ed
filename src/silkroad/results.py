"""Typed analysis results and the one serialiser every face uses (CLI ``--json``/``--csv``, web).

An analysis returns a :class:`Result`: named tables (DataFrames), scalar values and metadata
(source, perspective, years, units, synthetic flag, conventions). ``to_dict()`` gives the JSON
form (full precision; NaN and infinities as null), ``to_csv()`` the tables, ``to_frame()`` the
main table. A number therefore has one JSON form everywhere.

>>> r = sr.pair(store, "BLR", "KAZ").summary()  # doctest: +SKIP
>>> r.to_frame().turnover_usd  # doctest: +SKIP
>>> r.to_dict()["metadata"]["source"]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The first line of a CSV made from the synthetic demo world.
SYNTHETIC_CSV_LINE = "# SYNTHETIC demo data, not real trade statistics\n"


@dataclass
class Result:
    """One analysis answer: ``tables`` (name → DataFrame), ``values`` (name → scalar or small
    structure) and ``metadata``. Reads like a mapping: ``result["gainers"]``,
    ``result["metadata"]``."""

    kind: str
    tables: dict[str, pd.DataFrame]
    metadata: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    #: the table :meth:`to_frame` and a one-table CSV give; default: the first table
    main: str | None = None
    #: the tables a CSV stacks (a first column ``table`` names each); default: ``main`` alone
    csv_tables: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # one JSON object holds both: a value named like a table would be overwritten by it
        clash = sorted(set(self.values) & set(self.tables) | {"metadata"} & set(self.values))
        if clash:
            raise ValueError(f"result {self.kind!r}: values and tables share names {clash}")

    # --- mapping access -------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key == "metadata":
            return self.metadata
        if key in self.tables:
            return self.tables[key]
        if key in self.values:
            return self.values[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield "metadata"
        yield from self.values
        yield from self.tables

    def __len__(self) -> int:
        return 1 + len(self.values) + len(self.tables)

    def __contains__(self, key: object) -> bool:
        return key == "metadata" or key in self.tables or key in self.values

    def keys(self) -> list[str]:
        return list(self)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return default

    def __repr__(self) -> str:
        tables = ", ".join(f"{k}[{len(v)}]" for k, v in self.tables.items())
        return f"<Result {self.kind}: {tables}>"

    # --- forms ----------------------------------------------------------------------------
    @property
    def main_table(self) -> str:
        if self.main is not None:
            return self.main
        if not self.tables:
            raise KeyError(f"result {self.kind!r} has no table")
        return next(iter(self.tables))

    def to_frame(self, name: str | None = None) -> pd.DataFrame:
        """A copy of the main table (or of table ``name``); metadata and values in ``attrs``."""
        frame = self.tables[name or self.main_table].copy()
        frame.attrs = {"metadata": dict(self.metadata), **self.values}
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: metadata, values, then each table as a list of records."""
        out: dict[str, Any] = {"metadata": jsonable(self.metadata)}
        out.update({k: jsonable(v) for k, v in self.values.items()})
        out.update({k: jsonable(v) for k, v in self.tables.items()})
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 characters kept, not escaped)."""
        return dumps(self.to_dict(), indent=indent)

    def to_csv(self) -> str:
        """The CSV form: the main table, or the ``csv_tables`` stacked under a ``table`` column.

        Numbers made from the synthetic demo world get a first line ``# SYNTHETIC …`` (read it
        with ``pandas.read_csv(..., comment="#")``), so a file never loses that label.
        """
        names = self.csv_tables or (self.main_table,)
        if len(names) == 1:
            body = str(self.tables[names[0]].to_csv(index=False))
        else:
            frames = [self.tables[n].assign(table=n) for n in names]
            stacked = pd.concat(frames, ignore_index=True).convert_dtypes()
            stacked = stacked[["table", *[c for c in stacked.columns if c != "table"]]]
            body = str(stacked.to_csv(index=False))
        return (SYNTHETIC_CSV_LINE + body) if self.metadata.get("synthetic") else body


def jsonable(value: Any) -> Any:
    """``value`` made of JSON types only: tables become lists of records, NaN/inf become None,
    NumPy scalars become Python numbers (full precision), dates ISO 8601 strings."""
    kind = type(value)  # the plain scalars of a table's records first: most calls are these
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, pd.DataFrame):
        # A bare frame on the same data: pandas deep-copies ``attrs`` (a result's metadata)
        # into every column it hands out, which cost more than the records themselves.
        bare = pd.DataFrame(value, copy=False)
        return [
            {str(k): jsonable(v) for k, v in row.items()} for row in bare.to_dict(orient="records")
        ]
    if isinstance(value, pd.Series):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``data`` through :func:`jsonable` (the one serialiser)."""
    return json.dumps(jsonable(data), indent=indent, ensure_ascii=False, allow_nan=False)


def table_result(
    kind: str,
    frame: pd.DataFrame,
    metadata: Mapping[str, Any],
    *,
    name: str = "rows",
    values: Mapping[str, Any] | None = None,
) -> Result:
    """A result of one table (summary, profile, structure…)."""
    return Result(
        kind=kind,
        tables={name: frame},
        metadata=dict(metadata),
        values=dict(values or {}),
        main=name,
    )


def bundle_result(
    kind: str,
    parts: Mapping[str, Any],
    *,
    main: str | None = None,
    csv_tables: Sequence[str] | None = None,
) -> Result:
    """A result from an analysis's dict of tables, values and ``metadata`` (movers, prices…)."""
    tables = {k: v for k, v in parts.items() if isinstance(v, pd.DataFrame)}
    values = {k: v for k, v in parts.items() if k != "metadata" and k not in tables}
    return Result(
        kind=kind,
        tables=tables,
        metadata=dict(parts.get("metadata", {})),
        values=values,
        main=main,
        csv_tables=tuple(csv_tables) if csv_tables else None,
    )
