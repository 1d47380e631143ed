"""Docs checked against code: the CLI reference, settings, and the README's two commands."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from silkroad.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def _gen_cli_docs():
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "tools" / "gen_cli_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_generated_from_current_help():
    expected = _gen_cli_docs().render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: python tools/gen_cli_docs.py > docs/cli.md"


def test_every_command_has_a_section_in_the_cli_reference():
    from silkroad.cli import app

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"ingest", "sources", "rejected", "summary", "demo"} <= set(names)
    for name in names:
        assert f"## silkroad {name}\n" in text


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text
        assert f"`{setting.env}`" in text


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands[:2] == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
