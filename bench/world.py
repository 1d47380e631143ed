"""World-level benchmark on the 10-year store of bench/ingest.py (bench/data/<size>/home).

1. Economic complexity (ECI, PCI, density, COG) of every year at hs6, from the store: the query
   (World.panel: aggregation in DuckDB, dense matrices) and the computation, all years in turn.
   Target (issue 10): <= 30 s for the 10 full-size years.
2. RCA for every economy x product x year, computed in the engine and written to Parquet
   (World.write_rca), in a child process whose peak RSS is measured. Target: <= 2 GiB.

Usage: python bench/world.py [--size full|small]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent

RCA_CHILD = """
import sys, time
import silkroad as sr
t = time.perf_counter()
out = sr.world(sr.open(sys.argv[1])).write_rca(sys.argv[2], level="hs6")
import pyarrow.parquet as pq
print(time.perf_counter() - t, pq.read_metadata(out).num_rows)
"""


def complexity_all_years(home: Path) -> dict:
    import silkroad as sr
    from silkroad.analytics.advantage import complexity_table

    world = sr.world(sr.open(home))
    years = world.years()
    t = time.perf_counter()
    query = compute = 0.0
    for year in years:
        t0 = time.perf_counter()
        panel = world.panel(year, level="hs6")
        t1 = time.perf_counter()
        from silkroad.analytics import complexity as cx

        cx.complexity(panel.exports, economies=panel.economies, products=panel.products)
        t2 = time.perf_counter()
        query += t1 - t0
        compute += t2 - t1
    total = time.perf_counter() - t
    # the public face once, for its own overhead (tables, opportunities)
    t = time.perf_counter()
    complexity_table(world, years[-1], level="hs6", economy="BLR")
    face = time.perf_counter() - t
    return {
        "years": len(years),
        "complexity_all_years_s": round(total, 2),
        "of_which_query_s": round(query, 2),
        "of_which_compute_s": round(compute, 2),
        "complexity_table_one_year_s": round(face, 2),
    }


def rca_in_engine(home: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run(
            [sys.executable, "-c", RCA_CHILD, str(home), str(Path(tmp) / "rca.parquet")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "rca_all_years_s": round(float(out[0]), 2),
        "rca_rows": int(out[1]),
        "rca_peak_rss_mib": round(max(peak_kib, before) / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    args = parser.parse_args()
    home = ROOT / "data" / args.size / "home"
    import silkroad as sr

    if not sr.open(home).catalog.sources:
        raise SystemExit(f"no store at {home}: run `python bench/ingest.py --size {args.size}`")
    result = {"size": args.size, **complexity_all_years(home), **rca_in_engine(home)}
    print(json.dumps(result, indent=2))
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / f"world-{args.size}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
