"""Product totals beside their detail: count each dollar once, and lose none (FORMATS.md 6.3, 6.5).

Declared statistics often give a total next to some of its parts: Comtrade's ``TOTAL`` beside
the chapters asked for, a national table's partner total beside a few TN VED rows, a chapter
beside its headings. Loading both counts the detail twice; dropping the total loses whatever
the detail leaves out (confidential trade, products not listed), so the shares come out wrong.

For each flow (year, month, exporter, importer, re-flow) the codes form a tree: a code's parent
is the longest other code of the flow that is a prefix of it, and ``TOTAL`` is the root. Each
parent is compared with the sum of its direct children:

* the children add up to it (within the rounding of the figures): the parent is an aggregate,
  quarantined as ``aggregate_product``: the detail says it all;
* the parent is larger: the parent row is **kept as a residual**, its value (and weight, when
  every part has one) reduced to what the detail leaves out. Its code stays the parent's
  (``TOTAL``, or the chapter ``'87'`` beside headings ``'8701'``, ...), shorter than the detail
  codes, which is how analyses recognise it and label it "not broken down" (never silently an
  "other = total - detail");
* the parent is smaller than its detail (inconsistent figures): the parent is quarantined as
  ``aggregate_below_detail`` and the detail is kept.

So the sum over a flow's loaded rows equals its total whenever the total is at least its
detail, and every row read is either loaded or quarantined with its reason.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

TOTAL = "TOTAL"


@dataclass(frozen=True)
class Item:
    """One loaded row's place in a flow: its flow key, product code, value (USD), weight (kg).

    ``tolerance_usd``: how far the written value may be from the true one (half the last digit
    written, times the unit); the sum check allows the parent's and its children's together.
    """

    flow: Hashable
    product: str
    value_usd: float
    weight_kg: float | None = None
    tolerance_usd: float = 0.5
    #: a group of codes ('0401-0406', '8701, 8704') stored under their common prefix: the
    #: (low, high) ranges it covers. Only codes inside them are its detail; the other codes
    #: under the prefix ('0407') are its siblings, not its parts.
    covers: tuple[tuple[str, str], ...] = ()


def _inside(code: str, covers: tuple[tuple[str, str], ...]) -> bool:
    """True if ``code`` (or its prefix at a range's width) lies in one of ``covers``."""
    return any(len(code) >= len(lo) and lo <= code[: len(lo)] <= hi for lo, hi in covers)


@dataclass(frozen=True)
class Decision:
    """What to do with one row: ``action`` is 'keep', 'residual' or 'reject'."""

    action: str
    value_usd: float | None = None  # the residual value (action 'residual')
    weight_kg: float | None = None
    code: str | None = None  # the quarantine code (action 'reject')
    reason: str | None = None


KEEP = Decision("keep")


def _parent(
    code: str, codes: set[str], groups: dict[str, tuple[tuple[str, str], ...]] | None = None
) -> str | None:
    if code == TOTAL:
        return None
    groups = groups or {}
    for n in range(len(code) - 1, 0, -1):
        p = code[:n]
        if p in codes and (p not in groups or _inside(code, groups[p])):
            return p
    return TOTAL if TOTAL in codes else None


def _usd(x: float) -> str:
    return f"{x:,.0f} USD"


def split_aggregates(items: Sequence[Item]) -> list[Decision]:
    """A decision for each item, in order (module docstring). Items of one flow share ``flow``."""
    by_flow: dict[Hashable, dict[str, int]] = {}
    for i, it in enumerate(items):
        by_flow.setdefault(it.flow, {})[it.product] = i
    out: list[Decision] = [KEEP] * len(items)
    for codes in by_flow.values():
        if len(codes) < 2:
            continue
        present = set(codes)
        groups = {c: items[i].covers for c, i in codes.items() if items[i].covers}
        children: dict[str, list[str]] = {}
        for code in codes:
            parent = _parent(code, present, groups)
            if parent is not None:
                children.setdefault(parent, []).append(code)
        # Bottom up: a parent is compared with what its children stand for once decided (a
        # child kept whole, the detail of a child found to be an aggregate or below its detail,
        # the residual plus detail of a child kept as a residual: its face value).
        loaded: dict[str, float] = {c: items[i].value_usd for c, i in codes.items()}
        order = sorted(children, key=lambda c: (c == TOTAL, -len(c), c))
        for parent in order:
            kids = children[parent]
            p = items[codes[parent]]
            parts = [items[codes[k]] for k in kids]
            detail = sum(loaded[k] for k in kids)
            residual = p.value_usd - detail
            tol = p.tolerance_usd + sum(k.tolerance_usd for k in parts)
            tol = max(tol, 1e-9 * abs(p.value_usd))
            what = "the total" if parent == TOTAL else f"product {parent}"
            listed = f"{len(parts)} finer code{'s' if len(parts) != 1 else ''}"
            if abs(residual) <= tol:
                loaded[parent] = detail
                out[codes[parent]] = Decision(
                    "reject",
                    code="aggregate_product",
                    reason=f"{what} equals the sum of its {listed} also given "
                    f"({_usd(detail)}); the detail is kept so that each dollar counts once",
                )
            elif residual < 0:
                loaded[parent] = detail
                out[codes[parent]] = Decision(
                    "reject",
                    code="aggregate_below_detail",
                    reason=f"{what} ({_usd(p.value_usd)}) is smaller than the sum of its "
                    f"{listed} ({_usd(detail)}); expected at least the detail, which is kept",
                )
            else:
                weight = None
                if p.weight_kg is not None and all(k.weight_kg is not None for k in parts):
                    w = p.weight_kg - sum(k.weight_kg or 0.0 for k in parts)
                    weight = w if w > 0 else None
                out[codes[parent]] = Decision("residual", value_usd=residual, weight_kg=weight)
    return out


__all__ = ["TOTAL", "Decision", "Item", "split_aggregates"]
