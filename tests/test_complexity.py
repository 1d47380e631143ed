"""Economic complexity against py-ecomplexity 0.5.3 (where it is right) and hand-worked worlds.

py-ecomplexity's known bugs (METHODS §3) are tested against expectations worked out here
instead: a zero-diversity economy turns its whole year into NaN (we drop the economy: the
expectation is the reference run on the presence matrix without it); "both" presence adds the two
tests into 0/1/2 (we take the OR, worked out from RCA and RPOP computed in the test); knn density
returns an unweighted count (we weight by proximity, worked out by hand on a 3 × 3 world).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity, proximity
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from silkroad.analytics.complexity import CONVENTIONS, complexity
from silkroad.errors import AnalysisError

TOL = 1e-9
COLS = {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}


def world(seed: int, n_economies: int, n_products: int, fill: float = 0.5) -> np.ndarray:
    """A seeded world: log-normal export values (USD), a share ``1 - fill`` of cells zero."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(13, 2.5, (n_economies, n_products)) * (
        rng.random((n_economies, n_products)) < fill
    )
    x[np.arange(n_economies), rng.integers(0, n_products, n_economies)] += 1e6  # no empty row
    x[rng.integers(0, n_economies, n_products), np.arange(n_products)] += 1e6  # no empty column
    return x


def labels(n_economies: int, n_products: int) -> tuple[list[str], list[str]]:
    return [f"E{i:03d}" for i in range(n_economies)], [f"{i:06d}" for i in range(n_products)]


def rca_of(x: np.ndarray) -> np.ndarray:
    """Balassa RCA written out (world = the rows; summed in py-ecomplexity's order)."""
    return (x / x.sum(axis=1)[:, None]) / (x.sum(axis=0)[None, :] / x.sum(axis=0).sum())


def reference(x: np.ndarray, econ, prod, **kwargs) -> dict[str, np.ndarray]:
    """py-ecomplexity 0.5.3 on the long form of ``x``; outputs as economy × product arrays."""
    frame = pd.DataFrame(
        {
            "year": 2000,
            "loc": np.repeat(econ, len(prod)),
            "prod": np.tile(prod, len(econ)),
            "val": x.ravel(),
        }
    )
    kwargs.setdefault("check_logsupermodularity", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns (and prints) instead of raising
        out = ecomplexity(frame, COLS, verbose=False, **kwargs)
    out = out.dropna(subset=["diversity"])  # rows of economies/products it dropped
    wide = {
        col: out.pivot(index="loc", columns="prod", values=col)
        for col in ("mcp", "density", "cog", "rca", "eci", "pci", "coi", "diversity", "ubiquity")
    }
    return {
        "economies": list(wide["mcp"].index),
        "products": list(wide["mcp"].columns),
        "mcp": wide["mcp"].to_numpy(),
        "rca": wide["rca"].to_numpy(),
        "density": wide["density"].to_numpy(),
        "cog": wide["cog"].to_numpy(),
        "eci": wide["eci"].to_numpy()[:, 0],
        "coi": wide["coi"].to_numpy()[:, 0],
        "pci": wide["pci"].to_numpy()[0],
        "diversity": wide["diversity"].to_numpy()[:, 0],
        "ubiquity": wide["ubiquity"].to_numpy()[0],
    }


def assert_matches(ours, ref, *, rca: bool = True) -> None:
    """Every output of ours equals the reference's to 1e-9, aligned by labels."""
    assert list(ours.economies) == ref["economies"]
    assert list(ours.products) == ref["products"]
    np.testing.assert_array_equal(ours.presence, ref["mcp"])
    np.testing.assert_array_equal(ours.diversity, ref["diversity"])
    np.testing.assert_array_equal(ours.ubiquity, ref["ubiquity"])
    for name in ("eci", "pci", "coi", "density", "cog"):
        np.testing.assert_allclose(getattr(ours, name), ref[name], rtol=0, atol=TOL, err_msg=name)
    if rca:
        np.testing.assert_allclose(ours.rca, ref["rca"], rtol=1e-12, err_msg="rca")


# --- the default convention is py-ecomplexity 0.5.3 ----------------------------------------


@pytest.mark.parametrize(
    ("seed", "n_economies", "n_products", "fill"),
    [
        (1, 12, 40, 0.5),  # more products than economies (the HS6 shape)
        (2, 40, 12, 0.6),  # more economies than products (the products' Gram matrix is used)
        (3, 25, 25, 0.4),  # square
        (4, 60, 300, 0.2),  # sparse, larger
        (5, 8, 9, 0.9),  # small and dense
    ],
)
def test_default_convention_reproduces_ecomplexity(seed, n_economies, n_products, fill):
    x = world(seed, n_economies, n_products, fill)
    econ, prod = labels(n_economies, n_products)
    ours = complexity(x, economies=econ, products=prod)
    assert ours.notices == []
    assert ours.metadata["convention"] == "ecomplexity"
    assert_matches(ours, reference(x, econ, prod))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_economies=st.integers(4, 25),
    n_products=st.integers(4, 40),
    fill=st.floats(0.25, 0.9),
)
def test_random_worlds_match_ecomplexity(seed, n_economies, n_products, fill):
    x = world(seed, n_economies, n_products, fill)
    econ, prod = labels(n_economies, n_products)
    try:
        ours = complexity(x, economies=econ, products=prod)
    except AnalysisError as exc:
        # A disconnected network or a repeated eigenvalue: no unique ECI, and the reference's
        # answer is arbitrary there. Checked on purpose in test_disconnected_network_refused.
        assume("ECI undefined" not in str(exc))
        raise
    # No unique sign when diversity does not correlate with the raw ECI (the reference's sign is
    # NaN or rounding noise there): covered by test_unoriented_sign_is_a_notice.
    assume(not any("not oriented" in n for n in ours.notices))
    assert_matches(ours, reference(x, econ, prod))


def test_other_thresholds_match_ecomplexity_while_no_diversity_is_zero():
    x = world(11, 20, 50, 0.5)
    econ, prod = labels(20, 50)
    for threshold in (0.5, 0.8):  # below 1, every economy keeps its largest RCA (≥ 1)
        ours = complexity(x, economies=econ, products=prod, rca_threshold=threshold)
        assert ours.metadata["presence_rule"] == f"RCA ≥ {threshold!r}"
        assert_matches(ours, reference(x, econ, prod, rca_mcp_threshold=threshold))


def test_rpop_presence_matches_ecomplexity():
    x = world(12, 15, 30, 0.8)
    econ, prod = labels(15, 30)
    # Population proportional to total exports, jittered: every economy keeps some RPOP ≥ 1.
    population = x.sum(axis=1) / 1e3 * np.random.default_rng(0).uniform(0.8, 1.2, 15)
    ours = complexity(x, economies=econ, products=prod, presence="rpop", population=population)
    assert (ours.diversity > 0).all() and len(ours.economies) == 15
    pop = pd.DataFrame({"year": 2000, "loc": econ, "pop": population})
    ref = reference(x, econ, prod, presence_test="rpop", pop=pop)
    assert_matches(ours, ref)
    # RPOP by its definition, (x_cp / pop_c) / (x_wp / pop_w):
    expected = (x / population[:, None]) / (x.sum(axis=0) / population.sum())
    np.testing.assert_allclose(ours.rpop, expected, rtol=1e-12)


# --- invariants (METHODS §3.5, §9) ----------------------------------------------------------


@pytest.mark.parametrize("convention", ["ecomplexity", "stata"])
@pytest.mark.parametrize(("seed", "shape"), [(21, (15, 60)), (22, (50, 20)), (23, (30, 30))])
def test_invariants(convention, seed, shape):
    x = world(seed, *shape, 0.5)
    r = complexity(
        x, economies=labels(*shape)[0], products=labels(*shape)[1], convention=convention
    )
    m = r.presence.astype(float)
    # ECI = M-weighted mean of PCI, exactly as METHODS §3.5 states: ECI_c = Σ_p M_cp PCI_p / k_c.
    np.testing.assert_allclose(r.eci, (m @ r.pci) / r.diversity, rtol=0, atol=1e-12)
    assert abs(r.eci.mean()) < 1e-12 and abs(r.eci.std() - 1) < 1e-12  # ddof 0
    assert abs(r.coi.std() - 1) < 1e-12
    # PCI is NOT a z-score here (shifted and scaled by the ECI's moments).
    assert abs(r.pci.std() - 1) > 1e-6
    np.testing.assert_array_equal(r.proximity, r.proximity.T)
    assert ((r.proximity >= 0) & (r.proximity <= 1)).all()
    assert (np.diag(r.proximity) == (1.0 if convention == "ecomplexity" else 0.0)).all()
    assert ((r.density >= 0) & (r.density <= 1 + 1e-12)).all()
    np.testing.assert_allclose(r.distance, 1 - r.density)
    assert (r.cog[r.presence == 1] == 0).all()
    assert (r.diversity >= 1).all() and (r.ubiquity >= 1).all()
    # Sign convention: ECI correlates positively with diversity.
    assert np.corrcoef(r.diversity, r.eci)[0, 1] > 0


def test_oec_convention_z_scores_each_index_and_computes_outlook_from_published_pci():
    x = world(31, 20, 60, 0.5)
    econ, prod = labels(20, 60)
    r = complexity(
        x, economies=econ, products=prod, convention="oec", min_exporter_usd=0, min_product_usd=0
    )
    ref = reference(x, econ, prod)
    assert r.metadata["convention"] == "oec"
    np.testing.assert_allclose(r.eci, ref["eci"], rtol=0, atol=TOL)  # ECI is a z-score in both
    # PCI: z-scored on its own moments; the reference's PCI is an affine map of the same vector.
    pci_z = (ref["pci"] - ref["pci"].mean()) / ref["pci"].std()
    np.testing.assert_allclose(r.pci, pci_z, rtol=0, atol=TOL)
    assert abs(r.pci.mean()) < 1e-12 and abs(r.pci.std() - 1) < 1e-12
    np.testing.assert_allclose(r.density, ref["density"], rtol=0, atol=TOL)
    # COG and COI written out from their definitions with the published (z-scored) PCI.
    m = ref["mcp"]
    phi = r.proximity
    expected_cog = (1 - m) * ((1 - m) @ (phi * (pci_z / phi.sum(axis=1))[:, None]))
    np.testing.assert_allclose(r.cog, expected_cog, rtol=0, atol=TOL)
    coi_raw = (ref["density"] * (1 - m) * pci_z).sum(axis=1)
    np.testing.assert_allclose(r.coi, (coi_raw - coi_raw.mean()) / coi_raw.std(), rtol=0, atol=TOL)


def test_oec_filters_drop_small_exporters_and_products_before_rca():
    # Five economies, four products, values in bn USD. Totals: A 6.0, B 3.0, C 3.0, D 0.9
    # (< 1 bn: dropped), E 4.0. Product totals over all five: 0001 5.4, 0002 5.1,
    # 0003 0.4 (< 500 m: dropped), 0004 6.0. After the filters: A 5.9, B 2.9, C 2.9, E 4.0,
    # world 15.7; product 0001 5.3.
    bn = 1e9
    x = (
        np.array(
            [
                [3.0, 1.0, 0.1, 1.9],  # A
                [0.5, 2.0, 0.1, 0.4],  # B
                [1.3, 0.5, 0.1, 1.1],  # C
                [0.1, 0.1, 0.1, 0.6],  # D
                [0.5, 1.5, 0.0, 2.0],  # E
            ]
        )
        * bn
    )
    econ, prod = ["A", "B", "C", "D", "E"], ["0001", "0002", "0003", "0004"]
    r = complexity(x, economies=econ, products=prod, convention="oec")
    assert r.economies == ("A", "B", "C", "E")
    assert r.products == ("0001", "0002", "0004")
    assert r.dropped_economies == {"D": "exports below 1,000,000,000 USD"}
    assert r.dropped_products == {"0003": "world trade below 500,000,000 USD"}
    assert any("D" in n and "1,000,000,000" in n for n in r.notices)
    assert r.metadata["min_exporter_usd"] == bn and r.metadata["min_product_usd"] == 0.5 * bn
    # RCA over the filtered world: A's 0001 = (3/5.9) / (5.3/15.7).
    kept = x[np.ix_([0, 1, 2, 4], [0, 1, 3])]
    assert r.rca[0, 0] == pytest.approx((3.0 / 5.9) / (5.3 / 15.7), rel=1e-12)
    np.testing.assert_allclose(r.rca, (kept / kept.sum(1)[:, None]) / (kept.sum(0) / kept.sum()))
    # User thresholds replace the OEC ones; 0 turns a filter off.
    r2 = complexity(
        x, economies=econ, products=prod, convention="oec", min_exporter_usd=0, min_product_usd=0
    )
    assert r2.economies == tuple(econ) and len(r2.products) == 4


# --- the Stata / Atlas convention -----------------------------------------------------------


def test_stata_convention_is_strict_and_drops_the_diagonal():
    x = world(41, 18, 50, 0.5)
    econ, prod = labels(18, 50)
    # An extra economy whose exports are the sum of all the others has RCA exactly 1 in every
    # product ((S_k / S) / (2 S_k / 2 S) = 1): present everywhere under ≥, nowhere under >.
    x = np.vstack([x, x.sum(axis=0)])
    econ = [*econ, "MIR"]
    default = complexity(x, economies=econ, products=prod)
    assert (default.rca[-1] == 1.0).all() and default.diversity[-1] == 50
    stata = complexity(x, economies=econ, products=prod, convention="atlas")
    assert stata.metadata["convention"] == "stata"
    assert stata.metadata["presence_rule"] == "RCA > 1.0"
    assert "MIR" not in stata.economies
    assert stata.dropped_economies == {"MIR": "zero diversity (no product present)"}
    # Expected: the reference on the strict presence matrix (manual mode) with a zero-diagonal
    # proximity handed over as an edge list (py-ecomplexity keeps a non-NaN diagonal as given).
    strict = rca_of(x) > 1
    phi = stata.proximity
    edges = pd.DataFrame(
        {"prod1": np.repeat(prod, 50), "prod2": np.tile(prod, 50), "proximity": phi.ravel()}
    )
    ref = reference(
        strict.astype(float), econ, prod, presence_test="manual", proximity_edgelist=edges
    )
    assert_matches(stata, ref, rca=False)
    # The proximity off the diagonal is the default convention's.
    off = ~np.eye(50, dtype=bool)
    strict_phi = proximity_of(strict[:-1])
    np.testing.assert_allclose(phi[off], strict_phi[off], rtol=0, atol=1e-15)


def proximity_of(m: np.ndarray) -> np.ndarray:
    """φ_pp' = C_pp' / max(k_p, k_p') written out with a loop (the test's own computation)."""
    k = m.sum(axis=0)
    out = np.empty((m.shape[1], m.shape[1]))
    for p in range(m.shape[1]):
        for q in range(m.shape[1]):
            out[p, q] = (m[:, p] & m[:, q]).sum() / max(k[p], k[q])
    return out


def test_proximity_matches_ecomplexity_proximity_function():
    x = world(42, 15, 20, 0.5)
    econ, prod = labels(15, 20)
    r = complexity(x, economies=econ, products=prod)
    frame = pd.DataFrame(
        {"year": 2000, "loc": np.repeat(econ, 20), "prod": np.tile(prod, 15), "val": x.ravel()}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = proximity(frame, COLS)
    wide = ref.pivot(index="prod_1", columns="prod_2", values="proximity").loc[prod, prod]
    np.testing.assert_allclose(r.proximity, wide.to_numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        r.proximity, proximity_of(r.presence.astype(bool)), rtol=0, atol=1e-15
    )


# --- a world worked out by hand -------------------------------------------------------------

# Nested presence, 3 economies × 3 products (manual presence):
#     M = [[1, 1, 1],   k_c = (3, 2, 1), k_p = (3, 2, 1)
#          [1, 1, 0],
#          [1, 0, 0]]
# M̃_cc = D_c⁻¹ M D_p⁻¹ Mᵀ = [[11/18, 5/18, 2/18], [5/12, 5/12, 2/12], [1/3, 1/3, 1/3]].
# Its eigenvalues are 1 and the roots of 36λ² − 13λ + 1 = 0: 1/4 and 1/9. For 1/4,
# (M̃ − I/4) v = 0 gives v ∝ (−2, 1, 4); M is symmetric, so the product vector is the same.
# Raw PCI = (−2, 1, 4); raw ECI = M/k_c · PCI = (1, −1/2, −2): correlates positively with
# diversity, so the sign stays. mean(ECI) = −1/2, SD (ddof 0) = √1.5.
#     ECI = (√1.5, 0, −√1.5);  PCI = (PCI_raw + 1/2)/√1.5 = (−1, 1, 3)·√1.5
# Proximity (C_pp' / max k): φ12 = 2/3, φ13 = 1/3, φ23 = 1/2, diagonal 1; row sums
# S = (2, 13/6, 11/6).
# Density ω_cp = Σ_p' M_cp' φ_pp' / S_p:
#     c3 (has p1): (1/2, (2/3)/(13/6) = 4/13, (1/3)/(11/6) = 2/11)
#     c2 (has p1, p2): p3 = (1/3 + 1/2)/(11/6) = 5/11; p1 = (1 + 2/3)/2 = 5/6; p2 = (5/3)/(13/6) = 10/13
# COG_cp = (1 − M_cp) Σ_p' (1 − M_cp') φ_p'p PCI_raw_p' / S_p' / √1.5:
#     c3, p2: (1·1/(13/6) + (1/2)·4/(11/6))/√1.5 = (6/13 + 12/11)/√1.5 = (222/143)/√1.5
#     c3, p3: ((1/2)·1/(13/6) + 1·4/(11/6))/√1.5 = (3/13 + 24/11)/√1.5 = (345/143)/√1.5
#     c2, p3: (1·4/(11/6))/√1.5 = (24/11)/√1.5
# COI raw = Σ_p ω_cp (1 − M_cp) PCI_raw_p = (0, (5/11)·4, (4/13)·1 + (2/11)·4) = (0, 260, 148)/143,
# then z-scored (ddof 0).
NESTED = np.array([[1.0, 1, 1], [1, 1, 0], [1, 0, 0]])
R15 = np.sqrt(1.5)


def test_hand_worked_nested_world():
    r = complexity(
        NESTED, economies=["c1", "c2", "c3"], products=["p1", "p2", "p3"], presence="manual"
    )
    np.testing.assert_allclose(r.eci, [R15, 0, -R15], atol=1e-12)
    np.testing.assert_allclose(r.pci, [-R15, R15, 3 * R15], atol=1e-12)
    np.testing.assert_allclose(
        r.proximity, [[1, 2 / 3, 1 / 3], [2 / 3, 1, 1 / 2], [1 / 3, 1 / 2, 1]], atol=1e-15
    )
    np.testing.assert_allclose(r.density[2], [1 / 2, 4 / 13, 2 / 11], atol=1e-12)
    np.testing.assert_allclose(r.density[1], [5 / 6, 10 / 13, 5 / 11], atol=1e-12)
    np.testing.assert_allclose(r.density[0], [1, 1, 1], atol=1e-12)
    expected_cog = np.array([[0, 0, 0], [0, 0, 24 / 11], [0, 222 / 143, 345 / 143]]) / R15
    np.testing.assert_allclose(r.cog, expected_cog, atol=1e-12)
    coi_raw = np.array([0, 260, 148]) / 143
    np.testing.assert_allclose(r.coi, (coi_raw - coi_raw.mean()) / coi_raw.std(), atol=1e-12)
    assert np.isnan(r.rca).all() and r.metadata["presence_rule"] == "given (manual)"
    # Opportunities of c3: the products it lacks, highest COG first.
    opp = r.opportunities("c3")
    assert list(opp["product"]) == ["p3", "p2"]
    assert opp["cog"].iloc[0] == pytest.approx(345 / 143 / R15)


def test_hand_worked_nested_world_stata_diagonal_zero():
    # Diagonal 0: row sums S = (1, 7/6, 5/6) and a product no longer counts towards itself.
    #   c3 (has p1): p1 = 0 (only p1 itself, excluded), p2 = (2/3)/(7/6) = 4/7, p3 = (1/3)/(5/6) = 2/5
    #   c2 (has p1, p2): p1 = (2/3)/1, p2 = (2/3)/(7/6) = 4/7, p3 = (1/3 + 1/2)/(5/6) = 1
    # COG with φ_pp = 0, c3 p2: (1 − M) Σ_{p' ∈ {p2, p3}} φ_p'2 PCI_raw_p'/S_p' = (1/2)·4/(5/6)
    #   = 12/5, over √1.5; ECI and PCI do not depend on the diagonal.
    r = complexity(NESTED, economies=["c1", "c2", "c3"], products=["p1", "p2", "p3"],
                   presence="manual", convention="stata")  # fmt: skip
    np.testing.assert_allclose(r.eci, [R15, 0, -R15], atol=1e-12)
    np.testing.assert_allclose(r.density[2], [0, 4 / 7, 2 / 5], atol=1e-12)
    np.testing.assert_allclose(r.density[1], [2 / 3, 4 / 7, 1], atol=1e-12)
    assert r.cog[2, 1] == pytest.approx(12 / 5 / R15, abs=1e-12)


def test_knn_density_is_proximity_weighted_not_the_reference_count():
    # knn = 2 neighbours of each product in the nested world (the product itself excluded):
    #   p1: p2 (2/3), p3 (1/3) -> weights 2/3, 1/3
    #   p2: p1 (2/3), p3 (1/2) -> weights 4/7, 3/7
    #   p3: p2 (1/2), p1 (1/3) -> weights 3/5, 2/5
    # c3 has p1 only: (0, 4/7, 2/5); c2 has p1, p2: (2/3, 4/7, 1); c1 has all: (1, 1, 1).
    r = complexity(NESTED, economies=["c1", "c2", "c3"], products=["p1", "p2", "p3"],
                   presence="manual", knn=2)  # fmt: skip
    expected = np.array([[1, 1, 1], [2 / 3, 4 / 7, 1], [0, 4 / 7, 2 / 5]])
    np.testing.assert_allclose(r.density, expected, atol=1e-12)
    # py-ecomplexity's knn density is the bug METHODS §3.7 describes: the number of neighbours
    # present (c2, p1: 1 of p2, p3), not a proximity-weighted share.
    ref = reference(NESTED, ["c1", "c2", "c3"], ["p1", "p2", "p3"], presence_test="manual", knn=2)
    np.testing.assert_array_equal(ref["density"], [[2, 2, 2], [1, 1, 2], [0, 1, 1]])
    # knn = every other product is the full density without the diagonal (the Stata density).
    full = complexity(NESTED, economies=["c1", "c2", "c3"], products=["p1", "p2", "p3"],
                      presence="manual", convention="stata")  # fmt: skip
    r2 = complexity(NESTED, economies=["c1", "c2", "c3"], products=["p1", "p2", "p3"],
                    presence="manual", knn=2, convention="stata")  # fmt: skip
    np.testing.assert_allclose(r2.density, full.density, atol=1e-12)


# --- where py-ecomplexity is wrong: zero diversity, "both" ----------------------------------


def test_zero_diversity_economy_is_dropped_not_a_nan_year():
    x = world(51, 20, 40, 0.5)
    econ, prod = labels(20, 40)
    # An economy exporting every product in the world's proportions has RCA exactly 1 everywhere:
    # at threshold 1.3 it has zero diversity.
    x = np.vstack([x, x.sum(axis=0)])
    econ = [*econ, "FLAT"]
    ref_nan = reference(x, econ, prod, rca_mcp_threshold=1.3)
    # py-ecomplexity: ECI, PCI and COG NaN for the whole year, every economy and product.
    assert np.isnan(ref_nan["eci"]).all() and np.isnan(ref_nan["pci"]).all()
    assert np.isnan(ref_nan["cog"]).all()
    ours = complexity(x, economies=econ, products=prod, rca_threshold=1.3)
    rca = rca_of(x)
    m = rca >= 1.3
    zero_e = [e for e, d in zip(econ, m.sum(1), strict=True) if d == 0]
    zero_p = [p for p, u in zip(prod, m.sum(0), strict=True) if u == 0]
    assert "FLAT" in zero_e
    assert set(ours.dropped_economies) == set(zero_e)
    assert set(ours.dropped_products) == set(zero_p)
    assert any("zero diversity" in n and "FLAT" in n for n in ours.notices)
    assert np.isfinite(ours.eci).all() and np.isfinite(ours.pci).all()
    # Expectation: the reference on the same presence matrix without the dropped rows (its
    # manual mode drops all-zero rows and columns before the eigenvector).
    ref = reference(m.astype(float), econ, prod, presence_test="manual")
    assert_matches(ours, ref, rca=False)
    np.testing.assert_allclose(ours.rca, rca[np.ix_(
        [econ.index(e) for e in ours.economies], [prod.index(p) for p in ours.products])])  # fmt: skip


def test_both_presence_is_an_or_not_a_sum():
    x = world(61, 15, 30, 0.5)
    econ, prod = labels(15, 30)
    population = np.random.default_rng(1).uniform(1e6, 1e8, 15)
    ours = complexity(x, economies=econ, products=prod, presence="both", population=population)
    rca = rca_of(x)
    rpop = (x / population[:, None]) / (x.sum(0) / population.sum())
    m_or = (rca >= 1) | (rpop >= 1)
    np.testing.assert_array_equal(ours.presence, m_or)
    assert ours.metadata["presence_rule"] == "RCA ≥ 1.0 or RPOP ≥ 1.0"
    # py-ecomplexity "both" adds the tests: entries of 2 where both hold (METHODS §3.2).
    pop = pd.DataFrame({"year": 2000, "loc": econ, "pop": population})
    ref_sum = reference(x, econ, prod, presence_test="both", pop=pop)
    assert ref_sum["mcp"].max() == 2
    # Expectation for the indices: the reference on the OR matrix (manual mode).
    assert_matches(
        ours, reference(m_or.astype(float), econ, prod, presence_test="manual"), rca=False
    )


# --- refusals -------------------------------------------------------------------------------


def test_unoriented_sign_is_a_notice():
    # A chain of economies, each with two products: every diversity is 2, so diversity cannot
    # orient the ECI.
    m = np.array([[1.0, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 1, 1]])
    r = complexity(m, economies=list("ABCD"), products=list("vwxyz"), presence="manual")
    assert (r.diversity == 2).all()
    assert any("not oriented" in n for n in r.notices)
    assert abs(r.eci.std() - 1) < 1e-12


def test_disconnected_network_refused():
    # Two blocks that share no product: two eigenvalues of 1, no unique ECI.
    m = np.array([[1.0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])
    with pytest.raises(AnalysisError, match="disconnected"):
        complexity(m, economies=list("ABCD"), products=list("wxyz"), presence="manual")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"convention": "harvard"}, "unknown complexity convention"),
        ({"presence": "rpop"}, "needs a population"),
        ({"presence": "either"}, "unknown presence test"),
        ({"rca_threshold": float("nan")}, "rca_threshold"),
        ({"knn": 0}, "knn"),
        ({"min_exporter_usd": -1.0}, "min_exporter_usd"),
        ({"population": [1.0, 2.0]}, "population"),
    ],
)
def test_bad_arguments_raise_one_line_errors(kwargs, match):
    x = world(71, 6, 8, 0.7)
    econ, prod = labels(6, 8)
    with pytest.raises(AnalysisError, match=match) as info:
        complexity(x, economies=econ, products=prod, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("cell", "match"),
    [(np.nan, "missing or infinite"), (np.inf, "missing or infinite"), (-5.0, "negative")],
)
def test_bad_values_raise(cell, match):
    x = world(72, 6, 8, 0.7)
    x[2, 3] = cell
    econ, prod = labels(6, 8)
    with pytest.raises(AnalysisError, match=match):
        complexity(x, economies=econ, products=prod)


def test_labels_checked():
    x = world(73, 4, 5, 0.8)
    with pytest.raises(AnalysisError, match="economy labels do not match"):
        complexity(x, economies=["A", "B"], products=list("abcde"))
    with pytest.raises(AnalysisError, match="product labels repeat"):
        complexity(x, economies=list("ABCD"), products=list("abcda"))
    with pytest.raises(AnalysisError, match="other than 0 or 1"):
        complexity(x, economies=list("ABCD"), products=list("abcde"), presence="manual")


def test_zero_rows_and_columns_dropped_with_notice():
    x = world(74, 10, 12, 0.6)
    x = np.vstack([x, np.zeros(12)])
    x = np.hstack([x, np.zeros((11, 1))])
    econ, prod = labels(11, 13)
    r = complexity(x, economies=econ, products=prod)
    assert r.dropped_economies == {"E010": "no exports"}
    assert r.dropped_products == {"000012": "no world exports"}
    ref = reference(x, econ, prod)  # py-ecomplexity drops zero totals too
    assert_matches(r, ref)


def test_result_tables_and_metadata():
    x = world(75, 8, 10, 0.6)
    econ, prod = labels(8, 10)
    r = complexity(x, economies=econ, products=prod)
    frame = r.to_frame()
    assert len(frame) == 80 and list(frame.columns[:2]) == ["economy", "product"]
    assert (frame.groupby("economy").presence.sum() == pd.Series(r.diversity, index=econ)).all()
    et = r.economy_table()
    assert et.sort_values("eci_rank").economy.iloc[0] == econ[int(np.argmax(r.eci))]
    pt = r.product_table()
    assert (pt.pci_rank.min(), pt.pci_rank.max()) == (1, 10)
    for name in CONVENTIONS:
        rr = complexity(
            x, economies=econ, products=prod, convention=name, min_exporter_usd=0, min_product_usd=0
        )
        assert rr.metadata["convention"] == name
        assert {"presence_rule", "proximity_diagonal", "pci_scaling", "reference"} <= set(
            rr.metadata
        )
    with pytest.raises(AnalysisError, match="no complexity results"):
        r.opportunities("XXX")


def test_every_public_name_and_field_is_documented():
    import dataclasses
    import re
    from pathlib import Path

    from silkroad.analytics import complexity as module
    from silkroad.analytics.complexity import ComplexityResult

    text = (Path(__file__).resolve().parents[1] / "docs" / "complexity.md").read_text("utf-8")
    names = [*module.__all__, *(f.name for f in dataclasses.fields(ComplexityResult))]
    names += ["proximity", "distance", "economy_table", "product_table", "opportunities"]
    missing = [n for n in names if not re.search(rf"`{n}[`(]", text)]
    assert missing == []


def test_docstring_examples_run():
    import doctest

    from silkroad.analytics import complexity as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_complexity_runs_with_one_blas_thread(monkeypatch) -> None:
    # Its many small matrix products slow down 5-10x when BLAS threads compete for shared
    # cores (BENCHMARKS.md): the computation runs with one, and the caller's setting returns.
    from threadpoolctl import threadpool_info

    if not any(p["user_api"] == "blas" for p in threadpool_info()):
        pytest.fail("NumPy's BLAS is not visible to threadpoolctl: the limit would do nothing")

    from silkroad.analytics import complexity as cx

    seen = []
    real = cx._eci_pci

    def spy(*args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return real(*args, **kwargs)

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    monkeypatch.setattr(cx, "_eci_pci", spy)
    before = blas_threads()
    m = np.array([[1.0, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [1, 1, 1, 1]])
    cx.complexity(m, economies=list("ABCD"), products=["01", "02", "03", "04"], presence="manual")
    assert seen and set(seen) == {1}
    assert blas_threads() == before
