"""Every docxtpl tag renders as docxtpl itself renders it: text, table grids, spans, merges,
shading, headers, footers, footnotes and tags in the document properties."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import jinja2
import pytest
from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2.sandbox import SandboxedEnvironment

from docautomation.documents.engine import WordTemplate, make_environment
from tests.support.tagtemplates import CASES, Case, snapshot


def _docxtpl(case: Case) -> dict[str, Any]:
    template = DocxTemplate(io.BytesIO(case.template()))
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    template.render(case.context, jinja_env=env, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return snapshot(buffer.getvalue())


def _ours(case: Case) -> dict[str, Any]:
    template = WordTemplate.from_bytes(f"{case.name}.docx", case.template(), make_environment())
    return snapshot(template.render(case.context, title="Vår titel", when=date(2021, 1, 1)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_renders_as_docxtpl(case: Case) -> None:
    """The same template and data give the same document with docxtpl and with the engine."""
    theirs, ours = _docxtpl(case), _ours(case)
    if "{{" not in (snapshot(case.template())["title"] or ""):
        theirs["title"] = "Vår titel"  # a title without a tag: docxtpl keeps it, we set ours
    assert ours == theirs
