"""Source kinds: the policy each kind of source carries (reconciled or declared, how an ingest
replaces held data, the source id convention).

Recorded in the catalog by name; the store, the readers and the analytics ask :func:`kind_of`
instead of comparing source-id strings. It stands outside the layers (sources → store →
analytics) because all of them need it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from silkroad.errors import StoreError


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


__all__ = ["BACI", "COMTRADE", "KINDS", "TABLE", "SourceKind", "kind_named", "kind_of"]
