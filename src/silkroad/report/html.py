"""The brief as one self-contained HTML file: styles, data and chart code inlined, no network.

The charts are drawn live by Vega-Embed from the Vega-Lite specs of
:mod:`silkroad.report.charts` (tooltips on hover). The JavaScript (Vega, Vega-Lite, Vega-Embed)
comes from vl-convert's bundler; building that bundle takes a few seconds, so it is cached on
disk in the user cache directory (``platformdirs.user_cache_dir('silkroad')``), one file per
vl-convert and Vega-Lite version, and in memory for the process.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jinja2
import platformdirs

from silkroad.report.charts import VL_VERSION, format_locale
from silkroad.report.i18n import text
from silkroad.report.numbers import nobreak
from silkroad.report.tables import Table, cards, pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("silkroad.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["nb"] = nobreak  # no line break after a sign, inside "12-й" or "2013 г."
    return env


def bundle_path() -> Path:
    """Where the Vega JavaScript bundle is cached for this vl-convert and Vega-Lite version."""
    from importlib.metadata import version

    cache = Path(platformdirs.user_cache_dir("silkroad", appauthor=False))
    return cache / f"vega-bundle-vlc{version('vl-convert-python')}-vl{VL_VERSION}.js"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (globals vega, vegaLite, vegaEmbed)."""
    import vl_convert as vlc

    path = bundle_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    # The stub makes ``snippet`` required; at run time it defaults to the globals we want.
    js = cast(Any, vlc).javascript_bundle(vl_version=VL_VERSION)
    try:  # a cache that cannot be written only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        part.write_text(js, encoding="utf-8")
        part.replace(path)
    except OSError:
        pass
    return js


_SCRIPT_END = re.compile(r"<(/script|!--)", re.IGNORECASE)


def _script_safe(s: str) -> str:
    """Text that cannot end (or confuse) the <script> element it is inlined in.

    ``</script`` becomes ``<\\/script`` and ``<!--`` becomes ``<\\!--``: the same characters in a
    JavaScript string or regular expression, never the end of the element.
    """
    return _SCRIPT_END.sub(lambda m: "<\\" + m.group(1), s)


def _json_script(data: object) -> str:
    """JSON to inline in a <script> element: every '<' escaped as \\u003c (still valid JSON)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _chart_title(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    words = title.get("text", "") if isinstance(title, dict) else title
    return "; ".join(words) if isinstance(words, list) else str(words)


def render_html(brief: Brief) -> str:
    """The brief as an HTML document (a str, UTF-8 when saved)."""
    d, lang = brief.data, brief.lang
    names = pair_names(brief)
    charts = {key: _json_script(spec) for key, spec in brief.charts.items()}
    embed = {
        "mode": "vega-lite",
        "actions": False,
        "renderer": "svg",
        "formatLocale": format_locale(lang),
    }
    tables = brief.tables

    def get(key: str) -> Table | None:
        return tables.get(key)

    context: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: text(lang, key, **kw),
        "title": text(lang, "title", a=names["a"], b=names["b"]),
        "subtitle": text(lang, "subtitle", year=d.year),
        "synthetic": bool(d.metadata.get("synthetic")),
        "direction_note": text(lang, "direction_note", a=names["a"], b=names["b"]),
        "cards": cards(brief),
        "key_points": brief.key_points,
        "details": " ".join(brief.details),
        "chart_titles": {key: _chart_title(spec) for key, spec in brief.charts.items()},
        "charts": charts,
        "embed": _json_script(embed),
        "vega_js": _script_safe(vega_bundle()) if charts else "",
        "table": get,
        "has_table": lambda key: key in tables,
        "movers_missing": d.prev is None,
        "no_prev": text(lang, "no_prev_year", prev=d.year - 1, year=d.year),
        "generated": brief.numbers.datetime(d.generated_at),
    }
    return _env().get_template("brief.html.j2").render(**context)
