"""``silkroad brief`` through the real entry point: files written, paths printed, one-line errors."""

from __future__ import annotations

import json

import pytest

from _report_world import build


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build(tmp_path_factory.mktemp("cli-world")).home


def test_brief_writes_each_format_and_language_and_prints_the_paths(cli, home, tmp_path):
    out = tmp_path / "briefs"
    r = cli(
        "brief", "BLR", "KAZ", "--year", "2014", "--base", "2011", "--lang", "en,ru",
        "--format", "md,xlsx", "--out", out, "--home", home,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    printed = r.stdout.split()
    assert printed == [
        str(out / f"brief-blr-kaz-2014-{lang}.{fmt}")
        for lang in ("en", "ru")
        for fmt in ("md", "xlsx")
    ]
    md = (out / "brief-blr-kaz-2014-ru.md").read_text(encoding="utf-8")
    # the year keeps its word on one line ("2011 годом" with a non-breaking space)
    assert "По сравнению с 2011\u00a0годом товарооборот вырос в\u00a03,4\u00a0раза." in md


def test_brief_json_lists_the_paths(cli, home, tmp_path):
    r = cli(
        "brief", "Belarus", "Kazakhstan", "--year", "2014", "--format", "md", "--out", tmp_path,
        "--home", home, "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"paths": [str(tmp_path / "brief-blr-kaz-2014-en.md")]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "field '--format': unknown format; found 'docx'; expected one of html, pdf, xlsx, md"),
        (["--lang", "de"], "field '--lang': unknown language; found 'de'"),
        (["--level", "hs3"], "field '--level': unknown level; found 'hs3'"),
        (["--years", "2011-2012"], "the years shown must include the year of the brief"),
        (["--base", "1990"], "field 'base': 1990 is not in the store"),
    ],
)  # fmt: skip
def test_brief_errors_are_one_line_with_exit_code_2(cli, home, tmp_path, args, message):
    r = cli("brief", "BLR", "KAZ", "--year", "2014", "--out", tmp_path, "--home", home, *args)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and message in r.stderr
    assert "Traceback" not in r.stderr
    assert not list(tmp_path.iterdir())
