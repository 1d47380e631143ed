"""The tables of a brief in its language: one model that every output format renders.

A :class:`Table` has columns and rows of :class:`Cell`; each cell carries the text people read
(formatted once by :class:`~silkroad.report.numbers.Numbers`) and the number behind it for
Excel (amounts in the brief's unit, shares and growth as fractions, ratios as R). Columns say
where they appear: ``all`` formats, ``display`` only (HTML, PDF, Markdown: e.g. a change worded
"3.6 times more") or ``data`` only (Excel: the growth and the ratio R behind that wording, side by
side as METHODS 1.3 asks).
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from silkroad import __version__
from silkroad.reference.blocs import bloc_name
from silkroad.reference.countries import country_name
from silkroad.reference.products import product_name
from silkroad.report.brief import DIRECTIONS, MOVERS_TOP, value
from silkroad.report.i18n import name, text
from silkroad.report.names import is_code
from silkroad.report.numbers import Numbers, change, missing

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

#: Column kinds and their Excel number formats.
KINDS = {
    "text": None,
    "code": None,
    "year": "0",
    "int": "#,##0",
    "amount": "#,##0.0",
    "pct": "0.0%",
    "spct": "+0.0%;-0.0%;0.0%",
    "ratio": "0.00",
    "index": "0.000",
    "pp": "+0.0;-0.0;0.0",
    "change": None,  # a worded change ('+22.9%', '3.6 times more'): display only
}
FLOWS = ("turnover", "exports", "imports", "balance")
GROUPS = {
    "en": {"one": "{n} group", "other": "{n} groups"},
    "ru": {"one": "{n} группа", "few": "{n} группы", "many": "{n} групп", "other": "{n} группы"},
}


@dataclasses.dataclass
class Cell:
    text: str
    value: Any = None  # for Excel: a number, or a string; None leaves the cell empty
    kind: str | None = None  # overrides the column's kind (rows of mixed units)


@dataclasses.dataclass
class Column:
    key: str
    header: str
    kind: str = "text"
    media: str = "all"  # 'all', 'display' (not in Excel) or 'data' (Excel only)

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "code")


@dataclasses.dataclass
class Row:
    cells: list[Cell]
    group: str | None = None  # rows are shown under a group heading when it changes
    emphasis: bool = False  # totals and 'other'


@dataclasses.dataclass
class Table:
    key: str
    title: str
    sheet: str  # Excel sheet name, at most 31 characters
    columns: list[Column]
    rows: list[Row]
    note: str = ""

    def shown(self, media: str) -> list[int]:
        """Indices of the columns shown in 'display' or 'data' outputs."""
        return [i for i, c in enumerate(self.columns) if c.media in ("all", media)]


def cell_amount(nf: Numbers, usd: float, *, signed: bool = False) -> Cell:
    if missing(usd):
        return Cell("", None)
    return Cell(nf.amount(usd, signed=signed), usd / nf.factor)


def cell_pct(nf: Numbers, fraction: float, *, signed: bool = False) -> Cell:
    if missing(fraction):
        return Cell("", None)
    return Cell(nf.pct(fraction, signed=signed), fraction)


def cell_ratio(r: float) -> Cell:
    return Cell("", None if missing(r) or math.isinf(r) else r)


def cell_change(nf: Numbers, current: float, previous: float) -> Cell:
    c = change(current, previous)
    return Cell(nf.change_cell(c), None if missing(c.ratio) else c.ratio)


def _ratio(current: float, previous: float) -> float:
    if missing(current) or missing(previous) or previous <= 0:
        return math.nan
    return current / previous


def build_tables(brief: Brief) -> dict[str, Table]:
    """All tables of ``brief`` by key, in the order a document shows them."""
    tables = [headline(brief), dynamics(brief)]
    tables += [structure(brief, d) for d in DIRECTIONS]
    if brief.data.movers is not None:
        tables += [movers(brief, d) for d in DIRECTIONS]
        tables.append(decomposition(brief))
    tables += [context(brief), blocs(brief)]
    if brief.data.advantage is not None:
        tables += [indicators(brief), rca(brief), opportunities(brief)]
    if brief.data.potential is not None:
        tables.append(potential(brief))
    tables.append(notes(brief))
    return {t.key: t for t in tables}


def _t(brief: Brief, key: str, **kw: Any) -> str:
    return text(brief.lang, key, **kw)


def _names(brief: Brief) -> dict[str, str]:
    d = brief.data
    return {"a": d.party_a.name(brief.lang), "b": d.party_b.name(brief.lang)}


def headline(brief: Brief) -> Table:
    """Turnover, exports, imports and balance in the year, on the year before and the base."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    unit = nf.unit_label()
    cols = [
        Column("indicator", _t(brief, "indicator")),
        Column("value", _t(brief, "year_value", year=d.year, unit=unit), "amount"),
    ]
    if d.prev is not None:
        cols += [
            Column("prev", _t(brief, "year_value", year=d.prev, unit=unit), "amount"),
            Column("change", _t(brief, "change_on", prev=d.prev), "change", "display"),
            Column(
                "change_usd", _t(brief, "change_amount", prev=d.prev, unit=unit), "amount", "data"
            ),
            Column("growth", _t(brief, "growth_on_pct", prev=d.prev), "spct", "data"),
            Column("ratio", _t(brief, "ratio_to", prev=d.prev), "ratio", "data"),
        ]
    with_base = d.base is not None and d.base != d.year
    if with_base:
        cols += [
            Column("base", _t(brief, "year_value", year=d.base, unit=unit), "amount"),
            Column("vs_base", _t(brief, "versus", year=d.year, base=d.base), "change", "display"),
            Column("base_ratio", _t(brief, "ratio_to", prev=d.base), "ratio", "data"),
        ]
    rows = []
    p = d.profile
    for flow in FLOWS:
        col = f"{flow}_usd"
        v = value(p, d.year, col)
        cells = [Cell(_t(brief, flow), _t(brief, flow)), cell_amount(nf, v)]
        if d.prev is not None:
            pv = value(p, d.prev, col)
            if flow == "balance":
                cells += [cell_amount(nf, v - pv, signed=True), cell_amount(nf, v - pv)]
                cells += [Cell("", None), Cell("", None)]
            else:
                ch = change(v, pv)
                growth = ch.ratio - 1 if not missing(ch.ratio) else math.nan
                cells += [Cell(nf.change_cell(ch)), cell_amount(nf, v - pv)]
                cells += [cell_pct(nf, growth, signed=True), cell_ratio(ch.ratio)]
            cells.insert(2, cell_amount(nf, pv))
        if with_base:
            bv = value(p, d.base, col)
            cells.append(cell_amount(nf, bv))
            if flow == "balance":
                cells += [cell_amount(nf, v - bv, signed=True), Cell("", None)]
            else:
                cells += [Cell(nf.change_cell(change(v, bv))), cell_ratio(_ratio(v, bv))]
        rows.append(Row(cells, emphasis=flow == "turnover"))
    sheet = "Summary" if lang == "en" else "Сводка"
    return Table("headline", _t(brief, "t_headline", year=d.year), sheet, cols, rows)


def dynamics(brief: Brief) -> Table:
    """The years shown: exports, imports, turnover, balance, turnover growth and base ratio."""
    d, nf = brief.data, brief.numbers
    unit = nf.unit_label()
    cols = [
        Column("year", _t(brief, "year"), "year"),
        Column("exports", f"{_t(brief, 'exports')}, {unit}", "amount"),
        Column("imports", f"{_t(brief, 'imports')}, {unit}", "amount"),
        Column("turnover", f"{_t(brief, 'turnover')}, {unit}", "amount"),
        Column("balance", f"{_t(brief, 'balance')}, {unit}", "amount"),
        Column("growth_text", _t(brief, "turnover_growth"), "change", "display"),
        Column("growth", _t(brief, "turnover_growth") + ", %", "spct", "data"),
    ]
    with_base = d.base is not None
    if with_base:
        cols += [
            Column("vs_base", _t(brief, "turnover_vs", base=d.base), "change", "display"),
            Column("base_ratio", _t(brief, "turnover_ratio", base=d.base), "ratio", "data"),
        ]
    rows = []
    p = d.profile
    for y in d.years:
        t = value(p, y, "turnover_usd")
        pt = value(p, y - 1, "turnover_usd")  # NaN unless the year before is in the profile
        ch = change(t, pt)
        cells = [
            Cell(str(y), y),
            cell_amount(nf, value(p, y, "exports_usd")),
            cell_amount(nf, value(p, y, "imports_usd")),
            cell_amount(nf, t),
            cell_amount(nf, value(p, y, "balance_usd")),
            Cell(nf.change_cell(ch)),
            cell_pct(nf, ch.ratio - 1 if not missing(ch.ratio) else math.nan, signed=True),
        ]
        if with_base:
            r = value(p, y, "turnover_to_base")
            shown = Cell("") if y == d.base else Cell(nf.change_cell(change(r, 1.0)))
            cells += [shown, cell_ratio(r)]
        rows.append(Row(cells, emphasis=y == d.year))
    sheet = "Dynamics" if brief.lang == "en" else "Динамика"
    return Table("dynamics", _t(brief, "t_dynamics", unit=unit), sheet, cols, rows)


def structure(brief: Brief, direction: str) -> Table:
    """Top groups of exports or imports: value, share, change on the year before, contribution."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    df = brief.structure[direction]
    unit = nf.unit_label()
    level = d.level
    code_header = _t(brief, f"code_{level}") if level != "hs6" else _t(brief, "code_hs6")
    cols = [
        Column("code", code_header, "code"),
        Column("label", _t(brief, "product_group")),
        Column("value", _t(brief, "value_unit", year=d.year, unit=unit), "amount"),
        Column("share", _t(brief, "share_pct"), "pct"),
    ]
    if d.prev is not None:
        cols += [
            Column("prev", _t(brief, "prev_value_unit", prev=d.prev, unit=unit), "amount", "data"),
            Column("change", _t(brief, "change_on", prev=d.prev), "change", "display"),
            Column(
                "change_usd", _t(brief, "change_amount", prev=d.prev, unit=unit), "amount", "data"
            ),
            Column("growth", _t(brief, "growth_on_pct", prev=d.prev), "spct", "data"),
            Column("contribution", _t(brief, "contribution"), "pp"),
        ]
    if d.base is not None and "to_base" in df.columns:
        cols.append(Column("to_base", _t(brief, "to_base_ratio", base=d.base), "ratio", "data"))
    label_col = f"label_{lang}"
    rows = []
    meta = df.attrs.get("metadata", {})
    for r in df.to_dict(orient="records"):
        is_other = r["code"] == "other"
        label = str(r[label_col] or "")
        if is_other and meta.get("other_groups"):
            label = f"{label} ({nf.plural(int(meta['other_groups']), GROUPS[lang])})"
        shown_code = (
            "" if is_other or (level != "section" and not is_code(r["code"])) else r["code"]
        )
        cells = [
            Cell(str(shown_code), str(shown_code)),
            Cell(label, label),
            cell_amount(nf, r["value_usd"]),
            cell_pct(nf, r["share"]),
        ]
        if d.prev is not None:
            cells += [
                cell_amount(nf, r["prev_value_usd"]),
                cell_change(nf, r["value_usd"], r["prev_value_usd"]),
                cell_amount(nf, r["change_usd"]),
                cell_pct(nf, r["growth"], signed=True),
                Cell(nf.pp(r["contribution_pp"]), _none(r["contribution_pp"])),
            ]
        if d.base is not None and "to_base" in df.columns:
            cells.append(cell_ratio(r["to_base"]))
        rows.append(Row(cells, emphasis=is_other))
    total = float(df.value_usd.sum())
    prev_total = float(meta.get("previous_total_usd", math.nan))
    cells = [
        Cell("", ""),
        Cell(_total_label(brief)),
        cell_amount(nf, total),
        cell_pct(nf, 1.0 if total > 0 else math.nan),
    ]
    if d.prev is not None:
        cells += [
            cell_amount(nf, prev_total),
            cell_change(nf, total, prev_total),
            cell_amount(nf, total - prev_total),
            cell_pct(nf, _ratio(total, prev_total) - 1, signed=True),
            Cell(nf.pp(100 * (_ratio(total, prev_total) - 1)), _pp_total(total, prev_total)),
        ]
    if d.base is not None and "to_base" in df.columns:
        cells.append(cell_ratio(_ratio(total, float(df.base_value_usd.sum()))))
    rows.append(Row(cells, emphasis=True))
    cells[1].value = cells[1].text
    names = _names(brief)
    title = _t(brief, f"t_structure_{direction}", year=d.year, **names)
    if d.basket_names is not None:
        title += f" — {d.basket_names[0 if lang == 'en' else 1]}"
    sheet = {
        ("en", "exports"): "Exports structure",
        ("en", "imports"): "Imports structure",
        ("ru", "exports"): "Структура экспорта",
        ("ru", "imports"): "Структура импорта",
    }[(lang, direction)]
    if level == "baskets":  # a basket's id is not for people: its name says it
        cols = cols[1:]
        for row in rows:
            row.cells = row.cells[1:]
    return Table(f"structure_{direction}", title, sheet, cols, rows)


def _total_label(brief: Brief) -> str:
    return {"en": "Total", "ru": "Всего"}[brief.lang]


def _pp_total(total: float, prev_total: float) -> float | None:
    r = _ratio(total, prev_total)
    return None if missing(r) else 100 * (r - 1)


def _none(x: Any) -> Any:
    return None if missing(x) else x


def _count(brief: Brief, n: Any) -> str:
    """A count of products in a sentence or heading; 'n/a' when unknown (NaN), never a crash."""
    x = float(n)
    return _t(brief, "unknown") if missing(x) else brief.numbers.integer(int(x))


def _money_or_unknown(brief: Brief, usd: Any) -> str:
    """An amount (USD) in a heading; 'n/a' when unknown (NaN), not an empty '()'."""
    x = float(usd)
    return _t(brief, "unknown") if missing(x) else brief.numbers.money(x)


def movers(brief: Brief, direction: str) -> Table:
    """Largest gains and falls, new and lost products (HS6) in one direction."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    assert brief.movers is not None and d.prev is not None
    result = brief.movers[direction]
    unit = nf.unit_label()
    cols = [
        Column("group", _t(brief, "group"), media="data"),
        Column("product", _t(brief, "hs_code"), "code"),
        Column("chapter", _t(brief, "product_group")),
        Column("prev", _t(brief, "prev_value_unit", prev=d.prev, unit=unit), "amount"),
        Column("value", _t(brief, "value_unit", year=d.year, unit=unit), "amount"),
        Column("change", f"{_t(brief, 'change')}, {unit}", "amount"),
        Column("growth", _t(brief, "growth_pct"), "spct", "data"),
    ]
    rows = []
    margins = result["margins"].iloc[0]
    groups = [
        ("gainers", _t(brief, "g_gainers")),
        ("losers", _t(brief, "g_losers")),
        (
            "new",
            _t(
                brief,
                "g_new",
                n=_count(brief, margins.n_new),
                total=_money_or_unknown(brief, margins.extensive_new_usd),
            ),
        ),
        (
            "lost",
            _t(
                brief,
                "g_lost",
                n=_count(brief, margins.n_lost),
                total=_money_or_unknown(brief, margins.extensive_lost_usd),
            ),
        ),
    ]
    for key, heading in groups:
        df = result[key].head(MOVERS_TOP)
        if key in ("new", "lost") and len(result[key]) > len(df):
            heading += f"; {_t(brief, 'largest_shown', n=len(df))}"
        short = _t(brief, f"g_{key}_x")
        for r in df.to_dict(orient="records"):
            prev_v = r.get("prev_value_usd", 0.0) if key != "new" else 0.0
            cur_v = r.get("value_usd", 0.0) if key != "lost" else 0.0
            label = str(r.get(f"label_{lang}") or "")
            code = str(r["product"]) if is_code(r["product"]) else ""
            growth = r.get("growth", math.nan)
            rows.append(
                Row(
                    [
                        Cell(short, short),
                        Cell(code, code),
                        Cell(label, label),
                        cell_amount(nf, prev_v),
                        cell_amount(nf, cur_v),
                        cell_amount(nf, cur_v - prev_v, signed=True),
                        cell_pct(nf, -1.0 if key == "lost" else growth, signed=True),
                    ],
                    group=heading,
                )
            )
    title = _t(brief, f"t_movers_{direction}", prev=d.prev, year=d.year)
    sheet = {
        ("en", "exports"): "Movers in exports",
        ("en", "imports"): "Movers in imports",
        ("ru", "exports"): "Изменения экспорта",
        ("ru", "imports"): "Изменения импорта",
    }[(lang, direction)]
    return Table(f"movers_{direction}", title, sheet, cols, rows)


def decomposition(brief: Brief) -> Table:
    """Change in value: continuing, new and lost products; price and volume effects; indices."""
    d, nf = brief.data, brief.numbers
    assert d.movers is not None and d.prices is not None and d.prev is not None
    unit = nf.unit_label()
    cols = [
        Column("item", _t(brief, "item")),
        Column("unit", _t(brief, "unit"), media="data"),  # rows of mixed units in Excel
        Column("exports", _t(brief, "exports"), "amount"),
        Column("imports", _t(brief, "imports"), "amount"),
    ]
    m = {k: d.movers[k]["margins"].iloc[0] for k in DIRECTIONS}
    s = {k: d.prices[k]["summary"].iloc[0] for k in DIRECTIONS}
    units = {"amount": unit, "index": _t(brief, "u_index"), "pct": "%", "int": _t(brief, "u_count")}

    def label(key: str, kind: str, **kw: Any) -> list[Cell]:
        return [Cell(_t(brief, key, **kw), _t(brief, key, **kw)), Cell("", units[kind])]

    def amounts(key: str, get: Any) -> Row:
        return Row(
            label(key, "amount") + [cell_amount(nf, float(get(k)), signed=True) for k in DIRECTIONS]
        )

    def other(key: str, kind: str, get: Any, **kw: Any) -> Row:
        cells = label(key, kind, **kw)
        for k in DIRECTIONS:
            x = float(get(k))
            if missing(x):  # unknown (a flow the data cannot establish): 'n/a', not a blank
                cells.append(Cell(_t(brief, "unknown"), None, kind))
            elif kind == "index":
                cells.append(Cell(nf.decimal(x, 3), x, kind))
            elif kind == "pct":
                cells.append(Cell(nf.pct(x), x, kind))
            else:
                cells.append(Cell(nf.integer(int(x)), int(x), kind))
        return Row(cells)

    rows = [
        Row(amounts("d_change", lambda k: m[k].change_usd).cells, emphasis=True),
        amounts("d_continuing", lambda k: m[k].intensive_usd),
        amounts("d_price", lambda k: s[k].price_effect_usd),
        amounts("d_volume", lambda k: s[k].volume_effect_usd),
        amounts("d_no_weight", lambda k: s[k].no_weight_change_usd + s[k].trimmed_change_usd),
        amounts("d_new", lambda k: m[k].extensive_new_usd),
        amounts("d_lost", lambda k: -m[k].extensive_lost_usd),
        other("d_price_index", "index", lambda k: s[k].price_index_fisher),
        other("d_volume_index", "index", lambda k: s[k].volume_index_fisher),
        other("d_coverage", "pct", lambda k: s[k].coverage1, year=d.year),
        other("d_n_new", "int", lambda k: m[k].n_new),
        other("d_n_lost", "int", lambda k: m[k].n_lost),
    ]
    sheet = "Price and volume" if brief.lang == "en" else "Цены и объёмы"
    title = _t(brief, "t_decomposition", prev=d.prev, year=d.year, unit=unit)
    return Table("decomposition", title, sheet, cols, rows, note=_t(brief, "d_note"))


def context(brief: Brief) -> Table:
    """Each side's view: the other's rank and share among its partners, its total trade."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    unit = nf.unit_label()
    cols = [
        Column("economy", _t(brief, "economy")),
        Column("partner", _t(brief, "partner")),
        Column("rank", _t(brief, "partner_rank"), "int"),
        Column("share", _t(brief, "partner_share"), "pct"),
        Column("total", _t(brief, "total_trade", unit=unit), "amount"),
    ]
    p = d.profile
    rows = []
    sides = (
        (d.party_a, d.party_b, "partner_rank_for_a", "partner_share_of_a", "a_trade_total_usd"),
        (d.party_b, d.party_a, "a_rank_for_b", "a_share_of_b", "b_trade_total_usd"),
    )
    for me, other, rank_col, share_col, total_col in sides:
        rank = value(p, d.year, rank_col)
        if other.is_bloc:
            rank_cell = Cell(_t(brief, "bloc_not_ranked"), None)
        elif missing(rank) and value(p, d.year, share_col) == 0:  # a recorded zero
            rank_cell = Cell(_t(brief, "not_partner"), None)
        elif missing(rank):  # unknown (one partner in a table, a side that did not declare)
            rank_cell = Cell(_t(brief, "unknown"), None)
        else:
            rank_cell = Cell(nf.integer(int(rank)), int(rank))
        rows.append(
            Row(
                [
                    Cell(me.name(lang), me.name(lang)),
                    Cell(other.name(lang), other.name(lang)),
                    rank_cell,
                    cell_pct(nf, value(p, d.year, share_col)),
                    cell_amount(nf, value(p, d.year, total_col)),
                ]
            )
        )
    sheet = "Partner in context" if lang == "en" else "Место партнёра"
    return Table("context", _t(brief, "t_context", year=d.year), sheet, cols, rows)


def indicators(brief: Brief) -> Table:
    """TCI both ways and both ECIs with their ranks (analytics.briefing.advantage)."""
    d, nf = brief.data, brief.numbers
    adv = d.advantage
    assert adv is not None
    names = _names(brief)
    cols = [
        Column("indicator", _t(brief, "indicator")),
        Column("value", _t(brief, "value"), "ratio"),
    ]
    rows = []
    for key, x, m in (("tci_ab", "a", "b"), ("tci_ba", "b", "a")):
        v = adv.get(key)
        rows.append(
            Row(
                [
                    Cell(_t(brief, "tci_row", x=names[x], m=names[m])),
                    Cell("" if missing(v) else nf.decimal(v, 1), None if missing(v) else v),
                ]
            )
        )
    n = adv.get("economies_ranked")
    for side in ("a", "b"):
        eci, rank = adv.get(f"eci_{side}"), adv.get(f"eci_rank_{side}")
        if eci is None or rank is None or n is None:
            continue
        label = _t(brief, "eci_row", name=names[side], n=nf.integer(n))
        shown = _t(brief, "eci_value", eci=nf.decimal(eci, 2, signed=True), rank=nf.integer(rank))
        rows.append(Row([Cell(label), Cell(shown, eci)]))
    sheet = "Complementarity" if brief.lang == "en" else "Взаимодополняемость"
    return Table("indicators", _t(brief, "t_indicators", year=d.year), sheet, cols, rows)


def rca(brief: Brief) -> Table:
    """Each side's products of highest RCA, side by side (hs4)."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    adv = d.advantage
    assert adv is not None
    names = _names(brief)
    cols = [
        Column("a_product", names["a"]),
        Column("a_rca", _t(brief, "rca"), "ratio"),
        Column("b_product", names["b"]),
        Column("b_rca", _t(brief, "rca"), "ratio"),
    ]
    a_rows = adv["rca_a"].head(MOVERS_TOP).to_dict(orient="records")
    b_rows = adv["rca_b"].head(MOVERS_TOP).to_dict(orient="records")
    rows = []
    for i in range(max(len(a_rows), len(b_rows))):
        cells = []
        for side_rows in (a_rows, b_rows):
            if i < len(side_rows):
                r = side_rows[i]
                name = product_name(r["code"], lang)
                cells += [Cell(name, name), Cell(nf.decimal(r["rca"], 1), r["rca"])]
            else:
                cells += [Cell(""), Cell("")]
        rows.append(Row(cells))
    sheet = "Comparative advantage" if lang == "en" else "Преимущества"
    return Table("rca", _t(brief, "t_rca", year=d.year), sheet, cols, rows)


def opportunities(brief: Brief) -> Table:
    """A's products of highest COG that B imports (closest to A's capabilities)."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    adv = d.advantage
    assert adv is not None
    names = _names(brief)
    unit = nf.unit_label()
    cols = [
        Column("product", _t(brief, "product_group")),
        Column("cog", _t(brief, "cog"), "ratio"),
        Column("density", _t(brief, "density"), "ratio"),
        Column("b_imports", _t(brief, "b_imports", b=names["b"], unit=unit), "amount"),
    ]
    rows = []
    for r in adv["opportunities"].head(MOVERS_TOP).to_dict(orient="records"):
        name = product_name(r["code"], lang)
        rows.append(
            Row(
                [
                    Cell(name, name),
                    Cell(nf.decimal(r["cog"], 2), r["cog"]),
                    Cell(nf.decimal(r["density"], 2), r["density"]),
                    cell_amount(nf, r["b_imports_usd"]),
                ]
            )
        )
    sheet = "Opportunities" if lang == "en" else "Возможности"
    title = _t(brief, "t_opportunities", a=names["a"], b=names["b"], year=d.year)
    return Table("opportunities", title, sheet, cols, rows)


def potential(brief: Brief) -> Table:
    """The products of largest untapped potential of A in B, with the totals in the note."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    pot = d.potential
    assert pot is not None
    names = _names(brief)
    unit = nf.unit_label()
    cols = [
        Column("product", _t(brief, "product_group")),
        Column("potential", _t(brief, "potential", unit=unit), "amount"),
        Column("actual", _t(brief, "actual", unit=unit), "amount"),
        Column("untapped", _t(brief, "untapped", unit=unit), "amount"),
    ]
    rows = []
    for r in pot["products"].head(MOVERS_TOP).to_dict(orient="records"):
        name = product_name(r["code"], lang)
        rows.append(
            Row(
                [
                    Cell(name, name),
                    cell_amount(nf, r["potential"]),
                    cell_amount(nf, r["actual"]),
                    cell_amount(nf, r["untapped"]),
                ]
            )
        )
    years = pot["metadata"].get("years") or [d.year]
    span = nf.years(int(years[0]), int(years[-1]))
    note = _t(brief, "potential_total", total=nf.money(pot["untapped_usd"]))
    ratio = pot.get("actual_to_predicted")
    if ratio is not None and not missing(ratio):
        note += " " + _t(
            brief,
            "gravity_ratio",
            a=names["a"],
            b=names["b"],
            year=d.year,
            ratio=nf.pct(ratio),
        )
    sheet = "Untapped potential" if lang == "en" else "Потенциал"
    title = _t(brief, "t_potential", a=names["a"], b=names["b"], years=span)
    return Table("potential", title, sheet, cols, rows, note=note)


def blocs(brief: Brief) -> Table:
    """The blocs each side belongs to in the year (or a bloc side's members)."""
    d, lang = brief.data, brief.lang
    cols = [Column("economy", _t(brief, "economy")), Column("blocs", _t(brief, "blocs"))]
    rows = []
    for side, party in (("a", d.party_a), ("b", d.party_b)):
        if party.is_bloc:
            names = ", ".join(country_name(c, lang) for c in d.bloc_members.get(side, []))
            txt = _t(brief, "bloc_members", names=names or "—")
        else:
            ids = d.blocs[side]
            txt = "; ".join(bloc_name(b, lang) for b in ids) if ids else _t(brief, "no_blocs")
        label = party.name(lang)
        rows.append(Row([Cell(label, label), Cell(txt, txt)]))
    sheet = "Blocs" if lang == "en" else "Объединения"
    return Table("blocs", _t(brief, "t_blocs", year=d.year), sheet, cols, rows)


def notes(brief: Brief) -> Table:
    """Sources and notes: source and release, classification, perspective, units, rules."""
    d, nf, lang = brief.data, brief.numbers, brief.lang
    meta = d.metadata
    items = [
        (
            "n_source",
            _t(brief, "n_source_value", source=meta["source"], version=meta["source_version"]),
        ),
        ("n_classification", str(meta.get("classification") or "")),
    ]
    conversion = meta.get("conversion") or {}
    if conversion.get("applied") or "different" in str(conversion.get("note", "")):
        items.append(("n_conversion", str(conversion.get("note", ""))))
    items += [
        ("n_perspective", _t(brief, f"p_{meta['perspective']}")),
        ("n_units", _t(brief, "n_units_value", unit=nf.unit_label())),
        ("n_growth", _t(brief, "n_growth_value")),
        ("n_times", _t(brief, "n_times_value")),
    ]
    if meta.get("synthetic"):
        items.append(("n_synthetic", _t(brief, "n_synthetic_value")))
    items.append(
        (
            "n_generated",
            _t(brief, "n_generated_value", when=nf.datetime(d.generated_at), version=__version__),
        )
    )
    cols = [Column("item", _t(brief, "subject")), Column("value", _t(brief, "note"))]
    rows = [Row([Cell(_t(brief, k), _t(brief, k)), Cell(v, v)]) for k, v in items]
    sheet = "Notes" if lang == "en" else "Примечания"
    return Table("notes", _t(brief, "t_notes"), sheet, cols, rows)


def pair_names(brief: Brief) -> dict[str, str]:
    """Names for titles: 'a', 'b' (nominative) and 'between' (a phrase, declined in Russian)."""
    d, lang = brief.data, brief.lang
    a, b = d.party_a.name(lang), d.party_b.name(lang)
    if lang == "en":
        between = f"between {name(d.party_a, 'en', 'the')} and {name(d.party_b, 'en', 'the')}"
    else:
        ia, ib = name(d.party_a, "ru", "ins"), name(d.party_b, "ru", "ins")
        between = f"между {ia} и {ib}" if ia and ib else f"({a} — {b})"
    return {"a": a, "b": b, "between": between}


def frame(table: Table, media: str = "data") -> pd.DataFrame:
    """A table as a DataFrame of its cell values (``data``) or texts (``display``)."""
    idx = table.shown(media)
    records = [
        {
            table.columns[i].header: (r.cells[i].value if media == "data" else r.cells[i].text)
            for i in idx
        }
        for r in table.rows
    ]
    return pd.DataFrame.from_records(records, columns=[table.columns[i].header for i in idx])


@dataclasses.dataclass
class Card:
    """A headline figure: label, amount in words (as the narrative writes it), its change."""

    key: str
    label: str
    amount: str
    change: str  # 'vs 2013: +22.9%' / 'surplus'; '' when there is nothing to compare
    trend: str  # 'up', 'down' or '' (for colouring)


def cards(brief: Brief) -> list[Card]:
    """Turnover, exports, imports and balance of the year for the top of a document."""
    d, nf, en = brief.data, brief.numbers, brief.lang == "en"
    out = []
    for flow in FLOWS:
        v = value(d.profile, d.year, f"{flow}_usd")
        pv = value(d.profile, d.prev, f"{flow}_usd")
        if flow == "balance":
            if v is None or v != v:  # missing in the source: no surplus nor deficit to name
                out.append(Card(flow, _t(brief, flow), nf.money(v), "", ""))
                continue
            t = nf.table_value(v)
            words = {
                "en": ("surplus", "deficit", "balanced"),
                "ru": ("профицит", "дефицит", "сбалансировано"),
            }[brief.lang]
            note = words[0] if t > 0 else words[1] if t < 0 else words[2]
            out.append(Card(flow, _t(brief, flow), nf.money(v), note, ""))
            continue
        c = change(v, pv)
        what = nf.change_cell(c)
        if what:
            what = f"vs {d.prev}: {what}" if en else f"к {d.prev} г.: {what}"
        up = c.kind == "up" or c.kind == "new" or (c.kind == "pct" and (c.number or 0) > 0)
        down = c.kind in ("down", "stopped") or (c.kind == "pct" and (c.number or 0) < 0)
        trend = "up" if up else "down" if down else ""
        out.append(Card(flow, _t(brief, flow), nf.money(v), what, trend))
    return out
