"""The dashboard: server-rendered pages, each with a JSON twin (``….json``) of the same data.

- ``/`` (twin ``/index.json``): what the store holds, a form to pick two economies or blocs,
  the pairs opened recently.
- ``/pairs/{a}/{b}`` (twin ``/pairs/{a}/{b}.json``): headline figures, turnover over time,
  structure (treemap and tables), movers, prices, the mirror comparison where declared data
  exist, comparative advantage and complexity, untapped potential. Every choice (year, base,
  level, top, perspective, source, language) is in the URL.
- ``/economies/{a}`` (twin ``/economies/{a}.json``): one economy's products of highest RCA,
  its ECI and rank, and its opportunities by COG (year, level, top, source, language).

One function gathers a page's data (:func:`home_data`, :func:`pair_data`,
:func:`economy_data`); the template and the
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
    compute_world,
    economies_data,
    json_response,
    sources_data,
)
from silkroad.web.i18n import t
from silkroad.web.params import (
    BASE,
    COMPLEXITY_LEVEL,
    LANG,
    LEVEL,
    PERSPECTIVE,
    SOURCE,
    TOP,
    YEAR,
    party,
    year_param,
)

if TYPE_CHECKING:
    from silkroad.web.state import Snapshot, Stores

PAIR_PARAMS = (YEAR, BASE, LEVEL, TOP, PERSPECTIVE, SOURCE)
ECONOMY_PARAMS = (
    year_param("year", None, "The year shown (default: the latest the source holds)."),
    COMPLEXITY_LEVEL,
    TOP,
    SOURCE,
)


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
            f"economy_{side}": url(f"/economies/{quote(v[side])}", year=v["year"], lang=v["lang"])
            for side in ("a", "b")
        },
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
        "advantage": d.advantage,
        "potential": d.potential,
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
        economy_links=[
            (names[side], page["links"][f"economy_{side}"])
            for side in ("a", "b")
            if not getattr(data, f"party_{side}").is_bloc
        ],
        has_advantage=data.advantage is not None,
        has_potential=data.potential is not None,
    )


# --- economy ---------------------------------------------------------------------------------
def economy_data(stores: Stores, snap: Snapshot, a: str, raw: dict[str, Any]) -> dict[str, Any]:
    """What the economy page shows: its RCA table and its complexity (ECI, rank, opportunities
    by COG), through the API's own cached analyses; the year defaults to the latest held."""
    v = {p.name: p.clean(raw.get(p.name)) for p in ECONOMY_PARAMS}
    v["lang"] = LANG.clean(raw.get("lang"))
    code = party(a, field="a", bloc=False)
    held = snap.world(v["source"]).years()
    if not held:
        raise InputError("the source holds no year", field="year")
    if v["year"] is None:
        v["year"] = held[-1]
    v["a"], v["held"] = code, held
    args_ = {k: v[k] for k in ("year", "level", "top", "source")}
    rca = compute_world(stores, snap, "rca", code, args_)[1]
    complexity = complexity_error = None
    try:
        complexity = compute_world(stores, snap, "economy_complexity", code, args_)[1]
    except SilkroadError as exc:  # no ECI this year (no advantage anywhere, a split world)
        complexity_error = str(exc)
    state = {k: v[k] for k in ("year", "level", "top", "source", "lang")}
    path = f"/economies/{quote(code)}"
    api = {k: v[k] for k in ("year", "level", "top", "source")}
    links = {
        "html": url(path, **state),
        "json": url(path + ".json", **state),
        "api_rca": url(f"/api/v1{path}/rca", **api),
        "api_complexity": url(f"/api/v1{path}/complexity", **api),
    }
    return {
        "state": v,
        "links": links,
        "rca": rca,
        "complexity": complexity,
        "complexity_error": complexity_error,
    }


def economy_json(page: dict[str, Any]) -> dict[str, Any]:
    """The JSON twin of the economy page: the same results as the API's, USD, full precision."""
    v, cx = page["state"], page["complexity"]
    return {
        "page": {
            **{k: v[k] for k in ("a", "year", "level", "top", "lang", "source")},
            "years_held": v["held"],
            "links": page["links"],
        },
        "rca": page["rca"],
        "eci": None if cx is None else cx.values["economy_eci"],
        "eci_rank": None if cx is None else cx.values["eci_rank"],
        "economies_ranked": None if cx is None else len(cx["eci"]),
        "opportunities": None if cx is None else cx["opportunities"],
        "complexity_metadata": None if cx is None else cx["metadata"],
        "complexity_error": page["complexity_error"],
    }


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [jsonable(r) for r in frame.to_dict(orient="records")]


def economy_html(page: dict[str, Any]) -> HTMLResponse:
    from silkroad.reference.countries import country_name
    from silkroad.reference.products import product_name
    from silkroad.report.numbers import Numbers

    v, rca, cx = page["state"], page["rca"], page["complexity"]
    lang = v["lang"]
    rows = _rows(rca["rows"])
    # millions when every row shows at least 0.1 of them, else thousands (no '0.0' rows)
    smallest = min((r["exports_usd"] or 0.0 for r in rows), default=0.0)
    nf = Numbers(lang, "million" if smallest >= 1e5 else "thousand")

    def num(x: Any, digits: int = 2, *, signed: bool = False) -> str:
        return "" if x is None else nf.decimal(float(x), digits, signed=signed)

    def name(code: str) -> str:
        return product_name(code, lang)

    meta = rca["metadata"]
    opp = _rows(cx["opportunities"]) if cx is not None else []
    other = "ru" if lang == "en" else "en"
    state = {k: v[k] for k in ("year", "level", "top", "source")}
    path = page["links"]["html"].split("?")[0]
    title = t(lang, "economy_title", name=country_name(v["a"], lang))
    return render(
        "economy.html.j2",
        lang=lang,
        t=lambda key, **kw: t(lang, key, **kw),
        title=title,
        subtitle=t(lang, "economy_subtitle", year=v["year"], level=v["level"]),
        synthetic=bool(meta.get("synthetic")),
        state=v,
        path=path,
        levels=args.LEVELS,
        links=page["links"],
        unit=nf.unit_label(),
        rca_rows=[
            {
                "code": r["code"],
                "name": name(r["code"]),
                "exports": nf.amount(r["exports_usd"]),
                "share": "" if r["share_of_world"] is None else nf.pct(r["share_of_world"]),
                "rca": num(r["rca"]),
            }
            for r in rows
        ],
        products_adv=t(
            lang,
            "products_adv",
            n=nf.integer(rca["products_with_advantage"]),
            total=nf.integer(rca["products_exported"]),
        ),
        eci=None
        if cx is None
        else {
            "value": num(cx.values["economy_eci"], 3, signed=True),
            "rank": t(
                lang,
                "eci_rank",
                rank=nf.integer(cx.values["eci_rank"]),
                n=nf.integer(len(cx["eci"])),
            ),
        },
        complexity_error=page["complexity_error"],
        opp_rows=[
            {
                "code": r["code"],
                "name": name(r["code"]),
                "cog": num(r.get("cog"), 3),
                "density": num(r.get("density"), 3),
                "pci": num(r.get("pci"), 3),
                "rca": num(r.get("rca")),
            }
            for r in opp
        ],
        convention=(cx["metadata"].get("convention") if cx is not None else None),
        switch={"lang": other, "href": url(path, **state, lang=other)},
        twin=page["links"]["json"],
        charts={},
        embed="{}",
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

    @r.get("/economies/{a}.json")
    def economy_page_json(a: str, request: Request) -> Response:
        page = economy_data(stores, stores.snapshot(), a, dict(request.query_params))
        return json_response(economy_json(page))

    @r.get("/economies/{a}")
    def economy_page(a: str, request: Request) -> HTMLResponse:
        page = economy_data(stores, stores.snapshot(), a, dict(request.query_params))
        return economy_html(page)

    @r.get("/pairs/{a}/{b}.json")
    def pair_page_json(a: str, b: str, request: Request) -> Response:
        page = pair_data(stores, stores.snapshot(), a, b, dict(request.query_params))
        return json_response(pair_json(page))

    @r.get("/pairs/{a}/{b}")
    def pair_page(a: str, b: str, request: Request) -> HTMLResponse:
        page = pair_data(stores, stores.snapshot(), a, b, dict(request.query_params))
        return pair_html(stores, page)

    return r
