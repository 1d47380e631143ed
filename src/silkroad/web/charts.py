"""The dashboard's charts: the brief's Vega-Lite definitions, and a treemap of the structure.

The turnover-over-time and composition charts are the brief's own (:mod:`silkroad.report.charts`,
Vega-Lite). Vega-Lite has no treemap, so the structure treemap is a Vega specification (Vega's
``treemap`` transform), drawn by the same bundled Vega-Embed.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from silkroad.report.charts import COLORS, FONT, WIDTH
from silkroad.web.i18n import t


def treemap(frame: pd.DataFrame, *, direction: str, year: int, lang: str) -> dict[str, Any] | None:
    """A Vega treemap of a structure table (one rectangle per group, area = value in USD).

    None when no group has a positive value (nothing to draw).
    """
    rows = []
    for r in frame.to_dict(orient="records"):
        v = r.get("value_usd")
        if v is None or not isinstance(v, (int, float)) or math.isnan(v) or v <= 0:
            continue
        share = r.get("share")
        rows.append(
            {
                "id": str(r["code"]),
                "parent": "root",
                "code": "" if r["code"] == "other" else str(r["code"]),
                "label": str(r.get(f"label_{lang}") or r["code"]),
                "value": float(v),
                "share": float(share)
                if isinstance(share, (int, float)) and share == share
                else 0.0,
                "other": r["code"] == "other",
            }
        )
    if not rows:
        return None
    title = t(lang, "treemap", direction=t(lang, direction).lower(), year=year)
    return {
        "width": WIDTH,
        "height": 340,
        "padding": 4,
        "autosize": "pad",
        "title": {"text": title, "anchor": "start", "font": FONT, "fontSize": 14},
        "data": [
            {
                "name": "tree",
                "values": [{"id": "root", "parent": None}, *rows],
                "transform": [
                    {"type": "stratify", "key": "id", "parentKey": "parent"},
                    {
                        "type": "treemap",
                        "field": "value",
                        "sort": {"field": "value", "order": "descending"},
                        "round": True,
                        "method": "squarify",
                        "size": [{"signal": "width"}, {"signal": "height"}],
                    },
                ],
            },
            {
                "name": "leaves",
                "source": "tree",
                "transform": [{"type": "filter", "expr": "datum.parent === 'root'"}],
            },
        ],
        "marks": [
            {
                "type": "rect",
                "name": "cells",
                "from": {"data": "leaves"},
                "encode": {
                    "enter": {
                        "fill": {"value": COLORS[direction]},
                        "fillOpacity": {"signal": "datum.other ? 0.4 : 0.55 + 0.45 * datum.share"},
                        "stroke": {"value": "#ffffff"},
                        "strokeWidth": {"value": 1.5},
                        "tooltip": {
                            "signal": "{title: datum.label, '%': format(datum.share * 100, ',.1f'), "
                            "'USD': format(datum.value, ',.0f')}"
                        },
                    },
                    "update": {
                        "x": {"field": "x0"},
                        "y": {"field": "y0"},
                        "x2": {"field": "x1"},
                        "y2": {"field": "y1"},
                    },
                },
            },
            {
                "type": "text",
                "from": {"data": "leaves"},
                "interactive": False,
                "encode": {
                    "enter": {
                        "font": {"value": FONT},
                        "fontSize": {"value": 11},
                        "fill": {"value": "#ffffff"},
                        "fontWeight": {"value": "bold"},
                    },
                    "update": {
                        "x": {"signal": "datum.x0 + 5"},
                        "y": {"signal": "datum.y0 + 15"},
                        "text": {
                            "signal": "(datum.x1 - datum.x0 > 70 && datum.y1 - datum.y0 > 20) ? "
                            "(datum.code ? datum.code + ' · ' : '') + format(datum.share * 100, ',.1f') + '%' : ''"
                        },
                    },
                },
            },
        ],
    }
