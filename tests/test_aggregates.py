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
    # what is loaded adds up to the declared total: 300 + 150 + 450 + 100
    assert 300 + 150 + 450 + 100 == 1000


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


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["01", "02", "87"]), st.integers(0, 10**6)),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    st.integers(0, 10**6),
)
def test_loaded_rows_add_up_to_the_total_when_it_covers_its_detail(parts, extra):
    """Whatever the detail, if TOTAL = detail + extra (extra >= 0) the loaded rows sum to TOTAL,
    up to the figures' rounding (0.5 USD each by default)."""
    total = sum(v for _, v in parts) + extra
    its = [Item(F, "TOTAL", float(total))] + [Item(F, p, float(v)) for p, v in parts]
    ds = split_aggregates(its)
    loaded = sum(
        d.value_usd if d.action == "residual" else it.value_usd
        for it, d in zip(its, ds, strict=True)
        if d.action != "reject"
    )
    assert abs(loaded - total) <= 0.5 * len(its)
    if extra > 0.5 * len(its):
        assert loaded == total
