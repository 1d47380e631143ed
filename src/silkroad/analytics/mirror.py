"""Mirror statistics: what the exporter declared against what the importer declared (METHODS 1.6).

For each direction of a pair (A's exports to B, A's imports from B) and product group:

- ``exporter_declared_usd``: the exporter's own declaration (FOB), ``importer_declared_usd``:
  the importer's (CIF); ``gap_usd`` = importer − exporter, ``gap_rel`` = gap / exporter's figure,
  ``cif_fob_ratio`` = importer / exporter (≈ 1 + CIF margin when both report the same goods);
- ``flags``: likely causes the data shows — ``missing_exporter_side`` / ``missing_importer_side``
  (one side does not report the product), ``unit_value_mismatch`` (the two declared weights
  disagree by more than 25 %), ``re_exports`` (the exporter declared re-exports of it),
  ``customs_union_survey`` (both in the Customs Union / EAEU that year: intra-union trade is
  collected by statistical survey, not customs declarations, FORMATS 4.3), ``not_broken_down``
  (the group ``TOTAL``: trade a side declared only in a total larger than its product detail,
  so it cannot be compared product by product).

Declarations come from any declared source in the store (UN Comtrade per reporter, national
tables): for each declaring economy the first source, in name order, that holds its rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics.parties import sides_for_year
from silkroad.analytics.unknown import TRADE, merge, note
from silkroad.errors import AnalysisError
from silkroad.kinds import kind_of
from silkroad.reference.blocs import members

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair

LEVELS = ("hs2", "hs4", "hs6")
#: The code of declared trade not broken down by product (sources/aggregates.py).
UNALLOCATED = "TOTAL"
#: Declared weights differing by more than this fraction flag a quantity/unit-value mismatch.
WEIGHT_TOLERANCE = 0.25


def mirror(pair: Pair, year: int, *, level: str = "hs2", top: int | None = 10) -> dict[str, Any]:
    """Both sides' declarations of the pair's trade in ``year``, by product group, with gaps.

    Returns ``{"exports": DataFrame, "imports": DataFrame, "summary": DataFrame, "metadata":
    dict}``; the direction tables are sorted by absolute gap (largest first), cut to ``top``
    rows when given (the summary always covers every product).
    """
    if level not in LEVELS:
        raise AnalysisError("unknown level", field="level", found=level, expected="hs2, hs4 or hs6")
    sa, sb = sides_for_year(pair.party_a, pair.party_b, year)
    # Unknown is not zero (analytics/unknown.py): a side standing for no economy (a bloc not yet
    # founded) leaves both declarations unknown; a side with no declarations of its own leaves
    # its declared values unknown (NaN in the summary), never 0 against the other's.
    notes = []
    if not sa or not sb:
        notes.append(note(year, TRADE, pair.gap(year) or "a side had no members"))
    declared = [s for s in pair.store.catalog.sources.values() if kind_of(s).declared]
    declared = [s for s in declared if str(year) in s.years]
    if not declared:
        raise AnalysisError(
            f"no declared statistics for {year} in the store",
            field="year",
            expected="UN Comtrade or national declarations of both sides (silkroad ingest comtrade)",
        )
    declarers = {kind_of(s).declarer_of(s.source) for s in declared}
    held = _flows_held(pair, year, declared) if None not in declarers else {}
    rows = _declared_rows(pair, year, sorted(s.source for s in declared), sa | sb)
    tables: dict[str, pd.DataFrame] = {}
    summary = []
    used: dict[str, str] = {}
    for direction, (ex, im) in {"exports": (sa, sb), "imports": (sb, sa)}.items():
        flows = rows[rows.exporter.isin(ex) & rows.importer.isin(im)]
        xs, x_src = _one_source_per_declarer(flows[flows.declared_by == "exporter"], "exporter")
        ms, m_src = _one_source_per_declarer(flows[flows.declared_by == "importer"], "importer")
        used |= {f"{direction}: declared by {k}": v for k, v in (x_src | m_src).items()}
        table = _compare(xs, ms, level, union=_customs_union(ex | im, year))
        row = _summary(direction, table)
        for role, side in (("exporter", ex), ("importer", im)):
            silent = sorted(side - declarers) if None not in declarers else []
            # a declarer whose tables hold none of this flow (a table of exports only)
            lacking = sorted(e for e in side & held.keys() if role not in held[e][0])
            if silent or not side or lacking:
                row = _unknown_side(row, role)
            what = f"{direction} declared by the {role}"
            if silent:
                why = f"{', '.join(silent)}: no declarations of its own in the store for {year}"
                notes.append(note(year, what, why))
            flow = "exports" if role == "exporter" else "imports"
            for e in lacking:
                why = f"{held[e][1]} has no {flow} of {e} for {year}: that flow is not in it"
                notes.append(note(year, what, why))
        summary.append(row)
        table = table.sort_values("abs_gap", ascending=False).drop(columns="abs_gap")
        tables[direction] = table.head(top).reset_index(drop=True) if top else table
    meta = pair.metadata([year]) | {
        # the notes of the declarations compared (the pair's own source is not the one read)
        "unknown": merge(notes),
        "analysis": "mirror",
        "level": level,
        "sources_used": used,
        "perspective": "declared (both sides)",
    }
    return {**tables, "summary": pd.DataFrame(summary), "metadata": meta}


def _flows_held(pair: Pair, year: int, declared: list[Any]) -> dict[str, tuple[set[str], str]]:
    """Per declaring economy of the sources ``declared`` (national tables: one declarer each):
    which roles ('exporter', 'importer') it declares in ``year`` at all, and its sources."""
    out: dict[str, tuple[set[str], str]] = {}
    for state in declared:
        declarer = kind_of(state).declarer_of(state.source)
        if declarer is None:
            continue
        t = pair.store.pair_totals(state.source)
        sel = t.filter(t.year == year)
        found = sel.aggregate(
            x=(sel.exporter == declarer).any(), m=(sel.importer == declarer).any()
        ).to_pandas()
        roles, names = out.get(declarer, (set(), ""))
        if bool(found.x.iloc[0]):
            roles.add("exporter")
        if bool(found.m.iloc[0]):
            roles.add("importer")
        out[declarer] = (roles, ", ".join(filter(None, [names, state.source])))
    return out


def _declared_rows(
    pair: Pair, year: int, sources: list[str], economies: frozenset[str]
) -> pd.DataFrame:
    frames = []
    for source in sources:
        t = pair.store.flows(source)
        sel = t.filter(
            t.year == year,
            t.exporter.isin(sorted(economies)),
            t.importer.isin(sorted(economies)),
            t.declared_by.isin(["exporter", "importer"]),
        ).select(
            "exporter", "importer", "declared_by", "re_flow", "product", "value_usd", "weight_kg"
        )
        df = sel.to_pandas()
        frames.append(df.assign(source=source))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    # HS codes at any level, national 8- or 10-digit codes (TN VED) cut to the level asked, and
    # 'TOTAL': trade declared without a product breakdown (a total larger than its detail).
    # Rows of unknown value (a table's missing flows) say nothing to compare.
    if out.empty:
        return out
    keep = out["product"].str.fullmatch(r"\d{2,10}|TOTAL") & out["value_usd"].notna()
    return out[keep]


def _one_source_per_declarer(df: pd.DataFrame, role: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Keep, for each declaring economy, the rows of one source (the first by name)."""
    if df.empty:
        return df, {}
    keep, used = [], {}
    for economy, g in df.groupby(role):
        source = sorted(g.source.unique())[0]
        keep.append(g[g.source == source])
        used[str(economy)] = source
    return pd.concat(keep, ignore_index=True), used


def _customs_union(economies: frozenset[str], year: int) -> bool:
    """Whether every economy involved was in the Customs Union (2010-14) or EAEU that year."""
    union = set(members("CU", year)) | set(members("EAEU", year))
    return bool(economies) and set(economies) <= union


def _compare(xs: pd.DataFrame, ms: pd.DataFrame, level: str, *, union: bool) -> pd.DataFrame:
    def grouped(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
        if df.empty:
            return pd.DataFrame(
                {
                    f"{prefix}_usd": pd.Series(dtype=float),
                    f"{prefix}_kg": pd.Series(dtype=float),
                    f"{prefix}_re": pd.Series(dtype=bool),
                },
                index=pd.Index([], dtype=object, name="code"),
            )
        digits = {"hs2": 2, "hs4": 4, "hs6": 6}[level]
        # A code declared at a coarser level than asked stays as declared (e.g. a chapter).
        g = df.assign(code=[p if p == UNALLOCATED else p[:digits] for p in df["product"]])
        # Re-exports and re-imports are often inside X and M already (FORMATS 6.6): they only
        # raise the flag, never the totals.
        re_codes = set(g.loc[g.re_flow.astype(bool), "code"])
        g = g[~g.re_flow.astype(bool)]
        out = g.groupby("code").agg(
            **{
                f"{prefix}_usd": ("value_usd", "sum"),
                f"{prefix}_kg": ("weight_kg", lambda s: s.sum() if s.notna().all() else np.nan),
            }
        )
        out = out.reindex(out.index.union(sorted(re_codes)))
        out[f"{prefix}_re"] = [c in re_codes for c in out.index]
        return out

    x = grouped(xs, "exporter_declared")
    m = grouped(ms, "importer_declared")
    t = x.join(m, how="outer").reset_index().rename(columns={"index": "code"})
    xv = t["exporter_declared_usd"].fillna(0.0).astype(float)
    mv = t["importer_declared_usd"].fillna(0.0).astype(float)
    t["exporter_declared_usd"], t["importer_declared_usd"] = xv, mv
    t["gap_usd"] = mv - xv
    with np.errstate(divide="ignore", invalid="ignore"):
        t["gap_rel"] = np.where(xv > 0, (mv - xv) / xv, np.nan)
        t["cif_fob_ratio"] = np.where((xv > 0) & (mv > 0), mv / xv, np.nan)
        xk = t["exporter_declared_kg"].astype(float)
        mk = t["importer_declared_kg"].astype(float)
        weight_gap = np.abs(mk / xk - 1)
    flags = []
    for i in range(len(t)):
        f = []
        if t["code"].iloc[i] == UNALLOCATED:
            f.append("not_broken_down")
        elif xv[i] == 0:
            f.append("missing_exporter_side")
        if t["code"].iloc[i] != UNALLOCATED and mv[i] == 0:
            f.append("missing_importer_side")
        if np.isfinite(weight_gap[i]) and weight_gap[i] > WEIGHT_TOLERANCE:
            f.append("unit_value_mismatch")
        if bool(t["exporter_declared_re"].eq(True).iloc[i]):
            f.append("re_exports")
        if union:
            f.append("customs_union_survey")
        flags.append(",".join(f))
    t["flags"] = flags
    t["abs_gap"] = t["gap_usd"].abs()
    cols = [
        "code", "exporter_declared_usd", "importer_declared_usd", "gap_usd", "gap_rel",
        "cif_fob_ratio", "exporter_declared_kg", "importer_declared_kg", "flags", "abs_gap",
    ]  # fmt: skip
    return t[cols]


def _unknown_side(row: dict[str, Any], role: str) -> dict[str, Any]:
    """``row`` of the summary with ``role``'s ('exporter'/'importer') declarations unknown."""
    out = dict(row)
    for key in (f"{role}_declared_usd", f"{role}_not_broken_down_usd", "gap_usd", "gap_rel"):
        out[key] = np.nan
    out["cif_fob_ratio_common"] = np.nan
    return out


def _summary(direction: str, t: pd.DataFrame) -> dict[str, Any]:
    x = float(t["exporter_declared_usd"].sum())
    m = float(t["importer_declared_usd"].sum())
    products = t[t.code != UNALLOCATED]
    both = products[(products.exporter_declared_usd > 0) & (products.importer_declared_usd > 0)]
    bx, bm = float(both.exporter_declared_usd.sum()), float(both.importer_declared_usd.sum())
    return {
        "direction": direction,
        "exporter_declared_usd": x,
        "importer_declared_usd": m,
        "gap_usd": m - x,
        "gap_rel": (m - x) / x if x > 0 else np.nan,
        # over the groups both report: the CIF/FOB margin, undistorted by one-sided groups
        "cif_fob_ratio_common": bm / bx if bx > 0 else np.nan,
        "groups_missing_exporter_side": int((products.exporter_declared_usd == 0).sum()),
        "groups_missing_importer_side": int((products.importer_declared_usd == 0).sum()),
        # trade declared only in a total larger than its product detail, by each side
        "exporter_not_broken_down_usd": float(
            t.loc[t.code == UNALLOCATED, "exporter_declared_usd"].sum()
        ),
        "importer_not_broken_down_usd": float(
            t.loc[t.code == UNALLOCATED, "importer_declared_usd"].sum()
        ),
    }
