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

from typing import TYPE_CHECKING

from silkroad.report.charts import to_svg
from silkroad.report.i18n import text
from silkroad.report.tables import Table, cards, pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

TEXT_FONTS = ("Libertinus Serif", "New Computer Modern")
BODY_SIZE = "10.5pt"
TABLE_SIZE = "8.5pt"
#: Tables with at most this many rows are never split across pages.
KEEP_TOGETHER = 14


def lit(s: str) -> str:
    """A Typst string literal holding ``s`` exactly."""
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def _preamble(brief: Brief, title: str, subtitle: str) -> str:
    d = brief.data
    fonts = ", ".join(lit(f) for f in TEXT_FONTS)
    footer_left = lit(f"silkroad · {brief.numbers.datetime(d.generated_at)}")
    head = lit(f"{title} — {subtitle}")
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
    {footer_left}
    h(1fr)
    counter(page).display("1 / 1", both: true)
  }},
)
#set text(font: ({fonts},), size: {BODY_SIZE}, lang: {lit(brief.lang)})
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


def _table(tab: Table) -> str:
    idx = tab.shown("display")
    cols = [tab.columns[i] for i in idx]
    # The widest text column takes the free width; the others fit their content.
    texts = [j for j, c in enumerate(cols) if c.kind == "text"]
    label_at = max(
        texts,
        key=lambda j: sum(len(r.cells[idx[j]].text) for r in tab.rows),
        default=None,
    )
    if label_at is not None:
        widths = ["1fr" if j == label_at else "auto" for j in range(len(cols))]
    else:
        widths = ["auto" if j == 0 else "1fr" for j in range(len(cols))]
    aligns = ["right" if c.numeric else "left" for c in cols]
    parts = [
        f'#block(sticky: true, below: 0.5em)[#text(weight: "bold", {lit(tab.title)})]',
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

    out.append(f"= #{lit(text(lang, 'sec_headline'))}\n")
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
    out.append(
        f"#grid(columns: (1fr, 1fr, 1fr, 1fr), gutter: 6pt, {', '.join(boxes)})\n#v(0.6em)\n"
    )
    out.append(_table(tables["headline"]))

    out.append(f"= #{lit(text(lang, 'sec_summary'))}\n")
    for para in brief.narrative:
        out.append(f"#par(justify: true, {lit(para)})\n")

    out.append(f"= #{lit(text(lang, 'sec_dynamics'))}\n")
    if "dynamics" in brief.charts:
        out.append(_image(to_svg(brief.charts["dynamics"], lang)))
    out.append(_table(tables["dynamics"]))

    out.append(f"= #{lit(text(lang, 'sec_structure'))}\n")
    if "composition" in brief.charts:
        out.append(_image(to_svg(brief.charts["composition"], lang)))
    out.append(_table(tables["structure_exports"]))
    out.append(_table(tables["structure_imports"]))

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

    out.append(f"= #{lit(text(lang, 'sec_notes'))}\n")
    out.append(_table(tables["notes"]))
    return "\n".join(out)


def render_pdf(brief: Brief) -> bytes:
    """Compile the brief's Typst markup to PDF bytes."""
    import typst

    source = typst_source(brief)
    return bytes(typst.compile(source.encode("utf-8")))
