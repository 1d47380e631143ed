"""The CLI's shared behaviour through its entry point ``silkroad.cli.main``: ``--json`` is the
analysis result's own ``to_dict()``, options mean the same in every command, conflicting or
bad options are refused in one line with exit code 2, and help shows flags as flags.

Run in-process (``main(argv)`` is what the ``silkroad`` script calls); test_cli.py runs the
same entry point as a separate process.
"""

from __future__ import annotations

import json
import re

import pytest

from silkroad import args
from silkroad.analytics.pair import Pair
from silkroad.cli import app
from silkroad.results import dumps
from silkroad.store.store import Store
from test_mirror import BLR_DECL, KAZ_DECL, write_json

# BLR-KAZ exports in the hand-worked world of conftest.py (USD): tractors 870120 and milk 040210,
# with weights 10 t -> 12 t for tractors and none in 2014 for milk.
TRACTORS = {2014: (300_500, 10), 2015: (450_000, 12)}


def one_line_error(code: int, stdout: str, stderr: str) -> str:
    """A user error: exit 2, one line on stderr starting with 'error: ', nothing on stdout."""
    assert code == 2, (stdout, stderr)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr and "╭" not in stderr
    assert stdout == ""
    return lines[0]


def _same(expected) -> object:
    """``expected`` as a JSON reader sees it (tuples as lists, keys as strings)."""
    return json.loads(dumps(expected))


# --- --json is the Result's to_dict() --------------------------------------------------------
def test_every_analysis_json_is_the_results_to_dict(world_home, invoke):
    pair = Pair(Store(world_home), "BLR", "KAZ")
    top = args.DEFAULT_TOP
    cases = {
        ("summary",): pair.summary(),
        ("summary", "--years", "2015"): pair.summary(years=[2015]),
        ("profile", "--base", "2014"): pair.profile(None, base=2014),
        ("structure", "--year", "2015", "--level", "hs4"): pair.structure(
            2015, level="hs4", top=top
        ),
        ("structure", "--year", "2015", "--imports", "--level", "section"): pair.structure(
            2015, direction="imports", level="section", top=top
        ),
        ("movers", "--year", "2015", "--imports"): pair.movers(2015, direction="imports", top=top),
        ("prices", "--year", "2015"): pair.prices(2015),
    }
    for argv, result in cases.items():
        code, stdout, stderr = invoke(
            argv[0], "BLR", "KAZ", *argv[1:], "--home", world_home, "--json"
        )
        assert code == 0, (argv, stderr)
        assert json.loads(stdout) == _same(result.to_dict()), argv
    # and the numbers are the world's: tractors 300 500 -> 450 000 USD
    code, stdout, _ = invoke("structure", "BLR", "KAZ", "--year", "2015", "--level", "hs6",
                             "--home", world_home, "--json")  # fmt: skip
    rows = {r["code"]: r for r in json.loads(stdout)["rows"]}
    assert rows["870120"]["value_usd"] == TRACTORS[2015][0]
    assert rows["870120"]["prev_value_usd"] == TRACTORS[2014][0]


def test_mirror_json_is_the_results_to_dict(tmp_path, invoke):
    import silkroad as sr

    home = tmp_path / "home"
    sr.ingest(sr.open(home), "comtrade", write_json(tmp_path / "blr.json", BLR_DECL))
    sr.ingest(sr.open(home), "comtrade", write_json(tmp_path / "kaz.json", KAZ_DECL))
    pair = Pair(Store(home), "BLR", "KAZ", perspective="exporter")
    expected = pair.mirror(2016, level="hs6", top=args.DEFAULT_TOP)
    code, stdout, stderr = invoke(
        "mirror", "BLR", "KAZ", "--year", "2016", "--level", "hs6", "--home", home, "--json"
    )
    assert code == 0, stderr
    assert json.loads(stdout) == _same(expected.to_dict())


def test_csv_is_the_results_to_csv(world_home, invoke):
    pair = Pair(Store(world_home), "BLR", "KAZ")
    expected = pair.movers(2015, top=args.DEFAULT_TOP).to_csv()
    code, stdout, stderr = invoke(
        "movers", "BLR", "KAZ", "--year", "2015", "--home", world_home, "--csv"
    )
    assert code == 0, stderr
    assert stdout == expected
    assert stdout.splitlines()[0].startswith("table,")


def test_summary_takes_perspective_and_source(world_home, invoke):
    code, stdout, stderr = invoke(
        "summary", "BLR", "KAZ", "--perspective", "reconciled", "--source", "baci-hs92",
        "--home", world_home, "--json",
    )  # fmt: skip
    assert code == 0, stderr
    meta = json.loads(stdout)["metadata"]
    assert (meta["perspective"], meta["source"]) == ("reconciled", "baci-hs92")
    # The world holds BACI only: each side's own declarations are not there, and it says so.
    line = one_line_error(
        *invoke("summary", "BLR", "KAZ", "--perspective", "exporter", "--home", world_home)
    )
    assert "declared statistics" in line
    line = one_line_error(
        *invoke("summary", "BLR", "KAZ", "--source", "baci-hs07", "--home", world_home)
    )
    assert "baci-hs07" in line


# --- conflicting, ignored and bad options: one line, exit 2 ----------------------------------
PAIR = ("BLR", "KAZ")
REFUSED = {
    "summary --json --csv": (["summary", *PAIR, "--json", "--csv"], "--json and --csv"),
    "profile --json --csv": (["profile", *PAIR, "--json", "--csv"], "--json and --csv"),
    "structure --json --csv": (["structure", *PAIR, "--year", "2015", "--json", "--csv"], "--json and --csv"),
    "movers --json --csv": (["movers", *PAIR, "--year", "2015", "--json", "--csv"], "--json and --csv"),
    "prices --json --csv": (["prices", *PAIR, "--year", "2015", "--json", "--csv"], "--json and --csv"),
    "mirror --json --csv": (["mirror", *PAIR, "--year", "2015", "--json", "--csv"], "--json and --csv"),
    "structure base after year": (["structure", *PAIR, "--year", "2014", "--base", "2015"], "found 2015; expected a year before 2014"),
    "structure base = year": (["structure", *PAIR, "--year", "2015", "--base", "2015"], "expected a year before 2015"),
    "brief base after year": (["brief", *PAIR, "--year", "2014", "--base", "2015"], "found 2015; expected a year before 2014"),
    "structure level with baskets": (["structure", *PAIR, "--year", "2015", "--level", "hs4", "--baskets", "b.yaml"], "--level and --baskets"),
    "brief level with baskets": (["brief", *PAIR, "--year", "2015", "--level", "hs4", "--baskets", "b.yaml"], "--level and --baskets"),
    "structure top 0": (["structure", *PAIR, "--year", "2015", "--top", "0"], "field '--top': bad row count; found 0"),
    "movers top -1": (["movers", *PAIR, "--year", "2015", "--top", "-1"], "field '--top': bad row count; found -1"),
    "prices top 0": (["prices", *PAIR, "--year", "2015", "--top", "0"], "field '--top'"),
    "mirror top 0": (["mirror", *PAIR, "--year", "2015", "--top", "0"], "field '--top'"),
    "brief top 0": (["brief", *PAIR, "--year", "2015", "--top", "0"], "field '--top'"),
    "structure bad level": (["structure", *PAIR, "--year", "2015", "--level", "hs9"], "field '--level'"),
    "mirror section level": (["mirror", *PAIR, "--year", "2015", "--level", "section"], "field '--level'"),
    "structure bad lang": (["structure", *PAIR, "--year", "2015", "--lang", "de"], "field '--lang'"),
    "profile bad perspective": (["profile", *PAIR, "--perspective", "sideways"], "field '--perspective'"),
    "implausible year": (["movers", *PAIR, "--year", "20150"], "implausible year; found 20150"),
    # usage errors Typer finds: one line too, never its box
    "year not a number": (["structure", *PAIR, "--year", "abc"], "'--year'"),
    "missing year": (["structure", *PAIR], "Missing option '--year'"),
    "unknown option": (["summary", *PAIR, "--bogus"], "--bogus"),
    "missing argument": (["summary", "BLR"], "Missing argument 'B'"),
    "unknown command": (["summarise", *PAIR], "summarise"),
    "limit 0": (["rejected", "baci-hs92", "--limit", "0"], "'--limit'"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_options_are_one_line_with_exit_code_2(
    case, world_home, tmp_path, invoke, monkeypatch
):
    argv, needle = REFUSED[case]
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # a brief refused must write nothing (its default --out is '.')
    catalog = (world_home / "catalog.json").read_bytes()
    line = one_line_error(*invoke(*argv, "--home", world_home))
    assert needle in line, line
    assert list(cwd.iterdir()) == []
    assert (world_home / "catalog.json").read_bytes() == catalog


# --- options are the same across commands -----------------------------------------------------
def _commands():
    import typer.main

    root = typer.main.get_command(app)
    for name, cmd in root.commands.items():
        if hasattr(cmd, "commands"):
            for sub, c in cmd.commands.items():
                yield f"{name} {sub}", c
        else:
            yield name, cmd


def test_one_default_for_top_and_the_same_pair_options_everywhere():
    tops = {name: p for name, c in _commands() for p in c.params if p.name == "top"}
    assert set(tops) >= {"structure", "movers", "prices", "mirror", "brief"}
    for name, p in tops.items():
        # the default is args.DEFAULT_TOP, given as such or as None that args.top() fills in
        # (and then the help says so)
        if p.default is None:
            assert f"default {args.DEFAULT_TOP})" in (p.help or ""), name
        else:
            assert p.default == args.DEFAULT_TOP, name
    pair_commands = {"summary", "profile", "structure", "movers", "prices", "brief"}
    for name, c in _commands():
        opts = {o for p in c.params for o in getattr(p, "opts", [])}
        if name in pair_commands:
            assert {"--source", "--perspective", "--home"} <= opts, name
        if name in pair_commands - {"brief"} or name == "mirror":
            assert {"--json", "--csv"} <= opts, name


def test_help_shows_flags_as_flags(invoke):
    for name, _ in _commands():
        code, stdout, _ = invoke(*name.split(), "--help")
        assert code == 0
        assert "<bool>" not in stdout, name
        assert re.search(r"^\s+--help\s+Show this message and exit\.", stdout, re.M), name
    code, stdout, _ = invoke("structure", "--help")
    assert re.search(r"^\s+--json\s+Print JSON for scripts\.", stdout, re.M)
    assert re.search(r"^\s+--imports\s+Analyse A's imports", stdout, re.M)
    assert re.search(r"--top <int>.*\[default:\s+10\]", stdout, re.S)  # args.DEFAULT_TOP


def test_no_command_shows_the_help(invoke):
    _, stdout, stderr = invoke()
    assert "Usage: silkroad" in stdout + stderr and "structure" in stdout + stderr
    assert "Traceback" not in stderr


# --- tables for people -------------------------------------------------------------------------
def test_prices_table_is_labelled_and_formatted(world_home, invoke):
    code, stdout, stderr = invoke("prices", "BLR", "KAZ", "--year", "2015", "--home", world_home)
    assert code == 0, stderr
    # no internal field names
    for raw in ("price_effect_usd", "n_continuing", "coverage0", "value0_usd", "_usd"):
        assert raw not in stdout
    for label in (
        "price effect",
        "volume effect",
        "Laspeyres",
        "Paasche",
        "Fisher",
        "new products",
    ):
        assert label in stdout
    uv0, uv1 = TRACTORS[2014][0] / TRACTORS[2014][1], TRACTORS[2015][0] / TRACTORS[2015][1]
    assert f"{uv0:,.0f}" in stdout and f"{uv1:,.0f}" in stdout  # USD per tonne: 30,050, 37,500
    assert f"{uv1 / uv0:.3f}" in stdout  # the price index over the one continuing product
    assert f"{(uv1 / uv0 - 1) * 100:+.1f}" in stdout
    assert f"{TRACTORS[2015][1] / TRACTORS[2014][1]:.3f}" in stdout  # volume index 1.200
    # coverage: tractors are 300 500 of 400 000 USD in 2014
    assert f"{300_500 / 400_000 * 100:.1f} %" in stdout


def test_structure_names_products_in_the_language_asked(world_home, invoke):
    code, en, _ = invoke("structure", "BLR", "KAZ", "--year", "2015", "--home", world_home)
    assert code == 0 and "Vehicles" in en
    code, ru, _ = invoke(
        "structure", "BLR", "KAZ", "--year", "2015", "--lang", "ru", "--home", world_home
    )
    assert code == 0 and "Транспортные средства" in ru and "Vehicles" not in ru


# --- growth of the first year shown; sides named A and B in the metadata ----------------------
def test_growth_of_the_first_year_shown_uses_the_year_before_when_held(world_home, invoke):
    code, stdout, stderr = invoke(
        "summary", "BLR", "KAZ", "--years", "2015", "--home", world_home, "--json"
    )
    assert code == 0, stderr
    (row,) = json.loads(stdout)["rows"]
    exports = {2014: 300_500 + 99_500, 2015: 450_000 + 50_250}
    assert row["exports_growth"] == pytest.approx(exports[2015] / exports[2014] - 1)


def test_json_does_not_call_a_the_exporter_of_its_imports(world_home, invoke):
    code, stdout, stderr = invoke(
        "structure", "BLR", "KAZ", "--year", "2015", "--imports", "--home", world_home, "--json"
    )
    assert code == 0, stderr
    meta = json.loads(stdout)["metadata"]
    assert meta["direction"] == "imports"
    assert meta.get("exporter") != "BLR"  # Belarus is the importer of its imports
    assert (meta.get("a"), meta.get("b")) == ("BLR", "KAZ")


def test_rejected_rows_are_shown_as_found(baci_files, home, invoke):
    import silkroad as sr

    line = "2014,112,398,[b]8701[/b],1.5,3"  # brackets are the row's text, not markup
    sr.ingest(sr.open(home), "baci", baci_files.year_file(2014, ["2014,112,398,870120,1,1", line]))
    code, stdout, stderr = invoke("rejected", "baci-hs92", "--home", home)
    assert code == 0, stderr
    assert line in stdout
    code, stdout, _ = invoke("rejected", "baci-hs92", "--home", home, "--json")
    (row,) = json.loads(stdout)
    assert (row["line"], row["raw"]) == (3, line)


def test_tables_name_headings_not_chapter_plus_code(world_home, invoke):
    # HS heading 8701 is tractors (in English and Russian), not "Vehicles…: heading 8701"
    for lang, name in (("en", "Tractors"), ("ru", "Тракторы")):
        code, stdout, stderr = invoke(
            "structure", "BLR", "KAZ", "--year", "2015", "--level", "hs4", "--lang", lang,
            "--home", world_home,
        )  # fmt: skip
        assert code == 0, stderr
        row = next(line for line in stdout.splitlines() if " 8701 " in line)
        assert name in row and "heading" not in row
