"""``silkroad products|economies|blocs``: lookups by words in English or Russian (no store)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from silkroad.cli import app, main
from silkroad.reference import list_blocs, search_economies, search_products


def _run(*argv: str):
    return CliRunner().invoke(app, list(argv))


def test_products_json_is_the_search_and_finds_tractors_in_both_languages():
    res = _run("products", "tractors", "--json")
    assert res.exit_code == 0, res.output
    found = json.loads(res.output)
    assert found == [m._asdict() for m in search_products("tractors")]
    assert found[0]["code"] == "8701"  # HS heading 8701: tractors
    ru = json.loads(_run("products", "трактор", "--json").output)
    assert "8701" in [m["code"] for m in ru]
    code = json.loads(_run("products", "8701", "--limit", "3", "--json").output)
    assert len(code) == 3 and all(m["code"].startswith("8701") for m in code)


def test_economies_lists_candidates_never_guesses():
    res = _run("economies", "Korea", "--json")
    assert res.exit_code == 0, res.output
    assert [m["iso3"] for m in json.loads(res.output)] == ["KOR", "PRK"]
    assert json.loads(res.output) == [m._asdict() for m in search_economies("Korea")]
    table = _run("economies", "бел")
    assert table.exit_code == 0
    assert "BLR" in table.output and "BEL" in table.output  # Беларусь and Бельгия


def test_blocs_with_members_in_a_year():
    res = _run("blocs", "--year", "2016", "--json")
    assert res.exit_code == 0, res.output
    blocs = {b["bloc"]: b for b in json.loads(res.output)}
    # the EAEU in 2016: Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia
    assert blocs["EAEU"]["members"] == ["ARM", "BLR", "KAZ", "KGZ", "RUS"]
    assert json.loads(res.output) == json.loads(
        json.dumps([b._asdict() for b in list_blocs(year=2016)])
    )
    eurasian = json.loads(_run("blocs", "Eurasian", "--json").output)
    assert {b["bloc"] for b in eurasian} == {"EAEU", "EURASEC"}


def test_no_match_says_so_and_bad_options_are_refused(capsys):
    res = _run("products", "zzzzqqq")
    assert res.exit_code == 0 and "no HS code matches 'zzzzqqq'" in res.output
    assert json.loads(_run("economies", "zzzzqqq", "--json").output) == []
    with pytest.raises(SystemExit) as exc:
        main(["products", "tractors", "--lang", "de"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: field '--lang': unknown language; found 'de'; expected one of: en, ru"
    ]
