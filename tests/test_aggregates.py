"""Product totals beside their detail (sources/aggregates.py): each dollar once, none lost.

Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from silkroad.sources.aggregates import Item, split_aggregates

F = ("BLR", "KAZ", 2016)


def decide(*items: tuple[str, float] | tuple[str, float, float | None]) -> dict[str, tuple]:
    its = [Item(F, p, v, *rest) for p, v, *rest in items]
    return {
        it.product: (d.action, d.value_usd, d.weight_kg, d.code)
        for it, d in zip(its, split_aggregates(its), strict=True)
    }


def test_total_equal_to_its_detail_is_an_aggregate():
    # TOTAL 1000 = 87 (900) + 27 (100); 87 = 8701 (900) = 870120 (900)
    d = decide(("TOTAL", 1000), ("87", 900), ("8701", 900), ("870120", 900), ("27", 100))
    assert d["TOTAL"][0] == d["87"][0] == d["8701"][0] == "reject"
    assert d["TOTAL"][3] == "aggregate_product"
    assert d["870120"][0] == d["27"][0] == "keep"


def test_total_larger_than_its_detail_keeps_the_residual():
    # TOTAL 1000, chapters 87 (600) and 27 (100): 300 not broken down.
    # 87 (600) beside heading 8701 (450): chapter 87 keeps 150.
    d = decide(("TOTAL", 1000, 80.0), ("87", 600, 50.0), ("8701", 450, 20.0), ("27", 100, 10.0))
    assert d["TOTAL"][:3] == ("residual", 300.0, 20.0)  # 80 - 50 - 10 kg
    assert d["87"][:3] == ("residual", 150.0, 30.0)  # 50 - 20 kg
    assert d["8701"][0] == d["27"][0] == "keep"


def test_a_child_below_its_detail_counts_at_its_detail():
    # 87 (100) is below its heading 8701 (300): 87 is quarantined and 8701's 300 is what chapter
    # 87 stands for, so the total (1 000) keeps 700, not 900: loaded 700 + 300 = 1 000.
    d = decide(("TOTAL", 1000), ("87", 100), ("8701", 300))
    assert d["87"][3] == "aggregate_below_detail"
    assert d["TOTAL"][:2] == ("residual", 700.0)
    # and a total of 300 equals what is loaded below it (8701's 300), not its face child 87
    d = decide(("TOTAL", 300), ("87", 100), ("8701", 300))
    assert d["TOTAL"][3] == "aggregate_product" and d["8701"][0] == "keep"


def test_residual_weight_unknown_when_a_part_has_none():
    d = decide(("TOTAL", 1000, 80.0), ("27", 100, None))
    assert d["TOTAL"][:3] == ("residual", 900.0, None)


def test_total_smaller_than_its_detail_is_quarantined_and_the_detail_kept():
    d = decide(("TOTAL", 100), ("27", 80), ("87", 70))
    assert d["TOTAL"][0] == "reject" and d["TOTAL"][3] == "aggregate_below_detail"
    assert d["27"][0] == d["87"][0] == "keep"


def test_rounding_within_the_figures_precision_is_not_a_residual():
    # Thousand USD to one decimal: each figure is within 50 USD of the truth. The total 10.0
    # (10 000 USD) against 3.3 + 3.3 + 3.3 = 9.9 (9 900 USD): a gap of 100 USD, inside the
    # 4 x 50 = 200 USD the four figures may be off by together.
    its = [Item(F, "TOTAL", 10_000, None, 50.0)] + [
        Item(F, p, 3_300, None, 50.0) for p in ("01", "02", "03")
    ]
    assert split_aggregates(its)[0].code == "aggregate_product"
    # Same figures in whole dollars: the 100 USD gap is real.
    its = [Item(F, "TOTAL", 10_000)] + [Item(F, p, 3_300) for p in ("01", "02", "03")]
    assert split_aggregates(its)[0].action == "residual"


def test_flows_are_separate_and_lone_codes_kept():
    its = [
        Item(("BLR", "KAZ"), "TOTAL", 100.0),
        Item(("BLR", "RUS"), "27", 100.0),  # another flow: not a child of KAZ's TOTAL
        Item(("BLR", "RUS"), "2709", 60.0),
    ]
    ds = split_aggregates(its)
    assert [d.action for d in ds] == ["keep", "residual", "keep"]
    assert ds[1].value_usd == 40.0


def _loaded(its: list[Item]) -> float:
    ds = split_aggregates(its)
    return sum(
        d.value_usd if d.action == "residual" else it.value_usd
        for it, d in zip(its, ds, strict=True)
        if d.action != "reject"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["01", "0101", "010121", "02", "87", "8701", "870120", "8702"]),
        st.integers(0, 10**6),
        min_size=1,
    ),
    st.integers(0, 10**6),
)
def test_loaded_rows_add_up_to_the_total_when_it_covers_its_detail(face, extra):
    """Codes at several levels, with any face values (a chapter may be below its headings):
    whatever is loaded under TOTAL adds up to the larger of TOTAL and what its detail loads,
    up to the figures' rounding (0.5 USD each by default); the detail alone is computed here
    independently, bottom up."""
    codes = sorted(face)

    def below(code: str) -> float:  # what the detail under ``code`` stands for, if it has any
        kids = [c for c in codes if c != code and c.startswith(code)]
        direct = [c for c in kids if not any(k != c and c.startswith(k) for k in kids)]
        if not direct:
            return float(face[code])
        detail = sum(below(c) for c in direct)
        return (
            max(float(face[code]), detail)
            if face[code] > detail + 0.5 * (1 + len(direct))
            else detail
        )

    tops = [c for c in codes if not any(k != c and c.startswith(k) for k in codes)]
    detail = sum(below(c) for c in tops)
    total = detail + extra
    its = [Item(F, "TOTAL", total)] + [Item(F, c, float(v)) for c, v in face.items()]
    assert abs(_loaded(its) - total) <= 0.5 * len(its)
