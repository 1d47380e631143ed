"""Run one benchmark script of two checkouts side by side, interleaved, in one session.

Each round runs ``<checkout>/bench/<script>`` once for the baseline checkout and once for this
one (order alternating), each with its own ``src/`` first on PYTHONPATH and the same Python, and
collects the JSON each script prints. The same data store is read by both (the baseline's
``bench/data`` should be a link to this checkout's). Usage:

    python bench/versions.py --baseline ../old --script analytics.py --rounds 3 -- --size full
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(checkout: Path, script: str, extra: list[str]) -> dict:
    env = os.environ | {"PYTHONPATH": str(checkout / "src")}
    out = subprocess.run(
        [sys.executable, str(checkout / "bench" / script), *extra],
        env=env,
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # the first JSON object printed (a script may print a line after it)
    obj, _ = json.JSONDecoder().raw_decode(out[out.index("{") :])
    return dict(obj)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    parser.add_argument("--script", required=True, help="e.g. analytics.py or brief.py")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("extra", nargs="*", help="arguments for the script (after --)")
    args = parser.parse_args()
    sides = {"baseline": args.baseline.resolve(), "current": ROOT}
    results: dict[str, list[dict]] = {k: [] for k in sides}
    for i in range(args.rounds):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for name in order:
            results[name].append(run(sides[name], args.script, args.extra))
            print(f"round {i + 1}: {name} done", file=sys.stderr)
    numeric = [k for k, v in results["current"][0].items() if isinstance(v, (int, float))]
    summary = {
        name: {k: statistics.median(r[k] for r in rs) for k in numeric}
        for name, rs in results.items()
    }
    summary["ratio_current_to_baseline"] = {
        k: round(summary["current"][k] / summary["baseline"][k], 3)
        for k in numeric
        if summary["baseline"].get(k)
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
