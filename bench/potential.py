"""Export potential for one pair over every HS6 product, from the store (issue 11's target).

Runs on the 10-year store of ``bench/ingest.py`` (bench/data/<size>/home). Each measurement is a
fresh Python process, so the panel queries are cold and the peak RSS is the process's own:

1. ours: ``potential_table(sr.world(store), A, B)`` (the last 3 years held, every hs6 product,
   grouped to hs4 for the table) for several pairs, one process per pair; then, warm, B's
   potential in A in the same process (the world panels already held, as in a server);
2. baseline, in the same run: a bare DuckDB query over the same Parquet files that reads what
   potential needs (every economy's exports and imports per hs6 product and year, and A's
   bilateral exports), with no computation on top.

Target (issue 11): ≤ 1 s and peak RSS ≤ 4 GiB for one pair on the full store.
Usage: python bench/potential.py [--size full|small] [--pairs BLR:KAZ,DEU:CHN,KAZ:RUS]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

WRAP = """
import resource, sys, time
{body}
sys.stderr.write(f"@@{{SECONDS}} {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}\\n")
"""

OURS = """
import silkroad as sr
from silkroad.analytics.prospects import potential_table
store = sr.open(sys.argv[1])
store.connection()  # the engine's start (imports, connection): paid once per process
t = time.perf_counter()
world = sr.world(store)
r = potential_table(world, sys.argv[2], sys.argv[3], level="hs4", top=None)
SECONDS = time.perf_counter() - t
# a second pair (the reverse one) in the same process: the world panels are already held, as in
# a running server or a brief's later sections
t = time.perf_counter()
potential_table(world, sys.argv[3], sys.argv[2], level="hs4", top=None)
WARM = time.perf_counter() - t
print(len(r.tables["products"]), WARM, r.values["untapped_usd"], r.metadata["years"])
"""

BARE = """
import json, duckdb
files, a, years = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
t = time.perf_counter()
con = duckdb.connect()
src = f"read_parquet({files!r}, hive_partitioning = true)"
ys = ",".join(map(str, years))
x = con.execute(f"SELECT year, exporter, product, sum(value_usd) FROM {src} WHERE year IN ({ys}) "
                "GROUP BY ALL").fetchnumpy()
m = con.execute(f"SELECT year, importer, product, sum(value_usd) FROM {src} WHERE year IN ({ys}) "
                "GROUP BY ALL").fetchnumpy()
b = con.execute(f"SELECT year, importer, product, sum(value_usd) FROM {src} WHERE year IN ({ys}) "
                f"AND exporter = '{a}' GROUP BY ALL").fetchnumpy()
SECONDS = time.perf_counter() - t
print(len(x["year"]), len(m["year"]), len(b["year"]))
"""


def child(body: str, *args: str) -> tuple[float, float, str]:
    """(seconds measured inside the child, peak RSS MiB, stdout) of ``body`` in a fresh process."""
    code = WRAP.format(body=body)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    line = [x for x in proc.stderr.splitlines() if x.startswith("@@")][-1]
    seconds, rss_kib = line[2:].split()
    return float(seconds), int(rss_kib) / 1024, proc.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--pairs", default="BLR:KAZ,DEU:CHN,KAZ:RUS")
    args = parser.parse_args()
    import silkroad as sr

    home = ROOT / "data" / args.size / "home"
    store = sr.open(home)
    if not store.catalog.sources:
        raise SystemExit(f"no store at {home}: run `python bench/ingest.py --size {args.size}`")
    files = json.dumps([str(p) for p in store.parquet_files()])
    rows = []
    for pair in args.pairs.split(","):
        a, b = pair.split(":")
        ours_s, ours_rss, out = child(OURS, str(home), a, b)
        years = out.split("[", 1)[1].rstrip("]")
        years_json = json.dumps([int(y) for y in years.split(",")])
        bare_s, bare_rss, _ = child(BARE, files, a, years_json)
        rows.append(
            {
                "pair": f"{a}-{b}",
                "years": years_json,
                "hs4_rows": int(out.split()[0]),
                "ours_s": round(ours_s, 3),
                "ours_warm_s": round(float(out.split()[1]), 3),
                "ours_peak_rss_mib": round(ours_rss),
                "bare_duckdb_s": round(bare_s, 3),
                "bare_peak_rss_mib": round(bare_rss),
                "ratio": round(ours_s / bare_s, 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    result = {
        "size": args.size,
        "pairs": rows,
        "ours_median_s": round(statistics.median(r["ours_s"] for r in rows), 3),
        "ratio_median": round(statistics.median(r["ratio"] for r in rows), 2),
        "ours_warm_median_s": round(statistics.median(r["ours_warm_s"] for r in rows), 3),
    }
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / f"potential-{args.size}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
