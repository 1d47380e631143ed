"""PPML gravity (METHODS 5): coefficients against statsmodels' Poisson GLM with dummies, the
fixed-effect adding-up invariant, a known bloc effect recovered, zeros and dropped groups,
non-convergence, the pair's actual vs predicted trade, the user's panel and its reader."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from silkroad.analytics.gravity import (
    GravityResult,
    gravity,
    gravity_panel,
    pair_fit,
    read_panel,
)
from silkroad.errors import AnalysisError, FormatError, InputError

sm = pytest.importorskip("statsmodels.api", reason="statsmodels is in the test extra")


def _panel(n=8, years=(2000, 2001, 2002), seed=3, bloc=None, bloc_effect=0.0, scale=20.0):
    """A synthetic square panel with exporter-year, importer-year (and pair) structure."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-50, 60, n)
    pair_fe = rng.normal(0, 0.3, (n, n))
    out = []
    for t, y in enumerate(years):
        a = rng.normal(0, 0.5, n)
        b = rng.normal(0, 0.5, n)
        for e in range(n):
            for i in range(n):
                if e == i:
                    continue
                dist = abs(lat[e] - lat[i]) * 111 + 100.0
                contig = int(abs(e - i) == 1)
                member = bloc is not None and e in bloc(y) and i in bloc(y)
                eta = 3 + a[e] + b[i] - 0.8 * np.log(dist / 100) + 0.3 * contig
                eta += bloc_effect * member + pair_fe[e, i] * (bloc is not None)
                out.append(
                    (
                        f"C{e:02d}",
                        f"C{i:02d}",
                        y,
                        rng.poisson(np.exp(eta) * scale) / scale,
                        dist,
                        contig,
                        int(member),
                        t,
                    )
                )
    return pd.DataFrame(
        out, columns=["exporter", "importer", "year", "trade", "dist", "contig", "rta", "t"]
    )


def _fe_basis(df, cols):
    """Dummies of the fixed-effect columns reduced to linearly independent ones (pivoted QR),
    so that the reference GLM has a full-rank design."""
    from scipy.linalg import qr

    D = pd.concat([pd.get_dummies(df[c], dtype=float) for c in cols], axis=1).to_numpy()
    _, r, piv = qr(D, mode="economic", pivoting=True)
    rank = int((np.abs(np.diag(r)) > 1e-9 * np.abs(r[0, 0])).sum())
    return D[:, np.sort(piv[:rank])]


def _glm(df, regressors, fe_cols, groups=None):
    X = np.hstack([df[regressors].to_numpy(dtype=float), _fe_basis(df, fe_cols)])
    assert np.linalg.matrix_rank(X) == X.shape[1], "the reference design must be of full rank"
    model = sm.GLM(df["trade"].to_numpy(), X, family=sm.families.Poisson())
    if groups is None:
        return model.fit(tol=1e-13, maxiter=200)
    return model.fit(tol=1e-13, maxiter=200, cov_type="cluster", cov_kwds={"groups": groups})


def _unordered_pair_groups(df):
    keys = ["-".join(sorted(p)) for p in zip(df.exporter, df.importer, strict=True)]
    return pd.factorize(pd.Series(keys))[0]


def test_ppml_equals_statsmodels_poisson_glm_with_dummies():
    df = _panel()
    res = gravity_panel(df, covariates=["dist", "contig"], log=["dist"], tol=1e-13)
    assert isinstance(res, GravityResult)
    df = df.assign(
        ln_dist=np.log(df.dist),
        ey=df.exporter + "_" + df.year.astype(str),
        iy=df.importer + "_" + df.year.astype(str),
    )
    glm = _glm(df, ["ln_dist", "contig"], ["ey", "iy"], _unordered_pair_groups(df))
    coefs = res.coefficients.set_index("term")
    assert list(coefs.index) == ["ln_dist", "contig"]
    np.testing.assert_allclose(coefs["estimate"], glm.params[:2], rtol=0, atol=1e-6)
    # CRV1 by unordered pair, G/(G-1)·(N-1)/(N-K): statsmodels counts K as the rank of the
    # design; pyfixest (as fixest) as 2 + levels of both fixed effects − 1
    n, k_sm = len(df), glm.params.shape[0]
    k_pf = 2 + df.ey.nunique() + df.iy.nunique() - 1
    scale = np.sqrt((n - k_sm) / (n - k_pf))
    np.testing.assert_allclose(coefs["std_error"], glm.bse[:2] * scale, rtol=1e-5)


@pytest.mark.parametrize("pair_fe", ["pair", "unordered-pair"])
def test_pair_fe_and_bloc_equal_statsmodels_glm(pair_fe):
    def bloc(y):
        return {0, 1, 2} if y >= 2001 else {0, 1}

    df = _panel(n=7, years=(2000, 2001, 2002, 2003), bloc=bloc, bloc_effect=0.4, seed=5)
    res = gravity_panel(
        df, fe=["exporter-year", "importer-year", pair_fe], bloc_col="rta", tol=1e-13
    )
    if pair_fe == "pair":
        key = df.exporter + "_" + df.importer
    else:  # one effect for i → j and j → i
        key = pd.Series(["_".join(sorted(p)) for p in zip(df.exporter, df.importer, strict=True)])
    df = df.assign(
        ey=df.exporter + "_" + df.year.astype(str),
        iy=df.importer + "_" + df.year.astype(str),
        pair=key.to_numpy(),
    )
    glm = _glm(df, ["rta"], ["ey", "iy", "pair"])
    assert res.coefficient("rta") == pytest.approx(glm.params[0], abs=1e-6)
    assert res.metadata["fixed_effects"][-1] == pair_fe


def test_adding_up_per_exporter_year_and_importer_year():
    res = gravity_panel(_panel(n=9), covariates=["dist", "contig"], log=["dist"], tol=1e-12)
    f = res.fitted
    by_e = f.groupby(["exporter", "year"])[["trade", "predicted"]].sum()
    by_i = f.groupby(["importer", "year"])[["trade", "predicted"]].sum()
    np.testing.assert_allclose(by_e["predicted"], by_e["trade"], rtol=1e-6)
    np.testing.assert_allclose(by_i["predicted"], by_i["trade"], rtol=1e-6)


def test_known_bloc_effect_is_recovered_from_membership():
    def bloc(y):
        return {"C00", "C01", "C02", "C03"} if y >= 2003 else {"C00", "C01"}

    def idx(y):
        return {int(c[1:]) for c in bloc(y)}

    years = tuple(range(2000, 2007))
    df = _panel(n=10, years=years, bloc=idx, bloc_effect=0.5, seed=11, scale=50.0)
    flows = df.rename(columns={"trade": "value_usd"})[["exporter", "importer", "year", "value_usd"]]
    res = gravity(
        flows, fe=("exporter-year", "importer-year", "pair"), membership=bloc, bloc="TEST"
    )
    assert list(res.coefficients["term"]) == ["bloc"]
    assert res.coefficient("bloc") == pytest.approx(0.5, abs=0.05)
    assert res.coefficients["effect_pct"].iloc[0] == pytest.approx(
        (np.exp(res.coefficient("bloc")) - 1) * 100
    )
    assert "on bloc (TEST: both members that year) with" in res.specification
    assert "pair fixed effects" in res.specification
    assert res.metadata["bloc"] == "TEST" and res.metadata["covariates"] == []
    # the same with lags: the lags carry no effect of their own
    fe = ("exporter-year", "importer-year", "pair")
    lagged = gravity(flows, fe=fe, membership=bloc, lags=[2])
    assert lagged.coefficient("bloc_lag2") == pytest.approx(0.0, abs=0.1)
    total = lagged.coefficient("bloc") + lagged.coefficient("bloc_lag2")
    assert lagged.coefficient("bloc_total") == pytest.approx(total)
    # the total sums the bloc term and its lags, never the leads
    both = gravity(flows, fe=fe, membership=bloc, leads=[1], lags=[2])
    assert both.coefficient("bloc_total") == pytest.approx(
        both.coefficient("bloc") + both.coefficient("bloc_lag2")
    )


def test_membership_as_a_frame_gives_the_same_estimate():
    def bloc(y):
        return {"C00", "C01", "C02"} if y >= 2001 else {"C00"}

    df = _panel(n=6, years=(2000, 2001, 2002), seed=2)
    flows = df.rename(columns={"trade": "value_usd"})
    frame = pd.DataFrame(
        [(c, y) for y in (2000, 2001, 2002) for c in bloc(y)], columns=["iso3", "year"]
    )
    kw = {"fe": ("exporter-year", "importer-year", "pair")}
    a = gravity(flows, membership=bloc, **kw)
    b = gravity(flows, membership=frame, **kw)
    assert a.coefficient("bloc") == pytest.approx(b.coefficient("bloc"), abs=1e-9)


def test_square_panel_keeps_zeros_and_drops_self_and_aggregate_flows():
    df = _panel(n=5, years=(2010, 2011), seed=1)
    flows = df.rename(columns={"trade": "value_usd"})[["exporter", "importer", "year", "value_usd"]]
    flows = flows[flows.value_usd > 0]
    # remove some flows entirely: they must come back as zeros
    flows = flows[~((flows.exporter == "C00") & (flows.importer == "C01"))]
    extra = pd.DataFrame(
        [("C00", "C00", 2010, 5.0), ("C00", "WLD", 2010, 99.0)],
        columns=["exporter", "importer", "year", "value_usd"],
    )
    cov = df[["exporter", "importer", "dist", "contig"]].drop_duplicates(["exporter", "importer"])
    cov = cov.rename(columns={"dist": "dist_km"})
    res = gravity(pd.concat([flows, extra]), covariates=cov, use_covariates=["dist_km", "contig"])
    f = res.fitted
    assert len(f) == 5 * 4 * 2
    assert ((f.exporter == "C00") & (f.importer == "C01")).sum() == 2
    assert f.loc[(f.exporter == "C00") & (f.importer == "C01"), "trade"].eq(0).all()
    assert not (f.exporter == f.importer).any() and "WLD" not in set(f.importer)
    assert any("WLD" in n for n in res.notices)
    assert res.metadata["covariates"] == ["dist_km", "contig"]
    assert res.metadata["covariates_source"] == "user-supplied covariates"


def test_shipped_covariates_are_used_and_named():
    econ = ["BLR", "KAZ", "RUS", "ARM", "KGZ", "POL", "DEU", "CHN"]
    rng = np.random.default_rng(0)
    rows = [
        (e, i, y, float(rng.integers(1, 1000)))
        for y in (2015, 2016)
        for e in econ
        for i in econ
        if e != i
    ]
    flows = pd.DataFrame(rows, columns=["exporter", "importer", "year", "value_usd"])
    res = gravity(flows)
    assert list(res.coefficients["term"]) == ["ln_dist_km", "contig", "comlang"]
    assert "countryinfo" in res.metadata["covariates_source"]
    assert res.specification.startswith("PPML of trade (USD) on ln_dist_km, contig, comlang")
    assert "clustered by unordered country pair" in res.specification


def test_all_zero_fixed_effect_groups_are_dropped_with_a_notice():
    df = _panel(n=7, seed=4)
    zero = (df.exporter == "C03") & (df.year == 2001)
    df.loc[zero, "trade"] = 0.0
    res = gravity_panel(df, covariates=["dist", "contig"], log=["dist"], tol=1e-12)
    assert any(
        "exporter-year" in n and "all zero" in n and "(6 observations)" in n for n in res.notices
    )
    ref = gravity_panel(df[~zero], covariates=["dist", "contig"], log=["dist"], tol=1e-12)
    np.testing.assert_allclose(
        res.coefficients["estimate"], ref.coefficients["estimate"], atol=1e-9
    )
    assert res.nobs == len(df) - 6


def test_non_convergence_is_an_error():
    with pytest.raises(AnalysisError, match="did not converge in 1 iterations"):
        gravity_panel(_panel(), covariates=["dist"], log=["dist"], maxiter=1)


def test_pair_fit_ratio_and_gap():
    res = gravity_panel(_panel(n=6), covariates=["dist", "contig"], log=["dist"])
    pf_ = pair_fit(res, "C01", "C02")
    t = pf_.table
    f = res.fitted[(res.fitted.exporter == "C01") & (res.fitted.importer == "C02")]
    assert list(t["year"]) == [2000, 2001, 2002]
    np.testing.assert_allclose(t["actual"], f["trade"])
    np.testing.assert_allclose(t["ratio"], f["trade"].to_numpy() / f["predicted"].to_numpy())
    np.testing.assert_allclose(t["gap"], f["predicted"].to_numpy() - f["trade"].to_numpy())
    assert pf_.to_dict()["years"][0]["year"] == 2000
    with pytest.raises(AnalysisError, match="not in the estimation sample"):
        pair_fit(res, "C01", "XXX")
    paired = gravity_panel(
        _panel(n=6, bloc=lambda y: {0, 1, 2} if y > 2000 else set()),
        fe=["exporter-year", "importer-year", "pair"],
        bloc_col="rta",
    )
    with pytest.raises(AnalysisError, match="without pair fixed effects"):
        pair_fit(paired, "C01", "C02")


def test_user_panel_columns_years_international_and_leads():
    df = _panel(n=6, years=(1986, 1990, 1994, 1998), bloc=lambda y: {0, 1} if y > 1990 else set())
    intra = pd.DataFrame({"exporter": [f"C{k:02d}" for k in range(6)] * 4}).assign(
        importer=lambda d: d.exporter,
        year=np.repeat([1986, 1990, 1994, 1998], 6),
        trade=1000.0,
        dist=50.0,
        contig=0,
        rta=0,
        t=0,
    )
    full = pd.concat([df, intra], ignore_index=True).rename(
        columns={"exporter": "exp", "importer": "imp", "year": "yr", "trade": "X"}
    )
    kw = {"exporter_col": "exp", "importer_col": "imp", "year_col": "yr", "trade": "X"}
    res = gravity_panel(
        full, covariates=["dist"], log=["dist"], years=[1986, 1990, 1994], international=True, **kw
    )
    assert res.nobs == 6 * 5 * 3
    assert any("18 intra-national observations dropped" in n for n in res.notices)
    assert res.metadata["columns"] == {"exporter": "exp", "importer": "imp", "year": "yr"}
    assert "1986–1994" not in res.specification and "1986, 1990, 1994" in res.specification
    kept = gravity_panel(full, covariates=["dist"], log=["dist"], **kw)
    assert kept.nobs == len(full)
    led = gravity_panel(
        full, fe=["exporter-year", "importer-year", "pair"], bloc_col="rta", leads=[4], **kw
    )
    assert "rta_lead4" in list(led.coefficients["term"])
    assert any("at the lead or lag year" in n for n in led.notices)
    assert set(led.fitted["year"]) == {1986, 1990, 1994}


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"covariates": ["nope"]}, InputError, "panel lacks columns"),
        ({"fe": ["exporter-month"]}, InputError, "unknown fixed effect"),
        ({"cluster": "region"}, InputError, "unknown cluster"),
        ({"log": ["contig"], "covariates": ["dist"]}, InputError, "not a covariate"),
        ({"leads": [4]}, InputError, "need a bloc"),
    ],
)
def test_bad_arguments_give_one_line_errors(change, error, message):
    kw = {"covariates": ["dist"], "log": ["dist"], **change}
    with pytest.raises(error, match=message) as info:
        gravity_panel(_panel(n=4), **kw)
    assert "\n" not in str(info.value)


def test_bad_panel_values_name_the_line_and_field():
    df = _panel(n=4)
    df["trade"] = df["trade"].astype(object)
    df.loc[5, "trade"] = -1.0
    with pytest.raises(InputError, match=r"mine.csv, line 7, field 'trade'"):
        gravity_panel(df, covariates=["dist"], source="mine.csv")
    df = _panel(n=4)
    df.loc[0, "dist"] = 0.0
    with pytest.raises(InputError, match="log of a value that is not positive"):
        gravity_panel(df, covariates=["dist"], log=["dist"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".dta"])
def test_read_panel_formats_round_trip(tmp_path, suffix):
    df = _panel(n=4)
    path = tmp_path / f"panel{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_stata(path, write_index=False)
    back = read_panel(path)
    assert list(back.columns) == list(df.columns)
    np.testing.assert_allclose(back["trade"].astype(float), df["trade"])
    res = gravity_panel(back, covariates=["dist"], log=["dist"], source=str(path))
    ref = gravity_panel(df, covariates=["dist"], log=["dist"])
    assert res.coefficient("ln_dist") == pytest.approx(ref.coefficient("ln_dist"), abs=1e-9)


def test_read_panel_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match="panel file not found"):
        read_panel(tmp_path / "missing.csv")
    bad = tmp_path / "bad.dta"
    bad.write_bytes(b"this is not a stata file\n" * 10)
    with pytest.raises(FormatError, match="cannot read the panel file") as info:
        read_panel(bad)
    assert "\n" not in str(info.value) and "bad.dta" in str(info.value)
    odd = tmp_path / "panel.xlsx"
    odd.write_bytes(b"x")
    with pytest.raises(FormatError, match="unknown panel file type"):
        read_panel(odd)


def test_to_dict_is_json_ready():
    import json

    res = gravity_panel(_panel(n=5), covariates=["dist", "contig"], log=["dist"])
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert "ln_dist" in text and d["nobs"] == res.nobs
    assert d["metadata"]["fixed_effects"] == ["exporter-year", "importer-year"]
    assert res.to_frame().equals(res.coefficients)


def test_a_term_collinear_with_the_fixed_effects_is_dropped_with_a_notice():
    df = _panel(n=5).assign(one=1.0)
    res = gravity_panel(df, covariates=["dist", "one"], log=["dist"])
    assert list(res.coefficients["term"]) == ["ln_dist"]
    assert any("collinear with the fixed effects: one" in n for n in res.notices)
    with pytest.raises(AnalysisError, match="PPML estimation failed") as info:
        gravity_panel(df, covariates=["one"])
    assert "\n" not in str(info.value)


def test_leads_come_from_the_whole_file_before_the_years_filter():
    df = _panel(n=6, years=(1986, 1990, 1994, 1998), bloc=lambda y: {0, 1} if y > 1990 else set())
    df = df.assign(rta=df["rta"].where(~((df.year == 1998) & (df.exporter == "C02")), 1))
    fe = ["exporter-year", "importer-year", "pair"]
    res = gravity_panel(df, fe=fe, bloc_col="rta", leads=[4], years=[1986, 1990, 1994])
    assert not any("lead or lag" in n for n in res.notices)
    assert set(res.fitted["year"]) == {1986, 1990, 1994}
    # the same lead computed by hand, passed as an ordinary covariate (as the guide's data do)
    by_hand = df.sort_values("year").assign(
        rta_lead4=lambda d: d.groupby(["exporter", "importer"])["rta"].shift(-1)
    )
    ref = gravity_panel(by_hand[by_hand.year < 1998], fe=fe, covariates=["rta", "rta_lead4"])
    for term in ("rta", "rta_lead4"):
        assert res.coefficient(term) == pytest.approx(ref.coefficient(term), abs=1e-8)


YOTOV = os.environ.get("SILKROAD_YOTOV_DIR")


@pytest.mark.skipif(
    not YOTOV,
    reason="needs the guide's datasets (Yotov et al. 2016, Chapter1Application1.dta and "
    "Chapter2Application2.dta): set SILKROAD_YOTOV_DIR to their folder",
)
def test_the_guides_published_coefficients_are_reproduced():
    """METHODS 5.2: PPML with exporter-time and importer-time FE, international trade, every
    4th year: distance −0.841 (0.032), CNTG 0.437, LANG 0.247, CLNY −0.222; PPML with
    (symmetric) pair FE and intra-national trade: RTA 0.557 (0.102)."""
    years = range(1986, 2007, 4)
    app1 = read_panel(Path(YOTOV) / "Chapter1Application1.dta")
    res = gravity_panel(
        app1,
        covariates=["DIST", "CNTG", "LANG", "CLNY"],
        log=["DIST"],
        years=years,
        international=True,
    )
    est = res.coefficients.set_index("term")["estimate"].round(3).to_dict()
    assert est == {"ln_DIST": -0.841, "CNTG": 0.437, "LANG": 0.247, "CLNY": -0.222}
    assert round(res.coefficients.set_index("term").at["ln_DIST", "std_error"], 3) == 0.032
    app2 = read_panel(Path(YOTOV) / "Chapter2Application2.dta")
    rta = gravity_panel(
        app2, bloc_col="RTA", years=years, fe=["exporter-year", "importer-year", "unordered-pair"]
    )
    assert round(rta.coefficient("RTA"), 3) == 0.557


def test_pair_fixed_effects_without_a_time_varying_term_are_a_one_line_error():
    df = _panel(n=6)
    flows = df.rename(columns={"trade": "value_usd"})[["exporter", "importer", "year", "value_usd"]]
    fe = ("exporter-year", "importer-year", "pair")
    with pytest.raises(AnalysisError, match="no term left to estimate") as info:
        gravity(flows, fe=fe)
    assert "\n" not in str(info.value) and "--bloc" in str(info.value.hint)

    # a bloc whose membership never changes is absorbed by the pair fixed effects
    def constant(y):
        return {"C00", "C01", "C02"}

    with pytest.raises(AnalysisError, match="every term is collinear") as info:
        gravity(flows, fe=fe, membership=constant, bloc="TEST")
    assert "\n" not in str(info.value) and "absorbed by pair" in str(info.value.hint)
