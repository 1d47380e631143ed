"""Ingest and pair-query benchmarks (``make bench``); results go to BENCHMARKS.md by hand.

1. Ingest of one full-size synthetic BACI year (~10 M rows) versus a bare DuckDB
   ``read_csv -> Parquet`` copy of the same file, measured in the same run, each in its own
   process so that peak RSS is the process's own.
2. One pair's 10-year summary on a full-size store versus the same query on an unsorted
   Parquet copy of the same data.

Usage: python bench/ingest.py [--size full|small] [--repeat 2] [--out bench/out]
Timings are wall-clock medians; ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
YEAR = 2014
VERSION = "202401b"

# Each child sets T0 after its imports, so that only the work itself is timed.
BARE = """
import duckdb, sys, time
T0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)")
"""

OURS = """
import sys, time
import silkroad as sr
import silkroad.reference.countries, silkroad.sources.baci
T0 = time.perf_counter()
store = sr.open(sys.argv[2])
r = sr.ingest(store, "baci", sys.argv[1])
assert r.rows_read == r.rows_loaded + r.rows_rejected
print(r.rows_loaded)
"""


def run_child(code: str, *args: str) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of ``code`` run in a fresh Python process."""
    wrapper = (
        "import resource, time, sys\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "sys.stderr.write(f'@@{time.perf_counter() - T0} "
        "{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    line = [x for x in proc.stderr.splitlines() if x.startswith("@@")][-1]
    seconds, rss_kib = line[2:].split()
    return float(seconds), int(rss_kib) / 1024, proc.stdout.strip()


def year_file(size: str) -> Path:
    from silkroad.sources import synthetic

    path = DATA / size / f"BACI_HS92_Y{YEAR}_V{VERSION}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        rows = synthetic.generate_year_csv(path, year=YEAR, size=size)
        print(f"generated {path} ({rows:,} rows) in {time.perf_counter() - t:.0f} s", flush=True)
    return path


def bench_ingest(size: str, repeat: int) -> dict:
    csv = year_file(size)
    bare_t, bare_rss, ours_t, ours_rss = [], [], [], []
    rows = 0
    # stores under the system temp directory: bench/data/full may be shared and read-only
    with tempfile.TemporaryDirectory(prefix="silkroad-bench-") as tmp:
        for n in range(repeat):
            t, rss, _ = run_child(BARE, str(csv), f"{tmp}/bare{n}.parquet")
            bare_t.append(t)
            bare_rss.append(rss)
            t, rss, out = run_child(OURS, str(csv), f"{tmp}/home{n}")
            ours_t.append(t)
            ours_rss.append(rss)
            rows = int(out.splitlines()[-1])
            print(
                f"  run {n + 1}: bare {bare_t[-1]:.2f} s, silkroad {ours_t[-1]:.2f} s", flush=True
            )
    return {
        "file": csv.name,
        "rows": rows,
        "size_mb": round(csv.stat().st_size / 2**20, 1),
        "bare_duckdb_s": round(statistics.median(bare_t), 2),
        "silkroad_ingest_s": round(statistics.median(ours_t), 2),
        "ratio": round(statistics.median(ours_t) / statistics.median(bare_t), 2),
        "bare_peak_rss_mib": round(max(bare_rss)),
        "silkroad_peak_rss_mib": round(max(ours_rss)),
    }


def full_store(size: str) -> Path:
    """A store holding the 10-year synthetic release of ``size`` (cached in bench/data)."""
    import silkroad as sr
    from silkroad.sources import synthetic

    home = DATA / size / "home"
    store = sr.open(home)
    if store.catalog.sources:
        return home
    t = time.perf_counter()
    archive = synthetic.generate(DATA / size / "release", size=size)
    print(f"generated {archive} in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    sr.ingest(store, "baci", archive)
    print(f"ingested in {time.perf_counter() - t:.0f} s", flush=True)
    return home


PAIR_SQL = """
SELECT year, exporter, sum(value_usd) AS value FROM read_parquet(?)
WHERE exporter IN ('BLR', 'KAZ') AND importer IN ('BLR', 'KAZ') AND exporter <> importer
GROUP BY ALL ORDER BY ALL
"""


def _median_ms(fn, n: int = 30) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def bench_pair(size: str) -> dict:
    import duckdb

    import silkroad as sr

    home = full_store(size)
    store = sr.open(home)
    files = [str(p) for p in store.parquet_files()]
    unsorted_dir = DATA / size / "unsorted"
    if not unsorted_dir.exists():
        unsorted_dir.mkdir()
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        for n, f in enumerate(files):
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{f}') ORDER BY hash(exporter, importer, product))"
                f" TO '{unsorted_dir}/part-{n}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 65536)"
            )
    unsorted = sorted(str(p) for p in unsorted_dir.glob("*.parquet"))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET parquet_metadata_cache = true")  # as silkroad's own connection does
    sorted_rows = con.execute(PAIR_SQL, [files]).fetchall()
    unsorted_rows = con.execute(PAIR_SQL, [unsorted]).fetchall()
    assert sorted_rows == unsorted_rows, "sorted and unsorted copies disagree"
    sorted_ms = _median_ms(lambda: con.execute(PAIR_SQL, [files]).fetchall())
    unsorted_ms = _median_ms(lambda: con.execute(PAIR_SQL, [unsorted]).fetchall())
    api_cold_ms = _median_ms(lambda: sr.pair(sr.open(home), "BLR", "KAZ").summary().to_frame())
    warm = sr.open(home)
    api_warm_ms = _median_ms(lambda: sr.pair(warm, "BLR", "KAZ").summary().to_frame())
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchone()[0]
    return {
        "store_rows": rows,
        "years": len(files),
        "pair_query_sorted_ms": sorted_ms,
        "pair_query_unsorted_ms": unsorted_ms,
        "speedup": round(unsorted_ms / sorted_ms, 1),
        "summary_api_new_store_ms": api_cold_ms,
        "summary_api_open_store_ms": api_warm_ms,
    }


def machine() -> dict:
    return {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],  # a shared machine
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    parser.add_argument("--skip-pair", action="store_true", help="only the ingest benchmark")
    parser.add_argument("--skip-ingest", action="store_true", help="only the pair benchmark")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    results = {"machine": machine(), "size": args.size}
    if not args.skip_ingest:
        print(f"ingest benchmark ({args.size})", flush=True)
        results["ingest"] = bench_ingest(args.size, args.repeat)
        print(json.dumps(results["ingest"], indent=2), flush=True)
    if not args.skip_pair:
        print(f"pair query benchmark ({args.size})", flush=True)
        results["pair"] = bench_pair(args.size)
        print(json.dumps(results["pair"], indent=2), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"ingest-{args.size}{'-pair' if args.skip_ingest else ''}.json"
    target.write_text(json.dumps(results, indent=2))
    print(f"results written to {target}")


if __name__ == "__main__":
    main()
