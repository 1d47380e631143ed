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

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from silkroad.errors import StoreError

if TYPE_CHECKING:
    from silkroad.store.store import WriteTransaction

#: ``progress(stage, done, total)``: called as a reader works through an input's parts.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SourceKind:
    """The policy of one kind of source: reconciled or declared, how it replaces, its ids."""

    name: str  # recorded in the catalog ('baci', 'comtrade', 'table')
    description: str
    reconciled: bool  # True: one value per flow (BACI); False: declared by one side
    #: 'release': a new release replaces the held one whole (an older one needs --force);
    #: 'year': an ingest replaces the years it holds, for the flows it holds
    replaces: Literal["release", "year"]
    #: source id convention: a regular expression; its group 'declarer' (if any) is the
    #: reporter's ISO3 in lower case
    id_pattern: str
    id_example: str

    @property
    def declared(self) -> bool:
        """True when the flows are one side's declarations (exporter's or importer's)."""
        return not self.reconciled

    @property
    def replaces_by_year(self) -> bool:
        """True when an ingest replaces held years (and must cover the flows they hold)."""
        return self.replaces == "year"

    def matches(self, source_id: str) -> bool:
        """True if ``source_id`` follows this kind's convention."""
        return re.fullmatch(self.id_pattern, source_id) is not None

    def declarer_of(self, source_id: str) -> str | None:
        """The ISO3 (upper case) of the economy whose declarations ``source_id`` holds.

        None for reconciled sources and for ids that do not follow the convention.
        ``COMTRADE.declarer_of('comtrade-blr') == 'BLR'``,
        ``TABLE.declarer_of('table-blr-belstat') == 'BLR'``, ``BACI.declarer_of(...) is None``.
        """
        m = re.fullmatch(self.id_pattern, source_id)
        if m is None or "declarer" not in m.re.groupindex:
            return None
        return m.group("declarer").upper()


BACI = SourceKind(
    name="baci",
    description="CEPII BACI: reconciled bilateral flows, one value per flow (HS6)",
    reconciled=True,
    replaces="release",
    id_pattern=r"(?:synthetic-)?baci-hs\d{2}",
    id_example="baci-hs92 (synthetic-baci-hs92 for the demo world)",
)
COMTRADE = SourceKind(
    name="comtrade",
    description="UN Comtrade: one reporter's declarations",
    reconciled=False,
    replaces="year",
    id_pattern=r"comtrade-(?P<declarer>[a-z0-9_]{2,3})",
    id_example="comtrade-blr",
)
TABLE = SourceKind(
    name="table",
    description="a national statistics table read through a mapping: its reporter's declarations",
    reconciled=False,
    replaces="year",
    id_pattern=r"table-(?P<declarer>[a-z0-9_]{2,3})-[a-z0-9_.]+",
    id_example="table-blr-belstat",
)

#: Kind name (as recorded in the catalog) -> kind.
KINDS: dict[str, SourceKind] = {k.name: k for k in (BACI, COMTRADE, TABLE)}


def kind_named(name: str) -> SourceKind:
    """The kind recorded as ``name`` in the catalog; StoreError if silkroad does not know it."""
    try:
        return KINDS[name]
    except KeyError:
        raise StoreError(
            f"unknown source kind {name!r}", expected="one of: " + ", ".join(KINDS)
        ) from None


def kind_of(entry: Any) -> SourceKind:
    """The kind of a catalog entry (a SourceState, an IngestRecord, a ``Store.sources()`` row,
    or a source id string).

    The recorded kind name is used when it is one silkroad knows (catalogs of every version
    record 'baci', 'comtrade' or 'table'); otherwise the source id convention decides.
    """
    if isinstance(entry, str):
        name, source = None, entry
    elif isinstance(entry, Mapping):
        name, source = entry.get("kind"), entry.get("source", "")
    else:
        name, source = getattr(entry, "kind", None), getattr(entry, "source", "")
    if isinstance(name, str) and name in KINDS:
        return KINDS[name]
    for kind in KINDS.values():
        if kind.matches(str(source)):
            return kind
    raise StoreError(
        f"cannot tell the kind of source {source!r}",
        found=name,
        expected="a kind recorded as one of: "
        + ", ".join(KINDS)
        + " (ids such as "
        + "; ".join(k.id_example for k in KINDS.values())
        + ")",
    )


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
