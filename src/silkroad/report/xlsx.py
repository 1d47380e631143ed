"""The brief as an Excel workbook (xlsxwriter): one sheet per table, numbers as numbers.

Each sheet has the table's title in A1 and its header on row 3 (frozen), with the unit in the
header ("Exports, million USD", "Share, %"). Amounts are the unrounded values in the brief's
unit with a display format of one decimal; shares and growth are fractions formatted as
percentages; ratios ("N times") are R itself. Columns that only word a change for people
("3.6 times more") are replaced here by the growth and R behind them. The first sheet also holds
the title, the key points and the details. Charts are PNGs of the same Vega-Lite specs the HTML
and PDF draw (:mod:`silkroad.report.charts`): turnover and balance on the first sheet, the
dynamics, the treemap and the structure over time under their tables, the partner's market on a
sheet of its own. Every sheet of a brief on synthetic data says so in its second row.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import xlsxwriter

from silkroad.report.charts import to_png
from silkroad.report.i18n import text
from silkroad.report.tables import KINDS, Table, pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

HEADER_ROW = 2  # zero-based: title on row 0, a blank row, then the header
MAX_WIDTH = 60


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[str | None, bool], Any] = {}
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.subtitle = wb.add_format({"italic": True, "font_color": "#555555"})
        self.header = wb.add_format(
            {"bold": True, "bottom": 2, "text_wrap": True, "valign": "bottom"}
        )
        self.header_num = wb.add_format(
            {"bold": True, "bottom": 2, "text_wrap": True, "valign": "bottom", "align": "right"}
        )
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.banner = wb.add_format(
            {"bold": True, "bg_color": "#FFF4D6", "font_color": "#6B4E00", "border": 1}
        )
        self.note = wb.add_format({"italic": True, "font_color": "#555555", "text_wrap": True})

    def cell(self, kind: str | None, bold: bool) -> Any:
        key = (kind, bold)
        if key not in self.cache:
            spec: dict[str, Any] = {"bold": bold}
            num = KINDS.get(kind or "text")
            if num:
                spec["num_format"] = num
            if kind in (None, "text"):
                spec["text_wrap"] = True
                spec["valign"] = "top"
            self.cache[key] = self.wb.add_format(spec)
        return self.cache[key]


def _write_table(ws: Any, fmt: _Formats, tab: Table, first_row: int) -> tuple[int, list[int]]:
    """Header and rows of ``tab`` from ``first_row``; returns the row after it and its columns."""
    idx = tab.shown("data")
    widths = [len(tab.columns[i].header) * 0.6 for i in idx]
    for j, i in enumerate(idx):
        col = tab.columns[i]
        ws.write_string(first_row, j, col.header, fmt.header_num if col.numeric else fmt.header)
    row_no = first_row + 1
    for row in tab.rows:
        for j, i in enumerate(idx):
            col, cell = tab.columns[i], row.cells[i]
            kind = cell.kind or col.kind
            value = cell.value
            style = fmt.cell(kind if KINDS.get(kind) else "text", row.emphasis)
            if value is None or (isinstance(value, float) and value != value):
                ws.write_blank(row_no, j, None, style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(row_no, j, float(value), style)
                widths[j] = max(widths[j], 10)
            else:
                s = str(value).strip()
                ws.write_string(row_no, j, s, style)
                widths[j] = max(widths[j], min(len(s), MAX_WIDTH))
        row_no += 1
    for j, w in enumerate(widths):
        ws.set_column(j, j, max(8, min(MAX_WIDTH, w + 2)))
    if tab.note:
        ws.merge_range(row_no + 1, 0, row_no + 1, max(len(idx) - 1, 3), tab.note, fmt.note)
        ws.set_row(row_no + 1, 45)
    return row_no, idx


def _sheet(wb: xlsxwriter.Workbook, fmt: _Formats, tab: Table, names: set[str]) -> Any:
    name = tab.sheet[:31]
    while name in names:
        name = name[:29] + f"{len(names)}"
    names.add(name)
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, tab.title, fmt.title)
    return ws


def render_xlsx(brief: Brief) -> bytes:
    """The workbook as bytes."""
    d, lang = brief.data, brief.lang
    names = pair_names(brief)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = text(lang, "title", a=names["a"], b=names["b"])
    subtitle = text(lang, "subtitle", year=d.year)
    wb.set_properties(
        {
            "title": f"{title} — {subtitle}",
            "author": "silkroad",
            "created": d.generated_at.replace(tzinfo=None),
            "comments": text(lang, "synthetic_banner") if d.metadata.get("synthetic") else "",
        }
    )
    fmt = _Formats(wb)
    used: set[str] = set()
    tables = brief.tables

    # Summary: title, banner, the narrative, then the headline table.
    head = tables["headline"]
    ws = _sheet(wb, fmt, head, used)
    ws.write_string(0, 0, title, fmt.title)
    ws.write_string(1, 0, subtitle, fmt.subtitle)
    row = 3
    span = max(len(head.shown("data")) - 1, 5)
    if d.metadata.get("synthetic"):
        ws.merge_range(row, 0, row, span, text(lang, "synthetic_banner"), fmt.banner)
        row += 2
    direction = text(lang, "direction_note", a=names["a"], b=names["b"])
    ws.merge_range(row, 0, row, span, direction, fmt.note)
    row += 2
    for para in [*brief.key_points, " ".join(brief.details)]:
        if not para:
            continue
        ws.merge_range(row, 0, row, span, para, fmt.wrap)
        ws.set_row(row, 15 * max(1, len(para) // 95 + 1))
        row += 1
    row += 1
    ws.write_string(row, 0, head.title, fmt.title)
    head_end, _ = _write_table(ws, fmt, head, row + 2)
    ws.set_column(0, 0, 16)
    ws.set_column(1, span, 14)

    charts = brief.charts
    synthetic = text(lang, "synthetic_short") if d.metadata.get("synthetic") else ""
    _image(ws, brief, "balance", head_end + 2)
    for key, tab in tables.items():
        if key == "headline":
            continue
        ws = _sheet(wb, fmt, tab, used)
        if synthetic:
            ws.write_string(1, 0, synthetic, fmt.banner)
        end, _idx = _write_table(ws, fmt, tab, HEADER_ROW)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        at = end + 2 + (2 if tab.note else 0)
        for name in SHEET_CHARTS.get(key, ()):
            at = _image(ws, brief, name, at)
    if "market" in charts:
        sheet = "Partner's market" if lang == "en" else "Рынок партнёра"
        ws = wb.add_worksheet(sheet)
        ws.write_string(0, 0, text(lang, "sec_market"), fmt.title)
        if synthetic:
            ws.write_string(1, 0, synthetic, fmt.banner)
        _image(ws, brief, "market", HEADER_ROW)
    wb.close()
    return buffer.getvalue()


#: The charts each sheet shows under its table (PNG from the chart's one Vega-Lite spec).
SHEET_CHARTS = {
    "dynamics": ("dynamics",),
    "structure_exports": ("treemap",),
    "structure_imports": ("history",),
}
#: Pixel scale of the PNGs (sharp on high-density screens); shown at 1/SCALE in Excel.
SCALE = 2.0
ROW_PX = 20  # the default row height in pixels


def _image(ws: Any, brief: Brief, name: str, row: int) -> int:
    """Insert chart ``name`` (a PNG of its Vega-Lite spec) at ``row``; return the row after it."""
    spec = brief.charts.get(name)
    if spec is None:
        return row
    png = to_png(spec, brief.lang, scale=SCALE)
    height = int.from_bytes(png[20:24], "big") / SCALE  # the PNG header's height, in pixels
    ws.insert_image(
        row,
        0,
        f"{name}.png",
        {"image_data": io.BytesIO(png), "x_scale": 1 / SCALE, "y_scale": 1 / SCALE},
    )
    return row + int(height / ROW_PX) + 2
