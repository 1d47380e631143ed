"""The brief's charts: one Vega-Lite definition each (Altair), drawn live in HTML, static elsewhere.

- ``dynamics``: exports and imports as bars, turnover as a line, over the years shown, in the
  brief's unit ("The dynamics of trade between Belarus and Kazakhstan, million USD");
- ``composition``: the shares of the largest groups of exports and of imports in the year.

The HTML brief embeds the spec and the Vega JavaScript (inlined, no network); the PDF gets an
SVG from vl-convert (:func:`to_svg`); Excel draws its own native charts from the same tables.
Numbers on axes and in tooltips follow the language (d3 format locale: decimal comma and
non-breaking thousands separator in Russian).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import altair as alt

from silkroad.report.brief import DIRECTIONS, value
from silkroad.report.i18n import text
from silkroad.report.tables import pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

#: Vega-Lite version of the specs (Altair's), also used for the inlined JavaScript.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

COLORS = {"exports": "#1f5fa8", "imports": "#e8892b", "turnover": "#2b2b2b"}
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
WIDTH = 760
#: Longest label on the composition chart's axis before it is cut with "…".
LABEL_CHARS = 38

D3_LOCALES: dict[str, Literal["en-US", "ru-RU"]] = {"en": "en-US", "ru": "ru-RU"}


def build_charts(brief: Brief) -> dict[str, dict[str, Any]]:
    """Vega-Lite specs (dicts) by name; 'composition' only when there is trade in the year."""
    charts = {"dynamics": dynamics(brief)}
    if any(not brief.data.structure[d].empty for d in DIRECTIONS) and value(
        brief.data.profile, brief.data.year, "turnover_usd"
    ):
        charts["composition"] = composition(brief)
    return charts


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "title": {"fontSize": 14, "anchor": "start", "fontWeight": "bold"},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#e6e6e6"},
        "legend": {"labelFontSize": 11},
        "view": {"stroke": None},
    }


def _finish(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.to_dict()
    spec.pop("$schema", None)  # no URL in the document; the version is given to the embedder
    spec["config"] = {
        **_config(),
        **{k: v for k, v in spec.get("config", {}).items() if k != "view"},
    }
    return spec


def dynamics(brief: Brief) -> dict[str, Any]:
    """Exports and imports as grouped bars, turnover as a line with points, per year shown."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    names = pair_names(brief)
    unit = nf.unit_label().replace("\u00a0", " ")
    labels = {f: text(lang, f) for f in ("exports", "imports", "turnover")}
    rows = []
    for y in d.years:
        for f in ("exports", "imports", "turnover"):
            v = value(d.profile, y, f"{f}_usd") / nf.factor
            rows.append({"year": str(y), "flow": labels[f], "value": round(v, 3)})
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
    chart = alt.layer(bars, line).properties(width=WIDTH, height=280, title=title)
    return _finish(chart)


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def composition(brief: Brief) -> dict[str, Any]:
    """Shares of the largest groups of exports and of imports (horizontal bars, 'other' last)."""
    d, lang = brief.data, brief.lang
    panels = []
    for direction in DIRECTIONS:
        df = d.structure[direction]
        rows = []
        for r in df.to_dict(orient="records"):
            if not r["value_usd"] or r["value_usd"] != r["value_usd"]:
                continue
            code = "" if r["code"] == "other" else f"{r['code']} "
            rows.append(
                {
                    "group": _cut(code + str(r[f"label_{lang}"])),
                    "label": str(r[f"label_{lang}"]),
                    "share": round(float(r["share"]) * 100, 2),
                    "other": r["code"] == "other",
                }
            )
        if not rows:
            continue
        order = [r["group"] for r in rows]
        panel = (
            alt.Chart(alt.Data(values=rows))
            .mark_bar(color=COLORS[direction])
            .encode(
                y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=280)),
                x=alt.X("share:Q", title=text(lang, "c_share"), axis=alt.Axis(format=",.0f")),
                opacity=alt.condition("datum.other", alt.value(0.45), alt.value(1.0)),
                tooltip=[
                    alt.Tooltip("label:N", title=text(lang, "product_group")),
                    alt.Tooltip("share:Q", title=text(lang, "c_share"), format=",.1f"),
                ],
            )
            .properties(
                width=170,
                height=max(60, 17 * len(rows)),
                title=alt.TitleParams(text(lang, direction), fontSize=12, anchor="start"),
            )
        )
        panels.append(panel)
    title = alt.TitleParams(text(lang, "c_composition", year=d.year), offset=14)
    chart = alt.hconcat(*panels, spacing=30).properties(title=title)
    return _finish(chart)


def to_svg(spec: dict[str, Any], lang: str) -> str:
    """A static SVG of ``spec`` (vl-convert), with the language's number format."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec, vl_version=VL_VERSION, format_locale=D3_LOCALES[lang])


def to_png(spec: dict[str, Any], lang: str, *, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(
        spec, vl_version=VL_VERSION, scale=scale, format_locale=D3_LOCALES[lang]
    )


@lru_cache(maxsize=2)
def format_locale(lang: str) -> dict[str, Any]:
    """The d3 number-format locale the HTML embedder uses (from vl-convert's tables)."""
    import vl_convert as vlc

    return dict(vlc.get_format_locale(D3_LOCALES[lang]))
