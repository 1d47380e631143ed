"""Property tests of BACI ingest: valid rows round-trip exactly; one corrupted line, and only
that line, goes to quarantine."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import silkroad as sr
from silkroad.reference.countries import numeric_code_table

#: The release's own country list; 842 (USA) and 251 (BACI's France) are left to the reference.
RELEASE_CODES = {112: "BLR", 398: "KAZ", 643: "RUS", 156: "CHN", 276: "DEU"}
FALLBACK_CODES = {842: "USA", 251: "FRA"}
CODES = {**RELEASE_CODES, **FALLBACK_CODES}
UNKNOWN_CODE = 999
COUNTRY_LIST = "country_code,country_name,country_iso2,country_iso3\n" + "".join(
    f"{code},Economy {code},,{iso3}\n" for code, iso3 in RELEASE_CODES.items()
)
VERSION = "202401b"

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Row:
    year: int
    i: int
    j: int
    k: int
    k_text: str  # as written: with or without leading zeros, maybe padded
    cents: int  # the value in US cents
    v_text: str  # thousands of USD as a decimal string
    grams: int | None  # the weight in grams, None if missing
    q_text: str  # metric tons as a decimal string, or a spelling of "missing"

    @property
    def line(self) -> str:
        return f"{self.year},{self.i},{self.j},{self.k_text},{self.v_text},{self.q_text}"


def thousands(cents: int) -> str:
    """Cents as thousands of USD, exactly, in plain decimal notation (1 cent = 0.00001)."""
    return f"{cents // 100_000}.{cents % 100_000:05d}"


def tons(grams: int) -> str:
    return f"{grams // 1_000_000}.{grams % 1_000_000:06d}"


@st.composite
def rows(draw, year: int) -> Row:
    i, j = draw(st.lists(st.sampled_from(sorted(CODES)), min_size=2, max_size=2, unique=True))
    k = draw(st.integers(1, 999_999))
    k_text = draw(st.sampled_from([str(k), f"{k:06d}", f" {k} "]))
    cents = draw(st.integers(1, 10**13))  # up to 100 billion USD
    pad = draw(st.sampled_from(["", " ", "   "]))
    grams = draw(st.none() | st.integers(0, 10**12))
    if grams is None:
        q_text = draw(st.sampled_from(["NA", "", "           NA"]))
    else:
        q_text = pad + tons(grams)
    return Row(year, i, j, k, k_text, cents, pad + thousands(cents) + pad, grams, q_text)


@st.composite
def row_sets(draw) -> list[Row]:
    year = draw(st.integers(1995, 2023))
    return draw(st.lists(rows(year), min_size=1, max_size=25, unique_by=lambda r: (r.i, r.j, r.k)))


def write_release(folder: Path, lines: list[str], year: int) -> Path:
    folder.mkdir()
    (folder / f"country_codes_V{VERSION}.csv").write_text(COUNTRY_LIST)
    path = folder / f"BACI_HS92_Y{year}_V{VERSION}.csv"
    path.write_text("t,i,j,k,v,q\n" + "".join(f"{line}\n" for line in lines))
    return folder


def loaded_by_key(store) -> dict[tuple[str, str, str], tuple[int, float, float | None]]:
    # The store's current Parquet files read directly (Ibis is exercised elsewhere; this is
    # several times faster per example).
    (path,) = store.parquet_files("baci-hs92")  # one year per example
    table = pq.ParquetFile(path).read()
    out = {}
    for r in table.to_pylist():
        key = (r["exporter"], r["importer"], r["product"])
        out[key] = (r["year"], r["value_usd"], r["weight_kg"])
    assert len(out) == table.num_rows, "a key was loaded twice"
    return out


def assert_loaded_exactly(store, expected: list[Row]) -> None:
    got = loaded_by_key(store)
    assert len(got) == len(expected)
    for row in expected:
        year, value_usd, weight_kg = got[(CODES[row.i], CODES[row.j], f"{row.k:06d}")]
        assert year == row.year
        assert abs(value_usd - row.cents / 100) < 0.005, (row.line, value_usd)
        if row.grams is None:
            assert weight_kg is None, row.line
        else:
            assert abs(weight_kg - row.grams / 1000) <= 1e-9 * max(1.0, row.grams / 1000)


def test_unknown_code_is_unknown_to_the_reference_too():
    assert UNKNOWN_CODE not in numeric_code_table()
    assert all(numeric_code_table()[c] == iso3 for c, iso3 in FALLBACK_CODES.items())


@SETTINGS
@given(row_sets())
def test_valid_rows_round_trip_exactly(data: list[Row]):
    year = data[0].year
    with tempfile.TemporaryDirectory() as tmp:
        release = write_release(Path(tmp) / "release", [r.line for r in data], year)
        store = sr.open(Path(tmp) / "home")
        result = sr.ingest(store, "baci", release)
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
            len(data),
            len(data),
            0,
        )
        assert store.rejected("baci-hs92").empty
        assert_loaded_exactly(store, data)


CORRUPTIONS = {
    # name: (field at fault, problem code)
    "v_not_a_number": ("v", "bad_value"),
    "v_negative": ("v", "non_positive_value"),
    "unknown_exporter": ("i", "unknown_country"),
    "unknown_importer": ("j", "unknown_country"),
    "extra_field": (None, "field_count"),
    "missing_field": (None, "field_count"),
    "letters_in_k": ("k", "bad_product"),
}


def corrupt(row: Row, how: str, junk: str) -> str:
    fields = row.line.split(",")
    if how == "v_not_a_number":
        fields[4] = junk
    elif how == "v_negative":
        fields[4] = "-" + row.v_text.strip()
    elif how == "unknown_exporter":
        fields[1] = str(UNKNOWN_CODE)
    elif how == "unknown_importer":
        fields[2] = str(UNKNOWN_CODE)
    elif how == "extra_field":
        fields.append("1")
    elif how == "missing_field":
        fields.pop()
    elif how == "letters_in_k":
        fields[3] = row.k_text.strip()[:-1] + "x"
    return ",".join(fields)


@SETTINGS
@given(
    row_sets(),
    st.data(),
    st.sampled_from(sorted(CORRUPTIONS)),
    st.sampled_from(["abc", "1.2.3", "12a", "$5", "x1"]),
)
def test_one_corrupted_line_goes_to_quarantine_alone(data: list[Row], draw, how: str, junk: str):
    year = data[0].year
    index = draw.draw(st.integers(0, len(data) - 1), label="corrupted row")
    lines = [r.line for r in data]
    lines[index] = corrupt(data[index], how, junk)
    with tempfile.TemporaryDirectory() as tmp:
        release = write_release(Path(tmp) / "release", lines, year)
        store = sr.open(Path(tmp) / "home")
        result = sr.ingest(store, "baci", release)
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
            len(data),
            len(data) - 1,
            1,
        )
        field, code = CORRUPTIONS[how]
        rej = store.rejected("baci-hs92")
        assert len(rej) == 1
        (r,) = rej.itertuples()
        assert int(r.line) == index + 2  # the header is line 1
        assert r.raw == lines[index]
        assert (r.field, r.code) == (field, code)
        assert result.rejected_by_reason == {code: 1}
        assert_loaded_exactly(store, data[:index] + data[index + 1 :])
