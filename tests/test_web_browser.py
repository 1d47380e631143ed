"""The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against
a real uvicorn server on 127.0.0.1: navigate, switch the language, charts drawn, no console
errors, no request to another host. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(world_home: Path):
    """The app under uvicorn in a thread, on a free port of 127.0.0.1; stopped after."""
    import uvicorn

    from silkroad.web import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(world_home), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def watch(page, origin: str) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: None if r.url.startswith(origin) else outside.append(r.url))
    return problems, outside


def test_dashboard_navigate_switch_language_charts_drawn(browser, server):
    page = browser.new_page(viewport={"width": 1180, "height": 1000})
    problems, outside = watch(page, server)
    page.goto(server + "/")
    assert page.locator("#sources td").first.text_content() == "baci-hs92"
    page.select_option("#pick-a", "BLR")
    page.select_option("#pick-b", "KAZ")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**/pairs/BLR/KAZ*")
    for key in ("dynamics", "treemap"):
        page.wait_for_selector(f"#chart-{key}[data-rendered='1'] svg", timeout=20_000)
    # the brief's dynamics chart: exports and imports bars for 2014 and 2015, a turnover line
    assert page.locator("#chart-dynamics svg .mark-rect path").count() == 2 * 2
    assert page.locator("#chart-dynamics svg .mark-line path").count() == 1
    # the brief's treemap: one cell per group traded in 2015, exports 87 and 04, imports 27
    assert page.locator("#chart-treemap svg .mark-rect path").count() == 3
    assert page.locator("#title").text_content() == "Trade between Belarus and Kazakhstan"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-pair-en.png"), full_page=True)

    page.click("#lang-switch")
    page.wait_for_url("**lang=ru*")
    page.wait_for_selector("#chart-dynamics[data-rendered='1'] svg", timeout=20_000)
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("#title").text_content() == "Торговля: Беларусь — Казахстан"
    title = page.locator("#chart-dynamics svg .role-title-text").text_content()
    assert title == "Динамика торговли между Беларусью и Казахстаном, тыс. долл. США"
    page.screenshot(path=str(ARTIFACTS / "web-pair-ru.png"), full_page=True)

    # a changed choice is a new URL that opens the same state again
    page.select_option("#ctl-level", "hs4")
    page.click("#controls button[type=submit]")
    page.wait_for_url("**level=hs4*")
    assert "lang=ru" in page.url
    assert page.locator("#ctl-level").input_value() == "hs4"
    assert problems == []
    assert outside == []
    page.close()


def test_tables_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/pairs/BLR/KAZ?year=2015")
    cells = page.locator("#table-dynamics tbody td").all_text_contents()
    assert "2015" in cells
    assert page.locator("#chart-dynamics svg").count() == 0  # no chart without JavaScript
    page.screenshot(path=str(ARTIFACTS / "web-pair-nojs.png"), full_page=True)
    context.close()


def test_economy_page_from_the_pair_page_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/pairs/BLR/KAZ?year=2015&lang=ru")
    assert page.locator("#potential").count() == 1 and page.locator("#advantage").count() == 1
    page.click("#economy-links a.economy-link >> nth=0")
    page.wait_for_url("**/economies/BLR?*")
    assert page.locator("html").get_attribute("lang") == "ru"
    # BLR's 2015 exports at hs4: tractors 1 250 000 USD, dairy 50 250, computers 10 000 USD
    codes = page.locator("#table-economy-rca tbody td:first-child").all_text_contents()
    assert sorted(codes) == ["0402", "8471", "8701"]
    page.screenshot(path=str(ARTIFACTS / "web-economy-ru.png"), full_page=True)
    context.close()


def test_api_docs_render_offline(browser, server):
    page = browser.new_page()
    problems, outside = watch(page, server)
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_text_contents()
    assert any("/api/v1/pairs/{a}/{b}/summary" in p.replace("\u200b", "") for p in paths)
    page.screenshot(path=str(ARTIFACTS / "web-docs.png"), full_page=False)
    assert outside == []
    assert [p for p in problems if "error" in p] == []
    page.close()
