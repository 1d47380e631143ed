"""The two sides of a pair: an economy (ISO3) or a bloc with year-by-year membership."""

from __future__ import annotations

from dataclasses import dataclass

from silkroad.errors import AnalysisError
from silkroad.reference.blocs import bloc_name, is_bloc, members
from silkroad.reference.countries import country_name, resolve_country


@dataclass(frozen=True)
class Party:
    """An economy or a bloc; ``members(year)`` is the set of economies it stands for that year."""

    code: str
    kind: str  # 'economy' or 'bloc'

    def members(self, year: int) -> frozenset[str]:
        if self.kind == "economy":
            return frozenset({self.code})
        return frozenset(members(self.code, year))

    def name(self, lang: str = "en") -> str:
        if self.kind == "economy":
            return country_name(self.code, lang)
        return bloc_name(self.code, lang)

    @property
    def is_bloc(self) -> bool:
        return self.kind == "bloc"


def resolve_party(text: str) -> Party:
    """A bloc id (``EAEU``, ``EU27``, ``CIS`` …) or an economy (ISO3 or a name)."""
    code = text.strip().upper()
    if is_bloc(code):
        return Party(code, "bloc")
    return Party(resolve_country(text), "economy")


def sides_for_year(a: Party, b: Party, year: int) -> tuple[frozenset[str], frozenset[str]]:
    """Member sets of both sides in ``year``; an economy never counts on both sides.

    ``BLR`` vs ``EAEU`` in 2016 is Belarus against the other four members; before a bloc
    existed (EAEU in 2014) its side is empty and trade with it is 0.
    """
    sa, sb = a.members(year), b.members(year)
    if a.is_bloc and b.is_bloc and sa & sb:
        raise AnalysisError(
            f"{a.code} and {b.code} have common members in {year} "
            f"({', '.join(sorted(sa & sb))}); trade between them is ambiguous",
            found=f"{a.code} and {b.code}",
            expected="two blocs without common members, or an economy against a bloc",
        )
    if a.is_bloc and not b.is_bloc:
        sa = sa - sb
    else:
        sb = sb - sa
    return sa, sb


def check_distinct(a: Party, b: Party) -> None:
    if a == b:
        raise AnalysisError(
            "a pair needs two different economies or blocs",
            found=f"{a.code} and {b.code}",
            expected="A ≠ B",
        )
