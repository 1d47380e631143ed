"""Generate src/silkroad/reference/data/geo/covariates.csv from the countryinfo package's data.

countryinfo (MIT licence, https://github.com/porimol/countryinfo) is NOT a dependency of
silkroad: download its wheel once, unpack it and point this script at its ``data`` folder:

    pip download --no-deps -d /tmp/ci countryinfo==1.0.1
    unzip -q /tmp/ci/countryinfo-1.0.1-py3-none-any.whl -d /tmp/ci/x
    .venv/bin/python tools/gen_geo.py /tmp/ci/x/countryinfo/data > \
        src/silkroad/reference/data/geo/covariates.csv

The corrections below are applied on top of countryinfo and listed in the README beside the CSV.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "src" / "silkroad" / "reference" / "data"

#: Border codes countryinfo spells otherwise.
BORDER_ALIASES = {"KOS": "XKX"}
#: Land borders countryinfo lists that do not exist (maritime only), as unordered pairs.
NOT_BORDERS = {
    frozenset({"KWT", "IRN"}),  # the Persian Gulf between them
    frozenset({"SRB", "ALB"}),  # only through Kosovo (XKX), an economy of its own here
    frozenset({"IND", "AFG"}),  # only through Kashmir territory administered by Pakistan
    frozenset({"CYP", "GBR"}),  # the Sovereign Base Areas, not the United Kingdom's customs area
}
#: Language codes countryinfo gets wrong: (economy, wrong) -> right (None: dropped).
LANGUAGE_FIXES: dict[tuple[str, str], str | None] = {("SRB", "rs"): "sr", ("AZE", "hy"): None}
#: Official languages (ISO 639) where countryinfo has none.
LANGUAGES = {
    "ALA": ["sv"],
    "ANT": ["nl", "pap", "en"],
    "BES": ["nl"],
    "BLM": ["fr"],
    "CUW": ["nl", "pap", "en"],
    "MAF": ["fr"],
    "MYS": ["ms"],
    "SXM": ["nl", "en"],
    "TCA": ["en"],
    "VGB": ["en"],
    "VIR": ["en"],
    "XKX": ["sq", "sr"],
}
#: Duplicate files for one code in countryinfo: the one kept.
PREFERRED = {
    "CUW": "curaçao.json",
    "PSE": "palestine.json",
    "VAT": "holy_see_vatican_city_state.json",
}
#: Economies of our reference table that countryinfo lacks: capital taken from our own table.
FROM_REFERENCE = {"XKX": "Pristina"}
EXTRA_ECONOMIES = {"ANT", "SCG", "XKX"}
#: countryinfo's capital coordinates farther than this (degrees, either axis) from our own
#: 0.1-degree capitals are wrong (AIA The Valley geocoded in Nebraska, REU Saint-Denis in Paris,
#: TLS Dili in Delhi, BRA and TUN country centroids, ...): ours are used instead.
MAX_OFF_DEG = 0.5
#: Where our coordinates are of another city than countryinfo's capital (seat of government,
#: a capital moved or abandoned), the city our coordinates are of.
CITY_OF_REFERENCE = {"BOL": "La Paz", "BDI": "Gitega", "MSR": "Brades"}


def _reference() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for name in ("countries.csv", "other_economies.csv"):
        with (REF / name).open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                rows[row["iso3"]] = row
    return rows


def main(data_dir: str) -> None:
    ref = _reference()
    iso = {c for c, r in ref.items() if "kind" not in r} | EXTRA_ECONOMIES
    records: dict[str, dict] = {}
    for path in sorted(Path(data_dir).glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        code = d.get("ISO", {}).get("alpha3")
        if code not in iso:
            continue
        if code in PREFERRED and path.name != PREFERRED[code]:
            continue
        records[code] = d
    borders: set[frozenset[str]] = set()
    for code, d in records.items():
        for b in d.get("borders") or []:
            b = BORDER_ALIASES.get(b, b)
            if b in iso and b != code:
                borders.add(frozenset({code, b}))
    borders -= NOT_BORDERS
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(
        ["iso3", "capital", "capital_lat", "capital_lon", "languages", "borders", "source"]
    )
    for code in sorted(iso):
        d = records.get(code, {})
        latlng = d.get("capital_latlng")
        capital = d.get("capital") or FROM_REFERENCE.get(code, "")
        if isinstance(capital, list):
            capital = capital[0]
        if latlng and isinstance(latlng[0], list):  # BES: three capitals, the first kept
            latlng, capital = latlng[0], capital.split(" / ")[0]
        source = "countryinfo"
        r = ref[code]
        if latlng and r["capital_lat"]:
            off = max(
                abs(latlng[0] - float(r["capital_lat"])), abs(latlng[1] - float(r["capital_lon"]))
            )
            if off > MAX_OFF_DEG:  # countryinfo geocoded a namesake elsewhere, or a centroid
                latlng = None
        if not latlng:
            latlng = (
                [float(r["capital_lat"]), float(r["capital_lon"])] if r["capital_lat"] else None
            )
            source = "countryinfo; capital from countries.csv" if d else "countries.csv"
            capital = CITY_OF_REFERENCE.get(code, capital)
        langs = d.get("languages") or LANGUAGES.get(code, [])
        fixed = [LANGUAGE_FIXES.get((code, lang), lang) for lang in langs]
        langs = [lang for lang in fixed if lang]
        if code in LANGUAGES and not d.get("languages"):
            source += "; languages added by hand"
        lat, lon = (f"{latlng[0]:.4f}", f"{latlng[1]:.4f}") if latlng else ("", "")
        nb = sorted(next(iter(p - {code})) for p in borders if code in p)
        out.writerow([code, capital, lat, lon, " ".join(langs), " ".join(nb), source])


if __name__ == "__main__":
    main(sys.argv[1])
