"""Brief benchmark: one pair's brief in all four formats on the 10-year store of bench/ingest.py.

Usage: python bench/brief.py [--size full|small] [--pair BLR KAZ] [--year 2014] [--base 2007]
Times a newly opened store each run: gathering the analytics, then rendering HTML, PDF, XLSX
and Markdown. The chart JavaScript is built once and cached beforehand (as after a first run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def one_run(home: Path, a: str, b: str, year: int, base: int, out: Path) -> dict[str, float]:
    import silkroad as sr

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--pair", nargs=2, default=["BLR", "KAZ"])
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--base", type=int, default=2007)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = ROOT / "data" / args.size / "home"
    import silkroad as sr

    if not sr.open(home).catalog.sources:
        raise SystemExit(
            f"no store at {home}: run `python bench/ingest.py --size {args.size}` first"
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        one_run(home, *args.pair, args.year, args.base, out)  # warm: chart JS cache, imports
        runs = [one_run(home, *args.pair, args.year, args.base, out) for _ in range(args.repeat)]
    result = {
        "size": args.size,
        "pair": "-".join(args.pair),
        "year": args.year,
        **{f"{k}_s": round(statistics.median(r[k] for r in runs), 2) for k in runs[0]},
    }
    print(json.dumps(result, indent=2))
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / f"brief-{args.size}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
