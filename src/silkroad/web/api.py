"""The JSON API (``/api/v1/…``): route tables of analyses, the same arguments as the CLI.

Every analysis in :data:`ANALYSES` becomes ``GET /api/v1/pairs/{a}/{b}/{name}``: its
parameters are checked by :mod:`silkroad.args` (as the CLI's options are), the answer is the
analysis's :class:`~silkroad.results.Result` serialised by its own ``to_dict()`` (JSON) or
``to_csv()`` (``?format=csv`` or ``Accept: text/csv``). The world-level analyses of the CLI
(``rca``, ``complexity``, ``potential --product``, ``gravity``) are :data:`WORLD_ANALYSES`, one
:class:`WorldAnalysis` each, under ``/api/v1/economies/{a}/…`` or ``/api/v1/…``; a new analysis
joins by adding one entry to either table.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from silkroad import args
from silkroad.errors import SilkroadError
from silkroad.results import Result, dumps
from silkroad.web import openapi as docs
from silkroad.web.params import (
    AVERAGE,
    BASE,
    BLOC,
    CLUSTER,
    COMPLEXITY_LEVEL,
    CONVENTION,
    DIRECTION,
    ECONOMY,
    FE,
    GRAVITY_YEARS,
    LAGS,
    LANG,
    LEADS,
    LEVEL,
    MIRROR_LEVEL,
    OPTIONAL_YEAR,
    PAIR,
    PERSPECTIVE,
    POTENTIAL_LEVEL,
    PRODUCT,
    SOURCE,
    TOP,
    TRIM,
    WORLD_LEVEL,
    WORLD_YEAR,
    YEAR,
    YEARS,
    Param,
    party,
)

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair
    from silkroad.analytics.world import World
    from silkroad.web.state import Snapshot, Stores

PREFIX = "/api/v1"
FORMAT = Param(
    "format",
    str,
    None,
    "json (default) or csv; 'Accept: text/csv' also gives CSV.",
    "json",
    enum=("json", "csv"),
    check=lambda v: args.choice(v, ("json", "csv"), field="format"),
)
BRIEF_FORMATS = ("html", "pdf", "xlsx", "md")
BRIEF_MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class Analysis:
    """One bilateral analysis of the API: its name, help, parameters and how to run it.

    ``run(pair, values)`` gets the pair and the checked parameter values (by name); ``fixed``
    pins a pair argument (the mirror compares declarations, so its perspective is 'exporter').
    """

    name: str
    help: str
    params: tuple[Param, ...]
    run: Callable[[Pair, dict[str, Any]], Result]
    fixed_perspective: str | None = None
    #: computed from the pair totals held in memory (milliseconds): never waits behind the
    #: analyses that read product rows (:meth:`silkroad.web.state.Stores.run_heavy`)
    light: bool = False


ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
        Analysis(
            "summary",
            "Per year: A's exports to B, imports from B, turnover, balance (USD) and growth.",
            (YEARS, SOURCE, PERSPECTIVE),
            lambda pair, v: pair.summary(v["years"]),
            light=True,
        ),
        Analysis(
            "profile",
            "The relationship year by year: flows, balance, growth, base ratios, shares, ranks.",
            (YEARS, BASE, SOURCE, PERSPECTIVE),
            lambda pair, v: pair.profile(v["years"], base=v["base"]),
            light=True,
        ),
        Analysis(
            "structure",
            "What A sells to (or buys from) B in a year: value, share, change, contribution.",
            (YEAR, DIRECTION, LEVEL, TOP, BASE, SOURCE, PERSPECTIVE),
            lambda pair, v: pair.structure(
                v["year"], direction=v["direction"], level=v["level"], top=v["top"], base=v["base"]
            ),
        ),
        Analysis(
            "movers",
            "New and lost products, top gainers and losers, extensive vs intensive margins.",
            (YEAR, DIRECTION, TOP, SOURCE, PERSPECTIVE),
            lambda pair, v: pair.movers(v["year"], direction=v["direction"], top=v["top"]),
        ),
        Analysis(
            "prices",
            "Price and volume effects of the change in value from year-1 to year (Fisher).",
            (YEAR, DIRECTION, TRIM, SOURCE, PERSPECTIVE),
            lambda pair, v: pair.prices(v["year"], direction=v["direction"], trim=v["trim"]),
        ),
        Analysis(
            "indicators",
            "Trade indicators of A with B: TII, TCI, ESI, Grubel-Lloyd, HHIs, A in B's market.",
            (YEAR, WORLD_LEVEL, TOP, SOURCE),
            lambda pair, v: _indicators(pair, v),
        ),
        Analysis(
            "potential",
            "Untapped export potential of A in B by product (ITC-style, METHODS 4.3).",
            (OPTIONAL_YEAR, AVERAGE, POTENTIAL_LEVEL, TOP, SOURCE),
            lambda pair, v: _potential(pair, v),
        ),
        Analysis(
            "mirror",
            "Each side's declarations of the same trade: gaps, CIF/FOB ratio, likely causes.",
            (YEAR, MIRROR_LEVEL, TOP),
            lambda pair, v: pair.mirror(v["year"], level=v["level"], top=v["top"]),
            fixed_perspective="exporter",
        ),
    )
}


def _world(pair: Pair, source: str | None) -> Any:
    """The reconciled world of the pair's store (``source`` when given)."""
    from silkroad.analytics.world import World

    return World(pair.store, source=source)


def _indicators(pair: Pair, v: dict[str, Any]) -> Result:
    from silkroad.analytics.advantage import pair_indicators

    world = _world(pair, v.get("source"))
    return pair_indicators(world, pair.a, pair.b, v["year"], level=v["level"], top=v["top"])


def _potential(pair: Pair, v: dict[str, Any]) -> Result:
    from silkroad.analytics.prospects import potential_table

    world = _world(pair, v.get("source"))
    return potential_table(
        world,
        pair.a,
        pair.b,
        year=v["year"],
        level=v["level"],
        top=v["top"],
        n_years=v["average"],
    )


@dataclass(frozen=True)
class WorldAnalysis:
    """One world-level analysis of the API (the CLI's rca, complexity, potential --product,
    gravity): its route under :data:`PREFIX` (``{a}``: one economy or bloc), help, parameters,
    and ``run(world, a, values)`` with ``a`` the side's code (None for a world route)."""

    name: str
    path: str
    help: str
    params: tuple[Param, ...]
    run: Callable[[World, str | None, dict[str, Any]], Result]

    @property
    def per_economy(self) -> bool:
        return "{a}" in self.path


def _rca(world: World, a: str | None, v: dict[str, Any]) -> Result:
    from silkroad.analytics.advantage import rca_table

    assert a is not None
    return rca_table(world, a, v["year"], level=v["level"], top=v["top"])


def _complexity(world: World, a: str | None, v: dict[str, Any]) -> Result:
    from silkroad.analytics.advantage import complexity_table

    return complexity_table(
        world,
        v["year"],
        level=v["level"],
        economy=a or v.get("economy"),
        convention=v["convention"],
        top=v["top"],
    )


def _markets(world: World, a: str | None, v: dict[str, Any]) -> Result:
    from silkroad.analytics.prospects import best_markets

    assert a is not None
    return best_markets(world, a, v["product"], year=v["year"], top=v["top"], n_years=v["average"])


def _gravity(world: World, a: str | None, v: dict[str, Any]) -> Result:
    from silkroad.analytics.prospects import gravity_fit
    from silkroad.errors import AnalysisError, InputError

    fe = v["fe"].split(",")
    if v["bloc"] is None and {"pair", "unordered-pair"} & set(fe):
        raise InputError(
            "pair fixed effects absorb distance, contiguity and language: nothing is left to "
            "estimate without a bloc",
            field="fe",
            found=v["fe"],
            expected="a bloc (bloc=EAEU) with pair fixed effects, or no pair fixed effects",
        )
    for shift in ("lags", "leads"):
        if v[shift] and v["bloc"] is None:
            raise InputError(
                f"{shift} are of a bloc's effect", field=shift, found=v[shift], expected="a bloc"
            )
    try:
        return gravity_fit(
            world,
            v["years"],
            bloc=v["bloc"],
            fe=fe,
            cluster=None if v["cluster"] == "none" else v["cluster"],
            pair=v["pair"],
            lags=v["lags"] or (),
            leads=v["leads"] or (),
        )
    except ValueError as exc:  # pyfixest's own, after a fit whose every term was dropped
        raise AnalysisError(
            f"PPML gave no coefficient to report: {exc}",
            field="bloc" if v["bloc"] else "fe",
            found=v["bloc"] or v["fe"],
            expected="a bloc with members trading in the years (its dummy not all zero)",
        ) from exc


WORLD_ANALYSES: dict[str, WorldAnalysis] = {
    w.name: w
    for w in (
        WorldAnalysis(
            "rca",
            "/economies/{a}/rca",
            "Revealed comparative advantage (Balassa RCA) of an economy or bloc in every "
            "product it exports in a year (as `silkroad rca`).",
            (WORLD_YEAR, WORLD_LEVEL, TOP, SOURCE),
            _rca,
        ),
        WorldAnalysis(
            "economy_complexity",
            "/economies/{a}/complexity",
            "An economy's ECI and rank, and its opportunities: products it does not export "
            "with advantage yet, ranked by COG, with their density (`silkroad complexity "
            "--economy A`).",
            (WORLD_YEAR, COMPLEXITY_LEVEL, CONVENTION, TOP, SOURCE),
            _complexity,
        ),
        WorldAnalysis(
            "markets",
            "/economies/{a}/markets",
            "Where A could sell one HS6 product: the markets ranked by A's untapped potential "
            "(`silkroad potential --exporter A --product P`).",
            (PRODUCT, OPTIONAL_YEAR, AVERAGE, TOP, SOURCE),
            _markets,
        ),
        WorldAnalysis(
            "complexity",
            "/complexity",
            "Economic complexity of a year: the ECI ranking and the PCI table; with economy, "
            "its opportunities by COG (`silkroad complexity`).",
            (WORLD_YEAR, COMPLEXITY_LEVEL, ECONOMY, CONVENTION, TOP, SOURCE),
            _complexity,
        ),
        WorldAnalysis(
            "gravity",
            "/gravity",
            "Structural gravity by PPML on the store's bilateral totals: coefficients, and with "
            "pair the pair's actual vs predicted trade (`silkroad gravity`).",
            (GRAVITY_YEARS, BLOC, FE, PAIR, LAGS, LEADS, CLUSTER, SOURCE),
            _gravity,
        ),
    )
}


def compute(
    stores: Stores, snap: Snapshot, name: str, a: str, b: str, raw: dict[str, Any]
) -> Result:
    """Run analysis ``name`` for the pair with raw query values (checked here), through the cache."""
    return compute_keyed(stores, snap, name, a, b, raw)[1]


def compute_keyed(
    stores: Stores, snap: Snapshot, name: str, a: str, b: str, raw: dict[str, Any]
) -> tuple[tuple[Any, ...], Result]:
    """:func:`compute`, with the cache key of the result (generation, analysis, pair, values)."""
    analysis = ANALYSES[name]
    values = _checked(analysis.params, raw)
    perspective = analysis.fixed_perspective or values.get("perspective") or "auto"
    source = values.get("source")
    key = (snap.generation, name, a.strip().upper(), b.strip().upper(), _frozen(values))

    def task(here: Snapshot) -> Result:
        return analysis.run(here.pair(a, b, source=source, perspective=perspective), values)

    def run() -> Result:
        return task(snap) if analysis.light else stores.run_heavy(snap, task)

    return key, stores.cache.get(key, run)


def compute_world(
    stores: Stores, snap: Snapshot, name: str, a: str | None, raw: dict[str, Any]
) -> tuple[tuple[Any, ...], Result]:
    """Run world-level analysis ``name`` (for side ``a`` where its route has one) with raw
    query values, checked here; cached by catalog generation, analysis, side and values (a
    gravity fit takes seconds: a repeated request is a dictionary look-up)."""
    analysis = WORLD_ANALYSES[name]
    code = party(a, field="a") if analysis.per_economy and a is not None else None
    values = _checked(analysis.params, raw)
    key = (snap.generation, "world", name, code, _frozen(values))

    def run() -> Result | _Failed:
        try:
            return stores.run_heavy(
                snap, lambda here: analysis.run(here.world(values.get("source")), code, values)
            )
        except SilkroadError as exc:  # the data's answer for this generation: kept as well
            return _Failed(exc)

    result = stores.cache.get(key, run)
    if isinstance(result, _Failed):
        raise result.error.with_traceback(None)
    return key, result


class _Failed:
    """A world analysis that failed on the data (an AnalysisError, say, for a gravity model
    without variation), cached like a result so that a repeated request costs no new fit."""

    def __init__(self, error: SilkroadError) -> None:
        self.error = error


def _checked(params: tuple[Param, ...], raw: dict[str, Any]) -> dict[str, Any]:
    """The checked values of ``params`` from raw query values (a missing required one named)."""
    values = {p.name: p.clean(raw.get(p.name)) for p in params}
    for p in params:
        if p.required and values[p.name] is None:
            from silkroad.errors import InputError

            raise InputError("missing parameter", field=p.name, expected=p.help)
    return values


def _frozen(values: dict[str, Any]) -> tuple[Any, ...]:
    """``values`` as a hashable, ordered cache-key part."""
    return tuple((k, tuple(x) if isinstance(x, list) else x) for k, x in sorted(values.items()))


def wants_csv(request: Request, fmt: str | None) -> bool:
    """CSV when ``?format=csv``, or when no format is given and Accept prefers text/csv."""
    if fmt is not None:
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def json_response(data: Any, status_code: int = 200) -> Response:
    """``data`` as JSON through the one serialiser (:func:`silkroad.results.dumps`)."""
    return Response(
        dumps(data, indent=None), status_code=status_code, media_type="application/json"
    )


def body_response(body: str, *, csv: bool, name: str) -> Response:
    """A result's body (``to_csv()`` text, or ``to_dict()`` through :func:`dumps`)."""
    if csv:
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{name}.csv"'},
        )
    return Response(body, media_type="application/json")


def _query(p: Param) -> inspect.Parameter:
    """The FastAPI query parameter of ``p`` (type, default, help, example, enum)."""
    kind: Any = p.kind if p.required else (p.kind | None)
    examples = {"example": {"value": p.example}} if p.example is not None else None
    q = Query(
        description=p.help + ("" if p.required or p.default is None else f" Default: {p.default}."),
        openapi_examples=examples,  # type: ignore[arg-type]
        json_schema_extra=p.schema() or None,
    )
    return inspect.Parameter(
        p.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=inspect.Parameter.empty if p.required else None,
        annotation=Annotated[kind, q],
    )


PATH_A = inspect.Parameter(
    "a",
    inspect.Parameter.KEYWORD_ONLY,
    annotation=Annotated[
        str,
        Path(
            description="Economy (ISO3 such as BLR, or a name) or bloc id (EAEU).",
            openapi_examples={"example": {"value": "BLR"}},
        ),
    ],
)
PATH_B = inspect.Parameter(
    "b",
    inspect.Parameter.KEYWORD_ONLY,
    annotation=Annotated[
        str,
        Path(
            description="Partner economy or bloc.", openapi_examples={"example": {"value": "KAZ"}}
        ),
    ],
)
PATH_ECONOMY = inspect.Parameter(
    "a",
    inspect.Parameter.KEYWORD_ONLY,
    annotation=Annotated[
        str,
        Path(
            description="Economy (ISO3 such as BLR, or a name); a bloc id (EAEU) where the "
            "analysis allows one.",
            openapi_examples={"example": {"value": "BLR"}},
        ),
    ],
)
REQUEST = inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)


def _analysis_endpoint(stores: Stores, analysis: Analysis) -> Callable[..., Response]:
    def endpoint(request: Request, a: str, b: str, **query: Any) -> Response:
        fmt = FORMAT.clean(query.pop("format", None))
        snap = stores.snapshot()
        key, result = compute_keyed(stores, snap, analysis.name, a, b, query)
        return _result_response(stores, request, key, result, fmt, analysis.name)

    params = [REQUEST, PATH_A, PATH_B, *(_query(p) for p in (*analysis.params, FORMAT))]
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = analysis.name
    endpoint.__doc__ = analysis.help
    return endpoint


def _result_response(
    stores: Stores,
    request: Request,
    key: tuple[Any, ...],
    result: Result,
    fmt: str | None,
    name: str,
) -> Response:
    """A result as JSON or CSV; the body too is cached: a repeat costs no serialisation."""
    csv = wants_csv(request, fmt)
    body = stores.cache.get(
        (*key, "body", csv),
        lambda: result.to_csv() if csv else dumps(result.to_dict(), indent=None),
    )
    return body_response(body, csv=csv, name=name)


def _world_endpoint(stores: Stores, analysis: WorldAnalysis) -> Callable[..., Response]:
    def endpoint(request: Request, a: str | None = None, **query: Any) -> Response:
        fmt = FORMAT.clean(query.pop("format", None))
        snap = stores.snapshot()
        key, result = compute_world(stores, snap, analysis.name, a, query)
        return _result_response(stores, request, key, result, fmt, analysis.name)

    side = [PATH_ECONOMY] if analysis.per_economy else []
    params = [REQUEST, *side, *(_query(p) for p in (*analysis.params, FORMAT))]
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = analysis.name
    endpoint.__doc__ = analysis.help
    return endpoint


BRIEF_PARAMS = (
    YEAR,
    BASE,
    YEARS,
    LEVEL,
    TOP,
    LANG,
    Param(
        "format",
        str,
        "html",
        "html, pdf, xlsx or md.",
        "pdf",
        enum=BRIEF_FORMATS,
        check=lambda v: args.choice(v, BRIEF_FORMATS, field="format"),
    ),
    SOURCE,
    PERSPECTIVE,
)


def brief_key(snap: Snapshot, a: str, b: str, v: dict[str, Any]) -> tuple[Any, ...]:
    """The cache key of a gathered brief: generation, pair and the arguments that change it."""
    keys = ("year", "base", "years", "level", "top", "source", "perspective")
    return (snap.generation, "brief", a.upper(), b.upper(), *(str(v.get(k)) for k in keys))


def brief_data(stores: Stores, snap: Snapshot, a: str, b: str, v: dict[str, Any]) -> Any:
    """The gathered brief (language-free, cached): what the brief and the pair page show."""
    from silkroad.analytics.briefing import gather

    key = brief_key(snap, a, b, v)

    def task(here: Snapshot) -> Any:
        years = v.get("years")
        return gather(
            here.store,
            a,
            b,
            year=v["year"],
            base=v.get("base"),
            years=years,
            level=v.get("level") or "hs2",
            top=v.get("top") or args.DEFAULT_TOP,
            source=v.get("source"),
            perspective=v.get("perspective") or "auto",
        )

    return stores.cache.get(key, lambda: stores.run_heavy(snap, task))


def _brief_endpoint(stores: Stores) -> Callable[..., Response]:
    def endpoint(a: str, b: str, **query: Any) -> Response:
        from silkroad.report.brief import Brief

        v = {p.name: p.clean(query.get(p.name)) for p in BRIEF_PARAMS}
        if v["year"] is None:
            from silkroad.errors import InputError

            raise InputError("missing parameter", field="year", expected=YEAR.help)
        snap = stores.snapshot()
        data = brief_data(stores, snap, a, b, v)
        fmt, lang = v["format"], v["lang"]
        key = (*brief_key(snap, a, b, v), "doc", lang, fmt)

        def render() -> tuple[bytes, str]:
            doc = Brief(data, lang)
            # a PDF or a workbook lays out charts for seconds
            content = stores.run_heavy(snap, lambda _: doc.render(fmt))
            body = content.encode("utf-8") if isinstance(content, str) else content
            return body, f"{doc.file_stem()}.{fmt}"

        body, filename = stores.cache.get(key, render)
        return Response(
            body,
            media_type=BRIEF_MEDIA[fmt],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    params = [PATH_A, PATH_B, *(_query(p) for p in BRIEF_PARAMS)]
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = "brief"
    return endpoint


def sources_data(snap: Snapshot) -> dict[str, Any]:
    """What the store holds (as ``silkroad sources --json``) and its catalog generation."""
    return {
        "home": str(snap.store.home),
        "generation": snap.generation,
        "sources": snap.store.sources(),
    }


def economies_data(stores: Stores, snap: Snapshot, lang: str = "en") -> dict[str, Any]:
    """Economies that trade in the store's latest year of its default source, and the blocs."""
    from silkroad.reference.blocs import bloc_ids, bloc_name

    def run() -> dict[str, Any]:
        from silkroad.analytics.world import World
        from silkroad.reference.countries import country_name

        out: dict[str, Any] = {"year": None, "source": None, "economies": [], "blocs": []}
        if not snap.store.catalog.sources:
            return out
        world = World(snap.store)
        years = world.years()
        if not years:
            return out
        totals = world.bilateral_totals(years[-1])
        codes = sorted(set(totals.exporter) | set(totals.importer))
        out["year"] = years[-1]
        out["source"] = world.metadata([years[-1]], "hs6").get("source")
        out["economies"] = [
            {"code": c, "name_en": country_name(c, "en"), "name_ru": country_name(c, "ru")}
            for c in codes
        ]
        out["blocs"] = [
            {"code": c, "name_en": bloc_name(c, "en"), "name_ru": bloc_name(c, "ru")}
            for c in bloc_ids()
        ]
        return out

    return stores.cache.get((snap.generation, "economies"), run)


def router(stores: Stores) -> APIRouter:
    """The read endpoints of the API (the writes are in :mod:`silkroad.web.writes`)."""
    r = APIRouter(prefix=PREFIX)

    @r.get(
        "/sources",
        summary="What the store holds",
        tags=["store"],
        responses=docs.json_responses(docs.SOURCES_SCHEMA, docs.SOURCES_EXAMPLE),
    )
    def sources() -> Response:
        """Per source: release, years, rows, rejected rows, inputs with their sha256."""
        return json_response(sources_data(stores.snapshot()))

    @r.get(
        "/economies",
        summary="Economies and blocs to pick from",
        tags=["store"],
        responses=docs.json_responses(docs.ECONOMIES_SCHEMA, docs.ECONOMIES_EXAMPLE),
    )
    def economies() -> Response:
        """Economies trading in the latest year of the default source, and the known blocs."""
        return json_response(economies_data(stores, stores.snapshot()))

    for analysis in ANALYSES.values():
        r.add_api_route(
            f"/pairs/{{a}}/{{b}}/{analysis.name}",
            _analysis_endpoint(stores, analysis),
            methods=["GET"],
            summary=analysis.help,
            tags=["analyses"],
            response_class=Response,
            responses=docs.result_responses(analysis.name),
            operation_id=f"pair_{analysis.name}",
        )
    for w in WORLD_ANALYSES.values():
        r.add_api_route(
            w.path,
            _world_endpoint(stores, w),
            methods=["GET"],
            summary=w.help,
            tags=["economies" if w.per_economy else "world"],
            response_class=Response,
            responses=docs.result_responses(w.name),
            operation_id=("economy_" if w.per_economy else "world_") + w.name.split("_")[-1],
        )
    r.add_api_route(
        "/pairs/{a}/{b}/brief",
        _brief_endpoint(stores),
        methods=["GET"],
        summary="The bilateral brief as a document (HTML, PDF, Excel, Markdown; en or ru)",
        tags=["briefs"],
        response_class=Response,
        responses=docs.brief_responses(BRIEF_MEDIA),
        operation_id="pair_brief",
    )
    return r


__all__ = [
    "ANALYSES",
    "PREFIX",
    "WORLD_ANALYSES",
    "Analysis",
    "WorldAnalysis",
    "compute",
    "compute_world",
    "router",
]
