"""Pair analytics benchmark: profile + structure (hs4, both directions) for one pair.

Runs on the 10-year store that ``bench/ingest.py`` builds (bench/data/<size>/home) and compares
silkroad with a plain pandas implementation of the same numbers over the same Parquet files,
in the same run. Usage: python bench/analytics.py [--size full|small] [--pair BLR KAZ]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds

from silkroad.analytics.pair import Pair

ROOT = Path(__file__).resolve().parent


def silkroad_run(home: Path, a: str, b: str, year: int) -> dict:
    import silkroad as sr

    pair = Pair(sr.open(home), a, b)
    prof = pair.profile().to_frame()
    exports = pair.structure(year, direction="exports", level="hs4").to_frame()
    imports = pair.structure(year, direction="imports", level="hs4").to_frame()
    return {"profile": prof, "exports": exports, "imports": imports}


def pandas_run(files: list[str], a: str, b: str, year: int) -> dict:
    """What an analyst would write with pandas: filter the pair, group, rank partners."""
    dataset = ds.dataset(files, format="parquet")
    cols = ["year", "exporter", "importer", "product", "value_usd"]
    pair = dataset.to_table(
        columns=cols,
        filter=ds.field("exporter").isin([a, b]) & ds.field("importer").isin([a, b]),
    ).to_pandas()
    side = dataset.to_table(
        columns=["year", "exporter", "importer", "value_usd"],
        filter=(ds.field("exporter") == a) | (ds.field("importer") == a),
    ).to_pandas()
    x = pair[(pair.exporter == a) & (pair.importer == b)].groupby("year").value_usd.sum()
    m = pair[(pair.exporter == b) & (pair.importer == a)].groupby("year").value_usd.sum()
    side["partner"] = np.where(side.exporter == a, side.importer, side.exporter)
    by = side.groupby(["year", "partner"]).value_usd.sum()
    total = by.groupby(level=0).sum()
    rank = by.groupby(level=0).rank(method="min", ascending=False).xs(b, level=1)
    prof = pd.DataFrame({"exports": x, "imports": m, "total": total, "rank": rank})
    out = {"profile": prof}
    for direction, (ex, im) in {"exports": (a, b), "imports": (b, a)}.items():
        g = pair[(pair.exporter == ex) & (pair.importer == im) & pair.year.isin([year - 1, year])]
        g = g.assign(hs4=g["product"].str[:4]).groupby(["hs4", "year"]).value_usd.sum().unstack()
        out[direction] = g
    return out


def median_s(fn, n: int) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--pair", nargs=2, default=["BLR", "KAZ"])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    import silkroad as sr

    home = ROOT / "data" / args.size / "home"
    store = sr.open(home)
    if not store.catalog.sources:
        raise SystemExit(
            f"no store at {home}: run `python bench/ingest.py --size {args.size}` first"
        )
    files = [str(p) for p in store.parquet_files()]
    year = store.years()[-1]
    a, b = args.pair
    ours = silkroad_run(home, a, b, year)
    theirs = pandas_run(files, a, b, year)
    # Same numbers from both: exports per year and the hs4 totals of the last year.
    assert np.allclose(
        ours["profile"].exports_usd.to_numpy(),
        theirs["profile"].exports.reindex(store.years()).fillna(0).to_numpy(),
    )
    assert np.isclose(ours["exports"].value_usd.sum(), theirs["exports"][year].sum())
    s = median_s(lambda: silkroad_run(home, a, b, year), args.repeat)
    p = median_s(lambda: pandas_run(files, a, b, year), max(3, args.repeat // 3))
    result = {
        "size": args.size,
        "pair": f"{a}-{b}",
        "years": len(files),
        "rows": sum(ds.dataset(files).count_rows() for _ in [0]),
        "silkroad_profile_structure_s": round(s, 3),
        "pandas_same_numbers_s": round(p, 3),
        "speedup_vs_pandas": round(p / s, 1),
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / f"analytics-{args.size}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
