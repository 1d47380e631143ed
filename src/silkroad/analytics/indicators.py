"""WITS-style trade indicators (METHODS §2) as pure functions of NumPy vectors and matrices.

Values are in US dollars. Rows of a matrix are economies (ISO3), columns products (HS codes as
strings with their leading zeros) or partner economies; the labels travel with the arrays. A bloc
is a vector too: the sum of its members' rows, aggregated by the caller (docs/indicators.md says
which indicators stay meaningful for blocs).

Rule for undefined values: a scalar index that is undefined (a zero total) raises
:class:`~silkroad.errors.AnalysisError`; inside a result table an undefined cell is NaN and the
result's ``notices`` say why.

>>> import numpy as np
>>> from silkroad.analytics.indicators import complementarity
>>> complementarity(np.array([50.0, 50.0, 0.0]), np.array([0.0, 50.0, 50.0]))
50.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from silkroad.errors import AnalysisError

__all__ = [
    "Concentration",
    "GrubelLloyd",
    "MarketShares",
    "RCAResult",
    "balassa_rca",
    "complementarity",
    "complementarity_matrix",
    "concentration",
    "export_similarity",
    "export_similarity_matrix",
    "grubel_lloyd",
    "market_shares",
    "rca",
    "trade_intensity",
    "trade_intensity_matrix",
]

FloatArray = npt.NDArray[np.float64]

#: Long-frame columns accepted by :func:`market_shares`.
SUPPLIER_COLUMNS = ("supplier", "product", "value_usd")


# --- argument checks (shared with complexity.py) ------------------------------------------------


def as_matrix(values: object, name: str, *, allow_empty: bool = False) -> FloatArray:
    """``values`` as a 2-D float64 array of finite, non-negative USD, or an AnalysisError."""
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(
            f"{name} must be a numeric matrix", found=type(values).__name__
        ) from exc
    if x.ndim != 2:
        raise AnalysisError(f"{name} must be a 2-D matrix", found=f"{x.ndim}-D")
    if not allow_empty and x.size == 0:
        raise AnalysisError(f"{name} is empty", found=f"shape {x.shape}")
    _check_cells(x, name)
    # C order: sums then run in the same order as py-ecomplexity's (bit-identical RCA at 1).
    return np.ascontiguousarray(x)


def as_vector(values: object, name: str, *, size: int | None = None) -> FloatArray:
    """``values`` as a 1-D float64 array of finite, non-negative USD, or an AnalysisError."""
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(
            f"{name} must be a numeric vector", found=type(values).__name__
        ) from exc
    if x.ndim != 1:
        raise AnalysisError(f"{name} must be a 1-D vector", found=f"{x.ndim}-D")
    if size is not None and x.shape[0] != size:
        raise AnalysisError(f"{name} has the wrong length", found=x.shape[0], expected=str(size))
    _check_cells(x, name)
    return x


def _check_cells(x: FloatArray, name: str) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AnalysisError(
            f"{name} holds a missing or infinite value at {where}",
            found=float(x[where]),
            expected="a finite number of USD (missing is not zero: fill it explicitly)",
        )
    neg = x < 0
    if neg.any():
        where = tuple(int(i) for i in np.argwhere(neg)[0])
        raise AnalysisError(
            f"{name} holds a negative value at {where}",
            found=float(x[where]),
            expected="USD ≥ 0",
        )


def as_labels(labels: Sequence[object] | None, size: int, what: str) -> tuple[str, ...]:
    """Labels as a tuple of unique strings of the right length (positions when None)."""
    if labels is None:
        return tuple(str(i) for i in range(size))
    out = tuple(str(v) for v in labels)
    if len(out) != size:
        raise AnalysisError(
            f"{what} labels do not match the data", found=len(out), expected=str(size)
        )
    if len(set(out)) != len(out):
        dup = pd.Series(out)[pd.Series(out).duplicated()].iloc[0]
        raise AnalysisError(f"{what} labels repeat", found=dup, expected="unique labels")
    return out


def listed(names: Sequence[str], limit: int = 8) -> str:
    """A short human list of names (``A, B, C and 4 more``)."""
    head = ", ".join(names[:limit])
    return head if len(names) <= limit else f"{head} and {len(names) - limit} more"


def _share(x: FloatArray, name: str) -> FloatArray:
    total = x.sum()
    if total <= 0:
        raise AnalysisError(f"{name} total is 0 USD: shares are undefined")
    return x / total


# --- revealed comparative advantage (METHODS §2.1) ---------------------------------------------


def balassa_rca(exports_usd: object, *, world_usd: object | None = None) -> FloatArray:
    """Balassa RCA, (x_ik / X_i) / (x_wk / X_w), of each row in each column; NaN where a total is 0.

    ``exports_usd`` is economies × products in USD. The world (x_wk, X_w) is the sum of the rows
    unless ``world_usd`` gives the per-product world exports (for a bloc row, or a world wider
    than the rows given). Rows with zero total exports and products with zero world exports get
    NaN (undefined), never 0 or inf; a zero cell of a defined row and column is 0.
    """
    x = as_matrix(exports_usd, "exports_usd")
    col = x.sum(axis=0) if world_usd is None else as_vector(world_usd, "world_usd", size=x.shape[1])
    row = x.sum(axis=1)
    total = col.sum()
    out = np.full(x.shape, np.nan)
    r, c = row > 0, col > 0
    if r.any() and c.any():
        # Same order of operations as py-ecomplexity, so presence at RCA = 1 agrees bit for bit.
        num = x[r][:, c] / row[r][:, None]
        den = col[c][None, :] / total
        out[np.ix_(r, c)] = num / den
    return out


@dataclass(frozen=True)
class RCAResult:
    """Balassa RCA of each economy in each product, with the values it comes from."""

    economies: tuple[str, ...]
    products: tuple[str, ...]
    values_usd: FloatArray  # economies × products, USD
    rca: FloatArray  # economies × products; NaN where undefined
    metadata: dict[str, Any]
    notices: list[str] = field(default_factory=list)

    @property
    def symmetric(self) -> FloatArray:
        """Symmetric RCA (RCA − 1)/(RCA + 1) in [−1, 1) (Laursen): 0 at RCA = 1."""
        return (self.rca - 1.0) / (self.rca + 1.0)

    def to_frame(self) -> pd.DataFrame:
        """Long table: economy, product, value_usd, rca, rsca (one row per cell)."""
        n_e, n_p = self.rca.shape
        return pd.DataFrame(
            {
                "economy": np.repeat(np.array(self.economies, dtype=object), n_p),
                "product": np.tile(np.array(self.products, dtype=object), n_e),
                "value_usd": self.values_usd.ravel(),
                "rca": self.rca.ravel(),
                "rsca": self.symmetric.ravel(),
            }
        )

    def top(self, economy: str, n: int | None = 10) -> pd.DataFrame:
        """The products with the highest RCA of ``economy`` (ties by value, then code)."""
        if economy not in self.economies:
            raise AnalysisError("economy not in the RCA table", found=economy)
        i = self.economies.index(economy)
        frame = pd.DataFrame(
            {
                "product": list(self.products),
                "value_usd": self.values_usd[i],
                "rca": self.rca[i],
            }
        ).dropna(subset=["rca"])
        frame = frame.sort_values(["rca", "value_usd", "product"], ascending=[False, False, True])
        frame = frame.reset_index(drop=True)
        return frame if n is None else frame.head(n)


def rca(
    exports_usd: object,
    *,
    economies: Sequence[str],
    products: Sequence[str],
    world_usd: object | None = None,
) -> RCAResult:
    """Balassa RCA for every economy × product of one year's export matrix (USD).

    >>> r = rca([[10.0, 0.0], [5.0, 5.0]], economies=["A", "B"], products=["01", "02"])
    >>> r.rca.round(3).tolist()
    [[1.333, 0.0], [0.667, 2.0]]
    """
    x = as_matrix(exports_usd, "exports_usd")
    econ = as_labels(economies, x.shape[0], "economy")
    prod = as_labels(products, x.shape[1], "product")
    values = balassa_rca(x, world_usd=world_usd)
    notices = []
    row = x.sum(axis=1)
    col = x.sum(axis=0) if world_usd is None else as_vector(world_usd, "world_usd")
    if (row == 0).any():
        names = [econ[i] for i in np.flatnonzero(row == 0)]
        notices.append(
            f"RCA undefined (NaN) for {len(names)} economies with no exports: {listed(names)}"
        )
    if (col == 0).any():
        names = [prod[i] for i in np.flatnonzero(col == 0)]
        notices.append(
            f"RCA undefined (NaN) for {len(names)} products with no world exports: {listed(names)}"
        )
    meta = {
        "indicator": "rca",
        "formula": "Balassa: (x_ik / X_i) / (x_wk / X_w)",
        "world": "sum of the rows given" if world_usd is None else "world_usd given by the caller",
        "units": "ratio (1 = world average)",
    }
    return RCAResult(econ, prod, x, values, meta, notices)


# --- trade intensity, complementarity, similarity (METHODS §2.2–2.4) ---------------------------


def trade_intensity(
    exports_to_partner_usd: float,
    total_exports_usd: float,
    world_exports_to_partner_usd: float,
    world_exports_usd: float,
) -> float:
    """Trade intensity TII_ij = (x_ij / X_i) / (x_wj / X_w) (WITS form); > 1 is an intense tie.

    >>> trade_intensity(20.0, 100.0, 50.0, 1000.0)
    4.0
    """
    v = as_vector(
        [
            exports_to_partner_usd,
            total_exports_usd,
            world_exports_to_partner_usd,
            world_exports_usd,
        ],
        "trade intensity arguments",
    )
    if v[1] <= 0:
        raise AnalysisError("TII undefined: the exporter's total exports are 0 USD")
    if v[2] <= 0 or v[3] <= 0:
        raise AnalysisError("TII undefined: world exports to the partner are 0 USD")
    return float((v[0] / v[1]) / (v[2] / v[3]))


def trade_intensity_matrix(flows_usd: object) -> FloatArray:
    """TII of every exporter (row) with every importer (column) of a bilateral matrix (USD).

    The world is the matrix itself (x_wj = column sums, X_w = grand total). NaN where the
    exporter exports nothing or nobody exports to the importer.
    """
    x = as_matrix(flows_usd, "flows_usd")
    row, col, total = x.sum(axis=1), x.sum(axis=0), x.sum()
    out = np.full(x.shape, np.nan)
    r, c = row > 0, col > 0
    if r.any() and c.any():
        out[np.ix_(r, c)] = (x[r][:, c] / row[r][:, None]) / (col[c][None, :] / total)
    return out


def complementarity(exports_usd: object, imports_usd: object) -> float:
    """Michaely trade complementarity TC_ij = 100·(1 − ½ Σ_k |m_jk − x_ik|), in [0, 100].

    ``exports_usd`` is i's exports by product, ``imports_usd`` j's imports over the same products
    (a product one side lacks is a 0). Shares are fractions; 100 means j imports exactly what i
    exports, in the same proportions. Directional: TC(i, j) ≠ TC(j, i).
    """
    x = as_vector(exports_usd, "exports_usd")
    m = as_vector(imports_usd, "imports_usd", size=x.shape[0])
    sx, sm = _share(x, "exporter's exports"), _share(m, "importer's imports")
    return float(100.0 * (1.0 - 0.5 * np.abs(sm - sx).sum()))


def complementarity_matrix(exports_usd: object, imports_usd: object) -> FloatArray:
    """TCI of every exporter (rows of ``exports_usd``) with every importer (rows of ``imports_usd``).

    Both are economies × products in USD over the same products; NaN where a total is 0.
    """
    x = as_matrix(exports_usd, "exports_usd")
    m = as_matrix(imports_usd, "imports_usd")
    if m.shape[1] != x.shape[1]:
        raise AnalysisError(
            "imports_usd has a different product count", found=m.shape[1], expected=str(x.shape[1])
        )
    sx = _row_shares(x)
    sm = _row_shares(m)
    out = np.empty((x.shape[0], m.shape[0]))
    for i in range(x.shape[0]):  # one exporter at a time: memory stays importers × products
        out[i] = 100.0 * (1.0 - 0.5 * np.abs(sm - sx[i]).sum(axis=1))
    return out


def export_similarity(exports_a_usd: object, exports_b_usd: object) -> float:
    """Finger–Kreinin export similarity ESI = 100·Σ_k min(s_ak, s_bk), in [0, 100]; symmetric.

    Both vectors are exports to the same market (or the world) by product, in USD.
    """
    a = as_vector(exports_a_usd, "exports_a_usd")
    b = as_vector(exports_b_usd, "exports_b_usd", size=a.shape[0])
    sa, sb = _share(a, "first exporter's exports"), _share(b, "second exporter's exports")
    return float(100.0 * np.minimum(sa, sb).sum())


def export_similarity_matrix(exports_usd: object) -> FloatArray:
    """ESI of every pair of rows of an economies × products matrix (USD); NaN for zero rows."""
    x = as_matrix(exports_usd, "exports_usd")
    s = _row_shares(x)
    out = np.empty((x.shape[0], x.shape[0]))
    for i in range(x.shape[0]):
        out[i] = 100.0 * np.minimum(s, s[i]).sum(axis=1)
    return out


def _row_shares(x: FloatArray) -> FloatArray:
    row = x.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(row[:, None] > 0, x / row[:, None], np.nan)


# --- Grubel–Lloyd (METHODS §2.5) -------------------------------------------------------------


@dataclass(frozen=True)
class GrubelLloyd:
    """Grubel–Lloyd intra-industry trade of one economy with one partner (or the world)."""

    products: tuple[str, ...]
    exports_usd: FloatArray
    imports_usd: FloatArray
    gl: FloatArray  # per product, in [0, 1]; NaN where the product is not traded either way
    aggregate: float  # trade-weighted (Grubel & Lloyd 1975)
    adjusted: float  # imbalance-adjusted aggregate; NaN when one side is 0 overall
    unweighted: float  # simple mean over the products traded
    metadata: dict[str, Any]
    notices: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per product: product, exports_usd, imports_usd, gl."""
        return pd.DataFrame(
            {
                "product": list(self.products),
                "exports_usd": self.exports_usd,
                "imports_usd": self.imports_usd,
                "gl": self.gl,
            }
        )


def grubel_lloyd(
    exports_usd: object, imports_usd: object, *, products: Sequence[str] | None = None
) -> GrubelLloyd:
    """Grubel–Lloyd index per product, 1 − |X − M|/(X + M), and aggregated three ways.

    ``exports_usd`` and ``imports_usd`` are the same economy's exports to and imports from one
    partner, by product (USD). ``aggregate`` weights products by X + M; ``adjusted`` divides by
    Σ(X + M) − |ΣX − ΣM| (the 1975 correction for the overall imbalance); ``unweighted`` is the
    simple mean over traded products. Raises if nothing is traded at all.

    >>> grubel_lloyd([30.0, 10.0], [10.0, 0.0]).gl.tolist()
    [0.5, 0.0]
    """
    x = as_vector(exports_usd, "exports_usd")
    m = as_vector(imports_usd, "imports_usd", size=x.shape[0])
    prod = as_labels(products, x.shape[0], "product")
    trade = x + m
    traded = trade > 0
    if not traded.any():
        raise AnalysisError("Grubel–Lloyd undefined: no trade in any product")
    gap = np.abs(x - m)
    gl = np.full(x.shape, np.nan)
    # Each ratio lies in [0, 1] exactly (|X − M| ≤ X + M, Σ|X − M| ≥ |ΣX − ΣM|); the clips only
    # undo floating-point rounding (1.0000000000000002 from sums taken in different orders).
    gl[traded] = np.clip(1.0 - gap[traded] / trade[traded], 0.0, 1.0)
    total = trade.sum()
    aggregate = float(np.clip((total - gap.sum()) / total, 0.0, 1.0))
    denom = total - abs(x.sum() - m.sum())
    adjusted = float(np.clip((total - gap.sum()) / denom, 0.0, 1.0)) if denom > 0 else float("nan")
    notices = []
    if not traded.all():
        notices.append(
            f"GL undefined (NaN) for {int((~traded).sum())} products traded neither way; "
            "they carry no weight"
        )
    if denom <= 0:
        notices.append("adjusted GL undefined (NaN): trade flows one way only")
    meta = {
        "indicator": "grubel_lloyd",
        "product": "1 - |X - M| / (X + M)",
        "aggregate": "trade-weighted, (sum(X + M) - sum|X - M|) / sum(X + M)",
        "adjusted": "(sum(X + M) - sum|X - M|) / (sum(X + M) - |sum X - sum M|)",
        "unweighted": "simple mean over traded products",
        "units": "index in [0, 1]",
    }
    return GrubelLloyd(prod, x, m, gl, aggregate, adjusted, float(gl[traded].mean()), meta, notices)


# --- concentration and counts (METHODS §2.6–2.7) -----------------------------------------------


@dataclass(frozen=True)
class Concentration:
    """Herfindahl–Hirschman concentration of one economy's exports over products or markets."""

    kind: str  # "products" or "markets"
    labels: tuple[str, ...]
    values_usd: FloatArray
    shares: FloatArray  # of the counted total; 0 for an item not counted
    hhi: float  # Σ s², in (0, 1]
    normalized: float  # (H − 1/n)/(1 − 1/n) in [0, 1]; NaN when n = 1 (WITS gives no value)
    count: int  # n: items with value > min_value_usd
    metadata: dict[str, Any]
    notices: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per product or market: label, value_usd, share (largest first)."""
        frame = pd.DataFrame(
            {"label": list(self.labels), "value_usd": self.values_usd, "share": self.shares}
        )
        return frame.sort_values(["value_usd", "label"], ascending=[False, True]).reset_index(
            drop=True
        )


def concentration(
    values_usd: object,
    *,
    labels: Sequence[str] | None = None,
    kind: str = "products",
    min_value_usd: float = 0.0,
) -> Concentration:
    """HHI (WITS, [0, 1] scale) of exports by product (``kind="products"``) or by partner
    (``"markets"``), its normalised form, and the number of items exported.

    An item counts as exported when its value exceeds ``min_value_usd`` (default: any positive
    value); shares, HHI and n are over the items counted. Raises if nothing is exported.

    >>> c = concentration([50.0, 50.0, 0.0])
    >>> (c.hhi, c.normalized, c.count)
    (0.5, 0.0, 2)
    """
    if kind not in ("products", "markets"):
        raise AnalysisError(
            "unknown concentration kind", found=kind, expected="'products' or 'markets'"
        )
    x = as_vector(values_usd, "values_usd")
    lab = as_labels(labels, x.shape[0], "label")
    if not np.isfinite(min_value_usd) or min_value_usd < 0:
        raise AnalysisError("min_value_usd must be ≥ 0", found=min_value_usd)
    counted = x > min_value_usd
    n = int(counted.sum())
    if n == 0:
        raise AnalysisError(
            f"concentration undefined: no {kind} with exports above {min_value_usd:g} USD"
        )
    shares = np.where(counted, x, 0.0) / x[counted].sum()
    hhi = float((shares**2).sum())
    normalized = (hhi - 1.0 / n) / (1.0 - 1.0 / n) if n > 1 else float("nan")
    notices = [] if n > 1 else [f"normalised HHI undefined (NaN): one {kind[:-1]} only"]
    meta = {
        "indicator": f"hhi_{kind}",
        "hhi": "sum of squared shares (WITS), 0-1 scale",
        "normalized": "(H - 1/n) / (1 - 1/n), n = items exported (WITS; not UNCTAD's square-root form)",
        "min_value_usd": float(min_value_usd),
    }
    return Concentration(kind, lab, x, shares, hhi, float(normalized), n, meta, notices)


# --- market shares, ranks and competitors (METHODS §1.5, §2.8) ---------------------------------


@dataclass(frozen=True)
class MarketShares:
    """``economy``'s place among the suppliers of one market (B's imports by supplier and product)."""

    market: str
    economy: str
    suppliers: tuple[str, ...]
    products: tuple[str, ...]
    imports_usd: FloatArray  # suppliers × products, the market's imports in USD
    share: FloatArray  # per product: economy's share of the market's imports (NaN if none)
    rank: FloatArray  # per product: economy's rank among suppliers (1 = largest; NaN if absent)
    total_share: float  # economy's share of the market's total imports
    total_rank: float  # economy's rank among suppliers of the total (NaN if absent)
    metadata: dict[str, Any]
    notices: list[str] = field(default_factory=list)

    def shares(self) -> FloatArray:
        """Every supplier's share of the market's imports of each product (columns sum to 1)."""
        col = self.imports_usd.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(col > 0, self.imports_usd / col, np.nan)

    def competitors(self, product: str | None = None, *, top: int = 5) -> pd.DataFrame:
        """The ``top`` largest suppliers other than ``economy`` of one product (or of the total)."""
        if product is None:
            values = self.imports_usd.sum(axis=1)
        elif product in self.products:
            values = self.imports_usd[:, self.products.index(product)]
        else:
            raise AnalysisError("product not in the market's imports", found=product)
        total = values.sum()
        frame = pd.DataFrame(
            {
                "supplier": list(self.suppliers),
                "value_usd": values,
                "share": values / total if total > 0 else np.nan,
                "rank": _ranks(values),
            }
        )
        frame = frame[(frame.supplier != self.economy) & (frame.value_usd > 0)]
        frame = frame.sort_values(["value_usd", "supplier"], ascending=[False, True])
        return frame.head(top).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per product: the market's imports, the economy's value, share and rank, the
        number of suppliers, and the largest competitor with its share."""
        col = self.imports_usd.sum(axis=0)
        i = self.suppliers.index(self.economy)
        others = self.imports_usd.copy()
        others[i] = -1.0
        lead = others.argmax(axis=0)
        lead_value = others[lead, np.arange(others.shape[1])]
        has_lead = lead_value > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            lead_share = np.where(has_lead & (col > 0), lead_value / col, np.nan)
        return pd.DataFrame(
            {
                "product": list(self.products),
                "market_imports_usd": col,
                "value_usd": self.imports_usd[i],
                "share": self.share,
                "rank": self.rank,
                "n_suppliers": (self.imports_usd > 0).sum(axis=0),
                "top_competitor": np.where(
                    has_lead, np.array(self.suppliers, dtype=object)[lead], None
                ),
                "top_competitor_share": lead_share,
            }
        )


def _ranks(values: FloatArray) -> FloatArray:
    """Competition ranks (1, 2, 2, 4) of positive values, largest first; NaN for zeros."""
    ranks = pd.Series(values).where(values > 0).rank(method="min", ascending=False)
    return ranks.to_numpy(dtype=np.float64)


def market_shares(
    imports_usd: object,
    *,
    economy: str,
    suppliers: Sequence[str] | None = None,
    products: Sequence[str] | None = None,
    market: str = "",
) -> MarketShares:
    """``economy``'s share of a market's imports by product, its rank among the suppliers and the
    main competitors (what ITC Trade Map shows).

    ``imports_usd`` is the market's imports as a suppliers × products matrix in USD (with
    ``suppliers`` and ``products`` labels), or a long frame with columns ``supplier``,
    ``product``, ``value_usd`` (repeated pairs are summed). Ranks are competition ranks among
    suppliers with positive value (1 = largest; ties share the smaller rank).
    """
    if isinstance(imports_usd, pd.DataFrame):
        missing = [c for c in SUPPLIER_COLUMNS if c not in imports_usd.columns]
        if missing:
            raise AnalysisError(
                "imports frame lacks columns", found=missing, expected=", ".join(SUPPLIER_COLUMNS)
            )
        wide = imports_usd.pivot_table(
            index="supplier", columns="product", values="value_usd", aggfunc="sum", fill_value=0.0
        )
        x = as_matrix(wide.to_numpy(dtype=np.float64), "imports_usd")
        sup = as_labels(list(wide.index), x.shape[0], "supplier")
        prod = as_labels(list(wide.columns), x.shape[1], "product")
    else:
        x = as_matrix(imports_usd, "imports_usd")
        sup = as_labels(suppliers, x.shape[0], "supplier")
        prod = as_labels(products, x.shape[1], "product")
    notices = []
    if economy not in sup:
        # An economy that supplies nothing is a valid answer (share 0), not an error.
        x = np.vstack([x, np.zeros((1, x.shape[1]))])
        sup = (*sup, economy)
        notices.append(f"{economy} does not supply this market: shares are 0, ranks undefined")
    i = sup.index(economy)
    col = x.sum(axis=0)
    total = col.sum()
    if total <= 0:
        raise AnalysisError("market shares undefined: the market imports nothing")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(col > 0, x[i] / col, np.nan)
    rank = np.full(x.shape[1], np.nan)
    present = x[i] > 0
    # Competition rank: 1 + the number of suppliers with strictly more.
    rank[present] = 1.0 + (x[:, present] > x[i, present]).sum(axis=0)
    by_supplier = x.sum(axis=1)
    total_rank = (
        float(1 + (by_supplier > by_supplier[i]).sum()) if by_supplier[i] > 0 else float("nan")
    )
    if (col == 0).any():
        notices.append(
            f"share undefined (NaN) for {int((col == 0).sum())} products the market does not import"
        )
    meta = {
        "indicator": "market_shares",
        "market": market,
        "economy": economy,
        "share": "market's imports from the economy / market's imports, per product",
        "rank": "competition ranking (1,2,2,4) among suppliers with positive value",
    }
    return MarketShares(
        market,
        economy,
        sup,
        prod,
        x,
        share,
        rank,
        float(by_supplier[i] / total),
        total_rank,
        meta,
        notices,
    )
