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
    env = {k: v for k, v in os.environ.items() if k != "SILKROAD_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(world_home), str(port), str(token_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/v1/sources", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
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
