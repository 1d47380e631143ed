"""The brief as an A4 PDF: Typst markup generated from the brief, compiled by the ``typst`` package.

Every text of the brief enters the markup as a Typst string literal (``"..."``, escaped), so no
character in a label or a name can be read as markup. Charts are vl-convert SVGs, passed to
Typst as bytes (vector, sharp at any zoom). Tables repeat their header on a new page and never
break inside a row (``table.cell(breakable: false)``); a table's title stays with it.

Fonts: the text is set in Libertinus Serif, which Typst embeds (Latin and Cyrillic), so the
document looks the same everywhere; chart labels use DejaVu Sans or Liberation Sans when the
system has them, else Typst's embedded fonts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from silkroad.report.charts import to_svg
from silkroad.report.i18n import text
from silkroad.report.numbers import nobreak
from silkroad.report.tables import Table, cards, pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

TEXT_FONTS = ("Libertinus Serif", "New Computer Modern")
BODY_SIZE = "10.5pt"
TABLE_SIZE = "8.5pt"
#: Tables with at most this many rows are never split across pages.
KEEP_TOGETHER = 14
SYNTHETIC = "#8a6100"
#: Characters of a table row that fit the text width at the table size (about 4.4pt each).
ROW_CHARS = 108


def lit(s: str) -> str:
    """A Typst string literal holding ``s`` (with its non-breaking joins, :func:`nobreak`)."""
    out = nobreak(s).replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def _preamble(brief: Brief, title: str, subtitle: str) -> str:
    d = brief.data
    fonts = ", ".join(lit(f) for f in TEXT_FONTS)
    footer_left = lit(f"silkroad · {brief.numbers.datetime(d.generated_at)}")
    head = lit(f"{title} — {subtitle}")
    label = "none"
    if d.metadata.get("synthetic"):
        label = lit(text(brief.lang, "synthetic_short"))
    synthetic = f"""
    let label = {label}
    if label != none {{
      h(1fr)
      text(weight: "bold", fill: rgb("{SYNTHETIC}"), label)
    }}"""
    return f"""
#set document(title: {lit(f"{title} — {subtitle}")}, author: "silkroad")
#set page(
  paper: "a4",
  margin: (x: 18mm, top: 20mm, bottom: 18mm),
  header: context {{
    if counter(page).get().first() > 1 {{
      set text(size: 8pt, fill: luma(110))
      {head}
      v(-4pt)
      line(length: 100%, stroke: 0.3pt + luma(180))
    }}
  }},
  footer: context {{
    set text(size: 8pt, fill: luma(110))
    {footer_left}{synthetic}
    h(1fr)
    counter(page).display("1 / 1", both: true)
  }},
)
#set text(font: ({fonts},), size: {BODY_SIZE}, lang: {lit(brief.lang)}, hyphenate: false)
#set par(leading: 0.6em, spacing: 0.85em)
#show heading.where(level: 1): it => block(above: 1.5em, below: 0.8em, sticky: true, width: 100%)[
  #set text(size: 14pt, weight: "bold")
  #it.body
  #v(-6pt)
  #line(length: 100%, stroke: 0.8pt)
]
#set table(
  stroke: (x, y) => if y == 0 {{ (bottom: 0.8pt) }} else {{ (bottom: 0.3pt + luma(200)) }},
  inset: (x: 4pt, y: 3pt),
)
#set table.cell(breakable: false)
#show table: set text(size: {TABLE_SIZE})
"""


def _words(text: str) -> list[str]:
    """The pieces a line may not break inside (split at ordinary spaces and breaking dashes)."""
    return [w for w in re.split(r"[ \u2013—/]+", nobreak(text)) if w]


def column_weights(tab: Table, idx: list[int]) -> list[int]:
    """Relative column widths (Typst ``fr``): every column wide enough for its longest word.

    A column's weight is the longest piece of its header or cells that cannot break (a
    number, "Показатель", "Казахстан"), plus some of its longer texts so they wrap on few lines;
    the widths are shares of the text width, so no cell's text runs into the next column.
    """
    need, want = [], []
    for i in idx:
        col = tab.columns[i]
        texts = [r.cells[i].text.strip() for r in tab.rows] + [col.header]
        longest_word = max((len(w) for t in texts for w in _words(t)), default=1)
        cells = [len(r.cells[i].text.strip()) for r in tab.rows]
        widest = max(cells, default=1)
        need.append(max(longest_word, widest if col.numeric else 1, 3))
        want.append(min(widest, 40) if not col.numeric else need[-1])
    total_want = sum(max(n, w) for n, w in zip(need, want, strict=True))
    if total_want <= ROW_CHARS:
        return [max(n, w) for n, w in zip(need, want, strict=True)]
    # Text columns share what the unbreakable pieces leave.
    spare = max(ROW_CHARS - sum(need), 0)
    extra = [max(w - n, 0) for n, w in zip(need, want, strict=True)]
    scale = spare / sum(extra) if sum(extra) else 0
    return [n + int(e * scale) for n, e in zip(need, extra, strict=True)]


def _table(tab: Table, *, title: bool = True) -> str:
    idx = tab.shown("display")
    cols = [tab.columns[i] for i in idx]
    widths = [f"{w}fr" for w in column_weights(tab, idx)]
    aligns = ["right" if c.numeric else "left" for c in cols]
    parts = [
        f'#block(sticky: true, below: 0.5em)[#text(weight: "bold", {lit(tab.title)})]'
        if title
        else "",
        "#table(",
        f"  columns: ({', '.join(widths)},),",
        f"  align: ({', '.join(aligns)},),",
        "  table.header(" + ", ".join(f"[#strong({lit(c.header)})]" for c in cols) + "),",
    ]
    group = None
    for row in tab.rows:
        if row.group and row.group != group:
            group = row.group
            parts.append(
                f"  table.cell(colspan: {len(cols)}, fill: luma(238))[#strong({lit(group)})],"
            )
        cells = []
        for i in idx:
            raw = row.cells[i].text
            body = raw.lstrip(" ")
            indent = len(raw) - len(body)
            content = f"strong({lit(body)})" if row.emphasis else lit(body)
            pad = f"#h({indent * 0.35:.2f}em)" if indent else ""
            cell = f"[{pad}#{content}]"
            if row.emphasis:
                cell = f"table.cell(fill: luma(245))[{pad}#{content}]"
            cells.append(cell)
        parts.append("  " + ", ".join(cells) + ",")
    parts.append(")")
    if tab.note:
        parts.append(f"#text(size: 8pt, fill: luma(90), {lit(tab.note)})")
    body = "\n".join(parts)
    if len(tab.rows) <= KEEP_TOGETHER:  # a short table moves to the next page whole
        body = f"#block(breakable: false)[\n{body}\n]"
    return body + "\n#v(0.6em)\n"


def _image(svg: str) -> str:
    return f'#align(center, image(bytes({lit(svg)}), format: "svg", width: 100%))\n#v(0.4em)\n'


def typst_source(brief: Brief) -> str:
    """The Typst markup of the brief (charts included as SVG strings)."""
    d, lang = brief.data, brief.lang
    names = pair_names(brief)
    title = text(lang, "title", a=names["a"], b=names["b"])
    subtitle = text(lang, "subtitle", year=d.year)
    tables = brief.tables
    out = [_preamble(brief, title, subtitle)]
    out.append(f'#text(size: 20pt, weight: "bold", {lit(title)})\n#v(-2pt)\n')
    out.append(f"#text(size: 12pt, fill: luma(80), {lit(subtitle)})\n")
    if d.metadata.get("synthetic"):
        out.append(
            '#block(fill: rgb("#fff4d6"), stroke: 0.6pt + rgb("#e6c56b"), inset: 7pt, '
            f'radius: 3pt, width: 100%)[#text(weight: "bold", {lit(text(lang, "synthetic_banner"))})]\n'
        )
    direction = text(lang, "direction_note", a=names["a"], b=names["b"])
    out.append(f"#text(size: 9pt, fill: luma(90), {lit(direction)})\n")

    out.append(f"= #{lit(text(lang, 'sec_key'))}\n")
    out.append(_cards(brief))
    points = ", ".join(f"[#{lit(p)}]" for p in brief.key_points)
    out.append(f"#list(spacing: 0.7em, {points})\n#v(0.5em)\n" if points else "")
    charts = brief.charts
    if "balance" in charts:
        out.append(_image(to_svg(charts["balance"], lang)))
    out.append("#pagebreak(weak: true)\n")

    out.append(f"= #{lit(text(lang, 'sec_summary'))}\n")
    out.append(_table(tables["headline"]))
    if brief.details:
        out.append(f"#par(justify: true, {lit(' '.join(brief.details))})\n#v(0.4em)\n")

    out.append(f"= #{lit(text(lang, 'sec_dynamics'))}\n")
    if "dynamics" in charts:
        out.append(_image(to_svg(charts["dynamics"], lang)))
    out.append(_table(tables["dynamics"]))

    out.append(f"= #{lit(text(lang, 'sec_structure'))}\n")
    for key in ("treemap", "history"):
        if key in charts:
            out.append(_image(to_svg(charts[key], lang)))
    out.append(_table(tables["structure_exports"]))
    out.append(_table(tables["structure_imports"]))

    if "market" in charts:
        out.append(f"= #{lit(text(lang, 'sec_market'))}\n")
        out.append(_image(to_svg(charts["market"], lang)))

    out.append(f"= #{lit(text(lang, 'sec_movers'))}\n")
    if d.prev is None:
        reason = text(lang, "no_prev_year", prev=d.year - 1, year=d.year)
        out.append(f"#{lit(text(lang, 'not_available', reason=reason))}\n")
    else:
        for key in ("movers_exports", "movers_imports", "decomposition"):
            out.append(_table(tables[key]))

    out.append(f"= #{lit(text(lang, 'sec_context'))}\n")
    out.append(_table(tables["context"]))
    out.append(_table(tables["blocs"]))

    if "indicators" in tables:
        out.append(f"= #{lit(text(lang, 'sec_advantage'))}\n")
        for key in ("indicators", "rca", "opportunities"):
            out.append(_table(tables[key]))
    if "potential" in tables:
        out.append(f"= #{lit(text(lang, 'sec_potential'))}\n")
        out.append(_table(tables["potential"]))

    out.append(f"= #{lit(text(lang, 'sec_notes'))}\n")
    out.append(_table(tables["notes"], title=False))
    return "\n".join(out)


def _cards(brief: Brief) -> str:
    boxes = []
    for c in cards(brief):
        colour = {"turnover": "luma(40)", "exports": 'rgb("#1f5fa8")', "imports": 'rgb("#e8892b")'}
        top = colour.get(c.key, "luma(200)")
        trend = {"up": 'rgb("#1d7a3a")', "down": 'rgb("#b3261e")'}.get(c.trend, "luma(60)")
        boxes.append(
            f"block(width: 100%, inset: 6pt, stroke: (top: 2.5pt + {top}, rest: 0.5pt + luma(200)), "
            f"radius: 2pt)[#text(size: 8.5pt, fill: luma(90), {lit(c.label)})\\ "
            f'#text(size: 12.5pt, weight: "bold", {lit(c.amount)})\\ '
            f"#text(size: 8.5pt, fill: {trend}, {lit(c.change)})]"
        )
    return f"#grid(columns: (1fr, 1fr, 1fr, 1fr), gutter: 6pt, {', '.join(boxes)})\n#v(0.6em)\n"


def render_pdf(brief: Brief) -> bytes:
    """Compile the brief's Typst markup to PDF bytes."""
    import typst

    source = typst_source(brief)
    return bytes(typst.compile(source.encode("utf-8")))
