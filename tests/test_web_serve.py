"""``silkroad.web.serve`` as a user runs it: a real uvicorn process on 127.0.0.1 that prints its
URL, answers, keeps the write token out of its logs and stops cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from silkroad.errors import InputError
from silkroad.web.server import read_token

TOKEN = "tok-" + "9f8e7d6c5b4a" * 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(code: str, *argv: str, tries: int = 300) -> tuple[subprocess.Popen, str]:
    """Run ``python -c code ARGV`` (a ``serve`` call) without SILKROAD_TOKEN in its environment
    and wait until it answers on ``/api/v1/sources``; the process and its base URL (port: the
    second of ``argv``)."""
    env = {k: v for k, v in os.environ.items() if k != "SILKROAD_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{argv[1]}"
    for _ in range(tries):
        try:
            if httpx.get(base + "/api/v1/sources", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    out, _ = proc.communicate(timeout=30)
    raise AssertionError(f"the server did not answer: {out}")


def test_serve_prints_its_url_keeps_the_token_out_of_logs_and_stops_on_ctrl_c(
    world_home: Path, tmp_path: Path
):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    port = free_port()
    code = (
        "import sys; from silkroad.web import serve; "
        "serve(sys.argv[1], port=int(sys.argv[2]), token_file=sys.argv[3])"
    )
    proc, base = start_server(code, str(world_home), str(port), str(token_file))
    try:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.get(base + "/api/v1/jobs", headers=auth).json() == {"jobs": []}
        assert (
            httpx.get(base + "/api/v1/jobs", headers={"Authorization": "Bearer no"}).status_code
            == 401
        )
        r = httpx.get(base + "/api/v1/pairs/BLR/KAZ/summary", params={"years": "2014"})
        assert r.json()["rows"][0]["turnover_usd"] == pytest.approx(700_000)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"at http://127.0.0.1:{port}/" in out
    assert "writes on" in out
    assert "GET /api/v1/jobs" in out  # the access log is on, and shows the path only
    assert "silkroad server stopped" in out
    assert TOKEN not in out
    assert TOKEN[4:20] not in out


def test_token_from_argument_file_or_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SILKROAD_TOKEN", raising=False)
    assert read_token() is None
    monkeypatch.setenv("SILKROAD_TOKEN", "from-env")
    assert read_token() == "from-env"
    f = tmp_path / "t"
    f.write_text("  from-file  \nsecond line\n")
    assert read_token(f) == "from-file"
    assert read_token(f, "given") == "given"
    f.write_text("\n")
    with pytest.raises(InputError, match="token file is empty"):
        read_token(f)
    with pytest.raises(InputError, match="cannot read the token file"):
        read_token(tmp_path / "missing")


def test_serve_with_two_workers_answers_from_both_and_stops_on_ctrl_c(world_home: Path):
    port = free_port()
    code = (
        "import sys; from silkroad.web import serve; "
        "serve(sys.argv[1], port=int(sys.argv[2]), workers=2)"
    )
    proc, base = start_server(code, str(world_home), str(port), tries=600)
    try:
        # new connections are spread over the workers; every one answers the same figures
        for _ in range(8):
            r = httpx.get(base + "/api/v1/pairs/BLR/KAZ/summary", params={"years": "2014"})
            assert r.json()["rows"][0]["turnover_usd"] == pytest.approx(700_000)
        # read-only: no write endpoint without a token
        assert httpx.get(base + "/api/v1/jobs").status_code in (401, 403, 404)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "2 worker processes" in out
    assert out.count("Started server process") == 2, out
    assert "silkroad server stopped" in out


def test_writes_need_a_single_worker(world_home: Path, tmp_path: Path):
    from silkroad.web import serve

    with pytest.raises(InputError, match="single worker") as err:
        serve(world_home, port=free_port(), token=TOKEN, workers=2)
    assert TOKEN not in str(err.value)
    with pytest.raises(InputError, match="workers"):
        serve(world_home, port=free_port(), workers=0)


def test_summary_never_waits_behind_a_product_rows_analysis(world_home: Path, monkeypatch):
    """One structure computing holds the process's heavy place: a second waits for it, a
    summary or a profile (pair totals) does not."""
    import threading

    from silkroad.analytics.pair import Pair
    from silkroad.web import api
    from silkroad.web.state import Stores

    release = threading.Event()
    entered: list[str] = []
    real = Pair.structure

    def slow_structure(self, year, **kw):
        entered.append(f"{self.a}-{self.b}")
        assert release.wait(30)
        return real(self, year, **kw)

    monkeypatch.setattr(Pair, "structure", slow_structure)
    stores = Stores(world_home)
    done: dict[str, object] = {}

    def ask(name: str, a: str, b: str, raw: dict) -> None:
        done[f"{name}:{a}-{b}"] = api.compute(stores, stores.snapshot(), name, a, b, raw)

    first = threading.Thread(target=ask, args=("structure", "BLR", "KAZ", {"year": "2014"}))
    first.start()
    for _ in range(300):
        if entered:
            break
        time.sleep(0.01)
    assert entered == ["BLR-KAZ"]
    second = threading.Thread(target=ask, args=("structure", "KAZ", "BLR", {"year": "2014"}))
    second.start()
    for name in ("summary", "profile"):
        light = threading.Thread(target=ask, args=(name, "BLR", "KAZ", {}))
        light.start()
        light.join(30)
        assert f"{name}:BLR-KAZ" in done  # answered while the structure still holds its place
    assert entered == ["BLR-KAZ"]  # the second structure waits for the place
    release.set()
    first.join(30)
    second.join(30)
    assert entered == ["BLR-KAZ", "KAZ-BLR"]
    assert set(done) == {
        "structure:BLR-KAZ",
        "structure:KAZ-BLR",
        "summary:BLR-KAZ",
        "profile:BLR-KAZ",
    }
    stores.close()


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are POSIX-only")
def test_heavy_work_runs_on_a_lower_priority_thread_with_its_own_store(world_home: Path):
    import threading

    from silkroad.web.state import HEAVY_NICE, Stores

    stores = Stores(world_home)
    snap = stores.snapshot()
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def where(here):
        tid = threading.get_native_id()
        return tid, os.getpriority(os.PRIO_PROCESS, tid), here.store, here.generation

    tid, nice, store, generation = stores.run_heavy(snap, where)
    assert tid != threading.get_native_id()
    assert nice == min(19, mine + HEAVY_NICE)
    assert store is not snap.store and generation == snap.generation  # its own, same snapshot
    # an error in the task reaches the request as it is
    with pytest.raises(ZeroDivisionError):
        stores.run_heavy(snap, lambda here: 1 / 0)
    stores.close()
