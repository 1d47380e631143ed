"""The brief as Markdown, for pasting into notes and e-mails (GitHub-flavoured pipe tables).

Markdown has no charts: the document says the charts are in the other formats, and the
dynamics table carries the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkroad.report.i18n import text
from silkroad.report.tables import Table, cards, pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief


def _escape(s: str) -> str:
    """Text safe inside a pipe-table cell or a paragraph."""
    out = s.replace("\\", "\\\\").replace("|", "\\|")
    for ch in ("*", "_", "`", "[", "]", "<", ">"):
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def _table(tab: Table) -> str:
    idx = tab.shown("display")
    cols = [tab.columns[i] for i in idx]
    lines = [f"**{_escape(tab.title)}**", ""]
    lines.append("| " + " | ".join(_escape(c.header) for c in cols) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else ":---" for c in cols) + "|")
    group = None
    for row in tab.rows:
        if row.group and row.group != group:
            group = row.group
            lines.append(
                "| " + " | ".join([f"**{_escape(group)}**"] + [""] * (len(cols) - 1)) + " |"
            )
        cells = []
        for i in idx:
            raw = row.cells[i].text
            body = _escape(raw.strip())
            indent = len(raw) - len(raw.lstrip(" "))
            if indent and body:
                body = "\u00a0" * indent + body
            if row.emphasis and body:
                body = f"**{body}**"
            cells.append(body)
        lines.append("| " + " | ".join(cells) + " |")
    if tab.note:
        lines += ["", f"*{_escape(tab.note)}*"]
    return "\n".join(lines) + "\n"


def render_markdown(brief: Brief) -> str:
    """The brief as a Markdown document."""
    d, lang = brief.data, brief.lang
    names = pair_names(brief)
    tables = brief.tables
    out = [f"# {_escape(text(lang, 'title', a=names['a'], b=names['b']))}", ""]
    out += [f"*{_escape(text(lang, 'subtitle', year=d.year))}*", ""]
    if d.metadata.get("synthetic"):
        out += [f"> **{_escape(text(lang, 'synthetic_banner'))}**", ""]
    out += [_escape(text(lang, "direction_note", a=names["a"], b=names["b"])), ""]

    out += [f"## {_escape(text(lang, 'sec_key'))}", ""]
    for c in cards(brief):
        change = f" ({_escape(c.change)})" if c.change else ""
        out.append(f"- **{_escape(c.label)}:** {_escape(c.amount)}{change}")
    out.append("")
    out += [f"- {_escape(p)}" for p in brief.key_points]
    out.append("")

    out += [f"## {_escape(text(lang, 'sec_summary'))}", "", _table(tables["headline"])]
    if brief.details:
        out += [_escape(" ".join(brief.details)), ""]

    out += [f"## {_escape(text(lang, 'sec_dynamics'))}", ""]
    out += [f"*{_escape(text(lang, 'charts_elsewhere'))}*", "", _table(tables["dynamics"])]

    out += [f"## {_escape(text(lang, 'sec_structure'))}", ""]
    out += [_table(tables["structure_exports"]), _table(tables["structure_imports"])]

    out += [f"## {_escape(text(lang, 'sec_movers'))}", ""]
    if d.prev is None:
        reason = text(lang, "no_prev_year", prev=d.year - 1, year=d.year)
        out += [_escape(text(lang, "not_available", reason=reason)), ""]
    else:
        out += [_table(tables[k]) for k in ("movers_exports", "movers_imports", "decomposition")]

    out += [f"## {_escape(text(lang, 'sec_context'))}", ""]
    out += [_table(tables["context"]), _table(tables["blocs"])]

    if "indicators" in tables:
        out += [f"## {_escape(text(lang, 'sec_advantage'))}", ""]
        out += [_table(tables[k]) for k in ("indicators", "rca", "opportunities")]
    if "potential" in tables:
        out += [f"## {_escape(text(lang, 'sec_potential'))}", "", _table(tables["potential"])]

    notes = _table(tables["notes"]).split("\n", 2)[2]  # the section heading is its title
    out += [f"## {_escape(text(lang, 'sec_notes'))}", "", notes]
    return "\n".join(out).rstrip() + "\n"
