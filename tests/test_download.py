"""Downloaders against a fake server on 127.0.0.1 started by the tests (no other network)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from silkroad.analytics.pair import Pair
from silkroad.download.http import DownloadError, Http
from silkroad.download.sources import KEY_HEADER, download_baci, download_comtrade
from silkroad.errors import InputError


class FakeServer:
    """Serves scripted answers per path, in order (the last one repeats); logs every request."""

    def __init__(self) -> None:
        self.script: dict[str, list[tuple]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                server.log.append((self.path, dict(self.headers)))
                actions = server.script[path]
                action = actions.pop(0) if len(actions) > 1 else actions[0]
                kind = action[0]
                if kind == "comtrade":  # ("comtrade", all rows at every level, server cap)
                    action = ("json", {"data": answer(action[1], action[2], self.path)})
                    kind = "json"
                if kind == "json":
                    body = json.dumps(action[1]).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif kind == "status":
                    _, code, headers, body = action
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif kind == "file":  # ("file", content, cut_after or None)
                    _, content, cut = action
                    start = 0
                    rng = self.headers.get("Range")
                    if rng:
                        start = int(rng.split("=")[1].split("-")[0])
                        self.send_response(206)
                        self.send_header(
                            "Content-Range", f"bytes {start}-{len(content) - 1}/{len(content)}"
                        )
                    else:
                        self.send_response(200)
                    self.send_header("Content-Length", str(len(content) - start))
                    self.end_headers()
                    payload = content[start:] if cut is None else content[start : start + cut]
                    self.wfile.write(payload)
                    if cut is not None:
                        self.wfile.flush()
                        self.connection.shutdown(2)  # drop the connection mid-body

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rec(flow, partner, cmd, value, *, reporter=398, year=2014):
    """A Comtrade final-data record with the fixed breakdowns (partner2 0, C00, transport 0)."""
    return {
        "refYear": year, "period": str(year), "reporterCode": reporter, "flowCode": flow,
        "partnerCode": partner, "partner2Code": 0, "customsCode": "C00", "motCode": 0,
        "classificationCode": "H4", "cmdCode": cmd, "primaryValue": value,
    }  # fmt: skip


def with_aggregates(hs6_rows):
    """The hs6 rows plus what Comtrade also holds: their headings, chapters and TOTAL."""
    sums: dict[tuple, float] = {}
    for r in hs6_rows:
        for cmd in (r["cmdCode"][:4], r["cmdCode"][:2], "TOTAL"):
            key = (r["flowCode"], r["partnerCode"], cmd)
            sums[key] = sums.get(key, 0.0) + r["primaryValue"]
    return list(hs6_rows) + [rec(f, p, cmd, v) for (f, p, cmd), v in sums.items()]


def answer(rows, cap, path):
    """What the Comtrade API answers to one query over ``rows``, cut at the cap or maxRecords."""
    q = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    flows = q["flowCode"].split(",")
    cmd = q["cmdCode"]
    partners = {int(p) for p in q["partnerCode"].split(",")} if "partnerCode" in q else None

    def wanted(r):
        if r["flowCode"] not in flows or (
            partners is not None and r["partnerCode"] not in partners
        ):
            return False
        if cmd in ("TOTAL", "AG2", "AG4", "AG6"):
            return r["cmdCode"] == cmd if cmd == "TOTAL" else len(r["cmdCode"]) == int(cmd[2])
        return r["cmdCode"] in cmd.split(",")

    hits = [r for r in rows if wanted(r)]
    return hits[: min(cap, int(q.get("maxRecords", cap)))]


@pytest.fixture
def server(monkeypatch):
    s = FakeServer()
    monkeypatch.setenv("SILKROAD_BACI_URL", s.url + "/baci")
    monkeypatch.setenv("SILKROAD_COMTRADE_URL", s.url + "/comtrade")
    yield s
    s.stop()


def http(**kw) -> tuple[Http, list[float]]:
    sleeps: list[float] = []
    return Http(sleep=sleeps.append, timeout=5, **kw), sleeps


def test_baci_download_resumes_after_a_dropped_connection(server, tmp_path):
    content = os.urandom(300_000)
    server.script["/baci/BACI_HS92_V202401b.zip"] = [
        ("file", content, 100_000),
        ("file", content, None),
    ]
    client, sleeps = http(backoff=0.5)
    path = download_baci(client, release="V202401b", hs="92", dest=tmp_path)
    assert path.name == "BACI_HS92_V202401b.zip"
    assert path.read_bytes() == content
    assert not list(tmp_path.glob("*.part"))
    ranges = [h.get("Range") for _, h in server.log]
    assert ranges == [None, "bytes=100000-"]  # the second request resumed, not restarted
    assert sleeps == [0.5]


def test_a_truncated_body_is_resumed_and_a_second_run_is_not_downloaded_again(server, tmp_path):
    content = b"x" * 5000
    server.script["/baci/BACI_HS17_V202501.zip"] = [("file", content, 1000), ("file", content, 1500), ("file", content, None)]  # fmt: skip
    client, _ = http(backoff=0.0)
    path = download_baci(client, release="202501", hs="17", dest=tmp_path)
    assert path.read_bytes() == content
    sent = len(server.log)
    download_baci(client, release="202501", hs="17", dest=tmp_path)
    assert len(server.log) == sent


def test_backoff_on_429_honours_retry_after_and_try_again_text(server, tmp_path):
    server.script["/comtrade/C/A/HS"] = [
        ("status", 429, {"Retry-After": "7"}, b"slow down"),
        ("status", 429, {}, b'{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 3 seconds."}'),
        ("status", 503, {}, b"busy"),
        ("json", {"data": [{"reporterCode": 398, "period": "2014"}]}),
    ]  # fmt: skip
    client, sleeps = http(backoff=1.0)
    paths = download_comtrade(client, reporter="KAZ", partner="BLR", years=[2014], dest=tmp_path)
    assert sleeps == [7.0, 3.0, 4.0]  # Retry-After, the body's N seconds, then 1 * 2**2
    assert json.loads(paths[0].read_text())["data"][0]["reporterCode"] == 398
    query = server.log[-1][0]
    assert "reporterCode=398" in query and "partnerCode=112" in query and "period=2014" in query


def test_cached_second_run_makes_no_request(server, tmp_path):
    server.script["/comtrade/C/A/HS"] = [("json", {"data": [{"primaryValue": 1.5}]})]
    client, _ = http(cache_dir=tmp_path / "cache")
    first = download_comtrade(
        client, reporter="KAZ", partner=None, years=[2013, 2014], dest=tmp_path / "a"
    )
    assert len(server.log) == 2
    again = download_comtrade(
        client, reporter="KAZ", partner=None, years=[2013, 2014], dest=tmp_path / "b"
    )
    assert len(server.log) == 2  # answered from the cache
    assert [p.read_text() for p in first] == [p.read_text() for p in again]


def test_the_key_is_sent_in_a_header_and_never_shown_logged_or_cached(server, tmp_path, caplog):
    key = "SECRET-KEY-123"
    server.script["/comtrade/C/A/HS"] = [
        ("json", {"data": [{"primaryValue": 2.0}]}),
        ("status", 401, {}, f"invalid subscription key {key}".encode()),
    ]
    caplog.set_level(logging.DEBUG)
    client, _ = http(cache_dir=tmp_path / "cache", secret_headers={KEY_HEADER: key})
    download_comtrade(client, reporter="KAZ", partner="BLR", years=[2014], dest=tmp_path)
    with pytest.raises(DownloadError) as info:
        download_comtrade(client, reporter="KAZ", partner="BLR", years=[2015], dest=tmp_path)
    assert server.log[0][1].get(KEY_HEADER) == key  # sent
    assert all(key not in path for path, _ in server.log)  # never in a URL
    assert key not in str(info.value) and "401" in str(info.value)
    assert key not in caplog.text
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert key.encode() not in f.read_bytes()


def test_empty_data_and_giving_up_are_errors(server, tmp_path):
    server.script["/comtrade/C/A/HS"] = [("json", {"count": 0, "data": [], "error": ""})]
    client, _ = http()
    with pytest.raises(InputError, match="no data for KAZ in 2014"):
        download_comtrade(client, reporter="KAZ", partner="BLR", years=[2014], dest=tmp_path)
    server.script["/baci/BACI_HS92_V202401.zip"] = [("status", 503, {}, b"down")]
    client, sleeps = http(retries=2, backoff=0.25)
    with pytest.raises(DownloadError, match="giving up after 3 attempts"):
        download_baci(client, release="V202401", hs="92", dest=tmp_path)
    assert sleeps == [0.25, 0.5]


@pytest.mark.parametrize(
    ("kw", "needle"),
    [({"release": "2024", "hs": "92"}, "release"), ({"release": "V202401b", "hs": "93"}, "HS")],
)
def test_bad_arguments_are_one_line_errors(kw, needle, tmp_path):
    with pytest.raises(InputError, match=needle):
        download_baci(Http(), dest=tmp_path, **kw)


def test_cli_downloads_a_release_then_ingests_it(server, tmp_path):
    from conftest import WORLD_2014, BaciFiles, run_cli

    archive = BaciFiles(tmp_path / "src").release_zip({2014: WORLD_2014})
    server.script["/baci/BACI_HS92_V202401b.zip"] = [("file", archive.read_bytes(), None)]
    home = tmp_path / "home"
    env = {"SILKROAD_BACI_URL": server.url + "/baci"}
    result = run_cli("download", "baci", "--release", "V202401b", "--home", home, env=env)
    assert result.returncode == 0, result.stderr
    assert "downloaded" in result.stdout and "baci-hs92" in result.stdout
    assert (home / "downloads" / "BACI_HS92_V202401b.zip").read_bytes() == archive.read_bytes()
    import silkroad as sr

    assert sr.open(home).years() == [2014]
    # No key in the environment: one line, exit 2, nothing requested.
    sent = len(server.log)
    env = {"SILKROAD_COMTRADE_URL": server.url + "/comtrade", "COMTRADE_KEY": ""}
    result = run_cli("download", "comtrade", "--reporter", "KAZ", "--years", "2014", "--home", home, env=env)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "COMTRADE_KEY" in result.stderr
    assert len(server.log) == sent


def test_cli_downloads_comtrade_declarations_then_ingests_them(server, tmp_path):
    import silkroad as sr
    from conftest import run_cli

    def rec(flow, value, cmd):  # Kazakhstan (398) declaring trade with Belarus (112), 2014, H4
        return {
            "refYear": 2014, "period": "2014", "reporterCode": 398, "flowCode": flow,
            "partnerCode": 112, "partner2Code": 0, "customsCode": "C00", "motCode": 0,
            "classificationCode": "H4", "cmdCode": cmd, "primaryValue": value,
            "netWgt": None, "qty": None, "qtyUnitAbbr": None,
        }  # fmt: skip

    server.script["/comtrade/C/A/HS"] = [
        ("json", {"data": [rec("X", 250_000.0, "270900"), rec("M", 300_500.0, "870120")]})
    ]
    home = tmp_path / "home"
    env = {"SILKROAD_COMTRADE_URL": server.url + "/comtrade", "COMTRADE_KEY": "K-42"}
    result = run_cli(
        "download", "comtrade", "--reporter", "KAZ", "--partner", "BLR", "--years", "2014",
        "--home", home, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "K-42" not in result.stdout + result.stderr
    assert server.log[0][1].get("Ocp-Apim-Subscription-Key") == "K-42"
    store = sr.open(home)
    assert "comtrade-kaz" in store.catalog.sources
    # Kazakhstan's own declarations: exports to Belarus 250 000, imports from it 300 500 USD.
    df = Pair(store, "KAZ", "BLR", perspective="exporter").summary().to_frame().set_index("year")
    assert df.loc[2014, "exports_usd"] == pytest.approx(250_000.0)
    assert df.loc[2014, "imports_usd"] == pytest.approx(300_500.0)


def test_an_empty_answer_is_not_cached_so_a_later_run_asks_again(server, tmp_path):
    server.script["/comtrade/C/A/HS"] = [
        ("json", {"count": 0, "data": [], "error": ""}),  # not yet published
        ("json", {"data": [{"primaryValue": 9.0}]}),  # published later
    ]
    client, _ = http(cache_dir=tmp_path / "cache")
    with pytest.raises(InputError, match="no data"):
        download_comtrade(client, reporter="KAZ", partner="BLR", years=[2014], dest=tmp_path)
    paths = download_comtrade(client, reporter="KAZ", partner="BLR", years=[2014], dest=tmp_path)
    assert len(server.log) == 2
    assert json.loads(paths[0].read_text())["data"] == [{"primaryValue": 9.0}]


def test_error_bodies_become_one_line(server, tmp_path):
    server.script["/comtrade/C/A/HS"] = [
        ("status", 400, {}, b"Bad request\nline two\n\tline three")
    ]
    client, _ = http()
    with pytest.raises(DownloadError) as info:
        download_comtrade(client, reporter="KAZ", partner="BLR", years=[2014], dest=tmp_path)
    assert "\n" not in str(info.value) and "line two" in str(info.value)


# --- paging under the record cap ---------------------------------------------------------------
# Kazakhstan's 2014 hs6 declarations: 12 rows, 2 flows, 3 partners (BLR 112, CHN 156, RUS 643).
TWELVE = [
    rec("X", 112, "270900", 1.0), rec("X", 112, "271000", 2.0), rec("X", 112, "847130", 3.0),
    rec("X", 643, "270900", 4.0), rec("X", 643, "720839", 5.0),
    rec("X", 156, "260300", 6.0),
    rec("M", 112, "870323", 7.0), rec("M", 112, "040210", 8.0),
    rec("M", 643, "271000", 9.0),
    rec("M", 156, "847130", 10.0), rec("M", 156, "851712", 11.0), rec("M", 156, "640299", 12.0),
]  # fmt: skip


def _key(row):
    return json.dumps(row, sort_keys=True)


def test_a_capped_answer_is_paged_by_flow_and_partner_into_exactly_the_full_answer(
    server, tmp_path
):
    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(TWELVE), 5)]
    seen = []
    client, _ = http(cache_dir=tmp_path / "cache")
    paths = download_comtrade(
        client, reporter="KAZ", partner=None, years=[2014], dest=tmp_path / "a", max_records=5,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )  # fmt: skip
    rows = json.loads(paths[0].read_text())["data"]
    assert len(rows) == 12  # every row once ...
    assert sorted(map(_key, rows)) == sorted(map(_key, TWELVE))  # ... and exactly the server's
    # The whole query, 2 flows, 2 partner listings (TOTAL) and 6 flow-partner pieces.
    assert len(server.log) == 11
    assert all("maxRecords=5" in path for path, _ in server.log)
    # Progress: queries done out of queries known, for the year; it ends complete.
    assert seen[-1] == ("2014", 11, 11)
    assert all(done <= total for _, done, total in seen)
    # A second run (another destination) is answered from the cache, piece by piece.
    again = download_comtrade(
        client, reporter="KAZ", partner=None, years=[2014], dest=tmp_path / "b", max_records=5
    )
    assert len(server.log) == 11
    assert again[0].read_text() == paths[0].read_text()


def test_an_hs6_piece_over_the_cap_is_split_by_chapter_with_explicit_code_lists(server, tmp_path):
    ours = [
        rec("X", 112, "270900", 1.0), rec("X", 112, "271000", 2.0), rec("X", 112, "271111", 3.0),
        rec("X", 112, "271112", 4.0), rec("X", 112, "847130", 5.0), rec("X", 112, "847150", 6.0),
        rec("X", 112, "870323", 7.0),
    ]  # fmt: skip
    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(ours), 6)]
    client, _ = http()
    paths = download_comtrade(
        client, reporter="KAZ", partner="BLR", years=[2014], flows=["X"], dest=tmp_path,
        max_records=6,  # 7 rows: capped; 5 headings: not
    )  # fmt: skip
    rows = json.loads(paths[0].read_text())["data"]
    assert sorted(map(_key, rows)) == sorted(map(_key, ours))
    cmds = [parse_qs(urlsplit(path).query)["cmdCode"][0] for path, _ in server.log]
    assert cmds[:2] == ["AG6", "AG4"]  # the whole query, then the headings with trade
    chapters = [c.split(",") for c in cmds[2:]]
    assert [(c[0], c[-1], len(c)) for c in chapters] == [
        ("270900", "271199", 300),
        ("847100", "847199", 100),
        ("870300", "870399", 100),
    ]


def test_a_piece_that_cannot_be_split_under_the_cap_is_a_one_line_error(server, tmp_path):
    ours = [rec("X", 112, code, 1.0) for code in ("847130", "847141", "847150")]
    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(ours), 2)]
    client, _ = http()
    with pytest.raises(DownloadError) as info:
        download_comtrade(
            client, reporter="KAZ", partner="BLR", years=[2014], flows=["X"], dest=tmp_path,
            max_records=2,
        )  # fmt: skip
    message = str(info.value)
    assert "\n" not in message
    assert "KAZ in 2014" in message and "chapter 84 headings 8471" in message
    assert "cannot be split further" in message
    assert not list(tmp_path.glob("*.json"))  # nothing half-written


def test_the_record_cap_comes_from_the_setting(server, tmp_path, monkeypatch):
    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(TWELVE), 1000)]
    monkeypatch.setenv("SILKROAD_COMTRADE_MAX_RECORDS", "7")
    client, _ = http()
    paths = download_comtrade(client, reporter="KAZ", partner=None, years=[2014], dest=tmp_path)
    assert "maxRecords=7" in server.log[0][0]
    assert len(server.log) > 1  # 12 rows reach a cap of 7: paged
    assert len(json.loads(paths[0].read_text())["data"]) == 12
    monkeypatch.setenv("SILKROAD_COMTRADE_MAX_RECORDS", "lots")
    with pytest.raises(InputError, match="SILKROAD_COMTRADE_MAX_RECORDS"):
        download_comtrade(client, reporter="KAZ", partner=None, years=[2014], dest=tmp_path)


def test_cli_pages_a_capped_download_and_shows_progress_on_a_terminal(server, tmp_path):
    from conftest import run_cli

    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(TWELVE), 5)]
    home = tmp_path / "home"
    env = {
        "SILKROAD_COMTRADE_URL": server.url + "/comtrade", "COMTRADE_KEY": "K-42",
        "TTY_COMPATIBLE": "1",  # a terminal as far as the progress bar is concerned
        "TERM": "xterm",  # not 'dumb' (tools/gen_cli_docs.py sets that in the test process)
    }  # fmt: skip
    args = ("download", "comtrade", "--reporter", "KAZ", "--years", "2014", "--max-records", "5",
            "--no-ingest", "--home", home)  # fmt: skip
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert "download Comtrade KAZ (2014)" in result.stderr and "11/11" in result.stderr
    assert "K-42" not in result.stdout + result.stderr
    assert "11 request(s) sent" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout)
    (path,) = (home / "downloads" / "comtrade").glob("*.json")
    assert sorted(map(_key, json.loads(path.read_text())["data"])) == sorted(map(_key, TWELVE))
    # Not a terminal: no bar; and a second run is answered from the cache.
    result = run_cli(*args, env={**env, "TTY_COMPATIBLE": "0"})
    assert result.returncode == 0, result.stderr
    assert "download Comtrade" not in result.stderr
    assert "0 request(s) sent" in result.stdout and len(server.log) == 11


def test_a_run_stopped_by_an_error_resumes_from_the_cached_pieces(server, tmp_path):
    world = with_aggregates(TWELVE)
    server.script["/comtrade/C/A/HS"] = [("comtrade", world, 5)] * 4 + [
        ("status", 400, {}, b"bad request"),
        ("comtrade", world, 5),
    ]
    client, _ = http(cache_dir=tmp_path / "cache")
    kw = {"reporter": "KAZ", "partner": None, "years": [2014], "dest": tmp_path, "max_records": 5}
    with pytest.raises(DownloadError, match="400"):
        download_comtrade(client, **kw)
    assert len(server.log) == 5 and not list(tmp_path.glob("*.json"))
    paths = download_comtrade(client, **kw)
    assert len(server.log) == 5 + 7  # the 4 answered queries are not asked again
    rows = json.loads(paths[0].read_text())["data"]
    assert sorted(map(_key, rows)) == sorted(map(_key, TWELVE))


def test_a_listing_query_over_the_cap_is_a_one_line_error(server, tmp_path):
    # 7 hs6 rows in 5 headings, cap 5: the heading listing (AG4) is itself capped.
    ours = [rec("X", 112, c, 1.0) for c in ("270900", "271000", "271111", "271112", "847130", "847150", "870323")]  # fmt: skip
    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(ours), 5)]
    client, _ = http()
    with pytest.raises(DownloadError) as info:
        download_comtrade(
            client, reporter="KAZ", partner="BLR", years=[2014], flows=["X"], dest=tmp_path,
            max_records=5,
        )  # fmt: skip
    assert "\n" not in str(info.value)
    assert "cmdCode AG4" in str(info.value) and "cannot be listed" in str(info.value)


def test_an_empty_answer_to_a_chapter_listed_with_trade_is_an_error(server, tmp_path, monkeypatch):
    """An API that answered a list of codes with nothing would lose the chapter silently: the
    AG4 listing shows 27 and 84 traded, so an empty answer for them stops the download."""
    ours = [rec("X", 112, c, float(i)) for i, c in enumerate(
        ["270900", "271000", "271111", "847130", "847150", "870323", "870324"], start=1)]  # fmt: skip
    server.script["/comtrade/C/A/HS"] = [("comtrade", with_aggregates(ours), 6)]
    real = answer

    def refuses_lists(rows, cap, path):
        cmd = parse_qs(urlsplit(path).query)["cmdCode"][0]
        return [] if "," in cmd else real(rows, cap, path)

    monkeypatch.setattr(sys.modules[__name__], "answer", refuses_lists)
    client, _ = http()
    with pytest.raises(DownloadError, match=r"answered nothing .* chapter 27 .* lists 6 USD"):
        download_comtrade(
            client, reporter="KAZ", partner="BLR", years=[2014], flows=["X"], dest=tmp_path,
            max_records=6,
        )  # fmt: skip
