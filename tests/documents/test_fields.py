"""`templates fields`: every variable the templates get and use, described, with an example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jinja2 import nodes

from docautomation import ranking
from docautomation.build import example_register
from docautomation.cli.main import cli
from docautomation.config import Settings
from docautomation.documents.contexts import TEMPLATE_NAMES
from docautomation.documents.engine import WordTemplate, make_environment
from docautomation.documents.fields import DESCRIPTIONS, OVERRIDES, field_lines, paths
from docautomation.documents.jobs import sample_contexts
from docautomation.register.scaffold import SHIPPED_TEMPLATES


@pytest.fixture(name="contexts", scope="module")
def _contexts() -> dict[str, list[dict[str, Any]]]:
    register = example_register(Settings())
    return sample_contexts(register, ranking.rank(register))


def test_every_variable_has_a_description_and_every_description_a_variable(
    contexts: dict[str, list[dict[str, Any]]],
) -> None:
    """The descriptions cannot drift from what contexts.py builds: none missing, none left."""
    names = {name for samples in contexts.values() for s in samples for name, _ in paths(s)}
    assert names - DESCRIPTIONS.keys() == set()
    assert DESCRIPTIONS.keys() - names == set()
    for template, overrides in OVERRIDES.items():
        assert overrides.keys() <= {n for s in contexts[template] for n, _ in paths(s)}


def _used(template: WordTemplate) -> set[str]:
    """The dotted variables the template's tags use, a loop variable read as its list's name."""
    env = make_environment()
    found: set[str] = set()
    for lines in template.source_lines().values():
        _walk(env.parse("\n".join(lines)), {}, found)
    return found


def _walk(node: nodes.Node, loops: dict[str, str], found: set[str]) -> None:
    if isinstance(node, nodes.For):
        inner = dict(loops)
        if isinstance(node.target, nodes.Name):
            inner[node.target.name] = _dotted(node.iter, loops) or ""
        _walk(node.iter, loops, found)
        for child in node.body + node.else_:
            _walk(child, inner, found)
    elif isinstance(node, nodes.Name | nodes.Getattr):
        name = _dotted(node, loops)
        if name:
            found.add(name)
    else:
        for child in node.iter_child_nodes():
            _walk(child, loops, found)


def _dotted(node: nodes.Node, loops: dict[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        return None if node.name == "loop" else loops.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node, loops)
        return f"{base}.{node.attr}" if base else None
    return None


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_listing_shows_every_variable_the_shipped_template_uses(
    contexts: dict[str, list[dict[str, Any]]], name: str
) -> None:
    """Each variable a shipped template uses is listed under it, with its example."""
    lines = field_lines(contexts)
    start = lines.index(name)
    end = next((i for i in range(start + 1, len(lines)) if lines[i] == ""), len(lines))
    section = lines[start + 1 : end]
    used = _used(WordTemplate.load(SHIPPED_TEMPLATES / name))
    assert used, "the walker found no variables"
    assert used - _names(section) == set()
    assert all(
        "Exempel:" in line or "(lista; varje post har fälten nedan)" in line for line in section
    )


def _names(section: list[str]) -> set[str]:
    """The full names in a listing: an indented ".field" belongs to the list line above it."""
    stack: list[tuple[int, str]] = []
    names = set()
    for line in section:
        label, indent = line.split()[0], len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        full = stack[-1][1] + label if stack and label.startswith(".") else label
        names.add(full)
        stack.append((indent, full))
    return names


def test_templates_fields_command(runner: CliRunner, workdir: Path) -> None:
    """The command prints, in Swedish, every template with its variables and examples."""
    del workdir
    result = runner.invoke(cli, ["templates", "fields"], catch_exceptions=False)
    assert result.exit_code == 0
    for name in TEMPLATE_NAMES:
        assert f"\n{name}\n" in result.stdout
    assert "{{ namn }}" in result.stdout
    assert (
        'Föreningens namn (får stå i varje malls sidhuvud). Exempel: "Användarföreningen Castor"'
        in (result.stdout)
    )
    assert "    .rank" in result.stdout
    assert "De prioriterade önskemålen i prioritetsordning (lista; varje post" in result.stdout
