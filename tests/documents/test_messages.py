"""Jinja's and docxtpl's English never reaches the secretary: every error is Swedish and names
the template, the tag and the part of the document it stands in."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx
import pytest

from docautomation.documents.engine import WordTemplate, make_environment
from docautomation.documents.jobs import check_templates
from docautomation.errors import TemplateError
from tests.support.rendering import make_ranking, make_register, patch_template
from tests.support.tagtemplates import table

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
# Words of Jinja's and Python's messages that must never show.
ENGLISH = re.compile(
    r"\b(undefined|unexpected|expected|Encountered|unsafe|attribute|object|not|got|token|"
    r"division|support|iterable|callable|instances|Range|loader|template|end of)\b"
)


def _template(
    *paragraphs: str, header: str = "", title: str = "", cells: tuple[str, ...] = ()
) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cells:
        table(document, [list(cells), ["{{ a }}"] * len(cells)])
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if title:
        document.core_properties.title = title
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _error(data: bytes, **context: object) -> str:
    with pytest.raises(TemplateError) as caught:
        template = WordTemplate.from_bytes("Mall.docx", data, make_environment())
        template.render({"a": "A", "items": [1, 2], **context}, title="T", when=date(2021, 1, 1))
    message = str(caught.value)
    assert message.startswith('Mallen "Mall.docx" ')
    assert not ENGLISH.search(message), message
    return message


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["{%p for x in items %}", "{{ x }}"],
         'har taggen "{% for x in items %}" som aldrig avslutas (brödtexten): lägg till {% endfor %}'),
        (["{%p for x in items %}", "{{ x }}", "{%p endif %}"],
         ('en tagg som står fel i taggen "{% endif %}" (brödtexten): först måste '
          '"{% for x in items %}" avslutas med {% endfor %}')),
        (["{% tr for x in items %}"], 'ingen tagg "tr" (docxtpls "{%tr" skrivs utan mellanslag)'),
        (["{{ a|nofilter }}"], ('syntaxfel i taggen "{{ a|nofilter }}" (brödtexten): det finns '
                                'inget filter "nofilter"')),
        (["{{ a | }}"], 'här väntades ett namn men det står "}}"'),
        (["{{ 'a }}"], "tecknet ' hör inte hemma i en tagg"),
        (["{% %}"], "taggen saknar namn"),
        (["{# en kommentar"], "en kommentar {# saknar sitt #}"),
        (["{{ a ~ }}"], '"}}" hör inte hemma här'),
        (["{{ a[ }}"], '"}" står där "]" väntades'),
        (["{% endif %}"], "den avslutar inget öppet {% if %}"),
        (["{% for loop in items %}{% endfor %}"], "namnet loop är upptaget"),
        (["{{ a + 1 }}"], "text och tal läggs ihop med +"),
        (["{{ 1 + a }}"], "+ går inte att använda på ett heltal och text"),
        (["{{ a < 1 }}"], "text och ett heltal går inte att jämföra med <"),
        (["{% for x in 5 %}{% endfor %}"], "ett heltal går inte att gå igenom i en slinga"),
        (["{% if %}{% endif %}"], 'ett värde saknas före "%}"'),
        (["{{ items() }}"], "en lista går inte att anropa"),
        (["{{ items[5] }}"], "listan har ingen post 5"),
        (["{{ 1 / 0 }}"], 'har ett fel i taggen "{{ 1 / 0 }}" (brödtexten): den delar med noll'),
        (["{{ 10.0 ** 1000 }}"], "ett tal blir för stort"),
        (["{{ range(10**6)|length }}"], "range() får ge högst 100\u00a0000 tal"),
        (["{% include 'annan.docx' %}"], "include, import och extends går inte i en Word-mall"),
        (["{{ a.__class__ }}"], '"__class__" är spärrat av säkerhetsskäl'),
        (["{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"], "anropar sig själv utan slut"),
        (["{{ '<w:b>'|safe }}"], "gav ett ogiltigt Word-dokument (brödtexten, nära"),
    ],
)  # fmt: skip
def test_errors_are_swedish_and_name_the_tag(paragraphs: list[str], expected: str) -> None:
    """Syntax errors, unclosed and stray tags, runtime errors: one Swedish sentence each."""
    assert expected in _error(_template(*paragraphs))


def test_unknown_variable_names_the_dotted_variable_and_the_tag() -> None:
    """The variable as the tag writes it, not Jinja's "'dict object' has no attribute"."""
    message = _error(_template("{{ meeting.tid }}"), meeting={"time": "13"})
    assert 'använder en okänd variabel "meeting.tid" i taggen "{{ meeting.tid }}"' in message
    assert "docautomation templates fields" in message


def test_errors_name_the_header_and_the_document_properties() -> None:
    """A tag in the header or the title is located there."""
    assert "(sidhuvudet (header1.xml))" in _error(_template("x", header="{{ 1 / 0 }}"))
    title = _error(_template("x", title="{{ okänd }}"))
    assert 'okänd variabel "okänd" i taggen "{{ okänd }}" (dokumentegenskaperna)' in title
    assert "syntaxfel" in _error(_template("x", title="{{ a | }}"))


def test_colspan_that_is_no_number_is_named() -> None:
    """colspan needs a whole number; anything else would make Word refuse the file."""
    message = _error(_template(cells=("{% colspan 'två' %}Rubrik", "B")))
    assert 'ger en cell bredden "två" (brödtexten); {% colspan %} behöver ett heltal' in message


def test_unreadable_template_is_one_swedish_line() -> None:
    """Not a zip: no "File is not a zip file" from Python."""
    with pytest.raises(TemplateError, match="inget läsbart Word-dokument") as caught:
        WordTemplate.from_bytes("Mall.docx", b"inte en zip", make_environment())
    assert not ENGLISH.search(str(caught.value))


def test_unknown_variable_is_reported_once_however_often_it_is_used(tmp_path: Path) -> None:
    """templates check: the same misspelt variable in the body (twice) and the header is one
    line, not one per place, nor a second one from rendering."""
    templates = tmp_path / "templates"
    templates.mkdir()
    for source in SHIPPED.glob("*.docx"):
        (templates / source.name).write_bytes(source.read_bytes())
    kallelse = templates / "Kallelse.docx"
    patch_template(kallelse, kallelse, "{{ meeting.time }}", "{{ meeting.tid }} {{ meeting.tid }}")
    header = "word/header1.xml"
    patch_template(kallelse, kallelse, "{{ association.name }}", "{{ meeting.tid }}", header)
    register = make_register()
    problems = check_templates(templates, register, make_ranking(register))
    assert len(problems) == 1
    assert '"meeting.tid"' in problems[0]
