"""``silkroad summary|profile|structure|movers|prices|mirror``: the pair analyses.

Each command checks its arguments with :mod:`silkroad.args`, builds the analytics ``Pair``,
calls one analysis and prints its result: ``--json`` and ``--csv`` are the result's own
serialisation (USD, full precision); tables for people show millions of USD with the unit in
the title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from silkroad import args
from silkroad.cli.common import (
    A_ARG,
    B_ARG,
    UNKNOWN,
    CsvOption,
    HomeOption,
    ImportsOption,
    JsonOption,
    LangOption,
    PerspectiveOption,
    SourceOption,
    TopOption,
    YearOption,
    add_command,
    emit,
    footer,
    musd,
    number,
    open_store,
    out,
    output_mode,
    pair,
    pair_names,
    pct,
    product_labels,
    unknown_lines,
    unknown_years,
    whole,
)

YearsOption = Annotated[
    str | None,
    typer.Option("--years", help="Years, e.g. 2010-2015 or 2012,2014 (default: all held)."),
]
LevelOption = Annotated[
    str | None,
    typer.Option(
        "--level",
        help="hs2, hs4, hs6 or section [default: hs2]; not with --baskets.",
        show_default=False,
    ),
]
BasketsOption = Annotated[
    Path | None,
    typer.Option("--baskets", help="A YAML file of product baskets (docs/structure.md)."),
]


def _direction(imports: bool) -> str:
    return args.direction("imports" if imports else "exports")


def _verb(direction: str) -> str:
    return "imports from" if direction == "imports" else "exports to"


# --- summary and profile ------------------------------------------------------------------------
def summary(
    a: A_ARG,
    b: B_ARG,
    years: YearsOption = None,
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Per year: A's exports to B, imports from B, turnover, balance and growth."""
    mode = output_mode(as_json, as_csv)
    ys = args.years(years)
    p = pair(open_store(home), a, b, source=source, perspective=perspective)
    result = p.summary(years=ys)
    if not emit(result, mode):
        print_summary(result)


def print_summary(result: Any) -> None:
    """The summary table for people (also printed by ``silkroad demo``)."""
    meta = result["metadata"]
    a_name, b_name = pair_names(meta)
    title = f"Trade of {a_name} with {b_name}, million USD" + (
        " — SYNTHETIC demo data" if meta["synthetic"] else ""
    )
    table = Table(title=title)
    for col in ("year", "exports", "imports", "turnover", "balance", "turnover growth, %"):
        table.add_column(col, justify="right", overflow="fold")
    for r in result["rows"].to_dict(orient="records"):
        table.add_row(
            str(r["year"]),
            musd(r["exports_usd"]),
            musd(r["imports_usd"]),
            musd(r["turnover_usd"]),
            musd(r["balance_usd"]),
            pct(r["turnover_growth"]),
        )
    out.print(table)
    footer(meta)


def profile(
    a: A_ARG,
    b: B_ARG,
    years: YearsOption = None,
    base: Annotated[
        int | None, typer.Option("--base", help="Base year for 'N times' ratios.")
    ] = None,
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """The relationship year by year: flows, balance, growth, base ratios, shares and ranks."""
    mode = output_mode(as_json, as_csv)
    ys = args.years(years)
    base = args.year(base, field="--base") if base is not None else None
    p = pair(open_store(home), a, b, source=source, perspective=perspective)
    result = p.profile(ys, base=base)
    if emit(result, mode):
        return
    meta, cagr = result["metadata"], result["cagr"]
    a_name, b_name = pair_names(meta)
    table = Table(title=f"{a_name} – {b_name}: trade profile, million USD")
    cols = ["year", "exports", "imports", "turnover", "balance", "growth, %"]
    if base is not None:
        cols.append(f"× {base}")
    cols += ["B share, %", "B rank", "A rank"]
    table.caption = (
        "growth: turnover on the year before; "
        + (f"× {base}: turnover over {base}; " if base is not None else "")
        + "B share: B's share of A's trade; B rank: B among A's partners; A rank: A among B's"
    )
    for col in cols:
        table.add_column(col, justify="right", overflow="fold")
    unknown = unknown_years(meta)
    for r in result["rows"].to_dict(orient="records"):
        growth = pct(r["turnover_growth"]) or ("new" if r["turnover_note"] == "new" else "")
        row = [
            str(r["year"]),
            musd(r["exports_usd"]),
            musd(r["imports_usd"]),
            musd(r["turnover_usd"]),
            musd(r["balance_usd"]),
            growth,
        ]
        if base is not None:
            row.append(number(r["turnover_to_base"]))
        # A share or rank the data cannot give says n/a; a blank is "not a partner that year".
        na = UNKNOWN if int(r["year"]) in unknown else ""
        row += [
            pct(r["partner_share_of_a"], signed=False) or na,
            whole(r["partner_rank_for_a"]) or na,
            whole(r["a_rank_for_b"]) or na,
        ]
        table.add_row(*row)
    out.print(table)
    if cagr["intervals"] > 0 and cagr["turnover"] == cagr["turnover"]:
        out.print(
            f"turnover CAGR {cagr['from']}–{cagr['to']}: {cagr['turnover'] * 100:+.1f} % a year"
        )
    footer(meta)


# --- structure, movers, prices ------------------------------------------------------------------
def structure(
    a: A_ARG,
    b: B_ARG,
    year: YearOption,
    imports: ImportsOption = False,
    level: LevelOption = None,
    baskets: BasketsOption = None,
    top: TopOption = args.DEFAULT_TOP,
    base: Annotated[
        int | None,
        typer.Option("--base", help="An earlier year to compare with (before --year)."),
    ] = None,
    correlation: Annotated[
        Path | None,
        typer.Option("--correlation", help="UNSD HS correlation table (CSV) for mixed editions."),
    ] = None,
    lang: LangOption = "en",
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """What A sells to (or buys from) B in a year: value, share, change, contribution."""
    mode = output_mode(as_json, as_csv)
    args.exclusive(level=level, baskets=baskets)
    year = args.year(year)
    base = args.base_year(base, before=year)
    n = args.top(top) or args.DEFAULT_TOP
    lang = args.lang(lang)
    direction = _direction(imports)
    grouping: Any = args.level(level or "hs2")
    if baskets is not None:
        from silkroad.reference.baskets import load_baskets

        grouping = load_baskets(baskets)
    table_corr = None
    if correlation is not None:
        from silkroad.analytics.editions import load_correlation

        table_corr = load_correlation(correlation)
    p = pair(open_store(home), a, b, source=source, perspective=perspective)
    result = p.structure(
        year, direction=direction, level=grouping, top=n, base=base, correlation=table_corr
    )
    if emit(result, mode):
        return
    meta = result["metadata"]
    a_name, b_name = pair_names(meta)
    table = Table(title=f"{a_name}: {_verb(direction)} {b_name} in {year}, million USD")
    compared = base if base is not None else year - 1
    for col in (
        "code",
        "product",
        "value",
        "share, %",
        f"change on {compared}, %",
        "contribution, pp",
    ):
        table.add_column(
            col, justify="left" if col in ("code", "product") else "right", overflow="fold"
        )
    rows = result["rows"].to_dict(orient="records")
    for r, name in zip(rows, product_labels(rows, "code", lang, meta), strict=True):
        contribution = r.get("contribution_pp")
        table.add_row(
            str(r["code"]),
            name,
            musd(r["value_usd"]),
            pct(r["share"], signed=False),
            pct(r.get("growth")),
            "" if contribution is None or contribution != contribution else f"{contribution:+.2f}",
        )
    out.print(table)
    footer(meta)


def movers(
    a: A_ARG,
    b: B_ARG,
    year: YearOption,
    imports: ImportsOption = False,
    top: TopOption = args.DEFAULT_TOP,
    lang: LangOption = "en",
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """New and lost products, top gainers and losers, extensive vs intensive margins."""
    mode = output_mode(as_json, as_csv)
    year = args.year(year)
    n = args.top(top) or args.DEFAULT_TOP
    lang = args.lang(lang)
    direction = _direction(imports)
    p = pair(open_store(home), a, b, source=source, perspective=perspective)
    result = p.movers(year, direction=direction, top=n)
    if emit(result, mode):
        return
    meta = result["metadata"]
    a_name, b_name = pair_names(meta)
    prev = year - 1
    who = f"{a_name}'s {_verb(direction)} {b_name}"
    for key, title in (
        ("gainers", "Top gainers"),
        ("losers", "Top losers"),
        ("new", "New products"),
        ("lost", "Lost products"),
    ):
        df = result[key]
        table = Table(
            title=f"{who}: {title.lower()} {year} vs {prev}, million USD ({len(df)} products)"
        )
        table.add_column("product", overflow="fold")
        table.add_column("name", overflow="fold")
        cols = [c for c in ("prev_value_usd", "value_usd", "change_usd") if c in df.columns]
        heads = {"prev_value_usd": str(prev), "value_usd": str(year), "change_usd": "change"}
        for col in cols:
            table.add_column(heads[col], justify="right", overflow="fold")
        rows = df.head(n).to_dict(orient="records")
        for r, name in zip(rows, product_labels(rows, "product", lang, meta), strict=True):
            table.add_row(str(r["product"]), name, *[musd(r[c]) for c in cols])
        out.print(table)
    m = result["margins"].iloc[0].to_dict()
    out.print(
        f"change {musd(m['change_usd'])} = intensive {musd(m['intensive_usd'])} "
        f"+ new {musd(m['extensive_new_usd'])} − lost {musd(m['extensive_lost_usd'])} "
        "(million USD)"
    )
    footer(meta)


#: The price/volume summary for people: (label, field), values in million USD.
PRICE_LINES = (
    ("value, {prev}", "total_prev_usd"),
    ("value, {year}", "total_usd"),
    ("change", "change_usd"),
    ("  products traded in both years, with weights", "continuing_change_usd"),
    ("    price effect", "price_effect_usd"),
    ("    volume effect", "volume_effect_usd"),
    ("  new products", "new_usd"),
    ("  lost products", "-lost_usd"),
    ("  products without weight", "no_weight_change_usd"),
    ("  set aside by --trim", "trimmed_change_usd"),
)
PRICE_COUNTS = (
    ("traded in both years", "n_continuing"),
    ("new", "n_new"),
    ("lost", "n_lost"),
    ("without weight", "n_no_weight"),
    ("set aside", "n_trimmed"),
)


def prices(
    a: A_ARG,
    b: B_ARG,
    year: YearOption,
    imports: ImportsOption = False,
    trim: Annotated[
        float | None,
        typer.Option(
            "--trim", help="Set aside unit-value changes more than K MADs from the median."
        ),
    ] = None,
    top: TopOption = args.DEFAULT_TOP,
    lang: LangOption = "en",
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Price and volume effects of the change in value from year-1 to year (Fisher indices)."""
    mode = output_mode(as_json, as_csv)
    year = args.year(year)
    n = args.top(top) or args.DEFAULT_TOP
    lang = args.lang(lang)
    direction = _direction(imports)
    p = pair(open_store(home), a, b, source=source, perspective=perspective)
    result = p.prices(year, direction=direction, trim=trim)
    if emit(result, mode):
        return
    meta = result["metadata"]
    a_name, b_name = pair_names(meta)
    s = result["summary"].iloc[0].to_dict()
    prev = int(s.get("base_year") or year - 1)
    who = f"{a_name}'s {_verb(direction)} {b_name}"
    table = Table(title=f"{who}: value change {prev}→{year}, price and volume, million USD")
    table.add_column("")
    table.add_column("million USD", justify="right")
    for label, key in PRICE_LINES:
        value = -s[key[1:]] if key.startswith("-") else s.get(key)
        table.add_row(label.format(prev=prev, year=year), musd(value))
    table.caption = "the indented lines add up to the change"
    out.print(table)

    indices = Table(title=f"Indices, {prev} = 1")
    for col in ("", "Laspeyres", "Paasche", "Fisher"):
        indices.add_column(col, justify="left" if not col else "right")
    # The flows of a year unknown (metadata['unknown']): every figure says n/a, none is blank.
    na = UNKNOWN if meta.get("unknown") else ""
    for what in ("price", "volume"):
        indices.add_row(
            what,
            *[
                number(s.get(f"{what}_index_{f}"), 3) or na
                for f in ("laspeyres", "paasche", "fisher")
            ],
        )
    indices.add_row("value", "", "", number(s.get("value_index"), 3) or na)
    out.print(indices)
    counts = ", ".join(f"{label} {whole(s.get(key)) or na}" for label, key in PRICE_COUNTS)
    out.print(
        f"products: {counts}; products traded in both years with weights make "
        f"{pct(s.get('coverage0'), signed=False) or na} % of the {prev} value and "
        f"{pct(s.get('coverage1'), signed=False) or na} % of the {year} value"
    )

    products = result["products"]
    if len(products):
        order = products.change_usd.abs().sort_values(ascending=False).index
        shown = products.loc[order].head(n)
        unit = meta.get("unit_value_unit", "USD per metric ton")
        t = Table(
            title=f"Largest changes by product ({len(shown)} of {len(products)}), million USD; "
            f"unit values in {unit}"
        )
        heads = (
            "product",
            "name",
            "status",
            str(prev),
            str(year),
            "change",
            f"unit value {prev}",
            f"unit value {year}",
            "unit value change, %",
            "price effect",
            "volume effect",
        )
        for col in heads:
            t.add_column(col, justify="left" if col in heads[:3] else "right", overflow="fold")
        rows = shown.to_dict(orient="records")
        for r, name in zip(rows, product_labels(rows, "product", lang, meta), strict=True):
            t.add_row(
                str(r["product"]),
                name,
                str(r["status"]).replace("_", " "),
                musd(r["value0_usd"]),
                musd(r["value1_usd"]),
                musd(r["change_usd"]),
                number(r.get("unit_value0_usd_per_t"), 0),
                number(r.get("unit_value1_usd_per_t"), 0),
                pct(r.get("unit_value_growth")),
                musd(r.get("price_effect_usd")),
                musd(r.get("volume_effect_usd")),
            )
        out.print(t)
    footer(meta)


# --- mirror -------------------------------------------------------------------------------------
def mirror(
    a: A_ARG,
    b: B_ARG,
    year: YearOption,
    level: Annotated[str, typer.Option("--level", help="hs2, hs4 or hs6.")] = "hs2",
    top: TopOption = args.DEFAULT_TOP,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Each side's declarations of the same trade: gaps, CIF/FOB ratio, likely causes."""
    mode = output_mode(as_json, as_csv)
    year = args.year(year)
    lvl = args.level(level, allowed=args.LEVELS)
    n = args.top(top) or args.DEFAULT_TOP
    p = pair(open_store(home), a, b, source=None, perspective="exporter")
    result = p.mirror(year, level=lvl, top=n)
    if emit(result, mode):
        return
    meta = result["metadata"]
    a_name, b_name = pair_names(meta)
    for direction in ("exports", "imports"):
        table = Table(
            title=f"{a_name}'s {_verb(direction)} {b_name} in "
            f"{year}: declared by the exporter vs by the importer, million USD"
        )
        for col in ("code", "exporter", "importer", "gap", "gap, %", "CIF/FOB", "flags"):
            table.add_column(
                col, justify="left" if col in ("code", "flags") else "right", overflow="fold"
            )
        for r in result[direction].to_dict(orient="records"):
            table.add_row(
                str(r["code"]),
                musd(r["exporter_declared_usd"]),
                musd(r["importer_declared_usd"]),
                musd(r["gap_usd"]),
                pct(r["gap_rel"]),
                number(r["cif_fob_ratio"], 3),
                r["flags"].replace(",", ", "),
            )
        out.print(table)
    for s in result["summary"].to_dict(orient="records"):
        out.print(
            f"{s['direction']}: exporter {musd(s['exporter_declared_usd'])}, importer "
            f"{musd(s['importer_declared_usd'])} (gap {pct(s['gap_rel'])} %); CIF/FOB over "
            f"products both report {number(s['cif_fob_ratio_common'], 3)}"
        )
    out.print(f"declarations used: {meta['sources_used']}", markup=False, highlight=False)
    unknown_lines(meta)


def register(app: typer.Typer) -> None:
    """Add this family's commands to ``app``."""
    for command in (summary, profile, structure, movers, prices, mirror):
        add_command(app, command)
