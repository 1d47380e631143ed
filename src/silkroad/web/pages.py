"""The dashboard: server-rendered pages, each with a JSON twin (``….json``) of the same data.

- ``/`` (twin ``/index.json``): what the store holds, a form to pick two economies or blocs,
  the pairs opened recently.
- ``/pairs/{a}/{b}`` (twin ``/pairs/{a}/{b}.json``): headline figures, turnover over time,
  structure (treemap and tables), movers, prices, the mirror comparison where declared data
  exist. Every choice (year, base, level, top, perspective, source, language) is in the URL.

One function gathers a page's data (:func:`home_data`, :func:`pair_data`); the template and the
JSON twin both render it. Tables are plain HTML (they work without JavaScript); charts are drawn
by the bundled Vega-Embed from the specs inlined as JSON.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silkroad import args
from silkroad.errors import InputError, SilkroadError
from silkroad.results import jsonable
from silkroad.web.api import (
    brief_data,
    brief_key,
    compute,
    economies_data,
    json_response,
    sources_data,
)
from silkroad.web.i18n import t
from silkroad.web.params import BASE, LANG, LEVEL, PERSPECTIVE, SOURCE, TOP, YEAR

if TYPE_CHECKING:
    from silkroad.web.state import Snapshot, Stores

PAIR_PARAMS = (YEAR, BASE, LEVEL, TOP, PERSPECTIVE, SOURCE)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("silkroad.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def _json_script(data: object) -> str:
    """JSON to inline in a <script type="application/json">: '<' escaped (still valid JSON)."""
    return json.dumps(jsonable(data), ensure_ascii=False).replace("<", "\\u003c")


def url(path: str, **query: Any) -> str:
    """A relative URL on this server with the non-empty ``query`` values (a shareable state)."""
    q = {k: v for k, v in query.items() if v is not None and v != ""}
    return path + ("?" + urlencode(q) if q else "")


def render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, body: dict[str, Any], status: int) -> HTMLResponse:
    """The HTML face of an error (the same body as the JSON one)."""
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in args.LANGS else "en"
    return render(
        "error.html.j2",
        status,
        lang=lang,
        t=lambda key, **kw: t(lang, key, **kw),
        error=body["error"],
        switch=None,
        twin=None,
        charts={},
        embed="{}",
    )


# --- home ------------------------------------------------------------------------------------
def home_data(stores: Stores, snap: Snapshot, lang: str) -> dict[str, Any]:
    """What the home page shows: the store's sources, economies and blocs, recent pairs."""
    return {
        "page": {"lang": lang, "html": url("/", lang=lang), "json": url("/index.json", lang=lang)},
        "store": sources_data(snap),
        "choices": economies_data(stores, snap),
        "recent": [
            {"a": a, "b": b, "html": url(f"/pairs/{quote(a)}/{quote(b)}", lang=lang)}
            for a, b in stores.recent.items()
        ],
    }


# --- pair ------------------------------------------------------------------------------------
def pair_state(snap: Snapshot, a: str, b: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The page's choices, checked as the API checks them; the year defaults to the latest."""
    v = {p.name: p.clean(raw.get(p.name)) for p in PAIR_PARAMS}
    v["lang"] = LANG.clean(raw.get("lang"))
    pair = snap.pair(a, b, source=v["source"], perspective=v["perspective"])
    held = pair.years_available()
    if not held:
        raise InputError("the source holds no year", field="year")
    if v["year"] is None:
        v["year"] = held[-1]
    v["a"], v["b"], v["held"] = pair.a, pair.b, held
    v["source_used"], v["perspective_used"] = pair.source, pair.perspective
    return v


def pair_data(
    stores: Stores, snap: Snapshot, a: str, b: str, raw: dict[str, Any]
) -> dict[str, Any]:
    """What the pair page shows: the brief's data (cached) and the mirror where it exists."""
    v = pair_state(snap, a, b, raw)
    data = brief_data(stores, snap, a, b, v)
    mirror = mirror_error = None
    level = v["level"] if v["level"] in args.LEVELS else "hs2"
    try:
        mirror = compute(
            stores, snap, "mirror", a, b, {"year": v["year"], "level": level, "top": v["top"]}
        )
    except SilkroadError as exc:  # no declared data for both sides: said, not hidden
        mirror_error = str(exc)
    stores.recent.add(v["a"], v["b"])
    state = {k: v[k] for k in ("year", "base", "level", "top", "perspective", "source", "lang")}
    path = f"/pairs/{quote(v['a'])}/{quote(v['b'])}"
    links = {
        "html": url(path, **state),
        "json": url(path + ".json", **state),
        **{
            f"brief_{fmt}": url(
                f"/api/v1{path}/brief",
                year=v["year"],
                base=v["base"],
                level=v["level"],
                top=v["top"],
                perspective=v["perspective"],
                source=v["source"],
                lang=v["lang"],
                format=fmt,
            )
            for fmt in ("pdf", "xlsx", "html", "md")
        },
    }
    return {
        "state": v,
        "links": links,
        "data": data,
        "key": brief_key(snap, a, b, v),
        "mirror": mirror,
        "mirror_error": mirror_error,
    }


def pair_json(page: dict[str, Any]) -> dict[str, Any]:
    """The JSON twin of the pair page: the same numbers, USD, through the one serialiser."""
    d, v = page["data"], page["state"]
    return {
        "page": {
            **{k: v[k] for k in ("a", "b", "year", "base", "level", "top", "lang")},
            "perspective": v["perspective_used"],
            "source": v["source_used"],
            "years_held": v["held"],
            "links": page["links"],
        },
        "metadata": d.metadata,
        "years_shown": d.years,
        "profile": d.profile,
        "structure": d.structure,
        "movers": d.movers,
        "prices": d.prices,
        "mirror": page["mirror"],
        "mirror_error": page["mirror_error"],
    }


def _mirror_rows(result: Any) -> list[dict[str, Any]]:
    if result is None:
        return []
    return [jsonable(r) for r in result["summary"].to_dict(orient="records")]


def pair_html(stores: Stores, page: dict[str, Any]) -> HTMLResponse:
    from silkroad.report.brief import Brief
    from silkroad.report.charts import format_locale
    from silkroad.report.tables import cards, pair_names

    v, data = page["state"], page["data"]
    lang = v["lang"]
    # one Brief per data and language: its tables, narrative and charts are built once
    brief = stores.cache.get((*page["key"], "page-brief", lang), lambda: Brief(data, lang))
    brief.tables, brief.narrative, brief.charts  # noqa: B018 (built now, under this request)
    charts: dict[str, dict[str, Any]] = {}
    modes: dict[str, str] = {}
    for key, spec in brief.charts.items():
        charts[key], modes[key] = spec, "vega-lite"
    names = pair_names(brief)
    other = "ru" if lang == "en" else "en"
    state = {k: v[k] for k in ("year", "base", "level", "top", "perspective", "source")}
    path = page["links"]["html"].split("?")[0]
    return render(
        "pair.html.j2",
        lang=lang,
        t=lambda key, **kw: t(lang, key, **kw),
        title=t(lang, "title", a=names["a"], b=names["b"]),
        subtitle=t(lang, "subtitle", year=data.year),
        synthetic=bool(data.metadata.get("synthetic")),
        direction_note=t(lang, "direction_note", a=names["a"], b=names["b"]),
        cards=cards(brief),
        narrative=brief.narrative,
        table=brief.tables.get,
        movers_missing=data.prev is None,
        no_prev=t(lang, "no_prev_year", prev=data.year - 1, year=data.year),
        charts={k: _json_script(s) for k, s in charts.items()},
        modes=modes,
        embed=_json_script(
            {"actions": False, "renderer": "svg", "formatLocale": format_locale(lang)}
        ),
        state=v,
        path=path,
        levels=args.GROUPINGS,
        perspectives=args.PERSPECTIVES,
        links=page["links"],
        switch={"lang": other, "href": url(path, **state, lang=other)},
        twin=page["links"]["json"],
        mirror=_mirror_rows(page["mirror"]),
        mirror_error=page["mirror_error"],
    )


def router(stores: Stores) -> APIRouter:
    """The dashboard's pages and their JSON twins (not in the OpenAPI description)."""
    r = APIRouter(include_in_schema=False)

    @r.get("/index.json")
    def home_json(lang: str | None = None) -> Response:
        lang = LANG.clean(lang)
        return json_response(home_data(stores, stores.snapshot(), lang))

    @r.get("/")
    def home(lang: str | None = None) -> HTMLResponse:
        lang = LANG.clean(lang)
        page = home_data(stores, stores.snapshot(), lang)
        return render(
            "home.html.j2",
            lang=lang,
            t=lambda key, **kw: t(lang, key, **kw),
            page=page,
            switch={
                "lang": "ru" if lang == "en" else "en",
                "href": url("/", lang="ru" if lang == "en" else "en"),
            },
            twin=page["page"]["json"],
            charts={},
            embed="{}",
        )

    @r.get("/pairs")
    def pick(
        a: str = "", b: str = "", year: str | None = None, lang: str | None = None
    ) -> Response:
        """The home page's form: a redirect to the pair's own URL."""
        if not a.strip() or not b.strip():
            raise InputError(
                "pick both sides",
                field="a" if not a.strip() else "b",
                expected="an economy or bloc",
            )
        target = url(f"/pairs/{quote(a.strip())}/{quote(b.strip())}", year=year, lang=lang)
        return RedirectResponse(target, status_code=303)

    @r.get("/pairs/{a}/{b}.json")
    def pair_page_json(a: str, b: str, request: Request) -> Response:
        page = pair_data(stores, stores.snapshot(), a, b, dict(request.query_params))
        return json_response(pair_json(page))

    @r.get("/pairs/{a}/{b}")
    def pair_page(a: str, b: str, request: Request) -> HTMLResponse:
        page = pair_data(stores, stores.snapshot(), a, b, dict(request.query_params))
        return pair_html(stores, page)

    return r
