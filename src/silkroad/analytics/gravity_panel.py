"""Gravity on a user's own panel, as researchers run it in Stata or R (METHODS.md 5).

:func:`gravity_panel` takes a frame with exporter, importer and year columns (names renamable),
a trade column in levels (zeros kept), covariates from the frame (some in logs), a years filter,
an international-only option, the fixed-effect, bloc and lead/lag options of
:func:`silkroad.analytics.gravity.gravity`; :func:`read_panel` reads CSV, Parquet or Stata
``.dta`` files with one-line errors. For instance, Yotov et al. (2016)'s RTA panel with pair
fixed effects:

>>> panel = read_panel("RTAsEffects.dta")  # doctest: +SKIP
>>> gravity_panel(panel, trade="trade", bloc_col="rta", international=False,
...               fe=["exporter-year", "importer-year", "pair"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from silkroad.analytics.gravity import (
    DEFAULT_FE,
    MAXITER,
    TOL,
    GravityResult,
    Membership,
    _bloc_dummies,
    _check_cluster,
    _check_fe,
    _check_shifts,
    _estimate,
    _transform,
)
from silkroad.errors import FormatError, InputError

__all__ = ["gravity_panel", "read_panel"]


def _shift_column(
    panel: pd.DataFrame, col: str, leads: tuple[int, ...], lags: tuple[int, ...]
) -> tuple[pd.DataFrame, list[str]]:
    """Leads and lags of a panel column within each pair, by years: ``<col>_lead4`` is the value
    at t+4, ``<col>_lag4`` at t−4; missing (NaN) where that year is not in the panel."""
    names: list[str] = []
    base = panel[["exporter", "importer", "year", col]]
    shifts = [(k, f"{col}_lead{k}") for k in leads] + [(-k, f"{col}_lag{k}") for k in lags]
    for shift, name in shifts:
        other = base.rename(columns={col: name}).assign(year=base["year"] - shift)
        panel = panel.merge(other, on=["exporter", "importer", "year"], how="left")
        names.append(name)
    return panel, names


def gravity_panel(
    frame: pd.DataFrame,
    *,
    exporter_col: str = "exporter",
    importer_col: str = "importer",
    year_col: str = "year",
    trade: str = "trade",
    covariates: Sequence[str] = (),
    log: Sequence[str] = (),
    years: Iterable[int] | None = None,
    international: bool = False,
    fe: Sequence[str] = DEFAULT_FE,
    membership: Membership | None = None,
    bloc: str | None = None,
    bloc_col: str | None = None,
    leads: Iterable[int] = (),
    lags: Iterable[int] = (),
    cluster: str | None = "pair",
    maxiter: int = MAXITER,
    tol: float = TOL,
    source: str = "panel",
) -> GravityResult:
    """PPML gravity on a user's own panel, as researchers run it in Stata or R.

    Columns ``exporter_col``, ``importer_col``, ``year_col`` and ``trade`` (levels, zeros kept);
    ``covariates`` taken from the frame, those in ``log`` entered as ``ln_<name>``; ``years`` a
    filter; ``international=True`` drops intra-national flows (exporter = importer, kept
    otherwise). The bloc dummy comes from ``membership`` (as in :func:`gravity`) or from a 0/1
    column ``bloc_col`` of the frame (e.g. ``RTA``); ``leads``/``lags`` shift it within each pair
    by that many years. ``source`` names the input in errors and metadata.
    """
    fe_t = _check_fe(fe)
    cl = _check_cluster(cluster)
    leads_t, lags_t = _check_shifts(leads, "leads"), _check_shifts(lags, "lags")
    if membership is not None and bloc_col is not None:
        raise InputError("give either membership or bloc_col, not both", field="bloc")
    if (leads_t or lags_t) and membership is None and bloc_col is None:
        raise InputError("leads and lags need a bloc (membership or bloc_col)", field="bloc")
    cols = {exporter_col: "exporter", importer_col: "importer", year_col: "year", trade: "trade"}
    wanted = [*cols, *covariates, *([bloc_col] if bloc_col else [])]
    missing = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if missing:
        raise InputError(
            "panel lacks columns",
            path=source,
            found=", ".join(missing),
            expected="columns among " + ", ".join(map(str, frame.columns[:20])),
        )
    clash = set(covariates) & set(cols)
    if clash:
        raise InputError(
            "a covariate is also an id or trade column", field="covariates", found=sorted(clash)
        )
    extra = list(dict.fromkeys([*covariates, *([bloc_col] if bloc_col else [])]))
    panel = frame[[*cols, *extra]].rename(columns=cols).copy()
    panel["exporter"] = panel["exporter"].astype(str).str.strip()
    panel["importer"] = panel["importer"].astype(str).str.strip()
    year_num = pd.to_numeric(panel["year"], errors="coerce")
    if year_num.isna().any() or (year_num != year_num.round()).any():
        line = int(np.flatnonzero(year_num.isna().to_numpy() | (year_num != year_num.round()))[0])
        raise InputError(
            "year is not a whole number",
            path=source,
            line=line + 2,
            field=year_col,
            found=str(frame[year_col].iloc[line]),
        )
    panel["year"] = year_num.astype(np.int64)
    tr = pd.to_numeric(panel["trade"], errors="coerce")
    bad = tr.isna() | (tr < 0)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "trade is not a non-negative number",
            path=source,
            line=line + 2,
            field=trade,
            found=str(frame[trade].iloc[line]),
            expected="a value in levels (zeros allowed)",
        )
    panel["trade"] = tr.astype(np.float64)
    notices: list[str] = []
    if panel.duplicated(["exporter", "importer", "year"]).any():
        dup = panel[panel.duplicated(["exporter", "importer", "year"])].iloc[0]
        raise InputError(
            "panel has two rows for one pair and year",
            path=source,
            found=f"{dup['exporter']}-{dup['importer']} {dup['year']}",
            expected="one row per exporter, importer, year",
        )
    shifted: list[str] = []
    if bloc_col is not None:
        b = pd.to_numeric(panel[bloc_col], errors="coerce")
        if b.isna().any() or not b.isin([0, 1]).all():
            raise InputError("bloc column is not 0 or 1", path=source, field=bloc_col)
        panel[bloc_col] = b.astype(np.float64)
        # shifted on the whole file, before the years filter: annual data give a 2006 row its
        # value of 2010 even when only 1986, 1990, ..., 2006 are estimated
        panel, shifted = _shift_column(panel, bloc_col, leads_t, lags_t)
    year_list = sorted({int(y) for y in years}) if years is not None else None
    if year_list is not None:
        panel = panel[panel["year"].isin(year_list)]
        absent = sorted(set(year_list) - set(panel["year"].unique().tolist()))
        if absent:
            notices.append("years not in the panel: " + ", ".join(map(str, absent)))
    if international:
        intra = panel["exporter"] == panel["importer"]
        if intra.any():
            notices.append(f"{int(intra.sum())} intra-national observations dropped")
        panel = panel[~intra]
    if shifted:
        missing = panel[shifted].isna().any(axis=1)
        if missing.any():
            notices.append(
                f"{int(missing.sum())} observations dropped: no value of {bloc_col} "
                "at the lead or lag year"
            )
            panel = panel[~missing]
    panel = panel.reset_index(drop=True)
    panel, terms, dummies, more = _transform(panel, list(covariates), list(log), source)
    notices += more
    bloc_terms: list[str] = []
    if membership is not None:
        bloc_terms = _bloc_dummies(panel, membership, leads_t, lags_t)
    elif bloc_col is not None:
        bloc_terms = [] if bloc_col in terms else [bloc_col]
        bloc_terms += shifted
    terms += [t for t in bloc_terms if t not in terms]
    dummies |= set(bloc_terms)
    first_bloc = bloc_terms[:1] if bloc_terms else []
    total = [*first_bloc, *[t for t in bloc_terms if "_lag" in t]] if lags_t else None
    if total is not None and bloc_col is not None and bloc_col in covariates:
        total = [bloc_col, *[t for t in bloc_terms if "_lag" in t]]
    metadata: dict[str, Any] = {
        "input": source,
        "trade": trade,
        "columns": {"exporter": exporter_col, "importer": importer_col, "year": year_col},
        "covariates": list(covariates),
        "log": list(log),
        "covariates_source": source,
        "bloc": bloc or bloc_col,
        "leads": list(leads_t),
        "lags": list(lags_t),
        "international_only": international,
    }
    return _estimate(
        panel,
        terms=terms,
        dummies=dummies,
        fe=fe_t,
        cluster=cl,
        maxiter=maxiter,
        tol=tol,
        trade_label=trade,
        notices=notices,
        metadata=metadata,
        total_of=total,
    )


def read_panel(path: str | Path) -> pd.DataFrame:
    """Read a panel file: CSV (``.csv``, ``.txt``, ``.tsv``), Parquet or Stata ``.dta``.

    Raises InputError when the file is missing and FormatError when it cannot be read, each in
    one line naming the file.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("panel file not found", path=p)
    suffix = p.suffix.lower()
    try:
        if suffix == ".dta":
            df = pd.read_stata(p)
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        elif suffix in (".csv", ".txt", ".tsv", ".gz"):
            sep = "\t" if suffix == ".tsv" else ","
            df = pd.read_csv(p, sep=sep)
        else:
            raise FormatError(
                "unknown panel file type",
                path=p,
                found=suffix or "no extension",
                expected=".csv, .tsv, .parquet or .dta",
            )
    except FormatError:
        raise
    except Exception as exc:  # pandas/pyarrow/stata readers raise many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FormatError("cannot read the panel file", path=p, found=first) from exc
    if df.empty:
        raise FormatError("panel file has no rows", path=p)
    return df
