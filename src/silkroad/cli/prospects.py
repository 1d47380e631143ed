"""``silkroad potential|gravity``: untapped export potential and structural gravity (PPML).

``potential A B`` lists the products A could sell more of to B; ``potential --exporter A
--product 870120`` ranks the markets for one product; ``gravity`` estimates PPML gravity on the
store's flows (optionally a bloc's effect and a pair's actual vs predicted trade) or, with
``--panel FILE``, on a researcher's own panel. ``--json``/``--csv`` are the results' own forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from silkroad import args
from silkroad.cli.common import (
    CsvOption,
    HomeOption,
    JsonOption,
    LangOption,
    SourceOption,
    TopOption,
    add_command,
    emit,
    musd,
    number,
    out,
    output_mode,
    pct,
    product_labels,
    whole,
    world,
)
from silkroad.errors import InputError


def _csv_list(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def potential(
    a: Annotated[str | None, typer.Argument(metavar="A", help="Exporting economy (BLR).")] = None,
    b: Annotated[str | None, typer.Argument(metavar="B", help="Market: economy or bloc.")] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Last year of the average (default: latest).")
    ] = None,
    years: Annotated[int, typer.Option("--average", help="Years averaged (actual trade).")] = 3,
    level: Annotated[
        str, typer.Option("--level", help="hs2, hs4, hs6 or section (products grouped).")
    ] = "hs4",
    exporter: Annotated[
        str | None, typer.Option("--exporter", help="With --product: the exporting economy.")
    ] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="An HS6 product: rank its markets for A.")
    ] = None,
    top: TopOption = args.DEFAULT_TOP,
    source: SourceOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Untapped export potential (ITC-style): what A could sell more of to B, or where to sell."""
    from silkroad.analytics.prospects import best_markets, potential_table

    mode = output_mode(as_json, as_csv)
    n = args.top(top, default=args.DEFAULT_TOP)
    lang = args.lang(lang)
    y = args.year(year) if year is not None else None
    if product is not None:
        who = exporter or a
        if who is None or b is not None:
            raise InputError(
                "--product ranks the markets of one exporter",
                field="--product",
                expected="silkroad potential --exporter A --product 870120",
            )
        result = best_markets(world(home, source), who, product, year=y, top=n, n_years=years)
        if emit(result, mode):
            return
        meta = result["metadata"]
        t = Table(
            title=f"Where {meta['a']} could sell {meta['product']}: markets by untapped "
            "potential, million USD"
        )
        for col in ("rank", "market", "demand", "potential", "actual", "untapped", "share, %"):
            t.add_column(col, justify="left" if col == "market" else "right")
        for r in result["markets"].to_dict(orient="records"):
            t.add_row(
                whole(r["rank"]),
                r["market"],
                musd(r["demand"]),
                musd(r["potential"]),
                musd(r["actual"]),
                musd(r["untapped"]),
                pct(r["share_of_untapped"], signed=False),
            )
        out.print(t)
        _footer(meta)
        return
    if a is None or b is None or exporter is not None:
        raise InputError(
            "potential needs an exporter and a market",
            field="A B",
            expected="silkroad potential A B, or --exporter A --product CODE",
        )
    grouping: Any = args.level(level)
    result = potential_table(
        world(home, source), a, b, year=y, level=grouping, top=n, n_years=years
    )
    if emit(result, mode):
        return
    meta = result["metadata"]
    t = Table(
        title=f"{meta['a']} in {meta['b']}: untapped export potential by product "
        f"({meta['level']}), million USD"
    )
    for col in (
        "code",
        "product",
        f"{meta['b']} demand",
        "potential",
        "actual",
        "untapped",
        "realised, %",
    ):
        t.add_column(
            col, justify="left" if col in ("code", "product") else "right", overflow="fold"
        )
    rows = result["products"].to_dict(orient="records")
    names = (
        product_labels(rows, "code", lang, meta | {"classification": "HS22"})
        if grouping != "section"
        else [r["code"] for r in rows]
    )
    for r, name in zip(rows, names, strict=True):
        t.add_row(
            r["code"],
            name,
            musd(r["demand"]),
            musd(r["potential"]),
            musd(r["actual"]),
            musd(r["untapped"]),
            pct(r["realised"], signed=False),
        )
    out.print(t)
    out.print(
        f"untapped in all products: {musd(result['untapped_usd'])} million USD "
        f"(actual trade {musd(result['actual_usd'])}; without projections total potential equals "
        "total actual by construction, so the untapped part is what the products below their "
        "potential could add)",
        markup=False,
    )
    _footer(meta)


def _footer(meta: dict[str, Any]) -> None:
    note = " — SYNTHETIC demo data, not real statistics" if meta.get("synthetic") else ""
    ys = meta.get("years") or []
    span = f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else (str(ys[0]) if ys else "")
    out.print(
        f"source: {meta.get('source')} release {meta.get('source_version')}, average of {span}; "
        f"{meta.get('definition', 'METHODS 4.3')}{note}",
        markup=False,
        highlight=False,
    )


def gravity(
    years: Annotated[
        str | None, typer.Option("--years", help="A range or a list: 2010-2019 or 1986,1990.")
    ] = None,
    bloc: Annotated[
        str | None, typer.Option("--bloc", help="A bloc whose effect is estimated (EAEU).")
    ] = None,
    fe: Annotated[
        str,
        typer.Option("--fe", help="Fixed effects: exporter-year,importer-year[,pair]."),
    ] = "exporter-year,importer-year",
    pair: Annotated[
        tuple[str, str] | None,
        typer.Option("--pair", help="A B: actual vs predicted trade of A to B per year."),
    ] = None,
    lags: Annotated[str | None, typer.Option("--lags", help="Bloc lags in years: 4,8.")] = None,
    leads: Annotated[str | None, typer.Option("--leads", help="Bloc leads in years: 4.")] = None,
    cluster: Annotated[
        str,
        typer.Option("--cluster", help="pair (unordered), ordered-pair, exporter, importer, none."),
    ] = "pair",
    panel: Annotated[
        Path | None, typer.Option("--panel", help="Your own panel: CSV, Parquet or Stata .dta.")
    ] = None,
    exporter_col: Annotated[str, typer.Option("--exporter-col")] = "exporter",
    importer_col: Annotated[str, typer.Option("--importer-col")] = "importer",
    year_col: Annotated[str, typer.Option("--year-col")] = "year",
    trade: Annotated[str, typer.Option("--trade", help="The panel's trade column.")] = "trade",
    covariates: Annotated[
        str | None, typer.Option("--covariates", help="Panel columns as regressors: A,B,…")
    ] = None,
    log: Annotated[
        str | None, typer.Option("--log", help="Covariates entered in logs: A,…")
    ] = None,
    bloc_col: Annotated[
        str | None, typer.Option("--bloc-col", help="A 0/1 panel column as the bloc dummy (RTA).")
    ] = None,
    international: Annotated[
        bool,
        typer.Option("--international", help="Drop intra-national flows (exporter = importer)."),
    ] = False,
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Structural gravity by PPML (pyfixest): the store's flows, or --panel FILE of your own."""
    from silkroad.analytics.prospects import gravity_fit, panel_gravity

    mode = output_mode(as_json, as_csv)
    ys = args.years(years)
    fixed = _csv_list(fe)
    shifts = {
        "lags": [int(x) for x in _csv_list(lags)] if lags else [],
        "leads": [int(x) for x in _csv_list(leads)] if leads else [],
    }
    if panel is not None:
        if pair is not None or source is not None:
            raise InputError(
                "--pair and --source read the store; not with --panel", field="--panel"
            )
        membership = None
        if bloc is not None:
            from silkroad.analytics.parties import resolve_party

            membership = resolve_party(bloc).members
        result = panel_gravity(
            panel,
            exporter_col=exporter_col,
            importer_col=importer_col,
            year_col=year_col,
            trade=trade,
            covariates=_csv_list(covariates),
            log=_csv_list(log),
            years=ys,
            international=international,
            fe=fixed,
            membership=membership,
            bloc=bloc if bloc_col is None else bloc_col,
            bloc_col=bloc_col,
            cluster=None if cluster == "none" else cluster,
            **shifts,
        )
    else:
        result = gravity_fit(
            world(home, source),
            ys,
            bloc=bloc,
            fe=fixed,
            cluster=None if cluster == "none" else cluster,
            pair=pair,
            **shifts,
        )
    if emit(result, mode):
        return
    out.print(result["specification"], markup=False)
    t = Table(title="PPML coefficients")
    for col in ("term", "estimate", "std. error", "p-value", "95% CI", "effect, %"):
        t.add_column(col, justify="left" if col == "term" else "right")
    for r in result["coefficients"].to_dict(orient="records"):
        t.add_row(
            r["term"],
            number(r["estimate"], 4),
            number(r["std_error"], 4),
            number(r["p_value"], 4),
            f"{number(r['ci_low'], 3)} … {number(r['ci_high'], 3)}",
            number(r.get("effect_pct"), 1),
        )
    out.print(t)
    if "pair" in result:
        p = Table(
            title="actual and predicted trade (model without pair fixed effects), million USD"
        )
        for col in ("year", "actual", "predicted", "actual / predicted"):
            p.add_column(col, justify="right")
        for r in result["pair"].to_dict(orient="records"):
            p.add_row(str(r["year"]), musd(r["actual"]), musd(r["predicted"]), number(r["ratio"]))
        out.print(p)
    for notice in result["metadata"].get("notices") or []:
        out.print(f"note: {notice}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the potential and gravity commands to ``app``."""
    for fn in (potential, gravity):
        add_command(app, fn)
