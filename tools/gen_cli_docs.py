"""Write docs/cli.md from the CLI's own --help (a test checks the file is up to date).

Usage: python tools/gen_cli_docs.py > docs/cli.md
"""

from __future__ import annotations

import os

os.environ["COLUMNS"] = "100"
os.environ["NO_COLOR"] = "1"
os.environ["TERM"] = "dumb"

from typer.testing import CliRunner

from silkroad.cli import app


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def render() -> str:
    commands = sorted(app.registered_commands, key=lambda c: c.name or c.callback.__name__)
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `python tools/gen_cli_docs.py > docs/cli.md`; "
        "a test fails when it is out of date.",
        "",
        "## silkroad",
        "",
        "```text",
        help_text(),
        "```",
    ]
    for cmd in commands:
        name = cmd.name or cmd.callback.__name__.replace("_", "-")
        parts += ["", f"## silkroad {name}", "", "```text", help_text(name), "```"]
    for group in sorted(app.registered_groups, key=lambda g: g.name or ""):
        parts += ["", f"## silkroad {group.name}", "", "```text", help_text(group.name), "```"]
        for cmd in sorted(group.typer_instance.registered_commands, key=lambda c: c.name or ""):
            parts += [
                "",
                f"## silkroad {group.name} {cmd.name}",
                "",
                "```text",
                help_text(group.name, cmd.name),
                "```",
            ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render(), end="")
