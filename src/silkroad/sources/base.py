"""The reader contract: what every source does, and the policy each kind of source carries.

Every reader goes through the same three steps, driven by :func:`silkroad.ingestion.ingest`:

1. ``inspect(path, **options) -> Input``: identify the input (a one-line error if it is not of
   the reader's format) and name the source it feeds, e.g. ``baci-hs92`` or ``comtrade-blr``;
2. ``digest(input) -> str``: the sha256 that makes re-ingesting the same input a no-op;
3. ``stage(input, txn, progress) -> StageReport``: hand the canonical rows of each year and the
   rejected rows to the write transaction, and count rows read, loaded and rejected (with the
   reasons) per year, so that ``read = loaded + rejected``.

A :class:`SourceKind` carries what used to be string checks: whether its flows are reconciled
(BACI) or declared by one side (Comtrade, national tables); whether an ingest replaces a whole
release or the years it holds (then refusing an input that lacks flows the store holds for such
a year); and the source id convention. The catalog records the kind's name; :func:`kind_of`
gives the kind back for a catalog entry, so the store and analytics ask it instead of comparing
strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from silkroad.kinds import BACI, COMTRADE, KINDS, TABLE, SourceKind, kind_named, kind_of

if TYPE_CHECKING:
    from silkroad.store.store import WriteTransaction

#: ``progress(stage, done, total)``: called as a reader works through an input's parts.
Progress = Callable[[str, int, int], None]


# --- what a reader hands over ------------------------------------------------------------------
@dataclass
class Input:
    """An input as inspected, before anything is read in bulk: what it is and what it feeds."""

    path: Path
    source: str  # the source id it feeds
    version: str  # release version ('202401b'), or 'declared' for declared sources
    synthetic: bool = False
    #: one piece of a release (a single year file): it may not replace another release whole
    partial: bool = False


@dataclass
class StageReport:
    """Counts of one staged input: rows read, loaded and rejected (with reasons), by year."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    #: year -> (rows read, rows loaded, rows rejected); every year the input supplies
    by_year: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    #: classifications of the loaded rows ('HS92', ..., 'TOTAL')
    classifications: list[str] = field(default_factory=list)
    residuals: int = 0  # totals kept as the part their detail does not cover
    cells_missing: int = 0  # tables: empty or dash cells (missing, not zero; not rows)
    missing_flows: int = 0  # tables: flows with every cell missing, kept as unknown

    @property
    def years(self) -> list[int]:
        """Every year the input supplies (loaded or not), ascending."""
        return sorted(self.by_year)

    @property
    def loaded_years(self) -> list[int]:
        """Years with at least one loaded row, ascending."""
        return sorted(y for y, (_, loaded, _) in self.by_year.items() if loaded)

    def add_year(self, year: int, read: int, loaded: int, rejected: int) -> None:
        """Count one year's rows (added to any already counted for that year)."""
        r0, l0, j0 = self.by_year.get(year, (0, 0, 0))
        self.by_year[year] = (r0 + read, l0 + loaded, j0 + rejected)
        self.rows_read += read
        self.rows_loaded += loaded
        self.rows_rejected += rejected

    def count_reasons(self, codes: Mapping[str, int]) -> None:
        """Add rejected-row counts per reason code (kept sorted by code)."""
        merged = dict(self.rejected_by_reason)
        for code, n in codes.items():
            merged[code] = merged.get(code, 0) + n
        self.rejected_by_reason = dict(sorted(merged.items()))


class Reader(Protocol):
    """What every source reader provides (see the module docstring)."""

    kind: SourceKind
    #: keyword options of ``inspect`` this reader accepts (CLI flags without dashes)
    options: tuple[str, ...]
    #: what one counted row is, in messages: 'row' (a file's line or record), 'value' (a cell)
    unit: str

    def inspect(self, path: Path, **options: Any) -> Input:
        """Identify the input and the source it feeds; a one-line error if it is not readable."""
        ...

    def digest(self, inp: Input) -> str:
        """The input's sha256 (hex): re-ingesting an input with the same digest is a no-op."""
        ...

    def stage(
        self, inp: Input, txn: WriteTransaction, progress: Progress | None = None
    ) -> StageReport:
        """Hand every year's rows and the rejected rows to ``txn``; return the counts."""
        ...

    def classification(self, inp: Input, report: StageReport) -> str:
        """The classification recorded in the catalog for this ingest ('HS92', 'TOTAL', ...)."""
        ...

    def message(self, inp: Input, report: StageReport) -> str:
        """One line saying what was loaded (before any 'replaced release' note)."""
        ...


#: The first year silkroad accepts from any source (no trade statistics it reads are older).
FIRST_YEAR = 1900


def last_year() -> int:
    """The last plausible year of trade data: next year (UTC), for data dated ahead."""
    import datetime as dt

    return dt.datetime.now(dt.UTC).year + 1


def plausible_year(year: int) -> bool:
    """True for a year silkroad accepts from any source: FIRST_YEAR to next year."""
    return FIRST_YEAR <= year <= last_year()


def check_year(year: int, *, path: Any = None, field: str | None = None) -> None:
    """InputError unless ``year`` is plausible (FIRST_YEAR to next year)."""
    if not plausible_year(year):
        from silkroad.errors import InputError

        raise InputError(
            "implausible year",
            path=path,
            field=field,
            found=year,
            expected=f"a year from {FIRST_YEAR} to {last_year()}",
        )


def residual_note(n: int) -> str:
    """The ingest message's note on totals kept as the part their detail does not cover."""
    if not n:
        return ""
    return (
        f"; {n} total{'s' if n != 1 else ''} larger than {'their' if n != 1 else 'its'} product "
        "detail kept as the part the detail does not cover (product 'TOTAL' or the parent code)"
    )


def span(years: list[int]) -> str:
    """'2012–2015', '2014' or 'none'."""
    if not years:
        return "none"
    ys = sorted(years)
    return f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0])


__all__ = [
    "BACI",
    "COMTRADE",
    "FIRST_YEAR",
    "KINDS",
    "TABLE",
    "Input",
    "Progress",
    "Reader",
    "SourceKind",
    "StageReport",
    "check_year",
    "kind_named",
    "kind_of",
    "last_year",
    "plausible_year",
    "residual_note",
    "span",
]
