"""The sandbox bounds work: a template that loops or builds text past a limit stops, quickly,
with a Swedish message naming the template and the tag, under build, templates check and watch."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docautomation.cli.main import cli
from docautomation.config import Limits, Settings
from docautomation.documents.engine import make_environment
from docautomation.documents.sandbox import LimitExceeded
from docautomation.watch import status
from tests.support.rendering import patch_template
from tests.support.watching import running, wait_until

NESTED_LOOP = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
HUGE_TEXT = "{{ 'x' * 10**9 }}"
SMALL = Limits(render_seconds=1, render_max_chars=100_000, render_max_document_mb=1)
BIG = "x" * 50_000  # half of SMALL's render_max_chars


def _render(source: str, limits: Limits = SMALL, **context: Any) -> str:
    env = make_environment(limits)
    with env.budget():
        return env.render_part(env.from_string(source), {"big": BIG, **context})


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(HUGE_TEXT, id="repeat"),
        pytest.param("{{ 2 ** (10 ** 9) }}", id="power"),
        pytest.param("{{ (10 ** 4000) * (10 ** 4000) }}", id="product"),
        pytest.param("{{ 'x'.ljust(10**9) }}", id="method-width"),
        pytest.param("{{ 'x'|center(10**9) }}", id="filter-width"),
        pytest.param("{{ '%999999999s' % 'x' }}", id="percent-width"),
        pytest.param("{{ '{:>{w}}'.format('x', w=10**9) }}", id="format-width"),
        pytest.param("{{ ([big] * 3)|join }}", id="join"),
        pytest.param("{{ big|replace('x', 'yyy') }}", id="replace"),
        pytest.param("{{ ('x\n' * 50000)|indent(1000) }}", id="indent"),
        pytest.param("{{ big|wordwrap(1, wrapstring='--') }}", id="wordwrap"),
        pytest.param("{{ [1]|batch(10**9, 0)|list }}", id="batch"),
        pytest.param("{{ lipsum(10**5) }}", id="lipsum"),
        pytest.param("{{ big ~ big ~ big }}", id="concat"),
        pytest.param("{{ big + big + big }}", id="plus"),
        pytest.param(
            "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}",
            id="doubling",
        ),
        pytest.param(
            "{% set l = [] %}{% for i in range(10) %}{{ l.append(big) or '' }}{% endfor %}{{ l }}",
            id="printed-list",
        ),
        pytest.param(
            "{% set l = [] %}{% for i in range(1000) %}{{ l.extend(range(200)) or '' }}{% endfor %}",
            id="grown-list",
        ),
        pytest.param(
            "{% set s %}{% for i in range(3) %}{{ big }}{% endfor %}{% endset %}", id="set"
        ),
        pytest.param(
            "{% macro m() %}{% for i in range(3) %}{{ big }}{% endfor %}{% endmacro %}{{ m()|length }}",
            id="macro",
        ),
        pytest.param("{% for i in range(30) %}{{ big }}{% endfor %}", id="document"),
        pytest.param(NESTED_LOOP, id="nested-loop"),
        pytest.param(
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
            id="silent-loop",
        ),
        pytest.param(
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
            "{{ f(40) }}",
            id="fan-out",
        ),
        pytest.param(
            "{% for x in [1] recursive %}{% for y in range(100000) %}{% endfor %}"
            "{{ loop([1, 1]) }}{% endfor %}",
            id="recursive-loop",
        ),
    ],
)
def test_runaway_work_stops_within_its_limits(source: str) -> None:
    """Whatever grows past a bound stops before it is built, within about the time limit."""
    started = time.monotonic()
    with pytest.raises((LimitExceeded, RecursionError)):
        _render(source)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ ('ab' * 3)|upper }}", "ABABAB"),
        ("{{ '%5s|' % 'x' }}{{ '{:>4}'.format(7) }}", "    x|   7"),
        ("{{ [1, 2, 3]|join('-') }}{{ ' ' ~ big|length }}", "1-2-3 50000"),
        ("{% for x in 'abc' %}{{ loop.index }}/{{ loop.length }} {% endfor %}", "1/3 2/3 3/3 "),
        ("{% for x in [[1, [2]], [3]] recursive %}{{ x if x is number else loop(x) }}{% endfor %}",
         "123"),
        ("{% set l = [] %}{{ l.append(1) or l }}{{ 2 ** 10 }}{{ (10 ** 30) * 2 }}",
         "[1]1024" + "2" + "0" * 30),
    ],
)  # fmt: skip
def test_ordinary_templates_are_not_affected(source: str, expected: str) -> None:
    """Bounds only bite past the limits: ordinary string work, loops and numbers render."""
    assert _render(source) == expected


def test_time_limit_is_per_document_and_configurable() -> None:
    """A render that fits renders again: each document gets its own time."""
    slow = "{% for a in range(300) %}{% for b in range(1000) %}{% endfor %}{% endfor %}done"
    limits = replace(SMALL, render_seconds=30)
    for _ in range(3):
        assert _render(slow, limits) == "done"
    with pytest.raises(LimitExceeded, match="längre tid än 0,01 sekunder"):
        _render(slow, replace(SMALL, render_seconds=0.01))


# ---------------------------------------------------------------------------------------------
# build, templates check and watch
# ---------------------------------------------------------------------------------------------


def _runaway(workdir: Path, tag: str, limits: str = "") -> None:
    """The working folder's Kallelse with `tag` in place of the meeting's time."""
    template = workdir / "templates" / "Kallelse.docx"
    patch_template(template, template, "{{ meeting.time }}", tag)
    if limits:
        (workdir / "docautomation.toml").write_text(f"[limits]\n{limits}\n", encoding="utf-8")


def _stopped(message: str, tag: str) -> None:
    assert 'Mallen "Kallelse.docx" stoppades i tagg' in message  # (both loops: "i taggarna")
    assert tag.split("%}")[0] in message  # the loop's own tag, or the whole {{ }} tag


@pytest.mark.parametrize(
    ("tag", "reason"),
    [(NESTED_LOOP, "längre tid än 10 sekunder"), (HUGE_TEXT, "mer än 10\u00a0000\u00a0000 tecken")],
    ids=["nested-loop", "huge-text"],
)
def test_build_stops_with_default_limits(
    runner: CliRunner, workdir: Path, example_register: Path, tag: str, reason: str
) -> None:
    """`build` with the shipped limits: a runaway template is one Swedish line, exit 2, no
    documents, within seconds."""
    del example_register  # in the inbox
    _runaway(workdir, tag)
    started = time.monotonic()
    result = runner.invoke(cli, ["build"], catch_exceptions=False)
    assert time.monotonic() - started < 20
    assert result.exit_code == 2
    _stopped(result.stderr, tag)
    assert reason in result.stderr
    assert not list((workdir / "outbox").rglob("*.docx"))


@pytest.mark.parametrize("tag", [NESTED_LOOP, HUGE_TEXT], ids=["nested-loop", "huge-text"])
def test_templates_check_stops_and_names_the_tag(
    runner: CliRunner, workdir: Path, tag: str
) -> None:
    """`templates check` reports the runaway template with the same message, once."""
    _runaway(workdir, tag, "render_seconds = 1")
    started = time.monotonic()
    result = runner.invoke(cli, ["templates", "check"], catch_exceptions=False)
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert result.stderr.count("Kallelse.docx") == 1
    _stopped(result.stderr, tag)


@pytest.mark.parametrize("tag", [NESTED_LOOP, HUGE_TEXT], ids=["nested-loop", "huge-text"])
def test_watcher_reports_the_runaway_template_and_goes_on(
    settings: Settings, example_register: Path, tag: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The watcher's build stops like any failed build: one log line with the message."""
    caplog.set_level(logging.INFO, logger="docautomation.watch.loop")
    _runaway(settings.templates.parent, tag)
    settings = replace(settings, limits=Limits(render_seconds=1))
    name = example_register.name

    def result() -> dict[str, Any]:
        return status.read_status(settings.outbox)["registers"].get(name, {})  # type: ignore[no-any-return]

    with running(settings, stop_within=5) as w:
        w.wait_ready()
        wait_until(lambda: result().get("exit_code") == 2, timeout=15, what="the failed build")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{name}:")]
    assert len(lines) == 1
    _stopped(lines[0], tag)
