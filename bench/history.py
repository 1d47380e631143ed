"""Full history on one machine: a store of N full-size synthetic years, grown one year at a time.

For every year added (1995, 1996, ...): generate the year (or copy it out of the 10-year release
``bench/ingest.py`` writes, when that release is complete: the same seed gives the same bytes),
ingest it into the growing store in a fresh process, and record the ingest time, the peak RSS
of that process and the store's size on disk. Every year is its own ingest, so the first N
years are a store of their own: a checkpoint (default 1, 10, 30) writes a catalog of the first
N ingests into ``bench/data/history/first-N`` (the data directories linked, not copied) and runs
the queries there, on DuckDB and on Spark local mode, each engine in its own process, and checks
that both give the same numbers:

* one pair's N-year summary (``sr.pair(store, "BLR", "KAZ").summary()``), median of repeats, on
  an open store and on a newly opened one (target: ≤ 100 ms on DuckDB);
* world-level RCA over all years: the exporter × HS4 panels of every year (``World.panels``,
  one engine query per side) and the Balassa RCA of every economy in every product
  (``indicators.rca``).

Usage: python bench/history.py [--years 30] [--checkpoints 1,10,30] [--engines duckdb,spark]
       python bench/history.py --build-only          # only grow the store
       python bench/history.py --measure 10          # only the checkpoint of the first 10 years
Resumable: years already in the store are not ingested again, checkpoints already measured are
not measured again (results in bench/out/history.json). Run it with ``nice`` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "history"
HOME = DATA / "home"
VERSION = "202401b"
FIRST_YEAR = 1995
#: The 10-year release of bench/ingest.py (years 2007-2016): years in it are copied, not generated.
RELEASES = [
    ROOT / "data" / "full" / "release" / f"BACI_HS92_V{VERSION}.zip",
    Path("/work/main/bench/data/full/release") / f"BACI_HS92_V{VERSION}.zip",
]
PAIR = ("BLR", "KAZ")

INGEST = """
import sys, time
import silkroad as sr
import silkroad.reference.countries, silkroad.sources.baci
import resource
T0 = time.perf_counter()
RU0 = resource.getrusage(resource.RUSAGE_SELF)
r = sr.ingest(sr.open(sys.argv[1]), "baci", sys.argv[2])
assert r.rows_read == r.rows_loaded + r.rows_rejected and not r.noop
print(r.rows_loaded)
"""

QUERIES = """
import json, statistics, sys, time
import numpy as np
import silkroad as sr
from silkroad.analytics import indicators as ind
from silkroad.analytics.world import World
from silkroad.store.store import Store
from silkroad.store.engine import make_engine

home, engine_name, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
a, b = sys.argv[4], sys.argv[5]
if engine_name == "spark":  # the HS4 panels of 30 years are collected by the driver
    import os
    os.environ.setdefault("SILKROAD_SPARK_CONF", "spark.driver.memory=4g")
T0 = time.perf_counter()
engine = make_engine(engine_name)
t = time.perf_counter()
store = Store(home, engine=engine)
store.flows().count().execute()  # starts Spark (the JVM) and reads every footer once
start_s = time.perf_counter() - t

def median_ms(fn, n):
    # median wall and CPU milliseconds (CPU: every thread of this process, not a JVM)
    fn()
    times, cpus = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return statistics.median(times), statistics.median(cpus)

summary = sr.pair(store, a, b).summary().to_frame()
open_ms, open_cpu_ms = median_ms(lambda: sr.pair(store, a, b).summary().to_frame(), repeat)
new_ms, new_cpu_ms = median_ms(
    lambda: sr.pair(Store(home, engine=engine), a, b).summary().to_frame(), repeat
)
world = World(store)
t, c = time.perf_counter(), time.process_time()
rca = {}
for year, panel in world.panels(level="hs4").items():
    r = ind.rca(panel.exports, economies=panel.economies, products=panel.products).rca
    rca[year] = [float(np.nansum(r)), int((r >= 1).sum()), int(r.size)]
rca_s, rca_cpu_s = time.perf_counter() - t, time.process_time() - c
print(json.dumps({
    "engine": engine_name, "start_s": start_s, "pair_summary_open_ms": open_ms,
    "pair_summary_new_store_ms": new_ms, "world_rca_all_years_s": rca_s,
    "pair_summary_open_cpu_ms": open_cpu_ms, "pair_summary_new_store_cpu_ms": new_cpu_ms,
    "world_rca_all_years_cpu_s": rca_cpu_s,
    "summary": summary[["year", "exports_usd", "imports_usd"]].values.tolist(), "rca": rca,
}))
"""


def run_child(code: str, *args: str) -> tuple[float, float, str, float]:
    """(wall seconds after the child's imports, peak RSS MiB, stdout, CPU seconds of all its
    threads after ``RU0`` if the code sets it) of ``code`` in a new process. CPU time stays
    meaningful on a busy machine, wall time does not."""
    wrapper = (
        "import resource, time, sys\n"
        "_ru = resource.getrusage(resource.RUSAGE_SELF)\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "ru = resource.getrusage(resource.RUSAGE_SELF)\n"
        "_ru = globals().get('RU0', _ru)\n"
        "cpu = ru.ru_utime + ru.ru_stime - _ru.ru_utime - _ru.ru_stime\n"
        "sys.stderr.write(f'@@{time.perf_counter() - T0} {ru.ru_maxrss} {cpu}\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    line = [x for x in proc.stderr.splitlines() if x.startswith("@@")][-1]
    seconds, rss_kib, cpu = line[2:].split()
    return float(seconds), int(rss_kib) / 1024, proc.stdout.strip(), float(cpu)


def release_zip() -> Path | None:
    """A complete 10-year release of bench/ingest.py, if one exists (read, never written)."""
    return next((p for p in RELEASES if p.exists()), None)


def year_input(year: int) -> tuple[Path, str]:
    """A release directory holding ``year`` alone (readme, country list, year CSV); how made."""
    from silkroad.sources import synthetic

    w = synthetic.world("full")
    folder = DATA / "in" / str(year)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "Readme.txt").write_bytes(synthetic._readme("full", 42, VERSION, [year]))
    (folder / f"country_codes_V{VERSION}.csv").write_bytes(synthetic._country_codes(w))
    name = f"BACI_HS92_Y{year}_V{VERSION}.csv"
    archive = release_zip()
    if archive is not None:
        with zipfile.ZipFile(archive) as zf:
            if name in zf.namelist():
                with zf.open(name) as src, open(folder / name, "wb") as dst:
                    shutil.copyfileobj(src, dst, 2**22)
                return folder, "copied"
    synthetic.generate_year_csv(folder / name, year=year, size="full")
    return folder, "generated"


def year_order(first: int, count: int) -> list[int]:
    """The years to ingest, in order: the first ten from ``first``, then those the 10-year
    release holds (copied, not generated: quicker on a busy machine), then the rest."""
    years = list(range(first, first + count))
    archive = release_zip()
    copied: set[int] = set()
    if archive is not None:
        with zipfile.ZipFile(archive) as zf:
            names = set(zf.namelist())
        copied = {y for y in years if f"BACI_HS92_Y{y}_V{VERSION}.csv" in names}
    head = years[:10]
    return (
        head + sorted(copied - set(head)) + [y for y in years if y not in head and y not in copied]
    )


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def held_years() -> list[int]:
    import silkroad as sr

    return sr.open(HOME).years() if (HOME / "catalog.json").exists() else []


def load(out: Path) -> dict:
    return json.loads(out.read_text()) if out.exists() else {"years": {}, "checkpoints": {}}


def save(out: Path, results: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2))
    os.replace(tmp, out)


def add_year(year: int) -> dict:
    t = time.perf_counter()
    folder, how = year_input(year)
    made_s = time.perf_counter() - t
    csv = next(folder.glob("BACI_*_Y*.csv"))
    csv_mb = csv.stat().st_size / 2**20
    seconds, rss, out, cpu = run_child(INGEST, str(HOME), str(folder))
    shutil.rmtree(folder)
    row = {
        "rows": int(out.splitlines()[-1]),
        "csv_mib": round(csv_mb, 1),
        "input": how,
        "input_s": round(made_s, 1),
        "ingest_s": round(seconds, 2),
        "ingest_cpu_s": round(cpu, 2),
        "load_avg": round(os.getloadavg()[0], 1),
        "peak_rss_mib": round(rss),
        "store_mib": round(disk_bytes(HOME / "data") / 2**20, 1),
    }
    print(f"  {year}: {json.dumps(row)}", flush=True)
    return row


def snapshot(n: int) -> Path:
    """A store of the first ``n`` years: their ingests' catalog entries, data dirs linked."""
    from silkroad.store.catalog import Catalog

    catalog = Catalog.load(HOME / "catalog.json")
    (state,) = catalog.sources.values()
    # in the order they were ingested (bench order, see year_order)
    by_start = sorted(state.years, key=lambda y: catalog.ingests[state.years[y]].started_at)
    years = [int(y) for y in by_start[:n]]
    if len(years) < n:
        raise SystemExit(f"the store holds {len(years)} years; {n} asked")
    ids = {state.years[str(y)] for y in years}
    state.years = {str(y): state.years[str(y)] for y in years}
    catalog.ingests = {k: v for k, v in catalog.ingests.items() if k in ids}
    catalog.retired = {}
    home = DATA / f"first-{n}"
    shutil.rmtree(home, ignore_errors=True)
    for record in catalog.ingests.values():
        link = home / record.dir
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(HOME / record.dir, target_is_directory=True)
    catalog.save(home / "catalog.json")
    return home


def checkpoint(n: int, engines: list[str], repeat: dict[str, int]) -> dict:
    from silkroad.store.catalog import Catalog

    home = snapshot(n)
    data = [HOME / r.dir for r in Catalog.load(home / "catalog.json").ingests.values()]
    out: dict = {"years": n, "store_mib": round(sum(map(disk_bytes, data)) / 2**20, 1)}
    answers = {}
    for engine in engines:
        seconds, rss, text, _ = run_child(QUERIES, str(home), engine, str(repeat[engine]), *PAIR)
        res = json.loads(text.splitlines()[-1])
        answers[engine] = (res.pop("summary"), res.pop("rca"))
        res = {k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}
        out[engine] = res | {
            "child_s": round(seconds, 1),
            "child_peak_rss_mib": round(rss),
            "load_avg": round(os.getloadavg()[0], 1),
        }
        print(f"  {n} years, {engine}: {json.dumps(out[engine])}", flush=True)
    if len(answers) > 1:
        (s0, r0), *rest = answers.values()
        for s, r in rest:
            same = all(
                abs(x - y) <= 1e-9 * max(1.0, abs(x))
                for row0, row in zip(s0, s, strict=True)
                for x, y in zip(row0, row, strict=True)
            ) and all(
                abs(r0[y][0] - r[y][0]) <= 1e-9 * abs(r0[y][0]) and r0[y][1:] == r[y][1:]
                for y in r0
            )
            if not same or r0.keys() != r.keys():
                raise SystemExit(f"engines disagree at {n} years: {answers}")
        out["same_numbers"] = True
    return out


def table(results: dict) -> str:
    """The BENCHMARKS.md table of the checkpoints measured so far (markdown)."""
    cps = [results["checkpoints"][k] for k in sorted(results["checkpoints"], key=int)]
    years = list(results["years"].values())
    rows = [
        ("years in the store", lambda c: f"{c['years']}"),
        ("rows", lambda c: f"{sum(y['rows'] for y in years[: c['years']]):,}"),
        ("disk (Parquet + totals)", lambda c: f"{c['store_mib']:,.0f} MiB"),
        (
            "pair summary, open store (DuckDB)",
            lambda c: f"{c['duckdb']['pair_summary_open_ms']:.0f} ms",
        ),
        (
            "pair summary, new store (DuckDB)",
            lambda c: f"{c['duckdb']['pair_summary_new_store_ms']:.0f} ms",
        ),
        (
            "pair summary, open store (DuckDB), CPU",
            lambda c: f"{c['duckdb']['pair_summary_open_cpu_ms']:.0f} ms",
        ),
        (
            "world RCA, all years, HS4 (DuckDB), CPU",
            lambda c: f"{c['duckdb']['world_rca_all_years_cpu_s']:.1f} s",
        ),
        (
            "world RCA, all years, HS4 (DuckDB)",
            lambda c: f"{c['duckdb']['world_rca_all_years_s']:.1f} s",
        ),
        ("Spark start + first scan", lambda c: f"{c['spark']['start_s']:.0f} s"),
        (
            "pair summary, open store (Spark)",
            lambda c: f"{c['spark']['pair_summary_open_ms'] / 1000:.1f} s",
        ),
        (
            "pair summary, new store (Spark)",
            lambda c: f"{c['spark']['pair_summary_new_store_ms'] / 1000:.1f} s",
        ),
        (
            "world RCA, all years, HS4 (Spark)",
            lambda c: f"{c['spark']['world_rca_all_years_s']:.1f} s",
        ),
        ("same numbers on both engines", lambda c: "yes" if c.get("same_numbers") else "?"),
        (
            "load average during the run",
            lambda c: f"{c['duckdb'].get('load_avg', '?')} / {c['spark'].get('load_avg', '?')}",
        ),
    ]
    out = ["| | " + " | ".join(f"{c['years']} years" for c in cps) + " |"]
    out.append("|---|" + "---|" * len(cps))
    for label, cell in rows[1:]:
        cells = []
        for c in cps:
            try:
                cells.append(cell(c))
            except KeyError:
                cells.append("–")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=30, help="years to hold at the end")
    parser.add_argument("--checkpoints", default="1,10,30")
    parser.add_argument("--first", type=int, default=FIRST_YEAR, help="first year")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--repeat", type=int, default=20, help="pair-summary repeats (DuckDB)")
    parser.add_argument("--spark-repeat", type=int, default=3, help="pair-summary repeats (Spark)")
    parser.add_argument("--build-only", action="store_true", help="only grow the store")
    parser.add_argument("--measure", type=int, help="only the checkpoint of the first N years")
    parser.add_argument("--table", action="store_true", help="print the checkpoints' table")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "history.json")
    args = parser.parse_args()
    checkpoints = sorted({int(c) for c in args.checkpoints.split(",")})
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    repeat = {"duckdb": args.repeat, "spark": args.spark_repeat}
    results = load(args.out)
    if args.table:
        print(table(results))
        return
    if args.measure:
        print(f"checkpoint: {args.measure} years", flush=True)
        result = checkpoint(args.measure, engines, repeat)
        results = load(args.out)  # a build may have run meanwhile
        old = results["checkpoints"].get(str(args.measure), {})
        results["checkpoints"][str(args.measure)] = old | result  # engines not run are kept
        save(args.out, results)
        return
    order = year_order(args.first, args.years)
    for n, year in enumerate(order, start=1):
        held = held_years()
        if year not in held:
            if sorted(held) != sorted(order[: n - 1]):
                raise SystemExit(f"the store at {HOME} holds {held}; expected {order[: n - 1]}")
            print(f"adding {year} ({n} of {args.years})", flush=True)
            row = add_year(year)
            results = load(args.out)  # a checkpoint may have run meanwhile
            results["years"][str(year)] = row
            save(args.out, results)
        if not args.build_only and n in checkpoints and str(n) not in results["checkpoints"]:
            print(f"checkpoint: {n} years", flush=True)
            results["checkpoints"][str(n)] = checkpoint(n, engines, repeat)
            save(args.out, results)
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
