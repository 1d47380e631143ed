"""Economic complexity benchmark: ECI, PCI, density and COG for one full-size year.

Builds a seeded, realistic world (205 economies × ~5,000 HS6 products: economy and product sizes
log-normal, big exporters export most products and small ones few, so the matrix is sparse-ish
and nested), then computes the same year with silkroad and with py-ecomplexity 0.5.3 in the same
run, checks that the results agree to 1e-9 and reports both times and the ratio.
Usage: python bench/complexity.py [--economies 205] [--products 5000] [--repeat 5] [--threads 1]

``--threads`` sets the BLAS threads of both sides (before NumPy loads): 1 by default, because the
machine's cores are shared and oversubscribed BLAS threads slow both down unpredictably.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path


def _threads_from_argv() -> str:
    if "--threads" in sys.argv:
        return sys.argv[sys.argv.index("--threads") + 1]
    return "1"


for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import numpy as np  # noqa: E402  (after the thread settings)
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parent
COLS = {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}


def make_world(n_economies: int, n_products: int, seed: int = 2014) -> np.ndarray:
    """Exports to the world in USD: economies × products, about a third of the cells zero."""
    rng = np.random.default_rng(seed)
    size_e = rng.lognormal(0.0, 1.6, n_economies)  # economy size (GDP-like)
    size_p = rng.lognormal(0.0, 1.2, n_products)  # product's world market size
    capability = rng.normal(0.0, 1.0, n_economies)  # economy's capabilities
    difficulty = rng.normal(0.0, 1.0, n_products)  # product's requirements
    # An economy exports a product when its size and capabilities beat the product's
    # requirements (with noise): nested, as in real data.
    score = (
        np.log(size_e)[:, None]
        + 0.8 * np.log(size_p)[None, :]
        + 1.5 * (capability[:, None] - difficulty[None, :])
        + rng.normal(0.0, 1.0, (n_economies, n_products))
    )
    exported = score > np.quantile(score, 0.35)
    value = 1e6 * size_e[:, None] * size_p[None, :] * rng.lognormal(0.0, 1.5, exported.shape)
    x = np.where(exported, np.round(value), 0.0)  # whole dollars, as BACI
    x[rng.integers(0, n_economies, n_products), np.arange(n_products)] += 1e5  # no empty product
    x[np.arange(n_economies), rng.integers(0, n_products, n_economies)] += 1e5  # no empty economy
    return x


def long_frame(x: np.ndarray, econ: list[str], prod: list[str]) -> pd.DataFrame:
    """py-ecomplexity's input: one row per economy × product (zeros included)."""
    return pd.DataFrame(
        {
            "year": 2014,
            "loc": np.repeat(econ, len(prod)),
            "prod": np.tile(prod, len(econ)),
            "val": x.ravel(),
        }
    )


def run_silkroad(x: np.ndarray, econ: list[str], prod: list[str]):
    from silkroad.analytics.complexity import complexity

    return complexity(x, economies=econ, products=prod)


def run_silkroad_from_long(frame: pd.DataFrame):
    """The same from the long frame (pivot included), for a like-for-like input."""
    wide = frame.pivot(index="loc", columns="prod", values="val")
    return run_silkroad(wide.to_numpy(), list(wide.index), list(wide.columns))


def run_ecomplexity(frame: pd.DataFrame) -> pd.DataFrame:
    from ecomplexity import ecomplexity

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        # The log-supermodularity check (on by default) changes no output: off, in its favour.
        return ecomplexity(frame, COLS, check_logsupermodularity=False, verbose=False)


def timed(fn, n: int) -> tuple[float, list[float], object]:
    """Median wall time of ``n`` calls (seconds), every time, and the last result."""
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, out


def max_difference(ours, ref: pd.DataFrame) -> dict[str, float]:
    ref = ref.set_index(["loc", "prod"]).sort_index()
    mine = ours.to_frame().set_index(["economy", "product"]).sort_index()
    assert mine.index.equals(ref.index), "different economies or products"
    out = {}
    for a, b in [("eci", "eci"), ("pci", "pci"), ("density", "density"), ("cog", "cog")]:
        out[a] = float(np.abs(mine[b].to_numpy() - ref[a].to_numpy()).max())
    out["presence_cells_differing"] = int((mine["presence"] != ref["mcp"]).sum())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--economies", type=int, default=205)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5, help="silkroad runs (median)")
    parser.add_argument("--reference-repeat", type=int, default=1, help="ecomplexity runs")
    parser.add_argument("--threads", default="1", help="BLAS threads for both sides")
    args = parser.parse_args()
    x = make_world(args.economies, args.products)
    econ = [f"E{i:03d}" for i in range(args.economies)]
    prod = [f"{i:06d}" for i in range(args.products)]
    frame = long_frame(x, econ, prod)

    run_silkroad(x, econ, prod)  # warm-up (imports, BLAS threads)
    ours_s, ours_all, ours = timed(lambda: run_silkroad(x, econ, prod), args.repeat)
    long_s, _, _ = timed(lambda: run_silkroad_from_long(frame), max(1, args.repeat // 2))
    ref_s, ref_all, ref = timed(lambda: run_ecomplexity(frame), args.reference_repeat)
    diff = max_difference(ours, ref)
    identical = diff["presence_cells_differing"] == 0 and all(
        diff[k] <= 1e-9 for k in ("eci", "pci", "density", "cog")
    )
    result = {
        "economies": args.economies,
        "products": args.products,
        "nonzero_share": round(float((x > 0).mean()), 3),
        "presence_share": round(float(ours.presence.mean()), 3),
        "silkroad_s": round(ours_s, 3),
        "silkroad_runs_s": [round(t, 3) for t in ours_all],
        "silkroad_from_long_frame_s": round(long_s, 3),
        "ecomplexity_0_5_3_s": round(ref_s, 2),
        "ecomplexity_runs_s": [round(t, 2) for t in ref_all],
        "speedup": round(ref_s / ours_s, 1),
        "speedup_from_long_frame": round(ref_s / long_s, 1),
        "max_abs_difference": diff,
        "identical_to_1e-9": identical,
        "blas_threads": args.threads,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / f"complexity-{args.economies}x{args.products}.json").write_text(
        json.dumps(result, indent=2)
    )


if __name__ == "__main__":
    main()
