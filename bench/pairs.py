"""Summary and profile of many pairs in one process, as a server answers them (issues 12, 13).

Opens the 10-year store of ``bench/ingest.py`` once, warms it with one pair, then asks
``summary`` and ``profile`` (all years held) of ``--pairs`` random ordered pairs of economies
(seeded), each through a new ``sr.pair`` (nothing of an earlier pair reused but what the
process keeps per store snapshot). Prints per-request medians and p95 in ms. Compare checkouts
with ``bench/versions.py --script pairs.py``. Usage: python bench/pairs.py [--size full|small]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["full", "small"])
    parser.add_argument("--pairs", type=int, default=40)
    args = parser.parse_args()
    import silkroad as sr
    from silkroad.reference.countries import is_economy

    store = sr.open(ROOT / "data" / args.size / "home")
    source = store.catalog.current_files()[0][0]
    codes = sorted(
        str(c) for c in store.pair_totals(source).exporter.to_pandas().unique() if is_economy(c)
    )
    rng = random.Random(12)
    pairs = [tuple(rng.sample(codes, 2)) for _ in range(args.pairs + 1)]
    sr.pair(store, *pairs[0]).profile()  # warm: engine, views, what a snapshot keeps
    timings: dict[str, list[float]] = {"summary": [], "profile": []}
    for a, b in pairs[1:]:
        for kind in timings:
            t = time.perf_counter()
            getattr(sr.pair(store, a, b), kind)()
            timings[kind].append((time.perf_counter() - t) * 1000)
    out: dict[str, float] = {"pairs": float(args.pairs), "years": float(len(store.years()))}
    for kind, ms in timings.items():
        ms.sort()
        out[f"{kind}_p50_ms"] = round(statistics.median(ms), 1)
        out[f"{kind}_p95_ms"] = round(ms[int(0.95 * (len(ms) - 1))], 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
