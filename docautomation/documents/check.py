"""Finds variables a Word template uses that its documents do not provide, in every branch.

Rendering with StrictUndefined only catches names on the path the data takes; a misspelt
`{{ meeting.lnk }}` inside `{% if meeting.link %}` would pass until a meeting has a link. So we
walk the compiled template's syntax tree and follow each name and attribute through the
context's shape (dicts by key, loop variables by their list's items).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import nodes

from ..errors import UnknownVariableError
from .engine import WordTemplate, make_environment
from .messages import unknown_variable

_UNKNOWN: Any = object()  # a value whose shape we cannot know (skip checks below it)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def unknown_variables(
    template: WordTemplate, contexts: Sequence[Mapping[str, Any]]
) -> list[UnknownVariableError]:
    """An error for each unknown variable in `template`, naming the first tag that uses it.

    A variable is reported once, however many tags and parts (body, header) use it.

    Args:
        template: the compiled template.
        contexts: sample contexts the template will be rendered with (shapes are merged).
    """
    shape = _merge(list(contexts)) if contexts else {}
    env = make_environment()
    globals_ = set(env.globals) | {"loop"}
    errors: dict[str, UnknownVariableError] = {}
    for part, lines in template.source_lines().items():
        found: list[str] = []
        _walk(env.parse("\n".join(lines)), {**dict.fromkeys(globals_, _UNKNOWN), **shape}, found)
        for name in found:
            if name not in errors:
                errors[name] = unknown_variable(template.name, name, _where(lines, name), part)
    return list(errors.values())


def _walk(node: nodes.Node, scope: dict[str, Any], found: list[str]) -> None:
    if isinstance(node, nodes.For):
        _shape(node.iter, scope, found)
        inner = dict(scope)
        _bind(node.target, _element(_shape(node.iter, scope, [])), inner)
        inner["loop"] = _UNKNOWN
        for child in [*node.body, *([node.test] if node.test else [])]:
            _walk(child, inner, found)
        for child in node.else_:
            _walk(child, scope, found)
    elif isinstance(node, nodes.Assign | nodes.AssignBlock):
        for child in node.iter_child_nodes(exclude=("target",)):
            _walk(child, scope, found)
        _bind(node.target, _UNKNOWN, scope)
    elif isinstance(node, nodes.Macro | nodes.CallBlock):
        inner = {
            **scope,
            **{arg.name: _UNKNOWN for arg in node.args},
            "caller": _UNKNOWN,
            "varargs": _UNKNOWN,
            "kwargs": _UNKNOWN,
        }
        if isinstance(node, nodes.Macro):
            scope[node.name] = _UNKNOWN
        for child in node.iter_child_nodes():
            _walk(child, inner, found)
    elif isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        _shape(node, scope, found)
    else:
        for child in node.iter_child_nodes():
            _walk(child, scope, found)


def _shape(node: nodes.Node, scope: Mapping[str, Any], found: list[str]) -> Any:
    """The context value `node` refers to (or _UNKNOWN); records unknown names in `found`."""
    if isinstance(node, nodes.Name):
        if node.name not in scope:
            found.append(node.name)
            return _UNKNOWN
        return scope[node.name]
    key = _key(node)
    if key is None:  # e.g. row[index]: check the parts, the result is unknown
        for child in node.iter_child_nodes():
            _walk(child, dict(scope), found)
        return _UNKNOWN
    base = _shape(node.node, scope, found)  # type: ignore[attr-defined]
    if isinstance(base, Mapping):
        if key in base:
            return base[key]
        found.append(_dotted(node))
    return _UNKNOWN


def _key(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return str(node.arg.value)
    return None


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    key = _key(node)
    base = getattr(node, "node", None)
    return f"{_dotted(base)}.{key}" if base is not None and key is not None else "?"


def _bind(target: nodes.Node, value: Any, scope: dict[str, Any]) -> None:
    if isinstance(target, nodes.Name):
        scope[target.name] = value
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            _bind(item, _UNKNOWN, scope)


def _element(value: Any) -> Any:
    """The shape of one item of a list (all items merged); unknown for anything else."""
    if isinstance(value, list) and value:
        return _merge(value)
    return _UNKNOWN


def _merge(values: Iterable[Any]) -> Any:
    """One shape covering all `values`: dict keys united, lists' items merged."""
    values = list(values)
    if values and all(isinstance(v, Mapping) for v in values):
        keys = dict.fromkeys(k for v in values for k in v)
        return {k: _merge([v[k] for v in values if k in v]) for k in keys}
    if values and all(isinstance(v, list) for v in values):
        items = [x for v in values for x in v]
        return [_merge(items)] if items else []
    return values[0] if values else _UNKNOWN


def _where(lines: Sequence[str], name: str) -> str:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for line in lines:
        text = html.unescape(re.sub(r"<[^>]+>", "", line))
        tag = next((t for t in _TAG.findall(text) if pattern.search(t)), None)
        if tag:
            return f' i taggen "{tag[:120]}"'
    return ""
