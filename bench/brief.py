"""Brief benchmark: one pair's brief in all four formats on the 10-year store of bench/ingest.py.

Usage: python bench/brief.py [--size full|small] [--pair BLR KAZ] [--year 2014] [--base 2007]
                             [--repeat 3] [--fresh] [--home DIR]

Default (*warm*): in one process, after one warm-up brief of the same pair (imports, the chart
JavaScript, and what the code keeps per store state: world panels, the gravity fit; the charts
kept are dropped before each run), each run opens the store anew, gathers the analytics, then
renders HTML, PDF, XLSX and Markdown: the next brief of a long-lived process (a server, a batch). ``--fresh``: each run
in a new Python process, as one ``silkroad brief`` command is (imports, the first PPML, nothing
kept), its import time reported apart. ``--home``: another store (an older checkout's, with
PYTHONPATH pointing at that checkout's src/ to time its code the same way).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent

#: The code of one fresh-process run: imports timed apart, then the same steps as one_run.
CHILD = """
import json, sys, time
t = time.perf_counter()
import silkroad as sr
imported = time.perf_counter() - t
home, a, b, year, base, out = sys.argv[1:7]
times = {"import": imported}
t = time.perf_counter()
doc = sr.brief(sr.open(home), a, b, year=int(year), base=int(base))
times["gather"] = time.perf_counter() - t
for fmt in ("html", "pdf", "xlsx", "md"):
    t = time.perf_counter()
    doc.save(f"{out}/brief.{fmt}")
    times[fmt] = time.perf_counter() - t
times["total"] = sum(v for k, v in times.items() if k != "import")
print(json.dumps(times))
"""


def one_run(home: Path, a: str, b: str, year: int, base: int, out: Path) -> dict[str, float]:
    """Seconds of each step of one brief in this process (a newly opened store)."""
    import silkroad as sr

    _forget_charts()
    times = {}
    t = time.perf_counter()
    doc = sr.brief(sr.open(home), a, b, year=year, base=base)
    times["gather"] = time.perf_counter() - t
    for fmt in ("html", "pdf", "xlsx", "md"):
        t = time.perf_counter()
        doc.save(out / f"brief.{fmt}")
        times[fmt] = time.perf_counter() - t
    times["total"] = sum(times.values())
    return times


def _forget_charts() -> None:
    """Drop the charts rendered before: another pair's brief draws its own (its world panels
    and gravity fit, which do not depend on the pair, stay kept)."""
    try:
        from silkroad.report import charts

        charts._SVG_CACHE.clear()
    except (ImportError, AttributeError):  # a checkout that keeps no charts
        pass


def fresh_run(home: Path, a: str, b: str, year: int, base: int, out: Path) -> dict[str, float]:
    """Seconds of each step of one brief in a new Python process (same PYTHONPATH as this)."""
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), a, b, str(year), str(base), str(out)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    process = time.perf_counter() - t
    times = json.loads(done.stdout.strip().splitlines()[-1])
    times["process"] = process  # interpreter start, imports and the brief: what a user waits
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--pair", nargs=2, default=["BLR", "KAZ"])
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--base", type=int, default=2007)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="each run in a new process")
    parser.add_argument("--home", type=Path, default=None, help="the store (default: --size's)")
    args = parser.parse_args()
    home = args.home or ROOT / "data" / args.size / "home"
    import silkroad as sr

    if not sr.open(home).catalog.sources:
        raise SystemExit(
            f"no store at {home}: run `python bench/ingest.py --size {args.size}` first"
        )
    a, b = args.pair
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if args.fresh:
            runs = [fresh_run(home, a, b, args.year, args.base, out) for _ in range(args.repeat)]
        else:
            one_run(home, a, b, args.year, args.base, out)  # warm: chart JS cache, imports
            runs = [one_run(home, a, b, args.year, args.base, out) for _ in range(args.repeat)]
    result = {
        "size": args.size,
        "pair": "-".join(args.pair),
        "mode": "fresh process" if args.fresh else "warm process",
        "year": args.year,
        **{f"{k}_s": round(statistics.median(r[k] for r in runs), 2) for k in runs[0]},
    }
    print(json.dumps(result, indent=2))
    (ROOT / "out").mkdir(exist_ok=True)
    suffix = "-fresh" if args.fresh else ""
    (ROOT / "out" / f"brief-{args.size}{suffix}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
