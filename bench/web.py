"""Web API load test: 16 concurrent clients against `silkroad serve` on 127.0.0.1, vs the CLI.

A mix of summary, profile and structure requests for random pairs (seeded) goes to a warm
server (started; every worker process and thread warmed by requests for other pairs) in two
phases: 'fresh' (each request new to the server's result cache: the claim) and 'cached' (the
same requests again; with several workers a request may land on one that has not seen it).
p50/p95 latency per kind, throughput, errors. The baseline, in the same run: `python -m
silkroad.cli summary|profile|structure … --json` once per request, 2 at a time (one per core).
Every loop is bounded in count and in time, and talks to 127.0.0.1 only. Another checkout's
code is measured with the same script: ``PYTHONPATH=../other/src python bench/web.py …``.

Usage: python bench/web.py [--size small|full] [--requests 480] [--clients 16] [--cli 8]
       [--workers 2]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"  # never anything else
KINDS = ("summary", "profile", "structure")
#: Longest a phase may run, seconds (the request count bounds it too).
PHASE_LIMIT_S = 240.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def requests_mix(economies: list[str], year: int, n: int, seed: int) -> list[tuple[str, str, dict]]:
    """``n`` requests (kind, path, params): random ordered pairs, kinds in turn."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.sample(economies, 2)
        kind = KINDS[i % len(KINDS)]
        params: dict = {"year": year, "level": "hs2"} if kind == "structure" else {}
        out.append((kind, f"/api/v1/pairs/{a}/{b}/{kind}", params))
    return out


def run_phase(base: str, mix: list[tuple[str, str, dict]], clients: int) -> dict:
    """Send ``mix`` with ``clients`` concurrent clients; latency per kind, throughput, errors."""
    local = threading.local()
    deadline = time.perf_counter() + PHASE_LIMIT_S

    def one(item: tuple[str, str, dict]) -> tuple[str, float, int]:
        if time.perf_counter() > deadline:
            return item[0], float("nan"), -1  # not sent: the phase ran out of time
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, timeout=60)
        t = time.perf_counter()
        r = client.get(item[1], params=item[2])
        return item[0], time.perf_counter() - t, r.status_code

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(one, mix))
    wall = time.perf_counter() - t0
    sent = [d for d in done if d[2] != -1]
    out: dict = {
        "requests": len(sent),
        "not_sent_time_limit": len(done) - len(sent),
        "errors": sum(1 for d in sent if d[2] != 200),
        "statuses": sorted({d[2] for d in sent}),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(sent) / wall, 1),
    }
    for kind in (*KINDS, "all"):
        lat = sorted(d[1] for d in sent if kind in ("all", d[0]))
        if lat:
            out[kind] = {
                "p50_ms": round(1000 * statistics.median(lat), 1),
                "p95_ms": round(1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1),
            }
    return out


def cli_baseline(home: Path, mix: list[tuple[str, str, dict]], workers: int = 2) -> dict:
    """The same kind of requests answered by one CLI process each (``workers`` at a time)."""

    def one(item: tuple[str, str, dict]) -> tuple[float, int]:
        kind, path, params = item
        a, b = path.split("/")[4:6]
        cmd = [sys.executable, "-m", "silkroad.cli", kind, a, b, "--home", str(home), "--json"]
        if kind == "structure":
            cmd += ["--year", str(params["year"]), "--level", "hs2"]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, timeout=120)
        return time.perf_counter() - t, proc.returncode

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(one, mix))
    wall = time.perf_counter() - t0
    lat = sorted(d[0] for d in done)
    return {
        "requests": len(done),
        "workers": workers,
        "errors": sum(1 for d in done if d[1] != 0),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(done) / wall, 2),
        "p50_ms": round(1000 * statistics.median(lat), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=["small", "full"])
    parser.add_argument("--home", type=Path, help="an existing store instead of bench/data/SIZE")
    parser.add_argument("--requests", type=int, default=480)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--cli", type=int, default=8, help="CLI runs for the baseline (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    args = parser.parse_args()
    args.requests = min(args.requests, 5000)  # bounded whatever is asked
    args.cli = min(args.cli, 60)

    import silkroad as sr
    from ingest import full_store
    from silkroad.web import serve

    home = args.home or full_store(args.size)
    store = sr.open(home)
    year = store.years()[-1]
    world = sr.world(store)
    totals = world.bilateral_totals(year)
    economies = sorted(set(totals.exporter) & set(totals.importer))
    mix = requests_mix(economies, year, args.requests, args.seed)

    port = free_port()
    base = f"http://{HOST}:{port}"
    code = (
        "import sys; from silkroad.web import serve; "
        "serve(sys.argv[1], port=int(sys.argv[2]), workers=int(sys.argv[3]))"
    )
    if "workers" not in inspect.signature(serve).parameters:  # an older checkout's serve
        code = (
            "import sys; from silkroad.web import serve; serve(sys.argv[1], port=int(sys.argv[2]))"
        )
    env = {k: v for k, v in os.environ.items() if k != "SILKROAD_TOKEN"}  # read-only
    server = subprocess.Popen(
        [sys.executable, "-c", code, str(home), str(port), str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/api/v1/sources", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        # warm: imports, engine, each worker's pair totals and threads' stores, with pairs
        # that are not in the measured mix (so that its requests stay new to the server)
        measured = {path for _, path, _ in mix}
        extra = requests_mix(economies, year, 8 * args.clients, args.seed + 99)
        run_phase(base, [r for r in extra if r[1] not in measured], args.clients)
        load_before = os.getloadavg()[0]
        fresh = run_phase(base, mix, args.clients)
        cached = run_phase(base, mix, args.clients)
        single = run_phase(base, mix[:60], 1)  # cached, one client: the server's own latency
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    cli = (
        cli_baseline(home, requests_mix(economies, year, args.cli, args.seed + 1))
        if args.cli
        else None
    )

    result = {
        "size": args.size if args.home is None else str(args.home),
        "rows": sum(s["rows"] for s in store.sources()),
        "years": store.years(),
        "economies": len(economies),
        "clients": args.clients,
        "workers": args.workers,
        "fresh": fresh,
        "cached": cached,
        "cached_one_client": single,
        "cli": cli,
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    if cli:
        result["throughput_vs_cli_fresh"] = round(
            fresh["throughput_rps"] / cli["throughput_rps"], 1
        )
        result["throughput_vs_cli_cached"] = round(
            cached["throughput_rps"] / cli["throughput_rps"], 1
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"web-{args.size}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
