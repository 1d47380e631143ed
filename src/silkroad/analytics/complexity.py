"""Economic complexity of one year's export matrix (METHODS §3): presence, diversity, ubiquity,
ECI, PCI, proximity, density, distance, COI and COG.

A pure function of a NumPy matrix (economies × products, exports to the world in USD) and its
labels. The default convention reproduces py-ecomplexity 0.5.3 exactly (presence RCA ≥ 1, PCI
standardised with the ECI's mean and population SD, proximity diagonal 1); ``convention="stata"``
(alias ``"atlas"``) follows the Stata ``ecomplexity`` package used by the Atlas (strict RCA > 1,
proximity diagonal 0); ``convention="oec"`` z-scores ECI and PCI each on its own moments and
filters exporters (≥ USD 1 bn) and products (≥ USD 500 m of world trade) first.

Unlike py-ecomplexity, an economy with no product present (zero diversity) or a product present
nowhere (zero ubiquity) is dropped with a notice instead of turning the year into NaN, and "both"
presence is an OR (py-ecomplexity adds the two tests into 0/1/2). The eigenvectors come from the
smaller side's symmetric Gram matrix (economies × economies at HS6), never from a dense
products × products eigen-solve.

>>> m = [[1.0, 1, 1], [1, 1, 0], [1, 0, 0]]  # a nested world, presence given
>>> r = complexity(m, economies=["A", "B", "C"], products=["01", "02", "03"], presence="manual")
>>> r.economy_table().sort_values("eci_rank").economy.tolist()
['A', 'B', 'C']
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from silkroad.analytics.indicators import (
    FloatArray,
    as_labels,
    as_matrix,
    as_vector,
    balassa_rca,
    listed,
)
from silkroad.errors import AnalysisError

__all__ = [
    "CONVENTIONS",
    "OEC_MIN_EXPORTER_USD",
    "OEC_MIN_PRODUCT_USD",
    "PRESENCE_TESTS",
    "ComplexityResult",
    "complexity",
]

#: Conventions ``complexity`` knows; ``"atlas"`` is accepted as another name for ``"stata"``.
CONVENTIONS = ("ecomplexity", "stata", "oec")
PRESENCE_TESTS = ("rca", "rpop", "both", "manual")
#: OEC filters: exporters with at least USD 1 bn of exports, products with at least USD 500 m
#: of world trade in the year.
OEC_MIN_EXPORTER_USD = 1e9
OEC_MIN_PRODUCT_USD = 5e8

#: Second eigenvalue this close to 1: the economy–product network is disconnected.
_DISCONNECTED = 1e-10
#: Second and third eigenvalues this close: the ECI eigenvector is not unique.
_DEGENERATE = 1e-12
#: |corr(diversity, raw ECI)| below this: the sign cannot be oriented by diversity.
_UNORIENTED = 1e-9

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Rules:
    name: str
    strict: bool  # presence RCA > threshold (Stata) instead of ≥ (py-ecomplexity)
    diagonal: float  # proximity φ_pp: 1 (kept in density and COG) or 0 (excluded)
    own_moments: bool  # PCI z-scored on its own (OEC) instead of with the ECI's mean and SD


_RULES = {
    "ecomplexity": _Rules("ecomplexity", strict=False, diagonal=1.0, own_moments=False),
    "stata": _Rules("stata", strict=True, diagonal=0.0, own_moments=False),
    "oec": _Rules("oec", strict=False, diagonal=1.0, own_moments=True),
}


@dataclass(frozen=True)
class ComplexityResult:
    """Complexity of one year: per economy, per product and per economy × product.

    Arrays cover the economies and products kept (``economies``, ``products``); the ones
    dropped, with the reason, are in ``dropped_economies`` / ``dropped_products`` and
    ``notices``. ``metadata`` names the convention and every parameter used.
    """

    economies: tuple[str, ...]
    products: tuple[str, ...]
    exports_usd: FloatArray  # economies × products, USD
    rca: FloatArray  # economies × products, Balassa RCA over the economies kept by the filters
    rpop: FloatArray | None  # economies × products when a population was given
    presence: npt.NDArray[np.int8]  # M_cp, 0/1
    diversity: IntArray  # k_c,0 = Σ_p M_cp
    ubiquity: IntArray  # k_p,0 = Σ_c M_cp
    eci: FloatArray
    pci: FloatArray
    density: FloatArray  # economies × products, ω_cp in [0, 1]
    coi: FloatArray
    cog: FloatArray  # economies × products; 0 where M_cp = 1
    proximity_diagonal: float  # φ_pp: 1 (py-ecomplexity, OEC) or 0 (Stata)
    metadata: dict[str, Any]
    notices: list[str] = field(default_factory=list)
    dropped_economies: dict[str, str] = field(default_factory=dict)  # ISO3 -> reason
    dropped_products: dict[str, str] = field(default_factory=dict)  # code -> reason

    @cached_property
    def proximity(self) -> FloatArray:
        """Products × products φ_pp' = C_pp' / max(k_p, k_p') (C = MᵀM), computed on first use
        (≈ 200 MB at HS6: density and COG never need it whole)."""
        return _proximity(
            self.presence.astype(bool), self.ubiquity.astype(np.float64), self.proximity_diagonal
        )

    @property
    def distance(self) -> FloatArray:
        """Atlas distance d_cp = 1 − density."""
        return 1.0 - self.density

    def economy_table(self) -> pd.DataFrame:
        """One row per economy: economy, diversity, eci, eci_rank (1 = most complex), coi."""
        return pd.DataFrame(
            {
                "economy": list(self.economies),
                "diversity": self.diversity,
                "eci": self.eci,
                "eci_rank": _rank(self.eci),
                "coi": self.coi,
            }
        )

    def product_table(self) -> pd.DataFrame:
        """One row per product: product, ubiquity, pci, pci_rank (1 = most complex)."""
        return pd.DataFrame(
            {
                "product": list(self.products),
                "ubiquity": self.ubiquity,
                "pci": self.pci,
                "pci_rank": _rank(self.pci),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """Long table, one row per economy × product (the shape py-ecomplexity returns):
        economy, product, exports_usd, rca, [rpop], presence, diversity, ubiquity, eci, pci,
        density, distance, coi, cog."""
        n_e, n_p = self.presence.shape
        cols: dict[str, Any] = {
            "economy": np.repeat(np.array(self.economies, dtype=object), n_p),
            "product": np.tile(np.array(self.products, dtype=object), n_e),
            "exports_usd": self.exports_usd.ravel(),
            "rca": self.rca.ravel(),
        }
        if self.rpop is not None:
            cols["rpop"] = self.rpop.ravel()
        cols |= {
            "presence": self.presence.ravel(),
            "diversity": np.repeat(self.diversity, n_p),
            "ubiquity": np.tile(self.ubiquity, n_e),
            "eci": np.repeat(self.eci, n_p),
            "pci": np.tile(self.pci, n_e),
            "density": self.density.ravel(),
            "distance": self.distance.ravel(),
            "coi": np.repeat(self.coi, n_p),
            "cog": self.cog.ravel(),
        }
        return pd.DataFrame(cols)

    def opportunities(self, economy: str, *, top: int | None = None) -> pd.DataFrame:
        """Products ``economy`` does not export with comparative advantage yet (M_cp = 0),
        ranked by COG (then density): product, cog, density, distance, pci, rca, exports_usd."""
        if economy not in self.economies:
            why = self.dropped_economies.get(economy, "not in the data")
            raise AnalysisError(f"no complexity results for {economy}: {why}")
        i = self.economies.index(economy)
        frame = pd.DataFrame(
            {
                "product": list(self.products),
                "cog": self.cog[i],
                "density": self.density[i],
                "distance": self.distance[i],
                "pci": self.pci,
                "rca": self.rca[i],
                "exports_usd": self.exports_usd[i],
            }
        )[self.presence[i] == 0]
        frame = frame.sort_values(["cog", "density", "product"], ascending=[False, False, True])
        frame = frame.reset_index(drop=True)
        return frame if top is None else frame.head(top)


def _rank(values: FloatArray) -> FloatArray:
    return pd.Series(values).rank(method="min", ascending=False).to_numpy(dtype=np.float64)


P = ParamSpec("P")
R = TypeVar("R")


def _one_blas_thread(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with one BLAS thread: its many small matrix products (one per ubiquity
    level) run 5-10x slower when BLAS threads compete for shared cores (BENCHMARKS.md)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


@_one_blas_thread
def complexity(
    exports_usd: object,
    *,
    economies: Sequence[str],
    products: Sequence[str],
    convention: str = "ecomplexity",
    presence: str = "rca",
    rca_threshold: float = 1.0,
    population: object | None = None,
    rpop_threshold: float = 1.0,
    min_exporter_usd: float | None = None,
    min_product_usd: float | None = None,
    knn: int | None = None,
) -> ComplexityResult:
    """ECI, PCI, proximity, density, distance, COI and COG of one year's export matrix.

    ``exports_usd``: economies × products, each economy's exports to the world in USD (finite,
    ≥ 0). ``presence``: ``"rca"`` (RCA vs ``rca_threshold``), ``"rpop"`` (RPOP vs
    ``rpop_threshold``, needs ``population``, one figure per economy) or ``"both"`` (either
    test); ``"manual"`` takes ``exports_usd`` as the presence matrix itself (0/1; RCA is then
    NaN and no USD filter applies). ``min_exporter_usd`` / ``min_product_usd`` drop small
    exporters and products before RCA (the OEC defaults apply under ``convention="oec"`` unless
    given; 0 turns them off).
    ``knn``: density over each product's ``knn`` nearest products only (by proximity; ties by
    position), weighted by proximity, as Hidalgo et al. intend (py-ecomplexity returns a count).

    >>> m = [[1.0, 1, 1], [1, 1, 0], [1, 0, 0]]
    >>> r = complexity(m, economies=["A", "B", "C"], products=["01", "02", "03"], presence="manual")
    >>> (r.eci.round(4) + 0.0).tolist(), r.pci.round(4).tolist()
    ([1.2247, 0.0, -1.2247], [-1.2247, 1.2247, 3.6742])
    """
    rules = _conventions(convention)
    if presence not in PRESENCE_TESTS:
        raise AnalysisError(
            "unknown presence test", found=presence, expected=", ".join(PRESENCE_TESTS)
        )
    for name, value in (("rca_threshold", rca_threshold), ("rpop_threshold", rpop_threshold)):
        if not np.isfinite(value) or value < 0:
            raise AnalysisError(f"{name} must be a number ≥ 0", found=value)
    x = as_matrix(exports_usd, "exports_usd")
    econ = np.array(as_labels(economies, x.shape[0], "economy"), dtype=object)
    prod = np.array(as_labels(products, x.shape[1], "product"), dtype=object)
    pop: FloatArray | None = None
    if presence in ("rpop", "both"):
        if population is None:
            raise AnalysisError(f"presence={presence!r} needs a population for every economy")
        pop = as_vector(population, "population", size=x.shape[0])
    elif population is not None:
        pop = as_vector(population, "population", size=x.shape[0])
    manual = presence == "manual"
    if manual:
        if not np.isin(x, (0.0, 1.0)).all():
            where = tuple(int(i) for i in np.argwhere(~np.isin(x, (0.0, 1.0)))[0])
            raise AnalysisError(
                f"a manual presence matrix holds a value other than 0 or 1 at {where}",
                found=float(x[where]),
            )
        if min_exporter_usd or min_product_usd:
            raise AnalysisError("USD filters do not apply to a manual presence matrix")
        min_exporter_usd = min_product_usd = None
    elif rules.name == "oec":
        min_exporter_usd = OEC_MIN_EXPORTER_USD if min_exporter_usd is None else min_exporter_usd
        min_product_usd = OEC_MIN_PRODUCT_USD if min_product_usd is None else min_product_usd
    min_exp = _usd(min_exporter_usd, "min_exporter_usd")
    min_prod = _usd(min_product_usd, "min_product_usd")

    notices: list[str] = []
    dropped_e: dict[str, str] = {}
    dropped_p: dict[str, str] = {}

    # 1. Filters and zero totals (RCA is undefined for an economy or product that trades nothing).
    keep_e = np.ones(x.shape[0], dtype=bool)
    keep_p = np.ones(x.shape[1], dtype=bool)
    row, col = x.sum(axis=1), x.sum(axis=0)
    if min_exp > 0:
        _drop(keep_e, (row < min_exp) & (row > 0), econ, dropped_e, notices,
              f"exports below {min_exp:,.0f} USD", "economies")  # fmt: skip
    if min_prod > 0:
        _drop(keep_p, (col < min_prod) & (col > 0), prod, dropped_p, notices,
              f"world trade below {min_prod:,.0f} USD", "products")  # fmt: skip
    while not manual:  # dropping economies can empty a product and vice versa
        row = x[:, keep_p].sum(axis=1)
        col = x[keep_e].sum(axis=0)
        zero_e = keep_e & (row == 0)
        zero_p = keep_p & (col == 0)
        if not zero_e.any() and not zero_p.any():
            break
        _drop(keep_e, zero_e, econ, dropped_e, notices, "no exports", "economies")
        _drop(keep_p, zero_p, prod, dropped_p, notices, "no world exports", "products")
    if pop is not None:
        bad = keep_e & ~(pop > 0)
        if bad.any():
            raise AnalysisError(
                "population must be positive for every economy kept",
                found=f"{econ[np.argmax(bad)]}: {pop[np.argmax(bad)]!r}",
            )

    # 2. RCA, RPOP and presence on the economies and products kept.
    xk = np.ascontiguousarray(x[np.ix_(keep_e, keep_p)])
    rca_k = np.full(xk.shape, np.nan) if manual else balassa_rca(xk)
    rpop_k = None
    if pop is not None:
        pk = pop[keep_e]
        # Same order of operations as py-ecomplexity's calculate_rpop.
        rpop_k = (xk / pk[:, None]) / (xk.sum(axis=0)[None, :] / pk.sum())
    compare = np.greater if rules.strict else np.greater_equal
    if manual:
        m = xk == 1.0
    elif presence == "rca":
        m = compare(rca_k, rca_threshold)
    elif presence == "rpop":
        assert rpop_k is not None
        m = compare(rpop_k, rpop_threshold)
    else:
        assert rpop_k is not None
        m = compare(rca_k, rca_threshold) | compare(rpop_k, rpop_threshold)

    # 3. Zero diversity and zero ubiquity: dropped here, not a NaN year.
    kc0 = m.sum(axis=1)
    kp0 = m.sum(axis=0)
    econ_k, prod_k = econ[keep_e], prod[keep_p]
    live_e, live_p = kc0 > 0, kp0 > 0
    if not live_e.all():
        names = [str(v) for v in econ_k[~live_e]]
        dropped_e |= dict.fromkeys(names, "zero diversity (no product present)")
        notices.append(f"dropped {len(names)} economies with zero diversity: {listed(names)}")
    if not live_p.all():
        names = [str(v) for v in prod_k[~live_p]]
        dropped_p |= dict.fromkeys(names, "zero ubiquity (present in no economy)")
        notices.append(f"dropped {len(names)} products with zero ubiquity: {listed(names)}")
    m = m[live_e][:, live_p]
    if m.shape[0] < 2 or m.shape[1] < 2:
        raise AnalysisError(
            "complexity needs at least 2 economies and 2 products with presence",
            found=f"{m.shape[0]} economies × {m.shape[1]} products",
        )
    mf = m.astype(np.float64)
    kc, kp = kc0[live_e].astype(np.float64), kp0[live_p].astype(np.float64)

    # 4. ECI and PCI (raw, sign fixed by the correlation with diversity).
    eci_raw, pci_raw, sign_notice = _eci_pci(mf, kc, kp)
    if sign_notice:
        notices.append(sign_notice)
    eci_mean, eci_sd = float(eci_raw.mean()), float(eci_raw.std())
    if not eci_sd > 0:
        raise AnalysisError("ECI undefined: every economy has the same raw ECI")
    eci = (eci_raw - eci_mean) / eci_sd
    if rules.own_moments:
        pci_sd = float(pci_raw.std())
        if not pci_sd > 0:
            raise AnalysisError("PCI undefined: every product has the same raw PCI")
        pci = (pci_raw - pci_raw.mean()) / pci_sd
        pci_for_outlook, cog_scale = pci, 1.0
    else:
        pci = (pci_raw - eci_mean) / eci_sd
        pci_for_outlook, cog_scale = pci_raw, eci_sd

    # 5. Density, COI, COG: products of the proximity matrix, computed without forming it.
    absent = 1.0 - mf
    first = _times_proximity(np.vstack([mf, np.ones((1, m.shape[1]))]), mf, kp)
    if rules.diagonal == 0:
        first -= np.vstack([mf, np.ones((1, m.shape[1]))])  # φ_pp = 1 taken back out
    rowsum = first[-1]  # Σ_p' φ_pp' (φ is symmetric)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(rowsum > 0, pci_for_outlook / rowsum, 0.0)
        if knn is None:
            density = np.where(rowsum > 0, first[:-1] / rowsum[None, :], 0.0)
        else:
            density = _knn_density(mf, _proximity(m, kp, rules.diagonal), knn)
    outlook = absent * weight[None, :]
    cog_raw = _times_proximity(outlook, mf, kp)
    if rules.diagonal == 0:
        cog_raw -= outlook
    cog_raw *= absent
    if rules.diagonal == 0 and (rowsum == 0).any():
        notices.append(
            f"{int((rowsum == 0).sum())} products have zero proximity to every other product: "
            "their density is 0"
        )
    coi_raw = (density * absent * pci_for_outlook[None, :]).sum(axis=1)
    coi_sd = float(coi_raw.std())
    if coi_sd > 0:
        coi = (coi_raw - coi_raw.mean()) / coi_sd
    else:
        coi = np.zeros_like(coi_raw)
        notices.append("COI is the same for every economy: reported as 0")
    cog = cog_raw / cog_scale

    keep_e_idx = np.flatnonzero(keep_e)[live_e]
    keep_p_idx = np.flatnonzero(keep_p)[live_p]
    meta = {
        "analysis": "complexity",
        "convention": rules.name,
        "reference": {
            "ecomplexity": "py-ecomplexity 0.5.3 (defaults)",
            "stata": "Stata ecomplexity (Atlas of Economic Complexity)",
            "oec": "Observatory of Economic Complexity",
        }[rules.name],
        "presence": presence,
        "presence_rule": _presence_rule(presence, rules.strict, rca_threshold, rpop_threshold),
        "rca_threshold": float(rca_threshold),
        "rpop_threshold": float(rpop_threshold) if presence != "rca" else None,
        "proximity": "min of conditional probabilities, C_pp' / max(k_p, k_p')",
        "proximity_diagonal": rules.diagonal,
        "eci_scaling": "z-score over the economies, SD with ddof 0",
        "pci_scaling": (
            "z-score over the products, SD with ddof 0"
            if rules.own_moments
            else "(PCI - mean(ECI)) / SD(ECI), SD with ddof 0"
        ),
        "coi": "z-score (ddof 0) of sum_p density (1 - M) PCI"
        + (" (standardised PCI)" if rules.own_moments else " (raw PCI)"),
        "cog": (
            "(1 - M) sum_p' (1 - M_p') phi_p'p PCI_p' / sum phi_p' with the standardised PCI"
            if rules.own_moments
            else "(1 - M) sum_p' (1 - M_p') phi_p'p PCI_p' / sum phi_p' with the raw PCI, / SD(ECI)"
        ),
        "density": (
            "sum_p' M_p' phi_pp' / sum_p' phi_pp' over all products"
            if knn is None
            else f"proximity-weighted over the {knn} nearest products (the product itself excluded)"
        ),
        "knn": knn,
        "min_exporter_usd": min_exp,
        "min_product_usd": min_prod,
        "n_economies": int(m.shape[0]),
        "n_products": int(m.shape[1]),
        "units": "indices (no unit); exports in USD",
    }
    return ComplexityResult(
        economies=tuple(str(v) for v in econ[keep_e_idx]),
        products=tuple(str(v) for v in prod[keep_p_idx]),
        exports_usd=x[np.ix_(keep_e_idx, keep_p_idx)],
        rca=rca_k[live_e][:, live_p],
        rpop=None if rpop_k is None else rpop_k[live_e][:, live_p],
        presence=m.astype(np.int8),
        diversity=kc0[live_e].astype(np.int64),
        ubiquity=kp0[live_p].astype(np.int64),
        eci=eci,
        pci=pci,
        proximity_diagonal=rules.diagonal,
        density=density,
        coi=coi,
        cog=cog,
        metadata=meta,
        notices=notices,
        dropped_economies=dropped_e,
        dropped_products=dropped_p,
    )


def _conventions(convention: str) -> _Rules:
    name = "stata" if convention == "atlas" else convention
    if name not in _RULES:
        raise AnalysisError(
            "unknown complexity convention", found=convention, expected=", ".join(CONVENTIONS)
        )
    return _RULES[name]


def _presence_rule(presence: str, strict: bool, rca_threshold: float, rpop_threshold: float) -> str:
    op = ">" if strict else "≥"
    rules = {
        "manual": "given (manual)",
        "rca": f"RCA {op} {float(rca_threshold)!r}",
        "rpop": f"RPOP {op} {float(rpop_threshold)!r}",
        "both": f"RCA {op} {float(rca_threshold)!r} or RPOP {op} {float(rpop_threshold)!r}",
    }
    return rules[presence]


def _usd(value: float | None, name: str) -> float:
    if value is None:
        return 0.0
    if not np.isfinite(value) or value < 0:
        raise AnalysisError(f"{name} must be a number of USD ≥ 0", found=value)
    return float(value)


def _drop(
    keep: npt.NDArray[np.bool_],
    mask: npt.NDArray[np.bool_],
    labels: npt.NDArray[np.object_],
    dropped: dict[str, str],
    notices: list[str],
    reason: str,
    what: str,
) -> None:
    mask = keep & mask
    if not mask.any():
        return
    names = [str(v) for v in labels[mask]]
    dropped |= dict.fromkeys(names, reason)
    notices.append(f"dropped {len(names)} {what} with {reason}: {listed(names)}")
    keep &= ~mask


def _eci_pci(m: FloatArray, kc: FloatArray, kp: FloatArray) -> tuple[FloatArray, FloatArray, str]:
    """Raw ECI and PCI: the second eigenvector of M̃_pp = D_p⁻¹ Mᵀ D_c⁻¹ M, as py-ecomplexity,
    obtained from the symmetric Gram matrix of A = D_c^-½ M D_p^-½ on its smaller side."""
    a = m / np.sqrt(kc)[:, None] / np.sqrt(kp)[None, :]
    if a.shape[0] <= a.shape[1]:
        vals, vecs = np.linalg.eigh(a @ a.T)  # economies × economies
        kp_vec = (a.T @ vecs[:, -2]) / np.sqrt(kp)
    else:  # products × products, only when there are fewer products than economies
        vals, vecs = np.linalg.eigh(a.T @ a)
        kp_vec = vecs[:, -2] / np.sqrt(kp)
    if vals[-2] > 1.0 - _DISCONNECTED:
        raise AnalysisError(
            "ECI undefined: the economy–product network splits into disconnected groups "
            "(the second eigenvalue is 1)"
        )
    if vals.shape[0] > 2 and vals[-2] - vals[-3] < _DEGENERATE:
        raise AnalysisError("ECI undefined: the second eigenvalue is repeated (no unique ECI)")
    kc_vec = (m / kc[:, None]) @ kp_vec  # ECI_raw = mean PCI_raw over the products present
    corr = float(np.corrcoef(kc, kc_vec)[0, 1]) if np.ptp(kc) > 0 else 0.0
    if abs(corr) < _UNORIENTED:
        # Diversity says nothing about the direction (all equal, or uncorrelated): keep the
        # solver's sign and say so (py-ecomplexity gives NaN or a sign left to rounding).
        notice = "ECI sign not oriented: the raw ECI does not correlate with diversity"
        return kc_vec, kp_vec, notice
    sign = -1.0 if corr < 0 else 1.0
    return sign * kc_vec, sign * kp_vec, ""


def _times_proximity(rows: FloatArray, m: FloatArray, kp: FloatArray) -> FloatArray:
    """``rows @ φ`` for φ_pp' = C_pp' / max(k_p, k_p') (diagonal 1), C = MᵀM, without forming φ.

    Products are grouped by ubiquity level l. For a product p at level k_p,
    (R φ)_ip = Σ_c M_cp [Σ_{p': k_p' ≥ k_p} R_ip' M_cp' / k_p' + (1/k_p) Σ_{p': k_p' < k_p} R_ip' M_cp'],
    so with the products sorted by ubiquity, one rows × economies block per level and its prefix
    and suffix sums replace the rows × products × products product by ~2 rows × economies ×
    products operations (no cancellation: each part is a sum of non-negative weights times R).
    """
    order = np.argsort(kp, kind="stable")  # products by ubiquity: each level is one slice
    ms = np.ascontiguousarray(m[:, order])
    rs = np.ascontiguousarray(rows[:, order])
    levels, starts = np.unique(kp[order], return_index=True)
    bounds = [*starts.tolist(), m.shape[1]]
    spans = [slice(bounds[j], bounds[j + 1]) for j in range(levels.shape[0])]
    blocks = [rs[:, span] @ ms[:, span].T for span in spans]  # rows × economies per level
    above = [np.empty(0)] * len(spans)  # Σ over this and higher levels of block / l
    acc = np.zeros((rows.shape[0], m.shape[0]))
    for j in range(len(spans) - 1, -1, -1):
        acc = acc + blocks[j] / levels[j]
        above[j] = acc
    out = np.empty((rows.shape[0], m.shape[1]))
    below = np.zeros_like(acc)  # Σ over lower levels of block
    for j, span in enumerate(spans):
        out[:, span] = (below / levels[j] + above[j]) @ ms[:, span]
        below += blocks[j]
    result = np.empty_like(out)
    result[:, order] = out
    return result


def _proximity(m: npt.NDArray[np.bool_], kp: FloatArray, diagonal: float) -> FloatArray:
    """φ_pp' = C_pp' / max(k_p, k_p') with C = MᵀM, diagonal set to ``diagonal``."""
    mf32 = m.astype(np.float32)
    co = (mf32.T @ mf32).astype(np.float64)  # exact: counts < 2**24
    np.divide(co, np.maximum.outer(kp, kp), out=co)
    np.fill_diagonal(co, diagonal)
    return co


def _knn_density(m: FloatArray, phi: FloatArray, knn: int) -> FloatArray:
    """Density over each product's ``knn`` most proximate other products, proximity-weighted."""
    n = phi.shape[0]
    if isinstance(knn, bool) or not isinstance(knn, int | np.integer) or not 1 <= knn < n:
        raise AnalysisError("knn must be an integer from 1 to products − 1", found=knn)
    work = phi.copy()
    np.fill_diagonal(work, -np.inf)
    nearest = np.argsort(-work, axis=1, kind="stable")[:, :knn]
    rows = np.arange(n)[:, None]
    w = np.zeros_like(phi)
    w[rows, nearest] = phi[rows, nearest]
    den = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(den[:, None] > 0, w / den[:, None], 0.0)
    return m @ w.T
