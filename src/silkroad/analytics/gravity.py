"""Structural gravity estimated by PPML with high-dimensional fixed effects (METHODS.md 5).

Pure functions: long pandas frames in, a :class:`GravityResult` out (coefficients, fitted values,
the specification in words, metadata, notices). The estimator is pyfixest's ``fepois``; this
module prepares the panel (square panel with zeros, covariates, bloc dummies, leads and lags,
fixed-effect and cluster ids as integers), drops fixed-effect groups whose trade is all zero
(with a notice), checks convergence (pyfixest only records it) and labels the results.

* :func:`gravity`: aggregate bilateral flows (``exporter, importer, year, value_usd``), the
  square panel of the economies present each year (a missing flow is a zero), shipped or
  user-supplied covariates (``dist_km`` in logs, ``contig``, ``comlang``).
* :func:`gravity_panel`: a researcher's own panel, columns renamable, covariates taken from it,
  and :func:`read_panel` (CSV, Parquet or Stata ``.dta``), in :mod:`.gravity_panel`.
* :func:`pair_fit`: actual and predicted trade of one pair per year, their ratio and gap.

>>> result = gravity(flows, years=range(2010, 2020))  # doctest: +SKIP
>>> result.specification  # doctest: +SKIP
'PPML of trade (USD) on ln_dist_km, contig, comlang with exporter-year and importer-year ...'
>>> pair_fit(result, "BLR", "KAZ").table  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from silkroad.errors import AnalysisError, InputError

__all__ = [
    "CLUSTERS",
    "DEFAULT_FE",
    "FIXED_EFFECTS",
    "GravityResult",
    "PairFit",
    "gravity",
    "gravity_panel",
    "pair_fit",
    "read_panel",
]

FIXED_EFFECTS = (
    "exporter-year",
    "importer-year",
    "pair",
    "unordered-pair",
    "exporter",
    "importer",
    "year",
)
"""Fixed effects that can be combined: ``pair`` is the ordered pair μ_ij (i → j and j → i
apart); ``unordered-pair`` one effect for both directions, as Yotov et al.'s do-files have it
(their ``pair_id`` is symmetric)."""

DEFAULT_FE: tuple[str, ...] = ("exporter-year", "importer-year")
"""Exporter-time and importer-time fixed effects: the multilateral resistances (METHODS 5.1 d)."""

CLUSTERS = ("pair", "ordered-pair", "exporter", "importer", "none")
"""Standard-error clusters: ``pair`` is the unordered pair {i, j} (Yotov et al.'s choice);
``none`` gives heteroskedasticity-robust standard errors."""

DEFAULT_COVARIATES = ("dist_km", "contig", "comlang")
DEFAULT_LOG = ("dist_km",)
MAXITER: int = 100
TOL: float = 1e-8

_FE_WORDS = {
    "exporter-year": "exporter-year",
    "importer-year": "importer-year",
    "pair": "pair",
    "unordered-pair": "unordered-pair",
    "exporter": "exporter",
    "importer": "importer",
    "year": "year",
}
_CLUSTER_WORDS = {
    "pair": "clustered by unordered country pair",
    "ordered-pair": "clustered by ordered country pair",
    "exporter": "clustered by exporter",
    "importer": "clustered by importer",
    "none": "heteroskedasticity-robust (not clustered)",
}

Membership: TypeAlias = Callable[[int], Iterable[str]] | pd.DataFrame


@dataclasses.dataclass(frozen=True)
class GravityResult:
    """A PPML gravity estimate.

    ``coefficients``: one row per term: ``term``, ``estimate``, ``std_error``, ``t_value``,
    ``p_value``, ``ci_low``, ``ci_high`` (95 %), ``effect_pct`` ((e^β − 1)·100, for 0/1 terms).
    ``fitted``: the estimation sample, ``exporter``, ``importer``, ``year``, ``trade`` and
    ``predicted`` (same unit as the trade column, USD for store data).
    """

    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    specification: str
    nobs: int
    metadata: dict[str, Any]
    notices: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table (a copy)."""
        return self.coefficients.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: specification, coefficients (records), observations, metadata, notices."""
        return {
            "specification": self.specification,
            "nobs": self.nobs,
            "coefficients": _records(self.coefficients),
            "metadata": self.metadata,
            "notices": list(self.notices),
        }

    def coefficient(self, term: str) -> float:
        """The estimate of one term; AnalysisError if the model has no such term."""
        row = self.coefficients[self.coefficients["term"] == term]
        if row.empty:
            raise AnalysisError(
                f"no term {term!r} in the model",
                expected="one of " + ", ".join(self.coefficients["term"]),
            )
        return float(row["estimate"].iloc[0])


@dataclasses.dataclass(frozen=True)
class PairFit:
    """Actual and predicted trade of one pair per year (METHODS 5.3).

    ``table``: ``year``, ``actual``, ``predicted``, ``ratio`` (actual / predicted; < 1 means
    under-trading), ``gap`` (predicted − actual) and ``pearson`` ((actual − predicted)/√predicted).
    """

    exporter: str
    importer: str
    table: pd.DataFrame
    metadata: dict[str, Any]
    notices: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The per-year table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the pair, the per-year records, metadata and notices."""
        return {
            "exporter": self.exporter,
            "importer": self.importer,
            "years": _records(self.table),
            "metadata": self.metadata,
            "notices": list(self.notices),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows in JSON types, through the one serialiser (:mod:`silkroad.results`)."""
    from silkroad.results import jsonable

    return list(jsonable(df))


# --------------------------------------------------------------------------- arguments


def _check_fe(fe: Sequence[str]) -> tuple[str, ...]:
    if isinstance(fe, str):
        fe = [f.strip() for f in fe.split(",") if f.strip()]
    out = tuple(dict.fromkeys(fe))
    bad = [f for f in out if f not in FIXED_EFFECTS]
    if bad:
        raise InputError(
            "unknown fixed effect",
            field="fe",
            found=", ".join(bad),
            expected="some of " + ", ".join(FIXED_EFFECTS),
        )
    if not out:
        raise InputError("no fixed effects given", field="fe", expected=", ".join(DEFAULT_FE))
    return out


def _check_cluster(cluster: str | None) -> str:
    key = "none" if cluster is None else str(cluster)
    if key not in CLUSTERS:
        raise InputError(
            "unknown cluster", field="cluster", found=key, expected="one of " + ", ".join(CLUSTERS)
        )
    return key


def _check_shifts(values: Iterable[int], what: str) -> tuple[int, ...]:
    out = tuple(sorted({int(v) for v in values}))
    if any(v <= 0 for v in out):
        raise InputError(f"{what} must be positive numbers of years", field=what, found=out)
    return out


# --------------------------------------------------------------------------- panel building


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def _square_panel(flows: pd.DataFrame, value_col: str) -> tuple[pd.DataFrame, list[str]]:
    """Every ordered pair of distinct economies present in a year (as exporter or importer with
    a positive flow), with zeros where no flow is recorded."""
    notices: list[str] = []
    pos = flows[flows[value_col] > 0]
    parts = []
    for year, g in pos.groupby("year", sort=True):
        econ = np.union1d(g["exporter"].unique(), g["importer"].unique())
        n = len(econ)
        ei = np.searchsorted(econ, g["exporter"].to_numpy())
        ii = np.searchsorted(econ, g["importer"].to_numpy())
        grid = np.zeros((n, n), dtype=np.float64)
        np.add.at(grid, (ei, ii), g[value_col].to_numpy(dtype=np.float64))
        a, b = np.nonzero(~np.eye(n, dtype=bool))
        parts.append(
            pd.DataFrame(
                {
                    "exporter": econ[a],
                    "importer": econ[b],
                    "year": np.full(len(a), int(str(year)), dtype=np.int64),
                    "trade": grid[a, b],
                }
            )
        )
    if not parts:
        raise AnalysisError("no positive trade flows in the years asked")
    return pd.concat(parts, ignore_index=True), notices


def _members_by_year(membership: Membership, years: Iterable[int]) -> dict[int, frozenset[str]]:
    if isinstance(membership, pd.DataFrame):
        missing = {"iso3", "year"} - set(membership.columns)
        if missing:
            raise InputError(
                "membership frame lacks columns",
                field="membership",
                found=", ".join(map(str, membership.columns)),
                expected="columns iso3, year",
            )
        grouped = membership.groupby("year")["iso3"].agg(frozenset).to_dict()
        return {int(y): frozenset(grouped.get(y, frozenset())) for y in years}
    if not callable(membership):
        raise InputError(
            "membership must be a function of the year or a frame",
            field="membership",
            found=type(membership).__name__,
            expected="a callable year -> ISO3 codes, or columns iso3, year",
        )
    return {int(y): frozenset(membership(int(y))) for y in years}


def _bloc_dummies(
    panel: pd.DataFrame,
    membership: Membership,
    leads: tuple[int, ...],
    lags: tuple[int, ...],
) -> list[str]:
    """Add ``bloc`` (both members in year t, exporter ≠ importer) and its leads/lags."""
    shifts = [(0, "bloc")] + [(k, f"bloc_lead{k}") for k in leads]
    shifts += [(-k, f"bloc_lag{k}") for k in lags]
    years = sorted({int(y) for y in panel["year"].unique()})
    wanted = sorted({y + s for y in years for s, _ in shifts})
    members = _members_by_year(membership, wanted)
    exp = panel["exporter"].to_numpy()
    imp = panel["importer"].to_numpy()
    yr = panel["year"].to_numpy()
    distinct = exp != imp
    names = []
    for shift, name in shifts:
        col = np.zeros(len(panel), dtype=np.float64)
        for y in years:
            m = members[y + shift]
            if not m:
                continue
            sel = (yr == y) & distinct
            sel &= np.isin(exp, list(m)) & np.isin(imp, list(m))
            col[sel] = 1.0
        panel[name] = col
        names.append(name)
    return names


# --------------------------------------------------------------------------- estimation


def _fe_ids(panel: pd.DataFrame, fe: tuple[str, ...]) -> dict[str, np.ndarray]:
    both, _ = _codes(pd.concat([panel["exporter"], panel["importer"]], ignore_index=True))
    e, i = both[: len(panel)], both[len(panel) :]
    y, _ = _codes(panel["year"])
    ny = int(y.max()) + 1 if len(y) else 1
    n = int(both.max()) + 1 if len(both) else 1
    ids = {
        "exporter-year": e * ny + y,
        "importer-year": i * ny + y,
        "pair": e * n + i,
        "unordered-pair": np.minimum(e, i) * n + np.maximum(e, i),
        "exporter": e,
        "importer": i,
        "year": y,
    }
    return {f: ids[f] for f in fe}


def _cluster_ids(panel: pd.DataFrame, cluster: str) -> np.ndarray | None:
    if cluster == "none":
        return None
    if cluster in ("exporter", "importer"):
        return _codes(panel[cluster])[0]
    both, _ = _codes(pd.concat([panel["exporter"], panel["importer"]], ignore_index=True))
    e, i = both[: len(panel)], both[len(panel) :]
    n = int(both.max()) + 1
    if cluster == "ordered-pair":
        return e * n + i
    return np.minimum(e, i) * n + np.maximum(e, i)


def _drop_zero_groups(
    panel: pd.DataFrame, fe_ids: dict[str, np.ndarray]
) -> tuple[np.ndarray, list[str]]:
    """Rows to keep: those outside fixed-effect groups whose trade is all zero."""
    y = panel["trade"].to_numpy(dtype=np.float64)
    keep = np.ones(len(panel), dtype=bool)
    notices = []
    for name, ids in fe_ids.items():
        sums = np.bincount(ids[keep], weights=y[keep], minlength=int(ids.max()) + 1)
        counts = np.bincount(ids[keep], minlength=int(ids.max()) + 1)
        zero = (sums <= 0) & (counts > 0)
        if zero.any():
            drop = keep & zero[ids]
            notices.append(
                f"dropped {int(zero.sum())} {name} fixed-effect groups whose trade is all "
                f"zero ({int(drop.sum())} observations)"
            )
            keep &= ~drop
    return keep, notices


def _words(
    trade: str,
    terms: list[str],
    fe: tuple[str, ...],
    cluster: str,
    nobs: int,
    years: list[int],
) -> str:
    rhs = ", ".join(terms) if terms else "no covariates"
    words = [_FE_WORDS[f] for f in fe]
    fes = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    if len(years) > 1 and years != list(range(years[0], years[-1] + 1)):
        span = ", ".join(map(str, years))
    return (
        f"PPML of {trade} on {rhs} with {fes} fixed effects; standard errors "
        f"{_CLUSTER_WORDS[cluster]}; {nobs:,} observations, {span}"
    )


def _estimate(
    panel: pd.DataFrame,
    *,
    terms: list[str],
    dummies: set[str],
    fe: tuple[str, ...],
    cluster: str,
    maxiter: int,
    tol: float,
    trade_label: str,
    notices: list[str],
    metadata: dict[str, Any],
    total_of: list[str] | None = None,
    term_words: dict[str, str] | None = None,
) -> GravityResult:
    import pyfixest as pf

    if panel.empty:
        raise AnalysisError("no observations left to estimate the gravity model")
    if not terms:
        raise AnalysisError(
            "no term left to estimate: the fixed effects absorb every covariate",
            field="fe",
            found=",".join(fe),
            hint="with pair fixed effects distance, contiguity and language are absorbed: "
            "add a bloc (--bloc EAEU) or time-varying covariates, or drop pair from --fe",
        )
    fe_ids = _fe_ids(panel, fe)
    keep, dropped = _drop_zero_groups(panel, fe_ids)
    notices = [*notices, *dropped]
    if not keep.all():
        panel = panel[keep].reset_index(drop=True)
        fe_ids = {k: v[keep] for k, v in fe_ids.items()}
    if panel.empty or not (panel["trade"] > 0).any():
        raise AnalysisError("all trade is zero: nothing to estimate")
    safe = {t: f"x{k}" for k, t in enumerate(terms)}
    data: dict[str, np.ndarray] = {"y": panel["trade"].to_numpy(dtype=np.float64)}
    for t, s in safe.items():
        data[s] = panel[t].to_numpy(dtype=np.float64)
    fe_names = []
    for k, (_name, ids) in enumerate(fe_ids.items()):
        data[f"fe{k}"] = ids
        fe_names.append(f"fe{k}")
    cl = _cluster_ids(panel, cluster)
    vcov: Any = "hetero"
    if cl is not None:
        data["cl"] = cl
        vcov = {"CRV1": "cl"}
    frame = pd.DataFrame(data)
    rhs = " + ".join(safe.values()) if safe else "1"
    fml = f"y ~ {rhs} | {' + '.join(fe_names)}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = pf.fepois(
                fml,
                data=frame,
                vcov=vcov,
                fixef_rm="none",
                iwls_maxiter=maxiter,
                iwls_tol=tol,
                copy_data=False,
                store_data=False,
            )
        except Exception as exc:  # pyfixest raises ValueError, its own errors, LinAlgError
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "all variables are collinear" in first.lower():
                raise AnalysisError(
                    "PPML estimation failed: every term is collinear with the fixed effects",
                    field="fe",
                    found=", ".join(terms),
                    hint="a bloc whose membership never changes inside the years, or a "
                    "time-invariant covariate, is absorbed by pair fixed effects",
                ) from exc
            raise AnalysisError(f"PPML estimation failed: {first}") from exc
    for w in caught:
        text = " ".join(str(w.message).split())
        notices.append(f"pyfixest: {text}")
    if not getattr(fit, "convergence", False):
        raise AnalysisError(
            f"PPML did not converge in {maxiter} iterations (tolerance {tol:g})",
            hint="raise maxiter, or drop economies with very few positive flows",
        )
    back = {s: t for t, s in safe.items()}
    names = [back.get(str(n), str(n)) for n in fit._coefnames]
    collinear = [back.get(str(n), str(n)) for n in getattr(fit, "_collin_vars", []) or []]
    if not names:
        raise AnalysisError(
            "every term is collinear with the fixed effects: nothing is estimated",
            field="fe",
            found=", ".join(collinear) or ",".join(terms),
            hint="a bloc whose membership never changes inside the years is absorbed by pair "
            "fixed effects: widen --years or drop pair from --fe",
        )
    if collinear:
        notices.append("dropped terms collinear with the fixed effects: " + ", ".join(collinear))
    est = np.asarray(fit.coef(), dtype=np.float64)
    se = np.asarray(fit.se(), dtype=np.float64)
    tval = np.asarray(fit.tstat(), dtype=np.float64)
    pval = np.asarray(fit.pvalue(), dtype=np.float64)
    ci = np.asarray(fit.confint(), dtype=np.float64).reshape(-1, 2)
    coefs = pd.DataFrame(
        {
            "term": names,
            "estimate": est,
            "std_error": se,
            "t_value": tval,
            "p_value": pval,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "effect_pct": [
                (math.expm1(b) * 100 if n in dummies else math.nan)
                for n, b in zip(names, est, strict=True)
            ],
        }
    )
    if total_of and all(n in names for n in total_of) and len(total_of) > 1:
        idx = [names.index(n) for n in total_of]
        v = np.asarray(fit._vcov, dtype=np.float64)[np.ix_(idx, idx)]
        total = float(est[idx].sum())
        tse = float(math.sqrt(max(v.sum(), 0.0)))
        coefs = pd.concat(
            [
                coefs,
                pd.DataFrame(
                    {
                        "term": [f"{total_of[0]}_total"],
                        "estimate": [total],
                        "std_error": [tse],
                        "t_value": [total / tse if tse > 0 else math.nan],
                        "p_value": [math.nan],
                        "ci_low": [total - 1.959963984540054 * tse],
                        "ci_high": [total + 1.959963984540054 * tse],
                        "effect_pct": [math.expm1(total) * 100],
                    }
                ),
            ],
            ignore_index=True,
        )
    predicted = np.asarray(fit._Y_hat_response, dtype=np.float64)
    na_index = np.asarray(getattr(fit, "na_index", []), dtype=np.int64)
    fitted = panel[["exporter", "importer", "year", "trade"]]
    if len(na_index):
        notices.append(f"pyfixest dropped {len(na_index)} observations")
        fitted = fitted.drop(index=fitted.index[na_index])
    if len(predicted) != len(fitted):
        raise AnalysisError(
            "fitted values do not match the estimation sample",
            found=len(predicted),
            expected=str(len(fitted)),
        )
    fitted = fitted.assign(predicted=predicted).reset_index(drop=True)
    years = sorted({int(y) for y in fitted["year"].unique()})
    worded = [(term_words or {}).get(t, t) for t in terms]
    spec = _words(trade_label, worded, fe, cluster, len(fitted), years)
    meta = {
        **metadata,
        "estimator": "PPML (pyfixest fepois)",
        "pyfixest": pf.__version__,
        "fixed_effects": list(fe),
        "terms": names,
        "cluster": cluster,
        "years": years,
        "nobs": len(fitted),
        "iterations_max": maxiter,
        "tolerance": tol,
        "specification": spec,
    }
    return GravityResult(
        coefficients=coefs,
        fitted=fitted,
        specification=spec,
        nobs=len(fitted),
        metadata=meta,
        notices=notices,
    )


# --------------------------------------------------------------------------- public API


def _add_covariates(
    panel: pd.DataFrame,
    covariates: pd.DataFrame,
    use: Sequence[str],
    log: Sequence[str],
    where: str,
) -> tuple[pd.DataFrame, list[str], set[str], list[str]]:
    missing = [c for c in use if c not in covariates.columns]
    if missing:
        raise InputError(
            "covariates not found",
            path=where,
            found=", ".join(missing),
            expected="columns " + ", ".join(map(str, covariates.columns)),
        )
    cols = ["exporter", "importer", *use]
    merged = panel.merge(covariates[cols], on=["exporter", "importer"], how="left")
    notices = []
    lacking = merged[list(use)].isna().any(axis=1)
    if lacking.any():
        pairs = merged.loc[lacking, ["exporter", "importer"]].drop_duplicates()
        notices.append(
            f"{len(pairs)} pairs without covariates excluded ({int(lacking.sum())} observations)"
        )
        merged = merged[~lacking].reset_index(drop=True)
    merged, terms, dummies, more = _transform(merged, use, log, where)
    return merged, terms, dummies, notices + more


def _transform(
    panel: pd.DataFrame, use: Sequence[str], log: Sequence[str], where: str
) -> tuple[pd.DataFrame, list[str], set[str], list[str]]:
    terms: list[str] = []
    dummies: set[str] = set()
    unknown_log = [c for c in log if c not in use]
    if unknown_log:
        raise InputError(
            "log asked for a column that is not a covariate",
            field="log",
            found=", ".join(unknown_log),
            expected="some of " + ", ".join(use),
        )
    for c in use:
        values = pd.to_numeric(panel[c], errors="coerce")
        if values.isna().any():
            bad = panel.loc[values.isna(), c].iloc[0]
            raise InputError("covariate is not a number", path=where, field=c, found=str(bad))
        if c in log:
            if (values <= 0).any():
                bad = values[values <= 0].iloc[0]
                raise InputError(
                    "cannot take the log of a value that is not positive",
                    path=where,
                    field=c,
                    found=float(bad),
                )
            name = f"ln_{c}"
            panel[name] = np.log(values.to_numpy(dtype=np.float64))
        else:
            name = c
            panel[name] = values.to_numpy(dtype=np.float64)
            if set(np.unique(panel[name])) <= {0.0, 1.0}:
                dummies.add(name)
        terms.append(name)
    return panel, terms, dummies, []


def gravity(
    flows: pd.DataFrame,
    *,
    value_col: str = "value_usd",
    years: Iterable[int] | None = None,
    covariates: pd.DataFrame | None = None,
    use_covariates: Sequence[str] | None = None,
    log: Sequence[str] = DEFAULT_LOG,
    fe: Sequence[str] = DEFAULT_FE,
    membership: Membership | None = None,
    bloc: str | None = None,
    leads: Iterable[int] = (),
    lags: Iterable[int] = (),
    cluster: str | None = "pair",
    maxiter: int = MAXITER,
    tol: float = TOL,
) -> GravityResult:
    """PPML gravity on aggregate bilateral flows (USD): the square panel of the economies present
    each year, zeros kept, exporter-year and importer-year fixed effects by default.

    ``flows``: long frame ``exporter``, ``importer``, ``year``, ``value_col``. ``covariates``: a
    pair frame (``exporter``, ``importer``, ``dist_km``, ``contig``, ``comlang``, as
    :func:`silkroad.reference.geo.pair_covariates` or :func:`~silkroad.reference.geo.read_geodist`
    give); None uses the shipped ones. With ``pair`` among ``fe`` the time-invariant covariates
    are absorbed and left out. ``membership`` (a function year → member ISO3 codes, or a frame
    ``iso3, year``) adds the ``bloc`` dummy (both members that year) named ``bloc`` in words;
    ``leads``/``lags`` in years add ``bloc_lead4``, ``bloc_lag4``… and a ``bloc_total`` row.
    """
    fe_t = _check_fe(fe)
    cl = _check_cluster(cluster)
    leads_t, lags_t = _check_shifts(leads, "leads"), _check_shifts(lags, "lags")
    need = {"exporter", "importer", "year", value_col}
    if not need <= set(flows.columns):
        raise InputError(
            "flows lack columns",
            field="flows",
            found=", ".join(map(str, flows.columns)),
            expected="columns " + ", ".join(sorted(need)),
        )
    if (leads_t or lags_t) and membership is None:
        raise InputError("leads and lags need a bloc membership", field="membership")
    from silkroad.reference.countries import is_aggregate

    df = flows[["exporter", "importer", "year", value_col]]
    codes = pd.unique(pd.concat([df["exporter"], df["importer"]]))
    aggregates = [c for c in codes if is_aggregate(str(c))]
    if aggregates:
        df = df[~df["exporter"].isin(aggregates) & ~df["importer"].isin(aggregates)]
    df = df[df["exporter"] != df["importer"]]
    year_list = sorted({int(y) for y in years}) if years is not None else None
    if year_list is not None:
        df = df[df["year"].isin(year_list)]
        absent = sorted(set(year_list) - {int(y) for y in df["year"].unique()})
    else:
        absent = []
    panel, notices = _square_panel(df, value_col)
    if absent:
        notices.append("no flows in " + ", ".join(map(str, absent)))
    if aggregates:
        notices.append("aggregate partners excluded: " + ", ".join(sorted(map(str, aggregates))))
    with_pair = "pair" in fe_t or "unordered-pair" in fe_t
    if use_covariates is None:
        use = [] if with_pair else list(DEFAULT_COVARIATES)
    else:
        use = list(use_covariates)
    source = "none"
    if use:
        if covariates is None:
            from silkroad.reference.geo import SOURCE, pair_covariates

            econ = sorted(set(panel["exporter"]) | set(panel["importer"]))
            from silkroad.reference.geo import covariates as geo_table

            known = set(geo_table()["iso3"])
            unknown = [c for c in econ if c not in known]
            if unknown:
                notices.append(
                    "economies without shipped geography excluded: " + ", ".join(unknown[:20])
                )
            covariates = pair_covariates([c for c in econ if c in known])
            source = SOURCE
        else:
            source = str(covariates.attrs.get("source", "user-supplied covariates"))
        log_use = [c for c in log if c in use]
        panel, terms, dummies, more = _add_covariates(panel, covariates, use, log_use, "covariates")
        notices += more
    else:
        terms, dummies = [], set()
    bloc_terms: list[str] = []
    if membership is not None:
        bloc_terms = _bloc_dummies(panel, membership, leads_t, lags_t)
        terms += bloc_terms
        dummies |= set(bloc_terms)
    metadata: dict[str, Any] = {
        "input": "aggregate bilateral flows (square panel, missing flows as zero)",
        "trade": f"{value_col} (USD)",
        "covariates": use,
        "log": [c for c in log if c in use],
        "covariates_source": source,
        "bloc": bloc if membership is not None else None,
        "leads": list(leads_t),
        "lags": list(lags_t),
        "international_only": True,
    }
    return _estimate(
        panel,
        terms=terms,
        dummies=dummies,
        fe=fe_t,
        cluster=cl,
        maxiter=maxiter,
        tol=tol,
        trade_label="trade (USD)",
        notices=notices,
        metadata=metadata,
        total_of=[t for t in bloc_terms if "_lead" not in t] if lags_t else None,
        term_words={"bloc": f"bloc ({bloc or 'given membership'}: both members that year)"},
    )


def pair_fit(result: GravityResult, exporter: str, importer: str) -> PairFit:
    """Actual and predicted trade of ``exporter`` → ``importer`` per year, from a model without
    pair fixed effects (with them, fitted values only track the pair's own history: METHODS 5.3).
    """
    if {"pair", "unordered-pair"} & set(result.metadata.get("fixed_effects", [])):
        raise AnalysisError(
            "predicted trade of a pair needs a model without pair fixed effects",
            expected="fe exporter-year, importer-year",
        )
    f = result.fitted
    rows = f[(f["exporter"] == exporter) & (f["importer"] == importer)].sort_values("year")
    if rows.empty:
        raise AnalysisError(
            f"the pair {exporter}-{importer} is not in the estimation sample",
            hint="see the result's notices for dropped economies",
        )
    actual = rows["trade"].to_numpy(dtype=np.float64)
    pred = rows["predicted"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pred > 0, actual / pred, np.nan)
        pearson = np.where(pred > 0, (actual - pred) / np.sqrt(pred), np.nan)
    table = pd.DataFrame(
        {
            "year": rows["year"].to_numpy(dtype=np.int64),
            "actual": actual,
            "predicted": pred,
            "ratio": ratio,
            "gap": pred - actual,
            "pearson": pearson,
        }
    )
    meta: dict[str, Any] = {
        "specification": result.specification,
        "fixed_effects": list(result.metadata.get("fixed_effects", [])),
        "exporter": exporter,
        "importer": importer,
        "ratio": "actual / predicted",
        "gap": "predicted - actual",
    }
    return PairFit(
        exporter=exporter,
        importer=importer,
        table=table,
        metadata=meta,
        notices=list(result.notices),
    )


# The user's-panel face lives in its own module; re-exported here for one import path.
from silkroad.analytics.gravity_panel import gravity_panel, read_panel  # noqa: E402
