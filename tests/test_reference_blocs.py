"""Tests of silkroad.reference.blocs against the known history of EAEU, EU and CIS."""

from __future__ import annotations

import datetime as dt

import pytest

from silkroad.errors import InputError, ReferenceDataError
from silkroad.reference import (
    bloc_ids,
    bloc_name,
    is_bloc,
    is_economy,
    members,
    membership,
)
from silkroad.reference.blocs import list_blocs

EU27_2020 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}  # fmt: skip


def test_bloc_ids() -> None:
    ids = bloc_ids()
    assert {"EAEU", "EU27", "CIS"} <= set(ids)
    assert ids == sorted(ids)
    assert all(is_bloc(b) for b in ids)


def test_is_bloc() -> None:
    assert is_bloc("EAEU")
    assert is_bloc(" eaeu ")
    assert not is_bloc("BLR")
    assert not is_bloc("")


def test_every_member_is_an_economy() -> None:
    m = membership()
    assert m["iso3"].map(is_economy).all()
    assert list(m.columns) == ["bloc", "iso3", "start", "end", "legal_start", "note"]
    assert all(isinstance(d, dt.date) for d in m["start"])
    assert all(e is None or e >= s for s, e in zip(m["start"], m["end"], strict=True))


def test_eaeu_by_year() -> None:
    assert members("EAEU", 2014) == []  # the Union came into force on 1 Jan 2015
    assert members("EAEU", 2015) == ["ARM", "BLR", "KAZ", "KGZ", "RUS"]
    assert members("EAEU", 2023) == ["ARM", "BLR", "KAZ", "KGZ", "RUS"]
    assert members("EAEU") == ["ARM", "BLR", "KAZ", "KGZ", "RUS"]


def test_eaeu_dates() -> None:
    assert members("EAEU", on=dt.date(2014, 12, 31)) == []
    assert members("EAEU", on=dt.date(2015, 1, 1)) == ["BLR", "KAZ", "RUS"]
    assert members("EAEU", on=dt.date(2015, 1, 2)) == ["ARM", "BLR", "KAZ", "RUS"]
    # Kyrgyzstan: treaty in force 6 Aug 2015, commonly dated 12 Aug 2015
    assert "KGZ" not in members("EAEU", on=dt.date(2015, 8, 10))
    assert "KGZ" in members("EAEU", on=dt.date(2015, 8, 10), legal=True)
    assert "KGZ" in members("EAEU", on=dt.date(2015, 8, 12))
    assert "KGZ" not in members("EAEU", on=dt.date(2015, 8, 5), legal=True)
    m = membership().set_index(["bloc", "iso3"])
    assert m.at[("EAEU", "KGZ"), "start"] == dt.date(2015, 8, 12)
    assert m.at[("EAEU", "KGZ"), "legal_start"] == dt.date(2015, 8, 6)
    assert m.at[("EAEU", "ARM"), "start"] == dt.date(2015, 1, 2)
    assert m.at[("EAEU", "BLR"), "legal_start"] == dt.date(2015, 1, 1)


def test_on_accepts_datetime() -> None:
    assert members("EAEU", on=dt.datetime(2015, 1, 1, 12, 0)) == ["BLR", "KAZ", "RUS"]


def test_eu27() -> None:
    assert set(members("EU27", 2021)) == EU27_2020
    assert len(members("EU27", 2021)) == 27
    assert set(members("EU27")) == EU27_2020
    assert "HRV" not in members("EU27", 2012)
    assert "HRV" in members("EU27", 2013)
    # the six founders of the EEC
    assert members("EU27", 1960) == ["BEL", "DEU", "FRA", "ITA", "LUX", "NLD"]


@pytest.mark.parametrize(
    ("year", "count"),
    [(1958, 6), (1973, 9), (1981, 10), (1986, 12), (1995, 15), (2004, 25), (2007, 27), (2013, 28)],
)
def test_eu_enlargements(year: int, count: int) -> None:
    assert len(members("EU", year)) == count
    assert len(members("EU27", year)) == count - (1 if year >= 1973 else 0)


def test_brexit() -> None:
    assert "GBR" in members("EU", 2020)  # member on part of 2020 (until 31 Jan)
    assert "GBR" not in members("EU", 2021)
    assert "GBR" in members("EU", on=dt.date(2020, 1, 31))
    assert "GBR" not in members("EU", on=dt.date(2020, 2, 1))
    assert "GBR" not in members("EU27", 2019)


def test_cis() -> None:
    current = members("CIS")
    assert "KGZ" in current  # coco's CIS column omits it (FORMATS.md 4.2)
    assert {"ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "UZB"} <= set(current)
    assert "GEO" not in current
    assert "UKR" not in current
    assert "GEO" in members("CIS", 2009)
    assert "GEO" not in members("CIS", 2010)
    assert "GEO" in members("CIS", on=dt.date(2009, 8, 18))
    assert "GEO" not in members("CIS", on=dt.date(2009, 8, 19))
    assert "UKR" in members("CIS", 2017)
    assert "UKR" not in members("CIS", 2019)


def test_customs_union_precedes_eaeu() -> None:
    assert members("CU", 2010) == ["BLR", "KAZ", "RUS"]
    assert members("CU", 2015) == []
    assert members("CU", 2009) == []


def test_bloc_names() -> None:
    assert bloc_name("EAEU") == "Eurasian Economic Union"
    assert bloc_name("EAEU", "ru") == "Евразийский экономический союз"
    assert bloc_name("cis", lang="ru") == "Содружество Независимых Государств"
    for bloc in bloc_ids():
        assert bloc_name(bloc, "en")
        assert bloc_name(bloc, "ru")


def test_unknown_bloc() -> None:
    with pytest.raises(ReferenceDataError, match="unknown bloc 'NAFTA'"):
        members("NAFTA", 2020)
    with pytest.raises(ReferenceDataError, match="unknown bloc"):
        bloc_name("XYZ")


def test_year_and_on_together() -> None:
    with pytest.raises(InputError):
        members("EAEU", 2015, on=dt.date(2015, 1, 1))


def test_membership_is_a_copy() -> None:
    m = membership()
    m.loc[:, "iso3"] = "XXX"
    assert "XXX" not in set(membership()["iso3"])


def test_list_blocs() -> None:
    listed = list_blocs()
    assert [b.bloc for b in listed] == bloc_ids()
    eaeu = next(b for b in listed if b.bloc == "EAEU")
    assert (eaeu.name_en, eaeu.name_ru) == (
        "Eurasian Economic Union",
        "Евразийский экономический союз",
    )
    assert eaeu.members == ("ARM", "BLR", "KAZ", "KGZ", "RUS")
    assert next(b for b in listed if b.bloc == "CU").members == ()  # ended in 2014
    assert "GBR" in next(b for b in list_blocs(year=2019) if b.bloc == "EU").members
    assert "GBR" not in next(b for b in listed if b.bloc == "EU").members


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Eurasian", ["EAEU", "EURASEC"]),
        ("евразийский", ["EAEU", "EURASEC"]),
        ("eaeu", ["EAEU"]),
        ("Содружество", ["CIS"]),
        ("customs union", ["CU"]),
        ("Atlantis", []),
    ],
)
def test_list_blocs_by_words(text: str, ids: list[str]) -> None:
    assert [b.bloc for b in list_blocs(text)] == ids
