"""The profile of a relationship, year by year (METHODS.md 1.1-1.5).

Columns (values in USD, shares and growth as fractions):

- ``exports_usd``, ``imports_usd``, ``turnover_usd`` (= exports + imports), ``balance_usd``
  (= exports - imports), ``normalized_balance`` ((X - M) / (X + M), NaN when both are 0),
  ``coverage_ratio`` (X / M, NaN when M = 0: never 0 and never inf);
- ``{flow}_growth`` year on year, NaN from a zero base, with ``{flow}_note`` 'new' / 'stopped' /
  'none' (METHODS 1.2); ``{flow}_to_base`` = V_t / V_base when a base year is given (1.3),
  (its wording, "N times" or percent, is the report's: :mod:`silkroad.report.numbers`);
- ``a_trade_total_usd``: A's trade with every economy outside side A; ``partner_share_of_a``:
  the pair's turnover over it; ``partner_rank_for_a``: B's rank among A's partners by turnover
  (1 = largest, ties share the lower rank; NaN when B is a bloc); the same for B
  (``b_trade_total_usd``, ``a_share_of_b``, ``a_rank_for_b``).

CAGR over the years shown is in ``attrs['cagr']`` (intervals = last year - first year).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.analytics.growth import cagr, growth_array, growth_note
from silkroad.analytics.parties import Party, sides_for_year
from silkroad.analytics.totals import Dense, kahan, kahan_columns
from silkroad.analytics.unknown import (
    SHARES,
    merge,
    not_declarer_reason,
    note,
    one_partner_reason,
)
from silkroad.kinds import kind_of
from silkroad.reference.countries import is_aggregate

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair

FLOWS = ("exports", "imports", "turnover")


def profile(
    pair: Pair, years: Iterable[int] | None = None, *, base: int | None = None
) -> pd.DataFrame:
    """Per-year profile of ``pair`` (see the module docstring for the columns)."""
    ys = pair.check_years(years)
    wanted = sorted(set(ys) | ({base} if base is not None else set()))
    if base is not None:
        pair.check_years([base])
    # The year before the first shown, when held, is the base of the first year's growth.
    before = pair.year_before(ys)
    data = pair.yearly(sorted(set(wanted) | ({before} if before is not None else set())))
    year = data.year.to_numpy()
    x_all = data.exports_usd.to_numpy(dtype=float)
    m_all = data.imports_usd.to_numpy(dtype=float)
    flows_all = {"exports": x_all, "imports": m_all, "turnover": x_all + m_all}
    # growth over the years shown and the one before them (the base of the first's growth)
    shown = np.isin(year, ys) | (year == before)
    sy = year[shown]
    consecutive = np.concatenate([[False], np.diff(sy) == 1])
    keep = np.isin(sy, ys)
    growths: dict[str, np.ndarray] = {}
    for flow in FLOWS:
        col = flows_all[flow][shown]
        prev = np.concatenate([[np.nan], col[:-1]])
        growths[f"{flow}_growth"] = np.where(consecutive, growth_array(col), np.nan)[keep]
        notes = [
            growth_note(c, p) if ok else ""
            for c, p, ok in zip(col.tolist(), prev.tolist(), consecutive.tolist(), strict=True)
        ]
        growths[f"{flow}_note"] = np.asarray(notes, dtype=object)[keep]
    x, m = x_all[shown][keep], m_all[shown][keep]
    columns: dict[str, np.ndarray] = {"year": sy[keep], "exports_usd": x, "imports_usd": m}
    columns |= {"turnover_usd": x + m, "balance_usd": x - m}
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["normalized_balance"] = np.where((x + m) > 0, (x - m) / (x + m), np.nan)
        columns["coverage_ratio"] = np.where(m > 0, x / m, np.nan)
    columns |= growths
    if base is not None:
        at = int(np.flatnonzero(year == base)[0])
        for flow in FLOWS:
            b = float(flows_all[flow][at])
            columns[f"{flow}_to_base"] = (
                columns[f"{flow}_usd"] / b if b > 0 else np.full(len(x), np.nan)
            )
    totals_a = side_totals_arrays(pair, pair.party_a, pair.party_b, ys)
    totals_b = side_totals_arrays(pair, pair.party_b, pair.party_a, ys)
    # Flows unknown (a bloc before it existed, an economy the source has no row of, a table's
    # '-'): the turnover, hence the shares and ranks, are unknown too.
    unknown = np.isnan(columns["turnover_usd"])

    def known(values: np.ndarray) -> np.ndarray:
        return np.where(unknown, np.nan, values)

    columns["a_trade_total_usd"] = totals_a["total_usd"]
    columns["partner_share_of_a"] = known(_share(totals_a["with_other_usd"], totals_a["total_usd"]))
    columns["partner_rank_for_a"] = known(totals_a["other_rank"])
    columns["b_trade_total_usd"] = totals_b["total_usd"]
    columns["a_share_of_b"] = known(_share(totals_b["with_other_usd"], totals_b["total_usd"]))
    columns["a_rank_for_b"] = known(totals_b["other_rank"])
    out = pd.DataFrame(columns)
    meta = pair.metadata(ys) | {"base": base}
    shares = totals_a["unknown"] + totals_b["unknown"]
    known_years = {int(y) for y in columns["year"][~unknown]}
    meta["unknown"] = merge(meta["unknown"], [n for n in shares if n["year"] in known_years])
    out.attrs["metadata"] = meta
    first, last = int(columns["year"][0]), int(columns["year"][-1])
    n = last - first
    out.attrs["cagr"] = {
        flow: cagr(columns[f"{flow}_usd"][0], columns[f"{flow}_usd"][-1], n) for flow in FLOWS
    } | {"intervals": n, "from": first, "to": last}
    return out


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    p, w = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, p / w, np.nan)


def side_totals_arrays(pair: Pair, side: Party, other: Party, years: list[int]) -> dict[str, Any]:
    """:func:`side_totals` as arrays (year, total_usd, with_other_usd, other_rank) and the
    list ``unknown``: what a profile needs, without building a frame on the dense path."""
    dense = pair.dense()
    if dense is not None:
        return _side_totals_dense(pair, dense, side, other, years)
    frame = side_totals(pair, side, other, years)
    out: dict[str, Any] = {c: frame[c].to_numpy(dtype=float) for c in frame.columns if c != "year"}
    return out | {"year": frame.year.to_numpy(), "unknown": frame.attrs["unknown"]}


def side_totals(pair: Pair, side: Party, other: Party, years: list[int]) -> pd.DataFrame:
    """Per year: ``side``'s trade with all economies outside it, with ``other``, and other's rank.

    Columns: year, total_usd, with_other_usd, other_rank (NaN when ``other`` is a bloc or has
    no trade with ``side`` that year). Aggregate partners never appear in the store's economies.
    A partner flow declared missing (NULL value) makes the total and ranks NaN that year: a share
    of an unknown total is unknown. So, in declared data, does a side other than the declaring
    economy (its trade with its other partners is not in the source) and a side whose trade the
    source lists with one partner only (a national table of one partner). Reconciled data (BACI)
    hold every economy's trade with all partners: one partner there is a 100 % share.
    ``attrs['unknown']`` gives the reason of each year so set to unknown (one-partner cases).
    """
    from silkroad.analytics.pair import DECLARED_BY

    declared = DECLARED_BY[pair.perspective]
    dense = pair.dense()
    if dense is not None:
        arrays = _side_totals_dense(pair, dense, side, other, years)
        frame = pd.DataFrame({k: v for k, v in arrays.items() if k != "unknown"})
        frame.attrs["unknown"] = arrays["unknown"]
        return frame
    raw = pair.touching_totals(years)
    label_a, label_b = pair.side_labels(raw)
    mine, theirs = ("a", "b") if side == pair.party_a else ("b", "a")
    ex_mine, im_mine = label_a == mine, label_b == mine
    by = raw.declared_by.to_numpy()
    out_x = ex_mine & ~im_mine & (by == declared["exports"])  # side's exports, partner importer
    out_m = im_mine & ~ex_mine & (by == declared["imports"])  # side's imports, partner exporter
    flows = pd.DataFrame(
        {
            "year": np.concatenate([raw.year.to_numpy()[out_x], raw.year.to_numpy()[out_m]]),
            "partner": np.concatenate(
                [raw.importer.to_numpy()[out_x], raw.exporter.to_numpy()[out_m]]
            ),
            "theirs": np.concatenate([label_b[out_x] == theirs, label_a[out_m] == theirs]),
            "value_usd": np.concatenate(
                [raw.value_usd.to_numpy()[out_x], raw.value_usd.to_numpy()[out_m]]
            ).astype(float),
        }
    )
    # Aggregates (World, areas, "nes") are never partners (METHODS 1.5).
    partners = pd.unique(flows.partner)
    aggregate = {p for p in partners if is_aggregate(str(p))}
    if aggregate:
        flows = flows[~flows.partner.isin(aggregate)]
    # A partner flow of unknown value (a table's '-') makes the sums it enters unknown.
    flows = flows.assign(unknown=flows.value_usd.isna())
    by_partner = flows.groupby(["year", "partner"]).agg(
        value_usd=("value_usd", "sum"), unknown=("unknown", "any"), theirs=("theirs", "any")
    )
    per_year = by_partner.groupby(level="year")
    idx = pd.Index(years, name="year")
    year_unknown = per_year.unknown.any().reindex(idx, fill_value=False).astype(bool)
    theirs_unknown = (
        (by_partner.unknown & by_partner.theirs)
        .groupby(level="year")
        .any()
        .reindex(idx, fill_value=False)
        .astype(bool)
    )
    theirs_sum = by_partner.value_usd.where(by_partner.theirs, 0.0).groupby(level="year").sum()
    rank = pd.Series(np.nan, index=idx)
    if not other.is_bloc and len(by_partner):
        ranks = per_year.value_usd.rank(method="min", ascending=False)
        hit = ranks[ranks.index.get_level_values("partner") == other.code].droplevel("partner")
        rank = hit.reindex(idx).astype(float)
    frame = pd.DataFrame(
        {
            "year": years,
            "total_usd": per_year.value_usd.sum()
            .reindex(idx, fill_value=0.0)
            .where(~year_unknown)
            .to_numpy(dtype=float),
            "with_other_usd": theirs_sum.reindex(idx, fill_value=0.0)
            .where(~theirs_unknown)
            .to_numpy(dtype=float),
            "other_rank": rank.where(~year_unknown).to_numpy(dtype=float),
        }
    )
    frame.attrs["unknown"] = []
    state = pair.store.catalog.sources[pair.source]
    if kind_of(state).reconciled:
        return frame
    # Declared data: shares among partners only where the data can hold them (unknown.py).
    declarer = kind_of(state).declarer_of(pair.source)
    partners_by_year = by_partner.index.to_frame(index=False).groupby("year").partner.agg(list)
    found: list[dict[str, object]] = []
    for row, y in enumerate(years):
        sa, sb = sides_for_year(pair.party_a, pair.party_b, y)
        mine_set = sa if side == pair.party_a else sb
        listed = partners_by_year.get(y, [])
        why = None
        if declarer is not None and set(mine_set) != {declarer}:
            # A's declarations say nothing of B's trade with B's other partners.
            why = not_declarer_reason(side.code, declarer, pair.source, y)
        elif any(pair.direction_gap(y, d) for d in ("exports", "imports")):
            # A table of exports only: the side's total trade is not in it.
            why = (
                f"share among partners is unknown: {pair.source} lacks a flow of {side.code} in {y}"
            )
        elif len(listed) <= 1:
            # One partner only: "100% share, rank 1" would be a statement the data cannot make.
            why = one_partner_reason(side.code, listed[0] if listed else None, pair.source, y)
        if why is None:
            continue
        if not year_unknown.iloc[row]:
            found.append(note(y, SHARES, why))
        frame.loc[row, ["total_usd", "other_rank"]] = np.nan
    frame.attrs["unknown"] = found
    return frame


def _side_totals_dense(
    pair: Pair, dense: Dense, side: Party, other: Party, years: list[int]
) -> dict[str, Any]:
    """:func:`side_totals` of reconciled data from the arrays: per year, each partner's trade
    with the side's members (its exports row block, then its imports column block), summed in
    the row-wise path's order and arithmetic (Kahan, cells without a row skipped)."""
    from silkroad.analytics.pair import DECLARED_BY

    declared = DECLARED_BY[pair.perspective]
    dx, dm = dense.declared.get(declared["exports"]), dense.declared.get(declared["imports"])
    total, with_other, rank = [], [], []
    for y in years:
        sa, sb = sides_for_year(pair.party_a, pair.party_b, y)
        mine, theirs = (sa, sb) if side == pair.party_a else (sb, sa)
        yi, rows = dense.years.get(y), dense.positions(mine)
        blocks: list[np.ndarray] = []
        present: list[np.ndarray] = []
        if yi is not None and rows:
            if dx is not None:  # the side's exports: its members' rows of exporter
                blocks.append(dense.value[dx, yi, rows, :])
                present.append(dense.rows[dx, yi, rows, :])
            if dm is not None:  # its imports: its members' columns of importer
                blocks.append(dense.value[dm, yi][:, rows].T)
                present.append(dense.rows[dm, yi][:, rows].T)
        if not blocks:
            total.append(0.0)
            with_other.append(0.0)
            rank.append(np.nan)
            continue
        partner = np.zeros(len(dense.codes), dtype=bool)
        for block in present:
            partner |= block.any(axis=0)
        partner[rows] = False  # trade inside the side is not with a partner
        partner &= ~dense.aggregate  # aggregates are never partners (METHODS 1.5)
        values = kahan_columns(blocks, present)
        theirs_mask = np.zeros(len(dense.codes), dtype=bool)
        theirs_mask[dense.positions(theirs)] = True
        listed = values[partner]
        total.append(kahan(listed.tolist()))
        with_other.append(kahan(np.where(theirs_mask[partner], listed, 0.0).tolist()))
        at = dense.position.get(other.code)
        if other.is_bloc or at is None or not partner[at] or np.isnan(listed).any():
            rank.append(np.nan)
        else:
            rank.append(float(1 + np.count_nonzero(listed > values[at])))
    return {
        "year": np.asarray(years, dtype=np.int64),
        "total_usd": np.asarray(total, dtype=float),
        "with_other_usd": np.asarray(with_other, dtype=float),
        "other_rank": np.asarray(rank, dtype=float),
        "unknown": [],
    }
