"""Documentation completeness: every page is reachable, every command explains itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from scamtrace import cli

ROOT = Path(__file__).resolve().parents[1]


def _all_commands() -> list[tuple[str, object]]:
    cli._register_domains()
    group = typer.main.get_command(cli.app)
    found = []

    def walk(command, path: str) -> None:
        found.append((path, command))
        # typer may ship its own copy of click: test the shape, not the class.
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")

    walk(group, "scamtrace")
    return found


def test_every_docs_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\(docs/([\w.-]+\.md)\)", readme))
    pages = {page.name for page in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set()
    assert linked - pages == set()


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


@pytest.mark.parametrize("path, command", _all_commands(), ids=lambda value: str(value))
def test_every_command_has_help(path, command):
    assert (command.help or "").strip(), f"{path} has no docstring"


def test_every_domain_command_module_is_registered():
    modules = {path.relative_to(ROOT / "src").with_suffix("").as_posix().replace("/", ".")
               for path in (ROOT / "src" / "scamtrace").rglob("commands.py")}
    assert modules <= set(cli.DOMAIN_COMMANDS)
