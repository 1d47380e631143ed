"""One rule for values the data cannot establish (METHODS 1.1, 1.5): unknown, never zero.

A value is *unknown* (NaN in frames, null in JSON, an empty CSV cell, "n/a" in text) when:

- a side stands for no economy in the year: a bloc before it existed or after it ended
  ("EAEU did not exist in 2012 (founded 2015-01-01)");
- an economy side has no rows at all in the source that year, as exporter or importer
  ("ATA: no rows in baci-hs92 202401b for 2022"): the source does not cover it; in declared
  data, a partner the declarer lists in no year at all (one it lists in other years traded 0).
  A bloc side stands for its members that the source covers (as world panels do), with a
  ``members`` note naming the others; it is unknown when it covers none of them;
- a flow is declared missing (a national table's '-' or empty cell), or a declared source has
  no row at all of one flow of its declarer that year (a table of exports only says nothing of
  imports);
- a share or rank among partners that the data cannot give: in declared data (Comtrade, a
  national table) for a side other than the declaring economy (its trade with its other partners
  is not in the source), and for the declaring economy when the source lists one partner only (a
  national table of its trade with one partner). Reconciled data (BACI) hold every economy's
  trade with all partners: there one partner only is a true 100 % share.

An economy that the source covers in a year but that has no flow with the partner traded 0 with
it: BACI is reconciled (every flow once, only positive flows listed) and a declared source lists
all the partners of its reporter. A reported zero stays 0.

Each unknown value carries a reason in the result's ``metadata["unknown"]``: a list of
``{"year", "what", "reason"}`` records (:func:`note`), so a script and a reader see why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from silkroad.reference.blocs import membership

if TYPE_CHECKING:
    from silkroad.analytics.parties import Party
    from silkroad.analytics.world import Panel
    from silkroad.store.store import Store

#: ``what`` of a note on a year's flows (exports, imports and all that is built from them).
TRADE = "trade"
#: ``what`` of a note on shares and ranks among partners.
SHARES = "shares and ranks among partners"


def note(year: int | None, what: str, reason: str) -> dict[str, Any]:
    """One reason record for ``metadata['unknown']``: the year, what is unknown, and why."""
    return {"year": None if year is None else int(year), "what": what, "reason": reason}


def merge(*groups: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes of ``groups`` once each, in order (the same reason is not repeated)."""
    out: list[dict[str, Any]] = []
    for group in groups:
        for n in group:
            if n not in out:
                out.append(n)
    return out


def bloc_reason(party: Party, year: int, other: Party | None = None) -> str | None:
    """Why ``party`` stands for no economy in ``year`` (a bloc not yet founded or ended), or
    None when it has members; ``other`` is the economy on the other side, if any."""
    if party.members(year):
        if other is not None and not (party.members(year) - other.members(year)):
            return f"{party.code} had no members other than {other.code} in {year}"
        return None
    periods = membership()
    periods = periods[periods["bloc"] == party.code]
    if periods.empty:
        return f"{party.code} had no members in {year}"
    founded = min(periods["start"])
    if year < founded.year:
        return f"{party.code} did not exist in {year} (founded {founded.isoformat()})"
    ends = list(periods["end"])
    if all(e is not None for e in ends):
        ended = max(e for e in ends if e is not None)
        return f"{party.code} did not exist in {year} (ended {ended.isoformat()})"
    return f"{party.code} had no members in {year}"


def absent_reason(code: str, source: str, version: str | None, year: int) -> str:
    """The reason an economy's trade is unknown: the source has no row of it that year."""
    release = f" {version}" if version else ""
    return f"{code}: no rows in {source}{release} for {year}"


def one_partner_reason(code: str, partner: str | None, source: str, year: int) -> str:
    """The reason a share or rank among ``code``'s partners is unknown (one partner or none)."""
    if partner is None:
        return f"share among partners is unknown: {source} lists no partner economy for {code} in {year}"
    return (
        f"share among partners is unknown: {source} lists one partner only for {code} "
        f"in {year} ({partner})"
    )


def not_declarer_reason(code: str, declarer: str, source: str, year: int) -> str:
    """The reason a share or rank among ``code``'s partners is unknown in declared data."""
    return (
        f"share among partners is unknown: {source} holds {declarer}'s declarations only, "
        f"not {code}'s trade with all its partners in {year}"
    )


def party_reason(
    party: Party, year: int, present: Iterable[str], source: str, version: str | None
) -> str | None:
    """Why ``party``'s trade in ``year`` is unknown given the economies ``present`` in the
    source that year (a bloc without members, a member without rows), or None."""
    members = party.members(year)
    if not members:
        return bloc_reason(party, year)
    absent = sorted(members - set(present))
    if not absent or (party.is_bloc and len(absent) < len(members)):
        return None  # a bloc stands for its members in the data
    return absent_reason(", ".join(absent), source, version, year)


def panel_notes(panel: Panel, *parties: Party) -> list[dict[str, Any]]:
    """The reasons the values of ``parties`` in a world panel's year are unknown (empty: known)."""
    meta = panel.metadata
    source, version = str(meta.get("source", "the store")), meta.get("source_version")
    out = []
    for party in parties:
        why = party_reason(party, panel.year, panel.economies, source, version)
        if why is not None:
            out.append(note(panel.year, TRADE, why))
    return merge(out)


def covered(store: Store, source: str, years: Iterable[int]) -> dict[int, frozenset[str]]:
    """Per year: the economies with at least one row (as exporter or importer) in ``source``."""
    ys = sorted({int(y) for y in years})
    out: dict[int, frozenset[str]] = {y: frozenset() for y in ys}
    if not ys:
        return out
    from silkroad.analytics.totals import totals_index

    index = totals_index(store, source)  # held in memory: no query
    if index is not None:
        return {y: index.covered.get(y, frozenset()) for y in ys}
    t = store.pair_totals(source)
    sel = t.filter(t.year.isin(ys))
    ex = sel.select(year=sel.year, economy=sel.exporter)
    im = sel.select(year=sel.year, economy=sel.importer)
    df = ex.union(im).distinct().to_pandas()
    for y, g in df.groupby("year"):
        out[int(y)] = frozenset(str(e) for e in g.economy)
    return out


__all__ = [
    "SHARES",
    "TRADE",
    "absent_reason",
    "bloc_reason",
    "covered",
    "merge",
    "not_declarer_reason",
    "note",
    "one_partner_reason",
    "panel_notes",
    "party_reason",
]
