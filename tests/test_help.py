"""Every command's help: a whole one-line summary and an example; the library in `query run`."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kb import library
from kb.cli import main


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*path, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*path, name)))
    return found


COMMANDS = _commands(main)


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(("kb", *p)))
def test_every_command_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^  Example: (\S+=\S+ )?kb \S", result.output, re.M), result.output


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("kb", *p)))
def test_every_summary_is_whole(path: tuple[str, ...]) -> None:
    summary = _command(path).short_help
    assert summary, "no short_help: click would cut the docstring's first sentence"
    assert summary.endswith(".") and not summary.endswith("..."), summary
    assert len(summary) <= 62, f"{summary!r} would wrap in an 80-column listing"
    parent = CliRunner().invoke(main, [*path[:-1], "--help"], terminal_width=80).output
    assert summary in " ".join(parent.split()), parent


def test_the_top_level_example_asks_a_question() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    assert "Example: kb query run firms-relying-on -p country=China -p tech=CUDA" in out
    code = CliRunner().invoke(main, ["query", "show", "firms-relying-on"]).exit_code
    assert code == 0


def test_query_run_help_lists_every_query_with_its_title() -> None:
    out = " ".join(CliRunner().invoke(main, ["query", "run", "--help"]).output.split())
    lib = library.load_library()
    for name in lib.names:
        assert f"{name} {' '.join(lib.get(name).title.split())}" in out


def test_query_show_prints_no_yaml_end_marker() -> None:
    for name in library.load_library().names:
        lines = CliRunner().invoke(main, ["query", "show", name]).output.splitlines()
        assert "..." not in [line.strip() for line in lines], name
        assert not [line for line in lines if ", default " in line and "..." in line], name
    out = CliRunner().invoke(main, ["query", "show", "sites-relying-on-supplier"]).output
    assert "max_hops  integer (1..6), default 6\n" in out


def test_the_readme_gets_a_newcomer_started() -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    order = [readme.index(h) for h in ("## Getting started", "## Use\n", "## The server")]
    assert order == sorted(order), "getting started, then use, then the server internals"
    assert "source .venv/bin/activate" in readme and "pipx install ." in readme
    assert "```mermaid" in readme
    for picture in ("docs/list-format.svg", "docs/viz-catl.png", "docs/browser-catl-answer.png"):
        assert picture in readme and (root / picture).stat().st_size > 10_000, picture
