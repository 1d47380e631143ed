"""The structure of a relationship in one year: what A sells to (or buys from) B, by product group.

One row per group, largest first (METHODS.md 1.2, 1.3, 1.5). Values in USD, shares and growth as
fractions:

- ``code``: chapter (``'87'``), heading (``'8701'``), subheading (``'870120'``), section (roman
  numeral, ``'XVII'``), basket id, ``'other'``, or ``'TOTAL'`` for declared trade not broken down
  by product (a declared total larger than its detail, :mod:`silkroad.sources.aggregates`; a
  residual chapter beside its headings keeps its chapter code and is labelled "not broken down to
  headings"); ``label_en``, ``label_ru``: chapter or section
  labels from the reference data; headings and subheadings get their chapter's label followed by
  "heading 8701" / "subheading 870120" (silkroad ships no official heading texts); baskets their
  names;
- ``value_usd`` in the year, ``share`` of the direction's total that year;
- ``prev_value_usd`` (year - 1; 0 for a group absent that year, NaN for every row when the store
  does not hold year - 1), ``change_usd``, ``growth`` (NaN from a zero base), ``note`` ('new',
  'stopped' or '');
- ``base_value_usd`` and ``to_base`` (value / base-year value, NaN from a zero base) when a base
  year is given;
- ``contribution_pp``: (v_t - v_{t-1}) / Total_{t-1} * 100, the group's contribution to the
  total's growth in percentage points; the column sums to the total's growth in percent.

Groups appear when they trade in the year or the year before; every basket of a basket set is
listed (with 0 when it has no trade). With ``top=N`` the N largest are
shown and one row ``'other'`` sums the rest (their values added up, not taken as a remainder); with
baskets, products in no basket also go to ``'other'``, which is always last and never counted in
the N. Shares then add up to 1 and contributions to the total's growth.

When the years compared (year, year - 1, base) are in different HS editions, data of the newer
editions is converted to the oldest with a correlation table (:mod:`silkroad.analytics.editions`);
chapters and sections are compared as they are when no table is given, headings and subheadings
need one. ``attrs['metadata']`` says which editions and which conversion were used.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics.editions import (
    TOTALS_ONLY,
    CorrelationTable,
    classifications_for,
    convert,
    edition_order,
    load_correlation,
    route,
)
from silkroad.analytics.growth import growth, growth_note
from silkroad.analytics.unknown import merge
from silkroad.errors import AnalysisError
from silkroad.reference.baskets import OTHER, BasketSet
from silkroad.reference.labels import NO_SECTION, UNALLOCATED, group_label
from silkroad.reference.products import HS_EDITION_YEARS, chapters, sections

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair

DIRECTIONS = ("exports", "imports")
LEVELS = ("hs2", "hs4", "hs6", "section")
COLUMNS = [
    "code",
    "label_en",
    "label_ru",
    "value_usd",
    "share",
    "prev_value_usd",
    "change_usd",
    "growth",
    "note",
    "contribution_pp",
]
BASE_COLUMNS = ["base_value_usd", "to_base"]

_DIGITS = {"hs2": 2, "hs4": 4, "hs6": 6}

CorrelationArg = CorrelationTable | str | PathLike[str] | Sequence[CorrelationTable | str]


def structure(
    pair: Pair,
    year: int,
    *,
    direction: str = "exports",
    level: str | BasketSet = "hs2",
    top: int | None = None,
    base: int | None = None,
    correlation: CorrelationArg | None = None,
) -> pd.DataFrame:
    """A's exports to B (or imports from B) in ``year`` by group (columns: module docstring).

    ``level``: 'hs2', 'hs4', 'hs6', 'section' or a :class:`~silkroad.reference.baskets.BasketSet`;
    ``top``: keep the N largest groups and sum the rest as 'other'; ``base``: a year for
    ``to_base``; ``correlation``: a loaded :class:`~silkroad.analytics.editions.CorrelationTable`,
    a path to one, or several for a chain (HS22→HS17→HS92), used when editions are mixed.

    >>> pair = sr.pair(store, "BLR", "KAZ")  # doctest: +SKIP
    >>> structure(pair, 2014, level="section", top=5)  # doctest: +SKIP
    """
    if direction not in DIRECTIONS:
        raise AnalysisError(
            "unknown direction", field="direction", found=direction, expected="exports or imports"
        )
    if not isinstance(level, BasketSet) and level not in LEVELS:
        raise AnalysisError(
            "unknown level",
            field="level",
            found=level,
            expected="hs2, hs4, hs6, section or a basket set",
        )
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise AnalysisError("top must be a whole number >= 1", field="top", found=top)
    (year,) = pair.check_years([year])
    if base is not None:
        (base,) = pair.check_years([base])
    # Unknown is not zero (analytics/unknown.py): a year whose flows the data cannot establish
    # (a bloc not yet founded, an economy without rows, a '-' cell) gives no rows and NaN
    # totals, with the reason; an unknown base year or year before gives NaN beside each row.
    notes = pair.flow_notes([year], direction)
    if notes:
        return _unknown(pair, year, direction, level, base, top, notes)
    held = set(pair.years_available())
    prev = year - 1 if year - 1 in held else None
    later = pair.flow_notes([y for y in (prev, base) if y is not None], direction)
    if prev is not None and any(n["year"] == prev for n in later):
        prev = None
    base_known = base is not None and not any(n["year"] == base for n in later)
    years = sorted({year} | {y for y in (prev, base) if y is not None})

    editions = classifications_for(pair, years)
    flows = pair.product_flows(years)
    flows = flows[flows.direction == direction].reset_index(drop=True)
    flows, conversion = _harmonise(flows, editions, level, correlation)

    flows["group"] = _groups(flows["product"], level)
    by_year = flows.pivot_table(
        index="group", columns="year", values="value_usd", aggfunc="sum", fill_value=0.0
    )
    # Groups traded in the base year only are listed too (value 0), so base totals add up.
    present = set(flows[flows.year.isin([year, prev, base])].group)
    if isinstance(level, BasketSet):
        present |= set(level.ids)  # every basket is listed, 0 when it has no trade
    by_year = by_year.reindex(index=pd.Index(sorted(present), name="group"), fill_value=0.0)
    table = pd.DataFrame(
        {
            "value_usd": _column(by_year, year),
            "prev_value_usd": _column(by_year, prev),
            "base_value_usd": _column(by_year, base if base_known else None),
        },
        index=by_year.index,
    )
    table, other_groups = _top_and_other(table, top)

    total = float(table.value_usd.sum())
    prev_total = float(table.prev_value_usd.sum()) if prev is not None else np.nan
    out = table.reset_index(names="code")
    edition = conversion["to"] or pair.metadata([year])["classification"]
    labels = [_label(c, level, edition) for c in out.code]
    out["label_en"] = [e for e, _ in labels]
    out["label_ru"] = [r for _, r in labels]
    out["share"] = out.value_usd / total if total > 0 else np.nan
    if prev is None:
        out["prev_value_usd"] = np.nan
    out["change_usd"] = out.value_usd - out.prev_value_usd
    out["growth"] = growth(out.value_usd, out.prev_value_usd)
    out["note"] = [
        growth_note(c, p) for c, p in zip(out.value_usd, out.prev_value_usd, strict=True)
    ]
    out["note"] = out.note.where(out.note.isin(["new", "stopped"]), "")
    out["contribution_pp"] = out.change_usd / prev_total * 100.0 if prev_total > 0 else np.nan
    columns = list(COLUMNS)
    if base is not None:
        b = out.base_value_usd
        with np.errstate(divide="ignore", invalid="ignore"):
            out["to_base"] = (out.value_usd / b).where(b > 0)
        columns[columns.index("contribution_pp") : columns.index("contribution_pp")] = BASE_COLUMNS
    out = out[columns].reset_index(drop=True)
    _check(out, total, prev_total)

    meta = pair.metadata([year])
    meta["unknown"] = merge(pair.flow_notes([year], direction), later)
    meta.update(
        {
            "direction": direction,
            "level": "baskets" if isinstance(level, BasketSet) else level,
            "baskets": _basket_meta(level),
            "base": base,
            "previous_year": prev,
            "top": top,
            "other_groups": other_groups,
            "total_usd": total,
            "previous_total_usd": prev_total,
            "total_growth": (total / prev_total - 1.0) if prev_total > 0 else np.nan,
            "classification": conversion["to"] or meta["classification"],
            "conversion": conversion,
        }
    )
    out.attrs["metadata"] = meta
    return out


# --- steps -------------------------------------------------------------------------------
def _unknown(
    pair: Pair,
    year: int,
    direction: str,
    level: str | BasketSet,
    base: int | None,
    top: int | None,
    notes: list[dict[str, Any]],
) -> pd.DataFrame:
    """The structure of a year whose flows are unknown: no rows, NaN totals, the reasons."""
    columns = list(COLUMNS)
    if base is not None:
        columns[columns.index("contribution_pp") : columns.index("contribution_pp")] = BASE_COLUMNS
    out = pd.DataFrame({c: pd.Series(dtype=object if c in _TEXT else float) for c in columns})
    meta = pair.metadata([year])
    meta.update(
        {
            "direction": direction,
            "level": "baskets" if isinstance(level, BasketSet) else level,
            "baskets": _basket_meta(level),
            "base": base,
            "previous_year": None,
            "top": top,
            "other_groups": 0,
            "total_usd": np.nan,
            "previous_total_usd": np.nan,
            "total_growth": np.nan,
            "conversion": {"from": [], "to": None},
            "unknown": merge(notes),
        }
    )
    out.attrs["metadata"] = meta
    return out


_TEXT = ("code", "label_en", "label_ru", "note")


def _column(by_year: pd.DataFrame, year: int | None) -> pd.Series:
    if year is None:
        return pd.Series(np.nan, index=by_year.index, dtype=float)
    if year not in by_year.columns:
        return pd.Series(0.0, index=by_year.index, dtype=float)
    return by_year[year].astype(float)


def _top_and_other(table: pd.DataFrame, top: int | None) -> tuple[pd.DataFrame, int]:
    """Order groups by value (then previous value, then code); fold the rest into 'other'.

    Returns the table and the number of groups summed in 'other' (basket leftovers count as one).
    """
    leftover = table.loc[table.index == OTHER]
    ranked = table.loc[table.index != OTHER]
    keys = pd.DataFrame(
        {
            "value": ranked.value_usd.to_numpy(),
            "prev": ranked.prev_value_usd.fillna(0.0).to_numpy(),
            "code": ranked.index.to_numpy(),
        }
    )
    order = keys.sort_values(["value", "prev", "code"], ascending=[False, False, True]).index
    ranked = ranked.iloc[order]
    rest = leftover
    if top is not None and len(ranked) > top:
        rest = pd.concat([ranked.iloc[top:], leftover])
        ranked = ranked.iloc[:top]
    if rest.empty:
        return ranked, 0
    other = pd.DataFrame(
        {
            "value_usd": [rest.value_usd.sum()],
            "prev_value_usd": [rest.prev_value_usd.sum(min_count=1)],
            "base_value_usd": [rest.base_value_usd.sum(min_count=1)],
        },
        index=pd.Index([OTHER], name="group"),
    )
    return pd.concat([ranked, other]), len(rest)


def _groups(products: pd.Series, level: str | BasketSet) -> pd.Series:
    codes = products.astype(str)
    if isinstance(level, BasketSet):
        return level.assign(codes).fillna(OTHER).astype(str)
    unallocated = codes == UNALLOCATED
    if level == "section":
        roman = _chapter_romans()
        groups = codes.str[:2].map(roman).fillna(NO_SECTION)
    else:
        groups = codes.str[: _DIGITS[level]]
    return groups.where(~unallocated, UNALLOCATED)


@lru_cache(maxsize=1)
def _chapter_romans() -> dict[str, str]:
    ch = chapters()
    sec = sections().set_index("number").roman
    return dict(zip(ch.code, ch.section.map(sec), strict=True))


def _label(code: str, level: str | BasketSet, edition: str) -> tuple[str, str]:
    return (
        group_label(code, level, "en", classification=edition),
        group_label(code, level, "ru", classification=edition),
    )


def _check(out: pd.DataFrame, total: float, prev_total: float) -> None:
    """The table's own invariants: shares add up to 1, contributions to the total's growth."""
    if total > 0 and abs(out.share.sum() - 1.0) > 1e-12:
        raise AnalysisError(
            "internal check failed: shares do not add up to 1", found=out.share.sum()
        )
    if prev_total > 0:
        expected = (total / prev_total - 1.0) * 100.0
        got = float(out.contribution_pp.sum())
        if abs(got - expected) > 1e-9 * max(1.0, abs(expected)):
            raise AnalysisError(
                "internal check failed: contributions do not add up to the total's growth",
                found=got,
                expected=f"{expected} pp",
            )


def _basket_meta(level: str | BasketSet) -> dict[str, Any] | None:
    if not isinstance(level, BasketSet):
        return None
    return {"name": level.name, "path": level.path, "ids": level.ids}


# --- editions ----------------------------------------------------------------------------


def _unsd_name(edition: str) -> str:
    """'HS17' → 'HS2017', 'HS92' → 'HS1992' (the names UNSD's tables use)."""
    return "HS1992" if edition == "HS92" else f"HS{HS_EDITION_YEARS[edition]}"


def _tables(correlation: CorrelationArg | None) -> list[CorrelationTable]:
    if correlation is None:
        return []
    items = (
        [correlation]
        if isinstance(correlation, CorrelationTable | str | PathLike)
        else list(correlation)
    )
    return [t if isinstance(t, CorrelationTable) else load_correlation(t) for t in items]


def _harmonise(
    flows: pd.DataFrame,
    editions: dict[int, str],
    level: str | BasketSet,
    correlation: CorrelationArg | None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Bring every year to the oldest edition among them; say what was done."""
    # years of totals only ('TOTAL') hold no product code to convert
    eds = sorted(set(editions.values()) - {TOTALS_ONLY}, key=edition_order)
    info: dict[str, Any] = {
        "editions": {int(y): e for y, e in sorted(editions.items())},
        "to": eds[0] if eds else (TOTALS_ONLY if editions else None),
        "applied": False,
        "tables": [],
        "allocation": None,
        "unmapped_codes": [],
        "note": "",
    }
    if len(eds) <= 1:
        if eds:
            info["note"] = f"all years in {eds[0]}: no conversion"
        else:
            info["note"] = "totals only, no product detail" if editions else "no data"
        return flows, info
    target = eds[0]
    mixed = ", ".join(f"{y}: {e}" for y, e in sorted(editions.items()))
    tables = _tables(correlation)
    if not tables:
        detailed = level in ("hs4", "hs6") or (
            isinstance(level, BasketSet) and level.max_digits > 2
        )
        if detailed:
            newer = ", ".join(_unsd_name(e) for e in eds[1:])
            what = (
                "baskets with codes longer than 2 digits"
                if isinstance(level, BasketSet)
                else {"hs4": "headings (hs4)", "hs6": "subheadings (hs6)"}[str(level)]
            )
            raise AnalysisError(
                f"the years compared are in different HS editions ({mixed}); {what} cannot be "
                "compared across editions without a conversion",
                field="correlation",
                expected=f"--correlation FILE, a UNSD {newer}→{_unsd_name(target)} correlation table",
                hint="in Python: correlation=load_correlation(FILE) from silkroad.analytics.editions",
            )
        info["note"] = f"no conversion: HS chapters compared as they are across editions ({mixed})"
        return flows, info
    parts = []
    used: list[CorrelationTable] = []
    for y, ed in sorted(editions.items()):
        part = flows[flows.year == y]
        if ed not in (target, TOTALS_ONLY):
            chain = route(tables, ed, target)
            if chain is None:
                raise AnalysisError(
                    f"no correlation table given converts {ed} to {target} (years {mixed})",
                    field="correlation",
                    found=", ".join(t.describe() for t in tables),
                    expected=f"a UNSD {_unsd_name(ed)}→{_unsd_name(target)} correlation table",
                )
            part = convert(part, chain, ["value_usd", "weight_kg"])
            notes = part.attrs["conversion"]
            for note in notes.get("chain", [notes]):
                info["unmapped_codes"] = sorted(
                    set(info["unmapped_codes"]) | set(note["unmapped_codes"])
                )
                info["allocation"] = note["allocation"]
            used += [t for t in chain if t not in used]
        parts.append(part)
    info.update(
        applied=True,
        tables=[{"from": t.source, "to": t.target, "path": t.path} for t in used],
        note=f"converted to {target} ({mixed}) with " + ", ".join(t.describe() for t in used),
    )
    out = pd.concat(parts, ignore_index=True) if parts else flows
    return out, info
