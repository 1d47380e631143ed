"""The brief's charts: one Vega-Lite definition each (Altair), drawn live in HTML, static elsewhere.

- ``balance``: turnover (line) and balance (bars: surplus green, deficit red) over the years
  shown, in the brief's unit: the chart of page 1;
- ``dynamics``: exports and imports as bars, turnover as a line, over the years shown
  ("The dynamics of trade between Belarus and Kazakhstan, million USD");
- ``treemap``: exports and imports of the year by product group, area proportional to value
  (laid out here by :func:`squarify`: Vega-Lite has no treemap of its own);
- ``history``: a stacked area of the shares of the main HS sections (or baskets) over the years
  shown, for exports and imports (from ``BriefData.history``);
- ``market``: the partner's market: for A's main products, A's share of B's imports, A's rank
  among B's suppliers and the main competitors' shares (from ``BriefData.market`` when the
  analytics gather it).

The same spec serves every format: the HTML brief embeds it with the Vega JavaScript (inlined, no
network); the PDF gets an SVG from vl-convert (:func:`to_svg`), the Excel workbook a PNG
(:func:`to_png`). Charts of synthetic data carry the label as their subtitle. Numbers on axes
and in tooltips follow the language (d3 format locale: decimal comma and non-breaking thousands
separator in Russian).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import pandas as pd

from silkroad.report.brief import DIRECTIONS, value
from silkroad.report.i18n import text
from silkroad.report.names import edition, group_name, hs6_name
from silkroad.report.tables import pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

#: Vega-Lite version of the specs (Altair's), also used for the inlined JavaScript.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

COLORS = {
    "exports": "#1f5fa8",
    "imports": "#e8892b",
    "turnover": "#2b2b2b",
    "balance": "#6b8f71",
    "surplus": "#4c9a63",
    "deficit": "#c2554d",
}
COMPETITOR_COLORS = ("#8c6bb1", "#41ab5d", "#e7298a", "#a6761d", "#66a61e", "#e6ab02", "#7f7f7f")
SYNTHETIC_COLOR = "#8a6100"
OTHER_COLOR = "#8d949b"
#: Distinct colours of the groups in the stacked area (Tableau 10 without its grey).
GROUP_COLORS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
)  # fmt: skip
TREEMAP_WIDTH = 370
TREEMAP_HEIGHT = 250
#: Sections (or baskets) drawn in the stacked area; the rest are one band 'other'.
HISTORY_GROUPS = 6
#: Competitors named in the market chart for each product.
MARKET_COMPETITORS = 3
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
WIDTH = 760
#: Longest label on the composition chart's axis before it is cut with "…".
LABEL_CHARS = 38

D3_LOCALES: dict[str, Literal["en-US", "ru-RU"]] = {"en": "en-US", "ru": "ru-RU"}


def build_charts(brief: Brief) -> dict[str, dict[str, Any]]:
    """Vega-Lite specs (dicts) by name, in the order a document shows them (module docstring)."""
    d = brief.data
    charts = {"balance": balance(brief), "dynamics": dynamics(brief)}
    traded = value(d.profile, d.year, "turnover_usd")
    if any(not brief.structure[k].empty for k in DIRECTIONS) and traded:
        charts["treemap"] = treemap(brief)
    if d.history is not None and any(not d.history[k].empty for k in DIRECTIONS):
        history = structure_history(brief)
        if history is not None:
            charts["history"] = history
    market_data = getattr(d, "market", None)
    if market_data is not None and not market_data.tables["products"].empty:
        charts["market"] = market(brief, market_data)
    return charts


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "title": {"fontSize": 14, "anchor": "start", "fontWeight": "bold"},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#e6e6e6"},
        "legend": {"labelFontSize": 11},
        "view": {"stroke": None},
    }


def _title(brief: Brief, title: str | list[str], **kw: Any) -> alt.TitleParams:
    """A chart title; charts of synthetic data carry the label as their subtitle."""
    if brief.data.metadata.get("synthetic"):
        kw.update(
            subtitle=text(brief.lang, "synthetic_short"),
            subtitleColor=SYNTHETIC_COLOR,
            subtitleFontWeight="bold",
            subtitleFontSize=11,
        )
    return alt.TitleParams(title, **kw)


def _finish(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.to_dict()
    spec.pop("$schema", None)  # no URL in the document; the version is given to the embedder
    spec["config"] = {
        **_config(),
        **{k: v for k, v in spec.get("config", {}).items() if k != "view"},
    }
    return spec


def _unit(brief: Brief) -> str:
    return brief.numbers.unit_label().replace("\u00a0", " ")


def balance(brief: Brief) -> dict[str, Any]:
    """Turnover (line) and balance (bars, surplus green, deficit red) per year shown."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    names = pair_names(brief)
    unit = _unit(brief)
    turnover = text(lang, "turnover")
    surplus, deficit = text(lang, "c_surplus"), text(lang, "c_deficit")
    rows = []
    for y in d.years:
        t = value(d.profile, y, "turnover_usd") / nf.factor
        b = value(d.profile, y, "balance_usd") / nf.factor
        rows.append({"year": str(y), "flow": turnover, "value": _round(t)})
        rows.append({"year": str(y), "flow": surplus if b >= 0 else deficit, "value": _round(b)})
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    y_axis = alt.Y("value:Q", title=unit, axis=alt.Axis(format=",.0f"))
    tooltip = [
        alt.Tooltip("year:O", title=text(lang, "year")),
        alt.Tooltip("flow:N", title=text(lang, "c_flow")),
        alt.Tooltip("value:Q", title=unit, format=",.1f"),
    ]
    color = alt.Color(
        "flow:N",
        scale=alt.Scale(
            domain=[turnover, surplus, deficit],
            range=[COLORS["turnover"], COLORS["surplus"], COLORS["deficit"]],
        ),
        legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
    )
    base = alt.Chart(alt.Data(values=rows))
    bars = (
        base.mark_bar(width={"band": 0.55})
        .encode(
            x=x,
            y=y_axis,
            color=color,
            tooltip=tooltip,
        )
        .transform_filter(alt.FieldOneOfPredicate(field="flow", oneOf=[surplus, deficit]))
    )
    line = (
        base.mark_line(point=alt.OverlayMarkDef(size=40), strokeWidth=2.5)
        .encode(x=x, y=y_axis, color=color, tooltip=tooltip)
        .transform_filter(alt.FieldEqualPredicate(field="flow", equal=turnover))
    )
    zero = alt.Chart(alt.Data(values=[{"v": 0}])).mark_rule(color="#888").encode(y="v:Q")
    title = text(lang, "c_balance", between=names["between"], unit=unit)
    chart = alt.layer(bars, line, zero).properties(
        width=WIDTH, height=300, title=_title(brief, title)
    )
    return _finish(chart)


def _round(x: float) -> float | None:
    return None if x != x else round(x, 3)


def dynamics(brief: Brief) -> dict[str, Any]:
    """Exports and imports as grouped bars, turnover as a line with points, per year shown."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    names = pair_names(brief)
    unit = _unit(brief)
    labels = {f: text(lang, f) for f in ("exports", "imports", "turnover")}
    rows = []
    for y in d.years:
        for f in ("exports", "imports", "turnover"):
            v = value(d.profile, y, f"{f}_usd") / nf.factor
            rows.append({"year": str(y), "flow": labels[f], "value": _round(v)})
    domain = [labels["exports"], labels["imports"], labels["turnover"]]
    color = alt.Color(
        "flow:N",
        scale=alt.Scale(
            domain=domain, range=[COLORS[f] for f in ("exports", "imports", "turnover")]
        ),
        legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
    )
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    y_axis = alt.Y("value:Q", title=unit, axis=alt.Axis(format=",.0f"))
    tooltip = [
        alt.Tooltip("year:O", title=text(lang, "year")),
        alt.Tooltip("flow:N", title=text(lang, "c_flow")),
        alt.Tooltip("value:Q", title=unit, format=",.1f"),
    ]
    base = alt.Chart(alt.Data(values=rows))
    bars = (
        base.mark_bar()
        .encode(
            x=x,
            xOffset=alt.XOffset("flow:N", sort=domain[:2]),
            y=y_axis,
            color=color,
            tooltip=tooltip,
        )
        .transform_filter(alt.FieldOneOfPredicate(field="flow", oneOf=domain[:2]))
    )
    line = (
        base.mark_line(point=alt.OverlayMarkDef(size=40), strokeWidth=2)
        .encode(x=x, y=y_axis, color=color, tooltip=tooltip)
        .transform_filter(alt.FieldEqualPredicate(field="flow", equal=labels["turnover"]))
    )
    title = text(lang, "c_dynamics", between=names["between"], unit=unit)
    chart = alt.layer(bars, line).properties(width=WIDTH, height=250, title=_title(brief, title))
    return _finish(chart)


def _cut(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: max(chars - 1, 1)].rstrip() + "…"


def _wrap(label: str, chars: int, lines: int) -> list[str]:
    """``label`` on at most ``lines`` lines of ``chars`` characters, cut with "…" if longer."""
    out: list[str] = []
    for word in label.split():
        if out and len(out[-1]) + 1 + len(word) <= chars:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return [_cut(line, chars) for line in out]


Rect = tuple[float, float, float, float]  # x, y, width, height


def _worst(row: list[float], side: float) -> float:
    """The worst aspect ratio of a row of areas laid along a side of length ``side``."""
    s = sum(row)
    return max(max(side * side * a / (s * s), (s * s) / (side * side * a)) for a in row)


def squarify(values: list[float], width: float, height: float) -> list[Rect]:
    """Rectangles tiling a ``width`` × ``height`` box, with areas proportional to ``values``.

    The squarified layout of Bruls, Huizing and van Wijk (2000): values are laid largest first
    in rows along the shorter side, a row growing while its worst aspect ratio improves.
    ``values`` must be positive and sorted largest first; rectangles come in the same order.
    """
    total = sum(values)
    if not values or total <= 0:
        return []
    areas = [v * width * height / total for v in values]
    x, y, w, h = 0.0, 0.0, float(width), float(height)
    rects: list[Rect] = []
    i = 0
    while i < len(areas):
        side = min(w, h)
        row = [areas[i]]
        j = i + 1
        while j < len(areas) and _worst([*row, areas[j]], side) <= _worst(row, side):
            row.append(areas[j])
            j += 1
        s = sum(row)
        last = j == len(areas)
        if w >= h:  # a column along the left side
            rw = w if last else s / h
            yy = y
            for a in row:
                rh = a / rw
                rects.append((x, yy, rw, rh))
                yy += rh
            x, w = x + rw, w - rw
        else:  # a row along the top
            rh = h if last else s / w
            xx = x
            for a in row:
                rw = a / rh
                rects.append((xx, y, rw, rh))
                xx += rw
            y, h = y + rh, h - rh
        i = j
    return rects


def treemap(brief: Brief) -> dict[str, Any]:
    """Exports and imports of the year by product group, as two treemaps (area = value)."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    unit = _unit(brief)
    panels = []
    for direction in DIRECTIONS:
        df = brief.structure[direction]
        df = df[(df.value_usd > 0) & df.value_usd.notna()]
        named = df[df.code != "other"].sort_values("value_usd", ascending=False)
        ordered = pd.concat([named, df[df.code == "other"]])  # 'other' last, bottom right
        values = [float(v) for v in ordered.value_usd]
        if not values:
            continue
        rects = squarify(values, TREEMAP_WIDTH, TREEMAP_HEIGHT)
        rows = []
        for rank, (r, (x, y, w, h)) in enumerate(
            zip(ordered.to_dict(orient="records"), rects, strict=True)
        ):
            label = str(r[f"label_{lang}"])
            fits = w >= 48 and h >= 30
            lines = _wrap(label, int((w - 8) / 6.8), max(1, int((h - 20) / 12)))
            caption = "\n".join([*lines, nf.pct(r["share"])]) if fits else ""
            rows.append(
                {
                    "x": round(x, 2),
                    "x2": round(x + w, 2),
                    "y": round(y, 2),
                    "y2": round(y + h, 2),
                    "label": label,
                    "caption": caption.replace("\u00a0", " "),
                    "amount": _round(float(r["value_usd"]) / nf.factor),
                    "share": round(float(r["share"]) * 100, 2),
                    "tone": "other" if r["code"] == "other" else str(rank % len(TONES)),
                }
            )
        scale_x = alt.Scale(domain=[0, TREEMAP_WIDTH], range=[0, TREEMAP_WIDTH], nice=False)
        scale_y = alt.Scale(domain=[0, TREEMAP_HEIGHT], range=[0, TREEMAP_HEIGHT], nice=False)
        base = alt.Chart(alt.Data(values=rows))
        tones = [*[str(i) for i in range(len(TONES))], "other"]
        palette = [_tint(COLORS[direction], t) for t in TONES] + [OTHER_COLOR]
        rect = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
            x=alt.X("x:Q", scale=scale_x, axis=None),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=scale_y, axis=None),
            y2="y2:Q",
            color=alt.Color("tone:N", scale=alt.Scale(domain=tones, range=palette), legend=None),
            tooltip=[
                alt.Tooltip("label:N", title=text(lang, "product_group")),
                alt.Tooltip("amount:Q", title=unit, format=",.1f"),
                alt.Tooltip("share:Q", title=text(lang, "c_share"), format=",.1f"),
            ],
        )
        label = base.mark_text(
            align="left", baseline="top", dx=4, dy=4, fontSize=10, color="white", lineBreak="\n"
        ).encode(x="x:Q", y="y:Q", text="caption:N")
        panels.append(
            alt.layer(rect, label).properties(
                width=TREEMAP_WIDTH,
                height=TREEMAP_HEIGHT,
                title=alt.TitleParams(text(lang, direction), fontSize=12, anchor="start"),
            )
        )
    title = _title(brief, text(lang, "c_treemap", year=d.year), offset=10)
    chart = alt.hconcat(*panels, spacing=24).properties(title=title)
    return _finish(chart.resolve_scale(color="independent"))


#: Shades of a direction's colour for the groups of a treemap, largest first.
TONES = (0.0, 0.12, 0.22, 0.3, 0.37, 0.43)


def _tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white by ``amount`` (0: as it is, 1: white)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def structure_history(brief: Brief) -> dict[str, Any] | None:
    """Shares of the main sections (or baskets) in exports and imports over the years shown."""
    d, lang = brief.data, brief.lang
    assert d.history is not None
    other = text(lang, "other_products")
    panels = []
    groups: list[str] = []  # the main groups of both directions: one legend, one colour each
    for direction in DIRECTIONS:
        df = d.history[direction]
        df = df[df.value_usd.notna() & (df.code != "other")]
        latest = df[df.year == df.year.max()].sort_values("value_usd", ascending=False)
        for code, label in zip(latest.code, latest[f"label_{lang}"], strict=True):
            name = _cut(str(label), 34)
            among_main = list(latest.code).index(code) < HISTORY_GROUPS
            if code and among_main and name not in groups:
                groups.append(name)
    domain = [*groups, other]
    palette = [*[GROUP_COLORS[i % len(GROUP_COLORS)] for i in range(len(groups))], OTHER_COLOR]
    for direction in DIRECTIONS:
        df = d.history[direction]
        df = df[df.value_usd.notna() & (df.code != "other")]
        if df.empty:
            continue
        latest = df[df.year == df.year.max()].sort_values("value_usd", ascending=False)
        main = [c for c in latest.code if c][:HISTORY_GROUPS]
        labels = dict(zip(df.code, df[f"label_{lang}"], strict=False))
        rows = []
        for y, part in df.groupby("year"):
            total = float(part.value_usd.sum())
            if total <= 0:
                continue
            for code in main:
                v = float(part[part.code == code].value_usd.sum())
                rows.append(
                    {"year": str(y), "group": _cut(str(labels[code]), 34), "share": v / total}
                )
            rest = float(part[~part.code.isin(main)].value_usd.sum())
            rows.append({"year": str(y), "group": other, "share": rest / total})
        if not rows:
            continue
        panels.append(
            alt.Chart(alt.Data(values=rows))
            .mark_area(line={"color": "white", "strokeWidth": 0.8})
            .encode(
                x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y(
                    "share:Q",
                    stack="normalize",
                    title=text(lang, "c_share"),
                    axis=alt.Axis(format=".0%"),
                ),
                color=alt.Color(
                    "group:N",
                    sort=domain,
                    scale=alt.Scale(domain=domain, range=palette),
                    legend=alt.Legend(title=None, orient="bottom", columns=3, labelLimit=230),
                ),
                order=alt.Order("rank:Q"),
                tooltip=[
                    alt.Tooltip("year:O", title=text(lang, "year")),
                    alt.Tooltip("group:N", title=text(lang, "product_group")),
                    alt.Tooltip("share:Q", title=text(lang, "c_share"), format=".1%"),
                ],
            )
            .transform_calculate(rank=f"indexof({json.dumps(domain)}, datum.group)")
            .properties(
                width=TREEMAP_WIDTH,
                height=200,
                title=alt.TitleParams(text(lang, direction), fontSize=12, anchor="start"),
            )
        )
    if not panels:
        return None
    level = "c_history_baskets" if d.level == "baskets" else "c_history"
    span = brief.numbers.years(d.years[0], d.years[-1])
    title = _title(brief, text(lang, level, span=span), offset=10)
    return _finish(alt.hconcat(*panels, spacing=24).properties(title=title))


def market(brief: Brief, data: Any) -> dict[str, Any]:
    """B's imports of A's main products: A's share and rank, and the main competitors' shares."""
    from silkroad.reference.countries import country_name

    d, lang = brief.data, brief.lang
    a_code, a_name = d.party_a.code, d.party_a.name(lang)
    products = data.tables["products"]
    competitors = data.tables["competitors"]
    cls = edition(d.metadata)
    others = text(lang, "c_other_suppliers")
    rows: list[dict[str, Any]] = []
    order = []
    for r in products.to_dict(orient="records"):
        code = str(r["code"])
        rank = r.get("a_rank")
        known = rank is not None and not pd.isna(rank)
        place = text(lang, "c_rank", n=int(rank)) if known else "—"
        product = _cut(
            hs6_name(code, lang, cls)
            if len(code) == 6
            else group_name(code, f"hs{len(code)}", lang, code, cls),
            34,
        )
        label = f"{product} ({place})"
        order.append(label)
        a_share = float(r["a_share"]) if r["a_share"] == r["a_share"] else 0.0
        rows.append({"product": label, "who": a_name, "share": a_share, "rank": 0})
        used = a_share
        mine = competitors[
            (competitors.code.astype(str) == code) & (competitors.exporter != a_code)
        ]
        for k, c in enumerate(
            mine.sort_values("rank").head(MARKET_COMPETITORS).to_dict(orient="records")
        ):
            who = country_name(str(c["exporter"]), lang)
            rows.append({"product": label, "who": who, "share": float(c["share"]), "rank": k + 1})
            used += float(c["share"])
        rows.append({"product": label, "who": others, "share": max(0.0, 1.0 - used), "rank": 99})
    whos = [a_name, *sorted({str(r["who"]) for r in rows} - {a_name, others}), others]
    palette = (
        [COLORS["exports"]]
        + [COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)] for i in range(len(whos) - 2)]
        + ["#dcdfe3"]
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("product:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X(
                "share:Q",
                stack="zero",
                title=text(lang, "c_share_of_imports", b=d.party_b.name(lang)),
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "who:N",
                sort=whos,
                scale=alt.Scale(domain=whos, range=palette),
                legend=alt.Legend(title=None, orient="bottom", columns=4),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("product:N", title=text(lang, "product_group")),
                alt.Tooltip("who:N", title=text(lang, "c_supplier")),
                alt.Tooltip("share:Q", title=text(lang, "c_share"), format=".1%"),
            ],
        )
        .properties(width=WIDTH - 260, height=max(80, 24 * len(order)))
    )
    names = {"a": a_name, "b": d.party_b.name(lang), "year": d.year}
    title = _title(brief, [text(lang, "c_market", **names), text(lang, "c_market_note", **names)])
    return _finish(chart.properties(title=title))


#: Static renderings kept by (spec hash, language): a brief's PDF and Excel draw each chart
#: once (the Vega layout is the slow part; a PNG rasterises the same SVG).
_SVG_CACHE: OrderedDict[tuple[str, str], str] = OrderedDict()
_SVG_LOCK = threading.Lock()  # the web server renders briefs from several threads
SVG_CACHE_SIZE = 32


def spec_key(spec: dict[str, Any]) -> str:
    """The sha256 of ``spec``'s canonical JSON: equal specs render to the same picture."""
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_svg(spec: dict[str, Any], lang: str) -> str:
    """A static SVG of ``spec`` (vl-convert), with the language's number format; rendered once
    per spec and language (kept for the process, the last :data:`SVG_CACHE_SIZE`)."""
    import vl_convert as vlc

    key = (spec_key(spec), lang)
    with _SVG_LOCK:
        svg = _SVG_CACHE.get(key)
        if svg is not None:
            _SVG_CACHE.move_to_end(key)
            return svg
    svg = vlc.vegalite_to_svg(spec, vl_version=VL_VERSION, format_locale=D3_LOCALES[lang])
    with _SVG_LOCK:
        _SVG_CACHE[key] = svg
        while len(_SVG_CACHE) > SVG_CACHE_SIZE:
            _SVG_CACHE.popitem(last=False)
    return svg


def to_png(spec: dict[str, Any], lang: str, *, scale: float = 2.0) -> bytes:
    """A PNG of ``spec`` at ``scale`` × its size in pixels: the SVG of :func:`to_svg`
    rasterised (the bytes vl-convert's own ``vegalite_to_png`` gives, without a second layout)."""
    import vl_convert as vlc

    return bytes(vlc.svg_to_png(to_svg(spec, lang), scale=scale))


@lru_cache(maxsize=2)
def format_locale(lang: str) -> dict[str, Any]:
    """The d3 number-format locale the HTML embedder uses (from vl-convert's tables)."""
    import vl_convert as vlc

    return dict(vlc.get_format_locale(D3_LOCALES[lang]))
