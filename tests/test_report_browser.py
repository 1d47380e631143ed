"""The HTML brief in headless Chromium (Debian's /usr/bin/chromium driven by Playwright): no console
errors, no request leaves the file, the charts are drawn; screenshots go to tests/artifacts/
(git-ignored) for a person to look at (docs/looks.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from _report_world import build
from conftest import ARTIFACTS
from silkroad.briefs import brief

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_html_brief_opens_offline_with_charts_drawn(browser, tmp_path_factory, lang):
    root = tmp_path_factory.mktemp(f"browser-{lang}")
    store = build(root)
    when = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    path = brief(store, "BLR", "KAZ", year=2014, base=2011, lang=lang, generated_at=when).save(
        root / f"brief-{lang}.html"
    )
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    for chart in ("balance", "dynamics", "treemap", "history"):
        page.wait_for_selector(f"#chart-{chart} svg", timeout=15_000)
    marks = page.locator("#chart-dynamics svg .mark-rect path").count()
    assert marks == 2 * 4  # exports and imports bars for 2011-2014
    assert page.locator("#chart-dynamics svg .mark-line path").count() == 1
    title = page.locator("#chart-dynamics svg .role-title-text").text_content()
    assert title == (
        "The dynamics of trade between Belarus and Kazakhstan, million USD"
        if lang == "en"
        else "Динамика торговли между Беларусью и Казахстаном, млн долл. США"
    )
    assert problems == []
    assert [u for u in requests if not u.startswith("file://")] == []
    # the treemap: one rectangle per group of exports and of imports (3 + 2 in 2014)
    assert page.locator("#chart-treemap svg .mark-rect path").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")  # pictures for people, never committed
    page.screenshot(path=str(ARTIFACTS / f"brief-{lang}.png"), full_page=True)
    page.close()
