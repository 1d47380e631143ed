"""Gravity benchmark: PPML with exporter-year and importer-year fixed effects.

A generated panel of ~200 economies (~40 k ordered pairs a year) over 10 years, with shipped
covariates (log distance, contiguity, common language). Measured side by side, in one run:

1. ``silkroad.analytics.gravity.gravity`` on the long flows frame (our call: square panel,
   covariates, ids, zero-group check, convergence check, labelled results) vs a bare
   ``pyfixest.fepois`` call on the same prepared frame (target ≤ 1.3×);
2. our call on one year vs statsmodels' Poisson GLM with dummies on the same year (target
   ≥ 100×); statsmodels runs once (it takes minutes), ours ``--repeat`` times.

Usage: python bench/gravity.py [--economies 200] [--years 10] [--repeat 3] [--no-statsmodels]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent


def make_flows(n_econ: int, n_years: int, seed: int = 0) -> pd.DataFrame:
    """Flows generated from a gravity model (USD), ~25 % of pairs with no trade (absent rows)."""
    from silkroad.reference.geo import covariates, pair_covariates

    geo = covariates().dropna(subset=["capital_lat"])
    econ = sorted(geo["iso3"])[:n_econ]
    pc = pair_covariates(econ)
    rng = np.random.default_rng(seed)
    size = dict(zip(econ, rng.normal(0, 1.5, len(econ)), strict=True))
    base = (
        22.0
        - 0.9 * np.log(pc["dist_km"].to_numpy())
        + 0.5 * pc["contig"].to_numpy()
        + 0.3 * pc["comlang"].to_numpy()
        + pc["exporter"].map(size).to_numpy()
        + pc["importer"].map(size).to_numpy()
    )
    parts = []
    for t in range(n_years):
        mu = np.exp(base + 0.03 * t + rng.normal(0, 0.5, len(pc)))
        value = mu * rng.gamma(2.0, 0.5, len(pc)) * (rng.random(len(pc)) > 0.25)
        keep = value > 0
        parts.append(
            pd.DataFrame(
                {
                    "exporter": pc["exporter"].to_numpy()[keep],
                    "importer": pc["importer"].to_numpy()[keep],
                    "year": 2010 + t,
                    "value_usd": value[keep],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def prepared_frame(result_fitted: pd.DataFrame) -> pd.DataFrame:
    """The estimation frame a researcher would hand to pyfixest: the same square panel and
    covariates, integer fixed-effect and cluster ids."""
    from silkroad.reference.geo import pair_covariates

    econ = sorted(set(result_fitted["exporter"]) | set(result_fitted["importer"]))
    df = result_fitted[["exporter", "importer", "year", "trade"]].merge(
        pair_covariates(econ), on=["exporter", "importer"]
    )
    df["ln_dist"] = np.log(df["dist_km"])
    e = pd.factorize(df["exporter"], sort=True)[0]
    i = pd.factorize(df["importer"], sort=True)[0]
    y = df["year"].to_numpy() - df["year"].min()
    df["ey"] = e * 100 + y
    df["iy"] = i * 100 + y
    df["pair"] = np.minimum(e, i) * 1000 + np.maximum(e, i)
    return df[["trade", "ln_dist", "contig", "comlang", "ey", "iy", "pair"]]


def bare(df: pd.DataFrame):
    import pyfixest as pf

    return pf.fepois("trade ~ ln_dist + contig + comlang | ey + iy", data=df, vcov={"CRV1": "pair"})


def statsmodels_one_year(df: pd.DataFrame) -> np.ndarray:
    import statsmodels.api as sm

    ey = pd.get_dummies(df["ey"], dtype=float)
    iy = pd.get_dummies(df["iy"], dtype=float).iloc[:, 1:]
    X = np.hstack([df[["ln_dist", "contig", "comlang"]].to_numpy(float), ey, iy])
    model = sm.GLM(df["trade"].to_numpy(), X, family=sm.families.Poisson())
    fit = model.fit(tol=1e-8)
    return np.asarray(fit.params[:3])


def timed(fn, n: int) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--economies", type=int, default=200)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-statsmodels", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("error")  # as the tests run: a warning would be a failure
    from silkroad.analytics.gravity import gravity

    flows = make_flows(args.economies, args.years)
    print(f"flows: {len(flows):,} rows, {args.economies} economies, {args.years} years")
    gravity(flows[flows.year == 2010])  # warm-up: imports, numba compilation

    # 1. our call vs bare pyfixest on the prepared frame, alternating, bounded repetitions
    ours_t, bare_t = [], []
    res = gravity(flows)
    df = prepared_frame(res.fitted)
    b = bare(df)
    np.testing.assert_allclose(
        res.coefficients["estimate"].to_numpy(), b.coef().to_numpy(), rtol=1e-6
    )
    for _ in range(args.repeat):
        t = time.perf_counter()
        gravity(flows)
        ours_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        bare(df)
        bare_t.append(time.perf_counter() - t)
    ours, bare_s = statistics.median(ours_t), statistics.median(bare_t)
    print(f"panel: {len(df):,} observations")
    print(
        f"silkroad gravity (10 years): {ours:.2f} s; bare pyfixest: {bare_s:.2f} s; "
        f"ratio {ours / bare_s:.2f}x (target <= 1.3x)"
    )
    out = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "economies": args.economies,
        "years": args.years,
        "observations": len(df),
        "silkroad_s": ours_t,
        "bare_pyfixest_s": bare_t,
        "ratio_vs_bare": ours / bare_s,
        "coefficients": res.coefficients[["term", "estimate", "std_error"]].to_dict("records"),
    }

    # 2. one year: our call vs statsmodels GLM with dummies
    one = flows[flows.year == 2010]
    ours1, ours1_t, res1 = timed(lambda: gravity(one), args.repeat)
    print(f"silkroad gravity (1 year): {ours1:.3f} s")
    out.update({"silkroad_one_year_s": ours1_t})
    if not args.no_statsmodels:
        df1 = prepared_frame(res1.fitted)
        t = time.perf_counter()
        params = statsmodels_one_year(df1)
        sm_s = time.perf_counter() - t
        np.testing.assert_allclose(params, res1.coefficients["estimate"].to_numpy(), rtol=1e-5)
        print(
            f"statsmodels GLM (1 year, once): {sm_s:.1f} s; speedup {sm_s / ours1:.0f}x "
            f"(target >= 100x)"
        )
        out.update({"statsmodels_one_year_s": sm_s, "speedup_vs_statsmodels": sm_s / ours1})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:,.0f} MiB")
    out["peak_rss_mib"] = peak
    dest = ROOT / "out"
    dest.mkdir(exist_ok=True)
    (dest / "gravity.json").write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
